//! Stage 4: the resolved spec lowered to the typed [`model`](crate::model).
//!
//! Every construct is either understood or rejected with its file and JSON
//! pointer: nothing silently becomes `serde_json::Value` unless the spec
//! really gives no shape (a schema with no type and no structure).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::{Map, Value};

use crate::config::Config;
use crate::load::Location;
use crate::model::{
    Api, Auth, Body, Docs, EndpointError, EnumValue, Field, Module, Operation, Param, ParamIn,
    PathPart, Struct, SuccessResponse, Type, TypeDef, TypeId, TypeKind,
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
];

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

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
        modules_by_file: config
            .documents
            .iter()
            .map(|doc| (doc.clone(), module_name(doc)))
            .collect(),
    };
    let mut modules = Vec::new();
    let mut operation_ids: BTreeMap<String, Location> = BTreeMap::new();
    for document in &config.documents {
        let module = lowerer.document(document)?;
        for op in &module.operations {
            if let Some(first) = operation_ids.insert(op.operation_id.clone(), op.source.clone()) {
                return Err(LowerError::Invalid {
                    at: lowerer.describe(&op.source),
                    message: format!("operationId `{}` is also used at {first}", op.operation_id),
                });
            }
        }
        modules.push(module);
    }
    Ok(Api {
        spec_tag: spec_tag.to_owned(),
        modules,
        types: lowerer.types,
        features: lowerer.features.into_iter().collect(),
    })
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
        let taken = self.taken.entry(module.to_owned()).or_default();
        let mut name = wanted.to_owned();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{wanted}{n}");
            n += 1;
        }
        taken.insert(name.clone());
        name
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
        let prefix = type_name(&operation_id);

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
            Some(_) => {
                let body_at = at.join("requestBody");
                let body_node = self.node(&body_at)?.clone();
                let content = body_node
                    .get("content")
                    .and_then(Value::as_object)
                    .ok_or_else(|| self.invalid(&body_at, "`requestBody` has no `content`"))?;
                if content.len() != 1 || !content.contains_key("application/json") {
                    let types: Vec<&String> = content.keys().collect();
                    return Err(self.unsupported(
                        &body_at.join("content"),
                        format!("request body content types {types:?} (only application/json is supported so far)"),
                    ));
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
                Some(Body::Json {
                    ty,
                    is_request: inline_struct && !has_params,
                })
            }
        };

        let request = match &body {
            Some(Body::Json {
                ty: Type::Named(id),
                is_request: true,
            }) => *id,
            _ => {
                let name = self.claim_name(module, &format!("{prefix}Request"));
                let body_ty = body.as_ref().map(|Body::Json { ty, .. }| ty.clone());
                self.add_type(TypeDef {
                    name,
                    module: module.to_owned(),
                    docs: Docs::default(),
                    source: at.clone(),
                    kind: TypeKind::Struct(Struct {
                        fields: Vec::new(),
                        params: params.clone(),
                        body: body_ty,
                    }),
                })
            }
        };
        // The request type carries the operation's documentation.
        self.types[request.0].docs = self.docs(&node);
        if let TypeKind::Struct(s) = &mut self.types[request.0].kind {
            s.params = params;
        }

        let (response, endpoint_errors, rate_limited) =
            self.responses(&at, &node, module, &prefix)?;
        let error_type = (!endpoint_errors.is_empty())
            .then(|| self.claim_name(module, &format!("{prefix}Error")));

        Ok(Operation {
            fn_name: rust_ident(&operation_id.to_snake_case()),
            operation_id,
            request,
            method: method.to_uppercase(),
            path_template: full_path.to_owned(),
            path,
            docs: self.docs(&node),
            auth,
            body,
            response,
            endpoint_errors,
            error_type,
            rate_limited,
            source: at,
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
        let ty = self.schema(
            &real_at.join("schema"),
            &format!("{prefix}{}", type_name(&name)),
            module,
        )?;
        match &ty {
            Type::String | Type::Bool | Type::I64 | Type::U64 | Type::F64 => {}
            Type::Named(id) if matches!(self.types[id.0].kind, TypeKind::StringEnum(_)) => {}
            other => {
                return Err(self.unsupported(
                    &real_at.join("schema"),
                    format!("parameter of type {other:?} (only scalars and string enums so far)"),
                ));
            }
        }
        Ok(Param {
            rust_name: field_name(&name),
            wire_name: name,
            location,
            ty,
            required,
            docs: self.docs(&node),
        })
    }

    /// The operation's auth from its `security` list (or the document's).
    fn auth(&self, root_at: &Location, at: &Location, node: &Value) -> Result<Auth, LowerError> {
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
        let mut optional = false;
        let mut kinds = BTreeSet::new();
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
                let scheme = self.spec.deref(&scheme_at).map_err(|_| {
                    self.invalid(
                        &security_at.join(index),
                        format!(
                            "security scheme `{name}` is not defined in components.securitySchemes"
                        ),
                    )
                })?;
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
                kinds.insert(name.starts_with("appservice"));
            }
        }
        Ok(
            match (kinds.contains(&true), kinds.contains(&false), optional) {
                (false, false, _) => Auth::None,
                (true, false, false) => Auth::AppserviceToken,
                (false, true, false) => Auth::AccessToken,
                (false, true, true) => Auth::OptionalAccessToken,
                _ => {
                    return Err(
                        self.unsupported(&security_at, "this combination of security requirements")
                    );
                }
            },
        )
    }

    fn responses(
        &mut self,
        at: &Location,
        node: &Value,
        module: &str,
        prefix: &str,
    ) -> Result<(SuccessResponse, Vec<EndpointError>, bool), LowerError> {
        let responses_at = at.join("responses");
        let Some(responses) = node.get("responses").and_then(Value::as_object) else {
            return Err(self.invalid(&responses_at, "the operation has no `responses`"));
        };
        let mut success = None;
        let mut errors = Vec::new();
        let mut rate_limited = false;
        for status_text in responses.keys() {
            let response_at = responses_at.join(status_text);
            let status: u16 = status_text.parse().map_err(|_| {
                self.unsupported(&response_at, format!("response status `{status_text}`"))
            })?;
            let deref = self.spec.deref(&response_at)?;
            let real_at = deref.location.clone();
            let response = deref.node.clone();
            let json_schema_at = match response.get("content").and_then(Value::as_object) {
                None => None,
                Some(content) if content.len() == 1 && content.contains_key("application/json") => {
                    Some(
                        real_at
                            .join("content")
                            .join("application/json")
                            .join("schema"),
                    )
                }
                Some(content) => {
                    let types: Vec<&String> = content.keys().collect();
                    return Err(self.unsupported(
                        &real_at.join("content"),
                        format!("response content types {types:?}"),
                    ));
                }
            };
            if status == 429 {
                rate_limited = true;
            }
            if (200..300).contains(&status) {
                if success.is_some() {
                    return Err(self.unsupported(&response_at, "more than one success status"));
                }
                success = Some(match json_schema_at {
                    Some(schema_at) => {
                        let ty = self.schema(&schema_at, &format!("{prefix}Response"), module)?;
                        self.describe_inline(&schema_at, &ty, response.get("description"));
                        SuccessResponse::Json { status, ty }
                    }
                    None => SuccessResponse::Empty { status },
                });
            } else if (300..400).contains(&status) {
                return Err(self.unsupported(&response_at, "redirect responses"));
            } else if let Some(schema_at) = json_schema_at {
                let ty = self.schema(&schema_at, &format!("{prefix}Error{status}"), module)?;
                let matrix_error = self
                    .config
                    .known_types
                    .iter()
                    .any(|k| k.matrix_error && Type::Runtime(k.rust.clone()) == ty);
                if !matrix_error {
                    errors.push(EndpointError {
                        status,
                        variant: status_variant(status),
                        ty,
                        doc: response
                            .get("description")
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    });
                }
            }
        }
        let success = success.ok_or_else(|| {
            self.unsupported(
                &responses_at,
                "an operation without a success (2xx) response",
            )
        })?;
        Ok((success, errors, rate_limited))
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
        let name = match node.get("title").and_then(Value::as_str) {
            Some(title) => type_name(title),
            None => type_name(
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
            ),
        };
        let target_module = self
            .modules_by_file
            .get(&target.file)
            .cloned()
            .unwrap_or_else(|| "types".to_owned());
        let ty = self.schema_node(&target, &node, &name, &target_module)?;
        self.in_progress.remove(&target);
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
        let ty = match map.get("type") {
            None if map.contains_key("properties") => "object",
            None => {
                if map.keys().any(|k| STRUCTURE.contains(&k.as_str())) {
                    return Err(self.unsupported(at, "a schema with structure but no `type`"));
                }
                return Ok(Type::Json);
            }
            Some(Value::String(ty)) => ty.as_str(),
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
                match map.get("additionalProperties") {
                    None | Some(Value::Bool(true)) => Ok(Type::JsonObject),
                    Some(Value::Object(_)) => {
                        let value = self.schema(
                            &at.join("additionalProperties"),
                            &format!("{wanted}Value"),
                            module,
                        )?;
                        Ok(Type::Map(Box::new(value)))
                    }
                    Some(other) => Err(self.unsupported(
                        &at.join("additionalProperties"),
                        format!("`additionalProperties: {other}`"),
                    )),
                }
            }
            other => Err(self.unsupported(&at.join("type"), format!("`type: {other}`"))),
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
            if variants.iter().any(|v| v.variant == variant) {
                return Err(self.invalid(
                    &at.join("enum").join(index),
                    format!(
                        "enum values `{wire}` and another map to the same Rust variant `{variant}`"
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
        let mut fields: Vec<Field> = Vec::new();
        self.collect_fields(at, &name, module, &mut fields)?;
        // Make Rust names unique within the struct.
        let mut seen = BTreeSet::new();
        for field in &mut fields {
            if !seen.insert(field.rust_name.clone()) {
                field.rust_name =
                    rust_ident(&field.json_name.replace(['.', '-'], "_").to_snake_case());
                if !seen.insert(field.rust_name.clone()) {
                    return Err(self.invalid(
                        at,
                        format!("two properties map to the Rust field `{}`", field.rust_name),
                    ));
                }
            }
        }
        self.types[id.0].kind = TypeKind::Struct(Struct {
            fields,
            params: Vec::new(),
            body: None,
        });
        Ok(Type::Named(id))
    }

    /// Adds the properties of the object schema at `at` (and its `allOf`
    /// members, recursively) to `fields`; a later definition of a property
    /// refines an earlier one.
    fn collect_fields(
        &mut self,
        at: &Location,
        parent: &str,
        module: &str,
        fields: &mut Vec<Field>,
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
                self.collect_fields(&at.join("allOf").join(index), parent, module, fields)?;
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
        if map
            .get("additionalProperties")
            .is_some_and(|a| a != &Value::Bool(true))
        {
            return Err(self.unsupported(
                &at.join("additionalProperties"),
                "`additionalProperties` beside `properties`",
            ));
        }
        let required: BTreeSet<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for (json_name, _) in properties {
                let prop_at = at.join("properties").join(json_name);
                let field = self.field(
                    &prop_at,
                    json_name,
                    required.contains(json_name.as_str()),
                    parent,
                    module,
                )?;
                match fields.iter_mut().find(|f| f.json_name == *json_name) {
                    Some(existing) => {
                        let required = existing.required || field.required;
                        *existing = field;
                        existing.required = required;
                    }
                    None => fields.push(field),
                }
            }
        }
        // `required` may name properties an earlier `allOf` member defined.
        for field in fields.iter_mut() {
            if required.contains(field.json_name.as_str()) {
                field.required = true;
            }
        }
        Ok(())
    }

    fn field(
        &mut self,
        at: &Location,
        json_name: &str,
        required: bool,
        parent: &str,
        module: &str,
    ) -> Result<Field, LowerError> {
        let deref = self.spec.deref(at)?;
        // Keys beside a `$ref` describe this use of the target: they win.
        let mut doc_node = deref.node.clone();
        if let (Some(target), true) = (doc_node.as_object_mut(), !deref.via.is_empty()) {
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
        let mut rust_name = field_name(json_name);
        let mut ty = self.schema(at, &format!("{parent}{}", type_name(&rust_name)), module)?;
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
    }
}
