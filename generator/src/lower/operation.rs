//! A document's paths become operations: each with its parameters,
//! request type, body, auth and responses.

use serde_json::Value;

use crate::load::Location;
use crate::model::{
    Body, Docs, Module, NameOrigin, Operation, Param, Struct, Type, TypeDef, TypeKind,
};

use super::naming::{module_name, operation_snake_case, rust_ident, type_name};
use super::{LowerError, Lowerer};

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

impl Lowerer<'_> {
    pub(super) fn document(&mut self, file: &str) -> Result<Module, LowerError> {
        let root_at = Location::file(file);
        let root = self.node(&root_at)?;
        let module = module_name(file);
        let base_path = self.base_path(&root_at, root.get("servers"))?.ok_or_else(|| {
            self.invalid(
                &root_at.join("servers"),
                "the document has no `servers[0].variables.basePath.default`, so its paths have no prefix",
            )
        })?;
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
                    && key != "servers"
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
            // `servers` on a path item or an operation replaces the
            // document's (an unstable endpoint under its own prefix).
            let item_base = self.base_path(&item_at, item.get("servers"))?;
            for method in HTTP_METHODS {
                if let Some(op_node) = item.get(*method) {
                    let op_at = item_at.join(method);
                    let base = match self.base_path(&op_at, op_node.get("servers"))? {
                        Some(base) => base,
                        None => item_base.clone().unwrap_or_else(|| base_path.clone()),
                    };
                    let op = self.operation(
                        &module,
                        &root_at,
                        &format!("{base}{path}"),
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

    /// The base path that `servers` (of what is at `at`) give its paths:
    /// the first server's `variables.basePath.default` (as the spec's
    /// documents write it), or its `url` when that is a path
    /// (`/_matrix/client/unstable/...`). `None` without `servers`.
    fn base_path(
        &self,
        at: &Location,
        servers: Option<&Value>,
    ) -> Result<Option<String>, LowerError> {
        let Some(first) = servers.map(|servers| servers.get(0)) else {
            return Ok(None);
        };
        let url_path = first
            .and_then(|server| server.get("url"))
            .filter(|url| url.as_str().is_some_and(|url| url.starts_with('/')));
        let base = first
            .and_then(|server| server.pointer("/variables/basePath/default"))
            .or(url_path)
            .and_then(Value::as_str);
        match base {
            Some(base) => Ok(Some(base.trim_end_matches('/').to_owned())),
            None => Err(self.invalid(
                &at.join("servers"),
                "`servers[0]` gives no base path: write `url: /the/base/path` or `variables.basePath.default`",
            )),
        }
    }

    /// One operation, with everything it defines gated by its
    /// `x-cargo-feature`.
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
        let feature = self.own_feature(&at, &node)?;
        let mut op = self.gated(feature.clone(), |this| {
            this.ungated_operation(module, root_at, full_path, method, item_at, &node)
        })?;
        op.feature = feature;
        Ok(op)
    }

    fn ungated_operation(
        &mut self,
        module: &str,
        root_at: &Location,
        full_path: &str,
        method: &str,
        item_at: &Location,
        node: &Value,
    ) -> Result<Operation, LowerError> {
        let at = item_at.join(method);
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
        let mxc_fields = self.mxc_fields(&params, &at)?;

        let auth = self.auth(root_at, &at, node)?;
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
                    name_origin: NameOrigin::Operation,
                    title: None,
                    kind: TypeKind::Struct(Struct {
                        fields: Vec::new(),
                        params: params.clone(),
                        body: body_ty,
                        additional: None,
                        secret_additional: false,
                        envelope: None,
                    }),
                    // Set by `add_type` from where the type is defined.
                    features: Vec::new(),
                })
            }
        };
        // The request type carries the operation's documentation.
        self.types[request.0].docs = self.docs(node);
        if let TypeKind::Struct(s) = &mut self.types[request.0].kind {
            s.params = params;
        }

        let responses = self.responses(&at, node, module, &prefix)?;
        let error_type = (!responses.endpoint_errors.is_empty())
            .then(|| self.claim_name(module, &format!("{prefix}Error")));

        Ok(Operation {
            fn_name: rust_ident(&operation_snake_case(&operation_id)),
            operation_id,
            request,
            method: method.to_uppercase(),
            path_template: full_path.to_owned(),
            path,
            docs: self.docs(node),
            auth,
            body,
            response: responses.success,
            endpoint_errors: responses.endpoint_errors,
            runtime_error_statuses: responses.runtime_error_statuses,
            error_type,
            rate_limited: responses.rate_limited,
            source: at,
            mxc_fields,
            // Set by `sending`, once every operation is lowered.
            send_content: None,
            // Set by `operation`.
            feature: None,
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
}
