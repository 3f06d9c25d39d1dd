//! What the loader holds while it reads: the files and units read so far, every line recorded,
//! the findings, and the state later lines depend on (working directory, save points, sentinel
//! and special directives). Kept out of `mod.rs` so the files that extend `Loader` import it
//! from here rather than from the module's face (tests/layering.rs forbids that loop).

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::semantic::model::{Entry, SavePoint};
use crate::semantic::sentinel::SentinelState;
use crate::semantic::special::SpecialState;
use crate::semantic::view::ServerView;
use crate::source::{Sources, Span};
use crate::syntax::SyntaxTree;
use crate::version::Family;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One config being read, with everything it included.
pub(super) struct Loader {
    pub(super) catalog: &'static Catalog,
    pub(super) family: Family,
    pub(super) sources: Sources,
    /// The syntax tree of each source file, by file id.
    pub(super) trees: Vec<SyntaxTree>,
    /// One view per parse unit read (the checked file, each include, each glob include).
    pub(super) views: Vec<ServerView>,
    /// The unit being read, innermost last.
    pub(super) reading: Vec<usize>,
    pub(super) entries: Vec<Entry>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Diagnostics of checks redis-server makes after the whole file is read: they come after
    /// every error found while reading.
    pub(super) late: Vec<Diagnostic>,
    pub(super) secrets: Vec<Span>,
    pub(super) last: HashMap<String, usize>,
    pub(super) cwd: PathBuf,
    pub(super) special: SpecialState,
    pub(super) sentinel: SentinelState,
    pub(super) sentinel_mode: bool,
    /// Reading a template: control lines are skipped, values with markup are unknown.
    pub(super) template: bool,
    /// The last directive line was a secret directive with no value: the next line may be it.
    pub(super) secret_may_follow: bool,
    /// The line being read may be a secret as a whole: messages must not quote it.
    pub(super) hide_name: bool,
    /// The directive an unknown name of the line being read probably means.
    pub(super) meant: Option<String>,
    /// The files of each unit being read, outermost first (canonical paths), to stop cycles.
    pub(super) stack: Vec<Vec<PathBuf>>,
    /// Bytes and files read so far, for the limits of one check.
    pub(super) bytes_read: u64,
    pub(super) files_read: usize,
    /// Includes outside this directory are not read (`--include-root`).
    pub(super) include_root: Option<PathBuf>,
    /// Per unit being read: its directive lines, and how many were unknown or foreign.
    pub(super) unit_lines: Vec<LineCounts>,
    /// The checked file itself is not a Redis config: its lines are mostly foreign.
    pub(super) root_not_a_config: bool,
    pub(super) overlay: Arc<std::collections::BTreeMap<PathBuf, Vec<u8>>>,
    pub(super) save: SaveState,
    /// Module configs (`a.b value`, 7.0+) seen, by entry.
    pub(super) module_configs: Vec<usize>,
}

/// How the `save` lines read so far build the list of save points (see `apply_save`).
#[derive(Default)]
pub(super) struct SaveState {
    pub(super) points: Vec<SavePoint>,
    /// Whether a `save` line replaced the built-in defaults yet.
    pub(super) touched: bool,
    /// 7.0+: an include was processed, so every later `save` line clears first.
    pub(super) after_include: bool,
    /// 6.2: parse units that already cleared the list.
    pub(super) cleared_units: Vec<usize>,
}

/// How many directive lines a parse unit has, how many of them are unknown, and how many are
/// foreign: written in another format (`Key=Value`, `[section]`) or unknown with nothing they
/// could mean.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct LineCounts {
    pub(super) lines: usize,
    pub(super) unknown: usize,
    pub(super) foreign: usize,
}
