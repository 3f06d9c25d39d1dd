//! The nodes of the lossless syntax tree: one per physical line, with token spans.

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

/// A parsed file: the source bytes and one node per physical line.
#[derive(Debug, Clone)]
pub struct SyntaxTree {
    /// The bytes, shared with the file they came from (a big config is kept once).
    pub source: std::sync::Arc<Vec<u8>>,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
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
    // Boxed, like `Invalid`: most lines of a real config are comments, and a line stays small.
    Directive(Box<Directive>),
    /// The tokenizer failed ("Unbalanced quotes in configuration line").
    Invalid(Box<LexError>),
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
            Some(line) => (idx + 1, offset - line.span.start + 1),
            // The end of a file that ends with LF: the start of the line after the last one.
            None => match self.lines.last() {
                Some(_) if self.source.ends_with(b"\n") => (self.lines.len() + 1, 1),
                Some(last) => (self.lines.len(), offset - last.span.start + 1),
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
