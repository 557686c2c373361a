//! The errors of a session. None of them prints a token: the runtime's
//! errors never do, and store errors must not (see [`SessionStore`]).
//!
//! [`SessionStore`]: crate::SessionStore

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use matrix_csapi::runtime::{self, ErrorCode, MatrixError};

use crate::StoreError;

/// A store error shared by every request that waited for the same refresh.
#[derive(Clone)]
pub struct SharedStoreError(pub(crate) Arc<StoreError>);

impl SharedStoreError {
    /// The store's own error.
    pub fn inner(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &**self.0
    }
}

impl fmt::Debug for SharedStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self.0, f)
    }
}

impl fmt::Display for SharedStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self.0, f)
    }
}

/// Why a session ended: the user must log in again.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EndReason {
    /// [`Session::logout`](crate::Session::logout) succeeded.
    LoggedOut,
    /// The server rejected the refresh token for good (401 or 403 to
    /// `/refresh`: revoked, expired, superseded, or the device was logged
    /// out). The server's error is kept.
    RefreshTokenRejected(MatrixError),
    /// The access token was rejected (401 `M_UNKNOWN_TOKEN`) and the session
    /// has no refresh token to get another.
    AccessTokenRejected(MatrixError),
}

impl fmt::Display for EndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LoggedOut => f.write_str("the session was logged out"),
            Self::RefreshTokenRejected(error) => {
                write!(f, "the server rejected the refresh token: {error}")
            }
            Self::AccessTokenRejected(error) => write!(
                f,
                "the server rejected the access token and there is no refresh token: {error}"
            ),
        }
    }
}

/// The session has ended; log in again. Every later request of the
/// session fails with this at once, without touching the network.
///
/// Cloned (cheaply) to every request that meets the ended session.
#[derive(Debug, Clone)]
pub struct LoginRequired(Arc<Ended>);

#[derive(Debug)]
struct Ended {
    reason: EndReason,
    store_error: Option<SharedStoreError>,
}

impl LoginRequired {
    pub(crate) fn new(reason: EndReason, store_error: Option<SharedStoreError>) -> Self {
        Self(Arc::new(Ended {
            reason,
            store_error,
        }))
    }

    /// Why the session ended.
    pub fn reason(&self) -> &EndReason {
        &self.0.reason
    }

    /// The store's error if [`SessionStore::clear`](crate::SessionStore::clear)
    /// failed when the session ended (the stored tokens are then stale).
    pub fn store_error(&self) -> Option<&SharedStoreError> {
        self.0.store_error.as_ref()
    }
}

impl fmt::Display for LoginRequired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "log in again: {}", self.0.reason)?;
        if let Some(error) = &self.0.store_error {
            write!(f, " (and clearing the stored session failed: {error})")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoginRequired {}

/// A refresh failed, but the session goes on: a later request refreshes
/// again, from the refresh token the store last accepted.
///
/// Cloned to every request that waited for the same refresh.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum RefreshError {
    /// The store refused the new tokens, so they were not used.
    #[error(
        "the session was refreshed but storing the new tokens failed, so they are not used: {0}"
    )]
    Store(SharedStoreError),
    /// The server kept failing (5xx, transport errors, timeouts) or said
    /// something a refresh cannot act on (e.g. 400); `attempts` were made.
    #[error("refreshing the access token failed after {attempts} attempt(s): {last}")]
    Failed {
        /// How many `/refresh` requests were sent.
        attempts: u32,
        /// The last failure.
        last: RefreshFailure,
    },
    /// The server asked to wait longer than
    /// [`SessionOptions::with_max_retry_after`](crate::SessionOptions::with_max_retry_after)
    /// allows, or longer than the time left for this refresh.
    #[error("refreshing is rate-limited for {retry_after:?}")]
    RateLimited {
        /// How long the server asked to wait.
        retry_after: Duration,
    },
}

impl RefreshError {
    /// Whether the failure says nothing about the tokens (network, server
    /// trouble, rate limiting), so that an access token that has not yet
    /// expired is still worth using.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Self::Store(_) => false,
            Self::RateLimited { .. } => true,
            Self::Failed { last, .. } => match last {
                RefreshFailure::TimedOut(_) => true,
                RefreshFailure::Response(error) => is_transient(error),
            },
        }
    }
}

/// One failed `/refresh` attempt.
#[derive(Debug, Clone)]
pub enum RefreshFailure {
    /// No complete answer within the attempt's timeout.
    TimedOut(Duration),
    /// The client's error (transport, or the server's answer).
    Response(Arc<runtime::Error<Infallible>>),
}

impl fmt::Display for RefreshFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimedOut(timeout) => write!(f, "no answer within {timeout:?}"),
            Self::Response(error) => fmt::Display::fmt(error, f),
        }
    }
}

/// Transport errors and 5xx answers are worth retrying with the same
/// refresh token: the server may have processed the request, but the old
/// refresh token stays valid until a new token is used.
pub(crate) fn is_transient<E>(error: &runtime::Error<E>) -> bool {
    match error {
        runtime::Error::Transport(_) => true,
        _ => error
            .status()
            .is_some_and(|status| status.is_server_error()),
    }
}

/// Whether the server answered a request with 401 `M_UNKNOWN_TOKEN`: the
/// access token is not (or no longer) valid.
pub(crate) fn unknown_token<E>(error: &runtime::Error<E>) -> Option<&MatrixError> {
    error
        .matrix_error()
        .filter(|e| e.status == 401 && *e.errcode() == ErrorCode::UnknownToken)
}

/// Why a request sent through a [`Session`](crate::Session) failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionError<E> {
    /// The request itself failed (after a refresh, if one was needed): the
    /// server's answer or a transport error, as from the bare client.
    Request(runtime::Error<E>),
    /// The access token needed a refresh and the refresh failed; the
    /// session goes on (see [`RefreshError`]).
    Refresh(RefreshError),
    /// The session has ended: log in again.
    LoginRequired(LoginRequired),
}

impl<E> SessionError<E> {
    /// The [`LoginRequired`] error, if the session has ended.
    pub fn login_required(&self) -> Option<&LoginRequired> {
        match self {
            Self::LoginRequired(error) => Some(error),
            _ => None,
        }
    }

    /// The standard Matrix error of the request, if the server answered it
    /// with one.
    pub fn matrix_error(&self) -> Option<&MatrixError> {
        match self {
            Self::Request(error) => error.matrix_error(),
            _ => None,
        }
    }
}

impl<E> fmt::Display for SessionError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request(error) => fmt::Display::fmt(error, f),
            Self::Refresh(error) => fmt::Display::fmt(error, f),
            Self::LoginRequired(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for SessionError<E> {}

impl<E> From<FlightError> for SessionError<E> {
    fn from(error: FlightError) -> Self {
        match error {
            FlightError::Refresh(error) => Self::Refresh(error),
            FlightError::Ended(error) => Self::LoginRequired(error),
        }
    }
}

/// The outcome of a failed refresh flight, shared by all its waiters.
#[derive(Debug, Clone)]
pub(crate) enum FlightError {
    Refresh(RefreshError),
    Ended(LoginRequired),
}

/// Why logging in did not produce a session.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// The login request failed.
    #[error("logging in failed: {0}")]
    Request(runtime::Error<Infallible>),
    /// The store refused the new session. The server has logged the device
    /// in; its tokens are dropped.
    #[error("logged in, but storing the session failed: {0}")]
    Store(StoreError),
}
