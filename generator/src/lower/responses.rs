//! An operation's responses: the success type (one status, or an enum
//! by status), endpoint-specific errors and raw (non-JSON) responses.

use serde_json::Value;

use crate::load::Location;
use crate::model::{
    EndpointError, NameOrigin, RawResponse, ResponseArm, ResponseHeader, ResponseKind,
    SuccessResponse, Type, TypeDef, TypeId, TypeKind,
};

use super::naming::{field_name, type_name};
use super::{LowerError, Lowerer};

impl Lowerer<'_> {
    pub(super) fn responses(
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
        let mut runtime_error_statuses = Vec::new();
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
            let deref_via_empty = deref.via.is_empty();
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
                            let shared = !deref_via_empty;
                            ResponseKind::Raw(self.raw_response(
                                &real_at, &response, &name, module, has_body, shared,
                            )?)
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
                let runtime_error = self
                    .config
                    .known_types
                    .iter()
                    .any(|k| k.runtime_error && Type::Runtime(k.rust.clone()) == ty);
                if runtime_error {
                    runtime_error_statuses.push((status, ty));
                } else {
                    endpoint_errors.push(EndpointError {
                        status,
                        variant: status_variant(status),
                        ty: Some(ty),
                        doc: description,
                    });
                }
            } else if content.is_some_and(|c| !c.is_empty()) {
                return Err(self.unsupported(
                    &real_at.join("content"),
                    "an error response with non-JSON content",
                ));
            } else {
                // Documented without a body (e.g. `.well-known` 404s: "No
                // server support information available"): an outcome of
                // its own, not an "undocumented status".
                endpoint_errors.push(EndpointError {
                    status,
                    variant: status_variant(status),
                    ty: None,
                    doc: description,
                });
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
            runtime_error_statuses,
            rate_limited,
        })
    }

    /// A type for a non-JSON response: its declared headers (each an
    /// optional string) and, when it has content, its bytes. A `shared`
    /// response (a referenced component) is one type for every operation
    /// that uses it, so it is not gated by the operation's feature.
    fn raw_response(
        &mut self,
        at: &Location,
        response: &Value,
        wanted: &str,
        module: &str,
        has_body: bool,
        shared: bool,
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
            name_origin: NameOrigin::Operation,
            title: None,
            kind: TypeKind::RawResponse(RawResponse { headers, has_body }),
            // Set by `add_type` from where the type is defined.
            features: Vec::new(),
        });
        if shared {
            self.types[id.0].features.clear();
        }
        self.raw_memo.insert(at.clone(), id);
        Ok(id)
    }
}

/// What [`Lowerer::responses`] finds.
pub(super) struct Responses {
    pub(super) success: SuccessResponse,
    pub(super) endpoint_errors: Vec<EndpointError>,
    pub(super) runtime_error_statuses: Vec<(u16, Type)>,
    pub(super) rate_limited: bool,
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
    fn statuses_name_their_variants() {
        assert_eq!(status_variant(200), "Ok");
        assert_eq!(status_variant(307), "TemporaryRedirect");
        assert_eq!(status_variant(404), "NotFound");
        assert_eq!(status_variant(429), "TooManyRequests");
        assert_eq!(status_variant(418), "Status418");
    }
}
