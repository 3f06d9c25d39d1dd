//! Throughput of a full check (parse, effective config, validity, every rule): the pre-commit
//! hook runs it on every commit. `cargo bench --bench check` prints time per file.

use redlint::{CheckOptions, LintSettings, builtin_rules, lint_bytes};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stock = root.join("../shared/corpus/upstream/redis-7.4.1.conf");
    let mut out = vec![(
        "fixtures/sample.conf".to_string(),
        std::fs::read(root.join("fixtures/sample.conf")).unwrap(),
    )];
    if let Ok(bytes) = std::fs::read(&stock) {
        out.push(("stock redis-7.4.1.conf".to_string(), bytes));
    }
    // A synthetic large file: the sample repeated to about 100 000 lines.
    let sample = std::fs::read(root.join("fixtures/sample.conf")).unwrap();
    let big: Vec<u8> = sample
        .iter()
        .copied()
        .cycle()
        .take(sample.len() * 12_500)
        .collect();
    out.push(("sample x12500 (100k lines)".to_string(), big));
    out
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
        let lines = bytes.iter().filter(|&&b| b == b'\n').count().max(1);
        let path = PathBuf::from(&name);
        // Warm up, then pick an iteration count that runs about a second.
        let start = Instant::now();
        black_box(
            lint_bytes(&path, bytes.as_slice(), &options, &settings, &rules)
                .expect("the target has a catalog"),
        );
        let once = start.elapsed().as_secs_f64().max(1e-6);
        let iterations = ((1.0 / once) as usize).clamp(3, 2000);
        let start = Instant::now();
        for _ in 0..iterations {
            black_box(
                lint_bytes(&path, bytes.as_slice(), &options, &settings, &rules)
                    .expect("the target has a catalog"),
            );
        }
        let per = start.elapsed().as_secs_f64() / iterations as f64;
        println!(
            "{name:32} {lines:7} lines  {:9.3} ms/check  {:7.2} µs/line  ({iterations} runs)",
            per * 1e3,
            per * 1e6 / lines as f64
        );
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
