//! Splitting a file into lines and each line into tokens, as Redis' reader does.

use super::lexer::{count_tokens, tokenize};
use super::tree::{Line, LineKind, Quoting, SyntaxTree, Token, is_trim_byte};
use std::ops::Range;

/// Parse a whole file with Redis' tokenizer. Never fails: bad lines become
/// [`LineKind::Invalid`].
pub fn parse(source: &[u8]) -> SyntaxTree {
    parse_with(source, Quoting::Strict)
}

/// Parse a whole file with the tokenizer of a version.
pub fn parse_with(source: &[u8], quoting: Quoting) -> SyntaxTree {
    parse_shared(std::sync::Arc::new(source.to_vec()), quoting)
}

/// Parse bytes that are shared with their [`crate::source::SourceFile`] (no copy).
pub fn parse_shared(shared: std::sync::Arc<Vec<u8>>, quoting: Quoting) -> SyntaxTree {
    let source = shared.as_slice();
    let mut lines = Vec::with_capacity(memchr::memchr_iter(b'\n', source).count() + 1);
    let mut start = 0;
    while start < source.len() {
        let end = match memchr_lf(&source[start..]) {
            Some(i) => start + i + 1,
            None => source.len(),
        };
        lines.push(parse_line(source, start..end, quoting));
        start = end;
    }
    SyntaxTree {
        source: shared,
        lines,
        quoting,
    }
}

impl SyntaxTree {
    /// The tokens of a directive line of this tree (the name first), or of an invalid line up
    /// to its failure, with spans into the tree's source; none for other lines.
    pub fn tokens(&self, line: &Line) -> Vec<Token> {
        match &line.kind {
            LineKind::Directive => match tokenize(&self.source[line.content()], self.quoting) {
                Ok(mut tokens) => {
                    for t in &mut tokens {
                        *t = t.shifted(line.content().start);
                    }
                    tokens
                }
                Err(_) => Vec::new(),
            },
            LineKind::Invalid(err) => err.tokens.clone(),
            LineKind::Blank | LineKind::Comment => Vec::new(),
        }
    }
}

fn memchr_lf(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
}

fn parse_line(source: &[u8], span: Range<usize>, quoting: Quoting) -> Line {
    let content = trim(source, span.clone());
    let bytes = &source[content.clone()];
    let kind = if bytes.is_empty() {
        LineKind::Blank
    } else if bytes[0] == b'#' {
        LineKind::Comment
    } else {
        match count_tokens(bytes, quoting) {
            // Only `\v` and `\f`: nothing Redis reads.
            Ok(0) => LineKind::Blank,
            Ok(_) => LineKind::Directive,
            Err(mut err) => {
                err.offset += content.start;
                for t in &mut err.tokens {
                    *t = t.shifted(content.start);
                }
                LineKind::Invalid(Box::new(err))
            }
        }
    };
    Line::new(span, content, kind)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::LineKind;

    fn kinds(src: &[u8]) -> Vec<LineKind> {
        parse(src).lines.into_iter().map(|l| l.kind).collect()
    }

    #[test]
    fn comment_only_as_first_byte_after_trimming() {
        let tree = parse(b"  # c\n\x0c# x\nport 1 # no\n");
        assert_eq!(tree.lines[0].kind, LineKind::Comment);
        assert_eq!(tree.lines[1].kind, LineKind::Directive);
        let name = &tree.tokens(&tree.lines[1])[0];
        assert_eq!(&name.value(&tree.source)[..], b"#");
        assert_eq!(tree.tokens(&tree.lines[2]).len(), 4);
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
        assert_eq!(&src[tree.lines[0].content()], b"port 1");
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
        assert_eq!(tree.lines[0].kind, LineKind::Directive);
        let name = &tree.tokens(&tree.lines[0])[0];
        assert_eq!(&name.value(&tree.source)[..], b"\xef\xbb\xbf#");
    }
}
