//! Own-line suppression comments (redis.conf has no inline comments):
//!
//! ```text
//! # redlint: disable-next-line network/bind-all-interfaces -- behind a firewall
//! # redlint: disable-file tls -- TLS terminates at the proxy
//! ```
//!
//! Ids may be rule ids or category prefixes. Suppressions that silence nothing, or name nothing
//! redlint knows, are reported themselves.

use crate::checks::Check;
use crate::diagnostic::Diagnostic;
use crate::ruleset::{RuleSet, selector_matches};
use crate::source::{FileId, Sources, Span};
use crate::syntax::{LineKind, SyntaxTree};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    File,
    /// The physical line number (1-based) the comment applies to.
    Line(usize),
}

#[derive(Debug, Clone)]
struct Suppression {
    file: FileId,
    scope: Scope,
    ids: Vec<(String, Range<usize>)>,
    /// Span of the comment, for reporting.
    span: Range<usize>,
    used: Vec<bool>,
}

/// A rule id or category written in a comment, and its byte range.
pub(crate) type RuleRef = (String, Range<usize>);

/// What a suppression comment covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Directive {
    File,
    NextLine,
}

/// A `# redlint: disable-next-line ID… -- reason` (or `disable-file`) comment: what it covers,
/// and its ids (renamed ones under their new names) with their byte ranges in `text`.
pub(crate) fn directive(text: &[u8]) -> Option<(Directive, Vec<RuleRef>)> {
    let body = text.strip_prefix(b"#")?.trim_ascii_start();
    let rest = body.strip_prefix(b"redlint:")?;
    let rest_offset = text.len() - rest.len();
    let rest_str = String::from_utf8_lossy(rest);
    let directive_part = rest_str
        .find(" --")
        .map_or(&rest_str[..], |p| &rest_str[..p]);
    let mut words = Vec::new();
    let mut pos = 0;
    for w in directive_part.split_ascii_whitespace() {
        let start = directive_part[pos..].find(w).map_or(pos, |p| p + pos);
        pos = start + w.len();
        words.push((w, rest_offset + start..rest_offset + pos));
    }
    let (kind, _) = words.first()?;
    let kind = match *kind {
        "disable-file" => Directive::File,
        "disable-next-line" => Directive::NextLine,
        _ => return None,
    };
    let ids = words
        .into_iter()
        .skip(1)
        .map(|(w, r)| (crate::ruleset::redirected(w).to_string(), r))
        .collect();
    Some((kind, ids))
}

fn parse(id: FileId, tree: &SyntaxTree) -> Vec<Suppression> {
    let src = &tree.source;
    let lines = &tree.lines;
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.kind != LineKind::Comment {
            continue;
        }
        let text = &src[line.content()];
        let Some((kind, words)) = directive(text) else {
            continue;
        };
        let words: Vec<(String, Range<usize>)> = words
            .into_iter()
            .map(|(w, r)| {
                (
                    w,
                    line.content().start + r.start..line.content().start + r.end,
                )
            })
            .collect();
        let scope = match kind {
            Directive::File => Scope::File,
            Directive::NextLine => {
                // The next line that is not blank and not a comment.
                // Line numbers are 1-based indexes of the tree's lines.
                let next = lines[i + 1..]
                    .iter()
                    .position(|l| !matches!(l.kind, LineKind::Blank | LineKind::Comment))
                    .map_or(i + 2, |k| i + 2 + k);
                Scope::Line(next)
            }
        };
        let ids = words;
        out.push(Suppression {
            file: id,
            scope,
            used: vec![false; ids.len()],
            ids,
            span: line.content(),
        });
    }
    out
}

/// Drop suppressed diagnostics and report unused or unknown suppressions. `active` tells
/// whether a rule or check ran at all: a suppression of one that did not run is not "unused".
pub fn apply(
    sources: &Sources,
    trees: &[SyntaxTree],
    rules: &RuleSet,
    active: &dyn Fn(&str) -> bool,
    diagnostics: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut sups: Vec<Suppression> = sources
        .iter()
        .zip(trees)
        .flat_map(|((id, _), tree)| parse(id, tree))
        .collect();
    if sups.is_empty() {
        return diagnostics;
    }
    let mut kept = Vec::new();
    for d in diagnostics {
        let (file, offset) = d
            .primary
            .as_ref()
            .map_or((FileId::ROOT, 0), |s| (s.file, s.range.start));
        let line = sources.get(file).line_col(offset).0;
        let mut suppressed = false;
        for s in sups.iter_mut().filter(|s| s.file == file) {
            let applies = match s.scope {
                Scope::File => true,
                Scope::Line(n) => line == n,
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
        for (k, (id, span)) in s.ids.iter().enumerate() {
            let (check, message) = if !rules.knows_selector(id) {
                (
                    Check::UnknownSuppression,
                    format!("suppression names `{id}`, which is no rule id or category"),
                )
            } else if !s.used[k] && rules.ids().any(|r| selector_matches(id, r) && active(r)) {
                (
                    Check::UnusedSuppression,
                    format!("suppression of `{id}` silences nothing"),
                )
            } else {
                continue;
            };
            let range = if span.is_empty() {
                s.span.clone()
            } else {
                span.clone()
            };
            let mut d = check.at(Some(Span::new(s.file, range)), message);
            d.help = Some("remove it from the suppression comment".into());
            kept.push(d);
        }
    }
    kept
}
