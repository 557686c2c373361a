//! Shared by the bench binaries.

pub mod ratios;
