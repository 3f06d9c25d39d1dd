//! Bad input, table-driven: each case gets its exit status and a clear message, never a panic or
//! a hang, and no file is written or removed.

use std::path::Path;
use std::process::{Command, Output, Stdio};

struct Case {
    name: &'static str,
    /// Make the input in the directory; returns the arguments after `check`.
    setup: fn(&Path) -> Vec<String>,
    stdin: Option<fn() -> Vec<u8>>,
    status: i32,
    /// Text expected on standard output or standard error.
    says: &'static str,
}

fn file(dir: &Path, name: &str, bytes: &[u8]) -> Vec<String> {
    std::fs::write(dir.join(name), bytes).unwrap();
    vec![name.to_string()]
}

const BIG: usize = 65 * 1024 * 1024;

const CASES: &[Case] = &[
    Case {
        name: "compose file nested deeper than the YAML reader goes",
        setup: |d| {
            let deep = format!("services: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
            file(d, "compose.yml", deep.as_bytes())
        },
        stdin: None,
        status: 2,
        says: "compose.yml:1:",
    },
    Case {
        name: "compose file with an alias bomb",
        setup: |d| {
            let mut text =
                String::from("a: &a [redis, redis, redis, redis, redis, redis, redis, redis]\n");
            let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
            for w in names.windows(2) {
                let refs = vec![format!("*{}", w[0]); 9].join(", ");
                text.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
            }
            text.push_str("services:\n  x:\n    image: redis\n    command: *i\n");
            file(d, "compose.yml", text.as_bytes())
        },
        stdin: None,
        status: 2,
        says: "not valid YAML",
    },
    Case {
        name: "Dockerfile that is not UTF-8",
        setup: |d| {
            file(
                d,
                "Dockerfile",
                b"FROM redis\nCMD [\"redis-server\", \"\xff\"]\n",
            )
        },
        stdin: None,
        status: 2,
        says: "Dockerfile:2:",
    },
    Case {
        name: "empty",
        setup: |d| file(d, "redis.conf", b""),
        stdin: None,
        status: 1,
        says: "file checked",
    },
    Case {
        name: "only comments",
        setup: |d| file(d, "redis.conf", b"# a\n# b\n"),
        stdin: None,
        status: 1,
        says: "file checked",
    },
    Case {
        name: "binary",
        setup: |d| file(d, "redis.conf", &[0xff, 0xfe, 0, 1, 2, 0x1b, b'\n', 0x80]),
        stdin: None,
        status: 1,
        says: "invalid/",
    },
    Case {
        name: "invalid UTF-8 value",
        setup: |d| file(d, "redis.conf", b"logfile \xff\xfe.log\n"),
        stdin: None,
        status: 1,
        says: "file checked",
    },
    Case {
        name: "invalid UTF-8 name",
        setup: |d| file(d, "redis.conf", b"\xffport 1\n"),
        stdin: None,
        status: 1,
        says: "invalid/unknown-directive",
    },
    Case {
        name: "NUL",
        setup: |d| file(d, "redis.conf", b"hz 10\0x\nport 1\n"),
        stdin: None,
        status: 1,
        says: "syntax/nul-byte",
    },
    Case {
        name: "BOM",
        setup: |d| file(d, "redis.conf", b"\xef\xbb\xbfport 1\n"),
        stdin: None,
        status: 1,
        says: "invalid/byte-order-mark",
    },
    Case {
        name: "CR only",
        setup: |d| file(d, "redis.conf", b"port 1\rhz 10\r"),
        stdin: None,
        status: 1,
        says: "1 │",
    },
    Case {
        name: "100 MB line",
        setup: |d| file(d, "redis.conf", &vec![b'x'; BIG]),
        stdin: None,
        status: 2,
        says: "larger than",
    },
    Case {
        name: "100 MB line on stdin",
        setup: |_| vec!["-".into()],
        stdin: Some(|| vec![b'x'; BIG]),
        status: 2,
        says: "larger than",
    },
    Case {
        name: "1 000 000 lines",
        setup: |d| file(d, "redis.conf", "# c\n".repeat(1_000_000).as_bytes()),
        stdin: None,
        status: 1,
        says: "file checked",
    },
    Case {
        name: "missing",
        setup: |_| vec!["missing.conf".into()],
        stdin: None,
        status: 2,
        says: "missing.conf",
    },
    Case {
        name: "one missing among others",
        setup: |d| {
            let mut args = file(d, "redis.conf", b"bind 0.0.0.0\n");
            args.push("missing.conf".into());
            args
        },
        stdin: None,
        status: 2,
        says: "bind-all-interfaces",
    },
    Case {
        name: "directory with no config",
        setup: |_| vec![".".into()],
        stdin: None,
        status: 0,
        says: "no config files",
    },
    Case {
        name: "/dev/zero",
        setup: |_| vec!["/dev/zero".into()],
        stdin: None,
        status: 2,
        says: "not a regular file",
    },
    Case {
        name: "FIFO",
        setup: |d| {
            let fifo = d.join("redis.conf");
            let ok = Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "mkfifo");
            vec!["redis.conf".into()]
        },
        stdin: None,
        status: 2,
        says: "FIFO",
    },
    Case {
        name: "include cycle",
        setup: |d| file(d, "redis.conf", b"include redis.conf\n"),
        stdin: None,
        status: 1,
        says: "invalid/include-cycle",
    },
    Case {
        name: "include of a file that is no config",
        setup: |d| {
            std::fs::write(d.join("shadow"), "root:$6$salt$hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n").unwrap();
            file(d, "redis.conf", b"include shadow\n")
        },
        stdin: None,
        status: 1,
        says: "is not a Redis config",
    },
    Case {
        name: "glob of 10 000 files",
        setup: |d| {
            std::fs::create_dir(d.join("many")).unwrap();
            for i in 0..10_000 {
                std::fs::write(d.join(format!("many/{i}.conf")), "hz 10\n").unwrap();
            }
            file(d, "redis.conf", b"include many/*.conf\n")
        },
        stdin: None,
        status: 1,
        says: "matches more than",
    },
    Case {
        name: "symlink loop",
        setup: |d| {
            std::os::unix::fs::symlink(d.join("b.conf"), d.join("a.conf")).unwrap();
            std::os::unix::fs::symlink(d.join("a.conf"), d.join("b.conf")).unwrap();
            vec!["a.conf".into()]
        },
        stdin: None,
        status: 2,
        says: "symbolic links",
    },
    Case {
        name: "malformed redlint.toml",
        setup: |d| {
            std::fs::write(d.join("redlint.toml"), "select = [\n").unwrap();
            file(d, "redis.conf", b"port 1\n")
        },
        stdin: None,
        status: 2,
        says: "redlint.toml",
    },
    Case {
        name: "malformed rule file",
        setup: |d| {
            std::fs::create_dir(d.join("rules")).unwrap();
            std::fs::write(d.join("rules/x.toml"), "[[rule]]\nid = 3\n").unwrap();
            let mut args = file(d, "redis.conf", b"port 1\n");
            args.extend(["--rules".into(), "rules".into()]);
            args
        },
        stdin: None,
        status: 2,
        says: "x.toml",
    },
    Case {
        name: "unknown target version",
        setup: |d| {
            let mut args = file(d, "redis.conf", b"port 1\n");
            args.extend(["--target-version".into(), "9.9".into()]);
            args
        },
        stdin: None,
        status: 2,
        says: "9.9",
    },
];

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = if p.is_file() && !name.ends_with(".conf") {
                std::fs::read(&p).unwrap_or_default()
            } else {
                Vec::new()
            };
            (name, bytes)
        })
        .collect();
    out.sort();
    out
}

fn run(dir: &Path, args: &[String], stdin: Option<Vec<u8>>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_redlint"));
    cmd.arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !args.iter().any(|a| a == "--target-version") {
        cmd.args(["--target-version", "7.0"]);
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        if let Some(bytes) = stdin {
            let _ = input.write_all(&bytes);
        }
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    out
}

#[test]
fn bad_input_gets_a_clear_answer() {
    for case in CASES {
        let dir = tempfile::tempdir().unwrap();
        let args = (case.setup)(dir.path());
        let before = listing(dir.path());
        let out = run(dir.path(), &args, case.stdin.map(|f| f()));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            out.status.code(),
            Some(case.status),
            "{}: {text}",
            case.name
        );
        assert!(
            text.contains(case.says),
            "{}: expected `{}` in:\n{}",
            case.name,
            case.says,
            &text[..text.len().min(2000)]
        );
        assert!(!text.contains("panicked"), "{}: {text}", case.name);
        assert!(
            out.stdout.len() < 1_000_000,
            "{}: {} bytes of output",
            case.name,
            out.stdout.len()
        );
        assert_eq!(listing(dir.path()), before, "{}: files changed", case.name);
    }
}

/// A file the user may not read: exit 2 and its name. The tests often run as root, who reads
/// everything, so then the check runs as `nobody` (through `setpriv`).
#[test]
fn an_unreadable_file_is_named() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.path().join("secret.conf");
    std::fs::write(&path, "requirepass hunter2hunter2\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let root = std::fs::metadata("/proc/self").unwrap().uid() == 0;
    let mut cmd = if root {
        // A copy nobody may run: the build tree may sit in a directory only root can enter.
        let bin = dir.path().join("redlint");
        std::fs::copy(env!("CARGO_BIN_EXE_redlint"), &bin).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_redlint"))
    };
    cmd.args(["check", "--target-version", "7.0"])
        .arg(&path)
        .current_dir(dir.path())
        .env("NO_COLOR", "1");
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) if root && std::env::var_os("CI").is_none_or(|v| v.is_empty()) => {
            eprintln!("skipped: running as root and setpriv is not available ({e})");
            return;
        }
        Err(e) => panic!("cannot run the check as another user: {e}"),
    };
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("secret.conf"), "{text}");
    assert!(text.to_lowercase().contains("permission denied"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(out.stdout.is_empty() || !String::from_utf8_lossy(&out.stdout).contains("hunter2"));
}

#[test]
fn library_entry_points_refuse_input_over_the_read_limit() {
    let options = redlint::semantic::CheckOptions::default();
    for name in ["redis.conf", "compose.yml"] {
        let bytes = b"# c\n".repeat(BIG / 4 + 1);
        let len = bytes.len() as u64;
        match redlint::check_bytes(Path::new(name), bytes, &options) {
            Err(redlint::Error::TooLarge { path, len: got, .. }) => {
                assert_eq!(path, Path::new(name));
                assert_eq!(got, len);
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// Every directive of every catalog, alone on its line, with one empty value and with two, in
/// the file and in sentinel mode: a verdict each time, never a panic (Valkey 8.1's `rdma-bind`
/// alone once indexed a value it did not have).
#[test]
fn every_directive_with_no_or_empty_values_gets_a_verdict() {
    let dir = tempfile::tempdir().unwrap();
    for version in redlint::catalog::available() {
        let catalog = redlint::catalog::Catalog::load(version).unwrap();
        let mut text = String::new();
        for (name, _) in catalog.directives() {
            text.push_str(&format!("{name}\n{name} \"\"\n{name} \"\" \"\"\n"));
        }
        for sentinel in [false, true] {
            let options = redlint::CheckOptions {
                target: version,
                cwd: Some(dir.path().to_path_buf()),
                sentinel: Some(sentinel),
                template: Some(false),
                ..Default::default()
            };
            let report =
                redlint::check_bytes(Path::new("each.conf"), text.as_bytes(), &options).unwrap();
            assert!(
                report.first_invalid().is_some(),
                "{version}: so many empty values and none refused?"
            );
        }
    }
}
