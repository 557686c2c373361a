//! Syncing: filters, `/sync` (plain and with a filter), the legacy event
//! stream, initial syncs, single events and peeking.

use std::time::Duration;

use matrix_csapi::events::{
    AnyEphemeralEventContent, AnyRoomAccountDataEventContent, AnyStateEventContent,
};
use matrix_csapi::filter::{DefineFilterRequest, GetFilterRequest};
use matrix_csapi::old_sync::{GetEventsRequest, GetOneEventRequest, InitialSyncRequest};
use matrix_csapi::peeking_events::PeekEventsRequest;
use matrix_csapi::room_initial_sync::RoomInitialSyncRequest;
use matrix_csapi::sync::SyncRequest;
use matrix_csapi::types::{Filter, Presence, RoomEventFilter, RoomFilter};

use matrix_csapi::presence::{SetPresenceRequest, SetPresenceRequestBody};
use serde_json::{Value, json};

use super::account::Users;
use super::harness::{Harness, Typed, User, typed_all};
use super::rooms::{Rooms, send};

/// A sync as `who` (no wait); the response.
pub async fn sync(
    h: &mut Harness,
    who: &User,
    since: Option<String>,
    filter: Option<String>,
    proof: &'static str,
) -> Option<matrix_csapi::sync::SyncResponse> {
    let mut request = SyncRequest::new();
    request.since = since;
    request.filter = filter;
    request.timeout = Some(Duration::ZERO);
    h.call(Some(who), request, proof).await
}

pub async fn run(h: &mut Harness, users: &Users, rooms: &Rooms) {
    let (alice, bob) = (&users.alice, &users.bob);
    let lobby = &rooms.lobby;

    let mut timeline = RoomEventFilter::new();
    timeline.limit = Some(20);
    timeline.types = Some(vec!["m.room.message".to_owned(), "m.reaction".to_owned()]);
    let mut room = RoomFilter::new();
    room.rooms = Some(vec![lobby.clone()]);
    room.timeline = Some(timeline);
    let mut filter = Filter::new();
    filter.room = Some(room.clone());
    let defined = h
        .call(
            Some(alice),
            DefineFilterRequest::new(alice.user_id.clone(), filter.clone()),
            "read back equal; a sync with it shows only the lobby's messages",
        )
        .await;
    let filter_id = defined.map(|defined| defined.filter_id);
    if let Some(filter_id) = &filter_id {
        let stored = h
            .call(
                Some(alice),
                GetFilterRequest::new(alice.user_id.clone(), filter_id.clone()),
                "equals the filter defined",
            )
            .await;
        assert_eq!(stored.and_then(|stored| stored.room), filter.room);
    }

    let first = sync(
        h,
        alice,
        None,
        None,
        "in the lobby: bob typing and alice's read receipt (ephemeral); bob's fully-read marker (his room account data)",
    )
    .await;
    if let Some(first) = first {
        let join = first.rooms.and_then(|rooms| rooms.join).unwrap_or_default();
        let ephemeral = join[lobby]
            .ephemeral
            .as_ref()
            .and_then(|batch| batch.events.clone())
            .unwrap_or_default();
        let ephemeral = typed_all(&ephemeral);
        let typing = ephemeral.iter().find_map(|event| match &event.content {
            AnyEphemeralEventContent::Typing(typing) => Some(&typing.user_ids),
            _ => None,
        });
        assert_eq!(typing, Some(&vec![bob.user_id.clone()]));
        if let Some(hello) = &rooms.hello {
            let receipt = ephemeral.iter().find_map(|event| match &event.content {
                AnyEphemeralEventContent::Receipt(receipts) => {
                    receipts.0.get(hello)?.read.as_ref()?.get(&alice.user_id)
                }
                _ => None,
            });
            assert_eq!(
                receipt.and_then(|receipt| receipt.thread_id.as_deref()),
                Some("main")
            );
        }
    }
    let bobs = sync(h, bob, None, None, "").await;
    if let (Some(bobs), Some(hello)) = (bobs, &rooms.hello) {
        let join = bobs.rooms.and_then(|rooms| rooms.join).unwrap_or_default();
        let account_data = join[lobby]
            .account_data
            .as_ref()
            .and_then(|batch| batch.events.clone())
            .unwrap_or_default();
        let account_data = typed_all(&account_data);
        let fully_read = account_data.iter().find_map(|event| match &event.content {
            AnyRoomAccountDataEventContent::FullyRead(fully_read) => Some(&fully_read.event_id),
            _ => None,
        });
        assert_eq!(fully_read.map(String::as_str), Some(hello.as_str()));
    }
    let filtered = sync(h, alice, None, filter_id, "").await;
    if let Some(filtered) = filtered {
        let join = filtered
            .rooms
            .and_then(|rooms| rooms.join)
            .unwrap_or_default();
        assert_eq!(join.keys().collect::<Vec<_>>(), [lobby]);
        let events = join[lobby]
            .timeline
            .as_ref()
            .map(|timeline| timeline.events.clone())
            .unwrap_or_default();
        assert!(!events.is_empty());
        // Stripped by the filter's `event_fields`: no `event_id`, so they
        // are read as plain JSON, not as the event type.
        assert!(events.iter().all(|event| {
            let event_type = event.get_field::<String>("type").unwrap();
            matches!(event_type.as_deref(), Some("m.room.message" | "m.reaction"))
        }));
    }
    let mut stripped = Filter::new();
    stripped.event_fields = Some(vec![
        "type".to_owned(),
        "content.body".to_owned(),
        "sender".to_owned(),
    ]);
    stripped.room = Some(room);
    let stripped_id = h
        .call(
            Some(bob),
            DefineFilterRequest::new(bob.user_id.clone(), stripped),
            "",
        )
        .await
        .map(|defined| defined.filter_id);
    if stripped_id.is_some() {
        sync(h, bob, None, stripped_id, "").await;
    }

    let mut request = InitialSyncRequest::new();
    request.limit = Some(2);
    let initial = h
        .call(
            Some(alice),
            request,
            "the lobby, joined, with at most 2 messages",
        )
        .await;
    if let Some(initial) = initial {
        let room = initial.rooms.iter().find(|room| &room.room_id == lobby);
        let room = room.expect("the lobby");
        assert_eq!(room.membership.to_string(), "join");
        // What happens after the initial sync streams from its end token.
        let mut presence = SetPresenceRequestBody::new(Presence::Unavailable);
        presence.status_msg = Some("in a meeting".to_owned());
        h.call(
            Some(bob),
            SetPresenceRequest::new(bob.user_id.clone(), presence),
            "",
        )
        .await;
        send(
            h,
            bob,
            lobby,
            "m.room.message",
            json!({"msgtype": "m.text", "body": "streamed"}),
            "",
        )
        .await;
        let mut request = GetEventsRequest::new();
        request.from = Some(initial.end);
        request.timeout = Some(Duration::ZERO);
        let events = h
            .call(
                Some(alice),
                request,
                "from the initial sync's end: bob's message and presence change",
            )
            .await;
        if let Some(events) = events {
            // Presence in the stream has no `event_id`, which the event
            // type requires: read as plain JSON (the response itself parsed).
            let events: Vec<Value> = events
                .chunk
                .unwrap_or_default()
                .iter()
                .map(|event| event.deserialize_as().unwrap())
                .collect();
            assert!(
                events
                    .iter()
                    .any(|event| event["content"]["body"] == json!("streamed"))
            );
            assert!(events.iter().any(|event| event["type"] == "m.presence"));
        }
    }
    let room_initial = h
        .call(
            Some(bob),
            RoomInitialSyncRequest::new(lobby.clone()),
            "the lobby's state and latest messages",
        )
        .await;
    if let Some(room_initial) = room_initial {
        assert_eq!(&room_initial.room_id, lobby);
        assert!(
            room_initial
                .state
                .unwrap_or_default()
                .iter()
                .any(|event| matches!(event.typed().content, AnyStateEventContent::RoomCreate(_)))
        );
    }
    if let Some(hello) = &rooms.hello {
        let event = h
            .call(
                Some(bob),
                GetOneEventRequest::new(hello.clone()),
                "the message by its event ID alone",
            )
            .await;
        assert_eq!(
            event.map(|event| event.typed().event_id),
            Some(hello.clone())
        );
    }
    let mut peek = PeekEventsRequest::new(lobby.clone());
    peek.timeout = Some(Duration::ZERO);
    let peeked = h
        .call(
            Some(&users.carol),
            peek,
            "a non-member may stream the world-readable lobby (an end token comes back)",
        )
        .await;
    if let Some(peeked) = peeked {
        assert!(peeked.end.is_some());
    }
}
