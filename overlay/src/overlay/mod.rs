//! The overlay engine: an [`Overlay`] document, validated when it is read
//! ([`document`] and [`actions`]), and applied to a document ([`apply`],
//! [`merge`]) through JSONPath queries ([`query`], [`functions`],
//! [`select`]), with the fields it added recorded in strict mode
//! ([`added`]). The semantics are in the crate documentation.

mod actions;
mod added;
mod apply;
mod document;
mod error;
mod functions;
mod merge;
mod query;
mod select;
#[cfg(test)]
mod test_support;

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::yaml;
use document::Checker;

pub use added::AddedFields;
pub use apply::MAX_ADDED_SIZE;
pub use error::{ApplyProblem, OverlayError, Place, Problem};
pub use query::{MAX_DESCENDANT_SEGMENTS, MAX_QUERY_NESTING, MAX_SELECTOR_COMBINATIONS};
pub use select::MAX_SELECTED;

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
        let text = yaml::utf8_text(bytes).map_err(|(line, column)| OverlayError::NotUtf8 {
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
}
