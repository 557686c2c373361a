//! Helpers shared by the overlay unit tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use super::{ApplyProblem, Overlay, OverlayError};
use crate::yaml;

pub(super) fn overlay(text: &str) -> Overlay {
    let value = yaml::parse(text, Path::new("x.yaml")).unwrap();
    Overlay::from_value(Path::new("spec/overlays/x.yaml"), &value).unwrap()
}

pub(super) fn overlay_err(text: &str) -> OverlayError {
    let value = yaml::parse(text, Path::new("x.yaml")).unwrap();
    Overlay::from_value(Path::new("spec/overlays/x.yaml"), &value).unwrap_err()
}

pub(super) const HEAD_1_0: &str = "overlay: 1.0.0\ninfo: {title: t, version: 1.0.0}\n";
pub(super) const HEAD_1_1: &str = "overlay: 1.1.0\ninfo: {title: t, version: 1.0.0}\n";

/// The input of one regression test: `actions` (YAML list items) after
/// the header of `version`.
pub(super) fn actions(version: &str, items: impl IntoIterator<Item = String>) -> String {
    let items: String = items.into_iter().collect();
    format!("overlay: {version}\ninfo: {{title: t, version: v}}\nactions:\n{items}")
}

pub(super) fn apply_problem(err: &OverlayError) -> &ApplyProblem {
    match err {
        OverlayError::Apply { problem, .. } => problem,
        other => panic!("not an apply error: {other}"),
    }
}
