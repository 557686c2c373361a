//! The generated crate's next version, by Cargo's SemVer rules.
//!
//! The crate's version is `[crate] version` in `spec/generator.toml`. Cargo
//! treats versions as compatible when their left-most non-zero component is
//! the same (`0.1.0` and `0.1.5`, `1.2.0` and `1.9.0`; each `0.0.z` only
//! with itself), so:
//!
//! | changes | `0.0.z` | `0.y.z` | `x.y.z` (x ≥ 1) |
//! |---|---|---|---|
//! | breaking | `0.0.(z+1)` | `0.(y+1).0` | `(x+1).0.0` |
//! | additions only | `0.0.(z+1)` | `0.y.(z+1)` | `x.(y+1).0` |
//! | documentation only (a new release) | `0.0.(z+1)` | `0.y.(z+1)` | `x.y.(z+1)` |

use serde::Serialize;

/// What kind of release a set of changes asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing changed.
    Unchanged,
    /// No API change, but a new spec release (its documentation).
    Docs,
    /// API additions, nothing breaking.
    Additions,
    /// At least one breaking change.
    Breaking,
}

/// A version that is not plain `MAJOR.MINOR.PATCH`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot suggest the next version after `{version}`: only plain MAJOR.MINOR.PATCH versions are supported"
)]
pub struct VersionError {
    /// The version as written.
    pub version: String,
}

/// The version that follows `current` for changes of `level`; `current`
/// itself when nothing changed.
pub fn next_version(current: &str, level: Level) -> Result<String, VersionError> {
    let error = || VersionError {
        version: current.to_owned(),
    };
    let parts: Vec<u64> = current
        .split('.')
        .map(|part| {
            // Leading zeros are not SemVer (and `+`/`-` suffixes are refused).
            let plain = !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part == "0" || !part.starts_with('0'));
            if plain { part.parse().ok() } else { None }
        })
        .collect::<Option<_>>()
        .ok_or_else(error)?;
    let [major, minor, patch] = parts[..] else {
        return Err(error());
    };
    let bumped = |n: u64| n.checked_add(1).ok_or_else(error);
    let (major, minor, patch) = match (level, major, minor) {
        (Level::Unchanged, ..) => (major, minor, patch),
        (_, 0, 0) => (0, 0, bumped(patch)?),
        (Level::Breaking, 0, _) => (0, bumped(minor)?, 0),
        (Level::Additions | Level::Docs, 0, _) => (0, minor, bumped(patch)?),
        (Level::Breaking, ..) => (bumped(major)?, 0, 0),
        (Level::Additions, ..) => (major, bumped(minor)?, 0),
        (Level::Docs, ..) => (major, minor, bumped(patch)?),
    };
    Ok(format!("{major}.{minor}.{patch}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn follows_cargo_semver() {
        let cases = [
            ("0.1.0", Level::Breaking, "0.2.0"),
            ("0.1.3", Level::Additions, "0.1.4"),
            ("0.1.3", Level::Docs, "0.1.4"),
            ("0.1.3", Level::Unchanged, "0.1.3"),
            ("0.0.1", Level::Breaking, "0.0.2"),
            ("0.0.1", Level::Docs, "0.0.2"),
            ("1.4.2", Level::Breaking, "2.0.0"),
            ("1.4.2", Level::Additions, "1.5.0"),
            ("1.4.2", Level::Docs, "1.4.3"),
        ];
        for (current, level, next) in cases {
            assert_eq!(
                next_version(current, level).unwrap(),
                next,
                "{current} {level:?}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_plain_semver() {
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "1.2.3-alpha",
            "1.2.3+build",
            "01.2.3",
            "a.b.c",
            "1..3",
        ] {
            assert_eq!(
                next_version(bad, Level::Breaking),
                Err(VersionError {
                    version: bad.to_owned()
                }),
                "{bad}"
            );
        }
        assert!(next_version(&format!("1.{}.0", u64::MAX), Level::Additions).is_err());
    }
}
