//! The project's generation config: `spec/generator.toml`.
//!
//! It says which spec documents become the client, which overlays apply,
//! which schemas the runtime crate provides by hand, and which properties
//! hold credentials.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Why the config could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this config.
    #[error("{path}: {source}")]
    Parse {
        /// The config file.
        path: PathBuf,
        /// What is wrong, with line and column.
        source: Box<toml::de::Error>,
    },
    /// A value is well-formed but not acceptable.
    #[error("{path}: {message}")]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// `spec/generator.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The generated crate's package metadata.
    #[serde(rename = "crate")]
    pub krate: CrateConfig,
    /// The OpenAPI documents whose operations are generated, relative to the
    /// spec's `data/` folder. Each becomes one module. An entry `dir/*.yaml`
    /// stands for every `.yaml` file directly in `dir` (see
    /// [`Config::expand_documents`]), so a spec release that adds or removes
    /// a document needs no config change.
    pub documents: Vec<String>,
    /// Overlay files applied in order, relative to the config's folder.
    #[serde(default)]
    pub overlays: Vec<String>,
    /// Schemas for which the runtime crate has a hand-written type.
    #[serde(default)]
    pub known_types: Vec<KnownType>,
    /// Property and parameter names whose string values are credentials:
    /// they are redacted in `Debug` output of every generated type.
    #[serde(default)]
    pub secret_properties: Vec<String>,
    /// Security scheme names the spec uses without defining them, with the
    /// authentication to generate for them. `gen` fails when an entry is
    /// no longer needed, so it cannot outlive the spec gap it covers.
    #[serde(default)]
    pub undefined_security_schemes: Vec<UndefinedSecurityScheme>,
    /// Spec files (relative to `data/`, `*` matching any text) whose schema,
    /// wherever it is referenced, is carried as the runtime's `Raw<T>`: the
    /// JSON as received, parsed on demand. For events, which servers relay
    /// from others and filters strip (`event_fields`), so one event that
    /// does not fit its schema cannot fail a whole response. A
    /// `file#pointer` pattern names one place instead: the schema there,
    /// referenced or written out inline (an event shape an overlay adds).
    #[serde(default)]
    pub raw_schemas: Vec<String>,
    /// Spec files (relative to `data/`, `*` matching any text) whose
    /// object schemas' other properties (`additionalProperties`) hold
    /// credentials, such as the stage-dependent keys of user-interactive
    /// authentication data: `Debug` shows their names, never their values.
    #[serde(default)]
    pub secret_additional_properties: Vec<String>,
    /// Integer properties and parameters that are durations or timestamps,
    /// by explicit rule (not by a name's suffix): each gives the Rust type
    /// and why. `gen` fails when a rule matches nothing, when two rules
    /// match one value, and when an integer looks like a time (its name
    /// ends in `_ms`/`_ts`, or its description speaks of milliseconds,
    /// seconds or a timestamp) but no rule says what it is.
    #[serde(default)]
    pub time_rules: Vec<TimeRule>,
    /// Set (never read from the file) when building an older release than
    /// the config is written for (the change report's old side): a time
    /// rule that matches nothing there names a value added later, like an
    /// overlay that does not fit, and is not an error.
    #[serde(skip)]
    pub older_release: bool,
    /// Names for generated types whose derived name is poor, by the
    /// schema's location. `gen` fails when an entry names no generated
    /// type, so it cannot outlive the schema it names.
    #[serde(default)]
    pub type_names: Vec<TypeName>,
    /// String formats (`format`, and `x-pattern-format` on a map's keys)
    /// generated as a runtime type, by the format's name in
    /// `data/string-formats.yaml` (e.g. `mx-user-id = "UserId"`). An
    /// `mx-*` format not listed fails `gen`, as does an entry no schema
    /// uses; other formats (`uri`, `int64`) keep their JSON type.
    #[serde(default)]
    pub string_formats: BTreeMap<String, String>,
    /// `oneOf`s of string formats only, each as one runtime type (a room
    /// ID or alias): identifier types accept any received string, so an
    /// untagged enum of them could not tell the members apart.
    #[serde(default)]
    pub string_format_unions: Vec<StringFormatUnion>,
    /// The path parameters an MXC URI fills: operations with both get a
    /// `from_mxc` constructor.
    #[serde(default)]
    pub mxc_path_parameters: Option<MxcPathParameters>,
    /// The event schemas that become typed event contents (module
    /// `events`), and their examples.
    #[serde(default)]
    pub events: Option<EventsConfig>,
    /// The operations that send an event content, each given a typed
    /// `with_content` constructor, and where each kind of content may be
    /// sent (`[event_sending]`; needs `[events]`).
    #[serde(default)]
    pub event_sending: Option<EventSendingConfig>,
}

/// `[event_sending]`: typed sending of event contents.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSendingConfig {
    /// Where the contents of each kind may be sent: they implement the
    /// runtime's marker trait of each place.
    pub places: KindPlaces,
    /// The operations that send a content.
    pub operations: Vec<SendingOperation>,
}

/// The places contents of each kind may be sent to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindPlaces {
    /// State events.
    pub state: Vec<SendPlace>,
    /// Room events that are not state.
    pub room: Vec<SendPlace>,
    /// Basic events (only `type` and `content`), by where they arrive
    /// (the names of `[events.basic]`): a basic content may be sent to
    /// the places of each place it arrives in.
    #[serde(default)]
    pub basic: BTreeMap<String, Vec<SendPlace>>,
    /// Why: shown nowhere, but required so the choice is explained.
    pub reason: String,
}

/// A place an event content may be sent to: a marker trait of the runtime
/// (runtime/src/sending.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SendPlace {
    /// A room's timeline, not as state: `MessageLikeEventContent`.
    MessageLike,
    /// A room's state: `StateEventContent`.
    State,
    /// Account data: `AccountDataEventContent`.
    AccountData,
    /// Devices: `ToDeviceEventContent`.
    ToDevice,
}

impl SendPlace {
    /// The runtime's marker trait of the place.
    pub fn trait_name(self) -> &'static str {
        match self {
            SendPlace::MessageLike => "MessageLikeEventContent",
            SendPlace::State => "StateEventContent",
            SendPlace::AccountData => "AccountDataEventContent",
            SendPlace::ToDevice => "ToDeviceEventContent",
        }
    }

    /// The place as the config writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SendPlace::MessageLike => "message-like",
            SendPlace::State => "state",
            SendPlace::AccountData => "account-data",
            SendPlace::ToDevice => "to-device",
        }
    }
}

/// An operation that sends an event content of a type its path names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendingOperation {
    /// The spec's `operationId`.
    pub operation: String,
    /// The path parameter (its name in the spec) that is the event type.
    pub event_type: String,
    /// Where in the request the content goes: `body` (the body is the
    /// content), or `body/` and a path into it, each step a property
    /// (required, so the body's constructor takes it) or `*` (each value
    /// of a map): `body/messages/*/*`.
    pub content: String,
    /// Where the content is sent: the constructor takes only contents that
    /// implement this place's marker trait.
    pub place: SendPlace,
    /// Why: shown nowhere, but required so the choice is explained.
    pub reason: String,
}

/// `[events]`: the spec's event schemas.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsConfig {
    /// Event schema files, relative to `data/`; `dir/*.yaml` stands for
    /// every `.yaml` file directly in `dir`, as in `documents`. A file
    /// another one references (a part, not an event) is no event.
    pub schemas: Vec<String>,
    /// Example events (JSON with `$ref` bases), for the round-trip tests;
    /// patterns as in `schemas`.
    #[serde(default)]
    pub examples: Vec<String>,
    /// The kind of event each core schema makes, by the core schema's file
    /// (relative to `data/`): an event schema's kind is that of the core
    /// schema its `allOf` extends.
    pub kinds: BTreeMap<String, EventKindName>,
    /// Enums of event contents (module `events`), by name: the event kinds
    /// (`state`, `room`, `basic`) and event types (`*` matching any text)
    /// each has a variant for. Every kind of `kinds` must be in one.
    #[serde(default)]
    pub enums: BTreeMap<String, Vec<String>>,
    /// Event envelopes (an event's schema around its `type` and `content`)
    /// generic over their content, by schema (`file`, or `file#pointer`
    /// for one written inline) → the enum of `enums` they hold by default.
    #[serde(default)]
    pub envelopes: BTreeMap<String, String>,
    /// Places that hold an envelope with another enum than its default.
    #[serde(default)]
    pub content_places: Vec<ContentPlace>,
    /// Where basic events arrive (the schemas say only `basic`), by a name
    /// that `enums` and `[event_sending.places.basic]` use: the event
    /// types (`*` matching any text) that arrive there. Every basic event
    /// type must be in one.
    #[serde(default)]
    pub basic: BTreeMap<String, BasicPlace>,
    /// Event schemas (and examples) of the project's own, beside the
    /// config rather than in the spec: an MSC's new event type.
    #[serde(default)]
    pub project: Option<ProjectEventsConfig>,
}

/// `[events.project]`: event schema files of the project's own. Each
/// stands in a folder of the spec's tree (`schemas_in`): its relative
/// `$ref`s resolve from there, so it is written like a spec file of that
/// folder (`$ref: core-event-schema/state_event.yaml`) and can move into
/// the spec unchanged once its MSC lands. Errors and docs name it
/// `project:` and its path relative to the config's folder. After
/// [`Config::expand_project_files`], `schemas` and `examples` of
/// [`EventsConfig`] list these files too, by those names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectEventsConfig {
    /// Event schema files, relative to the config's folder; `dir/*.yaml`
    /// stands for every `.yaml` file directly in `dir`.
    pub schemas: Vec<String>,
    /// The spec's folder (relative to `data/`) the schemas stand in, e.g.
    /// `event-schemas/schema`.
    pub schemas_in: String,
    /// Example events, as `schemas`.
    #[serde(default)]
    pub examples: Vec<String>,
    /// The spec's folder the examples stand in (needed with `examples`),
    /// e.g. `event-schemas/examples`.
    #[serde(default)]
    pub examples_in: Option<String>,
}

/// A file of the project's own, as [`Config::expand_project_files`] finds
/// it (see [`crate::load::SpecFiles::add_project_file`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    /// `project:` and its path relative to the config's folder.
    pub name: String,
    /// Where it is read from.
    pub source: PathBuf,
    /// Where it stands in the spec's tree, relative to `data/`.
    pub place: String,
}

/// `[events.basic.<name>]`: the basic event types that arrive in one place
/// (account data, ephemeral events, to-device messages, ...).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicPlace {
    /// Event types, `*` matching any text.
    pub event_types: Vec<String>,
    /// Why (the spec's prose that says so): shown nowhere, but required.
    pub reason: String,
}

/// `[[events.content_places]]`: where an envelope holds another enum.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentPlace {
    /// The place that `$ref`s the envelope, `file#pointer` (as the
    /// generated docs and `gen` errors write it); `*` matches any text.
    pub place: String,
    /// The enum of `[events.enums]` the envelope holds there.
    pub content: String,
    /// Why: shown nowhere, but required so the choice is explained.
    pub reason: String,
}

/// The kinds of event, by the core schema they extend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKindName {
    /// A state event (`state_key`).
    State,
    /// A room event that is not state (a message, a reaction, ...).
    Room,
    /// Only `type` and `content`: account data, ephemeral and to-device
    /// events (the schema does not say which).
    Basic,
}

impl EventKindName {
    /// Every kind.
    pub const ALL: [EventKindName; 3] = [
        EventKindName::State,
        EventKindName::Room,
        EventKindName::Basic,
    ];

    /// The kind as the config writes it (`state`, `room`, `basic`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKindName::State => "state",
            EventKindName::Room => "room",
            EventKindName::Basic => "basic",
        }
    }
}

/// Which integer properties or parameters are times, and of which kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeRule {
    /// The property or parameter name as on the wire; `*` matches any text.
    pub name: String,
    /// Only where the property or parameter is defined in a spec file
    /// matching this pattern (relative to `data/`, `*` matching any text).
    #[serde(default)]
    pub file: Option<String>,
    /// Only object properties, or only parameters in this location.
    #[serde(default, rename = "in")]
    pub place: Option<TimePlace>,
    /// What the integer is.
    #[serde(rename = "type")]
    pub kind: TimeKind,
    /// Why: shown nowhere, but required so the choice is explained.
    pub reason: String,
}

impl TimeRule {
    /// Whether the rule covers the value `name` defined in `file` at `place`.
    pub fn matches(&self, name: &str, file: &str, place: TimePlace) -> bool {
        matches_pattern(&self.name, name)
            && self
                .file
                .as_deref()
                .is_none_or(|pattern| matches_pattern(pattern, file))
            && self.place.is_none_or(|wanted| wanted == place)
    }
}

/// Where a value a [`TimeRule`] covers is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimePlace {
    /// A property of an object schema (a body, a response, a definition).
    Property,
    /// A path parameter.
    Path,
    /// A query parameter.
    Query,
    /// A header parameter.
    Header,
}

/// What an integer a [`TimeRule`] covers is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeKind {
    /// A duration in integer milliseconds: `std::time::Duration`. A `_ms`
    /// suffix is dropped from the Rust name (the type carries the unit).
    DurationMs,
    /// A duration in integer seconds: `std::time::Duration`.
    DurationSecs,
    /// Milliseconds since the Unix epoch: the runtime's `Timestamp`. A
    /// `_ms` suffix is dropped from the Rust name.
    TimestampMs,
    /// A plain integer after all (for a value the "looks like a time"
    /// check would otherwise stop).
    Integer,
}

/// A name for the type of one schema (or of the shared type it is merged
/// into).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeName {
    /// The schema's location, `file#/json/pointer` with the file relative
    /// to `data/`, as the generated docs and `gen` errors write it.
    pub schema: String,
    /// The Rust type name.
    pub name: String,
    /// Why the derived name is not good enough: required so the choice is
    /// explained.
    pub reason: String,
}

/// A `oneOf` of string formats generated as one runtime type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StringFormatUnion {
    /// The members' formats, in any order.
    pub formats: Vec<String>,
    /// The runtime type.
    pub rust: String,
}

/// The path parameters (wire names) an MXC URI's parts fill.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MxcPathParameters {
    /// The parameter of the server name, e.g. `serverName`.
    pub server_name: String,
    /// The parameter of the media ID, e.g. `mediaId`.
    pub media_id: String,
}

/// `entries` with each `dir/*.yaml` replaced by the `.yaml` files directly
/// in `base_dir/dir` (the spec's `data/`, or the config's folder for the
/// project's own files), sorted by name (`key` names the list in errors).
fn expand_patterns(
    entries: &[String],
    key: &str,
    base_dir: &Path,
    config_path: &Path,
) -> Result<Vec<String>, ConfigError> {
    let mut expanded = Vec::new();
    for entry in entries {
        let Some(dir) = entry.strip_suffix("/*.yaml") else {
            expanded.push(entry.clone());
            continue;
        };
        let full = base_dir.join(dir);
        let read = std::fs::read_dir(&full).map_err(|source| ConfigError::Invalid {
            path: config_path.to_path_buf(),
            message: format!(
                "`{key}` pattern `{entry}`: cannot list {}: {source}",
                full.display()
            ),
        })?;
        let mut names: Vec<String> = read
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|name| name.ends_with(".yaml"))
            .collect();
        if names.is_empty() {
            return Err(ConfigError::Invalid {
                path: config_path.to_path_buf(),
                message: format!("`{key}` pattern `{entry}` matches no file"),
            });
        }
        names.sort();
        expanded.extend(names.into_iter().map(|name| format!("{dir}/{name}")));
    }
    if has_duplicates(&expanded) {
        return Err(ConfigError::Invalid {
            path: config_path.to_path_buf(),
            message: format!("`{key}` names a file twice (directly and through a pattern?)"),
        });
    }
    Ok(expanded)
}

/// The project's own files of the list `key` (`entries`, relative to the
/// config's folder, patterns expanded), each standing in the spec's folder
/// `folder`.
fn project_files(
    entries: &[String],
    key: &str,
    folder: Option<&str>,
    config_path: &Path,
) -> Result<Vec<ProjectFile>, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        path: config_path.to_path_buf(),
        message,
    };
    let config_dir = config_path.parent().unwrap_or(Path::new(""));
    let mut files = Vec::new();
    for entry in expand_patterns(entries, key, config_dir, config_path)? {
        let Some(folder) = folder else {
            return Err(invalid(format!(
                "`{key}` needs `{key}_in`: the spec's folder its files stand in"
            )));
        };
        let source = config_dir.join(&entry);
        let is_file = std::fs::metadata(&source).and_then(|metadata| {
            if metadata.is_file() {
                Ok(())
            } else {
                Err(std::io::Error::other("not a file"))
            }
        });
        if let Err(error) = is_file {
            return Err(invalid(format!(
                "`{key}` entry `{entry}`: cannot read {}: {error}",
                source.display()
            )));
        }
        let file_name = entry.rsplit('/').next().unwrap_or(&entry);
        files.push(ProjectFile {
            name: format!("{}{entry}", crate::load::PROJECT_PREFIX),
            source,
            place: format!("{}/{file_name}", folder.trim_end_matches('/')),
        });
    }
    Ok(files)
}

/// Whether `path` is a relative path that stays inside its base folder.
fn stays_inside(path: &str) -> bool {
    !path.is_empty() && !path.starts_with('/') && !path.split('/').any(|part| part == "..")
}

fn has_duplicates(documents: &[String]) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    !documents.iter().all(|document| seen.insert(document))
}

/// Whether `file` matches `pattern`, in which `*` matches any text.
pub fn matches_pattern(pattern: &str, file: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = file.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (index, part) in parts.iter().enumerate() {
        if index == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// How to treat a security scheme the spec names but does not define.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UndefinedSecurityScheme {
    /// The scheme name as the spec's `security` list writes it.
    pub name: String,
    /// The authentication to generate instead.
    pub auth: AuthChoice,
    /// Why: shown nowhere, but required so the choice is explained.
    pub reason: String,
}

/// An authentication choice in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthChoice {
    /// Never send a token.
    None,
    /// Send the access token when the client has one.
    OptionalAccessToken,
    /// Require the access token.
    AccessToken,
}

/// Package metadata of the generated crate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrateConfig {
    /// Package name.
    pub name: String,
    /// Package version.
    pub version: String,
    /// One-line description.
    pub description: String,
    /// The source repository's URL (`repository` in Cargo.toml).
    #[serde(default)]
    pub repository: Option<String>,
    /// Where the crate's documentation is (`documentation` in Cargo.toml),
    /// e.g. `https://docs.rs/<name>`.
    #[serde(default)]
    pub documentation: Option<String>,
    /// How the crate depends on `matrix-csapi-runtime`.
    #[serde(default)]
    pub runtime: RuntimeDependency,
    /// Whether the crate may be published (`publish = false` when not).
    #[serde(default = "yes")]
    pub publish: bool,
}

fn yes() -> bool {
    true
}

/// The generated crate's dependency on the runtime crate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeDependency {
    /// The runtime's folder, relative to the generated crate's.
    pub path: String,
    /// The version requirement beside the path, which a published crate
    /// needs (the registry has no paths); without it the crate cannot be
    /// packaged.
    #[serde(default)]
    pub version: Option<String>,
}

impl Default for RuntimeDependency {
    fn default() -> Self {
        RuntimeDependency {
            path: "../runtime".to_owned(),
            version: None,
        }
    }
}

/// A schema replaced by a runtime type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownType {
    /// The schema file, relative to the spec's `data/` folder (optionally
    /// with a `#/pointer`).
    pub schema: String,
    /// The type's path inside the runtime crate, e.g. `ErrorBody`.
    pub rust: String,
    /// Whether this is an error body the runtime recognises on every
    /// endpoint (the standard Matrix error; user-interactive auth on a
    /// `401`), so a documented status with it needs no endpoint-specific
    /// error variant.
    #[serde(default)]
    pub runtime_error: bool,
}

impl Config {
    /// Replaces each `dir/*.yaml` entry of `documents` (and of `[events]`
    /// `schemas` and `examples`) with the `.yaml`
    /// files directly in `data_dir/dir`, sorted by name. `config_path` is
    /// used in errors.
    pub fn expand_documents(
        &mut self,
        data_dir: &Path,
        config_path: &Path,
    ) -> Result<(), ConfigError> {
        self.documents = expand_patterns(&self.documents, "documents", data_dir, config_path)?;
        if let Some(events) = &mut self.events {
            events.schemas =
                expand_patterns(&events.schemas, "events.schemas", data_dir, config_path)?;
            events.examples =
                expand_patterns(&events.examples, "events.examples", data_dir, config_path)?;
        }
        Ok(())
    }

    /// Expands the patterns of `[events.project]` (relative to the config's
    /// folder, the folder of `config_path`), checks that each file is
    /// there, and adds the files to `[events]` `schemas` and `examples` by
    /// their names (`project:...`). Returns them, for
    /// [`crate::load::SpecFiles::add_project_file`]. Run after
    /// [`Config::expand_documents`].
    pub fn expand_project_files(
        &mut self,
        config_path: &Path,
    ) -> Result<Vec<ProjectFile>, ConfigError> {
        let Some(events) = &mut self.events else {
            return Ok(Vec::new());
        };
        let Some(project) = &events.project else {
            return Ok(Vec::new());
        };
        let schemas = project_files(
            &project.schemas,
            "events.project.schemas",
            Some(&project.schemas_in),
            config_path,
        )?;
        let examples = project_files(
            &project.examples,
            "events.project.examples",
            project.examples_in.as_deref(),
            config_path,
        )?;
        events
            .schemas
            .extend(schemas.iter().map(|f| f.name.clone()));
        events
            .examples
            .extend(examples.iter().map(|f| f.name.clone()));
        Ok(schemas.into_iter().chain(examples).collect())
    }

    /// The spec files references are resolved from: the documents, the
    /// event schemas and, with `with_examples`, the example events.
    pub fn resolve_roots(&self, with_examples: bool) -> Vec<String> {
        let mut roots = self.documents.clone();
        if let Some(events) = &self.events {
            roots.extend(events.schemas.iter().cloned());
            if with_examples {
                roots.extend(events.examples.iter().cloned());
            }
        }
        roots
    }

    /// Reads and checks `path`.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses config text; `path` is used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source: Box::new(source),
        })?;
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if config.documents.is_empty() {
            return Err(invalid("`documents` lists no spec documents".to_owned()));
        }
        for doc in &config.documents {
            if doc.starts_with('/') || doc.split('/').any(|part| part == "..") {
                return Err(invalid(format!(
                    "document `{doc}` must be a path inside the spec's data/ folder"
                )));
            }
        }
        if has_duplicates(&config.documents) {
            return Err(invalid("`documents` lists a document twice".to_owned()));
        }
        if let Some(project) = config.events.as_ref().and_then(|e| e.project.as_ref()) {
            let mut paths = project.schemas.iter().chain(&project.examples);
            if let Some(path) = paths.find(|path| !stays_inside(path)) {
                return Err(invalid(format!(
                    "`[events.project]` file `{path}` must be a path inside the config's folder"
                )));
            }
            let mut folders = std::iter::once(&project.schemas_in).chain(&project.examples_in);
            if let Some(folder) = folders.find(|folder| !stays_inside(folder)) {
                return Err(invalid(format!(
                    "`[events.project]` folder `{folder}` must be a path inside the spec's data/ folder"
                )));
            }
        }
        for entry in &config.type_names {
            let is_type_name = entry.name.starts_with(|c: char| c.is_ascii_uppercase())
                && entry.name.chars().all(|c| c.is_ascii_alphanumeric());
            if !is_type_name {
                return Err(invalid(format!(
                    "`type_names` entry for `{}`: `{}` is not an UpperCamelCase Rust type name",
                    entry.schema, entry.name
                )));
            }
            if entry.reason.trim().is_empty() {
                return Err(invalid(format!(
                    "`type_names` entry for `{}` gives no reason",
                    entry.schema
                )));
            }
        }
        Ok(config)
    }
}
