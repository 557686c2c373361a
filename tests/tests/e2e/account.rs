//! Accounts through the generated client against a real Synapse: password
//! login, devices (including user-interactive auth to delete one), profile
//! fields and logout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::e2e_support;

use std::collections::BTreeMap;

use matrix_csapi::ErrorCode;
use matrix_csapi::device_management::{
    DeleteDeviceRequest, DeleteDeviceRequestBody, GetDeviceRequest, GetDevicesRequest,
    UpdateDeviceRequest, UpdateDeviceRequestBody,
};
use matrix_csapi::login::{GetLoginFlowsRequest, LoginRequest};
use matrix_csapi::logout::LogoutRequest;
use matrix_csapi::profile::{
    GetProfileFieldRequest, GetUserProfileRequest, SetProfileFieldRequest,
};
use matrix_csapi::runtime::{Error, FromHttpResponseError};
use matrix_csapi::types::{AuthenticationDataPassword, UserIdentifier, UserIdentifierUserId};
use matrix_csapi::whoami::GetTokenOwnerRequest;
use matrix_csapi_tests::synapse::{Synapse, synapse};
use serde_json::json;

use e2e_support::{Account, assert_no_secrets, client, client_with_token, register};

fn localpart(user_id: &str) -> &str {
    user_id
        .strip_prefix('@')
        .and_then(|rest| rest.split_once(':'))
        .map(|(localpart, _)| localpart)
        .unwrap()
}

fn user_identifier(account: &Account) -> UserIdentifier {
    UserIdentifierUserId::new(localpart(&account.user_id).to_owned()).into()
}

fn password_login(account: &Account, password: &str) -> LoginRequest {
    let mut request = LoginRequest::new("m.login.password".to_owned());
    request.identifier = Some(user_identifier(account));
    request.password = Some(password.to_owned());
    request.initial_device_display_name = Some("e2e login".to_owned());
    request
}

#[tokio::test]
async fn password_login_is_offered_and_gives_a_new_device() {
    let Some(server) = synapse() else { return };
    let flows = client(&server)
        .get_login_flows(GetLoginFlowsRequest::new())
        .await
        .unwrap()
        .flows
        .unwrap_or_default();
    assert!(
        flows.iter().any(|flow| flow.type_ == "m.login.password"),
        "{flows:?}"
    );

    let account = register(&server, "login", false).await;
    let response = client(&server)
        .login(password_login(&account, &account.password))
        .await
        .unwrap();
    assert_eq!(response.user_id, account.user_id);
    assert_ne!(response.device_id, account.device_id);
    assert_ne!(response.access_token, account.access_token);
    assert!(!format!("{response:?}").contains(&response.access_token));

    let owner = client_with_token(&server, &response.access_token)
        .get_token_owner(GetTokenOwnerRequest::new())
        .await
        .unwrap();
    assert_eq!(
        owner.device_id.as_deref(),
        Some(response.device_id.as_str())
    );
}

#[tokio::test]
async fn wrong_password_is_forbidden_and_never_printed() {
    let Some(server) = synapse() else { return };
    let account = register(&server, "badpw", false).await;
    let wrong = "definitely-not-the-password";
    let request = password_login(&account, wrong);
    assert!(!format!("{request:?}").contains(wrong), "{request:?}");
    let error = client(&server).login(request).await.unwrap_err();
    assert_no_secrets(&error, &[wrong]);
    let matrix = error.matrix_error().unwrap_or_else(|| panic!("{error}"));
    assert_eq!(matrix.status, 403);
    assert_eq!(matrix.errcode(), &ErrorCode::Forbidden);
}

#[tokio::test]
async fn devices_are_listed_renamed_and_deleted_with_interactive_auth() {
    let Some(server) = synapse() else { return };
    let account = register(&server, "devices", false).await;
    let second = client(&server)
        .login(password_login(&account, &account.password))
        .await
        .unwrap();
    let client = client_with_token(&server, &account.access_token);

    let devices = client
        .get_devices(GetDevicesRequest::new())
        .await
        .unwrap()
        .devices
        .unwrap_or_default();
    let mut ids: Vec<&str> = devices.iter().map(|d| d.device_id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = vec![account.device_id.as_str(), second.device_id.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);

    let mut body = UpdateDeviceRequestBody::new();
    body.display_name = Some("renamed by e2e".to_owned());
    client
        .update_device(UpdateDeviceRequest::new(second.device_id.clone(), body))
        .await
        .unwrap();
    let device = client
        .get_device(GetDeviceRequest::new(second.device_id.clone()))
        .await
        .unwrap();
    assert_eq!(device.display_name.as_deref(), Some("renamed by e2e"));

    // First attempt: the server asks for user-interactive auth, a documented
    // endpoint-specific 401 body.
    let error = client
        .delete_device(DeleteDeviceRequest::new(
            second.device_id.clone(),
            DeleteDeviceRequestBody::new(),
        ))
        .await
        .unwrap_err();
    let Error::Response(FromHttpResponseError::UserInteractiveAuth(uia)) = error else {
        panic!("expected the user-interactive auth 401, got {error:?}")
    };
    assert!(
        uia.flows
            .iter()
            .any(|flow| flow.stages.iter().any(|stage| stage == "m.login.password")),
        "{uia:?}"
    );
    let session = uia.session.clone().expect("a UIA session");

    // Second attempt: the password stage completes it.
    let mut auth =
        AuthenticationDataPassword::new(user_identifier(&account), account.password.clone());
    auth.session = Some(session);
    let mut body = DeleteDeviceRequestBody::new();
    body.auth = Some(auth.into());
    client
        .delete_device(DeleteDeviceRequest::new(second.device_id.clone(), body))
        .await
        .unwrap();

    let error = client
        .get_device(GetDeviceRequest::new(second.device_id.clone()))
        .await
        .unwrap_err();
    assert_eq!(error.errcode(), Some(&ErrorCode::NotFound), "{error}");
    // The deleted device's token is gone with it.
    let error = whoami_error(&server, &second.access_token).await;
    assert_eq!(error.errcode(), Some(&ErrorCode::UnknownToken), "{error}");
}

async fn whoami_error(server: &Synapse, access_token: &str) -> Error<std::convert::Infallible> {
    let error = client_with_token(server, access_token)
        .get_token_owner(GetTokenOwnerRequest::new())
        .await
        .unwrap_err();
    assert_no_secrets(&error, &[access_token]);
    error
}

#[tokio::test]
async fn profile_fields_round_trip() {
    let Some(server) = synapse() else { return };
    let account = register(&server, "profile", false).await;
    let client = client_with_token(&server, &account.access_token);

    let mut body = BTreeMap::new();
    body.insert("displayname".to_owned(), json!("E2E Ünïcödé name"));
    client
        .set_profile_field(SetProfileFieldRequest::new(
            account.user_id.clone(),
            "displayname".to_owned(),
            body,
        ))
        .await
        .unwrap();

    let field = client
        .get_profile_field(GetProfileFieldRequest::new(
            account.user_id.clone(),
            "displayname".to_owned(),
        ))
        .await
        .unwrap();
    assert_eq!(field.get("displayname"), Some(&json!("E2E Ünïcödé name")));

    // The profile is public: no token needed.
    let profile = e2e_support::client(&server)
        .get_user_profile(GetUserProfileRequest::new(account.user_id.clone()))
        .await
        .unwrap();
    assert_eq!(profile.displayname.as_deref(), Some("E2E Ünïcödé name"));
}

#[tokio::test]
async fn logout_revokes_the_access_token() {
    let Some(server) = synapse() else { return };
    let account = register(&server, "logout", false).await;
    client_with_token(&server, &account.access_token)
        .logout(LogoutRequest::new())
        .await
        .unwrap();
    let error = whoami_error(&server, &account.access_token).await;
    let matrix = error.matrix_error().unwrap_or_else(|| panic!("{error}"));
    assert_eq!(matrix.status, 401);
    assert_eq!(matrix.errcode(), &ErrorCode::UnknownToken);
    assert!(!matrix.is_soft_logout(), "a logout is not a soft logout");
}
