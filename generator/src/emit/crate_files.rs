//! The crate's own files: Cargo.toml, lib.rs, client.rs, and one
//! module file per document (plus `types`) gathering its items.

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::Config;
use crate::model::TypeId;

use super::docs::{doc_lines, inner_doc_lines};
use super::{Emitter, features, header, ident};

impl Emitter<'_> {
    pub(super) fn cargo_toml(&self, config: &Config) -> String {
        let mut features = String::from("default = [\"client\"]\n");
        features.push_str("# The async client over reqwest; without it the crate is sans-IO.\n");
        features.push_str("client = [\"matrix-csapi-runtime/client\"]\n");
        features.push_str(
            "# For this repository's tests only (spec example round trips); not an API.\n",
        );
        features.push_str("test-support = []\n");
        for feature in &self.api.features {
            features.push_str(
                "# Experimental items (`x-cargo-feature` in the spec or an overlay in spec/overlays).\n",
            );
            features.push_str(&format!("{feature} = []\n"));
        }
        let krate = &config.krate;
        let mut package = format!(
            "name = {:?}\nversion = {:?}\ndescription = {:?}\nedition = \"2024\"\nrust-version = \"1.85\"\nlicense = \"Apache-2.0\"\n",
            krate.name, krate.version, krate.description
        );
        for (key, value) in [
            ("repository", &krate.repository),
            ("documentation", &krate.documentation),
        ] {
            if let Some(value) = value {
                package.push_str(&format!("{key} = {value:?}\n"));
            }
        }
        if !krate.publish {
            package.push_str("publish = false\n");
        }
        // A published crate names the runtime by version; the path is for
        // this workspace (cargo drops it when packaging).
        let runtime = &krate.runtime;
        let runtime_version = runtime
            .version
            .as_ref()
            .map(|version| format!("version = {version:?}, "))
            .unwrap_or_default();
        format!(
            "{header}\n[package]\n{package}\n[package.metadata.docs.rs]\n# Experimental items too, each with the features it needs (doc(cfg)).\nall-features = true\nrustdoc-args = [\"--cfg\", \"docsrs\"]\n\n[lib]\n# The docs are the spec's prose, not Rust examples.\ndoctest = false\n\n[features]\n{features}\n[dependencies]\nmatrix-csapi-runtime = {{ {runtime_version}path = {path:?}, default-features = false }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n",
            header = header("#", &self.spec_source()),
            path = runtime.path,
        )
    }

    pub(super) fn lib_rs(&self, config: &Config) -> (TokenStream, String) {
        let mods = self.api.modules.iter().map(|m| {
            let name = ident(&m.name);
            let doc = format!(
                " {} (`{}`).",
                m.title.as_deref().unwrap_or("Operations"),
                m.source
            );
            quote! { #[doc = #doc] pub mod #name; }
        });
        let types_mod = self
            .api
            .types
            .iter()
            .any(|t| t.module == "types")
            .then(|| quote! { #[doc = " Types shared between modules."] pub mod types; });
        let events_mod = (!self.api.events.is_empty()).then(|| {
            quote! {
                #[doc = " Event contents, one type per event type of the spec's event schemas."]
                pub mod events;
            }
        });
        let crate_doc = format!(
            "{}\n\nGenerated from the Matrix client-server API {} by `cargo xtask gen`.\nEach module is one document of the spec; each operation is a request\ntype implementing [`runtime::Endpoint`], and a method on `Client`\n(with the default `client` feature).",
            config.krate.description, self.api.spec_tag
        );
        let crate_doc = inner_doc_lines(&crate_doc);
        let tokens = quote! {
            #crate_doc
            #![cfg_attr(docsrs, feature(doc_cfg))]
            #![allow(clippy::too_many_arguments, clippy::large_enum_variant, clippy::type_complexity)]
            pub use matrix_csapi_runtime as runtime;
            pub use matrix_csapi_runtime::{AccessToken, BaseUrl, Endpoint, ErrorBody, ErrorCode, MatrixError};
            pub use matrix_csapi_runtime::ids::{
                self, EventId, InvalidId, MxcUri, RoomAlias, RoomId, RoomIdOrAlias, ServerName,
                UnpaddedBase64, UrlSafeUnpaddedBase64, UserId,
            };
            #(#mods)*
            #types_mod
            #events_mod
            #[cfg(feature = "test-support")]
            #[doc(hidden)]
            pub mod test_support;
            #[cfg(feature = "client")]
            mod client;
            #[cfg(feature = "client")]
            pub use client::Client;
        };
        (tokens, header("//", &self.spec_source()))
    }

    pub(super) fn client_rs(&self) -> (TokenStream, String) {
        let methods = self.api.modules.iter().flat_map(|m| {
            m.operations.iter().map(move |op| {
                let gate = features::cfg_doc(op.feature.as_slice());
                let name = ident(&op.fn_name);
                let request = self.type_path(op.request);
                let response = self.response_type(op);
                // `rt::Error` alone when the endpoint has no error type of
                // its own (the runtime's default, `Infallible`).
                let error = match &op.error_type {
                    Some(_) => {
                        let error = self.error_type(op, &m.name);
                        quote! { rt::Error<#error> }
                    }
                    None => quote! { rt::Error },
                };
                let doc = doc_lines(&format!(
                    "{}\n\n`{} {}`: see [`{}`].",
                    op.docs.summary.as_deref().unwrap_or(&op.operation_id),
                    op.method,
                    op.path_template,
                    self.type_path_string(op.request)
                ));
                let content_method = self.content_client_method(op, &gate, &response, &error);
                quote! {
                    #doc
                    #gate
                    pub async fn #name(&self, request: #request) -> Result<#response, #error> {
                        self.inner.send(&request).await
                    }
                    #content_method
                }
            })
        });
        let tokens = quote! {
            //! The async client: one method per operation.
            use rt::BaseUrl;

            /// A client for a homeserver: one method per operation of the spec.
            ///
            /// It dereferences to the runtime's [`matrix_csapi_runtime::Client`] for the
            /// access token, the base URL and [`send`](matrix_csapi_runtime::Client::send).
            #[derive(Clone, Debug)]
            pub struct Client {
                inner: rt::Client,
            }

            impl Client {
                /// A client for the homeserver at `base_url`, without an access token.
                pub fn new(base_url: BaseUrl) -> Client {
                    Client { inner: rt::Client::new(base_url) }
                }
                #(#methods)*
            }

            impl From<rt::Client> for Client {
                fn from(inner: rt::Client) -> Client {
                    Client { inner }
                }
            }

            impl std::ops::Deref for Client {
                type Target = rt::Client;
                fn deref(&self) -> &rt::Client {
                    &self.inner
                }
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

    pub(super) fn module_rs(&self, module: &str) -> (TokenStream, String) {
        let mut items = Vec::new();
        for (index, def) in self.api.types.iter().enumerate() {
            if def.module == module {
                let def_tokens = self.type_def(TypeId(index), def);
                items.push(features::gate_items(def_tokens, &def.features));
            }
        }
        // The release is named in lib.rs and Cargo.toml only, so a spec
        // update changes only the files whose content changes.
        let mut source = "the Matrix spec (release: spec/pin.toml)".to_owned();
        if let Some(m) = self.api.modules.iter().find(|m| m.name == module) {
            source = format!("{} of the Matrix spec (release: spec/pin.toml)", m.source);
            for op in &m.operations {
                let mut op_items = self.endpoint_impl(op);
                op_items.extend(self.response_enum(op));
                op_items.extend(self.endpoint_error_enum(op));
                items.push(features::gate_items(op_items, op.feature.as_slice()));
            }
        }
        if module == crate::lower::EVENTS_MODULE {
            source = "the event schemas of the Matrix spec (release: spec/pin.toml)".to_owned();
            items.extend(self.event_items());
            items.extend(self.send_place_impls());
        }
        let tokens = quote! { #(#items)* };
        (tokens, header("//", &source))
    }
}
