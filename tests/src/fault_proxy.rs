//! A fault-injecting HTTP proxy on `127.0.0.1` in front of a real server
//! (Synapse), for the session tests.
//!
//! Every request is read, recorded when it is a `/refresh`, and forwarded
//! to the upstream server; the answer is passed back. `POST .../refresh`
//! requests take their fate from a queue of [`Fault`]s (then [`Fault::Forward`]
//! once the queue is empty): the answer can be lost after the server
//! processed the request (a connection reset), replaced, held back, or the
//! request dropped before the server sees it.
//!
//! One request per connection (`Connection: close`), so each fault hits
//! exactly one request.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use matrix_csapi_runtime::reqwest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::{IO_TIMEOUT, RecordedRequest, ScriptedResponse, read_request};

/// The longest the proxy waits for the upstream server's answer.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);

/// What happens to one `/refresh` request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Forwarded; the server's answer is passed back.
    Forward,
    /// Forwarded, so the server processes it, then the client's connection
    /// is reset instead of answered: a refresh whose answer was lost.
    LoseResponse,
    /// Not forwarded; this is the answer.
    Replace(ScriptedResponse),
    /// Forwarded at once (the server processes it), and the answer passed
    /// back after this delay (the client may have given up by then).
    Delay(Duration),
    /// Not forwarded; the connection is closed without an answer.
    Drop,
}

#[derive(Default)]
struct Shared {
    faults: Mutex<VecDeque<Fault>>,
    refresh_requests: Mutex<Vec<RecordedRequest>>,
    refreshes_forwarded: AtomicU32,
    requests: AtomicU32,
}

/// A proxy in front of `upstream` on a random loopback port. Dropping it
/// stops it.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl FaultProxy {
    /// Starts a proxy for the server at `upstream` (e.g.
    /// `http://127.0.0.1:8008`) on the current tokio runtime.
    pub async fn start(upstream: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(UPSTREAM_TIMEOUT)
            .build()
            .map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(accept(
            listener,
            Upstream {
                base: upstream.trim_end_matches('/').to_owned(),
                http,
            },
            Arc::clone(&shared),
        ));
        Ok(Self { addr, shared, task })
    }

    /// The proxy's base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues faults for the next `/refresh` requests, in order.
    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.shared.faults).extend(faults);
    }

    /// Every `/refresh` request received so far (forwarded or not), in
    /// order of arrival.
    pub fn refresh_requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.refresh_requests).clone()
    }

    /// How many `/refresh` requests were received.
    pub fn refreshes(&self) -> usize {
        lock(&self.shared.refresh_requests).len()
    }

    /// How many `/refresh` requests reached the server.
    pub fn refreshes_forwarded(&self) -> u32 {
        self.shared.refreshes_forwarded.load(Ordering::SeqCst)
    }

    /// How many requests of any kind were received.
    pub fn requests(&self) -> u32 {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Clone)]
struct Upstream {
    base: String,
    http: reqwest::Client,
}

async fn accept(listener: TcpListener, upstream: Upstream, shared: Arc<Shared>) {
    let mut connections = tokio::task::JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        connections.spawn(serve(stream, upstream.clone(), Arc::clone(&shared)));
        // Reap finished connections so the set stays small.
        while connections.try_join_next().is_some() {}
    }
}

async fn serve(mut stream: TcpStream, upstream: Upstream, shared: Arc<Shared>) {
    let Ok(Some(request)) = tokio::time::timeout(IO_TIMEOUT, read_request(&mut stream)).await
    else {
        return;
    };
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let fault = if request.path().ends_with("/refresh") {
        lock(&shared.refresh_requests).push(request.clone());
        lock(&shared.faults).pop_front().unwrap_or(Fault::Forward)
    } else {
        Fault::Forward
    };
    let refresh = request.path().ends_with("/refresh");
    let answer = match fault {
        Fault::Forward => Some(forward(&upstream, &shared, &request, refresh).await),
        Fault::Delay(delay) => {
            let answer = forward(&upstream, &shared, &request, refresh).await;
            tokio::time::sleep(delay).await;
            Some(answer)
        }
        Fault::Replace(response) => Some(response),
        Fault::LoseResponse => {
            forward(&upstream, &shared, &request, refresh).await;
            // RST instead of FIN: the client sees a reset connection.
            let _ = stream.set_zero_linger();
            return;
        }
        Fault::Drop => None,
    };
    if let Some(answer) = answer {
        if stream.write_all(&answer.to_bytes()).await.is_err() {
            return;
        }
        let _ = stream.flush().await;
    }
    let _ = stream.shutdown().await;
    // Let the client close first (see `LoopbackServer`).
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(IO_TIMEOUT, async {
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// Sends `request` to the upstream server; its answer, or a 502 naming the
/// failure.
async fn forward(
    upstream: &Upstream,
    shared: &Shared,
    request: &RecordedRequest,
    refresh: bool,
) -> ScriptedResponse {
    if refresh {
        shared.refreshes_forwarded.fetch_add(1, Ordering::SeqCst);
    }
    let method = match reqwest::Method::from_bytes(request.method.as_bytes()) {
        Ok(method) => method,
        Err(_) => return ScriptedResponse::status(400),
    };
    let mut builder = upstream
        .http
        .request(method, format!("{}{}", upstream.base, request.target))
        .body(request.body.clone());
    for (name, value) in &request.headers {
        if !is_hop_header(name) {
            builder = builder.header(name, value);
        }
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(error) => {
            return ScriptedResponse::status(502)
                .body(format!("upstream: {}", error.without_url()));
        }
    };
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| !is_hop_header(name.as_str()))
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
        .collect();
    match response.bytes().await {
        Ok(body) => ScriptedResponse::Parts {
            status,
            headers,
            body: body.to_vec(),
        },
        Err(error) => {
            ScriptedResponse::status(502).body(format!("upstream: {}", error.without_url()))
        }
    }
}

/// Headers about one connection or one framing, which the proxy sets itself.
fn is_hop_header(name: &str) -> bool {
    [
        "host",
        "connection",
        "content-length",
        "transfer-encoding",
        "keep-alive",
    ]
    .iter()
    .any(|hop| name.eq_ignore_ascii_case(hop))
}
