//! redlint: a linter and hardener for Redis configuration files.
//!
//! Data flows one way: bytes → [`syntax`] tree → [`semantic`] effective config → rules →
//! diagnostics → edits → output.

pub mod catalog;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod docs;
pub mod render;
pub mod rules;
pub mod semantic;
pub mod suppress;
pub mod syntax;
pub mod version;

pub use check::{CheckOptions, FileReport, LintSettings, check_bytes, lint_bytes};
pub use diagnostic::{Diagnostic, Location, Severity};
pub use version::Version;
