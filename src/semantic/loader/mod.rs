//! Reads a config the way redis-server's `loadServerConfigFromString` does, line by line, and
//! records every line, its validity and the effective values. This file runs one read from
//! start to end, with the checks redis-server makes once the parse loop is done; the rest is
//! split by job: reading units and includes (`reading`), the validity of each line
//! (`validity`), the effect of valid lines (`effective`), where the secrets are (`masking`),
//! and the state they all share (`state`).

mod effective;
mod masking;
mod reading;
mod state;
mod validity;

use super::analysis::{Analysis, CheckOptions, LateError};
use super::model::{Model, Provenance};
use super::sentinel::{self, SentinelState};
use super::special::{self, SpecialState};
use super::startup::{self, EffectiveValues};
use crate::catalog::{Catalog, CatalogError};
use crate::checks::Check;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Sources, Span};
use crate::syntax::SyntaxTree;
use crate::version::Family;
use effective::default_save_points;
use reading::canonical;
use state::{Loader, SaveState};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

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
            root_not_a_config: false,
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
            not_a_config: loader.root_not_a_config,
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

    /// A finding at a span on disk (a NUL byte, which the unit's view drops); [`Self::report`]
    /// takes a range of the unit instead.
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

    /// A check redis-server makes once the whole file is read.
    fn late(&mut self, check: Check, span: Option<Span>, message: String, help: Option<String>) {
        let mut d = check.at(span, message);
        d.help = help;
        self.late.push(d);
    }

    /// The errors `special` and `sentinel` find once every line is read, each at its line.
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

    /// Checks redis-server makes after the parse loop and at startup.
    fn finish(&mut self) {
        let values = EffectiveValues {
            entries: &self.entries,
            last: &self.last,
            version: self.catalog.version,
            sentinel: self.sentinel_mode,
        };
        self.late.extend(startup::check(&values));
        self.late.extend(startup::module_configs_without_module(
            &values,
            &self.module_configs,
        ));
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
