//! redlint: a linter and hardener for Redis configuration files.
//!
//! ```
//! use redlint::{CheckOptions, check_bytes};
//! use std::path::Path;
//!
//! let options = CheckOptions { target: "7.0".parse().unwrap(), ..Default::default() };
//! let report = check_bytes(Path::new("redis.conf"), b"maxmemory 2GiB\n", &options);
//! let first = report.first_invalid().expect("redis-server 7.0 rejects 2GiB");
//! assert_eq!((first.rule.as_str(), first.location.line), ("invalid/bad-value", 1));
//! ```
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
