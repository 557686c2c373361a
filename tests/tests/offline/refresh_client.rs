//! The generated refresh endpoint over real HTTP on 127.0.0.1: exactly
//! what goes on the wire, and how every kind of answer is typed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use matrix_csapi::refresh::{RefreshRequest, RefreshResponse};
use matrix_csapi::runtime::{Error, FromHttpResponseError, RetryAfter};
use matrix_csapi::{AccessToken, BaseUrl, Client, ErrorCode};
use matrix_csapi_tests::{LoopbackServer, ScriptedResponse};
use serde_json::json;

const REFRESH_TOKEN: &str = "syr_secret_refresh_token";

async fn refresh_against(
    response: ScriptedResponse,
    request: RefreshRequest,
) -> (
    LoopbackServer,
    Result<RefreshResponse, Error<std::convert::Infallible>>,
) {
    let server = LoopbackServer::start(vec![response]).await.unwrap();
    let client = Client::new(BaseUrl::parse(&server.url()).unwrap());
    // A token the client holds must still never be sent to /refresh.
    client.set_access_token(Some(AccessToken::new("syt_held_access_token")));
    let result = client.refresh(request).await;
    (server, result)
}

fn ok_response() -> ScriptedResponse {
    ScriptedResponse::json(
        200,
        &json!({"access_token": "a_new_token", "expires_in_ms": 60000, "refresh_token": "another_new_token"}),
    )
}

#[tokio::test]
async fn refresh_without_lifetime_sends_exactly_the_token() {
    let (server, result) =
        refresh_against(ok_response(), RefreshRequest::new(REFRESH_TOKEN.to_owned())).await;
    let response = result.unwrap();
    assert_eq!(response.access_token, "a_new_token");
    assert_eq!(response.refresh_token.as_deref(), Some("another_new_token"));
    assert_eq!(response.expires_in, Some(Duration::from_secs(60)));

    let request = server.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/_matrix/client/v3/refresh");
    assert_eq!(
        request.header("authorization"),
        None,
        "refresh must never send a token header"
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.body_json().unwrap(),
        json!({"refresh_token": REFRESH_TOKEN})
    );
}

#[tokio::test]
async fn refresh_with_lifetime_sends_the_famedly_field_in_milliseconds() {
    let mut request = RefreshRequest::new(REFRESH_TOKEN.to_owned());
    request.refresh_token_lifetime = Some(Duration::from_secs(3600));
    let (server, result) = refresh_against(ok_response(), request).await;
    result.unwrap();
    let request = server.single_request();
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        request.body_json().unwrap(),
        json!({"refresh_token": REFRESH_TOKEN, "com.famedly.refresh_token_lifetime_ms": 3_600_000})
    );
}

#[tokio::test]
async fn response_without_optional_fields() {
    let (_server, result) = refresh_against(
        ScriptedResponse::json(200, &json!({"access_token": "a", "unknown_field": [1, 2]})),
        RefreshRequest::new(REFRESH_TOKEN.to_owned()),
    )
    .await;
    let response = result.unwrap();
    assert_eq!(response.refresh_token, None);
    assert_eq!(response.expires_in, None);
}

async fn matrix_error_for(response: ScriptedResponse) -> matrix_csapi::MatrixError {
    let (_server, result) =
        refresh_against(response, RefreshRequest::new(REFRESH_TOKEN.to_owned())).await;
    let error = result.unwrap_err();
    error
        .matrix_error()
        .cloned()
        .unwrap_or_else(|| panic!("not a Matrix error: {error}"))
}

#[tokio::test]
async fn unknown_token_with_soft_logout() {
    let error = matrix_error_for(ScriptedResponse::json(
        401,
        &json!({"errcode": "M_UNKNOWN_TOKEN", "error": "Soft logged out", "soft_logout": true}),
    ))
    .await;
    assert_eq!(error.status.as_u16(), 401);
    assert_eq!(error.errcode(), &ErrorCode::UnknownToken);
    assert!(error.is_soft_logout());
    assert_eq!(error.message(), Some("Soft logged out"));
}

#[tokio::test]
async fn used_refresh_token_is_forbidden() {
    let error = matrix_error_for(ScriptedResponse::json(
        403,
        &json!({"errcode": "M_FORBIDDEN", "error": "refresh token isn't valid anymore"}),
    ))
    .await;
    assert_eq!(error.status.as_u16(), 403);
    assert_eq!(error.errcode(), &ErrorCode::Forbidden);
    assert!(!error.is_soft_logout());
}

#[tokio::test]
async fn missing_param() {
    let error = matrix_error_for(ScriptedResponse::json(
        400,
        &json!({"errcode": "M_MISSING_PARAM", "error": "Missing param", "extra": {"kept": true}}),
    ))
    .await;
    assert_eq!(error.errcode(), &ErrorCode::MissingParam);
    assert_eq!(error.body.extra["extra"], json!({"kept": true}));
}

#[tokio::test]
async fn rate_limited_with_body_and_with_retry_after_header() {
    let body = json!({"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests", "retry_after_ms": 2000});
    let error = matrix_error_for(ScriptedResponse::json(429, &body)).await;
    assert_eq!(error.errcode(), &ErrorCode::LimitExceeded);
    assert_eq!(
        error.retry_after(),
        Some(RetryAfter::Delay(Duration::from_millis(2000)))
    );

    let error =
        matrix_error_for(ScriptedResponse::json(429, &body).header("Retry-After", "7")).await;
    assert_eq!(
        error.retry_after(),
        Some(RetryAfter::Delay(Duration::from_secs(7))),
        "the header wins"
    );
}

#[tokio::test]
async fn bad_gateway_html_keeps_status_and_body() {
    let (_server, result) = refresh_against(
        ScriptedResponse::status(502)
            .header("Content-Type", "text/html")
            .body("<html><body>Bad gateway</body></html>"),
        RefreshRequest::new(REFRESH_TOKEN.to_owned()),
    )
    .await;
    match result.unwrap_err() {
        Error::Response(FromHttpResponseError::Unexpected(response)) => {
            assert_eq!(response.status().as_u16(), 502);
            assert_eq!(response.content_type(), Some("text/html"));
            assert_eq!(
                &response.body()[..],
                b"<html><body>Bad gateway</body></html>"
            );
        }
        other => panic!("expected an unexpected-response error, got {other:?}"),
    }
}

#[tokio::test]
async fn truncated_json_body_is_a_typed_error_without_secrets() {
    let (_server, result) = refresh_against(
        ScriptedResponse::status(200)
            .header("Content-Type", "application/json")
            .body(r#"{"access_token": "syt_leaked_if_printed", "expires_in"#),
        RefreshRequest::new(REFRESH_TOKEN.to_owned()),
    )
    .await;
    let error = result.unwrap_err();
    match &error {
        Error::Response(FromHttpResponseError::Unexpected(response)) => {
            assert_eq!(response.status().as_u16(), 200);
        }
        other => panic!("expected an unexpected-response error, got {other:?}"),
    }
    for text in [error.to_string(), format!("{error:?}")] {
        assert!(!text.contains("syt_leaked_if_printed"), "{text}");
    }
}

#[test]
fn debug_output_redacts_tokens() {
    let mut request = RefreshRequest::new(REFRESH_TOKEN.to_owned());
    request.refresh_token_lifetime = Some(Duration::from_secs(1));
    let printed = format!("{request:?}");
    assert!(!printed.contains(REFRESH_TOKEN), "{printed}");
    assert!(printed.contains("<redacted>"), "{printed}");

    let response: RefreshResponse =
        serde_json::from_value(json!({"access_token": "syt_a", "refresh_token": "syr_b"})).unwrap();
    let printed = format!("{response:?}");
    assert!(
        !printed.contains("syt_a") && !printed.contains("syr_b"),
        "{printed}"
    );
}
