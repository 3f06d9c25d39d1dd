//! The stable machine format:
//! `{"files":[{"path":..,"diagnostics":[{"rule":..,"line":..}]}]}`.

use super::reporter::Reporter;
use crate::diagnostic::Severity;
use crate::linter::FileReport;
use serde::Serialize;
use std::io::{self, Write};

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
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: String,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    files: Vec<JsonFile<'a>>,
}

/// JSON, pretty-printed.
pub struct Json;

impl Json {
    pub fn render(reports: &[FileReport]) -> String {
        let files = reports
            .iter()
            .map(|r| JsonFile {
                path: r.path.display().to_string(),
                diagnostics: r
                    .diagnostics
                    .iter()
                    .map(|d| {
                        let at = r.location(d);
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
                        }
                    })
                    .collect(),
            })
            .collect();
        serde_json::to_string_pretty(&JsonOutput { files }).expect("JSON of plain data")
    }
}

impl Reporter for Json {
    fn report(&self, reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", Json::render(reports))
    }
}
