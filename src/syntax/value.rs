//! Token values: decoding a token's raw bytes the way Redis does, and quoting arbitrary bytes so
//! that Redis reads them back unchanged (`decode(quote(v)) == v`).

use super::lexer::quoted_len;
use super::tree::{Token, TokenKind};
use std::borrow::Cow;

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decode a token's raw bytes (as spanned by the lexer) into the value Redis sees. A bare token
/// is its own value and is not copied.
pub fn decode(raw: &[u8], kind: TokenKind) -> Cow<'_, [u8]> {
    if kind == TokenKind::Bare {
        return Cow::Borrowed(raw);
    }
    // Bare parts are copied, quoted parts decoded, in the order they come.
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let quote = raw[i];
        if quote != b'"' && quote != b'\'' {
            out.push(quote);
            i += 1;
            continue;
        }
        // The lexer guarantees every quoted part of a token is closed.
        let len = quoted_len(&raw[i..]).unwrap_or(raw.len() - i);
        let body_end = (i + len).saturating_sub(1).max(i + 1).min(raw.len());
        decode_quoted(&raw[i + 1..body_end], quote, &mut out);
        i += len;
    }
    Cow::Owned(out)
}

/// The body of one quoted part, between its quotes.
fn decode_quoted(body: &[u8], quote: u8, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b == b'\\' && i + 1 < body.len() {
            let next = body[i + 1];
            if quote == b'\'' {
                if next == b'\'' {
                    out.push(b'\'');
                    i += 2;
                } else {
                    out.push(b'\\');
                    i += 1;
                }
                continue;
            }
            if next == b'x'
                && i + 3 < body.len()
                && let (Some(h), Some(l)) = (hex(body[i + 2]), hex(body[i + 3]))
            {
                out.push(h * 16 + l);
                i += 4;
                continue;
            }
            out.push(match next {
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'b' => 0x08,
                b'a' => 0x07,
                other => other,
            });
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
}

/// Write `value` as one token Redis reads back as exactly `value`. Plain values stay bare; anything
/// else is double-quoted with escapes.
pub fn quote(value: &[u8]) -> Vec<u8> {
    let plain = !value.is_empty()
        && value
            .iter()
            .all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\')
        && value[0] != b'#';
    if plain {
        return value.to_vec();
    }
    let mut out = vec![b'"'];
    for &b in value {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
    out
}

impl Token {
    /// The value Redis sees for this token (escapes decoded, quotes removed).
    pub fn value<'s>(&self, source: &'s [u8]) -> Cow<'s, [u8]> {
        decode(&source[self.span()], self.kind())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_round_trips() {
        for v in [
            &b""[..],
            b"abc",
            b"a b",
            b"\"",
            b"\\x41",
            b"\0\xff\n",
            b"#x",
            b"it's",
        ] {
            let q = quote(v);
            let toks = crate::syntax::tokenize(&q, crate::syntax::Quoting::Strict).unwrap();
            assert_eq!(toks.len(), 1, "{q:?}");
            assert_eq!(&decode(&q, toks[0].kind())[..], v);
        }
    }
}
