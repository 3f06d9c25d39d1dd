//! The rule file format: `[[rule]]` tables in TOML, read with serde. These structs are only
//! read; [`super::compile`] turns them into the rules the engine runs.

use crate::diagnostic::Severity;
pub use crate::semantic::facts::AddressClass;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub rule: Vec<RuleDef>,
}

/// A directive name written in a rule file; the span points back into the TOML for errors.
pub type DirName = Spanned<String>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// `category/kebab-name`, stable, never reused.
    pub id: Spanned<String>,
    pub severity: Severity,
    /// One line for `redlint rules`.
    pub summary: String,
    /// Message template; placeholders in braces (see [`super::PLACEHOLDERS`]).
    pub message: Spanned<String>,
    /// Message when the `at` directive is absent from the file.
    pub message_absent: Option<Spanned<String>>,
    pub rationale: String,
    #[serde(default)]
    pub sources: Vec<String>,
    /// Versions the rule applies to, like `">=6.0, <7.0"` (Redis numbering; Valkey counts as 7.2).
    #[serde(default)]
    pub versions: Option<Spanned<String>>,
    /// Profiles the rule applies to (`cache`, `datastore`); empty means all.
    #[serde(default)]
    pub profiles: Vec<Profile>,
    /// The directive whose effective line a finding points at.
    pub at: Option<DirName>,
    pub foreach: Option<Foreach>,
    pub when: Condition,
    #[serde(default)]
    pub severity_override: Vec<SeverityOverride>,
    /// Rule parameters users may override in `redlint.toml` (lists, thresholds).
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
    pub fix: Option<FixDef>,
    pub example_bad: Option<String>,
    pub example_good: Option<String>,
    /// Opt-in rules (`false`) run only when `--select` names their id.
    #[serde(default = "yes")]
    pub default_enabled: bool,
    /// Which servers the rule is about: `server` (redis.conf, the default), `sentinel`, or
    /// `any`.
    #[serde(default)]
    pub mode: Mode,
    /// The rule is about how a file is written (a value left implicit, not its value), which a
    /// running server cannot tell: it does not run in `redlint audit`.
    #[serde(default)]
    pub file_only: bool,
}

/// How redis-server runs: as a data server, or as a Sentinel (`--sentinel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Server,
    Sentinel,
    /// Both: the rule is about how any config is written.
    Any,
}

impl Mode {
    /// Whether a rule of this mode runs on a config read in `mode`.
    pub fn covers(self, mode: Mode) -> bool {
        self == mode || self == Mode::Any
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Cache,
    Datastore,
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cache" => Ok(Profile::Cache),
            "datastore" => Ok(Profile::Datastore),
            other => Err(format!(
                "unknown profile `{other}` (use cache or datastore)"
            )),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityOverride {
    pub severity: Severity,
    pub when: Condition,
    /// A message for this case instead of the rule's (what the server does differs).
    pub message: Option<Spanned<String>>,
    /// The same, when the `at` directive is absent from the file.
    pub message_absent: Option<Spanned<String>>,
}

/// What a rule iterates over; the condition is evaluated once per item.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Foreach {
    /// Each value of the effective line of this directive (e.g. every `bind` address).
    pub args: Option<DirName>,
    /// Each valid line of this directive (e.g. every `user` line); `"*"` for every valid line.
    pub entries: Option<DirName>,
    /// Each element of this rule parameter (a list).
    pub param: Option<String>,
    /// Report one finding for all matching items (`{items}`) instead of one per item.
    #[serde(default)]
    pub collect: bool,
    /// With `entries`: the lines redis-server rejects too (a placeholder that splits into
    /// several values is a wrong-arity line, and still a placeholder).
    #[serde(default)]
    pub invalid_lines: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum CmpOp {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

/// Built-in facts computed in Rust (see `facts.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    /// Clients must authenticate: `requirepass`, a default user with a password or `off`, or an aclfile.
    AuthRequired,
    /// Protected mode really refuses remote clients in this configuration and version.
    ProtectedModeEffective,
    /// A TCP port (plain or TLS) is open.
    TcpListening,
    /// A TCP listener is bound to something other than loopback.
    NonLoopbackListener,
    /// The plaintext `port` is open.
    PlaintextPort,
    TlsEnabled,
    AofEnabled,
    RdbEnabled,
    IsReplica,
    ClusterEnabled,
    /// ACL users are defined (`user` lines or `aclfile`).
    AclInUse,
    /// The replica class' output buffer hard limit is set below `repl-backlog-size`.
    ReplicaBufferBelowBacklog,
    /// A Sentinel's `auth-pass` for a primary it monitors is not that primary's password, as
    /// the primary's config fixed in the same run gives it.
    AuthPassBehindPrimary,
}

impl Fact {
    /// The directives a fact is computed from (a rule reading an unknown one cannot judge).
    pub fn reads(self) -> &'static [&'static str] {
        const AUTH: &[&str] = &["requirepass", "user", "aclfile"];
        const LISTENERS: &[&str] = &["bind", "port", "tls-port"];
        match self {
            Fact::AuthRequired | Fact::AclInUse => AUTH,
            Fact::ProtectedModeEffective => &[
                "protected-mode",
                "bind",
                "port",
                "tls-port",
                "requirepass",
                "user",
                "aclfile",
            ],
            Fact::TcpListening | Fact::NonLoopbackListener => LISTENERS,
            Fact::PlaintextPort => &["port", "bind"],
            Fact::TlsEnabled => &["tls-port"],
            Fact::AofEnabled => &["appendonly"],
            Fact::RdbEnabled => &["save"],
            Fact::IsReplica => &["replicaof", "slaveof"],
            Fact::ClusterEnabled => &["cluster-enabled"],
            Fact::ReplicaBufferBelowBacklog => &["client-output-buffer-limit", "repl-backlog-size"],
            Fact::AuthPassBehindPrimary => &["sentinel"],
        }
    }
}

/// Which placeholders `item_placeholder` looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceholderIn {
    /// Any value of the line.
    Any,
    /// A value that is a secret (a password, or the user name that goes with it).
    Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AclProperty {
    /// The user is `on` and accepts any password.
    Nopass,
    /// A `>password` written in clear.
    PlaintextPassword,
    /// `on` and allowed every command.
    Unrestricted,
    On,
    /// Every Pub/Sub channel, only because of `acl-pubsub-default` (no channel rule written).
    DefaultAllChannels,
}

/// The closed condition language.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    /// A valid line of the file sets the directive (only a file can say).
    Written(DirName),
    /// No valid line of the file sets the directive (only a file can say).
    NotWritten(DirName),
    /// The same as `written` (older name).
    Present(DirName),
    /// The same as `not_written` (older name).
    Absent(DirName),
    /// No explicit value: for a file, not written or written empty; for a running server, the
    /// effective value is empty.
    Unset(DirName),
    /// The target version accepts the directive and ignores it (Valkey 8.1's
    /// `io-threads-do-reads`): a rule about what it does has nothing to say there.
    Ignored(DirName),
    /// The effective first value equals `value` (case-insensitive; memory units compared in bytes).
    Equals {
        directive: DirName,
        value: String,
    },
    OneOf {
        directive: DirName,
        values: Vec<String>,
    },
    /// A regex over the effective values: `arg` is an index, or "any" / "all".
    Matches {
        directive: DirName,
        regex: Spanned<String>,
        arg: Option<ArgSelector>,
    },
    /// Numeric comparison (memory units understood) with a literal or another directive.
    Compare {
        directive: DirName,
        op: CmpOp,
        value: Option<String>,
        than: Option<DirName>,
    },
    /// The number of effective values of a directive.
    CountArgs {
        directive: DirName,
        op: CmpOp,
        value: i64,
    },
    /// Target version requirement, like `">=7.0"`.
    Version(Spanned<String>),
    Profile(Profile),
    Fact(Fact),
    /// Some value of the directive is an address of one of these classes.
    AddressClass {
        directive: DirName,
        any_of: Vec<AddressClass>,
    },
    /// The command can be run by a client: it exists, is not renamed away, not denied to the
    /// default user by ACL, and (7.0+) not blocked by `enable-*-command`. `{item}` allowed.
    CommandReachable(String),
    /// The effective value of a secret directive is weak (short, one character class, known).
    WeakSecret(DirName),
    /// Conditions on the current `foreach` item.
    ItemMatches(Spanned<String>),
    ItemIn(Vec<String>),
    ItemClass(Vec<AddressClass>),
    /// A user (`default`, a name, or `{item}` for the current `user` line) has a property.
    AclUser {
        user: String,
        has: AclProperty,
    },
    /// The current `user` line holds a weak `>password`.
    ItemWeakPassword(bool),
    /// A regex over the values of the current entry, joined by single spaces.
    ItemArgsMatches(Spanned<String>),
    /// A regex over the name of the current entry as written (before aliases are resolved).
    ItemNameMatches(Spanned<String>),
    /// The current entry is written with an alias of its primary name.
    ItemIsAlias(bool),
    /// The current entry is overridden by a later line of the same directive (for directives
    /// where the last line wins).
    ItemShadowed(bool),
    /// A value of the current entry is an unexpanded placeholder (`${VAR}`, `{{ x }}`,
    /// `CHANGEME`, ...): anywhere, or in a secret.
    ItemPlaceholder(PlaceholderIn),
    /// The last value of the current entry (a `sentinel auth-pass` password) is weak.
    ItemWeakSecret(bool),
    /// The effective value of a secret directive is a published example or common password.
    PublishedSecret(DirName),
    /// The current `user` line holds a published or common `>password`.
    ItemPublishedPassword(bool),
    /// The last value of the current entry is a published or common password.
    ItemPublishedSecret(bool),
    /// Some valid line of the directive has values that, joined by single spaces, match.
    LineMatches {
        directive: DirName,
        regex: Spanned<String>,
    },
}

/// Which values a `matches` condition looks at (default: any).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ArgSelector {
    Index(usize),
    Word(ArgWord),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArgWord {
    Any,
    All,
}

/// How a rule file rates its fix: `safe` and `unsafe` need actions; `manual` is advice only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    Safe,
    Unsafe,
    Manual,
}

/// How to fix a finding: the actions one generic fix engine executes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixDef {
    pub safety: Safety,
    pub description: String,
    #[serde(default)]
    pub actions: Vec<Spanned<FixAction>>,
}

/// What a `set` action writes: one value, several (each its own token, quoted as needed), or
/// a value that comes from a fix parameter or is made when the fix is built.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Values {
    One(String),
    Many(Vec<String>),
    From(ValueFrom),
}

/// `{ param = "maxmemory" }`, `{ generate = "password" }`, or both: the parameter when given,
/// else the generated value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueFrom {
    /// A fix parameter (`--param NAME=VALUE`, or `[params]` in redlint.toml).
    pub param: Option<String>,
    pub generate: Option<Generator>,
}

/// Values the fix engine makes itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Generator {
    /// 32 random bytes from the OS, hex-encoded.
    Password,
    /// The loopback interfaces: `127.0.0.1 -::1` from 6.2, `127.0.0.1` before.
    LoopbackBind,
    /// The target version's default value of the directive.
    VersionDefault,
}

/// Which lines of a directive an action touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Which {
    /// Every valid line of the directive.
    #[default]
    All,
    /// Every line but the effective (last) one.
    Overridden,
    /// The line of the current `foreach` entry.
    Item,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FixAction {
    /// Set a directive: rewrite its effective line, or insert it when absent.
    Set {
        directive: DirName,
        value: Values,
        /// Leave the directive alone when it already has a value.
        #[serde(default)]
        keep_existing: bool,
    },
    /// Give the default user a new random password (`requirepass`, or its `user default` line).
    SetPassword {},
    /// Write `sentinel auth-pass` for each monitored primary whose password, known from its
    /// config fixed in the same run, Sentinel does not have.
    FollowPrimaryPasswords {},
    /// Comment out or delete lines of a directive (the current entry's when `directive` is
    /// not given).
    Remove {
        directive: Option<DirName>,
        #[serde(default)]
        which: Which,
    },
    /// Rename the current entry, written with an alias, to its primary name.
    RenameDirective {},
    /// Remove the current `foreach` argument from its line.
    RemoveArg {},
    /// Deny a command (`{item}` allowed): from 6.0 an ACL rule on the default user, before 6.0
    /// `rename-command <cmd> ""`.
    DisableCommand { command: String },
}
