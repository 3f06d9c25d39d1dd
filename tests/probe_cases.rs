//! Probe cases: `../shared/reference/redis-config-cases.toml` holds behavioural probes of
//! redis.conf parsing with the verdict of 11 server builds. For every case and every version
//! redlint has a catalog for, redlint must agree: rejected (fatal/exit/crash) ⇔ a first
//! `invalid/*` diagnostic exists, and a FATAL block's line ⇔ that diagnostic's line.
//!
//! `[case.X]` verdicts of 4.0–7.0 say "accepted" where only a full start (listeners up, then ACL
//! users and modules loaded) rejects the file; when an `[observed.Y]` entry ran the same input
//! with a full start, its verdict replaces "accepted" (listed in the output). `[observed.Y]`
//! entries without a matching case are checked too (running ⇔ accepted).
//!
//! A recorded `exit` with no log output at all (`loglevel nothing` on 7.2+) is the probe's own
//! no-listener exit with logging off, so it counts as accepted.
//!
//! Command-line options are read the way redis-server appends them to the file's text, and
//! `--sentinel` among them reads the file in sentinel mode: every probe is decided.
//! `CI` set: a missing `../shared` is a failure instead of a skip.

mod support;

use redlint::{CheckOptions, Version};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use toml::{Table, Value};

/// Disagreements that are accepted, with the reason each cannot be decided statically:
/// `(case id, version as written in the file, reason)`. Keep this short: only cases that
/// truly cannot be decided from the files alone. An entry only excuses a disagreement; when
/// redlint agrees anyway the entry is simply unused.
const ALLOWED: &[(&str, &str, &str)] = &[
    // 6.0 and 6.2 define the tls-* directives only when built with TLS (BUILD_TLS=yes /
    // USE_OPENSSL). The probe builds were built without it and reject `tls-port 0`; a 6.x
    // server built with TLS (as most packages are) accepts it. The file cannot tell.
    (
        "tls-port",
        "6.0",
        "tls-* exists only in TLS builds of 6.0/6.2; the probe build had no TLS",
    ),
    (
        "tls-port",
        "6.2",
        "tls-* exists only in TLS builds of 6.0/6.2; the probe build had no TLS",
    ),
    // Paths on the machine that runs redis-server: redlint runs elsewhere (a laptop, CI), so it
    // reports them as `environment/*` warnings instead of `invalid/*` (tests/environment.rs
    // checks those warnings). "*" = every version.
    (
        "dir-missing",
        "*",
        "the directory exists on the server, not necessarily here: environment/dir-not-found",
    ),
    (
        "loadmodule-missing",
        "*",
        "the module exists on the server, not necessarily here: environment/module-not-found",
    ),
    (
        "logfile-bad",
        "*",
        "the log directory exists on the server, not necessarily here: environment/logfile-unwritable",
    ),
];

const MAIN_FILE: &str = "test.conf";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    Accepted,
    /// FATAL block with its line.
    Fatal(usize, String),
    /// Exit or crash without a line.
    Rejected(String),
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Accepted => write!(f, "accepted"),
            Expected::Fatal(n, m) => write!(f, "fatal@{n} \"{m}\""),
            Expected::Rejected(m) => write!(f, "rejected \"{m}\""),
        }
    }
}

struct Probe {
    id: String,
    input: String,
    files: BTreeMap<String, String>,
    args: Vec<String>,
    /// version (as in the file) → expected
    expected: BTreeMap<String, Expected>,
    /// versions whose expectation came from a full start ([observed]) instead of "accepted"
    overridden: Vec<String>,
}

fn str_table(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_table)
        .map(|t| {
            t.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `[case.X]."7.0" = { result, line, message }`
fn case_expectation(v: &Table) -> Option<Expected> {
    let message = v
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match v.get("result")?.as_str()? {
        "accepted" => Some(Expected::Accepted),
        "fatal" => match v.get("line").and_then(Value::as_integer) {
            Some(n) => Some(Expected::Fatal(n as usize, message)),
            None => Some(Expected::Rejected(message)),
        },
        // An exit without any log line is the probe's own "no listener" exit (`--port 0`, no
        // unix socket) with logging switched off (`loglevel nothing`, 7.2+): the file was
        // accepted. The case's decided_by says so; the recorded result is an artifact.
        "exit" if message == "exit 1: ``" => Some(Expected::Accepted),
        "exit" | "crash" => Some(Expected::Rejected(message)),
        _ => None,
    }
}

/// `[observed.X]."7.0" = { state = "running" | "exited rc=N", fatal = "line=N msg=…" }`
fn observed_expectation(v: &Table) -> Option<Expected> {
    let state = v.get("state")?.as_str()?;
    if state == "running" {
        return Some(Expected::Accepted);
    }
    if let Some(fatal) = v.get("fatal").and_then(Value::as_str) {
        let rest = fatal.strip_prefix("line=")?;
        let (n, msg) = rest.split_once(' ').unwrap_or((rest, ""));
        let msg = msg.strip_prefix("msg=").unwrap_or(msg);
        return Some(Expected::Fatal(n.parse().ok()?, msg.to_string()));
    }
    Some(Expected::Rejected(state.to_string()))
}

fn load(path: &Path) -> (Vec<String>, Vec<Probe>, Vec<Probe>) {
    let text = std::fs::read_to_string(path).expect("read the cases file");
    let doc: Table = toml::from_str(&text).expect("parse the cases file");
    let versions = str_list(doc.get("versions"));
    let section = |name: &str, observed: bool| -> Vec<Probe> {
        let Some(t) = doc.get(name).and_then(Value::as_table) else {
            return Vec::new();
        };
        t.iter()
            .map(|(id, v)| {
                let v = v.as_table().expect("a case is a table");
                let expected = versions
                    .iter()
                    .filter_map(|ver| {
                        let e = v.get(ver)?.as_table()?;
                        let exp = if observed {
                            observed_expectation(e)
                        } else {
                            case_expectation(e)
                        }?;
                        Some((ver.clone(), exp))
                    })
                    .collect();
                Probe {
                    id: id.clone(),
                    input: v
                        .get("input")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    files: str_table(v.get("extra_files")),
                    args: str_list(v.get("args")),
                    expected,
                    overridden: Vec::new(),
                }
            })
            .collect()
    };
    let mut cases = section("case", false);
    let mut observed = section("observed", true);
    // A full start's verdict replaces a case's parse-only "accepted".
    let mut matched = vec![false; observed.len()];
    for case in &mut cases {
        for (i, obs) in observed.iter().enumerate() {
            if obs.input != case.input || obs.files != case.files || obs.args != case.args {
                continue;
            }
            matched[i] = true;
            for (ver, exp) in &obs.expected {
                if case.expected.get(ver) == Some(&Expected::Accepted) && *exp != Expected::Accepted
                {
                    case.expected.insert(ver.clone(), exp.clone());
                    case.overridden.push(ver.clone());
                }
            }
        }
    }
    let mut i = 0;
    observed.retain(|_| {
        i += 1;
        !matched[i - 1]
    });
    (versions, cases, observed)
}

/// The catalog version for a version label of the cases file ("8.0-m01" → 8.0).
fn to_version(label: &str) -> Option<Version> {
    let v: Version = label.parse().ok()?;
    redlint::catalog::available().contains(&v).then_some(v)
}

struct Result {
    id: String,
    input: String,
    version: String,
    expected: Expected,
    got: String,
    agree: bool,
    allowed: Option<&'static str>,
}

fn check(p: &Probe, label: &str, version: Version, expected: &Expected) -> Result {
    let dir = tempfile::Builder::new()
        .prefix("redlint-probe-")
        .tempdir()
        .expect("temp dir");
    let dir_str = dir.path().to_string_lossy().to_string();
    let fill = |s: &str| s.replace("{dir}", &dir_str);
    let main_bytes = fill(&p.input).into_bytes();
    let files: Vec<(String, Vec<u8>)> = p
        .files
        .iter()
        .map(|(k, v)| (k.clone(), fill(v).into_bytes()))
        .collect();
    support::write_files(
        dir.path(),
        files.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
    );
    let path = dir.path().join(MAIN_FILE);
    std::fs::write(&path, &main_bytes).unwrap();
    let options = CheckOptions {
        target: version,
        cwd: Some(dir.path().to_path_buf()),
        // The oracle runs redis-server on the file as it is (`--sentinel` among the options:
        // in sentinel mode).
        sentinel: Some(p.args.iter().any(|a| a == "--sentinel")),
        template: Some(false),
        ..Default::default()
    };
    // The probes ran `SERVER FILE [ARGS] --port 0`, and redis-server appends command-line options to
    // the file's text: check what it read (a `bind` the server never listens on is no abort).
    let mut args: Vec<&[u8]> = p.args.iter().map(|a| a.as_bytes()).collect();
    args.extend([&b"--port"[..], b"0"]);
    let as_run = redlint::semantic::cmdline::parse(&args, version).config_text(&main_bytes);
    let report = std::panic::catch_unwind(|| {
        redlint::check_bytes(&path, as_run.as_slice(), &options).expect("the target has a catalog")
    });
    let (got, agree) = match &report {
        Err(_) => ("PANIC".to_string(), false),
        Ok(report) => match report.first_invalid() {
            None => ("accepted".to_string(), *expected == Expected::Accepted),
            Some(d) => {
                let file = if report.location(d).file == path {
                    String::new()
                } else {
                    let shown = report.location(d).file;
                    format!(
                        " in {}",
                        shown.strip_prefix(dir.path()).unwrap_or(&shown).display()
                    )
                };
                let got = format!(
                    "invalid@{}{file} {} \"{}\"",
                    report.server_line(d),
                    d.rule,
                    d.message
                );
                let agree = match expected {
                    Expected::Accepted => false,
                    Expected::Fatal(n, _) => report.server_line(d) == *n,
                    Expected::Rejected(_) => true,
                };
                (got, agree)
            }
        },
    };
    let allowed = ALLOWED
        .iter()
        .find(|(id, v, _)| *id == p.id && (*v == label || *v == "*"))
        .map(|(_, _, why)| *why);
    Result {
        id: p.id.clone(),
        input: p.input.clone(),
        version: label.to_string(),
        expected: expected.clone(),
        got,
        agree,
        allowed,
    }
}

/// Self-check of the differential test's oracle runner: run every 7.0 probe through
/// `support::oracle` with the local redis-server (only when it is 7.0.x, the build the cases
/// file recorded as the project oracle) and compare with the recorded verdict.
fn oracle_self_check(cases: &[Probe], observed: &[Probe], out: &mut String) -> usize {
    use support::oracle::{self, Mode, Verdict};
    let Some(version) = support::redis_server_version() else {
        let _ = writeln!(out, "oracle self-check: skipped (no redis-server on PATH)");
        return 0;
    };
    if !version.contains("v=7.0.") {
        let _ = writeln!(out, "oracle self-check: skipped ({version} is not 7.0.x)");
        return 0;
    }
    let mut checked = 0;
    let mut bad = Vec::new();
    for (kind, probes) in [("case", cases), ("observed", observed)] {
        for p in probes {
            let Some(expected) = p.expected.get("7.0") else {
                continue;
            };
            if p.args.iter().any(|a| a == "--sentinel") {
                continue;
            }
            // [observed] verdicts and overridden cases come from full starts
            let mode = if kind == "observed" || p.overridden.iter().any(|v| v == "7.0") {
                Mode::Full
            } else {
                Mode::Quick
            };
            let dir = tempfile::Builder::new()
                .prefix("redlint-probe-oracle-")
                .tempdir()
                .expect("temp dir");
            let dir_str = dir.path().to_string_lossy().to_string();
            let fill = |s: &str| s.replace("{dir}", &dir_str);
            let files: Vec<(String, Vec<u8>)> = p
                .files
                .iter()
                .map(|(k, v)| (k.clone(), fill(v).into_bytes()))
                .collect();
            support::write_files(
                dir.path(),
                files.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
            );
            std::fs::write(dir.path().join(MAIN_FILE), fill(&p.input)).unwrap();
            let args: Vec<&str> = p.args.iter().map(String::as_str).collect();
            let run = oracle::run(dir.path(), MAIN_FILE, mode, &args);
            checked += 1;
            let ok = match (expected, &run.verdict) {
                (Expected::Accepted, Verdict::Accepted) => true,
                (Expected::Fatal(n, _), Verdict::Rejected { line: Some(l), .. }) => n == l,
                (Expected::Rejected(_), Verdict::Rejected { line: None, .. }) => true,
                _ => false,
            };
            if !ok {
                bad.push(format!(
                    "  {kind}.{} ({mode:?}): recorded {expected}, oracle runner says {}",
                    p.id, run.verdict
                ));
            }
        }
    }
    let _ = writeln!(
        out,
        "oracle self-check against the recorded 7.0 verdicts: {}/{checked} agree",
        checked - bad.len()
    );
    for b in &bad {
        let _ = writeln!(out, "{b}");
    }
    bad.len()
}

fn main() {
    if support::filtered_out("probe_cases") {
        return;
    }
    let path = support::shared_dir().join("reference/redis-config-cases.toml");
    if !path.is_file() {
        std::process::exit(support::missing_prerequisite(
            "probe_cases",
            &format!("{} is missing", path.display()),
        ));
    }
    let (versions, cases, observed) = load(&path);
    println!(
        "probe_cases: {} cases and {} extra [observed] full-start probes from {}",
        cases.len(),
        observed.len(),
        path.display()
    );
    let catalogs: Vec<(String, Version)> = versions
        .iter()
        .filter_map(|l| to_version(l).map(|v| (l.clone(), v)))
        .collect();
    let no_catalog: Vec<&String> = versions
        .iter()
        .filter(|l| to_version(l).is_none())
        .collect();
    if !no_catalog.is_empty() {
        println!("  versions without a redlint catalog (not checked): {no_catalog:?}");
    }

    let mut results = Vec::new();
    let mut overrides = Vec::new();
    for (kind, probes) in [("case", &cases), ("observed", &observed)] {
        for p in probes {
            if !p.overridden.is_empty() {
                overrides.push(format!("{}: {}", p.id, p.overridden.join(", ")));
            }
            for (label, version) in &catalogs {
                if let Some(exp) = p.expected.get(label) {
                    let mut r = check(p, label, *version, exp);
                    if kind == "observed" {
                        r.id = format!("observed.{}", r.id);
                    }
                    results.push(r);
                }
            }
        }
    }

    let mut out = String::new();
    if !overrides.is_empty() {
        let _ = writeln!(
            out,
            "\"accepted\" replaced by the [observed] full-start verdict for {} cases:",
            overrides.len()
        );
        for o in &overrides {
            let _ = writeln!(out, "  - {o}");
        }
    }
    let bad: Vec<&Result> = results
        .iter()
        .filter(|r| !r.agree && r.allowed.is_none())
        .collect();
    let allowed: Vec<&Result> = results
        .iter()
        .filter(|r| !r.agree && r.allowed.is_some())
        .collect();
    if !bad.is_empty() {
        // One line per case and outcome, listing the versions it applies to.
        let mut groups: Vec<(String, String, String, Vec<String>)> = Vec::new();
        let mut inputs: BTreeMap<String, String> = BTreeMap::new();
        for r in &bad {
            let exp = support::clip(&r.expected.to_string(), 70);
            let got = support::clip(&r.got, 140);
            inputs
                .entry(r.id.clone())
                .or_insert_with(|| support::clip(&support::escape(r.input.as_bytes()), 70));
            match groups
                .iter_mut()
                .find(|g| g.0 == r.id && g.1 == exp && g.2 == got)
            {
                Some(g) => g.3.push(r.version.clone()),
                None => groups.push((r.id.clone(), exp, got, vec![r.version.clone()])),
            }
        }
        let _ = writeln!(
            out,
            "\ndisagreements ({} case/version pairs, {} groups):",
            bad.len(),
            groups.len()
        );
        for (id, exp, got, versions) in &groups {
            let _ = writeln!(
                out,
                "  {id} [{}]: '{}'\n      expected {exp}\n      redlint  {got}",
                versions.join(" "),
                inputs[id]
            );
        }
    }
    for r in &allowed {
        let _ = writeln!(
            out,
            "  allowed: {} {} ({}): expected {}, redlint {}",
            r.id,
            r.version,
            r.allowed.unwrap_or(""),
            r.expected,
            r.got
        );
    }
    let _ = writeln!(out, "\nagreement per version:");
    for (label, version) in &catalogs {
        let rs: Vec<&Result> = results.iter().filter(|r| &r.version == label).collect();
        let ok = rs.iter().filter(|r| r.agree).count();
        let _ = writeln!(
            out,
            "  {label:11} ({version:11}) {ok:4}/{:<4} {:6.2}%",
            rs.len(),
            if rs.is_empty() {
                100.0
            } else {
                100.0 * ok as f64 / rs.len() as f64
            }
        );
    }
    let ok = results.iter().filter(|r| r.agree).count();
    let _ = writeln!(
        out,
        "  total                     {ok:4}/{:<4} {:6.2}%  ({} disagreements, {} allowed)",
        results.len(),
        if results.is_empty() {
            100.0
        } else {
            100.0 * ok as f64 / results.len() as f64
        },
        bad.len(),
        allowed.len()
    );
    let oracle_bad = oracle_self_check(&cases, &observed, &mut out);
    print!("{out}");
    let _ = std::fs::create_dir_all(support::target_dir());
    let _ = std::fs::write(support::target_dir().join("probe-cases-last-run.txt"), &out);
    if !bad.is_empty() || oracle_bad > 0 {
        eprintln!(
            "probe_cases: FAILED: {} disagreements, {oracle_bad} oracle self-check failures",
            bad.len()
        );
        std::process::exit(1);
    }
    println!("probe_cases: ok");
}
