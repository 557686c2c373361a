//! The collected examples, the bodies they belong to, and their counts.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use crate::load::Location;

/// Where in the spec an example was found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExampleKind {
    /// The media type's `example`.
    MediaType,
    /// The `value` of an entry of the media type's `examples` map.
    MediaTypeEntry {
        /// The entry's key (`response`, `bad_json`, ...).
        name: String,
    },
    /// The body schema's own `example`.
    Schema,
    /// An item of the body schema's own `examples` list (JSON Schema).
    SchemaList {
        /// The item's index.
        index: usize,
    },
}

impl fmt::Display for ExampleKind {
    /// A short, stable label: `example`, `examples/<name>`,
    /// `schema example`, `schema examples/<index>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExampleKind::MediaType => write!(f, "example"),
            ExampleKind::MediaTypeEntry { name } => write!(f, "examples/{name}"),
            ExampleKind::Schema => write!(f, "schema example"),
            ExampleKind::SchemaList { index } => write!(f, "schema examples/{index}"),
        }
    }
}

/// One whole request or response body example of one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// `request` for the request body, else the response's status as
    /// written in the spec (`200`, `401`, ...).
    pub part: String,
    /// Which kind of example it is.
    pub kind: ExampleKind,
    /// Where the example's value is: `file#pointer`, with line and column
    /// when known. For a shared response or example, the shared place.
    pub source: String,
    /// Where the example's value is, as a location.
    pub location: Location,
    /// The example, with every `$ref` inside it resolved (see the module
    /// docs).
    pub value: Value,
    /// How many `$ref` objects were replaced while resolving `value`.
    pub inlined_refs: usize,
    /// How many of those had sibling keys merged over their target.
    pub overriding_refs: usize,
}

/// A request or response body with JSON content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonBody {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// `request`, or the response status.
    pub part: String,
    /// Where its `application/json` media type is, with line when known.
    pub source: String,
    /// How many examples were collected for it.
    pub examples: usize,
}

/// Content of a media type other than JSON, whose examples (if any) are
/// not collected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonJson {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// `request`, or the response status.
    pub part: String,
    /// The media type (`application/octet-stream`, `image/png`, ...).
    pub media_type: String,
    /// Where the media type object is, with line when known.
    pub source: String,
}

/// Everything [`collect`](super::collect) found.
#[derive(Debug, Clone, Default)]
pub struct Collection {
    /// The examples, by document, path, method, then request before
    /// responses in the spec's order.
    pub examples: Vec<Example>,
    /// The number of operations looked at.
    pub operations: usize,
    /// Every request and response body with JSON content.
    pub json_bodies: Vec<JsonBody>,
    /// Every non-JSON media type of a request or response (skipped).
    pub non_json: Vec<NonJson>,
    /// The distinct places of `example`/`examples` keywords on schemas
    /// nested inside body schemas (properties, items, `allOf` branches,
    /// ...), reached from any operation: not collected.
    pub nested_schema_examples: BTreeSet<Location>,
}

/// The numbers of a [`Collection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Operations looked at.
    pub operations: usize,
    /// Request and response bodies with JSON content.
    pub json_bodies: usize,
    /// JSON bodies for which no whole example was found.
    pub json_bodies_without_example: usize,
    /// All examples collected.
    pub examples: usize,
    /// Media type `example`s.
    pub media_type_example: usize,
    /// Entries of media type `examples` maps.
    pub media_type_examples_entries: usize,
    /// Body schemas' own `example`s and `examples` items.
    pub schema_examples: usize,
    /// Examples whose value contained at least one `$ref`.
    pub with_refs: usize,
    /// Examples whose value contained a `$ref` with sibling keys that
    /// override the referenced content.
    pub with_overrides: usize,
    /// `$ref` objects replaced, over all examples.
    pub inlined_refs: usize,
    /// Of those, `$ref` objects with overriding sibling keys.
    pub overriding_refs: usize,
    /// Non-JSON media types skipped.
    pub non_json_skipped: usize,
    /// Distinct nested schema examples, not collected.
    pub nested_schema_examples: usize,
}

impl Collection {
    /// The numbers, for reports and tests.
    pub fn counts(&self) -> Counts {
        let of = |pred: fn(&Example) -> bool| self.examples.iter().filter(|e| pred(e)).count();
        Counts {
            operations: self.operations,
            json_bodies: self.json_bodies.len(),
            json_bodies_without_example: self
                .json_bodies
                .iter()
                .filter(|b| b.examples == 0)
                .count(),
            examples: self.examples.len(),
            media_type_example: of(|e| e.kind == ExampleKind::MediaType),
            media_type_examples_entries: of(|e| {
                matches!(e.kind, ExampleKind::MediaTypeEntry { .. })
            }),
            schema_examples: of(|e| {
                matches!(e.kind, ExampleKind::Schema | ExampleKind::SchemaList { .. })
            }),
            with_refs: of(|e| e.inlined_refs > 0),
            with_overrides: of(|e| e.overriding_refs > 0),
            inlined_refs: self.examples.iter().map(|e| e.inlined_refs).sum(),
            overriding_refs: self.examples.iter().map(|e| e.overriding_refs).sum(),
            non_json_skipped: self.non_json.len(),
            nested_schema_examples: self.nested_schema_examples.len(),
        }
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = [
            ("operations", self.operations),
            ("JSON request/response bodies", self.json_bodies),
            (
                "  without any whole example",
                self.json_bodies_without_example,
            ),
            ("examples collected", self.examples),
            ("  media type `example`", self.media_type_example),
            (
                "  media type `examples` entries",
                self.media_type_examples_entries,
            ),
            ("  body schema `example`", self.schema_examples),
            ("  with `$ref`s inside", self.with_refs),
            ("  with `$ref` sibling overrides", self.with_overrides),
            ("`$ref`s inlined", self.inlined_refs),
            ("  with sibling overrides", self.overriding_refs),
            ("non-JSON media types skipped", self.non_json_skipped),
            (
                "nested schema examples (not collected)",
                self.nested_schema_examples,
            ),
        ];
        for (name, count) in rows {
            writeln!(f, "{name:<42}{count:>6}")?;
        }
        Ok(())
    }
}
