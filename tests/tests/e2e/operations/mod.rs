//! Every operation of the client-server API, called through the generated
//! crate against one real Synapse, with realistic data: several users,
//! public, private and knock rooms, aliases and the directory, messages,
//! state, redactions, threads and reactions, receipts, typing, presence,
//! tags, account data, filters, search, media (a real PNG), pushers and push
//! rules, devices, real ed25519 device, one-time, fallback and cross-signing
//! keys signed over canonical JSON, key backup, to-device messages, room
//! upgrades, reports, login tokens, refresh, logout and deactivation.
//!
//! Each operation ends with one outcome:
//!
//! * **typed**: the library parsed every answer, and re-serializing each
//!   typed JSON body gives back the raw body exactly (see `harness.rs`);
//! * **refused**: Synapse in this setup cannot serve it (SSO, e-mail,
//!   identity server, appservice only, feature off); only operations in
//!   [`REFUSED`] may end so, with the status and errcode listed there, parsed
//!   as a typed Matrix error;
//! * anything else is a failure: a parse failure, an "undocumented status",
//!   a lost or changed key, an unexpected error, or an operation nobody
//!   called.
//!
//! Failures that wait for a library fix are listed in
//! [`PENDING_LIBRARY_FIXES`], checked both ways: a listed operation must
//! still fail, an unlisted one must pass.
//!
//! The outcome table is printed (`-- --nocapture`) and must equal the one in
//! RELIABILITY.md, between the `e2e-operations` markers; on a mismatch the
//! fresh table is printed for copying.
//!
//! Run: `cargo test -p matrix-csapi-tests --test e2e -- operations:: --nocapture`
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod account;
// `events` compares events with `harness::differences` and uploads
// `media::png`.
pub(crate) mod harness;
mod keys;
pub(crate) mod media;
mod push;
mod rooms;
mod server;
mod sync;

use std::fmt::Write as _;

use matrix_csapi_tests::synapse::synapse;

use harness::{Harness, Record};

/// An operation Synapse (1.163, configured by `scripts/synapse.sh`) cannot
/// serve, with the error it answers. The errcode is asserted, and the
/// library must parse the answer as a typed Matrix error.
pub(crate) struct Refusal {
    pub(crate) operation_id: &'static str,
    pub(crate) status: u16,
    pub(crate) errcode: &'static str,
    pub(crate) reason: &'static str,
}

const fn refusal(
    operation_id: &'static str,
    status: u16,
    errcode: &'static str,
    reason: &'static str,
) -> Refusal {
    Refusal {
        operation_id,
        status,
        errcode,
        reason,
    }
}

/// The one list of operations that Synapse in this setup refuses.
pub(crate) const REFUSED: &[Refusal] = &[
    refusal(
        "getAdminSuspendUser",
        404,
        "M_UNRECOGNIZED",
        "not implemented by Synapse 1.163 (server admins only)",
    ),
    refusal(
        "setAdminSuspendUser",
        404,
        "M_UNRECOGNIZED",
        "not implemented by Synapse 1.163 (server admins only)",
    ),
    refusal(
        "getAdminLockUser",
        404,
        "M_UNRECOGNIZED",
        "not implemented by Synapse 1.163 (server admins only)",
    ),
    refusal(
        "setAdminLockUser",
        404,
        "M_UNRECOGNIZED",
        "not implemented by Synapse 1.163 (server admins only)",
    ),
    refusal(
        "post3PIDs",
        400,
        "M_THREEPID_AUTH_FAILED",
        "needs a 3PID validated by an identity server",
    ),
    refusal(
        "add3PID",
        400,
        "M_THREEPID_AUTH_FAILED",
        "needs a 3PID validation session (e-mail or SMS)",
    ),
    refusal(
        "bind3PID",
        500,
        "M_UNKNOWN",
        "needs an identity server (Synapse blocks the loopback one)",
    ),
    refusal(
        "requestTokenTo3PIDEmail",
        400,
        "M_THREEPID_MEDIUM_NOT_SUPPORTED",
        "e-mail is not configured",
    ),
    refusal(
        "requestTokenTo3PIDMSISDN",
        400,
        "M_THREEPID_MEDIUM_NOT_SUPPORTED",
        "SMS is not supported",
    ),
    refusal(
        "requestTokenToResetPasswordEmail",
        400,
        "M_UNKNOWN",
        "e-mail is not configured",
    ),
    refusal(
        "requestTokenToResetPasswordMSISDN",
        404,
        "M_UNRECOGNIZED",
        "SMS is not supported (Synapse does not serve the endpoint)",
    ),
    refusal(
        "requestTokenToRegisterEmail",
        400,
        "M_UNKNOWN",
        "e-mail is not configured",
    ),
    refusal(
        "requestTokenToRegisterMSISDN",
        400,
        "M_UNKNOWN",
        "SMS is not supported",
    ),
    refusal(
        "inviteBy3PID",
        403,
        "M_UNKNOWN",
        "needs an identity server (Synapse blocks the loopback one: IP address blocked)",
    ),
    refusal(
        "pingAppservice",
        403,
        "M_FORBIDDEN",
        "appservices only (no appservice is registered)",
    ),
    refusal(
        "updateAppserviceRoomDirectoryVisibility",
        403,
        "M_FORBIDDEN",
        "appservices only (no appservice is registered)",
    ),
    refusal(
        "getUrlPreview",
        404,
        "M_UNRECOGNIZED",
        "URL previews are off (they need Synapse's url-preview extra)",
    ),
    refusal(
        "getUrlPreviewAuthed",
        404,
        "M_UNRECOGNIZED",
        "URL previews are off (they need Synapse's url-preview extra)",
    ),
    refusal(
        "redirectToSSO",
        404,
        "M_UNRECOGNIZED",
        "no SSO provider is configured",
    ),
    refusal(
        "redirectToIdP",
        404,
        "M_UNRECOGNIZED",
        "no SSO provider is configured",
    ),
    refusal(
        "getAuthMetadata",
        404,
        "M_UNRECOGNIZED",
        "OAuth 2.0 login needs a delegated auth server (MAS)",
    ),
];

/// Operations the library fails today, with what fails. Each must still
/// fail (remove its entry once fixed); every other operation must pass.
pub(crate) const PENDING_LIBRARY_FIXES: &[(&str, &str)] = &[];

/// How an operation ended.
enum Verdict {
    Pass(String),
    Fail(Vec<String>),
}

fn verdict(operation_id: &str, record: &Record) -> Verdict {
    let listed_refusal = REFUSED
        .iter()
        .find(|refusal| refusal.operation_id == operation_id);
    if !record.failures.is_empty() {
        return Verdict::Fail(record.failures.clone());
    }
    if let Some(refused) = &record.refused {
        let reason = listed_refusal.map_or("", |refusal| refusal.reason);
        let mut label = format!("refused {refused}: {reason}");
        if !record.typed.is_empty() {
            let _ = write!(label, " (after typed {})", record.typed.join(", "));
        }
        return Verdict::Pass(label);
    }
    if record.typed.is_empty() {
        return Verdict::Fail(vec![
            "not called: no scenario calls this operation".to_owned(),
        ]);
    }
    if listed_refusal.is_some() {
        return Verdict::Fail(vec![
            "listed in REFUSED, but the server did not refuse it".to_owned(),
        ]);
    }
    Verdict::Pass(format!("typed {}", record.typed.join(", ")))
}

/// Text as one Markdown table cell: one line, pipes escaped.
fn table_cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

const TABLE_START: &str =
    "<!-- e2e-operations table: start (written by tests/tests/e2e/operations) -->";
const TABLE_END: &str = "<!-- e2e-operations table: end -->";

#[tokio::test(flavor = "current_thread")]
async fn every_operation_against_synapse() {
    let Some(server) = synapse() else { return };
    let mut h = Harness::new(server.base_url().clone(), server.server_name());

    let users = account::register_users(&mut h).await;
    server::run(&mut h, &users).await;
    account::run(&mut h, &users).await;
    let rooms = rooms::run(&mut h, &users).await;
    push::run(&mut h, &users, &rooms).await;
    sync::run(&mut h, &users, &rooms).await;
    keys::run(&mut h, &users, &rooms).await;
    media::run(&mut h, &users).await;
    account::finish(&mut h, users).await;

    let operations = matrix_csapi::test_support::operations();
    let mut problems = Vec::new();
    let mut table = String::new();
    let _ = writeln!(table, "| operation | outcome | what proves it |");
    let _ = writeln!(table, "|---|---|---|");
    let (mut typed, mut refused, mut pending) = (0, 0, 0);
    let mut library_failures = Vec::new();
    for metadata in &operations {
        let op = metadata.operation_id;
        let record = h.records.remove(op).unwrap_or_default();
        let pending_fix = PENDING_LIBRARY_FIXES
            .iter()
            .find(|(pending, _)| *pending == op);
        let (outcome, proof) = match (verdict(op, &record), pending_fix) {
            (Verdict::Pass(label), None) => {
                if label.starts_with("refused") {
                    refused += 1;
                } else {
                    typed += 1;
                }
                (label, record.proofs.join("; "))
            }
            (Verdict::Pass(label), Some(_)) => {
                problems.push(format!(
                    "{op}: listed in PENDING_LIBRARY_FIXES but passes ({label}): remove the entry"
                ));
                (label, record.proofs.join("; "))
            }
            (Verdict::Fail(reasons), Some((_, what))) => {
                pending += 1;
                library_failures.push(format!("{op}:\n    {}", reasons.join("\n    ")));
                (
                    "**fails: library fix pending**".to_owned(),
                    (*what).to_owned(),
                )
            }
            (Verdict::Fail(reasons), None) => {
                problems.push(format!("{op}:\n    {}", reasons.join("\n    ")));
                ("**FAILS**".to_owned(), reasons.join("; "))
            }
        };
        let _ = writeln!(
            table,
            "| `{op}` `{} {}` | {outcome} | {} |",
            metadata.method,
            metadata.path_template,
            table_cell(&proof)
        );
    }
    for op in h.records.keys() {
        problems.push(format!("{op}: recorded, but not an operation of the crate"));
    }
    for (op, _) in PENDING_LIBRARY_FIXES {
        if !operations
            .iter()
            .any(|metadata| metadata.operation_id == *op)
        {
            problems.push(format!(
                "{op}: in PENDING_LIBRARY_FIXES, but no such operation"
            ));
        }
    }
    for refusal in REFUSED {
        if !operations
            .iter()
            .any(|metadata| metadata.operation_id == refusal.operation_id)
        {
            problems.push(format!(
                "{}: in REFUSED, but no such operation",
                refusal.operation_id
            ));
        }
    }
    let summary = format!(
        "{} operations against Synapse {}: {typed} typed, {refused} refused by the server \
         (listed, errcode asserted), {pending} failing in the library (pending fixes), {} other failures.",
        operations.len(),
        matrix_csapi_tests::synapse::SYNAPSE_VERSION,
        problems.len()
    );
    println!("\n{summary}\n\n{table}");
    // Every identifier Synapse sent (outside events) also passes the strict
    // grammar that user input is held to: the grammar accepts what a real
    // server produces (room version 12 room IDs included).
    println!(
        "Identifiers in typed response bodies checked against the strict grammar: {}, off it: {}",
        h.identifiers_checked,
        h.identifiers_off_grammar.len()
    );
    if h.identifiers_checked == 0 {
        problems.push("no identifier was checked against the strict grammar".to_owned());
    }
    for off in &h.identifiers_off_grammar {
        problems.push(format!(
            "an identifier from Synapse is off the grammar: {off}"
        ));
    }
    if !library_failures.is_empty() {
        println!(
            "Library failures pending a fix, as seen in this run:\n{}\n",
            library_failures.join("\n")
        );
    }

    let doc_path = matrix_csapi_tests::workspace_dir().join("RELIABILITY.md");
    let doc = std::fs::read_to_string(&doc_path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", doc_path.display()));
    let documented = doc
        .split_once(TABLE_START)
        .and_then(|(_, rest)| rest.split_once(TABLE_END))
        .map(|(inside, _)| inside.trim());
    let fresh = format!("{summary}\n\n{}", table.trim());
    if documented != Some(fresh.as_str()) {
        problems.push(format!(
            "RELIABILITY.md's operation table is stale; replace everything between\n{TABLE_START}\n\
             and\n{TABLE_END}\nwith:\n\n{fresh}\n"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
