//! What the server says about itself: versions, discovery, capabilities,
//! VoIP, third-party protocols, appservice-only and SSO operations.

use std::collections::BTreeMap;

use matrix_csapi::appservice_ping::{PingAppserviceRequest, PingAppserviceRequestBody};
use matrix_csapi::appservice_room_directory::{
    UpdateAppserviceRoomDirectoryVisibilityRequest,
    UpdateAppserviceRoomDirectoryVisibilityRequestBody,
};
use matrix_csapi::capabilities::GetCapabilitiesRequest;
use matrix_csapi::oauth_server_metadata::GetAuthMetadataRequest;
use matrix_csapi::policy_server::GetWellknownPolicyRequest;
use matrix_csapi::sso_login_redirect::{RedirectToIdpRequest, RedirectToSsoRequest};
use matrix_csapi::support::GetWellknownSupportRequest;
use matrix_csapi::third_party_lookup::{
    GetProtocolMetadataRequest, GetProtocolsRequest, QueryLocationByAliasRequest,
    QueryLocationByProtocolRequest, QueryUserByIdRequest, QueryUserByProtocolRequest,
};
use matrix_csapi::types::Visibility;
use matrix_csapi::versions::GetVersionsRequest;
use matrix_csapi::voip::GetTurnServerRequest;
use matrix_csapi::wellknown::GetWellknownRequest;

use super::account::Users;
use super::harness::Harness;

pub async fn run(h: &mut Harness, users: &Users) {
    let alice = &users.alice;
    let versions = h
        .call(
            None,
            GetVersionsRequest::new(),
            "lists v1.1 and later, and unstable features",
        )
        .await;
    if let Some(versions) = versions {
        assert!(versions.versions.iter().any(|version| version == "v1.1"));
        assert!(versions.unstable_features.is_some());
    }
    let wellknown = h
        .call(
            None,
            GetWellknownRequest::new(),
            "m.homeserver's base_url is this server",
        )
        .await;
    if let Some(wellknown) = wellknown {
        assert!(
            wellknown
                .homeserver
                .base_url
                .starts_with("http://127.0.0.1:"),
            "{}",
            wellknown.homeserver.base_url
        );
    }
    // Synapse serves neither document: the documented 404 is the answer.
    h.call_or_documented_error(None, GetWellknownSupportRequest::new(), "")
        .await;
    h.call_or_documented_error(None, GetWellknownPolicyRequest::new(), "")
        .await;
    h.call(None, GetAuthMetadataRequest::new(), "").await;
    let capabilities = h
        .call(
            Some(alice),
            GetCapabilitiesRequest::new(),
            "password change is enabled",
        )
        .await;
    if let Some(capabilities) = capabilities {
        let capabilities = capabilities.capabilities;
        assert_eq!(capabilities.change_password.map(|c| c.enabled), Some(true));
    }
    h.call(Some(alice), GetTurnServerRequest::new(), "").await;

    let protocols = h
        .call(
            Some(alice),
            GetProtocolsRequest::new(),
            "no bridges: no protocols",
        )
        .await;
    if let Some(protocols) = protocols {
        assert!(protocols.is_empty());
    }
    // No bridge is registered: the documented 404 is the answer.
    h.call_or_documented_error(
        Some(alice),
        GetProtocolMetadataRequest::new("irc".to_owned()),
        "",
    )
    .await;
    let mut fields = BTreeMap::new();
    fields.insert("network".to_owned(), "libera".to_owned());
    let mut request = QueryLocationByProtocolRequest::new("irc".to_owned());
    request.fields = fields.clone();
    let locations = h
        .call(Some(alice), request, "no bridges: no locations")
        .await;
    assert_eq!(locations.map(|l| l.len()), Some(0));
    let mut request = QueryUserByProtocolRequest::new("irc".to_owned());
    request.fields = fields;
    let users_found = h.call(Some(alice), request, "no bridges: no users").await;
    assert_eq!(users_found.map(|u| u.len()), Some(0));
    let locations = h
        .call(
            Some(alice),
            QueryLocationByAliasRequest::new("#irc_#matrix:localhost".parse().unwrap()),
            "no bridges: no locations",
        )
        .await;
    assert_eq!(locations.map(|l| l.len()), Some(0));
    let users_found = h
        .call(
            Some(alice),
            QueryUserByIdRequest::new("@irc_someone:localhost".parse().unwrap()),
            "no bridges: no users",
        )
        .await;
    assert_eq!(users_found.map(|u| u.len()), Some(0));

    h.call(
        Some(alice),
        PingAppserviceRequest::new("bridge".to_owned(), PingAppserviceRequestBody::new()),
        "",
    )
    .await;
    h.call(
        Some(alice),
        UpdateAppserviceRoomDirectoryVisibilityRequest::new(
            "libera".to_owned(),
            "!unknown:localhost".parse().unwrap(),
            UpdateAppserviceRoomDirectoryVisibilityRequestBody::new(Visibility::Public),
        ),
        "",
    )
    .await;
    h.call(
        None,
        RedirectToSsoRequest::new("http://127.0.0.1:9/after-login".to_owned()),
        "",
    )
    .await;
    h.call(
        None,
        RedirectToIdpRequest::new(
            "oidc".to_owned(),
            "http://127.0.0.1:9/after-login".to_owned(),
        ),
        "",
    )
    .await;
}
