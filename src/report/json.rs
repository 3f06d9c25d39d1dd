//! The stable machine format:
//! `{"files":[{"path":..,"mode":..,"diagnostics":[{"rule":..,"line":..,"fix":{..}}]}],"summary":{..}}`.

use super::reporter::{Counts, FileStream, Reporter, SecretTexts, shown_edits};
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
    /// The server parameter a live audit's finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: String,
    /// How the file was read: `server` (a redis.conf) or `sentinel`.
    mode: &'static str,
    /// The audited server (`redis://host:port`), for a live audit.
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
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

/// JSON, pretty-printed. Written file by file: each file's object is made on the thread that
/// checked it, and only the summary waits for the end.
pub struct Json;

impl Json {
    pub fn render(reports: &[FileReport]) -> String {
        let mut out = Vec::new();
        let mut stream = JsonStream::default();
        for r in reports {
            let _ = stream.write(r, &file_text(r), &mut out);
        }
        let _ = stream.finish(&mut out);
        let mut text = String::from_utf8(out).expect("JSON is UTF-8");
        text.truncate(text.trim_end().len());
        text
    }
}

/// One file's object, indented as an element of the top-level `files` array.
fn file_text(r: &FileReport) -> String {
    let known = SecretTexts::of(r);
    let file = JsonFile {
        path: r.path.display().to_string(),
        mode: if r.sentinel { "sentinel" } else { "server" },
        target: r.server.as_deref(),
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
                    parameter: d.parameter.as_deref(),
                }
            })
            .collect(),
    };
    indented(
        &serde_json::to_string_pretty(&file).expect("JSON of plain data"),
        "    ",
    )
}

/// `text` with every line but the first indented (JSON strings hold no raw line breaks).
fn indented(text: &str, by: &str) -> String {
    text.replace('\n', &format!("\n{by}"))
}

/// The document `{"files": [...], "summary": {...}}`, as serde_json pretty-prints it.
#[derive(Default)]
struct JsonStream {
    files: usize,
    counts: Counts,
}

impl JsonStream {
    fn write(&mut self, r: &FileReport, text: &str, out: &mut dyn Write) -> io::Result<()> {
        let before = if self.files == 0 {
            "{\n  \"files\": [\n"
        } else {
            ",\n"
        };
        out.write_all(before.as_bytes())?;
        out.write_all(b"    ")?;
        out.write_all(text.as_bytes())?;
        self.files += 1;
        self.counts.add(r);
        Ok(())
    }
}

impl FileStream for JsonStream {
    fn file(
        &mut self,
        r: &FileReport,
        rendered: Option<String>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let text = rendered.unwrap_or_else(|| file_text(r));
        self.write(r, &text, out)
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let c = self.counts;
        let summary = JsonSummary {
            files: self.files,
            errors: c.errors,
            warnings: c.warnings,
            infos: c.infos,
            fixable: c.fixable,
            unsafe_fixable: c.unsafe_fixable,
        };
        let summary = serde_json::to_string_pretty(&summary).expect("JSON of plain data");
        if self.files == 0 {
            out.write_all(b"{\n  \"files\": [],\n")?;
        } else {
            out.write_all(b"\n  ],\n")?;
        }
        writeln!(out, "  \"summary\": {}\n}}", indented(&summary, "  "))
    }
}

impl Reporter for Json {
    fn stream(&self) -> Box<dyn FileStream + '_> {
        Box::new(JsonStream::default())
    }

    fn render_file(&self, report: &FileReport) -> Option<String> {
        Some(file_text(report))
    }
}
