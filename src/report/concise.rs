//! One line a finding: `path:line:col: severity[rule] message` (what editors and grep read).

use super::display::printable;
use super::reporter::{FileStream, Reporter, level, rendered};
use crate::linter::FileReport;
use std::io::{self, Write};

pub struct Concise;

impl Reporter for Concise {
    fn report(&self, reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
        reports.iter().try_for_each(|r| write_file(r, out))
    }

    fn streaming(&self) -> Option<Box<dyn FileStream + '_>> {
        Some(Box::new(Concise))
    }

    fn render_file(&self, report: &FileReport) -> Option<String> {
        rendered(report, write_file)
    }
}

impl FileStream for Concise {
    fn finish(&mut self, _: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn file(&mut self, r: FileReport, out: &mut dyn Write) -> io::Result<()> {
        write_file(&r, out)
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
