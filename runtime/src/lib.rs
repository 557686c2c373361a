//! Runtime support for the generated Matrix client-server API crate.
//!
//! The generated crate describes every endpoint of the
//! [Matrix client-server API](https://spec.matrix.org/latest/client-server-api/)
//! as a request type implementing [`Endpoint`]. This crate holds everything
//! those types need at run time, written by hand:
//!
//! * a **sans-IO** layer that turns a request into an [`http::Request`] and an
//!   [`http::Response`] into a typed response or error: [`Endpoint`],
//!   [`Metadata`], [`PathBuilder`], [`QueryBuilder`], [`build_request`],
//!   [`json_response`] and [`error_response`]. It works with any HTTP stack
//!   and compiles without default features;
//! * the error types: [`IntoHttpError`] (building a request),
//!   [`FromHttpResponseError`] (reading a response), the standard Matrix
//!   error [`MatrixError`] with its forward-compatible [`ErrorCode`], and
//!   [`UnexpectedResponse`] for anything the spec does not describe;
//! * secret-holding types that never print their contents: [`AccessToken`]
//!   and [`SecretString`];
//! * one-pass deserialization of objects that keep their unknown
//!   properties ([`deserialize_object!`], [`de`]);
//! * Matrix identifiers, one type per string format of the spec
//!   ([`UserId`], [`RoomId`], [`EventId`], [`RoomAlias`], [`ServerName`],
//!   [`MxcUri`], ...): checked when built, lenient when received
//!   ([`ids`]);
//! * [`Timestamp`], milliseconds since the Unix epoch, lossless on the
//!   wire and convertible to and from `SystemTime`; durations travel
//!   through [`duration_ms`] and [`duration_secs`];
//! * what event contents have in common ([`EventContent`]), and where a
//!   content may be sent: one marker trait per place
//!   ([`MessageLikeEventContent`], [`StateEventContent`],
//!   [`AccountDataEventContent`], [`ToDeviceEventContent`]; [`sending`]);
//! * the forward-compatible string-enum pattern ([`string_enum!`],
//!   [`UnknownValue`]) used by generated enums;
//! * with the default `client` feature, an async [`Client`] built on
//!   [`reqwest`] (rustls) that sends endpoints, manages the access token and
//!   bounds the memory used for response bodies.
//!
//! # Secrets
//!
//! [`AccessToken`], [`SecretString`], [`Client`], [`RequestBody`],
//! [`UnexpectedResponse`] and every error type of this crate print neither
//! tokens, passwords nor raw response bodies in their `Debug` or `Display`
//! output. The `Authorization` header built by [`build_request`] is marked
//! [sensitive](http::HeaderValue::set_sensitive). Note that the `Debug`
//! output of [`http::Request`] itself includes the body, so do not log built
//! requests wholesale.
// docs.rs (`--cfg docsrs`, nightly) badges what needs the `client` feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
// Without `client`, the crate docs mention `Client` and `reqwest` but cannot link them.
#![cfg_attr(not(feature = "client"), allow(rustdoc::broken_intra_doc_links))]

mod auth;
mod base_url;
pub mod de;
pub mod duration_ms;
pub mod duration_secs;
mod endpoint;
mod error_code;
pub mod events;
pub mod ids;
mod matrix_error;
pub mod nullable;
mod path;
mod raw;
mod request;
mod response;
pub mod sending;
mod string_enum;
mod timestamp;
mod uia;

#[cfg(feature = "client")]
mod client;

pub use bytes::Bytes;
pub use http;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use reqwest;
pub use serde;
pub use serde_json;

pub use auth::{AccessToken, AuthScheme, SecretString};
pub use base_url::{BaseUrl, InvalidBaseUrl};
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub use client::{Client, DEFAULT_MAX_RESPONSE_BYTES, Error};
pub use endpoint::{Endpoint, HttpRequest, HttpResponse, Metadata, RequestResult, ResponseResult};
pub use error_code::ErrorCode;
pub use events::{EventContent, EventContentFromType, EventKind};
pub use ids::{
    EventId, IdFormat, InvalidId, InvalidIdReason, MxcUri, RoomAlias, RoomId, RoomIdOrAlias,
    ServerName, UnpaddedBase64, UrlSafeUnpaddedBase64, UserId,
};
pub use matrix_error::{ErrorBody, MatrixError, RetryAfter};
pub use path::{PathBuilder, QueryBuilder};
pub use raw::Raw;
pub use request::{
    IntoHttpError, RequestBody, build_request, check_bounds, insert_header, json_body,
};
pub use response::{
    FromHttpResponseError, JsonError, UnexpectedReason, UnexpectedResponse,
    documented_error_response, documented_status_response, endpoint_error_response, error_response,
    json_response, response_header,
};
pub use sending::{
    AccountDataEventContent, MessageLikeEventContent, StateEventContent, ToDeviceEventContent,
    content_object,
};
pub use string_enum::UnknownValue;
pub use timestamp::{Timestamp, TimestampOutOfRange};
pub use uia::{UiaFlow, UiaResponse};

/// Implementation details used by the code that [`string_enum!`] expands
/// to. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::ids::{
        identifiers_validated_on_this_thread, validate_identifiers_on_this_thread,
    };
    pub use crate::raw::validate_raw_values_on_this_thread;
    pub use crate::string_enum::deserialize_string_enum;
}
