//! What depends on the server's machine rather than the file: paths that must exist there
//! (checked against the machine redlint runs on) and build options. These are warnings or notes,
//! not `invalid/*`: configs are usually linted away from the server.

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
        ("aclfile", Some(v)) if !v.is_empty() && !path(v).is_file() => Some(PathFinding {
            check: Check::AclfileNotFound,
            message: format!(
                "aclfile `{}` does not exist on this machine; redis-server exits when it cannot load its ACL file",
                path(v).display()
            ),
            help: "create the ACL file on the server (`ACL SAVE` writes one), or fix the path".into(),
        }),
        // Whether this aborts depends on how redis-server was built, not on the file.
        ("activedefrag", Some(v)) if v.eq_ignore_ascii_case(b"yes") => Some(PathFinding {
            check: Check::ActivedefragNeedsBundledJemalloc,
            message: "`activedefrag yes` starts only on a redis-server built with the jemalloc bundled with Redis; builds linked to the system's allocator (Debian and Ubuntu packages among them) exit with \"Active defragmentation cannot be enabled\"".into(),
            help: "check that the server's build supports it: `INFO memory` shows `mem_allocator:jemalloc-…` and `CONFIG SET activedefrag yes` succeeds".into(),
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
