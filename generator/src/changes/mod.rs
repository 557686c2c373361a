//! What changed for the generated crate's users between two spec releases:
//! computed from the two lowered [`model`](crate::model)s, not from text.
//!
//! [`compare`] walks two [`Api`](crate::model::Api)s and returns a [`ChangeReport`]: operations
//! added, removed, deprecated, moved or with other auth; their request,
//! response and error types; fields, parameters and headers added,
//! removed, retyped or made required or optional; string enum values and
//! union variants; named types; cargo features. Each [`Change`] says
//! whether it is breaking *for the generated crate*, by its conventions:
//!
//! - structs are `#[non_exhaustive]` and built with `new(required...)`, so
//!   a new optional member is not breaking, while a new required one (an
//!   argument of `new`) is; a member removed, retyped, or made required or
//!   optional (its type gains or loses `Option`, `new` gains or loses an
//!   argument) is;
//! - string enums are `#[non_exhaustive]` with an `Unknown` variant, so a
//!   new value is not breaking (it used to arrive as `Unknown`); a removed
//!   one is;
//! - unions (`oneOf`, type lists) are exhaustive enums: any change to their
//!   variants is breaking;
//! - response and error enums of an operation are `#[non_exhaustive]`: a
//!   status added is not breaking, one removed is;
//! - an operation that now requires a token it did not require before
//!   fails without one ([`Auth`]); any other auth change is not breaking;
//! - an item newly behind a cargo feature (`x-cargo-feature`), or behind
//!   another one, is gone from code built without it; an item added behind
//!   one is an addition like any other.
//!
//! [`ChangeReport::level`] and [`next_version`] turn that into the version
//! Cargo's SemVer rules ask for ([`version`]). Documentation changes are not listed.
//! [`render`] writes a report as text or JSON; [`compare_specs`] builds both
//! models from spec folders with the project's config and overlays.

mod compare;
pub mod render;
pub mod version;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::Auth;
use crate::{OverlayFit, Project, SkippedOverlay};

pub use compare::compare;
pub use version::{Level, VersionError, next_version};

/// What changed between two models, for the generated crate's users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeReport {
    /// The older release's label (e.g. `v1.18`).
    pub from: String,
    /// The newer release's label.
    pub to: String,
    /// Every change: breaking ones first, then by subject and kind.
    pub changes: Vec<Change>,
    /// Overlays left out of the older release's model because they do not
    /// fit it (written for a newer release), with the reason.
    pub skipped_overlays: Vec<SkippedNote>,
    /// The generated crate's name and current version, when known (from
    /// the project's config).
    #[serde(rename = "crate")]
    pub krate: Option<CrateVersion>,
}

/// The generated crate's name and version (`[crate]` in the config).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateVersion {
    /// The package name.
    pub name: String,
    /// Its current version.
    pub version: String,
}

/// An overlay left out of one side's model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedNote {
    /// The overlay, as listed in the config.
    pub overlay: String,
    /// Why it does not fit.
    pub reason: String,
}

impl From<SkippedOverlay> for SkippedNote {
    fn from(s: SkippedOverlay) -> Self {
        SkippedNote {
            overlay: s.overlay,
            reason: s.reason,
        }
    }
}

impl ChangeReport {
    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.breaking)
    }

    /// What kind of release the changes ask for; [`version::next_version`]
    /// turns it into a version number.
    pub fn level(&self) -> Level {
        if self.is_breaking() {
            Level::Breaking
        } else if !self.changes.is_empty() {
            Level::Additions
        } else if self.from != self.to {
            Level::Docs
        } else {
            Level::Unchanged
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Whether code using the older crate may fail to compile, or a call
    /// that worked may fail, with the newer one.
    pub breaking: bool,
    /// What changed: an operation, a type or a cargo feature.
    pub subject: Subject,
    /// How it changed.
    #[serde(flatten)]
    pub kind: ChangeKind,
}

impl Change {
    fn new(subject: Subject, kind: ChangeKind) -> Self {
        Change {
            breaking: kind.is_breaking(),
            subject,
            kind,
        }
    }
}

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subject {
    /// A generated type, by its path in the crate (`module::Name`).
    Type {
        /// `module::Name`.
        path: String,
    },
    /// An operation, by its `operationId`.
    Operation {
        /// The spec's `operationId`.
        operation_id: String,
        /// `METHOD /full/path` (in the newer release, if it has it).
        endpoint: String,
    },
    /// A cargo feature of the generated crate.
    Feature {
        /// The feature's name.
        name: String,
    },
}

/// A member of a struct: a JSON property, a parameter, a header, the body.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Member {
    /// What kind of member.
    pub place: Place,
    /// The Rust field name.
    pub rust: String,
    /// The name on the wire (JSON property, parameter or header name).
    pub wire: String,
}

/// Where a struct member comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// A JSON property.
    Field,
    /// The flattened map of the properties the schema does not name.
    OtherProperties,
    /// A path parameter.
    PathParam,
    /// A query parameter.
    QueryParam,
    /// A header parameter.
    HeaderParam,
    /// A request type's `body` (a separate body type).
    Body,
    /// A declared header of a non-JSON response.
    ResponseHeader,
    /// The bytes of a non-JSON response.
    ResponseBody,
}

/// How something changed. Rust types are written as the generated crate
/// spells them, paths relative to the crate (`types::Widget`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new operation: its request type and client method.
    OperationAdded {
        /// The request type.
        request: String,
        /// The `Client` method.
        method: String,
        /// The cargo feature that gates it.
        feature: Option<String>,
    },
    /// An operation is gone.
    OperationRemoved {
        /// The request type it had.
        request: String,
        /// The `Client` method it had.
        method: String,
    },
    /// An operation is now deprecated.
    OperationDeprecated,
    /// An operation is no longer deprecated.
    OperationUndeprecated,
    /// The cargo features an operation or type exists only with changed.
    GateChanged {
        /// Before (empty: always there).
        from: Vec<String>,
        /// After.
        to: Vec<String>,
    },
    /// An operation's method or path changed (its Rust API did not).
    EndpointChanged {
        /// `METHOD /path` before.
        from: String,
        /// `METHOD /path` after.
        to: String,
    },
    /// An operation's authentication changed.
    AuthChanged {
        /// Before.
        from: AuthKind,
        /// After.
        to: AuthKind,
    },
    /// An operation's request type or client method has another name.
    Renamed {
        /// Request type and method before.
        from: String,
        /// After.
        to: String,
    },
    /// The type an operation's call returns changed.
    ResponseRetyped {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A status was added to an operation's response enum.
    ResponseStatusAdded {
        /// The status.
        status: u16,
        /// Its variant.
        variant: String,
    },
    /// A status was removed from an operation's response enum.
    ResponseStatusRemoved {
        /// The status.
        status: u16,
        /// Its variant.
        variant: String,
    },
    /// The type a status of an operation's response enum carries changed.
    ResponseStatusRetyped {
        /// The status.
        status: u16,
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// The error type an operation's call returns changed.
    ErrorRetyped {
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A documented error status was added to an operation's error enum.
    ErrorStatusAdded {
        /// The status.
        status: u16,
        /// Its variant.
        variant: String,
    },
    /// A documented error status was removed from an operation's error enum.
    ErrorStatusRemoved {
        /// The status.
        status: u16,
        /// Its variant.
        variant: String,
    },
    /// The type an error status carries changed.
    ErrorStatusRetyped {
        /// The status.
        status: u16,
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A new named type.
    TypeAdded {
        /// `struct`, `string enum` or `union`.
        what: &'static str,
        /// The cargo features it exists only with.
        features: Vec<String>,
    },
    /// A named type is gone.
    TypeRemoved {
        /// What it was.
        what: &'static str,
    },
    /// A named type is now another kind of type.
    TypeKindChanged {
        /// Before.
        from: &'static str,
        /// After.
        to: &'static str,
    },
    /// A named type is now deprecated.
    TypeDeprecated,
    /// A struct member was added.
    MemberAdded {
        /// The member.
        member: Member,
        /// Its type (without the `Option` of an optional member).
        ty: String,
        /// Whether it is required.
        required: bool,
        /// Whether the type's `new` takes it (a required member of a
        /// type that has a constructor).
        in_constructor: bool,
        /// The cargo feature that gates it.
        feature: Option<String>,
    },
    /// A struct member is gone.
    MemberRemoved {
        /// The member.
        member: Member,
    },
    /// A member's type changed.
    MemberRetyped {
        /// The member.
        member: Member,
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// An optional member became required.
    MemberMadeRequired {
        /// The member.
        member: Member,
    },
    /// A required member became optional.
    MemberMadeOptional {
        /// The member.
        member: Member,
    },
    /// A member's wire name changed (its Rust name did not).
    MemberWireNameChanged {
        /// The member (with its new wire name).
        member: Member,
        /// The wire name before.
        from: String,
    },
    /// A member is now deprecated.
    MemberDeprecated {
        /// The member.
        member: Member,
    },
    /// The cargo feature gating a member changed.
    MemberFeatureChanged {
        /// The member.
        member: Member,
        /// Before (`None`: not gated).
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// A string enum has a new value.
    EnumValueAdded {
        /// The value on the wire.
        value: String,
        /// Its variant.
        variant: String,
        /// The cargo feature that gates the variant.
        feature: Option<String>,
    },
    /// A string enum value is gone.
    EnumValueRemoved {
        /// The value on the wire.
        value: String,
        /// Its variant.
        variant: String,
    },
    /// The cargo feature gating a string enum value's variant changed.
    EnumValueFeatureChanged {
        /// The value on the wire.
        value: String,
        /// Its variant.
        variant: String,
        /// Before (`None`: not gated).
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// A union has a new variant.
    UnionVariantAdded {
        /// The variant.
        variant: String,
        /// What it holds.
        ty: String,
    },
    /// A union variant is gone.
    UnionVariantRemoved {
        /// The variant.
        variant: String,
    },
    /// What a union variant holds changed.
    UnionVariantRetyped {
        /// The variant.
        variant: String,
        /// Before.
        from: String,
        /// After.
        to: String,
    },
    /// A new cargo feature.
    FeatureAdded,
    /// A cargo feature is gone.
    FeatureRemoved,
}

impl ChangeKind {
    /// Whether the change breaks code or calls written for the older crate
    /// (see the [module docs](self)).
    pub fn is_breaking(&self) -> bool {
        match self {
            ChangeKind::OperationAdded { .. }
            | ChangeKind::OperationDeprecated
            | ChangeKind::OperationUndeprecated
            | ChangeKind::EndpointChanged { .. }
            | ChangeKind::ResponseStatusAdded { .. }
            | ChangeKind::ErrorStatusAdded { .. }
            | ChangeKind::TypeAdded { .. }
            | ChangeKind::TypeDeprecated
            | ChangeKind::MemberWireNameChanged { .. }
            | ChangeKind::MemberDeprecated { .. }
            | ChangeKind::EnumValueAdded { .. }
            | ChangeKind::FeatureAdded => false,
            ChangeKind::MemberAdded { in_constructor, .. } => *in_constructor,
            // Code built without the new feature loses the member (the
            // variant; the value then arrives as `Unknown`).
            ChangeKind::MemberFeatureChanged { to, .. }
            | ChangeKind::EnumValueFeatureChanged { to, .. } => to.is_some(),
            // Code built without a feature it now needs loses the item.
            ChangeKind::GateChanged { from, to } => to.iter().any(|f| !from.contains(f)),
            ChangeKind::AuthChanged { from, to } => to.requires_token() && !from.requires_token(),
            ChangeKind::OperationRemoved { .. }
            | ChangeKind::Renamed { .. }
            | ChangeKind::ResponseRetyped { .. }
            | ChangeKind::ResponseStatusRemoved { .. }
            | ChangeKind::ResponseStatusRetyped { .. }
            | ChangeKind::ErrorRetyped { .. }
            | ChangeKind::ErrorStatusRemoved { .. }
            | ChangeKind::ErrorStatusRetyped { .. }
            | ChangeKind::TypeRemoved { .. }
            | ChangeKind::TypeKindChanged { .. }
            | ChangeKind::MemberRemoved { .. }
            | ChangeKind::MemberRetyped { .. }
            | ChangeKind::MemberMadeRequired { .. }
            | ChangeKind::MemberMadeOptional { .. }
            | ChangeKind::EnumValueRemoved { .. }
            | ChangeKind::UnionVariantAdded { .. }
            | ChangeKind::UnionVariantRemoved { .. }
            | ChangeKind::UnionVariantRetyped { .. }
            | ChangeKind::FeatureRemoved => true,
        }
    }
}

/// An operation's authentication ([`Auth`], which the runtime's
/// `AuthScheme` mirrors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// No token is ever sent.
    None,
    /// An access token is required.
    AccessToken,
    /// An access token is sent when the client has one.
    OptionalAccessToken,
    /// An application service token is required.
    AppserviceToken,
}

impl From<Auth> for AuthKind {
    fn from(auth: Auth) -> Self {
        match auth {
            Auth::None => AuthKind::None,
            Auth::AccessToken => AuthKind::AccessToken,
            Auth::OptionalAccessToken => AuthKind::OptionalAccessToken,
            Auth::AppserviceToken => AuthKind::AppserviceToken,
        }
    }
}

impl AuthKind {
    /// Whether a request fails without a token (the runtime's
    /// `IntoHttpError::MissingAccessToken`).
    pub fn requires_token(self) -> bool {
        match self {
            AuthKind::AccessToken | AuthKind::AppserviceToken => true,
            AuthKind::None | AuthKind::OptionalAccessToken => false,
        }
    }

    /// How reports name it.
    pub fn text(self) -> &'static str {
        match self {
            AuthKind::None => "none",
            AuthKind::AccessToken => "access token",
            AuthKind::OptionalAccessToken => "optional access token",
            AuthKind::AppserviceToken => "appservice token",
        }
    }
}

/// Why two spec releases could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum ChangesError {
    /// One side's model could not be built.
    #[error(
        "cannot build the {side} API from `{}` with the project's config and overlays{}",
        spec_dir.display(),
        if *.side == Side::From { " (overlays that do not fit it are left out; the rest of the config must apply to it)" } else { "" }
    )]
    Build {
        /// Which side.
        side: Side,
        /// Its spec folder.
        spec_dir: PathBuf,
        /// Why.
        #[source]
        source: Box<crate::Error>,
    },
}

/// One side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The older release.
    From,
    /// The newer release.
    To,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::From => "old (--from)",
            Side::To => "new (--to)",
        })
    }
}

/// A spec release to compare: its folder (the one containing `data/`) and
/// the label it is reported under.
#[derive(Debug, Clone, Copy)]
pub struct Release<'a> {
    /// The spec folder.
    pub spec_dir: &'a Path,
    /// The label (a release tag such as `v1.18`).
    pub label: &'a str,
}

/// Builds the models of two spec releases with the project's config and
/// overlays, as `gen` would, and compares them. The newer release must
/// take every overlay; overlays that do not fit the older one (their file
/// or a target is not there: written for a newer release) are left out of
/// its model and listed in [`ChangeReport::skipped_overlays`], so their
/// additions show as changes. Everything else in the config must apply to
/// both.
pub fn compare_specs(
    from: Release<'_>,
    to: Release<'_>,
    project: &Project,
) -> Result<ChangeReport, ChangesError> {
    let build = |release: Release<'_>, side: Side, fit: OverlayFit| {
        crate::build_api(release.spec_dir, project, release.label, fit).map_err(|source| {
            ChangesError::Build {
                side,
                spec_dir: release.spec_dir.to_path_buf(),
                source: Box::new(source),
            }
        })
    };
    let old = build(from, Side::From, OverlayFit::SkipUnfitting)?;
    let new = build(to, Side::To, OverlayFit::Required)?;
    let mut report = compare(&old.api, &new.api);
    report.skipped_overlays = old.skipped_overlays.into_iter().map(Into::into).collect();
    report.krate = Some(CrateVersion {
        name: new.config.krate.name,
        version: new.config.krate.version,
    });
    Ok(report)
}
