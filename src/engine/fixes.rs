//! From a rule's fix template to a plan: what to change, in terms of the model's lines (their
//! spans) and of directives to add. Turning a plan into byte edits needs the files, and is the
//! fix module's job.

use super::eval::{Ctx, Item};
use crate::diagnostic::{Applicability, WrittenSecret};
use crate::ruleset::raw::{Generator, Which};
use crate::ruleset::{FixOp, FixTemplate, FixValue, Rule};
use crate::semantic::deployment::SENTINEL_COMMANDS;
use crate::semantic::secrets;
use crate::semantic::{Entry, LineOrigin, Model, Origin};
use crate::source::Span;
use crate::syntax;
use std::fmt::Write as _;

/// One change a fix makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Write `values` as the values of an existing line.
    Rewrite {
        line: LineOrigin,
        values: Vec<Vec<u8>>,
    },
    /// Add the line `directive values`: after its section of the stock layout when the checked
    /// file has that section, else at the end of the checked file.
    Insert {
        directive: String,
        values: Vec<Vec<u8>>,
    },
    /// Comment out a line, or delete it when it holds a secret.
    Remove { line: Span, delete: bool },
    /// Replace a directive name as written.
    Rename { name: Span, to: String },
    /// Drop a value and the separator before it (`previous` is the token before).
    RemoveToken { token: Span, previous: Span },
    /// Add words at the end of a line (more rules on an ACL `user` line).
    Append { line: Span, words: Vec<Vec<u8>> },
}

/// A secret a fix writes: never shown, but the fixer says where it went.
pub type Secret = WrittenSecret;

/// A fix in terms of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixPlan {
    pub title: String,
    pub applicability: Applicability,
    pub changes: Vec<Change>,
    /// Directives whose meaning the fix changes: fixes sharing one go in separate passes.
    pub keys: Vec<String>,
    pub secret: Option<Secret>,
}

/// 32 random bytes from the operating system, hex-encoded.
pub fn random_password() -> Vec<u8> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    let mut hex = String::with_capacity(64);
    for b in bytes {
        let _ = write!(hex, "{b:02x}");
    }
    hex.into_bytes()
}

/// The fix parameter `name`: given with `--param` / `[params]`, or implied by the profile.
fn param(ctx: &Ctx, name: &str) -> Option<String> {
    if let Some(v) = ctx.fix_params.get(name) {
        return Some(v.clone());
    }
    use crate::ruleset::raw::Profile;
    match (name, ctx.profile) {
        ("maxmemory-policy", Some(Profile::Cache)) => Some("allkeys-lru".into()),
        ("maxmemory-policy", Some(Profile::Datastore)) => Some("noeviction".into()),
        _ => None,
    }
}

/// A parameter's words, read with Redis' config tokenizer (`bind=10.0.0.1 127.0.0.1`), the same
/// for every target.
fn words(text: &str) -> Vec<Vec<u8>> {
    match syntax::tokenize(text.as_bytes(), syntax::Quoting::Strict) {
        Ok(tokens) => tokens
            .iter()
            .map(|t| t.value(text.as_bytes()).into_owned())
            .collect(),
        Err(_) => vec![text.as_bytes().to_vec()],
    }
}

/// The last valid line of `directive`, when it is a line of a file.
fn written_line<'a>(model: &'a Model, directive: &str) -> Option<&'a LineOrigin> {
    match &model.last_entry(directive)?.origin {
        Origin::Line(l) => Some(l),
        Origin::Server => None,
    }
}

fn line_of(entry: &Entry) -> Option<&LineOrigin> {
    match &entry.origin {
        Origin::Line(l) => Some(l),
        Origin::Server => None,
    }
}

/// The effective `user default` line, if the config has one.
fn default_user_line(model: &Model) -> Option<&LineOrigin> {
    model
        .entries_of("user")
        .filter(|e| e.args.first().is_some_and(|n| n == b"default"))
        .last()
        .and_then(line_of)
}

/// The name the target version knows `directive` by: its own, or an older or newer alias of it
/// (a rule says `replica-read-only`, 4.0 knows `slave-read-only`).
fn target_name(model: &Model, directive: &str) -> Option<String> {
    if let Some((primary, _)) = model.catalog.lookup(directive) {
        return Some(primary.to_string());
    }
    // The newest version that knows the name, from the catalogs' name index.
    let other = crate::catalog::Catalog::load(crate::catalog::newest_with(directive)?).ok()?;
    let (primary, spec) = other.lookup(directive)?;
    std::iter::once(primary)
        .chain(spec.aliases.iter().copied())
        .find_map(|n| model.catalog.lookup(n).map(|(p, _)| p.to_string()))
}

/// Add to `list` the items of `more` it does not hold yet, in order.
fn add_new(list: &mut Vec<String>, more: &[String]) {
    for m in more {
        if !list.contains(m) {
            list.push(m.clone());
        }
    }
}

struct Planner<'a, 'b> {
    ctx: &'a Ctx<'b>,
    applicability: Applicability,
    changes: Vec<Change>,
    keys: Vec<String>,
    missing: Vec<String>,
    /// Why the fix cannot be made here (it stays advice).
    blocked: Option<String>,
    title: String,
    secret: Option<Secret>,
}

impl Planner<'_, '_> {
    fn key(&mut self, k: &str) {
        if !self.keys.iter().any(|x| x == k) {
            self.keys.push(k.to_string());
        }
    }

    fn block(&mut self, why: &str) {
        self.blocked.get_or_insert_with(|| why.to_string());
    }

    /// Set `directive` to `values`: rewrite its line, or insert one.
    fn set(&mut self, directive: &str, values: Vec<Vec<u8>>) {
        let model = self.ctx.cfg;
        let Some(name) = target_name(model, directive) else {
            self.block(&format!(
                "`{directive}` does not exist in {}",
                model.target.pretty()
            ));
            return;
        };
        let directive = name.as_str();
        self.key(directive);
        match (model.last_entry(directive), written_line(model, directive)) {
            (_, Some(line)) => {
                let entry = model.last_entry(directive).expect("a written line");
                if entry.args == values {
                    return;
                }
                self.changes.push(Change::Rewrite {
                    line: line.clone(),
                    values,
                })
            }
            (Some(_), None) => self.block("the value comes from a running server, not a file"),
            (None, None) if !model.has_file() => self.block("there is no file to edit"),
            (None, None) => self.changes.push(Change::Insert {
                directive: directive.to_string(),
                values,
            }),
        }
    }

    /// The password a fix writes: the group's, so that every file of it shares one, or new.
    fn new_password(&self) -> Vec<u8> {
        self.ctx
            .deployment
            .group_password
            .clone()
            .unwrap_or_else(random_password)
    }

    fn note(&mut self, text: &str) {
        if !self.title.contains(text) {
            let _ = write!(self.title, " ({text})");
        }
    }

    fn has_value(&self, directive: &str) -> bool {
        let model = self.ctx.cfg;
        model.is_written(directive)
            && model
                .server_value(directive)
                .is_some_and(|v| !v.is_empty() && v != "0")
    }

    fn resolve(&mut self, directive: &str, value: &FixValue) -> Option<Vec<Vec<u8>>> {
        let model = self.ctx.cfg;
        match value {
            FixValue::Literal(v) => Some(v.iter().map(|w| w.as_bytes().to_vec()).collect()),
            FixValue::From { param: p, generate } => {
                if let Some(text) = p.as_deref().and_then(|p| param(self.ctx, p)) {
                    let values = words(&text);
                    // A value the user chose changes the config unless it is the current one.
                    let current = model.get(directive).map(|s| s.args);
                    let same = current.is_some_and(|c| {
                        c.len() == values.len()
                            && c.iter()
                                .zip(&values)
                                .all(|(a, b)| a.eq_ignore_ascii_case(b))
                    });
                    if !same {
                        self.applicability = self.applicability.min(Applicability::Unsafe);
                    }
                    return Some(values);
                }
                match generate {
                    Some(Generator::Password) => {
                        let pw = self.new_password();
                        self.secret = Some(Secret {
                            what: format!("the new `{directive}`"),
                            value: pw.clone(),
                        });
                        Some(vec![pw])
                    }
                    Some(Generator::LoopbackBind) if self.ctx.deployment.remote.is_some() => {
                        let why = self.ctx.deployment.remote.clone().unwrap_or_default();
                        self.block(&format!(
                            "{why}, so other hosts must reach it: pass the interfaces they use with `--param bind=...`"
                        ));
                        None
                    }
                    Some(Generator::LoopbackBind) if model.target.at_least(6, 2) => {
                        Some(vec![b"127.0.0.1".to_vec(), b"-::1".to_vec()])
                    }
                    Some(Generator::LoopbackBind) => Some(vec![b"127.0.0.1".to_vec()]),
                    Some(Generator::VersionDefault) => {
                        let default = model.default_args(directive)?.to_vecs();
                        // Persistence off and no profile: a cache, which `noeviction` would
                        // make refuse writes at the limit.
                        if directive == "maxmemory-policy"
                            && self.ctx.profile.is_none()
                            && self.ctx.deployment.persistence_off
                            && default.first().is_some_and(|v| v == b"noeviction")
                        {
                            self.block("persistence is off, so this looks like a cache, where the default `noeviction` refuses writes at the limit: pass `--profile cache` (allkeys-lru) or `--param maxmemory-policy=...`");
                            return None;
                        }
                        Some(default)
                    }
                    None => {
                        if let Some(p) = p {
                            self.missing.push(p.clone());
                        }
                        None
                    }
                }
            }
        }
    }

    fn remove(&mut self, entry: &Entry) {
        let delete = secrets::value_not_shown(self.ctx.cfg.catalog, entry.key());
        self.key(entry.key());
        match entry.span() {
            Some(line) => self.changes.push(Change::Remove {
                line: line.clone(),
                delete,
            }),
            None => self.block("the line comes from a running server, not a file"),
        }
    }

    fn set_password(&mut self) {
        let model = self.ctx.cfg;
        // The aclfile's users replace the config's: the password belongs in its `user default`
        // line, and redlint edits config files only.
        if model.aclfile_users.is_some() && model.is_written("aclfile") {
            self.blocked = Some(
                "the aclfile's `user default` line holds it, and redlint does not edit the aclfile"
                    .into(),
            );
            return;
        }
        if let Some(why) = &self.ctx.deployment.external_password {
            self.block(&format!(
                "{why}: change it there, since it overrides a `requirepass` written in the file"
            ));
            return;
        }
        let old = model
            .get("requirepass")
            .and_then(|s| s.args.first().map(<[u8]>::to_vec))
            .filter(|p| !p.is_empty());
        let pw = self.new_password();
        self.key("requirepass");
        self.key("user");
        self.secret = Some(Secret {
            what: "the new password of the default user".into(),
            value: pw.clone(),
        });
        if model.target.at_least(6, 0)
            && let Some(user) = default_user_line(model)
        {
            let mut rule = b">".to_vec();
            rule.extend_from_slice(&pw);
            self.changes.push(Change::Append {
                line: user.line.clone(),
                words: vec![b"resetpass".to_vec(), rule],
            });
            // A requirepass line left with the old password would still be the old secret.
            if model.is_written("requirepass") {
                self.set("requirepass", vec![pw.clone()]);
            }
        } else {
            self.set("requirepass", vec![pw.clone()]);
        }
        // After the password's own edits: an appended line goes after words added to the
        // last line, not between them.
        if !model.sentinel {
            self.follow_masterauth(old.as_deref(), &pw);
        }
    }

    /// Replicas and cluster peers authenticate with `masterauth` as the replication user: a
    /// new password of that user goes there too (a cluster's nodes are each other's replicas),
    /// unless `masterauth` holds another server's password and that server is not fixed in
    /// the same run.
    fn follow_masterauth(&mut self, old: Option<&[u8]>, pw: &[u8]) {
        let deployment = self.ctx.deployment;
        if deployment.replication.is_none() || deployment.replication_user != "default" {
            return;
        }
        let model = self.ctx.cfg;
        let current = model
            .get("masterauth")
            .and_then(|s| s.args.first().map(<[u8]>::to_vec))
            .filter(|p| !p.is_empty());
        match current {
            Some(v) if Some(v.as_slice()) != old && deployment.group_password.is_none() => self
                .note(
                    "`masterauth` is kept: it holds the primary's password; fix the primary and its replicas in one run to give them one password",
                ),
            _ => {
                self.key("masterauth");
                self.set("masterauth", vec![pw.to_vec()]);
            }
        }
    }

    /// A Sentinel authenticates to the primaries it monitors with `sentinel auth-pass`: each
    /// primary fixed in the same run gets its password there.
    fn follow_primary_passwords(&mut self) {
        let model = self.ctx.cfg;
        self.key("sentinel");
        for (master, pw, line) in self.ctx.deployment.stale_auth_pass(model) {
            let values = vec![b"auth-pass".to_vec(), master, pw];
            match line.map(|e| line_of(e)) {
                Some(Some(line)) => self.changes.push(Change::Rewrite {
                    line: line.clone(),
                    values,
                }),
                Some(None) => self.block("the line comes from a running server, not a file"),
                None => self.changes.push(Change::Insert {
                    directive: "sentinel".into(),
                    values,
                }),
            }
        }
    }

    fn disable_commands(&mut self, commands: &[String]) {
        let model = self.ctx.cfg;
        let deployment = self.ctx.deployment;
        let commands: Vec<String> = commands
            .iter()
            .filter(|c| model.catalog.has_command(c) || model.catalog.commands.is_empty())
            .cloned()
            .collect();
        if commands.is_empty() {
            return;
        }
        // What replicas, cluster peers and Sentinel send as their user stays allowed to it.
        let mut kept: Vec<(String, &'static str)> = Vec::new();
        let mut allowed = |user: &str, commands: &[String]| -> Vec<String> {
            let needed = deployment.needed_by(user);
            commands
                .iter()
                .filter(|c| match needed.iter().find(|(n, _)| n == c) {
                    Some((_, who)) => {
                        if !kept.iter().any(|(k, _)| k == *c) {
                            kept.push((c.to_string(), who));
                        }
                        false
                    }
                    None => true,
                })
                .cloned()
                .collect()
        };
        if !model.target.at_least(6, 0) {
            // A rename applies to every client: the replication and Sentinel links included.
            let commands = allowed("default", &commands);
            self.key("rename-command");
            for c in &commands {
                self.changes.push(Change::Insert {
                    directive: "rename-command".into(),
                    values: vec![c.to_ascii_uppercase().into_bytes(), Vec::new()],
                });
            }
            self.title = format!(
                "rename {} to \"\" with `rename-command`",
                commands.join(", ")
            );
            self.say_kept(&kept);
            return;
        }
        self.key("user");
        self.key("requirepass");
        if self.ctx.facts.aclfile {
            self.block("the users come from the aclfile");
            return;
        }
        let catalog = &model.catalog;
        let deny = |cmds: &[String]| -> Vec<Vec<u8>> {
            cmds.iter().map(|c| format!("-{c}").into_bytes()).collect()
        };
        // Every `user` line whose user may run one of the commands gets `-command` rules.
        let mut denied_to: Vec<String> = Vec::new();
        let mut denied: Vec<String> = Vec::new();
        let mut default_line = false;
        for entry in model.entries_of("user") {
            let user = self.ctx.facts.user_of(model, &entry.args);
            default_line |= user.name == "default";
            let reachable: Vec<String> = commands
                .iter()
                .filter(|c| user.on && user.may_run(c, catalog))
                .cloned()
                .collect();
            let reachable = allowed(&user.name, &reachable);
            if reachable.is_empty() {
                continue;
            }
            match entry.span() {
                Some(line) => {
                    denied_to.push(user.name.clone());
                    add_new(&mut denied, &reachable);
                    self.changes.push(Change::Append {
                        line: line.clone(),
                        words: deny(&reachable),
                    });
                }
                None => self.block("the users come from a running server"),
            }
        }
        let implicit = &self.ctx.facts.default_user;
        let reachable: Vec<String> = commands
            .iter()
            .filter(|c| implicit.on && implicit.may_run(c, catalog))
            .cloned()
            .collect();
        let reachable = allowed("default", &reachable);
        if !default_line && !reachable.is_empty() {
            if let Some(why) = &deployment.external_password {
                // A `user default` line replaces the password given outside the file.
                self.block(&format!(
                    "{why}, and a `user default` line would replace that password"
                ));
            }
            denied_to.push("default".into());
            add_new(&mut denied, &reachable);
            self.new_default_user(&reachable);
        }
        if denied.is_empty() {
            self.title = "leave them allowed".into();
            self.say_kept(&kept);
            self.block("the deployment needs them");
            return;
        }
        self.title = format!(
            "deny {} with ACL rules on the user{} {}",
            denied.join(", "),
            if denied_to.len() == 1 { "" } else { "s" },
            denied_to.join(", ")
        );
        self.say_kept(&kept);
        // Nothing says Sentinel monitors this server, but nothing in a file would.
        if deployment.sentinel.is_none()
            && denied
                .iter()
                .any(|c| SENTINEL_COMMANDS.contains(&c.as_str()))
        {
            self.note("pass `--sentinel-managed` if Sentinel monitors this server");
        }
    }

    /// Say which commands a deny fix leaves, and to whom.
    fn say_kept(&mut self, kept: &[(String, &'static str)]) {
        let mut by_who: Vec<(&str, Vec<&str>)> = Vec::new();
        for (c, who) in kept {
            match by_who.iter_mut().find(|(w, _)| w == who) {
                Some((_, list)) => list.push(c),
                None => by_who.push((who, vec![c])),
            }
        }
        for (who, list) in by_who {
            self.note(&format!("{} left to {who}", list.join(", ")));
        }
    }

    /// A `user default` line for the implicit default user, denying `commands`. It replaces
    /// what requirepass set: it carries the password over, and the requirepass line goes, so
    /// the password stays in one place.
    fn new_default_user(&mut self, commands: &[String]) {
        let model = self.ctx.cfg;
        let mut values: Vec<Vec<u8>> = vec![b"default".to_vec(), b"on".to_vec()];
        let password = model
            .get("requirepass")
            .and_then(|s| s.args.first().map(<[u8]>::to_vec))
            .filter(|p| !p.is_empty());
        match password {
            Some(pw) => {
                let mut rule = b">".to_vec();
                rule.extend_from_slice(&pw);
                values.push(rule);
                if let Some(entry) = model.last_entry("requirepass") {
                    self.remove(&entry.clone());
                }
            }
            None => values.push(b"nopass".to_vec()),
        }
        values.push(b"~*".to_vec());
        if model.target.at_least(6, 2) {
            values.push(b"&*".to_vec());
        }
        values.push(b"+@all".to_vec());
        values.extend(commands.iter().map(|c| format!("-{c}").into_bytes()));
        self.changes.push(Change::Insert {
            directive: "user".into(),
            values,
        });
    }

    fn op(&mut self, op: &FixOp, item: &Item, items: &[String]) {
        match op {
            FixOp::Set {
                directive,
                value,
                keep_existing,
            } => {
                if *keep_existing && self.has_value(directive) {
                    return;
                }
                if directive == "unixsocketperm" && self.ctx.deployment.socket_only {
                    self.block("only the unix socket listens (`port 0`), so local clients that are not the server's user would be locked out: give them a group and use 770");
                    return;
                }
                if let Some(values) = self.resolve(directive, value) {
                    self.set(directive, values);
                }
            }
            FixOp::SetPassword => self.set_password(),
            FixOp::FollowPrimaryPasswords => self.follow_primary_passwords(),
            FixOp::Remove { directive, which } => {
                let model = self.ctx.cfg;
                let entries: Vec<Entry> = match (which, directive) {
                    (Which::Item, _) => match item {
                        Item::Entry(e) => vec![(*e).clone()],
                        _ => Vec::new(),
                    },
                    (Which::All, Some(d)) => model.entries_of(d).cloned().collect(),
                    (Which::Overridden, Some(d)) => {
                        let mut all: Vec<Entry> = model.entries_of(d).cloned().collect();
                        all.pop();
                        all
                    }
                    (_, None) => Vec::new(),
                };
                for e in &entries {
                    self.remove(e);
                }
            }
            FixOp::RenameToPrimary => {
                if let Item::Entry(e) = item
                    && let (Some(primary), Some(name)) = (e.primary, e.name_span())
                {
                    self.key(primary);
                    self.changes.push(Change::Rename {
                        name,
                        to: primary.to_string(),
                    });
                }
            }
            FixOp::RemoveArg => {
                if let Item::Arg { entry, index, .. } = item {
                    if entry.args.len() < 2 {
                        self.block("it is the only value of the line");
                        return;
                    }
                    let previous = if *index == 0 {
                        entry.name_span()
                    } else {
                        entry.arg_span(index - 1)
                    };
                    match (entry.arg_span(*index), previous) {
                        (Some(token), Some(previous)) => {
                            self.key(entry.key());
                            self.changes.push(Change::RemoveToken { token, previous });
                        }
                        _ => self.block("the value is not a token of its own on the line"),
                    }
                }
            }
            FixOp::DisableCommand { command } => {
                let names: Vec<String> = if items.is_empty() {
                    vec![command.clone()]
                } else {
                    items.iter().map(|i| command.replace("{item}", i)).collect()
                };
                let names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
                self.disable_commands(&names);
            }
        }
    }
}

/// The plan of `rule`'s fix for one finding (`items` are the matched items of a collecting
/// rule). A fix that cannot be made here is advice: display-only, saying why.
pub(super) fn plan(rule: &Rule, ctx: &Ctx, item: &Item, items: &[String]) -> Option<FixPlan> {
    let template: &FixTemplate = rule.fix.as_ref()?;
    let mut p = Planner {
        ctx,
        applicability: template.applicability,
        changes: Vec::new(),
        keys: Vec::new(),
        missing: Vec::new(),
        blocked: None,
        title: template.title.clone(),
        secret: None,
    };
    for op in &template.actions {
        p.op(op, item, items);
    }
    if ctx.deployment.template_control
        && p.changes.iter().any(|c| matches!(c, Change::Insert { .. }))
    {
        p.block("the file is a template with control structures, and a line added to it would apply to every node it renders");
    }
    let mut title = p.title;
    let mut applicability = p.applicability;
    if !p.missing.is_empty() {
        let _ = write!(
            title,
            " (to apply, pass {})",
            p.missing
                .iter()
                .map(|m| format!("`--param {m}=...`"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        applicability = Applicability::DisplayOnly;
    }
    if let Some(why) = p.blocked {
        let _ = write!(title, " (not applied: {why})");
        applicability = Applicability::DisplayOnly;
    }
    let changes = if applicability == Applicability::DisplayOnly {
        Vec::new()
    } else {
        p.changes
    };
    // A plan lives as long as its finding, and a file can have one per line: no spare room.
    let (mut changes, mut keys) = (changes, p.keys);
    changes.shrink_to_fit();
    keys.shrink_to_fit();
    Some(FixPlan {
        title,
        applicability,
        changes,
        keys,
        secret: if applicability == Applicability::DisplayOnly {
            None
        } else {
            p.secret
        },
    })
}
