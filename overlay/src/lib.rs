//! An [OpenAPI Overlay](https://spec.openapis.org/overlay/latest.html)
//! engine (versions 1.0 and 1.1) and the YAML loader it reads documents
//! with, both working on `serde_json::Value`.
//!
//! - [`yaml`]: YAML 1.2 text to JSON, with keys kept as written, duplicate
//!   keys refused, aliases and nesting bounded, and every error naming the
//!   file, line, column and JSON pointer; [`yaml::position_of`] finds where
//!   a JSON pointer's node is written, for errors found later.
//! - [`Overlay`]: an overlay document, validated when it is read
//!   ([`Overlay::load`], [`Overlay::parse`], [`Overlay::from_value`]) and
//!   applied to a document, all or nothing ([`Overlay::apply`],
//!   [`Overlay::apply_tracked`]). Errors ([`OverlayError`]) name the overlay
//!   file, the action, the JSON pointer (and line and column) of the value
//!   at fault and the document node it could not be applied to.
//!
//! ```
//! use std::path::Path;
//! use openapi_overlay::{Overlay, Strictness, yaml};
//!
//! let mut spec = yaml::parse("info: {title: API}\npaths: {}\n", Path::new("openapi.yaml"))?;
//! let overlay = Overlay::parse(
//!     "overlay: 1.1.0\ninfo: {title: t, version: 1.0.0}\nactions:\n  - target: $.info\n    update: {x-flag: true}\n",
//!     Path::new("flag.yaml"),
//! )?;
//! overlay.apply(&mut spec, Strictness::RequireMatch)?;
//! assert_eq!(spec["info"]["x-flag"], true);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Semantics
//!
//! An [`Overlay`] is validated up front, so every structural problem
//! (unknown keys, wrong types, a JSONPath that does not parse) is reported
//! with the overlay file and the JSON pointer of the bad value before
//! anything is applied. [`Overlay::apply`] then runs the actions in order,
//! each on the result of the previous one. Following the standard:
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
//! # Deviations and strict mode
//!
//! A target that selects nothing is a no-op in [`Strictness::Standard`] and an
//! error in [`Strictness::RequireMatch`]. So, in that mode, is an update that
//! replaces a value in a field (an object key) that an earlier action added,
//! whichever node it targets: the standard lets the later value win, which
//! silently drops part of the first definition. New keys and array items may
//! still extend an added field; they lose nothing. [`AddedFields`] carries
//! those records from one overlay to the next applied to the same document.
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
//! The YAML loader accepts one thing YAML 1.2 does not (as libyaml does): a
//! flow collection's closing bracket at its parent key's indentation (see
//! [`yaml`]). `extends` is reported ([`Overlay::extends`]) but not resolved:
//! the caller knows which document an overlay applies to.
//!
//! # Limits
//!
//! Overlays are usually trusted project files, but a mistake in one must end
//! in an error, not in a hang or an exhausted machine, so a few bounds apply
//! (each far above what real overlays use; the constants explain why): a
//! query may nest brackets and parentheses [`MAX_QUERY_NESTING`] levels,
//! contain [`MAX_DESCENDANT_SEGMENTS`] `..` and multiply its selector lists
//! to [`MAX_SELECTOR_COMBINATIONS`]; it may select [`MAX_SELECTED`] nodes;
//! an overlay may add [`MAX_ADDED_SIZE`] to a document and not nest it
//! deeper than [`yaml::MAX_DEPTH`]. `match()` and `search()` compile each
//! pattern once, within a size limit. The YAML loader bounds alias
//! expansion ([`yaml::MAX_ALIAS_SIZE`]) and nesting ([`yaml::MAX_DEPTH`]).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod overlay;
pub mod yaml;

pub use overlay::{
    Action, AddedFields, ApplyProblem, Info, MAX_ADDED_SIZE, MAX_DESCENDANT_SEGMENTS,
    MAX_QUERY_NESTING, MAX_SELECTED, MAX_SELECTOR_COMBINATIONS, Overlay, OverlayError, Place,
    Problem, Strictness, Version,
};
