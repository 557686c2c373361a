//! Building the JSON value from the parser's events: keys keep their text,
//! duplicates and non-scalar keys are refused, aliases are cloned within the
//! budget, nesting within the depth limit.

use std::collections::HashMap;
use std::path::Path;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span, Tag};
use serde_json::{Map, Value};

use super::scalar::{ScalarProblem, TagDisplay, TagKind, classify_tag, resolve_scalar};
use super::source::Source;
use super::{MAX_ALIAS_SIZE, MAX_DEPTH, YamlError, escape_segment};

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

pub(super) struct Builder<'f, 's, 't> {
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
pub(super) enum Failure {
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
    pub(super) fn new(file: &'f Path, source: &'s Source<'t>) -> Self {
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
    pub(super) fn run(mut self) -> Result<(Value, Vec<(usize, usize)>), Failure> {
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
