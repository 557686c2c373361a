//! The one way this suite calls an operation, and how it judges the answer.
//!
//! [`Harness::call`] builds the HTTP request with the generated request type
//! (`Endpoint::try_into_http_request`), sends it over loopback with reqwest
//! (no proxy, no redirects followed, bounded timeout), keeps the status,
//! headers and raw bytes, and parses them with
//! `Endpoint::try_from_http_response`. What it saw is recorded per operation
//! id; `mod.rs` turns the records into the outcome table.
//!
//! A typed success counts only if nothing was lost: the raw JSON body is
//! compared with the body re-serialized from the operation's typed body for
//! that status (`test_support::visit_body_type`), and every key that
//! vanished or appeared and every value that changed is a failure named by
//! its JSON pointer.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::time::Duration;

use matrix_csapi::events::{AnyTimelineEventContent, RoomMessageEventContent};
use matrix_csapi::test_support::{BodyVisitor, visit_body_type};
use matrix_csapi::types::{AuthenticationData, AuthenticationDataPassword, UserIdentifierUserId};
use matrix_csapi::{ServerName, UserId};
use matrix_csapi_runtime::serde::{Serialize, de::DeserializeOwned};
use matrix_csapi_runtime::{
    AccessToken, BaseUrl, Bytes, Endpoint, FromHttpResponseError, MatrixError, UnexpectedReason,
    http, reqwest,
};
use serde_json::{Value, json};

use super::REFUSED;

/// The longest any single exchange may take (long-polling operations are
/// called with a zero timeout, so none waits on purpose).
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(30);

/// A registered account with a fixed device ID (so key IDs, and with them
/// the JSON pointers in the report, are the same in every run).
pub struct User {
    pub user_id: UserId,
    pub localpart: String,
    pub device_id: String,
    pub password: String,
    pub token: AccessToken,
}

impl User {
    /// `m.login.password` auth for a user-interactive auth `session`.
    pub fn password_auth(&self, session: Option<String>) -> AuthenticationData {
        let identifier = UserIdentifierUserId::new(self.localpart.clone());
        let mut auth = AuthenticationDataPassword::new(identifier.into(), self.password.clone());
        auth.session = session;
        auth.into()
    }
}

/// What one operation's calls showed.
#[derive(Default, Debug)]
pub struct Record {
    /// Statuses that arrived typed (`"200"`, `"401 UIA"`, ...), in order.
    pub typed: Vec<String>,
    /// The refusal from [`REFUSED`] that the server answered.
    pub refused: Option<String>,
    /// Everything that went wrong, library or server.
    pub failures: Vec<String>,
    /// What the scenario checked with the typed values.
    pub proofs: Vec<&'static str>,
}

/// One exchange: the raw response, and what the generated type made of it.
pub struct Exchange<E: Endpoint> {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub parsed: Result<E::Response, FromHttpResponseError<E::Error>>,
}

pub struct Harness {
    base_url: BaseUrl,
    http: reqwest::Client,
    pub server_name: ServerName,
    pub records: BTreeMap<&'static str, Record>,
    /// The JSON body of the last response, as received (for checks on
    /// signed objects, which must verify both raw and typed).
    pub last_raw: Option<Value>,
    /// Identifiers (outside events, which stay `Raw`) in typed response
    /// bodies that were checked against the strict grammar.
    pub identifiers_checked: u64,
    /// Bodies with an identifier the strict grammar refuses (deserializing
    /// accepts it anyway): operation, status and the error.
    pub identifiers_off_grammar: Vec<String>,
}

impl Harness {
    pub fn new(base_url: BaseUrl, server_name: &str) -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(EXCHANGE_TIMEOUT)
            .build()
            .unwrap_or_else(|error| panic!("cannot build an HTTP client: {error}"));
        Self {
            base_url,
            http,
            server_name: server_name.parse().expect("Synapse's server name"),
            records: BTreeMap::new(),
            last_raw: None,
            identifiers_checked: 0,
            identifiers_off_grammar: Vec::new(),
        }
    }

    pub fn record(&mut self, operation_id: &'static str) -> &mut Record {
        self.records.entry(operation_id).or_default()
    }

    /// Records a failure of `operation_id` found by the scenario itself
    /// (e.g. a signature that no longer verifies after a typed round trip).
    pub fn fail(&mut self, operation_id: &'static str, reason: impl Into<String>) {
        let reason = reason.into();
        let failures = &mut self.record(operation_id).failures;
        if !failures.contains(&reason) {
            failures.push(reason);
        }
    }

    fn prove(&mut self, operation_id: &'static str, proof: &'static str) {
        let proofs = &mut self.record(operation_id).proofs;
        if !proof.is_empty() && !proofs.contains(&proof) {
            proofs.push(proof);
        }
    }

    fn typed_status(&mut self, operation_id: &'static str, label: String) {
        let typed = &mut self.record(operation_id).typed;
        if !typed.contains(&label) {
            typed.push(label);
        }
    }

    /// Calls `request` as `who` (`None`: without a token) and expects the
    /// documented success, or the refusal that [`REFUSED`] lists for the
    /// operation. Returns the typed success, if any.
    pub async fn call<E>(
        &mut self,
        who: Option<&User>,
        request: E,
        proof: &'static str,
    ) -> Option<E::Response>
    where
        E: Endpoint,
        E::Error: Debug,
    {
        let op = E::METADATA.operation_id;
        self.prove(op, proof);
        let exchange = match self.exchange(&request, who).await {
            Ok(exchange) => exchange,
            Err(reason) => {
                self.fail(op, reason);
                return None;
            }
        };
        self.judge_success(op, exchange, false)
    }

    /// Like [`call`](Self::call), where a documented error status is the
    /// expected answer in this setup (a discovery document that is not
    /// configured, an unknown protocol): a typed endpoint-specific error
    /// counts as typed too.
    pub async fn call_or_documented_error<E>(
        &mut self,
        who: Option<&User>,
        request: E,
        proof: &'static str,
    ) -> Option<E::Response>
    where
        E: Endpoint,
        E::Error: Debug,
    {
        let op = E::METADATA.operation_id;
        self.prove(op, proof);
        match self.exchange(&request, who).await {
            Ok(exchange) => self.judge_success(op, exchange, true),
            Err(reason) => {
                self.fail(op, reason);
                None
            }
        }
    }

    /// Like [`call`](Self::call), and first checks that the request body
    /// the generated type writes is `intended` (nothing the caller gave
    /// was dropped or changed on the way out).
    pub async fn call_sending<E>(
        &mut self,
        who: Option<&User>,
        request: E,
        intended: &Value,
        proof: &'static str,
    ) -> Option<E::Response>
    where
        E: Endpoint,
        E::Error: Debug,
    {
        let op = E::METADATA.operation_id;
        self.prove(op, proof);
        let http_request =
            match request.try_into_http_request(&self.base_url, who.map(|user| &user.token)) {
                Ok(http_request) => http_request,
                Err(error) => {
                    self.fail(op, format!("the request could not be built: {error}"));
                    return None;
                }
            };
        match serde_json::from_slice::<Value>(http_request.body()) {
            Ok(sent) => {
                for difference in differences(intended, &sent) {
                    self.fail(op, format!("request body: {difference}"));
                }
            }
            Err(error) => self.fail(op, format!("the request body is not JSON: {error}")),
        }
        match self.send::<E>(http_request).await {
            Ok(exchange) => self.judge_success(op, exchange, false),
            Err(reason) => {
                self.fail(op, reason);
                None
            }
        }
    }

    /// Calls `request`, which must be answered with a user-interactive auth
    /// 401 that the library types. Returns the auth `session` from the raw
    /// body even when the library fails, so the flow can go on.
    pub async fn uia<E>(
        &mut self,
        who: Option<&User>,
        request: E,
        proof: &'static str,
    ) -> Option<String>
    where
        E: Endpoint,
        E::Error: Debug,
    {
        let op = E::METADATA.operation_id;
        self.prove(op, proof);
        let exchange = match self.exchange(&request, who).await {
            Ok(exchange) => exchange,
            Err(reason) => {
                self.fail(op, reason);
                return None;
            }
        };
        let raw: Option<Value> = serde_json::from_slice(&exchange.body).ok();
        let session = raw
            .as_ref()
            .and_then(|raw| raw.get("session"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let has_flows = raw
            .as_ref()
            .is_some_and(|raw| raw.get("flows").is_some_and(Value::is_array));
        if exchange.status != 401 || session.is_none() || !has_flows {
            self.fail(
                op,
                format!(
                    "expected a user-interactive auth 401 (session and flows), got {} {}",
                    exchange.status,
                    snippet(&exchange.body)
                ),
            );
            return session;
        }
        match &exchange.parsed {
            Err(error) if error.user_interactive_auth().is_some() => {
                self.typed_status(op, "401 UIA".to_owned());
                // Whether or not the endpoint documents the 401, the body
                // is the runtime's one UIA type: compare with it directly.
                if let (Some(raw), Some(uia)) = (&raw, error.user_interactive_auth()) {
                    let typed = serde_json::to_value(uia).unwrap();
                    for difference in differences(raw, &typed) {
                        self.fail(op, difference);
                    }
                }
            }
            Ok(_) => self.fail(op, "a user-interactive auth 401 was parsed as a success"),
            Err(FromHttpResponseError::Matrix(error)) => self.fail(
                op,
                format!("a user-interactive auth 401 was parsed as a plain Matrix error: {error}"),
            ),
            Err(FromHttpResponseError::Unexpected(unexpected)) => self.fail(
                op,
                format!("the user-interactive auth 401 is not typed: {unexpected}"),
            ),
            Err(other) => self.fail(
                op,
                format!("the user-interactive auth 401 was typed as something else: {other:?}"),
            ),
        }
        session
    }

    /// Calls `request` provoking a documented error on purpose (a token
    /// used after logout, ...): it must arrive as a typed Matrix error with
    /// this status and errcode.
    pub async fn expect_error<E>(
        &mut self,
        who: Option<&User>,
        request: E,
        status: u16,
        errcode: &str,
        proof: &'static str,
    ) where
        E: Endpoint,
        E::Error: Debug,
    {
        let op = E::METADATA.operation_id;
        self.prove(op, proof);
        let exchange = match self.exchange(&request, who).await {
            Ok(exchange) => exchange,
            Err(reason) => return self.fail(op, reason),
        };
        match &exchange.parsed {
            Err(FromHttpResponseError::Matrix(error))
                if error.status == status && error.errcode().as_str() == errcode =>
            {
                self.typed_status(op, format!("{status} {errcode}"));
            }
            Err(FromHttpResponseError::Matrix(error)) => {
                self.fail(op, format!("expected {status} {errcode}, got {error}"));
            }
            Ok(_) => self.fail(
                op,
                format!(
                    "expected {status} {errcode}, got a success {}",
                    exchange.status
                ),
            ),
            Err(other) => self.fail(
                op,
                format!(
                    "expected {status} {errcode}, got {} {other}; body: {}",
                    exchange.status,
                    snippet(&exchange.body)
                ),
            ),
        }
    }

    async fn exchange<E: Endpoint>(
        &mut self,
        request: &E,
        who: Option<&User>,
    ) -> Result<Exchange<E>, String> {
        let http_request = request
            .try_into_http_request(&self.base_url, who.map(|user| &user.token))
            .map_err(|error| format!("the request could not be built: {error}"))?;
        self.send(http_request).await
    }

    async fn send<E: Endpoint>(
        &mut self,
        http_request: http::Request<Bytes>,
    ) -> Result<Exchange<E>, String> {
        let request = reqwest::Request::try_from(http_request)
            .map_err(|error| format!("reqwest refused the request: {error}"))?;
        let response = self
            .http
            .execute(request)
            .await
            .map_err(|error| format!("the HTTP exchange failed: {error}"))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|error| format!("reading the body failed: {error}"))?;
        self.last_raw = serde_json::from_slice(&body).ok();
        let mut http_response = http::Response::new(body.clone());
        *http_response.status_mut() = status;
        *http_response.headers_mut() = headers.clone();
        Ok(Exchange {
            status,
            headers,
            body,
            parsed: E::try_from_http_response(http_response),
        })
    }

    fn judge_success<E>(
        &mut self,
        op: &'static str,
        exchange: Exchange<E>,
        accept_endpoint_error: bool,
    ) -> Option<E::Response>
    where
        E: Endpoint,
        E::Error: Debug,
    {
        let refusal = REFUSED.iter().find(|refusal| refusal.operation_id == op);
        match exchange.parsed {
            Ok(response) => {
                if refusal.is_some() && exchange.status.is_success() {
                    self.fail(
                        op,
                        format!(
                            "listed in REFUSED, but answered {}: remove it from REFUSED",
                            exchange.status
                        ),
                    );
                }
                self.typed_status(op, exchange.status.as_u16().to_string());
                self.check_lossless(op, exchange.status, &exchange.headers, &exchange.body);
                Some(response)
            }
            Err(FromHttpResponseError::Matrix(error)) => {
                self.judge_matrix_error(op, &error);
                None
            }
            Err(FromHttpResponseError::Unexpected(unexpected)) => {
                let body = match unexpected.reason() {
                    UnexpectedReason::InvalidJson(error) => {
                        format!(
                            "body at the error: {}",
                            around(&exchange.body, error.line(), error.column())
                        )
                    }
                    _ => format!("body: {}", snippet(&exchange.body)),
                };
                self.fail(
                    op,
                    format!("the library could not type the response: {unexpected}; {body}"),
                );
                None
            }
            Err(FromHttpResponseError::Endpoint { status, .. }) if accept_endpoint_error => {
                self.typed_status(op, format!("{} (typed error)", status.as_u16()));
                self.check_lossless(op, status, &exchange.headers, &exchange.body);
                None
            }
            Err(other) => {
                self.fail(
                    op,
                    format!(
                        "an error response where success was expected: {} {other:?}",
                        exchange.status
                    ),
                );
                None
            }
        }
    }

    fn judge_matrix_error(&mut self, op: &'static str, error: &MatrixError) {
        let got = format!("{} {}", error.status.as_u16(), error.errcode().as_str());
        match REFUSED.iter().find(|refusal| refusal.operation_id == op) {
            Some(refusal)
                if refusal.status == error.status
                    && refusal.errcode == error.errcode().as_str() =>
            {
                self.record(op).refused = Some(got);
            }
            Some(refusal) => self.fail(
                op,
                format!(
                    "refused with {got} ({}), but REFUSED expects {} {}",
                    error.message().unwrap_or(""),
                    refusal.status,
                    refusal.errcode
                ),
            ),
            None => self.fail(op, format!("server error {error}")),
        }
    }

    /// Compares the raw JSON body with the operation's typed body for the
    /// status, re-serialized.
    fn check_lossless(
        &mut self,
        op: &'static str,
        status: http::StatusCode,
        headers: &http::HeaderMap,
        body: &[u8],
    ) {
        let is_json = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json"));
        if !is_json {
            return;
        }
        let raw: Value = match serde_json::from_slice(body) {
            Ok(raw) => raw,
            Err(error) => {
                self.fail(op, format!("the JSON body does not parse: {error}"));
                return;
            }
        };
        let status = status.as_u16().to_string();
        match visit_body_type(op, &status, StrictIdentifiers(body)) {
            Some(Ok(checked)) => self.identifiers_checked += checked,
            Some(Err(error)) => self
                .identifiers_off_grammar
                .push(format!("{op} {status}: {error}")),
            None => {}
        }
        match visit_body_type(op, &status, Reserialize(body)) {
            Some(Ok(typed)) => {
                for difference in differences(&raw, &typed) {
                    self.fail(op, difference);
                }
            }
            Some(Err(error)) => self.fail(
                op,
                format!("the {status} body's type does not parse it again: {error}"),
            ),
            // No JSON body is documented for the status: anything but an
            // empty object is dropped.
            None if raw == json!({}) => {}
            None => {
                for difference in differences(&raw, &json!({})) {
                    self.fail(
                        op,
                        format!("{difference} (no body is documented for {status})"),
                    );
                }
            }
        }
    }
}

/// Deserializes a body into the visited type and serializes it back.
struct Reserialize<'a>(&'a [u8]);

impl BodyVisitor for Reserialize<'_> {
    type Output = Result<Value, String>;

    fn visit<T>(self) -> Self::Output
    where
        T: Serialize + DeserializeOwned + Debug,
    {
        let typed: T = serde_json::from_slice(self.0).map_err(|error| error.to_string())?;
        serde_json::to_value(&typed).map_err(|error| error.to_string())
    }
}

/// Deserializes a body into the visited type with identifiers checked
/// against the spec's grammar (deserializing alone accepts any string):
/// how many were checked, or the first that fails.
struct StrictIdentifiers<'a>(&'a [u8]);

impl BodyVisitor for StrictIdentifiers<'_> {
    type Output = Result<u64, String>;

    fn visit<T>(self) -> Self::Output
    where
        T: Serialize + DeserializeOwned + Debug,
    {
        use matrix_csapi::runtime::__private::{
            identifiers_validated_on_this_thread, validate_identifiers_on_this_thread,
        };
        let before = identifiers_validated_on_this_thread();
        validate_identifiers_on_this_thread(true);
        let parsed = serde_json::from_slice::<T>(self.0);
        validate_identifiers_on_this_thread(false);
        parsed.map_err(|error| error.to_string())?;
        Ok(identifiers_validated_on_this_thread() - before)
    }
}

/// Every difference between what was received (`raw`) and what the typed
/// value gives back, each named by a JSON pointer into `raw` with room,
/// event and user IDs and array indices generalised (so the same loss in
/// every element is reported once, and the report is the same every run).
pub fn differences(raw: &Value, typed: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(raw, typed, &mut String::new(), &mut out);
    out.dedup();
    let mut seen = Vec::new();
    out.retain(|item| {
        let new = !seen.contains(item);
        if new {
            seen.push(item.clone());
        }
        new
    });
    out
}

fn diff(raw: &Value, typed: &Value, pointer: &mut String, out: &mut Vec<String>) {
    match (raw, typed) {
        (Value::Object(raw), Value::Object(typed)) => {
            for (key, raw_value) in raw {
                let len = pointer.len();
                push_segment(pointer, key);
                match typed.get(key) {
                    Some(typed_value) => diff(raw_value, typed_value, pointer, out),
                    None if raw_value.is_null() => out.push(format!("lost {pointer} (null)")),
                    None => out.push(format!("lost {pointer}")),
                }
                pointer.truncate(len);
            }
            for (key, typed_value) in typed {
                if !raw.contains_key(key) {
                    let len = pointer.len();
                    push_segment(pointer, key);
                    out.push(format!("added {pointer}: {}", short(typed_value)));
                    pointer.truncate(len);
                }
            }
        }
        (Value::Array(raw), Value::Array(typed)) if raw.len() == typed.len() => {
            for (raw_item, typed_item) in raw.iter().zip(typed) {
                let len = pointer.len();
                pointer.push_str("/*");
                diff(raw_item, typed_item, pointer, out);
                pointer.truncate(len);
            }
        }
        _ if raw == typed => {}
        _ => out.push(format!(
            "changed {}: {} -> {}",
            if pointer.is_empty() { "/" } else { pointer },
            short(raw),
            short(typed)
        )),
    }
}

/// Appends `/key` (RFC 6901 escaped), with Matrix IDs generalised.
fn push_segment(pointer: &mut String, key: &str) {
    pointer.push('/');
    let generalised = match key.chars().next() {
        Some('!') => "{roomId}",
        Some('$') => "{eventId}",
        Some('@') => "{userId}",
        Some('#') => "{roomAlias}",
        _ => {
            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            return;
        }
    };
    pointer.push_str(generalised);
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// The start of a body on one line, for failure messages.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 120 {
        format!("{}...", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

/// The part of a body around a parse error (1-based line and column).
fn around(body: &[u8], line: usize, column: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let Some(line) = text.lines().nth(line.saturating_sub(1)) else {
        return snippet(body);
    };
    let chars: Vec<char> = line.chars().collect();
    let end = column.min(chars.len());
    let start = end.saturating_sub(160);
    format!("...{}<- here", chars[start..end].iter().collect::<String>())
}

/// Reads a lazily parsed event (`Raw<T>`) as its type, for scenario checks;
/// the harness has already compared the raw JSON with the typed response.
pub trait Typed<T> {
    /// The event parsed as `T`; panics, naming the JSON, if it does not fit.
    fn typed(&self) -> T;
}

impl<T: DeserializeOwned> Typed<T> for matrix_csapi_runtime::Raw<T> {
    fn typed(&self) -> T {
        self.deserialize()
            .unwrap_or_else(|error| panic!("event {}: {error}", self.json().get()))
    }
}

/// The body of a text message (`m.room.message`, `msgtype: m.text`);
/// `None` for any other event.
pub fn text_body(content: &AnyTimelineEventContent) -> Option<&str> {
    match content {
        AnyTimelineEventContent::RoomMessage(RoomMessageEventContent::Text(text)) => {
            Some(&text.body)
        }
        _ => None,
    }
}

/// Parses every event of a list.
pub fn typed_all<T: DeserializeOwned>(events: &[matrix_csapi_runtime::Raw<T>]) -> Vec<T> {
    events.iter().map(Typed::typed).collect()
}
