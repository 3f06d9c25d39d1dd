//! The entry point: check one config file for a target version.

use crate::diagnostic::Diagnostic;
use crate::version::Version;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub target: Version,
    /// The directory redis-server would start in: relative `include` paths resolve against it
    /// (and against every `dir` line read before them). Defaults to the process' directory.
    pub cwd: Option<PathBuf>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            target: crate::catalog::newest_redis().unwrap_or(Version::redis(7, 4)),
            cwd: None,
        }
    }
}

/// What checking one file found. `diagnostics` are in the order redis-server reads lines
/// (included files spliced in place); `sources` holds every file a diagnostic points into.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: BTreeMap<PathBuf, Arc<Vec<u8>>>,
}

impl FileReport {
    /// The first `invalid/*` diagnostic: where redis-server would stop.
    pub fn first_invalid(&self) -> Option<&Diagnostic> {
        self.diagnostics
            .iter()
            .find(|d| d.rule.starts_with("invalid/"))
    }
}

/// Check `bytes` as the content of the file at `path`.
pub fn check_bytes(path: &Path, bytes: &[u8], options: &CheckOptions) -> FileReport {
    crate::semantic::analyze(path, bytes, options).into_report()
}
