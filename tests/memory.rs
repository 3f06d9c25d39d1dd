//! Memory of a check stays a small multiple of the file, also for a file that is nothing but
//! tokens (a 60 MB file of tokens once took 7.8 GB). The check runs in this process, and the
//! growth of its peak resident memory (`VmHWM`) is compared with the file's size. Each file is
//! checked in a fresh process (this binary, run again), so nothing else is measured with it.

use redlint::{CheckOptions, LintSettings, builtin_rules, lint_bytes};
use std::path::Path;

/// A `/proc/self/status` field, in kB.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"))
}

/// How many times its size a check of `bytes` adds to the peak, over the file's own bytes
/// (which the check keeps, not copies).
fn peak_growth(bytes: Vec<u8>) -> f64 {
    let size = bytes.len() as f64;
    let rules = builtin_rules();
    let options = CheckOptions {
        target: "7.4".parse().unwrap(),
        cwd: Some(std::env::temp_dir()),
        ..Default::default()
    };
    let settings = LintSettings::default();
    let before = status_kb("VmRSS");
    let report = lint_bytes(Path::new("redis.conf"), bytes, &options, &settings, &rules)
        .expect("the file is checked");
    let peak = status_kb("VmHWM");
    assert!(!report.diagnostics.is_empty());
    drop(report);
    (peak.saturating_sub(before) * 1024) as f64 / size
}

/// One line of `name` and `count` values made by `value`, built without spare capacity.
fn one_line(name: &str, count: usize, value: impl Fn(usize) -> String) -> Vec<u8> {
    let mut line = name.as_bytes().to_vec();
    for i in 0..count {
        line.push(b' ');
        line.extend_from_slice(value(i).as_bytes());
    }
    line.push(b'\n');
    line.shrink_to_fit();
    line
}

/// The files measured, by name: each is checked in a process of its own.
fn case(name: &str) -> Vec<u8> {
    match name {
        // Addresses, as a generated `bind` line has them: 8 MB, 700 000 values.
        "addresses" => one_line("bind", 700_000, |i| {
            format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255)
        }),
        // The worst case: values of one byte, two bytes of file each. A value costs 13 bytes
        // whatever its length: its token (also its place on disk) and its end in the model.
        "one-byte values" => one_line("bind", 2_000_000, |_| "a".to_string()),
        // Save points accumulate from 7.0: 4 MB of `save` lines of 1 000 points each.
        "save lines" => ["save", &["1"; 2_000].join(" "), "\n"]
            .join(" ")
            .repeat(1_000)
            .into_bytes(),
        // Lines, not tokens: a 12 MB config shaped like the stock one (mostly comments), its
        // block of lines repeated.
        "ordinary lines" => {
            let mut block = String::new();
            for i in 0..40 {
                block.push_str(&format!(
                    "# a comment about the setting below, line {i:02}, with some words\n"
                ));
            }
            block.push_str("\n# tcp-keepalive 300\nmaxmemory-samples 5\n\n");
            block.repeat(4_500).into_bytes()
        }
        other => panic!("no case {other}"),
    }
}

/// Each case and the most its check may add to the peak, in times the file's size.
const BOUNDS: [(&str, f64); 4] = [
    ("addresses", 2.5),
    ("one-byte values", 8.0),
    ("save lines", 10.0),
    ("ordinary lines", 2.5),
];

const CASE_VAR: &str = "REDLINT_MEMORY_CASE";

fn main() {
    if let Ok(name) = std::env::var(CASE_VAR) {
        // The child: measure one case and print the ratio.
        println!("{}", peak_growth(case(&name)));
        return;
    }
    if !Path::new("/proc/self/status").exists() {
        eprintln!("memory: skipped, no /proc/self/status to read peak memory from");
        return;
    }
    let me = std::env::current_exe().expect("the test binary");
    let mut failed = Vec::new();
    for (name, bound) in BOUNDS {
        let out = std::process::Command::new(&me)
            .env(CASE_VAR, name)
            .output()
            .expect("run a case");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let growth: f64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a ratio");
        println!(
            "memory: {name}: the check adds {growth:.1} × the file to the peak (at most {bound})"
        );
        if growth > bound {
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "memory over its bound: {failed:?}");
}
