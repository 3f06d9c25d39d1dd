//! Paths that must exist on the server, checked against the machine redlint runs on. These are
//! warnings, not `invalid/*`: configs are usually linted away from the server.

use super::values::c_str;
use crate::checks::Check;
use std::path::Path;

pub(super) struct PathFinding {
    pub check: Check,
    pub message: String,
    pub help: String,
}

/// `loadmodule` and `logfile` paths, resolved against the directory redis-server would be in.
pub(super) fn check_paths(cwd: &Path, primary: &str, args: &[Vec<u8>]) -> Option<PathFinding> {
    let path = |v: &Vec<u8>| cwd.join(String::from_utf8_lossy(c_str(v)).as_ref());
    match (primary, args.first()) {
        ("loadmodule", Some(v)) if !path(v).is_file() => Some(PathFinding {
            check: Check::ModuleNotFound,
            message: format!(
                "module `{}` does not exist on this machine; redis-server exits when it cannot load it",
                path(v).display()
            ),
            help: "install the module on the server or fix the path".into(),
        }),
        ("logfile", Some(v)) if !v.is_empty() => {
            let p = path(v);
            p.parent()
                .is_some_and(|d| !d.as_os_str().is_empty() && !d.is_dir())
                .then(|| PathFinding {
                    check: Check::LogfileUnwritable,
                    message: format!(
                        "the directory of logfile `{}` does not exist on this machine; redis-server exits when it cannot open the log",
                        p.display()
                    ),
                    help: "create the directory on the server, or log to stdout with `logfile \"\"`"
                        .into(),
                })
        }
        _ => None,
    }
}
