//! Forward-compatible string enums.

use std::fmt;

/// A string value that a forward-compatible enum of this crate version does
/// not know.
///
/// Every string enum of the Matrix API (generated ones and [`ErrorCode`])
/// has one variant holding an `UnknownValue`, so that values added by newer
/// spec versions or homeserver extensions are kept verbatim instead of
/// failing deserialization. [`as_str`](Self::as_str) returns the value exactly
/// as it was received, and serializing the enum writes it back unchanged.
///
/// There is deliberately no public constructor: a value of a known variant
/// must never end up inside the unknown variant, otherwise two values that
/// read the same on the wire would compare unequal. Build enums from strings
/// with their `From<&str>` / `From<String>` implementations instead, which
/// pick the known variant when there is one.
///
/// Values order by their string.
///
/// [`ErrorCode`]: crate::ErrorCode
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    /// Constructor for generated code only (through [`string_enum!`]).
    ///
    /// Callers must make sure `value` is not the wire value of a known
    /// variant of the enum it is stored in; the `From` implementations that
    /// [`string_enum!`] generates do exactly that. Not part of the stable API.
    #[doc(hidden)]
    pub fn __new(value: String) -> Self {
        Self(value.into_boxed_str())
    }

    /// The value exactly as it appears on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnknownValue").field(&self.as_str()).finish()
    }
}

impl AsRef<str> for UnknownValue {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Deserializes a string enum from any string, borrowed or owned, without an
/// intermediate allocation for known values.
#[doc(hidden)]
pub fn deserialize_string_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    struct Visitor<T>(std::marker::PhantomData<T>);

    impl<T> serde::de::Visitor<'_> for Visitor<T>
    where
        T: for<'a> From<&'a str> + From<String>,
    {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
            Ok(T::from(value))
        }

        fn visit_string<E: serde::de::Error>(self, value: String) -> Result<T, E> {
            Ok(T::from(value))
        }
    }

    deserializer.deserialize_str(Visitor(std::marker::PhantomData))
}

/// Defines a forward-compatible string enum.
///
/// Each listed variant maps to one wire string; every other string is kept
/// verbatim in the extra variant named after `unknown:` (`Unknown` when
/// `unknown:` is left out), which holds an [`UnknownValue`]. Without
/// `unknown:`, the body is a plain Rust enum item (string discriminants
/// aside), so formatters can print it as one. The generated type gets:
///
/// * `as_str(&self) -> &str`: the wire value (the original string for the
///   unknown variant);
/// * `From<&str>`, `From<String>` and `FromStr` (with
///   `Err = Infallible`): parsing never fails, and always selects the known
///   variant when the string matches one, so equality is equality of wire
///   values;
/// * `Display` and `AsRef<str>` (the wire value), `Debug`, `Clone`,
///   `PartialEq`, `Eq`, `Hash`, and `PartialOrd`/`Ord` by wire value;
/// * `Serialize` / `Deserialize` as a plain JSON string.
///
/// Attributes on the enum (docs, `#[non_exhaustive]`, …) are passed through.
/// A variant takes, in this order, doc comments, at most one `#[cfg(..)]`
/// (also put on the variant's match arms: without it, its value is unknown)
/// and `#[cfg_attr(..)]`s (e.g. a docs.rs `doc(cfg(..))` badge). Do not
/// derive the traits listed above yourself. Adding
/// `#[non_exhaustive]` is recommended so that later spec versions can add
/// variants without a breaking change.
///
/// # Example
///
/// ```
/// matrix_csapi_runtime::string_enum! {
///     /// The membership state of a user in a room.
///     #[non_exhaustive]
///     pub enum Membership {
///         /// The user has joined the room.
///         Join = "join",
///         /// The user has left the room.
///         Leave = "leave",
///     }
///     unknown: Unknown
/// }
///
/// assert_eq!(Membership::from("join"), Membership::Join);
/// let knock = Membership::from("knock");
/// assert!(matches!(knock, Membership::Unknown(_)));
/// assert_eq!(knock.as_str(), "knock");
/// assert_eq!(
///     matrix_csapi_runtime::serde_json::to_string(&knock).unwrap(),
///     r#""knock""#
/// );
/// ```
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$enum_meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[doc = $variant_doc:expr])*
                $(#[cfg($variant_cfg:meta)])?
                $(#[cfg_attr($($variant_cfg_attr:tt)*)])*
                $variant:ident = $value:literal
            ),* $(,)?
        }
        unknown: $unknown:ident
    ) => {
        $(#[$enum_meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        $vis enum $name {
            $(
                $(#[doc = $variant_doc])*
                #[doc = ""]
                #[doc = concat!("Wire value: `", $value, "`.")]
                $(#[cfg($variant_cfg)])?
                $(#[cfg_attr($($variant_cfg_attr)*)])*
                $variant,
            )*
            // No link to `UnknownValue` here: `$crate` does not stringify
            // to a path rustdoc resolves in other crates; the field type
            // links it.
            #[doc = concat!(
                "A value of `", stringify!($name), "` that this crate version does not know, ",
                "kept verbatim."
            )]
            $unknown($crate::UnknownValue),
        }

        impl $name {
            /// The value exactly as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($(#[cfg($variant_cfg)])? Self::$variant => $value,)*
                    Self::$unknown(value) => value.as_str(),
                }
            }

            fn __from_known(value: &str) -> ::core::option::Option<Self> {
                match value {
                    $(
                        $(#[cfg($variant_cfg)])?
                        $value => ::core::option::Option::Some(Self::$variant),
                    )*
                    _ => ::core::option::Option::None,
                }
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match Self::__from_known(value) {
                    ::core::option::Option::Some(known) => known,
                    ::core::option::Option::None => {
                        Self::$unknown($crate::UnknownValue::__new(value.to_owned()))
                    }
                }
            }
        }

        impl ::core::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match Self::__from_known(&value) {
                    ::core::option::Option::Some(known) => known,
                    ::core::option::Option::None => {
                        Self::$unknown($crate::UnknownValue::__new(value))
                    }
                }
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;

            fn from_str(value: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok(Self::from(value))
            }
        }

        impl ::core::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    $(
                        $(#[cfg($variant_cfg)])?
                        Self::$variant => f.write_str(stringify!($variant)),
                    )*
                    Self::$unknown(value) => f
                        .debug_tuple(stringify!($unknown))
                        .field(&value.as_str())
                        .finish(),
                }
            }
        }

        impl ::core::cmp::PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> ::core::option::Option<::core::cmp::Ordering> {
                ::core::option::Option::Some(::core::cmp::Ord::cmp(self, other))
            }
        }

        impl ::core::cmp::Ord for $name {
            fn cmp(&self, other: &Self) -> ::core::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::deserialize_string_enum(deserializer)
            }
        }
    };
    // Without `unknown:`, the extra variant is `Unknown`.
    (
        $(#[$enum_meta:meta])*
        $vis:vis enum $name:ident { $($variants:tt)* }
    ) => {
        $crate::string_enum! {
            $(#[$enum_meta])*
            $vis enum $name { $($variants)* }
            unknown: Unknown
        }
    };
}
