//! Matrix identifiers: one type per string format of the spec
//! (`data/string-formats.yaml`), used by the generated code wherever a
//! schema says `format: mx-…` or a map's keys say `x-pattern-format: mx-…`.
//!
//! | format | type | grammar checked by [`parse`](UserId::parse) |
//! |---|---|---|
//! | `mx-user-id` | [`UserId`] | `@localpart:server_name`, at most 255 bytes; the localpart non-empty, of the historical characters (printable ASCII but `:`), of which the current grammar's (`a-z 0-9 . _ = - / +`) are a subset ([`UserId::is_historical`] tells them apart) |
//! | `mx-room-id` | [`RoomId`] | `!opaque:server_name`, or (room version 12) `!` and URL-safe base64 without a server name; at most 255 bytes |
//! | `mx-event-id` | [`EventId`] | `$opaque:server_name` (room versions 1, 2), or `$` and base64 or URL-safe base64 (3 and later); at most 255 bytes |
//! | `mx-room-alias` | [`RoomAlias`] | `#alias:server_name`, the alias non-empty without NUL; at most 255 bytes |
//! | `mx-room-id` or `mx-room-alias` | [`RoomIdOrAlias`] | either, by its sigil |
//! | `mx-server-name` | [`ServerName`] | a DNS name (`A-Z a-z 0-9 - .`, at most 255), an IPv4 literal or a bracketed IPv6 literal, then optionally `:` and 1 to 5 digits |
//! | `mx-mxc-uri` | [`MxcUri`] | `mxc://server_name/media_id`, the media ID of `A-Z a-z 0-9 _ -` |
//! | `mx-unpadded-base64` | [`UnpaddedBase64`] | the standard alphabet, no `=`, a length that is not 1 more than a multiple of 4 |
//! | `mx-urlsafe-unpadded-base64` | [`UrlSafeUnpaddedBase64`] | the same with `-` and `_` for `+` and `/` |
//!
//! # Strict from users, lenient from servers
//!
//! A value built by the program ([`parse`](UserId::parse), [`FromStr`],
//! `TryFrom<&str>`, `TryFrom<String>`) is checked against the grammar and
//! refused with an [`InvalidId`] naming the format and the reason.
//!
//! **Deserializing accepts any JSON string** (anything else is an error).
//! Identifiers in responses were written by other servers and users: state
//! of federated rooms, profile fields (`avatar_url` is whatever its owner
//! set), relayed events. One value off the grammar must not fail a whole
//! `/sync`, and a value passed back to the server must be the one it sent,
//! byte for byte. [`validate`](UserId::validate) checks a received value
//! when it matters; the accessors ([`UserId::server_name`], ...) return
//! `None` where a received value lacks the part.
//!
//! # Owned newtypes, not ruma's borrowed `&UserId`
//!
//! Each type owns its text (`Box<str>`: two words). ruma pairs a borrowed
//! `UserId` (an unsized `str` newtype) with an `OwnedUserId`; making
//! `&str` into `&UserId` needs a pointer cast (`unsafe`), which this
//! workspace forbids, and two types per format double the API for a saving
//! (no allocation when borrowing) that requests and responses, which own
//! their fields anyway, do not need. `Borrow<str>` gives what the borrowed
//! type is mostly for: a `BTreeMap<UserId, _>` is looked up with a `&str`.
//!
//! Equality, order and hashing are those of the text, consistent with
//! `Borrow<str>`. No normalisation: `@Alice:example.org` and
//! `@alice:example.org` are different (historical) user IDs.

mod grammar;

use std::borrow::Borrow;
use std::cell::Cell;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string format of the spec, as `data/string-formats.yaml` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdFormat {
    /// `mx-user-id`.
    UserId,
    /// `mx-room-id`.
    RoomId,
    /// `mx-event-id`.
    EventId,
    /// `mx-room-alias`.
    RoomAlias,
    /// `mx-room-id` or `mx-room-alias` (a `oneOf` of both).
    RoomIdOrAlias,
    /// `mx-server-name`.
    ServerName,
    /// `mx-mxc-uri`.
    MxcUri,
    /// `mx-unpadded-base64`.
    UnpaddedBase64,
    /// `mx-urlsafe-unpadded-base64`.
    UrlSafeUnpaddedBase64,
}

impl IdFormat {
    /// The spec's name of the format, e.g. `mx-user-id`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdFormat::UserId => "mx-user-id",
            IdFormat::RoomId => "mx-room-id",
            IdFormat::EventId => "mx-event-id",
            IdFormat::RoomAlias => "mx-room-alias",
            IdFormat::RoomIdOrAlias => "mx-room-id or mx-room-alias",
            IdFormat::ServerName => "mx-server-name",
            IdFormat::MxcUri => "mx-mxc-uri",
            IdFormat::UnpaddedBase64 => "mx-unpadded-base64",
            IdFormat::UrlSafeUnpaddedBase64 => "mx-urlsafe-unpadded-base64",
        }
    }
}

impl fmt::Display for IdFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that does not follow the grammar of its format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {format}: {reason}")]
#[non_exhaustive]
pub struct InvalidId {
    /// The format the string was meant to have.
    pub format: IdFormat,
    /// What is wrong with it.
    pub reason: InvalidIdReason,
}

/// What is wrong with an identifier ([`InvalidId`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidIdReason {
    /// It does not start with its sigil (`@`, `!`, `$`, `#`) or `mxc://`.
    #[error("it does not start with `{expected}`")]
    MissingPrefix {
        /// The prefix the format needs.
        expected: &'static str,
    },
    /// No `:` and server name after the localpart or alias.
    #[error("it has no `:` and server name")]
    MissingServerName,
    /// An MXC URI without `/` and a media ID after the server name.
    #[error("it has no `/` and media ID after the server name")]
    MissingMediaId,
    /// A part that must not be empty is.
    #[error("its {part} is empty")]
    EmptyPart {
        /// Which part.
        part: &'static str,
    },
    /// A character the part may not contain.
    #[error("its {part} contains {found:?}, which the grammar does not allow there")]
    ForbiddenChar {
        /// Which part.
        part: &'static str,
        /// The first character not allowed.
        found: char,
    },
    /// Longer than the grammar allows.
    #[error("it is {len} bytes long, more than the {max} allowed")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// `[` without `]` in a server name.
    #[error("its IPv6 literal has no closing `]`")]
    UnclosedIpv6Literal,
    /// Not an IPv6 address between `[` and `]`.
    #[error("its IPv6 literal is not an IPv6 address")]
    InvalidIpv6Literal,
    /// A server name's port is not 1 to 5 digits.
    #[error("its port is not 1 to 5 digits")]
    InvalidPort,
    /// A base64 length that encodes no whole byte.
    #[error("its length {len} is 1 more than a multiple of 4, which no base64 encoding has")]
    Base64Length {
        /// The length.
        len: usize,
    },
}

thread_local! {
    static STRICT: Cell<bool> = const { Cell::new(false) };
    static VALIDATED: Cell<u64> = const { Cell::new(0) };
}

/// Test support, not part of the API: while on (on this thread),
/// deserializing an identifier also checks the grammar, fails on a value
/// off it and counts it ([`identifiers_validated_on_this_thread`]), so
/// that the spec's examples are checked strictly.
#[doc(hidden)]
pub fn validate_identifiers_on_this_thread(strict: bool) {
    STRICT.set(strict);
}

/// Test support, not part of the API: how many identifiers were
/// deserialized on this thread while strict validation was on.
#[doc(hidden)]
pub fn identifiers_validated_on_this_thread() -> u64 {
    VALIDATED.get()
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $format:ident, $check:path) => {
        $(#[$doc])*
        ///
        /// Checked against the grammar when built from a string
        /// ([`parse`](Self::parse), `FromStr`, `TryFrom`); deserialized
        /// from any string (see [the module docs](crate::ids)).
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Box<str>);

        impl $name {
            /// The format the values have.
            pub const FORMAT: IdFormat = IdFormat::$format;

            /// Checks `text` against the grammar.
            pub fn parse(text: impl AsRef<str> + Into<String>) -> Result<Self, InvalidId> {
                Self::check(text.as_ref())?;
                Ok(Self(text.into().into_boxed_str()))
            }

            fn check(text: &str) -> Result<(), InvalidId> {
                $check(text).map_err(|reason| InvalidId {
                    format: Self::FORMAT,
                    reason,
                })
            }

            /// Checks a value, e.g. one received from a server (which
            /// deserializing does not check).
            pub fn validate(&self) -> Result<(), InvalidId> {
                Self::check(&self.0)
            }

            /// Whether the value follows the grammar.
            pub fn is_valid(&self) -> bool {
                self.validate().is_ok()
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, owned.
            pub fn into_string(self) -> String {
                self.0.into_string()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(text: &str) -> Result<Self, InvalidId> {
                Self::parse(text)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidId;

            fn try_from(text: &str) -> Result<Self, InvalidId> {
                Self::parse(text)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;

            fn try_from(text: String) -> Result<Self, InvalidId> {
                Self::parse(text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.into_string()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                &*self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                &*self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                *self.0 == **other
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == &*other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == &*other.0
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                **self == *other.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                if STRICT.get() {
                    Self::check(&text).map_err(serde::de::Error::custom)?;
                    VALIDATED.set(VALIDATED.get() + 1);
                }
                Ok(Self(text.into_boxed_str()))
            }
        }
    };
}

identifier!(
    /// A [user ID](https://spec.matrix.org/v1.19/appendices/#user-identifiers)
    /// (`mx-user-id`), e.g. `@alice:example.org`.
    UserId,
    UserId,
    grammar::user_id
);

identifier!(
    /// A [room ID](https://spec.matrix.org/v1.19/appendices/#room-ids)
    /// (`mx-room-id`), e.g. `!abc:example.org`, or without a server name
    /// in room version 12.
    RoomId,
    RoomId,
    grammar::room_id
);

identifier!(
    /// An [event ID](https://spec.matrix.org/v1.19/appendices/#event-ids)
    /// (`mx-event-id`), e.g. `$abc:example.org` (room versions 1, 2) or
    /// `$` and a base64 hash (later versions).
    EventId,
    EventId,
    grammar::event_id
);

identifier!(
    /// A [room alias](https://spec.matrix.org/v1.19/appendices/#room-aliases)
    /// (`mx-room-alias`), e.g. `#lobby:example.org`.
    RoomAlias,
    RoomAlias,
    grammar::room_alias
);

identifier!(
    /// A room ID or a room alias (a `oneOf` of `mx-room-id` and
    /// `mx-room-alias`, e.g. the room of `POST /join/{roomIdOrAlias}`),
    /// told apart by the sigil.
    RoomIdOrAlias,
    RoomIdOrAlias,
    grammar::room_id_or_alias
);

identifier!(
    /// A [server name](https://spec.matrix.org/v1.19/appendices/#server-name)
    /// (`mx-server-name`), e.g. `example.org`, `example.org:8448`,
    /// `[::1]:8448`.
    ServerName,
    ServerName,
    grammar::server_name
);

identifier!(
    /// A [Matrix content URI](https://spec.matrix.org/v1.19/client-server-api/#matrix-content-mxc-uris)
    /// (`mx-mxc-uri`), e.g. `mxc://example.org/SEsfnsuifSDFSSEF`. The
    /// media download, thumbnail and upload requests are built from one
    /// with their `from_mxc` constructors.
    MxcUri,
    MxcUri,
    grammar::mxc_uri
);

identifier!(
    /// [Unpadded base64](https://spec.matrix.org/v1.19/appendices/#unpadded-base64)
    /// (`mx-unpadded-base64`): keys, signatures, hashes.
    UnpaddedBase64,
    UnpaddedBase64,
    grammar::unpadded_base64
);

identifier!(
    /// [URL-safe unpadded base64](https://spec.matrix.org/v1.19/appendices/#url-safe-unpadded-base64)
    /// (`mx-urlsafe-unpadded-base64`).
    UrlSafeUnpaddedBase64,
    UrlSafeUnpaddedBase64,
    grammar::url_safe_unpadded_base64
);

/// The parts of `sigil local:server`, when the value has that shape.
fn split_id(id: &str, sigil: char) -> Option<(&str, &str)> {
    id.strip_prefix(sigil)?.split_once(':')
}

impl UserId {
    /// Builds `@localpart:server_name`, checked.
    pub fn from_parts(localpart: &str, server_name: &ServerName) -> Result<Self, InvalidId> {
        Self::parse(format!("@{localpart}:{server_name}"))
    }

    /// The localpart (between `@` and the first `:`); `None` for a
    /// received value without that shape.
    pub fn localpart(&self) -> Option<&str> {
        split_id(self, '@').map(|(local, _)| local)
    }

    /// The server name (after the first `:`); `None` for a received value
    /// without one.
    pub fn server_name(&self) -> Option<&str> {
        split_id(self, '@').map(|(_, server)| server)
    }

    /// Whether the localpart has characters only historical user IDs may
    /// have (upper case letters, most punctuation), which servers no
    /// longer hand out but clients must accept.
    pub fn is_historical(&self) -> bool {
        self.localpart()
            .is_some_and(|local| !local.chars().all(grammar::is_current_user_char))
    }
}

impl RoomId {
    /// The server name (after the first `:`); `None` for a room ID of room
    /// version 12 (which has none) or a received value without one.
    pub fn server_name(&self) -> Option<&str> {
        split_id(self, '!').map(|(_, server)| server)
    }
}

impl EventId {
    /// The server name of an event ID of room versions 1 and 2; `None`
    /// for later versions (a hash, no server name).
    pub fn server_name(&self) -> Option<&str> {
        split_id(self, '$').map(|(_, server)| server)
    }
}

impl RoomAlias {
    /// The alias (between `#` and the first `:`); `None` for a received
    /// value without that shape.
    pub fn alias(&self) -> Option<&str> {
        split_id(self, '#').map(|(alias, _)| alias)
    }

    /// The server name (after the first `:`); `None` for a received value
    /// without one.
    pub fn server_name(&self) -> Option<&str> {
        split_id(self, '#').map(|(_, server)| server)
    }
}

impl RoomIdOrAlias {
    /// Whether it is a room ID (starts with `!`).
    pub fn is_room_id(&self) -> bool {
        self.starts_with('!')
    }

    /// Whether it is a room alias (starts with `#`).
    pub fn is_room_alias(&self) -> bool {
        self.starts_with('#')
    }
}

impl From<RoomId> for RoomIdOrAlias {
    fn from(id: RoomId) -> Self {
        Self(id.0)
    }
}

impl From<RoomAlias> for RoomIdOrAlias {
    fn from(alias: RoomAlias) -> Self {
        Self(alias.0)
    }
}

impl MxcUri {
    /// Builds `mxc://server_name/media_id`, checked.
    pub fn from_parts(server_name: &ServerName, media_id: &str) -> Result<Self, InvalidId> {
        Self::parse(format!("mxc://{server_name}/{media_id}"))
    }

    /// The server name (between `mxc://` and the next `/`); `None` for a
    /// received value without that shape.
    pub fn server_name(&self) -> Option<&str> {
        grammar::mxc_parts(self).ok().map(|(server, _)| server)
    }

    /// The media ID (after the server name and `/`); `None` for a
    /// received value without that shape.
    pub fn media_id(&self) -> Option<&str> {
        grammar::mxc_parts(self).ok().map(|(_, media_id)| media_id)
    }

    /// The server name and media ID, checked: what the media endpoints'
    /// path parameters need. A received value is whatever its owner set
    /// (a profile's `avatar_url` may be any string), so this can fail.
    pub fn parts(&self) -> Result<(ServerName, &str), InvalidId> {
        self.validate()?;
        let (server, media_id) = grammar::mxc_parts(self).map_err(|reason| InvalidId {
            format: Self::FORMAT,
            reason,
        })?;
        Ok((ServerName(server.into()), media_id))
    }
}

#[cfg(test)]
mod tests;
