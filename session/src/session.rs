//! The session: tokens, the single-flight refresh, sending.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use matrix_csapi::Client;
use matrix_csapi::login::LoginRequest;
use matrix_csapi::logout::LogoutRequest;
use matrix_csapi::refresh::{RefreshRequest, RefreshResponse};
use matrix_csapi::runtime::{
    self, AccessToken, AuthScheme, BaseUrl, Bytes, Endpoint, FromHttpResponseError, IntoHttpError,
    Metadata, SecretString,
};
use matrix_csapi::types::UserIdentifierUserId;

use crate::error::{FlightError, is_transient, unknown_token};
use crate::store::whole_millis;
use crate::{
    EndReason, LoginError, LoginRequired, NoStore, RefreshError, RefreshFailure, SessionError,
    SessionOptions, SessionStore, SharedStoreError, StoredSession,
};

/// A logged-in device whose access token is kept fresh.
///
/// * **Proactive refresh**: before each request, if the access token is
///   within its refresh margin of expiring (from `expires_in_ms`, on a
///   monotonic clock; see [`SessionOptions::with_refresh_margin`]), it is
///   refreshed first.
/// * **Reactive refresh**: when the server answers 401 `M_UNKNOWN_TOKEN`
///   (the access token expired early, was revoked by a clock jump, …) the
///   token is refreshed and that request is sent once more; never more than
///   twice in all.
/// * **Single flight**: however many requests need a refresh at the same
///   time, one `/refresh` is in flight; the others wait for it and use its
///   result. A request that was sent with an older token than the current
///   one is simply sent again with the current one. A failed refresh is
///   reported to every request that waited for it, once; none of them
///   retries it on its own (the next request after the failure starts a new
///   refresh).
/// * **Persisted before use**: new tokens go to the [`SessionStore`] before
///   any request uses them; if the store fails, they are dropped and the
///   error ([`RefreshError::Store`]) is returned.
/// * **Faults**: transport errors, timeouts and 5xx answers to `/refresh`
///   are retried with the *same* refresh token (the old one stays valid
///   until a new token is used, so a lost answer costs nothing), with
///   exponential backoff; a 429 waits for its `Retry-After`. All of it is
///   bounded by [`SessionOptions`] in count and in time.
/// * **The end**: a refresh token rejected for good (401 or 403 to
///   `/refresh`) ends the session: the store is cleared and this and every
///   later request fails with [`LoginRequired`] without touching the network.
///
/// An idle session does not refresh on its own (no background task): an
/// application that stays idle for longer than the server's refresh-token
/// lifetime should call [`refresh_if_due`](Self::refresh_if_due) from a
/// timer ([`refresh_due_in`](Self::refresh_due_in) says when).
///
/// Clones share the session. Cancelling a request (dropping its future)
/// while it performs a refresh is safe: the next request refreshes again
/// from the tokens the store last accepted.
///
/// Needs a Tokio runtime with its time driver (for the retry waits and
/// timeouts), as `reqwest` does for its own timeouts. `Debug` shows no token.
pub struct Session<S: SessionStore = NoStore> {
    inner: Arc<Inner<S>>,
}

impl<S: SessionStore> Clone for Session<S> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<S> {
    client: Client,
    options: SessionOptions,
    store: S,
    state: Mutex<State>,
    /// Held for the whole of a refresh (and of ending the session): the
    /// single flight. Requests never hold it while sending.
    refresh_lock: tokio::sync::Mutex<()>,
}

struct State {
    user_id: String,
    device_id: String,
    tokens: Tokens,
    /// Bumped whenever the tokens change: a request remembers the
    /// generation of the token it sent, so that a rejection of an older
    /// token leads to a resend, not to another refresh.
    generation: u64,
    /// Refreshes finished (successfully or not): a request that waited for
    /// the refresh lock sees whether a refresh finished meanwhile.
    flights: u64,
    /// The failure of the last refresh, shared with the requests that
    /// waited for it.
    last_failure: Option<FlightError>,
    ended: Option<LoginRequired>,
    refreshes: u64,
}

struct Tokens {
    access_token: AccessToken,
    refresh_token: Option<SecretString>,
    issued_at: SystemTime,
    expires_in: Option<Duration>,
    expires_at: Option<Instant>,
    refresh_at: Option<Instant>,
}

impl Tokens {
    /// The tokens of `stored`, where `now` on the monotonic clock is
    /// `system_now` on the wall clock.
    fn new(
        stored: &StoredSession,
        options: &SessionOptions,
        now: Instant,
        system_now: SystemTime,
    ) -> Self {
        // A wall clock that went backwards counts as no time elapsed; the
        // reactive refresh covers a token that expired anyway.
        let elapsed = system_now
            .duration_since(stored.issued_at)
            .unwrap_or_default();
        let at = |lifetime: Duration| now.checked_add(lifetime.saturating_sub(elapsed));
        Self {
            access_token: stored.access_token.clone(),
            refresh_token: stored.refresh_token.clone(),
            issued_at: stored.issued_at,
            expires_in: stored.expires_in,
            expires_at: stored.expires_in.and_then(at),
            refresh_at: stored
                .expires_in
                .and_then(|lifetime| at(lifetime.saturating_sub(options.margin_for(lifetime)))),
        }
    }
}

/// What a request needs from the state: the token to send, and its
/// generation.
struct Ticket {
    generation: u64,
    access_token: AccessToken,
    refresh_due: bool,
    expired: bool,
}

impl<S: SessionStore> fmt::Debug for Session<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Session")
            .field("homeserver", &self.inner.client.base_url().as_str())
            .field("user_id", &state.user_id)
            .field("device_id", &state.device_id)
            .field("has_refresh_token", &state.tokens.refresh_token.is_some())
            .field("expires_in", &state.tokens.expires_in)
            .field("refreshes", &state.refreshes)
            .field("ended", &state.ended.as_ref().map(LoginRequired::reason))
            .finish_non_exhaustive()
    }
}

impl<S: SessionStore> Session<S> {
    /// Logs in with `request` and stores the new session before returning
    /// it. Set `request.refresh_token = Some(true)` to get a refresh token
    /// ([`login_with_password`](Self::login_with_password) does); without
    /// one the session ends when its access token expires.
    ///
    /// If the store fails, the device just logged in is logged out again
    /// (best effort) and the store's error is returned.
    pub async fn login(
        client: Client,
        request: LoginRequest,
        options: SessionOptions,
        store: S,
    ) -> Result<Self, LoginError> {
        let (now, system_now) = (Instant::now(), SystemTime::now());
        let response = client.login(request).await.map_err(LoginError::Request)?;
        let mut stored = StoredSession::new(
            client.base_url().as_str(),
            response.user_id,
            response.device_id,
            AccessToken::new(response.access_token),
            response.refresh_token.map(SecretString::new),
            response.expires_in,
        );
        stored.issued_at = whole_millis(system_now);
        if let Err(error) = store.save(&stored).await {
            let orphan = client_with_token(&client, stored.access_token.clone());
            // Bounded: the client may have no timeout of its own.
            let _ =
                tokio::time::timeout(options.attempt_timeout, orphan.logout(LogoutRequest::new()))
                    .await;
            return Err(LoginError::Store(error));
        }
        Ok(Self::with_tokens(
            client, &stored, options, store, now, system_now,
        ))
    }

    /// Logs in as `user` (a localpart or a full user ID) with `password`,
    /// asking for a refresh token; see [`login`](Self::login).
    pub async fn login_with_password(
        client: Client,
        user: &str,
        password: &SecretString,
        options: SessionOptions,
        store: S,
    ) -> Result<Self, LoginError> {
        let mut request = LoginRequest::new("m.login.password".to_owned());
        request.identifier = Some(UserIdentifierUserId::new(user.to_owned()).into());
        request.password = Some(password.expose_secret().to_owned());
        request.refresh_token = Some(true);
        Self::login(client, request, options, store).await
    }

    /// A session from stored tokens (e.g. [`FileStore::load`] in a new
    /// process). Nothing is sent and nothing is stored: an access token that
    /// expired meanwhile is refreshed by the first request.
    ///
    /// `client` must be for `stored.homeserver`: tokens are never sent to
    /// another server.
    ///
    /// [`FileStore::load`]: crate::FileStore::load
    pub fn restore(
        client: Client,
        stored: StoredSession,
        options: SessionOptions,
        store: S,
    ) -> Result<Self, RestoreError> {
        let homeserver = BaseUrl::parse(&stored.homeserver).map_err(|_| RestoreError {
            stored: stored.homeserver.clone(),
            client: client.base_url().as_str().to_owned(),
        })?;
        if homeserver.as_str() != client.base_url().as_str() {
            return Err(RestoreError {
                stored: stored.homeserver,
                client: client.base_url().as_str().to_owned(),
            });
        }
        Ok(Self::with_tokens(
            client,
            &stored,
            options,
            store,
            Instant::now(),
            SystemTime::now(),
        ))
    }

    fn with_tokens(
        client: Client,
        stored: &StoredSession,
        options: SessionOptions,
        store: S,
        now: Instant,
        system_now: SystemTime,
    ) -> Self {
        let tokens = Tokens::new(stored, &options, now, system_now);
        Self {
            inner: Arc::new(Inner {
                client,
                options,
                store,
                state: Mutex::new(State {
                    user_id: stored.user_id.clone(),
                    device_id: stored.device_id.clone(),
                    tokens,
                    generation: 0,
                    flights: 0,
                    last_failure: None,
                    ended: None,
                    refreshes: 0,
                }),
                refresh_lock: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Sends `request` with the session's access token, refreshing it
    /// before (when it is about to expire) or after (when the server
    /// rejects it) as described on [`Session`].
    ///
    /// Endpoints without authentication (login, register, …) are sent as
    /// they are, whatever the session's state.
    pub async fn send<E: Endpoint>(
        &self,
        request: &E,
    ) -> Result<E::Response, SessionError<E::Error>> {
        if E::METADATA.auth == AuthScheme::None {
            return self
                .inner
                .client
                .send(request)
                .await
                .map_err(SessionError::Request);
        }
        self.run(|access_token| async move {
            let request = WithToken {
                request,
                access_token: &access_token,
            };
            self.inner.client.send(&request).await
        })
        .await
    }

    /// Calls a generated client method with the session's access token, with
    /// the same refreshes as [`send`](Self::send). `call` is given a client
    /// that holds the token to use and is called once, or twice when the
    /// token was rejected and refreshed:
    ///
    /// ```no_run
    /// # async fn example(session: matrix_csapi_session::Session) -> Result<(), Box<dyn std::error::Error>> {
    /// use matrix_csapi::whoami::GetTokenOwnerRequest;
    ///
    /// let owner = session
    ///     .call(|client| async move { client.get_token_owner(GetTokenOwnerRequest::new()).await })
    ///     .await?;
    /// println!("{}", owner.user_id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call<T, E, F, Fut>(&self, mut call: F) -> Result<T, SessionError<E>>
    where
        F: FnMut(Client) -> Fut,
        Fut: Future<Output = Result<T, runtime::Error<E>>>,
    {
        self.run(|access_token| call(client_with_token(&self.inner.client, access_token)))
            .await
    }

    /// The request loop: at most two attempts, at most one refresh before
    /// each.
    async fn run<T, E, F, Fut>(&self, mut attempt: F) -> Result<T, SessionError<E>>
    where
        F: FnMut(AccessToken) -> Fut,
        Fut: Future<Output = Result<T, runtime::Error<E>>>,
    {
        let ticket = self.fresh_ticket().await?;
        let error = match attempt(ticket.access_token).await {
            Ok(response) => return Ok(response),
            Err(error) => error,
        };
        let Some(rejection) = unknown_token(&error) else {
            return Err(SessionError::Request(error));
        };
        // Also when `soft_logout` is false: if the device really was logged
        // out, the refresh is rejected and the session ends; if the server
        // only dropped a superseded token, the session goes on.
        let rejection = rejection.clone();
        self.recover(ticket.generation, rejection).await?;
        let ticket = self.ticket().map_err(SessionError::LoginRequired)?;
        attempt(ticket.access_token)
            .await
            .map_err(SessionError::Request)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn ticket(&self) -> Result<Ticket, LoginRequired> {
        let state = self.state();
        if let Some(ended) = &state.ended {
            return Err(ended.clone());
        }
        let now = Instant::now();
        let tokens = &state.tokens;
        Ok(Ticket {
            generation: state.generation,
            access_token: tokens.access_token.clone(),
            refresh_due: tokens.refresh_token.is_some()
                && tokens.refresh_at.is_some_and(|at| now >= at),
            expired: tokens.expires_at.is_some_and(|at| now >= at),
        })
    }

    /// A ticket whose token is not due for a refresh, refreshing first if
    /// it is. If that refresh fails for a passing reason (network, server,
    /// rate limit) and the token has not expired yet, the old token is
    /// still good to use.
    async fn fresh_ticket(&self) -> Result<Ticket, FlightError> {
        let ticket = self.ticket().map_err(FlightError::Ended)?;
        if !ticket.refresh_due {
            return Ok(ticket);
        }
        match self.refresh_from(ticket.generation).await {
            Ok(()) => self.ticket().map_err(FlightError::Ended),
            Err(FlightError::Refresh(error)) if error.is_transient() && !ticket.expired => {
                Ok(ticket)
            }
            Err(error) => Err(error),
        }
    }

    /// After the token of `generation` was rejected with `rejection`.
    async fn recover(
        &self,
        generation: u64,
        rejection: runtime::MatrixError,
    ) -> Result<(), FlightError> {
        let has_refresh_token = self.state().tokens.refresh_token.is_some();
        if has_refresh_token {
            self.refresh_from(generation).await
        } else {
            self.end_from(Some(generation), EndReason::AccessTokenRejected(rejection))
                .await
                .map_err(FlightError::Ended)
        }
    }

    /// Refreshes the tokens of `generation`, unless they have been replaced
    /// already: the single flight.
    async fn refresh_from(&self, generation: u64) -> Result<(), FlightError> {
        let flights_before = {
            let state = self.state();
            if let Some(ended) = &state.ended {
                return Err(FlightError::Ended(ended.clone()));
            }
            if state.generation != generation {
                return Ok(());
            }
            state.flights
        };
        let _flight = self.inner.refresh_lock.lock().await;
        let refresh_token = {
            let state = self.state();
            if let Some(ended) = &state.ended {
                return Err(FlightError::Ended(ended.clone()));
            }
            if state.generation != generation {
                return Ok(());
            }
            if state.flights != flights_before {
                // A refresh finished while this request waited for it, and
                // the tokens are unchanged: it failed. Its failure is this
                // request's too; trying again here would turn one failure
                // into a storm of them.
                if let Some(failure) = &state.last_failure {
                    return Err(failure.clone());
                }
            }
            match &state.tokens.refresh_token {
                Some(token) => token.clone(),
                None => return Ok(()),
            }
        };
        let outcome = self.fly(&refresh_token).await;
        let mut state = self.state();
        state.flights += 1;
        match outcome {
            Ok(tokens) => {
                state.tokens = tokens;
                state.generation += 1;
                state.refreshes += 1;
                state.last_failure = None;
                Ok(())
            }
            Err(error) => {
                if let FlightError::Ended(ended) = &error {
                    state.ended = Some(ended.clone());
                }
                state.last_failure = Some(error.clone());
                Err(error)
            }
        }
    }

    /// One refresh: `/refresh` with retries, then the store. Called with
    /// the refresh lock held.
    async fn fly(&self, refresh_token: &SecretString) -> Result<Tokens, FlightError> {
        let options = &self.inner.options;
        let deadline = Instant::now() + options.refresh_deadline;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let timeout = options
                .attempt_timeout
                .min(deadline.saturating_duration_since(Instant::now()));
            let sent_at = (Instant::now(), SystemTime::now());
            let request = self.refresh_request(refresh_token);
            let failure =
                match tokio::time::timeout(timeout, self.inner.client.refresh(request)).await {
                    Ok(Ok(response)) => {
                        return self.accept(response, refresh_token, sent_at).await;
                    }
                    Err(_elapsed) => RefreshFailure::TimedOut(timeout),
                    Ok(Err(error)) => {
                        if let Some(rejection) = rejected_for_good(&error) {
                            let reason = EndReason::RefreshTokenRejected(rejection.clone());
                            return Err(FlightError::Ended(self.clear_store(reason).await));
                        }
                        if error.status() == Some(runtime::http::StatusCode::TOO_MANY_REQUESTS) {
                            let wait = error
                                .matrix_error()
                                .and_then(runtime::MatrixError::retry_after)
                                .map_or_else(|| options.backoff(attempts), |after| after.delay());
                            if wait > options.max_retry_after
                                || attempts >= options.refresh_attempts
                                || Instant::now() + wait >= deadline
                            {
                                return Err(FlightError::Refresh(RefreshError::RateLimited {
                                    retry_after: wait,
                                }));
                            }
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        let failure = RefreshFailure::Response(Arc::new(error));
                        if !matches!(&failure, RefreshFailure::Response(e) if is_transient(e)) {
                            return Err(FlightError::Refresh(RefreshError::Failed {
                                attempts,
                                last: failure,
                            }));
                        }
                        failure
                    }
                };
            let wait = options.backoff(attempts);
            if attempts >= options.refresh_attempts || Instant::now() + wait >= deadline {
                return Err(FlightError::Refresh(RefreshError::Failed {
                    attempts,
                    last: failure,
                }));
            }
            tokio::time::sleep(wait).await;
        }
    }

    fn refresh_request(&self, refresh_token: &SecretString) -> RefreshRequest {
        #[allow(unused_mut)] // only the Famedly field changes it
        let mut request = RefreshRequest::new(refresh_token.expose_secret().to_owned());
        #[cfg(feature = "unstable-famedly-refresh-lifetime")]
        {
            request.refresh_token_lifetime = self.inner.options.refresh_token_lifetime;
        }
        request
    }

    /// Stores the tokens of a successful refresh; they are used only once
    /// the store has them.
    async fn accept(
        &self,
        response: RefreshResponse,
        old_refresh_token: &SecretString,
        (sent_at, system_sent_at): (Instant, SystemTime),
    ) -> Result<Tokens, FlightError> {
        let mut stored = self.stored();
        stored.access_token = AccessToken::new(response.access_token);
        // "If not given, the old refresh token can be re-used."
        stored.refresh_token = Some(
            response
                .refresh_token
                .map_or_else(|| old_refresh_token.clone(), SecretString::new),
        );
        // Counted from when the request left: the server's clock started
        // later, so the session's expiry is never later than the server's.
        stored.issued_at = whole_millis(system_sent_at);
        stored.expires_in = response.expires_in;
        let options = &self.inner.options;
        let saved = tokio::time::timeout(options.refresh_deadline, self.inner.store.save(&stored))
            .await
            .unwrap_or_else(|_| Err(StoreTimedOut(options.refresh_deadline).into()));
        if let Err(error) = saved {
            return Err(FlightError::Refresh(RefreshError::Store(SharedStoreError(
                Arc::new(error),
            ))));
        }
        Ok(Tokens::new(&stored, options, sent_at, system_sent_at))
    }

    /// Tells the store that the session ended.
    async fn clear_store(&self, reason: EndReason) -> LoginRequired {
        let cleared = tokio::time::timeout(
            self.inner.options.refresh_deadline,
            self.inner.store.clear(&reason),
        )
        .await
        .unwrap_or_else(|_| Err(StoreTimedOut(self.inner.options.refresh_deadline).into()));
        LoginRequired::new(
            reason,
            cleared.err().map(|error| SharedStoreError(Arc::new(error))),
        )
    }

    /// Ends the session (unless it has moved past `generation` meanwhile),
    /// under the refresh lock so that no refresh stores tokens afterwards.
    async fn end_from(
        &self,
        generation: Option<u64>,
        reason: EndReason,
    ) -> Result<(), LoginRequired> {
        let _flight = self.inner.refresh_lock.lock().await;
        {
            let state = self.state();
            if let Some(ended) = &state.ended {
                return Err(ended.clone());
            }
            if generation.is_some_and(|generation| generation != state.generation) {
                return Ok(());
            }
        }
        let ended = self.clear_store(reason).await;
        self.state().ended = Some(ended.clone());
        Err(ended)
    }

    /// Refreshes the access token now (sharing a refresh already in flight).
    /// [`SessionError::Request`] never occurs.
    pub async fn refresh(&self) -> Result<(), SessionError<Infallible>> {
        let generation = self
            .ticket()
            .map_err(SessionError::LoginRequired)?
            .generation;
        Ok(self.refresh_from(generation).await?)
    }

    /// Refreshes the access token if it is within its refresh margin of
    /// expiring; for applications that stay idle longer than the server's
    /// refresh-token lifetime. [`SessionError::Request`] never occurs.
    pub async fn refresh_if_due(&self) -> Result<(), SessionError<Infallible>> {
        let ticket = self.ticket().map_err(SessionError::LoginRequired)?;
        if ticket.refresh_due {
            self.refresh_from(ticket.generation).await?;
        }
        Ok(())
    }

    /// How long until the access token is due for a refresh (zero: now);
    /// `None` when it does not expire or cannot be refreshed.
    pub fn refresh_due_in(&self) -> Option<Duration> {
        let state = self.state();
        state.tokens.refresh_token.as_ref()?;
        let at = state.tokens.refresh_at?;
        Some(at.saturating_duration_since(Instant::now()))
    }

    /// Logs the device out (refreshing first if needed), then clears the
    /// store and ends the session: later requests fail with
    /// [`LoginRequired`] ([`EndReason::LoggedOut`]).
    ///
    /// If the server could not be told, the session goes on and the error
    /// is returned. If the server logged out but clearing the store failed,
    /// the error is [`SessionError::LoginRequired`] with
    /// [`LoginRequired::store_error`] set.
    pub async fn logout(&self) -> Result<(), SessionError<Infallible>> {
        self.send(&LogoutRequest::new()).await?;
        match self.end_from(None, EndReason::LoggedOut).await {
            Err(ended) if ended.store_error().is_some() => Err(SessionError::LoginRequired(ended)),
            _ => Ok(()),
        }
    }

    /// What the store holds (or would hold): the current tokens.
    pub fn stored(&self) -> StoredSession {
        let state = self.state();
        let mut stored = StoredSession::new(
            self.inner.client.base_url().as_str(),
            state.user_id.clone(),
            state.device_id.clone(),
            state.tokens.access_token.clone(),
            state.tokens.refresh_token.clone(),
            state.tokens.expires_in,
        );
        stored.issued_at = state.tokens.issued_at;
        stored
    }

    /// The user the session belongs to.
    pub fn user_id(&self) -> String {
        self.state().user_id.clone()
    }

    /// The session's device.
    pub fn device_id(&self) -> String {
        self.state().device_id.clone()
    }

    /// How many refreshes succeeded in this process.
    pub fn refreshes(&self) -> u64 {
        self.state().refreshes
    }

    /// Why the session ended, if it has.
    pub fn ended(&self) -> Option<LoginRequired> {
        self.state().ended.clone()
    }

    /// The client the session sends through (it holds no access token; the
    /// session passes its own with each request).
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.inner.store
    }

    /// The options.
    pub fn options(&self) -> &SessionOptions {
        &self.inner.options
    }
}

/// A stored session is for another homeserver than the client's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the stored session is for {stored}, not for the client's homeserver {client}")]
pub struct RestoreError {
    /// The stored homeserver.
    pub stored: String,
    /// The client's homeserver.
    pub client: String,
}

/// The store did not answer within the refresh deadline.
#[derive(Debug, thiserror::Error)]
#[error("the session store did not answer within {0:?}")]
struct StoreTimedOut(Duration);

/// A 401 or 403 Matrix error from `/refresh`: the refresh token is revoked,
/// expired, superseded or unknown (its device was logged out). No retry can
/// help; only a new login.
fn rejected_for_good(error: &runtime::Error<Infallible>) -> Option<&runtime::MatrixError> {
    error
        .matrix_error()
        .filter(|e| e.status == 401 || e.status == 403)
}

/// A client over the same connections as `client`, holding `access_token`
/// (for the generated methods in [`Session::call`]).
fn client_with_token(client: &Client, access_token: AccessToken) -> Client {
    let runtime =
        runtime::Client::with_http_client(client.base_url().clone(), client.http_client().clone())
            .with_max_response_bytes(client.max_response_bytes());
    runtime.set_access_token(Some(access_token));
    Client::from(runtime)
}

/// `request` sent with `access_token`, whatever the client holds.
struct WithToken<'a, E> {
    request: &'a E,
    access_token: &'a AccessToken,
}

impl<E: Endpoint> Endpoint for WithToken<'_, E> {
    const METADATA: Metadata = E::METADATA;
    type Response = E::Response;
    type Error = E::Error;

    fn try_into_http_request(
        &self,
        base_url: &BaseUrl,
        _client_token: Option<&AccessToken>,
    ) -> Result<runtime::http::Request<Bytes>, IntoHttpError> {
        self.request
            .try_into_http_request(base_url, Some(self.access_token))
    }

    fn try_from_http_response(
        response: runtime::http::Response<Bytes>,
    ) -> Result<Self::Response, FromHttpResponseError<Self::Error>> {
        E::try_from_http_response(response)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::{FileStore, MemoryStore};
    use matrix_csapi::whoami::GetTokenOwnerRequest;

    fn assert_send<T: Send>(_: &T) {}

    fn session<S: SessionStore>(store: S) -> Session<S> {
        let client = Client::new(BaseUrl::parse("http://127.0.0.1:1").unwrap());
        let stored = StoredSession::new(
            "http://127.0.0.1:1",
            "@alice:localhost",
            "DEVICE",
            AccessToken::new("syt_secret_access"),
            Some(SecretString::new("syr_secret_refresh")),
            Some(Duration::from_secs(300)),
        );
        Session::restore(client, stored, SessionOptions::default(), store).unwrap()
    }

    /// Sessions and their futures can move between threads (tokio::spawn).
    #[test]
    fn futures_are_send() {
        let session = session(FileStore::new("unused.json"));
        let request = GetTokenOwnerRequest::new();
        assert_send(&session);
        assert_send(&session.send(&request));
        assert_send(&session.call(|client| async move {
            client.get_token_owner(GetTokenOwnerRequest::new()).await
        }));
        assert_send(&session.refresh());
        assert_send(&session.logout());
    }

    #[test]
    fn debug_shows_no_token() {
        let session = session(MemoryStore::new());
        let printed = format!("{session:?} {session:#?}");
        assert!(!printed.contains("syt_secret"), "{printed}");
        assert!(!printed.contains("syr_secret"), "{printed}");
        assert!(printed.contains("@alice:localhost"), "{printed}");
    }

    #[test]
    fn restore_refuses_another_homeserver() {
        let client = Client::new(BaseUrl::parse("http://127.0.0.1:1").unwrap());
        let mut stored = session(NoStore).stored();
        stored.homeserver = "https://evil.example".to_owned();
        let error =
            Session::restore(client, stored, SessionOptions::default(), NoStore).unwrap_err();
        assert_eq!(error.stored, "https://evil.example");
    }

    #[test]
    fn restored_expiry_counts_from_when_the_token_was_issued() {
        let options = SessionOptions::default();
        let mut stored = session(NoStore).stored();
        stored.expires_in = Some(Duration::from_secs(300));
        let now = Instant::now();
        let system_now = SystemTime::now();
        // Issued 100 s ago: 200 s left, due 60 s before that.
        stored.issued_at = system_now - Duration::from_secs(100);
        let tokens = Tokens::new(&stored, &options, now, system_now);
        assert_eq!(tokens.expires_at, Some(now + Duration::from_secs(200)));
        assert_eq!(tokens.refresh_at, Some(now + Duration::from_secs(140)));
        // Issued long ago: expired and due now.
        stored.issued_at = system_now - Duration::from_secs(1000);
        let tokens = Tokens::new(&stored, &options, now, system_now);
        assert_eq!(tokens.expires_at, Some(now));
        assert_eq!(tokens.refresh_at, Some(now));
        // Issued "in the future" (the wall clock went back): a whole lifetime.
        stored.issued_at = system_now + Duration::from_secs(50);
        let tokens = Tokens::new(&stored, &options, now, system_now);
        assert_eq!(tokens.expires_at, Some(now + Duration::from_secs(300)));
    }
}
