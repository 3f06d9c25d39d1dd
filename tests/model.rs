//! The rule engine needs only the model: a model of effective values with no file behind it
//! (what a running server reports) runs every rule that does not read a file's wording.

use redlint::catalog::Catalog;
use redlint::engine::{self, EngineOptions};
use redlint::semantic::Model;
use redlint::{Version, builtin_rules};

fn values(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

#[test]
fn rules_run_on_a_model_without_a_file() {
    let catalog = Catalog::load(Version::redis(7, 0)).unwrap();
    let model = Model::from_settings(
        catalog,
        &[
            ("bind", values(&["0.0.0.0"])),
            ("protected-mode", values(&["no"])),
            ("requirepass", values(&[""])),
            ("maxmemory", values(&["0"])),
            ("save", values(&["3600", "1"])),
        ],
    );
    assert!(!model.has_file());
    let rules = builtin_rules();
    let mut found: Vec<redlint::Diagnostic> = Vec::new();
    engine::run(
        &rules,
        &|_| true,
        &model,
        &EngineOptions::default(),
        &mut |f| found.push(f.diagnostic),
    );
    let ids: Vec<&str> = found.iter().map(|d| d.rule.as_str()).collect();
    assert!(ids.contains(&"network/bind-all-interfaces"), "{ids:?}");
    assert!(ids.contains(&"security/no-authentication"), "{ids:?}");
    // Nothing points into a file, and rules about the file's wording did not run.
    assert!(found.iter().all(|d| d.primary.is_none()), "{found:?}");
    for d in &found {
        let rule = rules.get(&d.rule).unwrap();
        assert!(!rule.needs_file(), "{} reads the file's wording", d.rule);
    }
    assert!(
        rules.rules().iter().any(|r| r.needs_file()),
        "some rules read the wording (written, aliases, shadowed lines)"
    );
}
