//! One line a finding: `path:line:col: severity[rule] message` (what editors and grep read).

use super::display::printable;
use super::reporter::{Reporter, level};
use crate::linter::FileReport;
use std::io::{self, Write};

pub struct Concise;

impl Reporter for Concise {
    fn report(&self, reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
        for r in reports {
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
        }
        Ok(())
    }
}
