//! Real-HTTP tests of `matrix_csapi_runtime::Client` against the loopback
//! server, using hand-written endpoints.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::convert::Infallible;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime};

use matrix_csapi_runtime::{
    AccessToken, AuthScheme, BaseUrl, Bytes, Client, Endpoint, Error, ErrorCode,
    FromHttpResponseError, IntoHttpError, Metadata, PathBuilder, QueryBuilder, RetryAfter,
    UnexpectedReason, build_request, error_response, http, json_body, json_response,
    serde::{Deserialize, Serialize},
};
use matrix_csapi_tests::{LoopbackServer, ScriptedResponse};
use serde_json::json;

const TOKEN: &str = "syt_c2VjcmV0_TOPSECRETtoken_0xyz";

// ---------------------------------------------------------------------------
// A tiny fake endpoint: POST /_matrix/client/v3/rooms/{roomId}/thing?{query}
// with a JSON body, generic over its auth scheme.
// ---------------------------------------------------------------------------

trait Auth {
    const AUTH: AuthScheme;
}

struct NoAuth;
impl Auth for NoAuth {
    const AUTH: AuthScheme = AuthScheme::None;
}

struct TokenAuth;
impl Auth for TokenAuth {
    const AUTH: AuthScheme = AuthScheme::AccessToken;
}

struct OptionalAuth;
impl Auth for OptionalAuth {
    const AUTH: AuthScheme = AuthScheme::OptionalAccessToken;
}

struct AppserviceAuth;
impl Auth for AppserviceAuth {
    const AUTH: AuthScheme = AuthScheme::AppserviceToken;
}

struct Thing<A> {
    room_id: String,
    query: Vec<(String, String)>,
    body: ThingBody,
    _auth: PhantomData<A>,
}

#[derive(Serialize)]
#[serde(crate = "matrix_csapi_runtime::serde")]
struct ThingBody {
    password: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(crate = "matrix_csapi_runtime::serde")]
struct ThingResponse {
    value: String,
}

/// The documented endpoint-specific error (a user-interactive-auth `401`).
#[derive(Debug, Deserialize, PartialEq)]
#[serde(crate = "matrix_csapi_runtime::serde")]
struct UiaaInfo {
    flows: Vec<serde_json::Value>,
    session: Option<String>,
}

fn thing<A>(room_id: &str) -> Thing<A> {
    Thing {
        room_id: room_id.to_owned(),
        query: Vec::new(),
        body: ThingBody {
            password: "hunter2".to_owned(),
        },
        _auth: PhantomData,
    }
}

impl<A: Auth> Endpoint for Thing<A> {
    const METADATA: Metadata = Metadata {
        operation_id: "postThing",
        method: http::Method::POST,
        path_template: "/_matrix/client/v3/rooms/{roomId}/thing",
        auth: A::AUTH,
        added_in: Some("1.1"),
        rate_limited: true,
        deprecated: false,
    };
    type Response = ThingResponse;
    type Error = UiaaInfo;

    fn try_into_http_request(
        &self,
        base_url: &BaseUrl,
        access_token: Option<&AccessToken>,
    ) -> Result<http::Request<Bytes>, IntoHttpError> {
        let mut path = PathBuilder::new("/_matrix/client/v3/rooms/");
        path.push_param(&self.room_id);
        path.push_literal("/thing");
        let mut query = QueryBuilder::new();
        for (name, value) in &self.query {
            query.push(name, value);
        }
        build_request(
            &Self::METADATA,
            base_url,
            &(path.finish() + &query.finish()),
            access_token,
            json_body(&self.body)?,
        )
    }

    fn try_from_http_response(
        response: http::Response<Bytes>,
    ) -> Result<ThingResponse, FromHttpResponseError<UiaaInfo>> {
        match response.status().as_u16() {
            200 => json_response(&response),
            401 => match serde_json::from_slice::<UiaaInfo>(response.body()) {
                Ok(body) => Err(FromHttpResponseError::Endpoint {
                    status: response.status(),
                    body,
                }),
                Err(_) => Err(error_response(response)),
            },
            _ => Err(error_response(response)),
        }
    }
}

/// A `GET` endpoint without a body and without documented errors.
struct Version;

impl Endpoint for Version {
    const METADATA: Metadata = Metadata {
        operation_id: "getVersion",
        method: http::Method::GET,
        path_template: "/_matrix/client/versions",
        auth: AuthScheme::OptionalAccessToken,
        added_in: None,
        rate_limited: false,
        deprecated: false,
    };
    type Response = serde_json::Value;
    type Error = Infallible;

    fn try_into_http_request(
        &self,
        base_url: &BaseUrl,
        access_token: Option<&AccessToken>,
    ) -> Result<http::Request<Bytes>, IntoHttpError> {
        build_request(
            &Self::METADATA,
            base_url,
            "/_matrix/client/versions",
            access_token,
            matrix_csapi_runtime::RequestBody::Empty,
        )
    }

    fn try_from_http_response(
        response: http::Response<Bytes>,
    ) -> Result<serde_json::Value, FromHttpResponseError<Infallible>> {
        if response.status().is_success() {
            json_response(&response)
        } else {
            Err(error_response(response))
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

async fn server(responses: Vec<ScriptedResponse>) -> LoopbackServer {
    LoopbackServer::start(responses).await.unwrap()
}

fn client_for(server: &LoopbackServer) -> Client {
    let http = matrix_csapi_runtime::reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    Client::with_http_client(BaseUrl::parse(&server.url()).unwrap(), http)
}

fn client_with_token(server: &LoopbackServer) -> Client {
    let client = client_for(server);
    client.set_access_token(Some(AccessToken::new(TOKEN)));
    client
}

fn ok_response() -> ScriptedResponse {
    ScriptedResponse::json(200, &json!({"value": "ok"}))
}

/// Asserts that neither `Display` nor `Debug` of `value` leaks secrets.
fn assert_no_secrets(value: &(impl std::fmt::Display + std::fmt::Debug)) {
    let text = format!("{value} / {value:?} / {value:#?}");
    for secret in [TOKEN, "hunter2"] {
        assert!(!text.contains(secret), "secret leaked: {text}");
    }
}

fn unexpected<E: std::fmt::Debug>(error: Error<E>) -> matrix_csapi_runtime::UnexpectedResponse {
    match error {
        Error::Response(FromHttpResponseError::Unexpected(response)) => response,
        other => panic!("expected an unexpected response, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------

#[tokio::test]
async fn auth_none_never_sends_authorization_even_with_a_token() {
    let server = server(vec![ok_response()]).await;
    let client = client_with_token(&server);
    let response = client.send(&thing::<NoAuth>("!r:ex")).await.unwrap();
    assert_eq!(response.value, "ok");
    let request = server.single_request();
    assert_eq!(request.header("authorization"), None);
    assert!(!request.target.contains(TOKEN));
    assert!(!format!("{:?}", request.headers).contains(TOKEN));
}

#[tokio::test]
async fn access_token_goes_in_bearer_header_never_in_query() {
    let server = server(vec![ok_response()]).await;
    let client = client_with_token(&server);
    client.send(&thing::<TokenAuth>("!r:ex")).await.unwrap();
    let request = server.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.header_all("authorization"),
        [format!("Bearer {TOKEN}").as_str()]
    );
    assert_eq!(request.query(), None);
    assert!(!request.target.contains(TOKEN));
    assert!(!request.target.contains("access_token"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.body_json(), Some(json!({"password": "hunter2"})));
    // build_request sends no Accept header; reqwest adds its generic default.
    assert_eq!(request.header("accept"), Some("*/*"));
}

#[tokio::test]
async fn appservice_token_goes_in_bearer_header() {
    let server = server(vec![ok_response()]).await;
    let client = client_with_token(&server);
    client
        .send(&thing::<AppserviceAuth>("!r:ex"))
        .await
        .unwrap();
    let request = server.single_request();
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn missing_token_fails_before_sending() {
    let server = server(vec![ok_response()]).await;
    let client = client_for(&server);
    for error in [
        client.send(&thing::<TokenAuth>("!r:ex")).await.unwrap_err(),
        client
            .send(&thing::<AppserviceAuth>("!r:ex"))
            .await
            .unwrap_err(),
    ] {
        assert!(
            matches!(
                error,
                Error::IntoHttp(IntoHttpError::MissingAccessToken {
                    operation_id: "postThing"
                })
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("postThing"), "{error}");
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn optional_token_sent_only_when_present() {
    let server = server(vec![ok_response(), ok_response()]).await;
    let client = client_for(&server);
    client.send(&thing::<OptionalAuth>("!r:ex")).await.unwrap();
    client.set_access_token(Some(AccessToken::new(TOKEN)));
    client.send(&thing::<OptionalAuth>("!r:ex")).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("authorization"), None);
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn swapped_token_is_used_by_all_clones() {
    let server = server(vec![ok_response(), ok_response()]).await;
    let client = client_with_token(&server);
    let clone = client.clone();
    clone.send(&thing::<TokenAuth>("!r:ex")).await.unwrap();
    // A refresh through the original swaps the token for every clone.
    client.set_access_token(Some(AccessToken::new("syt_new_token")));
    clone.send(&thing::<TokenAuth>("!r:ex")).await.unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        requests[1].header("authorization"),
        Some("Bearer syt_new_token")
    );
}

// ---------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------

#[tokio::test]
async fn path_params_are_encoded_as_one_segment() {
    let server = server(vec![ok_response()]).await;
    let client = client_with_token(&server);
    let mut request = thing::<TokenAuth>("!room:ex/../x?#");
    request.query = vec![
        ("from".into(), "s1_2 3&x=y".into()),
        ("types".into(), "m.room.message".into()),
        ("types".into(), "#/?".into()),
    ];
    client.send(&request).await.unwrap();
    let recorded = server.single_request();
    assert_eq!(
        recorded.path(),
        "/_matrix/client/v3/rooms/%21room%3Aex%2F..%2Fx%3F%23/thing"
    );
    assert_eq!(
        recorded.query(),
        Some("from=s1_2%203%26x%3Dy&types=m.room.message&types=%23%2F%3F")
    );
}

#[tokio::test]
async fn base_url_path_prefix_is_kept() {
    let server = server(vec![ok_response()]).await;
    let http = matrix_csapi_runtime::reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let base = BaseUrl::parse(&format!("{}/matrix/", server.url())).unwrap();
    let client = Client::with_http_client(base, http);
    client.send(&thing::<NoAuth>("@u:ex")).await.unwrap();
    assert_eq!(
        server.single_request().path(),
        "/matrix/_matrix/client/v3/rooms/%40u%3Aex/thing"
    );
}

#[tokio::test]
async fn dot_segment_params_are_refused_without_sending() {
    let server = server(vec![ok_response()]).await;
    let client = client_with_token(&server);
    for room_id in [".", ".."] {
        let error = client.send(&thing::<TokenAuth>(room_id)).await.unwrap_err();
        assert!(
            matches!(error, Error::IntoHttp(IntoHttpError::DotSegmentInPath)),
            "{error:?}"
        );
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn default_client_works() {
    let server = server(vec![ScriptedResponse::json(
        200,
        &json!({"versions": ["v1.19"]}),
    )])
    .await;
    let client = Client::new(BaseUrl::parse(&server.url()).unwrap());
    let versions = client.send(&Version).await.unwrap();
    assert_eq!(versions["versions"][0], "v1.19");
    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(request.target, "/_matrix/client/versions");
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("matrix-csapi-runtime/"))
    );
    assert_eq!(request.header("content-type"), None);
    assert!(request.body.is_empty());
}

// ---------------------------------------------------------------------------
// Matrix errors
// ---------------------------------------------------------------------------

#[tokio::test]
async fn unknown_token_soft_logout() {
    let server = server(vec![ScriptedResponse::json(
        401,
        &json!({"errcode": "M_UNKNOWN_TOKEN", "error": "Token expired", "soft_logout": true}),
    )])
    .await;
    let client = client_with_token(&server);
    let error = client.send(&thing::<TokenAuth>("!r:ex")).await.unwrap_err();
    assert_eq!(error.errcode(), Some(&ErrorCode::UnknownToken));
    assert_eq!(error.status(), Some(http::StatusCode::UNAUTHORIZED));
    let matrix = error.matrix_error().unwrap();
    assert!(matrix.is_soft_logout());
    assert_eq!(matrix.message(), Some("Token expired"));
    assert_eq!(
        error.to_string(),
        "M_UNKNOWN_TOKEN (401 Unauthorized): Token expired"
    );
    assert_no_secrets(&error);
}

#[tokio::test]
async fn documented_endpoint_error() {
    let server = server(vec![ScriptedResponse::json(
        401,
        &json!({"flows": [{"stages": ["m.login.password"]}], "session": "abc", "params": {}}),
    )])
    .await;
    let client = client_with_token(&server);
    let error = client.send(&thing::<TokenAuth>("!r:ex")).await.unwrap_err();
    let Error::Response(FromHttpResponseError::Endpoint { status, body }) = &error else {
        panic!("expected an endpoint error, got {error:?}");
    };
    assert_eq!(*status, http::StatusCode::UNAUTHORIZED);
    assert_eq!(body.session.as_deref(), Some("abc"));
    assert_eq!(body.flows.len(), 1);
    assert!(error.matrix_error().is_none());
    assert_eq!(
        error.to_string(),
        "endpoint-specific error response (401 Unauthorized)"
    );
}

#[tokio::test]
async fn rate_limited_with_retry_after_ms() {
    let server = server(vec![ScriptedResponse::json(
        429,
        &json!({"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests", "retry_after_ms": 2000}),
    )])
    .await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    assert_eq!(error.errcode(), Some(&ErrorCode::LimitExceeded));
    let matrix = error.matrix_error().unwrap();
    assert_eq!(matrix.status, http::StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(matrix.retry_after_header, None);
    assert_eq!(
        matrix.retry_after(),
        Some(RetryAfter::Delay(Duration::from_millis(2000)))
    );
}

#[tokio::test]
async fn retry_after_header_seconds_wins_over_body() {
    let server = server(vec![
        ScriptedResponse::json(
            429,
            &json!({"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 2000}),
        )
        .header("Retry-After", "7"),
    ])
    .await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    let matrix = error.matrix_error().unwrap();
    assert_eq!(matrix.body.retry_after_ms, Some(2000));
    assert_eq!(
        matrix.retry_after(),
        Some(RetryAfter::Delay(Duration::from_secs(7)))
    );
}

#[tokio::test]
async fn retry_after_header_http_date() {
    let at = SystemTime::now() + Duration::from_secs(120);
    let date = httpdate::fmt_http_date(at);
    let server = server(vec![
        ScriptedResponse::json(429, &json!({"errcode": "M_LIMIT_EXCEEDED"}))
            .header("Retry-After", &date),
    ])
    .await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    let retry = error.matrix_error().unwrap().retry_after().unwrap();
    let RetryAfter::At(when) = retry else {
        panic!("expected an HTTP-date, got {retry:?}");
    };
    assert_eq!(when, httpdate::parse_http_date(&date).unwrap());
    // The delay is counted from a given instant (no wall-clock window).
    assert_eq!(
        retry.delay_from(when - Duration::from_secs(120)),
        Duration::from_secs(120)
    );
    assert_eq!(
        retry.delay_from(when + Duration::from_secs(5)),
        Duration::ZERO
    );
}

#[tokio::test]
async fn invalid_retry_after_header_falls_back_to_body() {
    let server = server(vec![
        ScriptedResponse::json(
            429,
            &json!({"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 500}),
        )
        .header("Retry-After", "soon"),
    ])
    .await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    assert_eq!(
        error.matrix_error().unwrap().retry_after(),
        Some(RetryAfter::Delay(Duration::from_millis(500)))
    );
}

#[tokio::test]
async fn unknown_errcode_is_kept_verbatim() {
    let server = server(vec![ScriptedResponse::json(
        400,
        &json!({"errcode": "ORG_EXAMPLE_SHINY_NEW", "error": "new", "extra_field": [1]}),
    )])
    .await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    let code = error.errcode().unwrap();
    assert!(matches!(code, ErrorCode::Other(_)), "{code:?}");
    assert_eq!(code.as_str(), "ORG_EXAMPLE_SHINY_NEW");
    let matrix = error.matrix_error().unwrap();
    assert_eq!(matrix.body.extra["extra_field"], json!([1]));
    assert_eq!(
        serde_json::to_value(&matrix.body).unwrap(),
        json!({"errcode": "ORG_EXAMPLE_SHINY_NEW", "error": "new", "extra_field": [1]})
    );
    assert_eq!(
        error.to_string(),
        "ORG_EXAMPLE_SHINY_NEW (400 Bad Request): new"
    );
}

// ---------------------------------------------------------------------------
// Unexpected responses
// ---------------------------------------------------------------------------

#[tokio::test]
async fn html_502_is_unexpected_with_status_and_body_kept() {
    let html = "<html><body><h1>502 Bad Gateway</h1>nginx SECRET-ISH</body></html>";
    let server = server(vec![
        ScriptedResponse::status(502)
            .header("Content-Type", "text/html")
            .body(html),
    ])
    .await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::BAD_GATEWAY));
    assert!(error.errcode().is_none());
    let display = error.to_string();
    let debug = format!("{error:?}");
    for text in [&display, &debug] {
        assert!(!text.contains("nginx"), "{text}");
        assert!(!text.contains("<html>"), "{text}");
    }
    assert!(display.contains("502 Bad Gateway"), "{display}");
    assert!(display.contains("text/html"), "{display}");
    assert!(display.contains(&html.len().to_string()), "{display}");
    let response = unexpected(error);
    assert_eq!(response.status(), http::StatusCode::BAD_GATEWAY);
    assert_eq!(response.content_type(), Some("text/html"));
    assert_eq!(response.body().as_ref(), html.as_bytes());
    assert_eq!(response.reason(), &UnexpectedReason::UndocumentedStatus);
}

#[tokio::test]
async fn truncated_json_body_is_invalid_json() {
    let server = server(vec![
        ScriptedResponse::status(200)
            .header("Content-Type", "application/json")
            .body(r#"{"value": "o"#),
    ])
    .await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    let response = unexpected(error);
    let UnexpectedReason::InvalidJson(json) = response.reason() else {
        panic!("expected invalid JSON, got {:?}", response.reason());
    };
    assert_eq!(json.category(), serde_json::error::Category::Eof);
    assert_eq!(response.body().as_ref(), br#"{"value": "o"#);
}

#[tokio::test]
async fn unparsable_success_body_never_prints_tokens() {
    // A /refresh-like body with the right tokens but a wrong-typed field.
    let body = json!({"value": 5, "access_token": TOKEN, "refresh_token": TOKEN, "note": TOKEN});
    let server = server(vec![ScriptedResponse::json(200, &body)]).await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    assert_no_secrets(&error);
    let response = unexpected(error);
    assert!(response.body_text_lossy().contains(TOKEN));
}

#[tokio::test]
async fn wrong_typed_token_value_is_redacted_in_messages() {
    // serde quotes offending string values (`invalid type: string "…"`);
    // they must not be printed.
    #[derive(Debug, Deserialize)]
    #[serde(crate = "matrix_csapi_runtime::serde")]
    struct Strict {
        #[allow(dead_code)]
        versions: Vec<String>,
    }
    let server = server(vec![ScriptedResponse::json(
        200,
        &json!({"versions": TOKEN}),
    )])
    .await;
    let client = client_for(&server);
    let request = Version
        .try_into_http_request(client.base_url(), None)
        .unwrap();
    let response = client.send_http(request).await.unwrap();
    assert_eq!(response.status(), http::StatusCode::OK);
    let error = json_response::<Strict, Infallible>(&response).unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(
        text.contains(r#"invalid type: string "<redacted>""#),
        "{text}"
    );
}

#[tokio::test]
async fn empty_200_body_is_unexpected() {
    let server = server(vec![ScriptedResponse::status(200)]).await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    let response = unexpected(error);
    assert_eq!(response.status(), http::StatusCode::OK);
    assert_eq!(response.reason(), &UnexpectedReason::EmptyBody);
    assert!(response.body().is_empty());
}

// ---------------------------------------------------------------------------
// Size limit and broken connections
// ---------------------------------------------------------------------------

#[tokio::test]
async fn huge_body_with_content_length_is_refused() {
    let body = format!(r#"{{"value": "{}"}}"#, "x".repeat(64 * 1024));
    let server = server(vec![
        ScriptedResponse::json(200, &json!({})).body(body.clone()),
    ])
    .await;
    let client = client_with_token(&server).with_max_response_bytes(4096);
    let error = client.send(&thing::<TokenAuth>("!r:ex")).await.unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 4096 }),
        "{error:?}"
    );
    assert!(error.to_string().contains("4096"), "{error}");
}

#[tokio::test]
async fn huge_chunked_body_is_cut_off_while_streaming() {
    // No Content-Length: the limit is enforced chunk by chunk.
    let mut raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..64 {
        let chunk = "y".repeat(1000);
        raw.extend_from_slice(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let server = server(vec![ScriptedResponse::raw(raw)]).await;
    let client = client_with_token(&server).with_max_response_bytes(10_000);
    let error = client.send(&thing::<TokenAuth>("!r:ex")).await.unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit: 10_000 }),
        "{error:?}"
    );
}

#[tokio::test]
async fn body_exactly_at_the_limit_is_accepted() {
    let body = r#"{"value": "ok"}"#;
    let mut raw =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for part in [&body[..5], &body[5..]] {
        raw.extend_from_slice(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes());
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let server = server(vec![ScriptedResponse::raw(raw)]).await;
    let client = client_with_token(&server).with_max_response_bytes(body.len());
    let response = client.send(&thing::<TokenAuth>("!r:ex")).await.unwrap();
    assert_eq!(response.value, "ok");
}

#[tokio::test]
async fn connection_closed_mid_body_is_a_transport_error() {
    let server = server(vec![ScriptedResponse::raw(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"value\": \"tru",
    )])
    .await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    let Error::Transport(inner) = &error else {
        panic!("expected a transport error, got {error:?}");
    };
    assert!(inner.url().is_none(), "the URL must be stripped");
    assert!(
        error.to_string().starts_with("HTTP transport error"),
        "{error}"
    );
    assert_no_secrets(&error);
}

#[tokio::test]
async fn connection_closed_without_response_is_a_transport_error() {
    let server = server(vec![ScriptedResponse::raw(Vec::new())]).await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_no_secrets(&error);
    // The request did reach the server.
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn garbage_response_is_a_transport_error() {
    let server = server(vec![ScriptedResponse::raw(
        "this is not HTTP at all\r\n\r\n\u{0}\u{1}",
    )])
    .await;
    let error = client_with_token(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    // Bind and drop a listener to get a port with (very likely) nothing on it.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let http = matrix_csapi_runtime::reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let client = Client::with_http_client(
        BaseUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
        http,
    );
    client.set_access_token(Some(AccessToken::new(TOKEN)));
    let error = client.send(&thing::<TokenAuth>("!r:ex")).await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_no_secrets(&error);
}

// ---------------------------------------------------------------------------
// Secrets in Debug output
// ---------------------------------------------------------------------------

#[tokio::test]
async fn debug_output_never_contains_the_token() {
    let token = AccessToken::new(TOKEN);
    assert_no_secrets(&token);

    let server = server(vec![ScriptedResponse::json(
        403,
        &json!({"errcode": "M_FORBIDDEN", "error": "nope"}),
    )])
    .await;
    let client = client_with_token(&server);
    let debug = format!("{client:?} {client:#?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("has_access_token: true"), "{debug}");

    let error = client.send(&thing::<TokenAuth>("!r:ex")).await.unwrap_err();
    assert_eq!(error.errcode(), Some(&ErrorCode::Forbidden));
    assert_no_secrets(&error);

    let missing = client_for(&server)
        .send(&thing::<TokenAuth>("!r:ex"))
        .await
        .unwrap_err();
    assert_no_secrets(&missing);

    // The built request carries the token only in a sensitive header.
    let request = thing::<TokenAuth>("!r:ex")
        .try_into_http_request(client.base_url(), Some(&token))
        .unwrap();
    assert!(!format!("{:?}", request.headers()).contains(TOKEN));
    assert!(!request.uri().to_string().contains(TOKEN));
}

// ---------------------------------------------------------------------------
// Raw requests
// ---------------------------------------------------------------------------

#[tokio::test]
async fn send_http_refuses_urls_that_the_url_parser_would_rewrite() {
    let server = server(vec![ok_response()]).await;
    let client = client_for(&server);
    for path in ["/a/%2E%2E/b", "/a/./b", "/rooms/{roomId}/leave"] {
        let mut request = http::Request::new(Bytes::new());
        *request.uri_mut() = format!("{}{path}", server.url()).parse().unwrap();
        let error = client.send_http(request).await.unwrap_err();
        assert!(
            matches!(error, Error::IntoHttp(IntoHttpError::NonCanonicalUrl)),
            "{path}: {error:?}"
        );
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn send_http_returns_any_status_with_headers() {
    let server = server(vec![
        ScriptedResponse::status(418)
            .header("X-Custom", "1")
            .body("short and stout"),
    ])
    .await;
    let client = client_for(&server);
    let mut request = http::Request::new(Bytes::from_static(b"raw"));
    *request.method_mut() = http::Method::PUT;
    *request.uri_mut() = format!("{}/raw?x=%20", server.url()).parse().unwrap();
    let response = client.send_http(request).await.unwrap();
    assert_eq!(response.status(), http::StatusCode::IM_A_TEAPOT);
    assert_eq!(response.headers()["x-custom"], "1");
    assert_eq!(response.body().as_ref(), b"short and stout");
    let recorded = server.single_request();
    assert_eq!(recorded.method, "PUT");
    assert_eq!(recorded.target, "/raw?x=%20");
    assert_eq!(recorded.body, b"raw");
}
