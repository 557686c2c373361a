//! Helpers shared by the example collection's unit tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;

use super::{Collection, ExampleError, collect};
use crate::load::SpecFiles;
use crate::resolve::{ResolvedSpec, resolve};

pub(super) const OPS: &str = "api/client-server/ops.yaml";

/// A spec in a temp dir, resolved from `api/client-server/ops.yaml`.
pub(super) fn spec(files: &[(&str, &str)]) -> (tempfile::TempDir, ResolvedSpec) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("data/api/client-server")).unwrap();
    for (path, text) in files {
        let full = dir.path().join("data").join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
    }
    let files = SpecFiles::open(dir.path()).unwrap();
    let spec = resolve(files, &[OPS.to_owned()]).unwrap();
    (dir, spec)
}

pub(super) fn collect_ops(spec: &ResolvedSpec) -> Result<Collection, ExampleError> {
    collect(spec, &[OPS.to_owned()])
}

pub(super) fn one_example(
    value_yaml: &str,
    extra: &[(&str, &str)],
) -> Result<Collection, ExampleError> {
    let ops = format!(
        "paths:\n  /x:\n    get:\n      operationId: getX\n      responses:\n        \"200\":\n          description: x\n          content:\n            application/json:\n              examples:\n                response:\n{value_yaml}\n"
    );
    let mut files = vec![(OPS, ops.as_str())];
    files.extend_from_slice(extra);
    let (_dir, spec) = spec(&files);
    collect_ops(&spec)
}
