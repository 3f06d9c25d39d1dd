//! What reading a config produces, and the options that shape the reading.

use super::model::Model;
use super::view::ServerView;
use crate::diagnostic::Diagnostic;
use crate::source::{Sources, Span};
use crate::syntax::SyntaxTree;
use crate::version::Version;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// How redis-server would read the file.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub target: Version,
    /// The directory redis-server would start in: relative `include` paths resolve against it
    /// (and against every `dir` line read before them). Defaults to the process' directory.
    pub cwd: Option<PathBuf>,
    /// Read the file as redis-server does in sentinel mode (`--sentinel`, `redis-sentinel`):
    /// `Some(true)`, as a redis.conf: `Some(false)`; `None` decides from the file's name and
    /// lines ([`super::detect::is_sentinel`]).
    pub sentinel: Option<bool>,
    /// Read the file as a template (Jinja, Go templates, ERB): control lines are skipped and
    /// values holding template markup are unknown. `None` decides from the name and lines
    /// ([`super::detect::is_template`]).
    pub template: Option<bool>,
    /// Contents to read instead of the files on disk, by path as an `include` resolves it (the
    /// fixer re-reads its edited included files this way).
    pub overlay: Arc<BTreeMap<PathBuf, Vec<u8>>>,
    /// Includes outside this directory are not read (`--include-root`).
    pub include_root: Option<PathBuf>,
    /// `target` was given (`--target-version`, `redlint.toml`): an image tag does not
    /// change it.
    pub target_given: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            target: crate::catalog::newest_redis().unwrap_or(Version::redis(7, 4)),
            cwd: None,
            sentinel: None,
            template: None,
            overlay: Arc::default(),
            include_root: None,
            target_given: false,
        }
    }
}

/// The result of reading a config the way redis-server does.
#[derive(Debug)]
pub struct Analysis {
    pub model: Model,
    /// Every file read, as it is on disk.
    pub sources: Sources,
    /// The syntax tree of each file, by file id.
    pub trees: Vec<SyntaxTree>,
    /// The units whose parsed bytes differ from a file on disk (NUL bytes, glob includes).
    pub views: Vec<ServerView>,
    /// Validity diagnostics (`invalid/*`) and parsing quirks, in the order redis-server would
    /// meet them: lines in reading order, then the checks it makes after reading.
    pub diagnostics: Vec<Diagnostic>,
    /// Where in `diagnostics` the checks made after reading start (about the file as a whole:
    /// combinations of lines, startup).
    pub after_reading: usize,
    /// Byte ranges holding secrets, to mask in every output.
    pub secrets: Vec<Span>,
    /// The checked file is not a Redis config (most of its lines are in another format):
    /// rules do not run on it, and it is never fixed.
    pub not_a_config: bool,
}

impl Analysis {
    /// The findings about the lines themselves, each taken on its own.
    pub fn line_diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics[..self.after_reading]
    }
}

/// An error found after the whole file was read; `line_id` is the entry index given to the
/// per-line checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateError {
    pub line_id: Option<usize>,
    pub message: String,
}
