//! Rules as data: `[[rule]]` tables in TOML files under `rules/`, read with serde ([`raw`]),
//! compiled once ([`compile`]) and evaluated by the generic engine over the effective model.

pub mod compile;
mod error;
mod pattern;
pub mod raw;
mod tree;
pub mod versions;

pub use compile::{
    Cond, FixOp, FixTemplate, FixValue, Foreach, ForeachKind, Override, PLACEHOLDERS, Rhs, Rule,
};
pub use error::{RuleError, RuleLoadError, RuleSource};

use crate::catalog::{self, Catalog};
use crate::checks::Check;
use error::load_error;
use raw::RuleFile;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

mod embedded {
    use super::tree::{Node, Value};
    include!(concat!(env!("OUT_DIR"), "/rules.rs"));
}

/// Ids that moved: settings, selectors and suppression comments naming the old id mean the new
/// one (old id, new id).
pub const REDIRECTS: &[(&str, &str)] = &[(
    "cluster/bus-port-out-of-range",
    "invalid/cluster-bus-port-out-of-range",
)];

/// The current id of `id` (itself unless it moved).
pub fn redirected(id: &str) -> &str {
    REDIRECTS
        .iter()
        .find(|(old, _)| *old == id)
        .map_or(id, |(_, new)| new)
}

/// The loaded rules, in file order; ids are unique among them and the built-in checks.
#[derive(Debug, Default, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    index: HashMap<String, usize>,
}

impl RuleSet {
    /// The rules embedded in the binary (`rules/*.toml`).
    /// They were parsed when redlint was built; their regexes are built on first use.
    pub fn builtin() -> Result<RuleSet, Box<RuleLoadError>> {
        let mut set = RuleSet::default();
        for ((name, text), tree) in embedded::RULE_SOURCES.iter().zip(embedded::RULE_TREES) {
            let source = Arc::new(RuleSource {
                name: format!("rules/{name}.toml"),
                text: text.to_string(),
            });
            let parsed = RuleFile::deserialize(tree::NodeDe(tree))
                .map_err(|e| load_error(&source, None, RuleError::Toml(e.to_string()), None))?;
            set.add_parsed(parsed, &source, true)?;
        }
        Ok(set)
    }

    /// Add every `*.toml` file of a directory (user rules).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Box<RuleLoadError>> {
        let io = |e: std::io::Error| {
            let source = RuleSource {
                name: dir.display().to_string(),
                text: String::new(),
            };
            load_error(&source, None, RuleError::Io(e.to_string()), None)
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(io)?;
            self.add_source(&path.display().to_string(), &text, false)?;
        }
        Ok(())
    }

    /// Parse, compile and add one rule file.
    pub fn add_source(
        &mut self,
        name: &str,
        text: &str,
        builtin: bool,
    ) -> Result<(), Box<RuleLoadError>> {
        let source = Arc::new(RuleSource {
            name: name.to_string(),
            text: text.to_string(),
        });
        let parsed: RuleFile = toml::from_str(text).map_err(|e| {
            load_error(
                &source,
                e.span(),
                RuleError::Toml(e.message().to_string()),
                None,
            )
        })?;
        self.add_parsed(parsed, &source, builtin)
    }

    fn add_parsed(
        &mut self,
        parsed: RuleFile,
        source: &Arc<RuleSource>,
        builtin: bool,
    ) -> Result<(), Box<RuleLoadError>> {
        for def in parsed.rule {
            let id_span = def.id.span();
            let rule = compile::compile(def, source, builtin)?;
            let id = rule.id().to_string();
            if self.index.contains_key(&id) || Check::from_id(&id).is_some() {
                return Err(load_error(
                    source,
                    Some(id_span),
                    RuleError::DuplicateId(id),
                    Some("rule ids are unique and never reused; pick another id".into()),
                ));
            }
            self.index.insert(id, self.rules.len());
            self.rules.push(rule);
        }
        Ok(())
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.index.get(id).map(|&i| &self.rules[i])
    }

    /// Whether `id` names a rule or a built-in check.
    pub fn knows(&self, id: &str) -> bool {
        self.index.contains_key(id) || Check::from_id(id).is_some()
    }

    /// Every id: rules, then built-in checks.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules
            .iter()
            .map(Rule::id)
            .chain(Check::ALL.iter().map(|c| c.id()))
    }

    /// Whether a selector (an id or a category prefix like `network` / `network/`) names anything.
    pub fn knows_selector(&self, selector: &str) -> bool {
        self.ids().any(|id| selector_matches(selector, id))
    }

    /// Check every directive name in the rules against the catalogs of all versions.
    pub fn check_directive_names(&self) -> Result<(), Box<RuleLoadError>> {
        let catalogs: Vec<&Catalog> = catalog::available()
            .into_iter()
            .filter_map(|v| Catalog::load(v).ok())
            .collect();
        for rule in &self.rules {
            for name in &rule.names {
                if !catalogs.iter().any(|c| c.lookup(name.get_ref()).is_some()) {
                    let suggestion = catalogs
                        .last()
                        .and_then(|c| c.suggest(name.get_ref()).map(str::to_string));
                    return Err(load_error(
                        &rule.source,
                        Some(name.span()),
                        RuleError::UnknownDirective {
                            rule: rule.id().to_string(),
                            name: name.get_ref().clone(),
                        },
                        suggestion.map(|s| format!("did you mean `{s}`?")),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Whether a selector (a rule id, or a category like `network` or `network/`) covers `id`.
pub fn selector_matches(selector: &str, id: &str) -> bool {
    let s = selector.trim_end_matches('/');
    id == s || id.split('/').next() == Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built-in regexes are built on first use; loading the same files as user rules builds
    /// every one now, so a bad pattern fails here rather than on some user's file.
    #[test]
    fn every_builtin_regex_builds() {
        let mut set = RuleSet::default();
        for (name, text) in embedded::RULE_SOURCES {
            if let Err(e) = set.add_source(&format!("rules/{name}.toml"), text, false) {
                panic!("{e}");
            }
        }
        assert_eq!(set.rules().len(), RuleSet::builtin().unwrap().rules().len());
    }

    /// The trees built with redlint read as the TOML text does, spans included.
    #[test]
    fn builtin_trees_read_as_their_toml() {
        for ((name, text), tree) in embedded::RULE_SOURCES.iter().zip(embedded::RULE_TREES) {
            let from_text: RuleFile = toml::from_str(text).unwrap();
            let from_tree = RuleFile::deserialize(tree::NodeDe(tree)).unwrap();
            assert_eq!(format!("{from_text:?}"), format!("{from_tree:?}"), "{name}");
        }
    }
}
