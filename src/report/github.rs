//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request,
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=rule::message`.

use super::reporter::{FileStream, LineStream, Reporter, rendered};
use crate::diagnostic::Severity;
use crate::linter::FileReport;
use std::io::{self, Write};

pub struct Github;

/// Escaping of a workflow command's message (control bytes shown as `\xNN`, never passed on).
fn escape_data(s: &str) -> String {
    crate::report::display::printable(&s.replace('%', "%25")).replace('\n', "%0A")
}

/// Escaping of a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Reporter for Github {
    fn stream(&self) -> Box<dyn FileStream + '_> {
        Box::new(LineStream(write_file))
    }

    fn render_file(&self, report: &FileReport) -> Option<String> {
        rendered(report, write_file)
    }
}

/// The findings of one file, a line each.
fn write_file(r: &FileReport, out: &mut dyn Write) -> io::Result<()> {
    for d in &r.diagnostics {
        let at = r.location(d);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        if r.is_server_only() {
            // No file to annotate: the target and the parameter lead the message.
            let at = match &d.parameter {
                Some(p) => format!("{} {p}", r.path.display()),
                None => r.path.display().to_string(),
            };
            writeln!(
                out,
                "::{command} title={}::{}",
                escape_property(&d.rule),
                escape_data(&format!("{at}: {}", d.message))
            )?;
            continue;
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&at.file.display().to_string()),
            at.line,
            at.column,
            at.end_line,
            at.end_column,
            escape_property(&d.rule),
            escape_data(&d.message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_and_messages_are_escaped() {
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_data("x\ny: z"), "x%0Ay: z");
    }
}
