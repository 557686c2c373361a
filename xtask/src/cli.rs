//! Command-line parsing (hand-rolled: one command with three options does not
//! need an argument-parsing dependency).

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

/// `cargo xtask --help`.
pub const MAIN_HELP: &str = "\
Project automation for the Matrix client-server API generator.

Usage: cargo xtask <COMMAND>

Commands:
  gen   Generate generated/ from the pinned Matrix spec and spec/
  help  Print this help, or `help gen` for the help of `gen`

Options:
  -h, --help  Print this help

Run `cargo xtask gen --help` for the options of `gen`.
";

/// `cargo xtask gen --help`.
pub const GEN_HELP: &str = "\
Generate the Rust client crate in generated/ from a Matrix spec release and
the project configuration in spec/.

Usage: cargo xtask gen [--spec DIR] [--check] [--update-pin TAG]

Options:
  --spec DIR        The Matrix spec release to generate from: the directory
                    that contains data/ (e.g. ../shared/matrix-spec/v1.19).
                    Defaults to $MATRIX_SPEC_DIR. A relative path is relative
                    to the current directory.
  --check           Write nothing; exit with status 1 if generated/ differs
                    from what would be generated, listing missing, stale and
                    extra files.
  --update-pin TAG  Accept the spec as release TAG (e.g. v1.19): after
                    generating, record its digest in spec/pin.toml. Without
                    it, the spec must match spec/pin.toml.
  -h, --help        Print this help

The output replaces generated/ atomically: an interrupted run leaves either the
old or the new contents, and the next run cleans up after it.

Exit status: 0 on success, 1 on any error or (with --check) stale output.
";

/// What to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Print this help text to stdout and exit successfully.
    Help(&'static str),
    /// `cargo xtask gen`.
    Gen(GenArgs),
}

/// The options of `cargo xtask gen`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct GenArgs {
    /// `--spec DIR`, as given.
    pub spec: Option<PathBuf>,
    /// `--check`.
    pub check: bool,
    /// `--update-pin TAG`.
    pub update_pin: Option<String>,
}

/// A command line that cannot be parsed.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError {
    message: String,
    help: &'static str,
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (see `{}`)", self.message, self.help)
    }
}

impl std::error::Error for UsageError {}

fn usage(message: impl Into<String>, help: &'static str) -> UsageError {
    UsageError {
        message: message.into(),
        help,
    }
}

/// Parses the arguments after `cargo xtask`.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, UsageError> {
    const MAIN: &str = "cargo xtask --help";
    let mut args = args.into_iter();
    let Some(command) = args.next() else {
        return Err(usage("no command given", MAIN));
    };
    match command.to_str() {
        Some("-h" | "--help") => Ok(Command::Help(MAIN_HELP)),
        Some("help") => match args.next() {
            None => Ok(Command::Help(MAIN_HELP)),
            Some(topic) if topic == "gen" => Ok(Command::Help(GEN_HELP)),
            Some(topic) => Err(usage(
                format!("no help for unknown command {topic:?}"),
                MAIN,
            )),
        },
        Some("gen") => parse_gen(args),
        _ => Err(usage(format!("unknown command {command:?}"), MAIN)),
    }
}

fn parse_gen(args: impl Iterator<Item = OsString>) -> Result<Command, UsageError> {
    const HELP: &str = "cargo xtask gen --help";
    let args: Vec<OsString> = args.collect();
    // Help wins over everything else, wherever it is.
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(Command::Help(GEN_HELP));
    }
    let mut gen_args = GenArgs::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            return Err(usage(format!("unexpected argument {arg:?}"), HELP));
        };
        let (flag, inline) = match text.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(OsString::from(value))),
            _ => (text, None),
        };
        match flag {
            "--check" => {
                if inline.is_some() {
                    return Err(usage("`--check` takes no value", HELP));
                }
                if gen_args.check {
                    return Err(usage("`--check` given twice", HELP));
                }
                gen_args.check = true;
            }
            "--spec" => {
                if gen_args.spec.is_some() {
                    return Err(usage("`--spec` given twice", HELP));
                }
                let value = value(flag, inline, &mut args, "DIR")?;
                gen_args.spec = Some(PathBuf::from(value));
            }
            "--update-pin" => {
                if gen_args.update_pin.is_some() {
                    return Err(usage("`--update-pin` given twice", HELP));
                }
                let value = value(flag, inline, &mut args, "TAG")?;
                let tag = value
                    .into_string()
                    .map_err(|v| usage(format!("`--update-pin` tag {v:?} is not UTF-8"), HELP))?;
                gen_args.update_pin = Some(tag);
            }
            _ => return Err(usage(format!("unexpected argument {text:?}"), HELP)),
        }
    }
    if gen_args.check && gen_args.update_pin.is_some() {
        return Err(usage(
            "`--check` writes nothing, so it cannot be combined with `--update-pin`",
            HELP,
        ));
    }
    Ok(Command::Gen(gen_args))
}

/// The value of `flag`: inline (`--flag=value`) or the next argument.
fn value(
    flag: &str,
    inline: Option<OsString>,
    rest: &mut impl Iterator<Item = OsString>,
    name: &str,
) -> Result<OsString, UsageError> {
    const HELP: &str = "cargo xtask gen --help";
    let value = match inline {
        Some(v) => Some(v),
        None => rest
            .next()
            .filter(|v| !v.to_str().is_some_and(|s| s.starts_with("--"))),
    };
    match value {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(usage(
            format!("`{flag}` needs a value: `{flag} {name}`"),
            HELP,
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Command, UsageError> {
        parse(args.iter().map(OsString::from))
    }

    fn gen_args(args: &[&str]) -> GenArgs {
        match parse_strs(args).unwrap() {
            Command::Gen(a) => a,
            other => panic!("{other:?}"),
        }
    }

    fn err(args: &[&str]) -> String {
        parse_strs(args).unwrap_err().to_string()
    }

    #[test]
    fn help() {
        for args in [&["--help"][..], &["-h"], &["help"]] {
            assert_eq!(parse_strs(args).unwrap(), Command::Help(MAIN_HELP));
        }
        for args in [
            &["gen", "--help"][..],
            &["gen", "--check", "-h"],
            &["help", "gen"],
        ] {
            assert_eq!(parse_strs(args).unwrap(), Command::Help(GEN_HELP));
        }
        // `--help` wins even over otherwise bad arguments.
        assert_eq!(
            parse_strs(&["gen", "--bogus", "--help"]).unwrap(),
            Command::Help(GEN_HELP)
        );
    }

    #[test]
    fn gen_options() {
        assert_eq!(gen_args(&["gen"]), GenArgs::default());
        assert_eq!(
            gen_args(&["gen", "--spec", "../s", "--update-pin", "v1.19"]),
            GenArgs {
                spec: Some("../s".into()),
                check: false,
                update_pin: Some("v1.19".into()),
            }
        );
        assert_eq!(
            gen_args(&["gen", "--check", "--spec=a=b"]),
            GenArgs {
                spec: Some("a=b".into()),
                check: true,
                update_pin: None,
            }
        );
        assert_eq!(
            gen_args(&["gen", "--update-pin=v1.2"])
                .update_pin
                .as_deref(),
            Some("v1.2")
        );
    }

    #[test]
    fn usage_errors() {
        assert!(err(&[]).contains("no command"));
        assert!(err(&["frob"]).contains("unknown command \"frob\""));
        assert!(err(&["help", "frob"]).contains("frob"));
        assert!(err(&["gen", "extra"]).contains("unexpected argument \"extra\""));
        assert!(err(&["gen", "--spec"]).contains("`--spec` needs a value"));
        assert!(err(&["gen", "--spec", "--check"]).contains("`--spec` needs a value"));
        assert!(err(&["gen", "--spec="]).contains("`--spec` needs a value"));
        assert!(err(&["gen", "--update-pin"]).contains("`--update-pin` needs a value"));
        assert!(err(&["gen", "--check", "--check"]).contains("twice"));
        assert!(err(&["gen", "--spec", "a", "--spec", "b"]).contains("twice"));
        assert!(err(&["gen", "--check=yes"]).contains("takes no value"));
        let e = err(&["gen", "--check", "--update-pin", "v1"]);
        assert!(
            e.contains("cannot be combined") && e.ends_with("(see `cargo xtask gen --help`)"),
            "{e}"
        );
    }
}
