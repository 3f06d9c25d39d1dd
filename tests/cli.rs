//! The command line: exit statuses, formats, stdin, and bad input.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn redlint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn rules_in(v: &serde_json::Value) -> Vec<String> {
    v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

fn stock(name: &str) -> Option<PathBuf> {
    common::shared(&format!("corpus/upstream/{name}"))
}

#[test]
fn sample_reports_and_exits_one() {
    let o = redlint(&["check", "fixtures/sample.conf", "--target-version", "7.0"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("invalid/bad-value"));
    assert!(stdout(&o).contains("file checked"));
}

#[test]
fn json_shape_is_stable() {
    let o = redlint(&[
        "check",
        "fixtures/invalid/inline-comment.conf",
        "--target-version",
        "7.0",
        "--format",
        "json",
    ]);
    let v = json(&o);
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(
        v["files"][0]["path"],
        "fixtures/invalid/inline-comment.conf"
    );
    assert_eq!(d["rule"], "invalid/wrong-arity");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(d["end_line"], 1);
    assert_eq!(d["end_column"].as_u64(), Some(57));
    assert!(d["message"].as_str().unwrap().contains("maxmemory-policy"));
}

#[test]
fn fail_on_threshold_sets_the_status() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ok.conf");
    std::fs::write(
        &path,
        "bind 127.0.0.1 -::1\nrequirepass \"Jn4%tW8-Lc1@xB5-rF9q\"\nmaxmemory 1gb\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    assert_eq!(
        redlint(&["check", p, "--target-version", "7.0", "--fail-on", "error"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        redlint(&["check", p, "--target-version", "7.0", "--fail-on", "info"])
            .status
            .code(),
        Some(1)
    );
    let only_invalid = redlint(&[
        "check",
        p,
        "--target-version",
        "7.0",
        "--select",
        "invalid",
        "--fail-on",
        "info",
    ]);
    assert_eq!(
        only_invalid.status.code(),
        Some(0),
        "{}",
        stdout(&only_invalid)
    );
}

#[test]
fn reads_standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args(["check", "-", "--target-version", "7.0", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"maxmemroy 1mb\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["files"][0]["path"], "<stdin>");
    assert!(rules_in(&v).contains(&"invalid/unknown-directive".to_string()));
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    // A directory with no config in it: checked (nothing found), and said so.
    let o = redlint(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("no config files"), "{}", stderr(&o));
    // A missing file.
    let o = redlint(&["check", "/nonexistent/redlint.conf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/redlint.conf"),
        "{}",
        stderr(&o)
    );
    // A binary file: diagnostics, no panic.
    let bin = dir.path().join("bin.conf");
    let bytes: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&bin, &bytes).unwrap();
    let o = redlint(&["check", bin.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        rules_in(&json(&o))
            .iter()
            .any(|r| r.starts_with("invalid/"))
    );
    // A 100 MB single line: refused with a clear message.
    let big = dir.path().join("big.conf");
    let mut f = std::fs::File::create(&big).unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    drop(f);
    let o = redlint(&["check", big.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bytes"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    // An unknown version and an unknown rule selector.
    assert_eq!(
        redlint(&["check", "fixtures/sample.conf", "--target-version", "9.9"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        redlint(&["check", "fixtures/sample.conf", "--select", "nosuch/rule"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn stock_7_4_is_valid_for_7_4_and_not_for_6_0() {
    let Some(path) = stock("redis-7.4.1.conf") else {
        return;
    };
    let p = path.to_str().unwrap();
    let v = json(&redlint(&[
        "check",
        p,
        "--target-version",
        "7.4",
        "--format",
        "json",
    ]));
    assert!(
        !rules_in(&v).iter().any(|r| r.starts_with("invalid/")),
        "{:?}",
        rules_in(&v)
    );
    let v = json(&redlint(&[
        "check",
        p,
        "--target-version",
        "6.0",
        "--format",
        "json",
    ]));
    let unknown: Vec<&str> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "invalid/unknown-directive")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    for name in [
        "set-proc-title",
        "locale-collate",
        "appenddirname",
        "list-max-listpack-size",
    ] {
        assert!(
            unknown.iter().any(|m| m.contains(&format!("`{name}`"))),
            "{name} should be unknown for 6.0: {unknown:?}"
        );
    }
}

#[test]
fn rules_and_explain() {
    let o = redlint(&["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for id in [
        "network/bind-all-interfaces",
        "security/no-authentication",
        "invalid/wrong-arity",
    ] {
        assert!(out.contains(id), "{id}");
    }
    let o = redlint(&["explain", "network/bind-all-interfaces"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("Why:") && out.contains("Fix (unsafe") && out.contains("Sources:"),
        "{out}"
    );
    // A fix declared without actions is advice: it says so instead of promising an edit.
    let out = stdout(&redlint(&["explain", "persistence/no-persistence"]));
    assert!(out.contains("Fix (display-only"), "{out}");
    assert_eq!(redlint(&["explain", "no/such"]).status.code(), Some(2));
}

#[test]
fn secrets_never_reach_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.conf");
    std::fs::write(
        &path,
        "requirepass foobared\nmasterauth \"hunter2 x\" extra\nuser app on >s3cr3tpw ~* +@all\n",
    )
    .unwrap();
    for format in ["human", "json"] {
        let o = redlint(&["check", path.to_str().unwrap(), "--format", format]);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        for secret in ["foobared", "hunter2", "s3cr3tpw"] {
            assert!(
                !all.contains(secret),
                "{format} output leaks {secret}:\n{all}"
            );
        }
    }
}

#[test]
fn directories_are_walked_for_configs_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("redis.conf", "bind 0.0.0.0\n");
    write("nested/deep/valkey-prod.conf", "bind 0.0.0.0\n");
    write("nested/app.redis.conf", "bind 0.0.0.0\n");
    write("sentinel-26379.conf", "port 26379\n");
    write("notes.txt", "bind 0.0.0.0\n");
    write("other.conf", "bind 0.0.0.0\n");
    write(".gitignore", "ignored/\n");
    write("ignored/redis-ignored.conf", "bind 0.0.0.0\n");
    // Included by redis-main.conf: reported once, within it.
    write("redis-main.conf", "include redis-part.conf\n");
    write("redis-part.conf", "bind 0.0.0.0\n");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_redlint"))
            .args(["check", ".", "--target-version", "7.0", "--format", "json"])
            .current_dir(root)
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<String> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .trim_start_matches("./")
                .to_string()
        })
        .collect();
    assert_eq!(
        paths,
        [
            "nested/app.redis.conf",
            "nested/deep/valkey-prod.conf",
            "redis-main.conf",
            "redis.conf",
            "sentinel-26379.conf"
        ],
        "{paths:?}"
    );
    // The same order every time, whatever the threads do.
    assert_eq!(run().stdout, out.stdout);
    // A file named explicitly is checked whatever its name.
    let named = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args([
            "check",
            "other.conf",
            "--target-version",
            "7.0",
            "--format",
            "concise",
        ])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&named.stdout).contains("other.conf:1:1"));
}

#[test]
fn stdin_filename_names_standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args([
            "check",
            "-",
            "--stdin-filename",
            "conf/redis.conf",
            "--format",
            "concise",
        ])
        .args(["--target-version", "7.0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"bind 0.0.0.0\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("conf/redis.conf:"),
        "{out:?}"
    );
}

#[test]
fn completions_and_init() {
    let out = redlint(&["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("redlint"));
    let dir = tempfile::tempdir().unwrap();
    let init = || {
        Command::new(env!("CARGO_BIN_EXE_redlint"))
            .arg("init")
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    assert_eq!(init().status.code(), Some(0));
    let text = std::fs::read_to_string(dir.path().join("redlint.toml")).unwrap();
    assert!(text.contains("target-version"));
    // The starter file is valid settings.
    std::fs::write(dir.path().join("redis.conf"), "bind 127.0.0.1\n").unwrap();
    let check = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args(["check", "redis.conf"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_ne!(check.status.code(), Some(2), "{check:?}");
    // It does not overwrite an existing file.
    assert_eq!(init().status.code(), Some(2));
}

/// An id that moved (`cluster/bus-port-out-of-range` became a validity check) still works in
/// `--ignore` and in suppression comments, with a note on standard error.
#[test]
fn moved_ids_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    let text = "bind 127.0.0.1\ncluster-enabled yes\nport 60000\n";
    std::fs::write(&conf, text).unwrap();
    let path = conf.to_str().unwrap();
    let found = |o: &Output| {
        rules_in(&json(o)).contains(&"invalid/cluster-bus-port-out-of-range".to_string())
    };
    assert!(found(&redlint(&[
        "check",
        "--format",
        "json",
        "--target-version",
        "7.0",
        path
    ])));
    let ignored = redlint(&[
        "check",
        "--format",
        "json",
        "--target-version",
        "7.0",
        "--ignore",
        "cluster/bus-port-out-of-range",
        path,
    ]);
    assert!(!found(&ignored));
    assert!(stderr(&ignored).contains("is now `invalid/cluster-bus-port-out-of-range`"));
    std::fs::write(
        &conf,
        format!("# redlint: disable-file cluster/bus-port-out-of-range\n{text}"),
    )
    .unwrap();
    let suppressed = redlint(&["check", "--format", "json", "--target-version", "7.0", path]);
    assert!(!found(&suppressed));
    assert!(
        !rules_in(&json(&suppressed))
            .iter()
            .any(|r| r.starts_with("meta/"))
    );
}
