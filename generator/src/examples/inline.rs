//! Example values with every `$ref` object inlined, the way the spec's own
//! build does it (see the module docs of [`super`]).

use serde_json::{Map, Value};

use super::{Collector, Example, ExampleError, ExampleKind};
use crate::load::Location;

/// `$ref` counts while resolving one example value.
#[derive(Default)]
pub(super) struct RefCounts {
    /// `$ref` objects replaced.
    pub(super) inlined: usize,
    /// Those of them with sibling keys merged over their target.
    pub(super) overriding: usize,
}

impl Collector<'_> {
    /// Collects the example value at `at`.
    pub(super) fn push(
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
    pub(super) fn inline(
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
    use super::super::test_support::*;
    use super::*;
    use serde_json::json;

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
}
