//! Interpreting HTTP responses.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;

use crate::matrix_error::write_escaping_controls;
use crate::{ErrorBody, ErrorCode, MatrixError, RetryAfter, UiaResponse};

/// An error response, or a response that could not be interpreted.
///
/// `E` is the endpoint's documented endpoint-specific error body
/// ([`Endpoint::Error`](crate::Endpoint::Error)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FromHttpResponseError<E> {
    /// A standard Matrix error (a body with an `errcode`), documented for
    /// the endpoint or not. Boxed to keep `Result`s small.
    #[error(transparent)]
    Matrix(Box<MatrixError>),
    /// A `401` whose body is a user-interactive authentication response:
    /// the server needs (more) authentication, documented for the endpoint
    /// or not. It may carry the `errcode` of a failed stage.
    #[error("{}", UiaSummary(.0))]
    UserInteractiveAuth(Box<UiaResponse>),
    /// A documented endpoint-specific error: a body of the endpoint's own
    /// schema, or a documented status whose body the spec does not describe
    /// (e.g. the `404` of `GET /.well-known/matrix/support`).
    #[error("endpoint-specific error response ({status})")]
    Endpoint {
        /// The HTTP status.
        status: http::StatusCode,
        /// The parsed body.
        body: E,
    },
    /// A response that the endpoint's spec does not describe or that could
    /// not be parsed.
    #[error(transparent)]
    Unexpected(UnexpectedResponse),
}

impl<E> FromHttpResponseError<E> {
    /// The HTTP status of the response.
    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::Matrix(error) => error.status,
            Self::UserInteractiveAuth(_) => http::StatusCode::UNAUTHORIZED,
            Self::Endpoint { status, .. } => *status,
            Self::Unexpected(response) => response.status(),
        }
    }

    /// The standard Matrix error, if this is one.
    pub fn matrix_error(&self) -> Option<&MatrixError> {
        match self {
            Self::Matrix(error) => Some(error),
            Self::UserInteractiveAuth(_) | Self::Endpoint { .. } | Self::Unexpected(_) => None,
        }
    }

    /// The endpoint-specific outcome, if the response is one of the
    /// endpoint's documented error statuses with its own body (or without
    /// a body the spec describes).
    pub fn endpoint_error(&self) -> Option<&E> {
        match self {
            Self::Endpoint { body, .. } => Some(body),
            Self::Matrix(_) | Self::UserInteractiveAuth(_) | Self::Unexpected(_) => None,
        }
    }

    /// The user-interactive authentication response, if the server asked
    /// for (more) authentication. This is the one place to look, whether
    /// or not the endpoint documents its `401`.
    pub fn user_interactive_auth(&self) -> Option<&UiaResponse> {
        match self {
            Self::UserInteractiveAuth(uia) => Some(uia),
            Self::Matrix(_) | Self::Endpoint { .. } | Self::Unexpected(_) => None,
        }
    }

    /// The error code of a standard Matrix error, or of the failed stage of
    /// a user-interactive authentication response.
    pub fn errcode(&self) -> Option<&ErrorCode> {
        match self {
            Self::Matrix(error) => Some(error.errcode()),
            Self::UserInteractiveAuth(uia) => uia.errcode.as_ref(),
            Self::Endpoint { .. } | Self::Unexpected(_) => None,
        }
    }

    /// Converts the endpoint-specific error type.
    pub fn map_endpoint<F>(self, f: impl FnOnce(E) -> F) -> FromHttpResponseError<F> {
        match self {
            Self::Matrix(error) => FromHttpResponseError::Matrix(error),
            Self::UserInteractiveAuth(uia) => FromHttpResponseError::UserInteractiveAuth(uia),
            Self::Endpoint { status, body } => FromHttpResponseError::Endpoint {
                status,
                body: f(body),
            },
            Self::Unexpected(response) => FromHttpResponseError::Unexpected(response),
        }
    }
}

/// Why a response was [unexpected](UnexpectedResponse).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnexpectedReason {
    /// A JSON body was expected but the body is empty (or only whitespace).
    EmptyBody,
    /// The body is not valid JSON of the expected shape.
    InvalidJson(JsonError),
    /// The status is not documented for the endpoint and the body is not a
    /// standard Matrix error (e.g. an HTML page from a reverse proxy).
    UndocumentedStatus,
    /// The status is documented for the endpoint with an error body (the
    /// standard Matrix error or the endpoint's own), but the body is
    /// neither; the error says why it is not a standard Matrix error.
    InvalidErrorBody(JsonError),
    /// A documented response header's value is not UTF-8 text.
    InvalidHeader {
        /// The header name.
        name: String,
    },
}

impl fmt::Display for UnexpectedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyBody => f.write_str("the body is empty, but a JSON body was expected"),
            Self::InvalidJson(error) => {
                write!(
                    f,
                    "the body is not valid JSON of the expected shape: {error}"
                )
            }
            Self::UndocumentedStatus => f.write_str(
                "the status is not documented for this endpoint and the body is not a Matrix error",
            ),
            Self::InvalidErrorBody(error) => write!(
                f,
                "the status is documented for this endpoint, but the body is not the documented error body: {error}"
            ),
            Self::InvalidHeader { name } => {
                write!(f, "the value of the `{name}` header is not UTF-8 text")
            }
        }
    }
}

/// Details of a JSON parse failure.
///
/// `Display` and `Debug` show serde's message with every double-quoted
/// string replaced by `"<redacted>"`: serde quotes values from the input
/// (`invalid type: string "…"`), which may be tokens. The full message is
/// available from [`message`](Self::message).
#[derive(Clone, PartialEq, Eq)]
pub struct JsonError {
    message: String,
    line: usize,
    column: usize,
    category: serde_json::error::Category,
}

impl JsonError {
    fn new(error: &serde_json::Error) -> Self {
        Self {
            message: error.to_string(),
            line: error.line(),
            column: error.column(),
            category: error.classify(),
        }
    }

    /// serde's full message, including the line and column. It may quote
    /// values from the body, so do not log it unfiltered.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line where the error was detected.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column where the error was detected.
    pub fn column(&self) -> usize {
        self.column
    }

    /// The kind of failure: invalid syntax, premature end of input (e.g. a
    /// truncated body), or valid JSON of the wrong shape.
    pub fn category(&self) -> serde_json::error::Category {
        self.category
    }

    fn redacted_message(&self) -> String {
        let mut out = String::with_capacity(self.message.len());
        let mut chars = self.message.chars();
        while let Some(c) = chars.next() {
            if c != '"' {
                out.push(c);
                continue;
            }
            out.push_str("\"<redacted>\"");
            let mut escaped = false;
            for c in chars.by_ref() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => break,
                    _ => {}
                }
            }
        }
        out
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaping_controls(f, &self.redacted_message())
    }
}

impl fmt::Debug for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonError")
            .field("message", &self.redacted_message())
            .field("line", &self.line)
            .field("column", &self.column)
            .field("category", &self.category)
            .finish()
    }
}

/// A response that the endpoint's spec does not describe or that could not
/// be parsed.
///
/// The status, headers and raw body are kept. `Display` and `Debug` show
/// the status, content type, body length and reason only, never the body
/// bytes or headers: a success body that failed to parse (say, from
/// `/refresh`) can contain tokens. Use [`body`](Self::body) or
/// [`body_text_lossy`](Self::body_text_lossy) to inspect it deliberately.
#[derive(Clone)]
pub struct UnexpectedResponse(Box<UnexpectedInner>);

#[derive(Clone)]
struct UnexpectedInner {
    status: http::StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
    reason: UnexpectedReason,
}

impl UnexpectedResponse {
    /// Wraps a response with the reason it is unexpected.
    pub fn new(response: http::Response<Bytes>, reason: UnexpectedReason) -> Self {
        let (parts, body) = response.into_parts();
        Self(Box::new(UnexpectedInner {
            status: parts.status,
            headers: parts.headers,
            body,
            reason,
        }))
    }

    fn from_ref(response: &http::Response<Bytes>, reason: UnexpectedReason) -> Self {
        Self(Box::new(UnexpectedInner {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.body().clone(),
            reason,
        }))
    }

    /// The HTTP status.
    pub fn status(&self) -> http::StatusCode {
        self.0.status
    }

    /// The `Content-Type` header, if present and valid text.
    pub fn content_type(&self) -> Option<&str> {
        self.0
            .headers
            .get(http::header::CONTENT_TYPE)?
            .to_str()
            .ok()
    }

    /// The response headers.
    pub fn headers(&self) -> &http::HeaderMap {
        &self.0.headers
    }

    /// The raw body.
    pub fn body(&self) -> &Bytes {
        &self.0.body
    }

    /// The body as text, with invalid UTF-8 replaced by `U+FFFD`.
    pub fn body_text_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0.body)
    }

    /// Consumes the value, returning the raw body.
    pub fn into_body(self) -> Bytes {
        self.0.body
    }

    /// Why the response is unexpected.
    pub fn reason(&self) -> &UnexpectedReason {
        &self.0.reason
    }

    /// The `Retry-After` header, if present and valid (e.g. on a `503` from
    /// a proxy).
    pub fn retry_after(&self) -> Option<RetryAfter> {
        RetryAfter::from_headers(&self.0.headers)
    }
}

impl fmt::Debug for UnexpectedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnexpectedResponse")
            .field("status", &self.0.status)
            .field("content_type", &self.content_type())
            .field("body_len", &self.0.body.len())
            .field("reason", &self.0.reason)
            .finish()
    }
}

impl fmt::Display for UnexpectedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected HTTP response (status {}, ", self.0.status)?;
        match self.content_type() {
            Some(content_type) => {
                f.write_str("content type ")?;
                write_escaping_controls(f, content_type)?;
            }
            None => f.write_str("no content type")?,
        }
        write!(f, ", {} body bytes): {}", self.0.body.len(), self.0.reason)
    }
}

impl std::error::Error for UnexpectedResponse {}

/// Parses a JSON success body into `T`.
///
/// The `Content-Type` is not checked. An empty (or whitespace-only) body
/// gives [`UnexpectedReason::EmptyBody`]; a body that does not deserialize
/// gives [`UnexpectedReason::InvalidJson`] with serde's message (with line
/// and column). Both keep the status, headers and body in
/// [`FromHttpResponseError::Unexpected`].
pub fn json_response<T: serde::de::DeserializeOwned, E>(
    response: &http::Response<Bytes>,
) -> Result<T, FromHttpResponseError<E>> {
    let body = response.body();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(FromHttpResponseError::Unexpected(
            UnexpectedResponse::from_ref(response, UnexpectedReason::EmptyBody),
        ));
    }
    serde_json::from_slice(body).map_err(|error| {
        FromHttpResponseError::Unexpected(UnexpectedResponse::from_ref(
            response,
            UnexpectedReason::InvalidJson(JsonError::new(&error)),
        ))
    })
}

/// The value of a documented response header, `None` when absent.
///
/// A value that is not UTF-8 text gives [`UnexpectedReason::InvalidHeader`].
/// When the header is repeated, the first value is returned.
pub fn response_header<E>(
    response: &http::Response<Bytes>,
    name: &str,
) -> Result<Option<String>, FromHttpResponseError<E>> {
    match response.headers().get(name) {
        None => Ok(None),
        // `HeaderValue::to_str` accepts visible ASCII only; servers send
        // UTF-8 in e.g. `Content-Disposition` filenames.
        Some(value) => match std::str::from_utf8(value.as_bytes()) {
            Ok(text) => Ok(Some(text.to_owned())),
            Err(_) => Err(FromHttpResponseError::Unexpected(
                UnexpectedResponse::from_ref(
                    response,
                    UnexpectedReason::InvalidHeader {
                        name: name.to_owned(),
                    },
                ),
            )),
        },
    }
}

/// Interprets an error status for which the endpoint documents its own body
/// type `T`: a body of that shape becomes
/// [`FromHttpResponseError::Endpoint`] (wrapped by `variant`); anything else
/// is interpreted like [`documented_error_response`], so a standard Matrix
/// error on that status (e.g. `M_UNKNOWN_TOKEN` with `soft_logout` on a 401
/// whose documented body is a user-interactive auth response) stays a
/// Matrix error.
pub fn endpoint_error_response<T: serde::de::DeserializeOwned, E>(
    response: http::Response<Bytes>,
    variant: impl FnOnce(T) -> E,
) -> FromHttpResponseError<E> {
    match serde_json::from_slice::<T>(response.body()) {
        Ok(body) => FromHttpResponseError::Endpoint {
            status: response.status(),
            body: variant(body),
        },
        Err(_) => documented_error_response(response),
    }
}

/// Interprets a documented error status whose body the spec does not
/// describe (e.g. "404: No server support information available"): a
/// standard Matrix error or user-interactive auth body is still recognised
/// as such; any other body (none, an HTML page) becomes
/// [`FromHttpResponseError::Endpoint`] with `outcome`, the endpoint's
/// variant for that status. The body is not kept: the spec gives it no
/// meaning.
pub fn documented_status_response<E>(
    response: http::Response<Bytes>,
    outcome: E,
) -> FromHttpResponseError<E> {
    match recognised_error(response) {
        Ok(error) => error,
        Err((response, _)) => FromHttpResponseError::Endpoint {
            status: response.status(),
            body: outcome,
        },
    }
}

/// Interprets a status that the endpoint documents with the standard Matrix
/// error body.
///
/// A JSON object with a string `errcode` becomes
/// [`FromHttpResponseError::Matrix`] (status kept, `Retry-After` header
/// parsed), a user-interactive auth body on a `401`
/// [`FromHttpResponseError::UserInteractiveAuth`]; anything else becomes
/// [`FromHttpResponseError::Unexpected`] with
/// [`UnexpectedReason::InvalidErrorBody`] saying why the body is not a
/// Matrix error, keeping the status and raw body.
pub fn documented_error_response<E>(response: http::Response<Bytes>) -> FromHttpResponseError<E> {
    match recognised_error(response) {
        Ok(error) => error,
        Err((response, why)) => FromHttpResponseError::Unexpected(UnexpectedResponse::new(
            response,
            UnexpectedReason::InvalidErrorBody(why),
        )),
    }
}

/// Interprets a status the endpoint does not document.
///
/// Like [`documented_error_response`], but a body that is not a Matrix
/// error gives [`UnexpectedReason::UndocumentedStatus`].
pub fn error_response<E>(response: http::Response<Bytes>) -> FromHttpResponseError<E> {
    match recognised_error(response) {
        Ok(error) => error,
        Err((response, _)) => FromHttpResponseError::Unexpected(UnexpectedResponse::new(
            response,
            UnexpectedReason::UndocumentedStatus,
        )),
    }
}

/// The error bodies every endpoint may answer with: the standard Matrix
/// error, and user-interactive auth on a `401` (which may carry the
/// `errcode` of a failed stage, so a Matrix error with `flows` is read again
/// as one). Otherwise the response back, with why it is not a Matrix error.
/// The common `401` (`M_UNKNOWN_TOKEN`) is parsed once.
#[allow(clippy::result_large_err)] // the Err is the response handed back, not an error
fn recognised_error<E>(
    response: http::Response<Bytes>,
) -> Result<FromHttpResponseError<E>, (http::Response<Bytes>, JsonError)> {
    let may_be_uia = response.status() == http::StatusCode::UNAUTHORIZED;
    let uia = |response: &http::Response<Bytes>| {
        serde_json::from_slice::<UiaResponse>(response.body())
            .ok()
            .map(|uia| FromHttpResponseError::UserInteractiveAuth(Box::new(uia)))
    };
    match serde_json::from_slice::<ErrorBody>(response.body()) {
        Ok(body) => {
            if may_be_uia
                && body.extra.contains_key("flows")
                && let Some(uia) = uia(&response)
            {
                return Ok(uia);
            }
            Ok(FromHttpResponseError::Matrix(Box::new(MatrixError {
                status: response.status(),
                retry_after_header: RetryAfter::from_headers(response.headers()),
                body,
            })))
        }
        Err(error) => match may_be_uia.then(|| uia(&response)).flatten() {
            Some(uia) => Ok(uia),
            None => Err((response, JsonError::new(&error))),
        },
    }
}

/// `Display` of a user-interactive auth response: that authentication is
/// needed, and the failed stage's code and message if any (escaped, as
/// they are the server's text).
struct UiaSummary<'a>(&'a UiaResponse);

impl fmt::Display for UiaSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("user-interactive authentication required (401 Unauthorized)")?;
        if let Some(errcode) = &self.0.errcode {
            f.write_str(": ")?;
            write_escaping_controls(f, errcode.as_str())?;
        }
        if let Some(message) = &self.0.error {
            f.write_str(": ")?;
            write_escaping_controls(f, message)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::convert::Infallible;
    use std::time::Duration;

    use super::*;

    fn response(status: u16, content_type: Option<&str>, body: &[u8]) -> http::Response<Bytes> {
        let mut builder = http::Response::builder().status(status);
        if let Some(content_type) = content_type {
            builder = builder.header(http::header::CONTENT_TYPE, content_type);
        }
        builder.body(Bytes::copy_from_slice(body)).unwrap()
    }

    #[derive(Debug, serde::Deserialize)]
    struct Refresh {
        access_token: String,
        #[allow(dead_code)]
        expires_in_ms: u64,
    }

    #[test]
    fn json_success() {
        let r = response(
            200,
            Some("application/json"),
            br#"{"access_token":"a","expires_in_ms":5}"#,
        );
        let parsed: Refresh = json_response::<_, Infallible>(&r).unwrap();
        assert_eq!(parsed.access_token, "a");
    }

    #[test]
    fn empty_body_is_unexpected() {
        for body in [&b""[..], b"  \r\n"] {
            let r = response(200, Some("application/json"), body);
            let err = json_response::<Refresh, Infallible>(&r).unwrap_err();
            let FromHttpResponseError::Unexpected(unexpected) = err else {
                panic!("expected Unexpected");
            };
            assert_eq!(unexpected.reason(), &UnexpectedReason::EmptyBody);
            assert_eq!(unexpected.status(), http::StatusCode::OK);
        }
    }

    #[test]
    fn invalid_json_keeps_body_but_never_prints_it() {
        let secret = "syt_SECRET_TOKEN";
        let body = format!(r#"{{"access_token":"{secret}","expires_in_ms":"{secret}"}}"#);
        let r = response(200, Some("application/json"), body.as_bytes());
        let err = json_response::<Refresh, Infallible>(&r).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("200 OK"), "{text}");
        assert!(text.contains(&body.len().to_string()), "{text}");
        let FromHttpResponseError::Unexpected(unexpected) = err else {
            panic!("expected Unexpected");
        };
        assert_eq!(unexpected.body().as_ref(), body.as_bytes());
        assert_eq!(unexpected.body_text_lossy(), body);
        let UnexpectedReason::InvalidJson(json) = unexpected.reason() else {
            panic!("expected InvalidJson");
        };
        assert_eq!(json.category(), serde_json::error::Category::Data);
        assert_eq!(json.line(), 1);
        assert!(json.message().contains(secret));
        assert!(
            json.to_string()
                .contains("invalid type: string \"<redacted>\""),
            "{json}"
        );
        assert!(json.to_string().contains("line 1 column"), "{json}");
    }

    #[test]
    fn truncated_json() {
        let r = response(200, Some("application/json"), br#"{"access_token":"abc"#);
        let err = json_response::<Refresh, Infallible>(&r).unwrap_err();
        let FromHttpResponseError::Unexpected(unexpected) = err else {
            panic!("expected Unexpected");
        };
        let UnexpectedReason::InvalidJson(json) = unexpected.reason() else {
            panic!("expected InvalidJson");
        };
        assert_eq!(json.category(), serde_json::error::Category::Eof);
    }

    #[test]
    fn redaction_handles_escapes() {
        let json = JsonError {
            message: r#"invalid type: string "a\"b\\", expected u64 at line 1 column 9"#.into(),
            line: 1,
            column: 9,
            category: serde_json::error::Category::Data,
        };
        assert_eq!(
            json.to_string(),
            r#"invalid type: string "<redacted>", expected u64 at line 1 column 9"#
        );
        let unterminated = JsonError {
            message: r#"x "abc"#.into(),
            ..json
        };
        assert_eq!(unterminated.to_string(), r#"x "<redacted>""#);
    }

    #[test]
    fn matrix_errors() {
        let r = http::Response::builder()
            .status(429)
            .header(http::header::RETRY_AFTER, "5")
            .body(Bytes::from_static(
                br#"{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":1000}"#,
            ))
            .unwrap();
        let err = error_response::<Infallible>(r);
        assert_eq!(err.status(), http::StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(err.errcode(), Some(&ErrorCode::LimitExceeded));
        let matrix = err.matrix_error().unwrap();
        assert_eq!(
            matrix.retry_after(),
            Some(RetryAfter::Delay(Duration::from_secs(5)))
        );
        assert_eq!(
            err.to_string(),
            "M_LIMIT_EXCEEDED (429 Too Many Requests): slow down"
        );
    }

    #[test]
    fn non_matrix_errors_are_unexpected() {
        for body in [
            &b"<html>Bad Gateway</html>"[..],
            b"",
            br#"{"error":"no code"}"#,
            br#"{"errcode":5}"#,
            br#"["M_FORBIDDEN"]"#,
            b"\xff\xfe",
        ] {
            let r = response(502, Some("text/html"), body);
            let err = error_response::<Infallible>(r);
            assert_eq!(err.status(), http::StatusCode::BAD_GATEWAY);
            assert!(err.matrix_error().is_none());
            let FromHttpResponseError::Unexpected(unexpected) = &err else {
                panic!("expected Unexpected");
            };
            assert_eq!(unexpected.reason(), &UnexpectedReason::UndocumentedStatus);
            assert_eq!(unexpected.body().as_ref(), body);
            assert_eq!(unexpected.content_type(), Some("text/html"));
            assert_eq!(
                err.to_string(),
                format!(
                    "unexpected HTTP response (status 502 Bad Gateway, content type text/html, {} body bytes): \
                     the status is not documented for this endpoint and the body is not a Matrix error",
                    body.len()
                )
            );
        }
    }

    #[test]
    fn user_interactive_auth_on_any_401() {
        let body = br#"{"flows":[{"stages":["m.login.password"]}],"session":"s","errcode":"M_FORBIDDEN","error":"Invalid password"}"#;
        for err in [
            error_response::<Infallible>(response(401, Some("application/json"), body)),
            documented_error_response::<Infallible>(response(401, None, body)),
        ] {
            let uia = err.user_interactive_auth().unwrap();
            assert_eq!(uia.session.as_deref(), Some("s"));
            assert_eq!(err.errcode(), Some(&ErrorCode::Forbidden));
            assert_eq!(err.status(), http::StatusCode::UNAUTHORIZED);
            assert!(err.matrix_error().is_none());
            assert_eq!(
                err.to_string(),
                "user-interactive authentication required (401 Unauthorized): M_FORBIDDEN: Invalid password"
            );
        }
        // Not on other statuses, and a soft logout stays a Matrix error.
        let err = error_response::<Infallible>(response(403, None, body));
        assert!(err.user_interactive_auth().is_none());
        assert_eq!(err.errcode(), Some(&ErrorCode::Forbidden));
        let soft_logout = br#"{"errcode":"M_UNKNOWN_TOKEN","soft_logout":true}"#;
        let err = error_response::<Infallible>(response(401, None, soft_logout));
        assert!(err.matrix_error().unwrap().is_soft_logout());
    }

    #[test]
    fn documented_status_without_body() {
        #[derive(Debug, PartialEq)]
        enum SupportError {
            NotFound,
        }
        let err = documented_status_response(
            response(404, Some("text/html"), b"<html>Not found</html>"),
            SupportError::NotFound,
        );
        let FromHttpResponseError::Endpoint { status, body } = err else {
            panic!("expected the documented outcome, got {err:?}");
        };
        assert_eq!((status.as_u16(), body), (404, SupportError::NotFound));
        // A server that sends a Matrix error there keeps it.
        let err = documented_status_response(
            response(404, None, br#"{"errcode":"M_NOT_FOUND"}"#),
            SupportError::NotFound,
        );
        assert_eq!(err.errcode(), Some(&ErrorCode::NotFound));
    }

    #[test]
    fn documented_error_status_with_another_body_says_why() {
        let err = documented_error_response::<Infallible>(response(
            403,
            Some("text/html"),
            b"<html>Forbidden</html>",
        ));
        let FromHttpResponseError::Unexpected(unexpected) = &err else {
            panic!("expected Unexpected");
        };
        assert!(matches!(
            unexpected.reason(),
            UnexpectedReason::InvalidErrorBody(json) if json.category() == serde_json::error::Category::Syntax
        ));
        assert!(
            err.to_string().contains(
                "the status is documented for this endpoint, but the body is not the documented error body: expected value at line 1 column 1"
            ),
            "{err}"
        );
    }

    #[test]
    fn map_endpoint_error() {
        let err: FromHttpResponseError<u8> = FromHttpResponseError::Endpoint {
            status: http::StatusCode::UNAUTHORIZED,
            body: 7,
        };
        assert_eq!(
            err.to_string(),
            "endpoint-specific error response (401 Unauthorized)"
        );
        let mapped = err.map_endpoint(u32::from);
        assert!(matches!(
            mapped,
            FromHttpResponseError::Endpoint { body: 7u32, .. }
        ));
    }
}
