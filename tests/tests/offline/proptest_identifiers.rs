//! Property tests of the identifier types (`matrix_csapi::ids`): for every
//! type, a string built by the spec's grammar parses, and displays,
//! serializes and converts back to exactly itself; a string off the grammar
//! is refused with an error naming the format; and any string at all is
//! accepted when deserialized (received values are lenient) and written
//! back unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::{Debug, Display};
use std::str::FromStr;

use matrix_csapi::ids::{IdFormat, InvalidId};
use matrix_csapi::{
    EventId, MxcUri, RoomAlias, RoomId, RoomIdOrAlias, ServerName, UnpaddedBase64,
    UrlSafeUnpaddedBase64, UserId,
};
use matrix_csapi_runtime::serde::{Serialize, de::DeserializeOwned};
use proptest::prelude::*;

/// What every identifier type offers, for the generic checks.
trait Identifier:
    FromStr<Err = InvalidId>
    + for<'a> TryFrom<&'a str, Error = InvalidId>
    + TryFrom<String, Error = InvalidId>
    + Display
    + Debug
    + AsRef<str>
    + Serialize
    + DeserializeOwned
    + PartialEq
{
    const FORMAT: IdFormat;
}

macro_rules! identifier {
    ($($name:ident),*) => {
        $(impl Identifier for $name {
            const FORMAT: IdFormat = $name::FORMAT;
        })*
    };
}

identifier!(
    UserId,
    RoomId,
    EventId,
    RoomAlias,
    RoomIdOrAlias,
    ServerName,
    MxcUri,
    UnpaddedBase64,
    UrlSafeUnpaddedBase64
);

/// Parsing, then displaying (and every other way back to a string) gives
/// the same text; all ways in agree.
fn round_trips<T: Identifier>(text: &str) -> Result<(), TestCaseError> {
    let parsed: T = text
        .parse()
        .map_err(|error| TestCaseError::fail(format!("{text:?} refused: {error}")))?;
    prop_assert_eq!(parsed.to_string(), text);
    prop_assert_eq!(parsed.as_ref(), text);
    prop_assert_eq!(&T::try_from(text).unwrap(), &parsed);
    prop_assert_eq!(&T::try_from(text.to_owned()).unwrap(), &parsed);
    let json = serde_json::to_string(&parsed).unwrap();
    prop_assert_eq!(&json, &serde_json::to_string(text).unwrap());
    prop_assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), &parsed);
    Ok(())
}

/// Refused, with the format named in the error and its message.
fn refused<T: Identifier>(text: &str) -> Result<(), TestCaseError> {
    match text.parse::<T>() {
        Ok(value) => Err(TestCaseError::fail(format!(
            "{text:?} accepted as {value:?}"
        ))),
        Err(error) => {
            prop_assert_eq!(error.format, T::FORMAT);
            let message = error.to_string();
            let expected = format!("not a valid {}: ", T::FORMAT);
            prop_assert!(message.starts_with(&expected), "{}", message);
            Ok(())
        }
    }
}

/// Accepted from a server whatever it is, and written back unchanged.
fn received<T: Identifier>(text: &str) -> Result<(), TestCaseError> {
    let json = serde_json::to_string(text).unwrap();
    let value: T = serde_json::from_str(&json).unwrap();
    prop_assert_eq!(value.as_ref(), text);
    prop_assert_eq!(serde_json::to_string(&value).unwrap(), json);
    Ok(())
}

fn dns_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9-]{1,20}(\\.[a-zA-Z0-9-]{1,20}){0,3}"
}

fn ipv6_literal() -> impl Strategy<Value = String> {
    any::<[u16; 8]>().prop_map(|parts| format!("[{}]", std::net::Ipv6Addr::from(parts)))
}

fn ipv4() -> impl Strategy<Value = String> {
    any::<[u8; 4]>().prop_map(|parts| std::net::Ipv4Addr::from(parts).to_string())
}

fn server_name() -> impl Strategy<Value = String> {
    (
        prop_oneof![dns_name(), ipv4(), ipv6_literal()],
        proptest::option::of(0u32..100_000),
    )
        .prop_map(|(host, port)| match port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        })
}

/// Localparts of the historical grammar: printable ASCII without `:`.
fn historical_localpart() -> impl Strategy<Value = String> {
    "[!-9;-~]{1,40}"
}

fn url_safe_base64(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9_-]{{{},{}}}", len.start(), len.end()))
        .unwrap()
        .prop_filter("a possible base64 length", |text| text.len() % 4 != 1)
}

fn base64(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9+/]{{{},{}}}", len.start(), len.end()))
        .unwrap()
        .prop_filter("a possible base64 length", |text| text.len() % 4 != 1)
}

fn user_id() -> impl Strategy<Value = String> {
    (historical_localpart(), server_name()).prop_map(|(local, server)| format!("@{local}:{server}"))
}

fn room_id() -> impl Strategy<Value = String> {
    prop_oneof![
        // Room versions 1 to 11: any opaque part, then the server name.
        ("[^:]{1,30}", server_name()).prop_map(|(opaque, server)| format!("!{opaque}:{server}")),
        // Room version 12: the create event's hash, no server name.
        url_safe_base64(43..=43).prop_map(|hash| format!("!{hash}")),
    ]
}

fn event_id() -> impl Strategy<Value = String> {
    prop_oneof![
        ("[^:]{1,30}", server_name()).prop_map(|(opaque, server)| format!("${opaque}:{server}")),
        base64(43..=43).prop_map(|hash| format!("${hash}")),
        url_safe_base64(43..=43).prop_map(|hash| format!("${hash}")),
    ]
}

fn room_alias() -> impl Strategy<Value = String> {
    ("[^:\0]{1,30}", server_name()).prop_map(|(alias, server)| format!("#{alias}:{server}"))
}

fn mxc_uri() -> impl Strategy<Value = String> {
    (server_name(), "[A-Za-z0-9_-]{1,40}")
        .prop_map(|(server, media)| format!("mxc://{server}/{media}"))
}

proptest! {
    #![proptest_config(crate::proptest_config())]

    #[test]
    fn user_ids_round_trip(text in user_id()) {
        round_trips::<UserId>(&text)?;
        let id: UserId = text.parse().unwrap();
        let (local, server) = text[1..].split_once(':').unwrap();
        prop_assert_eq!(id.localpart(), Some(local));
        prop_assert_eq!(id.server_name(), Some(server));
    }

    #[test]
    fn room_ids_round_trip(text in room_id()) {
        round_trips::<RoomId>(&text)?;
        round_trips::<RoomIdOrAlias>(&text)?;
    }

    #[test]
    fn event_ids_round_trip(text in event_id()) {
        round_trips::<EventId>(&text)?;
    }

    #[test]
    fn room_aliases_round_trip(text in room_alias()) {
        round_trips::<RoomAlias>(&text)?;
        round_trips::<RoomIdOrAlias>(&text)?;
    }

    #[test]
    fn server_names_round_trip(text in server_name()) {
        round_trips::<ServerName>(&text)?;
    }

    #[test]
    fn mxc_uris_round_trip_and_split_into_their_parts(text in mxc_uri()) {
        round_trips::<MxcUri>(&text)?;
        let uri: MxcUri = text.parse().unwrap();
        let (server, media) = uri.parts().unwrap();
        prop_assert_eq!(MxcUri::from_parts(&server, media).unwrap(), uri);
    }

    #[test]
    fn base64_round_trips(standard in base64(0..=64), url_safe in url_safe_base64(0..=64)) {
        round_trips::<UnpaddedBase64>(&standard)?;
        round_trips::<UrlSafeUnpaddedBase64>(&url_safe)?;
    }

    /// Another sigil, no server name, a forbidden character, an empty
    /// localpart, a bad port: each refused, naming the format.
    #[test]
    fn bad_identifiers_are_refused_naming_the_format(
        local in historical_localpart(),
        server in server_name(),
        bad in "[ \u{80}-\u{10FFFF}]",
        port in "[0-9]{6,8}|[a-z]{1,3}",
    ) {
        refused::<UserId>(&format!("#{local}:{server}"))?;
        refused::<UserId>(&format!("@{local}"))?;
        refused::<UserId>(&format!("@{local}{bad}:{server}"))?;
        refused::<UserId>(&format!("@:{server}"))?;
        refused::<RoomId>(&format!("#{local}:{server}"))?;
        refused::<RoomId>(&format!("!{bad}{local}"))?;
        refused::<EventId>(&format!("@{local}:{server}"))?;
        refused::<RoomAlias>(&format!("#{local}"))?;
        refused::<RoomIdOrAlias>(&format!("@{local}:{server}"))?;
        refused::<ServerName>(&format!("{server}{bad}"))?;
        refused::<ServerName>(&format!("example.org:{port}"))?;
        refused::<MxcUri>(&format!("mxc://{server}"))?;
        refused::<MxcUri>(&format!("https://{server}/{local}"))?;
        refused::<UnpaddedBase64>(&format!("{local}{bad}"))?;
        refused::<UrlSafeUnpaddedBase64>(&bad)?;
        refused::<UserId>(&format!("@{}:{server}", "a".repeat(255)))?;
    }

    /// Received identifiers are kept whatever they are.
    #[test]
    fn any_received_string_is_kept(text in any::<String>()) {
        received::<UserId>(&text)?;
        received::<RoomId>(&text)?;
        received::<EventId>(&text)?;
        received::<RoomAlias>(&text)?;
        received::<RoomIdOrAlias>(&text)?;
        received::<ServerName>(&text)?;
        received::<MxcUri>(&text)?;
        received::<UnpaddedBase64>(&text)?;
        received::<UrlSafeUnpaddedBase64>(&text)?;
    }
}
