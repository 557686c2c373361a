//! `x-cargo-feature`: experimental parts of the spec (usually added by an
//! overlay) generated behind a cargo feature.
//!
//! It applies to what becomes Rust of its own:
//! - an **operation**: its request, response and error types, `Endpoint`
//!   impl, client method and test support;
//! - a **schema that becomes a type** (struct, string enum, union): the
//!   type, and every type defined inline inside it;
//! - a **property**: the field (and a type defined inline for it); beside a
//!   `$ref` it gates the field, not the referenced type;
//! - the **values of a string enum**, as a map from value to feature on the
//!   enum's schema (a value is a bare string, so it cannot carry the key):
//!   without the feature such a value is kept as an unknown one.
//!
//! Gates do not spread implicitly between places written apart: a property,
//! parameter, body or response whose type is gated must be gated by the
//! same features itself (or be inside something that is), else `gen` fails
//! naming it, so a default build never names a type it does not have.
//! Anywhere else (a parameter, a response, `info`, a path item, a schema
//! that becomes no type of its own) the key would gate nothing, so it
//! fails `gen` with the place.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::load::Location;
use crate::model::{Module, Operation, ResponseKind, Type, TypeKind};

use super::naming::is_feature_name;
use super::{LowerError, Lowerer};

/// The extension key.
pub(super) const KEY: &str = "x-cargo-feature";

impl Lowerer<'_> {
    /// The feature `node` (at `at`) is gated by, from its own
    /// `x-cargo-feature`; the key counts as used.
    pub(super) fn own_feature(
        &mut self,
        at: &Location,
        node: &Value,
    ) -> Result<Option<String>, LowerError> {
        let feature = self.feature_of(at, node)?;
        if feature.is_some() {
            self.used_features.insert(at.clone());
        }
        Ok(feature)
    }

    /// The feature that gates the property at `at`: its own keys' (beside
    /// a `$ref`, if any), not those of a schema it references, which gate
    /// that schema's type only. The map form gates enum values instead.
    pub(super) fn property_feature(&mut self, at: &Location) -> Result<Option<String>, LowerError> {
        let own = self.spec.files().node(at).cloned().unwrap_or(Value::Null);
        if Self::gates_enum_values(&own) {
            return Ok(None);
        }
        self.own_feature(at, &own)
    }

    /// The feature `node`'s own `x-cargo-feature` names, not yet counted
    /// as used.
    pub(super) fn feature_of(
        &mut self,
        at: &Location,
        node: &Value,
    ) -> Result<Option<String>, LowerError> {
        match node.get(KEY) {
            None => Ok(None),
            Some(value) => self.feature_name(&at.join(KEY), value).map(Some),
        }
    }

    /// A valid feature name, remembered for the generated Cargo.toml.
    fn feature_name(&mut self, at: &Location, value: &Value) -> Result<String, LowerError> {
        match value {
            Value::String(feature) if is_feature_name(feature) => {
                self.features.insert(feature.clone());
                Ok(feature.clone())
            }
            other => Err(self.invalid(
                at,
                format!(
                    "`{KEY}` must be a cargo feature name (letters, digits, `-`, `_`; not `default`), not {other}"
                ),
            )),
        }
    }

    /// Runs `lower` with `feature` added to the features that types defined
    /// meanwhile are gated by.
    pub(super) fn gated<T>(
        &mut self,
        feature: Option<String>,
        lower: impl FnOnce(&mut Self) -> Result<T, LowerError>,
    ) -> Result<T, LowerError> {
        let Some(feature) = feature else {
            return lower(self);
        };
        self.gates.push(feature);
        let result = lower(self);
        self.gates.pop();
        result
    }

    /// Runs `lower` outside any gate: for a referenced schema or response,
    /// which is one type however many places use it, gated only by its own
    /// `x-cargo-feature`.
    pub(super) fn ungated<T>(
        &mut self,
        lower: impl FnOnce(&mut Self) -> Result<T, LowerError>,
    ) -> Result<T, LowerError> {
        let outer = std::mem::take(&mut self.gates);
        let result = lower(self);
        self.gates = outer;
        result
    }

    /// The features a type defined now is gated by, sorted.
    pub(super) fn current_gates(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self.gates.iter().collect();
        set.into_iter().cloned().collect()
    }

    /// Whether `node`'s `x-cargo-feature` is the map form, which gates a
    /// string enum's values rather than the schema's type.
    pub(super) fn gates_enum_values(node: &Value) -> bool {
        node.get(KEY).is_some_and(Value::is_object) && node.get("enum").is_some()
    }

    /// The features of a string enum's values, from the `x-cargo-feature`
    /// map on its schema at `at`. Every key must be one of `values`.
    pub(super) fn enum_value_features(
        &mut self,
        at: &Location,
        node: &Value,
        values: &[Value],
    ) -> Result<BTreeMap<String, String>, LowerError> {
        let Some(Value::Object(map)) = node.get(KEY) else {
            return Ok(BTreeMap::new());
        };
        let mut features = BTreeMap::new();
        for (value, feature) in map {
            let value_at = at.join(KEY).join(value);
            if !values.iter().any(|v| v.as_str() == Some(value)) {
                return Err(self.invalid(
                    &value_at,
                    format!("`{KEY}` names `{value}`, which is not a value of this enum"),
                ));
            }
            let feature = self.feature_name(&value_at, feature)?;
            features.insert(value.clone(), feature);
        }
        self.used_features.insert(at.clone());
        Ok(features)
    }
}

/// Every use of a gated type must be gated by the same features: a field
/// (by its own feature or its type's), a parameter, body, response or
/// error (by its operation's), a union variant or a type's other
/// properties (by the type's).
pub(super) fn ungated_uses(lowerer: &Lowerer<'_>, modules: &[Module]) -> Vec<LowerError> {
    let types = &lowerer.types;
    let mut errors = Vec::new();
    let mut check = |ty: &Type, have: &[&String], place: String, at: &Location, fix: &str| {
        let mut needed = BTreeSet::new();
        named_types(ty, &mut |id| {
            needed.extend(
                types[id]
                    .features
                    .iter()
                    .filter(|f| !have.contains(f))
                    .map(|f| (f.clone(), id)),
            );
        });
        for (feature, id) in needed {
            errors.push(LowerError::Invalid {
                at: lowerer.describe(at),
                message: format!(
                    "{place} uses `{}` ({}), which exists only with the cargo feature `{feature}`, but is not gated by it: {fix} `{KEY}: {feature}`",
                    types[id].name, types[id].source
                ),
            });
        }
    };
    for def in types {
        let own: Vec<&String> = def.features.iter().collect();
        match &def.kind {
            TypeKind::Struct(s) => {
                for field in &s.fields {
                    let mut have = own.clone();
                    have.extend(&field.feature);
                    let at = def.source.join("properties").join(&field.json_name);
                    let place = format!("property `{}` of `{}`", field.json_name, def.name);
                    let fix = "give the property (beside its `$ref`, if any)";
                    check(&field.ty, &have, place, &at, fix);
                }
                for param in &s.params {
                    let place = format!("parameter `{}` of `{}`", param.wire_name, def.name);
                    check(&param.ty, &own, place, &def.source, "give the operation");
                }
                let fix = "give the schema";
                for ty in s.body.iter().chain(&s.additional) {
                    check(ty, &own, format!("`{}`", def.name), &def.source, fix);
                }
            }
            TypeKind::Union(variants) => {
                for variant in variants {
                    let place = format!("variant `{}` of `{}`", variant.variant, def.name);
                    check(&variant.ty, &own, place, &def.source, "give the schema");
                }
            }
            TypeKind::TaggedUnion(union) => {
                let members = union
                    .variants
                    .iter()
                    .map(|v| (&v.variant, Type::Named(v.ty)));
                let other = "Other".to_owned();
                for (variant, ty) in members.chain(std::iter::once((&other, union.other.clone()))) {
                    let place = format!("variant `{variant}` of `{}`", def.name);
                    check(&ty, &own, place, &def.source, "give the schema");
                }
            }
            TypeKind::StringEnum(_) | TypeKind::RawResponse(_) => {}
        }
    }
    for op in modules.iter().flat_map(|m| &m.operations) {
        let have: Vec<&String> = op.feature.iter().collect();
        for (what, ty) in operation_types(op) {
            let place = format!("{what} of operation `{}`", op.operation_id);
            check(&ty, &have, place, &op.source, "give the operation");
        }
    }
    errors
}

/// The types an operation's request, body, responses and errors are.
fn operation_types(op: &Operation) -> Vec<(&'static str, Type)> {
    let mut types = vec![("the request", Type::Named(op.request))];
    if let Some(crate::model::Body::Json { ty, .. }) = &op.body {
        types.push(("the request body", ty.clone()));
    }
    for arm in &op.response.arms {
        match &arm.kind {
            ResponseKind::Json(ty) => types.push(("a response", ty.clone())),
            ResponseKind::Raw(id) => types.push(("a response", Type::Named(*id))),
            ResponseKind::Empty => {}
        }
    }
    for error in &op.endpoint_errors {
        types.extend(error.ty.clone().map(|ty| ("an error response", ty)));
    }
    types
}

/// Calls `found` with the index of every generated type `ty` names (not
/// those inside them).
fn named_types(ty: &Type, found: &mut impl FnMut(usize)) {
    match ty {
        Type::Named(id) | Type::Envelope { id, .. } => found(id.0),
        Type::Array(inner)
        | Type::Map { value: inner, .. }
        | Type::Raw(inner)
        | Type::Nullable(inner)
        | Type::Boxed(inner) => named_types(inner, found),
        _ => {}
    }
}

/// Every `x-cargo-feature` in the spec's files that gated nothing: written
/// where it cannot apply, or on a schema that became no type of its own.
pub(super) fn unused_features(lowerer: &Lowerer<'_>) -> Vec<LowerError> {
    let mut errors = Vec::new();
    for file in lowerer.spec.files().iter() {
        let mut found = Vec::new();
        find_keys(
            &file.value,
            &Location::file(file.path.clone()),
            false,
            &mut found,
        );
        for at in found {
            if !lowerer.used_features.contains(&at) {
                errors.push(LowerError::Invalid {
                    at: lowerer.describe(&at.join(KEY)),
                    message: format!("`{KEY}` cannot apply {}", place_of(&at)),
                });
            }
        }
    }
    errors
}

/// The places (objects) holding the key under `node`. Example values are
/// data, not spec: they are skipped (unless `in_properties`, where
/// `example` is a property's name).
fn find_keys(node: &Value, at: &Location, in_properties: bool, found: &mut Vec<Location>) {
    match node {
        Value::Object(map) => {
            if !in_properties && map.contains_key(KEY) {
                found.push(at.clone());
            }
            for (key, value) in map {
                if !in_properties && (key == "example" || key == "examples" || key == KEY) {
                    continue;
                }
                let child_in_properties =
                    !in_properties && (key == "properties" || key == "patternProperties");
                find_keys(value, &at.join(key), child_in_properties, found);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_keys(item, &at.join(index), false, found);
            }
        }
        _ => {}
    }
}

/// Where an unused key is, and what it could be put on instead.
fn place_of(at: &Location) -> String {
    let segments: Vec<&str> = at.pointer.split('/').skip(1).collect();
    let last = segments.last().copied().unwrap_or("");
    let parent = segments
        .len()
        .checked_sub(2)
        .and_then(|i| segments.get(i))
        .copied();
    let what = if segments.is_empty() {
        "to a whole document"
    } else if segments == ["info"] {
        "to the document's `info`"
    } else if segments.len() == 2 && segments[0] == "paths" {
        "to a path item (gate each of its operations)"
    } else if segments.first() == Some(&"paths") && segments.contains(&"parameters") {
        "to a parameter (gate its operation, or a property)"
    } else if parent == Some("responses") {
        "to a response (gate its operation)"
    } else if last == "requestBody" {
        "to a request body (gate its operation)"
    } else if segments.contains(&"responses") || segments.contains(&"requestBody") {
        "here: this schema becomes no type of its own (gate the operation, or a property)"
    } else {
        "here: it gates an operation, a property, or a schema that becomes a type (struct, string enum, union), and this schema becomes none (gate the properties that use it)"
    };
    what.to_owned()
}
