//! Helpers shared by the oracle-driven integration tests (`differential`, `probe_cases`,
//! `config_get`). Each test binary compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub mod corpus;
pub mod mutate;
pub mod oracle;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The crate root (`/work/main` or wherever the repository is checked out).
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[path = "../common/mod.rs"]
pub mod common;
#[allow(unused_imports)]
pub use common::{in_ci, shared_root as shared_dir};

/// Cargo's target directory (`$CARGO_TARGET_DIR` or `<crate>/target`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(p) => {
            let p = PathBuf::from(p);
            if p.is_absolute() {
                p
            } else {
                manifest_dir().join(p)
            }
        }
        None => manifest_dir().join("target"),
    }
}

/// A prerequisite is missing: skip (exit 0) locally, fail when `$CI` is set.
/// Returns the process exit code to use.
pub fn missing_prerequisite(test: &str, what: &str) -> i32 {
    if in_ci() {
        eprintln!(
            "{test}: FAILED: {what} (the CI environment variable is set, so this is an error)"
        );
        1
    } else {
        println!("{test}: SKIPPED: {what} (set CI=1 to make this a failure)");
        0
    }
}

/// Whether `program` can be run (found on PATH).
pub fn have_program(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

/// `redis-server --version`, e.g. `Redis server v=7.0.15 sha=...`.
pub fn redis_server_version() -> Option<String> {
    let out = Command::new("redis-server")
        .arg("--version")
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Render bytes for a one-line report: printable text (UTF-8 included) as is; control bytes
/// (`\r`, `\t`, `\v`, `\f`, `\n`, others as `\xHH`) and invalid UTF-8 escaped; backslash doubled.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => s.push_str("\\\\"),
                '\r' => s.push_str("\\r"),
                '\n' => s.push_str("\\n"),
                '\t' => s.push_str("\\t"),
                '\u{0b}' => s.push_str("\\v"),
                '\u{0c}' => s.push_str("\\f"),
                c if c.is_control() || c == '\u{feff}' => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        s.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => s.push(c),
            }
        }
        for b in chunk.invalid() {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s
}

/// Shorten a report string to at most `max` characters.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Line `n` (1-based) of `bytes`, without its `\n`.
pub fn line_of(bytes: &[u8], n: usize) -> Option<&[u8]> {
    if n == 0 {
        return None;
    }
    bytes.split(|&b| b == b'\n').nth(n - 1)
}

/// Write `files` (relative path → content) under `dir`, creating parent directories.
pub fn write_files<'a>(dir: &Path, files: impl IntoIterator<Item = (&'a str, &'a [u8])>) {
    for (rel, content) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
    }
}

/// True when the test binary was given a name filter that does not select `name`
/// (`cargo test some_other_test` runs harness-less binaries with that argument too).
pub fn filtered_out(name: &str) -> bool {
    // libtest options that take a separate value
    const WITH_VALUE: &[&str] = &[
        "--test-threads",
        "--skip",
        "--format",
        "--color",
        "--logfile",
    ];
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if WITH_VALUE.contains(&a.as_str()) {
            args.next();
        } else if !a.starts_with('-') {
            filters.push(a);
        }
    }
    !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str()))
}
