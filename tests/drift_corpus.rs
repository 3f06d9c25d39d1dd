//! Drift has no false alarms: every corpus config redis-server accepts is started as it is
//! (machine-dependent lines taken out, a free loopback port and an audit user appended), and
//! `redlint audit --file` on the server and the file it started from reports no `drift/*`.
//! The server is the oracle of how each value is printed. Needs `redis-server` and the shared
//! corpus (skipped without them, failed without them when `CI` is set).

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::common::{
    self,
    server::{Server, free_port, redis_cli, start_server},
};
use support::corpus;
use support::oracle::{self, Mode};

const CONFIG_NAME: &str = "redis.conf";
/// The rules both commands must agree on (rules about a file's wording are not among them).
const CORE: &[&str] = &[
    "security/no-authentication",
    "security/dangerous-commands-exposed",
    "security/weak-password",
    "tls/not-enabled",
    "network/bind-all-interfaces",
    "network/protected-mode-disabled",
    "memory/maxmemory-unset",
    "persistence/no-persistence",
];
const AUDIT_PASSWORD: &str = "the-audit-password-of-this-test";

/// Start the server on its file in `dir`; `None` when it does not answer in time.
fn start(dir: &Path, port: u16) -> Option<Server> {
    let ping = || {
        redis_cli(
            port,
            &["--user", "redlint-audit", "--pass", AUDIT_PASSWORD, "PING"],
        )
    };
    start_server(dir, Path::new(CONFIG_NAME), Duration::from_secs(10), ping).ok()
}

#[test]
fn a_server_started_from_its_file_has_no_drift() {
    if support::redis_server_version().is_none() || !support::have_program("redis-cli") {
        assert!(!support::in_ci(), "redis-server is missing but CI is set");
        eprintln!("skipping: redis-server not found");
        return;
    }
    let Some(corpus_dir) = common::shared("corpus") else {
        return;
    };
    let mut bases = corpus::load_dir(&corpus_dir.join("wild"), "wild");
    bases.extend(corpus::load_dir(&corpus_dir.join("upstream"), "upstream"));
    bases.retain(|b| !b.name.contains("sentinel") && b.name.ends_with(".conf"));
    let (mut audited, mut refused, mut no_start, mut partial) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for base in &bases {
        let dir = tempfile::tempdir().unwrap();
        let (cleaned, _) = corpus::clean(&base.bytes);
        let port = free_port();
        let mut bytes = cleaned;
        // The appended lines win: loopback only, never a replica of another host, and a user
        // for the audit (ACL users are part of what is compared, so the file has it too).
        bytes.extend_from_slice(
            format!(
                "\nport {port}\nbind 127.0.0.1\ndaemonize no\nreplicaof no one\ntls-port 0\n\
                 cluster-enabled no\nuser redlint-audit on >{AUDIT_PASSWORD} ~* &* +@all\n"
            )
            .as_bytes(),
        );
        std::fs::write(dir.path().join(CONFIG_NAME), &bytes).unwrap();
        if !oracle::run(dir.path(), CONFIG_NAME, Mode::Quick, &[])
            .verdict
            .is_accepted()
        {
            refused += 1;
            continue;
        }
        let Some(_server) = start(dir.path(), port) else {
            no_start += 1;
            continue;
        };
        let out = Command::new(env!("CARGO_BIN_EXE_redlint"))
            .args([
                "audit",
                &format!("redis://127.0.0.1:{port}"),
                "--file",
                CONFIG_NAME,
            ])
            .args([
                "--user",
                "redlint-audit",
                "--select",
                "drift",
                "--format",
                "concise",
            ])
            .env("REDISCLI_AUTH", AUDIT_PASSWORD)
            .current_dir(dir.path())
            .output()
            .unwrap();
        audited += 1;
        // The rules judge the server's values as they judge the file's: the same core ids.
        // (A config that renames CONFIG leaves the audit without values: not compared.)
        let ids_of = |args: &[&str], select: &str| {
            let out = Command::new(env!("CARGO_BIN_EXE_redlint"))
                .args(args)
                .args(["--format", "concise", "--select", select])
                .env("REDISCLI_AUTH", AUDIT_PASSWORD)
                .current_dir(dir.path())
                .output()
                .unwrap();
            let found: std::collections::BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| Some(l.split_once('[')?.1.split_once(']')?.0.to_string()))
                .collect();
            (
                found,
                String::from_utf8_lossy(&out.stderr).contains("could not read"),
            )
        };
        let ids = |args: &[&str]| ids_of(args, &CORE.join(","));
        let (in_file, _) = ids(&["check", CONFIG_NAME, "--target-version", "7.0"]);
        let (on_server, degraded) = ids(&[
            "audit",
            &format!("redis://127.0.0.1:{port}"),
            "--user",
            "redlint-audit",
        ]);
        // A server that started has no values it would refuse at startup.
        let (refusals, _) = ids_of(
            &[
                "audit",
                &format!("redis://127.0.0.1:{port}"),
                "--user",
                "redlint-audit",
            ],
            "invalid",
        );
        if !refusals.is_empty() {
            failures.push(format!("{}: a started server has {refusals:?}", base.name));
        }
        if degraded {
            partial += 1;
        } else if in_file != on_server {
            failures.push(format!(
                "{}: check finds {in_file:?}, audit {on_server:?}",
                base.name
            ));
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        // What this machine's open-file limit does to `maxclients` is real drift, explained.
        let unexplained: Vec<&str> = stdout
            .lines()
            .filter(|l| !l.contains("open-file limit"))
            .collect();
        if !matches!(out.status.code(), Some(0 | 1)) || !unexplained.is_empty() {
            failures.push(format!(
                "{}: {}{}",
                base.name,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    println!(
        "{audited} servers audited against their files ({partial} without their values), {refused} configs refused, {no_start} did not answer"
    );
    assert!(audited > 50, "only {audited} configs started");
    assert!(
        failures.is_empty(),
        "{} of {audited} disagree with their own file:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
