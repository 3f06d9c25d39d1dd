//! Built-in facts: what data alone cannot say about a configuration (who must authenticate, who
//! can reach the server, which commands a client can run).

use super::acl::{AclModel, ScratchUser, merge_selectors};
use super::arglist::ArgList;
use super::model::{Entry, Model};
use super::values::string2ll;
use crate::catalog::Catalog;
use crate::version::Version;
use serde::Deserialize;
use std::collections::HashSet;
use std::net::IpAddr;

/// What kind of address a `bind` value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressClass {
    Loopback,
    Private,
    Public,
    Wildcard,
    /// A host name or anything that is not an IP address.
    Unresolved,
}

/// Classify one `bind` value (a leading `-` marks an optional address, 6.2+).
pub fn classify_address(raw: &str) -> AddressClass {
    let addr = raw.strip_prefix('-').unwrap_or(raw);
    if matches!(addr, "*" | "::*" | "0.0.0.0" | "::") {
        return AddressClass::Wildcard;
    }
    let Ok(ip) = addr.parse::<IpAddr>() else {
        return if addr.eq_ignore_ascii_case("localhost") {
            AddressClass::Loopback
        } else {
            AddressClass::Unresolved
        };
    };
    if ip.is_unspecified() {
        return AddressClass::Wildcard;
    }
    if ip.is_loopback() {
        return AddressClass::Loopback;
    }
    let private = match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private() || v4.is_link_local() || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments()[0];
            (seg & 0xfe00) == 0xfc00 || (seg & 0xffc0) == 0xfe80
        }
    };
    if private {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

/// The state of one ACL user after its `user` line is applied to a new user, as the ACL model
/// of the validity checks ([`ScratchUser`]) reads it.
#[derive(Debug, Clone, Default)]
pub struct AclUser {
    pub name: String,
    pub on: bool,
    pub nopass: bool,
    pub passwords: usize,
    pub plaintext_passwords: Vec<String>,
    /// Command rules in order (`+@all`, `-config`, `+@read` ...), lowercase.
    pub command_rules: Vec<String>,
    /// Every Pub/Sub channel only because of `acl-pubsub-default` (no channel rule written).
    pub all_channels_by_default: bool,
}

impl AclUser {
    /// The implicit default user: `on nopass ~* &* +@all`.
    pub fn implicit_default() -> AclUser {
        AclUser {
            name: "default".into(),
            on: true,
            nopass: true,
            command_rules: vec!["+@all".into()],
            ..AclUser::default()
        }
    }

    /// Apply the rules of a `user` line (`args[0]` is the name) to a new user. Rules the server
    /// would refuse are skipped (such lines are reported as invalid already).
    pub fn from_line(model: &AclModel, args: &ArgList) -> AclUser {
        let Some(name) = args.first() else {
            return AclUser::default();
        };
        let rules = args.views().split_off(1);
        let rules = if model.version.at_least(7, 0) {
            merge_selectors(model.version, &rules)
                .unwrap_or_else(|_| rules.iter().map(|r| r.to_vec()).collect())
        } else {
            rules.iter().map(|r| r.to_vec()).collect()
        };
        let mut user = ScratchUser::new(model);
        for rule in &rules {
            let _ = user.apply(model, rule);
        }
        AclUser {
            name: String::from_utf8_lossy(name).into_owned(),
            on: user.is_on(),
            nopass: user.is_nopass(),
            passwords: user.password_count(),
            plaintext_passwords: user
                .plaintext_passwords()
                .iter()
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect(),
            command_rules: user.command_rules().to_vec(),
            all_channels_by_default: user.all_channels_by_default(),
        }
    }

    /// Whether this user's command rules allow `key` (`cmd` or `container|sub`, lowercase)
    /// with the given ACL categories.
    pub fn allows(&self, key: &str, cats: &[&str]) -> bool {
        let container = key.split('|').next().unwrap_or(key);
        let mut allowed = false;
        for rule in &self.command_rules {
            let (sign, body) = rule.split_at(1);
            let grant = sign == "+";
            let hit = match body.strip_prefix('@') {
                Some(cat) => cat == "all" || cats.contains(&cat),
                // A rule on the container covers its subcommands; `+cmd|sub` on a command without
                // a subcommand table (6.x first-arg rules) makes it partly reachable.
                None => {
                    body == key
                        || body == container
                        || (grant && !key.contains('|') && body.split('|').next() == Some(key))
                }
            };
            if hit {
                allowed = grant;
            }
        }
        allowed
    }

    /// Whether a client logged in as this user may run `command` (lowercase) at all: for a
    /// container (7.0+), some subcommand of it.
    pub fn may_run(&self, command: &str, catalog: &Catalog) -> bool {
        match catalog.subcommands.get(command) {
            // `CONTAINER HELP` only prints usage: it does not make the command reachable.
            Some(subs) if !subs.is_empty() => {
                let mut key = String::with_capacity(command.len() + 24);
                subs.iter().filter(|s| **s != "help").any(|sub| {
                    key.clear();
                    key.push_str(command);
                    key.push('|');
                    key.push_str(sub);
                    self.allows(&key, catalog.command_categories(&key))
                })
            }
            _ => self.allows(command, catalog.command_categories(command)),
        }
    }

    pub fn is_unrestricted(&self, catalog: &Catalog) -> bool {
        self.on && catalog.commands.iter().all(|c| self.may_run(c, catalog))
    }
}

/// Facts about one effective configuration.
#[derive(Debug, Clone)]
pub struct Facts {
    pub version: Version,
    pub port: i64,
    pub tls_port: i64,
    /// Effective bind addresses (defaults filled in); empty means no TCP address.
    pub bind: Vec<String>,
    pub bind_set: bool,
    pub default_user: AclUser,
    /// Whether the default user comes from a `user default` line (not requirepass).
    pub default_user_declared: bool,
    pub aclfile: bool,
    pub users: Vec<AclUser>,
    pub auth_required: bool,
    pub protected_mode: bool,
    /// `acl-pubsub-default allchannels` is in effect (new users start with every channel).
    pub pubsub_allchannels: bool,
    /// Commands renamed to "" (lowercase original names), and renamed to another name.
    pub disabled_commands: HashSet<String>,
    pub renamed_commands: HashSet<String>,
    /// `client-output-buffer-limit` lines (by address) all of whose classes a later line sets
    /// again: each class is set by the last line that names it.
    pub overridden_buffer_limits: HashSet<usize>,
}

/// The `client-output-buffer-limit` lines that later lines override entirely, by address: one
/// pass from the end, remembering the classes named so far.
fn overridden_buffer_limits(cfg: &Model) -> HashSet<usize> {
    let mut named_later: HashSet<Vec<u8>> = HashSet::new();
    let mut overridden = HashSet::new();
    let lines: Vec<&Entry> = cfg.entries_of("client-output-buffer-limit").collect();
    for e in lines.into_iter().rev() {
        let classes: Vec<Vec<u8>> = e
            .args
            .iter()
            .step_by(4)
            .map(|c| match c.to_ascii_lowercase().as_slice() {
                b"slave" => b"replica".to_vec(),
                other => other.to_vec(),
            })
            .collect();
        if !classes.is_empty() && classes.iter().all(|c| named_later.contains(c)) {
            overridden.insert(std::ptr::from_ref(e) as usize);
        }
        named_later.extend(classes);
    }
    overridden
}

/// A number as the target version's parser reads it.
fn int_of(cfg: &Model, name: &str, fallback: i64) -> i64 {
    cfg.server_value(name)
        .and_then(|v| string2ll(v.as_bytes()))
        .unwrap_or(fallback)
}

fn yes(cfg: &Model, name: &str) -> bool {
    cfg.get(name)
        .is_some_and(|s| s.first_str().eq_ignore_ascii_case("yes"))
}

impl Facts {
    pub fn compute(cfg: &Model) -> Facts {
        let version = cfg.target;
        let pubsub_all = version.at_least(6, 2)
            && cfg
                .get("acl-pubsub-default")
                .is_some_and(|s| s.first_str().eq_ignore_ascii_case("allchannels"));
        let acl = AclModel::new(cfg.catalog, pubsub_all);
        let port = int_of(cfg, "port", 6379);
        let tls_port = int_of(cfg, "tls-port", 0);
        let bind_set = cfg.is_written("bind");
        let bind: Vec<String> = match cfg.get("bind") {
            Some(s) if bind_set || !s.args.is_empty() => s
                .args
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .filter(|a| !a.is_empty())
                .collect(),
            // No default in the catalog (before 6.2): every interface.
            _ => vec!["*".to_string()],
        };
        let aclfile = cfg
            .get("aclfile")
            .is_some_and(|s| !s.first_str().is_empty());
        // A server's own users (`ACL LIST`) are what it runs with; an aclfile that was read
        // replaces every user, the default one included.
        let server_users = cfg.server.as_ref().and_then(|s| s.users.as_ref());
        let users: Vec<AclUser> = match (server_users, &cfg.aclfile_users) {
            (Some(lines), _) => lines
                .iter()
                .map(|args| AclUser::from_line(&acl, args))
                .collect(),
            (None, Some(lines)) if aclfile => lines
                .iter()
                .map(|args| AclUser::from_line(&acl, args))
                .collect(),
            _ => cfg
                .entries_of("user")
                .map(|e| AclUser::from_line(&acl, &e.args))
                .collect(),
        };
        let aclfile_read = server_users.is_some() || (aclfile && cfg.aclfile_users.is_some());
        let requirepass = cfg
            .get("requirepass")
            .is_some_and(|s| !s.first_str().is_empty());
        // `user default` lines are applied after the whole file, over requirepass.
        let declared = users.iter().rev().find(|u| u.name == "default").cloned();
        let default_user_declared = declared.is_some();
        let default_user = declared.unwrap_or_else(|| {
            let mut u = AclUser::implicit_default();
            // With an aclfile, `requirepass` is not applied: a file without `user default`
            // leaves the default user `on nopass` (seen on 7.0.15).
            if requirepass && !aclfile_read {
                u.nopass = false;
                u.passwords = 1;
            }
            u
        });
        let auth_required = if cfg.sentinel && !version.at_least(5, 0) {
            // A Sentinel checks passwords from 5.0.1 on; before, `requirepass` did nothing.
            false
        } else if !version.at_least(6, 0) {
            requirepass
        } else if cfg.server.is_some() && server_users.is_none() {
            // A server whose users could not be read: only a password set in `requirepass`
            // is known.
            requirepass || !cfg.server.as_ref().is_some_and(|s| s.parameters_read)
        } else {
            // An aclfile that could not be read is assumed to require authentication.
            (aclfile && !aclfile_read) || !(default_user.on && default_user.nopass)
        };
        let protected_mode = version.at_least(3, 2)
            && yes(cfg, "protected-mode")
            && !auth_required
            && (version.at_least(7, 0) || !bind_set);
        let mut disabled = HashSet::new();
        let mut renamed = HashSet::new();
        for e in cfg.entries_of("rename-command") {
            if let [from, to] = e.args.views()[..] {
                let from = String::from_utf8_lossy(from).to_ascii_lowercase();
                if to.is_empty() {
                    disabled.insert(from);
                } else {
                    renamed.insert(from);
                }
            }
        }
        Facts {
            version,
            port,
            tls_port,
            bind,
            bind_set,
            default_user,
            default_user_declared,
            aclfile,
            users,
            auth_required,
            protected_mode,
            pubsub_allchannels: pubsub_all,
            disabled_commands: disabled,
            renamed_commands: renamed,
            overridden_buffer_limits: overridden_buffer_limits(cfg),
        }
    }

    /// The user a `user` line (its values) defines, as the server builds it.
    pub fn user_of(&self, cfg: &Model, args: &ArgList) -> AclUser {
        AclUser::from_line(&AclModel::new(cfg.catalog, self.pubsub_allchannels), args)
    }

    pub fn tcp_listening(&self) -> bool {
        (self.port != 0 || self.tls_port != 0) && !self.bind.is_empty()
    }

    pub fn non_loopback_listener(&self) -> bool {
        self.tcp_listening()
            && self
                .bind
                .iter()
                .any(|a| classify_address(a) != AddressClass::Loopback)
    }

    /// Whether a client can run `command` (lowercase).
    pub fn command_reachable(&self, cfg: &Model, command: &str) -> bool {
        let catalog = &cfg.catalog;
        if !catalog.commands.is_empty() && !catalog.has_command(command) {
            return false;
        }
        if self.disabled_commands.contains(command) {
            return false;
        }
        // A server that does not know the command under this name (renamed or removed).
        if let Some(absent) = cfg.server.as_ref().and_then(|s| s.absent_commands.as_ref())
            && absent.contains(command)
        {
            return false;
        }
        if self.version.at_least(7, 0) {
            let gate = match command {
                "debug" => Some("enable-debug-command"),
                "module" => Some("enable-module-command"),
                _ => None,
            };
            if let Some(gate) = gate
                && cfg
                    .get(gate)
                    .is_none_or(|s| s.first_str().eq_ignore_ascii_case("no"))
            {
                return false;
            }
        }
        let users_known = cfg.server.as_ref().is_some_and(|s| s.users.is_some());
        if self.version.at_least(6, 0) && (!self.aclfile || users_known) {
            return self.default_user.on && self.default_user.may_run(command, catalog)
                || self
                    .users
                    .iter()
                    .any(|u| u.name != "default" && u.on && u.may_run(command, catalog));
        }
        true
    }
}

/// Known example and common passwords (from redis.conf, sentinel.conf and the ACL docs).
pub const KNOWN_WEAK_SECRETS: &[&str] = &[
    "foobared",
    "secret",
    "mypass",
    "somepassword",
    "ffa9203c493aa99",
    "p1pp0",
    "MySUPER--secret-0123passw0rd",
    "password",
    "redis",
    "123456",
    "changeme",
    "admin",
    "root",
    "test",
    "default",
    "your_password",
    "yourpassword",
    "pass",
    "passw0rd",
    // The example passwords of redlint's own rules (`redlint explain`): public now.
    "Qm8#w2-Lr5!xT9pB3nVz",
    "Yb3$k9-Qp2!zR7wE4tLx",
    "s3cr3t-Pa55w0rd-for-the-app",
    "use-a-long-random-secret",
    "use-a-long-random-secret-from-acl-genpass",
];

/// Whether a secret is a published example or a common password (the first ones tried).
pub fn published_secret(value: &str) -> bool {
    KNOWN_WEAK_SECRETS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(value))
}

/// The hard limit of the replica class' output buffer and `repl-backlog-size`, in bytes, when
/// the limit is set (not 0) and below the backlog.
pub fn replica_buffer_below_backlog(cfg: &Model) -> Option<(u64, u64)> {
    // The last line that names the class sets it (`slave` is its old name).
    let mut hard = 256 * 1024 * 1024;
    for e in cfg.entries_of("client-output-buffer-limit") {
        for group in e.args.chunks(4) {
            if let [class, limit, ..] = group[..]
                && (class.eq_ignore_ascii_case(b"replica") || class.eq_ignore_ascii_case(b"slave"))
            {
                hard = super::values::memtoull(limit)?;
            }
        }
    }
    let backlog = cfg
        .get("repl-backlog-size")
        .and_then(|s| super::values::memtoull(s.args.first()?))
        .unwrap_or(1024 * 1024);
    (hard != 0 && hard < backlog).then_some((hard, backlog))
}

/// Why a secret is weak, if it is.
pub fn weak_secret(value: &str, min_length: usize) -> Option<String> {
    // A placeholder nobody filled in is its own finding (correctness/unexpanded-placeholder).
    if super::detect::is_placeholder(value.as_bytes()) {
        return None;
    }
    if published_secret(value) {
        return Some("a published example or common password".into());
    }
    if value.chars().count() < min_length {
        return Some(format!("shorter than {min_length} characters"));
    }
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|&&c| c).count() < 2 {
        return Some("only one kind of character".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_classes() {
        assert_eq!(classify_address("0.0.0.0"), AddressClass::Wildcard);
        assert_eq!(classify_address("-::*"), AddressClass::Wildcard);
        assert_eq!(classify_address("*"), AddressClass::Wildcard);
        assert_eq!(classify_address("127.0.0.1"), AddressClass::Loopback);
        assert_eq!(classify_address("-::1"), AddressClass::Loopback);
        assert_eq!(classify_address("10.1.2.3"), AddressClass::Private);
        assert_eq!(classify_address("100.64.0.1"), AddressClass::Private);
        assert_eq!(classify_address("fd00::1"), AddressClass::Private);
        assert_eq!(classify_address("8.8.8.8"), AddressClass::Public);
        assert_eq!(classify_address("redis.local"), AddressClass::Unresolved);
    }

    #[test]
    fn acl_user_rules() {
        let line = |words: &str| words.split(' ').collect::<ArgList>();
        let catalog = Catalog::load(Version::redis(7, 0)).unwrap();
        let model = AclModel::new(catalog, false);
        let u = AclUser::from_line(&model, &line("default on >pw +@all -flushall"));
        assert!(u.on && !u.nopass && u.passwords == 1);
        assert!(!u.may_run("flushall", catalog));
        assert!(u.may_run("get", catalog));
        let denied = AclUser::from_line(&model, &line("default on nopass +@all -@dangerous"));
        assert!(!denied.may_run("flushall", catalog));
        assert!(denied.may_run("get", catalog));
        // CONFIG is a container: every subcommand of it is @dangerous or @admin.
        assert!(!denied.may_run("config", catalog));
        let partial = AclUser::from_line(&model, &line("u on -@all +config|get"));
        assert!(partial.may_run("config", catalog));
    }

    #[test]
    fn weak_secrets() {
        assert!(weak_secret("foobared", 16).is_some());
        assert!(weak_secret("short1A", 16).is_some());
        assert!(weak_secret("aaaaaaaaaaaaaaaaaaaa", 16).is_some());
        assert!(weak_secret("b7f3c9e1-a2d4-4f6b-8c0e", 16).is_none());
    }
}
