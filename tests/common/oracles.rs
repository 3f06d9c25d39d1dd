//! The real servers the differential tests compare redlint with: `redis-server` on `PATH`
//! (Debian's 7.0) and every `redis-server` / `valkey-server` in the folders
//! `$REDLINT_SERVER_DIRS` names (colon-separated; `.ci/run` fills it with Redis 6.2,
//! Valkey 8.1 and Valkey 9.0 from the package registries). Each is checked with its own target version.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The servers a CI run must have (`$REDLINT_REQUIRED_SERVERS`, comma-separated targets).
const REQUIRED_IN_CI: &str = "redis-7.0,redis-6.2,valkey-8.1,valkey-9.0";

/// One server build.
#[derive(Debug, Clone)]
pub struct Oracle {
    pub program: PathBuf,
    /// `--version` output, e.g. `Redis server v=6.2.14 sha=…`.
    pub version: String,
    /// The target redlint checks with for this build, e.g. `redis-6.2`.
    pub target: String,
}

impl Oracle {
    /// Whether this build serves TLS (a build without it reads `tls-*` lines, then exits
    /// with "Failed finding TLS support" when it opens a TLS listener).
    pub fn has_tls(&self) -> bool {
        let dir = tempfile::tempdir().expect("a temp dir");
        let out = Command::new(&self.program)
            .args(["--port", "0", "--unixsocket", "", "--tls-port"])
            .arg(super::server::free_port().to_string())
            .current_dir(dir.path())
            .stdin(std::process::Stdio::null())
            .output();
        out.is_ok_and(|o| {
            let text = String::from_utf8_lossy(&o.stdout);
            !text.contains("Failed finding TLS support") && !text.contains("connection type tls")
        })
    }

    /// `redis-6.2` → `redis_6_2`, for names of files and folders.
    pub fn slug(&self) -> String {
        self.target.replace(['.', '-'], "_")
    }
}

/// What `PROGRAM --version` says, and the target it stands for.
fn probe(program: &Path) -> Option<Oracle> {
    let out = Command::new(program).arg("--version").output().ok()?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let product = if version.starts_with("Valkey") {
        "valkey"
    } else if version.starts_with("Redis") {
        "redis"
    } else {
        return None;
    };
    let number = version
        .split_whitespace()
        .find_map(|w| w.strip_prefix("v="))?;
    let mut parts = number.split('.');
    let target = format!("{product}-{}.{}", parts.next()?, parts.next()?);
    Some(Oracle {
        program: program.to_path_buf(),
        version,
        target,
    })
}

/// Every server found, one per target (the first found wins), in a stable order.
pub fn all() -> Vec<Oracle> {
    let mut programs = vec![PathBuf::from("redis-server")];
    if let Some(dirs) = std::env::var_os("REDLINT_SERVER_DIRS") {
        for dir in std::env::split_paths(&dirs) {
            for name in ["redis-server", "valkey-server"] {
                let p = dir.join(name);
                if p.is_file() {
                    programs.push(p);
                }
            }
        }
    }
    let mut out: Vec<Oracle> = Vec::new();
    for p in programs {
        if let Some(o) = probe(&p)
            && !out.iter().any(|x| x.target == o.target)
        {
            out.push(o);
        }
    }
    out
}

/// The servers to compare with. With `CI` set, every required target must be among them
/// (`Err` names the missing ones); elsewhere a missing one is only said.
pub fn for_test(test: &str) -> Result<Vec<Oracle>, String> {
    let found = all();
    let required =
        std::env::var("REDLINT_REQUIRED_SERVERS").unwrap_or_else(|_| REQUIRED_IN_CI.to_string());
    let missing: Vec<&str> = required
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty() && !found.iter().any(|o| o.target == *t))
        .collect();
    if !missing.is_empty() {
        let what = format!(
            "no server for {} (redis-server on PATH, or a folder in REDLINT_SERVER_DIRS)",
            missing.join(", ")
        );
        if super::in_ci() {
            return Err(what);
        }
        println!("{test}: {what}: those targets are not compared");
    }
    Ok(found)
}
