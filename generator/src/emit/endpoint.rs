//! Each operation's `Endpoint` impl (building the request, reading the
//! response) and its response and error enums.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::model::{
    Auth, Body, Bounds, Operation, Param, ParamIn, PathPart, ResponseKind, Type, TypeId, TypeKind,
};

use super::docs::{doc_lines, sanitize_doc};
use super::{Emitter, ident};

impl Emitter<'_> {
    /// An expression building the [`RawResponse`] type `id` from `response`.
    fn raw_response_expr(&self, id: TypeId) -> TokenStream {
        let path = self.type_path(id);
        let TypeKind::RawResponse(raw) = &self.api.types[id.0].kind else {
            return quote! { compile_error!("not a raw response type") };
        };
        let headers = raw.headers.iter().map(|h| {
            let field = ident(&h.rust_name);
            let wire = h.wire_name.to_lowercase();
            quote! { #field: rt::response_header(&response, #wire)?, }
        });
        let body = raw.has_body.then(|| quote! { body: response.into_body(), });
        quote! { #path { #(#headers)* #body } }
    }

    pub(super) fn endpoint_impl(&self, op: &Operation) -> TokenStream {
        let request = ident(&self.api.types[op.request.0].name);
        let operation_id = &op.operation_id;
        let method = ident(&op.method);
        let template = &op.path_template;
        let auth = match op.auth {
            Auth::None => quote! { None },
            Auth::AccessToken => quote! { AccessToken },
            Auth::OptionalAccessToken => quote! { OptionalAccessToken },
            Auth::AppserviceToken => quote! { AppserviceToken },
        };
        let added_in = match &op.docs.added_in {
            Some(v) => quote! { Some(#v) },
            None => quote! { None },
        };
        let rate_limited = op.rate_limited;
        let deprecated = op.docs.deprecated;
        let response = self.response_type(op);
        let module = &self.api.types[op.request.0].module;
        let error = self.error_type(op, module);

        let params: &[Param] = match &self.api.types[op.request.0].kind {
            TypeKind::Struct(s) => &s.params,
            _ => &[],
        };
        let bound_checks = self.bound_checks(op);
        let mut path_steps = Vec::new();
        let mut first = String::new();
        for (index, part) in op.path.iter().enumerate() {
            match part {
                PathPart::Literal(text) if index == 0 => first = text.clone(),
                PathPart::Literal(text) => path_steps.push(quote! { path.push_literal(#text); }),
                PathPart::Param(name) => {
                    let field = ident(name);
                    let param = params.iter().find(|p| &p.rust_name == name);
                    let value = match param {
                        Some(p) => self.value_str(&p.ty, quote! { self.#field }, false),
                        None => quote! { "" },
                    };
                    path_steps.push(quote! { path.push_param(#value); });
                }
            }
        }
        let query_steps: Vec<TokenStream> = params
            .iter()
            .filter(|p| p.location == ParamIn::Query)
            .map(|p| {
                let field = ident(&p.rust_name);
                let wire = &p.wire_name;
                match &p.ty {
                    // A list repeats the name; a map sends each entry as
                    // its own name (OpenAPI's default `form` style, exploded).
                    Type::Array(item) => {
                        let value = self.value_str(item, quote! { value }, true);
                        quote! { for value in &self.#field { query.push(#wire, #value); } }
                    }
                    Type::Map { .. } => {
                        quote! { for (name, value) in &self.#field { query.push(name, value); } }
                    }
                    _ if p.required => {
                        let value = self.value_str(&p.ty, quote! { self.#field }, false);
                        quote! { query.push(#wire, #value); }
                    }
                    _ => {
                        let value = self.value_str(&p.ty, quote! { value }, true);
                        quote! { if let Some(value) = &self.#field { query.push(#wire, #value); } }
                    }
                }
            })
            .collect();
        // Header parameters; with a raw body, `Content-Type` is its content
        // type rather than a header of its own.
        let raw_body_content_type = params
            .iter()
            .filter(|_| matches!(op.body, Some(Body::Bytes { .. })))
            .find(|p| {
                p.location == ParamIn::Header && p.wire_name.eq_ignore_ascii_case("content-type")
            });
        let header_steps: Vec<TokenStream> = params
            .iter()
            .filter(|p| p.location == ParamIn::Header)
            .filter(|p| !raw_body_content_type.is_some_and(|ct| std::ptr::eq(ct, *p)))
            .map(|p| {
                let field = ident(&p.rust_name);
                let wire = p.wire_name.to_lowercase();
                if p.required {
                    let value = self.value_str(&p.ty, quote! { self.#field }, false);
                    quote! { rt::insert_header(&mut request, #wire, #value)?; }
                } else {
                    let value = self.value_str(&p.ty, quote! { value }, true);
                    quote! {
                        if let Some(value) = &self.#field {
                            rt::insert_header(&mut request, #wire, #value)?;
                        }
                    }
                }
            })
            .collect();
        let path_mut = (!path_steps.is_empty()).then(|| quote! { mut });
        let query_code = if query_steps.is_empty() {
            quote! { let path_and_query = path.finish(); }
        } else {
            quote! {
                let mut query = rt::QueryBuilder::new();
                #(#query_steps)*
                let path_and_query = path.finish() + &query.finish();
            }
        };
        let body = match &op.body {
            None => quote! { rt::RequestBody::Empty },
            Some(Body::Json {
                is_request: true, ..
            }) => quote! { rt::json_body(self)? },
            Some(Body::Json {
                is_request: false, ..
            }) => quote! { rt::json_body(&self.body)? },
            Some(Body::Bytes {
                default_content_type,
            }) => {
                let content_type = match raw_body_content_type {
                    Some(p) if p.required => {
                        let field = ident(&p.rust_name);
                        quote! { self.#field.clone() }
                    }
                    Some(p) => {
                        let field = ident(&p.rust_name);
                        quote! { self.#field.clone().unwrap_or_else(|| #default_content_type.to_owned()) }
                    }
                    None => quote! { #default_content_type.to_owned() },
                };
                quote! {
                    rt::RequestBody::Raw {
                        content_type: #content_type,
                        data: self.body.clone(),
                    }
                }
            }
        };
        let build = if header_steps.is_empty() {
            quote! { rt::build_request(&Self::METADATA, base_url, &path_and_query, access_token, #body) }
        } else {
            quote! {
                let mut request = rt::build_request(&Self::METADATA, base_url, &path_and_query, access_token, #body)?;
                #(#header_steps)*
                Ok(request)
            }
        };
        let success = self.success_arms(op);
        let mut error_arms: Vec<TokenStream> = op
            .endpoint_errors
            .iter()
            .map(|e| {
                let status = Literal::u16_unsuffixed(e.status);
                let variant = ident(&e.variant);
                let error_name = op.error_type.as_deref().map(ident);
                match e.ty {
                    Some(_) => quote! {
                        #status => Err(rt::endpoint_error_response(response, #error_name::#variant)),
                    },
                    None => quote! {
                        #status => Err(rt::documented_status_response(response, #error_name::#variant)),
                    },
                }
            })
            .collect();
        // Documented statuses with an error body the runtime knows, so a
        // body that does not fit says "documented" rather than
        // "undocumented".
        if !op.runtime_error_statuses.is_empty() {
            let statuses = op
                .runtime_error_statuses
                .iter()
                .map(|(status, _)| Literal::u16_unsuffixed(*status));
            error_arms.push(quote! {
                #(#statuses)|* => Err(rt::documented_error_response(response)),
            });
        }
        quote! {
            impl rt::Endpoint for #request {
                const METADATA: rt::Metadata = rt::Metadata {
                    operation_id: #operation_id,
                    method: rt::http::Method::#method,
                    path_template: #template,
                    auth: rt::AuthScheme::#auth,
                    added_in: #added_in,
                    rate_limited: #rate_limited,
                    deprecated: #deprecated,
                };
                type Response = #response;
                type Error = #error;

                fn try_into_http_request(
                    &self,
                    base_url: &rt::BaseUrl,
                    access_token: Option<&rt::AccessToken>,
                ) -> rt::RequestResult {
                    #(#bound_checks)*
                    let #path_mut path = rt::PathBuilder::new(#first);
                    #(#path_steps)*
                    #query_code
                    #build
                }

                fn try_from_http_response(response: rt::HttpResponse) -> rt::ResponseResult<Self> {
                    match response.status().as_u16() {
                        #(#success)*
                        #(#error_arms)*
                        _ => Err(rt::error_response(response)),
                    }
                }
            }
        }
    }

    /// `check_bounds` calls for the request's bounded parameters and body
    /// fields (the request's own, or its body type's), so an out-of-range
    /// value is refused before anything is built.
    fn bound_checks(&self, op: &Operation) -> Vec<TokenStream> {
        let TypeKind::Struct(request) = &self.api.types[op.request.0].kind else {
            return Vec::new();
        };
        let check = |name: &str,
                     ty: &Type,
                     required: bool,
                     place: TokenStream,
                     bounds: Bounds,
                     feature: Option<&String>| {
            let as_wire = match ty {
                Type::DurationMs => {
                    quote! { i128::try_from(rt::duration_ms::wire_millis(v)).unwrap_or(i128::MAX) }
                }
                Type::DurationSecs => quote! { i128::from(rt::duration_secs::wire_secs(v)) },
                Type::Timestamp => quote! { i128::from(v.as_millis()) },
                _ => quote! { i128::from(*v) },
            };
            let value = if required {
                quote! { Some({ let v = &#place; #as_wire }) }
            } else {
                quote! { #place.as_ref().map(|v| #as_wire) }
            };
            let unit = match ty {
                Type::DurationMs | Type::Timestamp => " ms",
                Type::DurationSecs => " s",
                _ => "",
            };
            let bound = |b: Option<i64>| match b {
                Some(b) => quote! { Some(#b) },
                None => quote! { None },
            };
            let (min, max) = (bound(bounds.min), bound(bounds.max));
            let cfg = feature.map(|f| quote! { #[cfg(feature = #f)] });
            quote! { #cfg rt::check_bounds(#name, #value, #min, #max, #unit)?; }
        };
        let mut checks = Vec::new();
        for param in &request.params {
            if let Some(bounds) = param.bounds {
                let field = ident(&param.rust_name);
                checks.push(check(
                    &param.wire_name,
                    &param.ty,
                    param.required,
                    quote! { self.#field },
                    bounds,
                    None,
                ));
            }
        }
        // The body's fields: the request's own, or those of the type it
        // holds in `body`.
        let (body_fields, holder): (&[crate::model::Field], TokenStream) = match &op.body {
            Some(Body::Json {
                is_request: true, ..
            }) => (&request.fields, quote! { self }),
            Some(body) => match body.wrapped_type().map(|id| &self.api.types[id.0].kind) {
                Some(TypeKind::Struct(wrapped)) => (&wrapped.fields, quote! { self.body }),
                _ => (&[], quote! { self }),
            },
            None => (&[], quote! { self }),
        };
        for field in body_fields {
            let name = ident(&field.rust_name);
            let place = quote! { #holder.#name };
            if let Some(bounds) = field.bounds {
                checks.push(check(
                    &field.json_name,
                    &field.ty,
                    field.required,
                    place,
                    bounds,
                    field.feature.as_ref(),
                ));
            }
        }
        checks
    }

    /// Match arms turning the success and redirect statuses into the
    /// response type.
    fn success_arms(&self, op: &Operation) -> Vec<TokenStream> {
        let response = &op.response;
        let kind_expr = |kind: &ResponseKind| match kind {
            ResponseKind::Json(_) => quote! { rt::json_response(&response)? },
            ResponseKind::Empty => quote! { () },
            ResponseKind::Raw(id) => self.raw_response_expr(*id),
        };
        match &response.enum_name {
            // One status: its body is the response.
            None => response
                .arms
                .iter()
                .map(|arm| {
                    let status = Literal::u16_unsuffixed(arm.status);
                    let expr = kind_expr(&arm.kind);
                    quote! { #status => Ok(#expr), }
                })
                .collect(),
            Some(name) => {
                let name = ident(name);
                response
                    .arms
                    .iter()
                    .map(|arm| {
                        let status = Literal::u16_unsuffixed(arm.status);
                        let variant = ident(&arm.variant);
                        match &arm.kind {
                            ResponseKind::Empty => quote! { #status => Ok(#name::#variant), },
                            kind => {
                                let expr = kind_expr(kind);
                                quote! { #status => Ok(#name::#variant(#expr)), }
                            }
                        }
                    })
                    .collect()
            }
        }
    }

    /// The enum of an operation's success and redirect responses, when
    /// their shapes differ.
    pub(super) fn response_enum(&self, op: &Operation) -> Option<TokenStream> {
        let name = ident(op.response.enum_name.as_deref()?);
        let doc = format!(" The responses of `{}`, by status.", op.operation_id);
        let variants = op.response.arms.iter().map(|arm| {
            let variant = ident(&arm.variant);
            let doc = format!(
                "{}: {}",
                arm.status,
                arm.doc.as_deref().unwrap_or("").trim()
            );
            let doc = doc_lines(&sanitize_doc(&doc, &self.api.spec_tag));
            match self.arm_type(&arm.kind) {
                Some(ty) => quote! { #doc #variant(#ty), },
                None => quote! { #doc #variant, },
            }
        });
        Some(quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, PartialEq)]
            #[non_exhaustive]
            pub enum #name { #(#variants)* }
        })
    }

    /// An expression giving `&str` for a parameter value.
    /// An expression giving `&str` for a value of a scalar type; `value`
    /// is a place, or a reference when `is_ref`.
    fn value_str(&self, ty: &Type, value: TokenStream, is_ref: bool) -> TokenStream {
        match ty {
            Type::String if is_ref => value,
            Type::String => quote! { &#value },
            Type::Named(_) | Type::Identifier(_) => quote! { #value.as_str() },
            Type::DurationMs if is_ref => {
                quote! { &rt::duration_ms::wire_millis(#value).to_string() }
            }
            Type::DurationMs => {
                quote! { &rt::duration_ms::wire_millis(&#value).to_string() }
            }
            Type::DurationSecs if is_ref => {
                quote! { &rt::duration_secs::wire_secs(#value).to_string() }
            }
            Type::DurationSecs => {
                quote! { &rt::duration_secs::wire_secs(&#value).to_string() }
            }
            Type::Timestamp => quote! { &#value.as_millis().to_string() },
            _ => quote! { &#value.to_string() },
        }
    }

    pub(super) fn endpoint_error_enum(&self, op: &Operation) -> Option<TokenStream> {
        let name = ident(op.error_type.as_deref()?);
        let doc = format!(
            " Documented error responses of `{}` other than the standard Matrix error and user-interactive auth (which every endpoint's error recognises).",
            op.operation_id
        );
        let variants = op.endpoint_errors.iter().map(|e| {
            let variant = ident(&e.variant);
            let doc = format!(" {}: {}", e.status, e.doc.as_deref().unwrap_or("").trim());
            let doc = sanitize_doc(&doc, &self.api.spec_tag);
            match &e.ty {
                Some(ty) => {
                    let ty = self.rust_type(ty);
                    quote! { #[doc = #doc] #variant(#ty), }
                }
                None => quote! { #[doc = #doc] #variant, },
            }
        });
        Some(quote! {
            #[doc = #doc]
            #[derive(Clone, Debug, PartialEq)]
            #[non_exhaustive]
            pub enum #name { #(#variants)* }
        })
    }
}
