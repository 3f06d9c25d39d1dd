//! The format for people: miette's graphical report of each finding with its source lines.
//!
//! Each file is masked once per report, and miette is handed only the lines around a finding
//! (found by binary search over the file's lines), so rendering is linear in the output.

use super::display::{Shown, printable};
use super::reporter::{Counts, FileStream, Reporter};
use crate::diagnostic::{Diagnostic, Severity};
use crate::linter::FileReport;
use crate::source::{FileId, LineIndex, SourceFile};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::io::{self, Write};
use std::ops::Range;
use std::sync::Arc;

/// A file as people see it (masked, escaped, long lines cut) and where its lines start.
struct Excerpts {
    name: String,
    shown: Shown,
    lines: LineIndex,
}

impl Excerpts {
    fn new(file: &SourceFile, secrets: &[Range<usize>]) -> Excerpts {
        let shown = Shown::new(file.bytes(), secrets);
        Excerpts {
            name: printable(&file.path.display().to_string()),
            lines: LineIndex::new(&shown.bytes),
            shown,
        }
    }

    /// Bytes of lines `from..to` (0-based indexes, clamped).
    fn lines(&self, from: usize, to: usize) -> Range<usize> {
        let start = self.lines.line_start(from);
        start..self.lines.line_start(to).max(start)
    }
}

impl SourceCode for Excerpts {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let first = self.lines.line_index(span.offset());
        let last = self
            .lines
            .line_index(span.offset() + span.len().saturating_sub(1));
        // One spare line each side, for miette's own line counting.
        let from = first.saturating_sub(before + 1);
        let window = self.lines(from, last + after + 2);
        let data = &self.shown.bytes[window.clone()];
        let local = SourceSpan::new(
            span.offset().saturating_sub(window.start).into(),
            span.len(),
        );
        let inner = data.read_span(&local, before, after)?;
        let start = window.start + inner.span().offset();
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.shown.bytes[start..start + inner.data().len()],
            SourceSpan::new(start.into(), inner.data().len()),
            from + inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// Adapter that lets miette render one of our diagnostics with its source file.
struct Rendered<'a> {
    diag: &'a Diagnostic,
    /// Message and help as a terminal may show them.
    message: String,
    help: Option<String>,
    span: Range<usize>,
    /// The file's lines; none for a finding on a server.
    source: Option<Arc<Excerpts>>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            self.diag.label.clone(),
            self.span.start,
            self.span.end - self.span.start,
        ))))
    }
}

/// miette's report, then a summary.
pub struct Human {
    pub color: bool,
    pub width: usize,
    /// Only the findings: no summary.
    pub quiet: bool,
}

impl Human {
    /// Render the findings of one file (without the summary line).
    pub fn render(&self, report: &FileReport) -> String {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            // Break lines at spaces only: Unicode line breaking cost more than the rest of a
            // report, and messages are ASCII.
            .with_word_separator(textwrap::WordSeparator::AsciiSpace);
        let mut out = String::new();
        if report.is_server_only() {
            for diag in &report.diagnostics {
                let at = match &diag.parameter {
                    Some(p) => format!("{} {p}", report.path.display()),
                    None => report.path.display().to_string(),
                };
                let rendered = Rendered {
                    diag,
                    message: printable(&format!("{at}: {}", diag.message)),
                    help: diag.help.as_deref().map(printable),
                    span: 0..0,
                    source: None,
                };
                let _ = handler.render_report(&mut out, &rendered);
                out.push('\n');
            }
            return out;
        }
        let mut excerpts: Vec<Option<Arc<Excerpts>>> = vec![None; report.sources.len()];
        // People read top to bottom: the checked file first, then included files, by position.
        let mut ordered: Vec<(FileId, usize, &Diagnostic)> = report
            .diagnostics
            .iter()
            .map(|d| {
                let at = d
                    .primary
                    .as_ref()
                    .map_or((FileId::ROOT, 0), |s| (s.file, s.range.start));
                (at.0, at.1, d)
            })
            .collect();
        ordered.sort_by_key(|(file, offset, _)| (*file, *offset));
        for (file, _, diag) in ordered {
            let source = excerpts[file.index()]
                .get_or_insert_with(|| {
                    let secrets: Vec<Range<usize>> = report
                        .secrets
                        .iter()
                        .filter(|s| s.file == file)
                        .map(|s| s.range.clone())
                        .collect();
                    Arc::new(Excerpts::new(report.sources.get(file), &secrets))
                })
                .clone();
            let span = source.shown.map_range(report.location(diag).range);
            let rendered = Rendered {
                diag,
                message: printable(&diag.message),
                help: diag.help.as_deref().map(printable),
                span,
                source: Some(source),
            };
            let _ = handler.render_report(&mut out, &rendered);
            out.push('\n');
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Reporter for Human {
    fn stream(&self) -> Box<dyn FileStream + '_> {
        Box::new(HumanStream::new(self))
    }

    fn render_file(&self, report: &FileReport) -> Option<String> {
        Some(self.render(report))
    }
}

/// Each file's findings as soon as it is checked; the summary at the end.
struct HumanStream<'a> {
    human: &'a Human,
    files: usize,
    /// Of them, audits of running servers.
    servers: usize,
    counts: Counts,
    /// Where redis-server would stop, per file that it would refuse.
    refusals: Vec<String>,
}

impl<'a> HumanStream<'a> {
    fn new(human: &'a Human) -> HumanStream<'a> {
        HumanStream {
            human,
            files: 0,
            servers: 0,
            counts: Counts::default(),
            refusals: Vec::new(),
        }
    }

    fn add_rendered(
        &mut self,
        r: &FileReport,
        text: String,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        out.write_all(text.as_bytes())?;
        self.files += 1;
        self.servers += usize::from(r.server.is_some());
        self.counts.add(r);
        if let Some(first) = r.first_invalid() {
            let at = r.location(first);
            self.refusals.push(format!(
                "redis-server would refuse to start: {}:{}: {}",
                printable(&at.file.display().to_string()),
                at.line,
                first.rule
            ));
        }
        Ok(())
    }
}

impl FileStream for HumanStream<'_> {
    fn file(
        &mut self,
        r: &FileReport,
        rendered: Option<String>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let text = rendered.unwrap_or_else(|| self.human.render(r));
        self.add_rendered(r, text, out)
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.human.quiet {
            return Ok(());
        }
        let (n, c) = (self.files, self.counts);
        let subject = if self.servers == n && n > 0 {
            format!("{n} server{} audited", plural(n))
        } else {
            format!("{n} file{} checked", plural(n))
        };
        writeln!(
            out,
            "{subject}: {} error{}, {} warning{}, {} info",
            c.errors,
            plural(c.errors),
            c.warnings,
            plural(c.warnings),
            c.infos
        )?;
        if c.fixable + c.unsafe_fixable > 0 {
            writeln!(
                out,
                "{} fixable with `--fix`, {} more with `--fix --unsafe-fixes` (`--diff` shows them)",
                c.fixable, c.unsafe_fixable
            )?;
        }
        for line in &self.refusals {
            writeln!(out, "{line}")?;
        }
        Ok(())
    }
}

/// `--statistics`: how many findings of each rule, instead of the findings.
pub struct Statistics;

impl Reporter for Statistics {
    fn stream(&self) -> Box<dyn FileStream + '_> {
        Box::new(StatisticsStream::default())
    }
}

/// Findings and unsafe-fixable findings per rule, counted as files come.
#[derive(Default)]
struct StatisticsStream {
    counts: std::collections::BTreeMap<String, (usize, usize)>,
}

impl FileStream for StatisticsStream {
    fn file(&mut self, r: &FileReport, _: Option<String>, _: &mut dyn Write) -> io::Result<()> {
        for d in &r.diagnostics {
            let entry = self.counts.entry(d.rule.clone()).or_default();
            entry.0 += 1;
            if d.fix
                .as_ref()
                .is_some_and(|f| f.applies(crate::diagnostic::Applicability::Unsafe))
            {
                entry.1 += 1;
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let mut rows: Vec<(&str, (usize, usize))> = self
            .counts
            .iter()
            .map(|(id, n)| (id.as_str(), *n))
            .collect();
        rows.sort_by_key(|(id, (n, _))| (std::cmp::Reverse(*n), *id));
        let width = rows.iter().map(|(id, _)| id.len()).max().unwrap_or(0);
        for (id, (n, fixable)) in rows {
            let mark = if fixable > 0 {
                format!("  ({fixable} fixable)")
            } else {
                String::new()
            };
            writeln!(out, "{n:5}  {id:width$}{mark}")?;
        }
        Ok(())
    }
}
