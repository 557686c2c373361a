//! Stage 4: the resolved spec lowered to the typed [`model`](crate::model).
//!
//! Every construct is either understood or rejected with its file and JSON
//! pointer: nothing silently becomes `serde_json::Value` unless the spec
//! really gives no shape (a schema with no type and no structure).

mod auth;
mod composition;
mod dedupe;
mod docs;
mod envelopes;
mod events;
mod features;
mod formats;
mod naming;
mod objects;
mod operation;
mod parameters;
mod recursion;
mod responses;
mod schema;
mod sending;
mod tagged;
#[cfg(test)]
mod test_spec;
mod times;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::config::Config;
use crate::load::Location;
use crate::model::{Api, Body, Module, NameOrigin, PRELUDE_NAMES, Type, TypeDef, TypeId, TypeKind};
use crate::resolve::{ResolveError, ResolvedSpec};

pub(crate) use events::EVENTS_MODULE;
use naming::{check_module_names, module_name};
pub(crate) use sending::content_method_name;

/// Why the spec could not be lowered.
#[derive(Debug, thiserror::Error)]
pub enum LowerError {
    /// A construct the generator does not support (yet).
    #[error("{at}: unsupported: {what}")]
    Unsupported {
        /// Where, with line when known.
        at: String,
        /// What is not supported.
        what: String,
    },
    /// The spec says something contradictory or incomplete.
    #[error("{at}: {message}")]
    Invalid {
        /// Where, with line when known.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// Following a reference failed.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// A string format of the spec's `mx-` family that `string_formats`
    /// in the config does not map to a runtime type: a format new in a
    /// spec release must not silently become a `String`.
    #[error(
        "{at}: string format `{format}` has no runtime type: add it to `string_formats` in spec/generator.toml (and the type to runtime/src/ids)"
    )]
    UnknownFormat {
        /// Where, with line when known.
        at: String,
        /// The format, e.g. `mx-room-version`.
        format: String,
    },
    /// Several documents failed; each error is listed.
    #[error("{} problems:\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<LowerError>),
}

/// Methods the generated `Client` has besides one per operation: its own
/// (`new`) and those of the runtime client it dereferences to. An operation
/// method with one of these names would fail to compile or hide the
/// runtime's method, so such an operationId fails generation. A test in
/// `generator/tests/pipeline.rs` keeps the list in step with the runtime.
pub const CLIENT_OWN_METHODS: &[(&str, &str)] = &[
    ("new", "matrix_csapi::Client"),
    ("try_new", "matrix_csapi_runtime::Client"),
    ("with_http_client", "matrix_csapi_runtime::Client"),
    ("with_max_response_bytes", "matrix_csapi_runtime::Client"),
    ("base_url", "matrix_csapi_runtime::Client"),
    ("max_response_bytes", "matrix_csapi_runtime::Client"),
    ("http_client", "matrix_csapi_runtime::Client"),
    ("set_access_token", "matrix_csapi_runtime::Client"),
    ("access_token", "matrix_csapi_runtime::Client"),
    ("send", "matrix_csapi_runtime::Client"),
    ("send_http", "matrix_csapi_runtime::Client"),
];

/// Lowers the configured documents of `spec`.
pub fn lower(spec: &ResolvedSpec, config: &Config, spec_tag: &str) -> Result<Api, LowerError> {
    let mut lowerer = Lowerer {
        spec,
        config,
        types: Vec::new(),
        memo: HashMap::new(),
        in_progress: BTreeSet::new(),
        taken: BTreeMap::new(),
        features: BTreeSet::new(),
        gates: Vec::new(),
        used_features: BTreeSet::new(),
        used_undefined_schemes: BTreeSet::new(),
        used_raw_schemas: BTreeSet::new(),
        used_content_places: BTreeSet::new(),
        used_time_rules: BTreeSet::new(),
        raw_memo: HashMap::new(),
        named_schema_depth: 0,
        used_format_unions: BTreeSet::new(),
        used_mxc_parameters: false,
        modules_by_file: config
            .documents
            .iter()
            .map(|doc| (doc.clone(), module_name(doc)))
            .collect(),
    };
    check_module_names(&config.documents)?;
    let mut modules = Vec::new();
    let mut operation_ids: BTreeMap<String, Location> = BTreeMap::new();
    // Client method name → the operation that has it.
    let mut methods: BTreeMap<String, (String, Location)> = BTreeMap::new();
    let reserved: BTreeMap<&str, &str> = CLIENT_OWN_METHODS.iter().copied().collect();
    let mut errors = Vec::new();
    for document in &config.documents {
        // Keep going after a failing document so one run reports every
        // problem, not just the first.
        let module = match lowerer.document(document) {
            Ok(module) => module,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        for op in &module.operations {
            if let Some(first) = operation_ids.insert(op.operation_id.clone(), op.source.clone()) {
                return Err(LowerError::Invalid {
                    at: lowerer.describe(&op.source),
                    message: format!("operationId `{}` is also used at {first}", op.operation_id),
                });
            }
            if let Some(owner) = reserved.get(op.fn_name.as_str()) {
                return Err(LowerError::Invalid {
                    at: lowerer.describe(&op.source),
                    message: format!(
                        "operationId `{}` gives the Rust method `{}`, which the client has already (`{owner}::{}`); rename the operationId with an overlay",
                        op.operation_id, op.fn_name, op.fn_name
                    ),
                });
            }
            let this = (op.operation_id.clone(), op.source.clone());
            if let Some((other, other_at)) = methods.insert(op.fn_name.clone(), this) {
                return Err(LowerError::Invalid {
                    at: lowerer.describe(&op.source),
                    message: format!(
                        "operationId `{}` gives the Rust method `{}`, as does `{other}` at {other_at}; rename one",
                        op.operation_id, op.fn_name
                    ),
                });
            }
        }
        modules.push(module);
    }
    let mut events = lowerer.events().unwrap_or_else(|error| {
        errors.push(error);
        Vec::new()
    });
    // Whether config entries still apply is only known once every document
    // is lowered: a failing document may stop before it uses them.
    fail_with(std::mem::take(&mut errors))?;
    let event_enums = lowerer.event_enums(&events).unwrap_or_else(|error| {
        errors.push(error);
        Vec::new()
    });
    if let Some(events_config) = &config.events {
        errors.extend(lowerer.envelopes(events_config));
    }
    errors.extend(sending::typed_sending(&lowerer, &mut modules, &mut events));
    errors.extend(unchecked_bounds(&lowerer, &modules));
    errors.extend(lowerer.unused_time_rules());
    errors.extend(features::ungated_uses(&lowerer, &modules));
    errors.extend(features::unused_features(&lowerer));
    for pattern in &config.raw_schemas {
        if !lowerer.used_raw_schemas.contains(pattern) {
            errors.push(LowerError::config(format!(
                    "`raw_schemas` pattern `{pattern}` matches no schema where one is used (`allOf` members are not wrapped; a file pattern matches referenced schemas only); fix or remove it"
                )));
        }
    }
    for pattern in &config.secret_additional_properties {
        let used = lowerer.types.iter().any(|t| {
            matches!(&t.kind, TypeKind::Struct(s) if s.secret_additional)
                && crate::config::matches_pattern(pattern, &t.source.file)
        });
        if !used {
            errors.push(LowerError::config(format!(
                    "`secret_additional_properties` pattern `{pattern}` matches no generated object schema with additional properties; fix or remove it"
                )));
        }
    }
    for unused in config
        .undefined_security_schemes
        .iter()
        .filter(|u| !lowerer.used_undefined_schemes.contains(&u.name))
    {
        errors.push(LowerError::config(format!(
                "`undefined_security_schemes` entry `{}` is not needed any more: the spec defines it or no longer uses it; remove the entry",
                unused.name
            )));
    }
    errors.extend(lowerer.unused_format_entries());
    let api = Api {
        spec_tag: spec_tag.to_owned(),
        modules,
        types: lowerer.types,
        features: lowerer.features.into_iter().collect(),
        events,
        event_enums,
    };
    // Merging also checks the `type_names` entries: reported with the
    // other stale entries.
    match dedupe::dedupe(api, &config.type_names) {
        Ok(mut api) => {
            let unboxable = recursion::box_recursive_fields(&mut api.types);
            errors.extend(unboxable.into_iter().map(|id| LowerError::Unsupported {
                at: spec.files().describe(&api.types[id.0].source),
                what: format!(
                    "the type `{}` holds itself by value through no struct field that could be boxed",
                    api.types[id.0].name
                ),
            }));
            fail_with(errors).map(|()| api)
        }
        Err(LowerError::Many(more)) => {
            errors.extend(more);
            Err(combined(errors))
        }
        Err(error) => {
            errors.push(error);
            Err(combined(errors))
        }
    }
}

/// Bounds (`minimum`, ...) are checked on a request's own fields and
/// parameters, and on the fields of its body type; anywhere else they would
/// be silently ignored, so they fail generation.
fn unchecked_bounds(lowerer: &Lowerer<'_>, modules: &[Module]) -> Vec<LowerError> {
    let mut checked = BTreeSet::new();
    for op in modules.iter().flat_map(|m| &m.operations) {
        checked.insert(op.request);
        checked.extend(op.body.as_ref().and_then(Body::wrapped_type));
    }
    let mut errors = Vec::new();
    for (index, def) in lowerer.types.iter().enumerate() {
        let TypeKind::Struct(s) = &def.kind else {
            continue;
        };
        if checked.contains(&TypeId(index)) {
            continue;
        }
        for field in s.fields.iter().filter(|f| f.bounds.is_some()) {
            errors.push(LowerError::Unsupported {
                at: lowerer.describe(&def.source.join("properties").join(&field.json_name)),
                what: format!(
                    "bounds (`minimum`, `maximum`, ...) on property `{}` of a type that is not a request or its body: only a request's own fields and parameters are checked",
                    field.json_name
                ),
            });
        }
    }
    errors
}

/// `Err` with the one error, or all of them; `Ok` if there are none.
fn fail_with(errors: Vec<LowerError>) -> Result<(), LowerError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(combined(errors))
    }
}

impl LowerError {
    /// An entry of the generator's config (spec/generator.toml) that does
    /// not fit the spec.
    pub(crate) fn config(message: impl Into<String>) -> Self {
        LowerError::Invalid {
            at: "spec/generator.toml".to_owned(),
            message: message.into(),
        }
    }
}

/// The one error, or all of them.
fn combined(mut errors: Vec<LowerError>) -> LowerError {
    if errors.len() == 1 {
        errors.remove(0)
    } else {
        LowerError::Many(errors)
    }
}

struct Lowerer<'a> {
    spec: &'a ResolvedSpec,
    config: &'a Config,
    types: Vec<TypeDef>,
    /// Named schemas (reference targets) lowered so far.
    memo: HashMap<Location, Type>,
    /// Named schemas being lowered, to report recursion instead of looping.
    in_progress: BTreeSet<Location>,
    /// Type names taken, per module.
    taken: BTreeMap<String, BTreeSet<String>>,
    /// Every cargo feature an `x-cargo-feature` names.
    features: BTreeSet<String>,
    /// The features of what is being lowered (an operation, a property, a
    /// type), innermost last: the types defined meanwhile are gated by them.
    gates: Vec<String>,
    /// The places whose `x-cargo-feature` gated something.
    used_features: BTreeSet<Location>,
    /// `undefined_security_schemes` entries the spec needed.
    used_undefined_schemes: BTreeSet<String>,
    /// `raw_schemas` patterns that matched a referenced schema.
    used_raw_schemas: BTreeSet<String>,
    /// `[[events.content_places]]` entries (by index) that matched a place.
    used_content_places: BTreeSet<usize>,
    /// Indexes of `time_rules` entries that matched a value.
    used_time_rules: BTreeSet<usize>,
    /// Raw (non-JSON) response types by the response's location, so a
    /// shared response component gives one type.
    raw_memo: HashMap<Location, TypeId>,
    /// How many named schemas (reference targets) are being lowered: above
    /// zero, names come from the schema, not from the operation using it.
    named_schema_depth: usize,
    /// `string_format_unions` entries (runtime type names) the spec used.
    used_format_unions: BTreeSet<String>,
    /// Whether an operation had both `mxc_path_parameters`.
    used_mxc_parameters: bool,
    modules_by_file: HashMap<String, String>,
}

impl<'a> Lowerer<'a> {
    fn describe(&self, at: &Location) -> String {
        self.spec.files().describe(at)
    }

    fn unsupported(&self, at: &Location, what: impl Into<String>) -> LowerError {
        LowerError::Unsupported {
            at: self.describe(at),
            what: what.into(),
        }
    }

    fn invalid(&self, at: &Location, message: impl Into<String>) -> LowerError {
        LowerError::Invalid {
            at: self.describe(at),
            message: message.into(),
        }
    }

    fn node(&self, at: &Location) -> Result<&'a Value, LowerError> {
        Ok(self.spec.deref(at)?.node)
    }

    /// Reserves a type name in `module`, adding a number on collision so
    /// names are unique and stable (spec order decides who gets the plain
    /// name).
    fn claim_name(&mut self, module: &str, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 2;
        while self.is_taken(module, &name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        self.taken
            .entry(module.to_owned())
            .or_default()
            .insert(name.clone());
        name
    }

    /// The name wanted for the inline schema at `at`: its `title` (or,
    /// without one, the title of its one titled inline `allOf` member)
    /// when that is free in `module`: the spec's name for the concept.
    /// Else `derived`, from where it is. A reference target is named after
    /// itself, so `derived` is returned for it unchanged.
    fn inline_name(&self, at: &Location, module: &str, derived: String) -> String {
        let Ok(deref) = self.spec.deref(at) else {
            return derived;
        };
        if !deref.via.is_empty() {
            return derived;
        }
        let member_titles: Vec<String> = deref
            .node
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|member| member.get("$ref").is_none())
            .filter_map(naming::title_of)
            .collect();
        let title = match naming::title_of(deref.node) {
            Some(title) => Some(title),
            None if member_titles.len() == 1 => member_titles.into_iter().next(),
            None => None,
        };
        match title.map(|title| naming::type_name(&title)) {
            Some(name) if !self.is_taken(module, &name) => name,
            _ => derived,
        }
    }

    /// Whether `name` is claimed in `module` or is a prelude name.
    fn is_taken(&self, module: &str, name: &str) -> bool {
        PRELUDE_NAMES.contains(&name) || self.taken.get(module).is_some_and(|t| t.contains(name))
    }

    /// Where `name`, given to the schema `node`, comes from: its title,
    /// or the named schema or the operation it is lowered for.
    fn name_origin(&self, name: &str, node: &Value) -> NameOrigin {
        if naming::title_of(node).is_some_and(|title| naming::type_name(&title) == name) {
            NameOrigin::Title
        } else if self.named_schema_depth > 0 {
            NameOrigin::Schema
        } else {
            NameOrigin::Operation
        }
    }

    /// Adds a type, gated by the features of where it is defined.
    /// Claims a name for the schema `node` at `at` in `module` and adds its
    /// type of `kind`, with the schema's docs and title.
    fn define_type(
        &mut self,
        module: &str,
        wanted: &str,
        at: &Location,
        node: &Value,
        kind: TypeKind,
    ) -> TypeId {
        let name = self.claim_name(module, wanted);
        self.add_type(TypeDef {
            name_origin: self.name_origin(&name, node),
            title: naming::title_of(node),
            docs: self.docs(node),
            name,
            module: module.to_owned(),
            source: at.clone(),
            kind,
            // Set by `add_type` from where the type is defined.
            features: Vec::new(),
        })
    }

    fn add_type(&mut self, mut def: TypeDef) -> TypeId {
        def.features = self.current_gates();
        self.types.push(def);
        TypeId(self.types.len() - 1)
    }
}
