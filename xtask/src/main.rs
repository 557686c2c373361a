//! `cargo xtask`: project automation for the Matrix client-server API
//! generator. See `cargo xtask --help`.
//!
//! This binary is the only place that decides how errors are shown:
//! `error: <message>` and one `caused by: <message>` line per source (unless
//! the message already shows it), on stderr, with exit status 1.

mod cli;
mod diff_cmd;
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
        cli::Command::Diff(args) => {
            let env = env()?;
            diff_cmd::run(&args, &env, compare, &mut io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        cli::Command::Gen(args) => {
            let env = env()?;
            let generate = |spec_dir: &Path, spec_config_dir: &Path| {
                let project = codegen::Project {
                    spec_config_dir: PathBuf::from(spec_config_dir),
                };
                // Boxed: the generator's error type is large.
                codegen::generate(spec_dir, &project).map_err(Box::new)
            };
            let report = |sides: gen_cmd::ReportSides<'_>| {
                let from = codegen::changes::Release {
                    spec_dir: sides.from,
                    label: sides.from_tag,
                };
                let to = codegen::changes::Release {
                    spec_dir: sides.to,
                    label: sides.to_tag,
                };
                compare(from, to, sides.config_dir)
                    .map(|report| codegen::changes::render::text(&report))
            };
            let outcome = gen_cmd::run(
                &args,
                &env,
                generate,
                report,
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

/// Where the command runs.
fn env() -> Result<gen_cmd::Env, Box<dyn Error>> {
    let cwd = std::env::current_dir().map_err(|e| {
        Box::new(io::Error::new(
            e.kind(),
            format!("cannot determine the current directory: {e}"),
        ))
    })?;
    Ok(gen_cmd::Env {
        root: gen_cmd::find_repo_root(&cwd)?,
        cwd,
        spec_env: std::env::var_os("MATRIX_SPEC_DIR"),
    })
}

/// The generator's comparison of two releases with the project's config
/// in `spec_config_dir`.
fn compare(
    from: codegen::changes::Release<'_>,
    to: codegen::changes::Release<'_>,
    spec_config_dir: &Path,
) -> Result<codegen::changes::ChangeReport, Box<codegen::changes::ChangesError>> {
    let project = codegen::Project {
        spec_config_dir: PathBuf::from(spec_config_dir),
    };
    // Boxed: the generator's error types are large.
    codegen::changes::compare_specs(from, to, &project).map_err(Box::new)
}

/// Prints `error: ...` and the `caused by:` chain to stderr.
fn report(error: &dyn Error) {
    let _ = io::stderr().lock().write_all(error_text(error).as_bytes());
}

/// `error: <message>` and a `caused by: <message>` line per source whose
/// text its parent's message does not already show (many errors quote their
/// cause, e.g. `cannot read spec file x.yaml: No such file or directory`).
/// Only the parent is compared, so a short cause is never dropped because it
/// happens to occur somewhere else in the chain.
fn error_text(error: &dyn Error) -> String {
    let mut text = format!("error: {error}\n");
    let mut parent = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !parent.contains(&message) {
            text.push_str(&format!("  caused by: {message}\n"));
        }
        parent = message;
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Chain(&'static str, Option<Box<Chain>>);

    impl std::fmt::Display for Chain {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Chain {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|c| c as &(dyn Error + 'static))
        }
    }

    #[test]
    fn causes_already_quoted_are_not_repeated() {
        let io = Chain("No such file or directory (os error 2)", None);
        let read = Chain(
            "cannot read spec file a.yaml: No such file or directory (os error 2)",
            Some(Box::new(io)),
        );
        let top = Chain("cannot generate the client from `s`", Some(Box::new(read)));
        assert_eq!(
            error_text(&top),
            "error: cannot generate the client from `s`\n  caused by: cannot read spec file \
             a.yaml: No such file or directory (os error 2)\n"
        );
        let bare = Chain("cannot inspect `x`", Some(Box::new(Chain("denied", None))));
        assert_eq!(
            error_text(&bare),
            "error: cannot inspect `x`\n  caused by: denied\n"
        );
        // A short cause that occurs further up, but not in its parent, is
        // still shown.
        let elsewhere = Chain(
            "access denied for `x`",
            Some(Box::new(Chain(
                "cannot open `x`",
                Some(Box::new(Chain("denied", None))),
            ))),
        );
        assert_eq!(
            error_text(&elsewhere),
            "error: access denied for `x`\n  caused by: cannot open `x`\n  caused by: denied\n"
        );
    }
}
