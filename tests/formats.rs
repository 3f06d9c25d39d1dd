//! Every `--format` on the same fixtures (`fixtures/formats/`): a snapshot of each, SARIF
//! validated against the SARIF 2.1.0 schema, secrets masked in all of them, only the document on
//! standard output, and the same exit statuses (0 clean, 1 findings, 2 usage error) for each.

use std::path::Path;
use std::process::{Command, Output};

const FORMATS: &[&str] = &[
    "human", "concise", "json", "sarif", "github", "junit", "gitlab",
];

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats")
}

fn redlint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redlint"))
        .arg("check")
        .args(["--target-version", "7.0"])
        .args(args)
        .current_dir(fixtures())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn each_format_renders_the_same_findings() {
    for format in FORMATS {
        let out = redlint(&["redis.conf", "broken.conf", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {out:?}");
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            !stdout.contains("hunter2secret"),
            "{format} shows the password"
        );
        insta::assert_snapshot!(format!("format__{format}"), stdout);
    }
}

#[test]
fn machine_formats_parse() {
    for format in ["json", "sarif", "gitlab"] {
        let out = redlint(&["redis.conf", "broken.conf", "--format", format]);
        let _: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{format}: not JSON: {e}"));
    }
    let json: serde_json::Value =
        serde_json::from_slice(&redlint(&["redis.conf", "--format", "json"]).stdout).unwrap();
    let summary = &json["summary"];
    assert_eq!(summary["files"], 1);
    assert!(summary["unsafe_fixable"].as_u64().unwrap() > 0, "{summary}");
    let with_fix = json["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "network/protected-mode-disabled")
        .unwrap();
    assert_eq!(with_fix["fix"]["applicability"], "unsafe");
    assert_eq!(with_fix["fix"]["edits"][0]["content"], "yes");
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // The official schema's `language` pattern has a stray `]` that the meta-schema's regex
    // format check rejects; formats are not what this test is about.
    let validator = jsonschema::options()
        .should_validate_formats(false)
        .build(&schema)
        .expect("the schema compiles");
    for files in [&["redis.conf", "broken.conf"][..], &["hardened.conf"][..]] {
        let mut args = files.to_vec();
        args.extend(["--format", "sarif"]);
        let doc: serde_json::Value = serde_json::from_slice(&redlint(&args).stdout).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{files:?}: {errors:#?}");
        // The validator does reject what is not SARIF 2.1.0.
        let mut wrong = doc.clone();
        wrong["version"] = "2.0.0".into();
        assert!(!validator.is_valid(&wrong));
        let run = &doc["runs"][0];
        // Rule metadata comes from the rule data; fixes ride along.
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert!(
            rules
                .iter()
                .all(|r| r["shortDescription"]["text"].is_string())
        );
        if files.len() == 2 {
            assert!(
                run["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r["fixes"].is_array())
            );
        }
    }
}

#[test]
fn exit_statuses_are_the_same_in_every_format() {
    for format in FORMATS {
        let clean = redlint(&["hardened.conf", "--format", format]);
        assert_eq!(clean.status.code(), Some(0), "{format}: {clean:?}");
        let findings = redlint(&["broken.conf", "--format", format]);
        assert_eq!(findings.status.code(), Some(1), "{format}");
        let usage = redlint(&["missing.conf", "--format", format]);
        assert_eq!(usage.status.code(), Some(2), "{format}");
        assert!(usage.stdout.is_empty(), "{format}: errors go to stderr");
        assert!(!usage.stderr.is_empty());
    }
}

#[test]
fn statistics_and_quiet() {
    let out = redlint(&["redis.conf", "--statistics"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("network/bind-all-interfaces"), "{text}");
    assert!(!text.contains("╭"), "no findings, only counts: {text}");
    let quiet = String::from_utf8(redlint(&["redis.conf", "--quiet"]).stdout).unwrap();
    assert!(!quiet.contains("file checked"), "{quiet}");
}
