//! Errors from building, comparing or writing generated files.

use std::io;
use std::path::{Path, PathBuf};

/// Errors from building, comparing or writing generated files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// A generated file path is not a clean relative path.
    #[error("invalid generated file path `{path}`: {reason}")]
    InvalidPath {
        /// The rejected path.
        path: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The same path was generated twice.
    #[error("generated file `{path}` was added twice")]
    DuplicatePath {
        /// The duplicated path.
        path: String,
    },
    /// A path is generated both as a file and as a directory of other files.
    #[error("generated file `{file}` conflicts with `{nested}`, which needs it to be a directory")]
    FileDirectoryConflict {
        /// The path generated as a file.
        file: String,
        /// A path generated beneath it.
        nested: String,
    },
    /// The output path exists but is not a directory.
    #[error("output path `{}` exists but is not a directory", path.display())]
    NotADirectory {
        /// The output path.
        path: PathBuf,
    },
    /// The output path has no parent directory or file name (e.g. `/`, `..`).
    #[error("output path `{}` must name a directory inside a parent directory", path.display())]
    NoParent {
        /// The output path.
        path: PathBuf,
    },
    /// The output directory is missing and several old copies could be restored.
    #[error(
        "output directory `{}` is missing and several interrupted runs left old copies ({}); \
         rename the one to keep back to `{}` or delete them all",
        dir.display(),
        candidates.iter().map(|c| format!("`{}`", c.display())).collect::<Vec<_>>().join(", "),
        dir.display()
    )]
    AmbiguousLeftovers {
        /// The output directory.
        dir: PathBuf,
        /// The old copies found next to it.
        candidates: Vec<PathBuf>,
    },
    /// A filesystem operation failed.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        /// What was being done, e.g. "read" or "create directory".
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The new files are in place but the previous copy could not be removed.
    #[error(
        "`{}` was updated, but its previous contents at `{}` could not be removed \
         (the next run removes them)",
        dir.display(),
        old.display()
    )]
    RemoveOld {
        /// The updated output directory.
        dir: PathBuf,
        /// The previous copy that is left behind.
        old: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

pub(super) fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |source| OutputError::Io {
        action,
        path,
        source,
    }
}
