//! Command-line interface.

use crate::check::{CheckOptions, FileReport, LintSettings, lint_bytes};
use crate::config::LoadedConfig;
use crate::diagnostic::Severity;
use crate::rules::RuleSet;
use crate::rules::model::Profile;
use crate::version::Version;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "redlint",
    version,
    about = "Lint and harden Redis configuration files"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check config files and report problems.
    Check(CheckArgs),
    /// List the rules: id, severity, versions, fixable.
    Rules(RulesArgs),
    /// Explain one rule: what, why, examples, fix safety, sources.
    Explain(ExplainArgs),
}

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    /// Print the table as Markdown (as in the README).
    #[arg(long)]
    pub markdown: bool,
    /// Extra rule directories.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    pub id: String,
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files to check; `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Redis version the config is for: `7.0`, `redis-7.4`, `valkey-8.0`. Default: newest Redis.
    #[arg(long, value_name = "X.Y")]
    pub target_version: Option<Version>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with status 1 when something at or above this severity is reported [default: warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Deployment profile: `cache` skips durability rules, `datastore` makes them stricter.
    #[arg(long, value_name = "cache|datastore")]
    pub profile: Option<Profile>,
    /// Only run these rule ids or categories (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rule ids or categories.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Extra rule directories (every `*.toml` in them).
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Settings file (default: `redlint.toml` next to the first file or in a parent directory).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Read the files as Sentinel configs (as `redis-sentinel` / `redis-server --sentinel` do).
    #[arg(long)]
    pub sentinel: bool,
    /// Ignore `# redlint: disable-...` comments.
    #[arg(long)]
    pub no_suppress: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// Errors that stop redlint before it can report (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{0}")]
    Other(String),
    #[error(transparent)]
    Rules(Box<crate::rules::RuleLoadError>),
}

impl From<Box<crate::rules::RuleLoadError>> for UsageError {
    fn from(e: Box<crate::rules::RuleLoadError>) -> Self {
        UsageError::Rules(e)
    }
}

/// Size above which a file is not treated as a config (a config is kilobytes).
const MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

fn read_input(path: &Path) -> Result<Vec<u8>, UsageError> {
    let io = |e: std::io::Error| UsageError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(io)?;
        return Ok(buf);
    }
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(UsageError::Io {
            path: path.to_path_buf(),
            message: "is a directory, not a config file".into(),
        });
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(UsageError::Io {
            path: path.to_path_buf(),
            message: format!(
                "is {} bytes; a Redis config is not that large (limit {MAX_FILE_SIZE})",
                meta.len()
            ),
        });
    }
    std::fs::read(path).map_err(io)
}

/// Run the CLI; returns the process exit status.
pub fn run(cli: Cli) -> Result<i32, UsageError> {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules(args) => {
            let rules = load_rules(&args.rule_dirs)?;
            print!(
                "{}",
                if args.markdown {
                    crate::docs::rules_markdown(&rules)
                } else {
                    crate::docs::rules_table(&rules)
                }
            );
            Ok(0)
        }
        Command::Explain(args) => {
            let rules = load_rules(&args.rule_dirs)?;
            match crate::docs::explain(&rules, &args.id) {
                Some(text) => {
                    print!("{text}");
                    Ok(0)
                }
                None => Err(UsageError::Other(format!(
                    "no rule `{}`; `redlint rules` lists them",
                    args.id
                ))),
            }
        }
    }
}

fn load_rules(dirs: &[PathBuf]) -> Result<RuleSet, UsageError> {
    let mut rules = (*crate::check::builtin_rules()).clone();
    for dir in dirs {
        rules.add_dir(dir)?;
    }
    if !dirs.is_empty() {
        rules.check_directive_names()?;
    }
    Ok(rules)
}

fn check(args: CheckArgs) -> Result<i32, UsageError> {
    let config = match &args.config {
        Some(p) => LoadedConfig::load(p),
        None => LoadedConfig::discover(args.paths.first().map_or(Path::new("."), |p| p.as_path())),
    }
    .map_err(|e| UsageError::Other(e.to_string()))?;
    let file = &config.file;
    let mut options = CheckOptions {
        sentinel: args.sentinel,
        ..CheckOptions::default()
    };
    let target = match (args.target_version, &file.target_version) {
        (Some(v), _) => Some(v),
        (None, Some(t)) => Some(t.parse::<Version>().map_err(|e| {
            UsageError::Other(format!(
                "{}: {e}",
                config
                    .path
                    .as_ref()
                    .map_or(String::new(), |p| p.display().to_string())
            ))
        })?),
        (None, None) => None,
    };
    if let Some(v) = target {
        crate::catalog::Catalog::load(v).map_err(|e| UsageError::Other(e.to_string()))?;
        options.target = v;
    }
    let mut dirs = config.rule_dirs();
    dirs.extend(args.rule_dirs.iter().cloned());
    let rules = load_rules(&dirs)?;
    let settings = LintSettings {
        profile: args.profile.or(file.profile),
        select: if args.select.is_empty() {
            file.select.clone()
        } else {
            args.select.clone()
        },
        ignore: file.ignore.iter().chain(&args.ignore).cloned().collect(),
        severity: file.severity.clone(),
        params: file.params.clone(),
        no_suppress: args.no_suppress,
    };
    for selector in settings
        .select
        .iter()
        .chain(&settings.ignore)
        .chain(settings.severity.keys())
    {
        if !rules.knows_selector(selector) {
            return Err(UsageError::Other(format!(
                "`{selector}` is no rule id or category; `redlint rules` lists them"
            )));
        }
    }
    let mut reports: Vec<FileReport> = Vec::new();
    for path in &args.paths {
        let bytes = read_input(path)?;
        let shown = if path == Path::new("-") {
            Path::new("<stdin>")
        } else {
            path.as_path()
        };
        reports.push(lint_bytes(shown, &bytes, &options, &settings, &rules));
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => {
            let _ = writeln!(out, "{}", crate::render::json(&reports));
        }
        Format::Human => {
            let color = stdout_is_color();
            for r in &reports {
                let _ = write!(out, "{}", crate::render::human(r, color, 100));
            }
            let (errors, warnings, infos) = (
                count(&reports, Severity::Error),
                count(&reports, Severity::Warning),
                count(&reports, Severity::Info),
            );
            let _ = writeln!(
                out,
                "{} file{} checked: {errors} error{}, {warnings} warning{}, {infos} info",
                reports.len(),
                plural(reports.len()),
                plural(errors),
                plural(warnings)
            );
        }
    }
    let threshold = match args.fail_on {
        Some(f) => f.severity(),
        None => file.fail_on.unwrap_or(Severity::Warning),
    };
    let failed = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= threshold);
    Ok(i32::from(failed))
}

fn stdout_is_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn count(reports: &[FileReport], severity: Severity) -> usize {
    reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.severity == severity)
        .count()
}
