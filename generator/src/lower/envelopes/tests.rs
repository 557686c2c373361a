//! Enums of event contents and envelopes on small specs of our own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;

use crate::config::Config;
use crate::load::SpecFiles;
use crate::lower::{LowerError, lower};
use crate::model::{Api, Type, TypeKind};
use crate::resolve::resolve;

/// Two operations returning envelopes: `getX` a list (the default enum),
/// `getState` a list at a `content_places` place.
const OPS: &str = "servers:\n  - url: \"{basePath}\"\n    variables:\n      basePath:\n        default: /_matrix/client/v3\npaths:\n  /x:\n    get:\n      operationId: getX\n      responses:\n        \"200\":\n          description: x\n          content:\n            application/json:\n              schema:\n                type: array\n                items:\n                  $ref: definitions/envelope.yaml\n  /state:\n    get:\n      operationId: getState\n      responses:\n        \"200\":\n          description: x\n          content:\n            application/json:\n              schema:\n                type: array\n                items:\n                  $ref: definitions/envelope.yaml\n";
const ENVELOPE: &str = "type: object\nproperties:\n  event_id: {type: string}\n  type: {type: string}\n  content: {type: object}\nrequired: [event_id, type, content]\n";
const CORE: &str = "type: object\nproperties:\n  type: {type: string}\n";
const CONTENT: &str = "    type: object\n    properties:\n      name: {type: string}\n";
const KINDS: &str = "[events.kinds]\n\"event-schemas/schema/core/state.yaml\" = \"state\"\n\"event-schemas/schema/core/event.yaml\" = \"basic\"\n[events.basic.room-account-data]\nevent_types = [\"m.tag\"]\nreason = \"test\"\n";
const ENUMS: &str = "[events.enums]\nAnyEventContent = [\"state\", \"basic\"]\nAnyStateEventContent = [\"state\"]\n";
const ENVELOPES: &str =
    "[events.envelopes]\n\"api/client-server/definitions/envelope.yaml\" = \"AnyEventContent\"\n";
const PLACES: &str = "[[events.content_places]]\nplace = \"api/client-server/ops.yaml#/paths/~1state/*\"\ncontent = \"AnyStateEventContent\"\nreason = \"test\"\n";

fn event(core: &str, event_type: &str) -> String {
    format!(
        "allOf:\n  - $ref: core/{core}.yaml\nproperties:\n  type: {{type: string, enum: [{event_type}]}}\n  content:\n{CONTENT}"
    )
}

/// Lowers the spec above with `envelope` as the envelope's schema and
/// `events` (TOML after `[events]`'s `schemas`) as the events config.
fn lowered(envelope: &str, events: &str) -> Result<Api, LowerError> {
    lowered_with(OPS, "", envelope, events)
}

/// Like [`lowered`] with `ops` as the operations and `top` (top-level
/// config keys) before the config's tables.
fn lowered_with(ops: &str, top: &str, envelope: &str, events: &str) -> Result<Api, LowerError> {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let schema = data.join("event-schemas/schema");
    fs::create_dir_all(schema.join("core")).unwrap();
    fs::create_dir_all(data.join("api/client-server/definitions")).unwrap();
    fs::write(data.join("api/client-server/ops.yaml"), ops).unwrap();
    fs::write(
        data.join("api/client-server/definitions/envelope.yaml"),
        envelope,
    )
    .unwrap();
    fs::write(schema.join("core/state.yaml"), CORE).unwrap();
    fs::write(schema.join("core/event.yaml"), CORE).unwrap();
    fs::write(
        schema.join("m.room.name.yaml"),
        event("state", "m.room.name"),
    )
    .unwrap();
    fs::write(schema.join("m.tag.yaml"), event("event", "m.tag")).unwrap();
    let toml = format!(
        "documents = [\"api/client-server/*.yaml\"]\n{top}[crate]\nname = \"t\"\nversion = \"0.1.0\"\ndescription = \"t\"\n[events]\nschemas = [\"event-schemas/schema/*.yaml\"]\n{events}"
    );
    let config_path = Path::new("generator.toml");
    let mut config = Config::parse(&toml, config_path).unwrap();
    let files = SpecFiles::open(dir.path()).unwrap();
    config
        .expand_documents(files.data_dir(), config_path)
        .unwrap();
    let spec = resolve(files, &config.resolve_roots(false)).unwrap();
    lower(&spec, &config, "v1.19")
}

fn error(envelope: &str, events: &str) -> String {
    lowered(envelope, events).unwrap_err().to_string()
}

#[test]
fn an_envelope_fuses_type_and_content_and_a_place_holds_another_enum() {
    let api = lowered(ENVELOPE, &format!("{KINDS}{ENUMS}{ENVELOPES}{PLACES}")).unwrap();
    let names: Vec<(&str, Vec<&str>)> = api
        .event_enums
        .iter()
        .map(|e| {
            let variants = e.variants.iter().map(|v| v.variant.as_str()).collect();
            (e.name.as_str(), variants)
        })
        .collect();
    assert_eq!(
        names,
        [
            ("AnyEventContent", vec!["RoomName", "Tag"]),
            ("AnyStateEventContent", vec!["RoomName"])
        ]
    );
    let envelope = api
        .types
        .iter()
        .position(|t| t.source.file.ends_with("envelope.yaml"))
        .unwrap();
    let TypeKind::Struct(s) = &api.types[envelope].kind else {
        panic!()
    };
    assert_eq!(s.envelope.as_deref(), Some("AnyEventContent"));
    let fields: Vec<(&str, &Type)> = s
        .fields
        .iter()
        .map(|f| (f.json_name.as_str(), &f.ty))
        .collect();
    assert_eq!(
        fields,
        [
            ("event_id", &Type::String),
            ("content", &Type::EventContent)
        ]
    );
    let response = |id: &str| {
        let op = api.modules[0]
            .operations
            .iter()
            .find(|op| op.operation_id == id)
            .unwrap();
        let crate::model::ResponseKind::Json(ty) = &op.response.arms[0].kind else {
            panic!()
        };
        ty.clone()
    };
    assert_eq!(
        response("getX"),
        Type::Array(Box::new(Type::Named(crate::model::TypeId(envelope))))
    );
    assert_eq!(
        response("getState"),
        Type::Array(Box::new(Type::Envelope {
            id: crate::model::TypeId(envelope),
            content: "AnyStateEventContent".to_owned()
        }))
    );
}

#[test]
fn bad_enums_envelopes_and_places_fail_naming_the_entry() {
    let all = format!("{KINDS}{ENUMS}{ENVELOPES}{PLACES}");
    let without_type = ENVELOPE.replace("  type: {type: string}\n", "");
    let message = error(&without_type, &all);
    assert!(
        message.contains("api/client-server/definitions/envelope.yaml#")
            && message.contains("needs the properties `type` and `content`"),
        "{message}"
    );
    let message = error(
        ENVELOPE,
        &all.replace("= \"AnyEventContent\"", "= \"AnyEvent\""),
    );
    assert!(
        message.contains("`[events.envelopes]` entry `api/client-server/definitions/envelope.yaml`: `AnyEvent` is no enum of `[events.enums]`"),
        "{message}"
    );
    let message = error(ENVELOPE, &all.replace("~1state/*", "~1nothing/*"));
    assert!(
        message.contains("`[[events.content_places]]` entry `api/client-server/ops.yaml#/paths/~1nothing/*` matches no place"),
        "{message}"
    );
    let message = error(
        ENVELOPE,
        &all.replace("[\"state\", \"basic\"]", "[\"state\"]"),
    );
    assert!(
        message.contains("the basic events are in no enum of `[events.enums]`"),
        "{message}"
    );
    let message = error(
        ENVELOPE,
        &all.replace("[\"state\"]\n", "[\"state\", \"m.nothing.*\"]\n"),
    );
    assert!(
        message.contains("`[events.enums]` entry `AnyStateEventContent`: the event type `m.nothing.*` matches no event schema"),
        "{message}"
    );
    let message = error(ENVELOPE, &all.replace("[\"state\"]\n", "[\"stat\"]\n"));
    assert!(
        message.contains("`stat` is neither a kind of event"),
        "{message}"
    );
    let twice = format!("{all}{}", PLACES.replace("~1state/*", "*"));
    let message = error(ENVELOPE, &twice);
    assert!(
        message.contains("two `[[events.content_places]]` entries"),
        "{message}"
    );
}

#[test]
fn basic_events_arrive_in_configured_places_and_each_is_in_one() {
    // A place is an enum member standing for its event types.
    let with_place = format!(
        "{KINDS}{}AnyRoomAccountDataEventContent = [\"room-account-data\"]\n{ENVELOPES}{PLACES}",
        ENUMS
    );
    let api = lowered(ENVELOPE, &with_place).unwrap();
    let place_enum = api
        .event_enums
        .iter()
        .find(|e| e.name == "AnyRoomAccountDataEventContent")
        .unwrap();
    let variants: Vec<&str> = place_enum
        .variants
        .iter()
        .map(|v| v.variant.as_str())
        .collect();
    assert_eq!(variants, ["Tag"]);

    // A basic event type in no place fails, naming it.
    let nowhere = with_place.replace("event_types = [\"m.tag\"]", "event_types = []");
    let message = error(ENVELOPE, &nowhere);
    assert!(
        message.contains("the basic event type `m.tag` (event-schemas/schema/m.tag.yaml) is in no place of `[events.basic]`"),
        "{message}"
    );
    // So does an event type that matches no basic schema (a state one).
    let state = with_place.replace("[\"m.tag\"]", "[\"m.tag\", \"m.room.name\"]");
    let message = error(ENVELOPE, &state);
    assert!(
        message.contains("`[events.basic]` entry `room-account-data`: the event type `m.room.name` matches no basic event schema"),
        "{message}"
    );
    let unexplained = with_place.replace(
        "reason = \"test\"\n[events.enums]",
        "reason = \" \"\n[events.enums]",
    );
    let message = error(ENVELOPE, &unexplained);
    assert!(
        message.contains("`[events.basic]` entry `room-account-data`: gives no reason"),
        "{message}"
    );
    let kind_named = with_place.replace("room-account-data", "state");
    let message = error(ENVELOPE, &kind_named);
    assert!(
        message.contains("`[events.basic]` entry `state`: named like a kind of event"),
        "{message}"
    );
}

/// An operation whose response lists events written out inline: the basic
/// core schema plus `sender` (as an overlay gives /sync's to-device events).
const INLINE_OPS: &str = "servers:\n  - url: \"{basePath}\"\n    variables:\n      basePath:\n        default: /_matrix/client/v3\npaths:\n  /inline:\n    get:\n      operationId: getInline\n      responses:\n        \"200\":\n          description: x\n          content:\n            application/json:\n              schema:\n                type: array\n                items:\n                  allOf:\n                    - $ref: ../../event-schemas/schema/core/event.yaml\n                    - type: object\n                      properties:\n                        sender: {type: string}\n                        content: {type: object}\n                      required: [sender, type, content]\n";
const INLINE_ITEMS: &str = "api/client-server/ops.yaml#/paths/~1inline/get/responses/200/content/application~1json/schema/items";

#[test]
fn an_inline_schema_is_an_envelope_and_raw_by_its_place() {
    let events =
        format!("{KINDS}{ENUMS}[events.envelopes]\n\"{INLINE_ITEMS}\" = \"AnyEventContent\"\n");
    let raw = format!("raw_schemas = [\"{INLINE_ITEMS}\"]\n");
    let api = lowered_with(INLINE_OPS, &raw, ENVELOPE, &events).unwrap();
    let envelope = api
        .types
        .iter()
        .position(|t| t.source.to_string() == INLINE_ITEMS)
        .unwrap();
    let TypeKind::Struct(s) = &api.types[envelope].kind else {
        panic!()
    };
    assert_eq!(s.envelope.as_deref(), Some("AnyEventContent"));
    let op = &api.modules[0].operations[0];
    let crate::model::ResponseKind::Json(ty) = &op.response.arms[0].kind else {
        panic!()
    };
    assert_eq!(
        *ty,
        Type::Array(Box::new(Type::Raw(Box::new(Type::Named(
            crate::model::TypeId(envelope)
        )))))
    );

    // Without the pattern the events are parsed at once; a file pattern
    // matches referenced schemas only, so it does not wrap them.
    let file_only = "raw_schemas = [\"api/client-server/ops.yaml\"]\n";
    let message = lowered_with(INLINE_OPS, file_only, ENVELOPE, &events)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(
            "`raw_schemas` pattern `api/client-server/ops.yaml` matches no schema where one is used"
        ),
        "{message}"
    );
    let gone = raw.replace("~1inline", "~1gone");
    let message = lowered_with(INLINE_OPS, &gone, ENVELOPE, &events)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("~1gone/get/responses/200/content/application~1json/schema/items` matches no schema where one is used"),
        "{message}"
    );
}

/// An envelope whose `unsigned.redacted_because` is an event of its own
/// schema.
const RECURSIVE: &str = "type: object\nproperties:\n  event_id: {type: string}\n  type: {type: string}\n  content: {type: object}\n  unsigned:\n    type: object\n    properties:\n      redacted_because: {$ref: envelope.yaml}\nrequired: [event_id, type, content]\n";

#[test]
fn an_event_holds_an_event_of_its_own_schema_only_as_raw() {
    let events = format!("{KINDS}{ENUMS}{ENVELOPES}");
    let raw = "raw_schemas = [\"api/client-server/definitions/envelope.yaml\"]\n";
    let api = lowered_with(OPS, raw, RECURSIVE, &events).unwrap();
    let envelope = api
        .types
        .iter()
        .position(|t| t.source.to_string() == "api/client-server/definitions/envelope.yaml#")
        .unwrap();
    let unsigned = api
        .types
        .iter()
        .find(|t| t.source.pointer == "/properties/unsigned")
        .unwrap();
    let TypeKind::Struct(s) = &unsigned.kind else {
        panic!()
    };
    assert_eq!(
        s.fields[0].ty,
        Type::Raw(Box::new(Type::Named(crate::model::TypeId(envelope))))
    );

    // Parsed at once, the type would contain itself.
    let message = lowered_with(OPS, "", RECURSIVE, &events)
        .unwrap_err()
        .to_string();
    assert!(message.contains("a recursive schema"), "{message}");
}
