//! Building request paths and query strings.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Every byte except the RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) is percent-encoded.
const ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Whether a path segment is a dot segment that URL parsers (the WHATWG URL
/// standard used by `reqwest`/`url`) and RFC 3986 normalization resolve
/// away: `.`, `..`, or either with dots written as `%2E`/`%2e`.
pub(crate) fn is_dot_segment(segment: &str) -> bool {
    matches!(
        segment.to_ascii_lowercase().as_str(),
        "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
    )
}

/// Builds a request path from literal pieces (from the spec) and parameter
/// values (from the user).
///
/// ```
/// use matrix_csapi_runtime::PathBuilder;
///
/// let mut path = PathBuilder::new("/_matrix/client/v3/rooms/");
/// path.push_param("!room:example.org");
/// path.push_literal("/leave");
/// assert_eq!(path.finish(), "/_matrix/client/v3/rooms/%21room%3Aexample.org/leave");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathBuilder {
    path: String,
}

impl PathBuilder {
    /// Starts a path with a literal, appended verbatim (it must come from
    /// the spec, not from user input).
    pub fn new(literal: &str) -> Self {
        Self {
            path: literal.to_owned(),
        }
    }

    /// Appends a literal verbatim (it must come from the spec, not from user
    /// input).
    pub fn push_literal(&mut self, s: &str) {
        self.path.push_str(s);
    }

    /// Appends one path-parameter value as a single percent-encoded segment.
    ///
    /// Every byte except the RFC 3986 unreserved characters
    /// (`A-Z a-z 0-9 - . _ ~`) is encoded, so the `! $ @ : # / ?` of Matrix
    /// identifiers can never split the segment or start a query. A value
    /// that is exactly `.` or `..` has its dots encoded as `%2E`; because
    /// URL parsers and servers still treat such segments as dot segments,
    /// [`build_request`](crate::build_request) then refuses the request
    /// with [`IntoHttpError::DotSegmentInPath`](crate::IntoHttpError::DotSegmentInPath)
    /// rather than send it to a different path. An empty value produces an
    /// empty segment (used for an empty state key).
    pub fn push_param(&mut self, value: &str) {
        match value {
            "." => self.path.push_str("%2E"),
            ".." => self.path.push_str("%2E%2E"),
            _ => self.path.extend(utf8_percent_encode(value, ENCODE_SET)),
        }
    }

    /// Returns the path.
    pub fn finish(self) -> String {
        self.path
    }
}

/// Builds a query string.
///
/// ```
/// use matrix_csapi_runtime::QueryBuilder;
///
/// let mut query = QueryBuilder::new();
/// query.push("dir", "b");
/// query.push("filter", r#"{"types":["m.room.message"]}"#);
/// assert_eq!(
///     query.finish(),
///     "?dir=b&filter=%7B%22types%22%3A%5B%22m.room.message%22%5D%7D"
/// );
/// assert_eq!(QueryBuilder::new().finish(), "");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryBuilder {
    query: String,
}

impl QueryBuilder {
    /// Creates an empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `name=value`, both percent-encoded (every byte except the
    /// RFC 3986 unreserved characters; a space becomes `%20`). Push the same
    /// name repeatedly for an array parameter.
    pub fn push(&mut self, name: &str, value: &str) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        self.query.extend(utf8_percent_encode(name, ENCODE_SET));
        self.query.push('=');
        self.query.extend(utf8_percent_encode(value, ENCODE_SET));
    }

    /// Whether nothing has been pushed.
    pub fn is_empty(&self) -> bool {
        self.query.is_empty()
    }

    /// Returns `""` when empty, otherwise `?` followed by the pairs joined
    /// with `&`.
    pub fn finish(self) -> String {
        if self.query.is_empty() {
            String::new()
        } else {
            format!("?{}", self.query)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn param(value: &str) -> String {
        let mut path = PathBuilder::new("/p/");
        path.push_param(value);
        path.finish()
    }

    #[test]
    fn path_params_are_one_segment() {
        assert_eq!(param("!room:ex/../x?#"), "/p/%21room%3Aex%2F..%2Fx%3F%23");
        assert_eq!(param("@alice:example.org"), "/p/%40alice%3Aexample.org");
        assert_eq!(param("#alias:example.org"), "/p/%23alias%3Aexample.org");
        assert_eq!(param("$event+id/=="), "/p/%24event%2Bid%2F%3D%3D");
        assert_eq!(param("a b%c&d"), "/p/a%20b%25c%26d");
        assert_eq!(param("m.room.name"), "/p/m.room.name");
        assert_eq!(param("AZaz09-._~"), "/p/AZaz09-._~");
        assert_eq!(param("ü€"), "/p/%C3%BC%E2%82%AC");
        assert_eq!(param(""), "/p/");
    }

    #[test]
    fn dot_values_are_encoded() {
        assert_eq!(param("."), "/p/%2E");
        assert_eq!(param(".."), "/p/%2E%2E");
        assert_eq!(param("..."), "/p/...");
        assert_eq!(param(".a"), "/p/.a");
    }

    #[test]
    fn literals_and_params_combine() {
        let mut path = PathBuilder::new("/_matrix/client/v3/rooms/");
        path.push_param("!a:b");
        path.push_literal("/state/");
        path.push_param("m.room.member");
        path.push_literal("/");
        path.push_param("@u:b");
        assert_eq!(
            path.finish(),
            "/_matrix/client/v3/rooms/%21a%3Ab/state/m.room.member/%40u%3Ab"
        );
    }

    #[test]
    fn query_encoding() {
        let mut query = QueryBuilder::new();
        assert!(query.is_empty());
        query.push("from", "s72594_4483_1934");
        query.push("types", "m.room.message");
        query.push("types", "m.room.name");
        query.push("k y&=", "v+a l/ue?#");
        assert!(!query.is_empty());
        assert_eq!(
            query.finish(),
            "?from=s72594_4483_1934&types=m.room.message&types=m.room.name&k%20y%26%3D=v%2Ba%20l%2Fue%3F%23"
        );
        let mut query = QueryBuilder::new();
        query.push("", "");
        assert_eq!(query.finish(), "?=");
    }

    #[test]
    fn dot_segment_detection() {
        for segment in [".", "..", "%2e", "%2E", "%2E%2E", ".%2e", "%2E."] {
            assert!(is_dot_segment(segment), "{segment}");
        }
        for segment in ["", "...", ".a", "%2E%2E%2E", "a.", "%2F"] {
            assert!(!is_dot_segment(segment), "{segment}");
        }
    }
}
