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

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

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

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> OutputError {
    let path = path.to_path_buf();
    move |source| OutputError::Io {
        action,
        path,
        source,
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

/// The parent directory and file name of `dir`, for sibling temp dirs.
fn split_dir(dir: &Path) -> Result<(PathBuf, String), OutputError> {
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

/// Cleans up after an earlier [`write_atomically`] on `dir` that crashed,
/// as described in the [module documentation](self), and says what it did.
///
/// Only directories named `.<name>.tmp-<digits>` or `.<name>.old-<digits>`
/// next to `dir` are touched. [`write_atomically`] calls this itself; call it
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

/// Replaces the directory `dir` with exactly `files`, never leaving it
/// half-written, and returns the changes (as [`diff`] reports them).
///
/// First cleans up after a crashed earlier run ([`recover_leftovers`]). When
/// there are no changes nothing is written. Otherwise every file is written
/// and fsynced into a fresh sibling directory `.<name>.tmp-<pid>`, which is
/// then swapped in (see the [module documentation](self)); the previous
/// contents, including any `target/` inside `dir`, are removed. If anything
/// fails before the swap, `dir` is untouched and the temporary directory is
/// removed. The parent of `dir` must exist.
pub fn write_atomically(
    dir: &Path,
    files: &GeneratedFiles,
) -> Result<Vec<FileChange>, OutputError> {
    let (parent, name) = split_dir(dir)?;
    recover_leftovers(dir)?;
    let changes = diff(dir, files)?;
    if changes.is_empty() {
        return Ok(changes);
    }
    let pid = std::process::id();
    let temp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));

    fs::create_dir(&temp).map_err(io_err("create temporary directory", &temp))?;
    if let Err(e) = write_tree(&temp, files) {
        // Best effort: the write error is the one worth reporting, and a
        // leftover temp dir is removed by the next run anyway.
        let _ = fs::remove_dir_all(&temp);
        return Err(e);
    }

    let dir_exists = dir.exists();
    if dir_exists {
        if let Err(e) = fs::rename(dir, &old) {
            let _ = fs::remove_dir_all(&temp);
            return Err(io_err("move aside", dir)(e));
        }
    }
    if let Err(e) = fs::rename(&temp, dir) {
        if dir_exists {
            // Put the original back; if even that fails, the next run does.
            let _ = fs::rename(&old, dir);
        }
        let _ = fs::remove_dir_all(&temp);
        return Err(io_err("move into place", &temp)(e));
    }
    sync_dir(&parent)?;
    if dir_exists {
        fs::remove_dir_all(&old).map_err(|source| OutputError::RemoveOld {
            dir: dir.to_path_buf(),
            old: old.clone(),
            source,
        })?;
    }
    Ok(changes)
}

/// Writes `files` below the existing directory `root` and fsyncs them and
/// every directory created.
fn write_tree(root: &Path, files: &GeneratedFiles) -> Result<(), OutputError> {
    let mut dirs = vec![root.to_path_buf()];
    for (rel, contents) in files.iter() {
        let path = rel.split('/').fold(root.to_path_buf(), |p, c| p.join(c));
        let parent = path.parent().filter(|p| !p.is_dir());
        if let Some(parent) = parent {
            fs::create_dir_all(parent).map_err(io_err("create directory", parent))?;
            let mut d = parent;
            while d != root {
                dirs.push(d.to_path_buf());
                match d.parent() {
                    Some(p) => d = p,
                    None => break,
                }
            }
        }
        let mut file = fs::File::create(&path).map_err(io_err("create", &path))?;
        file.write_all(contents.as_bytes())
            .map_err(io_err("write", &path))?;
        file.sync_all().map_err(io_err("sync", &path))?;
    }
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        sync_dir(d)?;
    }
    Ok(())
}

/// Makes the directory's entries durable. Only meaningful (and possible) on
/// Unix; elsewhere a no-op.
fn sync_dir(dir: &Path) -> Result<(), OutputError> {
    #[cfg(unix)]
    {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_err("sync directory", dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn files(entries: &[(&str, &str)]) -> GeneratedFiles {
        let mut f = GeneratedFiles::new();
        for (p, c) in entries {
            f.insert(*p, *c).unwrap();
        }
        f
    }

    /// Every entry below `dir` (files with contents, dirs, symlinks), for
    /// byte-for-byte comparisons.
    fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let e = e.unwrap();
                let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
                let ft = e.file_type().unwrap();
                if ft.is_dir() {
                    stack.push(e.path());
                    out.insert(rel, None);
                } else {
                    out.insert(rel, Some(fs::read(e.path()).unwrap()));
                }
            }
        }
        out
    }

    fn siblings(parent: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(parent)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

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
    fn write_then_diff_is_empty_and_nested_dirs_are_created() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("generated");
        let f = files(&[
            ("Cargo.toml", "[package]\n"),
            ("src/lib.rs", "pub mod a;\n"),
            ("src/a/b/c/deep.rs", "// deep\n"),
        ]);
        let changes = write_atomically(&dir, &f).unwrap();
        assert_eq!(changes.len(), 3);
        assert!(changes.iter().all(|c| matches!(c, FileChange::Added(_))));
        assert_eq!(
            fs::read_to_string(dir.join("src/a/b/c/deep.rs")).unwrap(),
            "// deep\n"
        );
        assert!(diff(&dir, &f).unwrap().is_empty());
        // Nothing left next to it.
        assert_eq!(siblings(tmp.path()), ["generated"]);
        // Second write: no changes, so no swap (same directory inode).
        #[cfg(unix)]
        let inode = || std::os::unix::fs::MetadataExt::ino(&fs::metadata(&dir).unwrap());
        #[cfg(unix)]
        let before = inode();
        assert!(write_atomically(&dir, &f).unwrap().is_empty());
        #[cfg(unix)]
        assert_eq!(inode(), before);
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

    fn assert_failure_leaves_original(dir: &Path, new: &GeneratedFiles) -> OutputError {
        let before = snapshot(dir);
        let err = write_atomically(dir, new).unwrap_err();
        assert_eq!(snapshot(dir), before, "original dir changed");
        err
    }

    #[test]
    fn failure_while_writing_leaves_original_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("generated");
        write_atomically(&dir, &files(&[("src/lib.rs", "old"), ("keep.rs", "k")])).unwrap();
        // A file name longer than any filesystem allows fails mid-write,
        // after other files went into the temp dir.
        let too_long = format!("src/{}.rs", "x".repeat(300));
        let new = files(&[("a.rs", "new"), ("src/lib.rs", "new"), (&too_long, "boom")]);
        let err = assert_failure_leaves_original(&dir, &new);
        assert!(
            matches!(
                err,
                OutputError::Io {
                    action: "create",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains(".generated.tmp-"), "{err}");
        assert_eq!(siblings(tmp.path()), ["generated"], "temp dir not removed");
    }

    #[test]
    fn failure_creating_temp_dir_leaves_original_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("generated");
        write_atomically(&dir, &files(&[("src/lib.rs", "old")])).unwrap();
        // A regular file occupies the temp location (recovery only touches
        // directories), so the temp dir cannot be created.
        let blocker = tmp
            .path()
            .join(format!(".generated.tmp-{}", std::process::id()));
        fs::write(&blocker, "not a dir").unwrap();
        let err = assert_failure_leaves_original(&dir, &files(&[("src/lib.rs", "new")]));
        assert!(
            err.to_string().contains(&*blocker.to_string_lossy()),
            "{err}"
        );
        assert_eq!(fs::read(&blocker).unwrap(), b"not a dir");
    }

    #[test]
    fn output_that_is_a_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("generated");
        fs::write(&path, "precious").unwrap();
        let err = write_atomically(&path, &files(&[("a", "b")])).unwrap_err();
        assert!(matches!(err, OutputError::NotADirectory { .. }), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"precious");
        assert_eq!(siblings(tmp.path()), ["generated"]);
    }

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
