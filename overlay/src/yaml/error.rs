//! [`YamlError`]: every way a text can fail to become a JSON value, each
//! with the file, and where it applies the line, column and JSON pointer.

use std::path::{Path, PathBuf};

/// Why a YAML document could not be turned into JSON.
///
/// `line` and `column` are 1-based. `pointer` is the RFC 6901 JSON pointer of
/// the offending node in the value being built (`""` is the root).
#[derive(Debug, thiserror::Error)]
pub enum YamlError {
    /// The text is not well-formed YAML.
    #[error("{}:{line}:{column}: YAML syntax error: {message}", file.display())]
    Syntax {
        /// The file the text came from.
        file: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's description of the problem.
        message: String,
    },
    /// The text holds no document at all (empty, or only comments).
    #[error("{}: the file contains no YAML document", file.display())]
    Empty {
        /// The file the text came from.
        file: PathBuf,
    },
    /// The text holds a second document; spec files must hold exactly one.
    #[error(
        "{}:{line}:{column}: a second YAML document starts here; exactly one is allowed",
        file.display()
    )]
    MultipleDocuments {
        /// The file the text came from.
        file: PathBuf,
        /// 1-based line where the second document starts.
        line: usize,
        /// 1-based column where the second document starts.
        column: usize,
    },
    /// A mapping key is a mapping or sequence, which JSON cannot represent.
    #[error(
        "{}:{line}:{column}: a key of the mapping {} is a {kind}; only scalar keys are allowed",
        file.display(),
        if pointer.is_empty() { "at the document root".to_owned() } else { format!("at `{pointer}`") }
    )]
    NonScalarKey {
        /// The file the text came from.
        file: PathBuf,
        /// 1-based line of the key.
        line: usize,
        /// 1-based column of the key.
        column: usize,
        /// Pointer of the mapping that holds the key.
        pointer: String,
        /// What the key is instead ("mapping" or "sequence").
        kind: &'static str,
    },
    /// The same key appears twice in one mapping.
    #[error(
        "{}:{line}:{column}: duplicate key `{key}` (at `{pointer}`); it is already defined at line {first_line}",
        file.display()
    )]
    DuplicateKey {
        /// The file the text came from.
        file: PathBuf,
        /// 1-based line of the second occurrence.
        line: usize,
        /// 1-based column of the second occurrence.
        column: usize,
        /// Pointer of the entry the key names.
        pointer: String,
        /// The duplicated key.
        key: String,
        /// 1-based line of the first occurrence.
        first_line: usize,
    },
    /// A node carries a tag outside the core schema.
    #[error(
        "{}:{line}:{column}: unsupported tag `{tag}` at `{pointer}`; only the core tags !!str, !!int, !!float, !!bool, !!null, !!map and !!seq are allowed",
        file.display()
    )]
    UnsupportedTag {
        /// The file the text came from.
        file: PathBuf,
        /// 1-based line of the tagged node.
        line: usize,
        /// 1-based column of the tagged node.
        column: usize,
        /// Pointer of the tagged node.
        pointer: String,
        /// The tag as written (core tags shown as `!!name`).
        tag: String,
    },
    /// A core tag was put on a node it cannot describe (`!!int abc`, `!!map` on a sequence).
    #[error(
        "{}:{line}:{column}: `{text}` at `{pointer}` is not a valid `{tag}`",
        file.display()
    )]
    TagMismatch {
        /// The file the text came from.
        file: PathBuf,
        /// 1-based line of the tagged node.
        line: usize,
        /// 1-based column of the tagged node.
        column: usize,
        /// Pointer of the tagged node.
        pointer: String,
        /// The tag as written.
        tag: String,
        /// The scalar's text, or "mapping"/"sequence" for collections.
        text: String,
    },
    /// A scalar resolves to a number JSON cannot hold (infinity, NaN, or a float overflowing to infinity).
    #[error(
        "{}:{line}:{column}: `{text}` at `{pointer}` is not representable in JSON (quote it to make it a string)",
        file.display()
    )]
    NotRepresentable {
        /// The file the text came from.
        file: PathBuf,
        /// 1-based line of the scalar.
        line: usize,
        /// 1-based column of the scalar.
        column: usize,
        /// Pointer of the scalar.
        pointer: String,
        /// The scalar's text.
        text: String,
    },
    /// An alias refers to a node that is still being built (a node containing its own alias).
    #[error(
        "{}:{line}:{column}: alias at `{pointer}` refers to a node that contains it",
        file.display()
    )]
    RecursiveAlias {
        /// The file the text came from.
        file: PathBuf,
        /// 1-based line of the alias.
        line: usize,
        /// 1-based column of the alias.
        column: usize,
        /// Pointer of the alias.
        pointer: String,
    },
    /// Expanding aliases would add more than [`MAX_ALIAS_SIZE`](super::MAX_ALIAS_SIZE) (nodes plus
    /// bytes of text).
    #[error(
        "{}:{line}:{column}: alias at `{pointer}` would make aliases add more than {limit} to the document (nodes plus bytes of text)",
        file.display()
    )]
    AliasBudgetExceeded {
        /// The file the text came from.
        file: PathBuf,
        /// 1-based line of the alias that broke the budget.
        line: usize,
        /// 1-based column of the alias that broke the budget.
        column: usize,
        /// Pointer of the alias.
        pointer: String,
        /// The budget, [`MAX_ALIAS_SIZE`](super::MAX_ALIAS_SIZE).
        limit: usize,
    },
    /// Collections nest deeper than [`MAX_DEPTH`](super::MAX_DEPTH).
    #[error(
        "{}:{line}:{column}: collection at `{pointer}` nests deeper than {limit} levels",
        file.display()
    )]
    TooDeep {
        /// The file the text came from.
        file: PathBuf,
        /// 1-based line of the collection that is too deep.
        line: usize,
        /// 1-based column of the collection that is too deep.
        column: usize,
        /// Pointer of the collection.
        pointer: String,
        /// The limit, [`MAX_DEPTH`](super::MAX_DEPTH).
        limit: usize,
    },
}

impl YamlError {
    /// The file the error is about.
    #[must_use]
    pub fn file(&self) -> &Path {
        match self {
            Self::Syntax { file, .. }
            | Self::Empty { file }
            | Self::MultipleDocuments { file, .. }
            | Self::NonScalarKey { file, .. }
            | Self::DuplicateKey { file, .. }
            | Self::UnsupportedTag { file, .. }
            | Self::TagMismatch { file, .. }
            | Self::NotRepresentable { file, .. }
            | Self::RecursiveAlias { file, .. }
            | Self::AliasBudgetExceeded { file, .. }
            | Self::TooDeep { file, .. } => file,
        }
    }

    /// 1-based (line, column) of the error, where known.
    #[must_use]
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            Self::Empty { .. } => None,
            Self::Syntax { line, column, .. }
            | Self::MultipleDocuments { line, column, .. }
            | Self::NonScalarKey { line, column, .. }
            | Self::DuplicateKey { line, column, .. }
            | Self::UnsupportedTag { line, column, .. }
            | Self::TagMismatch { line, column, .. }
            | Self::NotRepresentable { line, column, .. }
            | Self::RecursiveAlias { line, column, .. }
            | Self::AliasBudgetExceeded { line, column, .. }
            | Self::TooDeep { line, column, .. } => Some((*line, *column)),
        }
    }

    /// JSON pointer of the offending node, where it makes sense.
    #[must_use]
    pub fn pointer(&self) -> Option<&str> {
        match self {
            Self::Syntax { .. } | Self::Empty { .. } | Self::MultipleDocuments { .. } => None,
            Self::NonScalarKey { pointer, .. }
            | Self::DuplicateKey { pointer, .. }
            | Self::UnsupportedTag { pointer, .. }
            | Self::TagMismatch { pointer, .. }
            | Self::NotRepresentable { pointer, .. }
            | Self::RecursiveAlias { pointer, .. }
            | Self::AliasBudgetExceeded { pointer, .. }
            | Self::TooDeep { pointer, .. } => Some(pointer),
        }
    }
}
