//! The standard Matrix error response.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use crate::ErrorCode;

/// The standard Matrix error body, exactly as on the wire.
///
/// Round-trips through serde: absent fields stay absent, and every field
/// that is unknown — or known but of an unexpected JSON type, such as a
/// numeric `error` — is kept in [`extra`](Self::extra) and serialized back
/// unchanged. Deserialization only requires a JSON object with a string
/// `errcode`.
///
/// `extra` must not contain the keys of the named fields, or they would be
/// serialized twice.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ErrorBody {
    /// The error code, e.g. `M_FORBIDDEN`.
    pub errcode: ErrorCode,
    /// A human-readable message from the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// With `M_UNKNOWN_TOKEN`: whether the client may refresh or log in
    /// again without losing its device (a "soft logout").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_logout: Option<bool>,
    /// With `M_LIMIT_EXCEEDED`: how long to wait before retrying, in
    /// milliseconds. Deprecated in favour of the `Retry-After` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    /// All other fields of the body, such as `admin_contact` or
    /// `limit_type`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ErrorBody {
    /// A body with just an error code.
    pub fn new(errcode: ErrorCode) -> Self {
        Self {
            errcode,
            error: None,
            soft_logout: None,
            retry_after_ms: None,
            extra: Map::new(),
        }
    }
}

/// The keys of [`ErrorBody`]'s named fields, recognised without allocating;
/// any other key is kept for [`ErrorBody::extra`].
enum Key {
    Errcode,
    Error,
    SoftLogout,
    RetryAfterMs,
    Other(String),
}

impl Key {
    fn of(key: &str) -> Self {
        match key {
            "errcode" => Self::Errcode,
            "error" => Self::Error,
            "soft_logout" => Self::SoftLogout,
            "retry_after_ms" => Self::RetryAfterMs,
            _ => Self::Other(key.to_owned()),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(Key::of(key))
            }
            fn visit_string<E: serde::de::Error>(self, key: String) -> Result<Key, E> {
                Ok(match Key::of(&key) {
                    Key::Other(_) => Key::Other(key),
                    known => known,
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Puts `value` back into `extra` under `key` when `convert` rejects it
/// (a known field of an unexpected JSON type).
fn typed_or_extra<T>(
    extra: &mut Map<String, Value>,
    key: &str,
    value: Option<Value>,
    convert: impl FnOnce(Value) -> Result<T, Value>,
) -> Option<T> {
    match convert(value?) {
        Ok(typed) => Some(typed),
        Err(value) => {
            extra.insert(key.to_owned(), value);
            None
        }
    }
}

/// Reads the object in one pass: the named fields' values are taken when
/// their type matches and left in `extra` otherwise; `errcode` must be a
/// string. For a key given twice the last value counts, as when reading
/// into a JSON object map.
struct ErrorBodyVisitor;

impl<'de> serde::de::Visitor<'de> for ErrorBodyVisitor {
    type Value = ErrorBody;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Matrix error object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ErrorBody, A::Error> {
        let (mut errcode, mut error, mut soft_logout, mut retry_after_ms) =
            (None, None, None, None);
        let mut extra = Map::new();
        while let Some(key) = map.next_key::<Key>()? {
            let value: Value = map.next_value()?;
            match key {
                Key::Errcode => errcode = Some(value),
                Key::Error => error = Some(value),
                Key::SoftLogout => soft_logout = Some(value),
                Key::RetryAfterMs => retry_after_ms = Some(value),
                Key::Other(key) => {
                    extra.insert(key, value);
                }
            }
        }
        let errcode = match errcode {
            Some(Value::String(code)) => ErrorCode::from(code),
            Some(_) => return Err(serde::de::Error::custom("`errcode` is not a string")),
            None => return Err(serde::de::Error::missing_field("errcode")),
        };
        let error = typed_or_extra(&mut extra, "error", error, |v| match v {
            Value::String(text) => Ok(text),
            other => Err(other),
        });
        let soft_logout = typed_or_extra(&mut extra, "soft_logout", soft_logout, |v| {
            v.as_bool().ok_or(v)
        });
        let retry_after_ms = typed_or_extra(&mut extra, "retry_after_ms", retry_after_ms, |v| {
            v.as_u64().ok_or(v)
        });
        Ok(ErrorBody {
            errcode,
            error,
            soft_logout,
            retry_after_ms,
            extra,
        })
    }
}

impl<'de> serde::Deserialize<'de> for ErrorBody {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ErrorBodyVisitor)
    }
}

/// When to retry a request, from a `Retry-After` header or a
/// `retry_after_ms` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// Retry after this delay.
    Delay(Duration),
    /// Retry at (or after) this time.
    At(SystemTime),
}

impl RetryAfter {
    /// Parses a `Retry-After` header value: `delta-seconds` (digits only)
    /// or an HTTP-date. Returns `None` for anything else.
    ///
    /// ```
    /// use std::time::Duration;
    /// use matrix_csapi_runtime::RetryAfter;
    ///
    /// assert_eq!(RetryAfter::parse("120"), Some(RetryAfter::Delay(Duration::from_secs(120))));
    /// assert!(matches!(
    ///     RetryAfter::parse("Wed, 21 Oct 2015 07:28:00 GMT"),
    ///     Some(RetryAfter::At(_))
    /// ));
    /// assert_eq!(RetryAfter::parse("soon"), None);
    /// ```
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value.is_empty() {
            None
        } else if value.bytes().all(|b| b.is_ascii_digit()) {
            value
                .parse::<u64>()
                .ok()
                .map(|secs| Self::Delay(Duration::from_secs(secs)))
        } else {
            httpdate::parse_http_date(value).ok().map(Self::At)
        }
    }

    /// The first `Retry-After` header of `headers`, if present and valid.
    pub fn from_headers(headers: &http::HeaderMap) -> Option<Self> {
        let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
        Self::parse(value)
    }

    /// How long to wait, counted from `now`; zero for a time in the past.
    pub fn delay_from(&self, now: SystemTime) -> Duration {
        match self {
            Self::Delay(delay) => *delay,
            Self::At(at) => at.duration_since(now).unwrap_or(Duration::ZERO),
        }
    }

    /// How long to wait from now; zero for a time in the past.
    pub fn delay(&self) -> Duration {
        self.delay_from(SystemTime::now())
    }
}

/// A standard Matrix error response: a body with an `errcode`, with its
/// HTTP status and `Retry-After` header.
///
/// `Display` reads like `M_FORBIDDEN (403 Forbidden): refresh token isn't
/// valid anymore` (control characters in the server's code and message are
/// escaped).
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixError {
    /// The HTTP status of the response.
    pub status: http::StatusCode,
    /// The error body.
    pub body: ErrorBody,
    /// The parsed `Retry-After` header, if the response had a valid one.
    pub retry_after_header: Option<RetryAfter>,
}

impl MatrixError {
    /// The error code.
    pub fn errcode(&self) -> &ErrorCode {
        &self.body.errcode
    }

    /// The server's human-readable message.
    pub fn message(&self) -> Option<&str> {
        self.body.error.as_deref()
    }

    /// Whether the body says `"soft_logout": true`.
    pub fn is_soft_logout(&self) -> bool {
        self.body.soft_logout == Some(true)
    }

    /// When to retry: the `Retry-After` header if present and valid,
    /// otherwise the body's `retry_after_ms`.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        self.retry_after_header.or_else(|| {
            self.body
                .retry_after_ms
                .map(|ms| RetryAfter::Delay(Duration::from_millis(ms)))
        })
    }
}

impl fmt::Display for MatrixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An unknown code is the server's text, like the message.
        write_escaping_controls(f, self.body.errcode.as_str())?;
        write!(f, " ({})", self.status)?;
        if let Some(message) = self.message() {
            f.write_str(": ")?;
            write_escaping_controls(f, message)?;
        }
        Ok(())
    }
}

impl std::error::Error for MatrixError {}

/// Writes `s`, escaping control characters so a server message cannot
/// forge log lines or terminal escapes.
pub(crate) fn write_escaping_controls(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    for c in s.chars() {
        if c.is_control() {
            write!(f, "{}", c.escape_default())?;
        } else {
            fmt::Write::write_char(f, c)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::json;

    fn round_trip(value: Value) -> ErrorBody {
        let body: ErrorBody = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), value);
        body
    }

    #[test]
    fn error_body_round_trips() {
        let body = round_trip(json!({"errcode": "M_FORBIDDEN"}));
        assert_eq!(body, ErrorBody::new(ErrorCode::Forbidden));

        let body = round_trip(json!({
            "errcode": "M_UNKNOWN_TOKEN",
            "error": "Token expired",
            "soft_logout": false,
        }));
        assert_eq!(body.soft_logout, Some(false));
        assert_eq!(body.retry_after_ms, None);

        let body = round_trip(json!({
            "errcode": "M_RESOURCE_LIMIT_EXCEEDED",
            "error": "MAU",
            "admin_contact": "mailto:a@b",
            "limit_type": "monthly_active_user",
            "nested": {"a": [1, 2]},
        }));
        assert_eq!(body.extra.len(), 3);
        assert_eq!(body.extra["limit_type"], "monthly_active_user");

        let body = round_trip(json!({"errcode": "ORG_X", "retry_after_ms": 1500}));
        assert_eq!(body.errcode.as_str(), "ORG_X");
        assert_eq!(body.retry_after_ms, Some(1500));
    }

    #[test]
    fn mistyped_known_fields_are_kept_in_extra() {
        let body = round_trip(json!({
            "errcode": "M_UNKNOWN",
            "error": 42,
            "soft_logout": "yes",
            "retry_after_ms": -5,
        }));
        assert_eq!(body.error, None);
        assert_eq!(body.soft_logout, None);
        assert_eq!(body.retry_after_ms, None);
        assert_eq!(body.extra.len(), 3);
    }

    #[test]
    fn error_body_requires_string_errcode() {
        assert!(serde_json::from_value::<ErrorBody>(json!({"error": "x"})).is_err());
        assert!(serde_json::from_value::<ErrorBody>(json!({"errcode": 1})).is_err());
        assert!(serde_json::from_value::<ErrorBody>(json!(["M_FORBIDDEN"])).is_err());
        assert!(serde_json::from_value::<ErrorBody>(json!("M_FORBIDDEN")).is_err());
    }

    #[test]
    fn display_and_accessors() {
        let mut body = ErrorBody::new(ErrorCode::Forbidden);
        body.error = Some("refresh token isn't valid anymore".into());
        let error = MatrixError {
            status: http::StatusCode::FORBIDDEN,
            body,
            retry_after_header: None,
        };
        assert_eq!(
            error.to_string(),
            "M_FORBIDDEN (403 Forbidden): refresh token isn't valid anymore"
        );
        assert_eq!(error.errcode(), &ErrorCode::Forbidden);
        assert_eq!(error.message(), Some("refresh token isn't valid anymore"));
        assert!(!error.is_soft_logout());
        assert_eq!(error.retry_after(), None);

        let error = MatrixError {
            status: http::StatusCode::UNAUTHORIZED,
            body: ErrorBody {
                error: Some("line\nbreak\u{1b}[31m".into()),
                soft_logout: Some(true),
                ..ErrorBody::new(ErrorCode::UnknownToken)
            },
            retry_after_header: None,
        };
        assert!(error.is_soft_logout());
        assert_eq!(
            error.to_string(),
            "M_UNKNOWN_TOKEN (401 Unauthorized): line\\nbreak\\u{1b}[31m"
        );
        let error = MatrixError {
            status: http::StatusCode::BAD_REQUEST,
            body: ErrorBody::new(ErrorCode::from("ORG_X\n\u{7f}\u{9b}31m")),
            retry_after_header: None,
        };
        assert_eq!(
            error.to_string(),
            "ORG_X\\n\\u{7f}\\u{9b}31m (400 Bad Request)"
        );
        let error = MatrixError {
            status: http::StatusCode::NOT_FOUND,
            body: ErrorBody::new(ErrorCode::NotFound),
            retry_after_header: None,
        };
        assert_eq!(error.to_string(), "M_NOT_FOUND (404 Not Found)");
    }

    #[test]
    fn retry_after_parsing() {
        assert_eq!(
            RetryAfter::parse(" 7 "),
            Some(RetryAfter::Delay(Duration::from_secs(7)))
        );
        assert_eq!(
            RetryAfter::parse("0"),
            Some(RetryAfter::Delay(Duration::ZERO))
        );
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(
            RetryAfter::parse("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(RetryAfter::At(at))
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "1e3",
            "99999999999999999999999",
            "tomorrow",
        ] {
            assert_eq!(RetryAfter::parse(bad), None, "{bad}");
        }

        let mut headers = http::HeaderMap::new();
        assert_eq!(RetryAfter::from_headers(&headers), None);
        headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("3"),
        );
        assert_eq!(
            RetryAfter::from_headers(&headers),
            Some(RetryAfter::Delay(Duration::from_secs(3)))
        );
    }

    #[test]
    fn retry_after_delay() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let later = RetryAfter::At(now + Duration::from_secs(30));
        assert_eq!(later.delay_from(now), Duration::from_secs(30));
        let past = RetryAfter::At(now - Duration::from_secs(30));
        assert_eq!(past.delay_from(now), Duration::ZERO);
        assert_eq!(past.delay(), Duration::ZERO);
        let delay = RetryAfter::Delay(Duration::from_millis(1500));
        assert_eq!(delay.delay_from(now), Duration::from_millis(1500));
    }

    #[test]
    fn header_wins_over_body() {
        let body = ErrorBody {
            retry_after_ms: Some(2000),
            ..ErrorBody::new(ErrorCode::LimitExceeded)
        };
        let mut error = MatrixError {
            status: http::StatusCode::TOO_MANY_REQUESTS,
            body,
            retry_after_header: None,
        };
        assert_eq!(
            error.retry_after(),
            Some(RetryAfter::Delay(Duration::from_millis(2000)))
        );
        error.retry_after_header = Some(RetryAfter::Delay(Duration::from_secs(9)));
        assert_eq!(
            error.retry_after(),
            Some(RetryAfter::Delay(Duration::from_secs(9)))
        );
    }
}
