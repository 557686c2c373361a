//! Every example event of the spec (`data/event-schemas/examples/`, with
//! its `core/*.json` bases merged as the spec's build merges them) has its
//! `content` deserialized into the generated content type of its `type`
//! (module `events`) and serialized back: the result must equal the
//! example's content as JSON. Identifiers in them must follow the grammar.
//! Each example also round-trips whole, as a typed event: through the
//! envelope of its kind (`ClientEvent` for room and state events, `Event`
//! for the others) and the enum of event contents it holds, in the
//! variant of its type.
//!
//! The examples are those `[events] examples` in `spec/generator.toml`
//! lists, read through the generator's own stages
//! (`matrix_csapi_codegen::event_examples`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use matrix_csapi::EventId;
use matrix_csapi::events::{
    AnyBasicEventContent, AnyEphemeralEventContent, AnyGlobalAccountDataEventContent,
    AnyPresenceEventContent, AnyRoomAccountDataEventContent, AnyStateEventContent,
    AnyTimelineEventContent, AnyToDeviceEventContent, DirectEventContent,
    KeyVerificationStartEventContent, RoomMemberEventContent, RoomMessageEventContent,
    RoomMessageTextContent,
};
use matrix_csapi::runtime::{EventContent, EventContentFromType, EventKind, Raw};
use matrix_csapi::test_support::{BodyVisitor, visit_event_content_type};
use matrix_csapi::types::{
    ClientEvent, ClientEventWithoutRoomId, Event, InReplyTo, RelatesTo, RelationType,
};
use matrix_csapi_codegen::{Project, event_examples};
use matrix_csapi_tests::{spec_dir, workspace_dir};
use serde_json::{Value, json};

/// An example that may fail, and why: only for the spec's own faults.
/// Each must still fail with `failure`, or the test says so.
struct Exclusion {
    /// The example's file, relative to `data/`.
    file: &'static str,
    /// Text its failure contains.
    failure: &'static str,
    /// Why it cannot pass.
    reason: &'static str,
}

/// The examples allowed to fail.
const EXCLUDED: &[Exclusion] = &[Exclusion {
    file: "event-schemas/examples/m.key.verification.start.yaml",
    failure: "does not fit the variant of its `method`",
    reason: "the spec's example contradicts its schema: its `method` is `m.sas.v1`, whose schema \
             (m.key.verification.start$m.sas.v1.yaml) requires `key_agreement_protocols`, \
             `hashes`, `message_authentication_codes` and `short_authentication_string`, which \
             the example leaves out (the `$m.sas.v1` example has them)",
}];

/// Deserializes into the visited type and serializes back.
struct Roundtrip(Value);

impl BodyVisitor for Roundtrip {
    type Output = Result<Value, serde_json::Error>;
    fn visit<T>(self) -> Self::Output
    where
        T: matrix_csapi::runtime::serde::Serialize
            + matrix_csapi::runtime::serde::de::DeserializeOwned
            + std::fmt::Debug,
    {
        let typed: T = serde_json::from_value(self.0)?;
        serde_json::to_value(&typed)
    }
}

/// Whether `actual` is `expected`, numbers compared by value: `0` and
/// `0.0` are one number to the spec's build (its JSON has one number
/// type), and a schema's `type: number` is an `f64`. The pointers where
/// only the spelling differs go to `respelled`.
fn same_json(expected: &Value, actual: &Value, at: &str, respelled: &mut Vec<String>) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter().all(|(key, value)| {
                    a.get(key).is_some_and(|other| {
                        same_json(value, other, &format!("{at}/{key}"), respelled)
                    })
                })
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len()
                && e.iter().zip(a).enumerate().all(|(index, (value, other))| {
                    same_json(value, other, &format!("{at}/{index}"), respelled)
                })
        }
        (Value::Number(e), Value::Number(a)) if e != a => {
            let same = e.as_f64().is_some_and(|e| a.as_f64() == Some(e));
            if same {
                respelled.push(format!("{at}: {e} became {a}"));
            }
            same
        }
        (e, a) => e == a,
    }
}

/// Why `example`'s content does not round-trip through its type, if it
/// does not; numbers only spelled differently go to `respelled`.
fn failure(example: &Value, respelled: &mut Vec<String>) -> Option<String> {
    let Some(event_type) = example.get("type").and_then(Value::as_str) else {
        return Some("no `type`".to_owned());
    };
    let Some(content) = example.get("content") else {
        return Some("no `content`".to_owned());
    };
    match visit_event_content_type(event_type, Roundtrip(content.clone())) {
        None => Some(format!("no content type for `{event_type}`")),
        Some(Err(error)) => Some(format!("error: {error}")),
        Some(Ok(back)) if !same_json(content, &back, "/content", respelled) => {
            Some(format!("differs:\n  expected {content}\n  actual   {back}"))
        }
        Some(Ok(_)) => outside_its_variant(event_type, content),
    }
}

/// For the contents told apart by a property (tagged unions, whose `Other`
/// keeps a value that does not fit its variant): why `content` is `Other`
/// although its property names a variant.
fn outside_its_variant(event_type: &str, content: &Value) -> Option<String> {
    let (property, other) = match event_type {
        "m.room.message" => (
            "msgtype",
            matches!(
                serde_json::from_value(content.clone()),
                Ok(RoomMessageEventContent::Other(_))
            ),
        ),
        "m.key.verification.start" => (
            "method",
            matches!(
                serde_json::from_value(content.clone()),
                Ok(KeyVerificationStartEventContent::Other(_))
            ),
        ),
        _ => return None,
    };
    other.then(|| format!("does not fit the variant of its `{property}` (kept whole in `Other`)"))
}

#[test]
fn every_example_event_content_round_trips_through_its_type() {
    matrix_csapi::runtime::__private::validate_identifiers_on_this_thread(true);
    let project = Project {
        spec_config_dir: workspace_dir().join("spec"),
    };
    let examples = event_examples(&spec_dir(), &project)
        .unwrap_or_else(|e| panic!("collecting the example events failed: {e}"));
    let mut passed = 0;
    let mut respelled = Vec::new();
    let mut failed = Vec::new();
    let mut excused = vec![false; EXCLUDED.len()];
    for example in &examples {
        let mut numbers = Vec::new();
        let failure = failure(&example.value, &mut numbers);
        respelled.extend(numbers.iter().map(|n| format!("{}#{n}", example.file)));
        let exclusion = EXCLUDED.iter().position(|x| x.file == example.file);
        match (failure, exclusion) {
            (None, None) => passed += 1,
            (None, Some(index)) => failed.push(format!(
                "{}: passes, but is excluded ({}); remove the exclusion",
                example.file, EXCLUDED[index].reason
            )),
            (Some(failure), Some(index)) if failure.contains(EXCLUDED[index].failure) => {
                excused[index] = true;
            }
            (Some(failure), _) => failed.push(format!("{}: {failure}", example.file)),
        }
    }
    println!(
        "{} example events: {passed} round-trip equal ({} numbers spelled differently), {} excluded, {} failed",
        examples.len(),
        respelled.len(),
        excused.iter().filter(|e| **e).count(),
        failed.len()
    );
    for line in &respelled {
        println!("  {line}");
    }
    for (index, exclusion) in EXCLUDED.iter().enumerate() {
        if !excused[index] {
            failed.push(format!(
                "{}: excluded ({}), but does not fail with `{}` any more; remove the exclusion",
                exclusion.file, exclusion.reason, exclusion.failure
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    // The number README.md gives; a spec release with more examples
    // changes it (and the README with it).
    assert_eq!(examples.len(), 83, "example events found");
    assert_eq!(passed, 82, "example events round-tripped");
}

#[test]
fn content_types_carry_their_event_type_and_kind() {
    assert_eq!(RoomMemberEventContent::EVENT_TYPE, "m.room.member");
    assert_eq!(RoomMemberEventContent::KIND, EventKind::State);
    assert_eq!(RoomMessageEventContent::EVENT_TYPE, "m.room.message");
    assert_eq!(RoomMessageEventContent::KIND, EventKind::Room);
    assert_eq!(DirectEventContent::EVENT_TYPE, "m.direct");
    assert_eq!(DirectEventContent::KIND, EventKind::Basic);
    assert_eq!(
        matrix_csapi::events::ReceiptEventContent::OTHER_EVENT_TYPES,
        ["m.receipt.private"]
    );
}

#[test]
fn messages_are_told_apart_by_msgtype_and_unknown_ones_are_kept() {
    let text = json!({"msgtype": "m.text", "body": "hi", "org.example.extra": [1]});
    let typed: RoomMessageEventContent = serde_json::from_value(text.clone()).unwrap();
    let RoomMessageEventContent::Text(RoomMessageTextContent { body, .. }) = &typed else {
        panic!("not the text variant: {typed:?}");
    };
    assert_eq!(body, "hi");
    assert_eq!(serde_json::to_value(&typed).unwrap(), text);

    // Any other msgtype: `Other`, the shape every message has (the base
    // schema's `msgtype` and `body`), its other keys kept.
    let custom =
        json!({"msgtype": "org.example.poll", "body": "Poll: lunch?", "question": "lunch?"});
    let typed: RoomMessageEventContent = serde_json::from_value(custom.clone()).unwrap();
    let RoomMessageEventContent::Other(other) = &typed else {
        panic!("not Other: {typed:?}");
    };
    assert_eq!(
        (other.msgtype.as_str(), other.body.as_str()),
        ("org.example.poll", "Poll: lunch?")
    );
    assert_eq!(other.additional_properties["question"], "lunch?");
    assert_eq!(serde_json::to_value(&typed).unwrap(), custom);

    // A known msgtype whose content does not fit its schema is kept whole
    // too (as any tagged union's value that does not fit its variant).
    let broken = json!({"msgtype": "m.text", "body": "hi", "format": 7});
    let typed: RoomMessageEventContent = serde_json::from_value(broken.clone()).unwrap();
    assert!(
        matches!(typed, RoomMessageEventContent::Other(_)),
        "{typed:?}"
    );
    assert_eq!(serde_json::to_value(&typed).unwrap(), broken);

    // Without `msgtype` or `body` (a redacted message's emptied content) it
    // is no message; the event enums keep it in their own `Other`.
    for not_a_message in [json!({}), json!({"msgtype": "m.text"})] {
        let typed = serde_json::from_value::<RoomMessageEventContent>(not_a_message);
        assert!(typed.is_err(), "{typed:?}");
    }

    // Built by a program: the msgtype comes from the variant.
    let sent = RoomMessageEventContent::from(RoomMessageTextContent::new("hello".to_owned()));
    assert_eq!(
        serde_json::to_value(&sent).unwrap(),
        json!({"msgtype": "m.text", "body": "hello"})
    );
}

#[test]
fn every_message_example_has_its_own_variant() {
    let project = Project {
        spec_config_dir: workspace_dir().join("spec"),
    };
    let examples = event_examples(&spec_dir(), &project).unwrap();
    let messages: Vec<_> = examples
        .iter()
        .filter(|e| e.value["type"] == "m.room.message")
        .collect();
    assert_eq!(messages.len(), 10, "m.room.message examples");
    for example in messages {
        let typed: RoomMessageEventContent =
            serde_json::from_value(example.value["content"].clone()).unwrap();
        assert!(
            !matches!(typed, RoomMessageEventContent::Other(_)),
            "{}: {typed:?}",
            example.file
        );
    }
}

/// `example` through the envelope `E` (deserialized from its text, the
/// way a `Raw` event is read, and serialized back); the typed event, or
/// why it does not round-trip.
fn whole<E>(example: &Value, respelled: &mut Vec<String>) -> Result<E, String>
where
    E: matrix_csapi::runtime::serde::Serialize + matrix_csapi::runtime::serde::de::DeserializeOwned,
{
    let raw: Raw<E> = serde_json::from_str(&example.to_string()).map_err(|e| e.to_string())?;
    let typed = raw.deserialize().map_err(|e| format!("error: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    if !same_json(example, &back, "", respelled) {
        return Err(format!("differs:\n  expected {example}\n  actual   {back}"));
    }
    Ok(typed)
}

/// The event types whose example lands in the enum's `Other`: none (the
/// spec's examples all fit their schemas at the enum level; the one
/// excluded above lands in its own type's `Other`, inside its variant).
const IN_OTHER: &[&str] = &[];

/// Why `example` does not round-trip whole through the envelope and enum
/// of its kind, or lands in `Other`, if it does not.
fn whole_failure(example: &Value, respelled: &mut Vec<String>) -> Option<String> {
    let event_type = example
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut contents = Vec::new();
    if example.get("room_id").is_some() {
        let event = whole::<ClientEvent>(example, respelled);
        contents.push(event.map(|e| {
            (
                matches!(e.content, AnyTimelineEventContent::Other { .. }),
                e.content.event_type().to_owned(),
            )
        }));
        if example.get("state_key").is_some() {
            let event = whole::<ClientEvent<AnyStateEventContent>>(example, respelled);
            contents.push(event.map(|e| {
                (
                    matches!(e.content, AnyStateEventContent::Other { .. }),
                    e.content.event_type().to_owned(),
                )
            }));
        }
    } else {
        let event = whole::<Event>(example, respelled);
        contents.push(event.map(|e| {
            (
                matches!(e.content, AnyBasicEventContent::Other { .. }),
                e.content.event_type().to_owned(),
            )
        }));
        // Through the enum of each place basic events arrive in
        // (`[events.basic]`): each writes it back as received, and at
        // least one has its type as a variant (a basic type in no place
        // would be `Other` wherever it arrives).
        let mut typed_in = Vec::new();
        macro_rules! place {
            ($($place:ident),*) => {$(
                match whole::<Event<$place>>(example, respelled) {
                    Err(error) => return Some(format!("{}: {error}", stringify!($place))),
                    Ok(e) if e.content.event_type() != event_type => {
                        return Some(format!("{}: written back as `{}`", stringify!($place), e.content.event_type()));
                    }
                    Ok(e) if !matches!(e.content, $place::Other { .. }) => typed_in.push(stringify!($place)),
                    Ok(_) => {}
                }
            )*};
        }
        place!(
            AnyGlobalAccountDataEventContent,
            AnyRoomAccountDataEventContent,
            AnyEphemeralEventContent,
            AnyPresenceEventContent,
            AnyToDeviceEventContent
        );
        if typed_in.is_empty() && !IN_OTHER.contains(&event_type) {
            return Some("is a variant of no enum of a place basic events arrive in".to_owned());
        }
    }
    for content in contents {
        match content {
            Err(error) => return Some(error),
            Ok((_, written)) if written != event_type => {
                return Some(format!("written back as `{written}`"));
            }
            Ok((true, _)) if !IN_OTHER.contains(&event_type) => {
                return Some("lands in the enum's `Other`, not in its own variant".to_owned());
            }
            Ok((false, _)) if IN_OTHER.contains(&event_type) => {
                return Some(
                    "lands in its own variant, but is listed in IN_OTHER; remove it".to_owned(),
                );
            }
            Ok(_) => {}
        }
    }
    None
}

#[test]
fn every_example_event_round_trips_whole_through_its_envelope_in_its_variant() {
    matrix_csapi::runtime::__private::validate_identifiers_on_this_thread(true);
    let project = Project {
        spec_config_dir: workspace_dir().join("spec"),
    };
    let examples = event_examples(&spec_dir(), &project).unwrap();
    let mut respelled = Vec::new();
    let mut failed = Vec::new();
    let mut state = 0;
    for example in &examples {
        state += usize::from(
            example.value.get("state_key").is_some() && example.value.get("room_id").is_some(),
        );
        if let Some(failure) = whole_failure(&example.value, &mut respelled) {
            failed.push(format!("{}: {failure}", example.file));
        }
    }
    println!(
        "{} example events round-trip whole ({state} also as state events; {} numbers spelled differently), {} failed",
        examples.len() - failed.len(),
        respelled.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    // The numbers README.md gives.
    assert_eq!(examples.len(), 83, "example events found");
    assert_eq!(state, 27, "state examples");
}

/// A room event as a server sends it.
fn room_event(event_type: &str, content: Value) -> Value {
    json!({
        "event_id": "$e:example.org",
        "room_id": "!r:example.org",
        "sender": "@alice:example.org",
        "origin_server_ts": 1,
        "state_key": "@alice:example.org",
        "type": event_type,
        "content": content,
        "unsigned": {"redacted_because": {"type": "m.room.redaction"}},
    })
}

#[test]
fn a_redacted_event_and_an_unknown_type_are_other_and_written_back_exactly() {
    // A redacted member event keeps `membership`; a redacted topic keeps
    // nothing: its content no longer fits `m.room.topic`.
    let redacted = room_event("m.room.topic", json!({}));
    let unknown = room_event(
        "org.example.poll",
        json!({"question": "lunch?", "n": [1, 2.5]}),
    );
    for (event, event_type) in [(&redacted, "m.room.topic"), (&unknown, "org.example.poll")] {
        let raw: Raw<ClientEvent<AnyStateEventContent>> =
            serde_json::from_str(&event.to_string()).unwrap();
        let typed = raw.deserialize().unwrap();
        let AnyStateEventContent::Other {
            event_type: kept,
            content,
        } = &typed.content
        else {
            panic!("not Other: {typed:?}");
        };
        assert_eq!(kept, event_type);
        assert_eq!(Value::Object(content.clone()), event["content"]);
        assert_eq!(serde_json::to_value(&typed).unwrap(), *event);
        // The timeline's enum alike.
        let typed: ClientEvent = raw.deserialize_as().unwrap();
        assert!(
            matches!(typed.content, AnyTimelineEventContent::Other { .. }),
            "{typed:?}"
        );
        assert_eq!(serde_json::to_value(&typed).unwrap(), *event);
    }
}

#[test]
fn one_content_type_reads_events_of_its_type_only() {
    let member = room_event(
        "m.room.member",
        json!({"membership": "join", "displayname": "Alice"}),
    );
    let raw: Raw<ClientEvent> = serde_json::from_str(&member.to_string()).unwrap();
    let typed = raw
        .deserialize_as::<ClientEvent<RoomMemberEventContent>>()
        .unwrap();
    assert_eq!(typed.content.displayname, Some(Some("Alice".to_owned())));
    assert_eq!(serde_json::to_value(&typed).unwrap(), member);
    let AnyTimelineEventContent::RoomMember(in_enum) = raw.deserialize().unwrap().content else {
        panic!("not RoomMember");
    };
    assert_eq!(in_enum, typed.content);

    let topic = room_event("m.room.topic", json!({"topic": "t"}));
    let error = serde_json::from_value::<ClientEvent<RoomMemberEventContent>>(topic)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("event type `m.room.topic`, expected `m.room.member`"),
        "{error}"
    );
}

/// README.md's "Reading events", on a `/sync` response: what it prints.
fn readme_timeline(response: &matrix_csapi::sync::SyncResponse) -> Vec<String> {
    let mut printed = Vec::new();
    for (room_id, room) in response.rooms.iter().flat_map(|r| r.join.iter().flatten()) {
        for raw in room.timeline.iter().flat_map(|t| &t.events) {
            // One event that does not fit its schema fails alone.
            let Ok(event) = raw.deserialize() else {
                continue;
            };
            match &event.content {
                AnyTimelineEventContent::RoomMessage(RoomMessageEventContent::Text(text)) => {
                    printed.push(format!("{room_id} {}: {}", event.sender, text.body));
                }
                AnyTimelineEventContent::RoomMember(member) => {
                    printed.push(format!("{:?} is {}", event.state_key, member.membership));
                }
                // A type this crate does not know, or a known one whose
                // content does not fit it.
                AnyTimelineEventContent::Other { event_type, .. } => {
                    printed.push(format!("other: {event_type}"));
                }
                other => printed.push(other.event_type().to_owned()),
            }
            // One event type only: fails for any other type.
            let member = raw.deserialize_as::<ClientEventWithoutRoomId<RoomMemberEventContent>>();
            if let Ok(member) = member {
                printed.push(format!("member {}", member.content.membership));
            }
        }
    }
    printed
}

#[test]
fn readme_reads_a_sync_timeline() {
    let event = |event_type: &str, content: Value| {
        json!({"event_id": "$e", "sender": "@a:example.org", "origin_server_ts": 1,
               "type": event_type, "content": content, "state_key": "@a:example.org"})
    };
    let mut text = event("m.room.message", json!({"msgtype": "m.text", "body": "hi"}));
    text.as_object_mut().unwrap().remove("state_key");
    let response = json!({
        "next_batch": "s1",
        "rooms": {"join": {"!r:example.org": {"timeline": {"events": [
            text,
            event("m.room.member", json!({"membership": "join"})),
            event("m.room.topic", json!({})),
            event("m.reaction", json!({})),
            {"type": "m.room.name"},
        ]}}}}
    });
    let response = serde_json::from_value(response).unwrap();
    assert_eq!(
        readme_timeline(&response),
        [
            "!r:example.org @a:example.org: hi",
            "Some(\"@a:example.org\") is join",
            "member join",
            "other: m.room.topic",
            "m.reaction",
        ]
    );
}

/// A message event as a server sends it.
fn message_event(content: Value) -> Value {
    json!({
        "event_id": "$e:example.org",
        "room_id": "!r:example.org",
        "sender": "@alice:example.org",
        "origin_server_ts": 1,
        "type": "m.room.message",
        "content": content,
    })
}

/// The message in the timeline enum, and the event written back exactly.
fn read_message(event: &Value) -> RoomMessageEventContent {
    let raw: Raw<ClientEvent> = serde_json::from_str(&event.to_string()).unwrap();
    let typed = raw.deserialize().unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), *event);
    let AnyTimelineEventContent::RoomMessage(message) = typed.content else {
        panic!("not a message: {typed:?}");
    };
    message
}

#[test]
fn a_reply_an_edit_and_a_thread_read_into_the_typed_relation_and_are_written_back_exactly() {
    // Rich replies: only `m.in_reply_to`, no `rel_type` nor `event_id`.
    let reply = message_event(json!({
        "msgtype": "m.text",
        "body": "That sounds like a great idea!",
        "m.relates_to": {"m.in_reply_to": {"event_id": "$another_event"}},
    }));
    let RoomMessageEventContent::Text(text) = read_message(&reply) else {
        panic!("not text");
    };
    let relation = text.relates_to.as_ref().unwrap();
    assert_eq!(
        relation.in_reply_to.as_ref().unwrap().event_id.as_str(),
        "$another_event"
    );
    assert_eq!((&relation.rel_type, &relation.event_id), (&None, &None));
    assert!(relation.additional_properties.is_empty() && text.additional_properties.is_empty());
    // The same content built by a program is the same JSON.
    let mut built = RoomMessageTextContent::new("That sounds like a great idea!".to_owned());
    let mut replies = RelatesTo::new();
    replies.in_reply_to = Some(InReplyTo::new(EventId::parse("$another_event").unwrap()));
    built.relates_to = Some(replies);
    assert_eq!(
        serde_json::to_value(RoomMessageEventContent::Text(built)).unwrap(),
        reply["content"]
    );

    // Event replacements: the new content is a message content of any
    // msgtype (an m.text replaced by an m.emote), its unknown keys kept.
    let edit = message_event(json!({
        "msgtype": "m.text",
        "body": "* waves",
        "m.new_content": {"msgtype": "m.emote", "body": "waves", "com.example.extension_property": "chocolate"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$some_event_id"},
    }));
    let RoomMessageEventContent::Text(text) = read_message(&edit) else {
        panic!("not text");
    };
    let relation = text.relates_to.as_ref().unwrap();
    assert_eq!(relation.rel_type, Some(RelationType::MReplace));
    assert_eq!(
        relation.event_id.as_ref().map(EventId::as_str),
        Some("$some_event_id")
    );
    let Some(RoomMessageEventContent::Emote(new)) = text.new_content.as_deref() else {
        panic!("not an emote: {:?}", text.new_content);
    };
    assert_eq!(new.body, "waves");
    assert_eq!(
        new.additional_properties["com.example.extension_property"],
        "chocolate"
    );
    assert!(text.additional_properties.is_empty());

    // Threading, with the reply fallback for unthreaded clients.
    let thread = message_event(json!({
        "msgtype": "m.notice",
        "body": "in the thread",
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": "$root",
            "m.in_reply_to": {"event_id": "$target"},
            "is_falling_back": true,
        },
    }));
    let RoomMessageEventContent::Notice(notice) = read_message(&thread) else {
        panic!("not a notice");
    };
    let relation = notice.relates_to.as_ref().unwrap();
    assert_eq!(relation.rel_type, Some(RelationType::MThread));
    assert_eq!(
        relation.event_id.as_ref().map(EventId::as_str),
        Some("$root")
    );
    assert_eq!(
        relation.in_reply_to.as_ref().unwrap().event_id.as_str(),
        "$target"
    );
    assert_eq!(relation.is_falling_back, Some(true));

    // A relation type this crate does not know (the spec's own example in
    // relations.yaml), with a key no schema names, on a msgtype it does not
    // know either: kept, typed where it can be.
    let custom = message_event(json!({
        "msgtype": "org.example.poll",
        "body": "Poll: lunch?",
        "m.relates_to": {"rel_type": "org.example.my_relation", "event_id": "$asfDuShaf7Gafaw", "org.example.weight": 2},
    }));
    let RoomMessageEventContent::Other(other) = read_message(&custom) else {
        panic!("not Other");
    };
    let relation = other.relates_to.as_ref().unwrap();
    assert_eq!(
        relation.rel_type.as_ref().map(RelationType::as_ref),
        Some("org.example.my_relation")
    );
    assert!(matches!(relation.rel_type, Some(RelationType::Unknown(_))));
    assert_eq!(relation.additional_properties["org.example.weight"], 2);

    // A redacted message's emptied content is no message any more.
    let mut redacted = message_event(json!({}));
    redacted["unsigned"] = json!({"redacted_because": {"type": "m.room.redaction"}});
    let raw: Raw<ClientEvent> = serde_json::from_str(&redacted.to_string()).unwrap();
    let typed = raw.deserialize().unwrap();
    let AnyTimelineEventContent::Other {
        event_type,
        content,
    } = &typed.content
    else {
        panic!("not Other: {typed:?}");
    };
    assert_eq!((event_type.as_str(), content.len()), ("m.room.message", 0));
    assert_eq!(serde_json::to_value(&typed).unwrap(), redacted);
}
