//! Helpers shared by the end-to-end test modules, all through the generated
//! client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::fmt::{Debug, Display};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use matrix_csapi::registration::{RegisterRequest, RegisterRequestBody};
use matrix_csapi::runtime::Error;
use matrix_csapi::types::AuthenticationDataDummy;
use matrix_csapi::{AccessToken, Client, ErrorCode, MatrixError, UserId};
use matrix_csapi_tests::synapse::Synapse;

/// A generated client for `server`, without an access token.
pub fn client(server: &Synapse) -> Client {
    Client::from(server.client())
}

/// A generated client for `server` that holds `access_token`.
pub fn client_with_token(server: &Synapse, access_token: &str) -> Client {
    let client = client(server);
    client.set_access_token(Some(AccessToken::new(access_token)));
    client
}

/// A user name no other test of this server uses.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}_{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A freshly registered account.
pub struct Account {
    pub user_id: UserId,
    pub device_id: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<Duration>,
}

/// Registers a new user with the `m.login.dummy` flow (the server needs no
/// verification), asking for a refresh token when `refresh` is set.
pub async fn register(server: &Synapse, prefix: &str, refresh: bool) -> Account {
    let username = unique_name(prefix);
    let password = format!("{username}-password");
    let mut body = RegisterRequestBody::new();
    body.auth = Some(AuthenticationDataDummy::new().into());
    body.username = Some(username.clone());
    body.password = Some(password.clone());
    body.refresh_token = Some(refresh);
    let response = client(server)
        .register(RegisterRequest::new(body))
        .await
        .unwrap_or_else(|error| panic!("registering {username} failed: {error}"));
    assert_eq!(
        response.user_id,
        format!("@{username}:{}", server.server_name())
    );
    Account {
        user_id: response.user_id,
        device_id: response
            .device_id
            .expect("a device ID (inhibit_login is not set)"),
        password,
        access_token: response
            .access_token
            .expect("an access token (inhibit_login is not set)"),
        refresh_token: response.refresh_token,
        expires_in: response.expires_in,
    }
}

/// Asserts that neither `Display` nor `Debug` (plain and pretty) of `value`
/// contains any of `secrets`.
pub fn assert_no_secrets<T: Debug + Display>(value: &T, secrets: &[&str]) {
    let printed = [
        format!("{value}"),
        format!("{value:?}"),
        format!("{value:#?}"),
    ];
    for secret in secrets {
        assert!(!secret.is_empty());
        for text in &printed {
            assert!(
                !text.contains(secret),
                "a token was printed (value shown with the token masked): {}",
                text.replace(secret, "<THE TOKEN>")
            );
        }
    }
}

/// The Matrix error of a failed call, checked to print none of `secrets`.
pub fn matrix_error<T: Debug>(
    result: Result<T, Error<Infallible>>,
    secrets: &[&str],
) -> MatrixError {
    let error = result.expect_err("the call should have failed");
    assert_no_secrets(&error, secrets);
    let matrix = error
        .matrix_error()
        .cloned()
        .unwrap_or_else(|| panic!("not a Matrix error: {error}"));
    assert_no_secrets(&matrix, secrets);
    matrix
}

/// Asserts the status, `errcode` and `soft_logout` of a Matrix error.
pub fn assert_error(error: &MatrixError, status: u16, errcode: ErrorCode, soft_logout: bool) {
    assert_eq!(error.status.as_u16(), status, "{error}");
    assert_eq!(error.errcode(), &errcode, "{error}");
    assert_eq!(error.is_soft_logout(), soft_logout, "{error}");
}
