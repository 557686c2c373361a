//! The integration tests that need no homeserver: the generated crate, the
//! runtime and the session over real HTTP on 127.0.0.1 (scripted loopback
//! servers), against the pinned spec's examples, and the staleness check of
//! `generated/`; one module per area, in one test binary (one link instead
//! of one per area).
//!
//! One area: `cargo test -p matrix-csapi-tests --test offline -- security::`.

mod event_examples;
mod experimental_endpoint;
mod generated_wire;
mod hostile_responses;
mod proptest_identifiers;
mod proptest_responses;
mod refresh_client;
mod runtime_client;
mod runtime_string_enum;
mod security;
mod session_loopback;
mod signed_objects;
mod spec_examples;
mod staleness;
mod typed_sending;

use proptest::test_runner::{Config, FileFailurePersistence};

/// proptest's settings for the property-test modules, with the cases that
/// once failed kept beside the module's file (`<module>.proptest-regressions`,
/// checked in) and re-run first. proptest's default would look in
/// `tests/tests/proptest-regressions/`, since a module is not the root of its
/// test binary.
fn proptest_config() -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}
