//! Rule documentation generated from the rule data: `redlint rules`, `redlint explain`, and the
//! README rule table.

use crate::rules::model::Safety;
use crate::rules::{BUILTIN_CHECKS, Rule, RuleSet};
use std::fmt::Write as _;

fn fixable(rule: &Rule) -> &'static str {
    match rule.fixable() {
        Some(Safety::Safe) => "safe",
        Some(Safety::Unsafe) => "unsafe",
        Some(Safety::Manual) => "manual",
        None => "-",
    }
}

fn rows(set: &RuleSet) -> Vec<[String; 5]> {
    let mut rows: Vec<[String; 5]> = set
        .rules
        .iter()
        .map(|r| {
            [
                r.id().to_string(),
                r.def.severity.to_string(),
                r.versions.describe(),
                fixable(r).to_string(),
                r.def.summary.clone(),
            ]
        })
        .collect();
    rows.extend(BUILTIN_CHECKS.iter().map(|(id, sev, summary)| {
        [
            id.to_string(),
            sev.to_string(),
            "all".into(),
            "-".into(),
            summary.to_string(),
        ]
    }));
    rows.sort();
    rows
}

/// Plain-text table for the terminal.
pub fn rules_table(set: &RuleSet) -> String {
    let rows = rows(set);
    let header = ["id", "severity", "versions", "fixable", "summary"];
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].len())
            .chain([header[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..4).map(width).collect();
    let mut out = String::new();
    let line = |cells: [&str; 5], out: &mut String| {
        let _ = writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
    };
    line(header, &mut out);
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3], &r[4]], &mut out);
    }
    let _ = writeln!(out, "\n{} rules", rows.len());
    out
}

/// Markdown table, as embedded in the README.
pub fn rules_markdown(set: &RuleSet) -> String {
    let mut out = String::from(
        "| id | severity | versions | fixable | summary |\n| --- | --- | --- | --- | --- |\n",
    );
    for r in rows(set) {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4].replace('|', "\\|")
        );
    }
    out
}

/// Long explanation of one rule.
pub fn explain(set: &RuleSet, id: &str) -> Option<String> {
    let mut out = String::new();
    if let Some((id, sev, summary)) = BUILTIN_CHECKS.iter().find(|(b, _, _)| *b == id) {
        let _ = writeln!(
            out,
            "{id} ({sev})\n\n{summary}.\n\nBuilt into redlint's reader of redis.conf; it follows what redis-server of the target version does."
        );
        return Some(out);
    }
    let rule = set.get(id)?;
    let d = &rule.def;
    let _ = writeln!(
        out,
        "{} ({}, versions: {})\n",
        rule.id(),
        d.severity,
        rule.versions.describe()
    );
    let _ = writeln!(out, "{}\n", d.summary);
    let _ = writeln!(out, "Why:\n{}\n", d.rationale.trim());
    if let Some(bad) = &d.example_bad {
        let _ = writeln!(out, "Example that triggers it:\n{}\n", indent(bad));
    }
    if let Some(good) = &d.example_good {
        let _ = writeln!(out, "Example that does not:\n{}\n", indent(good));
    }
    match &d.fix {
        Some(fix) => {
            let safety = match fix.safety {
                Safety::Safe => "safe: keeps behaviour, applied by --fix",
                Safety::Unsafe => "unsafe: changes behaviour, review before applying",
                Safety::Manual => "manual: redlint describes it but never edits",
            };
            let _ = writeln!(out, "Fix ({safety}):\n  {}\n", fix.description);
        }
        None => {
            let _ = writeln!(out, "Fix: none\n");
        }
    }
    if !d.sources.is_empty() {
        let _ = writeln!(out, "Sources:");
        for s in &d.sources {
            let _ = writeln!(out, "  - {s}");
        }
    }
    Some(out)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
