//! `test_support.rs`: body types by operation and part, operation
//! metadata and sample requests, for this repository's tests.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Body, Operation, ResponseKind, Type, TypeKind};

use super::structs::constructor_args;
use super::{Emitter, features, header};

impl Emitter<'_> {
    /// `test_support`: the Rust type of every JSON body by operation and
    /// part (for the tests that push the spec's examples through the
    /// generated types), every operation's metadata, and a sample request
    /// of every operation (for tests of what goes on the wire).
    pub(super) fn test_support_rs(&self) -> (TokenStream, String) {
        let mut arms = Vec::new();
        let mut metadata = Vec::new();
        let mut samples = Vec::new();
        for op in self.api.modules.iter().flat_map(|m| &m.operations) {
            let id = op.operation_id.as_str();
            // A gated operation's types exist only with its feature.
            let gate = features::cfg(op.feature.as_slice());
            if let Some(Body::Json { ty, .. }) = &op.body {
                let ty = self.rust_type(ty);
                arms.push(quote! { #gate (#id, "request") => Some(visitor.visit::<#ty>()), });
            }
            for arm in &op.response.arms {
                if let ResponseKind::Json(ty) = &arm.kind {
                    let status = arm.status.to_string();
                    let ty = self.rust_type(ty);
                    arms.push(quote! { #gate (#id, #status) => Some(visitor.visit::<#ty>()), });
                }
            }
            for error in &op.endpoint_errors {
                if let Some(ty) = &error.ty {
                    let status = error.status.to_string();
                    let ty = self.rust_type(ty);
                    arms.push(quote! { #gate (#id, #status) => Some(visitor.visit::<#ty>()), });
                }
            }
            for (status, ty) in &op.runtime_error_statuses {
                let status = status.to_string();
                let ty = self.rust_type(ty);
                arms.push(quote! { #gate (#id, #status) => Some(visitor.visit::<#ty>()), });
            }
            let request = self.type_path(op.request);
            metadata.push(quote! { #gate <#request as rt::Endpoint>::METADATA, });
            let args = self.sample_args(op);
            samples.push(quote! {
                #gate #id => Some(sample(|| Ok(<#request>::new(#(#args),*)), base_url, access_token)),
            });
        }
        let event_arms = self.api.events.iter().map(|event| {
            let ty = match &event.content {
                crate::model::EventContent::Named(id) => self.type_path(*id),
                crate::model::EventContent::Newtype { name, .. } => {
                    let name = super::ident(name);
                    quote! { crate::events::#name }
                }
            };
            let types = std::iter::once(&event.event_type).chain(&event.other_types);
            quote! { #(#types)|* => Some(visitor.visit::<#ty>()), }
        });
        // Only with events: a match of nothing but `_` is a lint.
        let event_arms: Vec<TokenStream> = event_arms.collect();
        let visit_event = (!event_arms.is_empty()).then(|| quote! {
            /// Calls `visitor` with the content type of the event type
            /// `event_type` (module `events`). `None` for an event type the
            /// spec's event schemas do not define.
            pub fn visit_event_content_type<V: BodyVisitor>(event_type: &str, visitor: V) -> Option<V::Output> {
                match event_type {
                    #(#event_arms)*
                    _ => None,
                }
            }
        });
        let tokens = quote! {
            //! Support for this repository's tests; not part of the API.

            #visit_event

            /// Something done with the Rust type of a JSON body, chosen at
            /// run time by [`visit_body_type`].
            pub trait BodyVisitor {
                /// The result.
                type Output;
                /// Called with the body's type as `T`.
                fn visit<T>(self) -> Self::Output
                where
                    T: serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug;
            }

            /// Calls `visitor` with the type of `operation_id`'s request body
            /// (`part` = `"request"`) or response body with status `part`
            /// (e.g. `"200"`). `None` when that part has no JSON body.
            pub fn visit_body_type<V: BodyVisitor>(
                operation_id: &str,
                part: &str,
                visitor: V,
            ) -> Option<V::Output> {
                match (operation_id, part) {
                    #(#arms)*
                    _ => None,
                }
            }

            /// Deserializes `value` into the type of `operation_id`'s request
            /// body (`part` = `"request"`) or response body with status `part`
            /// (e.g. `"200"`), and serializes it back. `None` when that part
            /// has no JSON body.
            pub fn roundtrip(
                operation_id: &str,
                part: &str,
                value: serde_json::Value,
            ) -> Option<Result<serde_json::Value, serde_json::Error>> {
                struct Roundtrip(serde_json::Value);
                impl BodyVisitor for Roundtrip {
                    type Output = Result<serde_json::Value, serde_json::Error>;
                    fn visit<T>(self) -> Self::Output
                    where
                        T: serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
                    {
                        let typed: T = serde_json::from_value(self.0)?;
                        serde_json::to_value(&typed)
                    }
                }
                visit_body_type(operation_id, part, Roundtrip(value))
            }

            /// Deserializes `value` like [`roundtrip`] and returns the typed
            /// value's `Debug` output. `None` when that part has no JSON body.
            pub fn debug(
                operation_id: &str,
                part: &str,
                value: serde_json::Value,
            ) -> Option<Result<String, serde_json::Error>> {
                struct DebugOf(serde_json::Value);
                impl BodyVisitor for DebugOf {
                    type Output = Result<String, serde_json::Error>;
                    fn visit<T>(self) -> Self::Output
                    where
                        T: serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
                    {
                        let typed: T = serde_json::from_value(self.0)?;
                        Ok(format!("{typed:?}"))
                    }
                }
                visit_body_type(operation_id, part, DebugOf(value))
            }

            /// The metadata of every operation, in module order.
            pub fn operations() -> Vec<rt::Metadata> {
                // Not `vec![..]`: prettyplease prints a macro's body as a
                // run of tokens, and the import pass does not look into it.
                Vec::from([#(#metadata)*])
            }

            /// Why [`sample_request`] gave no request.
            #[derive(Debug)]
            pub enum SampleError {
                /// A sample value did not deserialize into its type (a
                /// generator bug).
                Json(serde_json::Error),
                /// The request type refused to build the request.
                IntoHttp(rt::IntoHttpError),
            }

            /// Builds a request of `operation_id` with `access_token`: every
            /// path parameter that is a string is `path_param`; every other
            /// required value is a small valid sample (`"x"`, `1`, an enum's
            /// first value, an object with the required properties, an
            /// empty list or map); optional values are unset. `None` for an
            /// unknown operation.
            pub fn sample_request(
                operation_id: &str,
                path_param: &str,
                base_url: &rt::BaseUrl,
                access_token: Option<&rt::AccessToken>,
            ) -> Option<Result<rt::HttpRequest, SampleError>> {
                match operation_id {
                    #(#samples)*
                    _ => None,
                }
            }

            fn sample<E: rt::Endpoint>(
                make: impl FnOnce() -> Result<E, SampleError>,
                base_url: &rt::BaseUrl,
                access_token: Option<&rt::AccessToken>,
            ) -> Result<rt::HttpRequest, SampleError> {
                make()?
                    .try_into_http_request(base_url, access_token)
                    .map_err(SampleError::IntoHttp)
            }

            fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, SampleError> {
                serde_json::from_str(text).map_err(SampleError::Json)
            }
        };
        (
            tokens,
            header(
                "//",
                "the Matrix spec (release: spec/pin.toml) and spec/generator.toml",
            ),
        )
    }

    /// The arguments of `new` for `sample_request`.
    fn sample_args(&self, op: &Operation) -> Vec<TokenStream> {
        let TypeKind::Struct(s) = &self.api.types[op.request.0].kind else {
            return Vec::new();
        };
        constructor_args(s)
            .into_iter()
            .map(|arg| {
                if arg.path_param && *arg.ty == Type::String {
                    quote! { path_param.to_owned() }
                } else if arg.path_param && matches!(arg.ty, Type::Identifier(_)) {
                    // Any string, as a received identifier would be: the
                    // samples test path escaping, not the grammar.
                    quote! { json(&serde_json::Value::from(path_param).to_string())? }
                } else {
                    self.sample_expr(arg.ty)
                }
            })
            .collect()
    }

    /// A sample value of `ty`: JSON deserialized at run time, except for
    /// the types that are not read from JSON as such.
    fn sample_expr(&self, ty: &Type) -> TokenStream {
        match ty {
            // A bare `Duration` deserializes from `{secs, nanos}`, not
            // from the wire's milliseconds.
            Type::DurationMs | Type::DurationSecs => quote! { std::time::Duration::from_millis(1) },
            Type::Bytes => quote! { rt::Bytes::new() },
            _ => {
                let text = self.sample_json(ty, 0).to_string();
                quote! { json(#text)? }
            }
        }
    }

    /// A small JSON value that deserializes into `ty`.
    fn sample_json(&self, ty: &Type, depth: usize) -> serde_json::Value {
        use serde_json::{Value, json};
        // Required properties cannot nest forever in a value that exists;
        // the bound only guards against a cycle in a broken model.
        if depth > 16 {
            return json!({});
        }
        match ty {
            Type::String | Type::Identifier(_) => json!("x"),
            Type::Bool => json!(true),
            Type::I64 | Type::U64 | Type::DurationMs | Type::DurationSecs | Type::Timestamp => {
                json!(1)
            }
            Type::F64 => json!(1.5),
            Type::Json | Type::JsonObject | Type::Map { .. } | Type::Runtime(_) => json!({}),
            Type::Array(_) => json!([]),
            Type::Nullable(_) | Type::Bytes | Type::Unit => Value::Null,
            Type::Raw(inner) | Type::Boxed(inner) => self.sample_json(inner, depth),
            // Not a value of its own: an envelope's `type` and `content`.
            Type::EventContent => json!({}),
            Type::Named(id) | Type::Envelope { id, .. } => match &self.api.types[id.0].kind {
                TypeKind::Struct(s) => {
                    let mut object: serde_json::Map<String, Value> = s
                        .fields
                        .iter()
                        .filter(|f| f.required && f.ty != Type::EventContent)
                        .map(|f| (f.json_name.clone(), self.sample_json(&f.ty, depth + 1)))
                        .collect();
                    // An event of a type no enum knows: `Other`.
                    if s.envelope.is_some() {
                        object.insert("type".to_owned(), json!("org.example.sample"));
                        object.insert("content".to_owned(), json!({}));
                    }
                    Value::Object(object)
                }
                TypeKind::StringEnum(values) => {
                    json!(values.first().map_or("x", |v| v.wire.as_str()))
                }
                TypeKind::Union(variants) => variants
                    .first()
                    .map_or(Value::Null, |v| self.sample_json(&v.ty, depth + 1)),
                TypeKind::TaggedUnion(union) => match union.variants.first() {
                    Some(first) => {
                        let mut value = self.sample_json(&Type::Named(first.ty), depth + 1);
                        if let Value::Object(map) = &mut value {
                            map.insert(union.property.clone(), json!(first.wire));
                        }
                        value
                    }
                    None => self.sample_json(&union.other, depth + 1),
                },
                TypeKind::RawResponse(_) => Value::Null,
            },
        }
    }
}
