//! One line a finding: `path:line:col: severity[rule] message` (what editors and grep read).

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
                    at.file.display(),
                    at.line,
                    at.column,
                    level(d),
                    d.rule,
                    d.message
                )?;
            }
        }
        Ok(())
    }
}
