//! A session on refreshable access tokens with the library's
//! [`Session`] (crate `matrix-csapi-session`): log in with a password asking
//! for a refresh token, call the API, let the access token run out, and
//! call it again; the session refreshes the token in between.
//!
//! ```sh
//! cargo run -p matrix-csapi-tests --example refreshing_session -- \
//!     https://matrix.example.org alice 'the password' [refresh-lifetime-seconds]
//! ```
//!
//! The optional last argument asks for a lifetime of the new refresh tokens
//! with Famedly's experimental `com.famedly.refresh_token_lifetime_ms`
//! (cargo feature `unstable-famedly-refresh-lifetime` of
//! `matrix-csapi-session`): Famedly's Synapse honours it, capped by its
//! configuration; upstream Synapse ignores it.
//!
//! `tests/tests/e2e/refresh.rs` runs [`keep_alive`] against a real Synapse
//! whose access tokens expire after 5 s.

use std::process::ExitCode;
use std::time::Duration;

use matrix_csapi::runtime::SecretString;
use matrix_csapi::whoami::GetTokenOwnerRequest;
use matrix_csapi::{BaseUrl, Client, UserId};
use matrix_csapi_session::{MemoryStore, Session, SessionOptions};

/// What [`keep_alive`] saw.
#[derive(Debug)]
pub struct Outcome {
    /// Who the access token belonged to, before and after it expired.
    pub user_ids: Vec<UserId>,
    /// How long the first access token lived (`None`: it does not expire).
    pub expires_in: Option<Duration>,
    /// How many times the session refreshed the access token.
    pub refreshes: u64,
}

/// Logs in as `user`, asks who the access token belongs to, waits until the
/// token has expired (if it expires within ten minutes), and asks again.
pub async fn keep_alive(
    homeserver: BaseUrl,
    user: &str,
    password: &SecretString,
    refresh_lifetime: Option<Duration>,
) -> Result<Outcome, Box<dyn std::error::Error>> {
    let mut options = SessionOptions::default();
    if let Some(lifetime) = refresh_lifetime {
        options = options.with_refresh_token_lifetime(lifetime)?;
    }
    // A real application would use a `FileStore` (README: "A session").
    let session = Session::login_with_password(
        Client::new(homeserver),
        user,
        password,
        options,
        MemoryStore::new(),
    )
    .await?;
    let expires_in = session.stored().expires_in;
    let mut user_ids = vec![session.send(&GetTokenOwnerRequest::new()).await?.user_id];
    println!(
        "logged in as {} (device {})",
        user_ids[0],
        session.device_id()
    );

    match expires_in {
        Some(lifetime) if lifetime <= Duration::from_secs(600) => {
            println!("the access token expires in {lifetime:?}; waiting for that");
            tokio::time::sleep(lifetime + Duration::from_secs(1)).await;
            user_ids.push(session.send(&GetTokenOwnerRequest::new()).await?.user_id);
            println!(
                "still {} after {} refresh(es); the new token lives {:?}",
                user_ids[1],
                session.refreshes(),
                session.stored().expires_in
            );
        }
        Some(lifetime) => println!("the access token expires in {lifetime:?}; not waiting"),
        None => println!("the access token does not expire"),
    }
    Ok(Outcome {
        user_ids,
        expires_in,
        refreshes: session.refreshes(),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(user), Some(password)) = (args.next(), args.next(), args.next()) else {
        return Err("usage: refreshing_session <homeserver URL> <user> <password> [refresh lifetime in seconds]".into());
    };
    let refresh_lifetime = args
        .next()
        .map(|seconds| seconds.parse().map(Duration::from_secs))
        .transpose()?;
    keep_alive(
        BaseUrl::parse(&url)?,
        &user,
        &SecretString::new(password),
        refresh_lifetime,
    )
    .await?;
    Ok(())
}
