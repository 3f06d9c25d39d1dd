//! The hooks of `.pre-commit-hooks.yaml`, run for real by pre-commit on a temporary git repository
//! whose `.pre-commit-config.yaml` uses this checkout, at its HEAD commit, as the hook repository:
//! the hook fails on an insecure config and passes on a hardened one. Needs `git` and
//! `pre-commit` (installed from PyPI by `.ci/run`); skipped without them, failed without them when
//! `CI` is set. pre-commit builds redlint from source once per commit (its environments are kept
//! under the target directory).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `pre-commit`, or `python3 -m pre_commit` when the script is not on PATH.
fn pre_commit() -> Option<Vec<String>> {
    let works = |cmd: &[&str]| {
        Command::new(cmd[0])
            .args(&cmd[1..])
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works(&["pre-commit"]) {
        return Some(vec!["pre-commit".into()]);
    }
    if works(&["python3", "-m", "pre_commit"]) {
        return Some(vec!["python3".into(), "-m".into(), "pre_commit".into()]);
    }
    None
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// pre-commit's cache of hook environments, kept with the build so the hook builds once.
fn cache() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let target = if target.is_absolute() {
        target
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(target)
    };
    target.join("pre-commit-home")
}

fn head() -> String {
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn run_hook(cmd: &[String], repo: &Path, hook: &str) -> Output {
    run_in_stage(cmd, repo, hook, None)
}

fn run_hook_manual(cmd: &[String], repo: &Path, hook: &str) -> Output {
    run_in_stage(cmd, repo, hook, Some("manual"))
}

fn run_in_stage(cmd: &[String], repo: &Path, hook: &str, stage: Option<&str>) -> Output {
    Command::new(&cmd[0])
        .args(&cmd[1..])
        .args(["run", hook, "--files", "redis.conf"])
        .args(stage.map(|s| ["--hook-stage", s]).into_iter().flatten())
        .current_dir(repo)
        .env("PRE_COMMIT_HOME", cache())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn the_hook_fails_on_an_insecure_config_and_passes_on_a_hardened_one() {
    let Some(cmd) = pre_commit() else {
        assert!(!common::in_ci(), "pre-commit is missing but CI is set");
        eprintln!("skipping: pre-commit not found (pip install pre-commit)");
        return;
    };
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    git(
        repo.path(),
        &["config", "user.email", "test@redlint.invalid"],
    );
    git(repo.path(), &["config", "user.name", "redlint test"]);
    std::fs::write(
        repo.path().join(".pre-commit-config.yaml"),
        format!(
            "repos:\n- repo: {}\n  rev: {}\n  hooks:\n  - id: redlint\n  - id: redlint-fix\n    stages: [manual]\n",
            env!("CARGO_MANIFEST_DIR"),
            head()
        ),
    )
    .unwrap();
    std::fs::write(
        repo.path().join("redis.conf"),
        "bind 0.0.0.0\nprotected-mode no\n",
    )
    .unwrap();
    git(repo.path(), &["add", "redis.conf"]);
    let insecure = run_hook(&cmd, repo.path(), "redlint");
    let text = String::from_utf8_lossy(&insecure.stdout);
    assert!(!insecure.status.success(), "{text}");
    assert!(text.contains("network/bind-all-interfaces"), "{text}");

    let hardened =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats/hardened.conf"))
            .unwrap();
    std::fs::write(repo.path().join("redis.conf"), hardened).unwrap();
    // Its certificate files sit beside it, as on the server.
    let certs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats/tls");
    std::fs::create_dir_all(repo.path().join("tls")).unwrap();
    for name in ["redis.crt", "redis.key", "ca.crt"] {
        std::fs::copy(certs.join(name), repo.path().join("tls").join(name)).unwrap();
    }
    git(repo.path(), &["add", "redis.conf"]);
    let passing = run_hook(&cmd, repo.path(), "redlint");
    assert!(
        passing.status.success(),
        "{}{}",
        String::from_utf8_lossy(&passing.stdout),
        String::from_utf8_lossy(&passing.stderr)
    );

    // The fix hook rewrites what it safely can and fails, so the change is reviewed.
    std::fs::write(
        repo.path().join("redis.conf"),
        "bind 127.0.0.1\nslaveof 10.0.0.2 6379\n",
    )
    .unwrap();
    git(repo.path(), &["add", "redis.conf"]);
    let fixing = run_hook_manual(&cmd, repo.path(), "redlint-fix");
    assert!(!fixing.status.success());
    let fixed = std::fs::read_to_string(repo.path().join("redis.conf")).unwrap();
    assert!(fixed.contains("replicaof 10.0.0.2 6379"), "{fixed}");
}
