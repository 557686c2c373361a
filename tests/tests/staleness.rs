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
