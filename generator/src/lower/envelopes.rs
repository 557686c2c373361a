//! Events as typed values: the enums of event contents (`[events.enums]`)
//! and the event envelopes (`[events.envelopes]`: `ClientEvent` and the
//! like) made generic over their content.
//!
//! An envelope's `type` and `content` properties become one field of the
//! type parameter `C` (the runtime's `EventContentFromType`: an enum of
//! many event types, or one content type), whose default is the
//! envelope's enum; a place that `$ref`s the envelope may hold another
//! enum (`[[events.content_places]]`: the state of a room holds state
//! events).

use std::collections::BTreeSet;

use super::naming::type_name;
use super::{LowerError, Lowerer};
use crate::config::{EventKindName, EventsConfig};
use crate::load::Location;
use crate::model::{Event, EventContent, EventEnum, EventEnumVariant, Type, TypeKind};

use super::events::EVENTS_MODULE;

const CONFIG: &str = "spec/generator.toml";

/// The schema an `[events.envelopes]` key names: `file` or `file#pointer`.
fn envelope_location(key: &str) -> Location {
    match key.split_once('#') {
        Some((file, pointer)) => Location {
            file: file.to_owned(),
            pointer: pointer.to_owned(),
        },
        None => Location::file(key),
    }
}

impl Lowerer<'_> {
    /// The type of a reference at `at` to the schema at `target`, lowered as
    /// `ty`: the envelope with the enum a `[[events.content_places]]` entry
    /// gives this place, if it is an envelope and one does; else `ty`.
    pub(super) fn envelope_reference(
        &mut self,
        at: &Location,
        target: &Location,
        ty: Type,
    ) -> Result<Type, LowerError> {
        let Some(config) = self.config.events.as_ref() else {
            return Ok(ty);
        };
        let Type::Named(id) = ty else {
            return Ok(ty);
        };
        let Some(default) = config
            .envelopes
            .iter()
            .find(|(key, _)| envelope_location(key) == *target)
            .map(|(_, content)| content)
        else {
            return Ok(ty);
        };
        let place = at.to_string();
        let mut matching = config
            .content_places
            .iter()
            .enumerate()
            .filter(|(_, entry)| crate::config::matches_pattern(&entry.place, &place));
        let Some((index, entry)) = matching.next() else {
            return Ok(ty);
        };
        if let Some((_, second)) = matching.next() {
            return Err(self.invalid(
                at,
                format!(
                    "two `[[events.content_places]]` entries in {CONFIG} match this place: `{}` and `{}`",
                    entry.place, second.place
                ),
            ));
        }
        self.used_content_places.insert(index);
        if entry.content == *default {
            return Ok(ty);
        }
        Ok(Type::Envelope {
            id,
            content: entry.content.clone(),
        })
    }

    /// The enums of `[events.enums]`, a variant per event type of their
    /// kinds (`events` is in event type order).
    pub(super) fn event_enums(&mut self, events: &[Event]) -> Result<Vec<EventEnum>, LowerError> {
        let Some(config) = self.config.events.as_ref() else {
            return Ok(Vec::new());
        };
        let mut errors = Vec::new();
        let mut enums = Vec::new();
        for (name, kinds) in &config.enums {
            match self.event_enum(name, kinds, events) {
                Ok(event_enum) => enums.push(event_enum),
                Err(error) => errors.push(error),
            }
        }
        // A kind in no enum: its event types would be variants nowhere, so
        // every such event would silently be `Other` (a forgotten entry).
        let covered: BTreeSet<EventKindName> = config
            .enums
            .values()
            .flatten()
            .filter_map(|member| kind_of(member))
            .collect();
        let kinds: BTreeSet<EventKindName> = events.iter().map(|e| e.kind).collect();
        // (No enums at all is a choice: contents only, no envelopes.)
        let uncovered = kinds
            .difference(&covered)
            .filter(|_| !config.enums.is_empty());
        for kind in uncovered {
            errors.push(LowerError::config(format!(
                "the {} events are in no enum of `[events.enums]`: add the kind `{}` to one (or make one for it)",
                kind.as_str(),
                kind.as_str()
            )));
        }
        if !config.enums.is_empty() || !config.basic.is_empty() {
            errors.extend(basic_place_errors(config, events));
        }
        if !errors.is_empty() {
            return Err(super::combined(errors));
        }
        Ok(enums)
    }

    fn event_enum(
        &mut self,
        name: &str,
        members: &[String],
        events: &[Event],
    ) -> Result<EventEnum, LowerError> {
        let entry = format!("`[events.enums]` entry `{name}`");
        let mut kinds = Vec::new();
        let mut patterns = Vec::new();
        let basic = self.config.events.as_ref().map(|config| &config.basic);
        for member in members {
            match (kind_of(member), basic.and_then(|b| b.get(member))) {
                (Some(kind), _) => kinds.push(kind),
                // A basic place stands for its event types.
                (None, Some(place)) => patterns.extend(place.event_types.iter().cloned()),
                (None, None) if member.contains('.') => patterns.push(member.clone()),
                (None, None) => {
                    return Err(LowerError::config(format!(
                        "{entry}: `{member}` is neither a kind of event (`state`, `room`, `basic`), a place of `[events.basic]`, nor an event type"
                    )));
                }
            }
        }
        for pattern in &patterns {
            if !events
                .iter()
                .any(|e| crate::config::matches_pattern(pattern, &e.event_type))
            {
                return Err(LowerError::config(format!(
                    "{entry}: the event type `{pattern}` matches no event schema; fix or remove it"
                )));
            }
        }
        if type_name(name) != name {
            return Err(LowerError::config(format!(
                "{entry}: not a Rust type name (`{}` would be)",
                type_name(name)
            )));
        }
        if self.is_taken(EVENTS_MODULE, name) {
            return Err(LowerError::config(format!(
                "{entry}: the module `{EVENTS_MODULE}` has a type of that name already"
            )));
        }
        let mut variants: Vec<EventEnumVariant> = Vec::new();
        for (index, event) in events.iter().enumerate() {
            let member = kinds.contains(&event.kind)
                || patterns
                    .iter()
                    .any(|p| crate::config::matches_pattern(p, &event.event_type));
            if !member {
                continue;
            }
            let content_name = match &event.content {
                EventContent::Named(id) => self.types[id.0].name.clone(),
                EventContent::Newtype { name, .. } => name.clone(),
            };
            let stem = content_name
                .strip_suffix("EventContent")
                .unwrap_or(&content_name);
            let event_types = std::iter::once(&event.event_type).chain(&event.other_types);
            for (position, event_type) in event_types.enumerate() {
                // An other type of the same content has a variant of its
                // own, so that the event is written back with its type.
                let variant = match position {
                    0 => stem.to_owned(),
                    _ => type_name(event_type.strip_prefix("m.").unwrap_or(event_type)),
                };
                if variant == "Other" || variants.iter().any(|v| v.variant == variant) {
                    return Err(LowerError::config(format!(
                        "{entry}: two variants named `{variant}` (event type `{event_type}`)"
                    )));
                }
                variants.push(EventEnumVariant {
                    variant,
                    event_type: event_type.clone(),
                    event: index,
                });
            }
        }
        if variants.is_empty() {
            return Err(LowerError::config(format!(
                "{entry}: no event schema is of its kinds; fix or remove it"
            )));
        }
        self.claim_name(EVENTS_MODULE, name);
        kinds.sort();
        kinds.dedup();
        Ok(EventEnum {
            name: name.to_owned(),
            kinds,
            event_types: patterns,
            variants,
        })
    }

    /// Makes the structs of `[events.envelopes]` generic over their
    /// content; the errors of those entries and of `content_places`.
    pub(super) fn envelopes(&mut self, config: &EventsConfig) -> Vec<LowerError> {
        let mut errors = Vec::new();
        for (key, content) in &config.envelopes {
            let entry = format!("`[events.envelopes]` entry `{key}`");
            if !config.enums.contains_key(content) {
                errors.push(LowerError::config(format!(
                    "{entry}: `{content}` is no enum of `[events.enums]`"
                )));
                continue;
            }
            let at = envelope_location(key);
            let ids: Vec<usize> = (0..self.types.len())
                .filter(|&i| {
                    self.types[i].source == at && matches!(self.types[i].kind, TypeKind::Struct(_))
                })
                .collect();
            if ids.is_empty() {
                errors.push(LowerError::config(format!(
                    "{entry}: no object type is generated from this schema (it is not used, or not written there); fix or remove it"
                )));
            }
            for id in ids {
                if let Err(error) = self.make_envelope(id, &at, content) {
                    errors.push(error);
                }
            }
        }
        for (index, entry) in config.content_places.iter().enumerate() {
            if !config.enums.contains_key(&entry.content) {
                errors.push(LowerError::config(format!(
                    "`[[events.content_places]]` entry `{}`: `{}` is no enum of `[events.enums]`",
                    entry.place, entry.content
                )));
            } else if !self.used_content_places.contains(&index) {
                errors.push(LowerError::config(format!(
                    "`[[events.content_places]]` entry `{}` matches no place that references an envelope of `[events.envelopes]`; fix or remove it",
                    entry.place
                )));
            }
        }
        errors
    }

    /// Fuses the `type` and `content` fields of the struct `id` (the
    /// schema at `at`) into one of the type parameter, defaulting to
    /// `content`.
    fn make_envelope(&mut self, id: usize, at: &Location, content: &str) -> Result<(), LowerError> {
        let TypeKind::Struct(s) = &self.types[id].kind else {
            return Ok(());
        };
        let field = |name: &str| s.fields.iter().position(|f| f.json_name == name);
        let (Some(type_index), Some(content_index)) = (field("type"), field("content")) else {
            return Err(self.invalid(
                at,
                format!(
                    "an event envelope (`[events.envelopes]` in {CONFIG}) needs the properties `type` and `content`"
                ),
            ));
        };
        let (event_type, event_content) = (&s.fields[type_index], &s.fields[content_index]);
        let fits = event_type.ty == Type::String
            && event_type.required
            && event_type.feature.is_none()
            && matches!(event_content.ty, Type::JsonObject | Type::Json)
            && event_content.required
            && event_content.feature.is_none();
        if !fits {
            return Err(self.invalid(
                at,
                format!(
                    "an event envelope (`[events.envelopes]` in {CONFIG}) needs a required string `type` and a required `content` object without properties of its own"
                ),
            ));
        }
        if s.additional.is_none() {
            return Err(self.invalid(
                at,
                format!(
                    "an event envelope (`[events.envelopes]` in {CONFIG}) must keep the properties it does not name (not `additionalProperties: false`)"
                ),
            ));
        }
        let TypeKind::Struct(s) = &mut self.types[id].kind else {
            return Ok(());
        };
        let field = &mut s.fields[content_index];
        field.ty = Type::EventContent;
        field.docs.description = Some(format!(
            "The event's `type` and `content` as one value: by default [`{content}`], an enum of event contents by event type; a content type of module `{EVENTS_MODULE}` reads events of its own type only."
        ));
        s.fields.remove(type_index);
        s.envelope = Some(content.to_owned());
        Ok(())
    }
}

/// The names of the `[events.basic]` places a basic `event` arrives in (none
/// for an event of another kind).
pub(super) fn basic_places_of<'c>(config: &'c EventsConfig, event: &Event) -> Vec<&'c str> {
    if event.kind != EventKindName::Basic {
        return Vec::new();
    }
    config
        .basic
        .iter()
        .filter(|(_, place)| {
            place
                .event_types
                .iter()
                .any(|p| crate::config::matches_pattern(p, &event.event_type))
        })
        .map(|(name, _)| name.as_str())
        .collect()
}

/// The errors of `[events.basic]`: a place without a reason, named like a
/// kind, or with an event type that matches no basic event schema; a basic
/// event type in no place (a new event of the spec would else arrive
/// untyped, and be sendable nowhere).
fn basic_place_errors(config: &EventsConfig, events: &[Event]) -> Vec<LowerError> {
    let mut errors = Vec::new();
    for (name, place) in &config.basic {
        let entry = format!("`[events.basic]` entry `{name}`");
        if kind_of(name).is_some() {
            errors.push(LowerError::config(format!(
                "{entry}: named like a kind of event; name the place"
            )));
        }
        if place.reason.trim().is_empty() {
            errors.push(LowerError::config(format!("{entry}: gives no reason")));
        }
        for pattern in &place.event_types {
            let matched = events.iter().any(|e| {
                e.kind == EventKindName::Basic
                    && crate::config::matches_pattern(pattern, &e.event_type)
            });
            if !matched {
                errors.push(LowerError::config(format!(
                    "{entry}: the event type `{pattern}` matches no basic event schema; fix or remove it"
                )));
            }
        }
    }
    for event in events {
        if event.kind == EventKindName::Basic && basic_places_of(config, event).is_empty() {
            errors.push(LowerError::config(format!(
                "the basic event type `{}` ({}) is in no place of `[events.basic]`: add it to the list of where it arrives (account data, to-device, ...) as the spec's prose says",
                event.event_type, event.source.file
            )));
        }
    }
    errors
}

/// The kind of event `member` of an `[events.enums]` entry names, if it
/// names one (else it is an event type).
fn kind_of(member: &str) -> Option<EventKindName> {
    EventKindName::ALL
        .into_iter()
        .find(|kind| kind.as_str() == member)
}

#[cfg(test)]
mod tests;
