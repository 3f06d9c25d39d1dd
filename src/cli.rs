//! Command-line interface: arguments, reading inputs, exit statuses. The library does the work.

mod audit;

use crate::walk;
use clap::{Parser, Subcommand, ValueEnum};
use redlint::autofix::{self, FixError, FixRequest};
use redlint::report::{Concise, Github, Gitlab, Human, Json, Junit, Reporter, Sarif, Statistics};
use redlint::ruleset::RuleSet;
use redlint::ruleset::raw::Profile;
use redlint::settings::LoadedConfig;
use redlint::{
    Applicability, CheckOptions, FileReport, LintSettings, Severity, Version, lint_bytes,
};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

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
    /// Audit running servers with the same rules, and report drift from their config file.
    Audit(audit::AuditArgs),
    /// List the rules: id, severity, versions, fixable.
    Rules(RulesArgs),
    /// Explain one rule: what, why, examples, fix safety, sources.
    Explain(ExplainArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Write a commented starter `redlint.toml` in the current directory.
    Init,
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

/// What `check` and `audit` share: the format, the rules that run, and the settings file.
#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// Print the findings only, without the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print how many findings each rule has, instead of the findings.
    #[arg(long)]
    pub statistics: bool,
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
    /// Settings file (default: `redlint.toml` next to the first file, or the current directory
    /// for an audit, or in a parent directory).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

impl RunArgs {
    /// `--config`, else the `redlint.toml` found from `start`.
    fn settings_file(&self, start: &Path) -> Result<LoadedConfig, UsageError> {
        Ok(match &self.config {
            Some(p) => LoadedConfig::load(p),
            None => LoadedConfig::discover(start),
        }?)
    }

    /// The built-in rules with those of the settings file's and `--rules` directories.
    fn rules(&self, config: &LoadedConfig) -> Result<Arc<RuleSet>, UsageError> {
        let mut dirs = config.rule_dirs();
        dirs.extend(self.rule_dirs.iter().cloned());
        load_rules(&dirs)
    }

    fn selection<'a>(&'a self, params: &'a [(String, String)], no_suppress: bool) -> Selection<'a> {
        Selection {
            profile: self.profile,
            select: &self.select,
            ignore: &self.ignore,
            params,
            no_suppress,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Files or directories to check; `-` reads standard input. Directories are searched for
    /// configs by name (`redis*.conf`, `sentinel*.conf`, `valkey*.conf`, `*.redis.conf`).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The name standard input is shown under, and where `redlint.toml` is looked for.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Redis version the config is for: `7.0`, `redis-7.4`, `valkey-8.0`. Default: newest Redis.
    #[arg(long, value_name = "X.Y")]
    pub target_version: Option<Version>,
    /// Read the files as Sentinel configs (as `redis-sentinel` / `redis-server --sentinel` do).
    /// Default: found from each file's name and lines.
    #[arg(long, conflicts_with = "no_sentinel")]
    pub sentinel: bool,
    /// Read the files as redis.conf files, even when they look like Sentinel configs.
    #[arg(long)]
    pub no_sentinel: bool,
    /// Read the files as templates (Jinja, Go templates, ERB): template control lines are
    /// skipped and values with template markup are not judged. Default: on for `.j2`, `.jinja`,
    /// `.tmpl`, `.tpl`, `.gotmpl`, `.erb`, `.template` files and files with control lines.
    #[arg(long, conflicts_with = "no_template")]
    pub template: bool,
    /// Read the files as they are, even when they look like templates.
    #[arg(long)]
    pub no_template: bool,
    /// Walk directories for configs only: skip Compose files, Dockerfiles, Kubernetes
    /// manifests and Helm values (a file named on the command line is still read by its kind).
    #[arg(long)]
    pub no_embedded: bool,
    /// Read no included file outside this directory (for configs from untrusted changes).
    #[arg(long, value_name = "DIR")]
    pub include_root: Option<PathBuf>,
    /// Ignore `# redlint: disable-...` comments.
    #[arg(long)]
    pub no_suppress: bool,
    /// Apply safe fixes to the files (`-`: print the fixed text on standard output).
    #[arg(long)]
    pub fix: bool,
    /// With `--fix` or `--diff`: apply unsafe fixes too (they change how the server behaves).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what `--fix` would change, and write nothing.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// Show passwords in `--diff` instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,
    /// The files are one replication or Sentinel group: fixes give them one shared password.
    /// Without it, files that replicate from each other (`replicaof` another's port, a
    /// Sentinel's `monitor`, cluster nodes) are grouped.
    #[arg(long)]
    pub group: bool,
    /// Sentinel monitors these servers: deny fixes leave the commands it sends (config,
    /// slaveof, replicaof, client, info, role, multi, exec, script) to the user it uses.
    #[arg(long)]
    pub sentinel_managed: bool,
    /// The password is given outside the files (`--requirepass` on the server's command line,
    /// an environment variable): fixes write no password and no `user default` line.
    #[arg(long)]
    pub external_password: bool,
    /// A value fixes write, like `maxmemory=2gb` or `bind="10.0.0.5 127.0.0.1"` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// Audit this running server and report where it differs from the file (as `redlint audit
    /// TARGET --file PATH`).
    #[arg(long, value_name = "TARGET", conflicts_with_all = ["fix", "diff"])]
    pub against: Option<String>,
    #[command(flatten)]
    pub connect: audit::ConnectArgs,
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => {
            Ok((k.trim().to_ascii_lowercase(), v.trim().to_string()))
        }
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette's report, for people.
    Human,
    /// One line a finding: `path:line:col: severity[rule] message`.
    Concise,
    /// The stable JSON shape, with fixes and a summary.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitHub Actions annotations.
    Github,
    /// JUnit XML test results.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    /// The severity that fails a run: the flag's, else `redlint.toml`'s, else warning.
    fn threshold(flag: Option<FailOn>, file: &redlint::settings::ConfigFile) -> Severity {
        match flag {
            Some(f) => f.severity(),
            None => file.fail_on.unwrap_or(Severity::Warning),
        }
    }

    fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

/// How a run ends, as the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing at or above the `--fail-on` severity.
    Clean,
    /// Something at or above the `--fail-on` severity.
    Findings,
    /// Usage or I/O error: nothing was checked.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(match s {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        })
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
    Rules(Box<redlint::ruleset::RuleLoadError>),
    #[error(transparent)]
    Settings(#[from] redlint::settings::ConfigError),
    #[error(transparent)]
    Catalog(#[from] redlint::catalog::CatalogError),
    #[error(transparent)]
    Param(#[from] redlint::settings::BadParam),
    #[error(transparent)]
    Write(#[from] redlint::autofix::WriteError),
    #[error("{0}")]
    Fix(String),
    /// A Compose file, Dockerfile or manifest that does not parse.
    #[error("{message}")]
    Host { path: PathBuf, message: String },
}

impl From<Box<redlint::ruleset::RuleLoadError>> for UsageError {
    fn from(e: Box<redlint::ruleset::RuleLoadError>) -> Self {
        UsageError::Rules(e)
    }
}

impl From<redlint::Error> for UsageError {
    fn from(e: redlint::Error) -> Self {
        match e {
            redlint::Error::Catalog(c) => UsageError::Catalog(c),
            redlint::Error::Rules(r) => UsageError::Rules(r),
            redlint::Error::Host { path, error } => UsageError::Host {
                message: redlint::Error::Host {
                    path: path.clone(),
                    error,
                }
                .to_string(),
                path,
            },
            e @ redlint::Error::TooLarge { .. } => UsageError::Other(e.to_string()),
        }
    }
}

fn read_input(path: &Path) -> Result<Vec<u8>, UsageError> {
    use redlint::semantic::files::{self, MAX_FILE_BYTES};
    let read = if path == Path::new("-") {
        files::read_stdin(MAX_FILE_BYTES)
    } else {
        files::read_config(path, MAX_FILE_BYTES)
    };
    read.map_err(|e| UsageError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Run the CLI; returns the process exit status.
pub fn run(cli: Cli) -> Result<ExitStatus, UsageError> {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Audit(args) => audit::audit(args),
        Command::Rules(args) => {
            let rules = load_rules(&args.rule_dirs)?;
            print!(
                "{}",
                if args.markdown {
                    redlint::docs::rules_markdown(&rules)
                } else {
                    redlint::docs::rules_table(&rules)
                }
            );
            Ok(ExitStatus::Clean)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "redlint", &mut std::io::stdout());
            Ok(ExitStatus::Clean)
        }
        Command::Init => init(),
        Command::Explain(args) => {
            let rules = load_rules(&args.rule_dirs)?;
            match redlint::docs::explain(&rules, &args.id) {
                Some(text) => {
                    print!("{text}");
                    Ok(ExitStatus::Clean)
                }
                None => Err(UsageError::Other(format!(
                    "no rule `{}`; `redlint rules` lists them",
                    args.id
                ))),
            }
        }
    }
}

/// The built-in rules, shared as they are unless rule directories add to them.
fn load_rules(dirs: &[PathBuf]) -> Result<Arc<RuleSet>, UsageError> {
    let builtin = redlint::builtin_rules();
    if dirs.is_empty() {
        return Ok(builtin);
    }
    let mut rules = (*builtin).clone();
    for dir in dirs {
        rules.add_dir(dir)?;
    }
    rules.check_directive_names()?;
    Ok(Arc::new(rules))
}

/// A commented starter `redlint.toml`.
const STARTER: &str = r#"# redlint settings (see `redlint rules` and `redlint explain ID` for the rule ids)

# The Redis or Valkey version the configs are for: 7.0, redis-7.4, valkey-8.0 ...
# target-version = "7.4"

# cache: skip durability rules; datastore: make them stricter.
# profile = "datastore"

# Rule ids or categories to run (default: all), and to skip.
# select = ["network", "security", "tls"]
# ignore = ["tls/client-auth-disabled"]

# Exit with status 1 at or above this severity: error, warning (default) or info.
# fail-on = "warning"

# Config file names picked when a directory is checked.
# config-files = ["redis*.conf", "sentinel*.conf", "valkey*.conf", "*.redis.conf"]

# Directories of extra rule files, relative to this file.
# rules = ["ops/redis-rules"]

# [severity]
# "persistence/appendonly-disabled" = "error"

# Values fixes write (also --param NAME=VALUE), and per-rule parameters.
# [params]
# maxmemory = "2gb"
# maxmemory-policy = "allkeys-lru"
#
# [params."security/weak-password"]
# min_length = 24
"#;

fn init() -> Result<ExitStatus, UsageError> {
    let path = Path::new(redlint::settings::FILE_NAME);
    if path.exists() {
        return Err(UsageError::Io {
            path: path.to_path_buf(),
            message: "already exists; nothing was written".into(),
        });
    }
    std::fs::write(path, STARTER).map_err(|e| UsageError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    eprintln!("redlint: wrote {}", path.display());
    Ok(ExitStatus::Clean)
}

fn check(args: CheckArgs) -> Result<ExitStatus, UsageError> {
    if let Some(target) = args.against {
        let [path] = &args.paths[..] else {
            return Err(UsageError::Other(
                "--against compares one file with one server".into(),
            ));
        };
        return audit::audit(audit::AuditArgs {
            targets: vec![target],
            file: Some(path.clone()),
            jobs: None,
            connect: args.connect,
            run: args.run,
        });
    }
    let first = match (args.paths.first(), &args.stdin_filename) {
        (Some(p), Some(name)) if p == Path::new("-") => name.as_path(),
        (Some(p), _) => p.as_path(),
        (None, _) => Path::new("."),
    };
    let config = args.run.settings_file(first)?;
    let file = &config.file;
    let flag = |on: bool, off: bool| (on || off).then_some(on);
    let mut options = CheckOptions {
        sentinel: flag(args.sentinel, args.no_sentinel),
        template: flag(args.template, args.no_template),
        include_root: args.include_root.clone(),
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
        redlint::catalog::Catalog::load(v)?;
        options.target = v;
        options.target_given = true;
    }
    let rules = args.run.rules(&config)?;
    let settings = lint_settings(
        file,
        &rules,
        args.run.selection(&args.params, args.no_suppress),
    )?;
    redlint::settings::check_fix_params(&settings.fix_params, options.target)?;
    let mut settings = settings;
    if args.sentinel_managed {
        settings.deployment.sentinel =
            Some("`--sentinel-managed` says Sentinel monitors it".into());
    }
    if args.external_password {
        settings.deployment.external_password =
            Some("`--external-password` says the password is given outside the file".into());
    }
    let reporter = reporter(args.run.format, args.run.statistics, args.run.quiet, &rules);
    let globs: Vec<String> = if file.config_files.is_empty() {
        walk::DEFAULT_CONFIG_FILES
            .iter()
            .map(|g| g.to_string())
            .collect()
    } else {
        file.config_files.clone()
    };
    // `config-files` names what the walk picks; without it, host files that mention the
    // server are picked too.
    let embedded = !args.no_embedded && file.config_files.is_empty();
    let paths = walk::expand(&args.paths, &globs, embedded).map_err(UsageError::Other)?;
    for dir in args.paths.iter().filter(|p| p.is_dir()) {
        if !paths.iter().any(|p| p.starts_with(dir)) {
            eprintln!(
                "redlint: warning: no config files in {} (names: {})",
                dir.display(),
                globs.join(", ")
            );
        }
    }
    let threshold = FailOn::threshold(args.run.fail_on, file);
    let options = FileOptions {
        base: options,
        config: &config,
    };
    if args.fix || args.diff {
        let fixing = Fixing {
            paths: &paths,
            args: &args,
            options: &options,
            settings: &settings,
            rules: &rules,
            reporter: reporter.as_ref(),
            threshold,
        };
        return fixing.run();
    }
    let shown_as = |p: &Path| shown(p, &args).to_path_buf();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut writer = reporter.stream();
    let mut failed = false;
    let mut reported = 0;
    // A closed pipe (`redlint check ... | head`) is not an error of the check.
    let mut pipe_open = true;
    let render = |report: &FileReport| reporter.render_file(report);
    let mut said = std::collections::HashSet::new();
    let each = |report: FileReport, rendered: Option<String>| {
        // Said once a run: the version an image tag is checked as.
        for note in &report.notes {
            if said.insert(note.clone()) {
                eprintln!("redlint: note: {note}");
            }
        }
        failed |= report.diagnostics.iter().any(|d| d.severity >= threshold);
        reported += 1;
        if pipe_open {
            pipe_open = writer
                .file(&report, rendered, &mut out)
                .and_then(|()| out.flush())
                .is_ok();
        }
    };
    // Standard input is read once, by the check itself: a group with `-` in it is not judged.
    let extra = if args.group && paths.len() > 1 && !paths.iter().any(|p| p == Path::new("-")) {
        group_consistency(&paths, &args, &options, &settings)?
    } else {
        Vec::new()
    };
    let errors = check_all(
        &paths, &shown_as, &options, &settings, &rules, &extra, &render, each,
    );
    // A host file the walk found (not named) that does not parse is not a config of ours:
    // said, and skipped.
    let named = |p: &Path| args.paths.iter().any(|n| n == p);
    let errors: Vec<UsageError> = errors
        .into_iter()
        .filter(|e| match e {
            UsageError::Host { path, message } if !named(path) => {
                eprintln!("redlint: warning: {message} (skipped)");
                false
            }
            _ => true,
        })
        .collect();
    // With nothing checked at all, the errors are the whole output.
    if pipe_open && (reported > 0 || errors.is_empty()) {
        let _ = writer.finish(&mut out);
    }
    drop(out);
    // A file that could not be read does not stop the others; it fails the run at the end.
    if let Some(last) = errors.len().checked_sub(1) {
        for e in &errors[..last] {
            eprintln!("redlint: error: {e}");
        }
        return Err(errors.into_iter().nth(last).expect("an error"));
    }
    Ok(if failed {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}

/// What the command line says about which rules run and how.
pub(crate) struct Selection<'a> {
    pub profile: Option<Profile>,
    pub select: &'a [String],
    pub ignore: &'a [String],
    pub params: &'a [(String, String)],
    pub no_suppress: bool,
}

/// The settings of a run: `redlint.toml`, then the command line over it; every selector must
/// name a rule or a category.
pub(crate) fn lint_settings(
    file: &redlint::settings::ConfigFile,
    rules: &RuleSet,
    cli: Selection,
) -> Result<LintSettings, UsageError> {
    // Ids that moved still work, with a note.
    let current = |id: &String| {
        let new = redlint::ruleset::redirected(id);
        if new != id {
            eprintln!("redlint: warning: `{id}` is now `{new}`");
        }
        new.to_string()
    };
    let settings = LintSettings {
        profile: cli.profile.or(file.profile),
        select: if cli.select.is_empty() {
            file.select.iter().map(current).collect()
        } else {
            cli.select.iter().map(current).collect()
        },
        ignore: file.ignore.iter().chain(cli.ignore).map(current).collect(),
        severity: file
            .severity
            .iter()
            .map(|(k, v)| (current(k), *v))
            .collect(),
        params: file
            .rule_params()
            .into_iter()
            .map(|(k, v)| (current(&k), v))
            .collect(),
        no_suppress: cli.no_suppress,
        fix_params: {
            let mut p = file.fix_params();
            p.extend(cli.params.iter().cloned());
            p
        },
        deployment: Default::default(),
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
    Ok(settings)
}

/// The writer of a format.
pub(crate) fn reporter(
    format: Format,
    statistics: bool,
    quiet: bool,
    rules: &Arc<RuleSet>,
) -> Box<dyn Reporter> {
    if statistics {
        return Box::new(Statistics);
    }
    match format {
        Format::Human => Box::new(Human {
            color: stdout_is_color(),
            width: 100,
            quiet,
        }),
        Format::Concise => Box::new(Concise),
        Format::Json => Box::new(Json),
        Format::Sarif => Box::new(Sarif {
            rules: rules.clone(),
        }),
        Format::Github => Box::new(Github),
        Format::Junit => Box::new(Junit),
        Format::Gitlab => Box::new(Gitlab),
    }
}

/// How a path is named in messages.
fn shown<'a>(path: &'a Path, args: &'a CheckArgs) -> &'a Path {
    if path == Path::new("-") {
        args.stdin_filename
            .as_deref()
            .unwrap_or(Path::new("<stdin>"))
    } else {
        path
    }
}

/// Check every file, in parallel, and hand each report to `emit` in the order of `paths`, as
/// soon as it and the ones before it are checked, with the text `render` made of it on the
/// thread that checked it. A file that another checked file includes
/// is reported once, within the file that includes it: files that may include others (a
/// quick look for `include` lines) are checked first, and the rest wait only for them.
#[allow(clippy::too_many_arguments)]
fn check_all(
    paths: &[PathBuf],
    shown: &(dyn Fn(&Path) -> PathBuf + Sync),
    options: &FileOptions,
    settings: &LintSettings,
    rules: &RuleSet,
    // Findings of each path that no file gives alone (`--group`'s consistency); may be empty.
    extra: &[Vec<redlint::Diagnostic>],
    render: &(dyn Fn(&FileReport) -> Option<String> + Sync),
    mut emit: impl FnMut(FileReport, Option<String>),
) -> Vec<UsageError> {
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(paths.len().max(1));
    let includer: Vec<bool> = if paths.len() > 1 {
        // A read of every file: on all cores too.
        let chunk = paths.len().div_ceil(workers);
        std::thread::scope(|scope| {
            let parts: Vec<_> = paths
                .chunks(chunk)
                .map(|part| {
                    let scan = scope.spawn(move || part.iter().map(|p| may_include(p)).collect());
                    (part.len(), scan)
                })
                .collect();
            // A scan that failed counts its files as includers: they are then checked first.
            parts
                .into_iter()
                .flat_map(|(n, scan)| scan.join().unwrap_or_else(|_| vec![true; n]))
                .collect()
        })
    } else {
        vec![false; paths.len()]
    };
    // Includers first, then the others, each in path order.
    let order: Vec<usize> = (0..paths.len())
        .filter(|&i| includer[i])
        .chain((0..paths.len()).filter(|&i| !includer[i]))
        .collect();
    let mut includers_left = includer.iter().filter(|&&b| b).count();
    let next = AtomicUsize::new(0);
    // Bounded: when writing is slower than checking, the workers wait instead of piling up
    // reports.
    type Checked = (usize, Result<(FileReport, Option<String>), UsageError>);
    let (send, receive) = std::sync::mpsc::sync_channel::<Checked>(4 * workers);
    let mut errors = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let send = send.clone();
            let (next, order) = (&next, &order);
            scope.spawn(move || {
                while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let path = &paths[i];
                    let shown = shown(path);
                    let result = options.for_path(&shown).and_then(|options| {
                        let bytes = read_input(path)?;
                        lint_bytes(&shown, bytes, &options, settings, rules)
                            .map_err(UsageError::from)
                    });
                    let result = result.map(|mut report| {
                        if let Some(found) = extra.get(i) {
                            report.diagnostics.extend(found.iter().cloned());
                        }
                        let rendered = render(&report);
                        (report, rendered)
                    });
                    if send.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let mut included: HashSet<PathBuf> = HashSet::new();
        let mut pending: BTreeMap<usize, Result<(FileReport, Option<String>), UsageError>> =
            BTreeMap::new();
        let mut written = 0;
        for (i, result) in receive {
            if includer[i] {
                includers_left -= 1;
                if let Ok((r, _)) = &result {
                    included.extend(r.sources.iter().skip(1).map(|(_, f)| canonical(&f.path)));
                }
            }
            pending.insert(i, result);
            if includers_left > 0 {
                continue;
            }
            while let Some(result) = pending.remove(&written) {
                written += 1;
                match result {
                    Ok((r, _))
                        if r.path != Path::new("<stdin>")
                            && !included.is_empty()
                            && included.contains(&canonical(&r.path)) => {}
                    Ok((r, rendered)) => emit(r, rendered),
                    Err(e) => errors.push(e),
                }
            }
        }
    });
    errors
}

/// Whether a file may include another: any line that starts with `include` (stdin always
/// may, and is never read twice; a host file may name a config).
fn may_include(path: &Path) -> bool {
    // A host file's command line may name a config file of the repository.
    if path == Path::new("-") || redlint::embedded::kind_by_name(path).is_some() {
        return true;
    }
    let Ok(bytes) = read_input(path) else {
        return false;
    };
    bytes.split(|&b| b == b'\n').any(|line| {
        let line = line.trim_ascii_start();
        line.len() > 7
            && line[..7].eq_ignore_ascii_case(b"include")
            && line[7].is_ascii_whitespace()
    })
}

fn status(reports: &[FileReport], threshold: Severity) -> ExitStatus {
    let failed = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= threshold);
    if failed {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// The check options of each file: the command line's, with what `[per-file]` of
/// `redlint.toml` says about the kind of file where the command line says nothing.
struct FileOptions<'a> {
    base: CheckOptions,
    config: &'a LoadedConfig,
}

impl FileOptions<'_> {
    fn for_path(&self, path: &Path) -> Result<CheckOptions, UsageError> {
        let kind = self.config.kind_of(path)?;
        Ok(CheckOptions {
            sentinel: self.base.sentinel.or(kind.sentinel),
            template: self.base.template.or(kind.template),
            ..self.base.clone()
        })
    }
}

/// `--fix` and `--diff`.
struct Fixing<'a> {
    paths: &'a [PathBuf],
    args: &'a CheckArgs,
    options: &'a FileOptions<'a>,
    settings: &'a LintSettings,
    rules: &'a RuleSet,
    reporter: &'a dyn Reporter,
    threshold: Severity,
}

impl Fixing<'_> {
    fn run(&self) -> Result<ExitStatus, UsageError> {
        let applicability = if self.args.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        let mut reports = Vec::new();
        let (mut applied, mut unsafe_applied, mut changed) = (0, 0, false);
        let mut diffs = String::new();
        let mut status = ExitStatus::Clean;
        let (mut hints, members) = self.group_hints()?;
        // Servers first, then Sentinels: a Sentinel's fix follows the passwords its primaries
        // were given.
        // Host files (Compose, Dockerfiles, manifests) before configs: a config a host's command
        // line names is fixed within it, once.
        let is_host = |p: &Path| redlint::embedded::kind_by_name(p).is_some();
        let mut order: Vec<usize> = (0..self.paths.len()).collect();
        order.sort_by_key(|&i| (members[i].sentinel, !is_host(&self.paths[i])));
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let mut within_hosts: std::collections::HashSet<PathBuf> = Default::default();
        let mut passwords_by_port: BTreeMap<i64, Vec<u8>> = BTreeMap::new();
        let mut done: BTreeMap<usize, (FileReport, String)> = BTreeMap::new();
        for i in order {
            let path = &self.paths[i];
            if !within_hosts.is_empty() && within_hosts.contains(&canonical(path)) {
                continue;
            }
            let bytes = read_input(path)?;
            let stdin = path == Path::new("-");
            let options = self.options.for_path(shown(path, self.args))?;
            if let Some(h) = hints[i].as_mut() {
                h.primary_passwords = members[i]
                    .monitors
                    .iter()
                    .filter_map(|(name, port)| {
                        Some((name.clone(), passwords_by_port.get(port)?.clone()))
                    })
                    .collect();
            }
            let settings = match hints[i].take() {
                Some(deployment) => &LintSettings {
                    deployment,
                    ..self.settings.clone()
                },
                None => self.settings,
            };
            let request = FixRequest {
                path: shown(path, self.args),
                bytes: &bytes,
                options: &options,
                settings,
                rules: self.rules,
                threshold: applicability,
                root_only: stdin,
            };
            let fixed = match autofix::fix(&request) {
                Ok(fixed) => fixed,
                Err(e @ (FixError::Invalid { .. } | FixError::NotAConfig { .. })) => {
                    // Not fixable as it is: report it like `check` does.
                    let report = lint_bytes(
                        shown(path, self.args),
                        bytes.as_slice(),
                        &options,
                        settings,
                        self.rules,
                    )?;
                    match e {
                        FixError::NotAConfig { .. } => eprintln!("redlint: {e}"),
                        _ => eprintln!(
                            "redlint: not fixing {}: redis-server rejects it; correct the invalid lines first",
                            shown(path, self.args).display()
                        ),
                    }
                    if stdin && self.args.fix {
                        let _ = std::io::stdout().write_all(&bytes);
                    }
                    done.insert(i, (report, String::new()));
                    status = ExitStatus::Findings;
                    continue;
                }
                // A host file the walk found that does not parse: said, and skipped.
                Err(FixError::Check(e @ redlint::Error::Host { .. }))
                    if !self.args.paths.iter().any(|n| n == path) =>
                {
                    eprintln!("redlint: warning: {e} (skipped)");
                    continue;
                }
                Err(FixError::Check(e)) => return Err(e.into()),
                Err(e) => return Err(UsageError::Fix(e.to_string())),
            };
            changed |= !fixed.files.is_empty();
            if is_host(path) {
                within_hosts.extend(
                    fixed
                        .report
                        .sources
                        .iter()
                        .skip(1)
                        .map(|(_, f)| canonical(&f.path)),
                );
            }
            // Only a Sentinel of the run reads it: no second analysis otherwise.
            let watched = |port: i64| {
                members
                    .iter()
                    .any(|m| m.monitors.iter().any(|(_, p)| *p == port))
            };
            if let Some(port) = members[i].port.filter(|&p| watched(p))
                && let Some(pw) = default_password(&fixed, &options)
            {
                passwords_by_port.insert(port, pw);
            }
            let diff = if self.args.diff {
                autofix::diff(&fixed, self.args.show_secrets)
            } else {
                String::new()
            };
            if self.args.diff {
                // Nothing is written: the diffs are printed once every file is fixed.
            } else if stdin {
                let root = fixed
                    .files
                    .iter()
                    .find(|f| f.path == shown(path, self.args))
                    .map_or(bytes.as_slice(), |f| f.fixed.as_slice());
                let _ = std::io::stdout().write_all(root);
            } else {
                autofix::write(&fixed)?;
            }
            if !self.args.diff {
                for s in &fixed.secrets {
                    eprintln!(
                        "redlint: {} is on line {} of {}",
                        s.what,
                        s.line,
                        s.path.display()
                    );
                }
            }
            applied += fixed.applied;
            unsafe_applied += fixed.unsafe_applied;
            done.insert(i, (fixed.report, diff));
        }
        for (report, diff) in done.into_values() {
            reports.push(report);
            diffs.push_str(&diff);
        }
        if self.args.diff {
            print!("{diffs}");
            eprintln!(
                "{applied} fix{} would be applied ({unsafe_applied} unsafe)",
                if applied == 1 { "" } else { "es" }
            );
            return Ok(if changed {
                ExitStatus::Findings
            } else {
                ExitStatus::Clean
            });
        }
        let remaining: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
        let summary = format!("{applied} fixed ({unsafe_applied} unsafe), {remaining} remaining");
        let to_stdout = !self.args.paths.iter().any(|p| p == Path::new("-"))
            && self.args.run.format == Format::Human
            && !self.args.run.statistics;
        if self.args.paths.iter().any(|p| p == Path::new("-")) {
            // Standard output holds the fixed text: the findings go to standard error.
            let _ = self
                .reporter
                .report(&reports, &mut std::io::stderr().lock());
        } else {
            let _ = self
                .reporter
                .report(&reports, &mut std::io::stdout().lock());
        }
        if to_stdout {
            println!("{summary}");
        } else {
            eprintln!("{summary}");
        }
        Ok(match status {
            ExitStatus::Clean => self::status(&reports, self.threshold),
            other => other,
        })
    }
}

impl Fixing<'_> {
    /// The deployment hints of each file fixed with others of its group: one password for
    /// the group (generated once per run), and Sentinel's presence for the servers it watches.
    /// `None` for a file on its own.
    #[allow(clippy::type_complexity)]
    fn group_hints(
        &self,
    ) -> Result<
        (
            Vec<Option<redlint::semantic::deployment::DeploymentHints>>,
            Vec<redlint::semantic::deployment::Member>,
        ),
        UsageError,
    > {
        use redlint::semantic::deployment::{Member, groups};
        // One file is a group of its own: no reading ahead (the pre-commit hook's case).
        if self.paths.len() < 2 {
            return Ok((
                vec![None; self.paths.len()],
                vec![Member::default(); self.paths.len()],
            ));
        }
        let mut members = Vec::new();
        for path in self.paths {
            let member = if path == Path::new("-") {
                Member::default()
            } else {
                let bytes = read_input(path)?;
                let options = self.options.for_path(shown(path, self.args))?;
                let analysis = redlint::semantic::analyze(shown(path, self.args), bytes, &options)?;
                Member::of(&analysis.model)
            };
            members.push(member);
        }
        let group = if self.args.group {
            vec![0; members.len()]
        } else {
            groups(&members)
        };
        let mut passwords: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
        let mut out = Vec::new();
        for i in 0..self.paths.len() {
            let others: Vec<String> = (0..members.len())
                .filter(|&j| j != i && group[j] == group[i])
                .map(|j| shown(&self.paths[j], self.args).display().to_string())
                .collect();
            if others.is_empty() {
                out.push(None);
                continue;
            }
            let mut hints = self.settings.deployment.clone();
            hints.group = Some(format!("it is fixed with {}", others.join(", ")));
            hints.group_password = Some(
                passwords
                    .entry(group[i])
                    .or_insert_with(redlint::engine::random_password)
                    .clone(),
            );
            let sentinel =
                (0..members.len()).find(|&j| j != i && group[j] == group[i] && members[j].sentinel);
            if let Some(j) = sentinel
                && hints.sentinel.is_none()
            {
                hints.sentinel = Some(format!(
                    "{} of its group is a Sentinel config",
                    shown(&self.paths[j], self.args).display()
                ));
                hints.sentinel_user = members[j].auth_user.clone();
            }
            out.push(Some(hints));
        }
        Ok((out, members))
    }
}

/// `check --group`: the consistency findings of each file against the others of its group.
fn group_consistency(
    paths: &[PathBuf],
    args: &CheckArgs,
    options: &FileOptions,
    settings: &LintSettings,
) -> Result<Vec<Vec<redlint::Diagnostic>>, UsageError> {
    let mut analyses = Vec::new();
    for path in paths {
        let shown_path = shown(path, args);
        let bytes = read_input(path)?;
        let options = options.for_path(shown_path)?;
        analyses.push(redlint::semantic::analyze(shown_path, bytes, &options)?);
    }
    let members: Vec<redlint::consistency::GroupMember> = paths
        .iter()
        .zip(&analyses)
        .map(|(path, a)| redlint::consistency::GroupMember {
            path: shown(path, args),
            model: &a.model,
        })
        .collect();
    let mut found = redlint::consistency::findings(&members);
    for f in &mut found {
        settings.select_and_rate(f);
    }
    Ok(found)
}

/// The default user's password in a fixed config (the last one its `user default` line or
/// `requirepass` gives), as its replicas and Sentinels must present it.
fn default_password(fixed: &autofix::Fixed, options: &CheckOptions) -> Option<Vec<u8>> {
    let root = fixed.report.sources.get(redlint::source::FileId::ROOT);
    let analysis = redlint::semantic::analyze(&root.path, root.bytes().to_vec(), options).ok()?;
    let facts = redlint::semantic::facts::Facts::compute(&analysis.model);
    facts
        .default_user
        .plaintext_passwords
        .last()
        .map(|p| p.as_bytes().to_vec())
}

fn stdout_is_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::mpsc;
    use std::time::Duration;

    fn rules() -> Arc<RuleSet> {
        load_rules(&[]).expect("built-in rules load")
    }

    /// A file's report is handed on while a later file is still being checked.
    #[test]
    fn reports_are_handed_on_before_later_files_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.conf"), dir.path().join("b.conf"));
        std::fs::write(&a, "bind 0.0.0.0\n").unwrap();
        std::fs::write(&b, "port 6379\n").unwrap();
        let (seen_a, wait_a) = mpsc::channel::<()>();
        let wait_a = Mutex::new(wait_a);
        let b_waited = Mutex::new(None);
        // Checking b.conf starts only once a.conf's report has been handed on.
        let shown = |p: &Path| {
            if p.ends_with("b.conf") {
                let got = wait_a.lock().unwrap().recv_timeout(Duration::from_secs(20));
                *b_waited.lock().unwrap() = Some(got.is_ok());
            }
            p.to_path_buf()
        };
        let mut emitted = Vec::new();
        let errors = check_all(
            &[a.clone(), b.clone()],
            &shown,
            &FileOptions {
                base: CheckOptions::default(),
                config: &LoadedConfig::default(),
            },
            &LintSettings::default(),
            &rules(),
            &[],
            &|_| None,
            |r, _| {
                if r.path.ends_with("a.conf") {
                    let _ = seen_a.send(());
                }
                emitted.push(r.path);
            },
        );
        assert!(errors.is_empty());
        assert_eq!(emitted, [a, b]);
        assert_eq!(
            *b_waited.lock().unwrap(),
            Some(true),
            "a.conf was held back"
        );
    }

    /// A file that another checked file includes is reported only within that file, even when
    /// it comes first.
    #[test]
    fn included_files_are_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("a-part.conf");
        let main = dir.path().join("redis.conf");
        let other = dir.path().join("z.conf");
        std::fs::write(&part, "maxmemory 1gb\n").unwrap();
        std::fs::write(&main, format!("include {}\n", part.display())).unwrap();
        std::fs::write(&other, "port 6379\n").unwrap();
        let mut emitted = Vec::new();
        let errors = check_all(
            &[part, main.clone(), other.clone()],
            &|p: &Path| p.to_path_buf(),
            &FileOptions {
                base: CheckOptions::default(),
                config: &LoadedConfig::default(),
            },
            &LintSettings::default(),
            &rules(),
            &[],
            &|_| None,
            |r, _| emitted.push(r.path),
        );
        assert!(errors.is_empty());
        assert_eq!(emitted, [main, other]);
    }

    #[test]
    fn include_lines_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.conf");
        for (text, includes) in [
            ("port 1\n  INCLUDE\t/x.conf\n", true),
            ("include /x.conf", true),
            ("# include /x.conf\nincluded yes\n", false),
            ("includes x\n", false),
        ] {
            std::fs::write(&f, text).unwrap();
            assert_eq!(may_include(&f), includes, "{text:?}");
        }
    }
}
