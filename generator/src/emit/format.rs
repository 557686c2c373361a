//! A generated file's tokens printed as Rust source: parsed (syn),
//! `crate::` paths shortened by imports, the runtime alias added, printed
//! (prettyplease), items separated by blank lines.

use proc_macro2::TokenStream;

use super::EmitError;
use super::imports::GatedNames;

pub(super) fn format_file(
    tokens: TokenStream,
    file: &str,
    header_line: String,
    gated: &GatedNames,
) -> Result<String, EmitError> {
    // Generated code names the runtime as `rt` (about 3,900 paths): short
    // signatures that fit on one line. The alias is declared in each file
    // that uses it (in code or in serde's `with = "rt::..."` strings).
    let uses_runtime = {
        let text = tokens.to_string();
        text.contains("rt ::") || text.contains("\"rt::")
    };
    let mut parsed: syn::File = syn::parse2(tokens).map_err(|source| EmitError::Syntax {
        file: file.to_owned(),
        source,
    })?;
    let own_module = file
        .strip_prefix("src/")
        .and_then(|name| name.strip_suffix(".rs"))
        .unwrap_or_default();
    super::imports::shorten_crate_paths(&mut parsed, own_module, gated);
    if uses_runtime {
        parsed
            .items
            .insert(0, syn::parse_quote! { use matrix_csapi_runtime as rt; });
    }
    Ok(header_line + &separate_items(&unparse(parsed)))
}

/// prettyplease, except that a macro invocation whose body is Rust items
/// (`rt::string_enum! { pub enum E { .. } }`) has its body printed as
/// items: prettyplease prints any macro body as a run of tokens.
fn unparse(file: syn::File) -> String {
    let mut out = String::new();
    let mut chunk = syn::File {
        shebang: None,
        attrs: file.attrs,
        items: Vec::new(),
    };
    for item in file.items {
        match item_macro(&item) {
            Some((attrs, path, body)) => {
                out.push_str(&prettyplease::unparse(&chunk));
                chunk.attrs.clear();
                chunk.items.clear();
                out.push_str(&attrs);
                out.push_str(&path);
                out.push_str("! {\n");
                for line in prettyplease::unparse(&body).lines() {
                    if !line.is_empty() {
                        out.push_str("    ");
                        out.push_str(line);
                    }
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            None => chunk.items.push(item),
        }
    }
    out.push_str(&prettyplease::unparse(&chunk));
    out
}

/// The attributes (printed), path and body of `item` when it is a braced
/// macro invocation whose body parses as items.
fn item_macro(item: &syn::Item) -> Option<(String, String, syn::File)> {
    let syn::Item::Macro(item) = item else {
        return None;
    };
    if !matches!(item.mac.delimiter, syn::MacroDelimiter::Brace(_)) {
        return None;
    }
    let body: syn::File = syn::parse2(item.mac.tokens.clone()).ok()?;
    if body.items.is_empty() || !body.attrs.is_empty() {
        return None;
    }
    let mut path = String::new();
    if item.mac.path.leading_colon.is_some() {
        path.push_str("::");
    }
    let segments: Vec<String> = item
        .mac
        .path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    path.push_str(&segments.join("::"));
    // The attributes as prettyplease prints them: those of a unit struct,
    // without the struct.
    let attrs = &item.attrs;
    let holder = syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![syn::parse_quote! { #(#attrs)* struct S; }],
    };
    let printed = prettyplease::unparse(&holder);
    let attrs = printed
        .strip_suffix("struct S;\n")
        .unwrap_or_default()
        .to_owned();
    Some((attrs, path, body))
}

/// prettyplease puts top-level items right after each other; a blank line
/// after each item that ends at column 0 makes the files readable. Imports
/// stay together, a group per root (`matrix_csapi_runtime`, `crate`, `rt`).
fn separate_items(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + source.len() / 20);
    let mut lines = source.lines().peekable();
    // The root of the import the current item is, if it is one.
    let mut import_root = None;
    let mut item_starts = true;
    while let Some(line) = lines.next() {
        if item_starts {
            import_root = use_root(line);
        }
        out.push_str(line);
        out.push('\n');
        // A doc comment line of an item may end with `;` too.
        let ends_item = line == "}"
            || line == "};"
            || (line.ends_with(';') && !line.starts_with(' ') && !line.starts_with("//"));
        item_starts = ends_item;
        let next = lines.peek();
        let same_import_group =
            import_root.is_some() && next.is_some_and(|next| use_root(next) == import_root);
        if ends_item && !same_import_group && next.is_some_and(|next| !next.is_empty()) {
            out.push('\n');
        }
    }
    out
}

/// `crate` for `use crate::a::B;`; `None` for a line that starts no import.
fn use_root(line: &str) -> Option<&str> {
    let path = line.strip_prefix("use ")?;
    let end = path.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    Some(&path[..end])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use quote::quote;

    use super::*;

    #[test]
    fn top_level_items_are_separated_by_a_blank_line() {
        let source = "use a::b;\npub struct A {\n    x: u8,\n}\npub struct B;\n\nfn f() {}\n";
        assert_eq!(
            separate_items(source),
            "use a::b;\n\npub struct A {\n    x: u8,\n}\n\npub struct B;\n\nfn f() {}\n"
        );
        let imports = "use r as rt;\nuse crate::a::B;\nuse crate::c::{\n    D,\n    E,\n};\nuse crate::f::G;\nuse rt::H;\nstruct I;\n";
        assert_eq!(
            separate_items(imports),
            "use r as rt;\n\nuse crate::a::B;\nuse crate::c::{\n    D,\n    E,\n};\nuse crate::f::G;\n\nuse rt::H;\n\nstruct I;\n"
        );
    }

    #[test]
    fn a_doc_line_ending_in_a_semicolon_ends_no_item() {
        let source = "/// First, then;\n/// second.\npub struct A;\nstruct B;\n";
        assert_eq!(
            separate_items(source),
            "/// First, then;\n/// second.\npub struct A;\n\nstruct B;\n"
        );
    }

    #[test]
    fn a_macro_body_of_items_is_printed_as_items() {
        let tokens = quote! {
            struct A;
            rt::string_enum! {
                /// Docs.
                pub enum E { X = "x", Y = "y" }
            }
            rt::deserialize_object! { A { required a, } }
            #[cfg(feature = "f")]
            rt::string_enum! { pub enum F { X = "x", } }
        };
        let file: syn::File = syn::parse2(tokens).unwrap();
        assert_eq!(
            unparse(file),
            "struct A;\nrt::string_enum! {\n    /// Docs.\n    pub enum E {\n        X = \"x\",\n        Y = \"y\",\n    }\n}\nrt::deserialize_object! {\n    A { required a, }\n}\n#[cfg(feature = \"f\")]\nrt::string_enum! {\n    pub enum F {\n        X = \"x\",\n    }\n}\n"
        );
    }
}
