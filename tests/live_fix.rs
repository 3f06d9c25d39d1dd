//! Live proof of `--fix`: an insecure config, fixed with `--fix --unsafe-fixes` and parameters,
//! runs on a real redis-server on free loopback ports, and a TLS client sees the hardening in
//! effect. Needs `redis-server`, `redis-cli` and `openssl` (skipped without them, failed without
//! them when `CI` is set). The server is this test's own: started in a temp dir, killed by pid.

mod common;

use common::server::{Server, certificates, free_port, have, run, server_target};

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn a_fixed_insecure_config_is_hardened_on_a_live_server() {
    for program in ["redis-server", "redis-cli", "openssl"] {
        if !have(program) {
            assert!(!common::in_ci(), "{program} is missing but CI is set");
            eprintln!("skipping: {program} not found");
            return;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (ca, crt, key) = certificates(dir.path());
    let tls_port = free_port();
    let conf = dir.path().join("redis.conf");
    // The insecure config listens in plaintext on every interface; its port is a free one, in
    // case a fix did not close it.
    let plain_port = free_port();
    std::fs::write(
        &conf,
        format!("bind 0.0.0.0\nprotected-mode no\nport {plain_port}\n"),
    )
    .unwrap();
    let p = |x: &PathBuf| x.to_string_lossy().into_owned();
    let target = server_target();
    let fix = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args(["check", &p(&conf), "--target-version", &target])
        .args(["--fix", "--unsafe-fixes"])
        .args(["--param", "maxmemory=64mb"])
        .args(["--param", "maxmemory-policy=allkeys-lru"])
        .args(["--param", "appendonly=yes"])
        .arg("--param")
        .arg(format!("tls-port={tls_port}"))
        .arg("--param")
        .arg(format!("tls-cert-file={}", p(&crt)))
        .arg("--param")
        .arg(format!("tls-key-file={}", p(&key)))
        .arg("--param")
        .arg(format!("tls-ca-cert-file={}", p(&ca)))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let fixed = std::fs::read_to_string(&conf).unwrap();
    let stderr = String::from_utf8_lossy(&fix.stderr);
    // The console says where the password is, never what it is.
    assert!(
        stderr.contains("the new password of the default user is on line"),
        "{stderr}"
    );
    let password = fixed
        .split_whitespace()
        .find_map(|w| w.strip_prefix('>'))
        .or_else(|| fixed.lines().find_map(|l| l.strip_prefix("requirepass ")))
        .expect("a generated password in the fixed file")
        .to_string();
    assert!(
        !stderr.contains(&password) && !String::from_utf8_lossy(&fix.stdout).contains(&password)
    );

    // An admin user for the test to read the settings with (CONFIG is denied to default).
    let server_conf = dir.path().join("server.conf");
    std::fs::write(
        &server_conf,
        format!("{fixed}\nuser admin on >admin-password ~* &* +@all\n"),
    )
    .unwrap();
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let _server = Server(
        Command::new("redis-server")
            .arg(&server_conf)
            .current_dir(dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let cli = |auth: &[&str], cmd: &[&str]| {
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
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &tls_port.to_string(),
                "--no-auth-warning",
            ])
            .args(auth)
            .args(cmd))
    };
    let started = Instant::now();
    loop {
        let out = cli(&[], &["PING"]);
        if out.contains("NOAUTH") || out.contains("PONG") {
            break;
        }
        let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the fixed config did not start:\n{fixed}\n{log}\n{out}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Authentication is required, and the generated password works.
    assert!(cli(&[], &["PING"]).contains("NOAUTH"));
    let default = ["-a", password.as_str()];
    assert!(cli(&default, &["PING"]).contains("PONG"));
    // Dangerous commands are refused to the default user.
    assert!(cli(&default, &["FLUSHALL"]).contains("NOPERM"), "{fixed}");
    assert!(cli(&default, &["CONFIG", "GET", "maxmemory"]).contains("NOPERM"));
    // The settings are in effect.
    let admin = ["--user", "admin", "--pass", "admin-password"];
    let get = |name: &str| cli(&admin, &["CONFIG", "GET", name]);
    assert!(
        get("maxmemory").contains("67108864"),
        "{}",
        get("maxmemory")
    );
    assert!(get("maxmemory-policy").contains("allkeys-lru"));
    assert!(get("appendonly").contains("yes"));
    assert!(get("appendfsync").contains("everysec"));
    // TLS serves; the plaintext port is closed.
    assert!(
        get("port").lines().any(|l| l.trim() == "0"),
        "{}",
        get("port")
    );
    let plain = run(Command::new("redis-cli").args([
        "-h",
        "127.0.0.1",
        "-p",
        &tls_port.to_string(),
        "PING",
    ]));
    assert!(!plain.contains("PONG"), "{plain}");

    // And redlint finds nothing of the core set left.
    let check = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args([
            "check",
            &p(&conf),
            "--target-version",
            &target,
            "--format",
            "json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&check.stdout);
    for id in [
        "network/bind-all-interfaces",
        "network/protected-mode-disabled",
        "security/no-authentication",
        "security/weak-password",
        "security/dangerous-commands-exposed",
        "tls/not-enabled",
        "memory/maxmemory-unset",
        "memory/maxmemory-policy-implicit",
        "persistence/appendonly-disabled",
        "persistence/appendfsync-unset",
    ] {
        assert!(
            !json.contains(&format!("\"{id}\"")),
            "{id} still reported:\n{json}"
        );
    }
}
