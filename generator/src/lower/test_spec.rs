//! Small specs of our own for the lowering tests: files written under a
//! scratch `data/` folder, lowered with a config of the events tests' shape.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;

use super::{LowerError, lower};
use crate::config::Config;
use crate::load::SpecFiles;
use crate::model::Api;
use crate::resolve::resolve;

/// Lowers the spec made of `files` (path under `data/`, text), every
/// `api/client-server/*.yaml` a document and every
/// `event-schemas/schema/*.yaml` an event schema; `top` is config before
/// the `[crate]` table (top-level keys), `tables` config after `[events]`'s
/// `schemas` (`[events.kinds]`, ...).
pub(super) fn lower_spec(
    files: &[(&str, &str)],
    top: &str,
    tables: &str,
) -> Result<Api, LowerError> {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for (path, text) in files {
        let path = data.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let toml = format!(
        "documents = [\"api/client-server/*.yaml\"]\n{top}[crate]\nname = \"t\"\nversion = \"0.1.0\"\ndescription = \"t\"\n[events]\nschemas = [\"event-schemas/schema/*.yaml\"]\n{tables}"
    );
    let config_path = Path::new("generator.toml");
    let mut config = Config::parse(&toml, config_path).unwrap();
    let files = SpecFiles::open(dir.path()).unwrap();
    config
        .expand_documents(files.data_dir(), config_path)
        .unwrap();
    let spec = resolve(files, &config.resolve_roots(false)).unwrap();
    lower(&spec, &config, "v1.19")
}
