//! Acceptance cases of the core rule set (network, security, tls, memory, persistence), run
//! through the library entry points on the configs in `fixtures/rules/core/`.

use redlint::ruleset::raw::Profile;
use redlint::version::Version;
use redlint::{CheckOptions, FileReport, LintSettings, builtin_rules, check_bytes, lint_bytes};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn core_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules/core")
}

fn options(target: &str) -> CheckOptions {
    CheckOptions {
        target: target.parse::<Version>().unwrap(),
        cwd: Some(core_dir()),
        ..Default::default()
    }
}

/// Check a core fixture with the built-in rules and default settings.
fn check(name: &str, target: &str) -> FileReport {
    let path = core_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    check_bytes(&path, bytes.as_slice(), &options(target)).expect("the target has a catalog")
}

/// Check a core fixture with a deployment profile.
fn check_profile(name: &str, target: &str, profile: Option<Profile>) -> FileReport {
    let path = core_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let settings = LintSettings {
        profile,
        ..Default::default()
    };
    lint_bytes(
        &path,
        bytes.as_slice(),
        &options(target),
        &settings,
        &builtin_rules(),
    )
    .expect("the target has a catalog")
}

fn ids(report: &FileReport) -> BTreeSet<String> {
    report.diagnostics.iter().map(|d| d.rule.clone()).collect()
}

fn listing(report: &FileReport) -> String {
    report
        .diagnostics
        .iter()
        .map(|d| format!("  {} (line {}): {}", d.rule, report.line(d), d.message))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_reports(report: &FileReport, id: &str) {
    assert!(
        report.diagnostics.iter().any(|d| d.rule == id),
        "{}: expected `{id}`, found:\n{}",
        report.path.display(),
        listing(report)
    );
}

fn assert_not_reports(report: &FileReport, id: &str) {
    assert!(
        !report.diagnostics.iter().any(|d| d.rule == id),
        "{}: `{id}` should not be reported, found:\n{}",
        report.path.display(),
        listing(report)
    );
}

fn assert_no_invalid(report: &FileReport) {
    let invalid: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.starts_with("invalid/"))
        .map(|d| format!("{}: {}", d.rule, d.message))
        .collect();
    assert!(
        invalid.is_empty(),
        "{}: redis-server would reject the config: {invalid:?}",
        report.path.display()
    );
}

/// What a hardened config must not report.
const HARDENED_SILENT: &[&str] = &[
    "network/bind-all-interfaces",
    "network/bind-public-address",
    "network/protected-mode-disabled",
    "security/no-authentication",
    "security/weak-password",
    "security/dangerous-commands-exposed",
    "tls/not-enabled",
    "memory/maxmemory-unset",
    "memory/maxmemory-policy-implicit",
    "persistence/appendfsync-unset",
    "persistence/appendonly-disabled",
    "persistence/no-persistence",
];

fn assert_hardened(report: &FileReport) {
    assert_no_invalid(report);
    for id in HARDENED_SILENT {
        assert_not_reports(report, id);
    }
}

#[test]
fn bind_all_only_reports_every_core_category() {
    let report = check("bind-all-only.conf", "7.0");
    assert_no_invalid(&report);
    for id in [
        "network/bind-all-interfaces",
        "security/no-authentication",
        "security/dangerous-commands-exposed",
        "tls/not-enabled",
        "memory/maxmemory-unset",
        "persistence/appendonly-disabled",
    ] {
        assert_reports(&report, id);
    }
}

#[test]
fn hardened_config_with_renamed_commands_is_quiet() {
    assert_hardened(&check("hardened.conf", "7.0"));
}

#[test]
fn hardened_config_with_acl_is_quiet() {
    assert_hardened(&check("hardened-acl.conf", "7.0"));
}

#[test]
fn hardening_in_an_included_file_counts_like_inline() {
    let included = check("hardened-include.conf", "7.0");
    assert_hardened(&included);
    // The include must really be read: the same findings as the inline version.
    assert_no_invalid(&included);
    let inline = check("hardened.conf", "7.0");
    assert_eq!(
        ids(&included),
        ids(&inline),
        "included:\n{}\ninline:\n{}",
        listing(&included),
        listing(&inline)
    );
}

#[test]
fn acl_only_authentication_counts() {
    let report = check("acl-only-auth.conf", "7.0");
    assert_no_invalid(&report);
    assert_not_reports(&report, "security/no-authentication");
    // The ACL line also denies @dangerous to the only user.
    assert_not_reports(&report, "security/dangerous-commands-exposed");
}

#[test]
fn nopass_default_user_overrides_requirepass() {
    let report = check("nopass-overrides-requirepass.conf", "7.0");
    assert_no_invalid(&report);
    assert_reports(&report, "security/no-authentication");
}

#[test]
fn bind_star_with_optional_ipv6_is_all_interfaces() {
    let report = check("bind-star-optional-v6.conf", "7.0");
    assert_no_invalid(&report);
    assert_reports(&report, "network/bind-all-interfaces");
}

#[test]
fn bind_loopback_is_not_all_interfaces() {
    let report = check("bind-loopback.conf", "7.0");
    assert_no_invalid(&report);
    assert_not_reports(&report, "network/bind-all-interfaces");
    assert_not_reports(&report, "network/bind-public-address");
    // Plaintext on loopback crosses no network.
    assert_not_reports(&report, "tls/not-enabled");
}

#[test]
fn maxmemory_zero_is_unset() {
    let report = check("maxmemory-zero.conf", "7.0");
    assert_no_invalid(&report);
    assert_reports(&report, "memory/maxmemory-unset");
    assert_not_reports(&report, "memory/maxmemory-policy-implicit");
}

#[test]
fn cache_profile_skips_persistence_rules() {
    // Each config reports a persistence rule without a profile, and none with `cache`.
    for (name, id) in [
        ("bind-all-only.conf", "persistence/appendonly-disabled"),
        ("durability-gaps.conf", "persistence/no-persistence"),
        ("aof-implicit-fsync.conf", "persistence/appendfsync-unset"),
    ] {
        let plain = check_profile(name, "7.0", None);
        assert_reports(&plain, id);
        let datastore = check_profile(name, "7.0", Some(Profile::Datastore));
        assert_reports(&datastore, id);
        let cache = check_profile(name, "7.0", Some(Profile::Cache));
        assert_no_invalid(&cache);
        let persistence: Vec<_> = cache
            .diagnostics
            .iter()
            .filter(|d| d.rule.starts_with("persistence/"))
            .map(|d| d.rule.clone())
            .collect();
        assert!(
            persistence.is_empty(),
            "{name} with --profile cache reports {persistence:?}"
        );
        // The profile only drops durability rules.
        assert_eq!(
            ids(&plain)
                .into_iter()
                .filter(|id| !id.starts_with("persistence/"))
                .collect::<BTreeSet<_>>(),
            ids(&cache),
            "{name}: the cache profile changed non-persistence findings"
        );
    }
}

fn assert_secret_hidden(report: &FileReport, secret: &str) {
    let human = redlint::report::Human {
        color: false,
        width: 100,
        quiet: false,
    }
    .render(report);
    let json = redlint::report::Json::render(std::slice::from_ref(report));
    assert!(
        !human.contains(secret),
        "{}: human output shows the secret:\n{human}",
        report.path.display()
    );
    assert!(
        !json.contains(secret),
        "{}: JSON output shows the secret:\n{json}",
        report.path.display()
    );
    // The outputs are not empty: the findings are there, only the secret is masked.
    assert!(!report.diagnostics.is_empty());
    assert!(human.contains(&report.diagnostics[0].rule));
    assert!(json.contains(&report.diagnostics[0].rule));
}

#[test]
fn requirepass_never_appears_in_output() {
    let report = check("secret.conf", "7.0");
    assert_no_invalid(&report);
    // The finding points at the requirepass line, so its source snippet is rendered.
    let weak = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "security/weak-password")
        .unwrap_or_else(|| panic!("weak-password not reported:\n{}", listing(&report)));
    assert_eq!(report.line(weak), 2);
    assert_secret_hidden(&report, "foobared");
}

#[test]
fn secrets_in_included_files_never_appear_in_output() {
    let report = check("secret-include.conf", "7.0");
    assert_no_invalid(&report);
    assert_reports(&report, "security/weak-password");
    assert_reports(&report, "security/weak-masterauth");
    assert_secret_hidden(&report, "foobared");
}

#[test]
fn acl_and_masterauth_secrets_never_appear_in_output() {
    let report = check("secret-acl.conf", "7.0");
    assert_no_invalid(&report);
    assert_reports(&report, "security/weak-masterauth");
    assert_secret_hidden(&report, "foobared");
}

#[test]
fn appendfsync_unset_names_the_implicit_fsync_policy() {
    // The implicit policy is appendfsync's default, everysec (every version), not the default
    // of the `appendonly` line the finding points at.
    let report = check("aof-implicit-fsync.conf", "7.0");
    let finding = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "persistence/appendfsync-unset")
        .unwrap_or_else(|| panic!("appendfsync-unset not reported:\n{}", listing(&report)));
    assert!(
        finding.message.contains("everysec") && !finding.message.contains("(no)"),
        "message names the wrong default: {}",
        finding.message
    );
}

/// The severity one rule gets on `text` (first finding of it).
fn severity_of(text: &str, id: &str, profile: Option<Profile>) -> redlint::Severity {
    let settings = LintSettings {
        profile,
        ..Default::default()
    };
    let report = lint_bytes(
        Path::new("redis.conf"),
        text.as_bytes(),
        &options("7.0"),
        &settings,
        &builtin_rules(),
    )
    .expect("the target has a catalog");
    report
        .diagnostics
        .iter()
        .find(|d| d.rule == id)
        .unwrap_or_else(|| panic!("no `{id}` in:\n{}", listing(&report)))
        .severity
}

/// Severities a CI can live with: what depends on the deployment or the umask is info.
#[test]
fn severities_follow_what_is_known() {
    use redlint::Severity::{Info, Warning};
    let no_limit = "bind 127.0.0.1\n";
    assert_eq!(severity_of(no_limit, "memory/maxmemory-unset", None), Info);
    assert_eq!(
        severity_of(no_limit, "memory/maxmemory-unset", Some(Profile::Cache)),
        Warning
    );
    let socket = "bind 127.0.0.1\nunixsocket /run/redis.sock\n";
    assert_eq!(
        severity_of(socket, "network/unixsocket-permissive", None),
        Info
    );
    assert_eq!(
        severity_of(
            &format!("{socket}unixsocketperm 777\n"),
            "network/unixsocket-permissive",
            None
        ),
        Warning
    );
    assert_eq!(
        severity_of("bind 127.0.0.1\nhz 200\n", "performance/hz-too-high", None),
        Info
    );
    // A public address, no password: protected mode (7.0 applies it with bind) blocks remote
    // clients, as for bind-all-interfaces; without it, nothing does.
    let public = "bind 203.0.113.7\n";
    assert_eq!(
        severity_of(public, "network/bind-public-address", None),
        Warning
    );
    assert_eq!(
        severity_of(
            &format!("{public}protected-mode no\n"),
            "network/bind-public-address",
            None
        ),
        redlint::Severity::Error
    );
    use redlint::Severity::Error;
    // Published or common passwords are errors; merely short or one-class ones warnings.
    let weak = |pw: &str| {
        severity_of(
            &format!("bind 127.0.0.1\nrequirepass {pw}\n"),
            "security/weak-password",
            None,
        )
    };
    assert_eq!(weak("foobared"), Error);
    assert_eq!(weak("short-Pass1"), Warning);
    assert_eq!(weak("correcthorsebatterystaplecorrecthorse"), Warning);
    let acl = |pw: &str| {
        severity_of(
            &format!("bind 127.0.0.1\nuser app on >{pw} ~* +@all\n"),
            "acl/weak-password",
            None,
        )
    };
    assert_eq!(acl("foobared"), Error);
    assert_eq!(acl("short-Pass1"), Warning);
    // Dangerous commands that only clients with a real secret reach: info.
    let hashed = format!("#{}", "a1".repeat(32));
    let admin = format!("bind 10.0.0.5\nuser default off\nuser admin on {hashed} ~* &* +@all\n");
    assert_eq!(
        severity_of(&admin, "security/dangerous-commands-exposed", None),
        Info
    );
    assert_eq!(
        severity_of(
            &format!("{admin}user app on nopass ~* +@all\n"),
            "security/dangerous-commands-exposed",
            None
        ),
        Warning
    );
}

/// The aclfile replaces every user at startup: it decides whether clients must authenticate,
/// not `requirepass` (7.0.15 leaves the default user `on nopass` when the file has no
/// `user default` line). An aclfile that cannot be read is assumed to require it, and said.
#[test]
fn an_aclfile_decides_authentication() {
    let dir = tempfile::tempdir().unwrap();
    let rules_for = |acl: Option<&str>| {
        match acl {
            Some(text) => std::fs::write(dir.path().join("users.acl"), text).unwrap(),
            None => {
                let _ = std::fs::remove_file(dir.path().join("users.acl"));
            }
        }
        let options = CheckOptions {
            target: "7.0".parse().unwrap(),
            cwd: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let text = "bind 10.0.0.5\nrequirepass \"kT7#vQ2-wP9!sL4mXz8R\"\naclfile users.acl\n";
        let report = lint_bytes(
            Path::new("redis.conf"),
            text.as_bytes(),
            &options,
            &LintSettings::default(),
            &builtin_rules(),
        )
        .unwrap();
        assert!(report.first_invalid().is_none(), "{}", listing(&report));
        report
            .diagnostics
            .iter()
            .map(|d| d.rule.clone())
            .collect::<Vec<_>>()
    };
    let open = "security/no-authentication".to_string();
    let admin_only = rules_for(Some("user admin on >kT7#vQ2-wP9!sL4mXz8R ~* &* +@all\n"));
    assert!(admin_only.contains(&open), "{admin_only:?}");
    let hashed = format!("user default on #{} ~* &* +@all\n", "a1".repeat(32));
    let with_default = rules_for(Some(&hashed));
    assert!(!with_default.contains(&open), "{with_default:?}");
    let missing = rules_for(None);
    assert!(!missing.contains(&open), "{missing:?}");
    assert!(missing.contains(&"environment/aclfile-not-found".to_string()));
}
