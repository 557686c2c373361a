//! Command-line parsing (hand-rolled: two commands with a few options each
//! do not need an argument-parsing dependency).

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

/// `cargo xtask --help`.
pub const MAIN_HELP: &str = "\
Project automation for the Matrix client-server API generator.

Usage: cargo xtask <COMMAND>

Commands:
  gen   Generate generated/ from the pinned Matrix spec and spec/
  diff  Report what changes for users of the generated crate between two
        Matrix spec releases
  help  Print this help, or `help <COMMAND>` for the help of a command

Options:
  -h, --help  Print this help

Run `cargo xtask <COMMAND> --help` for the options of a command.
";

/// `cargo xtask gen --help`.
pub const GEN_HELP: &str = "\
Generate the Rust client crate in generated/ from a Matrix spec release and
the project configuration in spec/.

Usage: cargo xtask gen [--spec DIR] [--check] [--update-pin TAG [--from DIR]]

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
                    it, the spec must match spec/pin.toml. Then prints
                    what changed for users since the previously pinned
                    release (as `cargo xtask diff` does), found beside the
                    new one (`<DIR>/../<old tag>`, checked against the old
                    pin) or given with --from.
  --from DIR        With --update-pin: the previously pinned spec release,
                    for the change report.
  -h, --help        Print this help

The output replaces generated/ atomically: an interrupted run leaves either the
old or the new contents, and the next run cleans up after it.

Exit status: 0 on success, 1 on any error or (with --check) stale output.
";

/// `cargo xtask diff --help`.
pub const DIFF_HELP: &str = "\
Report what changes for users of the generated crate between two Matrix spec
releases: operations, auth, fields, parameters, enum values, types and cargo
features added, removed or changed, each marked breaking or not, and the
crate version that follows. Both models are built with the project's config
and overlays (spec/), as `gen` would build them; overlays that do not fit the
older release (their file or target is not in it) are left out of its model
and listed. Nothing is written.

Usage: cargo xtask diff --from DIR --to DIR [--format text|json]

Options:
  --from DIR       The older spec release: the directory that contains data/
                   (e.g. ../shared/matrix-spec/v1.18)
  --to DIR         The newer spec release (e.g. ../shared/matrix-spec/v1.19)
  --format FORMAT  `text` (default) or `json`
  -h, --help       Print this help

Each release is labelled with its directory's name. Relative paths are
relative to the current directory.

Exit status: 0 when the report was printed (whatever it says), 1 on any error.
";

/// What to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Print this help text to stdout and exit successfully.
    Help(&'static str),
    /// `cargo xtask gen`.
    Gen(GenArgs),
    /// `cargo xtask diff`.
    Diff(DiffArgs),
}

/// The options of `cargo xtask diff`.
#[derive(Debug, PartialEq, Eq)]
pub struct DiffArgs {
    /// `--from DIR`, as given.
    pub from: PathBuf,
    /// `--to DIR`, as given.
    pub to: PathBuf,
    /// `--format`.
    pub format: Format,
}

/// How `diff` prints its report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For tools.
    Json,
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
    /// `--from DIR` (with `--update-pin`), as given.
    pub from: Option<PathBuf>,
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
            Some(topic) if topic == "diff" => Ok(Command::Help(DIFF_HELP)),
            Some(topic) => Err(usage(
                format!("no help for unknown command {topic:?}"),
                MAIN,
            )),
        },
        Some("gen") => parse_gen(args),
        Some("diff") => parse_diff(args),
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
                let value = value(flag, inline, &mut args, "DIR", HELP)?;
                gen_args.spec = Some(PathBuf::from(value));
            }
            "--from" => {
                if gen_args.from.is_some() {
                    return Err(usage("`--from` given twice", HELP));
                }
                let value = value(flag, inline, &mut args, "DIR", HELP)?;
                gen_args.from = Some(PathBuf::from(value));
            }
            "--update-pin" => {
                if gen_args.update_pin.is_some() {
                    return Err(usage("`--update-pin` given twice", HELP));
                }
                let value = value(flag, inline, &mut args, "TAG", HELP)?;
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
    if gen_args.from.is_some() && gen_args.update_pin.is_none() {
        return Err(usage(
            "`--from` names the previously pinned release for the change report of \
             `--update-pin`; without it, use `cargo xtask diff --from DIR --to DIR`",
            HELP,
        ));
    }
    Ok(Command::Gen(gen_args))
}

fn parse_diff(args: impl Iterator<Item = OsString>) -> Result<Command, UsageError> {
    const HELP: &str = "cargo xtask diff --help";
    let args: Vec<OsString> = args.collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(Command::Help(DIFF_HELP));
    }
    let (mut from, mut to, mut format) = (None, None, None);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            return Err(usage(format!("unexpected argument {arg:?}"), HELP));
        };
        let (flag, inline) = match text.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(OsString::from(value))),
            _ => (text, None),
        };
        let slot = match flag {
            "--from" => &mut from,
            "--to" => &mut to,
            "--format" => {
                if format.is_some() {
                    return Err(usage("`--format` given twice", HELP));
                }
                let value = value(flag, inline, &mut args, "FORMAT", HELP)?;
                format = Some(match value.to_str() {
                    Some("text") => Format::Text,
                    Some("json") => Format::Json,
                    _ => {
                        return Err(usage(
                            format!("`--format` must be `text` or `json`, not {value:?}"),
                            HELP,
                        ));
                    }
                });
                continue;
            }
            _ => return Err(usage(format!("unexpected argument {text:?}"), HELP)),
        };
        if slot.is_some() {
            return Err(usage(format!("`{flag}` given twice"), HELP));
        }
        *slot = Some(PathBuf::from(value(flag, inline, &mut args, "DIR", HELP)?));
    }
    match (from, to) {
        (Some(from), Some(to)) => Ok(Command::Diff(DiffArgs {
            from,
            to,
            format: format.unwrap_or_default(),
        })),
        _ => Err(usage(
            "both `--from DIR` and `--to DIR` are needed: the older and the newer spec release",
            HELP,
        )),
    }
}

/// The value of `flag`: inline (`--flag=value`) or the next argument.
fn value(
    flag: &str,
    inline: Option<OsString>,
    rest: &mut impl Iterator<Item = OsString>,
    name: &str,
    help: &'static str,
) -> Result<OsString, UsageError> {
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
            help,
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
                from: None,
            }
        );
        assert_eq!(
            gen_args(&["gen", "--check", "--spec=a=b"]),
            GenArgs {
                spec: Some("a=b".into()),
                check: true,
                update_pin: None,
                from: None,
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
    fn gen_from_goes_with_update_pin() {
        assert_eq!(
            gen_args(&["gen", "--update-pin", "v2", "--from", "../v1"])
                .from
                .as_deref(),
            Some(std::path::Path::new("../v1"))
        );
        let e = err(&["gen", "--from", "../v1"]);
        assert!(e.contains("cargo xtask diff --from DIR --to DIR"), "{e}");
        assert!(
            err(&["gen", "--update-pin", "v2", "--from", "a", "--from", "b"]).contains("twice")
        );
    }

    #[test]
    fn diff_options() {
        assert_eq!(
            parse_strs(&["diff", "--from", "a", "--to=b"]).unwrap(),
            Command::Diff(DiffArgs {
                from: "a".into(),
                to: "b".into(),
                format: Format::Text,
            })
        );
        assert_eq!(
            parse_strs(&["diff", "--format", "json", "--to", "b", "--from", "a"]).unwrap(),
            Command::Diff(DiffArgs {
                from: "a".into(),
                to: "b".into(),
                format: Format::Json,
            })
        );
        for args in [
            &["diff", "--help"][..],
            &["help", "diff"],
            &["diff", "--bogus", "-h"],
        ] {
            assert_eq!(parse_strs(args).unwrap(), Command::Help(DIFF_HELP));
        }
        let e = err(&["diff", "--from", "a"]);
        assert!(
            e.contains("both `--from DIR` and `--to DIR`")
                && e.ends_with("(see `cargo xtask diff --help`)"),
            "{e}"
        );
        assert!(
            err(&["diff", "--from", "a", "--from", "b", "--to", "c"])
                .contains("`--from` given twice")
        );
        assert!(err(&["diff", "--from", "--to", "c"]).contains("`--from` needs a value"));
        assert!(
            err(&["diff", "--from", "a", "--to", "b", "--format", "yaml"])
                .contains("`text` or `json`")
        );
        assert!(
            err(&["diff", "--from", "a", "--to", "b", "x"]).contains("unexpected argument \"x\"")
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
