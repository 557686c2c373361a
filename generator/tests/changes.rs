//! The change report on a fixture pair written for it
//! (`tests/fixtures/changes`: `spec-old/` and `spec-new/`, one project in
//! `project/`): every difference between the two releases is one kind of
//! change, and the report lists exactly those (`expected-report.txt`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use matrix_csapi_codegen::Project;
use matrix_csapi_codegen::changes::{
    ChangeKind, ChangesError, Level, Release, Side, compare_specs, render,
};

mod support;

use support::copy_dir;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/changes")
}

/// The fixture in a temp dir: `old/data`, `new/data` and `project/`,
/// with `edit` applied.
fn scratch(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture().join("spec-old"), &dir.path().join("old/data"));
    copy_dir(&fixture().join("spec-new"), &dir.path().join("new/data"));
    copy_dir(&fixture().join("project"), &dir.path().join("project"));
    edit(dir.path());
    dir
}

fn compare(dir: &Path) -> Result<matrix_csapi_codegen::changes::ChangeReport, ChangesError> {
    let project = Project {
        spec_config_dir: dir.join("project"),
    };
    compare_specs(
        Release {
            spec_dir: &dir.join("old"),
            label: "old",
        },
        Release {
            spec_dir: &dir.join("new"),
            label: "new",
        },
        &project,
    )
}

#[test]
fn report_lists_exactly_the_changes_made() {
    let dir = scratch(|_| {});
    let report = compare(dir.path()).unwrap();
    let text = render::text(&report);
    print!("{text}");
    let expected = fs::read_to_string(fixture().join("expected-report.txt")).unwrap();
    assert_eq!(text, expected);
}

#[test]
fn json_report_carries_the_same_changes_and_the_next_version() {
    let dir = scratch(|_| {});
    let report = compare(dir.path()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&render::json(&report)).unwrap();
    assert_eq!(json["from"], "old");
    assert_eq!(json["to"], "new");
    assert_eq!(json["crate"]["name"], "fixture-things");
    assert_eq!(json["crate"]["version"], "0.3.1");
    assert_eq!(json["level"], "breaking");
    assert_eq!(json["next_version"], "0.4.0");
    let changes = json["changes"].as_array().unwrap();
    assert_eq!(changes.len(), report.changes.len());
    let breaking = changes.iter().filter(|c| c["breaking"] == true).count();
    assert_eq!(
        breaking,
        report.changes.iter().filter(|c| c.breaking).count()
    );
    // One change in full: a typed record, not prose.
    assert!(
        changes.contains(&serde_json::json!({
            "breaking": true,
            "subject": { "type": "type", "path": "types::Thing" },
            "kind": "member_added",
            "member": { "place": "field", "rust": "created_ts", "wire": "created_ts" },
            "ty": "runtime::Timestamp",
            "required": true,
            "in_constructor": true,
            "feature": null,
        })),
        "{json:#}"
    );
    assert_eq!(
        json["skipped_overlays"][0]["overlay"],
        "overlays/sparkle.yaml"
    );
}

#[test]
fn the_same_model_twice_has_no_changes() {
    let dir = scratch(|_| {});
    let project = Project {
        spec_config_dir: dir.path().join("project"),
    };
    let new = dir.path().join("new");
    let same = |from: &str, to: &str| {
        compare_specs(
            Release {
                spec_dir: &new,
                label: from,
            },
            Release {
                spec_dir: &new,
                label: to,
            },
            &project,
        )
        .unwrap()
    };
    let report = same("new", "new");
    assert!(report.changes.is_empty() && report.skipped_overlays.is_empty());
    assert_eq!(report.level(), Level::Unchanged);
    // Another release with the same API: only its docs can differ.
    let report = same("v1", "v2");
    assert_eq!(report.level(), Level::Docs);
    let text = render::text(&report);
    assert!(text.contains("Breaking (0):\n  (none)\n"), "{text}");
    assert!(
        text.contains("Version: 0.3.1 → 0.3.2 (no API changes"),
        "{text}"
    );
}

#[test]
fn the_newer_release_must_take_every_overlay() {
    // Backwards, the overlay's target is missing from the `to` side: that
    // is what `gen` would refuse, so the comparison fails.
    let dir = scratch(|_| {});
    let project = Project {
        spec_config_dir: dir.path().join("project"),
    };
    let error = compare_specs(
        Release {
            spec_dir: &dir.path().join("new"),
            label: "new",
        },
        Release {
            spec_dir: &dir.path().join("old"),
            label: "old",
        },
        &project,
    )
    .unwrap_err();
    let ChangesError::Build { side, source, .. } = &error;
    assert_eq!(*side, Side::To);
    assert!(source.to_string().contains("selects nothing"), "{source}");
}

#[test]
fn config_that_does_not_fit_the_older_release_fails_naming_the_side() {
    // Only overlays are left out of the older model; any other config entry
    // the older release cannot take fails, naming the side and why.
    let dir = scratch(|dir| {
        let config = dir.join("project/generator.toml");
        let text = fs::read_to_string(&config).unwrap();
        fs::write(
            &config,
            text.replace(
                "[crate]",
                "raw_schemas = [\"api/client-server/definitions/gadget.yaml\"]\n\n[crate]",
            ),
        )
        .unwrap();
    });
    let error = compare(dir.path()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("cannot build the old (--from) API from `")
            && message.contains("overlays that do not fit it are left out"),
        "{message}"
    );
    let ChangesError::Build { side, source, .. } = &error;
    assert_eq!(*side, Side::From);
    assert!(source.to_string().contains("gadget.yaml"), "{source}");
}

#[test]
fn an_overlay_error_other_than_not_fitting_still_fails_the_older_side() {
    let dir = scratch(|dir| {
        let overlay = dir.join("project/overlays/sparkle.yaml");
        let text = fs::read_to_string(&overlay).unwrap();
        // Valid YAML, but an action that is not an object: a broken overlay.
        fs::write(&overlay, text.replace("actions:\n", "actions:\n  - 7\n")).unwrap();
    });
    let error = compare(dir.path()).unwrap_err();
    let ChangesError::Build { side, source, .. } = &error;
    assert_eq!(*side, Side::From);
    assert!(
        source.to_string().contains("each action must be an object"),
        "{source}"
    );
}

#[test]
fn every_kind_of_change_in_the_fixture_is_marked_as_its_rules_say() {
    let dir = scratch(|_| {});
    let report = compare(dir.path()).unwrap();
    for change in &report.changes {
        assert_eq!(change.breaking, change.kind.is_breaking(), "{change:?}");
        // A new optional member, enum value or operation never breaks.
        if matches!(
            change.kind,
            ChangeKind::EnumValueAdded { .. } | ChangeKind::OperationAdded { .. }
        ) {
            assert!(!change.breaking, "{change:?}");
        }
    }
}
