//! Diagnostics: what a check found, where, and how bad it is.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "`{other}` is not a severity (use error, warning or info)"
            )),
        }
    }
}

/// Where a diagnostic points: a byte range of one file (the checked file or one it includes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub span: Range<usize>,
    /// 1-based, columns counted in bytes; `end_column` is exclusive.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Location {
    /// Line and column of `span` in a parsed file (binary search over its lines).
    pub fn in_tree(
        file: PathBuf,
        tree: &crate::syntax::SyntaxTree,
        span: Range<usize>,
    ) -> Location {
        let (line, column) = tree.line_col(span.start);
        let (end_line, end_column) = tree.line_col(span.end);
        Location {
            file,
            span,
            line,
            column,
            end_line,
            end_column,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Rule id, `category/kebab-name`.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// Short text shown under the source label.
    pub label: Option<String>,
    pub help: Option<String>,
    pub location: Location,
}
