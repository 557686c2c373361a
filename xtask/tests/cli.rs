//! The `xtask` binary's command line: help, usage errors and error output.
//!
//! Every run happens in a scratch repository (found through
//! `CARGO_MANIFEST_DIR`, as `cargo run` sets it), so nothing here can touch
//! this repository's `generated/` or `spec/pin.toml`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
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
    assert!(stdout.contains("Usage: cargo xtask gen [--spec DIR] [--check] [--update-pin TAG]"));
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
