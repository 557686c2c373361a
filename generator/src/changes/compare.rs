//! Walks two models side by side. Operations are matched by
//! `operationId`, named types by their path in the crate (`module::Name`),
//! struct members by Rust field name, enum values by variant and wire
//! value, union variants by name; types are compared by how the crate
//! spells them, so a named type that keeps its path is compared member by
//! member rather than reported as retyped wherever it is used.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Api, Operation, ResponseKind, Type, TypeDef, TypeId, TypeKind};

use super::{Change, ChangeKind, ChangeReport, Member, Place, Subject};

/// Compares the model of an older release (`old`) with a newer one.
/// The report is labelled with the models' spec tags.
pub fn compare(old: &Api, new: &Api) -> ChangeReport {
    let mut changes = Vec::new();
    operations(old, new, &mut changes);
    types(old, new, &mut changes);
    features(old, new, &mut changes);
    changes.sort_by(|a, b| {
        b.breaking
            .cmp(&a.breaking)
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    changes.dedup();
    ChangeReport {
        from: old.spec_tag.clone(),
        to: new.spec_tag.clone(),
        changes,
        skipped_overlays: Vec::new(),
        krate: None,
    }
}

fn all_operations(api: &Api) -> BTreeMap<&str, &Operation> {
    api.modules
        .iter()
        .flat_map(|m| &m.operations)
        .map(|op| (op.operation_id.as_str(), op))
        .collect()
}

fn endpoint(op: &Operation) -> String {
    format!("{} {}", op.method, op.path_template)
}

fn operation_subject(op: &Operation) -> Subject {
    Subject::Operation {
        operation_id: op.operation_id.clone(),
        endpoint: endpoint(op),
    }
}

fn operations(old: &Api, new: &Api, changes: &mut Vec<Change>) {
    let old_ops = all_operations(old);
    let new_ops = all_operations(new);
    for (id, op) in &old_ops {
        if !new_ops.contains_key(id) {
            changes.push(Change::new(
                operation_subject(op),
                ChangeKind::OperationRemoved {
                    request: type_path(old, op.request),
                    method: format!("Client::{}", op.fn_name),
                },
            ));
        }
    }
    for (id, op) in &new_ops {
        let subject = operation_subject(op);
        let Some(before) = old_ops.get(id) else {
            changes.push(Change::new(
                subject,
                ChangeKind::OperationAdded {
                    request: type_path(new, op.request),
                    method: format!("Client::{}", op.fn_name),
                    feature: op.feature.clone(),
                },
            ));
            continue;
        };
        let mut push = |kind| changes.push(Change::new(subject.clone(), kind));
        match (before.docs.deprecated, op.docs.deprecated) {
            (false, true) => push(ChangeKind::OperationDeprecated),
            (true, false) => push(ChangeKind::OperationUndeprecated),
            _ => {}
        }
        if before.feature != op.feature {
            push(ChangeKind::GateChanged {
                from: before.feature.iter().cloned().collect(),
                to: op.feature.iter().cloned().collect(),
            });
        }
        if endpoint(before) != endpoint(op) {
            push(ChangeKind::EndpointChanged {
                from: endpoint(before),
                to: endpoint(op),
            });
        }
        if before.auth != op.auth {
            push(ChangeKind::AuthChanged {
                from: before.auth.into(),
                to: op.auth.into(),
            });
        }
        let names = |api: &Api, op: &Operation| {
            format!("{}, Client::{}", type_path(api, op.request), op.fn_name)
        };
        if names(old, before) != names(new, op) {
            push(ChangeKind::Renamed {
                from: names(old, before),
                to: names(new, op),
            });
        }
        responses(old, before, new, op, &mut push);
        errors(old, before, new, op, &mut push);
    }
}

/// The module an operation's own types (response and error enums) are in.
fn op_module<'a>(api: &'a Api, op: &Operation) -> &'a str {
    api.types
        .get(op.request.0)
        .map_or("", |def| def.module.as_str())
}

/// The type an operation's call returns, as the crate spells it.
fn response_type(api: &Api, op: &Operation) -> String {
    match &op.response.enum_name {
        Some(name) => format!("{}::{name}", op_module(api, op)),
        None => op
            .response
            .arms
            .first()
            .map_or_else(|| "()".to_owned(), |arm| arm_type(api, &arm.kind)),
    }
}

fn arm_type(api: &Api, kind: &ResponseKind) -> String {
    match kind {
        ResponseKind::Json(ty) => rust_type(api, ty),
        ResponseKind::Raw(id) => type_path(api, *id),
        ResponseKind::Empty => "()".to_owned(),
    }
}

fn responses(
    old: &Api,
    before: &Operation,
    new: &Api,
    op: &Operation,
    push: &mut impl FnMut(ChangeKind),
) {
    let (from, to) = (response_type(old, before), response_type(new, op));
    if from != to {
        push(ChangeKind::ResponseRetyped { from, to });
        return;
    }
    if op.response.enum_name.is_none() {
        return;
    }
    // The same response enum: compare its variants.
    let arms = |api: &'_ Api, op: &Operation| -> BTreeMap<u16, (String, String)> {
        op.response
            .arms
            .iter()
            .map(|arm| (arm.status, (arm.variant.clone(), arm_type(api, &arm.kind))))
            .collect()
    };
    statuses(
        &arms(old, before),
        &arms(new, op),
        push,
        |status, variant| ChangeKind::ResponseStatusAdded { status, variant },
        |status, variant| ChangeKind::ResponseStatusRemoved { status, variant },
        |status, from, to| ChangeKind::ResponseStatusRetyped { status, from, to },
    );
}

fn errors(
    old: &Api,
    before: &Operation,
    new: &Api,
    op: &Operation,
    push: &mut impl FnMut(ChangeKind),
) {
    let error_type = |api: &Api, op: &Operation| match &op.error_type {
        Some(name) => format!("{}::{name}", op_module(api, op)),
        None => "Infallible".to_owned(),
    };
    let (from, to) = (error_type(old, before), error_type(new, op));
    if from != to {
        push(ChangeKind::ErrorRetyped { from, to });
        return;
    }
    let variants = |api: &'_ Api, op: &Operation| -> BTreeMap<u16, (String, String)> {
        op.endpoint_errors
            .iter()
            .map(|e| {
                let ty =
                    e.ty.as_ref()
                        .map_or_else(|| "()".to_owned(), |ty| rust_type(api, ty));
                (e.status, (e.variant.clone(), ty))
            })
            .collect()
    };
    statuses(
        &variants(old, before),
        &variants(new, op),
        push,
        |status, variant| ChangeKind::ErrorStatusAdded { status, variant },
        |status, variant| ChangeKind::ErrorStatusRemoved { status, variant },
        |status, from, to| ChangeKind::ErrorStatusRetyped { status, from, to },
    );
}

/// Compares the variants of a by-status enum: status → (variant, type).
/// A status whose variant was renamed is one removed and one added.
fn statuses(
    old: &BTreeMap<u16, (String, String)>,
    new: &BTreeMap<u16, (String, String)>,
    push: &mut impl FnMut(ChangeKind),
    added: impl Fn(u16, String) -> ChangeKind,
    removed: impl Fn(u16, String) -> ChangeKind,
    retyped: impl Fn(u16, String, String) -> ChangeKind,
) {
    for (status, (variant, ty)) in old {
        match new.get(status) {
            Some((v, t)) if v == variant => {
                if t != ty {
                    push(retyped(*status, ty.clone(), t.clone()));
                }
            }
            _ => push(removed(*status, variant.clone())),
        }
    }
    for (status, (variant, _)) in new {
        if old.get(status).is_none_or(|(v, _)| v != variant) {
            push(added(*status, variant.clone()));
        }
    }
}

/// Paths of the request types of an API's operations: they are reported
/// with their operations when added or removed.
fn request_types(api: &Api) -> BTreeSet<String> {
    api.modules
        .iter()
        .flat_map(|m| &m.operations)
        .map(|op| type_path(api, op.request))
        .collect()
}

fn named_types(api: &Api) -> BTreeMap<String, &TypeDef> {
    api.types
        .iter()
        .map(|def| (format!("{}::{}", def.module, def.name), def))
        .collect()
}

fn types(old: &Api, new: &Api, changes: &mut Vec<Change>) {
    let old_types = named_types(old);
    let new_types = named_types(new);
    let (old_requests, new_requests) = (request_types(old), request_types(new));
    for (path, def) in &old_types {
        if !new_types.contains_key(path) && !old_requests.contains(path) {
            changes.push(Change::new(
                Subject::Type { path: path.clone() },
                ChangeKind::TypeRemoved {
                    what: kind_name(&def.kind),
                },
            ));
        }
    }
    for (path, def) in &new_types {
        let subject = Subject::Type { path: path.clone() };
        let Some(before) = old_types.get(path) else {
            if !new_requests.contains(path) {
                changes.push(Change::new(
                    subject,
                    ChangeKind::TypeAdded {
                        what: kind_name(&def.kind),
                        features: def.features.clone(),
                    },
                ));
            }
            continue;
        };
        let mut push = |kind| changes.push(Change::new(subject.clone(), kind));
        // A request type has its operation's docs and gate: reported with
        // the operation.
        let request = new_requests.contains(path);
        if def.docs.deprecated && !before.docs.deprecated && !request {
            push(ChangeKind::TypeDeprecated);
        }
        if def.features != before.features && !request {
            push(ChangeKind::GateChanged {
                from: before.features.clone(),
                to: def.features.clone(),
            });
        }
        if kind_name(&before.kind) != kind_name(&def.kind) {
            push(ChangeKind::TypeKindChanged {
                from: kind_name(&before.kind),
                to: kind_name(&def.kind),
            });
            continue;
        }
        match (&before.kind, &def.kind) {
            (TypeKind::StringEnum(from), TypeKind::StringEnum(to)) => {
                // By variant and wire value: either changed is a variant
                // removed and one added.
                let values = |values: &[crate::model::EnumValue]| {
                    values
                        .iter()
                        .map(|v| ((v.variant.clone(), v.wire.clone()), v.feature.clone()))
                        .collect::<BTreeMap<_, _>>()
                };
                let (from, to) = (values(from), values(to));
                for ((variant, value), feature) in &from {
                    match to.get(&(variant.clone(), value.clone())) {
                        None => push(ChangeKind::EnumValueRemoved {
                            value: value.clone(),
                            variant: variant.clone(),
                        }),
                        Some(now) if now != feature => push(ChangeKind::EnumValueFeatureChanged {
                            value: value.clone(),
                            variant: variant.clone(),
                            from: feature.clone(),
                            to: now.clone(),
                        }),
                        Some(_) => {}
                    }
                }
                for ((variant, value), feature) in &to {
                    if !from.contains_key(&(variant.clone(), value.clone())) {
                        push(ChangeKind::EnumValueAdded {
                            value: value.clone(),
                            variant: variant.clone(),
                            feature: feature.clone(),
                        });
                    }
                }
            }
            (
                from @ (TypeKind::Union(_) | TypeKind::TaggedUnion(_)),
                to @ (TypeKind::Union(_) | TypeKind::TaggedUnion(_)),
            ) => {
                let (from, to) = (union_variants(old, from), union_variants(new, to));
                for (variant, ty) in &from {
                    match to.get(variant) {
                        None => push(ChangeKind::UnionVariantRemoved {
                            variant: variant.clone(),
                        }),
                        Some(t) if t != ty => push(ChangeKind::UnionVariantRetyped {
                            variant: variant.clone(),
                            from: ty.clone(),
                            to: t.clone(),
                        }),
                        Some(_) => {}
                    }
                }
                for (variant, ty) in &to {
                    if !from.contains_key(variant) {
                        push(ChangeKind::UnionVariantAdded {
                            variant: variant.clone(),
                            ty: ty.clone(),
                        });
                    }
                }
            }
            (from, to) => {
                if let (Some(from), Some(to)) = (members(old, from), members(new, to)) {
                    compare_members(&from, &to, &mut push);
                }
            }
        }
    }
}

/// How a kind of type is described; a non-JSON response is a struct too.
fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) | TypeKind::RawResponse(_) => "struct",
        TypeKind::StringEnum(_) => "string enum",
        TypeKind::Union(_) => "union",
        TypeKind::TaggedUnion(_) => "tagged union",
    }
}

/// A union's variants, by name, with the type each holds (a tagged
/// union's `Other` included); empty for other kinds.
fn union_variants(api: &Api, kind: &TypeKind) -> BTreeMap<String, String> {
    match kind {
        TypeKind::Union(variants) => variants
            .iter()
            .map(|v| (v.variant.clone(), rust_type(api, &v.ty)))
            .collect(),
        TypeKind::TaggedUnion(union) => union
            .variants
            .iter()
            .map(|v| (v.variant.clone(), type_path(api, v.ty)))
            .chain(std::iter::once((
                "Other".to_owned(),
                rust_type(api, &union.other),
            )))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// A struct member as the generated crate shows it.
struct MemberInfo {
    member: Member,
    /// Its type, without the `Option` of an optional member.
    ty: String,
    required: bool,
    /// Whether `new` takes it.
    in_constructor: bool,
    deprecated: bool,
    feature: Option<String>,
}

/// The members of a struct, by Rust name; `None` for other kinds.
fn members(api: &Api, kind: &TypeKind) -> Option<BTreeMap<String, MemberInfo>> {
    let mut out = BTreeMap::new();
    let mut add = |info: MemberInfo| {
        out.insert(info.member.rust.clone(), info);
    };
    match kind {
        TypeKind::Struct(s) => {
            for param in &s.params {
                let place = match param.location {
                    crate::model::ParamIn::Path => Place::PathParam,
                    crate::model::ParamIn::Query => Place::QueryParam,
                    crate::model::ParamIn::Header => Place::HeaderParam,
                };
                add(MemberInfo {
                    member: member(place, &param.rust_name, &param.wire_name),
                    ty: rust_type(api, &param.ty),
                    required: param.required,
                    in_constructor: param.required,
                    deprecated: param.docs.deprecated,
                    feature: None,
                });
            }
            if let Some(body) = &s.body {
                add(MemberInfo {
                    member: member(Place::Body, "body", "body"),
                    ty: rust_type(api, body),
                    required: true,
                    in_constructor: true,
                    deprecated: false,
                    feature: None,
                });
            }
            for field in &s.fields {
                add(MemberInfo {
                    member: member(Place::Field, &field.rust_name, &field.json_name),
                    ty: rust_type(api, &field.ty),
                    required: field.required,
                    in_constructor: field.required,
                    deprecated: field.docs.deprecated,
                    feature: field.feature.clone(),
                });
            }
            if let Some(value) = &s.additional {
                // A map that is always there (empty by default), never an
                // argument of `new`.
                add(MemberInfo {
                    member: member(Place::OtherProperties, "additional_properties", "*"),
                    ty: format!("BTreeMap<String, {}>", rust_type(api, value)),
                    required: false,
                    in_constructor: false,
                    deprecated: false,
                    feature: None,
                });
            }
        }
        // No constructor: nothing is ever an argument of `new`.
        TypeKind::RawResponse(raw) => {
            for header in &raw.headers {
                add(MemberInfo {
                    member: member(Place::ResponseHeader, &header.rust_name, &header.wire_name),
                    ty: "String".to_owned(),
                    required: false,
                    in_constructor: false,
                    deprecated: header.docs.deprecated,
                    feature: None,
                });
            }
            if raw.has_body {
                add(MemberInfo {
                    member: member(Place::ResponseBody, "body", "body"),
                    ty: "Bytes".to_owned(),
                    required: true,
                    in_constructor: false,
                    deprecated: false,
                    feature: None,
                });
            }
        }
        TypeKind::StringEnum(_) | TypeKind::Union(_) | TypeKind::TaggedUnion(_) => return None,
    }
    Some(out)
}

fn member(place: Place, rust: &str, wire: &str) -> Member {
    Member {
        place,
        rust: rust.to_owned(),
        wire: wire.to_owned(),
    }
}

fn compare_members(
    old: &BTreeMap<String, MemberInfo>,
    new: &BTreeMap<String, MemberInfo>,
    push: &mut impl FnMut(ChangeKind),
) {
    for (name, before) in old {
        if !new.contains_key(name) {
            push(ChangeKind::MemberRemoved {
                member: before.member.clone(),
            });
        }
    }
    for (name, after) in new {
        let Some(before) = old.get(name) else {
            push(ChangeKind::MemberAdded {
                member: after.member.clone(),
                ty: after.ty.clone(),
                required: after.required,
                in_constructor: after.in_constructor,
                feature: after.feature.clone(),
            });
            continue;
        };
        let member = || after.member.clone();
        if (before.member.place, &before.member.wire) != (after.member.place, &after.member.wire) {
            push(ChangeKind::MemberWireNameChanged {
                member: member(),
                from: before.member.wire.clone(),
            });
        }
        if before.ty != after.ty {
            push(ChangeKind::MemberRetyped {
                member: member(),
                from: before.ty.clone(),
                to: after.ty.clone(),
            });
        }
        match (before.required, after.required) {
            (false, true) => push(ChangeKind::MemberMadeRequired { member: member() }),
            (true, false) => push(ChangeKind::MemberMadeOptional { member: member() }),
            _ => {}
        }
        if after.deprecated && !before.deprecated {
            push(ChangeKind::MemberDeprecated { member: member() });
        }
        if before.feature != after.feature {
            push(ChangeKind::MemberFeatureChanged {
                member: member(),
                from: before.feature.clone(),
                to: after.feature.clone(),
            });
        }
    }
}

fn features(old: &Api, new: &Api, changes: &mut Vec<Change>) {
    let old_features: BTreeSet<&String> = old.features.iter().collect();
    let new_features: BTreeSet<&String> = new.features.iter().collect();
    for name in old_features.difference(&new_features) {
        changes.push(Change::new(
            Subject::Feature {
                name: (*name).clone(),
            },
            ChangeKind::FeatureRemoved,
        ));
    }
    for name in new_features.difference(&old_features) {
        changes.push(Change::new(
            Subject::Feature {
                name: (*name).clone(),
            },
            ChangeKind::FeatureAdded,
        ));
    }
}

/// A named type's path in the crate, `module::Name`.
fn type_path(api: &Api, id: TypeId) -> String {
    api.types.get(id.0).map_or_else(
        // Not reachable with a model from `lower`; named rather than a panic.
        || format!("<type #{}>", id.0),
        |def| format!("{}::{}", def.module, def.name),
    )
}

/// A model type as the generated crate spells it, paths relative to the
/// crate (`runtime::` is its re-export of the runtime).
fn rust_type(api: &Api, ty: &Type) -> String {
    match ty {
        Type::String => "String".to_owned(),
        Type::Bool => "bool".to_owned(),
        Type::I64 => "i64".to_owned(),
        Type::U64 => "u64".to_owned(),
        Type::F64 => "f64".to_owned(),
        Type::DurationMs | Type::DurationSecs => "Duration".to_owned(),
        Type::Timestamp => "runtime::Timestamp".to_owned(),
        Type::Json => "serde_json::Value".to_owned(),
        Type::JsonObject => "serde_json::Map<String, serde_json::Value>".to_owned(),
        Type::Array(item) => format!("Vec<{}>", rust_type(api, item)),
        Type::Map { key, value } => format!(
            "BTreeMap<{}, {}>",
            rust_type(api, key),
            rust_type(api, value)
        ),
        Type::Identifier(name) => format!("runtime::{name}"),
        Type::Named(id) => type_path(api, *id),
        Type::Runtime(path) => format!("runtime::{path}"),
        Type::Raw(inner) => format!("runtime::Raw<{}>", rust_type(api, inner)),
        Type::Boxed(inner) => format!("Box<{}>", rust_type(api, inner)),
        Type::EventContent => "C".to_owned(),
        Type::Envelope { id, content } => format!("{}<events::{content}>", type_path(api, *id)),
        Type::Nullable(inner) => format!("Option<{}>", rust_type(api, inner)),
        Type::Bytes => "Bytes".to_owned(),
        Type::Unit => "()".to_owned(),
    }
}

#[cfg(test)]
mod tests;
