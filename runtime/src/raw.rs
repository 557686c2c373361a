//! Lazily parsed JSON values: [`Raw`].

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// A JSON value of type `T`, kept as the exact text that was received and
/// parsed only when asked ([`deserialize`](Self::deserialize)).
///
/// Events are carried this way (configured in `spec/generator.toml`):
/// servers relay events from other servers and clients, a filter's
/// `event_fields` strips them to the fields asked for, and the deprecated
/// `/events` stream sends presence without `event_id`. One event that does
/// not fit its schema must not fail the whole `/sync`; and a large response
/// is not parsed further than the caller reads. Serializing a `Raw` writes
/// the received text back unchanged, so nothing is lost when an event is
/// relayed, stored or signed.
///
/// `Debug` shows the JSON text: events carry no credentials.
pub struct Raw<T> {
    json: Box<RawValue>,
    // `fn() -> T`: a `Raw<T>` holds no `T`, so it is `Send`/`Sync` whatever `T` is.
    _type: PhantomData<fn() -> T>,
}

impl<T> Raw<T> {
    /// Wraps JSON text without checking that it is a `T`.
    pub fn from_json(json: Box<RawValue>) -> Self {
        Self {
            json,
            _type: PhantomData,
        }
    }

    /// Serializes `value` into a new `Raw`.
    pub fn new(value: &T) -> serde_json::Result<Self>
    where
        T: Serialize,
    {
        serde_json::value::to_raw_value(value).map(Self::from_json)
    }

    /// The JSON text, exactly as received.
    pub fn json(&self) -> &RawValue {
        &self.json
    }

    /// The JSON text, exactly as received.
    pub fn into_json(self) -> Box<RawValue> {
        self.json
    }

    /// Parses the value as a `T`.
    pub fn deserialize(&self) -> serde_json::Result<T>
    where
        T: DeserializeOwned,
    {
        serde_json::from_str(self.json.get())
    }

    /// Parses the value as another type, e.g. a more specific event type
    /// once `type` is known.
    pub fn deserialize_as<U: DeserializeOwned>(&self) -> serde_json::Result<U> {
        serde_json::from_str(self.json.get())
    }

    /// Parses one top-level field, e.g. `"type"` or `"event_id"`, without
    /// building the rest (other values are skipped, not collected):
    /// `Ok(None)` when the value is an object without that field. Of
    /// repeated keys the last counts, as when the whole object is parsed.
    pub fn get_field<F: DeserializeOwned>(&self, name: &str) -> serde_json::Result<Option<F>> {
        struct Field<'a>(&'a str);

        impl<'de> serde::de::Visitor<'de> for Field<'_> {
            type Value = Option<&'de RawValue>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut found = None;
                while let Some(key) = map.next_key::<crate::de::Key<'de>>()? {
                    if *key == *self.0 {
                        found = Some(map.next_value::<&'de RawValue>()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
        }

        let mut deserializer = serde_json::Deserializer::from_str(self.json.get());
        let raw = serde::Deserializer::deserialize_map(&mut deserializer, Field(name))?;
        raw.map(|raw| serde_json::from_str(raw.get())).transpose()
    }

    /// The same JSON, seen as another type.
    pub fn cast<U>(self) -> Raw<U> {
        Raw::from_json(self.json)
    }
}

impl<T> Clone for Raw<T> {
    fn clone(&self) -> Self {
        Self::from_json(self.json.clone())
    }
}

impl<T> fmt::Debug for Raw<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Raw").field(&self.json.get()).finish()
    }
}

/// Equal when the JSON texts are equal byte for byte (the same value
/// written differently, e.g. with other whitespace, is not equal).
impl<T> PartialEq for Raw<T> {
    fn eq(&self, other: &Self) -> bool {
        self.json.get() == other.json.get()
    }
}

impl<T> Serialize for Raw<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Raw<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Box::<RawValue>::deserialize(deserializer)?;
        if VALIDATE.get() {
            serde_json::from_str::<T>(json.get()).map_err(serde::de::Error::custom)?;
        }
        Ok(Self::from_json(json))
    }
}

thread_local! {
    static VALIDATE: Cell<bool> = const { Cell::new(false) };
}

/// Test support, not part of the API: while `validate` is on (on this
/// thread), deserializing a [`Raw<T>`] also parses it as a `T` and fails if
/// that fails, so a test that round-trips whole responses (the spec's
/// examples) still checks every event against its type.
#[doc(hidden)]
pub fn validate_raw_values_on_this_thread(validate: bool) {
    VALIDATE.set(validate);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Event {
        r#type: String,
        event_id: String,
    }

    #[derive(Debug, Deserialize, Serialize)]
    struct Chunk {
        chunk: Vec<Raw<Event>>,
    }

    #[test]
    fn keeps_the_received_text_and_parses_on_demand() {
        let body = r#"{"chunk":[{"type":"m.presence", "content":{"presence":"online"}},{"event_id":"$a","type":"m.room.message","org.example":1}]}"#;
        let chunk: Chunk = serde_json::from_str(body).unwrap();
        assert_eq!(serde_json::to_string(&chunk).unwrap(), body);
        // Presence from `/events` has no `event_id`: only reading it fails.
        assert!(chunk.chunk[0].deserialize().is_err());
        assert_eq!(
            chunk.chunk[0]
                .get_field::<String>("type")
                .unwrap()
                .as_deref(),
            Some("m.presence")
        );
        assert_eq!(
            chunk.chunk[0].get_field::<String>("event_id").unwrap(),
            None
        );
        assert_eq!(
            chunk.chunk[1].deserialize().unwrap(),
            Event {
                r#type: "m.room.message".into(),
                event_id: "$a".into()
            }
        );
    }

    #[test]
    fn validation_for_tests_is_opt_in_per_thread() {
        let body = r#"{"chunk":[{"type":"m.presence"}]}"#;
        validate_raw_values_on_this_thread(true);
        let error = serde_json::from_str::<Chunk>(body).unwrap_err().to_string();
        validate_raw_values_on_this_thread(false);
        assert!(error.contains("missing field `event_id`"), "{error}");
        serde_json::from_str::<Chunk>(body).unwrap();
    }

    #[test]
    fn get_field_reads_one_key_of_an_object() {
        let raw: Raw<Event> = serde_json::from_str(
            r#"{"type":"a","content":{"deep":[1,{"x":null}]},"type":"m.last","t\u0079pe2":3}"#,
        )
        .unwrap();
        assert_eq!(
            raw.get_field::<String>("type").unwrap().as_deref(),
            Some("m.last")
        );
        assert_eq!(
            raw.get_field::<u8>("type2").unwrap(),
            Some(3),
            "an escaped key"
        );
        assert_eq!(raw.get_field::<String>("state_key").unwrap(), None);
        assert!(raw.get_field::<u8>("type").is_err(), "a mistyped field");
        let array: Raw<Event> = serde_json::from_str("[1]").unwrap();
        assert!(array.get_field::<String>("type").is_err(), "not an object");
    }

    #[test]
    fn new_and_cast() {
        let event = Event {
            r#type: "m.room.message".into(),
            event_id: "$a".into(),
        };
        let raw = Raw::new(&event).unwrap();
        assert_eq!(
            raw.json().get(),
            r#"{"type":"m.room.message","event_id":"$a"}"#
        );
        let value: Raw<serde_json::Value> = raw.clone().cast();
        assert_eq!(value.deserialize().unwrap()["event_id"], "$a");
        assert_eq!(
            serde_json::to_value(&raw).unwrap()["type"],
            "m.room.message"
        );
    }
}
