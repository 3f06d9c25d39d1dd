//! Rule fixtures: `fixtures/rules/<category>/<name>/trigger*.conf` and `clean*.conf`. A first
//! line `# redlint-test: target=7.0 profile=datastore` chooses the target version (default 7.0)
//! and profile. Included files in the same directory end in `.inc`.

use redlint::ruleset::raw::Profile;
use redlint::version::Version;
use std::path::{Path, PathBuf};

pub struct Case {
    pub path: PathBuf,
    pub trigger: bool,
    pub target: Version,
    pub profile: Option<Profile>,
}

pub fn cases(dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".conf") {
            continue;
        }
        let trigger = if name.starts_with("trigger") {
            true
        } else if name.starts_with("clean") {
            false
        } else {
            panic!(
                "{}: fixture names start with trigger or clean",
                path.display()
            );
        };
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut target: Version = "7.0".parse().unwrap();
        let mut profile = None;
        if let Some(header) = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# redlint-test:"))
        {
            for kv in header.split_whitespace() {
                match kv.split_once('=') {
                    Some(("target", v)) => {
                        target = v
                            .parse()
                            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                    }
                    Some(("profile", v)) => {
                        profile = Some(
                            v.parse()
                                .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
                        )
                    }
                    _ => panic!("{}: bad redlint-test header `{kv}`", path.display()),
                }
            }
        }
        out.push(Case {
            path,
            trigger,
            target,
            profile,
        });
    }
    out
}
