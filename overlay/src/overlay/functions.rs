//! RFC 9535 `match()` and `search()`, registered in place of
//! `serde_json_path`'s own: each pattern compiled once, within a size limit.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Regex, RegexBuilder};
use serde_json::Value;
use serde_json_path::functions::{LogicalType, ValueType};

/// RFC 9535 `match()`: whether the whole string matches the I-Regexp
/// pattern. Registered here, it replaces `serde_json_path`'s own, which
/// compiles the pattern again for every node it tests (a filter with a
/// large pattern over five thousand strings took over ten seconds); see
/// [`regex_test`].
#[serde_json_path::function(name = "match")]
fn match_function(value: ValueType, pattern: ValueType) -> LogicalType {
    regex_test(&value, &pattern, true).into()
}

/// RFC 9535 `search()`: whether a substring matches; as [`match_function`].
#[serde_json_path::function(name = "search")]
fn search_function(value: ValueType, pattern: ValueType) -> LogicalType {
    regex_test(&value, &pattern, false).into()
}

/// How many compiled patterns [`regex_test`] keeps per thread.
const REGEX_CACHE: usize = 64;

/// The limit on a compiled pattern's size (the `regex` crate's own default
/// is 10 MiB): compiling `[a-z]{1,300}` three times over already takes a
/// millisecond, and a pattern can come from the document.
const REGEX_SIZE_LIMIT: usize = 64 * 1024;

/// `match()` (`whole`) or `search()` of `pattern` on `value`, false unless
/// both are strings and the pattern compiles within [`REGEX_SIZE_LIMIT`],
/// as `serde_json_path` does (with the same `(?R)` CRLF mode). Compiled
/// patterns are cached per thread, so a pattern costs one compilation per
/// query rather than one per node.
fn regex_test(value: &ValueType, pattern: &ValueType, whole: bool) -> bool {
    thread_local! {
        static COMPILED: RefCell<HashMap<(String, bool), Option<Regex>>> =
            RefCell::new(HashMap::new());
    }
    let (Some(Value::String(text)), Some(Value::String(pattern))) =
        (value.as_value(), pattern.as_value())
    else {
        return false;
    };
    COMPILED.with_borrow_mut(|compiled| {
        if compiled.len() >= REGEX_CACHE {
            compiled.clear();
        }
        compiled
            .entry((pattern.clone(), whole))
            .or_insert_with(|| {
                let wrapped = if whole {
                    format!("(?R)^({pattern})$")
                } else {
                    format!("(?R)({pattern})")
                };
                RegexBuilder::new(&wrapped)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
            .is_some_and(|regex| regex.is_match(text))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::{Value, json};
    use serde_json_path::JsonPath;

    #[test]
    fn match_and_search_compile_each_pattern_once_within_a_size_limit() {
        // A large pattern compiled for each of 5,000 strings took over ten
        // seconds; the registered functions cache it, and refuse (select
        // nothing with) a pattern that compiles too large, as they do an
        // invalid one.
        let doc = json!(["abc", "xabcx", "ABC", 1]);
        let select_texts = |query: &str| -> Vec<Value> {
            JsonPath::parse(query)
                .unwrap()
                .query(&doc)
                .all()
                .into_iter()
                .cloned()
                .collect()
        };
        assert_eq!(select_texts("$[?match(@, 'a.c')]"), vec![json!("abc")]);
        assert_eq!(
            select_texts("$[?search(@, 'a.c')]"),
            vec![json!("abc"), json!("xabcx")]
        );
        assert!(select_texts("$[?match(@, '(')]").is_empty());
        assert!(select_texts("$[?search(@, '[a-z]{1,300}[0-9]{0,300}[a-z]{0,300}')]").is_empty());
        let strings = Value::Array(vec![json!("abcdefghij"); 5000]);
        let found = JsonPath::parse("$[?search(@, 'c.e')]")
            .unwrap()
            .query(&strings)
            .len();
        assert_eq!(found, 5000);
    }
}
