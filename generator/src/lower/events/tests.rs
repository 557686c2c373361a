//! Event lowering on small specs of our own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;

use crate::config::{Config, EventKindName};
use crate::load::SpecFiles;
use crate::lower::{LowerError, lower};
use crate::model::{Api, EventContent, Type, TypeKind};
use crate::resolve::resolve;

const OPS: &str = "servers:\n  - url: \"{basePath}\"\n    variables:\n      basePath:\n        default: /_matrix/client/v3\npaths:\n  /x:\n    get:\n      operationId: getX\n      responses:\n        \"200\":\n          description: x\n";
const STATE: &str = "type: object\nproperties:\n  state_key: {type: string}\n";
const BASIC: &str = "type: object\nproperties:\n  type: {type: string}\n";
const KINDS: &str = "[events.kinds]\n\"event-schemas/schema/core/state.yaml\" = \"state\"\n\"event-schemas/schema/core/event.yaml\" = \"basic\"\n";
const STATE_ONLY: &str = "[events.kinds]\n\"event-schemas/schema/core/state.yaml\" = \"state\"\n";
const BASIC_ONLY: &str = "[events.kinds]\n\"event-schemas/schema/core/event.yaml\" = \"basic\"\n";

/// Lowers a spec of `ops.yaml`, the two core schemas and `events`
/// (file name under `event-schemas/schema/`, text), with `kinds` as
/// the `[events.kinds]` table.
fn lowered(events: &[(&str, &str)], kinds: &str) -> Result<Api, LowerError> {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let schema = data.join("event-schemas/schema");
    fs::create_dir_all(schema.join("core")).unwrap();
    fs::create_dir_all(data.join("api/client-server")).unwrap();
    fs::write(data.join("api/client-server/ops.yaml"), OPS).unwrap();
    fs::write(schema.join("core/state.yaml"), STATE).unwrap();
    fs::write(schema.join("core/event.yaml"), BASIC).unwrap();
    for (name, text) in events {
        fs::write(schema.join(name), text).unwrap();
    }
    let toml = format!(
        "documents = [\"api/client-server/*.yaml\"]\n[crate]\nname = \"t\"\nversion = \"0.1.0\"\ndescription = \"t\"\n[events]\nschemas = [\"event-schemas/schema/*.yaml\"]\n{kinds}"
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

fn event(core: &str, event_type: &str, content: &str) -> String {
    format!(
        "allOf:\n  - $ref: core/{core}.yaml\nproperties:\n  type: {{type: string, enum: [{event_type}]}}\n  content:\n{content}"
    )
}

const CONTENT: &str =
    "    type: object\n    properties:\n      name: {type: string}\n    required: [name]\n";

#[test]
fn an_event_schema_is_a_content_type_named_after_its_event_type_with_the_kind_of_its_core_schema() {
    let text = event("state", "m.test.thing", CONTENT);
    let api = lowered(&[("m.test.thing.yaml", &text)], STATE_ONLY).unwrap();
    let [event] = &api.events[..] else {
        panic!("{:?}", api.events)
    };
    assert_eq!(event.event_type, "m.test.thing");
    assert_eq!(event.kind, EventKindName::State);
    let EventContent::Named(id) = &event.content else {
        panic!()
    };
    assert_eq!(api.types[id.0].name, "TestThingEventContent");
    assert_eq!(api.types[id.0].module, "events");
}

#[test]
fn variant_files_make_a_tagged_union_by_the_property_they_fix() {
    let base = event("event", "m.v", CONTENT);
    let fixed = |v: &str| {
        event(
            "event",
            "m.v",
            &format!(
                "    type: object\n    properties:\n      kind: {{type: string, enum: [m.{v}]}}\n      {v}: {{type: string}}\n    required: [kind]\n"
            ),
        )
    };
    let (one, two) = (fixed("one"), fixed("two"));
    let files = [
        ("m.v.yaml", base.as_str()),
        ("m.v$m.one.yaml", &one),
        ("m.v$m.two.yaml", &two),
    ];
    let api = lowered(&files, BASIC_ONLY).unwrap();
    let EventContent::Named(id) = &api.events[0].content else {
        panic!()
    };
    let TypeKind::TaggedUnion(union) = &api.types[id.0].kind else {
        panic!()
    };
    assert_eq!(union.property, "kind");
    let variants: Vec<&str> = union.variants.iter().map(|v| v.variant.as_str()).collect();
    assert_eq!(variants, ["One", "Two"]);
    // The tag is the enum's, not a field of the variant's struct.
    let TypeKind::Struct(one) = &api.types[union.variants[0].ty.0].kind else {
        panic!()
    };
    let fields: Vec<&str> = one.fields.iter().map(|f| f.json_name.as_str()).collect();
    assert_eq!(fields, ["one"]);
}

#[test]
fn a_file_referenced_by_an_event_is_a_part_and_an_unreferenced_one_an_error() {
    let part = "type: object\nproperties:\n  x: {type: string}\n";
    let content = "    $ref: m.part.yaml\n";
    let text = event("state", "m.uses", content);
    let api = lowered(&[("m.part.yaml", part), ("m.uses.yaml", &text)], STATE_ONLY).unwrap();
    assert_eq!(api.events.len(), 1);

    let text = event("state", "m.test", CONTENT);
    let error = lowered(&[("m.lonely.yaml", part), ("m.test.yaml", &text)], KINDS)
        .unwrap_err()
        .to_string();
    assert!(error.contains("m.lonely.yaml"), "{error}");
    assert!(
        error.contains("extending none of the core schemas"),
        "{error}"
    );
}

#[test]
fn stale_kinds_and_variants_that_fix_no_property_fail() {
    let text = event("state", "m.test", CONTENT);
    let error = lowered(&[("m.test.yaml", &text)], KINDS)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("`[events.kinds]` entry `event-schemas/schema/core/event.yaml`"),
        "{error}"
    );

    let base = event("state", "m.v", CONTENT);
    let files = [("m.v.yaml", base.as_str()), ("m.v$x.yaml", &base)];
    let error = lowered(&files, STATE_ONLY).unwrap_err().to_string();
    assert!(
        error.contains("must fix exactly one property to one value"),
        "{error}"
    );
}

#[test]
fn a_ref_to_a_variant_events_content_is_its_enum_whose_other_is_the_base_shape() {
    // The base content: what every variant has, plus an edit's new content
    // (a `$ref` to the base content within its own document).
    let base = event(
        "event",
        "m.v",
        "    type: object\n    properties:\n      kind: {type: string}\n      body: {type: string}\n      new: {$ref: '#/properties/content'}\n    required: [kind, body]\n",
    );
    // A variant refers to the base content from its own file.
    let one = event(
        "event",
        "m.v",
        "    type: object\n    properties:\n      kind: {type: string, enum: [m.one]}\n      body: {type: string}\n      new: {$ref: 'm.v.yaml#/properties/content'}\n    required: [kind, body]\n",
    );
    let files = [("m.v.yaml", base.as_str()), ("m.v$m.one.yaml", &one)];
    let api = lowered(&files, BASIC_ONLY).unwrap();
    let EventContent::Named(id) = &api.events[0].content else {
        panic!()
    };
    let TypeKind::TaggedUnion(union) = &api.types[id.0].kind else {
        panic!()
    };
    let boxed_enum = Type::Boxed(Box::new(Type::Named(*id)));
    let fields_of = |ty: &Type| {
        let Type::Named(ty) = ty else {
            panic!("{ty:?}")
        };
        let TypeKind::Struct(s) = &api.types[ty.0].kind else {
            panic!()
        };
        s.fields
            .iter()
            .map(|f| (f.json_name.clone(), f.ty.clone(), f.required))
            .collect::<Vec<_>>()
    };
    // The variant's `new` is the enum, boxed (the enum holds the variant).
    let one = fields_of(&Type::Named(union.variants[0].ty));
    assert_eq!(one[1], ("new".to_owned(), boxed_enum.clone(), false));
    // `Other` is the base content: its properties, `kind` included.
    assert_eq!(
        api.types[match &union.other {
            Type::Named(other) => other.0,
            other => panic!("{other:?}"),
        }]
        .name,
        "VOtherContent"
    );
    let other = fields_of(&union.other);
    let names: Vec<&str> = other.iter().map(|(name, _, _)| name.as_str()).collect();
    assert_eq!(names, ["kind", "body", "new"]);
    assert_eq!(other[2], ("new".to_owned(), boxed_enum, false));
    assert!(other[0].2 && other[1].2);
}

#[test]
fn a_variant_events_base_without_properties_keeps_any_object_in_other() {
    let base = event("event", "m.v", "    type: object\n");
    let one = event(
        "event",
        "m.v",
        "    type: object\n    properties:\n      kind: {type: string, enum: [m.one]}\n",
    );
    let files = [("m.v.yaml", base.as_str()), ("m.v$m.one.yaml", &one)];
    let api = lowered(&files, BASIC_ONLY).unwrap();
    let EventContent::Named(id) = &api.events[0].content else {
        panic!()
    };
    let TypeKind::TaggedUnion(union) = &api.types[id.0].kind else {
        panic!()
    };
    assert_eq!(union.other, Type::JsonObject);
}

#[test]
fn a_ref_to_a_variant_events_content_lowered_before_the_event_fails_naming_it() {
    // `m.a` is lowered before `m.v` (event type order): its `$ref` would
    // make the base content a struct of its own, not the enum.
    let early = event(
        "event",
        "m.a",
        "    type: object\n    properties:\n      v: {$ref: 'm.v.yaml#/properties/content'}\n",
    );
    let base = event("event", "m.v", CONTENT);
    let one = event(
        "event",
        "m.v",
        "    type: object\n    properties:\n      kind: {type: string, enum: [m.one]}\n",
    );
    let files = [
        ("m.a.yaml", early.as_str()),
        ("m.v.yaml", &base),
        ("m.v$m.one.yaml", &one),
    ];
    let error = lowered(&files, BASIC_ONLY).unwrap_err().to_string();
    assert!(
        error.contains("m.v.yaml#/properties/content") && error.contains("referenced before"),
        "{error}"
    );
}
