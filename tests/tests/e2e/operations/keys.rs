//! End-to-end encryption keys: real ed25519 device, one-time, fallback and
//! cross-signing keys signed over canonical JSON, signatures checked after
//! the typed round trip, key backup, to-device messages and key changes.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use matrix_csapi::cross_signing::{
    UploadCrossSigningKeysRequest, UploadCrossSigningSignaturesRequest,
};
use matrix_csapi::events::AnyToDeviceEventContent;
use matrix_csapi::key_backup::{
    Algorithm, DeleteRoomKeyBySessionIdRequest, DeleteRoomKeysByRoomIdRequest,
    DeleteRoomKeysRequest, DeleteRoomKeysVersionRequest, GetRoomKeyBySessionIdRequest,
    GetRoomKeysByRoomIdRequest, GetRoomKeysRequest, GetRoomKeysVersionCurrentRequest,
    GetRoomKeysVersionRequest, PostRoomKeysVersionRequest, PutRoomKeyBySessionIdRequest,
    PutRoomKeysByRoomIdRequest, PutRoomKeysRequest, PutRoomKeysRequestBody,
    PutRoomKeysVersionRequest, PutRoomKeysVersionRequestBody,
};
use matrix_csapi::keys::{
    ClaimKeysRequest, GetKeysChangesRequest, QueryKeysRequest, UploadKeysRequest,
};
use matrix_csapi::to_device::{SendToDeviceRequest, SendToDeviceRequestBody};
use matrix_csapi::types::{KeyBackupData, RoomKeyBackup};
use serde_json::{Value, json};

use super::account::{Users, object};
use super::harness::{Harness, User};
use super::rooms::Rooms;
use super::sync::sync;

const BACKUP_ALGORITHM: &str = "m.megolm_backup.v1.curve25519-aes-sha2";

/// An ed25519 key pair derived from a name: deterministic test keys, not
/// secret, so every run signs the same way.
pub struct Ed25519Key(SigningKey);

impl Ed25519Key {
    pub fn from_name(name: &str) -> Self {
        let mut seed = [0u8; 32];
        for (byte, value) in seed.iter_mut().zip(name.bytes().cycle()) {
            *byte = value;
        }
        Self(SigningKey::from_bytes(&seed))
    }

    /// The public key, unpadded base64 (also the key's ID for
    /// cross-signing keys).
    pub fn public(&self) -> String {
        STANDARD_NO_PAD.encode(self.0.verifying_key().as_bytes())
    }

    /// Adds this key's signature of `object` (its canonical JSON without
    /// `signatures` and `unsigned`) under `signatures.<user_id>.<key_id>`.
    pub fn sign(&self, object: &mut Value, user_id: &str, key_id: &str) {
        let signature =
            STANDARD_NO_PAD.encode(self.0.sign(signed_bytes(object).as_bytes()).to_bytes());
        object["signatures"][user_id][key_id] = json!(signature);
    }
}

/// Whether `object` carries a valid signature by `public` under
/// `signatures.<user_id>.<key_id>`.
pub fn verifies(object: &Value, user_id: &str, key_id: &str, public: &str) -> bool {
    let Some(signature) = object["signatures"][user_id][key_id].as_str() else {
        return false;
    };
    let (Ok(public), Ok(signature)) = (
        STANDARD_NO_PAD.decode(public),
        STANDARD_NO_PAD.decode(signature),
    ) else {
        return false;
    };
    let (Ok(public), Ok(signature)) = (
        <[u8; 32]>::try_from(public.as_slice()),
        <[u8; 64]>::try_from(signature.as_slice()),
    ) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&public) else {
        return false;
    };
    key.verify(
        signed_bytes(object).as_bytes(),
        &Signature::from_bytes(&signature),
    )
    .is_ok()
}

/// The canonical JSON that a signature covers: the object without
/// `signatures` and `unsigned`, keys sorted, no whitespace.
fn signed_bytes(object: &Value) -> String {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("signatures");
        map.remove("unsigned");
    }
    let mut out = String::new();
    canonical(&object, &mut out);
    out
}

fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (n, key) in keys.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// A stand-in curve25519 public key (the server does not check them).
fn curve_key(name: &str) -> String {
    Ed25519Key::from_name(name).public()
}

fn typed<T: matrix_csapi_runtime::serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("typed values serialize")
}

fn untyped<T: matrix_csapi_runtime::serde::de::DeserializeOwned>(value: &Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|error| panic!("{error}: {value}"))
}

pub async fn run(h: &mut Harness, users: &Users, rooms: &Rooms) {
    let (alice, bob) = (&users.alice, &users.bob);
    let before = sync(h, bob, None, None, "").await.map(|s| s.next_batch);
    let device = Ed25519Key::from_name("alice's device key");
    let device_key_id = format!("ed25519:{}", alice.device_id);

    let device_keys = device_and_one_time_keys(h, alice, &device).await;
    claim_and_query(h, users, &device, &device_keys).await;
    cross_signing(h, alice, &device, &device_keys).await;

    let after = sync(
        h,
        bob,
        before.clone(),
        None,
        "an incremental sync shows alice's device list change and alice's to-device message",
    )
    .await;
    if let Some(after) = &after {
        let changed = after
            .device_lists
            .as_ref()
            .and_then(|lists| lists.changed.as_ref());
        assert!(
            changed.is_some_and(|changed| changed.contains(&alice.user_id)),
            "{changed:?}"
        );
    }
    if let (Some(from), Some(to)) = (before, after.map(|after| after.next_batch)) {
        let changes = h
            .call(
                Some(bob),
                GetKeysChangesRequest::new(from, to.clone()),
                "alice, whose keys changed between the two syncs",
            )
            .await;
        if let Some(changes) = changes {
            assert_eq!(changes.changed, Some(vec![alice.user_id.clone()]));
        }
        to_device(h, users, to).await;
    }
    key_backup(h, alice, &device, &device_key_id, rooms).await;
}

/// Uploads signed device keys, a one-time key and a fallback key; the
/// device keys as signed.
async fn device_and_one_time_keys(h: &mut Harness, alice: &User, device: &Ed25519Key) -> Value {
    let device_key_id = format!("ed25519:{}", alice.device_id);
    let mut device_keys = json!({
        "user_id": alice.user_id,
        "device_id": alice.device_id,
        "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        "keys": {
            format!("curve25519:{}", alice.device_id): curve_key("alice's identity key"),
            device_key_id.clone(): device.public(),
        },
    });
    device.sign(&mut device_keys, &alice.user_id, &device_key_id);
    let mut one_time = json!({"key": curve_key("alice's one-time key")});
    device.sign(&mut one_time, &alice.user_id, &device_key_id);
    let mut fallback = json!({"key": curve_key("alice's fallback key"), "fallback": true});
    device.sign(&mut fallback, &alice.user_id, &device_key_id);
    let intended = json!({
        "device_keys": device_keys,
        "one_time_keys": {"signed_curve25519:AAAAAQ": one_time},
        "fallback_keys": {"signed_curve25519:AAAAAg": fallback},
    });
    let mut request = UploadKeysRequest::new();
    request.device_keys = Some(untyped(&intended["device_keys"]));
    request.one_time_keys = Some(untyped(&intended["one_time_keys"]));
    request.fallback_keys = Some(untyped(&intended["fallback_keys"]));
    let counts = h
        .call_sending(
            Some(alice),
            request,
            &intended,
            "the signed device keys, one-time key and fallback key are sent as signed; one key counted",
        )
        .await;
    if let Some(counts) = counts {
        assert_eq!(
            counts.one_time_key_counts.get("signed_curve25519"),
            Some(&1)
        );
    }
    device_keys
}

/// Bob claims alice's one-time key, then (all used) her fallback key, and
/// queries her device keys; every signature must verify on the typed value.
async fn claim_and_query(h: &mut Harness, users: &Users, device: &Ed25519Key, device_keys: &Value) {
    let (alice, bob) = (&users.alice, &users.bob);
    let device_key_id = format!("ed25519:{}", alice.device_id);
    for expected in ["signed_curve25519:AAAAAQ", "signed_curve25519:AAAAAg"] {
        let mut wanted = BTreeMap::new();
        wanted.insert(
            alice.user_id.clone(),
            BTreeMap::from([(alice.device_id.clone(), "signed_curve25519".to_owned())]),
        );
        let claimed = h
            .call(
                Some(bob),
                ClaimKeysRequest::new(wanted),
                "the one-time key, then the fallback key; each signature verifies on the typed value",
            )
            .await;
        let Some(claimed) = claimed else { continue };
        let raw = h.last_raw.take().unwrap_or_default();
        let keys = &claimed.one_time_keys[&alice.user_id][&alice.device_id];
        assert_eq!(keys.keys().collect::<Vec<_>>(), [expected]);
        let raw_key = &raw["one_time_keys"][alice.user_id.as_str()][&alice.device_id][expected];
        if !verifies(raw_key, &alice.user_id, &device_key_id, &device.public()) {
            h.fail(
                "uploadKeys",
                format!("the key {expected} as the server returns it no longer verifies: the upload changed the signed object"),
            );
        } else if !verifies(
            &typed(&keys[expected]),
            &alice.user_id,
            &device_key_id,
            &device.public(),
        ) {
            h.fail(
                "claimKeys",
                format!("the claimed key {expected} verifies as received, but not after the typed round trip"),
            );
        }
    }

    let mut wanted = BTreeMap::new();
    wanted.insert(alice.user_id.clone(), Vec::new());
    let queried = h
        .call(
            Some(bob),
            QueryKeysRequest::new(wanted),
            "alice's device keys as uploaded; the device signature verifies on the typed value",
        )
        .await;
    if let Some(queried) = queried {
        let keys = &queried.device_keys.expect("device keys")[&alice.user_id][&alice.device_id];
        let keys = typed(keys);
        assert_eq!(keys["keys"], device_keys["keys"]);
        if !verifies(&keys, &alice.user_id, &device_key_id, &device.public()) {
            h.fail(
                "queryKeys",
                "the device keys' signature does not verify after the typed round trip",
            );
        }
    }
}

fn cross_signing_key(user_id: &str, usage: &str, key: &Ed25519Key) -> Value {
    json!({
        "user_id": user_id,
        "usage": [usage],
        "keys": {format!("ed25519:{}", key.public()): key.public()},
    })
}

/// Uploads cross-signing keys, resets them (user-interactive auth), signs
/// the device with the self-signing key, and checks what a query returns.
async fn cross_signing(h: &mut Harness, alice: &User, device: &Ed25519Key, device_keys: &Value) {
    let device_key_id = format!("ed25519:{}", alice.device_id);
    let keys = |generation: &str| -> (Ed25519Key, Ed25519Key, Value) {
        let master = Ed25519Key::from_name(&format!("alice master {generation}"));
        let self_signing = Ed25519Key::from_name(&format!("alice self-signing {generation}"));
        let user_signing = Ed25519Key::from_name(&format!("alice user-signing {generation}"));
        let master_id = format!("ed25519:{}", master.public());
        let mut master_key = cross_signing_key(&alice.user_id, "master", &master);
        device.sign(&mut master_key, &alice.user_id, &device_key_id);
        let mut self_signing_key = cross_signing_key(&alice.user_id, "self_signing", &self_signing);
        master.sign(&mut self_signing_key, &alice.user_id, &master_id);
        let mut user_signing_key = cross_signing_key(&alice.user_id, "user_signing", &user_signing);
        master.sign(&mut user_signing_key, &alice.user_id, &master_id);
        let body = json!({
            "master_key": master_key,
            "self_signing_key": self_signing_key,
            "user_signing_key": user_signing_key,
        });
        (master, self_signing, body)
    };
    let request_for = |body: &Value| {
        let mut request = UploadCrossSigningKeysRequest::new();
        request.master_key = Some(untyped(&body["master_key"]));
        request.self_signing_key = Some(untyped(&body["self_signing_key"]));
        request.user_signing_key = Some(untyped(&body["user_signing_key"]));
        request
    };

    let (_, _, first) = keys("1");
    h.call_sending(
        Some(alice),
        request_for(&first),
        &first,
        "first upload without auth; replacing the keys needs user-interactive auth; a query returns them with verifying signatures",
    )
    .await;

    let (master, self_signing, second) = keys("2");
    let session = h.uia(Some(alice), request_for(&second), "").await;
    let mut request = request_for(&second);
    let auth = alice.password_auth(session);
    request.auth = Some(auth.clone());
    let mut intended = second.clone();
    intended["auth"] = typed(&auth);
    h.call_sending(Some(alice), request, &intended, "").await;

    let self_signing_id = format!("ed25519:{}", self_signing.public());
    let mut signed_device = device_keys.clone();
    signed_device["signatures"] = json!({});
    self_signing.sign(&mut signed_device, &alice.user_id, &self_signing_id);
    let intended = json!({alice.user_id.clone(): {alice.device_id.clone(): signed_device}});
    let response = h
        .call_sending(
            Some(alice),
            UploadCrossSigningSignaturesRequest::new(untyped(&intended)),
            &intended,
            "the self-signing key's signature of the device is accepted and then queried",
        )
        .await;
    if let Some(response) = response {
        assert!(response.failures.unwrap_or_default().is_empty());
    }

    let mut wanted = BTreeMap::new();
    wanted.insert(alice.user_id.clone(), Vec::new());
    let queried = h.call(Some(alice), QueryKeysRequest::new(wanted), "").await;
    let Some(queried) = queried else { return };
    let master_id = format!("ed25519:{}", master.public());
    let checks = [
        (
            queried
                .master_keys
                .as_ref()
                .and_then(|keys| keys.get(&alice.user_id))
                .map(typed),
            device_key_id.clone(),
            device.public(),
            "master key (signed by the device)",
        ),
        (
            queried
                .self_signing_keys
                .as_ref()
                .and_then(|keys| keys.get(&alice.user_id))
                .map(typed),
            master_id.clone(),
            master.public(),
            "self-signing key (signed by the master key)",
        ),
        (
            queried
                .user_signing_keys
                .as_ref()
                .and_then(|keys| keys.get(&alice.user_id))
                .map(typed),
            master_id,
            master.public(),
            "user-signing key (signed by the master key)",
        ),
        (
            queried
                .device_keys
                .as_ref()
                .and_then(|keys| keys.get(&alice.user_id))
                .and_then(|devices| devices.get(&alice.device_id))
                .map(typed),
            self_signing_id,
            self_signing.public(),
            "device keys (signed by the self-signing key)",
        ),
    ];
    for (key, key_id, public, what) in checks {
        match key {
            Some(key) if verifies(&key, &alice.user_id, &key_id, &public) => {}
            Some(_) => h.fail(
                "queryKeys",
                format!("the {what}: the signature does not verify after the typed round trip"),
            ),
            None => h.fail("queryKeys", format!("the {what} is missing")),
        }
    }
}

/// Alice sends bob's device a to-device message; bob's next sync has it.
async fn to_device(h: &mut Harness, users: &Users, since: String) {
    let (alice, bob) = (&users.alice, &users.bob);
    let mut messages = BTreeMap::new();
    messages.insert(
        bob.user_id.clone(),
        BTreeMap::from([(
            bob.device_id.clone(),
            object(json!({"ping": 1, "note": "hello device"})),
        )]),
    );
    h.call(
        Some(alice),
        SendToDeviceRequest::new(
            "org.example.ops.ping".to_owned(),
            super::rooms::txn(),
            SendToDeviceRequestBody::new(messages),
        ),
        "bob's next sync delivers it to his device with alice as sender",
    )
    .await;
    let next = sync(h, bob, Some(since), None, "").await;
    if let Some(next) = next {
        // Typed by spec/overlays/spec-gaps/sync-to-device.yaml: an
        // unknown event type is `Other`, kept whole.
        let events = next
            .to_device
            .and_then(|to_device| to_device.events)
            .unwrap_or_default();
        assert!(
            events.iter().any(|raw| {
                let event = raw.deserialize().expect("a to-device event");
                let AnyToDeviceEventContent::Other {
                    event_type,
                    content,
                } = &event.content
                else {
                    return false;
                };
                event_type == "org.example.ops.ping"
                    && event.sender == alice.user_id
                    && content.get("note") == Some(&json!("hello device"))
            }),
            "{events:?}"
        );
    }
}

fn backup_session(name: &str) -> KeyBackupData {
    KeyBackupData::new(
        0,
        0,
        false,
        object(json!({
            "ephemeral": curve_key(&format!("{name} ephemeral")),
            "ciphertext": STANDARD_NO_PAD.encode(format!("ciphertext of {name}")),
            "mac": STANDARD_NO_PAD.encode(&name.as_bytes()[..8.min(name.len())]),
        })),
    )
}

async fn key_backup(
    h: &mut Harness,
    alice: &User,
    device: &Ed25519Key,
    device_key_id: &str,
    rooms: &Rooms,
) {
    let mut auth_data = json!({"public_key": curve_key("alice's backup key")});
    device.sign(&mut auth_data, &alice.user_id, device_key_id);
    let created = h
        .call(
            Some(alice),
            PostRoomKeysVersionRequest::new(
                Algorithm::MMegolmBackupV1Curve25519AesSha2,
                object(auth_data.clone()),
            ),
            "a new backup version, read back with its signed auth data",
        )
        .await;
    let Some(version) = created.map(|created| created.version) else {
        return;
    };
    let current = h
        .call(
            Some(alice),
            GetRoomKeysVersionCurrentRequest::new(),
            "the version just made, with its algorithm",
        )
        .await;
    if let Some(current) = current {
        assert_eq!(current.version, version);
        assert_eq!(current.algorithm.to_string(), BACKUP_ALGORITHM);
    }
    let by_version = h
        .call(
            Some(alice),
            GetRoomKeysVersionRequest::new(version.clone()),
            "the auth data's signature verifies on the typed value",
        )
        .await;
    if let Some(by_version) = by_version {
        let auth_data = Value::Object(by_version.auth_data);
        if !verifies(&auth_data, &alice.user_id, device_key_id, &device.public()) {
            h.fail(
                "getRoomKeysVersion",
                "the auth data's signature does not verify after the typed round trip",
            );
        }
    }

    let lobby = rooms.lobby.clone();
    let updated = h
        .call(
            Some(alice),
            PutRoomKeyBySessionIdRequest::new(
                version.clone(),
                lobby.clone(),
                "session-a".to_owned(),
                backup_session("session-a"),
            ),
            "one key stored",
        )
        .await;
    assert_eq!(updated.map(|u| u.count), Some(1));
    let stored = h
        .call(
            Some(alice),
            GetRoomKeyBySessionIdRequest::new(
                version.clone(),
                lobby.clone(),
                "session-a".to_owned(),
            ),
            "equals the key stored",
        )
        .await;
    if let Some(stored) = stored {
        assert_eq!(stored, backup_session("session-a"));
    }
    let room_keys = RoomKeyBackup::new(BTreeMap::from([(
        "session-b".to_owned(),
        backup_session("session-b"),
    )]));
    let updated = h
        .call(
            Some(alice),
            PutRoomKeysByRoomIdRequest::new(version.clone(), lobby.clone(), room_keys),
            "two keys stored",
        )
        .await;
    assert_eq!(updated.map(|u| u.count), Some(2));
    let in_room = h
        .call(
            Some(alice),
            GetRoomKeysByRoomIdRequest::new(version.clone(), lobby.clone()),
            "both sessions of the room",
        )
        .await;
    if let Some(in_room) = in_room {
        assert_eq!(
            in_room.sessions.keys().collect::<Vec<_>>(),
            ["session-a", "session-b"]
        );
    }
    let all = PutRoomKeysRequestBody::new(BTreeMap::from([(
        rooms.team.clone(),
        RoomKeyBackup::new(BTreeMap::from([(
            "session-c".to_owned(),
            backup_session("session-c"),
        )])),
    )]));
    let updated = h
        .call(
            Some(alice),
            PutRoomKeysRequest::new(version.clone(), all),
            "three keys stored",
        )
        .await;
    assert_eq!(updated.map(|u| u.count), Some(3));
    let everything = h
        .call(
            Some(alice),
            GetRoomKeysRequest::new(version.clone()),
            "both rooms' sessions",
        )
        .await;
    if let Some(everything) = everything {
        let mut expected = vec![&lobby, &rooms.team];
        expected.sort();
        assert_eq!(everything.rooms.keys().collect::<Vec<_>>(), expected);
    }

    let mut new_auth_data =
        json!({"public_key": curve_key("alice's backup key"), "note": "re-signed"});
    device.sign(&mut new_auth_data, &alice.user_id, device_key_id);
    let mut body = PutRoomKeysVersionRequestBody::new(
        Algorithm::MMegolmBackupV1Curve25519AesSha2,
        object(new_auth_data.clone()),
    );
    body.version = Some(version.clone());
    h.call(
        Some(alice),
        PutRoomKeysVersionRequest::new(version.clone(), body),
        "the new auth data is read back",
    )
    .await;
    let by_version = h
        .call(
            Some(alice),
            GetRoomKeysVersionRequest::new(version.clone()),
            "",
        )
        .await;
    if let Some(by_version) = by_version {
        assert_eq!(Value::Object(by_version.auth_data), new_auth_data);
        assert_eq!(by_version.count, 3);
    }

    let updated = h
        .call(
            Some(alice),
            DeleteRoomKeyBySessionIdRequest::new(
                version.clone(),
                lobby.clone(),
                "session-a".to_owned(),
            ),
            "two keys left",
        )
        .await;
    assert_eq!(updated.map(|u| u.count), Some(2));
    let updated = h
        .call(
            Some(alice),
            DeleteRoomKeysByRoomIdRequest::new(version.clone(), lobby.clone()),
            "one key left",
        )
        .await;
    assert_eq!(updated.map(|u| u.count), Some(1));
    let updated = h
        .call(
            Some(alice),
            DeleteRoomKeysRequest::new(version.clone()),
            "no keys left",
        )
        .await;
    assert_eq!(updated.map(|u| u.count), Some(0));
    h.call(
        Some(alice),
        DeleteRoomKeysVersionRequest::new(version.clone()),
        "the version is gone afterwards",
    )
    .await;
    h.expect_error(
        Some(alice),
        GetRoomKeysVersionRequest::new(version),
        404,
        "M_NOT_FOUND",
        "",
    )
    .await;
}
