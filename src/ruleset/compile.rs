//! Raw rule tables → compiled rules: regexes built, version requirements parsed, fix actions
//! typed and checked against what the rule iterates over. Anything wrong is a load error with a
//! span into the rule file; nothing is left to fail while rules run.

use super::error::{RuleError, RuleLoadError, RuleSource, load_error};
use super::pattern::Pattern;
use super::raw::{
    AclProperty, AddressClass, ArgSelector, ArgWord, CmpOp, Condition, DirName, Fact, FixAction,
    Generator, Mode, PlaceholderIn, Profile, RuleDef, Safety, ValueFrom, Values, Which,
};
use super::versions::VersionReq;
use crate::diagnostic::{Applicability, Severity};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Placeholders a message template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "value",
    "default",
    "directive",
    "target_version",
    "item",
    "items",
    "reason",
    "name",
    "primary",
];

/// A rule ready to run.
#[derive(Debug, Clone)]
pub struct Rule {
    pub(crate) id: String,
    pub(crate) severity: Severity,
    pub(crate) summary: String,
    pub(crate) message: String,
    pub(crate) message_absent: Option<String>,
    pub(crate) rationale: String,
    pub(crate) sources: Vec<String>,
    pub(crate) versions: VersionReq,
    pub(crate) versions_declared: bool,
    pub(crate) profiles: Vec<Profile>,
    pub(crate) at: Option<String>,
    pub(crate) foreach: Option<Foreach>,
    pub(crate) when: Cond,
    pub(crate) severity_override: Vec<Override>,
    pub(crate) params: BTreeMap<String, toml::Value>,
    pub(crate) fix: Option<FixTemplate>,
    pub(crate) example_bad: Option<String>,
    pub(crate) example_good: Option<String>,
    pub(crate) default_enabled: bool,
    pub(crate) mode: Mode,
    /// Directives whose values the rule reads (its `at`, items and condition, facts included):
    /// a template's unknown value of any of them leaves the rule nothing to judge.
    pub(crate) reads: Vec<String>,
    /// Some condition reads the wording of a file (what is written, aliases, shadowed lines).
    pub(crate) needs_file: bool,
    /// Directive names the rule mentions, with spans in its file (checked against the catalogs).
    pub(crate) names: Vec<DirName>,
    pub(crate) builtin: bool,
    pub(crate) source: Arc<RuleSource>,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn severity(&self) -> Severity {
        self.severity
    }
    pub fn summary(&self) -> &str {
        &self.summary
    }
    pub fn versions(&self) -> &VersionReq {
        &self.versions
    }
    /// Whether the rule file limits the versions (else it applies to all).
    pub fn has_version_range(&self) -> bool {
        self.versions_declared
    }
    /// Which servers the rule is about (Sentinel rules run on Sentinel configs only).
    pub fn mode(&self) -> Mode {
        self.mode
    }
    pub fn default_enabled(&self) -> bool {
        self.default_enabled
    }
    pub fn is_builtin(&self) -> bool {
        self.builtin
    }
    pub fn needs_file(&self) -> bool {
        self.needs_file
    }
    pub fn fix(&self) -> Option<&FixTemplate> {
        self.fix.as_ref()
    }
    pub fn rationale(&self) -> &str {
        &self.rationale
    }
    pub fn sources(&self) -> &[String] {
        &self.sources
    }
    pub fn example_bad(&self) -> Option<&str> {
        self.example_bad.as_deref()
    }
    pub fn example_good(&self) -> Option<&str> {
        self.example_good.as_deref()
    }
    /// Names of the rule's parameters and their defaults.
    pub fn params(&self) -> &BTreeMap<String, toml::Value> {
        &self.params
    }
}

#[derive(Debug, Clone)]
pub enum ForeachKind {
    Args(String),
    /// `None`: every valid entry.
    Entries(Option<String>),
    Param(String),
}

#[derive(Debug, Clone)]
pub struct Foreach {
    pub kind: ForeachKind,
    pub collect: bool,
    /// Entries: rejected lines too.
    pub invalid_lines: bool,
}

/// A fix as the rule declares it; the fix engine turns it into edits.
#[derive(Debug, Clone)]
pub struct FixTemplate {
    pub title: String,
    /// What the fix really does: a fix declared safe or unsafe with no action is advice only.
    pub applicability: Applicability,
    pub actions: Vec<FixOp>,
}

/// Where the values of a `set` come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixValue {
    Literal(Vec<String>),
    /// A fix parameter, else a generated value; a fix missing both is advice only.
    From {
        param: Option<String>,
        generate: Option<Generator>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixOp {
    Set {
        directive: String,
        value: FixValue,
        keep_existing: bool,
    },
    SetPassword,
    FollowPrimaryPasswords,
    Remove {
        /// `None`: the current entry's directive.
        directive: Option<String>,
        which: Which,
    },
    RenameToPrimary,
    RemoveArg,
    DisableCommand {
        command: String,
    },
}

/// A case of a rule with its own severity (and maybe its own message).
#[derive(Debug, Clone)]
pub struct Override {
    pub(crate) severity: Severity,
    pub(crate) when: Cond,
    pub(crate) message: Option<String>,
    pub(crate) message_absent: Option<String>,
    /// Directives the condition reads: an override that reads a template's unknown value
    /// is not applied.
    pub(crate) reads: Vec<String>,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Written(String),
    Unset(String),
    Ignored(String),
    Equals {
        directive: String,
        value: String,
    },
    OneOf {
        directive: String,
        values: Vec<String>,
    },
    Matches {
        directive: String,
        regex: Pattern,
        arg: ArgSelector,
    },
    Compare {
        directive: String,
        op: CmpOp,
        rhs: Rhs,
    },
    CountArgs {
        directive: String,
        op: CmpOp,
        value: i64,
    },
    Version(VersionReq),
    Profile(Profile),
    Fact(Fact),
    AddressClass {
        directive: String,
        any_of: Vec<AddressClass>,
    },
    CommandReachable(String),
    WeakSecret(String),
    ItemMatches(Pattern),
    ItemIn(Vec<String>),
    ItemClass(Vec<AddressClass>),
    AclUser {
        user: String,
        has: AclProperty,
    },
    ItemWeakPassword(bool),
    ItemArgsMatches(Pattern),
    ItemNameMatches(Pattern),
    ItemIsAlias(bool),
    ItemShadowed(bool),
    ItemPlaceholder(PlaceholderIn),
    ItemWeakSecret(bool),
    PublishedSecret(String),
    ItemPublishedPassword(bool),
    ItemPublishedSecret(bool),
    LineMatches {
        directive: String,
        regex: Pattern,
    },
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone)]
pub enum Rhs {
    /// A literal, possibly with `{param.NAME}` placeholders.
    Literal(String),
    Directive(String),
}

struct Compiler<'a> {
    source: &'a Arc<RuleSource>,
    id: String,
    needs_file: bool,
    builtin: bool,
}

impl Compiler<'_> {
    fn error(&self, span: Option<std::ops::Range<usize>>, kind: RuleError) -> Box<RuleLoadError> {
        load_error(self.source, span, kind, None)
    }

    /// A built-in rule's regex is built on first use (a test builds every one); a user's is
    /// built now, so that a bad pattern is reported when the rule file is loaded.
    fn regex(&self, pattern: &toml::Spanned<String>) -> Result<Pattern, Box<RuleLoadError>> {
        if self.builtin {
            return Ok(Pattern::lazy(pattern.get_ref()));
        }
        Pattern::checked(pattern.get_ref()).map_err(|e| {
            self.error(
                Some(pattern.span()),
                RuleError::BadRegex {
                    rule: self.id.clone(),
                    regex: pattern.get_ref().clone(),
                    reason: e.to_string(),
                },
            )
        })
    }

    fn cond(&mut self, c: &Condition) -> Result<Cond, Box<RuleLoadError>> {
        let name = |d: &DirName| d.get_ref().clone();
        Ok(match c {
            Condition::All(v) => Cond::All(self.conds(v)?),
            Condition::Any(v) => Cond::Any(self.conds(v)?),
            Condition::Not(c) => Cond::Not(Box::new(self.cond(c)?)),
            // On a server, written means "differs from the version's default".
            Condition::Written(d) | Condition::Present(d) => Cond::Written(name(d)),
            Condition::NotWritten(d) | Condition::Absent(d) => {
                Cond::Not(Box::new(Cond::Written(name(d))))
            }
            Condition::Unset(d) => Cond::Unset(name(d)),
            Condition::Ignored(d) => Cond::Ignored(name(d)),
            Condition::Equals { directive, value } => Cond::Equals {
                directive: name(directive),
                value: value.clone(),
            },
            Condition::OneOf { directive, values } => Cond::OneOf {
                directive: name(directive),
                values: values.clone(),
            },
            Condition::Matches {
                directive,
                regex,
                arg,
            } => Cond::Matches {
                directive: name(directive),
                regex: self.regex(regex)?,
                arg: arg.clone().unwrap_or(ArgSelector::Word(ArgWord::Any)),
            },
            Condition::Compare {
                directive,
                op,
                value,
                than,
            } => {
                let rhs = match (value, than) {
                    (Some(v), None) => Rhs::Literal(v.clone()),
                    (None, Some(t)) => Rhs::Directive(name(t)),
                    _ => {
                        return Err(self.error(
                            Some(directive.span()),
                            RuleError::Invalid {
                                rule: self.id.clone(),
                                what: "`compare` needs exactly one of `value` and `than`".into(),
                            },
                        ));
                    }
                };
                Cond::Compare {
                    directive: name(directive),
                    op: *op,
                    rhs,
                }
            }
            Condition::CountArgs {
                directive,
                op,
                value,
            } => Cond::CountArgs {
                directive: name(directive),
                op: *op,
                value: *value,
            },
            Condition::Version(req) => {
                Cond::Version(VersionReq::parse(req.get_ref()).map_err(|e| {
                    self.error(
                        Some(req.span()),
                        RuleError::BadVersions {
                            rule: self.id.clone(),
                            reason: e,
                        },
                    )
                })?)
            }
            Condition::Profile(p) => Cond::Profile(*p),
            Condition::Fact(f) => Cond::Fact(*f),
            Condition::AddressClass { directive, any_of } => Cond::AddressClass {
                directive: name(directive),
                any_of: any_of.clone(),
            },
            Condition::CommandReachable(c) => Cond::CommandReachable(c.clone()),
            Condition::WeakSecret(d) => Cond::WeakSecret(name(d)),
            Condition::ItemMatches(r) => Cond::ItemMatches(self.regex(r)?),
            Condition::ItemIn(v) => Cond::ItemIn(v.clone()),
            Condition::ItemClass(v) => Cond::ItemClass(v.clone()),
            Condition::AclUser { user, has } => Cond::AclUser {
                user: user.clone(),
                has: *has,
            },
            Condition::ItemWeakPassword(b) => Cond::ItemWeakPassword(*b),
            Condition::ItemArgsMatches(r) => Cond::ItemArgsMatches(self.regex(r)?),
            Condition::ItemNameMatches(r) => Cond::ItemNameMatches(self.regex(r)?),
            Condition::ItemIsAlias(b) => {
                self.needs_file = true;
                Cond::ItemIsAlias(*b)
            }
            // A server has one value a parameter: nothing is shadowed there, and a rule about
            // shadowed lines is about the text.
            Condition::ItemShadowed(b) => {
                self.needs_file |= *b;
                Cond::ItemShadowed(*b)
            }
            Condition::ItemPlaceholder(within) => Cond::ItemPlaceholder(*within),
            Condition::ItemWeakSecret(b) => Cond::ItemWeakSecret(*b),
            Condition::PublishedSecret(d) => Cond::PublishedSecret(name(d)),
            Condition::ItemPublishedPassword(b) => Cond::ItemPublishedPassword(*b),
            Condition::ItemPublishedSecret(b) => Cond::ItemPublishedSecret(*b),
            Condition::LineMatches { directive, regex } => Cond::LineMatches {
                directive: name(directive),
                regex: self.regex(regex)?,
            },
        })
    }

    fn conds(&mut self, v: &[Condition]) -> Result<Vec<Cond>, Box<RuleLoadError>> {
        v.iter().map(|c| self.cond(c)).collect()
    }
}

fn is_kebab_id(id: &str) -> bool {
    id.split_once('/').is_some_and(|(c, n)| {
        let kebab = |s: &str| {
            !s.is_empty()
                && s.split('-').all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
        };
        kebab(c) && kebab(n)
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

pub(super) fn compile(
    def: RuleDef,
    source: &Arc<RuleSource>,
    builtin: bool,
) -> Result<Rule, Box<RuleLoadError>> {
    let id = def.id.get_ref().clone();
    let names = directive_names(&def);
    let at_and_items: Vec<String> = def
        .at
        .iter()
        .chain(
            def.foreach
                .iter()
                .flat_map(|f| f.args.iter().chain(f.entries.iter())),
        )
        .map(|d| d.get_ref().clone())
        .filter(|d| d != "*")
        .collect();
    let mut c = Compiler {
        source,
        id: id.clone(),
        needs_file: def.file_only,
        builtin,
    };
    if !is_kebab_id(&id) {
        return Err(c.error(Some(def.id.span()), RuleError::BadId(id)));
    }
    let versions = match &def.versions {
        Some(v) => VersionReq::parse(v.get_ref()).map_err(|e| {
            c.error(
                Some(v.span()),
                RuleError::BadVersions {
                    rule: id.clone(),
                    reason: e,
                },
            )
        })?,
        None => VersionReq::any(),
    };
    let override_messages = def
        .severity_override
        .iter()
        .flat_map(|o| o.message.iter().chain(o.message_absent.iter()));
    for template in std::iter::once(&def.message)
        .chain(def.message_absent.iter())
        .chain(override_messages)
    {
        for name in placeholders(template.get_ref()) {
            let known = PLACEHOLDERS.contains(&name.as_str())
                || name
                    .strip_prefix("param.")
                    .is_some_and(|p| def.params.contains_key(p));
            if !known {
                return Err(load_error(
                    source,
                    Some(template.span()),
                    RuleError::UnknownPlaceholder {
                        rule: id.clone(),
                        name,
                    },
                    Some(format!(
                        "known placeholders: {}, and param.<name> for the rule's params",
                        PLACEHOLDERS.join(", ")
                    )),
                ));
            }
        }
    }
    let foreach = match &def.foreach {
        None => None,
        Some(fe) => {
            let kind = match (&fe.args, &fe.entries, &fe.param) {
                (Some(a), None, None) => ForeachKind::Args(a.get_ref().clone()),
                (None, Some(e), None) => {
                    ForeachKind::Entries((e.get_ref() != "*").then(|| e.get_ref().clone()))
                }
                (None, None, Some(p)) => {
                    if !def.params.get(p).is_some_and(|v| v.is_array()) {
                        return Err(c.error(
                            Some(def.id.span()),
                            RuleError::Invalid {
                                rule: id.clone(),
                                what: format!(
                                    "`foreach.param = \"{p}\"` names no list in `params`"
                                ),
                            },
                        ));
                    }
                    ForeachKind::Param(p.clone())
                }
                _ => {
                    return Err(c.error(
                        Some(def.id.span()),
                        RuleError::Invalid {
                            rule: id.clone(),
                            what: "`foreach` needs exactly one of args, entries, param".into(),
                        },
                    ));
                }
            };
            Some(Foreach {
                kind,
                collect: fe.collect,
                invalid_lines: fe.invalid_lines,
            })
        }
    };
    let when = c.cond(&def.when)?;
    let mut severity_override = Vec::new();
    for o in &def.severity_override {
        let when = c.cond(&o.when)?;
        let mut reads = Vec::new();
        cond_reads(&when, &mut reads);
        severity_override.push(Override {
            severity: o.severity,
            when,
            message: o.message.clone().map(toml::Spanned::into_inner),
            message_absent: o.message_absent.clone().map(toml::Spanned::into_inner),
            reads: sorted(reads),
        });
    }
    let fix = match def.fix {
        None => None,
        Some(fix) => {
            let mut actions = Vec::new();
            for action in fix.actions {
                let span = action.span();
                let op = fix_op(action.into_inner(), foreach.as_ref()).map_err(|what| {
                    c.error(
                        Some(span),
                        RuleError::BadFix {
                            rule: id.clone(),
                            what,
                        },
                    )
                })?;
                actions.push(op);
            }
            let applicability = match (fix.safety, actions.is_empty()) {
                (Safety::Manual, _) | (_, true) => Applicability::DisplayOnly,
                (Safety::Unsafe, false) => Applicability::Unsafe,
                (Safety::Safe, false) => Applicability::Safe,
            };
            Some(FixTemplate {
                title: fix.description,
                applicability,
                actions,
            })
        }
    };
    let reads = {
        let mut r = at_and_items;
        cond_reads(&when, &mut r);
        sorted(r)
    };
    Ok(Rule {
        id,
        severity: def.severity,
        summary: def.summary,
        message: def.message.into_inner(),
        message_absent: def.message_absent.map(toml::Spanned::into_inner),
        rationale: def.rationale,
        sources: def.sources,
        versions_declared: def.versions.is_some(),
        versions,
        profiles: def.profiles,
        at: def.at.map(toml::Spanned::into_inner),
        foreach,
        when,
        severity_override,
        params: def.params,
        fix,
        example_bad: def.example_bad,
        example_good: def.example_good,
        default_enabled: def.default_enabled,
        mode: def.mode,
        reads,
        needs_file: c.needs_file,
        names,
        builtin,
        source: source.clone(),
    })
}

/// Type one fix action and check it fits what the rule iterates over.
fn fix_op(action: FixAction, foreach: Option<&Foreach>) -> Result<FixOp, String> {
    let entries = match foreach.map(|f| &f.kind) {
        Some(ForeachKind::Entries(d)) => Some(d.clone()),
        _ => None,
    };
    Ok(match action {
        FixAction::Set {
            directive,
            value,
            keep_existing,
        } => FixOp::Set {
            directive: directive.into_inner(),
            value: match value {
                Values::One(v) => FixValue::Literal(vec![v]),
                Values::Many(v) => FixValue::Literal(v),
                Values::From(ValueFrom {
                    param: None,
                    generate: None,
                }) => {
                    return Err("a value needs `param`, `generate` or both".into());
                }
                Values::From(ValueFrom { param, generate }) => FixValue::From { param, generate },
            },
            keep_existing,
        },
        FixAction::SetPassword {} => FixOp::SetPassword,
        FixAction::FollowPrimaryPasswords {} => FixOp::FollowPrimaryPasswords,
        FixAction::Remove { directive, which } => {
            let directive = directive.map(toml::Spanned::into_inner);
            match (which, &entries, &directive) {
                (Which::Item, None, _) => {
                    return Err("`which = \"item\"` needs `foreach = { entries = ... }`".into());
                }
                (Which::Item, Some(Some(item)), Some(d)) if item != d => {
                    return Err(format!(
                        "the action names `{d}` but the rule's items are `{item}` lines"
                    ));
                }
                (Which::Item, Some(None), Some(d)) => {
                    return Err(format!(
                        "the action names `{d}` but the rule's items are lines of any directive; leave `directive` out"
                    ));
                }
                (Which::All | Which::Overridden, _, None) => {
                    return Err("removing all or overridden lines needs a `directive`".into());
                }
                _ => {}
            }
            FixOp::Remove { directive, which }
        }
        FixAction::RenameDirective {} => {
            if entries.is_none() {
                return Err("`rename_directive` needs `foreach = { entries = ... }`".into());
            }
            FixOp::RenameToPrimary
        }
        FixAction::RemoveArg {} => {
            if !matches!(foreach.map(|f| &f.kind), Some(ForeachKind::Args(_))) {
                return Err("`remove_arg` needs `foreach = { args = ... }`".into());
            }
            FixOp::RemoveArg
        }
        FixAction::DisableCommand { command } => FixOp::DisableCommand { command },
    })
}

/// The directives a condition reads: those it names and those its facts are made of.
fn cond_reads(c: &Cond, out: &mut Vec<String>) {
    match c {
        Cond::All(v) | Cond::Any(v) => v.iter().for_each(|c| cond_reads(c, out)),
        Cond::Not(c) => cond_reads(c, out),
        Cond::Written(d)
        | Cond::Unset(d)
        | Cond::Ignored(d)
        | Cond::WeakSecret(d)
        | Cond::PublishedSecret(d) => out.push(d.clone()),
        Cond::Equals { directive, .. }
        | Cond::OneOf { directive, .. }
        | Cond::Matches { directive, .. }
        | Cond::CountArgs { directive, .. }
        | Cond::AddressClass { directive, .. }
        | Cond::LineMatches { directive, .. } => out.push(directive.clone()),
        Cond::Compare { directive, rhs, .. } => {
            out.push(directive.clone());
            if let Rhs::Directive(d) = rhs {
                out.push(d.clone());
            }
        }
        Cond::Fact(f) => out.extend(f.reads().iter().map(|s| s.to_string())),
        Cond::CommandReachable(_) | Cond::AclUser { .. } => out.extend(
            ["user", "aclfile", "requirepass", "rename-command"]
                .iter()
                .map(|s| s.to_string()),
        ),
        _ => {}
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// Directive names a rule mentions, with their spans in the rule file (for the catalog check).
fn directive_names(def: &RuleDef) -> Vec<DirName> {
    fn cond(c: &Condition, out: &mut Vec<DirName>) {
        match c {
            Condition::All(v) | Condition::Any(v) => v.iter().for_each(|c| cond(c, out)),
            Condition::Not(c) => cond(c, out),
            Condition::Written(d)
            | Condition::NotWritten(d)
            | Condition::Present(d)
            | Condition::Absent(d)
            | Condition::Unset(d)
            | Condition::Ignored(d)
            | Condition::WeakSecret(d)
            | Condition::PublishedSecret(d) => out.push(d.clone()),
            Condition::Equals { directive, .. }
            | Condition::OneOf { directive, .. }
            | Condition::Matches { directive, .. }
            | Condition::CountArgs { directive, .. }
            | Condition::AddressClass { directive, .. }
            | Condition::LineMatches { directive, .. } => out.push(directive.clone()),
            Condition::Compare {
                directive, than, ..
            } => {
                out.push(directive.clone());
                out.extend(than.iter().cloned());
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    out.extend(def.at.iter().cloned());
    if let Some(fe) = &def.foreach {
        out.extend(fe.args.iter().cloned());
        out.extend(fe.entries.iter().filter(|e| e.get_ref() != "*").cloned());
    }
    cond(&def.when, &mut out);
    for o in &def.severity_override {
        cond(&o.when, &mut out);
    }
    if let Some(fix) = &def.fix {
        for a in &fix.actions {
            match a.get_ref() {
                FixAction::Set { directive, .. } => out.push(directive.clone()),
                FixAction::Remove {
                    directive: Some(d), ..
                } => out.push(d.clone()),
                _ => {}
            }
        }
    }
    out
}
