//! A config file checked: read as redis-server reads it, the rules run, suppressions applied;
//! and the rules run on a model with no file (a running server's).

use super::report::{Error, FileReport};
use crate::diagnostic::Diagnostic;
use crate::engine::{self, EngineOptions};
use crate::ruleset::RuleSet;
use crate::ruleset::raw::Mode;
use crate::semantic::CheckOptions;
use crate::settings::LintSettings;
use crate::source::FileId;

/// Check `bytes` as a config file.
pub(super) fn lint_config(
    path: &std::path::Path,
    bytes: impl Into<Vec<u8>>,
    options: &CheckOptions,
    settings: &LintSettings,
    rules: &RuleSet,
) -> Result<FileReport, Error> {
    let analysis = crate::semantic::analyze(path, bytes, options)?;
    let engine_options = EngineOptions {
        profile: settings.profile,
        params: settings.params.clone(),
        fix_params: settings.fix_params.clone(),
        deployment: settings.deployment.with_file(&analysis),
    };
    let mut diagnostics = analysis.diagnostics;
    // Sentinel rules run on Sentinel configs, the others on redis.conf files.
    let mode = if analysis.model.sentinel {
        Mode::Sentinel
    } else {
        Mode::Server
    };
    // A file in another format has nothing for the rules to judge.
    let runs = |r: &crate::ruleset::Rule| {
        !analysis.not_a_config && settings.runs(r) && r.mode().covers(mode)
    };
    engine::run(rules, &runs, &analysis.model, &engine_options, &mut |f| {
        let mut d = f.diagnostic;
        d.fix = f
            .plan
            .map(|p| crate::fix::materialize(&p, &analysis.sources, d.primary.as_ref()));
        diagnostics.push(d);
    });
    // Suppressions first, knowing which rules ran; then the selection, which covers the
    // suppression findings too.
    if !settings.no_suppress {
        let active = |id: &str| match rules.get(id) {
            Some(rule) => settings.runs(rule) && rule.mode().covers(mode),
            None => settings.selects(id),
        };
        diagnostics = crate::suppress::apply(
            &analysis.sources,
            &analysis.trees,
            rules,
            &active,
            diagnostics,
        );
    }
    settings.select_and_rate(&mut diagnostics);
    Ok(FileReport {
        path: path.to_path_buf(),
        diagnostics,
        sources: analysis.sources,
        secrets: analysis.secrets,
        sentinel: analysis.model.sentinel,
        server: None,
        not_a_config: analysis.not_a_config,
        views: analysis.views,
        notes: Vec::new(),
    })
}

/// Run the enabled rules on a model with no file behind it (a running server's values), with
/// the selection and severities of `settings`; suppression comments need a file.
pub fn lint_model(
    model: &crate::semantic::Model,
    settings: &LintSettings,
    rules: &RuleSet,
) -> Vec<Diagnostic> {
    let engine_options = EngineOptions {
        profile: settings.profile,
        params: settings.params.clone(),
        fix_params: settings.fix_params.clone(),
        deployment: settings.deployment.clone(),
    };
    let mode = if model.sentinel {
        Mode::Sentinel
    } else {
        Mode::Server
    };
    // Values the server could not restart with, unless some could not be read.
    let mut diagnostics = if model.server.as_ref().is_none_or(|s| s.parameters_read) {
        crate::semantic::startup_refusals(model)
    } else {
        Vec::new()
    };
    engine::run(
        rules,
        &|r| settings.runs(r) && r.mode().covers(mode),
        model,
        &engine_options,
        &mut |f| {
            let mut d = f.diagnostic;
            // There is no file to edit: a fix is advice.
            d.fix = f
                .plan
                .map(|p| crate::diagnostic::Fix::display_only(p.title, FileId::ROOT));
            diagnostics.push(d);
        },
    );
    settings.select_and_rate(&mut diagnostics);
    diagnostics
}
