//! The YAML loader and the overlay engine on arbitrary input.
//!
//! The input is up to three texts separated by NUL bytes (YAML forbids NUL,
//! so no document needs one):
//!
//! 1. a document, parsed with `yaml::parse`;
//! 2. an overlay document, read with `Overlay::parse` and applied to the
//!    first in both strictness modes;
//! 3. any further text, parsed as another document.
//!
//! (The same layout as the generator's `spec_loader` target, so corpora can
//! be shared.) Any error is fine; a panic, a stack overflow, a timeout or
//! running out of memory is a finding. Beyond "no panic", the target checks
//! two promises the crate makes:
//!
//! - every node of a parsed document can be located in the text
//!   (`yaml::position_of`, which error messages rely on);
//! - a failed `Overlay::apply` leaves the document untouched.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use openapi_overlay::{Overlay, Strictness, yaml};
use serde_json::Value;

const DOCUMENT: &str = "openapi.yaml";
const OTHER: &str = "other.yaml";
const OVERLAY: &str = "overlay.yaml";

/// How many nodes per document are checked with `position_of` (each call
/// re-reads the text, so checking all of a large document would make every
/// input slow).
const LOCATE_NODES: usize = 16;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let document_text = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let overlay_text = parts
        .next()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    if let Some(other) = parts.next() {
        parse_and_locate(&String::from_utf8_lossy(other), OTHER);
    }

    let document = parse_and_locate(&document_text, DOCUMENT);
    let overlay = overlay_text.as_deref().and_then(|text| {
        Overlay::parse(text, Path::new(OVERLAY))
            .map_err(|error| error.to_string())
            .ok()
    });

    let (Some(document), Some(overlay)) = (document, overlay) else {
        return;
    };
    for mode in [Strictness::RequireMatch, Strictness::Standard] {
        let mut patched = document.clone();
        if let Err(error) = overlay.apply(&mut patched, mode) {
            let _ = (error.to_string(), error.file(), error.place());
            assert!(
                patched == document,
                "a failed overlay changed the document: {error}"
            );
        }
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
