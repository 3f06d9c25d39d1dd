//! Positions: every file read while checking, kept as the exact bytes on disk, and spans into
//! them. Line and column are worked out from a span only when output is rendered.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// One file of a check: the checked file, or a file it includes (one per glob match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(u32);

impl FileId {
    /// The file named on the command line; included files come after it.
    pub const ROOT: FileId = FileId(0);

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range of one source file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span { file, range }
    }
}

/// A [`Span`] in 12 bytes instead of 24, for what is kept per token (a line of a million
/// values keeps a million).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackedSpan {
    file: FileId,
    start: u32,
    end: u32,
}

impl PackedSpan {
    pub fn unpack(self) -> Span {
        Span::new(self.file, self.start as usize..self.end as usize)
    }
}

impl From<Span> for PackedSpan {
    fn from(span: Span) -> PackedSpan {
        PackedSpan {
            file: span.file,
            start: offset32(span.range.start),
            end: offset32(span.range.end),
        }
    }
}

/// An offset of a read file in 32 bits, as what is kept per line or token holds them: reads stop
/// at 256 MB.
pub fn offset32(at: usize) -> u32 {
    u32::try_from(at).expect("offsets are under 4 GB")
}

/// Where each line of a file starts. Lines end at LF, the only line break Redis knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// 0, then the offset after every LF (32 bits: reads stop at 256 MB).
    starts: Vec<u32>,
    len: usize,
}

impl LineIndex {
    pub fn new(bytes: &[u8]) -> LineIndex {
        let mut starts = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| offset32(i + 1)));
        LineIndex {
            starts,
            len: bytes.len(),
        }
    }

    /// 1-based line and byte column of `offset` (binary search). The end of a file that ends
    /// with LF is the start of the line after the last one.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s as usize <= offset);
        (line, offset - self.starts[line - 1] as usize + 1)
    }

    /// Byte offset where line `index` (0-based) starts; the file's length past the last line.
    pub fn line_start(&self, index: usize) -> usize {
        self.starts
            .get(index)
            .map_or(self.len, |&start| start as usize)
    }

    /// 0-based index of the line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_col(offset).0 - 1
    }
}

/// A file as it is on disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    bytes: std::sync::Arc<Vec<u8>>,
    lines: LineIndex,
}

impl SourceFile {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// 1-based line and byte column of `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines.line_col(offset)
    }

    /// The span of the first line (without its terminator): where findings about something
    /// the file does not say are shown.
    pub fn first_line(&self) -> Range<usize> {
        let bytes = self.bytes();
        0..bytes
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(bytes.len())
    }
}

/// Where a span is, as people and CI tools count: 1-based lines, byte columns, `end_column`
/// exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub range: Range<usize>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Every file read for one check, by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// Add a file's exact content on disk.
    pub fn add(&mut self, path: PathBuf, bytes: impl Into<std::sync::Arc<Vec<u8>>>) -> FileId {
        let bytes = bytes.into();
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 2^32 files"));
        self.files.push(SourceFile {
            path,
            lines: LineIndex::new(&bytes),
            bytes,
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.index()]
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The id of the file read from `path`, if it was read.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.iter().find(|(_, f)| f.path == path).map(|(id, _)| id)
    }

    /// Line and column of a span; `None` (a finding about the whole config) is shown on the
    /// first line of the checked file.
    pub fn locate(&self, span: Option<&Span>) -> Location {
        if self.files.is_empty() {
            // Nothing was read (a running server's findings): no file, no line.
            return Location {
                file: PathBuf::new(),
                range: 0..0,
                line: 0,
                column: 0,
                end_line: 0,
                end_column: 0,
            };
        }
        let (file, range) = match span {
            Some(s) => (self.get(s.file), s.range.clone()),
            None => {
                let root = self.get(FileId::ROOT);
                (root, root.first_line())
            }
        };
        let (line, column) = file.line_col(range.start);
        let (end_line, end_column) = file.line_col(range.end);
        Location {
            file: file.path.clone(),
            range,
            line,
            column,
            end_line,
            end_column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_locate_in_their_own_file() {
        let mut sources = Sources::default();
        let root = sources.add("main.conf".into(), b"port 1\ninclude x\n".to_vec());
        let inc = sources.add("x".into(), b"# c\nhz 10\n".to_vec());
        assert_eq!(root, FileId::ROOT);
        let at = sources.locate(Some(&Span::new(inc, 4..9)));
        assert_eq!(
            (at.line, at.column, at.end_line, at.end_column),
            (2, 1, 2, 6)
        );
        assert_eq!(at.file, PathBuf::from("x"));
        let whole = sources.locate(None);
        assert_eq!((whole.line, whole.range), (1, 0..6));
        assert_eq!(sources.find(Path::new("x")), Some(inc));
        assert_eq!(Sources::default().locate(None).line, 0);
    }

    #[test]
    fn line_and_column_of_offsets() {
        let index = LineIndex::new(b"ab\ncd\r\nef");
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(2), (1, 3)); // the LF itself
        assert_eq!(index.line_col(3), (2, 1));
        assert_eq!(index.line_col(7), (3, 1));
        assert_eq!(index.line_col(9), (3, 3)); // end of a file without final LF
        assert_eq!(LineIndex::new(b"ab\n").line_col(3), (2, 1));
        assert_eq!(LineIndex::new(b"").line_col(0), (1, 1));
        assert_eq!(index.line_start(1), 3);
        assert_eq!(index.line_start(9), 9);
    }
}
