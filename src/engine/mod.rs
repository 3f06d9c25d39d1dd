//! The generic rule engine: evaluates compiled rule conditions over an effective model. It
//! reads the model and nothing else: no file, no syntax tree.

mod eval;
mod fixes;
mod template;

pub use fixes::{Change, FixPlan, Secret, random_password};

use crate::diagnostic::Diagnostic;
use crate::ruleset::raw::Profile;
use crate::ruleset::{ForeachKind, Override, Rule, RuleSet};
use crate::semantic::deployment::{Deployment, DeploymentHints};
use crate::semantic::facts::Facts;
use crate::semantic::{Entry, Model};
use crate::source::Span;
use eval::{Ctx, Item};
use std::collections::{BTreeMap, HashMap};

/// Settings that shape evaluation.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub profile: Option<Profile>,
    /// Per-rule parameter overrides (`[params."id"] name = value` in redlint.toml).
    pub params: HashMap<String, BTreeMap<String, toml::Value>>,
    /// Fix parameters (`--param maxmemory=2gb`, or `[params] maxmemory = "2gb"`).
    pub fix_params: BTreeMap<String, String>,
    /// What the command line, the run and the file say about the deployment.
    pub deployment: DeploymentHints,
}

/// A rule's finding, and the plan of its fix when the rule has one.
#[derive(Debug, Clone)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    pub plan: Option<FixPlan>,
}

/// Evaluate the enabled rules over one effective model, handing each finding to `out` as it is
/// made (a file with a finding on every line need not hold them all twice). Rules that read the
/// wording of a file do not run on a model that has none.
pub fn run(
    set: &RuleSet,
    enabled: &dyn Fn(&Rule) -> bool,
    cfg: &Model,
    options: &EngineOptions,
    out: &mut dyn FnMut(Finding),
) {
    let facts = Facts::compute(cfg);
    let deployment = Deployment::of(cfg, &options.deployment);
    // Values may be unknown: a template's, or a server's that could not be read.
    let template = cfg.entries.iter().any(|e| e.opaque)
        || cfg.server.as_ref().is_some_and(|s| !s.parameters_read);
    for rule in set.rules() {
        if !enabled(rule) || !rule.versions.matches(cfg.target) {
            continue;
        }
        // A value only a template's renderer knows, or one the server did not let us read,
        // leaves the rule nothing to judge.
        if template && rule.reads.iter().any(|d| cfg.is_opaque(d)) {
            continue;
        }
        if rule.needs_file && !cfg.has_file() {
            continue;
        }
        if !rule.profiles.is_empty() && options.profile.is_some_and(|p| !rule.profiles.contains(&p))
        {
            continue;
        }
        let merged;
        let params = match options.params.get(rule.id()) {
            Some(user) => {
                let mut p = rule.params.clone();
                p.extend(user.clone());
                merged = p;
                &merged
            }
            None => &rule.params,
        };
        let ctx = Ctx {
            cfg,
            facts: &facts,
            profile: options.profile,
            params,
            fix_params: &options.fix_params,
            deployment: &deployment,
        };
        evaluate(rule, &ctx, out);
    }
}

fn items<'a>(rule: &Rule, ctx: &Ctx<'a>) -> Vec<Item<'a>> {
    let Some(fe) = &rule.foreach else {
        return vec![Item::None];
    };
    match &fe.kind {
        ForeachKind::Args(d) => match ctx.cfg.last_entry(d) {
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
            None => ctx.args(d).into_iter().map(Item::Param).collect(),
        },
        // A server reports every parameter: its entries are those set to something else
        // than the default.
        ForeachKind::Entries(None) => ctx
            .cfg
            .entries
            .iter()
            .filter(|e| (e.valid || fe.invalid_lines) && !e.opaque && set_explicitly(ctx.cfg, e))
            .map(Item::Entry)
            .collect(),
        ForeachKind::Entries(Some(d)) => ctx
            .cfg
            .entries_of(d)
            .filter(|e| !e.opaque && set_explicitly(ctx.cfg, e))
            .map(Item::Entry)
            .collect(),
        ForeachKind::Param(p) => ctx
            .params
            .get(p)
            .and_then(|v| v.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|v| v.as_str().map(|s| Item::Param(s.to_string())))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A line of a file, or a server's parameter whose value is not the default.
fn set_explicitly(cfg: &Model, entry: &Entry) -> bool {
    cfg.has_file() || !cfg.is_default_value(entry)
}

fn evaluate(rule: &Rule, ctx: &Ctx, out: &mut dyn FnMut(Finding)) {
    let collect = rule.foreach.as_ref().is_some_and(|f| f.collect);
    let mut matched: Vec<Item> = items(rule, ctx)
        .into_iter()
        .filter(|item| ctx.eval(&rule.when, item))
        .collect();
    if matched.is_empty() {
        return;
    }
    if collect {
        let names: Vec<String> = matched.iter().filter_map(Item::text).collect();
        let first = matched.swap_remove(0);
        let case = case(rule, ctx, &first);
        out(finding(rule, ctx, &Item::None, case, &names));
    } else {
        for item in matched {
            let case = case(rule, ctx, &item);
            out(finding(rule, ctx, &item, case, &[]));
        }
    }
}

/// The first override whose case applies to `item`.
fn case<'r>(rule: &'r Rule, ctx: &Ctx, item: &Item) -> Option<&'r Override> {
    rule.severity_override
        .iter()
        // An override that reads a template's unknown value cannot be judged.
        .filter(|o| !o.reads.iter().any(|d| ctx.cfg.is_opaque(d)))
        .find(|o| ctx.eval(&o.when, item))
}

/// The entry a finding is about and the span it points at (none for a finding about
/// something the config does not say, or a model with no file).
fn target<'a>(rule: &Rule, ctx: &Ctx<'a>, item: &Item<'a>) -> (Option<&'a Entry>, Option<Span>) {
    match item {
        Item::Arg { entry, index, .. } => (
            Some(entry),
            entry.arg_span(*index).or_else(|| entry.span().cloned()),
        ),
        Item::Entry(e) => (Some(e), e.span().cloned()),
        _ => match rule.at.as_ref().and_then(|d| ctx.cfg.last_entry(d)) {
            Some(e) => (Some(e), e.span().cloned()),
            None => (None, None),
        },
    }
}

fn finding(
    rule: &Rule,
    ctx: &Ctx,
    item: &Item,
    case: Option<&Override>,
    items: &[String],
) -> Finding {
    let severity = case.map_or(rule.severity, |o| o.severity);
    let (entry, primary) = target(rule, ctx, item);
    let collected = (!items.is_empty()).then(|| items.join(", "));
    let message = template::message(rule, case, ctx, entry, item, collected);
    let plan = fixes::plan(rule, ctx, item, items);
    // A server's finding is located at the parameter it is about.
    let parameter = match entry {
        Some(e) if e.span().is_none() => Some(e.key().to_string()),
        None if !ctx.cfg.has_file() => rule.at.clone(),
        _ => None,
    };
    let help = plan
        .as_ref()
        .map(|p| format!("{} ({} fix)", p.title, p.applicability));
    Finding {
        diagnostic: Diagnostic {
            rule: rule.id().to_string(),
            severity,
            message,
            primary,
            label: None,
            help,
            fix: None,
            parameter,
        },
        plan,
    }
}
