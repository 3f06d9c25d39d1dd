//! Spans point into the bytes on disk: the file and line a person opens, whatever redis-server
//! glued together (NUL bytes, glob includes); and redis-server's own numbering where it differs.

use redlint::report::{Human, Json, Reporter};
use redlint::{CheckOptions, check_bytes};
use std::path::Path;

fn options(dir: &Path) -> CheckOptions {
    CheckOptions {
        target: "7.0".parse().unwrap(),
        cwd: Some(dir.to_path_buf()),
        ..Default::default()
    }
}

#[test]
fn a_nul_byte_keeps_the_disk_bytes_and_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nul.conf");
    let bytes = b"port 6379\nmaxmemory 1gb\0junk\nbind 127.0.0.1\nhz x\n";
    std::fs::write(&path, bytes).unwrap();
    let report = check_bytes(&path, bytes, &options(dir.path())).unwrap();
    let arity = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "invalid/wrong-arity")
        .expect("the glued line has two values");
    let span = arity.primary.as_ref().unwrap();
    assert_eq!(
        &bytes[span.range.clone()],
        b"maxmemory 1gb\0junk\nbind 127.0.0.1"
    );
    assert_eq!((report.line(arity), report.server_line(arity)), (2, 2));
    // After the glued line the real line numbers go on; redis-server counts one less.
    let hz = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("`hz`"))
        .unwrap();
    assert_eq!((report.line(hz), report.server_line(hz)), (4, 3));
    // The snippet is the file as it is on disk.
    let human = Human {
        color: false,
        width: 100,
        quiet: false,
    }
    .render(&report);
    assert!(human.contains("4 │ hz x"), "{human}");
    assert!(human.contains("3 │ bind 127.0.0.1"), "{human}");
}

#[test]
fn a_glob_include_names_the_matched_file_and_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    std::fs::write(dir.path().join("conf.d/a.conf"), "# a\nhz 10\n").unwrap();
    std::fs::write(dir.path().join("conf.d/b.conf"), "maxmemory 2GiB\n").unwrap();
    let path = dir.path().join("redis.conf");
    let bytes = b"port 6379\ninclude conf.d/*.conf\n";
    let report = check_bytes(&path, bytes, &options(dir.path())).unwrap();
    let first = report.first_invalid().expect("2GiB is rejected");
    let at = report.location(first);
    assert!(at.file.ends_with("conf.d/b.conf"), "{}", at.file.display());
    assert_eq!((at.line, at.column), (1, 11));
    // redis-server parses the matches as one buffer: b.conf's line 1 is its line 3.
    assert_eq!(report.server_line(first), 3);
    let json = Json::render(std::slice::from_ref(&report));
    assert!(json.contains("conf.d/b.conf\""), "{json}");
    assert!(!json.contains("*.conf\""), "{json}");
}

#[test]
fn a_parse_error_comes_before_a_module_config_abort() {
    // redis-server reads the whole file before it looks for the module of `a.b` configs, so
    // the unknown directive further down is what it reports (7.4 names line 3 here).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redis.conf");
    let bytes = b"port 6379\nstdout_logfile=/var/log/redis.log notice\nactive-expire-fraction 20\n";
    let options = CheckOptions {
        target: "7.4".parse().unwrap(),
        ..options(dir.path())
    };
    let report = check_bytes(&path, bytes, &options).unwrap();
    let first = report.first_invalid().unwrap();
    assert_eq!(
        (first.rule.as_str(), report.line(first)),
        ("invalid/unknown-directive", 3)
    );
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.rule == "invalid/module-config-without-module")
    );
    // People read the findings top to bottom; the summary names the line the server stops at.
    let mut out = Vec::new();
    Human {
        color: false,
        width: 100,
        quiet: false,
    }
    .report(std::slice::from_ref(&report), &mut out)
    .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("redis-server would refuse to start: ")
            && out.contains("redis.conf:3: invalid/unknown-directive"),
        "{out}"
    );
}

#[test]
fn an_unsupported_version_is_an_error_not_a_panic() {
    let options = CheckOptions {
        target: "9.9".parse().unwrap(),
        ..Default::default()
    };
    let result = check_bytes(Path::new("x.conf"), b"port 6379\n", &options);
    assert!(
        matches!(result, Err(redlint::Error::Catalog(_))),
        "{result:?}"
    );
}
