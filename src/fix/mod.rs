//! Fixes as byte edits: a fix plan (changes in terms of the model's lines) becomes edits of the
//! exact bytes of one file, and edits are applied without touching any other byte.
//!
//! New lines keep the file's line ending (CRLF stays CRLF) and the indentation of the line they
//! follow; a file without a final newline keeps lacking one. A missing directive goes after the
//! last line of its section of the stock redis.conf layout when the file has that section header,
//! else at the end of the checked file. Values are written with the tokenizer's `quote`, so
//! redis-server reads back exactly the intended bytes.

mod layout;

use crate::diagnostic::{Edit, Fix};
use crate::engine::{Change, FixPlan};
use crate::source::{FileId, SourceFile, Sources, Span};
use crate::syntax::quote;
use std::ops::Range;

/// `directive values…` as redis.conf text.
fn line_text(directive: &str, values: &[Vec<u8>]) -> Vec<u8> {
    let mut out = directive.as_bytes().to_vec();
    for v in values {
        out.push(b' ');
        out.extend(quote(v));
    }
    out
}

fn join_values(values: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend(quote(v));
    }
    out
}

/// The line ending the file uses: that of its first line (LF when it has none).
fn line_ending(bytes: &[u8]) -> &'static [u8] {
    match bytes.iter().position(|&b| b == b'\n') {
        Some(i) if i > 0 && bytes[i - 1] == b'\r' => b"\r\n",
        _ => b"\n",
    }
}

/// The physical line (terminator included) holding `offset`.
fn physical_line(file: &SourceFile, offset: usize) -> Range<usize> {
    let i = file.lines().line_index(offset);
    file.lines().line_start(i)..file.lines().line_start(i + 1)
}

/// Where and what to insert so that `text` becomes a line of its own after line `after`
/// (0-based), or at the end of the file when `after` is `None`.
fn insertion(file: &SourceFile, after: Option<usize>, text: &[u8]) -> Edit {
    let bytes = file.bytes();
    let eol = line_ending(bytes);
    let last_line = file.lines().line_index(bytes.len());
    let after = after.unwrap_or(last_line);
    let start = file.lines().line_start(after);
    let end = file.lines().line_start(after + 1);
    let line = &bytes[start..end];
    // Indent like the line it follows, when that is a directive line.
    let trimmed = line.trim_ascii_start();
    let indent = if !trimmed.is_empty() && trimmed[0] != b'#' {
        &line[..line.len() - trimmed.len()]
    } else {
        &[][..]
    };
    let mut content = indent.to_vec();
    content.extend_from_slice(text);
    if end == bytes.len() && !bytes.is_empty() && !bytes.ends_with(b"\n") {
        // The last line has no terminator: the new line goes after it, and keeps that shape.
        let mut with_break = eol.to_vec();
        with_break.extend(content);
        return Edit {
            range: end..end,
            content: with_break,
        };
    }
    content.extend_from_slice(eol);
    Edit {
        range: end..end,
        content,
    }
}

struct Builder<'a> {
    sources: &'a Sources,
    file: Option<FileId>,
    edits: Vec<Edit>,
    /// Why the plan cannot become edits (several files, a glued line ...).
    blocked: Option<&'static str>,
}

impl Builder<'_> {
    fn file_of(&mut self, span: &Span) -> bool {
        match self.file {
            Some(f) if f != span.file => {
                self.blocked = Some("it edits more than one file");
                false
            }
            _ => {
                self.file = Some(span.file);
                true
            }
        }
    }

    fn edit(&mut self, span: &Span, content: Vec<u8>) {
        if self.file_of(span) {
            self.edits.push(Edit {
                range: span.range.clone(),
                content,
            });
        }
    }

    fn change(&mut self, change: &Change) {
        match change {
            Change::Rewrite { line, values } => {
                let last = line.value_count().checked_sub(1);
                match (line.value_span(0), last.and_then(|i| line.value_span(i))) {
                    (Some(first), Some(last)) if first.file == last.file => {
                        let span = Span::new(first.file, first.range.start..last.range.end);
                        self.edit(&span, join_values(values));
                    }
                    (Some(_), Some(_)) => self.blocked = Some("the line spans two files"),
                    _ => {
                        // A line with no value written: put the values after the name.
                        let name = line.name();
                        let at = Span::new(name.file, name.range.end..line.line.range.end);
                        let mut content = b" ".to_vec();
                        content.extend(join_values(values));
                        self.edit(&at, content);
                    }
                }
            }
            Change::Insert { directive, values } => {
                let root = self.sources.get(FileId::ROOT);
                let after = layout::section_end(root, directive);
                let edit = insertion(root, after, &line_text(directive, values));
                self.edit(&Span::new(FileId::ROOT, edit.range.clone()), edit.content);
            }
            Change::Remove { line, delete } => {
                if *delete {
                    let file = self.sources.get(line.file);
                    let whole = physical_line(file, line.range.start);
                    if whole.end < line.range.end {
                        self.blocked = Some("the line is glued to the next one by a NUL byte");
                        return;
                    }
                    self.edit(&Span::new(line.file, whole), Vec::new());
                } else {
                    let at = Span::new(line.file, line.range.start..line.range.start);
                    self.edit(&at, b"# ".to_vec());
                }
            }
            Change::Rename { name, to } => self.edit(name, to.as_bytes().to_vec()),
            Change::RemoveToken { token, previous } => {
                if token.file != previous.file {
                    self.blocked = Some("the value and the one before it are in two files");
                    return;
                }
                let span = Span::new(token.file, previous.range.end..token.range.end);
                self.edit(&span, Vec::new());
            }
            Change::Append { line, words } => {
                let at = Span::new(line.file, line.range.end..line.range.end);
                let mut content = Vec::new();
                for w in words {
                    content.push(b' ');
                    content.extend(quote(w));
                }
                self.edit(&at, content);
            }
        }
    }
}

/// Turn a plan into a fix of one file. A plan that cannot be made into edits (it would edit
/// two files, or a line glued across files) stays advice and says why.
pub fn materialize(plan: &FixPlan, sources: &Sources, primary: Option<&Span>) -> Fix {
    let home = primary.map_or(FileId::ROOT, |s| s.file);
    let mut b = Builder {
        sources,
        file: None,
        edits: Vec::new(),
        blocked: None,
    };
    for change in &plan.changes {
        b.change(change);
    }
    if let Some(why) = b.blocked {
        return Fix::display_only(format!("{} (not applied: {why})", plan.title), home);
    }
    let mut edits = b.edits;
    // Insertions at one place keep the order of the plan.
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut merged: Vec<Edit> = Vec::new();
    for e in edits {
        match merged.last_mut() {
            Some(last) if last.range.is_empty() && e.range == last.range => {
                last.content.extend(e.content)
            }
            Some(last) if last.range.end > e.range.start => {
                return Fix::display_only(
                    format!("{} (not applied: its edits overlap)", plan.title),
                    home,
                );
            }
            _ => merged.push(e),
        }
    }
    if merged.is_empty() {
        return Fix::display_only(plan.title.clone(), home);
    }
    merged.shrink_to_fit();
    Fix {
        title: plan.title.clone(),
        applicability: plan.applicability,
        file: b.file.unwrap_or(home),
        edits: merged,
        keys: plan.keys.clone(),
        secret: plan.secret.clone(),
    }
}

/// Apply non-overlapping edits; every byte outside them is kept. Insertions at one place go
/// in the order given.
pub fn apply(bytes: &[u8], edits: &[&Edit]) -> Vec<u8> {
    let mut edits: Vec<&Edit> = edits.to_vec();
    // At one place, words added to a line (` -flushall`) go before a line added after it:
    // the other way round the words would land on the new line.
    edits.sort_by_key(|e| (e.range.start, e.range.end, !e.content.starts_with(b" ")));
    let mut out = Vec::with_capacity(bytes.len() + 64);
    let mut at = 0;
    for e in edits {
        let start = e.range.start.clamp(at, bytes.len());
        out.extend_from_slice(&bytes[at..start]);
        out.extend_from_slice(&e.content);
        at = e.range.end.clamp(start, bytes.len());
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(bytes: &[u8]) -> Sources {
        let mut s = Sources::default();
        s.add("redis.conf".into(), bytes.to_vec());
        s
    }

    fn insert_into(bytes: &[u8], directive: &str, values: &[&str]) -> Vec<u8> {
        let sources = file(bytes);
        let plan = FixPlan {
            title: "t".into(),
            applicability: crate::Applicability::Safe,
            changes: vec![Change::Insert {
                directive: directive.into(),
                values: values.iter().map(|v| v.as_bytes().to_vec()).collect(),
            }],
            keys: vec![],
            secret: None,
        };
        let fix = materialize(&plan, &sources, None);
        apply(bytes, &fix.edits.iter().collect::<Vec<_>>())
    }

    #[test]
    fn inserted_lines_keep_line_endings_and_the_missing_final_newline() {
        assert_eq!(insert_into(b"port 1\n", "hz", &["10"]), b"port 1\nhz 10\n");
        assert_eq!(
            insert_into(b"port 1\r\nbind x\r\n", "hz", &["10"]),
            b"port 1\r\nbind x\r\nhz 10\r\n"
        );
        assert_eq!(insert_into(b"port 1", "hz", &["10"]), b"port 1\nhz 10");
        assert_eq!(insert_into(b"", "hz", &["10"]), b"hz 10\n");
        // Values are quoted so that redis-server reads back the same bytes.
        assert_eq!(
            insert_into(b"port 1\n", "rename-command", &["CONFIG", ""]),
            b"port 1\nrename-command CONFIG \"\"\n"
        );
    }

    #[test]
    fn a_missing_directive_goes_to_the_end_of_its_section() {
        let conf = b"# head\n\
################################## NETWORK #####################################\n\
\tbind 127.0.0.1\n\
# protected-mode yes\n\
\n\
################################## SECURITY ####################################\n\
# requirepass foobared\n";
        let fixed = insert_into(conf, "port", &["6380"]);
        let text = String::from_utf8(fixed).unwrap();
        assert!(
            text.contains("# protected-mode yes\nport 6380\n\n####"),
            "{text}"
        );
        let fixed = insert_into(conf, "requirepass", &["x"]);
        assert!(fixed.ends_with(b"# requirepass foobared\nrequirepass x\n"));
    }

    #[test]
    fn words_added_to_the_last_line_go_before_a_new_line() {
        let bytes = b"user default on";
        let line = Edit {
            range: 15..15,
            content: b"\nhz 10".to_vec(),
        };
        let words = Edit {
            range: 15..15,
            content: b" -flushall".to_vec(),
        };
        assert_eq!(
            apply(bytes, &[&line, &words]),
            b"user default on -flushall\nhz 10"
        );
    }

    #[test]
    fn apply_keeps_every_byte_outside_the_edits() {
        let bytes = b"abcdef";
        let e1 = Edit {
            range: 1..2,
            content: b"X".to_vec(),
        };
        let e2 = Edit {
            range: 4..4,
            content: b"YY".to_vec(),
        };
        assert_eq!(apply(bytes, &[&e2, &e1]), b"aXcdYYef");
    }
}
