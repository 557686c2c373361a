//! Object schemas as structs: properties gathered across `allOf`
//! members, merged, and lowered to fields.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::Value;

use crate::config::TimePlace;
use crate::load::Location;
use crate::model::{Field, Struct, Type, TypeKind};

use super::docs::merged_doc_node;
use super::naming::{field_name, rust_ident, type_name};
use super::{LowerError, Lowerer};

impl Lowerer<'_> {
    /// A struct from `properties`, merging `allOf` members.
    pub(super) fn object(
        &mut self,
        at: &Location,
        wanted: &str,
        module: &str,
    ) -> Result<Type, LowerError> {
        self.merged_object(std::slice::from_ref(at), at, wanted, module, None)
    }

    /// A struct whose properties are those of every schema in `parts`
    /// (and of their `allOf` members): a value must satisfy all of them.
    /// The property `omit` (a tagged union's discriminator, which the
    /// enum writes) is left out.
    pub(super) fn merged_object(
        &mut self,
        parts: &[Location],
        at: &Location,
        wanted: &str,
        module: &str,
        omit: Option<&str>,
    ) -> Result<Type, LowerError> {
        let node = self.node(at)?.clone();
        // Reserve the slot first so nested types come after their parent.
        let id = self.define_type(
            module,
            wanted,
            at,
            &node,
            TypeKind::Struct(Struct::default()),
        );
        let name = self.types[id.0].name.clone();
        let mut props: Vec<PropertySpec> = Vec::new();
        let mut additional = None;
        for part in parts {
            self.gather_properties(part, &name, module, &mut props, &mut additional)?;
        }
        props.retain(|prop| Some(prop.json_name.as_str()) != omit);
        // Where each property is first defined, for errors.
        let defined_at: Vec<Location> = props
            .iter()
            .map(|p| p.locations.first().unwrap_or(at).clone())
            .collect();
        let mut fields: Vec<Field> = Vec::new();
        for prop in props {
            fields.push(self.property(prop, &name, module)?);
        }
        // Make Rust names unique within the struct.
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (field, defined_at) in fields.iter_mut().zip(&defined_at) {
            if seen.contains_key(&field.rust_name) {
                field.rust_name =
                    rust_ident(&field.json_name.replace(['.', '-'], "_").to_snake_case());
            }
            if let Some(other) = seen.insert(field.rust_name.clone(), field.json_name.clone()) {
                return Err(self.invalid(
                    defined_at,
                    format!(
                        "properties `{other}` and `{}` both give the Rust field `{}`; rename one",
                        field.json_name, field.rust_name
                    ),
                ));
            }
        }
        // Lossless by default: servers send keys the schemas do not name
        // (a claimed fallback key's `fallback: true` inside a signed
        // object), and dropping one breaks signatures and loses data a
        // client relays. Only `additionalProperties: false` closes a type.
        if additional.is_none() && !self.is_closed(parts)? {
            additional = Some(Type::Json);
        }
        if additional.is_some()
            && fields
                .iter()
                .any(|f| f.rust_name == "additional_properties")
        {
            return Err(self.invalid(
                at,
                "a property named `additional_properties` clashes with the map of other properties",
            ));
        }
        // Beside a credential, an unnamed key may be one too (a vendor's
        // token): `Debug` then shows the other properties' names only.
        let secret_additional = additional.is_some()
            && (fields.iter().any(|f| f.secret)
                || self
                    .config
                    .secret_additional_properties
                    .iter()
                    .any(|pattern| crate::config::matches_pattern(pattern, &at.file)));
        self.types[id.0].kind = TypeKind::Struct(Struct {
            fields,
            params: Vec::new(),
            body: None,
            additional,
            secret_additional,
            envelope: None,
        });
        Ok(Type::Named(id))
    }

    /// Whether a schema of `parts` says `additionalProperties: false`.
    fn is_closed(&self, parts: &[Location]) -> Result<bool, LowerError> {
        for part in parts {
            if self.spec.deref(part)?.node.get("additionalProperties") == Some(&Value::Bool(false))
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// One property of a struct. Defined once, it is lowered as is. Defined
    /// by several `allOf` members, object definitions are merged into one
    /// struct (e.g. `unsigned` extended with `redacted_because`); otherwise
    /// the last definition refines the earlier ones (keeping their
    /// description and type when it has none).
    fn property(
        &mut self,
        prop: PropertySpec,
        parent: &str,
        module: &str,
    ) -> Result<Field, LowerError> {
        let PropertySpec {
            json_name,
            locations,
            required,
        } = prop;
        let Some(last) = locations.last().cloned() else {
            return Err(self.invalid(
                &Location::file(""),
                format!("property `{json_name}` has no definition"),
            ));
        };
        if locations.len() == 1 {
            return self.field(&last, &json_name, required, parent, module, None);
        }
        // One definition a reference to a schema that already includes
        // every other (through its `allOf`): it is their merge, whole
        // (an event's `unsigned.redacted_because`, a `ClientEvent`
        // refining a `ClientEventWithoutRoomId`).
        if let Some(whole) = self.including_reference(&locations)? {
            return self.field(&whole, &json_name, required, parent, module, None);
        }
        let mut objects = Vec::new();
        for location in &locations {
            let node = self.spec.deref(location)?.node;
            let has_properties = node
                .get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| !p.is_empty())
                || node.get("allOf").is_some();
            if has_properties {
                objects.push(location.clone());
            }
        }
        if objects.len() > 1 {
            let derived = format!("{parent}{}", type_name(&field_name(&json_name)));
            let wanted = self.inline_name(&last, module, derived);
            let feature = self.property_feature(&last)?;
            let ty = self.gated(feature, |this| {
                this.merged_object(&objects, &last, &wanted, module, None)
            })?;
            let mut field = self.field(&last, &json_name, required, parent, module, Some(ty))?;
            if field.docs.description.is_none() {
                field.docs = self.field_docs(&objects[0]);
            }
            return Ok(field);
        }
        let mut merged: Option<Field> = None;
        for location in &locations {
            let field = self.field(location, &json_name, required, parent, module, None)?;
            merged = Some(match merged {
                None => field,
                Some(earlier) => {
                    let mut refined = field;
                    if refined.ty == Type::Json {
                        refined.ty = earlier.ty;
                    }
                    if refined.docs.description.is_none() && refined.docs.summary.is_none() {
                        refined.docs = earlier.docs;
                    }
                    if refined.feature.is_none() {
                        refined.feature = earlier.feature;
                    }
                    refined
                }
            });
        }
        merged
            .ok_or_else(|| self.invalid(&last, format!("property `{json_name}` has no definition")))
    }

    /// The one of `locations` that is a reference to a schema including
    /// (itself, or through its `allOf` members, recursively) the schemas
    /// all other locations reference; `None` when there is none, when
    /// another location is written out inline, or when all reference one
    /// schema.
    fn including_reference(&self, locations: &[Location]) -> Result<Option<Location>, LowerError> {
        let mut targets = Vec::new();
        for location in locations {
            let deref = self.spec.deref(location)?;
            if deref.via.is_empty() {
                return Ok(None);
            }
            targets.push(deref.location);
        }
        // One schema reached twice (an `allOf` diamond) is merged as
        // before, into a type of the including object's name.
        if targets.iter().all(|target| *target == targets[0]) {
            return Ok(None);
        }
        for (candidate, target) in locations.iter().zip(&targets) {
            let mut included = Vec::new();
            self.included_schemas(target, 0, &mut included)?;
            if targets.iter().all(|other| included.contains(other)) {
                return Ok(Some(candidate.clone()));
            }
        }
        Ok(None)
    }

    /// The schema at `at` and those its `allOf` members reference,
    /// recursively (to a depth no real schema needs).
    fn included_schemas(
        &self,
        at: &Location,
        depth: usize,
        found: &mut Vec<Location>,
    ) -> Result<(), LowerError> {
        const MAX_DEPTH: usize = 16;
        let deref = self.spec.deref(at)?;
        let at = deref.location;
        let members = deref
            .node
            .get("allOf")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        found.push(at.clone());
        if depth < MAX_DEPTH {
            for index in 0..members {
                self.included_schemas(&at.join("allOf").join(index), depth + 1, found)?;
            }
        }
        Ok(())
    }

    /// Finds the properties of the object schema at `at` (and of its
    /// `allOf` members, recursively), in order, each with every place it is
    /// defined.
    fn gather_properties(
        &mut self,
        at: &Location,
        parent: &str,
        module: &str,
        props: &mut Vec<PropertySpec>,
        additional: &mut Option<Type>,
    ) -> Result<(), LowerError> {
        let deref = self.spec.deref(at)?;
        let at = deref.location.clone();
        let node = deref.node.clone();
        let Some(map) = node.as_object() else {
            return Err(self.invalid(&at, "a schema must be an object"));
        };
        self.check_keywords(&at, map)?;
        if let Some(all_of) = map.get("allOf").and_then(Value::as_array) {
            for index in 0..all_of.len() {
                self.gather_properties(
                    &at.join("allOf").join(index),
                    parent,
                    module,
                    props,
                    additional,
                )?;
            }
        }
        match map.get("type") {
            None => {}
            Some(Value::String(ty)) if ty == "object" => {}
            Some(other) => {
                return Err(self.unsupported(
                    &at.join("type"),
                    format!("`allOf` member of `type: {other}`"),
                ));
            }
        }
        if let Some(ty) = self.additional(&at, map, &format!("{parent}Other"), module)? {
            // Beside `properties`, the other keys are a flattened map keyed
            // by `String`, which names keys that are not identifiers too.
            if self.map_key(&at, map)? != Type::String {
                return Err(self.unsupported(
                    &at,
                    "`x-pattern-format` keys beside `properties`: the other properties' map is keyed by `String`",
                ));
            }
            if additional.as_ref().is_some_and(|existing| *existing != ty) {
                return Err(self.unsupported(
                    &at,
                    "`allOf` members whose other properties have different types",
                ));
            }
            *additional = Some(ty);
        }
        let required: BTreeSet<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for json_name in properties.keys() {
                let prop_at = at.join("properties").join(json_name);
                match props.iter_mut().find(|p| p.json_name == *json_name) {
                    Some(existing) => existing.locations.push(prop_at),
                    None => props.push(PropertySpec {
                        json_name: json_name.clone(),
                        locations: vec![prop_at],
                        required: false,
                    }),
                }
            }
        }
        // `required` may name properties an earlier `allOf` member defined.
        for prop in props.iter_mut() {
            if required.contains(prop.json_name.as_str()) {
                prop.required = true;
            }
        }
        Ok(())
    }

    fn field(
        &mut self,
        at: &Location,
        json_name: &str,
        required: bool,
        parent: &str,
        module: &str,
        ty: Option<Type>,
    ) -> Result<Field, LowerError> {
        let deref = self.spec.deref(at)?;
        // Keys beside a `$ref` describe this use of the target: they win.
        let doc_node = merged_doc_node(&deref);
        // The property's own keys (beside a `$ref`, if any) gate the field;
        // a referenced schema's own `x-cargo-feature` gates its type only.
        let feature = self.property_feature(at)?;
        if feature.is_some() && required {
            return Err(self.invalid(at, "a property behind `x-cargo-feature` cannot be required"));
        }
        let rust_name = field_name(json_name);
        let ty = match ty {
            Some(ty) => ty,
            None => {
                let derived = format!("{parent}{}", type_name(&rust_name));
                let wanted = self.inline_name(at, module, derived);
                self.gated(feature.clone(), |this| this.schema(at, &wanted, module))?
            }
        };
        let description = doc_node.get("description").and_then(Value::as_str);
        let (ty, rust_name) = self.apply_time_rules(
            at,
            json_name,
            TimePlace::Property,
            description,
            ty,
            rust_name,
        )?;
        let bounds = self.bounds(at, &doc_node, &ty)?;
        Ok(Field {
            bounds,
            json_name: json_name.to_owned(),
            rust_name,
            secret: self.config.secret_properties.iter().any(|s| s == json_name)
                && ty == Type::String,
            ty,
            required,
            docs: self.docs(&doc_node),
            feature,
        })
    }
}

/// A property and every place an `allOf` member defines it.
struct PropertySpec {
    json_name: String,
    locations: Vec<Location>,
    required: bool,
}
