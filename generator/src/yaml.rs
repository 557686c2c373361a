//! YAML text to `serde_json::Value`, with line numbers for errors.
//!
//! The spec is YAML but everything downstream works on JSON values, so this
//! module is the only place that knows about YAML. It builds the value
//! straight from `saphyr-parser` events, which lets it apply exactly the
//! rules the generator relies on:
//!
//! - plain scalars are resolved with the YAML 1.2 core schema, and values
//!   JSON cannot hold (`.inf`, `.nan`) are errors rather than silently lossy;
//! - mapping keys are the scalar's text, never a resolved number, so the
//!   spec's unquoted `1.10:` keys stay `"1.10"` instead of becoming `1.1`;
//! - duplicate keys, non-scalar keys, unknown tags and more than one document
//!   are errors, each naming the file, line, column and JSON pointer;
//! - aliases are expanded by cloning, under a size budget (nodes and text)
//!   so that a small "billion laughs" file cannot exhaust memory;
//! - one deviation from YAML 1.2, shared with libyaml and needed by the
//!   Matrix spec: a flow collection's closing bracket may sit at its parent
//!   key's indentation (the `Source` type explains how).
//!
//! [`position_of`] re-reads the text to find where a JSON pointer lives; it is
//! meant for enriching errors found later in the pipeline, so it costs
//! nothing unless an error is actually reported.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span, Tag};
use serde_json::{Map, Number, Value};

/// How much alias expansion may add to one document in total, counting each
/// node as 1 plus the bytes of its text (for scalars, including keys).
///
/// Text counts because an alias copies it: a budget of nodes alone let a
/// 32 KiB file alias one 20 KB string 800,000 times (16 GB).
/// The spec uses few or no aliases; a million (a million nodes, or a
/// megabyte of copied text) is far above anything legitimate and far below
/// what would hurt.
pub const MAX_ALIAS_SIZE: usize = 1_000_000;

/// How deeply collections may nest.
///
/// `serde_json::Value` drops, clones and compares recursively, so unbounded
/// nesting from hostile input could overflow the stack later, far from here.
pub const MAX_DEPTH: usize = 256;

/// The tag handle the parser reports for `!!` tags.
const CORE_HANDLE: &str = "tag:yaml.org,2002:";

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
    /// Expanding aliases would add more than [`MAX_ALIAS_SIZE`] (nodes plus
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
        /// The budget, [`MAX_ALIAS_SIZE`].
        limit: usize,
    },
    /// Collections nest deeper than [`MAX_DEPTH`].
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
        /// The limit, [`MAX_DEPTH`].
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

/// Parses one YAML document into JSON.
///
/// See the module documentation for the exact semantics. `file` is used in
/// errors only.
///
/// # Errors
///
/// Any [`YamlError`]: syntax errors, no document or more than one, keys that
/// are not scalars or repeat, unsupported tags, numbers JSON cannot hold, and
/// alias or nesting limits.
pub fn parse(text: &str, file: &Path) -> Result<Value, YamlError> {
    parse_patching(text, file, true).or_else(|speculated| match speculated {
        Speculation::Failed => parse_patching(text, file, false).map_err(|e| match e {
            Speculation::Final(error) => error,
            // Not reached: without speculation every failure is final.
            Speculation::Failed => YamlError::Empty {
                file: file.to_path_buf(),
            },
        }),
        Speculation::Final(error) => Err(error),
    })
}

/// Why [`parse_patching`] stopped without a value.
#[derive(Debug)]
enum Speculation {
    /// The error of the text (no speculative patch was involved).
    Final(YamlError),
    /// Speculative patches were made and then the parse failed, or a
    /// speculatively indented bracket did not end a flow collection: parse
    /// again without speculating. Never returned without speculation.
    Failed,
}

/// Parses `text`, patching under-indented flow closers (see [`Source`]).
///
/// Each patch restarts the parse, and the spec needs about 400 of them in
/// 140 files. With `speculate`, the first patch in a file also indents every
/// later line that starts with a closing bracket, so a file is usually
/// parsed twice instead of once per bracket. The result is used only if the
/// parser ended a flow collection at every bracket so indented: whitespace
/// before a flow indicator has no meaning, and more indentation never makes
/// a flow closer invalid, so the value is the one that patching the
/// brackets one by one gives. Otherwise (a bracket that was block scalar or
/// plain scalar text, or any error) the text is parsed again without
/// speculating.
fn parse_patching(text: &str, file: &Path, speculate: bool) -> Result<Value, Speculation> {
    let mut source = Source::new(text);
    let speculated = |source: &Source<'_>| !source.speculative.is_empty();
    loop {
        match Builder::new(file, &source).run() {
            Ok((value, collection_ends)) => {
                if !source.speculation_holds(&collection_ends) {
                    return Err(Speculation::Failed);
                }
                return Ok(value);
            }
            Err(Failure::Yaml(_)) if speculated(&source) => return Err(Speculation::Failed),
            Err(Failure::Yaml(error)) => return Err(Speculation::Final(error)),
            Err(Failure::Scan(error)) => {
                let first = source.fixes == 0;
                let fixed = source.fix_flow_closer(&error);
                if fixed && first && speculate {
                    source.indent_closers_after(error.marker().line());
                }
                if !fixed && speculated(&source) {
                    return Err(Speculation::Failed);
                }
                if !fixed {
                    let (line, column) = source.at(*error.marker());
                    return Err(Speculation::Final(YamlError::Syntax {
                        file: file.to_path_buf(),
                        line,
                        column,
                        message: error.info().to_owned(),
                    }));
                }
            }
        }
    }
}

/// 1-based (line, column) of the node at `pointer` in `text`, if it exists.
///
/// `pointer` is an RFC 6901 JSON pointer (`""` is the root). For a mapping
/// entry the position is that of its **key**, which is where a reader looks
/// for `/paths/~1foo` and is on the same line as a scalar value anyway. For a
/// sequence element it is the element itself. If the pointer runs into an
/// alias, the position of the alias's own entry is returned, since the
/// aliased content is written elsewhere.
///
/// Returns `None` if the pointer is malformed, does not exist, or the text
/// fails to parse before the node is reached.
#[must_use]
pub fn position_of(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let target = split_pointer(pointer)?;
    let mut source = Source::new(text);
    loop {
        match locate(source.text(), &target) {
            Ok(found) => return found.map(|mark| source.at(mark)),
            Err(error) => {
                if !source.fix_flow_closer(&error) {
                    return None;
                }
            }
        }
    }
}

/// Walks the events of `text` to the node at `target`; see [`position_of`].
fn locate(text: &str, target: &[String]) -> Result<Option<Marker>, ScanError> {
    let mut parser = Parser::new_from_str(text);
    // One entry per open collection on the path towards the target.
    let mut frames: Vec<LocateFrame> = Vec::new();
    // Nesting depth inside a subtree that cannot contain the target.
    let mut skipping = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, span) = next?;
        if skipping > 0 {
            match event {
                Event::SequenceStart(..) | Event::MappingStart(..) => skipping += 1,
                Event::SequenceEnd | Event::MappingEnd => {
                    skipping -= 1;
                    if skipping == 0 {
                        advance(&mut frames);
                    }
                }
                _ => {}
            }
            continue;
        }
        let is_collection = matches!(event, Event::SequenceStart(..) | Event::MappingStart(..));
        match event {
            Event::StreamEnd => break,
            Event::SequenceEnd | Event::MappingEnd => {
                frames.pop();
                advance(&mut frames);
            }
            Event::Scalar(..)
            | Event::Alias(_)
            | Event::SequenceStart(..)
            | Event::MappingStart(..) => {
                // A mapping expecting a key: this node is the key, not a value.
                if let Some(LocateFrame::Map { key: key @ None }) = frames.last_mut() {
                    if is_collection {
                        skipping = 1;
                    } else if let Event::Scalar(text, ..) = &event {
                        *key = Some((Some(text.to_string()), span.start));
                    } else {
                        // An alias used as a key: its text is written
                        // elsewhere, so no pointer segment names it here.
                        *key = Some((None, span.start));
                    }
                    continue;
                }
                let depth = frames.len();
                let on_path = depth <= target.len()
                    && frames
                        .iter()
                        .zip(target)
                        .all(|(frame, segment)| frame.segment_matches(segment));
                if !on_path {
                    if is_collection {
                        skipping = 1;
                    } else {
                        advance(&mut frames);
                    }
                    continue;
                }
                let here = match frames.last() {
                    Some(LocateFrame::Map {
                        key: Some((_, mark)),
                    }) => *mark,
                    _ => span.start,
                };
                if depth == target.len() || matches!(event, Event::Alias(_)) {
                    return Ok(Some(here));
                }
                match event {
                    Event::SequenceStart(..) => frames.push(LocateFrame::Seq { index: 0 }),
                    Event::MappingStart(..) => frames.push(LocateFrame::Map { key: None }),
                    // A scalar cannot contain the rest of the pointer.
                    _ => return Ok(None),
                }
            }
            _ => {}
        }
    }
    Ok(None)
}

/// The text being parsed, with the patches applied so far.
///
/// The Matrix spec (like much YAML written for libyaml-based tools) closes
/// multi-line flow collections with a bracket aligned with the parent key:
///
/// ```yaml
/// example: {
///   "reason": "this makes me sad"
/// }
/// ```
///
/// YAML 1.2 requires flow content to be indented deeper than the enclosing
/// block, and saphyr enforces that while libyaml does not. Rather than reject
/// a hundred spec files, a closing bracket that starts its line and fails only
/// the indentation check gets indented further and the text is parsed again.
/// Only the scanner's own error position is patched, so block scalars (where
/// a `}` line is content) are never touched; leading whitespace before a flow
/// indicator carries no meaning, so the value is unchanged.
struct Source<'t> {
    text: std::borrow::Cow<'t, str>,
    /// Spaces inserted at the start of each (1-based) line.
    added: HashMap<usize, usize>,
    fixes: usize,
    /// Lines indented by [`Source::indent_closers_after`] (ascending), with
    /// their indentation in the original text.
    speculative: Vec<(usize, usize)>,
}

/// How many closing-bracket patches one text may need before the parser
/// gives up; far above the spec's worst file, and bounds the re-parsing.
const MAX_FLOW_FIXES: usize = 1024;

impl<'t> Source<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text: std::borrow::Cow::Borrowed(text),
            added: HashMap::new(),
            fixes: 0,
            speculative: Vec::new(),
        }
    }

    /// Indents by one space every line after `line` (1-based) that starts
    /// with `}` or `]` after its indentation; see [`parse_patching`].
    fn indent_closers_after(&mut self, line: usize) {
        let mut out = String::with_capacity(self.text.len() + 256);
        for (index, text) in self.text.split_inclusive('\n').enumerate() {
            let number = index + 1;
            let rest = text.trim_start_matches(' ');
            if number > line && rest.starts_with(['}', ']']) {
                out.push(' ');
                // Lines after the first patch have not been patched yet.
                self.added.insert(number, 1);
                self.speculative.push((number, text.len() - rest.len()));
            }
            out.push_str(text);
        }
        self.text = std::borrow::Cow::Owned(out);
    }

    /// Whether every speculatively indented bracket ended a flow collection:
    /// `collection_ends` holds the (line, column) of each collection end
    /// event, in the patched text, in order. The parser's events do not say
    /// whether a collection was flow or block, so block ends are in the list
    /// too: a bracket passes if some collection ended exactly at its
    /// position. A test parses every file of the real spec both ways (with
    /// and without speculation) and compares the values.
    fn speculation_holds(&self, collection_ends: &[(usize, usize)]) -> bool {
        self.speculative.iter().all(|&(line, indent)| {
            let column = indent + self.added.get(&line).copied().unwrap_or(0);
            collection_ends.binary_search(&(line, column)).is_ok()
        })
    }

    fn text(&self) -> &str {
        &self.text
    }

    /// 1-based (line, column) in the original text of a marker in the patched text.
    fn at(&self, mark: Marker) -> (usize, usize) {
        let shift = self.added.get(&mark.line()).copied().unwrap_or(0);
        (mark.line(), mark.col().saturating_sub(shift) + 1)
    }

    /// Patches the text if `error` is an under-indented flow closer; see the type docs.
    fn fix_flow_closer(&mut self, error: &ScanError) -> bool {
        if error.info() != "invalid indentation" || self.fixes >= MAX_FLOW_FIXES {
            return false;
        }
        let mark = error.marker();
        let Some(line_start) = line_start(&self.text, mark.line()) else {
            return false;
        };
        let line = self.text[line_start..]
            .split('\n')
            .next()
            .unwrap_or_default();
        let indent = line.len() - line.trim_start_matches(' ').len();
        let closer = line[indent..].starts_with(['}', ']']);
        // The scanner counts columns in characters; the indentation is ASCII
        // spaces, so a match confirms the error is at this bracket.
        if !closer || indent != mark.col() {
            return false;
        }
        let entry = self.added.entry(mark.line()).or_insert(0);
        // Usually one space is enough; doubling bounds the retries when not.
        let more = (*entry).max(1);
        *entry += more;
        self.fixes += 1;
        self.text.to_mut().insert_str(line_start, &" ".repeat(more));
        true
    }
}

/// Byte offset where 1-based `line` starts.
fn line_start(text: &str, line: usize) -> Option<usize> {
    if line == 1 {
        return Some(0);
    }
    text.match_indices('\n')
        .nth(line.checked_sub(2)?)
        .map(|(offset, _)| offset + 1)
}

/// An open collection while searching for a pointer.
enum LocateFrame {
    /// A sequence; `index` is the element being read.
    Seq { index: usize },
    /// A mapping; `key` is the key of the value being read, if any
    /// (its text is `None` for an alias used as a key).
    Map {
        key: Option<(Option<String>, Marker)>,
    },
}

impl LocateFrame {
    fn segment_matches(&self, segment: &str) -> bool {
        match self {
            Self::Seq { index } => index.to_string() == segment,
            Self::Map { key } => key
                .as_ref()
                .is_some_and(|(text, _)| text.as_deref() == Some(segment)),
        }
    }
}

/// Moves the innermost open collection past the node just finished.
fn advance(frames: &mut [LocateFrame]) {
    match frames.last_mut() {
        Some(LocateFrame::Seq { index }) => *index += 1,
        Some(LocateFrame::Map { key }) => *key = None,
        None => {}
    }
}

/// Splits an RFC 6901 pointer into unescaped segments.
fn split_pointer(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/')
        .map(|segment| {
            // `~` must be followed by 0 or 1; anything else is malformed.
            let mut out = String::with_capacity(segment.len());
            let mut chars = segment.chars();
            while let Some(c) = chars.next() {
                if c == '~' {
                    match chars.next() {
                        Some('0') => out.push('~'),
                        Some('1') => out.push('/'),
                        _ => return None,
                    }
                } else {
                    out.push(c);
                }
            }
            Some(out)
        })
        .collect()
}

/// Escapes one pointer segment per RFC 6901.
fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A finished node on its way into its parent.
struct Node {
    value: Value,
    /// Nodes plus bytes of scalar text in this subtree, for the alias budget.
    size: usize,
    /// For scalars, the text to use when the node is a mapping key.
    key_text: Option<String>,
    start: Marker,
}

/// A value kept for later aliases.
struct Anchored {
    value: Value,
    size: usize,
    key_text: Option<String>,
}

enum Container {
    Seq(Vec<Value>),
    Map {
        entries: Map<String, Value>,
        /// Where each key was first seen, for duplicate-key messages.
        key_lines: HashMap<String, usize>,
        /// The key whose value is being read, if any.
        pending: Option<String>,
    },
}

/// A collection being built.
struct Frame {
    container: Container,
    anchor: usize,
    size: usize,
    start: Marker,
}

struct Builder<'f, 's, 't> {
    file: &'f Path,
    source: &'s Source<'t>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    /// What aliases have added so far, as counted for [`MAX_ALIAS_SIZE`].
    alias_size: usize,
    root: Option<Value>,
    /// (line, column) of each collection end, for
    /// [`Source::speculation_holds`].
    collection_ends: Vec<(usize, usize)>,
}

/// Why one parsing attempt stopped.
enum Failure {
    /// A scanner error, which [`Source::fix_flow_closer`] may be able to patch.
    Scan(ScanError),
    /// Anything else; final.
    Yaml(YamlError),
}

impl From<YamlError> for Failure {
    fn from(error: YamlError) -> Self {
        Self::Yaml(error)
    }
}

impl<'f, 's, 't> Builder<'f, 's, 't> {
    fn new(file: &'f Path, source: &'s Source<'t>) -> Self {
        Self {
            file,
            source,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_size: 0,
            root: None,
            collection_ends: Vec::new(),
        }
    }

    /// The document, and where its collections end.
    fn run(mut self) -> Result<(Value, Vec<(usize, usize)>), Failure> {
        let mut parser = Parser::new_from_str(self.source.text());
        let mut documents = 0usize;
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(Failure::Scan)?;
            match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        let (line, column) = self.at(span.start);
                        return Err(Failure::Yaml(YamlError::MultipleDocuments {
                            file: self.file.to_path_buf(),
                            line,
                            column,
                        }));
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    self.scalar(&text, style, anchor, tag.as_deref(), span)?;
                }
                Event::Alias(id) => self.alias(id, span)?,
                Event::SequenceStart(anchor, tag) => {
                    self.open(Container::Seq(Vec::new()), anchor, tag.as_deref(), span)?;
                }
                Event::MappingStart(anchor, tag) => {
                    let map = Container::Map {
                        entries: Map::new(),
                        key_lines: HashMap::new(),
                        pending: None,
                    };
                    self.open(map, anchor, tag.as_deref(), span)?;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    self.collection_ends
                        .push((span.start.line(), span.start.col()));
                    self.close()?;
                }
                Event::StreamEnd => break,
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            }
        }
        // Events come in text order; sorted anyway for the binary search.
        self.collection_ends.sort_unstable();
        match self.root {
            Some(root) => Ok((root, self.collection_ends)),
            None => Err(Failure::Yaml(YamlError::Empty {
                file: self.file.to_path_buf(),
            })),
        }
    }

    fn at(&self, mark: Marker) -> (usize, usize) {
        self.source.at(mark)
    }

    /// Pointer of the node currently being read (for a key, its mapping's).
    fn pointer(&self) -> String {
        let mut out = String::new();
        for frame in &self.stack {
            match &frame.container {
                Container::Seq(items) => {
                    out.push('/');
                    out.push_str(&items.len().to_string());
                }
                Container::Map {
                    pending: Some(key), ..
                } => {
                    out.push('/');
                    out.push_str(&escape_segment(key));
                }
                Container::Map { pending: None, .. } => {}
            }
        }
        out
    }

    /// True when the next node will be a mapping key.
    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                container: Container::Map { pending: None, .. },
                ..
            })
        )
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), YamlError> {
        let value = if self.expecting_key() {
            // Keys keep their text; only check the tag is one we accept.
            if let Some(tag) = tag {
                match classify_tag(tag) {
                    TagKind::Other => return Err(self.unsupported_tag(tag, span)),
                    TagKind::Map | TagKind::Seq => {
                        return Err(self.tag_mismatch(tag, text, span));
                    }
                    _ => {}
                }
            }
            Value::String(text.to_owned())
        } else {
            match (resolve_scalar(text, style, tag), tag) {
                (Ok(value), _) => value,
                (Err(ScalarProblem::UnsupportedTag), Some(tag)) => {
                    return Err(self.unsupported_tag(tag, span));
                }
                (Err(ScalarProblem::TagMismatch), Some(tag)) => {
                    return Err(self.tag_mismatch(tag, text, span));
                }
                // Untagged scalars can only fail by being unrepresentable.
                (Err(_), _) => {
                    let (line, column) = self.at(span.start);
                    return Err(YamlError::NotRepresentable {
                        file: self.file.to_path_buf(),
                        line,
                        column,
                        pointer: self.pointer(),
                        text: text.to_owned(),
                    });
                }
            }
        };
        let node = Node {
            value,
            size: 1 + text.len(),
            key_text: Some(text.to_owned()),
            start: span.start,
        };
        self.finish(node, anchor)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), YamlError> {
        let (line, column) = self.at(span.start);
        let Some(anchored) = self.anchors.get(&id) else {
            // The parser rejects unknown anchors, so a missing entry means
            // the anchored node is still open, i.e. contains this alias.
            return Err(YamlError::RecursiveAlias {
                file: self.file.to_path_buf(),
                line,
                column,
                pointer: self.pointer(),
            });
        };
        let total = self.alias_size.saturating_add(anchored.size);
        if total > MAX_ALIAS_SIZE {
            return Err(YamlError::AliasBudgetExceeded {
                file: self.file.to_path_buf(),
                line,
                column,
                pointer: self.pointer(),
                limit: MAX_ALIAS_SIZE,
            });
        }
        self.alias_size = total;
        let node = Node {
            value: anchored.value.clone(),
            size: anchored.size,
            key_text: anchored.key_text.clone(),
            start: span.start,
        };
        // Re-anchoring is impossible on an alias, hence anchor 0.
        self.finish(node, 0)
    }

    fn open(
        &mut self,
        container: Container,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), YamlError> {
        let (kind, expected) = match container {
            Container::Seq(_) => ("sequence", TagKind::Seq),
            Container::Map { .. } => ("mapping", TagKind::Map),
        };
        if self.expecting_key() {
            let (line, column) = self.at(span.start);
            return Err(YamlError::NonScalarKey {
                file: self.file.to_path_buf(),
                line,
                column,
                pointer: self.pointer(),
                kind,
            });
        }
        if let Some(tag) = tag {
            match classify_tag(tag) {
                TagKind::Other => return Err(self.unsupported_tag(tag, span)),
                TagKind::NonSpecific => {}
                found if found == expected => {}
                _ => return Err(self.tag_mismatch(tag, kind, span)),
            }
        }
        if self.stack.len() >= MAX_DEPTH {
            let (line, column) = self.at(span.start);
            return Err(YamlError::TooDeep {
                file: self.file.to_path_buf(),
                line,
                column,
                pointer: self.pointer(),
                limit: MAX_DEPTH,
            });
        }
        self.stack.push(Frame {
            container,
            anchor,
            size: 1,
            start: span.start,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlError> {
        // The parser balances start and end events, so an empty stack here
        // cannot happen; treating it as a no-op keeps this panic-free.
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let value = match frame.container {
            Container::Seq(items) => Value::Array(items),
            Container::Map { entries, .. } => Value::Object(entries),
        };
        let node = Node {
            value,
            size: frame.size,
            key_text: None,
            start: frame.start,
        };
        self.finish(node, frame.anchor)
    }

    /// Hands a finished node to its parent (or makes it the root).
    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    value: node.value.clone(),
                    size: node.size,
                    key_text: node.key_text.clone(),
                },
            );
        }
        let (line, column) = self.at(node.start);
        if self.expecting_key() {
            // Checked before borrowing the parent mutably, so that the
            // pointer (costly: the whole path, escaped) is built for errors
            // only.
            self.check_key(&node, line, column)?;
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node.value);
            return Ok(());
        };
        parent.size = parent.size.saturating_add(node.size);
        match &mut parent.container {
            Container::Seq(items) => items.push(node.value),
            Container::Map {
                entries,
                key_lines,
                pending,
            } => match pending.take() {
                Some(key) => {
                    entries.insert(key, node.value);
                }
                None => {
                    // `check_key` made sure a key node has its text.
                    if let Some(key) = node.key_text {
                        key_lines.insert(key.clone(), line);
                        *pending = Some(key);
                    }
                }
            },
        }
        Ok(())
    }

    /// A node about to become a key of the innermost mapping must be a
    /// scalar (or an alias of one) not already used as a key there.
    fn check_key(&self, node: &Node, line: usize, column: usize) -> Result<(), YamlError> {
        let Some(key) = &node.key_text else {
            // Only an alias of a collection gets here; collections
            // written in place were rejected when they opened.
            let kind = if node.value.is_array() {
                "sequence"
            } else {
                "mapping"
            };
            return Err(YamlError::NonScalarKey {
                file: self.file.to_path_buf(),
                line,
                column,
                pointer: self.pointer(),
                kind,
            });
        };
        if let Some(Frame {
            container: Container::Map { key_lines, .. },
            ..
        }) = self.stack.last()
            && let Some(&first_line) = key_lines.get(key)
        {
            return Err(YamlError::DuplicateKey {
                file: self.file.to_path_buf(),
                line,
                column,
                pointer: format!("{}/{}", self.pointer(), escape_segment(key)),
                key: key.clone(),
                first_line,
            });
        }
        Ok(())
    }

    fn unsupported_tag(&self, tag: &Tag, span: Span) -> YamlError {
        let (line, column) = self.at(span.start);
        YamlError::UnsupportedTag {
            file: self.file.to_path_buf(),
            line,
            column,
            pointer: self.pointer(),
            tag: TagDisplay(tag).to_string(),
        }
    }

    fn tag_mismatch(&self, tag: &Tag, text: &str, span: Span) -> YamlError {
        let (line, column) = self.at(span.start);
        YamlError::TagMismatch {
            file: self.file.to_path_buf(),
            line,
            column,
            pointer: self.pointer(),
            tag: TagDisplay(tag).to_string(),
            text: text.to_owned(),
        }
    }
}

/// Shows core tags as `!!name`, the way they are written.
struct TagDisplay<'t>(&'t Tag);

impl fmt::Display for TagDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Tag { handle, suffix } = self.0;
        if handle == CORE_HANDLE {
            write!(f, "!!{suffix}")
        } else {
            write!(f, "{handle}{suffix}")
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    /// `!`: "not a specific tag", which makes a scalar a string.
    NonSpecific,
    Str,
    Int,
    Float,
    Bool,
    Null,
    Map,
    Seq,
    Other,
}

fn classify_tag(tag: &Tag) -> TagKind {
    // The parser reports a lone `!` as an empty handle with suffix "!".
    if (tag.handle.is_empty() || tag.handle == "!") && (tag.suffix == "!" || tag.suffix.is_empty())
    {
        return TagKind::NonSpecific;
    }
    if tag.handle != CORE_HANDLE {
        return TagKind::Other;
    }
    match tag.suffix.as_str() {
        "str" => TagKind::Str,
        "int" => TagKind::Int,
        "float" => TagKind::Float,
        "bool" => TagKind::Bool,
        "null" => TagKind::Null,
        "map" => TagKind::Map,
        "seq" => TagKind::Seq,
        _ => TagKind::Other,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum ScalarProblem {
    UnsupportedTag,
    TagMismatch,
    NotRepresentable,
}

/// Resolves a scalar (not a key) per the YAML 1.2 core schema.
fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
) -> Result<Value, ScalarProblem> {
    let kind = match tag {
        Some(tag) => classify_tag(tag),
        None if style == ScalarStyle::Plain => return resolve_plain(text),
        None => TagKind::Str,
    };
    match kind {
        TagKind::NonSpecific | TagKind::Str => Ok(Value::String(text.to_owned())),
        TagKind::Null if is_null(text) => Ok(Value::Null),
        TagKind::Bool => parse_bool(text)
            .map(Value::Bool)
            .ok_or(ScalarProblem::TagMismatch),
        TagKind::Int => match parse_int(text) {
            Some(Ok(number)) => Ok(Value::Number(number)),
            Some(Err(problem)) => Err(problem),
            None => Err(ScalarProblem::TagMismatch),
        },
        TagKind::Float => {
            if is_special_float(text) {
                return Err(ScalarProblem::NotRepresentable);
            }
            let float = if is_core_float(text) {
                text.parse::<f64>().ok()
            } else {
                int_as_f64(text)
            };
            match float {
                Some(float) => Number::from_f64(float)
                    .map(Value::Number)
                    .ok_or(ScalarProblem::NotRepresentable),
                None => Err(ScalarProblem::TagMismatch),
            }
        }
        TagKind::Null | TagKind::Map | TagKind::Seq => Err(ScalarProblem::TagMismatch),
        TagKind::Other => Err(ScalarProblem::UnsupportedTag),
    }
}

fn resolve_plain(text: &str) -> Result<Value, ScalarProblem> {
    if is_null(text) {
        return Ok(Value::Null);
    }
    if let Some(boolean) = parse_bool(text) {
        return Ok(Value::Bool(boolean));
    }
    if let Some(number) = parse_int(text) {
        return number.map(Value::Number);
    }
    if is_core_float(text) {
        return text
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .ok_or(ScalarProblem::NotRepresentable);
    }
    if is_special_float(text) {
        return Err(ScalarProblem::NotRepresentable);
    }
    Ok(Value::String(text.to_owned()))
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `Some` if `text` is a core-schema int; the inner result is the JSON number.
fn parse_int(text: &str) -> Option<Result<Number, ScalarProblem>> {
    let (radix, digits) = if let Some(octal) = text.strip_prefix("0o") {
        (8, octal)
    } else if let Some(hex) = text.strip_prefix("0x") {
        (16, hex)
    } else {
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number = text
            .parse::<i64>()
            .map(Number::from)
            .or_else(|_| {
                text.trim_start_matches('+')
                    .parse::<u64>()
                    .map(Number::from)
            })
            .ok()
            .or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64))
            .ok_or(ScalarProblem::NotRepresentable);
        return Some(number);
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let number = u64::from_str_radix(digits, radix)
        .map(Number::from)
        .ok()
        .or_else(|| Number::from_f64(digits_as_f64(digits, radix)))
        .ok_or(ScalarProblem::NotRepresentable);
    Some(number)
}

/// The value of an over-long octal or hex literal, approximately, as JSON
/// only has f64 beyond u64.
fn digits_as_f64(digits: &str, radix: u32) -> f64 {
    digits.chars().fold(0.0, |acc, c| {
        acc * f64::from(radix) + c.to_digit(radix).map_or(0.0, f64::from)
    })
}

/// For `!!float 3`: an int literal read as a float.
fn int_as_f64(text: &str) -> Option<f64> {
    match parse_int(text)? {
        Ok(number) => number.as_f64(),
        Err(_) => None,
    }
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
    let digits_from = |i: usize| bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    let integer = digits_from(i);
    i += integer;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let fraction = digits_from(i);
        if integer == 0 && fraction == 0 {
            return false;
        }
        i += fraction;
    } else if integer == 0 {
        return false;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(bytes.get(i), Some(b'-' | b'+')));
        let exponent = digits_from(i);
        if exponent == 0 {
            return false;
        }
        i += exponent;
    }
    i == bytes.len()
}

/// The core schema's infinities and NaNs, which JSON cannot hold.
fn is_special_float(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(text: &str) -> Result<Value, YamlError> {
        parse(text, Path::new("test.yaml"))
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let value = p("
nulls: [~, null, Null, NULL, ]
empty:
bools: [true, True, TRUE, false, False, FALSE]
not_bools: [yes, no, on, off, tRUE]
ints: [0, -17, +42, 0o17, 0x1F, 9223372036854775807, 18446744073709551615]
big: 18446744073709551616
floats: [1.5, -0.5, .5, 1., 1e3, 2.5E-2, +1.0]
strings: [1.0.0, 1_000, 0b101, 0o8, 0xZZ, '1', \"true\", a-b]
")
        .unwrap();
        assert_eq!(value["nulls"], json!([null, null, null, null]));
        assert_eq!(value["empty"], Value::Null);
        assert_eq!(
            value["bools"],
            json!([true, true, true, false, false, false])
        );
        assert_eq!(
            value["not_bools"],
            json!(["yes", "no", "on", "off", "tRUE"])
        );
        assert_eq!(
            value["ints"],
            json!([0, -17, 42, 15, 31, i64::MAX, u64::MAX])
        );
        assert!(value["ints"][0].is_i64());
        assert_eq!(value["big"], json!(18_446_744_073_709_551_616.0_f64));
        assert_eq!(
            value["floats"],
            json!([1.5, -0.5, 0.5, 1.0, 1000.0, 0.025, 1.0])
        );
        assert!(value["floats"][3].is_f64());
        assert_eq!(
            value["strings"],
            json!(["1.0.0", "1_000", "0b101", "0o8", "0xZZ", "1", "true", "a-b"])
        );
    }

    #[test]
    fn quoted_and_block_scalars_are_strings() {
        let value = p("a: '12'\nb: \"null\"\nc: |\n  true\nd: >-\n  3.5\n").unwrap();
        assert_eq!(
            value,
            json!({"a": "12", "b": "null", "c": "true\n", "d": "3.5"})
        );
    }

    #[test]
    fn core_tags_are_honoured() {
        let value = p("
s: !!str 12
i: !!int '0x10'
f: !!float 3
b: !!bool 'false'
n: !!null ''
m: !!map {a: 1}
q: !!seq [1]
ns: ! 12
")
        .unwrap();
        assert_eq!(
            value,
            json!({"s": "12", "i": 16, "f": 3.0, "b": false, "n": null,
                   "m": {"a": 1}, "q": [1], "ns": "12"})
        );
        assert!(value["f"].is_f64());
    }

    #[test]
    fn unknown_and_mismatched_tags_are_errors() {
        let err = p("a:\n  b: !custom 1\n").unwrap_err();
        assert!(
            matches!(&err, YamlError::UnsupportedTag { line: 2, column: 6, pointer, tag, .. }
                if pointer == "/a/b" && tag == "!custom"),
            "{err:?}"
        );
        let err = p("a: !!int abc\n").unwrap_err();
        assert!(
            matches!(&err, YamlError::TagMismatch { tag, .. } if tag == "!!int"),
            "{err:?}"
        );
        let err = p("a: !!map [1]\n").unwrap_err();
        assert!(matches!(&err, YamlError::TagMismatch { .. }), "{err:?}");
        assert!(err.to_string().contains("test.yaml:1:4"), "{err}");
    }

    #[test]
    fn infinities_and_nans_are_not_representable() {
        for text in [".inf", "-.Inf", "+.INF", ".nan", ".NaN", "1e999"] {
            let err = p(&format!("x:\n  - ok\n  - {text}\n")).unwrap_err();
            match &err {
                YamlError::NotRepresentable {
                    line,
                    pointer,
                    text: t,
                    ..
                } => {
                    assert_eq!((*line, pointer.as_str(), t.as_str()), (3, "/x/1", text));
                }
                other => panic!("{text}: {other:?}"),
            }
            assert!(err.to_string().contains("not representable in JSON"));
        }
        // Quoting makes them plain strings.
        assert_eq!(p("x: '.inf'").unwrap(), json!({"x": ".inf"}));
    }

    #[test]
    fn keys_keep_their_original_text() {
        let value = p("1.18: a\n1.10: b\n1.8: c\n2: d\ntrue: e\n~: f\n'q': g\n").unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["1.18", "1.10", "1.8", "2", "true", "~", "q"]);
        assert_eq!(value["1.10"], "b");
        // A key that would be an unrepresentable float is still just text.
        assert_eq!(p(".inf: x").unwrap(), json!({".inf": "x"}));
    }

    #[test]
    fn key_order_is_preserved() {
        let value = p("z: 1\na: 2\nm: 3\n").unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = p("top:\n  a: 1\n  b: 2\n  a: 3\n").unwrap_err();
        match &err {
            YamlError::DuplicateKey {
                line,
                column,
                pointer,
                key,
                first_line,
                ..
            } => {
                assert_eq!((*line, *column, *first_line), (4, 3, 2));
                assert_eq!((pointer.as_str(), key.as_str()), ("/top/a", "a"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("test.yaml:4:3: duplicate key `a`"),
            "{err}"
        );
        // Same text in different styles is still the same key.
        assert!(matches!(
            p("a: 1\n'a': 2\n"),
            Err(YamlError::DuplicateKey { .. })
        ));
    }

    #[test]
    fn non_scalar_keys_are_errors() {
        let err = p("outer:\n  ? [a, b]\n  : 1\n").unwrap_err();
        assert!(
            matches!(&err, YamlError::NonScalarKey { line: 2, column: 5, pointer, kind: "sequence", .. }
                if pointer == "/outer"),
            "{err:?}"
        );
        let err = p("{ {a: 1}: 2 }").unwrap_err();
        assert!(
            matches!(
                &err,
                YamlError::NonScalarKey {
                    kind: "mapping",
                    ..
                }
            ),
            "{err:?}"
        );
        let err = p("a: &x [1]\n*x : 2\n").unwrap_err();
        assert!(
            matches!(&err, YamlError::NonScalarKey { line: 2, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = p("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(matches!(err, YamlError::Syntax { .. }), "{err:?}");
        let err = p("a:\n  b: 1\n c: 2\n").unwrap_err();
        match &err {
            YamlError::Syntax {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!((*line, *column), (3, 2), "{message}");
                assert!(!message.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert!(
            err.to_string()
                .starts_with("test.yaml:3:2: YAML syntax error"),
            "{err}"
        );
    }

    #[test]
    fn exactly_one_document() {
        assert!(matches!(p(""), Err(YamlError::Empty { .. })));
        assert!(matches!(
            p("# only a comment\n"),
            Err(YamlError::Empty { .. })
        ));
        assert_eq!(p("---\na: 1\n...\n").unwrap(), json!({"a": 1}));
        let err = p("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::MultipleDocuments {
                    line: 2,
                    column: 1,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn aliases_clone_the_anchored_value() {
        let value = p("
base: &b {x: 1, list: [a, b]}
copy: *b
key: &k 1.10
text: *k
*k : by alias
")
        .unwrap();
        assert_eq!(value["copy"], json!({"x": 1, "list": ["a", "b"]}));
        assert_eq!(value["key"], json!(1.1));
        assert_eq!(value["text"], json!(1.1));
        assert_eq!(value["1.10"], "by alias");
    }

    #[test]
    fn recursive_alias_is_rejected() {
        let err = p("a: &a [1, *a]\n").unwrap_err();
        assert!(
            matches!(&err, YamlError::RecursiveAlias { pointer, .. } if pointer == "/a/1"),
            "{err:?}"
        );
    }

    #[test]
    fn alias_bomb_is_rejected() {
        let mut text = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..10 {
            let previous = level - 1;
            let refs = vec![format!("*l{previous}"); 9].join(", ");
            text.push_str(&format!("l{level}: &l{level} [{refs}]\n"));
        }
        let err = p(&text).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::AliasBudgetExceeded {
                    limit: MAX_ALIAS_SIZE,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn aliases_of_long_text_count_its_bytes() {
        // Found with the spec_loader fuzz target (fuzz/): 32 KiB that
        // aliased one 20 KB string 800,000 times stayed within a budget of
        // nodes and needed 16 GB.
        let text = format!(
            "a: &a \"{}\"\nb: &b [{}]\nc: [{}]\n",
            "x".repeat(20_000),
            vec!["*a"; 4000].join(","),
            vec!["*b"; 200].join(",")
        );
        let err = p(&text).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::AliasBudgetExceeded {
                    limit: MAX_ALIAS_SIZE,
                    line: 2,
                    ..
                }
            ),
            "{err:?}"
        );
        // Within the budget, aliased text is copied as before.
        let value = p(&format!("a: &a {}\nb: [*a, *a]\n", "y".repeat(1000))).unwrap();
        assert_eq!(value["b"][1].as_str().map(str::len), Some(1000));
    }

    #[test]
    fn deep_nesting_is_rejected() {
        // Block style: saphyr caps flow nesting itself, but not block nesting.
        let nested = |depth: usize| format!("{}x\n", "- ".repeat(depth));
        let result = p(&nested(MAX_DEPTH + 1));
        assert!(
            matches!(
                &result,
                Err(YamlError::TooDeep {
                    line: 1,
                    limit: MAX_DEPTH,
                    ..
                })
            ),
            "{result:?}"
        );
        let mut value = &p(&nested(MAX_DEPTH)).unwrap();
        for _ in 0..MAX_DEPTH {
            value = &value[0];
        }
        assert_eq!(value, "x");
    }

    #[test]
    fn flow_closers_aligned_with_their_key_are_accepted() {
        // As written throughout the Matrix spec; YAML 1.2 wants the closer
        // indented deeper, libyaml accepts it, and so do we.
        let text = "\
a:
  example: {
    \"reason\": \"sad\",
    \"list\": [
      1
  ]
  }
  literal: |
    {
  }
";
        let err = p(text).unwrap_err();
        // The block scalar is not patched: its under-indented `}` ends it,
        // leaving a stray `}` at the mapping's indentation.
        assert!(
            matches!(
                err,
                YamlError::Syntax {
                    line: 10,
                    column: 3,
                    ..
                }
            ),
            "{err:?}"
        );
        let text = text.replace("    {\n  }\n", "    {\n    }\n");
        let value = p(&text).unwrap();
        assert_eq!(
            value,
            json!({"a": {"example": {"reason": "sad", "list": [1]}, "literal": "{\n}\n"}})
        );
        // Positions are in the original text, not the patched one.
        assert_eq!(position_of(&text, "/a/literal"), Some((8, 3)));
        let err = p("a: {\n  b: [\n}\n").unwrap_err();
        assert!(
            matches!(
                err,
                YamlError::Syntax {
                    line: 3,
                    column: 1,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn position_of_finds_nested_nodes() {
        let text = "\
openapi: 3.1.0
paths:
  /rooms/{id}:
    get:
      parameters:
        - name: id
          in: path
        - name: limit
  a~b: 1
  flow: {x: [10, 20]}
";
        assert_eq!(position_of(text, ""), Some((1, 1)));
        assert_eq!(position_of(text, "/openapi"), Some((1, 1)));
        assert_eq!(position_of(text, "/paths/~1rooms~1{id}"), Some((3, 3)));
        assert_eq!(
            position_of(text, "/paths/~1rooms~1{id}/get/parameters/1"),
            Some((8, 11))
        );
        assert_eq!(
            position_of(text, "/paths/~1rooms~1{id}/get/parameters/1/name"),
            Some((8, 11))
        );
        assert_eq!(
            position_of(text, "/paths/~1rooms~1{id}/get/parameters/0/in"),
            Some((7, 11))
        );
        assert_eq!(position_of(text, "/paths/a~0b"), Some((9, 3)));
        assert_eq!(position_of(text, "/paths/flow/x/1"), Some((10, 18)));
        assert_eq!(position_of(text, "/paths/missing"), None);
        assert_eq!(
            position_of(text, "/paths/~1rooms~1{id}/get/parameters/2"),
            None
        );
        assert_eq!(position_of(text, "/openapi/deeper"), None);
        assert_eq!(position_of(text, "no-leading-slash"), None);
        assert_eq!(position_of(text, "/paths/a~2b"), None);
    }

    #[test]
    fn position_of_through_an_alias_gives_the_alias() {
        let text = "a: &x {b: 1}\nc: *x\n";
        assert_eq!(position_of(text, "/c/b"), Some((2, 1)));
        assert_eq!(position_of(text, "/a/b"), Some((1, 8)));
    }

    fn spec_data_dir() -> PathBuf {
        let root = std::env::var_os("MATRIX_SPEC_DIR").map_or_else(
            || {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../shared/matrix-spec/v1.19"
                ))
            },
            PathBuf::from,
        );
        let data = root.join("data");
        assert!(
            data.is_dir(),
            "Matrix spec data not found at {}. Set MATRIX_SPEC_DIR to the directory that \
             contains `data/` (e.g. MATRIX_SPEC_DIR=/path/to/matrix-spec/v1.19).",
            data.display()
        );
        data
    }

    fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                yaml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_spec_file_parses() {
        let data = spec_data_dir();
        let mut files = Vec::new();
        yaml_files(&data, &mut files);
        assert!(
            files.len() > 100,
            "only {} YAML files under {}",
            files.len(),
            data.display()
        );
        let failures: Vec<String> = files
            .iter()
            .filter_map(|file| {
                let text = std::fs::read_to_string(file).unwrap();
                parse(&text, file).err().map(|e| e.to_string())
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} files failed:\n{}",
            failures.len(),
            failures.join("\n")
        );

        let file = data.join("api/client-server/report_content.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        let value = parse(&text, &file).unwrap();
        let mut changed = Vec::new();
        collect_changed(&value, &mut changed);
        assert!(changed.iter().any(|k| k == "1.18"), "{changed:?}");
        assert!(changed.iter().any(|k| k == "1.8"), "{changed:?}");
        // Past several patched flow closers, positions still match the file.
        let pointer =
            "/paths/~1rooms~1{roomId}~1report~1{eventId}/post/x-changedInMatrixVersion/1.8";
        assert_eq!(
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(|s| s.is_empty()),
            Some(false)
        );
        assert_eq!(position_of(&text, pointer), Some((149, 9)));
    }

    /// Keys of every `x-changedInMatrixVersion` mapping in `value`.
    fn collect_changed(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if key == "x-changedInMatrixVersion" {
                        out.extend(child.as_object().unwrap().keys().cloned());
                    }
                    collect_changed(child, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| collect_changed(item, out)),
            _ => {}
        }
    }

    fn both_ways(text: &str) -> (Result<Value, Speculation>, Result<Value, Speculation>) {
        let file = Path::new("test.yaml");
        (
            parse_patching(text, file, true),
            parse_patching(text, file, false),
        )
    }

    /// Needs one patch (the last `}`, in the way of the spec's examples),
    /// then has `extra` after it.
    fn needs_a_patch(extra: &str) -> String {
        let text = "r:\n  \"200\":\n    e:\n      value: {\n        \"s\": true,\n      }\n  \"400\":\n    d: |-\n      text\n    e:\n      value: {\n        \"errcode\": \"M\"\n      }\n";
        format!("{text}{extra}")
    }

    #[test]
    fn speculative_bracket_patching_is_checked_against_block_scalars() {
        // The `}` inside the literal block is text: indenting it would
        // change the value.
        let text = needs_a_patch("    f: |\n      {\n      }\n");
        let expected = json!({"r": {
            "200": {"e": {"value": {"s": true}}},
            "400": {"d": "text", "e": {"value": {"errcode": "M"}}, "f": "{\n}\n"}
        }});
        let (speculated, plain) = both_ways(&text);
        assert!(
            matches!(speculated, Err(Speculation::Failed)),
            "{speculated:?}"
        );
        assert_eq!(plain.ok(), Some(expected.clone()));
        assert_eq!(p(&text).unwrap(), expected);
        // Without the block scalar, speculation holds.
        let text = needs_a_patch("    f: [\n      2\n    ]\n");
        let (speculated, plain) = both_ways(&text);
        let expected = json!({"r": {
            "200": {"e": {"value": {"s": true}}},
            "400": {"d": "text", "e": {"value": {"errcode": "M"}}, "f": [2]}
        }});
        assert_eq!(speculated.ok(), Some(expected.clone()));
        assert_eq!(plain.ok(), Some(expected));
    }

    #[test]
    fn speculative_bracket_patching_falls_back_where_a_bracket_is_not_a_closer() {
        // After a plain scalar, an indented `}` could read as its
        // continuation; speculation must not decide that.
        let text = needs_a_patch("    b: some text\n    }\n");
        let (speculated, plain) = both_ways(&text);
        assert!(
            matches!(speculated, Err(Speculation::Failed)),
            "{speculated:?}"
        );
        // Here the bracket is an error, and it stays one.
        let Err(Speculation::Final(expected)) = plain else {
            panic!("{plain:?}");
        };
        assert_eq!(p(&text).unwrap_err().to_string(), expected.to_string());
    }

    #[test]
    fn speculative_bracket_patching_gives_the_same_values_on_the_real_spec() {
        let dir = match std::env::var_os("MATRIX_SPEC_DIR") {
            Some(dir) if !dir.is_empty() => std::path::PathBuf::from(dir),
            _ => std::path::PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/matrix-spec/v1.19"
            )),
        };
        let mut pending = vec![dir.join("data")];
        let (mut files, mut patched, mut fell_back) = (0, 0, Vec::new());
        while let Some(dir) = pending.pop() {
            let entries = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e} (set MATRIX_SPEC_DIR)", dir.display()));
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "yaml") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                files += 1;
                let (speculated, plain) = both_ways(&text);
                let plain = plain.map_err(|_| path.display().to_string());
                match speculated {
                    Ok(value) => assert_eq!(Ok(value), plain, "{}", path.display()),
                    Err(Speculation::Failed) => fell_back.push(path.display().to_string()),
                    Err(Speculation::Final(error)) => panic!("{error}"),
                }
                let mut source = Source::new(&text);
                while let Err(Failure::Scan(error)) = Builder::new(&path, &source).run().map(drop) {
                    assert!(source.fix_flow_closer(&error), "{}", path.display());
                }
                patched += usize::from(source.fixes > 0);
            }
        }
        assert!(files > 300, "{files} YAML files");
        assert!(patched > 50, "{patched} files need bracket patches");
        // Speculation pays off: few files need the slow path (a bracket
        // line in a block scalar after the first patched one).
        assert!(fell_back.len() * 10 < patched, "{fell_back:?}");
    }
}
