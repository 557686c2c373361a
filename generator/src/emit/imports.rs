//! `crate::<module>::Name` paths made short: the emitter names every
//! generated type by its full path (so each piece of code is right on its
//! own); here, once a file is parsed, a name from another module is
//! imported with `use crate::<module>::{..};` and a name of the file's own
//! module is written bare. Doc links follow the code.
//!
//! A name keeps its full path where the short one could mean something
//! else: another item of that name anywhere in the file (nested items,
//! items made by macros, and any identifier inside a macro body that is
//! not items, since what it means there is unknown), a generic parameter,
//! a name of the prelude, or the same name from two modules.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::visit_mut::VisitMut;

use crate::model::PRELUDE_NAMES;

/// `(module, Name)` of the generated names that exist only with a cargo
/// feature. They are never imported: an import is not gated like the code
/// that uses the name, so it would name nothing without the feature.
pub(crate) type GatedNames = BTreeSet<(String, String)>;

/// Shortens `crate::<module>::Name` paths in `file`, whose own module is
/// `own_module` (`client` for `src/client.rs`), adding the imports needed;
/// `gated` names are written short in their own module only.
pub(super) fn shorten_crate_paths(file: &mut syn::File, own_module: &str, gated: &GatedNames) {
    let mut names = Names::default();
    names.visit_file_mut(file);
    // module -> names written short, for the own module and imports alike.
    let mut short: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, modules) in &names.crate_paths {
        if let Some(module) = names.short_form(name, modules, own_module) {
            let imported_gated =
                module != own_module && gated.contains(&(module.clone(), name.clone()));
            if !imported_gated {
                short.entry(module).or_default().insert(name.clone());
            }
        }
    }
    if short.is_empty() {
        return;
    }
    Shorten { short: &short }.visit_file_mut(file);
    let imports = short
        .iter()
        .filter(|(module, _)| module.as_str() != own_module)
        .map(|(module, names)| {
            let module = syn::Ident::new(module, Span::call_site());
            let mut names: Vec<syn::Ident> = names
                .iter()
                .map(|n| syn::Ident::new(n, Span::call_site()))
                .collect();
            let item: syn::Item = match names.pop() {
                Some(name) if names.is_empty() => syn::parse_quote! { use crate::#module::#name; },
                last => {
                    names.extend(last);
                    syn::parse_quote! { use crate::#module::{#(#names),*}; }
                }
            };
            item
        });
    file.items.splice(0..0, imports);
}

/// What the file names: every `crate::<module>::Name` path outside macro
/// bodies (name -> modules) and what a bare identifier could mean. A
/// `VisitMut` that changes nothing: syn's `visit` feature would be a second
/// large module for this one read-only pass.
#[derive(Default)]
struct Names {
    crate_paths: BTreeMap<String, BTreeSet<String>>,
    /// Items of the module itself (also those an item macro's body makes).
    top_level: BTreeSet<String>,
    /// Nested items and generic parameters: they shadow the module's names
    /// and imports where they are in scope.
    shadowing: BTreeSet<String>,
    /// Identifiers inside macro bodies that are not items: what they mean
    /// is up to the macro, so they may be items of the module too.
    in_opaque_macros: BTreeSet<String>,
    /// Items deep (0: the module's own).
    depth: usize,
    in_macro: bool,
}

impl Names {
    /// The module whose `Name` is written short in this file, if any: the
    /// own module's when the file defines it, else the one other module's
    /// it is imported from, unless the short name could mean something else.
    fn short_form(
        &self,
        name: &str,
        modules: &BTreeSet<String>,
        own_module: &str,
    ) -> Option<String> {
        if self.shadowing.contains(name) {
            return None;
        }
        if modules.contains(own_module) {
            // The other modules' `Name` keep their full paths.
            return self.top_level.contains(name).then(|| own_module.to_owned());
        }
        let mut modules = modules.iter();
        let (Some(module), None) = (modules.next(), modules.next()) else {
            return None;
        };
        let free = !self.top_level.contains(name)
            && !self.in_opaque_macros.contains(name)
            && !PRELUDE_NAMES.contains(&name);
        free.then(|| module.clone())
    }

    fn define(&mut self, ident: &syn::Ident) {
        let name = ident.to_string();
        if self.depth == 0 {
            self.top_level.insert(name);
        } else {
            self.shadowing.insert(name);
        }
    }

    /// A macro body: its items where it is items, else every identifier.
    fn macro_body(&mut self, tokens: &TokenStream) {
        let was_in_macro = std::mem::replace(&mut self.in_macro, true);
        match syn::parse2::<syn::File>(tokens.clone()) {
            Ok(mut body) => {
                for item in &mut body.items {
                    self.visit_item_mut(item);
                }
            }
            Err(_) => self.opaque(tokens.clone()),
        }
        self.in_macro = was_in_macro;
    }

    fn opaque(&mut self, tokens: TokenStream) {
        for token in tokens {
            match token {
                TokenTree::Ident(ident) => {
                    self.in_opaque_macros.insert(ident.to_string());
                }
                TokenTree::Group(group) => self.opaque(group.stream()),
                TokenTree::Punct(_) | TokenTree::Literal(_) => {}
            }
        }
    }
}

impl VisitMut for Names {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        if let Some((module, name)) = crate_path(path).filter(|_| !self.in_macro) {
            self.crate_paths
                .entry(name.to_string())
                .or_default()
                .insert(module.to_string());
        }
        syn::visit_mut::visit_path_mut(self, path);
    }

    fn visit_item_mut(&mut self, item: &mut syn::Item) {
        let ident = match item {
            syn::Item::Const(i) => Some(&i.ident),
            syn::Item::Enum(i) => Some(&i.ident),
            syn::Item::Fn(i) => Some(&i.sig.ident),
            syn::Item::Macro(i) => i.ident.as_ref(),
            syn::Item::Mod(i) => Some(&i.ident),
            syn::Item::Static(i) => Some(&i.ident),
            syn::Item::Struct(i) => Some(&i.ident),
            syn::Item::Trait(i) => Some(&i.ident),
            syn::Item::TraitAlias(i) => Some(&i.ident),
            syn::Item::Type(i) => Some(&i.ident),
            syn::Item::Union(i) => Some(&i.ident),
            _ => None,
        };
        if let Some(ident) = ident {
            self.define(ident);
        }
        if let syn::Item::Macro(item) = item {
            // An item macro's items are at this item's depth.
            self.macro_body(&item.mac.tokens);
            return;
        }
        // A `use` names things where it stands; other items open a scope.
        let opens_scope = !matches!(item, syn::Item::Use(_));
        self.depth += usize::from(opens_scope);
        syn::visit_mut::visit_item_mut(self, item);
        self.depth -= usize::from(opens_scope);
    }

    fn visit_use_name_mut(&mut self, name: &mut syn::UseName) {
        self.define(&name.ident);
    }

    fn visit_use_rename_mut(&mut self, rename: &mut syn::UseRename) {
        self.define(&rename.rename);
    }

    fn visit_type_param_mut(&mut self, param: &mut syn::TypeParam) {
        self.shadowing.insert(param.ident.to_string());
        syn::visit_mut::visit_type_param_mut(self, param);
    }

    fn visit_const_param_mut(&mut self, param: &mut syn::ConstParam) {
        self.shadowing.insert(param.ident.to_string());
        syn::visit_mut::visit_const_param_mut(self, param);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        self.macro_body(&mac.tokens);
        syn::visit_mut::visit_macro_mut(self, mac);
    }
}

/// `(module, Name)` of a path `crate::module::Name[::...]`.
fn crate_path(path: &syn::Path) -> Option<(&syn::Ident, &syn::Ident)> {
    if path.leading_colon.is_some() || path.segments.len() < 3 {
        return None;
    }
    let mut segments = path.segments.iter();
    let (krate, module, name) = (segments.next()?, segments.next()?, segments.next()?);
    let plain = |s: &syn::PathSegment| s.arguments.is_none();
    (krate.ident == "crate" && plain(krate) && plain(module))
        .then_some((&module.ident, &name.ident))
}

/// Rewrites the paths and doc links of the names chosen to be short.
struct Shorten<'a> {
    short: &'a BTreeMap<String, BTreeSet<String>>,
}

impl Shorten<'_> {
    fn is_short(&self, module: &str, name: &str) -> bool {
        self.short
            .get(module)
            .is_some_and(|names| names.contains(name))
    }

    /// `crate::module::Name` in doc text, where it is short, as `Name`.
    fn doc_text(&self, text: &str) -> Option<String> {
        const PREFIX: &str = "crate::";
        if !text.contains(PREFIX) {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(PREFIX) {
            out.push_str(&rest[..at]);
            let after = &rest[at + PREFIX.len()..];
            let module_len = identifier_len(after);
            let name_len = after[module_len..]
                .strip_prefix("::")
                .map_or(0, identifier_len);
            let preceded_by_ident = out.chars().next_back().is_some_and(is_ident_char);
            let (module, name) = (
                &after[..module_len],
                after
                    .get(module_len + 2..module_len + 2 + name_len)
                    .unwrap_or(""),
            );
            if !preceded_by_ident && name_len > 0 && self.is_short(module, name) {
                out.push_str(name);
                rest = &after[module_len + 2 + name_len..];
            } else {
                out.push_str(PREFIX);
                rest = after;
            }
        }
        out.push_str(rest);
        Some(out)
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn identifier_len(text: &str) -> usize {
    text.find(|c: char| !is_ident_char(c)).unwrap_or(text.len())
}

impl VisitMut for Shorten<'_> {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let short = crate_path(path)
            .is_some_and(|(module, name)| self.is_short(&module.to_string(), &name.to_string()));
        if short {
            path.segments = std::mem::take(&mut path.segments)
                .into_iter()
                .skip(2)
                .collect();
        }
        syn::visit_mut::visit_path_mut(self, path);
    }

    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if let syn::Meta::NameValue(meta) = &mut attr.meta
            && meta.path.is_ident("doc")
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &mut meta.value
            && let Some(shortened) = self.doc_text(&text.value())
        {
            *text = syn::LitStr::new(&shortened, text.span());
        }
        syn::visit_mut::visit_attribute_mut(self, attr);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use quote::quote;

    use super::*;

    fn shortened(tokens: TokenStream, own_module: &str) -> String {
        let mut file: syn::File = syn::parse2(tokens).unwrap();
        let gated = GatedNames::from([("rooms".to_owned(), "Gated".to_owned())]);
        shorten_crate_paths(&mut file, own_module, &gated);
        prettyplease::unparse(&file)
    }

    #[test]
    fn other_modules_names_are_imported_sorted_and_own_ones_written_bare() {
        let out = shorten(quote! {
            /// See [`crate::rooms::Room`] and [`crate::here::Local`].
            pub struct Local { a: crate::rooms::Room, b: Vec<crate::auth::Token> }
            fn f(x: crate::here::Local) -> crate::auth::Login { crate::auth::Login::Password(x) }
        });
        assert_eq!(
            out,
            "use crate::auth::{Login, Token};\nuse crate::rooms::Room;\n\
             /// See [`Room`] and [`Local`].\n\
             pub struct Local {\n    a: Room,\n    b: Vec<Token>,\n}\n\
             fn f(x: Local) -> Login {\n    Login::Password(x)\n}\n"
        );
    }

    fn shorten(tokens: TokenStream) -> String {
        shortened(tokens, "here")
    }

    #[test]
    fn a_name_that_could_mean_something_else_keeps_its_full_path() {
        let out = shorten(quote! {
            pub struct Room;
            struct A(crate::rooms::Room, crate::a::Same, crate::b::Same, crate::x::Option);
            fn g<T>(t: T, u: crate::x::T) { struct Nested; let _ = crate::y::Nested; }
            some_macro! { Hidden }
            struct B(crate::z::Hidden);
        });
        assert!(!out.contains("use crate"), "{out}");
        for full in [
            "crate::rooms::Room",
            "crate::a::Same",
            "crate::b::Same",
            "crate::x::Option",
            "crate::x::T",
            "crate::y::Nested",
            "crate::z::Hidden",
        ] {
            assert!(out.contains(full), "{full} in {out}");
        }
    }

    #[test]
    fn names_behind_a_feature_are_not_imported() {
        let out = shorten(quote! {
            #[cfg(feature = "f")]
            pub struct A(crate::rooms::Gated, crate::rooms::Room);
        });
        assert!(out.starts_with("use crate::rooms::Room;\n"), "{out}");
        assert!(out.contains("crate::rooms::Gated, Room"), "{out}");
        let own = shortened(
            quote! { pub struct Gated; struct B(crate::rooms::Gated); },
            "rooms",
        );
        assert!(own.contains("struct B(Gated);"), "{own}");
    }

    #[test]
    fn names_only_in_docs_are_not_imported() {
        let out = shorten(quote! {
            /// [`crate::rooms::Room`], `crate::rooms::Room::new`, mycrate::rooms::Room.
            pub struct A(crate::rooms::Room);
            /// [`crate::rooms::Other`]
            pub struct B;
        });
        assert!(out.starts_with("use crate::rooms::Room;\n"), "{out}");
        assert!(
            out.contains("/// [`Room`], `Room::new`, mycrate::rooms::Room."),
            "{out}"
        );
        assert!(out.contains("/// [`crate::rooms::Other`]"), "{out}");
    }
}
