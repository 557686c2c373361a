//! One type per concept: the last step of lowering.
//!
//! The spec writes many small schemas out at each use (a push rule's
//! `kind` in seven operations, a pagination `dir` in five), and lowering
//! gives each its own type, so a value read with one operation cannot be
//! passed to another. This pass merges the types that are the same on the
//! wire and in Rust, gives each shared type one name, and rewrites every
//! use.
//!
//! - **Same**: same kind, title (differently titled schemas are concepts
//!   the spec tells apart, e.g. `HomeserverInformation` and
//!   `IdentityServerInformation`, both `{base_url}`) and cargo features
//!   (`x-cargo-feature` gates); a string enum with
//!   the same values, in any order (the first member's order is kept); a
//!   struct with the same fields (JSON and Rust names,
//!   types, required, credential, bounds, feature) in the same order and
//!   the same other-properties map; a union with the same variants in the
//!   same order. Types are compared after their own field types are
//!   merged, so nested objects that differ only in an inner type that
//!   merges are the same too. Documentation and location do not count.
//! - **Never merged**: the types an operation names itself (its request,
//!   request body, responses and error bodies): they are found by the
//!   operation's name.
//! - **Docs**: the shared type keeps the first documentation in spec order
//!   that says something, for the type and for each field separately
//!   (members without a description are skipped).
//! - **Module**: the one its members share; members from several modules
//!   give a type in the shared `types` module.
//! - **Name**: a `type_names` config entry naming a member's schema;
//!   else a member's name from its schema's `title`; else one from a named
//!   schema (`PushRule` + `actions` gives `PushRuleAction`); else the
//!   CamelCase words the members' names end with in common, up to a word
//!   the generator adds (`GetRoomEventsDir`, `GetEventByTimestampDir` give
//!   `Dir`; `...ResponseIdServerUnbindResult` gives `IdServerUnbindResult`),
//!   unless those are only such words (`Item`, `Value`, ...); else the
//!   first member's name. The first of these free in the module wins.
//!
//! `type_names` entries also rename types that are not shared.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::config::TypeName;
use crate::model::{
    Api, Body, Bounds, Docs, NameOrigin, ResponseKind, Type, TypeDef, TypeId, TypeKind,
};

use super::LowerError;
use super::naming::{PRELUDE_TYPES, type_name};

/// Words the generator appends to a name to say where a schema is: a
/// name made only of them names no concept.
const STRUCTURAL_WORDS: &[&str] = &[
    "Item", "Value", "Other", "Body", "Request", "Response", "Error", "Variant",
];

/// The module of types used by several modules.
const SHARED_MODULE: &str = "types";

/// Merges the types of `api` that are the same (see the module docs),
/// naming them by the rules above and `type_names`.
pub(super) fn dedupe(api: Api, type_names: &[TypeName]) -> Result<Api, LowerError> {
    let operation_types = operation_types(&api);
    let class = classes(&api, &operation_types);
    // Members of each class, in spec order; the first is the one kept.
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (index, class) in class.iter().enumerate() {
        members.entry(*class).or_default().push(index);
    }
    let groups: Vec<Vec<usize>> = members.into_values().collect();
    let kept_of: HashMap<usize, usize> = groups
        .iter()
        .flat_map(|group| group.iter().map(|member| (*member, group[0])))
        .collect();

    let configured = configured_names(&api, &groups, type_names)?;
    let mut merged: BTreeMap<usize, TypeDef> = BTreeMap::new();
    let mut taken: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // Names that stay (types neither shared nor configured, and the
    // response and error enums of operations) are claimed first.
    for group in &groups {
        if group.len() == 1 && !configured.contains_key(&group[0]) {
            let def = &api.types[group[0]];
            taken
                .entry(def.module.clone())
                .or_default()
                .insert(def.name.clone());
        }
    }
    for module in &api.modules {
        for op in &module.operations {
            let op_module = &api.types[op.request.0].module;
            let names = op.response.enum_name.iter().chain(&op.error_type);
            for name in names {
                taken
                    .entry(op_module.clone())
                    .or_default()
                    .insert(name.clone());
            }
        }
    }
    for group in &groups {
        if group.len() == 1 && !configured.contains_key(&group[0]) {
            continue;
        }
        let mut def = merge_members(&api.types, group);
        let module_taken = taken.entry(def.module.clone()).or_default();
        def.name = match configured.get(&group[0]) {
            Some(entry) => {
                if is_taken(module_taken, &entry.name) {
                    return Err(LowerError::Invalid {
                        at: "spec/generator.toml".to_owned(),
                        message: format!(
                            "`type_names` gives `{}` the name `{}`, which module `{}` has already",
                            entry.schema, entry.name, def.module
                        ),
                    });
                }
                entry.name.clone()
            }
            None => shared_name(&api.types, group, module_taken),
        };
        module_taken.insert(def.name.clone());
        merged.insert(group[0], def);
    }

    // Keep one type per group, in spec order, and rewrite the references.
    let old_names: Vec<String> = api.types.iter().map(|t| t.name.clone()).collect();
    let mut new_index: HashMap<usize, TypeId> = HashMap::new();
    let mut types = Vec::new();
    for (index, def) in api.types.into_iter().enumerate() {
        if kept_of.get(&index) != Some(&index) {
            continue;
        }
        new_index.insert(index, TypeId(types.len()));
        types.push(merged.remove(&index).unwrap_or(def));
    }
    let id_of = |old: TypeId| {
        let kept = kept_of.get(&old.0).copied().unwrap_or(old.0);
        new_index.get(&kept).copied().unwrap_or(old)
    };
    rename_variants_after_types(&mut types, &old_names, &id_of);
    let mut api = Api { types, ..api };
    rewrite_ids(&mut api, &id_of);
    Ok(api)
}

fn is_taken(taken: &BTreeSet<String>, name: &str) -> bool {
    PRELUDE_TYPES.contains(&name) || taken.contains(name)
}

/// The types an operation names itself: never merged.
fn operation_types(api: &Api) -> BTreeSet<usize> {
    let mut own = BTreeSet::new();
    for op in api.modules.iter().flat_map(|m| &m.operations) {
        own.insert(op.request.0);
        own.extend(op.body.as_ref().and_then(Body::wrapped_type).map(|id| id.0));
        for arm in &op.response.arms {
            match &arm.kind {
                ResponseKind::Json(Type::Named(id)) | ResponseKind::Raw(id) => {
                    own.insert(id.0);
                }
                _ => {}
            }
        }
        for error in &op.endpoint_errors {
            if let Some(Type::Named(id)) = &error.ty {
                own.insert(id.0);
            }
        }
    }
    own
}

/// What makes two types the same: everything but docs, location and name
/// (see the module docs). Named types inside are their classes.
#[derive(PartialEq, Eq, Hash)]
enum Shape {
    /// A type never merged with another (its index).
    Own(usize),
    /// Values (wire, variant, feature), sorted: their order matters to no
    /// one on the wire.
    Enum {
        concept: Concept,
        values: Vec<(String, String, Option<String>)>,
    },
    Struct {
        concept: Concept,
        fields: Vec<FieldShape>,
        additional: Option<Type>,
        secret_additional: bool,
    },
    /// Each variant's name (`None` when it is the name of its type, which
    /// merging may change) and type.
    Union {
        concept: Concept,
        variants: Vec<(Option<String>, Type)>,
    },
}

/// What tells same-shaped types apart as concepts: the schema's title,
/// and the cargo features the type exists with.
#[derive(PartialEq, Eq, Hash)]
struct Concept {
    title: Option<String>,
    features: Vec<String>,
}

#[derive(PartialEq, Eq, Hash)]
struct FieldShape {
    json_name: String,
    rust_name: String,
    ty: Type,
    required: bool,
    secret: bool,
    bounds: Option<Bounds>,
    feature: Option<String>,
}

/// Each type's class: the same number for types that are the same.
fn classes(api: &Api, operation_types: &BTreeSet<usize>) -> Vec<usize> {
    let mut classifier = Classifier {
        api,
        operation_types,
        class: vec![None; api.types.len()],
        visiting: vec![false; api.types.len()],
        by_shape: HashMap::new(),
    };
    (0..api.types.len())
        .map(|index| classifier.class_of(index))
        .collect()
}

struct Classifier<'a> {
    api: &'a Api,
    operation_types: &'a BTreeSet<usize>,
    class: Vec<Option<usize>>,
    visiting: Vec<bool>,
    by_shape: HashMap<Shape, usize>,
}

impl Classifier<'_> {
    /// The class of a type, its inner types classified first: the index
    /// of the first type classified with its shape.
    fn class_of(&mut self, index: usize) -> usize {
        if let Some(class) = self.class[index] {
            return class;
        }
        // Lowering rejects recursive schemas; were one to get here, its
        // types stay apart instead of looping.
        if self.visiting[index] {
            return index;
        }
        self.visiting[index] = true;
        let shape = self.shape(index);
        self.visiting[index] = false;
        let class = match shape {
            Shape::Own(index) => index,
            shape => *self.by_shape.entry(shape).or_insert(index),
        };
        self.class[index] = Some(class);
        class
    }

    fn shape(&mut self, index: usize) -> Shape {
        let api = self.api;
        let def = &api.types[index];
        if self.operation_types.contains(&index) {
            return Shape::Own(index);
        }
        let concept = Concept {
            title: def.title.as_deref().map(type_name),
            features: def.features.clone(),
        };
        match &def.kind {
            TypeKind::StringEnum(values) => {
                let mut values: Vec<(String, String, Option<String>)> = values
                    .iter()
                    .map(|v| (v.wire.clone(), v.variant.clone(), v.feature.clone()))
                    .collect();
                values.sort();
                Shape::Enum { concept, values }
            }
            TypeKind::Struct(s) if s.params.is_empty() && s.body.is_none() => Shape::Struct {
                concept,
                fields: s
                    .fields
                    .iter()
                    .map(|f| FieldShape {
                        json_name: f.json_name.clone(),
                        rust_name: f.rust_name.clone(),
                        ty: self.classified(&f.ty),
                        required: f.required,
                        secret: f.secret,
                        bounds: f.bounds,
                        feature: f.feature.clone(),
                    })
                    .collect(),
                additional: s.additional.as_ref().map(|ty| self.classified(ty)),
                secret_additional: s.secret_additional,
            },
            TypeKind::Union(variants) => Shape::Union {
                concept,
                variants: variants
                    .iter()
                    .map(|v| {
                        let named_after_type =
                            inner_named(&v.ty).is_some_and(|id| api.types[id.0].name == v.variant);
                        let name = (!named_after_type).then(|| v.variant.clone());
                        (name, self.classified(&v.ty))
                    })
                    .collect(),
            },
            // A tagged union is one schema's concept: its variants are
            // told apart by names the spec gives that schema.
            TypeKind::Struct(_) | TypeKind::RawResponse(_) | TypeKind::TaggedUnion(_) => {
                Shape::Own(index)
            }
        }
    }

    /// `ty` with each named type replaced by its class.
    fn classified(&mut self, ty: &Type) -> Type {
        let mut ty = ty.clone();
        let mut named = Vec::new();
        collect_named(&ty, &mut named);
        let classes: HashMap<TypeId, TypeId> = named
            .into_iter()
            .map(|id| (id, TypeId(self.class_of(id.0))))
            .collect();
        map_named(&mut ty, &|id| classes.get(&id).copied().unwrap_or(id));
        ty
    }
}

/// The generated type a variant holds, directly or as `Option`/`Raw`.
fn inner_named(ty: &Type) -> Option<TypeId> {
    match ty {
        Type::Named(id) => Some(*id),
        Type::Nullable(inner) | Type::Raw(inner) => inner_named(inner),
        _ => None,
    }
}

fn collect_named(ty: &Type, out: &mut Vec<TypeId>) {
    match ty {
        Type::Named(id) => out.push(*id),
        Type::Array(inner) | Type::Raw(inner) | Type::Nullable(inner) => collect_named(inner, out),
        Type::Map { key, value } => {
            collect_named(key, out);
            collect_named(value, out);
        }
        _ => {}
    }
}

fn map_named(ty: &mut Type, f: &impl Fn(TypeId) -> TypeId) {
    match ty {
        Type::Named(id) => *id = f(*id),
        Type::Array(inner) | Type::Raw(inner) | Type::Nullable(inner) => map_named(inner, f),
        Type::Map { key, value } => {
            map_named(key, f);
            map_named(value, f);
        }
        _ => {}
    }
}

/// The `type_names` entry of each group a config entry names (by the
/// group's first member); fails on an entry that names no type, and on
/// two entries giving one group different names.
fn configured_names<'a>(
    api: &Api,
    groups: &[Vec<usize>],
    type_names: &'a [TypeName],
) -> Result<BTreeMap<usize, &'a TypeName>, LowerError> {
    let mut by_location: HashMap<String, usize> = HashMap::new();
    for group in groups {
        for member in group {
            by_location
                .entry(api.types[*member].source.to_string())
                .or_insert(group[0]);
        }
    }
    let mut configured: BTreeMap<usize, &TypeName> = BTreeMap::new();
    let mut errors = Vec::new();
    for entry in type_names {
        let Some(group) = by_location.get(&entry.schema) else {
            errors.push(LowerError::Invalid {
                at: "spec/generator.toml".to_owned(),
                message: format!(
                    "`type_names` entry `{}` names no generated type (no schema at that location gives one); fix or remove it",
                    entry.schema
                ),
            });
            continue;
        };
        if let Some(other) = configured.insert(*group, entry)
            && other.name != entry.name
        {
            errors.push(LowerError::Invalid {
                at: "spec/generator.toml".to_owned(),
                message: format!(
                    "`type_names` entries `{}` and `{}` name one shared type `{}` and `{}`; keep one",
                    other.schema, entry.schema, other.name, entry.name
                ),
            });
        }
    }
    super::fail_with(errors)?;
    Ok(configured)
}

/// The shared type of `group`: the first member, with the first
/// documentation that says something and the members' common module.
fn merge_members(types: &[TypeDef], group: &[usize]) -> TypeDef {
    let mut def = types[group[0]].clone();
    if let Some(docs) = first_saying_docs(types, group, |t| Some(&t.docs)) {
        def.docs = docs;
    }
    if let TypeKind::Struct(s) = &mut def.kind {
        for (index, field) in s.fields.iter_mut().enumerate() {
            let field_docs = first_saying_docs(types, group, |t| match &t.kind {
                TypeKind::Struct(s) => s.fields.get(index).map(|f| &f.docs),
                _ => None,
            });
            if let Some(docs) = field_docs {
                field.docs = docs;
            }
        }
    }
    let modules: BTreeSet<&str> = group.iter().map(|m| types[*m].module.as_str()).collect();
    if modules.len() > 1 {
        def.module = SHARED_MODULE.to_owned();
    }
    def.name_origin = group
        .iter()
        .map(|m| types[*m].name_origin)
        .min()
        .unwrap_or(def.name_origin);
    def
}

/// The first of the members' docs (picked by `docs_of`) that says
/// something.
fn first_saying_docs(
    types: &[TypeDef],
    group: &[usize],
    docs_of: impl Fn(&TypeDef) -> Option<&Docs>,
) -> Option<Docs> {
    group
        .iter()
        .filter_map(|m| docs_of(&types[*m]))
        .find(|docs| says_something(docs))
        .cloned()
}

fn says_something(docs: &Docs) -> bool {
    docs.description.is_some() || docs.summary.is_some()
}

/// The name of a shared type without a configured one (module docs), not
/// in `taken`.
fn shared_name(types: &[TypeDef], group: &[usize], taken: &BTreeSet<String>) -> String {
    let names_from = |origin: NameOrigin| {
        group
            .iter()
            .map(|m| &types[*m])
            .filter(move |t| t.name_origin == origin)
            .map(|t| t.name.clone())
    };
    let names: Vec<&str> = group.iter().map(|m| types[*m].name.as_str()).collect();
    let first = types[group[0]].name.clone();
    let candidates = names_from(NameOrigin::Title)
        .chain(names_from(NameOrigin::Schema))
        .chain(common_suffix(&names))
        .chain(std::iter::once(first.clone()));
    for candidate in candidates {
        if !is_taken(taken, &candidate) {
            return candidate;
        }
    }
    let mut n = 2;
    loop {
        let numbered = format!("{first}{n}");
        if !is_taken(taken, &numbered) {
            return numbered;
        }
        n += 1;
    }
}

/// The CamelCase words every name ends with, up to a structural word the
/// generator puts between an operation or parent and a property
/// (`...ResponseIdServerUnbindResult` gives `IdServerUnbindResult`);
/// `None` when they are only such words.
fn common_suffix(names: &[&str]) -> Option<String> {
    let split: Vec<Vec<&str>> = names.iter().map(|name| camel_words(name)).collect();
    let shortest = split.iter().map(Vec::len).min()?;
    let mut common = 0;
    let mut names_a_concept = false;
    while common < shortest {
        let word = split[0][split[0].len() - 1 - common];
        let structural = STRUCTURAL_WORDS.contains(&word);
        if (structural && names_a_concept) || !split.iter().all(|w| w[w.len() - 1 - common] == word)
        {
            break;
        }
        names_a_concept |= !structural;
        common += 1;
    }
    let suffix = &split[0][split[0].len() - common..];
    names_a_concept.then(|| suffix.concat())
}

/// `GetRoomEventsDir` → `Get`, `Room`, `Events`, `Dir`; digits stay with
/// the word before them (`Response200`).
fn camel_words(name: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (index, c) in name.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            words.push(&name[start..index]);
            start = index;
        }
    }
    if start < name.len() {
        words.push(&name[start..]);
    }
    words
}

/// Every `TypeId` in `api` through `id_of`.
fn rewrite_ids(api: &mut Api, id_of: &impl Fn(TypeId) -> TypeId) {
    for def in &mut api.types {
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for field in &mut s.fields {
                    map_named(&mut field.ty, id_of);
                }
                for param in &mut s.params {
                    map_named(&mut param.ty, id_of);
                }
                for ty in s.body.iter_mut().chain(s.additional.iter_mut()) {
                    map_named(ty, id_of);
                }
            }
            TypeKind::Union(variants) => {
                for variant in variants {
                    map_named(&mut variant.ty, id_of);
                }
            }
            TypeKind::TaggedUnion(union) => {
                for variant in &mut union.variants {
                    variant.ty = id_of(variant.ty);
                }
                map_named(&mut union.other, id_of);
            }
            TypeKind::StringEnum(_) | TypeKind::RawResponse(_) => {}
        }
    }
    for op in api.modules.iter_mut().flat_map(|m| &mut m.operations) {
        op.request = id_of(op.request);
        if let Some(Body::Json { ty, .. }) = &mut op.body {
            map_named(ty, id_of);
        }
        for arm in &mut op.response.arms {
            match &mut arm.kind {
                ResponseKind::Json(ty) => map_named(ty, id_of),
                ResponseKind::Raw(id) => *id = id_of(*id),
                ResponseKind::Empty => {}
            }
        }
        for error in &mut op.endpoint_errors {
            if let Some(ty) = &mut error.ty {
                map_named(ty, id_of);
            }
        }
        for (_, ty) in &mut op.runtime_error_statuses {
            map_named(ty, id_of);
        }
    }
}

/// A union variant named after the type it holds follows the type's new
/// name (unless another variant has that name already). Runs before the
/// references are rewritten: `types` still refer by old index.
fn rename_variants_after_types(
    types: &mut [TypeDef],
    old_names: &[String],
    id_of: &impl Fn(TypeId) -> TypeId,
) {
    let new_names: Vec<String> = types.iter().map(|t| t.name.clone()).collect();
    for def in types.iter_mut() {
        let TypeKind::Union(variants) = &mut def.kind else {
            continue;
        };
        for index in 0..variants.len() {
            let Some(old) = inner_named(&variants[index].ty) else {
                continue;
            };
            let Some(new_name) = new_names.get(id_of(old).0) else {
                continue;
            };
            let was_type_name = old_names.get(old.0) == Some(&variants[index].variant);
            let free = !variants.iter().any(|v| v.variant == *new_name);
            if was_type_name && free {
                variants[index].variant = new_name.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::load::Location;
    use crate::model::{
        Auth, EnumValue, Field, Module, Operation, ResponseArm, Struct, SuccessResponse,
        UnionVariant,
    };

    fn def(module: &str, name: &str, origin: NameOrigin, kind: TypeKind) -> TypeDef {
        TypeDef {
            name: name.to_owned(),
            module: module.to_owned(),
            docs: Docs::default(),
            source: Location::file(format!("{module}.yaml#{name}")),
            name_origin: origin,
            title: None,
            kind,
            features: Vec::new(),
        }
    }

    fn string_enum(module: &str, name: &str, values: &[&str]) -> TypeDef {
        let values = values
            .iter()
            .map(|wire| EnumValue {
                wire: (*wire).to_owned(),
                variant: type_name(wire),
                feature: None,
            })
            .collect();
        def(
            module,
            name,
            NameOrigin::Operation,
            TypeKind::StringEnum(values),
        )
    }

    fn field(json_name: &str, ty: Type, description: Option<&str>) -> Field {
        Field {
            json_name: json_name.to_owned(),
            rust_name: json_name.to_owned(),
            ty,
            required: true,
            docs: Docs {
                description: description.map(str::to_owned),
                ..Docs::default()
            },
            secret: false,
            bounds: None,
            feature: None,
        }
    }

    fn object(module: &str, name: &str, fields: Vec<Field>) -> TypeDef {
        let kind = TypeKind::Struct(Struct {
            fields,
            ..Struct::default()
        });
        def(module, name, NameOrigin::Operation, kind)
    }

    /// An operation whose request type is `request` (and which returns
    /// `response` when given).
    fn operation(request: usize, response: Option<usize>) -> Operation {
        Operation {
            operation_id: format!("op{request}"),
            fn_name: format!("op{request}"),
            request: TypeId(request),
            method: "GET".to_owned(),
            path_template: "/".to_owned(),
            path: Vec::new(),
            docs: Docs::default(),
            auth: Auth::None,
            body: None,
            response: SuccessResponse {
                enum_name: None,
                arms: response
                    .map(|id| ResponseArm {
                        status: 200,
                        variant: "Ok".to_owned(),
                        kind: ResponseKind::Json(Type::Named(TypeId(id))),
                        doc: None,
                    })
                    .into_iter()
                    .collect(),
            },
            endpoint_errors: Vec::new(),
            runtime_error_statuses: Vec::new(),
            error_type: None,
            rate_limited: false,
            source: Location::file("op.yaml"),
            feature: None,
            mxc_fields: None,
        }
    }

    fn api(types: Vec<TypeDef>, operations: Vec<Operation>) -> Api {
        Api {
            spec_tag: "v1.0".to_owned(),
            modules: vec![Module {
                name: "ops".to_owned(),
                source: "ops.yaml".to_owned(),
                title: None,
                operations,
            }],
            types,
            features: Vec::new(),
        }
    }

    fn names(api: &Api) -> Vec<String> {
        api.types
            .iter()
            .map(|t| format!("{}::{}", t.module, t.name))
            .collect()
    }

    fn field_type(api: &Api, type_name: &str, field: &str) -> Type {
        let def = api.types.iter().find(|t| t.name == type_name).unwrap();
        let TypeKind::Struct(s) = &def.kind else {
            panic!("{type_name} is not a struct")
        };
        s.fields
            .iter()
            .find(|f| f.json_name == field)
            .unwrap()
            .ty
            .clone()
    }

    fn named(api: &Api, name: &str) -> Type {
        let index = api.types.iter().position(|t| t.name == name).unwrap();
        Type::Named(TypeId(index))
    }

    #[test]
    fn identical_enums_of_several_modules_become_one_shared_type() {
        let types = vec![
            string_enum("rooms", "GetRoomEventsDir", &["b", "f"]),
            string_enum("relations", "GetEventByTimestampDir", &["b", "f"]),
            object(
                "rooms",
                "Page",
                vec![field("dir", Type::Named(TypeId(0)), None)],
            ),
            object(
                "relations",
                "Thread",
                vec![field(
                    "dir",
                    Type::Array(Box::new(Type::Named(TypeId(1)))),
                    None,
                )],
            ),
        ];
        let api = dedupe(api(types, Vec::new()), &[]).unwrap();
        assert_eq!(
            names(&api),
            ["types::Dir", "rooms::Page", "relations::Thread"]
        );
        let dir = named(&api, "Dir");
        assert_eq!(field_type(&api, "Page", "dir"), dir);
        assert_eq!(
            field_type(&api, "Thread", "dir"),
            Type::Array(Box::new(dir))
        );
    }

    #[test]
    fn enums_with_the_same_values_in_another_order_are_the_same() {
        let types = vec![
            string_enum("a", "FirstVisibility", &["public", "private"]),
            string_enum("a", "SecondVisibility", &["private", "public"]),
        ];
        let api = dedupe(api(types, Vec::new()), &[]).unwrap();
        assert_eq!(names(&api), ["a::Visibility"]);
        // The first member's order is kept.
        let TypeKind::StringEnum(values) = &api.types[0].kind else {
            panic!()
        };
        assert_eq!(values[0].wire, "public");
    }

    #[test]
    fn types_that_differ_on_the_wire_or_by_title_stay_apart() {
        let mut titled = object(
            "a",
            "HomeserverInformation",
            vec![field("base_url", Type::String, None)],
        );
        titled.title = Some("Homeserver Information".to_owned());
        let mut other_title = object(
            "a",
            "IdentityServerInformation",
            vec![field("base_url", Type::String, None)],
        );
        other_title.title = Some("Identity Server Information".to_owned());
        let mut optional = field("base_url", Type::String, None);
        optional.required = false;
        let mut gated = string_enum("a", "GatedMembership", &["join", "leave"]);
        gated.features = vec!["unstable-x".to_owned()];
        let mut gated_value = string_enum("a", "GatedValueMembership", &["join", "leave"]);
        if let TypeKind::StringEnum(values) = &mut gated_value.kind {
            values[1].feature = Some("unstable-x".to_owned());
        }
        let types = vec![
            string_enum("a", "Membership", &["join", "leave"]),
            string_enum("a", "FullMembership", &["join", "leave", "knock"]),
            gated,
            gated_value,
            titled,
            other_title,
            object("a", "Optional", vec![optional]),
            object("a", "Renamed", vec![field("url", Type::String, None)]),
        ];
        let before = names(&api(types.clone(), Vec::new()));
        let api = dedupe(api(types, Vec::new()), &[]).unwrap();
        assert_eq!(names(&api), before);
    }

    #[test]
    fn objects_whose_inner_types_merge_are_merged_too() {
        let types = vec![
            object(
                "a",
                "FirstOuter",
                vec![field("inner", Type::Named(TypeId(1)), None)],
            ),
            object(
                "a",
                "FirstInner",
                vec![field("kind", Type::Named(TypeId(2)), None)],
            ),
            string_enum("a", "FirstKind", &["x", "y"]),
            object(
                "b",
                "SecondOuter",
                vec![field("inner", Type::Named(TypeId(4)), None)],
            ),
            object(
                "b",
                "SecondInner",
                vec![field("kind", Type::Named(TypeId(5)), None)],
            ),
            string_enum("b", "SecondKind", &["x", "y"]),
            // Differs only in the innermost enum: stays apart, as do its
            // parents.
            object(
                "b",
                "ThirdOuter",
                vec![field("inner", Type::Named(TypeId(7)), None)],
            ),
            object(
                "b",
                "ThirdInner",
                vec![field("kind", Type::Named(TypeId(8)), None)],
            ),
            string_enum("b", "ThirdKind", &["x", "z"]),
        ];
        let api = dedupe(api(types, Vec::new()), &[]).unwrap();
        assert_eq!(
            names(&api),
            [
                "types::Outer",
                "types::Inner",
                "types::Kind",
                "b::ThirdOuter",
                "b::ThirdInner",
                "b::ThirdKind"
            ]
        );
        assert_eq!(field_type(&api, "Outer", "inner"), named(&api, "Inner"));
        assert_eq!(field_type(&api, "Inner", "kind"), named(&api, "Kind"));
    }

    #[test]
    fn the_shared_type_keeps_the_first_docs_that_say_something_for_it_and_each_field() {
        let mut first = object(
            "a",
            "FirstInfo",
            vec![
                field("x", Type::String, None),
                field("y", Type::String, Some("first y")),
            ],
        );
        first.docs.description = None;
        let mut second = object(
            "a",
            "SecondInfo",
            vec![
                field("x", Type::String, Some("second x")),
                field("y", Type::String, Some("second y")),
            ],
        );
        second.docs.description = Some("second type".to_owned());
        let mut third = object(
            "a",
            "ThirdInfo",
            vec![
                field("x", Type::String, Some("third x")),
                field("y", Type::String, None),
            ],
        );
        third.docs.description = Some("third type".to_owned());
        let api = dedupe(api(vec![first, second, third], Vec::new()), &[]).unwrap();
        assert_eq!(names(&api), ["a::Info"]);
        let def = &api.types[0];
        assert_eq!(def.docs.description.as_deref(), Some("second type"));
        let TypeKind::Struct(s) = &def.kind else {
            panic!()
        };
        let docs: Vec<Option<&str>> = s
            .fields
            .iter()
            .map(|f| f.docs.description.as_deref())
            .collect();
        assert_eq!(docs, [Some("second x"), Some("first y")]);
        // The first member's location stays the shared type's.
        assert_eq!(def.source, Location::file("a.yaml#FirstInfo"));
    }

    #[test]
    fn types_an_operation_names_itself_are_not_merged_but_their_contents_are() {
        let types = vec![
            object("ops", "GetThingRequest", vec![]),
            object(
                "ops",
                "GetThingResponse",
                vec![field("kind", Type::Named(TypeId(2)), None)],
            ),
            string_enum("ops", "GetThingResponseKind", &["a"]),
            object("ops", "GetOtherRequest", vec![]),
            object(
                "ops",
                "GetOtherResponse",
                vec![field("kind", Type::Named(TypeId(5)), None)],
            ),
            string_enum("ops", "GetOtherResponseKind", &["a"]),
        ];
        let operations = vec![operation(0, Some(1)), operation(3, Some(4))];
        let api = dedupe(api(types, operations), &[]).unwrap();
        assert_eq!(
            names(&api),
            [
                "ops::GetThingRequest",
                "ops::GetThingResponse",
                "ops::Kind",
                "ops::GetOtherRequest",
                "ops::GetOtherResponse"
            ]
        );
        let ops = &api.modules[0].operations;
        assert_eq!(
            (ops[1].request, &ops[1].response.arms[0].kind),
            (TypeId(3), &ResponseKind::Json(Type::Named(TypeId(4))))
        );
        assert_eq!(
            field_type(&api, "GetOtherResponse", "kind"),
            named(&api, "Kind")
        );
    }

    #[test]
    fn a_shared_name_comes_from_a_title_then_a_named_schema_then_common_words() {
        let mut from_schema = string_enum("a", "PushRuleAction", &["notify"]);
        from_schema.name_origin = NameOrigin::Schema;
        let mut from_title = string_enum("a", "Tweak", &["notify"]);
        from_title.name_origin = NameOrigin::Title;
        let types = vec![
            string_enum("a", "SetRuleRequestBodyAction", &["notify"]),
            from_schema,
            from_title,
            string_enum("b", "GetRoomSummaryResponseEncryption", &["m.megolm"]),
            string_enum("b", "GetHierarchyResponseRoomEncryption", &["m.megolm"]),
            string_enum("b", "GetThingResponseIdServerUnbindResult", &["success"]),
            string_enum("b", "UnbindResponseIdServerUnbindResult", &["success"]),
            // Only structural words in common: the first member's name.
            string_enum("b", "FirstResponseItem", &["z"]),
            string_enum("b", "SecondResponseItem", &["z"]),
            string_enum("c", "OtherAction", &["notify2"]),
        ];
        let api = dedupe(api(types, Vec::new()), &[]).unwrap();
        assert_eq!(
            names(&api),
            [
                "a::Tweak",
                "b::Encryption",
                "b::IdServerUnbindResult",
                "b::FirstResponseItem",
                "c::OtherAction"
            ]
        );
    }

    #[test]
    fn a_shared_name_taken_in_its_module_falls_back_to_the_next_candidate() {
        let types = vec![
            string_enum("a", "Kind", &["other"]),
            string_enum("a", "GetKind", &["x"]),
            string_enum("a", "SetKind", &["x"]),
        ];
        let api = dedupe(api(types, Vec::new()), &[]).unwrap();
        assert_eq!(names(&api), ["a::Kind", "a::GetKind"]);
    }

    #[test]
    fn configured_names_name_shared_and_single_types_and_must_apply() {
        let types = vec![
            string_enum("a", "GetRuleKind", &["x"]),
            string_enum("a", "SetRuleKind", &["x"]),
            string_enum("a", "Lonely", &["y"]),
        ];
        let entry = |schema: &str, name: &str| TypeName {
            schema: schema.to_owned(),
            name: name.to_owned(),
            reason: "test".to_owned(),
        };
        let configured = [
            entry("a.yaml#SetRuleKind#", "PushRuleKind"),
            entry("a.yaml#Lonely#", "Single"),
        ];
        let renamed = dedupe(api(types.clone(), Vec::new()), &configured).unwrap();
        assert_eq!(names(&renamed), ["a::PushRuleKind", "a::Single"]);

        let stale = [entry("a.yaml#Gone#", "Gone")];
        let err = dedupe(api(types.clone(), Vec::new()), &stale).unwrap_err();
        assert!(
            err.to_string()
                .contains("`a.yaml#Gone#` names no generated type"),
            "{err}"
        );

        // `Lonely` keeps its name: another type cannot take it.
        let taken = [entry("a.yaml#SetRuleKind#", "Lonely")];
        let err = dedupe(api(types.clone(), Vec::new()), &taken).unwrap_err();
        assert!(
            err.to_string().contains("which module `a` has already"),
            "{err}"
        );

        let conflicting = [
            entry("a.yaml#GetRuleKind#", "One"),
            entry("a.yaml#SetRuleKind#", "Two"),
        ];
        let err = dedupe(api(types, Vec::new()), &conflicting).unwrap_err();
        assert!(err.to_string().contains("name one shared type"), "{err}");
    }

    #[test]
    fn union_variants_named_after_a_merged_type_follow_its_new_name() {
        let union = |module: &str, name: &str, inner: usize| {
            let variants = vec![
                UnionVariant {
                    variant: "String".to_owned(),
                    ty: Type::String,
                },
                UnionVariant {
                    variant: format!("{name}Object"),
                    ty: Type::Named(TypeId(inner)),
                },
            ];
            def(
                module,
                name,
                NameOrigin::Operation,
                TypeKind::Union(variants),
            )
        };
        let types = vec![
            union("a", "FirstTweak", 1),
            object(
                "a",
                "FirstTweakObject",
                vec![field("set_tweak", Type::String, None)],
            ),
            union("a", "SecondTweak", 3),
            object(
                "a",
                "SecondTweakObject",
                vec![field("set_tweak", Type::String, None)],
            ),
        ];
        let api = dedupe(api(types, Vec::new()), &[]).unwrap();
        assert_eq!(names(&api), ["a::Tweak", "a::TweakObject"]);
        let TypeKind::Union(variants) = &api.types[0].kind else {
            panic!()
        };
        assert_eq!(variants[1].variant, "TweakObject");
        assert_eq!(variants[1].ty, Type::Named(TypeId(1)));
    }

    #[test]
    fn camel_words_keep_digits_with_the_word_before() {
        assert_eq!(
            camel_words("GetRoomEventsDir"),
            ["Get", "Room", "Events", "Dir"]
        );
        assert_eq!(camel_words("Response200Body"), ["Response200", "Body"]);
        assert_eq!(common_suffix(&["AKind", "BKind"]).as_deref(), Some("Kind"));
        assert_eq!(common_suffix(&["AItem", "BItem"]), None);
        assert_eq!(common_suffix(&["Kind", "Kind"]).as_deref(), Some("Kind"));
    }
}
