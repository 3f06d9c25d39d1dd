//! Consistency of the configs of one replication group (`check --group`, `consistency/*`): what
//! no file shows alone. A replica's `masterauth` must be a password of its primary's user, the
//! renamed commands must be the same on both (the primary sends commands by their names: a
//! replica that renamed one differently cannot apply it), and the settings a failover carries
//! over must agree.

use crate::checks::Check;
use crate::diagnostic::Diagnostic;
use crate::semantic::facts::Facts;
use crate::semantic::{Entry, Model};
use crate::source::{FileId, Span};
use std::collections::BTreeMap;
use std::path::Path;

/// Settings that must be the same on every server of a group: a replica promoted by a
/// failover keeps its own.
const SAME_EVERYWHERE: &[&str] = &[
    "maxmemory",
    "maxmemory-policy",
    "appendonly",
    "cluster-node-timeout",
];

/// One config of the group, as read.
pub struct GroupMember<'a> {
    pub path: &'a Path,
    pub model: &'a Model,
}

/// The consistency findings of each member, in the order given.
pub fn findings(members: &[GroupMember]) -> Vec<Vec<Diagnostic>> {
    let mut out: Vec<Vec<Diagnostic>> = members.iter().map(|_| Vec::new()).collect();
    let servers: Vec<usize> = (0..members.len())
        .filter(|&i| !members[i].model.sentinel)
        .collect();
    for &i in &servers {
        let Some(p) = primary_of(members, &servers, i) else {
            continue;
        };
        let (replica, primary) = (&members[i], &members[p]);
        out[i].extend(masterauth(replica, primary));
        out[i].extend(renames_differ(replica, primary));
    }
    // Settings: each server against the first server of the group that differs from it.
    if let Some((&first, rest)) = servers.split_first() {
        for &i in rest {
            out[i].extend(settings(&members[i], &members[first]));
        }
    }
    out
}

/// Where a finding about `entry` is shown: its line, when it is a line of the checked file.
fn at(entry: Option<&Entry>) -> Option<Span> {
    entry
        .and_then(Entry::span)
        .filter(|s| s.file == FileId::ROOT)
        .cloned()
}

fn port(model: &Model, name: &str, index: usize) -> Option<i64> {
    let setting = model.get(name)?;
    std::str::from_utf8(setting.args.get(index)?)
        .ok()?
        .parse()
        .ok()
}

/// The upstream written in the file (`replicaof` / `slaveof`), with its line.
fn upstream(model: &Model) -> Option<(&Entry, i64)> {
    ["replicaof", "slaveof"]
        .into_iter()
        .filter(|n| model.catalog.lookup(n).is_some())
        .find_map(|n| {
            let entry = model.last_entry(n)?;
            let p = std::str::from_utf8(entry.args.get(1)?).ok()?.parse().ok()?;
            Some((entry, p))
        })
}

/// The primary of server `i`: the member whose port its `replicaof` names, else the one server
/// of the group that replicates from nobody.
fn primary_of(members: &[GroupMember], servers: &[usize], i: usize) -> Option<usize> {
    let (_, up) = upstream(members[i].model)?;
    let by_port = servers
        .iter()
        .copied()
        .find(|&j| j != i && port(members[j].model, "port", 0) == Some(up));
    by_port.or_else(|| {
        let roots: Vec<usize> = servers
            .iter()
            .copied()
            .filter(|&j| j != i && upstream(members[j].model).is_none())
            .collect();
        (roots.len() == 1).then(|| roots[0])
    })
}

fn masterauth(replica: &GroupMember, primary: &GroupMember) -> Option<Diagnostic> {
    let facts = Facts::compute(primary.model);
    let user_name = replica
        .model
        .get("masteruser")
        .map(|s| s.first_str().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "default".to_string());
    let user = if user_name == "default" {
        Some(&facts.default_user)
    } else {
        facts.users.iter().find(|u| u.name == user_name)
    };
    let auth_entry = replica.model.last_entry("masterauth");
    let auth = auth_entry.and_then(|e| e.args.first()).map(|a| a.to_vec());
    let where_ = || at(auth_entry).or_else(|| at(upstream(replica.model).map(|(e, _)| e)));
    let shown = primary.path.display();
    let problem = match user {
        None => format!(
            "`masteruser {user_name}` names no user of the primary {shown}: the replica cannot authenticate and never syncs"
        ),
        Some(u) if !u.on => format!(
            "the primary {shown} has user `{user_name}` off: the replica cannot authenticate and never syncs"
        ),
        Some(u) if u.nopass || (user_name == "default" && !facts.auth_required) => return None,
        Some(u) => {
            let mut known: Vec<Vec<u8>> = u
                .plaintext_passwords
                .iter()
                .map(|p| p.as_bytes().to_vec())
                .collect();
            // `requirepass` is the password of a default user no `user default` line sets.
            if user_name == "default"
                && !facts.default_user_declared
                && let Some(p) = primary.model.get("requirepass")
            {
                known.extend(p.args.first().map(|a| a.to_vec()));
            }
            // Hashed passwords (`#…`) cannot be compared with a plaintext here.
            if u.passwords > known.len() {
                return None;
            }
            match &auth {
                None => format!(
                    "no `masterauth`, but the primary {shown} wants a password of `{user_name}`: the replica cannot authenticate and never syncs"
                ),
                Some(a) if known.iter().any(|p| p == a) => return None,
                Some(_) => format!(
                    "`masterauth` is no password of user `{user_name}` on the primary {shown}: the replica cannot authenticate and never syncs"
                ),
            }
        }
    };
    let mut d = Check::MasterauthMismatch.at(where_(), problem);
    d.help = Some(format!(
        "set `masterauth` (and `masteruser`) to the credentials of a user the primary {shown} accepts"
    ));
    Some(d)
}

/// `rename-command` of a config: command → new name (empty: removed), lowercase.
fn rename_map(model: &Model) -> BTreeMap<String, String> {
    model
        .entries_of("rename-command")
        .filter_map(|e| {
            let from = String::from_utf8_lossy(e.args.first()?).to_ascii_lowercase();
            let to = String::from_utf8_lossy(e.args.get(1)?).to_ascii_lowercase();
            Some((from, to))
        })
        .collect()
}

fn renames_differ(replica: &GroupMember, primary: &GroupMember) -> Option<Diagnostic> {
    let (mine, theirs) = (rename_map(replica.model), rename_map(primary.model));
    if mine == theirs {
        return None;
    }
    let shown = |m: &BTreeMap<String, String>, c: &str| match m.get(c) {
        None => "not renamed".to_string(),
        Some(to) if to.is_empty() => "removed".to_string(),
        Some(_) => "renamed".to_string(),
    };
    let commands: Vec<String> = mine
        .keys()
        .chain(theirs.keys())
        .filter(|c| mine.get(*c) != theirs.get(*c))
        .map(|c| {
            format!(
                "{c} ({} here, {} there)",
                shown(&mine, c),
                shown(&theirs, c)
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let first = replica.model.entries_of("rename-command").next();
    let mut d = Check::RenameMismatch.at(
        at(first),
        format!(
            "`rename-command` differs from the primary {}: {}; the primary sends commands to its replicas by its names, so replication (and AOF replay after a failover) breaks on them",
            primary.path.display(),
            commands.join(", ")
        ),
    );
    d.help = Some(
        "rename (or remove) the same commands to the same names on every server of the group"
            .into(),
    );
    Some(d)
}

fn settings(member: &GroupMember, other: &GroupMember) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for name in SAME_EVERYWHERE {
        if member.model.catalog.lookup(name).is_none() {
            continue;
        }
        let (mine, theirs) = (
            member.model.server_value(name),
            other.model.server_value(name),
        );
        if mine == theirs {
            continue;
        }
        let mut d = Check::SettingMismatch.at(
            at(member.model.last_entry(name)),
            format!(
                "`{name}` is `{}` here and `{}` in {}: after a failover the group behaves differently",
                mine.as_deref().unwrap_or(""),
                theirs.as_deref().unwrap_or(""),
                other.path.display()
            ),
        );
        d.help = Some(format!(
            "give `{name}` the same value on every server of the group"
        ));
        d.parameter = Some(name.to_string());
        out.push(d);
    }
    out
}
