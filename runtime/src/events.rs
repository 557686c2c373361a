//! What the generated event contents (the generated crate's `events`
//! module) have in common.

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
