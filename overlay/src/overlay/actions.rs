//! Validating the `actions` of an overlay document: fields, types, JSONPath
//! queries (within their cost limits) and duplicates.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use serde_json::Value;
use serde_json_path::JsonPath;

use super::document::Checker;
use super::error::{OverlayError, Problem};
use super::query::{parse_json_path, too_costly};
use super::{Action, Version, escape, is_extension, kind};

impl Checker<'_> {
    pub(super) fn actions(
        &self,
        value: Option<&Value>,
        version: Version,
    ) -> Result<Vec<Action>, OverlayError> {
        let items = match value {
            None => return Err(self.invalid("", Problem::Missing { field: "actions" })),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(self.invalid(
                    "/actions",
                    Problem::WrongType {
                        field: "actions",
                        expected: "an array",
                        found: kind(other),
                    },
                ));
            }
        };
        if items.is_empty() {
            return Err(self.invalid("/actions", Problem::NoActions));
        }
        let mut actions = Vec::with_capacity(items.len());
        // Earlier actions by hash, so that each action is compared in full
        // only with the few that hash alike, not with every earlier one
        // (which took seconds for a thousand actions sharing a large
        // aliased `update`).
        let mut seen: HashMap<u64, Vec<usize>> = HashMap::new();
        for (index, item) in items.iter().enumerate() {
            let action = self.action(index, item, version)?;
            let alike = seen.entry(structural_hash(item)).or_default();
            // `Value`'s equality ignores key order, which is the JSON
            // Schema `uniqueItems` notion of "identical".
            let first = alike
                .iter()
                .copied()
                .find(|&earlier| items[earlier] == *item);
            alike.push(index);
            if let Some(first) = first {
                return Err(self.invalid_action(
                    index,
                    Some(&action.target),
                    &format!("/actions/{index}"),
                    Problem::DuplicateAction { first },
                ));
            }
            actions.push(action);
        }
        Ok(actions)
    }

    fn action(
        &self,
        index: usize,
        value: &Value,
        version: Version,
    ) -> Result<Action, OverlayError> {
        let base = format!("/actions/{index}");
        let Some(action) = value.as_object() else {
            return Err(self.invalid_action(
                index,
                None,
                &base,
                Problem::ActionNotObject { found: kind(value) },
            ));
        };
        let target = action.get("target").and_then(Value::as_str);
        let fail = |field: &str, problem: Problem| {
            let pointer = if field.is_empty() {
                base.clone()
            } else {
                format!("{base}/{}", escape(field))
            };
            self.invalid_action(index, target, &pointer, problem)
        };
        for key in action.keys() {
            match key.as_str() {
                "target" | "description" | "update" | "remove" => {}
                "copy" if version < Version::V1_1 => {
                    return Err(fail(
                        key,
                        Problem::NotInVersion {
                            field: "copy",
                            version,
                        },
                    ));
                }
                "copy" => {}
                _ if is_extension(key) => {}
                _ => {
                    return Err(fail(
                        key,
                        Problem::UnknownField {
                            key: key.clone(),
                            allowed: if version < Version::V1_1 {
                                "`target`, `description`, `update`, `remove`"
                            } else {
                                "`target`, `description`, `update`, `remove`, `copy`"
                            },
                        },
                    ));
                }
            }
        }
        let string = |field: &'static str| -> Result<Option<String>, OverlayError> {
            match action.get(field) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(other) => Err(fail(
                    field,
                    Problem::WrongType {
                        field,
                        expected: "a string",
                        found: kind(other),
                    },
                )),
            }
        };
        let json_path = |field: &'static str, text: &str| -> Result<JsonPath, OverlayError> {
            if !text.starts_with('$') {
                return Err(fail(field, Problem::NotRooted { field }));
            }
            // Before parsing: the parser itself is exponential in nested
            // filters and recursive in nested brackets.
            if let Some(reason) = too_costly(text) {
                return Err(fail(field, Problem::TooCostly { field, reason }));
            }
            parse_json_path(text).map_err(|error| {
                fail(
                    field,
                    Problem::InvalidJsonPath {
                        field,
                        message: error.to_string(),
                    },
                )
            })
        };
        let target_text =
            string("target")?.ok_or_else(|| fail("", Problem::Missing { field: "target" }))?;
        let target_path = json_path("target", &target_text)?;
        let description = string("description")?;
        let remove = match action.get("remove") {
            None => false,
            Some(Value::Bool(remove)) => *remove,
            Some(other) => {
                return Err(fail(
                    "remove",
                    Problem::WrongType {
                        field: "remove",
                        expected: "a boolean",
                        found: kind(other),
                    },
                ));
            }
        };
        let copy = match string("copy")? {
            Some(text) => {
                let path = json_path("copy", &text)?;
                Some((text, path))
            }
            None => None,
        };
        Ok(Action {
            target: target_text,
            target_path,
            description,
            update: action.get("update").cloned(),
            remove,
            copy,
        })
    }
}

/// A hash of `value` consistent with its `==`: object keys in any order,
/// and numbers equal as `serde_json` compares them.
fn structural_hash(value: &Value) -> u64 {
    fn feed(value: &Value, hasher: &mut DefaultHasher) {
        match value {
            Value::Null => 0u8.hash(hasher),
            Value::Bool(b) => (1u8, b).hash(hasher),
            Value::Number(n) => {
                2u8.hash(hasher);
                // Integers compare by value within their kind; floats by
                // `f64` equality, under which 0.0 == -0.0.
                if let Some(u) = n.as_u64() {
                    (0u8, u).hash(hasher);
                } else if let Some(i) = n.as_i64() {
                    (1u8, i).hash(hasher);
                } else if let Some(f) = n.as_f64() {
                    let f = if f == 0.0 { 0.0 } else { f };
                    (2u8, f.to_bits()).hash(hasher);
                }
            }
            Value::String(text) => (3u8, text).hash(hasher),
            Value::Array(items) => {
                (4u8, items.len()).hash(hasher);
                for item in items {
                    feed(item, hasher);
                }
            }
            Value::Object(map) => {
                (5u8, map.len()).hash(hasher);
                // Order-independent: the entries' own hashes, summed.
                let mut sum = 0u64;
                for (key, item) in map {
                    let mut entry = DefaultHasher::new();
                    key.hash(&mut entry);
                    feed(item, &mut entry);
                    sum = sum.wrapping_add(entry.finish());
                }
                sum.hash(hasher);
            }
        }
    }
    let mut hasher = DefaultHasher::new();
    feed(value, &mut hasher);
    hasher.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::overlay::test_support::*;
    use crate::yaml;
    use crate::*;
    use std::path::Path;

    #[test]
    fn invalid_jsonpath_points_at_the_target() {
        let err = overlay_err(&format!("{HEAD_1_0}actions:\n  - target: $.paths[\n"));
        match &err {
            OverlayError::Invalid { place, problem } => {
                assert_eq!(place.action, Some(0));
                assert_eq!(place.target.as_deref(), Some("$.paths["));
                assert_eq!(place.pointer, "/actions/0/target");
                assert_eq!(place.file, Path::new("spec/overlays/x.yaml"));
                assert!(matches!(
                    problem,
                    Problem::InvalidJsonPath {
                        field: "target",
                        ..
                    }
                ));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().starts_with("overlay spec/overlays/x.yaml: action 0 (target `$.paths[`): `target` is not a valid RFC 9535 JSONPath"), "{err}");
        let err = overlay_err(&format!("{HEAD_1_0}actions:\n  - target: info.title\n"));
        assert!(
            matches!(
                &err,
                OverlayError::Invalid {
                    problem: Problem::NotRooted { field: "target" },
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn copy_is_rejected_in_1_0() {
        let actions = "actions:\n  - target: $.a\n    copy: $.b\n";
        let err = overlay_err(&format!("{HEAD_1_0}{actions}"));
        assert!(
            matches!(&err, OverlayError::Invalid { place, problem: Problem::NotInVersion { field: "copy", version: Version::V1_0 } }
                if place.pointer == "/actions/0/copy"),
            "{err:?}"
        );
        assert_eq!(
            overlay(&format!("{HEAD_1_1}{actions}")).actions()[0].copy(),
            Some("$.b")
        );
    }

    #[test]
    fn actions_sharing_one_aliased_update_load_and_duplicates_compare_exactly() {
        // 1,181 actions sharing one aliased 800-element update were compared
        // pairwise: over ten seconds. (Now that aliased text counts towards
        // the alias budget, 400 elements is what fits.) Tests assert no
        // timings: this checks that the hashed comparison still finds
        // exactly the duplicates `==` finds.
        let big = vec!["1"; 400].join(",");
        let text = actions(
            "1.0.0",
            std::iter::once(format!(
                "  - {{update: &big [{big}], target: $.a, description: x}}\n"
            ))
            .chain(
                (0..1180)
                    .map(|i| format!("  - {{update: *big, target: $.a, description: '{i}'}}\n")),
            ),
        );
        assert_eq!(overlay(&text).actions().len(), 1181);
        // Still exactly `==`: key order does not matter, 1 and 1.0 differ,
        // 0.0 and -0.0 do not.
        let dup = |a: &str, b: &str| {
            let text = actions(
                "1.0.0",
                [
                    format!("  - {{target: $.a, update: {a}}}\n"),
                    format!("  - {{target: $.a, update: {b}}}\n"),
                ],
            );
            let value = yaml::parse(&text, Path::new("x.yaml")).unwrap();
            match Overlay::from_value(Path::new("x.yaml"), &value) {
                Ok(_) => false,
                Err(OverlayError::Invalid {
                    problem: Problem::DuplicateAction { first: 0 },
                    ..
                }) => true,
                Err(other) => panic!("{other}"),
            }
        };
        assert!(dup("{x: 1, y: [a, {b: c}]}", "{y: [a, {b: c}], x: 1}"));
        assert!(!dup("{x: 1}", "{x: 1.0}"));
        assert!(dup("{x: 0.0}", "{x: -0.0}"));
        assert!(!dup("{x: [a, b]}", "{x: [b, a]}"));
        assert!(!dup("{x: {a: 1, b: 2}}", "{x: {a: 2, b: 1}}"));
    }
}
