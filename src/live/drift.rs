//! Drift: where a running server no longer matches its config file. Each parameter's effective
//! value in the file, as the server prints it, against the server's; `rename-command` lines
//! against the commands the server knows; the file's ACL users against `ACL LIST`.

use super::snapshot::Snapshot;
use crate::checks::Check;
use crate::diagnostic::{Diagnostic, Fix};
use crate::semantic::values::string2ll;
use crate::semantic::{Analysis, Model, same_word};
use crate::source::FileId;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Parameters the server works out itself, so that they differ from any file.
const COMPUTED: &[&str] = &["dir"];

/// The new names of the file's `rename-command` lines (to look up on the server).
pub fn rename_targets(model: &Model) -> Vec<String> {
    model
        .entries_of("rename-command")
        .filter_map(|e| match e.args.views()[..] {
            [_, to] if !to.is_empty() => Some(String::from_utf8_lossy(to).to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn words(text: &[u8]) -> Vec<&[u8]> {
    text.split(|b| *b == b' ')
        .filter(|w| !w.is_empty())
        .collect()
}

/// `client-output-buffer-limit` as class → its three limits.
fn buffer_limits(text: &[u8]) -> BTreeMap<Vec<u8>, Vec<Vec<u8>>> {
    words(text)
        .chunks(4)
        .filter(|c| c.len() == 4)
        .map(|c| {
            let class = match c[0].to_ascii_lowercase().as_slice() {
                b"slave" => b"replica".to_vec(),
                other => other.to_vec(),
            };
            (class, c[1..].iter().map(|w| w.to_vec()).collect())
        })
        .collect()
}

/// Whether the file's value and the server's mean the same.
fn same_value(primary: &str, file: &[u8], server: &[u8]) -> bool {
    match primary {
        "client-output-buffer-limit" => {
            let (f, s) = (buffer_limits(file), buffer_limits(server));
            f.iter().all(|(class, limits)| {
                s.get(class)
                    .is_some_and(|other| limits.iter().zip(other).all(|(a, b)| same_word(a, b)))
            })
        }
        // Two names of one enum value (config.c `oom_score_adj_enum`): `CONFIG GET` prints
        // the first, `yes`, for a file's `relative`.
        "oom-score-adj" => {
            let canonical = |v: &[u8]| {
                let v = v.to_ascii_lowercase();
                if v == b"relative" { b"yes".to_vec() } else { v }
            };
            canonical(file) == canonical(server)
        }
        // Flags the server prints in its own order.
        "notify-keyspace-events" => {
            let set = |v: &[u8]| v.iter().copied().collect::<BTreeSet<u8>>();
            set(file) == set(server)
        }
        _ => {
            let (f, s) = (words(file), words(server));
            f.len() == s.len() && f.iter().zip(&s).all(|(a, b)| same_word(a, b))
        }
    }
}

/// The file's `client-output-buffer-limit` as the server would print it: the default of each
/// class, with every line's classes set over it.
fn file_buffer_limits(model: &Model) -> Vec<u8> {
    let default = model
        .default_args("client-output-buffer-limit")
        .map(|a| a.joined(b' '))
        .unwrap_or_default();
    let mut limits = buffer_limits(&default);
    for e in model.entries_of("client-output-buffer-limit") {
        limits.extend(buffer_limits(&e.args.joined(b' ')));
    }
    let mut out = Vec::new();
    for (class, values) in limits {
        for w in std::iter::once(&class).chain(&values) {
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend_from_slice(w);
        }
    }
    out
}

fn hash(secret: &[u8]) -> String {
    crate::semantic::acl::sha256_hex(secret)
}

pub fn compare(
    analysis: &Analysis,
    server: &Model,
    snap: &Snapshot,
    path: &Path,
) -> Vec<Diagnostic> {
    let file = &analysis.model;
    let mut out = Vec::new();
    if let Some(config_file) = snap.info.get("config_file") {
        let given = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let running = std::fs::canonicalize(config_file).unwrap_or_else(|_| config_file.into());
        if config_file.is_empty() {
            out.push(Check::OtherConfigFile.at(
                None,
                format!(
                    "the server was started without a config file, not from {}",
                    path.display()
                ),
            ));
        } else if given != running {
            out.push(Check::OtherConfigFile.at(
                None,
                format!(
                    "the server was started from {config_file}, not from {}",
                    path.display()
                ),
            ));
        }
    }
    if snap.config.is_some() {
        values(file, server, &mut out);
    }
    if !snap.commands.is_empty() {
        renames(file, snap, &mut out);
    }
    if let Some(list) = &snap.acl_list {
        users(file, list, &mut out);
    }
    out
}

fn values(file: &Model, server: &Model, out: &mut Vec<Diagnostic>) {
    for entry in &server.entries {
        let Some(primary) = entry.primary else {
            continue;
        };
        if COMPUTED.contains(&primary)
            || Model::accumulates(primary)
                && primary != "save"
                && primary != "client-output-buffer-limit"
        {
            continue;
        }
        let theirs = entry.args.joined(b' ');
        let ours: Vec<u8> = if primary == "client-output-buffer-limit" {
            file_buffer_limits(file)
        } else {
            match file.server_value(primary) {
                Some(v) => v.into_bytes(),
                // Not in the file and no default redlint knows: nothing to compare with.
                None if !file.is_written(primary) => continue,
                None => Vec::new(),
            }
        };
        if same_value(primary, &ours, &theirs) {
            continue;
        }
        let secret = file
            .catalog
            .lookup(primary)
            .is_some_and(|(_, s)| s.is_sensitive())
            || crate::semantic::secrets::value_not_shown(file.catalog, primary);
        // A secret is compared, never shown in any form (not even a part of its hash).
        let shown = |v: &[u8]| {
            if secret {
                if v.is_empty() {
                    "empty"
                } else {
                    "set (value not shown)"
                }
                .to_string()
            } else if v.is_empty() {
                "\"\"".to_string()
            } else {
                format!("`{}`", String::from_utf8_lossy(v))
            }
        };
        let written = file.last_entry(primary);
        // The server lowers `maxclients` to what its open-file limit allows, without a word
        // in its config.
        let lowered = primary == "maxclients"
            && matches!(
                (string2ll(&theirs), string2ll(&ours)),
                (Some(t), Some(o)) if t < o
            );
        let (span, message) = match written.and_then(|e| e.span()) {
            Some(span) if lowered => (
                Some(span.clone()),
                format!(
                    "`maxclients` is {} on the server but {} in the file: the server lowered it to what its open-file limit allows (raise `ulimit -n` or LimitNOFILE)",
                    shown(&theirs),
                    shown(&ours)
                ),
            ),
            Some(span) => (
                Some(span.clone()),
                format!(
                    "`{primary}` is {} on the server but {} in the file",
                    shown(&theirs),
                    shown(&ours)
                ),
            ),
            None => (
                None,
                format!(
                    "`{primary}` is {} on the server but not in the file (set at runtime; the file leaves it at {})",
                    shown(&theirs),
                    shown(&ours)
                ),
            ),
        };
        let mut d = Check::ValueDiffers.at(span, message);
        let title = if secret {
            format!(
                "apply the file's `{primary}` with CONFIG SET, or write the server's value in the file (values not shown)"
            )
        } else {
            format!(
                "apply the file with `CONFIG SET {primary} {}`, or persist the server's value: `{primary} {}` in the file",
                display_value(&ours),
                display_value(&theirs)
            )
        };
        d.help = Some(format!("{title} (display-only fix)"));
        d.fix = Some(Fix::display_only(title, FileId::ROOT));
        d.parameter = Some(primary.to_string());
        out.push(d);
    }
}

fn display_value(v: &[u8]) -> String {
    let text = String::from_utf8_lossy(v);
    if text.is_empty() || text.contains(' ') {
        format!("\"{text}\"")
    } else {
        text.into_owned()
    }
}

fn renames(file: &Model, snap: &Snapshot, out: &mut Vec<Diagnostic>) {
    let known = |name: &str| snap.commands.get(name).cloned().flatten();
    let mut renamed = BTreeSet::new();
    for e in file.entries_of("rename-command") {
        let [from, to] = e.args.views()[..] else {
            continue;
        };
        let from = String::from_utf8_lossy(from).to_ascii_lowercase();
        let to = String::from_utf8_lossy(to).to_ascii_lowercase();
        renamed.insert(from.clone());
        let problem = if known(&from).as_deref() == Some(from.as_str()) {
            Some(format!(
                "the file renames `{from}`, but the server still answers it under its own name"
            ))
        } else if !to.is_empty() && known(&to).as_deref() != Some(from.as_str()) {
            Some(format!(
                "the file renames `{from}` to a name the server does not know it by"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            let mut d = Check::RenameDiffers.at(e.span().cloned(), message);
            let title = "restart the server to apply the file's `rename-command` (it cannot be changed at runtime)".to_string();
            d.help = Some(format!("{title} (display-only fix)"));
            d.fix = Some(Fix::display_only(title, FileId::ROOT));
            d.parameter = Some("rename-command".into());
            out.push(d);
        }
    }
    for (asked, answer) in &snap.commands {
        if answer.is_none() && file.catalog.has_command(asked) && !renamed.contains(asked) {
            let mut d = Check::RenameDiffers.at(
                None,
                format!("the server has no `{asked}` command (renamed or removed), but the file does not rename it"),
            );
            d.parameter = Some("rename-command".into());
            out.push(d);
        }
    }
}

/// A user as far as drift compares them: on or off, without a password, and password hashes.
#[derive(Debug, Default, PartialEq, Eq)]
struct UserKey {
    on: bool,
    nopass: bool,
    hashes: BTreeSet<String>,
}

/// Apply user rules (as written on a `user` line or printed by `ACL LIST`) to a user.
fn apply(user: &mut UserKey, rules: &[&[u8]]) {
    for rule in rules {
        let lower = rule.to_ascii_lowercase();
        match lower.as_slice() {
            b"on" => user.on = true,
            b"off" => user.on = false,
            b"nopass" => {
                user.nopass = true;
                user.hashes.clear();
            }
            b"resetpass" => {
                user.nopass = false;
                user.hashes.clear();
            }
            b"reset" => *user = UserKey::default(),
            _ => match rule.first() {
                Some(b'>') => {
                    user.hashes.insert(hash(&rule[1..]));
                    user.nopass = false;
                }
                Some(b'#') => {
                    user.hashes
                        .insert(String::from_utf8_lossy(&rule[1..]).to_ascii_lowercase());
                    user.nopass = false;
                }
                Some(b'<') => {
                    user.hashes.remove(&hash(&rule[1..]));
                }
                Some(b'!') => {
                    user.hashes
                        .remove(&String::from_utf8_lossy(&rule[1..]).to_ascii_lowercase());
                }
                _ => {}
            },
        }
    }
}

fn users(file: &Model, list: &[String], out: &mut Vec<Diagnostic>) {
    let mut theirs: BTreeMap<String, UserKey> = BTreeMap::new();
    for line in list {
        let w: Vec<&[u8]> = words(line.as_bytes());
        if let [_, name, rules @ ..] = &w[..] {
            let mut u = UserKey::default();
            apply(&mut u, rules);
            theirs.insert(String::from_utf8_lossy(name).into_owned(), u);
        }
    }
    let mut ours: BTreeMap<String, (UserKey, Option<crate::source::Span>)> = BTreeMap::new();
    let aclfile = file
        .get("aclfile")
        .is_some_and(|s| !s.first_str().is_empty());
    let lines: Vec<(crate::semantic::ArgList, Option<crate::source::Span>)> =
        match &file.aclfile_users {
            Some(lines) if aclfile => lines.iter().map(|l| (l.clone(), None)).collect(),
            // An aclfile redlint could not read: nothing to compare.
            None if aclfile => return,
            _ => file
                .entries_of("user")
                .map(|e| (e.args.clone(), e.span().cloned()))
                .collect(),
        };
    for (args, span) in lines {
        let views = args.views();
        if let [name, rules @ ..] = &views[..] {
            let entry = ours
                .entry(String::from_utf8_lossy(name).into_owned())
                .or_insert_with(|| (UserKey::default(), span.clone()));
            apply(&mut entry.0, rules);
            entry.1 = span.or(entry.1.take());
        }
    }
    // The default user the file implies when it declares none: on, with `requirepass` or none.
    ours.entry("default".into()).or_insert_with(|| {
        let mut u = UserKey {
            on: true,
            nopass: true,
            hashes: BTreeSet::new(),
        };
        if let Some(pass) = file
            .get("requirepass")
            .filter(|s| !s.first_str().is_empty())
            && !aclfile
        {
            u.nopass = false;
            u.hashes.insert(hash(&pass.args.joined(b' ')));
        }
        (u, None)
    });
    let finding = |span: Option<crate::source::Span>, message: String| {
        let mut d = Check::AclDiffers.at(span, message);
        let title = "apply the file's users with ACL LOAD (aclfile) or a restart, or persist the server's users with ACL SAVE or in the file".to_string();
        d.help = Some(format!("{title} (display-only fix)"));
        d.fix = Some(Fix::display_only(title, FileId::ROOT));
        d.parameter = Some("user".into());
        d
    };
    for (name, u) in &theirs {
        match ours.get(name) {
            None => out.push(finding(
                None,
                format!("the server has a user `{name}` that the file does not define"),
            )),
            Some((mine, span)) if mine != u => {
                let what = if mine.on != u.on {
                    format!(
                        "is {} on the server but {} in the file",
                        on_off(u.on),
                        on_off(mine.on)
                    )
                } else if mine.nopass != u.nopass {
                    format!(
                        "{} on the server but {} in the file",
                        if u.nopass {
                            "needs no password"
                        } else {
                            "needs a password"
                        },
                        if mine.nopass {
                            "needs none"
                        } else {
                            "needs one"
                        }
                    )
                } else {
                    "has other passwords on the server than in the file (compared by hash)"
                        .to_string()
                };
                out.push(finding(span.clone(), format!("user `{name}` {what}")));
            }
            _ => {}
        }
    }
    for (name, (_, span)) in &ours {
        if !theirs.contains_key(name) {
            out.push(finding(
                span.clone(),
                format!("the file defines user `{name}`, but the server has no such user"),
            ));
        }
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}
