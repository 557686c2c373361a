//! The `xtask` binary's command line: help, usage errors and error output,
//! and the change report (`diff`, `gen --update-pin`) on the generator's
//! fixture pair (`generator/tests/fixtures/changes`).
//!
//! Every run happens in a scratch repository (found through
//! `CARGO_MANIFEST_DIR`, as `cargo run` sets it), so nothing here can touch
//! this repository's `generated/` or `spec/pin.toml`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    let root = tempfile::tempdir().unwrap();
    fs::create_dir_all(root.path().join("xtask")).unwrap();
    fs::create_dir_all(root.path().join("spec")).unwrap();
    fs::write(root.path().join("Cargo.toml"), "[workspace]\n").unwrap();
    fs::write(root.path().join("xtask/Cargo.toml"), "").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(root.path())
        .env("CARGO_MANIFEST_DIR", root.path().join("xtask"))
        .env_remove("MATRIX_SPEC_DIR")
        .output()
        .unwrap();
    assert!(!root.path().join("generated").exists());
    assert!(!root.path().join("spec/pin.toml").exists());
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn help() {
    let out = xtask(&["--help"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("Usage: cargo xtask <COMMAND>"));
    let out = xtask(&["gen", "--help"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "Usage: cargo xtask gen [--spec DIR] [--check] [--update-pin TAG [--from DIR]]"
        )
    );
    assert!(stdout.contains("MATRIX_SPEC_DIR"));
    assert!(out.stderr.is_empty());
}

#[test]
fn usage_errors_exit_1() {
    for args in [
        &[][..],
        &["frob"],
        &["gen", "--frob"],
        &["gen", "--check", "--update-pin", "v1"],
    ] {
        let out = xtask(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with("error: ") && stderr.contains("--help`)"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn missing_spec_dir() {
    let out = xtask(&["gen", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: no Matrix spec given"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--spec DIR") && stderr.contains("MATRIX_SPEC_DIR"),
        "{stderr}"
    );

    let out = xtask(&["gen", "--check", "--spec", "/nonexistent/spec"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: `/nonexistent/spec` is not a Matrix spec directory"),
        "{stderr}"
    );
}

#[test]
fn error_chain_is_printed() {
    // A spec dir that exists but whose data/ cannot be read as a directory
    // tree: data/api/client-server is present, data/x is a dangling symlink.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("data/api/client-server")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tmp.path().join("nowhere"), tmp.path().join("data/x")).unwrap();
        let spec = tmp.path().to_str().unwrap();
        let out = xtask(&["gen", "--spec", spec, "--update-pin", "v0"]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with("error: cannot inspect `"), "{stderr}");
        assert!(stderr.contains("data/x`\n  caused by: "), "{stderr}");
    }
}

/// The change-report fixture: `spec-old/`, `spec-new/`, `project/` and the
/// report it must give, `expected-report.txt`.
fn changes_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generator/tests/fixtures/changes")
}

fn copy_dir(from: &Path, to: &Path) {
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

/// A scratch repository whose `spec/` is the fixture's project, with the
/// fixture's two releases at `specs/<old>/data` and `specs/<new>/data`.
fn changes_scratch(old: &str, new: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    fs::create_dir_all(root.path().join("xtask")).unwrap();
    fs::write(root.path().join("Cargo.toml"), "[workspace]\n").unwrap();
    fs::write(root.path().join("xtask/Cargo.toml"), "").unwrap();
    let fixture = changes_fixture();
    copy_dir(&fixture.join("project"), &root.path().join("spec"));
    copy_dir(
        &fixture.join("spec-old"),
        &root.path().join(format!("specs/{old}/data")),
    );
    copy_dir(
        &fixture.join("spec-new"),
        &root.path().join(format!("specs/{new}/data")),
    );
    root
}

fn run_in(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(root)
        .env("CARGO_MANIFEST_DIR", root.join("xtask"))
        .env_remove("MATRIX_SPEC_DIR")
        .output()
        .unwrap()
}

#[test]
fn diff_reports_exactly_the_fixture_changes_and_writes_nothing() {
    let root = changes_scratch("old", "new");
    let spec_before = fs::read_to_string(root.path().join("spec/generator.toml")).unwrap();
    let out = run_in(
        root.path(),
        &["diff", "--from", "specs/old", "--to", "./specs/new"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let expected = fs::read_to_string(changes_fixture().join("expected-report.txt")).unwrap();
    assert_eq!(text(&out.stdout), expected);
    assert!(!root.path().join("generated").exists());
    assert!(!root.path().join("spec/pin.toml").exists());
    assert_eq!(
        fs::read_to_string(root.path().join("spec/generator.toml")).unwrap(),
        spec_before
    );

    // The same report for tools.
    let out = run_in(
        root.path(),
        &[
            "diff",
            "--from",
            "specs/old",
            "--to",
            "specs/new",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = expected
        .lines()
        .filter(|l| {
            l.starts_with("  - `") || l.starts_with("  - operation") || l.starts_with("  - cargo")
        })
        .count();
    assert_eq!(json["changes"].as_array().unwrap().len(), lines);
    assert_eq!(json["next_version"], "0.4.0");
}

#[test]
fn diff_refuses_what_is_not_a_spec() {
    let root = changes_scratch("old", "new");
    let out = run_in(
        root.path(),
        &["diff", "--from", "specs/nope", "--to", "specs/new"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: `")
            && stderr.contains("specs/nope` is not a Matrix spec directory"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn update_pin_prints_the_report_against_the_previous_release() {
    let root = changes_scratch("v1", "v2");
    // The overlay and the time rule are written for v2 (what they name is
    // new there), so v1 is generated without them, and they come with the
    // update.
    let config = root.path().join("spec/generator.toml");
    let with_overlay = fs::read_to_string(&config).unwrap();
    let overlays = "overlays = [\"overlays/sparkle.yaml\"]";
    assert!(with_overlay.contains(overlays));
    let (for_v1, time_rule) = with_overlay
        .split_once("\n[[time_rules]]")
        .expect("the fixture's time rule");
    assert!(time_rule.contains("created_ts"));
    fs::write(&config, for_v1.replace(overlays, "overlays = []")).unwrap();
    let first = run_in(
        root.path(),
        &["gen", "--spec", "specs/v1", "--update-pin", "v1"],
    );
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(!text(&first.stdout).contains("Changes for users"));

    // v1 is beside v2 and matches the pin: the report compares them.
    fs::write(&config, &with_overlay).unwrap();
    let out = run_in(
        root.path(),
        &["gen", "--spec", "specs/v2", "--update-pin", "v2"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let expected = fs::read_to_string(changes_fixture().join("expected-report.txt"))
        .unwrap()
        .replace("old → new", "v1 → v2")
        .replace("left out of old", "left out of v1");
    assert!(
        stdout.contains("updated spec/pin.toml: v1 → v2")
            && stdout.ends_with(&format!("\n{expected}")),
        "{stdout}"
    );
}
