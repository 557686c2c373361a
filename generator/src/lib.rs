//! Generates a typed Rust client for the Matrix client-server API.
//!
//! The generator is a pipeline; each stage is one module with a typed hand-off:
//!
//! 1. [`yaml`]: YAML text to `serde_json::Value`, with line numbers for errors.
//! 2. [`load`]: the spec files on disk, read once and cached.
//! 3. [`overlay`]: OpenAPI Overlay documents applied to the loaded files.
//! 4. [`resolve`]: every `$ref` resolved to a location in a loaded file.
//! 5. [`lower`]: the resolved spec lowered to the typed [`model`].
//! 6. [`emit`]: the model emitted as Rust source (quote + prettyplease).
//!
//! [`output`] compares generated files with a directory and swaps them in
//! atomically; [`pin`] records which spec release the output was made from.

pub mod output;
pub mod overlay;
pub mod pin;
pub mod yaml;
