//! `x-cargo-feature` end to end on a fixture of its own
//! (`tests/fixtures/experimental`): an overlay adds an MSC-style unstable
//! endpoint under its own base path, a type, a field of that type on a
//! stable type, and an enum value, all behind `unstable-msc9999`.
//!
//! The crate generated from it is checked in (`generated/` beside the
//! fixture, a workspace member) so that it is compiled: `.ci/run` lints it
//! without default features and with all of them, and
//! `tests/tests/offline/experimental_endpoint.rs` calls the endpoint over
//! loopback HTTP. Here: the checked-in crate is what the generator makes, every
//! experimental item is gated, and a misplaced or inconsistent
//! `x-cargo-feature` fails generation naming the place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use matrix_csapi_codegen::output::{self, GeneratedFiles};
use matrix_csapi_codegen::{Project, event_examples, generate, pin};

mod support;

const FEATURE: &str = "#[cfg(feature = \"unstable-msc9999\")]";
const BADGE: &str = "#[cfg_attr(docsrs, doc(cfg(feature = \"unstable-msc9999\")))]";
const OVERLAY: &str = "project/overlays/msc9999.yaml";
const WIDGETS: &str = "data/api/client-server/widgets.yaml";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/experimental")
}

/// Generates from a copy of the fixture with `edit` applied.
fn generate_edited(edit: impl FnOnce(&Path)) -> Result<GeneratedFiles, String> {
    let dir = support::copy_fixture(&fixture(), edit);
    let project = Project {
        spec_config_dir: dir.path().join("project"),
    };
    generate(dir.path(), &project).map_err(|e| e.to_string())
}

/// Replaces `from` (which must be there) with `to` in the file at `path`.
fn replace(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The message of the generation that `edit` makes fail.
fn failure(edit: impl FnOnce(&Path)) -> String {
    match generate_edited(edit) {
        Ok(_) => panic!("generation succeeded"),
        Err(message) => message,
    }
}

#[test]
fn checked_in_crate_is_what_the_generator_makes() {
    let files = generate_edited(|_| {}).unwrap();
    let dir = fixture().join("generated");
    if std::env::var_os("MATRIX_CSAPI_BLESS").is_some() {
        output::write_atomically(&dir, &files).unwrap();
        return;
    }
    let changes = output::diff(&dir, &files).unwrap();
    assert!(
        changes.is_empty(),
        "{} is stale ({}): run `MATRIX_CSAPI_BLESS=1 cargo test -p matrix-csapi-codegen --test experimental`",
        dir.display(),
        changes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// The attributes and docs right above the line that starts with `item`
/// (after indentation), which must occur once in `text`.
fn attributes_of<'a>(text: &'a str, item: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = text.lines().collect();
    let found: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim_start().starts_with(item))
        .collect();
    assert_eq!(found.len(), 1, "`{item}` occurs {} times", found.len());
    let mut attributes = Vec::new();
    let mut above = lines[..found[0]].iter().rev().map(|line| line.trim_start());
    while let Some(line) = above.next() {
        if line.starts_with("#[") || line.starts_with("///") {
            attributes.push(line);
        } else if line.ends_with(")]") {
            // The end of an attribute written over several lines.
            attributes.push(line);
            for inside in above.by_ref() {
                attributes.push(inside);
                if inside.starts_with("#[") {
                    break;
                }
            }
        } else if line.ends_with("! {") {
            // An item declared by an item macro (`rt::string_enum! { .. }`):
            // the call's attributes apply to it too.
            continue;
        } else {
            break;
        }
    }
    attributes
}

fn assert_gated(text: &str, item: &str, documented: bool) {
    let attributes = attributes_of(text, item);
    let has = |attr: &str| attributes.iter().any(|line| line.trim() == attr);
    assert!(has(FEATURE), "`{item}` is not gated: {attributes:?}");
    assert_eq!(
        has(BADGE),
        documented,
        "`{item}`'s doc(cfg): {attributes:?}"
    );
}

#[test]
fn everything_experimental_is_behind_its_feature_and_nothing_else_is() {
    let files = generate_edited(|_| {}).unwrap();
    let widgets = files.get("src/widgets.rs").unwrap();
    // The operation: its request, response and error types, its Endpoint impl.
    for item in [
        "pub struct SetWidgetLayoutRequest {",
        "pub struct SetWidgetLayoutResponse {",
        "pub enum SetWidgetLayoutError {",
        "pub struct SetWidgetLayoutError409 {",
        "impl rt::Endpoint for SetWidgetLayoutRequest {",
        // The gated schema, and the enum value.
        "pub struct WidgetLayout {",
        "impl WidgetLayout {",
        // A type defined inline inside the gated one.
        "pub enum WidgetLayoutOrientation {",
        "OrgExampleMsc9999Board = ",
    ] {
        assert_gated(widgets, item, true);
    }
    // The value's match arms are the runtime's `string_enum!`'s, which gives
    // them the variant's `cfg` (tests/tests/runtime_string_enum.rs).
    // The field of the gated type on a stable type.
    assert_gated(widgets, "pub layout: Option<WidgetLayout>,", true);
    // Under the MSC's own base path, not the document's.
    assert!(widgets.contains(
        "path_template: \"/_matrix/client/unstable/org.example.msc9999/rooms/{roomId}/widget_layout\""
    ));
    assert!(
        widgets.contains("path_template: \"/_matrix/client/v3/rooms/{roomId}/widgets/{widgetId}\"")
    );
    let client = files.get("src/client.rs").unwrap();
    assert_gated(client, "pub async fn set_widget_layout(", true);
    let test_support = files.get("src/test_support.rs").unwrap();
    assert_gated(test_support, "(\"setWidgetLayout\", \"request\") =>", false);
    assert_gated(test_support, "\"setWidgetLayout\" => {", false);
    assert_gated(
        test_support,
        "<crate::widgets::SetWidgetLayoutRequest as rt::Endpoint>::METADATA,",
        false,
    );
    // The stable operation and type are not gated.
    for item in [
        "pub struct GetWidgetRequest {",
        "pub struct Widget {",
        "impl rt::Endpoint for GetWidgetRequest {",
        "MJitsi = ",
    ] {
        let attributes = attributes_of(widgets, item);
        assert!(
            !attributes.iter().any(|line| line.contains("cfg")),
            "`{item}` is gated: {attributes:?}"
        );
    }
    // Events: MSC9999's own event type whole (its content type, its
    // `EventContent` and marker trait impls), and its field on the stable
    // `m.widget` content (added by an overlay).
    let events = files.get("src/events.rs").unwrap();
    for item in [
        "pub struct OrgExampleMsc9999WidgetBoardEventContent {",
        "impl OrgExampleMsc9999WidgetBoardEventContent {",
        "impl rt::EventContent for OrgExampleMsc9999WidgetBoardEventContent {",
        "impl rt::StateEventContent for OrgExampleMsc9999WidgetBoardEventContent {}",
        "pub position: Option<i64>,",
    ] {
        assert_gated(events, item, true);
    }
    for item in [
        "pub struct WidgetEventContent {",
        "impl rt::EventContent for WidgetEventContent {",
        "impl rt::StateEventContent for WidgetEventContent {}",
    ] {
        let attributes = attributes_of(events, item);
        assert!(
            !attributes.iter().any(|line| line.contains("cfg")),
            "`{item}` is gated: {attributes:?}"
        );
    }
    let cargo = files.get("Cargo.toml").unwrap();
    assert!(cargo.contains("\nunstable-msc9999 = []\n"), "{cargo}");
    assert!(
        files
            .get("src/lib.rs")
            .unwrap()
            .contains("#![cfg_attr(docsrs, feature(doc_cfg))]")
    );
}

#[test]
fn a_use_of_a_gated_type_that_is_not_gated_fails_naming_it() {
    // The field beside the `$ref` without the feature.
    let message = failure(|root| {
        replace(
            &root.join(OVERLAY),
            "        $ref: \"#/components/schemas/WidgetLayout\"\n        x-cargo-feature: unstable-msc9999\n",
            "        $ref: \"#/components/schemas/WidgetLayout\"\n",
        )
    });
    assert!(
        message.contains(
            "widgets.yaml#/components/schemas/Widget/properties/org.example.msc9999.layout"
        ) && message
            .contains("property `org.example.msc9999.layout` of `Widget` uses `WidgetLayout`")
            && message.contains("exists only with the cargo feature `unstable-msc9999`")
            && message.contains("`x-cargo-feature: unstable-msc9999`"),
        "{message}"
    );
    // The operation without the feature: its body type is gated.
    let message = failure(|root| {
        replace(
            &root.join(OVERLAY),
            "          x-cargo-feature: unstable-msc9999\n          summary",
            "          summary",
        )
    });
    assert!(
        message.contains("widgets.yaml#/paths/~1rooms~1{roomId}~1widget_layout/put")
            && message
                .contains("the request body of operation `setWidgetLayout` uses `WidgetLayout`"),
        "{message}"
    );
}

#[test]
fn x_cargo_feature_where_it_cannot_apply_fails_naming_the_place() {
    let op = "widgets.yaml#/paths/~1rooms~1{roomId}~1widget_layout";
    let cases: [(&str, &str, &str, String, &str); 6] = [
        (
            "a parameter",
            "              name: roomId\n",
            "              name: roomId\n              x-cargo-feature: unstable-msc9999\n",
            format!("{op}/put/parameters/0/x-cargo-feature"),
            "`x-cargo-feature` cannot apply to a parameter",
        ),
        (
            "a response",
            "              description: The layout was stored.\n",
            "              description: The layout was stored.\n              x-cargo-feature: unstable-msc9999\n",
            format!("{op}/put/responses/200/x-cargo-feature"),
            "`x-cargo-feature` cannot apply to a response",
        ),
        (
            "a path item",
            "        servers:\n",
            "        x-cargo-feature: unstable-msc9999\n        servers:\n",
            format!("{op}/x-cargo-feature"),
            "`x-cargo-feature` cannot apply to a path item",
        ),
        (
            "a schema that becomes no type (a list's items)",
            "              type: string\n            description: Widget IDs",
            "              type: string\n              x-cargo-feature: unstable-msc9999\n            description: Widget IDs",
            "widgets.yaml#/components/schemas/WidgetLayout/properties/widgets/items/x-cargo-feature"
                .to_owned(),
            "this schema becomes none",
        ),
        (
            "a value that is not a feature name",
            "          x-cargo-feature: unstable-msc9999\n          summary",
            "          x-cargo-feature: 5\n          summary",
            format!("{op}/put/x-cargo-feature"),
            "`x-cargo-feature` must be a cargo feature name (letters, digits, `-`, `_`; not `default`), not 5",
        ),
        (
            "an enum map naming a value the enum does not have",
            "        org.example.msc9999.board: unstable-msc9999\n",
            "        org.example.msc9999.bored: unstable-msc9999\n",
            "widgets.yaml#/components/schemas/Widget/properties/kind/x-cargo-feature/org.example.msc9999.bored"
                .to_owned(),
            "names `org.example.msc9999.bored`, which is not a value of this enum",
        ),
    ];
    for (what, from, to, at, says) in cases {
        let message = failure(|root| replace(&root.join(OVERLAY), from, to));
        assert!(
            message.contains(&at) && message.contains(says),
            "{what}: {message}"
        );
    }
    // In the spec itself (with a line number), on the document's `info`.
    let message = failure(|root| {
        replace(
            &root.join(WIDGETS),
            "  version: 1.0.0\n",
            "  version: 1.0.0\n  x-cargo-feature: unstable-msc9999\n",
        )
    });
    assert!(
        message.contains("widgets.yaml#/info/x-cargo-feature (line 5, column 3)")
            && message.contains("cannot apply to the document's `info`"),
        "{message}"
    );
}

/// In an event schema, `x-cargo-feature` applies to the schema (the event
/// type) and to content properties; anywhere else it fails with the place.
#[test]
fn x_cargo_feature_misplaced_in_an_event_schema_fails_naming_the_place() {
    const BOARD: &str = "project/events/org.example.msc9999.widget_board.yaml";
    const WIDGET: &str = "data/event-schemas/schema/m.widget.yaml";
    // On a stable event's content schema: it would gate the content type but
    // not the event type's impls.
    let message = failure(|root| {
        replace(
            &root.join(WIDGET),
            "  content:\n    type: object\n",
            "  content:\n    x-cargo-feature: unstable-msc9999\n    type: object\n",
        )
    });
    assert!(
        message.contains("m.widget.yaml#/properties/content/x-cargo-feature")
            && message.contains("put it on the event schema itself"),
        "{message}"
    );
    // On the event's `type`, which becomes no Rust of its own.
    let message = failure(|root| {
        replace(
            &root.join(WIDGET),
            "  type:\n    type: string\n",
            "  type:\n    x-cargo-feature: unstable-msc9999\n    type: string\n",
        )
    });
    assert!(
        message.contains("m.widget.yaml#/properties/type/x-cargo-feature")
            && message.contains("`x-cargo-feature` cannot apply"),
        "{message}"
    );
    // Not a feature name: refused wherever it is.
    let message = failure(|root| {
        replace(
            &root.join(BOARD),
            "x-cargo-feature: unstable-msc9999\n",
            "x-cargo-feature: [unstable-msc9999]\n",
        )
    });
    assert!(
        message.contains(
            "project:events/org.example.msc9999.widget_board.yaml#/x-cargo-feature (line 7, column 1)"
        ) && message.contains("must be a cargo feature name"),
        "{message}"
    );
}

/// MSC9999's event type is the project's own file (`project/events/`,
/// `[events.project]`), outside the fixture's spec tree: it is an event of
/// the crate like the spec's, its `$ref`s resolve from the spec's folder it
/// stands in, and its example event takes its base from the spec's examples.
/// It is no part of the spec's digest, but the output follows it.
#[test]
fn a_project_event_schema_and_example_stand_in_the_spec_tree_but_are_not_pinned() {
    let dir = support::copy_fixture(&fixture(), |_| {});
    let project = Project {
        spec_config_dir: dir.path().join("project"),
    };
    assert!(
        !dir.path()
            .join("data/event-schemas/schema/org.example.msc9999.widget_board.yaml")
            .exists()
    );
    let examples = event_examples(dir.path(), &project).unwrap();
    let files: Vec<&str> = examples.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(
        files,
        ["project:events/examples/org.example.msc9999.widget_board.yaml"]
    );
    assert_eq!(
        examples[0].value,
        serde_json::json!({
            "event_id": "$143273582443PhrSn:example.org",
            "origin_server_ts": 1432735824653_u64,
            "room_id": "!jEsUZKDJdhlrceRyVU:example.org",
            "sender": "@example:example.org",
            "state_key": "",
            "type": "org.example.msc9999.widget_board",
            "content": {"columns": 3}
        })
    );
    let (digest, _) = pin::digest_spec(dir.path()).unwrap();
    let before = generate(dir.path(), &project).unwrap();
    replace(
        &dir.path()
            .join("project/events/org.example.msc9999.widget_board.yaml"),
        "description: How many columns the board has.",
        "description: How many columns the board is wide.",
    );
    let after = generate(dir.path(), &project).unwrap();
    assert_eq!(pin::digest_spec(dir.path()).unwrap().0, digest);
    let events = |files: &GeneratedFiles| files.get("src/events.rs").unwrap().to_owned();
    assert!(events(&before).contains("/// How many columns the board has."));
    assert!(events(&after).contains("/// How many columns the board is wide."));
}

/// Files of the project's own stay inside the config's folder, and stand
/// inside the spec's `data/`; examples need the folder they stand in.
#[test]
fn project_event_files_outside_their_folders_fail_naming_the_entry() {
    const CONFIG: &str = "project/generator.toml";
    let cases = [
        (
            "schemas = [\"events/*.yaml\"]",
            "schemas = [\"../events/*.yaml\"]",
            "`[events.project]` file `../events/*.yaml` must be a path inside the config's folder",
        ),
        (
            "schemas_in = \"event-schemas/schema\"",
            "schemas_in = \"/event-schemas/schema\"",
            "`[events.project]` folder `/event-schemas/schema` must be a path inside the spec's data/ folder",
        ),
        (
            "examples_in = \"event-schemas/examples\"\n",
            "",
            "`events.project.examples` needs `events.project.examples_in`: the spec's folder its files stand in",
        ),
        (
            "schemas = [\"events/*.yaml\"]",
            "schemas = [\"widgets/*.yaml\"]",
            "`events.project.schemas` pattern `widgets/*.yaml`: cannot list",
        ),
    ];
    for (from, to, says) in cases {
        let message = failure(|root| replace(&root.join(CONFIG), from, to));
        assert!(
            message.contains("generator.toml: ") && message.contains(says),
            "{to}: {message}"
        );
    }
}

#[test]
fn servers_without_a_base_path_fail_naming_them() {
    let message = failure(|root| {
        replace(
            &root.join(OVERLAY),
            "          - url: /_matrix/client/unstable/org.example.msc9999\n",
            "          - url: https://example.org\n",
        )
    });
    assert!(
        message.contains("widgets.yaml#/paths/~1rooms~1{roomId}~1widget_layout/servers")
            && message.contains("`servers[0]` gives no base path"),
        "{message}"
    );
}
