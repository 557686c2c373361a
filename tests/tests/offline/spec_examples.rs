//! Every request and response example in the spec (media type `examples`
//! and `example`, referenced example files with their overrides, body
//! schemas' own `example`) is deserialized into the generated type for its
//! operation and part, and serialized back: the result must equal the
//! example as JSON (key order aside).
//!
//! The examples are those of the documents in `spec/generator.toml`, read
//! through the generator's own stages (overlays applied, `$ref`s resolved;
//! see `matrix_csapi_codegen::examples`). The report at the end lists every
//! failure with its source and the JSON pointers that differ; run with
//! `--nocapture` to see it when everything passes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::{self, Write as _};

use matrix_csapi_codegen::examples::Example;
use matrix_csapi_codegen::{Project, spec_examples};
use matrix_csapi_tests::{spec_dir, workspace_dir};
use serde_json::Value;

/// An example that may fail, and why. Only for failures that are the
/// spec's fault (an example contradicting its own schema). Each entry must
/// still fail, and with its `failure`, or the test says so.
struct Exclusion {
    /// The `operationId`.
    operation_id: &'static str,
    /// `request` or the status, e.g. `200`.
    part: &'static str,
    /// The example's label, as printed in the report (`examples/response`,
    /// `schema example`, ...).
    example: &'static str,
    /// Text that its failure report contains (an error message or a
    /// difference line), so that it failing differently is not excused.
    failure: &'static str,
    /// Why it cannot pass.
    reason: &'static str,
}

/// The examples allowed to fail.
const EXCLUDED: &[Exclusion] = &[Exclusion {
    operation_id: "getProtocols",
    part: "200",
    example: "schema example",
    failure: "error: missing field `icon`",
    reason: "the spec's example contradicts its schema: its `gitter` protocol has no `icon`, \
             which api/application-service/definitions/protocol_base.yaml requires \
             (third_party_lookup.yaml, GET /thirdparty/protocols)",
}];

/// How one example fared.
enum Outcome {
    /// Serialized back to the same JSON.
    Equal,
    /// The same JSON except for numbers written differently with the same
    /// value (`1` and `1.0`), which the spec's build renders alike
    /// (its JSON output has one number type). The pointers are listed.
    EqualAsNumbers(Vec<String>),
    /// `roundtrip` knows no JSON type for this operation and part.
    NoType,
    /// Deserializing (or serializing) failed.
    Error(String),
    /// Serialized back to different JSON.
    Differs(Vec<Difference>),
}

/// A place where the round-tripped JSON differs from the example.
enum Difference {
    /// The example has a value that is gone after the round trip.
    Missing { pointer: String, expected: Value },
    /// The round trip added a value the example does not have.
    Added { pointer: String, actual: Value },
    /// The value changed.
    Changed {
        pointer: String,
        expected: Value,
        actual: Value,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Missing { pointer, expected } => {
                write!(f, "{}: dropped (was {})", at(pointer), compact(expected))
            }
            Difference::Added { pointer, actual } => {
                write!(f, "{}: added {}", at(pointer), compact(actual))
            }
            Difference::Changed {
                pointer,
                expected,
                actual,
            } => write!(
                f,
                "{}: {} became {}",
                at(pointer),
                compact(expected),
                compact(actual)
            ),
        }
    }
}

/// A JSON pointer for display: the root is shown as `/`.
fn at(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

/// A value as short one-line JSON.
fn compact(value: &Value) -> String {
    const MAX: usize = 100;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Whether two numbers are the same value written differently (`1`, `1.0`).
fn same_number(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if a.is_f64() || b.is_f64() {
        matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y)
    } else {
        false
    }
}

/// The differences between `expected` and `actual` below `pointer`;
/// numbers equal only in value are listed in `numbers`.
fn compare(
    expected: &Value,
    actual: &Value,
    pointer: &str,
    out: &mut Vec<Difference>,
    numbers: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, e_value) in e {
                let child = format!("{pointer}/{}", escape(key));
                match a.get(key) {
                    Some(a_value) => compare(e_value, a_value, &child, out, numbers),
                    None => out.push(Difference::Missing {
                        pointer: child,
                        expected: e_value.clone(),
                    }),
                }
            }
            for (key, a_value) in a {
                if !e.contains_key(key) {
                    out.push(Difference::Added {
                        pointer: format!("{pointer}/{}", escape(key)),
                        actual: a_value.clone(),
                    });
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            for (index, (e_item, a_item)) in e.iter().zip(a).enumerate() {
                compare(e_item, a_item, &format!("{pointer}/{index}"), out, numbers);
            }
            for (index, e_item) in e.iter().enumerate().skip(a.len()) {
                out.push(Difference::Missing {
                    pointer: format!("{pointer}/{index}"),
                    expected: e_item.clone(),
                });
            }
            for (index, a_item) in a.iter().enumerate().skip(e.len()) {
                out.push(Difference::Added {
                    pointer: format!("{pointer}/{index}"),
                    actual: a_item.clone(),
                });
            }
        }
        (Value::Number(e), Value::Number(a)) if e != a && same_number(e, a) => {
            numbers.push(format!("{}: {e} became {a}", at(pointer)));
        }
        (e, a) if e != a => out.push(Difference::Changed {
            pointer: pointer.to_owned(),
            expected: e.clone(),
            actual: a.clone(),
        }),
        _ => {}
    }
}

fn outcome(example: &Example) -> Outcome {
    let result = matrix_csapi::test_support::roundtrip(
        &example.operation_id,
        &example.part,
        example.value.clone(),
    );
    match result {
        None => Outcome::NoType,
        Some(Err(error)) => Outcome::Error(error.to_string()),
        Some(Ok(actual)) => {
            let mut differences = Vec::new();
            let mut numbers = Vec::new();
            compare(&example.value, &actual, "", &mut differences, &mut numbers);
            if !differences.is_empty() {
                Outcome::Differs(differences)
            } else if !numbers.is_empty() {
                Outcome::EqualAsNumbers(numbers)
            } else {
                Outcome::Equal
            }
        }
    }
}

fn label(example: &Example) -> String {
    format!("{} {} {}", example.operation_id, example.part, example.kind)
}

/// The index in [`EXCLUDED`] of the exclusion for `example`, if any.
fn excluded(example: &Example) -> Option<usize> {
    let kind = example.kind.to_string();
    EXCLUDED.iter().position(|x| {
        x.operation_id == example.operation_id && x.part == example.part && x.example == kind
    })
}

#[test]
fn every_spec_example_round_trips_through_the_generated_types() {
    // Events are `Raw<T>`, which round-trip as text whatever they hold:
    // check each against its type too.
    matrix_csapi::runtime::__private::validate_raw_values_on_this_thread(true);
    // Identifiers accept any string when deserialized; here each one (in
    // events too, through the check above) must follow the spec's grammar.
    matrix_csapi::runtime::__private::validate_identifiers_on_this_thread(true);
    let project = Project {
        spec_config_dir: workspace_dir().join("spec"),
    };
    let spec = spec_dir();
    let examples = spec_examples(&spec, &project)
        .unwrap_or_else(|e| panic!("collecting the spec's examples failed: {e}"));
    assert!(
        !examples.is_empty(),
        "no examples found in the documents of spec/generator.toml"
    );

    let mut equal = 0;
    let mut as_numbers = Vec::new();
    let mut no_type = Vec::new();
    let mut failed = Vec::new();
    let mut excused = Vec::new();
    let mut excusing = vec![false; EXCLUDED.len()];
    for example in &examples {
        let mut problems = match outcome(example) {
            Outcome::Equal => {
                equal += 1;
                continue;
            }
            Outcome::EqualAsNumbers(notes) => {
                as_numbers.push((example, notes));
                continue;
            }
            Outcome::NoType => vec!["no type".to_owned()],
            Outcome::Error(error) => vec![format!("error: {error}")],
            Outcome::Differs(differences) => differences.iter().map(ToString::to_string).collect(),
        };
        if let Some(index) = excluded(example) {
            let exclusion = &EXCLUDED[index];
            if problems.iter().any(|p| p.contains(exclusion.failure)) {
                excusing[index] = true;
                excused.push((example, exclusion));
                continue;
            }
            problems.push(format!(
                "(excluded for `{}`, but fails differently)",
                exclusion.failure
            ));
        }
        if problems == ["no type"] {
            no_type.push(example);
        } else {
            failed.push((example, problems));
        }
    }
    let identifiers = matrix_csapi::runtime::__private::identifiers_validated_on_this_thread();
    let stale: Vec<&Exclusion> = EXCLUDED
        .iter()
        .zip(&excusing)
        .filter(|(_, used)| !**used)
        .map(|(x, _)| x)
        .collect();

    let mut report = String::new();
    let _ = writeln!(
        report,
        "\nspec examples round trip (spec {}, documents of spec/generator.toml)",
        spec.display()
    );
    let rows = [
        ("examples found", examples.len()),
        (
            "identifiers validated (strict grammar)",
            usize::try_from(identifiers).unwrap_or(usize::MAX),
        ),
        ("round-tripped equal", equal + as_numbers.len()),
        (
            "  of which equal only as numbers (1 vs 1.0)",
            as_numbers.len(),
        ),
        ("no type (roundtrip gave None)", no_type.len()),
        ("failed", failed.len()),
        ("excluded (see EXCLUDED)", excused.len()),
    ];
    for (name, count) in rows {
        let _ = writeln!(report, "  {name:<46}{count:>5}");
    }
    if !as_numbers.is_empty() {
        let _ = writeln!(report, "\nequal only as numbers (passing):");
        for (example, notes) in &as_numbers {
            let _ = writeln!(report, "  {}  [{}]", label(example), example.source);
            for note in notes {
                let _ = writeln!(report, "      {note}");
            }
        }
    }
    if !excused.is_empty() {
        let _ = writeln!(report, "\nexcluded:");
        for (example, exclusion) in &excused {
            let _ = writeln!(report, "  {}: {}", label(example), exclusion.reason);
        }
    }
    if !no_type.is_empty() {
        let _ = writeln!(
            report,
            "\nno type (test_support::roundtrip has no JSON type for the operation and part):"
        );
        for example in &no_type {
            let _ = writeln!(report, "  {}  [{}]", label(example), example.source);
        }
    }
    if !failed.is_empty() {
        let _ = writeln!(
            report,
            "\nfailed (expected = the spec's example, pointers into it):"
        );
        for (number, (example, problems)) in failed.iter().enumerate() {
            let _ = writeln!(report, "  [{}] {}", number + 1, label(example));
            let _ = writeln!(report, "      source: {}", example.source);
            for problem in problems {
                let _ = writeln!(report, "      {problem}");
            }
        }
        let _ = writeln!(
            report,
            "  (`dropped`: in the example, gone after the round trip, e.g. a property the type \
             does not keep; `added`: written by the type, not in the example, e.g. a default or \
             null; `error`: serde's message, without a path)"
        );
    }
    for exclusion in &stale {
        let _ = writeln!(
            report,
            "\nstale exclusion: {} {} {} no longer fails with `{}` (or is gone): update or remove it in EXCLUDED",
            exclusion.operation_id, exclusion.part, exclusion.example, exclusion.failure
        );
    }
    println!("{report}");
    assert!(identifiers > 0, "no identifier was validated");
    assert!(
        failed.is_empty() && no_type.is_empty() && stale.is_empty(),
        "{} examples failed, {} have no type, {} exclusions are stale (report above)",
        failed.len(),
        no_type.len(),
        stale.len()
    );
}

#[test]
fn comparison_reports_pointers_and_tolerates_number_spelling() {
    let expected = serde_json::json!({"a": {"b/c": [1, 2, 3]}, "n": 1, "f": 1.5, "gone": null});
    let actual = serde_json::json!({"a": {"b/c": [1, 5]}, "n": 1.0, "f": 1.5, "new": true});
    let mut differences = Vec::new();
    let mut numbers = Vec::new();
    compare(&expected, &actual, "", &mut differences, &mut numbers);
    let text: Vec<String> = differences.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "/a/b~1c/1: 2 became 5",
            "/a/b~1c/2: dropped (was 3)",
            "/gone: dropped (was null)",
            "/new: added true",
        ]
    );
    assert_eq!(numbers, ["/n: 1 became 1.0"]);
    let mut differences = Vec::new();
    compare(
        &serde_json::json!(1),
        &serde_json::json!("1"),
        "",
        &mut differences,
        &mut Vec::new(),
    );
    assert_eq!(differences[0].to_string(), r#"/: 1 became "1""#);
}
