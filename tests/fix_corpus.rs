//! Every real config of the shared corpus that redis-server 7.0 accepts is still accepted after
//! `--fix --unsafe-fixes` with parameters, and re-checks with no applicable fix left. Lines whose
//! verdict depends on the machine are removed first, as in the differential test.

mod support;

use redlint::autofix::{self, FixError, FixRequest};
use redlint::{Applicability, CheckOptions, LintSettings, builtin_rules};
use std::path::Path;
use support::corpus;
use support::oracle::{self, Mode, Verdict};

const CONFIG_NAME: &str = "redis.conf";

fn accepted(dir: &Path, bytes: &[u8], full: bool) -> Verdict {
    std::fs::write(dir.join(CONFIG_NAME), bytes).unwrap();
    let mode = if full { Mode::Full } else { Mode::Quick };
    oracle::run(dir, CONFIG_NAME, mode, &[]).verdict
}

#[test]
fn fixed_corpus_configs_still_start() {
    if support::redis_server_version().is_none() {
        assert!(!support::in_ci(), "redis-server is missing but CI is set");
        eprintln!("skipping: redis-server not found");
        return;
    }
    let corpus_dir = support::shared_dir().join("corpus");
    if !corpus_dir.is_dir() {
        assert!(
            !support::in_ci(),
            "{} is missing but CI is set",
            corpus_dir.display()
        );
        eprintln!("skipping: {} not found", corpus_dir.display());
        return;
    }
    let mut bases = corpus::load_dir(&corpus_dir.join("wild"), "wild");
    bases.extend(corpus::load_dir(&corpus_dir.join("upstream"), "upstream"));
    bases.retain(|b| !b.name.contains("sentinel") && b.name.ends_with(".conf"));
    let settings = LintSettings {
        fix_params: [
            ("maxmemory", "256mb"),
            ("maxmemory-policy", "allkeys-lru"),
            ("appendonly", "yes"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        ..Default::default()
    };
    let rules = builtin_rules();
    let (mut kept, mut rejected_before, mut not_fixed, mut changed) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for base in &bases {
        let dir = tempfile::tempdir().unwrap();
        if !accepted(dir.path(), &base.bytes, false).is_accepted() {
            rejected_before += 1;
            continue;
        }
        let options = CheckOptions {
            target: "7.0".parse().unwrap(),
            cwd: Some(dir.path().to_path_buf()),
            // The oracle runs plain redis-server on the file as it is.
            sentinel: Some(false),
            template: Some(false),
            ..Default::default()
        };
        let fixed = match autofix::fix(&FixRequest {
            path: Path::new(CONFIG_NAME),
            bytes: &base.bytes,
            options: &options,
            settings: &settings,
            rules: &rules,
            threshold: Applicability::Unsafe,
            root_only: true,
        }) {
            Ok(f) => f,
            Err(FixError::Invalid { .. }) => {
                // redlint and the server disagree on the original: the differential test
                // owns that; here it is only counted.
                not_fixed += 1;
                continue;
            }
            Err(e) => {
                failures.push(format!("{}: {e}", base.name));
                continue;
            }
        };
        let Some(file) = fixed.files.first() else {
            kept += 1;
            continue;
        };
        changed += 1;
        // ACL users are loaded after the listeners: start the server fully to see them.
        let verdict = accepted(dir.path(), &file.fixed, true);
        if verdict.is_accepted() {
            kept += 1;
        } else {
            failures.push(format!(
                "{}: the fixed config is refused: {verdict:?}\n{}",
                base.name,
                autofix::diff(&fixed, false)
            ));
        }
        let left: Vec<&str> = fixed
            .report
            .diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.applies(Applicability::Unsafe))
            })
            .map(|d| d.rule.as_str())
            .collect();
        if !left.is_empty() {
            failures.push(format!("{}: applicable fixes left: {left:?}", base.name));
        }
    }
    println!(
        "fixed corpus: {kept} of {} configs redis-server 7.0 accepts are still accepted after \
         --fix --unsafe-fixes ({changed} changed); {rejected_before} rejected before fixing, \
         {not_fixed} not fixed",
        bases.len() - rejected_before
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(kept > 50, "{kept}");
}
