//! OpenAPI Overlay documents (versions 1.0 and 1.1) applied to loaded files.
//!
//! An [`Overlay`] is validated up front by [`Overlay::from_value`], so every
//! structural problem (unknown keys, wrong types, a JSONPath that does not
//! parse) is reported with the overlay file and the JSON pointer of the bad
//! value before anything is applied. [`Overlay::apply`] then runs the actions
//! in order, each on the result of the previous one.
//!
//! Semantics, following the standard:
//!
//! - `remove: true` removes every selected node from its parent. When both
//!   `remove: true` and `update` (or `copy`) are present, remove wins, as the
//!   standard says `update` "has no impact" then. Removing the root is an error.
//! - `update` merges into each selected node: into an object, key by key and
//!   recursively (objects merge, arrays concatenate, primitives replace); into
//!   an array, an array value is concatenated and any other value appended as
//!   one element; a primitive node is replaced in 1.1 and is an error in 1.0,
//!   which only defines updates of objects and arrays. Inside a merge, a type
//!   clash (say an object over a string) is an error in 1.1 (the standard calls
//!   it incompatible) and a replacement in 1.0 (whose text only says same-named
//!   properties are replaced).
//! - `copy` (1.1) must select exactly one node in the document as it stands
//!   before the action; that node's value is then used exactly like `update`.
//!   If `update` is also present, `update` wins, as the standard says.
//! - A node selected more than once by one target is changed once.
//!
//! A target that selects nothing is a no-op in [`Strictness::Standard`] and an
//! error in [`Strictness::RequireMatch`]. So, in that mode, is an update that
//! replaces a value in a field (an object key) that an earlier action added,
//! whichever node it targets: the standard lets the later value win, which
//! silently drops part of the first definition. New keys and array items may
//! still extend an added field; they lose nothing.
//!
//! JSONPath queries (`target` and `copy`) are RFC 9535, with one leniency: a
//! query that does not parse as written is retried with dotted member names
//! that contain `-` (such as `$.paths.*.get[?@.x-oai-traits.paged]`, as in the
//! standard's own examples) in bracket notation (`@['x-oai-traits']`); a query
//! that parses as written is used exactly as written. A name must still start
//! with a letter, `_` or a non-ASCII character, text in quotes is never
//! changed, and if the rewritten query fails too, the error is the one for the
//! query as written.
//!
//! Overlays are trusted project files, but a mistake in one must end in an
//! error, not in a hang or an exhausted machine, so a few bounds apply (each
//! far above what real overlays use; the constants explain why): a query may
//! nest brackets and parentheses [`MAX_QUERY_NESTING`] levels, contain
//! [`MAX_DESCENDANT_SEGMENTS`] `..` and multiply its selector lists to
//! [`MAX_SELECTOR_COMBINATIONS`]; it may select [`MAX_SELECTED`] nodes; an
//! overlay may add [`MAX_ADDED_SIZE`] to a document and not nest it deeper
//! than [`yaml::MAX_DEPTH`]. `match()` and `search()` compile each pattern
//! once, within a size limit.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use regex::{Regex, RegexBuilder};
use serde_json::{Map, Value};
use serde_json_path::JsonPath;
use serde_json_path::functions::{LogicalType, ValueType};

use crate::yaml::{self, YamlError};

/// How much the actions of one [`Overlay::apply`] may add to a document in
/// total, counted like [`yaml::MAX_ALIAS_SIZE`]: each node is 1 plus the
/// bytes of its text (strings and keys), and an update or copy counts once
/// per node it is applied to.
///
/// Without a bound, `copy` doubles a node per action (`target: $.a, copy:
/// $.a` on an array), so forty short actions would need a trillion nodes.
/// A million is far above any real overlay and far below what would hurt.
pub const MAX_ADDED_SIZE: usize = 1_000_000;

/// How many nodes one `target` or `copy` query may select.
///
/// Each selected node is held as its path from the root, up to
/// [`yaml::MAX_DEPTH`] steps: a `$..*` over a document that aliases wide
/// arrays 250 levels deep selects half a million nodes, gigabytes of paths.
/// Real overlays select a handful of nodes; ten thousand is far above that.
pub const MAX_SELECTED: usize = 10_000;

/// How to treat an action whose target selects nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// The standard's semantics: a target that selects nothing is a no-op.
    Standard,
    /// The project's: a target that selects nothing is an error, because a
    /// silently unapplied experimental field is a bug; and an update that
    /// replaces a value in a field an earlier action added is an error,
    /// because part of the first definition would be silently lost (see
    /// [`AddedFields`]).
    RequireMatch,
}

/// The Overlay Specification feature set an overlay declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    /// `1.0.x`.
    V1_0,
    /// `1.1.x`: adds `copy`, `info.description`, and updates of primitives.
    V1_1,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::V1_0 => "1.0",
            Self::V1_1 => "1.1",
        })
    }
}

/// The overlay's `info` object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    title: String,
    version: String,
    description: Option<String>,
}

impl Info {
    /// `info.title`.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }

    /// `info.version`: the overlay document's own version, not the standard's.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.version
    }

    /// `info.description` (1.1 only).
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
}

/// One validated action.
#[derive(Debug, Clone)]
pub struct Action {
    target: String,
    target_path: JsonPath,
    description: Option<String>,
    update: Option<Value>,
    remove: bool,
    copy: Option<(String, JsonPath)>,
}

impl Action {
    /// The target JSONPath as written.
    #[must_use]
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The action's `description`.
    #[must_use]
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The `update` value, if present.
    #[must_use]
    pub fn update(&self) -> Option<&Value> {
        self.update.as_ref()
    }

    /// Whether the action removes its targets.
    #[must_use]
    pub fn remove(&self) -> bool {
        self.remove
    }

    /// The `copy` source JSONPath as written (1.1 only).
    #[must_use]
    pub fn copy(&self) -> Option<&str> {
        self.copy.as_ref().map(|(text, _)| text.as_str())
    }
}

/// A validated overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    file: PathBuf,
    /// The text it was loaded from, kept to put line numbers in errors.
    source: Option<String>,
    version: Version,
    version_text: String,
    info: Info,
    extends: Option<String>,
    actions: Vec<Action>,
}

/// What is wrong with an overlay document's structure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A required field is absent.
    #[error("`{field}` is required")]
    Missing {
        /// The missing field.
        field: &'static str,
    },
    /// The overlay document is not an object.
    #[error("the overlay document must be an object, found {found}")]
    DocumentNotObject {
        /// The type found, with article.
        found: &'static str,
    },
    /// An item of `actions` is not an object.
    #[error("each action must be an object, found {found}")]
    ActionNotObject {
        /// The type found, with article.
        found: &'static str,
    },
    /// A value has the wrong JSON type.
    #[error("`{field}` must be {expected}, found {found}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// The expected type, with article ("a string").
        expected: &'static str,
        /// The type found, with article.
        found: &'static str,
    },
    /// A key that is neither a fixed field nor an `x-` extension.
    #[error("unknown field `{key}`; allowed here: {allowed} and `x-` extensions")]
    UnknownField {
        /// The unknown key.
        key: String,
        /// The fixed fields allowed at this place.
        allowed: &'static str,
    },
    /// A field that exists only in a later version of the standard.
    #[error("`{field}` is not part of Overlay {version}; it needs `overlay: 1.1.0`")]
    NotInVersion {
        /// The field.
        field: &'static str,
        /// The version the overlay declares.
        version: Version,
    },
    /// `overlay` is not a supported version string.
    #[error("`overlay` must be a version 1.0.x or 1.1.x, found `{found}`")]
    UnsupportedVersion {
        /// The version string found.
        found: String,
    },
    /// `actions` is empty.
    #[error("`actions` must contain at least one action")]
    NoActions,
    /// Two actions are identical.
    #[error("identical to action {first}; actions must be unique")]
    DuplicateAction {
        /// Index of the earlier, identical action.
        first: usize,
    },
    /// A JSONPath does not start with `$`.
    #[error("`{field}` must be a JSONPath query starting with `$`")]
    NotRooted {
        /// `target` or `copy`.
        field: &'static str,
    },
    /// A JSONPath query has a shape whose parsing or evaluation cost grows
    /// too fast (see [`MAX_QUERY_NESTING`], [`MAX_DESCENDANT_SEGMENTS`] and
    /// [`MAX_SELECTOR_COMBINATIONS`]).
    #[error("`{field}` is too costly to evaluate: {reason}")]
    TooCostly {
        /// `target` or `copy`.
        field: &'static str,
        /// Which limit the query exceeds.
        reason: String,
    },
    /// A JSONPath does not parse.
    #[error("`{field}` is not a valid RFC 9535 JSONPath: {message}")]
    InvalidJsonPath {
        /// `target` or `copy`.
        field: &'static str,
        /// The JSONPath parser's message.
        message: String,
    },
}

/// Why an action could not be applied to a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyProblem {
    /// `remove: true` selected the document root, which has no parent.
    #[error("cannot remove the document root")]
    RemoveRoot,
    /// An object node was given a non-object update.
    #[error("the node is an object, so the update must be an object, found {found}")]
    ObjectNeedsObject {
        /// The update's type.
        found: &'static str,
    },
    /// A primitive node was targeted by an update in 1.0.
    #[error(
        "the node is {found}; Overlay 1.0 can only update objects and arrays (target the parent object, or use 1.1)"
    )]
    PrimitiveInV1_0 {
        /// The node's type.
        found: &'static str,
    },
    /// A primitive node was given a non-primitive update.
    #[error("the node is {node}, so the update must be a primitive, found {found}")]
    PrimitiveNeedsPrimitive {
        /// The node's type.
        node: &'static str,
        /// The update's type.
        found: &'static str,
    },
    /// One target selected nodes of different kinds (1.1 forbids it).
    #[error("the target selects a mix of objects, arrays and primitives")]
    MixedTargets,
    /// A merge met two values that cannot merge (1.1).
    #[error("cannot merge {update} from the update into {node} in the document")]
    IncompatibleMerge {
        /// The document value's type.
        node: &'static str,
        /// The update value's type.
        update: &'static str,
    },
    /// `copy` did not select exactly one node.
    #[error("`copy` (`{copy}`) must select exactly one node, but selects {found}")]
    CopySource {
        /// The copy JSONPath.
        copy: String,
        /// How many nodes it selected.
        found: usize,
    },
    /// A `target` or `copy` query selects more than [`MAX_SELECTED`] nodes.
    #[error("the query selects {found} nodes; at most {limit} are supported")]
    TooManySelected {
        /// How many nodes it selects.
        found: usize,
        /// The limit, [`MAX_SELECTED`].
        limit: usize,
    },
    /// The overlay's updates and copies would add more than
    /// [`MAX_ADDED_SIZE`] to the document.
    #[error(
        "the overlay would add more than {limit} to the document (nodes plus bytes of text, counted once per node the value is applied to)"
    )]
    TooLarge {
        /// The budget, [`MAX_ADDED_SIZE`].
        limit: usize,
    },
    /// The result would nest collections deeper than [`yaml::MAX_DEPTH`],
    /// the bound every parsed spec file keeps (so that later recursive
    /// stages cannot overflow the stack).
    #[error("the result would nest deeper than {limit} levels")]
    TooDeep {
        /// The limit, [`yaml::MAX_DEPTH`].
        limit: usize,
    },
    /// A node selected by the target was gone when the action reached it.
    /// Processing order rules this out; kept so that a bug is an error, not a panic.
    #[error("the selected node disappeared while the action was applied")]
    Vanished,
    /// An update replaces a value in a field that an earlier action added
    /// ([`Strictness::RequireMatch`] only).
    #[error(
        "overlay {} action {action} added the field `{field}`, which this would change; add each field once",
        file.display()
    )]
    AddedTwice {
        /// The overlay file of the action that added the field.
        file: PathBuf,
        /// That action's index.
        action: usize,
        /// The field, as a JSON pointer into the document.
        field: String,
    },
}

/// Where in an overlay a problem is: file, action, JSON pointer and position.
///
/// Boxed inside [`OverlayError`] to keep `Result`s small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The overlay file.
    pub file: PathBuf,
    /// Index of the action in `actions`, for problems with one action.
    pub action: Option<usize>,
    /// That action's target, when it is a string.
    pub target: Option<String>,
    /// JSON pointer of the offending value in the overlay document.
    pub pointer: String,
    /// 1-based (line, column) of that value, when the overlay's text is known
    /// (it was loaded with [`Overlay::load`] or [`Overlay::parse`]).
    pub position: Option<(usize, usize)>,
}

impl fmt::Display for Place {
    /// `overlay FILE[:LINE:COL][: action N (target `T`)]`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "overlay {}", self.file.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(index) = self.action {
            write!(f, ": action {index}")?;
            if let Some(target) = &self.target {
                write!(f, " (target `{target}`)")?;
            }
        }
        Ok(())
    }
}

/// Why an overlay could not be loaded, validated or applied.
#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    /// The overlay file could not be read.
    #[error("cannot read overlay {}: {source}", file.display())]
    Read {
        /// The overlay file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The overlay file is not UTF-8 text.
    #[error("overlay {}:{line}:{column}: not valid UTF-8 (overlays must be UTF-8 text)", file.display())]
    NotUtf8 {
        /// The overlay file.
        file: PathBuf,
        /// 1-based line of the first byte that is not UTF-8.
        line: usize,
        /// 1-based column (in characters) of that byte.
        column: usize,
    },
    /// The overlay file is not valid YAML/JSON.
    #[error("overlay {error}")]
    Yaml {
        /// The parse error; it names the file and position.
        #[from]
        error: YamlError,
    },
    /// The overlay document's structure is invalid.
    #[error("{place}: {problem} ({})", At(&place.pointer))]
    Invalid {
        /// Where.
        place: Box<Place>,
        /// What is wrong.
        problem: Problem,
    },
    /// In [`Strictness::RequireMatch`], an action's target selects nothing.
    #[error("{place} selects nothing in the document ({})", At(&place.pointer))]
    NoMatch {
        /// Where; the pointer is the action's `target`.
        place: Box<Place>,
    },
    /// An action cannot be applied to a node it selects.
    #[error(
        "{place} cannot be applied{}: {problem} (overlay value {})",
        Node(node.as_deref()), At(&place.pointer)
    )]
    Apply {
        /// Where; the pointer is the overlay value that does not fit.
        place: Box<Place>,
        /// JSON pointer of the node in the document being changed, when the
        /// problem is with one node rather than the whole selection.
        node: Option<String>,
        /// What is wrong.
        problem: ApplyProblem,
    },
}

impl OverlayError {
    /// The overlay file the error is about.
    #[must_use]
    pub fn file(&self) -> &Path {
        match self {
            Self::Read { file, .. } | Self::NotUtf8 { file, .. } => file,
            Self::Yaml { error } => error.file(),
            Self::Invalid { place, .. } | Self::NoMatch { place } | Self::Apply { place, .. } => {
                &place.file
            }
        }
    }

    /// Where in the overlay the problem is, for validation and apply errors.
    #[must_use]
    pub fn place(&self) -> Option<&Place> {
        match self {
            Self::Read { .. } | Self::NotUtf8 { .. } | Self::Yaml { .. } => None,
            Self::Invalid { place, .. } | Self::NoMatch { place } | Self::Apply { place, .. } => {
                Some(place)
            }
        }
    }
}

/// Formats an overlay pointer as "at `/x`", naming the root in words.
struct At<'a>(&'a str);

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("at the document root")
        } else {
            write!(f, "at `{}`", self.0)
        }
    }
}

/// Formats an optional document pointer as " to node `/x`", naming the root in words.
struct Node<'a>(Option<&'a str>);

impl fmt::Display for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => Ok(()),
            Some("") => f.write_str(" to the document root"),
            Some(node) => write!(f, " to node `{node}`"),
        }
    }
}

/// JSON type name with article, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn is_primitive(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

fn is_extension(key: &str) -> bool {
    key.starts_with("x-")
}

/// Escapes one JSON pointer segment per RFC 6901.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Checks overlay documents, building errors that carry the file and position.
struct Checker<'a> {
    file: &'a Path,
    source: Option<&'a str>,
}

impl Checker<'_> {
    fn position(&self, pointer: &str) -> Option<(usize, usize)> {
        self.source
            .and_then(|text| yaml::position_of(text, pointer))
    }

    fn place(&self, action: Option<usize>, target: Option<&str>, pointer: &str) -> Box<Place> {
        Box::new(Place {
            file: self.file.to_path_buf(),
            action,
            target: target.map(str::to_owned),
            pointer: pointer.to_owned(),
            position: self.position(pointer),
        })
    }

    fn invalid(&self, pointer: &str, problem: Problem) -> OverlayError {
        OverlayError::Invalid {
            place: self.place(None, None, pointer),
            problem,
        }
    }

    fn invalid_action(
        &self,
        index: usize,
        target: Option<&str>,
        pointer: &str,
        problem: Problem,
    ) -> OverlayError {
        OverlayError::Invalid {
            place: self.place(Some(index), target, pointer),
            problem,
        }
    }

    fn overlay(&self, document: &Value) -> Result<Overlay, OverlayError> {
        let Some(root) = document.as_object() else {
            return Err(self.invalid(
                "",
                Problem::DocumentNotObject {
                    found: kind(document),
                },
            ));
        };
        // The version decides what else is allowed, so it comes first.
        let (version, version_text) = self.version(root.get("overlay"))?;
        for key in root.keys() {
            if !matches!(key.as_str(), "overlay" | "info" | "extends" | "actions")
                && !is_extension(key)
            {
                return Err(self.invalid(
                    &format!("/{}", escape(key)),
                    Problem::UnknownField {
                        key: key.clone(),
                        allowed: "`overlay`, `info`, `extends`, `actions`",
                    },
                ));
            }
        }
        let info = self.info(root.get("info"), version)?;
        let extends = match root.get("extends") {
            None => None,
            Some(Value::String(extends)) => Some(extends.clone()),
            Some(other) => {
                return Err(self.invalid(
                    "/extends",
                    Problem::WrongType {
                        field: "extends",
                        expected: "a string",
                        found: kind(other),
                    },
                ));
            }
        };
        let actions = self.actions(root.get("actions"), version)?;
        Ok(Overlay {
            file: self.file.to_path_buf(),
            source: self.source.map(str::to_owned),
            version,
            version_text,
            info,
            extends,
            actions,
        })
    }

    fn version(&self, value: Option<&Value>) -> Result<(Version, String), OverlayError> {
        let text = match value {
            None => return Err(self.invalid("", Problem::Missing { field: "overlay" })),
            Some(Value::String(text)) => text,
            Some(other) => {
                return Err(self.invalid(
                    "/overlay",
                    Problem::WrongType {
                        field: "overlay",
                        expected: "a string",
                        found: kind(other),
                    },
                ));
            }
        };
        // The schemas' pattern: `^1\.[01]\.\d+(-.+)?$`.
        let parsed = text
            .strip_prefix("1.0.")
            .map(|rest| (Version::V1_0, rest))
            .or_else(|| text.strip_prefix("1.1.").map(|rest| (Version::V1_1, rest)))
            .filter(|(_, rest)| {
                let (patch, pre) = rest.split_once('-').unwrap_or((rest, "x"));
                !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()) && !pre.is_empty()
            });
        match parsed {
            Some((version, _)) => Ok((version, text.clone())),
            None => Err(self.invalid(
                "/overlay",
                Problem::UnsupportedVersion {
                    found: text.clone(),
                },
            )),
        }
    }

    fn info(&self, value: Option<&Value>, version: Version) -> Result<Info, OverlayError> {
        let info = match value {
            None => return Err(self.invalid("", Problem::Missing { field: "info" })),
            Some(Value::Object(info)) => info,
            Some(other) => {
                return Err(self.invalid(
                    "/info",
                    Problem::WrongType {
                        field: "info",
                        expected: "an object",
                        found: kind(other),
                    },
                ));
            }
        };
        for key in info.keys() {
            let pointer = format!("/info/{}", escape(key));
            match key.as_str() {
                "title" | "version" => {}
                "description" if version < Version::V1_1 => {
                    return Err(self.invalid(
                        &pointer,
                        Problem::NotInVersion {
                            field: "info.description",
                            version,
                        },
                    ));
                }
                "description" => {}
                _ if is_extension(key) => {}
                _ => {
                    return Err(self.invalid(
                        &pointer,
                        Problem::UnknownField {
                            key: key.clone(),
                            allowed: if version < Version::V1_1 {
                                "`title`, `version`"
                            } else {
                                "`title`, `version`, `description`"
                            },
                        },
                    ));
                }
            }
        }
        let string = |field: &'static str, name: &str| -> Result<Option<String>, OverlayError> {
            match info.get(name) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(other) => Err(self.invalid(
                    &format!("/info/{name}"),
                    Problem::WrongType {
                        field,
                        expected: "a string",
                        found: kind(other),
                    },
                )),
            }
        };
        let title = string("info.title", "title")?.ok_or_else(|| {
            self.invalid(
                "/info",
                Problem::Missing {
                    field: "info.title",
                },
            )
        })?;
        let info_version = string("info.version", "version")?.ok_or_else(|| {
            self.invalid(
                "/info",
                Problem::Missing {
                    field: "info.version",
                },
            )
        })?;
        let description = string("info.description", "description")?;
        Ok(Info {
            title,
            version: info_version,
            description,
        })
    }

    fn actions(
        &self,
        value: Option<&Value>,
        version: Version,
    ) -> Result<Vec<Action>, OverlayError> {
        let items = match value {
            None => return Err(self.invalid("", Problem::Missing { field: "actions" })),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(self.invalid(
                    "/actions",
                    Problem::WrongType {
                        field: "actions",
                        expected: "an array",
                        found: kind(other),
                    },
                ));
            }
        };
        if items.is_empty() {
            return Err(self.invalid("/actions", Problem::NoActions));
        }
        let mut actions = Vec::with_capacity(items.len());
        // Earlier actions by hash, so that each action is compared in full
        // only with the few that hash alike, not with every earlier one
        // (which took seconds for a thousand actions sharing a large
        // aliased `update`).
        let mut seen: HashMap<u64, Vec<usize>> = HashMap::new();
        for (index, item) in items.iter().enumerate() {
            let action = self.action(index, item, version)?;
            let alike = seen.entry(structural_hash(item)).or_default();
            // `Value`'s equality ignores key order, which is the JSON
            // Schema `uniqueItems` notion of "identical".
            let first = alike
                .iter()
                .copied()
                .find(|&earlier| items[earlier] == *item);
            alike.push(index);
            if let Some(first) = first {
                return Err(self.invalid_action(
                    index,
                    Some(&action.target),
                    &format!("/actions/{index}"),
                    Problem::DuplicateAction { first },
                ));
            }
            actions.push(action);
        }
        Ok(actions)
    }

    fn action(
        &self,
        index: usize,
        value: &Value,
        version: Version,
    ) -> Result<Action, OverlayError> {
        let base = format!("/actions/{index}");
        let Some(action) = value.as_object() else {
            return Err(self.invalid_action(
                index,
                None,
                &base,
                Problem::ActionNotObject { found: kind(value) },
            ));
        };
        let target = action.get("target").and_then(Value::as_str);
        let fail = |field: &str, problem: Problem| {
            let pointer = if field.is_empty() {
                base.clone()
            } else {
                format!("{base}/{}", escape(field))
            };
            self.invalid_action(index, target, &pointer, problem)
        };
        for key in action.keys() {
            match key.as_str() {
                "target" | "description" | "update" | "remove" => {}
                "copy" if version < Version::V1_1 => {
                    return Err(fail(
                        key,
                        Problem::NotInVersion {
                            field: "copy",
                            version,
                        },
                    ));
                }
                "copy" => {}
                _ if is_extension(key) => {}
                _ => {
                    return Err(fail(
                        key,
                        Problem::UnknownField {
                            key: key.clone(),
                            allowed: if version < Version::V1_1 {
                                "`target`, `description`, `update`, `remove`"
                            } else {
                                "`target`, `description`, `update`, `remove`, `copy`"
                            },
                        },
                    ));
                }
            }
        }
        let string = |field: &'static str| -> Result<Option<String>, OverlayError> {
            match action.get(field) {
                None => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(other) => Err(fail(
                    field,
                    Problem::WrongType {
                        field,
                        expected: "a string",
                        found: kind(other),
                    },
                )),
            }
        };
        let json_path = |field: &'static str, text: &str| -> Result<JsonPath, OverlayError> {
            if !text.starts_with('$') {
                return Err(fail(field, Problem::NotRooted { field }));
            }
            // Before parsing: the parser itself is exponential in nested
            // filters and recursive in nested brackets.
            if let Some(reason) = too_costly(text) {
                return Err(fail(field, Problem::TooCostly { field, reason }));
            }
            parse_json_path(text).map_err(|error| {
                fail(
                    field,
                    Problem::InvalidJsonPath {
                        field,
                        message: error.to_string(),
                    },
                )
            })
        };
        let target_text =
            string("target")?.ok_or_else(|| fail("", Problem::Missing { field: "target" }))?;
        let target_path = json_path("target", &target_text)?;
        let description = string("description")?;
        let remove = match action.get("remove") {
            None => false,
            Some(Value::Bool(remove)) => *remove,
            Some(other) => {
                return Err(fail(
                    "remove",
                    Problem::WrongType {
                        field: "remove",
                        expected: "a boolean",
                        found: kind(other),
                    },
                ));
            }
        };
        let copy = match string("copy")? {
            Some(text) => {
                let path = json_path("copy", &text)?;
                Some((text, path))
            }
            None => None,
        };
        Ok(Action {
            target: target_text,
            target_path,
            description,
            update: action.get("update").cloned(),
            remove,
            copy,
        })
    }
}

impl Overlay {
    /// Validates an overlay document (already parsed from YAML/JSON); `file` is used in errors only.
    ///
    /// # Errors
    ///
    /// [`OverlayError::Invalid`] naming the first problem found and the JSON
    /// pointer of the bad value.
    pub fn from_value(file: &Path, document: &Value) -> Result<Overlay, OverlayError> {
        Checker { file, source: None }.overlay(document)
    }

    /// Convenience: read `file` and [`Overlay::parse`] it.
    ///
    /// # Errors
    ///
    /// [`OverlayError::Read`], [`OverlayError::Yaml`], or a validation error.
    pub fn load(file: &Path) -> Result<Overlay, OverlayError> {
        let bytes = std::fs::read(file).map_err(|source| OverlayError::Read {
            file: file.to_path_buf(),
            source,
        })?;
        let text =
            crate::load::utf8_text(bytes).map_err(|(line, column)| OverlayError::NotUtf8 {
                file: file.to_path_buf(),
                line,
                column,
            })?;
        Overlay::parse(&text, file)
    }

    /// [`crate::yaml::parse`] + [`Overlay::from_value`] on overlay text held
    /// in memory; `file` is used in errors only. Errors carry line and
    /// column, as for [`Overlay::load`].
    ///
    /// # Errors
    ///
    /// [`OverlayError::Yaml`], or a validation error.
    pub fn parse(text: &str, file: &Path) -> Result<Overlay, OverlayError> {
        let document = yaml::parse(text, file)?;
        Checker {
            file,
            source: Some(text),
        }
        .overlay(&document)
    }

    /// The `extends` URL, if any.
    #[must_use]
    pub fn extends(&self) -> Option<&str> {
        self.extends.as_deref()
    }

    /// The file the overlay came from (as given to [`Overlay::from_value`] or [`Overlay::load`]).
    #[must_use]
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The feature set the overlay declares.
    #[must_use]
    pub fn version(&self) -> Version {
        self.version
    }

    /// The `overlay` field as written, e.g. `1.1.0`.
    #[must_use]
    pub fn version_text(&self) -> &str {
        &self.version_text
    }

    /// The `info` object.
    #[must_use]
    pub fn info(&self) -> &Info {
        &self.info
    }

    /// The actions, in order.
    #[must_use]
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// Applies all actions in order to `document`.
    ///
    /// Either every action applies or `document` is left untouched: the
    /// actions run on a copy that replaces `document` only on success.
    ///
    /// # Errors
    ///
    /// [`OverlayError::NoMatch`] (only in [`Strictness::RequireMatch`]) or
    /// [`OverlayError::Apply`], naming the action and the document node.
    pub fn apply(&self, document: &mut Value, mode: Strictness) -> Result<(), OverlayError> {
        self.apply_tracked(document, mode, &mut AddedFields::default())
    }

    /// [`Overlay::apply`], for one of several overlays applied to the same
    /// document: in [`Strictness::RequireMatch`], `added` holds the fields
    /// that earlier overlays added to `document` (start with an empty one)
    /// and gets this overlay's on success, so that a field added by two
    /// overlays is an error too. Ignored in [`Strictness::Standard`].
    ///
    /// # Errors
    ///
    /// As [`Overlay::apply`], and [`ApplyProblem::AddedTwice`].
    pub fn apply_tracked(
        &self,
        document: &mut Value,
        mode: Strictness,
        added: &mut AddedFields,
    ) -> Result<(), OverlayError> {
        let mut working = document.clone();
        let mut working_added = added.clone();
        let mut tracked = (mode == Strictness::RequireMatch).then_some(&mut working_added);
        let mut budget = MAX_ADDED_SIZE;
        for (index, action) in self.actions.iter().enumerate() {
            self.apply_action(
                index,
                action,
                &mut working,
                mode,
                tracked.as_deref_mut(),
                &mut budget,
            )?;
            if let Some(added) = tracked.as_deref_mut() {
                added.applications += 1;
            }
        }
        *document = working;
        *added = working_added;
        Ok(())
    }

    fn checker(&self) -> Checker<'_> {
        Checker {
            file: &self.file,
            source: self.source.as_deref(),
        }
    }

    fn apply_action(
        &self,
        index: usize,
        action: &Action,
        document: &mut Value,
        mode: Strictness,
        mut added: Option<&mut AddedFields>,
        budget: &mut usize,
    ) -> Result<(), OverlayError> {
        let place = |field: &str| {
            self.checker().place(
                Some(index),
                Some(&action.target),
                &format!("/actions/{index}{field}"),
            )
        };
        let fail =
            |field: &str, node: Option<&[Segment]>, problem: ApplyProblem| OverlayError::Apply {
                place: place(field),
                node: node.map(to_pointer),
                problem,
            };
        let too_many = |field: &str, found| {
            fail(
                field,
                None,
                ApplyProblem::TooManySelected {
                    found,
                    limit: MAX_SELECTED,
                },
            )
        };
        let mut targets =
            select(&action.target_path, document).map_err(|found| too_many("/target", found))?;
        if targets.is_empty() {
            return match mode {
                Strictness::Standard => Ok(()),
                Strictness::RequireMatch => Err(OverlayError::NoMatch {
                    place: place("/target"),
                }),
            };
        }
        // Deepest and last first: removing or changing a node then never
        // moves a node that is still to be processed (a later array element,
        // or a descendant of an ancestor that is also selected).
        targets.reverse();
        if action.remove {
            for path in &targets {
                let Some((last, parent)) = path.split_last() else {
                    return Err(fail("/target", Some(path), ApplyProblem::RemoveRoot));
                };
                let removed = match (lookup(document, parent), last) {
                    (Some(Value::Object(map)), Segment::Key(key)) => {
                        map.shift_remove(key).is_some()
                    }
                    (Some(Value::Array(items)), Segment::Index(i)) if *i < items.len() => {
                        items.remove(*i);
                        true
                    }
                    _ => false,
                };
                if !removed {
                    return Err(fail("/target", Some(path), ApplyProblem::Vanished));
                }
                if let Some(added) = added.as_deref_mut() {
                    added.removed(path);
                }
            }
            return Ok(());
        }
        let (value, field) = match (&action.update, &action.copy) {
            (Some(update), _) => (Cow::Borrowed(update), "/update"),
            (None, Some((copy, path))) => {
                let sources = select(path, document).map_err(|found| too_many("/copy", found))?;
                let [source] = sources.as_slice() else {
                    return Err(fail(
                        "/copy",
                        None,
                        ApplyProblem::CopySource {
                            copy: copy.clone(),
                            found: sources.len(),
                        },
                    ));
                };
                let value = lookup_ref(document, source)
                    .cloned()
                    .ok_or_else(|| fail("/copy", Some(source), ApplyProblem::Vanished))?;
                (Cow::Owned(value), "/copy")
            }
            (None, None) => return Ok(()),
        };
        if self.version >= Version::V1_1 {
            let kinds = targets
                .iter()
                .filter_map(|path| lookup_ref(document, path))
                .map(|node| match node {
                    Value::Object(_) => 0,
                    Value::Array(_) => 1,
                    _ => 2,
                })
                .collect::<std::collections::BTreeSet<_>>();
            if kinds.len() > 1 {
                return Err(fail("/target", None, ApplyProblem::MixedTargets));
            }
        }
        // Checked before anything changes: the size is an upper bound on
        // what merging adds, and the depth is exact for each kind of node.
        let (size, depth) = measure(&value);
        *budget = targets
            .len()
            .checked_mul(size)
            .and_then(|adding| budget.checked_sub(adding))
            .ok_or_else(|| {
                fail(
                    field,
                    None,
                    ApplyProblem::TooLarge {
                        limit: MAX_ADDED_SIZE,
                    },
                )
            })?;
        for path in &targets {
            let Some(node) = lookup(document, path) else {
                return Err(fail("/target", Some(path), ApplyProblem::Vanished));
            };
            // An object's or array's own level is `path.len() + 1`; an object
            // update lands on the node, an array's items go into it, any
            // other value becomes one new item.
            let pushed = node.is_array() && !value.is_array();
            if path.len() + depth + usize::from(pushed) > yaml::MAX_DEPTH {
                return Err(fail(
                    field,
                    Some(path),
                    ApplyProblem::TooDeep {
                        limit: yaml::MAX_DEPTH,
                    },
                ));
            }
            let mut adding = added.as_deref_mut().map(|fields| Adding {
                application: fields.applications,
                fields,
                file: &self.file,
                action: index,
            });
            match node {
                Value::Object(map) => {
                    let Value::Object(update) = value.as_ref() else {
                        return Err(fail(
                            field,
                            Some(path),
                            ApplyProblem::ObjectNeedsObject {
                                found: kind(&value),
                            },
                        ));
                    };
                    let mut at = path.clone();
                    if let Err(clash) = merge(map, update, self.version, &mut at, &mut adding) {
                        let inner = to_pointer(&at[path.len()..]);
                        return Err(fail(&format!("{field}{inner}"), Some(&at), clash));
                    }
                }
                Value::Array(items) => match value.as_ref() {
                    Value::Array(more) => items.extend(more.iter().cloned()),
                    other => items.push(other.clone()),
                },
                primitive => {
                    if self.version < Version::V1_1 {
                        return Err(fail(
                            "/target",
                            Some(path),
                            ApplyProblem::PrimitiveInV1_0 {
                                found: kind(primitive),
                            },
                        ));
                    }
                    if !is_primitive(&value) {
                        return Err(fail(
                            field,
                            Some(path),
                            ApplyProblem::PrimitiveNeedsPrimitive {
                                node: kind(primitive),
                                found: kind(&value),
                            },
                        ));
                    }
                    if let Some(adding) = &adding {
                        adding
                            .check_replace(path)
                            .map_err(|clash| fail(field, Some(path), clash))?;
                    }
                    *primitive = value.as_ref().clone();
                }
            }
        }
        Ok(())
    }
}

/// How deeply brackets and parentheses may nest in a JSONPath query.
///
/// The JSONPath parser takes four times as long for each filter nested in
/// another (`$[?@[?@[?@]]]`: 16 levels take a third of a second, 20 a
/// minute) and recurses once per level, so that two thousand levels
/// overflow the stack. Real queries nest two or three levels.
pub const MAX_QUERY_NESTING: usize = 10;

/// How many descendant segments (`..`) a JSONPath query may contain,
/// including those in filters.
///
/// Each one after the first multiplies the work by the document's depth,
/// and the result may repeat nodes: `$..*..*..*` on a 30 KB document 240
/// levels deep does not finish in minutes.
pub const MAX_DESCENDANT_SEGMENTS: usize = 1;

/// How many combinations the bracketed selector lists of a JSONPath query
/// may multiply to (`['a','b']['c','d','e']` makes 6).
///
/// A list of `n` selectors can select each node `n` times, and lists
/// multiply: twelve `[*,*,*,*,*,*,*,*]` make 8^12 copies.
pub const MAX_SELECTOR_COMBINATIONS: usize = 64;

/// Why the query `text` is too costly to parse or evaluate, if it is: the
/// limits above, checked on the text (outside string literals) before it
/// is parsed.
fn too_costly(text: &str) -> Option<String> {
    // Open brackets and parentheses; for a bracket, its selectors so far.
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut descendants = 0usize;
    let mut combinations = 1usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                while let Some(inner) = chars.next() {
                    if inner == '\\' {
                        chars.next();
                    } else if inner == c {
                        break;
                    }
                }
            }
            '[' | '(' => {
                open.push((c, 1));
                if open.len() > MAX_QUERY_NESTING {
                    return Some(format!(
                        "brackets and parentheses nest deeper than {MAX_QUERY_NESTING} levels"
                    ));
                }
            }
            ']' | ')' => {
                if let Some(('[', selectors)) = open.pop() {
                    combinations = combinations.saturating_mul(selectors);
                    if combinations > MAX_SELECTOR_COMBINATIONS {
                        return Some(format!(
                            "its selector lists make more than {MAX_SELECTOR_COMBINATIONS} combinations"
                        ));
                    }
                }
            }
            ',' => {
                if let Some(('[', selectors)) = open.last_mut() {
                    *selectors += 1;
                }
            }
            '.' if chars.next_if_eq(&'.').is_some() => {
                descendants += 1;
                if descendants > MAX_DESCENDANT_SEGMENTS {
                    return Some(format!(
                        "it has more than {MAX_DESCENDANT_SEGMENTS} descendant segment (`..`), counting those in filters"
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

/// RFC 9535 `match()`: whether the whole string matches the I-Regexp
/// pattern. Registered here, it replaces `serde_json_path`'s own, which
/// compiles the pattern again for every node it tests (a filter with a
/// large pattern over five thousand strings took over ten seconds); see
/// [`regex_test`].
#[serde_json_path::function(name = "match")]
fn match_function(value: ValueType, pattern: ValueType) -> LogicalType {
    regex_test(&value, &pattern, true).into()
}

/// RFC 9535 `search()`: whether a substring matches; as [`match_function`].
#[serde_json_path::function(name = "search")]
fn search_function(value: ValueType, pattern: ValueType) -> LogicalType {
    regex_test(&value, &pattern, false).into()
}

/// How many compiled patterns [`regex_test`] keeps per thread.
const REGEX_CACHE: usize = 64;

/// The limit on a compiled pattern's size (the `regex` crate's own default
/// is 10 MiB): compiling `[a-z]{1,300}` three times over already takes a
/// millisecond, and a pattern can come from the document.
const REGEX_SIZE_LIMIT: usize = 64 * 1024;

/// `match()` (`whole`) or `search()` of `pattern` on `value`, false unless
/// both are strings and the pattern compiles within [`REGEX_SIZE_LIMIT`],
/// as `serde_json_path` does (with the same `(?R)` CRLF mode). Compiled
/// patterns are cached per thread, so a pattern costs one compilation per
/// query rather than one per node.
fn regex_test(value: &ValueType, pattern: &ValueType, whole: bool) -> bool {
    thread_local! {
        static COMPILED: RefCell<HashMap<(String, bool), Option<Regex>>> =
            RefCell::new(HashMap::new());
    }
    let (Some(Value::String(text)), Some(Value::String(pattern))) =
        (value.as_value(), pattern.as_value())
    else {
        return false;
    };
    COMPILED.with_borrow_mut(|compiled| {
        if compiled.len() >= REGEX_CACHE {
            compiled.clear();
        }
        compiled
            .entry((pattern.clone(), whole))
            .or_insert_with(|| {
                let wrapped = if whole {
                    format!("(?R)^({pattern})$")
                } else {
                    format!("(?R)({pattern})")
                };
                RegexBuilder::new(&wrapped)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
            .is_some_and(|regex| regex.is_match(text))
    })
}

/// Parses a JSONPath query, accepting `-` in dotted member names.
///
/// The query is parsed exactly as written first. Only if that fails, and
/// [`bracket_dashed_names`] changes it, is the rewritten form tried; if that
/// fails too, the error is the one for the query as written.
fn parse_json_path(text: &str) -> Result<JsonPath, serde_json_path::ParseError> {
    JsonPath::parse(text).or_else(|error| {
        bracket_dashed_names(text)
            .and_then(|rewritten| JsonPath::parse(&rewritten).ok())
            .ok_or(error)
    })
}

/// RFC 9535 `name-first`: the first character of a member-name shorthand.
fn is_name_first(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c >= '\u{80}'
}

/// Rewrites dotted member names that contain `-` (`.x-oai-traits`,
/// `..x-a`) into bracket notation (`['x-oai-traits']`, `..['x-a']`): RFC 9535
/// shorthand does not allow `-`, yet the OAI's own Overlay examples use it.
/// Returns `None` if nothing needed rewriting.
///
/// Only a name that follows a `.` or `..` which itself follows a query
/// (`$`, `@`, a name, `*` or `]`, optionally with blank space between
/// segments) is rewritten, and only if it starts with a character a
/// shorthand name may start with (a letter, `_` or non-ASCII): the `-` is
/// allowed after the first character only, so `.-a` and `.1-a` stay as they
/// are (and fail to parse), and a number such as `1.5e-3` is never touched.
/// Quoted strings (`'...'` and `"..."`, with backslash escapes) are copied
/// unchanged, which covers both bracketed names and string literals in
/// filters.
fn bracket_dashed_names(query: &str) -> Option<String> {
    let mut out = String::with_capacity(query.len() + 8);
    let mut changed = false;
    // Whether the text so far ends with a query, so that a `.` here starts a
    // child or descendant segment (rather than, say, a number's fraction).
    let mut after_query = false;
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                while let Some(inner) = chars.next() {
                    out.push(inner);
                    if inner == '\\' {
                        if let Some(escaped) = chars.next() {
                            out.push(escaped);
                        }
                    } else if inner == c {
                        break;
                    }
                }
                after_query = false;
            }
            '.' if after_query => {
                let descendant = chars.next_if_eq(&'.').is_some();
                let mut name = String::new();
                if let Some(first) = chars.next_if(|&first| is_name_first(first)) {
                    name.push(first);
                    while let Some(next) = chars.next_if(|&next| {
                        is_name_first(next) || next.is_ascii_digit() || next == '-'
                    }) {
                        name.push(next);
                    }
                }
                if name.contains('-') {
                    // `..name` becomes `..['name']`, `.name` becomes `['name']`.
                    // Name characters and `-` need no escaping inside '...'.
                    out.push_str(if descendant { "..['" } else { "['" });
                    out.push_str(&name);
                    out.push_str("']");
                    changed = true;
                } else {
                    out.push_str(if descendant { ".." } else { "." });
                    out.push_str(&name);
                }
                // A name ends a query; otherwise `*` (handled below) or `[` follows,
                // or something that does not parse anyway.
                after_query = !name.is_empty();
            }
            '$' | '@' | '*' | ']' => {
                out.push(c);
                after_query = true;
            }
            ' ' | '\t' | '\n' | '\r' => out.push(c),
            _ => {
                out.push(c);
                after_query = false;
            }
        }
    }
    changed.then_some(out)
}

/// The fields (object keys) that overlay actions added to one document, and
/// which action added each (see [`Overlay::apply_tracked`]).
#[derive(Debug, Clone, Default)]
pub struct AddedFields {
    /// Document path of each added key → overlay file, action index, and
    /// the number of the application of that action.
    by: std::collections::BTreeMap<Vec<Segment>, (PathBuf, usize, u64)>,
    /// Applications of actions so far.
    applications: u64,
}

/// The action that is merging an update, recording what it adds.
struct Adding<'a> {
    fields: &'a mut AddedFields,
    file: &'a Path,
    action: usize,
    /// Which application of the action this is: one application may meet
    /// its own additions (a target that selects a node and its parent).
    application: u64,
}

impl Adding<'_> {
    /// [`ApplyProblem::AddedTwice`] if the value at `path` is, or is inside,
    /// a field that another application of an action added.
    fn check_replace(&self, path: &[Segment]) -> Result<(), ApplyProblem> {
        let earlier = (1..=path.len()).rev().find_map(|len| {
            let field = &path[..len];
            self.fields
                .by
                .get(field)
                .filter(|(_, _, application)| *application != self.application)
                .map(|record| (field, record))
        });
        match earlier {
            Some((field, (file, action, _))) => Err(ApplyProblem::AddedTwice {
                file: file.clone(),
                action: *action,
                field: to_pointer(field),
            }),
            None => Ok(()),
        }
    }
}

impl AddedFields {
    /// Forgets what was added at or below `removed`, and, when it was an
    /// array element, moves the records of the later elements down by one,
    /// as the removal moved the elements themselves.
    fn removed(&mut self, removed: &[Segment]) {
        let Some((Segment::Index(index), array)) = removed.split_last() else {
            self.by.retain(|at, _| !at.starts_with(removed));
            return;
        };
        let below: Vec<_> = self
            .by
            .range(array.to_vec()..)
            .take_while(|(at, _)| at.starts_with(array))
            .filter(|(at, _)| at.len() > array.len())
            .map(|(at, _)| at.clone())
            .collect();
        for at in below {
            let Some(Segment::Index(i)) = at.get(array.len()) else {
                continue;
            };
            let i = *i;
            if i < *index {
                continue;
            }
            let Some(record) = self.by.remove(&at) else {
                continue;
            };
            if i > *index {
                let mut moved = at;
                moved[array.len()] = Segment::Index(i - 1);
                self.by.insert(moved, record);
            }
        }
    }
}

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Index(usize),
    Key(String),
}

/// The distinct nodes `path` selects, as owned paths in ascending order;
/// `Err` with their number if that is more than [`MAX_SELECTED`].
///
/// The query runs without locations (`JsonPath::query`), and the selected
/// nodes are then located in one walk of the document: `query_located`
/// builds a path for every node a segment visits, which for `$..*` on a
/// wide document 250 levels deep is gigabytes.
fn select(path: &JsonPath, document: &Value) -> Result<Vec<Vec<Segment>>, usize> {
    let wanted: HashSet<*const Value> = path
        .query(document)
        .iter()
        .map(|node| std::ptr::from_ref::<Value>(node))
        .collect();
    if wanted.len() > MAX_SELECTED {
        return Err(wanted.len());
    }
    let mut paths = Vec::with_capacity(wanted.len());
    let visit = |node: &Value, at: &[Segment], paths: &mut Vec<Vec<Segment>>| {
        if wanted.contains(&std::ptr::from_ref(node)) {
            paths.push(at.to_vec());
        }
    };
    let mut at = Vec::new();
    visit(document, &at, &mut paths);
    // Depth-first, with an explicit stack (documents from
    // `Overlay::from_value` callers need not respect `yaml::MAX_DEPTH`);
    // `at` is the path of the collection whose children `stack.last()` yields.
    let mut stack = vec![children(document)];
    while let Some(top) = stack.last_mut() {
        if paths.len() == wanted.len() {
            break;
        }
        match top.next() {
            Some((segment, child)) => {
                at.push(segment);
                visit(child, &at, &mut paths);
                if child.is_object() || child.is_array() {
                    stack.push(children(child));
                } else {
                    at.pop();
                }
            }
            None => {
                stack.pop();
                at.pop();
            }
        }
    }
    paths.sort();
    Ok(paths)
}

/// The children of `node` with the segment leading to each; none for a
/// primitive.
fn children(node: &Value) -> Box<dyn Iterator<Item = (Segment, &Value)> + '_> {
    match node {
        Value::Object(map) => Box::new(
            map.iter()
                .map(|(key, child)| (Segment::Key(key.clone()), child)),
        ),
        Value::Array(items) => Box::new(
            items
                .iter()
                .enumerate()
                .map(|(index, child)| (Segment::Index(index), child)),
        ),
        _ => Box::new(std::iter::empty()),
    }
}

fn lookup<'v>(document: &'v mut Value, path: &[Segment]) -> Option<&'v mut Value> {
    path.iter()
        .try_fold(document, |node, segment| match (node, segment) {
            (Value::Object(map), Segment::Key(key)) => map.get_mut(key),
            (Value::Array(items), Segment::Index(index)) => items.get_mut(*index),
            _ => None,
        })
}

fn lookup_ref<'v>(document: &'v Value, path: &[Segment]) -> Option<&'v Value> {
    path.iter()
        .try_fold(document, |node, segment| match (node, segment) {
            (Value::Object(map), Segment::Key(key)) => map.get(key),
            (Value::Array(items), Segment::Index(index)) => items.get(*index),
            _ => None,
        })
}

fn to_pointer(path: &[Segment]) -> String {
    path.iter()
        .map(|segment| match segment {
            Segment::Index(index) => format!("/{index}"),
            Segment::Key(key) => format!("/{}", escape(key)),
        })
        .collect()
}

/// A hash of `value` consistent with its `==`: object keys in any order,
/// and numbers equal as `serde_json` compares them.
fn structural_hash(value: &Value) -> u64 {
    fn feed(value: &Value, hasher: &mut DefaultHasher) {
        match value {
            Value::Null => 0u8.hash(hasher),
            Value::Bool(b) => (1u8, b).hash(hasher),
            Value::Number(n) => {
                2u8.hash(hasher);
                // Integers compare by value within their kind; floats by
                // `f64` equality, under which 0.0 == -0.0.
                if let Some(u) = n.as_u64() {
                    (0u8, u).hash(hasher);
                } else if let Some(i) = n.as_i64() {
                    (1u8, i).hash(hasher);
                } else if let Some(f) = n.as_f64() {
                    let f = if f == 0.0 { 0.0 } else { f };
                    (2u8, f.to_bits()).hash(hasher);
                }
            }
            Value::String(text) => (3u8, text).hash(hasher),
            Value::Array(items) => {
                (4u8, items.len()).hash(hasher);
                for item in items {
                    feed(item, hasher);
                }
            }
            Value::Object(map) => {
                (5u8, map.len()).hash(hasher);
                // Order-independent: the entries' own hashes, summed.
                let mut sum = 0u64;
                for (key, item) in map {
                    let mut entry = DefaultHasher::new();
                    key.hash(&mut entry);
                    feed(item, &mut entry);
                    sum = sum.wrapping_add(entry.finish());
                }
                sum.hash(hasher);
            }
        }
    }
    let mut hasher = DefaultHasher::new();
    feed(value, &mut hasher);
    hasher.finish()
}

/// The size of `value` as counted for [`MAX_ADDED_SIZE`], and how deeply its
/// collections nest (0 for a primitive, 1 for a flat array or object).
fn measure(value: &Value) -> (usize, usize) {
    let mut size = 0usize;
    let mut deepest = 0;
    let mut stack = vec![(value, 0)];
    while let Some((node, level)) = stack.pop() {
        size = size.saturating_add(1);
        match node {
            Value::Object(map) => {
                deepest = deepest.max(level + 1);
                for (key, child) in map {
                    size = size.saturating_add(key.len());
                    stack.push((child, level + 1));
                }
            }
            Value::Array(items) => {
                deepest = deepest.max(level + 1);
                stack.extend(items.iter().map(|child| (child, level + 1)));
            }
            Value::String(text) => size = size.saturating_add(text.len()),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    (size, deepest)
}

/// Merges `update` into `target` recursively; on a clash, `at` holds the
/// path (relative to both) where it happened.
///
/// With `adding`, a key the update creates is recorded as added, and a value
/// it replaces at or below a key an earlier action added is
/// [`ApplyProblem::AddedTwice`]: that would silently drop part of the
/// earlier definition. Merging objects and appending to arrays lose nothing,
/// so they may extend what an earlier action added.
fn merge(
    target: &mut Map<String, Value>,
    update: &Map<String, Value>,
    version: Version,
    at: &mut Vec<Segment>,
    adding: &mut Option<Adding<'_>>,
) -> Result<(), ApplyProblem> {
    for (key, new) in update {
        at.push(Segment::Key(key.clone()));
        let Some(old) = target.get_mut(key) else {
            if let Some(adding) = adding {
                adding.fields.by.insert(
                    at.clone(),
                    (adding.file.to_path_buf(), adding.action, adding.application),
                );
            }
            target.insert(key.clone(), new.clone());
            at.pop();
            continue;
        };
        match (old, new) {
            (Value::Object(old), Value::Object(new)) => merge(old, new, version, at, adding)?,
            (Value::Array(old), Value::Array(new)) => old.extend(new.iter().cloned()),
            (old, new) if (is_primitive(old) && is_primitive(new)) || version < Version::V1_1 => {
                if let Some(adding) = adding {
                    adding.check_replace(at)?;
                }
                *old = new.clone();
            }
            (old, new) => {
                return Err(ApplyProblem::IncompatibleMerge {
                    node: kind(old),
                    update: kind(new),
                });
            }
        }
        at.pop();
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(text: &str) -> Overlay {
        let value = yaml::parse(text, Path::new("x.yaml")).unwrap();
        Overlay::from_value(Path::new("spec/overlays/x.yaml"), &value).unwrap()
    }

    fn overlay_err(text: &str) -> OverlayError {
        let value = yaml::parse(text, Path::new("x.yaml")).unwrap();
        Overlay::from_value(Path::new("spec/overlays/x.yaml"), &value).unwrap_err()
    }

    const HEAD_1_0: &str = "overlay: 1.0.0\ninfo: {title: t, version: 1.0.0}\n";
    const HEAD_1_1: &str = "overlay: 1.1.0\ninfo: {title: t, version: 1.0.0}\n";

    #[test]
    fn require_match_rejects_a_target_that_selects_nothing() {
        let o = overlay(&format!(
            "{HEAD_1_1}actions:\n  - target: $.info\n    update: {{x: 1}}\n  - target: $.paths['/refresh']\n    remove: true\n"
        ));
        let mut doc = json!({"info": {}, "paths": {}});
        let err = o.apply(&mut doc, Strictness::RequireMatch).unwrap_err();
        assert!(matches!(&err, OverlayError::NoMatch { .. }), "{err:?}");
        let place = err.place().unwrap();
        assert_eq!(place.action, Some(1));
        assert_eq!(place.target.as_deref(), Some("$.paths['/refresh']"));
        assert_eq!(place.pointer, "/actions/1/target");
        assert_eq!(err.file(), Path::new("spec/overlays/x.yaml"));
        assert_eq!(
            err.to_string(),
            "overlay spec/overlays/x.yaml: action 1 (target `$.paths['/refresh']`) selects \
             nothing in the document (at `/actions/1/target`)"
        );
        // All or nothing: the first action's change is not kept.
        assert_eq!(doc, json!({"info": {}, "paths": {}}));
        // The standard treats the same thing as a no-op.
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc, json!({"info": {"x": 1}, "paths": {}}));
    }

    #[test]
    fn errors_from_a_loaded_file_carry_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("o.yaml");
        std::fs::write(
            &file,
            format!("{HEAD_1_1}actions:\n  - target: $.a\n    remove: true\n  - target: $.b\n    remove: true\n"),
        )
        .unwrap();
        let o = Overlay::load(&file).unwrap();
        let err = o
            .apply(&mut json!({"a": 1}), Strictness::RequireMatch)
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("overlay {}:6:5: action 1", file.display())),
            "{text}"
        );

        std::fs::write(
            &file,
            format!("{HEAD_1_1}actions:\n  - target: $.a\n    remove: 1\n"),
        )
        .unwrap();
        let text = Overlay::load(&file).unwrap_err().to_string();
        assert!(
            text.starts_with(&format!(
                "overlay {}:5:5: action 0 (target `$.a`): `remove` must be a boolean",
                file.display()
            )),
            "{text}"
        );
    }

    #[test]
    fn errors_from_parsed_text_carry_line_and_column() {
        let text = format!("{HEAD_1_1}actions:\n  - target: $.a\n    remove: 1\n");
        let err = Overlay::parse(&text, Path::new("o.yaml")).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "overlay o.yaml:5:5: action 0 (target `$.a`): `remove` must be a boolean"
            ),
            "{err}"
        );
    }

    #[test]
    fn removes_several_elements_of_one_array() {
        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.list[?@.drop == true]\n    remove: true\n"
        ));
        let mut doc = json!({"list": [
            {"n": 0, "drop": true}, {"n": 1}, {"n": 2, "drop": true}, {"n": 3, "drop": true}, {"n": 4}
        ]});
        o.apply(&mut doc, Strictness::RequireMatch).unwrap();
        assert_eq!(doc, json!({"list": [{"n": 1}, {"n": 4}]}));
    }

    #[test]
    fn removes_nested_selections_and_duplicates_once() {
        // `$..a` selects `/a` and `/a/a`; `$['k','k']` selects one node twice.
        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $..a\n    remove: true\n  - target: \"$.list[0,0,2]\"\n    remove: true\n"
        ));
        let mut doc = json!({"a": {"a": 1}, "b": 2, "list": [0, 1, 2, 3]});
        o.apply(&mut doc, Strictness::RequireMatch).unwrap();
        assert_eq!(doc, json!({"b": 2, "list": [1, 3]}));
    }

    #[test]
    fn update_merges_recursively() {
        let o = overlay(&format!(
            "{HEAD_1_0}actions:
  - target: $.paths['/a'].get
    update:
      summary: new
      tags: [two]
      responses:
        '200': {{description: OK}}
        '404': {{description: Missing}}
"
        ));
        let mut doc = json!({"paths": {"/a": {"get": {
            "summary": "old",
            "operationId": "a",
            "tags": ["one"],
            "responses": {"200": {"description": "old", "content": {}}}
        }}}});
        o.apply(&mut doc, Strictness::RequireMatch).unwrap();
        assert_eq!(
            doc,
            json!({"paths": {"/a": {"get": {
                "summary": "new",
                "operationId": "a",
                "tags": ["one", "two"],
                "responses": {
                    "200": {"description": "OK", "content": {}},
                    "404": {"description": "Missing"}
                }
            }}}})
        );
        // Order is kept: existing keys in place, new keys at the end.
        let keys: Vec<_> = doc["paths"]["/a"]["get"]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["200", "404"]);
    }

    #[test]
    fn array_targets_append_values_and_concatenate_arrays() {
        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.a\n    update: {{n: 1}}\n  - target: $.a\n    update: [2, 3]\n"
        ));
        let mut doc = json!({"a": [0]});
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc, json!({"a": [0, {"n": 1}, 2, 3]}));
    }

    #[test]
    fn primitive_targets_depend_on_the_version() {
        let actions = "actions:\n  - target: $.info.title\n    update: New\n";
        let mut doc = json!({"info": {"title": "Old"}});
        overlay(&format!("{HEAD_1_1}{actions}"))
            .apply(&mut doc, Strictness::Standard)
            .unwrap();
        assert_eq!(doc, json!({"info": {"title": "New"}}));
        let err = overlay(&format!("{HEAD_1_0}{actions}"))
            .apply(&mut doc, Strictness::Standard)
            .unwrap_err();
        assert!(
            matches!(&err, OverlayError::Apply { node, problem: ApplyProblem::PrimitiveInV1_0 { .. }, .. }
                if node.as_deref() == Some("/info/title")),
            "{err:?}"
        );
    }

    #[test]
    fn incompatible_merge_in_1_1_names_both_places() {
        let o = overlay(&format!(
            "{HEAD_1_1}actions:\n  - target: $.paths\n    update: {{'/a': {{get: text}}}}\n"
        ));
        let mut doc = json!({"paths": {"/a": {"get": {"summary": "s"}}}});
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        match &err {
            OverlayError::Apply {
                place,
                node,
                problem,
            } => {
                assert_eq!(place.pointer, "/actions/0/update/~1a/get");
                assert_eq!(node.as_deref(), Some("/paths/~1a/get"));
                assert_eq!(
                    *problem,
                    ApplyProblem::IncompatibleMerge {
                        node: "an object",
                        update: "a string"
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        // 1.0 only says same-named properties are replaced.
        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.paths\n    update: {{'/a': {{get: text}}}}\n"
        ));
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc, json!({"paths": {"/a": {"get": "text"}}}));
    }

    #[test]
    fn remove_wins_over_update_and_root_cannot_be_removed() {
        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.a\n    update: {{x: 1}}\n    remove: true\n"
        ));
        let mut doc = json!({"a": {}, "b": 1});
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc, json!({"b": 1}));

        let o = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $\n    remove: true\n"
        ));
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        assert!(
            matches!(
                &err,
                OverlayError::Apply {
                    problem: ApplyProblem::RemoveRoot,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn copy_merges_the_single_source_node() {
        let o = overlay(&format!(
            "{HEAD_1_1}actions:\n  - target: $.paths['/bar']\n    copy: $.paths['/foo']\n"
        ));
        let mut doc = json!({"paths": {"/foo": {"get": {"x": 1}}, "/bar": {"put": {}}}});
        o.apply(&mut doc, Strictness::RequireMatch).unwrap();
        assert_eq!(
            doc,
            json!({"paths": {"/foo": {"get": {"x": 1}}, "/bar": {"put": {}, "get": {"x": 1}}}})
        );

        let o = overlay(&format!(
            "{HEAD_1_1}actions:\n  - target: $.paths['/bar']\n    copy: $.paths.*\n"
        ));
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        assert!(
            matches!(&err, OverlayError::Apply { place, problem: ApplyProblem::CopySource { found: 2, .. }, .. }
                if place.pointer == "/actions/0/copy"),
            "{err:?}"
        );
    }

    #[test]
    fn invalid_jsonpath_points_at_the_target() {
        let err = overlay_err(&format!("{HEAD_1_0}actions:\n  - target: $.paths[\n"));
        match &err {
            OverlayError::Invalid { place, problem } => {
                assert_eq!(place.action, Some(0));
                assert_eq!(place.target.as_deref(), Some("$.paths["));
                assert_eq!(place.pointer, "/actions/0/target");
                assert_eq!(place.file, Path::new("spec/overlays/x.yaml"));
                assert!(matches!(
                    problem,
                    Problem::InvalidJsonPath {
                        field: "target",
                        ..
                    }
                ));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().starts_with("overlay spec/overlays/x.yaml: action 0 (target `$.paths[`): `target` is not a valid RFC 9535 JSONPath"), "{err}");
        let err = overlay_err(&format!("{HEAD_1_0}actions:\n  - target: info.title\n"));
        assert!(
            matches!(
                &err,
                OverlayError::Invalid {
                    problem: Problem::NotRooted { field: "target" },
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn dashed_shorthand_names_are_bracketed() {
        let cases = [
            ("$.x-a", "$['x-a']"),
            ("$.x-a.b", "$['x-a'].b"),
            ("$.a.x-b-c.d", "$.a['x-b-c'].d"),
            ("$..x-a", "$..['x-a']"),
            ("$.a..x-b[0]", "$.a..['x-b'][0]"),
            ("$[?@.x-a.b-c]", "$[?@['x-a']['b-c']]"),
            (
                "$.paths.*.get[?@.x-oai-traits.paged]",
                "$.paths.*.get[?@['x-oai-traits'].paged]",
            ),
            // Trailing, doubled and non-ASCII: all name characters after the first.
            ("$.a-", "$['a-']"),
            ("$.a--1", "$['a--1']"),
            ("$.é-ß", "$['é-ß']"),
            // After `*`, `]`, blank space between segments, and `$` in a filter.
            ("$.*.x-a", "$.*['x-a']"),
            ("$['k'].x-a", "$['k']['x-a']"),
            ("$ .x-a", "$ ['x-a']"),
            ("$[?$.x-a == 1]", "$[?$['x-a'] == 1]"),
        ];
        for (written, rewritten) in cases {
            assert_eq!(
                bracket_dashed_names(written).as_deref(),
                Some(rewritten),
                "{written}"
            );
            assert!(JsonPath::parse(written).is_err(), "{written}");
            assert!(JsonPath::parse(rewritten).is_ok(), "{rewritten}");
            assert!(parse_json_path(written).is_ok(), "{written}");
        }
    }

    #[test]
    fn dashed_name_rewrite_leaves_everything_else_alone() {
        // Nothing to rewrite: valid shorthand, quoted names and string
        // literals (with escaped quotes), negative numbers and indices.
        for query in [
            "$.paths.*.get",
            "$..a_b1",
            "$['x-a'].b",
            "$[\"x-a\"]",
            "$[?@.a == 'x-b.c-d']",
            "$[?@.a == \"x\\\".b-c\"]",
            "$[?@.a == 'it\\'s .b-c']",
            "$[?@.a == -1.5e-3]",
            "$.a[-1]",
            "$.a[1:-1]",
            "$[?length(@.a) == 1]",
        ] {
            assert_eq!(bracket_dashed_names(query), None, "{query}");
        }
        // Only the dashed names outside quotes change.
        assert_eq!(
            bracket_dashed_names("$[?@.x-a == '.y-b' && @['z-c'].d-e == \"\\\".f-g\"]").as_deref(),
            Some("$[?@['x-a'] == '.y-b' && @['z-c']['d-e'] == \"\\\".f-g\"]")
        );
        // A name must still start with a letter, `_` or non-ASCII: `-` and
        // digits are not made valid first characters, so these stay invalid.
        for query in ["$.-a", "$.1-a", "$..-a", "$.a.-", "$[?@.-x]"] {
            assert_eq!(bracket_dashed_names(query), None, "{query}");
            assert!(parse_json_path(query).is_err(), "{query}");
        }
        // A `.` that does not follow a query is not a segment: the `.e-5` of
        // an (invalid) number is not turned into a name.
        assert_eq!(bracket_dashed_names("$[?@.a == 1.e-5]"), None);
        // Unterminated strings are copied to the end.
        assert_eq!(bracket_dashed_names("$[?@.a == 'x.b-c"), None);
    }

    #[test]
    fn dashed_name_leniency_keeps_the_original_error() {
        // Rewritten (`$['x-a'][`) but still invalid: the message is the one
        // for the query as written.
        let written = "$.x-a[";
        assert!(bracket_dashed_names(written).is_some());
        let original = JsonPath::parse(written).unwrap_err().to_string();
        let rewritten = JsonPath::parse("$['x-a'][").unwrap_err().to_string();
        assert_ne!(original, rewritten);
        assert_eq!(parse_json_path(written).unwrap_err().to_string(), original);
        let err = overlay_err(&format!("{HEAD_1_0}actions:\n  - target: $.x-a[\n"));
        match &err {
            OverlayError::Invalid {
                place,
                problem: Problem::InvalidJsonPath { field, message },
            } => {
                assert_eq!(*field, "target");
                assert_eq!(*message, original);
                assert_eq!(place.target.as_deref(), Some(written));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dashed_names_select_and_are_kept_as_written() {
        let o = overlay(&format!(
            "{HEAD_1_1}actions:
  - target: $.paths[?@.get.x-oai-traits.paged].get
    update: {{parameters: [top]}}
  - target: $.paths.*.x-extra
    copy: $..x-source
"
        ));
        assert_eq!(
            o.actions()[0].target(),
            "$.paths[?@.get.x-oai-traits.paged].get"
        );
        assert_eq!(o.actions()[1].copy(), Some("$..x-source"));
        let mut doc = json!({"paths": {
            "/a": {"get": {"x-oai-traits": {"paged": true}}, "x-extra": {}},
            "/b": {"get": {"x-oai-traits": {}}, "x-extra": {}},
        }, "x-source": {"n": 1}});
        o.apply(&mut doc, Strictness::RequireMatch).unwrap();
        assert_eq!(
            doc,
            json!({"paths": {
                "/a": {"get": {"x-oai-traits": {"paged": true}, "parameters": ["top"]}, "x-extra": {"n": 1}},
                "/b": {"get": {"x-oai-traits": {}}, "x-extra": {"n": 1}},
            }, "x-source": {"n": 1}})
        );
    }

    #[test]
    fn copy_is_rejected_in_1_0() {
        let actions = "actions:\n  - target: $.a\n    copy: $.b\n";
        let err = overlay_err(&format!("{HEAD_1_0}{actions}"));
        assert!(
            matches!(&err, OverlayError::Invalid { place, problem: Problem::NotInVersion { field: "copy", version: Version::V1_0 } }
                if place.pointer == "/actions/0/copy"),
            "{err:?}"
        );
        assert_eq!(
            overlay(&format!("{HEAD_1_1}{actions}")).actions()[0].copy(),
            Some("$.b")
        );
    }

    #[test]
    fn structure_is_validated() {
        let err = overlay_err(
            "overlay: 1.0.0\ninfo: {title: t, version: v, description: d}\nactions: [{target: $}]\n",
        );
        assert!(
            matches!(&err, OverlayError::Invalid { place, problem: Problem::NotInVersion { .. } } if place.pointer == "/info/description"),
            "{err:?}"
        );
        let o = overlay(
            "overlay: 1.1.3-rc\ninfo: {title: t, version: v, description: d, x-a: 1}\nextends: ./api.yaml\nactions: [{target: $, x-b: 2}]\nx-c: 3\n",
        );
        assert_eq!((o.version(), o.version_text()), (Version::V1_1, "1.1.3-rc"));
        assert_eq!(o.info().description(), Some("d"));
        assert_eq!(o.extends(), Some("./api.yaml"));
        let err = overlay_err(&format!(
            "{HEAD_1_1}actions:\n  - target: $.a\n  - target: $.b\n    bogus: 1\n"
        ));
        assert!(
            matches!(&err, OverlayError::Invalid { place, problem: Problem::UnknownField { .. } }
                if place.pointer == "/actions/1/bogus" && place.action == Some(1)),
            "{err:?}"
        );
        let err = overlay_err(&format!(
            "{HEAD_1_1}actions:\n  - {{target: $.a, update: 1}}\n  - {{update: 1, target: $.a}}\n"
        ));
        assert!(
            matches!(
                &err,
                OverlayError::Invalid {
                    place,
                    problem: Problem::DuplicateAction { first: 0 },
                } if place.action == Some(1)
            ),
            "{err:?}"
        );
        for bad in ["1.2.0", "1.0", "1.0.x", "v1.0.0", "1.0.0-"] {
            let err = overlay_err(&format!(
                "overlay: '{bad}'\ninfo: {{title: t, version: v}}\nactions: [{{target: $}}]\n"
            ));
            assert!(
                matches!(
                    &err,
                    OverlayError::Invalid {
                        problem: Problem::UnsupportedVersion { .. },
                        ..
                    }
                ),
                "{bad}: {err:?}"
            );
        }
    }

    #[test]
    fn require_match_rejects_a_field_added_twice() {
        let o = overlay(&format!(
            "{HEAD_1_0}actions:
  - target: $.props
    update: {{lifetime: {{type: integer}}}}
  - target: $.props
    update: {{lifetime: {{type: string}}}}
"
        ));
        let mut doc = json!({"props": {"token": {"type": "string"}}});
        let before = doc.clone();
        let err = o.apply(&mut doc, Strictness::RequireMatch).unwrap_err();
        assert_eq!(doc, before, "nothing applied");
        assert!(
            matches!(
                &err,
                OverlayError::Apply {
                    place,
                    node: Some(node),
                    problem: ApplyProblem::AddedTwice { action: 0, .. },
                } if place.action == Some(1)
                    && place.pointer == "/actions/1/update/lifetime/type"
                    && node == "/props/lifetime/type"
            ),
            "{err:?}"
        );
        // The standard: the later value wins.
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc["props"]["lifetime"]["type"], "string");
    }

    /// Whichever node the second action targets, replacing a value inside a
    /// field an earlier action added is an error; extending it is not.
    #[test]
    fn require_match_rejects_replacing_inside_an_added_field_at_any_depth() {
        let first = "  - target: $.props\n    update: {lifetime: {type: integer, enum: [1]}}\n";
        let doc = json!({"props": {"token": {"type": "string"}}});
        for (second, pointer, node) in [
            (
                "  - target: $.props.lifetime\n    update: {type: string}\n",
                "/actions/1/update/type",
                "/props/lifetime/type",
            ),
            (
                "  - target: $.props.lifetime.type\n    update: string\n",
                "/actions/1/update",
                "/props/lifetime/type",
            ),
        ] {
            let o = overlay(&format!("{HEAD_1_1}actions:\n{first}{second}"));
            let mut copy = doc.clone();
            let err = o.apply(&mut copy, Strictness::RequireMatch).unwrap_err();
            assert_eq!(copy, doc, "nothing applied");
            assert!(
                matches!(
                    &err,
                    OverlayError::Apply {
                        place,
                        node: Some(at),
                        problem: ApplyProblem::AddedTwice { action: 0, .. },
                    } if place.action == Some(1) && place.pointer == pointer && at == node
                ),
                "{second}: {err:?}"
            );
        }
        // New keys and array items extend the added field: nothing is lost.
        let o = overlay(&format!(
            "{HEAD_1_1}actions:\n{first}  - target: $.props\n    update: {{lifetime: {{x-note: n, enum: [2]}}}}\n"
        ));
        let mut copy = doc.clone();
        o.apply(&mut copy, Strictness::RequireMatch).unwrap();
        assert_eq!(
            copy["props"]["lifetime"],
            json!({"type": "integer", "enum": [1, 2], "x-note": "n"})
        );
    }

    #[test]
    fn removing_an_array_element_keeps_the_records_of_the_others() {
        let add = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.list[*]\n    update: {{x: 1}}\n"
        ));
        let remove_first = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.list[0]\n    remove: true\n"
        ));
        let mut doc = json!({"list": [{}, {}, {}]});
        let mut added = AddedFields::default();
        add.apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap();
        remove_first
            .apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap();
        // The two elements left moved down and still carry the added `x`.
        let keys: Vec<_> = added.by.keys().map(|at| to_pointer(at)).collect();
        assert_eq!(keys, ["/list/0/x", "/list/1/x"]);
        let err = add
            .apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap_err();
        assert!(
            matches!(
                &err,
                OverlayError::Apply {
                    node: Some(node),
                    problem: ApplyProblem::AddedTwice { action: 0, .. },
                    ..
                } if node == "/list/1/x"
            ),
            "{err:?}"
        );
    }

    #[test]
    fn added_fields_are_tracked_across_overlays_and_forgotten_when_removed() {
        let add = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.list[*]\n    update: {{x: 1}}\n"
        ));
        let mut doc = json!({"list": [{}, {"x": 0}], "fixed": {"x": 0}});
        let mut added = AddedFields::default();
        // Changing what the spec has is not adding twice.
        add.apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap();
        assert_eq!(
            doc,
            json!({"list": [{"x": 1}, {"x": 1}], "fixed": {"x": 0}})
        );
        let err = add
            .apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("action 0 added the field `/list/0/x`, which this would change"),
            "{err}"
        );
        // A fresh record (another document) does not know the field.
        add.apply_tracked(
            &mut doc,
            Strictness::RequireMatch,
            &mut AddedFields::default(),
        )
        .unwrap();
        // Removing the element that got the field (moving the next one into
        // its place) forgets it, so adding again is fine.
        let remove = overlay(&format!(
            "{HEAD_1_0}actions:\n  - target: $.list[0]\n    remove: true\n"
        ));
        remove
            .apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap();
        add.apply_tracked(&mut doc, Strictness::RequireMatch, &mut added)
            .unwrap();
    }

    // Regression tests for what the `spec_loader` fuzz target turned up
    // (fuzz/, RELIABILITY.md "Property tests and fuzzing"): each input
    // exhausted memory or time, or overflowed the stack, before its fix.

    /// The input of one regression test: `actions` (YAML list items) after
    /// the header of `version`.
    fn actions(version: &str, items: impl IntoIterator<Item = String>) -> String {
        let items: String = items.into_iter().collect();
        format!("overlay: {version}\ninfo: {{title: t, version: v}}\nactions:\n{items}")
    }

    fn apply_problem(err: &OverlayError) -> &ApplyProblem {
        match err {
            OverlayError::Apply { problem, .. } => problem,
            other => panic!("not an apply error: {other}"),
        }
    }

    #[test]
    fn copy_that_doubles_a_node_stops_at_the_size_budget() {
        // 40 actions doubling `a`: 2^40 elements before the budget.
        let o = overlay(&actions(
            "1.1.0",
            (0..40).map(|i| format!("  - {{target: $.a, copy: $.a, description: '{i}'}}\n")),
        ));
        let mut doc = json!({"a": [1]});
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        assert_eq!(
            apply_problem(&err),
            &ApplyProblem::TooLarge {
                limit: MAX_ADDED_SIZE
            }
        );
        // The budget ran out at action 19 (2^19 elements plus the 2^19 copied).
        assert!(err.to_string().contains("action 19"), "{err}");
        assert_eq!(doc, json!({"a": [1]}), "a failed overlay changes nothing");
        // Up to the budget, copies apply.
        let o = overlay(&actions(
            "1.1.0",
            (0..10).map(|i| format!("  - {{target: $.a, copy: $.a, description: '{i}'}}\n")),
        ));
        o.apply(&mut doc, Strictness::Standard).unwrap();
        assert_eq!(doc["a"].as_array().map(Vec::len), Some(1024));
    }

    #[test]
    fn updates_cannot_nest_deeper_than_parsed_yaml() {
        // Each action hangs a 240-level update below the previous one; 110 of
        // them made a document 26,000 levels deep, whose paths took
        // gigabytes.
        let o = overlay(&actions(
            "1.0.0",
            (0..110).map(|i| {
                let deep = format!("{}{{m: {}}}{}", "[".repeat(240), i + 1, "]".repeat(240));
                format!("  - target: $..[?@.m == {i}]\n    update: {{k: {deep}}}\n")
            }),
        ));
        let mut doc = json!({"a": {"m": 0}});
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        assert_eq!(
            apply_problem(&err),
            &ApplyProblem::TooDeep {
                limit: yaml::MAX_DEPTH
            }
        );
        assert!(err.to_string().contains("action 1 "), "{err}");
        // Exactly at the limit is fine. The target is 199 levels down (the
        // root is level 1), so its object is level 200 and an update with
        // 56 levels of arrays below its key reaches level 256.
        let mut deep = json!({});
        for _ in 0..200 {
            deep = json!({ "n": deep });
        }
        let update = |arrays: usize| {
            let value = format!("{}1{}", "[".repeat(arrays), "]".repeat(arrays));
            let target = format!("${}", ".n".repeat(199));
            overlay(&actions(
                "1.0.0",
                [format!(
                    "  - target: {target}\n    update: {{k: {value}}}\n"
                )],
            ))
        };
        update(56)
            .apply(&mut deep.clone(), Strictness::Standard)
            .unwrap();
        let err = update(57)
            .apply(&mut deep, Strictness::Standard)
            .unwrap_err();
        assert!(
            matches!(apply_problem(&err), ApplyProblem::TooDeep { .. }),
            "{err}"
        );
    }

    #[test]
    fn actions_sharing_one_aliased_update_load_and_duplicates_compare_exactly() {
        // 1,181 actions sharing one aliased 800-element update were compared
        // pairwise: over ten seconds. (Now that aliased text counts towards
        // the alias budget, 400 elements is what fits.) Tests assert no
        // timings: this checks that the hashed comparison still finds
        // exactly the duplicates `==` finds.
        let big = vec!["1"; 400].join(",");
        let text = actions(
            "1.0.0",
            std::iter::once(format!(
                "  - {{update: &big [{big}], target: $.a, description: x}}\n"
            ))
            .chain(
                (0..1180)
                    .map(|i| format!("  - {{update: *big, target: $.a, description: '{i}'}}\n")),
            ),
        );
        assert_eq!(overlay(&text).actions().len(), 1181);
        // Still exactly `==`: key order does not matter, 1 and 1.0 differ,
        // 0.0 and -0.0 do not.
        let dup = |a: &str, b: &str| {
            let text = actions(
                "1.0.0",
                [
                    format!("  - {{target: $.a, update: {a}}}\n"),
                    format!("  - {{target: $.a, update: {b}}}\n"),
                ],
            );
            let value = yaml::parse(&text, Path::new("x.yaml")).unwrap();
            match Overlay::from_value(Path::new("x.yaml"), &value) {
                Ok(_) => false,
                Err(OverlayError::Invalid {
                    problem: Problem::DuplicateAction { first: 0 },
                    ..
                }) => true,
                Err(other) => panic!("{other}"),
            }
        };
        assert!(dup("{x: 1, y: [a, {b: c}]}", "{y: [a, {b: c}], x: 1}"));
        assert!(!dup("{x: 1}", "{x: 1.0}"));
        assert!(dup("{x: 0.0}", "{x: -0.0}"));
        assert!(!dup("{x: [a, b]}", "{x: [b, a]}"));
        assert!(!dup("{x: {a: 1, b: 2}}", "{x: {a: 2, b: 1}}"));
    }

    #[test]
    fn a_query_selecting_too_many_nodes_is_refused() {
        // 490 aliases of a 1,000-element array, 250 levels deep: `$..*`
        // selects half a million nodes, each located by a 250-step path.
        let spec = format!(
            "a: &a [{}]\nd: {}{}{}\n",
            vec!["1"; 1000].join(","),
            "[".repeat(250),
            vec!["*a"; 490].join(","),
            "]".repeat(250)
        );
        let mut doc = yaml::parse(&spec, Path::new("spec.yaml")).unwrap();
        let o = overlay(&actions(
            "1.0.0",
            ["  - target: $..*\n    remove: true\n".to_owned()],
        ));
        let err = o.apply(&mut doc, Strictness::Standard).unwrap_err();
        assert!(
            matches!(
                apply_problem(&err),
                ApplyProblem::TooManySelected { found, limit: MAX_SELECTED } if *found > 490_000
            ),
            "{err}"
        );
    }

    #[test]
    fn selection_by_walking_the_document_keeps_the_order_and_dedups() {
        let doc = json!({"b": [{"x": 1}, {"x": 2}], "a": {"x": 3}});
        let path = |text: &str| select(&JsonPath::parse(text).unwrap(), &doc).unwrap();
        let key = |k: &str| Segment::Key(k.to_owned());
        assert_eq!(
            path("$..x"),
            vec![
                vec![key("a"), key("x")],
                vec![key("b"), Segment::Index(0), key("x")],
                vec![key("b"), Segment::Index(1), key("x")],
            ]
        );
        assert_eq!(path("$['a','a']"), vec![vec![key("a")]]);
        assert_eq!(path("$"), vec![Vec::<Segment>::new()]);
        assert!(path("$.nothing").is_empty());
    }

    #[test]
    fn costly_query_shapes_are_refused_before_parsing() {
        let problem = |query: &str| {
            let text = actions(
                "1.0.0",
                [format!("  - target: \"{query}\"\n    remove: true\n")],
            );
            match overlay_err(&text) {
                OverlayError::Invalid {
                    problem: Problem::TooCostly { reason, .. },
                    ..
                } => reason,
                other => panic!("{other}"),
            }
        };
        // Nested filters: exponential parse time (16 levels took a third
        // of a second, 100 never finished); 2,000 levels overflowed the
        // stack, as did 10,000 nested parentheses.
        let nested = format!("${}{}", "[?@".repeat(2000), "]".repeat(2000));
        assert!(problem(&nested).contains("nest deeper than 10"));
        let parens = format!("$[?{}@{}]", "(".repeat(10_000), ")".repeat(10_000));
        assert!(problem(&parens).contains("nest deeper than 10"));
        // Descendant segments multiply: `$..*..*..*` on a 30 KB document 240
        // levels deep did not finish.
        assert!(problem("$..*..*..*").contains("descendant"));
        assert!(problem("$..[?count(@..[?count(@..*) > 0]) > 0]").contains("descendant"));
        // Selector lists multiply: 8^12 copies of each node.
        let lists = format!("$.a{}", "[*,*,*,*,*,*,*,*]".repeat(12));
        assert!(problem(&lists).contains("combinations"));
        // What real overlays write stays valid, also with `..` and commas
        // inside strings, and nesting up to the limit.
        for query in [
            "$.paths['/locations'].get.responses['200']..properties[?(@.type == 'string')]",
            "$.paths.*.get.parameters[?@.name=='filter' && @.in=='query']",
            "$[?@.a == '..,,[[((']['x','y']",
            "$..x[?length(@) > 1]",
            &format!("${}{}", "[?@".repeat(10), "]".repeat(10)),
        ] {
            assert_eq!(too_costly(query), None, "{query}");
            assert!(parse_json_path(query).is_ok(), "{query}");
        }
    }

    #[test]
    fn match_and_search_compile_each_pattern_once_within_a_size_limit() {
        // A large pattern compiled for each of 5,000 strings took over ten
        // seconds; the registered functions cache it, and refuse (select
        // nothing with) a pattern that compiles too large, as they do an
        // invalid one.
        let doc = json!(["abc", "xabcx", "ABC", 1]);
        let select_texts = |query: &str| -> Vec<Value> {
            JsonPath::parse(query)
                .unwrap()
                .query(&doc)
                .all()
                .into_iter()
                .cloned()
                .collect()
        };
        assert_eq!(select_texts("$[?match(@, 'a.c')]"), vec![json!("abc")]);
        assert_eq!(
            select_texts("$[?search(@, 'a.c')]"),
            vec![json!("abc"), json!("xabcx")]
        );
        assert!(select_texts("$[?match(@, '(')]").is_empty());
        assert!(select_texts("$[?search(@, '[a-z]{1,300}[0-9]{0,300}[a-z]{0,300}')]").is_empty());
        let strings = Value::Array(vec![json!("abcdefghij"); 5000]);
        let found = JsonPath::parse("$[?search(@, 'c.e')]")
            .unwrap()
            .query(&strings)
            .len();
        assert_eq!(found, 5000);
    }
}
