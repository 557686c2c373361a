//! The homeserver base URL.

use std::fmt;
use std::str::FromStr;

/// A validated homeserver base URL, such as `https://matrix.example.org` or
/// `https://example.org/matrix`.
///
/// Rules enforced by [`parse`](Self::parse):
///
/// * the scheme is `http` or `https` (case-insensitive, stored lowercase);
/// * there is a non-empty host and, if given, a valid port;
/// * there is no user information (`user:password@`), query or fragment;
/// * an optional path prefix is allowed; trailing `/` are trimmed, and `.`
///   or `..` segments are rejected (they would be resolved away by URL
///   parsers).
///
/// Endpoint paths such as `/_matrix/client/v3/sync` are appended verbatim to
/// [`as_str`](Self::as_str).
///
/// ```
/// use matrix_csapi_runtime::BaseUrl;
///
/// let url: BaseUrl = "HTTPS://example.org/matrix/".parse()?;
/// assert_eq!(url.as_str(), "https://example.org/matrix");
/// assert!(BaseUrl::parse("ftp://example.org").is_err());
/// # Ok::<(), matrix_csapi_runtime::InvalidBaseUrl>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl(String);

/// Why a string is not a valid [`BaseUrl`].
///
/// The offending input is deliberately not included, since it could contain
/// credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidBaseUrl {
    /// The string is not an absolute URL.
    #[error("invalid homeserver base URL: not an absolute URL such as https://example.org")]
    Syntax,
    /// The scheme is neither `http` nor `https`.
    #[error("invalid homeserver base URL: the scheme must be http or https")]
    UnsupportedScheme,
    /// There is no host.
    #[error("invalid homeserver base URL: the host is missing")]
    MissingHost,
    /// The port is not a number between 0 and 65535.
    #[error("invalid homeserver base URL: the port is invalid")]
    InvalidPort,
    /// The URL contains user information (`user:password@host`).
    #[error("invalid homeserver base URL: user information (user:password@) is not allowed")]
    UserInfo,
    /// The URL has a query string.
    #[error("invalid homeserver base URL: a query string is not allowed")]
    Query,
    /// The URL has a fragment.
    #[error("invalid homeserver base URL: a fragment is not allowed")]
    Fragment,
    /// The path prefix has a `.` or `..` segment.
    #[error("invalid homeserver base URL: the path must not contain '.' or '..' segments")]
    DotSegment,
}

impl BaseUrl {
    /// Parses and validates a base URL; see the type documentation for the
    /// rules.
    pub fn parse(s: &str) -> Result<BaseUrl, InvalidBaseUrl> {
        if s.contains('#') {
            return Err(InvalidBaseUrl::Fragment);
        }
        if s.contains('?') {
            return Err(InvalidBaseUrl::Query);
        }
        let uri: http::Uri = s.parse().map_err(|_| InvalidBaseUrl::Syntax)?;
        let scheme = match uri.scheme_str() {
            Some(scheme) if scheme.eq_ignore_ascii_case("https") => "https",
            Some(scheme) if scheme.eq_ignore_ascii_case("http") => "http",
            Some(_) => return Err(InvalidBaseUrl::UnsupportedScheme),
            None => return Err(InvalidBaseUrl::Syntax),
        };
        let authority = uri.authority().ok_or(InvalidBaseUrl::MissingHost)?;
        if authority.as_str().contains('@') {
            return Err(InvalidBaseUrl::UserInfo);
        }
        if authority.host().is_empty() {
            return Err(InvalidBaseUrl::MissingHost);
        }
        // `host()` is a prefix of the authority (user information was
        // rejected above); whatever follows it must be `:<u16>`.
        let after_host = authority
            .as_str()
            .get(authority.host().len()..)
            .ok_or(InvalidBaseUrl::Syntax)?;
        if !after_host.is_empty() {
            let port = after_host.strip_prefix(':').ok_or(InvalidBaseUrl::Syntax)?;
            if port.is_empty()
                || !port.bytes().all(|b| b.is_ascii_digit())
                || port.parse::<u16>().is_err()
            {
                return Err(InvalidBaseUrl::InvalidPort);
            }
        }
        let path = uri.path().trim_end_matches('/');
        if path.split('/').any(crate::path::is_dot_segment) {
            return Err(InvalidBaseUrl::DotSegment);
        }
        Ok(BaseUrl(format!("{scheme}://{authority}{path}")))
    }

    /// The normalized URL, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for BaseUrl {
    type Err = InvalidBaseUrl;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for BaseUrl {
    type Error = InvalidBaseUrl;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BaseUrl").field(&self.0).finish()
    }
}

impl AsRef<str> for BaseUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for BaseUrl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for BaseUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn accepts_and_normalizes() {
        let cases = [
            ("https://example.org", "https://example.org"),
            ("https://example.org/", "https://example.org"),
            ("https://example.org///", "https://example.org"),
            ("HTTP://Example.org:8008", "http://Example.org:8008"),
            ("https://example.org/matrix/", "https://example.org/matrix"),
            ("https://example.org/a%20b", "https://example.org/a%20b"),
            ("http://127.0.0.1:6167", "http://127.0.0.1:6167"),
            ("http://[::1]:8448/", "http://[::1]:8448"),
        ];
        for (input, expected) in cases {
            let url = BaseUrl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(url.as_str(), expected, "{input}");
            assert_eq!(url.to_string(), expected);
            assert_eq!(input.parse::<BaseUrl>().unwrap(), url);
        }
    }

    #[test]
    fn rejects_invalid() {
        let cases = [
            ("ftp://example.org", InvalidBaseUrl::UnsupportedScheme),
            ("wss://example.org", InvalidBaseUrl::UnsupportedScheme),
            ("example.org", InvalidBaseUrl::Syntax),
            ("/_matrix", InvalidBaseUrl::Syntax),
            ("", InvalidBaseUrl::Syntax),
            ("https://", InvalidBaseUrl::Syntax),
            ("https://exa mple.org", InvalidBaseUrl::Syntax),
            ("https://example.org?x=1", InvalidBaseUrl::Query),
            ("https://example.org/#frag", InvalidBaseUrl::Fragment),
            ("https://user:secret@example.org", InvalidBaseUrl::UserInfo),
            ("https://example.org:99999", InvalidBaseUrl::InvalidPort),
            ("https://example.org:", InvalidBaseUrl::InvalidPort),
            ("https://example.org/a/../b", InvalidBaseUrl::DotSegment),
            ("https://example.org/%2E", InvalidBaseUrl::DotSegment),
        ];
        for (input, expected) in cases {
            assert_eq!(BaseUrl::parse(input), Err(expected), "{input}");
        }
    }

    #[test]
    fn error_does_not_echo_input() {
        let err = BaseUrl::parse("https://user:hunter2@example.org").unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
        assert!(!format!("{err:?}").contains("hunter2"));
    }

    #[test]
    fn serde_validates() {
        let url: BaseUrl = serde_json::from_str(r#""https://example.org/""#).unwrap();
        assert_eq!(
            serde_json::to_string(&url).unwrap(),
            r#""https://example.org""#
        );
        assert!(serde_json::from_str::<BaseUrl>(r#""gopher://x""#).is_err());
    }
}
