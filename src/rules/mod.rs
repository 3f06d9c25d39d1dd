//! Rules as data: `[[rule]]` tables in TOML files under `rules/`, read with serde, validated
//! once, and evaluated by a generic engine over the effective configuration.

pub mod engine;
pub mod facts;
pub mod model;
pub mod versions;

use crate::catalog::{self, Catalog};
use crate::diagnostic::Severity;
use miette::{NamedSource, SourceSpan};
use model::{Condition, DirName, FixAction, RuleDef, RuleFile};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use versions::VersionReq;

/// Placeholders a message template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "value",
    "default",
    "line",
    "file",
    "directive",
    "target_version",
    "item",
    "items",
    "reason",
    "name",
    "primary",
];

/// Checks written in Rust (the loader's validity checks and the engine's own findings): they
/// have no rule file, but selections, suppressions and listings know them.
pub const BUILTIN_CHECKS: &[(&str, Severity, &str)] = &[
    (
        "invalid/unbalanced-quotes",
        Severity::Error,
        "the tokenizer fails: a quote is never closed or is glued to text",
    ),
    (
        "invalid/unknown-directive",
        Severity::Error,
        "a directive the target version does not know",
    ),
    (
        "invalid/wrong-arity",
        Severity::Error,
        "wrong number of values for the directive",
    ),
    (
        "invalid/bad-value",
        Severity::Error,
        "a value redis-server rejects (type, enum, unit, range, special syntax)",
    ),
    (
        "invalid/include-not-found",
        Severity::Error,
        "an `include` that cannot be read",
    ),
    (
        "invalid/include-cycle",
        Severity::Error,
        "an `include` of a file that is already being read",
    ),
    (
        "invalid/byte-order-mark",
        Severity::Error,
        "a UTF-8 byte order mark at the start of the file",
    ),
    (
        "invalid/conflicting-directives",
        Severity::Error,
        "directives redis-server refuses together (replicaof in cluster mode, ...)",
    ),
    (
        "invalid/module-config-without-module",
        Severity::Error,
        "a module config (`a.b value`) with no `loadmodule`",
    ),
    (
        "syntax/inline-comment",
        Severity::Warning,
        "`#` after a value is read as more values, not a comment",
    ),
    (
        "syntax/nul-byte",
        Severity::Warning,
        "a NUL byte makes redis-server glue lines together",
    ),
    (
        "correctness/coerced-value",
        Severity::Warning,
        "an old version silently reads the value as something else",
    ),
    (
        "deprecated/ignored-directive",
        Severity::Warning,
        "a directive that is accepted but has no effect",
    ),
    (
        "environment/dir-not-found",
        Severity::Warning,
        "`dir` names a directory that does not exist here",
    ),
    (
        "environment/module-not-found",
        Severity::Warning,
        "a `loadmodule` path that does not exist here",
    ),
    (
        "environment/logfile-unwritable",
        Severity::Warning,
        "the directory of `logfile` does not exist here",
    ),
    (
        "meta/unused-suppression",
        Severity::Warning,
        "a suppression comment that silences nothing",
    ),
    (
        "meta/unknown-suppression",
        Severity::Warning,
        "a suppression comment naming no rule",
    ),
];

fn is_builtin(id: &str) -> bool {
    BUILTIN_CHECKS.iter().any(|(b, _, _)| *b == id)
}

/// One loaded rule and where it was written.
#[derive(Debug, Clone)]
pub struct Rule {
    pub def: RuleDef,
    pub versions: VersionReq,
    /// The rule file's name and text, for errors and `explain`.
    pub file: Arc<(String, String)>,
    pub builtin: bool,
}

impl Rule {
    pub fn id(&self) -> &str {
        self.def.id.get_ref()
    }
    pub fn fixable(&self) -> Option<model::Safety> {
        self.def.fix.as_ref().map(|f| f.safety)
    }
}

/// A problem in a rule file, pointing into it.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(redlint::rule_file))]
pub struct RuleLoadError {
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("here")]
    pub span: Option<SourceSpan>,
    #[help]
    pub help: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    index: HashMap<String, usize>,
}

fn err(
    file: &Arc<(String, String)>,
    span: Option<std::ops::Range<usize>>,
    message: String,
    help: Option<String>,
) -> Box<RuleLoadError> {
    Box::new(RuleLoadError {
        message: format!("{}: {message}", file.0),
        src: NamedSource::new(file.0.clone(), file.1.clone()),
        span: span.map(|s| (s.start, s.end - s.start).into()),
        help,
    })
}

impl RuleSet {
    /// The rules embedded in the binary (`rules/*.toml`).
    pub fn builtin() -> Result<RuleSet, Box<RuleLoadError>> {
        let mut set = RuleSet::default();
        for (name, text) in catalog::RULE_SOURCES {
            set.add_source(&format!("rules/{name}.toml"), text, true)?;
        }
        Ok(set)
    }

    /// Add every `*.toml` file of a directory (user rules).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Box<RuleLoadError>> {
        let io = |e: std::io::Error| {
            err(
                &Arc::new((dir.display().to_string(), String::new())),
                None,
                format!("cannot read rule directory: {e}"),
                None,
            )
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(io)?;
            self.add_source(&path.display().to_string(), &text, false)?;
        }
        Ok(())
    }

    /// Parse and validate one rule file.
    pub fn add_source(
        &mut self,
        name: &str,
        text: &str,
        builtin: bool,
    ) -> Result<(), Box<RuleLoadError>> {
        let file = Arc::new((name.to_string(), text.to_string()));
        let parsed: RuleFile = toml::from_str(text)
            .map_err(|e| err(&file, e.span(), e.message().to_string(), None))?;
        for def in parsed.rule {
            let rule = validate(def, &file, builtin)?;
            let id = rule.id().to_string();
            if self.index.contains_key(&id) || is_builtin(&id) {
                return Err(err(
                    &file,
                    Some(rule.def.id.span()),
                    format!("duplicate rule id `{id}`"),
                    Some("rule ids are unique and never reused; pick another id".into()),
                ));
            }
            self.index.insert(id, self.rules.len());
            self.rules.push(rule);
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.index.get(id).map(|&i| &self.rules[i])
    }

    /// Whether `id` names a rule or a built-in check.
    pub fn knows(&self, id: &str) -> bool {
        self.index.contains_key(id) || is_builtin(id)
    }

    /// Whether a selector (an id or a category prefix like `network` / `network/`) names anything.
    pub fn knows_selector(&self, selector: &str) -> bool {
        self.rules
            .iter()
            .map(|r| r.id())
            .chain(BUILTIN_CHECKS.iter().map(|(id, _, _)| *id))
            .any(|id| selector_matches(selector, id))
    }

    /// Check every directive name in the rules against the catalogs of all versions.
    pub fn check_directive_names(&self) -> Result<(), Box<RuleLoadError>> {
        let catalogs: Vec<Arc<Catalog>> = catalog::available()
            .into_iter()
            .filter_map(|v| Catalog::load(v).ok())
            .collect();
        for rule in &self.rules {
            let mut names = Vec::new();
            collect_names(&rule.def, &mut names);
            for name in names {
                if !catalogs.iter().any(|c| c.lookup(name.get_ref()).is_some()) {
                    let suggestion = catalogs
                        .last()
                        .and_then(|c| c.suggest(name.get_ref()).map(str::to_string));
                    return Err(err(
                        &rule.file,
                        Some(name.span()),
                        format!(
                            "unknown directive `{}` in rule `{}`",
                            name.get_ref(),
                            rule.id()
                        ),
                        suggestion.map(|s| format!("did you mean `{s}`?")),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn validate(
    def: RuleDef,
    file: &Arc<(String, String)>,
    builtin: bool,
) -> Result<Rule, Box<RuleLoadError>> {
    let id = def.id.get_ref();
    let ok_id = id.split_once('/').is_some_and(|(c, n)| {
        let kebab = |s: &str| {
            !s.is_empty()
                && s.split('-').all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
        };
        kebab(c) && kebab(n)
    });
    if !ok_id {
        return Err(err(
            file,
            Some(def.id.span()),
            format!("rule id `{id}` is not `category/kebab-name`"),
            None,
        ));
    }
    let versions = match &def.versions {
        Some(v) => VersionReq::parse(v.get_ref())
            .map_err(|e| err(file, Some(v.span()), format!("bad `versions`: {e}"), None))?,
        None => VersionReq::any(),
    };
    for template in std::iter::once(&def.message).chain(def.message_absent.iter()) {
        for name in placeholders(template.get_ref()) {
            let known = PLACEHOLDERS.contains(&name.as_str())
                || name
                    .strip_prefix("param.")
                    .is_some_and(|p| def.params.contains_key(p));
            if !known {
                return Err(err(
                    file,
                    Some(template.span()),
                    format!("unknown placeholder `{{{name}}}` in rule `{id}`"),
                    Some(format!(
                        "known placeholders: {}, and param.<name> for the rule's params",
                        PLACEHOLDERS.join(", ")
                    )),
                ));
            }
        }
    }
    let mut regexes = Vec::new();
    collect_regexes(&def.when, &mut regexes);
    for o in &def.severity_override {
        collect_regexes(&o.when, &mut regexes);
    }
    for r in regexes {
        if let Err(e) = regex::Regex::new(&r) {
            return Err(err(
                file,
                Some(def.id.span()),
                format!("bad regex `{r}` in rule `{id}`: {e}"),
                None,
            ));
        }
    }
    if let Some(fe) = &def.foreach {
        let kinds = [fe.args.is_some(), fe.entries.is_some(), fe.param.is_some()]
            .iter()
            .filter(|&&b| b)
            .count();
        if kinds != 1 {
            return Err(err(
                file,
                Some(def.id.span()),
                format!("`foreach` of rule `{id}` needs exactly one of args, entries, param"),
                None,
            ));
        }
        if let Some(p) = &fe.param
            && !def.params.get(p).is_some_and(|v| v.is_array())
        {
            return Err(err(
                file,
                Some(def.id.span()),
                format!("`foreach.param = \"{p}\"` of rule `{id}` names no list in `params`"),
                None,
            ));
        }
    }
    Ok(Rule {
        def,
        versions,
        file: file.clone(),
        builtin,
    })
}

/// `{name}` placeholders of a template.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    out
}

fn collect_regexes(c: &Condition, out: &mut Vec<String>) {
    match c {
        Condition::All(v) | Condition::Any(v) => v.iter().for_each(|c| collect_regexes(c, out)),
        Condition::Not(c) => collect_regexes(c, out),
        Condition::Matches { regex, .. } => out.push(regex.clone()),
        Condition::ItemMatches(r)
        | Condition::ItemNameMatches(r)
        | Condition::ItemArgsMatches(r) => out.push(r.clone()),
        _ => {}
    }
}

fn collect_names(def: &RuleDef, out: &mut Vec<DirName>) {
    fn cond(c: &Condition, out: &mut Vec<DirName>) {
        match c {
            Condition::All(v) | Condition::Any(v) => v.iter().for_each(|c| cond(c, out)),
            Condition::Not(c) => cond(c, out),
            Condition::Present(d)
            | Condition::Absent(d)
            | Condition::Unset(d)
            | Condition::WeakSecret(d) => out.push(d.clone()),
            Condition::Equals { directive, .. }
            | Condition::OneOf { directive, .. }
            | Condition::Matches { directive, .. }
            | Condition::CountArgs { directive, .. }
            | Condition::AddressClass { directive, .. } => out.push(directive.clone()),
            Condition::Compare {
                directive, than, ..
            } => {
                out.push(directive.clone());
                out.extend(than.iter().cloned());
            }
            _ => {}
        }
    }
    out.extend(def.at.iter().cloned());
    if let Some(fe) = &def.foreach {
        out.extend(fe.args.iter().cloned());
        out.extend(fe.entries.iter().filter(|e| e.get_ref() != "*").cloned());
    }
    cond(&def.when, out);
    for o in &def.severity_override {
        cond(&o.when, out);
    }
    if let Some(fix) = &def.fix {
        for a in &fix.actions {
            if let FixAction::Set { directive, .. } | FixAction::Remove { directive, .. } = a {
                out.push(directive.clone());
            }
        }
    }
}

/// Whether a selector (a rule id, or a category like `network` or `network/`) covers `id`.
pub fn selector_matches(selector: &str, id: &str) -> bool {
    let s = selector.trim_end_matches('/');
    id == s || id.split('/').next() == Some(s)
}
