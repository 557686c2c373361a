//! The loader on every YAML file of the real Matrix spec (`MATRIX_SPEC_DIR`,
//! or `../shared/matrix-spec/v1.19` beside the repository).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::builder::{Builder, Failure};
use super::source::Source;
use super::{Speculation, parse, parse_patching, position_of};

fn spec_data_dir() -> PathBuf {
    let root = std::env::var_os("MATRIX_SPEC_DIR").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/matrix-spec/v1.19"
            ))
        },
        PathBuf::from,
    );
    let data = root.join("data");
    assert!(
        data.is_dir(),
        "Matrix spec data not found at {}. Set MATRIX_SPEC_DIR to the directory that \
         contains `data/` (e.g. MATRIX_SPEC_DIR=/path/to/matrix-spec/v1.19).",
        data.display()
    );
    data
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn every_spec_file_parses() {
    let data = spec_data_dir();
    let mut files = Vec::new();
    yaml_files(&data, &mut files);
    assert!(
        files.len() > 100,
        "only {} YAML files under {}",
        files.len(),
        data.display()
    );
    let failures: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            parse(&text, file).err().map(|e| e.to_string())
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} files failed:\n{}",
        failures.len(),
        failures.join("\n")
    );

    let file = data.join("api/client-server/report_content.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let value = parse(&text, &file).unwrap();
    let mut changed = Vec::new();
    collect_changed(&value, &mut changed);
    assert!(changed.iter().any(|k| k == "1.18"), "{changed:?}");
    assert!(changed.iter().any(|k| k == "1.8"), "{changed:?}");
    // Past several patched flow closers, positions still match the file.
    let pointer = "/paths/~1rooms~1{roomId}~1report~1{eventId}/post/x-changedInMatrixVersion/1.8";
    assert_eq!(
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(|s| s.is_empty()),
        Some(false)
    );
    assert_eq!(position_of(&text, pointer), Some((149, 9)));
}

/// Keys of every `x-changedInMatrixVersion` mapping in `value`.
fn collect_changed(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "x-changedInMatrixVersion" {
                    out.extend(child.as_object().unwrap().keys().cloned());
                }
                collect_changed(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_changed(item, out)),
        _ => {}
    }
}

fn both_ways(text: &str) -> (Result<Value, Speculation>, Result<Value, Speculation>) {
    let file = Path::new("test.yaml");
    (
        parse_patching(text, file, true),
        parse_patching(text, file, false),
    )
}

#[test]
fn speculative_bracket_patching_gives_the_same_values_on_the_real_spec() {
    let dir = match std::env::var_os("MATRIX_SPEC_DIR") {
        Some(dir) if !dir.is_empty() => std::path::PathBuf::from(dir),
        _ => std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/matrix-spec/v1.19"
        )),
    };
    let mut pending = vec![dir.join("data")];
    let (mut files, mut patched, mut fell_back) = (0, 0, Vec::new());
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (set MATRIX_SPEC_DIR)", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            files += 1;
            let (speculated, plain) = both_ways(&text);
            let plain = plain.map_err(|_| path.display().to_string());
            match speculated {
                Ok(value) => assert_eq!(Ok(value), plain, "{}", path.display()),
                Err(Speculation::Failed) => fell_back.push(path.display().to_string()),
                Err(Speculation::Final(error)) => panic!("{error}"),
            }
            let mut source = Source::new(&text);
            while let Err(Failure::Scan(error)) = Builder::new(&path, &source).run().map(drop) {
                assert!(source.fix_flow_closer(&error), "{}", path.display());
            }
            patched += usize::from(source.fixes > 0);
        }
    }
    assert!(files > 300, "{files} YAML files");
    assert!(patched > 50, "{patched} files need bracket patches");
    // Speculation pays off: few files need the slow path (a bracket
    // line in a block scalar after the first patched one).
    assert!(fell_back.len() * 10 < patched, "{fell_back:?}");
}
