//! `redlint check --fix / --diff` from the command line: exit statuses, and files left exactly as
//! they were whenever nothing may be written.

use std::path::Path;
use std::process::{Command, Output};

fn redlint(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_redlint"));
    cmd.arg("check")
        .args(["--target-version", "7.0"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1");
    match stdin {
        None => cmd.output().unwrap(),
        Some(input) => {
            use std::io::Write;
            let mut child = cmd
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(input).unwrap();
            child.wait_with_output().unwrap()
        }
    }
}

const INSECURE: &[u8] = b"bind 0.0.0.0\nprotected-mode no\n";

fn setup(text: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redis.conf");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn fix_writes_and_reports_what_is_left() {
    let (dir, path) = setup(INSECURE);
    let out = redlint(dir.path(), &["redis.conf", "--fix"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Only safe fixes without --unsafe-fixes: the risky lines stay.
    assert!(stdout.contains(" fixed (0 unsafe), "), "{stdout}");
    assert_eq!(std::fs::read(&path).unwrap(), INSECURE);
    let out = redlint(dir.path(), &["redis.conf", "--fix", "--unsafe-fixes"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("remaining"), "{stdout}");
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(
        fixed.starts_with("bind 127.0.0.1 -::1\nprotected-mode yes\n"),
        "{fixed}"
    );
}

#[test]
fn diff_writes_nothing_and_exits_one_when_there_is_something_to_fix() {
    let (dir, path) = setup(INSECURE);
    let out = redlint(
        dir.path(),
        &["redis.conf", "--diff", "--unsafe-fixes"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-bind 0.0.0.0") && diff.contains("+bind 127.0.0.1 -::1"),
        "{diff}"
    );
    // The generated password is masked.
    assert!(diff.contains("********"), "{diff}");
    assert_eq!(std::fs::read(&path).unwrap(), INSECURE);
    // Nothing to fix: empty diff, exit 0.
    let (dir, _) = setup(b"# nothing\n");
    let out = redlint(
        dir.path(),
        &[
            "redis.conf",
            "--diff",
            "--select",
            "network/bind-all-interfaces",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty());
}

#[test]
fn standard_input_is_fixed_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = redlint(
        dir.path(),
        &["-", "--fix", "--unsafe-fixes"],
        Some(INSECURE),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("bind 127.0.0.1 -::1\n"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("remaining"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn refusals_exit_two_and_leave_the_file_alone() {
    // A read-only file.
    let (dir, path) = setup(INSECURE);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).unwrap();
    let out = redlint(dir.path(), &["redis.conf", "--fix", "--unsafe-fixes"], None);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not writable"));
    assert_eq!(std::fs::read(&path).unwrap(), INSECURE);
    // A bad parameter value, and a parameter that is no directive.
    for param in ["maxmemory=lots", "maxmemroy=1gb"] {
        let (dir, path) = setup(INSECURE);
        let out = redlint(
            dir.path(),
            &["redis.conf", "--fix", "--unsafe-fixes", "--param", param],
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{param}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--param"));
        assert_eq!(std::fs::read(&path).unwrap(), INSECURE);
    }
}

#[test]
fn a_file_redis_server_rejects_is_reported_not_fixed() {
    let text = b"bind 0.0.0.0\nmaxmemory 2GiB\n";
    let (dir, path) = setup(text);
    let out = redlint(dir.path(), &["redis.conf", "--fix", "--unsafe-fixes"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not fixing"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("invalid/bad-value"));
    assert_eq!(std::fs::read(&path).unwrap(), text);
}

#[cfg(unix)]
#[test]
fn a_symlink_stays_a_symlink() {
    let (dir, target) = setup(INSECURE);
    let link = dir.path().join("link.conf");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = redlint(dir.path(), &["link.conf", "--fix", "--unsafe-fixes"], None);
    assert_ne!(out.status.code(), Some(2), "{out:?}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .starts_with("bind 127.0.0.1")
    );
}

#[test]
fn parameters_come_from_redlint_toml_too() {
    let (dir, path) = setup(b"bind 127.0.0.1\n");
    std::fs::write(
        dir.path().join("redlint.toml"),
        "[params]\nmaxmemory = \"512mb\"\n\n[params.\"security/weak-password\"]\nmin_length = 20\n",
    )
    .unwrap();
    let out = redlint(
        dir.path(),
        &[
            "redis.conf",
            "--fix",
            "--unsafe-fixes",
            "--select",
            "memory",
        ],
        None,
    );
    assert_ne!(out.status.code(), Some(2), "{out:?}");
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(fixed.contains("maxmemory 512mb\n"), "{fixed}");
}
