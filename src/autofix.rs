//! `--fix`: apply fixes until none applies, prove the result still loads, and write it atomically.
//!
//! Each pass collects the fixes at or above the threshold, sorts them by position and sweeps,
//! skipping a fix that overlaps or touches one already taken, or shares a directive with it (it
//! goes in the next pass, which sees the first one's result). The files are re-read (edited
//! included files through the reader's overlay) and re-checked after every pass. A fix that would
//! make redis-server reject the config, or fixes that do not settle within a few passes, are an
//! internal error: nothing is written, and the error names the fix.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::linter::{Error, FileReport, lint_bytes};
use crate::ruleset::RuleSet;
use crate::semantic::CheckOptions;
use crate::settings::LintSettings;
use crate::source::{FileId, Span};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Passes before giving up: each pass applies every fix that does not collide.
const MAX_PASSES: usize = 12;

/// Why fixing stopped without a result.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Check(#[from] Error),
    /// redis-server rejects the file as it is: fixes are not applied to it.
    #[error(
        "not fixing {path}: redis-server rejects it ({first}); correct the invalid lines first"
    )]
    Invalid { path: PathBuf, first: String },
    /// The file is in another format, named like a config: it is never fixed.
    #[error("not fixing {path}: it is not a Redis config")]
    NotAConfig { path: PathBuf },
    #[error(
        "internal error: fixes of {path} did not settle after {MAX_PASSES} passes; nothing was written"
    )]
    NotConverging { path: PathBuf },
    /// A fix would make redis-server reject the config.
    #[error(
        "internal error: the fix `{fix}` would make redis-server reject {path} ({invalid}); nothing was written"
    )]
    BreaksConfig {
        path: PathBuf,
        fix: String,
        invalid: String,
    },
}

/// Why a fixed file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: not writable; nothing was written")]
    NotWritable { path: PathBuf },
    #[error("{path}: changed on disk since it was read; nothing was written")]
    Changed { path: PathBuf },
    #[error("{path}: {message}; nothing was written")]
    Io { path: PathBuf, message: String },
}

/// One file before and after fixing.
#[derive(Debug, Clone)]
pub struct FixedFile {
    pub path: PathBuf,
    pub original: Vec<u8>,
    pub fixed: Vec<u8>,
    /// Secret spans of each version, for masked diffs.
    pub original_secrets: Vec<std::ops::Range<usize>>,
    pub fixed_secrets: Vec<std::ops::Range<usize>>,
}

/// A secret a fix wrote, and where it is now.
#[derive(Debug, Clone)]
pub struct Placed {
    pub what: String,
    pub path: PathBuf,
    pub line: usize,
}

/// The result of fixing one checked file (and the files it includes).
#[derive(Debug)]
pub struct Fixed {
    /// Files whose bytes changed.
    pub files: Vec<FixedFile>,
    pub applied: usize,
    pub unsafe_applied: usize,
    /// The check of the fixed files: what is left.
    pub report: FileReport,
    /// Secrets the fixes wrote (generated passwords): where they are, never what.
    pub secrets: Vec<Placed>,
}

/// What to fix and how far.
pub struct FixRequest<'a> {
    pub path: &'a Path,
    pub bytes: &'a [u8],
    pub options: &'a CheckOptions,
    pub settings: &'a LintSettings,
    pub rules: &'a RuleSet,
    /// `Safe` for `--fix`, `Unsafe` with `--unsafe-fixes`.
    pub threshold: Applicability,
    /// Only edit the checked file itself (standard input: included files stay as they are).
    pub root_only: bool,
}

/// The bytes of every file the check read, by path, as edited so far.
struct Workspace {
    root: PathBuf,
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl Workspace {
    fn lint(&self, req: &FixRequest) -> Result<FileReport, Error> {
        let mut overlay = (*req.options.overlay).clone();
        for (path, bytes) in &self.files {
            if *path != self.root {
                overlay.insert(path.clone(), bytes.clone());
            }
        }
        // The original decides what kind of file this is; fixing does not change it.
        let options = CheckOptions {
            overlay: Arc::new(overlay),
            sentinel: Some(
                req.options
                    .sentinel
                    .unwrap_or_else(|| crate::semantic::detect::is_sentinel(req.path, req.bytes)),
            ),
            template: Some(
                req.options
                    .template
                    .unwrap_or_else(|| crate::semantic::detect::is_template(req.path, req.bytes)),
            ),
            ..req.options.clone()
        };
        lint_bytes(
            &self.root,
            self.files[&self.root].as_slice(),
            &options,
            req.settings,
            req.rules,
        )
    }

    /// Apply fixes (edits of files of `report`); returns how many were applied.
    fn apply(&mut self, report: &FileReport, fixes: &[&Fix]) {
        let mut by_file: BTreeMap<FileId, Vec<&Edit>> = BTreeMap::new();
        for fix in fixes {
            by_file
                .entry(fix.file)
                .or_default()
                .extend(fix.edits.iter());
        }
        for (file, edits) in by_file {
            let source = report.sources.get(file);
            let fixed = crate::fix::apply(source.bytes(), &edits);
            self.files.insert(source.path.clone(), fixed);
        }
    }
}

/// Pick the fixes of one pass: sorted by position, no two overlapping or touching in one file,
/// no two changing the same directive.
fn sweep<'a>(candidates: &[&'a Diagnostic]) -> Vec<&'a Diagnostic> {
    let mut sorted: Vec<&Diagnostic> = candidates.to_vec();
    // Fixes that write a new secret go first: a fix sharing a directive with one (say, moving
    // the password to a `user default` line) then works on the new password, not the old.
    sorted.sort_by_key(|d| {
        let fix = d.fix.as_ref().expect("candidates have fixes");
        (
            fix.secret.is_none(),
            fix.file,
            fix.edits.first().map_or(0, |e| e.range.start),
        )
    });
    let mut taken: Vec<&Diagnostic> = Vec::new();
    let mut spans: Vec<(FileId, std::ops::Range<usize>)> = Vec::new();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for d in sorted {
        let fix = d.fix.as_ref().expect("candidates have fixes");
        // Touching counts as overlapping, except two insertions at one place: they go in
        // sweep order.
        let collides = fix.edits.iter().any(|e| {
            spans.iter().any(|(f, r)| {
                *f == fix.file
                    && e.range.start <= r.end
                    && r.start <= e.range.end
                    && !(e.range.is_empty() && r.is_empty())
            })
        }) || fix.keys.iter().any(|k| keys.contains(k));
        if collides {
            continue;
        }
        spans.extend(fix.edits.iter().map(|e| (fix.file, e.range.clone())));
        keys.extend(fix.keys.iter().cloned());
        taken.push(d);
    }
    taken
}

/// Fix one file: apply fixes pass by pass until none applies. Nothing is written here.
pub fn fix(req: &FixRequest) -> Result<Fixed, FixError> {
    let mut ws = Workspace {
        root: req.path.to_path_buf(),
        files: BTreeMap::new(),
    };
    ws.files.insert(ws.root.clone(), req.bytes.to_vec());
    let first = ws.lint(req)?;
    if first.not_a_config {
        return Err(FixError::NotAConfig {
            path: req.path.to_path_buf(),
        });
    }
    if let Some(d) = first.first_invalid() {
        return Err(FixError::Invalid {
            path: req.path.to_path_buf(),
            first: format!("line {}: {}", first.line(d), d.rule),
        });
    }
    let originals: BTreeMap<PathBuf, (Vec<u8>, Vec<std::ops::Range<usize>>)> = first
        .sources
        .iter()
        .map(|(id, f)| {
            let secrets = first
                .secrets
                .iter()
                .filter(|s| s.file == id)
                .map(|s| s.range.clone())
                .collect();
            (f.path.clone(), (f.bytes().to_vec(), secrets))
        })
        .collect();
    let mut report = first;
    let mut applied = 0;
    let mut unsafe_applied = 0;
    let mut written_secrets: Vec<crate::diagnostic::WrittenSecret> = Vec::new();
    let applicable = |report: &FileReport| {
        report
            .diagnostics
            .iter()
            .filter(|d| {
                d.fix.as_ref().is_some_and(|f| {
                    f.applies(req.threshold) && (!req.root_only || f.file == FileId::ROOT)
                })
            })
            .cloned()
            .collect::<Vec<Diagnostic>>()
    };
    let mut passes = 0;
    loop {
        let candidates = applicable(&report);
        if candidates.is_empty() {
            break;
        }
        passes += 1;
        if passes > MAX_PASSES {
            return Err(FixError::NotConverging {
                path: req.path.to_path_buf(),
            });
        }
        let refs: Vec<&Diagnostic> = candidates.iter().collect();
        let taken = sweep(&refs);
        let before = ws.files.clone();
        let fixes: Vec<&Fix> = taken.iter().filter_map(|d| d.fix.as_ref()).collect();
        ws.apply(&report, &fixes);
        let next = ws.lint(req)?;
        if let Some(broken) = next.first_invalid() {
            // Name the fix that breaks the config: try this pass's fixes one at a time.
            let mut culprit = taken[0];
            for d in &taken {
                ws.files = before.clone();
                ws.apply(&report, &[d.fix.as_ref().expect("taken fixes exist")]);
                if ws.lint(req)?.first_invalid().is_some() {
                    culprit = d;
                    break;
                }
            }
            return Err(FixError::BreaksConfig {
                path: req.path.to_path_buf(),
                fix: format!(
                    "{}: {}",
                    culprit.rule,
                    culprit.fix.as_ref().map_or("", |f| f.title.as_str())
                ),
                invalid: format!("{} {}", broken.rule, broken.message),
            });
        }
        for d in taken {
            let fix = d.fix.as_ref().expect("kept fixes exist");
            applied += 1;
            if fix.applicability == Applicability::Unsafe {
                unsafe_applied += 1;
            }
            if let Some(s) = &fix.secret {
                written_secrets.push(s.clone());
            }
        }
        report = next;
    }
    let old_secret_values: Vec<Vec<u8>> = originals
        .values()
        .flat_map(|(bytes, spans)| secret_values(bytes, spans))
        .collect();
    let mut files = Vec::new();
    for (id, source) in report.sources.iter() {
        let Some((original, original_secrets)) = originals.get(&source.path) else {
            continue;
        };
        if original.as_slice() != source.bytes() {
            files.push(FixedFile {
                path: source.path.clone(),
                original: original.clone(),
                fixed: source.bytes().to_vec(),
                original_secrets: original_secrets.clone(),
                fixed_secrets: {
                    let mut spans: Vec<std::ops::Range<usize>> = report
                        .secrets
                        .iter()
                        .filter(|s: &&Span| s.file == id)
                        .map(|s| s.range.clone())
                        .collect();
                    // A replaced password is still a secret where it is left (a comment,
                    // a token of a line).
                    spans.extend(repeated_secrets(source.bytes(), &old_secret_values));
                    spans
                },
            });
        }
    }
    // Where each written secret ended up (a later fix may have moved it).
    let secrets = written_secrets
        .iter()
        .filter_map(|s| {
            report.sources.iter().find_map(|(_, f)| {
                let at = f
                    .bytes()
                    .windows(s.value.len())
                    .position(|w| w == s.value)?;
                Some(Placed {
                    what: s.what.clone(),
                    path: f.path.clone(),
                    line: f.line_col(at).0,
                })
            })
        })
        .collect();
    Ok(Fixed {
        files,
        applied,
        unsafe_applied,
        report,
        secrets,
    })
}

/// Write the fixed files atomically: each through a temporary file in its directory, synced,
/// renamed over the original (through a symlink, onto its target), with the original's mode and
/// owner. Every file is checked first (writable, unchanged on disk), so a refusal writes nothing.
pub fn write(fixed: &Fixed) -> Result<(), WriteError> {
    let mut targets = Vec::new();
    for file in &fixed.files {
        let io = |e: std::io::Error| WriteError::Io {
            path: file.path.clone(),
            message: e.to_string(),
        };
        let target = std::fs::canonicalize(&file.path).map_err(io)?;
        let meta = std::fs::metadata(&target).map_err(io)?;
        if meta.permissions().readonly() {
            return Err(WriteError::NotWritable {
                path: file.path.clone(),
            });
        }
        let now = std::fs::read(&target).map_err(io)?;
        if now != file.original {
            return Err(WriteError::Changed {
                path: file.path.clone(),
            });
        }
        targets.push((file, target, meta));
    }
    for (file, target, meta) in targets {
        let io = |e: std::io::Error| WriteError::Io {
            path: file.path.clone(),
            message: e.to_string(),
        };
        let dir = target.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(".redlint-")
            .tempfile_in(dir)
            .map_err(io)?;
        tmp.write_all(&file.fixed).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(io)?;
        keep_owner(tmp.path(), &meta);
        tmp.persist(&target).map_err(|e| io(e.error))?;
    }
    Ok(())
}

#[cfg(unix)]
fn keep_owner(path: &Path, meta: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    // Only root may give a file away; for anyone else the owner is already theirs.
    let _ = std::os::unix::fs::chown(path, Some(meta.uid()), Some(meta.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_: &Path, _: &std::fs::Metadata) {}

/// `bytes` with the given ranges replaced by a fixed-width mask.
fn masked(bytes: &[u8], secrets: &[std::ops::Range<usize>]) -> String {
    let mut ranges: Vec<&std::ops::Range<usize>> = secrets.iter().collect();
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for r in ranges {
        if r.end > bytes.len() || r.end <= at {
            continue;
        }
        // Overlapping ranges (a token inside a masked comment) make one mask.
        if r.start < at {
            at = r.end;
            continue;
        }
        out.extend_from_slice(&bytes[at..r.start]);
        out.extend_from_slice(b"********");
        at = r.end;
    }
    out.extend_from_slice(&bytes[at..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// Where the secret `values` appear in `bytes` outside the spans the check gave: whole tokens
/// of directive lines (a master named like its password: `sentinel auth-pass master master`),
/// and anywhere in a comment. Both sides of a diff are masked with the same values this way,
/// so a line no fix touched reads the same on both and is not shown as changed.
fn repeated_secrets(bytes: &[u8], values: &[Vec<u8>]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    // Tokens as either tokenizer reads them (Valkey 9.0 joins `"a"b`): masking too much is safe.
    for quoting in [
        crate::syntax::Quoting::Strict,
        crate::syntax::Quoting::Joining,
    ] {
        let tree = crate::syntax::parse_with(bytes, quoting);
        for line in &tree.lines {
            match line.kind {
                crate::syntax::LineKind::Comment => {
                    if quoting == crate::syntax::Quoting::Joining {
                        continue;
                    }
                    let at = line.content().start;
                    out.extend(
                        crate::semantic::secrets::repeated(&bytes[line.content()], values)
                            .into_iter()
                            .map(|r| at + r.start..at + r.end),
                    );
                }
                _ => {
                    for token in tree.tokens(line) {
                        let value = token.value(bytes);
                        if values
                            .iter()
                            .any(|v| !v.is_empty() && v.as_slice() == value.as_ref())
                        {
                            out.push(token.span());
                        }
                    }
                }
            }
        }
    }
    out
}

/// The secret values of a file's spans (without `>` and quotes).
fn secret_values(bytes: &[u8], spans: &[std::ops::Range<usize>]) -> Vec<Vec<u8>> {
    spans
        .iter()
        .filter_map(|r| Some(crate::semantic::secrets::value_of(bytes.get(r.clone())?).to_vec()))
        .collect()
}

/// A unified diff of every fixed file; secrets masked unless `show_secrets`.
pub fn diff(fixed: &Fixed, show_secrets: bool) -> String {
    let mut out = String::new();
    for f in &fixed.files {
        let name = f.path.display().to_string();
        // git's a/ b/ prefixes for relative paths (`patch -p1` applies them); absolute as is.
        let (a, b) = if f.path.is_absolute() {
            (name.clone(), name)
        } else {
            (format!("a/{name}"), format!("b/{name}"))
        };
        let old = String::from_utf8_lossy(&f.original).into_owned();
        let new = String::from_utf8_lossy(&f.fixed).into_owned();
        if show_secrets {
            let text = similar::TextDiff::from_lines(&old, &new)
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string();
            out.push_str(&text);
            if !text.is_empty() && !text.ends_with('\n') {
                out.push('\n');
            }
            continue;
        }
        // Which lines changed is decided on the real text (a rotated password is a change);
        // what is printed of each line is its masked form.
        let mut values = secret_values(&f.original, &f.original_secrets);
        values.extend(secret_values(&f.fixed, &f.fixed_secrets));
        values.sort();
        values.dedup();
        let side = |bytes: &[u8], spans: &[std::ops::Range<usize>]| {
            let mut all = spans.to_vec();
            all.extend(repeated_secrets(bytes, &values));
            masked(bytes, &all)
        };
        let old_masked = side(&f.original, &f.original_secrets);
        let new_masked = side(&f.fixed, &f.fixed_secrets);
        let old_lines: Vec<&str> = old_masked.split_inclusive('\n').collect();
        let new_lines: Vec<&str> = new_masked.split_inclusive('\n').collect();
        let diff = similar::TextDiff::from_lines(&old, &new);
        let hunks = diff.grouped_ops(3);
        if hunks.is_empty() {
            continue;
        }
        let _ = writeln!(out, "--- {a}\n+++ {b}");
        for ops in hunks {
            let _ = writeln!(out, "{}", similar::udiff::UnifiedHunkHeader::new(&ops));
            for op in &ops {
                for change in diff.iter_changes(op) {
                    let (sign, line) = match change.tag() {
                        similar::ChangeTag::Equal => {
                            (' ', change.old_index().map(|i| old_lines[i]))
                        }
                        similar::ChangeTag::Delete => {
                            ('-', change.old_index().map(|i| old_lines[i]))
                        }
                        similar::ChangeTag::Insert => {
                            ('+', change.new_index().map(|i| new_lines[i]))
                        }
                    };
                    let line = line.unwrap_or_default();
                    out.push(sign);
                    out.push_str(line);
                    if !line.ends_with('\n') {
                        out.push_str("\n\\ No newline at end of file\n");
                    }
                }
            }
        }
    }
    out
}
