//! The directive catalog of each supported Redis and Valkey version.
//!
//! The data is generated from the Redis and Valkey sources by `scripts/gen_catalog.py` into
//! `rules/catalog/<product>-<major>.<minor>.toml` and embedded in the binary at build time.

use crate::version::{Product, Version};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

mod embedded {
    use super::*;
    include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Bool,
    Int,
    Memory,
    MemoryOrPercent,
    Octal,
    Enum,
    String,
    Special,
    Ignored,
}

/// How many values follow the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Args {
    Exactly(u32),
    /// MULTI_ARG: the directive validates its own values.
    Variadic,
    /// The loader does not check the count.
    Unchecked,
}

impl Args {
    /// The catalog's word for it.
    pub fn describe(self) -> String {
        match self {
            Args::Exactly(n) => n.to_string(),
            Args::Variadic => "variadic".into(),
            Args::Unchecked => "unchecked".into(),
        }
    }
}

#[derive(Debug)]
pub struct DirectiveSpec {
    pub aliases: &'static [&'static str],
    pub value_type: ValueType,
    pub args: Args,
    pub args_min: Option<u32>,
    min: Option<i128>,
    max: Option<i128>,
    /// As Redis would print it (`yes`/`no`, enum name, number); None when unset (NULL).
    default: Option<&'static str>,
    pub enum_values: &'static [&'static str],
    pub enum_bitflags: bool,
    pub flags: &'static [&'static str],
    pub conditional: Option<&'static str>,
    pub validator: Option<&'static str>,
    pub empty_string: Option<&'static str>,
    pub parser: &'static [&'static str],
    pub unvalidated: bool,
}

impl DirectiveSpec {
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f.eq_ignore_ascii_case(flag))
    }
    pub fn is_multi_arg(&self) -> bool {
        self.has_flag("MULTI_ARG") || self.args == Args::Variadic
    }
    pub fn is_sensitive(&self) -> bool {
        self.has_flag("SENSITIVE")
    }
    /// The built-in default as Redis would print it (`yes`/`no`, enum name, number), if any.
    pub fn default_value(&self) -> Option<String> {
        self.default.map(str::to_string)
    }
    pub fn min_value(&self) -> Option<i128> {
        self.min
    }
    pub fn max_value(&self) -> Option<i128> {
        self.max
    }
}

#[derive(Debug)]
pub struct Meta {
    pub product: &'static str,
    pub version: &'static str,
    pub has_standard_config_table: bool,
    pub module_config_names_with_dot: bool,
}

/// A `sentinel S ...` sub-directive.
#[derive(Debug)]
pub struct SentinelSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// Such as `"==5"`, `"==4 or ==5"`, `">=3"`.
    pub argc_including_keyword: Option<&'static str>,
    pub errors: &'static [&'static str],
}

/// A name → names table of a catalog, sorted by name.
#[derive(Debug, Clone, Copy)]
pub struct Table(&'static [(&'static str, &'static [&'static str])]);

impl Table {
    pub fn get(&self, key: &str) -> Option<&'static [&'static str]> {
        self.0
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| self.0[i].1)
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
        self.0.iter().copied()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Everything redlint knows about one version's config directives: Rust statics generated
/// by `build.rs` from `rules/catalog/`.
#[derive(Debug)]
pub struct Catalog {
    pub version: Version,
    pub meta: Meta,
    /// Primary name → spec, sorted by name.
    directives: &'static [(&'static str, DirectiveSpec)],
    /// Lowercase name or alias → index into `directives`, sorted.
    names: &'static [(&'static str, u16)],
    /// The same as a hash map, made at the first lookup (rules look names up all the time).
    index: OnceLock<HashMap<&'static str, u16>>,
    pub sentinel: &'static [SentinelSpec],
    /// Top-level command names, lowercase, sorted.
    pub commands: &'static [&'static str],
    pub acl_categories: &'static [&'static str],
    /// Command → its ACL categories (6.0+).
    pub command_categories: Table,
    /// Container command → its subcommands (7.0+).
    pub subcommands: Table,
    /// `container|sub` → its ACL categories (7.0+).
    pub subcommand_categories: Table,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("no catalog for {0}; known versions: {1}")]
    Unknown(String, String),
}

impl Catalog {
    /// The catalog of `version`.
    pub fn load(version: Version) -> Result<&'static Catalog, CatalogError> {
        embedded::CATALOGS
            .iter()
            .find(|c| c.version == version)
            .ok_or_else(|| {
                let known: Vec<String> = available().iter().map(|v| v.to_string()).collect();
                CatalogError::Unknown(version.key(), known.join(", "))
            })
    }

    /// Look a name up (case-insensitively, aliases included): the primary name and its spec.
    pub fn lookup(&self, name: &str) -> Option<(&'static str, &'static DirectiveSpec)> {
        let lower;
        let key = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = name.to_ascii_lowercase();
            lower.as_str()
        } else {
            name
        };
        let index = self
            .index
            .get_or_init(|| self.names.iter().copied().collect());
        let (primary, spec) = &self.directives[*index.get(key)? as usize];
        Some((primary, spec))
    }

    /// Every primary directive name with its spec, sorted by name.
    pub fn directives(&self) -> impl Iterator<Item = (&'static str, &'static DirectiveSpec)> {
        self.directives.iter().map(|(n, s)| (*n, s))
    }

    pub fn has_command(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        self.commands.binary_search(&lower.as_str()).is_ok()
    }

    /// ACL categories of a command (lowercase name), without `@`.
    pub fn command_categories(&self, command: &str) -> &'static [&'static str] {
        self.command_categories
            .get(command)
            .or_else(|| self.subcommand_categories.get(command))
            .unwrap_or(&[])
    }

    /// The closest known directive name, for "did you mean" (the first of equally close ones
    /// in name order). Answers are kept for the process: the same unknown name (an old
    /// directive, a common typo) comes back in file after file.
    pub fn suggest(&self, name: &str) -> Option<&'static str> {
        /// Enough for the distinct unknown names of any real run, bounded for hostile input.
        const KEPT: usize = 4096;
        type Answers = HashMap<(Version, String), Option<&'static str>>;
        static KNOWN: OnceLock<Mutex<Answers>> = OnceLock::new();
        let lower = name.to_ascii_lowercase();
        let known = KNOWN.get_or_init(Default::default);
        let key = (self.version, lower);
        if let Some(answer) = known.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return *answer;
        }
        let mut best: Option<(f64, &'static str)> = None;
        for (candidate, _) in self.names {
            let score = strsim::jaro_winkler(&key.1, candidate);
            if score > 0.85 && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, candidate));
            }
        }
        let answer = best.map(|(_, n)| n);
        let mut known = known.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() < KEPT {
            known.insert(key, answer);
        }
        answer
    }
}

/// The newest version whose catalog knows `name` (for "exists in X but not in Y"), from the
/// name index generated with the catalogs.
pub fn newest_with(name: &str) -> Option<Version> {
    let lower = name.to_ascii_lowercase();
    let index = embedded::NAME_INDEX;
    let i = index
        .binary_search_by(|(n, _)| (*n).cmp(lower.as_str()))
        .ok()?;
    let newest = *index[i].1.last()?;
    Some(embedded::CATALOGS[newest as usize].version)
}

/// Every version with a catalog, oldest first per product.
pub fn available() -> Vec<Version> {
    embedded::CATALOGS.iter().map(|c| c.version).collect()
}

/// The default target: the newest Redis with a catalog.
pub fn newest_redis() -> Option<Version> {
    available()
        .into_iter()
        .filter(|v| v.product == Product::Redis)
        .max_by_key(|v| (v.major, v.minor))
}
