//! How generated code names a type: paths to generated types, Rust
//! types for model types, and the response and error types of an operation.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Operation, Param, ResponseKind, Type, TypeId};

use super::{Emitter, ident};

impl Emitter<'_> {
    pub(super) fn type_path_string(&self, id: TypeId) -> String {
        let def = &self.api.types[id.0];
        format!("crate::{}::{}", def.module, def.name)
    }

    pub(super) fn type_path(&self, id: TypeId) -> TokenStream {
        let def = &self.api.types[id.0];
        let module = ident(&def.module);
        let name = ident(&def.name);
        quote! { crate::#module::#name }
    }

    pub(super) fn rust_type(&self, ty: &Type) -> TokenStream {
        match ty {
            Type::String => quote! { String },
            Type::Bool => quote! { bool },
            Type::I64 => quote! { i64 },
            Type::U64 => quote! { u64 },
            Type::F64 => quote! { f64 },
            Type::DurationMs | Type::DurationSecs => quote! { std::time::Duration },
            Type::Timestamp => quote! { rt::Timestamp },
            Type::Json => quote! { serde_json::Value },
            Type::JsonObject => quote! { serde_json::Map<String, serde_json::Value> },
            Type::Array(item) => {
                let item = self.rust_type(item);
                quote! { Vec<#item> }
            }
            Type::Map { key, value } => {
                let key = self.rust_type(key);
                let value = self.rust_type(value);
                quote! { std::collections::BTreeMap<#key, #value> }
            }
            Type::Identifier(name) => {
                let name = ident(name);
                quote! { rt::#name }
            }
            Type::Named(id) => self.type_path(*id),
            Type::Runtime(path) => {
                let segments = path.split("::").map(ident);
                quote! { rt #(::#segments)* }
            }
            Type::Nullable(inner) => {
                let inner = self.rust_type(inner);
                quote! { Option<#inner> }
            }
            Type::Raw(inner) => {
                let inner = self.rust_type(inner);
                quote! { rt::Raw<#inner> }
            }
            Type::Boxed(inner) => {
                let inner = self.rust_type(inner);
                quote! { Box<#inner> }
            }
            Type::EventContent => quote! { C },
            Type::Envelope { id, content } => {
                let envelope = self.type_path(*id);
                let content = ident(content);
                quote! { #envelope<crate::events::#content> }
            }
            Type::Bytes => quote! { rt::Bytes },
            Type::Unit => quote! { () },
        }
    }

    pub(super) fn response_type(&self, op: &Operation) -> TokenStream {
        match &op.response.enum_name {
            Some(name) => {
                let module = ident(&self.api.types[op.request.0].module);
                let name = ident(name);
                quote! { crate::#module::#name }
            }
            None => op
                .response
                .arms
                .first()
                .and_then(|arm| self.arm_type(&arm.kind))
                .unwrap_or_else(|| quote! { () }),
        }
    }

    /// The Rust type a response carries; `None` when it has no content.
    pub(super) fn arm_type(&self, kind: &ResponseKind) -> Option<TokenStream> {
        match kind {
            ResponseKind::Json(ty) => Some(self.rust_type(ty)),
            ResponseKind::Raw(id) => Some(self.type_path(*id)),
            ResponseKind::Empty => None,
        }
    }

    pub(super) fn error_type(&self, op: &Operation, module: &str) -> TokenStream {
        match &op.error_type {
            Some(name) => {
                let module = ident(module);
                let name = ident(name);
                quote! { crate::#module::#name }
            }
            None => quote! { std::convert::Infallible },
        }
    }

    /// A parameter's field type: lists and maps are empty when unset,
    /// other optional parameters are `Option`s.
    pub(super) fn param_type(&self, param: &Param) -> TokenStream {
        let collection = matches!(param.ty, Type::Array(_) | Type::Map { .. });
        self.field_type(&param.ty, param.required || collection)
    }

    pub(super) fn field_type(&self, ty: &Type, required: bool) -> TokenStream {
        let inner = self.rust_type(ty);
        if required {
            inner
        } else {
            quote! { Option<#inner> }
        }
    }
}
