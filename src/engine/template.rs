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
    let catalog = ctx.cfg.catalog;
    let item_entry = match item {
        Item::Entry(e) | Item::Arg { entry: e, .. } => Some(*e),
        _ => None,
    };
    // Each placeholder is worked out only when the template has it.
    let var = |name: &str| -> Option<String> {
        Some(match name {
            "value" if secrets::value_not_shown(catalog, at) => "********".to_string(),
            "value" => ctx.args(at).join(" "),
            "default" => catalog
                .lookup(at)
                .and_then(|(_, s)| s.default_value())
                .unwrap_or_else(|| "none".into()),
            "directive" => at.to_string(),
            "target_version" => ctx.cfg.target.pretty(),
            "item" => item.text().unwrap_or_default(),
            "items" => items.clone().unwrap_or_default(),
            "name" => item_entry
                .or(entry)
                .map_or(at.to_string(), |e| e.name.clone()),
            "primary" => item_entry.map_or(at.to_string(), |e| e.key().to_string()),
            "reason" => ctx
                .first(at)
                .and_then(|v| weak_secret(&v, ctx.min_secret_length()))
                .unwrap_or_default(),
            _ => param_text(ctx.params.get(name.strip_prefix("param.")?)?),
        })
    };
    fill(template, var)
}

/// `template` with each `{name}` that `var` knows replaced, in one pass (a value that holds
/// braces is not read again); other braces stay as they are.
fn fill(template: &str, var: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(['}', '{']) {
            Some(close) if after.as_bytes()[close] == b'}' => match var(&after[..close]) {
                Some(value) => {
                    out.push_str(&value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            },
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn placeholders_are_filled_once() {
        let var = |n: &str| match n {
            "a" => Some("{b}".to_string()),
            "b" => Some("B".to_string()),
            _ => None,
        };
        assert_eq!(fill("x {a} {b} {c} {{b}} {", var), "x {b} B {c} {B} {");
    }
}
