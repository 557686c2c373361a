//! YAML text to `serde_json::Value`, with line numbers for errors.
//!
//! OpenAPI documents and overlays are usually YAML, but the overlay engine
//! (and a generator reading the documents) works on JSON values, so this
//! module is the only place that knows about YAML. It builds the value
//! straight from `saphyr-parser` events, which lets it apply exactly these
//! rules (its private submodules: `builder` the value, `scalar` the core
//! schema and tags, `source` the bracket re-indentation, `locate`
//! [`position_of`], `error` the errors):
//!
//! - plain scalars are resolved with the YAML 1.2 core schema, and values
//!   JSON cannot hold (`.inf`, `.nan`) are errors rather than silently lossy;
//! - mapping keys are the scalar's text, never a resolved number, so
//!   unquoted `1.10:` keys (as the Matrix spec writes versions) stay
//!   `"1.10"` instead of becoming `1.1`;
//! - key order is kept;
//! - duplicate keys, non-scalar keys, unknown tags and more than one document
//!   are errors, each naming the file, line, column and JSON pointer;
//! - aliases are expanded by cloning, under a size budget (nodes and text)
//!   so that a small "billion laughs" file cannot exhaust memory;
//! - one deviation from YAML 1.2, shared with libyaml and needed by the
//!   Matrix spec: a flow collection's closing bracket may sit at its parent
//!   key's indentation (the `Source` type explains how).
//!
//! [`position_of`] re-reads the text to find where a JSON pointer lives; it is
//! meant for enriching errors found later (by the caller), so it costs
//! nothing unless an error is actually reported.

mod builder;
mod error;
mod locate;
mod scalar;
mod source;
#[cfg(test)]
mod spec_tests;

use std::path::Path;

use serde_json::Value;

pub use error::YamlError;
pub use locate::position_of;

use builder::{Builder, Failure};
use source::Source;

/// How much alias expansion may add to one document in total, counting each
/// node as 1 plus the bytes of its text (for scalars, including keys).
///
/// Text counts because an alias copies it: a budget of nodes alone let a
/// 32 KiB file alias one 20 KB string 800,000 times (16 GB).
/// The spec uses few or no aliases; a million (a million nodes, or a
/// megabyte of copied text) is far above anything legitimate and far below
/// what would hurt.
pub const MAX_ALIAS_SIZE: usize = 1_000_000;

/// How deeply collections may nest.
///
/// `serde_json::Value` drops, clones and compares recursively, so unbounded
/// nesting from hostile input could overflow the stack later, far from here.
pub const MAX_DEPTH: usize = 256;

/// Parses one YAML document into JSON.
///
/// See the module documentation for the exact semantics. `file` is used in
/// errors only.
///
/// # Errors
///
/// Any [`YamlError`]: syntax errors, no document or more than one, keys that
/// are not scalars or repeat, unsupported tags, numbers JSON cannot hold, and
/// alias or nesting limits.
pub fn parse(text: &str, file: &Path) -> Result<Value, YamlError> {
    parse_patching(text, file, true).or_else(|speculated| match speculated {
        Speculation::Failed => parse_patching(text, file, false).map_err(|e| match e {
            Speculation::Final(error) => error,
            // Not reached: without speculation every failure is final.
            Speculation::Failed => YamlError::Empty {
                file: file.to_path_buf(),
            },
        }),
        Speculation::Final(error) => Err(error),
    })
}

/// Why [`parse_patching`] stopped without a value.
#[derive(Debug)]
enum Speculation {
    /// The error of the text (no speculative patch was involved).
    Final(YamlError),
    /// Speculative patches were made and then the parse failed, or a
    /// speculatively indented bracket did not end a flow collection: parse
    /// again without speculating. Never returned without speculation.
    Failed,
}

/// Parses `text`, patching under-indented flow closers (see [`Source`]).
///
/// Each patch restarts the parse, and the spec needs about 400 of them in
/// 140 files. With `speculate`, the first patch in a file also indents every
/// later line that starts with a closing bracket, so a file is usually
/// parsed twice instead of once per bracket. The result is used only if the
/// parser ended a flow collection at every bracket so indented: whitespace
/// before a flow indicator has no meaning, and more indentation never makes
/// a flow closer invalid, so the value is the one that patching the
/// brackets one by one gives. Otherwise (a bracket that was block scalar or
/// plain scalar text, or any error) the text is parsed again without
/// speculating.
fn parse_patching(text: &str, file: &Path, speculate: bool) -> Result<Value, Speculation> {
    let mut source = Source::new(text);
    let speculated = |source: &Source<'_>| !source.speculative.is_empty();
    loop {
        match Builder::new(file, &source).run() {
            Ok((value, collection_ends)) => {
                if !source.speculation_holds(&collection_ends) {
                    return Err(Speculation::Failed);
                }
                return Ok(value);
            }
            Err(Failure::Yaml(_)) if speculated(&source) => return Err(Speculation::Failed),
            Err(Failure::Yaml(error)) => return Err(Speculation::Final(error)),
            Err(Failure::Scan(error)) => {
                let first = source.fixes == 0;
                let fixed = source.fix_flow_closer(&error);
                if fixed && first && speculate {
                    source.indent_closers_after(error.marker().line());
                }
                if !fixed && speculated(&source) {
                    return Err(Speculation::Failed);
                }
                if !fixed {
                    let (line, column) = source.at(*error.marker());
                    return Err(Speculation::Final(YamlError::Syntax {
                        file: file.to_path_buf(),
                        line,
                        column,
                        message: error.info().to_owned(),
                    }));
                }
            }
        }
    }
}

/// Escapes one pointer segment per RFC 6901.
fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `bytes` as text, or the 1-based line and column (in characters) of the
/// first byte that is not UTF-8: for a loader's "not UTF-8" error, which
/// [`parse`] cannot give since it takes text.
pub fn utf8_text(bytes: Vec<u8>) -> Result<String, (usize, usize)> {
    String::from_utf8(bytes).map_err(|error| {
        let bytes = error.as_bytes();
        let valid = &bytes[..error.utf8_error().valid_up_to()];
        let line_start = valid
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |newline| newline + 1);
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        // Up to `valid_up_to` the bytes are UTF-8: count characters by
        // their first bytes.
        let column = valid[line_start..]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count()
            + 1;
        (line, column)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(text: &str) -> Result<Value, YamlError> {
        parse(text, Path::new("test.yaml"))
    }

    #[test]
    fn keys_keep_their_original_text() {
        let value = p("1.18: a\n1.10: b\n1.8: c\n2: d\ntrue: e\n~: f\n'q': g\n").unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["1.18", "1.10", "1.8", "2", "true", "~", "q"]);
        assert_eq!(value["1.10"], "b");
        // A key that would be an unrepresentable float is still just text.
        assert_eq!(p(".inf: x").unwrap(), json!({".inf": "x"}));
    }

    #[test]
    fn key_order_is_preserved() {
        let value = p("z: 1\na: 2\nm: 3\n").unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = p("top:\n  a: 1\n  b: 2\n  a: 3\n").unwrap_err();
        match &err {
            YamlError::DuplicateKey {
                line,
                column,
                pointer,
                key,
                first_line,
                ..
            } => {
                assert_eq!((*line, *column, *first_line), (4, 3, 2));
                assert_eq!((pointer.as_str(), key.as_str()), ("/top/a", "a"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("test.yaml:4:3: duplicate key `a`"),
            "{err}"
        );
        // Same text in different styles is still the same key.
        assert!(matches!(
            p("a: 1\n'a': 2\n"),
            Err(YamlError::DuplicateKey { .. })
        ));
    }

    #[test]
    fn non_scalar_keys_are_errors() {
        let err = p("outer:\n  ? [a, b]\n  : 1\n").unwrap_err();
        assert!(
            matches!(&err, YamlError::NonScalarKey { line: 2, column: 5, pointer, kind: "sequence", .. }
                if pointer == "/outer"),
            "{err:?}"
        );
        let err = p("{ {a: 1}: 2 }").unwrap_err();
        assert!(
            matches!(
                &err,
                YamlError::NonScalarKey {
                    kind: "mapping",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = p("a: &x [1]\n*x : 2\n").unwrap_err();
        assert!(
            matches!(&err, YamlError::NonScalarKey { line: 2, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = p("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(matches!(err, YamlError::Syntax { .. }), "{err:?}");
        let err = p("a:\n  b: 1\n c: 2\n").unwrap_err();
        match &err {
            YamlError::Syntax {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!((*line, *column), (3, 2), "{message}");
                assert!(!message.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("test.yaml:3:2: YAML syntax error"),
            "{err}"
        );
    }

    #[test]
    fn exactly_one_document() {
        assert!(matches!(p(""), Err(YamlError::Empty { .. })));
        assert!(matches!(
            p("# only a comment\n"),
            Err(YamlError::Empty { .. })
        ));
        assert_eq!(p("---\na: 1\n...\n").unwrap(), json!({"a": 1}));
        let err = p("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::MultipleDocuments {
                    line: 2,
                    column: 1,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn aliases_clone_the_anchored_value() {
        let value = p("
base: &b {x: 1, list: [a, b]}
copy: *b
key: &k 1.10
text: *k
*k : by alias
")
        .unwrap();
        assert_eq!(value["copy"], json!({"x": 1, "list": ["a", "b"]}));
        assert_eq!(value["key"], json!(1.1));
        assert_eq!(value["text"], json!(1.1));
        assert_eq!(value["1.10"], "by alias");
    }

    #[test]
    fn recursive_alias_is_rejected() {
        let err = p("a: &a [1, *a]\n").unwrap_err();
        assert!(
            matches!(&err, YamlError::RecursiveAlias { pointer, .. } if pointer == "/a/1"),
            "{err:?}"
        );
    }

    #[test]
    fn alias_bomb_is_rejected() {
        let mut text = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..10 {
            let previous = level - 1;
            let refs = vec![format!("*l{previous}"); 9].join(", ");
            text.push_str(&format!("l{level}: &l{level} [{refs}]\n"));
        }
        let err = p(&text).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::AliasBudgetExceeded {
                    limit: MAX_ALIAS_SIZE,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn aliases_of_long_text_count_its_bytes() {
        // Found with the fuzz target then named spec_loader: 32 KiB that
        // aliased one 20 KB string 800,000 times stayed within a budget of
        // nodes and needed 16 GB.
        let text = format!(
            "a: &a \"{}\"\nb: &b [{}]\nc: [{}]\n",
            "x".repeat(20_000),
            vec!["*a"; 4000].join(","),
            vec!["*b"; 200].join(",")
        );
        let err = p(&text).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::AliasBudgetExceeded {
                    limit: MAX_ALIAS_SIZE,
                    line: 2,
                    ..
                }
            ),
            "{err:?}"
        );
        // Within the budget, aliased text is copied as before.
        let value = p(&format!("a: &a {}\nb: [*a, *a]\n", "y".repeat(1000))).unwrap();
        assert_eq!(value["b"][1].as_str().map(str::len), Some(1000));
    }

    #[test]
    fn deep_nesting_is_rejected() {
        // Block style: saphyr caps flow nesting itself, but not block nesting.
        let nested = |depth: usize| format!("{}x\n", "- ".repeat(depth));
        let result = p(&nested(MAX_DEPTH + 1));
        assert!(
            matches!(
                &result,
                Err(YamlError::TooDeep {
                    line: 1,
                    limit: MAX_DEPTH,
                    ..
                })
            ),
            "{result:?}"
        );
        let mut value = &p(&nested(MAX_DEPTH)).unwrap();
        for _ in 0..MAX_DEPTH {
            value = &value[0];
        }
        assert_eq!(value, "x");
    }

    #[test]
    fn non_utf8_text_is_located_by_line_and_character_column() {
        assert_eq!(utf8_text(b"a: 1\n".to_vec()), Ok("a: 1\n".to_owned()));
        assert_eq!(utf8_text(b"a: 1\nb: c\xffd\n".to_vec()), Err((2, 5)));
        // Columns count characters, not bytes.
        assert_eq!(
            utf8_text("x: é".bytes().chain([0xC3]).collect()),
            Err((1, 5))
        );
        assert_eq!(utf8_text(vec![0xFF]), Err((1, 1)));
    }
}
