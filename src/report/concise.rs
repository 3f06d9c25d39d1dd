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
