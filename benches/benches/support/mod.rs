//! Shared by the bench binaries.

use std::path::PathBuf;

pub mod ratios;

/// The Matrix spec release to read: `MATRIX_SPEC_DIR`, or the pinned
/// checkout beside the repository.
pub fn spec_dir() -> PathBuf {
    match std::env::var_os("MATRIX_SPEC_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/matrix-spec/v1.19"
        )),
    }
}

/// This repository's generator project (`spec/`).
pub fn project() -> matrix_csapi_codegen::Project {
    matrix_csapi_codegen::Project {
        spec_config_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec")),
    }
}
