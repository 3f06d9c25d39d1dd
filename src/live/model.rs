//! A running server's answers as the model the rules read: its version's catalog, its
//! parameters as effective values, its users and the commands it lacks.

use super::snapshot::Snapshot;
use crate::catalog::{Catalog, available};
use crate::semantic::{ArgList, Model, ServerState};
use crate::version::{Product, Version};
use std::collections::HashSet;

/// The catalog version for the server's `INFO server`: its release line when redlint knows it,
/// else the newest known line of its product before it (with a note), else the oldest.
pub fn version_of(snap: &Snapshot) -> Result<(Version, Vec<String>), String> {
    let Some((valkey, text)) = snap.server_version() else {
        return Err("INFO server names no version (is it a Redis server?)".into());
    };
    let product = if valkey {
        Product::Valkey
    } else {
        Product::Redis
    };
    let mut parts = text.split('.').map(|p| p.parse::<u16>().ok());
    let (Some(Some(major)), Some(Some(minor))) = (parts.next(), parts.next()) else {
        return Err(format!(
            "INFO server: version `{text}` is not MAJOR.MINOR.PATCH"
        ));
    };
    let mut known: Vec<Version> = available()
        .into_iter()
        .filter(|v| v.product == product)
        .collect();
    known.sort_by_key(|v| (v.major, v.minor));
    let name = if valkey { "Valkey" } else { "Redis" };
    if let Some(v) = known.iter().find(|v| (v.major, v.minor) == (major, minor)) {
        return Ok((*v, Vec::new()));
    }
    let below = known
        .iter()
        .rev()
        .find(|v| (v.major, v.minor) < (major, minor));
    let chosen = below
        .or(known.first())
        .copied()
        .ok_or_else(|| format!("no catalog of {name}"))?;
    let newer = known
        .last()
        .is_some_and(|v| (major, minor) > (v.major, v.minor));
    let note = if newer {
        format!(
            "{name} {text} is newer than redlint knows: judged as {}",
            chosen.pretty()
        )
    } else {
        format!(
            "{name} {text} has no catalog: judged as {}",
            chosen.pretty()
        )
    };
    Ok((chosen, vec![note]))
}

/// Parameters whose value is a list of words (`CONFIG GET` joins them with spaces).
fn is_list(catalog: &Catalog, primary: &str) -> bool {
    matches!(
        primary,
        "save" | "bind" | "client-output-buffer-limit" | "oom-score-adj-values"
    ) || catalog
        .lookup(primary)
        .is_some_and(|(_, s)| s.is_multi_arg())
}

/// The model of a server's answers.
pub fn model_of(snap: &Snapshot, catalog: &'static Catalog) -> Model {
    let config = snap.config.as_deref().unwrap_or(&[]);
    // Aliases come back beside their primary names: one entry a parameter, the primary's.
    let mut seen = HashSet::new();
    let mut settings: Vec<(&str, Vec<Vec<u8>>)> = Vec::new();
    let mut ordered: Vec<&(String, Vec<u8>)> = config.iter().collect();
    ordered.sort_by_key(|(name, _)| catalog.lookup(name).is_none_or(|(p, _)| p != name));
    for (name, value) in ordered {
        let primary = catalog.lookup(name).map_or(name.as_str(), |(p, _)| p);
        if !seen.insert(primary.to_string()) {
            continue;
        }
        let args = if is_list(catalog, primary) {
            value
                .split(|b| *b == b' ')
                .filter(|w| !w.is_empty())
                .map(<[u8]>::to_vec)
                .collect()
        } else {
            vec![value.clone()]
        };
        settings.push((name.as_str(), args));
    }
    let mut model = Model::from_settings(catalog, &settings);
    model.sentinel = snap.is_sentinel();
    let users = snap.acl_list.as_ref().map(|lines| {
        lines
            .iter()
            .map(|l| {
                let words = l.split(' ').filter(|w| !w.is_empty());
                // `user NAME rules…`: the model keeps what follows `user`.
                words.skip(1).collect::<ArgList>()
            })
            .collect()
    });
    let absent: HashSet<String> = snap
        .commands
        .iter()
        .filter(|(asked, known)| {
            catalog.has_command(asked) && known.as_deref() != Some(asked.as_str())
        })
        .map(|(asked, _)| asked.clone())
        .collect();
    model.server = Some(ServerState {
        users,
        absent_commands: (!snap.commands.is_empty()).then_some(absent),
        parameters_read: snap.config.is_some(),
    });
    model
}
