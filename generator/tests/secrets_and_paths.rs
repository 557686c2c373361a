//! Credentials in `Debug` output and path literals, on edited copies of the
//! small fixture spec (`tests/fixtures/mini`): secret parameters, secret
//! additional properties (and their stale config entries), path keys with a
//! trailing space, and path literals a URL cannot carry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use matrix_csapi_codegen::output::GeneratedFiles;
use matrix_csapi_codegen::{Error, Project, generate};

mod support;

use support::edited_fixture;

fn project(dir: &Path) -> Project {
    Project {
        spec_config_dir: dir.join("project"),
    }
}

/// Replaces `from` (which must occur) with `to` in the file at `path`.
fn replace_in(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn generated(edit: impl FnOnce(&Path)) -> Result<GeneratedFiles, Error> {
    let dir = edited_fixture(edit);
    generate(dir.path(), &project(dir.path()))
}

fn session_yaml(root: &Path) -> PathBuf {
    root.join("data/api/client-server/session.yaml")
}

/// The text of `impl std::fmt::Debug for <name>`, up to the next item.
fn debug_impl<'a>(source: &'a str, name: &str) -> &'a str {
    let start = source
        .find(&format!("impl std::fmt::Debug for {name} {{"))
        .unwrap_or_else(|| panic!("no hand-written Debug for {name}:\n{source}"));
    let rest = &source[start..];
    &rest[..rest.find("\n}\n").map_or(rest.len(), |end| end + 3)]
}

#[test]
fn a_secret_parameter_is_redacted_in_debug() {
    let files = generated(|root| {
        replace_in(
            &session_yaml(root),
            "        - in: query\n          name: limit\n",
            "        - in: query\n          name: token\n          schema:\n            type: string\n        - in: query\n          name: limit\n",
        );
        replace_in(
            &root.join("project/generator.toml"),
            "secret_properties = [\"access_token\", \"refresh_token\"]",
            "secret_properties = [\"access_token\", \"refresh_token\", \"token\"]",
        );
    })
    .unwrap();
    let session = files.get("src/session.rs").unwrap();
    let debug = debug_impl(session, "GetWidgetsRequest");
    assert!(
        debug.contains(r#"debug.field("token", &self.token.as_ref().map(|_| "<redacted>"));"#),
        "{debug}"
    );
    // The other parameters are shown as they are.
    assert!(
        debug.contains(r#"debug.field("limit", &self.limit);"#),
        "{debug}"
    );
    assert!(session.contains("A credential: `Debug` output shows `<redacted>`."));
}

#[test]
fn secret_additional_properties_show_their_names_only() {
    let files = generated(|root| {
        replace_in(
            &root.join("data/schemas/widget.yaml"),
            "required: [name]",
            "required: [name]\nadditionalProperties:\n  type: string\n",
        );
        replace_in(
            &root.join("project/generator.toml"),
            "secret_properties =",
            "secret_additional_properties = [\"schemas/widget*\"]\nsecret_properties =",
        );
    })
    .unwrap();
    let types = files.get("src/types.rs").unwrap();
    let debug = debug_impl(types, "Widget");
    assert!(debug.contains(".keys()"), "{debug}");
    assert!(
        debug.contains(r#".map(|name| (name, "<redacted>"))"#),
        "{debug}"
    );
    assert!(
        debug.contains(r#"debug.field("name", &self.name);"#),
        "{debug}"
    );
    assert!(types.contains("Credentials: `Debug` output shows their names only."));
}

#[test]
fn a_secret_additional_properties_entry_that_matches_nothing_fails_generation() {
    // The widget name is a string schema, with no object (so no other
    // properties) to redact: naming it is as stale as naming a file that
    // does not exist.
    for pattern in ["schemas/widget_name.yaml", "schemas/gone/*"] {
        let err = generated(|root| {
            replace_in(
                &root.join("project/generator.toml"),
                "secret_properties =",
                &format!("secret_additional_properties = [\"{pattern}\"]\nsecret_properties ="),
            );
        })
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(&format!(
                "`secret_additional_properties` pattern `{pattern}` matches no generated object schema with additional properties"
            )),
            "{message}"
        );
    }
}

#[test]
fn a_trailing_space_in_a_path_key_is_not_sent() {
    // The Matrix spec writes `/rooms/{roomId}/invite ` to keep two
    // documents' identical paths apart.
    let files = generated(|root| {
        replace_in(&session_yaml(root), "  /widgets:\n", "  \"/widgets \":\n");
    })
    .unwrap();
    let session = files.get("src/session.rs").unwrap();
    assert!(
        session.contains(r#"path_template: "/_matrix/client/v3/widgets","#),
        "{session}"
    );
    assert!(
        session.contains(r#"PathBuilder::new("/_matrix/client/v3/widgets")"#),
        "{session}"
    );
    assert!(!session.contains("widgets \""), "{session}");
}

#[test]
fn a_path_literal_that_a_url_cannot_carry_fails_generation() {
    for (key, bad) in [
        ("/wid gets", "' '"),
        ("/widgets?x=1", "'?'"),
        ("/wid\\\"gets", "'\"'"),
    ] {
        let err = generated(|root| {
            replace_in(
                &session_yaml(root),
                "  /widgets:\n",
                &format!("  \"{key}\":\n"),
            );
        })
        .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("session.yaml"), "{message}");
        assert!(
            message.contains("outside a parameter, which a URL path cannot carry unencoded")
                && message.contains(bad),
            "{key}: {message}"
        );
    }
}
