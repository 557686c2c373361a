//! Serde helpers for durations that travel as integer seconds (a TURN
//! server's `ttl`, an OpenID token's `expires_in`), for
//! `#[serde(with = ...)]`: the same rules as [`crate::duration_ms`] in
//! whole seconds. A partial second is rounded *up* ([`wire_secs`]), so a
//! non-zero duration never goes out as 0; beyond 2^53 - 1 s it fails to
//! serialize.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer, de, ser};

use crate::duration_ms::MAX_SAFE_INTEGER;

/// The seconds a duration is sent as: rounded up to a whole second, so
/// only a zero duration is sent as 0.
pub fn wire_secs(value: &Duration) -> u64 {
    let secs = value.as_secs();
    if value.subsec_nanos() == 0 {
        secs
    } else {
        secs.saturating_add(1)
    }
}

/// Serializes a duration as integer seconds (rounded up).
pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    let secs = wire_secs(value);
    if secs <= MAX_SAFE_INTEGER {
        serializer.serialize_u64(secs)
    } else {
        Err(ser::Error::custom(format!(
            "a duration of {secs} s is larger than the largest integer Matrix allows ({MAX_SAFE_INTEGER})"
        )))
    }
}

/// Deserializes integer seconds; negative or fractional values are errors.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let secs = u64::deserialize(deserializer).map_err(|e| {
        de::Error::custom(format!("expected a non-negative integer of seconds: {e}"))
    })?;
    Ok(Duration::from_secs(secs))
}

/// The same for `Option<Duration>` fields (use with `default` and
/// `skip_serializing_if = "Option::is_none"`).
pub mod option {
    use super::*;

    /// Serializes `Some` as integer seconds, `None` as null.
    pub fn serialize<S: Serializer>(
        value: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => super::serialize(duration, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Deserializes integer seconds or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        #[derive(Deserialize)]
        struct Secs(#[serde(with = "super")] Duration);
        Ok(Option::<Secs>::deserialize(deserializer)?.map(|Secs(d)| d))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde::Serialize;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Holder {
        #[serde(default, skip_serializing_if = "Option::is_none", with = "option")]
        ttl: Option<Duration>,
    }

    #[test]
    fn round_trips_seconds_and_rounds_a_partial_second_up() {
        let holder: Holder = serde_json::from_str(r#"{"ttl":86400}"#).unwrap();
        assert_eq!(holder.ttl, Some(Duration::from_secs(86_400)));
        assert_eq!(serde_json::to_string(&holder).unwrap(), r#"{"ttl":86400}"#);
        let partial = Holder {
            ttl: Some(Duration::from_millis(1)),
        };
        assert_eq!(serde_json::to_string(&partial).unwrap(), r#"{"ttl":1}"#);
        assert_eq!(wire_secs(&Duration::ZERO), 0);
        assert_eq!(wire_secs(&Duration::new(2, 1)), 3);
        assert_eq!(serde_json::from_str::<Holder>("{}").unwrap().ttl, None);
    }

    #[test]
    fn rejects_negative_fractional_and_oversized_values() {
        for text in [r#"{"ttl":-1}"#, r#"{"ttl":1.5}"#, r#"{"ttl":"1"}"#] {
            assert!(serde_json::from_str::<Holder>(text).is_err(), "{text}");
        }
        let huge = Holder {
            ttl: Some(Duration::from_secs(MAX_SAFE_INTEGER + 1)),
        };
        assert!(serde_json::to_string(&huge).is_err());
    }
}
