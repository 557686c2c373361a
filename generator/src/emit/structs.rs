//! Structs: request types and object schemas, their fields, `new`
//! constructor and, with credentials, a redacting `Debug`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::model::{Auth, Field, MxcFields, ParamIn, Struct, Type, TypeDef, TypeId};

use super::{Emitter, features, ident};

impl Emitter<'_> {
    pub(super) fn struct_def(&self, id: TypeId, def: &TypeDef, s: &Struct) -> TokenStream {
        let name = ident(&def.name);
        let operation = self
            .api
            .modules
            .iter()
            .flat_map(|m| &m.operations)
            .find(|op| op.request == id);
        let mut extra_docs = Vec::new();
        if let Some(op) = operation {
            extra_docs.push(format!(
                "`{} {}` (operation `{}`, {}). Send it with [`crate::Client::{}`] or any [`matrix_csapi_runtime::Client`].",
                op.method,
                op.path_template,
                op.operation_id,
                auth_text(op.auth),
                op.fn_name
            ));
        }
        let docs = self.doc_attrs(
            &def.docs,
            &extra_docs,
            &format!("The schema at `{}`.", def.source),
        );
        let is_body = s.params.is_empty() && s.body.is_none();
        let has_secret = s.fields.iter().any(|f| f.secret)
            || s.params.iter().any(|p| p.secret)
            || s.secret_additional;

        let mut members = Vec::new();
        for param in &s.params {
            let field = ident(&param.rust_name);
            let ty = self.param_type(param);
            let credential = param
                .secret
                .then(|| "A credential: `Debug` output shows `<redacted>`.".to_owned());
            let docs = self.doc_attrs(
                &param.docs,
                credential.as_slice(),
                &format!(
                    "The `{}` {} parameter.",
                    param.wire_name,
                    param.location.as_str()
                ),
            );
            members.push(quote! { #docs pub #field: #ty, });
        }
        if let Some(body) = &s.body {
            let ty = self.rust_type(body);
            members.push(quote! { #[doc = " The request body."] pub body: #ty, });
        }
        for field in &s.fields {
            members.push(self.struct_field(field));
        }
        if let Some(value) = &s.additional {
            let ty = self.rust_type(value);
            let secret_doc = s.secret_additional.then(|| {
                quote! {
                    ///
                    /// Credentials: `Debug` output shows their names only.
                }
            });
            members.push(quote! {
                /// The other properties, by name.
                #secret_doc
                #[serde(flatten)]
                pub additional_properties: std::collections::BTreeMap<String, #ty>,
            });
        }

        let debug = (!has_secret).then(|| quote! { Debug, });
        // With other properties, `Deserialize` is the runtime's one-pass
        // impl: the derive's `flatten` buffers the whole object first.
        // Serializing a flattened map costs nothing extra, so it stays derived.
        let one_pass = is_body && s.additional.is_some();
        let serde = match (is_body, one_pass) {
            (false, _) => None,
            (true, true) => Some(quote! { serde::Serialize, }),
            (true, false) => Some(quote! { serde::Serialize, serde::Deserialize, }),
        };
        let deserialize_impl = one_pass.then(|| one_pass_deserialize(&name, s));
        // An event envelope: generic over its content (`type` and `content`).
        let generics = s.envelope.as_ref().map(|content| {
            let content = ident(content);
            quote! { <C = crate::events::#content> }
        });
        let params = s.envelope.as_ref().map(|_| quote! { <C> });
        let serialize_bound = (s.envelope.is_some() && is_body)
            .then(|| quote! { #[serde(bound(serialize = "C: rt::EventContentFromType"))] });
        // A type whose fields are all optional gets `Default` (clippy's
        // `new_without_default`, and `..Default::default()` for users).
        let all_optional = s.params.iter().all(|p| !p.required)
            && s.body.is_none()
            && s.fields.iter().all(|f| !f.required);
        let default = all_optional.then(|| quote! { Default, });
        let derives = quote! { #[derive(Clone, #debug #default PartialEq, #serde)] };
        let debug_impl = has_secret.then(|| self.redacting_debug(&def.name, s, params.as_ref()));
        let constructor = self.constructor(s);
        let mxc_constructor = operation
            .and_then(|op| op.mxc_fields.as_ref())
            .map(|fields| self.mxc_constructor(s, fields));
        let content_constructor = operation.and_then(|op| self.content_constructor(op, s));
        quote! {
            #docs
            #derives
            #serialize_bound
            #[non_exhaustive]
            pub struct #name #generics {
                #(#members)*
            }

            impl #params #name #params {
                #constructor
                #mxc_constructor
                #content_constructor
            }

            #debug_impl

            #deserialize_impl
        }
    }

    fn struct_field(&self, field: &Field) -> TokenStream {
        let name = ident(&field.rust_name);
        let ty = self.field_type(&field.ty, field.required);
        let mut extra = Vec::new();
        if field.secret {
            extra.push("A credential: `Debug` output shows `<redacted>`.".to_owned());
        }
        if field.feature.is_some() {
            extra.push(features::note(field.feature.as_slice()));
        }
        let docs = self.doc_attrs(
            &field.docs,
            &extra,
            &format!("The `{}` property.", field.json_name),
        );
        let mut serde_args = Vec::new();
        if field.json_name != field.rust_name {
            let json = &field.json_name;
            serde_args.push(quote! { rename = #json });
        }
        if !field.required {
            serde_args.push(quote! { default, skip_serializing_if = "Option::is_none" });
        }
        if let Some(codec) = WireCodec::of(field) {
            let with = codec.serde_with();
            serde_args.push(quote! { with = #with });
        }
        if field.ty == Type::EventContent {
            serde_args = vec![quote! {
                flatten, serialize_with = "rt::events::serialize_type_and_content"
            }];
        }
        let serde_attr = (!serde_args.is_empty()).then(|| quote! { #[serde(#(#serde_args),*)] });
        let cfg = features::cfg_doc(field.feature.as_slice());
        quote! { #docs #cfg #serde_attr pub #name: #ty, }
    }

    /// `new` with the required fields as arguments; optional ones unset.
    fn constructor(&self, s: &Struct) -> TokenStream {
        let args = constructor_args(s).into_iter().map(|arg| {
            let name = ident(arg.name);
            let ty = self.rust_type(arg.ty);
            quote! { #name: #ty }
        });
        let mut inits = Vec::new();
        for param in &s.params {
            let name = ident(&param.rust_name);
            if param.required {
                inits.push(quote! { #name, });
            } else if matches!(param.ty, Type::Array(_) | Type::Map { .. }) {
                inits.push(quote! { #name: Default::default(), });
            } else {
                inits.push(quote! { #name: None, });
            }
        }
        if s.body.is_some() {
            inits.push(quote! { body, });
        }
        for field in &s.fields {
            let name = ident(&field.rust_name);
            let cfg = field
                .feature
                .as_ref()
                .map(|f| quote! { #[cfg(feature = #f)] });
            if field.required {
                inits.push(quote! { #cfg #name, });
            } else {
                inits.push(quote! { #cfg #name: None, });
            }
        }
        if s.additional.is_some() {
            inits.push(quote! { additional_properties: Default::default(), });
        }
        quote! {
            /// Creates a value from its required fields; optional fields are unset.
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits)* }
            }
        }
    }

    /// `from_mxc`: `new` with the MXC URI's server name and media ID in
    /// place of the two path parameters they fill.
    fn mxc_constructor(&self, s: &Struct, fields: &MxcFields) -> TokenStream {
        let mut params = Vec::new();
        let mut args = Vec::new();
        for arg in constructor_args(s) {
            let name = ident(arg.name);
            if arg.name == fields.server_name {
                args.push(if fields.server_name_is_string {
                    quote! { server_name.into_string() }
                } else {
                    quote! { server_name }
                });
            } else if arg.name == fields.media_id {
                args.push(quote! { media_id.to_owned() });
            } else {
                let ty = self.rust_type(arg.ty);
                params.push(quote! { #name: #ty });
                args.push(quote! { #name });
            }
        }
        let server_doc = format!(
            " Creates a request for the media at `mxc`: its server name and media ID fill `{}` and `{}`; the other arguments are those of [`new`](Self::new).",
            fields.server_name, fields.media_id
        );
        quote! {
            #[doc = #server_doc]
            ///
            /// Fails when `mxc` is not a valid MXC URI: a received one can be
            /// any string (a profile's `avatar_url` is whatever its owner set).
            pub fn from_mxc(mxc: &rt::MxcUri, #(#params),*) -> Result<Self, rt::InvalidId> {
                let (server_name, media_id) = mxc.parts()?;
                Ok(Self::new(#(#args),*))
            }
        }
    }

    fn redacting_debug(&self, name: &str, s: &Struct, params: Option<&TokenStream>) -> TokenStream {
        let type_name = ident(name);
        let impl_params = params.map(|_| quote! { <C: std::fmt::Debug> });
        let mut others: Vec<TokenStream> = s
            .params
            .iter()
            .map(|p| {
                let field = ident(&p.rust_name);
                let label = &p.rust_name;
                if p.secret {
                    let shown = redacted(&field, p.required);
                    quote! { debug.field(#label, #shown); }
                } else {
                    quote! { debug.field(#label, &self.#field); }
                }
            })
            .collect();
        if s.body.is_some() {
            others.push(quote! { debug.field("body", &self.body); });
        }
        let additional = s.additional.as_ref().map(|_| {
            if s.secret_additional {
                quote! {
                    debug.field(
                        "additional_properties",
                        &self
                            .additional_properties
                            .keys()
                            .map(|name| (name, "<redacted>"))
                            .collect::<std::collections::BTreeMap<_, _>>(),
                    );
                }
            } else {
                quote! { debug.field("additional_properties", &self.additional_properties); }
            }
        });
        let fields = s.fields.iter().map(|field| {
            let name = ident(&field.rust_name);
            let label = &field.rust_name;
            let cfg = field
                .feature
                .as_ref()
                .map(|f| quote! { #[cfg(feature = #f)] });
            if field.secret {
                let shown = redacted(&name, field.required);
                quote! { #cfg debug.field(#label, #shown); }
            } else {
                quote! { #cfg debug.field(#label, &self.#name); }
            }
        });
        quote! {
            impl #impl_params std::fmt::Debug for #type_name #params {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    let mut debug = f.debug_struct(#name);
                    #(#others)*
                    #(#fields)*
                    #additional
                    debug.finish()
                }
            }
        }
    }
}

/// A field whose wire form is not its Rust type's own: serialized through
/// a `#[serde(with = ...)]` module of the runtime, deserialized through
/// the matching wrapper of `matrix_csapi_runtime::de`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WireCodec {
    /// Optional and nullable: `Option<Option<T>>`, `null` kept apart from absent.
    Nullable,
    /// A required duration in integer milliseconds.
    DurationMs,
    /// An optional duration in integer milliseconds.
    OptionDurationMs,
    /// A required duration in integer seconds.
    DurationSecs,
    /// An optional duration in integer seconds.
    OptionDurationSecs,
}

impl WireCodec {
    fn of(field: &Field) -> Option<Self> {
        match (&field.ty, field.required) {
            (Type::Nullable(_), false) => Some(Self::Nullable),
            (Type::DurationMs, true) => Some(Self::DurationMs),
            (Type::DurationMs, false) => Some(Self::OptionDurationMs),
            (Type::DurationSecs, true) => Some(Self::DurationSecs),
            (Type::DurationSecs, false) => Some(Self::OptionDurationSecs),
            _ => None,
        }
    }

    fn serde_with(self) -> &'static str {
        match self {
            Self::Nullable => "rt::nullable",
            Self::DurationMs => "rt::duration_ms",
            Self::OptionDurationMs => "rt::duration_ms::option",
            Self::DurationSecs => "rt::duration_secs",
            Self::OptionDurationSecs => "rt::duration_secs::option",
        }
    }

    /// The `matrix_csapi_runtime::de` wrapper the one-pass `Deserialize`
    /// reads the value as.
    fn de_wrapper(self) -> TokenStream {
        match self {
            Self::Nullable => quote! { Nullable },
            Self::DurationMs => quote! { DurationMs },
            Self::OptionDurationMs => quote! { OptionDurationMs },
            Self::DurationSecs => quote! { DurationSecs },
            Self::OptionDurationSecs => quote! { OptionDurationSecs },
        }
    }
}

/// `Deserialize` for a struct with `additional_properties`, through the
/// runtime's `deserialize_object!`: named fields with the same names,
/// defaults, `with` modules and cargo features as their serde attributes.
fn one_pass_deserialize(name: &Ident, s: &Struct) -> TokenStream {
    let mut fused = None;
    let fields = s.fields.iter().filter_map(|field| {
        if field.ty == Type::EventContent {
            let rust = ident(&field.rust_name);
            fused = Some(quote! { type and content: #rust });
            return None;
        }
        let rust = ident(&field.rust_name);
        // The runtime's macro takes the field's own name when none is given.
        let json = &field.json_name;
        let rename = (json != &field.rust_name).then(|| quote! { = #json });
        let kind = if field.required {
            quote! { required }
        } else {
            quote! { optional }
        };
        let with = WireCodec::of(field).map(|codec| {
            let wrapper = codec.de_wrapper();
            quote! { with #wrapper }
        });
        let cfg = field
            .feature
            .as_ref()
            .map(|f| quote! { #[cfg(feature = #f)] });
        Some(quote! { #cfg #kind #rust #rename #with, })
    });
    let fields: Vec<TokenStream> = fields.collect();
    let params = s.envelope.as_ref().map(|_| quote! { <C> });
    quote! {
        rt::deserialize_object! {
            #name #params { #(#fields)* }
            #fused
        }
    }
}

/// One argument of a struct's `new`.
pub(super) struct ConstructorArg<'a> {
    pub(super) name: &'a str,
    pub(super) ty: &'a Type,
    /// Whether it is a path parameter.
    pub(super) path_param: bool,
}

/// The arguments of a struct's `new`, in order: required parameters, the
/// body, required fields.
pub(super) fn constructor_args(s: &Struct) -> Vec<ConstructorArg<'_>> {
    let params = s
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| ConstructorArg {
            name: &p.rust_name,
            ty: &p.ty,
            path_param: p.location == ParamIn::Path,
        });
    let body = s.body.iter().map(|ty| ConstructorArg {
        name: "body",
        ty,
        path_param: false,
    });
    let fields = s
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| ConstructorArg {
            name: &f.rust_name,
            ty: &f.ty,
            path_param: false,
        });
    params.chain(body).chain(fields).collect()
}

/// What `Debug` shows for a credential field: `"<redacted>"`, or for an
/// optional one `Some("<redacted>")`/`None`, so presence stays visible.
fn redacted(field: &Ident, required: bool) -> TokenStream {
    if required {
        quote! { &"<redacted>" }
    } else {
        quote! { &self.#field.as_ref().map(|_| "<redacted>") }
    }
}

fn auth_text(auth: Auth) -> &'static str {
    match auth {
        Auth::None => "no authentication: no access token is ever sent",
        Auth::AccessToken => "requires an access token",
        Auth::OptionalAccessToken => "an access token is sent when the client has one",
        Auth::AppserviceToken => "requires an application service token",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Docs, Param};

    fn param(name: &str, location: ParamIn, required: bool) -> Param {
        Param {
            wire_name: name.to_owned(),
            rust_name: name.to_owned(),
            location,
            ty: Type::String,
            required,
            docs: Docs::default(),
            secret: false,
            bounds: None,
        }
    }

    fn field(name: &str, required: bool) -> Field {
        Field {
            json_name: name.to_owned(),
            rust_name: name.to_owned(),
            ty: Type::Bool,
            required,
            docs: Docs::default(),
            secret: false,
            bounds: None,
            feature: None,
        }
    }

    #[test]
    fn constructor_takes_required_params_then_body_then_required_fields() {
        let s = Struct {
            fields: vec![field("a", true), field("b", false), field("c", true)],
            params: vec![
                param("limit", ParamIn::Query, false),
                param("room_id", ParamIn::Path, true),
                param("since", ParamIn::Query, true),
            ],
            body: Some(Type::Json),
            additional: None,
            secret_additional: false,
            envelope: None,
        };
        let args: Vec<(&str, bool)> = constructor_args(&s)
            .iter()
            .map(|arg| (arg.name, arg.path_param))
            .collect();
        assert_eq!(
            args,
            [
                ("room_id", true),
                ("since", false),
                ("body", false),
                ("a", false),
                ("c", false)
            ]
        );
    }
}
