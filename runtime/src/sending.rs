//! Where an event content may be sent: one marker trait per place, so that
//! a typed request takes only contents that belong there.
//!
//! The generated crate's `with_content` constructors (of the operations
//! `[event_sending]` in its `spec/generator.toml` lists) are bounded by
//! these traits, and take the event type from the content
//! ([`EventContent::EVENT_TYPE`]), so the two cannot disagree. Which
//! contents implement which trait follows from their [`EventKind`] and,
//! for basic events, from where the spec's prose says they arrive
//! (`[events.basic]` and `[event_sending.places]`): the event schemas say
//! only state, room or basic, so the generator is told that `m.direct` is
//! account data (not a to-device message), `m.room_key` a to-device
//! message, and that `m.room.encrypted` goes into timelines and to devices.
//!
//! [`EventKind`]: crate::EventKind

use serde::ser::Error as _;

use crate::EventContent;

/// A content that may be sent into a room's timeline as an event that is
/// not state (`PUT /rooms/{roomId}/send/{eventType}/{txnId}`): a message,
/// a reaction, an encrypted event. Not a state content: that is set with
/// [`StateEventContent`].
pub trait MessageLikeEventContent: EventContent {}

/// A content that may be set as a room's state
/// (`PUT /rooms/{roomId}/state/{eventType}/{stateKey}`).
pub trait StateEventContent: EventContent {}

/// A content that may be stored as account data, global or per room
/// (`PUT /user/{userId}/account_data/{type}`).
pub trait AccountDataEventContent: EventContent {}

/// A content that may be sent to devices (`PUT /sendToDevice/{eventType}/{txnId}`).
pub trait ToDeviceEventContent: EventContent {}

/// `content` as the JSON object a request carries it in.
///
/// Fails when `content` does not serialize (a duration beyond what JSON
/// numbers hold exactly) or serializes to something other than an object;
/// a generated content always serializes to an object.
pub fn content_object<C: EventContent>(
    content: &C,
) -> Result<serde_json::Map<String, serde_json::Value>, serde_json::Error> {
    match serde_json::to_value(content)? {
        serde_json::Value::Object(object) => Ok(object),
        _ => Err(serde_json::Error::custom(format!(
            "the content of `{}` is not a JSON object",
            C::EVENT_TYPE
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::EventKind;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Topic {
        topic: String,
    }

    impl EventContent for Topic {
        const EVENT_TYPE: &'static str = "m.room.topic";
        const KIND: EventKind = EventKind::State;
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    struct NotAnObject(u32);

    impl EventContent for NotAnObject {
        const EVENT_TYPE: &'static str = "org.example.number";
        const KIND: EventKind = EventKind::Basic;
    }

    #[test]
    fn an_object_content_is_its_object() {
        let object = content_object(&Topic {
            topic: "lunch".to_owned(),
        })
        .unwrap();
        assert_eq!(
            serde_json::Value::Object(object),
            serde_json::json!({"topic": "lunch"})
        );
    }

    #[test]
    fn a_content_that_is_no_object_is_refused_naming_its_type() {
        let error = content_object(&NotAnObject(7)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the content of `org.example.number` is not a JSON object"
        );
    }
}
