//! Serde helpers for an optional property that may also be `null`:
//! `Option<Option<T>>` where the outer `None` is "absent" and
//! `Some(None)` is an explicit `null`.
//!
//! Use with `#[serde(default, skip_serializing_if = "Option::is_none",
//! with = "matrix_csapi_runtime::nullable")]`. Without it serde reads both
//! an absent property and `null` as `None`, and a `null` the server sent
//! (or the client must send, e.g. to delete a pusher) would be lost.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Writes `Some(None)` as `null` and `Some(Some(v))` as `v`. (`None` is
/// skipped by `skip_serializing_if`; if it is not, it is written as `null`.)
pub fn serialize<T: Serialize, S: Serializer>(
    value: &Option<Option<T>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(inner) => inner.serialize(serializer),
        None => serializer.serialize_none(),
    }
}

/// Reads a present property: `null` as `Some(None)`, a value as
/// `Some(Some(v))`. An absent property never reaches this function; the
/// field's `default` makes it `None`.
pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Body {
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::nullable"
        )]
        kind: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_are_three_states() {
        for (json, value) in [
            (json!({}), None),
            (json!({"kind": null}), Some(None)),
            (json!({"kind": "http"}), Some(Some("http".to_owned()))),
        ] {
            let body: Body = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(body.kind, value);
            assert_eq!(serde_json::to_value(&body).unwrap(), json);
        }
    }
}
