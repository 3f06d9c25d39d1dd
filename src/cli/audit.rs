//! `redlint audit`: the same rules on running servers, and drift against a config file.

use super::{ExitStatus, FailOn, Format, RunArgs, UsageError, lint_settings, reporter};
use redlint::live::{self, AuditOptions, DriftFile, Target, TlsOptions};
use redlint::{CheckOptions, Version};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Only read commands are sent (INFO, CONFIG GET, ACL LIST, COMMAND INFO, SLOWLOG GET, LATENCY LATEST); nothing is ever written to a server.
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
    /// How many targets are audited at once (default: up to 8). Results keep the order of the
    /// targets.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
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
    let jobs = args.jobs.unwrap_or(8).clamp(1, targets.len().max(1));
    let progress = Progress::new(targets.len(), args.run.format);
    let audit_one = |target: &Target| {
        let mut target_settings = settings.clone();
        target_settings
            .ignore
            .extend(file.target_ignores(&target.to_string()));
        live::audit(
            target,
            drift_file.as_ref(),
            &options,
            &target_settings,
            &rules,
        )
    };
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let send = send.clone();
            let (next, targets, audit_one) = (&next, &targets, &audit_one);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(target) = targets.get(i) else {
                        break;
                    };
                    if send.send((i, audit_one(target))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        // Reported in the order of the targets, each as soon as those before it are.
        let mut pending = BTreeMap::new();
        let mut shown = 0;
        let mut open = true;
        for (i, result) in receive {
            progress.tick();
            pending.insert(i, result);
            while let Some(result) = pending.remove(&shown) {
                let name = targets[shown].to_string();
                shown += 1;
                progress.clear();
                match result {
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
                        if open && writer.file(&audit.report, rendered, &mut out).is_err() {
                            open = false;
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
            progress.draw();
        }
        progress.clear();
    });
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

/// A one-line count of the targets audited, on a terminal only, for people's formats only.
struct Progress {
    total: usize,
    done: std::sync::atomic::AtomicUsize,
    on: bool,
}

impl Progress {
    fn new(total: usize, format: Format) -> Progress {
        let people = format == Format::Human;
        Progress {
            total,
            done: std::sync::atomic::AtomicUsize::new(0),
            on: people && total > 1 && std::io::stderr().is_terminal(),
        }
    }

    fn tick(&self) {
        self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn draw(&self) {
        if self.on {
            let done = self.done.load(std::sync::atomic::Ordering::Relaxed);
            if done < self.total {
                eprint!("\r\x1b[2Kauditing: {done}/{} targets", self.total);
            }
        }
    }

    fn clear(&self) {
        if self.on {
            eprint!("\r\x1b[2K");
        }
    }
}
