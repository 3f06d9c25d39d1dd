//! Which files a run checks: files named on the command line always; directories walked (in
//! parallel, honouring `.gitignore` and friends) for files whose names look like configs.

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

/// Expand the command line's paths into the files to check, in a stable order: named files as
/// given, then each directory's matches sorted by path.
pub fn expand(paths: &[PathBuf], globs: &[String]) -> Result<Vec<PathBuf>, String> {
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
                        && matches(e.path(), &patterns)
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
