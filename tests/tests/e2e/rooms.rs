//! Rooms through the generated client against a real Synapse: create a
//! room, send messages (path parameters that need percent-encoding,
//! idempotent transaction IDs), page through them, and read room state.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e_support;

use matrix_csapi::create_room::{CreateRoomRequest, CreateRoomRequestPreset};
use matrix_csapi::events::{
    AnyStateEventContent, AnyTimelineEventContent, RoomMessageEventContent,
};
use matrix_csapi::message_pagination::GetRoomEventsRequest;
use matrix_csapi::room_send::SendMessageRequest;
use matrix_csapi::rooms::{
    GetRoomStateRequest, GetRoomStateWithKeyFormat, GetRoomStateWithKeyRequest,
    GetRoomStateWithKeyResponse,
};
use matrix_csapi::types::{ClientEvent, Direction};
use matrix_csapi::{Client, ErrorCode, EventId, RoomId};
use matrix_csapi_tests::synapse::{Synapse, synapse};
use serde_json::{Map, Value, json};

use e2e_support::{Account, client_with_token, register};

fn text(body: &str) -> Map<String, Value> {
    let Value::Object(map) = json!({"msgtype": "m.text", "body": body}) else {
        unreachable!()
    };
    map
}

async fn room_with_owner(server: &Synapse, prefix: &str) -> (Account, Client, RoomId) {
    let account = register(server, prefix, false).await;
    let client = client_with_token(server, &account.access_token);
    let mut request = CreateRoomRequest::new();
    request.name = Some("E2E room".to_owned());
    request.topic = Some("made by the matrix-csapi e2e tests".to_owned());
    request.preset = Some(CreateRoomRequestPreset::PrivateChat);
    let room_id = client.create_room(request).await.unwrap().room_id;
    // Room version 12 (Synapse's default) drops the server name from room
    // IDs: `!<hash of the create event>`, which the grammar accepts.
    room_id.validate().unwrap();
    assert_eq!(room_id.server_name(), None, "{room_id}");
    (account, client, room_id)
}

#[tokio::test]
async fn sent_messages_come_back_in_order_both_ways() {
    let Some(server) = synapse() else { return };
    let (account, client, room_id) = room_with_owner(&server, "messages").await;

    let mut sent = Vec::new();
    for n in 0..3 {
        let response = client
            .send_message(SendMessageRequest::new(
                room_id.clone(),
                "m.room.message".to_owned(),
                format!("txn-{n}"),
                text(&format!("message {n}")),
            ))
            .await
            .unwrap();
        response.event_id.validate().unwrap();
        sent.push(response.event_id);
    }

    // Backwards from the end: newest first.
    let mut request = GetRoomEventsRequest::new(room_id.clone(), Direction::B);
    request.limit = Some(3);
    let page = client.get_room_events(request).await.unwrap();
    let events: Vec<ClientEvent> = page
        .chunk
        .iter()
        .map(|e| e.deserialize().unwrap())
        .collect();
    let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    let expected: Vec<&str> = sent.iter().rev().map(EventId::as_str).collect();
    assert_eq!(ids, expected);
    for (n, event) in events.iter().rev().enumerate() {
        let AnyTimelineEventContent::RoomMessage(RoomMessageEventContent::Text(text)) =
            &event.content
        else {
            panic!("a text message: {event:?}")
        };
        assert_eq!(event.sender, account.user_id);
        assert_eq!(event.room_id, room_id);
        assert_eq!(text.body, format!("message {n}"));
    }
    let end = page.end.expect("more (older) events: the room's creation");

    // Forwards again from where the backward page ended.
    let mut request = GetRoomEventsRequest::new(room_id.clone(), Direction::F);
    request.from = Some(end);
    request.limit = Some(3);
    let page = client.get_room_events(request).await.unwrap();
    let events: Vec<ClientEvent> = page
        .chunk
        .iter()
        .map(|e| e.deserialize().unwrap())
        .collect();
    let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    let expected: Vec<&str> = sent.iter().map(EventId::as_str).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn transaction_ids_make_sends_idempotent_even_with_reserved_characters() {
    let Some(server) = synapse() else { return };
    let (_, client, room_id) = room_with_owner(&server, "txn").await;
    // Characters that must be percent-encoded in a path segment.
    let txn_id = "txn/with?reserved#chars and spaces%2F";
    let send = || {
        client.send_message(SendMessageRequest::new(
            room_id.clone(),
            "org.example.e2e test/event".to_owned(),
            txn_id.to_owned(),
            text("once"),
        ))
    };
    let first = send().await.unwrap();
    let second = send().await.unwrap();
    assert_eq!(
        first.event_id, second.event_id,
        "same transaction, same event"
    );

    let mut request = GetRoomEventsRequest::new(room_id.clone(), Direction::B);
    request.limit = Some(1);
    let page = client.get_room_events(request).await.unwrap();
    assert_eq!(page.chunk.len(), 1);
    let event = page.chunk[0].deserialize().unwrap();
    assert_eq!(event.event_id, first.event_id);
    // A type no enum knows: kept whole in `Other`.
    let AnyTimelineEventContent::Other {
        event_type,
        content,
    } = &event.content
    else {
        panic!("an unknown event type: {event:?}")
    };
    assert_eq!(event_type, "org.example.e2e test/event");
    assert_eq!(content.get("body"), Some(&json!("once")));
}

#[tokio::test]
async fn room_state_by_key_as_content_and_as_event() {
    let Some(server) = synapse() else { return };
    let (account, client, room_id) = room_with_owner(&server, "state").await;

    let request =
        GetRoomStateWithKeyRequest::new(room_id.clone(), "m.room.name".to_owned(), String::new());
    let content = client.get_room_state_with_key(request).await.unwrap();
    let GetRoomStateWithKeyResponse::Object(content) = content else {
        panic!("the content, not an event: {content:?}")
    };
    assert_eq!(content.get("name"), Some(&json!("E2E room")));

    let mut request =
        GetRoomStateWithKeyRequest::new(room_id.clone(), "m.room.topic".to_owned(), String::new());
    request.format = Some(GetRoomStateWithKeyFormat::Event);
    let event = client.get_room_state_with_key(request).await.unwrap();
    let GetRoomStateWithKeyResponse::StateEvent(event) = event else {
        panic!("an event: {event:?}")
    };
    // The event in its envelope, its content typed by its `type`.
    let AnyStateEventContent::RoomTopic(topic) = &event.content else {
        panic!("the topic in its variant: {:?}", event.content)
    };
    assert_eq!(topic.topic, "made by the matrix-csapi e2e tests");
    assert_eq!(event.state_key, "");
    assert_eq!(event.sender, account.user_id);
    assert_eq!(event.room_id, room_id);

    let state = client
        .get_room_state(GetRoomStateRequest::new(room_id.clone()))
        .await
        .unwrap();
    for event_type in [
        "m.room.create",
        "m.room.member",
        "m.room.power_levels",
        "m.room.name",
    ] {
        assert!(
            state.iter().any(
                |event| event.get_field::<String>("type").unwrap().as_deref() == Some(event_type)
            ),
            "{event_type} missing"
        );
    }
}

#[tokio::test]
async fn rooms_the_user_is_not_in_are_forbidden() {
    let Some(server) = synapse() else { return };
    let (_, _, room_id) = room_with_owner(&server, "owner").await;
    let stranger = register(&server, "stranger", false).await;
    let client = client_with_token(&server, &stranger.access_token);
    let error = client
        .send_message(SendMessageRequest::new(
            room_id.clone(),
            "m.room.message".to_owned(),
            "txn".to_owned(),
            text("let me in"),
        ))
        .await
        .unwrap_err();
    assert_eq!(error.errcode(), Some(&ErrorCode::Forbidden), "{error}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));

    let error = client
        .get_room_events(GetRoomEventsRequest::new(room_id, Direction::B))
        .await
        .unwrap_err();
    assert_eq!(error.errcode(), Some(&ErrorCode::Forbidden), "{error}");
}
