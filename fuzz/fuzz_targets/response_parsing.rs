//! Generated endpoints' `try_from_http_response` and the runtime's error
//! interpretation on arbitrary HTTP responses.
//!
//! Input layout (chosen so that text mutations and the dictionary work):
//!
//! - two bytes pick the status: below `0x8000`, one of the statuses the
//!   endpoints document or servers commonly send; otherwise any code from
//!   100 to 999;
//! - then header lines `name: value` separated by `\n`, up to an empty line
//!   (lines that are not a valid header are skipped);
//! - then the body, raw bytes.
//!
//! Every response goes through each endpoint below. Any `Err` is fine; a
//! panic, a timeout or running out of memory is a finding. Beyond "no
//! panic", the target checks promises the runtime makes:
//!
//! - the error keeps the response's status (and an unexpected response its
//!   body, byte for byte);
//! - a JSON error's message shows no quoted body text: every double-quoted
//!   string in it is `"<redacted>"` (serde quotes values, which may be
//!   tokens);
//! - the `Debug` of a parsed `/refresh` or `/login` response does not depend
//!   on the tokens in it.

#![no_main]

use std::fmt::Debug;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use matrix_csapi::{
    account_deactivation, authed_content_repo, content_repo, device_management, login,
    message_pagination, refresh, rooms, sync, whoami,
};
use matrix_csapi_runtime::{Endpoint, FromHttpResponseError, UnexpectedReason, error_response};

/// Statuses the endpoints document or servers commonly send.
const STATUSES: &[u16] = &[
    200, 201, 204, 302, 307, 308, 400, 401, 403, 404, 405, 413, 429, 500, 502, 503, 504,
];

fuzz_target!(|data: &[u8]| {
    let Some(response) = response(data) else {
        return;
    };

    if let Some(mut ok) = check::<refresh::RefreshRequest>(&response) {
        let shown = format!("{ok:?}");
        ok.access_token = String::new();
        ok.refresh_token = ok.refresh_token.map(|_| String::new());
        assert_eq!(shown, format!("{ok:?}"), "Debug shows a token");
    }
    if let Some(mut ok) = check::<login::LoginRequest>(&response) {
        let shown = format!("{ok:?}");
        ok.access_token = String::new();
        ok.refresh_token = ok.refresh_token.map(|_| String::new());
        assert_eq!(shown, format!("{ok:?}"), "Debug shows a token");
    }
    check::<login::GetLoginFlowsRequest>(&response);
    check::<whoami::GetTokenOwnerRequest>(&response);
    check::<sync::SyncRequest>(&response);
    check::<message_pagination::GetRoomEventsRequest>(&response);
    check::<rooms::GetOneRoomEventRequest>(&response);
    check::<rooms::GetRoomStateWithKeyRequest>(&response);
    check::<authed_content_repo::GetContentAuthedRequest>(&response);
    check::<authed_content_repo::GetContentThumbnailAuthedRequest>(&response);
    check::<content_repo::GetContentRequest>(&response);
    check::<device_management::UpdateDeviceRequest>(&response);
    check::<device_management::DeleteDeviceRequest>(&response);
    check::<account_deactivation::DeactivateAccountRequest>(&response);

    // The runtime's Matrix error interpretation on its own.
    let error = error_response::<std::convert::Infallible>(response.clone());
    inspect_error(&error, &response);
});

/// Builds the response described in the module documentation.
fn response(data: &[u8]) -> Option<http::Response<Bytes>> {
    let (status, rest) = data.split_first_chunk::<2>()?;
    let status = u16::from_be_bytes(*status);
    let status = if status < 0x8000 {
        STATUSES[usize::from(status) % STATUSES.len()]
    } else {
        100 + status % 900
    };
    let (head, body) = match rest.windows(2).position(|w| w == b"\n\n") {
        Some(end) => (&rest[..end], &rest[end + 2..]),
        None => (rest, &[][..]),
    };
    let mut builder = http::Response::builder().status(status);
    for line in head.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = http::HeaderName::from_bytes(line[..colon].trim_ascii());
        let value = http::HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) = (name, value) {
            builder = builder.header(name, value);
        }
    }
    builder.body(Bytes::copy_from_slice(body)).ok()
}

/// Runs `E`'s response parsing; returns the success value, or `None` for an
/// error (after inspecting it).
fn check<E>(response: &http::Response<Bytes>) -> Option<E::Response>
where
    E: Endpoint,
    E::Response: Debug,
    E::Error: Debug,
{
    match E::try_from_http_response(response.clone()) {
        Ok(ok) => {
            let _ = format!("{ok:?}");
            Some(ok)
        }
        Err(error) => {
            inspect_error(&error, response);
            None
        }
    }
}

fn inspect_error<E: Debug>(error: &FromHttpResponseError<E>, response: &http::Response<Bytes>) {
    assert_eq!(
        error.status(),
        response.status(),
        "the error lost the status"
    );
    let _ = (error.errcode(), error.to_string(), format!("{error:?}"));
    match error {
        FromHttpResponseError::Matrix(matrix) => {
            let _ = (matrix.message(), matrix.is_soft_logout());
            if let Some(retry) = matrix.retry_after() {
                let _ = retry.delay_from(SystemTime::UNIX_EPOCH);
                let _ = retry.delay_from(SystemTime::UNIX_EPOCH + Duration::from_secs(1 << 40));
            }
        }
        FromHttpResponseError::Unexpected(unexpected) => {
            assert_eq!(
                unexpected.body(),
                response.body(),
                "the error lost the body"
            );
            if let UnexpectedReason::InvalidJson(json) = unexpected.reason() {
                assert_quotes_redacted(&json.to_string());
            }
            let _ = (
                unexpected.content_type(),
                unexpected.body_text_lossy(),
                unexpected.retry_after(),
            );
        }
        _ => {}
    }
}

/// Every double-quoted string in `text` must be `"<redacted>"`.
fn assert_quotes_redacted(text: &str) {
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        let after = &rest[start..];
        assert!(
            after.starts_with("\"<redacted>\""),
            "quoted text that is not redacted in {text:?}"
        );
        rest = &after["\"<redacted>\"".len()..];
    }
}
