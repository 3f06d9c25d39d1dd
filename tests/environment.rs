//! Paths that must exist on the server (data dir, modules, log directory) are checked against
//! this machine and reported as `environment/*` warnings, never as `invalid/*`.

use redlint::{CheckOptions, check_bytes};
use std::path::Path;

fn rules_for(text: &str) -> Vec<(String, usize)> {
    let dir = tempfile::tempdir().unwrap();
    let options = CheckOptions {
        target: "7.0".parse().unwrap(),
        cwd: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let report = check_bytes(Path::new("env.conf"), text.as_bytes(), &options)
        .expect("the target has a catalog");
    assert!(
        report.first_invalid().is_none(),
        "{text:?} must not be invalid"
    );
    report
        .diagnostics
        .iter()
        .map(|d| (d.rule.clone(), report.line(d)))
        .collect()
}

#[test]
fn missing_paths_are_environment_warnings() {
    let cases = [
        (
            "port 6379\ndir /nonexistent/redlint/dir\n",
            "environment/dir-not-found",
        ),
        (
            "loadmodule /nonexistent/redlint/mod.so\n",
            "environment/module-not-found",
        ),
        (
            "logfile /nonexistent/redlint/dir/r.log\n",
            "environment/logfile-unwritable",
        ),
    ];
    for (text, rule) in cases {
        let found = rules_for(text);
        let line = text.lines().count();
        assert!(
            found.contains(&(rule.to_string(), line)),
            "{text:?}: expected {rule} on line {line}, got {found:?}"
        );
    }
}

#[test]
fn existing_paths_are_fine() {
    let found = rules_for("dir .\nlogfile \"\"\n");
    assert!(
        !found.iter().any(|(r, _)| r.starts_with("environment/")),
        "{found:?}"
    );
}
