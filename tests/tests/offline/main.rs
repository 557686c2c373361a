//! The integration tests that need no homeserver: the generated crate, the
//! runtime and the session over real HTTP on 127.0.0.1 (scripted loopback
//! servers), against the pinned spec's examples, and the staleness check of
//! `generated/`; one module per area, in one test binary (one link instead
//! of one per area).
//!
//! One area: `cargo test -p matrix-csapi-tests --test offline -- security::`.

mod experimental_endpoint;
mod generated_wire;
mod hostile_responses;
mod proptest_responses;
mod refresh_client;
mod runtime_client;
mod runtime_string_enum;
mod security;
mod session_loopback;
mod signed_objects;
mod spec_examples;
mod staleness;
