//! The spec's event schemas (`[events]` in the config) lowered to typed
//! event contents in the module `events`.
//!
//! An event schema file is named after its event type (`m.room.member.yaml`);
//! `$`-variant files (`m.room.message$m.text.yaml`) are one shape of their
//! event type's content each, told apart by one content property whose
//! schema fixes a single value (`msgtype: {enum: [m.text]}`). An event's
//! kind is that of the core schema its `allOf` extends (`kinds` in the
//! config). A file in the list that extends no core schema and that another
//! file references is a part (`m.key.verification.m.relates_to.yaml`), not
//! an event.
//!
//! Each content is a type of its own, even where several events share a
//! content schema (`m.policy.rule.*`), because each names its event type.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::naming::type_name;
use super::{LowerError, Lowerer};
use crate::config::{EventKindName, EventsConfig};
use crate::load::Location;
use crate::model::{
    Event, EventContent, NameOrigin, Struct, TaggedUnion, TaggedVariant, Type, TypeDef, TypeId,
    TypeKind,
};

/// The module the event contents are emitted in.
pub(crate) const EVENTS_MODULE: &str = "events";

/// The files of one event type: the base schema, and its `$`-variants by
/// the name after the `$`.
#[derive(Default)]
struct EventFiles {
    base: Option<String>,
    variants: Vec<String>,
}

impl Lowerer<'_> {
    /// Every event of the configured event schemas, in event type order.
    pub(super) fn events(&mut self) -> Result<Vec<Event>, LowerError> {
        let Some(config) = self.config.events.as_ref() else {
            return Ok(Vec::new());
        };
        if self.modules_by_file.values().any(|m| m == EVENTS_MODULE) {
            return Err(LowerError::config(format!(
                "a document's module is named `{EVENTS_MODULE}`, the module of the event contents"
            )));
        }
        let mut by_type: BTreeMap<String, EventFiles> = BTreeMap::new();
        for file in &config.schemas {
            let stem = file.rsplit('/').next().unwrap_or(file);
            let stem = stem.strip_suffix(".yaml").unwrap_or(stem);
            match stem.split_once('$') {
                Some((event_type, _)) => by_type
                    .entry(event_type.to_owned())
                    .or_default()
                    .variants
                    .push(file.clone()),
                None => by_type.entry(stem.to_owned()).or_default().base = Some(file.clone()),
            }
        }
        let mut used_kinds = BTreeSet::new();
        let mut events = Vec::new();
        // Keep going after a failing event, so one run reports every problem.
        let mut errors = Vec::new();
        for (event_type, files) in by_type {
            match self.event(config, event_type, files, &mut used_kinds) {
                Ok(Some(event)) => events.push(event),
                Ok(None) => {}
                Err(error) => errors.push(error),
            }
        }
        if !errors.is_empty() {
            return Err(super::combined(errors));
        }
        if let Some(unused) = config.kinds.keys().find(|core| !used_kinds.contains(*core)) {
            return Err(LowerError::config(format!(
                "`[events.kinds]` entry `{unused}`: no event schema extends it; fix or remove it"
            )));
        }
        Ok(events)
    }

    /// The event `event_type` of its `files`; `None` for a part.
    fn event(
        &mut self,
        config: &EventsConfig,
        event_type: String,
        files: EventFiles,
        used_kinds: &mut BTreeSet<String>,
    ) -> Result<Option<Event>, LowerError> {
        let Some(base) = files.base else {
            let first = files.variants.first().cloned().unwrap_or_default();
            return Err(self.invalid(
                &Location::file(first),
                format!(
                    "a `$`-variant of `{event_type}` without its base schema `{event_type}.yaml`"
                ),
            ));
        };
        let Some((kind, core)) = self.event_kind(config, &base)? else {
            return Ok(None);
        };
        used_kinds.insert(core);
        let at = Location::file(base.clone());
        let other_types = self.event_types(&at, &event_type)?;
        let base_name = type_name(event_type.strip_prefix("m.").unwrap_or(&event_type));
        // An experimental event type (`x-cargo-feature` on its schema): its
        // content types and impls exist only with the feature.
        let feature = self.own_feature(&at, self.node(&at)?)?;
        let content = self.gated(feature.clone(), |this| {
            if files.variants.is_empty() {
                this.content(&at, &format!("{base_name}EventContent"))
            } else {
                Ok(EventContent::Named(this.content_enum(
                    &at,
                    &base_name,
                    &files.variants,
                )?))
            }
        })?;
        // A gate on the content schema alone would leave the event type's
        // impls naming a type the default build lacks.
        if let EventContent::Named(id) = &content {
            let wanted: Vec<String> = feature.iter().cloned().collect();
            if self.types[id.0].features != wanted {
                let content_at = self.event_property(&at, "content")?.unwrap_or(at.clone());
                return Err(self.invalid(
                    &content_at.join(super::features::KEY),
                    "`x-cargo-feature` on an event's content gates the content type but not the event type; put it on the event schema itself (the file's root) to make the event type experimental, or on content properties",
                ));
            }
        }
        Ok(Some(Event {
            event_type,
            other_types,
            kind,
            content,
            source: at,
            features: feature.into_iter().collect(),
            // Set by `sending`.
            places: Vec::new(),
        }))
    }

    /// The kind of the event schema `file` and the core schema it has it
    /// from; `None` for a part (no core schema, referenced by another file).
    fn event_kind(
        &self,
        config: &EventsConfig,
        file: &str,
    ) -> Result<Option<(EventKindName, String)>, LowerError> {
        let at = Location::file(file);
        let members = self.node(&at)?.get("allOf").and_then(Value::as_array);
        let mut found = Vec::new();
        for index in 0..members.map_or(0, Vec::len) {
            let member = at.join("allOf").join(index);
            let Some(target) = self.spec.target(&member) else {
                continue;
            };
            if let Some(kind) = config.kinds.get(&target.file) {
                found.push((*kind, target.file.clone()));
            }
        }
        match found.len() {
            1 => Ok(found.pop()),
            0 if self.spec.is_referenced(file) => Ok(None),
            0 => Err(self.invalid(
                &at,
                "an event schema extending none of the core schemas of `[events.kinds]` in spec/generator.toml (its `allOf` must `$ref` one)",
            )),
            _ => Err(self.invalid(&at, "an event schema extending several core schemas")),
        }
    }

    /// The `type` values the schema at `at` allows besides `event_type`
    /// (none when it does not fix them); fails when it fixes values that
    /// do not include the file's event type.
    fn event_types(&self, at: &Location, event_type: &str) -> Result<Vec<String>, LowerError> {
        let Some(type_at) = self.event_property(at, "type")? else {
            return Ok(Vec::new());
        };
        let values: Vec<String> = self
            .node(&type_at)?
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        if !values.is_empty() && !values.iter().any(|v| v == event_type) {
            return Err(self.invalid(
                &type_at,
                format!("the event type of the file's name, `{event_type}`, is not among the values of `type`"),
            ));
        }
        Ok(values.into_iter().filter(|v| v != event_type).collect())
    }

    /// Where the event schema at `at` defines the property `name`: its own
    /// `properties`, or those of one inline `allOf` member.
    fn event_property(&self, at: &Location, name: &str) -> Result<Option<Location>, LowerError> {
        let node = self.node(at)?;
        let mut places = Vec::new();
        if node.get("properties").and_then(|p| p.get(name)).is_some() {
            places.push(at.join("properties").join(name));
        }
        let members = node.get("allOf").and_then(Value::as_array);
        for (index, member) in members.into_iter().flatten().enumerate() {
            if member.get("properties").and_then(|p| p.get(name)).is_some() {
                places.push(at.join("allOf").join(index).join("properties").join(name));
            }
        }
        match places.len() {
            0 | 1 => Ok(places.pop()),
            _ => Err(self.invalid(at, format!("the event's `{name}` is defined twice"))),
        }
    }

    /// The content type of the event schema at `at`, named `name`.
    fn content(&mut self, at: &Location, name: &str) -> Result<EventContent, LowerError> {
        let content_at = self
            .event_property(at, "content")?
            .ok_or_else(|| self.invalid(at, "an event schema without `content`"))?;
        // A content schema shared by several events (`$ref`) is lowered for
        // each: each content type names its own event type.
        let deref = self.spec.deref(&content_at)?;
        let (place, node) = (deref.location.clone(), deref.node.clone());
        let ty = self.schema_node(&place, &node, name, EVENTS_MODULE)?;
        let event_docs = self.docs(self.node(at)?);
        let mut docs = self.docs(&node);
        if docs.description.is_none() {
            docs.description = event_docs.description.clone();
        }
        let id = match ty {
            Type::Named(id) if matches!(self.types[id.0].kind, TypeKind::Struct(_)) => id,
            // A map (by user ID, by room ID) or another non-struct shape:
            // wrapped, so that the content has a type of its own.
            ty @ (Type::Map { .. } | Type::Named(_) | Type::Array(_)) => {
                let name = self.claim_name(EVENTS_MODULE, name);
                return Ok(EventContent::Newtype { name, ty, docs });
            }
            // `type: object` and nothing else: an empty struct, which keeps
            // every key in its map of other properties.
            Type::JsonObject | Type::Json => {
                let name = self.claim_name(EVENTS_MODULE, name);
                self.add_type(TypeDef {
                    name,
                    module: EVENTS_MODULE.to_owned(),
                    docs: Default::default(),
                    source: place,
                    name_origin: NameOrigin::Schema,
                    title: None,
                    kind: TypeKind::Struct(Struct {
                        additional: Some(Type::Json),
                        ..Struct::default()
                    }),
                    features: Vec::new(),
                })
            }
            _ => {
                return Err(
                    self.unsupported(&content_at, "event content that is not an object schema")
                );
            }
        };
        // Named after the event type, not the content's title: event
        // contents are looked for by their event type.
        if self.types[id.0].name != name && !self.is_taken(EVENTS_MODULE, name) {
            self.taken
                .entry(EVENTS_MODULE.to_owned())
                .or_default()
                .insert(name.to_owned());
            self.types[id.0].name = name.to_owned();
        }
        let def = &mut self.types[id.0];
        if def.docs.description.is_none() {
            def.docs.description = event_docs.description;
        }
        def.docs.added_in = def.docs.added_in.take().or(event_docs.added_in);
        Ok(EventContent::Named(id))
    }

    /// The content of the event whose base schema is at `at`: a tagged
    /// union by the property its `$`-variant `files` fix, one variant each
    /// (a struct of the variant's other properties), and `Other` keeping any
    /// other content whole: a struct of the base schema's content (the
    /// fields all variants have) when it has properties, else a JSON
    /// object (the generator's mechanism for `oneOf` with a
    /// `discriminator`). A `$ref` to the base schema's `content` is this
    /// enum.
    fn content_enum(
        &mut self,
        at: &Location,
        base_name: &str,
        files: &[String],
    ) -> Result<TypeId, LowerError> {
        let name = self.claim_name(EVENTS_MODULE, &format!("{base_name}EventContent"));
        let node = self.node(at)?.clone();
        // Reserve the slot first so the variants' types come after it.
        let id = self.add_type(TypeDef {
            name,
            module: EVENTS_MODULE.to_owned(),
            docs: self.docs(&node),
            source: at.clone(),
            name_origin: NameOrigin::Schema,
            title: None,
            kind: TypeKind::Struct(Struct::default()),
            features: Vec::new(),
        });
        // The base schema's `content` is no type of its own: a `$ref` to it
        // (an edit's `m.new_content`, from any variant) means the content
        // of this event type, whatever the variant, so it is this enum.
        let base_content = self
            .event_property(at, "content")?
            .ok_or_else(|| self.invalid(at, "an event schema without `content`"))?;
        let base_content = self.spec.deref(&base_content)?.location.clone();
        if self.memo.contains_key(&base_content) {
            return Err(self.invalid(
                &base_content,
                "referenced before its event was lowered, as a schema of its own; a `$ref` to the content of an event with `$`-variants must come from the event's own schemas",
            ));
        }
        self.memo.insert(base_content.clone(), Type::Named(id));
        let mut property: Option<String> = None;
        let mut variants: Vec<TaggedVariant> = Vec::new();
        for file in files {
            let variant_at = Location::file(file.clone());
            let (name, wire) = self.discriminator(&variant_at)?;
            if let Some(before) = property.as_ref().filter(|p| **p != name) {
                return Err(self.invalid(
                    &variant_at,
                    format!(
                        "the variants of one event type fix different content properties (`{name}` here, `{before}` before)"
                    ),
                ));
            }
            let variant = type_name(wire.strip_prefix("m.").unwrap_or(&wire));
            if variant == "Other" || variants.iter().any(|v| v.variant == variant) {
                return Err(
                    self.invalid(&variant_at, format!("a second variant named `{variant}`"))
                );
            }
            let content_at = self
                .event_property(&variant_at, "content")?
                .ok_or_else(|| self.invalid(&variant_at, "an event schema without `content`"))?;
            let place = self.spec.deref(&content_at)?.location.clone();
            let wanted = format!("{base_name}{variant}Content");
            let ty = self.merged_object(
                std::slice::from_ref(&place),
                &place,
                &wanted,
                EVENTS_MODULE,
                Some(&name),
            )?;
            let Type::Named(ty) = ty else {
                return Err(
                    self.invalid(&content_at, "a variant's content must be an object schema")
                );
            };
            let docs = self.docs(self.node(&variant_at)?);
            variants.push(TaggedVariant {
                wire,
                variant,
                ty,
                docs,
            });
            property = Some(name);
        }
        let property = property.ok_or_else(|| self.invalid(at, "an event without variants"))?;
        // The base schema gives the fields every variant has ("fields that
        // are in common among all variants", m.key.verification.start):
        // the shape of a content of any other value. Without properties,
        // any JSON object.
        let has_shape = self
            .node(&base_content)?
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|properties| !properties.is_empty());
        let other = if has_shape {
            self.merged_object(
                std::slice::from_ref(&base_content),
                &base_content,
                &format!("{base_name}OtherContent"),
                EVENTS_MODULE,
                None,
            )?
        } else {
            Type::JsonObject
        };
        self.types[id.0].kind = TypeKind::TaggedUnion(TaggedUnion {
            property,
            variants,
            other,
        });
        Ok(id)
    }

    /// The content property a `$`-variant schema fixes to one value, and
    /// the value: exactly one property must have a one-value `enum`.
    fn discriminator(&self, at: &Location) -> Result<(String, String), LowerError> {
        let content_at = self
            .event_property(at, "content")?
            .ok_or_else(|| self.invalid(at, "an event schema without `content`"))?;
        let content = self.spec.deref(&content_at)?.node;
        let mut fixed = Vec::new();
        let properties = content.get("properties").and_then(Value::as_object);
        for (name, schema) in properties.into_iter().flatten() {
            let values = schema.get("enum").and_then(Value::as_array);
            if let Some([Value::String(value)]) = values.map(Vec::as_slice) {
                fixed.push((name.clone(), value.clone()));
            }
        }
        match fixed.len() {
            1 => Ok(fixed.remove(0)),
            count => Err(self.invalid(
                &content_at,
                format!(
                    "a `$`-variant's content must fix exactly one property to one value (`enum: [value]`) to tell it apart; it fixes {count}"
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests;
