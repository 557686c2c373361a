//! Events through the generated client against Synapse: every common kind
//! of event, sent with the endpoint that makes it and received through
//! `/sync` (room events also through `/messages`): messages of each common
//! `msgtype` (the image and the file uploaded first), a reaction, an edit, a
//! reply, a thread, a redaction and the redacted event, membership, the
//! room's state, tags and other account data, the fully-read marker,
//! receipts, typing, presence, a to-device message and a custom event type.
//!
//! Every content that has a content type is sent typed
//! (`send_message_with_content`, `set_room_state_with_key_with_content`,
//! `set_account_data_with_content`, `send_to_device_with_content`); only
//! the custom event type goes through the raw `SendMessageRequest::new`,
//! the escape hatch for types no content type knows.
//!
//! Every event received anywhere is read as its envelope
//! (`ClientEvent<C>`, `ClientEventWithoutRoomId<C>`, `Event<C>`), its
//! content typed by the envelope's enum (`AnyTimelineEventContent`,
//! `AnyStateEventContent`, the enum of each place basic events arrive in:
//! `AnyGlobalAccountDataEventContent`, ...), and checked for loss: its JSON as received against the typed envelope serialized again, by JSON
//! pointer (as `operations` does for whole bodies). Each must land in the
//! variant of its event type: only the custom type and a redacted event
//! (its content no longer fits its type's) may be `Other`; a message must be
//! in the variant of its `msgtype`. Then
//! [`CASES`], one row per event sent, says where each must arrive, and its
//! checker matches on the variant and reads the typed fields (a text's
//! body, the power levels' users, a member's membership, ...). The event
//! type and every content field sent must come back (the received content
//! may hold more: a receipt's timestamp).
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
use std::time::Duration;

use matrix_csapi::content_repo::UploadContentRequest;
use matrix_csapi::create_room::{CreateRoomRequest, CreateRoomRequestPreset};
use matrix_csapi::events::{
    AllowCondition, AllowConditionType, AnyEphemeralEventContent, AnyGlobalAccountDataEventContent,
    AnyPresenceEventContent, AnyRoomAccountDataEventContent, AnyStateEventContent,
    AnyTimelineEventContent, AnyToDeviceEventContent, DirectEventContent,
    KeyVerificationRequestEventContent, ReactionEventContent, ReactionRelatesTo,
    ReactionRelatesToRelType, RoomCreateEventContent, RoomJoinRulesEventContent,
    RoomJoinRulesEventContentJoinRule, RoomMessageEmoteContent, RoomMessageEventContent,
    RoomMessageFileContent, RoomMessageImageContent, RoomMessageLocationContent,
    RoomMessageNoticeContent, RoomMessageTextContent, RoomNameEventContent,
    RoomPowerLevelsEventContent, RoomTopicEventContent, TopicContentBlock,
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
use matrix_csapi::rooms::{
    GetRoomStateRequest, GetRoomStateWithKeyRequest, GetRoomStateWithKeyResponse,
};
use matrix_csapi::runtime::{
    Bytes, MessageLikeEventContent, MxcUri, Raw, StateEventContent, Timestamp,
};
use matrix_csapi::sync::{SyncRequest, SyncResponse, ToDeviceEvent};
use matrix_csapi::tags::SetRoomTagRequest;
use matrix_csapi::threads_list::GetThreadRootsRequest;
use matrix_csapi::types::{
    ClientEvent, ClientEventWithoutRoomId, Direction, Event, ImageInfo, Membership, Presence, Tag,
    TextualRepresentation,
};
use matrix_csapi::types::{InReplyTo, RelatesTo, RelationType};
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
/// The one event type no content type knows: sent raw, received in `Other`.
const CUSTOM_TYPE: &str = "org.example.custom";

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

/// A received event's content, in the enum its envelope gave it: room
/// events in timelines are `AnyTimelineEventContent`, in state lists
/// `AnyStateEventContent`; account data (global and per room), ephemeral,
/// presence and to-device events the enum of their place
/// (`[events.basic]`: `AnyGlobalAccountDataEventContent`, ...).
#[derive(Debug)]
// About a hundred events are kept: boxing the largest would save nothing
// that matters.
#[allow(clippy::large_enum_variant)]
enum Typed {
    Timeline(AnyTimelineEventContent),
    State(AnyStateEventContent),
    GlobalAccountData(AnyGlobalAccountDataEventContent),
    RoomAccountData(AnyRoomAccountDataEventContent),
    Ephemeral(AnyEphemeralEventContent),
    Presence(AnyPresenceEventContent),
    ToDevice(AnyToDeviceEventContent),
}

impl From<AnyTimelineEventContent> for Typed {
    fn from(content: AnyTimelineEventContent) -> Self {
        Self::Timeline(content)
    }
}

impl From<AnyStateEventContent> for Typed {
    fn from(content: AnyStateEventContent) -> Self {
        Self::State(content)
    }
}

/// `From` each place's enum, and an accessor that fails naming what
/// arrived instead.
macro_rules! basic_places {
    ($($variant:ident($enum:ident) $accessor:ident),*) => {
        $(
            impl From<$enum> for Typed {
                fn from(content: $enum) -> Self {
                    Self::$variant(content)
                }
            }
        )*
        impl Typed {
            $(
                fn $accessor(&self) -> Result<&$enum, String> {
                    match self {
                        Self::$variant(content) => Ok(content),
                        other => Err(format!("not in {}: {other:?}", stringify!($enum))),
                    }
                }
            )*
        }
    };
}

basic_places!(
    GlobalAccountData(AnyGlobalAccountDataEventContent) global_account_data,
    RoomAccountData(AnyRoomAccountDataEventContent) room_account_data,
    Ephemeral(AnyEphemeralEventContent) ephemeral,
    Presence(AnyPresenceEventContent) presence,
    ToDevice(AnyToDeviceEventContent) to_device
);

impl Typed {
    fn timeline(&self) -> Result<&AnyTimelineEventContent, String> {
        match self {
            Self::Timeline(content) => Ok(content),
            other => Err(format!("not a timeline event: {other:?}")),
        }
    }

    /// Whether the content is in `Other`: the event type is unknown, or the
    /// content does not fit its type's.
    fn is_other(&self) -> bool {
        matches!(
            self,
            Self::Timeline(AnyTimelineEventContent::Other { .. })
                | Self::State(AnyStateEventContent::Other { .. })
                | Self::GlobalAccountData(AnyGlobalAccountDataEventContent::Other { .. })
                | Self::RoomAccountData(AnyRoomAccountDataEventContent::Other { .. })
                | Self::Ephemeral(AnyEphemeralEventContent::Other { .. })
                | Self::Presence(AnyPresenceEventContent::Other { .. })
                | Self::ToDevice(AnyToDeviceEventContent::Other { .. })
        )
    }

    /// The variant, as `Enum::Variant` (a message also with the variant of
    /// its `msgtype`): what the report counts.
    fn variant(&self) -> String {
        // The variant's name is how `Debug` starts it.
        fn name(debug: impl Debug) -> String {
            let debug = format!("{debug:?}");
            debug
                .split(['(', ' '])
                .next()
                .unwrap_or_default()
                .to_owned()
        }
        match self {
            Self::Timeline(AnyTimelineEventContent::RoomMessage(message)) => {
                format!("AnyTimelineEventContent::RoomMessage({})", name(message))
            }
            Self::Timeline(content) => format!("AnyTimelineEventContent::{}", name(content)),
            Self::State(content) => format!("AnyStateEventContent::{}", name(content)),
            Self::GlobalAccountData(content) => {
                format!("AnyGlobalAccountDataEventContent::{}", name(content))
            }
            Self::RoomAccountData(content) => {
                format!("AnyRoomAccountDataEventContent::{}", name(content))
            }
            Self::Ephemeral(content) => format!("AnyEphemeralEventContent::{}", name(content)),
            Self::Presence(content) => format!("AnyPresenceEventContent::{}", name(content)),
            Self::ToDevice(content) => format!("AnyToDeviceEventContent::{}", name(content)),
        }
    }
}

/// The content of a state event in the variant `$variant`, in whichever
/// enum it arrived (a state list's or a timeline's).
macro_rules! state_variant {
    ($typed:expr, $variant:ident) => {
        match $typed {
            Typed::State(AnyStateEventContent::$variant(content))
            | Typed::Timeline(AnyTimelineEventContent::$variant(content)) => Ok(content),
            other => Err(format!("not {}: {other:?}", stringify!($variant))),
        }
    };
}

/// An envelope the test reads: its content goes into [`Typed`].
trait Envelope: Serialize + DeserializeOwned {
    fn into_typed(self) -> Typed;
}

impl<C: Into<Typed>> Envelope for ClientEvent<C>
where
    Self: Serialize + DeserializeOwned,
{
    fn into_typed(self) -> Typed {
        self.content.into()
    }
}

impl<C: Into<Typed>> Envelope for ClientEventWithoutRoomId<C>
where
    Self: Serialize + DeserializeOwned,
{
    fn into_typed(self) -> Typed {
        self.content.into()
    }
}

impl<C: Into<Typed>> Envelope for Event<C>
where
    Self: Serialize + DeserializeOwned,
{
    fn into_typed(self) -> Typed {
        self.content.into()
    }
}

impl<C: Into<Typed>> Envelope for ToDeviceEvent<C>
where
    Self: Serialize + DeserializeOwned,
{
    fn into_typed(self) -> Typed {
        self.content.into()
    }
}

/// Checks the typed content of a received event: its variant and fields.
type Checker = fn(&Typed, &Scenario) -> Result<(), String>;

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

type Msg = RoomMessageEventContent;
type Timeline = AnyTimelineEventContent;

/// What each event must come back as. A message must land in the variant of
/// its `msgtype`; the redacted message, whose content the server emptied,
/// and the custom type in the enum's `Other`.
const CASES: &[Case] = &[
    Case {
        name: "text",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, _| match t.timeline()? {
            Timeline::RoomMessage(Msg::Text(text)) => expect(
                text.body == "hello *events*"
                    && text.format.as_deref() == Some("org.matrix.custom.html")
                    && text.formatted_body.as_deref() == Some("hello <em>events</em>"),
                text,
            ),
            other => Err(unexpected(other)),
        },
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
        typed: |t, _| match t.timeline()? {
            Timeline::RoomMessage(Msg::Notice(notice)) => {
                expect(notice.body == "a notice that starts a thread", notice)
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "emote",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, _| match t.timeline()? {
            Timeline::RoomMessage(Msg::Emote(emote)) => expect(emote.body == "waves", emote),
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "image",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, _| match t.timeline()? {
            Timeline::RoomMessage(Msg::Image(image)) => {
                let info = image.info.as_ref().ok_or("no info")?;
                expect(
                    image.url.is_some()
                        && info.mimetype.as_deref() == Some("image/png")
                        && (info.w, info.h) == (Some(16), Some(12)),
                    image,
                )
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "file",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, _| match t.timeline()? {
            Timeline::RoomMessage(Msg::File(file)) => {
                let info = file.info.as_ref().ok_or("no info")?;
                expect(
                    file.url.is_some()
                        && file.filename.as_deref() == Some("notes.txt")
                        && info.mimetype.as_deref() == Some("text/plain"),
                    file,
                )
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "location",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, _| match t.timeline()? {
            Timeline::RoomMessage(Msg::Location(location)) => {
                expect(location.geo_uri == "geo:51.5008,0.1247;u=35", location)
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "reaction",
        event_type: "m.reaction",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, s| match t.timeline()? {
            Timeline::Reaction(reaction) => {
                let relates_to = reaction.relates_to.as_ref().ok_or("no m.relates_to")?;
                expect(
                    relates_to.rel_type == Some(ReactionRelatesToRelType::MAnnotation)
                        && relates_to.event_id.as_deref() == Some(s.event_id("text").as_str())
                        && relates_to.key.as_deref() == Some("👍"),
                    relates_to,
                )
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "edit",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, s| match t.timeline()? {
            Timeline::RoomMessage(Msg::Text(edit)) => {
                let relates_to = edit.relates_to.as_ref().ok_or("no m.relates_to")?;
                let replaced = relates_to.rel_type == Some(RelationType::MReplace)
                    && relates_to.event_id.as_ref() == Some(s.event_id("text"))
                    && relates_to.in_reply_to.is_none();
                // The replacement is a message content of its own, in the
                // variant of its `msgtype` too.
                match edit.new_content.as_deref() {
                    Some(Msg::Text(new)) if replaced => {
                        expect(new.body == "hello *edited events*", new)
                    }
                    _ => Err(format!("not an edit of the text: {edit:?}")),
                }
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "reply",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, s| match t.timeline()? {
            Timeline::RoomMessage(Msg::Text(reply)) => {
                let relates_to = reply.relates_to.as_ref().ok_or("no m.relates_to")?;
                let replied_to = relates_to.in_reply_to.as_ref().map(|r| &r.event_id);
                // A reply alone has no `rel_type` nor `event_id`.
                expect(
                    reply.body == "a reply"
                        && replied_to == Some(s.event_id("text"))
                        && relates_to.rel_type.is_none()
                        && relates_to.event_id.is_none()
                        && reply.new_content.is_none(),
                    reply,
                )
            }
            other => Err(unexpected(other)),
        },
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
        typed: |t, s| match t.timeline()? {
            Timeline::RoomMessage(Msg::Text(text)) => {
                let root = s.event_id("notice (a thread's root)");
                let relates_to = text.relates_to.as_ref().ok_or("no m.relates_to")?;
                let replied_to = relates_to.in_reply_to.as_ref().map(|r| &r.event_id);
                expect(
                    text.body == "in the thread"
                        && relates_to.rel_type == Some(RelationType::MThread)
                        && relates_to.event_id.as_ref() == Some(root)
                        && relates_to.is_falling_back == Some(true)
                        && replied_to == Some(root),
                    text,
                )
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "redaction",
        event_type: "m.room.redaction",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, s| match t.timeline()? {
            Timeline::RoomRedaction(redaction) => expect(
                redaction.redacts.as_ref() == Some(s.event_id("redacted message"))
                    && redaction.reason.as_deref() == Some("testing redaction"),
                redaction,
            ),
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "redacted message",
        event_type: "m.room.message",
        channel: Channel::Room,
        sources: ROOM,
        // The emptied content fits no message (no `msgtype`, no `body`):
        // the timeline enum's `Other`, like any redacted event's.
        typed: |t, _| match t.timeline()? {
            Timeline::Other {
                event_type,
                content,
            } if event_type == "m.room.message" && content.is_empty() => Ok(()),
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "member: invite",
        event_type: "m.room.member",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, _| {
            let member = state_variant!(t, RoomMember)?;
            expect(member.membership == Membership::Invite, member)
        },
    },
    Case {
        name: "member: join",
        event_type: "m.room.member",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, _| {
            let member = state_variant!(t, RoomMember)?;
            expect(member.membership == Membership::Join, member)
        },
    },
    Case {
        name: "power levels",
        event_type: "m.room.power_levels",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, s| {
            let levels = state_variant!(t, RoomPowerLevels)?;
            let users = levels.users.as_ref().ok_or("no users")?;
            expect(users.get(&s.bob.user_id) == Some(&50), levels)
        },
    },
    Case {
        name: "name",
        event_type: "m.room.name",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, s| {
            let name = state_variant!(t, RoomName)?;
            let sent = s.sent_named("name").content["name"].as_str();
            expect(Some(name.name.as_str()) == sent, name)
        },
    },
    Case {
        name: "topic",
        event_type: "m.room.topic",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, _| {
            let topic = state_variant!(t, RoomTopic)?;
            let texts = topic.m_topic.as_ref().and_then(|block| block.text.as_ref());
            let first = texts.and_then(|texts| texts.first());
            expect(
                topic.topic == "every kind of event"
                    && first.is_some_and(|text| text.body == topic.topic),
                topic,
            )
        },
    },
    Case {
        name: "join rules",
        event_type: "m.room.join_rules",
        channel: Channel::Room,
        sources: ROOM,
        typed: |t, s| {
            let rules = state_variant!(t, RoomJoinRules)?;
            let allow = rules.allow.as_deref().unwrap_or_default();
            expect(
                rules.join_rule == RoomJoinRulesEventContentJoinRule::Restricted
                    && matches!(allow, [only] if only.room_id.as_ref() == Some(&s.parent)),
                rules,
            )
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
        typed: |t, _| {
            let create = state_variant!(t, RoomCreate)?;
            expect(
                create.federate == Some(false) && create.room_version.as_deref() == Some("12"),
                create,
            )
        },
    },
    Case {
        name: "custom",
        event_type: CUSTOM_TYPE,
        channel: Channel::Room,
        sources: ROOM,
        // No content type knows it: the content stays a JSON map, compared
        // with what was sent.
        typed: |t, _| match t.timeline()? {
            Timeline::Other {
                event_type,
                content,
            } if event_type == CUSTOM_TYPE => {
                expect(content.get("answer") == Some(&json!(42)), content)
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "tags",
        event_type: "m.tag",
        channel: Channel::RoomAccountData,
        sources: &[Source::AliceSync],
        typed: |t, _| match t.room_account_data()? {
            AnyRoomAccountDataEventContent::Tag(tags) => {
                let work = tags.tags.as_ref().and_then(|tags| tags.get("u.work"));
                expect(work.and_then(|tag| tag.order) == Some(0.25), tags)
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "direct",
        event_type: "m.direct",
        channel: Channel::AccountData,
        sources: &[Source::AliceSync],
        typed: |t, s| match t.global_account_data()? {
            AnyGlobalAccountDataEventContent::Direct(direct) => expect(
                direct.0.get(&s.bob.user_id) == Some(&vec![s.room.to_string()]),
                direct,
            ),
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "fully read",
        event_type: "m.fully_read",
        channel: Channel::RoomAccountData,
        sources: &[Source::AliceSync],
        typed: |t, s| match t.room_account_data()? {
            AnyRoomAccountDataEventContent::FullyRead(marker) => expect(
                marker.event_id == s.event_id("notice (a thread's root)").as_str(),
                marker,
            ),
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "receipt",
        event_type: "m.receipt",
        channel: Channel::Ephemeral,
        sources: &[Source::AliceSync],
        typed: |t, s| match t.ephemeral()? {
            AnyEphemeralEventContent::Receipt(receipts) => {
                let of_text = receipts.0.get(s.event_id("text"));
                let read = of_text.and_then(|receipts| receipts.read.as_ref());
                expect(
                    read.is_some_and(|read| read.contains_key(&s.bob.user_id)),
                    receipts,
                )
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "typing",
        event_type: "m.typing",
        channel: Channel::Ephemeral,
        sources: &[Source::AliceSync],
        typed: |t, s| match t.ephemeral()? {
            AnyEphemeralEventContent::Typing(typing) => {
                expect(typing.user_ids == [s.bob.user_id.clone()], typing)
            }
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "presence",
        event_type: "m.presence",
        channel: Channel::Presence,
        sources: &[Source::AliceSync],
        typed: |t, _| match t.presence()? {
            AnyPresenceEventContent::Presence(presence) => expect(
                presence.presence == Presence::Online
                    && presence.status_msg.as_deref() == Some("checking events"),
                presence,
            ),
            other => Err(unexpected(other)),
        },
    },
    Case {
        name: "to-device",
        event_type: "m.key.verification.request",
        channel: Channel::ToDevice,
        sources: &[Source::BobSync],
        typed: |t, s| match t.to_device()? {
            AnyToDeviceEventContent::KeyVerificationRequest(request) => expect(
                request.from_device == s.alice.device_id && request.methods == ["m.sas.v1"],
                request,
            ),
            other => Err(unexpected(other)),
        },
    },
];

fn expect(holds: bool, typed: &impl Debug) -> Result<(), String> {
    if holds {
        Ok(())
    } else {
        Err(format!("unexpected typed content {typed:?}"))
    }
}

fn unexpected(variant: &impl Debug) -> String {
    format!("in the wrong variant: {variant:?}")
}

/// How `again`, an event typed and serialized again, differs from the
/// event `received`: `Ok` with the numbers only spelled differently (`22`
/// as `22.0`: a schema's `type: number` is an `f64`, as in
/// `offline/event_examples.rs`), `Err` with every difference otherwise.
fn compare_json(received: &Value, again: &Value) -> Result<Vec<String>, Vec<String>> {
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
    /// Its content, in the variant its event type gave it.
    content: Typed,
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
    /// Events received, by the variant their content landed in.
    variants: BTreeMap<String, usize>,
    /// Event types whose content landed in an enum's `Other`.
    other_types: BTreeSet<String>,
    /// Numbers that came back spelled differently, by event type and JSON
    /// pointer.
    respelled: BTreeSet<String>,
    failures: Vec<String>,
}

impl Tally {
    /// Parses `json`, an event received, as the envelope `E`, checks that
    /// the typed envelope gives back every key and that its content is in
    /// the variant of its event type, and keeps it.
    fn receive<E: Envelope>(
        &mut self,
        json: &str,
        source: Source,
        channel: Channel,
        room: Option<&RoomId>,
    ) {
        let raw: Value = serde_json::from_str(json).expect("events are JSON");
        let event_type = raw["type"].as_str().unwrap_or_default().to_owned();
        let label = format!(
            "{source:?} {channel:?} {event_type} {}",
            raw.get("event_id").unwrap_or(&Value::Null)
        );
        let envelope = match serde_json::from_str::<E>(json) {
            Ok(envelope) => envelope,
            Err(error) => {
                self.failures
                    .push(format!("{label}: the envelope does not parse: {error}"));
                return;
            }
        };
        let event = serde_json::to_value(&envelope).expect("a typed event serializes");
        match compare_json(&raw, &event) {
            // By where, not by value: `changed /content/last_active_ago`.
            Ok(respelled) => self.respelled.extend(respelled.iter().map(|change| {
                let at = change.split(": ").next().unwrap_or(change);
                format!("{event_type} {at}")
            })),
            Err(lost) => {
                for difference in lost {
                    self.failures.push(format!("{label}: {difference}"));
                }
            }
        }
        self.keys_compared += count_keys(&raw);

        let content = envelope.into_typed();
        let redacted = raw.pointer("/unsigned/redacted_because").is_some();
        if content.is_other() {
            self.other_types.insert(event_type.clone());
            // Only a type no content type knows, or an emptied content that
            // no longer fits its type's, may be `Other`.
            if event_type != CUSTOM_TYPE && !redacted {
                self.failures
                    .push(format!("{label}: in Other, not its type's variant"));
            }
        }
        if let Typed::Timeline(AnyTimelineEventContent::RoomMessage(Msg::Other(_))) = &content {
            if !redacted {
                self.failures.push(format!(
                    "{label}: in RoomMessage(Other), not its msgtype's variant"
                ));
            }
        }
        *self.variants.entry(content.variant()).or_default() += 1;
        self.received.push(Received {
            source,
            channel,
            room: room.cloned(),
            event,
            content,
        });
    }

    fn receive_all<E: Envelope>(
        &mut self,
        events: &[Raw<E>],
        source: Source,
        channel: Channel,
        room: Option<&RoomId>,
    ) {
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
        let presence = sync.presence.as_ref();
        let events = presence.and_then(|batch| batch.events.as_deref());
        self.receive_all(events.unwrap_or_default(), source, Channel::Presence, None);
        let account_data = sync.account_data.as_ref();
        let events = account_data.and_then(|batch| batch.events.as_deref());
        self.receive_all(
            events.unwrap_or_default(),
            source,
            Channel::AccountData,
            None,
        );
        // Typed by spec/overlays/spec-gaps/sync-to-device.yaml (the spec's
        // schema is an empty object; its prose gives `events`).
        let to_device = sync.to_device.as_ref();
        let events = to_device.and_then(|to_device| to_device.events.as_deref());
        self.receive_all(events.unwrap_or_default(), source, Channel::ToDevice, None);
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

/// A content as JSON: what was sent, to compare with what comes back.
fn json_of(content: &impl Serialize) -> Value {
    serde_json::to_value(content).expect("a content serializes")
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
    /// The room whose members may join `room` (its join rule).
    parent: RoomId,
    sent: Vec<Sent>,
}

impl Scenario {
    /// Sends a room event as `sender`, typed; records and returns its ID.
    async fn send<C: MessageLikeEventContent>(
        &mut self,
        case: &'static str,
        sender: &Client,
        content: &C,
    ) -> EventId {
        let response = sender
            .send_message_with_content(self.room.clone(), txn(), content)
            .await
            .unwrap_or_else(|error| panic!("sending {case}: {error}"));
        self.sent
            .push(Sent::new(case, json_of(content)).with_event_id(&response.event_id));
        response.event_id
    }

    /// Sends an event of a type no content type knows: through the raw
    /// `SendMessageRequest::new`, the escape hatch that takes any event type
    /// and JSON object.
    async fn send_custom(&mut self, case: &'static str, event_type: &str, content: Value) {
        let request = SendMessageRequest::new(
            self.room.clone(),
            event_type.to_owned(),
            txn(),
            object(content.clone()),
        );
        let response = self
            .alice_client
            .send_message(request)
            .await
            .unwrap_or_else(|error| panic!("sending {case}: {error}"));
        self.sent
            .push(Sent::new(case, content).with_event_id(&response.event_id));
    }

    /// Sets state (state key `""`) as alice, typed; records it.
    async fn set_state<C: StateEventContent>(&mut self, case: &'static str, content: &C) {
        let response = self
            .alice_client
            .set_room_state_with_key_with_content(self.room.clone(), String::new(), content)
            .await
            .unwrap_or_else(|error| panic!("setting {case}: {error}"));
        self.sent.push(
            Sent::new(case, json_of(content))
                .with_event_id(&response.event_id)
                .with_state_key(""),
        );
    }

    fn sent(&self, case: &Case) -> &Sent {
        self.sent_named(case.name)
    }

    fn sent_named(&self, name: &str) -> &Sent {
        let mut sent = self.sent.iter().filter(|sent| sent.case == name);
        let first = sent.next().unwrap_or_else(|| panic!("{name} was not sent"));
        assert!(sent.next().is_none(), "{name} was sent twice");
        first
    }

    /// The ID of the event sent for the case `name`.
    fn event_id(&self, name: &str) -> &EventId {
        let sent = self.sent_named(name);
        sent.event_id
            .as_ref()
            .unwrap_or_else(|| panic!("{name} has no event ID"))
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
async fn upload(client: &Client, bytes: Vec<u8>, content_type: &str, filename: &str) -> MxcUri {
    let mut request = UploadContentRequest::new(Bytes::from(bytes));
    request.content_type = Some(content_type.to_owned());
    request.filename = Some(filename.to_owned());
    let response = client
        .upload_content(request)
        .await
        .unwrap_or_else(|error| panic!("uploading {filename}: {error}"));
    response.content_uri
}

#[tokio::test]
async fn every_kind_of_event_comes_back_typed_through_sync_and_messages() {
    let Some(server) = synapse() else { return };
    let alice = register(&server, "events_alice", false).await;
    let bob = register(&server, "events_bob", false).await;
    let alice_client = client_with_token(&server, &alice.access_token);
    let bob_client = client_with_token(&server, &bob.access_token);

    let mut request = CreateRoomRequest::new();
    request.preset = Some(CreateRoomRequestPreset::PrivateChat);
    let parent = create_room(&alice_client, request).await;

    let mut create = RoomCreateEventContent::new();
    create.federate = Some(false);
    let mut request = CreateRoomRequest::new();
    request.preset = Some(CreateRoomRequestPreset::PrivateChat);
    request.room_version = Some("12".to_owned());
    request.creation_content = Some(object(json_of(&create)));
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
        parent,
    };
    send_everything(&mut s).await;

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
    let in_other: usize = tally
        .received
        .iter()
        .filter(|event| event.content.is_other())
        .count();
    println!(
        "events: {sent} sent; {} received ({by_source:?}), {} JSON keys compared with the typed \
         envelopes (numbers respelled: {:?}); {} in a variant of their event type, {in_other} in \
         Other ({:?}); {} cases checked in {} places",
        tally.received.len(),
        tally.keys_compared,
        tally.respelled,
        tally.received.len() - in_other,
        tally.other_types,
        CASES.len(),
        CASES.iter().map(|case| case.sources.len()).sum::<usize>(),
    );
    println!("events by variant:");
    for (variant, count) in &tally.variants {
        println!("  {count:>3} {variant}");
    }
    // Every event type Synapse sent has its variant; only the custom one
    // lands in `Other`, and the redacted message (its emptied content is no
    // message: no `msgtype`, no `body`).
    let other_types: Vec<&str> = tally.other_types.iter().map(String::as_str).collect();
    if other_types != ["m.room.message", CUSTOM_TYPE] {
        failures.push(format!("event types in Other: {other_types:?}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Sends every case but the room's creation, which the server made: typed
/// wherever a content type exists. Membership, the redaction, tags, the
/// read marker, receipts, presence and typing have endpoints of their own,
/// whose request bodies are not event contents.
async fn send_everything(s: &mut Scenario) {
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

    let mut text = RoomMessageTextContent::new("hello *events*".to_owned());
    text.format = Some("org.matrix.custom.html".to_owned());
    text.formatted_body = Some("hello <em>events</em>".to_owned());
    let text = s.send("text", &alice_client, &Msg::Text(text)).await;
    let notice = RoomMessageNoticeContent::new("a notice that starts a thread".to_owned());
    let notice = s
        .send(
            "notice (a thread's root)",
            &alice_client,
            &Msg::Notice(notice),
        )
        .await;
    let emote = RoomMessageEmoteContent::new("waves".to_owned());
    s.send("emote", &alice_client, &Msg::Emote(emote)).await;

    let bytes = png(16, 12);
    let mut info = ImageInfo::new();
    info.mimetype = Some("image/png".to_owned());
    info.size = Some(bytes.len() as i64);
    (info.w, info.h) = (Some(16), Some(12));
    let mut image = RoomMessageImageContent::new("gradient.png".to_owned());
    image.url = Some(upload(&alice_client, bytes, "image/png", "gradient.png").await);
    image.info = Some(info);
    s.send("image", &alice_client, &Msg::Image(image)).await;
    let bytes = b"notes for the events test\n".to_vec();
    let mut file = RoomMessageFileContent::new("notes.txt".to_owned());
    file.filename = Some("notes.txt".to_owned());
    file.info = Some({
        let mut info = matrix_csapi::events::FileInfo::new();
        info.mimetype = Some("text/plain".to_owned());
        info.size = Some(bytes.len() as i64);
        info
    });
    file.url = Some(upload(&alice_client, bytes, "text/plain", "notes.txt").await);
    s.send("file", &alice_client, &Msg::File(file)).await;
    let location = RoomMessageLocationContent::new(
        "Big Ben, London".to_owned(),
        "geo:51.5008,0.1247;u=35".to_owned(),
    );
    s.send("location", &alice_client, &Msg::Location(location))
        .await;

    let mut annotation = ReactionRelatesTo::new();
    annotation.rel_type = Some(ReactionRelatesToRelType::MAnnotation);
    annotation.event_id = Some(text.to_string());
    annotation.key = Some("👍".to_owned());
    let mut reaction = ReactionEventContent::new();
    reaction.relates_to = Some(annotation);
    s.send("reaction", &bob_client, &reaction).await;
    // Relations are typed fields of every message content (the spec's
    // prose defines them; spec/overlays/spec-gaps/relations-*.yaml).
    let mut edit = RoomMessageTextContent::new("* hello *edited events*".to_owned());
    let mut replaces = RelatesTo::new();
    replaces.rel_type = Some(RelationType::MReplace);
    replaces.event_id = Some(text.clone());
    edit.relates_to = Some(replaces);
    let replacement = RoomMessageTextContent::new("hello *edited events*".to_owned());
    edit.new_content = Some(Box::new(Msg::Text(replacement)));
    s.send("edit", &alice_client, &Msg::Text(edit)).await;
    let mut reply = RoomMessageTextContent::new("a reply".to_owned());
    let mut replies = RelatesTo::new();
    replies.in_reply_to = Some(InReplyTo::new(text.clone()));
    reply.relates_to = Some(replies);
    s.send("reply", &bob_client, &Msg::Text(reply)).await;
    let mut thread = RoomMessageTextContent::new("in the thread".to_owned());
    let mut in_thread = RelatesTo::new();
    in_thread.rel_type = Some(RelationType::MThread);
    in_thread.event_id = Some(notice.clone());
    in_thread.is_falling_back = Some(true);
    in_thread.in_reply_to = Some(InReplyTo::new(notice.clone()));
    thread.relates_to = Some(in_thread);
    s.send("thread", &alice_client, &Msg::Text(thread)).await;

    let doomed = RoomMessageTextContent::new("to be redacted".to_owned());
    let doomed = s
        .send("redacted message", &alice_client, &Msg::Text(doomed))
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
    s.send_custom("custom", CUSTOM_TYPE, custom).await;

    let current = GetRoomStateWithKeyRequest::new(
        s.room.clone(),
        "m.room.power_levels".to_owned(),
        String::new(),
    );
    let GetRoomStateWithKeyResponse::Object(current) =
        alice_client.get_room_state_with_key(current).await.unwrap()
    else {
        panic!("the power levels' content")
    };
    let mut levels: RoomPowerLevelsEventContent =
        serde_json::from_value(Value::Object(current)).expect("the power levels parse");
    levels.users.get_or_insert_default().insert(bob.clone(), 50);
    s.set_state("power levels", &levels).await;
    let name = RoomNameEventContent::new(unique_name("events room"));
    s.set_state("name", &name).await;
    let mut topic = RoomTopicEventContent::new("every kind of event".to_owned());
    topic.m_topic = Some({
        let mut plain = TextualRepresentation::new("every kind of event".to_owned());
        plain.mimetype = Some("text/plain".to_owned());
        let mut block = TopicContentBlock::new();
        block.text = Some(vec![plain]);
        block
    });
    s.set_state("topic", &topic).await;
    let mut allow = AllowCondition::new(AllowConditionType::MRoomMembership);
    allow.room_id = Some(s.parent.clone());
    let mut join_rules =
        RoomJoinRulesEventContent::new(RoomJoinRulesEventContentJoinRule::Restricted);
    join_rules.allow = Some(vec![allow]);
    s.set_state("join rules", &join_rules).await;

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
    let direct = DirectEventContent(BTreeMap::from([(bob.clone(), vec![s.room.to_string()])]));
    alice_client
        .set_account_data_with_content(alice.clone(), &direct)
        .await
        .unwrap();
    s.sent.push(Sent::new("direct", json_of(&direct)));
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

    let mut request = KeyVerificationRequestEventContent::new(
        s.alice.device_id.clone(),
        vec!["m.sas.v1".to_owned()],
    );
    request.timestamp = Some(Timestamp::now());
    request.transaction_id = Some(txn());
    let to_bob = BTreeMap::from([(s.bob.device_id.clone(), request.clone())]);
    let messages = BTreeMap::from([(bob.clone(), to_bob)]);
    alice_client
        .send_to_device_with_content(txn(), &messages)
        .await
        .unwrap();
    s.sent
        .push(Sent::new("to-device", json_of(&request)).with_sender(&alice));
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
        if let Err(error) = (case.typed)(&event.content, s) {
            failures.push(format!("{} through {source:?}: {error}", case.name));
        }
    }
    failures
}
