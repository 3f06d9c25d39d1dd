//! SARIF 2.1.0, for GitHub code scanning and other dashboards: rule metadata from the rule
//! data, one result per finding, fixes as SARIF `fixes`. Columns count Unicode code points
//! (`columnKind`), not bytes.

use super::reporter::{FileStream, Reporter, SecretTexts, shown_edits};
use crate::checks::Check;
use crate::diagnostic::{Diagnostic, Severity};
use crate::linter::FileReport;
use crate::ruleset::RuleSet;
use crate::source::Location;
use serde_json::{Value, json};
use std::collections::HashMap;
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
                "fullDescription": { "text": format!("{}. {}", check.summary(), check.origin().replace("ID", id)) },
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
        let mut location = if report.is_server_only() {
            // The server is the artifact (its URL is a URI already); there is no region.
            json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": report.path.display().to_string() },
                }
            })
        } else {
            json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": uri(&at.file) },
                    "region": region(report, &at, &end),
                }
            })
        };
        if let Some(parameter) = &d.parameter {
            location["logicalLocations"] = json!([{
                "name": parameter,
                "fullyQualifiedName": parameter,
                "kind": "parameter",
            }]);
        }
        let mut result = json!({
            "ruleId": d.rule,
            "ruleIndex": rule_index,
            "level": level(d.severity),
            "message": { "text": d.message },
            "locations": [location],
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

    /// The whole document, with `results` standing in for the results array: the text
    /// before it and after it.
    fn document(&self, ids: &[String]) -> (String, String) {
        let rules: Vec<Value> = ids.iter().map(|id| self.rule_descriptor(id)).collect();
        let doc = json!({
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
                "results": RESULTS,
            }]
        });
        let text = serde_json::to_string_pretty(&doc).expect("JSON of plain data");
        let marker = serde_json::to_string(RESULTS).expect("JSON of a string");
        let (head, tail) = text
            .split_once(&marker)
            .expect("the marker is in the document");
        (head.to_string(), tail.to_string())
    }
}

/// Stands for the results array in the document (a string no rule data holds).
const RESULTS: &str = "\u{1}results\u{1}";

/// SARIF written as its results come: rule indexes are given in order of first appearance, the
/// rule descriptors (after the results in the document) at the end. Only when the document's
/// key order puts the rules first are the results' texts kept until then.
struct SarifStream<'a> {
    sarif: &'a Sarif,
    /// Rule ids in order of first appearance, and their indexes.
    ids: Vec<String>,
    index: HashMap<String, usize>,
    /// How deep the results array is indented; None until the document is begun.
    indent: Option<usize>,
    /// The results' texts, when they cannot be written before the rules are known.
    held: Option<Vec<String>>,
    results: usize,
}

impl<'a> SarifStream<'a> {
    fn new(sarif: &'a Sarif) -> SarifStream<'a> {
        SarifStream {
            sarif,
            ids: Vec::new(),
            index: HashMap::new(),
            indent: None,
            held: None,
            results: 0,
        }
    }

    /// Write the text before the results when it does not depend on the rules.
    fn begin(&mut self, out: &mut dyn Write) -> io::Result<usize> {
        if let Some(indent) = self.indent {
            return Ok(indent);
        }
        let (head, _) = self.sarif.document(&[]);
        let (head_with_rule, _) = self.sarif.document(&["invalid/unknown-directive".into()]);
        let indent = head
            .rsplit('\n')
            .next()
            .map_or(0, |l| l.len() - l.trim_start().len());
        if head == head_with_rule {
            out.write_all(head.as_bytes())?;
            out.write_all(b"[")?;
        } else {
            self.held = Some(Vec::new());
        }
        self.indent = Some(indent);
        Ok(indent)
    }
}

impl FileStream for SarifStream<'_> {
    fn file(
        &mut self,
        report: &FileReport,
        _: Option<String>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let indent = self.begin(out)?;
        let known = SecretTexts::of(report);
        let pad = " ".repeat(indent + 2);
        for d in &report.diagnostics {
            let next = self.ids.len();
            let rule_index = *self.index.entry(d.rule.clone()).or_insert_with(|| next);
            if rule_index == next {
                self.ids.push(d.rule.clone());
            }
            let result = self.sarif.result(report, &known, d, rule_index);
            let text = serde_json::to_string_pretty(&result).expect("JSON of plain data");
            let text = format!("{pad}{}", text.replace('\n', &format!("\n{pad}")));
            match &mut self.held {
                Some(held) => held.push(text),
                None => {
                    out.write_all(if self.results == 0 { b"\n" } else { b",\n" })?;
                    out.write_all(text.as_bytes())?;
                }
            }
            self.results += 1;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let indent = self.begin(out)?;
        let (head, tail) = self.sarif.document(&self.ids);
        let close = if self.results == 0 {
            "]".to_string()
        } else {
            format!("\n{}]", " ".repeat(indent))
        };
        if let Some(held) = self.held.take() {
            out.write_all(head.as_bytes())?;
            out.write_all(b"[")?;
            if !held.is_empty() {
                out.write_all(b"\n")?;
                out.write_all(held.join(",\n").as_bytes())?;
            }
        }
        out.write_all(close.as_bytes())?;
        writeln!(out, "{tail}")
    }
}

impl Reporter for Sarif {
    fn stream(&self) -> Box<dyn FileStream + '_> {
        Box::new(SarifStream::new(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// When the rules cannot come after the results, the results are held until the end; the
    /// document is the same either way.
    #[test]
    fn held_results_give_the_same_document() {
        let report = crate::linter::check_bytes(
            std::path::Path::new("redis.conf"),
            b"requirepass hunter2\nbind 0.0.0.0\nport 6379\n".to_vec(),
            &Default::default(),
        )
        .unwrap();
        let sarif = Sarif {
            rules: crate::linter::builtin_rules(),
        };
        let write = |hold: bool| {
            let mut out = Vec::new();
            let mut stream = SarifStream::new(&sarif);
            if hold {
                stream.indent = Some(6);
                stream.held = Some(Vec::new());
            }
            stream.file(&report, None, &mut out).unwrap();
            stream.file(&report, None, &mut out).unwrap();
            stream.finish(&mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let streamed = write(false);
        assert!(streamed.contains("\"ruleIndex\": 1"));
        assert_eq!(write(true), streamed);
        let doc: Value = serde_json::from_str(&streamed).unwrap();
        let results = doc["runs"][0]["results"].as_array().unwrap().len();
        assert_eq!(results, 2 * report.diagnostics.len());
    }
}
