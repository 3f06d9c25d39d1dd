//! A rule's regex. Most are anchored literals (`^default$`, `^(replica|slave)-read-only$`,
//! `^cluster-`) tested against every line of a file: those are matched as strings. The rest are
//! built by the regex crate the first time a file reaches them, since building every regex of
//! every rule dominated start-up.

use regex::Regex;
use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::{Hir, HirKind, Look};
use std::sync::OnceLock;

#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    /// Decided (and the regex built) on first use.
    kind: OnceLock<Kind>,
}

#[derive(Debug, Clone)]
enum Kind {
    /// `^(a|b)$`: the text is one of these.
    Exact(Vec<Vec<u8>>),
    /// `^(a|b)`: the text starts with one of these.
    Prefix(Vec<Vec<u8>>),
    Regex(Regex),
}

impl Pattern {
    /// A pattern taken as valid (built-in rules: a test builds every one).
    pub fn lazy(text: &str) -> Pattern {
        Pattern {
            text: text.to_string(),
            kind: OnceLock::new(),
        }
    }

    /// A pattern checked now: a bad regex is an error.
    pub fn checked(text: &str) -> Result<Pattern, regex::Error> {
        let kind = match literal_kind(text) {
            Some(kind) => {
                // A literal shape parsed; the regex crate must accept it too.
                Regex::new(text)?;
                kind
            }
            None => Kind::Regex(Regex::new(text)?),
        };
        Ok(Pattern {
            text: text.to_string(),
            kind: OnceLock::from(kind),
        })
    }

    fn kind(&self) -> &Kind {
        self.kind.get_or_init(|| {
            literal_kind(&self.text).unwrap_or_else(|| {
                Kind::Regex(
                    Regex::new(&self.text).expect("built-in regexes are built by the rule tests"),
                )
            })
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self.kind() {
            Kind::Exact(set) => set.iter().any(|l| l.as_slice() == text.as_bytes()),
            Kind::Prefix(set) => set.iter().any(|l| text.as_bytes().starts_with(l)),
            Kind::Regex(regex) => regex.is_match(text),
        }
    }
}

/// `^` + a finite set of literals (+ `$`), as strings; None for any other shape.
fn literal_kind(text: &str) -> Option<Kind> {
    let hir = regex_syntax::Parser::new().parse(text).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let (first, rest) = parts.split_first()?;
    if !matches!(first.kind(), HirKind::Look(Look::Start)) {
        return None;
    }
    let (exact, middle) = match rest.split_last() {
        Some((last, middle)) if matches!(last.kind(), HirKind::Look(Look::End)) => (true, middle),
        _ => (false, rest),
    };
    let middle = Hir::concat(middle.to_vec());
    let seq = Extractor::new().extract(&middle);
    let literals = seq.literals()?;
    if !seq.is_exact() || literals.is_empty() {
        return None;
    }
    let set = literals.iter().map(|l| l.as_bytes().to_vec()).collect();
    Some(if exact {
        Kind::Exact(set)
    } else {
        Kind::Prefix(set)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_shapes_match_as_the_regex_does() {
        let patterns = [
            "^default$",
            "^(replica|slave)-read-only$",
            "^cluster-",
            "^(a|b)-x",
            "(?i)^yes$",
            "(?i)^no$",
            "^$",
            "^0+$",
            "(?i)lfu$",
            "[KE]",
            ".*",
            "^lfu-(log-factor|decay-time)$",
        ];
        let texts = [
            "",
            "default",
            "Default",
            "defaults",
            "replica-read-only",
            "slave-read-only",
            "cluster-enabled",
            "cluster",
            "a-x",
            "b-xy",
            "c-x",
            "yes",
            "YES",
            "yeſ",
            "no",
            "No",
            "0",
            "000",
            "01",
            "allkeys-lfu",
            "K",
            "lfu-log-factor",
            "lfu-decay-time",
        ];
        for p in patterns {
            let ours = Pattern::checked(p).unwrap();
            let theirs = Regex::new(p).unwrap();
            for t in texts {
                assert_eq!(ours.is_match(t), theirs.is_match(t), "{p:?} on {t:?}");
                assert_eq!(
                    Pattern::lazy(p).is_match(t),
                    theirs.is_match(t),
                    "{p:?} on {t:?}"
                );
            }
        }
        assert!(matches!(Pattern::lazy("^default$").kind(), Kind::Exact(_)));
        assert!(matches!(Pattern::lazy("^cluster-").kind(), Kind::Prefix(_)));
        assert!(matches!(Pattern::lazy("^0+$").kind(), Kind::Regex(_)));
    }
}
