//! The live audit: read a running server with read commands only, judge its values with the
//! same rules as a file, tell where it no longer matches its config file (drift), and what its
//! statistics show (memory, slow commands, saves, replication, clients: `runtime/*`).

pub mod connection;
mod drift;
mod model;
mod runtime;
pub mod snapshot;
pub mod target;

pub use connection::{Failure, TlsOptions};
pub use snapshot::Snapshot;
pub use target::{Address, Target};

use crate::linter::{FileReport, lint_model};
use crate::ruleset::RuleSet;
use crate::semantic::CheckOptions;
use crate::settings::LintSettings;
use std::path::PathBuf;
use std::time::Duration;

/// How to reach and read servers.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    pub tls: TlsOptions,
    pub timeout: Duration,
    /// The password (`REDISCLI_AUTH`, `--password-file`, or the URL's), never shown.
    pub password: Option<String>,
    /// The ACL user to authenticate as (else the URL's, else `default`).
    pub user: Option<String>,
}

/// A config file to compare the server with, and how to read it.
#[derive(Debug, Clone)]
pub struct DriftFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub options: CheckOptions,
}

/// What auditing one target gave.
#[derive(Debug)]
pub struct Audit {
    pub report: FileReport,
    /// What people should know about the audit itself (a command it could not run, the
    /// catalog used for a version newer than redlint knows), one line each.
    pub notes: Vec<String>,
}

/// Why a target could not be audited.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Server(#[from] Failure),
    #[error("{0}")]
    Version(String),
}

/// Audit one server: connect, authenticate, read, run the rules; with `file`, also compare the
/// server with the file.
pub fn audit(
    target: &Target,
    file: Option<&DriftFile>,
    options: &AuditOptions,
    settings: &LintSettings,
    rules: &RuleSet,
) -> Result<Audit, AuditError> {
    let mut conn = connection::Connection::open(target, &options.tls, options.timeout)?;
    let password = options.password.as_deref().or(target.password.as_deref());
    if let Some(password) = password {
        let user = options.user.as_deref().or(target.user.as_deref());
        conn.authenticate(user, password)?;
    }
    if let Some(db) = target.db {
        // SELECT changes nothing on the server; a refusal only means db 0 is read.
        let _ = conn.call(&["SELECT", &db.to_string()])?;
    }
    // First what decides the version, then the rest, with the commands to look up.
    let mut snap = snapshot::read_info(&mut conn)?;
    let (version, mut notes) = model::version_of(&snap).map_err(AuditError::Version)?;
    let catalog =
        crate::catalog::Catalog::load(version).map_err(|e| AuditError::Version(e.to_string()))?;
    let file_analysis = match file {
        Some(f) => {
            let mut options = f.options.clone();
            options.target = version;
            Some(
                crate::semantic::analyze(&f.path, f.bytes.clone(), &options)
                    .map_err(|e| AuditError::Version(e.to_string()))?,
            )
        }
        None => None,
    };
    let mut names: Vec<String> = catalog.commands.iter().map(|c| c.to_string()).collect();
    if let Some(a) = &file_analysis {
        names.extend(drift::rename_targets(&a.model));
    }
    names.sort();
    names.dedup();
    snapshot::read_rest(&mut conn, &mut snap, &names)?;
    for what in &snap.unread {
        notes.push(format!(
            "could not read {what}; what needs it was not judged"
        ));
    }
    let server_model = model::model_of(&snap, catalog);
    let mut diagnostics = lint_model(&server_model, settings, rules);
    let mut runtime = runtime::check(&snap, settings);
    settings.select_and_rate(&mut runtime);
    diagnostics.extend(runtime);
    let name = target.to_string();
    let report = match (file, file_analysis) {
        (Some(f), Some(analysis)) => {
            // A server's finding is shown at the file's line of its parameter, when there is one.
            for d in &mut diagnostics {
                if d.primary.is_none()
                    && let Some(entry) = d
                        .parameter
                        .as_deref()
                        .and_then(|p| analysis.model.last_entry(p))
                {
                    d.primary = entry.span().cloned();
                }
            }
            let mut found = drift::compare(&analysis, &server_model, &snap, &f.path);
            settings.select_and_rate(&mut found);
            diagnostics.extend(found);
            FileReport::for_server(
                name,
                diagnostics,
                Some((f.path.clone(), analysis.sources, analysis.secrets)),
            )
        }
        _ => FileReport::for_server(name, diagnostics, None),
    };
    Ok(Audit { report, notes })
}
