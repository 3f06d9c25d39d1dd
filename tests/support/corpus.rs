//! Base configs for the differential test: `fixtures/` and the shared corpus, with the lines
//! whose verdict depends on the machine (or that would make the server fork or act) removed.

use std::path::{Path, PathBuf};

/// Directives never kept in a base and never introduced by a mutant: their verdict depends on
/// files, directories or services of the machine, or they make the server fork/act.
pub const MACHINE_DEPENDENT: &[&str] = &[
    "dir",
    "include",
    "logfile",
    "loadmodule",
    "aclfile",
    "daemonize",
    "pidfile",
    "unixsocket",
    "supervised",
    "cluster-config-file",
    "syslog-enabled",
    "syslog-ident",
    "syslog-facility",
    "tls-cert-file",
    "tls-key-file",
    "tls-client-cert-file",
    "tls-client-key-file",
    "tls-dh-params-file",
    "tls-ca-cert-file",
    "tls-ca-cert-dir",
    // A non-zero tls-port, or tls-replication/tls-cluster yes, makes startup load the
    // (removed) certificate files: exits with "Failed to configure TLS" before the
    // "not listening" check.
    "tls-port",
    "tls-replication",
    "tls-cluster",
    // Depends on the build, not the file: `activedefrag yes` is a FATAL error ("Active
    // defragmentation cannot be enabled: it requires a Redis server compiled with a modified
    // Jemalloc") on servers built against a stock jemalloc, such as Debian's 7.0.15 oracle, and
    // accepted by upstream builds with the bundled jemalloc.
    "activedefrag",
    // Depends on the build too: a Valkey 8.1+ built without RDMA (the registries' wheels) aborts
    // at startup with "Failed finding connection listener of rdma" for any non-zero port.
    "rdma-port",
];

/// The directive name of a config line as redis-server would see it, lowercased: the first
/// token after trimming, quotes removed. `None` for blank and comment lines.
pub fn directive_name(line: &[u8]) -> Option<String> {
    let trimmed = trim(line);
    if trimmed.is_empty() || trimmed[0] == b'#' {
        return None;
    }
    // sdssplitargs skips any isspace() byte before a token (\v and \f too)
    let start = trimmed
        .iter()
        .position(|b| !is_space(*b))
        .unwrap_or(trimmed.len());
    let rest = &trimmed[start..];
    let end = rest.iter().position(|b| is_space(*b)).unwrap_or(rest.len());
    let name: Vec<u8> = rest[..end]
        .iter()
        .copied()
        .filter(|b| *b != b'"' && *b != b'\'')
        .map(|b| b.to_ascii_lowercase())
        .collect();
    if name.is_empty() {
        return None;
    }
    Some(String::from_utf8_lossy(&name).into_owned())
}

pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// redis-server's line trim: space, tab, CR, LF on both ends.
pub fn trim(line: &[u8]) -> &[u8] {
    let t = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !t(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !t(b)).map_or(start, |e| e + 1);
    &line[start..end]
}

/// Whether a valid line would make a full start take seconds and depend on the machine's
/// memory or limits: `maxclients` far above the file limit makes redis-server lower its
/// setrlimit() request 16 descriptors at a time; a huge `databases` allocates every database
/// at startup (10 million: >10 s; 2^31-1: tens of GB). The quick run exits before either.
pub fn is_slow(line: &[u8]) -> bool {
    let limit = match directive_name(line).as_deref() {
        Some("maxclients") => 10_000_000,
        Some("databases") => 100_000,
        _ => return false,
    };
    let t = trim(line);
    let value = t
        .split(|b| is_space(*b))
        .filter(|w| !w.is_empty())
        .nth(1)
        .and_then(|w| std::str::from_utf8(w).ok())
        .map(|w| w.trim_matches(|c| c == '"' || c == '\''));
    value
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit)
}

/// Whether redis-server parses the line as a directive (not blank, not a comment); cheap.
pub fn is_directive_line(line: &[u8]) -> bool {
    let t = trim(line);
    !t.is_empty() && t[0] != b'#' && t.iter().any(|b| !is_space(*b))
}

/// Whether a line names a machine-dependent directive. Names are compared case-insensitively
/// and with `_` read as `-`, so mutants cannot sneak one in through a case or separator change.
pub fn is_machine_dependent(line: &[u8]) -> bool {
    directive_name(line)
        .is_some_and(|name| MACHINE_DEPENDENT.contains(&name.replace('_', "-").as_str()))
}

#[derive(Debug, Clone)]
pub struct Base {
    /// Where it came from, relative: `fixtures/…`, `wild/…`, `upstream/…`.
    pub name: String,
    pub bytes: Vec<u8>,
    /// How many machine-dependent lines were deleted.
    pub removed: usize,
}

/// Delete every machine-dependent line (line endings of the other lines are kept).
pub fn clean(bytes: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(bytes.len());
    let mut removed = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        if is_machine_dependent(body) || is_slow(body) {
            removed += 1;
            continue;
        }
        out.extend_from_slice(line);
    }
    (out, removed)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.is_file() {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            // bookkeeping files of the corpus, not configs
            if name.starts_with("MANIFEST") || name.starts_with("README") || name.starts_with('.') {
                continue;
            }
            out.push(p);
        }
    }
}

/// Every file under `root` (recursively, sorted), named `prefix/relative-path`.
pub fn load_dir(root: &Path, prefix: &str) -> Vec<Base> {
    let mut files = Vec::new();
    walk(root, &mut files);
    files
        .into_iter()
        .filter_map(|p| {
            let raw = std::fs::read(&p).ok()?;
            let (bytes, removed) = clean(&raw);
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .to_string();
            Some(Base {
                name: format!("{prefix}/{rel}"),
                bytes,
                removed,
            })
        })
        .collect()
}
