//! The spec's example events (`data/event-schemas/examples/`), with their
//! `$ref` bases merged the way the spec's build merges the API examples
//! (module docs of [`super`]): `{"$ref": "core/room_event.json", "type": ...}`
//! is the base event with the example's own keys set on top.

use std::collections::BTreeSet;

use serde_json::Value;

use super::inline::RefCounts;
use super::{Collection, Collector, ExampleError};
use crate::load::Location;
use crate::resolve::ResolvedSpec;

/// One example event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventExample {
    /// The example's file, relative to `data/`.
    pub file: String,
    /// The event, every `$ref` in it resolved.
    pub value: Value,
    /// How many `$ref` objects were replaced while resolving `value`.
    pub inlined_refs: usize,
}

/// The example events in `files` (paths relative to `data/`, which must be
/// among the roots `spec` was resolved from), in the order given.
pub fn collect(spec: &ResolvedSpec, files: &[String]) -> Result<Vec<EventExample>, ExampleError> {
    let collector = Collector {
        spec,
        out: Collection::default(),
        walked: BTreeSet::new(),
    };
    let mut examples = Vec::new();
    for file in files {
        let at = Location::file(file.clone());
        let node = spec
            .files()
            .node(&at)
            .ok_or_else(|| ExampleError::NotLoaded { file: file.clone() })?;
        let mut counts = RefCounts::default();
        let value = collector.inline(&at, node, &mut Vec::new(), &mut counts)?;
        examples.push(EventExample {
            file: file.clone(),
            value,
            inlined_refs: counts.inlined,
        });
    }
    Ok(examples)
}
