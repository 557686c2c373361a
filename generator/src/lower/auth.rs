//! An operation's `security` requirements as the auth it needs.

use serde_json::Value;

use crate::config::AuthChoice;
use crate::load::Location;
use crate::model::Auth;

use super::{LowerError, Lowerer};

impl Lowerer<'_> {
    /// The operation's auth from its `security` list (or the document's).
    pub(super) fn auth(
        &mut self,
        root_at: &Location,
        at: &Location,
        node: &Value,
    ) -> Result<Auth, LowerError> {
        let root = self.node(root_at)?;
        let (security, security_at) = match node.get("security") {
            Some(s) => (s, at.join("security")),
            None => match root.get("security") {
                Some(s) => (s, root_at.join("security")),
                None => return Ok(Auth::None),
            },
        };
        let Some(alternatives) = security.as_array() else {
            return Err(self.invalid(&security_at, "`security` must be a list"));
        };
        // What each alternative allows: no token, a user's access token, an
        // application service's token.
        let mut optional = false;
        let mut user = false;
        let mut appservice = false;
        for (index, requirement) in alternatives.iter().enumerate() {
            let Some(requirement) = requirement.as_object() else {
                return Err(self.invalid(
                    &security_at.join(index),
                    "a security requirement must be an object",
                ));
            };
            if requirement.is_empty() {
                optional = true;
            }
            for name in requirement.keys() {
                let scheme_at = root_at
                    .join("components")
                    .join("securitySchemes")
                    .join(name);
                let Ok(scheme) = self.spec.deref(&scheme_at) else {
                    let Some(fallback) = self
                        .config
                        .undefined_security_schemes
                        .iter()
                        .find(|u| &u.name == name)
                    else {
                        return Err(self.invalid(
                            &security_at.join(index),
                            format!(
                                "security scheme `{name}` is not defined in components.securitySchemes (if the spec really means it, map it in `undefined_security_schemes` of spec/generator.toml)"
                            ),
                        ));
                    };
                    self.used_undefined_schemes.insert(name.clone());
                    match fallback.auth {
                        AuthChoice::None => optional = true,
                        AuthChoice::OptionalAccessToken => {
                            optional = true;
                            user = true;
                        }
                        AuthChoice::AccessToken => user = true,
                    }
                    continue;
                };
                let kind = scheme.node.get("type").and_then(Value::as_str);
                let token = match kind {
                    Some("http") => {
                        scheme.node.get("scheme").and_then(Value::as_str) == Some("bearer")
                    }
                    Some("apiKey") => {
                        scheme.node.get("name").and_then(Value::as_str) == Some("access_token")
                    }
                    _ => false,
                };
                if !token {
                    return Err(
                        self.unsupported(&scheme.location, format!("security scheme `{name}`"))
                    );
                }
                // The spec's two kinds of bearer token are told apart by
                // scheme name: `appserviceAccessTokenBearer` vs
                // `accessTokenBearer`/`accessTokenQuery`.
                if name.starts_with("appservice") {
                    appservice = true;
                } else {
                    user = true;
                }
            }
        }
        Ok(match (appservice, user, optional) {
            (false, false, _) => Auth::None,
            (true, false, false) => Auth::AppserviceToken,
            (false, true, false) => Auth::AccessToken,
            (false, true, true) => Auth::OptionalAccessToken,
            _ => {
                return Err(
                    self.unsupported(&security_at, "this combination of security requirements")
                );
            }
        })
    }
}
