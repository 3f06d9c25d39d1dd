//! The interface every output format implements, and what they share.

use crate::diagnostic::Severity;
use crate::linter::FileReport;
use std::io::{self, Write};

/// Writes the findings of a run in one format.
pub trait Reporter {
    /// Write everything about `reports` (one per checked file, in the order given).
    fn report(&self, reports: &[FileReport], out: &mut dyn Write) -> io::Result<()>;
}

/// How many findings of each severity a run has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(reports: &[FileReport]) -> Counts {
        let mut c = Counts::default();
        for d in reports.iter().flat_map(|r| &r.diagnostics) {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }
}
