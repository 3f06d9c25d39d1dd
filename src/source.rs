//! Positions: every file read while checking, kept as the exact bytes on disk, and spans into
//! them. Line and column are worked out from a span only when output is rendered.

use crate::syntax::{self, SyntaxTree};
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

/// A file as it is on disk, with its lossless syntax tree (which owns the bytes).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub tree: SyntaxTree,
}

impl SourceFile {
    pub fn bytes(&self) -> &[u8] {
        &self.tree.source
    }

    /// 1-based line and byte column of `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.tree.line_col(offset)
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
    /// Parse `bytes` (the exact content on disk) and add it.
    pub fn add(&mut self, path: PathBuf, bytes: &[u8]) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 2^32 files"));
        self.files.push(SourceFile {
            path,
            tree: syntax::parse(bytes),
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
        let root = sources.add("main.conf".into(), b"port 1\ninclude x\n");
        let inc = sources.add("x".into(), b"# c\nhz 10\n");
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
    }
}
