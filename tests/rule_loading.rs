//! Rule files are validated when loaded; errors point into the TOML file.

use redlint::ruleset::RuleSet;

const GOOD: &str = r#"
[[rule]]
id = "custom/maxclients-low"
severity = "warning"
summary = "maxclients is low"
at = "maxclients"
when = { compare = { directive = "maxclients", op = "<", value = "100" } }
message = "`maxclients {value}` is below 100"
rationale = "Too few client slots."
"#;

fn load(text: &str) -> Result<RuleSet, Box<redlint::ruleset::RuleLoadError>> {
    let mut set = RuleSet::builtin()?;
    set.add_source("custom.toml", text, false)?;
    set.check_directive_names()?;
    Ok(set)
}

fn error_of(text: &str) -> (String, Option<usize>) {
    let Err(e) = load(text) else {
        panic!("the rule file should be rejected")
    };
    let offset = e.span.map(|s| s.offset());
    (e.to_string(), offset)
}

#[test]
fn a_valid_user_rule_loads_and_runs() {
    let set = load(GOOD).unwrap();
    assert!(set.get("custom/maxclients-low").is_some());
    let options = redlint::CheckOptions {
        target: "7.0".parse().unwrap(),
        cwd: None,
        ..Default::default()
    };
    let report = redlint::lint_bytes(
        std::path::Path::new("x.conf"),
        b"maxclients 10\n",
        &options,
        &Default::default(),
        &set,
    )
    .expect("the target has a catalog");
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "custom/maxclients-low")
        .expect("custom rule fires");
    assert_eq!(d.message, "`maxclients 10` is below 100");
    assert_eq!(report.line(d), 1);
}

#[test]
fn unknown_keys_are_errors_pointing_at_them() {
    let text = GOOD.replace("summary =", "sumary =");
    let (msg, offset) = error_of(&text);
    assert!(msg.contains("sumary"), "{msg}");
    let offset = offset.expect("a span");
    assert!(
        text[offset..].starts_with("sumary") || text[..offset].contains("[[rule]]"),
        "span at {offset}"
    );
}

#[test]
fn unknown_directives_suggest_the_right_name() {
    let text = GOOD.replace("directive = \"maxclients\"", "directive = \"maxclient\"");
    let e = load(&text).err().unwrap();
    assert!(
        e.to_string().contains("unknown directive `maxclient`"),
        "{e}"
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `maxclients`?"));
    let offset = e.span.unwrap().offset();
    assert!(
        text[offset..].starts_with("\"maxclient\""),
        "span points at the name"
    );
}

#[test]
fn unknown_placeholders_are_errors() {
    let (msg, offset) = error_of(&GOOD.replace("{value}", "{valeu}"));
    assert!(msg.contains("unknown placeholder `{valeu}`"), "{msg}");
    assert!(offset.is_some());
}

#[test]
fn duplicate_ids_are_errors() {
    let twice = format!("{GOOD}\n{GOOD}");
    let (msg, _) = error_of(&twice);
    assert!(
        msg.contains("duplicate rule id `custom/maxclients-low`"),
        "{msg}"
    );
    // A user rule may not take a built-in id either.
    let (msg, _) = error_of(&GOOD.replace("custom/maxclients-low", "network/bind-all-interfaces"));
    assert!(msg.contains("duplicate rule id"), "{msg}");
}

#[test]
fn bad_ids_versions_and_regexes_are_errors() {
    assert!(
        error_of(&GOOD.replace("custom/maxclients-low", "MaxClients"))
            .0
            .contains("category/kebab-name")
    );
    let versioned = GOOD.replace(
        "at = \"maxclients\"",
        "versions = \"~7\"\nat = \"maxclients\"",
    );
    assert!(error_of(&versioned).0.contains("versions"));
    let regex = GOOD.replace(
        "when = { compare = { directive = \"maxclients\", op = \"<\", value = \"100\" } }",
        "when = { matches = { directive = \"maxclients\", regex = \"(\" } }",
    );
    assert!(error_of(&regex).0.contains("bad regex"));
}

#[test]
fn a_bad_version_inside_when_is_a_load_error() {
    let text = GOOD.replace(
        "when = { compare = { directive = \"maxclients\", op = \"<\", value = \"100\" } }",
        "when = { all = [{ version = \">=7,0\" }, { compare = { directive = \"maxclients\", op = \"<\", value = \"100\" } }] }",
    );
    let Err(e) = load(&text) else {
        panic!("a bad version inside `when` must not load")
    };
    assert!(
        matches!(e.kind, redlint::ruleset::RuleError::BadVersions { .. }),
        "{e}"
    );
    let offset = e.span.expect("a span").offset();
    assert!(text[offset..].starts_with("\">=7,0\""), "span at {offset}");
}

#[test]
fn fix_actions_must_fit_what_the_rule_iterates() {
    let fix = |action: &str| {
        GOOD.replace(
            "rationale = \"Too few client slots.\"",
            &format!(
                "rationale = \"Too few client slots.\"\nfix = {{ safety = \"safe\", description = \"d\", actions = [{action}] }}"
            ),
        )
    };
    for (action, why) in [
        ("{ remove_arg = {} }", "remove_arg"),
        ("{ rename_directive = {} }", "rename_directive"),
        ("{ remove = { which = \"item\" } }", "which = \"item\""),
        ("{ remove = { which = \"all\" } }", "needs a `directive`"),
    ] {
        let Err(e) = load(&fix(action)) else {
            panic!("{action} should be rejected")
        };
        assert!(
            matches!(e.kind, redlint::ruleset::RuleError::BadFix { .. })
                && e.to_string().contains(why),
            "{action}: {e}"
        );
    }
    // A fix declared safe with no action is advice only.
    let set = load(&fix("")).unwrap();
    let declared = set.get("custom/maxclients-low").unwrap().fix().unwrap();
    assert_eq!(declared.applicability, redlint::Applicability::DisplayOnly);
    // The overridden-directive fix removes the item's own line, whatever directive it is.
    let builtin = RuleSet::builtin().unwrap();
    let overridden = builtin.get("correctness/overridden-directive").unwrap();
    assert_eq!(
        overridden.fix().unwrap().actions,
        vec![redlint::ruleset::FixOp::Remove {
            directive: None,
            which: redlint::ruleset::raw::Which::Item
        }]
    );
}
