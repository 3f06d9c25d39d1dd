//! Kubernetes manifests (containers that run the server, ConfigMaps holding its config) and
//! Helm values of the common charts.

use super::assemble::{Context, Embedded, Server, block, first_line, server_command, yaml_args};
use super::image::Image;
use super::map::{HostFile, Owner, OwnerKind, TracedText};
use super::shell::Vars;
use super::yaml::Node;

/// Workload kinds whose pod template holds containers.
const POD_PATHS: &[&[&str]] = &[
    &["spec", "containers"],
    &["spec", "initContainers"],
    &["spec", "template", "spec", "containers"],
    &["spec", "template", "spec", "initContainers"],
    &[
        "spec",
        "jobTemplate",
        "spec",
        "template",
        "spec",
        "containers",
    ],
];

pub(super) fn extract(ctx: &Context, docs: &[Node]) -> Vec<Embedded> {
    // ConfigMaps of this file, by name: a container that mounts one reads its keys as files.
    let maps: Vec<(&str, &Node)> = docs
        .iter()
        .filter(|d| d.get("kind").and_then(Node::as_str) == Some("ConfigMap"))
        .filter_map(|d| Some((d.path(&["metadata", "name"])?.as_str()?, d.get("data")?)))
        .collect();
    let mut out = Vec::new();
    let mut used: Vec<(String, String)> = Vec::new();
    for doc in docs {
        let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
        let name = doc
            .path(&["metadata", "name"])
            .and_then(Node::as_str)
            .unwrap_or("?");
        for path in POD_PATHS {
            let pod = doc.path(&path[..path.len() - 1]);
            for container in doc.path(path).map_or(&[][..], Node::items) {
                let blocks = mounted_blocks(pod, container, &maps);
                if let Some(e) = container_config(ctx, kind, name, container, &blocks) {
                    // The mounted keys are checked with the command line that reads them.
                    if let Some(read) = &e.host_block {
                        used.extend(
                            blocks
                                .into_iter()
                                .filter(|b| &b.2 == read)
                                .map(|b| (b.0, b.1)),
                        );
                    }
                    out.push(e);
                }
            }
        }
    }
    for doc in docs {
        let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
        if kind == "ConfigMap" || kind == "Secret" {
            let name = doc
                .path(&["metadata", "name"])
                .and_then(Node::as_str)
                .unwrap_or("?");
            config_map(ctx, doc, kind, name, &used, &mut out);
        }
    }
    out
}

/// The ConfigMap keys of this file a container mounts: (map, key, container path, node).
fn mounted_blocks<'n>(
    pod: Option<&Node>,
    container: &Node,
    maps: &[(&str, &'n Node)],
) -> Vec<(String, String, String, &'n Node)> {
    let mut out = Vec::new();
    let volumes = pod
        .and_then(|p| p.get("volumes"))
        .map_or(&[][..], Node::items);
    for mount in container.get("volumeMounts").map_or(&[][..], Node::items) {
        let (Some(volume), Some(at)) = (
            mount.get("name").and_then(Node::as_str),
            mount.get("mountPath").and_then(Node::as_str),
        ) else {
            continue;
        };
        let Some(map_name) = volumes
            .iter()
            .find(|v| v.get("name").and_then(Node::as_str) == Some(volume))
            .and_then(|v| v.path(&["configMap", "name"]))
            .and_then(Node::as_str)
        else {
            continue;
        };
        let Some((_, data)) = maps.iter().find(|(n, _)| *n == map_name) else {
            continue;
        };
        let sub = mount.get("subPath").and_then(Node::as_str);
        for (key, value) in data.entries() {
            let Some(key) = key.as_str() else { continue };
            let path = match sub {
                Some(s) if s == key => at.to_string(),
                Some(_) => continue,
                None => format!("{}/{key}", at.trim_end_matches('/')),
            };
            out.push((map_name.to_string(), key.to_string(), path, value));
        }
    }
    out
}

/// Keys of a ConfigMap that hold a config: `redis.conf`, `sentinel.conf`, and any `*.conf` of
/// a map whose name says Redis, Valkey or Sentinel.
fn config_map(
    ctx: &Context,
    doc: &Node,
    kind: &str,
    name: &str,
    used: &[(String, String)],
    out: &mut Vec<Embedded>,
) {
    let lower = name.to_ascii_lowercase();
    let named = ["redis", "valkey", "sentinel"]
        .iter()
        .any(|n| lower.contains(n));
    for (key, value) in doc.get("data").map_or(&[][..], Node::entries) {
        let Some(key) = key.as_str() else { continue };
        if used.iter().any(|(m, k)| m == name && k == key) {
            continue;
        }
        let k = key.to_ascii_lowercase();
        let conf = k.ends_with(".conf")
            && (named
                || ["redis", "valkey", "sentinel"]
                    .iter()
                    .any(|n| k.contains(n)));
        if !conf {
            continue;
        }
        let sentinel = k.contains("sentinel");
        if let Some(e) = block(ctx, value, format!("{kind} `{name}` key `{key}`"), sentinel) {
            out.push(e);
        }
    }
}

fn container_config(
    ctx: &Context,
    kind: &str,
    name: &str,
    container: &Node,
    mounted: &[(String, String, String, &Node)],
) -> Option<Embedded> {
    let image_node = container.get("image");
    let image = image_node
        .and_then(Node::as_str)
        .and_then(Image::parse)
        .map(|i| (i, image_node.expect("read above").range.clone()));
    let (mut argv, mut appender) = match container.get("command") {
        Some(c) => yaml_args(ctx, c, Vars::Kubernetes),
        None => (Vec::new(), None),
    };
    match container.get("args") {
        Some(a) => {
            let (more, app) = yaml_args(ctx, a, Vars::Kubernetes);
            argv.extend(more);
            appender = app;
        }
        None if container.get("command").is_some() => {}
        None => {
            // The image's entrypoint puts the server in front of arguments starting with `-`.
            appender = image
                .as_ref()
                .filter(|(i, _)| {
                    matches!(
                        i.family,
                        super::image::Family::Official | super::image::Family::Valkey
                    )
                })
                .and(image_node)
                .map(|n| super::assemble::new_key(ctx.src, n, "args", Vec::new()));
        }
    }
    if image.is_none() && argv.is_empty() {
        return None;
    }
    let command = server_command(argv, appender, image.as_ref().map(|(i, _)| i))?;
    let container_name = container.get("name").and_then(Node::as_str).unwrap_or("?");
    let anchor = container
        .get("args")
        .or(container.get("command"))
        .or(image_node)
        .map_or(container.range.clone(), |n| n.range.clone());
    Some(
        Server {
            label: format!("{kind} `{name}` container `{container_name}`"),
            image,
            command,
            mounts: Vec::new(),
            blocks: mounted
                .iter()
                .filter_map(|(_, _, path, node)| {
                    let mut t = TracedText::default();
                    node.block_text(ctx.src, ctx.original, &mut t)?;
                    Some((path.clone(), t))
                })
                .collect(),
            presets: Vec::new(),
            anchor,
            ctx,
        }
        .embed(),
    )
}

/// Helm values of the common charts (Bitnami's `redis` and `valkey`): `commonConfiguration`
/// is read before each role's `configuration`; `auth.enabled` (on by default) gives the
/// password on the command line, and `disableCommands` (FLUSHDB, FLUSHALL by default) renames
/// commands away.
pub(super) fn extract_values(ctx: &Context, docs: &[Node]) -> Vec<Embedded> {
    let mut out = Vec::new();
    for doc in docs {
        let common = doc.get("commonConfiguration");
        let auth_off = doc
            .path(&["auth", "enabled"])
            .and_then(Node::as_str)
            .is_some_and(|v| v == "false");
        let roles = [("master", false), ("replica", false)];
        let mut any_role = false;
        for (role, sentinel) in roles {
            let Some(own) = doc.path(&[role, "configuration"]) else {
                continue;
            };
            if own.as_str().is_none_or(str::is_empty) {
                continue;
            }
            any_role = true;
            let parts: Vec<&Node> = if sentinel {
                vec![own]
            } else {
                common.into_iter().chain(std::iter::once(own)).collect()
            };
            if let Some(e) = values_config(ctx, doc, &parts, role, sentinel, auth_off) {
                out.push(e);
            }
        }
        if !any_role
            && let Some(common) = common
            && let Some(e) = values_config(ctx, doc, &[common], "common", false, auth_off)
        {
            out.push(e);
        }
        if let Some(e) = sentinel_values(ctx, doc, auth_off) {
            out.push(e);
        }
    }
    out
}

/// A chart's Sentinel (`sentinel.enabled: true`): the lines its ConfigMap and start script
/// write (from `bitnami/redis` `templates/configmap.yaml` and `start-sentinel.sh`), then
/// `sentinel.configuration`.
fn sentinel_values(ctx: &Context, doc: &Node, auth_off: bool) -> Option<Embedded> {
    let enabled = doc.path(&["sentinel", "enabled"])?;
    if enabled.as_str() != Some("true") {
        return None;
    }
    let value = |path: &[&str], default: &str| {
        doc.path(path)
            .and_then(Node::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let own = doc.path(&["sentinel", "configuration"]);
    let own_text = own.and_then(Node::as_str).unwrap_or("");
    let set = value(&["sentinel", "masterSet"], "mymaster");
    let name = value(&["fullnameOverride"], "redis");
    let mut lines = Vec::new();
    for key in ["resolve-hostnames", "announce-hostnames"] {
        if !own_text.contains(&format!("sentinel {key}")) {
            lines.push(format!("sentinel {key} yes"));
        }
    }
    lines.push(format!(
        "sentinel monitor {set} {name}-node-0.{name}-headless.default.svc.{} {} {}",
        value(&["clusterDomain"], "cluster.local"),
        value(&["sentinel", "service", "ports", "redis"], "6379"),
        value(&["sentinel", "quorum"], "2"),
    ));
    for (key, path, default) in [
        ("down-after-milliseconds", "downAfterMilliseconds", "60000"),
        ("failover-timeout", "failoverTimeout", "180000"),
        ("parallel-syncs", "parallelSyncs", "1"),
    ] {
        lines.push(format!(
            "sentinel {key} {set} {}",
            value(&["sentinel", path], default)
        ));
    }
    if !auth_off {
        if !own_text.contains("sentinel auth-pass") {
            lines.push(format!("sentinel auth-pass {set} ${{REDIS_PASSWORD}}"));
        }
        if value(&["auth", "sentinel"], "true") != "false" {
            lines.push("requirepass ${REDIS_PASSWORD}".into());
        }
    }
    let mut traced = TracedText::default();
    let owner = traced.add_owner(Owner {
        file: HostFile::Main,
        range: first_line(ctx.src, &enabled.range),
        kind: OwnerKind::Added,
        note: Some(
            "the chart writes this line of sentinel.conf (with release name `redis`)".into(),
        ),
    });
    for line in &lines {
        traced.push_made(line.as_bytes(), owner);
        traced.push_made(b"\n", owner);
    }
    if let Some(own) = own
        && let Some(b) = block(ctx, own, String::new(), true)
    {
        traced.append(b.traced);
    }
    Some(Embedded::of_text(
        traced,
        "Helm values `sentinel`".into(),
        true,
        true,
        first_line(ctx.src, &enabled.range),
    ))
}

fn values_config(
    ctx: &Context,
    doc: &Node,
    parts: &[&Node],
    role: &str,
    sentinel: bool,
    auth_off: bool,
) -> Option<Embedded> {
    let mut joined: Option<Embedded> = None;
    // What the chart's start script adds: the password on the command line.
    let mut preset = TracedText::default();
    let mut add = |line: String, at: &Node, note: &str| {
        let owner = preset.add_owner(Owner {
            file: HostFile::Main,
            range: first_line(ctx.src, &at.range),
            kind: OwnerKind::Added,
            note: Some(note.into()),
        });
        preset.push_made(line.as_bytes(), owner);
        preset.push_made(b"\n", owner);
    };
    if !auth_off {
        let at = doc.path(&["auth", "enabled"]).unwrap_or(parts[0]);
        add(
            "requirepass ${REDIS_PASSWORD}".into(),
            at,
            "the chart's start script passes `--requirepass` from `auth.password` (`auth.enabled`)",
        );
    }
    // The chart renames `disableCommands` away (FLUSHDB and FLUSHALL unless the values say).
    let role_key = if role == "common" { "master" } else { role };
    let listed = doc.path(&[role_key, "disableCommands"]);
    let commands: Vec<String> = match listed {
        Some(list) => list
            .items()
            .iter()
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect(),
        None => vec!["FLUSHDB".into(), "FLUSHALL".into()],
    };
    let at = listed.unwrap_or(parts[0]);
    for command in commands {
        add(
            format!("rename-command {command} \"\""),
            at,
            &format!("the chart renames `{command}` away (`{role_key}.disableCommands`)"),
        );
    }

    for part in parts {
        let Some(e) = block(ctx, part, String::new(), sentinel) else {
            continue;
        };
        match &mut joined {
            None => joined = Some(e),
            Some(j) => {
                // The chart writes each part as its own file, read one after the other.
                if j.traced.text.last() != Some(&b'\n') {
                    let owner = j.traced.owners.len() - 1;
                    j.traced.push_made(b"\n", owner);
                }
                j.traced.append(e.traced);
                j.template |= e.template;
            }
        }
    }
    let mut e = joined?;
    if !preset.is_empty() {
        preset.append(e.traced);
        e.traced = preset;
        e.template = true;
    }
    e.label = format!("Helm values `{role}`");
    if !auth_off && !sentinel {
        e.external_password = Some(
            "the chart's `auth.enabled` gives the password on the command line (`--requirepass`)"
                .into(),
        );
    }
    Some(e)
}
