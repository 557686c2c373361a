//! The generator's front end on arbitrary input: YAML parsing, overlay
//! parsing and application, and `$ref` resolution.
//!
//! The input is up to three texts separated by NUL bytes (YAML forbids NUL,
//! so no spec text needs one):
//!
//! 1. a spec file, loaded as `api/client-server/fuzz.yaml`;
//! 2. an overlay document, applied to that file in both strictness modes;
//! 3. a second spec file, `api/client-server/other.yaml`, for `$ref`s to
//!    point into.
//!
//! Any error is fine; a panic, a stack overflow, a timeout or running out of
//! memory is a finding. Beyond "no panic", the target checks two promises
//! the generator makes:
//!
//! - every node of a parsed document can be located in the text
//!   (`yaml::position_of`, which error messages rely on);
//! - a failed `Overlay::apply` leaves the document untouched.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use matrix_csapi_codegen::load::SpecFiles;
use matrix_csapi_codegen::overlay::{Overlay, Strictness};
use matrix_csapi_codegen::{resolve, yaml};
use serde_json::Value;

const SPEC: &str = "api/client-server/fuzz.yaml";
const OTHER: &str = "api/client-server/other.yaml";
const OVERLAY: &str = "spec/overlays/fuzz.yaml";

/// How many nodes per document are checked with `position_of` (each call
/// re-reads the text, so checking all of a large document would make every
/// input slow).
const LOCATE_NODES: usize = 16;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let spec_text = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let overlay_text = parts
        .next()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let other_text = parts
        .next()
        .map(|p| String::from_utf8_lossy(p).into_owned());

    let spec = parse_and_locate(&spec_text, SPEC);
    if let Some(other) = &other_text {
        parse_and_locate(other, OTHER);
    }

    let overlay = overlay_text.as_deref().and_then(|text| {
        Overlay::parse(text, Path::new(OVERLAY))
            .map_err(|error| error.to_string())
            .ok()
    });

    let Some(spec) = spec else { return };
    let mut patched = spec.clone();
    if let Some(overlay) = &overlay {
        for mode in [Strictness::RequireMatch, Strictness::Standard] {
            let mut document = spec.clone();
            match overlay.apply(&mut document, mode) {
                Ok(()) => patched = document,
                Err(error) => {
                    let _ = error.to_string();
                    assert!(
                        document == spec,
                        "a failed overlay changed the document: {error}"
                    );
                }
            }
        }
    }

    // The same order of stages as `matrix_csapi_codegen::prepare`: the
    // overlay is applied to the loaded file, then references are resolved.
    let mut texts = vec![(SPEC.to_owned(), spec_text)];
    if let Some(other) = other_text {
        texts.push((OTHER.to_owned(), other));
    }
    let mut files = SpecFiles::in_memory(texts);
    match files.load(SPEC) {
        Ok(file) => file.value = patched,
        Err(error) => panic!("the spec parsed once but not when loaded: {error}"),
    }
    if let Err(error) = resolve::resolve(files, &[SPEC.to_owned()]) {
        let _ = error.to_string();
    }
});

/// Parses `text`; on success checks that the first nodes (breadth first)
/// can be located in it, on failure formats the error.
fn parse_and_locate(text: &str, file: &str) -> Option<Value> {
    match yaml::parse(text, Path::new(file)) {
        Ok(value) => {
            for pointer in first_pointers(&value, LOCATE_NODES) {
                assert!(
                    yaml::position_of(text, &pointer).is_some(),
                    "node {pointer:?} of the parsed document cannot be located"
                );
            }
            Some(value)
        }
        Err(error) => {
            let _ = (error.to_string(), error.position(), error.pointer());
            None
        }
    }
}

/// JSON pointers of the first `limit` nodes of `value`, breadth first.
fn first_pointers(value: &Value, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut queue = std::collections::VecDeque::from([(String::new(), value)]);
    while let Some((pointer, node)) = queue.pop_front() {
        if out.len() >= limit {
            break;
        }
        match node {
            Value::Object(map) => {
                for (key, child) in map {
                    let token = key.replace('~', "~0").replace('/', "~1");
                    queue.push_back((format!("{pointer}/{token}"), child));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    queue.push_back((format!("{pointer}/{index}"), child));
                }
            }
            _ => {}
        }
        out.push(pointer);
    }
    out
}
