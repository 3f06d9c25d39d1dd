//! `check --group` (`consistency/*`): a replica whose `masterauth` is not its primary's
//! password, that renames other commands, or whose settings differ. The verdict on
//! `masterauth` is compared with real servers this test starts on free loopback ports: the
//! replica's link stays down exactly when redlint says it cannot authenticate. Needs
//! `redis-server` and `redis-cli` for that part (skipped without them, failed without them
//! when `CI` is set).

mod common;

use common::server::{Server, free_port, have_all, redis_cli, start_server};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn consistency(dir: &Path, files: &[&str]) -> Vec<(String, String, u64)> {
    let out = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args([
            "check",
            "--group",
            "--select",
            "consistency",
            "--format",
            "json",
        ])
        .args(files)
        .current_dir(dir)
        .output()
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            let path = f["path"].as_str().unwrap().to_string();
            f["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |d| {
                    (
                        path.clone(),
                        d["rule"].as_str().unwrap().to_string(),
                        d["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn primary(port: u16) -> String {
    format!(
        "port {port}\nbind 127.0.0.1\nsave \"\"\nrequirepass primary-password-of-the-group\n\
         rename-command FLUSHALL \"\"\nmaxmemory-policy noeviction\n"
    )
}

fn replica(port: u16, primary: u16, masterauth: &str, flushall: &str, policy: &str) -> String {
    format!(
        "port {port}\nbind 127.0.0.1\nsave \"\"\nreplicaof 127.0.0.1 {primary}\n\
         masterauth {masterauth}\nrequirepass primary-password-of-the-group\n\
         {flushall}maxmemory-policy {policy}\n"
    )
}

#[test]
fn a_replica_that_differs_from_its_primary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("primary.conf"), primary(7000)).unwrap();
    std::fs::write(
        dir.path().join("replica.conf"),
        replica(7001, 7000, "not-the-password-at-all", "", "allkeys-lru"),
    )
    .unwrap();
    let found = consistency(dir.path(), &["primary.conf", "replica.conf"]);
    let rules: Vec<&str> = found.iter().map(|(_, r, _)| r.as_str()).collect();
    assert_eq!(
        rules,
        [
            "consistency/masterauth-mismatch",
            "consistency/rename-mismatch",
            "consistency/setting-mismatch"
        ],
        "{found:?}"
    );
    assert!(
        found.iter().all(|(p, _, _)| p == "replica.conf"),
        "{found:?}"
    );
    // At the lines: masterauth is line 5, maxmemory-policy line 7.
    assert_eq!(found[0].2, 5, "{found:?}");
    assert_eq!(found[2].2, 7, "{found:?}");
    // Corrected, the group is consistent.
    std::fs::write(
        dir.path().join("replica.conf"),
        replica(
            7001,
            7000,
            "primary-password-of-the-group",
            "rename-command FLUSHALL \"\"\n",
            "noeviction",
        ),
    )
    .unwrap();
    assert_eq!(
        consistency(dir.path(), &["primary.conf", "replica.conf"]),
        vec![]
    );
}

/// Start a server from `text` in its own folder.
fn start(dir: &Path, name: &str, text: &str, port: u16) -> Server {
    let sub = dir.join(name);
    std::fs::create_dir_all(&sub).unwrap();
    let conf = sub.join("redis.conf");
    std::fs::write(&conf, text).unwrap();
    start_server(&sub, &conf, Duration::from_secs(15), || {
        redis_cli(port, &["PING"])
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn link_status(port: u16) -> String {
    redis_cli(
        port,
        &["-a", "primary-password-of-the-group", "INFO", "replication"],
    )
    .lines()
    .find_map(|l| l.strip_prefix("master_link_status:"))
    .unwrap_or_default()
    .trim()
    .to_string()
}

#[test]
fn the_masterauth_verdict_is_what_a_real_replica_does() {
    if !have_all(&["redis-server", "redis-cli"]) {
        return;
    }
    for (masterauth, can_sync) in [
        ("not-the-password-at-all", false),
        ("primary-password-of-the-group", true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (p, r) = (free_port(), free_port());
        let primary_text = primary(p);
        let replica_text = replica(
            r,
            p,
            masterauth,
            "rename-command FLUSHALL \"\"\n",
            "noeviction",
        );
        std::fs::write(dir.path().join("primary.conf"), &primary_text).unwrap();
        std::fs::write(dir.path().join("replica.conf"), &replica_text).unwrap();
        let said_broken = consistency(dir.path(), &["primary.conf", "replica.conf"])
            .iter()
            .any(|(_, rule, _)| rule == "consistency/masterauth-mismatch");
        assert_eq!(said_broken, !can_sync, "{masterauth}");
        let _primary = start(dir.path(), "p", &primary_text, p);
        let _replica = start(dir.path(), "r", &replica_text, r);
        // Up within seconds when it can authenticate; still down after that when it cannot.
        let started = Instant::now();
        let mut status = link_status(r);
        while status != "up" && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(100));
            status = link_status(r);
        }
        assert_eq!(status == "up", can_sync, "{masterauth}: link {status}");
    }
}
