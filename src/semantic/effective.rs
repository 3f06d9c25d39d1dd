//! The effective configuration model that rules query.

use crate::catalog::Catalog;
use crate::diagnostic::Location;
use crate::syntax::SyntaxTree;
use crate::version::Version;
use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// One file read while loading: the checked file (index 0) or an included one.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub bytes: Arc<Vec<u8>>,
    pub tree: SyntaxTree,
}

/// One directive line, in the order redis-server reads it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index into [`EffectiveConfig::files`].
    pub file: usize,
    /// Index into that file's syntax tree lines.
    pub line: usize,
    /// The name as written, ASCII-lowercased.
    pub name: String,
    /// The catalog's primary name, when the name is known.
    pub primary: Option<String>,
    /// Decoded values (a lone MULTI_ARG value re-split as redis-server does from 7.0).
    pub args: Vec<Vec<u8>>,
    /// Spans of the value tokens as written (one per written token).
    pub arg_spans: Vec<Range<usize>>,
    /// Span of the name token.
    pub name_span: Range<usize>,
    /// Span of the whole (trimmed) line.
    pub span: Range<usize>,
    /// False when redis-server rejects the line.
    pub valid: bool,
}

impl Entry {
    pub fn key(&self) -> &str {
        self.primary.as_deref().unwrap_or(&self.name)
    }
    pub fn arg_str(&self, i: usize) -> Option<String> {
        self.args
            .get(i)
            .map(|a| String::from_utf8_lossy(a).into_owned())
    }
}

/// The value one directive runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub primary: String,
    pub args: Vec<Vec<u8>>,
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
pub struct EffectiveConfig {
    pub target: Version,
    pub catalog: Arc<Catalog>,
    pub files: Vec<SourceFile>,
    pub entries: Vec<Entry>,
    /// RDB save points the server ends up with, after the version's accumulation rules.
    pub save_points: Vec<(Vec<u8>, Vec<u8>)>,
    /// Primary name → index of the last valid entry.
    pub(crate) last: HashMap<String, usize>,
}

impl EffectiveConfig {
    fn primary_of(&self, name: &str) -> String {
        self.catalog
            .lookup(name)
            .map(|(p, _)| p.to_string())
            .unwrap_or_else(|| name.to_ascii_lowercase())
    }

    /// The last valid line that set `name` (aliases resolved).
    pub fn last_entry(&self, name: &str) -> Option<&Entry> {
        self.last
            .get(&self.primary_of(name))
            .map(|&i| &self.entries[i])
    }

    /// Every valid line of `name`, in reading order (for directives that accumulate).
    pub fn entries_of<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Entry> + 'a {
        let primary = self.primary_of(name);
        self.entries
            .iter()
            .filter(move |e| e.valid && e.key() == primary)
    }

    /// What the server runs with for `name`: the last line that set it, else the default of the
    /// target version. `None` when neither exists (unknown name, or a default of NULL).
    pub fn get(&self, name: &str) -> Option<Setting> {
        let primary = self.primary_of(name);
        if let Some(&i) = self.last.get(&primary) {
            return Some(Setting {
                primary,
                args: self.entries[i].args.clone(),
                entry: Some(i),
            });
        }
        let (_, spec) = self.catalog.lookup(&primary)?;
        let default = spec.default_value()?;
        let args = if spec.is_multi_arg() {
            default
                .split_ascii_whitespace()
                .map(|s| s.as_bytes().to_vec())
                .collect()
        } else {
            vec![default.into_bytes()]
        };
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
                    .map(|(a, b)| format!("{} {}", atoi(a), atoi(b)))
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
        let first = setting.args.first().cloned().unwrap_or_default();
        Some(match spec.value_type {
            ValueType::Memory if family == Family::Chain => {
                memtoll_lenient(&first, self.target).to_string()
            }
            ValueType::Memory => memtoull(&first)?.to_string(),
            ValueType::Int => {
                let v = if family == Family::Chain {
                    i64::from(atoi(&first))
                } else {
                    super::values::string2ll(&first)?
                };
                // hz is clamped after parsing, except by 6.0 (which then crashes on 0).
                let clamp = setting.primary == "hz" && self.target.redis_equivalent() != (6, 0);
                if clamp { v.clamp(1, 500) } else { v }.to_string()
            }
            ValueType::Octal => format!("{:o}", strtol_octal_lenient(&first)),
            _ => words(&setting),
        })
    }

    /// Whether some valid line sets `name`.
    pub fn is_set(&self, name: &str) -> bool {
        self.last.contains_key(&self.primary_of(name))
    }

    pub fn location(&self, entry: &Entry, span: Range<usize>) -> Location {
        let file = &self.files[entry.file];
        Location::in_tree(file.path.clone(), &file.tree, span)
    }

    /// Location of the start of the checked file, for findings about something absent.
    pub fn file_start(&self) -> Location {
        let file = &self.files[0];
        let end = file
            .bytes
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(file.bytes.len());
        Location::in_tree(file.path.clone(), &file.tree, 0..end)
    }
}
