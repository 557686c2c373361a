//! The module `events`: each event content's `EventContent` impl (its
//! event type and kind), and the newtypes of contents that are maps. The
//! content structs and tagged unions (`m.room.message` by `msgtype`)
//! themselves are types like any other (`structs`, `types`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::EventKindName;
use crate::model::EventContent;

use super::{Emitter, features, ident};

impl Emitter<'_> {
    /// The items of the module `events` besides its structs.
    pub(super) fn event_items(&self) -> Vec<TokenStream> {
        let mut items = Vec::new();
        for event in &self.api.events {
            let content = match &event.content {
                EventContent::Named(id) => self.type_path(*id),
                EventContent::Newtype { name, ty, docs } => {
                    let name = ident(name);
                    let ty = self.rust_type(ty);
                    let docs = self.doc_attrs(docs, &[], "");
                    let newtype = quote! {
                        #docs
                        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
                        #[serde(transparent)]
                        pub struct #name(pub #ty);
                    };
                    items.push(features::gate_items(newtype, &event.features));
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
            let content_impl = quote! {
                impl rt::EventContent for #content {
                    const EVENT_TYPE: &'static str = #event_type;
                    #others
                    const KIND: rt::EventKind = rt::EventKind::#kind;
                }
            };
            items.push(features::gate_items(content_impl, &event.features));
        }
        items
    }
}
