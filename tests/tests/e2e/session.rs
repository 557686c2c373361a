//! `matrix-csapi-session` against a real Synapse (5 s access tokens, 10 s
//! refresh tokens) through a fault-injecting proxy that counts `/refresh`
//! requests: single flight under concurrency, a 30 s session, restore after
//! a restart, a failing store, lost and rate-limited refreshes, revoked
//! refresh tokens, logout, and Famedly's lifetime on the wire.
//!
//! The tests wait for real expiries; they run concurrently (each has its
//! own proxy and account), so together they take about as long as the
//! longest (the 30 s one).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use matrix_csapi::runtime::{AccessToken, ErrorCode, SecretString, reqwest};
use matrix_csapi::whoami::GetTokenOwnerRequest;
use matrix_csapi::{BaseUrl, Client, UserId};
use matrix_csapi_session::{
    EndReason, FileStore, MemoryStore, RefreshError, Session, SessionError, SessionOptions,
    SessionStore, StoreError, StoredSession,
};
use matrix_csapi_tests::ScriptedResponse;
use matrix_csapi_tests::fault_proxy::{Fault, FaultProxy};
use matrix_csapi_tests::synapse::{ACCESS_TOKEN_LIFETIME, Synapse, synapse};

use e2e_support::{Account, assert_no_secrets, client_with_token, register};

const FAMEDLY_LIFETIME_KEY: &str = "com.famedly.refresh_token_lifetime_ms";

/// A generated client for the proxy, bounded like the e2e clients.
fn client(proxy: &FaultProxy) -> Client {
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    Client::from(matrix_csapi::runtime::Client::with_http_client(
        BaseUrl::parse(&proxy.url()).unwrap(),
        http,
    ))
}

/// Quick retries: the tests' faults are on loopback.
fn options() -> SessionOptions {
    SessionOptions::default().with_backoff(Duration::from_millis(50), Duration::from_millis(500))
}

/// A registered account with a refresh token; when it was registered
/// (before the request left, so never later than the server's clock: the
/// session's idea of the expiry is early, never late); and when the answer
/// arrived (the server issued the access token before, so it is dead
/// [`ACCESS_TOKEN_LIFETIME`] later however long the server took).
async fn refreshable_account(server: &Synapse, prefix: &str) -> (Account, SystemTime, Instant) {
    let issued_at = SystemTime::now();
    let account = register(server, prefix, true).await;
    let answered = Instant::now();
    assert!(account.refresh_token.is_some() && account.expires_in.is_some());
    (account, issued_at, answered)
}

fn stored(proxy: &FaultProxy, account: &Account, issued_at: SystemTime) -> StoredSession {
    let mut stored = StoredSession::new(
        proxy.url(),
        account.user_id.clone(),
        account.device_id.clone(),
        AccessToken::new(account.access_token.clone()),
        account.refresh_token.clone().map(SecretString::new),
        account.expires_in,
    );
    stored.issued_at = issued_at;
    stored
}

/// A store that records what it is told, and fails the next saves when
/// asked to.
#[derive(Clone, Default)]
struct RecordingStore {
    memory: MemoryStore,
    failing_saves: Arc<AtomicU32>,
    saves: Arc<AtomicU32>,
    clears: Arc<Mutex<Vec<EndReason>>>,
}

#[derive(Debug)]
struct DiskFull;

impl std::fmt::Display for DiskFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("disk full (simulated)")
    }
}

impl std::error::Error for DiskFull {}

impl RecordingStore {
    async fn holding(stored: &StoredSession) -> Self {
        let store = Self::default();
        store.memory.save(stored).await.unwrap();
        store
    }

    fn stored(&self) -> Option<StoredSession> {
        self.memory.get()
    }

    fn clears(&self) -> Vec<EndReason> {
        self.clears.lock().unwrap().clone()
    }
}

impl SessionStore for RecordingStore {
    async fn save(&self, session: &StoredSession) -> Result<(), StoreError> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        let failing = self
            .failing_saves
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            return Err(DiskFull.into());
        }
        self.memory.save(session).await
    }

    async fn clear(&self, reason: &EndReason) -> Result<(), StoreError> {
        self.clears.lock().unwrap().push(reason.clone());
        self.memory.clear(reason).await
    }
}

async fn whoami<S: SessionStore>(
    session: &Session<S>,
) -> Result<UserId, SessionError<std::convert::Infallible>> {
    Ok(session.send(&GetTokenOwnerRequest::new()).await?.user_id)
}

/// The refresh token sent in each `/refresh` the proxy received.
fn refresh_tokens_sent(proxy: &FaultProxy) -> Vec<String> {
    proxy
        .refresh_requests()
        .iter()
        .map(|request| {
            request.body_json().unwrap()["refresh_token"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// 50 requests at once, just past the access token's expiry.
async fn fifty_requests_after_expiry(proactive: bool) {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let (account, issued_at, answered) =
        refreshable_account(&server, if proactive { "fifty_pro" } else { "fifty_re" }).await;
    let mut stored = stored(&proxy, &account, issued_at);
    if !proactive {
        // Without a known expiry, only the server's 401 can start a refresh.
        stored.expires_in = None;
    }
    let store = RecordingStore::holding(&stored).await;
    let session = Session::restore(client(&proxy), stored, options(), store.clone()).unwrap();
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);

    tokio::time::sleep_until(
        (answered + ACCESS_TOKEN_LIFETIME + Duration::from_millis(300)).into(),
    )
    .await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { whoami(&session).await })
        })
        .collect();
    let mut failed = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(user_id) => assert_eq!(user_id, account.user_id),
            Err(error) => failed.push(error.to_string()),
        }
    }
    assert_eq!(failed, Vec::<String>::new(), "failed requests");
    assert_eq!(proxy.refreshes(), 1, "exactly one /refresh");
    assert_eq!(session.refreshes(), 1);
    assert_eq!(
        store.stored(),
        Some(session.stored()),
        "the new tokens are stored"
    );
    eprintln!(
        "50 concurrent requests after expiry ({}): {} refresh(es), {} failed, {} requests at the proxy",
        if proactive { "proactive" } else { "reactive" },
        proxy.refreshes(),
        failed.len(),
        proxy.requests()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_across_an_expiry_refresh_once_proactively() {
    fifty_requests_after_expiry(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_across_an_expiry_refresh_once_on_401() {
    fifty_requests_after_expiry(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_running_30_s_on_5_s_tokens_never_fails_a_request() {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let (account, issued_at, _) = refreshable_account(&server, "thirty").await;
    let stored = stored(&proxy, &account, issued_at);
    let store = RecordingStore::holding(&stored).await;
    let session = Session::restore(client(&proxy), stored, options(), store.clone()).unwrap();

    let started = Instant::now();
    let (mut sent, mut failed) = (0u32, Vec::new());
    // Bounded by time (30 s) and, with 100 ms between rounds, in count.
    while started.elapsed() < Duration::from_secs(30) {
        // Through `send`, through a generated method, and two at once.
        let (a, b, c) = tokio::join!(
            whoami(&session),
            session.call(|client| async move {
                client
                    .get_token_owner(GetTokenOwnerRequest::new())
                    .await
                    .map(|owner| owner.user_id)
            }),
            whoami(&session),
        );
        for result in [a, b, c] {
            sent += 1;
            match result {
                Ok(user_id) => assert_eq!(user_id, account.user_id),
                Err(error) => failed.push(format!("{:?}: {error}", started.elapsed())),
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failed, Vec::<String>::new(), "failed requests");
    // 30 s of 5 s access tokens cannot be covered with fewer than 5
    // refreshes; each one reached the proxy exactly once.
    assert!(
        session.refreshes() >= 5,
        "{} refreshes",
        session.refreshes()
    );
    assert_eq!(proxy.refreshes() as u64, session.refreshes());
    assert_eq!(store.stored(), Some(session.stored()));
    eprintln!(
        "30 s session: {sent} requests, {} failed, {} refreshes",
        failed.len(),
        session.refreshes()
    );
}

#[tokio::test]
async fn a_session_is_restored_from_its_file_after_a_restart() {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let account = register(&server, "restore", false).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");

    let session = Session::login_with_password(
        client(&proxy),
        &account.user_id,
        &SecretString::new(account.password.clone()),
        options(),
        FileStore::new(&path),
    )
    .await
    .unwrap();
    // The access token was issued before its answer arrived.
    let logged_in = Instant::now();
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);
    let first = FileStore::new(&path).load().await.unwrap().unwrap();
    assert_eq!(first, session.stored());
    drop(session); // The process ends.

    // A new process, after the stored access token expired.
    tokio::time::sleep_until(
        (logged_in + ACCESS_TOKEN_LIFETIME + Duration::from_millis(300)).into(),
    )
    .await;
    let stored = FileStore::new(&path).load().await.unwrap().unwrap();
    let session =
        Session::restore(client(&proxy), stored, options(), FileStore::new(&path)).unwrap();
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);
    assert_eq!(session.refreshes(), 1);
    let second = FileStore::new(&path).load().await.unwrap().unwrap();
    assert_eq!(second, session.stored(), "refreshed tokens are stored");
    assert_ne!(second.refresh_token, first.refresh_token);
    drop(session);

    // The first refresh token is dead now (its successor was used), so the
    // next process can only go on with what the store holds.
    let stale = matrix_csapi::refresh::RefreshRequest::new(
        first.refresh_token.unwrap().expose_secret().to_owned(),
    );
    let error = e2e_support::client(&server)
        .refresh(stale)
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403), "{error}");
    let stored = FileStore::new(&path).load().await.unwrap().unwrap();
    let session =
        Session::restore(client(&proxy), stored, options(), FileStore::new(&path)).unwrap();
    session.refresh().await.unwrap();
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);
    assert_eq!(proxy.refreshes(), 2);
}

#[tokio::test]
async fn a_failing_store_keeps_the_old_tokens_and_every_waiter_gets_its_error_once() {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let (account, _, _) = refreshable_account(&server, "store").await;
    // Issued long ago as far as the session knows: every request refreshes
    // first (the server's token is still valid).
    let stored = stored(
        &proxy,
        &account,
        SystemTime::now() - Duration::from_secs(60),
    );
    let store = RecordingStore::holding(&stored).await;
    store.failing_saves.store(1, Ordering::SeqCst);
    let session =
        Session::restore(client(&proxy), stored.clone(), options(), store.clone()).unwrap();

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
    for result in &results {
        match result {
            Err(SessionError::Refresh(RefreshError::Store(error))) => {
                assert_eq!(error.to_string(), "disk full (simulated)");
            }
            other => panic!("expected the store's error, got {other:?}"),
        }
        let error = result.as_ref().unwrap_err();
        assert_no_secrets(
            error,
            &[
                &account.access_token,
                account.refresh_token.as_deref().unwrap(),
            ],
        );
    }
    assert_eq!(proxy.refreshes(), 1, "one refresh for all ten requests");
    assert_eq!(
        session.stored().access_token,
        stored.access_token,
        "new tokens unused"
    );
    assert_eq!(store.stored(), Some(stored.clone()));

    // The old refresh token is still valid: the next request refreshes
    // again, stores, and succeeds.
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);
    assert_eq!(proxy.refreshes(), 2);
    assert_eq!(
        refresh_tokens_sent(&proxy),
        vec![account.refresh_token.clone().unwrap(); 2]
    );
    assert_eq!(store.stored(), Some(session.stored()));
    assert_ne!(session.stored().access_token, stored.access_token);
}

#[tokio::test]
async fn a_lost_refresh_response_is_retried_with_the_same_refresh_token() {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let (account, issued_at, _) = refreshable_account(&server, "lost").await;
    let stored = stored(&proxy, &account, issued_at);
    let session = Session::restore(client(&proxy), stored, options(), MemoryStore::new()).unwrap();

    // Synapse processes the first /refresh, its answer is lost (reset).
    proxy.push_faults([Fault::LoseResponse]);
    session.refresh().await.unwrap();
    assert_eq!(proxy.refreshes(), 2);
    assert_eq!(proxy.refreshes_forwarded(), 2, "the server saw both");
    assert_eq!(
        refresh_tokens_sent(&proxy),
        vec![account.refresh_token.clone().unwrap(); 2]
    );
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);

    // The chain goes on from the second answer.
    session.refresh().await.unwrap();
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);
    assert_eq!(session.refreshes(), 2);
}

#[tokio::test]
async fn transient_refresh_failures_are_retried_with_the_same_refresh_token() {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let (account, issued_at, _) = refreshable_account(&server, "transient").await;
    let stored = stored(&proxy, &account, issued_at);
    let patient = options()
        .with_refresh_attempts(6)
        .with_attempt_timeout(Duration::from_millis(500));
    let session = Session::restore(client(&proxy), stored, patient, MemoryStore::new()).unwrap();

    proxy.push_faults([
        Fault::Replace(ScriptedResponse::json(
            502,
            &serde_json::json!({"errcode": "M_UNKNOWN", "error": "bad gateway"}),
        )),
        Fault::Replace(ScriptedResponse::status(503).body("<html>down</html>")),
        Fault::Drop,
        // Processed by the server, answered too late.
        Fault::Delay(Duration::from_secs(2)),
        Fault::LoseResponse,
    ]);
    session.refresh().await.unwrap();
    assert_eq!(proxy.refreshes(), 6);
    assert_eq!(
        refresh_tokens_sent(&proxy),
        vec![account.refresh_token.clone().unwrap(); 6]
    );
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);
}

#[tokio::test]
async fn a_429_on_refresh_waits_for_retry_after_then_retries() {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let (account, issued_at, _) = refreshable_account(&server, "limited").await;
    let stored = stored(&proxy, &account, issued_at);
    let session = Session::restore(client(&proxy), stored, options(), MemoryStore::new()).unwrap();
    let rate_limited = |seconds: u64| {
        ScriptedResponse::json(
            429,
            &serde_json::json!({"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": seconds * 1000}),
        )
        .header("Retry-After", &seconds.to_string())
    };

    proxy.push_faults([Fault::Replace(rate_limited(1))]);
    session.refresh().await.unwrap();
    assert_eq!((proxy.refreshes(), proxy.refreshes_forwarded()), (2, 1));
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);

    // Longer than the session waits: the refresh fails at once, and the
    // access token, which has not expired, keeps working.
    proxy.push_faults([Fault::Replace(rate_limited(3600))]);
    match session.refresh().await {
        Err(SessionError::Refresh(RefreshError::RateLimited { retry_after })) => {
            assert_eq!(retry_after, Duration::from_secs(3600));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(proxy.refreshes(), 3);
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);
}

#[tokio::test]
async fn a_refresh_token_revoked_elsewhere_ends_the_session_and_clears_the_store() {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let (account, issued_at, _) = refreshable_account(&server, "revoked").await;
    let stored = stored(&proxy, &account, issued_at);
    let store = RecordingStore::holding(&stored).await;
    let session = Session::restore(client(&proxy), stored, options(), store.clone()).unwrap();

    // Someone else refreshes with the same refresh token and uses the new
    // access token: ours is superseded (403 M_FORBIDDEN).
    let elsewhere = e2e_support::client(&server)
        .refresh(matrix_csapi::refresh::RefreshRequest::new(
            account.refresh_token.clone().unwrap(),
        ))
        .await
        .unwrap();
    client_with_token(&server, &elsewhere.access_token)
        .get_token_owner(GetTokenOwnerRequest::new())
        .await
        .unwrap();

    let error = session.refresh().await.unwrap_err();
    let ended = error.login_required().expect("log in again");
    match ended.reason() {
        EndReason::RefreshTokenRejected(rejection) => {
            assert_eq!(rejection.status, 403);
            assert_eq!(rejection.errcode(), &ErrorCode::Forbidden);
        }
        other => panic!("{other:?}"),
    }
    assert_no_secrets(
        &error,
        &[
            account.refresh_token.as_deref().unwrap(),
            &account.access_token,
        ],
    );
    assert_eq!(store.clears().len(), 1);
    assert_eq!(store.stored(), None);

    // Ended for good: nothing more goes out.
    let requests = proxy.requests();
    assert!(
        whoami(&session)
            .await
            .unwrap_err()
            .login_required()
            .is_some()
    );
    assert!(
        session
            .refresh()
            .await
            .unwrap_err()
            .login_required()
            .is_some()
    );
    assert_eq!(proxy.requests(), requests);
    assert_eq!(store.clears().len(), 1);
}

#[tokio::test]
async fn a_device_logged_out_elsewhere_ends_the_session_after_one_refresh() {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let (account, issued_at, _) = refreshable_account(&server, "gone").await;
    let stored = stored(&proxy, &account, issued_at);
    let store = RecordingStore::holding(&stored).await;
    let session = Session::restore(client(&proxy), stored, options(), store.clone()).unwrap();

    client_with_token(&server, &account.access_token)
        .logout(matrix_csapi::logout::LogoutRequest::new())
        .await
        .unwrap();

    // 401 M_UNKNOWN_TOKEN without soft logout; the refresh token went with
    // the device (401 M_UNKNOWN_TOKEN): log in again.
    let error = whoami(&session).await.unwrap_err();
    match error.login_required().map(|ended| ended.reason()) {
        Some(EndReason::RefreshTokenRejected(rejection)) => {
            assert_eq!(rejection.errcode(), &ErrorCode::UnknownToken);
        }
        other => panic!("{other:?} from {error}"),
    }
    assert_eq!(proxy.refreshes(), 1);
    assert_eq!(store.stored(), None);
}

#[tokio::test]
async fn logout_logs_the_device_out_and_clears_the_store() {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let account = register(&server, "logout", false).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let session = Session::login_with_password(
        client(&proxy),
        &account.user_id,
        &SecretString::new(account.password.clone()),
        options(),
        FileStore::new(&path),
    )
    .await
    .unwrap();
    let access_token = session.stored().access_token;
    assert!(path.exists());

    session.logout().await.unwrap();
    assert!(!path.exists(), "the store is cleared");
    assert!(matches!(
        session.ended().map(|ended| ended.reason().clone()),
        Some(EndReason::LoggedOut)
    ));
    let requests = proxy.requests();
    assert!(
        whoami(&session)
            .await
            .unwrap_err()
            .login_required()
            .is_some()
    );
    assert_eq!(proxy.requests(), requests, "nothing sent after logout");
    let error = client_with_token(&server, access_token.expose_secret())
        .get_token_owner(GetTokenOwnerRequest::new())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn the_famedly_lifetime_is_on_the_wire_of_every_refresh() {
    let Some(server) = synapse() else { return };
    let proxy = FaultProxy::start(server.url()).await.unwrap();
    let (account, issued_at, _) = refreshable_account(&server, "famedly").await;
    let famedly = options()
        .with_refresh_token_lifetime(Duration::from_secs(3600))
        .unwrap();
    let session = Session::restore(
        client(&proxy),
        stored(&proxy, &account, issued_at),
        famedly,
        MemoryStore::new(),
    )
    .unwrap();

    // A retried refresh and a second one.
    proxy.push_faults([Fault::LoseResponse]);
    session.refresh().await.unwrap();
    session.refresh().await.unwrap();
    assert_eq!(whoami(&session).await.unwrap(), account.user_id);
    let bodies: Vec<_> = proxy
        .refresh_requests()
        .iter()
        .map(|r| r.body_json().unwrap())
        .collect();
    assert_eq!(bodies.len(), 3);
    for body in &bodies {
        assert_eq!(body[FAMEDLY_LIFETIME_KEY], 3_600_000, "{body}");
    }

    // Not asked for: not sent.
    let (account, issued_at, _) = refreshable_account(&server, "nofamedly").await;
    let plain = Session::restore(
        client(&proxy),
        stored(&proxy, &account, issued_at),
        options(),
        MemoryStore::new(),
    )
    .unwrap();
    plain.refresh().await.unwrap();
    let last = proxy
        .refresh_requests()
        .last()
        .unwrap()
        .body_json()
        .unwrap();
    assert!(last.get(FAMEDLY_LIFETIME_KEY).is_none(), "{last}");
}
