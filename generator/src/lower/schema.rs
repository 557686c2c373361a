//! A JSON schema as a Rust type: references named and memoized,
//! keywords checked, scalars, arrays, maps and string enums.

use serde_json::{Map, Value};

use crate::load::Location;
use crate::model::{Bounds, EnumValue, Type, TypeKind};

use super::naming::{item_name, type_name};
use super::{LowerError, Lowerer};

/// Schema keywords that carry no structure: documentation and validation
/// the types do not need to encode.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "deprecated",
    "default",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "readOnly",
    "writeOnly",
    "minProperties",
    "maxProperties",
    "$schema",
    // Schemas kept for `$ref`s to point at (`#/$defs/...`); no shape here.
    "$defs",
];

/// Keywords that give a schema its shape, handled below.
const STRUCTURE: &[&str] = &[
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "allOf",
    "anyOf",
    "oneOf",
    "discriminator",
    "patternProperties",
];

impl Lowerer<'_> {
    /// The type of the schema at `at`. `wanted` names it if it needs a name
    /// and is not a reference target (which is named after its title or
    /// file).
    pub(super) fn schema(
        &mut self,
        at: &Location,
        wanted: &str,
        module: &str,
    ) -> Result<Type, LowerError> {
        let deref = self.spec.deref(at)?;
        if deref.via.is_empty() {
            let node = deref.node.clone();
            let ty = self.schema_node(at, &node, wanted, module)?;
            return Ok(self.raw_if_configured(at, true, ty));
        }
        let target = deref.location.clone();
        let node = deref.node.clone();
        if let Some(known) = self.known_type(&target) {
            return Ok(known);
        }
        // A schema referencing itself (an event's `redacted_because`, an
        // event): a `Raw` one is text until parsed, so it can hold its own
        // type; any other recursion is refused below.
        if self.in_progress.contains(&target) {
            let reserved = self
                .types
                .iter()
                .rposition(|t| t.source == target && matches!(t.kind, TypeKind::Struct(_)));
            if let Some(id) = reserved {
                let ty = Type::Named(crate::model::TypeId(id));
                let ty = self.envelope_reference(at, &target, ty)?;
                let wrapped = self.raw_if_configured(&target, false, ty);
                if matches!(wrapped, Type::Raw(_)) {
                    return Ok(wrapped);
                }
            }
        }
        let ty = self.referenced_schema(target, node)?;
        let ty = self.envelope_reference(at, &deref.location, ty)?;
        Ok(self.raw_if_configured(&deref.location, false, ty))
    }

    /// `ty` as `Raw<ty>` if a `raw_schemas` pattern matches the schema at
    /// `at`: a file pattern any schema referenced from that file, a
    /// `file#pointer` pattern the schema at that place, referenced or
    /// written out inline there (an `inline` schema matches only the
    /// latter).
    fn raw_if_configured(&mut self, at: &Location, inline: bool, ty: Type) -> Type {
        let place = at.to_string();
        let pattern = self.config.raw_schemas.iter().find(|pattern| {
            if pattern.contains('#') {
                crate::config::matches_pattern(pattern, &place)
            } else {
                !inline && crate::config::matches_pattern(pattern, &at.file)
            }
        });
        match pattern {
            Some(pattern) => {
                self.used_raw_schemas.insert(pattern.clone());
                Type::Raw(Box::new(ty))
            }
            None => ty,
        }
    }

    /// The type of a reference target, lowered once and named after its
    /// title or place.
    fn referenced_schema(&mut self, target: Location, node: Value) -> Result<Type, LowerError> {
        if let Some(ty) = self.memo.get(&target) {
            return Ok(ty.clone());
        }
        if !self.in_progress.insert(target.clone()) {
            return Err(self.unsupported(&target, "a recursive schema"));
        }
        // Named after its title; where titles repeat (e.g. "Event"), after
        // where it is (file stem, or the last pointer segment), which is
        // unique and stable.
        let place_name = type_name(
            target
                .pointer
                .rsplit('/')
                .next()
                .filter(|last| !last.is_empty())
                .unwrap_or_else(|| {
                    target
                        .file
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .trim_end_matches(".yaml")
                }),
        );
        let target_module = self
            .modules_by_file
            .get(&target.file)
            .cloned()
            .unwrap_or_else(|| "types".to_owned());
        let name = match node.get("title").and_then(Value::as_str) {
            Some(title) if !self.is_taken(&target_module, &type_name(title)) => type_name(title),
            _ => place_name,
        };
        // One type however many places use it: gated by its own
        // `x-cargo-feature` only.
        self.named_schema_depth += 1;
        let ty = self.ungated(|this| this.schema_node(&target, &node, &name, &target_module));
        self.named_schema_depth -= 1;
        self.in_progress.remove(&target);
        let ty = ty?;
        self.memo.insert(target, ty.clone());
        Ok(ty)
    }

    /// The bounds a schema gives an integer or millisecond value, made
    /// inclusive; `None` when it gives none beyond what the type already
    /// ensures (`minimum: 0` of an unsigned value or a duration). Bounds on
    /// any other type fail: they would not be enforced.
    pub(super) fn bounds(
        &self,
        at: &Location,
        node: &Value,
        ty: &Type,
    ) -> Result<Option<Bounds>, LowerError> {
        let mut bounds = Bounds {
            min: None,
            max: None,
        };
        let mut any = false;
        for (key, exclusive, is_min) in [
            ("minimum", false, true),
            ("exclusiveMinimum", true, true),
            ("maximum", false, false),
            ("exclusiveMaximum", true, false),
        ] {
            let Some(value) = node.get(key) else { continue };
            any = true;
            let Some(limit) = value.as_i64() else {
                return Err(self.unsupported(
                    &at.join(key),
                    format!("`{key}: {value}` (bounds must be integers)"),
                ));
            };
            let inclusive = match (exclusive, is_min) {
                (false, _) => Some(limit),
                (true, true) => limit.checked_add(1),
                (true, false) => limit.checked_sub(1),
            };
            let Some(inclusive) = inclusive else {
                return Err(self.invalid(
                    &at.join(key),
                    format!("`{key}: {limit}` excludes every value"),
                ));
            };
            if is_min {
                bounds.min = Some(bounds.min.map_or(inclusive, |m: i64| m.max(inclusive)));
            } else {
                bounds.max = Some(bounds.max.map_or(inclusive, |m: i64| m.min(inclusive)));
            }
        }
        if !any {
            return Ok(None);
        }
        let natural_min = match ty {
            Type::U64 | Type::DurationMs | Type::DurationSecs => 0,
            Type::I64 | Type::Timestamp => i64::MIN,
            _ => {
                return Err(self.unsupported(
                    at,
                    "bounds (`minimum`, `maximum`, ...) on a value that is not an integer or a duration: they would not be checked",
                ));
            }
        };
        if bounds.min.is_some_and(|min| min <= natural_min) {
            bounds.min = None;
        }
        if let (Some(min), Some(max)) = (bounds.min, bounds.max)
            && min > max
        {
            return Err(self.invalid(at, format!("bounds {min}..={max} allow no value")));
        }
        Ok((bounds.min.is_some() || bounds.max.is_some()).then_some(bounds))
    }

    fn known_type(&self, target: &Location) -> Option<Type> {
        self.config.known_types.iter().find_map(|known| {
            let (file, pointer) = known.schema.split_once('#').unwrap_or((&known.schema, ""));
            (file == target.file && pointer == target.pointer)
                .then(|| Type::Runtime(known.rust.clone()))
        })
    }

    /// Whether the schema `node` says only that a string matches a
    /// pattern or length (as `propertyNames` of a map does).
    fn only_constrains_text(node: &Value) -> bool {
        node.as_object().is_some_and(|map| {
            map.iter().all(|(key, value)| match key.as_str() {
                "type" => value == "string",
                "pattern" | "minLength" | "maxLength" | "description" => true,
                _ => false,
            })
        })
    }

    pub(super) fn check_keywords(
        &self,
        at: &Location,
        node: &Map<String, Value>,
    ) -> Result<(), LowerError> {
        for key in node.keys() {
            // Keys are strings anyway: `propertyNames` that only
            // constrains their text validates, it adds no structure.
            if key == "propertyNames" && Self::only_constrains_text(&node[key]) {
                continue;
            }
            if !(ANNOTATIONS.contains(&key.as_str())
                || STRUCTURE.contains(&key.as_str())
                || key.starts_with("x-"))
            {
                return Err(self.unsupported(&at.join(key), format!("schema keyword `{key}`")));
            }
        }
        Ok(())
    }

    /// The type of the schema `node` (at `at`); the types it defines are
    /// gated by its `x-cargo-feature`, which counts as used when it
    /// defines one.
    pub(super) fn schema_node(
        &mut self,
        at: &Location,
        node: &Value,
        wanted: &str,
        module: &str,
    ) -> Result<Type, LowerError> {
        // The map form gates a string enum's values instead (`string_enum`).
        let feature = match Self::gates_enum_values(node) {
            true => None,
            false => self.feature_of(at, node)?,
        };
        if feature.is_none() {
            return self.schema_shape(at, node, wanted, module);
        }
        let before = self.types.len();
        let ty = self.gated(feature, |this| this.schema_shape(at, node, wanted, module))?;
        if self.types.len() > before {
            self.used_features.insert(at.clone());
        }
        Ok(ty)
    }

    fn schema_shape(
        &mut self,
        at: &Location,
        node: &Value,
        wanted: &str,
        module: &str,
    ) -> Result<Type, LowerError> {
        let Some(map) = node.as_object() else {
            return Err(self.invalid(at, "a schema must be an object"));
        };
        self.check_keywords(at, map)?;
        if let Some(all_of) = map.get("allOf") {
            let members = all_of.as_array().filter(|m| !m.is_empty()).ok_or_else(|| {
                self.invalid(&at.join("allOf"), "`allOf` must be a non-empty list")
            })?;
            if members.len() == 1 && !map.contains_key("properties") {
                return self.schema(&at.join("allOf").join(0), wanted, module);
            }
            return self.object(at, wanted, module);
        }
        if let Some(any_of) = map.get("anyOf") {
            return self.any_of(at, map, any_of, wanted, module);
        }
        if map.contains_key("discriminator") {
            return self.tagged_union(at, map, wanted, module);
        }
        if let Some(one_of) = map.get("oneOf") {
            let count = one_of.as_array().map_or(0, Vec::len);
            if count == 0 {
                return Err(self.invalid(&at.join("oneOf"), "`oneOf` must be a non-empty list"));
            }
            if map.contains_key("type") || map.contains_key("properties") {
                return Err(self.unsupported(at, "`oneOf` beside `type` or `properties`"));
            }
            let mut members = Vec::new();
            for index in 0..count {
                let member_at = at.join("oneOf").join(index);
                let title = self
                    .spec
                    .deref(&member_at)?
                    .node
                    .get("title")
                    .and_then(Value::as_str)
                    .map(type_name);
                let member_name = match &title {
                    Some(title) => title.clone(),
                    None => format!("{wanted}Variant{}", index + 1),
                };
                let ty = self.schema(&member_at, &member_name, module)?;
                members.push((title, ty));
            }
            return self.union(at, node, members, wanted, module);
        }
        let ty = match map.get("type") {
            None if map.contains_key("properties") || map.contains_key("patternProperties") => {
                "object"
            }
            None => {
                if map.keys().any(|k| STRUCTURE.contains(&k.as_str())) {
                    return Err(self.unsupported(at, "a schema with structure but no `type`"));
                }
                return Ok(Type::Json);
            }
            Some(Value::String(ty)) => ty.as_str(),
            Some(Value::Array(types)) => return self.type_list(at, map, types, wanted, module),
            Some(other) => {
                return Err(self.unsupported(&at.join("type"), format!("`type: {other}`")));
            }
        };
        if ty != "string" {
            self.string_format(at, map, false)?;
        }
        match ty {
            "string" => match map.get("enum") {
                Some(values) => self.string_enum(at, node, values, wanted, module),
                None => Ok(self.string_format(at, map, true)?.unwrap_or(Type::String)),
            },
            "integer" => {
                let non_negative = map
                    .get("minimum")
                    .and_then(Value::as_f64)
                    .is_some_and(|m| m >= 0.0);
                Ok(if non_negative { Type::U64 } else { Type::I64 })
            }
            "number" => Ok(Type::F64),
            "boolean" => Ok(Type::Bool),
            "array" => {
                if !map.contains_key("items") {
                    return Err(self.unsupported(at, "an array without `items`"));
                }
                let items_at = at.join("items");
                // The singular names the items, unless it is taken (e.g.
                // `Results` whose items would be the prelude's `Result`).
                let singular = item_name(wanted);
                let derived = if self.is_taken(module, &singular) {
                    format!("{wanted}Item")
                } else {
                    singular
                };
                let wanted = self.inline_name(&items_at, module, derived);
                let item = self.schema(&items_at, &wanted, module)?;
                Ok(Type::Array(Box::new(item)))
            }
            "object" => {
                let has_properties = map
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty());
                if has_properties {
                    return self.object(at, wanted, module);
                }
                match self.additional(at, map, wanted, module)? {
                    Some(value) => Ok(Type::Map {
                        key: Box::new(self.map_key(at, map)?),
                        value: Box::new(value),
                    }),
                    None => Ok(Type::JsonObject),
                }
            }
            "null" => Err(self.unsupported(&at.join("type"), "`type: null` on its own")),
            other => Err(self.unsupported(&at.join("type"), format!("`type: {other}`"))),
        }
    }

    /// The value type of an object's other properties: from
    /// `additionalProperties` (a schema, or `true` for any JSON) and
    /// `patternProperties` (keys matching a pattern, e.g. `^@` user IDs;
    /// the key type is [`map_key`](Self::map_key)'s). `None` when neither
    /// constrains anything.
    pub(super) fn additional(
        &mut self,
        at: &Location,
        map: &Map<String, Value>,
        wanted: &str,
        module: &str,
    ) -> Result<Option<Type>, LowerError> {
        let mut value_types: Vec<Type> = Vec::new();
        match map.get("additionalProperties") {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => value_types.push(Type::Json),
            Some(Value::Object(_)) => {
                let value_at = at.join("additionalProperties");
                let wanted = self.inline_name(&value_at, module, format!("{wanted}Value"));
                value_types.push(self.schema(&value_at, &wanted, module)?);
            }
            Some(other) => {
                return Err(self.unsupported(
                    &at.join("additionalProperties"),
                    format!("`additionalProperties: {other}`"),
                ));
            }
        }
        if let Some(patterns) = map.get("patternProperties") {
            let Some(patterns) = patterns.as_object() else {
                return Err(self.invalid(
                    &at.join("patternProperties"),
                    "`patternProperties` must be an object",
                ));
            };
            for pattern in patterns.keys() {
                let value_at = at.join("patternProperties").join(pattern);
                let wanted = self.inline_name(&value_at, module, format!("{wanted}Value"));
                let ty = self.schema(&value_at, &wanted, module)?;
                value_types.push(ty);
            }
        }
        value_types.dedup();
        match value_types.len() {
            0 => Ok(None),
            1 => Ok(value_types.pop()),
            _ => Err(self.unsupported(
                at,
                "`patternProperties`/`additionalProperties` with values of different types",
            )),
        }
    }

    fn string_enum(
        &mut self,
        at: &Location,
        node: &Value,
        values: &Value,
        wanted: &str,
        module: &str,
    ) -> Result<Type, LowerError> {
        let Some(values) = values.as_array() else {
            return Err(self.invalid(&at.join("enum"), "`enum` must be a list"));
        };
        let mut features = self.enum_value_features(at, node, values)?;
        let mut variants: Vec<EnumValue> = Vec::new();
        for (index, value) in values.iter().enumerate() {
            let Some(wire) = value.as_str() else {
                return Err(
                    self.unsupported(&at.join("enum").join(index), "a non-string enum value")
                );
            };
            let mut variant = type_name(wire);
            if variant == "Unknown" {
                variant.push('_');
            }
            if let Some(other) = variants.iter().find(|v| v.variant == variant) {
                return Err(self.invalid(
                    &at.join("enum").join(index),
                    format!(
                        "enum values `{}` and `{wire}` both give the Rust variant `{variant}`",
                        other.wire
                    ),
                ));
            }
            variants.push(EnumValue {
                wire: wire.to_owned(),
                variant,
                feature: features.remove(wire),
            });
        }
        let id = self.define_type(module, wanted, at, node, TypeKind::StringEnum(variants));
        Ok(Type::Named(id))
    }
}
