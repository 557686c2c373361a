//! JSONPath queries: the cost limits checked on a query's text before it
//! is parsed, and the leniency for dotted names with `-`.

use serde_json_path::JsonPath;

/// How deeply brackets and parentheses may nest in a JSONPath query.
///
/// The JSONPath parser takes four times as long for each filter nested in
/// another (`$[?@[?@[?@]]]`: 16 levels take a third of a second, 20 a
/// minute) and recurses once per level, so that two thousand levels
/// overflow the stack. Real queries nest two or three levels.
pub const MAX_QUERY_NESTING: usize = 10;

/// How many descendant segments (`..`) a JSONPath query may contain,
/// including those in filters.
///
/// Each one after the first multiplies the work by the document's depth,
/// and the result may repeat nodes: `$..*..*..*` on a 30 KB document 240
/// levels deep does not finish in minutes.
pub const MAX_DESCENDANT_SEGMENTS: usize = 1;

/// How many combinations the bracketed selector lists of a JSONPath query
/// may multiply to (`['a','b']['c','d','e']` makes 6).
///
/// A list of `n` selectors can select each node `n` times, and lists
/// multiply: twelve `[*,*,*,*,*,*,*,*]` make 8^12 copies.
pub const MAX_SELECTOR_COMBINATIONS: usize = 64;

/// Why the query `text` is too costly to parse or evaluate, if it is: the
/// limits above, checked on the text (outside string literals) before it
/// is parsed.
pub(super) fn too_costly(text: &str) -> Option<String> {
    // Open brackets and parentheses; for a bracket, its selectors so far.
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut descendants = 0usize;
    let mut combinations = 1usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                while let Some(inner) = chars.next() {
                    if inner == '\\' {
                        chars.next();
                    } else if inner == c {
                        break;
                    }
                }
            }
            '[' | '(' => {
                open.push((c, 1));
                if open.len() > MAX_QUERY_NESTING {
                    return Some(format!(
                        "brackets and parentheses nest deeper than {MAX_QUERY_NESTING} levels"
                    ));
                }
            }
            ']' | ')' => {
                if let Some(('[', selectors)) = open.pop() {
                    combinations = combinations.saturating_mul(selectors);
                    if combinations > MAX_SELECTOR_COMBINATIONS {
                        return Some(format!(
                            "its selector lists make more than {MAX_SELECTOR_COMBINATIONS} combinations"
                        ));
                    }
                }
            }
            ',' => {
                if let Some(('[', selectors)) = open.last_mut() {
                    *selectors += 1;
                }
            }
            '.' if chars.next_if_eq(&'.').is_some() => {
                descendants += 1;
                if descendants > MAX_DESCENDANT_SEGMENTS {
                    return Some(format!(
                        "it has more than {MAX_DESCENDANT_SEGMENTS} descendant segment (`..`), counting those in filters"
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

/// Parses a JSONPath query, accepting `-` in dotted member names.
///
/// The query is parsed exactly as written first. Only if that fails, and
/// [`bracket_dashed_names`] changes it, is the rewritten form tried; if that
/// fails too, the error is the one for the query as written.
pub(super) fn parse_json_path(text: &str) -> Result<JsonPath, serde_json_path::ParseError> {
    JsonPath::parse(text).or_else(|error| {
        bracket_dashed_names(text)
            .and_then(|rewritten| JsonPath::parse(&rewritten).ok())
            .ok_or(error)
    })
}

/// RFC 9535 `name-first`: the first character of a member-name shorthand.
fn is_name_first(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c >= '\u{80}'
}

/// Rewrites dotted member names that contain `-` (`.x-oai-traits`,
/// `..x-a`) into bracket notation (`['x-oai-traits']`, `..['x-a']`): RFC 9535
/// shorthand does not allow `-`, yet the OAI's own Overlay examples use it.
/// Returns `None` if nothing needed rewriting.
///
/// Only a name that follows a `.` or `..` which itself follows a query
/// (`$`, `@`, a name, `*` or `]`, optionally with blank space between
/// segments) is rewritten, and only if it starts with a character a
/// shorthand name may start with (a letter, `_` or non-ASCII): the `-` is
/// allowed after the first character only, so `.-a` and `.1-a` stay as they
/// are (and fail to parse), and a number such as `1.5e-3` is never touched.
/// Quoted strings (`'...'` and `"..."`, with backslash escapes) are copied
/// unchanged, which covers both bracketed names and string literals in
/// filters.
fn bracket_dashed_names(query: &str) -> Option<String> {
    let mut out = String::with_capacity(query.len() + 8);
    let mut changed = false;
    // Whether the text so far ends with a query, so that a `.` here starts a
    // child or descendant segment (rather than, say, a number's fraction).
    let mut after_query = false;
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                while let Some(inner) = chars.next() {
                    out.push(inner);
                    if inner == '\\' {
                        if let Some(escaped) = chars.next() {
                            out.push(escaped);
                        }
                    } else if inner == c {
                        break;
                    }
                }
                after_query = false;
            }
            '.' if after_query => {
                let descendant = chars.next_if_eq(&'.').is_some();
                let mut name = String::new();
                if let Some(first) = chars.next_if(|&first| is_name_first(first)) {
                    name.push(first);
                    while let Some(next) = chars.next_if(|&next| {
                        is_name_first(next) || next.is_ascii_digit() || next == '-'
                    }) {
                        name.push(next);
                    }
                }
                if name.contains('-') {
                    // `..name` becomes `..['name']`, `.name` becomes `['name']`.
                    // Name characters and `-` need no escaping inside '...'.
                    out.push_str(if descendant { "..['" } else { "['" });
                    out.push_str(&name);
                    out.push_str("']");
                    changed = true;
                } else {
                    out.push_str(if descendant { ".." } else { "." });
                    out.push_str(&name);
                }
                // A name ends a query; otherwise `*` (handled below) or `[` follows,
                // or something that does not parse anyway.
                after_query = !name.is_empty();
            }
            '$' | '@' | '*' | ']' => {
                out.push(c);
                after_query = true;
            }
            ' ' | '\t' | '\n' | '\r' => out.push(c),
            _ => {
                out.push(c);
                after_query = false;
            }
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::overlay::test_support::*;
    use crate::*;
    use serde_json::json;

    #[test]
    fn dashed_shorthand_names_are_bracketed() {
        let cases = [
            ("$.x-a", "$['x-a']"),
            ("$.x-a.b", "$['x-a'].b"),
            ("$.a.x-b-c.d", "$.a['x-b-c'].d"),
            ("$..x-a", "$..['x-a']"),
            ("$.a..x-b[0]", "$.a..['x-b'][0]"),
            ("$[?@.x-a.b-c]", "$[?@['x-a']['b-c']]"),
            (
                "$.paths.*.get[?@.x-oai-traits.paged]",
                "$.paths.*.get[?@['x-oai-traits'].paged]",
            ),
            // Trailing, doubled and non-ASCII: all name characters after the first.
            ("$.a-", "$['a-']"),
            ("$.a--1", "$['a--1']"),
            ("$.é-ß", "$['é-ß']"),
            // After `*`, `]`, blank space between segments, and `$` in a filter.
            ("$.*.x-a", "$.*['x-a']"),
            ("$['k'].x-a", "$['k']['x-a']"),
            ("$ .x-a", "$ ['x-a']"),
            ("$[?$.x-a == 1]", "$[?$['x-a'] == 1]"),
        ];
        for (written, rewritten) in cases {
            assert_eq!(
                bracket_dashed_names(written).as_deref(),
                Some(rewritten),
                "{written}"
            );
            assert!(JsonPath::parse(written).is_err(), "{written}");
            assert!(JsonPath::parse(rewritten).is_ok(), "{rewritten}");
            assert!(parse_json_path(written).is_ok(), "{written}");
        }
    }

    #[test]
    fn dashed_name_rewrite_leaves_everything_else_alone() {
        // Nothing to rewrite: valid shorthand, quoted names and string
        // literals (with escaped quotes), negative numbers and indices.
        for query in [
            "$.paths.*.get",
            "$..a_b1",
            "$['x-a'].b",
            "$[\"x-a\"]",
            "$[?@.a == 'x-b.c-d']",
            "$[?@.a == \"x\\\".b-c\"]",
            "$[?@.a == 'it\\'s .b-c']",
            "$[?@.a == -1.5e-3]",
            "$.a[-1]",
            "$.a[1:-1]",
            "$[?length(@.a) == 1]",
        ] {
            assert_eq!(bracket_dashed_names(query), None, "{query}");
        }
        // Only the dashed names outside quotes change.
        assert_eq!(
            bracket_dashed_names("$[?@.x-a == '.y-b' && @['z-c'].d-e == \"\\\".f-g\"]").as_deref(),
            Some("$[?@['x-a'] == '.y-b' && @['z-c']['d-e'] == \"\\\".f-g\"]")
        );
        // A name must still start with a letter, `_` or non-ASCII: `-` and
        // digits are not made valid first characters, so these stay invalid.
        for query in ["$.-a", "$.1-a", "$..-a", "$.a.-", "$[?@.-x]"] {
            assert_eq!(bracket_dashed_names(query), None, "{query}");
            assert!(parse_json_path(query).is_err(), "{query}");
        }
        // A `.` that does not follow a query is not a segment: the `.e-5` of
        // an (invalid) number is not turned into a name.
        assert_eq!(bracket_dashed_names("$[?@.a == 1.e-5]"), None);
        // Unterminated strings are copied to the end.
        assert_eq!(bracket_dashed_names("$[?@.a == 'x.b-c"), None);
    }

    #[test]
    fn dashed_name_leniency_keeps_the_original_error() {
        // Rewritten (`$['x-a'][`) but still invalid: the message is the one
        // for the query as written.
        let written = "$.x-a[";
        assert!(bracket_dashed_names(written).is_some());
        let original = JsonPath::parse(written).unwrap_err().to_string();
        let rewritten = JsonPath::parse("$['x-a'][").unwrap_err().to_string();
        assert_ne!(original, rewritten);
        assert_eq!(parse_json_path(written).unwrap_err().to_string(), original);
        let err = overlay_err(&format!("{HEAD_1_0}actions:\n  - target: $.x-a[\n"));
        match &err {
            OverlayError::Invalid {
                place,
                problem: Problem::InvalidJsonPath { field, message },
            } => {
                assert_eq!(*field, "target");
                assert_eq!(*message, original);
                assert_eq!(place.target.as_deref(), Some(written));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dashed_names_select_and_are_kept_as_written() {
        let o = overlay(&format!(
            "{HEAD_1_1}actions:
  - target: $.paths[?@.get.x-oai-traits.paged].get
    update: {{parameters: [top]}}
  - target: $.paths.*.x-extra
    copy: $..x-source
"
        ));
        assert_eq!(
            o.actions()[0].target(),
            "$.paths[?@.get.x-oai-traits.paged].get"
        );
        assert_eq!(o.actions()[1].copy(), Some("$..x-source"));
        let mut doc = json!({"paths": {
            "/a": {"get": {"x-oai-traits": {"paged": true}}, "x-extra": {}},
            "/b": {"get": {"x-oai-traits": {}}, "x-extra": {}},
        }, "x-source": {"n": 1}});
        o.apply(&mut doc, Strictness::RequireMatch).unwrap();
        assert_eq!(
            doc,
            json!({"paths": {
                "/a": {"get": {"x-oai-traits": {"paged": true}, "parameters": ["top"]}, "x-extra": {"n": 1}},
                "/b": {"get": {"x-oai-traits": {}}, "x-extra": {"n": 1}},
            }, "x-source": {"n": 1}})
        );
    }

    #[test]
    fn costly_query_shapes_are_refused_before_parsing() {
        let problem = |query: &str| {
            let text = actions(
                "1.0.0",
                [format!("  - target: \"{query}\"\n    remove: true\n")],
            );
            match overlay_err(&text) {
                OverlayError::Invalid {
                    problem: Problem::TooCostly { reason, .. },
                    ..
                } => reason,
                other => panic!("{other}"),
            }
        };
        // Nested filters: exponential parse time (16 levels took a third
        // of a second, 100 never finished); 2,000 levels overflowed the
        // stack, as did 10,000 nested parentheses.
        let nested = format!("${}{}", "[?@".repeat(2000), "]".repeat(2000));
        assert!(problem(&nested).contains("nest deeper than 10"));
        let parens = format!("$[?{}@{}]", "(".repeat(10_000), ")".repeat(10_000));
        assert!(problem(&parens).contains("nest deeper than 10"));
        // Descendant segments multiply: `$..*..*..*` on a 30 KB document 240
        // levels deep did not finish.
        assert!(problem("$..*..*..*").contains("descendant"));
        assert!(problem("$..[?count(@..[?count(@..*) > 0]) > 0]").contains("descendant"));
        // Selector lists multiply: 8^12 copies of each node.
        let lists = format!("$.a{}", "[*,*,*,*,*,*,*,*]".repeat(12));
        assert!(problem(&lists).contains("combinations"));
        // What real overlays write stays valid, also with `..` and commas
        // inside strings, and nesting up to the limit.
        for query in [
            "$.paths['/locations'].get.responses['200']..properties[?(@.type == 'string')]",
            "$.paths.*.get.parameters[?@.name=='filter' && @.in=='query']",
            "$[?@.a == '..,,[[((']['x','y']",
            "$..x[?length(@) > 1]",
            &format!("${}{}", "[?@".repeat(10), "]".repeat(10)),
        ] {
            assert_eq!(too_costly(query), None, "{query}");
            assert!(parse_json_path(query).is_ok(), "{query}");
        }
    }
}
