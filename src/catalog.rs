//! The directive catalog of each supported Redis and Valkey version.
//!
//! The data is generated from the Redis and Valkey sources by `scripts/gen_catalog.py` into
//! `rules/catalog/<product>-<major>.<minor>.toml` and embedded in the binary at build time.

use crate::version::{Product, Version};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Args {
    Exactly(u32),
    /// `"variadic"` (MULTI_ARG) or `"unchecked"`.
    Keyword(String),
}

impl Default for Args {
    fn default() -> Self {
        Args::Exactly(1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Bound {
    Int(i64),
    Text(String),
}

impl Bound {
    pub fn value(&self) -> Option<i128> {
        match self {
            Bound::Int(i) => Some(*i as i128),
            Bound::Text(t) => t.trim().parse().ok(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DirectiveSpec {
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(rename = "type")]
    pub value_type: ValueType,
    #[serde(default)]
    pub args: Args,
    pub args_min: Option<u32>,
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    default: Option<toml::Value>,
    #[serde(default)]
    pub default_is_null: bool,
    #[serde(default)]
    pub enum_values: Vec<String>,
    #[serde(default)]
    pub enum_bitflags: bool,
    #[serde(default)]
    pub flags: Vec<String>,
    pub conditional: Option<String>,
    pub validator: Option<String>,
    pub empty_string: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub parser: Vec<String>,
    #[serde(default)]
    pub unvalidated: bool,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

impl DirectiveSpec {
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f.eq_ignore_ascii_case(flag))
    }
    pub fn is_multi_arg(&self) -> bool {
        self.has_flag("MULTI_ARG") || self.args == Args::Keyword("variadic".into())
    }
    pub fn is_sensitive(&self) -> bool {
        self.has_flag("SENSITIVE")
    }
    /// The built-in default as Redis would print it (`yes`/`no`, enum name, number), if any.
    pub fn default_value(&self) -> Option<String> {
        if self.default_is_null {
            return None;
        }
        match self.default.as_ref()? {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Integer(i) => Some(i.to_string()),
            toml::Value::Float(f) => Some(f.to_string()),
            toml::Value::Boolean(b) => Some(if *b { "yes" } else { "no" }.to_string()),
            other => Some(other.to_string()),
        }
    }
    pub fn min_value(&self) -> Option<i128> {
        self.min.as_ref().and_then(Bound::value)
    }
    pub fn max_value(&self) -> Option<i128> {
        self.max.as_ref().and_then(Bound::value)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Meta {
    pub product: String,
    pub version: String,
    #[serde(default)]
    pub has_standard_config_table: bool,
    #[serde(default)]
    pub module_config_names_with_dot: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct NameList {
    #[serde(default, alias = "categories")]
    names: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    meta: Meta,
    #[serde(default)]
    directive: BTreeMap<String, DirectiveSpec>,
    #[serde(default)]
    sentinel: BTreeMap<String, toml::Table>,
    #[serde(default)]
    commands: NameList,
    #[serde(default)]
    acl: NameList,
    #[serde(default)]
    command_categories: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    subcommands: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    subcommand_categories: BTreeMap<String, Vec<String>>,
}

/// Everything redlint knows about one version's config directives.
#[derive(Debug)]
pub struct Catalog {
    pub version: Version,
    pub meta: Meta,
    pub directives: BTreeMap<String, DirectiveSpec>,
    pub sentinel: BTreeMap<String, toml::Table>,
    /// Top-level command names, lowercase.
    pub commands: Vec<String>,
    pub acl_categories: Vec<String>,
    /// Command → its ACL categories (6.0+).
    pub command_categories: BTreeMap<String, Vec<String>>,
    /// Container command → its subcommands (7.0+).
    pub subcommands: BTreeMap<String, Vec<String>>,
    /// `container|sub` → its ACL categories (7.0+).
    pub subcommand_categories: BTreeMap<String, Vec<String>>,
    /// Lowercase name or alias → primary name.
    names: HashMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("no catalog for {0}; known versions: {1}")]
    Unknown(String, String),
    #[error("the embedded catalog {0} is malformed: {1}")]
    Malformed(String, String),
}

impl Catalog {
    pub fn from_toml(version: Version, text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile = toml::from_str(text)
            .map_err(|e| CatalogError::Malformed(version.to_string(), e.to_string()))?;
        let mut names = HashMap::new();
        for (name, spec) in &file.directive {
            names.insert(name.to_ascii_lowercase(), name.clone());
            for alias in &spec.aliases {
                names.insert(alias.to_ascii_lowercase(), name.clone());
            }
        }
        Ok(Catalog {
            version,
            meta: file.meta,
            directives: file.directive,
            sentinel: file.sentinel,
            commands: file.commands.names,
            acl_categories: file.acl.names,
            command_categories: file.command_categories,
            subcommands: file.subcommands,
            subcommand_categories: file.subcommand_categories,
            names,
        })
    }

    /// The catalog of `version`, parsed once per process.
    pub fn load(version: Version) -> Result<Arc<Catalog>, CatalogError> {
        static CACHE: OnceLock<Mutex<HashMap<Version, Arc<Catalog>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(c) = cache.lock().unwrap().get(&version) {
            return Ok(c.clone());
        }
        let key = version.key();
        let text = embedded::CATALOG_SOURCES
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                let known: Vec<String> = available().iter().map(|v| v.to_string()).collect();
                CatalogError::Unknown(key.clone(), known.join(", "))
            })?;
        let catalog = Arc::new(Catalog::from_toml(version, text)?);
        cache.lock().unwrap().insert(version, catalog.clone());
        Ok(catalog)
    }

    /// Look a name up (case-insensitively, aliases included): the primary name and its spec.
    pub fn lookup(&self, name: &str) -> Option<(&str, &DirectiveSpec)> {
        let primary = self.names.get(&name.to_ascii_lowercase())?;
        self.directives
            .get_key_value(primary)
            .map(|(k, v)| (k.as_str(), v))
    }

    pub fn has_command(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        self.commands.contains(&lower)
    }

    /// ACL categories of a command (lowercase name), without `@`.
    pub fn command_categories(&self, command: &str) -> &[String] {
        self.command_categories
            .get(command)
            .or_else(|| self.subcommand_categories.get(command))
            .map_or(&[], |c| c.as_slice())
    }

    /// The closest known directive name, for "did you mean".
    pub fn suggest(&self, name: &str) -> Option<&str> {
        let lower = name.to_ascii_lowercase();
        let mut best: Option<(f64, &str)> = None;
        for known in self.names.keys() {
            let score = strsim::jaro_winkler(&lower, known);
            if score > 0.85 && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, known.as_str()));
            }
        }
        best.map(|(_, n)| n)
    }
}

/// The newest version whose catalog knows `name` (for "exists in X but not in Y"), from a
/// name index built once per process.
pub fn newest_with(name: &str) -> Option<Version> {
    static INDEX: OnceLock<HashMap<String, Version>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for v in available() {
            if let Ok(c) = Catalog::load(v) {
                for n in c.names.keys() {
                    index.insert(n.clone(), v);
                }
            }
        }
        index
    });
    index.get(&name.to_ascii_lowercase()).copied()
}

/// Every version with an embedded catalog, oldest first per product.
pub fn available() -> Vec<Version> {
    let mut versions: Vec<Version> = embedded::CATALOG_SOURCES
        .iter()
        .filter_map(|(k, _)| k.parse().ok())
        .collect();
    versions.sort_by_key(|v| (v.product, v.major, v.minor));
    versions
}

/// The default target: the newest Redis with a catalog.
pub fn newest_redis() -> Option<Version> {
    available()
        .into_iter()
        .filter(|v| v.product == Product::Redis)
        .max_by_key(|v| (v.major, v.minor))
}
