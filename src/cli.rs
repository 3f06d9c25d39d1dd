//! Command-line interface.

use crate::check::{CheckOptions, FileReport, check_bytes};
use crate::diagnostic::Severity;
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
    /// Exit with status 1 when something at or above this severity is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
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
    }
}

fn check(args: CheckArgs) -> Result<i32, UsageError> {
    let mut options = CheckOptions::default();
    if let Some(v) = args.target_version {
        crate::catalog::Catalog::load(v).map_err(|e| UsageError::Other(e.to_string()))?;
        options.target = v;
    }
    let mut reports: Vec<FileReport> = Vec::new();
    for path in &args.paths {
        let bytes = read_input(path)?;
        let shown = if path == Path::new("-") {
            Path::new("<stdin>")
        } else {
            path.as_path()
        };
        reports.push(check_bytes(shown, &bytes, &options));
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
            let (errors, warnings) = count(&reports);
            let _ = writeln!(
                out,
                "{} file{} checked: {errors} error{}, {warnings} warning{}",
                reports.len(),
                plural(reports.len()),
                plural(errors),
                plural(warnings)
            );
        }
    }
    let threshold = args.fail_on.severity();
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

fn count(reports: &[FileReport]) -> (usize, usize) {
    let all = reports.iter().flat_map(|r| &r.diagnostics);
    let errors = all
        .clone()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = all.filter(|d| d.severity == Severity::Warning).count();
    (errors, warnings)
}
