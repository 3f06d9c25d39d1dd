//! What checking one file found, and why a check could not run.

use crate::catalog::CatalogError;
use crate::diagnostic::Diagnostic;
use crate::ruleset::RuleLoadError;
use crate::semantic::ServerView;
use crate::source::{FileId, Location, Sources, Span};
use std::path::PathBuf;

/// Why a check could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The target version has no catalog.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Rules(#[from] Box<RuleLoadError>),
    /// A Compose file, Dockerfile or manifest that cannot be read.
    #[error("{}:{}:{}: {}", path.display(), error.line, error.column, error.message)]
    Host {
        path: PathBuf,
        error: crate::embedded::HostError,
    },
    /// Input over the limit the file readers hold to: byte offsets are 32 bits.
    #[error("{}: is {len} bytes, larger than {limit}; a Redis config is not that large", path.display())]
    TooLarge { path: PathBuf, len: u64, limit: u64 },
}

/// What checking one file found.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as given (`<stdin>` for standard input).
    pub path: PathBuf,
    /// Validity findings in the order redis-server meets them (lines in reading order,
    /// included files spliced in, then the checks it makes after reading), then rule findings.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read, as it is on disk.
    pub sources: Sources,
    /// Byte ranges holding secrets: masked in every output.
    pub secrets: Vec<Span>,
    /// The file was read as a Sentinel config (given, or found from its name and lines).
    pub sentinel: bool,
    /// The running server the findings are about (`redis://host:port`), for an audit; with no
    /// file (`sources` empty) findings are located at it and their parameter.
    pub server: Option<String>,
    /// The checked file is not a Redis config (its lines are mostly in another format).
    pub not_a_config: bool,
    /// Parse units whose parsed bytes differ from the files (NUL bytes, glob includes).
    pub(super) views: Vec<ServerView>,
    /// Things to say once about the run (the version an image tag was checked as).
    pub notes: Vec<String>,
}

impl FileReport {
    /// The first `invalid/*` diagnostic: where redis-server would stop.
    pub fn first_invalid(&self) -> Option<&Diagnostic> {
        self.diagnostics.iter().find(|d| d.is_invalid())
    }

    /// A report about a running server, from its findings (and the file given with it, if any).
    pub fn for_server(
        server: String,
        diagnostics: Vec<Diagnostic>,
        file: Option<(PathBuf, Sources, Vec<Span>)>,
    ) -> FileReport {
        let (path, sources, secrets) =
            file.unwrap_or_else(|| (PathBuf::from(&server), Sources::default(), Vec::new()));
        FileReport {
            path,
            diagnostics,
            sources,
            secrets,
            sentinel: false,
            server: Some(server),
            not_a_config: false,
            views: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Whether the findings are located at a server, not in a file.
    pub fn is_server_only(&self) -> bool {
        self.sources.is_empty()
    }

    /// File, line and column of a diagnostic. A report with no file locates everything at the
    /// server (line 0: there is no line).
    pub fn location(&self, d: &Diagnostic) -> Location {
        if self.sources.is_empty() {
            return Location {
                file: self.path.clone(),
                range: 0..0,
                line: 0,
                column: 0,
                end_line: 0,
                end_column: 0,
            };
        }
        self.sources.locate(d.primary.as_ref())
    }

    /// The line of a diagnostic in its file.
    pub fn line(&self, d: &Diagnostic) -> usize {
        self.location(d).line
    }

    /// The line number redis-server would print for a diagnostic: it numbers the lines of
    /// what it parses, so after a NUL byte or in a glob include this differs from the line
    /// on disk.
    pub fn server_line(&self, d: &Diagnostic) -> usize {
        d.primary
            .as_ref()
            .and_then(|span| self.views.iter().find_map(|v| v.server_line(span)))
            .unwrap_or_else(|| self.line(d))
    }

    /// The bytes `range` of a source file with its secrets replaced by `*`: a copy of that
    /// range only, so masking one line per finding costs the line, not the file.
    pub fn masked_range(&self, file: FileId, range: std::ops::Range<usize>) -> Vec<u8> {
        if self.sources.is_empty() {
            return Vec::new();
        }
        let bytes = self.sources.get(file).bytes();
        let end = range.end.min(bytes.len());
        let start = range.start.min(end);
        let mut masked = bytes[start..end].to_vec();
        for span in self.secrets.iter().filter(|s| s.file == file) {
            let from = span.range.start.clamp(start, end);
            let to = span.range.end.clamp(start, end);
            for b in &mut masked[from - start..to - start] {
                *b = b'*';
            }
        }
        masked
    }
}
