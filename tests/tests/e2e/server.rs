//! The Synapse harness itself (`matrix_csapi_tests::synapse`): a real server
//! on 127.0.0.1 answers the client API, through raw HTTP and through the
//! generated client, and accounts can be registered and used.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e_support;

use matrix_csapi::ErrorCode;
use matrix_csapi::runtime::{self, Error, IntoHttpError, http};
use matrix_csapi::versions::GetVersionsRequest;
use matrix_csapi::whoami::GetTokenOwnerRequest;
use std::time::Duration;

use matrix_csapi_tests::synapse::{
    ACCESS_TOKEN_LIFETIME, REFRESH_TOKEN_LIFETIME, SESSION_LIFETIME, synapse,
};

use e2e_support::{client, client_with_token, register};

#[tokio::test]
async fn versions_answers_200_json_on_loopback() {
    let Some(server) = synapse() else { return };
    assert!(
        server.url().starts_with("http://127.0.0.1:"),
        "{}",
        server.url()
    );
    let request = http::Request::get(format!("{}/_matrix/client/versions", server.url()))
        .body(runtime::Bytes::new())
        .unwrap();
    let response = server.client().send_http(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()[http::header::CONTENT_TYPE]
        .to_str()
        .unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    let versions = body["versions"].as_array().expect("a `versions` array");
    assert!(!versions.is_empty());
    assert!(versions.iter().all(serde_json::Value::is_string), "{body}");
}

#[tokio::test]
async fn generated_get_versions() {
    let Some(server) = synapse() else { return };
    let response = client(&server)
        .get_versions(GetVersionsRequest::new())
        .await
        .unwrap();
    // Refresh tokens came with Matrix 1.3; Synapse 1.163 speaks up to 1.15.
    for version in ["v1.3", "v1.15"] {
        assert!(
            response.versions.iter().any(|v| v == version),
            "{version} missing from {:?}",
            response.versions
        );
    }
    assert!(response.unstable_features.is_some());
}

#[tokio::test]
async fn registered_account_is_who_the_server_says() {
    let Some(server) = synapse() else { return };
    let account = register(&server, "whoami", false).await;
    assert_eq!(account.refresh_token, None, "not asked for");
    // Without a refresh token the access token lives as long as the session
    // (`session_lifetime`), and Synapse says so.
    let expires_in = account.expires_in.expect("the session's end");
    assert!(
        expires_in > SESSION_LIFETIME - Duration::from_secs(60) && expires_in <= SESSION_LIFETIME,
        "{expires_in:?}"
    );

    let owner = client_with_token(&server, &account.access_token)
        .get_token_owner(GetTokenOwnerRequest::new())
        .await
        .unwrap();
    assert_eq!(owner.user_id, account.user_id);
    assert_eq!(owner.device_id.as_deref(), Some(account.device_id.as_str()));
    assert_eq!(owner.is_guest, Some(false));
}

#[tokio::test]
async fn whoami_needs_a_token_and_rejects_an_unknown_one() {
    let Some(server) = synapse() else { return };
    // Without a token the request is not even sent.
    let error = client(&server)
        .get_token_owner(GetTokenOwnerRequest::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::IntoHttp(IntoHttpError::MissingAccessToken {
                operation_id: "getTokenOwner"
            })
        ),
        "{error:?}"
    );

    let error = client_with_token(&server, "syt_not_a_real_token")
        .get_token_owner(GetTokenOwnerRequest::new())
        .await
        .unwrap_err();
    let matrix = error.matrix_error().unwrap_or_else(|| panic!("{error}"));
    assert_eq!(matrix.status, 401);
    assert_eq!(matrix.errcode(), &ErrorCode::UnknownToken);
    assert!(!matrix.is_soft_logout());
    e2e_support::assert_no_secrets(&error, &["syt_not_a_real_token"]);
}

#[tokio::test]
async fn failing_tests_can_show_the_server_log() {
    let Some(server) = synapse() else { return };
    assert!(server.dir().join("homeserver.yaml").is_file());
    let config = std::fs::read_to_string(server.dir().join("homeserver.yaml")).unwrap();
    assert!(
        config.contains(r#"bind_addresses: ["127.0.0.1"]"#),
        "{config}"
    );
    // The lifetimes the harness documents are the ones the server runs with.
    for (key, value) in [
        ("refreshable_access_token_lifetime", ACCESS_TOKEN_LIFETIME),
        ("refresh_token_lifetime", REFRESH_TOKEN_LIFETIME),
        ("session_lifetime", SESSION_LIFETIME),
    ] {
        let in_seconds = format!("\n{key}: {}s\n", value.as_secs());
        let in_hours = format!("\n{key}: {}h\n", value.as_secs() / 3600);
        assert!(
            config.contains(&in_seconds)
                || (value.as_secs() % 3600 == 0 && config.contains(&in_hours)),
            "{key} is not {value:?} in {config}"
        );
    }
    let tail = server.log_tail(20);
    assert!(tail.contains("homeserver.log"), "{tail}");
    assert!(tail.lines().count() > 1, "{tail}");
}
