//! Rule documentation generated from the rule data: `redlint rules`, `redlint explain`, and the
//! README rule table.

use crate::checks::Check;
use crate::diagnostic::Applicability;
use crate::ruleset::RuleSet;
use std::fmt::Write as _;

/// What `--fix` does for a finding: `safe`, `unsafe`, `display-only` (advice), or `-` (none).
fn fixable(fix: Option<Applicability>) -> String {
    fix.map_or("-".to_string(), |a| a.as_str().to_string())
}

fn rows(set: &RuleSet) -> Vec<[String; 5]> {
    let mut rows: Vec<[String; 5]> = set
        .rules()
        .iter()
        .map(|r| {
            [
                r.id().to_string(),
                r.severity().to_string(),
                r.versions().describe(),
                fixable(r.fix().map(|f| f.applicability)),
                r.summary().to_string(),
            ]
        })
        .collect();
    rows.extend(Check::ALL.iter().map(|c| {
        [
            c.id().to_string(),
            c.severity().to_string(),
            "all".into(),
            fixable(c.fix()),
            c.summary().to_string(),
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
    if let Some(check) = Check::from_id(id) {
        let _ = writeln!(
            out,
            "{id} ({})\n\n{}.\n\n{}",
            check.severity(),
            check.summary(),
            check.origin().replace("ID", id)
        );
        return Some(out);
    }
    let rule = set.get(id)?;
    let _ = writeln!(
        out,
        "{} ({}, versions: {})\n",
        rule.id(),
        rule.severity(),
        rule.versions().describe()
    );
    let _ = writeln!(out, "{}\n", rule.summary());
    let _ = writeln!(out, "Why:\n{}\n", rule.rationale().trim());
    if let Some(bad) = rule.example_bad() {
        let _ = writeln!(out, "Example that triggers it:\n{}\n", indent(bad));
    }
    if let Some(good) = rule.example_good() {
        let _ = writeln!(out, "Example that does not:\n{}\n", indent(good));
    }
    match rule.fix() {
        Some(fix) => {
            let _ = writeln!(
                out,
                "Fix ({}):\n  {}\n",
                fix.applicability.describe(),
                fix.title
            );
        }
        None => {
            let _ = writeln!(out, "Fix: none\n");
        }
    }
    if !rule.sources().is_empty() {
        let _ = writeln!(out, "Sources:");
        for s in rule.sources() {
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
