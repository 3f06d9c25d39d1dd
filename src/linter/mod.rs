//! The entry points: check one config file for a target version, with rules and settings.

use crate::catalog::CatalogError;
use crate::diagnostic::Diagnostic;
use crate::engine::{self, EngineOptions};
use crate::ruleset::raw::Mode;
use crate::ruleset::{RuleLoadError, RuleSet};
use crate::semantic::{CheckOptions, ServerView};
use crate::settings::LintSettings;
use crate::source::{FileId, Location, Sources, Span};
mod host;

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

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
    views: Vec<ServerView>,
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

    /// A source file with its secrets replaced by `*`, for display.
    pub fn masked_source(&self, file: FileId) -> Cow<'_, [u8]> {
        if self.sources.is_empty() {
            return Cow::Borrowed(&[]);
        }
        let bytes = self.sources.get(file).bytes();
        let mut spans = self.secrets.iter().filter(|s| s.file == file).peekable();
        if spans.peek().is_none() {
            return Cow::Borrowed(bytes);
        }
        let mut masked = bytes.to_vec();
        for span in spans {
            let end = span.range.end.min(masked.len());
            for b in &mut masked[span.range.start.min(end)..end] {
                *b = b'*';
            }
        }
        Cow::Owned(masked)
    }
}

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
    match crate::embedded::kind_by_name(path) {
        Some(kind) => host::lint_host(path, bytes.into(), kind, options, settings, rules),
        None => lint_config(path, bytes, options, settings, rules),
    }
}

/// Check `bytes` as a config file.
pub(crate) fn lint_config(
    path: &std::path::Path,
    bytes: impl Into<Vec<u8>>,
    options: &CheckOptions,
    settings: &LintSettings,
    rules: &RuleSet,
) -> Result<FileReport, Error> {
    let analysis = crate::semantic::analyze(path, bytes, options)?;
    let engine_options = EngineOptions {
        profile: settings.profile,
        params: settings.params.clone(),
        fix_params: settings.fix_params.clone(),
        deployment: settings.deployment.with_file(&analysis),
    };
    let mut diagnostics = analysis.diagnostics;
    // Sentinel rules run on Sentinel configs, the others on redis.conf files.
    let mode = if analysis.model.sentinel {
        Mode::Sentinel
    } else {
        Mode::Server
    };
    // A file in another format has nothing for the rules to judge.
    let runs = |r: &crate::ruleset::Rule| {
        !analysis.not_a_config && settings.runs(r) && r.mode().covers(mode)
    };
    engine::run(rules, &runs, &analysis.model, &engine_options, &mut |f| {
        let mut d = f.diagnostic;
        d.fix = f
            .plan
            .map(|p| crate::fix::materialize(&p, &analysis.sources, d.primary.as_ref()));
        diagnostics.push(d);
    });
    // Suppressions first, knowing which rules ran; then the selection, which covers the
    // suppression findings too.
    if !settings.no_suppress {
        let active = |id: &str| match rules.get(id) {
            Some(rule) => settings.runs(rule) && rule.mode().covers(mode),
            None => settings.selects(id),
        };
        diagnostics = crate::suppress::apply(
            &analysis.sources,
            &analysis.trees,
            rules,
            &active,
            diagnostics,
        );
    }
    settings.select_and_rate(&mut diagnostics);
    Ok(FileReport {
        path: path.to_path_buf(),
        diagnostics,
        sources: analysis.sources,
        secrets: analysis.secrets,
        sentinel: analysis.model.sentinel,
        server: None,
        not_a_config: analysis.not_a_config,
        views: analysis.views,
        notes: Vec::new(),
    })
}

/// Run the enabled rules on a model with no file behind it (a running server's values), with
/// the selection and severities of `settings`; suppression comments need a file.
pub fn lint_model(
    model: &crate::semantic::Model,
    settings: &LintSettings,
    rules: &RuleSet,
) -> Vec<Diagnostic> {
    let engine_options = EngineOptions {
        profile: settings.profile,
        params: settings.params.clone(),
        fix_params: settings.fix_params.clone(),
        deployment: settings.deployment.clone(),
    };
    let mode = if model.sentinel {
        Mode::Sentinel
    } else {
        Mode::Server
    };
    // Values the server could not restart with, unless some could not be read.
    let mut diagnostics = if model.server.as_ref().is_none_or(|s| s.parameters_read) {
        crate::semantic::startup_refusals(model)
    } else {
        Vec::new()
    };
    engine::run(
        rules,
        &|r| settings.runs(r) && r.mode().covers(mode),
        model,
        &engine_options,
        &mut |f| {
            let mut d = f.diagnostic;
            // There is no file to edit: a fix is advice.
            d.fix = f
                .plan
                .map(|p| crate::diagnostic::Fix::display_only(p.title, FileId::ROOT));
            diagnostics.push(d);
        },
    );
    settings.select_and_rate(&mut diagnostics);
    diagnostics
}
