//! What Synapse does that the spec does not say, each handled by an overlay
//! under `spec/overlays/synapse/` or by a general mechanism of the runtime,
//! proven here against a real Synapse. Each test names what would break it:
//! removing the overlay (or the mechanism) makes it fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e_support;

use std::collections::BTreeMap;

use matrix_csapi::ErrorCode;
use matrix_csapi::cross_signing::UploadCrossSigningKeysRequest;
use matrix_csapi::list_public_rooms::GetPublicRoomsRequest;
use matrix_csapi::support::GetWellknownSupportRequest;
use matrix_csapi::types::{CrossSigningKey, CrossSigningKeyUsageItem};
use matrix_csapi::voip::GetTurnServerRequest;
use matrix_csapi_tests::synapse::synapse;

use e2e_support::{client, client_with_token, register};

/// Overlay `synapse/turn-server-without-turn.yaml`: without `turn_uris`
/// (the test server has none), Synapse answers 200 `{}`.
#[tokio::test]
async fn turn_server_without_turn_uris() {
    let Some(server) = synapse() else { return };
    let account = register(&server, "turn", false).await;
    let response = client_with_token(&server, &account.access_token)
        .get_turn_server(GetTurnServerRequest::new())
        .await
        .unwrap_or_else(|error| panic!("/voip/turnServer: {error}"));
    assert_eq!(response.uris, None, "the test server has no TURN server");
    assert_eq!(response.username, None);
}

/// Overlay `synapse/public-rooms-token.yaml`: Synapse's default config
/// (`allow_public_rooms_without_auth: false`) needs an access token on
/// `GET /publicRooms`, for which the spec gives no security. The token is
/// sent when the client has one; without one the server's 401 is typed.
#[tokio::test]
async fn public_rooms_sends_the_token() {
    let Some(server) = synapse() else { return };
    let account = register(&server, "directory", false).await;
    client_with_token(&server, &account.access_token)
        .get_public_rooms(GetPublicRoomsRequest::new())
        .await
        .unwrap_or_else(|error| panic!("/publicRooms with a token: {error}"));

    let error = client(&server)
        .get_public_rooms(GetPublicRoomsRequest::new())
        .await
        .unwrap_err();
    assert_eq!(error.errcode(), Some(&ErrorCode::MissingToken), "{error}");
}

/// The runtime recognises user-interactive auth on any 401: Synapse asks
/// for it when cross-signing keys are replaced, and the spec lists no 401
/// for `POST /keys/device_signing/upload`.
#[tokio::test]
async fn replacing_cross_signing_keys_asks_for_user_interactive_auth() {
    let Some(server) = synapse() else { return };
    let account = register(&server, "xsign", false).await;
    let client = client_with_token(&server, &account.access_token);
    let upload = |public_key: &str| {
        let key_id = format!("ed25519:{public_key}");
        let mut request = UploadCrossSigningKeysRequest::new();
        request.master_key = Some(CrossSigningKey::new(
            account.user_id.clone(),
            vec![CrossSigningKeyUsageItem::Master],
            BTreeMap::from([(key_id, public_key.to_owned())]),
        ));
        request
    };
    // The first upload needs no authentication on Synapse; replacing does.
    client
        .upload_cross_signing_keys(upload("nqOvzeuGWT/sRx3h7+MHoInYCVd2ZtkZKrU6Nt2EDVw"))
        .await
        .unwrap_or_else(|error| panic!("first cross-signing upload: {error}"));
    let error = client
        .upload_cross_signing_keys(upload("0G0MBGn0sGdoUgnkeIJjA2J5hNffa4z1fFvT2IS0SrI"))
        .await
        .unwrap_err();
    let uia = error
        .user_interactive_auth()
        .unwrap_or_else(|| panic!("expected user-interactive auth, got {error}"));
    assert!(
        uia.flows
            .iter()
            .any(|flow| flow.stages.iter().any(|stage| stage == "m.login.password")),
        "{uia:?}"
    );
    assert!(uia.session.is_some(), "{uia:?}");
}

/// A documented status without a JSON body is a typed outcome: Synapse
/// serves no `/.well-known/matrix/support` (404, an HTML page), which the
/// spec documents as "No server support information available".
#[tokio::test]
async fn support_information_not_available_is_typed() {
    let Some(server) = synapse() else { return };
    let error = client(&server)
        .get_wellknown_support(GetWellknownSupportRequest::new())
        .await
        .unwrap_err();
    assert_eq!(
        error.status(),
        Some(matrix_csapi::runtime::http::StatusCode::NOT_FOUND)
    );
    assert!(
        matches!(
            error.endpoint_error(),
            Some(matrix_csapi::support::GetWellknownSupportError::NotFound)
        ),
        "{error:?}"
    );
}
