//! The effective configuration: every line read the way redis-server reads it (includes spliced
//! in place, aliases resolved, repeats applied per the catalog), the validity of each line for the
//! target version, and the value the server will actually run with.

mod effective;
mod loader;
pub mod sentinel;
pub mod special;
pub mod values;

pub use effective::{EffectiveConfig, Entry, SourceFile};

use crate::check::{CheckOptions, FileReport};
use crate::diagnostic::Diagnostic;
use std::path::Path;

/// The result of reading a config the way redis-server does.
#[derive(Debug)]
pub struct Analysis {
    pub config: EffectiveConfig,
    /// Validity diagnostics (`invalid/*`) and parsing quirks, in reading order.
    pub diagnostics: Vec<Diagnostic>,
}

pub fn analyze(path: &Path, bytes: &[u8], options: &CheckOptions) -> Analysis {
    loader::Loader::run(path, bytes, options)
}

impl Analysis {
    pub fn into_report(self) -> FileReport {
        let sources = self
            .config
            .files
            .iter()
            .map(|f| (f.path.clone(), f.bytes.clone()))
            .collect();
        FileReport {
            path: self.config.files[0].path.clone(),
            diagnostics: self.diagnostics,
            sources,
            secrets: Default::default(),
        }
    }
}

/// Names whose values are secrets, besides the catalog's SENSITIVE flag.
const SECRET_DIRECTIVES: &[&str] = &[
    "requirepass",
    "masterauth",
    "masteruser",
    "primaryauth",
    "primaryuser",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// Byte ranges of secret values (passwords) in every file read, to mask in output.
pub fn secret_spans(
    config: &EffectiveConfig,
) -> std::collections::BTreeMap<std::path::PathBuf, Vec<std::ops::Range<usize>>> {
    use crate::syntax::LineKind;
    let mut out: std::collections::BTreeMap<_, Vec<_>> = Default::default();
    for file in &config.files {
        let src = &file.bytes;
        let mut spans = Vec::new();
        for line in &file.tree.lines {
            let (tokens, rest_from): (Vec<&crate::syntax::Token>, Option<usize>) = match &line.kind
            {
                LineKind::Directive(d) => (d.tokens().collect(), None),
                LineKind::Invalid(e) => (e.tokens.iter().collect(), Some(e.offset)),
                _ => continue,
            };
            let Some(name_tok) = tokens.first() else {
                continue;
            };
            let name = String::from_utf8_lossy(&name_tok.value(src)).to_ascii_lowercase();
            let primary = config
                .catalog
                .lookup(&name)
                .map(|(p, s)| (p.to_string(), s.is_sensitive()))
                .unwrap_or((name.clone(), false));
            let whole_value = primary.1
                || SECRET_DIRECTIVES.contains(&primary.0.as_str())
                || SECRET_DIRECTIVES.contains(&name.as_str());
            let args = &tokens[1..];
            if whole_value {
                spans.extend(args.iter().map(|t| t.span.clone()));
                if rest_from.is_some() {
                    // The tokenizer failed: everything after the name may be secret.
                    let from = args.last().map_or(name_tok.span.end, |t| t.span.end);
                    spans.push(from..line.content.end);
                }
            } else if name == "user" {
                for t in args {
                    let v = t.value(src);
                    if matches!(v.first(), Some(b'>' | b'<' | b'#' | b'!')) {
                        spans.push(t.span.clone());
                    }
                }
                if rest_from.is_some() {
                    // The tokenizer failed: everything after the name may be secret.
                    let from = args.last().map_or(name_tok.span.end, |t| t.span.end);
                    spans.push(from..line.content.end);
                }
            } else if name == "sentinel"
                && args
                    .first()
                    .is_some_and(|t| t.value(src).eq_ignore_ascii_case(b"auth-pass"))
            {
                spans.extend(args.iter().skip(2).map(|t| t.span.clone()));
            }
        }
        if !spans.is_empty() {
            out.insert(file.path.clone(), spans);
        }
    }
    out
}
