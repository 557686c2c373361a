//! What the generated event contents (the generated crate's `events`
//! module) have in common: [`EventContent`] for the content of one event
//! type, [`EventContentFromType`] for any content read together with its
//! event type (one content type, or a generated enum of many through
//! [`event_content_enum!`](crate::event_content_enum)), and the helpers
//! the generated event envelopes (`ClientEvent<C>`) use for their fused
//! `type` and `content`.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// The kind of an event, from the spec's core event schema it extends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// A state event: a room event with a `state_key`
    /// (`core-event-schema/state_event.yaml`).
    State,
    /// A room event that is not state: a message, a reaction, a redaction
    /// (`core-event-schema/room_event.yaml`).
    Room,
    /// An event of only `type` and `content` (`core-event-schema/event.yaml`):
    /// account data, ephemeral and to-device events, told apart by where
    /// they arrive, not by their schema.
    Basic,
}

/// The content of an event of one type: ties the content type to the
/// event type it is sent and received as, so that the two cannot disagree.
pub trait EventContent: serde::Serialize + serde::de::DeserializeOwned {
    /// The event type (`m.room.member`).
    const EVENT_TYPE: &'static str;
    /// Other event types with the same content (`m.receipt.private` beside
    /// `m.receipt`); usually none.
    const OTHER_EVENT_TYPES: &'static [&'static str] = &[];
    /// The kind of event.
    const KIND: EventKind;
}

/// An event's content read together with its event type: the `C` of a
/// generated event envelope (`ClientEvent<C>`), which holds an event's
/// `type` and `content` as one value.
///
/// Implemented by every [`EventContent`] (it reads its own
/// [`EVENT_TYPE`](EventContent::EVENT_TYPE) only, so that writing the event
/// back cannot change its type) and by the generated enums of many event
/// types ([`event_content_enum!`](crate::event_content_enum)), which keep
/// unknown types and contents that do not fit their type (a redacted
/// event's) whole in their `Other` variant.
///
/// `Serialize` writes the content alone; [`event_type`](Self::event_type)
/// gives the `type` to write beside it.
pub trait EventContentFromType: Sized + Serialize {
    /// Reads `content` (the JSON text of the event's `content`) as the
    /// content of an event of type `event_type`.
    fn from_parts(event_type: &str, content: &RawValue) -> serde_json::Result<Self>;

    /// Reads `content`, a JSON object already parsed (a state event's
    /// `unsigned.prev_content`, which holds the content of the event's own
    /// type), as the content of an event of type `event_type`:
    /// `C::from_object(event.content.event_type(), prev_content)`.
    fn from_object(
        event_type: &str,
        content: &serde_json::Map<String, serde_json::Value>,
    ) -> serde_json::Result<Self> {
        let text = serde_json::value::to_raw_value(content)?;
        Self::from_parts(event_type, &text)
    }

    /// The event type this content is sent as.
    fn event_type(&self) -> &str;
}

impl<T: EventContent> EventContentFromType for T {
    fn from_parts(event_type: &str, content: &RawValue) -> serde_json::Result<Self> {
        if event_type != T::EVENT_TYPE {
            return Err(serde::de::Error::custom(format_args!(
                "event type `{event_type}`, expected `{}`",
                T::EVENT_TYPE
            )));
        }
        serde_json::from_str(content.get())
    }

    fn event_type(&self) -> &str {
        T::EVENT_TYPE
    }
}

/// Writes `content` as the two properties `type` and `content` of the
/// event it is flattened into (`#[serde(flatten, serialize_with = ...)]`
/// of a generated envelope's `content` field).
pub fn serialize_type_and_content<C, S>(content: &C, serializer: S) -> Result<S::Ok, S::Error>
where
    C: EventContentFromType,
    S: Serializer,
{
    let mut map = serializer.serialize_map(Some(2))?;
    map.serialize_entry("type", content.event_type())?;
    map.serialize_entry("content", content)?;
    map.end()
}

/// The content of an envelope from its `type` and `content` as
/// [`deserialize_object!`](crate::deserialize_object) collected them.
#[doc(hidden)]
pub fn __from_collected<C: EventContentFromType, E: serde::de::Error>(
    event_type: Option<crate::de::Key<'_>>,
    content: Option<Box<RawValue>>,
) -> Result<C, E> {
    let event_type = event_type.ok_or_else(|| E::missing_field("type"))?;
    let content = content.ok_or_else(|| E::missing_field("content"))?;
    C::from_parts(&event_type, &content).map_err(E::custom)
}

/// The `Other` variant's content: any JSON object.
#[doc(hidden)]
pub fn __other_content(
    content: &RawValue,
) -> serde_json::Result<serde_json::Map<String, serde_json::Value>> {
    serde_json::from_str(content.get())
}

/// Defines an enum of the contents of several event types, implementing
/// [`EventContentFromType`]: a variant per event type holding its content
/// type, and `Other { event_type, content }` for any other event type and
/// for a known type whose content does not fit its type (a redacted event,
/// whose content the server emptied). Nothing received is refused or lost:
/// serializing writes the content back, [`event_type`] the type.
///
/// A variant takes doc comments and at most one `#[cfg(..)]` (also put on
/// its match arms; without it, its event type is `Other`) and then
/// `#[cfg_attr(..)]`s. The generated enum derives `Clone`, `Debug`,
/// `PartialEq` and is `#[non_exhaustive]`: a later spec release adds
/// variants.
///
/// [`event_type`]: EventContentFromType::event_type
///
/// ```
/// use matrix_csapi_runtime::EventContentFromType;
/// use matrix_csapi_runtime::serde_json::{self, value::RawValue};
///
/// #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
/// pub struct Topic {
///     topic: String,
/// }
///
/// matrix_csapi_runtime::event_content_enum! {
///     /// A few event types.
///     pub enum Content {
///         /// A topic.
///         RoomTopic(Topic) = "m.room.topic",
///     }
/// }
///
/// let raw = RawValue::from_string(r#"{"topic":"lunch"}"#.to_owned()).unwrap();
/// let topic = Content::from_parts("m.room.topic", &raw).unwrap();
/// assert_eq!(topic, Content::RoomTopic(Topic { topic: "lunch".into() }));
/// let redacted = RawValue::from_string("{}".to_owned()).unwrap();
/// let other = Content::from_parts("m.room.topic", &redacted).unwrap();
/// assert!(matches!(other, Content::Other { .. }));
/// assert_eq!(other.event_type(), "m.room.topic");
/// assert_eq!(serde_json::to_string(&other).unwrap(), "{}");
/// ```
#[macro_export]
macro_rules! event_content_enum {
    (
        $(#[doc = $doc:expr])*
        $vis:vis enum $name:ident {
            $(
                $(#[doc = $variant_doc:expr])*
                $(#[cfg($variant_cfg:meta)])?
                $(#[cfg_attr($($variant_cfg_attr:tt)*)])*
                $variant:ident($content:ty $(,)?) = $event_type:literal
            ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[doc = $variant_doc])*
                $(#[cfg($variant_cfg)])?
                $(#[cfg_attr($($variant_cfg_attr)*)])*
                $variant($content),
            )*
            /// An event type this enum does not list, or a listed one whose
            /// content does not fit its type (a redacted event's emptied
            /// content): kept whole.
            Other {
                /// The event type.
                event_type: ::std::string::String,
                /// The content as received.
                content: $crate::serde_json::Map<::std::string::String, $crate::serde_json::Value>,
            },
        }

        impl $crate::EventContentFromType for $name {
            fn from_parts(
                event_type: &str,
                content: &$crate::serde_json::value::RawValue,
            ) -> $crate::serde_json::Result<Self> {
                let known = match event_type {
                    $(
                        $(#[cfg($variant_cfg)])?
                        $event_type => $crate::serde_json::from_str(content.get()).ok().map(Self::$variant),
                    )*
                    _ => ::core::option::Option::None,
                };
                match known {
                    ::core::option::Option::Some(known) => ::core::result::Result::Ok(known),
                    ::core::option::Option::None => ::core::result::Result::Ok(Self::Other {
                        event_type: event_type.to_owned(),
                        content: $crate::events::__other_content(content)?,
                    }),
                }
            }

            fn event_type(&self) -> &str {
                match self {
                    $(
                        $(#[cfg($variant_cfg)])?
                        Self::$variant(_) => $event_type,
                    )*
                    Self::Other { event_type, .. } => event_type,
                }
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                match self {
                    $(
                        $(#[cfg($variant_cfg)])?
                        Self::$variant(content) => $crate::serde::Serialize::serialize(content, serializer),
                    )*
                    Self::Other { content, .. } => $crate::serde::Serialize::serialize(content, serializer),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};
    use serde_json::{Value, json};

    use super::*;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Name {
        name: String,
    }

    impl EventContent for Name {
        const EVENT_TYPE: &'static str = "m.room.name";
        const KIND: EventKind = EventKind::State;
    }

    // Only in the compiled-out variant below.
    #[allow(dead_code)]
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Topic {
        topic: String,
    }

    crate::event_content_enum! {
        /// Two event types.
        enum Content {
            /// A name.
            RoomName(Name) = "m.room.name",
            /// Compiled out: its type is `Other`.
            #[cfg(any())]
            RoomTopic(Topic) = "m.room.topic",
        }
    }

    /// An envelope as the generator emits it.
    #[derive(Clone, Debug, PartialEq, Serialize)]
    #[serde(bound(serialize = "C: EventContentFromType"))]
    struct Envelope<C = Content> {
        event_id: String,
        #[serde(flatten, serialize_with = "serialize_type_and_content")]
        content: C,
        #[serde(flatten)]
        additional_properties: BTreeMap<String, Value>,
    }

    crate::deserialize_object! {
        Envelope<C> {
            required event_id,
        }
        type and content: content
    }

    fn round_trip<C: EventContentFromType + std::fmt::Debug>(json: Value) -> Envelope<C> {
        let text = json.to_string();
        let from_text: Envelope<C> = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_value(&from_text).unwrap(), json);
        let from_value: Envelope<C> = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&from_value).unwrap(), json);
        from_text
    }

    #[test]
    fn an_envelope_reads_type_and_content_in_one_pass_and_writes_them_back() {
        // `content` before `type`, and an unknown key.
        let event =
            json!({"content": {"name": "a"}, "event_id": "$e", "type": "m.room.name", "x": 1});
        let typed: Envelope = round_trip(event.clone());
        assert_eq!(typed.content, Content::RoomName(Name { name: "a".into() }));
        assert_eq!(typed.additional_properties["x"], 1);
        let single: Envelope<Name> = round_trip(event);
        assert_eq!(single.content.name, "a");
    }

    #[test]
    fn unknown_types_redacted_contents_and_compiled_out_variants_are_other() {
        for (event_type, content) in [
            ("org.example.poll", json!({"q": [1, {"a": null}]})),
            ("m.room.name", json!({})),
            ("m.room.topic", json!({"topic": "t"})),
        ] {
            let event = json!({"event_id": "$e", "type": event_type, "content": content});
            let typed: Envelope = round_trip(event);
            let Content::Other {
                event_type: kept,
                content: kept_content,
            } = &typed.content
            else {
                panic!("not Other: {typed:?}");
            };
            assert_eq!(kept, event_type);
            assert_eq!(Value::Object(kept_content.clone()), content);
        }
    }

    #[test]
    fn a_single_content_type_takes_its_own_event_type_only() {
        let event = json!({"event_id": "$e", "type": "m.room.topic", "content": {"name": "a"}});
        let error = serde_json::from_value::<Envelope<Name>>(event).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("event type `m.room.topic`, expected `m.room.name`"),
            "{error}"
        );
    }

    #[test]
    fn a_parsed_object_reads_as_the_content_of_its_event_type() {
        let previous = json!({"name": "old"});
        let Value::Object(previous) = previous else {
            unreachable!()
        };
        let typed = Content::from_object("m.room.name", &previous).unwrap();
        assert_eq!(typed, Content::RoomName(Name { name: "old".into() }));
        let other = Content::from_object("org.example.x", &previous).unwrap();
        assert!(matches!(other, Content::Other { .. }), "{other:?}");
        assert!(Name::from_object("m.room.topic", &previous).is_err());
    }

    #[test]
    fn missing_duplicate_and_non_object_parts_fail() {
        let cases = [
            (
                json!({"event_id": "$e", "content": {}}),
                "missing field `type`",
            ),
            (
                json!({"event_id": "$e", "type": "m.x"}),
                "missing field `content`",
            ),
            (
                json!({"type": "m.x", "content": {}}),
                "missing field `event_id`",
            ),
            (
                json!({"event_id": "$e", "type": "m.x", "content": []}),
                "invalid type",
            ),
        ];
        for (event, expected) in cases {
            let error = serde_json::from_value::<Envelope>(event)
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
        }
        let text = r#"{"event_id":"$e","type":"m.x","type":"m.y","content":{}}"#;
        let error = serde_json::from_str::<Envelope>(text)
            .unwrap_err()
            .to_string();
        assert!(error.contains("duplicate field `type`"), "{error}");
        let text = r#"{"event_id":"$e","type":"m.x","content":{},"content":{}}"#;
        let error = serde_json::from_str::<Envelope>(text)
            .unwrap_err()
            .to_string();
        assert!(error.contains("duplicate field `content`"), "{error}");
    }
}
