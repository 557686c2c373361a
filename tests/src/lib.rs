//! Shared test support for the Matrix client-server API crates.
//!
//! * [`LoopbackServer`]: a small, real HTTP/1.1 server on `127.0.0.1` that
//!   answers each connection with the next scripted response (well-formed
//!   parts, or raw bytes written verbatim to simulate broken servers) and
//!   records every request it receives.
//! * [`spec_dir`]: where the Matrix spec checkout is (`MATRIX_SPEC_DIR`, or
//!   `shared/matrix-spec/<pinned tag>` beside the workspace); panics when it
//!   is missing, saying how to get it, so that spec-driven tests can never
//!   pass silently.
//! * [`fault_proxy`]: a proxy in front of a real server that counts
//!   `/refresh` requests and can lose, replace, delay or drop them.
//! * [`synapse`]: a real Synapse homeserver (upstream, or Famedly's fork) on
//!   `127.0.0.1` for the end-to-end tests, installed and started by
//!   `scripts/synapse.sh` once per test binary (the end-to-end tests are
//!   one, `tests/tests/e2e`) and stopped when the test process exits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub mod fault_proxy;
pub mod synapse;
pub mod typed_sending;

/// The environment variable that overrides [`spec_dir`].
pub const SPEC_DIR_ENV: &str = "MATRIX_SPEC_DIR";

/// The Cargo workspace root (the parent of this crate's directory).
pub fn workspace_dir() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The Matrix spec directory (the one holding `data/api/client-server`).
///
/// Uses `$MATRIX_SPEC_DIR` when set, otherwise
/// `<workspace>/../shared/matrix-spec/<tag>` with the tag `spec/pin.toml`
/// pins.
///
/// # Panics
///
/// When the directory does not exist or has no `data` folder, with the
/// message of [`find_spec_dir`]: tests that need the spec must fail loudly
/// rather than pass without it.
pub fn spec_dir() -> PathBuf {
    find_spec_dir(std::env::var_os(SPEC_DIR_ENV)).unwrap_or_else(|message| panic!("{message}"))
}

/// The spec directory `MATRIX_SPEC_DIR` (its value `from_env`) names, or the
/// default one; the error says where it looked and how to get the spec.
pub fn find_spec_dir(from_env: Option<std::ffi::OsString>) -> Result<PathBuf, String> {
    let pin_path = workspace_dir().join("spec/pin.toml");
    let tag = matrix_csapi_codegen::pin::Pin::read(&pin_path)
        .map_err(|e| format!("cannot read the spec pin: {e}"))?
        .tag;
    let (dir, origin) = match from_env {
        Some(dir) if !dir.is_empty() => (PathBuf::from(dir), format!("${SPEC_DIR_ENV}")),
        _ => (
            workspace_dir().join("../shared/matrix-spec").join(&tag),
            "the default location".to_owned(),
        ),
    };
    if !dir.join("data").is_dir() {
        return Err(format!(
            "Matrix spec {tag} not found at {} ({origin}): set {SPEC_DIR_ENV} to the folder containing its `data/` \
             (an absolute path), or {}",
            dir.display(),
            matrix_csapi_codegen::pin::how_to_get(&tag)
        ));
    }
    Ok(dir.canonicalize().unwrap_or(dir))
}

#[cfg(test)]
mod spec_dir_tests {
    use super::*;

    #[test]
    fn a_missing_spec_says_where_it_looked_and_how_to_get_it() {
        let Err(message) = find_spec_dir(Some("/nonexistent/matrix-spec".into())) else {
            panic!("a missing spec was found");
        };
        let tag = matrix_csapi_codegen::pin::Pin::read(&workspace_dir().join("spec/pin.toml"))
            .map(|pin| pin.tag)
            .unwrap_or_default();
        assert_eq!(
            message,
            format!(
                "Matrix spec {tag} not found at /nonexistent/matrix-spec ($MATRIX_SPEC_DIR): \
                 set MATRIX_SPEC_DIR to the folder containing its `data/` (an absolute path), or \
                 get the pinned spec with `git clone --depth 1 --branch {tag} https://github.com/matrix-org/matrix-spec ../shared/matrix-spec/{tag}` \
                 (the generator reads its `data/` folder; spec/pin.toml's digest verifies it)"
            )
        );
    }
}

/// How long the server waits for a client to send a complete request (or
/// to close after the response) before giving up on the connection.
pub(crate) const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head (request line and headers) accepted.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The largest request body accepted.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// One scripted answer of a [`LoopbackServer`]; each is used for exactly one
/// connection, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptedResponse {
    /// A well-formed HTTP/1.1 response. `Content-Length` is added unless a
    /// `Content-Length` or `Transfer-Encoding` header is given, and
    /// `Connection: close` is always added; the connection is closed after
    /// the response.
    Parts {
        /// The status code.
        status: u16,
        /// Headers, in order.
        headers: Vec<(String, String)>,
        /// The body bytes.
        body: Vec<u8>,
    },
    /// Bytes written verbatim after the request was read, then the
    /// connection is closed. Use it for truncated bodies, garbage and
    /// broken connections (an empty vector closes without answering).
    Raw(Vec<u8>),
}

impl ScriptedResponse {
    /// A response with `status`, no headers and an empty body.
    pub fn status(status: u16) -> Self {
        Self::Parts {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A response with `status` and `value` as a JSON body
    /// (`Content-Type: application/json`).
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::status(status)
            .header("Content-Type", "application/json")
            .body(value.to_string())
    }

    /// Raw bytes written verbatim.
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Self {
        Self::Raw(bytes.into())
    }

    /// Adds a header (no effect on [`ScriptedResponse::Raw`]).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Self::Parts { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// Sets the body (no effect on [`ScriptedResponse::Raw`]).
    pub fn body(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        if let Self::Parts { body, .. } = &mut self {
            *body = bytes.into();
        }
        self
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        match self {
            Self::Raw(bytes) => bytes.clone(),
            Self::Parts {
                status,
                headers,
                body,
            } => {
                let reason = http::StatusCode::from_u16(*status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("Unknown");
                let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
                let has_length = headers.iter().any(|(name, _)| {
                    name.eq_ignore_ascii_case("content-length")
                        || name.eq_ignore_ascii_case("transfer-encoding")
                });
                for (name, value) in headers {
                    out.push_str(&format!("{name}: {value}\r\n"));
                }
                if !has_length {
                    out.push_str(&format!("Content-Length: {}\r\n", body.len()));
                }
                out.push_str("Connection: close\r\n\r\n");
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(body);
                bytes
            }
        }
    }
}

/// A request received by a [`LoopbackServer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The request target exactly as received: path and query.
    pub target: String,
    /// The headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked if it was sent chunked).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of header `name` (case-insensitive).
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The path part of the target.
    pub fn path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(self.target.as_str(), |(path, _)| path)
    }

    /// The query part of the target, without `?`.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, query)| query)
    }

    /// The body parsed as JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

type Requests = Arc<Mutex<Vec<RecordedRequest>>>;

/// A real HTTP/1.1 server on `127.0.0.1` (random port) that serves one
/// connection per scripted response, in order, and then stops listening.
///
/// Each connection: the request is read (head up to 64 KiB, body up to
/// 16 MiB by `Content-Length` or chunked), recorded, answered with the next
/// [`ScriptedResponse`], and closed. A connection whose request cannot be
/// read within 10 s, or is malformed, is closed and consumes its response
/// without being recorded. Dropping the server stops it.
///
/// Requests are recorded before the response is written, so once a client
/// has received a response, [`requests`](Self::requests) includes the
/// request.
pub struct LoopbackServer {
    addr: SocketAddr,
    requests: Requests,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for LoopbackServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl LoopbackServer {
    /// Binds `127.0.0.1:0` and starts serving `responses` on the current
    /// tokio runtime.
    pub async fn start(responses: Vec<ScriptedResponse>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let requests = Requests::default();
        let task = tokio::spawn(serve(listener, responses, Arc::clone(&requests)));
        Ok(Self {
            addr,
            requests,
            task,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A runtime client for this server: no proxy (the server is on
    /// loopback), redirects not followed (as by the runtime's default
    /// client), and every request bounded by `timeout`. Wrap it with
    /// `matrix_csapi::Client::from` for the generated methods.
    ///
    /// # Panics
    ///
    /// When the HTTP client cannot be built.
    pub fn client(&self, timeout: Duration) -> matrix_csapi_runtime::Client {
        use matrix_csapi_runtime::reqwest;
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .unwrap_or_else(|error| panic!("cannot build an HTTP client: {error}"));
        let base_url = matrix_csapi_runtime::BaseUrl::parse(&self.url())
            .unwrap_or_else(|error| panic!("{}: {error}", self.url()));
        matrix_csapi_runtime::Client::with_http_client(base_url, http)
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The only request received.
    ///
    /// # Panics
    ///
    /// When the server received no request or more than one.
    pub fn single_request(&self) -> RecordedRequest {
        let mut requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {requests:#?}"
        );
        requests.remove(0)
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(listener: TcpListener, responses: Vec<ScriptedResponse>, requests: Requests) {
    for response in responses {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        let request = tokio::time::timeout(IO_TIMEOUT, read_request(&mut stream)).await;
        let Ok(Some(request)) = request else {
            continue;
        };
        requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
        if stream.write_all(&response.to_bytes()).await.is_err() {
            continue;
        }
        let _ = stream.flush().await;
        let _ = stream.shutdown().await;
        // Let the client close first, so that closing never resets a
        // connection whose response the client has not read yet.
        let mut sink = [0u8; 4096];
        let _ = tokio::time::timeout(IO_TIMEOUT, async {
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
        })
        .await;
    }
}

/// Reads one request; `None` if the connection closes early, the request is
/// malformed or a limit is exceeded.
pub(crate) async fn read_request(stream: &mut TcpStream) -> Option<RecordedRequest> {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(pos) = find(&buffer, b"\r\n\r\n") {
            break pos;
        }
        if buffer.len() > MAX_HEAD_BYTES || !read_more(stream, &mut buffer).await {
            return None;
        }
    };
    let head = std::str::from_utf8(&buffer[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = RecordedRequest {
        method,
        target,
        headers,
        body: Vec::new(),
    };
    let mut rest = buffer.split_off(head_end + 4);

    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        request.body = read_chunked(stream, rest).await?;
    } else {
        let length: usize = match request.header("content-length") {
            Some(value) => value.parse().ok()?,
            None => 0,
        };
        if length > MAX_BODY_BYTES {
            return None;
        }
        while rest.len() < length {
            if !read_more(stream, &mut rest).await {
                return None;
            }
        }
        rest.truncate(length);
        request.body = rest;
    }
    Some(request)
}

async fn read_chunked(stream: &mut TcpStream, mut buffer: Vec<u8>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(pos) = find(&buffer, b"\r\n") {
                break pos;
            }
            if buffer.len() > MAX_HEAD_BYTES || !read_more(stream, &mut buffer).await {
                return None;
            }
        };
        let size_text = std::str::from_utf8(&buffer[..line_end]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        buffer.drain(..line_end + 2);
        if size == 0 {
            // Skip trailers up to the final empty line.
            while !(buffer.starts_with(b"\r\n") || find(&buffer, b"\r\n\r\n").is_some()) {
                if buffer.len() > MAX_HEAD_BYTES || !read_more(stream, &mut buffer).await {
                    return None;
                }
            }
            return Some(body);
        }
        if body.len() + size > MAX_BODY_BYTES {
            return None;
        }
        while buffer.len() < size + 2 {
            if !read_more(stream, &mut buffer).await {
                return None;
            }
        }
        body.extend_from_slice(&buffer[..size]);
        buffer.drain(..size + 2);
    }
}

/// Reads more bytes into `buffer`; `false` on EOF or error.
async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 8192];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buffer.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    async fn exchange(server: &LoopbackServer, request: &[u8]) -> Vec<u8> {
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        stream.write_all(request).await.unwrap();
        stream.shutdown().await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        response
    }

    #[tokio::test]
    async fn serves_scripted_responses_in_order_and_records_requests() {
        let server = LoopbackServer::start(vec![
            ScriptedResponse::json(200, &serde_json::json!({"a": 1})).header("X-Test", "yes"),
            ScriptedResponse::raw("HTTP/1.1 204 No Content\r\n\r\n"),
        ])
        .await
        .unwrap();

        let response = exchange(
            &server,
            b"POST /p/a%2Fb?x=1&y=2 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nAuthorization: Bearer t\r\n\r\nbody",
        )
        .await;
        let text = String::from_utf8(response).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("Content-Type: application/json\r\n"));
        assert!(text.contains("X-Test: yes\r\n"));
        assert!(text.contains("Content-Length: 7\r\n"));
        assert!(text.ends_with("\r\n\r\n{\"a\":1}"));

        let response = exchange(
            &server,
            b"PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n",
        )
        .await;
        assert_eq!(response, b"HTTP/1.1 204 No Content\r\n\r\n");

        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].method, "POST");
        assert_eq!(requests[0].target, "/p/a%2Fb?x=1&y=2");
        assert_eq!(requests[0].path(), "/p/a%2Fb");
        assert_eq!(requests[0].query(), Some("x=1&y=2"));
        assert_eq!(requests[0].header("authorization"), Some("Bearer t"));
        assert_eq!(requests[0].body, b"body");
        assert_eq!(requests[1].method, "PUT");
        assert_eq!(requests[1].body, b"abcde");

        // All responses used: the server no longer accepts connections.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let refused = TcpStream::connect(server.addr()).await;
        if let Ok(mut stream) = refused {
            // Some platforms accept on the backlog briefly; it must then close.
            let mut buf = Vec::new();
            let n = stream.read_to_end(&mut buf).await.unwrap_or(0);
            assert_eq!(n, 0);
        }
    }

    #[tokio::test]
    async fn malformed_request_is_not_recorded() {
        let server = LoopbackServer::start(vec![ScriptedResponse::status(200)])
            .await
            .unwrap();
        let response = exchange(&server, b"garbage without header end").await;
        assert!(response.is_empty());
        assert!(server.requests().is_empty());
    }

    #[test]
    fn spec_dir_exists() {
        let dir = spec_dir();
        assert!(
            dir.join("data/api/client-server").is_dir(),
            "{}",
            dir.display()
        );
    }
}
