//! Sentinel mode: the `sentinel <sub> ...` lines of a Sentinel config, checked the way
//! redis-server started with `--sentinel` (or as `redis-sentinel`) checks them.
//!
//! What follows `sentinelHandleConfiguration` (src/sentinel.c) of each release line:
//!
//! * The sub-directive is compared case-insensitively as a C string; it must exist in the
//!   catalog of the version with the catalog's argument count, else
//!   `Unrecognized sentinel configuration statement.`.
//! * ≤6.0 applies each line as it is read, so a line naming a master must come after its
//!   `monitor`. 6.2+ queues the lines and replays them after the whole file parsed, in three
//!   passes: the pre-monitor names, then `monitor`, then the rest (each pass in file order). The
//!   first failing line stops the server.
//! * Numbers are read with `atoi` (glibc: `strtol` saturating at the `long` range, then cut to
//!   `int`) and epochs with `strtoull` (never an error).
//! * Addresses (`monitor`, `known-replica`, `known-sentinel`): the port must be in 0..=65535
//!   (1..=65535 up to 3.0); the host must resolve. 6.2+ without `resolve-hostnames yes` accepts
//!   numeric addresses only (`getaddrinfo` with `AI_NUMERICHOST`: glibc's `inet_aton` forms
//!   such as `127.1` or `0x7f.0.0.1`, and IPv6). With `resolve-hostnames yes` an unresolved name
//!   is accepted. Up to 6.0 names go to DNS: redlint assumes any non-empty name resolves.
//! * Duplicates: master names (case-sensitive), replicas by address and port, sentinels by run
//!   id (3.2+; by address and port before), `rename-command` by command name (case-insensitive).
//!
//! Not checked: `notification-script` / `client-reconfig-script` must be executable on the
//! server (`access(X_OK)`), which depends on the machine, not on the file.

use super::analysis::LateError;
use super::arglist::ArgList;
use super::values::{atoi, c_str, yes_no};
use crate::catalog::{Catalog, SentinelSpec};
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The sub-directives 6.2+ replays before `monitor` (`preMonitorCfgName` in sentinel.c).
const PRE_MONITOR: &[&str] = &[
    "announce-ip",
    "announce-port",
    "deny-scripts-reconfig",
    "sentinel-user",
    "sentinel-pass",
    "current-epoch",
    "myid",
    "resolve-hostnames",
    "announce-hostnames",
];

const UNRECOGNIZED: &str = "Unrecognized sentinel configuration statement.";
const NO_SUCH_MASTER: &str = "No such master with specified name.";

/// One queued line (6.2+).
#[derive(Debug, Clone)]
struct Queued {
    line_id: usize,
    args: ArgList,
}

/// What the sentinel lines declared so far (masters by name, ...).
#[derive(Debug, Default)]
pub struct SentinelState {
    /// 6.2+: lines are queued and replayed by [`finish`].
    deferred: bool,
    queue: Vec<Queued>,
    /// ≤6.0: the state built line by line.
    world: World,
}

impl SentinelState {
    pub fn new(catalog: &Catalog) -> Self {
        SentinelState {
            deferred: catalog.version.at_least(6, 2),
            queue: Vec::new(),
            world: World::default(),
        }
    }
}

/// The part of Sentinel's state that later lines can trip over.
#[derive(Debug, Default, Clone)]
struct World {
    masters: Vec<Master>,
    resolve_hostnames: bool,
    announce_hostnames: bool,
}

#[derive(Debug, Default, Clone)]
struct Master {
    /// As a C string: `sdsnew(argv[1])` stops at a NUL.
    name: Vec<u8>,
    replicas: HashSet<AddrKey>,
    sentinels: HashSet<Vec<u8>>,
    /// Lowercase original command names.
    renamed: HashSet<Vec<u8>>,
}

/// How redis-server names a replica (or, up to 3.0, a sentinel) in its master's table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum AddrKey {
    /// The text as given (≤6.0, or `announce-hostnames yes`), with the port.
    Text(Vec<u8>, i32),
    /// A numeric address, normalised as `inet_ntop` would.
    Ip(IpAddr, i32),
    /// A name resolved through DNS on the server: redlint cannot know its address, and takes
    /// different names for different addresses.
    Unresolved(Vec<u8>, i32),
}

/// Why an instance could not be created (`errno` after `createSentinelRedisInstance`).
enum CreateError {
    /// EBUSY
    Duplicate,
    /// ENOENT
    Unresolvable,
    /// EINVAL
    BadPort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Master,
    Replica,
    Sentinel,
}

/// Check one `sentinel` line in sentinel mode; `args` are the values after `sentinel`.
/// `Err` is redis-server's message when it rejects the line at once (≤6.0); from 6.2 lines are
/// queued and checked in [`finish`].
pub fn check_line(
    state: &mut SentinelState,
    catalog: &Catalog,
    line_id: usize,
    args: &ArgList,
) -> Result<(), String> {
    if state.deferred {
        state.queue.push(Queued {
            line_id,
            args: args.clone(),
        });
        return Ok(());
    }
    apply(&mut state.world, catalog, args).map_err(str::to_string)
}

/// Errors of the queued sentinel lines (6.2+), in the order redis-server replays them.
/// redis-server stops at the first one, so there is at most one.
pub fn finish(state: &SentinelState, catalog: &Catalog) -> Vec<LateError> {
    if !state.deferred {
        return Vec::new();
    }
    let pass_of = |q: &Queued| {
        let sub = lower_c(&q.args[0]);
        if sub == b"monitor" {
            1
        } else if PRE_MONITOR.iter().any(|p| p.as_bytes() == sub.as_slice()) {
            0
        } else {
            2
        }
    };
    let mut world = World::default();
    for pass in 0..3 {
        for q in state.queue.iter().filter(|q| pass_of(q) == pass) {
            if let Err(message) = apply(&mut world, catalog, &q.args) {
                return vec![LateError {
                    line_id: Some(q.line_id),
                    message: message.to_string(),
                }];
            }
        }
    }
    Vec::new()
}

/// The sub-directive as `strcasecmp` sees it: up to the first NUL, lowercase.
fn lower_c(word: &[u8]) -> Vec<u8> {
    c_str(word).to_ascii_lowercase()
}

/// The catalog's primary name of a sub-directive (aliases resolved), if the version has it.
fn lookup(catalog: &Catalog, sub: &[u8]) -> Option<&'static SentinelSpec> {
    let sub = std::str::from_utf8(sub).ok()?;
    catalog
        .sentinel
        .iter()
        .find(|s| s.name == sub || s.aliases.contains(&sub))
}

/// `argc_including_keyword` such as `"==5"`, `"==4 or ==5"`, `">=3"`.
fn argc_ok(rule: &str, argc: usize) -> bool {
    rule.split(" or ").any(|alt| {
        let alt = alt.trim();
        let (op, n) = if let Some(n) = alt.strip_prefix("==") {
            ("==", n)
        } else if let Some(n) = alt.strip_prefix(">=") {
            (">=", n)
        } else {
            return false;
        };
        match n.trim().parse::<usize>() {
            Ok(n) if op == "==" => argc == n,
            Ok(n) => argc >= n,
            Err(_) => false,
        }
    })
}

/// Apply one line to the state, as `sentinelHandleConfiguration` does.
fn apply(world: &mut World, catalog: &Catalog, args: &ArgList) -> Result<(), &'static str> {
    let v = catalog.version;
    let sub = lower_c(&args[0]);
    let Some(spec) = lookup(catalog, &sub) else {
        return Err(UNRECOGNIZED);
    };
    let primary = spec.name;
    let argc_rule = spec.argc_including_keyword.unwrap_or(">=1");
    if !argc_ok(argc_rule, args.len()) {
        return Err(UNRECOGNIZED);
    }
    let arg = |i: usize| &args[i];
    match primary {
        "monitor" => {
            let quorum = atoi(arg(4));
            if quorum <= 0 {
                return Err("Quorum must be 1 or greater.");
            }
            let name = c_str(arg(1)).to_vec();
            create_check(world, catalog, Role::Master, arg(2), arg(3))
                .and_then(|_| {
                    if world.masters.iter().any(|m| m.name == name) {
                        Err(CreateError::Duplicate)
                    } else {
                        Ok(())
                    }
                })
                .map_err(|e| create_error(catalog, Role::Master, e))?;
            world.masters.push(Master {
                name,
                ..Master::default()
            });
        }
        "down-after-milliseconds" | "failover-timeout" => {
            master(world, arg(1))?;
            if atoi(arg(2)) <= 0 {
                return Err("negative or zero time parameter.");
            }
        }
        "master-reboot-down-after-period" | "primary-reboot-down-after-period" => {
            master(world, arg(1))?;
            if atoi(arg(2)) < 0 {
                return Err("negative time parameter.");
            }
        }
        "parallel-syncs"
        | "notification-script"
        | "client-reconfig-script"
        | "auth-pass"
        | "auth-user"
        | "config-epoch"
        | "leader-epoch" => {
            master(world, arg(1))?;
        }
        "myid" if c_str(arg(1)).len() != 40 => {
            return Err("Malformed Sentinel id in myid option.");
        }
        "known-replica" | "known-slave" => {
            let m = master_index(world, arg(1))?;
            let key = create_check(world, catalog, Role::Replica, arg(2), arg(3))
                .map_err(|e| create_error(catalog, Role::Replica, e))?;
            if !world.masters[m].replicas.insert(key) {
                return Err(create_error(catalog, Role::Replica, CreateError::Duplicate));
            }
        }
        "known-sentinel" => {
            // 3.2+ ignores the old form without a run id altogether.
            if args.len() == 4 && v.at_least(3, 2) {
                return Ok(());
            }
            let m = master_index(world, arg(1))?;
            let key = create_check(world, catalog, Role::Sentinel, arg(2), arg(3))
                .map_err(|e| create_error(catalog, Role::Sentinel, e))?;
            let name = if v.at_least(3, 2) {
                c_str(arg(4)).to_vec()
            } else {
                match key {
                    AddrKey::Text(t, _) => t,
                    _ => unreachable!("≤3.0 names sentinels by their text address"),
                }
            };
            if !world.masters[m].sentinels.insert(name) {
                return Err(create_error(
                    catalog,
                    Role::Sentinel,
                    CreateError::Duplicate,
                ));
            }
        }
        "rename-command" => {
            let m = master_index(world, arg(1))?;
            if !world.masters[m].renamed.insert(lower_c(arg(2))) {
                return Err("Same command renamed multiple times with rename-command.");
            }
        }
        "deny-scripts-reconfig" => {
            yes_no(arg(1))
                .ok_or("Please specify yes or no for the deny-scripts-reconfig options.")?;
        }
        "resolve-hostnames" => {
            world.resolve_hostnames = yes_no(arg(1))
                .ok_or("Please specify yes or no for the resolve-hostnames option.")?;
        }
        "announce-hostnames" => {
            world.announce_hostnames = yes_no(arg(1))
                .ok_or("Please specify yes or no for the announce-hostnames option.")?;
        }
        // announce-ip, announce-port, current-epoch, sentinel-user, sentinel-pass: no checks;
        // and a sub-directive the catalog knows but this code does not: nothing to check.
        _ => {}
    }
    Ok(())
}

fn master_index(world: &World, name: &[u8]) -> Result<usize, &'static str> {
    let name = c_str(name);
    world
        .masters
        .iter()
        .position(|m| m.name == name)
        .ok_or(NO_SUCH_MASTER)
}

fn master(world: &World, name: &[u8]) -> Result<(), &'static str> {
    master_index(world, name).map(|_| ())
}

/// `createSentinelAddr` (port range, then host resolution) and the key the instance gets in its
/// table (replicas; sentinels up to 3.0).
fn create_check(
    world: &World,
    catalog: &Catalog,
    role: Role,
    host: &[u8],
    port: &[u8],
) -> Result<AddrKey, CreateError> {
    let v = catalog.version;
    let port = atoi(port);
    let min_port = if v.at_least(3, 2) { 0 } else { 1 };
    if port < min_port || port > 65535 {
        return Err(CreateError::BadPort);
    }
    let host = c_str(host);
    let numeric = numeric_host(host);
    if v.at_least(6, 2) {
        if numeric.is_none() && !world.resolve_hostnames {
            return Err(CreateError::Unresolvable);
        }
        if world.announce_hostnames || role == Role::Master {
            return Ok(AddrKey::Text(host.to_vec(), port));
        }
        Ok(match numeric {
            Some(ip) => AddrKey::Ip(ip, port),
            None => AddrKey::Unresolved(host.to_vec(), port),
        })
    } else {
        if host.is_empty() {
            return Err(CreateError::Unresolvable);
        }
        // ≤6.0 names replicas (and, up to 3.0, sentinels) "host:port" from the text given,
        // brackets around a host with a colon.
        let text = if host.contains(&b':') {
            [b"[".as_slice(), host, b"]"].concat()
        } else {
            host.to_vec()
        };
        Ok(AddrKey::Text(text, port))
    }
}

fn create_error(catalog: &Catalog, role: Role, e: CreateError) -> &'static str {
    let v = catalog.version;
    if v.at_least(6, 2) {
        // sentinelCheckCreateInstanceErrors
        return match (e, role) {
            (CreateError::Duplicate, Role::Master) => "Duplicate master name.",
            (CreateError::Duplicate, Role::Replica) => "Duplicate hostname and port for replica.",
            (CreateError::Duplicate, Role::Sentinel) => "Duplicate runid for sentinel.",
            (CreateError::Unresolvable, _) => "Can't resolve instance hostname.",
            (CreateError::BadPort, _) => "Invalid port number.",
        };
    }
    match (role, e) {
        (Role::Master, CreateError::Duplicate) => "Duplicated master name.",
        (Role::Master, CreateError::Unresolvable) => "Can't resolve master instance hostname.",
        (Role::Master, CreateError::BadPort) => "Invalid port number",
        (Role::Replica, _) if v.at_least(5, 0) => "Wrong hostname or port for replica.",
        (Role::Replica, _) => "Wrong hostname or port for slave.",
        (Role::Sentinel, _) => "Wrong hostname or port for sentinel.",
    }
}

/// `getaddrinfo(host, AI_NUMERICHOST)` with glibc: `inet_aton` forms (all of the string), then
/// IPv6 with an optional `%scope`.
fn numeric_host(host: &[u8]) -> Option<IpAddr> {
    if let Some(v4) = inet_aton_exact(host) {
        return Some(IpAddr::V4(v4));
    }
    let text = std::str::from_utf8(host).ok()?;
    let (addr, scope) = match text.split_once('%') {
        Some((a, s)) => (a, Some(s)),
        None => (text, None),
    };
    let v6: Ipv6Addr = addr.parse().ok()?;
    if let Some(scope) = scope {
        let numeric = scope.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && scope.bytes().all(|b| b.is_ascii_digit())
            && scope.parse::<u64>().is_ok_and(|n| n <= u64::from(u32::MAX));
        let seg = v6.segments();
        let link_local = seg[0] & 0xffc0 == 0xfe80 || seg[0] == 0xff01 || seg[0] & 0xff0f == 0xff02;
        // An interface name: redlint takes it to exist on the server.
        if !numeric && (!link_local || scope.is_empty()) {
            return None;
        }
    }
    Some(IpAddr::V6(v6))
}

/// glibc `__inet_aton_exact`: 1 to 4 parts, each `strtoul(.., 0)` (decimal, `0` octal, `0x`
/// hex), every part but the last one byte, the last one filling the remaining bytes.
fn inet_aton_exact(s: &[u8]) -> Option<Ipv4Addr> {
    let mut parts: Vec<u32> = Vec::new();
    let mut i = 0;
    loop {
        if !s.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let (radix, start) = if s[i] == b'0'
            && matches!(s.get(i + 1), Some(b'x' | b'X'))
            && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
        {
            (16, i + 2)
        } else if s[i] == b'0' {
            (8, i)
        } else {
            (10, i)
        };
        let mut j = start;
        let mut val: u64 = 0;
        while let Some(d) = s.get(j).and_then(|&b| (b as char).to_digit(radix)) {
            val = val
                .checked_mul(u64::from(radix))
                .and_then(|x| x.checked_add(u64::from(d)))?;
            j += 1;
        }
        if val > 0xffff_ffff {
            return None;
        }
        i = j;
        if s.get(i) == Some(&b'.') {
            if parts.len() > 2 || val > 0xff {
                return None;
            }
            parts.push(val as u32);
            i += 1;
        } else {
            if i != s.len() {
                return None;
            }
            let max: u32 = [0xffff_ffff, 0xff_ffff, 0xffff, 0xff][parts.len()];
            let last = val as u32;
            if last > max {
                return None;
            }
            let mut addr: u32 = last;
            for (k, p) in parts.iter().enumerate() {
                addr |= p << (24 - 8 * k);
            }
            return Some(Ipv4Addr::from(addr));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(v: &str) -> &'static Catalog {
        Catalog::load(v.parse().unwrap()).unwrap()
    }

    /// Run a file's `sentinel` lines (1-based line ids): the first error and its line.
    fn run(v: &str, lines: &[&str]) -> Option<(usize, String)> {
        let cat = catalog(v);
        let mut state = SentinelState::new(cat);
        for (i, line) in lines.iter().enumerate() {
            let args: ArgList = line.split_whitespace().collect();
            if let Err(e) = check_line(&mut state, cat, i + 1, &args) {
                return Some((i + 1, e));
            }
        }
        finish(&state, cat)
            .into_iter()
            .next()
            .map(|e| (e.line_id.unwrap(), e.message))
    }

    const MONITOR: &str = "monitor m 127.0.0.1 6379 2";

    #[test]
    fn option_before_monitor_fails_up_to_6_0_only() {
        let lines = ["down-after-milliseconds m 5000", MONITOR];
        for v in ["2.8", "3.2", "5.0", "6.0"] {
            assert_eq!(run(v, &lines), Some((1, NO_SUCH_MASTER.into())), "{v}");
        }
        for v in ["6.2", "7.0", "7.4", "valkey-8.0"] {
            assert_eq!(run(v, &lines), None, "{v}");
        }
    }

    #[test]
    fn errors_are_immediate_up_to_6_0_and_deferred_from_6_2() {
        let cat = catalog("6.0");
        let mut state = SentinelState::new(cat);
        let bad: ArgList = ["bogus", "x"].into_iter().collect();
        assert_eq!(
            check_line(&mut state, cat, 1, &bad),
            Err(UNRECOGNIZED.into())
        );
        let cat = catalog("6.2");
        let mut state = SentinelState::new(cat);
        assert_eq!(check_line(&mut state, cat, 7, &bad), Ok(()));
        assert_eq!(
            finish(&state, cat),
            vec![LateError {
                line_id: Some(7),
                message: UNRECOGNIZED.into()
            }]
        );
    }

    #[test]
    fn replay_order_is_pre_monitor_then_monitor_then_rest() {
        // A post-monitor error on line 1, a pre-monitor error on line 3: 6.2+ reports line 3.
        let lines = ["down-after-milliseconds nosuch 5", MONITOR, "myid abc"];
        assert_eq!(
            run("7.0", &lines),
            Some((3, "Malformed Sentinel id in myid option.".into()))
        );
        assert_eq!(run("6.0", &lines), Some((1, NO_SUCH_MASTER.into())));
        // A monitor error beats an earlier post-monitor one.
        let lines = [
            "down-after-milliseconds nosuch 5",
            "monitor x 127.0.0.1 1 0",
        ];
        assert_eq!(
            run("6.2", &lines),
            Some((2, "Quorum must be 1 or greater.".into()))
        );
        // resolve-hostnames applies to every monitor, wherever it is; the last one wins.
        let lines = ["monitor m redis 6379 2", "resolve-hostnames yes"];
        assert_eq!(run("7.0", &lines), None);
        let lines = [
            "resolve-hostnames yes",
            "monitor m redis 6379 2",
            "resolve-hostnames no",
        ];
        assert_eq!(
            run("7.0", &lines),
            Some((2, "Can't resolve instance hostname.".into()))
        );
    }

    #[test]
    fn duplicate_master_wording() {
        let lines = [MONITOR, "monitor m 127.0.0.1 6398 2"];
        assert_eq!(
            run("6.0", &lines),
            Some((2, "Duplicated master name.".into()))
        );
        assert_eq!(
            run("6.2", &lines),
            Some((2, "Duplicate master name.".into()))
        );
    }

    #[test]
    fn addresses() {
        for host in [
            "127.1",
            "0x7f.0.0.1",
            "0177.0.0.1",
            "4294967295",
            "::1",
            "fe80::1%lo",
            "::1%1",
        ] {
            assert!(numeric_host(host.as_bytes()).is_some(), "{host}");
        }
        for host in [
            "localhost",
            "",
            "256.0.0.1",
            "1.2.3.",
            "09",
            "0x.0.0.1",
            "[::1]",
            "::1%lo",
            " 1.2.3.4",
        ] {
            assert!(numeric_host(host.as_bytes()).is_none(), "{host}");
        }
        assert_eq!(
            inet_aton_exact(b"1.0xffffff"),
            Some(Ipv4Addr::new(1, 255, 255, 255))
        );
        let lines = [
            MONITOR,
            "known-replica m 10.0.0.1 6380",
            "known-slave m 10.1 6380",
        ];
        assert_eq!(
            run("7.0", &lines),
            Some((3, "Duplicate hostname and port for replica.".into()))
        );
    }

    #[test]
    fn glibc_atoi() {
        assert_eq!(atoi(b"99999999999999999999"), -1);
        assert_eq!(atoi(b"-99999999999999999999"), 0);
        assert_eq!(atoi(b"4294967297"), 1);
        assert_eq!(atoi(b" +12x"), 12);
        assert_eq!(atoi(b"abc"), 0);
    }

    #[test]
    fn known_sentinel_without_runid() {
        // 3.2+ ignores the 4-argument form, even for an unknown master.
        assert_eq!(run("7.0", &["known-sentinel nosuch 10.0.0.1 26379"]), None);
        assert_eq!(
            run("3.0", &["known-sentinel nosuch 10.0.0.1 26379"]),
            Some((1, NO_SUCH_MASTER.into()))
        );
    }
}
