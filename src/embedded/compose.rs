//! Compose files: each service that runs a Redis or Valkey server (by its image, or by a
//! `command` / `entrypoint` that runs the server).

use super::assemble::{Context, Embedded, Mounts, Preset, Server, server_command, yaml_args};
use super::image::{Family, Image};
use super::shell::Vars;
use super::yaml::Node;
use std::path::PathBuf;

pub(super) fn extract(ctx: &Context, docs: &[Node]) -> Vec<Embedded> {
    let mut out = Vec::new();
    for doc in docs {
        let Some(services) = doc.get("services") else {
            continue;
        };
        for (name, service) in services.entries() {
            let name = name.as_str().unwrap_or("?");
            if let Some(e) = service_config(ctx, name, service) {
                out.push(e);
            }
        }
    }
    out
}

fn service_config(ctx: &Context, name: &str, service: &Node) -> Option<Embedded> {
    let image_node = service.get("image");
    let image = image_node
        .and_then(|n| n.as_str())
        .and_then(Image::parse)
        .map(|i| (i, image_node.expect("read above").range.clone()));
    let (mut argv, mut appender) = match service.get("entrypoint") {
        Some(e) => yaml_args(ctx, e, Vars::Compose),
        None => (Vec::new(), None),
    };
    if let Some(c) = service.get("command") {
        let (more, app) = yaml_args(ctx, c, Vars::Compose);
        argv.extend(more);
        appender = app;
    } else if service.get("entrypoint").is_some() {
        appender = None;
    } else if let Some((image, _)) = &image
        && image.family != Family::Bitnami
    {
        appender = image_node.map(|n| {
            super::assemble::new_key(
                ctx.src,
                n,
                "command",
                vec![image.program().as_bytes().to_vec()],
            )
        });
    }
    let command = server_command(argv, appender, image.as_ref().map(|(i, _)| i))?;
    let anchor = service
        .get("command")
        .or(image_node)
        .map_or(service.range.clone(), |n| n.range.clone());
    let presets = image
        .as_ref()
        .filter(|(i, _)| i.family == Family::Bitnami)
        .map(|(_, at)| bitnami_presets(service, at.clone()))
        .unwrap_or_default();
    Some(
        Server {
            label: format!("service `{name}`"),
            image,
            command,
            mounts: mounts(service),
            blocks: Vec::new(),
            presets,
            anchor,
            ctx,
        }
        .embed(),
    )
}

/// Bind mounts: `./redis.conf:/usr/local/etc/redis/redis.conf:ro`, or the long syntax.
fn mounts(service: &Node) -> Mounts {
    let mut out = Vec::new();
    for v in service.get("volumes").map_or(&[][..], Node::items) {
        if let Some(short) = v.as_str() {
            let mut parts = short.splitn(3, ':');
            if let (Some(src), Some(dst)) = (parts.next(), parts.next())
                && (src.starts_with('.') || src.starts_with('/'))
            {
                out.push((dst.to_string(), PathBuf::from(src)));
            }
        } else if let (Some(src), Some(dst)) = (
            v.get("source").and_then(Node::as_str),
            v.get("target").and_then(Node::as_str),
        ) {
            out.push((dst.to_string(), PathBuf::from(src)));
        }
    }
    out
}

/// The environment of a service: `KEY=VALUE` items or a mapping, with the value's node.
fn environment(service: &Node) -> Vec<(String, &Node, Option<String>)> {
    let Some(env) = service.get("environment") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in env.items() {
        if let Some((k, v)) = item.as_str().and_then(|s| s.split_once('=')) {
            out.push((k.to_string(), item, Some(v.to_string())));
        }
    }
    for (k, v) in env.entries() {
        if let Some(k) = k.as_str() {
            out.push((k.to_string(), v, v.as_str().map(str::to_string)));
        }
    }
    out
}

/// What Bitnami's setup writes into its redis.conf from the image and the environment.
fn bitnami_presets(service: &Node, image: std::ops::Range<usize>) -> Vec<Preset> {
    let note = "Bitnami's setup writes this line into its redis.conf".to_string();
    let mut out: Vec<Preset> = ["bind 0.0.0.0 ::", "appendonly yes", "save \"\""]
        .iter()
        .map(|l| Preset {
            line: l.as_bytes().to_vec(),
            at: image.clone(),
            note: note.clone(),
        })
        .collect();
    for (key, node, value) in environment(service) {
        let Some(value) = value else { continue };
        match key.as_str() {
            "REDIS_PASSWORD" | "VALKEY_PASSWORD" if !value.is_empty() => {
                let value = super::shell::interpolate(
                    &super::shell::Traced::new(value.into_bytes(), Vec::new()),
                    Vars::Compose,
                );
                let mut line = b"requirepass ".to_vec();
                line.extend(crate::syntax::quote(&value.text));
                out.push(Preset {
                    line,
                    at: node.range.clone(),
                    note: format!("Bitnami's setup sets `requirepass` from `{key}`"),
                });
            }
            "ALLOW_EMPTY_PASSWORD" if value.eq_ignore_ascii_case("yes") => out.push(Preset {
                line: b"protected-mode no".to_vec(),
                at: node.range.clone(),
                note: "Bitnami's setup turns protected mode off with `ALLOW_EMPTY_PASSWORD=yes`"
                    .into(),
            }),
            _ => {}
        }
    }

    out
}
