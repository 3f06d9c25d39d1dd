//! `redlint audit`: the same rules on running servers, and drift against a config file.

use super::{ExitStatus, FailOn, RunArgs, UsageError, lint_settings, reporter};
use redlint::live::{self, AuditOptions, DriftFile, Target, TlsOptions};
use redlint::{CheckOptions, Version};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Only read commands are sent (INFO, CONFIG GET, ACL LIST, COMMAND INFO); nothing is ever written to a server.
The password comes from REDISCLI_AUTH, --password-file, or the URL (which works, with a warning).
Exit status: 0 nothing at or above --fail-on, 1 findings, 2 a target could not be audited (the others still are)."
)]
pub struct AuditArgs {
    /// Servers: `redis://[user@]host:port[/db]`, `rediss://…` (TLS), `unix:///path/redis.sock`.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// The server's config file: also report where the server differs from it (drift/*).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// How to reach and log in to servers (`audit`, and `check --against`).
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Connecting")]
pub struct ConnectArgs {
    /// The ACL user to authenticate as (default: the URL's user, else `default`).
    #[arg(long)]
    pub user: Option<String>,
    /// Read the password from this file (its first line), instead of REDISCLI_AUTH.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// CA certificates (PEM) the server's certificate is checked against (default: the system's).
    #[arg(long, value_name = "FILE")]
    pub tls_ca_cert: Option<PathBuf>,
    /// Client certificate (PEM), for servers that check clients (`tls-auth-clients`).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Server name sent and checked in the TLS handshake instead of the target's host.
    #[arg(long, value_name = "NAME")]
    pub tls_sni: Option<String>,
    /// Accept any server certificate (warned about: anyone on the path can read the audit).
    #[arg(long)]
    pub insecure_skip_verify: bool,
    /// Seconds to wait for a connection or an answer.
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub timeout: u64,
}

fn password(args: &ConnectArgs) -> Result<Option<String>, UsageError> {
    if let Some(path) = &args.password_file {
        let text =
            redlint::semantic::files::read_config(path, 64 << 10).map_err(|e| UsageError::Io {
                path: path.clone(),
                message: e.to_string(),
            })?;
        let text = String::from_utf8_lossy(&text);
        let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
        return Ok(Some(line.to_string()));
    }
    Ok(std::env::var("REDISCLI_AUTH")
        .ok()
        .filter(|p| !p.is_empty()))
}

pub fn audit(args: AuditArgs) -> Result<ExitStatus, UsageError> {
    let start = args.file.as_deref().unwrap_or(Path::new("."));
    let config = args.run.settings_file(start)?;
    let file = &config.file;
    let rules = args.run.rules(&config)?;
    // Suppression comments need a file of the server's findings: there is none.
    let settings = lint_settings(file, &rules, args.run.selection(&[], true))?;
    let mut targets = Vec::new();
    for text in &args.targets {
        let target: Target = text.parse().map_err(UsageError::Other)?;
        if target.password.is_some() {
            eprintln!(
                "redlint: warning: {target}: a password in the URL may be seen by other users of this machine; use REDISCLI_AUTH or --password-file"
            );
        }
        targets.push(target);
    }
    if args.connect.insecure_skip_verify {
        eprintln!("redlint: warning: --insecure-skip-verify: server certificates are not checked");
    }
    let options = AuditOptions {
        tls: TlsOptions {
            ca_cert: args.connect.tls_ca_cert.clone(),
            cert: args.connect.tls_cert.clone(),
            key: args.connect.tls_key.clone(),
            sni: args.connect.tls_sni.clone(),
            insecure: args.connect.insecure_skip_verify,
        },
        timeout: Duration::from_secs(args.connect.timeout.max(1)),
        password: password(&args.connect)?,
        user: args.connect.user.clone(),
    };
    let drift_file = match &args.file {
        Some(path) => Some(DriftFile {
            path: path.clone(),
            bytes: super::read_input(path)?,
            options: CheckOptions {
                target: Version::redis(7, 0),
                ..CheckOptions::default()
            },
        }),
        None => None,
    };
    let threshold = FailOn::threshold(args.run.fail_on, file);
    let reporter = reporter(args.run.format, args.run.statistics, args.run.quiet, &rules);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut writer = reporter.stream();
    let mut failed = false;
    let mut unreachable = 0;
    for target in &targets {
        let name = target.to_string();
        let mut target_settings = settings.clone();
        target_settings.ignore.extend(file.target_ignores(&name));
        match live::audit(
            target,
            drift_file.as_ref(),
            &options,
            &target_settings,
            &rules,
        ) {
            Ok(audit) => {
                for note in &audit.notes {
                    // What a server answered is shown as text, never as terminal controls.
                    let note = redlint::report::printable(note);
                    eprintln!("redlint: warning: {name}: {note}");
                }
                failed |= audit
                    .report
                    .diagnostics
                    .iter()
                    .any(|d| d.severity >= threshold);
                let rendered = reporter.render_file(&audit.report);
                if writer.file(&audit.report, rendered, &mut out).is_err() {
                    break;
                }
                let _ = out.flush();
            }
            Err(e) => {
                let e = redlint::report::printable(&e.to_string());
                eprintln!("redlint: error: {name}: {e}");
                unreachable += 1;
            }
        }
    }
    if unreachable < targets.len() {
        let _ = writer.finish(&mut out);
    }
    Ok(if unreachable > 0 {
        ExitStatus::Error
    } else if failed {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}
