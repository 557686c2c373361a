//! The sans-IO endpoint abstraction.

use bytes::Bytes;

use crate::{AccessToken, AuthScheme, BaseUrl, FromHttpResponseError, IntoHttpError};

/// An HTTP request as an [`Endpoint`] builds it.
pub type HttpRequest = http::Request<Bytes>;

/// A complete HTTP response as an [`Endpoint`] reads it.
pub type HttpResponse = http::Response<Bytes>;

/// What [`Endpoint::try_into_http_request`] returns.
pub type RequestResult = Result<HttpRequest, IntoHttpError>;

/// What [`Endpoint::try_from_http_response`] returns for the endpoint `E`:
/// its response, or the error of reading it.
pub type ResponseResult<E> =
    Result<<E as Endpoint>::Response, FromHttpResponseError<<E as Endpoint>::Error>>;

/// Static facts about an endpoint, taken from the spec.
///
/// All fields are public and the type can be built in a `const`:
///
/// ```
/// use matrix_csapi_runtime::{AuthScheme, Metadata, http::Method};
///
/// const METADATA: Metadata = Metadata {
///     operation_id: "leaveRoom",
///     method: Method::POST,
///     path_template: "/_matrix/client/v3/rooms/{roomId}/leave",
///     auth: AuthScheme::AccessToken,
///     added_in: None,
///     rate_limited: true,
///     deprecated: false,
/// };
/// assert_eq!(METADATA.method, Method::POST);
/// ```
#[derive(Debug, Clone)]
pub struct Metadata {
    /// The spec's `operationId`, e.g. `"refresh"`.
    pub operation_id: &'static str,
    /// The HTTP method.
    pub method: http::Method,
    /// The full path template including the base path, e.g.
    /// `"/_matrix/client/v3/rooms/{roomId}/leave"`.
    pub path_template: &'static str,
    /// How the request is authenticated.
    pub auth: AuthScheme,
    /// The Matrix version that introduced the endpoint, e.g. `"1.3"`, when
    /// the spec says so.
    pub added_in: Option<&'static str>,
    /// Whether the endpoint is rate-limited (it may answer
    /// `429 M_LIMIT_EXCEEDED`).
    pub rate_limited: bool,
    /// Whether the spec marks the endpoint as deprecated.
    pub deprecated: bool,
}

/// A request of one Matrix API endpoint.
///
/// Implementations are sans-IO: they only convert between typed values and
/// [`http`] messages, so any HTTP stack can send them (the `Client` of the
/// default `client` feature is one).
///
/// The signatures can be spelled with the aliases [`HttpRequest`],
/// [`HttpResponse`], [`RequestResult`] and [`ResponseResult`], as the
/// generated implementations do:
/// `fn try_from_http_response(response: HttpResponse) -> ResponseResult<Self>`.
pub trait Endpoint {
    /// Static facts about the endpoint.
    const METADATA: Metadata;

    /// The typed success response.
    type Response;

    /// Endpoint-specific documented error bodies (e.g. the
    /// user-interactive-authentication `401`), reported as
    /// [`FromHttpResponseError::Endpoint`]; [`std::convert::Infallible`]
    /// when the endpoint has none.
    type Error;

    /// Builds the HTTP request. `access_token` is sent according to
    /// [`Metadata::auth`] (see [`build_request`](crate::build_request)).
    fn try_into_http_request(
        &self,
        base_url: &BaseUrl,
        access_token: Option<&AccessToken>,
    ) -> Result<http::Request<Bytes>, IntoHttpError>;

    /// Interprets a complete HTTP response, whatever its status.
    fn try_from_http_response(
        response: http::Response<Bytes>,
    ) -> Result<Self::Response, FromHttpResponseError<Self::Error>>;
}
