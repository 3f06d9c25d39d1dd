//! The runtime checks of the live audit (`runtime/*`) against real servers this test starts on
//! free loopback ports and puts in trouble itself: memory filled to 90 % of a small
//! `maxmemory`, `KEYS *` in a slow log that logs everything, a background save into a folder
//! that is gone, a command that blocks the server under the latency monitor. Each fires; a fresh server has none; the audit sends no write (`INFO
//! commandstats` before and after). Needs `redis-server` and `redis-cli` (skipped without them,
//! failed without them when `CI` is set).

mod common;

use common::server::{Server, commandstats, free_port, have_all, redis_cli, start_server};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn start(dir: &Path, extra: &str) -> (Server, u16) {
    let port = free_port();
    let conf = dir.join("redis.conf");
    std::fs::write(
        &conf,
        format!("port {port}\nbind 127.0.0.1\nsave \"\"\nappendonly no\n{extra}"),
    )
    .unwrap();
    let server = start_server(dir, &conf, Duration::from_secs(15), || {
        redis_cli(port, &["PING"])
    })
    .unwrap_or_else(|e| panic!("{e}"));
    (server, port)
}

/// The `runtime/*` findings of `redlint audit` on the server, with their messages.
fn runtime_findings(dir: &Path, port: u16, extra: &[&str]) -> Vec<(String, String)> {
    let target = format!("redis://127.0.0.1:{port}");
    let out = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args(["audit", &target, "--select", "runtime", "--format", "json"])
        .args(extra)
        .current_dir(dir)
        .env_remove("REDISCLI_AUTH")
        .output()
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap().iter())
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn info_field(port: u16, section: &str, key: &str) -> String {
    redis_cli(port, &["INFO", section])
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn a_fresh_server_has_no_runtime_findings() {
    if !have_all(&["redis-server", "redis-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, port) = start(dir.path(), "");
    assert_eq!(runtime_findings(dir.path(), port, &[]), vec![]);
}

#[test]
fn memory_near_maxmemory_is_found_and_the_audit_writes_nothing() {
    if !have_all(&["redis-server", "redis-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, port) = start(dir.path(), "maxmemory 4mb\nmaxmemory-policy noeviction\n");
    let used = |p| {
        info_field(p, "memory", "used_memory")
            .parse::<u64>()
            .unwrap()
    };
    let mut i = 0;
    while used(port) < 4 * 1024 * 1024 * 9 / 10 {
        let reply = redis_cli(port, &["SETRANGE", &format!("k{i}"), "60000", "x"]);
        if reply.contains("OOM") {
            break;
        }
        i += 1;
        assert!(i < 200, "memory does not grow: {}", used(port));
    }
    let before = commandstats(port);
    let found = runtime_findings(dir.path(), port, &[]);
    let after = commandstats(port);
    assert!(
        found
            .iter()
            .any(|(rule, message)| rule == "runtime/memory-near-limit"
                && message.contains("writes will fail with OOM errors")),
        "{found:?}"
    );
    // A higher threshold is a rule parameter.
    std::fs::write(
        dir.path().join("redlint.toml"),
        "[params.\"runtime/memory-near-limit\"]\npercent = 99.9\n",
    )
    .unwrap();
    let relaxed = runtime_findings(dir.path(), port, &[]);
    assert!(
        !relaxed
            .iter()
            .any(|(r, _)| r == "runtime/memory-near-limit"),
        "{relaxed:?}"
    );
    let read_only = [
        "info",
        "config|get",
        "acl|list",
        "command|info",
        "slowlog|get",
        "latency|latest",
        "ping",
    ];
    for (name, calls) in &after {
        let new = calls - before.get(name).copied().unwrap_or(0);
        if new > 0 {
            assert!(
                read_only.contains(&name.as_str()),
                "the audit ran {name}: {after:?}"
            );
        }
    }
}

#[test]
fn keys_in_the_slow_log_is_found_with_its_safe_alternative() {
    if !have_all(&["redis-server", "redis-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, port) = start(dir.path(), "slowlog-log-slower-than 0\n");
    redis_cli(port, &["SET", "a", "1"]);
    redis_cli(port, &["KEYS", "*"]);
    redis_cli(port, &["FLUSHALL"]);
    let found = runtime_findings(dir.path(), port, &[]);
    let slow: Vec<&String> = found
        .iter()
        .filter(|(r, _)| r == "runtime/slow-commands")
        .map(|(_, m)| m)
        .collect();
    assert!(slow.iter().any(|m| m.contains("KEYS")), "{found:?}");
    assert!(
        slow.iter()
            .any(|m| m.contains("FLUSHALL/FLUSHDB without ASYNC")),
        "{found:?}"
    );
    // SET is in the slow log too, and harmless.
    assert_eq!(slow.len(), 2, "{found:?}");
}

#[test]
fn a_failed_background_save_is_found() {
    if !have_all(&["redis-server", "redis-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let (_server, port) = start(dir.path(), &format!("dir {}\n", data.to_string_lossy()));
    redis_cli(port, &["SET", "a", "1"]);
    // The folder the server saves into is gone: BGSAVE cannot create its file there.
    std::fs::remove_dir_all(&data).unwrap();
    assert!(redis_cli(port, &["BGSAVE"]).contains("Background saving started"));
    let started = Instant::now();
    while info_field(port, "persistence", "rdb_last_bgsave_status") != "err" {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "BGSAVE did not fail"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let found = runtime_findings(dir.path(), port, &[]);
    assert!(
        found.iter().any(|(r, _)| r == "runtime/save-failing"),
        "{found:?}"
    );
}

#[test]
fn a_latency_event_is_found() {
    if !have_all(&["redis-server", "redis-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, port) = start(
        dir.path(),
        "latency-monitor-threshold 1\nenable-debug-command local\n",
    );
    // A command that blocks the server for 150 ms: the monitor records a `command` event.
    redis_cli(port, &["DEBUG", "SLEEP", "0.15"]);
    let found = runtime_findings(dir.path(), port, &[]);
    assert!(
        found
            .iter()
            .any(|(r, m)| r == "runtime/latency-events" && m.contains("`command`")),
        "{found:?}"
    );
}
