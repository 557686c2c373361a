//! An async HTTP client for endpoints, built on reqwest.

use std::convert::Infallible;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use bytes::{Bytes, BytesMut};

use crate::{
    AccessToken, AuthScheme, BaseUrl, Endpoint, ErrorCode, FromHttpResponseError, IntoHttpError,
    MatrixError, UiaResponse,
};

/// The default limit on the size of a response body: 32 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// An error from [`Client::send`].
///
/// `Display` includes the underlying cause (for transport errors, the whole
/// `reqwest` error chain), so printing it alone is informative;
/// [`source`](std::error::Error::source) is therefore `None`. Nothing
/// printed contains an access token, a request body or a request URL.
///
/// `E` is the endpoint's own error type ([`Endpoint::Error`]); plain
/// `Error` is that of an endpoint without one.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// The request could not be built.
    IntoHttp(IntoHttpError),
    /// The request could not be sent or the response not received, e.g. a
    /// connection failure, a timeout, or a connection closed before the end
    /// of the body. The URL has been removed from the `reqwest` error.
    Transport(reqwest::Error),
    /// The response body is larger than the client's limit
    /// ([`Client::with_max_response_bytes`]); reading stopped there.
    ResponseTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The server answered with an error, or with a response that could
    /// not be interpreted.
    Response(FromHttpResponseError<E>),
}

impl<E> Error<E> {
    /// The standard Matrix error, if the server answered with one.
    pub fn matrix_error(&self) -> Option<&MatrixError> {
        match self {
            Self::Response(error) => error.matrix_error(),
            _ => None,
        }
    }

    /// The endpoint-specific outcome of a documented error status, if the
    /// server answered with one.
    pub fn endpoint_error(&self) -> Option<&E> {
        match self {
            Self::Response(error) => error.endpoint_error(),
            _ => None,
        }
    }

    /// The user-interactive authentication response, if the server asked
    /// for (more) authentication, whether or not the endpoint documents it.
    pub fn user_interactive_auth(&self) -> Option<&UiaResponse> {
        match self {
            Self::Response(error) => error.user_interactive_auth(),
            _ => None,
        }
    }

    /// The error code of a standard Matrix error, or of the failed stage of
    /// a user-interactive authentication response.
    pub fn errcode(&self) -> Option<&ErrorCode> {
        match self {
            Self::Response(error) => error.errcode(),
            _ => None,
        }
    }

    /// The HTTP status, if a response was received and interpreted.
    pub fn status(&self) -> Option<http::StatusCode> {
        match self {
            Self::Response(error) => Some(error.status()),
            _ => None,
        }
    }
}

impl<E> From<IntoHttpError> for Error<E> {
    fn from(error: IntoHttpError) -> Self {
        Self::IntoHttp(error)
    }
}

impl<E> From<FromHttpResponseError<E>> for Error<E> {
    fn from(error: FromHttpResponseError<E>) -> Self {
        Self::Response(error)
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IntoHttp(error) => write!(f, "failed to build the request: {error}"),
            Self::Transport(error) => {
                write!(f, "HTTP transport error: {error}")?;
                let mut source = std::error::Error::source(error);
                while let Some(cause) = source {
                    write!(f, ": {cause}")?;
                    source = cause.source();
                }
                Ok(())
            }
            Self::ResponseTooLarge { limit } => {
                write!(
                    f,
                    "the response body is larger than the limit of {limit} bytes"
                )
            }
            Self::Response(FromHttpResponseError::Endpoint { status, .. }) => {
                write!(f, "endpoint-specific error response ({status})")
            }
            Self::Response(FromHttpResponseError::Matrix(error)) => fmt::Display::fmt(error, f),
            Self::Response(error @ FromHttpResponseError::UserInteractiveAuth(_)) => {
                fmt::Display::fmt(error, f)
            }
            Self::Response(FromHttpResponseError::Unexpected(response)) => {
                fmt::Display::fmt(response, f)
            }
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {}

/// Failures of [`Client::execute`], before the endpoint type is involved.
enum ExecuteError {
    IntoHttp(IntoHttpError),
    Transport(reqwest::Error),
    TooLarge(usize),
}

impl<E> From<ExecuteError> for Error<E> {
    fn from(error: ExecuteError) -> Self {
        match error {
            ExecuteError::IntoHttp(error) => Self::IntoHttp(error),
            ExecuteError::Transport(error) => Self::Transport(error),
            ExecuteError::TooLarge(limit) => Self::ResponseTooLarge { limit },
        }
    }
}

/// An async Matrix client: sends [`Endpoint`]s to one homeserver.
///
/// Cloning is cheap, and clones share the connection pool and the access
/// token (so a token refreshed through one clone is used by all).
///
/// Defaults of [`Client::new`]: rustls TLS with the platform's certificate
/// verifier, HTTP/2 when the server offers it, **redirects are not
/// followed** (the spec documents 3xx responses, e.g. media downloads with
/// `allow_redirect` and the SSO redirect, and they come back as typed
/// responses carrying `Location`),
/// **no timeout** (long-polling `/sync` needs long requests; configure one
/// on your own [`reqwest::Client`] and use [`Client::with_http_client`]),
/// and a response-body limit of [`DEFAULT_MAX_RESPONSE_BYTES`]. On the wire,
/// besides what [`build_request`](crate::build_request) sets, the default
/// client sends `User-Agent: matrix-csapi-runtime/<version>`, and `reqwest`
/// adds `Accept: */*` and `Content-Length`.
///
/// Response bodies are never decompressed, and the whole body is read into
/// memory (bounded by the limit) before the endpoint interprets it.
///
/// `Debug` never prints the access token.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: BaseUrl,
    access_token: Arc<RwLock<Option<AccessToken>>>,
    max_response_bytes: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("has_access_token", &self.access_token().is_some())
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

fn default_http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("matrix-csapi-runtime/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

impl Client {
    /// A client for `base_url` with a default [`reqwest::Client`] (see the
    /// type documentation) and no access token.
    ///
    /// # Panics
    ///
    /// Like [`reqwest::Client::new`], if the TLS backend cannot be
    /// initialized; use [`Client::try_new`] to handle that.
    pub fn new(base_url: BaseUrl) -> Client {
        let http = default_http_client().unwrap_or_else(|_| reqwest::Client::new());
        Self::with_http_client(base_url, http)
    }

    /// Like [`Client::new`], but returns an error instead of panicking when
    /// the HTTP client cannot be built.
    pub fn try_new(base_url: BaseUrl) -> Result<Client, reqwest::Error> {
        Ok(Self::with_http_client(base_url, default_http_client()?))
    }

    /// A client for `base_url` using `http` for the connections (to set
    /// timeouts, proxies, TLS roots, …).
    pub fn with_http_client(base_url: BaseUrl, http: reqwest::Client) -> Client {
        Client {
            http,
            base_url,
            access_token: Arc::new(RwLock::new(None)),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Sets the largest response body accepted, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 32 MiB). Bodies are read chunk by
    /// chunk and reading stops with [`Error::ResponseTooLarge`] as soon as
    /// the limit is exceeded (or immediately when `Content-Length` exceeds
    /// it), so memory stays bounded. Raise it for large media downloads.
    pub fn with_max_response_bytes(mut self, n: usize) -> Self {
        self.max_response_bytes = n;
        self
    }

    /// The homeserver base URL.
    pub fn base_url(&self) -> &BaseUrl {
        &self.base_url
    }

    /// The limit on response-body size, in bytes.
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }

    /// The underlying [`reqwest::Client`].
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http
    }

    /// Replaces the access token (e.g. after a login or a refresh), for
    /// this client and all its clones; `None` removes it.
    pub fn set_access_token(&self, token: Option<AccessToken>) {
        *self
            .access_token
            .write()
            .unwrap_or_else(PoisonError::into_inner) = token;
    }

    /// The current access token.
    pub fn access_token(&self) -> Option<AccessToken> {
        self.access_token
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sends `request` and interprets the response.
    ///
    /// The current access token is passed to the endpoint unless its
    /// [`AuthScheme`] is [`None`](AuthScheme::None); the endpoint decides
    /// whether to send it (see [`build_request`](crate::build_request)).
    pub async fn send<E: Endpoint>(&self, request: &E) -> Result<E::Response, Error<E::Error>> {
        let token = match E::METADATA.auth {
            AuthScheme::None => None,
            _ => self.access_token(),
        };
        let http_request = request.try_into_http_request(&self.base_url, token.as_ref())?;
        let http_response = self.execute(http_request).await?;
        Ok(E::try_from_http_response(http_response)?)
    }

    /// Sends an already built request as is (no access token is added) and
    /// returns the complete response, whatever its status. The body-size
    /// limit applies.
    pub async fn send_http(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, Error<Infallible>> {
        Ok(self.execute(request).await?)
    }

    async fn execute(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, ExecuteError> {
        let (parts, body) = request.into_parts();
        let url = reqwest::Url::parse(&parts.uri.to_string())
            .map_err(|_| ExecuteError::IntoHttp(IntoHttpError::NonCanonicalUrl))?;
        // The WHATWG URL parser normalizes (dot segments, backslashes, …);
        // never send a request to a different path than the one built.
        let expected_path = parts.uri.path();
        let expected_query = parts.uri.query();
        if url.path() != expected_path || url.query() != expected_query {
            return Err(ExecuteError::IntoHttp(IntoHttpError::NonCanonicalUrl));
        }
        let mut reqwest_request = reqwest::Request::new(parts.method, url);
        *reqwest_request.headers_mut() = parts.headers;
        *reqwest_request.body_mut() = Some(reqwest::Body::from(body));

        let mut response = self
            .http
            .execute(reqwest_request)
            .await
            .map_err(|e| ExecuteError::Transport(e.without_url()))?;

        let limit = self.max_response_bytes;
        let declared = response.content_length();
        if declared.is_some_and(|len| len > limit as u64) {
            return Err(ExecuteError::TooLarge(limit));
        }
        let capacity = declared.map_or(0, |len| usize::try_from(len).unwrap_or(limit).min(limit));
        let mut buffer = BytesMut::with_capacity(capacity.min(1024 * 1024));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| ExecuteError::Transport(e.without_url()))?
        {
            if chunk.len() > limit - buffer.len() {
                return Err(ExecuteError::TooLarge(limit));
            }
            buffer.extend_from_slice(&chunk);
        }

        let mut http_response = http::Response::new(buffer.freeze());
        *http_response.status_mut() = response.status();
        *http_response.version_mut() = response.version();
        *http_response.headers_mut() = std::mem::take(response.headers_mut());
        Ok(http_response)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn debug_hides_token_and_token_is_shared() {
        let client = Client::new(BaseUrl::parse("https://example.org").unwrap());
        let clone = client.clone();
        client.set_access_token(Some(AccessToken::new("syt_secret")));
        assert_eq!(clone.access_token().unwrap().expose_secret(), "syt_secret");
        let debug = format!("{client:?}");
        assert!(!debug.contains("syt_secret"), "{debug}");
        assert!(debug.contains("has_access_token: true"), "{debug}");
        clone.set_access_token(None);
        assert!(client.access_token().is_none());
        assert_eq!(client.max_response_bytes(), DEFAULT_MAX_RESPONSE_BYTES);
        assert_eq!(client.with_max_response_bytes(10).max_response_bytes(), 10);
    }
}
