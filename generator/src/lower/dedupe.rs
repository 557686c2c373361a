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
    Api, Body, Bounds, Docs, EventContent, NameOrigin, PRELUDE_NAMES, ResponseKind, Type, TypeDef,
    TypeId, TypeKind,
};

use super::LowerError;
use super::naming::type_name;

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
                    return Err(LowerError::config(format!(
                        "`type_names` gives `{}` the name `{}`, which module `{}` has already",
                        entry.schema, entry.name, def.module
                    )));
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
    PRELUDE_NAMES.contains(&name) || taken.contains(name)
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
    // Each event content names its event type: never shared.
    for event in &api.events {
        match &event.content {
            EventContent::Named(id) => {
                own.insert(id.0);
                // The variants too: `m.text` and `m.notice` have the same
                // shape but are different messages.
                if let Some(TypeKind::TaggedUnion(union)) = api.types.get(id.0).map(|t| &t.kind) {
                    own.extend(union.variants.iter().map(|v| v.ty.0));
                }
            }
            EventContent::Newtype { .. } => {}
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
        envelope: Option<String>,
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
                envelope: s.envelope.clone(),
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
        Type::Named(id) | Type::Envelope { id, .. } => Some(*id),
        Type::Nullable(inner) | Type::Raw(inner) | Type::Boxed(inner) => inner_named(inner),
        _ => None,
    }
}

fn collect_named(ty: &Type, out: &mut Vec<TypeId>) {
    match ty {
        Type::Named(id) | Type::Envelope { id, .. } => out.push(*id),
        Type::Array(inner) | Type::Raw(inner) | Type::Nullable(inner) | Type::Boxed(inner) => {
            collect_named(inner, out)
        }
        Type::Map { key, value } => {
            collect_named(key, out);
            collect_named(value, out);
        }
        _ => {}
    }
}

fn map_named(ty: &mut Type, f: &impl Fn(TypeId) -> TypeId) {
    match ty {
        Type::Named(id) | Type::Envelope { id, .. } => *id = f(*id),
        Type::Array(inner) | Type::Raw(inner) | Type::Nullable(inner) | Type::Boxed(inner) => {
            map_named(inner, f)
        }
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
            errors.push(LowerError::config(format!(
                    "`type_names` entry `{}` names no generated type (no schema at that location gives one); fix or remove it",
                    entry.schema
                )));
            continue;
        };
        if let Some(other) = configured.insert(*group, entry)
            && other.name != entry.name
        {
            errors.push(LowerError::config(format!(
                "`type_names` entries `{}` and `{}` name one shared type `{}` and `{}`; keep one",
                other.schema, entry.schema, other.name, entry.name
            )));
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
    for event in &mut api.events {
        match &mut event.content {
            EventContent::Named(id) => *id = id_of(*id),
            EventContent::Newtype { ty, .. } => map_named(ty, id_of),
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
mod tests;
