//! The `string_enum!` macro used from another crate, the way generated code
//! uses it (this crate has no direct `serde` dependency).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeSet, HashSet};

use matrix_csapi_runtime::{UnknownValue, string_enum};

string_enum! {
    /// The membership of a user in a room.
    #[non_exhaustive]
    pub enum Membership {
        /// Invited.
        Invite = "invite",
        /// Joined.
        Join = "join",
        /// Knocking.
        Knock = "knock",
        /// Left.
        Leave = "leave",
        /// Banned.
        Ban = "ban",
    }
    unknown: Unknown
}

string_enum! {
    enum Direction {
        Backward = "b",
        Forward = "f"
    }
    unknown: Other
}

#[test]
fn known_values_parse_to_variants() {
    assert_eq!(Membership::from("join"), Membership::Join);
    assert_eq!(Membership::from(String::from("ban")), Membership::Ban);
    assert_eq!("leave".parse::<Membership>().unwrap(), Membership::Leave);
    assert_eq!(Membership::Knock.as_str(), "knock");
    assert_eq!(Membership::Knock.to_string(), "knock");
    assert_eq!(format!("{:?}", Membership::Invite), "Invite");
    assert_eq!(Direction::from("b"), Direction::Backward);
    assert_eq!(Direction::Forward.as_ref(), "f");
}

#[test]
fn unknown_values_round_trip_verbatim() {
    let value = Membership::from("org.example.custom");
    let Membership::Unknown(unknown) = &value else {
        panic!("expected Unknown, got {value:?}");
    };
    assert_eq!(unknown.as_str(), "org.example.custom");
    assert_eq!(value.as_str(), "org.example.custom");
    assert_eq!(format!("{value:?}"), r#"Unknown("org.example.custom")"#);
    // Case matters: "Join" is not "join".
    assert!(matches!(Membership::from("Join"), Membership::Unknown(_)));
    assert!(matches!(Direction::from(""), Direction::Other(_)));
    // Equal wire values are equal values.
    assert_eq!(Membership::from("x"), Membership::from(String::from("x")));
    assert_ne!(Membership::from("x"), Membership::from("y"));
}

#[test]
fn serde_is_a_plain_string() {
    let values: Vec<Membership> =
        serde_json::from_str(r#"["join", "leave", "org.example.x", "\u006bnock"]"#).unwrap();
    assert_eq!(
        values,
        [
            Membership::Join,
            Membership::Leave,
            Membership::from("org.example.x"),
            Membership::Knock,
        ]
    );
    assert_eq!(
        serde_json::to_string(&values).unwrap(),
        r#"["join","leave","org.example.x","knock"]"#
    );
    assert!(serde_json::from_str::<Membership>("1").is_err());
    assert!(serde_json::from_str::<Membership>("null").is_err());
    // As a map key.
    let map: std::collections::BTreeMap<Membership, u8> =
        serde_json::from_str(r#"{"ban": 1, "zzz": 2}"#).unwrap();
    assert_eq!(map[&Membership::Ban], 1);
    assert_eq!(map[&Membership::from("zzz")], 2);
}

#[test]
fn hashing_and_ordering_follow_the_wire_value() {
    let set: HashSet<_> = ["join", "join", "x"]
        .into_iter()
        .map(Membership::from)
        .collect();
    assert_eq!(set.len(), 2);
    let sorted: Vec<_> = ["leave", "ban", "zeta", "invite"]
        .into_iter()
        .map(Membership::from)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|m| m.as_str().to_owned())
        .collect();
    assert_eq!(sorted, ["ban", "invite", "leave", "zeta"]);
}

#[test]
fn unknown_value_traits() {
    let Membership::Unknown(a) = Membership::from("a") else {
        panic!()
    };
    let Membership::Unknown(b) = Membership::from("b") else {
        panic!()
    };
    assert!(a < b);
    assert_eq!(a.clone(), a);
    assert_eq!(format!("{a:?}"), r#"UnknownValue("a")"#);
    let _: &UnknownValue = &a;
}

string_enum! {
    /// Without `unknown:`, the extra variant is `Unknown`.
    pub enum Visibility {
        Public = "public",
        Private = "private",
    }
}

#[test]
fn the_unknown_variant_defaults_to_unknown() {
    assert_eq!(Visibility::from("private"), Visibility::Private);
    let Visibility::Unknown(value) = Visibility::from("secret") else {
        panic!("expected Unknown")
    };
    assert_eq!(value.as_str(), "secret");
}

/// Generated string enums expand through the same macro: the same traits,
/// ordered by wire value rather than by the spec's order of values.
#[test]
fn generated_enums_have_the_macros_traits() {
    use matrix_csapi::types::IdServerUnbindResult as Unbind;

    assert_eq!("no-support".parse::<Unbind>().unwrap(), Unbind::NoSupport);
    assert_eq!(Unbind::from(String::from("success")), Unbind::Success);
    assert_eq!(Unbind::NoSupport.as_ref(), "no-support");
    assert_eq!(Unbind::Success.to_string(), "success");
    // The spec lists `success` first; the wire value orders `no-support` first.
    assert!(Unbind::NoSupport < Unbind::Success);
    assert!(Unbind::from("zzz") > Unbind::Success);
    let unknown = Unbind::from("org.example.partial");
    assert!(matches!(unknown, Unbind::Unknown(_)));
    assert_eq!(format!("{unknown:?}"), r#"Unknown("org.example.partial")"#);
    assert_eq!(
        serde_json::to_string(&unknown).unwrap(),
        r#""org.example.partial""#
    );
}

string_enum! {
    /// A value behind a cfg is unknown where the cfg is off.
    pub enum Gated {
        /// Always there.
        On = "on",
        /// Never compiled in.
        #[cfg(any())]
        #[cfg_attr(docsrs, doc(cfg(any())))]
        Off = "off",
    }
}

#[test]
fn a_variant_behind_a_cfg_that_is_off_is_unknown() {
    assert_eq!(Gated::from("on"), Gated::On);
    assert!(matches!(Gated::from("off"), Gated::Unknown(_)));
    assert_eq!(Gated::from("off").as_str(), "off");
}
