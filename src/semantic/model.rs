//! The effective configuration model that rules query. It needs no file: each entry says where
//! it came from (a line of a file, a running server, or nothing, for a version default).

use super::arglist::ArgList;
use crate::catalog::Catalog;
use crate::source::{FileId, PackedSpan, Span};
use crate::syntax::Token;
use crate::version::Version;
use std::borrow::Cow;
use std::collections::HashMap;

/// Where a line of the model was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineOrigin {
    /// The whole (trimmed) line.
    pub line: Span,
    /// The name token and the value tokens as written.
    tokens: WrittenTokens,
}

/// The tokens of a written line, in one of two forms of 12 bytes a token: a line of a million
/// values keeps a million.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WrittenTokens {
    /// The tokenizer's own tokens, whose offsets are those of `file` (most lines).
    InFile { file: FileId, tokens: Box<[Token]> },
    /// Each token mapped to the file it is in (the joined matches of a glob include, or a line
    /// a NUL byte glued to the next).
    Mapped(Box<[PackedSpan]>),
}

impl LineOrigin {
    /// A line of `file` and its tokens (name first), with offsets into `file`.
    pub fn in_file(line: Span, file: FileId, tokens: Vec<Token>) -> LineOrigin {
        LineOrigin {
            line,
            tokens: WrittenTokens::InFile {
                file,
                tokens: tokens.into_boxed_slice(),
            },
        }
    }

    /// A line and where each of its tokens (name first) is.
    pub fn new(line: Span, tokens: impl IntoIterator<Item = Span>) -> LineOrigin {
        LineOrigin {
            line,
            tokens: WrittenTokens::Mapped(tokens.into_iter().map(PackedSpan::from).collect()),
        }
    }

    fn token_count(&self) -> usize {
        match &self.tokens {
            WrittenTokens::InFile { tokens, .. } => tokens.len(),
            WrittenTokens::Mapped(spans) => spans.len(),
        }
    }

    /// Token `i` (0 is the name).
    fn token_span(&self, i: usize) -> Option<Span> {
        match &self.tokens {
            WrittenTokens::InFile { file, tokens } => {
                tokens.get(i).map(|t| Span::new(*file, t.span()))
            }
            WrittenTokens::Mapped(spans) => spans.get(i).map(|s| s.unpack()),
        }
    }

    /// The name token.
    pub fn name(&self) -> Span {
        self.token_span(0).unwrap_or_else(|| self.line.clone())
    }

    /// How many value tokens the line has.
    pub fn value_count(&self) -> usize {
        self.token_count().saturating_sub(1)
    }

    /// Where value token `i` is.
    pub fn value_span(&self, i: usize) -> Option<Span> {
        self.token_span(i.checked_add(1)?)
    }

    pub fn value_spans(&self) -> impl DoubleEndedIterator<Item = Span> + ExactSizeIterator + '_ {
        (1..self.token_count().max(1))
            .map(|i| self.token_span(i).unwrap_or_else(|| self.line.clone()))
    }
}

/// Where an entry's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line of a config file.
    Line(LineOrigin),
    /// Reported by a running server (`CONFIG GET`, `ACL LIST`).
    Server,
}

/// What the model was built from: the wording of a file, or only effective values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    File,
    Server,
}

/// One directive, in the order redis-server reads it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub origin: Origin,
    /// The name as written, ASCII-lowercased.
    pub name: String,
    /// The catalog's primary name, when the name is known.
    pub primary: Option<&'static str>,
    /// Decoded values (a lone MULTI_ARG value re-split as redis-server does from 7.0).
    pub args: ArgList,
    /// False when redis-server rejects the line.
    pub valid: bool,
    /// A template's line whose values a renderer fills in: written, but its value is unknown.
    pub opaque: bool,
}

impl Entry {
    /// The primary name when known, else the name as written.
    pub fn key(&self) -> &str {
        self.primary.unwrap_or(&self.name)
    }
    pub fn arg_str(&self, i: usize) -> Option<String> {
        self.args
            .get(i)
            .map(|a| String::from_utf8_lossy(a).into_owned())
    }
    fn line(&self) -> Option<&LineOrigin> {
        match &self.origin {
            Origin::Line(l) => Some(l),
            Origin::Server => None,
        }
    }
    /// The whole line, when the entry was written in a file.
    pub fn span(&self) -> Option<&Span> {
        self.line().map(|l| &l.line)
    }
    pub fn name_span(&self) -> Option<Span> {
        self.line().map(LineOrigin::name)
    }
    /// The span of written value `i`, when values and written tokens correspond one to one.
    pub fn arg_span(&self, i: usize) -> Option<Span> {
        self.line()
            .filter(|l| l.value_count() == self.args.len())
            .and_then(|l| l.value_span(i))
    }
    /// The spans of the value tokens as written (none for a server's value).
    pub fn arg_spans(&self) -> impl DoubleEndedIterator<Item = Span> + '_ {
        self.line().into_iter().flat_map(LineOrigin::value_spans)
    }
}

/// An RDB save point as the server keeps it: save after `seconds` if `changes` keys changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavePoint {
    pub seconds: i32,
    pub changes: i32,
}

impl SavePoint {
    /// The point a pair of `save` values sets, read as redis-server reads them (C `atoi`).
    pub fn read(seconds: &[u8], changes: &[u8]) -> SavePoint {
        use super::values::atoi;
        SavePoint {
            seconds: atoi(seconds),
            changes: atoi(changes),
        }
    }
}

/// The value one directive runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub primary: String,
    pub args: ArgList,
    /// The entry that set it; `None` when it is the built-in default.
    pub entry: Option<usize>,
}

impl Setting {
    pub fn first_str(&self) -> String {
        self.args
            .first()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .unwrap_or_default()
    }
    pub fn is_default(&self) -> bool {
        self.entry.is_none()
    }
}

#[derive(Debug)]
pub struct Model {
    pub target: Version,
    pub catalog: &'static Catalog,
    pub provenance: Provenance,
    /// The server runs as a Sentinel (other defaults, other rules).
    pub sentinel: bool,
    pub entries: Vec<Entry>,
    /// RDB save points the server ends up with, after the version's accumulation rules.
    pub save_points: Vec<SavePoint>,
    /// The `user` lines of the `aclfile` (each line's values after `user`), when it was read;
    /// `None` with no aclfile, or one redlint could not read (then it is assumed to require
    /// authentication).
    pub aclfile_users: Option<Vec<ArgList>>,
    /// What only a running server tells (its users, its commands); `None` for a file.
    pub server: Option<ServerState>,
    /// Primary name → index of the last valid entry.
    pub(crate) last: HashMap<String, usize>,
}

/// What a running server reports beyond its parameters, each `None` when it could not be read
/// (the command was renamed or denied): then nothing is assumed about it.
#[derive(Debug, Clone, Default)]
pub struct ServerState {
    /// `ACL LIST`: each user's rules after `user` (name first), as the server prints them.
    pub users: Option<Vec<ArgList>>,
    /// Commands of the catalog the server does not know under their names (renamed or removed),
    /// lowercase.
    pub absent_commands: Option<std::collections::HashSet<String>>,
    /// `CONFIG GET` was read: every parameter the server has is in the model. When false, a
    /// parameter not in the model is unknown, not its default.
    pub parameters_read: bool,
}

impl Model {
    /// A model of effective values with no file behind them (a running server's settings):
    /// `(name, values)` in the order they apply.
    pub fn from_settings(catalog: &'static Catalog, settings: &[(&str, Vec<Vec<u8>>)]) -> Model {
        let mut model = Model {
            target: catalog.version,
            provenance: Provenance::Server,
            sentinel: false,
            entries: Vec::new(),
            save_points: Vec::new(),
            aclfile_users: None,
            server: Some(ServerState {
                parameters_read: true,
                ..ServerState::default()
            }),
            last: HashMap::new(),
            catalog,
        };
        for (name, args) in settings {
            let name = name.to_ascii_lowercase();
            let primary = model.catalog.lookup(&name).map(|(p, _)| p);
            let key = primary.map_or_else(|| name.clone(), str::to_string);
            if key == "save" {
                model.save_points = args
                    .chunks(2)
                    .filter_map(|c| match c {
                        [a, b] => Some(SavePoint::read(a, b)),
                        _ => None,
                    })
                    .collect();
            }
            model.last.insert(key, model.entries.len());
            model.entries.push(Entry {
                origin: Origin::Server,
                name,
                primary,
                args: args.iter().collect(),
                valid: true,
                opaque: false,
            });
        }
        model
    }

    /// Directives whose lines all apply (they accumulate, or each line has its own key): a later
    /// line does not override an earlier one.
    pub fn accumulates(primary: &str) -> bool {
        matches!(
            primary,
            "save"
                | "rename-command"
                | "user"
                | "loadmodule"
                | "include"
                | "sentinel"
                | "client-output-buffer-limit"
        )
    }

    /// Whether the model knows how the config was written (conditions on wording need it).
    pub fn has_file(&self) -> bool {
        self.provenance == Provenance::File
    }

    fn primary_of<'n>(&self, name: &'n str) -> Cow<'n, str> {
        match self.catalog.lookup(name) {
            Some((primary, _)) => Cow::Borrowed(primary),
            None if name.bytes().any(|b| b.is_ascii_uppercase()) => {
                Cow::Owned(name.to_ascii_lowercase())
            }
            None => Cow::Borrowed(name),
        }
    }

    /// The last valid line that set `name` (aliases resolved).
    pub fn last_entry(&self, name: &str) -> Option<&Entry> {
        self.last
            .get(self.primary_of(name).as_ref())
            .map(|&i| &self.entries[i])
    }

    /// Every valid line of `name`, in reading order (for directives that accumulate).
    pub fn entries_of<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Entry> + 'a {
        let primary = self.primary_of(name).into_owned();
        self.entries
            .iter()
            .filter(move |e| e.valid && e.key() == primary)
    }

    /// What the server runs with for `name`: the last line that set it, else the default of the
    /// target version. `None` when neither exists (unknown name, or a default of NULL).
    pub fn get(&self, name: &str) -> Option<Setting> {
        let primary = self.primary_of(name).into_owned();
        if let Some(&i) = self.last.get(&primary) {
            return Some(Setting {
                primary,
                args: self.entries[i].args.clone(),
                entry: Some(i),
            });
        }
        let args = self.default_args(&primary)?;
        Some(Setting {
            primary,
            args,
            entry: None,
        })
    }

    /// The value as redis-server reports it with `CONFIG GET` after startup: memory in bytes,
    /// numbers as the version's parser reads them (lenient before 6.0, `hz` clamped), save
    /// points after accumulation, list directives as space-separated words.
    pub fn server_value(&self, name: &str) -> Option<String> {
        use super::values::{atoi, memtoll_lenient, memtoull, strtol_octal_lenient};
        use crate::catalog::ValueType;
        use crate::version::Family;
        let setting = self.get(name);
        let family = self.target.family();
        let words = |s: &Setting| {
            s.args
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        match setting.as_ref().map(|s| s.primary.as_str()) {
            _ if name == "save" => {
                let points: Vec<String> = self
                    .save_points
                    .iter()
                    .map(|p| format!("{} {}", p.seconds, p.changes))
                    .collect();
                return Some(points.join(" "));
            }
            Some("replicaof" | "slaveof") => {
                let s = setting.as_ref()?;
                let no_one = s.args.len() == 2
                    && s.args[0].eq_ignore_ascii_case(b"no")
                    && s.args[1].eq_ignore_ascii_case(b"one");
                return Some(match (no_one, family) {
                    (true, Family::Chain) => "no 0".into(),
                    (true, _) => String::new(),
                    (false, _) => words(s),
                });
            }
            _ => {}
        }
        let setting = setting?;
        let (_, spec) = self.catalog.lookup(&setting.primary)?;
        let first = setting.args.first().unwrap_or_default();
        Some(match spec.value_type {
            ValueType::Memory if family == Family::Chain => {
                memtoll_lenient(first, self.target).to_string()
            }
            ValueType::Memory => memtoull(first)?.to_string(),
            ValueType::Int => {
                let v = if family == Family::Chain {
                    i64::from(atoi(first))
                } else {
                    super::values::string2ll(first)?
                };
                // hz is clamped after parsing, except by 6.0 (which then crashes on 0).
                let clamp = setting.primary == "hz" && self.target.redis_equivalent() != (6, 0);
                if clamp { v.clamp(1, 500) } else { v }.to_string()
            }
            ValueType::Octal => format!("{:o}", strtol_octal_lenient(first)),
            _ => words(&setting),
        })
    }

    /// The target version's default values of `name` (a MULTI_ARG default split in words).
    pub fn default_args(&self, name: &str) -> Option<ArgList> {
        let (primary, spec) = self.catalog.lookup(name)?;
        if self.sentinel
            && let Some(value) = sentinel_default(primary)
        {
            return Some([value].into_iter().collect());
        }
        let default = spec.default_value()?;
        Some(if spec.is_multi_arg() {
            default.split_ascii_whitespace().collect()
        } else {
            [default].into_iter().collect()
        })
    }

    /// Whether the value of `name` is unknown: a template's line with a value only its renderer
    /// knows, or a parameter a server did not let us read.
    pub fn is_opaque(&self, name: &str) -> bool {
        match self.last.get(self.primary_of(name).as_ref()) {
            Some(&i) => self.entries[i].opaque,
            None => self.server.as_ref().is_some_and(|s| !s.parameters_read),
        }
    }

    /// Whether `name` is set explicitly: some valid line of the file sets it, or, on a running
    /// server (which reports every parameter), its value differs from the version's default.
    pub fn is_written(&self, name: &str) -> bool {
        let Some(&i) = self.last.get(self.primary_of(name).as_ref()) else {
            return false;
        };
        match self.provenance {
            Provenance::File => true,
            Provenance::Server => !self.is_default_value(&self.entries[i]),
        }
    }

    /// Whether an entry's values are the target version's default (compared word by word, as
    /// numbers when both are numbers or memory sizes, else without case).
    pub fn is_default_value(&self, entry: &Entry) -> bool {
        let default = match entry.key() {
            // The catalog has no text for the built-in save points (initServerConfig's).
            "save" if self.target.at_least(6, 2) => {
                Some("3600 1 300 100 60 10000".split(' ').collect())
            }
            "save" => Some("900 1 300 10 60 10000".split(' ').collect()),
            key => self.default_args(key),
        };
        let Some(default) = default else {
            // No default (NULL): only an empty value is the default.
            return entry.args.iter().all(|a| a.is_empty());
        };
        let words = |args: &ArgList| -> Vec<Vec<u8>> {
            args.iter()
                .flat_map(|a| a.split(|b| b.is_ascii_whitespace()).map(<[u8]>::to_vec))
                .filter(|w| !w.is_empty())
                .collect()
        };
        let (a, b) = (words(&entry.args), words(&default));
        a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| same_word(x, y))
    }
}

/// Two values of a parameter that mean the same: equal without case, or the same number (a
/// memory size in bytes, as `CONFIG GET` prints it).
pub fn same_word(a: &[u8], b: &[u8]) -> bool {
    use super::values::{memtoull, string2ll};
    // An empty value is no number (memtoull reads it as 0).
    let number = |w: &[u8]| {
        string2ll(w)
            .map(i128::from)
            .or_else(|| memtoull(w).filter(|_| !w.is_empty()).map(i128::from))
    };
    a.eq_ignore_ascii_case(b) || matches!((number(a), number(b)), (Some(x), Some(y)) if x == y)
}

/// What a Sentinel starts with instead of the server's default (`initSentinelConfig`: its own
/// port, and protected mode off because other Sentinels must reach it).
pub fn sentinel_default(primary: &str) -> Option<&'static str> {
    match primary {
        "port" => Some("26379"),
        "protected-mode" => Some("no"),
        _ => None,
    }
}
