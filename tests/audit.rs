//! The live audit against real servers this test starts on free loopback ports (temp dirs,
//! killed by pid): the same core findings as `check` on the server's file, none on a hardened
//! server over TLS, drift after CONFIG SET and ACL SETUSER, only read commands sent, clear
//! failures, and every format on a server subject without its password. Needs `redis-server`,
//! `redis-cli` and `openssl` (skipped without them, failed without them when `CI` is set).

mod common;

use common::server::{
    Server, certificates, commandstats, free_port, have_all, redis_cli, run, server_target,
    start_program, start_server,
};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

fn prerequisites() -> bool {
    have_all(&["redis-server", "redis-cli", "openssl"])
}

fn p(x: &Path) -> String {
    x.to_string_lossy().into_owned()
}

/// A server started from `conf` (in its directory), ready when `ready` answers.
fn start(dir: &Path, conf: &Path, ready: impl Fn() -> String) -> Server {
    start_server(dir, conf, Duration::from_secs(15), ready).unwrap_or_else(|e| panic!("{e}"))
}

fn cli(port: u16, args: &[&str]) -> String {
    redis_cli(port, args)
}

fn redlint(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_redlint"));
    cmd.args(args).current_dir(dir).env_remove("REDISCLI_AUTH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn rule_ids(json: &[u8]) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_slice(json)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(json)));
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap().iter())
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

const CORE: &[&str] = &[
    "security/no-authentication",
    "security/dangerous-commands-exposed",
    "tls/not-enabled",
    "network/bind-all-interfaces",
    "network/protected-mode-disabled",
    "memory/maxmemory-unset",
    "persistence/no-persistence",
];

#[test]
fn an_insecure_server_has_the_core_findings_of_its_file() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = dir.path().join("redis.conf");
    std::fs::write(
        &conf,
        format!(
            "bind 0.0.0.0\nprotected-mode no\nport {port}\nsave \"\"\nappendonly no\n\
             unixsocket {}\nunixsocketperm 700\n",
            p(&dir.path().join("redis.sock"))
        ),
    )
    .unwrap();
    let _server = start(dir.path(), &conf, || cli(port, &["PING"]));
    let target = format!("redis://127.0.0.1:{port}");
    let check = redlint(
        dir.path(),
        &[
            "check",
            &p(&conf),
            "--target-version",
            &server_target(),
            "--format",
            "json",
        ],
        &[],
    );
    let audit = redlint(dir.path(), &["audit", &target, "--format", "json"], &[]);
    assert_eq!(audit.status.code(), Some(1), "{audit:?}");
    let (in_file, on_server) = (rule_ids(&check.stdout), rule_ids(&audit.stdout));
    for id in CORE {
        assert!(
            in_file.iter().any(|i| i == id),
            "check: no {id}: {in_file:?}"
        );
        assert!(
            on_server.iter().any(|i| i == id),
            "audit: no {id}: {on_server:?}"
        );
    }
    // Every finding of the audit names the server and its parameter.
    let doc: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let file = &doc["files"][0];
    assert_eq!(file["target"], target.as_str());
    let maxmemory = file["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "memory/maxmemory-unset")
        .unwrap();
    assert_eq!(maxmemory["parameter"], "maxmemory");
    // The same server over its Unix socket.
    let socket = format!("unix://{}", p(&dir.path().join("redis.sock")));
    let over_socket = redlint(dir.path(), &["audit", &socket, "--format", "json"], &[]);
    let doc: serde_json::Value = serde_json::from_slice(&over_socket.stdout).unwrap();
    assert_eq!(doc["files"][0]["target"], socket.as_str());
    assert_eq!(rule_ids(&over_socket.stdout), on_server);
    assert!(
        maxmemory["message"]
            .as_str()
            .unwrap()
            .contains("maxmemory 0")
    );
}

#[test]
fn a_hardened_server_over_tls_has_none_of_them() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (ca, crt, key) = certificates(dir.path());
    let tls_port = free_port();
    let conf = dir.path().join("redis.conf");
    std::fs::write(
        &conf,
        format!(
            "bind 127.0.0.1 -::1\nprotected-mode yes\nport 0\ntls-port {tls_port}\n\
             tls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\ntls-auth-clients yes\n\
             user default off\n\
             user admin on >a-long-admin-password-for-tests ~* &* +@all -@dangerous +info +acl|list\n\
             rename-command FLUSHALL \"\"\nrename-command FLUSHDB \"\"\n\
             rename-command CONFIG \"ops-config-7f3a\"\n\
             maxmemory 64mb\nmaxmemory-policy allkeys-lru\nappendonly yes\nappendfsync everysec\n",
            p(&crt),
            p(&key),
            p(&ca)
        ),
    )
    .unwrap();
    let tls_cli = |args: &[&str]| {
        run(Command::new("redis-cli")
            .args([
                "--tls",
                "--cacert",
                &p(&ca),
                "--cert",
                &p(&crt),
                "--key",
                &p(&key),
            ])
            .args(["-h", "127.0.0.1"])
            .args(["-p", &tls_port.to_string(), "--no-auth-warning"])
            .args(args))
    };
    let _server = start(dir.path(), &conf, || tls_cli(&["PING"]));
    let check = redlint(
        dir.path(),
        &[
            "check",
            &p(&conf),
            "--target-version",
            &server_target(),
            "--format",
            "json",
        ],
        &[],
    );
    let in_file = rule_ids(&check.stdout);
    let target = format!("rediss://127.0.0.1:{tls_port}");
    let audit = redlint(
        dir.path(),
        &[
            "audit",
            &target,
            "--user",
            "admin",
            "--tls-ca-cert",
            &p(&ca),
            "--tls-cert",
            &p(&crt),
            "--tls-key",
            &p(&key),
            "--format",
            "json",
        ],
        &[("REDISCLI_AUTH", "a-long-admin-password-for-tests")],
    );
    let stderr = String::from_utf8_lossy(&audit.stderr);
    assert_ne!(audit.status.code(), Some(2), "{stderr}");
    let on_server = rule_ids(&audit.stdout);
    for id in CORE {
        assert!(!in_file.iter().any(|i| i == id), "check: {id}: {in_file:?}");
        assert!(
            !on_server.iter().any(|i| i == id),
            "audit: {id}: {on_server:?}\n{stderr}"
        );
    }
    // CONFIG is renamed: the audit says what it could not read, and judges the rest (users).
    assert!(stderr.contains("could not read CONFIG GET"), "{stderr}");
    // A wrong CA is a TLS failure, one line, exit 2.
    let other = tempfile::tempdir().unwrap();
    let (other_ca, _, _) = certificates(other.path());
    let wrong = redlint(
        dir.path(),
        &[
            "audit",
            &target,
            "--user",
            "admin",
            "--tls-ca-cert",
            &p(&other_ca),
        ],
        &[("REDISCLI_AUTH", "a-long-admin-password-for-tests")],
    );
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(wrong.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("TLS"), "{stderr}");
    let tls = |extra: &[&str]| {
        let mut args = vec![
            "audit",
            target.as_str(),
            "--user",
            "admin",
            "--select",
            "tls",
        ];
        args.extend([
            "--tls-cert",
            crt.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ]);
        args.extend(extra);
        redlint(
            dir.path(),
            &args,
            &[("REDISCLI_AUTH", "a-long-admin-password-for-tests")],
        )
    };
    // Without a client certificate the server refuses the handshake.
    let no_cert = redlint(
        dir.path(),
        &[
            "audit",
            &target,
            "--user",
            "admin",
            "--tls-ca-cert",
            &p(&ca),
        ],
        &[("REDISCLI_AUTH", "a-long-admin-password-for-tests")],
    );
    assert_eq!(no_cert.status.code(), Some(2), "{no_cert:?}");
    // The name checked is --tls-sni's: the certificate's DNS name passes, another does not.
    let ca_path = p(&ca);
    let sni = tls(&["--tls-ca-cert", &ca_path, "--tls-sni", "localhost"]);
    assert_ne!(sni.status.code(), Some(2), "{sni:?}");
    let wrong_sni = tls(&["--tls-ca-cert", &ca_path, "--tls-sni", "other.example"]);
    assert_eq!(wrong_sni.status.code(), Some(2), "{wrong_sni:?}");
    // --insecure-skip-verify accepts a certificate no CA given signs, with a warning.
    let insecure = tls(&["--tls-ca-cert", &p(&other_ca), "--insecure-skip-verify"]);
    assert_ne!(insecure.status.code(), Some(2), "{insecure:?}");
    assert!(
        String::from_utf8_lossy(&insecure.stderr).contains("not checked"),
        "{insecure:?}"
    );
    // Plaintext to the TLS port: a clear failure, not a hang.
    let plain = redlint(
        dir.path(),
        &[
            "audit",
            &format!("redis://127.0.0.1:{tls_port}"),
            "--timeout",
            "2",
        ],
        &[],
    );
    assert_eq!(plain.status.code(), Some(2), "{plain:?}");
    assert_eq!(
        String::from_utf8_lossy(&plain.stderr).lines().count(),
        1,
        "{plain:?}"
    );
}

#[test]
fn drift_is_found_and_nothing_is_written() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = dir.path().join("redis.conf");
    std::fs::write(
        &conf,
        format!("port {port}\nbind 127.0.0.1\nmaxmemory 0\nsave \"\"\nrename-command KEYS \"\"\n"),
    )
    .unwrap();
    let _server = start(dir.path(), &conf, || cli(port, &["PING"]));
    assert!(cli(port, &["CONFIG", "SET", "maxmemory", "100mb"]).contains("OK"));
    assert!(
        cli(
            port,
            &[
                "ACL",
                "SETUSER",
                "intruder",
                "on",
                ">pw-of-the-intruder",
                "+@all",
                "~*"
            ]
        )
        .contains("OK")
    );
    let before = commandstats(port);
    let target = format!("redis://127.0.0.1:{port}");
    let audit = redlint(
        dir.path(),
        &[
            "audit",
            &target,
            "--file",
            &p(&conf),
            "--format",
            "concise",
            "--select",
            "drift",
        ],
        &[],
    );
    let after = commandstats(port);
    let out = String::from_utf8_lossy(&audit.stdout);
    assert_eq!(audit.status.code(), Some(1), "{audit:?}");
    let conf_name = p(&conf);
    assert!(
        out.lines()
            .any(|l| l.starts_with(&format!("{conf_name}:3:"))
                && l.contains("drift/value-differs")
                && l.contains("104857600")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("drift/acl-differs") && l.contains("intruder")),
        "{out}"
    );
    // No other drift: the rest of the server is as its file says.
    assert_eq!(out.lines().count(), 2, "{out}");
    // `check --against` is the same comparison.
    let against = redlint(
        dir.path(),
        &[
            "check",
            &p(&conf),
            "--against",
            &target,
            "--format",
            "concise",
            "--select",
            "drift",
        ],
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&against.stdout), out, "{against:?}");
    assert!(!out.contains("pw-of-the-intruder"));
    // Only read commands ran (the second INFO commandstats is ours, not the audit's).
    let read_only = [
        "info",
        "config|get",
        "acl|list",
        "command|info",
        "slowlog|get",
        "latency|latest",
        "auth",
        "select",
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
    // Another file: not the one the server started from, and its renames are not in effect
    // (FLUSHDB is still there, KEYS is gone though this file does not rename it).
    let other = dir.path().join("other.conf");
    std::fs::write(
        &other,
        format!(
            "port {port}\nbind 127.0.0.1\nmaxmemory 100mb\nsave \"\"\nrename-command FLUSHDB \"\"\n"
        ),
    )
    .unwrap();
    let audit = redlint(
        dir.path(),
        &[
            "audit",
            &target,
            "--file",
            &p(&other),
            "--format",
            "concise",
        ],
        &[],
    );
    let out = String::from_utf8_lossy(&audit.stdout);
    let other_name = p(&other);
    assert!(out.contains("drift/other-config-file"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with(&format!("{other_name}:5:"))
                && l.contains("drift/rename-differs")
                && l.contains("flushdb")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("drift/rename-differs") && l.contains("no `keys` command")),
        "{out}"
    );
    assert!(!out.contains("drift/value-differs"), "{out}");
}

#[test]
fn failures_are_one_line_each_and_the_other_targets_are_still_audited() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = dir.path().join("redis.conf");
    std::fs::write(
        &conf,
        format!(
            "port {port}\nbind 127.0.0.1\nuser default on >the-default-password-0123 ~* &* +@all\n\
             user reader on >the-reader-password-0123 ~* &* +@all -config\n"
        ),
    )
    .unwrap();
    let _server = start(dir.path(), &conf, || cli(port, &["PING"]));
    let good = format!("redis://127.0.0.1:{port}");
    let nobody = format!("redis://127.0.0.1:{}", free_port());
    let out = redlint(
        dir.path(),
        &["audit", &nobody, &good, "--format", "concise"],
        &[("REDISCLI_AUTH", "the-default-password-0123")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&nobody) && stderr.contains("cannot connect"),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&good),
        "{out:?}"
    );
    // A wrong password.
    let out = redlint(dir.path(), &["audit", &good], &[("REDISCLI_AUTH", "wrong")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("authentication failed"), "{stderr}");
    assert!(!stderr.contains("the-default-password"), "{stderr}");
    // A user without +config: a degraded audit, said once, not a failure.
    let password_file = dir.path().join("password");
    std::fs::write(&password_file, "the-reader-password-0123\n").unwrap();
    let out = redlint(
        dir.path(),
        &[
            "audit",
            &good,
            "--user",
            "reader",
            "--password-file",
            &p(&password_file),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("could not read CONFIG GET: NOPERM"),
        "{stderr}"
    );
    // A password in the URL works, with a warning that does not repeat it.
    let url = format!("redis://default:the-default-password-0123@127.0.0.1:{port}");
    let out = redlint(dir.path(), &["audit", &url], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("password in the URL"), "{stderr}");
    assert!(
        !stderr.contains("the-default-password")
            && !String::from_utf8_lossy(&out.stdout).contains("the-default-password")
    );
}

fn fingerprints_masked(text: &str) -> String {
    let mut seen = std::collections::BTreeSet::new();
    let out = text
        .lines()
        .map(|line| match line.split_once("\"fingerprint\": \"") {
            Some((head, rest)) => {
                let hex = rest.trim_end_matches(['"', ',']);
                assert!(
                    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()),
                    "{line}"
                );
                assert!(
                    seen.insert(hex.to_string()),
                    "a repeated fingerprint: {line}"
                );
                format!("{head}\"fingerprint\": \"SHA-256\",")
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    out + if text.ends_with('\n') { "\n" } else { "" }
}

#[test]
fn every_format_on_a_server_subject() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = dir.path().join("redis.conf");
    // A weak password the audit must judge and never print.
    std::fs::write(
        &conf,
        format!("port {port}\nbind 127.0.0.1\nrequirepass s3cr3t-pw\nsave \"\"\nappendonly no\n"),
    )
    .unwrap();
    let _server = start(dir.path(), &conf, || cli(port, &["PING"]));
    let target = format!("redis://127.0.0.1:{port}");
    let mut outputs = String::new();
    for format in [
        "human", "concise", "json", "sarif", "github", "junit", "gitlab",
    ] {
        let out = redlint(
            dir.path(),
            &[
                "audit",
                &target,
                "--format",
                format,
                "--select",
                "security,memory,persistence",
            ],
            &[("REDISCLI_AUTH", "s3cr3t-pw"), ("NO_COLOR", "1")],
        );
        let text = String::from_utf8_lossy(&out.stdout).replace(&port.to_string(), "PORT");
        // GitLab fingerprints hash the target, port included: shown as their shape.
        let text = fingerprints_masked(&text);
        assert_eq!(out.status.code(), Some(1), "{format}: {out:?}");
        assert!(
            !text.contains("s3cr3t-pw"),
            "{format} prints the password:\n{text}"
        );
        assert!(text.contains("security/weak-password"), "{format}:\n{text}");
        outputs.push_str(&format!("==== {format}\n{text}\n"));
    }
    let outputs = outputs.replace(env!("CARGO_PKG_VERSION"), "VERSION");
    insta::assert_snapshot!("audit_formats", outputs);
}

/// Lines of directives a version added, so its audit shows whether its own catalog was chosen.
fn own_lines(target: &str) -> &'static str {
    match target {
        "valkey-8.1" => {
            "commandlog-execution-slower-than 5000\nlog-format logfmt\nimport-mode no\n"
        }
        "valkey-9.0" => "cluster-databases 1\nmptcp no\nshutdown-on-sigterm failover\n",
        "redis-7.0" => {
            "shutdown-on-sigterm default\nlatency-tracking yes\noom-score-adj relative\n"
        }
        "redis-6.2" => "oom-score-adj relative\n",
        _ => "",
    }
}

#[test]
fn every_server_found_is_audited_with_the_catalog_of_its_version() {
    if !have_all(&["redis-server", "redis-cli"]) {
        return;
    }
    let oracles = common::oracles::for_test("audit").unwrap_or_else(|why| panic!("{why}"));
    for oracle in &oracles {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let conf = dir.path().join("redis.conf");
        let text = format!(
            "port {port}\nbind 127.0.0.1\nsave \"\"\n{}",
            own_lines(&oracle.target)
        );
        std::fs::write(&conf, text).unwrap();
        let _server = start_program(
            &oracle.program,
            dir.path(),
            &conf,
            Duration::from_secs(15),
            || cli(port, &["PING"]),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", oracle.target));
        let url = format!("redis://127.0.0.1:{port}");
        let out = redlint(
            dir.path(),
            &["audit", &url, "--file", "redis.conf", "--format", "json"],
            &[],
        );
        let ids = rule_ids(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Its own directives known, its parameters the file's: no invalid line, no drift, and
        // no note that the version was judged as another.
        assert!(
            !ids.iter()
                .any(|id| id.starts_with("invalid/") || id.starts_with("drift/")),
            "{}: {ids:?}\n{stderr}",
            oracle.target
        );
        assert!(!stderr.contains("judged as"), "{}: {stderr}", oracle.target);
        assert!(
            ids.contains(&"security/no-authentication".to_string()),
            "{}: {ids:?}",
            oracle.target
        );
    }
}

#[test]
fn many_targets_at_once_are_reported_in_the_order_given() {
    if !prerequisites() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut servers = Vec::new();
    let mut ports = Vec::new();
    for k in 0..3 {
        let sub = dir.path().join(format!("s{k}"));
        std::fs::create_dir_all(&sub).unwrap();
        let port = free_port();
        let conf = sub.join("redis.conf");
        std::fs::write(&conf, format!("port {port}\nbind 127.0.0.1\nsave \"\"\n")).unwrap();
        servers.push(start(&sub, &conf, || cli(port, &["PING"])));
        ports.push(port);
    }
    let dead = free_port();
    let targets: Vec<String> = [ports[2], dead, ports[0], ports[1]]
        .iter()
        .map(|p| format!("redis://127.0.0.1:{p}"))
        .collect();
    let mut args = vec!["audit", "--jobs", "4", "--format", "json"];
    args.extend(targets.iter().map(String::as_str));
    let out = redlint(dir.path(), &args, &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let shown: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["target"].as_str().unwrap())
        .collect();
    assert_eq!(shown, [&targets[0], &targets[2], &targets[3]], "{out:?}");
    let errors = String::from_utf8_lossy(&out.stderr);
    assert_eq!(errors.lines().count(), 1, "{errors}");
    assert!(errors.contains(&targets[1]), "{errors}");
    // No progress line in a machine format, nor when stderr is not a terminal.
    assert!(!errors.contains("auditing:"), "{errors}");
}
