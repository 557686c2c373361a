//! Type definitions other than structs: string enums, untagged unions
//! and raw (non-JSON) responses.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{EnumValue, RawResponse, TaggedUnion, TypeDef, TypeId, TypeKind, UnionVariant};

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
        // Written by serde's untagged derive; read by the runtime's macro,
        // which tries each member on the received JSON text rather than on
        // serde's buffer (from which an event envelope cannot be read).
        quote! {
            rt::untagged_enum! {
                #docs
                ///
                /// One of several shapes; deserializing tries them in this order.
                #[derive(Clone, Debug, PartialEq, serde::Serialize)]
                #[serde(untagged)]
                pub enum #name { #(#variants)* }
            }
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

    /// A string enum through the runtime's `string_enum!`, the one
    /// expansion shared with the runtime's own `ErrorCode`: unknown values
    /// kept, ordered by wire value, `From<&str>`/`From<String>`/`FromStr`,
    /// `AsRef<str>`, `Display` and serde as a plain string. The extra
    /// variant is the macro's default `Unknown` (lowering renames a value
    /// that would be `Unknown` itself), so the body is a plain enum item
    /// that the formatter prints as one.
    fn string_enum(&self, def: &TypeDef, values: &[EnumValue]) -> TokenStream {
        let name = ident(&def.name);
        let docs = self.doc_attrs(&def.docs, &[], &format!("The schema at `{}`.", def.source));
        let variants = values.iter().map(|v| {
            let variant = ident(&v.variant);
            let wire = &v.wire;
            // The macro adds the wire value to the docs and gives the
            // `cfg` to the variant's match arms too: a gated value is
            // unknown without its feature.
            let gate = v.feature.as_slice();
            let note = (!gate.is_empty()).then(|| super::docs::doc_lines(&features::note(gate)));
            let cfg = features::cfg_doc(gate);
            quote! { #note #cfg #variant = #wire, }
        });
        quote! {
            rt::string_enum! {
                #docs
                ///
                /// Values this version of the crate does not know are kept in `Unknown`.
                #[non_exhaustive]
                pub enum #name {
                    #(#variants)*
                }
            }
        }
    }
}
