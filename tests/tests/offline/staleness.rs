//! `generated/` must be exactly what the generator makes from the pinned
//! spec and the overlays: a stale checked-in crate fails here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use matrix_csapi_codegen::{Project, generate, output, pin};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The pinned spec: `MATRIX_SPEC_DIR`, or `../shared/matrix-spec/<tag>`
/// beside the repository. Never skips: without a spec this test fails.
fn spec_dir(tag: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("MATRIX_SPEC_DIR") {
        return PathBuf::from(dir);
    }
    let default = repo_root().join("../shared/matrix-spec").join(tag);
    assert!(
        default.join("data").is_dir(),
        "the Matrix spec {tag} was not found at {}: set MATRIX_SPEC_DIR to the folder that contains its data/ \
         (e.g. MATRIX_SPEC_DIR=../shared/matrix-spec/{tag} cargo test --workspace)",
        default.display()
    );
    default
}

#[test]
fn generated_crate_matches_the_generator_output() {
    let project = Project {
        spec_config_dir: repo_root().join("spec"),
    };
    let pinned = pin::Pin::read(&project.pin_path()).unwrap();
    let spec = spec_dir(&pinned.tag);
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
