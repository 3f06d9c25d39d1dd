//! What several tests share: the path to `../shared` data, which tests need in CI.

use std::path::{Path, PathBuf};

/// `../shared/<rel>` when it exists. Elsewhere the caller skips with a message, but with `CI`
/// set the data is required and its absence fails the test.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing but CI is set",
        path.display()
    );
    eprintln!("skipping: {} not found", path.display());
    None
}
