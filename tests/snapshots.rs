//! Snapshots of the rendered diagnostics for the invalid fixtures (`fixtures/invalid/`).
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test snapshots`).

use redlint::{CheckOptions, LintSettings, builtin_rules, lint_bytes};
use std::path::Path;

#[test]
fn invalid_fixtures_render() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("fixtures/invalid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the invalid fixtures in {}",
        dir.display()
    );
    let settings = LintSettings {
        select: vec!["invalid".into(), "syntax".into()],
        ..Default::default()
    };
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let shown = Path::new("fixtures/invalid").join(&name);
        let options = CheckOptions {
            target: "7.0".parse().unwrap(),
            cwd: Some(dir.clone()),
            ..Default::default()
        };
        let report = lint_bytes(
            &shown,
            bytes.as_slice(),
            &options,
            &settings,
            &builtin_rules(),
        )
        .expect("the target has a catalog");
        assert!(
            report.first_invalid().is_some(),
            "{name}: redis-server 7.0 rejects it, redlint must too"
        );
        let rendered = redlint::report::Human {
            color: false,
            width: 100,
            quiet: false,
        }
        .render(&report);
        insta::assert_snapshot!(name, rendered);
    }
}
