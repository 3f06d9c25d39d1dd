//! A check never panics and its JSON parses; fixing twice changes nothing and adds no
//! `invalid/*`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redlint::autofix::{self, FixRequest};
use redlint::{Applicability, CheckOptions, LintSettings, builtin_rules};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let options = CheckOptions {
        target: "7.0".parse().unwrap(),
        cwd: Some(std::env::temp_dir()),
        ..Default::default()
    };
    let report = redlint::check_bytes(Path::new("fuzz.conf"), data, &options).unwrap();
    let json = redlint::report::Json::render(std::slice::from_ref(&report));
    serde_json::from_str::<serde_json::Value>(&json).unwrap();
    let rules = builtin_rules();
    let settings = LintSettings::default();
    let request = FixRequest {
        path: Path::new("fuzz.conf"),
        bytes: data,
        options: &options,
        settings: &settings,
        rules: &rules,
        threshold: Applicability::Unsafe,
        root_only: true,
    };
    if let Ok(fixed) = autofix::fix(&request) {
        assert!(fixed.report.first_invalid().is_none());
    }
});
