//! Comparing the generated files with a directory.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::error::io_err;
use super::{GeneratedFiles, OutputError};

/// One difference between [`GeneratedFiles`] and a directory, named by the
/// file's `/`-separated path relative to the directory.
///
/// Displays as what writing the files would do: `added src/x.rs`,
/// `modified src/x.rs`, `removed src/x.rs`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileChange {
    /// The file is generated but missing from the directory.
    Added(String),
    /// The file exists but differs (or is not a regular file).
    Modified(String),
    /// The directory has a file that is not generated (stale).
    Removed(String),
}

impl FileChange {
    /// The `/`-separated path of the file, relative to the directory.
    pub fn path(&self) -> &str {
        match self {
            Self::Added(p) | Self::Modified(p) | Self::Removed(p) => p,
        }
    }
}

impl fmt::Display for FileChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Added(p) => write!(f, "added {p}"),
            Self::Modified(p) => write!(f, "modified {p}"),
            Self::Removed(p) => write!(f, "removed {p}"),
        }
    }
}

/// What is on disk at one relative path.
enum OnDisk {
    /// A regular file (not followed through symlinks).
    File(PathBuf),
    /// A symlink, FIFO, socket, device...: never equal to a generated file.
    Other,
}

/// Collects all non-directory entries under `dir` (not following symlinks,
/// skipping the top-level `target/`). Entries whose path is not UTF-8 can
/// never match a generated file; they are returned separately, lossily named.
fn scan(dir: &Path) -> Result<(BTreeMap<String, OnDisk>, Vec<String>), OutputError> {
    let mut found = BTreeMap::new();
    let mut non_utf8 = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new(), true)];
    while let Some((abs, rel, utf8)) = stack.pop() {
        let entries = fs::read_dir(&abs).map_err(io_err("read directory", &abs))?;
        for entry in entries {
            let entry = entry.map_err(io_err("read directory", &abs))?;
            let path = entry.path();
            let file_type = entry.file_type().map_err(io_err("inspect", &path))?;
            let name = entry.file_name();
            let (name, name_utf8) = match name.to_str() {
                Some(s) => (s.to_owned(), true),
                None => (name.to_string_lossy().into_owned(), false),
            };
            let child_rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let child_utf8 = utf8 && name_utf8;
            if file_type.is_dir() {
                if rel.is_empty() && child_rel == "target" {
                    continue;
                }
                stack.push((path, child_rel, child_utf8));
            } else if !child_utf8 {
                non_utf8.push(child_rel);
            } else if file_type.is_file() {
                found.insert(child_rel, OnDisk::File(path));
            } else {
                found.insert(child_rel, OnDisk::Other);
            }
        }
    }
    Ok((found, non_utf8))
}

/// Compares `files` with the directory `dir`.
///
/// Every generated file must exist in `dir` as a regular file (symlinks are
/// not followed) with identical bytes, else it is [`FileChange::Added`] or
/// [`FileChange::Modified`]; every other file in `dir` is
/// [`FileChange::Removed`] (stale). Only the top-level `target/` directory is
/// ignored; empty directories are not reported. A missing `dir` makes every
/// file [`FileChange::Added`]. The result is sorted by path.
pub fn diff(dir: &Path, files: &GeneratedFiles) -> Result<Vec<FileChange>, OutputError> {
    match fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(OutputError::NotADirectory {
                path: dir.to_path_buf(),
            });
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(files
                .iter()
                .map(|(p, _)| FileChange::Added(p.to_owned()))
                .collect());
        }
        Err(e) => return Err(io_err("inspect", dir)(e)),
    }
    let (mut on_disk, non_utf8) = scan(dir)?;
    let mut changes = Vec::new();
    for (path, contents) in files.iter() {
        match on_disk.remove(path) {
            None => changes.push(FileChange::Added(path.to_owned())),
            Some(OnDisk::Other) => changes.push(FileChange::Modified(path.to_owned())),
            Some(OnDisk::File(abs)) => {
                let bytes = fs::read(&abs).map_err(io_err("read", &abs))?;
                if bytes != contents.as_bytes() {
                    changes.push(FileChange::Modified(path.to_owned()));
                }
            }
        }
    }
    changes.extend(on_disk.into_keys().map(FileChange::Removed));
    changes.extend(non_utf8.into_iter().map(FileChange::Removed));
    changes.sort_by(|a, b| a.path().cmp(b.path()).then_with(|| a.cmp(b)));
    Ok(changes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::super::test_support::*;
    use super::*;
    use crate::output::*;
    use std::path::PathBuf;

    #[test]
    fn file_change_display() {
        assert_eq!(
            FileChange::Added("src/x.rs".into()).to_string(),
            "added src/x.rs"
        );
        assert_eq!(FileChange::Modified("a".into()).to_string(), "modified a");
        assert_eq!(FileChange::Removed("a".into()).to_string(), "removed a");
    }

    #[test]
    fn missing_dir_is_all_added() {
        let tmp = tempfile::tempdir().unwrap();
        let f = files(&[("Cargo.toml", "x"), ("src/lib.rs", "y")]);
        assert_eq!(
            diff(&tmp.path().join("generated"), &f).unwrap(),
            [
                FileChange::Added("Cargo.toml".into()),
                FileChange::Added("src/lib.rs".into())
            ]
        );
    }

    #[test]
    fn diff_on_a_file_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("generated");
        fs::write(&path, "").unwrap();
        let err = diff(&path, &GeneratedFiles::new()).unwrap_err();
        assert!(matches!(err, OutputError::NotADirectory { .. }));
        assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    }

    #[test]
    fn detects_modified_added_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("generated");
        write_atomically(
            &dir,
            &files(&[("a.rs", "a"), ("src/b.rs", "b"), ("src/old.rs", "old")]),
        )
        .unwrap();
        fs::write(dir.join("src/extra.rs"), "hand-written").unwrap();
        fs::create_dir_all(dir.join("target/debug")).unwrap();
        fs::write(dir.join("target/debug/ignored"), "").unwrap();
        let new = files(&[("a.rs", "a"), ("src/b.rs", "B"), ("src/new.rs", "new")]);
        let expected = vec![
            FileChange::Modified("src/b.rs".into()),
            FileChange::Removed("src/extra.rs".into()),
            FileChange::Added("src/new.rs".into()),
            FileChange::Removed("src/old.rs".into()),
        ];
        assert_eq!(diff(&dir, &new).unwrap(), expected);
        assert_eq!(write_atomically(&dir, &new).unwrap(), expected);
        // Stale files are gone; exactly the generated files remain.
        assert_eq!(
            snapshot(&dir),
            BTreeMap::from([
                (PathBuf::from("a.rs"), Some(b"a".to_vec())),
                (PathBuf::from("src"), None),
                (PathBuf::from("src/b.rs"), Some(b"B".to_vec())),
                (PathBuf::from("src/new.rs"), Some(b"new".to_vec())),
            ])
        );
        assert!(diff(&dir, &new).unwrap().is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("generated");
        fs::create_dir(&dir).unwrap();
        fs::write(tmp.path().join("real.rs"), "x").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("real.rs"), dir.join("link.rs")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), dir.join("linkdir")).unwrap();
        let f = files(&[("link.rs", "x")]);
        assert_eq!(
            diff(&dir, &f).unwrap(),
            [
                FileChange::Modified("link.rs".into()),
                FileChange::Removed("linkdir".into())
            ]
        );
        write_atomically(&dir, &f).unwrap();
        assert!(fs::symlink_metadata(dir.join("link.rs")).unwrap().is_file());
        assert!(tmp.path().join("real.rs").exists());
    }
}
