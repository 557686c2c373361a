//! Replacing a directory with the generated files, never half-written.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use super::error::io_err;
use super::recover::{recover_leftovers, split_dir};
use super::{FileChange, GeneratedFiles, OutputError, diff};

/// Replaces the directory `dir` with exactly `files`, never leaving it
/// half-written, and returns the changes (as [`diff`] reports them).
///
/// First cleans up after a crashed earlier run ([`recover_leftovers`]). When
/// there are no changes nothing is written. Otherwise every file is written
/// and fsynced into a fresh sibling directory `.<name>.tmp-<pid>`, which is
/// then swapped in (see the [module documentation](super)); the previous
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
pub(super) fn sync_dir(dir: &Path) -> Result<(), OutputError> {
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

    use super::super::test_support::*;
    use super::*;
    use crate::output::*;

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
}
