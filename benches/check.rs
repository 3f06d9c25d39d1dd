//! Time per file and throughput of each stage (parse, effective model with validity, full lint,
//! fix) on a 5-line config, the stock 7.4 redis.conf and a 60 MB file: the pre-commit hook runs
//! them on every commit. `cargo bench --bench check`; whole-process ratios are scripts/bench.sh.

use redlint::{CheckOptions, LintSettings, builtin_rules, lint_bytes};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stock = root.join("../shared/corpus/upstream/redis-7.4.1.conf");
    let mut out = vec![(
        "5-line config".to_string(),
        b"bind 127.0.0.1 -::1\nport 6379\nrequirepass \"kT7#vQ2-wP9!sL4mXz8R\"\nmaxmemory 2gb\nappendonly yes\n".to_vec(),
    )];
    match std::fs::read(&stock) {
        Ok(bytes) => {
            // About 60 MB: the stock file repeated.
            let big: Vec<u8> = bytes
                .iter()
                .copied()
                .cycle()
                .take(bytes.len() * (60_000_000 / bytes.len()))
                .collect();
            out.push(("stock redis-7.4.1.conf".to_string(), bytes));
            out.push(("stock file repeated (60 MB)".to_string(), big));
        }
        Err(_) => eprintln!(
            "{} is missing: the stock-file benchmarks are skipped",
            stock.display()
        ),
    }
    out
}

/// Run `f` for about a second (at least 3 times) and print time per run and throughput.
fn time(phase: &str, name: &str, bytes: usize, mut f: impl FnMut()) {
    let start = Instant::now();
    f();
    let once = start.elapsed().as_secs_f64().max(1e-6);
    let iterations = ((1.0 / once) as usize).clamp(3, 5000);
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    let per = start.elapsed().as_secs_f64() / iterations as f64;
    println!(
        "{phase:6} {name:30} {:10.1} µs  {:8.1} MB/s  ({iterations} runs)",
        per * 1e6,
        bytes as f64 / per / 1e6
    );
}

fn main() {
    let rules = builtin_rules();
    let settings = LintSettings::default();
    let options = CheckOptions {
        target: "7.4".parse().unwrap(),
        cwd: Some(std::env::temp_dir()),
        ..Default::default()
    };
    for (name, bytes) in inputs() {
        let path = PathBuf::from("redis.conf");
        let n = bytes.len();
        time("parse", &name, n, || {
            black_box(redlint::syntax::parse(&bytes));
        });
        time("model", &name, n, || {
            black_box(redlint::semantic::analyze(&path, bytes.as_slice(), &options).unwrap());
        });
        time("lint", &name, n, || {
            black_box(lint_bytes(&path, bytes.as_slice(), &options, &settings, &rules).unwrap());
        });
        if n < 1_000_000 {
            let request = redlint::autofix::FixRequest {
                path: &path,
                bytes: &bytes,
                options: &options,
                settings: &settings,
                rules: &rules,
                threshold: redlint::Applicability::Unsafe,
                root_only: true,
            };
            time("fix", &name, n, || {
                black_box(redlint::autofix::fix(&request).ok());
            });
        }
    }
    human_output_scales_linearly(&options);
}

/// The human report of a file with one finding per line: time per finding should not grow
/// with the file (it did when every finding copied the whole file).
fn human_output_scales_linearly(options: &CheckOptions) {
    let human = redlint::report::Human {
        color: false,
        width: 100,
        quiet: false,
    };
    let mut per_finding = Vec::new();
    for lines in [5_000usize, 20_000] {
        let text = "hz 10\n".repeat(lines);
        let report = redlint::check_bytes(&PathBuf::from("hz.conf"), text.as_bytes(), options)
            .expect("the target has a catalog");
        let start = Instant::now();
        black_box(human.render(&report));
        let took = start.elapsed().as_secs_f64();
        let findings = report.diagnostics.len().max(1);
        per_finding.push(took / findings as f64);
        println!(
            "human report, {lines:6} lines  {findings:6} findings  {:8.1} ms  {:6.2} µs/finding",
            took * 1e3,
            took * 1e6 / findings as f64
        );
    }
    println!(
        "human report: µs/finding at 20 000 lines / at 5 000 lines = {:.2} (1.0 = linear)",
        per_finding[1] / per_finding[0]
    );
}
