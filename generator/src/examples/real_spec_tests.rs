//! Collection on the real spec (`MATRIX_SPEC_DIR`, or
//! `../shared/matrix-spec/v1.19` beside the repository).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::{Collection, Counts, collect};
use crate::load::SpecFiles;
use crate::resolve::resolve;

/// The pinned spec this repository is generated from.
fn real_spec_dir() -> PathBuf {
    let dir = match std::env::var_os("MATRIX_SPEC_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/matrix-spec/v1.19"
        )),
    };
    assert!(
        dir.join("data/api/client-server").is_dir(),
        "the Matrix spec is not at `{}`: set MATRIX_SPEC_DIR to the folder that contains its data/ \
         (e.g. MATRIX_SPEC_DIR=\"$PWD/../shared/matrix-spec/v1.19\" cargo test --workspace)",
        dir.display()
    );
    dir
}

/// Every example of all 72 client-server documents of the real spec,
/// independent of the project's config (read once for all tests).
fn real_collection() -> &'static Collection {
    static COLLECTION: std::sync::OnceLock<Collection> = std::sync::OnceLock::new();
    COLLECTION.get_or_init(read_real_collection)
}

fn read_real_collection() -> Collection {
    let dir = real_spec_dir();
    let mut documents: Vec<String> = fs::read_dir(dir.join("data/api/client-server"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .map(|name| format!("api/client-server/{name}"))
        .collect();
    documents.sort();
    assert_eq!(documents.len(), 72);
    let files = SpecFiles::open(&dir).unwrap();
    let spec = resolve(files, &documents).unwrap();
    collect(&spec, &documents).unwrap()
}

/// The numbers measured on Matrix spec v1.19: a change means that
/// collection (or the spec) changed; check which before updating them.
#[test]
fn real_spec_counts() {
    let collection = real_collection();
    assert_eq!(
        collection.counts(),
        Counts {
            operations: 166,
            json_bodies: 461,
            json_bodies_without_example: 150,
            examples: 313,
            media_type_example: 0,
            media_type_examples_entries: 265,
            schema_examples: 48,
            with_refs: 17,
            with_overrides: 17,
            inlined_refs: 133,
            overriding_refs: 122,
            non_json_skipped: 16,
            nested_schema_examples: 186,
        },
        "{}",
        collection.counts()
    );
}

#[test]
fn real_spec_event_examples_are_merged_like_the_spec_build() {
    let collection = real_collection();
    let example = collection
        .examples
        .iter()
        .find(|e| e.operation_id == "getOneRoomEvent" && e.part == "200")
        .unwrap();
    // rooms.yaml: {"room_id": "!636q39766251:matrix.org", "$ref": m.room.message$m.text.yaml},
    // which is {"$ref": core/room_event.json, "type", "content"}, which is
    // {"$ref": event.json, "event_id", "room_id", ...}: the outermost
    // `room_id` wins, `content` is the message's alone.
    assert_eq!(
        example.value,
        json!({
            "content": {
                "body": "This is an example text message",
                "msgtype": "m.text",
                "format": "org.matrix.custom.html",
                "formatted_body": "<b>This is an example text message</b>"
            },
            "type": "m.room.message",
            "event_id": "$143273582443PhrSn:example.org",
            "room_id": "!636q39766251:matrix.org",
            "sender": "@example:example.org",
            "origin_server_ts": 1432735824653_u64,
            "unsigned": {"age": 1234, "membership": "join"}
        })
    );
    assert_eq!((example.inlined_refs, example.overriding_refs), (3, 3));
    assert!(
        !collection.examples.iter().any(|e| contains_ref(&e.value)),
        "a `$ref` was left in an example"
    );
}

fn contains_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(contains_ref),
        Value::Array(items) => items.iter().any(contains_ref),
        _ => false,
    }
}
