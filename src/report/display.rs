//! What people see of a file: secrets replaced by a fixed-width mask (it does not tell their
//! length), control bytes written as `\xNN` (a config must not drive the terminal: clear it,
//! move the cursor, hide findings), and very long lines cut. Offsets of the file map onto the
//! shown text, so labels still point at the right place.

use super::reporter::MASK;
use std::ops::Range;

/// Longest line shown in full; the rest of a longer line is cut.
const MAX_SHOWN_LINE: usize = 240;

/// One piece of the shown text: a run of the file as it is, or a replacement.
#[derive(Debug, Clone)]
struct Piece {
    file: Range<usize>,
    shown: Range<usize>,
    copied: bool,
}

/// A file as shown, and the map back to its offsets.
#[derive(Debug, Clone)]
pub(super) struct Shown {
    pub bytes: Vec<u8>,
    pieces: Vec<Piece>,
}

/// Text safe for a terminal: control characters (not tab) written as `\xNN`.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if (c.is_control() && c != '\t' && c != '\n') || c == '\u{7f}' {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A byte that is not copied as it is: a line break, or a control byte (tab aside).
fn is_special(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

impl Shown {
    /// `secrets` are ranges of `bytes`.
    pub fn new(bytes: &[u8], secrets: &[Range<usize>]) -> Shown {
        let mut secrets: Vec<Range<usize>> = secrets
            .iter()
            .filter(|r| r.start < r.end && r.end <= bytes.len())
            .cloned()
            .collect();
        secrets.sort_by_key(|r| r.start);
        let mut out = Shown {
            bytes: Vec::with_capacity(bytes.len()),
            pieces: Vec::new(),
        };
        let mut next_secret = 0;
        let mut i = 0;
        let mut line_len = 0;
        while i < bytes.len() {
            while next_secret < secrets.len() && secrets[next_secret].end <= i {
                next_secret += 1;
            }
            if let Some(s) = secrets.get(next_secret)
                && s.start <= i
            {
                out.replace(i..s.end, MASK.as_bytes());
                line_len += MASK.len();
                i = s.end;
                continue;
            }
            let b = bytes[i];
            if b == b'\n' {
                out.copy(i..i + 1, bytes);
                line_len = 0;
                i += 1;
                continue;
            }
            if line_len >= MAX_SHOWN_LINE {
                // Cut the rest of the line.
                let end = bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| i + p);
                out.replace(i..end, " …".as_bytes());
                line_len += 2;
                i = end;
                continue;
            }
            if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                // A CRLF line ending: shown as a plain line break.
                out.replace(i..i + 1, b"");
                i += 1;
                continue;
            }
            if (b < 0x20 && b != b'\t') || b == 0x7f {
                let text = format!("\\x{b:02x}");
                out.replace(i..i + 1, text.as_bytes());
                line_len += text.len();
                i += 1;
                continue;
            }
            // A run of plain bytes, copied at once: up to the next special byte, the next
            // secret or the cut.
            let limit = bytes
                .len()
                .min(secrets.get(next_secret).map_or(usize::MAX, |s| s.start))
                .min(i + (MAX_SHOWN_LINE - line_len));
            let end = bytes[i..limit]
                .iter()
                .position(|&b| is_special(b))
                .map_or(limit, |p| i + p)
                .max(i + 1);
            out.copy(i..end, bytes);
            line_len += end - i;
            i = end;
        }
        out
    }

    fn push(&mut self, file: Range<usize>, shown: &[u8], copied: bool) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(shown);
        let end = self.bytes.len();
        match self.pieces.last_mut() {
            Some(last) if copied && last.copied && last.file.end == file.start => {
                last.file.end = file.end;
                last.shown.end = end;
            }
            _ => self.pieces.push(Piece {
                file,
                shown: start..end,
                copied,
            }),
        }
    }

    fn copy(&mut self, file: Range<usize>, bytes: &[u8]) {
        self.push(file.clone(), &bytes[file], true);
    }

    fn replace(&mut self, file: Range<usize>, shown: &[u8]) {
        self.push(file, shown, false);
    }

    /// Where a file offset is in the shown text (a replaced piece maps to its start, or its end
    /// for `end_of_span`).
    pub fn map(&self, offset: usize, end_of_span: bool) -> usize {
        let i = self.pieces.partition_point(|p| p.file.end <= offset);
        match self.pieces.get(i) {
            None => self.bytes.len(),
            Some(p) if p.copied => p.shown.start + (offset - p.file.start).min(p.shown.len()),
            Some(p) if end_of_span && offset > p.file.start => p.shown.end,
            Some(p) => p.shown.start,
        }
    }

    pub fn map_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.map(range.start, false);
        let end = if range.end > range.start {
            // The end of the last byte of the span.
            let last = self.map(range.end - 1, true);
            let p = self.pieces.partition_point(|p| p.file.end < range.end);
            match self.pieces.get(p) {
                Some(piece) if piece.copied => last + 1,
                _ => last,
            }
        } else {
            start
        };
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_get_a_fixed_width_mask_and_spans_follow() {
        let text = b"requirepass hunter2\nport 1\n";
        let secret = std::iter::once(12..19).collect::<Vec<_>>();
        let shown = Shown::new(text, &secret);
        assert_eq!(shown.bytes, b"requirepass ********\nport 1\n");
        // `port` is at 20 in the file, at 21 in the shown text.
        assert_eq!(shown.map_range(20..24), 21..25);
        assert_eq!(shown.map_range(12..19), 12..20);
    }

    #[test]
    fn control_bytes_are_escaped_and_long_lines_cut() {
        let shown = Shown::new(b"a\x1b[2Jb\rc\r\n", &[]);
        assert_eq!(shown.bytes, b"a\\x1b[2Jb\\x0dc\n");
        let long = vec![b'x'; 10_000];
        let shown = Shown::new(&long, &[]);
        assert!(shown.bytes.len() < 300);
        assert_eq!(printable("a\u{1b}b"), "a\\x1bb");
    }
}
