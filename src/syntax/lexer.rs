//! Redis' `sdssplitargs` tokenizer, written with nom over bytes.
//!
//! Rules of every Redis and Valkey version:
//! - between tokens every C `isspace` byte is skipped (SP, TAB, LF, VT, FF, CR);
//! - a bare token ends at SP, TAB, CR or LF; VT and FF are part of it; no escapes outside quotes;
//! - a quote may open mid-token (`foo"bar baz"`);
//! - double quotes know `\xHH \n \r \t \b \a` and `\<any byte>`; single quotes only `\'`.
//!
//! What follows a closing quote depends on the version ([`Quoting`]): Redis and Valkey up to 8.1
//! end the token there and want a space (any `isspace` byte) or the end of the line; Valkey 9.0
//! goes on reading the same token, bare or quoted, until SP, TAB, CR or LF.

use super::tree::{LexError, LexErrorKind, Quoting, Token, TokenKind, is_c_space};
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
pub(super) fn quoted_len(i: &[u8]) -> Option<usize> {
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
    quoting: Quoting,
}

/// Why and where (the opening quote) a line fails.
type Failure = (LexErrorKind, usize);

impl<'a> Lexer<'a> {
    fn new(line: &'a [u8], quoting: Quoting) -> Lexer<'a> {
        let line = match memchr::memchr(0, line) {
            Some(nul) => &line[..nul],
            None => line,
        };
        Lexer {
            line,
            rest: line,
            quoting,
        }
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
        loop {
            if let Ok((after, _)) = bare(self.rest) {
                self.rest = after;
            }
            let Some(&q) = self.rest.first().filter(|&&b| b == b'"' || b == b'\'') else {
                break;
            };
            let double = q == b'"';
            let open = self.offset();
            kind = match (kind, open == start, double) {
                (TokenKind::Bare, true, true) => TokenKind::DoubleQuoted,
                (TokenKind::Bare, true, false) => TokenKind::SingleQuoted,
                (TokenKind::Bare, false, true) => TokenKind::BareThenDouble,
                (TokenKind::Bare, false, false) => TokenKind::BareThenSingle,
                _ => TokenKind::Joined,
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
            let Some(&next) = self.rest.first() else {
                break;
            };
            match self.quoting {
                Quoting::Strict if is_c_space(next) => break,
                Quoting::Strict => return self.fail(LexErrorKind::TextAfterClosingQuote, open),
                Quoting::Joining if matches!(next, b' ' | b'\t' | b'\r' | b'\n') => break,
                // The token goes on: a bare part, or the next quoted one.
                Quoting::Joining => kind = TokenKind::Joined,
            }
        }
        Some(Ok(Token::new(start..self.offset(), kind)))
    }
}

/// Split one trimmed line into tokens. Bytes from the first NUL on are not read, as in C.
pub fn tokenize(line: &[u8], quoting: Quoting) -> Result<Vec<Token>, LexError> {
    let mut tokens = Vec::new();
    for token in Lexer::new(line, quoting) {
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
pub fn count_tokens(line: &[u8], quoting: Quoting) -> Result<usize, LexError> {
    let mut count = 0;
    for token in Lexer::new(line, quoting) {
        match token {
            Ok(_) => count += 1,
            // Failures are rare: read the line again for the tokens before the failure.
            Err(_) => return tokenize(line, quoting).map(|t| t.len()),
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::decode;

    fn values(line: &[u8]) -> Vec<Vec<u8>> {
        values_with(line, Quoting::Strict)
    }

    fn values_with(line: &[u8], quoting: Quoting) -> Vec<Vec<u8>> {
        tokenize(line, quoting)
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
        let kind = |l: &[u8]| tokenize(l, Quoting::Strict).unwrap_err().kind;
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
            for quoting in [Quoting::Strict, Quoting::Joining] {
                assert_eq!(
                    count_tokens(line, quoting),
                    tokenize(line, quoting).map(|t| t.len()),
                    "{line:?}"
                );
            }
        }
    }

    #[test]
    fn nul_ends_the_line() {
        assert_eq!(values(b"port 1\0 2"), vec![b"port".to_vec(), b"1".to_vec()]);
        assert!(tokenize(b"x \"a\0\"", Quoting::Strict).is_err());
    }

    /// What Valkey 9.0.0 reads, from `include ARG` lines it was given (its error names the
    /// file it tried to open).
    #[test]
    fn joining_reads_parts_of_one_argument_as_valkey_9_does() {
        let joined = |l: &[u8]| values_with(l, Quoting::Joining)[1..].to_vec();
        assert_eq!(joined(br#"include "foo"bar"#), vec![b"foobar".to_vec()]);
        assert_eq!(
            joined(br#"include 'foo'bar"baz"zz"#),
            vec![b"foobarbazzz".to_vec()]
        );
        assert_eq!(joined(br#"include a"b c"d"#), vec![b"ab cd".to_vec()]);
        assert_eq!(joined(b"include \"a\"\x0bb"), vec![b"a\x0bb".to_vec()]);
        assert_eq!(joined(b"include \"a\"\x0cb"), vec![b"a\x0cb".to_vec()]);
        assert_eq!(joined(br#"include x"""#), vec![b"x".to_vec()]);
        assert_eq!(joined(br#"include ""x"#), vec![b"x".to_vec()]);
        assert_eq!(joined(b"include ''x''"), vec![b"x".to_vec()]);
        assert_eq!(joined(br#"include "a\x41"b"#), vec![b"aAb".to_vec()]);
        assert_eq!(joined(br"include 'a\'b'c"), vec![b"a'bc".to_vec()]);
        assert_eq!(joined(br##"include "a"#c"##), vec![b"a#c".to_vec()]);
        assert_eq!(
            joined(br#"include "a" "b"c"#),
            vec![b"a".to_vec(), b"bc".to_vec()]
        );
        assert_eq!(joined(b"x \"a\"\ty")[..], [b"a".to_vec(), b"y".to_vec()]);
        let kind = |l: &[u8]| tokenize(l, Quoting::Joining).unwrap_err().kind;
        assert_eq!(kind(br#"include "a"b""#), LexErrorKind::UnterminatedDouble);
        assert_eq!(kind(br#"include a"b"#), LexErrorKind::UnterminatedDouble);
        assert_eq!(kind(br#"include "a"'b"#), LexErrorKind::UnterminatedSingle);
    }
}
