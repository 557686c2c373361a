//! `cargo xtask`: project automation for the Matrix client-server API
//! generator. See `cargo xtask --help`.
//!
//! This binary is the only place that decides how errors are shown:
//! `error: <message>` and one `caused by: <message>` line per source, on
//! stderr, with exit status 1.

mod cli;
mod gen_cmd;

use std::error::Error;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use matrix_csapi_codegen as codegen;

fn main() -> ExitCode {
    match main_inner() {
        Ok(code) => code,
        Err(e) => {
            report(&*e);
            ExitCode::FAILURE
        }
    }
}

fn main_inner() -> Result<ExitCode, Box<dyn Error>> {
    match cli::parse(std::env::args_os().skip(1))? {
        cli::Command::Help(text) => {
            let _ = io::stdout().lock().write_all(text.as_bytes());
            Ok(ExitCode::SUCCESS)
        }
        cli::Command::Gen(args) => {
            let cwd = std::env::current_dir().map_err(|e| {
                Box::new(io::Error::new(
                    e.kind(),
                    format!("cannot determine the current directory: {e}"),
                ))
            })?;
            let env = gen_cmd::Env {
                root: gen_cmd::find_repo_root(&cwd)?,
                cwd,
                spec_env: std::env::var_os("MATRIX_SPEC_DIR"),
            };
            let generate = |spec_dir: &Path, spec_config_dir: &Path| {
                let project = codegen::Project {
                    spec_config_dir: PathBuf::from(spec_config_dir),
                };
                // Boxed: the generator's error type is large.
                codegen::generate(spec_dir, &project).map_err(Box::new)
            };
            let outcome = gen_cmd::run(
                &args,
                &env,
                generate,
                &mut io::stdout().lock(),
                &mut io::stderr().lock(),
            )?;
            Ok(match outcome {
                gen_cmd::Outcome::Ok => ExitCode::SUCCESS,
                gen_cmd::Outcome::Stale => ExitCode::FAILURE,
            })
        }
    }
}

/// Prints `error: ...` and the `caused by:` chain to stderr.
fn report(error: &dyn Error) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = writeln!(stderr, "  caused by: {cause}");
        source = cause.source();
    }
}
