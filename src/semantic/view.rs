//! The server's view of a parse unit: the bytes redis-server actually parses, mapped back to the
//! files on disk.
//!
//! Two things make the two differ. A NUL byte: redis-server reads with `fgets` into a 1024-byte
//! buffer and appends it as a C string, so a NUL drops the rest of its chunk (up to the newline
//! or 1023 bytes) and glues the next line on. A glob include (7.0+): every match is read and the
//! contents are parsed as one buffer. The reader parses the view, and every span it reports is
//! mapped back to the real file and offset.

use crate::source::{FileId, Span};
use crate::syntax::{self, Quoting, SyntaxTree};
use std::ops::Range;

/// A run of view bytes that are consecutive bytes of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    view: usize,
    file: FileId,
    disk: usize,
    len: usize,
}

/// What redis-server parses for one unit (a file, or all matches of one glob include).
#[derive(Debug, Clone)]
pub struct ServerView {
    /// `None` when the view is exactly one file's bytes: its own syntax tree is used.
    tree: Option<SyntaxTree>,
    segments: Vec<Segment>,
}

impl ServerView {
    /// Build the view of the given files' bytes, read in order as one buffer. With one file
    /// and no NUL byte the view is the file itself (no copy, no second parse).
    pub fn build(pieces: &[(FileId, &[u8])], quoting: Quoting) -> ServerView {
        let mut joined = Vec::new();
        let mut joined_segments = Vec::new();
        for (file, bytes) in pieces {
            joined_segments.push(Segment {
                view: joined.len(),
                file: *file,
                disk: 0,
                len: bytes.len(),
            });
            joined.extend_from_slice(bytes);
        }
        let has_nul = joined.contains(&0);
        if pieces.len() == 1 && !has_nul {
            return ServerView {
                tree: None,
                segments: joined_segments,
            };
        }
        let kept = if has_nul {
            fgets_kept_ranges(&joined)
        } else {
            std::iter::once(0..joined.len()).collect()
        };
        let mut bytes = Vec::with_capacity(joined.len());
        let mut segments = Vec::new();
        for range in kept {
            // Split each kept range at file boundaries.
            let mut at = range.start;
            while at < range.end {
                let seg =
                    joined_segments[joined_segments.partition_point(|s| s.view + s.len <= at)];
                let end = range.end.min(seg.view + seg.len);
                segments.push(Segment {
                    view: bytes.len(),
                    file: seg.file,
                    disk: at - seg.view,
                    len: end - at,
                });
                bytes.extend_from_slice(&joined[at..end]);
                at = end;
            }
        }
        ServerView {
            tree: Some(syntax::parse_with(&bytes, quoting)),
            segments,
        }
    }

    /// The view's own tree, when it differs from the file's.
    pub fn tree(&self) -> Option<&SyntaxTree> {
        self.tree.as_ref()
    }

    /// Whether the view is one file's bytes as they are.
    pub fn is_identity(&self) -> bool {
        self.tree.is_none()
    }

    /// The file of the unit's first byte (the file itself for an identity view).
    pub fn first_file(&self) -> Option<FileId> {
        self.segments.first().map(|s| s.file)
    }

    fn segment_at(&self, offset: usize) -> Option<&Segment> {
        let i = self
            .segments
            .partition_point(|s| s.view + s.len <= offset)
            .min(self.segments.len().checked_sub(1)?);
        self.segments.get(i)
    }

    /// Map a view range to the bytes on disk. A range that crosses into another file (a line
    /// glued across glob matches) is cut at the end of the first file's part.
    pub fn to_disk(&self, range: Range<usize>) -> Span {
        let Some(first) = self.segment_at(range.start) else {
            return Span::new(FileId::ROOT, 0..0);
        };
        let start = first.disk + range.start.saturating_sub(first.view).min(first.len);
        if range.end <= range.start {
            return Span::new(first.file, start..start);
        }
        let last = self.segment_at(range.end - 1).unwrap_or(first);
        let end = if last.file == first.file {
            last.disk + (range.end - last.view).min(last.len)
        } else {
            // The last byte of the first file inside the range.
            let within = self
                .segments
                .iter()
                .rfind(|s| s.file == first.file && s.view < range.end && s.view >= first.view)
                .unwrap_or(first);
            within.disk + within.len
        };
        Span::new(first.file, start..end.max(start))
    }

    /// The 1-based line redis-server numbers for a byte of this unit on disk, when the byte is
    /// part of the view (bytes a NUL dropped are not).
    pub fn server_line(&self, span: &Span) -> Option<usize> {
        let tree = self.tree.as_ref()?;
        let offset = span.range.start;
        let seg = self
            .segments
            .iter()
            .find(|s| s.file == span.file && s.disk <= offset && offset <= s.disk + s.len)?;
        Some(tree.line_col(seg.view + offset - seg.disk).0)
    }
}

/// The byte ranges of `bytes` that redis-server's `fgets` + `strlen` reading keeps.
fn fgets_kept_ranges(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let limit = (i + 1023).min(bytes.len());
        let end = bytes[i..limit]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(limit, |p| i + p + 1);
        let keep_end = bytes[i..end]
            .iter()
            .position(|&b| b == 0)
            .map_or(end, |p| i + p);
        match out.last_mut() {
            Some(last) if last.end == i => last.end = keep_end,
            _ if keep_end > i => out.push(i..keep_end),
            _ => {}
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_glues_lines_and_maps_back() {
        let disk = b"port 6379\nmaxmemory 1gb\0junk\nbind 0.0.0.0\n";
        let view = ServerView::build(&[(FileId::ROOT, disk)], Quoting::Strict);
        let tree = view.tree().expect("a NUL makes the view differ");
        assert_eq!(
            tree.source.as_slice(),
            b"port 6379\nmaxmemory 1gbbind 0.0.0.0\n"
        );
        // `bind` in the view is after `1gb`; on disk it is on line 3.
        let bind_view = tree.source.windows(4).position(|w| w == b"bind").unwrap();
        let span = view.to_disk(bind_view..bind_view + 4);
        assert_eq!(&disk[span.range.clone()], b"bind");
        // The glued line on disk covers the NUL and the dropped bytes.
        let line = view.to_disk(10..tree.source.len() - 1);
        assert_eq!(
            &disk[line.range.clone()],
            b"maxmemory 1gb\0junk\nbind 0.0.0.0"
        );
        assert_eq!(view.server_line(&span), Some(2));
    }

    #[test]
    fn glob_join_maps_each_file() {
        let a = FileId::ROOT;
        let b = {
            let mut s = crate::source::Sources::default();
            s.add("a".into(), Vec::new());
            s.add("b".into(), Vec::new())
        };
        let view = ServerView::build(
            &[(a, b"maxmemory 1mb"), (b, b"x 1\nhz 10\n")],
            Quoting::Strict,
        );
        let tree = view.tree().unwrap();
        assert_eq!(tree.source.as_slice(), b"maxmemory 1mbx 1\nhz 10\n");
        let hz = view.to_disk(17..22);
        assert_eq!((hz.file, hz.range.clone()), (b, 4..9));
        assert_eq!(view.server_line(&hz), Some(2));
        // A line glued across files is cut at the end of the first file.
        let glued = view.to_disk(0..16);
        assert_eq!((glued.file, glued.range), (a, 0..13));
    }

    #[test]
    fn plain_file_is_identity() {
        let view = ServerView::build(&[(FileId::ROOT, b"port 1\n")], Quoting::Strict);
        assert!(view.is_identity());
        assert_eq!(view.to_disk(0..4), Span::new(FileId::ROOT, 0..4));
    }
}
