//! Typed sending (`[event_sending]` in the config): the operations that
//! send an event content get a `with_content` constructor taking a typed
//! content whose event type fills the path parameter the config names, and
//! each event content implements the runtime's marker traits of the places
//! its kind may be sent to, which bound those constructors.
//!
//! Which operations, which parameter, where the content goes and which
//! place's contents it takes are all configuration; this pass checks that
//! each entry fits the lowered operation (the parameter is a string path
//! parameter, the content's place is a JSON object without properties
//! reached through a required property and maps) and fails naming the
//! entry and the spec location otherwise.

use std::collections::BTreeSet;

use super::{CLIENT_OWN_METHODS, LowerError, Lowerer};
use crate::config::{EventKindName, EventSendingConfig, SendPlace, SendingOperation};
use crate::model::{Body, Event, Module, Operation, ParamIn, SendContent, Type, TypeKind};

/// The config key of the operations, as errors name it.
const OPERATIONS_KEY: &str = "[[event_sending.operations]]";

/// The client method that sends a typed content for the operation whose
/// method is `fn_name`.
pub(crate) fn content_method_name(fn_name: &str) -> String {
    format!("{fn_name}_with_content")
}

/// Applies `[event_sending]` to the lowered `modules` and `events`; the
/// errors of every entry that does not fit.
pub(super) fn typed_sending(
    lowerer: &Lowerer<'_>,
    modules: &mut [Module],
    events: &mut [Event],
) -> Vec<LowerError> {
    let Some(config) = lowerer.config.event_sending.as_ref() else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    if lowerer.config.events.is_none() {
        errors.push(LowerError::config(
            "`[event_sending]` needs `[events]`: without event contents there is nothing to send"
                .to_owned(),
        ));
        return errors;
    }
    if config.places.reason.trim().is_empty() {
        errors.push(LowerError::config(
            "`[event_sending.places]` gives no reason".to_owned(),
        ));
    }
    let Some(events_config) = lowerer.config.events.as_ref() else {
        return errors;
    };
    for name in config.places.basic.keys() {
        if !events_config.basic.contains_key(name) {
            errors.push(LowerError::config(format!(
                "`[event_sending.places.basic]`: `{name}` is no place of `[events.basic]`; fix or remove it"
            )));
        }
    }
    for name in events_config.basic.keys() {
        if !config.places.basic.contains_key(name) {
            errors.push(LowerError::config(format!(
                "`[event_sending.places.basic]` does not say where the basic events arriving in `{name}` may be sent (`{name} = []` for nowhere)"
            )));
        }
    }
    for event in events.iter_mut() {
        event.places = places_of(config, events_config, event);
    }
    let method_names: BTreeSet<String> = modules
        .iter()
        .flat_map(|m| &m.operations)
        .map(|op| op.fn_name.clone())
        .chain(
            CLIENT_OWN_METHODS
                .iter()
                .map(|(name, _)| (*name).to_owned()),
        )
        .collect();
    let mut seen = BTreeSet::new();
    for entry in &config.operations {
        if !seen.insert(entry.operation.as_str()) {
            errors.push(LowerError::config(format!(
                "`{OPERATIONS_KEY}` lists `{}` twice",
                entry.operation
            )));
            continue;
        }
        let Some(op) = modules
            .iter_mut()
            .flat_map(|m| &mut m.operations)
            .find(|op| op.operation_id == entry.operation)
        else {
            errors.push(LowerError::config(format!(
                "`{OPERATIONS_KEY}` entry `{}`: no operation has this operationId; fix or remove it",
                entry.operation
            )));
            continue;
        };
        match send_content(lowerer, config, entry, op, &method_names) {
            Ok(content) => op.send_content = Some(content),
            Err(error) => errors.push(error),
        }
    }
    errors
}

/// Where the content of `event` may be sent: the places of its kind, or of
/// a basic event those of each place it arrives in (`[events.basic]`).
fn places_of(
    config: &EventSendingConfig,
    events_config: &crate::config::EventsConfig,
    event: &Event,
) -> Vec<SendPlace> {
    let places: BTreeSet<SendPlace> = match event.kind {
        EventKindName::State => config.places.state.iter().copied().collect(),
        EventKindName::Room => config.places.room.iter().copied().collect(),
        EventKindName::Basic => super::envelopes::basic_places_of(events_config, event)
            .into_iter()
            .filter_map(|name| config.places.basic.get(name))
            .flatten()
            .copied()
            .collect(),
    };
    places.into_iter().collect()
}

/// The typed constructor of `op` that `entry` asks for, checked against
/// the operation's request.
fn send_content(
    lowerer: &Lowerer<'_>,
    config: &EventSendingConfig,
    entry: &SendingOperation,
    op: &Operation,
    method_names: &BTreeSet<String>,
) -> Result<SendContent, LowerError> {
    let operation = &entry.operation;
    let invalid = |at: &crate::load::Location, what: String| {
        lowerer.invalid(
            at,
            format!("`{OPERATIONS_KEY}` entry `{operation}`: {what}"),
        )
    };
    if entry.reason.trim().is_empty() {
        return Err(invalid(&op.source, "gives no reason".to_owned()));
    }
    let kinds_with_place = [&config.places.state, &config.places.room]
        .into_iter()
        .chain(config.places.basic.values())
        .any(|places| places.contains(&entry.place));
    if !kinds_with_place {
        return Err(invalid(
            &op.source,
            format!(
                "place `{}`: no kind of event may be sent there (`[event_sending.places]`), so no content would fit",
                entry.place.as_str()
            ),
        ));
    }
    let method = content_method_name(&op.fn_name);
    if method_names.contains(&method) {
        return Err(invalid(
            &op.source,
            format!("its typed client method `{method}` is the name of another method"),
        ));
    }
    let TypeKind::Struct(request) = &lowerer.types[op.request.0].kind else {
        return Err(invalid(
            &op.source,
            "the request is not a struct".to_owned(),
        ));
    };
    let param = request
        .params
        .iter()
        .find(|p| p.location == ParamIn::Path && p.wire_name == entry.event_type)
        .ok_or_else(|| {
            invalid(
                &op.source.join("parameters"),
                format!(
                    "the operation has no path parameter `{}` for the event type",
                    entry.event_type
                ),
            )
        })?;
    if param.ty != Type::String {
        return Err(invalid(
            &op.source.join("parameters"),
            format!(
                "the event type's path parameter `{}` is {:?}, not a string",
                entry.event_type, param.ty
            ),
        ));
    }
    let body_at = op.source.join("requestBody");
    let body = match &op.body {
        Some(Body::Json {
            ty,
            is_request: false,
        }) => ty,
        _ => {
            return Err(invalid(
                &body_at,
                "the operation has no JSON request body beside its parameters to put the content in"
                    .to_owned(),
            ));
        }
    };
    let mut steps = entry.content.split('/');
    if steps.next() != Some("body") {
        return Err(invalid(
            &body_at,
            format!(
                "content `{}` must be `body` or start with `body/`",
                entry.content
            ),
        ));
    }
    let mut place = body.clone();
    let mut body_field = None;
    let mut map_keys = Vec::new();
    for (index, step) in steps.enumerate() {
        place = match (step, place) {
            ("*", Type::Map { key, value }) => {
                map_keys.push(*key);
                *value
            }
            (name, Type::Named(id)) if index == 0 && name != "*" => {
                let field = match &lowerer.types[id.0].kind {
                    TypeKind::Struct(s) => s.fields.iter().find(|f| f.json_name == name),
                    _ => None,
                };
                let Some(field) = field else {
                    return Err(invalid(
                        &body_at,
                        format!(
                            "content `{}`: the body has no property `{name}`",
                            entry.content
                        ),
                    ));
                };
                if !field.required || field.feature.is_some() {
                    return Err(invalid(
                        &body_at,
                        format!(
                            "content `{}`: property `{name}` is optional or behind a feature; the content must go where the body's constructor takes it",
                            entry.content
                        ),
                    ));
                }
                body_field = Some(field.rust_name.clone());
                field.ty.clone()
            }
            (step, other) => {
                return Err(invalid(
                    &body_at,
                    format!(
                        "content `{}`: step `{step}` does not fit {} (`*` takes each value of a map; only the first step may name a property of the body)",
                        entry.content,
                        shape(&other)
                    ),
                ));
            }
        };
    }
    if place != Type::JsonObject {
        return Err(invalid(
            &body_at,
            format!(
                "content `{}` is {}, not a JSON object without properties of its own, so a typed content cannot take its place",
                entry.content,
                shape(&place)
            ),
        ));
    }
    Ok(SendContent {
        event_type_field: param.rust_name.clone(),
        body_field,
        map_keys,
        place: entry.place,
    })
}

/// A short description of a lowered type's shape for errors.
fn shape(ty: &Type) -> &'static str {
    match ty {
        Type::Map { .. } => "a map",
        Type::Named(_) => "a named type",
        Type::Array(_) => "a list",
        Type::JsonObject => "a JSON object",
        Type::Json => "any JSON value",
        _ => "a scalar",
    }
}

#[cfg(test)]
mod tests;
