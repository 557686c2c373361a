//! Signed JSON survives the generated types.
//!
//! End-to-end encryption signs JSON objects (device keys, one-time and
//! fallback keys, cross-signing keys) over their canonical form
//! ([Signing JSON](https://spec.matrix.org/v1.19/appendices/#signing-json)):
//! keys sorted, no whitespace, without `signatures` and `unsigned`. A client
//! that drops one key it does not know, say a fallback key's
//! `"fallback": true` or a vendor's field, breaks the signature. Here real
//! ed25519 signatures are made over canonical JSON, the signed objects go
//! through the generated request and response types (over the sans-IO
//! `Endpoint` conversions), and the signatures are verified on what comes
//! out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use bytes::Bytes;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use matrix_csapi::keys::{ClaimKeysRequest, QueryKeysRequest, UploadKeysRequest};
use matrix_csapi::runtime::{AccessToken, BaseUrl, Endpoint};
use serde_json::{Map, Value, json};

const USER: &str = "@alice:example.org";
const DEVICE: &str = "JLAFKJWSCS";

fn key_id() -> String {
    format!("ed25519:{DEVICE}")
}

fn device_key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

/// Canonical JSON as the spec defines it: object keys sorted by code
/// point, no insignificant whitespace, shortest escapes (serde_json's).
/// Sorted here explicitly: the workspace build of serde_json keeps
/// insertion order (`preserve_order`).
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(key, value)| format!("{}:{}", Value::String(key.clone()), canonical(value)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

/// What is signed: the object without `signatures` and `unsigned`.
fn signed_bytes(object: &Value) -> String {
    let mut object = object.as_object().unwrap().clone();
    object.remove("signatures");
    object.remove("unsigned");
    canonical(&Value::Object(object))
}

fn sign(mut object: Value, key: &SigningKey) -> Value {
    let signature = key.sign(signed_bytes(&object).as_bytes());
    object.as_object_mut().unwrap().insert(
        "signatures".to_owned(),
        json!({ USER: { key_id(): STANDARD_NO_PAD.encode(signature.to_bytes()) } }),
    );
    object
}

fn verify(object: &Value, key: &VerifyingKey) -> Result<(), String> {
    let encoded = object["signatures"][USER][key_id()]
        .as_str()
        .ok_or_else(|| format!("no signature by {USER} {} in {object}", key_id()))?;
    let bytes: [u8; 64] = STANDARD_NO_PAD
        .decode(encoded)
        .map_err(|e| e.to_string())?
        .try_into()
        .map_err(|_| "a signature is 64 bytes".to_owned())?;
    key.verify(
        signed_bytes(object).as_bytes(),
        &Signature::from_bytes(&bytes),
    )
    .map_err(|error| format!("{error}: {}", signed_bytes(object)))
}

fn public_key_base64() -> String {
    STANDARD_NO_PAD.encode(device_key().verifying_key().to_bytes())
}

/// Device keys with a key the spec does not name, and `unsigned` (which is
/// not signed) beside them.
fn signed_device_keys() -> Value {
    sign(
        json!({
            "user_id": USER,
            "device_id": DEVICE,
            "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
            "keys": {
                "curve25519:JLAFKJWSCS": "3C5BFWi2Y8MaVvjM8M22DBmh24PmgR0nPvJOIArzgyI",
                key_id(): public_key_base64(),
            },
            "org.example.device_flags": {"nested": [1, "two", null, true, {"é": "\u{1F600}"}]},
        }),
        &device_key(),
    )
}

fn signed_fallback_key() -> Value {
    sign(
        json!({
            "key": "zKbLg+NrIjpnagy+pIY6uPL4ZwEG2v+8F9lmgsnlZzs",
            "fallback": true,
            "org.example.key_note": "kept",
        }),
        &device_key(),
    )
}

fn signed_master_key() -> Value {
    sign(
        json!({
            "user_id": USER,
            "usage": ["master"],
            "keys": {"ed25519:nqOvzeuGWT/sRx3h7+MHoInYCVd2ZtkZKrU6Nt2EDVw": "nqOvzeuGWT/sRx3h7+MHoInYCVd2ZtkZKrU6Nt2EDVw"},
            "org.example.extra": 1,
        }),
        &device_key(),
    )
}

fn response(body: &Value) -> matrix_csapi::runtime::http::Response<Bytes> {
    matrix_csapi::runtime::http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Bytes::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

#[test]
fn the_test_signatures_verify_and_catch_a_dropped_key() {
    let public = device_key().verifying_key();
    for object in [
        signed_device_keys(),
        signed_fallback_key(),
        signed_master_key(),
    ] {
        verify(&object, &public).unwrap();
        // Without this check the others could pass vacuously: dropping any
        // signed key breaks the signature.
        for key in object.as_object().unwrap().keys() {
            if key == "signatures" {
                continue;
            }
            let mut dropped = object.clone();
            dropped.as_object_mut().unwrap().remove(key);
            assert!(verify(&dropped, &public).is_err(), "dropping {key}");
        }
    }
}

#[test]
fn queried_device_and_cross_signing_keys_keep_their_signatures() {
    let body = json!({
        "failures": {},
        "device_keys": { USER: { DEVICE: signed_device_keys() } },
        "master_keys": { USER: signed_master_key() },
    });
    let typed = QueryKeysRequest::try_from_http_response(response(&body)).unwrap();
    let again = serde_json::to_value(&typed).unwrap();
    assert_eq!(again, body, "every key survives");
    let public = device_key().verifying_key();
    verify(&again["device_keys"][USER][DEVICE], &public).unwrap();
    verify(&again["master_keys"][USER], &public).unwrap();
    let device = &typed.device_keys.as_ref().unwrap()[USER][DEVICE];
    assert_eq!(
        device.additional_properties["org.example.device_flags"],
        body["device_keys"][USER][DEVICE]["org.example.device_flags"]
    );
}

#[test]
fn a_claimed_fallback_key_keeps_its_flag_and_signature() {
    let body = json!({
        "failures": {},
        "one_time_keys": { USER: { DEVICE: { "signed_curve25519:AAAAHg": signed_fallback_key() } } },
    });
    let typed = ClaimKeysRequest::try_from_http_response(response(&body)).unwrap();
    let again = serde_json::to_value(&typed).unwrap();
    assert_eq!(again, body, "every key survives");
    verify(
        &again["one_time_keys"][USER][DEVICE]["signed_curve25519:AAAAHg"],
        &device_key().verifying_key(),
    )
    .unwrap();
}

#[test]
fn uploaded_keys_are_sent_as_signed() {
    let request: UploadKeysRequest = serde_json::from_value(json!({
        "device_keys": signed_device_keys(),
        "fallback_keys": { "signed_curve25519:AAAAGj": signed_fallback_key() },
    }))
    .unwrap();
    let http = request
        .try_into_http_request(
            &BaseUrl::parse("https://example.org").unwrap(),
            Some(&AccessToken::new("token")),
        )
        .unwrap();
    let sent: Map<String, Value> = serde_json::from_slice(http.body()).unwrap();
    let public = device_key().verifying_key();
    verify(&sent["device_keys"], &public).unwrap();
    verify(&sent["fallback_keys"]["signed_curve25519:AAAAGj"], &public).unwrap();
    assert_eq!(
        sent["fallback_keys"]["signed_curve25519:AAAAGj"]["fallback"],
        true
    );
}
