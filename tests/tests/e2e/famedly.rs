//! Famedly's `com.famedly.refresh_token_lifetime_ms` against the server that
//! implements it, Famedly's Synapse fork ([`synapse_famedly`]), through the
//! generated client: a lifetime shorter than the server's default
//! ([`REFRESH_TOKEN_LIFETIME`], 10 s), one longer, one above the fork's cap
//! ([`FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME`], 20 s), and none.
//!
//! The lifetimes are a few seconds, so the tests wait for real. Every check
//! stays [`MARGIN`] away from the moment the configured lifetimes say a
//! token dies (on loopback the fork is within about 50 ms of it), every wait
//! is bounded, and the independent cases run concurrently: the test takes
//! about the longest case, [`FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME`] +
//! [`MARGIN`].
//!
//! A refresh token is checked by refreshing with it and dropping the new
//! pair unused: Synapse retires a refresh token only once its successor's
//! access or refresh token is used, so the check can be repeated and leaves
//! the token's expiry alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e_support;

use std::convert::Infallible;
use std::time::{Duration, Instant};

use matrix_csapi::ErrorCode;
use matrix_csapi::refresh::{RefreshRequest, RefreshResponse};
use matrix_csapi::runtime::{Error, IntoHttpError};
use matrix_csapi::whoami::GetTokenOwnerRequest;
use matrix_csapi_session::{EndReason, MemoryStore, Session, SessionOptions};
use matrix_csapi_tests::synapse::{
    ACCESS_TOKEN_LIFETIME, FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME, Flavour, REFRESH_TOKEN_LIFETIME,
    Synapse, synapse_famedly,
};
use tokio::time::sleep_until;

use e2e_support::{assert_error, client, client_with_token, matrix_error, register};

/// How far every check stays from the moment a token dies.
const MARGIN: Duration = Duration::from_secs(3);
/// Shorter than the server's default.
const SHORT: Duration = Duration::from_secs(3);
/// Longer than the server's default, below the cap.
const LONG: Duration = Duration::from_secs(16);
/// Far above the cap.
const ABOVE_CAP: Duration = Duration::from_secs(3600);

/// The checks must tell the lifetimes apart: each one sees a token alive or
/// dead where the lifetime it could be confused with says the opposite.
const _: () = {
    let margin = MARGIN.as_millis();
    let default = REFRESH_TOKEN_LIFETIME.as_millis();
    let cap = FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME.as_millis();
    // SHORT is dead while a default token still lives.
    assert!(SHORT.as_millis() >= margin && SHORT.as_millis() + margin <= default - margin);
    // LONG still lives when a default token is dead, and is not capped.
    assert!(default + margin <= LONG.as_millis() - margin && LONG.as_millis() <= cap);
    // A capped token still lives when a default token is dead, and dies long
    // before what was asked for.
    assert!(default + margin <= cap - margin && cap + margin < ABOVE_CAP.as_millis() / 2);
};

/// Refreshes through the generated client, asking for `lifetime`.
async fn refresh(
    server: &Synapse,
    refresh_token: &str,
    lifetime: Option<Duration>,
) -> Result<RefreshResponse, Error<Infallible>> {
    let mut request = RefreshRequest::new(refresh_token.to_owned());
    request.refresh_token_lifetime = lifetime;
    client(server).refresh(request).await
}

/// A refresh token issued by `/refresh`, and when: the server counted its
/// lifetime from a moment between `sent` and `received`.
struct Issued {
    token: String,
    sent: Instant,
    received: Instant,
}

/// Registers a user asking for a refresh token and refreshes it once,
/// asking for `lifetime`.
async fn issue(server: &Synapse, prefix: &str, lifetime: Option<Duration>) -> Issued {
    let account = register(server, prefix, true).await;
    let first = account
        .refresh_token
        .expect("a refresh token at registration");
    let sent = Instant::now();
    let response = refresh(server, &first, lifetime)
        .await
        .unwrap_or_else(|error| {
            panic!("refreshing with a lifetime of {lifetime:?} failed: {error}")
        });
    let received = Instant::now();
    // The field is about the refresh token: the access token keeps the
    // server's lifetime, and works.
    let expires_in = response.expires_in.expect("an expiring access token");
    assert!(
        !expires_in.is_zero() && expires_in <= ACCESS_TOKEN_LIFETIME,
        "{expires_in:?}"
    );
    client_with_token(server, &response.access_token)
        .get_token_owner(GetTokenOwnerRequest::new())
        .await
        .unwrap();
    Issued {
        token: response.refresh_token.expect("a new refresh token"),
        sent,
        received,
    }
}

impl Issued {
    /// The token still refreshes [`MARGIN`] before `lifetime` runs out.
    async fn assert_alive_before(&self, server: &Synapse, lifetime: Duration) {
        sleep_until((self.sent + lifetime - MARGIN).into()).await;
        let checked = self.sent.elapsed();
        if let Err(error) = refresh(server, &self.token, None).await {
            panic!(
                "the refresh token failed {checked:?} after it was asked for, \
                 {MARGIN:?} before its lifetime of {lifetime:?}: {error}"
            );
        }
    }

    /// [`MARGIN`] after `lifetime` ran out the token is refused as expired:
    /// 403 `M_FORBIDDEN` (the message tells it from a superseded token).
    async fn assert_dead_after(&self, server: &Synapse, lifetime: Duration) {
        sleep_until((self.received + lifetime + MARGIN).into()).await;
        let error = matrix_error(refresh(server, &self.token, None).await, &[&self.token]);
        assert_error(&error, 403, ErrorCode::Forbidden, false);
        assert_eq!(
            error.message(),
            Some("The supplied refresh token has expired")
        );
    }
}

async fn shorter_than_the_default(server: &'static Synapse) {
    let issued = issue(server, "short", Some(SHORT)).await;
    issued.assert_alive_before(server, SHORT).await;
    issued.assert_dead_after(server, SHORT).await;
}

async fn longer_than_the_default(server: &'static Synapse) {
    let issued = issue(server, "long", Some(LONG)).await;
    issued.assert_alive_before(server, LONG).await;
    issued.assert_dead_after(server, LONG).await;
}

async fn above_the_cap(server: &'static Synapse) {
    let issued = issue(server, "capped", Some(ABOVE_CAP)).await;
    issued
        .assert_alive_before(server, FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME)
        .await;
    issued
        .assert_dead_after(server, FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME)
        .await;
}

async fn without_the_field(server: &'static Synapse) {
    let issued = issue(server, "default", None).await;
    issued
        .assert_alive_before(server, REFRESH_TOKEN_LIFETIME)
        .await;
    issued
        .assert_dead_after(server, REFRESH_TOKEN_LIFETIME)
        .await;
}

/// The four lifetimes, concurrently (each waits up to 23 s); every case is
/// reported, not only the first to fail.
#[tokio::test]
async fn refresh_token_lives_as_long_as_asked_capped_or_the_server_default() {
    let Some(guard) = synapse_famedly() else {
        return;
    };
    let server = guard.server();
    assert_eq!(server.flavour(), Flavour::Famedly);
    let cases = [
        (
            "a lifetime shorter than the default",
            tokio::spawn(shorter_than_the_default(server)),
        ),
        (
            "a lifetime longer than the default",
            tokio::spawn(longer_than_the_default(server)),
        ),
        (
            "a lifetime above famedly_maximum_refresh_token_lifetime",
            tokio::spawn(above_the_cap(server)),
        ),
        (
            "no lifetime: the server default",
            tokio::spawn(without_the_field(server)),
        ),
    ];
    let mut failed = Vec::new();
    for (case, task) in cases {
        if let Err(error) = task.await {
            failed.push(format!("{case}: {error}"));
        }
    }
    assert!(failed.is_empty(), "failed:\n{}", failed.join("\n"));
}

/// The smallest lifetime the client can express cannot give a token that
/// is already dead: the field's minimum (one second, from the overlay) is
/// checked when the request is built, so the fork's dead-on-arrival tokens
/// (0 to 2 ms on loopback) cannot be asked for; a token of the smallest
/// lifetime refreshes at once.
#[tokio::test]
async fn the_smallest_expressible_lifetime_gives_a_living_token() {
    let Some(server) = synapse_famedly() else {
        return;
    };
    for too_short in [
        Duration::ZERO,
        Duration::from_millis(2),
        Duration::from_millis(999),
    ] {
        let error = refresh(&server, "syr_not_sent", Some(too_short))
            .await
            .expect_err("refused before sending");
        assert!(
            matches!(
                error,
                Error::IntoHttp(IntoHttpError::OutOfRange {
                    name: "com.famedly.refresh_token_lifetime_ms",
                    min: Some(1000),
                    ..
                })
            ),
            "{too_short:?}: {error}"
        );
    }
    let smallest = Duration::from_secs(1);
    let issued = issue(&server, "smallest", Some(smallest)).await;
    if let Err(error) = refresh(&server, &issued.token, None).await {
        panic!(
            "a refresh token of the smallest lifetime ({smallest:?}) failed when used at once, {:?} after it was asked for: {error}",
            issued.sent.elapsed()
        );
    }
}

/// The library's session asks for its lifetime on every refresh: when the
/// refresh token it got dies before the access token it refreshes, the next
/// request ends the session with the server's "expired" error (upstream
/// Synapse, which ignores the field, would give the server's 10 s and
/// recover).
#[tokio::test]
async fn the_session_asks_for_its_lifetime_on_every_refresh() {
    let Some(server) = synapse_famedly() else {
        return;
    };
    let account = register(&server, "session", false).await;
    let options = SessionOptions::default()
        .with_refresh_token_lifetime(SHORT)
        .unwrap();
    let session = Session::login_with_password(
        client(&server),
        &account.user_id,
        &account.password.as_str().into(),
        options,
        MemoryStore::new(),
    )
    .await
    .unwrap();
    session.refresh().await.unwrap();
    let refreshed_at = Instant::now();
    let owner = session.send(&GetTokenOwnerRequest::new()).await.unwrap();
    assert_eq!(owner.user_id, account.user_id);

    // Both the access token and the refresh token it would be refreshed
    // with have expired.
    sleep_until((refreshed_at + SHORT.max(ACCESS_TOKEN_LIFETIME) + MARGIN).into()).await;
    let error = session
        .send(&GetTokenOwnerRequest::new())
        .await
        .expect_err("the refresh token has expired");
    let ended = error
        .login_required()
        .unwrap_or_else(|| panic!("expected the session to end, got {error}"));
    let EndReason::RefreshTokenRejected(matrix) = ended.reason() else {
        panic!("expected the refresh token to be rejected, got {ended}");
    };
    assert_eq!(matrix.status, 403);
    assert_eq!(matrix.errcode(), &ErrorCode::Forbidden);
    assert_eq!(
        matrix.message(),
        Some("The supplied refresh token has expired")
    );
    assert_eq!(session.refreshes(), 1);
}
