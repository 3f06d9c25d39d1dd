//! Evaluating a compiled condition against the model, for one `foreach` item.

use crate::ruleset::Cond;
use crate::ruleset::Rhs;
use crate::ruleset::raw::{AclProperty, ArgSelector, ArgWord, CmpOp, Fact, PlaceholderIn, Profile};
use crate::semantic::detect::is_placeholder;
use crate::semantic::facts::{
    AclUser, Facts, classify_address, published_secret, replica_buffer_below_backlog, weak_secret,
};
use crate::semantic::values::{memtoull, string2ll};
use crate::semantic::{Entry, Model};
use std::collections::BTreeMap;

/// What a condition is evaluated against in one `foreach` step.
#[derive(Debug, Clone)]
pub(super) enum Item<'a> {
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
    pub(super) fn text(&self) -> Option<String> {
        match self {
            Item::None => None,
            Item::Arg { value, .. } | Item::Param(value) => Some(value.clone()),
            Item::Entry(e) => e.arg_str(0),
        }
    }
}

pub(super) struct Ctx<'a> {
    pub(super) cfg: &'a Model,
    pub(super) facts: &'a Facts,
    pub(super) profile: Option<Profile>,
    pub(super) params: &'a BTreeMap<String, toml::Value>,
    /// Fix parameters (`--param NAME=VALUE`).
    pub(super) fix_params: &'a BTreeMap<String, String>,
    /// What fixes must keep working (replication, Sentinel, remote clients).
    pub(super) deployment: &'a crate::semantic::deployment::Deployment,
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
    crate::semantic::same_word(a.as_bytes(), b.as_bytes())
}

impl Ctx<'_> {
    pub(super) fn first(&self, directive: &str) -> Option<String> {
        self.cfg.get(directive).map(|s| s.first_str())
    }

    pub(super) fn args(&self, directive: &str) -> Vec<String> {
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

    pub(super) fn min_secret_length(&self) -> usize {
        self.params
            .get("min_length")
            .and_then(|v| v.as_integer())
            .map_or(16, |v| v.max(0) as usize)
    }

    pub(super) fn eval(&self, cond: &Cond, item: &Item) -> bool {
        match cond {
            Cond::All(cs) => cs.iter().all(|c| self.eval(c, item)),
            Cond::Any(cs) => cs.iter().any(|c| self.eval(c, item)),
            Cond::Not(c) => !self.eval(c, item),
            Cond::Written(d) => self.cfg.is_written(d),
            Cond::Ignored(d) => self
                .cfg
                .catalog
                .lookup(d)
                .is_some_and(|(_, spec)| spec.value_type == crate::catalog::ValueType::Ignored),
            Cond::Unset(d) => {
                let empty = self
                    .cfg
                    .get(d)
                    .is_none_or(|s| s.args.iter().all(|a| a.is_empty()));
                if self.cfg.has_file() {
                    // No explicit value: not written, or written empty.
                    !self.cfg.is_written(d) || empty
                } else {
                    empty
                }
            }
            Cond::Equals { directive, value } => self
                .first(directive)
                .is_some_and(|v| values_equal(&v, value)),
            Cond::OneOf { directive, values } => self
                .first(directive)
                .is_some_and(|v| values.iter().any(|w| values_equal(&v, w))),
            Cond::Matches {
                directive,
                regex,
                arg,
            } => {
                let args = self.args(directive);
                match arg {
                    ArgSelector::Index(i) => args.get(*i).is_some_and(|a| regex.is_match(a)),
                    ArgSelector::Word(ArgWord::All) => {
                        !args.is_empty() && args.iter().all(|a| regex.is_match(a))
                    }
                    ArgSelector::Word(ArgWord::Any) => args.iter().any(|a| regex.is_match(a)),
                }
            }
            Cond::Compare { directive, op, rhs } => {
                let Some(a) = self.first(directive).and_then(|v| number(&v)) else {
                    return false;
                };
                let b = match rhs {
                    Rhs::Literal(v) => number(&self.param_subst(v)),
                    Rhs::Directive(t) => self.first(t).and_then(|v| number(&v)),
                };
                b.is_some_and(|b| compare(a, *op, b))
            }
            Cond::CountArgs {
                directive,
                op,
                value,
            } => compare(self.args(directive).len() as i128, *op, *value as i128),
            Cond::Version(req) => req.matches(self.cfg.target),
            Cond::Profile(p) => self.profile == Some(*p),
            Cond::Fact(f) => self.fact(*f),
            Cond::AddressClass { directive, any_of } => {
                let values = if directive == "bind" {
                    self.facts.bind.clone()
                } else {
                    self.args(directive)
                };
                values.iter().any(|a| any_of.contains(&classify_address(a)))
            }
            Cond::CommandReachable(cmd) => {
                let cmd = lower(&self.subst(cmd, item));
                self.facts.command_reachable(self.cfg, &cmd)
            }
            Cond::WeakSecret(d) => self.first(d).is_some_and(|v| {
                !v.is_empty() && weak_secret(&v, self.min_secret_length()).is_some()
            }),
            Cond::ItemMatches(re) => item.text().is_some_and(|t| re.is_match(&t)),
            Cond::ItemIn(values) => item
                .text()
                .is_some_and(|t| values.iter().any(|v| v.eq_ignore_ascii_case(&t))),
            Cond::ItemClass(classes) => item
                .text()
                .is_some_and(|t| classes.contains(&classify_address(&t))),
            Cond::AclUser { user, has } => {
                let of_item: Vec<AclUser> = match item {
                    Item::Entry(e) if user == "{item}" => {
                        vec![self.facts.user_of(self.cfg, &e.args)]
                    }
                    _ => Vec::new(),
                };
                let users: Box<dyn Iterator<Item = &AclUser>> = match user.as_str() {
                    "{item}" => Box::new(of_item.iter()),
                    "default" => Box::new(std::iter::once(&self.facts.default_user)),
                    "*" => Box::new(self.facts.users.iter()),
                    name => Box::new(self.facts.users.iter().filter(move |u| u.name == name)),
                };
                let mut users = users;
                users.any(|u| match has {
                    AclProperty::Nopass => u.on && u.nopass,
                    AclProperty::PlaintextPassword => !u.plaintext_passwords.is_empty(),
                    AclProperty::Unrestricted => u.is_unrestricted(self.cfg.catalog),
                    AclProperty::On => u.on,
                    AclProperty::DefaultAllChannels => u.all_channels_by_default,
                })
            }
            Cond::ItemArgsMatches(re) => match item {
                Item::Entry(e) => {
                    let joined: Vec<String> = e
                        .args
                        .iter()
                        .map(|a| String::from_utf8_lossy(a).into_owned())
                        .collect();
                    re.is_match(&joined.join(" "))
                }
                _ => false,
            },
            Cond::ItemNameMatches(re) => matches!(item, Item::Entry(e) if re.is_match(&e.name)),
            Cond::ItemIsAlias(want) => match item {
                Item::Entry(e) => e.primary.as_ref().is_some_and(|p| *p != e.name) == *want,
                _ => false,
            },
            Cond::ItemShadowed(want) => match item {
                Item::Entry(e) => self.shadowed(e) == *want,
                _ => false,
            },
            Cond::ItemWeakPassword(want) => {
                self.item_user_password(item, |p| {
                    weak_secret(p, self.min_secret_length()).is_some()
                }) == *want
            }
            Cond::ItemPlaceholder(within) => match item {
                Item::Entry(e) => {
                    let secret = crate::semantic::secrets::entry_secret_values(
                        self.cfg.catalog,
                        e.key(),
                        &e.args,
                    );
                    // Markup with spaces (`{{ pw }}`) splits into several values.
                    // Only when the first value opens markup: a line of a million addresses
                    // is not joined.
                    let joined = || {
                        e.args.len() > 1
                            && e.args.first().is_some_and(|a| {
                                [&b"{{"[..], b"{%", b"<%", b"${"]
                                    .iter()
                                    .any(|o| a.starts_with(o))
                            })
                            && is_placeholder(&e.args.joined(b' '))
                    };
                    e.args.iter().enumerate().any(|(i, a)| {
                        is_placeholder(a) && (*within == PlaceholderIn::Any || secret.contains(&i))
                    }) || (*within == PlaceholderIn::Any || !secret.is_empty()) && joined()
                }
                _ => false,
            },
            Cond::ItemWeakSecret(want) => {
                self.item_last_value(item, |v| {
                    !v.is_empty() && weak_secret(v, self.min_secret_length()).is_some()
                }) == *want
            }
            Cond::PublishedSecret(d) => self.first(d).is_some_and(|v| published_secret(&v)),
            Cond::ItemPublishedPassword(want) => {
                self.item_user_password(item, published_secret) == *want
            }
            Cond::ItemPublishedSecret(want) => {
                self.item_last_value(item, published_secret) == *want
            }
            Cond::LineMatches { directive, regex } => self.cfg.entries_of(directive).any(|e| {
                let joined: Vec<String> = e
                    .args
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                regex.is_match(&joined.join(" "))
            }),
        }
    }

    /// Whether a `>password` of the current `user` line satisfies `test`.
    fn item_user_password(&self, item: &Item, test: impl Fn(&str) -> bool) -> bool {
        match item {
            Item::Entry(e) => self
                .facts
                .user_of(self.cfg, &e.args)
                .plaintext_passwords
                .iter()
                .any(|p| test(p)),
            _ => false,
        }
    }

    /// Whether the last value of the current entry (a `sentinel auth-pass` password)
    /// satisfies `test`.
    fn item_last_value(&self, item: &Item, test: impl Fn(&str) -> bool) -> bool {
        match item {
            Item::Entry(e) => e
                .args
                .last()
                .is_some_and(|v| test(&String::from_utf8_lossy(v))),
            _ => false,
        }
    }

    /// Whether a later valid line of a last-wins directive overrides `entry`.
    fn shadowed(&self, entry: &Entry) -> bool {
        let Some(primary) = entry.primary else {
            return false;
        };
        let Some((_, spec)) = self.cfg.catalog.lookup(primary) else {
            return false;
        };
        if primary == "client-output-buffer-limit" {
            return self
                .facts
                .overridden_buffer_limits
                .contains(&(std::ptr::from_ref(entry) as usize));
        }
        // Directives that accumulate or are keyed keep every line.
        if Model::accumulates(primary) || spec.value_type == crate::catalog::ValueType::Ignored {
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
            Fact::AuthPassBehindPrimary => !self.deployment.stale_auth_pass(self.cfg).is_empty(),
            // `slaveof` is the only name before 5.0.
            Fact::IsReplica => ["replicaof", "slaveof"].iter().any(|n| {
                self.cfg.get(n).is_some_and(|s| {
                    !s.args.is_empty() && !s.first_str().eq_ignore_ascii_case("no")
                })
            }),
            Fact::ClusterEnabled => yes("cluster-enabled"),
            Fact::AclInUse => facts.aclfile || !facts.users.is_empty(),
            Fact::ReplicaBufferBelowBacklog => replica_buffer_below_backlog(self.cfg).is_some(),
        }
    }
}
