//! What depends on the server's machine rather than the file: paths that must exist there
//! (checked against the machine redlint runs on) and build options. These are warnings or notes,
//! not `invalid/*`: configs are usually linted away from the server.

use super::arglist::ArgList;
use super::values::c_str;
use crate::checks::Check;
use std::path::Path;

pub(super) struct PathFinding {
    pub check: Check,
    pub message: String,
    pub help: String,
}

/// `loadmodule` and `logfile` paths, resolved against the directory redis-server would be in.
pub(super) fn check_paths(cwd: &Path, primary: &str, args: &ArgList) -> Option<PathFinding> {
    let path = |v: &[u8]| cwd.join(String::from_utf8_lossy(c_str(v)).as_ref());
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
        (
            "tls-cert-file" | "tls-key-file" | "tls-ca-cert-file" | "tls-client-cert-file"
            | "tls-client-key-file" | "tls-dh-params-file",
            Some(v),
        ) if !v.is_empty() && !path(v).is_file() => Some(tls_missing(primary, &path(v))),
        ("tls-ca-cert-dir", Some(v)) if !v.is_empty() && !path(v).is_dir() => {
            Some(tls_missing(primary, &path(v)))
        }
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

fn tls_missing(primary: &str, path: &Path) -> PathFinding {
    PathFinding {
        check: Check::TlsFileNotFound,
        message: format!(
            "`{primary}` `{}` does not exist on this machine; with TLS on, redis-server exits when it cannot load it",
            path.display()
        ),
        help: "install the certificate files on the server or fix the path".into(),
    }
}

/// `sentinel notification-script|client-reconfig-script MASTER PATH`: Sentinel refuses a script
/// it cannot execute, and runs whatever the file holds when a failover happens, so a file (or a
/// directory without the sticky bit) that anyone may write hands the host to any local user.
pub(super) fn sentinel_script(cwd: &Path, args: &ArgList) -> Option<PathFinding> {
    use std::os::unix::fs::PermissionsExt;
    let [sub, _, script] = args.views()[..] else {
        return None;
    };
    let sub = String::from_utf8_lossy(sub).to_ascii_lowercase();
    if sub != "notification-script" && sub != "client-reconfig-script" {
        return None;
    }
    let path = cwd.join(String::from_utf8_lossy(c_str(script)).as_ref());
    let Ok(meta) = std::fs::metadata(&path) else {
        return Some(PathFinding {
            check: Check::SentinelScriptNotFound,
            message: format!(
                "`{sub}` `{}` does not exist on this machine; Sentinel exits when the script is missing or not executable",
                path.display()
            ),
            help: "install the script on the Sentinel's host, executable, or fix the path".into(),
        });
    };
    let mode = meta.permissions().mode();
    if !meta.is_file() || mode & 0o111 == 0 {
        return Some(PathFinding {
            check: Check::SentinelScriptNotFound,
            message: format!(
                "`{sub}` `{}` is not an executable file on this machine; Sentinel exits when it cannot execute the script",
                path.display()
            ),
            help: "make the script executable (`chmod 755`) or fix the path".into(),
        });
    }
    let dir_mode = path
        .parent()
        .and_then(|d| std::fs::metadata(d).ok())
        .map(|m| m.permissions().mode());
    let writable = if mode & 0o002 != 0 {
        Some("the script is writable by every user")
    } else if dir_mode.is_some_and(|m| m & 0o002 != 0 && m & 0o1000 == 0) {
        Some("its directory is writable by every user (and not sticky), so anyone can replace it")
    } else {
        None
    };
    writable.map(|why| PathFinding {
        check: Check::SentinelScriptWritable,
        message: format!(
            "`{sub}` `{}`: {why}; Sentinel runs it on every failover",
            path.display()
        ),
        help: "keep Sentinel scripts in a directory only root (or the Sentinel's user) can write, mode 755 or stricter".into(),
    })
}
