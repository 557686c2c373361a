//! Schemas of several shapes: 3.1 type lists and `oneOf` unions.

use serde_json::{Map, Value};

use crate::load::Location;
use crate::model::{Type, TypeKind, UnionVariant};

use super::naming::type_name;
use super::{LowerError, Lowerer};

impl Lowerer<'_> {
    /// `anyOf` of one schema and `{type: "null"}` (JSON Schema's other
    /// way to write a type list with `null`): that schema, nullable. Any
    /// other `anyOf` is refused, naming it.
    pub(super) fn any_of(
        &mut self,
        at: &Location,
        map: &Map<String, Value>,
        any_of: &Value,
        wanted: &str,
        module: &str,
    ) -> Result<Type, LowerError> {
        let members = any_of.as_array().map(Vec::as_slice).unwrap_or_default();
        let is_null = |member: &Value| {
            member.get("type").and_then(Value::as_str) == Some("null")
                && member.as_object().is_some_and(|m| m.len() == 1)
        };
        let others: Vec<usize> = (0..members.len())
            .filter(|i| !is_null(&members[*i]))
            .collect();
        let beside = map
            .keys()
            .any(|k| k == "type" || k == "properties" || k == "oneOf" || k == "allOf");
        match (others.as_slice(), members.len()) {
            ([one], 2) if !beside => {
                let inner = self.schema(&at.join("anyOf").join(*one), wanted, module)?;
                Ok(Type::Nullable(Box::new(inner)))
            }
            _ => Err(self.unsupported(
                &at.join("anyOf"),
                "`anyOf` other than of one schema and `{type: \"null\"}`",
            )),
        }
    }

    /// A 3.1 type list such as `[string, "null"]` or `[string, object]`:
    /// each listed type is the same schema with that one type.
    pub(super) fn type_list(
        &mut self,
        at: &Location,
        map: &Map<String, Value>,
        types: &[Value],
        wanted: &str,
        module: &str,
    ) -> Result<Type, LowerError> {
        let mut nullable = false;
        let mut members = Vec::new();
        for (index, ty) in types.iter().enumerate() {
            let Some(ty) = ty.as_str() else {
                return Err(self.invalid(
                    &at.join("type").join(index),
                    "a type list entry must be a string",
                ));
            };
            if ty == "null" {
                nullable = true;
                continue;
            }
            let mut single = map.clone();
            single.insert("type".to_owned(), Value::String(ty.to_owned()));
            let member = self.schema_node(
                at,
                &Value::Object(single),
                &format!("{wanted}{}", type_name(ty)),
                module,
            )?;
            members.push((Some(type_name(ty)), member));
        }
        let inner = match members.len() {
            0 => return Err(self.unsupported(&at.join("type"), "a type list of only `null`")),
            1 => members.remove(0).1,
            _ => self.union(at, &Value::Object(map.clone()), members, wanted, module)?,
        };
        Ok(if nullable {
            Type::Nullable(Box::new(inner))
        } else {
            inner
        })
    }

    /// One of several shapes. When they all lower to the same Rust type
    /// that type is enough; several identifier types (a room ID or a room
    /// alias) are the one type `string_format_unions` names; otherwise an
    /// untagged enum that tries them in order, catch-all shapes (any JSON,
    /// any object) last.
    pub(super) fn union(
        &mut self,
        at: &Location,
        node: &Value,
        members: Vec<(Option<String>, Type)>,
        wanted: &str,
        module: &str,
    ) -> Result<Type, LowerError> {
        if members.iter().all(|(_, ty)| *ty == members[0].1) {
            return Ok(members[0].1.clone());
        }
        let types: Vec<Type> = members.iter().map(|(_, ty)| ty.clone()).collect();
        if let Some(identifier) = self.format_union(at, &types)? {
            return Ok(identifier);
        }
        let mut variants: Vec<UnionVariant> = Vec::new();
        for (title, ty) in members {
            let base = title.unwrap_or_else(|| self.variant_name(&ty));
            let mut variant = base.clone();
            let mut n = 2;
            while variants.iter().any(|v| v.variant == variant) {
                variant = format!("{base}{n}");
                n += 1;
            }
            variants.push(UnionVariant { variant, ty });
        }
        variants.sort_by_key(|v| is_catch_all(&v.ty));
        let id = self.define_type(module, wanted, at, node, TypeKind::Union(variants));
        Ok(Type::Named(id))
    }

    fn variant_name(&self, ty: &Type) -> String {
        match ty {
            Type::String => "String".to_owned(),
            Type::Bool => "Boolean".to_owned(),
            Type::I64 | Type::U64 => "Integer".to_owned(),
            Type::F64 => "Number".to_owned(),
            Type::DurationMs | Type::DurationSecs => "Duration".to_owned(),
            Type::Timestamp => "Timestamp".to_owned(),
            Type::Json => "Value".to_owned(),
            Type::JsonObject | Type::Map { .. } => "Object".to_owned(),
            Type::Identifier(rust) => rust.clone(),
            Type::Array(_) => "Array".to_owned(),
            Type::Named(id) | Type::Envelope { id, .. } => self.types[id.0].name.clone(),
            Type::EventContent => "Content".to_owned(),
            Type::Runtime(path) => path.rsplit("::").next().unwrap_or(path).to_owned(),
            Type::Nullable(inner) | Type::Raw(inner) | Type::Boxed(inner) => {
                self.variant_name(inner)
            }
            Type::Bytes => "Bytes".to_owned(),
            Type::Unit => "Empty".to_owned(),
        }
    }
}

/// Whether any JSON value of the right kind deserializes into `ty`, so it
/// must be tried last in an untagged enum.
fn is_catch_all(ty: &Type) -> bool {
    matches!(ty, Type::Json | Type::JsonObject)
        || matches!(ty, Type::Map { value, .. } if **value == Type::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_any_json_and_any_object_are_catch_alls() {
        assert!(is_catch_all(&Type::Json));
        assert!(is_catch_all(&Type::JsonObject));
        let map = |value| Type::Map {
            key: Box::new(Type::String),
            value: Box::new(value),
        };
        assert!(is_catch_all(&map(Type::Json)));
        assert!(!is_catch_all(&map(Type::String)));
        assert!(!is_catch_all(&Type::String));
        assert!(!is_catch_all(&Type::Nullable(Box::new(Type::Json))));
    }
}
