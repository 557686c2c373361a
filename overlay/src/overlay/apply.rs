//! Applying an overlay's actions to a document: selection, `remove`, and
//! `update` or `copy` (merged by [`super::merge`]), all or nothing.

use std::borrow::Cow;

use serde_json::Value;

use super::added::{AddedFields, Adding};
use super::document::Checker;
use super::error::{ApplyProblem, OverlayError};
use super::merge::{measure, merge};
use super::select::{MAX_SELECTED, Segment, lookup, lookup_ref, select, to_pointer};
use super::{Action, Overlay, Strictness, Version, is_primitive, kind};
use crate::yaml;

/// How much the actions of one [`Overlay::apply`] may add to a document in
/// total, counted like [`yaml::MAX_ALIAS_SIZE`]: each node is 1 plus the
/// bytes of its text (strings and keys), and an update or copy counts once
/// per node it is applied to.
///
/// Without a bound, `copy` doubles a node per action (`target: $.a, copy:
/// $.a` on an array), so forty short actions would need a trillion nodes.
/// A million is far above any real overlay and far below what would hurt.
pub const MAX_ADDED_SIZE: usize = 1_000_000;

impl Overlay {
    /// Applies all actions in order to `document`.
    ///
    /// Either every action applies or `document` is left untouched: the
    /// actions run on a copy that replaces `document` only on success.
    ///
    /// # Errors
    ///
    /// [`OverlayError::NoMatch`] (only in [`Strictness::RequireMatch`]) or
    /// [`OverlayError::Apply`], naming the action and the document node.
    pub fn apply(&self, document: &mut Value, mode: Strictness) -> Result<(), OverlayError> {
        self.apply_tracked(document, mode, &mut AddedFields::default())
    }

    /// [`Overlay::apply`], for one of several overlays applied to the same
    /// document: in [`Strictness::RequireMatch`], `added` holds the fields
    /// that earlier overlays added to `document` (start with an empty one)
    /// and gets this overlay's on success, so that a field added by two
    /// overlays is an error too. Ignored in [`Strictness::Standard`].
    ///
    /// # Errors
    ///
    /// As [`Overlay::apply`], and [`ApplyProblem::AddedTwice`].
    pub fn apply_tracked(
        &self,
        document: &mut Value,
        mode: Strictness,
        added: &mut AddedFields,
    ) -> Result<(), OverlayError> {
        let mut working = document.clone();
        let mut working_added = added.clone();
        let mut tracked = (mode == Strictness::RequireMatch).then_some(&mut working_added);
        let mut budget = MAX_ADDED_SIZE;
        for (index, action) in self.actions.iter().enumerate() {
            self.apply_action(
                index,
                action,
                &mut working,
                mode,
                tracked.as_deref_mut(),
                &mut budget,
            )?;
            if let Some(added) = tracked.as_deref_mut() {
                added.applications += 1;
            }
        }
        *document = working;
        *added = working_added;
        Ok(())
    }

    fn checker(&self) -> Checker<'_> {
        Checker {
            file: &self.file,
            source: self.source.as_deref(),
        }
    }

    fn apply_action(
        &self,
        index: usize,
        action: &Action,
        document: &mut Value,
        mode: Strictness,
        mut added: Option<&mut AddedFields>,
        budget: &mut usize,
    ) -> Result<(), OverlayError> {
        let place = |field: &str| {
            self.checker().place(
                Some(index),
                Some(&action.target),
                &format!("/actions/{index}{field}"),
            )
        };
        let fail =
            |field: &str, node: Option<&[Segment]>, problem: ApplyProblem| OverlayError::Apply {
                place: place(field),
                node: node.map(to_pointer),
                problem,
            };
        let too_many = |field: &str, found| {
            fail(
                field,
                None,
                ApplyProblem::TooManySelected {
                    found,
                    limit: MAX_SELECTED,
                },
            )
        };
        let mut targets =
            select(&action.target_path, document).map_err(|found| too_many("/target", found))?;
        if targets.is_empty() {
            return match mode {
                Strictness::Standard => Ok(()),
                Strictness::RequireMatch => Err(OverlayError::NoMatch {
                    place: place("/target"),
                }),
            };
        }
        // Deepest and last first: removing or changing a node then never
        // moves a node that is still to be processed (a later array element,
        // or a descendant of an ancestor that is also selected).
        targets.reverse();
        if action.remove {
            for path in &targets {
                let Some((last, parent)) = path.split_last() else {
                    return Err(fail("/target", Some(path), ApplyProblem::RemoveRoot));
                };
                let removed = match (lookup(document, parent), last) {
                    (Some(Value::Object(map)), Segment::Key(key)) => {
                        map.shift_remove(key).is_some()
                    }
                    (Some(Value::Array(items)), Segment::Index(i)) if *i < items.len() => {
                        items.remove(*i);
                        true
                    }
                    _ => false,
                };
                if !removed {
                    return Err(fail("/target", Some(path), ApplyProblem::Vanished));
                }
                if let Some(added) = added.as_deref_mut() {
                    added.removed(path);
                }
            }
            return Ok(());
        }
        let (value, field) = match (&action.update, &action.copy) {
            (Some(update), _) => (Cow::Borrowed(update), "/update"),
            (None, Some((copy, path))) => {
                let sources = select(path, document).map_err(|found| too_many("/copy", found))?;
                let [source] = sources.as_slice() else {
                    return Err(fail(
                        "/copy",
                        None,
                        ApplyProblem::CopySource {
                            copy: copy.clone(),
                            found: sources.len(),
                        },
                    ));
                };
                let value = lookup_ref(document, source)
                    .cloned()
                    .ok_or_else(|| fail("/copy", Some(source), ApplyProblem::Vanished))?;
                (Cow::Owned(value), "/copy")
            }
            (None, None) => return Ok(()),
        };
        if self.version >= Version::V1_1 {
            let kinds = targets
                .iter()
                .filter_map(|path| lookup_ref(document, path))
                .map(|node| match node {
                    Value::Object(_) => 0,
                    Value::Array(_) => 1,
                    _ => 2,
                })
                .collect::<std::collections::BTreeSet<_>>();
            if kinds.len() > 1 {
                return Err(fail("/target", None, ApplyProblem::MixedTargets));
            }
        }
        // Checked before anything changes: the size is an upper bound on
        // what merging adds, and the depth is exact for each kind of node.
        let (size, depth) = measure(&value);
        *budget = targets
            .len()
            .checked_mul(size)
            .and_then(|adding| budget.checked_sub(adding))
            .ok_or_else(|| {
                fail(
                    field,
                    None,
                    ApplyProblem::TooLarge {
                        limit: MAX_ADDED_SIZE,
                    },
                )
            })?;
        for path in &targets {
            let Some(node) = lookup(document, path) else {
                return Err(fail("/target", Some(path), ApplyProblem::Vanished));
            };
            // An object's or array's own level is `path.len() + 1`; an object
            // update lands on the node, an array's items go into it, any
            // other value becomes one new item.
            let pushed = node.is_array() && !value.is_array();
            if path.len() + depth + usize::from(pushed) > yaml::MAX_DEPTH {
                return Err(fail(
                    field,
                    Some(path),
                    ApplyProblem::TooDeep {
                        limit: yaml::MAX_DEPTH,
                    },
                ));
            }
            let mut adding = added.as_deref_mut().map(|fields| Adding {
                application: fields.applications,
                fields,
                file: &self.file,
                action: index,
            });
            match node {
                Value::Object(map) => {
                    let Value::Object(update) = value.as_ref() else {
                        return Err(fail(
                            field,
                            Some(path),
                            ApplyProblem::ObjectNeedsObject {
                                found: kind(&value),
                            },
                        ));
                    };
                    let mut at = path.clone();
                    if let Err(clash) = merge(map, update, self.version, &mut at, &mut adding) {
                        let inner = to_pointer(&at[path.len()..]);
                        return Err(fail(&format!("{field}{inner}"), Some(&at), clash));
                    }
                }
                Value::Array(items) => match value.as_ref() {
                    Value::Array(more) => items.extend(more.iter().cloned()),
                    other => items.push(other.clone()),
                },
                primitive => {
                    if self.version < Version::V1_1 {
                        return Err(fail(
                            "/target",
                            Some(path),
                            ApplyProblem::PrimitiveInV1_0 {
                                found: kind(primitive),
                            },
                        ));
                    }
                    if !is_primitive(&value) {
                        return Err(fail(
                            field,
                            Some(path),
                            ApplyProblem::PrimitiveNeedsPrimitive {
                                node: kind(primitive),
                                found: kind(&value),
                            },
                        ));
                    }
                    if let Some(adding) = &adding {
                        adding
                            .check_replace(path)
                            .map_err(|clash| fail(field, Some(path), clash))?;
                    }
                    *primitive = value.as_ref().clone();
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::overlay::test_support::*;
    use crate::yaml;
    use serde_json::json;
    use std::path::Path;

    #[test]
    fn require_match_rejects_a_target_that_selects_nothing() {
        let o = overlay(&format!(
            "{HEAD_1_1}actions:\n  - target: $.info\n    update: {{x: 1}}\n  - target: $.paths['/refresh']\n    remove: true\n"
        ));
        let mut doc = json!({"info": {}, "paths": {}});
        let err = o.apply(&mut doc, Strictness::RequireMatch).unwrap_err();
        assert!(matches!(&err, OverlayError::NoMatch { .. }), "{err:?}");
        let place = err.place().unwrap();
        assert_eq!(place.action, Some(1));
        assert_eq!(place.target.as_deref(), Some("$.paths['/refresh']"));
        assert_eq!(place.pointer, "/actions/1/target");
        assert_eq!(err.file(), Path::new("spec/overlays/x.yaml"));
        assert_eq!(
            err.to_string(),
            "overlay spec/overlays/x.yaml: action 1 (target `$.paths['/refresh']`) selects \
             nothing in the document (at `/actions/1/target`)"
        );
        // All or nothing: the first action's change is not kept.
        assert_eq!(doc, json!({"info": {}, "paths": {}}));
        // The standard treats the same thing as a no-op.
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc, json!({"info": {"x": 1}, "paths": {}}));
    }

    #[test]
    fn removes_several_elements_of_one_array() {
        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.list[?@.drop == true]\n    remove: true\n"
        ));
        let mut doc = json!({"list": [
            {"n": 0, "drop": true}, {"n": 1}, {"n": 2, "drop": true}, {"n": 3, "drop": true}, {"n": 4}
        ]});
        o.apply(&mut doc, Strictness::RequireMatch).unwrap();
        assert_eq!(doc, json!({"list": [{"n": 1}, {"n": 4}]}));
    }

    #[test]
    fn removes_nested_selections_and_duplicates_once() {
        // `$..a` selects `/a` and `/a/a`; `$['k','k']` selects one node twice.
        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $..a\n    remove: true\n  - target: \"$.list[0,0,2]\"\n    remove: true\n"
        ));
        let mut doc = json!({"a": {"a": 1}, "b": 2, "list": [0, 1, 2, 3]});
        o.apply(&mut doc, Strictness::RequireMatch).unwrap();
        assert_eq!(doc, json!({"b": 2, "list": [1, 3]}));
    }

    #[test]
    fn remove_wins_over_update_and_root_cannot_be_removed() {
        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.a\n    update: {{x: 1}}\n    remove: true\n"
        ));
        let mut doc = json!({"a": {}, "b": 1});
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc, json!({"b": 1}));

        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $\n    remove: true\n"
        ));
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        assert!(
            matches!(
                &err,
                OverlayError::Apply {
                    problem: ApplyProblem::RemoveRoot,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn copy_merges_the_single_source_node() {
        let o = overlay(&format!(
            "{HEAD_1_1}actions:\n  - target: $.paths['/bar']\n    copy: $.paths['/foo']\n"
        ));
        let mut doc = json!({"paths": {"/foo": {"get": {"x": 1}}, "/bar": {"put": {}}}});
        o.apply(&mut doc, Strictness::RequireMatch).unwrap();
        assert_eq!(
            doc,
            json!({"paths": {"/foo": {"get": {"x": 1}}, "/bar": {"put": {}, "get": {"x": 1}}}})
        );

        let o = overlay(&format!(
            "{HEAD_1_1}actions:\n  - target: $.paths['/bar']\n    copy: $.paths.*\n"
        ));
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        assert!(
            matches!(&err, OverlayError::Apply { place, problem: ApplyProblem::CopySource { found: 2, .. }, .. }
                if place.pointer == "/actions/0/copy"),
            "{err:?}"
        );
    }

    // Regression tests for what fuzzing turned up (then with the
    // generator's `spec_loader` target; now `fuzz/parse_and_apply`, and
    // the repository's RELIABILITY.md "Property tests and fuzzing"): each input
    // exhausted memory or time, or overflowed the stack, before its fix.

    #[test]
    fn copy_that_doubles_a_node_stops_at_the_size_budget() {
        // 40 actions doubling `a`: 2^40 elements before the budget.
        let o = overlay(&actions(
            "1.1.0",
            (0..40).map(|i| format!("  - {{target: $.a, copy: $.a, description: '{i}'}}\n")),
        ));
        let mut doc = json!({"a": [1]});
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        assert_eq!(
            apply_problem(&err),
            &ApplyProblem::TooLarge {
                limit: MAX_ADDED_SIZE
            }
        );
        // The budget ran out at action 19 (2^19 elements plus the 2^19 copied).
        assert!(err.to_string().contains("action 19"), "{err}");
        assert_eq!(doc, json!({"a": [1]}), "a failed overlay changes nothing");
        // Up to the budget, copies apply.
        let o = overlay(&actions(
            "1.1.0",
            (0..10).map(|i| format!("  - {{target: $.a, copy: $.a, description: '{i}'}}\n")),
        ));
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc["a"].as_array().map(Vec::len), Some(1024));
    }

    #[test]
    fn updates_cannot_nest_deeper_than_parsed_yaml() {
        // Each action hangs a 240-level update below the previous one; 110 of
        // them made a document 26,000 levels deep, whose paths took
        // gigabytes.
        let o = overlay(&actions(
            "1.0.0",
            (0..110).map(|i| {
                let deep = format!("{}{{m: {}}}{}", "[".repeat(240), i + 1, "]".repeat(240));
                format!("  - target: $..[?@.m == {i}]\n    update: {{k: {deep}}}\n")
            }),
        ));
        let mut doc = json!({"a": {"m": 0}});
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        assert_eq!(
            apply_problem(&err),
            &ApplyProblem::TooDeep {
                limit: yaml::MAX_DEPTH
            }
        );
        assert!(err.to_string().contains("action 1 "), "{err}");
        // Exactly at the limit is fine. The target is 199 levels down (the
        // root is level 1), so its object is level 200 and an update with
        // 56 levels of arrays below its key reaches level 256.
        let mut deep = json!({});
        for _ in 0..200 {
            deep = json!({ "n": deep });
        }
        let update = |arrays: usize| {
            let value = format!("{}1{}", "[".repeat(arrays), "]".repeat(arrays));
            let target = format!("${}", ".n".repeat(199));
            overlay(&actions(
                "1.0.0",
                [format!(
                    "  - target: {target}\n    update: {{k: {value}}}\n"
                )],
            ))
        };
        update(56)
            .apply(&mut deep.clone(), Strictness::Standard)
            .unwrap();
        let err = update(57)
            .apply(&mut deep, Strictness::Standard)
            .unwrap_err();
        assert!(
            matches!(apply_problem(&err), ApplyProblem::TooDeep { .. }),
            "{err}"
        );
    }
}
