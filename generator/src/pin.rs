//! The pinned Matrix spec release that `generated/` is made from.
//!
//! `spec/pin.toml` records the release tag and a content digest of the spec
//! tree ([`digest_spec`]); `cargo xtask gen` refuses to run against a spec
//! that does not match ([`verify`]) unless asked to update the pin.
//!
//! # Spec directory
//!
//! A spec directory is the root of a Matrix spec release (e.g.
//! `matrix-spec/v1.19`), which must contain `data/api/client-server`. Being
//! pointed at the `data` directory itself is refused with a hint to pass its
//! parent: accepting both would give one spec two spellings, and the
//! generator reads more than `data/` relies on the same root.
//!
//! # Digest
//!
//! The digest covers every file under `<spec dir>/data`, recursively, hidden
//! files included. Symlinks are followed (to files and directories), so the
//! digest describes the bytes the generator reads and equals that of a copy
//! with symlinks resolved; a symlink cycle, a dangling symlink, a non-UTF-8
//! file name or a special file (FIFO, socket, device) is an error. Files are
//! sorted by their `/`-separated path relative to `data/` (byte-wise on the
//! UTF-8 string, e.g. `api/client-server/login.yaml`), and SHA-256 is taken
//! over, per file: the path bytes, a `0x00` byte, the content length as a
//! little-endian `u64`, and the contents. Nothing depends on the platform,
//! file system order, timestamps or permissions. Contents are hashed as
//! bytes, so a checkout that rewrites line endings digests differently.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

/// The Matrix spec's source repository; each release is a tag (`v1.19`).
pub const SPEC_REPOSITORY: &str = "https://github.com/matrix-org/matrix-spec";

/// How to get the spec release `tag`, for errors about a missing spec: a
/// clone of the spec repository at the tag, whose root (the folder with
/// `data/`) is the spec directory, checked against the pin's digest.
pub fn how_to_get(tag: &str) -> String {
    format!(
        "get the pinned spec with `git clone --depth 1 --branch {tag} {SPEC_REPOSITORY} ../shared/matrix-spec/{tag}` \
         (the generator reads its `data/` folder; spec/pin.toml's digest verifies it)"
    )
}

/// The header comment written at the top of `spec/pin.toml`.
const HEADER: &str = "# Written by `cargo xtask gen --update-pin`. \
                      The Matrix spec release that generated/ is made from.\n";

/// The directory a spec dir must contain, relative to it.
const REQUIRED: &str = "data/api/client-server";

/// The contents of `spec/pin.toml`: which spec release `generated/` is made
/// from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// The release tag, e.g. `v1.19` (letters, digits, `.`, `_`, `+`, `-`).
    pub tag: String,
    /// The spec tree's digest as returned by [`digest_spec`]: `sha256:<64 hex>`.
    pub digest: String,
    /// The number of files the digest covers.
    pub files: usize,
}

impl Pin {
    /// Reads and validates a pin file.
    pub fn read(path: &Path) -> Result<Pin, PinError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(PinError::Missing {
                    path: path.to_path_buf(),
                });
            }
            Err(source) => {
                return Err(PinError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let pin: Pin = toml::from_str(&text).map_err(|source| PinError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        pin.validate(path)?;
        Ok(pin)
    }

    /// Validates and writes the pin to `path`, replacing it atomically (via a
    /// sibling temporary file and a rename). The parent directory must exist.
    pub fn write(&self, path: &Path) -> Result<(), PinError> {
        self.validate(path)?;
        let write_err = |source| PinError::Write {
            path: path.to_path_buf(),
            source,
        };
        let Some(name) = path.file_name() else {
            return Err(write_err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the path does not name a file",
            )));
        };
        let mut temp_name = name.to_os_string();
        temp_name.push(format!(".tmp-{}", std::process::id()));
        let temp = path.with_file_name(temp_name);
        let result = fs::File::create(&temp)
            .and_then(|mut f| {
                f.write_all(self.to_toml_string().as_bytes())?;
                f.sync_all()
            })
            .and_then(|()| fs::rename(&temp, path));
        if let Err(e) = result {
            let _ = fs::remove_file(&temp);
            return Err(write_err(e));
        }
        Ok(())
    }

    /// The pin as `spec/pin.toml` text, with its header comment.
    pub fn to_toml_string(&self) -> String {
        format!(
            "{HEADER}tag = {}\ndigest = {}\nfiles = {}\n",
            toml_string(&self.tag),
            toml_string(&self.digest),
            self.files
        )
    }

    fn validate(&self, path: &Path) -> Result<(), PinError> {
        let invalid = |reason: String| PinError::InvalidPin {
            path: path.to_path_buf(),
            reason,
        };
        if let Err(reason) = tag_problem(&self.tag) {
            return Err(invalid(format!("tag {:?} {reason}", self.tag)));
        }
        let hex = self.digest.strip_prefix("sha256:").unwrap_or("");
        if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(invalid(format!(
                "digest {:?} is not `sha256:` followed by 64 lowercase hex digits",
                self.digest
            )));
        }
        Ok(())
    }
}

/// A TOML basic string (quoted, escaped).
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn tag_problem(tag: &str) -> Result<(), &'static str> {
    if tag.is_empty() {
        return Err("is empty");
    }
    if !tag
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
    {
        return Err("may only contain ASCII letters, digits, '.', '_', '+' and '-'");
    }
    if tag.starts_with('-') {
        return Err("must not start with '-'");
    }
    Ok(())
}

/// Checks that `tag` can be used as a release tag in a pin (e.g. `v1.19`):
/// non-empty ASCII letters, digits, `.`, `_`, `+`, `-`, not starting with `-`.
pub fn check_tag(tag: &str) -> Result<(), PinError> {
    tag_problem(tag).map_err(|reason| PinError::InvalidTag {
        tag: tag.to_owned(),
        reason,
    })
}

/// Errors reading, writing or checking the pin and digesting a spec tree.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PinError {
    /// The pin file does not exist.
    #[error(
        "pin file `{}` does not exist; create it with \
         `cargo xtask gen --spec <DIR> --update-pin <TAG>`",
        path.display()
    )]
    Missing {
        /// The pin file.
        path: PathBuf,
    },
    /// The pin file could not be read.
    #[error("cannot read pin file `{}`", path.display())]
    Read {
        /// The pin file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The pin file is not valid TOML or has wrong or unknown keys.
    #[error("cannot parse pin file `{}`", path.display())]
    Parse {
        /// The pin file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: toml::de::Error,
    },
    /// The pin's values are malformed.
    #[error("invalid pin in `{}`: {reason}", path.display())]
    InvalidPin {
        /// The pin file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A release tag is malformed.
    #[error("invalid release tag {tag:?}: it {reason}")]
    InvalidTag {
        /// The tag.
        tag: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The pin file could not be written.
    #[error("cannot write pin file `{}`", path.display())]
    Write {
        /// The pin file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The directory is not the root of a Matrix spec release.
    #[error(
        "`{}` is not a Matrix spec directory: expected the root of a spec release, \
         containing `{REQUIRED}`{hint}",
        dir.display()
    )]
    NotASpec {
        /// The directory given.
        dir: PathBuf,
        /// More detail, starting with "; " (or empty).
        hint: String,
    },
    /// A file or directory in the spec tree could not be read.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        /// What was being done, e.g. "read".
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A directory symlink in the spec tree leads back to one of its parents.
    #[error("symlink cycle in the spec tree at `{}`", path.display())]
    SymlinkCycle {
        /// The symlink that closes the cycle.
        path: PathBuf,
    },
    /// A file name in the spec tree is not UTF-8.
    #[error("file name is not UTF-8 in the spec tree: `{}`", path.display())]
    NonUtf8Path {
        /// The path.
        path: PathBuf,
    },
    /// The spec tree contains something other than files and directories.
    #[error("`{}` in the spec tree is neither a file nor a directory", path.display())]
    UnsupportedFileType {
        /// The path.
        path: PathBuf,
    },
    /// The spec tree does not match the pin.
    #[error(
        "the spec at `{dir}` differs from the pinned {tag} \
         (pinned {pinned}, found {found} over {found_files} files); \
         if you are updating the spec, run \
         `cargo xtask gen --spec {dir} --update-pin <TAG>` with that spec's release tag",
        dir = spec_dir.display()
    )]
    Mismatch {
        /// The spec directory checked.
        spec_dir: PathBuf,
        /// The pinned release tag.
        tag: String,
        /// The pinned digest.
        pinned: String,
        /// The digest found.
        found: String,
        /// The number of files found.
        found_files: usize,
    },
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> PinError {
    let path = path.to_path_buf();
    move |source| PinError::Io {
        action,
        path,
        source,
    }
}

/// Checks that `spec_dir` is the root of a Matrix spec release (it contains
/// `data/api/client-server`) and returns its `data` directory.
pub fn spec_data_dir(spec_dir: &Path) -> Result<PathBuf, PinError> {
    if spec_dir.join(REQUIRED).is_dir() {
        return Ok(spec_dir.join("data"));
    }
    let hint = if !spec_dir.exists() {
        "; it does not exist".to_owned()
    } else if !spec_dir.is_dir() {
        "; it is not a directory".to_owned()
    } else if spec_dir.join("api/client-server").is_dir() {
        match spec_dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(parent) => format!(
                "; it looks like the spec's `data` directory, pass its parent `{}` instead",
                parent.display()
            ),
            None => {
                "; it looks like the spec's `data` directory, pass its parent instead".to_owned()
            }
        }
    } else {
        String::new()
    };
    Err(PinError::NotASpec {
        dir: spec_dir.to_path_buf(),
        hint,
    })
}

/// Computes the content digest of the spec tree at `spec_dir` (see the
/// [module documentation](self) for exactly what is hashed).
///
/// Returns the digest as `sha256:<64 lowercase hex>` and the number of files.
pub fn digest_spec(spec_dir: &Path) -> Result<(String, usize), PinError> {
    let data = spec_data_dir(spec_dir)?;
    let mut files = Vec::new();
    let root = fs::canonicalize(&data).map_err(io_err("resolve", &data))?;
    collect(&data, "", &mut vec![root], &mut files)?;
    files.sort_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));

    let mut hasher = Sha256::new();
    let mut buf = Vec::new();
    for (rel, path) in &files {
        buf.clear();
        fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut buf))
            .map_err(io_err("read", path))?;
        hasher.update(rel.as_bytes());
        hasher.update([0u8]);
        hasher.update((buf.len() as u64).to_le_bytes());
        hasher.update(&buf);
    }
    let mut digest = String::from("sha256:");
    for byte in hasher.finalize() {
        let _ = write!(digest, "{byte:02x}");
    }
    Ok((digest, files.len()))
}

/// Appends `(relative path, path)` of every file below `dir`, following
/// symlinks; `ancestors` are the canonical paths of the directories being
/// walked, for cycle detection.
fn collect(
    dir: &Path,
    rel: &str,
    ancestors: &mut Vec<PathBuf>,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), PinError> {
    let entries = fs::read_dir(dir).map_err(io_err("read directory", dir))?;
    for entry in entries {
        let entry = entry.map_err(io_err("read directory", dir))?;
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            return Err(PinError::NonUtf8Path { path });
        };
        let child_rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        // Follows symlinks; a dangling one fails here, naming the path.
        let meta = fs::metadata(&path).map_err(io_err("inspect", &path))?;
        if meta.is_dir() {
            let canonical = fs::canonicalize(&path).map_err(io_err("resolve", &path))?;
            if ancestors.contains(&canonical) {
                return Err(PinError::SymlinkCycle { path });
            }
            ancestors.push(canonical);
            collect(&path, &child_rel, ancestors, out)?;
            ancestors.pop();
        } else if meta.is_file() {
            out.push((child_rel, path));
        } else {
            return Err(PinError::UnsupportedFileType { path });
        }
    }
    Ok(())
}

/// Checks the spec tree at `spec_dir` against `pin`: `Ok` if its digest is
/// the pinned one, else [`PinError::Mismatch`] (or an error from
/// [`digest_spec`]).
pub fn verify(spec_dir: &Path, pin: &Pin) -> Result<(), PinError> {
    let (found, found_files) = digest_spec(spec_dir)?;
    if found == pin.digest {
        return Ok(());
    }
    Err(PinError::Mismatch {
        spec_dir: spec_dir.to_path_buf(),
        tag: pin.tag.clone(),
        pinned: pin.digest.clone(),
        found,
        found_files,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// A minimal spec tree in a temp dir.
    fn spec_tree() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let cs = tmp.path().join("data/api/client-server");
        fs::create_dir_all(cs.join("definitions")).unwrap();
        fs::write(cs.join("login.yaml"), "openapi: 3.1.0\n").unwrap();
        fs::write(cs.join("definitions/errors.yaml"), "type: object\n").unwrap();
        fs::create_dir_all(tmp.path().join("data/event-schemas")).unwrap();
        fs::write(tmp.path().join("data/event-schemas/m.room.yaml"), "x").unwrap();
        // Outside data/: not part of the digest.
        fs::write(tmp.path().join("LICENSE"), "license").unwrap();
        tmp
    }

    fn pin(digest: &str) -> Pin {
        Pin {
            tag: "v1.19".into(),
            digest: digest.into(),
            files: 3,
        }
    }

    #[test]
    fn digest_is_stable() {
        let a = spec_tree();
        let b = spec_tree();
        let (da, na) = digest_spec(a.path()).unwrap();
        assert_eq!(na, 3);
        assert!(da.starts_with("sha256:") && da.len() == 7 + 64, "{da}");
        assert_eq!(digest_spec(a.path()).unwrap(), (da.clone(), 3));
        // Same content elsewhere (different absolute path): same digest.
        assert_eq!(digest_spec(b.path()).unwrap(), (da, 3));
    }

    #[test]
    fn digest_matches_the_documented_format() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("data/api/client-server")).unwrap();
        fs::write(tmp.path().join("data/api/client-server/b"), "yz").unwrap();
        fs::write(tmp.path().join("data/a"), "x").unwrap();
        let mut expected = Sha256::new();
        expected.update(b"a\0\x01\0\0\0\0\0\0\0x");
        expected.update(b"api/client-server/b\0\x02\0\0\0\0\0\0\0yz");
        let hex: String = expected
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            digest_spec(tmp.path()).unwrap(),
            (format!("sha256:{hex}"), 2)
        );
    }

    #[test]
    fn digest_changes_with_one_byte() {
        let tmp = spec_tree();
        let (before, _) = digest_spec(tmp.path()).unwrap();
        fs::write(tmp.path().join("data/event-schemas/m.room.yaml"), "y").unwrap();
        let (after, n) = digest_spec(tmp.path()).unwrap();
        assert_ne!(before, after);
        assert_eq!(n, 3);
        // Outside data/ does not count.
        fs::write(tmp.path().join("LICENSE"), "changed").unwrap();
        assert_eq!(digest_spec(tmp.path()).unwrap().0, after);
    }

    #[test]
    fn digest_changes_when_a_file_is_renamed_added_or_emptied() {
        let tmp = spec_tree();
        let (before, _) = digest_spec(tmp.path()).unwrap();
        let ev = tmp.path().join("data/event-schemas");
        fs::rename(ev.join("m.room.yaml"), ev.join("m.roon.yaml")).unwrap();
        let (renamed, _) = digest_spec(tmp.path()).unwrap();
        assert_ne!(before, renamed);
        fs::write(ev.join("empty"), "").unwrap();
        let (added, n) = digest_spec(tmp.path()).unwrap();
        assert_eq!(n, 4);
        assert_ne!(renamed, added);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_cycles_refused() {
        let tmp = spec_tree();
        let copy = spec_tree();
        let outside = tempfile::tempdir().unwrap();
        // Replace a file and a directory with symlinks to identical content.
        let cs = tmp.path().join("data/api/client-server");
        fs::write(outside.path().join("login.yaml"), "openapi: 3.1.0\n").unwrap();
        fs::remove_file(cs.join("login.yaml")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("login.yaml"), cs.join("login.yaml"))
            .unwrap();
        fs::rename(cs.join("definitions"), outside.path().join("defs")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("defs"), cs.join("definitions")).unwrap();
        assert_eq!(
            digest_spec(tmp.path()).unwrap(),
            digest_spec(copy.path()).unwrap()
        );

        std::os::unix::fs::symlink(tmp.path().join("data/api"), cs.join("loop")).unwrap();
        let err = digest_spec(tmp.path()).unwrap_err();
        assert!(matches!(err, PinError::SymlinkCycle { .. }), "{err}");
        assert!(err.to_string().contains("loop"), "{err}");
        fs::remove_file(cs.join("loop")).unwrap();

        std::os::unix::fs::symlink(tmp.path().join("nowhere"), cs.join("dangling")).unwrap();
        let err = digest_spec(tmp.path()).unwrap_err();
        assert!(err.to_string().contains("dangling"), "{err}");
    }

    #[test]
    fn not_a_spec_dir() {
        let tmp = spec_tree();
        let missing = tmp.path().join("nope");
        let err = digest_spec(&missing).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, PinError::NotASpec { .. }));
        assert!(msg.contains(&*missing.to_string_lossy()), "{msg}");
        assert!(
            msg.contains("data/api/client-server") && msg.contains("does not exist"),
            "{msg}"
        );

        let data = tmp.path().join("data");
        let msg = digest_spec(&data).unwrap_err().to_string();
        assert!(
            msg.contains("`data` directory")
                && msg.contains(&format!("`{}`", tmp.path().display())),
            "{msg}"
        );

        let msg = digest_spec(&tmp.path().join("LICENSE"))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("not a directory"), "{msg}");
    }

    #[test]
    fn verify_ok_and_mismatch_message() {
        let tmp = spec_tree();
        let (digest, files) = digest_spec(tmp.path()).unwrap();
        let good = Pin {
            files,
            ..pin(&digest)
        };
        verify(tmp.path(), &good).unwrap();

        let stale = pin(&format!("sha256:{}", "0".repeat(64)));
        let err = verify(tmp.path(), &stale).unwrap_err();
        assert!(matches!(err, PinError::Mismatch { .. }));
        let dir = tmp.path().display();
        assert_eq!(
            err.to_string(),
            format!(
                "the spec at `{dir}` differs from the pinned v1.19 (pinned {}, found {digest} \
                 over 3 files); if you are updating the spec, run \
                 `cargo xtask gen --spec {dir} --update-pin <TAG>` with that spec's release tag",
                stale.digest
            )
        );
    }

    #[test]
    fn pin_round_trip() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("pin.toml");
        let p = Pin {
            tag: "v1.19".into(),
            digest: format!("sha256:{}", "ab".repeat(32)),
            files: 406,
        };
        p.write(&path).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            format!(
                "# Written by `cargo xtask gen --update-pin`. The Matrix spec release that \
                 generated/ is made from.\ntag = \"v1.19\"\ndigest = \"{}\"\nfiles = 406\n",
                p.digest
            )
        );
        assert_eq!(Pin::read(&path).unwrap(), p);
        // Overwriting works and leaves no temp file.
        let q = Pin {
            tag: "v1.20".into(),
            ..p
        };
        q.write(&path).unwrap();
        assert_eq!(Pin::read(&path).unwrap(), q);
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn bad_pin_files() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("pin.toml");
        let err = Pin::read(&path).unwrap_err();
        assert!(matches!(err, PinError::Missing { .. }));
        assert!(err.to_string().contains("--update-pin"), "{err}");

        let digest = format!("sha256:{}", "a".repeat(64));
        for (text, want) in [
            ("tag = \"v1\"\n".to_owned(), "Parse"),
            (
                format!("tag = \"v1\"\ndigest = \"{digest}\"\nfiles = 1\nx = 1\n"),
                "Parse",
            ),
            (
                format!("tag = \"v1\"\ndigest = \"{digest}\"\nfiles = -1\n"),
                "Parse",
            ),
            (
                "tag = \"v1\"\ndigest = \"sha256:AB\"\nfiles = 1\n".to_owned(),
                "InvalidPin",
            ),
            (
                format!("tag = \"\"\ndigest = \"{digest}\"\nfiles = 1\n"),
                "InvalidPin",
            ),
            (
                format!("tag = \"a b\"\ndigest = \"{digest}\"\nfiles = 1\n"),
                "InvalidPin",
            ),
        ] {
            fs::write(&path, &text).unwrap();
            let err = Pin::read(&path).unwrap_err();
            assert!(format!("{err:?}").starts_with(want), "{text}: {err:?}");
            assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
        }
        let bad = Pin {
            tag: "v1 \"x\"".into(),
            ..pin(&digest)
        };
        assert!(matches!(bad.write(&path), Err(PinError::InvalidPin { .. })));
        // Escaping is still correct for any string.
        assert_eq!(toml_string("a\"b\\c\n\u{1}"), r#""a\"b\\c\n\u0001""#);
    }

    #[test]
    fn tags() {
        for ok in ["v1.19", "r0.6.1", "v1.20-rc.1", "unstable_2", "v1+x"] {
            check_tag(ok).unwrap();
        }
        for bad in ["", "-v1", "v1 ", "v1/x", "v1;rm", "é"] {
            let err = check_tag(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    /// The pinned spec this repository is generated from.
    fn real_spec_dir() -> PathBuf {
        match std::env::var_os("MATRIX_SPEC_DIR") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/matrix-spec/v1.19"
            )),
        }
    }

    #[test]
    fn real_spec_digests() {
        let dir = real_spec_dir();
        assert!(
            dir.join(REQUIRED).is_dir(),
            "the Matrix spec is not at `{}`: set MATRIX_SPEC_DIR to the root of a spec \
             release (the directory containing `data/`), e.g. \
             MATRIX_SPEC_DIR=\"$PWD/../shared/matrix-spec/v1.19\" cargo test --workspace",
            dir.display()
        );
        let (digest, files) = digest_spec(&dir).unwrap();
        assert!(digest.starts_with("sha256:"));
        assert!(files > 100, "only {files} files under `{}`", dir.display());
        assert_eq!(digest_spec(&dir).unwrap(), (digest, files));
    }
}
