//! Host files: each config a Compose file, Dockerfile, manifest or Helm values file holds is
//! checked as a config, and its findings, secrets and fixes are mapped back to the host's
//! own bytes.

use super::config::lint_config;
use super::report::{Error, FileReport};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::embedded::map::{HostFile, OwnerKind, translate};
use crate::embedded::{self, Embedded, HostKind};
use crate::ruleset::{RuleSet, selector_matches};
use crate::semantic::CheckOptions;
use crate::settings::LintSettings;
use crate::source::{FileId, Sources, Span};
use crate::suppress::Directive;
use std::path::Path;

/// A config file a host's command line names, read as an included file is (a regular file
/// outside `/proc` and `/sys`, bounded while reading); the fixer's edits first.
fn read_followed(options: &CheckOptions, path: &Path) -> Option<Vec<u8>> {
    if let Some(bytes) = options.overlay.get(path) {
        return Some(bytes.clone());
    }
    crate::semantic::files::read_config(path, crate::semantic::files::MAX_FILE_BYTES).ok()
}

pub(super) fn lint_host(
    path: &Path,
    bytes: Vec<u8>,
    kind: HostKind,
    options: &CheckOptions,
    settings: &LintSettings,
    rules: &RuleSet,
) -> Result<FileReport, Error> {
    let read = |p: &Path| read_followed(options, p);
    let found = embedded::extract(kind, path, &bytes, options.target, &read).map_err(|error| {
        Error::Host {
            path: path.to_path_buf(),
            error,
        }
    })?;
    let mut report = FileReport {
        path: path.to_path_buf(),
        diagnostics: Vec::new(),
        sources: Sources::default(),
        secrets: Vec::new(),
        sentinel: false,
        server: None,
        not_a_config: false,
        views: Vec::new(),
        notes: Vec::new(),
    };
    report.sources.add(path.to_path_buf(), bytes);
    for e in &found {
        check_one(e, path, options, settings, rules, &mut report)?;
    }
    if !settings.no_suppress {
        host_suppressions(&mut report);
    }
    // Two configs of one host may share lines (a chart's common configuration).
    let mut seen = std::collections::HashSet::new();
    report.diagnostics.retain(|d| {
        seen.insert((
            d.rule.clone(),
            d.primary.as_ref().map(|s| (s.file, s.range.clone())),
            d.message.clone(),
        ))
    });
    Ok(report)
}

fn check_one(
    e: &Embedded,
    path: &Path,
    options: &CheckOptions,
    settings: &LintSettings,
    rules: &RuleSet,
    report: &mut FileReport,
) -> Result<(), Error> {
    let mut opts = options.clone();
    if !options.target_given
        && let Some(v) = e.version
    {
        opts.target = v;
        if let Some(note) = &e.version_note {
            report.notes.push(note.clone());
        }
    }
    opts.sentinel = Some(e.sentinel);
    opts.template = Some(e.template || options.template == Some(true));
    // Other containers reach it through the container network: a fix must not bind it to
    // loopback.
    let mut own_settings = settings.clone();
    let hints = &mut own_settings.deployment;
    if hints.external_password.is_none() {
        hints.external_password = e.external_password.clone();
    }
    hints
        .remote
        .get_or_insert_with(|| format!("it runs in a container ({})", e.label));
    let settings = &own_settings;
    if let Some(file) = &e.unread_file {
        report.notes.push(format!(
            "{}: {} reads {file}, which is not in the repository: only its arguments are judged",
            path.display(),
            e.label
        ));
    }
    let inner = lint_config(path, e.traced.text.clone(), &opts, settings, rules)?;
    report.sentinel |= inner.sentinel;
    let followed = e
        .followed
        .as_ref()
        .map(|(p, b)| report.sources.add(p.clone(), b.clone()));
    // The inner check's files: its root is the text, the rest (includes) are files of their own.
    let mut ids = vec![FileId::ROOT];
    for (_, f) in inner.sources.iter().skip(1) {
        ids.push(report.sources.add(f.path.clone(), f.bytes().to_vec()));
    }
    let mapper = Mapper {
        e,
        followed,
        ids: &ids,
    };
    for mut d in inner.diagnostics {
        let on_text = d.primary.as_ref().filter(|s| s.file == FileId::ROOT);
        let on_added = on_text.is_some_and(|s| {
            e.traced
                .owner_of(s.range.start)
                .is_some_and(|o| o.kind == OwnerKind::Added)
        });
        // What an image sets is a compiled default, not a line: setting it again overrides
        // nothing written.
        if on_added && d.rule == "correctness/overridden-directive" {
            continue;
        }
        if e.unread_file.is_some() && !d.is_invalid() {
            // The named config file is not here: only what the arguments say is judged.
            let in_args = on_text.is_some_and(|s| {
                e.traced
                    .owner_of(s.range.start)
                    .is_some_and(|o| matches!(o.kind, OwnerKind::Arg { .. }))
            });
            if !in_args {
                continue;
            }
        }
        let notes: Vec<String> = on_text
            .map(|s| e.traced.notes(s.range.clone()))
            .unwrap_or_default()
            .into_iter()
            .map(str::to_string)
            .collect();
        d.primary = Some(match &d.primary {
            Some(s) => mapper.span(s),
            None => Span::new(FileId::ROOT, e.anchor.clone()),
        });
        if !notes.is_empty() {
            let mut help = d.help.take().unwrap_or_default();
            for n in notes {
                if !help.is_empty() {
                    help.push('\n');
                }
                help.push_str(&format!("{n} ({})", e.label));
            }
            d.help = Some(help);
        }
        d.fix = d.fix.take().map(|f| mapper.fix(f));
        report.diagnostics.push(d);
    }
    report
        .secrets
        .extend(inner.secrets.iter().map(|s| mapper.span(s)));
    Ok(())
}

/// Spans and fixes of one embedded config's check, moved to the host's files.
struct Mapper<'a> {
    e: &'a Embedded,
    followed: Option<FileId>,
    ids: &'a [FileId],
}

impl Mapper<'_> {
    fn host_id(&self, file: HostFile) -> FileId {
        match file {
            HostFile::Main => FileId::ROOT,
            HostFile::Followed => self.followed.unwrap_or(FileId::ROOT),
        }
    }

    fn span(&self, span: &Span) -> Span {
        if span.file != FileId::ROOT {
            return Span::new(self.ids[span.file.index()], span.range.clone());
        }
        match self.e.traced.to_host(span.range.clone()) {
            Some(h) => Span::new(self.host_id(h.file), h.range),
            None => Span::new(FileId::ROOT, self.e.anchor.clone()),
        }
    }

    fn fix(&self, fix: Fix) -> Fix {
        if fix.file != FileId::ROOT {
            return Fix {
                file: self.ids[fix.file.index()],
                ..fix
            };
        }
        if fix.edits.is_empty() {
            return fix;
        }
        let mut edits = Vec::new();
        let mut file = None;
        for edit in &fix.edits {
            let host = translate(
                &self.e.traced,
                edit.range.clone(),
                &edit.content,
                self.e.appender.as_ref(),
            );
            match host {
                Ok(host) => {
                    for h in host {
                        if file.is_some_and(|f| f != h.file) {
                            return display_only(fix, "it edits two files".into());
                        }
                        file = Some(h.file);
                        edits.push(Edit {
                            range: h.range,
                            content: h.content,
                        });
                    }
                }
                Err(why) => return display_only(fix, why),
            }
        }
        edits.sort_by_key(|e| e.range.start);
        let mut keys = fix.keys.clone();
        if let Some(at) = self.e.appender.as_ref().and_then(|a| a.creates_at())
            && edits.iter().any(|e| e.range == (at..at))
        {
            // One new command line a pass: the next pass adds to it.
            keys.push("embedded command line".into());
        }
        Fix {
            file: self.host_id(file.unwrap_or(HostFile::Main)),
            edits,
            keys,
            ..fix
        }
    }
}

fn display_only(fix: Fix, why: String) -> Fix {
    Fix {
        title: format!("{} (by hand: {why})", fix.title),
        applicability: Applicability::DisplayOnly,
        edits: Vec::new(),
        secret: None,
        ..fix
    }
}

/// Suppression comments written as comments of the host (a YAML or Dockerfile comment line):
/// `# redlint: disable-next-line ID…` silences the next line's findings, `disable-file` the
/// file's.
fn host_suppressions(report: &mut FileReport) {
    let host = report.sources.get(FileId::ROOT);
    let bytes = host.bytes();
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let mut rules: Vec<(Option<usize>, Vec<String>)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((kind, ids)) = crate::suppress::directive(line.trim_ascii()) else {
            continue;
        };
        let target = match kind {
            Directive::File => None,
            // The next line that is not blank or a comment (1-based).
            Directive::NextLine => match (i + 1..lines.len()).find(|&j| {
                let t = lines[j].trim_ascii();
                !t.is_empty() && !t.starts_with(b"#")
            }) {
                Some(j) => Some(j + 1),
                None => continue,
            },
        };
        rules.push((target, ids.into_iter().map(|(id, _)| id).collect()));
    }
    if rules.is_empty() {
        return;
    }
    let sources = &report.sources;
    report.diagnostics.retain(|d| {
        let Some(span) = d.primary.as_ref().filter(|s| s.file == FileId::ROOT) else {
            return true;
        };
        let line = sources.get(FileId::ROOT).line_col(span.range.start).0;
        !rules.iter().any(|(target, ids)| {
            target.is_none_or(|t| t == line) && ids.iter().any(|id| selector_matches(id, &d.rule))
        })
    });
}
