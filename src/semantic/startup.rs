//! What redis-server refuses after the parse loop and at startup, judged from the effective
//! values alone (the last line of each directive): listeners that cannot all be opened, TLS
//! without what it needs, cluster mode with a primary or a bus port out of range, and module
//! configs no module claims. These read no loader state (module configs take the list of lines
//! read as such), so they hold for any set of effective values.

use super::arglist::ArgList;
use super::model::{Entry, Model};
use crate::checks::Check;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::version::Version;
use std::collections::HashMap;

/// The effective values the checks read: every line, and the last valid one of each directive.
pub struct EffectiveValues<'a> {
    pub entries: &'a [Entry],
    /// Primary name → index of its last valid entry.
    pub last: &'a HashMap<String, usize>,
    pub version: Version,
    /// A Sentinel (its port defaults to 26379).
    pub sentinel: bool,
}

impl EffectiveValues<'_> {
    /// The first value of the last line of `name`, and where that line is.
    fn effective(&self, name: &str) -> Option<(&[u8], Option<Span>)> {
        let e = &self.entries[*self.last.get(name)?];
        // A template's value is the renderer's to know.
        if e.opaque {
            return None;
        }
        Some((e.args.first()?, e.span().cloned()))
    }

    /// The effective value of `name` as a plain number, when it is written as one.
    fn effective_number(&self, name: &str) -> Option<i64> {
        let (a, _) = self.effective(name)?;
        std::str::from_utf8(a).ok()?.parse().ok()
    }

    /// The effective `port`, with the default of the mode (a Sentinel's is 26379).
    fn effective_port(&self) -> i64 {
        self.effective_number("port")
            .unwrap_or(if self.sentinel { 26379 } else { 6379 })
    }
}

fn late(check: Check, span: Option<Span>, message: String, help: Option<String>) -> Diagnostic {
    let mut d = check.at(span, message);
    d.help = help;
    d
}

/// What redis-server would refuse at startup with a model's values (listeners, TLS, cluster
/// mode): on a running server, the values it could not restart with.
pub fn refusals(model: &Model) -> Vec<Diagnostic> {
    check(&EffectiveValues {
        entries: &model.entries,
        last: &model.last,
        version: model.target,
        sentinel: model.sentinel,
    })
}

/// The start-up refusals of `values`, in the order redis-server meets them.
pub fn check(v: &EffectiveValues) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    conflicting_primary(v, &mut out);
    unknown_locale(v, &mut out);
    unresolvable_binds(v, &mut out);
    cluster_bus_port(v, &mut out);
    cluster_bus_without_bind(v, &mut out);
    startup_listeners(v, &mut out);
    out
}

/// Cluster nodes get their primary from the cluster: `replicaof` in cluster mode is refused.
fn conflicting_primary(v: &EffectiveValues, out: &mut Vec<Diagnostic>) {
    let cluster = v
        .effective("cluster-enabled")
        .is_some_and(|(a, _)| a.eq_ignore_ascii_case(b"yes"));
    // The primary's name is `slaveof` before 5.0; from 6.0 `replicaof no one` sets no
    // primary at all.
    let primary = ["replicaof", "slaveof"]
        .iter()
        .find_map(|name| v.last.get(*name).map(|&i| (*name, i)));
    let sets_primary = |args: &ArgList| {
        !(v.version.at_least(6, 0)
            && args.len() == 2
            && args[0].eq_ignore_ascii_case(b"no")
            && args[1].eq_ignore_ascii_case(b"one"))
    };
    if cluster
        && let Some((name, i)) = primary
        && sets_primary(&v.entries[i].args)
    {
        let span = v.entries[i].span().cloned();
        out.push(late(
            Check::ConflictingDirectives,
            span,
            format!("`{name}` is not allowed in cluster mode (`cluster-enabled yes`)"),
            Some("remove `replicaof`: cluster nodes get their primary from the cluster".into()),
        ));
    }
}

/// `bind` addresses no resolver can turn into an address (`#` of a comment written after
/// the values): redis-server exits when it cannot listen on one ("Could not create server
/// TCP listening socket"). Only when it listens on TCP at all.
fn unresolvable_binds(v: &EffectiveValues, out: &mut Vec<Diagnostic>) {
    if v.effective_port() == 0 && v.effective_number("tls-port").unwrap_or(0) == 0 {
        return;
    }
    let Some(&i) = v.last.get("bind") else {
        return;
    };
    let entry = &v.entries[i];
    if entry.opaque {
        return;
    }
    // Letters, digits and what IPv4, IPv6 (with a zone) and host names are written with.
    // A host name label never starts with `-` (`bind --port`, made by a command line whose
    // `--bind` took the next option as its value).
    let resolvable = |a: &[u8]| {
        a.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b".:-_%*".contains(&b))
            && !a.starts_with(b"-")
    };
    let Some((index, address)) = entry
        .args
        .iter()
        .enumerate()
        // `-` makes an address optional only when it does not exist here, not when its
        // name cannot be resolved (7.0.15 exits on `-#` too).
        .find(|(_, a)| {
            let a = a.strip_prefix(b"-").unwrap_or(a);
            !a.is_empty() && !resolvable(a)
        })
    else {
        return;
    };
    let span = entry.arg_span(index).or_else(|| entry.span().cloned());
    let shown = quoted_prefix(address);
    let help = if address.starts_with(b"#") {
        "redis.conf has no inline comments: everything after `bind` is an address; move the comment to its own line"
    } else {
        "bind IP addresses or host names the server can resolve"
    };
    out.push(late(
        Check::BindUnresolvable,
        span,
        format!("`bind` address `{shown}` cannot be resolved: redis-server exits with \"Could not create server TCP listening socket\""),
        Some(help.into()),
    ));
}

/// initServer (7.2+): `setlocale(LC_COLLATE, locale-collate)`; a name that is no locale at
/// all makes the server exit ("Failed to configure LOCALE for invalid locale name"). A name
/// of the right shape may still be missing on the host, which no file shows.
fn unknown_locale(v: &EffectiveValues, out: &mut Vec<Diagnostic>) {
    if !v.version.at_least(7, 2) {
        return;
    }
    let Some((name, span)) = v.effective("locale-collate") else {
        return;
    };
    if is_locale_name(name) {
        return;
    }
    out.push(late(
        Check::UnknownLocale,
        span,
        format!(
            "`locale-collate {}` is no locale name: the server exits with \"Failed to configure LOCALE for invalid locale name\"",
            quoted_prefix(name)
        ),
        Some("use `\"\"` (the environment's locale), `C`, `POSIX` or a name like `en_US.UTF-8` that `locale -a` lists on the host".into()),
    ));
}

/// `""`, `C`, `POSIX`, `C.UTF-8`, or `language[_TERRITORY][.codeset][@modifier]` as glibc
/// spells locale names (`en_US.UTF-8`, `de_DE@euro`).
fn is_locale_name(name: &[u8]) -> bool {
    if name.is_empty() || name == b"C" || name == b"POSIX" {
        return true;
    }
    let rest = match name.iter().position(|&b| b == b'@') {
        Some(at) => &name[..at],
        None => name,
    };
    let (rest, codeset) = match rest.iter().position(|&b| b == b'.') {
        Some(dot) => (&rest[..dot], Some(&rest[dot + 1..])),
        None => (rest, None),
    };
    // glibc builds in one codeset of `C`, UTF-8, and loads it only when the codeset asked
    // for, stripped as iconv strips charset names, is one of its names (`UTF-8"` is, `U-T-F-8`
    // is not).
    if rest == b"C" {
        return codeset
            .map(gconv_strip)
            .is_some_and(|c| c == b"UTF-8" || c == b"UTF8");
    }
    // Other locales are the host's: only a codeset spelled like a charset name can be there.
    if codeset
        .is_some_and(|c| c.is_empty() || !c.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-'))
    {
        return false;
    }
    let (language, territory) = match rest.iter().position(|&b| b == b'_') {
        Some(u) => (&rest[..u], Some(&rest[u + 1..])),
        None => (rest, None),
    };
    (2..=3).contains(&language.len())
        && language.iter().all(u8::is_ascii_lowercase)
        && territory.is_some_and(|t| t.len() == 2 && t.iter().all(u8::is_ascii_uppercase))
}

/// The first word of a `tls-protocols` value the server does not know, split as it splits it:
/// at every single space, so two spaces in a row or one at an end make an empty word.
fn unknown_tls_protocol(value: &[u8]) -> Option<&[u8]> {
    if value.is_empty() {
        return None;
    }
    value.split(|&b| b == b' ').find(|word| {
        !["tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3"]
            .iter()
            .any(|known| word.eq_ignore_ascii_case(known.as_bytes()))
    })
}

/// A charset name as iconv compares it: letters, digits and `_-.,:` kept and uppercased, the
/// rest dropped.
fn gconv_strip(codeset: &[u8]) -> Vec<u8> {
    codeset
        .iter()
        .filter(|b| b.is_ascii_alphanumeric() || b"_-.,:".contains(b))
        .map(u8::to_ascii_uppercase)
        .collect()
}

/// clusterInit (7.2+, and every Valkey): the bus listens on the `bind` addresses, so
/// cluster mode with none (`bind ""`, or `bind` with no value) makes the server exit ("No
/// bind address is configured, but it is required for the Cluster bus"). From 7.2 this
/// runs before the listeners are set up, so it holds whatever the ports; on 7.0 it comes
/// after them (the rule `cluster/bus-without-bind-address` says so there).
fn cluster_bus_without_bind(v: &EffectiveValues, out: &mut Vec<Diagnostic>) {
    if !v.version.at_least(7, 2)
        || !v
            .effective("cluster-enabled")
            .is_some_and(|(a, _)| a.eq_ignore_ascii_case(b"yes"))
    {
        return;
    }
    let Some(&i) = v.last.get("bind") else {
        return;
    };
    let entry = &v.entries[i];
    // One empty value means "no address"; `bind "" ""` is two (empty) addresses.
    let none = entry.args.is_empty() || (entry.args.len() == 1 && entry.args[0].is_empty());
    if entry.opaque || !none {
        return;
    }
    out.push(late(
        Check::ClusterBusWithoutBindAddress,
        entry.span().cloned(),
        "cluster mode with no `bind` address: the server exits with \"No bind address is configured, but it is required for the Cluster bus\"".into(),
        Some("bind the addresses the other cluster nodes use to reach this one".into()),
    ));
}

/// clusterInit ("Port sanity check II"): without `cluster-port` the bus listens on the
/// client port (the TLS port with `tls-cluster yes`) plus 10000, so that port must be
/// 55535 or less, else redis-server exits ("Redis port number too high").
fn cluster_bus_port(v: &EffectiveValues, out: &mut Vec<Diagnostic>) {
    let yes =
        |v: Option<(&[u8], Option<Span>)>| v.is_some_and(|(a, _)| a.eq_ignore_ascii_case(b"yes"));
    if !yes(v.effective("cluster-enabled")) {
        return;
    }
    if v.version.at_least(7, 0) && v.effective_number("cluster-port").unwrap_or(0) != 0 {
        return;
    }
    let tls = v.version.at_least(6, 0) && yes(v.effective("tls-cluster"));
    let name = if tls { "tls-port" } else { "port" };
    let port = if tls {
        v.effective_number(name).unwrap_or(0)
    } else {
        v.effective_port()
    };
    if port <= 55_535 {
        return;
    }
    let span = v
        .effective(name)
        .and_then(|(_, s)| s)
        .or_else(|| v.effective("cluster-enabled").and_then(|(_, s)| s));
    out.push(late(
        Check::ClusterBusPortOutOfRange,
        span,
        format!("cluster mode with `{name} {port}` and no `cluster-port`: the bus port ({}) is above 65535 and redis-server exits (\"Redis port number too high\")", port + 10_000),
        Some("use a client port of 55535 or less, or (7.0+) set `cluster-port`; clients and peers must be told the new port".into()),
    ));
}

/// What initServer and clusterInit refuse before serving: TLS without what it needs, and
/// two listeners on one port (each seen to make redis-server 7.0 exit).
fn startup_listeners(v: &EffectiveValues, out: &mut Vec<Diagnostic>) {
    if !v.version.at_least(6, 0) {
        return;
    }
    let mut found: Vec<(Check, Option<Span>, String, Option<String>)> = Vec::new();
    let number = |v: Option<(&[u8], Option<Span>)>| {
        v.and_then(|(a, _)| std::str::from_utf8(a).ok()?.parse::<i64>().ok())
    };
    let yes =
        |v: Option<(&[u8], Option<Span>)>| v.is_some_and(|(a, _)| a.eq_ignore_ascii_case(b"yes"));
    let port = v.effective_port();
    let tls_port = number(v.effective("tls-port")).unwrap_or(0);
    let tls_replication = yes(v.effective("tls-replication"));
    let tls_cluster = yes(v.effective("tls-cluster"));
    let cluster = yes(v.effective("cluster-enabled"));
    // Where a finding about TLS is shown: the line that turns it on.
    let tls_at = [
        ("tls-port", tls_port != 0),
        ("tls-replication", tls_replication),
        ("tls-cluster", tls_cluster),
    ]
    .into_iter()
    .filter(|&(_, on)| on)
    .find_map(|(n, _)| v.effective(n).map(|(_, s)| (n, s)));
    if let Some((on, span)) = tls_at {
        let set = |name: &str| v.effective(name).is_some_and(|(a, _)| !a.is_empty());
        let missing: Vec<&str> = ["tls-cert-file", "tls-key-file"]
            .into_iter()
            .filter(|n| !set(n))
            .collect();
        let auth_clients = v
            .effective("tls-auth-clients")
            .is_none_or(|(a, _)| !a.eq_ignore_ascii_case(b"no"));
        let needs_ca = auth_clients || tls_replication || tls_cluster;
        if let Some(first) = missing.first() {
            found.push((
                Check::TlsIncomplete,
                span,
                format!("`{on}` turns TLS on but no `{first}` is set: redis-server exits with \"No {first} configured!\""),
                Some(format!("set {} to the server's certificate and key", missing.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" and "))),
            ));
        } else if needs_ca && !set("tls-ca-cert-file") && !set("tls-ca-cert-dir") {
            found.push((
                Check::TlsIncomplete,
                span,
                format!("`{on}` turns TLS on and checks client or peer certificates, but neither `tls-ca-cert-file` nor `tls-ca-cert-dir` is set: redis-server exits"),
                Some("set `tls-ca-cert-file` or `tls-ca-cert-dir`, or `tls-auth-clients no` when clients need no certificate".into()),
            ));
        } else if let Some((protocols, at)) = v.effective("tls-protocols")
            && let Some(word) = unknown_tls_protocol(protocols)
        {
            found.push((
                Check::TlsBadProtocols,
                at.or(span),
                format!(
                    "`tls-protocols` has {}, which is no TLS version: with `{on}` on, redis-server exits (\"Invalid tls-protocols specified\")",
                    if word.is_empty() {
                        "an empty word (two spaces in a row, or one at an end)".to_string()
                    } else {
                        format!("`{}`", String::from_utf8_lossy(word))
                    }
                ),
                Some("list versions separated by one space: `\"TLSv1.2 TLSv1.3\"`".into()),
            ));
        }
    }
    let at = |name: &str| v.effective(name).and_then(|(_, s)| s);
    if port != 0 && tls_port == port {
        let span = at("tls-port");
        found.push((
            Check::PortCollision,
            span,
            format!(
                "`tls-port {tls_port}` is also `port`: redis-server cannot listen twice on one port"
            ),
            Some("give `tls-port` its own port, or `port 0` for TLS only".into()),
        ));
    }
    if cluster && port != 0 {
        let cluster_port = if v.version.at_least(7, 0) {
            number(v.effective("cluster-port")).unwrap_or(0)
        } else {
            0
        };
        let (bus, span) = if cluster_port != 0 {
            (cluster_port, at("cluster-port"))
        } else {
            (port + 10_000, at("cluster-enabled"))
        };
        // A bus port over 65535 is cluster/bus-port-out-of-range.
        if let Some(other) = [("port", port), ("tls-port", tls_port)]
            .into_iter()
            .find(|&(_, p)| p != 0 && p == bus)
        {
            found.push((
                Check::PortCollision,
                span,
                format!("the cluster bus port {bus} is also `{}`: redis-server cannot listen twice on one port", other.0),
                Some("give the cluster bus its own port (`cluster-port`, 7.0+, or port + 10000)".into()),
            ));
        }
    }
    for (check, span, message, help) in found {
        out.push(late(check, span, message, help));
    }
}

/// Module configs (`a.b value`, 7.0+) with no `loadmodule`: no module claims them, so
/// redis-server aborts at startup. `module_configs` are the entries read as module configs.
/// Not part of [`check`]: only a file read says which lines are module configs.
pub fn module_configs_without_module(
    v: &EffectiveValues,
    module_configs: &[usize],
) -> Vec<Diagnostic> {
    // A Sentinel loads no modules, so it never applies (or misses) their configs.
    if v.sentinel || v.last.contains_key("loadmodule") {
        return Vec::new();
    }
    module_configs
        .iter()
        .map(|&i| {
            let e = &v.entries[i];
            late(
                Check::ModuleConfigWithoutModule,
                e.name_span(),
                format!(
                    "module config `{}` but no `loadmodule`: redis-server aborts at startup",
                    e.name
                ),
                Some("load the module that owns this config with `loadmodule`".into()),
            )
        })
        .collect()
}

/// At most a short prefix of an unknown name: an unknown line may be anything (a line of
/// `/etc/shadow` someone included).
pub(super) fn quoted_prefix(raw: &[u8]) -> String {
    const SHOWN: usize = 24;
    let text = String::from_utf8_lossy(raw);
    if text.chars().count() <= SHOWN {
        return text.into_owned();
    }
    let prefix: String = text.chars().take(SHOWN).collect();
    format!("{prefix}…")
}

#[cfg(test)]
mod tests {
    use super::is_locale_name;

    /// `locale-collate C.<codeset>` on Valkey 8.1.8 and 9.0.0 (glibc, with `C.utf8` the only
    /// locale installed): which names start and which exit "Failed to configure LOCALE".
    #[test]
    fn c_codesets_as_glibc_loads_them() {
        for ok in [
            "UTF-8", "UTF8", "utf8", "Utf-8", "UTF-8\"", "UTF-8 ", "U TF-8", "UTF8!", "utf-8!!",
            "!UTF-8", "utf-8@x", "utf8@",
        ] {
            assert!(is_locale_name(format!("C.{ok}").as_bytes()), "C.{ok}");
        }
        for refused in [
            "U-T-F-8", "UTF_8", "UTF-8x", "UTF-8-", "UTF--8", "-UTF-8", "UT-F8", "UTF-8!x",
            "UTF8-", "utf8 x", "UTF-88", "", "UTF-8.x", "ÜTF8",
        ] {
            assert!(
                !is_locale_name(format!("C.{refused}").as_bytes()),
                "C.{refused}"
            );
        }
        assert!(!is_locale_name(b"C@x"));
        assert!(!is_locale_name(b"POSIX.UTF-8"));
        assert!(is_locale_name(b"POSIX") && is_locale_name(b"C") && is_locale_name(b""));
    }
}
