//! `oneOf` with a `discriminator`: object shapes told apart by one
//! property (`type`), as a tagged enum that keeps every other value.

use serde_json::{Map, Value};

use crate::load::Location;
use crate::model::{Struct, TaggedUnion, TaggedVariant, Type, TypeKind};

use super::naming::type_name;
use super::{LowerError, Lowerer};

impl Lowerer<'_> {
    /// A schema with `oneOf` and `discriminator: {propertyName: p}`. Each
    /// member is an inline object schema fixing `p` to one value
    /// (`enum: [value]` or `const: value`) and becomes a variant holding a
    /// struct of the member's other properties. The schema's own
    /// `properties`/`additionalProperties` beside `oneOf`, if any, are the
    /// shape of any other value (a `p` no member names, or none at all),
    /// kept whole in the variant `Other`; without them `Other` holds a JSON
    /// object. So an unknown value stays expressible and re-serializes as
    /// received.
    pub(super) fn tagged_union(
        &mut self,
        at: &Location,
        map: &Map<String, Value>,
        wanted: &str,
        module: &str,
    ) -> Result<Type, LowerError> {
        let property = self.discriminator_property(at, map)?;
        let count = map
            .get("oneOf")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if count == 0 {
            return Err(self.invalid(
                &at.join("oneOf"),
                "a `discriminator` needs a non-empty `oneOf` list",
            ));
        }
        let node = Value::Object(map.clone());
        // Reserve the slot first so the variants' types come after it.
        let id = self.define_type(
            module,
            wanted,
            at,
            &node,
            TypeKind::Struct(Struct::default()),
        );
        let name = self.types[id.0].name.clone();
        let mut members = Vec::new();
        for index in 0..count {
            let member_at = at.join("oneOf").join(index);
            let deref = self.spec.deref(&member_at)?;
            if !deref.via.is_empty() {
                return Err(self.unsupported(
                    &member_at,
                    "a `$ref` member of a `oneOf` with a `discriminator` (its struct leaves out the discriminator, so the member must be inline)",
                ));
            }
            let wire = self.tag_value(&member_at, deref.node, &property)?;
            if let Some((_, other_at, _)) = members.iter().find(|(w, _, _)| *w == wire) {
                return Err(self.invalid(
                    &member_at,
                    format!(
                        "`{property}: {wire}` is also the value of {}",
                        self.describe(other_at)
                    ),
                ));
            }
            let title = deref
                .node
                .get("title")
                .and_then(Value::as_str)
                .map(type_name);
            members.push((wire, member_at, title));
        }
        let wires: Vec<&str> = members.iter().map(|(wire, _, _)| wire.as_str()).collect();
        let prefix = common_dotted_prefix(&wires).len();
        let mut variants: Vec<TaggedVariant> = Vec::new();
        for (wire, member_at, title) in &members {
            let variant = title.clone().unwrap_or_else(|| type_name(&wire[prefix..]));
            if variant == "Other" || variants.iter().any(|v| v.variant == variant) {
                return Err(self.invalid(
                    member_at,
                    format!(
                        "the variant name `{variant}` (from the member's title or `{property}` value) is taken; give the member another `title`"
                    ),
                ));
            }
            let node = self.node(member_at)?.clone();
            let ty = self.merged_object(
                std::slice::from_ref(member_at),
                member_at,
                &format!("{name}{variant}"),
                module,
                Some(&property),
            )?;
            let Type::Named(ty) = ty else {
                return Err(self.invalid(member_at, "a member must be an object schema"));
            };
            variants.push(TaggedVariant {
                wire: wire.clone(),
                variant,
                ty,
                docs: self.docs(&node),
            });
        }
        let has_shape = ["properties", "additionalProperties", "patternProperties"]
            .iter()
            .any(|key| map.contains_key(*key));
        let other = if has_shape {
            self.merged_object(
                std::slice::from_ref(at),
                at,
                &format!("{name}Other"),
                module,
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
        Ok(Type::Named(id))
    }

    fn discriminator_property(
        &self,
        at: &Location,
        map: &Map<String, Value>,
    ) -> Result<String, LowerError> {
        let at = at.join("discriminator");
        let Some(discriminator) = map.get("discriminator").and_then(Value::as_object) else {
            return Err(self.invalid(&at, "`discriminator` must be an object"));
        };
        if let Some(key) = discriminator.keys().find(|key| *key != "propertyName") {
            return Err(self.unsupported(
                &at.join(key),
                format!(
                    "`discriminator.{key}` (the members' `{{propertyName}}` values name the variants)"
                ),
            ));
        }
        match discriminator.get("propertyName").and_then(Value::as_str) {
            Some(property) if !property.is_empty() => Ok(property.to_owned()),
            _ => Err(self.invalid(&at, "`discriminator` needs a `propertyName` (a string)")),
        }
    }

    /// The one value a member fixes `property` to.
    fn tag_value(
        &self,
        at: &Location,
        member: &Value,
        property: &str,
    ) -> Result<String, LowerError> {
        let schema = member.get("properties").and_then(|p| p.get(property));
        let single = schema.and_then(|schema| {
            if let Some(value) = schema.get("const") {
                return value.as_str();
            }
            match schema.get("enum").and_then(Value::as_array)?.as_slice() {
                [value] => value.as_str(),
                _ => None,
            }
        });
        single.map(str::to_owned).ok_or_else(|| {
            self.invalid(
                at,
                format!(
                    "a member of a `oneOf` discriminated by `{property}` must fix `{property}` to one string (`enum: [value]` or `const: value`)"
                ),
            )
        })
    }
}

/// The longest common prefix of `values` that ends with a `.`
/// (`m.login.` of `m.login.password` and `m.login.dummy`), so variants are
/// named by what tells them apart; empty for a single value.
fn common_dotted_prefix<'a>(values: &[&'a str]) -> &'a str {
    let Some((first, rest)) = values.split_first() else {
        return "";
    };
    if rest.is_empty() {
        return "";
    }
    let mut end = 0;
    for (index, c) in first.char_indices() {
        if c == '.' && rest.iter().all(|v| v.get(..=index) == first.get(..=index)) {
            end = index + 1;
        }
    }
    // The prefix must leave something of every value to name it by.
    if values.iter().any(|v| v.len() == end) {
        return "";
    }
    &first[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_dotted_prefix_is_left_out_of_variant_names() {
        assert_eq!(
            common_dotted_prefix(&["m.login.password", "m.login.email.identity"]),
            "m.login."
        );
        assert_eq!(common_dotted_prefix(&["m.id.user", "m.idx.phone"]), "m.");
        assert_eq!(common_dotted_prefix(&["m.id.user"]), "");
        assert_eq!(common_dotted_prefix(&["a.b", "c.d"]), "");
        assert_eq!(common_dotted_prefix(&[]), "");
    }
}
