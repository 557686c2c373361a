//! User-interactive authentication (UIA) responses.
//!
//! Endpoints protected by [user-interactive authentication] answer `401`
//! with a body that lists the flows the client may complete. The spec
//! documents that `401` on some endpoints and not on others that use it too
//! (Synapse answers it on `POST /keys/device_signing/upload` when keys are
//! replaced), so the runtime recognises the body on *any* `401`:
//! [`FromHttpResponseError::user_interactive_auth`](crate::FromHttpResponseError::user_interactive_auth)
//! is the one place to look for it, whichever endpoint was called.
//!
//! [user-interactive authentication]: https://spec.matrix.org/latest/client-server-api/#user-interactive-authentication-api

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::ErrorCode;

/// The body of a user-interactive authentication `401`: the server needs
/// (more) authentication before it performs the request.
///
/// The spec's `Authentication response` schema
/// (`definitions/auth_response.yaml`; `spec/generator.toml` maps it here),
/// plus the `errcode` and `error` that servers add when the last stage
/// failed (the spec's prose says so; Synapse sends `M_FORBIDDEN` for a
/// wrong password). Every other key is kept in [`extra`](Self::extra), so
/// the value serializes back to what was received.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct UiaResponse {
    /// The flows (each a list of stages) that the server accepts for this
    /// request.
    pub flows: Vec<UiaFlow>,
    /// Information each stage type needs, by stage type (e.g. the public
    /// key of `m.login.recaptcha`, the policies of `m.login.terms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<BTreeMap<String, Map<String, Value>>>,
    /// The session to send back in the next attempt's `auth.session`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The stages completed so far in this session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<Vec<String>>,
    /// Why the last attempted stage failed, e.g. `M_FORBIDDEN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errcode: Option<ErrorCode>,
    /// A human-readable message about the failed stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every other key of the body.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UiaResponse {
    /// A response offering `flows`, with nothing else set.
    pub fn new(flows: Vec<UiaFlow>) -> Self {
        Self {
            flows,
            params: None,
            session: None,
            completed: None,
            errcode: None,
            error: None,
            extra: Map::new(),
        }
    }

    /// Whether `stage` (e.g. `"m.login.password"`) has been completed in
    /// this session.
    pub fn is_completed(&self, stage: &str) -> bool {
        self.completed
            .as_ref()
            .is_some_and(|completed| completed.iter().any(|done| done == stage))
    }

    /// The first flow whose stages are all among `supported` (stage types
    /// the caller can complete), if any.
    pub fn flow_with_stages(&self, supported: &[&str]) -> Option<&UiaFlow> {
        self.flows.iter().find(|flow| {
            flow.stages
                .iter()
                .all(|stage| supported.contains(&stage.as_str()))
        })
    }
}

/// One way to authenticate: the stages to complete, in order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct UiaFlow {
    /// The stage types, e.g. `["m.login.password"]`.
    pub stages: Vec<String>,
    /// Every other key of the flow.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UiaFlow {
    /// A flow of `stages`.
    pub fn new(stages: Vec<String>) -> Self {
        Self {
            stages,
            extra: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn round_trips_every_key() {
        let body = serde_json::json!({
            "flows": [{"stages": ["m.login.password"], "org.example.hint": 1}],
            "params": {"m.login.terms": {"policies": {}}},
            "session": "xyz",
            "completed": [],
            "errcode": "M_FORBIDDEN",
            "error": "Invalid password",
            "org.example.extra": [1, 2],
        });
        let parsed: UiaResponse = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(parsed.errcode, Some(ErrorCode::Forbidden));
        assert_eq!(parsed.flows[0].stages, ["m.login.password"]);
        assert!(!parsed.is_completed("m.login.password"));
        assert_eq!(serde_json::to_value(&parsed).unwrap(), body);
    }

    #[test]
    fn flows_are_required() {
        let error = serde_json::from_str::<UiaResponse>(r#"{"errcode":"M_UNKNOWN_TOKEN"}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("missing field `flows`"), "{error}");
    }

    #[test]
    fn picks_a_flow_the_caller_supports() {
        let response = UiaResponse::new(vec![
            UiaFlow::new(vec!["m.login.sso".into()]),
            UiaFlow::new(vec!["m.login.password".into()]),
        ]);
        let flow = response
            .flow_with_stages(&["m.login.password", "m.login.dummy"])
            .unwrap();
        assert_eq!(flow.stages, ["m.login.password"]);
        assert!(response.flow_with_stages(&["m.login.dummy"]).is_none());
    }
}
