//! The end-to-end tests: the generated client, the runtime and the session
//! against a real Synapse on 127.0.0.1, one module per area.
//!
//! They are one test binary so that one server serves them all: the first
//! test that asks for [`synapse`](matrix_csapi_tests::synapse::synapse)
//! starts upstream Synapse, the first that asks for
//! [`synapse_famedly`](matrix_csapi_tests::synapse::synapse_famedly)
//! (only [`famedly`] does) starts Famedly's fork, and both stop when this
//! binary exits. The tests run concurrently against the same server, so
//! none may assume a fresh one: every account comes from
//! [`e2e_support::register`] under a name unique in the binary
//! ([`e2e_support::unique_name`]), and so does anything else that is
//! server-wide (room aliases, directory entries).
//!
//! `MATRIX_CSAPI_E2E=skip` skips them all (offline local runs only).
//! One area: `cargo test -p matrix-csapi-tests --test e2e -- session::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_support;

mod account;
mod deviations;
mod events;
mod famedly;
mod operations;
mod refresh;
mod rooms;
mod server;
mod session;
