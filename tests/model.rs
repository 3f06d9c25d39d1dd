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

/// Only rules about a file's wording stay off on a server: aliases, overridden lines, and
/// defaults left implicit (`file_only`).
#[test]
fn only_rules_about_the_wording_need_a_file() {
    let rules = builtin_rules();
    let file_only: Vec<&str> = rules
        .rules()
        .iter()
        .filter(|r| r.needs_file())
        .map(|r| r.id())
        .collect();
    assert_eq!(
        file_only,
        [
            "correctness/overridden-directive",
            "deprecated/old-directive-name",
            "memory/maxmemory-policy-implicit",
            "persistence/appendfsync-unset",
            "replication/diskless-sync-default-changed",
        ]
    );
}

/// On a server every parameter has a value: one is written when it is not the default.
#[test]
fn a_server_parameter_is_written_when_it_is_not_the_default() {
    let catalog = Catalog::load(Version::redis(7, 0)).unwrap();
    let model = Model::from_settings(
        catalog,
        &[
            ("maxmemory", values(&["0"])),
            ("maxmemory-policy", values(&["allkeys-lru"])),
            ("save", values(&["3600", "1", "300", "100", "60", "10000"])),
            ("appendfsync", values(&["EVERYSEC"])),
            (
                "client-output-buffer-limit",
                values(&["normal", "0", "0", "0"]),
            ),
        ],
    );
    assert!(!model.is_written("maxmemory"));
    assert!(model.is_written("maxmemory-policy"));
    assert!(!model.is_written("save"));
    assert!(
        !model.is_written("appendfsync"),
        "values compare without case"
    );
    assert!(!model.is_written("hz"), "not reported at all");
    let changed = Model::from_settings(catalog, &[("maxmemory", values(&["104857600"]))]);
    assert!(changed.is_written("maxmemory"));
}

/// The start-up refusals read effective values only: a server's values it could not restart
/// with are found too.
#[test]
fn startup_refusals_are_judged_on_a_server_model() {
    let catalog = Catalog::load(Version::redis(7, 0)).unwrap();
    let model = Model::from_settings(
        catalog,
        &[
            ("port", values(&["6380"])),
            ("tls-port", values(&["6380"])),
            ("tls-cert-file", values(&["/etc/redis/redis.crt"])),
            ("tls-key-file", values(&["/etc/redis/redis.key"])),
            ("tls-ca-cert-file", values(&["/etc/redis/ca.crt"])),
            ("cluster-enabled", values(&["yes"])),
            ("replicaof", values(&["10.0.0.1", "6379"])),
        ],
    );
    let ids: Vec<String> = redlint::semantic::startup_refusals(&model)
        .into_iter()
        .map(|d| d.rule)
        .collect();
    assert_eq!(
        ids,
        ["invalid/conflicting-directives", "invalid/port-collision"]
    );
    let fine = Model::from_settings(catalog, &[("port", values(&["6380"]))]);
    assert!(redlint::semantic::startup_refusals(&fine).is_empty());
}

#[test]
fn values_compare_as_numbers_only_when_they_are_numbers() {
    use redlint::semantic::same_word;
    assert!(same_word(b"256mb", b"268435456"));
    assert!(same_word(b"EVERYSEC", b"everysec"));
    assert!(!same_word(b"", b"0"), "an empty value is not 0");
    assert!(!same_word(b"yes", b"no"));
}
