//! `generated/` must be exactly what the generator makes from the pinned
//! spec and the overlays: a stale checked-in crate fails here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use matrix_csapi_codegen::{Project, generate, output, pin};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn generated_crate_matches_the_generator_output() {
    let project = Project {
        spec_config_dir: repo_root().join("spec"),
    };
    let pinned = pin::Pin::read(&project.pin_path()).unwrap();
    let spec = matrix_csapi_tests::spec_dir();
    pin::verify(&spec, &pinned).unwrap_or_else(|e| panic!("{e}"));
    let files = generate(&spec, &project).unwrap_or_else(|e| panic!("generation failed: {e}"));
    let changes = output::diff(&repo_root().join("generated"), &files).unwrap();
    assert!(
        changes.is_empty(),
        "generated/ is stale ({} files differ: {}): run `cargo xtask gen`",
        changes.len(),
        changes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// The generated crate names the runtime by version beside its path; a
/// published crate gets the runtime of that version, so it must be this
/// workspace's.
#[test]
fn generated_crate_requires_this_runtime_version() {
    let config =
        matrix_csapi_codegen::config::Config::read(&repo_root().join("spec/generator.toml"))
            .unwrap();
    let manifest = std::fs::read_to_string(repo_root().join("runtime/Cargo.toml")).unwrap();
    let runtime_version = manifest
        .lines()
        .find_map(|line| line.strip_prefix("version = "))
        .map(|version| version.trim_matches('"'));
    assert_eq!(
        config.krate.runtime.version.as_deref(),
        runtime_version,
        "[crate.runtime] version in spec/generator.toml"
    );
}
