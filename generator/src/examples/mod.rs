//! Every request and response body example of the spec's operations, as
//! whole JSON values, so that tests can check that the generated types
//! round-trip them.
//!
//! For each operation of the given documents, its request body and each of
//! its responses (followed through `$ref`s into `components` or other
//! files), and only for `application/json` content, the examples are:
//!
//! * the media type's `example` ([`ExampleKind::MediaType`]);
//! * the `value` of each entry of the media type's `examples` map, an
//!   Example Object or a `$ref` to one ([`ExampleKind::MediaTypeEntry`]);
//! * the body schema's own `example`, after following `$ref`s to the schema
//!   (a `$ref`'s sibling `example` wins over the target's), and each item of
//!   its JSON Schema `examples` list ([`ExampleKind::Schema`],
//!   [`ExampleKind::SchemaList`]).
//!
//! Examples on schemas nested in a body schema (a property's `example`, an
//! `allOf` branch's) describe a part of a body, not a body: they are counted
//! ([`Collection::nested_schema_examples`]), not collected. Content of other
//! media types (media uploads and downloads) is counted as skipped
//! ([`Collection::non_json`]).
//!
//! # `$ref` inside example values
//!
//! Example values in the Matrix spec contain objects such as
//! `{"$ref": "../../event-schemas/examples/m.room.member.yaml", "room_id": "!a:b"}`
//! at any depth, and the referenced files contain more of them
//! (`{"$ref": "core/room_event.json", "type": "m.room.message", ...}`). The
//! spec's own build resolves them like this (matrix-spec,
//! `layouts/shortcodes/http-api.html` runs
//! `layouts/partials/json-schema/resolve-refs.html` over each whole API
//! document before rendering): an object with a `$ref` becomes the
//! referenced content, itself resolved relative to the file it is in, and
//! then each sibling key of the `$ref` (itself resolved) is set on top of
//! it. That is a shallow merge in which the siblings win: a sibling
//! `content` replaces the referenced `content` whole, it is not merged into
//! it. [`collect`] does the same, and fails on a `$ref` with siblings whose
//! target is not an object, and on a reference cycle.
//!
//! One file per concern: `model` the collected examples and their counts,
//! `operations` the walk over documents, operations and bodies, `schema`
//! the body schemas' examples, `inline` the `$ref`s inside example values,
//! `error` the errors.

mod error;
pub mod events;
mod inline;
mod model;
mod operations;
#[cfg(test)]
mod real_spec_tests;
mod schema;
#[cfg(test)]
mod test_support;

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::load::Location;
use crate::resolve::ResolvedSpec;

pub use error::ExampleError;
pub use events::EventExample;
pub use model::{Collection, Counts, Example, ExampleKind, JsonBody, NonJson};

/// The HTTP methods whose operations are looked at, in the order used.
const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The only media type whose examples are collected.
const JSON: &str = "application/json";

/// Schema keywords whose value is one schema.
const SCHEMA_KEYWORDS: &[&str] = &[
    "additionalProperties",
    "items",
    "additionalItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// Schema keywords whose value is a list of schemas.
const SCHEMA_LIST_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems", "items"];

/// Schema keywords whose value is a map of names to schemas.
const SCHEMA_MAP_KEYWORDS: &[&str] = &["properties", "patternProperties", "dependentSchemas"];

/// Collects every example of every operation of `documents` (paths
/// relative to `data/`, which must be among the roots `spec` was resolved
/// from). See the module docs for what counts as an example.
pub fn collect(spec: &ResolvedSpec, documents: &[String]) -> Result<Collection, ExampleError> {
    let mut collector = Collector {
        spec,
        out: Collection::default(),
        walked: BTreeSet::new(),
    };
    for document in documents {
        collector.document(document)?;
    }
    Ok(collector.out)
}

struct Collector<'a> {
    spec: &'a ResolvedSpec,
    out: Collection,
    /// Nested schemas already walked for nested examples.
    walked: BTreeSet<Location>,
}

impl<'a> Collector<'a> {
    fn describe(&self, at: &Location) -> String {
        self.spec.files().describe(at)
    }

    fn invalid(&self, at: &Location, message: impl Into<String>) -> ExampleError {
        ExampleError::Invalid {
            at: self.describe(at),
            message: message.into(),
        }
    }

    fn object(
        &self,
        at: &Location,
        node: &'a Value,
        what: &str,
    ) -> Result<&'a Map<String, Value>, ExampleError> {
        node.as_object()
            .ok_or_else(|| self.invalid(at, format!("{what} must be an object")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::test_support::*;
    use super::*;
    use serde_json::json;

    const FIXTURE_OPS: &str = r#"
openapi: 3.1.0
paths:
  /a:
    post:
      operationId: postA
      requestBody:
        content:
          application/json:
            schema:
              $ref: defs/thing.yaml
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  n:
                    type: integer
                    example: 3
              example: {n: 1}
              examples:
                inline:
                  value: {n: 2}
                shared:
                  $ref: '#/components/examples/shared'
        "404":
          $ref: defs/responses.yaml#/not_found
  /b:
    put:
      operationId: putB
      requestBody:
        $ref: '#/components/requestBodies/b'
      responses:
        "200":
          description: an event
          content:
            application/json:
              schema:
                $ref: defs/thing.yaml
                example: {overridden: true}
              examples:
                response:
                  value: {"$ref": "../../examples/ev.yaml", "room_id": "!r:x"}
        "201":
          description: media
          content:
            image/png: {}
            application/octet-stream:
              schema: {type: string}
    get:
      operationId: getB
      responses:
        "204":
          description: nothing
        "400":
          description: no example
          content:
            application/json:
              schema:
                $ref: defs/thing.yaml#/properties/n
        "401":
          description: no example
          content:
            application/json:
              schema: {type: object}
components:
  examples:
    shared:
      summary: shared
      value: {n: 4}
  requestBodies:
    b:
      content:
        application/json:
          schema:
            type: array
            items: {type: string}
            examples: [["x"], []]
"#;

    fn fixture() -> (tempfile::TempDir, ResolvedSpec) {
        spec(&[
            (OPS, FIXTURE_OPS),
            (
                "api/client-server/defs/thing.yaml",
                "type: object\nproperties:\n  n:\n    type: integer\n    example: 5\nexample: {n: 6}\n",
            ),
            (
                "api/client-server/defs/responses.yaml",
                "not_found:\n  description: not found\n  content:\n    application/json:\n      schema: {type: object}\n      examples:\n        response:\n          value: {errcode: M_NOT_FOUND}\n",
            ),
            (
                "examples/ev.yaml",
                r#"{"$ref": "core/base.json", "type": "m.x", "content": {"body": "hi"}}"#,
            ),
            (
                "examples/core/base.json",
                r#"{"$ref": "root.json", "event_id": "$e", "room_id": "!base:x"}"#,
            ),
            (
                "examples/core/root.json",
                r#"{"content": {"key": "value", "other": 1}, "type": "org.example"}"#,
            ),
        ])
    }

    #[test]
    fn collects_every_kind_in_spec_order() {
        let (_dir, spec) = fixture();
        let collection = collect_ops(&spec).unwrap();
        let summary: Vec<(&str, &str, String, &Value)> = collection
            .examples
            .iter()
            .map(|e| {
                (
                    e.operation_id.as_str(),
                    e.part.as_str(),
                    e.kind.to_string(),
                    &e.value,
                )
            })
            .collect();
        let expected_event = json!({
            "content": {"body": "hi"},
            "type": "m.x",
            "event_id": "$e",
            "room_id": "!r:x",
        });
        assert_eq!(
            summary,
            [
                (
                    "postA",
                    "request",
                    "schema example".to_owned(),
                    &json!({"n": 6})
                ),
                ("postA", "200", "example".to_owned(), &json!({"n": 1})),
                (
                    "postA",
                    "200",
                    "examples/inline".to_owned(),
                    &json!({"n": 2})
                ),
                (
                    "postA",
                    "200",
                    "examples/shared".to_owned(),
                    &json!({"n": 4})
                ),
                (
                    "postA",
                    "404",
                    "examples/response".to_owned(),
                    &json!({"errcode": "M_NOT_FOUND"})
                ),
                // A schema that is nested elsewhere, used as a whole body.
                ("getB", "400", "schema example".to_owned(), &json!(5)),
                (
                    "putB",
                    "request",
                    "schema examples/0".to_owned(),
                    &json!(["x"])
                ),
                (
                    "putB",
                    "request",
                    "schema examples/1".to_owned(),
                    &json!([])
                ),
                (
                    "putB",
                    "200",
                    "examples/response".to_owned(),
                    &expected_event
                ),
                (
                    "putB",
                    "200",
                    "schema example".to_owned(),
                    &json!({"overridden": true})
                ),
            ]
        );
    }

    #[test]
    fn sources_name_the_real_place_with_line() {
        let (_dir, spec) = fixture();
        let collection = collect_ops(&spec).unwrap();
        let sources: Vec<&str> = collection
            .examples
            .iter()
            .map(|e| e.source.as_str())
            .collect();
        assert_eq!(
            sources[0],
            "api/client-server/defs/thing.yaml#/example (line 6, column 1)"
        );
        assert!(
            sources[3]
                .starts_with("api/client-server/ops.yaml#/components/examples/shared/value (line "),
            "{}",
            sources[3]
        );
        assert!(
            sources[4].starts_with(
                "api/client-server/defs/responses.yaml#/not_found/content/application~1json/examples/response/value (line 8"
            ),
            "{}",
            sources[4]
        );
        assert_eq!(
            collection.examples[9].location,
            Location::file(OPS)
                .join("paths")
                .join("/b")
                .join("put")
                .join("responses")
                .join("200")
                .join("content")
                .join("application/json")
                .join("schema")
                .join("example")
        );
    }

    #[test]
    fn counts_refs_bodies_skipped_media_and_nested_examples() {
        let (_dir, spec) = fixture();
        let collection = collect_ops(&spec).unwrap();
        let event = &collection.examples[8];
        assert_eq!((event.inlined_refs, event.overriding_refs), (3, 3));
        assert_eq!(
            collection.counts(),
            Counts {
                operations: 3,
                json_bodies: 7,
                json_bodies_without_example: 1,
                examples: 10,
                media_type_example: 1,
                media_type_examples_entries: 4,
                schema_examples: 5,
                with_refs: 1,
                with_overrides: 1,
                inlined_refs: 3,
                overriding_refs: 3,
                non_json_skipped: 2,
                nested_schema_examples: 2,
            }
        );
        let skipped: Vec<(&str, &str, &str)> = collection
            .non_json
            .iter()
            .map(|n| {
                (
                    n.operation_id.as_str(),
                    n.part.as_str(),
                    n.media_type.as_str(),
                )
            })
            .collect();
        assert_eq!(
            skipped,
            [
                ("putB", "201", "image/png"),
                ("putB", "201", "application/octet-stream")
            ]
        );
        let without: Vec<(&str, &str)> = collection
            .json_bodies
            .iter()
            .filter(|b| b.examples == 0)
            .map(|b| (b.operation_id.as_str(), b.part.as_str()))
            .collect();
        assert_eq!(without, [("getB", "401")]);
        // The nested `n` of the inline response schema, and the one of
        // defs/thing.yaml, reached from two bodies but counted once (and
        // also collected where it is a whole body, getB 400).
        let nested: Vec<String> = collection
            .nested_schema_examples
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            nested,
            [
                "api/client-server/defs/thing.yaml#/properties/n/example",
                "api/client-server/ops.yaml#/paths/~1a/post/responses/200/content/application~1json/schema/properties/n/example",
            ]
        );
        let text = collection.counts().to_string();
        assert!(text.contains("examples collected"), "{text}");
    }

    #[test]
    fn an_operation_without_id_is_named() {
        let (_dir, spec) = spec(&[(OPS, "paths:\n  /x:\n    get:\n      responses: {}\n")]);
        let err = collect_ops(&spec).unwrap_err();
        assert_eq!(
            err.to_string(),
            "api/client-server/ops.yaml#/paths/~1x/get (line 3, column 5): the operation has no `operationId`"
        );
    }

    #[test]
    fn documents_must_be_resolved_roots() {
        let (_dir, spec) = fixture();
        let err = collect(&spec, &["api/client-server/other.yaml".to_owned()]).unwrap_err();
        assert!(matches!(err, ExampleError::NotLoaded { .. }), "{err}");
    }
}
