//! `cargo xtask diff`: the change report between two spec releases.

use std::error::Error;
use std::io::Write;
use std::path::Path;

use matrix_csapi_codegen::changes::{ChangeReport, Release, render};
use matrix_csapi_codegen::pin;

use crate::cli::{DiffArgs, Format};
use crate::gen_cmd::{Env, absolute, dir_label};

/// Runs `cargo xtask diff`: checks that both folders are spec releases,
/// then `compare(from, to, spec_config_dir)` builds and compares their
/// models; the report goes to `out`.
pub fn run<E: Error + 'static>(
    args: &DiffArgs,
    env: &Env,
    compare: impl FnOnce(Release<'_>, Release<'_>, &Path) -> Result<ChangeReport, E>,
    out: &mut dyn Write,
) -> Result<(), Box<dyn Error>> {
    let from = absolute(&env.cwd, &args.from);
    let to = absolute(&env.cwd, &args.to);
    pin::spec_data_dir(&from)?;
    pin::spec_data_dir(&to)?;
    let (from_label, to_label) = (dir_label(&from), dir_label(&to));
    let report = compare(
        Release {
            spec_dir: &from,
            label: &from_label,
        },
        Release {
            spec_dir: &to,
            label: &to_label,
        },
        &env.root.join("spec"),
    )?;
    let text = match args.format {
        Format::Text => render::text(&report),
        Format::Json => render::json(&report),
    };
    let _ = out.write_all(text.as_bytes());
    Ok(())
}
