//! Why an overlay could not be read, validated or applied: typed errors
//! that name the overlay file, the action, the JSON pointer of the value at
//! fault (with line and column when the text is known) and, for apply
//! errors, the document node.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::yaml::YamlError;

use super::Version;

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
    /// too fast (see [`MAX_QUERY_NESTING`](crate::MAX_QUERY_NESTING), [`MAX_DESCENDANT_SEGMENTS`](crate::MAX_DESCENDANT_SEGMENTS) and
    /// [`MAX_SELECTOR_COMBINATIONS`](crate::MAX_SELECTOR_COMBINATIONS)).
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
    /// A `target` or `copy` query selects more than [`MAX_SELECTED`](crate::MAX_SELECTED) nodes.
    #[error("the query selects {found} nodes; at most {limit} are supported")]
    TooManySelected {
        /// How many nodes it selects.
        found: usize,
        /// The limit, [`MAX_SELECTED`](crate::MAX_SELECTED).
        limit: usize,
    },
    /// The overlay's updates and copies would add more than
    /// [`MAX_ADDED_SIZE`](crate::MAX_ADDED_SIZE) to the document.
    #[error(
        "the overlay would add more than {limit} to the document (nodes plus bytes of text, counted once per node the value is applied to)"
    )]
    TooLarge {
        /// The budget, [`MAX_ADDED_SIZE`](crate::MAX_ADDED_SIZE).
        limit: usize,
    },
    /// The result would nest collections deeper than [`yaml::MAX_DEPTH`](crate::yaml::MAX_DEPTH),
    /// the bound every parsed spec file keeps (so that later recursive
    /// stages cannot overflow the stack).
    #[error("the result would nest deeper than {limit} levels")]
    TooDeep {
        /// The limit, [`yaml::MAX_DEPTH`](crate::yaml::MAX_DEPTH).
        limit: usize,
    },
    /// A node selected by the target was gone when the action reached it.
    /// Processing order rules this out; kept so that a bug is an error, not a panic.
    #[error("the selected node disappeared while the action was applied")]
    Vanished,
    /// An update replaces a value in a field that an earlier action added
    /// ([`Strictness::RequireMatch`](crate::Strictness::RequireMatch) only).
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
    /// (it was loaded with [`Overlay::load`](crate::Overlay::load) or [`Overlay::parse`](crate::Overlay::parse)).
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
    /// In [`Strictness::RequireMatch`](crate::Strictness::RequireMatch), an action's target selects nothing.
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
