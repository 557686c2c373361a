//! The OpenAPI Initiative's Overlay conformance data, run against the overlay engine.
//!
//! The data lives outside the repository (read-only, see its README.md); point
//! `OAI_OVERLAY_DIR` at it if it is not at `../shared/oai-overlay`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use openapi_overlay::{Overlay, Strictness, yaml};
use serde_json::Value;

fn data_dir() -> PathBuf {
    let dir = std::env::var_os("OAI_OVERLAY_DIR").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/oai-overlay"
            ))
        },
        PathBuf::from,
    );
    assert!(
        dir.join("compliant-sets").is_dir() && dir.join("tests").is_dir(),
        "OAI Overlay conformance data not found at {}. Set OAI_OVERLAY_DIR to the directory \
         that contains `compliant-sets/` and `tests/` (a copy of github.com/OAI/Overlay-Specification).",
        dir.display()
    );
    dir
}

fn load_yaml(file: &Path) -> Value {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    yaml::parse(&text, file).unwrap_or_else(|e| panic!("{e}"))
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.sort();
    paths
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    entries(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect()
}

/// Version folders under `tests/` (`v1.0`, `v1.1`, ...).
fn version_dirs() -> Vec<PathBuf> {
    let dirs: Vec<PathBuf> = entries(&data_dir().join("tests"))
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    assert!(!dirs.is_empty(), "no version folders under tests/");
    dirs
}

/// Objects with keys sorted, so the comparison and any diff ignore key order.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[test]
fn compliant_sets_produce_their_output() {
    let sets: Vec<PathBuf> = entries(&data_dir().join("compliant-sets"))
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    assert!(
        sets.len() >= 8,
        "expected at least 8 compliant sets, found {}",
        sets.len()
    );
    for set in &sets {
        let overlay = Overlay::load(&set.join("overlay.yaml")).unwrap_or_else(|e| panic!("{e}"));
        let mut document = load_yaml(&set.join("openapi.yaml"));
        overlay
            .apply(&mut document, Strictness::Standard)
            .unwrap_or_else(|e| panic!("{e}"));
        let expected = sorted(&load_yaml(&set.join("output.yaml")));
        let actual = sorted(&document);
        assert_eq!(
            serde_json::to_string_pretty(&actual).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap(),
            "compliant set {}",
            set.display()
        );
        println!("compliant set {} matches its output", set.display());
    }
    println!("{} compliant sets produce their output", sets.len());
}

/// Every pass fixture must load. `actions-traits-example.yaml` targets
/// `$.paths.*.get[?@.x-oai-traits.paged]`, which is not RFC 9535 (`-` in
/// member-name shorthand) and loads through the engine's one leniency.
#[test]
fn pass_fixtures_load() {
    let mut loaded = 0;
    for version in version_dirs() {
        let files = yaml_files(&version.join("pass"));
        assert!(
            !files.is_empty(),
            "no pass fixtures in {}",
            version.display()
        );
        for file in files {
            // Load from disk, as the generator does, so messages carry positions.
            Overlay::load(&file).unwrap_or_else(|e| panic!("pass fixture rejected: {e}"));
            println!("loaded {}", file.display());
            loaded += 1;
        }
    }
    println!("{loaded} pass fixtures loaded");
    assert!(loaded >= 25, "found only {loaded} pass fixtures");
}

#[test]
fn fail_fixtures_are_rejected_naming_the_file() {
    let mut rejected = 0;
    for version in version_dirs() {
        let files = yaml_files(&version.join("fail"));
        assert!(
            !files.is_empty(),
            "no fail fixtures in {}",
            version.display()
        );
        for file in files {
            // Load from disk, as the generator does, so messages carry positions.
            let err = match Overlay::load(&file) {
                Ok(_) => panic!("fail fixture accepted: {}", file.display()),
                Err(err) => err,
            };
            let message = err.to_string();
            println!("{message}");
            assert!(
                message.contains(&file.display().to_string()),
                "message does not name the file: {message}"
            );
            rejected += 1;
        }
    }
    println!("{rejected} fail fixtures rejected");
    assert!(rejected >= 42, "found only {rejected} fail fixtures");
}
