//! No secret reaches any output, in any form: every format's standard output and standard error
//! is searched for the secret of each case.

use std::path::Path;
use std::process::Command;

const FORMATS: &[&str] = &[
    "human", "concise", "json", "sarif", "github", "junit", "gitlab",
];

/// (config text, the secret it must never show, extra arguments)
const CASES: &[(&str, &str, &[&str])] = &[
    // Sentinel secrets, also with the master name missing.
    (
        "sentinel auth-pass Zq8vSecretOne1\n",
        "Zq8vSecretOne1",
        &["--sentinel"],
    ),
    ("sentinel auth-pass Zq8vSecretOne1\n", "Zq8vSecretOne1", &[]),
    (
        "sentinel monitor m 10.0.0.1 6379 2\nsentinel sentinel-pass Zq8vSecretTwo2\n",
        "Zq8vSecretTwo2",
        &["--sentinel"],
    ),
    (
        "sentinel monitor m 10.0.0.1 6379 2\nsentinel auth-user m Zq8vUserThree3\n",
        "Zq8vUserThree3",
        &["--sentinel"],
    ),
    (
        "sentinel sentinel-user Zq8vUserFour4\n",
        "Zq8vUserFour4",
        &["--sentinel"],
    ),
    // Mistyped secret directives.
    ("requirepas Zq8vSecretFive5\n", "Zq8vSecretFive5", &[]),
    ("masterauht Zq8vSecretSix6\n", "Zq8vSecretSix6", &[]),
    (
        "tls-key-file-pas Zq8vSecretSeven7\n",
        "Zq8vSecretSeven7",
        &[],
    ),
    (
        "usr app on >Zq8vSecretEight8 ~* +@all\n",
        "Zq8vSecretEight8",
        &[],
    ),
    // The password on the line after its directive.
    ("requirepass\nZq8vSecretNine9\n", "Zq8vSecretNine9", &[]),
    // A secret repeated in a comment shown as context.
    (
        "# the password is Zq8vSecretTen10 (do not share)\nrequirepass Zq8vSecretTen10\nbind 0.0.0.0\n",
        "Zq8vSecretTen10",
        &[],
    ),
    // An unbalanced quote in a secret line.
    (
        "requirepass \"Zq8vSecretEleven11\n",
        "Zq8vSecretEleven11",
        &[],
    ),
];

fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_redlint"))
        .arg("check")
        .args(["--target-version", "7.0"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn secrets_never_reach_any_format() {
    for (text, secret, extra) in CASES {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("redis.conf"), text).unwrap();
        for format in FORMATS {
            let mut args = vec!["redis.conf", "--format", format];
            args.extend_from_slice(extra);
            let out = run(dir.path(), &args);
            assert!(
                !out.contains(secret),
                "{format} {extra:?} shows `{secret}` of {text:?}:\n{out}"
            );
            // The mask does not tell the secret's length either.
            assert!(
                !out.contains(&"*".repeat(secret.len())),
                "{format}: a mask as long as the secret:\n{out}"
            );
        }
        // Nor do the fix diff and the statistics.
        for args in [
            &["redis.conf", "--diff", "--unsafe-fixes"][..],
            &["redis.conf", "--statistics"],
        ] {
            let mut args = args.to_vec();
            args.extend_from_slice(extra);
            let out = run(dir.path(), &args);
            assert!(!out.contains(secret), "{args:?} shows `{secret}`:\n{out}");
        }
    }
}

#[test]
fn control_bytes_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("redis.conf"),
        b"bind 0.0.0.0\x1b[2J\x07\x08\rhidden\nmaxmemroy\x1b]0;title\x07 1gb\n",
    )
    .unwrap();
    for format in ["human", "concise", "github"] {
        let out = Command::new(env!("CARGO_BIN_EXE_redlint"))
            .args([
                "check",
                "redis.conf",
                "--target-version",
                "7.0",
                "--format",
                format,
            ])
            .current_dir(dir.path())
            .output()
            .unwrap();
        for b in [0x1b, 0x07, 0x08, b'\r'] {
            assert!(
                !out.stdout.contains(&b),
                "{format}: byte {b:#x} reaches the terminal:\n{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}
