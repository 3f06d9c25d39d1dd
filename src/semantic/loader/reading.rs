//! Reading units the way redis-server does: the checked file, each `include` (a glob include in
//! 7.0+ is one unit of all its matches), `dir` as it changes the working directory, and the
//! `aclfile`. Here live the limits that keep one check bounded (nesting depth, files, bytes,
//! `--include-root`) and the overlay (contents read instead of the files on disk).

use super::state::{LineCounts, Loader};
use crate::checks::Check;
use crate::semantic::arglist::ArgList;
use crate::semantic::view::ServerView;
use crate::semantic::{detect, secrets, values};
use crate::source::{FileId, Span};
use crate::syntax::{self, LineKind};
use crate::version::Family;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Nesting limit for `include`: redis-server recurses until its stack overflows, which takes
/// far more than any real config nests (1 000 levels load fine).
const MAX_INCLUDE_DEPTH: usize = 1_024;

impl Loader {
    /// Keep a file read from disk, and its syntax tree.
    pub(super) fn add_file(&mut self, path: PathBuf, bytes: Vec<u8>) -> FileId {
        let bytes = std::sync::Arc::new(bytes);
        let quoting = self.catalog.version.quoting();
        self.trees
            .push(syntax::parse_shared(bytes.clone(), quoting));
        self.sources.add(path, bytes)
    }

    /// Read one parse unit: a file, or the matches of a glob include read as one buffer.
    pub(super) fn read_unit(&mut self, files: &[FileId]) {
        let pieces: Vec<(FileId, &[u8])> = files
            .iter()
            .map(|&f| (f, self.sources.get(f).bytes()))
            .collect();
        let view = ServerView::build(&pieces, self.catalog.version.quoting());
        let nuls: Vec<Span> = pieces
            .iter()
            .filter_map(|(f, b)| {
                b.iter()
                    .position(|&x| x == 0)
                    .map(|p| Span::new(*f, p..p + 1))
            })
            .collect();
        let unit = self.views.len();
        self.views.push(view);
        self.reading.push(unit);
        self.unit_lines.push(LineCounts::default());
        let first_diagnostic = self.diagnostics.len();
        if unit == 0 && self.unit_bytes().starts_with(b"\xef\xbb\xbf") {
            self.report(
                Check::ByteOrderMark,
                0..3,
                "the file starts with a UTF-8 byte order mark, which redis-server reads as part of the first directive name".into(),
                Some("save the file as UTF-8 without BOM".into()),
            );
        }
        for nul in nuls {
            // redis-server reads through fgets + strlen: a NUL drops the rest of its chunk,
            // gluing lines together; the view above reads what the server reads.
            self.emit(
                Check::NulByte,
                nul,
                "NUL byte: redis-server drops the rest of the line and glues the next line onto it"
                    .into(),
                Some("remove the NUL byte".into()),
            );
        }
        for index in 0..self.unit_tree(unit).lines.len() {
            let line = &self.unit_tree(unit).lines[index];
            let content = line.content();
            let lex_error = match &line.kind {
                LineKind::Blank | LineKind::Comment => continue,
                LineKind::Invalid(err) => Some((err.kind, err.offset)),
                LineKind::Directive => None,
            };
            if self.template
                && detect::control_line(self.unit_bytes()[content.clone()].trim_ascii())
            {
                continue;
            }
            // The line's tokens, name first, read now: the tree keeps none.
            let mut tokens = self.unit_tree(unit).tokens(line);
            let mut lex_error = lex_error;
            if self.template
                && let Some(words) = markup_tokens(
                    &self.unit_bytes()[content.clone()],
                    self.catalog.version.quoting(),
                )
            {
                // Markup is one piece of a value, whatever quotes and spaces it holds.
                tokens = words
                    .into_iter()
                    .map(|t| t.shifted(content.start))
                    .collect();
                lex_error = None;
            }
            if let Some((kind, offset)) = lex_error {
                let meant = self.meant_of(&tokens);
                let masked = secrets::line_secrets(
                    self.catalog,
                    self.unit_bytes(),
                    &tokens,
                    Some(content.end),
                    meant.as_deref(),
                );
                self.add_secrets(masked);
                self.report(
                    Check::UnbalancedQuotes,
                    offset..content.end,
                    format!("unbalanced quotes: {}", kind.describe()),
                    Some("redis-server stops with \"Unbalanced quotes in configuration line\"; close the quote, or escape it (`\\\"` inside double quotes, `\\'` inside single quotes)".into()),
                );
                continue;
            }
            if let Some(counts) = self.unit_lines.last_mut() {
                counts.lines += 1;
            }
            // The did-you-mean of an unknown name, once: masking and the message both use it.
            self.meant = self.meant_of(&tokens);
            let mut masked = secrets::line_secrets(
                self.catalog,
                self.unit_bytes(),
                &tokens,
                None,
                self.meant.as_deref(),
            );
            let follows = std::mem::take(&mut self.secret_may_follow);
            if follows {
                // The secret of the line before, on a line of its own: all of it.
                masked.push(content.clone());
            }
            let name =
                String::from_utf8_lossy(&tokens[0].value(self.unit_bytes())).to_ascii_lowercase();
            self.secret_may_follow =
                secrets::value_may_follow(self.catalog, &name, tokens.len() - 1);
            self.add_secrets(masked);
            self.hide_name = follows;
            self.read_directive(content, tokens)
        }
        self.reading.pop();
        let counts = self.unit_lines.pop().unwrap_or_default();
        let lines = counts.lines;
        if unit != 0 && lines >= 3 && counts.unknown * 2 > lines {
            self.not_a_config(files, first_diagnostic, lines, counts.unknown);
        } else if unit == 0 && lines >= 3 && counts.foreign * 2 > lines {
            // The checked file itself: a Zabbix or supervisord file named like a config.
            self.root_not_a_config = true;
            self.not_a_config(files, first_diagnostic, lines, counts.foreign);
        }
    }

    /// An included file whose lines are mostly no directives is not a config (someone included
    /// `/etc/passwd`), nor is a checked file whose lines are mostly in another format: none of
    /// its lines is quoted or shown, and it is said once.
    fn not_a_config(&mut self, files: &[FileId], first: usize, lines: usize, unknown: usize) {
        for &f in files {
            let len = self.sources.get(f).bytes().len();
            self.secrets.push(Span::new(f, 0..len));
        }
        let path = self.sources.get(files[0]).path.display().to_string();
        let mut said = false;
        let mut kept = Vec::with_capacity(self.diagnostics.len());
        for (i, mut d) in std::mem::take(&mut self.diagnostics)
            .into_iter()
            .enumerate()
        {
            let here = d.primary.as_ref().is_some_and(|s| files.contains(&s.file));
            if i >= first && here && d.rule == Check::UnknownDirective.id() {
                if said {
                    continue;
                }
                said = true;
                d.message = if files.contains(&FileId::ROOT) {
                    format!(
                        "this file is not a Redis config ({unknown} of its {lines} lines are in another format); its lines are not shown"
                    )
                } else {
                    format!(
                        "`{path}` is not a Redis config ({unknown} of its {lines} lines are no directives); its lines are not shown"
                    )
                };
                d.help = Some(if files.contains(&FileId::ROOT) {
                    "redlint checks redis.conf and sentinel.conf files; rules and fixes leave this one alone".into()
                } else {
                    "include only redis.conf files".into()
                });
            }
            kept.push(d);
        }
        self.diagnostics = kept;
    }

    /// `dir` changes the working directory at once; later relative paths resolve against it.
    pub(super) fn chdir(&mut self, value: &[u8], span: Range<usize>) -> bool {
        let text = String::from_utf8_lossy(values::c_str(value)).into_owned();
        if text.is_empty() {
            // chdir("") fails with ENOENT everywhere; Valkey 8.0 also says so up front.
            self.report(
                Check::BadValue,
                span,
                "`dir` can't be empty: redis-server cannot change into an empty path".into(),
                Some("name the data directory, e.g. `dir /var/lib/redis`".into()),
            );
            return false;
        }
        let target = self.cwd.join(&text);
        if target.is_dir() {
            self.cwd = target;
        } else {
            self.report(Check::DirNotFound, span, format!("`dir {text}` does not exist on this machine; redis-server exits when it cannot change into it"), Some("create the directory on the server, or point `dir` at an existing one".into()));
        }
        true
    }

    pub(super) fn include(&mut self, value: &[u8], span: Range<usize>) -> bool {
        use crate::semantic::files::{
            self, MAX_FILE_BYTES, MAX_FILES, MAX_GLOB_MATCHES, MAX_TOTAL_BYTES,
        };
        let text = String::from_utf8_lossy(values::c_str(value)).into_owned();
        let pattern = self.cwd.join(&text);
        let is_glob = self.family == Family::Table7 && text.contains(['*', '?', '[']);
        self.save.after_include = true;
        let paths = if is_glob {
            // 7.0+ expands the glob (sorted) and parses all matches as one buffer.
            let mut found: Vec<PathBuf> = glob::glob(&pattern.to_string_lossy())
                .map(|g| {
                    g.filter_map(Result::ok)
                        .take(MAX_GLOB_MATCHES + 1)
                        .collect()
                })
                .unwrap_or_default();
            if found.len() > MAX_GLOB_MATCHES {
                let message = format!(
                    "`include {text}` matches more than {MAX_GLOB_MATCHES} files; they are not read"
                );
                self.report(Check::IncludeNotRead, span, message, None);
                return true;
            }
            found.sort();
            if found.is_empty() {
                return true;
            }
            found
        } else {
            vec![pattern.clone()]
        };
        if self.stack.len() > MAX_INCLUDE_DEPTH {
            self.report(Check::IncludeTooDeep, span, format!("`include {text}` nests includes more than {MAX_INCLUDE_DEPTH} levels deep; redis-server runs out of stack"), Some("flatten the include chain".into()));
            return false;
        }
        let mut files = Vec::new();
        let mut level = Vec::new();
        for path in paths {
            let real = canonical(&path);
            if self.stack.iter().flatten().any(|p| *p == real) {
                return self.cycle(&text, span);
            }
            if let Some(root) = &self.include_root
                && !real.starts_with(root)
            {
                let message = format!(
                    "`include {text}` is outside {} (`--include-root`); it is not read",
                    root.display()
                );
                self.report(Check::IncludeOutsideRoot, span, message, None);
                return true;
            }
            if self.files_read >= MAX_FILES {
                let message = format!(
                    "more than {MAX_FILES} files read for one check; `include {text}` is not read"
                );
                self.report(Check::IncludeNotRead, span, message, None);
                return true;
            }
            // Shown (and looked up in the overlay) relative to the process' directory when it
            // is below it, as the checked file itself usually is.
            let shown = relative_to_process_dir(&path);
            let budget = MAX_FILE_BYTES.min(MAX_TOTAL_BYTES.saturating_sub(self.bytes_read));
            let read = match self.overlay.get(&shown) {
                Some(bytes) => Ok(bytes.clone()),
                // A directory opens fine on Linux and reads as empty.
                None if path.is_dir() => Ok(Vec::new()),
                None => files::read_config(&path, budget),
            };
            match read {
                Ok(bytes) => {
                    self.bytes_read += bytes.len() as u64;
                    self.files_read += 1;
                    level.push(real);
                    files.push(self.add_file(shown, bytes));
                }
                Err(files::ReadError::Io(e)) => return self.not_found(&path, e, span),
                Err(e) => {
                    let message = format!("included file `{}` {e}", path.display());
                    self.report(Check::IncludeNotRead, span, message, None);
                    return true;
                }
            }
        }
        self.stack.push(level);
        // Each level of includes is a level of recursion: grow the stack as needed, so a chain
        // as deep as redis-server reads does not overflow ours.
        stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, || self.read_unit(&files));
        self.stack.pop();
        true
    }

    fn cycle(&mut self, text: &str, span: Range<usize>) -> bool {
        self.report(Check::IncludeCycle, span, format!("`include {text}` includes a file that is already being read; redis-server recurses until it crashes"), Some("remove the include that closes the cycle".into()));
        false
    }

    fn not_found(&mut self, path: &Path, e: std::io::Error, span: Range<usize>) -> bool {
        self.report(Check::IncludeNotFound, span, format!("cannot read included file `{}`: {e}", path.display()), Some("redis-server resolves relative include paths against its working directory (and the last `dir` line), not against the config file".into()));
        false
    }

    /// The users the `aclfile` defines, read as includes are (regular files, the same limits,
    /// inside `--include-root`): the server replaces every user with them at startup, so they,
    /// not `requirepass`, decide whether clients must authenticate. `None` when there is no
    /// aclfile or it cannot be read here (environment/aclfile-not-found says so).
    pub(super) fn read_aclfile(&mut self) -> Option<Vec<ArgList>> {
        use crate::semantic::files::{self, MAX_FILE_BYTES, MAX_TOTAL_BYTES};
        if !self.catalog.version.at_least(6, 0) {
            return None;
        }
        let (value, _) = self.effective("aclfile")?;
        let value = values::c_str(value);
        if value.is_empty() {
            return None;
        }
        let path = self.cwd.join(String::from_utf8_lossy(value).as_ref());
        if let Some(root) = &self.include_root
            && !canonical(&path).starts_with(root)
        {
            return None;
        }
        let budget = MAX_FILE_BYTES.min(MAX_TOTAL_BYTES.saturating_sub(self.bytes_read));
        let bytes = files::read_config(&path, budget).ok()?;
        self.bytes_read += bytes.len() as u64;
        let mut users = Vec::new();
        for line in bytes.split(|&b| b == b'\n') {
            let line = line.trim_ascii();
            if line.is_empty() {
                continue;
            }
            // A line the server cannot read makes it refuse the whole file: nothing is known.
            let tokens = syntax::tokenize(line, self.catalog.version.quoting()).ok()?;
            let mut words = tokens
                .iter()
                .map(|t| syntax::decode(&line[t.span()], t.kind()));
            if !words.next()?.eq_ignore_ascii_case(b"user") {
                return None;
            }
            users.push(words.collect());
        }
        Some(users)
    }
}

fn relative_to_process_dir(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|dir| path.strip_prefix(&dir).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
}

/// The path with symlinks and `..` resolved (as given when it does not exist).
pub(super) fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// A template line's tokens with its markup read as opaque bytes (spans into the line), or
/// `None` when it has no markup or does not split even so.
fn markup_tokens(line: &[u8], quoting: syntax::Quoting) -> Option<Vec<syntax::Token>> {
    let spans = detect::markup_spans(line);
    if spans.is_empty() {
        return None;
    }
    let mut masked = line.to_vec();
    for span in spans {
        masked[span].fill(b'x');
    }
    // The values of tokens holding markup are unknown (opaque) anyway: only their spans and
    // their number matter.
    syntax::tokenize(&masked, quoting).ok()
}
