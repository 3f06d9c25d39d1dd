//! The interface every output format implements, and what they share: counts, and fixes as they
//! may be shown (secrets masked).

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::linter::FileReport;
use crate::source::{Location, Span};
use std::io::{self, Write};

/// Writes the findings of a run in one format.
pub trait Reporter: Sync {
    /// The writer of one run: each checked file is handed to it as soon as it is checked.
    fn stream(&self) -> Box<dyn FileStream + '_>;

    /// Write everything about `reports` (one per checked file, in the order given).
    fn report(&self, reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
        let mut stream = self.stream();
        for report in reports {
            stream.file(report, None, out)?;
        }
        stream.finish(out)
    }

    /// The text of one file's findings, made on the thread that checked the file so that only
    /// writing is left in order (handed to [`FileStream::file`]); `None` for formats that
    /// write otherwise.
    fn render_file(&self, _report: &FileReport) -> Option<String> {
        None
    }
}

/// A run's output written file by file: [`FileStream::file`] once per checked file, in
/// order, then [`FileStream::finish`].
pub trait FileStream {
    /// One checked file; `rendered` is what [`Reporter::render_file`] made of it, when it was
    /// made already.
    fn file(
        &mut self,
        report: &FileReport,
        rendered: Option<String>,
        out: &mut dyn Write,
    ) -> io::Result<()>;
    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()>;
}

/// The stream of a format made of lines: each file's text as it comes, nothing at the end.
pub struct LineStream(pub fn(&FileReport, &mut dyn Write) -> io::Result<()>);

impl FileStream for LineStream {
    fn file(
        &mut self,
        report: &FileReport,
        rendered: Option<String>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        match rendered {
            Some(text) => out.write_all(text.as_bytes()),
            None => (self.0)(report, out),
        }
    }

    fn finish(&mut self, _: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// How many findings of each severity a run has, and how many `--fix` would fix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings with a safe fix (`--fix`).
    pub fixable: usize,
    /// Findings with an unsafe fix (`--fix --unsafe-fixes`).
    pub unsafe_fixable: usize,
}

impl Counts {
    pub fn of(reports: &[FileReport]) -> Counts {
        let mut c = Counts::default();
        for r in reports {
            c.add(r);
        }
        c
    }

    /// Count the findings of one more file.
    pub fn add(&mut self, report: &FileReport) {
        for d in &report.diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
            match d.fix.as_ref() {
                Some(f) if f.applies(Applicability::Safe) => self.fixable += 1,
                Some(f) if f.applies(Applicability::Unsafe) => self.unsafe_fixable += 1,
                _ => {}
            }
        }
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// The fixed-width mask shown in place of a secret: it does not tell the secret's length.
pub const MASK: &str = "********";

/// One edit as it may be shown: where, and the new text with secrets masked.
pub struct ShownEdit {
    pub start: Location,
    pub end: Location,
    pub content: String,
}

/// The secret values of a report as written, worked out once per report: an edit's new text
/// may hold them. One automaton finds them all in one pass over a text.
pub struct SecretTexts(Option<aho_corasick::AhoCorasick>);

impl SecretTexts {
    pub fn of(report: &FileReport) -> SecretTexts {
        SecretTexts::new(secret_texts(report))
    }

    fn new(secrets: Vec<Vec<u8>>) -> SecretTexts {
        if secrets.is_empty() {
            return SecretTexts(None);
        }
        // Leftmost-longest: `>password` as written wins over the bare `password` inside it.
        let automaton = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&secrets)
            .expect("secret texts make an automaton");
        SecretTexts(Some(automaton))
    }

    /// `text` with every secret replaced by the mask.
    fn mask(&self, text: &[u8]) -> Vec<u8> {
        match &self.0 {
            None => text.to_vec(),
            Some(automaton) => {
                let mut out = Vec::with_capacity(text.len());
                automaton.replace_all_with_bytes(text, &mut out, |_, _, out| {
                    out.extend_from_slice(MASK.as_bytes());
                    true
                });
                out
            }
        }
    }
}

fn secret_texts(report: &FileReport) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = report
        .secrets
        .iter()
        .map(|s| {
            let bytes = report.sources.get(s.file).bytes();
            bytes[s.range.start.min(bytes.len())..s.range.end.min(bytes.len())].to_vec()
        })
        .flat_map(|raw| {
            // As written (`>password` on a user line), and the bare value.
            let value = crate::semantic::secrets::value_of(&raw).to_vec();
            [raw, value]
        })
        .filter(|t| t.len() >= 3)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The edits of a fix, located and masked (the report's secrets and the one the fix
/// generates), for machine formats.
pub fn shown_edits(report: &FileReport, fix: &Fix, known: &SecretTexts) -> Vec<ShownEdit> {
    if fix.edits.is_empty() {
        return Vec::new();
    }
    // The secret the fix generates, then the ones the report knows.
    let generated = SecretTexts::new(fix.secret.iter().map(|s| s.value.clone()).collect());
    fix.edits
        .iter()
        .map(|e: &Edit| {
            let start = report
                .sources
                .locate(Some(&Span::new(fix.file, e.range.start..e.range.start)));
            let end = report
                .sources
                .locate(Some(&Span::new(fix.file, e.range.end..e.range.end)));
            ShownEdit {
                start,
                end,
                content: String::from_utf8_lossy(&known.mask(&generated.mask(&e.content)))
                    .into_owned(),
            }
        })
        .collect()
}

/// The source line a diagnostic starts on, secrets masked (for fingerprints and snippets).
pub fn masked_line(report: &FileReport, d: &Diagnostic) -> String {
    if report.is_server_only() {
        // What stands for the line on a server: the parameter.
        return d.parameter.clone().unwrap_or_default();
    }
    let at = report.location(d);
    let file = d.primary.as_ref().map_or(crate::FileId::ROOT, |s| s.file);
    let lines = report.sources.get(file).lines();
    let start = lines.line_start(at.line - 1);
    let end = lines.line_start(at.line);
    String::from_utf8_lossy(&report.masked_range(file, start..end))
        .trim_end()
        .to_string()
}

/// The severity word of a diagnostic.
pub fn level(d: &Diagnostic) -> &'static str {
    d.severity.as_str()
}

/// What a line format's `write_file` writes for one file, as text.
pub(super) fn rendered(
    report: &FileReport,
    write_file: fn(&FileReport, &mut dyn Write) -> io::Result<()>,
) -> Option<String> {
    let mut text = Vec::new();
    write_file(report, &mut text).ok()?;
    String::from_utf8(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_whole_wherever_they_are() {
        let known = SecretTexts::new(vec![
            b">hunter22".to_vec(),
            b"hunter22".to_vec(),
            b"abc".to_vec(),
        ]);
        let masked = known.mask(b"user a on >hunter22 ~* +@all\nrequirepass hunter22abc\n");
        assert_eq!(
            String::from_utf8(masked).unwrap(),
            format!("user a on {MASK} ~* +@all\nrequirepass {MASK}{MASK}\n")
        );
        assert_eq!(SecretTexts::new(Vec::new()).mask(b"plain"), b"plain");
    }
}
