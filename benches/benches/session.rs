//! The cost of sending through a `matrix-csapi-session` `Session` against
//! the bare generated client (BENCHMARKS.md, section 5).
//!
//! Both send `GET /_matrix/client/v3/account/whoami` with the same access
//! token over the same kind of `reqwest` client to a keep-alive HTTP/1.1
//! server on 127.0.0.1 (in this process, on its own thread) that answers
//! every request with the same 200. The session's token is valid for an
//! hour, so no refresh happens: what is measured is the session's own work
//! per request (its state lock, the expiry check, the token clone, the
//! endpoint wrapper) on top of a real loopback round trip.
//!
//! * `session/send/bare`: `Client::send`, the token held by the client;
//! * `session/send/session`: `Session::send`;
//! * `session/send/session_call`: `Session::call` with the generated
//!   `get_token_owner` method (a client per attempt).

#![allow(missing_docs)]

use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group};
use matrix_csapi::runtime::{AccessToken, SecretString, reqwest};
use matrix_csapi::whoami::GetTokenOwnerRequest;
use matrix_csapi::{BaseUrl, Client};
use matrix_csapi_session::{NoStore, Session, SessionOptions, StoredSession};
use ratios::Ratio;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Only the ratio table of the shared support (this bench reads no spec).
#[path = "support/ratios.rs"]
mod ratios;

const TOKEN: &str = "syt_YWxpY2U_TxJYkaLKVobxcsNjnZql_1ysBf9";
const BODY: &str = r#"{"user_id":"@alice:example.org","device_id":"ABCDEFGHIJ","is_guest":false}"#;

/// A keep-alive server answering every request with the whoami 200, on a
/// runtime of its own thread; returns its base URL.
fn start_server() -> String {
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("server runtime: {e}"));
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                .await
                .unwrap_or_else(|e| panic!("bind: {e}"));
            let addr = listener
                .local_addr()
                .unwrap_or_else(|e| panic!("address: {e}"));
            let _ = url_tx.send(format!("http://{addr}"));
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream));
            }
        });
    });
    url_rx
        .recv()
        .unwrap_or_else(|e| panic!("the server did not start: {e}"))
}

/// Answers each request head (the benchmark's GETs have no body) with the
/// same response, on one connection, until the client closes it.
async fn serve(mut stream: tokio::net::TcpStream) {
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            buffer.drain(..end + 4);
            if stream.write_all(response.as_bytes()).await.is_err() {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}

fn client(url: &str) -> Client {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap_or_else(|e| panic!("HTTP client: {e}"));
    Client::from(matrix_csapi::runtime::Client::with_http_client(
        BaseUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}")),
        http,
    ))
}

fn send(c: &mut Criterion) {
    let url = start_server();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));

    let bare = client(&url);
    bare.set_access_token(Some(AccessToken::new(TOKEN)));
    let stored = StoredSession::new(
        url.clone(),
        "@alice:example.org",
        "ABCDEFGHIJ",
        AccessToken::new(TOKEN),
        Some(SecretString::new("syr_unused")),
        Some(Duration::from_secs(3600)),
    );
    let session = Session::restore(client(&url), stored, SessionOptions::default(), NoStore)
        .unwrap_or_else(|e| panic!("{e}"));

    // Same answer both ways, checked once before timing.
    let expected = runtime
        .block_on(bare.get_token_owner(GetTokenOwnerRequest::new()))
        .unwrap_or_else(|e| panic!("{e}"));
    let through_session = runtime
        .block_on(session.send(&GetTokenOwnerRequest::new()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(expected, through_session);

    let request = GetTokenOwnerRequest::new();
    let mut group = c.benchmark_group("session");
    group.bench_function("send/bare", |b| {
        b.iter(|| runtime.block_on(bare.send(&request)))
    });
    group.bench_function("send/session", |b| {
        b.iter(|| runtime.block_on(session.send(&request)))
    });
    group.bench_function("send/session_call", |b| {
        b.iter(|| {
            runtime.block_on(session.call(|client| async move {
                client.get_token_owner(GetTokenOwnerRequest::new()).await
            }))
        })
    });
    group.finish();
    assert_eq!(session.refreshes(), 0, "no refresh was measured");
}

criterion_group!(benches, send);

fn main() {
    let start = SystemTime::now();
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratios::print(
        "session against the bare client, whoami on loopback",
        &[
            Ratio {
                label: "Session::send",
                measured: "session/send/session",
                baseline: "session/send/bare",
            },
            Ratio {
                label: "Session::call (generated method)",
                measured: "session/send/session_call",
                baseline: "session/send/bare",
            },
        ],
        start,
    );
}
