//! The stable machine format:
//! `{"files":[{"path":..,"mode":..,"diagnostics":[{"rule":..,"line":..,"fix":{..}}]}],"summary":{..}}`.

use super::reporter::{Counts, Reporter, SecretTexts, shown_edits};
use crate::diagnostic::{Applicability, Severity};
use crate::linter::FileReport;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonEdit {
    file: String,
    start: JsonPosition,
    end: JsonPosition,
    content: String,
}

#[derive(Serialize)]
struct JsonFix {
    title: String,
    applicability: Applicability,
    edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix>,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: String,
    /// How the file was read: `server` (a redis.conf) or `sentinel`.
    mode: &'static str,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    fixable: usize,
    unsafe_fixable: usize,
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    files: Vec<JsonFile<'a>>,
    summary: JsonSummary,
}

/// JSON, pretty-printed.
pub struct Json;

impl Json {
    pub fn render(reports: &[FileReport]) -> String {
        let files = reports
            .iter()
            .map(|r| (r, SecretTexts::of(r)))
            .map(|(r, known)| JsonFile {
                path: r.path.display().to_string(),
                mode: if r.sentinel { "sentinel" } else { "server" },
                diagnostics: r
                    .diagnostics
                    .iter()
                    .map(|d| {
                        let at = r.location(d);
                        let fix = d.fix.as_ref().map(|f| JsonFix {
                            title: f.title.clone(),
                            applicability: f.applicability,
                            edits: shown_edits(r, f, &known)
                                .into_iter()
                                .map(|e| JsonEdit {
                                    file: e.start.file.display().to_string(),
                                    start: JsonPosition {
                                        line: e.start.line,
                                        column: e.start.column,
                                    },
                                    end: JsonPosition {
                                        line: e.end.line,
                                        column: e.end.column,
                                    },
                                    content: e.content,
                                })
                                .collect(),
                        });
                        JsonDiagnostic {
                            rule: &d.rule,
                            severity: d.severity,
                            message: &d.message,
                            file: at.file.display().to_string(),
                            line: at.line,
                            column: at.column,
                            end_line: at.end_line,
                            end_column: at.end_column,
                            help: d.help.as_deref(),
                            fix,
                        }
                    })
                    .collect(),
            })
            .collect();
        let c = Counts::of(reports);
        let summary = JsonSummary {
            files: reports.len(),
            errors: c.errors,
            warnings: c.warnings,
            infos: c.infos,
            fixable: c.fixable,
            unsafe_fixable: c.unsafe_fixable,
        };
        serde_json::to_string_pretty(&JsonOutput { files, summary }).expect("JSON of plain data")
    }
}

impl Reporter for Json {
    fn report(&self, reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", Json::render(reports))
    }
}
