//! Stage 4: the resolved spec lowered to the typed [`model`](crate::model).
//!
//! Every construct is either understood or rejected with its file and JSON
//! pointer: nothing silently becomes `serde_json::Value` unless the spec
//! really gives no shape (a schema with no type and no structure).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{Map, Value};

use crate::config::AuthChoice;
use crate::config::Config;
use crate::load::Location;
use crate::model::{
    Api, Auth, Body, Docs, EndpointError, EnumValue, Field, Module, Operation, Param, ParamIn,
    PathPart, RawResponse, ResponseArm, ResponseHeader, ResponseKind, Struct, SuccessResponse,
    Type, TypeDef, TypeId, TypeKind, UnionVariant,
};
use crate::resolve::{ResolveError, ResolvedSpec};

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
    /// Several documents failed; each error is listed.
    #[error("{} problems:\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<LowerError>),
}

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
    "oneOf",
    "patternProperties",
];

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

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
        used_undefined_schemes: BTreeSet::new(),
        raw_memo: HashMap::new(),
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
    // Whether config entries still apply is only known once every document
    // is lowered: a failing document may stop before it uses them.
    fail_with(std::mem::take(&mut errors))?;
    for pattern in &config.keep_unknown_properties {
        let used = lowerer.types.iter().any(|t| {
            matches!(t.kind, TypeKind::Struct(_))
                && crate::config::matches_pattern(pattern, &t.source.file)
        });
        if !used {
            errors.push(LowerError::Invalid {
                at: "spec/generator.toml".to_owned(),
                message: format!(
                    "`keep_unknown_properties` pattern `{pattern}` matches no generated object schema; fix or remove it"
                ),
            });
        }
    }
    for pattern in &config.secret_additional_properties {
        let used = lowerer.types.iter().any(|t| {
            matches!(&t.kind, TypeKind::Struct(s) if s.secret_additional)
                && crate::config::matches_pattern(pattern, &t.source.file)
        });
        if !used {
            errors.push(LowerError::Invalid {
                at: "spec/generator.toml".to_owned(),
                message: format!(
                    "`secret_additional_properties` pattern `{pattern}` matches no generated object schema with additional properties; fix or remove it"
                ),
            });
        }
    }
    for unused in config
        .undefined_security_schemes
        .iter()
        .filter(|u| !lowerer.used_undefined_schemes.contains(&u.name))
    {
        errors.push(LowerError::Invalid {
            at: "spec/generator.toml".to_owned(),
            message: format!(
                "`undefined_security_schemes` entry `{}` is not needed any more: the spec defines it or no longer uses it; remove the entry",
                unused.name
            ),
        });
    }
    if errors.len() == 1 {
        return Err(errors.remove(0));
    }
    if !errors.is_empty() {
        return Err(LowerError::Many(errors));
    }
    Ok(Api {
        spec_tag: spec_tag.to_owned(),
        modules,
        types: lowerer.types,
        features: lowerer.features.into_iter().collect(),
    })
}

/// `Err` with the one error, or all of them; `Ok` if there are none.
fn fail_with(mut errors: Vec<LowerError>) -> Result<(), LowerError> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(LowerError::Many(errors)),
    }
}

/// Type and trait names of the Rust prelude (and `Self`): generated code
/// writes `String`, `Vec`, `Option`, `Default::default()`... unqualified, so
/// a generated type must not shadow them.
const PRELUDE_TYPES: &[&str] = &[
    "AsMut",
    "AsRef",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
    "Box",
    "Clone",
    "Copy",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Self",
    "Send",
    "Sized",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// Modules the generated crate has besides one per document (see `emit`):
/// `src/lib.rs`, `src/client.rs`, `src/test_support.rs`, `src/types.rs`, and
/// lib.rs's `pub use matrix_csapi_runtime as runtime`.
const CRATE_MODULES: &[&str] = &["lib", "client", "test_support", "types", "runtime"];

/// Each document becomes one module, so two documents must not give the
/// same module name, nor one the crate uses itself: that cannot be
/// resolved by renaming without breaking the rule that a module is named
/// after its document.
fn check_module_names(documents: &[String]) -> Result<(), LowerError> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for document in documents {
        let module = module_name(document);
        let invalid = |message: String| LowerError::Invalid {
            at: "spec/generator.toml".to_owned(),
            message,
        };
        if CRATE_MODULES.contains(&module.as_str()) {
            return Err(invalid(format!(
                "document `{document}` gives the Rust module `{module}`, a name the generated crate uses itself; leave the document out of `documents`"
            )));
        }
        if let Some(first) = seen.insert(module.clone(), document) {
            return Err(invalid(format!(
                "documents `{first}` and `{document}` both give the Rust module `{module}` (a module is named after its document's file name); leave one out of `documents`"
            )));
        }
    }
    Ok(())
}

/// Rust module name for a document path: its file stem in snake case.
fn module_name(document: &str) -> String {
    let stem = document
        .rsplit('/')
        .next()
        .unwrap_or(document)
        .trim_end_matches(".yaml")
        .trim_end_matches(".json");
    rust_ident(&stem.to_snake_case())
}

/// An operationId in snake case, keeping the spec's acronyms whole:
/// `getAccount3PIDs` → `get_account_3pids`, `redirectToIdP` →
/// `redirect_to_idp`, `requestTokenTo3PIDMSISDN` →
/// `request_token_to_3pid_msisdn` (a plain case conversion would give
/// `get_account3_pi_ds`).
fn operation_snake_case(operation_id: &str) -> String {
    // Longest first, so `3PIDs` wins over `3PID` and `ID`.
    const ACRONYMS: &[&str] = &["3PIDs", "3PID", "3pid", "MSISDN", "SSO", "MXC", "IdP", "ID"];
    let mut marked = String::with_capacity(operation_id.len() + 8);
    let mut rest = operation_id;
    'outer: while !rest.is_empty() {
        for acronym in ACRONYMS {
            if let Some(after) = rest.strip_prefix(acronym) {
                // Only a whole word: not followed by a lowercase letter
                // (`IDentity` is not `ID`).
                if !after.starts_with(|c: char| c.is_ascii_lowercase()) {
                    marked.push('_');
                    marked.push_str(&acronym.to_ascii_lowercase());
                    marked.push('_');
                    rest = after;
                    continue 'outer;
                }
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            marked.push(c);
        }
        rest = chars.as_str();
    }
    marked.to_snake_case()
}

/// Appends `_` to Rust keywords so they can be used as names.
fn rust_ident(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else",
        "enum", "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match",
        "mod", "move", "mut", "priv", "pub", "ref", "return", "self", "static", "struct", "super",
        "trait", "true", "try", "type", "unsafe", "use", "where", "while", "yield", "abstract",
        "become", "do", "final", "macro", "override", "typeof", "unsized", "virtual",
    ];
    let mut name = name.to_owned();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A Rust type name from free text (a title, a file stem, a field name).
fn type_name(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut name = cleaned.to_upper_camel_case();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    name
}

/// Rust field name for a JSON property: the last segment of a namespaced
/// name (`com.famedly.refresh_token_lifetime_ms` → `refresh_token_lifetime_ms`),
/// in snake case.
fn field_name(json_name: &str) -> String {
    let last = json_name.rsplit('.').next().unwrap_or(json_name);
    let snake: String = last
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .to_snake_case();
    rust_ident(&snake)
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
    features: BTreeSet<String>,
    /// `undefined_security_schemes` entries the spec needed.
    used_undefined_schemes: BTreeSet<String>,
    /// Raw (non-JSON) response types by the response's location, so a
    /// shared response component gives one type.
    raw_memo: HashMap<Location, TypeId>,
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

    /// Whether `name` is claimed in `module` or is a prelude name.
    fn is_taken(&self, module: &str, name: &str) -> bool {
        PRELUDE_TYPES.contains(&name) || self.taken.get(module).is_some_and(|t| t.contains(name))
    }

    fn add_type(&mut self, def: TypeDef) -> TypeId {
        self.types.push(def);
        TypeId(self.types.len() - 1)
    }

    fn document(&mut self, file: &str) -> Result<Module, LowerError> {
        let root_at = Location::file(file);
        let root = self.node(&root_at)?;
        let module = module_name(file);
        let base_path = root
            .pointer("/servers/0/variables/basePath/default")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                self.invalid(
                    &root_at.join("servers"),
                    "the document has no `servers[0].variables.basePath.default`, so its paths have no prefix",
                )
            })?
            .to_owned();
        let title = root
            .pointer("/info/title")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut operations = Vec::new();
        let paths_at = root_at.join("paths");
        let Some(paths) = root.get("paths").and_then(Value::as_object) else {
            return Err(self.invalid(&paths_at, "the document has no `paths`"));
        };
        for (path, item) in paths {
            let item_at = paths_at.join(path);
            let Some(item) = item.as_object() else {
                return Err(self.invalid(&item_at, "a path item must be an object"));
            };
            for (key, _) in item {
                if !HTTP_METHODS.contains(&key.as_str())
                    && key != "parameters"
                    && !key.starts_with("x-")
                {
                    return Err(
                        self.unsupported(&item_at.join(key), format!("path item key `{key}`"))
                    );
                }
            }
            // inviting.yaml writes `/rooms/{roomId}/invite ` with a trailing
            // space, only to keep it apart from third_party_membership.yaml's
            // `/rooms/{roomId}/invite` where the spec's documents are merged;
            // the space is not part of the URL.
            let path = path.trim_end();
            for method in HTTP_METHODS {
                if item.contains_key(*method) {
                    let op = self.operation(
                        &module,
                        &root_at,
                        &format!("{base_path}{path}"),
                        method,
                        &item_at,
                    )?;
                    operations.push(op);
                }
            }
        }
        Ok(Module {
            name: module,
            source: file.to_owned(),
            title,
            operations,
        })
    }

    fn docs(&self, node: &Value) -> Docs {
        let text = |key: &str| node.get(key).and_then(Value::as_str).map(str::to_owned);
        let changed_in = node
            .get("x-changedInMatrixVersion")
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .map(|(version, note)| {
                        (
                            version.clone(),
                            note.as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Docs {
            summary: text("summary"),
            description: text("description"),
            added_in: text("x-addedInMatrixVersion"),
            changed_in,
            deprecated: node
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }

    fn operation(
        &mut self,
        module: &str,
        root_at: &Location,
        full_path: &str,
        method: &str,
        item_at: &Location,
    ) -> Result<Operation, LowerError> {
        let at = item_at.join(method);
        let node = self.node(&at)?.clone();
        let operation_id = node
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| self.invalid(&at, "the operation has no `operationId`"))?
            .to_owned();
        let prefix = type_name(&operation_snake_case(&operation_id));

        // Parameters: the path item's, then the operation's (which override
        // by name and location, as OpenAPI says).
        let mut params: Vec<Param> = Vec::new();
        for list_at in [item_at.join("parameters"), at.join("parameters")] {
            let Some(list) = self.spec.files().node(&list_at).cloned() else {
                continue;
            };
            let Some(list) = list.as_array() else {
                return Err(self.invalid(&list_at, "`parameters` must be a list"));
            };
            for index in 0..list.len() {
                let param = self.parameter(&list_at.join(index), module, &prefix)?;
                params
                    .retain(|p| !(p.wire_name == param.wire_name && p.location == param.location));
                params.push(param);
            }
        }
        let path = self.path_parts(full_path, &params, &at)?;

        let auth = self.auth(root_at, &at, &node)?;
        let has_params = !params.is_empty();

        let body = match node.get("requestBody") {
            None => None,
            Some(_) => Some(self.request_body(&at, &operation_id, &prefix, module, has_params)?),
        };

        let request = match &body {
            Some(Body::Json {
                ty: Type::Named(id),
                is_request: true,
            }) => *id,
            _ => {
                let name = self.claim_name(module, &format!("{prefix}Request"));
                let body_ty = body.as_ref().map(|body| match body {
                    Body::Json { ty, .. } => ty.clone(),
                    Body::Bytes { .. } => Type::Bytes,
                });
                self.add_type(TypeDef {
                    name,
                    module: module.to_owned(),
                    docs: Docs::default(),
                    source: at.clone(),
                    kind: TypeKind::Struct(Struct {
                        fields: Vec::new(),
                        params: params.clone(),
                        body: body_ty,
                        additional: None,
                        secret_additional: false,
                    }),
                })
            }
        };
        // The request type carries the operation's documentation.
        self.types[request.0].docs = self.docs(&node);
        if let TypeKind::Struct(s) = &mut self.types[request.0].kind {
            s.params = params;
        }

        let responses = self.responses(&at, &node, module, &prefix)?;
        let error_type = (!responses.endpoint_errors.is_empty())
            .then(|| self.claim_name(module, &format!("{prefix}Error")));

        Ok(Operation {
            fn_name: rust_ident(&operation_snake_case(&operation_id)),
            operation_id,
            request,
            method: method.to_uppercase(),
            path_template: full_path.to_owned(),
            path,
            docs: self.docs(&node),
            auth,
            body,
            response: responses.success,
            endpoint_errors: responses.endpoint_errors,
            matrix_error_statuses: responses.matrix_error_statuses,
            error_type,
            rate_limited: responses.rate_limited,
            source: at,
        })
    }

    /// The operation's request body: JSON (typed) or raw bytes.
    fn request_body(
        &mut self,
        at: &Location,
        operation_id: &str,
        prefix: &str,
        module: &str,
        has_params: bool,
    ) -> Result<Body, LowerError> {
        let deref = self.spec.deref(&at.join("requestBody"))?;
        let body_at = deref.location.clone();
        let body_node = deref.node.clone();
        let content = body_node
            .get("content")
            .and_then(Value::as_object)
            .ok_or_else(|| self.invalid(&body_at, "`requestBody` has no `content`"))?;
        if content.len() != 1 {
            let types: Vec<&String> = content.keys().collect();
            return Err(self.unsupported(
                &body_at.join("content"),
                format!("a request body with several content types {types:?}"),
            ));
        }
        let Some((media_type, _)) = content.iter().next() else {
            return Err(self.invalid(&body_at.join("content"), "`content` is empty"));
        };
        if media_type != "application/json" {
            if media_type.contains("json") || media_type.starts_with("text/") {
                return Err(self.unsupported(
                    &body_at.join("content").join(media_type),
                    format!("request body content type `{media_type}`"),
                ));
            }
            return Ok(Body::Bytes {
                default_content_type: media_type.clone(),
            });
        }
        let schema_at = body_at
            .join("content")
            .join("application/json")
            .join("schema");
        let wanted = if has_params {
            format!("{prefix}RequestBody")
        } else {
            format!("{prefix}Request")
        };
        let ty = self.schema(&schema_at, &wanted, module)?;
        if has_params {
            self.describe_inline(
                &schema_at,
                &ty,
                Some(&Value::String(format!(
                    "The body of a `{operation_id}` request."
                ))),
            );
        }
        let inline_struct = match &ty {
            Type::Named(id) => {
                self.spec.target(&schema_at).is_none()
                    && matches!(self.types[id.0].kind, TypeKind::Struct(_))
            }
            _ => false,
        };
        Ok(Body::Json {
            ty,
            is_request: inline_struct && !has_params,
        })
    }

    fn path_parts(
        &self,
        full_path: &str,
        params: &[Param],
        at: &Location,
    ) -> Result<Vec<PathPart>, LowerError> {
        let mut parts = Vec::new();
        let mut rest = full_path;
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .map(|i| open + i)
                .ok_or_else(|| self.invalid(at, format!("unclosed `{{` in path `{full_path}`")))?;
            if open > 0 {
                parts.push(PathPart::Literal(rest[..open].to_owned()));
            }
            let name = &rest[open + 1..close];
            let param = params
                .iter()
                .find(|p| p.location == ParamIn::Path && p.wire_name == name)
                .ok_or_else(|| {
                    self.invalid(
                        at,
                        format!(
                            "path `{full_path}` uses `{{{name}}}` but no path parameter defines it"
                        ),
                    )
                })?;
            parts.push(PathPart::Param(param.rust_name.clone()));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_owned()));
        }
        // Literals are sent verbatim: they may only hold what a URL path
        // allows unencoded (RFC 3986 `pchar` and `/`).
        for part in &parts {
            if let PathPart::Literal(text) = part
                && let Some(bad) = text
                    .chars()
                    .find(|&c| !(c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/".contains(c)))
            {
                return Err(self.invalid(
                    at,
                    format!(
                        "path `{full_path}` has {bad:?} outside a parameter, which a URL path cannot carry unencoded"
                    ),
                ));
            }
        }
        for param in params.iter().filter(|p| p.location == ParamIn::Path) {
            if !parts.contains(&PathPart::Param(param.rust_name.clone())) {
                return Err(self.invalid(
                    at,
                    format!(
                        "path parameter `{}` is not in the path `{full_path}`",
                        param.wire_name
                    ),
                ));
            }
        }
        Ok(parts)
    }

    fn parameter(
        &mut self,
        at: &Location,
        module: &str,
        prefix: &str,
    ) -> Result<Param, LowerError> {
        let deref = self.spec.deref(at)?;
        let real_at = deref.location.clone();
        let node = deref.node.clone();
        let name = node
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| self.invalid(&real_at, "a parameter has no `name`"))?
            .to_owned();
        let location = match node.get("in").and_then(Value::as_str) {
            Some("path") => ParamIn::Path,
            Some("query") => ParamIn::Query,
            Some("header") => ParamIn::Header,
            other => {
                return Err(
                    self.unsupported(&real_at.join("in"), format!("parameter location {other:?}"))
                );
            }
        };
        let required = location == ParamIn::Path
            || node
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        let mut ty = self.schema(
            &real_at.join("schema"),
            &format!("{prefix}{}", type_name(&name)),
            module,
        )?;
        let mut rust_name = field_name(&name);
        if matches!(ty, Type::I64 | Type::U64) && name.ends_with("_ms") {
            ty = Type::DurationMs;
            rust_name = rust_ident(rust_name.trim_end_matches("_ms"));
        }
        let scalar = |ty: &Type| match ty {
            Type::String | Type::Bool | Type::I64 | Type::U64 | Type::F64 | Type::DurationMs => {
                true
            }
            Type::Named(id) => matches!(self.types[id.0].kind, TypeKind::StringEnum(_)),
            _ => false,
        };
        // Query strings can carry a list (the name repeated) or a map of
        // strings (each key its own name, `style: form, explode: true`).
        let supported = match (&ty, location) {
            (ty, _) if scalar(ty) => true,
            (Type::Array(item), ParamIn::Query) => scalar(item),
            (Type::Map(value), ParamIn::Query) => **value == Type::String,
            _ => false,
        };
        if !supported {
            return Err(self.unsupported(
                &real_at.join("schema"),
                format!("a {} parameter of type {ty:?}", location.as_str()),
            ));
        }
        Ok(Param {
            secret: self.config.secret_properties.contains(&name) && ty == Type::String,
            rust_name,
            wire_name: name,
            location,
            ty,
            required,
            docs: self.docs(&node),
        })
    }

    /// The operation's auth from its `security` list (or the document's).
    fn auth(
        &mut self,
        root_at: &Location,
        at: &Location,
        node: &Value,
    ) -> Result<Auth, LowerError> {
        let root = self.node(root_at)?;
        let (security, security_at) = match node.get("security") {
            Some(s) => (s, at.join("security")),
            None => match root.get("security") {
                Some(s) => (s, root_at.join("security")),
                None => return Ok(Auth::None),
            },
        };
        let Some(alternatives) = security.as_array() else {
            return Err(self.invalid(&security_at, "`security` must be a list"));
        };
        // What each alternative allows: no token, a user's access token, an
        // application service's token.
        let mut optional = false;
        let mut user = false;
        let mut appservice = false;
        for (index, requirement) in alternatives.iter().enumerate() {
            let Some(requirement) = requirement.as_object() else {
                return Err(self.invalid(
                    &security_at.join(index),
                    "a security requirement must be an object",
                ));
            };
            if requirement.is_empty() {
                optional = true;
            }
            for name in requirement.keys() {
                let scheme_at = root_at
                    .join("components")
                    .join("securitySchemes")
                    .join(name);
                let Ok(scheme) = self.spec.deref(&scheme_at) else {
                    let Some(fallback) = self
                        .config
                        .undefined_security_schemes
                        .iter()
                        .find(|u| &u.name == name)
                    else {
                        return Err(self.invalid(
                            &security_at.join(index),
                            format!(
                                "security scheme `{name}` is not defined in components.securitySchemes (if the spec really means it, map it in `undefined_security_schemes` of spec/generator.toml)"
                            ),
                        ));
                    };
                    self.used_undefined_schemes.insert(name.clone());
                    match fallback.auth {
                        AuthChoice::None => optional = true,
                        AuthChoice::OptionalAccessToken => {
                            optional = true;
                            user = true;
                        }
                        AuthChoice::AccessToken => user = true,
                    }
                    continue;
                };
                let kind = scheme.node.get("type").and_then(Value::as_str);
                let token = match kind {
                    Some("http") => {
                        scheme.node.get("scheme").and_then(Value::as_str) == Some("bearer")
                    }
                    Some("apiKey") => {
                        scheme.node.get("name").and_then(Value::as_str) == Some("access_token")
                    }
                    _ => false,
                };
                if !token {
                    return Err(
                        self.unsupported(&scheme.location, format!("security scheme `{name}`"))
                    );
                }
                // The spec's two kinds of bearer token are told apart by
                // scheme name: `appserviceAccessTokenBearer` vs
                // `accessTokenBearer`/`accessTokenQuery`.
                if name.starts_with("appservice") {
                    appservice = true;
                } else {
                    user = true;
                }
            }
        }
        Ok(match (appservice, user, optional) {
            (false, false, _) => Auth::None,
            (true, false, false) => Auth::AppserviceToken,
            (false, true, false) => Auth::AccessToken,
            (false, true, true) => Auth::OptionalAccessToken,
            _ => {
                return Err(
                    self.unsupported(&security_at, "this combination of security requirements")
                );
            }
        })
    }

    fn responses(
        &mut self,
        at: &Location,
        node: &Value,
        module: &str,
        prefix: &str,
    ) -> Result<Responses, LowerError> {
        let responses_at = at.join("responses");
        let Some(responses) = node.get("responses").and_then(Value::as_object) else {
            return Err(self.invalid(&responses_at, "the operation has no `responses`"));
        };
        let success_count = responses
            .keys()
            .filter(|s| s.starts_with('2') || s.starts_with('3'))
            .count();
        let mut arms: Vec<ResponseArm> = Vec::new();
        let mut endpoint_errors = Vec::new();
        let mut matrix_error_statuses = Vec::new();
        let mut rate_limited = false;
        for status_text in responses.keys() {
            let response_at = responses_at.join(status_text);
            let status: u16 = status_text
                .parse()
                .ok()
                .filter(|s| (100..600).contains(s))
                .ok_or_else(|| {
                    self.unsupported(&response_at, format!("response status `{status_text}`"))
                })?;
            let deref = self.spec.deref(&response_at)?;
            let real_at = deref.location.clone();
            let response = deref.node.clone();
            let description = response
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let content = response.get("content").and_then(Value::as_object);
            let json_schema_at = match content {
                Some(content) if content.contains_key("application/json") => {
                    if content.len() > 1 {
                        let types: Vec<&String> = content.keys().collect();
                        return Err(self.unsupported(
                            &real_at.join("content"),
                            format!("JSON beside other content types {types:?}"),
                        ));
                    }
                    Some(
                        real_at
                            .join("content")
                            .join("application/json")
                            .join("schema"),
                    )
                }
                _ => None,
            };
            if status == 429 {
                rate_limited = true;
            }
            if (200..400).contains(&status) {
                // With one success status the response type takes the plain
                // name; with several each gets its status.
                let name = if success_count == 1 {
                    format!("{prefix}Response")
                } else {
                    format!("{prefix}Response{status}")
                };
                let kind = match json_schema_at {
                    Some(schema_at) => {
                        let ty = self.schema(&schema_at, &name, module)?;
                        self.describe_inline(&schema_at, &ty, response.get("description"));
                        ResponseKind::Json(ty)
                    }
                    None => {
                        let has_body = content.is_some_and(|c| !c.is_empty());
                        let has_headers = response
                            .get("headers")
                            .and_then(Value::as_object)
                            .is_some_and(|h| !h.is_empty());
                        if has_body || has_headers {
                            ResponseKind::Raw(
                                self.raw_response(&real_at, &response, &name, module, has_body)?,
                            )
                        } else {
                            ResponseKind::Empty
                        }
                    }
                };
                arms.push(ResponseArm {
                    status,
                    variant: status_variant(status),
                    kind,
                    doc: description,
                });
            } else if let Some(schema_at) = json_schema_at {
                let ty = self.schema(&schema_at, &format!("{prefix}Error{status}"), module)?;
                let matrix_error = self
                    .config
                    .known_types
                    .iter()
                    .any(|k| k.matrix_error && Type::Runtime(k.rust.clone()) == ty);
                if matrix_error {
                    matrix_error_statuses.push(status);
                } else {
                    endpoint_errors.push(EndpointError {
                        status,
                        variant: status_variant(status),
                        ty,
                        doc: description,
                    });
                }
            } else if content.is_some_and(|c| !c.is_empty()) {
                return Err(self.unsupported(
                    &real_at.join("content"),
                    "an error response with non-JSON content",
                ));
            }
        }
        if arms.is_empty() {
            return Err(self.unsupported(
                &responses_at,
                "an operation without a success (2xx) or redirect (3xx) response",
            ));
        }
        arms.sort_by_key(|arm| arm.status);
        // Several statuses become an enum even when their bodies have the
        // same shape: the status carries meaning (200 updated vs 201
        // created, a redirect vs the content).
        let enum_name =
            (arms.len() > 1).then(|| self.claim_name(module, &format!("{prefix}Response")));
        Ok(Responses {
            success: SuccessResponse { enum_name, arms },
            endpoint_errors,
            matrix_error_statuses,
            rate_limited,
        })
    }

    /// A type for a non-JSON response: its declared headers (each an
    /// optional string) and, when it has content, its bytes.
    fn raw_response(
        &mut self,
        at: &Location,
        response: &Value,
        wanted: &str,
        module: &str,
        has_body: bool,
    ) -> Result<TypeId, LowerError> {
        if let Some(id) = self.raw_memo.get(at) {
            return Ok(*id);
        }
        // A shared response component is named after its key.
        let wanted = if at.pointer.starts_with("/components/responses/") {
            type_name(at.pointer.rsplit('/').next().unwrap_or(wanted))
        } else {
            wanted.to_owned()
        };
        let mut headers = Vec::new();
        if let Some(map) = response.get("headers").and_then(Value::as_object) {
            for name in map.keys() {
                let header_at = at.join("headers").join(name);
                let deref = self.spec.deref(&header_at)?;
                let schema_type = deref.node.pointer("/schema/type");
                if schema_type.is_some_and(|t| t != "string") {
                    return Err(self.unsupported(
                        &deref.location.join("schema"),
                        "a response header that is not a string",
                    ));
                }
                headers.push(ResponseHeader {
                    wire_name: name.clone(),
                    rust_name: field_name(&name.to_lowercase()),
                    docs: self.docs(deref.node),
                });
            }
        }
        let name = self.claim_name(module, &wanted);
        let id = self.add_type(TypeDef {
            name,
            module: module.to_owned(),
            docs: self.docs(response),
            source: at.clone(),
            kind: TypeKind::RawResponse(RawResponse { headers, has_body }),
        });
        self.raw_memo.insert(at.clone(), id);
        Ok(id)
    }

    /// Gives an inline type without a description of its own the
    /// description of where it is used (a response, a body).
    fn describe_inline(&mut self, at: &Location, ty: &Type, description: Option<&Value>) {
        if let (Type::Named(id), None, Some(text)) = (
            ty,
            self.spec.target(at),
            description.and_then(Value::as_str),
        ) {
            let docs = &mut self.types[id.0].docs;
            if docs.description.is_none() && docs.summary.is_none() {
                docs.description = Some(text.to_owned());
            }
        }
    }

    /// The type of the schema at `at`. `wanted` names it if it needs a name
    /// and is not a reference target (which is named after its title or
    /// file).
    fn schema(&mut self, at: &Location, wanted: &str, module: &str) -> Result<Type, LowerError> {
        let deref = self.spec.deref(at)?;
        if deref.via.is_empty() {
            let node = deref.node.clone();
            return self.schema_node(at, &node, wanted, module);
        }
        let target = deref.location.clone();
        let node = deref.node.clone();
        if let Some(known) = self.known_type(&target) {
            return Ok(known);
        }
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
        let ty = self.schema_node(&target, &node, &name, &target_module);
        self.in_progress.remove(&target);
        let ty = ty?;
        self.memo.insert(target, ty.clone());
        Ok(ty)
    }

    fn known_type(&self, target: &Location) -> Option<Type> {
        self.config.known_types.iter().find_map(|known| {
            let (file, pointer) = known.schema.split_once('#').unwrap_or((&known.schema, ""));
            (file == target.file && pointer == target.pointer)
                .then(|| Type::Runtime(known.rust.clone()))
        })
    }

    fn check_keywords(&self, at: &Location, node: &Map<String, Value>) -> Result<(), LowerError> {
        for key in node.keys() {
            if !(ANNOTATIONS.contains(&key.as_str())
                || STRUCTURE.contains(&key.as_str())
                || key.starts_with("x-"))
            {
                return Err(self.unsupported(&at.join(key), format!("schema keyword `{key}`")));
            }
        }
        Ok(())
    }

    fn schema_node(
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
            return Ok(self.union(at, node, members, wanted, module));
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
        match ty {
            "string" => match map.get("enum") {
                Some(values) => self.string_enum(at, node, values, wanted, module),
                None => Ok(Type::String),
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
                let item = self.schema(&at.join("items"), &format!("{wanted}Item"), module)?;
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
                    Some(value) => Ok(Type::Map(Box::new(value))),
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
    /// the keys stay strings). `None` when neither constrains anything.
    fn additional(
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
            Some(Value::Object(_)) => value_types.push(self.schema(
                &at.join("additionalProperties"),
                &format!("{wanted}Value"),
                module,
            )?),
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
                let ty = self.schema(
                    &at.join("patternProperties").join(pattern),
                    &format!("{wanted}Value"),
                    module,
                )?;
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

    /// A 3.1 type list such as `[string, "null"]` or `[string, object]`:
    /// each listed type is the same schema with that one type.
    fn type_list(
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
            _ => self.union(at, &Value::Object(map.clone()), members, wanted, module),
        };
        Ok(if nullable {
            Type::Nullable(Box::new(inner))
        } else {
            inner
        })
    }

    /// One of several shapes. When they all lower to the same Rust type
    /// (e.g. a room ID or a room alias: both strings) that type is enough;
    /// otherwise an untagged enum that tries them in order, catch-all
    /// shapes (any JSON, any object) last.
    fn union(
        &mut self,
        at: &Location,
        node: &Value,
        members: Vec<(Option<String>, Type)>,
        wanted: &str,
        module: &str,
    ) -> Type {
        if members.iter().all(|(_, ty)| *ty == members[0].1) {
            return members[0].1.clone();
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
        let name = self.claim_name(module, wanted);
        let id = self.add_type(TypeDef {
            name,
            module: module.to_owned(),
            docs: self.docs(node),
            source: at.clone(),
            kind: TypeKind::Union(variants),
        });
        Type::Named(id)
    }

    fn variant_name(&self, ty: &Type) -> String {
        match ty {
            Type::String => "String".to_owned(),
            Type::Bool => "Boolean".to_owned(),
            Type::I64 | Type::U64 => "Integer".to_owned(),
            Type::F64 => "Number".to_owned(),
            Type::DurationMs => "Duration".to_owned(),
            Type::Json => "Value".to_owned(),
            Type::JsonObject | Type::Map(_) => "Object".to_owned(),
            Type::Array(_) => "Array".to_owned(),
            Type::Named(id) => self.types[id.0].name.clone(),
            Type::Runtime(path) => path.rsplit("::").next().unwrap_or(path).to_owned(),
            Type::Nullable(inner) => self.variant_name(inner),
            Type::Bytes => "Bytes".to_owned(),
            Type::Unit => "Empty".to_owned(),
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
            });
        }
        let name = self.claim_name(module, wanted);
        let id = self.add_type(TypeDef {
            name,
            module: module.to_owned(),
            docs: self.docs(node),
            source: at.clone(),
            kind: TypeKind::StringEnum(variants),
        });
        Ok(Type::Named(id))
    }

    /// A struct from `properties`, merging `allOf` members.
    fn object(&mut self, at: &Location, wanted: &str, module: &str) -> Result<Type, LowerError> {
        self.merged_object(std::slice::from_ref(at), at, wanted, module)
    }

    /// A struct whose properties are those of every schema in `parts`
    /// (and of their `allOf` members): a value must satisfy all of them.
    fn merged_object(
        &mut self,
        parts: &[Location],
        at: &Location,
        wanted: &str,
        module: &str,
    ) -> Result<Type, LowerError> {
        let name = self.claim_name(module, wanted);
        // Reserve the slot first so nested types come after their parent.
        let node = self.node(at)?.clone();
        let id = self.add_type(TypeDef {
            name: name.clone(),
            module: module.to_owned(),
            docs: self.docs(&node),
            source: at.clone(),
            kind: TypeKind::Struct(Struct::default()),
        });
        let mut props: Vec<PropertySpec> = Vec::new();
        let mut additional = None;
        for part in parts {
            self.gather_properties(part, &name, module, &mut props, &mut additional)?;
        }
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
        let open = self
            .config
            .keep_unknown_properties
            .iter()
            .any(|pattern| crate::config::matches_pattern(pattern, &at.file));
        if open && additional.is_none() {
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
        let secret_additional = additional.is_some()
            && self
                .config
                .secret_additional_properties
                .iter()
                .any(|pattern| crate::config::matches_pattern(pattern, &at.file));
        self.types[id.0].kind = TypeKind::Struct(Struct {
            fields,
            params: Vec::new(),
            body: None,
            additional,
            secret_additional,
        });
        Ok(Type::Named(id))
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
            let wanted = format!("{parent}{}", type_name(&field_name(&json_name)));
            let ty = self.merged_object(&objects, &last, &wanted, module)?;
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
                    refined
                }
            });
        }
        merged
            .ok_or_else(|| self.invalid(&last, format!("property `{json_name}` has no definition")))
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

    /// The documentation of a property (the keys beside a `$ref` win).
    fn field_docs(&self, at: &Location) -> Docs {
        match self.spec.deref(at) {
            Ok(deref) => self.docs(&merged_doc_node(&deref)),
            Err(_) => Docs::default(),
        }
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
        let mut rust_name = field_name(json_name);
        let mut ty = match ty {
            Some(ty) => ty,
            None => self.schema(at, &format!("{parent}{}", type_name(&rust_name)), module)?,
        };
        if matches!(ty, Type::I64 | Type::U64) && json_name.ends_with("_ms") {
            ty = Type::DurationMs;
            rust_name = rust_ident(rust_name.trim_end_matches("_ms"));
        }
        let feature = match doc_node.get("x-cargo-feature") {
            None => None,
            Some(Value::String(feature)) if is_feature_name(feature) => {
                self.features.insert(feature.clone());
                Some(feature.clone())
            }
            Some(other) => {
                return Err(self.invalid(&at.join("x-cargo-feature"), format!("`x-cargo-feature` must be a cargo feature name (letters, digits, `-`, `_`), not {other}")));
            }
        };
        if feature.is_some() && required {
            return Err(self.invalid(at, "a property behind `x-cargo-feature` cannot be required"));
        }
        Ok(Field {
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

/// Whether any JSON value of the right kind deserializes into `ty`, so it
/// must be tried last in an untagged enum.
fn is_catch_all(ty: &Type) -> bool {
    matches!(ty, Type::Json | Type::JsonObject)
        || matches!(ty, Type::Map(value) if **value == Type::Json)
}

/// A schema node with the keys written beside the `$ref`s that led to it
/// laid over it (they describe this use of the target).
fn merged_doc_node(deref: &crate::resolve::Deref<'_>) -> Value {
    let mut node = deref.node.clone();
    if let Some(target) = node.as_object_mut() {
        for (_, via) in deref.via.iter().rev() {
            if let Some(via) = via.as_object() {
                for (key, value) in via {
                    if key != "$ref" {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
    }
    node
}

/// A property and every place an `allOf` member defines it.
struct PropertySpec {
    json_name: String,
    locations: Vec<Location>,
    required: bool,
}

/// What [`Lowerer::responses`] finds.
struct Responses {
    success: SuccessResponse,
    endpoint_errors: Vec<EndpointError>,
    matrix_error_statuses: Vec<u16>,
    rate_limited: bool,
}

fn is_feature_name(name: &str) -> bool {
    !name.is_empty()
        && name != "default"
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Variant name of an error status in an endpoint's error enum.
fn status_variant(status: u16) -> String {
    match status {
        400 => "BadRequest".to_owned(),
        401 => "Unauthorized".to_owned(),
        403 => "Forbidden".to_owned(),
        404 => "NotFound".to_owned(),
        409 => "Conflict".to_owned(),
        413 => "PayloadTooLarge".to_owned(),
        429 => "TooManyRequests".to_owned(),
        200 => "Ok".to_owned(),
        201 => "Created".to_owned(),
        202 => "Accepted".to_owned(),
        204 => "NoContent".to_owned(),
        301 => "MovedPermanently".to_owned(),
        302 => "Found".to_owned(),
        303 => "SeeOther".to_owned(),
        307 => "TemporaryRedirect".to_owned(),
        308 => "PermanentRedirect".to_owned(),
        other => format!("Status{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            field_name("com.famedly.refresh_token_lifetime_ms"),
            "refresh_token_lifetime_ms"
        );
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("m.homeserver"), "homeserver");
        assert_eq!(type_name("Rate limit error"), "RateLimitError");
        assert_eq!(type_name("m.room.member"), "MRoomMember");
        assert_eq!(
            module_name("api/client-server/content-repo.yaml"),
            "content_repo"
        );
        assert_eq!(rust_ident("3pid"), "_3pid");
        for (id, snake) in [
            ("getAccount3PIDs", "get_account_3pids"),
            ("delete3pidFromAccount", "delete_3pid_from_account"),
            ("requestTokenTo3PIDMSISDN", "request_token_to_3pid_msisdn"),
            ("uploadContentToMXC", "upload_content_to_mxc"),
            ("redirectToIdP", "redirect_to_idp"),
            ("queryUserByID", "query_user_by_id"),
            ("getRoomIdByAlias", "get_room_id_by_alias"),
            ("refresh", "refresh"),
        ] {
            assert_eq!(operation_snake_case(id), snake, "{id}");
        }
        assert_eq!(
            type_name(&operation_snake_case("getAccount3PIDs")),
            "GetAccount3pids"
        );
    }
}
