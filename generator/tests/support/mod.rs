//! The small fixture spec shared by the generator's integration tests
//! (`tests/fixtures/mini`): spec files under `spec-tree/` (so nobody
//! mistakes them for the Matrix spec; a spec checkout has them under
//! `data/`) and the project config under `project/`.
#![allow(dead_code)] // each test binary uses a different subset
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

/// The fixture as checked in.
pub fn fixture_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
}

/// A copy of the fixture in a temp dir (spec files under `data/`), with
/// `edit` applied to its files.
pub fn edited_fixture(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    copy_fixture(&fixture_source(), edit)
}

/// A copy of the fixture at `source` (laid out like `mini`) in a temp dir,
/// spec files under `data/`, with `edit` applied to its files.
pub fn copy_fixture(source: &Path, edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(source, dir.path());
    fs::rename(dir.path().join("spec-tree"), dir.path().join("data")).unwrap();
    edit(dir.path());
    dir
}

/// Copies the directory tree `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}
