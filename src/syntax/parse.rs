//! Splitting a file into lines and each line into tokens, as Redis' reader does.

use super::lexer::tokenize;
use super::tree::{Directive, Line, LineKind, SyntaxTree, Token, is_trim_byte};
use std::ops::Range;

/// Parse a whole file. Never fails: bad lines become [`LineKind::Invalid`].
pub fn parse(source: &[u8]) -> SyntaxTree {
    parse_shared(std::sync::Arc::new(source.to_vec()))
}

/// Parse bytes that are shared with their [`crate::source::SourceFile`] (no copy).
pub fn parse_shared(shared: std::sync::Arc<Vec<u8>>) -> SyntaxTree {
    let source = shared.as_slice();
    let mut lines = Vec::with_capacity(memchr::memchr_iter(b'\n', source).count() + 1);
    let mut start = 0;
    while start < source.len() {
        let end = match memchr_lf(&source[start..]) {
            Some(i) => start + i + 1,
            None => source.len(),
        };
        lines.push(parse_line(source, start..end));
        start = end;
    }
    SyntaxTree {
        source: shared,
        lines,
    }
}

fn memchr_lf(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
}

fn parse_line(source: &[u8], span: Range<usize>) -> Line {
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
                    // Trees live for the whole check: a long line keeps no spare room.
                    if tokens.capacity() - tokens.len() > 16 {
                        tokens.shrink_to_fit();
                    }
                    LineKind::Directive(Box::new(Directive { name, args: tokens }))
                }
            }
            Err(mut err) => {
                err.offset += content.start;
                err.tokens = shift(std::mem::take(&mut err.tokens), content.start);
                LineKind::Invalid(Box::new(err))
            }
        }
    };
    Line {
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
