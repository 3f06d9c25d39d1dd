//! Run redlint over every file of `../shared/corpus`: no panic anywhere, no `invalid/*` finding on
//! the stock files of each version for that version, and the number of findings per rule printed
//! so that a storm of false positives is visible.

use redlint::version::Version;
use redlint::{CheckOptions, LintSettings, builtin_rules, lint_bytes};
use std::collections::BTreeMap;
mod common;

use std::path::{Path, PathBuf};

/// The version a stock file belongs to: `redis-7.4.1.conf` → 7.4, `valkey-8.0.1.conf` → valkey-8.0.
fn stock_version(name: &str) -> Option<Version> {
    let stem = name.strip_suffix(".conf")?;
    let rest = stem
        .strip_prefix("redis-")
        .or_else(|| stem.strip_prefix("valkey-").map(|_| stem))?;
    let v: Version = rest.parse().ok()?;
    redlint::catalog::available().contains(&v).then_some(v)
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.is_file()
            && !p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("MANIFEST")
    });
    files.sort();
    files
}

#[test]
fn corpus_runs_clean() {
    let Some(corpus) = common::shared("corpus") else {
        return;
    };
    let rules = builtin_rules();
    let settings = LintSettings::default();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut skipped = Vec::new();

    for path in sorted_files(&corpus.join("upstream")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Sentinel configs are read in sentinel mode, as redis-sentinel reads them.
        let sentinel = name.starts_with("sentinel") || name.contains("-sentinel-");
        // `sentinel-7.0.15.conf` → `redis-7.0.15.conf`, `valkey-sentinel-8.0.1.conf` → `valkey-8.0.1.conf`.
        let versioned = name.replacen("sentinel-", "", 1);
        let versioned = if sentinel && !versioned.starts_with("valkey-") {
            format!("redis-{versioned}")
        } else {
            versioned
        };
        let Some(version) = stock_version(&versioned) else {
            skipped.push(format!("{name} (no catalog for its version)"));
            continue;
        };
        let bytes = std::fs::read(&path).unwrap();
        let options = CheckOptions {
            target: version,
            cwd: Some(std::env::temp_dir()),
            sentinel: Some(sentinel),
            ..Default::default()
        };
        let report = lint_bytes(&path, bytes.as_slice(), &options, &settings, &rules)
            .expect("the target has a catalog");
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.rule.starts_with("invalid/"))
        {
            problems.push(format!(
                "{name} at {version}: line {}: {} {}",
                report.line(d),
                d.rule,
                d.message
            ));
        }
        checked += 1;
    }

    let target: Version = "7.0".parse().unwrap();
    // The names the files have in their repositories: redlint finds Sentinel configs and
    // templates from them (the corpus prefixes owner and repository).
    let real_names: BTreeMap<String, String> =
        std::fs::read_to_string(corpus.join("wild/MANIFEST.tsv"))
            .unwrap_or_default()
            .lines()
            .skip(1)
            .filter_map(|l| {
                let cols: Vec<&str> = l.split('\t').collect();
                let name = Path::new(cols.get(2)?).file_name()?.to_string_lossy();
                Some((cols[0].to_string(), name.into_owned()))
            })
            .collect();
    for path in sorted_files(&corpus.join("wild")) {
        let bytes = std::fs::read(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let path = real_names
            .get(&file)
            .map_or(path.clone(), |n| path.with_file_name(n));
        let options = CheckOptions {
            target,
            cwd: Some(std::env::temp_dir()),
            ..Default::default()
        };
        let report = std::panic::catch_unwind(|| {
            lint_bytes(&path, bytes.as_slice(), &options, &settings, &rules)
                .expect("the target has a catalog")
        });
        match report {
            Ok(report) => {
                for d in &report.diagnostics {
                    *counts.entry(d.rule.clone()).or_default() += 1;
                }
                let _ = redlint::report::Human {
                    color: false,
                    width: 100,
                    quiet: false,
                }
                .render(&report);
            }
            Err(_) => problems.push(format!("{}: panic", path.display())),
        }
        checked += 1;
    }

    println!("{checked} corpus files checked; skipped {}:", skipped.len());
    for s in &skipped {
        println!("  skipped {s}");
    }
    println!(
        "findings per rule over corpus/wild at target 7.0 (Sentinel configs and templates found by themselves):"
    );
    let mut by_count: Vec<_> = counts.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (rule, n) in by_count {
        println!("  {n:5}  {rule}");
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
