//! Embeds the rule files under `rules/` into the binary, and turns every generated catalog under
//! `rules/catalog/` into Rust statics (sorted slices, found by binary search), so redlint reads
//! no data files and parses no catalog at run time. A malformed catalog fails the build.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    files
}

/// Each rule file's text (shown in rule errors and `explain`), and its parsed tree.
fn embed_rules(dir: &Path, dest: &Path) {
    let mut out = String::new();
    let mut trees = String::new();
    writeln!(out, "pub static RULE_SOURCES: &[(&str, &str)] = &[").unwrap();
    writeln!(trees, "pub static RULE_TREES: &[Node] = &[").unwrap();
    for path in toml_files(dir) {
        let stem = path.file_stem().unwrap().to_string_lossy();
        let abs = fs::canonicalize(&path).unwrap();
        writeln!(
            out,
            "    ({stem:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let table = toml::de::DeTable::parse(&text)
            .unwrap_or_else(|e| panic!("{}: malformed rule file: {e}", path.display()));
        let span = table.span();
        let root = toml::de::DeValue::Table(table.into_inner());
        node_code(&root, span, &path, &mut trees);
        trees.push_str(",\n");
    }
    writeln!(out, "];").unwrap();
    writeln!(trees, "];").unwrap();
    out.push_str(&trees);
    fs::write(dest, out).unwrap();
}

/// A TOML value as the expression of a `Node` (see `src/ruleset/tree.rs`).
fn node_code(
    value: &toml::de::DeValue,
    span: std::ops::Range<usize>,
    file: &Path,
    out: &mut String,
) {
    use toml::de::DeValue;
    write!(
        out,
        "Node {{ start: {}, end: {}, value: ",
        span.start, span.end
    )
    .unwrap();
    match value {
        DeValue::String(s) => write!(out, "Value::Str({:?})", s.as_ref()).unwrap(),
        DeValue::Integer(i) => {
            let n = i64::from_str_radix(i.as_str(), i.radix())
                .unwrap_or_else(|_| panic!("{}: integer {i} is out of range", file.display()));
            write!(out, "Value::Int({n})").unwrap();
        }
        DeValue::Float(f) => panic!("{}: rule files have no floats ({f})", file.display()),
        DeValue::Boolean(b) => write!(out, "Value::Bool({b})").unwrap(),
        DeValue::Datetime(_) => panic!("{}: rule files have no dates", file.display()),
        DeValue::Array(items) => {
            out.push_str("Value::Array(&[");
            for item in items.iter() {
                node_code(item.get_ref(), item.span(), file, out);
                out.push_str(", ");
            }
            out.push_str("])");
        }
        DeValue::Table(table) => {
            out.push_str("Value::Table(&[");
            for (key, item) in table.iter() {
                write!(out, "({:?}, ", key.get_ref().as_ref()).unwrap();
                node_code(item.get_ref(), item.span(), file, out);
                out.push_str("), ");
            }
            out.push_str("])");
        }
    }
    out.push_str(" }");
}

// The catalog schema, as `scripts/gen_catalog.py` writes it (see the header of each file).

#[derive(Deserialize)]
struct CatalogFile {
    meta: Meta,
    #[serde(default)]
    directive: BTreeMap<String, Directive>,
    #[serde(default)]
    sentinel: BTreeMap<String, Sentinel>,
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

#[derive(Deserialize)]
struct Meta {
    product: String,
    version: String,
    #[serde(default)]
    has_standard_config_table: bool,
    #[serde(default)]
    module_config_names_with_dot: bool,
}

#[derive(Default, Deserialize)]
struct NameList {
    #[serde(default, alias = "categories")]
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Args {
    Exactly(u32),
    Keyword(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Bound {
    Int(i64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Directive {
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(rename = "type")]
    value_type: String,
    args: Option<Args>,
    args_min: Option<u32>,
    min: Option<Bound>,
    max: Option<Bound>,
    default: Option<toml::Value>,
    #[serde(default)]
    default_is_null: bool,
    #[serde(default)]
    enum_values: Vec<String>,
    #[serde(default)]
    enum_bitflags: bool,
    #[serde(default)]
    flags: Vec<String>,
    conditional: Option<String>,
    validator: Option<String>,
    empty_string: Option<String>,
    parser: Option<OneOrMany>,
    #[serde(default)]
    unvalidated: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sentinel {
    #[serde(default)]
    aliases: Vec<String>,
    argc_including_keyword: Option<String>,
    #[serde(default)]
    errors: Vec<String>,
}

fn strs(list: &[String]) -> String {
    let items: Vec<String> = list.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", items.join(", "))
}

fn opt_str(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("Some({s:?})"),
        None => "None".into(),
    }
}

fn bound(b: &Option<Bound>, what: &str, file: &str) -> String {
    match b {
        None => "None".into(),
        Some(Bound::Int(i)) => format!("Some({i})"),
        Some(Bound::Text(t)) => match t.trim().parse::<i128>() {
            Ok(v) => format!("Some({v})"),
            Err(_) => panic!("{file}: {what} bound {t:?} is no integer"),
        },
    }
}

fn value_type(t: &str, file: &str) -> &'static str {
    match t {
        "bool" => "Bool",
        "int" => "Int",
        "memory" => "Memory",
        "memory-or-percent" => "MemoryOrPercent",
        "octal" => "Octal",
        "enum" => "Enum",
        "string" => "String",
        "special" => "Special",
        "ignored" => "Ignored",
        other => panic!("{file}: unknown directive type {other:?}"),
    }
}

/// The built-in default as Redis would print it.
fn default_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => if *b { "yes" } else { "no" }.to_string(),
        other => other.to_string(),
    }
}

fn table(map: &BTreeMap<String, Vec<String>>) -> String {
    let rows: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("({k:?}, {})", strs(v)))
        .collect();
    format!("Table(&[{}])", rows.join(", "))
}

/// `redis-7.4` → the expression of its `Version`, and its sort key.
fn version_of(stem: &str) -> (String, (u8, u16, u16)) {
    let (product, number) = stem.split_once('-').expect("catalog names are product-M.N");
    let (major, minor) = number
        .split_once('.')
        .expect("catalog names are product-M.N");
    let (major, minor): (u16, u16) = (major.parse().unwrap(), minor.parse().unwrap());
    let (name, rank) = match product {
        "redis" => ("Redis", 0),
        "valkey" => ("Valkey", 1),
        other => panic!("unknown product {other:?}"),
    };
    (
        format!("Version {{ product: Product::{name}, major: {major}, minor: {minor} }}"),
        (rank, major, minor),
    )
}

fn catalog_code(stem: &str, version: &str, file: &CatalogFile, out: &mut String) {
    let m = &file.meta;
    writeln!(out, "Catalog {{\n    version: {version},").unwrap();
    writeln!(
        out,
        "    meta: Meta {{ product: {:?}, version: {:?}, has_standard_config_table: {}, module_config_names_with_dot: {} }},",
        m.product, m.version, m.has_standard_config_table, m.module_config_names_with_dot
    )
    .unwrap();
    writeln!(out, "    directives: &[").unwrap();
    // (lowercase name, is an alias, directive): a primary name wins over another's alias.
    let mut names: Vec<(String, bool, usize)> = Vec::new();
    for (i, (name, d)) in file.directive.iter().enumerate() {
        names.push((name.to_ascii_lowercase(), false, i));
        names.extend(d.aliases.iter().map(|a| (a.to_ascii_lowercase(), true, i)));
        let args = match &d.args {
            None => "Args::Exactly(1)".to_string(),
            Some(Args::Exactly(n)) => format!("Args::Exactly({n})"),
            Some(Args::Keyword(k)) if k == "variadic" => "Args::Variadic".to_string(),
            Some(Args::Keyword(k)) if k == "unchecked" => "Args::Unchecked".to_string(),
            Some(Args::Keyword(k)) => panic!("{stem}: `{name}` has args {k:?}"),
        };
        let parser = match &d.parser {
            None => Vec::new(),
            Some(OneOrMany::One(s)) => vec![s.clone()],
            Some(OneOrMany::Many(v)) => v.clone(),
        };
        let default = match (&d.default, d.default_is_null) {
            (Some(v), false) => format!("Some({:?})", default_text(v)),
            _ => "None".into(),
        };
        writeln!(
            out,
            "        ({name:?}, DirectiveSpec {{ aliases: {}, value_type: ValueType::{}, args: {args}, args_min: {:?}, min: {}, max: {}, default: {default}, enum_values: {}, enum_bitflags: {}, flags: {}, conditional: {}, validator: {}, empty_string: {}, parser: {}, unvalidated: {} }}),",
            strs(&d.aliases),
            value_type(&d.value_type, stem),
            d.args_min,
            bound(&d.min, "min", stem),
            bound(&d.max, "max", stem),
            strs(&d.enum_values),
            d.enum_bitflags,
            strs(&d.flags),
            opt_str(&d.conditional),
            opt_str(&d.validator),
            opt_str(&d.empty_string),
            strs(&parser),
            d.unvalidated,
        )
        .unwrap();
    }
    writeln!(out, "    ],").unwrap();
    names.sort();
    names.dedup_by(|a, b| a.0 == b.0);
    let rows: Vec<String> = names
        .iter()
        .map(|(n, _, i)| format!("({n:?}, {i})"))
        .collect();
    writeln!(out, "    names: &[{}],", rows.join(", ")).unwrap();
    writeln!(out, "    index: OnceLock::new(),").unwrap();
    writeln!(out, "    sentinel: &[").unwrap();
    for (name, s) in &file.sentinel {
        writeln!(
            out,
            "        SentinelSpec {{ name: {name:?}, aliases: {}, argc_including_keyword: {}, errors: {} }},",
            strs(&s.aliases),
            opt_str(&s.argc_including_keyword),
            strs(&s.errors)
        )
        .unwrap();
    }
    writeln!(out, "    ],").unwrap();
    let mut commands = file.commands.names.clone();
    commands.sort();
    writeln!(out, "    commands: {},", strs(&commands)).unwrap();
    writeln!(out, "    acl_categories: {},", strs(&file.acl.names)).unwrap();
    writeln!(
        out,
        "    command_categories: {},",
        table(&file.command_categories)
    )
    .unwrap();
    writeln!(out, "    subcommands: {},", table(&file.subcommands)).unwrap();
    writeln!(
        out,
        "    subcommand_categories: {},",
        table(&file.subcommand_categories)
    )
    .unwrap();
    writeln!(out, "}}").unwrap();
}

fn generate_catalogs(dir: &Path, dest: &Path) {
    let mut catalogs = Vec::new();
    for path in toml_files(dir) {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(&path).unwrap();
        let file: CatalogFile = toml::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: malformed catalog: {e}", path.display()));
        let (version, key) = version_of(&stem);
        catalogs.push((key, stem, version, file));
    }
    // Oldest first per product, as `available` lists them.
    catalogs.sort_by_key(|c| c.0);
    let mut out = String::new();
    let mut index: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    writeln!(
        out,
        "pub static CATALOGS: [Catalog; {}] = [",
        catalogs.len()
    )
    .unwrap();
    for (i, (_, stem, version, file)) in catalogs.iter().enumerate() {
        catalog_code(stem, version, file, &mut out);
        out.push_str(",\n");
        for (name, d) in &file.directive {
            for n in std::iter::once(name).chain(d.aliases.iter()) {
                let versions = index.entry(n.to_ascii_lowercase()).or_default();
                if versions.last() != Some(&i) {
                    versions.push(i);
                }
            }
        }
    }
    writeln!(out, "];").unwrap();
    // Lowercase directive name or alias → the catalogs (indexes into CATALOGS) that know it.
    let rows: Vec<String> = index
        .iter()
        .map(|(n, v)| format!("({n:?}, &{v:?})"))
        .collect();
    writeln!(
        out,
        "pub static NAME_INDEX: &[(&str, &[u16])] = &[{}];",
        rows.join(", ")
    )
    .unwrap();
    fs::write(dest, out).unwrap();
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Path::new(&env::var("OUT_DIR").unwrap()).to_path_buf();
    generate_catalogs(&root.join("rules/catalog"), &out.join("catalogs.rs"));
    embed_rules(&root.join("rules"), &out.join("rules.rs"));
}
