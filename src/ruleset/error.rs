//! Load errors of rule files: what is wrong, and where in the TOML.

use miette::{NamedSource, SourceSpan};

/// A rule file's name and text, kept for errors and `explain`.
#[derive(Debug)]
pub struct RuleSource {
    pub name: String,
    pub text: String,
}

/// What is wrong in a rule file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("{0}")]
    Toml(String),
    #[error("cannot read rule directory: {0}")]
    Io(String),
    #[error("rule id `{0}` is not `category/kebab-name`")]
    BadId(String),
    #[error("duplicate rule id `{0}`")]
    DuplicateId(String),
    #[error("bad `versions` in rule `{rule}`: {reason}")]
    BadVersions { rule: String, reason: String },
    #[error("unknown placeholder `{{{name}}}` in rule `{rule}`")]
    UnknownPlaceholder { rule: String, name: String },
    #[error("bad regex `{regex}` in rule `{rule}`: {reason}")]
    BadRegex {
        rule: String,
        regex: String,
        reason: String,
    },
    #[error("unknown directive `{name}` in rule `{rule}`")]
    UnknownDirective { rule: String, name: String },
    #[error("bad fix in rule `{rule}`: {what}")]
    BadFix { rule: String, what: String },
    #[error("rule `{rule}`: {what}")]
    Invalid { rule: String, what: String },
}

/// A problem in a rule file, pointing into it.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{file}: {kind}")]
#[diagnostic(code(redlint::rule_file))]
pub struct RuleLoadError {
    pub kind: RuleError,
    pub file: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("here")]
    pub span: Option<SourceSpan>,
    #[help]
    pub help: Option<String>,
}

pub(super) fn load_error(
    source: &RuleSource,
    span: Option<std::ops::Range<usize>>,
    kind: RuleError,
    help: Option<String>,
) -> Box<RuleLoadError> {
    Box::new(RuleLoadError {
        kind,
        file: source.name.clone(),
        src: NamedSource::new(source.name.clone(), source.text.clone()),
        span: span.map(|s| (s.start, s.end - s.start).into()),
        help,
    })
}
