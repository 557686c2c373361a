//! Why the examples could not be collected.

use crate::load::Location;
use crate::resolve::ResolveError;

/// Why the examples could not be collected. Each names the file and JSON
/// pointer at fault (with line and column when known).
#[derive(Debug, thiserror::Error)]
pub enum ExampleError {
    /// Following a `$ref` to a response, request body, example or schema
    /// failed.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// A document to collect from was not loaded by the resolve stage.
    #[error("{file}: the document is not loaded: it must be one of the resolved roots")]
    NotLoaded {
        /// The document, relative to `data/`.
        file: String,
    },
    /// The spec has an unexpected shape where an example is looked for.
    #[error("{at}: {message}")]
    Invalid {
        /// Where, with line when known.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// A `$ref` inside an example value that the resolve stage did not
    /// index (so it cannot be followed).
    #[error("{at}: the `$ref` in this example was not resolved when the spec was loaded")]
    UnresolvedRef {
        /// Where the `$ref` object is.
        at: String,
    },
    /// A `$ref` inside an example value with sibling keys, whose target is
    /// not an object the siblings could be merged into.
    #[error(
        "{at}: this `$ref` has sibling keys to merge into its target {target}, which is not an object"
    )]
    SiblingsOnNonObject {
        /// Where the `$ref` object is.
        at: String,
        /// Where it points.
        target: String,
    },
    /// `$ref`s inside example values that include themselves.
    #[error("$ref cycle in an example: {}", .chain.iter().map(ToString::to_string).collect::<Vec<_>>().join(" -> "))]
    Cycle {
        /// The `$ref` targets on the cycle, in order.
        chain: Vec<Location>,
    },
    /// An Example Object with `externalValue` (a URL), which is not
    /// followed.
    #[error(
        "{at}: `externalValue` examples are not supported: give the example as `value` (a `$ref` to a file is fine)"
    )]
    ExternalValue {
        /// Where the Example Object is.
        at: String,
    },
}
