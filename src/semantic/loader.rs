//! Reads a config the way redis-server's `loadServerConfigFromString` does, line by line, and
//! records every line, its validity and the effective values.

use super::Analysis;
use super::effective::{EffectiveConfig, Entry, SourceFile};
use super::sentinel::{self, SentinelState};
use super::special::{self, SpecialState};
use super::values::{ValueCheck, check_value};
use crate::catalog::{Args, Catalog, DirectiveSpec, ValueType};
use crate::check::CheckOptions;
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::syntax::{self, LineKind, Token};
use crate::version::Family;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Nesting limit for `include` (redis-server itself recurses until its stack overflows).
const MAX_INCLUDE_DEPTH: usize = 16;

/// Names handled by the if/else chain after the table in 7.0+ (their arity comes from the catalog).
const CHAIN_NAMES: &[&str] = &[
    "include",
    "rename-command",
    "user",
    "loadmodule",
    "sentinel",
];

pub(super) struct Loader {
    catalog: Arc<Catalog>,
    family: Family,
    files: Vec<SourceFile>,
    entries: Vec<Entry>,
    diagnostics: Vec<Diagnostic>,
    last: HashMap<String, usize>,
    cwd: PathBuf,
    special: SpecialState,
    sentinel: SentinelState,
    sentinel_mode: bool,
    /// Include stack, to stop cycles.
    stack: Vec<PathBuf>,
    save: SaveState,
    /// Module configs (`a.b value`, 7.0+) seen, by entry.
    module_configs: Vec<usize>,
}

#[derive(Default)]
struct SaveState {
    points: Vec<(Vec<u8>, Vec<u8>)>,
    /// Whether a `save` line replaced the built-in defaults yet.
    touched: bool,
    /// 7.0+: an include was processed, so every later `save` line clears first.
    after_include: bool,
    /// 6.2: parse units (files) that already cleared the list.
    cleared_units: Vec<usize>,
}

impl Loader {
    pub(super) fn run(path: &Path, bytes: &[u8], options: &CheckOptions) -> Analysis {
        let catalog = match Catalog::load(options.target) {
            Ok(c) => c,
            Err(e) => panic!("target version {} has no catalog: {e}", options.target),
        };
        let cwd = options
            .cwd
            .clone()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        let mut loader = Loader {
            family: options.target.family(),
            special: {
                let mut state = SpecialState::new(&catalog);
                state.set_sentinel_mode(options.sentinel);
                state
            },
            sentinel: SentinelState::new(&catalog),
            sentinel_mode: options.sentinel,
            catalog,
            files: Vec::new(),
            entries: Vec::new(),
            diagnostics: Vec::new(),
            last: HashMap::new(),
            cwd,
            stack: vec![path.to_path_buf()],
            save: SaveState::default(),
            module_configs: Vec::new(),
        };
        loader.read_unit(path.to_path_buf(), bytes.to_vec());
        loader.finish();
        let save_points = if loader.save.touched
            || loader.family == Family::Chain
            || options.target.redis_equivalent() < (6, 2)
        {
            loader.save.points.clone()
        } else {
            default_save_points(&loader.catalog)
        };
        Analysis {
            config: EffectiveConfig {
                target: options.target,
                catalog: loader.catalog,
                files: loader.files,
                entries: loader.entries,
                save_points,
                last: loader.last,
            },
            diagnostics: loader.diagnostics,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_diag(
        &mut self,
        file: usize,
        span: Range<usize>,
        rule: &str,
        severity: Severity,
        message: String,
        label: Option<String>,
        help: Option<String>,
    ) {
        let f = &self.files[file];
        self.diagnostics.push(Diagnostic {
            rule: rule.to_string(),
            severity,
            message,
            label,
            help,
            location: Location::in_tree(f.path.clone(), &f.tree, span),
        });
    }

    fn invalid(
        &mut self,
        file: usize,
        span: Range<usize>,
        rule: &str,
        message: String,
        help: Option<String>,
    ) {
        self.push_diag(file, span, rule, Severity::Error, message, None, help);
    }

    /// Read one parse unit (the main file or an included one) line by line.
    fn read_unit(&mut self, path: PathBuf, bytes: Vec<u8>) {
        let first_nul = bytes.iter().position(|&b| b == 0);
        // redis-server reads through fgets + strlen: a NUL drops the rest of its chunk, gluing
        // lines together. Read what the server reads.
        let bytes = if first_nul.is_some() {
            redis_view(&bytes)
        } else {
            bytes
        };
        let tree = syntax::parse(&bytes);
        let file = self.files.len();
        self.files.push(SourceFile {
            path,
            bytes: Arc::new(bytes),
            tree,
        });
        if file == 0 && self.files[0].bytes.starts_with(b"\xef\xbb\xbf") {
            self.invalid(
                0,
                0..3,
                "invalid/byte-order-mark",
                "the file starts with a UTF-8 byte order mark, which redis-server reads as part of the first directive name".into(),
                Some("save the file as UTF-8 without BOM".into()),
            );
        }
        if let Some(nul) = first_nul {
            let end = (nul + 1).min(self.files[file].bytes.len());
            self.push_diag(
                file,
                nul.min(end)..end,
                "syntax/nul-byte",
                Severity::Warning,
                "NUL byte: redis-server drops the rest of the line and glues the next line onto it"
                    .into(),
                None,
                Some("remove the NUL byte".into()),
            );
        }
        for index in 0..self.files[file].tree.lines.len() {
            let line = &self.files[file].tree.lines[index];
            match line.kind.clone() {
                LineKind::Blank | LineKind::Comment => {}
                LineKind::Invalid(err) => {
                    let content = line.content.clone();
                    self.invalid(
                        file,
                        err.offset..content.end,
                        "invalid/unbalanced-quotes",
                        format!("unbalanced quotes: {}", err.kind.describe()),
                        Some("redis-server stops with \"Unbalanced quotes in configuration line\"; close the quote, or escape it (`\\\"` inside double quotes, `\\'` inside single quotes)".into()),
                    );
                }
                LineKind::Directive(d) => self.read_directive(file, index, d.name, d.args),
            }
        }
    }

    fn read_directive(&mut self, file: usize, line: usize, name_tok: Token, arg_toks: Vec<Token>) {
        let src = self.files[file].bytes.clone();
        let span = self.files[file].tree.lines[line].content.clone();
        let raw_name = name_tok.value(&src);
        let name = String::from_utf8_lossy(&raw_name).to_ascii_lowercase();
        let mut args: Vec<Vec<u8>> = arg_toks.iter().map(|t| t.value(&src)).collect();
        let arg_spans: Vec<Range<usize>> = arg_toks.iter().map(|t| t.span.clone()).collect();
        let catalog = self.catalog.clone();
        let found = catalog.lookup(&name);
        let mut entry = Entry {
            file,
            line,
            name: name.clone(),
            primary: found.map(|(p, _)| p.to_string()),
            args: Vec::new(),
            arg_spans: arg_spans.clone(),
            name_span: name_tok.span.clone(),
            span: span.clone(),
            valid: false,
        };
        let idx = self.entries.len();

        let verdict = match found {
            None => self.unknown_name(file, &name, &name_tok, &args, &span, idx),
            Some((primary, spec)) => {
                if self.family == Family::Table7
                    && spec.is_multi_arg()
                    && args.len() == 1
                    && !args[0].is_empty()
                {
                    // 7.0+ re-splits a lone value of a MULTI_ARG config; a tokenizer failure
                    // leaves the setter with no values at all.
                    args = match syntax::tokenize(&args[0]) {
                        Ok(toks) => toks
                            .iter()
                            .map(|t| syntax::decode(&args[0][t.span.clone()], t.kind))
                            .collect(),
                        Err(_) => Vec::new(),
                    };
                }
                self.check_known(file, idx, primary, spec, &args, &arg_spans, &span)
            }
        };
        entry.args = args;
        entry.valid = verdict;
        let key = entry.key().to_string();
        self.entries.push(entry);
        if verdict {
            self.apply(idx, &key);
            self.quirks(file, idx);
        }
    }

    /// A name the catalog does not know: a module config (7.0+, `a.b`), or a bad directive.
    fn unknown_name(
        &mut self,
        file: usize,
        name: &str,
        name_tok: &Token,
        args: &[Vec<u8>],
        span: &Range<usize>,
        idx: usize,
    ) -> bool {
        if self.catalog.meta.module_config_names_with_dot && name.contains('.') {
            if args.is_empty() {
                self.invalid(
                    file,
                    span.clone(),
                    "invalid/wrong-arity",
                    "module config specified without value".into(),
                    None,
                );
                return false;
            }
            self.module_configs.push(idx);
            return true;
        }
        let src = &self.files[file].bytes;
        if file == 0 && name_tok.span.start == 0 && src.starts_with(b"\xef\xbb\xbf") {
            // Already reported as invalid/byte-order-mark on this very line.
            return false;
        }
        let written = String::from_utf8_lossy(&src[name_tok.span.clone()]).into_owned();
        let mut help = self
            .catalog
            .suggest(name)
            .map(|s| format!("did you mean `{s}`?"));
        if written.starts_with('\u{c}') || written.starts_with('\u{b}') || name.starts_with('#') {
            help = Some("a comment must start with `#` as the first character after spaces and tabs; a form feed or vertical tab before it makes redis-server read a directive".into());
        } else if name.ends_with(':') {
            help = Some(format!(
                "redis.conf is not YAML: write `{} value` without the colon",
                name.trim_end_matches(':')
            ));
        } else if help.is_none()
            && let Some(other) = crate::catalog::available()
                .into_iter()
                .rev()
                .filter(|v| *v != self.catalog.version)
                .find(|v| Catalog::load(*v).is_ok_and(|c| c.lookup(name).is_some()))
        {
            help = Some(format!(
                "`{name}` exists in {} but not in {}",
                other.pretty(),
                self.catalog.version.pretty()
            ));
        }
        self.invalid(
            file,
            name_tok.span.clone(),
            "invalid/unknown-directive",
            format!(
                "unknown directive `{written}` for {}",
                self.catalog.version.pretty()
            ),
            help,
        );
        false
    }

    fn arity_ok(&self, spec: &DirectiveSpec, primary: &str, n: usize) -> bool {
        if self.family == Family::Table7 && spec.is_multi_arg() && !CHAIN_NAMES.contains(&primary) {
            return true;
        }
        if spec.value_type == ValueType::Ignored {
            return n == 1;
        }
        if let Some(min) = spec.args_min {
            return n >= min as usize;
        }
        match &spec.args {
            Args::Exactly(k) => n == *k as usize,
            Args::Keyword(_) => true,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_known(
        &mut self,
        file: usize,
        idx: usize,
        primary: &str,
        spec: &DirectiveSpec,
        args: &[Vec<u8>],
        arg_spans: &[Range<usize>],
        span: &Range<usize>,
    ) -> bool {
        if !self.arity_ok(spec, primary, args.len()) {
            let expected = match (&spec.args, spec.args_min) {
                (_, Some(m)) => format!("at least {m}"),
                (Args::Exactly(k), _) => k.to_string(),
                (Args::Keyword(k), _) => k.clone(),
            };
            let inline_comment = arg_spans
                .iter()
                .any(|s| self.files[file].bytes.get(s.start) == Some(&b'#'));
            let help = if inline_comment {
                Some("redis.conf has no inline comments: `#` after a value is read as more values; move the comment to its own line".into())
            } else if args.len() > 1 && spec.value_type != ValueType::Special {
                Some("to pass a value with spaces, put it in double quotes".into())
            } else {
                None
            };
            self.invalid(
                file,
                span.clone(),
                "invalid/wrong-arity",
                format!(
                    "`{primary}` takes {expected} value{}, found {}",
                    if expected == "1" { "" } else { "s" },
                    args.len()
                ),
                help,
            );
            return false;
        }
        let value_span = |i: usize| arg_spans.get(i).cloned().unwrap_or(span.clone());
        match spec.value_type {
            ValueType::Special => {
                if primary == "include" {
                    return self.include(file, &args[0], span.clone());
                }
                if primary == "dir" {
                    return self.chdir(file, &args[0], span.clone());
                }
                if primary == "sentinel" && self.sentinel_mode && !args.is_empty() {
                    return match sentinel::check_line(&mut self.sentinel, &self.catalog, idx, args)
                    {
                        Ok(()) => true,
                        Err(msg) => {
                            self.invalid(
                                file,
                                span.clone(),
                                "invalid/bad-value",
                                format!("`sentinel`: {msg}"),
                                None,
                            );
                            false
                        }
                    };
                }
                match special::check_special(&mut self.special, &self.catalog, idx, primary, args) {
                    Ok(()) => {
                        self.environment(file, primary, args, span.clone());
                        true
                    }
                    Err(msg) => {
                        self.invalid(
                            file,
                            value_span(0).start..arg_spans.last().map_or(span.end, |s| s.end),
                            "invalid/bad-value",
                            format!("`{primary}`: {msg}"),
                            (primary == "sentinel").then(|| {
                                "this is a Sentinel config: check it with `--sentinel`, as redis-sentinel reads it".to_string()
                            }),
                        );
                        false
                    }
                }
            }
            ValueType::Ignored => {
                self.push_diag(
                    file,
                    span.clone(),
                    "deprecated/ignored-directive",
                    Severity::Warning,
                    format!(
                        "`{primary}` is accepted but ignored by {}",
                        self.catalog.version.pretty()
                    ),
                    None,
                    Some("remove the line".into()),
                );
                true
            }
            ValueType::Enum if spec.enum_bitflags && self.family == Family::Table7 => {
                if args.is_empty() {
                    self.invalid(
                        file,
                        span.clone(),
                        "invalid/bad-value",
                        format!(
                            "`{primary}` needs at least one of: {}",
                            spec.enum_values.join(", ")
                        ),
                        None,
                    );
                    return false;
                }
                for (i, a) in args.iter().enumerate() {
                    if let ValueCheck::Rejected(msg) = check_value(spec, self.catalog.version, a) {
                        self.invalid(
                            file,
                            value_span(i.min(arg_spans.len().saturating_sub(1))),
                            "invalid/bad-value",
                            format!("`{primary}`: {msg}"),
                            None,
                        );
                        return false;
                    }
                }
                self.validator(file, primary, spec, args, value_span(0))
            }
            _ => {
                let value = &args[0];
                match check_value(spec, self.catalog.version, value) {
                    ValueCheck::Ok => {
                        if self.crashes(primary, value) {
                            self.invalid(file, value_span(0), "invalid/bad-value", format!("`{primary} 0` makes Redis 6.0 crash right after startup (division by zero)"), Some("use a value from 1 to 500 (10 is the default)".into()));
                            return false;
                        }
                        self.environment(file, primary, args, span.clone());
                        self.validator(file, primary, spec, args, value_span(0))
                    }
                    ValueCheck::Rejected(msg) => {
                        let help = self.value_help(spec, value);
                        self.invalid(
                            file,
                            value_span(0),
                            "invalid/bad-value",
                            format!("`{primary}`: {msg}"),
                            help,
                        );
                        false
                    }
                    ValueCheck::Coerced(how) => {
                        self.push_diag(file, value_span(0), "correctness/coerced-value", Severity::Warning, format!("`{primary}` value `{}` is not parsed as written by {}: {how}", String::from_utf8_lossy(value), self.catalog.version.pretty()), None, Some("newer versions reject this value; write a plain number with a valid unit".into()));
                        self.validator(file, primary, spec, args, value_span(0))
                    }
                }
            }
        }
    }

    fn value_help(&self, spec: &DirectiveSpec, value: &[u8]) -> Option<String> {
        let text = String::from_utf8_lossy(value);
        match spec.value_type {
            ValueType::Memory | ValueType::MemoryOrPercent => Some("memory values are digits with an optional unit: b, k, kb, m, mb, g, gb (no fractions, no spaces, no tb)".into()),
            ValueType::Bool => Some("write `yes` or `no`".into()),
            ValueType::Enum => {
                let lower = text.to_ascii_lowercase();
                spec.enum_values
                    .iter()
                    .max_by(|a, b| strsim::jaro_winkler(&lower, a).total_cmp(&strsim::jaro_winkler(&lower, b)))
                    .filter(|best| strsim::jaro_winkler(&lower, best) > 0.8)
                    .map(|best| format!("did you mean `{best}`?"))
            }
            ValueType::Int if text.starts_with('+') || (text.len() > 1 && text.starts_with('0')) => Some("write the number without a sign or leading zeros".into()),
            _ => None,
        }
    }

    fn validator(
        &mut self,
        file: usize,
        primary: &str,
        spec: &DirectiveSpec,
        args: &[Vec<u8>],
        span: Range<usize>,
    ) -> bool {
        let validator = match (&spec.validator, self.family, primary) {
            (Some(v), _, _) => v.clone(),
            // The ≤5.0 chain checks dbfilename inline.
            (None, Family::Chain, "dbfilename") => "isValidDBfilename".to_string(),
            _ => return true,
        };
        // Multi-value enums (shutdown-on-sig*) are validated as the words joined by spaces.
        let value = args.join(&b' ');
        match special::check_validator(&self.catalog, primary, &validator, &value) {
            Ok(()) => true,
            Err(msg) => {
                self.invalid(
                    file,
                    span,
                    "invalid/bad-value",
                    format!("`{primary}`: {msg}"),
                    None,
                );
                false
            }
        }
    }

    /// Values that pass the parser but crash the server: 6.0 only clamps `hz` on CONFIG SET.
    fn crashes(&self, primary: &str, value: &[u8]) -> bool {
        primary == "hz"
            && self.catalog.version.redis_equivalent() == (6, 0)
            && super::values::string2ll(value) == Some(0)
    }

    /// Paths that must exist on the server: checked here as warnings, since the machine that
    /// runs redlint is rarely the one that runs redis-server.
    fn environment(&mut self, file: usize, primary: &str, args: &[Vec<u8>], span: Range<usize>) {
        let path = |v: &Vec<u8>| {
            self.cwd
                .join(String::from_utf8_lossy(super::values::c_str(v)).as_ref())
        };
        match (primary, args.first()) {
            ("loadmodule", Some(v)) if !path(v).is_file() => {
                let shown = path(v).display().to_string();
                self.push_diag(file, span, "environment/module-not-found", Severity::Warning, format!("module `{shown}` does not exist on this machine; redis-server exits when it cannot load it"), None, Some("install the module on the server or fix the path".into()));
            }
            ("logfile", Some(v)) if !v.is_empty() => {
                let p = path(v);
                if p.parent()
                    .is_some_and(|d| !d.as_os_str().is_empty() && !d.is_dir())
                {
                    let shown = p.display().to_string();
                    self.push_diag(file, span, "environment/logfile-unwritable", Severity::Warning, format!("the directory of logfile `{shown}` does not exist on this machine; redis-server exits when it cannot open the log"), None, Some("create the directory on the server, or log to stdout with `logfile \"\"`".into()));
                }
            }
            _ => {}
        }
    }

    /// `dir` changes the working directory at once; later relative paths resolve against it.
    fn chdir(&mut self, file: usize, value: &[u8], span: Range<usize>) -> bool {
        let text = String::from_utf8_lossy(super::values::c_str(value)).into_owned();
        if text.is_empty() {
            // chdir("") fails with ENOENT everywhere; Valkey 8.0 also says so up front.
            self.invalid(
                file,
                span,
                "invalid/bad-value",
                "`dir` can't be empty: redis-server cannot change into an empty path".into(),
                Some("name the data directory, e.g. `dir /var/lib/redis`".into()),
            );
            return false;
        }
        let target = self.cwd.join(&text);
        if target.is_dir() {
            self.cwd = target;
        } else {
            self.push_diag(file, span, "environment/dir-not-found", Severity::Warning, format!("`dir {text}` does not exist on this machine; redis-server exits when it cannot change into it"), None, Some("create the directory on the server, or point `dir` at an existing one".into()));
        }
        true
    }

    fn include(&mut self, file: usize, value: &[u8], span: Range<usize>) -> bool {
        let text = String::from_utf8_lossy(super::values::c_str(value)).into_owned();
        let pattern = self.cwd.join(&text);
        let is_glob = self.family == Family::Table7 && text.contains(['*', '?', '[']);
        self.save.after_include = true;
        if is_glob {
            // 7.0+ expands the glob (sorted) and parses all matches as one buffer.
            let mut found: Vec<PathBuf> = glob::glob(&pattern.to_string_lossy())
                .map(|g| g.filter_map(Result::ok).collect())
                .unwrap_or_default();
            found.sort();
            if found.is_empty() {
                return true;
            }
            let mut joined = Vec::new();
            for path in &found {
                if self.closes_cycle(path) {
                    return self.cycle(file, &text, span);
                }
                match read_include(path) {
                    Ok(b) => joined.extend(b),
                    Err(e) => return self.not_found(file, path, e, span),
                }
            }
            self.stack.push(pattern.clone());
            self.read_unit(pattern, joined);
            self.stack.pop();
            return true;
        }
        if self.closes_cycle(&pattern) {
            return self.cycle(file, &text, span);
        }
        let bytes = match read_include(&pattern) {
            Ok(b) => b,
            Err(e) => return self.not_found(file, &pattern, e, span),
        };
        self.stack.push(pattern.clone());
        self.read_unit(pattern, bytes);
        self.stack.pop();
        true
    }

    fn closes_cycle(&self, path: &Path) -> bool {
        self.stack.len() > MAX_INCLUDE_DEPTH || self.stack.iter().any(|p| same_file(p, path))
    }

    fn cycle(&mut self, file: usize, text: &str, span: Range<usize>) -> bool {
        self.invalid(file, span, "invalid/include-cycle", format!("`include {text}` includes a file that is already being read; redis-server recurses until it crashes"), Some("remove the include that closes the cycle".into()));
        false
    }

    fn not_found(
        &mut self,
        file: usize,
        path: &Path,
        e: std::io::Error,
        span: Range<usize>,
    ) -> bool {
        self.invalid(file, span, "invalid/include-not-found", format!("cannot read included file `{}`: {e}", path.display()), Some("redis-server resolves relative include paths against its working directory (and the last `dir` line), not against the config file".into()));
        false
    }

    /// Record the effect of a valid line.
    fn apply(&mut self, idx: usize, key: &str) {
        self.last.insert(key.to_string(), idx);
        if key == "save" {
            self.apply_save(idx);
        }
        if key == "acl-pubsub-default" {
            let all = self.entries[idx]
                .args
                .first()
                .is_some_and(|a| a.eq_ignore_ascii_case(b"allchannels"));
            self.special.set_acl_pubsub_default(all);
        }
    }

    fn apply_save(&mut self, idx: usize) {
        let entry = &self.entries[idx];
        let args = entry.args.clone();
        let file = entry.file;
        let v = self.catalog.version;
        let clear = if v.redis_equivalent() >= (7, 0) {
            !self.save.touched || self.save.after_include
        } else if v.redis_equivalent() >= (6, 2) {
            !self.save.cleared_units.contains(&file)
        } else {
            false
        };
        if clear {
            self.save.points.clear();
            self.save.cleared_units.push(file);
        }
        self.save.touched = true;
        if args.len() == 1 && args[0].is_empty() {
            self.save.points.clear();
        } else if v.redis_equivalent() >= (7, 0) {
            for pair in args.chunks(2) {
                if let [a, b] = pair {
                    self.save.points.push((a.clone(), b.clone()));
                }
            }
        } else if let [a, b] = args.as_slice() {
            self.save.points.push((a.clone(), b.clone()));
        }
    }

    /// Warnings about lines redis-server accepts but that are surely mistakes.
    fn quirks(&mut self, file: usize, idx: usize) {
        let entry = &self.entries[idx];
        let src = self.files[file].bytes.clone();
        // `user` rules may start with `#` (a hashed password): those are not comments.
        let is_user = entry.key() == "user";
        if let Some(pos) = entry
            .arg_spans
            .iter()
            .position(|s| src.get(s.start) == Some(&b'#') && !is_user)
        {
            let span = entry.arg_spans[pos].start
                ..entry.arg_spans.last().map_or(entry.span.end, |s| s.end);
            let name = entry.key().to_string();
            self.push_diag(file, span, "syntax/inline-comment", Severity::Warning, format!("`#` after a value is not a comment: redis-server reads it as more values of `{name}`"), Some("read as values".into()), Some("move the comment to its own line".into()));
        }
    }

    /// Checks redis-server makes after the parse loop and at startup.
    fn finish(&mut self) {
        let cluster = self.last.get("cluster-enabled").is_some_and(|&i| {
            self.entries[i]
                .args
                .first()
                .is_some_and(|a| a.eq_ignore_ascii_case(b"yes"))
        });
        if cluster && let Some(&i) = self.last.get("replicaof") {
            let e = &self.entries[i];
            let (file, span) = (e.file, e.span.clone());
            self.invalid(
                file,
                span,
                "invalid/conflicting-directives",
                "`replicaof` is not allowed in cluster mode (`cluster-enabled yes`)".into(),
                Some("remove `replicaof`: cluster nodes get their primary from the cluster".into()),
            );
        }
        if !self.module_configs.is_empty() && !self.last.contains_key("loadmodule") {
            for i in self.module_configs.clone() {
                let e = &self.entries[i];
                let (file, span, name) = (e.file, e.name_span.clone(), e.name.clone());
                self.invalid(
                    file,
                    span,
                    "invalid/module-config-without-module",
                    format!(
                        "module config `{name}` but no `loadmodule`: redis-server aborts at startup"
                    ),
                    Some("load the module that owns this config with `loadmodule`".into()),
                );
            }
        }
        let aclfile_set = self
            .last
            .get("aclfile")
            .is_some_and(|&i| self.entries[i].args.first().is_some_and(|a| !a.is_empty()));
        // 6.2+ replays the queued sentinel lines after the parse, and reports their errors only
        // when nothing else failed.
        let no_error_yet = !self
            .diagnostics
            .iter()
            .any(|d| d.rule.starts_with("invalid/"));
        if self.sentinel_mode && no_error_yet {
            for late in sentinel::finish(&self.sentinel, &self.catalog) {
                let (file, span) = match late.line_id.and_then(|i| self.entries.get(i)) {
                    Some(e) => (e.file, e.span.clone()),
                    None => (0, 0..0),
                };
                self.invalid(
                    file,
                    span,
                    "invalid/bad-value",
                    format!("`sentinel`: {}", late.message),
                    None,
                );
            }
        }
        for late in special::finish(&self.special, &self.catalog, aclfile_set) {
            let (file, span) = match late.line_id.and_then(|i| self.entries.get(i)) {
                Some(e) => (e.file, e.span.clone()),
                None => (0, 0..0),
            };
            self.invalid(file, span, "invalid/bad-value", late.message, None);
        }
    }
}

/// A directory opens fine on Linux and reads as empty.
fn read_include(path: &Path) -> std::io::Result<Vec<u8>> {
    if path.is_dir() {
        return Ok(Vec::new());
    }
    std::fs::read(path)
}

/// The bytes redis-server's reader keeps: `fgets` into a 1024-byte buffer, appended as a C
/// string, so a NUL drops the rest of its chunk (up to the newline or 1023 bytes).
fn redis_view(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let limit = (i + 1023).min(bytes.len());
        let end = bytes[i..limit]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(limit, |p| i + p + 1);
        let chunk = &bytes[i..end];
        out.extend_from_slice(chunk.split(|&b| b == 0).next().unwrap_or(chunk));
        i = end;
    }
    out
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn default_save_points(catalog: &Catalog) -> Vec<(Vec<u8>, Vec<u8>)> {
    let text = catalog
        .lookup("save")
        .and_then(|(_, s)| s.default_value())
        .unwrap_or_else(|| "3600 1 300 100 60 10000".to_string());
    let parts: Vec<&str> = text.split_ascii_whitespace().collect();
    parts
        .chunks(2)
        .filter_map(|c| match c {
            [a, b] => Some((a.as_bytes().to_vec(), b.as_bytes().to_vec())),
            _ => None,
        })
        .collect()
}
