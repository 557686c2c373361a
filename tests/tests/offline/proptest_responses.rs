//! Property tests of response parsing (and of the refresh request) with
//! [proptest]: generated values and hostile bodies go through the real
//! sans-IO `Endpoint` methods of the generated crate.
//!
//! * the refresh types round-trip for any token text (unicode, control
//!   characters, quotes, backslashes), any optional-field combination, any
//!   lifetime, and with unknown extra fields, and `Debug` shows no token;
//! * any JSON object as an error body, with any 4xx/5xx status, gives a
//!   Matrix error that keeps the sent `errcode` string, every other field
//!   and the status, or (without a string `errcode`) an unexpected response
//!   keeping status and body;
//! * any bytes, and any JSON value, with any status never panic in any of
//!   a handful of differently shaped endpoints, and printed errors never
//!   contain raw control characters.
//!
//! Each property runs proptest's default 256 cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Debug;
use std::time::Duration;

use bytes::Bytes;
use matrix_csapi::account_data::GetAccountDataRequest;
use matrix_csapi::content_repo::GetContentRequest;
use matrix_csapi::device_management::{DeleteDeviceRequest, UpdateDeviceRequest};
use matrix_csapi::login::LoginRequest;
use matrix_csapi::refresh::{RefreshRequest, RefreshResponse};
use matrix_csapi::runtime::duration_ms::MAX_SAFE_INTEGER;
use matrix_csapi::runtime::{
    Endpoint, FromHttpResponseError, IntoHttpError, RetryAfter, UnexpectedReason,
};
use matrix_csapi::sync::SyncRequest;
use matrix_csapi::versions::GetVersionsRequest;
use matrix_csapi::{AccessToken, BaseUrl, ErrorCode};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn response(status: u16, headers: &[(&str, &str)], body: Vec<u8>) -> http::Response<Bytes> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Bytes::from(body)).unwrap()
}

/// Whether `text` contains a control character (a log-injection risk when
/// a server's text is printed).
fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Any JSON value, nested a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Extra object keys that no refresh or error type names.
fn extra_fields(known: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(any::<String>(), json_value(), 0..5).prop_map(move |map| {
        map.into_iter()
            .filter(|(key, _)| !known.contains(&key.as_str()))
            .collect()
    })
}

/// An `errcode`: a known code, a namespaced unknown one, or any text.
fn errcode() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "M_FORBIDDEN",
            "M_UNKNOWN_TOKEN",
            "M_LIMIT_EXCEEDED",
            "M_MISSING_PARAM",
            "M_UNKNOWN",
            "M_NOT_FOUND",
        ])
        .prop_map(str::to_owned),
        "[A-Z]{1,8}_[A-Z_]{1,20}",
        any::<String>(),
        // Control characters (C0, DEL, C1) and escapes: log injection.
        "[A-Z_\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{1b}]{1,12}",
    ]
}

/// A token: a fixed marker (so `Debug` output can be searched for it even
/// when it escapes the rest) followed by any text, control characters
/// (C0, DEL, C1), quotes, backslashes and non-ASCII included.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\"\\\\\\u{e9}\\u{4e2d}\\u{1f600}]{0,24}",
        any::<String>(),
    ]
    .prop_map(|rest| format!("{TOKEN_MARKER}{rest}"))
}

/// The start of every [`token`].
const TOKEN_MARKER: &str = "tok3n_";

/// A `Retry-After` header value: seconds, an HTTP date, or garbage.
fn retry_after_header() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        any::<u32>().prop_map(|secs| secs.to_string()),
        (0u64..4_102_444_800).prop_map(|secs| httpdate::fmt_http_date(
            std::time::UNIX_EPOCH + Duration::from_secs(secs)
        )),
        "[ -~]{0,30}",
    ])
}

// ---------------------------------------------------------------------------
// (a) The refresh types
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(crate::proptest_config())]

    /// Any refresh response the types can hold, sent as a 200 body with
    /// unknown extra fields beside it, parses back to the same value, the
    /// extra fields included, and serializes back to the body.
    #[test]
    fn refresh_response_round_trips_through_http(
        access_token in token(),
        refresh_token in prop::option::of(token()),
        expires_in_ms in prop::option::of(0..=MAX_SAFE_INTEGER),
        extra in extra_fields(&["access_token", "refresh_token", "expires_in_ms"]),
    ) {
        let mut sent = RefreshResponse::new(access_token);
        sent.refresh_token = refresh_token;
        sent.expires_in = expires_in_ms.map(Duration::from_millis);
        let mut body = serde_json::to_value(&sent).unwrap();
        body.as_object_mut().unwrap().extend(extra);
        let bytes = serde_json::to_vec(&body).unwrap();
        // What a JSON parser reads back (floats may differ in the last
        // digit from the generated ones).
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        sent.additional_properties = body
            .as_object()
            .unwrap()
            .iter()
            .filter(|(key, _)| !["access_token", "refresh_token", "expires_in_ms"].contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();

        let parsed = RefreshRequest::try_from_http_response(response(
            200,
            &[("content-type", "application/json")],
            bytes,
        ))
        .unwrap();
        prop_assert_eq!(&parsed, &sent);
        prop_assert_eq!(serde_json::to_value(&parsed).unwrap(), body);
        // Debug shows neither token, not even escaped.
        for printed in [format!("{parsed:?}"), format!("{parsed:#?}")] {
            prop_assert!(!printed.contains(TOKEN_MARKER), "{}", printed);
        }
    }

    /// `expires_in_ms` is accepted exactly when it is a non-negative
    /// integer; anything else is a typed error keeping status and body.
    #[test]
    fn refresh_lifetime_must_be_a_non_negative_integer(expires in json_value()) {
        let body = json!({"access_token": "a", "expires_in_ms": expires});
        let bytes = serde_json::to_vec(&body).unwrap();
        let result = RefreshRequest::try_from_http_response(response(200, &[], bytes.clone()));
        match (expires.as_u64(), result) {
            (Some(ms), Ok(parsed)) => {
                prop_assert_eq!(parsed.expires_in, Some(Duration::from_millis(ms)));
            }
            // `null` is the absent optional field.
            (None, Ok(parsed)) if expires.is_null() => prop_assert_eq!(parsed.expires_in, None),
            (None, Err(FromHttpResponseError::Unexpected(unexpected))) => {
                prop_assert_eq!(unexpected.status().as_u16(), 200);
                prop_assert_eq!(&unexpected.body()[..], &bytes[..]);
                prop_assert!(matches!(unexpected.reason(), UnexpectedReason::InvalidJson(_)));
            }
            (expected, other) => {
                prop_assert!(false, "expires_in_ms {expires}: expected {expected:?}, got {other:?}");
            }
        }
    }

    /// Any refresh request goes out as exactly its JSON, never with an
    /// `Authorization` header (even when a token is at hand); a lifetime
    /// beyond the Matrix integer range is a typed error, not a panic.
    #[test]
    fn refresh_request_sends_exactly_its_fields_and_no_token(
        refresh_token in token(),
        lifetime_ms in prop::option::of(any::<u64>()),
    ) {
        let mut request = RefreshRequest::new(refresh_token.clone());
        request.refresh_token_lifetime = lifetime_ms.map(Duration::from_millis);
        let printed = format!("{request:?}");
        prop_assert!(!printed.contains(TOKEN_MARKER), "{}", printed);
        let base = BaseUrl::parse("https://example.org").unwrap();
        let held = AccessToken::new("syt_held_token");
        let result = request.try_into_http_request(&base, Some(&held));
        match lifetime_ms {
            Some(ms) if ms > MAX_SAFE_INTEGER => {
                prop_assert!(matches!(result, Err(IntoHttpError::Json(_))), "{result:?}");
            }
            _ => {
                let built = result.unwrap();
                prop_assert!(built.headers().get(http::header::AUTHORIZATION).is_none());
                prop_assert_eq!(built.uri().to_string(), "https://example.org/_matrix/client/v3/refresh");
                let mut expected = json!({"refresh_token": refresh_token});
                if let Some(ms) = lifetime_ms {
                    expected["com.famedly.refresh_token_lifetime_ms"] = json!(ms);
                }
                let sent: Value = serde_json::from_slice(built.body()).unwrap();
                prop_assert_eq!(sent, expected);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// (b) Matrix error bodies
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(crate::proptest_config())]

    /// Any JSON object with a string `errcode`, with any status from 400 to
    /// 599, is a Matrix error that keeps the status, the code verbatim, the
    /// well-typed known fields, every other field, and the `Retry-After`
    /// header as `RetryAfter::parse` reads it. Without a string `errcode`
    /// it is an unexpected response keeping status and body.
    #[test]
    fn error_bodies_keep_code_fields_and_status(
        status in 400u16..600,
        errcode in prop::option::of(prop_oneof![
            3 => errcode().prop_map(Value::String),
            1 => json_value(),
        ]),
        error in prop::option::of(prop_oneof![
            any::<String>().prop_map(Value::String),
            "[a-z \\x00-\\x1f\\x7f\\u{80}-\\u{9f}]{1,12}".prop_map(Value::String),
            json_value(),
        ]),
        retry_after_ms in prop::option::of(prop_oneof![
            any::<u64>().prop_map(Value::from),
            json_value(),
        ]),
        soft_logout in prop::option::of(json_value()),
        extra in extra_fields(&["errcode", "error", "retry_after_ms", "soft_logout"]),
        retry_after in retry_after_header(),
    ) {
        let mut sent = extra.clone();
        for (key, value) in [
            ("errcode", &errcode),
            ("error", &error),
            ("retry_after_ms", &retry_after_ms),
            ("soft_logout", &soft_logout),
        ] {
            if let Some(value) = value {
                sent.insert(key.to_owned(), value.clone());
            }
        }
        let bytes = serde_json::to_vec(&Value::Object(sent)).unwrap();
        // What a JSON parser reads back (floats may differ in the last
        // digit from the generated ones; Matrix JSON has no floats anyway).
        let sent: Value = serde_json::from_slice(&bytes).unwrap();
        let field = |key: &str| sent.get(key).cloned();
        let (error, retry_after_ms, soft_logout) =
            (field("error"), field("retry_after_ms"), field("soft_logout"));
        let headers: Vec<(&str, &str)> = retry_after
            .as_deref()
            .map(|value| ("retry-after", value))
            .into_iter()
            .collect();
        let error_result = RefreshRequest::try_from_http_response(
            response(status, &headers, bytes.clone()),
        )
        .unwrap_err();
        prop_assert_eq!(error_result.status().as_u16(), status);
        let printed = error_result.to_string();
        prop_assert!(!has_control(&printed), "{:?}", printed);

        match (&errcode, &error_result) {
            (Some(Value::String(code)), FromHttpResponseError::Matrix(matrix)) => {
                prop_assert_eq!(matrix.errcode().as_str(), code.as_str());
                prop_assert_eq!(matrix.errcode(), &ErrorCode::from(code.as_str()));
                prop_assert_eq!(matrix.status.as_u16(), status);
                prop_assert_eq!(matrix.message(), error.as_ref().and_then(Value::as_str));
                prop_assert_eq!(
                    matrix.body.retry_after_ms,
                    retry_after_ms.as_ref().and_then(Value::as_u64)
                );
                prop_assert_eq!(
                    matrix.body.soft_logout,
                    soft_logout.as_ref().and_then(Value::as_bool)
                );
                for key in extra.keys() {
                    prop_assert_eq!(matrix.body.extra.get(key), sent.get(key));
                }
                prop_assert_eq!(
                    matrix.retry_after_header,
                    retry_after.as_deref().and_then(RetryAfter::parse)
                );
                // Nothing is lost: the body serializes back to what was sent.
                prop_assert_eq!(serde_json::to_value(&matrix.body).unwrap(), sent);
            }
            (_, FromHttpResponseError::Unexpected(unexpected))
                if !matches!(errcode, Some(Value::String(_))) =>
            {
                prop_assert_eq!(unexpected.status().as_u16(), status);
                prop_assert_eq!(&unexpected.body()[..], &bytes[..]);
                // `/refresh` documents 401 and 429 with the Matrix error.
                if [401, 429].contains(&status) {
                    prop_assert!(
                        matches!(unexpected.reason(), UnexpectedReason::InvalidErrorBody(_)),
                        "{:?}",
                        unexpected.reason()
                    );
                } else {
                    prop_assert_eq!(unexpected.reason(), &UnexpectedReason::UndocumentedStatus);
                }
                prop_assert_eq!(
                    unexpected.retry_after(),
                    retry_after.as_deref().and_then(RetryAfter::parse)
                );
            }
            (errcode, other) => {
                prop_assert!(false, "errcode {errcode:?} gave {other:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// (c) Anything at all
// ---------------------------------------------------------------------------

/// Feeds one response to `E` and checks what must hold whatever it is:
/// no panic, the status is kept in any error, a 200 that fails is an
/// unexpected response keeping the body, and printed errors contain no
/// control characters.
fn check_any_response<E: Endpoint>(status: u16, body: &[u8])
where
    E::Error: Debug,
{
    let result = E::try_from_http_response(response(status, &[], body.to_vec()));
    let Err(error) = result else {
        return;
    };
    assert_eq!(error.status().as_u16(), status, "{error:?}");
    let printed = format!("{error} {error:?}");
    assert!(!has_control(&printed), "{printed:?}");
    match &error {
        FromHttpResponseError::Unexpected(unexpected) => {
            assert_eq!(&unexpected.body()[..], body);
        }
        other => assert_ne!(
            status, 200,
            "a 200 that fails must be unexpected: {other:?}"
        ),
    }
}

/// Every endpoint shape at once: a plain JSON response (refresh, login,
/// versions), a big nested one (sync), a free-form map (account data),
/// documented endpoint errors (delete device's UIA 401), two success
/// statuses (update device) and raw bytes with headers (media download).
fn check_all_endpoints(status: u16, body: &[u8]) {
    check_any_response::<RefreshRequest>(status, body);
    check_any_response::<LoginRequest>(status, body);
    check_any_response::<GetVersionsRequest>(status, body);
    check_any_response::<SyncRequest>(status, body);
    check_any_response::<GetAccountDataRequest>(status, body);
    check_any_response::<DeleteDeviceRequest>(status, body);
    check_any_response::<UpdateDeviceRequest>(status, body);
    check_any_response::<GetContentRequest>(status, body);
}

proptest! {
    #![proptest_config(crate::proptest_config())]

    /// Any bytes with any status.
    #[test]
    fn any_bytes_with_any_status_never_panic(
        status in 100u16..1000,
        body in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        check_all_endpoints(status, &body);
    }

    /// Any JSON value with a common status: gets further into the typed
    /// parsers than random bytes do.
    #[test]
    fn any_json_with_common_statuses_never_panics(
        status in prop::sample::select(vec![200u16, 201, 204, 302, 400, 401, 403, 404, 429, 500, 502]),
        body in json_value(),
    ) {
        check_all_endpoints(status, &serde_json::to_vec(&body).unwrap());
    }

    /// A JSON value with its end cut off anywhere.
    #[test]
    fn truncated_json_never_panics(body in json_value(), cut in any::<prop::sample::Index>()) {
        let bytes = serde_json::to_vec(&body).unwrap();
        let end = cut.index(bytes.len() + 1);
        check_all_endpoints(200, &bytes[..end]);
        check_all_endpoints(401, &bytes[..end]);
    }
}
