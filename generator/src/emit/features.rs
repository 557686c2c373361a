//! Experimental items behind cargo features (`x-cargo-feature`): the
//! `#[cfg]` that gates them and the `doc(cfg)` badge docs.rs shows.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

/// The cfg predicate "all of `features` are on".
fn predicate(features: &[String]) -> TokenStream {
    match features {
        [feature] => quote! { feature = #feature },
        _ => quote! { all(#(feature = #features),*) },
    }
}

/// `#[cfg(...)]` for `features`; nothing when there are none. For code
/// that is not documented (match arms, statements).
pub(super) fn cfg(features: &[String]) -> Option<TokenStream> {
    if features.is_empty() {
        return None;
    }
    let predicate = predicate(features);
    Some(quote! { #[cfg(#predicate)] })
}

/// `#[cfg(...)]` and, for docs.rs (built with `--cfg docsrs`), the badge
/// saying which features the item needs; nothing when there are none.
pub(super) fn cfg_doc(features: &[String]) -> Option<TokenStream> {
    if features.is_empty() {
        return None;
    }
    let predicate = predicate(features);
    Some(quote! {
        #[cfg(#predicate)]
        #[cfg_attr(docsrs, doc(cfg(#predicate)))]
    })
}

/// The note in the docs of an experimental item (the badge is docs.rs only).
pub(super) fn note(features: &[String]) -> String {
    let names: Vec<String> = features.iter().map(|f| format!("`{f}`")).collect();
    match names.as_slice() {
        [one] => format!("Experimental: only with the cargo feature {one}."),
        _ => format!(
            "Experimental: only with the cargo features {}.",
            names.join(" and ")
        ),
    }
}

/// `items` (a sequence of items: a type with its impls, an `Endpoint`
/// impl) each gated by `features`; named items also get the note.
pub(super) fn gate_items(items: TokenStream, features: &[String]) -> TokenStream {
    if features.is_empty() {
        return items;
    }
    // Tokens that do not parse are left as they are: formatting the file
    // reports them as a generator bug, with the file's name.
    let Ok(mut file) = syn::parse2::<syn::File>(items.clone()) else {
        return items;
    };
    let predicate = predicate(features);
    let note = format!(" {}", note(features));
    for item in &mut file.items {
        gate_item(item, &predicate, &note, true);
    }
    quote! { #file }
}

/// Gates `item` by `predicate` (with the `cfg` when `with_cfg`); a named
/// item also gets `note` and the docs.rs badge.
fn gate_item(item: &mut syn::Item, predicate: &TokenStream, note: &str, with_cfg: bool) {
    let (attrs, documented) = match item {
        syn::Item::Struct(item) => (&mut item.attrs, true),
        syn::Item::Enum(item) => (&mut item.attrs, true),
        syn::Item::Union(item) => (&mut item.attrs, true),
        syn::Item::Type(item) => (&mut item.attrs, true),
        syn::Item::Fn(item) => (&mut item.attrs, true),
        syn::Item::Const(item) => (&mut item.attrs, true),
        syn::Item::Static(item) => (&mut item.attrs, true),
        syn::Item::Trait(item) => (&mut item.attrs, true),
        syn::Item::Mod(item) => (&mut item.attrs, true),
        syn::Item::Impl(item) => (&mut item.attrs, false),
        syn::Item::Use(item) => (&mut item.attrs, false),
        // A macro call gets the `cfg`; the items its body declares
        // (`rt::string_enum! { pub enum E { .. } }`) the note and badge.
        syn::Item::Macro(item) => {
            if with_cfg {
                item.attrs
                    .insert(0, syn::parse_quote! { #[cfg(#predicate)] });
            }
            if let Ok(mut body) = syn::parse2::<syn::File>(item.mac.tokens.clone()) {
                for inner in &mut body.items {
                    gate_item(inner, predicate, note, false);
                }
                item.mac.tokens = body.into_token_stream();
            }
            return;
        }
        _ => return,
    };
    // After the item's own docs: the note ends them, and the
    // attributes read docs first, then the gate.
    let mut at = attrs
        .iter()
        .rposition(|attr| attr.path().is_ident("doc"))
        .map_or(0, |last| last + 1);
    let mut insert = |attr: syn::Attribute| {
        attrs.insert(at, attr);
        at += 1;
    };
    if documented {
        insert(syn::parse_quote! { #[doc = ""] });
        insert(syn::parse_quote! { #[doc = #note] });
    }
    if with_cfg {
        insert(syn::parse_quote! { #[cfg(#predicate)] });
    }
    insert(syn::parse_quote! { #[cfg_attr(docsrs, doc(cfg(#predicate)))] });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_gated_and_named_ones_say_so() {
        let items = quote! {
            /// A type.
            #[derive(Clone)]
            pub struct A;
            impl A {}
            m! {}
        };
        let gated = gate_items(items, &["unstable-a".to_owned()]).to_string();
        assert_eq!(
            gated.matches("# [cfg (feature = \"unstable-a\")]").count(),
            3,
            "{gated}"
        );
        assert_eq!(gated.matches("doc (cfg (feature").count(), 2, "{gated}");
        assert_eq!(gated.matches("Experimental: only with").count(), 1);
        // The note follows the docs, before the derive.
        let note = gated.find("Experimental").unwrap_or(usize::MAX);
        assert!(gated.find("A type.").unwrap_or(0) < note, "{gated}");
        assert!(note < gated.find("derive").unwrap_or(0), "{gated}");
    }

    #[test]
    fn an_item_macro_is_gated_and_its_items_say_so() {
        let items = quote! {
            rt::string_enum! {
                /// An enum.
                pub enum E { A = "a", }
            }
        };
        let gated = gate_items(items, &["unstable-a".to_owned()]).to_string();
        let call = gated.find("rt :: string_enum !").unwrap_or(0);
        let cfg = gated.find("# [cfg (feature = \"unstable-a\")]");
        assert!(cfg.is_some_and(|cfg| cfg < call), "{gated}");
        assert_eq!(gated.matches("# [cfg (").count(), 1, "{gated}");
        let note = gated.find("Experimental: only with").unwrap_or(0);
        let badge = gated.find("doc (cfg (feature").unwrap_or(0);
        assert!(call < note && note < badge, "{gated}");
        assert!(badge < gated.find("pub enum E").unwrap_or(0), "{gated}");
    }

    #[test]
    fn several_features_must_all_be_on() {
        let features = ["a".to_owned(), "b".to_owned()];
        let cfg = cfg(&features).map(|c| c.to_string()).unwrap_or_default();
        assert_eq!(cfg, "# [cfg (all (feature = \"a\" , feature = \"b\"))]");
        assert!(super::cfg(&[]).is_none());
        assert_eq!(
            note(&features),
            "Experimental: only with the cargo features `a` and `b`."
        );
    }
}
