//! The module `events`: each event content's `EventContent` impl (its
//! event type and kind), and the enums of contents told apart by a property
//! (`m.room.message` by `msgtype`). The content structs themselves are
//! types like any other (`structs`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::EventKindName;
use crate::model::{ContentEnum, Event, EventContent};

use super::{Emitter, ident};

impl Emitter<'_> {
    /// The items of the module `events` besides its structs.
    pub(super) fn event_items(&self) -> Vec<TokenStream> {
        let mut items = Vec::new();
        for event in &self.api.events {
            let content = match &event.content {
                EventContent::Struct(id) => self.type_path(*id),
                EventContent::Newtype { name, ty, docs } => {
                    let name = ident(name);
                    let ty = self.rust_type(ty);
                    let docs = self.doc_attrs(docs, &[], "");
                    items.push(quote! {
                        #docs
                        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
                        #[serde(transparent)]
                        pub struct #name(pub #ty);
                    });
                    quote! { #name }
                }
                EventContent::ByProperty(by) => {
                    items.push(self.content_enum(event, by));
                    let name = ident(&by.name);
                    quote! { #name }
                }
            };
            let event_type = &event.event_type;
            let others = &event.other_types;
            let kind = ident(match event.kind {
                EventKindName::State => "State",
                EventKindName::Room => "Room",
                EventKindName::Basic => "Basic",
            });
            let others = (!others.is_empty()).then(|| {
                quote! { const OTHER_EVENT_TYPES: &'static [&'static str] = &[#(#others),*]; }
            });
            items.push(quote! {
                impl rt::EventContent for #content {
                    const EVENT_TYPE: &'static str = #event_type;
                    #others
                    const KIND: rt::EventKind = rt::EventKind::#kind;
                }
            });
        }
        items
    }

    /// The enum of an event's contents by the value of one property, with
    /// `Other` for any other value (or none), kept as received.
    fn content_enum(&self, event: &Event, by: &ContentEnum) -> TokenStream {
        let name = ident(&by.name);
        let property = &by.property;
        let docs = self.doc_attrs(
            &by.docs,
            &[format!(
                "The content of `{}` events, by its `{property}`; any other `{property}` (or none) is `Other`, kept as received.",
                event.event_type
            )],
            "",
        );
        let mut variants = Vec::new();
        let mut serialize = Vec::new();
        let mut deserialize = Vec::new();
        let mut froms = Vec::new();
        for v in &by.variants {
            let variant = ident(&v.variant);
            let ty = self.type_path(v.ty);
            let wire = &v.wire;
            let doc = format!(" `{property}`: `{wire}`.");
            variants.push(quote! { #[doc = #doc] #variant(#ty), });
            serialize.push(quote! { Self::#variant(content) => content.serialize(serializer), });
            deserialize.push(quote! {
                Some(#wire) => serde_json::from_value(serde_json::Value::Object(object)).map(Self::#variant),
            });
            froms.push(quote! {
                impl From<#ty> for #name {
                    fn from(content: #ty) -> Self {
                        Self::#variant(content)
                    }
                }
            });
        }
        let other_doc = format!(" Any other `{property}`, or none: the content as received.");
        quote! {
            #docs
            #[derive(Clone, Debug, PartialEq)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                #[doc = #other_doc]
                Other(serde_json::Map<String, serde_json::Value>),
            }

            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#serialize)*
                        Self::Other(content) => content.serialize(serializer),
                    }
                }
            }

            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let object = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
                    let tag = object.get(#property).and_then(serde_json::Value::as_str).map(str::to_owned);
                    // A known tag whose content does not fit its variant is
                    // an error, as for any other typed value.
                    let typed = match tag.as_deref() {
                        #(#deserialize)*
                        _ => return Ok(Self::Other(object)),
                    };
                    typed.map_err(serde::de::Error::custom)
                }
            }

            #(#froms)*
        }
    }
}
