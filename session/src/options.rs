//! How a session refreshes and retries.

use std::time::Duration;

/// How a [`Session`](crate::Session) refreshes and retries. Every wait and
/// every loop of a refresh is bounded by these.
///
/// ```
/// use std::time::Duration;
/// use matrix_csapi_session::SessionOptions;
///
/// let options = SessionOptions::default()
///     .with_refresh_margin(Duration::from_secs(30))
///     .with_refresh_attempts(3);
/// assert_eq!(options.refresh_attempts(), 3);
/// ```
#[derive(Debug, Clone)]
pub struct SessionOptions {
    pub(crate) refresh_margin: Duration,
    pub(crate) refresh_attempts: u32,
    pub(crate) attempt_timeout: Duration,
    pub(crate) refresh_deadline: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_max: Duration,
    #[cfg(feature = "unstable-famedly-refresh-lifetime")]
    pub(crate) refresh_token_lifetime: Option<Duration>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            refresh_margin: Duration::from_secs(60),
            refresh_attempts: 5,
            attempt_timeout: Duration::from_secs(20),
            refresh_deadline: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(30),
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(8),
            #[cfg(feature = "unstable-famedly-refresh-lifetime")]
            refresh_token_lifetime: None,
        }
    }
}

/// A refresh-token lifetime the session refuses to send.
#[cfg(feature = "unstable-famedly-refresh-lifetime")]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refresh-token lifetime {lifetime:?} refused: {reason}")]
pub struct InvalidRefreshTokenLifetime {
    /// The lifetime asked for.
    pub lifetime: Duration,
    /// Why the `/refresh` request would refuse it (e.g. below the overlay's
    /// minimum of one second).
    pub reason: String,
}

impl SessionOptions {
    /// Refresh this long before the access token expires (default 60 s),
    /// but never earlier than four fifths into its lifetime: a 5 s token is
    /// refreshed 1 s before it expires, a 5 min token 60 s before. The check
    /// is made before each request, on a monotonic clock.
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// At most this many `/refresh` requests per refresh (default 5, at
    /// least 1): the first and the retries after transport errors, 5xx
    /// answers, timeouts and 429s.
    pub fn with_refresh_attempts(mut self, attempts: u32) -> Self {
        self.refresh_attempts = attempts.max(1);
        self
    }

    /// The longest wait for one `/refresh` answer (default 20 s); longer
    /// counts as a failed attempt (and is retried).
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The longest a whole refresh may take, retries and waits included
    /// (default 60 s). Requests waiting for the refresh wait at most this
    /// long (plus the store's time).
    pub fn with_refresh_deadline(mut self, deadline: Duration) -> Self {
        self.refresh_deadline = deadline;
        self
    }

    /// The longest `Retry-After` (or `retry_after_ms`) of a 429 answer to
    /// `/refresh` that the session waits for before retrying (default 30 s);
    /// a longer one fails the refresh with
    /// [`RefreshError::RateLimited`](crate::RefreshError::RateLimited).
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// The wait before the first retry after a transport error, timeout or
    /// 5xx (default 250 ms); it doubles for each further retry, up to
    /// `max` (default 8 s).
    pub fn with_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max;
        self
    }

    /// Asks for a lifetime of each new *refresh token*, sent as Famedly's
    /// experimental `com.famedly.refresh_token_lifetime_ms` on every
    /// refresh. Measured against Famedly's Synapse fork:
    ///
    /// * it sets the lifetime of the newly issued refresh token only; the
    ///   access token keeps the server's `refreshable_access_token_lifetime`
    ///   (so it does not change how often the session refreshes);
    /// * a refresh token past its lifetime is refused with 403
    ///   `M_FORBIDDEN` ("The supplied refresh token has expired"), which
    ///   ends the session ([`LoginRequired`](crate::LoginRequired)): choose
    ///   a lifetime longer than the longest time the application stays idle;
    /// * the server caps the value at its
    ///   `famedly_maximum_refresh_token_lifetime` (default 160 days), and
    ///   that cap applies only to values a client sends, never to the
    ///   server's default: asking for more than the cap can give *less* than
    ///   not asking (cap 10 s, default 60 s, asking 1 h gives 10 s);
    /// * the session's overall lifetime (`session_lifetime`) caps
    ///   everything;
    /// * upstream Synapse ignores the field.
    ///
    /// A lifetime the `/refresh` request would refuse is refused here
    /// already, so a session never starts with one: below the field's
    /// minimum of one second (`spec/overlays/famedly-refresh-lifetime.yaml`;
    /// the fork accepts anything, and a lifetime shorter than a round trip
    /// gives a token that is dead on arrival) or beyond 2^53-1 ms.
    #[cfg(feature = "unstable-famedly-refresh-lifetime")]
    pub fn with_refresh_token_lifetime(
        mut self,
        lifetime: Duration,
    ) -> Result<Self, InvalidRefreshTokenLifetime> {
        use matrix_csapi::runtime::{BaseUrl, Endpoint};
        // The generated request checks the field's bounds: ask it, so the
        // overlay stays the one place that says what is allowed.
        let mut probe = matrix_csapi::refresh::RefreshRequest::new(String::new());
        probe.refresh_token_lifetime = Some(lifetime);
        let base =
            BaseUrl::parse("https://localhost").map_err(|error| InvalidRefreshTokenLifetime {
                lifetime,
                reason: error.to_string(),
            })?;
        if let Err(error) = probe.try_into_http_request(&base, None) {
            return Err(InvalidRefreshTokenLifetime {
                lifetime,
                reason: error.to_string(),
            });
        }
        self.refresh_token_lifetime = Some(lifetime);
        Ok(self)
    }

    /// The refresh margin (see [`with_refresh_margin`](Self::with_refresh_margin)).
    pub fn refresh_margin(&self) -> Duration {
        self.refresh_margin
    }

    /// The most `/refresh` requests per refresh.
    pub fn refresh_attempts(&self) -> u32 {
        self.refresh_attempts
    }

    /// The refresh-token lifetime asked for on every refresh, if any.
    #[cfg(feature = "unstable-famedly-refresh-lifetime")]
    pub fn refresh_token_lifetime(&self) -> Option<Duration> {
        self.refresh_token_lifetime
    }

    /// How long before expiry a token of `lifetime` is refreshed.
    pub(crate) fn margin_for(&self, lifetime: Duration) -> Duration {
        self.refresh_margin.min(lifetime / 5)
    }

    /// The wait before retry number `retry` (1 for the first retry).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.backoff_base
            .checked_mul(factor)
            .unwrap_or(self.backoff_max)
            .min(self.backoff_max)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn margin_is_capped_at_a_fifth_of_the_lifetime() {
        let options = SessionOptions::default();
        assert_eq!(
            options.margin_for(Duration::from_secs(5)),
            Duration::from_secs(1)
        );
        assert_eq!(
            options.margin_for(Duration::from_secs(300)),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn backoff_doubles_up_to_its_maximum() {
        let options = SessionOptions::default();
        let waits: Vec<_> = (1..=8).map(|retry| options.backoff(retry)).collect();
        assert_eq!(waits[0], Duration::from_millis(250));
        assert_eq!(waits[1], Duration::from_millis(500));
        assert_eq!(waits[4], Duration::from_secs(4));
        assert_eq!(waits[5], Duration::from_secs(8));
        assert_eq!(waits[7], Duration::from_secs(8));
        assert_eq!(options.backoff(u32::MAX), Duration::from_secs(8));
    }

    #[cfg(feature = "unstable-famedly-refresh-lifetime")]
    #[test]
    fn refresh_token_lifetime_refuses_short_and_huge_values() {
        let options = SessionOptions::default();
        for short in [Duration::ZERO, Duration::from_millis(999)] {
            let error = options
                .clone()
                .with_refresh_token_lifetime(short)
                .unwrap_err();
            assert!(error.reason.contains("at least 1000 ms"), "{error}");
        }
        assert!(
            options
                .clone()
                .with_refresh_token_lifetime(Duration::from_secs(1))
                .is_ok()
        );
        assert!(
            options
                .clone()
                .with_refresh_token_lifetime(Duration::from_secs(u64::MAX))
                .is_err()
        );
        let options = options
            .with_refresh_token_lifetime(Duration::from_secs(3600))
            .unwrap();
        assert_eq!(
            options.refresh_token_lifetime(),
            Some(Duration::from_secs(3600))
        );
    }
}
