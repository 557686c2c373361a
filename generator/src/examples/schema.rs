//! A body schema's own examples, and the examples nested inside it
//! (counted, not collected).

use serde_json::Value;

use super::{
    Collector, ExampleError, ExampleKind, SCHEMA_KEYWORDS, SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
};
use crate::load::Location;

impl Collector<'_> {
    /// The body schema's own examples, then the nested ones (counted).
    pub(super) fn schema(
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
}
