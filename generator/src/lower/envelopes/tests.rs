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
const KINDS: &str = "[events.kinds]\n\"event-schemas/schema/core/state.yaml\" = \"state\"\n\"event-schemas/schema/core/event.yaml\" = \"basic\"\n";
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
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let schema = data.join("event-schemas/schema");
    fs::create_dir_all(schema.join("core")).unwrap();
    fs::create_dir_all(data.join("api/client-server/definitions")).unwrap();
    fs::write(data.join("api/client-server/ops.yaml"), OPS).unwrap();
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
        "documents = [\"api/client-server/*.yaml\"]\n[crate]\nname = \"t\"\nversion = \"0.1.0\"\ndescription = \"t\"\n[events]\nschemas = [\"event-schemas/schema/*.yaml\"]\n{events}"
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
