//! Typed sending (`[event_sending]`): the `with_content` constructor of
//! each operation that sends an event content, its client method, and the
//! runtime's marker traits (where a content may be sent) on each content.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{EventContent, Operation, SendContent, Struct, Type, TypeKind};

use super::docs::doc_lines;
use super::structs::constructor_args;
use super::{Emitter, features, ident};

/// The parameters of a `with_content` constructor and the arguments that
/// pass them on, in order.
struct ContentParams {
    /// `name: Type`.
    params: Vec<TokenStream>,
    /// The parameters' names.
    names: Vec<TokenStream>,
    /// The arguments of `new`.
    args: Vec<TokenStream>,
}

impl Emitter<'_> {
    /// The marker trait impls of every event content: one per place its
    /// kind may be sent to, gated like the event type.
    pub(super) fn send_place_impls(&self) -> Vec<TokenStream> {
        let mut items = Vec::new();
        for event in &self.api.events {
            let content = match &event.content {
                EventContent::Named(id) => self.type_path(*id),
                EventContent::Newtype { name, .. } => {
                    let name = ident(name);
                    quote! { #name }
                }
            };
            let impls = event.places.iter().map(|place| {
                let marker = ident(place.trait_name());
                quote! { impl rt::#marker for #content {} }
            });
            items.push(features::gate_items(quote! { #(#impls)* }, &event.features));
        }
        items
    }

    /// `with_content` of the request `request` of `op`, when it sends an
    /// event content.
    pub(super) fn content_constructor(
        &self,
        op: &Operation,
        request: &Struct,
    ) -> Option<TokenStream> {
        let send = op.send_content.as_ref()?;
        let ContentParams { params, args, .. } = self.content_params(send, request);
        let marker = ident(send.place.trait_name());
        let content_name = match &send.body_field {
            Some(field) => field.clone(),
            None => "content".to_owned(),
        };
        let what = if send.map_keys.is_empty() {
            format!("`{content_name}` as the event")
        } else {
            format!("each content in `{content_name}` as an event")
        };
        let trait_name = send.place.trait_name();
        let doc = doc_lines(&format!(
            "Creates a request sending {what}\nof the content type's event type\n([`EventContent::EVENT_TYPE`](matrix_csapi_runtime::EventContent::EVENT_TYPE)),\nwhich fills `{}`, so the two cannot disagree; the other arguments are\nthose of [`new`](Self::new), which stays for event types without a\ncontent type.\n\nIt takes contents that may be sent to {}: those implementing\n[`{trait_name}`](matrix_csapi_runtime::{trait_name}).\n\n# Errors\n\nFails when a content does not serialize to a JSON object\n([`content_object`](matrix_csapi_runtime::content_object)).",
            send.event_type_field,
            place_text(send.place),
        ));
        Some(quote! {
            #doc
            pub fn with_content<C: rt::#marker>(#(#params),*) -> Result<Self, serde_json::Error> {
                Ok(Self::new(#(#args),*))
            }
        })
    }

    /// The client method sending `op`'s request built by `with_content`,
    /// when it has one; `gate`, `response` and `error` are those of its
    /// plain method.
    pub(super) fn content_client_method(
        &self,
        op: &Operation,
        gate: &Option<TokenStream>,
        response: &TokenStream,
        error: &TokenStream,
    ) -> Option<TokenStream> {
        let send = op.send_content.as_ref()?;
        let TypeKind::Struct(request_struct) = &self.api.types[op.request.0].kind else {
            return None;
        };
        let ContentParams { params, names, .. } = self.content_params(send, request_struct);
        let marker = ident(send.place.trait_name());
        let method = ident(&crate::lower::content_method_name(&op.fn_name));
        let request = self.type_path(op.request);
        let doc = format!(
            " `{}` with a typed content: see [`with_content`]({}::with_content).",
            op.operation_id,
            self.type_path_string(op.request)
        );
        Some(quote! {
            #[doc = #doc]
            #gate
            pub async fn #method<C: rt::#marker>(&self, #(#params),*) -> Result<#response, #error> {
                let request = #request::with_content(#(#names),*).map_err(rt::IntoHttpError::Json)?;
                self.inner.send(&request).await
            }
        })
    }

    /// The parameters of `with_content` for `send` on the request struct
    /// `request`, and the arguments of its `new`.
    fn content_params(&self, send: &SendContent, request: &Struct) -> ContentParams {
        let mut params = Vec::new();
        let mut names = Vec::new();
        let mut args = Vec::new();
        for arg in constructor_args(request) {
            let name = ident(arg.name);
            if arg.name == send.event_type_field {
                args.push(quote! { C::EVENT_TYPE.to_owned() });
            } else if arg.name == "body" {
                let Some(field) = &send.body_field else {
                    params.push(self.contents_param("content", &send.map_keys));
                    names.push(quote! { content });
                    args.push(converted(quote! { content }, send.map_keys.len()));
                    continue;
                };
                let Type::Named(body_id) = arg.ty else {
                    args.push(quote! { compile_error!("the body is not a named type") });
                    continue;
                };
                let TypeKind::Struct(body) = &self.api.types[body_id.0].kind else {
                    args.push(quote! { compile_error!("the body is not a struct") });
                    continue;
                };
                let mut body_args = Vec::new();
                for body_arg in constructor_args(body) {
                    let body_name = ident(body_arg.name);
                    if body_arg.name == field {
                        params.push(self.contents_param(field, &send.map_keys));
                        names.push(quote! { #body_name });
                        body_args.push(converted(quote! { #body_name }, send.map_keys.len()));
                    } else {
                        let ty = self.rust_type(body_arg.ty);
                        params.push(quote! { #body_name: #ty });
                        names.push(quote! { #body_name });
                        body_args.push(quote! { #body_name });
                    }
                }
                let body_path = self.type_path(*body_id);
                args.push(quote! { #body_path::new(#(#body_args),*) });
            } else {
                let ty = self.rust_type(arg.ty);
                params.push(quote! { #name: #ty });
                names.push(quote! { #name });
                args.push(quote! { #name });
            }
        }
        ContentParams {
            params,
            names,
            args,
        }
    }

    /// The parameter `name` holding the content `C`, by reference, inside
    /// maps with `keys`.
    fn contents_param(&self, name: &str, keys: &[Type]) -> TokenStream {
        let name = ident(name);
        let mut ty = quote! { C };
        for key in keys.iter().rev() {
            let key = self.rust_type(key);
            ty = quote! { std::collections::BTreeMap<#key, #ty> };
        }
        quote! { #name: &#ty }
    }
}

/// `value` (a reference to the contents inside `depth` maps) as the JSON
/// objects the request holds: each content through the runtime's
/// `content_object`, the maps rebuilt around them.
fn converted(value: TokenStream, depth: usize) -> TokenStream {
    if depth == 0 {
        return quote! { rt::content_object(#value)? };
    }
    let inner = converted(quote! { value }, depth - 1);
    quote! {
        #value
            .iter()
            .map(|(key, value)| Ok((key.clone(), #inner)))
            .collect::<Result<std::collections::BTreeMap<_, _>, serde_json::Error>>()?
    }
}

/// Where a place's contents go, for docs.
fn place_text(place: crate::config::SendPlace) -> &'static str {
    use crate::config::SendPlace;
    match place {
        SendPlace::MessageLike => "a room's timeline, not as state",
        SendPlace::State => "a room's state",
        SendPlace::AccountData => "account data",
        SendPlace::ToDevice => "devices",
    }
}
