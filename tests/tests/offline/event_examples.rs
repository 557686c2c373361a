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

use matrix_csapi::events::{
    AnyBasicEventContent, AnyStateEventContent, AnyTimelineEventContent, DirectEventContent,
    KeyVerificationStartEventContent, RoomMemberEventContent, RoomMessageEventContent,
    RoomMessageTextContent,
};
use matrix_csapi::runtime::{EventContent, EventContentFromType, EventKind, Raw};
use matrix_csapi::test_support::{BodyVisitor, visit_event_content_type};
use matrix_csapi::types::{ClientEvent, ClientEventWithoutRoomId, Event};
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

    let custom = json!({"msgtype": "org.example.poll", "question": "lunch?"});
    let typed: RoomMessageEventContent = serde_json::from_value(custom.clone()).unwrap();
    assert!(
        matches!(typed, RoomMessageEventContent::Other(_)),
        "{typed:?}"
    );
    assert_eq!(serde_json::to_value(&typed).unwrap(), custom);

    // A known msgtype whose content does not fit its schema is kept whole
    // too (as any tagged union's value that does not fit its variant).
    let broken = json!({"msgtype": "m.text"});
    let typed: RoomMessageEventContent = serde_json::from_value(broken.clone()).unwrap();
    assert!(
        matches!(typed, RoomMessageEventContent::Other(_)),
        "{typed:?}"
    );
    assert_eq!(serde_json::to_value(&typed).unwrap(), broken);

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
