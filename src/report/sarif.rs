//! SARIF 2.1.0, for GitHub code scanning and other dashboards: rule metadata from the rule
//! data, one result per finding, fixes as SARIF `fixes`. Columns count Unicode code points
//! (`columnKind`), not bytes.

use super::reporter::{Reporter, SecretTexts, shown_edits};
use crate::checks::Check;
use crate::diagnostic::{Diagnostic, Severity};
use crate::linter::FileReport;
use crate::ruleset::RuleSet;
use crate::source::Location;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

pub struct Sarif {
    pub rules: Arc<RuleSet>,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a SARIF URI reference (relative paths stay relative to the run's root).
fn uri(path: &std::path::Path) -> String {
    let text = path.display().to_string();
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// 1-based code-point column of a byte column on a line of `report`'s file.
fn char_column(report: &FileReport, at: &Location) -> usize {
    let Some(file) = report.sources.find(&at.file) else {
        return at.column;
    };
    let source = report.sources.get(file);
    let start = source.lines().line_start(at.line - 1);
    let end = (start + at.column - 1).min(source.bytes().len());
    String::from_utf8_lossy(&source.bytes()[start.min(end)..end])
        .chars()
        .count()
        + 1
}

fn region(report: &FileReport, start: &Location, end: &Location) -> Value {
    json!({
        "startLine": start.line,
        "startColumn": char_column(report, start),
        "endLine": end.line,
        "endColumn": char_column(report, end),
    })
}

impl Sarif {
    fn rule_descriptor(&self, id: &str) -> Value {
        let category = id.split('/').next().unwrap_or(id);
        if let Some(check) = Check::from_id(id) {
            return json!({
                "id": id,
                "shortDescription": { "text": check.summary() },
                "fullDescription": { "text": format!("{}. Built into redlint's reader of redis.conf; it follows what redis-server of the target version does.", check.summary()) },
                "help": { "text": check.summary() },
                "defaultConfiguration": { "level": level(check.severity()) },
                "properties": { "tags": [category] },
            });
        }
        match self.rules.get(id) {
            Some(rule) => {
                let mut help = rule.rationale().trim().to_string();
                if let Some(fix) = rule.fix() {
                    help.push_str(&format!("\n\nFix ({}): {}", fix.applicability, fix.title));
                }
                json!({
                    "id": id,
                    "shortDescription": { "text": rule.summary() },
                    "fullDescription": { "text": rule.rationale().trim() },
                    "help": { "text": help },
                    "defaultConfiguration": { "level": level(rule.severity()) },
                    "properties": { "tags": [category] },
                })
            }
            None => json!({ "id": id, "shortDescription": { "text": id } }),
        }
    }

    fn result(
        &self,
        report: &FileReport,
        known: &SecretTexts,
        d: &Diagnostic,
        rule_index: usize,
    ) -> Value {
        let at = report.location(d);
        let end = Location {
            line: at.end_line,
            column: at.end_column,
            ..at.clone()
        };
        let mut result = json!({
            "ruleId": d.rule,
            "ruleIndex": rule_index,
            "level": level(d.severity),
            "message": { "text": d.message },
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(&at.file) },
                    "region": region(report, &at, &end),
                }
            }],
        });
        if let Some(fix) = d.fix.as_ref().filter(|f| !f.edits.is_empty()) {
            let edits = shown_edits(report, fix, known);
            let file = edits
                .first()
                .map(|e| e.start.file.clone())
                .unwrap_or_default();
            let replacements: Vec<Value> = edits
                .iter()
                .map(|e| {
                    json!({
                        "deletedRegion": region(report, &e.start, &e.end),
                        "insertedContent": { "text": e.content },
                    })
                })
                .collect();
            result["fixes"] = json!([{
                "description": { "text": format!("{} ({})", fix.title, fix.applicability) },
                "artifactChanges": [{
                    "artifactLocation": { "uri": uri(&file) },
                    "replacements": replacements,
                }],
            }]);
        }
        result
    }

    pub fn render(&self, reports: &[FileReport]) -> Value {
        let mut ids: BTreeMap<String, usize> = BTreeMap::new();
        for d in reports.iter().flat_map(|r| &r.diagnostics) {
            let next = ids.len();
            ids.entry(d.rule.clone()).or_insert(next);
        }
        let mut ordered: Vec<(&String, &usize)> = ids.iter().collect();
        ordered.sort_by_key(|(_, i)| **i);
        let rules: Vec<Value> = ordered
            .iter()
            .map(|(id, _)| self.rule_descriptor(id))
            .collect();
        let mut results: Vec<Value> = Vec::new();
        for r in reports {
            let known = SecretTexts::of(r);
            for d in &r.diagnostics {
                results.push(self.result(r, &known, d, ids[&d.rule]));
            }
        }
        json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "redlint",
                        "version": env!("CARGO_PKG_VERSION"),
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }]
        })
    }
}

impl Reporter for Sarif {
    fn report(&self, reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
        let doc = serde_json::to_string_pretty(&self.render(reports)).expect("JSON of plain data");
        writeln!(out, "{doc}")
    }
}
