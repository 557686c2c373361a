//! Type definitions other than structs: string enums, untagged unions
//! and raw (non-JSON) responses.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::model::{RawResponse, TaggedUnion, TypeDef, TypeId, TypeKind, UnionVariant};

use super::{Emitter, features, ident};

impl Emitter<'_> {
    pub(super) fn type_def(&self, id: TypeId, def: &TypeDef) -> TokenStream {
        match &def.kind {
            TypeKind::StringEnum(values) => self.string_enum(def, values),
            TypeKind::Struct(s) => self.struct_def(id, def, s),
            TypeKind::Union(variants) => self.union(def, variants),
            TypeKind::RawResponse(raw) => self.raw_response(def, raw),
            TypeKind::TaggedUnion(union) => self.tagged_union(def, union),
        }
    }

    /// serde's internally tagged enum; `Other` is untagged, so a value
    /// whose tag no variant names (or that has none, or that does not fit
    /// its variant) is kept whole and written back as received.
    fn tagged_union(&self, def: &TypeDef, union: &TaggedUnion) -> TokenStream {
        let name = ident(&def.name);
        let docs = self.doc_attrs(&def.docs, &[], &format!("The schema at `{}`.", def.source));
        let property = &union.property;
        let variants = union.variants.iter().map(|v| {
            let variant = ident(&v.variant);
            let ty = self.type_path(v.ty);
            let wire = &v.wire;
            // The wire value closes the member's own text, or stands alone.
            let wire_doc = format!("`{property}: {wire}`.");
            let described = v.docs.summary.is_some() || v.docs.description.is_some();
            let notes = if described {
                vec![wire_doc.clone()]
            } else {
                Vec::new()
            };
            let docs = self.doc_attrs(&v.docs, &notes, &wire_doc);
            quote! {
                #docs
                #[serde(rename = #wire)]
                #variant(#ty),
            }
        });
        let tag_doc = format!(
            " Told apart by `{property}`; values this version of the crate does not know are kept in `Other`."
        );
        let other = self.rust_type(&union.other);
        let other_doc = format!(
            " Any other value: a `{property}` this version of the crate does not know, none at all, or a value that does not fit its variant; kept whole."
        );
        let conversions = union
            .variants
            .iter()
            .map(|v| (ident(&v.variant), self.type_path(v.ty)))
            .chain(std::iter::once((ident("Other"), other.clone())))
            .map(|(variant, ty)| {
                quote! {
                    impl From<#ty> for #name {
                        fn from(value: #ty) -> Self {
                            Self::#variant(value)
                        }
                    }
                }
            });
        quote! {
            #docs
            ///
            #[doc = #tag_doc]
            #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
            #[serde(tag = #property)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                #[doc = #other_doc]
                #[serde(untagged)]
                Other(#other),
            }

            #(#conversions)*
        }
    }

    fn union(&self, def: &TypeDef, variants: &[UnionVariant]) -> TokenStream {
        let name = ident(&def.name);
        let docs = self.doc_attrs(&def.docs, &[], &format!("The schema at `{}`.", def.source));
        let variants = variants.iter().map(|v| {
            let variant = ident(&v.variant);
            let ty = self.rust_type(&v.ty);
            quote! { #variant(#ty), }
        });
        quote! {
            #docs
            ///
            /// One of several shapes; deserializing tries them in this order.
            #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
            #[serde(untagged)]
            pub enum #name { #(#variants)* }
        }
    }

    fn raw_response(&self, def: &TypeDef, raw: &RawResponse) -> TokenStream {
        let name = ident(&def.name);
        let docs = self.doc_attrs(&def.docs, &[], "A response without a JSON body.");
        let headers = raw.headers.iter().map(|h| {
            let field = ident(&h.rust_name);
            let docs = self.doc_attrs(
                &h.docs,
                &[format!(
                    "The `{}` header, if the server sent it.",
                    h.wire_name
                )],
                "",
            );
            quote! { #docs pub #field: Option<String>, }
        });
        let body = raw.has_body.then(|| {
            quote! {
                /// The response body, as sent.
                pub body: rt::Bytes,
            }
        });
        quote! {
            #docs
            #[derive(Clone, Debug, PartialEq)]
            #[non_exhaustive]
            pub struct #name {
                #(#headers)*
                #body
            }
        }
    }

    fn string_enum(&self, def: &TypeDef, values: &[crate::model::EnumValue]) -> TokenStream {
        let name = ident(&def.name);
        let docs = self.doc_attrs(&def.docs, &[], &format!("The schema at `{}`.", def.source));
        let variants: Vec<Ident> = values.iter().map(|v| ident(&v.variant)).collect();
        let wires: Vec<&str> = values.iter().map(|v| v.wire.as_str()).collect();
        let variant_docs = values.iter().map(|v| {
            let wire = format!("`{}`", v.wire);
            match v.feature.as_slice() {
                [] => super::docs::doc_lines(&wire),
                gate => super::docs::doc_lines(&format!("{wire}\n\n{}", features::note(gate))),
            }
        });
        // A gated value is unknown without its feature.
        let variant_gates: Vec<_> = values
            .iter()
            .map(|v| features::cfg_doc(v.feature.as_slice()))
            .collect();
        let arm_gates: Vec<_> = values
            .iter()
            .map(|v| features::cfg(v.feature.as_slice()))
            .collect();
        quote! {
            #docs
            ///
            /// Values this version of the crate does not know are kept in `Unknown`.
            #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum #name {
                #( #variant_docs #variant_gates #variants, )*
                /// A value this version of the crate does not know, kept verbatim.
                Unknown(rt::UnknownValue),
            }

            impl #name {
                /// The value as on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #( #arm_gates Self::#variants => #wires, )*
                        Self::Unknown(value) => value.as_str(),
                    }
                }
            }

            impl From<&str> for #name {
                fn from(value: &str) -> Self {
                    match value {
                        #( #arm_gates #wires => Self::#variants, )*
                        other => Self::Unknown(rt::UnknownValue::__new(other.to_owned())),
                    }
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                    Ok(Self::from(value.as_ref()))
                }
            }
        }
    }
}
