//! The session's state machine where no real homeserver is needed: a
//! scripted HTTP server on 127.0.0.1 answers each connection in turn, and
//! records what the session sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::time::{Duration, SystemTime};

use matrix_csapi::runtime::{AccessToken, SecretString};
use matrix_csapi::whoami::GetTokenOwnerRequest;
use matrix_csapi::{Client, UserId};
use matrix_csapi_session::{
    EndReason, MemoryStore, RefreshError, RefreshFailure, Session, SessionError, SessionOptions,
    StoredSession,
};
use matrix_csapi_tests::{LoopbackServer, ScriptedResponse};
use serde_json::json;

const ACCESS: &str = "syt_loopback_access_secret";
const REFRESH: &str = "syr_loopback_refresh_secret";
const NEW_ACCESS: &str = "syt_loopback_new_access_secret";
const NEW_REFRESH: &str = "syr_loopback_new_refresh_secret";
const SECRETS: [&str; 4] = [ACCESS, REFRESH, NEW_ACCESS, NEW_REFRESH];

fn options() -> SessionOptions {
    SessionOptions::default().with_backoff(Duration::from_millis(10), Duration::from_millis(50))
}

/// A session on `server`; `due` makes the session believe its token is
/// past expiry, so the first request refreshes first.
async fn start_session(
    url: &str,
    due: bool,
    refresh_token: bool,
    options: SessionOptions,
) -> (Session<MemoryStore>, MemoryStore) {
    let mut stored = StoredSession::new(
        url,
        "@alice:localhost",
        "DEVICE",
        AccessToken::new(ACCESS),
        refresh_token.then(|| SecretString::new(REFRESH)),
        Some(Duration::from_secs(300)),
    );
    if due {
        stored.issued_at = SystemTime::now() - Duration::from_secs(600);
    }
    let store = MemoryStore::new();
    use matrix_csapi_session::SessionStore;
    store.save(&stored).await.unwrap();
    let client = Client::from(matrix_csapi::runtime::Client::with_http_client(
        matrix_csapi::BaseUrl::parse(url).unwrap(),
        matrix_csapi::runtime::reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    ));
    let session = Session::restore(client, stored, options, store.clone()).unwrap();
    (session, store)
}

fn whoami_ok() -> ScriptedResponse {
    ScriptedResponse::json(200, &json!({"user_id": "@alice:localhost"}))
}

fn refreshed() -> ScriptedResponse {
    ScriptedResponse::json(
        200,
        &json!({"access_token": NEW_ACCESS, "refresh_token": NEW_REFRESH, "expires_in_ms": 300000}),
    )
}

fn unknown_token(soft_logout: bool) -> ScriptedResponse {
    ScriptedResponse::json(
        401,
        &json!({"errcode": "M_UNKNOWN_TOKEN", "error": "Access token has expired", "soft_logout": soft_logout}),
    )
}

async fn whoami(session: &Session<MemoryStore>) -> Result<UserId, SessionError<Infallible>> {
    Ok(session.send(&GetTokenOwnerRequest::new()).await?.user_id)
}

fn assert_no_secrets<T: std::fmt::Debug + std::fmt::Display>(value: &T) {
    let printed = format!("{value} {value:?} {value:#?}");
    for secret in SECRETS {
        assert!(!printed.contains(secret), "a token was printed: {printed}");
    }
}

fn bearer(server: &LoopbackServer, index: usize) -> String {
    server.requests()[index]
        .header("authorization")
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_401_refreshes_and_sends_the_request_once_more_with_the_new_token() {
    let server = LoopbackServer::start(vec![unknown_token(true), refreshed(), whoami_ok()])
        .await
        .unwrap();
    let (session, store) = start_session(&server.url(), false, true, options()).await;
    assert_eq!(whoami(&session).await.unwrap(), "@alice:localhost");

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(bearer(&server, 0), format!("Bearer {ACCESS}"));
    assert!(requests[1].path().ends_with("/refresh"));
    assert_eq!(
        requests[1].header("authorization"),
        None,
        "/refresh sends no access token"
    );
    assert_eq!(
        requests[1].body_json().unwrap(),
        json!({"refresh_token": REFRESH})
    );
    assert_eq!(bearer(&server, 2), format!("Bearer {NEW_ACCESS}"));
    let stored = store.get().unwrap();
    assert_eq!(stored.access_token.expose_secret(), NEW_ACCESS);
    assert_eq!(stored.refresh_token.unwrap().expose_secret(), NEW_REFRESH);
}

#[tokio::test]
async fn a_second_401_after_the_refresh_is_returned_not_looped_on() {
    let server = LoopbackServer::start(vec![unknown_token(true), refreshed(), unknown_token(true)])
        .await
        .unwrap();
    let (session, _) = start_session(&server.url(), false, true, options()).await;
    let error = whoami(&session).await.unwrap_err();
    let matrix = error.matrix_error().expect("the request's own 401");
    assert_eq!(matrix.status, 401);
    assert_no_secrets(&error);
    assert_eq!(server.requests().len(), 3, "one refresh, one resend");
    assert!(session.ended().is_none());
}

#[tokio::test]
async fn a_proactive_refresh_happens_before_the_request() {
    let server = LoopbackServer::start(vec![refreshed(), whoami_ok()])
        .await
        .unwrap();
    let (session, _) = start_session(&server.url(), true, true, options()).await;
    assert_eq!(session.refresh_due_in(), Some(Duration::ZERO));
    assert_eq!(whoami(&session).await.unwrap(), "@alice:localhost");
    assert!(server.requests()[0].path().ends_with("/refresh"));
    assert_eq!(bearer(&server, 1), format!("Bearer {NEW_ACCESS}"));
    // 300 s tokens are due 60 s before they expire.
    let due_in = session.refresh_due_in().unwrap();
    assert!(
        due_in > Duration::from_secs(200) && due_in <= Duration::from_secs(240),
        "{due_in:?}"
    );
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times_and_shared_by_all_waiters() {
    let server = LoopbackServer::start(vec![
        ScriptedResponse::status(503),
        ScriptedResponse::raw(""), // connection closed without an answer
        ScriptedResponse::json(502, &json!({"errcode": "M_UNKNOWN"})),
    ])
    .await
    .unwrap();
    let (session, store) = start_session(
        &server.url(),
        true,
        true,
        options().with_refresh_attempts(3),
    )
    .await;
    let stored = store.get();

    let results: Vec<_> = {
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let session = session.clone();
                tokio::spawn(async move { whoami(&session).await })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    };
    // One refresh failed, and every waiter got that very failure (the
    // same shared error: the last attempt's 502), not one of its own.
    let mut shared = None;
    for result in &results {
        match result {
            Err(SessionError::Refresh(RefreshError::Failed {
                attempts: 3,
                last: RefreshFailure::Response(last),
            })) => {
                assert_eq!(last.status().map(|s| s.as_u16()), Some(502), "{last}");
                let first = shared.get_or_insert_with(|| std::sync::Arc::clone(last));
                assert!(std::sync::Arc::ptr_eq(first, last), "a failure of its own");
            }
            other => panic!("expected the shared failure, got {other:?}"),
        }
        assert_no_secrets(result.as_ref().unwrap_err());
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "three attempts");
    assert!(
        requests
            .iter()
            .all(|r| r.body_json().unwrap() == json!({"refresh_token": REFRESH}))
    );
    assert_eq!(store.get(), stored, "nothing stored");
    assert!(
        session.ended().is_none(),
        "a failed refresh does not end the session"
    );
}

#[tokio::test]
async fn a_client_error_on_refresh_is_not_retried() {
    let server = LoopbackServer::start(vec![ScriptedResponse::json(
        400,
        &json!({"errcode": "M_INVALID_PARAM", "error": "bad lifetime"}),
    )])
    .await
    .unwrap();
    let (session, _) = start_session(&server.url(), true, true, options()).await;
    match whoami(&session).await {
        Err(SessionError::Refresh(RefreshError::Failed { attempts: 1, .. })) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_long_retry_after_fails_at_once_and_a_token_not_yet_expired_is_still_used() {
    let server = LoopbackServer::start(vec![
        ScriptedResponse::json(
            429,
            &json!({"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 120000}),
        ),
        whoami_ok(),
    ])
    .await
    .unwrap();
    // Due (within the margin) but not expired: issued 250 s ago of 300.
    let (session, _) = start_session(&server.url(), false, true, options()).await;
    let mut stored = session.stored();
    stored.issued_at = SystemTime::now() - Duration::from_secs(250);
    let session = Session::restore(
        session.client().clone(),
        stored,
        options(),
        MemoryStore::new(),
    )
    .unwrap();
    assert_eq!(whoami(&session).await.unwrap(), "@alice:localhost");
    let requests = server.requests();
    assert!(requests[0].path().ends_with("/refresh"));
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Bearer {ACCESS}").as_str())
    );

    // Asked directly, the failure is reported.
    let server = LoopbackServer::start(vec![ScriptedResponse::json(
        429,
        &json!({"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 120000}),
    )])
    .await
    .unwrap();
    let (session, _) = start_session(&server.url(), false, true, options()).await;
    match session.refresh().await {
        Err(SessionError::Refresh(RefreshError::RateLimited { retry_after })) => {
            assert_eq!(retry_after, Duration::from_secs(120));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn attempts_that_time_out_are_retried_then_reported() {
    // A listener that never accepts: connections complete in the kernel's
    // backlog and the requests are never answered.
    let silent = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let (session, _) = start_session(
        &url,
        true,
        true,
        options()
            .with_refresh_attempts(2)
            .with_attempt_timeout(Duration::from_millis(200)),
    )
    .await;
    match session.refresh().await {
        Err(SessionError::Refresh(RefreshError::Failed { attempts: 2, last })) => {
            assert!(
                matches!(
                    last,
                    RefreshFailure::TimedOut(_) | RefreshFailure::Response(_)
                ),
                "{last}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_rejected_refresh_token_ends_the_session_and_clears_the_store() {
    let server = LoopbackServer::start(vec![ScriptedResponse::json(
        403,
        &json!({"errcode": "M_FORBIDDEN", "error": "The supplied refresh token has expired"}),
    )])
    .await
    .unwrap();
    let (session, store) = start_session(&server.url(), true, true, options()).await;
    let error = whoami(&session).await.unwrap_err();
    let ended = error.login_required().expect("log in again");
    assert!(matches!(ended.reason(), EndReason::RefreshTokenRejected(e) if e.status == 403));
    assert!(error.to_string().starts_with("log in again"), "{error}");
    assert_no_secrets(&error);
    assert_eq!(store.get(), None);
    // Nothing more is sent.
    assert!(
        whoami(&session)
            .await
            .unwrap_err()
            .login_required()
            .is_some()
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn without_a_refresh_token_an_expired_access_token_ends_the_session() {
    let server = LoopbackServer::start(vec![unknown_token(true)])
        .await
        .unwrap();
    let (session, store) = start_session(&server.url(), false, false, options()).await;
    let error = whoami(&session).await.unwrap_err();
    assert!(matches!(
        error.login_required().map(|e| e.reason()),
        Some(EndReason::AccessTokenRejected(_))
    ));
    assert_eq!(store.get(), None);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
    let server = LoopbackServer::start(vec![
        ScriptedResponse::json(200, &json!({"access_token": NEW_ACCESS})),
        ScriptedResponse::json(200, &json!({"access_token": ACCESS})),
    ])
    .await
    .unwrap();
    let (session, store) = start_session(&server.url(), false, true, options()).await;
    session.refresh().await.unwrap();
    let stored = store.get().unwrap();
    assert_eq!(stored.refresh_token.unwrap().expose_secret(), REFRESH);
    // No expiry given: it does not expire, so nothing is ever due.
    assert_eq!(stored.expires_in, None);
    assert_eq!(session.refresh_due_in(), None);
    session.refresh().await.unwrap();
    assert_eq!(
        server.requests()[1].body_json().unwrap(),
        json!({"refresh_token": REFRESH})
    );
}
