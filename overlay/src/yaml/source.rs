//! The text being parsed, and the one deviation from YAML 1.2: flow
//! collection closers aligned with their parent key are re-indented.

use std::collections::HashMap;

use saphyr_parser::{Marker, ScanError};

/// The text being parsed, with the patches applied so far.
///
/// The Matrix spec (like much YAML written for libyaml-based tools) closes
/// multi-line flow collections with a bracket aligned with the parent key:
///
/// ```yaml
/// example: {
///   "reason": "this makes me sad"
/// }
/// ```
///
/// YAML 1.2 requires flow content to be indented deeper than the enclosing
/// block, and saphyr enforces that while libyaml does not. Rather than reject
/// a hundred spec files, a closing bracket that starts its line and fails only
/// the indentation check gets indented further and the text is parsed again.
/// Only the scanner's own error position is patched, so block scalars (where
/// a `}` line is content) are never touched; leading whitespace before a flow
/// indicator carries no meaning, so the value is unchanged.
pub(super) struct Source<'t> {
    text: std::borrow::Cow<'t, str>,
    /// Spaces inserted at the start of each (1-based) line.
    added: HashMap<usize, usize>,
    pub(super) fixes: usize,
    /// Lines indented by [`Source::indent_closers_after`] (ascending), with
    /// their indentation in the original text.
    pub(super) speculative: Vec<(usize, usize)>,
}

/// How many closing-bracket patches one text may need before the parser
/// gives up; far above the spec's worst file, and bounds the re-parsing.
const MAX_FLOW_FIXES: usize = 1024;

impl<'t> Source<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Self {
            text: std::borrow::Cow::Borrowed(text),
            added: HashMap::new(),
            fixes: 0,
            speculative: Vec::new(),
        }
    }

    /// Indents by one space every line after `line` (1-based) that starts
    /// with `}` or `]` after its indentation; see [`parse_patching`].
    pub(super) fn indent_closers_after(&mut self, line: usize) {
        let mut out = String::with_capacity(self.text.len() + 256);
        for (index, text) in self.text.split_inclusive('\n').enumerate() {
            let number = index + 1;
            let rest = text.trim_start_matches(' ');
            if number > line && rest.starts_with(['}', ']']) {
                out.push(' ');
                // Lines after the first patch have not been patched yet.
                self.added.insert(number, 1);
                self.speculative.push((number, text.len() - rest.len()));
            }
            out.push_str(text);
        }
        self.text = std::borrow::Cow::Owned(out);
    }

    /// Whether every speculatively indented bracket ended a flow collection:
    /// `collection_ends` holds the (line, column) of each collection end
    /// event, in the patched text, in order. The parser's events do not say
    /// whether a collection was flow or block, so block ends are in the list
    /// too: a bracket passes if some collection ended exactly at its
    /// position. A test parses every file of the real spec both ways (with
    /// and without speculation) and compares the values.
    pub(super) fn speculation_holds(&self, collection_ends: &[(usize, usize)]) -> bool {
        self.speculative.iter().all(|&(line, indent)| {
            let column = indent + self.added.get(&line).copied().unwrap_or(0);
            collection_ends.binary_search(&(line, column)).is_ok()
        })
    }

    pub(super) fn text(&self) -> &str {
        &self.text
    }

    /// 1-based (line, column) in the original text of a marker in the patched text.
    pub(super) fn at(&self, mark: Marker) -> (usize, usize) {
        let shift = self.added.get(&mark.line()).copied().unwrap_or(0);
        (mark.line(), mark.col().saturating_sub(shift) + 1)
    }

    /// Patches the text if `error` is an under-indented flow closer; see the type docs.
    pub(super) fn fix_flow_closer(&mut self, error: &ScanError) -> bool {
        if error.info() != "invalid indentation" || self.fixes >= MAX_FLOW_FIXES {
            return false;
        }
        let mark = error.marker();
        let Some(line_start) = line_start(&self.text, mark.line()) else {
            return false;
        };
        let line = self.text[line_start..]
            .split('\n')
            .next()
            .unwrap_or_default();
        let indent = line.len() - line.trim_start_matches(' ').len();
        let closer = line[indent..].starts_with(['}', ']']);
        // The scanner counts columns in characters; the indentation is ASCII
        // spaces, so a match confirms the error is at this bracket.
        if !closer || indent != mark.col() {
            return false;
        }
        let entry = self.added.entry(mark.line()).or_insert(0);
        // Usually one space is enough; doubling bounds the retries when not.
        let more = (*entry).max(1);
        *entry += more;
        self.fixes += 1;
        self.text.to_mut().insert_str(line_start, &" ".repeat(more));
        true
    }
}

/// Byte offset where 1-based `line` starts.
fn line_start(text: &str, line: usize) -> Option<usize> {
    if line == 1 {
        return Some(0);
    }
    text.match_indices('\n')
        .nth(line.checked_sub(2)?)
        .map(|(offset, _)| offset + 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use crate::yaml::{Speculation, YamlError, parse, parse_patching, position_of};
    use serde_json::{Value, json};
    use std::path::Path;

    fn p(text: &str) -> Result<Value, YamlError> {
        parse(text, Path::new("test.yaml"))
    }

    #[test]
    fn flow_closers_aligned_with_their_key_are_accepted() {
        // As written throughout the Matrix spec; YAML 1.2 wants the closer
        // indented deeper, libyaml accepts it, and so do we.
        let text = "\
a:
  example: {
    \"reason\": \"sad\",
    \"list\": [
      1
  ]
  }
  literal: |
    {
  }
";
        let err = p(text).unwrap_err();
        // The block scalar is not patched: its under-indented `}` ends it,
        // leaving a stray `}` at the mapping's indentation.
        assert!(
            matches!(
                err,
                YamlError::Syntax {
                    line: 10,
                    column: 3,
                    ..
                }
            ),
            "{err:?}"
        );
        let text = text.replace("    {\n  }\n", "    {\n    }\n");
        let value = p(&text).unwrap();
        assert_eq!(
            value,
            json!({"a": {"example": {"reason": "sad", "list": [1]}, "literal": "{\n}\n"}})
        );
        // Positions are in the original text, not the patched one.
        assert_eq!(position_of(&text, "/a/literal"), Some((8, 3)));
        let err = p("a: {\n  b: [\n}\n").unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::Syntax {
                    line: 3,
                    column: 1,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    fn both_ways(text: &str) -> (Result<Value, Speculation>, Result<Value, Speculation>) {
        let file = Path::new("test.yaml");
        (
            parse_patching(text, file, true),
            parse_patching(text, file, false),
        )
    }

    /// Needs one patch (the last `}`, in the way of the spec's examples),
    /// then has `extra` after it.
    fn needs_a_patch(extra: &str) -> String {
        let text = "r:\n  \"200\":\n    e:\n      value: {\n        \"s\": true,\n      }\n  \"400\":\n    d: |-\n      text\n    e:\n      value: {\n        \"errcode\": \"M\"\n      }\n";
        format!("{text}{extra}")
    }

    #[test]
    fn speculative_bracket_patching_is_checked_against_block_scalars() {
        // The `}` inside the literal block is text: indenting it would
        // change the value.
        let text = needs_a_patch("    f: |\n      {\n      }\n");
        let expected = json!({"r": {
            "200": {"e": {"value": {"s": true}}},
            "400": {"d": "text", "e": {"value": {"errcode": "M"}}, "f": "{\n}\n"}
        }});
        let (speculated, plain) = both_ways(&text);
        assert!(
            matches!(speculated, Err(Speculation::Failed)),
            "{speculated:?}"
        );
        assert_eq!(plain.ok(), Some(expected.clone()));
        assert_eq!(p(&text).unwrap(), expected);
        // Without the block scalar, speculation holds.
        let text = needs_a_patch("    f: [\n      2\n    ]\n");
        let (speculated, plain) = both_ways(&text);
        let expected = json!({"r": {
            "200": {"e": {"value": {"s": true}}},
            "400": {"d": "text", "e": {"value": {"errcode": "M"}}, "f": [2]}
        }});
        assert_eq!(speculated.ok(), Some(expected.clone()));
        assert_eq!(plain.ok(), Some(expected));
    }

    #[test]
    fn speculative_bracket_patching_falls_back_where_a_bracket_is_not_a_closer() {
        // After a plain scalar, an indented `}` could read as its
        // continuation; speculation must not decide that.
        let text = needs_a_patch("    b: some text\n    }\n");
        let (speculated, plain) = both_ways(&text);
        assert!(
            matches!(speculated, Err(Speculation::Failed)),
            "{speculated:?}"
        );
        // Here the bracket is an error, and it stays one.
        let Err(Speculation::Final(expected)) = plain else {
            panic!("{plain:?}");
        };
        assert_eq!(p(&text).unwrap_err().to_string(), expected.to_string());
    }
}
