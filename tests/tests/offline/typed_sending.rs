//! Typed sending (`[event_sending]` in spec/generator.toml): the
//! `with_content` constructors and `*_with_content` client methods of the
//! five operations that send an event content put the content type's event
//! type into the path and the content into the body, over real HTTP on
//! 127.0.0.1. That a content of the wrong kind does not compile is shown by
//! the `compile_fail` doc tests of `matrix_csapi_tests::typed_sending`.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::time::Duration;

use matrix_csapi::account_data::{SetAccountDataPerRoomRequest, SetAccountDataRequest};
use matrix_csapi::events::{
    DirectEventContent, DummyEventContent, EventContentAction, RoomKeyRequestEventContent,
    RoomMessageEventContent, RoomMessageTextContent, RoomTopicEventContent, TagEventContent,
};
use matrix_csapi::room_send::SendMessageRequest;
use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
use matrix_csapi::to_device::{SendToDeviceRequest, SendToDeviceRequestBody};
use matrix_csapi::{AccessToken, Client, RoomId, UserId};
use matrix_csapi_tests::{LoopbackServer, RecordedRequest, ScriptedResponse};
use serde_json::json;

/// Upper bound for any single exchange, so that no test can hang.
const LIMIT: Duration = Duration::from_secs(20);

async fn serve(response: serde_json::Value) -> (LoopbackServer, Client) {
    let server = LoopbackServer::start(vec![ScriptedResponse::json(200, &response)])
        .await
        .unwrap();
    let client = Client::from(server.client(LIMIT));
    client.set_access_token(Some(AccessToken::new("syt_sending_token")));
    (server, client)
}

fn room() -> RoomId {
    RoomId::parse("!room:example.org").unwrap()
}

fn alice() -> UserId {
    UserId::parse("@alice:example.org").unwrap()
}

/// The request's method, path and body as text: the exact bytes sent.
fn sent(request: &RecordedRequest) -> (&str, &str, &str) {
    (
        request.method.as_str(),
        request.path(),
        std::str::from_utf8(&request.body).unwrap(),
    )
}

#[tokio::test]
async fn a_message_is_sent_with_its_type_in_the_path_and_its_content_as_the_body() {
    let (server, client) = serve(json!({"event_id": "$sent:example.org"})).await;
    let content = RoomMessageEventContent::Text(RoomMessageTextContent::new("lunch?".to_owned()));
    let response = client
        .send_message_with_content(room(), "txn1".to_owned(), &content)
        .await
        .unwrap();
    assert_eq!(response.event_id.as_str(), "$sent:example.org");
    let request = server.single_request();
    assert_eq!(
        sent(&request),
        (
            "PUT",
            "/_matrix/client/v3/rooms/%21room%3Aexample.org/send/m.room.message/txn1",
            r#"{"msgtype":"m.text","body":"lunch?"}"#
        )
    );
    assert_eq!(
        request.header("authorization"),
        Some("Bearer syt_sending_token")
    );
}

#[tokio::test]
async fn state_is_set_with_its_type_and_state_key_in_the_path() {
    let (server, client) = serve(json!({"event_id": "$topic:example.org"})).await;
    let content = RoomTopicEventContent::new("Lunch plans".to_owned());
    client
        .set_room_state_with_key_with_content(room(), String::new(), &content)
        .await
        .unwrap();
    assert_eq!(
        sent(&server.single_request()),
        (
            "PUT",
            "/_matrix/client/v3/rooms/%21room%3Aexample.org/state/m.room.topic/",
            r#"{"topic":"Lunch plans"}"#
        )
    );
}

#[tokio::test]
async fn to_device_contents_go_into_the_messages_map_by_user_and_device() {
    let (server, client) = serve(json!({})).await;
    let request = |device: &str, id: &str| {
        RoomKeyRequestEventContent::new(
            EventContentAction::RequestCancellation,
            device.to_owned(),
            id.to_owned(),
        )
    };
    let bob = UserId::parse("@bob:example.org").unwrap();
    let messages = BTreeMap::from([
        (
            alice(),
            BTreeMap::from([
                ("ALICE1".to_owned(), request("OWN", "r1")),
                ("ALICE2".to_owned(), request("OWN", "r2")),
            ]),
        ),
        (
            bob,
            BTreeMap::from([("*".to_owned(), request("OWN", "r3"))]),
        ),
    ]);
    client
        .send_to_device_with_content("txn2".to_owned(), &messages)
        .await
        .unwrap();
    let cancel = |id: &str| {
        format!(
            r#"{{"action":"request_cancellation","requesting_device_id":"OWN","request_id":"{id}"}}"#
        )
    };
    let body = format!(
        r#"{{"messages":{{"@alice:example.org":{{"ALICE1":{},"ALICE2":{}}},"@bob:example.org":{{"*":{}}}}}}}"#,
        cancel("r1"),
        cancel("r2"),
        cancel("r3")
    );
    assert_eq!(
        sent(&server.single_request()),
        (
            "PUT",
            "/_matrix/client/v3/sendToDevice/m.room_key_request/txn2",
            body.as_str()
        )
    );
}

#[tokio::test]
async fn account_data_is_stored_under_its_type_globally_and_per_room() {
    let (server, client) = serve(json!({})).await;
    let direct = DirectEventContent(BTreeMap::from([(
        UserId::parse("@bob:example.org").unwrap(),
        vec!["!dm:example.org".to_owned()],
    )]));
    client
        .set_account_data_with_content(alice(), &direct)
        .await
        .unwrap();
    assert_eq!(
        sent(&server.single_request()),
        (
            "PUT",
            "/_matrix/client/v3/user/%40alice%3Aexample.org/account_data/m.direct",
            r#"{"@bob:example.org":["!dm:example.org"]}"#
        )
    );

    let (server, client) = serve(json!({})).await;
    client
        .set_account_data_per_room_with_content(alice(), room(), &TagEventContent::new())
        .await
        .unwrap();
    assert_eq!(
        sent(&server.single_request()),
        (
            "PUT",
            "/_matrix/client/v3/user/%40alice%3Aexample.org/rooms/%21room%3Aexample.org/account_data/m.tag",
            "{}"
        )
    );
}

/// The typed constructors build exactly the request the raw ones do with
/// the content type's event type; the raw ones stay for custom types.
#[test]
fn typed_requests_equal_the_raw_requests_with_the_content_types_event_type() {
    let text = RoomMessageEventContent::Text(RoomMessageTextContent::new("hi".to_owned()));
    let object = |value: serde_json::Value| match value {
        serde_json::Value::Object(object) => object,
        other => panic!("not an object: {other}"),
    };
    assert_eq!(
        SendMessageRequest::with_content(room(), "t".to_owned(), &text).unwrap(),
        SendMessageRequest::new(
            room(),
            "m.room.message".to_owned(),
            "t".to_owned(),
            object(json!({"msgtype": "m.text", "body": "hi"}))
        )
    );
    let topic = RoomTopicEventContent::new("t".to_owned());
    assert_eq!(
        SetRoomStateWithKeyRequest::with_content(room(), String::new(), &topic)
            .unwrap()
            .event_type,
        "m.room.topic"
    );
    let direct = DirectEventContent(BTreeMap::new());
    assert_eq!(
        SetAccountDataRequest::with_content(alice(), &direct).unwrap(),
        SetAccountDataRequest::new(alice(), "m.direct".to_owned(), object(json!({})))
    );
    let tag = TagEventContent::new();
    assert_eq!(
        SetAccountDataPerRoomRequest::with_content(alice(), room(), &tag)
            .unwrap()
            .type_,
        "m.tag"
    );
    // `m.dummy` arrives to devices (`[events.basic]`); `m.tag`, room
    // account data, does not compile here (tests/src/typed_sending.rs).
    let messages: BTreeMap<UserId, BTreeMap<String, DummyEventContent>> = BTreeMap::new();
    assert_eq!(
        SendToDeviceRequest::with_content("t".to_owned(), &messages).unwrap(),
        SendToDeviceRequest::new(
            "m.dummy".to_owned(),
            "t".to_owned(),
            SendToDeviceRequestBody::new(BTreeMap::new())
        )
    );
    // A custom event type: the raw constructor, as before.
    let custom = SendMessageRequest::new(
        room(),
        "org.example.custom".to_owned(),
        "t".to_owned(),
        object(json!({"x": 1})),
    );
    assert_eq!(custom.event_type, "org.example.custom");
}
