//! Runtime checks (`runtime/*`): what a running server's `INFO` and slow log show about the
//! failures this tool exists to prevent: memory running out, commands that block it, saves that
//! fail, replicas that fell behind, clients about to be refused. They read only the snapshot;
//! thresholds are rule parameters (`[params."runtime/memory-near-limit"] percent = 90`).

use super::snapshot::{SlowEntry, Snapshot};
use crate::checks::Check;
use crate::diagnostic::Diagnostic;
use crate::ruleset::raw::Profile;
use crate::settings::LintSettings;
use std::collections::BTreeMap;

/// The runtime findings of one server.
pub fn check(snap: &Snapshot, settings: &LintSettings) -> Vec<Diagnostic> {
    if snap.is_sentinel() || snap.stats.is_empty() {
        return Vec::new();
    }
    let r = Reader {
        stats: &snap.stats,
        settings,
    };
    let mut out = Vec::new();
    memory(&r, settings.profile, &mut out);
    slow_commands(&r, &snap.slowlog, &snap.latency, &mut out);
    persistence(&r, snap, &mut out);
    replication(&r, snap, &mut out);
    clients(&r, snap, &mut out);
    out
}

struct Reader<'a> {
    stats: &'a BTreeMap<String, String>,
    settings: &'a LintSettings,
}

impl Reader<'_> {
    fn text(&self, key: &str) -> Option<&str> {
        self.stats.get(key).map(String::as_str)
    }

    fn num(&self, key: &str) -> Option<f64> {
        self.text(key)?.parse().ok()
    }

    /// A rule parameter, or its default.
    fn param(&self, check: Check, key: &str, default: f64) -> f64 {
        self.settings
            .params
            .get(check.id())
            .and_then(|p| p.get(key))
            .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
            .unwrap_or(default)
    }

    /// `used_memory_human` and friends, else the bytes.
    fn bytes_shown(&self, key: &str) -> String {
        match self.text(&format!("{key}_human")) {
            Some(h) => h.to_string(),
            None => self.text(key).unwrap_or("?").to_string(),
        }
    }
}

fn finding(check: Check, message: String, help: &str, parameter: Option<&str>) -> Diagnostic {
    let mut d = check.at(None, message);
    d.help = Some(help.to_string());
    d.parameter = parameter.map(str::to_string);
    d
}

/// The `count=N` of an `INFO errorstats` line.
fn error_count(field: &str) -> Option<u64> {
    field
        .split(',')
        .find_map(|kv| kv.strip_prefix("count="))
        .and_then(|n| n.parse().ok())
}

fn memory(r: &Reader, profile: Option<Profile>, out: &mut Vec<Diagnostic>) {
    let used = r.num("used_memory").unwrap_or(0.0);
    let max = r.num("maxmemory").unwrap_or(0.0);
    let percent = r.param(Check::MemoryNearLimit, "percent", 80.0);
    if max > 0.0 && used >= max * percent / 100.0 {
        out.push(finding(
            Check::MemoryNearLimit,
            format!(
                "used_memory {} is {:.0} % of maxmemory {} (threshold {percent} %): {}",
                r.bytes_shown("used_memory"),
                used * 100.0 / max,
                r.bytes_shown("maxmemory"),
                match r.text("maxmemory_policy") {
                    Some("noeviction") | None => "writes will fail with OOM errors".to_string(),
                    Some(policy) => format!("keys are about to be evicted ({policy})"),
                }
            ),
            "raise `maxmemory` if the machine has room, let keys expire (TTLs), or delete big keys with UNLINK",
            Some("maxmemory"),
        ));
    }
    let total = r.num("total_system_memory").unwrap_or(0.0);
    let percent = r.param(Check::MemoryUnbounded, "percent", 60.0);
    if max == 0.0 && total > 0.0 && used >= total * percent / 100.0 {
        out.push(finding(
            Check::MemoryUnbounded,
            format!(
                "no `maxmemory`, and used_memory {} is {:.0} % of the machine's {} (threshold {percent} %): the kernel's OOM killer is next",
                r.bytes_shown("used_memory"),
                used * 100.0 / total,
                r.bytes_shown("total_system_memory"),
            ),
            "set `maxmemory` below the machine's memory, leaving room for forks and buffers",
            Some("maxmemory"),
        ));
    }
    if let Some(n) = r.text("errorstat_OOM").and_then(error_count)
        && n > 0
    {
        out.push(finding(
            Check::OomRejections,
            format!("{n} command(s) were refused with OOM errors: the server is at `maxmemory` and cannot evict"),
            "raise `maxmemory`, free memory, or choose an eviction policy if the data is a cache",
            Some("maxmemory"),
        ));
    }
    if profile == Some(Profile::Datastore)
        && let Some(n) = r.num("evicted_keys")
        && n > 0.0
    {
        out.push(finding(
            Check::EvictionsOnDatastore,
            format!(
                "{n:.0} key(s) were evicted from a server used as a datastore: that data is gone"
            ),
            "set `maxmemory-policy noeviction` and size `maxmemory` for the data",
            Some("maxmemory-policy"),
        ));
    }
    let ratio = r.num("mem_fragmentation_ratio");
    let floor = r.param(Check::Fragmentation, "min_used_mb", 100.0) * 1024.0 * 1024.0;
    let (high, low) = (
        r.param(Check::Fragmentation, "max_ratio", 1.5),
        r.param(Check::Fragmentation, "min_ratio", 1.0),
    );
    if let Some(ratio) = ratio
        && used >= floor
        && (ratio > high || ratio < low)
    {
        let why = if ratio > high {
            format!("above {high}: the process holds much more memory than its data")
        } else {
            format!("below {low}: part of the data is swapped out, and every access to it is slow")
        };
        out.push(finding(
            Check::Fragmentation,
            format!("mem_fragmentation_ratio is {ratio}, {why}"),
            "with jemalloc, `activedefrag yes` compacts memory; against swapping, give the server more memory or a lower `maxmemory`",
            None,
        ));
    }
}

/// What a slow log entry is, and what to use instead.
fn blocking_kind(args: &[String]) -> Option<(&'static str, &'static str)> {
    let name = args.first()?.to_ascii_uppercase();
    let arg = |i: usize| args.get(i).map(|a| a.to_ascii_uppercase());
    let whole_range = arg(2).as_deref() == Some("0") && arg(3).as_deref() == Some("-1");
    match name.as_str() {
        "KEYS" => Some(("KEYS", "SCAN with MATCH walks the keys a page at a time")),
        "FLUSHALL" | "FLUSHDB" if !args.iter().any(|a| a.eq_ignore_ascii_case("ASYNC")) => Some((
            "FLUSHALL/FLUSHDB without ASYNC",
            "FLUSHALL ASYNC (or `lazyfree-lazy-user-flush yes`) frees memory in the background",
        )),
        "SMEMBERS" => Some(("SMEMBERS", "SSCAN reads a set a page at a time")),
        "HGETALL" => Some(("HGETALL", "HSCAN reads a hash a page at a time")),
        "LRANGE" if whole_range => Some(("LRANGE … 0 -1", "read a list in pages of LRANGE")),
        "ZRANGE" if whole_range => Some(("ZRANGE … 0 -1", "ZSCAN or pages of ZRANGE")),
        "DEL" => Some(("DEL", "UNLINK frees big values in the background")),
        _ => None,
    }
}

fn slow_commands(
    r: &Reader,
    slowlog: &[SlowEntry],
    latency: &[(String, i64, i64)],
    out: &mut Vec<Diagnostic>,
) {
    let mut kinds: Vec<(&str, &str, usize, i64)> = Vec::new();
    for entry in slowlog {
        let Some((kind, instead)) = blocking_kind(&entry.args) else {
            continue;
        };
        match kinds.iter_mut().find(|k| k.0 == kind) {
            Some(k) => {
                k.2 += 1;
                k.3 = k.3.max(entry.micros);
            }
            None => kinds.push((kind, instead, 1, entry.micros)),
        }
    }
    for (kind, instead, count, micros) in kinds {
        out.push(finding(
            Check::SlowCommands,
            format!(
                "the slow log has {count} call(s) of {kind} (the slowest took {}): it blocks every other client while it runs",
                if micros < 1000 {
                    format!("{micros} µs")
                } else {
                    format!("{:.1} ms", micros as f64 / 1000.0)
                }
            ),
            instead,
            None,
        ));
    }
    let min_ms = r.param(Check::LatencyEvents, "min_ms", 100.0);
    for (event, latest, worst) in latency {
        if (*worst as f64) < min_ms {
            continue;
        }
        out.push(finding(
            Check::LatencyEvents,
            format!(
                "the latency monitor recorded `{event}` taking up to {worst} ms (the latest {latest} ms; threshold {min_ms} ms)"
            ),
            "`LATENCY DOCTOR` on the server explains the event; `command` and `fast-command` point at the slow log, `fork` at the size of the data",
            None,
        ));
    }
    let fork = r.num("latest_fork_usec").unwrap_or(0.0);
    let max_ms = r.param(Check::SlowFork, "max_ms", 500.0);
    if fork > max_ms * 1000.0 {
        out.push(finding(
            Check::SlowFork,
            format!(
                "the last fork took {:.0} ms (threshold {max_ms} ms): the server answers nothing while it forks",
                fork / 1000.0
            ),
            "forks get slower with memory size: a smaller instance, huge pages off (`transparent_hugepage=never`), or persistence on a replica",
            None,
        ));
    }
}

fn persistence(r: &Reader, snap: &Snapshot, out: &mut Vec<Diagnostic>) {
    if r.text("rdb_last_bgsave_status") == Some("err") {
        out.push(finding(
            Check::SaveFailing,
            "the last background save failed: with `stop-writes-on-bgsave-error yes` (the default) the server refuses writes until one succeeds".into(),
            "the log says why (often `dir` not writable or full, or a fork refused for memory); fix it, then BGSAVE",
            Some("dir"),
        ));
    }
    let write = r.text("aof_last_write_status") == Some("err");
    let rewrite = r.text("aof_last_bgrewrite_status") == Some("err");
    if write || rewrite {
        let what = if write { "write" } else { "rewrite" };
        out.push(finding(
            Check::AofFailing,
            format!("the last AOF {what} failed: writes since then may not be on disk"),
            "the log says why (disk full or not writable, a fork refused for memory)",
            Some("appendonly"),
        ));
    }
    let saving = snap
        .config_value("save")
        .is_some_and(|v| !v.iter().all(u8::is_ascii_whitespace));
    let changes = r.num("rdb_changes_since_last_save").unwrap_or(0.0);
    let max_hours = r.param(Check::NoRecentSave, "max_hours", 24.0);
    let now = r
        .num("server_time_usec")
        .map(|us| us / 1e6)
        .or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_secs_f64())
        })
        .unwrap_or(0.0);
    if let Some(last) = r.num("rdb_last_save_time")
        && saving
        && changes > 0.0
        && now - last > max_hours * 3600.0
    {
        out.push(finding(
            Check::NoRecentSave,
            format!(
                "persistence is on, but the last save was {:.1} h ago with {changes:.0} change(s) since: a restart now loses them",
                (now - last) / 3600.0
            ),
            "check why saves do not run or fail (`INFO persistence`, the log)",
            Some("save"),
        ));
    }
}

fn replication(r: &Reader, snap: &Snapshot, out: &mut Vec<Diagnostic>) {
    let role = r.text("role").unwrap_or("");
    if role == "slave" && r.text("master_link_status") == Some("down") {
        out.push(finding(
            Check::ReplicaLinkDown,
            format!(
                "this replica's link to its primary {}:{} is down (for {} s): it serves stale data",
                r.text("master_host").unwrap_or("?"),
                r.text("master_port").unwrap_or("?"),
                r.text("master_link_down_since_seconds").unwrap_or("?"),
            ),
            "check the primary is reachable and that `masterauth` / `masteruser` are its credentials",
            Some("replicaof"),
        ));
    }
    if role != "master" {
        return;
    }
    let max_lag = r.param(Check::ReplicaLag, "max_seconds", 10.0);
    let replicas: Vec<BTreeMap<&str, &str>> = (0..)
        .map_while(|i| r.text(&format!("slave{i}")))
        .map(|line| {
            line.split(',')
                .filter_map(|kv| kv.split_once('='))
                .collect()
        })
        .collect();
    for replica in &replicas {
        if let Some(lag) = replica.get("lag").and_then(|l| l.parse::<f64>().ok())
            && lag > max_lag
        {
            out.push(finding(
                Check::ReplicaLag,
                format!(
                    "replica {}:{} last answered {lag:.0} s ago (threshold {max_lag} s)",
                    replica.get("ip").unwrap_or(&"?"),
                    replica.get("port").unwrap_or(&"?"),
                ),
                "check the replica's load and the network between them",
                None,
            ));
        }
    }
    let wanted: f64 = snap
        .config_value("min-replicas-to-write")
        .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
        .unwrap_or(0.0);
    let good = r.num("min_slaves_good_slaves");
    if wanted > 0.0
        && let Some(good) = good
        && good < wanted
    {
        out.push(finding(
            Check::MinReplicasUnmet,
            format!(
                "{good:.0} good replica(s), `min-replicas-to-write` wants {wanted:.0}: the primary refuses writes"
            ),
            "bring the replicas back, or lower `min-replicas-to-write`",
            Some("min-replicas-to-write"),
        ));
    }
}

fn clients(r: &Reader, snap: &Snapshot, out: &mut Vec<Diagnostic>) {
    let connected = r.num("connected_clients").unwrap_or(0.0);
    let max: f64 = snap
        .config_value("maxclients")
        .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
        .unwrap_or(0.0);
    let percent = r.param(Check::ClientsNearLimit, "percent", 90.0);
    if max > 0.0 && connected >= max * percent / 100.0 {
        out.push(finding(
            Check::ClientsNearLimit,
            format!(
                "{connected:.0} clients connected, `maxclients` is {max:.0}: new connections will be refused"
            ),
            "raise `maxclients` (and the file limit), or find the client that leaks connections (`CLIENT LIST`)",
            Some("maxclients"),
        ));
    }
    let blocked = r.num("blocked_clients").unwrap_or(0.0);
    let max_blocked = r.param(Check::ManyBlockedClients, "max", 100.0);
    if blocked > max_blocked {
        out.push(finding(
            Check::ManyBlockedClients,
            format!("{blocked:.0} clients are blocked (threshold {max_blocked:.0})"),
            "blocked clients wait in BLPOP, BRPOP, XREAD BLOCK, WAIT …: check that producers keep up",
            None,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(stats: &[(&str, &str)], config: &[(&str, &str)]) -> Snapshot {
        Snapshot {
            stats: stats
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            config: Some(
                config
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                    .collect(),
            ),
            ..Default::default()
        }
    }

    fn ids(snap: &Snapshot, settings: &LintSettings) -> Vec<String> {
        check(snap, settings).into_iter().map(|d| d.rule).collect()
    }

    #[test]
    fn thresholds_and_their_parameters() {
        let s = snap(
            &[
                ("used_memory", "850"),
                ("maxmemory", "1000"),
                ("role", "master"),
            ],
            &[],
        );
        let mut settings = LintSettings::default();
        assert_eq!(ids(&s, &settings), ["runtime/memory-near-limit"]);
        settings.params.insert(
            "runtime/memory-near-limit".into(),
            [("percent".to_string(), toml::Value::Integer(90))].into(),
        );
        assert!(ids(&s, &settings).is_empty());
    }

    #[test]
    fn errorstats_replication_and_clients() {
        let s = snap(
            &[
                ("errorstat_OOM", "count=3"),
                ("role", "master"),
                (
                    "slave0",
                    "ip=10.0.0.2,port=6379,state=online,offset=10,lag=30",
                ),
                ("min_slaves_good_slaves", "0"),
                ("connected_clients", "95"),
            ],
            &[("min-replicas-to-write", "1"), ("maxclients", "100")],
        );
        assert_eq!(
            ids(&s, &LintSettings::default()),
            [
                "runtime/oom-rejections",
                "runtime/replica-lag",
                "runtime/min-replicas-unmet",
                "runtime/clients-near-limit"
            ]
        );
    }

    #[test]
    fn each_runtime_check_fires_on_its_statistics() {
        let settings = LintSettings {
            profile: Some(Profile::Datastore),
            ..LintSettings::default()
        };
        let one =
            |stats: &[(&str, &str)], config: &[(&str, &str)]| ids(&snap(stats, config), &settings);
        let gb = "2000000000";
        assert_eq!(
            one(
                &[
                    ("used_memory", "700"),
                    ("maxmemory", "0"),
                    ("total_system_memory", "1000")
                ],
                &[]
            ),
            ["runtime/memory-unbounded"]
        );
        assert_eq!(
            one(&[("evicted_keys", "5")], &[]),
            ["runtime/evictions-on-datastore"]
        );
        assert_eq!(
            one(
                &[("used_memory", gb), ("mem_fragmentation_ratio", "2.5")],
                &[]
            ),
            ["runtime/fragmentation"]
        );
        assert_eq!(
            one(
                &[("used_memory", gb), ("mem_fragmentation_ratio", "0.7")],
                &[]
            ),
            ["runtime/fragmentation"]
        );
        // A small server's ratio says nothing.
        assert!(
            one(
                &[("used_memory", "1000000"), ("mem_fragmentation_ratio", "9")],
                &[]
            )
            .is_empty()
        );
        assert_eq!(
            one(&[("latest_fork_usec", "900000")], &[]),
            ["runtime/slow-fork"]
        );
        assert_eq!(
            one(&[("aof_last_write_status", "err")], &[]),
            ["runtime/aof-failing"]
        );
        assert_eq!(
            one(
                &[
                    ("rdb_last_save_time", "1000"),
                    ("server_time_usec", "100000000000"),
                    ("rdb_changes_since_last_save", "4")
                ],
                &[("save", "3600 1")]
            ),
            ["runtime/no-recent-save"]
        );
        // Without save points nothing is expected to be saved.
        assert!(
            one(
                &[
                    ("rdb_last_save_time", "1000"),
                    ("server_time_usec", "100000000000"),
                    ("rdb_changes_since_last_save", "4")
                ],
                &[("save", "")]
            )
            .is_empty()
        );
        assert_eq!(
            one(&[("role", "slave"), ("master_link_status", "down")], &[]),
            ["runtime/replica-link-down"]
        );
        assert_eq!(
            one(&[("blocked_clients", "500")], &[]),
            ["runtime/blocked-clients"]
        );
        assert_eq!(
            one(&[("rdb_last_bgsave_status", "err")], &[]),
            ["runtime/save-failing"]
        );
        let mut s = snap(&[("role", "master")], &[]);
        s.slowlog = vec![SlowEntry {
            micros: 20_000,
            args: vec!["KEYS".into(), "*".into()],
        }];
        assert_eq!(ids(&s, &settings), ["runtime/slow-commands"]);
        let mut s = snap(&[("role", "master")], &[]);
        s.latency = vec![("command".into(), 120, 250), ("fork".into(), 5, 20)];
        assert_eq!(ids(&s, &settings), ["runtime/latency-events"]);
    }

    #[test]
    fn slow_log_kinds() {
        let kind = |words: &[&str]| {
            blocking_kind(&words.iter().map(|w| w.to_string()).collect::<Vec<_>>()).map(|k| k.0)
        };
        assert_eq!(kind(&["keys", "*"]), Some("KEYS"));
        assert_eq!(kind(&["FLUSHALL"]), Some("FLUSHALL/FLUSHDB without ASYNC"));
        assert_eq!(kind(&["flushdb", "async"]), None);
        assert_eq!(kind(&["LRANGE", "l", "0", "-1"]), Some("LRANGE … 0 -1"));
        assert_eq!(kind(&["LRANGE", "l", "0", "9"]), None);
        assert_eq!(kind(&["GET", "k"]), None);
    }
}
