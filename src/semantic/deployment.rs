//! What a config tells about the deployment it belongs to: replication, cluster, Sentinel,
//! where its password comes from, whether other hosts must reach it. Fixes read it so that
//! hardening one file does not break the group it is part of. What a file cannot tell comes in
//! as [`DeploymentHints`]: from the command line, and from the other files fixed in one run.

use super::analysis::Analysis;
use super::detect;
use super::model::{Entry, Model};
use crate::source::FileId;
use crate::syntax::LineKind;

/// The commands Sentinel sends to the servers it monitors (a failover runs `MULTI`, `SLAVEOF`,
/// `CONFIG REWRITE`, `CLIENT KILL`, `EXEC`; monitoring runs `INFO`, `ROLE`, `PING`, scripts).
pub const SENTINEL_COMMANDS: &[&str] = &[
    "config",
    "slaveof",
    "replicaof",
    "client",
    "info",
    "role",
    "multi",
    "exec",
    "script",
    "ping",
    "publish",
    "subscribe",
];

/// The commands replicas and cluster peers send as their user: the replication handshake, and
/// resharding (`MIGRATE` with `ASKING` and `RESTORE-ASKING` on the target, `CLUSTER SETSLOT`).
pub const REPLICATION_COMMANDS: &[&str] = &[
    "sync",
    "psync",
    "replconf",
    "migrate",
    "cluster",
    "readonly",
    "asking",
    "restore-asking",
];

/// What the command line and the other files of a run say about a config's deployment.
#[derive(Debug, Clone, Default)]
pub struct DeploymentHints {
    /// Why Sentinel manages the server (`--sentinel-managed`, a Sentinel config of the group).
    pub sentinel: Option<String>,
    /// The user Sentinel authenticates as (`sentinel auth-user` of the group's Sentinel).
    pub sentinel_user: Option<String>,
    /// Why the password comes from outside the file (`--external-password`, a comment).
    pub external_password: Option<String>,
    /// Why the server belongs to a replication group (`--group`, files of one run that
    /// replicate from each other).
    pub group: Option<String>,
    /// The password every file of the group shares; `None` makes a new one per file.
    pub group_password: Option<Vec<u8>>,
    /// The file is a template with control structures (loops, conditionals).
    pub template_control: bool,
    /// For a Sentinel config: the password of each primary it monitors (by the name it
    /// monitors it under), from the primary's config fixed in the same run.
    pub primary_passwords: Vec<(Vec<u8>, Vec<u8>)>,
    /// Why clients reach the server over a network whatever the file says (it runs in a
    /// container of a Compose file or a manifest).
    pub remote: Option<String>,
}

impl DeploymentHints {
    /// The hints of the command line and the run, completed by what the checked file's own
    /// comments and template lines say.
    pub fn with_file(&self, analysis: &Analysis) -> DeploymentHints {
        let from_file = file_hints(analysis);
        DeploymentHints {
            sentinel: self.sentinel.clone().or(from_file.sentinel),
            sentinel_user: self.sentinel_user.clone(),
            external_password: self
                .external_password
                .clone()
                .or(from_file.external_password),
            group: self.group.clone(),
            group_password: self.group_password.clone(),
            template_control: self.template_control || from_file.template_control,
            primary_passwords: self.primary_passwords.clone(),
            remote: self.remote.clone(),
        }
    }
}

/// What the checked file's comments and template lines say. A comment that names Sentinel
/// counts only outside the stock redis.conf, whose own comments name it everywhere.
fn file_hints(analysis: &Analysis) -> DeploymentHints {
    let mut hints = DeploymentHints::default();
    if analysis.sources.is_empty() || analysis.trees.is_empty() {
        return hints;
    }
    let bytes = analysis.sources.get(FileId::ROOT).bytes();
    let tree = &analysis.trees[0];
    let stock = contains(bytes, b"redis configuration file example");
    for line in &tree.lines {
        let text = &bytes[line.content()];
        match line.kind {
            LineKind::Comment => {
                if hints.external_password.is_none()
                    && (contains(text, b"--requirepass") || contains(text, b"--masterauth"))
                {
                    hints.external_password =
                        Some("a comment says the password is passed with `--requirepass`".into());
                }
                if hints.sentinel.is_none() && !stock && contains(text, b"sentinel") {
                    hints.sentinel = Some("a comment names Sentinel".into());
                }
            }
            _ if detect::control_line(text) => hints.template_control = true,
            _ => {}
        }
    }
    hints
}

/// Whether `haystack` holds `needle` (lowercase), in any case; no copy of each comment.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// What fixes must keep working in a config's deployment.
#[derive(Debug, Clone, Default)]
pub struct Deployment {
    /// Why the server replicates or is replicated to (a replica, a cluster node, a group).
    pub replication: Option<String>,
    pub cluster: bool,
    /// The user replicas and cluster peers authenticate as: `masteruser`, else `default`.
    pub replication_user: String,
    /// Why Sentinel may manage the server.
    pub sentinel: Option<String>,
    /// The user Sentinel authenticates as.
    pub sentinel_user: String,
    /// Why the password comes from outside the file.
    pub external_password: Option<String>,
    /// Why other hosts must reach the server.
    pub remote: Option<String>,
    /// Only a unix socket listens (`port 0`, no TLS port).
    pub socket_only: bool,
    /// Persistence is written off (`save ""`, no AOF): the server looks like a cache.
    pub persistence_off: bool,
    pub template_control: bool,
    pub group_password: Option<Vec<u8>>,
    pub primary_passwords: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Deployment {
    pub fn of(model: &Model, hints: &DeploymentHints) -> Deployment {
        let value = |d: &str| model.get(d).map(|s| s.first_str().to_ascii_lowercase());
        let written = |d: &str| model.is_written(d);
        let number = |d: &str| value(d).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        let cluster = value("cluster-enabled").as_deref() == Some("yes");
        // Old names first: before 5.0 only `slaveof` exists, before 5.0 `min-slaves-*`.
        let either = |names: [&'static str; 2]| {
            names
                .into_iter()
                .find(|n| model.catalog.lookup(n).is_some() && written(n))
        };
        let replica = either(["slaveof", "replicaof"]).is_some_and(|n| {
            model
                .get(n)
                .is_some_and(|s| !s.args.is_empty() && !s.first_str().eq_ignore_ascii_case("no"))
        });
        let min_replicas =
            either(["min-slaves-to-write", "min-replicas-to-write"]).is_some_and(|n| number(n) > 0);
        let replication = if replica {
            Some("it is a replica (`replicaof`)".to_string())
        } else if cluster {
            Some("it is a cluster node (its nodes are each other's replicas)".to_string())
        } else if written("masterauth") || written("masteruser") {
            Some("it authenticates to a primary (`masterauth`)".to_string())
        } else if min_replicas {
            Some("it has replicas (`min-replicas-to-write`)".to_string())
        } else if hints.sentinel.is_some() {
            Some("Sentinel manages it, so it has replicas".to_string())
        } else {
            hints.group.clone()
        };
        let sentinel = hints.sentinel.clone().or_else(|| {
            if replica {
                Some("it is a replica (`replicaof`), which Sentinel may promote".into())
            } else if min_replicas {
                Some("it has replicas (`min-replicas-to-write`)".into())
            } else {
                None
            }
        });
        let announce = [
            "cluster-announce-ip",
            "cluster-announce-hostname",
            "cluster-announce-port",
            "replica-announce-ip",
        ]
        .into_iter()
        .find(|d| model.catalog.lookup(d).is_some() && written(d));
        let dir = value("dir").unwrap_or_default();
        let remote = if cluster {
            Some("it is a cluster node".to_string())
        } else if replica {
            Some("it is a replica".to_string())
        } else if let Some(d) = announce {
            Some(format!("it announces its address (`{d}`)"))
        } else if number("tls-port") > 0 {
            Some("it serves TLS (`tls-port`), which is for remote clients".to_string())
        } else if dir == "/data" || dir.starts_with("/data/") || dir.contains("bitnami") {
            Some(format!(
                "its layout is a container's (`dir {dir}`), reached through the container's network"
            ))
        } else {
            hints.remote.clone().or_else(|| hints.group.clone())
        };
        let socket_only = number("port") == 0
            && number("tls-port") == 0
            && model
                .get("unixsocket")
                .is_some_and(|s| !s.first_str().is_empty());
        // Written off (`save ""`), not merely left to a version without default save points.
        let persistence_off = written("save")
            && model.save_points.is_empty()
            && value("appendonly").as_deref() != Some("yes");
        let user = |d: &str| {
            model
                .get(d)
                .map(|s| s.first_str())
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| "default".into())
        };
        Deployment {
            replication,
            cluster,
            replication_user: user("masteruser"),
            sentinel,
            sentinel_user: hints
                .sentinel_user
                .clone()
                .unwrap_or_else(|| "default".into()),
            external_password: hints.external_password.clone(),
            remote,
            socket_only,
            persistence_off,
            template_control: hints.template_control,
            group_password: hints.group_password.clone(),
            primary_passwords: hints.primary_passwords.clone(),
        }
    }

    /// The monitored primaries whose password Sentinel's `auth-pass` does not give: the
    /// primary's name, its password, and the `auth-pass` line to rewrite (if any).
    pub fn stale_auth_pass<'m>(
        &self,
        model: &'m Model,
    ) -> Vec<(Vec<u8>, Vec<u8>, Option<&'m Entry>)> {
        let mut stale = Vec::new();
        for (master, pw) in &self.primary_passwords {
            let line = sentinel_lines(model, b"auth-pass")
                .filter(|e| e.args.get(1) == Some(master.as_slice()))
                .last();
            if line.and_then(|e| e.args.get(2)) != Some(pw.as_slice()) {
                stale.push((master.clone(), pw.clone(), line));
            }
        }
        stale
    }

    /// The commands a fix must leave to `user`, and why.
    pub fn needed_by(&self, user: &str) -> Vec<(&'static str, &'static str)> {
        let mut needed = Vec::new();
        if self.replication.is_some() && user == self.replication_user {
            needed.extend(
                REPLICATION_COMMANDS
                    .iter()
                    .map(|c| (*c, "replicas and cluster peers")),
            );
        }
        if self.sentinel.is_some() && user == self.sentinel_user {
            needed.extend(SENTINEL_COMMANDS.iter().map(|c| (*c, "Sentinel")));
        }
        needed
    }
}

/// The `sentinel SUB ...` lines of one sub-directive.
fn sentinel_lines<'m>(
    model: &'m Model,
    sub: &'static [u8],
) -> impl Iterator<Item = &'m Entry> + 'm {
    model
        .entries_of("sentinel")
        .filter(move |e| e.args.first().is_some_and(|s| s.eq_ignore_ascii_case(sub)))
}

/// What links a config to the other configs of one run: its port, the port it replicates
/// from, the ports it monitors as a Sentinel, and whether it is a cluster node.
#[derive(Debug, Clone, Default)]
pub struct Member {
    pub sentinel: bool,
    pub port: Option<i64>,
    pub upstream: Option<i64>,
    pub cluster: bool,
    /// The primaries it monitors as a Sentinel: name and port.
    pub monitors: Vec<(Vec<u8>, i64)>,
    /// `sentinel auth-user` of a monitored primary: the user Sentinel authenticates as.
    pub auth_user: Option<String>,
}

impl Member {
    pub fn of(model: &Model) -> Member {
        let port = |v: Option<&[u8]>| v.and_then(|p| std::str::from_utf8(p).ok()?.parse().ok());
        Member {
            sentinel: model.sentinel,
            port: model.get("port").and_then(|s| port(s.args.first())),
            upstream: ["slaveof", "replicaof"]
                .into_iter()
                .find(|n| model.catalog.lookup(n).is_some() && model.is_written(n))
                .and_then(|n| port(model.get(n)?.args.get(1))),
            cluster: model
                .get("cluster-enabled")
                .is_some_and(|s| s.first_str().eq_ignore_ascii_case("yes")),
            monitors: sentinel_lines(model, b"monitor")
                .filter_map(|e| Some((e.args.get(1)?.to_vec(), port(e.args.get(3))?)))
                .collect(),
            auth_user: sentinel_lines(model, b"auth-user").find_map(|e| {
                e.args
                    .get(2)
                    .map(|u| String::from_utf8_lossy(u).into_owned())
            }),
        }
    }
}

/// The group of each member: configs linked by replication (`replicaof` to another's port),
/// by a Sentinel's `monitor` of another's port, or by both being cluster nodes, are one group.
/// Ports stand for servers: the configs of one run are usually of one host, or of hosts that
/// use the same port.
pub fn groups(members: &[Member]) -> Vec<usize> {
    let mut group: Vec<usize> = (0..members.len()).collect();
    fn root(group: &mut [usize], mut i: usize) -> usize {
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    let serves = |m: &Member, port: i64| !m.sentinel && m.port == Some(port);
    for (i, a) in members.iter().enumerate() {
        for (j, b) in members.iter().enumerate().skip(i + 1) {
            let linked = (a.cluster && b.cluster)
                || a.upstream.is_some_and(|p| serves(b, p))
                || b.upstream.is_some_and(|p| serves(a, p))
                || a.monitors.iter().any(|(_, p)| serves(b, *p))
                || b.monitors.iter().any(|(_, p)| serves(a, *p));
            if linked {
                let (ra, rb) = (root(&mut group, i), root(&mut group, j));
                group[ra] = rb;
            }
        }
    }
    (0..members.len()).map(|i| root(&mut group, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(port: i64) -> Member {
        Member {
            port: Some(port),
            ..Member::default()
        }
    }

    #[test]
    fn replicas_sentinels_and_cluster_nodes_join_their_groups() {
        let primary = member(7000);
        let replica = Member {
            upstream: Some(7000),
            ..member(7001)
        };
        let sentinel = Member {
            sentinel: true,
            monitors: vec![(b"m".to_vec(), 7000)],
            ..member(26379)
        };
        let alone = member(6379);
        let node = |p| Member {
            cluster: true,
            ..member(p)
        };
        let g = groups(&[primary, alone, replica, sentinel, node(8000), node(8001)]);
        assert_eq!(g[0], g[2]);
        assert_eq!(g[0], g[3]);
        assert_ne!(g[0], g[1]);
        assert_eq!(g[4], g[5]);
        assert_ne!(g[4], g[0]);
        // A Sentinel's own port is no server to replicate from.
        let odd = Member {
            upstream: Some(26379),
            ..member(7002)
        };
        let sentinel = Member {
            sentinel: true,
            ..member(26379)
        };
        let g = groups(&[odd, sentinel]);
        assert_ne!(g[0], g[1]);
    }
}
