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

/// Redis' tokenizer over one trimmed line, a token at a time. Bytes from the first NUL on are
/// not read, as in C. After a failure it yields nothing more.
struct Lexer<'a> {
    line: &'a [u8],
    rest: &'a [u8],
}

/// Why and where (the opening quote) a line fails.
type Failure = (LexErrorKind, usize);

impl<'a> Lexer<'a> {
    fn new(line: &'a [u8]) -> Lexer<'a> {
        let line = match memchr::memchr(0, line) {
            Some(nul) => &line[..nul],
            None => line,
        };
        Lexer { line, rest: line }
    }

    fn offset(&self) -> usize {
        self.line.len() - self.rest.len()
    }

    fn fail(&mut self, kind: LexErrorKind, at: usize) -> Option<Result<Token, Failure>> {
        self.rest = &[];
        Some(Err((kind, at)))
    }
}

impl Iterator for Lexer<'_> {
    type Item = Result<Token, Failure>;

    fn next(&mut self) -> Option<Result<Token, Failure>> {
        // `take_while` on complete input cannot fail.
        self.rest = separators(self.rest).map_or(self.rest, |(after, _)| after);
        if self.rest.is_empty() {
            return None;
        }
        let start = self.offset();
        let mut kind = TokenKind::Bare;
        if let Ok((after, _)) = bare(self.rest) {
            self.rest = after;
        }
        if let Some(&q) = self.rest.first().filter(|&&b| b == b'"' || b == b'\'') {
            let double = q == b'"';
            let open = self.offset();
            kind = match (open == start, double) {
                (true, true) => TokenKind::DoubleQuoted,
                (true, false) => TokenKind::SingleQuoted,
                (false, true) => TokenKind::BareThenDouble,
                (false, false) => TokenKind::BareThenSingle,
            };
            let Some(len) = quoted_len(self.rest) else {
                let kind = if double {
                    LexErrorKind::UnterminatedDouble
                } else {
                    LexErrorKind::UnterminatedSingle
                };
                return self.fail(kind, open);
            };
            self.rest = &self.rest[len..];
            if let Some(&next) = self.rest.first()
                && !is_c_space(next)
            {
                return self.fail(LexErrorKind::TextAfterClosingQuote, open);
            }
        }
        Some(Ok(Token::new(start..self.offset(), kind)))
    }
}

/// Split one trimmed line into tokens. Bytes from the first NUL on are not read, as in C.
pub fn tokenize(line: &[u8]) -> Result<Vec<Token>, LexError> {
    let mut tokens = Vec::new();
    for token in Lexer::new(line) {
        match token {
            Ok(token) => tokens.push(token),
            Err((kind, offset)) => {
                return Err(LexError {
                    kind,
                    offset,
                    tokens,
                });
            }
        }
    }
    Ok(tokens)
}

/// How many tokens a trimmed line has, without keeping them (what a syntax tree needs to know).
pub fn count_tokens(line: &[u8]) -> Result<usize, LexError> {
    let mut count = 0;
    for token in Lexer::new(line) {
        match token {
            Ok(_) => count += 1,
            // Failures are rare: read the line again for the tokens before the failure.
            Err(_) => return tokenize(line).map(|t| t.len()),
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::decode;

    fn values(line: &[u8]) -> Vec<Vec<u8>> {
        tokenize(line)
            .unwrap()
            .iter()
            .map(|t| decode(&line[t.span()], t.kind()).into_owned())
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
    fn counting_agrees_with_tokenizing() {
        for line in [
            &b"port 1"[..],
            b"",
            b"a \"b c\" d'e f'",
            b"x \"open",
            b"x 'a'b",
            b"a\x0bb\x0c c",
            b"x\0 y z",
        ] {
            assert_eq!(
                count_tokens(line),
                tokenize(line).map(|t| t.len()),
                "{line:?}"
            );
        }
    }

    #[test]
    fn nul_ends_the_line() {
        assert_eq!(values(b"port 1\0 2"), vec![b"port".to_vec(), b"1".to_vec()]);
        assert!(tokenize(b"x \"a\0\"").is_err());
    }
}
