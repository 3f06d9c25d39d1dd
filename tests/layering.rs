//! Data flows one way: no module of `src/` names a module of a later stage, and no two files of
//! one folder import each other (directly or in a longer loop).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages, first to last. A module may use its own stage and earlier ones.
const LAYERS: &[&[&str]] = &[
    &["version", "source", "syntax"],
    &["catalog", "diagnostic"],
    &["checks"],
    &["semantic"],
    &["embedded"],
    &["ruleset"],
    &["engine", "settings", "suppress", "docs"],
    &["fix"],
    &["linter"],
    &["autofix", "live"],
    &["report"],
    &["lib", "cli", "walk", "main"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or(text);
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Identifiers that follow `prefix` in `code` (`crate::semantic`, `super::view` ...).
fn names_after<'a>(code: &'a str, prefix: &str) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let after = &rest[i + prefix.len()..];
        // `prefix{a, b::c}` names `a` and `b`.
        if let Some(group) = after.strip_prefix('{') {
            let close = group.find('}').unwrap_or(group.len());
            for item in group[..close].split(',') {
                let item = item.trim();
                let end = item
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(item.len());
                if end > 0 {
                    out.insert(&item[..end]);
                }
            }
            rest = &group[close..];
            continue;
        }
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if end > 0 {
            out.insert(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

#[test]
fn no_module_uses_a_later_stage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&src).unwrap();
        let module = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let own = layer(&module).unwrap_or_else(|| panic!("{module}: add it to LAYERS"));
        let text = code(&std::fs::read_to_string(path).unwrap());
        let uses = names_after(&text, "crate::")
            .into_iter()
            .chain(names_after(&text, "redlint::"));
        for used in uses {
            if let Some(l) = layer(used)
                && l > own
            {
                wrong.push(format!("{} uses `{used}`, a later stage", rel.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_files_of_a_folder_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // folder → file stem → sibling stems it imports through `super::`.
    let mut graph: BTreeMap<PathBuf, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for path in &files {
        let dir = path.parent().unwrap().to_path_buf();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = code(&std::fs::read_to_string(path).unwrap());
        let siblings: BTreeSet<String> = if stem == "mod" {
            // A folder's face names its children with `mod x;` and `x::`; that is downward.
            BTreeSet::new()
        } else {
            names_after(&text, "super::")
                .into_iter()
                .map(|n| {
                    let sibling = dir.join(format!("{n}.rs"));
                    if sibling.is_file() {
                        n.to_string()
                    } else {
                        "mod".to_string()
                    }
                })
                .collect()
        };
        graph.entry(dir).or_default().insert(stem, siblings);
    }
    let mut loops = Vec::new();
    for (dir, edges) in &graph {
        // mod.rs imports every child it declares or re-exports.
        let mut edges = edges.clone();
        if let Some(face) = edges.get_mut("mod") {
            face.extend(graph[dir].keys().filter(|k| *k != "mod").cloned());
        }
        for start in edges.keys() {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<&String> = edges[start].iter().collect();
            while let Some(n) = stack.pop() {
                if n == start {
                    loops.push(format!(
                        "{}: {start}.rs is on an import loop",
                        dir.display()
                    ));
                    break;
                }
                if seen.insert(n.clone())
                    && let Some(next) = edges.get(n)
                {
                    stack.extend(next.iter());
                }
            }
        }
    }
    assert!(loops.is_empty(), "{}", loops.join("\n"));
}
