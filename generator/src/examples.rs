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

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value};

use crate::load::Location;
use crate::resolve::{ResolveError, ResolvedSpec};

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

/// Why the examples could not be collected. Each names the file and JSON
/// pointer at fault (with line and column when known).
#[derive(Debug, thiserror::Error)]
pub enum ExampleError {
    /// Following a `$ref` to a response, request body, example or schema
    /// failed.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// A document to collect from was not loaded by the resolve stage.
    #[error("{file}: the document is not loaded: it must be one of the resolved roots")]
    NotLoaded {
        /// The document, relative to `data/`.
        file: String,
    },
    /// The spec has an unexpected shape where an example is looked for.
    #[error("{at}: {message}")]
    Invalid {
        /// Where, with line when known.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// A `$ref` inside an example value that the resolve stage did not
    /// index (so it cannot be followed).
    #[error("{at}: the `$ref` in this example was not resolved when the spec was loaded")]
    UnresolvedRef {
        /// Where the `$ref` object is.
        at: String,
    },
    /// A `$ref` inside an example value with sibling keys, whose target is
    /// not an object the siblings could be merged into.
    #[error(
        "{at}: this `$ref` has sibling keys to merge into its target {target}, which is not an object"
    )]
    SiblingsOnNonObject {
        /// Where the `$ref` object is.
        at: String,
        /// Where it points.
        target: String,
    },
    /// `$ref`s inside example values that include themselves.
    #[error("$ref cycle in an example: {}", .chain.iter().map(ToString::to_string).collect::<Vec<_>>().join(" -> "))]
    Cycle {
        /// The `$ref` targets on the cycle, in order.
        chain: Vec<Location>,
    },
    /// An Example Object with `externalValue` (a URL), which is not
    /// followed.
    #[error(
        "{at}: `externalValue` examples are not supported: give the example as `value` (a `$ref` to a file is fine)"
    )]
    ExternalValue {
        /// Where the Example Object is.
        at: String,
    },
}

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

/// Everything [`collect`] found.
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

/// `$ref` counts while resolving one example value.
#[derive(Default)]
struct RefCounts {
    inlined: usize,
    overriding: usize,
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

    fn document(&mut self, file: &str) -> Result<(), ExampleError> {
        let root_at = Location::file(file);
        let spec = self.spec;
        let Some(root) = spec.files().get(file).map(|f| &f.value) else {
            return Err(ExampleError::NotLoaded {
                file: file.to_owned(),
            });
        };
        let Some(paths) = root.get("paths") else {
            return Ok(());
        };
        let paths_at = root_at.join("paths");
        for path in self.object(&paths_at, paths, "`paths`")?.keys() {
            let item = spec.deref(&paths_at.join(path))?;
            let item_node = self.object(&item.location, item.node, "a path item")?;
            for method in HTTP_METHODS {
                if item_node.contains_key(*method) {
                    self.operation(&item.location.join(method))?;
                }
            }
        }
        Ok(())
    }

    fn operation(&mut self, at: &Location) -> Result<(), ExampleError> {
        let spec = self.spec;
        let op = spec.deref(at)?;
        let at = op.location.clone();
        let node = self.object(&at, op.node, "an operation")?;
        let operation_id = node
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| self.invalid(&at, "the operation has no `operationId`"))?;
        self.out.operations += 1;
        if node.contains_key("requestBody") {
            self.body(operation_id, "request", &at.join("requestBody"))?;
        }
        if let Some(responses) = node.get("responses") {
            let responses_at = at.join("responses");
            let responses = self.object(&responses_at, responses, "`responses`")?;
            for status in responses.keys() {
                self.body(operation_id, status, &responses_at.join(status))?;
            }
        }
        Ok(())
    }

    /// A request body or response (or a `$ref` to one).
    fn body(&mut self, operation_id: &str, part: &str, at: &Location) -> Result<(), ExampleError> {
        let spec = self.spec;
        let body = spec.deref(at)?;
        let node = self.object(&body.location, body.node, "a request body or response")?;
        let Some(content) = node.get("content") else {
            return Ok(());
        };
        let content_at = body.location.join("content");
        for (media_type, _) in self.object(&content_at, content, "`content`")? {
            let media_at = content_at.join(media_type);
            if media_type != JSON {
                self.out.non_json.push(NonJson {
                    operation_id: operation_id.to_owned(),
                    part: part.to_owned(),
                    media_type: media_type.clone(),
                    source: self.describe(&media_at),
                });
                continue;
            }
            let before = self.out.examples.len();
            self.media_type(operation_id, part, &media_at)?;
            self.out.json_bodies.push(JsonBody {
                operation_id: operation_id.to_owned(),
                part: part.to_owned(),
                source: self.describe(&media_at),
                examples: self.out.examples.len() - before,
            });
        }
        Ok(())
    }

    fn media_type(
        &mut self,
        operation_id: &str,
        part: &str,
        at: &Location,
    ) -> Result<(), ExampleError> {
        let spec = self.spec;
        let media = spec.deref(at)?;
        let at = media.location.clone();
        let node = self.object(&at, media.node, "a media type object")?;
        if node.contains_key("example") {
            self.push(
                operation_id,
                part,
                ExampleKind::MediaType,
                &at.join("example"),
            )?;
        }
        if let Some(examples) = node.get("examples") {
            let examples_at = at.join("examples");
            for name in self.object(&examples_at, examples, "`examples`")?.keys() {
                let entry = spec.deref(&examples_at.join(name))?;
                let entry_node = self.object(&entry.location, entry.node, "an Example Object")?;
                if entry_node.contains_key("value") {
                    let kind = ExampleKind::MediaTypeEntry { name: name.clone() };
                    self.push(operation_id, part, kind, &entry.location.join("value"))?;
                } else if entry_node.contains_key("externalValue") {
                    return Err(ExampleError::ExternalValue {
                        at: self.describe(&entry.location),
                    });
                } else {
                    return Err(self.invalid(&entry.location, "the Example Object has no `value`"));
                }
            }
        }
        if node.contains_key("schema") {
            self.schema(operation_id, part, &at.join("schema"))?;
        }
        Ok(())
    }

    /// The body schema's own examples, then the nested ones (counted).
    fn schema(
        &mut self,
        operation_id: &str,
        part: &str,
        at: &Location,
    ) -> Result<(), ExampleError> {
        let spec = self.spec;
        let schema = spec.deref(at)?;
        // The outermost `$ref` object's sibling wins over its target's, as
        // in the spec's build (siblings are set over the target).
        let holders = schema
            .via
            .iter()
            .map(|(l, n)| (l, *n))
            .chain([(&schema.location, schema.node)]);
        let mut example = None;
        let mut examples = None;
        for (holder_at, holder) in holders {
            if example.is_none() && holder.get("example").is_some() {
                example = Some(holder_at.join("example"));
            }
            if examples.is_none()
                && let Some(list) = holder.get("examples")
            {
                let list_at = holder_at.join("examples");
                let Some(list) = list.as_array() else {
                    return Err(self.invalid(&list_at, "a schema's `examples` must be a list"));
                };
                examples = Some((list_at, list.len()));
            }
        }
        if let Some(example_at) = example {
            self.push(operation_id, part, ExampleKind::Schema, &example_at)?;
        }
        if let Some((list_at, len)) = examples {
            for index in 0..len {
                let kind = ExampleKind::SchemaList { index };
                self.push(operation_id, part, kind, &list_at.join(index))?;
            }
        }
        self.schema_children(&schema.location, schema.node)
    }

    /// Counts the examples on every schema below the schema `node` at `at`.
    fn schema_children(&mut self, at: &Location, node: &Value) -> Result<(), ExampleError> {
        let Some(node) = node.as_object() else {
            return Ok(());
        };
        let mut children = Vec::new();
        for keyword in SCHEMA_KEYWORDS {
            if node.get(*keyword).is_some_and(Value::is_object) {
                children.push(at.join(keyword));
            }
        }
        for keyword in SCHEMA_LIST_KEYWORDS {
            if let Some(list) = node.get(*keyword).and_then(Value::as_array) {
                let list_at = at.join(keyword);
                children.extend((0..list.len()).map(|index| list_at.join(index)));
            }
        }
        for keyword in SCHEMA_MAP_KEYWORDS {
            if let Some(map) = node.get(*keyword).and_then(Value::as_object) {
                let map_at = at.join(keyword);
                children.extend(map.keys().map(|key| map_at.join(key)));
            }
        }
        for child in children {
            self.nested_schema(&child)?;
        }
        Ok(())
    }

    fn nested_schema(&mut self, at: &Location) -> Result<(), ExampleError> {
        let spec = self.spec;
        let schema = spec.deref(at)?;
        let holders = schema
            .via
            .iter()
            .map(|(l, n)| (l, *n))
            .chain([(&schema.location, schema.node)]);
        for (holder_at, holder) in holders {
            for keyword in ["example", "examples"] {
                if holder.get(keyword).is_some() {
                    self.out
                        .nested_schema_examples
                        .insert(holder_at.join(keyword));
                }
            }
        }
        if !self.walked.insert(schema.location.clone()) {
            return Ok(());
        }
        self.schema_children(&schema.location, schema.node)
    }

    /// Collects the example value at `at`.
    fn push(
        &mut self,
        operation_id: &str,
        part: &str,
        kind: ExampleKind,
        at: &Location,
    ) -> Result<(), ExampleError> {
        let node = self
            .spec
            .files()
            .node(at)
            .ok_or_else(|| self.invalid(at, "the example vanished"))?;
        let mut counts = RefCounts::default();
        let value = self.inline(at, node, &mut Vec::new(), &mut counts)?;
        self.out.examples.push(Example {
            operation_id: operation_id.to_owned(),
            part: part.to_owned(),
            kind,
            source: self.describe(at),
            location: at.clone(),
            value,
            inlined_refs: counts.inlined,
            overriding_refs: counts.overriding,
        });
        Ok(())
    }

    /// `node` (at `at`) with every `$ref` object replaced by its target,
    /// the `$ref`'s siblings merged over it (see the module docs).
    /// `stack` holds the targets being inlined, to detect cycles.
    fn inline(
        &self,
        at: &Location,
        node: &Value,
        stack: &mut Vec<Location>,
        counts: &mut RefCounts,
    ) -> Result<Value, ExampleError> {
        match node {
            Value::Object(map) if map.contains_key("$ref") => {
                let target = self
                    .spec
                    .target(at)
                    .ok_or_else(|| ExampleError::UnresolvedRef {
                        at: self.describe(at),
                    })?;
                if stack.contains(target) {
                    let mut chain = stack.clone();
                    chain.push(target.clone());
                    return Err(ExampleError::Cycle { chain });
                }
                let target_node =
                    self.spec
                        .files()
                        .node(target)
                        .ok_or_else(|| ExampleError::UnresolvedRef {
                            at: self.describe(at),
                        })?;
                stack.push(target.clone());
                let mut value = self.inline(target, target_node, stack, counts)?;
                stack.pop();
                counts.inlined += 1;
                let siblings: Vec<(&String, &Value)> =
                    map.iter().filter(|(key, _)| *key != "$ref").collect();
                if !siblings.is_empty() {
                    counts.overriding += 1;
                    let Value::Object(merged) = &mut value else {
                        return Err(ExampleError::SiblingsOnNonObject {
                            at: self.describe(at),
                            target: self.describe(target),
                        });
                    };
                    for (key, sibling) in siblings {
                        let sibling = self.inline(&at.join(key), sibling, stack, counts)?;
                        merged.insert(key.clone(), sibling);
                    }
                }
                Ok(value)
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, child) in map {
                    out.insert(
                        key.clone(),
                        self.inline(&at.join(key), child, stack, counts)?,
                    );
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, child)| self.inline(&at.join(index), child, stack, counts))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            scalar => Ok(scalar.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::load::SpecFiles;
    use crate::resolve::resolve;
    use serde_json::json;
    use std::fs;
    use std::path::PathBuf;

    const OPS: &str = "api/client-server/ops.yaml";

    /// A spec in a temp dir, resolved from `api/client-server/ops.yaml`.
    fn spec(files: &[(&str, &str)]) -> (tempfile::TempDir, ResolvedSpec) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("data/api/client-server")).unwrap();
        for (path, text) in files {
            let full = dir.path().join("data").join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, text).unwrap();
        }
        let files = SpecFiles::open(dir.path()).unwrap();
        let spec = resolve(files, &[OPS.to_owned()]).unwrap();
        (dir, spec)
    }

    fn collect_ops(spec: &ResolvedSpec) -> Result<Collection, ExampleError> {
        collect(spec, &[OPS.to_owned()])
    }

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

    fn one_example(value_yaml: &str, extra: &[(&str, &str)]) -> Result<Collection, ExampleError> {
        let ops = format!(
            "paths:\n  /x:\n    get:\n      operationId: getX\n      responses:\n        \"200\":\n          description: x\n          content:\n            application/json:\n              examples:\n                response:\n{value_yaml}\n"
        );
        let mut files = vec![(OPS, ops.as_str())];
        files.extend_from_slice(extra);
        let (_dir, spec) = spec(&files);
        collect_ops(&spec)
    }

    #[test]
    fn ref_with_siblings_into_a_non_object_is_an_error() {
        let err = one_example(
            r#"                  value: {"$ref": "../../examples/s.json", "x": 1}"#,
            &[("examples/s.json", r#""just text""#)],
        )
        .unwrap_err();
        assert!(
            matches!(err, ExampleError::SiblingsOnNonObject { .. }),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains("ops.yaml#/paths/~1x/get/responses/200/content/application~1json/examples/response/value (line"),
            "{text}"
        );
        assert!(text.contains("examples/s.json#"), "{text}");
    }

    #[test]
    fn ref_without_siblings_may_point_at_anything() {
        let collection = one_example(
            r#"                  value: {"list": [{"$ref": "../../examples/s.json"}]}"#,
            &[("examples/s.json", r#""just text""#)],
        )
        .unwrap();
        assert_eq!(collection.examples[0].value, json!({"list": ["just text"]}));
        assert_eq!(collection.examples[0].inlined_refs, 1);
        assert_eq!(collection.examples[0].overriding_refs, 0);
    }

    #[test]
    fn cycles_through_example_files_are_errors() {
        let err = one_example(
            r#"                  value: {"$ref": "../../examples/a.json"}"#,
            &[("examples/a.json", r#"{"inner": {"$ref": "a.json"}}"#)],
        )
        .unwrap_err();
        assert!(matches!(err, ExampleError::Cycle { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("examples/a.json# -> examples/a.json#"),
            "{err}"
        );
    }

    #[test]
    fn external_values_are_refused() {
        let err = one_example(
            "                  externalValue: https://example.org/x.json",
            &[],
        )
        .unwrap_err();
        assert!(matches!(err, ExampleError::ExternalValue { .. }), "{err}");
        assert!(
            err.to_string().contains("examples/response (line 11"),
            "{err}"
        );
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
}
