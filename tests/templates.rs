//! Templates read right: markup is one piece of a value whatever quotes and spaces it holds,
//! and a plain config holding markup is reported as redis-server reads it, plus the placeholder.

use redlint::semantic::CheckOptions;
use std::path::Path;

fn rules_of(name: &str, text: &str, template: Option<bool>) -> Vec<(usize, String)> {
    let options = CheckOptions {
        target: "7.0".parse().unwrap(),
        template,
        ..Default::default()
    };
    let report = redlint::check_bytes(Path::new(name), text.as_bytes(), &options).unwrap();
    report
        .diagnostics
        .iter()
        .map(|d| (report.line(d), d.rule.clone()))
        .collect()
}

#[test]
fn markup_with_quotes_and_spaces_is_one_unknown_value() {
    let text = "{% if redis_bind %}\nbind {{ redis_bind | default('127.0.0.1') }}\n{% endif %}\nrequirepass {{ \"%s\" | format(pw) }}\nport ${PORT:-6379}\n";
    let found = rules_of("redis.conf.j2", text, None);
    assert!(
        !found.iter().any(|(_, r)| r.starts_with("invalid/")),
        "{found:?}"
    );
    // Values the renderer fills in are not judged: no weak password, no open bind.
    for id in [
        "security/weak-password",
        "network/bind-all-interfaces",
        "security/no-authentication",
    ] {
        assert!(!found.iter().any(|(_, r)| r == id), "{id}: {found:?}");
    }
    // The same markup outside template mode is what redis-server sees: three values, quotes.
    let plain = rules_of("redis.conf", text, Some(false));
    assert!(
        plain.iter().any(|(_, r)| r.starts_with("invalid/")),
        "{plain:?}"
    );
}

#[test]
fn a_plain_config_with_markup_is_invalid_and_a_placeholder() {
    let found = rules_of("redis.conf", "requirepass {{ pw }}\nport 6379\n", None);
    assert!(
        found.contains(&(1, "invalid/wrong-arity".to_string())),
        "{found:?}"
    );
    assert!(
        found.contains(&(1, "correctness/unexpanded-placeholder".to_string())),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(_, r)| r == "security/weak-password"),
        "{found:?}"
    );
}
