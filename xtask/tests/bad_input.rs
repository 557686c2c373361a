//! Bad specs, overlays and project config, through the real `xtask gen`
//! binary: what a user who edited a file by hand sees.
//!
//! Every row of [`CASES`] starts from a scratch project made of the
//! generator's small fixture (`generator/tests/fixtures/mini`): a spec dir
//! with `data/`, a `spec/` folder (generator.toml, pin.toml, one overlay) and
//! a `generated/` written by a successful first run. The row applies one edit
//! and runs `xtask gen --spec DIR`, then (unless the row is about the pin)
//! again with `--update-pin`, and checks each run: exit status 1 (a panic
//! would be 101), an `error:` message with the expected file and JSON
//! pointer or line and column, no "panicked", and the whole scratch project
//! byte-for-byte as before (so `generated/` and `spec/pin.toml` are
//! untouched and no temporary directory is left behind).
//!
//! Spec edits change the spec's digest; unless a row is about exactly that,
//! the pin is updated to the edited spec first, so the run reaches the
//! generator. The last row fails late: the crate is generated in memory and
//! written file by file into `.generated.tmp-<pid>` until a file size limit
//! (`ulimit -f`, which also binds root) stops a larger one (with the
//! fixture, the fourth: `src/session.rs`). Messages are
//! printed (see `--nocapture`) for RELIABILITY.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use matrix_csapi_codegen::pin::{self, Pin};

/// The tag the scratch project is first pinned to.
const TAG: &str = "v0.0-fixture";

/// The generator's fixture: `project/` is the config, `spec-tree/` the
/// spec's `data/`.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../generator/tests/fixtures/mini")
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

/// A scratch repository (found by xtask through `CARGO_MANIFEST_DIR`) and a
/// spec dir next to it.
struct Scratch {
    tmp: tempfile::TempDir,
    /// The repository root: `spec/`, `generated/`, `xtask/`.
    root: PathBuf,
    /// The spec release dir (contains `data/`).
    spec: PathBuf,
}

impl Scratch {
    /// The fixture project with `generated/` and `spec/pin.toml` written by
    /// a successful run.
    fn new() -> Scratch {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        let spec = tmp.path().join("spec-release");
        fs::create_dir_all(root.join("xtask")).unwrap();
        fs::write(root.join("Cargo.toml"), "[workspace]\n").unwrap();
        fs::write(root.join("xtask/Cargo.toml"), "").unwrap();
        copy_dir(&fixture().join("project"), &root.join("spec"));
        copy_dir(&fixture().join("spec-tree"), &spec.join("data"));
        let scratch = Scratch { tmp, root, spec };
        let out = scratch.run(&[
            "gen".into(),
            "--spec".into(),
            scratch.spec.clone().into(),
            "--update-pin".into(),
            TAG.into(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(scratch.root.join("generated/src/session.rs").is_file());
        scratch
    }

    /// A spec file, relative to `data/`.
    fn data(&self, rel: &str) -> PathBuf {
        self.spec.join("data").join(rel)
    }

    /// A project config file, relative to `spec/`.
    fn config(&self, rel: &str) -> PathBuf {
        self.root.join("spec").join(rel)
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
        command
            .current_dir(&self.root)
            .env("CARGO_MANIFEST_DIR", self.root.join("xtask"))
            .env_remove("MATRIX_SPEC_DIR");
        command
    }

    fn run(&self, args: &[OsString]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Pins the spec as it is now, as if the user had accepted their edit.
    /// Leaves the pin alone if it or the spec cannot be read (the run will
    /// report that).
    fn repin(&self) {
        let path = self.config("pin.toml");
        let (Ok(pin), Ok((digest, files))) = (Pin::read(&path), pin::digest_spec(&self.spec))
        else {
            return;
        };
        if pin.digest != digest {
            Pin {
                digest,
                files,
                ..pin
            }
            .write(&path)
            .unwrap();
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Replaces `from` (which must occur exactly once) with `to` in `file`.
fn edit(file: &Path, from: &str, to: &str) {
    let before = fs::read_to_string(file).unwrap();
    assert_eq!(
        before.matches(from).count(),
        1,
        "{from:?} must occur once in {}",
        file.display()
    );
    fs::write(file, before.replacen(from, to, 1)).unwrap();
}

/// What is on disk at one path.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    Dir,
    File(Vec<u8>),
    Other,
}

/// Every entry below `dir` (not following symlinks), by relative path.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            let file_type = e.file_type().unwrap();
            let entry = if file_type.is_dir() {
                stack.push(e.path());
                Entry::Dir
            } else if file_type.is_file() {
                // Unreadable files (a row makes one) are compared by
                // existence only.
                fs::read(e.path()).map_or(Entry::Other, Entry::File)
            } else {
                Entry::Other
            };
            out.insert(rel, entry);
        }
    }
    out
}

/// One bad input.
struct Case {
    /// What is wrong, for the table and failure messages.
    input: &'static str,
    /// Makes the scratch project bad; returns extra expected stderr text
    /// (for rows whose message depends on the machine).
    edit: fn(&Scratch) -> Vec<String>,
    /// The `--spec` argument (usually the scratch spec).
    spec: fn(&Scratch) -> PathBuf,
    /// The row is about `spec/pin.toml`: the pin is left as the edit made
    /// it (not updated to the edited spec), and the run with `--update-pin`,
    /// which replaces the pin and so is the remedy, is skipped.
    about_pin: bool,
    /// Limit the size of files xtask may write (bytes), to fail the write
    /// of `generated/` after the crate was generated in memory.
    file_size_limit: Option<u64>,
    /// Text stderr must contain; `{tmp}`, `{spec}` and `{root}` stand for
    /// the scratch temp dir, spec dir and repository root.
    expect: &'static [&'static str],
}

fn fixture_spec(s: &Scratch) -> PathBuf {
    s.spec.clone()
}

const fn case(
    input: &'static str,
    edit: fn(&Scratch) -> Vec<String>,
    expect: &'static [&'static str],
) -> Case {
    Case {
        input,
        edit,
        spec: fixture_spec,
        about_pin: false,
        file_size_limit: None,
        expect,
    }
}

/// Appends an action to the fixture overlay.
fn add_overlay_action(s: &Scratch, action: &str) {
    let path = s.config("overlays/flag.yaml");
    let mut overlay = fs::read_to_string(&path).unwrap();
    overlay.push_str(action);
    fs::write(path, overlay).unwrap();
}

/// Makes `schemas/widget_name.yaml` unreadable: mode 000, or, where that
/// does not stop reads (running as root), a directory in its place.
fn unreadable(s: &Scratch) -> Vec<String> {
    let path = s.data("schemas/widget_name.yaml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::read(&path).is_err() {
            return vec![
                format!("cannot read `{}`", path.display()),
                "Permission denied".to_owned(),
            ];
        }
        eprintln!(
            "note: mode 000 does not stop this user from reading files (root?); \
             putting a directory in the file's place instead"
        );
    }
    fs::remove_file(&path).unwrap();
    fs::create_dir(&path).unwrap();
    vec![
        "schemas/widget.yaml#/properties/name (line 5, column 3): cannot follow $ref \
         `widget_name.yaml`: cannot read spec file schemas/widget_name.yaml"
            .to_owned(),
    ]
}

const SESSION: &str = "api/client-server/session.yaml";

/// Adds an event schema (`m.tag`, a basic event) and `[events]` config to
/// the scratch project (every basic event arriving as room account data):
/// `rest` is the TOML after `[events.basic.*]`.
fn add_events(s: &Scratch, rest: &str) {
    let schema = s.data("event-schemas/schema");
    fs::create_dir_all(schema.join("core")).unwrap();
    fs::write(
        schema.join("core/event.yaml"),
        "type: object\nproperties:\n  type: {type: string}\n",
    )
    .unwrap();
    fs::write(
        schema.join("m.tag.yaml"),
        "allOf:\n  - $ref: core/event.yaml\nproperties:\n  content:\n    type: object\n    properties:\n      tags: {type: object}\n",
    )
    .unwrap();
    let path = s.config("generator.toml");
    let mut config = fs::read_to_string(&path).unwrap();
    config.push_str(
        "\n[events]\nschemas = [\"event-schemas/schema/*.yaml\"]\n[events.kinds]\n\"event-schemas/schema/core/event.yaml\" = \"basic\"\n[events.basic.room-account-data]\nevent_types = [\"*\"]\nreason = \"a test: every basic event of the scratch spec\"\n",
    );
    config.push_str(rest);
    fs::write(path, config).unwrap();
}

/// Adds `[events]` config as [`add_events`] does, plus an event schema of
/// the project's own, `spec/events/org.example.msc1234.board.yaml`, with
/// `text` (none when `None`), standing in the spec's event schema folder.
fn add_project_event(s: &Scratch, text: Option<&str>) {
    add_events(
        s,
        "[events.enums]\nAnyBasic = [\"basic\"]\n[events.project]\nschemas = [\"events/org.example.msc1234.board.yaml\"]\nschemas_in = \"event-schemas/schema\"\n",
    );
    if let Some(text) = text {
        fs::create_dir_all(s.config("events")).unwrap();
        fs::write(s.config("events/org.example.msc1234.board.yaml"), text).unwrap();
    }
}

/// A project event schema that is fine: a basic event.
const PROJECT_EVENT: &str = "x-cargo-feature: unstable-msc1234\nallOf:\n  - $ref: core/event.yaml\nproperties:\n  content:\n    type: object\n    properties:\n      columns: {type: integer}\n";

const CASES: &[Case] = &[
    // --- Where the spec is -------------------------------------------------
    Case {
        spec: |s| s.tmp.path().join("no-such-spec"),
        ..case(
            "spec directory missing",
            |_| vec![],
            &[
                "error: `{tmp}/no-such-spec` is not a Matrix spec directory: expected the root of a spec release, containing `data/api/client-server`; it does not exist\n\
                 get the pinned spec with `git clone --depth 1 --branch v0.0-fixture https://github.com/matrix-org/matrix-spec ../shared/matrix-spec/v0.0-fixture` \
                 (the generator reads its `data/` folder; spec/pin.toml's digest verifies it)",
            ],
        )
    },
    Case {
        spec: |s| s.root.join("spec"),
        ..case(
            "spec directory is not a Matrix spec (the project's spec/ folder)",
            |_| vec![],
            &[
                "error: `{root}/spec` is not a Matrix spec directory: expected the root of a spec release, containing `data/api/client-server`",
            ],
        )
    },
    Case {
        spec: |s| s.root.join("Cargo.toml"),
        ..case(
            "spec directory is a file",
            |_| vec![],
            &[
                "error: `{root}/Cargo.toml` is not a Matrix spec directory: expected the root of a spec release, containing `data/api/client-server`; it is not a directory",
            ],
        )
    },
    Case {
        spec: |s| s.spec.join("data"),
        ..case(
            "spec directory is the spec's data/ folder",
            |_| vec![],
            &[
                "error: `{spec}/data` is not a Matrix spec directory",
                "it looks like the spec's `data` directory, pass its parent `{spec}` instead",
            ],
        )
    },
    // --- Files -------------------------------------------------------------
    case(
        "unreadable spec file (mode 000; as root: a directory in its place)",
        unreadable,
        &["widget_name.yaml"],
    ),
    case(
        "spec file is not UTF-8",
        |s| {
            let path = s.data("schemas/widget.yaml");
            let mut bytes = fs::read(&path).unwrap();
            let at = bytes.windows(7).position(|w| w == b"widget.").unwrap();
            bytes.insert(at, 0xff);
            fs::write(path, bytes).unwrap();
            vec![]
        },
        &["schemas/widget.yaml:3:16: not valid UTF-8 (spec files must be UTF-8 text)"],
    ),
    case(
        "YAML syntax error",
        |s| {
            edit(
                &s.data(SESSION),
                "      operationId: leaveRoom\n",
                "      operationId: leaveRoom: now\n",
            );
            vec![]
        },
        &[
            "caused by: api/client-server/session.yaml:55:29: YAML syntax error: mapping values are not allowed in this context",
        ],
    ),
    case(
        "duplicate key",
        |s| {
            edit(
                &s.data(SESSION),
                "      summary: Leave a room\n",
                "      summary: Leave a room\n      summary: Leave\n",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml:55:7: duplicate key `summary` (at `/paths/~1rooms~1{roomId}~1leave/post/summary`); it is already defined at line 54",
        ],
    ),
    case(
        "mapping key that is a sequence (`? [a, b] : 1`)",
        |s| {
            edit(
                &s.data(SESSION),
                "      summary: Leave a room\n",
                "      summary: Leave a room\n      ? [a, b]\n      : 1\n",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml:55:9: a key of the mapping at `/paths/~1rooms~1{roomId}~1leave/post` is a sequence; only scalar keys are allowed",
        ],
    ),
    case(
        "mapping key that is a mapping (`? {a: 1} : 1`)",
        |s| {
            edit(
                &s.data("schemas/widget.yaml"),
                "title: Widget\n",
                "title: Widget\n? {a: 1}\n: 1\n",
            );
            vec![]
        },
        &[
            "schemas/widget.yaml:3:3: a key of the mapping at the document root is a mapping; only scalar keys are allowed",
        ],
    ),
    // --- References ----------------------------------------------------------
    case(
        "dangling $ref: missing file",
        |s| {
            edit(
                &s.data("schemas/widget.yaml"),
                "$ref: widget_name.yaml",
                "$ref: widget_nam.yaml",
            );
            vec![]
        },
        &[
            "schemas/widget.yaml#/properties/name (line 5, column 3): cannot follow $ref `widget_nam.yaml`: cannot read spec file schemas/widget_nam.yaml",
        ],
    ),
    case(
        "dangling $ref: missing pointer target",
        |s| {
            edit(
                &s.data(SESSION),
                "security.yaml#/accessTokenBearer",
                "security.yaml#/accessTokenBaerer",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml#/components/securitySchemes/accessTokenBearer (line 237, column 5): $ref `definitions/security.yaml#/accessTokenBaerer` points at api/client-server/definitions/security.yaml#/accessTokenBaerer, which does not exist",
        ],
    ),
    case(
        "$ref cycle through two files",
        |s| {
            fs::write(
                s.data("schemas/widget_name.yaml"),
                "$ref: widget.yaml#/properties/name\n",
            )
            .unwrap();
            vec![]
        },
        &[
            "$ref cycle: ",
            "schemas/widget.yaml#/properties/name -> schemas/widget_name.yaml# -> schemas/widget.yaml#/properties/name",
        ],
    ),
    case(
        "$ref that escapes the spec root",
        |s| {
            edit(
                &s.data(SESSION),
                "$ref: ../../schemas/widget.yaml",
                "$ref: ../../../../outside.yaml",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml#/paths/~1widgets/get/responses/200/content/application~1json/schema/properties/widgets/items (line 113, column 21): $ref `../../../../outside.yaml` leads out of the spec's data/ folder",
        ],
    ),
    // --- What the generator cannot type --------------------------------------
    case(
        "duplicate operationId",
        |s| {
            edit(
                &s.data(SESSION),
                "operationId: leaveRoom",
                "operationId: refresh",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml#/paths/~1rooms~1{roomId}~1leave/post (line 53",
            "operationId `refresh` is also used at api/client-server/session.yaml#/paths/~1refresh/post",
        ],
    ),
    case(
        "two operationIds that give the same Rust method (`refresh`, `Refresh`)",
        |s| {
            edit(
                &s.data(SESSION),
                "operationId: leaveRoom",
                "operationId: Refresh",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml#/paths/~1rooms~1{roomId}~1leave/post (line 53",
            "operationId `Refresh` gives the Rust method `refresh`, as does `refresh` at api/client-server/session.yaml#/paths/~1refresh/post",
        ],
    ),
    case(
        "an operationId that gives a method the client has already (`send`)",
        |s| {
            edit(
                &s.data(SESSION),
                "operationId: leaveRoom",
                "operationId: send",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml#/paths/~1rooms~1{roomId}~1leave/post (line 53",
            "operationId `send` gives the Rust method `send`, which the client has already (`matrix_csapi_runtime::Client::send`); rename the operationId with an overlay",
        ],
    ),
    case(
        "`x-cargo-feature` on a parameter (it gates operations, types, properties, enum values)",
        |s| {
            edit(
                &s.data(SESSION),
                "          description: The room to leave.\n",
                "          description: The room to leave.\n          x-cargo-feature: unstable-example\n",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml#/paths/~1rooms~1{roomId}~1leave/post/parameters/0/x-cargo-feature (line 63, column 11)",
            "`x-cargo-feature` cannot apply to a parameter (gate its operation, or a property)",
        ],
    ),
    case(
        "`x-cargo-feature` on an operation that is not a feature name",
        |s| {
            edit(
                &s.data(SESSION),
                "operationId: leaveRoom\n",
                "operationId: leaveRoom\n      x-cargo-feature: [unstable-example]\n",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml#/paths/~1rooms~1{roomId}~1leave/post/x-cargo-feature (line 56, column 7)",
            "`x-cargo-feature` must be a cargo feature name (letters, digits, `-`, `_`; not `default`), not [\"unstable-example\"]",
        ],
    ),
    case(
        "a schema behind `x-cargo-feature` used by a property that is not",
        |s| {
            edit(
                &s.data("schemas/widget.yaml"),
                "title: Widget\n",
                "title: Widget\nx-cargo-feature: unstable-example\n",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml#/paths/~1widgets/get/responses/200/content/application~1json/schema/properties/widgets (line 111, column 19)",
            "uses `Widget` (schemas/widget.yaml#), which exists only with the cargo feature `unstable-example`, but is not gated by it: give the property (beside its `$ref`, if any) `x-cargo-feature: unstable-example`",
        ],
    ),
    case(
        "two properties that give the same Rust field (`kind`, `Kind`)",
        |s| {
            edit(
                &s.data("schemas/widget.yaml"),
                "properties:\n",
                "properties:\n  Kind:\n    type: string\n",
            );
            vec![]
        },
        &[
            "schemas/widget.yaml#/properties/kind (line 10, column 3)",
            "properties `Kind` and `kind` both give the Rust field `kind`; rename one",
        ],
    ),
    case(
        "two enum values that give the same Rust variant (`m.custom`, `m_custom`)",
        |s| {
            edit(
                &s.data("schemas/widget.yaml"),
                "enum: [m.custom, m.jitsi]",
                "enum: [m.custom, m.jitsi, m_custom]",
            );
            vec![]
        },
        &[
            "schemas/widget.yaml#/properties/kind/enum/2 (line 10, column 31)",
            "enum values `m.custom` and `m_custom` both give the Rust variant `MCustom`",
        ],
    ),
    case(
        "two documents that give the same Rust module (`session.yaml`, `Session.yaml`)",
        |s| {
            fs::write(s.data("api/client-server/Session.yaml"), "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nservers: [{url: x, variables: {basePath: {default: /x}}}]\n").unwrap();
            edit(
                &s.config("generator.toml"),
                "documents = [\"api/client-server/session.yaml\"]",
                "documents = [\"api/client-server/session.yaml\", \"api/client-server/Session.yaml\"]",
            );
            vec![]
        },
        &[
            "spec/generator.toml: documents `api/client-server/session.yaml` and `api/client-server/Session.yaml` both give the Rust module `session`",
        ],
    ),
    case(
        "a document whose Rust module the crate already has (`client.yaml`)",
        |s| {
            fs::rename(s.data(SESSION), s.data("api/client-server/client.yaml")).unwrap();
            edit(
                &s.config("generator.toml"),
                "api/client-server/session.yaml\"]",
                "api/client-server/client.yaml\"]",
            );
            for overlay in ["overlays/flag.yaml", "overlays/timestamp.yaml"] {
                edit(
                    &s.config(overlay),
                    "extends: api/client-server/session.yaml",
                    "extends: api/client-server/client.yaml",
                );
            }
            vec![]
        },
        &[
            "spec/generator.toml: document `api/client-server/client.yaml` gives the Rust module `client`, a name the generated crate uses itself",
        ],
    ),
    case(
        "a string format of the spec's `mx-` family without a runtime type",
        |s| {
            edit(
                &s.data(SESSION),
                "                format: mx-room-alias\n",
                "                format: mx-room-version\n",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml#/paths/~1join~1{roomIdOrAlias}/post/parameters/0/schema/oneOf/1/format (line 133, column 17)",
            "string format `mx-room-version` has no runtime type: add it to `string_formats` in spec/generator.toml",
        ],
    ),
    case(
        "map keys of an `mx-` format without a runtime type (`x-pattern-format`)",
        |s| {
            edit(
                &s.data(SESSION),
                "x-pattern-format: mx-user-id",
                "x-pattern-format: mx-device-id",
            );
            vec![]
        },
        &[
            "api/client-server/session.yaml#/paths/~1join~1{roomIdOrAlias}/post/responses/200/content/application~1json/schema/properties/members/patternProperties/^@/x-pattern-format (line 166, column 25)",
            "string format `mx-device-id` has no runtime type",
        ],
    ),
    case(
        "unsupported schema construct (`not`)",
        |s| {
            edit(
                &s.data("schemas/widget.yaml"),
                "  kind:\n    type: string\n",
                "  kind:\n    not: {type: integer}\n",
            );
            vec![]
        },
        &[
            "schemas/widget.yaml#/properties/kind/not (line 9, column 5): unsupported: schema keyword `not`",
        ],
    ),
    // --- Overlays --------------------------------------------------------------
    case(
        "overlay: unknown overlay version",
        |s| {
            edit(
                &s.config("overlays/flag.yaml"),
                "overlay: 1.0.0",
                "overlay: 2.0.0",
            );
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml:1:1: `overlay` must be a version 1.0.x or 1.1.x, found `2.0.0` (at `/overlay`)",
        ],
    ),
    case(
        "overlay: missing `actions`",
        |s| {
            let path = s.config("overlays/flag.yaml");
            let text = fs::read_to_string(&path).unwrap();
            fs::write(&path, &text[..text.find("actions:").unwrap()]).unwrap();
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml:1:1: `actions` is required (at the document root)",
        ],
    ),
    case(
        "overlay: invalid JSONPath",
        |s| {
            edit(
                &s.config("overlays/flag.yaml"),
                "$.paths['/refresh'].post",
                "$.paths['/refresh'.post",
            );
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml:7:5: action 0 (target `$.paths['/refresh'.post.requestBody.content['application/json'].schema.properties`): `target` is not a valid RFC 9535 JSONPath: at position 18",
            "(at `/actions/0/target`)",
        ],
    ),
    case(
        "overlay: target selects nothing",
        |s| {
            edit(&s.config("overlays/flag.yaml"), "'/refresh'", "'/refreshh'");
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml:7:5: action 0 (target `$.paths['/refreshh'].post.requestBody.content['application/json'].schema.properties`) selects nothing in the document (at `/actions/0/target`)",
        ],
    ),
    case(
        "overlay: `update` of a string (Overlay 1.0)",
        |s| {
            add_overlay_action(s, "  - target: $.info.title\n    update: {x: 1}\n");
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml:14:5: action 1 (target `$.info.title`) cannot be applied to node `/info/title`: the node is a string; Overlay 1.0 can only update objects and arrays",
        ],
    ),
    case(
        "overlay: `update` of an object with a number",
        |s| {
            add_overlay_action(s, "  - target: $.info\n    update: 42\n");
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml:15:5: action 1 (target `$.info`) cannot be applied to node `/info`: the node is an object, so the update must be an object, found a number (overlay value at `/actions/1/update`)",
        ],
    ),
    case(
        "overlay: the same field added twice",
        |s| {
            add_overlay_action(
                s,
                "  - target: \"$.paths['/refresh'].post.requestBody.content['application/json'].schema.properties\"\n    update:\n      org.example.lifetime_ms:\n        type: string\n",
            );
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml:17:9: action 1 (target `$.paths['/refresh'].post.requestBody.content['application/json'].schema.properties`)",
            "cannot be applied to node `/paths/~1refresh/post/requestBody/content/application~1json/schema/properties/org.example.lifetime_ms/type`: overlay {root}/spec/overlays/flag.yaml action 0 added the field `/paths/~1refresh/post/requestBody/content/application~1json/schema/properties/org.example.lifetime_ms`, which this would change; add each field once (overlay value at `/actions/1/update/org.example.lifetime_ms/type`)",
        ],
    ),
    case(
        "overlay: unknown key in an action",
        |s| {
            edit(
                &s.config("overlays/flag.yaml"),
                "    update:\n",
                "    updates:\n",
            );
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml:8:5: action 0 (target `$.paths['/refresh'].post.requestBody.content['application/json'].schema.properties`): unknown field `updates`; allowed here: `target`, `description`, `update`, `remove` and `x-` extensions (at `/actions/0/updates`)",
        ],
    ),
    case(
        "overlay: unknown top-level key",
        |s| {
            edit(&s.config("overlays/flag.yaml"), "extends:", "extend:");
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml:5:1: unknown field `extend`",
            "(at `/extend`)",
        ],
    ),
    case(
        "overlay: `extends` names a file the spec does not have",
        |s| {
            edit(
                &s.config("overlays/flag.yaml"),
                "extends: api/client-server/session.yaml",
                "extends: api/client-server/sessions.yaml",
            );
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml: `extends: api/client-server/sessions.yaml`: cannot read spec file api/client-server/sessions.yaml",
        ],
    ),
    case(
        "overlay: YAML syntax error",
        |s| {
            edit(
                &s.config("overlays/flag.yaml"),
                "        minimum: 0\n",
                "        minimum: 0\n       - x\n",
            );
            vec![]
        },
        &[
            "overlay {root}/spec/overlays/flag.yaml:12:8: YAML syntax error: while parsing a block mapping, did not find expected key",
        ],
    ),
    // --- Project config --------------------------------------------------------
    case(
        "config: an event envelope without `type` and `content`",
        |s| {
            add_events(
                s,
                "[events.enums]\nAnyBasic = [\"basic\"]\n[events.envelopes]\n\"schemas/widget.yaml\" = \"AnyBasic\"\n",
            );
            vec![]
        },
        &[
            "caused by: schemas/widget.yaml# (line 1, column 1): an event envelope (`[events.envelopes]` in spec/generator.toml) needs the properties `type` and `content`",
        ],
    ),
    case(
        "config: an envelope's enum that `[events.enums]` does not have",
        |s| {
            add_events(
                s,
                "[events.enums]\nAnyBasic = [\"basic\"]\n[events.envelopes]\n\"schemas/widget.yaml\" = \"AnyBasics\"\n",
            );
            vec![]
        },
        &[
            "caused by: spec/generator.toml: `[events.envelopes]` entry `schemas/widget.yaml`: `AnyBasics` is no enum of `[events.enums]`",
        ],
    ),
    case(
        "config: a content place that matches no place",
        |s| {
            add_events(
                s,
                "[events.enums]\nAnyBasic = [\"basic\"]\n[[events.content_places]]\nplace = \"api/client-server/session.yaml#/nowhere\"\ncontent = \"AnyBasic\"\nreason = \"a test\"\n",
            );
            vec![]
        },
        &[
            "caused by: spec/generator.toml: `[[events.content_places]]` entry `api/client-server/session.yaml#/nowhere` matches no place that references an envelope of `[events.envelopes]`; fix or remove it",
        ],
    ),
    case(
        "config: a kind of event in no enum",
        |s| {
            add_events(s, "[events.enums]\nAnyTag = [\"m.tag\"]\n");
            vec![]
        },
        &[
            "caused by: spec/generator.toml: the basic events are in no enum of `[events.enums]`: add the kind `basic` to one (or make one for it)",
        ],
    ),
    case(
        "project event schema file missing",
        |s| {
            add_project_event(s, None);
            vec![]
        },
        &[
            "caused by: {root}/spec/generator.toml: `events.project.schemas` entry `events/org.example.msc1234.board.yaml`: cannot read {root}/spec/events/org.example.msc1234.board.yaml: No such file or directory",
        ],
    ),
    case(
        "a `$ref` in a project event schema that resolves nowhere",
        |s| {
            add_project_event(
                s,
                Some(&PROJECT_EVENT.replace("core/event.yaml", "core/evnt.yaml")),
            );
            vec![]
        },
        &[
            "project:events/org.example.msc1234.board.yaml#/allOf/0 (line 3, column 5): cannot follow $ref `core/evnt.yaml`: cannot read spec file event-schemas/schema/core/evnt.yaml",
        ],
    ),
    case(
        "YAML syntax error in a project event schema",
        |s| {
            add_project_event(
                s,
                Some(&PROJECT_EVENT.replace("type: object\n", "type: object: yes\n")),
            );
            vec![]
        },
        &[
            "caused by: project:events/org.example.msc1234.board.yaml:6:17: YAML syntax error: mapping values are not allowed in this context",
        ],
    ),
    case(
        "a project event schema standing where the spec has a file",
        |s| {
            add_project_event(s, Some(PROJECT_EVENT));
            let path = s.config("generator.toml");
            let config = fs::read_to_string(&path).unwrap();
            fs::write(
                path,
                config.replace(
                    "msc1234.board.yaml\"]",
                    "msc1234.board.yaml\", \"events/m.tag.yaml\"]",
                ),
            )
            .unwrap();
            fs::copy(
                s.config("events/org.example.msc1234.board.yaml"),
                s.config("events/m.tag.yaml"),
            )
            .unwrap();
            vec![]
        },
        &[
            "project file project:events/m.tag.yaml would stand at event-schemas/schema/m.tag.yaml, where the spec has a file of its own",
        ],
    ),
    case(
        "config: overlay file missing",
        |s| {
            edit(
                &s.config("generator.toml"),
                "overlays/flag.yaml",
                "overlays/flags.yaml",
            );
            vec![]
        },
        &["cannot read overlay {root}/spec/overlays/flags.yaml"],
    ),
    case(
        "config: unknown key in generator.toml",
        |s| {
            edit(
                &s.config("generator.toml"),
                "secret_properties",
                "secret_propertys",
            );
            vec![]
        },
        &[
            "{root}/spec/generator.toml: TOML parse error at line 3, column 1",
            "unknown field `secret_propertys`",
        ],
    ),
    Case {
        about_pin: true,
        ..case(
            "config: pin.toml is not TOML",
            |s| {
                edit(&s.config("pin.toml"), "tag = ", "tag == ");
                vec![]
            },
            &[
                "error: cannot parse pin file `{root}/spec/pin.toml`",
                "TOML parse error at line 2, column",
            ],
        )
    },
    // --- The pin ---------------------------------------------------------------
    Case {
        about_pin: true,
        ..case(
            "spec content differs from the pin (no --update-pin)",
            |s| {
                edit(
                    &s.data("schemas/widget.yaml"),
                    "description: A widget.",
                    "description: A gadget.",
                );
                vec![]
            },
            &[
                "error: the spec at `{spec}` differs from the pinned v0.0-fixture",
                "run `cargo xtask gen --spec {spec} --update-pin <TAG>`",
            ],
        )
    },
    // --- A failure after the crate was generated in memory ---------------------
    Case {
        file_size_limit: Some(4096),
        ..case(
            "writing generated/ fails midway (file size limit: `File too large`)",
            |s| {
                edit(
                    &s.data("schemas/widget.yaml"),
                    "description: A widget.",
                    "description: A gadget.",
                );
                vec![]
            },
            &[
                "error: cannot write `{root}/.generated.tmp-",
                "caused by: File too large",
            ],
        )
    },
];

/// Runs `args` as the case says and checks the failure; returns stderr,
/// or what is wrong.
fn fails_cleanly(
    s: &Scratch,
    case: &Case,
    args: &[OsString],
    expect: &[String],
) -> Result<String, String> {
    let before = snapshot(s.tmp.path());
    let out = match case.file_size_limit {
        None => s.run(args),
        // `ulimit -f` counts 512-byte blocks. SIGXFSZ ignored (which exec
        // keeps) turns the kill at the limit into an EFBIG write error.
        Some(bytes) => Command::new("sh")
            .args([
                "-c",
                "trap '' XFSZ; ulimit -f \"$1\"; shift; exec \"$@\"",
                "sh",
            ])
            .arg((bytes / 512).to_string())
            .arg(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .current_dir(&s.root)
            .env("CARGO_MANIFEST_DIR", s.root.join("xtask"))
            .env_remove("MATRIX_SPEC_DIR")
            .output()
            .unwrap(),
    };
    let stderr = text(&out.stderr);
    let mut problems = Vec::new();
    if out.status.code() != Some(1) {
        problems.push(format!("exit status {:?}, not 1", out.status.code()));
    }
    if !stderr.starts_with("error: ") {
        problems.push("stderr does not start with `error: `".to_owned());
    }
    if stderr.contains("panicked") {
        problems.push("it panicked".to_owned());
    }
    for want in expect {
        if !stderr.contains(want.as_str()) {
            problems.push(format!("stderr lacks {want:?}"));
        }
    }
    if snapshot(s.tmp.path()) != before {
        problems.push("the scratch project changed".to_owned());
    }
    if problems.is_empty() {
        Ok(stderr)
    } else {
        Err(format!(
            "{}: {}\n--- stderr:\n{stderr}",
            case.input,
            problems.join("; ")
        ))
    }
}

#[test]
fn every_bad_input_fails_cleanly_and_changes_nothing() {
    let mut failures = Vec::new();
    for case in CASES {
        let s = Scratch::new();
        let generated = snapshot(&s.root.join("generated"));
        let extra = (case.edit)(&s);
        if !case.about_pin {
            s.repin();
        }
        let tmp = s.tmp.path().display().to_string();
        let fill = |t: &str| {
            t.replace("{tmp}", &tmp)
                .replace("{spec}", &s.spec.display().to_string())
                .replace("{root}", &s.root.display().to_string())
        };
        let expect: Vec<String> = case.expect.iter().map(|t| fill(t)).chain(extra).collect();
        let plain: Vec<OsString> = vec!["gen".into(), "--spec".into(), (case.spec)(&s).into()];
        match fails_cleanly(&s, case, &plain, &expect) {
            Ok(stderr) => eprintln!("## {}\n{}", case.input, stderr.replace(&tmp, "<tmp>")),
            Err(problem) => failures.push(problem),
        }
        if !case.about_pin {
            // Accepting the edited spec changes nothing either: the previous
            // pin is restored.
            let mut update = plain.clone();
            update.extend(["--update-pin".into(), "v0.0-edited".into()]);
            if let Err(problem) = fails_cleanly(&s, case, &update, &expect) {
                failures.push(format!("with --update-pin: {problem}"));
            }
        }
        if snapshot(&s.root.join("generated")) != generated {
            failures.push(format!("{}: generated/ changed", case.input));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n\n")
    );
}
