//! Which values are secrets (passwords and the user names that go with them): the one list that
//! masking in every output and the rule messages use.

use crate::catalog::Catalog;
use crate::syntax::Token;
use std::ops::Range;

/// Directives whose whole value is secret, besides those the catalog flags as sensitive.
const SECRET_DIRECTIVES: &[&str] = &[
    "requirepass",
    "masterauth",
    "masteruser",
    "primaryauth",
    "primaryuser",
    "tls-key-file-pass",
    "tls-client-key-file-pass",
];

/// Whether every value of `name` (any spelling the catalog knows) is secret.
pub fn whole_value_secret(catalog: &Catalog, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let (primary, sensitive) = catalog
        .lookup(&name)
        .map_or((name.as_str(), false), |(p, s)| (p, s.is_sensitive()));
    sensitive || SECRET_DIRECTIVES.contains(&primary) || SECRET_DIRECTIVES.contains(&name.as_str())
}

/// Whether a message may not show the values of `name`: secret values, and `user` lines
/// (which hold passwords).
pub fn value_not_shown(catalog: &Catalog, name: &str) -> bool {
    name.eq_ignore_ascii_case("user") || whole_value_secret(catalog, name)
}

/// The byte ranges of one line (`tokens[0]` is the name) that hold secrets. `unparsed_end` is
/// the end of the line when the tokenizer failed on it: everything after the last token read
/// may then be secret too.
pub fn line_secrets(
    catalog: &Catalog,
    src: &[u8],
    tokens: &[Token],
    unparsed_end: Option<usize>,
) -> Vec<Range<usize>> {
    let Some((name_tok, args)) = tokens.split_first() else {
        return Vec::new();
    };
    let name = String::from_utf8_lossy(&name_tok.value(src)).to_ascii_lowercase();
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut mask_rest = false;
    if whole_value_secret(catalog, &name) {
        spans.extend(args.iter().map(|t| t.span.clone()));
        mask_rest = true;
    } else if name == "user" {
        spans.extend(
            args.iter()
                .filter(|t| matches!(t.value(src).first(), Some(b'>' | b'<' | b'#' | b'!')))
                .map(|t| t.span.clone()),
        );
        mask_rest = true;
    } else if name == "sentinel"
        && args
            .first()
            .is_some_and(|t| t.value(src).eq_ignore_ascii_case(b"auth-pass"))
    {
        spans.extend(args.iter().skip(2).map(|t| t.span.clone()));
    }
    if let (true, Some(end)) = (mask_rest, unparsed_end) {
        let from = args.last().map_or(name_tok.span.end, |t| t.span.end);
        spans.push(from..end);
    }
    spans
}
