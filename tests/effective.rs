//! The effective configuration against what real servers ran with: the `[observed]` records of
//! `../shared/reference/redis-config-cases.toml` hold `CONFIG GET` values (and AUTH results)
//! read from 11 server builds after a full start. Each must match what redlint computes.

mod common;

use redlint::semantic::analyze;
use redlint::{CheckOptions, Version};
use toml::Value;

/// Version labels of the cases file → our versions (`8.0-m01` is our 8.0).
fn version_of(label: &str) -> Option<Version> {
    let v: Version = label.replace("-m01", "").parse().ok()?;
    redlint::catalog::available().contains(&v).then_some(v)
}

#[test]
fn effective_values_match_running_servers() {
    let Some(path) = common::shared("reference/redis-config-cases.toml") else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let observed = doc["observed"].as_table().unwrap();
    let (mut compared, mut skipped) = (0, Vec::new());
    let mut failures = Vec::new();
    for (id, case) in observed {
        let case = case.as_table().unwrap();
        if case.contains_key("args") || case.contains_key("argv") {
            skipped.push(format!("{id} (needs command-line options)"));
            continue;
        }
        let input = case["input"].as_str().unwrap();
        for (label, record) in case {
            let (Some(version), Some(record)) = (version_of(label), record.as_table()) else {
                continue;
            };
            if record.get("state").and_then(Value::as_str) != Some("running") {
                continue;
            }
            let dir = tempfile::tempdir().unwrap();
            let dir_str = dir.path().to_str().unwrap();
            if let Some(files) = case.get("extra_files").and_then(Value::as_table) {
                for (name, content) in files {
                    let p = dir.path().join(name);
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(p, content.as_str().unwrap().replace("{dir}", dir_str)).unwrap();
                }
            }
            // The servers ran `SERVER FILE --port 0 …`: command-line options are appended to
            // the file's text.
            let mut bytes = input.replace("{dir}", dir_str).into_bytes();
            bytes.extend_from_slice(b"\nport 0\n");
            let options = CheckOptions {
                target: version,
                cwd: Some(dir.path().to_path_buf()),
                ..Default::default()
            };
            let analysis = analyze(&dir.path().join("test.conf"), bytes.as_slice(), &options)
                .expect("the target has a catalog");
            assert!(
                !analysis
                    .diagnostics
                    .iter()
                    .any(|d| d.rule.starts_with("invalid/")),
                "{id} at {label}: the server ran it"
            );
            let config = &analysis.model;
            for (key, want) in record {
                let want = want.as_str().unwrap_or_default();
                let got = match key.as_str() {
                    "state" | "log" => continue,
                    "auth_ping" => {
                        // The server accepted AUTH with `auth_password`: that is requirepass.
                        let password = case["auth_password"].as_str().unwrap();
                        let ours = config
                            .get("requirepass")
                            .map(|s| s.args[0].to_vec())
                            .unwrap_or_default();
                        if ours != password.as_bytes() {
                            failures.push(format!(
                                "{id} at {label}: requirepass {ours:?}, server took {password:?}"
                            ));
                        }
                        compared += 1;
                        continue;
                    }
                    "client-output-buffer-limit" => {
                        skipped.push(format!(
                            "{id} {key} at {label} (printed per class in bytes)"
                        ));
                        continue;
                    }
                    _ if key.contains('.') => continue, // an extra file's name
                    other => config.server_value(other).unwrap_or_default(),
                };
                compared += 1;
                if got != want {
                    failures.push(format!(
                        "{id} at {label}: {key} = {got:?}, server ran with {want:?}"
                    ));
                }
            }
        }
    }
    println!(
        "{compared} effective values compared with running servers; skipped {}:",
        skipped.len()
    );
    for s in &skipped {
        println!("  {s}");
    }
    assert!(compared > 100, "too few comparisons: {compared}");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
