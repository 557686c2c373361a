//! How an `update` (or copied value) merges into a node, and how much it
//! adds, for the size and depth limits.

use serde_json::{Map, Value};

use super::added::Adding;
use super::error::ApplyProblem;
use super::select::Segment;
use super::{Version, is_primitive, kind};

/// The size of `value` as counted for [`MAX_ADDED_SIZE`], and how deeply its
/// collections nest (0 for a primitive, 1 for a flat array or object).
pub(super) fn measure(value: &Value) -> (usize, usize) {
    let mut size = 0usize;
    let mut deepest = 0;
    let mut stack = vec![(value, 0)];
    while let Some((node, level)) = stack.pop() {
        size = size.saturating_add(1);
        match node {
            Value::Object(map) => {
                deepest = deepest.max(level + 1);
                for (key, child) in map {
                    size = size.saturating_add(key.len());
                    stack.push((child, level + 1));
                }
            }
            Value::Array(items) => {
                deepest = deepest.max(level + 1);
                stack.extend(items.iter().map(|child| (child, level + 1)));
            }
            Value::String(text) => size = size.saturating_add(text.len()),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    (size, deepest)
}

/// Merges `update` into `target` recursively; on a clash, `at` holds the
/// path (relative to both) where it happened.
///
/// With `adding`, a key the update creates is recorded as added, and a value
/// it replaces at or below a key an earlier action added is
/// [`ApplyProblem::AddedTwice`]: that would silently drop part of the
/// earlier definition. Merging objects and appending to arrays lose nothing,
/// so they may extend what an earlier action added.
pub(super) fn merge(
    target: &mut Map<String, Value>,
    update: &Map<String, Value>,
    version: Version,
    at: &mut Vec<Segment>,
    adding: &mut Option<Adding<'_>>,
) -> Result<(), ApplyProblem> {
    for (key, new) in update {
        at.push(Segment::Key(key.clone()));
        let Some(old) = target.get_mut(key) else {
            if let Some(adding) = adding {
                adding.fields.by.insert(
                    at.clone(),
                    (adding.file.to_path_buf(), adding.action, adding.application),
                );
            }
            target.insert(key.clone(), new.clone());
            at.pop();
            continue;
        };
        match (old, new) {
            (Value::Object(old), Value::Object(new)) => merge(old, new, version, at, adding)?,
            (Value::Array(old), Value::Array(new)) => old.extend(new.iter().cloned()),
            (old, new) if (is_primitive(old) && is_primitive(new)) || version < Version::V1_1 => {
                if let Some(adding) = adding {
                    adding.check_replace(at)?;
                }
                *old = new.clone();
            }
            (old, new) => {
                return Err(ApplyProblem::IncompatibleMerge {
                    node: kind(old),
                    update: kind(new),
                });
            }
        }
        at.pop();
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::overlay::test_support::*;
    use crate::*;
    use serde_json::json;

    #[test]
    fn update_merges_recursively() {
        let o = overlay(&format!(
            "{HEAD_1_0}actions:
  - target: $.paths['/a'].get
    update:
      summary: new
      tags: [two]
      responses:
        '200': {{description: OK}}
        '404': {{description: Missing}}
"
        ));
        let mut doc = json!({"paths": {"/a": {"get": {
            "summary": "old",
            "operationId": "a",
            "tags": ["one"],
            "responses": {"200": {"description": "old", "content": {}}}
        }}}});
        o.apply(&mut doc, Strictness::RequireMatch).unwrap();
        assert_eq!(
            doc,
            json!({"paths": {"/a": {"get": {
                "summary": "new",
                "operationId": "a",
                "tags": ["one", "two"],
                "responses": {
                    "200": {"description": "OK", "content": {}},
                    "404": {"description": "Missing"}
                }
            }}}})
        );
        // Order is kept: existing keys in place, new keys at the end.
        let keys: Vec<_> = doc["paths"]["/a"]["get"]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["200", "404"]);
    }

    #[test]
    fn array_targets_append_values_and_concatenate_arrays() {
        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.a\n    update: {{n: 1}}\n  - target: $.a\n    update: [2, 3]\n"
        ));
        let mut doc = json!({"a": [0]});
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc, json!({"a": [0, {"n": 1}, 2, 3]}));
    }

    #[test]
    fn primitive_targets_depend_on_the_version() {
        let actions = "actions:\n  - target: $.info.title\n    update: New\n";
        let mut doc = json!({"info": {"title": "Old"}});
        overlay(&format!("{HEAD_1_1}{actions}"))
            .apply(&mut doc, Strictness::Standard)
            .unwrap();
        assert_eq!(doc, json!({"info": {"title": "New"}}));
        let err = overlay(&format!("{HEAD_1_0}{actions}"))
            .apply(&mut doc, Strictness::Standard)
            .unwrap_err();
        assert!(
            matches!(&err, OverlayError::Apply { node, problem: ApplyProblem::PrimitiveInV1_0 { .. }, .. }
                if node.as_deref() == Some("/info/title")),
            "{err:?}"
        );
    }

    #[test]
    fn incompatible_merge_in_1_1_names_both_places() {
        let o = overlay(&format!(
            "{HEAD_1_1}actions:\n  - target: $.paths\n    update: {{'/a': {{get: text}}}}\n"
        ));
        let mut doc = json!({"paths": {"/a": {"get": {"summary": "s"}}}});
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        match &err {
            OverlayError::Apply {
                place,
                node,
                problem,
            } => {
                assert_eq!(place.pointer, "/actions/0/update/~1a/get");
                assert_eq!(node.as_deref(), Some("/paths/~1a/get"));
                assert_eq!(
                    *problem,
                    ApplyProblem::IncompatibleMerge {
                        node: "an object",
                        update: "a string"
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        // 1.0 only says same-named properties are replaced.
        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.paths\n    update: {{'/a': {{get: text}}}}\n"
        ));
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc, json!({"paths": {"/a": {"get": "text"}}}));
    }
}
