//! Serde helpers for durations that travel as integer milliseconds
//! (`expires_in_ms`, `retry_after_ms`, ...), for `#[serde(with = ...)]`.
//!
//! Matrix integers must fit in 53 bits (the spec's canonical-JSON range),
//! so a duration beyond 2^53 - 1 ms (about 285,000 years) fails to
//! serialize rather than going out as a value servers reject. A duration
//! that is not a whole number of milliseconds is rounded *up*
//! ([`wire_millis`]): a non-zero duration never goes out as 0 (a timeout of
//! 0 means "answer at once", a token lifetime of 0 a token that is dead on
//! arrival).

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer, de, ser};

/// The largest integer the Matrix spec allows in JSON.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The milliseconds a duration is sent as: rounded up to a whole
/// millisecond, so only a zero duration is sent as 0.
pub fn wire_millis(value: &Duration) -> u128 {
    let millis = value.as_millis();
    if value.subsec_nanos() % 1_000_000 == 0 {
        millis
    } else {
        millis + 1
    }
}

/// Serializes a duration as integer milliseconds (rounded up).
pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    let millis = wire_millis(value);
    match u64::try_from(millis) {
        Ok(millis) if millis <= MAX_SAFE_INTEGER => serializer.serialize_u64(millis),
        _ => Err(ser::Error::custom(format!(
            "a duration of {millis} ms is larger than the largest integer Matrix allows ({MAX_SAFE_INTEGER})"
        ))),
    }
}

/// Deserializes integer milliseconds; negative or fractional values are
/// errors.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let millis = u64::deserialize(deserializer).map_err(|e| {
        de::Error::custom(format!(
            "expected a non-negative integer of milliseconds: {e}"
        ))
    })?;
    Ok(Duration::from_millis(millis))
}

/// The same for `Option<Duration>` fields (use with `default` and
/// `skip_serializing_if = "Option::is_none"`).
pub mod option {
    use super::*;

    /// Serializes `Some` as integer milliseconds, `None` as null.
    pub fn serialize<S: Serializer>(
        value: &Option<Duration>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => super::serialize(duration, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Deserializes integer milliseconds or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        #[derive(Deserialize)]
        struct Millis(#[serde(with = "super")] Duration);
        Ok(Option::<Millis>::deserialize(deserializer)?.map(|Millis(d)| d))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde::Serialize;

    #[test]
    fn sub_millisecond_durations_round_up() {
        assert_eq!(wire_millis(&Duration::ZERO), 0);
        assert_eq!(wire_millis(&Duration::from_nanos(1)), 1);
        assert_eq!(wire_millis(&Duration::from_micros(1500)), 2);
        assert_eq!(wire_millis(&Duration::from_millis(7)), 7);
        assert_eq!(wire_millis(&Duration::new(3, 1)), 3001);
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Holder {
        #[serde(default, skip_serializing_if = "Option::is_none", with = "option")]
        lifetime: Option<Duration>,
    }

    #[test]
    fn round_trips_milliseconds() {
        let json = r#"{"lifetime":60000}"#;
        let holder: Holder = serde_json::from_str(json).unwrap();
        assert_eq!(holder.lifetime, Some(Duration::from_secs(60)));
        assert_eq!(serde_json::to_string(&holder).unwrap(), json);
        assert_eq!(
            serde_json::to_string(&Holder { lifetime: None }).unwrap(),
            "{}"
        );
        assert_eq!(
            serde_json::from_str::<Holder>("{}").unwrap(),
            Holder { lifetime: None }
        );
        assert_eq!(
            serde_json::from_str::<Holder>(r#"{"lifetime":null}"#).unwrap(),
            Holder { lifetime: None }
        );
    }

    #[test]
    fn rejects_negative_fractional_and_oversized_values() {
        assert!(serde_json::from_str::<Holder>(r#"{"lifetime":-1}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"lifetime":1.5}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"lifetime":true}"#).is_err());
        let huge = Holder {
            lifetime: Some(Duration::from_millis(MAX_SAFE_INTEGER + 1)),
        };
        assert!(serde_json::to_string(&huge).is_err());
        let max = Holder {
            lifetime: Some(Duration::from_millis(MAX_SAFE_INTEGER)),
        };
        assert_eq!(
            serde_json::to_string(&max).unwrap(),
            format!(r#"{{"lifetime":{MAX_SAFE_INTEGER}}}"#)
        );
    }

    #[test]
    fn a_partial_millisecond_is_rounded_up_when_serialized() {
        let holder = Holder {
            lifetime: Some(Duration::from_micros(1_001)),
        };
        assert_eq!(serde_json::to_string(&holder).unwrap(), r#"{"lifetime":2}"#);
        let holder = Holder {
            lifetime: Some(Duration::from_nanos(1)),
        };
        assert_eq!(serde_json::to_string(&holder).unwrap(), r#"{"lifetime":1}"#);
    }
}
