//! The effective configuration: every line read the way redis-server reads it (includes spliced
//! in place, aliases resolved, repeats applied per the catalog), the validity of each line for the
//! target version, and the value the server will actually run with.

mod effective;
mod loader;
pub mod special;
pub mod values;

pub use effective::{EffectiveConfig, Entry, SourceFile};

use crate::check::{CheckOptions, FileReport};
use crate::diagnostic::Diagnostic;
use std::path::Path;

/// The result of reading a config the way redis-server does.
#[derive(Debug)]
pub struct Analysis {
    pub config: EffectiveConfig,
    /// Validity diagnostics (`invalid/*`) and parsing quirks, in reading order.
    pub diagnostics: Vec<Diagnostic>,
}

pub fn analyze(path: &Path, bytes: &[u8], options: &CheckOptions) -> Analysis {
    loader::Loader::run(path, bytes, options)
}

impl Analysis {
    pub fn into_report(self) -> FileReport {
        let sources = self
            .config
            .files
            .iter()
            .map(|f| (f.path.clone(), f.bytes.clone()))
            .collect();
        FileReport {
            path: self.config.files[0].path.clone(),
            diagnostics: self.diagnostics,
            sources,
        }
    }
}
