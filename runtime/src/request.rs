//! Building HTTP requests.

use std::fmt;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

use crate::{AccessToken, AuthScheme, BaseUrl, Metadata};

/// An error while turning a request into an [`http::Request`].
///
/// No variant's output includes an access token, the request body or the
/// full URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IntoHttpError {
    /// The endpoint requires an access token (or application-service token)
    /// but none was given.
    #[error("endpoint `{operation_id}` requires an access token, but none was provided")]
    MissingAccessToken {
        /// The endpoint's `operationId`.
        operation_id: &'static str,
    },
    /// The access token contains characters that cannot appear in an HTTP
    /// header (e.g. a newline).
    #[error("the access token contains characters that are not allowed in an HTTP header")]
    InvalidAccessToken,
    /// The request body could not be serialized as JSON.
    #[error("failed to serialize the request body as JSON: {0}")]
    Json(serde_json::Error),
    /// A path parameter is `.` or `..`. Such a segment cannot be sent
    /// safely: URL parsers and servers resolve it, which would send the
    /// request to a different endpoint.
    #[error(
        "a path parameter is '.' or '..', which would change the request path; refusing to send"
    )]
    DotSegmentInPath,
    /// The path and query passed to [`build_request`] do not start with `/`
    /// or contain a `#`.
    #[error("the request path must start with '/' and must not contain '#'")]
    InvalidPathAndQuery,
    /// The URL is not a valid URI.
    #[error("the request URL is invalid: {0}")]
    InvalidUri(http::uri::InvalidUri),
    /// The URL would be changed by the HTTP client's URL parser
    /// (normalization), so the server would not see the path and query
    /// that were built.
    #[error("the request URL would be rewritten by URL normalization; refusing to send")]
    NonCanonicalUrl,
    /// A header value contains characters not allowed in HTTP headers.
    #[error("the value of the `{name}` header contains characters not allowed in HTTP headers")]
    InvalidHeaderValue {
        /// The header name.
        name: String,
    },
    /// A parameter value cannot be represented in the request.
    #[error("invalid value for parameter `{name}`: {message}")]
    InvalidParameter {
        /// The parameter name, as in the spec.
        name: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// A value is outside the bounds its schema gives (`minimum`,
    /// `maximum`, `exclusiveMinimum`, `exclusiveMaximum`; durations in
    /// milliseconds, as on the wire): refused rather than sent.
    #[error("`{name}` is {value}{unit}, outside the allowed range {}", range(*.min, *.max, unit))]
    OutOfRange {
        /// The field or parameter name, as on the wire.
        name: &'static str,
        /// The value as it would be sent.
        value: i128,
        /// The smallest allowed value, if bounded below.
        min: Option<i64>,
        /// The largest allowed value, if bounded above.
        max: Option<i64>,
        /// `" ms"` for durations, else empty.
        unit: &'static str,
    },
    /// An error from the `http` crate while assembling the request.
    #[error("failed to build the HTTP request: {0}")]
    Http(http::Error),
}

/// `[1000 ms, ...)`-style text for [`IntoHttpError::OutOfRange`].
fn range(min: Option<i64>, max: Option<i64>, unit: &str) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min}{unit} to {max}{unit}"),
        (Some(min), None) => format!("at least {min}{unit}"),
        (None, Some(max)) => format!("at most {max}{unit}"),
        (None, None) => "unbounded".to_owned(),
    }
}

/// Checks a value against its schema's bounds (inclusive; the generator
/// turns exclusive bounds of integers into inclusive ones) before a request
/// is built. `None` (an unset optional value) is always allowed.
pub fn check_bounds(
    name: &'static str,
    value: Option<i128>,
    min: Option<i64>,
    max: Option<i64>,
    unit: &'static str,
) -> Result<(), IntoHttpError> {
    let Some(value) = value else { return Ok(()) };
    let below = min.is_some_and(|min| value < i128::from(min));
    let above = max.is_some_and(|max| value > i128::from(max));
    if below || above {
        return Err(IntoHttpError::OutOfRange {
            name,
            value,
            min,
            max,
            unit,
        });
    }
    Ok(())
}

impl From<serde_json::Error> for IntoHttpError {
    fn from(error: serde_json::Error) -> Self {
        Self::Json(error)
    }
}

impl From<http::uri::InvalidUri> for IntoHttpError {
    fn from(error: http::uri::InvalidUri) -> Self {
        Self::InvalidUri(error)
    }
}

impl From<http::Error> for IntoHttpError {
    fn from(error: http::Error) -> Self {
        Self::Http(error)
    }
}

/// The body of a request.
///
/// `Debug` prints the length only: bodies carry passwords and tokens
/// (`/login`, `/refresh`, user-interactive authentication).
#[derive(Clone, PartialEq, Eq)]
pub enum RequestBody {
    /// No body, and no `Content-Type` header.
    Empty,
    /// A serialized JSON body, sent with `Content-Type: application/json`.
    Json(Bytes),
    /// Raw bytes with their content type (e.g. a media upload).
    Raw {
        /// The `Content-Type` header value.
        content_type: String,
        /// The bytes to send.
        data: Bytes,
    },
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Empty"),
            Self::Json(data) => f.debug_struct("Json").field("len", &data.len()).finish(),
            Self::Raw { content_type, data } => f
                .debug_struct("Raw")
                .field("content_type", content_type)
                .field("len", &data.len())
                .finish(),
        }
    }
}

/// Serializes `value` as a JSON request body.
pub fn json_body<T: serde::Serialize + ?Sized>(value: &T) -> Result<RequestBody, IntoHttpError> {
    Ok(RequestBody::Json(Bytes::from(serde_json::to_vec(value)?)))
}

/// Sets a header parameter on a built request (replacing any value).
///
/// Fails with [`IntoHttpError::InvalidHeaderValue`] when `value` cannot be
/// an HTTP header value (e.g. it contains a newline).
pub fn insert_header(
    request: &mut http::Request<Bytes>,
    name: &str,
    value: &str,
) -> Result<(), IntoHttpError> {
    let invalid = || IntoHttpError::InvalidHeaderValue {
        name: name.to_owned(),
    };
    let name = http::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
    let value = HeaderValue::try_from(value).map_err(|_| invalid())?;
    request.headers_mut().insert(name, value);
    Ok(())
}

/// Assembles an HTTP request for an endpoint.
///
/// * URL: `base_url` followed by `path_and_query`, which must start with `/`
///   (build it with [`PathBuilder`](crate::PathBuilder) and
///   [`QueryBuilder`](crate::QueryBuilder)). A `.` or `..` path segment is
///   refused with [`IntoHttpError::DotSegmentInPath`].
/// * Authentication, by [`Metadata::auth`]:
///   [`None`](AuthScheme::None) never sends an `Authorization` header, even
///   when a token is given; [`AccessToken`](AuthScheme::AccessToken) and
///   [`AppserviceToken`](AuthScheme::AppserviceToken) send
///   `Authorization: Bearer <token>` and fail with
///   [`IntoHttpError::MissingAccessToken`] without a token;
///   [`OptionalAccessToken`](AuthScheme::OptionalAccessToken) sends the
///   header when a token is given. The header value is marked
///   [sensitive](HeaderValue::set_sensitive). Tokens are never put into the
///   query string.
/// * Body: [`RequestBody::Json`] adds `Content-Type: application/json`,
///   [`RequestBody::Raw`] its own content type, [`RequestBody::Empty`] no
///   content type.
/// * No `Accept` header is sent: homeservers do not negotiate content types,
///   and some endpoints (media downloads) answer with arbitrary types.
///   Add headers to the returned request if you need them.
/// * The HTTP version is left to the transport; `Content-Length` is set by
///   the transport from the body.
pub fn build_request(
    metadata: &Metadata,
    base_url: &BaseUrl,
    path_and_query: &str,
    access_token: Option<&AccessToken>,
    body: RequestBody,
) -> Result<http::Request<Bytes>, IntoHttpError> {
    if !path_and_query.starts_with('/') || path_and_query.contains('#') {
        return Err(IntoHttpError::InvalidPathAndQuery);
    }
    let path = path_and_query
        .split_once('?')
        .map_or(path_and_query, |(path, _)| path);
    if path.split('/').any(crate::path::is_dot_segment) {
        return Err(IntoHttpError::DotSegmentInPath);
    }
    let uri: http::Uri = format!("{}{}", base_url.as_str(), path_and_query).parse()?;

    let token = match metadata.auth {
        AuthScheme::None => None,
        AuthScheme::AccessToken | AuthScheme::AppserviceToken => {
            Some(access_token.ok_or(IntoHttpError::MissingAccessToken {
                operation_id: metadata.operation_id,
            })?)
        }
        AuthScheme::OptionalAccessToken => access_token,
    };

    let (content_type, bytes) = match body {
        RequestBody::Empty => (None, Bytes::new()),
        RequestBody::Json(data) => (Some(HeaderValue::from_static("application/json")), data),
        RequestBody::Raw { content_type, data } => {
            let value = HeaderValue::try_from(content_type).map_err(|_| {
                IntoHttpError::InvalidHeaderValue {
                    name: CONTENT_TYPE.as_str().to_owned(),
                }
            })?;
            (Some(value), data)
        }
    };

    let mut request = http::Request::new(bytes);
    *request.method_mut() = metadata.method.clone();
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    if let Some(token) = token {
        let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose_secret()))
            .map_err(|_| IntoHttpError::InvalidAccessToken)?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    if let Some(content_type) = content_type {
        headers.insert(CONTENT_TYPE, content_type);
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn bounds_refuse_values_outside_and_name_the_field() {
        assert!(check_bounds("a", None, Some(1000), None, " ms").is_ok());
        assert!(check_bounds("a", Some(1000), Some(1000), Some(2000), " ms").is_ok());
        assert!(check_bounds("a", Some(2000), Some(1000), Some(2000), " ms").is_ok());
        let error = check_bounds(
            "com.example.lifetime_ms",
            Some(999),
            Some(1000),
            None,
            " ms",
        )
        .unwrap_err();
        assert!(matches!(
            error,
            IntoHttpError::OutOfRange { value: 999, .. }
        ));
        assert_eq!(
            error.to_string(),
            "`com.example.lifetime_ms` is 999 ms, outside the allowed range at least 1000 ms"
        );
        let error = check_bounds("limit", Some(101), Some(1), Some(100), "").unwrap_err();
        assert_eq!(
            error.to_string(),
            "`limit` is 101, outside the allowed range 1 to 100"
        );
    }
    use crate::{PathBuilder, QueryBuilder};

    fn metadata(auth: AuthScheme) -> Metadata {
        Metadata {
            operation_id: "testOp",
            method: http::Method::POST,
            path_template: "/_matrix/client/v3/test/{x}",
            auth,
            added_in: None,
            rate_limited: false,
            deprecated: false,
        }
    }

    fn base() -> BaseUrl {
        BaseUrl::parse("https://example.org/prefix").unwrap()
    }

    #[test]
    fn auth_schemes() {
        let token = AccessToken::new("secret_token");
        let build =
            |auth, token| build_request(&metadata(auth), &base(), "/p", token, RequestBody::Empty);

        let request = build(AuthScheme::None, Some(&token)).unwrap();
        assert!(request.headers().get(AUTHORIZATION).is_none());

        for auth in [AuthScheme::AccessToken, AuthScheme::AppserviceToken] {
            let request = build(auth, Some(&token)).unwrap();
            let header = request.headers().get(AUTHORIZATION).unwrap();
            assert_eq!(header, "Bearer secret_token");
            assert!(header.is_sensitive());
            assert!(!format!("{:?}", request.headers()).contains("secret_token"));
            assert!(!request.uri().to_string().contains("secret_token"));
            let err = build(auth, None).unwrap_err();
            assert!(matches!(
                err,
                IntoHttpError::MissingAccessToken {
                    operation_id: "testOp"
                }
            ));
            assert_eq!(
                err.to_string(),
                "endpoint `testOp` requires an access token, but none was provided"
            );
        }

        let request = build(AuthScheme::OptionalAccessToken, Some(&token)).unwrap();
        assert_eq!(request.headers()[AUTHORIZATION], "Bearer secret_token");
        let request = build(AuthScheme::OptionalAccessToken, None).unwrap();
        assert!(request.headers().get(AUTHORIZATION).is_none());
    }

    #[test]
    fn invalid_token_is_not_echoed() {
        let token = AccessToken::new("bad\ntoken");
        let err = build_request(
            &metadata(AuthScheme::AccessToken),
            &base(),
            "/p",
            Some(&token),
            RequestBody::Empty,
        )
        .unwrap_err();
        assert!(matches!(err, IntoHttpError::InvalidAccessToken));
        assert!(!format!("{err} {err:?}").contains("token\n"));
    }

    #[test]
    fn url_and_bodies() {
        let mut path = PathBuilder::new("/_matrix/client/v3/rooms/");
        path.push_param("!r:ex");
        let mut query = QueryBuilder::new();
        query.push("a", "b c");
        let path_and_query = path.finish() + &query.finish();

        let body = json_body(&serde_json::json!({"password": "pw"})).unwrap();
        assert_eq!(format!("{body:?}"), "Json { len: 17 }");
        let request = build_request(
            &metadata(AuthScheme::None),
            &base(),
            &path_and_query,
            None,
            body,
        )
        .unwrap();
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(
            request.uri(),
            "https://example.org/prefix/_matrix/client/v3/rooms/%21r%3Aex?a=b%20c"
        );
        assert_eq!(request.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(request.body().as_ref(), br#"{"password":"pw"}"#);
        assert!(request.headers().get(http::header::ACCEPT).is_none());

        let request = build_request(
            &metadata(AuthScheme::None),
            &base(),
            "/upload",
            None,
            RequestBody::Raw {
                content_type: "image/png".into(),
                data: Bytes::from_static(b"\x89PNG"),
            },
        )
        .unwrap();
        assert_eq!(request.headers()[CONTENT_TYPE], "image/png");
        assert_eq!(request.body().as_ref(), b"\x89PNG");

        let request = build_request(
            &metadata(AuthScheme::None),
            &base(),
            "/empty",
            None,
            RequestBody::Empty,
        )
        .unwrap();
        assert!(request.headers().get(CONTENT_TYPE).is_none());
        assert!(request.body().is_empty());

        let err = build_request(
            &metadata(AuthScheme::None),
            &base(),
            "/upload",
            None,
            RequestBody::Raw {
                content_type: "bad\r\nvalue".into(),
                data: Bytes::new(),
            },
        )
        .unwrap_err();
        assert!(matches!(err, IntoHttpError::InvalidHeaderValue { .. }));
    }

    #[test]
    fn rejects_bad_paths() {
        let build = |path: &str| {
            build_request(
                &metadata(AuthScheme::None),
                &base(),
                path,
                None,
                RequestBody::Empty,
            )
        };
        for value in [".", ".."] {
            let mut path = PathBuilder::new("/_matrix/client/v3/devices/");
            path.push_param(value);
            assert!(matches!(
                build(&path.finish()),
                Err(IntoHttpError::DotSegmentInPath)
            ));
        }
        // A dot segment inside the query is fine.
        assert!(build("/p?x=..").is_ok());
        assert!(matches!(
            build("p"),
            Err(IntoHttpError::InvalidPathAndQuery)
        ));
        assert!(matches!(
            build("/p#f"),
            Err(IntoHttpError::InvalidPathAndQuery)
        ));
        assert!(matches!(build("/a b"), Err(IntoHttpError::InvalidUri(_))));
    }
}
