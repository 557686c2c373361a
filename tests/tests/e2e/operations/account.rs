//! Accounts: registration (with its user-interactive auth), login by
//! password and by login token, refresh, devices, profile, presence,
//! account data, OpenID, 3PIDs, passwords, logout and deactivation.

use std::collections::BTreeMap;

use matrix_csapi::account_data::{GetAccountDataRequest, SetAccountDataRequest};
use matrix_csapi::account_deactivation::DeactivateAccountRequest;
use matrix_csapi::admin::{
    GetAdminLockUserRequest, GetAdminSuspendUserRequest, GetWhoIsRequest, SetAdminLockUserRequest,
    SetAdminLockUserRequestBody, SetAdminSuspendUserRequest, SetAdminSuspendUserRequestBody,
};
use matrix_csapi::administrative_contact::{
    Add3pidRequest, Bind3pidRequest, Delete3pidFromAccountRequest, GetAccount3pidsRequest, Medium,
    Post3pidsRequest, RequestTokenTo3pidEmailRequest, RequestTokenTo3pidMsisdnRequest,
    ThreePidCredentials, Unbind3pidFromAccountRequest,
};
use matrix_csapi::device_management::{
    DeleteDeviceRequest, DeleteDeviceRequestBody, DeleteDevicesRequest, GetDeviceRequest,
    GetDevicesRequest, UpdateDeviceRequest, UpdateDeviceRequestBody,
};
use matrix_csapi::login::{GetLoginFlowsRequest, LoginRequest};
use matrix_csapi::login_token::GenerateLoginTokenRequest;
use matrix_csapi::logout::{LogoutAllRequest, LogoutRequest};
use matrix_csapi::openid::RequestOpenIdTokenRequest;
use matrix_csapi::password_management::{
    ChangePasswordRequest, RequestTokenToResetPasswordEmailRequest,
    RequestTokenToResetPasswordMsisdnRequest,
};
use matrix_csapi::presence::{GetPresenceRequest, SetPresenceRequest, SetPresenceRequestBody};
use matrix_csapi::profile::{
    DeleteProfileFieldRequest, GetProfileFieldRequest, GetUserProfileRequest,
    SetProfileFieldRequest,
};
use matrix_csapi::refresh::RefreshRequest;
use matrix_csapi::registration::{
    CheckUsernameAvailabilityRequest, RegisterRequest, RegisterRequestBody,
    RequestTokenToRegisterEmailRequest, RequestTokenToRegisterMsisdnRequest,
};
use matrix_csapi::registration_tokens::RegistrationTokenValidityRequest;
use matrix_csapi::types::{
    AuthenticationData, AuthenticationDataDummy, Presence, RequestEmailValidation,
    RequestMsisdnValidation, UserIdentifierUserId,
};

use matrix_csapi::whoami::GetTokenOwnerRequest;
use matrix_csapi_runtime::AccessToken;
use serde_json::{Map, Value, json};

use super::harness::{Harness, User};
use crate::e2e_support::unique_name;

/// The accounts of the run.
pub struct Users {
    pub alice: User,
    pub bob: User,
    pub carol: User,
    pub dave: User,
    /// Deactivated at the end.
    pub erin: User,
}

/// A JSON object literal as a map.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn dummy_auth(session: Option<String>) -> AuthenticationData {
    let mut auth = AuthenticationDataDummy::new();
    auth.session = session;
    auth.into()
}

/// Registers `localpart` as `name`'s account. The user name is unique on
/// the shared server (`unique_name`); the device ID is fixed, `<NAME>DEV`, so
/// that key IDs, and with them the JSON pointers in the report, are the same
/// in every run.
async fn register(h: &mut Harness, name: &str, localpart: &str, session: Option<String>) -> User {
    let password = format!("{localpart} has a long password");
    let device_id = format!("{}DEV", name.to_uppercase());
    let mut body = RegisterRequestBody::new();
    body.auth = Some(dummy_auth(session));
    body.username = Some(localpart.to_owned());
    body.password = Some(password.clone());
    body.device_id = Some(device_id.clone());
    body.initial_device_display_name = Some(format!("{localpart}'s laptop"));
    let response = h
        .call(
            None,
            RegisterRequest::new(body),
            "the dummy stage completes the flow the 401 offered; the user ID is @<name>:localhost",
        )
        .await
        .unwrap_or_else(|| {
            panic!(
                "registering {localpart} failed: {:?}",
                h.records.get("register")
            )
        });
    assert_eq!(response.user_id, format!("@{localpart}:{}", h.server_name));
    assert_eq!(response.device_id.as_deref(), Some(device_id.as_str()));
    User {
        user_id: response.user_id,
        localpart: localpart.to_owned(),
        device_id,
        password,
        token: AccessToken::new(
            response
                .access_token
                .expect("a token: inhibit_login is unset"),
        ),
    }
}

pub async fn register_users(h: &mut Harness) -> Users {
    let alice = unique_name("alice");
    let available = h
        .call(
            None,
            CheckUsernameAvailabilityRequest::new(alice.clone()),
            "a free name is available",
        )
        .await;
    assert_eq!(available.and_then(|a| a.available), Some(true));

    let mut first = RegisterRequestBody::new();
    first.username = Some(alice.clone());
    let session = h.uia(None, RegisterRequest::new(first), "").await;
    assert!(
        session.is_some(),
        "registration offers user-interactive auth"
    );
    let alice = register(h, "alice", &alice, session).await;
    Users {
        alice,
        bob: register(h, "bob", &unique_name("bob"), None).await,
        carol: register(h, "carol", &unique_name("carol"), None).await,
        dave: register(h, "dave", &unique_name("dave"), None).await,
        erin: register(h, "erin", &unique_name("erin"), None).await,
    }
}

fn password_login(user: &User, device_id: &str) -> LoginRequest {
    let mut request = LoginRequest::new("m.login.password".to_owned());
    request.identifier = Some(UserIdentifierUserId::new(user.localpart.clone()).into());
    request.password = Some(user.password.clone());
    request.device_id = Some(device_id.to_owned());
    request.initial_device_display_name = Some(format!("{device_id} (e2e)"));
    request
}

/// Logs `user` in on another device; the returned user holds its token.
async fn login_device(h: &mut Harness, user: &User, device_id: &str) -> Option<User> {
    let response = h
        .call(
            None,
            password_login(user, device_id),
            "password login gives the asked device ID and a token whoami accepts",
        )
        .await?;
    assert_eq!(response.user_id, user.user_id);
    assert_eq!(response.device_id, device_id);
    Some(User {
        user_id: user.user_id.clone(),
        localpart: user.localpart.clone(),
        device_id: device_id.to_owned(),
        password: user.password.clone(),
        token: AccessToken::new(response.access_token),
    })
}

pub async fn run(h: &mut Harness, users: &Users) {
    let alice = &users.alice;
    let owner = h
        .call(
            Some(alice),
            GetTokenOwnerRequest::new(),
            "names the token's user and device",
        )
        .await;
    if let Some(owner) = owner {
        assert_eq!(owner.user_id, alice.user_id);
        assert_eq!(owner.device_id.as_deref(), Some(alice.device_id.as_str()));
    }

    let flows = h
        .call(
            None,
            GetLoginFlowsRequest::new(),
            "offers m.login.password, and m.login.token with get_login_token",
        )
        .await;
    if let Some(flows) = flows {
        let flows = flows.flows.unwrap_or_default();
        assert!(flows.iter().any(|flow| flow.type_ == "m.login.password"));
        assert!(
            flows
                .iter()
                .any(|flow| flow.type_ == "m.login.token" && flow.get_login_token == Some(true))
        );
    }

    devices(h, alice).await;
    refresh(h, alice).await;
    login_token(h, alice).await;
    profile_and_presence(h, users).await;
    third_party_ids(h, alice).await;

    let openid = h
        .call(
            Some(alice),
            RequestOpenIdTokenRequest::new(alice.user_id.clone(), Map::new()),
            "a Bearer token for this server",
        )
        .await;
    if let Some(openid) = openid {
        assert_eq!(openid.token_type, "Bearer");
        assert_eq!(openid.matrix_server_name, h.server_name);
    }

    let whois = h
        .call(
            Some(alice),
            GetWhoIsRequest::new(alice.user_id.clone()),
            "a user may look up their own sessions",
        )
        .await;
    if let Some(whois) = whois {
        assert_eq!(whois.user_id.as_deref(), Some(alice.user_id.as_str()));
    }
    h.call(
        Some(alice),
        GetAdminSuspendUserRequest::new(users.dave.user_id.clone()),
        "",
    )
    .await;
    h.call(
        Some(alice),
        SetAdminSuspendUserRequest::new(
            users.dave.user_id.clone(),
            SetAdminSuspendUserRequestBody::new(true),
        ),
        "",
    )
    .await;
    h.call(
        Some(alice),
        GetAdminLockUserRequest::new(users.dave.user_id.clone()),
        "",
    )
    .await;
    h.call(
        Some(alice),
        SetAdminLockUserRequest::new(
            users.dave.user_id.clone(),
            SetAdminLockUserRequestBody::new(true),
        ),
        "",
    )
    .await;

    let mut settings = SetAccountDataRequest::new(
        alice.user_id.clone(),
        "org.example.ops.settings".to_owned(),
        object(json!({"theme": "dark", "font_size": 14})),
    );
    settings
        .body
        .insert("nested".to_owned(), json!({"a": [1, 2]}));
    h.call(Some(alice), settings, "read back equal").await;
    let stored = h
        .call(
            Some(alice),
            GetAccountDataRequest::new(
                alice.user_id.clone(),
                "org.example.ops.settings".to_owned(),
            ),
            "equals what was set",
        )
        .await;
    if let Some(stored) = stored {
        assert_eq!(
            Value::Object(stored),
            json!({"theme": "dark", "font_size": 14, "nested": {"a": [1, 2]}})
        );
    }

    let validity = h
        .call(
            None,
            RegistrationTokenValidityRequest::new("no-such-token".to_owned()),
            "an unknown registration token is not valid",
        )
        .await;
    if let Some(validity) = validity {
        assert!(!validity.valid);
    }
}

async fn devices(h: &mut Harness, alice: &User) {
    let Some(phone) = login_device(h, alice, "ALICEPHONE").await else {
        return;
    };
    let devices = h
        .call(Some(alice), GetDevicesRequest::new(), "lists both devices")
        .await;
    if let Some(devices) = devices {
        let mut ids: Vec<String> = devices
            .devices
            .unwrap_or_default()
            .into_iter()
            .map(|device| device.device_id)
            .collect();
        ids.sort();
        assert_eq!(ids, [alice.device_id.clone(), phone.device_id.clone()]);
    }
    let mut rename = UpdateDeviceRequestBody::new();
    rename.display_name = Some("Alice's phone".to_owned());
    h.call(
        Some(alice),
        UpdateDeviceRequest::new(phone.device_id.clone(), rename),
        "the new name is read back",
    )
    .await;
    let device = h
        .call(
            Some(alice),
            GetDeviceRequest::new(phone.device_id.clone()),
            "has the new name",
        )
        .await;
    if let Some(device) = device {
        assert_eq!(device.display_name.as_deref(), Some("Alice's phone"));
    }

    let session = h
        .uia(
            Some(alice),
            DeleteDeviceRequest::new(phone.device_id.clone(), DeleteDeviceRequestBody::new()),
            "",
        )
        .await;
    let mut body = DeleteDeviceRequestBody::new();
    body.auth = Some(alice.password_auth(session));
    h.call(
        Some(alice),
        DeleteDeviceRequest::new(phone.device_id.clone(), body),
        "user-interactive auth by password, then the device is gone",
    )
    .await;

    for device_id in ["ALICETABLET", "ALICEWATCH"] {
        assert!(login_device(h, alice, device_id).await.is_some());
    }
    let ids = vec!["ALICETABLET".to_owned(), "ALICEWATCH".to_owned()];
    let session = h
        .uia(Some(alice), DeleteDevicesRequest::new(ids.clone()), "")
        .await;
    let mut request = DeleteDevicesRequest::new(ids);
    request.auth = Some(alice.password_auth(session));
    h.call(
        Some(alice),
        request,
        "user-interactive auth by password, then both devices are gone",
    )
    .await;
    let remaining = h.call(Some(alice), GetDevicesRequest::new(), "").await;
    if let Some(remaining) = remaining {
        let ids: Vec<String> = remaining
            .devices
            .unwrap_or_default()
            .into_iter()
            .map(|device| device.device_id)
            .collect();
        assert_eq!(ids, [alice.device_id.as_str()]);
    }
}

async fn refresh(h: &mut Harness, alice: &User) {
    let mut request = password_login(alice, "ALICEREFRESH");
    request.refresh_token = Some(true);
    let Some(login) = h.call(None, request, "").await else {
        return;
    };
    let refresh_token = login.refresh_token.expect("asked for a refresh token");
    let refreshed = h
        .call(
            None,
            RefreshRequest::new(refresh_token),
            "the new access token works (whoami), with a new refresh token",
        )
        .await;
    if let Some(refreshed) = refreshed {
        assert!(refreshed.refresh_token.is_some());
        let user = User {
            user_id: alice.user_id.clone(),
            localpart: alice.localpart.clone(),
            device_id: "ALICEREFRESH".to_owned(),
            password: alice.password.clone(),
            token: AccessToken::new(refreshed.access_token),
        };
        let owner = h.call(Some(&user), GetTokenOwnerRequest::new(), "").await;
        assert_eq!(
            owner.map(|owner| owner.device_id),
            Some(Some(user.device_id))
        );
    }
}

async fn login_token(h: &mut Harness, alice: &User) {
    let session = h
        .uia(Some(alice), GenerateLoginTokenRequest::new(), "")
        .await;
    let mut request = GenerateLoginTokenRequest::new();
    request.auth = Some(alice.password_auth(session));
    let Some(token) = h
        .call(
            Some(alice),
            request,
            "user-interactive auth by password; the token logs in a new device (m.login.token)",
        )
        .await
    else {
        return;
    };
    let mut login = LoginRequest::new("m.login.token".to_owned());
    login.token = Some(token.login_token);
    login.device_id = Some("ALICETOKEN".to_owned());
    let response = h.call(None, login, "").await;
    assert_eq!(
        response.map(|response| (response.user_id, response.device_id)),
        Some((alice.user_id.clone(), "ALICETOKEN".to_owned()))
    );
}

async fn profile_and_presence(h: &mut Harness, users: &Users) {
    let alice = &users.alice;
    let mut displayname = BTreeMap::new();
    displayname.insert("displayname".to_owned(), json!("Alice Example"));
    h.call(
        Some(alice),
        SetProfileFieldRequest::new(alice.user_id.clone(), "displayname".to_owned(), displayname),
        "read back by field and in the whole profile",
    )
    .await;
    let mut timezone = BTreeMap::new();
    timezone.insert("m.tz".to_owned(), json!("Europe/Berlin"));
    h.call(
        Some(alice),
        SetProfileFieldRequest::new(alice.user_id.clone(), "m.tz".to_owned(), timezone),
        "",
    )
    .await;
    let field = h
        .call(
            Some(&users.bob),
            GetProfileFieldRequest::new(alice.user_id.clone(), "displayname".to_owned()),
            "another user reads the display name set",
        )
        .await;
    if let Some(field) = field {
        assert_eq!(field.get("displayname"), Some(&json!("Alice Example")));
    }
    let profile = h
        .call(
            Some(&users.bob),
            GetUserProfileRequest::new(alice.user_id.clone()),
            "has the display name and time zone set",
        )
        .await;
    if let Some(profile) = profile {
        assert_eq!(profile.displayname.as_deref(), Some("Alice Example"));
        assert_eq!(profile.tz.as_deref(), Some("Europe/Berlin"));
    }
    h.call(
        Some(alice),
        DeleteProfileFieldRequest::new(alice.user_id.clone(), "m.tz".to_owned()),
        "the time zone is gone from the profile afterwards",
    )
    .await;
    let profile = h
        .call(
            Some(alice),
            GetUserProfileRequest::new(alice.user_id.clone()),
            "",
        )
        .await;
    if let Some(profile) = profile {
        assert_eq!(profile.tz, None);
    }

    let mut presence = SetPresenceRequestBody::new(Presence::Online);
    presence.status_msg = Some("testing every operation".to_owned());
    h.call(
        Some(alice),
        SetPresenceRequest::new(alice.user_id.clone(), presence),
        "read back with its status message",
    )
    .await;
    let status = h
        .call(
            Some(alice),
            GetPresenceRequest::new(alice.user_id.clone()),
            "online, with the status message set",
        )
        .await;
    if let Some(status) = status {
        assert_eq!(status.presence.to_string(), "online");
        assert_eq!(
            status.status_msg,
            Some(Some("testing every operation".to_owned()))
        );
    }
}

async fn third_party_ids(h: &mut Harness, alice: &User) {
    let threepids = h
        .call(
            Some(alice),
            GetAccount3pidsRequest::new(),
            "a new account has none",
        )
        .await;
    if let Some(threepids) = threepids {
        assert_eq!(threepids.threepids.map(|list| list.len()).unwrap_or(0), 0);
    }
    // An identity server on loopback that nothing listens on: Synapse
    // must not reach out, and cannot.
    let id_server = "127.0.0.1:9".to_owned();
    h.call(
        Some(alice),
        Post3pidsRequest::new(ThreePidCredentials::new(
            "client-secret".to_owned(),
            id_server.clone(),
            "id-access-token".to_owned(),
            "sid".to_owned(),
        )),
        "",
    )
    .await;
    let session = h
        .uia(
            Some(alice),
            Add3pidRequest::new("client-secret".to_owned(), "sid".to_owned()),
            "",
        )
        .await;
    let mut add = Add3pidRequest::new("client-secret".to_owned(), "sid".to_owned());
    add.auth = Some(alice.password_auth(session));
    h.call(Some(alice), add, "").await;
    h.call(
        Some(alice),
        Bind3pidRequest::new(
            "client-secret".to_owned(),
            id_server,
            "id-access-token".to_owned(),
            "sid".to_owned(),
        ),
        "",
    )
    .await;
    let deleted = h
        .call(
            Some(alice),
            Delete3pidFromAccountRequest::new(Medium::Email, "alice@example.org".to_owned()),
            "no identity server to unbind from: no-support",
        )
        .await;
    if let Some(deleted) = deleted {
        assert_eq!(deleted.id_server_unbind_result.to_string(), "no-support");
    }
    let unbound = h
        .call(
            Some(alice),
            Unbind3pidFromAccountRequest::new(Medium::Email, "alice@example.org".to_owned()),
            "no identity server to unbind from: no-support",
        )
        .await;
    if let Some(unbound) = unbound {
        assert_eq!(unbound.id_server_unbind_result.to_string(), "no-support");
    }
    let email = RequestEmailValidation::new(
        "client-secret".to_owned(),
        "alice@example.org".to_owned(),
        1,
    );
    let msisdn = RequestMsisdnValidation::new(
        "client-secret".to_owned(),
        "GB".to_owned(),
        "07700900123".to_owned(),
        1,
    );
    h.call(
        Some(alice),
        RequestTokenTo3pidEmailRequest::new(email.clone()),
        "",
    )
    .await;
    h.call(
        Some(alice),
        RequestTokenTo3pidMsisdnRequest::new(msisdn.clone()),
        "",
    )
    .await;
    h.call(
        None,
        RequestTokenToResetPasswordEmailRequest::new(email.clone()),
        "",
    )
    .await;
    h.call(
        None,
        RequestTokenToResetPasswordMsisdnRequest::new(msisdn.clone()),
        "",
    )
    .await;
    h.call(None, RequestTokenToRegisterEmailRequest::new(email), "")
        .await;
    h.call(None, RequestTokenToRegisterMsisdnRequest::new(msisdn), "")
        .await;
}

/// The operations that end sessions and accounts.
pub async fn finish(h: &mut Harness, users: Users) {
    let dave = &users.dave;
    let session = h
        .uia(
            Some(dave),
            ChangePasswordRequest::new("dave's new password".to_owned()),
            "",
        )
        .await;
    let mut change = ChangePasswordRequest::new("dave's new password".to_owned());
    change.logout_devices = Some(false);
    change.auth = Some(dave.password_auth(session));
    h.call(
        Some(dave),
        change,
        "user-interactive auth by the old password; the new one logs in",
    )
    .await;
    let dave = User {
        password: "dave's new password".to_owned(),
        ..users.dave
    };
    let Some(second) = login_device(h, &dave, "DAVESECOND").await else {
        return;
    };
    h.call(
        Some(&second),
        LogoutRequest::new(),
        "the token is refused afterwards",
    )
    .await;
    h.expect_error(
        Some(&second),
        GetTokenOwnerRequest::new(),
        401,
        "M_UNKNOWN_TOKEN",
        "a logged-out token is refused",
    )
    .await;
    h.call(
        Some(&dave),
        LogoutAllRequest::new(),
        "the first device's token is refused afterwards too",
    )
    .await;
    h.expect_error(
        Some(&dave),
        GetTokenOwnerRequest::new(),
        401,
        "M_UNKNOWN_TOKEN",
        "",
    )
    .await;

    let erin = &users.erin;
    let session = h.uia(Some(erin), DeactivateAccountRequest::new(), "").await;
    let mut request = DeactivateAccountRequest::new();
    request.auth = Some(erin.password_auth(session));
    let deactivated = h
        .call(
            Some(erin),
            request,
            "user-interactive auth by password; the token dies, the name stays taken",
        )
        .await;
    if let Some(deactivated) = deactivated {
        assert_eq!(deactivated.id_server_unbind_result.to_string(), "success");
    }
    h.expect_error(
        Some(erin),
        GetTokenOwnerRequest::new(),
        401,
        "M_UNKNOWN_TOKEN",
        "",
    )
    .await;
    h.expect_error(
        None,
        CheckUsernameAvailabilityRequest::new(erin.localpart.clone()),
        400,
        "M_USER_IN_USE",
        "a deactivated user's name stays taken",
    )
    .await;
}
