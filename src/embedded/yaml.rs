//! YAML with byte positions: the host files' documents as a small owned tree (saphyr keeps
//! the positions), and each scalar's value traced back to its bytes.

use super::map::{HostFile, Owner, OwnerKind, TracedText};
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use std::ops::Range;

/// How deep the tree is read: configs are a few levels down; deeper is hostile input.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Map(Vec<(Node, Node)>),
    Seq(Vec<Node>),
    Scalar { value: String, style: Style },
    Other,
}

/// A node and the bytes it spans (for a block scalar, from its first content line).
#[derive(Debug, Clone)]
pub struct Node {
    pub range: Range<usize>,
    pub kind: Kind,
}

/// A YAML file that does not parse.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Every document of a YAML stream.
pub fn load(src: &str) -> Result<Vec<Node>, YamlError> {
    let docs = MarkedYaml::load_from_str(src).map_err(|e| YamlError {
        line: e.marker().line(),
        column: e.marker().col() + 1,
        message: e.info().to_string(),
    })?;
    let bytes = ByteIndex::new(src);
    Ok(docs.iter().map(|d| convert(d, src, &bytes, 0)).collect())
}

/// Character index to byte offset (saphyr counts characters).
struct ByteIndex(Option<Vec<usize>>);

impl ByteIndex {
    fn new(src: &str) -> ByteIndex {
        if src.is_ascii() {
            return ByteIndex(None);
        }
        let mut starts: Vec<usize> = src.char_indices().map(|(i, _)| i).collect();
        starts.push(src.len());
        ByteIndex(Some(starts))
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.0 {
            None => char_index,
            Some(starts) => starts[char_index.min(starts.len() - 1)],
        }
    }
}

fn convert(node: &MarkedYaml, src: &str, bytes: &ByteIndex, depth: usize) -> Node {
    let range = bytes.byte(node.span.start.index())..bytes.byte(node.span.end.index());
    let range =
        range.start.min(src.len())..range.end.min(src.len()).max(range.start.min(src.len()));
    if depth > MAX_DEPTH {
        return Node {
            range,
            kind: Kind::Other,
        };
    }
    let kind = match &node.data {
        YamlData::Mapping(m) => Kind::Map(
            m.iter()
                .map(|(k, v)| {
                    (
                        convert(k, src, bytes, depth + 1),
                        convert(v, src, bytes, depth + 1),
                    )
                })
                .collect(),
        ),
        YamlData::Sequence(s) => Kind::Seq(
            s.iter()
                .map(|n| convert(n, src, bytes, depth + 1))
                .collect(),
        ),
        YamlData::Value(v) => {
            let raw = &src[range.clone()];
            let style = style_at(src, range.start);
            let value = match v {
                Scalar::String(s) => s.to_string(),
                // Numbers and booleans as written: an argument is text.
                _ => raw.trim_end().to_string(),
            };
            Kind::Scalar { value, style }
        }
        _ => Kind::Other,
    };
    Node { range, kind }
}

/// The style of the scalar starting at `at`: its first byte, or the indicator before a block.
fn style_at(src: &str, at: usize) -> Style {
    match src.as_bytes().get(at) {
        Some(b'"') => return Style::Double,
        Some(b'\'') => return Style::Single,
        _ => {}
    }
    // A block scalar's span starts at its content: the indicator ends the line before.
    let before = &src[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if before[line_start..].trim().is_empty() && line_start > 0 {
        let prev = &before[..line_start - 1];
        let prev_line = &prev[prev.rfind('\n').map_or(0, |i| i + 1)..];
        let code = prev_line.split(" #").next().unwrap_or(prev_line).trim_end();
        if let Some(word) = code.rsplit(' ').next() {
            if word.starts_with('|') {
                return Style::Literal;
            }
            if word.starts_with('>') {
                return Style::Folded;
            }
        }
    }
    Style::Plain
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn style(&self) -> Option<Style> {
        match &self.kind {
            Kind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// The bytes of a scalar's value and where each is in `src` (`None` where the value's bytes
    /// are not the source's: escapes, folding).
    pub fn traced_value(&self, src: &str) -> Option<(Vec<u8>, Vec<Option<usize>>)> {
        let Kind::Scalar { value, style } = &self.kind else {
            return None;
        };
        let raw = &src[self.range.clone()];
        let inner = match style {
            Style::Plain => Some((raw.trim_end(), self.range.start)),
            Style::Single | Style::Double if raw.len() >= 2 => {
                Some((&raw[1..raw.len() - 1], self.range.start + 1))
            }
            _ => None,
        };
        let at = match inner {
            Some((text, start)) if text == value => (start..start + text.len()).map(Some).collect(),
            _ => vec![None; value.len()],
        };
        Some((value.as_bytes().to_vec(), at))
    }

    /// A literal block scalar's lines as config text, each line copied from the host without
    /// its indentation; `None` when the lines do not give back the parsed value (folded
    /// blocks, unusual indentation).
    /// `content` is the file as it is when `src` has its template markup masked.
    pub fn block_text(&self, src: &str, content: &str, traced: &mut TracedText) -> Option<usize> {
        let Kind::Scalar { value, style } = &self.kind else {
            return None;
        };
        if *style != Style::Literal {
            return None;
        }
        let bytes = src.as_bytes();
        let line_start = src[..self.range.start].rfind('\n').map_or(0, |i| i + 1);
        let indent = self.range.start - line_start;
        let mut lines: Vec<(usize, usize)> = Vec::new(); // (content start, end with newline)
        let mut at = line_start;
        while at < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1);
            let line = &bytes[at..end];
            let spaces = line.iter().take_while(|&&b| b == b' ').count();
            let blank = line[spaces..].iter().all(|b| b.is_ascii_whitespace());
            if !blank && spaces < indent {
                break;
            }
            lines.push((at + spaces.min(indent), end));
            at = end;
        }
        // Trailing blank lines belong to the block only under `|+`; try the chomping that
        // gives the value back.
        let mut content_lines = lines.len();
        while content_lines > 0 {
            let (s, e) = lines[content_lines - 1];
            if bytes[s..e].iter().all(|b| b.is_ascii_whitespace()) {
                content_lines -= 1;
            } else {
                break;
            }
        }
        let join = |n: usize| -> Vec<u8> {
            lines[..n]
                .iter()
                .flat_map(|&(s, e)| bytes[s..e].iter().copied())
                .collect()
        };
        let clip = join(content_lines);
        let ends_newline = clip.last() == Some(&b'\n');
        let value = value.as_bytes();
        let kept = if clip == value {
            content_lines
        } else if ends_newline && clip[..clip.len() - 1] == *value {
            // `|-`: the last newline is not part of the value.
            usize::MAX
        } else if join(lines.len()) == value {
            lines.len()
        } else {
            return None;
        };
        let owner = traced.add_owner(Owner {
            file: HostFile::Main,
            range: line_start..lines.last().map_or(line_start, |l| l.1),
            kind: OwnerKind::Block { indent },
            note: None,
        });
        let n = if kept == usize::MAX {
            content_lines
        } else {
            kept
        };
        for (k, &(s, e)) in lines[..n].iter().enumerate() {
            let mut e = e;
            if kept == usize::MAX && k + 1 == n && bytes.get(e - 1) == Some(&b'\n') {
                e -= 1;
            }
            traced.push_copied(&content.as_bytes()[s..e], s, owner);
        }
        Some(owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_scalars_map_line_by_line() {
        let src = "data:\n  redis.conf: |\n    bind 0.0.0.0\n\n    port 1\n  other: x\n";
        let docs = load(src).unwrap();
        let block = docs[0].path(&["data", "redis.conf"]).unwrap();
        let mut t = TracedText::default();
        block.block_text(src, src, &mut t).unwrap();
        assert_eq!(t.text, b"bind 0.0.0.0\n\nport 1\n");
        let port = t.to_host(14..20).unwrap();
        assert_eq!(&src[port.range], "port 1");
        // `|-` and a non-ASCII comment.
        let src = "k: |-\n  # café\n  hz 10\nz: 1\n";
        let docs = load(src).unwrap();
        let mut t = TracedText::default();
        docs[0]
            .get("k")
            .unwrap()
            .block_text(src, src, &mut t)
            .unwrap();
        assert_eq!(t.text, "# café\nhz 10".as_bytes());
        let hz = t.to_host(t.len() - 5..t.len()).unwrap();
        assert_eq!(&src[hz.range], "hz 10");
    }

    #[test]
    fn scalars_are_traced_where_their_bytes_are_the_source() {
        let src = "a: [\"x y\", 'z', --port, 6380, \"a\\tb\"]\n";
        let docs = load(src).unwrap();
        let items = docs[0].get("a").unwrap().items();
        let (v, at) = items[0].traced_value(src).unwrap();
        assert_eq!((v.as_slice(), at[0]), (&b"x y"[..], Some(5)));
        assert_eq!(items[3].as_str(), Some("6380"));
        let (_, at) = items[4].traced_value(src).unwrap();
        assert!(at.iter().all(Option::is_none));
        assert_eq!(items[2].style(), Some(Style::Plain));
    }
}
