//! Suppression comments, rule selection and `redlint.toml`.

use redlint::{CheckOptions, LintSettings, builtin_rules, lint_bytes};
use std::path::Path;
use std::process::Command;

fn rules_for(text: &str, settings: &LintSettings) -> Vec<(String, usize)> {
    let options = CheckOptions {
        target: "7.0".parse().unwrap(),
        ..Default::default()
    };
    let report = lint_bytes(
        Path::new("s.conf"),
        text.as_bytes(),
        &options,
        settings,
        &builtin_rules(),
    )
    .expect("the target has a catalog");
    report
        .diagnostics
        .iter()
        .map(|d| (d.rule.clone(), report.line(d)))
        .collect()
}

fn has(found: &[(String, usize)], rule: &str) -> bool {
    found.iter().any(|(r, _)| r == rule)
}

#[test]
fn disable_next_line_silences_that_line_only() {
    let text =
        "# redlint: disable-next-line network/bind-all-interfaces -- firewalled\nbind 0.0.0.0\n";
    let found = rules_for(text, &LintSettings::default());
    assert!(!has(&found, "network/bind-all-interfaces"), "{found:?}");
    assert!(!has(&found, "meta/unused-suppression"), "{found:?}");
    // The comment applies to the next directive line, not to a later one.
    let later =
        "# redlint: disable-next-line syntax/inline-comment\nport 6379\nbind 127.0.0.1 # local\n";
    let found = rules_for(later, &LintSettings::default());
    assert!(has(&found, "syntax/inline-comment"), "{found:?}");
    assert!(
        found.contains(&("meta/unused-suppression".to_string(), 1)),
        "{found:?}"
    );
}

#[test]
fn disable_file_takes_ids_and_categories() {
    let text = "# redlint: disable-file tls security/no-authentication\nbind 0.0.0.0\n";
    let found = rules_for(text, &LintSettings::default());
    assert!(
        !has(&found, "tls/not-enabled") && !has(&found, "security/no-authentication"),
        "{found:?}"
    );
    assert!(has(&found, "network/bind-all-interfaces"));
}

#[test]
fn unknown_and_unused_suppressions_are_reported_and_no_suppress_ignores_all() {
    let text = "# redlint: disable-file nosuch/rule\n# redlint: disable-next-line memory/maxmemory-unset\nport 6379\nbind 0.0.0.0\n";
    let found = rules_for(text, &LintSettings::default());
    assert!(
        found.contains(&("meta/unknown-suppression".to_string(), 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&("meta/unused-suppression".to_string(), 2)),
        "{found:?}"
    );
    let ignoring = LintSettings {
        no_suppress: true,
        ..Default::default()
    };
    let text = "# redlint: disable-next-line network/bind-all-interfaces\nbind 0.0.0.0\n";
    assert!(has(
        &rules_for(text, &ignoring),
        "network/bind-all-interfaces"
    ));
}

#[test]
fn select_ignore_and_severity_overrides() {
    let text = "bind 0.0.0.0\n";
    let select = LintSettings {
        select: vec!["network".into()],
        ..Default::default()
    };
    let found = rules_for(text, &select);
    assert!(
        found.iter().all(|(r, _)| r.starts_with("network/")),
        "{found:?}"
    );
    let ignore = LintSettings {
        ignore: vec!["network/bind-all-interfaces".into(), "tls".into()],
        ..Default::default()
    };
    let found = rules_for(text, &ignore);
    assert!(
        !has(&found, "network/bind-all-interfaces") && !has(&found, "tls/not-enabled"),
        "{found:?}"
    );
    assert!(has(&found, "security/no-authentication"));
}

#[test]
fn profiles_change_durability_rules() {
    let text = "bind 127.0.0.1\nsave \"\"\n";
    let cache = LintSettings {
        profile: Some("cache".parse().unwrap()),
        ..Default::default()
    };
    let datastore = LintSettings {
        profile: Some("datastore".parse().unwrap()),
        ..Default::default()
    };
    assert!(!has(&rules_for(text, &cache), "persistence/no-persistence"));
    assert!(has(
        &rules_for(text, &datastore),
        "persistence/no-persistence"
    ));
}

#[test]
fn redlint_toml_is_found_above_the_file_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("deploy/redis");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::create_dir_all(dir.path().join("ops-rules")).unwrap();
    std::fs::write(
        dir.path().join("redlint.toml"),
        r#"
target-version = "6.2"
select = ["network", "custom"]
fail-on = "error"
rules = ["ops-rules"]

[severity]
"network/bind-all-interfaces" = "error"
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("ops-rules/custom.toml"),
        r#"
[[rule]]
id = "custom/port-default"
severity = "info"
summary = "default port"
at = "port"
when = { equals = { directive = "port", value = "6379" } }
message = "port is {value}"
rationale = "Use a non-default port here."
"#,
    )
    .unwrap();
    let conf = sub.join("redis.conf");
    // `latency-tracking` is 7.0+: the 6.2 target from redlint.toml makes it unknown.
    std::fs::write(&conf, "bind 0.0.0.0\nport 6379\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args(["check", conf.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let diags = v["files"][0]["diagnostics"].as_array().unwrap();
    let get = |id: &str| diags.iter().find(|d| d["rule"] == id).cloned();
    assert_eq!(
        get("network/bind-all-interfaces").expect("selected")["severity"],
        "error"
    );
    assert!(
        get("custom/port-default").is_some(),
        "user rule from the configured directory"
    );
    assert!(get("security/no-authentication").is_none(), "not selected");
    assert_eq!(o.status.code(), Some(1), "an error at fail-on = error");
    // The 6.2 target applies: a 7.0-only directive is unknown.
    std::fs::write(&conf, "latency-tracking yes\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args([
            "check",
            conf.to_str().unwrap(),
            "--select",
            "invalid",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["files"][0]["diagnostics"][0]["rule"],
        "invalid/unknown-directive"
    );
    // A broken redlint.toml is a usage error.
    std::fs::write(
        dir.path().join("redlint.toml"),
        "target-versoin = \"7.0\"\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args(["check", conf.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("target-versoin"));
}

#[test]
fn suppression_findings_obey_ignore_and_select() {
    let unused = "# redlint: disable-next-line network/bind-all-interfaces\nbind 127.0.0.1\n";
    let found = rules_for(unused, &LintSettings::default());
    assert!(has(&found, "meta/unused-suppression"), "{found:?}");
    // `--ignore meta/unused-suppression` silences it, like any other id.
    let ignore = LintSettings {
        ignore: vec!["meta/unused-suppression".into()],
        ..Default::default()
    };
    let found = rules_for(unused, &ignore);
    assert!(!has(&found, "meta/unused-suppression"), "{found:?}");
    // `--select X` runs only X: a suppression of another rule is not "unused", and the
    // suppression of X that silenced something is not reported either.
    let text = "# redlint: disable-next-line network/bind-all-interfaces\nbind 0.0.0.0\n\
                # redlint: disable-file tls/not-enabled\n";
    let select = LintSettings {
        select: vec!["network".into(), "meta".into()],
        ..Default::default()
    };
    let found = rules_for(text, &select);
    assert!(
        !has(&found, "meta/unused-suppression") && !has(&found, "network/bind-all-interfaces"),
        "{found:?}"
    );
    let only_tls = LintSettings {
        select: vec!["tls/not-enabled".into()],
        ..Default::default()
    };
    assert!(rules_for(text, &only_tls).is_empty());
}
