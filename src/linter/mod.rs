//! The entry points: check one config file for a target version, with rules and settings.

mod config;
pub mod consistency;
mod host;
mod report;

pub use config::lint_model;
pub use report::{Error, FileReport};

use crate::ruleset::RuleSet;
use crate::semantic::CheckOptions;
use crate::settings::LintSettings;
use std::sync::{Arc, OnceLock};

/// The built-in rules, compiled once per process.
pub fn builtin_rules() -> Arc<RuleSet> {
    static RULES: OnceLock<Arc<RuleSet>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            Arc::new(RuleSet::builtin().expect("built-in rules are validated by tests"))
        })
        .clone()
}

/// Check `bytes` as the content of the file at `path` with the built-in rules and defaults.
pub fn check_bytes(
    path: &std::path::Path,
    bytes: impl Into<Vec<u8>>,
    options: &CheckOptions,
) -> Result<FileReport, Error> {
    lint_bytes(
        path,
        bytes,
        options,
        &LintSettings::default(),
        &builtin_rules(),
    )
}

/// Check `bytes` with the given rules and settings: a config, or a host file (Compose,
/// Dockerfile, Kubernetes, Helm values) by its name, whose configs are checked in it.
pub fn lint_bytes(
    path: &std::path::Path,
    bytes: impl Into<Vec<u8>>,
    options: &CheckOptions,
    settings: &LintSettings,
    rules: &RuleSet,
) -> Result<FileReport, Error> {
    // The readers stop at this size; bytes handed in directly are held to it too, so offsets
    // fit the syntax tree's 29 bits and the source index's 32.
    let bytes = bytes.into();
    let limit = crate::semantic::files::MAX_FILE_BYTES;
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            len: bytes.len() as u64,
            limit,
        });
    }
    match crate::embedded::kind_by_name(path) {
        Some(kind) => host::lint_host(path, bytes, kind, options, settings, rules),
        None => config::lint_config(path, bytes, options, settings, rules),
    }
}
