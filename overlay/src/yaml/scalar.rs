//! Scalars and tags: plain scalars resolved with the YAML 1.2 core schema,
//! core tags honoured, values JSON cannot hold refused.

use std::fmt;

use saphyr_parser::{ScalarStyle, Tag};
use serde_json::{Number, Value};

/// The tag handle the parser reports for `!!` tags.
const CORE_HANDLE: &str = "tag:yaml.org,2002:";

/// Shows core tags as `!!name`, the way they are written.
pub(super) struct TagDisplay<'t>(pub(super) &'t Tag);

impl fmt::Display for TagDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Tag { handle, suffix } = self.0;
        if handle == CORE_HANDLE {
            write!(f, "!!{suffix}")
        } else {
            write!(f, "{handle}{suffix}")
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TagKind {
    /// `!`: "not a specific tag", which makes a scalar a string.
    NonSpecific,
    Str,
    Int,
    Float,
    Bool,
    Null,
    Map,
    Seq,
    Other,
}

pub(super) fn classify_tag(tag: &Tag) -> TagKind {
    // The parser reports a lone `!` as an empty handle with suffix "!".
    if (tag.handle.is_empty() || tag.handle == "!") && (tag.suffix == "!" || tag.suffix.is_empty())
    {
        return TagKind::NonSpecific;
    }
    if tag.handle != CORE_HANDLE {
        return TagKind::Other;
    }
    match tag.suffix.as_str() {
        "str" => TagKind::Str,
        "int" => TagKind::Int,
        "float" => TagKind::Float,
        "bool" => TagKind::Bool,
        "null" => TagKind::Null,
        "map" => TagKind::Map,
        "seq" => TagKind::Seq,
        _ => TagKind::Other,
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum ScalarProblem {
    UnsupportedTag,
    TagMismatch,
    NotRepresentable,
}

/// Resolves a scalar (not a key) per the YAML 1.2 core schema.
pub(super) fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
) -> Result<Value, ScalarProblem> {
    let kind = match tag {
        Some(tag) => classify_tag(tag),
        None if style == ScalarStyle::Plain => return resolve_plain(text),
        None => TagKind::Str,
    };
    match kind {
        TagKind::NonSpecific | TagKind::Str => Ok(Value::String(text.to_owned())),
        TagKind::Null if is_null(text) => Ok(Value::Null),
        TagKind::Bool => parse_bool(text)
            .map(Value::Bool)
            .ok_or(ScalarProblem::TagMismatch),
        TagKind::Int => match parse_int(text) {
            Some(Ok(number)) => Ok(Value::Number(number)),
            Some(Err(problem)) => Err(problem),
            None => Err(ScalarProblem::TagMismatch),
        },
        TagKind::Float => {
            if is_special_float(text) {
                return Err(ScalarProblem::NotRepresentable);
            }
            let float = if is_core_float(text) {
                text.parse::<f64>().ok()
            } else {
                int_as_f64(text)
            };
            match float {
                Some(float) => Number::from_f64(float)
                    .map(Value::Number)
                    .ok_or(ScalarProblem::NotRepresentable),
                None => Err(ScalarProblem::TagMismatch),
            }
        }
        TagKind::Null | TagKind::Map | TagKind::Seq => Err(ScalarProblem::TagMismatch),
        TagKind::Other => Err(ScalarProblem::UnsupportedTag),
    }
}

fn resolve_plain(text: &str) -> Result<Value, ScalarProblem> {
    if is_null(text) {
        return Ok(Value::Null);
    }
    if let Some(boolean) = parse_bool(text) {
        return Ok(Value::Bool(boolean));
    }
    if let Some(number) = parse_int(text) {
        return number.map(Value::Number);
    }
    if is_core_float(text) {
        return text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or(ScalarProblem::NotRepresentable);
    }
    if is_special_float(text) {
        return Err(ScalarProblem::NotRepresentable);
    }
    Ok(Value::String(text.to_owned()))
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `Some` if `text` is a core-schema int; the inner result is the JSON number.
fn parse_int(text: &str) -> Option<Result<Number, ScalarProblem>> {
    let (radix, digits) = if let Some(octal) = text.strip_prefix("0o") {
        (8, octal)
    } else if let Some(hex) = text.strip_prefix("0x") {
        (16, hex)
    } else {
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number = text
            .parse::<i64>()
            .map(Number::from)
            .or_else(|_| {
                text.trim_start_matches('+')
                    .parse::<u64>()
                    .map(Number::from)
            })
            .ok()
            .or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64))
            .ok_or(ScalarProblem::NotRepresentable);
        return Some(number);
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let number = u64::from_str_radix(digits, radix)
        .map(Number::from)
        .ok()
        .or_else(|| Number::from_f64(digits_as_f64(digits, radix)))
        .ok_or(ScalarProblem::NotRepresentable);
    Some(number)
}

/// The value of an over-long octal or hex literal, approximately, as JSON
/// only has f64 beyond u64.
fn digits_as_f64(digits: &str, radix: u32) -> f64 {
    digits.chars().fold(0.0, |acc, c| {
        acc * f64::from(radix) + c.to_digit(radix).map_or(0.0, f64::from)
    })
}

/// For `!!float 3`: an int literal read as a float.
fn int_as_f64(text: &str) -> Option<f64> {
    match parse_int(text)? {
        Ok(number) => number.as_f64(),
        Err(_) => None,
    }
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
    let digits_from = |i: usize| bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let integer = digits_from(i);
    i += integer;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let fraction = digits_from(i);
        if integer == 0 && fraction == 0 {
            return false;
        }
        i += fraction;
    } else if integer == 0 {
        return false;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(bytes.get(i), Some(b'-' | b'+')));
        let exponent = digits_from(i);
        if exponent == 0 {
            return false;
        }
        i += exponent;
    }
    i == bytes.len()
}

/// The core schema's infinities and NaNs, which JSON cannot hold.
fn is_special_float(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::yaml::{YamlError, parse};
    use serde_json::json;
    use std::path::Path;

    fn p(text: &str) -> Result<Value, YamlError> {
        parse(text, Path::new("test.yaml"))
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let value = p("
nulls: [~, null, Null, NULL, ]
empty:
bools: [true, True, TRUE, false, False, FALSE]
not_bools: [yes, no, on, off, tRUE]
ints: [0, -17, +42, 0o17, 0x1F, 9223372036854775807, 18446744073709551615]
big: 18446744073709551616
floats: [1.5, -0.5, .5, 1., 1e3, 2.5E-2, +1.0]
strings: [1.0.0, 1_000, 0b101, 0o8, 0xZZ, '1', \"true\", a-b]
")
        .unwrap();
        assert_eq!(value["nulls"], json!([null, null, null, null]));
        assert_eq!(value["empty"], Value::Null);
        assert_eq!(
            value["bools"],
            json!([true, true, true, false, false, false])
        );
        assert_eq!(
            value["not_bools"],
            json!(["yes", "no", "on", "off", "tRUE"])
        );
        assert_eq!(
            value["ints"],
            json!([0, -17, 42, 15, 31, i64::MAX, u64::MAX])
        );
        assert!(value["ints"][0].is_i64());
        assert_eq!(value["big"], json!(18_446_744_073_709_551_616.0_f64));
        assert_eq!(
            value["floats"],
            json!([1.5, -0.5, 0.5, 1.0, 1000.0, 0.025, 1.0])
        );
        assert!(value["floats"][3].is_f64());
        assert_eq!(
            value["strings"],
            json!(["1.0.0", "1_000", "0b101", "0o8", "0xZZ", "1", "true", "a-b"])
        );
    }

    #[test]
    fn quoted_and_block_scalars_are_strings() {
        let value = p("a: '12'\nb: \"null\"\nc: |\n  true\nd: >-\n  3.5\n").unwrap();
        assert_eq!(
            value,
            json!({"a": "12", "b": "null", "c": "true\n", "d": "3.5"})
        );
    }

    #[test]
    fn core_tags_are_honoured() {
        let value = p("
s: !!str 12
i: !!int '0x10'
f: !!float 3
b: !!bool 'false'
n: !!null ''
m: !!map {a: 1}
q: !!seq [1]
ns: ! 12
")
        .unwrap();
        assert_eq!(
            value,
            json!({"s": "12", "i": 16, "f": 3.0, "b": false, "n": null,
                   "m": {"a": 1}, "q": [1], "ns": "12"})
        );
        assert!(value["f"].is_f64());
    }

    #[test]
    fn unknown_and_mismatched_tags_are_errors() {
        let err = p("a:\n  b: !custom 1\n").unwrap_err();
        assert!(
            matches!(&err, YamlError::UnsupportedTag { line: 2, column: 6, pointer, tag, .. }
                if pointer == "/a/b" && tag == "!custom"),
            "{err:?}"
        );
        let err = p("a: !!int abc\n").unwrap_err();
        assert!(
            matches!(&err, YamlError::TagMismatch { tag, .. } if tag == "!!int"),
            "{err:?}"
        );
        let err = p("a: !!map [1]\n").unwrap_err();
        assert!(matches!(&err, YamlError::TagMismatch { .. }), "{err:?}");
        assert!(err.to_string().contains("test.yaml:1:4"), "{err}");
    }

    #[test]
    fn infinities_and_nans_are_not_representable() {
        for text in [".inf", "-.Inf", "+.INF", ".nan", ".NaN", "1e999"] {
            let err = p(&format!("x:\n  - ok\n  - {text}\n")).unwrap_err();
            match &err {
                YamlError::NotRepresentable {
                    line,
                    pointer,
                    text: t,
                    ..
                } => {
                    assert_eq!((*line, pointer.as_str(), t.as_str()), (3, "/x/1", text));
                }
                other => panic!("{text}: {other:?}"),
            }
            assert!(err.to_string().contains("not representable in JSON"));
        }
        // Quoting makes them plain strings.
        assert_eq!(p("x: '.inf'").unwrap(), json!({"x": ".inf"}));
    }
}
