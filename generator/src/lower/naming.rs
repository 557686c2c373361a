//! Rust names for what the spec names: modules, operations, types,
//! fields, features; and the names a generated type must not take.

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};

use super::LowerError;

/// Modules the generated crate has besides one per document (see `emit`):
/// `src/lib.rs`, `src/client.rs`, `src/test_support.rs`, `src/types.rs`, and
/// lib.rs's `pub use matrix_csapi_runtime as runtime`.
const CRATE_MODULES: &[&str] = &["lib", "client", "test_support", "types", "runtime"];

/// Each document becomes one module, so two documents must not give the
/// same module name, nor one the crate uses itself: that cannot be
/// resolved by renaming without breaking the rule that a module is named
/// after its document.
pub(super) fn check_module_names(documents: &[String]) -> Result<(), LowerError> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for document in documents {
        let module = module_name(document);
        let invalid = |message: String| LowerError::config(message);
        if CRATE_MODULES.contains(&module.as_str()) {
            return Err(invalid(format!(
                "document `{document}` gives the Rust module `{module}`, a name the generated crate uses itself; leave the document out of `documents`"
            )));
        }
        if let Some(first) = seen.insert(module.clone(), document) {
            return Err(invalid(format!(
                "documents `{first}` and `{document}` both give the Rust module `{module}` (a module is named after its document's file name); leave one out of `documents`"
            )));
        }
    }
    Ok(())
}

/// Rust module name for a document path: its file stem in snake case.
pub(super) fn module_name(document: &str) -> String {
    let stem = document
        .rsplit('/')
        .next()
        .unwrap_or(document)
        .trim_end_matches(".yaml")
        .trim_end_matches(".json");
    rust_ident(&stem.to_snake_case())
}

/// An operationId in snake case, keeping the spec's acronyms whole:
/// `getAccount3PIDs` → `get_account_3pids`, `redirectToIdP` →
/// `redirect_to_idp`, `requestTokenTo3PIDMSISDN` →
/// `request_token_to_3pid_msisdn` (a plain case conversion would give
/// `get_account3_pi_ds`).
pub(super) fn operation_snake_case(operation_id: &str) -> String {
    // Longest first, so `3PIDs` wins over `3PID` and `ID`.
    const ACRONYMS: &[&str] = &["3PIDs", "3PID", "3pid", "MSISDN", "SSO", "MXC", "IdP", "ID"];
    let mut marked = String::with_capacity(operation_id.len() + 8);
    let mut rest = operation_id;
    'outer: while !rest.is_empty() {
        for acronym in ACRONYMS {
            if let Some(after) = rest.strip_prefix(acronym) {
                // Only a whole word: not followed by a lowercase letter
                // (`IDentity` is not `ID`).
                if !after.starts_with(|c: char| c.is_ascii_lowercase()) {
                    marked.push('_');
                    marked.push_str(&acronym.to_ascii_lowercase());
                    marked.push('_');
                    rest = after;
                    continue 'outer;
                }
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            marked.push(c);
        }
        rest = chars.as_str();
    }
    marked.to_snake_case()
}

/// Appends `_` to Rust keywords so they can be used as names.
pub(super) fn rust_ident(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else",
        "enum", "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match",
        "mod", "move", "mut", "priv", "pub", "ref", "return", "self", "static", "struct", "super",
        "trait", "true", "try", "type", "unsafe", "use", "where", "while", "yield", "abstract",
        "become", "do", "final", "macro", "override", "typeof", "unsized", "virtual",
    ];
    let mut name = name.to_owned();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A Rust type name from free text (a title, a file stem, a field name).
pub(super) fn type_name(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut name = cleaned.to_upper_camel_case();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    name
}

/// The name of an array's items from the array's: its last word made
/// singular where English makes that safe (`...Actions` → `...Action`,
/// `...Properties` → `...Property`), else with `Item` appended
/// (`...Aliases` → `...AliasesItem`, `...GroupBy` → `...GroupByItem`).
pub(super) fn item_name(array: &str) -> String {
    if let Some(stem) = array.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if array.ends_with("sses") || array.ends_with("xes") {
        return array[..array.len() - 2].to_owned();
    }
    let not_plural = ["ss", "us", "is", "as", "ses"];
    if array.ends_with('s') && !not_plural.iter().any(|end| array.ends_with(end)) {
        return array[..array.len() - 1].to_owned();
    }
    format!("{array}Item")
}

/// A schema's `title`, when it has one that makes a name.
pub(super) fn title_of(node: &serde_json::Value) -> Option<String> {
    node.get("title")
        .and_then(serde_json::Value::as_str)
        .filter(|title| title.chars().any(|c| c.is_ascii_alphanumeric()))
        .map(str::to_owned)
}

/// Rust field name for a JSON property: the last segment of a namespaced
/// name (`com.famedly.refresh_token_lifetime_ms` → `refresh_token_lifetime_ms`),
/// in snake case.
pub(super) fn field_name(json_name: &str) -> String {
    let last = json_name.rsplit('.').next().unwrap_or(json_name);
    let snake: String = last
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .to_snake_case();
    rust_ident(&snake)
}

pub(super) fn is_feature_name(name: &str) -> bool {
    !name.is_empty()
        && name != "default"
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            field_name("com.famedly.refresh_token_lifetime_ms"),
            "refresh_token_lifetime_ms"
        );
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("m.homeserver"), "homeserver");
        assert_eq!(type_name("Rate limit error"), "RateLimitError");
        assert_eq!(type_name("m.room.member"), "MRoomMember");
        assert_eq!(
            module_name("api/client-server/content-repo.yaml"),
            "content_repo"
        );
        assert_eq!(rust_ident("3pid"), "_3pid");
        for (id, snake) in [
            ("getAccount3PIDs", "get_account_3pids"),
            ("delete3pidFromAccount", "delete_3pid_from_account"),
            ("requestTokenTo3PIDMSISDN", "request_token_to_3pid_msisdn"),
            ("uploadContentToMXC", "upload_content_to_mxc"),
            ("redirectToIdP", "redirect_to_idp"),
            ("queryUserByID", "query_user_by_id"),
            ("getRoomIdByAlias", "get_room_id_by_alias"),
            ("refresh", "refresh"),
        ] {
            assert_eq!(operation_snake_case(id), snake, "{id}");
        }
        assert_eq!(
            type_name(&operation_snake_case("getAccount3PIDs")),
            "GetAccount3pids"
        );
    }

    #[test]
    fn array_items_are_named_after_the_singular_where_it_is_safe() {
        for (array, item) in [
            ("PushRuleActions", "PushRuleAction"),
            ("Properties", "Property"),
            ("Addresses", "Address"),
            ("Boxes", "Box"),
            ("Devices", "Device"),
            ("Aliases", "AliasesItem"),
            ("Status", "StatusItem"),
            ("Alias", "AliasItem"),
            ("Access", "AccessItem"),
            ("GroupBy", "GroupByItem"),
            ("ActionsSupported", "ActionsSupportedItem"),
        ] {
            assert_eq!(item_name(array), item, "{array}");
        }
    }

    #[test]
    fn titles_without_letters_or_digits_make_no_name() {
        let title = |t: serde_json::Value| title_of(&serde_json::json!({ "title": t }));
        assert_eq!(
            title("Room Events Criteria".into()).as_deref(),
            Some("Room Events Criteria")
        );
        assert_eq!(title(" - ".into()), None);
        assert_eq!(title(3.into()), None);
        assert_eq!(title_of(&serde_json::json!({})), None);
    }

    #[test]
    fn keywords_and_leading_digits_become_identifiers() {
        assert_eq!(rust_ident("type"), "type_");
        assert_eq!(rust_ident("self"), "self_");
        assert_eq!(rust_ident(""), "_");
        assert_eq!(rust_ident("room_id"), "room_id");
        assert_eq!(type_name("3pid"), "T3pid");
        assert_eq!(type_name(""), "T");
    }

    #[test]
    fn feature_names_are_cargo_feature_names_other_than_default() {
        assert!(is_feature_name("unstable-msc4108"));
        assert!(is_feature_name("msc_2965"));
        assert!(!is_feature_name(""));
        assert!(!is_feature_name("default"));
        assert!(!is_feature_name("org.matrix.msc4108"));
    }

    #[test]
    fn module_names_may_not_repeat_or_take_the_crate_own() {
        let documents = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        assert!(check_module_names(&documents(&["a/sync.yaml", "a/login.yaml"])).is_ok());
        let same = check_module_names(&documents(&["a/content-repo.yaml", "b/content_repo.yaml"]));
        assert!(matches!(same, Err(LowerError::Invalid { .. })), "{same:?}");
        let crate_own = check_module_names(&documents(&["api/client.yaml"]));
        assert!(
            matches!(crate_own, Err(LowerError::Invalid { .. })),
            "{crate_own:?}"
        );
    }
}
