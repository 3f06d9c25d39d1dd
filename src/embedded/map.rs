//! Where each byte of an embedded config's text is in the host file (a Compose file, a
//! Dockerfile, a manifest), and how an edit of the text becomes an edit of the host.
//!
//! Every byte of the text has an owner: the host element it came from (a block scalar, one
//! argument, a line the image adds). Bytes copied from the host also know their own offset;
//! bytes the reader made (quotes redis-server adds around an argument, a `$` of `$$`, an
//! escape) only know their owner, and a finding on them points at the whole owner.

use std::ops::Range;

/// The host files an embedded config is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostFile {
    /// The file checked (the Compose file, Dockerfile, manifest).
    Main,
    /// The config file its command line names, found in the repository.
    Followed,
}

/// How an owner's host bytes are written, which decides what an edit may put there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerKind {
    /// Lines of a YAML block scalar, indented by `indent` spaces.
    Block { indent: usize },
    /// Bytes of a config file, as they are.
    Raw,
    /// One argument of a command line: `index` in the argument list.
    Arg { index: usize, quoting: Quoting },
    /// Text the reader adds (an image's defaults): findings point here, edits do not.
    Added,
}

/// How an argument is written in the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// A YAML sequence item (plain or quoted scalar): the item is rewritten as a YAML string.
    YamlItem,
    /// A JSON string of a Dockerfile exec form.
    Json,
    /// A word of a shell command line (a Compose `command` string, a Dockerfile shell form).
    ShellWord,
}

/// A host element the text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub file: HostFile,
    pub range: Range<usize>,
    pub kind: OwnerKind,
    /// Said with findings on these bytes ("added by the image: ...").
    pub note: Option<String>,
}

const NONE: u32 = u32::MAX;

/// An embedded config's text with the host place of every byte.
#[derive(Debug, Clone, Default)]
pub struct TracedText {
    pub text: Vec<u8>,
    at: Vec<u32>,
    owner: Vec<u32>,
    pub owners: Vec<Owner>,
}

/// A host span: file and byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSpan {
    pub file: HostFile,
    pub range: Range<usize>,
}

impl TracedText {
    pub fn add_owner(&mut self, owner: Owner) -> usize {
        self.owners.push(owner);
        self.owners.len() - 1
    }

    /// Append bytes with their host offsets (`None`: made by the reader).
    pub fn push(
        &mut self,
        bytes: &[u8],
        at: impl IntoIterator<Item = Option<usize>>,
        owner: usize,
    ) {
        let before = self.at.len();
        self.text.extend_from_slice(bytes);
        self.at.extend(
            at.into_iter()
                .take(bytes.len())
                .map(|a| a.map_or(NONE, |a| a as u32)),
        );
        self.at.resize(before + bytes.len(), NONE);
        self.owner.resize(self.text.len(), owner as u32);
    }

    /// Append bytes copied from the host starting at `start`.
    pub fn push_copied(&mut self, bytes: &[u8], start: usize, owner: usize) {
        self.push(bytes, (start..start + bytes.len()).map(Some), owner);
    }

    /// Append bytes the reader makes.
    pub fn push_made(&mut self, bytes: &[u8], owner: usize) {
        self.push(bytes, std::iter::empty(), owner);
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Append another traced text, its owners with it.
    pub fn append(&mut self, other: TracedText) {
        let base = self.owners.len() as u32;
        self.owners.extend(other.owners);
        self.text.extend(other.text);
        self.at.extend(other.at);
        self.owner.extend(other.owner.iter().map(|o| o + base));
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The host offset of a text byte, when it was copied.
    pub fn host_at(&self, i: usize) -> Option<usize> {
        self.at.get(i).filter(|&&a| a != NONE).map(|&a| a as usize)
    }

    pub fn owner_of(&self, i: usize) -> Option<&Owner> {
        self.owner.get(i).map(|&o| &self.owners[o as usize])
    }

    fn owner_index(&self, i: usize) -> Option<usize> {
        self.owner.get(i).map(|&o| o as usize)
    }

    /// The host span of a text range: exact where the bytes were copied, else the owner's.
    pub fn to_host(&self, range: Range<usize>) -> Option<HostSpan> {
        if self.text.is_empty() {
            return None;
        }
        let last = self.text.len() - 1;
        let first = range.start.min(last);
        let owner = self.owner_of(first)?;
        let start = match self.host_at(range.start) {
            Some(a) => a,
            None if range.start > last => self.host_at(last).map_or(owner.range.end, |a| a + 1),
            None => owner.range.start,
        };
        if range.end <= range.start {
            return Some(HostSpan {
                file: owner.file,
                range: start..start,
            });
        }
        let end_byte = (range.end - 1).min(last);
        let end_owner = self.owner_of(end_byte)?;
        let end = match self.host_at(end_byte) {
            Some(a) => a + 1,
            None => end_owner.range.end,
        };
        if end_owner.file != owner.file || end < start {
            let end = self.host_at(first).map_or(owner.range.end, |a| {
                a.max(owner.range.end.min(a + (range.end - range.start)))
            });
            return Some(HostSpan {
                file: owner.file,
                range: start..end.max(start),
            });
        }
        Some(HostSpan {
            file: owner.file,
            range: start..end,
        })
    }

    /// The notes of the owners a text range touches.
    pub fn notes(&self, range: Range<usize>) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let end = range.end.max(range.start + 1).min(self.text.len());
        for i in range.start.min(end)..end {
            if let Some(note) = self.owner_of(i).and_then(|o| o.note.as_deref())
                && !out.contains(&note)
            {
                out.push(note);
            }
        }
        out
    }

    /// Whether `range` is bytes copied in one run from one host file, with one owner.
    fn copied_run(&self, range: Range<usize>) -> Option<(usize, Range<usize>)> {
        let owner = self.owner_index(range.start)?;
        let start = self.host_at(range.start)?;
        for (k, i) in range.clone().enumerate() {
            if self.owner_index(i) != Some(owner) || self.host_at(i) != Some(start + k) {
                return None;
            }
        }
        Some((owner, start..start + range.len()))
    }
}

/// One edit of the host: a byte range of a host file and what replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEdit {
    pub file: HostFile,
    pub range: Range<usize>,
    pub content: Vec<u8>,
}

/// Where new arguments go at the end of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appender {
    /// A YAML block sequence: a new `- item` line after `after` (the end of the last item's
    /// line), with the dash at `indent`.
    BlockSequence { after: usize, indent: usize },
    /// A YAML flow sequence or a JSON array: `, item` before `close` (the `]`).
    FlowSequence { close: usize, json: bool },
    /// A shell command line: ` word` at `at` (the end of its last word).
    Shell { at: usize },
    /// No command line yet: a new YAML key (`command:`, `args:`) after `after`, at `indent`,
    /// listing `prefix` (the program, when the image does not add it) and the arguments.
    NewKey {
        after: usize,
        indent: usize,
        key: &'static str,
        prefix: Vec<Vec<u8>>,
    },
    /// No `CMD` yet: a new exec-form `CMD` at `at` (the end of the Dockerfile).
    NewInstruction {
        at: usize,
        newline_first: bool,
        prefix: Vec<Vec<u8>>,
    },
}

impl Appender {
    /// Where an appender that writes a new key or instruction writes it: two such edits in
    /// one pass would write two.
    pub fn creates_at(&self) -> Option<usize> {
        match self {
            Appender::NewKey { after, .. } => Some(*after),
            Appender::NewInstruction { at, .. } => Some(*at),
            _ => None,
        }
    }
}

/// Turn an edit of the text into host edits, or say why it cannot be made there.
pub fn translate(
    traced: &TracedText,
    range: Range<usize>,
    content: &[u8],
    appender: Option<&Appender>,
) -> Result<Vec<HostEdit>, String> {
    let len = traced.len();
    // An insertion: at the end of a block, inside a block, or new arguments.
    if range.is_empty() {
        let at = range.start;
        let probe = if at < len { at } else { len.saturating_sub(1) };
        let owner = traced.owner_of(probe).ok_or("nothing to edit")?;
        match &owner.kind {
            OwnerKind::Block { indent } => {
                let host = traced.to_host(at..at).ok_or("no host place for the edit")?;
                let column0 = at >= len && traced.text.last() == Some(&b'\n');
                return Ok(vec![HostEdit {
                    file: owner.file,
                    range: host.range,
                    content: indent_lines(content, *indent, column0, column0),
                }]);
            }
            OwnerKind::Raw => {
                let host = traced.to_host(at..at).ok_or("no host place for the edit")?;
                return Ok(vec![HostEdit {
                    file: owner.file,
                    range: host.range,
                    content: content.to_vec(),
                }]);
            }
            _ => {}
        }
        // New lines among the arguments become new arguments at the end.
        let at_line_start = at == 0 || traced.text.get(at - 1) == Some(&b'\n') || at >= len;
        let appender = appender.ok_or("the command line has no place for new arguments")?;
        if !at_line_start {
            return words_after_argument(traced, at, content, appender);
        }
        let words = config_words(content)?;
        return append_args(appender, &words).map(|e| vec![e]);
    }
    // A replacement inside copied bytes of a block or a file.
    if let Some((owner, host)) = traced.copied_run(range.clone()) {
        let owner = &traced.owners[owner];
        match &owner.kind {
            OwnerKind::Block { indent } => {
                // An edit that ends at a line start keeps the indentation of that line.
                let end_at_line_start = traced.text.get(range.end - 1) == Some(&b'\n');
                let host_end = if end_at_line_start && range.end < len {
                    traced.host_at(range.end).unwrap_or(host.end)
                } else {
                    host.end
                };
                let column0 = end_at_line_start && range.end >= len;
                return Ok(vec![HostEdit {
                    file: owner.file,
                    range: host.start..host_end,
                    content: indent_lines(content, *indent, false, column0),
                }]);
            }
            OwnerKind::Raw => {
                return Ok(vec![HostEdit {
                    file: owner.file,
                    range: host,
                    content: content.to_vec(),
                }]);
            }
            _ => {}
        }
    }
    let owner_index = traced.owner_index(range.start).ok_or("nothing to edit")?;
    let owner = &traced.owners[owner_index];
    // A line the image adds, changed: the changed line as new arguments, read after it.
    if owner.kind == OwnerKind::Added
        && let Some(appender) = appender
    {
        let text = &traced.text;
        let line_start = text[..range.start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = text[range.end.min(len)..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(len, |i| range.end + i);
        let one_owner = (line_start..line_end).all(|i| traced.owner_index(i) == Some(owner_index));
        if one_owner && range.end <= line_end {
            let mut line = text[line_start..range.start].to_vec();
            line.extend_from_slice(content);
            line.extend_from_slice(&text[range.end..line_end]);
            let words = config_words(&line)?;
            if words.is_empty() {
                return Err("the image sets it; a command line can only set it again".into());
            }
            return append_args(appender, &words).map(|e| vec![e]);
        }
    }
    // A whole argument (with the quotes redis-server adds) replaced by one word.
    if let OwnerKind::Arg { quoting, .. } = owner.kind {
        let same_owner = range
            .clone()
            .all(|i| traced.owner_index(i) == Some(owner_index));
        let covers_copied = (0..len)
            .filter(|&i| traced.owner_index(i) == Some(owner_index) && traced.host_at(i).is_some())
            .all(|i| range.contains(&i));
        if same_owner && covers_copied {
            let words = value_words(content)?;
            let [word] = &words[..] else {
                return Err("the new value is more than one argument".into());
            };
            return Ok(vec![HostEdit {
                file: owner.file,
                range: owner.range.clone(),
                content: quote_arg(word, quoting)?,
            }]);
        }
    }
    Err(match owner.kind {
        OwnerKind::Added => "the line is the image's default, not written in the file".into(),
        _ => "the change spans more than one argument of the command line".into(),
    })
}

/// Indent the lines of `content` for a block scalar: after every newline, except a final one
/// when the edit ends at a column 0 (`end_column0`); first too when it starts at column 0.
fn indent_lines(content: &[u8], indent: usize, start_column0: bool, end_column0: bool) -> Vec<u8> {
    let pad = vec![b' '; indent];
    let mut out = Vec::with_capacity(content.len() + indent * 4);
    if start_column0 && !content.is_empty() {
        out.extend_from_slice(&pad);
    }
    for (i, &b) in content.iter().enumerate() {
        out.push(b);
        let last = i + 1 == content.len();
        if b == b'\n' && !(last && end_column0) {
            out.extend_from_slice(&pad);
        }
    }
    out
}

/// The words of config text as redis-server splits it: a line's name gets `--`.
fn config_words(content: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for line in content.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        // redlint's own text: every quote it writes ends at a space, read alike by all versions.
        let tokens = crate::syntax::tokenize(line, crate::syntax::Quoting::Strict)
            .map_err(|_| "the new text does not split into arguments".to_string())?;
        for (k, w) in tokens
            .iter()
            .map(|t| t.value(line).into_owned())
            .enumerate()
        {
            if k == 0 {
                let mut name = b"--".to_vec();
                name.extend_from_slice(&w);
                out.push(name);
            } else {
                out.push(w);
            }
        }
    }
    Ok(out)
}

/// Words added at the end of an argument's line: new arguments right after it, written the
/// way the command line writes its arguments.
fn words_after_argument(
    traced: &TracedText,
    at: usize,
    content: &[u8],
    appender: &Appender,
) -> Result<Vec<HostEdit>, String> {
    let refuse = || "words added inside an argument are not written as arguments".to_string();
    let text = &traced.text;
    let owner = traced.owner_of(at - 1).ok_or_else(refuse)?;
    let between = text.get(at).is_none_or(|&b| b == b' ' || b == b'\n') || text[at - 1] == b' ';
    if !matches!(owner.kind, OwnerKind::Arg { .. }) || !between || content.contains(&b'\n') {
        return Err(refuse());
    }
    let words = value_words(content)?;
    if words.is_empty() {
        return Err(refuse());
    }
    let after = owner.range.end;
    let here = match appender {
        Appender::BlockSequence { indent, .. } => Appender::BlockSequence {
            after,
            indent: *indent,
        },
        Appender::FlowSequence { json, .. } => Appender::FlowSequence {
            close: after,
            json: *json,
        },
        Appender::Shell { .. } => Appender::Shell { at: after },
        _ => return Err(refuse()),
    };
    append_args(&here, &words).map(|e| vec![e])
}

/// The values of config text (one line's tokens), as arguments.
fn value_words(content: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let tokens = crate::syntax::tokenize(content.trim_ascii(), crate::syntax::Quoting::Strict)
        .map_err(|_| "the new text does not split into arguments".to_string())?;
    Ok(tokens
        .iter()
        .map(|t| t.value(content.trim_ascii()).into_owned())
        .collect())
}

/// New arguments at the end of a command line.
fn append_args(appender: &Appender, words: &[Vec<u8>]) -> Result<HostEdit, String> {
    let mut content = Vec::new();
    let (at, quoting) = match appender {
        Appender::BlockSequence { after, indent } => {
            for w in words {
                content.push(b'\n');
                content.extend(std::iter::repeat_n(b' ', *indent));
                content.extend_from_slice(b"- ");
                content.extend(quote_arg(w, Quoting::YamlItem)?);
            }
            return Ok(HostEdit {
                file: HostFile::Main,
                range: *after..*after,
                content,
            });
        }
        Appender::FlowSequence { close, json } => (
            *close,
            if *json {
                Quoting::Json
            } else {
                Quoting::YamlItem
            },
        ),
        Appender::Shell { at } => (*at, Quoting::ShellWord),
        Appender::NewKey {
            after,
            indent,
            key,
            prefix,
        } => {
            content.push(b'\n');
            content.extend(std::iter::repeat_n(b' ', *indent));
            content.extend_from_slice(key.as_bytes());
            content.extend_from_slice(b": ");
            content.extend(flow_list(prefix, words, Quoting::YamlItem)?);
            return Ok(HostEdit {
                file: HostFile::Main,
                range: *after..*after,
                content,
            });
        }
        Appender::NewInstruction {
            at,
            newline_first,
            prefix,
        } => {
            if *newline_first {
                content.push(b'\n');
            }
            content.extend_from_slice(b"CMD ");
            content.extend(flow_list(prefix, words, Quoting::Json)?);
            content.push(b'\n');
            return Ok(HostEdit {
                file: HostFile::Main,
                range: *at..*at,
                content,
            });
        }
    };
    for w in words {
        content.extend_from_slice(if quoting == Quoting::ShellWord {
            b" "
        } else {
            b", "
        });
        content.extend(quote_arg(w, quoting)?);
    }
    Ok(HostEdit {
        file: HostFile::Main,
        range: at..at,
        content,
    })
}

/// `[item, item, …]`: the prefix and the words, each quoted.
fn flow_list(prefix: &[Vec<u8>], words: &[Vec<u8>], quoting: Quoting) -> Result<Vec<u8>, String> {
    let items: Vec<Vec<u8>> = prefix
        .iter()
        .chain(words)
        .map(|w| quote_arg(w, quoting))
        .collect::<Result<_, _>>()?;
    let mut out = b"[".to_vec();
    out.extend(items.join(&b", "[..]));
    out.push(b']');
    Ok(out)
}

/// One argument written in the host's quoting.
fn quote_arg(word: &[u8], quoting: Quoting) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(word).map_err(|_| "the new value is not UTF-8".to_string())?;
    match quoting {
        Quoting::YamlItem | Quoting::Json => {
            // A double-quoted string is the same in YAML and JSON.
            Ok(serde_json::to_string(text)
                .expect("a string serialises")
                .into_bytes())
        }
        Quoting::ShellWord => {
            let plain = !text.is_empty()
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&b));
            if plain {
                Ok(word.to_vec())
            } else {
                Err(format!(
                    "the new value `{text}` needs quoting that a command string cannot take safely"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(host: &[u8], indent: usize) -> TracedText {
        // Host lines indented by `indent`; the text is the lines without it.
        let mut t = TracedText::default();
        let owner = t.add_owner(Owner {
            file: HostFile::Main,
            range: 0..host.len(),
            kind: OwnerKind::Block { indent },
            note: None,
        });
        let mut at = 0;
        for line in host.split_inclusive(|&b| b == b'\n') {
            let skip = indent.min(line.iter().take_while(|&&b| b == b' ').count());
            t.push_copied(&line[skip..], at + skip, owner);
            at += line.len();
        }
        t
    }

    fn apply(host: &[u8], edits: &[HostEdit]) -> Vec<u8> {
        let mut out = host.to_vec();
        for e in edits.iter().rev() {
            out.splice(e.range.clone(), e.content.iter().copied());
        }
        out
    }

    #[test]
    fn block_edits_keep_the_indentation() {
        let host = b"    bind 0.0.0.0\n    port 1\n";
        let t = block(host, 4);
        assert_eq!(t.text, b"bind 0.0.0.0\nport 1\n");
        // Delete the first line.
        let e = translate(&t, 0..13, b"", None).unwrap();
        assert_eq!(apply(host, &e), b"    port 1\n");
        // Insert a line before the second, and one at the end.
        let e = translate(&t, 13..13, b"appendonly yes\n", None).unwrap();
        assert_eq!(
            apply(host, &e),
            b"    bind 0.0.0.0\n    appendonly yes\n    port 1\n"
        );
        let e = translate(&t, 20..20, b"hz 10\n", None).unwrap();
        assert_eq!(
            apply(host, &e),
            b"    bind 0.0.0.0\n    port 1\n    hz 10\n"
        );
        // Replace a value.
        let e = translate(&t, 5..12, b"127.0.0.1", None).unwrap();
        assert_eq!(apply(host, &e), b"    bind 127.0.0.1\n    port 1\n");
        // Map a finding back.
        assert_eq!(t.to_host(13..19).unwrap().range, 21..27);
    }

    #[test]
    fn arguments_are_replaced_whole_and_appended() {
        // `- --appendonly` / `- no` as a block sequence: text `appendonly "no" `.
        let host = b"- --appendonly\n- no\n";
        let mut t = TracedText::default();
        let name = t.add_owner(Owner {
            file: HostFile::Main,
            range: 2..14,
            kind: OwnerKind::Arg {
                index: 0,
                quoting: Quoting::YamlItem,
            },
            note: None,
        });
        let value = t.add_owner(Owner {
            file: HostFile::Main,
            range: 17..19,
            kind: OwnerKind::Arg {
                index: 1,
                quoting: Quoting::YamlItem,
            },
            note: None,
        });
        t.push_copied(b"appendonly", 4, name);
        t.push_made(b" \"", value);
        t.push_copied(b"no", 17, value);
        t.push_made(b"\" ", value);
        let e = translate(&t, 11..15, b"yes", None).unwrap();
        assert_eq!(apply(host, &e), b"- --appendonly\n- \"yes\"\n");
        let appender = Appender::BlockSequence {
            after: 19,
            indent: 0,
        };
        let e = translate(
            &t,
            t.len()..t.len(),
            b"\nappendfsync everysec",
            Some(&appender),
        )
        .unwrap();
        assert_eq!(
            apply(host, &e),
            b"- --appendonly\n- no\n- \"--appendfsync\"\n- \"everysec\"\n"
        );
        // A word added to the argument's line goes right after its last argument.
        let e = translate(&t, t.len() - 1..t.len() - 1, b" always", Some(&appender)).unwrap();
        assert_eq!(apply(host, &e), b"- --appendonly\n- no\n- \"always\"\n");
    }
}
