//! The spec's grammar for each identifier format
//! (<https://spec.matrix.org/v1.19/appendices/#identifier-grammar>), as
//! checks that say what is wrong.

use super::InvalidIdReason;

/// User IDs, room IDs, event IDs and room aliases: "MUST NOT exceed 255
/// bytes (including the sigil and the domain)".
const MAX_ID_BYTES: usize = 255;

/// `dns-name = 1*255dns-char`.
const MAX_HOST_BYTES: usize = 255;

/// The 64 characters of standard base64 (RFC 4648 section 4).
fn is_base64_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '+' || c == '/'
}

/// The 64 characters of URL-safe base64 (RFC 4648 section 5).
fn is_url_safe_base64_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Characters of the current user ID grammar (since v1.8):
/// `a-z`, `0-9`, `.`, `_`, `=`, `-`, `/`, `+`.
pub(super) fn is_current_user_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || "._=-/+".contains(c)
}

/// Characters historical user IDs may have: `%x21-39 / %x3B-7E`
/// (printable ASCII without `:`), which clients must still accept.
fn is_historical_user_char(c: char) -> bool {
    matches!(c, '\x21'..='\x39' | '\x3b'..='\x7e')
}

fn check_length(id: &str) -> Result<(), InvalidIdReason> {
    if id.len() > MAX_ID_BYTES {
        return Err(InvalidIdReason::TooLong {
            len: id.len(),
            max: MAX_ID_BYTES,
        });
    }
    Ok(())
}

fn strip_sigil<'a>(id: &'a str, sigil: &'static str) -> Result<&'a str, InvalidIdReason> {
    id.strip_prefix(sigil)
        .ok_or(InvalidIdReason::MissingPrefix { expected: sigil })
}

fn non_empty(text: &str, part: &'static str) -> Result<(), InvalidIdReason> {
    if text.is_empty() {
        return Err(InvalidIdReason::EmptyPart { part });
    }
    Ok(())
}

fn only(
    text: &str,
    part: &'static str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), InvalidIdReason> {
    match text.chars().find(|&c| !allowed(c)) {
        Some(found) => Err(InvalidIdReason::ForbiddenChar { part, found }),
        None => Ok(()),
    }
}

/// `server_name = hostname [ ":" port ]`, where `hostname` is an IPv4
/// literal, a bracketed IPv6 literal or a DNS name of `A-Z a-z 0-9 - .`
/// (at most 255), and `port` is 1 to 5 digits.
pub(super) fn server_name(name: &str) -> Result<(), InvalidIdReason> {
    non_empty(name, "server name")?;
    let port = if let Some(literal) = name.strip_prefix('[') {
        let (address, rest) = literal
            .split_once(']')
            .ok_or(InvalidIdReason::UnclosedIpv6Literal)?;
        // RFC 3986's IPv6address (with an embedded IPv4 tail), which is
        // what std parses; no zone IDs.
        if address.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(InvalidIdReason::InvalidIpv6Literal);
        }
        match rest {
            "" => None,
            rest => Some(
                rest.strip_prefix(':')
                    .ok_or(InvalidIdReason::ForbiddenChar {
                        part: "server name",
                        found: rest.chars().next().unwrap_or(']'),
                    })?,
            ),
        }
    } else {
        let (host, port) = match name.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (name, None),
        };
        non_empty(host, "host name")?;
        if host.len() > MAX_HOST_BYTES {
            return Err(InvalidIdReason::TooLong {
                len: host.len(),
                max: MAX_HOST_BYTES,
            });
        }
        // An IPv4 literal is made of these characters too.
        only(host, "host name", |c| {
            c.is_ascii_alphanumeric() || c == '-' || c == '.'
        })?;
        port
    };
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(InvalidIdReason::InvalidPort);
    }
    Ok(())
}

/// `@localpart:server_name`, the localpart of the historical characters
/// (the current grammar's are a subset).
pub(super) fn user_id(id: &str) -> Result<(), InvalidIdReason> {
    check_length(id)?;
    let rest = strip_sigil(id, "@")?;
    let (localpart, server) = rest
        .split_once(':')
        .ok_or(InvalidIdReason::MissingServerName)?;
    non_empty(localpart, "localpart")?;
    only(localpart, "localpart", is_historical_user_char)?;
    server_name(server)
}

/// `!opaque_id:server_name` (room versions 1 to 11), or `!` followed by the
/// URL-safe unpadded base64 reference hash of the create event (room
/// version 12, no server name).
pub(super) fn room_id(id: &str) -> Result<(), InvalidIdReason> {
    opaque_id(
        id,
        "!",
        "room ID without a server name",
        is_url_safe_base64_char,
    )
}

/// `$opaque_id:server_name` (room versions 1 and 2), or `$` followed by
/// the event's reference hash in base64 (version 3) or URL-safe base64
/// (version 4 and later).
pub(super) fn event_id(id: &str) -> Result<(), InvalidIdReason> {
    opaque_id(id, "$", "event ID without a server name", |c| {
        is_base64_char(c) || is_url_safe_base64_char(c)
    })
}

/// `<sigil>opaque_id:server_name`, or `<sigil>` followed by a hash of
/// `hash_char`s without a server name (`without_server` names that form
/// in errors).
fn opaque_id(
    id: &str,
    sigil: &'static str,
    without_server: &'static str,
    hash_char: impl Fn(char) -> bool,
) -> Result<(), InvalidIdReason> {
    check_length(id)?;
    let rest = strip_sigil(id, sigil)?;
    match rest.split_once(':') {
        Some((opaque, server)) => {
            non_empty(opaque, "opaque ID")?;
            server_name(server)
        }
        None => {
            non_empty(rest, "opaque ID")?;
            only(rest, without_server, hash_char)
        }
    }
}

/// `#alias:server_name`; the alias may hold any character but `:` and NUL.
pub(super) fn room_alias(id: &str) -> Result<(), InvalidIdReason> {
    check_length(id)?;
    let rest = strip_sigil(id, "#")?;
    let (alias, server) = rest
        .split_once(':')
        .ok_or(InvalidIdReason::MissingServerName)?;
    non_empty(alias, "alias")?;
    only(alias, "alias", |c| c != '\0')?;
    server_name(server)
}

/// A room ID or a room alias, told apart by the sigil.
pub(super) fn room_id_or_alias(id: &str) -> Result<(), InvalidIdReason> {
    if id.starts_with('!') {
        room_id(id)
    } else if id.starts_with('#') {
        room_alias(id)
    } else {
        Err(InvalidIdReason::MissingPrefix { expected: "! or #" })
    }
}

/// `mxc://<server-name>/<media-id>`, the media ID of `A-Z a-z 0-9 _ -`.
pub(super) fn mxc_uri(uri: &str) -> Result<(), InvalidIdReason> {
    let (server, media_id) = mxc_parts(uri)?;
    server_name(server)?;
    media_id_part(media_id)
}

/// The server name and media ID of an MXC URI, unchecked.
pub(super) fn mxc_parts(uri: &str) -> Result<(&str, &str), InvalidIdReason> {
    strip_sigil(uri, "mxc://")?
        .split_once('/')
        .ok_or(InvalidIdReason::MissingMediaId)
}

pub(super) fn media_id_part(media_id: &str) -> Result<(), InvalidIdReason> {
    non_empty(media_id, "media ID")?;
    only(media_id, "media ID", is_url_safe_base64_char)
}

/// Unpadded base64: the standard alphabet without `=`; a length that is 1
/// more than a multiple of 4 encodes no whole byte.
pub(super) fn unpadded_base64(text: &str) -> Result<(), InvalidIdReason> {
    only(text, "base64", is_base64_char)?;
    base64_length(text)
}

/// URL-safe unpadded base64: `-` and `_` instead of `+` and `/`.
pub(super) fn url_safe_unpadded_base64(text: &str) -> Result<(), InvalidIdReason> {
    only(text, "URL-safe base64", is_url_safe_base64_char)?;
    base64_length(text)
}

fn base64_length(text: &str) -> Result<(), InvalidIdReason> {
    if text.len() % 4 == 1 {
        return Err(InvalidIdReason::Base64Length { len: text.len() });
    }
    Ok(())
}
