//! The catalog against a running server: start `redis-server` (the project oracle, 7.0) on an
//! empty config, read `CONFIG GET *`, and check that
//! * every name it returns is a directive (primary name or alias) of the catalog of that
//!   version, with the same default (normalised: memory in bytes, octal printed in octal,
//!   percentages as `N%`, bit-flag enums as a set of words, unset strings as "");
//! * every catalog directive that is not HIDDEN, not `special`, not `ignored` and not
//!   conditional on a build option this server lacks, is returned (under some name).
//!
//! A missing `redis-server`/`redis-cli` skips the test, or fails it when `CI` is set.

mod support;

use redlint::Version;
use redlint::catalog::{Catalog, DirectiveSpec, ValueType};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Values that are not the built-in default in this setup, with why.
const NOT_DEFAULT: &[(&str, &str)] = &[
    (
        "dir",
        "computed at startup: the working directory of the process",
    ),
    ("port", "set to 0 by this test's command line"),
    ("unixsocket", "set by this test's command line"),
];

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn skip(what: &str) {
    let code = support::missing_prerequisite("config_get", what);
    assert_eq!(code, 0, "config_get: {what} (CI is set)");
}

/// Memory value as redis-server 7.0 parses it (memtoull): digits and an optional unit.
fn memory_bytes(s: &str) -> Option<u128> {
    let lower = s.trim().to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (digits, unit) = lower.split_at(split);
    let mul: u128 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    Some(digits.parse::<u128>().ok()? * mul)
}

/// The catalog default as CONFIG GET would print it, if the catalog knows it.
fn expected_value(spec: &DirectiveSpec) -> Option<String> {
    let Some(d) = spec.default_value() else {
        // default_is_null (or absent) strings print as ""
        return matches!(spec.value_type, ValueType::String).then(String::new);
    };
    Some(match spec.value_type {
        ValueType::Memory => memory_bytes(&d).map_or(d, |b| b.to_string()),
        ValueType::MemoryOrPercent => match d.trim().parse::<i64>() {
            Ok(n) if n < 0 => format!("{}%", -n),
            _ => memory_bytes(&d).map_or(d, |b| b.to_string()),
        },
        ValueType::Octal => d.trim().parse::<u64>().map_or(d, |n| format!("{n:o}")),
        _ => d,
    })
}

fn same_value(spec: &DirectiveSpec, expected: &str, got: &str) -> bool {
    if expected == got {
        return true;
    }
    match spec.value_type {
        ValueType::Enum | ValueType::Bool => {
            let words = |s: &str| -> BTreeSet<String> {
                s.split_whitespace()
                    .map(|w| w.to_ascii_lowercase())
                    .collect()
            };
            words(expected) == words(got)
        }
        ValueType::Int | ValueType::Memory => {
            matches!((expected.parse::<i128>(), got.parse::<i128>()), (Ok(a), Ok(b)) if a == b)
        }
        _ => false,
    }
}

fn start_server(program: &Path, dir: &Path) -> Result<Server, String> {
    std::fs::write(dir.join("empty.conf"), b"").unwrap();
    let sock = dir.join("s.sock");
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let child = Command::new(program)
        .arg("empty.conf")
        .args(["--port", "0", "--unixsocket"])
        .arg(&sock)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start redis-server: {e}"))?;
    let mut server = Server(child);
    let start = Instant::now();
    while !sock.exists() {
        if let Ok(Some(status)) = server.0.try_wait() {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            return Err(format!(
                "redis-server exited ({status}) before listening:\n{log}"
            ));
        }
        if start.elapsed() > Duration::from_secs(10) {
            return Err("redis-server did not create its socket within 10s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(server)
}

fn config_get_all(sock: &Path) -> Result<BTreeMap<String, String>, String> {
    let out = Command::new("redis-cli")
        .arg("-s")
        .arg(sock)
        .args(["--json", "CONFIG", "GET", "*"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run redis-cli: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("CONFIG GET output: {e}: {text}"))?;
    let to_s = |v: &serde_json::Value| v.as_str().map(str::to_string).unwrap_or(v.to_string());
    match json {
        // RESP3 map (redis-cli --json speaks RESP3 with 7.0)
        serde_json::Value::Object(m) => Ok(m.iter().map(|(k, v)| (k.clone(), to_s(v))).collect()),
        // RESP2 flat array
        serde_json::Value::Array(a) => Ok(a
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| (to_s(&c[0]), to_s(&c[1])))
            .collect()),
        other => Err(format!("unexpected CONFIG GET reply: {other}")),
    }
}

#[test]
fn config_get_matches_catalog() {
    if !support::have_program("redis-cli") {
        return skip("redis-cli is not on PATH");
    }
    let oracles =
        support::common::oracles::for_test("config_get").unwrap_or_else(|why| panic!("{why}"));
    if oracles.is_empty() {
        return skip("redis-server is not on PATH");
    }
    for oracle in &oracles {
        let version: Version = oracle.target.parse().expect("a target redlint knows");
        let catalog = Catalog::load(version).unwrap_or_else(|e| panic!("{}: {e}", oracle.target));
        compare_with(&oracle.program, &oracle.version, catalog);
    }
}

/// The defaults of one server's `CONFIG GET *` against its catalog, both ways.
fn compare_with(program: &Path, server_version: &str, catalog: &Catalog) {
    let dir = tempfile::Builder::new()
        .prefix("redlint-config-get-")
        .tempdir()
        .unwrap();
    let server = start_server(program, dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let got = config_get_all(&dir.path().join("s.sock"));
    let _ = Command::new("redis-cli")
        .arg("-s")
        .arg(dir.path().join("s.sock"))
        .args(["SHUTDOWN", "NOSAVE"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    drop(server);
    let got = got.unwrap_or_else(|e| panic!("{e}"));

    let mut out = String::new();
    let mut failures = Vec::new();
    let mut unknown_default = Vec::new();
    let mut exceptions = Vec::new();
    let mut runtime_only = Vec::new();
    let mut matched = 0;
    for (name, value) in &got {
        let Some((primary, spec)) = catalog.lookup(name) else {
            // A parameter only CONFIG SET takes (6.2's `watchdog-period`): the file loader
            // refuses it, so a config-file catalog rightly lacks it.
            if !file_reads(program, name, value) {
                runtime_only.push(name.clone());
                continue;
            }
            failures.push(format!(
                "CONFIG GET returns `{name}` (= {value:?}): not in the catalog"
            ));
            continue;
        };
        if let Some((_, why)) = NOT_DEFAULT.iter().find(|(n, _)| *n == primary) {
            exceptions.push(format!("{name} = {value:?} ({why})"));
            continue;
        }
        match expected_value(spec) {
            None => unknown_default.push(format!("{name} ({primary}) = {value:?}")),
            Some(expected) if same_value(spec, &expected, value) => matched += 1,
            Some(expected) => failures.push(format!(
                "`{name}`{}: default {expected:?} in the catalog ({:?}), CONFIG GET says {value:?}",
                if name == primary {
                    String::new()
                } else {
                    format!(" (alias of `{primary}`)")
                },
                spec.value_type
            )),
        }
    }
    // The other direction
    let mut absent_conditional = Vec::new();
    let mut file_only = Vec::new();
    for (name, spec) in catalog.directives() {
        if spec.has_flag("HIDDEN")
            || matches!(spec.value_type, ValueType::Special | ValueType::Ignored)
        {
            continue;
        }
        let returned = got.contains_key(name) || spec.aliases.iter().any(|a| got.contains_key(*a));
        if returned {
            continue;
        }
        match &spec.conditional {
            Some(cond) => absent_conditional.push(format!("{name} (needs {cond})")),
            // Read by the file loader's own branch and not a CONFIG parameter (6.x's
            // `cluster-config-file`): the file is what the catalog describes.
            None if spec
                .default_value()
                .is_some_and(|d| file_reads(program, name, &d)) =>
            {
                file_only.push(name.to_string())
            }
            None => failures.push(format!(
                "catalog directive `{name}` ({:?}) is not returned by CONFIG GET",
                spec.value_type
            )),
        }
    }

    let _ = writeln!(
        out,
        "config_get: {server_version}: CONFIG GET returned {} names; catalog {} has {} directives",
        got.len(),
        catalog.version,
        catalog.directives().count()
    );
    let _ = writeln!(out, "  defaults agreeing: {matched}");
    let _ = writeln!(out, "  documented exceptions: {}", exceptions.join("; "));
    list(
        &mut out,
        "no default in the catalog (special directives, not compared)",
        &unknown_default,
        "; ",
    );
    list(
        &mut out,
        "conditional directives this build lacks",
        &absent_conditional,
        "; ",
    );
    list(
        &mut out,
        "CONFIG SET only (the file loader refuses them)",
        &runtime_only,
        ", ",
    );
    list(
        &mut out,
        "read from the file only (not CONFIG parameters)",
        &file_only,
        ", ",
    );
    for f in &failures {
        let _ = writeln!(out, "  MISMATCH: {f}");
    }
    print!("{out}");
    assert!(failures.is_empty(), "{} mismatches:\n{out}", failures.len());
}

/// Whether the server's file loader takes the line `name "value"` (a quick run).
fn file_reads(program: &Path, name: &str, value: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let line = format!(
        "{name} \"{}\"\n",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    );
    std::fs::write(dir.path().join("p.conf"), line).unwrap();
    support::oracle::run_with(
        program,
        dir.path(),
        "p.conf",
        support::oracle::Mode::Quick,
        &[],
    )
    .verdict
    .is_accepted()
}

/// A line `  label: a, b` of the summary, when there is anything to list.
fn list(out: &mut String, label: &str, items: &[String], sep: &str) {
    if !items.is_empty() {
        let _ = writeln!(out, "  {label}: {}", items.join(sep));
    }
}
