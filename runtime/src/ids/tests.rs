#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use super::*;

fn reason<T>(result: Result<T, InvalidId>) -> InvalidIdReason {
    match result {
        Ok(_) => panic!("accepted"),
        Err(error) => error.reason,
    }
}

#[test]
fn user_ids_current_and_historical() {
    let id = UserId::parse("@alice.b_c=d-e/f+g:example.org").unwrap();
    assert_eq!(id.localpart(), Some("alice.b_c=d-e/f+g"));
    assert_eq!(id.server_name(), Some("example.org"));
    assert!(!id.is_historical());
    // Historical localparts: printable ASCII without `:`.
    let old = UserId::parse("@Alice!#$%&'()*:example.org").unwrap();
    assert!(old.is_historical());
    assert_eq!(
        reason(UserId::parse("@al ice:example.org")),
        InvalidIdReason::ForbiddenChar {
            part: "localpart",
            found: ' '
        }
    );
    assert_eq!(
        reason(UserId::parse("@alé:example.org")),
        InvalidIdReason::ForbiddenChar {
            part: "localpart",
            found: 'é'
        }
    );
    assert_eq!(
        reason(UserId::parse("alice:example.org")),
        InvalidIdReason::MissingPrefix { expected: "@" }
    );
    assert_eq!(
        reason(UserId::parse("@alice")),
        InvalidIdReason::MissingServerName
    );
    assert_eq!(
        reason(UserId::parse("@:example.org")),
        InvalidIdReason::EmptyPart { part: "localpart" }
    );
    let long = format!("@{}:example.org", "a".repeat(243));
    assert_eq!(long.len(), 256);
    assert_eq!(
        reason(UserId::parse(long.as_str())),
        InvalidIdReason::TooLong { len: 256, max: 255 }
    );
    UserId::parse("@").unwrap_err();
    UserId::parse(format!("@{}:example.org", "a".repeat(242))).unwrap();
}

#[test]
fn server_names() {
    for good in [
        "matrix.org",
        "matrix.org:8888",
        "1.2.3.4",
        "1.2.3.4:1234",
        "[1234:5678::abcd]",
        "[1234:5678::abcd]:5678",
        "[::ffff:1.2.3.4]",
        "localhost",
        "a-b.C9",
    ] {
        ServerName::parse(good).unwrap();
    }
    for (bad, why) in [
        (
            "",
            InvalidIdReason::EmptyPart {
                part: "server name",
            },
        ),
        (":80", InvalidIdReason::EmptyPart { part: "host name" }),
        ("matrix.org:", InvalidIdReason::InvalidPort),
        ("matrix.org:123456", InvalidIdReason::InvalidPort),
        ("matrix.org:8a", InvalidIdReason::InvalidPort),
        ("[1234:5678::abcd", InvalidIdReason::UnclosedIpv6Literal),
        ("[1234:zz::abcd]", InvalidIdReason::InvalidIpv6Literal),
        (
            "[::1]x",
            InvalidIdReason::ForbiddenChar {
                part: "server name",
                found: 'x',
            },
        ),
        (
            "matrix_org",
            InvalidIdReason::ForbiddenChar {
                part: "host name",
                found: '_',
            },
        ),
        (
            "1234:5678::abcd",
            InvalidIdReason::InvalidPort, // an IPv6 address needs brackets
        ),
    ] {
        assert_eq!(reason(ServerName::parse(bad)), why, "{bad:?}");
    }
    assert_eq!(
        reason(ServerName::parse("a".repeat(256))),
        InvalidIdReason::TooLong { len: 256, max: 255 }
    );
}

#[test]
fn room_ids_with_and_without_server_name() {
    let old = RoomId::parse("!636q39766251:example.com").unwrap();
    assert_eq!(old.server_name(), Some("example.com"));
    // Room version 12: the create event's reference hash, no server name.
    let v12 = RoomId::parse("!7evKmvvcHkT1jA0BpoUnEq0VF-m6qEV3Nv_Xjc6cj3E").unwrap();
    assert_eq!(v12.server_name(), None);
    assert_eq!(
        reason(RoomId::parse("!abc def")),
        InvalidIdReason::ForbiddenChar {
            part: "room ID without a server name",
            found: ' '
        }
    );
    assert_eq!(
        reason(RoomId::parse("!")),
        InvalidIdReason::EmptyPart { part: "opaque ID" }
    );
    assert_eq!(
        reason(RoomId::parse("#lobby:example.org")),
        InvalidIdReason::MissingPrefix { expected: "!" }
    );
}

#[test]
fn event_ids_of_every_room_version() {
    let v1 = EventId::parse("$143273582443PhrSn:example.org").unwrap();
    assert_eq!(v1.server_name(), Some("example.org"));
    EventId::parse("$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk").unwrap();
    let v4 = EventId::parse("$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg").unwrap();
    assert_eq!(v4.server_name(), None);
    assert_eq!(
        reason(EventId::parse("$abc:not a server")),
        InvalidIdReason::ForbiddenChar {
            part: "host name",
            found: ' '
        }
    );
}

#[test]
fn room_aliases_and_either() {
    let alias = RoomAlias::parse("#monkeys & apes:matrix.org").unwrap();
    assert_eq!(alias.alias(), Some("monkeys & apes"));
    assert_eq!(alias.server_name(), Some("matrix.org"));
    assert_eq!(
        reason(RoomAlias::parse("#a\0b:matrix.org")),
        InvalidIdReason::ForbiddenChar {
            part: "alias",
            found: '\0'
        }
    );
    let either: RoomIdOrAlias = "#monkeys:matrix.org".parse().unwrap();
    assert!(either.is_room_alias() && !either.is_room_id());
    assert!(RoomIdOrAlias::parse("!a:matrix.org").unwrap().is_room_id());
    let error = RoomIdOrAlias::parse("@a:matrix.org").unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a valid mx-room-id or mx-room-alias: it does not start with `! or #`"
    );
    assert_eq!(RoomIdOrAlias::from(alias.clone()), alias.as_str());
}

#[test]
fn mxc_uris() {
    let uri = MxcUri::parse("mxc://example.org:8448/SEsfnsuif_SDF-SSEF").unwrap();
    assert_eq!(uri.server_name(), Some("example.org:8448"));
    assert_eq!(uri.media_id(), Some("SEsfnsuif_SDF-SSEF"));
    let (server, media) = uri.parts().unwrap();
    assert_eq!(server, "example.org:8448");
    assert_eq!(media, "SEsfnsuif_SDF-SSEF");
    assert_eq!(
        MxcUri::from_parts(&server, media).unwrap(),
        uri,
        "from_parts is the inverse of parts"
    );
    assert_eq!(
        reason(MxcUri::parse("mxc://example.org")),
        InvalidIdReason::MissingMediaId
    );
    assert_eq!(
        reason(MxcUri::parse("mxc://example.org/a/b")),
        InvalidIdReason::ForbiddenChar {
            part: "media ID",
            found: '/'
        }
    );
    assert_eq!(
        reason(MxcUri::parse("https://example.org/a")),
        InvalidIdReason::MissingPrefix { expected: "mxc://" }
    );
}

#[test]
fn base64() {
    UnpaddedBase64::parse("aj40p+aw64yPIdsxoog8jhPu9i7l7NcFRecuOQblE3Y").unwrap();
    UnpaddedBase64::parse("").unwrap();
    assert_eq!(
        reason(UnpaddedBase64::parse("YQ==")),
        InvalidIdReason::ForbiddenChar {
            part: "base64",
            found: '='
        }
    );
    assert_eq!(
        reason(UnpaddedBase64::parse("abcde")),
        InvalidIdReason::Base64Length { len: 5 }
    );
    UrlSafeUnpaddedBase64::parse("qcHVMSgYg-71CauWBezXI5qkaRb0LuIy-Wx5kIaHMIA").unwrap();
    assert_eq!(
        reason(UrlSafeUnpaddedBase64::parse("a+b/")),
        InvalidIdReason::ForbiddenChar {
            part: "URL-safe base64",
            found: '+'
        }
    );
}

#[test]
fn received_values_are_kept_whatever_they_are() {
    // A profile's avatar_url is whatever its owner set.
    let uri: MxcUri = serde_json::from_str(r#""https://example.org/a.png""#).unwrap();
    assert_eq!(uri, "https://example.org/a.png");
    assert_eq!(uri.server_name(), None);
    assert_eq!(
        uri.parts().unwrap_err().reason,
        InvalidIdReason::MissingPrefix { expected: "mxc://" }
    );
    let empty: UserId = serde_json::from_str(r#""""#).unwrap();
    assert!(!empty.is_valid());
    assert_eq!(empty.localpart(), None);
    assert_eq!(serde_json::to_string(&empty).unwrap(), r#""""#);
    assert!(serde_json::from_str::<UserId>("1").is_err(), "not a string");
}

#[test]
fn strict_validation_for_tests_is_opt_in_per_thread() {
    validate_identifiers_on_this_thread(true);
    let before = identifiers_validated_on_this_thread();
    let ok: BTreeMap<UserId, RoomId> =
        serde_json::from_str(r#"{"@a:b.c": "!r:b.c", "@d:b.c": "!s:b.c"}"#).unwrap();
    let error = serde_json::from_str::<Vec<UserId>>(r#"["@a:b.c", "nope"]"#)
        .unwrap_err()
        .to_string();
    let counted = identifiers_validated_on_this_thread() - before;
    validate_identifiers_on_this_thread(false);
    assert_eq!(ok.len(), 2);
    assert_eq!(
        counted, 5,
        "keys and values, and the valid one before the error"
    );
    assert!(
        error.contains("not a valid mx-user-id: it does not start with `@`"),
        "{error}"
    );
    serde_json::from_str::<Vec<UserId>>(r#"["nope"]"#).unwrap();
}

#[test]
fn maps_are_looked_up_by_str_and_values_compare_with_strings() {
    let mut map = BTreeMap::new();
    map.insert(UserId::parse("@alice:example.org").unwrap(), 1);
    assert_eq!(map.get("@alice:example.org"), Some(&1));
    let id = UserId::parse("@alice:example.org").unwrap();
    assert_eq!(id, "@alice:example.org");
    assert_eq!("@alice:example.org", id);
    assert_eq!(id.to_string(), "@alice:example.org");
    assert_eq!(format!("{id:?}"), r#""@alice:example.org""#);
    assert_eq!(id.len(), 18, "Deref<Target = str>");
    assert_eq!(String::from(id), "@alice:example.org");
    let error = UserId::try_from("alice").unwrap_err();
    assert_eq!(error.format, IdFormat::UserId);
    assert_eq!(
        error.to_string(),
        "not a valid mx-user-id: it does not start with `@`"
    );
    assert_eq!(
        UserId::from_parts("bob", &ServerName::parse("example.org").unwrap()).unwrap(),
        "@bob:example.org"
    );
}
