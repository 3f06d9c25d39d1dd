//! Which values are secrets (passwords and the user names that go with them): the one list that
//! masking in every output and the rule messages use.

use super::arglist::ArgList;
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

/// Names whose suggestion is worth computing: a did-you-mean for a long name costs time and
/// finds nothing (a pasted PEM block, a 1 MB token).
const MAX_SUGGESTED_NAME: usize = 48;

/// The directive an unknown name is probably a typo of (`requirepas` → `requirepass`).
pub fn meant(catalog: &Catalog, name: &str) -> Option<String> {
    if catalog.lookup(name).is_some() || name.len() > MAX_SUGGESTED_NAME {
        return None;
    }
    catalog.suggest(name).map(str::to_string)
}

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
///
/// `meant` is [`meant`] of the line's name, computed once by the caller (it also words the
/// unknown-directive message).
pub fn line_secrets(
    catalog: &Catalog,
    src: &[u8],
    tokens: &[Token],
    unparsed_end: Option<usize>,
    meant: Option<&str>,
) -> Vec<Range<usize>> {
    let Some((name_tok, args)) = tokens.split_first() else {
        return Vec::new();
    };
    let written = String::from_utf8_lossy(&name_tok.value(src)).to_ascii_lowercase();
    // A mistyped secret directive still holds the secret: mask it as the directive it means.
    let name = meant
        .filter(|m| whole_value_secret(catalog, m) || *m == "user")
        .map_or(written, str::to_string);
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut mask_rest = false;
    if whole_value_secret(catalog, &name) {
        spans.extend(args.iter().map(|t| t.span()));
        mask_rest = true;
    } else if name == "user" {
        spans.extend(
            args.iter()
                .filter(|t| matches!(t.value(src).first(), Some(b'>' | b'<' | b'#' | b'!')))
                .map(|t| t.span()),
        );
        mask_rest = true;
    } else if name == "sentinel"
        && let Some(sub) = args.first()
    {
        let sub = sub.value(src).to_ascii_lowercase();
        // `auth-pass MASTER PASSWORD` / `auth-user MASTER USER`: with the master missing, the
        // one value left may be the secret. `sentinel-pass` / `sentinel-user` take the secret.
        let first_secret = match sub.as_slice() {
            b"auth-pass" | b"auth-user" => Some(if args.len() == 2 { 1 } else { 2 }),
            b"sentinel-pass" | b"sentinel-user" => Some(1),
            _ => None,
        };
        if let Some(from) = first_secret {
            spans.extend(args.iter().skip(from).map(|t| t.span()));
            mask_rest = true;
        }
    }
    if let (true, Some(end)) = (mask_rest, unparsed_end) {
        let from = args.last().map_or(name_tok.span().end, |t| t.span().end);
        spans.push(from..end);
    }
    spans
}

/// Which values of a valid line of `primary` are secrets (by index): every value of a secret
/// directive, the `>password` rules of a `user` line, the credentials of `sentinel auth-pass`
/// and friends.
pub fn entry_secret_values(catalog: &Catalog, primary: &str, args: &ArgList) -> Vec<usize> {
    if whole_value_secret(catalog, primary) {
        return (0..args.len()).collect();
    }
    match primary {
        "user" => (0..args.len())
            .filter(|&i| matches!(args[i].first(), Some(b'>' | b'#')))
            .collect(),
        "sentinel" => {
            let sub = args
                .first()
                .map(|a| a.to_ascii_lowercase())
                .unwrap_or_default();
            let from = match sub.as_slice() {
                b"auth-pass" | b"auth-user" => 2,
                b"sentinel-pass" | b"sentinel-user" => 1,
                _ => return Vec::new(),
            };
            (from..args.len()).collect()
        }
        _ => Vec::new(),
    }
}

/// Whether a line of `name` with no value leaves its secret for the next line: people write
/// `requirepass` and the password on its own line, which redis-server reads as a directive.
pub fn value_may_follow(catalog: &Catalog, name: &str, args: usize) -> bool {
    args == 0 && whole_value_secret(catalog, name)
}

/// The secret value a masked token holds: without the `>` of a user rule and without quotes.
pub fn value_of(raw: &[u8]) -> &[u8] {
    let raw = raw.strip_prefix(b">").unwrap_or(raw);
    raw.strip_prefix(b"\"")
        .and_then(|r| r.strip_suffix(b"\""))
        .unwrap_or(raw)
}

/// Where the secret values (`values`, at least 4 bytes) appear anywhere else in `bytes`: in a
/// comment, in an unknown line.
pub fn repeated(bytes: &[u8], values: &[Vec<u8>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for v in values.iter().filter(|v| v.len() >= 4) {
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(v.len()).position(|w| w == v.as_slice()) {
            out.push(at + i..at + i + v.len());
            at += i + v.len();
        }
    }
    out
}
