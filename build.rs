//! Embeds every generated catalog under `rules/catalog/` and every rule file under `rules/` into
//! the binary, so redlint needs no data files at run time.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn embed(dir: &Path, name: &str, dest: &Path) {
    let mut out = String::new();
    let out = &mut out;
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    writeln!(out, "pub static {name}: &[(&str, &str)] = &[").unwrap();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path.file_stem().unwrap().to_string_lossy();
        let abs = fs::canonicalize(&path).unwrap();
        writeln!(
            out,
            "    ({stem:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
    fs::write(dest, out).unwrap();
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Path::new(&env::var("OUT_DIR").unwrap()).to_path_buf();
    embed(
        &root.join("rules/catalog"),
        "CATALOG_SOURCES",
        &out.join("catalogs.rs"),
    );
    embed(&root.join("rules"), "RULE_SOURCES", &out.join("rules.rs"));
}
