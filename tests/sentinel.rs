//! Sentinel mode (`CheckOptions { sentinel: Some(true), .. }`, CLI `--sentinel`).
//!
//! * The stock sentinel configs of `../shared/corpus/upstream/` are valid at their own version.
//! * Differential check against the real redis-server 7.0 started with `--sentinel`, on
//!   `fixtures/sentinel/` and on the `kind = sentinel` files of `../shared/corpus/wild/`
//!   (machine-dependent lines removed): rejected ⇔ redlint reports an `invalid/*` diagnostic,
//!   on the same line.
//!
//! A missing `../shared` or redis-server 7.0 skips the part that needs it, with a message; with
//! the `CI` environment variable set it is a failure.

mod support;

use redlint::{CheckOptions, Version};
use std::path::{Path, PathBuf};
use support::corpus;
use support::oracle::{self, Mode, Verdict};

const CONFIG_NAME: &str = "sentinel.conf";

/// Skip (print) or, under CI, fail.
fn missing(test: &str, what: &str) {
    if support::missing_prerequisite(test, what) != 0 {
        panic!("{test}: {what}");
    }
}

/// `sentinel-7.0.15.conf` → 7.0, `valkey-sentinel-8.0.1.conf` → valkey-8.0,
/// `sentinel-8.0-m01.conf` → 8.0; `None` when the name carries no version (`unstable`).
fn version_of(file_name: &str) -> Option<Version> {
    let stem = file_name.strip_suffix(".conf")?;
    let (product, rest) = if let Some(r) = stem.strip_prefix("valkey-sentinel-") {
        ("valkey-", r)
    } else {
        ("redis-", stem.strip_prefix("sentinel-")?)
    };
    let number = rest.split('-').next()?;
    format!("{product}{number}").parse().ok()
}

/// The first `invalid/*` finding; `sentinel: None` lets redlint find the kind of file itself.
fn first_invalid(
    path: &Path,
    bytes: &[u8],
    dir: &Path,
    target: Version,
    sentinel: Option<bool>,
) -> Option<(usize, String)> {
    let options = CheckOptions {
        target,
        cwd: Some(dir.to_path_buf()),
        sentinel,
        ..Default::default()
    };
    let report = redlint::check_bytes(path, bytes, &options).expect("the target has a catalog");
    report
        .first_invalid()
        .map(|d| (report.line(d), format!("{} {}", d.rule, d.message)))
}

#[test]
fn stock_sentinel_configs_are_valid_at_their_version() {
    let dir = support::shared_dir().join("corpus/upstream");
    if !dir.is_dir() {
        return missing(
            "sentinel upstream",
            &format!("{} is missing", dir.display()),
        );
    }
    let available = redlint::catalog::available();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("sentinel-") || n.starts_with("valkey-sentinel-"))
        .collect();
    names.sort();
    let scratch = tempfile::tempdir().unwrap();
    let (mut checked, mut failures) = (0, Vec::new());
    for name in names {
        let Some(version) = version_of(&name).filter(|v| available.contains(v)) else {
            println!("sentinel upstream: skipping {name}: no catalog for its version");
            continue;
        };
        let path = dir.join(&name);
        let bytes = std::fs::read(&path).unwrap();
        if let Some((line, what)) = first_invalid(&path, &bytes, scratch.path(), version, None) {
            failures.push(format!("{name} ({version}): line {line}: {what}"));
        }
        checked += 1;
    }
    println!("sentinel upstream: {checked} stock sentinel configs checked");
    assert!(checked > 0, "no stock sentinel config was checked");
    assert!(
        failures.is_empty(),
        "invalid stock configs:\n{}",
        failures.join("\n")
    );
}

/// Lines whose verdict depends on the machine: the shared list (`dir`, `logfile`, `pidfile`,
/// `daemonize`, `include`, ...) plus the sentinel scripts, which must exist and be executable.
fn is_machine_dependent(line: &[u8]) -> bool {
    if corpus::is_machine_dependent(line) {
        return true;
    }
    if corpus::directive_name(line).as_deref() != Some("sentinel") {
        return false;
    }
    let sub = corpus::trim(line)
        .split(|b| corpus::is_space(*b))
        .filter(|w| !w.is_empty())
        .nth(1)
        .map(|w| {
            w.iter()
                .filter(|b| **b != b'"' && **b != b'\'')
                .map(u8::to_ascii_lowercase)
                .collect::<Vec<u8>>()
        });
    matches!(
        sub.as_deref(),
        Some(b"client-reconfig-script" | b"notification-script")
    )
}

fn clean(bytes: &[u8]) -> Vec<u8> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| !is_machine_dependent(l.strip_suffix(b"\n").unwrap_or(l)))
        .flatten()
        .copied()
        .collect()
}

struct Case {
    name: String,
    bytes: Vec<u8>,
    /// The name the file has in its repository: redlint finds from it and the lines that this
    /// is a Sentinel config. `None`: the fixture is read with `sentinel: Some(true)`.
    real_name: Option<String>,
}

fn fixture_cases() -> Vec<Case> {
    let dir = support::manifest_dir().join("fixtures/sentinel");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| Case {
            name: format!(
                "fixtures/sentinel/{}",
                p.file_name().unwrap().to_string_lossy()
            ),
            bytes: std::fs::read(&p).unwrap(),
            real_name: None,
        })
        .collect()
}

fn wild_cases() -> Option<Vec<Case>> {
    let wild = support::shared_dir().join("corpus/wild");
    let manifest = std::fs::read_to_string(wild.join("MANIFEST.tsv")).ok()?;
    let mut cases = Vec::new();
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() >= 5 && cols[4] == "sentinel" {
            let raw = std::fs::read(wild.join(cols[0])).ok()?;
            let real_name = Path::new(cols[2])
                .file_name()?
                .to_string_lossy()
                .into_owned();
            cases.push(Case {
                name: format!("wild/{}", cols[0]),
                bytes: clean(&raw),
                real_name: Some(real_name),
            });
        }
    }
    Some(cases)
}

#[test]
fn differential_against_every_server_found() {
    const TEST: &str = "sentinel differential";
    let oracles = support::common::oracles::for_test(TEST).unwrap_or_else(|why| panic!("{why}"));
    if oracles.is_empty() {
        return missing(TEST, "redis-server is not installed");
    }
    let mut cases = fixture_cases();
    assert!(!cases.is_empty(), "no fixtures in fixtures/sentinel/");
    match wild_cases() {
        Some(wild) => cases.extend(wild),
        None => missing(
            TEST,
            "../shared/corpus/wild is missing: only the fixtures are compared",
        ),
    }
    let mut report = Vec::new();
    for oracle in &oracles {
        let target: Version = oracle.target.parse().expect("a target redlint knows");
        let (agree, found) = compare_all(&oracle.program, target, &cases);
        println!(
            "{TEST}: {agree}/{} agree ({:.1} %) with {}",
            cases.len(),
            100.0 * agree as f64 / cases.len() as f64,
            oracle.version
        );
        report.extend(found.into_iter().map(|f| format!("{}: {f}", oracle.target)));
    }
    assert!(report.is_empty(), "disagreements:\n{}", report.join("\n"));
}

/// Every case on one server: how many agree, and what the others say.
fn compare_all(program: &Path, target: Version, cases: &[Case]) -> (usize, Vec<String>) {
    let scratch = tempfile::tempdir().unwrap();
    let (mut agree, mut report) = (0, Vec::new());
    for (i, case) in cases.iter().enumerate() {
        let dir = scratch.path().join(format!("case-{i}"));
        std::fs::create_dir(&dir).unwrap();
        let path = dir.join(CONFIG_NAME);
        std::fs::write(&path, &case.bytes).unwrap();
        // Wild files are read as redlint finds them to be, under their own names.
        let ours = match &case.real_name {
            Some(name) => first_invalid(&dir.join(name), &case.bytes, &dir, target, None),
            None => first_invalid(&path, &case.bytes, &dir, target, Some(true)),
        };
        // `redis-server FILE --sentinel --port 0 --unixsocket ''`: an accepted config ends with
        // "Configured to not listen anywhere, exiting."; the child is killed on timeout.
        let run = oracle::run_with(program, &dir, CONFIG_NAME, Mode::Quick, &["--sentinel"]);
        let ok = match (&run.verdict, &ours) {
            (Verdict::Accepted, None) => true,
            (Verdict::Rejected { line: Some(n), .. }, Some((l, _))) => n == l,
            (Verdict::Rejected { line: None, .. }, Some(_)) => true,
            _ => false,
        };
        let ours_text = match &ours {
            None => "accepted".to_string(),
            Some((l, what)) => format!("invalid@{l} {what}"),
        };
        if ok {
            agree += 1;
        } else {
            report.push(format!(
                "{}: redis-server {} / redlint {ours_text}\n{}",
                case.name, run.verdict, run.output
            ));
        }
        if std::env::var_os("REDLINT_SENTINEL_VERBOSE").is_some() {
            println!("{}: {} / {ours_text}", case.name, run.verdict);
        }
    }
    (agree, report)
}
