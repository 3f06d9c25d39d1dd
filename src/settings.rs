//! Settings in one place: which rules run, at which severity, with which parameters, and the
//! `redlint.toml` file they come from (found next to the checked file or in a parent directory,
//! or given with `--config`; command-line flags override it).

use crate::diagnostic::Severity;
use crate::ruleset::raw::Profile;
use crate::ruleset::{Rule, selector_matches};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "redlint.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    pub target_version: Option<String>,
    pub profile: Option<Profile>,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    /// Directories of extra rule files, relative to this file.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// File name patterns picked when a directory is checked (default: `redis*.conf`,
    /// `sentinel*.conf`, `valkey*.conf`, `*.redis.conf`).
    #[serde(default)]
    pub config_files: Vec<String>,
    /// Per-rule severity overrides.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Fix parameters (`[params] maxmemory = "2gb"`) and per-rule parameters
    /// (`[params."security/weak-password"] min_length = 20`).
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
    /// How the files matching a path pattern are read (`[per-file."ha/*.conf"] sentinel =
    /// true`); patterns are relative to this file, and one without `/` matches file names.
    #[serde(default)]
    pub per_file: BTreeMap<String, FileKind>,
    /// Settings of the audited servers whose target matches a pattern
    /// (`[per-target."redis://10.0.0.*"] ignore = ["tls/not-enabled"]`).
    #[serde(default)]
    pub per_target: BTreeMap<String, TargetSettings>,
}

/// What differs for the servers of a target pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSettings {
    /// Rule ids or categories not reported for these servers.
    #[serde(default)]
    pub ignore: Vec<String>,
}

impl ConfigFile {
    /// The rules `[per-target]` ignores for `target` (`redis://host:port`; patterns are globs).
    pub fn target_ignores(&self, target: &str) -> Vec<String> {
        self.per_target
            .iter()
            .filter(|(pattern, _)| {
                glob::Pattern::new(pattern).is_ok_and(|p| p.matches(target)) || *pattern == target
            })
            .flat_map(|(_, s)| s.ignore.iter().cloned())
            .collect()
    }
}

/// What kind of file a pattern's files are, when their names and lines do not say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileKind {
    /// Read as a Sentinel config (`true`) or a redis.conf (`false`).
    pub sentinel: Option<bool>,
    /// Read as a template (control lines skipped, values with markup unknown).
    pub template: Option<bool>,
}

impl ConfigFile {
    /// The per-rule parameter tables of `[params]`.
    pub fn rule_params(&self) -> HashMap<String, BTreeMap<String, toml::Value>> {
        self.params
            .iter()
            .filter_map(|(k, v)| {
                v.as_table().map(|t| {
                    (
                        k.clone(),
                        t.iter().map(|(a, b)| (a.clone(), b.clone())).collect(),
                    )
                })
            })
            .collect()
    }

    /// The fix parameters of `[params]` (values that are not tables), as text.
    pub fn fix_params(&self) -> BTreeMap<String, String> {
        self.params
            .iter()
            .filter(|(_, v)| !v.is_table())
            .map(|(k, v)| {
                let text = match v {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect()
    }
}

/// A fix parameter that names no directive, or a value the target version rejects.
#[derive(Debug, thiserror::Error)]
#[error("`--param {name}={value}`: {reason}")]
pub struct BadParam {
    pub name: String,
    pub value: String,
    pub reason: String,
}

/// Check fix parameters the way redis-server would read `NAME VALUE` for the target version.
pub fn check_fix_params(
    params: &BTreeMap<String, String>,
    target: crate::version::Version,
) -> Result<(), BadParam> {
    let bad = |name: &str, value: &str, reason: String| BadParam {
        name: name.to_string(),
        value: value.to_string(),
        reason,
    };
    let catalog = crate::catalog::Catalog::load(target).map_err(|e| bad("", "", e.to_string()))?;
    for (name, value) in params {
        let Some((_, spec)) = catalog.lookup(name) else {
            return Err(bad(
                name,
                value,
                format!("{} has no directive `{name}`", target.pretty()),
            ));
        };
        if matches!(name.as_str(), "include" | "dir" | "loadmodule") || spec.is_sensitive() {
            return Err(bad(name, value, "not a value a fix writes".into()));
        }
        let line = format!("{name} {value}\n");
        let options = crate::semantic::CheckOptions {
            target,
            ..Default::default()
        };
        let analysis = crate::semantic::analyze(Path::new("--param"), line.as_bytes(), &options)
            .map_err(|e| bad(name, value, e.to_string()))?;
        // The value on its own: what it means together with other lines (`tls-port` needs a
        // certificate) is for the check of the fixed file.
        if let Some(d) = analysis.line_diagnostics().iter().find(|d| d.is_invalid()) {
            return Err(bad(name, value, d.message.clone()));
        }
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

/// A loaded config file and the directory its relative paths are based on.
#[derive(Debug, Clone, Default)]
pub struct LoadedConfig {
    pub file: ConfigFile,
    pub path: Option<PathBuf>,
}

impl LoadedConfig {
    pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
        let err = |message: String| ConfigError {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start].matches('\n').count() + 1)
                .map_or(String::new(), |l| format!("line {l}: "));
            err(format!("{line}{}", e.message()))
        })?;
        Ok(LoadedConfig {
            file,
            path: Some(path.to_path_buf()),
        })
    }

    /// Find `redlint.toml` in `start` or a parent directory.
    pub fn discover(start: &Path) -> Result<LoadedConfig, ConfigError> {
        let dir = if start.is_dir() {
            start.to_path_buf()
        } else {
            start
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."))
        };
        let dir = dir.canonicalize().unwrap_or(dir);
        for ancestor in dir.ancestors() {
            let candidate = ancestor.join(FILE_NAME);
            if candidate.is_file() {
                return LoadedConfig::load(&candidate);
            }
        }
        Ok(LoadedConfig::default())
    }

    /// What `[per-file]` says about `path` (later patterns win).
    pub fn kind_of(&self, path: &Path) -> Result<FileKind, ConfigError> {
        let mut kind = FileKind::default();
        if self.file.per_file.is_empty() {
            return Ok(kind);
        }
        let base = self
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|p| p.canonicalize().unwrap_or_else(|_| p.to_path_buf()));
        let full = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let relative = base
            .as_ref()
            .and_then(|b| full.strip_prefix(b).ok())
            .unwrap_or(path);
        let name = path.file_name().map(Path::new).unwrap_or(path);
        for (pattern, k) in &self.file.per_file {
            let glob = glob::Pattern::new(pattern).map_err(|e| ConfigError {
                path: self.path.clone().unwrap_or_default(),
                message: format!("`[per-file]`: bad pattern `{pattern}`: {e}"),
            })?;
            let subject = if pattern.contains('/') {
                relative
            } else {
                name
            };
            if glob.matches_path(subject) {
                kind.sentinel = k.sentinel.or(kind.sentinel);
                kind.template = k.template.or(kind.template);
            }
        }
        Ok(kind)
    }

    /// Rule directories, resolved against the config file's directory.
    pub fn rule_dirs(&self) -> Vec<PathBuf> {
        let base = self
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .unwrap_or(Path::new("."));
        self.file.rules.iter().map(|r| base.join(r)).collect()
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
    /// Fix parameters: values fixes write (`--param maxmemory=2gb`).
    pub fix_params: BTreeMap<String, String>,
    /// What the fixer cannot read from the file: `--sentinel-managed`, `--external-password`,
    /// and the group a file is fixed with.
    pub deployment: crate::semantic::deployment::DeploymentHints,
}

impl LintSettings {
    /// Whether findings of `id` are reported: selected (or nothing is) and not ignored.
    /// Keep the findings the selection covers, at the severities the settings give them.
    pub fn select_and_rate(&self, diagnostics: &mut Vec<crate::diagnostic::Diagnostic>) {
        diagnostics.retain(|d| self.selects(&d.rule));
        for d in diagnostics {
            d.severity = self.severity_of(&d.rule, d.severity);
        }
    }

    pub fn selects(&self, id: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| selector_matches(s, id)))
            && !self.ignore.iter().any(|s| selector_matches(s, id))
    }

    /// Whether a rule runs: selected, and on by default or named by its id (opt-in rules).
    pub fn runs(&self, rule: &Rule) -> bool {
        self.selects(rule.id())
            && (rule.default_enabled() || self.select.iter().any(|s| s == rule.id()))
    }

    /// The severity findings of `id` are reported at.
    pub fn severity_of(&self, id: &str, declared: Severity) -> Severity {
        self.severity.get(id).copied().unwrap_or(declared)
    }
}
