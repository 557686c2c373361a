//! Events through the generated client against Synapse: every common kind
//! of event, sent with the endpoint that makes it and received through
//! `/sync` (room events also through `/messages`): messages of each common
//! `msgtype` (the image and the file uploaded first), a reaction, an edit, a
//! reply, a thread, a redaction and the redacted event, membership, the
//! room's state, tags and other account data, the fully-read marker,
//! receipts, typing, presence, a to-device message and a custom event type.
//!
//! Every event received anywhere is checked for loss twice: its JSON as
//! received against its typed envelope serialized again, by JSON pointer
//! (as `operations` does for whole bodies), and its content against the
//! content type of its event type serialized again (only the custom type
//! may have none). Then [`CASES`], one row per event sent, says where each
//! must arrive, and its checker says what its typed content must be (the
//! variant of a message's `msgtype`, ...): the one place per event that
//! knows the content types. The event type and every content field sent
//! must come back (the received content may hold more: a receipt's
//! timestamp).
//!
//! The server is shared with the other e2e tests: the users are new and the
//! room is theirs. Every wait is bounded: `/sync` long-polls for at most
//! [`SYNC_TIMEOUT`] in at most [`SYNC_ROUNDS`] rounds, `/messages` pages at
//! most [`MESSAGE_PAGES`] times.
//!
//! Run: `cargo test -p matrix-csapi-tests --test e2e -- events:: --nocapture`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use matrix_csapi::account_data::SetAccountDataRequest;
use matrix_csapi::content_repo::UploadContentRequest;
use matrix_csapi::create_room::{CreateRoomRequest, CreateRoomRequestPreset};
use matrix_csapi::events::{
    DirectEventContent, FullyReadEventContent, KeyVerificationRequestEventContent,
    PresenceEventContent, ReactionEventContent, ReceiptEventContent, RoomCreateEventContent,
    RoomJoinRulesEventContent, RoomMemberEventContent, RoomMessageEventContent,
    RoomNameEventContent, RoomPowerLevelsEventContent, RoomRedactionEventContent,
    RoomTopicEventContent, TagEventContent, TypingEventContent,
};
use matrix_csapi::inviting::{InviteUserRequest, InviteUserRequestBody};
use matrix_csapi::joining::{JoinRoomByIdRequest, JoinRoomByIdRequestBody};
use matrix_csapi::message_pagination::GetRoomEventsRequest;
use matrix_csapi::presence::{SetPresenceRequest, SetPresenceRequestBody};
use matrix_csapi::read_markers::{SetReadMarkerRequest, SetReadMarkerRequestBody};
use matrix_csapi::receipts::{PostReceiptReceiptType, PostReceiptRequest, PostReceiptRequestBody};
use matrix_csapi::redaction::{RedactEventRequest, RedactEventRequestBody};
use matrix_csapi::relations::GetRelatingEventsWithRelTypeRequest;
use matrix_csapi::room_send::SendMessageRequest;
use matrix_csapi::room_state::SetRoomStateWithKeyRequest;
use matrix_csapi::rooms::{
    GetRoomStateRequest, GetRoomStateWithKeyRequest, GetRoomStateWithKeyResponse,
};
use matrix_csapi::runtime::{Bytes, EventContent, Raw};
use matrix_csapi::sync::{SyncRequest, SyncResponse};
use matrix_csapi::tags::SetRoomTagRequest;
use matrix_csapi::test_support::{BodyVisitor, visit_event_content_type};
use matrix_csapi::threads_list::GetThreadRootsRequest;
use matrix_csapi::to_device::{SendToDeviceRequest, SendToDeviceRequestBody};
use matrix_csapi::types::{Direction, Event, Presence, Tag};
use matrix_csapi::typing::{SetTypingRequest, SetTypingRequestBody};
use matrix_csapi::{Client, EventId, RoomId, UserId};
use matrix_csapi_runtime::serde::{Serialize, de::DeserializeOwned};
use matrix_csapi_tests::synapse::synapse;
use serde_json::{Map, Value, json};

use crate::e2e_support::{Account, client_with_token, register, unique_name};
use crate::operations::harness::differences;
use crate::operations::media::png;

/// How long one `/sync` long-polls for something new.
const SYNC_TIMEOUT: Duration = Duration::from_secs(2);
/// How many `/sync` rounds one user makes at most before giving up.
const SYNC_ROUNDS: usize = 15;
/// How many pages of `/messages` are read at most (the room has about 25
/// events; a page holds 50).
const MESSAGE_PAGES: usize = 10;

/// Where an event was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// Alice's `/sync`: the first one once the room exists, then on from
    /// its token.
    AliceSync,
    /// Bob's `/sync`: the first one after everything was sent (the room's
    /// history as a member sees it), then on from its token.
    BobSync,
    /// `/messages` paged backwards from the end to the room's creation.
    Messages,
    /// `GET /rooms/{roomId}/state`.
    State,
    /// `GET /rooms/{roomId}/relations/{threadRoot}/m.thread`.
    Relations,
    /// `GET /rooms/{roomId}/threads`.
    Threads,
}

/// The part of an answer an event arrived in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Channel {
    /// A room event: a timeline or a state list, `/messages`, ...
    Room,
    /// The room's account data in `/sync` (`rooms.join.*.account_data`).
    RoomAccountData,
    /// Global account data in `/sync` (`account_data`).
    AccountData,
    /// The room's ephemeral events in `/sync`.
    Ephemeral,
    /// `/sync`'s `presence`.
    Presence,
    /// `/sync`'s `to_device` (the device the message was sent to).
    ToDevice,
}

/// Checks the typed content of a received event, given its type and its
/// content as received.
type Checker = fn(&str, &Map<String, Value>) -> Result<(), String>;

/// One event sent (or, for the room's creation, made by the server), and
/// where it must come back.
struct Case {
    name: &'static str,
    event_type: &'static str,
    channel: Channel,
    /// Every place it must be read from.
    sources: &'static [Source],
    typed: Checker,
}

/// A room event: in both users' `/sync` and in `/messages`.
const ROOM: &[Source] = &[Source::AliceSync, Source::BobSync, Source::Messages];

/// What each event must come back as. A message must land in the variant of
/// its `msgtype`; the redacted message, whose content the server emptied, in
/// `Other`.
const CASES: &[Case] = &[
    Case {
        name: "text",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| message(t, c, "Text", |m| matches!(m, Msg::Text(_))),
    },
    Case {
        name: "notice (a thread's root)",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: &[
            Source::AliceSync,
            Source::BobSync,
            Source::Messages,
            Source::Threads,
        ],
        typed: |t, c| message(t, c, "Notice", |m| matches!(m, Msg::Notice(_))),
    },
    Case {
        name: "emote",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| message(t, c, "Emote", |m| matches!(m, Msg::Emote(_))),
    },
    Case {
        name: "image",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| message(t, c, "Image", |m| matches!(m, Msg::Image(_))),
    },
    Case {
        name: "file",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| message(t, c, "File", |m| matches!(m, Msg::File(_))),
    },
    Case {
        name: "location",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| message(t, c, "Location", |m| matches!(m, Msg::Location(_))),
    },
    Case {
        name: "reaction",
        event_type: "m.reaction",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| {
            let reaction = content_as::<ReactionEventContent>(t, c)?;
            let relates_to = reaction.relates_to.ok_or("no m.relates_to")?;
            let rel_type = relates_to.rel_type.as_ref().map(ToString::to_string);
            expect(rel_type.as_deref() == Some("m.annotation"), &relates_to)
        },
    },
    Case {
        name: "edit",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| {
            message(t, c, "Text", |m| matches!(m, Msg::Text(_)))?;
            // The replacement is a message content of its own.
            let new_content = c["m.new_content"].as_object().ok_or("no m.new_content")?;
            message(t, new_content, "Text", |m| matches!(m, Msg::Text(_)))
        },
    },
    Case {
        name: "reply",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| message(t, c, "Text", |m| matches!(m, Msg::Text(_))),
    },
    Case {
        name: "thread",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: &[
            Source::AliceSync,
            Source::BobSync,
            Source::Messages,
            Source::Relations,
        ],
        typed: |t, c| message(t, c, "Text", |m| matches!(m, Msg::Text(_))),
    },
    Case {
        name: "redaction",
        event_type: "m.room.redaction",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| {
            let redaction = content_as::<RoomRedactionEventContent>(t, c)?;
            expect(redaction.redacts.is_some(), &redaction)
        },
    },
    Case {
        name: "redacted message",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| {
            message(
                t,
                c,
                "Other({})",
                |m| matches!(m, Msg::Other(content) if content.is_empty()),
            )
        },
    },
    Case {
        name: "member: invite",
        event_type: "m.room.member",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| {
            let member = content_as::<RoomMemberEventContent>(t, c)?;
            expect(member.membership.to_string() == "invite", &member)
        },
    },
    Case {
        name: "member: join",
        event_type: "m.room.member",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| {
            let member = content_as::<RoomMemberEventContent>(t, c)?;
            expect(member.membership.to_string() == "join", &member)
        },
    },
    Case {
        name: "power levels",
        event_type: "m.room.power_levels",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| {
            let levels = content_as::<RoomPowerLevelsEventContent>(t, c)?;
            expect(
                levels.users.as_ref().is_some_and(|u| !u.is_empty()),
                &levels,
            )
        },
    },
    Case {
        name: "name",
        event_type: "m.room.name",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| content_as::<RoomNameEventContent>(t, c).map(drop),
    },
    Case {
        name: "topic",
        event_type: "m.room.topic",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| {
            let topic = content_as::<RoomTopicEventContent>(t, c)?;
            expect(topic.m_topic.is_some(), &topic)
        },
    },
    Case {
        name: "join rules",
        event_type: "m.room.join_rules",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, c| {
            let rules = content_as::<RoomJoinRulesEventContent>(t, c)?;
            expect(rules.allow.as_ref().is_some_and(|a| a.len() == 1), &rules)
        },
    },
    Case {
        name: "create",
        event_type: "m.room.create",
        channel: Channel::Room,
        sources: &[
            Source::AliceSync,
            Source::BobSync,
            Source::Messages,
            Source::State,
        ],
        typed: |t, c| {
            let create = content_as::<RoomCreateEventContent>(t, c)?;
            expect(create.federate == Some(false), &create)
        },
    },
    Case {
        name: "custom",
        event_type: "org.example.custom",
        channel: Channel::Room,
        sources: ROOM,
        // No content type knows it (checked with every event received): the
        // content stays a JSON map, compared with what was sent.
        typed: |_, _| Ok(()),
    },
    Case {
        name: "tags",
        event_type: "m.tag",
        channel: Channel::RoomAccountData,
        sources: &[Source::AliceSync],
        typed: |t, c| content_as::<TagEventContent>(t, c).map(drop),
    },
    Case {
        name: "direct",
        event_type: "m.direct",
        channel: Channel::AccountData,
        sources: &[Source::AliceSync],
        typed: |t, c| {
            let direct = content_as::<DirectEventContent>(t, c)?;
            expect(direct.0.len() == 1, &direct)
        },
    },
    Case {
        name: "fully read",
        event_type: "m.fully_read",
        channel: Channel::RoomAccountData,
        sources: &[Source::AliceSync],
        typed: |t, c| content_as::<FullyReadEventContent>(t, c).map(drop),
    },
    Case {
        name: "receipt",
        event_type: "m.receipt",
        channel: Channel::Ephemeral,
        sources: &[Source::AliceSync],
        typed: |t, c| content_as::<ReceiptEventContent>(t, c).map(drop),
    },
    Case {
        name: "typing",
        event_type: "m.typing",
        channel: Channel::Ephemeral,
        sources: &[Source::AliceSync],
        typed: |t, c| content_as::<TypingEventContent>(t, c).map(drop),
    },
    Case {
        name: "presence",
        event_type: "m.presence",
        channel: Channel::Presence,
        sources: &[Source::AliceSync],
        typed: |t, c| {
            let presence = content_as::<PresenceEventContent>(t, c)?;
            expect(presence.presence == Presence::Online, &presence)
        },
    },
    Case {
        name: "to-device",
        event_type: "m.key.verification.request",
        channel: Channel::ToDevice,
        sources: &[Source::BobSync],
        typed: |t, c| content_as::<KeyVerificationRequestEventContent>(t, c).map(drop),
    },
];

type Msg = RoomMessageEventContent;

/// The content as `C`, which must be the content type of `event_type`, and
/// which must give back every key when serialized again.
fn content_as<C: EventContent + Debug>(
    event_type: &str,
    content: &Map<String, Value>,
) -> Result<C, String> {
    if event_type != C::EVENT_TYPE && !C::OTHER_EVENT_TYPES.contains(&event_type) {
        return Err(format!(
            "{event_type} has not the content type of {}",
            C::EVENT_TYPE
        ));
    }
    let content = Value::Object(content.clone());
    let typed: C = serde_json::from_value(content.clone())
        .map_err(|error| format!("the content does not parse: {error}"))?;
    let again = serde_json::to_value(&typed).map_err(|error| error.to_string())?;
    match compare_content(&content, &again) {
        Ok(_) => Ok(typed),
        Err(lost) => Err(format!("the typed content: {}", lost.join("; "))),
    }
}

/// How `again`, a content typed and serialized again, differs from the
/// content `received`: `Ok` with the numbers only spelled differently
/// (`22` as `22.0`: a schema's `type: number` is an `f64`, as in
/// `offline/event_examples.rs`), `Err` with every difference otherwise.
fn compare_content(received: &Value, again: &Value) -> Result<Vec<String>, Vec<String>> {
    let differences = differences(received, again);
    if differences.is_empty() || numbers_as_f64(received) == numbers_as_f64(again) {
        Ok(differences)
    } else {
        Err(differences)
    }
}

/// `value` with every number as the `f64` it equals.
fn numbers_as_f64(value: &Value) -> Value {
    match value {
        Value::Number(number) => number
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| value.clone(), Value::Number),
        Value::Array(items) => Value::Array(items.iter().map(numbers_as_f64).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), numbers_as_f64(value)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Parses a content as the type the visitor is called with, and serializes
/// it again.
struct Roundtrip(Value);

impl BodyVisitor for Roundtrip {
    type Output = Result<Value, String>;

    fn visit<T>(self) -> Self::Output
    where
        T: Serialize + DeserializeOwned + Debug,
    {
        let typed: T = serde_json::from_value(self.0).map_err(|error| error.to_string())?;
        serde_json::to_value(&typed).map_err(|error| error.to_string())
    }
}

/// A message content in the variant `variant` (named for the report).
fn message(
    event_type: &str,
    content: &Map<String, Value>,
    variant: &str,
    is_variant: fn(&Msg) -> bool,
) -> Result<(), String> {
    let typed = content_as::<Msg>(event_type, content)?;
    if is_variant(&typed) {
        Ok(())
    } else {
        Err(format!("not {variant}: {typed:?}"))
    }
}

fn expect(holds: bool, typed: &impl Debug) -> Result<(), String> {
    if holds {
        Ok(())
    } else {
        Err(format!("unexpected typed content {typed:?}"))
    }
}

/// What was sent for a case: how to recognise it, and what must come back.
struct Sent {
    case: &'static str,
    event_id: Option<EventId>,
    state_key: Option<String>,
    sender: Option<UserId>,
    /// Every field of it must be in the content received.
    content: Value,
    /// The content received must be exactly `content` (a redacted event).
    exactly: bool,
}

impl Sent {
    fn new(case: &'static str, content: Value) -> Self {
        Self {
            case,
            event_id: None,
            state_key: None,
            sender: None,
            content,
            exactly: false,
        }
    }

    fn with_event_id(mut self, event_id: &EventId) -> Self {
        self.event_id = Some(event_id.clone());
        self
    }

    fn with_state_key(mut self, state_key: &str) -> Self {
        self.state_key = Some(state_key.to_owned());
        self
    }

    fn with_sender(mut self, sender: &UserId) -> Self {
        self.sender = Some(sender.clone());
        self
    }

    /// Whether `event` is this one (its ID, state key and sender, where
    /// known), whatever its content.
    fn identifies(&self, event: &Received) -> bool {
        let same = |expected: Option<&str>, field: &str| {
            expected.is_none_or(|expected| event.event[field].as_str() == Some(expected))
        };
        same(self.event_id.as_deref(), "event_id")
            && same(self.state_key.as_deref(), "state_key")
            && same(self.sender.as_deref(), "sender")
    }

    /// What in the content received differs from what was sent.
    fn content_differences(&self, received: &Value) -> Vec<String> {
        if self.exactly {
            differences(received, &self.content)
        } else {
            let mut out = Vec::new();
            missing(&self.content, received, &mut String::new(), &mut out);
            out
        }
    }
}

/// Every part of `sent` that `received` lacks or holds differently, by JSON
/// pointer; `received` may have more keys.
fn missing(sent: &Value, received: &Value, pointer: &mut String, out: &mut Vec<String>) {
    match (sent, received) {
        (Value::Object(sent), Value::Object(received)) => {
            for (key, sent_value) in sent {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                match received.get(key) {
                    Some(received_value) => missing(sent_value, received_value, pointer, out),
                    None => out.push(format!("{pointer} missing")),
                }
                pointer.truncate(len);
            }
        }
        _ if sent == received => {}
        _ => out.push(format!("{pointer}: sent {sent}, received {received}")),
    }
}

/// An event as received, parsed into its envelope.
struct Received {
    source: Source,
    channel: Channel,
    /// The room it was received for (`None` outside rooms).
    room: Option<RoomId>,
    /// The typed envelope serialized again; equal to the JSON received
    /// unless the tally recorded a loss.
    event: Value,
}

impl Received {
    fn event_type(&self) -> &str {
        self.event["type"].as_str().unwrap_or_default()
    }
}

/// Everything received, and what went wrong.
#[derive(Default)]
struct Tally {
    received: Vec<Received>,
    /// JSON members and array items of the events received, each compared
    /// with the typed envelope's.
    keys_compared: usize,
    /// Events whose content went through the content type of its event
    /// type and came back whole.
    contents_typed: usize,
    /// Event types without a content type (only the custom one may be).
    untyped: BTreeSet<String>,
    /// Numbers in typed contents that came back spelled differently, by
    /// event type and JSON pointer.
    respelled: BTreeSet<String>,
    failures: Vec<String>,
}

impl Tally {
    /// Parses `json`, an event received, as the envelope `E`, checks that
    /// the envelope gives back every key, and keeps it.
    fn receive<E>(&mut self, json: &str, source: Source, channel: Channel, room: Option<&RoomId>)
    where
        E: Serialize + DeserializeOwned,
    {
        let raw: Value = serde_json::from_str(json).expect("events are JSON");
        let label = format!(
            "{source:?} {channel:?} {} {}",
            raw["type"],
            raw.get("event_id").unwrap_or(&Value::Null)
        );
        let event = match serde_json::from_str::<E>(json) {
            Ok(typed) => serde_json::to_value(&typed).expect("a typed event serializes"),
            Err(error) => {
                self.failures
                    .push(format!("{label}: the envelope does not parse: {error}"));
                return;
            }
        };
        for difference in differences(&raw, &event) {
            self.failures.push(format!("{label}: {difference}"));
        }
        self.keys_compared += count_keys(&raw);
        self.check_content(&label, &event);
        self.received.push(Received {
            source,
            channel,
            room: room.cloned(),
            event,
        });
    }

    /// Parses the content of `event` as the content type of its event type
    /// (whichever case it belongs to, if any) and checks that it comes back
    /// whole.
    fn check_content(&mut self, label: &str, event: &Value) {
        let event_type = event["type"].as_str().unwrap_or_default();
        let content = &event["content"];
        match visit_event_content_type(event_type, Roundtrip(content.clone())) {
            None => {
                self.untyped.insert(event_type.to_owned());
            }
            Some(Err(error)) => self.failures.push(format!(
                "{label}: the content does not parse as its type: {error}"
            )),
            Some(Ok(again)) => match compare_content(content, &again) {
                Ok(respelled) => {
                    self.contents_typed += 1;
                    // By where, not by value: `changed /last_active_ago`.
                    let respelled = respelled.iter().map(|change| {
                        let at = change.split(": ").next().unwrap_or(change);
                        format!("{event_type} {at}")
                    });
                    self.respelled.extend(respelled);
                }
                Err(lost) => {
                    for difference in lost {
                        self.failures
                            .push(format!("{label}: typed content: {difference}"));
                    }
                }
            },
        }
    }

    fn receive_all<E>(
        &mut self,
        events: &[Raw<E>],
        source: Source,
        channel: Channel,
        room: Option<&RoomId>,
    ) where
        E: Serialize + DeserializeOwned,
    {
        for event in events {
            self.receive::<E>(event.json().get(), source, channel, room);
        }
    }

    /// Every event of a `/sync` answer.
    fn receive_sync(&mut self, sync: &SyncResponse, source: Source) {
        let joined = sync.rooms.as_ref().and_then(|rooms| rooms.join.as_ref());
        for (room, joined) in joined.into_iter().flatten() {
            let room = Some(room);
            for batch in [&joined.state, &joined.state_after].into_iter().flatten() {
                let events = batch.events.as_deref().unwrap_or_default();
                self.receive_all(events, source, Channel::Room, room);
            }
            if let Some(timeline) = &joined.timeline {
                self.receive_all(&timeline.events, source, Channel::Room, room);
            }
            if let Some(batch) = &joined.ephemeral {
                let events = batch.events.as_deref().unwrap_or_default();
                self.receive_all(events, source, Channel::Ephemeral, room);
            }
            if let Some(batch) = &joined.account_data {
                let events = batch.events.as_deref().unwrap_or_default();
                self.receive_all(events, source, Channel::RoomAccountData, room);
            }
        }
        for (batch, channel) in [
            (&sync.presence, Channel::Presence),
            (&sync.account_data, Channel::AccountData),
        ] {
            let events = batch.as_ref().and_then(|batch| batch.events.as_deref());
            self.receive_all(events.unwrap_or_default(), source, channel, None);
        }
        // The spec gives `to_device` no schema (its prose: `events`, each
        // with `sender`, `type` and `content`): read as the basic event.
        let to_device = sync
            .to_device
            .as_ref()
            .and_then(|to_device| to_device.get("events"));
        for event in to_device.and_then(Value::as_array).into_iter().flatten() {
            self.receive::<Event>(&event.to_string(), source, Channel::ToDevice, None);
        }
    }

    /// The events received from `source` that are the event of `case`, as
    /// `sent` identifies it (any content).
    fn candidates<'a>(
        &'a self,
        case: &'a Case,
        sent: &'a Sent,
        source: Source,
        room: &'a RoomId,
    ) -> impl Iterator<Item = &'a Received> {
        self.received.iter().filter(move |event| {
            event.source == source
                && event.channel == case.channel
                && event.event_type() == case.event_type
                && (event.room.is_none() || event.room.as_ref() == Some(room))
                && sent.identifies(event)
        })
    }

    fn found(&self, case: &Case, sent: &Sent, source: Source, room: &RoomId) -> bool {
        self.candidates(case, sent, source, room)
            .any(|event| sent.content_differences(&event.event["content"]).is_empty())
    }
}

/// JSON members and array items in `value`, at every depth.
fn count_keys(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(|value| 1 + count_keys(value)).sum(),
        Value::Array(items) => items.iter().map(|value| 1 + count_keys(value)).sum(),
        _ => 0,
    }
}

fn object(value: Value) -> Map<String, Value> {
    let Value::Object(map) = value else {
        panic!("not a JSON object: {value}")
    };
    map
}

fn txn() -> String {
    static TXN: AtomicU32 = AtomicU32::new(0);
    format!("events-txn-{}", TXN.fetch_add(1, Ordering::Relaxed))
}

/// The two users, their room, and what was sent in it.
struct Scenario {
    alice: Account,
    bob: Account,
    alice_client: Client,
    bob_client: Client,
    room: RoomId,
    sent: Vec<Sent>,
}

impl Scenario {
    /// Sends a room event as `sender`; records and returns its ID.
    async fn send(
        &mut self,
        case: &'static str,
        sender: &Client,
        event_type: &str,
        content: Value,
    ) -> EventId {
        let request = SendMessageRequest::new(
            self.room.clone(),
            event_type.to_owned(),
            txn(),
            object(content.clone()),
        );
        let response = sender
            .send_message(request)
            .await
            .unwrap_or_else(|error| panic!("sending {case}: {error}"));
        self.sent
            .push(Sent::new(case, content).with_event_id(&response.event_id));
        response.event_id
    }

    /// Sets state as alice; records it.
    async fn set_state(&mut self, case: &'static str, event_type: &str, content: Value) {
        let request = SetRoomStateWithKeyRequest::new(
            self.room.clone(),
            event_type.to_owned(),
            String::new(),
            object(content.clone()),
        );
        let response = self
            .alice_client
            .set_room_state_with_key(request)
            .await
            .unwrap_or_else(|error| panic!("setting {case}: {error}"));
        self.sent.push(
            Sent::new(case, content)
                .with_event_id(&response.event_id)
                .with_state_key(""),
        );
    }

    fn sent(&self, case: &Case) -> &Sent {
        let mut sent = self.sent.iter().filter(|sent| sent.case == case.name);
        let first = sent
            .next()
            .unwrap_or_else(|| panic!("{} was not sent", case.name));
        assert!(sent.next().is_none(), "{} was sent twice", case.name);
        first
    }

    /// Whether every case to be read from `source` has been.
    fn all_found(&self, tally: &Tally, source: Source) -> bool {
        CASES
            .iter()
            .filter(|case| case.sources.contains(&source))
            .all(|case| tally.found(case, self.sent(case), source, &self.room))
    }

    /// Syncs as `client` (first from `since`) until every case to be read
    /// from `source` has arrived, at most [`SYNC_ROUNDS`] times.
    async fn sync_until_found(
        &self,
        tally: &mut Tally,
        client: &Client,
        mut since: Option<String>,
        source: Source,
    ) {
        for _ in 0..SYNC_ROUNDS {
            if since.is_some() && self.all_found(tally, source) {
                return;
            }
            let response = client
                .sync(sync_request(since.take()))
                .await
                .unwrap_or_else(|error| panic!("{source:?}: {error}"));
            tally.receive_sync(&response, source);
            since = Some(response.next_batch);
        }
    }
}

fn sync_request(since: Option<String>) -> SyncRequest {
    let mut request = SyncRequest::new();
    // The whole room in one timeline (it has about 25 events), so none is
    // left behind a gap.
    request.filter = Some(json!({"room": {"timeline": {"limit": 100}}}).to_string());
    request.timeout = since.as_ref().map(|_| SYNC_TIMEOUT);
    request.since = since;
    request
}

async fn create_room(client: &Client, request: CreateRoomRequest) -> RoomId {
    client
        .create_room(request)
        .await
        .unwrap_or_else(|error| panic!("creating a room: {error}"))
        .room_id
}

/// Uploads `bytes` through the media upload endpoint; its `mxc://` URI.
async fn upload(client: &Client, bytes: Vec<u8>, content_type: &str, filename: &str) -> String {
    let mut request = UploadContentRequest::new(Bytes::from(bytes));
    request.content_type = Some(content_type.to_owned());
    request.filename = Some(filename.to_owned());
    let response = client
        .upload_content(request)
        .await
        .unwrap_or_else(|error| panic!("uploading {filename}: {error}"));
    response.content_uri.to_string()
}

#[tokio::test]
async fn every_kind_of_event_comes_back_typed_through_sync_and_messages() {
    let Some(server) = synapse() else { return };
    let alice = register(&server, "events_alice", false).await;
    let bob = register(&server, "events_bob", false).await;
    let alice_client = client_with_token(&server, &alice.access_token);
    let bob_client = client_with_token(&server, &bob.access_token);

    // A room whose members may join the room under test (its join rule).
    let mut request = CreateRoomRequest::new();
    request.preset = Some(CreateRoomRequestPreset::PrivateChat);
    let parent = create_room(&alice_client, request).await;

    let mut request = CreateRoomRequest::new();
    request.preset = Some(CreateRoomRequestPreset::PrivateChat);
    request.room_version = Some("12".to_owned());
    request.creation_content = Some(object(json!({"m.federate": false})));
    let room = create_room(&alice_client, request).await;

    let mut tally = Tally::default();
    let first = alice_client
        .sync(sync_request(None))
        .await
        .unwrap_or_else(|error| panic!("alice's first sync: {error}"));
    tally.receive_sync(&first, Source::AliceSync);

    let mut s = Scenario {
        sent: vec![
            Sent::new("create", json!({"room_version": "12", "m.federate": false}))
                .with_state_key("")
                .with_sender(&alice.user_id),
        ],
        alice,
        bob,
        alice_client,
        bob_client,
        room,
    };
    send_everything(&mut s, &parent).await;

    s.sync_until_found(
        &mut tally,
        &s.alice_client,
        Some(first.next_batch),
        Source::AliceSync,
    )
    .await;
    s.sync_until_found(&mut tally, &s.bob_client, None, Source::BobSync)
        .await;
    read_room(&s, &mut tally).await;

    let mut failures = std::mem::take(&mut tally.failures);
    for case in CASES {
        failures.extend(check_case(&s, &tally, case));
    }
    let sent = s.sent.len() - 1; // all but the room's creation
    let mut by_source = BTreeMap::new();
    for event in &tally.received {
        *by_source.entry(format!("{:?}", event.source)).or_insert(0) += 1;
    }
    println!(
        "events: {sent} sent; {} received ({by_source:?}), {} JSON keys compared with the typed \
         envelopes, {} contents typed by their event type (numbers respelled: {:?}); \
         {} cases checked in {} places",
        tally.received.len(),
        tally.keys_compared,
        tally.contents_typed,
        tally.respelled,
        CASES.len(),
        CASES.iter().map(|case| case.sources.len()).sum::<usize>(),
    );
    // Every event type Synapse sent has a content type; the custom one has
    // none.
    let untyped: Vec<&str> = tally.untyped.iter().map(String::as_str).collect();
    if untyped != ["org.example.custom"] {
        failures.push(format!("event types without a content type: {untyped:?}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Sends every case but the room's creation, which the server made.
async fn send_everything(s: &mut Scenario, parent: &RoomId) {
    let (alice, bob) = (s.alice.user_id.clone(), s.bob.user_id.clone());
    let alice_client = s.alice_client.clone();
    let bob_client = s.bob_client.clone();

    let invite = InviteUserRequest::new(s.room.clone(), InviteUserRequestBody::new(bob.clone()));
    alice_client.invite_user(invite).await.unwrap();
    s.sent.push(
        Sent::new("member: invite", json!({"membership": "invite"}))
            .with_state_key(&bob)
            .with_sender(&alice),
    );
    let join = JoinRoomByIdRequest::new(s.room.clone(), JoinRoomByIdRequestBody::new());
    bob_client.join_room_by_id(join).await.unwrap();
    s.sent.push(
        Sent::new("member: join", json!({"membership": "join"}))
            .with_state_key(&bob)
            .with_sender(&bob),
    );

    let text = json!({
        "msgtype": "m.text",
        "body": "hello *events*",
        "format": "org.matrix.custom.html",
        "formatted_body": "hello <em>events</em>",
    });
    let text = s.send("text", &alice_client, "m.room.message", text).await;
    let notice = json!({"msgtype": "m.notice", "body": "a notice that starts a thread"});
    let notice = s
        .send(
            "notice (a thread's root)",
            &alice_client,
            "m.room.message",
            notice,
        )
        .await;
    let emote = json!({"msgtype": "m.emote", "body": "waves"});
    s.send("emote", &alice_client, "m.room.message", emote)
        .await;

    let image = png(16, 12);
    let size = image.len();
    let url = upload(&alice_client, image, "image/png", "gradient.png").await;
    let image = json!({
        "msgtype": "m.image",
        "body": "gradient.png",
        "url": url,
        "info": {"mimetype": "image/png", "size": size, "w": 16, "h": 12},
    });
    s.send("image", &alice_client, "m.room.message", image)
        .await;
    let file = b"notes for the events test\n".to_vec();
    let size = file.len();
    let url = upload(&alice_client, file, "text/plain", "notes.txt").await;
    let file = json!({
        "msgtype": "m.file",
        "body": "notes.txt",
        "filename": "notes.txt",
        "url": url,
        "info": {"mimetype": "text/plain", "size": size},
    });
    s.send("file", &alice_client, "m.room.message", file).await;
    let location = json!({
        "msgtype": "m.location",
        "body": "Big Ben, London",
        "geo_uri": "geo:51.5008,0.1247;u=35",
    });
    s.send("location", &alice_client, "m.room.message", location)
        .await;

    let reaction = json!({
        "m.relates_to": {"rel_type": "m.annotation", "event_id": text, "key": "👍"},
    });
    s.send("reaction", &bob_client, "m.reaction", reaction)
        .await;
    let edit = json!({
        "msgtype": "m.text",
        "body": "* hello *edited events*",
        "m.new_content": {"msgtype": "m.text", "body": "hello *edited events*"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": text},
    });
    s.send("edit", &alice_client, "m.room.message", edit).await;
    let reply = json!({
        "msgtype": "m.text",
        "body": "a reply",
        "m.relates_to": {"m.in_reply_to": {"event_id": text}},
    });
    s.send("reply", &bob_client, "m.room.message", reply).await;
    let thread = json!({
        "msgtype": "m.text",
        "body": "in the thread",
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": notice,
            "is_falling_back": true,
            "m.in_reply_to": {"event_id": notice},
        },
    });
    s.send("thread", &alice_client, "m.room.message", thread)
        .await;

    let doomed = json!({"msgtype": "m.text", "body": "to be redacted"});
    let doomed = s
        .send("redacted message", &alice_client, "m.room.message", doomed)
        .await;
    // Redacted, it must come back with its content emptied.
    let redacted = s.sent.last_mut().unwrap();
    redacted.content = json!({});
    redacted.exactly = true;
    let mut body = RedactEventRequestBody::new();
    body.reason = Some("testing redaction".to_owned());
    let redact = RedactEventRequest::new(s.room.clone(), doomed.clone(), txn(), body);
    let redaction = alice_client.redact_event(redact).await.unwrap();
    let redaction = redaction.event_id.expect("the redaction's event ID");
    s.sent.push(
        Sent::new(
            "redaction",
            json!({"redacts": doomed, "reason": "testing redaction"}),
        )
        .with_event_id(&redaction),
    );

    let custom = json!({
        "answer": 42,
        "nested": {"list": [1, "two", null, -7], "flag": true},
        "unicode": "grüße 👋",
    });
    s.send("custom", &alice_client, "org.example.custom", custom)
        .await;

    let current = GetRoomStateWithKeyRequest::new(
        s.room.clone(),
        "m.room.power_levels".to_owned(),
        String::new(),
    );
    let GetRoomStateWithKeyResponse::Object(mut levels) =
        alice_client.get_room_state_with_key(current).await.unwrap()
    else {
        panic!("the power levels' content")
    };
    let users = levels.entry("users").or_insert_with(|| json!({}));
    users[bob.as_str()] = json!(50);
    s.set_state("power levels", "m.room.power_levels", Value::Object(levels))
        .await;
    let name = unique_name("events room");
    s.set_state("name", "m.room.name", json!({"name": name}))
        .await;
    let topic = json!({
        "topic": "every kind of event",
        "m.topic": {"m.text": [{"body": "every kind of event", "mimetype": "text/plain"}]},
    });
    s.set_state("topic", "m.room.topic", topic).await;
    let join_rules = json!({
        "join_rule": "restricted",
        "allow": [{"type": "m.room_membership", "room_id": parent}],
    });
    s.set_state("join rules", "m.room.join_rules", join_rules)
        .await;

    let tag = SetRoomTagRequest::new(alice.clone(), s.room.clone(), "u.work".to_owned(), {
        let mut tag = Tag::new();
        tag.order = Some(0.25);
        tag
    });
    alice_client.set_room_tag(tag).await.unwrap();
    s.sent.push(Sent::new(
        "tags",
        json!({"tags": {"u.work": {"order": 0.25}}}),
    ));
    let direct = json!({bob.as_str(): [s.room]});
    let request =
        SetAccountDataRequest::new(alice.clone(), "m.direct".to_owned(), object(direct.clone()));
    alice_client.set_account_data(request).await.unwrap();
    s.sent.push(Sent::new("direct", direct));
    let mut markers = SetReadMarkerRequestBody::new();
    markers.fully_read = Some(notice.clone());
    let request = SetReadMarkerRequest::new(s.room.clone(), markers);
    alice_client.set_read_marker(request).await.unwrap();
    s.sent
        .push(Sent::new("fully read", json!({"event_id": notice})));

    let receipt = PostReceiptRequest::new(
        s.room.clone(),
        PostReceiptReceiptType::MRead,
        text.clone(),
        PostReceiptRequestBody::new(),
    );
    bob_client.post_receipt(receipt).await.unwrap();
    s.sent.push(Sent::new(
        "receipt",
        json!({text.as_str(): {"m.read": {bob.as_str(): {}}}}),
    ));
    let mut presence = SetPresenceRequestBody::new(Presence::Online);
    presence.status_msg = Some("checking events".to_owned());
    bob_client
        .set_presence(SetPresenceRequest::new(bob.clone(), presence))
        .await
        .unwrap();
    s.sent.push(
        Sent::new(
            "presence",
            json!({"presence": "online", "status_msg": "checking events"}),
        )
        .with_sender(&bob),
    );
    // Last of bob's actions, and long enough to outlast the syncs.
    let mut typing = SetTypingRequestBody::new(true);
    typing.timeout = Some(Duration::from_secs(60));
    bob_client
        .set_typing(SetTypingRequest::new(bob.clone(), s.room.clone(), typing))
        .await
        .unwrap();
    s.sent.push(Sent::new("typing", json!({"user_ids": [bob]})));

    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let request_content = json!({
        "from_device": s.alice.device_id,
        "methods": ["m.sas.v1"],
        "timestamp": now.as_millis() as u64,
        "transaction_id": txn(),
    });
    let to_bob = BTreeMap::from([(s.bob.device_id.clone(), object(request_content.clone()))]);
    let body = SendToDeviceRequestBody::new(BTreeMap::from([(bob.clone(), to_bob)]));
    let request = SendToDeviceRequest::new("m.key.verification.request".to_owned(), txn(), body);
    alice_client.send_to_device(request).await.unwrap();
    s.sent
        .push(Sent::new("to-device", request_content).with_sender(&alice));
}

/// Reads the room through `/messages`, its state, the thread's relations
/// and the room's threads.
async fn read_room(s: &Scenario, tally: &mut Tally) {
    let room = Some(&s.room);
    let mut from = None;
    for _ in 0..MESSAGE_PAGES {
        let mut request = GetRoomEventsRequest::new(s.room.clone(), Direction::B);
        request.limit = Some(50);
        request.from = from.take();
        let page = s.alice_client.get_room_events(request).await.unwrap();
        tally.receive_all(&page.chunk, Source::Messages, Channel::Room, room);
        match page.end {
            Some(end) if !page.chunk.is_empty() => from = Some(end),
            _ => break,
        }
    }

    let state = GetRoomStateRequest::new(s.room.clone());
    let state = s.alice_client.get_room_state(state).await.unwrap();
    tally.receive_all(&state, Source::State, Channel::Room, room);

    let root = s
        .sent
        .iter()
        .find(|sent| sent.case == "notice (a thread's root)");
    let root = root.and_then(|sent| sent.event_id.clone()).unwrap();
    let relations =
        GetRelatingEventsWithRelTypeRequest::new(s.room.clone(), root, "m.thread".to_owned());
    let relations = s
        .alice_client
        .get_relating_events_with_rel_type(relations)
        .await;
    tally.receive_all(
        &relations.unwrap().chunk,
        Source::Relations,
        Channel::Room,
        room,
    );

    let threads = GetThreadRootsRequest::new(s.room.clone());
    let threads = s.alice_client.get_thread_roots(threads).await.unwrap();
    tally.receive_all(&threads.chunk, Source::Threads, Channel::Room, room);
}

/// Whether `case` arrived in each of its places with what was sent, and
/// its content typed as the case expects.
fn check_case(s: &Scenario, tally: &Tally, case: &Case) -> Vec<String> {
    let sent = s.sent(case);
    let mut failures = Vec::new();
    for &source in case.sources {
        let candidates: Vec<&Received> = tally.candidates(case, sent, source, &s.room).collect();
        let matching = candidates
            .iter()
            .find(|event| sent.content_differences(&event.event["content"]).is_empty());
        let Some(event) = matching else {
            let seen: Vec<String> = candidates
                .iter()
                .map(|event| sent.content_differences(&event.event["content"]).join(", "))
                .collect();
            failures.push(format!(
                "{}: not received through {source:?} {:?} ({} events of its type and ID there: {seen:?})",
                case.name,
                case.channel,
                candidates.len()
            ));
            continue;
        };
        let content = event.event["content"].as_object();
        let typed = content
            .ok_or_else(|| "the content is not an object".to_owned())
            .and_then(|content| (case.typed)(case.event_type, content));
        if let Err(error) = typed {
            failures.push(format!("{} through {source:?}: {error}", case.name));
        }
    }
    failures
}
