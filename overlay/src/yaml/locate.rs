//! [`position_of`]: where the node at a JSON pointer is written in the
//! text, found by re-reading the parser's events (only when an error is
//! reported).

use saphyr_parser::{Event, Marker, Parser, ScanError};

use super::source::Source;

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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

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
}
