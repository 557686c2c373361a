//! The generated request types beyond refresh, over real HTTP on 127.0.0.1
//! (and through the sans-IO `Endpoint` methods where that is clearer):
//! path escaping, query encoding, authentication per operation, raw media
//! uploads and downloads, redirects, multi-status responses, `null`
//! handling, typed errors and forward compatibility.
//!
//! Every request is bounded: the HTTP client has a timeout, the default
//! client is wrapped in a tokio timeout, and the loopback server serves a
//! fixed number of scripted responses.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, SystemTime};

use matrix_csapi::events::{
    AnyStateEventContent, AnyTimelineEventContent, RoomMessageEventContent,
};
use matrix_csapi::runtime::{
    Bytes, Error, EventContentFromType, FromHttpResponseError, IntoHttpError, RetryAfter,
    Timestamp, UnexpectedReason,
};
use matrix_csapi::types::{Encryption, Membership, Presence, RoomEventFilter, ThumbnailMethod};
use matrix_csapi::{AccessToken, BaseUrl, Client, Endpoint, ErrorCode, InvalidId};
use matrix_csapi_tests::{LoopbackServer, RecordedRequest, ScriptedResponse};
use serde_json::json;

use matrix_csapi::appservice_ping::{
    PingAppserviceError, PingAppserviceError502Errcode, PingAppserviceRequest,
    PingAppserviceRequestBody,
};
use matrix_csapi::authed_content_repo::{
    GetContentAuthedRequest, GetContentAuthedResponse, GetContentOverrideNameAuthedRequest,
    GetContentOverrideNameAuthedResponse, GetContentThumbnailAuthedRequest,
    GetContentThumbnailAuthedResponse,
};
use matrix_csapi::content_repo::{
    GetContentRequest, GetContentResponse, UploadContentRequest, UploadContentToMxcRequest,
};
use matrix_csapi::cross_signing::UploadCrossSigningKeysRequest;
use matrix_csapi::device_management::{
    DeleteDeviceRequest, DeleteDeviceRequestBody, UpdateDeviceRequest, UpdateDeviceRequestBody,
    UpdateDeviceResponse,
};
use matrix_csapi::joining::{JoinRoomRequest, JoinRoomRequestBody};
use matrix_csapi::login::LoginRequest;
use matrix_csapi::old_sync::GetOneEventRequest;
use matrix_csapi::presence::{
    GetPresenceRequest, GetPresenceResponse, SetPresenceRequest, SetPresenceRequestBody,
};
use matrix_csapi::pusher::PostPusherRequest;
use matrix_csapi::registration::{RegisterRequest, RegisterRequestBody};
use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
use matrix_csapi::room_summary::GetRoomSummaryRequest;
use matrix_csapi::rooms::{
    GetOneRoomEventRequest, GetRoomStateWithKeyFormat, GetRoomStateWithKeyRequest,
    GetRoomStateWithKeyResponse,
};
use matrix_csapi::search::{
    Categories, Group, GroupKey, Groupings, Ordering, RoomEventsCriteria, SearchRequest,
    SearchRequestBody,
};
use matrix_csapi::sso_login_redirect::{Action, RedirectToIdpRequest, RedirectToSsoRequest};
use matrix_csapi::sync::SyncRequest;
use matrix_csapi::third_party_lookup::{QueryLocationByProtocolRequest, QueryUserByIdRequest};
use matrix_csapi::types::{
    AuthenticationData, AuthenticationDataRegistrationToken, UserIdentifier,
    UserIdentifierThirdPartyId,
};
use matrix_csapi::versions::GetVersionsRequest;

const TOKEN: &str = "syt_d2lyZQ_SeCrEtAcCeSsToKeN_0wire";
const BEARER: &str = "Bearer syt_d2lyZQ_SeCrEtAcCeSsToKeN_0wire";
/// Upper bound for any single exchange, so that no test can hang.
const LIMIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// An identifier that follows the spec's grammar.
fn id<T: std::str::FromStr<Err = InvalidId>>(text: &str) -> T {
    text.parse().unwrap()
}

/// An identifier as a server may send it, off the grammar: deserializing
/// accepts any string, and such a value can be passed back in a request,
/// so escaping must hold for it too.
fn received<T: matrix_csapi::runtime::serde::de::DeserializeOwned>(text: &str) -> T {
    serde_json::from_value(json!(text)).unwrap()
}

async fn server(responses: Vec<ScriptedResponse>) -> LoopbackServer {
    LoopbackServer::start(responses).await.unwrap()
}

/// A generated client for `server` with a bounded, proxy-free HTTP client
/// that, like the default one, never follows redirects.
fn client(server: &LoopbackServer, token: Option<&str>) -> Client {
    let client = Client::from(server.client(LIMIT));
    client.set_access_token(token.map(AccessToken::new));
    client
}

/// Awaits `future` for at most [`LIMIT`].
async fn bounded<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, future)
        .await
        .expect("the exchange did not finish in time")
}

fn empty_object() -> ScriptedResponse {
    ScriptedResponse::json(200, &json!({}))
}

fn base() -> BaseUrl {
    BaseUrl::parse("https://hs.example.org").unwrap()
}

/// The raw (still percent-encoded) `name=value` pairs of the query, in
/// order.
fn query_pairs(request: &RecordedRequest) -> Vec<(String, String)> {
    request
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

fn sorted(mut list: Vec<(String, String)>) -> Vec<(String, String)> {
    list.sort();
    list
}

/// Asserts that a request carries the client's token exactly once, in the
/// `Authorization` header, and nowhere else on the wire.
fn assert_bearer_only(request: &RecordedRequest) {
    assert_eq!(request.header_all("authorization"), [BEARER], "{request:?}");
    assert!(!request.target.contains(TOKEN), "{}", request.target);
    assert!(
        !request.target.contains("access_token"),
        "{}",
        request.target
    );
    assert!(
        !String::from_utf8_lossy(&request.body).contains(TOKEN),
        "token in body"
    );
}

/// Asserts that a request carries no credentials at all.
fn assert_no_auth(request: &RecordedRequest) {
    assert_eq!(request.header("authorization"), None, "{request:?}");
    assert!(!request.target.contains(TOKEN), "{}", request.target);
    assert!(
        !request.target.contains("access_token"),
        "{}",
        request.target
    );
    for (_, value) in &request.headers {
        assert!(!value.contains(TOKEN), "token in a header: {request:?}");
    }
}

fn into_http_error<E: std::fmt::Debug>(error: Error<E>) -> IntoHttpError {
    match error {
        Error::IntoHttp(error) => error,
        other => panic!("expected a request-building error, got {other:?}"),
    }
}

fn client_event(event_id: &str) -> serde_json::Value {
    json!({
        "event_id": event_id,
        "type": "m.room.message",
        "sender": "@alice:example.org",
        "origin_server_ts": 1_432_735_824_653_i64,
        "room_id": "!abc:example.org",
        "content": {"msgtype": "m.text", "body": "hi"},
        "unsigned": {"age": 1234, "org.example.unsigned_extra": true},
        "org.example.top_level_extra": {"nested": [1, 2, 3]}
    })
}

// ---------------------------------------------------------------------------
// 1. Path escaping
// ---------------------------------------------------------------------------

#[tokio::test]
async fn join_room_alias_and_room_id_are_one_escaped_segment() {
    let server = server(vec![
        ScriptedResponse::json(200, &json!({"room_id": "!abc:example.org"})),
        ScriptedResponse::json(200, &json!({"room_id": "!abc:example.org"})),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let mut body = JoinRoomRequestBody::new();
    body.reason = Some("Looking for #support?".to_owned());
    let joined = bounded(client.join_room(JoinRoomRequest::new(id("#room:example.org"), body)))
        .await
        .unwrap();
    assert_eq!(joined.room_id, "!abc:example.org");
    bounded(client.join_room(JoinRoomRequest::new(
        id("!abc:example.org"),
        JoinRoomRequestBody::new(),
    )))
    .await
    .unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        requests[0].target,
        "/_matrix/client/v3/join/%23room%3Aexample.org"
    );
    assert_eq!(
        requests[0].body_json(),
        Some(json!({"reason": "Looking for #support?"}))
    );
    assert_eq!(requests[0].header("content-type"), Some("application/json"));
    assert_eq!(
        requests[1].target,
        "/_matrix/client/v3/join/%21abc%3Aexample.org"
    );
    assert_eq!(requests[1].body_json(), Some(json!({})));
}

#[tokio::test]
async fn state_event_type_and_state_key_with_reserved_characters() {
    let server = server(vec![
        ScriptedResponse::json(200, &json!({"event_id": "$ev:example.org"})),
        ScriptedResponse::json(200, &json!({"name": "My room"})),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let mut content = serde_json::Map::new();
    content.insert("k".to_owned(), json!("v"));
    let sent = bounded(
        client.set_room_state_with_key(SetRoomStateWithKeyRequest::new(
            id("!abc:example.org"),
            "org.example/type?x=1".to_owned(),
            "@bob:example.org/../..?a=b#frag 100%".to_owned(),
            content,
        )),
    )
    .await
    .unwrap();
    assert_eq!(sent.event_id, "$ev:example.org");

    // An empty state key is an empty last segment (a trailing slash).
    let state = bounded(
        client.get_room_state_with_key(GetRoomStateWithKeyRequest::new(
            id("!abc:example.org"),
            "m.room.name".to_owned(),
            String::new(),
        )),
    )
    .await
    .unwrap();
    let GetRoomStateWithKeyResponse::Object(content) = state else {
        panic!("a bare content object must parse as the object variant: {state:?}");
    };
    assert_eq!(content["name"], "My room");

    let requests = server.requests();
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(
        requests[0].target,
        "/_matrix/client/v3/rooms/%21abc%3Aexample.org/state/org.example%2Ftype%3Fx%3D1/\
         %40bob%3Aexample.org%2F..%2F..%3Fa%3Db%23frag%20100%25"
    );
    assert_eq!(requests[0].body_json(), Some(json!({"k": "v"})));
    assert_eq!(requests[1].method, "GET");
    assert_eq!(
        requests[1].target,
        "/_matrix/client/v3/rooms/%21abc%3Aexample.org/state/m.room.name/"
    );
    assert!(requests[1].body.is_empty());
    assert_eq!(requests[1].header("content-type"), None);
}

/// `GET /rooms/{roomId}/state/{eventType}/{stateKey}` answers the content
/// or, with `format=event`, the whole event: a `oneOf` of both, an
/// untagged enum whose event member is an envelope (its `content` read as
/// JSON text). Each body must land in its own member.
#[tokio::test]
async fn state_by_key_reads_the_content_or_the_event_in_its_envelope() {
    // The spec's example of this response (rooms.yaml), and the event form:
    // the spec's `m.room.topic` example on its `core/state_event.json` base.
    let content = json!({"name": "Example room name"});
    let topic = json!({
        "type": "m.room.topic",
        "state_key": "",
        "content": {
            "m.topic": {"m.text": [
                {"mimetype": "text/html", "body": "An <em>interesting</em> room topic"},
                {"body": "An interesting room topic"}
            ]},
            "topic": "An interesting room topic"
        },
        "event_id": "$143273582443PhrSn:example.org",
        "origin_server_ts": 1_432_735_824_653_i64,
        "room_id": "!jEsUZKDJdhlrceRyVU:example.org",
        "sender": "@example:example.org",
        "unsigned": {"age": 1234, "membership": "join"}
    });
    // Redacted: its content emptied, still an event (`Other`), not a content.
    let mut redacted = topic.clone();
    redacted["content"] = json!({});
    let server = server(
        [&content, &topic, &redacted]
            .map(|body| ScriptedResponse::json(200, body))
            .to_vec(),
    )
    .await;
    let client = client(&server, Some(TOKEN));
    let request = |format: Option<GetRoomStateWithKeyFormat>| {
        let mut request = GetRoomStateWithKeyRequest::new(
            id("!jEsUZKDJdhlrceRyVU:example.org"),
            "m.room.topic".to_owned(),
            String::new(),
        );
        request.format = format;
        client.get_room_state_with_key(request)
    };

    let got = bounded(request(None)).await.unwrap();
    let GetRoomStateWithKeyResponse::Object(object) = &got else {
        panic!("a content must be the object member: {got:?}");
    };
    assert_eq!(object["name"], "Example room name");
    assert_eq!(serde_json::to_value(&got).unwrap(), content);

    let got = bounded(request(Some(GetRoomStateWithKeyFormat::Event)))
        .await
        .unwrap();
    let GetRoomStateWithKeyResponse::StateEvent(event) = &got else {
        panic!("an event must be the event member: {got:?}");
    };
    let AnyStateEventContent::RoomTopic(typed) = &event.content else {
        panic!("not in the variant of its type: {:?}", event.content);
    };
    assert_eq!(typed.topic, "An interesting room topic");
    assert_eq!(event.content.event_type(), "m.room.topic");
    assert_eq!(event.state_key, "");
    assert_eq!(event.sender, "@example:example.org");
    assert_eq!(event.room_id, "!jEsUZKDJdhlrceRyVU:example.org");
    assert_eq!(serde_json::to_value(&got).unwrap(), topic);

    let got = bounded(request(Some(GetRoomStateWithKeyFormat::Event)))
        .await
        .unwrap();
    let GetRoomStateWithKeyResponse::StateEvent(event) = &got else {
        panic!("a redacted event must be the event member: {got:?}");
    };
    assert!(
        matches!(&event.content, AnyStateEventContent::Other { event_type, .. } if event_type == "m.room.topic"),
        "{:?}",
        event.content
    );
    assert_eq!(serde_json::to_value(&got).unwrap(), redacted);

    // The same without HTTP, from text and from a `serde_json::Value`.
    let from_text: GetRoomStateWithKeyResponse = serde_json::from_str(&topic.to_string()).unwrap();
    let from_value: GetRoomStateWithKeyResponse = serde_json::from_value(topic.clone()).unwrap();
    assert_eq!(from_text, from_value);
    assert!(matches!(
        from_text,
        GetRoomStateWithKeyResponse::StateEvent(_)
    ));
}

#[tokio::test]
async fn event_ids_with_slashes_stay_in_their_segment() {
    let server = server(vec![
        ScriptedResponse::json(200, &client_event("$abc/def")),
        ScriptedResponse::json(200, &client_event("$abc/def")),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let event = bounded(client.get_one_room_event(GetOneRoomEventRequest::new(
        id("!abc:example.org"),
        id("$abc/def"),
    )))
    .await
    .unwrap();
    let event = event.deserialize().unwrap();
    assert_eq!(event.event_id, "$abc/def");
    assert_eq!(event.content.event_type(), "m.room.message");
    assert_eq!(
        event.origin_server_ts,
        Timestamp::from_millis(1_432_735_824_653)
    );
    assert_eq!(
        event.unsigned.as_ref().and_then(|u| u.age),
        Some(Duration::from_millis(1234))
    );

    bounded(client.get_one_event(GetOneEventRequest::new(id("$abc/def"))))
        .await
        .unwrap();

    let requests = server.requests();
    assert_eq!(
        requests[0].target,
        "/_matrix/client/v3/rooms/%21abc%3Aexample.org/event/%24abc%2Fdef"
    );
    assert_eq!(requests[1].target, "/_matrix/client/v3/events/%24abc%2Fdef");
}

#[tokio::test]
async fn spaces_percent_and_non_ascii_in_path_params() {
    let server = server(vec![
        ScriptedResponse::json(200, &json!({"presence": "online"})),
        empty_object(),
    ])
    .await;
    let client = client(&server, Some(TOKEN));
    bounded(client.get_presence(GetPresenceRequest::new(received(
        "@zoë the 100%:example.org",
    ))))
    .await
    .unwrap();
    bounded(client.upload_content_to_mxc(UploadContentToMxcRequest::new(
        id("example.org:8448"),
        "a b/..%2F".to_owned(),
        Bytes::from_static(b"x"),
    )))
    .await
    .unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].target,
        "/_matrix/client/v3/presence/%40zo%C3%AB%20the%20100%25%3Aexample.org/status"
    );
    assert_eq!(
        requests[1].target,
        "/_matrix/media/v3/upload/example.org%3A8448/a%20b%2F..%252F"
    );
}

#[tokio::test]
async fn dot_segment_params_are_refused_and_nothing_is_sent() {
    let server = server(vec![empty_object()]).await;
    let client = client(&server, Some(TOKEN));
    for dots in [".", ".."] {
        let errors = [
            into_http_error(
                bounded(client.join_room(JoinRoomRequest::new(
                    received(dots),
                    JoinRoomRequestBody::new(),
                )))
                .await
                .unwrap_err(),
            ),
            into_http_error(
                bounded(client.get_one_room_event(GetOneRoomEventRequest::new(
                    id("!abc:example.org"),
                    received(dots),
                )))
                .await
                .unwrap_err(),
            ),
            into_http_error(
                bounded(
                    client.set_room_state_with_key(SetRoomStateWithKeyRequest::new(
                        id("!abc:example.org"),
                        "m.room.name".to_owned(),
                        dots.to_owned(),
                        serde_json::Map::new(),
                    )),
                )
                .await
                .unwrap_err(),
            ),
            into_http_error(
                bounded(client.get_content_authed(GetContentAuthedRequest::new(
                    id("example.org"),
                    dots.to_owned(),
                )))
                .await
                .unwrap_err(),
            ),
        ];
        for error in errors {
            assert!(
                matches!(error, IntoHttpError::DotSegmentInPath),
                "{dots}: {error:?}"
            );
        }
        // The sans-IO layer refuses the same way.
        let sans_io = GetPresenceRequest::new(received(dots))
            .try_into_http_request(&base(), Some(&AccessToken::new(TOKEN)))
            .unwrap_err();
        assert!(
            matches!(sans_io, IntoHttpError::DotSegmentInPath),
            "{sans_io:?}"
        );
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());

    // Dots inside a longer value are ordinary characters and are sent.
    let request = GetOneRoomEventRequest::new(id("!abc:example.org"), received("..."))
        .try_into_http_request(&base(), Some(&AccessToken::new(TOKEN)))
        .unwrap();
    assert_eq!(
        request.uri().to_string(),
        "https://hs.example.org/_matrix/client/v3/rooms/%21abc%3Aexample.org/event/..."
    );
}

// ---------------------------------------------------------------------------
// 2. Query parameters
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_parameter_repeats_its_name_in_order() {
    let server = server(vec![
        ScriptedResponse::json(200, &json!({"room_id": "!abc:example.org"})),
        ScriptedResponse::json(200, &json!({"room_id": "!abc:example.org"})),
    ])
    .await;
    let client = client(&server, Some(TOKEN));
    let mut request = JoinRoomRequest::new(id("#room:example.org"), JoinRoomRequestBody::new());
    request.via = vec![
        id("example.org"),
        id("other.example:8448"),
        received("we ird&via=x"),
    ];
    bounded(client.join_room(request)).await.unwrap();
    // An empty list sends no parameter at all (and no `?`).
    bounded(client.join_room(JoinRoomRequest::new(
        id("#room:example.org"),
        JoinRoomRequestBody::new(),
    )))
    .await
    .unwrap();

    let requests = server.requests();
    assert_eq!(
        requests[0].target,
        "/_matrix/client/v3/join/%23room%3Aexample.org\
         ?via=example.org&via=other.example%3A8448&via=we%20ird%26via%3Dx"
    );
    assert_eq!(
        requests[1].target,
        "/_matrix/client/v3/join/%23room%3Aexample.org"
    );
}

#[tokio::test]
async fn map_parameter_sends_each_entry_as_its_own_key() {
    let locations = json!([{
        "alias": "#freenode_#matrix:matrix.org",
        "protocol": "irc",
        "fields": {"network": "freenode", "channel": "#matrix"},
        "org.example.extra": "ignored"
    }]);
    let server = server(vec![
        ScriptedResponse::json(200, &locations),
        ScriptedResponse::json(200, &json!([])),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let mut request = QueryLocationByProtocolRequest::new("irc/v2".to_owned());
    request.fields = BTreeMap::from([
        ("network".to_owned(), "irc.example.org".to_owned()),
        ("channel".to_owned(), "#matrix dev&x=1".to_owned()),
        ("field with space".to_owned(), "ü".to_owned()),
    ]);
    let found = bounded(client.query_location_by_protocol(request))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].alias, "#freenode_#matrix:matrix.org");
    assert_eq!(found[0].fields["channel"], "#matrix");

    bounded(
        client.query_location_by_protocol(QueryLocationByProtocolRequest::new("irc".to_owned())),
    )
    .await
    .unwrap();

    let requests = server.requests();
    assert_eq!(
        requests[0].path(),
        "/_matrix/client/v3/thirdparty/location/irc%2Fv2"
    );
    assert_eq!(
        sorted(query_pairs(&requests[0])),
        sorted(pairs(&[
            ("network", "irc.example.org"),
            ("channel", "%23matrix%20dev%26x%3D1"),
            ("field%20with%20space", "%C3%BC"),
        ]))
    );
    // No `fields` wrapper key, no bracket or JSON encoding of the map.
    assert!(
        !requests[0].target.contains("fields"),
        "{}",
        requests[0].target
    );
    assert_eq!(
        requests[1].target,
        "/_matrix/client/v3/thirdparty/location/irc"
    );
}

#[tokio::test]
async fn millisecond_parameters_are_durations_sent_as_integer_milliseconds() {
    let ok = || {
        ScriptedResponse::status(200)
            .header("Content-Type", "application/octet-stream")
            .body("x")
    };
    let server = server(vec![ok(), ok(), ok()]).await;
    let client = client(&server, Some(TOKEN));

    let mut request = GetContentAuthedRequest::new(id("example.org"), "abc".to_owned());
    request.timeout = Some(Duration::from_secs(20));
    bounded(client.get_content_authed(request)).await.unwrap();

    let mut request = GetContentAuthedRequest::new(id("example.org"), "abc".to_owned());
    request.timeout = Some(Duration::from_micros(1_500_900));
    bounded(client.get_content_authed(request)).await.unwrap();

    let mut request =
        GetContentThumbnailAuthedRequest::new(id("example.org"), "abc".to_owned(), 640, 480);
    request.method = Some(ThumbnailMethod::Scale);
    request.timeout = Some(Duration::ZERO);
    request.animated = Some(false);
    bounded(client.get_content_thumbnail_authed(request))
        .await
        .unwrap();

    let requests = server.requests();
    assert_eq!(
        requests[0].target,
        "/_matrix/client/v1/media/download/example.org/abc?timeout_ms=20000"
    );
    // A partial millisecond rounds up: a non-zero duration is never sent
    // as fewer milliseconds than it is (nor as 0).
    assert_eq!(query_pairs(&requests[1]), pairs(&[("timeout_ms", "1501")]));
    assert_eq!(
        requests[2].path(),
        "/_matrix/client/v1/media/thumbnail/example.org/abc"
    );
    assert_eq!(
        sorted(query_pairs(&requests[2])),
        sorted(pairs(&[
            ("width", "640"),
            ("height", "480"),
            ("method", "scale"),
            ("timeout_ms", "0"),
            ("animated", "false"),
        ]))
    );
}

#[tokio::test]
async fn unset_optional_parameters_are_left_out() {
    let ok = || {
        ScriptedResponse::status(200)
            .header("Content-Type", "text/plain")
            .body("x")
    };
    let sync_body = json!({"next_batch": "s72595_4483_1934"});
    let server = server(vec![
        ok(),
        ok(),
        ScriptedResponse::json(200, &sync_body),
        ScriptedResponse::json(200, &sync_body),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    bounded(client.get_content(GetContentRequest::new(id("example.org"), "abc".to_owned())))
        .await
        .unwrap();
    let mut request = GetContentRequest::new(id("example.org"), "abc".to_owned());
    request.allow_remote = Some(false);
    request.allow_redirect = Some(true);
    bounded(client.get_content(request)).await.unwrap();

    let synced = bounded(client.sync(SyncRequest::new())).await.unwrap();
    assert_eq!(synced.next_batch, "s72595_4483_1934");
    let mut request = SyncRequest::new();
    request.filter = Some(r#"{"room":{"timeline":{"limit":10}}}"#.to_owned());
    request.since = Some("s72594_4483_1934".to_owned());
    // A partial millisecond rounds up: never sent as less than asked.
    request.timeout = Some(Duration::from_micros(29_999_001));
    request.set_presence = Some(Presence::Offline);
    bounded(client.sync(request)).await.unwrap();

    let requests = server.requests();
    assert_eq!(
        requests[0].target,
        "/_matrix/media/v3/download/example.org/abc"
    );
    assert_eq!(
        sorted(query_pairs(&requests[1])),
        sorted(pairs(&[
            ("allow_remote", "false"),
            ("allow_redirect", "true")
        ]))
    );
    assert_eq!(requests[2].target, "/_matrix/client/v3/sync");
    assert_eq!(
        sorted(query_pairs(&requests[3])),
        sorted(pairs(&[
            (
                "filter",
                "%7B%22room%22%3A%7B%22timeline%22%3A%7B%22limit%22%3A10%7D%7D%7D"
            ),
            ("since", "s72594_4483_1934"),
            ("timeout", "30000"),
            ("set_presence", "offline"),
        ]))
    );
}

#[tokio::test]
async fn query_values_are_percent_encoded_and_sso_redirect_is_typed() {
    let location = "https://idp.example.org/authorize?client_id=abc&state=x%20y";
    let server = server(vec![
        ScriptedResponse::status(302).header("Location", location),
        ScriptedResponse::status(302).header("Location", location),
        ScriptedResponse::json(200, &json!([])),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let mut request =
        RedirectToSsoRequest::new("https://client.example/cb?x=1&y=a b#frag+ü".to_owned());
    request.action = Some(Action::Register);
    let redirect = bounded(client.redirect_to_sso(request)).await.unwrap();
    assert_eq!(redirect.location.as_deref(), Some(location));

    let redirect = bounded(client.redirect_to_idp(RedirectToIdpRequest::new(
        "oidc-github/1".to_owned(),
        "matrix://cb".to_owned(),
    )))
    .await
    .unwrap();
    assert_eq!(redirect.location.as_deref(), Some(location));

    bounded(client.query_user_by_id(QueryUserByIdRequest::new(id("@bob:example.org"))))
        .await
        .unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 3, "redirects must not be followed");
    assert_eq!(
        requests[0].target,
        "/_matrix/client/v3/login/sso/redirect\
         ?redirectUrl=https%3A%2F%2Fclient.example%2Fcb%3Fx%3D1%26y%3Da%20b%23frag%2B%C3%BC\
         &action=register"
    );
    assert_no_auth(&requests[0]);
    assert_eq!(
        requests[1].target,
        "/_matrix/client/v3/login/sso/redirect/oidc-github%2F1?redirectUrl=matrix%3A%2F%2Fcb"
    );
    assert_no_auth(&requests[1]);
    assert_eq!(
        requests[2].target,
        "/_matrix/client/v3/thirdparty/user?userid=%40bob%3Aexample.org"
    );
}

// ---------------------------------------------------------------------------
// 3. Authentication per operation
// ---------------------------------------------------------------------------

#[tokio::test]
async fn access_token_operations_send_the_bearer_header_only() {
    let server = server(vec![
        ScriptedResponse::json(200, &json!({"room_id": "!abc:example.org"})),
        ScriptedResponse::json(200, &json!({"content_uri": "mxc://example.org/abc"})),
        ScriptedResponse::json(200, &json!({"duration_ms": 123})),
    ])
    .await;
    let client = client(&server, Some(TOKEN));
    let mut join = JoinRoomRequest::new(id("#room:example.org"), JoinRoomRequestBody::new());
    join.via = vec![id("example.org")];
    bounded(client.join_room(join)).await.unwrap();
    bounded(client.upload_content(UploadContentRequest::new(Bytes::from_static(b"data"))))
        .await
        .unwrap();
    // Application-service endpoints carry the as_token the same way.
    let pong = bounded(client.ping_appservice(PingAppserviceRequest::new(
        "my_bridge".to_owned(),
        PingAppserviceRequestBody::new(),
    )))
    .await
    .unwrap();
    assert_eq!(pong.duration, Duration::from_millis(123));

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_bearer_only(request);
    }
    assert_eq!(
        requests[2].target,
        "/_matrix/client/v1/appservice/my_bridge/ping"
    );
    assert_eq!(requests[2].body_json(), Some(json!({})));
}

#[tokio::test]
async fn no_auth_operations_never_send_a_token() {
    let login_ok = json!({
        "user_id": "@cheeky_monkey:matrix.org",
        "access_token": "syt_new_login_token",
        "device_id": "GHTYAJCE",
        "expires_in_ms": 60000
    });
    let register_ok = json!({"user_id": "@cheeky_monkey:matrix.org"});
    let server = server(vec![
        ScriptedResponse::json(200, &login_ok),
        ScriptedResponse::json(200, &register_ok),
        ScriptedResponse::status(200)
            .header("Content-Type", "image/png")
            .body("png"),
    ])
    .await;
    // The client holds a token; none of these operations may send it.
    let client = client(&server, Some(TOKEN));

    let mut login = LoginRequest::new("m.login.token".to_owned());
    login.token = Some("login_token_value".to_owned());
    let logged_in = bounded(client.login(login)).await.unwrap();
    assert_eq!(logged_in.device_id, "GHTYAJCE");
    assert_eq!(logged_in.expires_in, Some(Duration::from_secs(60)));

    let mut body = RegisterRequestBody::new();
    body.username = Some("cheeky_monkey".to_owned());
    body.inhibit_login = Some(true);
    bounded(client.register(RegisterRequest::new(body)))
        .await
        .unwrap();

    bounded(client.get_content(GetContentRequest::new(id("example.org"), "abc".to_owned())))
        .await
        .unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_no_auth(request);
    }
    assert_eq!(requests[0].target, "/_matrix/client/v3/login");
    assert_eq!(
        requests[0].body_json(),
        Some(json!({"type": "m.login.token", "token": "login_token_value"}))
    );
    assert_eq!(requests[1].target, "/_matrix/client/v3/register");
    assert_eq!(
        requests[1].body_json(),
        Some(json!({"username": "cheeky_monkey", "inhibit_login": true}))
    );

    // Sans-IO: even a token passed explicitly is not put on the request.
    let token = AccessToken::new(TOKEN);
    let built = LoginRequest::new("m.login.password".to_owned())
        .try_into_http_request(&base(), Some(&token))
        .unwrap();
    assert!(built.headers().get("authorization").is_none());
    assert!(!built.uri().to_string().contains(TOKEN));
}

#[tokio::test]
async fn logins_and_auth_stages_are_sent_in_their_typed_forms() {
    let logged_in = json!({"user_id": "@alice:example.org", "access_token": "t", "device_id": "D"});
    let server = server(vec![
        ScriptedResponse::json(200, &logged_in),
        ScriptedResponse::json(200, &json!({"user_id": "@bob:example.org"})),
    ])
    .await;
    let client = client(&server, None);

    let mut login = LoginRequest::new("m.login.password".to_owned());
    login.identifier = Some(
        UserIdentifierThirdPartyId::new("email".to_owned(), "alice@example.org".to_owned()).into(),
    );
    login.password = Some("secret".to_owned());
    bounded(client.login(login)).await.unwrap();

    let mut stage = AuthenticationDataRegistrationToken::new("fBVFdqVE".to_owned());
    stage.session = Some("xyz".to_owned());
    let mut body = RegisterRequestBody::new();
    body.username = Some("bob".to_owned());
    body.auth = Some(stage.into());
    bounded(client.register(RegisterRequest::new(body)))
        .await
        .unwrap();

    let requests = server.requests();
    assert_eq!(
        requests[0].body_json(),
        Some(json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.thirdparty", "medium": "email", "address": "alice@example.org"},
            "password": "secret"
        }))
    );
    assert_eq!(
        requests[1].body_json(),
        Some(json!({
            "username": "bob",
            "auth": {"type": "m.login.registration_token", "token": "fBVFdqVE", "session": "xyz"}
        }))
    );
}

#[test]
fn tagged_unions_read_known_unknown_and_untyped_values_and_write_them_back_unchanged() {
    let cases = [
        // A known stage, with a key the schema does not name.
        (
            json!({"type": "m.login.password", "password": "p", "session": "s",
                   "identifier": {"type": "m.id.phone", "country": "GB", "phone": "077"},
                   "org.example.extra": 1}),
            "Password",
        ),
        (json!({"type": "m.login.dummy"}), "Dummy"),
        (
            json!({"type": "m.login.msisdn",
                   "threepid_creds": {"sid": "1", "client_secret": "c", "id_server": "id.example.org"}}),
            "Msisdn",
        ),
        // A stage this crate does not know, and the fallback's session-only dict.
        (
            json!({"type": "org.example.stage", "session": "s", "secret": "x"}),
            "Other",
        ),
        (json!({"session": "s"}), "Other"),
        // A known type that lacks its required key is kept, not refused.
        (
            json!({"type": "m.login.recaptcha", "session": "s"}),
            "Other",
        ),
    ];
    for (wire, variant) in cases {
        let auth: AuthenticationData = serde_json::from_value(wire.clone()).unwrap();
        let kind = match &auth {
            AuthenticationData::Password(stage) => {
                assert_eq!(stage.additional_properties["org.example.extra"], 1);
                assert!(matches!(stage.identifier, UserIdentifier::PhoneNumber(_)));
                "Password"
            }
            AuthenticationData::Dummy(_) => "Dummy",
            AuthenticationData::Msisdn(stage) => {
                assert_eq!(
                    stage.threepid_creds.id_server.as_deref(),
                    Some("id.example.org")
                );
                "Msisdn"
            }
            AuthenticationData::Other(_) => "Other",
            other => panic!("{other:?}"),
        };
        assert_eq!(kind, variant, "{wire}");
        assert_eq!(serde_json::to_value(&auth).unwrap(), wire);
    }
    let unknown = json!({"type": "org.example.id", "handle": "alice"});
    let identifier: UserIdentifier = serde_json::from_value(unknown.clone()).unwrap();
    let UserIdentifier::Other(other) = &identifier else {
        panic!("{identifier:?}")
    };
    assert_eq!(other.type_, "org.example.id");
    assert_eq!(serde_json::to_value(&identifier).unwrap(), unknown);
}

#[tokio::test]
async fn optional_auth_operations_send_the_token_only_when_there_is_one() {
    let versions =
        json!({"versions": ["v1.18", "v1.19"], "unstable_features": {"org.example.x": true}});
    let summary = json!({
        "room_id": "!abc:example.org",
        "num_joined_members": 3,
        "world_readable": false,
        "guest_can_join": false
    });
    let server = server(vec![
        ScriptedResponse::json(200, &versions),
        ScriptedResponse::json(200, &versions),
        ScriptedResponse::json(200, &summary),
        ScriptedResponse::json(200, &summary),
    ])
    .await;
    let client = client(&server, None);

    let got = bounded(client.get_versions(GetVersionsRequest::new()))
        .await
        .unwrap();
    assert_eq!(got.versions, ["v1.18", "v1.19"]);
    client.set_access_token(Some(AccessToken::new(TOKEN)));
    bounded(client.get_versions(GetVersionsRequest::new()))
        .await
        .unwrap();

    client.set_access_token(None);
    let mut request = GetRoomSummaryRequest::new(id("#room:example.org"));
    request.via = vec![id("example.org"), id("b.example")];
    bounded(client.get_room_summary(request.clone()))
        .await
        .unwrap();
    client.set_access_token(Some(AccessToken::new(TOKEN)));
    bounded(client.get_room_summary(request)).await.unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[0].target, "/_matrix/client/versions");
    assert_no_auth(&requests[0]);
    assert_eq!(requests[1].target, "/_matrix/client/versions");
    assert_bearer_only(&requests[1]);
    assert_eq!(
        requests[2].target,
        "/_matrix/client/v1/room_summary/%23room%3Aexample.org?via=example.org&via=b.example"
    );
    assert_no_auth(&requests[2]);
    assert_eq!(requests[3].target, requests[2].target);
    assert_bearer_only(&requests[3]);
}

#[tokio::test]
async fn missing_token_on_a_required_auth_operation_is_a_typed_error_and_nothing_is_sent() {
    let server = server(vec![empty_object()]).await;
    let client = client(&server, None);

    let join = into_http_error(
        bounded(client.join_room(JoinRoomRequest::new(
            id("#room:example.org"),
            JoinRoomRequestBody::new(),
        )))
        .await
        .unwrap_err(),
    );
    let upload = into_http_error(
        bounded(client.upload_content(UploadContentRequest::new(Bytes::from_static(b"x"))))
            .await
            .unwrap_err(),
    );
    let ping = into_http_error(
        bounded(client.ping_appservice(PingAppserviceRequest::new(
            "bridge".to_owned(),
            PingAppserviceRequestBody::new(),
        )))
        .await
        .unwrap_err(),
    );
    assert!(
        matches!(
            join,
            IntoHttpError::MissingAccessToken {
                operation_id: "joinRoom"
            }
        ),
        "{join:?}"
    );
    assert!(
        matches!(
            upload,
            IntoHttpError::MissingAccessToken {
                operation_id: "uploadContent"
            }
        ),
        "{upload:?}"
    );
    assert!(
        matches!(
            ping,
            IntoHttpError::MissingAccessToken {
                operation_id: "pingAppservice"
            }
        ),
        "{ping:?}"
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());

    let sans_io = GetPresenceRequest::new(id("@a:example.org"))
        .try_into_http_request(&base(), None)
        .unwrap_err();
    assert!(
        matches!(
            sans_io,
            IntoHttpError::MissingAccessToken {
                operation_id: "getPresence"
            }
        ),
        "{sans_io:?}"
    );
}

// ---------------------------------------------------------------------------
// 4. Media
// ---------------------------------------------------------------------------

#[tokio::test]
async fn upload_sends_raw_bytes_with_content_type_and_filename() {
    let payload: Vec<u8> = (0..=255u8).chain(*b"\r\n\r\n{\"not\":\"json\"}").collect();
    let server = server(vec![
        ScriptedResponse::json(
            200,
            &json!({"content_uri": "mxc://example.org/AQwafuaFswefuhsfAFAgsw"}),
        ),
        ScriptedResponse::json(200, &json!({"content_uri": "mxc://example.org/second"})),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let mut request = UploadContentRequest::new(Bytes::from(payload.clone()));
    request.content_type = Some("image/png".to_owned());
    request.filename = Some("my cat (1)&ü.png".to_owned());
    let uploaded = bounded(client.upload_content(request)).await.unwrap();
    assert_eq!(
        uploaded.content_uri,
        "mxc://example.org/AQwafuaFswefuhsfAFAgsw"
    );

    // Without a content type, the documented default is sent.
    let uploaded =
        bounded(client.upload_content(UploadContentRequest::new(Bytes::from_static(b"\x00\x01"))))
            .await
            .unwrap();
    assert_eq!(uploaded.content_uri, "mxc://example.org/second");

    let requests = server.requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        requests[0].target,
        "/_matrix/media/v3/upload?filename=my%20cat%20%281%29%26%C3%BC.png"
    );
    assert_eq!(requests[0].header_all("content-type"), ["image/png"]);
    assert_eq!(requests[0].body, payload);
    assert_eq!(
        requests[0].header("content-length"),
        Some(payload.len().to_string().as_str())
    );
    assert_eq!(requests[1].target, "/_matrix/media/v3/upload");
    assert_eq!(
        requests[1].header_all("content-type"),
        ["application/octet-stream"]
    );
    assert_eq!(requests[1].body, b"\x00\x01");
}

#[tokio::test]
async fn download_returns_the_bytes_and_headers_exactly() {
    let bytes: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0, 0xff, b'\r', b'\n'];
    let disposition = r#"attachment; filename="cat \"1\".png"; filename*=UTF-8''caf%C3%A9.png"#;
    let server = server(vec![
        ScriptedResponse::status(200)
            .header("Content-Type", "image/png")
            .header("Content-Disposition", disposition)
            .body(bytes.clone()),
        // No headers at all: both are absent, not empty.
        ScriptedResponse::status(200).body("plain"),
        ScriptedResponse::status(200)
            .header("Content-Type", "text/plain; charset=utf-8")
            .header(
                "Content-Disposition",
                "inline; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.txt",
            )
            .body(""),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let response = bounded(client.get_content_authed(GetContentAuthedRequest::new(
        id("example.org"),
        "AQwafuaFswefuhsfAFAgsw".to_owned(),
    )))
    .await
    .unwrap();
    let GetContentAuthedResponse::Ok(download) = response else {
        panic!("expected the 200 variant, got {response:?}");
    };
    assert_eq!(download.content_type.as_deref(), Some("image/png"));
    assert_eq!(download.content_disposition.as_deref(), Some(disposition));
    assert_eq!(&download.body[..], &bytes[..]);

    let response = bounded(client.get_content_authed(GetContentAuthedRequest::new(
        id("example.org"),
        "noheaders".to_owned(),
    )))
    .await
    .unwrap();
    let GetContentAuthedResponse::Ok(download) = response else {
        panic!("expected the 200 variant, got {response:?}");
    };
    assert_eq!(download.content_type, None);
    assert_eq!(download.content_disposition, None);
    assert_eq!(&download.body[..], b"plain");

    let response = bounded(client.get_content_override_name_authed(
        GetContentOverrideNameAuthedRequest::new(
            id("example.org"),
            "abc".to_owned(),
            "résumé final.txt".to_owned(),
        ),
    ))
    .await
    .unwrap();
    let GetContentOverrideNameAuthedResponse::Ok(download) = response else {
        panic!("expected the 200 variant, got {response:?}");
    };
    assert_eq!(
        download.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        download.content_disposition.as_deref(),
        Some("inline; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.txt")
    );
    assert!(download.body.is_empty());

    let requests = server.requests();
    for request in &requests {
        assert_eq!(request.method, "GET");
        assert_bearer_only(request);
        assert!(request.body.is_empty());
    }
    assert_eq!(
        requests[0].target,
        "/_matrix/client/v1/media/download/example.org/AQwafuaFswefuhsfAFAgsw"
    );
    assert_eq!(
        requests[2].target,
        "/_matrix/client/v1/media/download/example.org/abc/r%C3%A9sum%C3%A9%20final.txt"
    );
}

/// RFC 6266 prefers `filename*=`, but servers do send raw UTF-8 in
/// `Content-Disposition` (`filename="résumé.txt"`); the runtime documents
/// `InvalidHeader` only for values that are "not UTF-8 text".
#[tokio::test]
async fn download_with_a_raw_utf8_content_disposition_keeps_the_header() {
    let disposition = "inline; filename=\"résumé final.txt\"";
    let server = server(vec![
        ScriptedResponse::status(200)
            .header("Content-Type", "text/plain")
            .header("Content-Disposition", disposition)
            .body("hello"),
    ])
    .await;
    let client = client(&server, Some(TOKEN));
    let response = bounded(client.get_content_authed(GetContentAuthedRequest::new(
        id("example.org"),
        "abc".to_owned(),
    )))
    .await
    .unwrap();
    let GetContentAuthedResponse::Ok(download) = response else {
        panic!("expected the 200 variant, got {response:?}");
    };
    assert_eq!(download.content_disposition.as_deref(), Some(disposition));
    assert_eq!(&download.body[..], b"hello");
}

#[tokio::test]
async fn media_redirects_come_back_typed_and_are_not_followed() {
    let server = server(vec![
        ScriptedResponse::status(307)
            .header("Location", "https://cdn.example.org/media/abc?sig=1&x=2"),
        ScriptedResponse::status(308).header("Location", "/elsewhere"),
        ScriptedResponse::status(307).header("Location", "https://cdn.example.org/thumb"),
        // Served only if the client wrongly followed a redirect.
        ScriptedResponse::status(200).body("followed"),
    ])
    .await;
    // The generated client's default HTTP client, which must not follow.
    let client = Client::new(BaseUrl::parse(&server.url()).unwrap());
    client.set_access_token(Some(AccessToken::new(TOKEN)));

    let mut request = GetContentRequest::new(id("example.org"), "abc".to_owned());
    request.allow_redirect = Some(true);
    let response = bounded(client.get_content(request)).await.unwrap();
    let GetContentResponse::TemporaryRedirect(redirect) = response else {
        panic!("expected the 307 variant, got {response:?}");
    };
    assert_eq!(
        redirect.location.as_deref(),
        Some("https://cdn.example.org/media/abc?sig=1&x=2")
    );

    let response = bounded(client.get_content_authed(GetContentAuthedRequest::new(
        id("example.org"),
        "abc".to_owned(),
    )))
    .await
    .unwrap();
    let GetContentAuthedResponse::PermanentRedirect(redirect) = response else {
        panic!("expected the 308 variant, got {response:?}");
    };
    assert_eq!(redirect.location.as_deref(), Some("/elsewhere"));

    let response = bounded(client.get_content_thumbnail_authed(
        GetContentThumbnailAuthedRequest::new(id("example.org"), "abc".to_owned(), 32, 32),
    ))
    .await
    .unwrap();
    let GetContentThumbnailAuthedResponse::TemporaryRedirect(redirect) = response else {
        panic!("expected the 307 variant, got {response:?}");
    };
    assert_eq!(
        redirect.location.as_deref(),
        Some("https://cdn.example.org/thumb")
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 3, "a redirect was followed: {requests:#?}");
    assert_eq!(
        requests[0].target,
        "/_matrix/media/v3/download/example.org/abc?allow_redirect=true"
    );
    assert_no_auth(&requests[0]);
    assert_bearer_only(&requests[1]);
}

// ---------------------------------------------------------------------------
// 5. Multi-status responses and null handling
// ---------------------------------------------------------------------------

#[tokio::test]
async fn update_device_accepts_both_documented_success_statuses() {
    let server = server(vec![
        ScriptedResponse::json(200, &json!({})),
        ScriptedResponse::json(201, &json!({"org.example.extra": 1})),
        ScriptedResponse::json(202, &json!({})),
    ])
    .await;
    let client = client(&server, Some(TOKEN));
    let mut body = UpdateDeviceRequestBody::new();
    body.display_name = Some("My phone".to_owned());
    let request = UpdateDeviceRequest::new("QBUAZIFURK/2".to_owned(), body);

    let updated = bounded(client.update_device(request.clone()))
        .await
        .unwrap();
    // The status tells updated (200) from created (201).
    let UpdateDeviceResponse::Ok(updated) = updated else {
        panic!("expected 200 Ok, got {updated:?}");
    };
    assert!(updated.is_empty());
    let created = bounded(client.update_device(request.clone()))
        .await
        .unwrap();
    let UpdateDeviceResponse::Created(created) = created else {
        panic!("expected 201 Created, got {created:?}");
    };
    assert_eq!(created["org.example.extra"], 1);
    // An undocumented success status is not silently accepted.
    let error = bounded(client.update_device(request)).await.unwrap_err();
    let Error::Response(FromHttpResponseError::Unexpected(unexpected)) = &error else {
        panic!("expected an unexpected response, got {error:?}");
    };
    assert_eq!(unexpected.status().as_u16(), 202);
    assert_eq!(unexpected.reason(), &UnexpectedReason::UndocumentedStatus);

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(
        requests[0].target,
        "/_matrix/client/v3/devices/QBUAZIFURK%2F2"
    );
    assert_eq!(
        requests[0].body_json(),
        Some(json!({"display_name": "My phone"}))
    );
}

#[tokio::test]
async fn presence_status_msg_distinguishes_absent_null_and_value() {
    let bodies = [
        json!({"presence": "online", "status_msg": null, "last_active_ago": 420}),
        json!({"presence": "unavailable"}),
        json!({"presence": "offline", "status_msg": "Out to lunch", "currently_active": false}),
    ];
    let server = server(
        bodies
            .iter()
            .map(|b| ScriptedResponse::json(200, b))
            .collect(),
    )
    .await;
    let client = client(&server, Some(TOKEN));

    let mut got: Vec<GetPresenceResponse> = Vec::new();
    for _ in &bodies {
        got.push(
            bounded(client.get_presence(GetPresenceRequest::new(id("@alice:example.org"))))
                .await
                .unwrap(),
        );
    }
    assert_eq!(got[0].presence, Presence::Online);
    assert_eq!(got[0].status_msg, Some(None), "explicit null");
    assert_eq!(got[0].last_active_ago, Some(Duration::from_millis(420)));
    assert_eq!(got[1].presence, Presence::Unavailable);
    assert_eq!(got[1].status_msg, None, "absent");
    assert_eq!(got[2].status_msg, Some(Some("Out to lunch".to_owned())));
    assert_eq!(got[2].currently_active, Some(false));
    // Each round-trips to exactly what the server sent.
    for (response, body) in got.iter().zip(&bodies) {
        assert_eq!(&serde_json::to_value(response).unwrap(), body);
    }
    assert_eq!(
        server.requests()[0].target,
        "/_matrix/client/v3/presence/%40alice%3Aexample.org/status"
    );
}

#[tokio::test]
async fn request_bodies_send_null_only_where_the_spec_requires_it() {
    let server = server(vec![empty_object(), empty_object()]).await;
    let client = client(&server, Some(TOKEN));

    // `kind: null` deletes a pusher: the required, nullable field is sent
    // as null, the optional ones are left out.
    bounded(client.post_pusher(PostPusherRequest::new(
        "APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ-hQMRKRrZuJAEcl7B338qju59zJMjw2DELjzEvxwYv7hH5Ynpc1ODQ0aT4U4OFEeco8ohsN5PjL1iC2dNtk2BAokeMCg2ZXKqpc8FXKmhX94kIxQ".to_owned(),
        None,
        "com.example.app.ios".to_owned(),
    )))
    .await
    .unwrap();
    // An unset optional field is absent, not null.
    bounded(client.set_presence(SetPresenceRequest::new(
        id("@alice:example.org"),
        SetPresenceRequestBody::new(Presence::Unavailable),
    )))
    .await
    .unwrap();

    let requests = server.requests();
    assert_eq!(requests[0].target, "/_matrix/client/v3/pushers/set");
    assert_eq!(
        requests[0].body_json(),
        Some(json!({
            "pushkey": "APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ-hQMRKRrZuJAEcl7B338qju59zJMjw2DELjzEvxwYv7hH5Ynpc1ODQ0aT4U4OFEeco8ohsN5PjL1iC2dNtk2BAokeMCg2ZXKqpc8FXKmhX94kIxQ",
            "kind": null,
            "app_id": "com.example.app.ios"
        }))
    );
    assert_eq!(requests[1].method, "PUT");
    assert_eq!(
        requests[1].body_json(),
        Some(json!({"presence": "unavailable"}))
    );
}

// ---------------------------------------------------------------------------
// 6. Error typing
// ---------------------------------------------------------------------------

fn uia_body() -> serde_json::Value {
    json!({
        "flows": [{"stages": ["m.login.password"]}, {"stages": ["m.login.recaptcha", "m.login.email.identity"]}],
        "params": {"m.login.recaptcha": {"public_key": "abcd"}},
        "session": "xxxxxxyz",
        "completed": ["m.login.recaptcha"]
    })
}

#[tokio::test]
async fn user_interactive_auth_is_recognised_on_every_401() {
    let server = server(vec![
        ScriptedResponse::json(401, &uia_body()),
        ScriptedResponse::json(401, &uia_body()),
        ScriptedResponse::json(401, &uia_body()),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let error = bounded(client.delete_device(DeleteDeviceRequest::new(
        "QBUAZIFURK".to_owned(),
        DeleteDeviceRequestBody::new(),
    )))
    .await
    .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert!(error.matrix_error().is_none());
    assert_eq!(error.errcode(), None, "no stage failed");
    let Error::Response(FromHttpResponseError::UserInteractiveAuth(auth)) = &error else {
        panic!("expected the typed 401 body, got {error:?}");
    };
    assert_eq!(auth.session.as_deref(), Some("xxxxxxyz"));
    assert_eq!(auth.flows.len(), 2);
    assert_eq!(
        auth.flows[1].stages,
        ["m.login.recaptcha", "m.login.email.identity"]
    );
    assert_eq!(
        auth.completed.as_deref(),
        Some(&["m.login.recaptcha".to_owned()][..])
    );
    assert_eq!(
        auth.params.as_ref().unwrap()["m.login.recaptcha"]["public_key"],
        "abcd"
    );

    // Registration (no auth) documents the same 401.
    let error = bounded(client.register(RegisterRequest::new(RegisterRequestBody::new())))
        .await
        .unwrap_err();
    let auth = error.user_interactive_auth().expect("typed UIA body");
    assert_eq!(auth.session.as_deref(), Some("xxxxxxyz"));

    // Cross-signing upload documents no 401, yet uses UIA (Synapse asks for
    // it when keys are replaced): the same accessor finds it.
    let error = bounded(client.upload_cross_signing_keys(UploadCrossSigningKeysRequest::new()))
        .await
        .unwrap_err();
    let auth = error.user_interactive_auth().expect("typed UIA body");
    assert_eq!(auth.flows[0].stages, ["m.login.password"]);

    let requests = server.requests();
    assert_eq!(requests[0].method, "DELETE");
    assert_eq!(requests[0].target, "/_matrix/client/v3/devices/QBUAZIFURK");
    assert_eq!(requests[0].body_json(), Some(json!({})));
    assert_no_auth(&requests[1]);
}

#[tokio::test]
async fn appservice_ping_502_body_is_typed_and_keeps_unknown_codes() {
    let server = server(vec![
        ScriptedResponse::json(
            502,
            &json!({"errcode": "M_BAD_STATUS", "error": "Ping returned status 401", "status": 401, "body": "{\"errcode\": \"M_FORBIDDEN\"}"}),
        ),
        ScriptedResponse::json(502, &json!({"errcode": "ORG_EXAMPLE_TIMEOUT", "error": "slow"})),
    ])
    .await;
    let client = client(&server, Some(TOKEN));
    let mut body = PingAppserviceRequestBody::new();
    body.transaction_id = Some("mautrix-go_1683636478256400935_123".to_owned());

    let error = bounded(client.ping_appservice(PingAppserviceRequest::new(
        "bridge".to_owned(),
        body.clone(),
    )))
    .await
    .unwrap_err();
    let Error::Response(FromHttpResponseError::Endpoint {
        status,
        body: PingAppserviceError::Status502(failure),
    }) = error
    else {
        panic!("expected the typed 502 body, got {error:?}");
    };
    assert_eq!(status.as_u16(), 502);
    assert_eq!(failure.errcode, PingAppserviceError502Errcode::MBadStatus);
    assert_eq!(failure.error.as_deref(), Some("Ping returned status 401"));
    assert_eq!(failure.status, Some(401));
    assert_eq!(
        failure.body.as_deref(),
        Some("{\"errcode\": \"M_FORBIDDEN\"}")
    );

    let error =
        bounded(client.ping_appservice(PingAppserviceRequest::new("bridge".to_owned(), body)))
            .await
            .unwrap_err();
    let Error::Response(FromHttpResponseError::Endpoint {
        body: PingAppserviceError::Status502(failure),
        ..
    }) = error
    else {
        panic!("expected the typed 502 body, got {error:?}");
    };
    assert!(matches!(
        failure.errcode,
        PingAppserviceError502Errcode::Unknown(_)
    ));
    assert_eq!(failure.errcode.as_str(), "ORG_EXAMPLE_TIMEOUT");
    assert_eq!(
        serde_json::to_value(&failure.errcode).unwrap(),
        json!("ORG_EXAMPLE_TIMEOUT")
    );

    assert_eq!(
        server.requests()[0].body_json(),
        Some(json!({"transaction_id": "mautrix-go_1683636478256400935_123"}))
    );
}

/// A 401 whose body is a standard Matrix error (e.g. an expired access
/// token) on an endpoint that documents a user-interactive-auth 401.
#[tokio::test]
async fn standard_matrix_error_on_a_status_with_a_documented_body_stays_a_matrix_error() {
    let server = server(vec![ScriptedResponse::json(
        401,
        &json!({"errcode": "M_UNKNOWN_TOKEN", "error": "Access token has expired", "soft_logout": true}),
    )])
    .await;
    let client = client(&server, Some(TOKEN));
    let error = bounded(client.delete_device(DeleteDeviceRequest::new(
        "QBUAZIFURK".to_owned(),
        DeleteDeviceRequestBody::new(),
    )))
    .await
    .unwrap_err();
    let matrix = error
        .matrix_error()
        .unwrap_or_else(|| panic!("expected a Matrix error, got {error:?}"));
    assert_eq!(matrix.errcode(), &ErrorCode::UnknownToken);
    assert!(matrix.is_soft_logout());
}

#[tokio::test]
async fn matrix_errors_keep_unknown_codes_and_extra_fields() {
    let server = server(vec![
        ScriptedResponse::json(
            403,
            &json!({"errcode": "ORG_EXAMPLE_NOT_TODAY", "error": "Come back tomorrow", "org.example.detail": {"a": [1]}}),
        ),
        ScriptedResponse::json(404, &json!({"errcode": "M_NOT_FOUND", "error": "Event not found"})),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let error = bounded(client.join_room(JoinRoomRequest::new(
        id("!abc:example.org"),
        JoinRoomRequestBody::new(),
    )))
    .await
    .unwrap_err();
    let matrix = error.matrix_error().unwrap_or_else(|| panic!("{error:?}"));
    assert_eq!(matrix.status.as_u16(), 403);
    assert!(
        matches!(matrix.errcode(), ErrorCode::Other(_)),
        "{matrix:?}"
    );
    assert_eq!(matrix.errcode().as_str(), "ORG_EXAMPLE_NOT_TODAY");
    assert_eq!(matrix.message(), Some("Come back tomorrow"));
    assert_eq!(matrix.body.extra["org.example.detail"], json!({"a": [1]}));
    assert_eq!(
        serde_json::to_value(&matrix.body).unwrap(),
        json!({"errcode": "ORG_EXAMPLE_NOT_TODAY", "error": "Come back tomorrow", "org.example.detail": {"a": [1]}})
    );
    assert_eq!(
        error.to_string(),
        "ORG_EXAMPLE_NOT_TODAY (403 Forbidden): Come back tomorrow"
    );

    let error = bounded(client.get_one_room_event(GetOneRoomEventRequest::new(
        id("!abc:example.org"),
        id("$missing"),
    )))
    .await
    .unwrap_err();
    assert_eq!(error.errcode(), Some(&ErrorCode::NotFound));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn rate_limits_carry_retry_after() {
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(4_102_444_800); // 2100-01-01
    let limited = json!({"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests", "retry_after_ms": 2000});
    let server = server(vec![
        ScriptedResponse::json(429, &limited).header("Retry-After", "7"),
        ScriptedResponse::json(429, &limited).header("Retry-After", &httpdate::fmt_http_date(at)),
        ScriptedResponse::json(429, &limited),
        ScriptedResponse::status(429)
            .header("Retry-After", "30")
            .header("Content-Type", "text/html")
            .body("<h1>slow down</h1>"),
    ])
    .await;
    let client = client(&server, Some(TOKEN));
    let login = || {
        let mut login = LoginRequest::new("m.login.password".to_owned());
        login.password = Some("hunter2".to_owned());
        client.login(login)
    };

    let error = bounded(login()).await.unwrap_err();
    assert_eq!(error.errcode(), Some(&ErrorCode::LimitExceeded));
    let matrix = error.matrix_error().unwrap();
    assert_eq!(matrix.status.as_u16(), 429);
    assert_eq!(
        matrix.retry_after(),
        Some(RetryAfter::Delay(Duration::from_secs(7))),
        "the header wins over the body"
    );

    let error = bounded(login()).await.unwrap_err();
    assert_eq!(
        error.matrix_error().unwrap().retry_after(),
        Some(RetryAfter::At(at))
    );

    let error = bounded(login()).await.unwrap_err();
    assert_eq!(
        error.matrix_error().unwrap().retry_after(),
        Some(RetryAfter::Delay(Duration::from_millis(2000)))
    );

    // A proxy's 429 without a Matrix body still exposes Retry-After.
    let error = bounded(login()).await.unwrap_err();
    let Error::Response(FromHttpResponseError::Unexpected(unexpected)) = &error else {
        panic!("expected an unexpected response, got {error:?}");
    };
    assert_eq!(unexpected.status().as_u16(), 429);
    assert_eq!(
        unexpected.retry_after(),
        Some(RetryAfter::Delay(Duration::from_secs(30)))
    );
    assert_eq!(&unexpected.body()[..], b"<h1>slow down</h1>");
    assert!(!format!("{error} {error:?}").contains("hunter2"));
}

// ---------------------------------------------------------------------------
// 7. Forward compatibility
// ---------------------------------------------------------------------------

#[tokio::test]
async fn unknown_enum_values_are_kept_and_serialize_back_verbatim() {
    let summary = json!({
        "room_id": "!abc:example.org",
        "num_joined_members": 42,
        "world_readable": true,
        "guest_can_join": false,
        "membership": "org.example.lurking",
        "encryption": "m.megolm.v2.aes-sha2",
        "join_rule": "org.example.knock_with_tea",
        "org.example.future_field": {"anything": [null, 1, "x"]}
    });
    let server = server(vec![
        ScriptedResponse::json(200, &summary),
        ScriptedResponse::json(
            200,
            &json!({"presence": "org.example.busy", "status_msg": "deep work"}),
        ),
        ScriptedResponse::json(
            200,
            &json!({"next_batch": "s1", "org.example.sync_extension": {}}),
        ),
        ScriptedResponse::json(200, &json!({"name": "x"})),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let got = bounded(client.get_room_summary(GetRoomSummaryRequest::new(id("!abc:example.org"))))
        .await
        .unwrap();
    let membership = got.membership.clone().unwrap();
    assert!(
        matches!(membership, Membership::Unknown(_)),
        "{membership:?}"
    );
    assert_eq!(membership.as_str(), "org.example.lurking");
    assert_eq!(membership.to_string(), "org.example.lurking");
    let encryption = got.encryption.clone().unwrap();
    assert!(matches!(encryption, Encryption::Unknown(_)));
    assert_eq!(encryption.as_str(), "m.megolm.v2.aes-sha2");
    assert_eq!(got.num_joined_members, 42);
    // Lossless: the unknown field is kept and written back too.
    assert_eq!(
        got.additional_properties["org.example.future_field"],
        summary["org.example.future_field"]
    );
    assert_eq!(serde_json::to_value(&got).unwrap(), summary);
    // A known value read from the wire is the known variant, never Unknown.
    assert_eq!(Membership::from("join"), Membership::Join);

    let presence = bounded(client.get_presence(GetPresenceRequest::new(id("@a:example.org"))))
        .await
        .unwrap();
    assert!(matches!(presence.presence, Presence::Unknown(_)));
    assert_eq!(
        serde_json::to_value(&presence).unwrap(),
        json!({"presence": "org.example.busy", "status_msg": "deep work"})
    );

    // Unknown values also go out verbatim in query parameters.
    let mut sync = SyncRequest::new();
    sync.set_presence = Some(Presence::from("org.example.dnd"));
    let synced = bounded(client.sync(sync)).await.unwrap();
    assert_eq!(
        serde_json::to_value(&synced).unwrap(),
        json!({"next_batch": "s1", "org.example.sync_extension": {}}),
        "a field /sync has not heard of is kept"
    );
    let mut state = GetRoomStateWithKeyRequest::new(
        id("!abc:example.org"),
        "m.room.name".to_owned(),
        String::new(),
    );
    state.format = Some(GetRoomStateWithKeyFormat::from("org.example.compact"));
    bounded(client.get_room_state_with_key(state))
        .await
        .unwrap();

    let requests = server.requests();
    assert_eq!(
        requests[2].target,
        "/_matrix/client/v3/sync?set_presence=org.example.dnd"
    );
    assert_eq!(
        requests[3].target,
        "/_matrix/client/v3/rooms/%21abc%3Aexample.org/state/m.room.name/?format=org.example.compact"
    );
}

#[tokio::test]
async fn unknown_response_fields_are_accepted() {
    let server = server(vec![
        ScriptedResponse::json(200, &client_event("$ev")),
        ScriptedResponse::json(
            200,
            &json!({"content_uri": "mxc://example.org/x", "org.example.quota_left": 12345}),
        ),
        ScriptedResponse::json(
            200,
            &json!({"versions": ["v1.19"], "server": {"name": "future"}, "unstable_features": {"org.example.f": false}}),
        ),
    ])
    .await;
    let client = client(&server, Some(TOKEN));

    let event = bounded(client.get_one_room_event(GetOneRoomEventRequest::new(
        id("!abc:example.org"),
        id("$ev"),
    )))
    .await
    .unwrap()
    .deserialize()
    .unwrap();
    let AnyTimelineEventContent::RoomMessage(RoomMessageEventContent::Text(text)) = &event.content
    else {
        panic!("not a text message: {event:?}");
    };
    assert_eq!(text.body, "hi");
    assert_eq!(event.room_id, "!abc:example.org");

    let uploaded =
        bounded(client.upload_content(UploadContentRequest::new(Bytes::from_static(b"z"))))
            .await
            .unwrap();
    assert_eq!(uploaded.content_uri, "mxc://example.org/x");

    let versions = bounded(client.get_versions(GetVersionsRequest::new()))
        .await
        .unwrap();
    assert_eq!(versions.versions, ["v1.19"]);
    assert_eq!(
        versions.unstable_features,
        Some(BTreeMap::from([("org.example.f".to_owned(), false)]))
    );
}

// ---------------------------------------------------------------------------
// Sans-IO: the same endpoints without any transport
// ---------------------------------------------------------------------------

#[test]
fn sans_io_request_and_multi_status_response() {
    let token = AccessToken::new(TOKEN);
    let mut request = UploadContentRequest::new(Bytes::from_static(b"\x00raw"));
    request.content_type = Some("audio/ogg; codecs=opus".to_owned());
    request.filename = Some("voice message.ogg".to_owned());
    let http_request = request
        .try_into_http_request(&base(), Some(&token))
        .unwrap();
    assert_eq!(http_request.method(), "POST");
    assert_eq!(
        http_request.uri().to_string(),
        "https://hs.example.org/_matrix/media/v3/upload?filename=voice%20message.ogg"
    );
    assert_eq!(
        http_request.headers()["content-type"],
        "audio/ogg; codecs=opus"
    );
    assert_eq!(http_request.headers()["authorization"], BEARER);
    assert!(http_request.headers()["authorization"].is_sensitive());
    assert_eq!(&http_request.body()[..], b"\x00raw");

    // A content type that cannot be a header value is a typed error.
    let mut bad = UploadContentRequest::new(Bytes::new());
    bad.content_type = Some("text/plain\r\nX-Injected: 1".to_owned());
    let error = bad
        .try_into_http_request(&base(), Some(&token))
        .unwrap_err();
    assert!(
        matches!(error, IntoHttpError::InvalidHeaderValue { ref name } if name == "content-type"),
        "{error:?}"
    );

    let response = |status: u16, headers: &[(&str, &str)], body: &'static [u8]| {
        let mut builder = http::Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Bytes::from_static(body)).unwrap()
    };
    let ok = GetContentRequest::try_from_http_response(response(
        200,
        &[
            ("content-type", "image/gif"),
            ("content-disposition", "inline"),
        ],
        b"GIF89a",
    ))
    .unwrap();
    let GetContentResponse::Ok(ok) = ok else {
        panic!("expected the 200 variant, got {ok:?}");
    };
    assert_eq!(ok.content_type.as_deref(), Some("image/gif"));
    assert_eq!(ok.content_disposition.as_deref(), Some("inline"));
    assert_eq!(&ok.body[..], b"GIF89a");

    let redirect = GetContentRequest::try_from_http_response(response(
        308,
        &[("location", "https://x/y")],
        b"",
    ))
    .unwrap();
    let GetContentResponse::PermanentRedirect(redirect) = redirect else {
        panic!("expected the 308 variant, got {redirect:?}");
    };
    assert_eq!(redirect.location.as_deref(), Some("https://x/y"));

    // A redirect without Location is still the typed variant.
    let redirect = GetContentRequest::try_from_http_response(response(307, &[], b"")).unwrap();
    let GetContentResponse::TemporaryRedirect(redirect) = redirect else {
        panic!("expected the 307 variant, got {redirect:?}");
    };
    assert_eq!(redirect.location, None);

    for status in [200, 201] {
        let parsed = UpdateDeviceRequest::try_from_http_response(response(status, &[], b"{}"));
        match parsed.unwrap() {
            UpdateDeviceResponse::Ok(body) if status == 200 => assert!(body.is_empty()),
            UpdateDeviceResponse::Created(body) if status == 201 => assert!(body.is_empty()),
            other => panic!("status {status} parsed as {other:?}"),
        }
    }
}

/// README's search request ("A search request"), built as it shows, sends
/// the body the spec's example describes.
#[test]
fn the_readme_search_request_sends_the_spec_shape() {
    let room_id: matrix_csapi::RoomId = id("!qPewotXpIctQySfjSy:localhost");
    let mut filter = RoomEventFilter::new();
    filter.rooms = Some(vec![room_id]);
    let mut group = Group::new();
    group.key = Some(GroupKey::RoomId);
    let mut groupings = Groupings::new();
    groupings.group_by = Some(vec![group]);
    let mut criteria = RoomEventsCriteria::new("lunch".to_owned());
    criteria.filter = Some(filter);
    criteria.order_by = Some(Ordering::Recent);
    criteria.groupings = Some(groupings);
    let mut categories = Categories::new();
    categories.room_events = Some(criteria);
    let request = SearchRequest::new(SearchRequestBody::new(categories));

    let built = request
        .try_into_http_request(&base(), Some(&AccessToken::new(TOKEN)))
        .unwrap();
    assert_eq!(built.uri().path(), "/_matrix/client/v3/search");
    let body: serde_json::Value = serde_json::from_slice(built.body()).unwrap();
    assert_eq!(
        body,
        json!({"search_categories": {"room_events": {
            "search_term": "lunch",
            "filter": {"rooms": ["!qPewotXpIctQySfjSy:localhost"]},
            "order_by": "recent",
            "groupings": {"group_by": [{"key": "room_id"}]}
        }}})
    );
}

#[test]
fn media_requests_are_built_from_an_mxc_uri() {
    let mxc: matrix_csapi::MxcUri = id("mxc://example.org:8448/SEsfnsuif_SDF-SSEF");
    let request = GetContentThumbnailAuthedRequest::from_mxc(&mxc, 640, 480).unwrap();
    assert_eq!(
        request,
        GetContentThumbnailAuthedRequest::new(
            id("example.org:8448"),
            "SEsfnsuif_SDF-SSEF".to_owned(),
            640,
            480
        )
    );
    let built = request
        .try_into_http_request(&base(), Some(&AccessToken::new(TOKEN)))
        .unwrap();
    assert_eq!(
        built.uri().path(),
        "/_matrix/client/v1/media/thumbnail/example.org%3A8448/SEsfnsuif_SDF-SSEF"
    );
    let download = GetContentRequest::from_mxc(&mxc).unwrap();
    assert_eq!(download.server_name, "example.org:8448");
    assert_eq!(download.media_id, "SEsfnsuif_SDF-SSEF");

    // A received avatar URL can be any string: the request is refused,
    // naming the format, before anything is built.
    let avatar: matrix_csapi::MxcUri = received("https://example.org/cat.png");
    let error = GetContentRequest::from_mxc(&avatar).unwrap_err();
    assert_eq!(error.format, matrix_csapi::ids::IdFormat::MxcUri);
    assert_eq!(
        error.to_string(),
        "not a valid mx-mxc-uri: it does not start with `mxc://`"
    );
}
