//! Which files a run checks: files named on the command line always; directories walked (in
//! parallel, honouring `.gitignore` and friends) for files whose names look like configs, and
//! Compose files, Dockerfiles, manifests and Helm values that mention the server.

use glob::Pattern;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The names picked in directories unless `redlint.toml` says otherwise (`config-files`).
pub const DEFAULT_CONFIG_FILES: &[&str] = &[
    "redis*.conf",
    "sentinel*.conf",
    "valkey*.conf",
    "*.redis.conf",
];

/// How much of a host file the walk looks at for a mention of the server.
const PEEK_BYTES: u64 = 256 << 10;

/// Whether a file the walk meets is a host file (by name) that mentions the server (in its
/// first bytes).
fn host_file(path: &Path) -> bool {
    use std::io::Read;
    if redlint::embedded::kind_by_name(path).is_none() {
        return false;
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(PEEK_BYTES).read_to_end(&mut head))
        .is_ok_and(|_| redlint::embedded::worth_reading(path, &head))
}

/// Expand the command line's paths into the files to check, in a stable order: named files as
/// given, then each directory's matches sorted by path. With `embedded`, host files that
/// mention the server are matches too.
pub fn expand(paths: &[PathBuf], globs: &[String], embedded: bool) -> Result<Vec<PathBuf>, String> {
    let patterns: Vec<Pattern> = globs
        .iter()
        .map(|g| Pattern::new(g).map_err(|e| format!("bad file pattern `{g}`: {e}")))
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" || !path.is_dir() {
            out.push(path.clone());
            continue;
        }
        let found = Mutex::new(Vec::new());
        ignore::WalkBuilder::new(path)
            .hidden(true)
            .require_git(false)
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    if let Ok(e) = entry
                        && e.file_type().is_some_and(|t| t.is_file())
                        && (matches(e.path(), &patterns) || (embedded && host_file(e.path())))
                    {
                        found
                            .lock()
                            .expect("the walker threads do not panic")
                            .push(e.into_path());
                    }
                    ignore::WalkState::Continue
                })
            });
        let mut found = found.into_inner().expect("the walker threads do not panic");
        found.sort();
        out.extend(found);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    Ok(out)
}

fn matches(path: &Path, patterns: &[Pattern]) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    patterns.iter().any(|p| p.matches(&name))
}
