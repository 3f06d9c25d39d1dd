//! Output formats: miette's graphical report for people, JSON for machines.

use crate::check::FileReport;
use crate::diagnostic::{Diagnostic, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde::Serialize;
use std::fmt;

/// Adapter that lets miette render one of our diagnostics with its source file.
struct Rendered<'a> {
    diag: &'a Diagnostic,
    source: NamedSource<Vec<u8>>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.diag.rule))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = &self.diag.location.span;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            self.diag.label.clone(),
            span.start,
            span.end - span.start,
        ))))
    }
}

/// Render a report the way a person reads it. `color` chooses ANSI colours.
pub fn human(report: &FileReport, color: bool, width: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut out = String::new();
    // People read top to bottom: the checked file first, then included files, by position.
    let mut ordered: Vec<&Diagnostic> = report.diagnostics.iter().collect();
    ordered.sort_by_key(|d| {
        (
            d.location.file != report.path,
            d.location.file.clone(),
            d.location.span.start,
        )
    });
    for diag in ordered {
        let file = &diag.location.file;
        let bytes = report.masked_source(file);
        let rendered = Rendered {
            diag,
            source: NamedSource::new(file.display().to_string(), bytes),
        };
        let _ = handler.render_report(&mut out, &rendered);
        out.push('\n');
    }
    out
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

/// The machine format: `{"files":[{"path":..,"diagnostics":[{"rule":..,"line":..}]}]}`.
pub fn json(reports: &[FileReport]) -> String {
    let files = reports
        .iter()
        .map(|r| JsonFile {
            path: r.path.display().to_string(),
            diagnostics: r
                .diagnostics
                .iter()
                .map(|d| JsonDiagnostic {
                    rule: &d.rule,
                    severity: d.severity,
                    message: &d.message,
                    file: d.location.file.display().to_string(),
                    line: d.location.line,
                    column: d.location.column,
                    end_line: d.location.end_line,
                    end_column: d.location.end_column,
                    help: d.help.as_deref(),
                })
                .collect(),
        })
        .collect();
    serde_json::to_string_pretty(&JsonOutput { files }).expect("JSON of plain data")
}
