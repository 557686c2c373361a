//! The generated refresh endpoint against a real Synapse: tokens issued at
//! registration, the refresh-token chain, expiry of access and refresh
//! tokens, and the typed errors Synapse answers with (which never print a
//! token).
//!
//! The server's refreshable access tokens live
//! [`ACCESS_TOKEN_LIFETIME`] (5 s) and its refresh tokens
//! [`REFRESH_TOKEN_LIFETIME`] (10 s), so the expiry tests wait for real, with
//! bounded waits.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e_support;

/// `examples/refreshing_session.rs` (its `main` is the example's command
/// line; `keep_alive` is what it does).
#[allow(dead_code)]
#[path = "../../examples/refreshing_session.rs"]
mod example;

use std::convert::Infallible;
use std::time::{Duration, Instant};

use matrix_csapi::ErrorCode;
use matrix_csapi::refresh::{RefreshRequest, RefreshResponse};
use matrix_csapi::runtime::Error;
use matrix_csapi::whoami::{GetTokenOwnerRequest, GetTokenOwnerResponse};
use matrix_csapi_tests::synapse::{
    ACCESS_TOKEN_LIFETIME, REFRESH_TOKEN_LIFETIME, Synapse, synapse,
};

use e2e_support::{Account, assert_error, client_with_token, matrix_error, register};

/// Refreshes `refresh_token` through the generated client. The client holds
/// an access token, which `/refresh` must never send (the loopback tests in
/// `refresh_client.rs` check the wire; here Synapse must simply accept it).
async fn refresh(
    server: &Synapse,
    refresh_token: &str,
    lifetime: Option<Duration>,
) -> Result<RefreshResponse, Error<Infallible>> {
    let client = client_with_token(server, "syt_an_access_token_the_client_holds");
    let mut request = RefreshRequest::new(refresh_token.to_owned());
    request.refresh_token_lifetime = lifetime;
    client.refresh(request).await
}

async fn whoami(
    server: &Synapse,
    access_token: &str,
) -> Result<GetTokenOwnerResponse, Error<Infallible>> {
    client_with_token(server, access_token)
        .get_token_owner(GetTokenOwnerRequest::new())
        .await
}

fn assert_refreshable_lifetime(expires_in: Option<Duration>) {
    let expires_in = expires_in.expect("an expiring access token");
    assert!(
        !expires_in.is_zero() && expires_in <= ACCESS_TOKEN_LIFETIME,
        "{expires_in:?}"
    );
}

async fn refreshable_account(server: &Synapse, prefix: &str) -> (Account, String) {
    let account = register(server, prefix, true).await;
    let refresh_token = account
        .refresh_token
        .clone()
        .expect("a refresh token (asked for at registration)");
    (account, refresh_token)
}

#[tokio::test]
async fn registration_with_refresh_token_gives_an_expiring_access_token() {
    let Some(server) = synapse() else { return };
    let (account, refresh_token) = refreshable_account(&server, "reg").await;
    assert!(refresh_token.starts_with("syr_"));
    assert_refreshable_lifetime(account.expires_in);
    let owner = whoami(&server, &account.access_token).await.unwrap();
    assert_eq!(owner.user_id, account.user_id);
}

#[tokio::test]
async fn refresh_returns_a_new_working_pair_for_the_same_device() {
    let Some(server) = synapse() else { return };
    let (account, refresh_token) = refreshable_account(&server, "pair").await;

    let response = refresh(&server, &refresh_token, None).await.unwrap();
    assert_ne!(response.access_token, account.access_token);
    let new_refresh_token = response.refresh_token.clone().expect("a new refresh token");
    assert_ne!(new_refresh_token, refresh_token);
    assert_refreshable_lifetime(response.expires_in);
    let printed = format!("{response:?}");
    assert!(!printed.contains(&response.access_token) && !printed.contains(&new_refresh_token));

    let owner = whoami(&server, &response.access_token).await.unwrap();
    assert_eq!(owner.user_id, account.user_id);
    assert_eq!(owner.device_id.as_deref(), Some(account.device_id.as_str()));

    // And the new refresh token continues the chain.
    let next = refresh(&server, &new_refresh_token, None).await.unwrap();
    whoami(&server, &next.access_token).await.unwrap();
}

#[tokio::test]
async fn refresh_with_the_famedly_lifetime_is_accepted_by_upstream_synapse() {
    let Some(server) = synapse() else { return };
    let (account, refresh_token) = refreshable_account(&server, "famedly").await;
    let response = refresh(&server, &refresh_token, Some(Duration::from_secs(3600)))
        .await
        .unwrap();
    // The field is about the refresh token; the access token keeps the
    // server's lifetime.
    assert_refreshable_lifetime(response.expires_in);
    assert!(response.refresh_token.is_some());
    let owner = whoami(&server, &response.access_token).await.unwrap();
    assert_eq!(owner.user_id, account.user_id);
}

#[tokio::test]
async fn old_refresh_token_works_until_the_new_access_token_is_used() {
    let Some(server) = synapse() else { return };
    let (_, rt0) = refreshable_account(&server, "chain").await;

    let first = refresh(&server, &rt0, None).await.unwrap();
    let rt1 = first.refresh_token.clone().unwrap();

    // The new access token is unused: the old refresh token still works
    // (e.g. the client lost the first answer), and Synapse drops the pair it
    // replaces.
    let second = refresh(&server, &rt0, None).await.unwrap();
    let rt1b = second.refresh_token.clone().unwrap();
    assert_ne!(rt1b, rt1);
    let error = matrix_error(refresh(&server, &rt1, None).await, &[&rt1]);
    assert_error(&error, 401, ErrorCode::UnknownToken, false);

    // Using the new access token revokes the old refresh token.
    whoami(&server, &second.access_token).await.unwrap();
    let error = matrix_error(refresh(&server, &rt0, None).await, &[&rt0]);
    assert_error(&error, 403, ErrorCode::Forbidden, false);

    // The chain goes on; Synapse keeps only the last two refresh tokens, so
    // the first one is now unknown.
    let third = refresh(&server, &rt1b, None).await.unwrap();
    whoami(&server, &third.access_token).await.unwrap();
    let error = matrix_error(refresh(&server, &rt0, None).await, &[&rt0]);
    assert_error(&error, 401, ErrorCode::UnknownToken, false);
}

#[tokio::test]
async fn never_issued_refresh_token_is_unknown() {
    let Some(server) = synapse() else { return };
    let token = "syr_bm90aGluZw_NeverIssuedByThisServer_0abcde";
    let error = matrix_error(refresh(&server, token, None).await, &[token]);
    assert_error(&error, 401, ErrorCode::UnknownToken, false);
}

#[tokio::test]
async fn expired_access_token_is_a_soft_logout_and_refresh_recovers() {
    let Some(server) = synapse() else { return };
    let (account, refresh_token) = refreshable_account(&server, "expiry").await;

    // Poll until the access token expires: after ACCESS_TOKEN_LIFETIME, but
    // wait at most 10 s longer.
    let deadline = Instant::now() + ACCESS_TOKEN_LIFETIME + Duration::from_secs(10);
    let error = loop {
        match whoami(&server, &account.access_token).await {
            Ok(owner) => assert_eq!(owner.user_id, account.user_id),
            Err(error) => break error,
        }
        assert!(Instant::now() < deadline, "the access token did not expire");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let error = matrix_error::<()>(Err(error), &[&account.access_token]);
    assert_error(&error, 401, ErrorCode::UnknownToken, true);

    // Soft logout: the refresh token (10 s) still gets a new session token.
    let response = refresh(&server, &refresh_token, None).await.unwrap();
    let owner = whoami(&server, &response.access_token).await.unwrap();
    assert_eq!(owner.user_id, account.user_id);
    assert_eq!(owner.device_id.as_deref(), Some(account.device_id.as_str()));
}

#[tokio::test]
async fn expired_refresh_token_is_forbidden_even_with_a_longer_famedly_lifetime() {
    let Some(server) = synapse() else { return };
    let (_, rt0) = refreshable_account(&server, "rtexpiry").await;
    // Upstream Synapse ignores the Famedly field: the new refresh token gets
    // the server's lifetime, not the hour asked for.
    let response = refresh(&server, &rt0, Some(Duration::from_secs(3600)))
        .await
        .unwrap();
    let refreshed_at = Instant::now();
    let rt1 = response.refresh_token.unwrap();

    tokio::time::sleep_until(
        (refreshed_at + REFRESH_TOKEN_LIFETIME + Duration::from_millis(500)).into(),
    )
    .await;
    let error = matrix_error(refresh(&server, &rt1, None).await, &[&rt1]);
    assert_error(&error, 403, ErrorCode::Forbidden, false);
    assert_eq!(
        error.message(),
        Some("The supplied refresh token has expired")
    );
}

#[tokio::test]
async fn the_example_keeps_its_session_alive_across_an_expiry() {
    let Some(server) = synapse() else { return };
    let account = register(&server, "example", false).await;
    let outcome = example::keep_alive(
        server.base_url().clone(),
        &account.user_id,
        &account.password.as_str().into(),
        Some(Duration::from_secs(3600)),
    )
    .await
    .unwrap();
    assert_refreshable_lifetime(outcome.expires_in);
    // Asked before and after the first access token expired.
    assert_eq!(outcome.user_ids, vec![account.user_id.clone(); 2]);
    assert_eq!(outcome.refreshes, 1, "one refresh across the expiry");
}
