//! Own-line suppression comments (redis.conf has no inline comments):
//!
//! ```text
//! # redlint: disable-next-line network/bind-all-interfaces -- behind a firewall
//! # redlint: disable-file tls -- TLS terminates at the proxy
//! ```
//!
//! Ids may be rule ids or category prefixes. Suppressions that silence nothing, or name nothing
//! redlint knows, are reported themselves.

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::rules::{RuleSet, selector_matches};
use crate::semantic::SourceFile;
use crate::syntax::LineKind;
use std::ops::Range;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    File,
    /// The physical line number (1-based) the comment applies to.
    Line(usize),
}

#[derive(Debug, Clone)]
struct Suppression {
    file: PathBuf,
    scope: Scope,
    ids: Vec<(String, Range<usize>)>,
    /// Span of the comment, for reporting.
    span: Range<usize>,
    used: Vec<bool>,
}

fn parse(file: &SourceFile) -> Vec<Suppression> {
    let src = &file.bytes;
    let lines = &file.tree.lines;
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.kind != LineKind::Comment {
            continue;
        }
        let text = &src[line.content.clone()];
        let Some(body) = text.strip_prefix(b"#").map(|b| b.trim_ascii_start()) else {
            continue;
        };
        let Some(rest) = body.strip_prefix(b"redlint:") else {
            continue;
        };
        let rest_offset = line.content.start + (text.len() - rest.len());
        let rest_str = String::from_utf8_lossy(rest);
        let (directive_part, _reason) = match rest_str.find(" --") {
            Some(p) => (&rest_str[..p], Some(&rest_str[p + 3..])),
            None => (&rest_str[..], None),
        };
        let mut words = Vec::new();
        let mut pos = 0;
        for w in directive_part.split_ascii_whitespace() {
            let start = directive_part[pos..].find(w).map_or(pos, |p| p + pos);
            pos = start + w.len();
            words.push((w.to_string(), rest_offset + start..rest_offset + pos));
        }
        let Some((kind, _)) = words.first().cloned() else {
            continue;
        };
        let scope = match kind.as_str() {
            "disable-file" => Scope::File,
            "disable-next-line" => {
                // The next line that is not blank and not a comment.
                let next = lines[i + 1..]
                    .iter()
                    .find(|l| !matches!(l.kind, LineKind::Blank | LineKind::Comment))
                    .map_or(line.number + 1, |l| l.number);
                Scope::Line(next)
            }
            _ => continue,
        };
        let ids: Vec<(String, Range<usize>)> = words.into_iter().skip(1).collect();
        out.push(Suppression {
            file: file.path.clone(),
            scope,
            used: vec![false; ids.len()],
            ids,
            span: line.content.clone(),
        });
    }
    out
}

/// Drop suppressed diagnostics and report unused or unknown suppressions.
pub fn apply(
    files: &[SourceFile],
    rules: &RuleSet,
    diagnostics: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut sups: Vec<Suppression> = files.iter().flat_map(parse).collect();
    if sups.is_empty() {
        return diagnostics;
    }
    let mut kept = Vec::new();
    for d in diagnostics {
        let mut suppressed = false;
        for s in sups.iter_mut().filter(|s| s.file == d.location.file) {
            let applies = match s.scope {
                Scope::File => true,
                Scope::Line(n) => d.location.line == n,
            };
            if !applies {
                continue;
            }
            for (k, (id, _)) in s.ids.iter().enumerate() {
                if selector_matches(id, &d.rule) {
                    s.used[k] = true;
                    suppressed = true;
                }
            }
        }
        if !suppressed {
            kept.push(d);
        }
    }
    for s in &sups {
        let file = files
            .iter()
            .find(|f| f.path == s.file)
            .expect("suppression from a read file");
        for (k, (id, span)) in s.ids.iter().enumerate() {
            let (rule, message) = if !rules.knows_selector(id) {
                (
                    "meta/unknown-suppression",
                    format!("suppression names `{id}`, which is no rule id or category"),
                )
            } else if !s.used[k] {
                (
                    "meta/unused-suppression",
                    format!("suppression of `{id}` silences nothing"),
                )
            } else {
                continue;
            };
            kept.push(Diagnostic {
                rule: rule.into(),
                severity: Severity::Warning,
                message,
                label: None,
                help: Some("remove it from the suppression comment".into()),
                location: Location::in_tree(
                    s.file.clone(),
                    &file.tree,
                    if span.is_empty() {
                        s.span.clone()
                    } else {
                        span.clone()
                    },
                ),
            });
        }
    }
    kept
}
