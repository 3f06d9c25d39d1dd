//! One line a finding: `path:line:col: severity[rule] message` (what editors and grep read).

use super::display::printable;
use super::reporter::{FileStream, LineStream, Reporter, level, rendered};
use crate::linter::FileReport;
use std::io::{self, Write};

pub struct Concise;

impl Reporter for Concise {
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
        if r.is_server_only() {
            // A server has no lines: `redis://host:port parameter: severity[rule] message`.
            writeln!(
                out,
                "{}{}: {}[{}] {}",
                printable(&r.path.display().to_string()),
                d.parameter
                    .as_deref()
                    .map_or(String::new(), |p| format!(" {}", printable(p))),
                level(d),
                d.rule,
                printable(&d.message)
            )?;
            continue;
        }
        let at = r.location(d);
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            printable(&at.file.display().to_string()),
            at.line,
            at.column,
            level(d),
            d.rule,
            printable(&d.message)
        )?;
    }
    Ok(())
}
