//! The generic rule engine: evaluates rule conditions over an effective configuration.

use super::facts::{Facts, classify_address, weak_secret};
use super::model::{AclProperty, ArgSelector, ArgWord, CmpOp, Condition, Fact, Profile};
use super::{Rule, RuleSet};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::semantic::values::{memtoull, string2ll};
use crate::semantic::{EffectiveConfig, Entry};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

/// Settings that shape evaluation.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub profile: Option<Profile>,
    /// Per-rule parameter overrides (`[rules."id"] name = value` in redlint.toml).
    pub params: HashMap<String, BTreeMap<String, toml::Value>>,
}

/// What a condition is evaluated against in one `foreach` step.
#[derive(Debug, Clone)]
enum Item<'a> {
    None,
    /// One value of an entry (index into its args).
    Arg {
        entry: &'a Entry,
        index: usize,
        value: String,
    },
    Entry(&'a Entry),
    Param(String),
}

impl Item<'_> {
    fn text(&self) -> Option<String> {
        match self {
            Item::None => None,
            Item::Arg { value, .. } | Item::Param(value) => Some(value.clone()),
            Item::Entry(e) => e.arg_str(0),
        }
    }
}

struct Ctx<'a> {
    cfg: &'a EffectiveConfig,
    facts: &'a Facts,
    profile: Option<Profile>,
    params: &'a BTreeMap<String, toml::Value>,
    regexes: &'a mut HashMap<String, std::rc::Rc<regex::Regex>>,
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// A number from a config value: integers, or memory values in bytes.
fn number(value: &str) -> Option<i128> {
    string2ll(value.as_bytes()).map(i128::from).or_else(|| {
        memtoull(value.as_bytes())
            .filter(|_| !value.is_empty())
            .map(i128::from)
    })
}

fn compare(a: i128, op: CmpOp, b: i128) -> bool {
    match op {
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
    }
}

fn values_equal(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || matches!((number(a), number(b)), (Some(x), Some(y)) if x == y)
}

impl Ctx<'_> {
    fn first(&self, directive: &str) -> Option<String> {
        self.cfg.get(directive).map(|s| s.first_str())
    }

    fn args(&self, directive: &str) -> Vec<String> {
        self.cfg
            .get(directive)
            .map(|s| {
                s.args
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn regex(&mut self, pattern: &str) -> std::rc::Rc<regex::Regex> {
        self.regexes
            .entry(pattern.to_string())
            .or_insert_with(|| {
                std::rc::Rc::new(regex::Regex::new(pattern).expect("validated at load"))
            })
            .clone()
    }

    fn subst(&self, text: &str, item: &Item) -> String {
        match item.text() {
            Some(t) => text.replace("{item}", &t),
            None => text.to_string(),
        }
    }

    /// Replace `{param.NAME}` with the rule parameter's value.
    fn param_subst(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (k, v) in self.params {
            let value = match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out = out.replace(&format!("{{param.{k}}}"), &value);
        }
        out
    }

    fn min_secret_length(&self) -> usize {
        self.params
            .get("min_length")
            .and_then(|v| v.as_integer())
            .map_or(16, |v| v.max(0) as usize)
    }

    fn eval(&mut self, cond: &Condition, item: &Item) -> bool {
        match cond {
            Condition::All(cs) => cs.iter().all(|c| self.eval(c, item)),
            Condition::Any(cs) => cs.iter().any(|c| self.eval(c, item)),
            Condition::Not(c) => !self.eval(c, item),
            Condition::Present(d) => self.cfg.is_set(d.get_ref()),
            Condition::Absent(d) => !self.cfg.is_set(d.get_ref()),
            Condition::Unset(d) => {
                !self.cfg.is_set(d.get_ref())
                    || self
                        .cfg
                        .get(d.get_ref())
                        .is_some_and(|s| s.args.iter().all(|a| a.is_empty()))
            }
            Condition::Equals { directive, value } => self
                .first(directive.get_ref())
                .is_some_and(|v| values_equal(&v, value)),
            Condition::OneOf { directive, values } => self
                .first(directive.get_ref())
                .is_some_and(|v| values.iter().any(|w| values_equal(&v, w))),
            Condition::Matches {
                directive,
                regex,
                arg,
            } => {
                let re = self.regex(regex);
                let args = self.args(directive.get_ref());
                match arg {
                    Some(ArgSelector::Index(i)) => args.get(*i).is_some_and(|a| re.is_match(a)),
                    Some(ArgSelector::Word(ArgWord::All)) => {
                        !args.is_empty() && args.iter().all(|a| re.is_match(a))
                    }
                    _ => args.iter().any(|a| re.is_match(a)),
                }
            }
            Condition::Compare {
                directive,
                op,
                value,
                than,
            } => {
                let Some(a) = self.first(directive.get_ref()).and_then(|v| number(&v)) else {
                    return false;
                };
                let b = match (value, than) {
                    (Some(v), _) => number(&self.param_subst(v)),
                    (None, Some(t)) => self.first(t.get_ref()).and_then(|v| number(&v)),
                    (None, None) => None,
                };
                b.is_some_and(|b| compare(a, *op, b))
            }
            Condition::CountArgs {
                directive,
                op,
                value,
            } => compare(
                self.args(directive.get_ref()).len() as i128,
                *op,
                *value as i128,
            ),
            Condition::Version(req) => {
                super::versions::VersionReq::parse(req).is_ok_and(|r| r.matches(self.cfg.target))
            }
            Condition::Profile(p) => self.profile == Some(*p),
            Condition::Fact(f) => self.fact(*f),
            Condition::AddressClass { directive, any_of } => {
                let values = if directive.get_ref() == "bind" {
                    self.facts.bind.clone()
                } else {
                    self.args(directive.get_ref())
                };
                values.iter().any(|a| any_of.contains(&classify_address(a)))
            }
            Condition::CommandReachable(cmd) => {
                let cmd = lower(&self.subst(cmd, item));
                self.facts.command_reachable(self.cfg, &cmd)
            }
            Condition::WeakSecret(d) => self.first(d.get_ref()).is_some_and(|v| {
                !v.is_empty() && weak_secret(&v, self.min_secret_length()).is_some()
            }),
            Condition::ItemMatches(r) => {
                let re = self.regex(r);
                item.text().is_some_and(|t| re.is_match(&t))
            }
            Condition::ItemIn(values) => item
                .text()
                .is_some_and(|t| values.iter().any(|v| v.eq_ignore_ascii_case(&t))),
            Condition::ItemClass(classes) => item
                .text()
                .is_some_and(|t| classes.contains(&classify_address(&t))),
            Condition::AclUser { user, has } => {
                let users: Vec<super::facts::AclUser> = if user == "{item}" {
                    match item {
                        Item::Entry(e) => vec![super::facts::AclUser::from_line(&e.args)],
                        _ => vec![],
                    }
                } else if user == "default" {
                    vec![self.facts.default_user.clone()]
                } else if user == "*" {
                    self.facts.users.clone()
                } else {
                    self.facts
                        .users
                        .iter()
                        .filter(|u| &u.name == user)
                        .cloned()
                        .collect()
                };
                users.iter().any(|u| match has {
                    AclProperty::Nopass => u.on && u.nopass,
                    AclProperty::PlaintextPassword => !u.plaintext_passwords.is_empty(),
                    AclProperty::Unrestricted => u.is_unrestricted(&self.cfg.catalog),
                    AclProperty::On => u.on,
                })
            }
            Condition::ItemArgsMatches(r) => {
                let re = self.regex(r);
                match item {
                    Item::Entry(e) => {
                        let joined: Vec<String> = e
                            .args
                            .iter()
                            .map(|a| String::from_utf8_lossy(a).into_owned())
                            .collect();
                        re.is_match(&joined.join(" "))
                    }
                    _ => false,
                }
            }
            Condition::ItemNameMatches(r) => {
                let re = self.regex(r);
                matches!(item, Item::Entry(e) if re.is_match(&e.name))
            }
            Condition::ItemIsAlias(want) => match item {
                Item::Entry(e) => e.primary.as_ref().is_some_and(|p| *p != e.name) == *want,
                _ => false,
            },
            Condition::ItemShadowed(want) => match item {
                Item::Entry(e) => self.shadowed(e) == *want,
                _ => false,
            },
            Condition::ItemWeakPassword(want) => {
                let weak = match item {
                    Item::Entry(e) => super::facts::AclUser::from_line(&e.args)
                        .plaintext_passwords
                        .iter()
                        .any(|p| weak_secret(p, self.min_secret_length()).is_some()),
                    _ => false,
                };
                weak == *want
            }
        }
    }

    /// Whether a later valid line of a last-wins directive overrides `entry`.
    fn shadowed(&self, entry: &Entry) -> bool {
        let Some(primary) = entry.primary.as_deref() else {
            return false;
        };
        let Some((_, spec)) = self.cfg.catalog.lookup(primary) else {
            return false;
        };
        // Directives that accumulate or are keyed keep every line.
        let accumulates = matches!(
            primary,
            "save"
                | "rename-command"
                | "user"
                | "loadmodule"
                | "include"
                | "sentinel"
                | "client-output-buffer-limit"
        ) || spec.value_type == crate::catalog::ValueType::Ignored;
        if accumulates {
            return false;
        }
        self.cfg
            .last_entry(primary)
            .is_some_and(|last| !std::ptr::eq(last, entry))
    }

    fn fact(&self, f: Fact) -> bool {
        let facts = self.facts;
        let yes = |d: &str| self.first(d).is_some_and(|v| v.eq_ignore_ascii_case("yes"));
        match f {
            Fact::AuthRequired => facts.auth_required,
            Fact::ProtectedModeEffective => facts.protected_mode,
            Fact::TcpListening => facts.tcp_listening(),
            Fact::NonLoopbackListener => facts.non_loopback_listener(),
            Fact::PlaintextPort => facts.port != 0 && !facts.bind.is_empty(),
            Fact::TlsEnabled => facts.tls_port != 0,
            Fact::AofEnabled => yes("appendonly"),
            Fact::RdbEnabled => !self.cfg.save_points.is_empty(),
            // `slaveof` is the only name before 5.0.
            Fact::IsReplica => ["replicaof", "slaveof"].iter().any(|n| {
                self.cfg.get(n).is_some_and(|s| {
                    !s.args.is_empty() && !s.first_str().eq_ignore_ascii_case("no")
                })
            }),
            Fact::ClusterEnabled => yes("cluster-enabled"),
            Fact::AclInUse => facts.aclfile || !facts.users.is_empty(),
        }
    }
}

/// Evaluate the enabled rules over one effective configuration.
pub fn run(
    set: &RuleSet,
    enabled: &dyn Fn(&Rule) -> bool,
    cfg: &EffectiveConfig,
    options: &EngineOptions,
) -> Vec<Diagnostic> {
    let facts = Facts::compute(cfg);
    let mut regexes = HashMap::new();
    let mut out = Vec::new();
    for rule in &set.rules {
        if !enabled(rule) || !rule.versions.matches(cfg.target) {
            continue;
        }
        if !rule.def.profiles.is_empty()
            && options
                .profile
                .is_some_and(|p| !rule.def.profiles.contains(&p))
        {
            continue;
        }
        let mut params = rule.def.params.clone();
        if let Some(user) = options.params.get(rule.id()) {
            params.extend(user.clone());
        }
        let mut ctx = Ctx {
            cfg,
            facts: &facts,
            profile: options.profile,
            params: &params,
            regexes: &mut regexes,
        };
        evaluate(rule, &mut ctx, &mut out);
    }
    out
}

fn items<'a>(rule: &Rule, ctx: &Ctx<'a>) -> Vec<Item<'a>> {
    let Some(fe) = &rule.def.foreach else {
        return vec![Item::None];
    };
    if let Some(d) = &fe.args {
        return match ctx.cfg.last_entry(d.get_ref()) {
            Some(entry) => entry
                .args
                .iter()
                .enumerate()
                .map(|(index, a)| Item::Arg {
                    entry,
                    index,
                    value: String::from_utf8_lossy(a).into_owned(),
                })
                .collect(),
            None => ctx.args(d.get_ref()).into_iter().map(Item::Param).collect(),
        };
    }
    if let Some(d) = &fe.entries {
        if d.get_ref() == "*" {
            return ctx
                .cfg
                .entries
                .iter()
                .filter(|e| e.valid)
                .map(Item::Entry)
                .collect();
        }
        return ctx.cfg.entries_of(d.get_ref()).map(Item::Entry).collect();
    }
    let list = fe
        .param
        .as_ref()
        .and_then(|p| ctx.params.get(p))
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    list.iter()
        .filter_map(|v| v.as_str().map(|s| Item::Param(s.to_string())))
        .collect()
}

fn evaluate(rule: &Rule, ctx: &mut Ctx, out: &mut Vec<Diagnostic>) {
    let def = &rule.def;
    let collect = def.foreach.as_ref().is_some_and(|f| f.collect);
    let mut matched: Vec<Item> = Vec::new();
    for item in items(rule, ctx) {
        if ctx.eval(&def.when, &item) {
            matched.push(item);
        }
    }
    if matched.is_empty() {
        return;
    }
    if collect {
        let names: Vec<String> = matched.iter().filter_map(Item::text).collect();
        let first = matched.swap_remove(0);
        let severity = severity(rule, ctx, &first);
        out.push(finding(
            rule,
            ctx,
            &Item::None,
            severity,
            Some(names.join(", ")),
        ));
    } else {
        for item in matched {
            let severity = severity(rule, ctx, &item);
            out.push(finding(rule, ctx, &item, severity, None));
        }
    }
}

fn severity(rule: &Rule, ctx: &mut Ctx, item: &Item) -> Severity {
    for o in &rule.def.severity_override {
        if ctx.eval(&o.when, item) {
            return o.severity;
        }
    }
    rule.def.severity
}

/// Span and entry a finding points at.
fn target<'a>(
    rule: &Rule,
    ctx: &Ctx<'a>,
    item: &Item<'a>,
) -> (Option<&'a Entry>, Option<Range<usize>>) {
    match item {
        Item::Arg { entry, index, .. } => {
            let span = if entry.arg_spans.len() == entry.args.len() {
                entry.arg_spans[*index].clone()
            } else {
                entry.span.clone()
            };
            (Some(entry), Some(span))
        }
        Item::Entry(e) => (Some(e), Some(e.span.clone())),
        _ => match rule
            .def
            .at
            .as_ref()
            .and_then(|d| ctx.cfg.last_entry(d.get_ref()))
        {
            Some(e) => (Some(e), Some(e.span.clone())),
            None => (None, None),
        },
    }
}

fn finding(
    rule: &Rule,
    ctx: &Ctx,
    item: &Item,
    severity: Severity,
    items: Option<String>,
) -> Diagnostic {
    let def = &rule.def;
    let (entry, span) = target(rule, ctx, item);
    let location = match (entry, span) {
        (Some(e), Some(span)) => ctx.cfg.location(e, span),
        _ => ctx.cfg.file_start(),
    };
    let template = match (entry, &def.message_absent) {
        (None, Some(absent)) => absent.get_ref(),
        _ => def.message.get_ref(),
    };
    let at = def.at.as_ref().map(|d| d.get_ref().as_str()).unwrap_or("");
    let spec = ctx.cfg.catalog.lookup(at).map(|(_, s)| s);
    let sensitive = spec.is_some_and(|s| s.is_sensitive())
        || matches!(
            at,
            "requirepass"
                | "masterauth"
                | "user"
                | "tls-key-file-pass"
                | "tls-client-key-file-pass"
                | "primaryauth"
        );
    let value = if sensitive {
        "********".to_string()
    } else {
        ctx.args(at).join(" ")
    };
    let mut vars: Vec<(String, String)> = vec![
        ("value".into(), value),
        (
            "default".into(),
            spec.and_then(|s| s.default_value())
                .unwrap_or_else(|| "none".into()),
        ),
        (
            "line".into(),
            entry.map_or("-".into(), |_| location.line.to_string()),
        ),
        ("file".into(), location.file.display().to_string()),
        ("directive".into(), at.to_string()),
        ("target_version".into(), ctx.cfg.target.pretty()),
        ("item".into(), item.text().unwrap_or_default()),
        ("items".into(), items.unwrap_or_default()),
        (
            "name".into(),
            match item {
                Item::Entry(e) | Item::Arg { entry: e, .. } => e.name.clone(),
                _ => entry.map_or(at.to_string(), |e| e.name.clone()),
            },
        ),
        (
            "primary".into(),
            match item {
                Item::Entry(e) | Item::Arg { entry: e, .. } => e.key().to_string(),
                _ => at.to_string(),
            },
        ),
        (
            "reason".into(),
            ctx.first(at)
                .and_then(|v| weak_secret(&v, ctx.min_secret_length()))
                .unwrap_or_default(),
        ),
    ];
    for (k, v) in ctx.params {
        let text = match v {
            toml::Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().map_or(x.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join(", "),
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        vars.push((format!("param.{k}"), text));
    }
    let mut message = template.clone();
    for (k, v) in &vars {
        message = message.replace(&format!("{{{k}}}"), v);
    }
    Diagnostic {
        rule: rule.id().to_string(),
        severity,
        message,
        label: None,
        help: def.fix.as_ref().map(|f| {
            format!(
                "{} ({} fix)",
                f.description,
                match f.safety {
                    super::model::Safety::Safe => "safe",
                    super::model::Safety::Unsafe => "unsafe",
                    super::model::Safety::Manual => "manual",
                }
            )
        }),
        location: Location { ..location },
    }
}
