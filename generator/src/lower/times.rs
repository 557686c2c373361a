//! Durations and timestamps: which integer properties and parameters are
//! times is said by `time_rules` in the config, never guessed from a name.

use crate::config::{TimeKind, TimePlace};
use crate::load::Location;
use crate::model::Type;

use super::naming::rust_ident;
use super::{LowerError, Lowerer};

/// Words in a description that say an integer is a time (lower case).
const TIME_WORDS: &[&str] = &["millisecond", "seconds", "timestamp"];

/// Name endings that say an integer is a time.
const TIME_SUFFIXES: &[&str] = &["_ms", "_ts"];

impl Lowerer<'_> {
    /// The type and Rust name of the integer value `json_name` (a property
    /// or a parameter, defined at `at`) of type `ty`, after the time rules:
    /// unchanged unless a rule says it is a time. An integer that looks like
    /// a time but has no rule fails, as does a rule matching a value that is
    /// not an integer or two rules matching one value.
    pub(super) fn apply_time_rules(
        &mut self,
        at: &Location,
        json_name: &str,
        place: TimePlace,
        description: Option<&str>,
        ty: Type,
        rust_name: String,
    ) -> Result<(Type, String), LowerError> {
        let mut matching = self
            .config
            .time_rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.matches(json_name, &at.file, place));
        let Some((index, rule)) = matching.next() else {
            if is_integer(&ty) && looks_like_time(json_name, description) {
                return Err(self.invalid(
                    at,
                    format!(
                        "integer `{json_name}` looks like a time (its name or description) but no `time_rules` entry in spec/generator.toml says what it is; add one (`type = \"integer\"` if it is not a time)"
                    ),
                ));
            }
            return Ok((ty, rust_name));
        };
        if let Some((other, _)) = matching.next() {
            return Err(self.invalid(
                at,
                format!(
                    "`time_rules` entries {} and {} (counting from 1) both match `{json_name}`; make one narrower (`file`, `in`)",
                    index + 1,
                    other + 1
                ),
            ));
        }
        self.used_time_rules.insert(index);
        let time = match rule.kind {
            TimeKind::DurationMs => Type::DurationMs,
            TimeKind::DurationSecs => Type::DurationSecs,
            TimeKind::TimestampMs => Type::Timestamp,
            TimeKind::Integer => return Ok((ty, rust_name)),
        };
        let ty = match ty {
            Type::I64 | Type::U64 => time,
            // Received as `null` too (a type list with "null"): only a
            // timestamp, whose type has its own serde impls, nests.
            Type::Nullable(inner) if is_integer(&inner) && time == Type::Timestamp => {
                Type::Nullable(Box::new(time))
            }
            other => {
                return Err(self.invalid(
                    at,
                    format!(
                        "`time_rules` entry {} (`{}`) matches `{json_name}`, which is {other:?}, not an integer",
                        index + 1,
                        rule.name
                    ),
                ));
            }
        };
        // The type carries the unit, so the name does not repeat it.
        let rust_name = match rule.kind {
            TimeKind::DurationMs | TimeKind::TimestampMs => match rust_name.strip_suffix("_ms") {
                Some(stem) if !stem.is_empty() => rust_ident(stem),
                _ => rust_name,
            },
            _ => rust_name,
        };
        Ok((ty, rust_name))
    }

    /// `time_rules` entries that matched no property or parameter (none
    /// for an older release, which may lack what a rule names).
    pub(super) fn unused_time_rules(&self) -> Vec<LowerError> {
        if self.config.older_release {
            return Vec::new();
        }
        self.config
            .time_rules
            .iter()
            .enumerate()
            .filter(|(index, _)| !self.used_time_rules.contains(index))
            .map(|(index, rule)| LowerError::config(format!(
                    "`time_rules` entry {} (`{}`) matches no integer property or parameter; fix or remove it",
                    index + 1,
                    rule.name
                )))
            .collect()
    }
}

fn is_integer(ty: &Type) -> bool {
    match ty {
        Type::I64 | Type::U64 => true,
        Type::Nullable(inner) => is_integer(inner),
        _ => false,
    }
}

fn looks_like_time(name: &str, description: Option<&str>) -> bool {
    let description = description.unwrap_or_default().to_lowercase();
    TIME_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
        || TIME_WORDS.iter().any(|word| description.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_descriptions_that_look_like_times() {
        assert!(looks_like_time("expires_at_ms", None));
        assert!(looks_like_time("last_seen_ts", None));
        assert!(looks_like_time(
            "ts",
            Some("The unix Timestamp at which it was sent.")
        ));
        assert!(looks_like_time("ttl", Some("The time-to-live in seconds")));
        assert!(!looks_like_time(
            "limit",
            Some("The maximum number of events.")
        ));
        assert!(!looks_like_time("terms", None));
    }
}
