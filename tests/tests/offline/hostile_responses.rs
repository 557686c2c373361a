//! Malformed and hostile responses through *generated* endpoints, over real
//! HTTP on 127.0.0.1: every one ends in a typed value or a typed error that
//! keeps what was received, never a panic, and memory stays bounded.
//!
//! `runtime_client.rs` covers the same ground for a hand-written endpoint;
//! `generated_wire.rs` covers unknown error codes, `Retry-After` and
//! unknown fields through generated endpoints; `proptest_responses.rs`
//! throws random bodies at them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use matrix_csapi::account_data::GetAccountDataRequest;
use matrix_csapi::authed_content_repo::GetContentAuthedRequest;
use matrix_csapi::login::LoginRequest;
use matrix_csapi::refresh::RefreshRequest;
use matrix_csapi::runtime::{
    DEFAULT_MAX_RESPONSE_BYTES, Error, FromHttpResponseError, UnexpectedReason, UnexpectedResponse,
};
use matrix_csapi::whoami::GetTokenOwnerRequest;
use matrix_csapi::{AccessToken, Client, ErrorCode};
use matrix_csapi_tests::{LoopbackServer, ScriptedResponse};
use serde_json::error::Category;
use serde_json::json;

const TOKEN: &str = "syt_hostile_test_token";
/// Upper bound for one exchange, so that no test can hang.
const LIMIT: Duration = Duration::from_secs(20);

async fn server(responses: Vec<ScriptedResponse>) -> LoopbackServer {
    LoopbackServer::start(responses).await.unwrap()
}

/// A generated client for `server` with a token, a bounded proxy-free HTTP
/// client, and a response-size limit of `max_bytes`.
fn client(server: &LoopbackServer, max_bytes: usize) -> Client {
    let client = Client::from(server.client(LIMIT).with_max_response_bytes(max_bytes));
    client.set_access_token(Some(AccessToken::new(TOKEN)));
    client
}

/// `whoami` against one scripted response.
async fn whoami_with(
    response: ScriptedResponse,
) -> Result<matrix_csapi::whoami::GetTokenOwnerResponse, Error<std::convert::Infallible>> {
    let server = server(vec![response]).await;
    let client = client(&server, DEFAULT_MAX_RESPONSE_BYTES);
    tokio::time::timeout(LIMIT, client.get_token_owner(GetTokenOwnerRequest::new()))
        .await
        .expect("bounded")
}

fn unexpected<E: std::fmt::Debug>(error: Error<E>) -> UnexpectedResponse {
    match error {
        Error::Response(FromHttpResponseError::Unexpected(response)) => response,
        other => panic!("expected an unexpected-response error, got {other:?}"),
    }
}

/// The JSON error of an unexpected response, with its category.
fn json_error(response: &UnexpectedResponse) -> (Category, String) {
    match response.reason() {
        UnexpectedReason::InvalidJson(error) => (error.category(), error.to_string()),
        other => panic!("expected InvalidJson, got {other:?}"),
    }
}

#[tokio::test]
async fn empty_200_body_is_an_empty_body_error() {
    for body in ["", " \r\n\t "] {
        let response = unexpected(
            whoami_with(
                ScriptedResponse::status(200)
                    .header("Content-Type", "application/json")
                    .body(body),
            )
            .await
            .unwrap_err(),
        );
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.reason(), &UnexpectedReason::EmptyBody);
        assert_eq!(&response.body()[..], body.as_bytes());
    }
}

#[tokio::test]
async fn non_json_200_body_is_a_syntax_error_keeping_the_body() {
    let html = "<html><body>Welcome to nginx!</body></html>";
    let response = unexpected(
        whoami_with(
            ScriptedResponse::status(200)
                .header("Content-Type", "text/html")
                .body(html),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.content_type(), Some("text/html"));
    assert_eq!(response.body_text_lossy(), html);
    let (category, message) = json_error(&response);
    assert_eq!(category, Category::Syntax);
    assert!(message.contains("line 1 column"), "{message}");

    // Invalid UTF-8 inside a JSON string.
    let response = unexpected(
        whoami_with(ScriptedResponse::status(200).body(&b"{\"user_id\":\"\xff\xfe\"}"[..]))
            .await
            .unwrap_err(),
    );
    assert_eq!(json_error(&response).0, Category::Syntax);
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_data_error() {
    for body in [
        json!([]),
        json!("@alice:example.org"),
        json!(null),
        json!(42),
        json!({"user_id": 42}),
        json!({"user_id": ["@alice:example.org"]}),
        json!({"user_id": "@alice:example.org", "is_guest": "no"}),
    ] {
        let response = unexpected(
            whoami_with(ScriptedResponse::json(200, &body))
                .await
                .unwrap_err(),
        );
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.body()[..], serde_json::to_vec(&body).unwrap()[..]);
        let (category, message) = json_error(&response);
        assert_eq!(category, Category::Data, "{body}: {message}");
        assert!(
            message.starts_with("invalid type") || message.starts_with("invalid length"),
            "{body}: {message}"
        );
    }
}

/// A JSON array is not an object, even when its elements would fit the
/// fields in declaration order (serde's sequence form of structs, which
/// types that keep unknown keys do not accept).
#[tokio::test]
async fn an_array_of_the_fields_in_order_is_not_the_object() {
    for body in [json!(["@alice:example.org"]), json!([42])] {
        let error = whoami_with(ScriptedResponse::json(200, &body))
            .await
            .unwrap_err();
        let (category, message) = json_error(&unexpected(error));
        assert_eq!(category, Category::Data, "{body}: {message}");
        assert!(
            message.starts_with("invalid type: sequence"),
            "{body}: {message}"
        );
    }
}

#[tokio::test]
async fn a_missing_required_field_is_named() {
    let response = unexpected(
        whoami_with(ScriptedResponse::json(200, &json!({"device_id": "D"})))
            .await
            .unwrap_err(),
    );
    let (category, message) = json_error(&response);
    assert_eq!(category, Category::Data);
    assert!(message.contains("missing field `user_id`"), "{message}");

    // The same for a login response without its token.
    let server = server(vec![ScriptedResponse::json(
        200,
        &json!({"user_id": "@a:example.org", "device_id": "D"}),
    )])
    .await;
    let error = client(&server, DEFAULT_MAX_RESPONSE_BYTES)
        .login(LoginRequest::new("m.login.password".to_owned()))
        .await
        .unwrap_err();
    let (_, message) = json_error(&unexpected(error));
    assert!(
        message.contains("missing field `access_token`"),
        "{message}"
    );
}

#[tokio::test]
async fn a_duplicated_field_is_a_data_error_not_a_silent_choice() {
    let response = unexpected(
        whoami_with(
            ScriptedResponse::status(200)
                .body(r#"{"user_id":"@alice:example.org","user_id":"@mallory:example.org"}"#),
        )
        .await
        .unwrap_err(),
    );
    let (category, message) = json_error(&response);
    assert_eq!(category, Category::Data);
    assert!(message.contains("duplicate field `user_id`"), "{message}");
}

#[tokio::test]
async fn extra_unknown_fields_are_accepted() {
    let got = whoami_with(ScriptedResponse::json(
        200,
        &json!({
            "user_id": "@alice:example.org",
            "org.example.new": {"deeply": [{"nested": null}]},
            "device_id": "D",
            "zzz": 1.5e300,
        }),
    ))
    .await
    .unwrap();
    assert_eq!(got.user_id, "@alice:example.org");
    assert_eq!(got.device_id.as_deref(), Some("D"));
}

#[tokio::test]
async fn content_type_is_not_trusted_either_way() {
    // Valid JSON served as text/plain is read; the JSON type is what counts.
    let got = whoami_with(
        ScriptedResponse::status(200)
            .header("Content-Type", "text/plain; charset=latin1")
            .body(r#"{"user_id":"@alice:example.org"}"#),
    )
    .await
    .unwrap();
    assert_eq!(got.user_id, "@alice:example.org");
}

#[tokio::test]
async fn error_bodies_with_extra_and_mistyped_fields_keep_them() {
    let body = json!({
        "errcode": "M_RESOURCE_LIMIT_EXCEEDED",
        "error": "Monthly active user limit exceeded",
        "admin_contact": "mailto:admin@example.org",
        "limit_type": "monthly_active_user",
        "soft_logout": "not a bool",
        "retry_after_ms": -1,
        "org.example.debug": {"trace": [1, 2, 3]},
    });
    let error = whoami_with(ScriptedResponse::json(403, &body))
        .await
        .unwrap_err();
    let matrix = error.matrix_error().unwrap_or_else(|| panic!("{error:?}"));
    assert_eq!(matrix.status.as_u16(), 403);
    assert_eq!(matrix.errcode(), &ErrorCode::ResourceLimitExceeded);
    assert_eq!(matrix.message(), Some("Monthly active user limit exceeded"));
    // Known fields of the wrong type are not taken, but kept.
    assert!(!matrix.is_soft_logout());
    assert_eq!(matrix.body.retry_after_ms, None);
    assert_eq!(matrix.retry_after(), None);
    let extra = &matrix.body.extra;
    assert_eq!(extra["admin_contact"], "mailto:admin@example.org");
    assert_eq!(extra["limit_type"], "monthly_active_user");
    assert_eq!(extra["soft_logout"], "not a bool");
    assert_eq!(extra["retry_after_ms"], -1);
    assert_eq!(extra["org.example.debug"], json!({"trace": [1, 2, 3]}));
    // Nothing is lost.
    assert_eq!(serde_json::to_value(&matrix.body).unwrap(), body);
}

#[tokio::test]
async fn error_bodies_that_are_not_matrix_errors_keep_status_and_body() {
    for (status, body) in [
        (404, r#"{"error":"no errcode"}"#),
        (400, r#"{"errcode":["M_FORBIDDEN"]}"#),
        (500, "Internal Server Error"),
        (503, ""),
    ] {
        let response = unexpected(
            whoami_with(ScriptedResponse::status(status).body(body))
                .await
                .unwrap_err(),
        );
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(response.reason(), &UnexpectedReason::UndocumentedStatus);
        assert_eq!(response.body_text_lossy(), body);
    }
}

#[tokio::test]
async fn an_undocumented_success_status_is_unexpected() {
    // whoami documents 200 only; a 204 or a 201 is not silently taken.
    for response in [
        ScriptedResponse::status(204),
        ScriptedResponse::json(201, &json!({"user_id": "@alice:example.org"})),
    ] {
        let response = unexpected(whoami_with(response).await.unwrap_err());
        assert!(response.status().is_success());
        assert_eq!(response.reason(), &UnexpectedReason::UndocumentedStatus);
    }
}

#[tokio::test]
async fn numbers_out_of_range_are_data_errors() {
    for expires in ["-1", "1.5", "1e400", "18446744073709551616"] {
        let server = server(vec![ScriptedResponse::status(200).body(format!(
            r#"{{"access_token":"a","expires_in_ms":{expires}}}"#
        ))])
        .await;
        let error = client(&server, DEFAULT_MAX_RESPONSE_BYTES)
            .refresh(RefreshRequest::new("r".to_owned()))
            .await
            .unwrap_err();
        let response = unexpected(error);
        let (category, message) = json_error(&response);
        // `1e400` is out of f64 range, which serde_json reports as syntax.
        assert!(
            matches!(category, Category::Data | Category::Syntax),
            "{expires}: {message}"
        );
    }
}

/// serde_json stops at 128 levels of nesting, so a hostile body cannot
/// overflow the stack, as a success body nor as an error body.
#[tokio::test]
async fn deeply_nested_json_is_a_typed_error_not_a_stack_overflow() {
    let depth = 100_000;
    let nested = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    let server = server(vec![
        ScriptedResponse::status(200).body(nested.clone()),
        ScriptedResponse::status(500).body(nested.clone()),
    ])
    .await;
    let client = client(&server, DEFAULT_MAX_RESPONSE_BYTES);
    let request =
        || GetAccountDataRequest::new("@alice:example.org".parse().unwrap(), "m.deep".to_owned());

    let response = unexpected(client.get_account_data(request()).await.unwrap_err());
    assert_eq!(response.status().as_u16(), 200);
    let (_, message) = json_error(&response);
    assert!(message.contains("recursion limit exceeded"), "{message}");

    let response = unexpected(client.get_account_data(request()).await.unwrap_err());
    assert_eq!(response.status().as_u16(), 500);
    assert_eq!(response.reason(), &UnexpectedReason::UndocumentedStatus);
    assert_eq!(response.body().len(), nested.len());
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_at_the_limit() {
    assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 32 * 1024 * 1024);
    let limit = 64 * 1024;
    let big = format!(r#"{{"user_id":"{}"}}"#, "a".repeat(limit));
    let server = server(vec![
        // Declared too large: refused before the body is read.
        ScriptedResponse::json(200, &json!({"user_id": "@a:example.org"}))
            .header("Content-Length", "10737418240"),
        // Chunked without a length: cut off once past the limit.
        ScriptedResponse::raw(
            format!(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
                big.len()
            )
            .into_bytes(),
        ),
        // An error body is bounded the same way.
        ScriptedResponse::status(500).body(big.clone()),
        // Exactly at the limit is accepted.
        ScriptedResponse::status(200).body(format!(
            r#"{{"user_id":"{}"}}"#,
            "b".repeat(limit - r#"{"user_id":""}"#.len())
        )),
    ])
    .await;
    let client = client(&server, limit);
    assert_eq!(client.max_response_bytes(), limit);
    for _ in 0..3 {
        let error = client
            .get_token_owner(GetTokenOwnerRequest::new())
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::ResponseTooLarge { limit: l } if l == limit),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("the response body is larger than the limit of {limit} bytes")
        );
    }
    let got = client
        .get_token_owner(GetTokenOwnerRequest::new())
        .await
        .unwrap();
    assert_eq!(got.user_id.len(), limit - r#"{"user_id":""}"#.len());
}

#[tokio::test]
async fn a_truncated_connection_is_a_transport_error() {
    for raw in [
        // The body stops short of its Content-Length.
        &b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"user_id\":\"@al"[..],
        // The chunked body stops inside a chunk.
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n{\"user_id\"",
        // Headers only, then nothing.
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
        // Closed before answering.
        b"",
    ] {
        let error = whoami_with(ScriptedResponse::raw(raw)).await.unwrap_err();
        assert!(matches!(error, Error::Transport(_)), "{error:?}");
        assert!(!error.to_string().contains(TOKEN));
    }
}

/// A documented response header whose value is not UTF-8 (bytes 0x80-0xFF
/// are legal on the wire): a typed error naming the header, keeping the
/// response.
#[tokio::test]
async fn a_documented_header_that_is_not_utf8_is_an_invalid_header_error() {
    let mut raw =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Disposition: inline; filename=\""
            .to_vec();
    raw.extend_from_slice(
        b"r\xe9sum\xe9.txt\"\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    );
    let server = server(vec![ScriptedResponse::raw(raw)]).await;
    let error = client(&server, DEFAULT_MAX_RESPONSE_BYTES)
        .get_content_authed(
            GetContentAuthedRequest::from_mxc(&"mxc://example.org/abc".parse().unwrap()).unwrap(),
        )
        .await
        .unwrap_err();
    let response = unexpected(error);
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        matches!(response.reason(), UnexpectedReason::InvalidHeader { name } if name.eq_ignore_ascii_case("content-disposition")),
        "{:?}",
        response.reason()
    );
    assert_eq!(&response.body()[..], b"hello");
}
