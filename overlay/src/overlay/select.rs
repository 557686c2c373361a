//! The nodes a query selects, located by one walk of the document, and
//! paths into a document.

use std::collections::HashSet;

use serde_json::Value;
use serde_json_path::JsonPath;

use super::escape;

/// How many nodes one `target` or `copy` query may select.
///
/// Each selected node is held as its path from the root, up to
/// [`yaml::MAX_DEPTH`](crate::yaml::MAX_DEPTH) steps: a `$..*` over a document that aliases wide
/// arrays 250 levels deep selects half a million nodes, gigabytes of paths.
/// Real overlays select a handful of nodes; ten thousand is far above that.
pub const MAX_SELECTED: usize = 10_000;

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Segment {
    Index(usize),
    Key(String),
}

/// The distinct nodes `path` selects, as owned paths in ascending order;
/// `Err` with their number if that is more than [`MAX_SELECTED`].
///
/// The query runs without locations (`JsonPath::query`), and the selected
/// nodes are then located in one walk of the document: `query_located`
/// builds a path for every node a segment visits, which for `$..*` on a
/// wide document 250 levels deep is gigabytes.
pub(super) fn select(path: &JsonPath, document: &Value) -> Result<Vec<Vec<Segment>>, usize> {
    let wanted: HashSet<*const Value> = path
        .query(document)
        .iter()
        .map(|node| std::ptr::from_ref::<Value>(node))
        .collect();
    if wanted.len() > MAX_SELECTED {
        return Err(wanted.len());
    }
    let mut paths = Vec::with_capacity(wanted.len());
    let visit = |node: &Value, at: &[Segment], paths: &mut Vec<Vec<Segment>>| {
        if wanted.contains(&std::ptr::from_ref(node)) {
            paths.push(at.to_vec());
        }
    };
    let mut at = Vec::new();
    visit(document, &at, &mut paths);
    // Depth-first, with an explicit stack (documents from
    // `Overlay::from_value` callers need not respect `yaml::MAX_DEPTH`);
    // `at` is the path of the collection whose children `stack.last()` yields.
    let mut stack = vec![children(document)];
    while let Some(top) = stack.last_mut() {
        if paths.len() == wanted.len() {
            break;
        }
        match top.next() {
            Some((segment, child)) => {
                at.push(segment);
                visit(child, &at, &mut paths);
                if child.is_object() || child.is_array() {
                    stack.push(children(child));
                } else {
                    at.pop();
                }
            }
            None => {
                stack.pop();
                at.pop();
            }
        }
    }
    paths.sort();
    Ok(paths)
}

/// The children of `node` with the segment leading to each; none for a
/// primitive.
fn children(node: &Value) -> Box<dyn Iterator<Item = (Segment, &Value)> + '_> {
    match node {
        Value::Object(map) => Box::new(
            map.iter()
                .map(|(key, child)| (Segment::Key(key.clone()), child)),
        ),
        Value::Array(items) => Box::new(
            items
                .iter()
                .enumerate()
                .map(|(index, child)| (Segment::Index(index), child)),
        ),
        _ => Box::new(std::iter::empty()),
    }
}

pub(super) fn lookup<'v>(document: &'v mut Value, path: &[Segment]) -> Option<&'v mut Value> {
    path.iter()
        .try_fold(document, |node, segment| match (node, segment) {
            (Value::Object(map), Segment::Key(key)) => map.get_mut(key),
            (Value::Array(items), Segment::Index(index)) => items.get_mut(*index),
            _ => None,
        })
}

pub(super) fn lookup_ref<'v>(document: &'v Value, path: &[Segment]) -> Option<&'v Value> {
    path.iter()
        .try_fold(document, |node, segment| match (node, segment) {
            (Value::Object(map), Segment::Key(key)) => map.get(key),
            (Value::Array(items), Segment::Index(index)) => items.get(*index),
            _ => None,
        })
}

pub(super) fn to_pointer(path: &[Segment]) -> String {
    path.iter()
        .map(|segment| match segment {
            Segment::Index(index) => format!("/{index}"),
            Segment::Key(key) => format!("/{}", escape(key)),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::overlay::test_support::*;
    use crate::yaml;
    use crate::*;
    use serde_json::json;
    use serde_json_path::JsonPath;
    use std::path::Path;

    #[test]
    fn a_query_selecting_too_many_nodes_is_refused() {
        // 490 aliases of a 1,000-element array, 250 levels deep: `$..*`
        // selects half a million nodes, each located by a 250-step path.
        let spec = format!(
            "a: &a [{}]\nd: {}{}{}\n",
            vec!["1"; 1000].join(","),
            "[".repeat(250),
            vec!["*a"; 490].join(","),
            "]".repeat(250)
        );
        let mut doc = yaml::parse(&spec, Path::new("spec.yaml")).unwrap();
        let o = overlay(&actions(
            "1.0.0",
            ["  - target: $..*\n    remove: true\n".to_owned()],
        ));
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        assert!(
            matches!(
                apply_problem(&err),
                ApplyProblem::TooManySelected { found, limit: MAX_SELECTED } if *found > 490_000
            ),
            "{err}"
        );
    }

    #[test]
    fn selection_by_walking_the_document_keeps_the_order_and_dedups() {
        let doc = json!({"b": [{"x": 1}, {"x": 2}], "a": {"x": 3}});
        let path = |text: &str| select(&JsonPath::parse(text).unwrap(), &doc).unwrap();
        let key = |k: &str| Segment::Key(k.to_owned());
        assert_eq!(
            path("$..x"),
            vec![
                vec![key("a"), key("x")],
                vec![key("b"), Segment::Index(0), key("x")],
                vec![key("b"), Segment::Index(1), key("x")],
            ]
        );
        assert_eq!(path("$['a','a']"), vec![vec![key("a")]]);
        assert_eq!(path("$"), vec![Vec::<Segment>::new()]);
        assert!(path("$.nothing").is_empty());
    }
}
