//! Recursive types: a struct field whose type holds the struct itself by
//! value (not in a `Vec` or a map) would give Rust a type of infinite size.
//! Such fields are boxed (`Type::Boxed`), after every other step of
//! lowering so that merged types are seen as they are emitted.
//!
//! The spec's schemas cannot recurse by themselves (a `$ref` cycle fails
//! `gen`); a type recurses through a `$ref` to an event's content enum,
//! e.g. an edit's `m.new_content` (a message content) inside a message
//! content.

use std::collections::BTreeSet;

use crate::model::{Type, TypeDef, TypeId, TypeKind};

/// Boxes every struct field on a cycle of types held by value. Returns the
/// types on a cycle that has no struct field to box (a union holding
/// itself through unions only, a request's parameter or body), which Rust
/// could not compile; empty when there is none.
pub(super) fn box_recursive_fields(types: &mut [TypeDef]) -> Vec<TypeId> {
    let mut to_box = Vec::new();
    for (index, def) in types.iter().enumerate() {
        let TypeKind::Struct(s) = &def.kind else {
            continue;
        };
        for (field_index, field) in s.fields.iter().enumerate() {
            let mut held = Vec::new();
            held_by_value(&field.ty, &mut held);
            if held.iter().any(|id| reaches(types, *id, TypeId(index))) {
                to_box.push((index, field_index));
            }
        }
    }
    for (index, field_index) in to_box {
        if let TypeKind::Struct(s) = &mut types[index].kind {
            let field = &mut s.fields[field_index];
            field.ty = boxed(std::mem::replace(&mut field.ty, Type::Unit));
        }
    }
    (0..types.len())
        .map(TypeId)
        .filter(|id| {
            let mut held = Vec::new();
            value_edges(&types[id.0], &mut held);
            held.iter().any(|next| reaches(types, *next, *id))
        })
        .collect()
}

/// `ty` with its generated type boxed, inside any `Option` (a nullable
/// `Option<Box<T>>`, not `Box<Option<T>>`).
fn boxed(ty: Type) -> Type {
    match ty {
        Type::Nullable(inner) => Type::Nullable(Box::new(boxed(*inner))),
        other => Type::Boxed(Box::new(other)),
    }
}

/// The generated types a value of `ty` holds by value: not behind a `Vec`,
/// a map, a `Box`, or as JSON text (`Raw`).
fn held_by_value(ty: &Type, out: &mut Vec<TypeId>) {
    match ty {
        Type::Named(id) | Type::Envelope { id, .. } => out.push(*id),
        Type::Nullable(inner) => held_by_value(inner, out),
        _ => {}
    }
}

/// The generated types a value of `def` holds by value.
fn value_edges(def: &TypeDef, out: &mut Vec<TypeId>) {
    match &def.kind {
        TypeKind::Struct(s) => {
            for field in &s.fields {
                held_by_value(&field.ty, out);
            }
            for param in &s.params {
                held_by_value(&param.ty, out);
            }
            if let Some(body) = &s.body {
                held_by_value(body, out);
            }
        }
        TypeKind::Union(variants) => {
            for variant in variants {
                held_by_value(&variant.ty, out);
            }
        }
        TypeKind::TaggedUnion(union) => {
            out.extend(union.variants.iter().map(|v| v.ty));
            held_by_value(&union.other, out);
        }
        TypeKind::StringEnum(_) | TypeKind::RawResponse(_) => {}
    }
}

/// Whether a value of `from` holds a value of `to` by value (or is it).
fn reaches(types: &[TypeDef], from: TypeId, to: TypeId) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(id) = stack.pop() {
        if id == to {
            return true;
        }
        if !seen.insert(id) {
            continue;
        }
        if let Some(def) = types.get(id.0) {
            value_edges(def, &mut stack);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::load::Location;
    use crate::model::{Docs, Field, NameOrigin, Struct, TaggedUnion, TaggedVariant, UnionVariant};

    fn def(name: &str, kind: TypeKind) -> TypeDef {
        TypeDef {
            name: name.to_owned(),
            module: "events".to_owned(),
            docs: Docs::default(),
            source: Location::file(format!("{name}.yaml")),
            name_origin: NameOrigin::Schema,
            title: None,
            kind,
            features: Vec::new(),
        }
    }

    fn field(name: &str, ty: Type, required: bool) -> Field {
        Field {
            json_name: name.to_owned(),
            rust_name: name.to_owned(),
            ty,
            required,
            docs: Docs::default(),
            secret: false,
            bounds: None,
            feature: None,
        }
    }

    fn object(fields: Vec<Field>) -> TypeKind {
        TypeKind::Struct(Struct {
            fields,
            ..Struct::default()
        })
    }

    fn fields(def: &TypeDef) -> Vec<&Type> {
        let TypeKind::Struct(s) = &def.kind else {
            panic!("not a struct")
        };
        s.fields.iter().map(|f| &f.ty).collect()
    }

    /// A message content enum whose text variant (and `Other`) may hold a
    /// message content: an edit's `m.new_content`.
    fn message(other_field: Type) -> Vec<TypeDef> {
        let content = TypeId(0);
        vec![
            def(
                "RoomMessageEventContent",
                TypeKind::TaggedUnion(TaggedUnion {
                    property: "msgtype".to_owned(),
                    variants: vec![TaggedVariant {
                        wire: "m.text".to_owned(),
                        variant: "Text".to_owned(),
                        ty: TypeId(1),
                        docs: Docs::default(),
                    }],
                    other: Type::Named(TypeId(2)),
                }),
            ),
            def(
                "RoomMessageTextContent",
                object(vec![
                    field("body", Type::String, true),
                    field("relates_to", Type::Named(TypeId(3)), false),
                    field("new_content", Type::Named(content), false),
                ]),
            ),
            def(
                "RoomMessageOtherContent",
                object(vec![field("new_content", other_field, false)]),
            ),
            def(
                "RelatesTo",
                object(vec![field("event_id", Type::String, false)]),
            ),
        ]
    }

    #[test]
    fn a_field_holding_its_own_type_through_an_enum_is_boxed_and_no_other() {
        let nullable = Type::Nullable(Box::new(Type::Named(TypeId(0))));
        let mut types = message(nullable);
        assert!(box_recursive_fields(&mut types).is_empty());
        let text = fields(&types[1]);
        assert_eq!(text[0], &Type::String);
        // Not on a cycle: `RelatesTo` holds no message.
        assert_eq!(text[1], &Type::Named(TypeId(3)));
        assert_eq!(text[2], &Type::Boxed(Box::new(Type::Named(TypeId(0)))));
        // Boxed inside the `Option` of a nullable value.
        let other = fields(&types[2]);
        let inner = Type::Boxed(Box::new(Type::Named(TypeId(0))));
        assert_eq!(other[0], &Type::Nullable(Box::new(inner)));
        // Idempotent: a boxed field holds nothing by value any more.
        let again = types.clone();
        assert!(box_recursive_fields(&mut types).is_empty());
        assert_eq!(format!("{types:?}"), format!("{again:?}"));
    }

    #[test]
    fn a_type_held_in_a_list_or_map_is_not_boxed() {
        let list = Type::Array(Box::new(Type::Named(TypeId(0))));
        let map = Type::Map {
            key: Box::new(Type::String),
            value: Box::new(Type::Named(TypeId(0))),
        };
        let mut types = vec![def(
            "Tree",
            object(vec![
                field("children", list.clone(), true),
                field("by_name", map.clone(), false),
            ]),
        )];
        assert!(box_recursive_fields(&mut types).is_empty());
        assert_eq!(fields(&types[0]), [&list, &map]);
    }

    #[test]
    fn a_cycle_without_a_struct_field_is_reported() {
        let mut types = vec![
            def(
                "A",
                TypeKind::Union(vec![UnionVariant {
                    variant: "B".to_owned(),
                    ty: Type::Named(TypeId(1)),
                }]),
            ),
            def(
                "B",
                TypeKind::Union(vec![UnionVariant {
                    variant: "A".to_owned(),
                    ty: Type::Named(TypeId(0)),
                }]),
            ),
            def("C", object(vec![field("a", Type::Named(TypeId(0)), false)])),
        ];
        assert_eq!(box_recursive_fields(&mut types), [TypeId(0), TypeId(1)]);
        // `C` holds `A` but is on no cycle: its field stays as it is.
        assert_eq!(fields(&types[2]), [&Type::Named(TypeId(0))]);
    }
}
