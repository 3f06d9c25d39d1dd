//! Helpers for tests that start their own redis-server on loopback.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A loopback port nothing listens on right now, below the kernel's ephemeral range.
///
/// Ports from the ephemeral range (what binding port 0 gives) can be taken between the
/// check and the server's start by the outgoing connections other tests' servers make
/// (replication, Sentinel, cluster bus). Ports here come from 10 000–22 767, so the
/// cluster bus port (+10 000) stays below the ephemeral range too, and a counter shared
/// by the test binary's threads never hands out the same one twice.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const FIRST: u16 = 10_000;
    const SPAN: u16 = 12_768;
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let offset = (std::process::id() % u32::from(SPAN)) as u16;
    for _ in 0..SPAN {
        let n = NEXT.fetch_add(1, Ordering::Relaxed) % SPAN;
        let port = FIRST + (offset + n) % SPAN;
        let free = |p: u16| TcpListener::bind(("127.0.0.1", p)).is_ok();
        if free(port) && free(port + 10_000) {
            return port;
        }
    }
    panic!("no free loopback port below the ephemeral range")
}

/// Run a command; its stdout and stderr together.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A throwaway CA and a certificate for 127.0.0.1 signed by it (used by server and client).
pub fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = dir.join("ca.key");
    let ca = dir.join("ca.crt");
    let key = dir.join("redis.key");
    let csr = dir.join("redis.csr");
    let crt = dir.join("redis.crt");
    let ext = dir.join("san.ext");
    std::fs::write(&ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n").unwrap();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {out:?}");
    };
    let p = |x: &PathBuf| x.to_string_lossy().into_owned();
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=redlint test CA",
        "-keyout",
        &p(&ca_key),
        "-out",
        &p(&ca),
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        &p(&key),
        "-out",
        &p(&csr),
    ]);
    openssl(&[
        "x509",
        "-req",
        "-days",
        "2",
        "-in",
        &p(&csr),
        "-CA",
        &p(&ca),
        "-CAkey",
        &p(&ca_key),
        "-CAcreateserial",
        "-extfile",
        &p(&ext),
        "-out",
        &p(&crt),
    ]);
    (ca, crt, key)
}

/// Kills and reaps the server when dropped, so it never outlives the test.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether `program --version` runs.
pub fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// A redis-server started from `conf` in `dir` (output in `dir/server.log`), once `ready` gives
/// an answer with PONG or NOAUTH; `Err` with the log when it does not within `wait`.
pub fn start_server(
    dir: &Path,
    conf: &Path,
    wait: std::time::Duration,
    ready: impl Fn() -> String,
) -> Result<Server, String> {
    start_program(Path::new("redis-server"), dir, conf, wait, ready)
}

/// [`start_server`] with another server build (`valkey-server`, another `redis-server`).
pub fn start_program(
    program: &Path,
    dir: &Path,
    conf: &Path,
    wait: std::time::Duration,
    ready: impl Fn() -> String,
) -> Result<Server, String> {
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let server = Server(
        Command::new(program)
            .arg(conf)
            .current_dir(dir)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let started = std::time::Instant::now();
    loop {
        let out = ready();
        if out.contains("PONG") || out.contains("NOAUTH") {
            return Ok(server);
        }
        if started.elapsed() > wait {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            return Err(format!("the server did not start:\n{log}\n{out}"));
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The release line of the installed redis-server (`7.0` for 7.0.15), as a target version.
pub fn server_target() -> String {
    let out = run(Command::new("redis-server").arg("--version"));
    let v = out
        .split_whitespace()
        .find_map(|w| w.strip_prefix("v="))
        .expect("redis-server --version names its version");
    let mut parts = v.split('.');
    format!("{}.{}", parts.next().unwrap(), parts.next().unwrap())
}

/// Whether every program runs; when one is missing, skip (say so) outside CI and fail in CI.
pub fn have_all(programs: &[&str]) -> bool {
    for program in programs {
        if !have(program) {
            assert!(!super::in_ci(), "{program} is missing but CI is set");
            eprintln!("skipping: {program} not found");
            return false;
        }
    }
    true
}

/// `redis-cli -h 127.0.0.1 -p PORT --no-auth-warning ARGS`: its stdout and stderr together.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    run(Command::new("redis-cli")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "--no-auth-warning",
        ])
        .args(args))
}

/// `INFO commandstats` as command → calls: what a test compares before and after an audit to
/// see which commands it sent.
pub fn commandstats(port: u16) -> std::collections::BTreeMap<String, u64> {
    redis_cli(port, &["INFO", "commandstats"])
        .lines()
        .filter_map(|l| l.strip_prefix("cmdstat_"))
        .filter_map(|l| {
            let (name, rest) = l.split_once(':')?;
            let calls = rest.split(',').find_map(|f| f.strip_prefix("calls="))?;
            Some((name.to_string(), calls.parse().ok()?))
        })
        .collect()
}
