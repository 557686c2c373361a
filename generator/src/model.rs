//! The typed intermediate model between the spec and Rust source.
//!
//! Lowering ([`crate::lower`]) fills it from the resolved spec; emitting
//! ([`crate::emit`]) turns it into Rust. Names here are already Rust names,
//! unique where they need to be, so the emitter makes no naming decisions.

use crate::load::Location;

/// Names of the Rust 2024 prelude (types, traits, variants, derive macros;
/// and `Self`) that generated code writes unqualified (`String`, `Vec`,
/// `Default::default()`, `Some(..)`, `#[derive(Debug, Hash)]`): lowering
/// gives no generated type one of them, and the emitter's imports never
/// shadow one.
pub const PRELUDE_NAMES: &[&str] = &[
    "AsMut",
    "AsRef",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
    "Box",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Hash",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Self",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// The whole generated API.
#[derive(Debug, Clone)]
pub struct Api {
    /// Matrix spec release the API comes from, e.g. `v1.19`.
    pub spec_tag: String,
    /// One module per spec document, in config order.
    pub modules: Vec<Module>,
    /// Every named type, each in one module.
    pub types: Vec<TypeDef>,
    /// Cargo features that gate experimental items (`x-cargo-feature`), sorted.
    pub features: Vec<String>,
    /// The typed event contents (module `events`), by event type.
    pub events: Vec<Event>,
    /// The enums of event contents (module `events`, `[events.enums]`).
    pub event_enums: Vec<EventEnum>,
}

/// An enum of the contents of several event types (`[events.enums]`):
/// a variant per event type, and `Other` for any other.
#[derive(Debug, Clone)]
pub struct EventEnum {
    /// The enum's name.
    pub name: String,
    /// The kinds of event it has variants for.
    pub kinds: Vec<crate::config::EventKindName>,
    /// The event type patterns it has variants for beside its kinds.
    pub event_types: Vec<String>,
    /// One per event type, in event type order.
    pub variants: Vec<EventEnumVariant>,
}

/// One variant of an [`EventEnum`].
#[derive(Debug, Clone)]
pub struct EventEnumVariant {
    /// Rust variant name (the content type's name without `EventContent`).
    pub variant: String,
    /// The event type it is for.
    pub event_type: String,
    /// Index into [`Api::events`] of the event whose content it holds.
    pub event: usize,
}

/// One event type of the spec's event schemas and its typed content.
#[derive(Debug, Clone)]
pub struct Event {
    /// The event type (`m.room.member`): the schema file's name.
    pub event_type: String,
    /// Other `type` values the schema allows with the same content
    /// (`m.receipt.private` beside `m.receipt`).
    pub other_types: Vec<String>,
    /// Its kind, from the core schema it extends.
    pub kind: crate::config::EventKindName,
    /// The content.
    pub content: EventContent,
    /// The event schema file.
    pub source: Location,
    /// Cargo features the event type exists only with (`x-cargo-feature`
    /// on its schema): its content types and impls are gated by them.
    pub features: Vec<String>,
    /// Where its content may be sent (`[event_sending.places]` of its
    /// kind): the runtime's marker traits it implements.
    pub places: Vec<crate::config::SendPlace>,
}

/// The content type of an [`Event`].
#[derive(Debug, Clone)]
pub enum EventContent {
    /// A generated type: a struct, or (an event type with `$`-variant
    /// schema files, `m.room.message$m.text.yaml`) a tagged union by the
    /// content property the variants fix (`msgtype`), whose `Other` keeps
    /// any other content as received.
    Named(TypeId),
    /// A content that is not an object with properties (a map by user
    /// ID): a newtype struct in module `events` around its type.
    Newtype {
        /// The struct's name.
        name: String,
        /// The wrapped type.
        ty: Type,
        /// The content schema's documentation (else the event's).
        docs: Docs,
    },
}

/// A Rust module: one spec document, or the shared `types` module.
#[derive(Debug, Clone)]
pub struct Module {
    /// Rust module name.
    pub name: String,
    /// The spec file it comes from, relative to `data/`.
    pub source: String,
    /// The document's `info.title`.
    pub title: Option<String>,
    /// Its operations, in spec order.
    pub operations: Vec<Operation>,
}

/// Index into [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

/// One HTTP operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The spec's `operationId`.
    pub operation_id: String,
    /// Rust method name on the client (snake case).
    pub fn_name: String,
    /// The request type (implements the runtime's `Endpoint`).
    pub request: TypeId,
    /// HTTP method, upper case.
    pub method: String,
    /// Full path template including the document's base path.
    pub path_template: String,
    /// The path split into literals and parameters.
    pub path: Vec<PathPart>,
    /// Documentation.
    pub docs: Docs,
    /// Who may call it.
    pub auth: Auth,
    /// The request body, if any.
    pub body: Option<Body>,
    /// The responses to success and redirect statuses.
    pub response: SuccessResponse,
    /// Documented error statuses whose bodies are not the standard Matrix error.
    pub endpoint_errors: Vec<EndpointError>,
    /// Documented error statuses whose body is one the runtime recognises
    /// on every endpoint (`known_types` with `runtime_error`), with that
    /// body's type.
    pub runtime_error_statuses: Vec<(u16, Type)>,
    /// Name of the enum of `endpoint_errors`, when there are any.
    pub error_type: Option<String>,
    /// Whether the spec documents a 429 response.
    pub rate_limited: bool,
    /// Where the operation is in the spec.
    pub source: Location,
    /// When the path has both parameters an MXC URI fills (config
    /// `mxc_path_parameters`): the Rust fields of its server name and media
    /// ID, for a `from_mxc` constructor.
    pub mxc_fields: Option<MxcFields>,
    /// Cargo feature that gates the operation (`x-cargo-feature` on it):
    /// its request, response and error types, `Endpoint` impl, client
    /// method and test support.
    pub feature: Option<String>,
    /// When the operation sends an event content (`[event_sending]`): its
    /// typed `with_content` constructor.
    pub send_content: Option<SendContent>,
}

/// How an operation's typed `with_content` constructor fills the request
/// from an event content: the content's event type goes into a path
/// parameter, the content (as a JSON object) into the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendContent {
    /// The request field (a path parameter) the event type fills.
    pub event_type_field: String,
    /// The required field of the body type the content goes in; `None`
    /// when the body itself is the content (or the maps holding it).
    pub body_field: Option<String>,
    /// The key types of the maps between that place and the contents,
    /// outermost first (`body/messages/*/*`: user IDs, then device IDs);
    /// empty for one content.
    pub map_keys: Vec<Type>,
    /// Where the content is sent: the constructor's bound.
    pub place: crate::config::SendPlace,
}

/// The request fields an MXC URI fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxcFields {
    /// The field of the server name (a `ServerName` or `String`).
    pub server_name: String,
    /// Whether that field is a `String` rather than a `ServerName`.
    pub server_name_is_string: bool,
    /// The field of the media ID (a `String`).
    pub media_id: String,
}

/// Part of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// Text copied verbatim.
    Literal(String),
    /// A path parameter: the Rust field of the request that fills it.
    Param(String),
}

/// Authentication an operation requires, from its `security` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No `security`: never send a token.
    None,
    /// An access token is required.
    AccessToken,
    /// `[{}, {accessTokenBearer: []}]`: a token is sent when there is one.
    OptionalAccessToken,
    /// An application service token is required.
    AppserviceToken,
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// JSON, typed. When `is_request` the request type itself is the body
    /// (an operation without parameters).
    Json {
        /// The body's type.
        ty: Type,
        /// Whether the body is the request type itself.
        is_request: bool,
    },
    /// Raw bytes (a media upload), in the request's `body` field.
    Bytes {
        /// The content type sent when no `Content-Type` header parameter
        /// is set: the media type the spec names.
        default_content_type: String,
    },
}

impl Body {
    /// The named type of a JSON body the request holds in its `body` field
    /// (an operation with parameters); `None` when the request type is the
    /// body itself, or the body is not a named JSON type.
    pub fn wrapped_type(&self) -> Option<TypeId> {
        match self {
            Body::Json {
                ty: Type::Named(id),
                is_request: false,
            } => Some(*id),
            _ => None,
        }
    }
}

/// The responses to success (2xx) and redirect (3xx) statuses.
#[derive(Debug, Clone)]
pub struct SuccessResponse {
    /// With several statuses: the name of the generated enum with one
    /// variant per status, which `try_from_http_response` returns. With
    /// one, it returns that arm's type.
    pub enum_name: Option<String>,
    /// One arm per documented status, in status order.
    pub arms: Vec<ResponseArm>,
}

/// What one success or redirect status carries.
#[derive(Debug, Clone)]
pub struct ResponseArm {
    /// The status (e.g. 200, 307).
    pub status: u16,
    /// Variant name in the response enum, when there is one.
    pub variant: String,
    /// The body.
    pub kind: ResponseKind,
    /// The response's description.
    pub doc: Option<String>,
}

/// The shape of one response.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseKind {
    /// A JSON body of this type.
    Json(Type),
    /// No content (the body, if any, is ignored).
    Empty,
    /// Declared headers and possibly raw bytes: a generated
    /// [`TypeKind::RawResponse`] type.
    Raw(TypeId),
}

/// A documented error response with its own (non-standard) body.
#[derive(Debug, Clone)]
pub struct EndpointError {
    /// The status.
    pub status: u16,
    /// Variant name in the endpoint's error enum.
    pub variant: String,
    /// The body's type; `None` for a documented status whose body the spec
    /// does not describe (e.g. a `404` "not available").
    pub ty: Option<Type>,
    /// The response's description.
    pub doc: Option<String>,
}

/// Documentation gathered from the spec.
#[derive(Debug, Clone, Default)]
pub struct Docs {
    /// `summary`.
    pub summary: Option<String>,
    /// `description` (Markdown).
    pub description: Option<String>,
    /// `x-addedInMatrixVersion`.
    pub added_in: Option<String>,
    /// `x-changedInMatrixVersion`, version → note.
    pub changed_in: Vec<(String, String)>,
    /// `deprecated: true`.
    pub deprecated: bool,
}

/// A Rust type as used in a field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i64`.
    I64,
    /// `u64` (`minimum: 0`).
    U64,
    /// `f64`.
    F64,
    /// `std::time::Duration`, on the wire an integer of milliseconds.
    DurationMs,
    /// `std::time::Duration`, on the wire an integer of seconds.
    DurationSecs,
    /// The runtime's `Timestamp`, on the wire integer milliseconds since
    /// the Unix epoch.
    Timestamp,
    /// Any JSON value: the spec gives no shape.
    Json,
    /// Any JSON object: `type: object` with no properties.
    JsonObject,
    /// `Vec<T>`.
    Array(Box<Type>),
    /// `BTreeMap<K, T>`: keys are `String`, or an identifier type when
    /// the spec gives their format (`x-pattern-format`).
    Map {
        /// The key type: [`Type::String`] or [`Type::Identifier`].
        key: Box<Type>,
        /// The value type.
        value: Box<Type>,
    },
    /// A string of one of the spec's formats (`format: mx-user-id`): the
    /// runtime's identifier type of that name (config `string_formats`).
    Identifier(String),
    /// A generated type.
    Named(TypeId),
    /// A hand-written type of the runtime crate, by path inside it.
    Runtime(String),
    /// Kept as the JSON received, parsed on demand: the runtime's `Raw<T>`
    /// (`raw_schemas` in the config).
    Raw(Box<Type>),
    /// The content type parameter `C` of an event envelope (a struct with
    /// [`Struct::envelope`]): its field holding the event's `type` and
    /// `content` as one value.
    EventContent,
    /// An event envelope holding another enum of event contents than its
    /// default (`[[events.content_places]]`): `Envelope<Enum>`.
    Envelope {
        /// The envelope struct.
        id: TypeId,
        /// The enum (module `events`).
        content: String,
    },
    /// JSON `null` allowed (a type list with `"null"`): `Option<T>`.
    Nullable(Box<Type>),
    /// `Box<T>`: a field's value that holds, by value, the type the field
    /// is in (an edit's `m.new_content` is a message content, which may be
    /// an edit), boxed so that the type has a size. Set only after
    /// lowering, by `lower::recursion`.
    Boxed(Box<Type>),
    /// Raw bytes (`bytes::Bytes`).
    Bytes,
    /// `()`: nothing (a response without content).
    Unit,
}

/// A named generated type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Rust type name, unique in its module.
    pub name: String,
    /// The module it is emitted in.
    pub module: String,
    /// Documentation.
    pub docs: Docs,
    /// Where the schema is.
    pub source: Location,
    /// Where its name comes from, which decides whose name a type shared
    /// by several schemas takes.
    pub name_origin: NameOrigin,
    /// The schema's `title`: types of differently titled schemas are
    /// different concepts, even when they have the same shape.
    pub title: Option<String>,
    /// What it is.
    pub kind: TypeKind,
    /// Cargo features all of which the type exists only with, sorted: its
    /// schema's own `x-cargo-feature`, and, for a type defined inline, those
    /// of where it is defined (a gated operation, property or type).
    pub features: Vec<String>,
}

/// Where a generated type's name comes from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameOrigin {
    /// The schema's own `title`.
    Title,
    /// A named schema (a reference target) and the properties leading to
    /// it: spec vocabulary, the same wherever the schema is used.
    Schema,
    /// The operation and the properties or parameter leading to it: says
    /// where the schema is, not what it is.
    Operation,
}

/// The shape of a named type.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// A struct of JSON object properties.
    Struct(Struct),
    /// A string enum; unknown values are kept.
    StringEnum(Vec<EnumValue>),
    /// One of several shapes (`oneOf`, or a type list), told apart by
    /// trying each in order on the JSON text (the runtime's
    /// `untagged_enum!`).
    Union(Vec<UnionVariant>),
    /// A non-JSON response: its declared headers, and its bytes when it
    /// has content.
    RawResponse(RawResponse),
    /// Object shapes told apart by the value of one property (`oneOf` with
    /// a `discriminator`), plus any other value.
    TaggedUnion(TaggedUnion),
}

/// A [`TypeKind::TaggedUnion`]: serde's internally tagged enum whose last
/// variant, `Other`, is untagged and takes any value no member names.
#[derive(Debug, Clone)]
pub struct TaggedUnion {
    /// The JSON property whose value selects the variant (e.g. `type`).
    pub property: String,
    /// One per `oneOf` member, in spec order.
    pub variants: Vec<TaggedVariant>,
    /// The type of any other value (its property unknown or absent): the
    /// struct of the schema's own properties, or a JSON object.
    pub other: Type,
}

/// One member of a [`TaggedUnion`].
#[derive(Debug, Clone)]
pub struct TaggedVariant {
    /// The property's value on the wire (e.g. `m.login.password`).
    pub wire: String,
    /// Rust variant name.
    pub variant: String,
    /// The struct of the member's other properties.
    pub ty: TypeId,
    /// The member's documentation.
    pub docs: Docs,
}

/// One shape of a [`TypeKind::Union`].
#[derive(Debug, Clone)]
pub struct UnionVariant {
    /// Rust variant name.
    pub variant: String,
    /// Its type.
    pub ty: Type,
}

/// A response without a JSON body.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// Declared response headers, each an optional string field.
    pub headers: Vec<ResponseHeader>,
    /// Whether the response has content (kept as bytes in `body`).
    pub has_body: bool,
}

/// A declared response header.
#[derive(Debug, Clone)]
pub struct ResponseHeader {
    /// Header name as the spec writes it.
    pub wire_name: String,
    /// Rust field name.
    pub rust_name: String,
    /// Documentation.
    pub docs: Docs,
}

/// A struct's fields.
#[derive(Debug, Clone, Default)]
pub struct Struct {
    /// Fields that are JSON properties, in spec order.
    pub fields: Vec<Field>,
    /// Fields that are path, query or header parameters (request types only).
    pub params: Vec<Param>,
    /// When the request type wraps a separate body type: its type.
    pub body: Option<Type>,
    /// `additionalProperties` or `patternProperties` beside `properties`:
    /// the type of the other properties' values, kept in a flattened map.
    pub additional: Option<Type>,
    /// Whether the other properties' values are credentials (config
    /// `secret_additional_properties`): `Debug` shows their names only.
    pub secret_additional: bool,
    /// For an event envelope (`[events.envelopes]`): the enum of event
    /// contents its type parameter `C` defaults to. Its field of type
    /// [`Type::EventContent`] stands for the event's `type` and `content`.
    pub envelope: Option<String>,
}

/// One JSON property.
#[derive(Debug, Clone)]
pub struct Field {
    /// Name on the wire.
    pub json_name: String,
    /// Rust field name.
    pub rust_name: String,
    /// Type (without the `Option` for optional fields).
    pub ty: Type,
    /// Whether the property is required.
    pub required: bool,
    /// Documentation.
    pub docs: Docs,
    /// Whether the value is a credential (redacted in `Debug`).
    pub secret: bool,
    /// Schema bounds checked before sending (request fields only).
    pub bounds: Option<Bounds>,
    /// Cargo feature that gates the field (`x-cargo-feature`).
    pub feature: Option<String>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A header.
    Header,
}

impl ParamIn {
    /// The spec's name for the location: `path`, `query`, `header`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamIn::Path => "path",
            ParamIn::Query => "query",
            ParamIn::Header => "header",
        }
    }
}

/// A path, query or header parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust field name.
    pub rust_name: String,
    /// Where it goes.
    pub location: ParamIn,
    /// Type (without `Option`).
    pub ty: Type,
    /// Whether it is required.
    pub required: bool,
    /// Documentation.
    pub docs: Docs,
    /// Whether the value is a credential (redacted in `Debug`).
    pub secret: bool,
    /// Schema bounds checked before sending.
    pub bounds: Option<Bounds>,
}

/// Inclusive bounds of an integer (or, for durations, millisecond) value,
/// from its schema's `minimum`/`maximum`/`exclusiveMinimum`/
/// `exclusiveMaximum`: checked before a request is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bounds {
    /// The smallest allowed value.
    pub min: Option<i64>,
    /// The largest allowed value.
    pub max: Option<i64>,
}

/// One value of a string enum.
#[derive(Debug, Clone)]
pub struct EnumValue {
    /// The string on the wire.
    pub wire: String,
    /// Rust variant name.
    pub variant: String,
    /// Cargo feature that gates the value (the enum schema's
    /// `x-cargo-feature` map); without it the value is kept as unknown.
    pub feature: Option<String>,
}
