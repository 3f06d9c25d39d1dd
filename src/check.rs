//! The entry points: check one config file for a target version.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::engine::{self, EngineOptions};
use crate::rules::model::Profile;
use crate::rules::{Rule, RuleSet, selector_matches};
use crate::version::Version;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// How redis-server would read the file.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub target: Version,
    /// The directory redis-server would start in: relative `include` paths resolve against it
    /// (and against every `dir` line read before them). Defaults to the process' directory.
    pub cwd: Option<PathBuf>,
    /// Read the file as redis-server does in sentinel mode (`--sentinel`, `redis-sentinel`).
    pub sentinel: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            target: crate::catalog::newest_redis().unwrap_or(Version::redis(7, 4)),
            cwd: None,
            sentinel: false,
        }
    }
}

/// Which rules run and how their findings are reported.
#[derive(Debug, Clone, Default)]
pub struct LintSettings {
    pub profile: Option<Profile>,
    /// Rule ids or category prefixes to run (empty: all).
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub params: HashMap<String, BTreeMap<String, toml::Value>>,
    /// Ignore every suppression comment.
    pub no_suppress: bool,
}

impl LintSettings {
    pub fn enabled(&self, id: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| selector_matches(s, id)))
            && !self.ignore.iter().any(|s| selector_matches(s, id))
    }
}

/// What checking one file found. `diagnostics` are in the order redis-server reads lines
/// (included files spliced in place), then rule findings; `sources` holds every file a
/// diagnostic points into.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: BTreeMap<PathBuf, Arc<Vec<u8>>>,
    /// Byte ranges holding secrets (passwords), per file: masked in every output.
    pub secrets: BTreeMap<PathBuf, Vec<Range<usize>>>,
}

impl FileReport {
    /// The first `invalid/*` diagnostic: where redis-server would stop.
    pub fn first_invalid(&self) -> Option<&Diagnostic> {
        self.diagnostics
            .iter()
            .find(|d| d.rule.starts_with("invalid/"))
    }

    /// A source file with its secrets replaced by `*`, for display.
    pub fn masked_source(&self, file: &Path) -> Vec<u8> {
        let mut bytes = self
            .sources
            .get(file)
            .map(|b| b.as_ref().clone())
            .unwrap_or_default();
        for span in self.secrets.get(file).into_iter().flatten() {
            for b in &mut bytes[span.clone()] {
                *b = b'*';
            }
        }
        bytes
    }
}

/// The built-in rules, parsed once per process.
pub fn builtin_rules() -> Arc<RuleSet> {
    static RULES: OnceLock<Arc<RuleSet>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            Arc::new(RuleSet::builtin().expect("built-in rules are validated by tests"))
        })
        .clone()
}

/// Check `bytes` as the content of the file at `path` with the built-in rules and defaults.
pub fn check_bytes(path: &Path, bytes: &[u8], options: &CheckOptions) -> FileReport {
    lint_bytes(
        path,
        bytes,
        options,
        &LintSettings::default(),
        &builtin_rules(),
    )
}

/// Check `bytes` with the given rules and settings.
pub fn lint_bytes(
    path: &Path,
    bytes: &[u8],
    options: &CheckOptions,
    settings: &LintSettings,
    rules: &RuleSet,
) -> FileReport {
    let mut analysis = crate::semantic::analyze(path, bytes, options);
    let engine_options = EngineOptions {
        profile: settings.profile,
        params: settings.params.clone(),
    };
    let enabled = |r: &Rule| {
        settings.enabled(r.id())
            && (r.def.default_enabled || settings.select.iter().any(|s| s == r.id()))
    };
    let mut diagnostics = std::mem::take(&mut analysis.diagnostics);
    // The rule set is about redis-server; a Sentinel config only gets the validity checks.
    if !options.sentinel {
        diagnostics.extend(engine::run(
            rules,
            &enabled,
            &analysis.config,
            &engine_options,
        ));
    }
    diagnostics.retain(|d| settings.enabled(&d.rule));
    if !settings.no_suppress {
        diagnostics = crate::suppress::apply(&analysis.config.files, rules, diagnostics);
    }
    for d in &mut diagnostics {
        if let Some(s) = settings.severity.get(&d.rule) {
            d.severity = *s;
        }
    }
    let secrets = crate::semantic::secret_spans(&analysis.config);
    let mut report = analysis.into_report();
    report.diagnostics = diagnostics;
    report.secrets = secrets;
    report
}
