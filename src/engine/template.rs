//! Rule messages: the template's placeholders filled in from the model, secrets never shown.

use super::eval::{Ctx, Item};
use crate::ruleset::{Override, Rule};
use crate::semantic::Entry;
use crate::semantic::facts::weak_secret;
use crate::semantic::secrets;

fn param_text(v: &toml::Value) -> String {
    match v {
        toml::Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map_or(x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The message of a finding about `entry` (or about the absence of the rule's directive).
pub(super) fn message(
    rule: &Rule,
    case: Option<&Override>,
    ctx: &Ctx,
    entry: Option<&Entry>,
    item: &Item,
    items: Option<String>,
) -> String {
    // The case's own wording first, then the rule's.
    let (message, absent) = match case {
        Some(o) if o.message.is_some() => (o.message.as_ref(), o.message_absent.as_ref()),
        _ => (Some(&rule.message), rule.message_absent.as_ref()),
    };
    let template = match (entry, absent) {
        (None, Some(absent)) => absent,
        _ => message.unwrap_or(&rule.message),
    };
    let at = rule.at.as_deref().unwrap_or("");
    let catalog = &ctx.cfg.catalog;
    let spec = catalog.lookup(at).map(|(_, s)| s);
    let value = if secrets::value_not_shown(catalog, at) {
        "********".to_string()
    } else {
        ctx.args(at).join(" ")
    };
    let item_entry = match item {
        Item::Entry(e) | Item::Arg { entry: e, .. } => Some(*e),
        _ => None,
    };
    let mut vars: Vec<(String, String)> = vec![
        ("value".into(), value),
        (
            "default".into(),
            spec.and_then(|s| s.default_value())
                .unwrap_or_else(|| "none".into()),
        ),
        ("directive".into(), at.to_string()),
        ("target_version".into(), ctx.cfg.target.pretty()),
        ("item".into(), item.text().unwrap_or_default()),
        ("items".into(), items.unwrap_or_default()),
        (
            "name".into(),
            item_entry
                .or(entry)
                .map_or(at.to_string(), |e| e.name.clone()),
        ),
        (
            "primary".into(),
            item_entry.map_or(at.to_string(), |e| e.key().to_string()),
        ),
        (
            "reason".into(),
            ctx.first(at)
                .and_then(|v| weak_secret(&v, ctx.min_secret_length()))
                .unwrap_or_default(),
        ),
    ];
    for (k, v) in ctx.params {
        vars.push((format!("param.{k}"), param_text(v)));
    }
    let mut message = template.clone();
    for (k, v) in &vars {
        message = message.replace(&format!("{{{k}}}"), v);
    }
    message
}
