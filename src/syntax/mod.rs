//! Lossless syntax tree of a redis.conf file.
//!
//! The file is split into physical lines at LF (the only line break Redis knows). Every line keeps
//! its whole byte range, terminator included, so printing the tree gives back the input byte for
//! byte. Directive lines carry their tokens with spans; a line Redis' tokenizer rejects becomes an
//! [`LineKind::Invalid`] node and parsing goes on with the next line.

mod lexer;
mod value;

pub use lexer::{LexError, LexErrorKind, tokenize};
pub use value::{decode, quote};

use std::ops::Range;

/// A parsed file: the source bytes and one node per physical line.
#[derive(Debug, Clone)]
pub struct SyntaxTree {
    pub source: Vec<u8>,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based physical line number.
    pub number: usize,
    /// The whole line, including its LF when there is one.
    pub span: Range<usize>,
    /// The line after Redis' trimming of space, TAB, CR and LF at both ends.
    pub content: Range<usize>,
    pub kind: LineKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Nothing Redis reads: empty after trimming, or only `\v` / `\f` bytes.
    Blank,
    /// The first byte after trimming is `#`.
    Comment,
    Directive(Directive),
    /// The tokenizer failed ("Unbalanced quotes in configuration line").
    Invalid(LexError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: Token,
    pub args: Vec<Token>,
}

impl Directive {
    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        std::iter::once(&self.name).chain(self.args.iter())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Raw bytes of the token in the source, quotes included.
    pub span: Range<usize>,
    pub kind: TokenKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Bare,
    DoubleQuoted,
    SingleQuoted,
    /// Bare bytes followed by a quoted part that opened mid-token, like `foo"bar baz"`.
    BareThenDouble,
    BareThenSingle,
}

impl TokenKind {
    pub fn is_quoted(self) -> bool {
        !matches!(self, TokenKind::Bare)
    }
}

impl Token {
    /// The value Redis sees for this token (escapes decoded, quotes removed).
    pub fn value(&self, source: &[u8]) -> Vec<u8> {
        decode(&source[self.span.clone()], self.kind)
    }
    pub fn raw<'a>(&self, source: &'a [u8]) -> &'a [u8] {
        &source[self.span.clone()]
    }
}

/// Bytes Redis trims at both ends of a line.
pub fn is_trim_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// C `isspace()` in the C locale: what separates tokens.
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Parse a whole file. Never fails: bad lines become [`LineKind::Invalid`].
pub fn parse(source: &[u8]) -> SyntaxTree {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut number = 1;
    while start < source.len() {
        let end = match memchr_lf(&source[start..]) {
            Some(i) => start + i + 1,
            None => source.len(),
        };
        lines.push(parse_line(source, start..end, number));
        start = end;
        number += 1;
    }
    SyntaxTree {
        source: source.to_vec(),
        lines,
    }
}

fn memchr_lf(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

fn parse_line(source: &[u8], span: Range<usize>, number: usize) -> Line {
    let content = trim(source, span.clone());
    let bytes = &source[content.clone()];
    let kind = if bytes.is_empty() {
        LineKind::Blank
    } else if bytes[0] == b'#' {
        LineKind::Comment
    } else {
        match tokenize(bytes) {
            Ok(tokens) => {
                let mut tokens = shift(tokens, content.start);
                if tokens.is_empty() {
                    LineKind::Blank
                } else {
                    let name = tokens.remove(0);
                    LineKind::Directive(Directive { name, args: tokens })
                }
            }
            Err(mut err) => {
                err.offset += content.start;
                err.tokens = shift(std::mem::take(&mut err.tokens), content.start);
                LineKind::Invalid(err)
            }
        }
    };
    Line {
        number,
        span,
        content,
        kind,
    }
}

fn shift(tokens: Vec<Token>, by: usize) -> Vec<Token> {
    tokens
        .into_iter()
        .map(|t| Token {
            span: t.span.start + by..t.span.end + by,
            kind: t.kind,
        })
        .collect()
}

fn trim(source: &[u8], span: Range<usize>) -> Range<usize> {
    let mut start = span.start;
    let mut end = span.end;
    while start < end && is_trim_byte(source[start]) {
        start += 1;
    }
    while end > start && is_trim_byte(source[end - 1]) {
        end -= 1;
    }
    start..end
}

impl SyntaxTree {
    /// Print the tree back to bytes. Equal to the input for every input.
    pub fn print(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.source.len());
        for line in &self.lines {
            out.extend_from_slice(&self.source[line.span.clone()]);
        }
        out
    }

    /// 1-based line and byte column of `offset`, by binary search over the lines.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let idx = self.lines.partition_point(|l| l.span.end <= offset);
        match self.lines.get(idx) {
            Some(line) => (line.number, offset - line.span.start + 1),
            // The end of a file that ends with LF: the start of the line after the last one.
            None => match self.lines.last() {
                Some(last) if self.source.ends_with(b"\n") => (last.number + 1, 1),
                Some(last) => (last.number, offset - last.span.start + 1),
                None => (1, 1),
            },
        }
    }

    /// The line holding byte `offset` (the last line for the end of the file).
    pub fn line_at(&self, offset: usize) -> Option<&Line> {
        let idx = self
            .lines
            .partition_point(|l| l.span.end <= offset)
            .min(self.lines.len().saturating_sub(1));
        self.lines.get(idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &[u8]) -> Vec<LineKind> {
        parse(src).lines.into_iter().map(|l| l.kind).collect()
    }

    #[test]
    fn comment_only_as_first_byte_after_trimming() {
        let tree = parse(b"  # c\n\x0c# x\nport 1 # no\n");
        assert_eq!(tree.lines[0].kind, LineKind::Comment);
        match &tree.lines[1].kind {
            LineKind::Directive(d) => assert_eq!(d.name.value(&tree.source), b"#"),
            other => panic!("{other:?}"),
        }
        match &tree.lines[2].kind {
            LineKind::Directive(d) => assert_eq!(d.args.len(), 3),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn vertical_tab_only_line_is_blank() {
        assert_eq!(kinds(b" \x0b\x0c \r\n"), vec![LineKind::Blank]);
    }

    #[test]
    fn crlf_and_missing_final_newline_round_trip() {
        let src = b"port 1\r\n\r\nbind a\tb  ";
        let tree = parse(src);
        assert_eq!(tree.print(), src);
        assert_eq!(tree.lines.len(), 3);
        assert_eq!(&src[tree.lines[0].content.clone()], b"port 1");
    }

    #[test]
    fn line_and_column_of_offsets() {
        let tree = parse(b"ab\ncd\r\nef");
        assert_eq!(tree.line_col(0), (1, 1));
        assert_eq!(tree.line_col(2), (1, 3)); // the LF itself
        assert_eq!(tree.line_col(3), (2, 1));
        assert_eq!(tree.line_col(7), (3, 1));
        assert_eq!(tree.line_col(9), (3, 3)); // end of a file without final LF
        let with_lf = parse(b"ab\n");
        assert_eq!(with_lf.line_col(3), (2, 1)); // end of a file ending with LF
        assert_eq!(parse(b"").line_col(0), (1, 1));
    }

    #[test]
    fn bom_is_part_of_the_first_name() {
        let tree = parse(b"\xef\xbb\xbf# comment\n");
        match &tree.lines[0].kind {
            LineKind::Directive(d) => assert_eq!(d.name.value(&tree.source), b"\xef\xbb\xbf#"),
            other => panic!("{other:?}"),
        }
    }
}
