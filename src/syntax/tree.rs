//! The nodes of the lossless syntax tree: one per physical line, with token spans.

use crate::source::offset32;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub kind: LexErrorKind,
    /// Offset of the opening quote of the failing string (relative to the line when returned by
    /// [`super::tokenize`], absolute in a [`super::SyntaxTree`]).
    pub offset: usize,
    /// Tokens read before the failure.
    pub tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LexErrorKind {
    UnterminatedDouble,
    UnterminatedSingle,
    /// A closing quote followed by something other than a space, like `"foo"bar`.
    TextAfterClosingQuote,
}

impl LexErrorKind {
    pub fn describe(self) -> &'static str {
        match self {
            LexErrorKind::UnterminatedDouble => "this double quote is never closed",
            LexErrorKind::UnterminatedSingle => "this single quote is never closed",
            LexErrorKind::TextAfterClosingQuote => {
                "a closing quote must be followed by a space or the end of the line"
            }
        }
    }
}

/// How the tokenizer treats a quoted part that is followed by more text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quoting {
    /// Redis, and Valkey up to 8.1: a closing quote must be followed by a space or the end of
    /// the line (`"foo"bar` makes the line unreadable).
    #[default]
    Strict,
    /// Valkey 9.0 on: quoted and bare parts next to each other make one argument, as in a shell
    /// (`"foo"bar'baz'` is `foobarbaz`); only SP, TAB, CR and LF end it.
    Joining,
}

/// A parsed file: the source bytes and one node per physical line.
#[derive(Debug, Clone)]
pub struct SyntaxTree {
    /// The bytes, shared with the file they came from (a big config is kept once).
    pub source: std::sync::Arc<Vec<u8>>,
    pub lines: Vec<Line>,
    /// The tokenizer the lines were read with.
    pub quoting: Quoting,
}

/// 32 bytes: a file of a million lines keeps a million.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    start: u32,
    end: u32,
    content_start: u32,
    content_end: u32,
    pub kind: LineKind,
}

impl Line {
    pub fn new(span: Range<usize>, content: Range<usize>, kind: LineKind) -> Line {
        Line {
            start: offset32(span.start),
            end: offset32(span.end),
            content_start: offset32(content.start),
            content_end: offset32(content.end),
            kind,
        }
    }

    /// The whole line, including its LF when there is one.
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The line after Redis' trimming of space, TAB, CR and LF at both ends.
    pub fn content(&self) -> Range<usize> {
        self.content_start as usize..self.content_end as usize
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Nothing Redis reads: empty after trimming, or only `\v` / `\f` bytes.
    Blank,
    /// The first byte after trimming is `#`.
    Comment,
    /// A name and its values: [`Line::tokens`] reads them. The tree keeps no tokens, so a line
    /// of a million values costs no more than its bytes until it is read.
    Directive,
    /// The tokenizer failed ("Unbalanced quotes in configuration line").
    Invalid(Box<LexError>),
}

/// 8 bytes: a line of a million values keeps a million tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    /// The start offset, with the kind in the top [`KIND_BITS`] bits.
    start_and_kind: u32,
    end: u32,
}

const KIND_BITS: u32 = 3;
const OFFSET_MASK: u32 = u32::MAX >> KIND_BITS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Bare,
    DoubleQuoted,
    SingleQuoted,
    /// Bare bytes followed by a quoted part that opened mid-token, like `foo"bar baz"`.
    BareThenDouble,
    BareThenSingle,
    /// Quoted and bare parts after one another, like `"foo"bar'baz'` ([`Quoting::Joining`]).
    Joined,
}

impl TokenKind {
    pub fn is_quoted(self) -> bool {
        !matches!(self, TokenKind::Bare)
    }
}

impl Token {
    pub fn new(span: Range<usize>, kind: TokenKind) -> Token {
        let start = offset32(span.start);
        // Reads stop at 256 MB, under the 512 MB the offset's 29 bits hold.
        assert!(start <= OFFSET_MASK, "token offsets are under 512 MB");
        Token {
            start_and_kind: start | (kind as u32) << (32 - KIND_BITS),
            end: offset32(span.end),
        }
    }

    /// Raw bytes of the token in the source, quotes included.
    pub fn span(&self) -> Range<usize> {
        (self.start_and_kind & OFFSET_MASK) as usize..self.end as usize
    }

    pub fn kind(&self) -> TokenKind {
        match self.start_and_kind >> (32 - KIND_BITS) {
            0 => TokenKind::Bare,
            1 => TokenKind::DoubleQuoted,
            2 => TokenKind::SingleQuoted,
            3 => TokenKind::BareThenDouble,
            4 => TokenKind::BareThenSingle,
            _ => TokenKind::Joined,
        }
    }

    pub fn raw<'a>(&self, source: &'a [u8]) -> &'a [u8] {
        &source[self.span()]
    }

    /// The same token in a buffer where its line starts `by` bytes later.
    pub fn shifted(&self, by: usize) -> Token {
        let span = self.span();
        Token::new(span.start + by..span.end + by, self.kind())
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("span", &self.span())
            .field("kind", &self.kind())
            .finish()
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

impl SyntaxTree {
    /// Print the tree back to bytes. Equal to the input for every input.
    pub fn print(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.source.len());
        for line in &self.lines {
            out.extend_from_slice(&self.source[line.span()]);
        }
        out
    }

    /// 1-based line and byte column of `offset`, by binary search over the lines.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let idx = self.lines.partition_point(|l| l.span().end <= offset);
        match self.lines.get(idx) {
            Some(line) => (idx + 1, offset - line.span().start + 1),
            // The end of a file that ends with LF: the start of the line after the last one.
            None => match self.lines.last() {
                Some(_) if self.source.ends_with(b"\n") => (self.lines.len() + 1, 1),
                Some(last) => (self.lines.len(), offset - last.span().start + 1),
                None => (1, 1),
            },
        }
    }

    /// The line holding byte `offset` (the last line for the end of the file).
    pub fn line_at(&self, offset: usize) -> Option<&Line> {
        let idx = self
            .lines
            .partition_point(|l| l.span().end <= offset)
            .min(self.lines.len().saturating_sub(1));
        self.lines.get(idx)
    }
}
