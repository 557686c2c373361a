//! Authentication schemes and secret-holding types.

use std::fmt;

/// How an endpoint authenticates, as part of its [`Metadata`](crate::Metadata).
///
/// [`build_request`](crate::build_request) turns this into the
/// `Authorization` header; tokens are never put into the query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthScheme {
    /// No `Authorization` header is ever sent, even when a token is at hand.
    None,
    /// An access token is required and sent as `Authorization: Bearer …`.
    AccessToken,
    /// An access token is sent when the client has one; the endpoint also
    /// works without.
    OptionalAccessToken,
    /// An application-service token (`as_token`) is required and sent as
    /// `Authorization: Bearer …`.
    AppserviceToken,
}

/// A Matrix access token (or application-service `as_token`).
///
/// `Debug` and `Display` print `AccessToken(<redacted>)`, never the token.
/// Use [`expose_secret`](Self::expose_secret) for the real value. The serde
/// implementations are transparent (a plain JSON string), so the type can be
/// used directly in response bodies and persisted sessions; serializing it
/// therefore *does* write the token.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself. Take care not to log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl From<SecretString> for AccessToken {
    fn from(secret: SecretString) -> Self {
        Self(secret.0)
    }
}

/// A secret string in a request or response body: a password, a refresh
/// token, a login token, a registration token, …
///
/// `Debug` prints `SecretString(<redacted>)`; there is no `Display`. The
/// serde implementations are transparent (a plain JSON string), so the
/// value is sent and received unchanged on the wire. Use
/// [`expose_secret`](Self::expose_secret) for the real value.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself. Take care not to log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

impl From<String> for SecretString {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for SecretString {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn tokens_are_redacted() {
        let token = AccessToken::new("syt_very_secret");
        assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
        assert_eq!(token.to_string(), "AccessToken(<redacted>)");
        assert_eq!(
            format!("{:?}", Some(&token)),
            "Some(AccessToken(<redacted>))"
        );
        assert_eq!(token.expose_secret(), "syt_very_secret");

        let secret = SecretString::new("hunter2");
        assert_eq!(format!("{secret:?}"), "SecretString(<redacted>)");
        assert_eq!(secret.expose_secret(), "hunter2");
    }

    #[test]
    fn serde_is_transparent() {
        let token: AccessToken = serde_json::from_str(r#""abc""#).unwrap();
        assert_eq!(token.expose_secret(), "abc");
        assert_eq!(serde_json::to_string(&token).unwrap(), r#""abc""#);
        let secret: SecretString = serde_json::from_str(r#""pw""#).unwrap();
        assert_eq!(AccessToken::from(secret).expose_secret(), "pw");
    }
}
