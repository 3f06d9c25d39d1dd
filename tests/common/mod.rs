//! The one lookup of `../shared` test data, for every test binary (`support/` re-exports it).
#![allow(dead_code)]

pub mod fixtures;
pub mod oracles;
pub mod server;

use std::path::{Path, PathBuf};

/// The shared data directory: `$REDLINT_SHARED`, else `../shared` beside the checkout.
pub fn shared_root() -> PathBuf {
    match std::env::var_os("REDLINT_SHARED") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    }
}

/// Whether the tests run in CI (`CI` set to anything but the empty string).
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// `<shared>/<rel>` when it exists. Elsewhere the caller skips with a message, but in CI the
/// data is required and its absence fails the test.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = shared_root().join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(!in_ci(), "{} is missing but CI is set", path.display());
    eprintln!("skipping: {} not found", path.display());
    None
}
