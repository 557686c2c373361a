//! Codec speed against ruma-client-api (BENCHMARKS.md, section 2).
//!
//! Both crates get the same bytes in and must produce the same facts out;
//! each pair is checked once, outside the timed loops, before anything is
//! measured. Work that only one side needs because of its API shape (ruma
//! consumes the request and the response, so they are cloned per
//! iteration) is done in untimed setup, and so is building the
//! `http::Response` each side consumes.
//!
//! * `refresh/request`: `POST /refresh` into an `http::Request` (serializing
//!   the JSON body). The Famedly lifetime field is unset, so both send
//!   `{"refresh_token":"…"}`.
//! * `refresh/response_200`: the token pair with `expires_in_ms`.
//! * `refresh/response_401`: `M_UNKNOWN_TOKEN` with `soft_logout`, parsed
//!   into each crate's typed Matrix error.
//! * `messages/response_200`: the spec's example of
//!   `GET /rooms/{roomId}/messages`, read at start from the spec. ruma keeps
//!   events as unparsed JSON (`Raw`) until asked; `ruma_events` also
//!   deserializes every event, which is what a client reading the page
//!   does and what matrix-csapi does while parsing the response.

#![allow(missing_docs)]

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use criterion::{BatchSize, Criterion, criterion_group};
use http_responses::{response, ruma_response};
use matrix_csapi::message_pagination::GetRoomEventsRequest;
use matrix_csapi::refresh::{RefreshRequest, RefreshResponse};
use matrix_csapi_runtime::{
    BaseUrl, Endpoint, ErrorCode, EventContentFromType, FromHttpResponseError,
};
use ruma_client_api::message::get_message_events::v3 as ruma_messages;
use ruma_client_api::session::refresh_token::v3 as ruma_refresh;
use ruma_common::api::auth_scheme::SendAccessToken;
use ruma_common::api::{IncomingResponseExt, OutgoingRequestExt, SupportedVersions};
use support::ratios::{self, Ratio};

#[path = "support/http_responses.rs"]
mod http_responses;
mod support;

const BASE_URL: &str = "https://matrix.example.org";
const REFRESH_TOKEN: &str = "syd_pNpdKpLJhAPbOrdWbJRJ_1Cx4NV";
const REFRESH_200: &str = r#"{"access_token":"syt_YWxpY2U_TxJYkaLKVobxcsNjnZql_1ysBf9","refresh_token":"syr_YWxpY2U_VvXWyoRDBrHpnLwbHQdu_2Xtgm6","expires_in_ms":60000}"#;
const REFRESH_401: &str =
    r#"{"errcode":"M_UNKNOWN_TOKEN","error":"Access token has expired","soft_logout":true}"#;

/// The versions a v1.19 homeserver announces, so ruma picks `/v3/` paths.
fn supported_versions() -> SupportedVersions {
    let versions: Vec<String> = (0..=19).map(|minor| format!("v1.{minor}")).collect();
    SupportedVersions::from_parts(&versions, &BTreeMap::new())
}

/// The spec's example response of `GET /rooms/{roomId}/messages`, with its
/// `$ref`'d events merged in (the generator's example collection, as in the
/// spec's own build), serialized compactly as a server would send it.
fn messages_example() -> String {
    let spec = support::spec_dir();
    let examples = matrix_csapi_codegen::spec_examples(&spec, &support::project())
        .unwrap_or_else(|e| panic!("reading the examples of {}: {e}", spec.display()));
    let example = examples
        .iter()
        .find(|e| e.operation_id == GetRoomEventsRequest::METADATA.operation_id && e.part == "200")
        .unwrap_or_else(|| panic!("no 200 example for getRoomEvents in {}", spec.display()));
    serde_json::to_string(&example.value).unwrap_or_else(|e| panic!("serializing: {e}"))
}

fn refresh(c: &mut Criterion) {
    let base_url = BaseUrl::parse(BASE_URL).unwrap_or_else(|e| panic!("{e}"));
    let ours_request = RefreshRequest::new(REFRESH_TOKEN.to_owned());
    let ruma_request = ruma_refresh::Request::new(REFRESH_TOKEN.to_owned());
    let versions = supported_versions();
    let ruma_build = |request: ruma_refresh::Request| {
        request
            .try_into_http_request::<Vec<u8>>(
                BASE_URL,
                SendAccessToken::None,
                Cow::Borrowed(&versions),
            )
            .unwrap_or_else(|e| panic!("ruma: {e}"))
    };
    let ok = response(200, REFRESH_200);
    let unauthorized = response(401, REFRESH_401);

    // Same request on the wire, same values out.
    let ours_built = ours_request
        .try_into_http_request(&base_url, None)
        .unwrap_or_else(|e| panic!("ours: {e}"));
    let ruma_built = ruma_build(ruma_request.clone());
    assert_eq!(ours_built.method(), ruma_built.method());
    assert_eq!(ours_built.uri(), ruma_built.uri());
    assert_eq!(ours_built.body().as_ref(), ruma_built.body().as_slice());
    assert_eq!(
        ours_built.headers().get(http::header::CONTENT_TYPE),
        ruma_built.headers().get(http::header::CONTENT_TYPE)
    );

    let ours_ok: RefreshResponse =
        RefreshRequest::try_from_http_response(ok.clone()).unwrap_or_else(|e| panic!("{e}"));
    let ruma_ok = ruma_refresh::Response::try_from_http_response(ruma_response(&ok))
        .unwrap_or_else(|e| {
            panic!("{e}");
        });
    assert_eq!(ours_ok.access_token, ruma_ok.access_token);
    assert_eq!(ours_ok.refresh_token, ruma_ok.refresh_token);
    assert_eq!(ours_ok.expires_in, Some(Duration::from_secs(60)));
    assert_eq!(ours_ok.expires_in, ruma_ok.expires_in_ms);

    let Err(FromHttpResponseError::Matrix(ours_401)) =
        RefreshRequest::try_from_http_response(unauthorized.clone())
    else {
        panic!("ours: 401 is not a Matrix error");
    };
    assert_eq!(ours_401.errcode(), &ErrorCode::UnknownToken);
    assert!(ours_401.is_soft_logout());
    assert_eq!(ours_401.message(), Some("Access token has expired"));
    let ruma_401 = ruma_unknown_token(&unauthorized);
    assert_eq!(ruma_401, (true, "Access token has expired".to_owned()));

    let mut group = c.benchmark_group("refresh");
    group.bench_function("request/matrix-csapi", |b| {
        b.iter(|| ours_request.try_into_http_request(&base_url, None))
    });
    group.bench_function("request/ruma", |b| {
        b.iter_batched(|| ruma_request.clone(), ruma_build, BatchSize::SmallInput)
    });
    group.bench_function("response_200/matrix-csapi", |b| {
        b.iter_batched(
            || ok.clone(),
            RefreshRequest::try_from_http_response,
            BatchSize::SmallInput,
        )
    });
    group.bench_function("response_200/ruma", |b| {
        b.iter_batched(
            || ruma_response(&ok),
            ruma_refresh::Response::try_from_http_response,
            BatchSize::SmallInput,
        )
    });
    group.bench_function("response_401/matrix-csapi", |b| {
        b.iter_batched(
            || unauthorized.clone(),
            RefreshRequest::try_from_http_response,
            BatchSize::SmallInput,
        )
    });
    group.bench_function("response_401/ruma", |b| {
        b.iter_batched(
            || ruma_response(&unauthorized),
            ruma_refresh::Response::try_from_http_response,
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// ruma's typed view of the 401: (soft_logout, message).
fn ruma_unknown_token(response: &http::Response<Bytes>) -> (bool, String) {
    use ruma_common::api::error::{ErrorBody, ErrorKind, FromHttpResponseError, StandardErrorBody};
    let Err(FromHttpResponseError::Server(error)) =
        ruma_refresh::Response::try_from_http_response(ruma_response(response))
    else {
        panic!("ruma: 401 is not a server error");
    };
    assert_eq!(error.status_code, http::StatusCode::UNAUTHORIZED);
    match error.body {
        ErrorBody::Standard(StandardErrorBody {
            kind: ErrorKind::UnknownToken(data),
            message,
            ..
        }) => (data.soft_logout, message),
        other => panic!("ruma: 401 body is {other:?}"),
    }
}

/// The example response as bytes, checked once against ruma: read lazily,
/// so a run filtered to other benchmarks does not pay for reading the spec.
fn messages_response() -> http::Response<Bytes> {
    let ok = response(200, &messages_example());
    let ours = GetRoomEventsRequest::try_from_http_response(ok.clone())
        .unwrap_or_else(|e| panic!("ours: {e}"));
    let ruma = ruma_messages::Response::try_from_http_response(ruma_response(&ok))
        .unwrap_or_else(|e| panic!("ruma: {e}"));
    assert_eq!(ours.start, ruma.start);
    assert_eq!(ours.end, ruma.end);
    assert_eq!(ours.chunk.len(), 3, "the v1.19 example has three events");
    assert_eq!(ours.chunk.len(), ruma.chunk.len());
    for (ours, ruma) in ours.chunk.iter().zip(&ruma.chunk) {
        let ruma = ruma
            .deserialize()
            .unwrap_or_else(|e| panic!("ruma: event: {e}"));
        let ours = ours
            .deserialize()
            .unwrap_or_else(|e| panic!("ours: event: {e}"));
        assert_eq!(ours.event_id, ruma.event_id().as_str());
        assert_eq!(ours.sender, ruma.sender().as_str());
        assert_eq!(ours.room_id, ruma.room_id().as_str());
        assert_eq!(ours.content.event_type(), ruma.event_type().to_string());
        assert!(
            !matches!(
                ours.content,
                matrix_csapi::events::AnyTimelineEventContent::Other { .. }
            ),
            "a known event type in its own variant"
        );
    }
    assert_eq!(ours.state.unwrap_or_default().len(), ruma.state.len());
    ok
}

fn messages(c: &mut Criterion) {
    let ok = OnceLock::new();
    let ok = || ok.get_or_init(messages_response);

    let mut group = c.benchmark_group("messages");
    group.bench_function("response_200/matrix-csapi", |b| {
        let ok = ok();
        b.iter_batched(
            || ok.clone(),
            GetRoomEventsRequest::try_from_http_response,
            BatchSize::SmallInput,
        )
    });
    group.bench_function("response_200/matrix-csapi_events", |b| {
        let ok = ok();
        b.iter_batched(
            || ok.clone(),
            |response| {
                let page = GetRoomEventsRequest::try_from_http_response(response)
                    .unwrap_or_else(|e| panic!("ours: {e}"));
                let chunk: Vec<_> = page
                    .chunk
                    .iter()
                    .map(|event| event.deserialize().unwrap_or_else(|e| panic!("{e}")))
                    .collect();
                let state: Vec<_> = page
                    .state
                    .iter()
                    .flatten()
                    .map(|event| event.deserialize().unwrap_or_else(|e| panic!("{e}")))
                    .collect();
                (page, chunk, state)
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("response_200/ruma", |b| {
        let ok = ok();
        b.iter_batched(
            || ruma_response(ok),
            ruma_messages::Response::try_from_http_response,
            BatchSize::SmallInput,
        )
    });
    group.bench_function("response_200/ruma_events", |b| {
        let ok = ok();
        b.iter_batched(
            || ruma_response(ok),
            |response| {
                let page = ruma_messages::Response::try_from_http_response(response)
                    .unwrap_or_else(|e| panic!("ruma: {e}"));
                let chunk: Vec<_> = page
                    .chunk
                    .iter()
                    .map(|event| event.deserialize().unwrap_or_else(|e| panic!("{e}")))
                    .collect();
                let state: Vec<_> = page
                    .state
                    .iter()
                    .map(|event| event.deserialize().unwrap_or_else(|e| panic!("{e}")))
                    .collect();
                (page, chunk, state)
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, refresh, messages);

fn main() {
    let start = SystemTime::now();
    benches();
    Criterion::default().configure_from_args().final_summary();
    ratios::print(
        "matrix-csapi against ruma-client-api",
        &[
            Ratio {
                label: "refresh: build request",
                measured: "refresh/request/matrix-csapi",
                baseline: "refresh/request/ruma",
            },
            Ratio {
                label: "refresh: parse 200",
                measured: "refresh/response_200/matrix-csapi",
                baseline: "refresh/response_200/ruma",
            },
            Ratio {
                label: "refresh: parse 401 M_UNKNOWN_TOKEN",
                measured: "refresh/response_401/matrix-csapi",
                baseline: "refresh/response_401/ruma",
            },
            Ratio {
                label: "messages: parse 200, every event deserialized on both sides",
                measured: "messages/response_200/matrix-csapi_events",
                baseline: "messages/response_200/ruma_events",
            },
            Ratio {
                label: "messages: parse 200, events left raw on both sides",
                measured: "messages/response_200/matrix-csapi",
                baseline: "messages/response_200/ruma",
            },
        ],
        start,
    );
}
