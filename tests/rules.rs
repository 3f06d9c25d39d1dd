//! Every rule has fixtures that trigger it and fixtures that do not, and each behaves as named.
//!
//! Layout: `fixtures/rules/<category>/<name>/trigger*.conf` and `clean*.conf`. A first line
//! `# redlint-test: target=7.0 profile=datastore` chooses the target version (default 7.0) and
//! profile. Included files in the same directory end in `.inc`. Rules limited to some versions
//! need a fixture with a target outside their range too (the edge of the range).

mod common;

use common::fixtures::cases;
use redlint::checks::Check;
use redlint::ruleset::versions::VersionReq;
use redlint::{CheckOptions, LintSettings, builtin_rules, lint_bytes};
use std::path::Path;

/// Built-in checks whose inputs cannot be fixture files: each has a test of its own that makes
/// its input (`include_depth_beyond_the_limit`, `includes_outside_the_root_are_not_read`,
/// `sentinel_scripts_anyone_can_change` in tests/environment.rs).
const GENERATED: &[&str] = &[
    "invalid/include-too-deep",
    "environment/include-outside-root",
    "environment/sentinel-script-writable",
];

/// Built-in checks about a running server against its file: no file alone triggers them, so
/// they are tested against real servers in tests/audit.rs (which names each of them).
const LIVE: &[&str] = &[
    "drift/value-differs",
    "drift/rename-differs",
    "drift/acl-differs",
    "drift/other-config-file",
];

/// Built-in checks of a running server's statistics (`runtime/*`): no file triggers them; each
/// is tested in src/live/runtime.rs on a snapshot, and the ones a test can cause for real
/// (memory, the slow log, a failed save) in tests/runtime.rs too.
fn runtime_checks() -> Vec<&'static str> {
    Check::ALL
        .iter()
        .map(|c| c.id())
        .filter(|id| id.starts_with("runtime/"))
        .collect()
}

/// Built-in checks over the configs of one group (`check --group`): tested on groups of files
/// in tests/consistency.rs, which names each.
fn consistency_checks() -> Vec<&'static str> {
    Check::ALL
        .iter()
        .map(|c| c.id())
        .filter(|id| id.starts_with("consistency/"))
        .collect()
}

#[test]
fn runtime_and_consistency_checks_are_tested_where_their_input_is() {
    let read = |rel: &str| {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
    };
    let unit = read("src/live/runtime.rs");
    let unit_tests = &unit[unit.find("#[cfg(test)]").expect("runtime.rs has tests")..];
    for id in runtime_checks() {
        assert!(
            unit_tests.contains(&format!("\"{id}\"")),
            "src/live/runtime.rs does not test {id}"
        );
    }
    let real = read("tests/runtime.rs");
    for id in [
        "runtime/memory-near-limit",
        "runtime/slow-commands",
        "runtime/save-failing",
        "runtime/latency-events",
    ] {
        assert!(
            real.contains(&format!("\"{id}\"")),
            "tests/runtime.rs does not test {id}"
        );
    }
    let groups = read("tests/consistency.rs");
    for id in consistency_checks() {
        assert!(
            groups.contains(&format!("\"{id}\"")),
            "tests/consistency.rs does not test {id}"
        );
    }
}

/// Rules about a config together with the others of its run (a Sentinel and the primaries it
/// monitors): no file alone triggers them, so tests/deployment.rs (which names each) tests them.
const GROUP: &[&str] = &["sentinel/auth-pass-behind-primary"];

#[test]
fn group_rules_are_tested_on_groups() {
    let tests =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/deployment.rs"))
            .unwrap();
    for id in GROUP {
        assert!(
            tests.contains(&format!("\"{id}\"")),
            "tests/deployment.rs does not test {id}"
        );
    }
}

#[test]
fn live_checks_are_tested_on_real_servers() {
    let audit =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/audit.rs"))
            .unwrap();
    for id in LIVE {
        assert!(
            audit.contains(&format!("\"{id}\"")),
            "tests/audit.rs does not test {id}"
        );
    }
    let drift: Vec<&str> = Check::ALL
        .iter()
        .map(|c| c.id())
        .filter(|id| id.starts_with("drift/"))
        .collect();
    assert_eq!(drift, LIVE);
}

#[test]
fn include_depth_beyond_the_limit() {
    // A chain of includes: 1 000 levels are fine (redis-server reads them), more than 1 024
    // are reported under their own id, and never as a cycle.
    let dir = tempfile::tempdir().unwrap();
    let chain = |levels: usize| {
        for i in 0..levels {
            std::fs::write(
                dir.path().join(format!("{i}.inc")),
                format!("include {}.inc\n", i + 1),
            )
            .unwrap();
        }
        std::fs::write(dir.path().join(format!("{levels}.inc")), "hz 10\n").unwrap();
        let options = CheckOptions {
            target: "7.0".parse().unwrap(),
            cwd: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let report =
            redlint::check_bytes(Path::new("0.conf"), b"include 0.inc\n", &options).unwrap();
        report
            .diagnostics
            .iter()
            .filter(|d| d.is_invalid())
            .map(|d| d.rule.clone())
            .collect::<Vec<_>>()
    };
    assert!(chain(1_000).is_empty());
    assert_eq!(chain(1_100), vec!["invalid/include-too-deep".to_string()]);
}

#[test]
fn includes_outside_the_root_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let inside = dir.path().join("conf");
    std::fs::create_dir(&inside).unwrap();
    std::fs::write(dir.path().join("secret.txt"), "token abc\n").unwrap();
    std::fs::write(inside.join("part.inc"), "hz 10\n").unwrap();
    let options = CheckOptions {
        target: "7.0".parse().unwrap(),
        cwd: Some(inside.clone()),
        include_root: Some(inside.clone()),
        ..Default::default()
    };
    let report = redlint::check_bytes(
        Path::new("redis.conf"),
        b"include part.inc\ninclude ../secret.txt\n",
        &options,
    )
    .unwrap();
    let ids: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.as_str()).collect();
    assert!(ids.contains(&"environment/include-outside-root"), "{ids:?}");
    assert!(
        !ids.contains(&"invalid/unknown-directive"),
        "the outside file was read: {ids:?}"
    );
}

#[test]
fn every_rule_has_fixtures_that_behave() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules");
    let rules = builtin_rules();
    let mut failures = Vec::new();
    let mut checked = 0;
    // Rule files and the built-in checks alike: (id, versions when limited, on by default).
    let subjects: Vec<(String, Option<VersionReq>, bool)> = rules
        .rules()
        .iter()
        .filter(|r| !GROUP.contains(&r.id()))
        .map(|r| {
            (
                r.id().to_string(),
                r.has_version_range().then(|| r.versions().clone()),
                r.default_enabled(),
            )
        })
        .chain(
            Check::ALL
                .iter()
                .filter(|c| {
                    !GENERATED.contains(&c.id())
                        && !LIVE.contains(&c.id())
                        && !runtime_checks().contains(&c.id())
                        && !consistency_checks().contains(&c.id())
                })
                .map(|c| (c.id().to_string(), None, true)),
        )
        .collect();
    for (id, versions, default_enabled) in &subjects {
        let id = id.as_str();
        let dir = root.join(id);
        let cases = cases(&dir);
        if !cases.iter().any(|c| c.trigger) || !cases.iter().any(|c| !c.trigger) {
            failures.push(format!(
                "{id}: needs at least one trigger*.conf and one clean*.conf in {}",
                dir.display()
            ));
            continue;
        }
        if let Some(versions) = versions {
            let outside = cases.iter().any(|c| !versions.matches(c.target));
            let inside = cases
                .iter()
                .any(|c| c.trigger && versions.matches(c.target));
            if !outside || !inside {
                failures.push(format!("{id}: versions {} need a trigger inside the range and a fixture with a target outside it", versions.describe()));
            }
        }
        for case in cases {
            let bytes = std::fs::read(&case.path).unwrap();
            let options = CheckOptions {
                target: case.target,
                cwd: Some(dir.clone()),
                ..Default::default()
            };
            // Opt-in rules run only when selected by id.
            let select = if *default_enabled {
                vec![]
            } else {
                vec![id.to_string()]
            };
            let settings = LintSettings {
                profile: case.profile,
                select,
                ..Default::default()
            };
            let report = lint_bytes(&case.path, bytes.as_slice(), &options, &settings, &rules)
                .expect("the target has a catalog");
            let fired = report.diagnostics.iter().any(|d| d.rule == id);
            if fired != case.trigger {
                let found: Vec<String> = report
                    .diagnostics
                    .iter()
                    .map(|d| format!("{} (line {}): {}", d.rule, report.line(d), d.message))
                    .collect();
                failures.push(format!(
                    "{id}: {} at {} should {}trigger it; found:\n    {}",
                    case.path.display(),
                    case.target,
                    if case.trigger { "" } else { "not " },
                    found.join("\n    ")
                ));
            }
            checked += 1;
        }
    }
    println!(
        "{checked} fixtures checked for {} rules and built-in checks",
        subjects.len()
    );
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn builtin_rules_name_known_directives() {
    builtin_rules().check_directive_names().unwrap();
}

#[test]
fn opt_in_rules_run_only_when_selected() {
    let rules = builtin_rules();
    let opt_in: Vec<&str> = rules
        .rules()
        .iter()
        .filter(|r| !r.default_enabled())
        .map(|r| r.id())
        .collect();
    assert!(opt_in.contains(&"performance/latency-monitor-disabled"));
    let options = CheckOptions {
        target: "7.0".parse().unwrap(),
        ..Default::default()
    };
    let bytes = b"port 6379\n";
    let default = lint_bytes(
        Path::new("x.conf"),
        bytes,
        &options,
        &LintSettings::default(),
        &rules,
    )
    .expect("the target has a catalog");
    assert!(
        !default
            .diagnostics
            .iter()
            .any(|d| d.rule == "performance/latency-monitor-disabled")
    );
    let selected = LintSettings {
        select: vec!["performance/latency-monitor-disabled".into()],
        ..Default::default()
    };
    let report = lint_bytes(Path::new("x.conf"), bytes, &options, &selected, &rules)
        .expect("the target has a catalog");
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.rule == "performance/latency-monitor-disabled")
    );
}

#[test]
fn example_passwords_of_the_rules_count_as_weak() {
    // `redlint explain` shows them to everybody: a config using one is not protected.
    let mut found = 0;
    for rule in builtin_rules().rules() {
        for example in [rule.example_bad(), rule.example_good()]
            .into_iter()
            .flatten()
        {
            for word in example.split_whitespace() {
                let pw = word.strip_prefix('>').unwrap_or(word).trim_matches('"');
                let is_password = word.starts_with('>')
                    || example.contains(&format!("requirepass {word}"))
                    || example.contains(&format!("masterauth {word}"));
                // A placeholder is its own finding (correctness/unexpanded-placeholder).
                let placeholder = redlint::semantic::detect::is_placeholder(pw.as_bytes());
                if is_password && pw.len() >= 4 && !placeholder {
                    found += 1;
                    assert!(
                        redlint::semantic::facts::weak_secret(pw, 16).is_some(),
                        "{}: example password `{pw}` is not known as weak",
                        rule.id()
                    );
                }
            }
        }
    }
    assert!(found >= 3, "{found}");
}
