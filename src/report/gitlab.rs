//! GitLab Code Quality: a JSON array of issues with stable fingerprints. A fingerprint hashes
//! the rule, the file, the finding's line text (secrets masked) and its rank among identical
//! ones, so it survives lines moving up or down.

use super::reporter::{Reporter, masked_line};
use crate::diagnostic::Severity;
use crate::linter::FileReport;
use crate::semantic::acl::sha256_hex;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Write};

pub struct Gitlab;

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

impl Reporter for Gitlab {
    fn report(&self, reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
        let mut issues = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in reports {
            for d in &r.diagnostics {
                let at = r.location(d);
                let path = at.file.display().to_string();
                let key = format!("{}\0{path}\0{}", d.rule, masked_line(r, d));
                let rank = seen.entry(key.clone()).or_default();
                *rank += 1;
                issues.push(Issue {
                    description: d.message.clone(),
                    check_name: d.rule.clone(),
                    fingerprint: sha256_hex(format!("{key}\0{rank}").as_bytes()),
                    severity: match d.severity {
                        Severity::Error if d.is_invalid() => "critical",
                        Severity::Error => "major",
                        Severity::Warning => "minor",
                        Severity::Info => "info",
                    },
                    location: IssueLocation {
                        path,
                        lines: Lines {
                            begin: at.line,
                            end: at.end_line,
                        },
                    },
                });
            }
        }
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&issues).expect("JSON of plain data")
        )
    }
}
