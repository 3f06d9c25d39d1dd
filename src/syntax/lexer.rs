//! Redis' `sdssplitargs` tokenizer, written with nom over bytes.
//!
//! Rules (identical in every Redis and Valkey version):
//! - between tokens every C `isspace` byte is skipped (SP, TAB, LF, VT, FF, CR);
//! - a bare token ends at SP, TAB, CR or LF; VT and FF are part of it; no escapes outside quotes;
//! - a quote may open mid-token (`foo"bar baz"`), and a quoted part always ends the token;
//! - a closing quote must be followed by a space or the end of the line;
//! - double quotes know `\xHH \n \r \t \b \a` and `\<any byte>`; single quotes only `\'`.

use super::tree::{LexError, LexErrorKind, Token, TokenKind, is_c_space};
use nom::{IResult, Parser, bytes::complete::take_while, bytes::complete::take_while1};

fn is_bare_end(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | 0)
}

fn separators(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(is_c_space).parse(i)
}

fn bare(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while1(|b| !is_bare_end(b)).parse(i)
}

/// Length of a quoted string starting at `i[0]` (the quote), closing quote included; `None` when
/// the line ends first.
fn quoted_len(i: &[u8]) -> Option<usize> {
    let quote = i[0];
    let mut pos = 1;
    while pos < i.len() {
        match i[pos] {
            0 => return None,
            b'\\' if quote == b'"' => {
                if pos + 1 >= i.len() || i[pos + 1] == 0 {
                    return None;
                }
                pos += 2;
            }
            b'\\' if i.get(pos + 1) == Some(&b'\'') => pos += 2,
            b if b == quote => return Some(pos + 1),
            _ => pos += 1,
        }
    }
    None
}

/// Split one trimmed line into tokens. Bytes from the first NUL on are not read, as in C.
pub fn tokenize(line: &[u8]) -> Result<Vec<Token>, LexError> {
    let line = match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    let offset_of = |rest: &[u8]| line.len() - rest.len();
    let mut tokens = Vec::new();
    let mut rest = line;
    loop {
        // `take_while` on complete input cannot fail.
        rest = separators(rest).map_or(rest, |(after, _)| after);
        if rest.is_empty() {
            return Ok(tokens);
        }
        let start = offset_of(rest);
        let mut kind = TokenKind::Bare;
        if let Ok((after, _)) = bare(rest) {
            rest = after;
        }
        if let Some(&q) = rest.first().filter(|&&b| b == b'"' || b == b'\'') {
            let double = q == b'"';
            kind = match (kind, double) {
                (TokenKind::Bare, true) if offset_of(rest) == start => TokenKind::DoubleQuoted,
                (TokenKind::Bare, false) if offset_of(rest) == start => TokenKind::SingleQuoted,
                (_, true) => TokenKind::BareThenDouble,
                (_, false) => TokenKind::BareThenSingle,
            };
            let open = offset_of(rest);
            let fail = |kind| LexError {
                kind,
                offset: open,
                tokens: tokens.clone(),
            };
            let Some(len) = quoted_len(rest) else {
                return Err(fail(if double {
                    LexErrorKind::UnterminatedDouble
                } else {
                    LexErrorKind::UnterminatedSingle
                }));
            };
            rest = &rest[len..];
            if let Some(&next) = rest.first()
                && !is_c_space(next)
            {
                return Err(fail(LexErrorKind::TextAfterClosingQuote));
            }
        }
        tokens.push(Token {
            span: start..offset_of(rest),
            kind,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::decode;

    fn values(line: &[u8]) -> Vec<Vec<u8>> {
        tokenize(line)
            .unwrap()
            .iter()
            .map(|t| decode(&line[t.span.clone()], t.kind))
            .collect()
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(
            values(br#"requirepass "a\x41b""#),
            vec![b"requirepass".to_vec(), b"aAb".to_vec()]
        );
        assert_eq!(values(br#"x "a\x4g""#)[1], b"ax4g");
        assert_eq!(values(br#"x "\X41""#)[1], b"X41");
        assert_eq!(values(br#"x 'a\'b\n'"#)[1], b"a'b\\n");
        assert_eq!(values(br#"x foo"bar baz""#)[1], b"foobar baz");
        assert_eq!(values(br#"x a\x41"#)[1], b"a\\x41");
        assert_eq!(values(br#"x "a\q\"b""#)[1], b"aq\"b");
        assert_eq!(values(b"x \"\" ''"), vec![b"x".to_vec(), vec![], vec![]]);
        assert_eq!(values(b"a\x0bb c"), vec![b"a\x0bb".to_vec(), b"c".to_vec()]);
        assert_eq!(
            values(b"x \"a\"\x0by"),
            vec![b"x".to_vec(), b"a".to_vec(), b"y".to_vec()]
        );
    }

    #[test]
    fn failures() {
        let kind = |l: &[u8]| tokenize(l).unwrap_err().kind;
        assert_eq!(kind(b"requirepass it's"), LexErrorKind::UnterminatedSingle);
        assert_eq!(
            kind(br#"requirepass "foo"bar"#),
            LexErrorKind::TextAfterClosingQuote
        );
        assert_eq!(kind(br#"x "a""b""#), LexErrorKind::TextAfterClosingQuote);
        assert_eq!(kind(br#"x "abc\""#), LexErrorKind::UnterminatedDouble);
        assert_eq!(kind(br"x 'a\\'"), LexErrorKind::UnterminatedSingle);
        assert_eq!(kind(br#"x "abc\"#), LexErrorKind::UnterminatedDouble);
    }

    #[test]
    fn nul_ends_the_line() {
        assert_eq!(values(b"port 1\0 2"), vec![b"port".to_vec(), b"1".to_vec()]);
        assert!(tokenize(b"x \"a\0\"").is_err());
    }
}
