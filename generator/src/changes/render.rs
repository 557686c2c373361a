//! A [`ChangeReport`] as text for people, or as JSON for tools.

use std::fmt::Write as _;

use super::version::{Level, next_version};
use super::{ChangeKind, ChangeReport, Member, Place, Subject};

/// The report as text: a heading, the breaking changes, the others (one
/// line each, `- <subject>: <change>`), the version that follows and the
/// overlays left out of the older release.
pub fn text(report: &ChangeReport) -> String {
    let mut out = String::new();
    let krate = report
        .krate
        .as_ref()
        .map_or_else(String::new, |k| format!(" {}", k.name));
    let _ = writeln!(
        out,
        "Changes for users of the generated crate{krate}, {} → {}:",
        report.from, report.to
    );
    let (breaking, other): (Vec<_>, Vec<_>) = report.changes.iter().partition(|c| c.breaking);
    for (title, changes) in [("Breaking", breaking), ("Not breaking", other)] {
        let _ = writeln!(out, "\n{title} ({}):", changes.len());
        if changes.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for change in changes {
            let _ = writeln!(
                out,
                "  - {}: {}",
                subject(&change.subject),
                describe(&change.kind)
            );
        }
    }
    let _ = writeln!(out, "\n{}", version_line(report));
    if !report.skipped_overlays.is_empty() {
        let _ = writeln!(
            out,
            "\nOverlays left out of {} (they do not fit it, so what they add shows above as new):",
            report.from
        );
        for skipped in &report.skipped_overlays {
            let _ = writeln!(out, "  - {}: {}", skipped.overlay, skipped.reason);
        }
    }
    out
}

/// The report as pretty-printed JSON: the [`ChangeReport`]'s fields plus
/// `level` and, when the crate's version is known, `next_version` (or
/// `next_version_error`).
pub fn json(report: &ChangeReport) -> String {
    let mut value = serde_json::to_value(report).unwrap_or_else(|e| {
        // The report holds only strings, numbers, booleans and lists.
        serde_json::json!({ "error": e.to_string() })
    });
    if let Some(object) = value.as_object_mut() {
        object.insert("level".to_owned(), serde_json::json!(report.level()));
        if let Some(krate) = &report.krate {
            match next_version(&krate.version, report.level()) {
                Ok(next) => object.insert("next_version".to_owned(), next.into()),
                Err(e) => object.insert("next_version_error".to_owned(), e.to_string().into()),
            };
        }
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn version_line(report: &ChangeReport) -> String {
    let level = report.level();
    let why = match level {
        Level::Unchanged => "nothing changed",
        Level::Docs => "no API changes, a new spec release: a patch release",
        Level::Additions => "additions only: a compatible release",
        Level::Breaking => "breaking changes: an incompatible release",
    };
    let Some(krate) = &report.krate else {
        return format!("Version: {why}.");
    };
    match next_version(&krate.version, level) {
        Ok(next) if next == krate.version => format!("Version: {next} ({why})."),
        Ok(next) => format!(
            "Version: {} → {next} ({why}, by Cargo's SemVer rules); set `[crate] version` in spec/generator.toml.",
            krate.version
        ),
        Err(e) => format!("Version: {why}; {e}."),
    }
}

fn subject(subject: &Subject) -> String {
    match subject {
        Subject::Type { path } => format!("`{path}`"),
        Subject::Operation {
            operation_id,
            endpoint,
        } => format!("operation `{operation_id}` (`{endpoint}`)"),
        Subject::Feature { name } => format!("cargo feature `{name}`"),
    }
}

fn member(m: &Member) -> String {
    let place = match m.place {
        Place::Field => "field",
        Place::OtherProperties => {
            return "the other properties' map `additional_properties`".into();
        }
        Place::PathParam => "path parameter",
        Place::QueryParam => "query parameter",
        Place::HeaderParam => "header parameter",
        Place::Body => "body",
        Place::ResponseHeader => "header",
        Place::ResponseBody => "body",
    };
    if m.rust == m.wire {
        format!("{place} `{}`", m.rust)
    } else {
        format!("{place} `{}` (`{}`)", m.rust, m.wire)
    }
}

fn describe(kind: &ChangeKind) -> String {
    match kind {
        ChangeKind::OperationAdded {
            request,
            method,
            feature,
        } => format!(
            "added: `{request}`, `{method}`{}",
            with_feature(feature.iter())
        ),
        ChangeKind::OperationRemoved { request, method } => {
            format!("removed (with `{request}`, `{method}`)")
        }
        ChangeKind::OperationDeprecated => "deprecated".to_owned(),
        ChangeKind::OperationUndeprecated => "no longer deprecated".to_owned(),
        ChangeKind::GateChanged { from, to } => {
            format!("features needed: {} → {}", gates(from), gates(to))
        }
        // The subject shows the new endpoint.
        ChangeKind::EndpointChanged { from, .. } => format!("endpoint changed (was `{from}`)"),
        ChangeKind::AuthChanged { from, to } => {
            let consequence = if kind.is_breaking() {
                ": a call without a token now fails"
            } else {
                ""
            };
            format!("auth {} → {}{consequence}", from.text(), to.text())
        }
        ChangeKind::Renamed { from, to } => format!("renamed: `{from}` → `{to}`"),
        ChangeKind::ResponseRetyped { from, to } => format!("returns `{to}` (was `{from}`)"),
        ChangeKind::ResponseStatusAdded { status, variant } => {
            format!("response status {status} added (`{variant}`)")
        }
        ChangeKind::ResponseStatusRemoved { status, variant } => {
            format!("response status {status} removed (`{variant}`)")
        }
        ChangeKind::ResponseStatusRetyped { status, from, to } => {
            format!("response status {status} retyped: `{from}` → `{to}`")
        }
        ChangeKind::ErrorRetyped { from, to } => format!("error type `{to}` (was `{from}`)"),
        ChangeKind::ErrorStatusAdded { status, variant } => {
            format!("error status {status} added (`{variant}`)")
        }
        ChangeKind::ErrorStatusRemoved { status, variant } => {
            format!("error status {status} removed (`{variant}`)")
        }
        ChangeKind::ErrorStatusRetyped { status, from, to } => {
            format!("error status {status} retyped: `{from}` → `{to}`")
        }
        ChangeKind::TypeAdded { what, features } => {
            format!("{what} added{}", with_feature(features.iter()))
        }
        ChangeKind::TypeRemoved { what } => format!("{what} removed"),
        ChangeKind::TypeKindChanged { from, to } => format!("now a {to} (was a {from})"),
        ChangeKind::TypeDeprecated => "deprecated".to_owned(),
        ChangeKind::MemberAdded {
            member: m,
            ty,
            required,
            in_constructor,
            feature,
        } => {
            let shape = match (required, in_constructor) {
                (true, true) => format!("required `{ty}`, an argument of `new`"),
                (true, false) => format!("`{ty}`"),
                (false, _) if m.place == Place::OtherProperties => format!("`{ty}`"),
                (false, _) => format!("optional `{ty}`"),
            };
            format!(
                "{} added ({shape}{})",
                member(m),
                with_feature(feature.iter())
            )
        }
        ChangeKind::MemberRemoved { member: m } => format!("{} removed", member(m)),
        ChangeKind::MemberRetyped {
            member: m,
            from,
            to,
        } => {
            format!("{} retyped: `{from}` → `{to}`", member(m))
        }
        ChangeKind::MemberMadeRequired { member: m } => format!("{} made required", member(m)),
        ChangeKind::MemberMadeOptional { member: m } => format!("{} made optional", member(m)),
        ChangeKind::MemberWireNameChanged { member: m, from } => {
            format!("{} was `{from}` on the wire", member(m))
        }
        ChangeKind::MemberDeprecated { member: m } => format!("{} deprecated", member(m)),
        ChangeKind::MemberFeatureChanged {
            member: m,
            from,
            to,
        } => format!(
            "{}: features needed: {} → {}",
            member(m),
            gates(from.iter()),
            gates(to.iter())
        ),
        ChangeKind::EnumValueAdded {
            value,
            variant,
            feature,
        } => format!(
            "value `{value}` added (`{variant}`{}; it used to arrive as `Unknown`)",
            with_feature(feature.iter())
        ),
        ChangeKind::EnumValueFeatureChanged {
            value,
            variant,
            from,
            to,
        } => format!(
            "value `{value}` (`{variant}`): features needed: {} → {}",
            gates(from.iter()),
            gates(to.iter())
        ),
        ChangeKind::EnumValueRemoved { value, variant } => {
            format!("value `{value}` removed (`{variant}`)")
        }
        ChangeKind::UnionVariantAdded { variant, ty } => {
            format!("variant `{variant}` added (`{ty}`)")
        }
        ChangeKind::UnionVariantRemoved { variant } => format!("variant `{variant}` removed"),
        ChangeKind::UnionVariantRetyped { variant, from, to } => {
            format!("variant `{variant}` retyped: `{from}` → `{to}`")
        }
        ChangeKind::FeatureAdded => "added".to_owned(),
        ChangeKind::FeatureRemoved => "removed".to_owned(),
    }
}

/// `, with the feature(s) ...` for a gated item; empty for an ungated one.
fn with_feature<'a>(features: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<String> = features.map(|f| format!("`{f}`")).collect();
    match names.len() {
        0 => String::new(),
        1 => format!(", with the feature {}", names[0]),
        _ => format!(", with the features {}", names.join(" and ")),
    }
}

/// The features an item needs, or `none`.
fn gates<'a>(features: impl IntoIterator<Item = &'a String>) -> String {
    let names: Vec<String> = features.into_iter().map(|f| format!("`{f}`")).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(" and ")
    }
}
