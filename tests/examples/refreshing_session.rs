//! A client session on refreshable access tokens, written against the
//! generated crate: log in with a password asking for a refresh token, call
//! the API, and when the server says the access token has expired (401
//! `M_UNKNOWN_TOKEN` with `soft_logout: true`), refresh it and send the
//! request again, once.
//!
//! ```sh
//! cargo run -p matrix-csapi-tests --example refreshing_session -- \
//!     https://matrix.example.org alice 'the password' [refresh-lifetime-seconds]
//! ```
//!
//! The optional last argument asks for a lifetime of the new refresh tokens
//! with Famedly's experimental `com.famedly.refresh_token_lifetime_ms`
//! (cargo feature `unstable-famedly-refresh-lifetime` of `matrix-csapi`):
//! Famedly's Synapse honours it, capped by its configuration; upstream
//! Synapse ignores it.
//!
//! `tests/tests/e2e_refresh.rs` runs [`Session`] against a real Synapse
//! whose access tokens expire after 5 s.

use std::convert::Infallible;
use std::fmt;
use std::process::ExitCode;
use std::time::Duration;

use matrix_csapi::login::LoginRequest;
use matrix_csapi::refresh::RefreshRequest;
use matrix_csapi::runtime::{Error, SecretString};
use matrix_csapi::types::UserIdentifier;
use matrix_csapi::whoami::GetTokenOwnerRequest;
use matrix_csapi::{AccessToken, BaseUrl, Client, Endpoint, ErrorCode};

/// A logged-in device whose access token is refreshed when it expires.
///
/// `Debug` shows no token: [`Client`] and [`SecretString`] redact theirs.
#[derive(Debug)]
pub struct Session {
    client: Client,
    /// `None` when the server gave no refresh token; the session then ends
    /// when its access token does.
    refresh_token: Option<SecretString>,
    /// Asked for on every refresh (Famedly's experimental field).
    refresh_lifetime: Option<Duration>,
    /// How long the current access token lives, as the server said.
    expires_in: Option<Duration>,
    refreshes: u32,
}

/// Why a request of a [`Session`] failed.
#[derive(Debug)]
pub enum SessionError<E> {
    /// The request itself failed (after a refresh, if one was needed).
    Request(Error<E>),
    /// The access token expired and refreshing it failed; log in again.
    Refresh(Error<Infallible>),
}

impl<E: fmt::Display> fmt::Display for SessionError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request(error) => error.fmt(f),
            Self::Refresh(error) => write!(f, "the session could not be refreshed: {error}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for SessionError<E> {}

impl Session {
    /// Logs in as `user` with `password`, asking for a refresh token.
    pub async fn login(
        base_url: BaseUrl,
        user: &str,
        password: SecretString,
        refresh_lifetime: Option<Duration>,
    ) -> Result<Session, Error<Infallible>> {
        let client = Client::new(base_url);
        let mut identifier = UserIdentifier::new("m.id.user".to_owned());
        identifier
            .additional_properties
            .insert("user".to_owned(), user.into());
        let mut login = LoginRequest::new("m.login.password".to_owned());
        login.identifier = Some(identifier);
        login.password = Some(password.expose_secret().to_owned());
        login.refresh_token = Some(true);
        login.initial_device_display_name = Some("matrix-csapi example".to_owned());
        let response = client.login(login).await?;
        client.set_access_token(Some(AccessToken::new(response.access_token)));
        Ok(Session {
            client,
            refresh_token: response.refresh_token.map(SecretString::new),
            refresh_lifetime,
            expires_in: response.expires_in,
            refreshes: 0,
        })
    }

    /// Sends `request`; if the server answers that the access token has
    /// expired, refreshes it and sends `request` once more.
    pub async fn send<E: Endpoint>(
        &mut self,
        request: &E,
    ) -> Result<E::Response, SessionError<E::Error>> {
        match self.client.send(request).await {
            Err(error) if self.should_refresh(&error) => {
                self.refresh().await.map_err(SessionError::Refresh)?;
                self.client
                    .send(request)
                    .await
                    .map_err(SessionError::Request)
            }
            result => result.map_err(SessionError::Request),
        }
    }

    /// 401 `M_UNKNOWN_TOKEN` with `soft_logout: true` means the device is
    /// still logged in and only this access token is no longer valid: the
    /// case a refresh token is for.
    fn should_refresh<E>(&self, error: &Error<E>) -> bool {
        self.refresh_token.is_some()
            && error.matrix_error().is_some_and(|e| {
                e.status == 401 && *e.errcode() == ErrorCode::UnknownToken && e.is_soft_logout()
            })
    }

    /// Trades the refresh token for a new access token (and usually a new
    /// refresh token: the old one stops working once the new pair is used).
    pub async fn refresh(&mut self) -> Result<(), Error<Infallible>> {
        let Some(refresh_token) = &self.refresh_token else {
            return Ok(());
        };
        let mut request = RefreshRequest::new(refresh_token.expose_secret().to_owned());
        request.refresh_token_lifetime = self.refresh_lifetime;
        // `/refresh` is an operation without authentication: the client
        // never sends its (expired) access token with it.
        let response = self.client.refresh(request).await?;
        self.client
            .set_access_token(Some(AccessToken::new(response.access_token)));
        if let Some(new) = response.refresh_token {
            self.refresh_token = Some(SecretString::new(new));
        }
        self.expires_in = response.expires_in;
        self.refreshes += 1;
        Ok(())
    }

    /// How long the current access token lives (`None`: it does not expire).
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_in
    }

    /// How many times the access token has been refreshed.
    pub fn refreshes(&self) -> u32 {
        self.refreshes
    }
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

/// Logs in, says who the access token belongs to, waits until the token has
/// expired (at most ten minutes), and asks again through a refresh.
async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(user), Some(password)) = (args.next(), args.next(), args.next()) else {
        return Err("usage: refreshing_session <homeserver URL> <user> <password> [refresh lifetime in seconds]".into());
    };
    let refresh_lifetime = args
        .next()
        .map(|seconds| seconds.parse().map(Duration::from_secs))
        .transpose()?;

    let mut session = Session::login(
        BaseUrl::parse(&url)?,
        &user,
        SecretString::new(password),
        refresh_lifetime,
    )
    .await?;
    let owner = session.send(&GetTokenOwnerRequest::new()).await?;
    println!(
        "logged in as {} (device {:?})",
        owner.user_id, owner.device_id
    );

    match session.expires_in() {
        Some(lifetime) if lifetime <= Duration::from_secs(600) => {
            println!("the access token expires in {lifetime:?}; waiting for that");
            tokio::time::sleep(lifetime + Duration::from_secs(1)).await;
            let owner = session.send(&GetTokenOwnerRequest::new()).await?;
            println!(
                "still {} after {} refresh(es); the new token lives {:?}",
                owner.user_id,
                session.refreshes(),
                session.expires_in()
            );
        }
        Some(lifetime) => println!("the access token expires in {lifetime:?}; not waiting"),
        None => println!("the access token does not expire"),
    }
    Ok(())
}
