//! Cleaning up after a crashed run of [`super::write_atomically`].

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::OutputError;
use super::error::io_err;
use super::write::sync_dir;

/// What [`recover_leftovers`] did with one leftover of a crashed run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// The target directory was missing; it was restored from this old copy.
    Restored {
        /// The old copy, now renamed back to the target directory.
        from: PathBuf,
    },
    /// An unfinished temporary directory or replaced old copy was removed.
    Removed {
        /// The removed directory.
        path: PathBuf,
    },
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Restored { from } => write!(
                f,
                "restored the directory from `{}` left by an interrupted run",
                from.display()
            ),
            Self::Removed { path } => {
                write!(f, "removed `{}` left by an interrupted run", path.display())
            }
        }
    }
}

/// The parent directory and file name of `dir`, for sibling temp dirs.
pub(super) fn split_dir(dir: &Path) -> Result<(PathBuf, String), OutputError> {
    let no_parent = || OutputError::NoParent {
        path: dir.to_path_buf(),
    };
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(no_parent)?;
    let parent = match dir.parent() {
        Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
        Some(p) => p.to_path_buf(),
        None => return Err(no_parent()),
    };
    Ok((parent, name.to_owned()))
}

/// Whether `file_name` is `.<name>.<kind>-<digits>`.
fn is_leftover(file_name: &str, name: &str, kind: &str) -> bool {
    file_name
        .strip_prefix('.')
        .and_then(|s| s.strip_prefix(name))
        .and_then(|s| s.strip_prefix('.'))
        .and_then(|s| s.strip_prefix(kind))
        .and_then(|s| s.strip_prefix('-'))
        .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Cleans up after an earlier [`write_atomically`](super::write_atomically) on `dir` that crashed,
/// as described in the [module documentation](super), and says what it did.
///
/// Only directories named `.<name>.tmp-<digits>` or `.<name>.old-<digits>`
/// next to `dir` are touched. [`write_atomically`](super::write_atomically) calls this itself; call it
/// first only to report what was recovered.
pub fn recover_leftovers(dir: &Path) -> Result<Vec<Recovery>, OutputError> {
    let (parent, name) = split_dir(dir)?;
    let mut temps = Vec::new();
    let mut olds = Vec::new();
    let entries = match fs::read_dir(&parent) {
        Ok(entries) => entries,
        // No parent, no leftovers; creating `dir` later reports the problem.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err("read directory", &parent)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io_err("read directory", &parent))?;
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let is_temp = is_leftover(file_name, &name, "tmp");
        let is_old = is_leftover(file_name, &name, "old");
        if !(is_temp || is_old) {
            continue;
        }
        let path = entry.path();
        let file_type = entry.file_type().map_err(io_err("inspect", &path))?;
        if !file_type.is_dir() {
            continue;
        }
        if is_temp {
            temps.push(path);
        } else {
            olds.push(path);
        }
    }
    temps.sort();
    olds.sort();

    let mut done = Vec::new();
    let dir_exists = match fs::symlink_metadata(dir) {
        Ok(_) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(io_err("inspect", dir)(e)),
    };
    if !dir_exists && !olds.is_empty() {
        if olds.len() > 1 {
            return Err(OutputError::AmbiguousLeftovers {
                dir: dir.to_path_buf(),
                candidates: olds,
            });
        }
        let from = olds.remove(0);
        fs::rename(&from, dir).map_err(io_err("restore the directory from", &from))?;
        sync_dir(&parent)?;
        done.push(Recovery::Restored { from });
    }
    for path in temps.into_iter().chain(olds) {
        fs::remove_dir_all(&path).map_err(io_err("remove leftover directory", &path))?;
        done.push(Recovery::Removed { path });
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::super::test_support::*;
    use super::*;
    use crate::output::*;
    use std::fs;
    use std::path::PathBuf;

    #[test]
    fn recovers_crash_between_renames() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("generated");
        write_atomically(&dir, &files(&[("a.rs", "old")])).unwrap();
        // Crash after `generated` → old, before temp → `generated`.
        let old = tmp.path().join(".generated.old-4242");
        fs::rename(&dir, &old).unwrap();
        fs::create_dir_all(tmp.path().join(".generated.tmp-4242/src")).unwrap();
        // --check (diff) is read-only: it sees a missing dir.
        assert_eq!(
            diff(&dir, &files(&[("a.rs", "old")])).unwrap(),
            [FileChange::Added("a.rs".into())]
        );
        let recovered = recover_leftovers(&dir).unwrap();
        assert_eq!(
            recovered,
            [
                Recovery::Restored { from: old },
                Recovery::Removed {
                    path: tmp.path().join(".generated.tmp-4242")
                }
            ]
        );
        assert_eq!(fs::read_to_string(dir.join("a.rs")).unwrap(), "old");
        assert_eq!(
            write_atomically(&dir, &files(&[("a.rs", "new")])).unwrap(),
            [FileChange::Modified("a.rs".into())]
        );
        assert_eq!(siblings(tmp.path()), ["generated"]);
    }

    #[test]
    fn removes_stale_temp_and_old_copies() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("generated");
        write_atomically(&dir, &files(&[("a.rs", "a")])).unwrap();
        fs::create_dir_all(tmp.path().join(".generated.tmp-1/src")).unwrap();
        fs::create_dir_all(tmp.path().join(".generated.old-2/src")).unwrap();
        // Not ours: left alone.
        fs::create_dir_all(tmp.path().join(".generated.old-x")).unwrap();
        fs::create_dir_all(tmp.path().join(".other.tmp-1")).unwrap();
        // No changes, but leftovers are still cleaned up.
        assert!(
            write_atomically(&dir, &files(&[("a.rs", "a")]))
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            siblings(tmp.path()),
            [".generated.old-x", ".other.tmp-1", "generated"]
        );
    }

    #[test]
    fn ambiguous_old_copies_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("generated");
        fs::create_dir_all(tmp.path().join(".generated.old-1")).unwrap();
        fs::create_dir_all(tmp.path().join(".generated.old-2")).unwrap();
        let err = write_atomically(&dir, &files(&[("a", "b")])).unwrap_err();
        assert!(
            matches!(err, OutputError::AmbiguousLeftovers { .. }),
            "{err}"
        );
        assert!(err.to_string().contains(".generated.old-2"), "{err}");
        assert!(!dir.exists());
    }

    #[test]
    fn leftover_names() {
        assert!(is_leftover(".generated.tmp-123", "generated", "tmp"));
        assert!(!is_leftover(".generated.tmp-", "generated", "tmp"));
        assert!(!is_leftover(".generated.tmp-12a", "generated", "tmp"));
        assert!(!is_leftover("generated.tmp-1", "generated", "tmp"));
        assert!(!is_leftover(".generated.old-1", "generated", "tmp"));
    }

    #[test]
    fn relative_dir_and_bad_dir_names() {
        assert_eq!(
            split_dir(Path::new("generated")).unwrap().0,
            PathBuf::from(".")
        );
        assert!(matches!(
            write_atomically(Path::new("/"), &GeneratedFiles::new()),
            Err(OutputError::NoParent { .. })
        ));
        assert!(matches!(
            write_atomically(Path::new("a/.."), &GeneratedFiles::new()),
            Err(OutputError::NoParent { .. })
        ));
    }
}
