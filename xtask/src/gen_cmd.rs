//! `cargo xtask gen`: pin check, generation, and `--check` or writing.

use std::error::Error;
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use matrix_csapi_codegen::output::{self, FileChange, GeneratedFiles};
use matrix_csapi_codegen::pin::{self, Pin};

use crate::cli::GenArgs;

/// Where the command runs.
pub struct Env {
    /// The repository (workspace) root.
    pub root: PathBuf,
    /// The current directory, against which relative `--spec` paths resolve.
    pub cwd: PathBuf,
    /// The value of `MATRIX_SPEC_DIR`, if set.
    pub spec_env: Option<OsString>,
}

/// How a run that did not fail ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Written, or (with `--check`) up to date.
    Ok,
    /// `--check` found differences; nothing was written.
    Stale,
}

/// The two releases of `--update-pin`'s change report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSides<'a> {
    /// The previously pinned spec release.
    pub from: &'a Path,
    /// Its tag.
    pub from_tag: &'a str,
    /// The newly pinned one.
    pub to: &'a Path,
    /// Its tag.
    pub to_tag: &'a str,
    /// The project's `spec/` folder.
    pub config_dir: &'a Path,
}

/// An error with a message and maybe a cause, for the `caused by:` chain.
#[derive(Debug)]
pub struct Failure {
    message: String,
    source: Option<Box<dyn Error + 'static>>,
}

impl Failure {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    fn caused_by(message: impl Into<String>, source: impl Error + 'static) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for Failure {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref()
    }
}

/// The output directory, relative to the repository root.
const GENERATED: &str = "generated";

/// Runs `cargo xtask gen`. `generate(spec_dir, spec_config_dir)` is the
/// generator; `report` writes the change report of `--update-pin` (see
/// [`change_report`]). Reports go to `out`, the `--check` failure report
/// and notes to `err`. Write errors on `out`/`err` are ignored (e.g. a
/// closed pipe).
pub fn run<E: Error + 'static, R: Error + 'static>(
    args: &GenArgs,
    env: &Env,
    generate: impl FnOnce(&Path, &Path) -> Result<GeneratedFiles, E>,
    report: impl FnOnce(ReportSides<'_>) -> Result<String, R>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, Box<dyn Error>> {
    let pin_path = env.root.join("spec").join("pin.toml");
    // Without a spec, say how to get the pinned one.
    let spec_dir =
        resolve_spec_dir(args.spec.as_deref(), env).map_err(|e| with_how_to_get(e, &pin_path))?;
    pin::spec_data_dir(&spec_dir).map_err(|e| with_how_to_get(e, &pin_path))?;

    let Some(tag) = &args.update_pin else {
        // The spec must be the pinned one.
        let pin = Pin::read(&pin_path)?;
        pin::verify(&spec_dir, &pin)?;
        return generate_and_output(args, env, &spec_dir, generate, out, err);
    };

    pin::check_tag(tag)?;
    let (digest, files) = pin::digest_spec(&spec_dir)?;
    let new_pin = Pin {
        tag: tag.clone(),
        digest,
        files,
    };
    // The generator reads the release tag from spec/pin.toml, so the new pin
    // has to be in place while it runs. It only counts once generated/ is
    // written: on any failure before that, the previous pin file is restored
    // (or removed if there was none).
    let previous = match fs::read(&pin_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(Box::new(Failure::caused_by(
                format!("cannot read pin file `{}`", pin_path.display()),
                e,
            )));
        }
    };
    let previous_pin = Pin::read(&pin_path).ok();
    new_pin.write(&pin_path)?;
    let result = generate_and_output(args, env, &spec_dir, generate, out, err);
    if result.is_err() {
        let restored = match &previous {
            Some(bytes) => fs::write(&pin_path, bytes),
            None => fs::remove_file(&pin_path),
        };
        if let Err(e) = restored {
            let _ = writeln!(
                err,
                "warning: cannot restore `{}` after the failure below ({e}); \
                 it now pins {} although generated/ was not updated",
                pin_path.display(),
                new_pin.tag
            );
        }
        return result;
    }

    let rel = pin_path.strip_prefix(&env.root).unwrap_or(&pin_path);
    let _ = match &previous_pin {
        Some(old) if *old == new_pin => {
            writeln!(out, "{} unchanged ({})", rel.display(), new_pin.tag)
        }
        Some(old) => writeln!(
            out,
            "updated {}: {} → {} ({}, {} files)",
            rel.display(),
            old.tag,
            new_pin.tag,
            new_pin.digest,
            new_pin.files
        ),
        None => writeln!(
            out,
            "wrote {}: {} ({}, {} files)",
            rel.display(),
            new_pin.tag,
            new_pin.digest,
            new_pin.files
        ),
    };
    if previous_pin.as_ref() != Some(&new_pin) {
        change_report(
            args,
            env,
            &spec_dir,
            previous_pin.as_ref(),
            &new_pin,
            report,
            out,
            err,
        );
    }
    result
}

/// After `--update-pin`: prints what changed for users since the previously
/// pinned release, found at `--from` or beside the new one
/// (`<spec dir>/../<old tag>`, used only when it matches the old pin). The
/// update has happened by then, so a report that cannot be made is a note
/// on `err`, not a failure.
#[allow(clippy::too_many_arguments)]
fn change_report<R: Error + 'static>(
    args: &GenArgs,
    env: &Env,
    spec_dir: &Path,
    previous: Option<&Pin>,
    new_pin: &Pin,
    report: impl FnOnce(ReportSides<'_>) -> Result<String, R>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) {
    let (from, from_tag) = match (&args.from, previous) {
        (Some(from), _) => {
            let from = absolute(&env.cwd, from);
            let tag = previous.map_or_else(|| dir_label(&from), |p| p.tag.clone());
            (from, tag)
        }
        (None, None) => return,
        (None, Some(old)) => {
            let beside = spec_dir
                .parent()
                .map(|parent| parent.join(&old.tag))
                .filter(|dir| pin::spec_data_dir(dir).is_ok() && pin::verify(dir, old).is_ok());
            match beside {
                Some(dir) => (dir, old.tag.clone()),
                None => {
                    let _ = writeln!(
                        err,
                        "note: no change report: the previously pinned {} is not beside the new \
                         release (`{}`) with the pinned digest; pass `--from DIR` to get one, or run \
                         `cargo xtask diff --from DIR --to {}`",
                        old.tag,
                        spec_dir.with_file_name(&old.tag).display(),
                        spec_dir.display()
                    );
                    return;
                }
            }
        }
    };
    let sides = ReportSides {
        from: &from,
        from_tag: &from_tag,
        to: spec_dir,
        to_tag: &new_pin.tag,
        config_dir: &env.root.join("spec"),
    };
    match report(sides) {
        Ok(text) => {
            let _ = write!(out, "\n{text}");
        }
        Err(e) => {
            let mut message = format!("warning: no change report: {e}");
            let mut source = e.source();
            while let Some(cause) = source {
                message.push_str(&format!("\n  caused by: {cause}"));
                source = cause.source();
            }
            let _ = writeln!(err, "{message}");
        }
    }
}

/// A spec release's label: its directory's name (e.g. `v1.18`).
pub fn dir_label(dir: &Path) -> String {
    dir.file_name().map_or_else(
        || dir.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// `path` made absolute against `cwd`, lexically: drops `.` components but
/// keeps `..` (symlinks stay intact), so messages show copy-pastable paths.
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    cwd.join(path)
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect()
}

/// Runs the generator, then `--check`s or writes generated/.
fn generate_and_output<E: Error + 'static>(
    args: &GenArgs,
    env: &Env,
    spec_dir: &Path,
    generate: impl FnOnce(&Path, &Path) -> Result<GeneratedFiles, E>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, Box<dyn Error>> {
    let config_dir = env.root.join("spec");
    let files = generate(spec_dir, &config_dir).map_err(|e| {
        Failure::caused_by(
            format!("cannot generate the client from `{}`", spec_dir.display()),
            e,
        )
    })?;

    let out_dir = env.root.join(GENERATED);
    if args.check {
        let changes = output::diff(&out_dir, &files)?;
        if changes.is_empty() {
            let _ = writeln!(out, "{GENERATED}/ is up to date ({} files)", files.len());
            return Ok(Outcome::Ok);
        }
        for change in &changes {
            let _ = match change {
                FileChange::Added(p) => writeln!(err, "  missing {p}"),
                FileChange::Modified(p) => writeln!(err, "  stale   {p}"),
                FileChange::Removed(p) => writeln!(err, "  extra   {p}"),
            };
        }
        let _ = writeln!(
            err,
            "{GENERATED}/ is stale ({} of {} files differ): run `cargo xtask gen`",
            changes.len(),
            files.len()
        );
        return Ok(Outcome::Stale);
    }

    for recovery in output::recover_leftovers(&out_dir)? {
        let _ = writeln!(err, "note: {GENERATED}/: {recovery}");
    }
    let changes = output::write_atomically(&out_dir, &files)?;
    if changes.is_empty() {
        let _ = writeln!(out, "no changes ({GENERATED}/ has {} files)", files.len());
    } else {
        let _ = writeln!(
            out,
            "updated {GENERATED}/ ({} files, {} changed):",
            files.len(),
            changes.len()
        );
        for change in &changes {
            let _ = writeln!(out, "  {change}");
        }
    }
    Ok(Outcome::Ok)
}

/// `error` followed by how to get the release `spec/pin.toml` pins (when
/// it can be read).
fn with_how_to_get(error: impl Error, pin_path: &Path) -> Failure {
    match Pin::read(pin_path) {
        Ok(pinned) => Failure::new(format!("{error}\n{}", pin::how_to_get(&pinned.tag))),
        Err(_) => Failure::new(error.to_string()),
    }
}

/// `--spec`, else `MATRIX_SPEC_DIR`; relative paths are made absolute
/// against the current directory (so messages show copy-pastable paths).
fn resolve_spec_dir(arg: Option<&Path>, env: &Env) -> Result<PathBuf, Failure> {
    let given = match (arg, &env.spec_env) {
        (Some(dir), _) => dir.to_path_buf(),
        (None, Some(dir)) if !dir.is_empty() => PathBuf::from(dir),
        (None, _) => {
            return Err(Failure::new(
                "no Matrix spec given: pass `--spec DIR` or set the MATRIX_SPEC_DIR \
                 environment variable to the root of a spec release (the directory \
                 containing `data/`, e.g. ../shared/matrix-spec/v1.19); relative paths \
                 are relative to the current directory",
            ));
        }
    };
    Ok(absolute(&env.cwd, &given))
}

/// The workspace root: the parent of xtask's manifest directory (as set by
/// cargo at run time, else at build time), or else the nearest ancestor of
/// `cwd` with `Cargo.toml` and `xtask/Cargo.toml`.
pub fn find_repo_root(cwd: &Path) -> Result<PathBuf, Failure> {
    let is_root =
        |dir: &Path| dir.join("Cargo.toml").is_file() && dir.join("xtask/Cargo.toml").is_file();
    let manifest_dirs = [
        std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
    ];
    for manifest_dir in manifest_dirs.into_iter().flatten() {
        if let Some(root) = manifest_dir.parent().filter(|r| is_root(r)) {
            return Ok(root.to_path_buf());
        }
    }
    cwd.ancestors()
        .find(|d| is_root(d))
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            Failure::new(format!(
                "cannot find the repository root (a directory with Cargo.toml and \
                 xtask/Cargo.toml) above `{}`; run `cargo xtask` inside the repository",
                cwd.display()
            ))
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::collections::BTreeMap;
    use std::fs;

    use super::*;

    struct Repo {
        _tmp: tempfile::TempDir,
        env: Env,
        spec: PathBuf,
    }

    fn repo() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        fs::create_dir_all(root.join("spec/overlays")).unwrap();
        fs::create_dir_all(root.join("xtask")).unwrap();
        let spec = tmp.path().join("shared/matrix-spec/v1.19");
        fs::create_dir_all(spec.join("data/api/client-server")).unwrap();
        fs::write(spec.join("data/api/client-server/login.yaml"), "a: 1\n").unwrap();
        Repo {
            env: Env {
                cwd: root.clone(),
                root,
                spec_env: None,
            },
            spec,
            _tmp: tmp,
        }
    }

    /// A fake generator that, like the real one, reads the release tag
    /// from `spec/pin.toml`.
    fn fake_generate(spec: &Path, config: &Path) -> Result<GeneratedFiles, pin::PinError> {
        let pin = Pin::read(&config.join("pin.toml"))?;
        let mut files = GeneratedFiles::new();
        let login = fs::read_to_string(spec.join("data/api/client-server/login.yaml")).unwrap();
        files.insert("src/lib.rs", "pub mod login;\n").unwrap();
        files
            .insert("src/login.rs", format!("// {}\n// {login}", pin.tag))
            .unwrap();
        Ok(files)
    }

    /// A fake change report naming what it compares, with paths relative
    /// to the scratch directory.
    fn fake_report(sides: ReportSides<'_>) -> Result<String, std::io::Error> {
        let base = sides.config_dir.parent().unwrap().parent().unwrap();
        let rel = |p: &Path| p.strip_prefix(base).unwrap().display().to_string();
        Ok(format!(
            "report {} ({}) → {} ({})\n",
            sides.from_tag,
            rel(sides.from),
            sides.to_tag,
            rel(sides.to)
        ))
    }

    struct Run {
        result: Result<Outcome, String>,
        out: String,
        err: String,
    }

    fn run_gen(repo: &Repo, args: GenArgs) -> Run {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let result = run(
            &args,
            &repo.env,
            fake_generate,
            fake_report,
            &mut out,
            &mut err,
        )
        .map_err(|e| {
            let mut s = e.to_string();
            let mut source = e.source();
            while let Some(cause) = source {
                s.push_str(&format!("\ncaused by: {cause}"));
                source = cause.source();
            }
            s
        });
        Run {
            result,
            out: String::from_utf8(out).unwrap(),
            err: String::from_utf8(err).unwrap(),
        }
    }

    fn args(spec: &Path, check: bool, update_pin: Option<&str>) -> GenArgs {
        GenArgs {
            spec: Some(spec.to_path_buf()),
            check,
            update_pin: update_pin.map(str::to_owned),
            from: None,
        }
    }

    fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.insert(p.clone(), fs::read(&p).unwrap());
                }
            }
        }
        out
    }

    #[test]
    fn first_run_pins_then_check_and_regenerate() {
        let r = repo();
        // No pin yet: refused, with the way out.
        let run1 = run_gen(&r, args(&r.spec, false, None));
        let e = run1.result.unwrap_err();
        assert!(e.contains("pin.toml") && e.contains("--update-pin"), "{e}");
        assert!(!r.env.root.join(GENERATED).exists());

        let run2 = run_gen(&r, args(&r.spec, false, Some("v1.19")));
        assert_eq!(run2.result, Ok(Outcome::Ok), "{}", run2.err);
        assert!(run2.out.contains("  added src/login.rs"), "{}", run2.out);
        assert!(
            run2.out.contains("wrote spec/pin.toml: v1.19 (sha256:"),
            "{}",
            run2.out
        );
        let pin = Pin::read(&r.env.root.join("spec/pin.toml")).unwrap();
        assert_eq!((pin.tag.as_str(), pin.files), ("v1.19", 1));

        let run3 = run_gen(&r, args(&r.spec, true, None));
        assert_eq!(run3.result, Ok(Outcome::Ok));
        assert_eq!(run3.out, "generated/ is up to date (2 files)\n");

        let run4 = run_gen(&r, args(&r.spec, false, None));
        assert_eq!(run4.result, Ok(Outcome::Ok));
        assert_eq!(run4.out, "no changes (generated/ has 2 files)\n");
    }

    #[test]
    fn check_reports_stale_and_writes_nothing() {
        let r = repo();
        run_gen(&r, args(&r.spec, false, Some("v1.19")))
            .result
            .unwrap();
        let generated = r.env.root.join(GENERATED);
        fs::write(generated.join("src/login.rs"), "edited").unwrap();
        fs::write(generated.join("src/extra.rs"), "").unwrap();
        fs::remove_file(generated.join("src/lib.rs")).unwrap();
        let before = snapshot(&generated);

        let run = run_gen(&r, args(&r.spec, true, None));
        assert_eq!(run.result, Ok(Outcome::Stale));
        assert_eq!(
            run.err,
            "  extra   src/extra.rs\n  missing src/lib.rs\n  stale   src/login.rs\n\
             generated/ is stale (3 of 2 files differ): run `cargo xtask gen`\n"
        );
        assert_eq!(snapshot(&generated), before);

        let run = run_gen(&r, args(&r.spec, false, None));
        assert_eq!(run.result, Ok(Outcome::Ok));
        assert_eq!(
            run.out,
            "updated generated/ (2 files, 3 changed):\n  removed src/extra.rs\n  \
             added src/lib.rs\n  modified src/login.rs\n"
        );
    }

    #[test]
    fn spec_mismatch_is_refused_before_generating() {
        let r = repo();
        run_gen(&r, args(&r.spec, false, Some("v1.19")))
            .result
            .unwrap();
        let generated = r.env.root.join(GENERATED);
        let before = snapshot(&generated);
        fs::write(r.spec.join("data/api/client-server/login.yaml"), "a: 2\n").unwrap();
        for check in [false, true] {
            let e = run_gen(&r, args(&r.spec, check, None)).result.unwrap_err();
            assert!(
                e.contains("differs from the pinned v1.19")
                    && e.contains(&format!("--spec {} --update-pin <TAG>", r.spec.display())),
                "{e}"
            );
        }
        assert_eq!(snapshot(&generated), before);

        // Accepting the new spec regenerates and re-pins.
        let run = run_gen(&r, args(&r.spec, false, Some("v1.20")));
        assert_eq!(run.result, Ok(Outcome::Ok));
        assert!(run.out.contains("  modified src/login.rs"), "{}", run.out);
        assert!(
            run.out.contains("updated spec/pin.toml: v1.19 → v1.20"),
            "{}",
            run.out
        );
        run_gen(&r, args(&r.spec, true, None)).result.unwrap();
    }

    #[test]
    fn pin_is_kept_only_when_generation_succeeds() {
        let r = repo();
        let pin_path = r.env.root.join("spec/pin.toml");
        let generated = r.env.root.join(GENERATED);
        let failing = |_: &Path, config: &Path| {
            // The generator sees the new pin while it runs.
            let pin = Pin::read(&config.join("pin.toml")).unwrap();
            assert_eq!(pin.tag, "v1.20");
            Err(std::io::Error::other("boom"))
        };
        let run_failing = || {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            let args = args(&r.spec, false, Some("v1.20"));
            run(&args, &r.env, failing, fake_report, &mut out, &mut err).unwrap_err()
        };

        // No pin before: none after.
        let e = run_failing();
        assert!(
            e.to_string().contains("cannot generate the client from"),
            "{e}"
        );
        assert_eq!(e.source().unwrap().to_string(), "boom");
        assert!(!pin_path.exists());
        assert!(!generated.exists());

        // A pin before: restored byte for byte.
        run_gen(&r, args(&r.spec, false, Some("v1.19")))
            .result
            .unwrap();
        let pinned = fs::read(&pin_path).unwrap();
        let before = snapshot(&generated);
        run_failing();
        assert_eq!(fs::read(&pin_path).unwrap(), pinned);
        assert_eq!(snapshot(&generated), before);
        run_gen(&r, args(&r.spec, true, None)).result.unwrap();
    }

    #[test]
    fn update_pin_reports_changes_since_the_previous_release() {
        let r = repo();
        let first = run_gen(&r, args(&r.spec, false, Some("v1.19")));
        // No previous pin: nothing to compare with.
        assert!(!first.out.contains("report"), "{}", first.out);

        // The next release beside the pinned one: compared with it.
        let next = r.spec.with_file_name("v1.20");
        fs::create_dir_all(next.join("data/api/client-server")).unwrap();
        fs::write(next.join("data/api/client-server/login.yaml"), "a: 2\n").unwrap();
        let run = run_gen(&r, args(&next, false, Some("v1.20")));
        assert_eq!(run.result, Ok(Outcome::Ok), "{}", run.err);
        assert!(
            run.out.contains("updated spec/pin.toml: v1.19 → v1.20"),
            "{}",
            run.out
        );
        assert!(
            run.out.ends_with(
                " files)\n\nreport v1.19 (shared/matrix-spec/v1.19) → v1.20 (shared/matrix-spec/v1.20)\n"
            ),
            "{}",
            run.out
        );
        assert!(run.err.is_empty(), "{}", run.err);

        // Pinning the same spec again: no report.
        let again = run_gen(&r, args(&next, false, Some("v1.20")));
        assert!(!again.out.contains("report"), "{}", again.out);

        // The old release edited in place no longer matches its pin: no
        // report, and a note saying how to get one.
        fs::write(next.join("data/api/client-server/login.yaml"), "a: 3\n").unwrap();
        let run = run_gen(&r, args(&next, false, Some("v1.21")));
        assert_eq!(run.result, Ok(Outcome::Ok));
        assert!(!run.out.contains("report"), "{}", run.out);
        assert!(
            run.err
                .starts_with("note: no change report: the previously pinned v1.20 is not beside")
                && run.err.contains("pass `--from DIR`"),
            "{}",
            run.err
        );

        // --from names it explicitly.
        fs::write(next.join("data/api/client-server/login.yaml"), "a: 4\n").unwrap();
        let with_from = GenArgs {
            from: Some(r.spec.clone()),
            ..args(&next, false, Some("v1.22"))
        };
        let run = run_gen(&r, with_from);
        assert!(
            run.out.ends_with(
                "report v1.21 (shared/matrix-spec/v1.19) → v1.22 (shared/matrix-spec/v1.20)\n"
            ),
            "{}",
            run.out
        );
    }

    #[test]
    fn a_failing_change_report_does_not_undo_the_update() {
        let r = repo();
        run_gen(&r, args(&r.spec, false, Some("v1.19")))
            .result
            .unwrap();
        let next = r.spec.with_file_name("v1.20");
        fs::create_dir_all(next.join("data/api/client-server")).unwrap();
        fs::write(next.join("data/api/client-server/login.yaml"), "a: 2\n").unwrap();
        let failing = |_: ReportSides<'_>| -> Result<String, Failure> {
            Err(Failure::caused_by(
                "cannot build",
                std::io::Error::other("boom"),
            ))
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let args = args(&next, false, Some("v1.20"));
        let outcome = run(&args, &r.env, fake_generate, failing, &mut out, &mut err).unwrap();
        assert_eq!(outcome, Outcome::Ok);
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "warning: no change report: cannot build\n  caused by: boom\n"
        );
        assert_eq!(
            Pin::read(&r.env.root.join("spec/pin.toml")).unwrap().tag,
            "v1.20"
        );
    }

    #[test]
    fn bad_tag_is_refused_before_writing() {
        let r = repo();
        let e = run_gen(&r, args(&r.spec, false, Some("v1 x")))
            .result
            .unwrap_err();
        assert!(e.contains("invalid release tag"), "{e}");
        assert!(!r.env.root.join(GENERATED).exists());
    }

    #[test]
    fn spec_dir_from_env_and_relative_paths() {
        let mut r = repo();
        let e = run_gen(&r, GenArgs::default()).result.unwrap_err();
        assert!(
            e.contains("--spec DIR") && e.contains("MATRIX_SPEC_DIR"),
            "{e}"
        );
        // With a pin: how to get the pinned release, on a line of its own.
        let pinned = Pin {
            tag: "v1.19".into(),
            digest: format!("sha256:{}", "0".repeat(64)),
            files: 1,
        };
        pinned.write(&r.env.root.join("spec/pin.toml")).unwrap();
        let e = run_gen(&r, GenArgs::default()).result.unwrap_err();
        assert!(
            e.contains(
                "\nget the pinned spec with `git clone --depth 1 --branch v1.19 https://github.com/matrix-org/matrix-spec ../shared/matrix-spec/v1.19` \
                 (the generator reads its `data/` folder; spec/pin.toml's digest verifies it)"
            ),
            "{e}"
        );
        r.env.spec_env = Some(OsString::new());
        assert!(
            run_gen(&r, GenArgs::default())
                .result
                .unwrap_err()
                .contains("MATRIX_SPEC_DIR")
        );

        // Relative to the current directory (here: the repo root).
        r.env.spec_env = Some("./../shared/matrix-spec/v1.19".into());
        let update = GenArgs {
            update_pin: Some("v1.19".into()),
            ..GenArgs::default()
        };
        assert_eq!(run_gen(&r, update).result, Ok(Outcome::Ok));
        // --spec wins over the environment.
        r.env.spec_env = Some("/nonexistent".into());
        let e = run_gen(&r, args(Path::new("nope"), true, None))
            .result
            .unwrap_err();
        let nope = r.env.root.join("nope");
        assert!(
            e.contains(&format!(
                "`{}` is not a Matrix spec directory",
                nope.display()
            )),
            "{e}"
        );
    }

    #[test]
    fn finds_repo_root() {
        let root = find_repo_root(Path::new("/")).unwrap();
        assert!(root.join("xtask/Cargo.toml").is_file());
        assert!(root.join("generator").is_dir());
    }
}
