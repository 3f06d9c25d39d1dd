//! The registry of built-in checks: the findings written in Rust (validity of each line,
//! parsing quirks, paths on this machine, suppression comments). One place gives each its id,
//! severity, summary and fix; the reader, suppressions, listings and docs all use it.

use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::source::Span;

macro_rules! checks {
    ($($variant:ident => $id:literal, $severity:ident, $fix:expr, $summary:literal;)*) => {
        /// A built-in check.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Check {
            $($variant,)*
        }

        impl Check {
            pub const ALL: &'static [Check] = &[$(Check::$variant,)*];

            pub fn id(self) -> &'static str {
                match self {
                    $(Check::$variant => $id,)*
                }
            }

            pub fn severity(self) -> Severity {
                match self {
                    $(Check::$variant => Severity::$severity,)*
                }
            }

            pub fn summary(self) -> &'static str {
                match self {
                    $(Check::$variant => $summary,)*
                }
            }

            /// What a fix of this check can do (`None`: the check offers no fix).
            pub fn fix(self) -> Option<Applicability> {
                match self {
                    $(Check::$variant => $fix,)*
                }
            }
        }
    };
}

/// Built-in checks explain the problem in their help text; none edits the file yet.
const ADVICE: Option<Applicability> = None;

checks! {
    UnbalancedQuotes => "invalid/unbalanced-quotes", Error, ADVICE,
        "the tokenizer fails: a quote is never closed or is glued to text";
    UnknownDirective => "invalid/unknown-directive", Error, ADVICE,
        "a directive the target version does not know";
    WrongArity => "invalid/wrong-arity", Error, ADVICE,
        "wrong number of values for the directive";
    BadValue => "invalid/bad-value", Error, ADVICE,
        "a value redis-server rejects (type, enum, unit, range, special syntax)";
    IncludeNotFound => "invalid/include-not-found", Error, ADVICE,
        "an `include` that cannot be read";
    IncludeCycle => "invalid/include-cycle", Error, ADVICE,
        "an `include` of a file that is already being read";
    IncludeTooDeep => "invalid/include-too-deep", Error, ADVICE,
        "includes nested deeper than redis-server's stack allows";
    ByteOrderMark => "invalid/byte-order-mark", Error, ADVICE,
        "a UTF-8 byte order mark at the start of the file";
    ConflictingDirectives => "invalid/conflicting-directives", Error, ADVICE,
        "directives redis-server refuses together (replicaof in cluster mode, ...)";
    TlsIncomplete => "invalid/tls-incomplete", Error, ADVICE,
        "TLS is on without a certificate, a key, or the CA that client or peer checks need";
    TlsBadProtocols => "invalid/tls-protocols", Error, ADVICE,
        "TLS is on and `tls-protocols` names something other than TLSv1, TLSv1.1, TLSv1.2, TLSv1.3";
    BindUnresolvable => "invalid/bind-unresolvable", Error, ADVICE,
        "`bind` names an address no host can resolve: redis-server exits at startup";
    ClusterBusPortOutOfRange => "invalid/cluster-bus-port-out-of-range", Error, ADVICE,
        "cluster mode with a client port above 55535 and no `cluster-port`: the bus port is out of range";
    ClusterBusWithoutBindAddress => "invalid/cluster-bus-without-bind-address", Error, ADVICE,
        "cluster mode with no `bind` address (7.2+ and Valkey): the bus has none and the server exits";
    UnknownLocale => "invalid/unknown-locale", Error, ADVICE,
        "`locale-collate` names no locale (7.2+ and Valkey): the server exits at startup";
    PortCollision => "invalid/port-collision", Error, ADVICE,
        "two listeners on one port (port, tls-port, the cluster bus)";
    ModuleConfigWithoutModule => "invalid/module-config-without-module", Error, ADVICE,
        "a module config (`a.b value`) with no `loadmodule`";
    InlineComment => "syntax/inline-comment", Warning, ADVICE,
        "`#` after a value is read as more values, not a comment";
    NulByte => "syntax/nul-byte", Warning, ADVICE,
        "a NUL byte makes redis-server glue lines together";
    CoercedValue => "correctness/coerced-value", Warning, ADVICE,
        "an old version silently reads the value as something else";
    IgnoredDirective => "deprecated/ignored-directive", Warning, ADVICE,
        "a directive that is accepted but has no effect";
    DirNotFound => "environment/dir-not-found", Warning, ADVICE,
        "`dir` names a directory that does not exist here";
    ModuleNotFound => "environment/module-not-found", Warning, ADVICE,
        "a `loadmodule` path that does not exist here";
    AclfileNotFound => "environment/aclfile-not-found", Warning, ADVICE,
        "an `aclfile` that does not exist here";
    ActivedefragNeedsBundledJemalloc => "environment/activedefrag-needs-bundled-jemalloc", Info, ADVICE,
        "`activedefrag yes` only starts on builds with Redis' own jemalloc";
    TlsFileNotFound => "environment/tls-file-not-found", Warning, ADVICE,
        "a TLS certificate, key or CA path that does not exist here";
    SentinelScriptNotFound => "environment/sentinel-script-not-found", Warning, ADVICE,
        "a Sentinel script that does not exist here or is not executable";
    SentinelScriptWritable => "environment/sentinel-script-writable", Warning, ADVICE,
        "a Sentinel script that any local user can change";
    LogfileUnwritable => "environment/logfile-unwritable", Warning, ADVICE,
        "the directory of `logfile` does not exist here";
    IncludeNotRead => "environment/include-not-read", Warning, ADVICE,
        "an included file redlint does not read (not a regular file, virtual, or over a limit)";
    IncludeOutsideRoot => "environment/include-outside-root", Warning, ADVICE,
        "an included file outside `--include-root`, not read";
    ValueDiffers => "drift/value-differs", Warning, Some(Applicability::DisplayOnly),
        "a running server's parameter differs from its config file (a CONFIG SET never persisted, or an edit never applied)";
    RenameDiffers => "drift/rename-differs", Warning, Some(Applicability::DisplayOnly),
        "a `rename-command` of the file is not in effect on the server, or the server lacks a command the file does not rename";
    AclDiffers => "drift/acl-differs", Warning, Some(Applicability::DisplayOnly),
        "the server's ACL users differ from the file's (users, on/off, passwords by hash)";
    OtherConfigFile => "drift/other-config-file", Warning, ADVICE,
        "the server was started from another config file than the one given";
    MemoryNearLimit => "runtime/memory-near-limit", Warning, ADVICE,
        "a running server uses most of its `maxmemory` (default 80 %): evictions or OOM errors are close";
    MemoryUnbounded => "runtime/memory-unbounded", Warning, ADVICE,
        "a running server without `maxmemory` uses most of the machine's memory (default 60 %)";
    OomRejections => "runtime/oom-rejections", Error, ADVICE,
        "a running server has refused writes with OOM errors";
    EvictionsOnDatastore => "runtime/evictions-on-datastore", Error, ADVICE,
        "a server used as a datastore (`--profile datastore`) has evicted keys";
    Fragmentation => "runtime/fragmentation", Warning, ADVICE,
        "`mem_fragmentation_ratio` above 1.5, or below 1 (swapping), on a server using real memory";
    SlowCommands => "runtime/slow-commands", Warning, ADVICE,
        "the slow log holds commands that block the server (KEYS, FLUSHALL without ASYNC, whole-collection reads, big DELs)";
    SlowFork => "runtime/slow-fork", Warning, ADVICE,
        "the last fork for a save or rewrite took long (`latest_fork_usec`, default 500 ms)";
    LatencyEvents => "runtime/latency-events", Warning, ADVICE,
        "the latency monitor recorded events (`LATENCY LATEST`) at or above 100 ms";
    SaveFailing => "runtime/save-failing", Error, ADVICE,
        "the last background save failed (`rdb_last_bgsave_status:err`): with `stop-writes-on-bgsave-error` writes are refused";
    AofFailing => "runtime/aof-failing", Error, ADVICE,
        "the last AOF write or rewrite failed (`aof_last_write_status` / `aof_last_bgrewrite_status:err`)";
    NoRecentSave => "runtime/no-recent-save", Warning, ADVICE,
        "persistence is on but nothing was saved for long (default 24 h) while data changed";
    ReplicaLinkDown => "runtime/replica-link-down", Error, ADVICE,
        "a replica's link to its primary is down (`master_link_status:down`)";
    ReplicaLag => "runtime/replica-lag", Warning, ADVICE,
        "a replica lags its primary (seconds since its last ack, default 10 s)";
    MinReplicasUnmet => "runtime/min-replicas-unmet", Error, ADVICE,
        "fewer good replicas than `min-replicas-to-write`: the primary refuses writes";
    ClientsNearLimit => "runtime/clients-near-limit", Warning, ADVICE,
        "`connected_clients` near `maxclients` (default 90 %): new connections will be refused";
    ManyBlockedClients => "runtime/blocked-clients", Info, ADVICE,
        "many clients are blocked in BLPOP-style commands (default 100)";
    MasterauthMismatch => "consistency/masterauth-mismatch", Error, ADVICE,
        "a replica's `masterauth` / `masteruser` is no login its primary accepts (`check --group`)";
    RenameMismatch => "consistency/rename-mismatch", Error, ADVICE,
        "a replica renames or removes other commands than its primary (`check --group`)";
    SettingMismatch => "consistency/setting-mismatch", Warning, ADVICE,
        "`maxmemory`, `maxmemory-policy`, `appendonly` or `cluster-node-timeout` differ within a group (`check --group`)";
    UnusedSuppression => "meta/unused-suppression", Warning, ADVICE,
        "a suppression comment that silences nothing";
    UnknownSuppression => "meta/unknown-suppression", Warning, ADVICE,
        "a suppression comment naming no rule";
}

impl Check {
    pub fn from_id(id: &str) -> Option<Check> {
        Check::ALL.iter().copied().find(|c| c.id() == id)
    }

    /// A finding of this check at its registered severity.
    /// Where the check's verdict comes from, for explanations.
    pub fn origin(self) -> &'static str {
        let id = self.id();
        if id.starts_with("runtime/") {
            "Judged by `redlint audit` from a running server's `INFO` and slow log; its thresholds are rule parameters (`[params.\"ID\"]` in redlint.toml)."
        } else if id.starts_with("consistency/") {
            "Judged by `redlint check --group` over the configs of one replication group."
        } else if id.starts_with("drift/") {
            "Judged by `redlint audit --file` (or `check --against`): a running server compared with its config file."
        } else {
            "Built into redlint's reader of redis.conf; it follows what redis-server of the target version does."
        }
    }

    pub fn at(self, primary: Option<Span>, message: String) -> Diagnostic {
        Diagnostic {
            rule: self.id().to_string(),
            severity: self.severity(),
            message,
            primary,
            label: None,
            help: None,
            fix: None,
            parameter: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::INVALID_PREFIX;

    #[test]
    fn ids_are_unique_and_invalid_ones_are_errors() {
        let mut ids: Vec<&str> = Check::ALL.iter().map(|c| c.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Check::ALL.len());
        for c in Check::ALL {
            assert_eq!(Check::from_id(c.id()), Some(*c));
            if c.id().starts_with(INVALID_PREFIX) {
                assert_eq!(c.severity(), Severity::Error, "{}", c.id());
            }
        }
    }
}
