//! The fuzz properties of `fuzz/` (which needs nightly and cargo-fuzz), run on stable for a fixed
//! budget: random configs made of real directive lines and junk bytes never make a check panic,
//! always give JSON that parses, and fixing them settles with no new `invalid/*`. Run longer
//! with `PROPTEST_CASES=100000 cargo test --release --test fuzz_stable`.

use proptest::prelude::*;
use redlint::autofix::{self, FixRequest};
use redlint::{Applicability, CheckOptions, LintSettings, builtin_rules};
use std::path::Path;

const PIECES: &[&[u8]] = &[
    b"bind 0.0.0.0",
    b"bind 127.0.0.1 -::1",
    b"port 6379",
    b"requirepass foobared",
    b"requirepass",
    b"user default on nopass ~* +@all",
    b"user app on >pw (~x +get)",
    b"maxmemory 2GiB",
    b"maxmemory 1gb",
    b"save 900 1",
    b"save \"\"",
    b"include x.conf",
    b"rename-command CONFIG \"\"",
    b"slaveof 10.0.0.1 6379",
    b"hz 0",
    b"# comment",
    b"\"unbalanced",
    b"tls-port 6380",
    b"appendonly yes",
    b"\0",
    b"\r",
    b"\xef\xbb\xbf",
    b"\x1b[2J",
    b"a.b 1",
    b"sentinel monitor m 1.2.3.4 6379 2",
    b"dir /nonexistent",
];

fn config() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            (0..PIECES.len()).prop_map(|i| PIECES[i].to_vec()),
            proptest::collection::vec(any::<u8>(), 0..12),
        ],
        0..16,
    )
    .prop_map(|lines| lines.join(&b'\n'))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn checks_and_fixes_hold_up(bytes in config()) {
        let dir = tempfile::tempdir().unwrap();
        let options = CheckOptions {
            target: "7.0".parse().unwrap(),
            cwd: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let report = redlint::check_bytes(Path::new("f.conf"), bytes.as_slice(), &options).unwrap();
        let json = redlint::report::Json::render(std::slice::from_ref(&report));
        prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
        let rules = builtin_rules();
        let settings = LintSettings::default();
        let request = FixRequest {
            path: Path::new("f.conf"),
            bytes: &bytes,
            options: &options,
            settings: &settings,
            rules: &rules,
            threshold: Applicability::Unsafe,
            root_only: true,
        };
        match autofix::fix(&request) {
            Ok(fixed) => prop_assert!(fixed.report.first_invalid().is_none()),
            Err(autofix::FixError::Invalid { .. } | autofix::FixError::NotAConfig { .. }) => {}
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}
