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

/// `environment/sentinel-script-writable` needs file modes git does not keep, so its inputs are
/// made here: a script anyone may write, or one in a directory anyone may write without the
/// sticky bit, is reported; a 755 script in a sticky world-writable directory is not.
#[test]
fn sentinel_scripts_anyone_can_change() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let check = |dir_mode: u32, file_mode: u32| {
        let dir = root.path().join(format!("d{dir_mode:o}-{file_mode:o}"));
        std::fs::create_dir(&dir).unwrap();
        let script = dir.join("notify.sh");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(file_mode)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(dir_mode)).unwrap();
        let text = format!(
            "sentinel monitor m 10.0.0.5 6379 2\nsentinel notification-script m {}\n",
            script.display()
        );
        let options = CheckOptions {
            target: "7.0".parse().unwrap(),
            ..Default::default()
        };
        let report = check_bytes(Path::new("sentinel.conf"), text.as_bytes(), &options).unwrap();
        assert!(report.first_invalid().is_none());
        let rules: Vec<String> = report.diagnostics.iter().map(|d| d.rule.clone()).collect();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        rules
    };
    let writable = "environment/sentinel-script-writable".to_string();
    assert!(check(0o755, 0o777).contains(&writable));
    assert!(check(0o777, 0o755).contains(&writable));
    assert!(!check(0o1777, 0o755).contains(&writable));
    assert!(!check(0o755, 0o755).contains(&writable));
    // Not executable: Sentinel exits, so it is the other finding.
    let plain = check(0o755, 0o644);
    assert!(!plain.contains(&writable));
    assert!(plain.contains(&"environment/sentinel-script-not-found".to_string()));
}
