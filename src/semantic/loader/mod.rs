//! Reads a config the way redis-server's `loadServerConfigFromString` does, line by line, and
//! records every line, its validity and the effective values.

mod reading;
mod state;

use super::analysis::{Analysis, CheckOptions, LateError};
use super::arglist::ArgList;
use super::model::{Entry, LineOrigin, Model, Origin, Provenance, SavePoint};
use super::sentinel::{self, SentinelState};
use super::special::{self, SpecialState};
use super::startup::{self, EffectiveValues, quoted_prefix};
use super::values::{ValueCheck, check_value};
use super::{environment, secrets};
use crate::catalog::{Args, Catalog, CatalogError, DirectiveSpec, ValueType};
use crate::checks::Check;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Sources, Span};
use crate::syntax::{self, LineKind, SyntaxTree, Token};
use crate::version::Family;
use reading::canonical;
use state::{Loader, SaveState};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Names handled by the if/else chain after the table in 7.0+ (their arity comes from the catalog).
const CHAIN_NAMES: &[&str] = &[
    "include",
    "rename-command",
    "user",
    "loadmodule",
    "sentinel",
];

/// Read `bytes` as the content of the file at `path`. Fails only when the target version has
/// no catalog.
pub fn analyze(
    path: &Path,
    bytes: impl Into<Vec<u8>>,
    options: &CheckOptions,
) -> Result<Analysis, CatalogError> {
    Loader::run(path, bytes.into(), options)
}

impl Loader {
    fn run(path: &Path, bytes: Vec<u8>, options: &CheckOptions) -> Result<Analysis, CatalogError> {
        let catalog = Catalog::load(options.target)?;
        let cwd = options
            .cwd
            .clone()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        let sentinel_mode = options
            .sentinel
            .unwrap_or_else(|| super::detect::is_sentinel(path, &bytes));
        let template = options
            .template
            .unwrap_or_else(|| super::detect::is_template(path, &bytes));
        let mut loader = Loader {
            family: options.target.family(),
            special: {
                let mut state = SpecialState::new(catalog);
                state.set_sentinel_mode(sentinel_mode);
                state
            },
            sentinel: SentinelState::new(catalog),
            sentinel_mode,
            template,
            catalog,
            sources: Sources::default(),
            trees: Vec::new(),
            views: Vec::new(),
            reading: Vec::new(),
            entries: Vec::new(),
            diagnostics: Vec::new(),
            late: Vec::new(),
            secrets: Vec::new(),
            last: HashMap::new(),
            cwd,
            secret_may_follow: false,
            hide_name: false,
            meant: None,
            stack: vec![vec![canonical(path)]],
            bytes_read: bytes.len() as u64,
            files_read: 1,
            include_root: options.include_root.as_ref().map(|r| canonical(r)),
            unit_lines: Vec::new(),
            overlay: options.overlay.clone(),
            save: SaveState::default(),
            module_configs: Vec::new(),
        };
        let root = loader.add_file(path.to_path_buf(), bytes);
        loader.read_unit(&[root]);
        loader.finish();
        let save_points = if loader.save.touched
            || loader.family == Family::Chain
            || options.target.redis_equivalent() < (6, 2)
        {
            std::mem::take(&mut loader.save.points)
        } else {
            default_save_points(loader.catalog)
        };
        loader.mask_repeated_secrets();
        let aclfile_users = loader.read_aclfile();
        let mut diagnostics = loader.diagnostics;
        let after_reading = diagnostics.len();
        diagnostics.append(&mut loader.late);
        Ok(Analysis {
            model: Model {
                target: options.target,
                catalog: loader.catalog,
                provenance: Provenance::File,
                sentinel: loader.sentinel_mode,
                entries: loader.entries,
                save_points,
                aclfile_users,
                server: None,
                last: loader.last,
            },
            sources: loader.sources,
            trees: loader.trees,
            views: loader
                .views
                .into_iter()
                .filter(|v| !v.is_identity())
                .collect(),
            diagnostics,
            after_reading,
            secrets: loader.secrets,
        })
    }

    /// The unit being read.
    fn unit(&self) -> usize {
        *self.reading.last().expect("reading a unit")
    }

    /// The tree of what redis-server parses for `unit`.
    fn unit_tree(&self, unit: usize) -> &SyntaxTree {
        let view = &self.views[unit];
        match view.tree() {
            Some(tree) => tree,
            None => &self.trees[view.first_file().unwrap_or(FileId::ROOT).index()],
        }
    }

    /// The bytes redis-server parses for the unit being read.
    fn unit_bytes(&self) -> &[u8] {
        &self.unit_tree(self.unit()).source
    }

    /// Map a range of the unit being read to the bytes on disk.
    fn at(&self, range: Range<usize>) -> Span {
        self.views[self.unit()].to_disk(range)
    }

    fn emit(&mut self, check: Check, span: Span, message: String, help: Option<String>) {
        let mut d = check.at(Some(span), message);
        d.help = help;
        self.diagnostics.push(d);
    }

    /// A finding in the unit being read, at a range of what redis-server parses.
    fn report(&mut self, check: Check, range: Range<usize>, message: String, help: Option<String>) {
        let span = self.at(range);
        self.emit(check, span, message, help);
    }

    /// [`secrets::meant`] of a line's name (`tokens[0]`).
    fn meant_of(&self, tokens: &[Token]) -> Option<String> {
        let name = tokens.first()?.value(self.unit_bytes());
        secrets::meant(
            self.catalog,
            &String::from_utf8_lossy(&name).to_ascii_lowercase(),
        )
    }

    /// A secret value written again elsewhere (a comment, an unknown line) is masked there too.
    fn mask_repeated_secrets(&mut self) {
        let values: Vec<Vec<u8>> = self
            .secrets
            .iter()
            .filter_map(|s| {
                let bytes = self.sources.get(s.file).bytes();
                Some(secrets::value_of(bytes.get(s.range.clone())?).to_vec())
            })
            .collect();
        if values.is_empty() {
            return;
        }
        let mut values: Vec<Vec<u8>> = values
            .into_iter()
            .collect::<std::collections::HashSet<_>>()
            .into_iter()
            .collect();
        values.sort();
        // Comments are where a secret is written again (and shown as context).
        let mut more = Vec::new();
        for (id, file) in self.sources.iter() {
            let bytes = file.bytes();
            for line in &self.trees[id.index()].lines {
                if line.kind != LineKind::Comment {
                    continue;
                }
                let text = &bytes[line.content()];
                for range in secrets::repeated(text, &values) {
                    let at = line.content().start;
                    more.push(Span::new(id, at + range.start..at + range.end));
                }
            }
        }
        self.secrets.extend(more);
    }

    fn add_secrets(&mut self, ranges: Vec<Range<usize>>) {
        for r in ranges {
            let span = self.at(r);
            self.secrets.push(span);
        }
    }

    /// Read one directive line; `tokens` are its tokens, name first.
    fn read_directive(&mut self, content: Range<usize>, tokens: Vec<Token>) {
        let (name_tok, arg_toks) = (&tokens[0], &tokens[1..]);
        let src = self.unit_bytes();
        let raw_name = name_tok.value(src);
        let name = String::from_utf8_lossy(&raw_name).to_ascii_lowercase();
        let mut args = ArgList::decode(src, arg_toks);
        let catalog = self.catalog;
        let found = catalog.lookup(&name);
        let idx = self.entries.len();
        let opaque = self.template
            && arg_toks
                .iter()
                .any(|t| super::detect::has_template_markup(&src[t.span()]));

        let verdict = match found {
            None => self.unknown_name(&name, name_tok, &args, &content, idx),
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
                            .map(|t| syntax::decode(&args[0][t.span()], t.kind()))
                            .collect(),
                        Err(_) => ArgList::new(),
                    };
                }
                if opaque {
                    // A value the template's renderer fills in: nothing to check but the name.
                    true
                } else {
                    self.check_known(idx, primary, spec, &args, arg_toks, &content)
                }
            }
        };
        let line = self.at(content);
        let origin = match self.views[self.unit()].first_file() {
            // The unit is the file itself: the tokens' offsets are the file's, kept as they are.
            Some(file) if self.views[self.unit()].is_identity() => {
                LineOrigin::in_file(line, file, tokens)
            }
            _ => LineOrigin::new(line, tokens.iter().map(|t| self.at(t.span()))),
        };
        let entry = Entry {
            origin: Origin::Line(origin),
            primary: found.map(|(p, _)| p),
            name,
            args,
            valid: verdict,
            opaque: opaque && found.is_some(),
        };
        let key = entry.key().to_string();
        self.entries.push(entry);
        if verdict {
            self.apply(idx, &key);
            self.quirks(idx);
        }
    }

    /// A name the catalog does not know: a module config (7.0+, `a.b`), or a bad directive.
    fn unknown_name(
        &mut self,
        name: &str,
        name_tok: &Token,
        args: &ArgList,
        span: &Range<usize>,
        idx: usize,
    ) -> bool {
        if self.catalog.meta.module_config_names_with_dot && name.contains('.') {
            if args.is_empty() {
                self.report(
                    Check::WrongArity,
                    span.clone(),
                    "module config specified without value".into(),
                    None,
                );
                return false;
            }
            self.module_configs.push(idx);
            return true;
        }
        let src = self.unit_bytes();
        if self.unit() == 0 && name_tok.span().start == 0 && src.starts_with(b"\xef\xbb\xbf") {
            // Already reported as invalid/byte-order-mark on this very line.
            return false;
        }
        if self.hide_name {
            self.report(
                Check::UnknownDirective,
                name_tok.span(),
                "unknown directive (not shown: it may be the secret of the line before, which has no value)".into(),
                Some("put the value on the same line as its directive".into()),
            );
            return false;
        }
        let written = quoted_prefix(&src[name_tok.span()]);
        let mut help = self.meant.take().map(|s| format!("did you mean `{s}`?"));
        if written.starts_with('\u{c}') || written.starts_with('\u{b}') || name.starts_with('#') {
            help = Some("a comment must start with `#` as the first character after spaces and tabs; a form feed or vertical tab before it makes redis-server read a directive".into());
        } else if name.ends_with(':') {
            help = Some(format!(
                "redis.conf is not YAML: write `{} value` without the colon",
                name.trim_end_matches(':')
            ));
        } else if help.is_none()
            && let Some(other) =
                crate::catalog::newest_with(name).filter(|v| *v != self.catalog.version)
        {
            help = Some(format!(
                "`{name}` exists in {} but not in {}",
                other.pretty(),
                self.catalog.version.pretty()
            ));
        }
        if let Some(counts) = self.unit_lines.last_mut() {
            counts.1 += 1;
        }
        self.report(
            Check::UnknownDirective,
            name_tok.span(),
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
            Args::Variadic | Args::Unchecked => true,
        }
    }

    fn check_known(
        &mut self,
        idx: usize,
        primary: &str,
        spec: &DirectiveSpec,
        args: &ArgList,
        arg_toks: &[Token],
        span: &Range<usize>,
    ) -> bool {
        if !self.arity_ok(spec, primary, args.len()) {
            let expected = match (&spec.args, spec.args_min) {
                (_, Some(m)) => format!("at least {m}"),
                (Args::Exactly(k), _) => k.to_string(),
                (args, _) => args.describe(),
            };
            let inline_comment = arg_toks
                .iter()
                .any(|t| self.unit_bytes().get(t.span().start) == Some(&b'#'));
            let help = if inline_comment {
                Some("redis.conf has no inline comments: `#` after a value is read as more values; move the comment to its own line".into())
            } else if args.len() > 1 && spec.value_type != ValueType::Special {
                Some("to pass a value with spaces, put it in double quotes".into())
            } else {
                None
            };
            self.report(
                Check::WrongArity,
                span.clone(),
                format!(
                    "`{primary}` takes {expected} value{}, found {}",
                    if expected == "1" { "" } else { "s" },
                    args.len()
                ),
                help,
            );
            return false;
        }
        let value_span = |i: usize| arg_toks.get(i).map_or(span.clone(), |t| t.span());
        match spec.value_type {
            ValueType::Special => {
                if primary == "include" {
                    return self.include(&args[0], span.clone());
                }
                if primary == "dir" {
                    return self.chdir(&args[0], span.clone());
                }
                if primary == "sentinel" && self.sentinel_mode && !args.is_empty() {
                    return match sentinel::check_line(&mut self.sentinel, self.catalog, idx, args) {
                        Ok(()) => {
                            if let Some(finding) = environment::sentinel_script(&self.cwd, args) {
                                self.report(
                                    finding.check,
                                    span.clone(),
                                    finding.message,
                                    Some(finding.help),
                                );
                            }
                            true
                        }
                        Err(msg) => {
                            self.report(
                                Check::BadValue,
                                span.clone(),
                                format!("`sentinel`: {msg}"),
                                None,
                            );
                            false
                        }
                    };
                }
                match special::check_special(&mut self.special, self.catalog, idx, primary, args) {
                    Ok(()) => {
                        self.environment(primary, args, span.clone());
                        true
                    }
                    Err(msg) => {
                        self.report(
                            Check::BadValue,
                            value_span(0).start..arg_toks.last().map_or(span.end, |t| t.span().end),
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
                self.report(
                    Check::IgnoredDirective,
                    span.clone(),
                    format!(
                        "`{primary}` is accepted but ignored by {}",
                        self.catalog.version.pretty()
                    ),
                    Some("remove the line".into()),
                );
                true
            }
            ValueType::Enum if spec.enum_bitflags && self.family == Family::Table7 => {
                if args.is_empty() {
                    self.report(
                        Check::BadValue,
                        span.clone(),
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
                        self.report(
                            Check::BadValue,
                            value_span(i.min(arg_toks.len().saturating_sub(1))),
                            format!("`{primary}`: {msg}"),
                            None,
                        );
                        return false;
                    }
                }
                self.validator(primary, spec, args, value_span(0))
            }
            _ => {
                let value = &args[0];
                match check_value(spec, self.catalog.version, value) {
                    ValueCheck::Ok => {
                        if self.crashes(primary, value) {
                            self.report(Check::BadValue, value_span(0), format!("`{primary} 0` makes Redis 6.0 crash right after startup (division by zero)"), Some("use a value from 1 to 500 (10 is the default)".into()));
                            return false;
                        }
                        self.environment(primary, args, span.clone());
                        self.validator(primary, spec, args, value_span(0))
                    }
                    ValueCheck::Rejected(msg) => {
                        let help = self.value_help(spec, value);
                        self.report(
                            Check::BadValue,
                            value_span(0),
                            format!("`{primary}`: {msg}"),
                            help,
                        );
                        false
                    }
                    ValueCheck::Coerced(how) => {
                        self.report(Check::CoercedValue, value_span(0), format!("`{primary}` value `{}` is not parsed as written by {}: {how}", String::from_utf8_lossy(value), self.catalog.version.pretty()), Some("newer versions reject this value; write a plain number with a valid unit".into()));
                        self.validator(primary, spec, args, value_span(0))
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
        primary: &str,
        spec: &DirectiveSpec,
        args: &ArgList,
        span: Range<usize>,
    ) -> bool {
        let validator = match (&spec.validator, self.family, primary) {
            (Some(v), _, _) => *v,
            // The ≤5.0 chain checks dbfilename inline.
            (None, Family::Chain, "dbfilename") => "isValidDBfilename",
            _ => return true,
        };
        // Multi-value enums (shutdown-on-sig*) are validated as the words joined by spaces.
        let value = args.joined(b' ');
        match special::check_validator(self.catalog, primary, validator, &value) {
            Ok(()) => true,
            Err(msg) => {
                self.report(Check::BadValue, span, format!("`{primary}`: {msg}"), None);
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

    /// Paths that must exist on the server: warnings, since the machine that runs redlint is
    /// rarely the one that runs redis-server.
    fn environment(&mut self, primary: &str, args: &ArgList, span: Range<usize>) {
        if let Some(finding) = environment::check_paths(&self.cwd, primary, args) {
            self.report(finding.check, span, finding.message, Some(finding.help));
        }
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
        let args = &self.entries[idx].args;
        let unit = self.unit();
        let v = self.catalog.version;
        let clear = if v.redis_equivalent() >= (7, 0) {
            !self.save.touched || self.save.after_include
        } else if v.redis_equivalent() >= (6, 2) {
            !self.save.cleared_units.contains(&unit)
        } else {
            false
        };
        if clear {
            self.save.points.clear();
            self.save.cleared_units.push(unit);
        }
        self.save.touched = true;
        if args.len() == 1 && args[0].is_empty() {
            self.save.points.clear();
        } else if v.redis_equivalent() >= (7, 0) {
            let pairs = args.iter().step_by(2).zip(args.iter().skip(1).step_by(2));
            self.save
                .points
                .extend(pairs.map(|(a, b)| SavePoint::read(a, b)));
        } else if let [a, b] = args.views()[..] {
            self.save.points.push(SavePoint::read(a, b));
        }
    }

    /// Warnings about lines redis-server accepts but that are surely mistakes.
    fn quirks(&mut self, idx: usize) {
        let entry = &self.entries[idx];
        // `user` rules may start with `#` (a hashed password): those are not comments.
        if entry.key() == "user" {
            return;
        }
        let sources = &self.sources;
        let starts_comment =
            |s: &Span| sources.get(s.file).bytes().get(s.range.start) == Some(&b'#');
        if let Some(first) = entry.arg_spans().find(starts_comment) {
            let end = entry
                .arg_spans()
                .next_back()
                .filter(|l| l.file == first.file)
                .map_or(first.range.end, |l| l.range.end);
            let span = Span::new(first.file, first.range.start..end);
            let name = entry.key().to_string();
            let mut d = Check::InlineComment.at(Some(span), format!("`#` after a value is not a comment: redis-server reads it as more values of `{name}`"));
            d.label = Some("read as values".into());
            d.help = Some("move the comment to its own line".into());
            self.diagnostics.push(d);
        }
    }

    /// A check redis-server makes once the whole file is read.
    fn late(&mut self, check: Check, span: Option<Span>, message: String, help: Option<String>) {
        let mut d = check.at(span, message);
        d.help = help;
        self.late.push(d);
    }

    fn late_errors(&mut self, errors: Vec<LateError>, prefix: &str) {
        for late in errors {
            let span = late
                .line_id
                .and_then(|i| self.entries.get(i))
                .and_then(|e| e.span().cloned());
            self.late(
                Check::BadValue,
                span,
                format!("{prefix}{}", late.message),
                None,
            );
        }
    }

    /// The first value of the last line of `name`, and where that line is.
    fn effective(&self, name: &str) -> Option<(&[u8], Option<Span>)> {
        let e = &self.entries[*self.last.get(name)?];
        Some((e.args.first()?, e.span().cloned()))
    }

    /// Checks redis-server makes after the parse loop and at startup.
    fn finish(&mut self) {
        let values = EffectiveValues {
            entries: &self.entries,
            last: &self.last,
            version: self.catalog.version,
            sentinel: self.sentinel_mode,
        };
        self.late.extend(startup::check(&values));
        // A Sentinel loads no modules, so it never applies (or misses) their configs.
        if !self.sentinel_mode
            && !self.module_configs.is_empty()
            && !self.last.contains_key("loadmodule")
        {
            for i in self.module_configs.clone() {
                let e = &self.entries[i];
                let (span, name) = (e.name_span(), e.name.clone());
                self.late(
                    Check::ModuleConfigWithoutModule,
                    span,
                    format!(
                        "module config `{name}` but no `loadmodule`: redis-server aborts at startup"
                    ),
                    Some("load the module that owns this config with `loadmodule`".into()),
                );
            }
        }
        let aclfile_set = self
            .effective("aclfile")
            .is_some_and(|(a, _)| !a.is_empty());
        // 6.2+ replays the queued sentinel lines after the parse, and reports their errors only
        // when nothing else failed.
        let no_error_yet = !self
            .diagnostics
            .iter()
            .chain(&self.late)
            .any(Diagnostic::is_invalid);
        if self.sentinel_mode && no_error_yet {
            let errors = sentinel::finish(&self.sentinel, self.catalog);
            self.late_errors(errors, "`sentinel`: ");
        }
        let errors = special::finish(&self.special, self.catalog, aclfile_set);
        self.late_errors(errors, "");
    }
}

fn default_save_points(catalog: &Catalog) -> Vec<SavePoint> {
    let text = catalog
        .lookup("save")
        .and_then(|(_, s)| s.default_value())
        .unwrap_or_else(|| "3600 1 300 100 60 10000".to_string());
    let parts: Vec<&str> = text.split_ascii_whitespace().collect();
    parts
        .chunks(2)
        .filter_map(|c| match c {
            [a, b] => Some(SavePoint::read(a.as_bytes(), b.as_bytes())),
            _ => None,
        })
        .collect()
}
