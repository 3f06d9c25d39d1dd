//! Validation of the directives Redis parses with hand-written code (`special` in the catalog)
//! and of the extra validators some string directives have.
//!
//! Everything here follows the setters of `src/config.c` (and `src/acl.c` for `user`) of each
//! release line; each function notes the version differences it follows.

use super::acl::{self, AclError, AclModel, ScratchUser};
use super::analysis::LateError;
use super::arglist::ArgList;
use super::values::{atoi, c_str, strtoll};
use crate::catalog::Catalog;
use crate::version::{Family, Product, Version};
use std::collections::HashMap;

/// One `user` line that passed the parse-time checks, queued for the ACL load at startup.
#[derive(Debug, Clone)]
struct QueuedUser {
    line_id: usize,
    name: Vec<u8>,
    /// The rules after selector merging (7.0+), as redis-server stores them.
    rules: Vec<Vec<u8>>,
}

/// Parser state that outlives one line: the live command table that `rename-command` edits, the
/// users declared so far, and what must be checked once the whole file is read.
#[derive(Debug, Default)]
pub struct SpecialState {
    /// Live command table: lowercase current name → original name, made at the first
    /// `rename-command` of a version whose catalog lists commands (else it is not checked).
    commands: Option<HashMap<Vec<u8>, String>>,
    users: Vec<QueuedUser>,
    /// Names of `users`, for the duplicate check (100 000 users stay linear).
    user_names: std::collections::HashSet<Vec<u8>>,
    /// A `loadmodule` line was seen: modules may add commands, so unknown ACL command names
    /// cannot be judged.
    modules: bool,
    /// `acl-pubsub-default allchannels` (the default in 6.2, `resetchannels` from 7.0).
    acl_pubsub_allchannels: bool,
    /// redis-server started as a sentinel (`--sentinel` / `redis-sentinel`); never true for a
    /// plain config check unless set with [`SpecialState::set_sentinel_mode`].
    sentinel_mode: bool,
}

impl SpecialState {
    pub fn new(catalog: &Catalog) -> Self {
        SpecialState {
            commands: None,
            users: Vec::new(),
            user_names: Default::default(),
            modules: false,
            acl_pubsub_allchannels: catalog.version.redis_equivalent() == (6, 2),
            sentinel_mode: false,
        }
    }

    /// Tell the state the value of `acl-pubsub-default` in effect (call it when that line is
    /// read; it changes the starting channel permissions of later `user` lines).
    pub fn set_acl_pubsub_default(&mut self, allchannels: bool) {
        self.acl_pubsub_allchannels = allchannels;
    }

    pub fn set_sentinel_mode(&mut self, on: bool) {
        self.sentinel_mode = on;
    }
}

/// Check one line of a special directive (`primary` is its primary name, `args` the decoded
/// values after arity handling). `Err` carries redis-server's message.
pub fn check_special(
    state: &mut SpecialState,
    catalog: &Catalog,
    line_id: usize,
    primary: &str,
    args: &ArgList,
) -> Result<(), String> {
    let v = catalog.version;
    let table7 = v.family() == Family::Table7;
    match primary {
        "save" => check_save(v, args),
        "bind" => {
            if args.len() > 16 {
                Err(if table7 {
                    "Too many bind addresses specified."
                } else {
                    "Too many bind addresses specified"
                }
                .into())
            } else {
                Ok(())
            }
        }
        "dir" => {
            if is_valkey8(v) && args.first().is_some_and(|a| c_str(a).is_empty()) {
                Err("dir can't be empty".into())
            } else {
                Ok(())
            }
        }
        "replicaof" | "slaveof" => check_replicaof(v, args),
        "client-output-buffer-limit" => check_cobl(v, args),
        "oom-score-adj-values" => check_oom(v, args),
        "notify-keyspace-events" => check_notify(v, args),
        "latency-tracking-info-percentiles" => check_percentiles(args),
        "rename-command" => check_rename(state, catalog, args),
        "user" => check_user(state, catalog, line_id, args),
        "loadmodule" => {
            state.modules = true;
            Ok(())
        }
        "sentinel" => {
            if !args.is_empty() && !state.sentinel_mode {
                Err("sentinel directive while not in sentinel mode".into())
            } else {
                Ok(())
            }
        }
        "requirepass" => {
            // Special (an if/else branch) only up to 6.0: at most CONFIG_AUTHPASS_MAX_LEN bytes.
            if !v.at_least(6, 2) && args.first().is_some_and(|a| c_str(a).len() > 512) {
                Err(if v.at_least(3, 2) {
                    "Password is longer than CONFIG_AUTHPASS_MAX_LEN"
                } else {
                    "Password is longer than REDIS_AUTHPASS_MAX_LEN"
                }
                .into())
            } else {
                Ok(())
            }
        }
        // include, logfile and dir need the file system: the dispatcher handles them.
        _ => Ok(()),
    }
}

fn is_valkey8(v: Version) -> bool {
    v.product == Product::Valkey && v.major >= 8
}

fn strtoll_whole(s: &[u8]) -> Option<i64> {
    let (v, end) = strtoll(s);
    (end == c_str(s).len()).then_some(v)
}

fn check_save(v: Version, args: &ArgList) -> Result<(), String> {
    let invalid = || Err("Invalid save parameters".to_string());
    if v.family() != Family::Table7 {
        // ≤6.2: only `save <sec> <changes>` is checked (atoi); other counts are ignored.
        if args.len() == 2 && (atoi(&args[0]) < 1 || atoi(&args[1]) < 0) {
            return invalid();
        }
        return Ok(());
    }
    if args.len() == 1 && args[0].is_empty() {
        return Ok(());
    }
    if args.len() % 2 == 1 {
        return invalid();
    }
    for (j, a) in args.iter().enumerate() {
        match strtoll_whole(a) {
            Some(val) if (j % 2 == 0 && val >= 1) || (j % 2 == 1 && val >= 0) => {}
            _ => return invalid(),
        }
    }
    Ok(())
}

fn check_replicaof(v: Version, args: &ArgList) -> Result<(), String> {
    if !v.at_least(6, 0) {
        return Ok(()); // atoi, no checks
    }
    if args.len() != 2 {
        return Err("wrong number of arguments".into());
    }
    let no_one =
        c_str(&args[0]).eq_ignore_ascii_case(b"no") && c_str(&args[1]).eq_ignore_ascii_case(b"one");
    if no_one {
        return Ok(());
    }
    match strtoll_whole(&args[1]) {
        // `masterport` is an int: strtol's result (saturated on overflow) is truncated to 32 bits.
        Some(port) if (0..=65535).contains(&(port as i32)) => Ok(()),
        _ => Err(if is_valkey8(v) {
            "Invalid primary port"
        } else {
            "Invalid master port"
        }
        .into()),
    }
}

/// `getClientTypeByName`: Some(true) for `master` (known but rejected), Some(false) for a class
/// with buffer limits, None for unknown.
fn client_class(v: Version, name: &[u8]) -> Option<bool> {
    let name = c_str(name).to_ascii_lowercase();
    match name.as_slice() {
        b"normal" | b"slave" | b"pubsub" => Some(false),
        b"replica" if v.at_least(5, 0) => Some(false),
        b"master" if v.at_least(3, 2) => Some(true),
        _ => None,
    }
}

/// `memtoull` (7.0+) with its error flag: a leading `-`, an unknown unit or no digits before a
/// unit that is not empty are errors.
fn memtoull_ok(s: &[u8]) -> bool {
    let s = c_str(s);
    if s.first() == Some(&b'-') {
        return false;
    }
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let unit = s[digits..].to_ascii_lowercase();
    let known = matches!(
        unit.as_slice(),
        b"" | b"b" | b"k" | b"kb" | b"m" | b"mb" | b"g" | b"gb"
    );
    known && digits < 128
}

fn check_cobl(v: Version, args: &ArgList) -> Result<(), String> {
    if v.family() != Family::Table7 {
        // Exactly 4 values (checked by the dispatcher); only the class and a negative atoi
        // seconds value are errors.
        let Some(class) = args.first() else {
            return Ok(());
        };
        match client_class(v, class) {
            Some(false) => {}
            _ => {
                return Err(if v.at_least(3, 2) {
                    "Unrecognized client limit class: the user specified an invalid one, or \
                     'master' which has no buffer limits."
                } else {
                    "Unrecognized client limit class"
                }
                .into());
            }
        }
        if args.len() == 4 && atoi(&args[3]) < 0 {
            return Err("Negative number of seconds in soft limit is invalid".into());
        }
        return Ok(());
    }
    if !args.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    for group in args.chunks(4) {
        if client_class(v, group[0]) != Some(false) {
            return Err("Invalid client class specified in buffer limit configuration.".into());
        }
        let seconds_ok = strtoll_whole(group[3]).is_some_and(|s| (s as i32) >= 0);
        if !memtoull_ok(group[1]) || !memtoull_ok(group[2]) || !seconds_ok {
            return Err(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.".into(),
            );
        }
    }
    Ok(())
}

fn check_oom(v: Version, args: &ArgList) -> Result<(), String> {
    if args.len() != 3 {
        return Err(if v.family() == Family::Table7 {
            "wrong number of arguments"
        } else {
            "Bad directive or wrong number of arguments"
        }
        .into());
    }
    for a in args {
        if !strtoll_whole(a).is_some_and(|x| (-2000..=2000).contains(&x)) {
            return Err(
                "Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into(),
            );
        }
    }
    Ok(())
}

fn check_notify(v: Version, args: &ArgList) -> Result<(), String> {
    let Some(value) = args.first() else {
        return Ok(());
    };
    let mut allowed: Vec<u8> = b"Ag$lshzxeKE".to_vec();
    if v.at_least(5, 0) {
        allowed.push(b't');
    }
    if v.at_least(6, 0) {
        allowed.push(b'm');
    }
    if v.at_least(6, 2) {
        allowed.push(b'd');
    }
    if v.at_least(7, 0) {
        allowed.push(b'n');
    }
    if c_str(value).iter().all(|b| allowed.contains(b)) {
        Ok(())
    } else if v.family() == Family::Table7 {
        Err("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into())
    } else {
        Err("Invalid event class character. Use 'g$lshzxeA'.".into())
    }
}

fn check_percentiles(args: &ArgList) -> Result<(), String> {
    if args.len() == 1 && args[0].is_empty() {
        return Ok(());
    }
    for a in args {
        let Some(p) = string2d(a) else {
            return Err("Invalid latency-tracking-info-percentiles parameters".into());
        };
        if !(0.0..=100.0).contains(&p) {
            return Err(
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                    .into(),
            );
        }
    }
    Ok(())
}

/// Redis' `string2d`: the whole string must be a `strtod` number, without leading space, not
/// NaN, and not out of range (overflow, or underflow to zero).
fn string2d(s: &[u8]) -> Option<f64> {
    if s.is_empty() || crate::syntax::is_c_space(s[0]) || s.contains(&0) {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let (sign, body) = match text.as_bytes()[0] {
        b'-' => (-1.0, &text[1..]),
        b'+' => (1.0, &text[1..]),
        _ => (1.0, text),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(sign * f64::INFINITY);
    }
    let value = if let Some(hex) = lower.strip_prefix("0x") {
        parse_hex_float(hex)?
    } else {
        if body.is_empty()
            || !body
                .bytes()
                .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b))
        {
            return None;
        }
        let v: f64 = body.parse().ok()?;
        if v.is_infinite() {
            return None; // ERANGE overflow
        }
        let mantissa = body.split(['e', 'E']).next().unwrap_or("");
        if v == 0.0 && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            return None; // ERANGE underflow to zero
        }
        v
    };
    Some(sign * value)
}

/// The hexadecimal form `strtod` accepts after `0x`: hex digits, an optional fraction and an
/// optional binary exponent `p[+-]N`.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = match s.find('p') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    if let Some(exp) = exp {
        let e: i32 = exp.parse().ok()?;
        value *= 2f64.powi(e);
    }
    value.is_finite().then_some(value)
}

fn check_rename(state: &mut SpecialState, catalog: &Catalog, args: &ArgList) -> Result<(), String> {
    let v = catalog.version;
    if catalog.commands.is_empty() || args.len() != 2 {
        return Ok(());
    }
    let commands = state.commands.get_or_insert_with(|| {
        catalog
            .commands
            .iter()
            .map(|c| (c.to_ascii_lowercase().into_bytes(), c.to_ascii_lowercase()))
            .collect()
    });
    let old = c_str(&args[0]).to_ascii_lowercase();
    let new = c_str(&args[1]).to_ascii_lowercase();
    let no_such = || Err("No such command in rename-command".to_string());
    if v.at_least(7, 0) && old.contains(&b'|') {
        // lookupCommandBySds splits at '|'. A real subcommand is found, but cannot be deleted
        // from the top-level table: redis-server dies on an assertion (7.0: SIGSEGV).
        let parts: Vec<&[u8]> = old.split(|&b| b == b'|').collect();
        if let [top, sub] = parts.as_slice()
            && let Some(original) = commands.get(*top)
            && catalog
                .subcommands
                .get(original.as_str())
                .is_some_and(|subs| subs.iter().any(|s| s.as_bytes() == *sub))
        {
            return Err(format!(
                "rename-command cannot rename the subcommand '{}': redis-server crashes on \
                 this line",
                String::from_utf8_lossy(&old)
            ));
        }
        return no_such();
    }
    let Some(original) = commands.remove(&old) else {
        return no_such();
    };
    if !new.is_empty() {
        if commands.contains_key(&new) {
            return Err("Target command name already exists".into());
        }
        commands.insert(new, original);
    }
    Ok(())
}

fn check_user(
    state: &mut SpecialState,
    catalog: &Catalog,
    line_id: usize,
    args: &ArgList,
) -> Result<(), String> {
    let v = catalog.version;
    let Some(name) = args.first() else {
        return Ok(());
    };
    // The full argv as redis-server has it: "user", name, rules...
    let argv_at = |i: usize| -> String {
        match i {
            0 => "user".to_string(),
            _ => String::from_utf8_lossy(c_str(&args[i - 1])).into_owned(),
        }
    };
    let fail = |i: usize, e: AclError| {
        Err(format!(
            "Error in user declaration '{}': {}",
            argv_at(i),
            e.message()
        ))
    };
    let rules = args.views().split_off(1);
    let v7 = v.at_least(7, 0);
    if v7 && state.user_names.contains(name) {
        return fail(1, AclError::DuplicateUser);
    }
    let merged = if v7 {
        match acl::merge_selectors(v, &rules) {
            Ok(m) => m,
            // The index is relative to the rules but printed from argv (two to the left), and
            // errno is stale: Debian 7.0.15 prints the ENOENT text.
            Err(open) => return fail(open, AclError::NoEnt),
        }
    } else {
        rules.iter().map(|r| r.to_vec()).collect()
    };
    let model = AclModel::new(catalog, state.acl_pubsub_allchannels);
    let mut user = ScratchUser::new(&model);
    for (j, rule) in merged.iter().enumerate() {
        match user.apply(&model, rule) {
            Ok(()) | Err(AclError::NoEnt) => {}
            // 7.0+ prints argv[j] with j counted in the rules: two tokens to the left.
            Err(e) => return fail(if v7 { j } else { j + 2 }, e),
        }
    }
    // 6.x keeps every definition: at load each one resets the user and applies its rules in
    // order, so the last one wins but the rules of every definition must load.
    state.user_names.insert(name.to_vec());
    state.users.push(QueuedUser {
        line_id,
        name: name.to_vec(),
        rules: merged,
    });
    Ok(())
}

/// Run a string directive's extra validator (catalog key `validator`).
pub fn check_validator(
    catalog: &Catalog,
    _primary: &str,
    validator: &str,
    value: &[u8],
) -> Result<(), String> {
    let v = catalog.version;
    let s = c_str(value);
    let is_path = s.contains(&b'/') || s.contains(&b'\\');
    let err = |m: &str| Err(m.to_string());
    match validator {
        "isValidDBfilename" => {
            if is_valkey8(v) && s.is_empty() {
                err("dbfilename can't be empty")
            } else if is_path {
                err("dbfilename can't be a path, just a filename")
            } else {
                Ok(())
            }
        }
        "isValidAOFfilename" => {
            if v.at_least(7, 0) && s.is_empty() {
                err("appendfilename can't be empty")
            } else if is_path {
                err("appendfilename can't be a path, just a filename")
            } else {
                Ok(())
            }
        }
        "isValidAOFdirname" => {
            if s.is_empty() {
                err("appenddirname can't be empty")
            } else if is_path {
                err("appenddirname can't be a path, just a dirname")
            } else {
                Ok(())
            }
        }
        "isValidClusterConfigFile" => {
            if s.is_empty() {
                err("cluster-config-file can't be empty")
            } else {
                Ok(())
            }
        }
        "isValidAnnouncedHostname" => {
            if s.len() >= 256 {
                err("Hostnames must be less than 256 characters")
            } else if !s
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'.')
            {
                err("Hostnames may only contain alphanumeric characters, hyphens or dots")
            } else {
                Ok(())
            }
        }
        "isValidAnnouncedNodename" => {
            // isValidAuxChar: alphanumeric, or not one of the reserved punctuation bytes.
            let bad = b"!#$%&()*+:;<>?@[]^{|}~";
            if value
                .iter()
                .any(|b| !b.is_ascii_alphanumeric() && bad.contains(b))
            {
                err("Announced human node name contained invalid character")
            } else {
                Ok(())
            }
        }
        "isValidIpV4" => {
            let ok = s.is_empty() || std::str::from_utf8(s).is_ok_and(is_inet_pton4);
            if ok {
                Ok(())
            } else {
                err("Invalid IPv4 address")
            }
        }
        "isValidIpV6" => {
            let ok = s.is_empty()
                || std::str::from_utf8(s).is_ok_and(|t| t.parse::<std::net::Ipv6Addr>().is_ok());
            if ok {
                Ok(())
            } else {
                err("Invalid IPv6 address")
            }
        }
        "isValidProcTitleTemplate" => {
            if proc_title_template_ok(s) {
                Ok(())
            } else {
                err("template format is invalid or contains unknown variables")
            }
        }
        // enum validators are checked on the combined flags by the enum code; here the value is
        // the raw string.
        "isValidShutdownOnSigFlags" => {
            let lower = String::from_utf8_lossy(s).to_ascii_lowercase();
            let words: Vec<&str> = lower.split_whitespace().collect();
            if words.contains(&"save") && words.contains(&"nosave") {
                err("shutdown options SAVE and NOSAVE can't be used simultaneously")
            } else {
                Ok(())
            }
        }
        // Fails only on builds without Redis' bundled jemalloc (Debian's among them): that is
        // about the build, so it is environment/activedefrag-needs-bundled-jemalloc instead.
        "isValidActiveDefrag" => Ok(()),
        _ => Ok(()),
    }
}

/// glibc `inet_pton(AF_INET)`: exactly four decimal parts 0..255, no leading zeros.
fn is_inet_pton4(t: &str) -> bool {
    let parts: Vec<&str> = t.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// `validateProcTitleTemplate`: every `{name}` must be a known variable (`{{` is a literal
/// brace), and the expansion, trimmed of spaces, must not be empty. At validation time
/// `{title}` expands to nothing; `{server-mode}` and `{unixsocket}` may also be empty (we assume
/// they are: no cluster mode, no unix socket yet).
fn proc_title_template_ok(t: &[u8]) -> bool {
    let mut rest = t;
    let mut nonempty = false;
    while !rest.is_empty() {
        let Some(open) = rest.iter().position(|&b| b == b'{') else {
            nonempty |= rest.iter().any(|&b| b != b' ');
            break;
        };
        nonempty |= rest[..open].iter().any(|&b| b != b' ');
        let after = &rest[open + 1..];
        match after.first() {
            None => return false,
            Some(b'{') => {
                nonempty = true;
                rest = &after[1..];
                continue;
            }
            Some(_) => {}
        }
        let Some(close) = after.iter().position(|&b| b == b'}') else {
            return false;
        };
        match &after[..close] {
            b"title" | b"server-mode" | b"unixsocket" => {}
            b"listen-addr" | b"config-file" | b"port" | b"tls-port" => nonempty = true,
            _ => return false,
        }
        rest = &after[close + 1..];
    }
    nonempty
}

/// Checks redis-server makes after parsing (ACL load, users with an aclfile, ...).
pub fn finish(state: &SpecialState, catalog: &Catalog, aclfile_set: bool) -> Vec<LateError> {
    let Some(first) = state.users.first() else {
        return Vec::new();
    };
    if aclfile_set {
        return vec![LateError {
            line_id: Some(first.line_id),
            message: "Configuring Redis with users defined in redis.conf and at the same \
                      setting an ACL file path is invalid. This setup is very likely to lead \
                      to configuration errors and security holes, please define either an ACL \
                      file or declare users directly in your redis.conf, but not both."
                .into(),
        }];
    }
    let model = AclModel::new(catalog, state.acl_pubsub_allchannels);
    let judge_names = !state.modules && !catalog.commands.is_empty();
    for u in &state.users {
        let name = String::from_utf8_lossy(&u.name);
        if u.name
            .iter()
            .any(|&b| crate::syntax::is_c_space(b) || b == 0)
        {
            return vec![LateError {
                line_id: Some(u.line_id),
                message: "Spaces not allowed in ACL usernames".into(),
            }];
        }
        let mut user = ScratchUser::new(&model);
        for rule in &u.rules {
            match user.apply(&model, rule) {
                Ok(()) => {}
                Err(AclError::NoEnt) if !judge_names => {}
                Err(e) => {
                    return vec![LateError {
                        line_id: Some(u.line_id),
                        message: format!(
                            "Error loading ACL rule '{}' for the user named '{}': {}",
                            String::from_utf8_lossy(c_str(rule)),
                            name,
                            e.message()
                        ),
                    }];
                }
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    //! Case ids refer to `redis-config-cases.toml`; "observed" cases were run against Debian's
    //! redis-server 7.0.15 (`redis-server FILE --port 0 --unixsocket ''`, and full starts over a
    //! unix socket for ACL load errors).
    use super::*;

    fn cat(v: &str) -> &'static Catalog {
        Catalog::load(v.parse().unwrap()).unwrap()
    }

    /// Feed config lines the way the dispatcher does (lone MULTI_ARG value re-split, zero values
    /// if that fails) and return the first error with its 1-based line number.
    fn run_in(state: &mut SpecialState, c: &Catalog, text: &str) -> Result<(), (usize, String)> {
        for (n, line) in text.lines().enumerate() {
            let tokens = crate::syntax::tokenize(line.as_bytes(), c.version.quoting()).unwrap();
            let mut vals: ArgList = tokens.iter().map(|t| t.value(line.as_bytes())).collect();
            let name = String::from_utf8(vals[0].to_vec()).unwrap();
            vals = vals.skip(1);
            let (primary, spec) = c.lookup(&name).expect("known directive");
            if spec.is_multi_arg() && vals.len() == 1 && !vals[0].is_empty() {
                vals = match crate::syntax::tokenize(&vals[0], c.version.quoting()) {
                    Ok(t) => t.iter().map(|t| t.value(&vals[0])).collect(),
                    Err(_) => ArgList::new(),
                };
            }
            let r = match (spec.value_type, spec.validator) {
                (crate::catalog::ValueType::Special, _) => {
                    check_special(state, c, n + 1, primary, &vals)
                }
                (_, Some(validator)) => check_validator(c, primary, validator, &vals.joined(b' ')),
                _ => Ok(()),
            };
            r.map_err(|m| (n + 1, m))?;
        }
        Ok(())
    }

    fn run(v: &str, text: &str) -> Result<(), (usize, String)> {
        let c = cat(v);
        let mut state = SpecialState::new(c);
        run_in(&mut state, c, text)
    }

    fn err(line: usize, msg: &str) -> Result<(), (usize, String)> {
        Err((line, msg.to_string()))
    }

    /// Parse, then the startup checks: the first late error.
    fn late(v: &str, text: &str, aclfile: bool) -> Option<LateError> {
        let c = cat(v);
        let mut state = SpecialState::new(c);
        run_in(&mut state, c, text).expect("parses");
        finish(&state, c, aclfile).into_iter().next()
    }

    fn late_msg(v: &str, text: &str) -> Option<String> {
        late(v, text, false).map(|e| e.message)
    }

    #[test]
    fn renaming_onto_a_command_that_exists_fails() {
        let c = cat("7.0");
        let mut s = SpecialState::new(c);
        let args = |a: &str, b: &str| [a, b].into_iter().collect::<ArgList>();
        assert_eq!(
            check_special(&mut s, c, 1, "rename-command", &args("GET", "g")),
            Ok(())
        );
        assert_eq!(
            check_special(&mut s, c, 2, "rename-command", &args("g", "SET")),
            Err("Target command name already exists".into())
        );
    }

    #[test]
    fn save() {
        // save-one-arg, save-trailing-junk, save-inline-comment: lenient up to 6.2
        for v in ["2.8", "5.0", "6.2"] {
            assert_eq!(run(v, "save 900"), Ok(()));
            assert_eq!(run(v, "save 10abc 1"), Ok(()));
            assert_eq!(run(v, "save 900 1 # comment"), Ok(()));
            assert_eq!(run(v, "save \"900 1\""), Ok(())); // save-quoted-pairs
            assert_eq!(run(v, "save 0 1"), err(1, "Invalid save parameters")); // save-zero-seconds
        }
        for v in ["7.0", "7.4", "valkey-8.0"] {
            assert_eq!(run(v, "save 900"), err(1, "Invalid save parameters"));
            assert_eq!(run(v, "save 10abc 1"), err(1, "Invalid save parameters"));
            assert_eq!(
                run(v, "save 900 1 # comment"),
                err(1, "Invalid save parameters")
            );
            assert_eq!(run(v, "save 0 1"), err(1, "Invalid save parameters"));
            assert_eq!(run(v, "save 900 1 300 10"), Ok(())); // save-four-args
            assert_eq!(run(v, "save \"900 1\""), Ok(()));
            assert_eq!(run(v, "save \"\""), Ok(())); // save-empty
            assert_eq!(run(v, "save"), Ok(()));
        }
        // observed on 7.0: strtoll skips spaces and takes '+'; an empty count is 0
        assert_eq!(run("7.0", "save \" 5\" 1"), Ok(()));
        assert_eq!(run("7.0", "save +5 1"), Ok(()));
        assert_eq!(run("7.0", "save 5 \"\""), Ok(()));
        assert_eq!(run("7.0", "save 99999999999999999999 1"), Ok(()));
        assert_eq!(
            run("7.0", "save \"\" \"\""),
            err(1, "Invalid save parameters")
        );
    }

    #[test]
    fn bind() {
        let line = format!(
            "bind {}",
            (1..=17)
                .map(|i| format!("127.0.0.{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        // bind-17
        assert_eq!(
            run("6.2", &line),
            err(1, "Too many bind addresses specified")
        );
        assert_eq!(
            run("2.8", &line),
            err(1, "Too many bind addresses specified")
        );
        assert_eq!(
            run("7.0", &line),
            err(1, "Too many bind addresses specified.")
        );
        assert_eq!(run("7.0", "bind 0.0.0.0 ::"), Ok(())); // bind-multi
        assert_eq!(run("7.0", "bind"), Ok(())); // bind-noarg (7.0+)
        assert_eq!(run("6.2", "bind 127.0.0.1 # comment"), Ok(())); // bind-inline-comment
    }

    #[test]
    fn replicaof() {
        // replicaof-badport
        assert_eq!(run("5.0", "replicaof 127.0.0.1 abc"), Ok(()));
        assert_eq!(
            run("6.0", "replicaof 127.0.0.1 abc"),
            err(1, "Invalid master port")
        );
        assert_eq!(
            run("7.0", "replicaof 127.0.0.1 abc"),
            err(1, "Invalid master port")
        );
        assert_eq!(
            run("valkey-7.2", "replicaof 127.0.0.1 abc"),
            err(1, "Invalid master port")
        );
        assert_eq!(
            run("valkey-8.0", "replicaof 127.0.0.1 abc"),
            err(1, "Invalid primary port")
        );
        assert_eq!(run("7.0", "replicaof \"127.0.0.1 6399\""), Ok(())); // replicaof-quoted
        // Observed on 7.0.15: the port is truncated to an int.
        assert_eq!(run("7.0", "replicaof 1.2.3.4 4294967296"), Ok(()));
        assert_eq!(run("7.0", "replicaof 1.2.3.4 -4294967296"), Ok(()));
        assert_eq!(
            run("7.0", "replicaof 1.2.3.4 2147483648"),
            err(1, "Invalid master port")
        );
        assert_eq!(
            run("7.0", "replicaof 1.2.3.4 99999999999999999999"),
            err(1, "Invalid master port")
        );
        assert_eq!(run("2.8", "slaveof no one"), Ok(())); // slaveof-noone-args
        assert_eq!(run("7.0", "slaveof no one"), Ok(()));
        // observed on 7.0
        assert_eq!(run("7.0", "replicaof NO ONE"), Ok(()));
        assert_eq!(run("7.0", "replicaof h \" 80\""), Ok(()));
        assert_eq!(run("7.0", "replicaof h \"\""), Ok(()));
        assert_eq!(
            run("7.0", "replicaof h 65536"),
            err(1, "Invalid master port")
        );
        assert_eq!(
            run("7.0", "replicaof h"),
            err(1, "wrong number of arguments")
        );
        assert_eq!(
            run("7.0", "replicaof h 1 2"),
            err(1, "wrong number of arguments")
        );
        assert_eq!(run("7.0", "replicaof"), err(1, "wrong number of arguments"));
    }

    #[test]
    fn client_output_buffer_limit() {
        // cobl-master
        assert_eq!(
            run("2.8", "client-output-buffer-limit master 0 0 0"),
            err(1, "Unrecognized client limit class")
        );
        let long = "Unrecognized client limit class: the user specified an invalid one, or \
                    'master' which has no buffer limits.";
        assert_eq!(
            run("6.2", "client-output-buffer-limit master 0 0 0"),
            err(1, long)
        );
        assert_eq!(
            run("7.0", "client-output-buffer-limit master 0 0 0"),
            err(
                1,
                "Invalid client class specified in buffer limit configuration."
            )
        );
        // cobl-replica
        assert_eq!(
            run("4.0", "client-output-buffer-limit replica 256mb 64mb 60"),
            err(1, long)
        );
        assert_eq!(
            run("5.0", "client-output-buffer-limit replica 256mb 64mb 60"),
            Ok(())
        );
        // cobl-8args, cobl-bad-number
        assert_eq!(
            run(
                "7.0",
                "client-output-buffer-limit normal 0 0 0 pubsub 32mb 8mb 60"
            ),
            Ok(())
        );
        assert_eq!(
            run("6.2", "client-output-buffer-limit normal 1x 0 0"),
            Ok(())
        );
        let bad = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        assert_eq!(
            run("7.0", "client-output-buffer-limit normal 1x 0 0"),
            err(1, bad)
        );
        assert_eq!(
            run("6.2", "client-output-buffer-limit normal 0 0 -1"),
            err(1, "Negative number of seconds in soft limit is invalid")
        );
        // observed on 7.0
        assert_eq!(
            run(
                "7.0",
                "client-output-buffer-limit normal 1gb 1MB 4294967295"
            ),
            err(1, bad)
        );
        assert_eq!(
            run(
                "7.0",
                "client-output-buffer-limit normal 1gb 1MB 2147483648"
            ),
            err(1, bad)
        );
        assert_eq!(
            run("7.0", "client-output-buffer-limit normal 1 -1 5"),
            err(1, bad)
        );
        assert_eq!(
            run("7.0", "client-output-buffer-limit normal \"\" \"\" \"\""),
            Ok(())
        );
        assert_eq!(
            run("7.0", "client-output-buffer-limit normal b k 0"),
            Ok(())
        );
        assert_eq!(
            run("7.0", "client-output-buffer-limit NORMAL 1 1 +5"),
            Ok(())
        );
        assert_eq!(run("7.0", "client-output-buffer-limit"), Ok(()));
        assert_eq!(
            run("7.0", "client-output-buffer-limit normal 0 0"),
            err(
                1,
                "Wrong number of arguments in buffer limit configuration."
            )
        );
    }

    #[test]
    fn oom_score_adj_values() {
        // oom-two
        assert_eq!(
            run("7.0", "oom-score-adj-values 0 200"),
            err(1, "wrong number of arguments")
        );
        // observed on 7.0
        assert_eq!(run("7.0", "oom-score-adj-values 0 \" 200\" +800"), Ok(()));
        assert_eq!(run("7.0", "oom-score-adj-values \"0 200 800\""), Ok(()));
        let range = "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
        assert_eq!(run("7.0", "oom-score-adj-values 0 200 2001"), err(1, range));
        assert_eq!(run("6.2", "oom-score-adj-values 0 200 x"), err(1, range));
    }

    #[test]
    fn notify_keyspace_events() {
        // nke-bad, notify-empty
        let old = "Invalid event class character. Use 'g$lshzxeA'.";
        let new = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
        assert_eq!(run("2.8", "notify-keyspace-events Q"), err(1, old));
        assert_eq!(run("6.2", "notify-keyspace-events Q"), err(1, old));
        assert_eq!(run("7.0", "notify-keyspace-events Q"), err(1, new));
        assert_eq!(run("7.0", "notify-keyspace-events \"\""), Ok(()));
        // letters by version (notify.c): t from 5.0, m 6.0, d 6.2, n 7.0
        assert_eq!(run("4.0", "notify-keyspace-events Et"), err(1, old));
        assert_eq!(run("5.0", "notify-keyspace-events Et"), Ok(()));
        assert_eq!(run("6.2", "notify-keyspace-events KEn"), err(1, old));
        assert_eq!(run("7.0", "notify-keyspace-events KEA$n"), Ok(())); // observed
        assert_eq!(run("7.0", "notify-keyspace-events KEAQ"), err(1, new)); // observed
    }

    #[test]
    fn latency_tracking_info_percentiles() {
        // observed on 7.0
        let invalid = "Invalid latency-tracking-info-percentiles parameters";
        let range = "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
        let p = |s: &str| run("7.0", &format!("latency-tracking-info-percentiles {s}"));
        assert_eq!(p("50 99.9 0x10"), Ok(()));
        assert_eq!(p("+5 1e1 .5 5."), Ok(()));
        assert_eq!(p("\" 5\""), Ok(())); // re-split: the space is a separator
        assert_eq!(p("\"\""), Ok(()));
        assert_eq!(p("50 inf"), err(1, range));
        assert_eq!(p("100.5"), err(1, range));
        assert_eq!(p("1e-400"), err(1, invalid));
        assert_eq!(p("nan"), err(1, invalid));
        assert_eq!(p("5x"), err(1, invalid));
    }

    #[test]
    fn rename_command() {
        for v in ["2.8", "5.0", "6.2", "7.0", "valkey-8.0"] {
            assert_eq!(run(v, "rename-command CONFIG \"\""), Ok(())); // rename-empty
            assert_eq!(
                run(v, "rename-command NOSUCHCMD foo"),
                err(1, "No such command in rename-command")
            ); // rename-unknown
            assert_eq!(
                run(v, "rename-command GET SET"),
                err(1, "Target command name already exists")
            ); // rename-collide
            assert_eq!(
                run(v, "rename-command CONFIG a\nrename-command CONFIG b"),
                err(2, "No such command in rename-command")
            ); // rename-twice
            assert_eq!(
                run(v, "rename-command CONFIG a\nrename-command a b"),
                Ok(())
            ); // rename-chain
        }
        // rename-subcmd: not found up to 6.2, a crash from 7.0
        assert_eq!(
            run("6.2", "rename-command config|get x"),
            err(1, "No such command in rename-command")
        );
        let crash = run("7.0", "rename-command config|get x").unwrap_err();
        assert!(crash.1.contains("crashes"), "{crash:?}");
        assert!(run("7.4", "rename-command CONFIG|GET x").is_err());
        // observed on 7.0: a command without subcommands is simply not found
        assert_eq!(
            run("7.0", "rename-command get|x y"),
            err(1, "No such command in rename-command")
        );
        // the renamed container keeps its subcommands
        assert!(run("7.0", "rename-command config c\nrename-command c|get x").is_err());
    }

    #[test]
    fn user_parse_errors() {
        // user-basic
        assert_eq!(run("6.0", "user alice on >pw ~* +@all"), Ok(()));
        assert_eq!(run("7.0", "user alice on >pw ~* +@all"), Ok(()));
        // user-dup
        assert_eq!(run("6.2", "user alice on\nuser alice off"), Ok(()));
        assert_eq!(
            run("7.0", "user alice on\nuser alice off"),
            err(
                2,
                "Error in user declaration 'alice': Duplicate user found. A user can only be \
                 defined once in config files"
            )
        );
        assert_eq!(run("7.0", "user alice on\nuser Alice off"), Ok(())); // case-sensitive
        // user-badrule: 7.0+ names the token two to the left
        assert_eq!(
            run("6.2", "user alice on >pw badrule"),
            err(1, "Error in user declaration 'badrule': Syntax error")
        );
        assert_eq!(
            run("7.0", "user alice on >pw badrule"),
            err(1, "Error in user declaration 'on': Syntax error")
        );
        assert_eq!(
            run("valkey-8.0", "user alice on >pw badrule"),
            err(1, "Error in user declaration 'on': Syntax error")
        );
        // user-unknown-cmd parses
        assert_eq!(run("7.0", "user alice on +nosuchcommand"), Ok(()));
    }

    #[test]
    fn user_rules_observed_on_7_0() {
        let e = |tok: &str, msg: &str| err(1, &format!("Error in user declaration '{tok}': {msg}"));
        let enoent = "Unknown command or category name in ACL";
        assert_eq!(run("7.0", "user a on (+get"), e("a", enoent));
        assert_eq!(run("7.0", "user a on x (+get"), e("on", enoent));
        assert_eq!(run("7.0", "user a on (~x"), e("a", enoent));
        assert_eq!(run("7.0", "user a ( ~x )"), Ok(()));
        assert_eq!(run("7.0", "user a (~x (+get )"), Ok(()));
        assert_eq!(run("7.0", "user a (~x (+get ) x)"), e("a", "Syntax error"));
        assert_eq!(run("7.0", "user a on \"( ~x \\\" )\""), Ok(()));
        assert_eq!(
            run("7.0", "user a +config|get|x"),
            e(
                "user",
                "Allowing first-arg of a subcommand is not supported"
            )
        );
        assert_eq!(run("7.0", "user a %~x"), e("user", "Syntax error"));
        assert_eq!(run("7.0", "user a %RW"), Ok(()));
        assert_eq!(
            run("7.0", "user a on >p ~a ~* ~b"),
            e("~a", AclError::KeysAfterAll.message())
        );
        assert_eq!(
            run("7.0", "user a #abc"),
            e("user", AclError::BadHash.message())
        );
        assert_eq!(
            run(
                "7.0",
                &format!("user a !{}", "0123456789".repeat(7).get(..64).unwrap())
            ),
            e("user", AclError::NoSuchPassword.message())
        );
        assert_eq!(
            run("7.0", "user a >x <x <x"),
            e(">x", AclError::NoSuchPassword.message())
        );
        assert_eq!(run("7.0", "user a +GET +@READ +@All"), Ok(()));
        assert_eq!(run("7.0", "user a +get|x"), Ok(()));
        // 7.2+ no longer restarts a selector inside an open one: "(+get" is then a bad rule
        // (source: ACLMergeSelectorArguments)
        assert_eq!(run("7.2", "user a (~x (+get )"), e("user", "Syntax error"));
    }

    #[test]
    fn user_rules_by_family() {
        // 6.0: a subcommand of a fully allowed command is refused (acl.c EBUSY)
        assert_eq!(
            run("6.0", "user a +@all +config|get"),
            err(
                1,
                &format!(
                    "Error in user declaration '+config|get': {}",
                    AclError::SubcommandOfAllowed.message()
                )
            )
        );
        assert_eq!(run("6.2", "user a +@all +config|get"), Ok(()));
        // channels exist from 6.2; 6.2 starts users with all channels (acl-pubsub-default)
        assert_eq!(
            run("6.0", "user a &chan"),
            err(1, "Error in user declaration '&chan': Syntax error")
        );
        assert_eq!(
            run("6.2", "user a &chan"),
            err(
                1,
                &format!(
                    "Error in user declaration '&chan': {}",
                    AclError::ChannelsAfterAll.message()
                )
            )
        );
        assert_eq!(run("6.2", "user a resetchannels &chan"), Ok(()));
        assert_eq!(run("7.0", "user a &chan"), Ok(()));
        // selectors are 7.0+
        assert_eq!(
            run("6.2", "user a (~x)"),
            err(1, "Error in user declaration '(~x)': Syntax error")
        );
        // a password added in clear can be removed by its hash
        let hash = acl::sha256_hex(b"x");
        assert_eq!(run("7.0", &format!("user a >x !{hash}")), Ok(()));
    }

    #[test]
    fn sha256_known_vector() {
        assert_eq!(
            acl::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            acl::sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn acl_load_errors() {
        let rule = |r: &str, u: &str| {
            Some(format!(
                "Error loading ACL rule '{r}' for the user named '{u}': Unknown command or \
                 category name in ACL"
            ))
        };
        // user-unknown-cmd and full starts observed on 7.0
        assert_eq!(
            late_msg("7.0", "user alice on +nosuchcommand"),
            rule("+nosuchcommand", "alice")
        );
        assert_eq!(
            late_msg("6.0", "user alice on +nosuchcommand"),
            rule("+nosuchcommand", "alice")
        );
        assert_eq!(late_msg("7.0", "user a -"), rule("-", "a"));
        assert_eq!(late_msg("7.0", "user a +"), rule("+", "a"));
        assert_eq!(late_msg("7.0", "user a -@"), rule("-@", "a"));
        assert_eq!(late_msg("7.0", "user a +@nosuch"), rule("+@nosuch", "a"));
        assert_eq!(
            late_msg("7.0", "user a +config|nosuch"),
            rule("+config|nosuch", "a")
        );
        assert_eq!(
            late_msg("7.0", "user a -config|nosuch"),
            rule("-config|nosuch", "a")
        );
        assert_eq!(late_msg("7.0", "user a -get|x"), rule("-get|x", "a"));
        assert_eq!(
            late_msg("7.0", "user a (+nosuch badrule)"),
            rule("(+nosuch badrule)", "a")
        );
        assert_eq!(late_msg("7.0", "user a +get|x"), None);
        assert_eq!(late_msg("7.0", "user default on nopass +@all ~*"), None);
        assert_eq!(
            late_msg("7.0", "user \"a b\" on"),
            Some("Spaces not allowed in ACL usernames".into())
        );
        // blame the user line
        assert_eq!(
            late("7.0", "user a on\nuser b +nosuch", false)
                .unwrap()
                .line_id,
            Some(2)
        );
        // users plus an aclfile
        let both = late("7.0", "user a on", true).unwrap();
        assert!(
            both.message
                .starts_with("Configuring Redis with users defined in redis.conf")
        );
        assert_eq!(both.line_id, Some(1));
        // a module may add the command: not judged
        assert_eq!(late_msg("7.0", "loadmodule /x.so\nuser a +mod.cmd"), None);
        // 6.x loads every definition in turn (acl.c ACLLoadConfiguredUsers)
        assert_eq!(
            late_msg("6.2", "user a +nosuch\nuser a on"),
            rule("+nosuch", "a")
        );
        assert_eq!(late_msg("6.2", "user a on\nuser a off"), None);
    }

    #[test]
    fn validators() {
        // dbfilename-path, dbfilename-empty
        for v in ["6.0", "7.0", "valkey-8.0"] {
            assert_eq!(
                run(v, "dbfilename /tmp/dump.rdb"),
                err(1, "dbfilename can't be a path, just a filename")
            );
        }
        assert_eq!(run("7.0", "dbfilename \"\""), Ok(()));
        assert_eq!(
            run("valkey-8.0", "dbfilename \"\""),
            err(1, "dbfilename can't be empty")
        );
        // shutdown-conflict
        assert_eq!(
            run("7.0", "shutdown-on-sigterm save nosave"),
            err(
                1,
                "shutdown options SAVE and NOSAVE can't be used simultaneously"
            )
        );
        assert_eq!(run("7.0", "shutdown-on-sigint nosave now"), Ok(())); // shutdown-flags
        // observed on 7.0
        assert_eq!(
            run("7.0", "appendfilename \"\""),
            err(1, "appendfilename can't be empty")
        );
        assert_eq!(
            run("7.0", "appenddirname a/b"),
            err(1, "appenddirname can't be a path, just a dirname")
        );
        assert_eq!(
            run("7.0", "cluster-announce-hostname a_b"),
            err(
                1,
                "Hostnames may only contain alphanumeric characters, hyphens or dots"
            )
        );
        assert_eq!(run("7.0", "cluster-announce-hostname a.b-c"), Ok(()));
        let tmpl = "template format is invalid or contains unknown variables";
        assert_eq!(run("7.0", "proc-title-template \"\""), err(1, tmpl));
        assert_eq!(run("7.0", "proc-title-template {title}"), err(1, tmpl));
        assert_eq!(
            run("7.0", "proc-title-template \"{title} {server-mode}\""),
            err(1, tmpl)
        );
        assert_eq!(run("7.0", "proc-title-template {x}"), err(1, tmpl));
        assert_eq!(run("7.0", "proc-title-template {"), err(1, tmpl));
        assert_eq!(run("7.0", "proc-title-template }"), Ok(()));
        assert_eq!(run("7.0", "proc-title-template {{"), Ok(()));
        assert_eq!(
            run("7.0", "proc-title-template \"{title} {listen-addr}\""),
            Ok(())
        );
        // Valkey 8.0 extra validators (config.c)
        assert_eq!(
            run("valkey-8.0", "cluster-config-file \"\""),
            err(1, "cluster-config-file can't be empty")
        );
        assert_eq!(
            run("valkey-8.0", "cluster-announce-client-ipv4 1.2.3"),
            err(1, "Invalid IPv4 address")
        );
        assert_eq!(
            run("valkey-8.0", "cluster-announce-client-ipv4 10.0.0.1"),
            Ok(())
        );
        assert_eq!(
            run("valkey-8.0", "cluster-announce-client-ipv6 10.0.0.1"),
            err(1, "Invalid IPv6 address")
        );
        assert_eq!(
            run("valkey-8.0", "cluster-announce-client-ipv6 ::1"),
            Ok(())
        );
    }

    #[test]
    fn dir_sentinel_requirepass() {
        // dir-empty: only Valkey 8.0 decides it without the file system
        assert_eq!(run("valkey-8.0", "dir \"\""), err(1, "dir can't be empty"));
        assert_eq!(run("7.0", "dir /tmp"), Ok(()));
        // sentinel-in-server, sentinel-alone (observed on 7.0 too)
        for v in ["2.8", "6.2", "7.0"] {
            assert_eq!(
                run(v, "sentinel monitor m 127.0.0.1 6399 2"),
                err(1, "sentinel directive while not in sentinel mode")
            );
            assert_eq!(run(v, "sentinel"), Ok(()));
        }
        // requirepass-600
        let long = format!("requirepass {}", "p".repeat(600));
        assert_eq!(
            run("2.8", &long),
            err(1, "Password is longer than REDIS_AUTHPASS_MAX_LEN")
        );
        assert_eq!(
            run("3.0", &long),
            err(1, "Password is longer than REDIS_AUTHPASS_MAX_LEN")
        );
        assert_eq!(
            run("6.0", &long),
            err(1, "Password is longer than CONFIG_AUTHPASS_MAX_LEN")
        );
        assert_eq!(
            run("6.0", &format!("requirepass {}", "p".repeat(512))),
            Ok(())
        );
    }
}
