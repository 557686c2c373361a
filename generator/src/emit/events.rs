//! The module `events`: each event content's `EventContent` impl (its
//! event type and kind), the newtypes of contents that are maps, and the
//! enums of event contents (`[events.enums]`, through the runtime's
//! `event_content_enum!`). The content structs and tagged unions
//! (`m.room.message` by `msgtype`) themselves are types like any other
//! (`structs`, `types`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::EventKindName;
use crate::lower::EVENTS_MODULE;
use crate::model::{EventContent, EventEnum};

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
        items.extend(self.api.event_enums.iter().map(|e| self.event_enum(e)));
        items
    }

    /// An enum of event contents: a variant per event type, gated like
    /// its content type.
    fn event_enum(&self, event_enum: &EventEnum) -> TokenStream {
        let name = ident(&event_enum.name);
        let kinds: Vec<&str> = event_enum.kinds.iter().map(|kind| kind.as_str()).collect();
        let mut what = format!("a {} event", kinds.join(" or "));
        if !event_enum.event_types.is_empty() {
            let types: Vec<String> = event_enum
                .event_types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect();
            what = format!("{what} (and {})", types.join(", "));
        }
        let docs = [
            format!(" The content of {what}, by its event type: a variant"),
            " per event type of the spec's event schemas (`[events.enums]` in".to_owned(),
            " spec/generator.toml), and `Other` for any other type and for a content".to_owned(),
            " that does not fit its type (a redacted event's), kept whole.".to_owned(),
            String::new(),
            " The `C` of an event envelope (`ClientEvent<C>` and the like): match on".to_owned(),
            " it to read the event. Serializing writes the content alone;".to_owned(),
            " `event_type()` gives its type.".to_owned(),
        ];
        let variants = event_enum.variants.iter().map(|variant| {
            let event = &self.api.events[variant.event];
            let (content, gates) = match &event.content {
                EventContent::Named(id) => {
                    let def = &self.api.types[id.0];
                    // Macro input is not shortened by imports: the
                    // module's own types go by their name.
                    let path = if def.module == EVENTS_MODULE {
                        let name = ident(&def.name);
                        quote! { #name }
                    } else {
                        self.type_path(*id)
                    };
                    (path, def.features.as_slice())
                }
                EventContent::Newtype { name, .. } => {
                    let name = ident(name);
                    (quote! { #name }, &[][..])
                }
            };
            let mut docs = vec![format!(
                " The content of an event of type `{}`.",
                variant.event_type
            )];
            if !gates.is_empty() {
                docs.extend([String::new(), format!(" {}", features::note(gates))]);
            }
            let cfg = features::cfg_doc(gates);
            let variant_name = ident(&variant.variant);
            let event_type = &variant.event_type;
            quote! {
                #(#[doc = #docs])*
                #cfg
                #variant_name(#content) = #event_type
            }
        });
        quote! {
            rt::event_content_enum! {
                #(#[doc = #docs])*
                pub enum #name {
                    #(#variants),*
                }
            }
        }
    }
}
