//! `[event_sending]` on a small spec of our own: the entries that fit
//! give typed constructors, each that does not fails naming the entry and
//! where.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;

use crate::config::{Config, SendPlace};
use crate::load::SpecFiles;
use crate::lower::{LowerError, lower};
use crate::model::{Api, SendContent, Type};
use crate::resolve::resolve;

/// Two sending operations: a body that is the content, and one whose
/// contents are in a map by user and device.
const OPS: &str = r#"servers:
  - url: "{basePath}"
    variables:
      basePath:
        default: /_matrix/client/v3
paths:
  /rooms/{roomId}/send/{eventType}/{count}:
    put:
      operationId: sendThing
      parameters:
        - {in: path, name: roomId, required: true, schema: {type: string}}
        - {in: path, name: eventType, required: true, schema: {type: string}}
        - {in: path, name: count, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: {type: object}
      responses:
        "200": {description: ok}
  /devices/{eventType}:
    put:
      operationId: sendToDevices
      parameters:
        - {in: path, name: eventType, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                messages:
                  type: object
                  additionalProperties:
                    type: object
                    additionalProperties: {type: object}
                note: {type: string}
              required: [messages]
      responses:
        "200": {description: ok}
"#;

const EVENT: &str = "allOf:\n  - $ref: core/event.yaml\nproperties:\n  type: {type: string, enum: [m.thing]}\n  content:\n    type: object\n    properties:\n      name: {type: string}\n";

const PLACES: &str = "[event_sending.places]\nstate = []\nroom = []\nreason = \"test\"\n[event_sending.places.basic]\nanywhere = [\"message-like\", \"to-device\"]\n";

/// Lowers the spec above with `sending` (TOML) after the events config.
fn lowered(sending: &str) -> Result<Api, LowerError> {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let schema = data.join("event-schemas/schema");
    fs::create_dir_all(schema.join("core")).unwrap();
    fs::create_dir_all(data.join("api/client-server")).unwrap();
    fs::write(data.join("api/client-server/ops.yaml"), OPS).unwrap();
    fs::write(
        schema.join("core/event.yaml"),
        "type: object\nproperties:\n  type: {type: string}\n",
    )
    .unwrap();
    fs::write(schema.join("m.thing.yaml"), EVENT).unwrap();
    let toml = format!(
        "documents = [\"api/client-server/*.yaml\"]\n[crate]\nname = \"t\"\nversion = \"0.1.0\"\ndescription = \"t\"\n[events]\nschemas = [\"event-schemas/schema/*.yaml\"]\n[events.kinds]\n\"event-schemas/schema/core/event.yaml\" = \"basic\"\n[events.basic.anywhere]\nevent_types = [\"m.thing\"]\nreason = \"test\"\n{sending}"
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

fn entry(operation: &str, event_type: &str, content: &str, place: &str) -> String {
    format!(
        "[[event_sending.operations]]\noperation = \"{operation}\"\nevent_type = \"{event_type}\"\ncontent = \"{content}\"\nplace = \"{place}\"\nreason = \"test\"\n"
    )
}

fn send_content(api: &Api, operation_id: &str) -> Option<SendContent> {
    api.modules
        .iter()
        .flat_map(|m| &m.operations)
        .find(|op| op.operation_id == operation_id)
        .and_then(|op| op.send_content.clone())
}

fn error(sending: &str) -> String {
    lowered(sending).unwrap_err().to_string()
}

#[test]
fn configured_operations_get_their_event_type_field_and_content_place() {
    let api = lowered(&format!(
        "{PLACES}{}{}",
        entry("sendThing", "eventType", "body", "message-like"),
        entry(
            "sendToDevices",
            "eventType",
            "body/messages/*/*",
            "to-device"
        ),
    ))
    .unwrap();
    assert_eq!(
        send_content(&api, "sendThing"),
        Some(SendContent {
            event_type_field: "event_type".to_owned(),
            body_field: None,
            map_keys: Vec::new(),
            place: SendPlace::MessageLike,
        })
    );
    assert_eq!(
        send_content(&api, "sendToDevices"),
        Some(SendContent {
            event_type_field: "event_type".to_owned(),
            body_field: Some("messages".to_owned()),
            map_keys: vec![Type::String, Type::String],
            place: SendPlace::ToDevice,
        })
    );
    // Each content implements the places of its kind.
    assert_eq!(
        api.events[0].places,
        [SendPlace::MessageLike, SendPlace::ToDevice]
    );
}

#[test]
fn an_operation_that_does_not_exist_fails_naming_the_config_entry() {
    let message = error(&format!(
        "{PLACES}{}",
        entry("sendNothing", "eventType", "body", "message-like")
    ));
    assert!(
        message.contains(
            "spec/generator.toml: `[[event_sending.operations]]` entry `sendNothing`: no operation has this operationId"
        ),
        "{message}"
    );
}

#[test]
fn a_missing_or_non_string_event_type_parameter_fails_with_the_operations_place() {
    let message = error(&format!(
        "{PLACES}{}",
        entry("sendThing", "type", "body", "message-like")
    ));
    assert!(
        message.contains("api/client-server/ops.yaml#/paths/~1rooms~1{roomId}~1send~1{eventType}~1{count}/put/parameters"),
        "{message}"
    );
    assert!(
        message.contains("the operation has no path parameter `type` for the event type"),
        "{message}"
    );
    let message = error(&format!(
        "{PLACES}{}",
        entry("sendThing", "count", "body", "message-like")
    ));
    assert!(
        message.contains("`count` is I64, not a string"),
        "{message}"
    );
}

#[test]
fn a_content_place_of_the_wrong_shape_fails_with_the_request_body() {
    for (content, expected) in [
        (
            "payload",
            "content `payload` must be `body` or start with `body/`",
        ),
        ("body/nothing", "the body has no property `nothing`"),
        (
            "body/note",
            "property `note` is optional or behind a feature",
        ),
        (
            "body/messages",
            "content `body/messages` is a map, not a JSON object",
        ),
        ("body/messages/*/*/*", "step `*` does not fit a JSON object"),
        ("body", "content `body` is a named type, not a JSON object"),
    ] {
        let message = error(&format!(
            "{PLACES}{}",
            entry("sendToDevices", "eventType", content, "to-device")
        ));
        assert!(
            message.contains(
                "api/client-server/ops.yaml#/paths/~1devices~1{eventType}/put/requestBody"
            ),
            "{content}: {message}"
        );
        assert!(message.contains(expected), "{content}: {message}");
    }
}

#[test]
fn a_place_no_kind_may_be_sent_to_and_a_repeated_entry_fail() {
    let message = error(&format!(
        "{PLACES}{}",
        entry("sendThing", "eventType", "body", "state")
    ));
    assert!(
        message.contains("place `state`: no kind of event may be sent there"),
        "{message}"
    );
    let twice = entry("sendThing", "eventType", "body", "message-like");
    let message = error(&format!("{PLACES}{twice}{twice}"));
    assert!(
        message.contains("`[[event_sending.operations]]` lists `sendThing` twice"),
        "{message}"
    );
}

#[test]
fn an_unknown_place_fails_when_the_config_is_read() {
    let toml = format!(
        "documents = [\"a.yaml\"]\n[crate]\nname = \"t\"\nversion = \"0.1.0\"\ndescription = \"t\"\n{PLACES}{}",
        entry("sendThing", "eventType", "body", "timeline")
    );
    let error = Config::parse(&toml, Path::new("generator.toml")).unwrap_err();
    assert!(
        error.to_string().contains("unknown variant `timeline`"),
        "{error}"
    );
}

#[test]
fn a_basic_content_is_sent_where_its_place_says_and_every_place_is_said() {
    let send = entry("sendThing", "eventType", "body", "message-like");
    let nowhere = PLACES.replace("[\"message-like\", \"to-device\"]", "[]");
    let api = lowered(&format!("{nowhere}{send}"))
        .unwrap_err()
        .to_string();
    // No basic place may be sent into a room now: the operation fits no content.
    assert!(api.contains("no kind of event may be sent there"), "{api}");
    let to_devices_only = PLACES.replace("\"message-like\", ", "");
    let api = lowered(&format!(
        "{to_devices_only}{}",
        entry(
            "sendToDevices",
            "eventType",
            "body/messages/*/*",
            "to-device"
        )
    ))
    .unwrap();
    assert_eq!(api.events[0].places, [SendPlace::ToDevice]);
    let unknown = format!("{PLACES}elsewhere = [\"to-device\"]\n{send}");
    let message = lowered(&unknown).unwrap_err().to_string();
    assert!(
        message.contains(
            "`[event_sending.places.basic]`: `elsewhere` is no place of `[events.basic]`"
        ),
        "{message}"
    );
    let unsaid = PLACES.replace("anywhere = [\"message-like\", \"to-device\"]\n", "");
    let message = lowered(&format!("{unsaid}{send}")).unwrap_err().to_string();
    assert!(
        message.contains("`[event_sending.places.basic]` does not say where the basic events arriving in `anywhere` may be sent"),
        "{message}"
    );
}
