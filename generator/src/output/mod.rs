//! The generated crate in memory, compared with and written to disk.
//!
//! [`GeneratedFiles`] holds every file of the generated crate. [`diff`]
//! compares it with a directory (used by `cargo xtask gen --check`) and
//! [`write_atomically`] replaces the directory with exactly those files,
//! never leaving it half-written.
//!
//! # Atomic replacement and crash recovery
//!
//! For a target directory `<parent>/<name>`, [`write_atomically`] writes every
//! file into a fresh sibling `<parent>/.<name>.tmp-<pid>`, fsyncs it, then
//! swaps: `<name>` → `.<name>.old-<pid>`, `.<name>.tmp-<pid>` → `<name>`, and
//! finally removes the old copy. A crashed earlier run can leave such siblings
//! behind; [`recover_leftovers`] (called first by [`write_atomically`]) puts
//! things back:
//!
//! * a `.<name>.tmp-*` directory is always an unfinished write: it is removed;
//! * if `<name>` is missing and there is exactly one `.<name>.old-*`
//!   directory, the crash happened between the two renames: the old copy is
//!   renamed back to `<name>` (the interrupted write is redone anyway);
//! * any other `.<name>.old-*` directory is a copy that was already replaced:
//!   it is removed.
//!
//! Runs writing the same directory concurrently are not supported (the second
//! one may remove the first one's temporary directory, which makes the first
//! fail cleanly rather than corrupt anything).

//! One file per concern: `diff` (comparing with a directory), `write`
//! (the atomic replacement), `recover` (leftovers of a crashed run),
//! `error`; [`GeneratedFiles`] itself is here.

mod diff;
mod error;
mod recover;
#[cfg(test)]
mod test_support;
mod write;

use std::collections::BTreeMap;

pub use diff::{FileChange, diff};
pub use error::OutputError;
pub use recover::{Recovery, recover_leftovers};
pub use write::write_atomically;

/// The generated crate in memory: relative paths (`/`-separated, e.g.
/// `src/lib.rs`, `Cargo.toml`) mapped to file contents.
///
/// Iteration is in byte-wise path order, so output is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedFiles {
    files: BTreeMap<String, String>,
}

impl GeneratedFiles {
    /// An empty set of files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file.
    ///
    /// `path` must be relative and `/`-separated, made of non-empty
    /// components other than `.` and `..`, without backslashes, colons or NUL
    /// bytes, and must not start with `target/` (which [`diff`] ignores).
    /// Adding the same path twice, or a file where another file needs a
    /// directory (`src` and `src/lib.rs`), is an error: it means two parts of
    /// the generator disagree about the output.
    pub fn insert(
        &mut self,
        path: impl Into<String>,
        contents: impl Into<String>,
    ) -> Result<(), OutputError> {
        let path = path.into();
        validate_relative_path(&path)?;
        if self.files.contains_key(&path) {
            return Err(OutputError::DuplicatePath { path });
        }
        // An ancestor of `path` already is a file?
        let mut ancestor = path.as_str();
        while let Some((parent, _)) = ancestor.rsplit_once('/') {
            if self.files.contains_key(parent) {
                return Err(OutputError::FileDirectoryConflict {
                    file: parent.to_owned(),
                    nested: path,
                });
            }
            ancestor = parent;
        }
        // `path` already is a directory of another file? Keys starting with
        // "path/" sort directly after "path/".
        let prefix = format!("{path}/");
        let nested = self.files.range(prefix.clone()..).next();
        if let Some((nested, _)) = nested.filter(|(n, _)| n.starts_with(&prefix)) {
            return Err(OutputError::FileDirectoryConflict {
                file: path,
                nested: nested.clone(),
            });
        }
        self.files.insert(path, contents.into());
        Ok(())
    }

    /// The files as `(path, contents)`, in byte-wise path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(p, c)| (p.as_str(), c.as_str()))
    }

    /// The contents of the file at `path`, if there is one.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

fn validate_relative_path(path: &str) -> Result<(), OutputError> {
    let invalid = |reason: &'static str| {
        Err(OutputError::InvalidPath {
            path: path.to_owned(),
            reason,
        })
    };
    if path.is_empty() {
        return invalid("it is empty");
    }
    if path.starts_with('/') {
        return invalid("it is absolute");
    }
    if path.contains('\\') {
        return invalid("it contains a backslash; use '/' as the separator");
    }
    if path.contains(':') {
        return invalid("it contains ':', which is not portable");
    }
    if path.contains('\0') {
        return invalid("it contains a NUL byte");
    }
    for component in path.split('/') {
        match component {
            "" => return invalid("it has an empty component ('//' or a trailing '/')"),
            "." | ".." => return invalid("it has a '.' or '..' component"),
            _ => {}
        }
    }
    if path == "target" || path.starts_with("target/") {
        return invalid("'target/' is reserved for build output and ignored by `diff`");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::test_support::files;
    use super::*;

    #[test]
    fn insert_rejects_bad_paths() {
        let mut f = GeneratedFiles::new();
        for bad in [
            "", "/abs.rs", "a\\b.rs", "../x", "a/../b", "./a", "a//b", "a/", "C:/x", "target/x",
            "target",
        ] {
            let err = f.insert(bad, "").unwrap_err();
            assert!(
                matches!(err, OutputError::InvalidPath { .. }),
                "{bad:?}: {err}"
            );
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        }
        assert!(f.is_empty());
        f.insert("targets/x.rs", "ok").unwrap();
        f.insert(".hidden", "ok").unwrap();
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn insert_rejects_duplicates_and_file_dir_conflicts() {
        let mut f = files(&[("src/lib.rs", "a"), ("src/m/x.rs", "b")]);
        assert!(matches!(
            f.insert("src/lib.rs", "again"),
            Err(OutputError::DuplicatePath { .. })
        ));
        assert!(matches!(
            f.insert("src/lib.rs/y.rs", ""),
            Err(OutputError::FileDirectoryConflict { .. })
        ));
        let err = f.insert("src/m", "").unwrap_err();
        assert!(err.to_string().contains("src/m/x.rs"), "{err}");
        // Near-misses are fine.
        f.insert("src/m.rs", "").unwrap();
        f.insert("src/m-x/y.rs", "").unwrap();
        assert_eq!(f.get("src/lib.rs"), Some("a"));
        assert_eq!(f.get("nope"), None);
        let paths: Vec<_> = f.iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            ["src/lib.rs", "src/m-x/y.rs", "src/m.rs", "src/m/x.rs"]
        );
    }
}
