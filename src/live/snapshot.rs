//! What an audit reads from a server, with read commands only: `INFO server`, `CONFIG GET *`,
//! `ACL LIST`, `COMMAND INFO`, and for the runtime checks `INFO`, `SLOWLOG GET` and
//! `LATENCY LATEST`. A command that is renamed or denied is evidence, not an error:
//! what could not be read is noted and the rest is read.

use super::connection::{Connection, Failure, bytes, text};
use redis::Value;
use std::collections::BTreeMap;

/// A server as read at one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// `INFO server`, `key → value`.
    pub info: BTreeMap<String, String>,
    /// `CONFIG GET *`, in the server's order; `None` when it could not be read.
    pub config: Option<Vec<(String, Vec<u8>)>>,
    /// `ACL LIST` lines (`user NAME rules…`); `None` before 6.0 or when denied.
    pub acl_list: Option<Vec<String>>,
    /// Command name asked → the name the server knows it by (its own name for a command
    /// renamed to the asked name), or `None` when the server has no command of that name.
    /// Empty when `COMMAND INFO` could not be read.
    pub commands: BTreeMap<String, Option<String>>,
    /// `INFO` (its default sections: memory, persistence, stats, replication, clients,
    /// errorstats …), `key → value`; empty when it could not be read.
    pub stats: BTreeMap<String, String>,
    /// `SLOWLOG GET`, newest first.
    pub slowlog: Vec<SlowEntry>,
    /// `LATENCY LATEST`: event, latest and worst milliseconds.
    pub latency: Vec<(String, i64, i64)>,
    /// What could not be read, and the server's answer (`CONFIG GET: NOPERM …`).
    pub unread: Vec<String>,
}

/// One slow log entry: how long the command ran and its words (the server cuts long ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlowEntry {
    pub micros: i64,
    pub args: Vec<String>,
}

/// How many slow log entries are read: the server keeps 128 by default.
const SLOWLOG_READ: &str = "128";

impl Snapshot {
    /// `redis_version` or `valkey_version`, and whether the server is Valkey.
    pub fn server_version(&self) -> Option<(bool, String)> {
        let valkey = self
            .info
            .get("server_name")
            .is_some_and(|n| n.eq_ignore_ascii_case("valkey"));
        let version = if valkey {
            self.info.get("valkey_version")
        } else {
            self.info.get("redis_version")
        };
        version.map(|v| (valkey, v.clone()))
    }

    /// The server runs as a Sentinel.
    pub fn is_sentinel(&self) -> bool {
        self.info.get("redis_mode").is_some_and(|m| m == "sentinel")
    }

    pub fn config_value(&self, name: &str) -> Option<&[u8]> {
        self.config
            .as_ref()?
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

/// `key:value` lines of an `INFO` section.
fn info_fields(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// `CONFIG GET` pairs, from a RESP2 array or a RESP3 map.
fn pairs(value: Value) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    match value {
        Value::Array(items) => {
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                if let (Some(k), Some(v)) = (text(&k), bytes(&v)) {
                    out.push((k, v));
                }
            }
        }
        Value::Map(items) => {
            for (k, v) in items {
                if let (Some(k), Some(v)) = (text(&k), bytes(&v)) {
                    out.push((k, v));
                }
            }
        }
        _ => {}
    }
    out
}

/// Read `INFO server` (what decides the version, and so what else to ask). Only a failure of
/// the connection itself stops the read.
pub fn read_info(conn: &mut Connection) -> Result<Snapshot, Failure> {
    let mut snap = Snapshot::default();
    match conn.call(&["INFO", "server"])? {
        Ok(v) => snap.info = info_fields(&text(&v).unwrap_or_default()),
        Err(e) => {
            // A server that refuses INFO before AUTH says so here.
            if e.starts_with("NOAUTH") {
                return Err(Failure::Auth(e));
            }
            snap.unread.push(format!("INFO server: {e}"));
        }
    }
    Ok(snap)
}

/// Read the rest of what an audit needs. `commands` are the command names to look up (the
/// catalog's, and the new names of the file's `rename-command` lines).
pub fn read_rest(
    conn: &mut Connection,
    snap: &mut Snapshot,
    commands: &[String],
) -> Result<(), Failure> {
    match conn.call(&["CONFIG", "GET", "*"])? {
        Ok(v) => snap.config = Some(pairs(v)),
        Err(e) => snap.unread.push(format!("CONFIG GET: {e}")),
    }
    let pre_acl = snap
        .server_version()
        .and_then(|(valkey, v)| {
            let major: u32 = v.split('.').next()?.parse().ok()?;
            Some(!valkey && major < 6)
        })
        .unwrap_or(false);
    if !pre_acl {
        match conn.call(&["ACL", "LIST"])? {
            Ok(Value::Array(lines)) => {
                snap.acl_list = Some(lines.iter().filter_map(text).collect());
            }
            Ok(_) => snap.unread.push("ACL LIST: not a list".into()),
            Err(e) => snap.unread.push(format!("ACL LIST: {e}")),
        }
    }
    match conn.call(&["INFO"])? {
        Ok(v) => snap.stats = info_fields(&text(&v).unwrap_or_default()),
        Err(e) => snap.unread.push(format!("INFO: {e}")),
    }
    if !snap.is_sentinel() {
        match conn.call(&["SLOWLOG", "GET", SLOWLOG_READ])? {
            Ok(Value::Array(entries)) => {
                snap.slowlog = entries.iter().filter_map(slow_entry).collect()
            }
            Ok(_) => snap.unread.push("SLOWLOG GET: not a list".into()),
            Err(e) => snap.unread.push(format!("SLOWLOG GET: {e}")),
        }
        match conn.call(&["LATENCY", "LATEST"])? {
            Ok(Value::Array(events)) => {
                snap.latency = events.iter().filter_map(latency_event).collect()
            }
            Ok(_) => snap.unread.push("LATENCY LATEST: not a list".into()),
            Err(e) => snap.unread.push(format!("LATENCY LATEST: {e}")),
        }
    }
    if !commands.is_empty() {
        let mut args = vec!["COMMAND", "INFO"];
        args.extend(commands.iter().map(String::as_str));
        match conn.call(&args)? {
            Ok(Value::Array(infos)) => {
                for (asked, info) in commands.iter().zip(infos) {
                    let name = match info {
                        Value::Array(fields) => fields.first().and_then(text),
                        _ => None,
                    };
                    snap.commands
                        .insert(asked.clone(), name.map(|n| n.to_ascii_lowercase()));
                }
            }
            Ok(_) => snap.unread.push("COMMAND INFO: not a list".into()),
            Err(e) => snap.unread.push(format!("COMMAND INFO: {e}")),
        }
    }
    Ok(())
}

/// `[event, time, latest ms, max ms]`.
fn latency_event(value: &Value) -> Option<(String, i64, i64)> {
    let Value::Array(fields) = value else {
        return None;
    };
    let ms = |v: &Value| match v {
        Value::Int(n) => Some(*n),
        other => text(other)?.parse().ok(),
    };
    Some((
        text(fields.first()?)?,
        ms(fields.get(2)?)?,
        ms(fields.get(3)?)?,
    ))
}

/// `[id, time, micros, [args…], client, name]` (client and name from 4.0 on).
fn slow_entry(value: &Value) -> Option<SlowEntry> {
    let Value::Array(fields) = value else {
        return None;
    };
    let micros = match fields.get(2)? {
        Value::Int(n) => *n,
        other => text(other)?.parse().ok()?,
    };
    let Value::Array(args) = fields.get(3)? else {
        return None;
    };
    Some(SlowEntry {
        micros,
        args: args.iter().filter_map(text).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_and_config_replies_are_read() {
        let info = info_fields("# Server\r\nredis_version:7.0.15\r\nconfig_file:/etc/r.conf\r\n");
        assert_eq!(info["redis_version"], "7.0.15");
        assert_eq!(info["config_file"], "/etc/r.conf");
        let reply = Value::Array(vec![
            Value::BulkString(b"maxmemory".to_vec()),
            Value::BulkString(b"0".to_vec()),
            Value::BulkString(b"save".to_vec()),
            Value::BulkString(b"3600 1".to_vec()),
        ]);
        assert_eq!(
            pairs(reply),
            vec![
                ("maxmemory".into(), b"0".to_vec()),
                ("save".into(), b"3600 1".to_vec())
            ]
        );
    }
}
