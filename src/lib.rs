//! redlint: a linter and hardener for Redis configuration files.
//!
//! ```
//! use redlint::{CheckOptions, check_bytes};
//! use std::path::Path;
//!
//! let options = CheckOptions { target: "7.0".parse().unwrap(), ..Default::default() };
//! let report = check_bytes(Path::new("redis.conf"), b"maxmemory 2GiB\n", &options).unwrap();
//! let first = report.first_invalid().expect("redis-server 7.0 rejects 2GiB");
//! assert_eq!((first.rule.as_str(), report.line(first)), ("invalid/bad-value", 1));
//! ```
//!
//! Data flows one way: bytes → [`source`] files → [`syntax`] trees → [`semantic`] model →
//! [`engine`] (rules from [`ruleset`]) → diagnostics → [`report`] output. No module imports one
//! of a later stage.
#![forbid(unsafe_code)]

pub mod autofix;
pub mod catalog;
pub mod checks;
pub mod diagnostic;
pub mod docs;
pub mod embedded;
pub mod engine;
pub mod fix;
mod linter;
pub mod live;
pub mod report;
pub mod ruleset;
pub mod semantic;
pub mod settings;
pub mod source;
mod suppress;
pub mod syntax;
pub mod version;

pub use diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity, WrittenSecret};
pub use linter::{
    Error, FileReport, builtin_rules, check_bytes, consistency, lint_bytes, lint_model,
};
pub use semantic::CheckOptions;
pub use settings::LintSettings;
pub use source::{FileId, Location, Span};
pub use version::Version;
