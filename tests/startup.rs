//! Startup aborts against the real server, started for real: redis-server reads each
//! `fixtures/startup/*.conf` and tries to listen on free loopback ports, and redlint must report
//! an `invalid/*` finding exactly when the server exits instead of serving. These are the
//! verdicts a quick `--port 0` run cannot give (binding, TLS listeners, the cluster bus).
//!
//! `{PORT}` and `{PORT2}` in a fixture become free loopback ports (`{HIGHPORT}` one above 55535), `{CA}`, `{CRT}` and `{KEY}` a
//! throwaway certificate. Every server is this test's own: started in a temp dir, killed by pid.
//! Runs on every server build the tests find (`common::oracles`), each with its own target.
//! Needs `redis-server` and `openssl`: skipped without them, failed without them under `CI`.

mod common;

use common::server::{Server, certificates, free_port, have};
use redlint::{CheckOptions, check_bytes};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether the server serves the config in `dir` (`Ok`) or exits (`Err` with its log).
fn server_starts(program: &Path, dir: &Path) -> Result<(), String> {
    let log = dir.join("server.log");
    let child = Command::new(program)
        .arg("redis.conf")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server runs");
    let mut server = Server(child);
    let read = || {
        let mut text = String::new();
        let _ = std::fs::File::open(&log).and_then(|mut f| f.read_to_string(&mut text));
        text
    };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        // "Ready to accept connections tcp", or "… now ready to accept connections at SOCKET".
        if read()
            .to_ascii_lowercase()
            .contains("ready to accept connections")
        {
            return Ok(());
        }
        if let Ok(Some(_)) = server.0.try_wait() {
            return Err(read());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!(
        "{} neither served nor exited in 10 s:\n{}",
        program.display(),
        read()
    );
}

/// A free loopback port above 55535 (a cluster bus would be out of range on it).
fn high_free_port() -> u16 {
    let start = 55_536 + (std::process::id() % 4000) as u16;
    (start..=65_000)
        .chain(55_536..start)
        .find(|&p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok())
        .expect("a free port above 55535")
}

#[test]
fn startup_aborts_agree_with_a_real_start() {
    if !have("redis-server") || !have("openssl") {
        assert!(
            !common::in_ci(),
            "redis-server and openssl are needed under CI"
        );
        eprintln!("skipping: redis-server or openssl is not installed");
        return;
    }
    let oracles = common::oracles::for_test("startup").unwrap_or_else(|why| panic!("{why}"));
    let certs = tempfile::tempdir().unwrap();
    let (ca, crt, key) = certificates(certs.path());
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/startup");
    let mut names: Vec<String> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".conf"))
        .collect();
    names.sort();
    let mut problems = Vec::new();
    for oracle in &oracles {
        let target = oracle.target.parse().expect("a target redlint knows");
        let tls = oracle.has_tls();
        if !tls {
            println!(
                "startup: {} is built without TLS: its TLS fixtures are not started",
                oracle.target
            );
        }
        for name in names.iter().filter(|n| tls || !n.contains("tls")) {
            let found = check_one(&oracle.program, target, &fixtures, name, (&ca, &crt, &key));
            problems.extend(found.into_iter().map(|p| format!("{}: {p}", oracle.target)));
        }
    }
    println!(
        "startup: {} fixtures started for real on {}",
        names.len(),
        oracles
            .iter()
            .map(|o| o.target.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(names.len() >= 8, "fixtures/startup has its cases");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One fixture on one server: what disagrees, if anything.
fn check_one(
    program: &Path,
    target: redlint::Version,
    fixtures: &Path,
    name: &str,
    (ca, crt, key): (&Path, &Path, &Path),
) -> Vec<String> {
    let mut problems = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixtures.join(name))
        .unwrap()
        .replace("{HIGHPORT}", &high_free_port().to_string())
        .replace("{PORT2}", &free_port().to_string())
        .replace("{PORT}", &free_port().to_string())
        .replace("{CA}", &ca.display().to_string())
        .replace("{CRT}", &crt.display().to_string())
        .replace("{KEY}", &key.display().to_string());
    std::fs::write(dir.path().join("redis.conf"), &text).unwrap();
    let options = CheckOptions {
        target,
        cwd: Some(dir.path().to_path_buf()),
        sentinel: Some(false),
        template: Some(false),
        ..Default::default()
    };
    let report = check_bytes(&dir.path().join("redis.conf"), text.as_bytes(), &options)
        .expect("the target has a catalog");
    let ours = report
        .first_invalid()
        .map(|d| format!("{} {}", d.rule, d.message));
    let theirs = server_starts(program, dir.path());
    let expected_start = name.starts_with("accept-");
    match (&theirs, &ours) {
        (Ok(()), None) | (Err(_), Some(_)) => {}
        (Ok(()), Some(ours)) => {
            problems.push(format!("{name}: the server starts, redlint says {ours}"))
        }
        (Err(log), None) => problems.push(format!(
            "{name}: the server exits, redlint finds nothing:\n{log}"
        )),
    }
    // A fixture of directives this version lacks is refused here, whatever its name.
    let lacks_directive = report
        .first_invalid()
        .is_some_and(|d| d.rule == "invalid/unknown-directive");
    if theirs.is_ok() != expected_start && !lacks_directive {
        problems.push(format!(
            "{name}: the fixture's name says {}, the server did otherwise",
            if expected_start { "accept" } else { "reject" }
        ));
    }
    problems
}
