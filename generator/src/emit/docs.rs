//! Doc comments: the spec's prose made safe for rustdoc, as attributes.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Docs;

use super::Emitter;

impl Emitter<'_> {
    /// Doc attributes: the spec's text (made safe for rustdoc), or
    /// `fallback` where the spec says nothing, then the generator's notes.
    pub(super) fn doc_attrs(&self, docs: &Docs, notes: &[String], fallback: &str) -> TokenStream {
        let mut paragraphs = Vec::new();
        if let Some(summary) = &docs.summary {
            paragraphs.push(summary.trim().to_owned());
        }
        if let Some(description) = &docs.description {
            paragraphs.push(description.trim().to_owned());
        }
        if docs.deprecated {
            paragraphs.push("**Deprecated** in the spec.".to_owned());
        }
        if let Some(version) = &docs.added_in {
            paragraphs.push(format!("Added in Matrix {version}."));
        }
        for (version, note) in &docs.changed_in {
            paragraphs.push(format!("Changed in Matrix {version}: {}", note.trim()));
        }
        let mut text = sanitize_doc(&paragraphs.join("\n\n"), &self.api.spec_tag);
        if text.trim().is_empty() {
            text = fallback.to_owned();
        }
        for note in notes {
            text.push_str("\n\n");
            text.push_str(note);
        }
        doc_lines(&text)
    }
}

/// `#[doc = ...]` attributes, one per line (prettyplease prints them as `///`).
pub(super) fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote! { #[doc = #line] }
    });
    quote! { #(#lines)* }
}

/// `#![doc = ...]` attributes, one per line.
pub(super) fn inner_doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote! { #![doc = #line] }
    });
    quote! { #(#lines)* }
}

/// List items whose continuation lines are indented to the item's text,
/// as rustdoc's Markdown (and clippy's doc lints) expect: the spec's prose
/// indents them by more (`*  a\n    b`) or not at all (`* a\nb` right
/// after the item), which renders the same on the spec's site. Fenced code
/// is left alone.
fn align_list_continuations(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_fence = false;
    // The column of the current list item's text, while in one.
    let mut item_text: Option<usize> = None;
    let mut after_blank = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
        }
        if in_fence || trimmed.starts_with("```") {
            out.push(line.to_owned());
            continue;
        }
        if trimmed.is_empty() {
            after_blank = true;
            out.push(line.to_owned());
            continue;
        }
        if let Some(marker) = list_marker(trimmed) {
            item_text = Some(indent + marker);
            after_blank = false;
            out.push(line.to_owned());
            continue;
        }
        match item_text {
            // A continuation (right after the item, or indented after a
            // blank line) at another column than the item's text.
            Some(column) if (!after_blank || indent > 0) && indent != column => {
                out.push(format!("{}{trimmed}", " ".repeat(column)));
            }
            Some(_) if !after_blank || indent > 0 => out.push(line.to_owned()),
            _ => {
                item_text = None;
                out.push(line.to_owned());
            }
        }
        after_blank = false;
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

/// The length of the list marker `line` starts with (`* `, `-   `, `1. `,
/// with the spaces after it: the item's text starts there), if it starts
/// with one.
fn list_marker(line: &str) -> Option<usize> {
    let bullet = if line.starts_with(['*', '-', '+']) {
        1
    } else {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        match line[digits..].starts_with('.') {
            true if digits > 0 => digits + 1,
            _ => return None,
        }
    };
    let spaces = line[bullet..].chars().take_while(|c| *c == ' ').count();
    (spaces > 0 && line.len() > bullet + spaces).then_some(bullet + spaces)
}

/// Makes spec Markdown safe for rustdoc: links relative to the spec site
/// become absolute, bare URLs become autolinks, stray `<`/`>` and `[x]`
/// outside code are escaped (rustdoc would read them as HTML tags and
/// intra-doc links), and unlabeled code fences are marked `text`.
pub fn sanitize_doc(text: &str, spec_tag: &str) -> String {
    let text = &replace_shortcodes(text);
    let text = &align_list_continuations(text);
    let site = spec_site(spec_tag);
    let mut out = String::with_capacity(text.len());
    let mut in_fence = false;
    // A link whose text spans lines: `[` on one line, `](` on a later one.
    let mut open_link = false;
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().copied().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        if line.trim().is_empty() {
            open_link = false;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            if !in_fence && trimmed.trim_end() == "```" {
                out.push_str(&line.replacen("```", "```text", 1));
            } else {
                out.push_str(line);
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push_str(line);
            continue;
        }
        out.push_str(&sanitize_line(
            line,
            &site,
            &lines[index + 1..],
            &mut open_link,
        ));
    }
    out
}

/// Where the spec's site documents `spec_tag`: a release (`vX.Y`) under
/// its own version, anything else (`head`, a commit, a branch) under
/// `unstable/`, the site's build of the main branch; the site has no page
/// per commit.
pub fn spec_site(spec_tag: &str) -> String {
    let is_release = spec_tag.strip_prefix('v').is_some_and(|version| {
        let mut parts = version.split('.');
        let numeric = |part: Option<&str>| {
            part.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        numeric(parts.next()) && numeric(parts.next()) && parts.next().is_none()
    });
    let version = if is_release { spec_tag } else { "unstable" };
    format!("https://spec.matrix.org/{version}/")
}

/// The spec's prose is rendered by Hugo; its shortcodes become Markdown:
/// `{{% boxes/note %}}` a bold "Note:" (the closing tag a paragraph break),
/// `{{% added-in v="1.18" %}}` "(Added in Matrix 1.18)". Unknown shortcodes
/// are dropped.
fn replace_shortcodes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{%") {
        let Some(close) = rest[open..].find("%}}").map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        let inner = rest[open + 3..close].trim();
        let (name, args) = inner.split_once(' ').unwrap_or((inner, ""));
        let version = args
            .trim()
            .strip_prefix("v=")
            .map(|v| v.trim().trim_matches('"'));
        match (name, version) {
            ("boxes/note", _) => out.push_str("**Note:**"),
            ("boxes/warning", _) => out.push_str("**Warning:**"),
            ("boxes/rationale", _) => out.push_str("**Rationale:**"),
            (closing, _) if closing.starts_with('/') => {}
            ("added-in", Some(v)) => out.push_str(&format!("(Added in Matrix {v})")),
            ("changed-in", Some(v)) => out.push_str(&format!("(Changed in Matrix {v})")),
            _ => {}
        }
        rest = &rest[close + 3..];
    }
    out.push_str(rest);
    out
}

/// `next_lines`: the lines after `line`, to see whether a `[` whose `]` is
/// on a later line of the paragraph opens a link.
fn sanitize_line(line: &str, site: &str, next_lines: &[&str], open_link: &mut bool) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let chars: Vec<char> = line.chars().collect();
    // Byte offset of each char, so the rest of the line is a slice.
    let offsets: Vec<usize> = line.char_indices().map(|(offset, _)| offset).collect();
    let mut i = 0;
    let mut in_code = false;
    while i < chars.len() {
        let c = chars[i];
        let rest = &line[offsets[i]..];
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            i += 1;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        if rest.starts_with("](/") {
            out.push_str("](");
            out.push_str(site);
            i += 3;
            continue;
        }
        // A page of the spec named without its leading `/`
        // (`[room alias](appendices#room-aliases)` in m.room.canonical_alias),
        // which rustdoc would take for an intra-doc link: from the site's
        // root too. Targets with a scheme (`mxc:`) or anchors stay.
        if let Some(target) = rest.strip_prefix("](") {
            let end = target.find(')').unwrap_or(target.len());
            let path = &target[..end];
            let relative_page =
                path.starts_with(|c: char| c.is_ascii_alphabetic()) && !path.contains([':', ' ']);
            if relative_page {
                out.push_str("](");
                out.push_str(site);
                i += 2;
                continue;
            }
        }
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let end = chars[i..]
                .iter()
                .position(|c| c.is_whitespace() || *c == ')' || *c == '>' || *c == '"')
                .map_or(chars.len(), |p| i + p);
            let mut url: String = chars[i..end].iter().collect();
            let trailing: String = {
                let mut t = String::new();
                while url.ends_with(['.', ',', ';', ':']) {
                    if let Some(ch) = url.pop() {
                        t.insert(0, ch);
                    }
                }
                t
            };
            if prev == '(' || prev == '<' {
                out.push_str(&url);
            } else {
                out.push('<');
                out.push_str(&url);
                out.push('>');
            }
            out.push_str(&trailing);
            i = end;
            continue;
        }
        match c {
            '<' => {
                let autolink = rest.starts_with("<http://") || rest.starts_with("<https://");
                if autolink {
                    out.push('<');
                } else {
                    out.push_str("&lt;");
                }
            }
            '>' => {
                let opened_autolink = out.rfind('<').is_some_and(|p| {
                    out[p..].starts_with("<http")
                        && !out[p..].contains(' ')
                        && !out[p..].contains('>')
                });
                if opened_autolink || out.trim().is_empty() {
                    out.push('>');
                } else {
                    out.push_str("&gt;");
                }
            }
            '[' => {
                // A shortcut link `[x]` that is not `[x](...)` or `[x][y]`.
                let close = chars[i..].iter().position(|&ch| ch == ']').map(|p| i + p);
                let is_link = match close {
                    Some(end) => matches!(chars.get(end + 1), Some('(') | Some('[')),
                    None => {
                        // The rest of the paragraph.
                        let following = next_lines
                            .iter()
                            .copied()
                            .take_while(|l| !l.trim().is_empty())
                            .collect::<Vec<_>>()
                            .join("\n");
                        following
                            .find(']')
                            .is_some_and(|end| following[end + 1..].starts_with(['(', '[']))
                    }
                };
                if is_link {
                    out.push('[');
                    if close.is_none() {
                        *open_link = true;
                    }
                } else {
                    out.push_str("\\[");
                }
            }
            ']' => {
                let is_link = matches!(chars.get(i + 1), Some('(') | Some('['));
                let opened = out
                    .rfind('[')
                    .is_some_and(|p| p == 0 || !out[..p].ends_with('\\'));
                if is_link && (opened || *open_link) {
                    *open_link = false;
                    out.push(']');
                } else {
                    out.push_str("\\]");
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_pages_without_a_leading_slash_go_to_the_site_too() {
        let text = "A [room alias](appendices#room-aliases), [mxc](mxc://a/b), [here](#x).";
        assert_eq!(
            sanitize_doc(text, "v1.19"),
            "A [room alias](https://spec.matrix.org/v1.19/appendices#room-aliases), [mxc](mxc://a/b), [here](#x)."
        );
    }

    #[test]
    fn list_continuations_are_aligned_with_the_item_text() {
        // Over-indented (m.call.hangup), lazy (m.key.verification.cancel),
        // already aligned after a wide marker (users.yaml), and a paragraph
        // after the list, which stays where it is.
        let text = " * a: one\n    two\n* b: three\nfour\n\n-   c: five\n    six\n\nAfter.\n```\n* x\n      y\n```";
        assert_eq!(
            align_list_continuations(text),
            " * a: one\n   two\n* b: three\n  four\n\n-   c: five\n    six\n\nAfter.\n```\n* x\n      y\n```"
        );
    }

    #[test]
    fn doc_links_become_absolute_and_bare_urls_autolinks() {
        let text = "See [POST /login](/client-server-api/#post_matrixclientv3login) and https://example.org.";
        assert_eq!(
            sanitize_doc(text, "v1.19"),
            "See [POST /login](https://spec.matrix.org/v1.19/client-server-api/#post_matrixclientv3login) and <https://example.org>."
        );
    }

    #[test]
    fn doc_html_like_text_and_shortcut_links_are_escaped_outside_code() {
        assert_eq!(
            sanitize_doc("an <event_id> and `<code>`", "v1"),
            "an &lt;event_id&gt; and `<code>`"
        );
        assert_eq!(sanitize_doc("a [note] here", "v1"), "a \\[note\\] here");
        assert_eq!(sanitize_doc("```\nx\n```", "v1"), "```text\nx\n```");
    }

    #[test]
    fn links_whose_text_spans_lines_stay_links() {
        assert_eq!(
            sanitize_doc(
                "see [Serving\ninline content](/client-server-api/#x).",
                "v1.2"
            ),
            "see [Serving\ninline content](https://spec.matrix.org/v1.2/client-server-api/#x)."
        );
    }

    #[test]
    fn links_of_a_spec_that_is_not_a_release_go_to_the_unstable_site() {
        let link = "[x](/client-server-api/#x)";
        for (tag, site) in [
            ("v1.19", "https://spec.matrix.org/v1.19/"),
            ("v1.2", "https://spec.matrix.org/v1.2/"),
            ("head", "https://spec.matrix.org/unstable/"),
            ("main", "https://spec.matrix.org/unstable/"),
            ("v1.19-rc1", "https://spec.matrix.org/unstable/"),
            ("v1.19.1", "https://spec.matrix.org/unstable/"),
            ("v1", "https://spec.matrix.org/unstable/"),
            ("0123abcd", "https://spec.matrix.org/unstable/"),
        ] {
            assert_eq!(spec_site(tag), site, "{tag}");
            assert_eq!(
                sanitize_doc(link, tag),
                format!("[x]({site}client-server-api/#x)"),
                "{tag}"
            );
        }
    }

    #[test]
    fn hugo_shortcodes_become_markdown() {
        assert_eq!(
            sanitize_doc(
                "{{% boxes/note %}}\n* a list\n{{% /boxes/note %}}\nAfter.",
                "v1"
            ),
            "**Note:**\n* a list\n\nAfter."
        );
        assert_eq!(
            sanitize_doc("{{% added-in v=\"1.18\"%}} New.", "v1"),
            "(Added in Matrix 1.18) New."
        );
    }
}
