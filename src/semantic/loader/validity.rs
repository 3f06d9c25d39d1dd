//! Whether one directive line is valid for the target version, decided as redis-server's parse
//! loop decides it: the name (known, a module config, or unknown with a did-you-mean), the
//! number of values, each value and its validator. Every line is recorded as an entry, valid
//! or not, so later checks and fixes see all of them.

use super::state::Loader;
use crate::catalog::{Args, DirectiveSpec, ValueType};
use crate::checks::Check;
use crate::semantic::arglist::ArgList;
use crate::semantic::model::{Entry, LineOrigin, Origin};
use crate::semantic::startup::quoted_prefix;
use crate::semantic::values::{ValueCheck, check_value};
use crate::semantic::{detect, environment, secrets, sentinel, special, values};
use crate::syntax::{self, Token};
use crate::version::Family;
use std::ops::Range;
/// Names handled by the if/else chain after the table in 7.0+ (their arity comes from the catalog).
const CHAIN_NAMES: &[&str] = &[
    "include",
    "rename-command",
    "user",
    "loadmodule",
    "sentinel",
];

impl Loader {
    /// [`secrets::meant`] of a line's name (`tokens[0]`).
    pub(super) fn meant_of(&self, tokens: &[Token]) -> Option<String> {
        let name = tokens.first()?.value(self.unit_bytes());
        secrets::meant(
            self.catalog,
            &String::from_utf8_lossy(&name).to_ascii_lowercase(),
        )
    }

    /// Read one directive line; `tokens` are its tokens, name first.
    pub(super) fn read_directive(&mut self, content: Range<usize>, tokens: Vec<Token>) {
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
                .any(|t| detect::has_template_markup(&src[t.span()]));

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
                    args = match syntax::tokenize(&args[0], self.catalog.version.quoting()) {
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
            if (name.contains('=') || name.starts_with('['))
                && let Some(counts) = self.unit_lines.last_mut()
            {
                counts.foreign += 1;
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
        let foreign = help.is_none() || name.contains('=') || name.starts_with('[');
        if let Some(counts) = self.unit_lines.last_mut() {
            counts.unknown += 1;
            counts.foreign += usize::from(foreign);
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
                // A variadic directive given no values (Valkey 8.1's `rdma-bind` alone): its
                // setter gets none, which it takes.
                let Some(value) = args.first() else {
                    return true;
                };
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
            && values::string2ll(value) == Some(0)
    }

    /// Paths that must exist on the server: warnings, since the machine that runs redlint is
    /// rarely the one that runs redis-server.
    fn environment(&mut self, primary: &str, args: &ArgList, span: Range<usize>) {
        if let Some(finding) = environment::check_paths(&self.cwd, primary, args) {
            self.report(finding.check, span, finding.message, Some(finding.help));
        }
    }
}
