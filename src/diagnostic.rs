//! Diagnostics: what a check found, where (a span into a source file), how bad it is, and how
//! it could be fixed.

use crate::source::{FileId, Span};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Ids of findings that mean "redis-server refuses to start" begin with this.
pub const INVALID_PREFIX: &str = "invalid/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not a severity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a severity (use error, warning or info)")]
pub struct BadSeverity(pub String);

impl FromStr for Severity {
    type Err = BadSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(BadSeverity(other.to_string())),
        }
    }
}

/// How far a fix can be trusted, ordered: `DisplayOnly < Unsafe < Safe` (ruff's model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Needs a human decision or a runtime procedure: shown, never applied.
    DisplayOnly,
    /// Changes how the server behaves (clients need a new password, a port closes ...).
    Unsafe,
    /// Keeps the server's effective config, or only makes it stricter with no loss.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }

    /// What the fix does, for listings and `explain`.
    pub fn describe(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only: shown as advice, never applied",
            Applicability::Unsafe => "unsafe: changes runtime behaviour, applied on request",
            Applicability::Safe => "safe: keeps behaviour or only makes it stricter",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Replace `range` of a source file with `content` (an insertion when the range is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: Vec<u8>,
}

/// A secret a fix writes (a generated password). Never shown: `Debug` hides the value.
#[derive(Clone, PartialEq, Eq)]
pub struct WrittenSecret {
    /// What it is, for the console: "the new password of the default user".
    pub what: String,
    pub value: Vec<u8>,
}

impl fmt::Debug for WrittenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WrittenSecret({:?}, ********)", self.what)
    }
}

/// A way to fix a finding: non-overlapping edits of one source file, sorted by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub file: FileId,
    pub edits: Vec<Edit>,
    /// Directives whose meaning the fix changes: two fixes sharing one are applied in separate
    /// passes, each seeing the other's result.
    pub keys: Vec<String>,
    pub secret: Option<WrittenSecret>,
}

impl Fix {
    /// A fix that is only advice: nothing to apply.
    pub fn display_only(title: String, file: FileId) -> Fix {
        Fix {
            title,
            applicability: Applicability::DisplayOnly,
            file,
            edits: Vec::new(),
            keys: Vec::new(),
            secret: None,
        }
    }

    /// Whether the fix may be applied at the given threshold (display-only never is).
    pub fn applies(&self, threshold: Applicability) -> bool {
        self.applicability != Applicability::DisplayOnly
            && self.applicability >= threshold
            && !self.edits.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Rule id, `category/kebab-name`.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// What the finding points at; `None` for a finding about the config as a whole (shown on
    /// the first line of the checked file).
    pub primary: Option<Span>,
    /// Short text shown under the source label.
    pub label: Option<String>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// The parameter a finding on a running server is about (`maxmemory`), where a finding on
    /// a file has a span.
    pub parameter: Option<String>,
}

impl Diagnostic {
    /// Whether redis-server refuses to start because of what this diagnostic reports.
    pub fn is_invalid(&self) -> bool {
        self.rule.starts_with(INVALID_PREFIX)
    }
}
