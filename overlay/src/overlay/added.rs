//! The fields that actions added, so that in strict mode a later action
//! replacing a value inside one is an error ("added twice").

use std::path::{Path, PathBuf};

use super::error::ApplyProblem;
use super::select::{Segment, to_pointer};

/// The fields (object keys) that overlay actions added to one document, and
/// which action added each (see [`Overlay::apply_tracked`](crate::Overlay::apply_tracked)).
#[derive(Debug, Clone, Default)]
pub struct AddedFields {
    /// Document path of each added key → overlay file, action index, and
    /// the number of the application of that action.
    pub(super) by: std::collections::BTreeMap<Vec<Segment>, (PathBuf, usize, u64)>,
    /// Applications of actions so far.
    pub(super) applications: u64,
}

/// The action that is merging an update, recording what it adds.
pub(super) struct Adding<'a> {
    pub(super) fields: &'a mut AddedFields,
    pub(super) file: &'a Path,
    pub(super) action: usize,
    /// Which application of the action this is: one application may meet
    /// its own additions (a target that selects a node and its parent).
    pub(super) application: u64,
}

impl Adding<'_> {
    /// [`ApplyProblem::AddedTwice`] if the value at `path` is, or is inside,
    /// a field that another application of an action added.
    pub(super) fn check_replace(&self, path: &[Segment]) -> Result<(), ApplyProblem> {
        let earlier = (1..=path.len()).rev().find_map(|len| {
            let field = &path[..len];
            self.fields
                .by
                .get(field)
                .filter(|(_, _, application)| *application != self.application)
                .map(|record| (field, record))
        });
        match earlier {
            Some((field, (file, action, _))) => Err(ApplyProblem::AddedTwice {
                file: file.clone(),
                action: *action,
                field: to_pointer(field),
            }),
            None => Ok(()),
        }
    }
}

impl AddedFields {
    /// Forgets what was added at or below `removed`, and, when it was an
    /// array element, moves the records of the later elements down by one,
    /// as the removal moved the elements themselves.
    pub(super) fn removed(&mut self, removed: &[Segment]) {
        let Some((Segment::Index(index), array)) = removed.split_last() else {
            self.by.retain(|at, _| !at.starts_with(removed));
            return;
        };
        let below: Vec<_> = self
            .by
            .range(array.to_vec()..)
            .take_while(|(at, _)| at.starts_with(array))
            .filter(|(at, _)| at.len() > array.len())
            .map(|(at, _)| at.clone())
            .collect();
        for at in below {
            let Some(Segment::Index(i)) = at.get(array.len()) else {
                continue;
            };
            let i = *i;
            if i < *index {
                continue;
            }
            let Some(record) = self.by.remove(&at) else {
                continue;
            };
            if i > *index {
                let mut moved = at;
                moved[array.len()] = Segment::Index(i - 1);
                self.by.insert(moved, record);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::overlay::test_support::*;
    use crate::*;
    use serde_json::json;

    #[test]
    fn require_match_rejects_a_field_added_twice() {
        let o = overlay(&format!(
            "{HEAD_1_0}actions:
  - target: $.props
    update: {{lifetime: {{type: integer}}}}
  - target: $.props
    update: {{lifetime: {{type: string}}}}
"
        ));
        let mut doc = json!({"props": {"token": {"type": "string"}}});
        let before = doc.clone();
        let err = o.apply(&mut doc, Strictness::RequireMatch).unwrap_err();
        assert_eq!(doc, before, "nothing applied");
        assert!(
            matches!(
                &err,
                OverlayError::Apply {
                    place,
                    node: Some(node),
                    problem: ApplyProblem::AddedTwice { action: 0, .. },
                } if place.action == Some(1)
                    && place.pointer == "/actions/1/update/lifetime/type"
                    && node == "/props/lifetime/type"
            ),
            "{err:?}"
        );
        // The standard: the later value wins.
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc["props"]["lifetime"]["type"], "string");
    }

    /// Whichever node the second action targets, replacing a value inside a
    /// field an earlier action added is an error; extending it is not.
    #[test]
    fn require_match_rejects_replacing_inside_an_added_field_at_any_depth() {
        let first = "  - target: $.props\n    update: {lifetime: {type: integer, enum: [1]}}\n";
        let doc = json!({"props": {"token": {"type": "string"}}});
        for (second, pointer, node) in [
            (
                "  - target: $.props.lifetime\n    update: {type: string}\n",
                "/actions/1/update/type",
                "/props/lifetime/type",
            ),
            (
                "  - target: $.props.lifetime.type\n    update: string\n",
                "/actions/1/update",
                "/props/lifetime/type",
            ),
        ] {
            let o = overlay(&format!("{HEAD_1_1}actions:\n{first}{second}"));
            let mut copy = doc.clone();
            let err = o.apply(&mut copy, Strictness::RequireMatch).unwrap_err();
            assert_eq!(copy, doc, "nothing applied");
            assert!(
                matches!(
                    &err,
                    OverlayError::Apply {
                        place,
                        node: Some(at),
                        problem: ApplyProblem::AddedTwice { action: 0, .. },
                    } if place.action == Some(1) && place.pointer == pointer && at == node
                ),
                "{second}: {err:?}"
            );
        }
        // New keys and array items extend the added field: nothing is lost.
        let o = overlay(&format!(
            "{HEAD_1_1}actions:\n{first}  - target: $.props\n    update: {{lifetime: {{x-note: n, enum: [2]}}}}\n"
        ));
        let mut copy = doc.clone();
        o.apply(&mut copy, Strictness::RequireMatch).unwrap();
        assert_eq!(
            copy["props"]["lifetime"],
            json!({"type": "integer", "enum": [1, 2], "x-note": "n"})
        );
    }

    #[test]
    fn removing_an_array_element_keeps_the_records_of_the_others() {
        let add = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.list[*]\n    update: {{x: 1}}\n"
        ));
        let remove_first = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.list[0]\n    remove: true\n"
        ));
        let mut doc = json!({"list": [{}, {}, {}]});
        let mut added = AddedFields::default();
        add.apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap();
        remove_first
            .apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap();
        // The two elements left moved down and still carry the added `x`.
        let keys: Vec<_> = added.by.keys().map(|at| to_pointer(at)).collect();
        assert_eq!(keys, ["/list/0/x", "/list/1/x"]);
        let err = add
            .apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap_err();
        assert!(
            matches!(
                &err,
                OverlayError::Apply {
                    node: Some(node),
                    problem: ApplyProblem::AddedTwice { action: 0, .. },
                    ..
                } if node == "/list/1/x"
            ),
            "{err:?}"
        );
    }

    #[test]
    fn added_fields_are_tracked_across_overlays_and_forgotten_when_removed() {
        let add = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.list[*]\n    update: {{x: 1}}\n"
        ));
        let mut doc = json!({"list": [{}, {"x": 0}], "fixed": {"x": 0}});
        let mut added = AddedFields::default();
        // Changing what the spec has is not adding twice.
        add.apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap();
        assert_eq!(
            doc,
            json!({"list": [{"x": 1}, {"x": 1}], "fixed": {"x": 0}})
        );
        let err = add
            .apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("action 0 added the field `/list/0/x`, which this would change"),
            "{err}"
        );
        // A fresh record (another document) does not know the field.
        add.apply_tracked(
            &mut doc,
            Strictness::RequireMatch,
            &mut AddedFields::default(),
        )
        .unwrap();
        // Removing the element that got the field (moving the next one into
        // its place) forgets it, so adding again is fine.
        let remove = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.list[0]\n    remove: true\n"
        ));
        remove
            .apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap();
        add.apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap();
    }
}
