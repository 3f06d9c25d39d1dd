//! GitLab Code Quality: a JSON array of issues with stable fingerprints. A fingerprint hashes
//! the rule, the file, the finding's line text (secrets masked) and its rank among identical
//! ones, so it survives lines moving up or down.

use super::reporter::{FileStream, Reporter, masked_line};
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

/// The array written as its issues come; a fingerprint's rank counts identical findings over
/// the whole run, so only those counts are kept.
#[derive(Default)]
struct GitlabStream {
    seen: HashMap<String, usize>,
    issues: usize,
}

impl FileStream for GitlabStream {
    fn file(&mut self, r: &FileReport, _: Option<String>, out: &mut dyn Write) -> io::Result<()> {
        for d in &r.diagnostics {
            let at = r.location(d);
            let path = at.file.display().to_string();
            let key = format!("{}\0{path}\0{}", d.rule, masked_line(r, d));
            let rank = self.seen.entry(key.clone()).or_default();
            *rank += 1;
            let issue = Issue {
                description: d.message.clone(),
                check_name: d.rule.clone(),
                fingerprint: sha256_hex(format!("{key}\0{rank}").as_bytes()),
                severity: match d.severity {
                    Severity::Error if d.is_invalid() => "critical",
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                // A server has no lines: its findings are on "line 1" of the target.
                location: IssueLocation {
                    path,
                    lines: Lines {
                        begin: at.line.max(1),
                        end: at.end_line.max(1),
                    },
                },
            };
            let text = serde_json::to_string_pretty(&issue).expect("JSON of plain data");
            out.write_all(if self.issues == 0 { b"[\n  " } else { b",\n  " })?;
            out.write_all(text.replace('\n', "\n  ").as_bytes())?;
            self.issues += 1;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", if self.issues == 0 { "[]" } else { "\n]" })
    }
}

impl Reporter for Gitlab {
    fn stream(&self) -> Box<dyn FileStream + '_> {
        Box::new(GitlabStream::default())
    }
}
