//! The fix engine: a snapshot per rule of the safe and the unsafe diff of its trigger fixtures;
//! fixing twice changes nothing; fixes settle on every fixture and corpus file; line endings,
//! tabs, quotes, a missing final newline and include trees are kept; no byte outside an edit
//! changes; and the bad states (read-only, changed on disk, symlinks, invalid files, colliding
//! fixes, bad parameters) leave files as they were.

mod common;

use common::fixtures::cases;
use proptest::prelude::*;
use redlint::autofix::{self, FixError, FixRequest, Fixed, WriteError};
use redlint::{Applicability, CheckOptions, LintSettings, builtin_rules};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Parameters the snapshots and convergence runs use (TLS files need not exist to lint).
fn params() -> BTreeMap<String, String> {
    [
        ("maxmemory", "2gb"),
        ("appendonly", "yes"),
        ("tls-port", "6380"),
        ("tls-cert-file", "/etc/redis/tls/redis.crt"),
        ("tls-key-file", "/etc/redis/tls/redis.key"),
        ("tls-ca-cert-file", "/etc/redis/tls/ca.crt"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn settings(profile: Option<redlint::ruleset::raw::Profile>) -> LintSettings {
    LintSettings {
        profile,
        fix_params: params(),
        ..Default::default()
    }
}

fn options(target: redlint::Version, dir: &Path) -> CheckOptions {
    CheckOptions {
        target,
        cwd: Some(dir.to_path_buf()),
        ..Default::default()
    }
}

fn run(
    path: &Path,
    bytes: &[u8],
    options: &CheckOptions,
    settings: &LintSettings,
    threshold: Applicability,
) -> Result<Fixed, FixError> {
    let rules = builtin_rules();
    autofix::fix(&FixRequest {
        path,
        bytes,
        options,
        settings,
        rules: &rules,
        threshold,
        root_only: false,
    })
}

/// The fixed bytes of the checked file.
fn root_of(fixed: &Fixed, path: &Path, original: &[u8]) -> Vec<u8> {
    fixed
        .files
        .iter()
        .find(|f| f.path == path)
        .map_or(original.to_vec(), |f| f.fixed.clone())
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules")
}

fn rule_dirs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for cat in std::fs::read_dir(fixtures_root()).unwrap() {
        let cat = cat.unwrap().path();
        if !cat.is_dir() {
            continue;
        }
        for rule in std::fs::read_dir(&cat).unwrap() {
            let rule = rule.unwrap().path();
            if rule.is_dir() {
                out.push(rule);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fix_diffs_per_rule() {
    let root = fixtures_root();
    for dir in rule_dirs() {
        let id = dir.strip_prefix(&root).unwrap().display().to_string();
        let mut text = String::new();
        for case in cases(&dir).into_iter().filter(|c| c.trigger) {
            let bytes = std::fs::read(&case.path).unwrap();
            let shown = PathBuf::from(case.path.file_name().unwrap());
            let mut opts = options(case.target, &dir);
            opts.cwd = Some(dir.clone());
            for (label, threshold) in [
                ("safe", Applicability::Safe),
                ("unsafe", Applicability::Unsafe),
            ] {
                let result = run(&shown, &bytes, &opts, &settings(case.profile), threshold);
                let shown_result = match &result {
                    Ok(fixed) => {
                        let diff = autofix::diff(fixed, false);
                        if diff.is_empty() {
                            "(no change)\n".to_string()
                        } else {
                            diff
                        }
                    }
                    Err(e) => format!("(not fixed: {e})\n"),
                };
                text.push_str(&format!(
                    "=== {} at {} --{label}\n{shown_result}",
                    shown.display(),
                    case.target
                ));
            }
        }
        let name = id.replace('/', "__");
        insta::assert_snapshot!(format!("fix__{name}"), text);
    }
}

/// Fix, then fix the result again: the second run must change nothing and find no fix left.
fn assert_settles(path: &Path, bytes: &[u8], options: &CheckOptions, settings: &LintSettings) {
    let first = match run(path, bytes, options, settings, Applicability::Unsafe) {
        Ok(f) => f,
        Err(FixError::Invalid { .. } | FixError::NotAConfig { .. }) => return,
        Err(e) => panic!("{}: {e}", path.display()),
    };
    assert!(
        first.report.first_invalid().is_none(),
        "{}: fixing made the file invalid",
        path.display()
    );
    let fixed = root_of(&first, path, bytes);
    let mut overlay = BTreeMap::new();
    for f in &first.files {
        overlay.insert(f.path.clone(), f.fixed.clone());
    }
    let again_options = CheckOptions {
        overlay: std::sync::Arc::new(overlay),
        ..options.clone()
    };
    let second = run(
        path,
        &fixed,
        &again_options,
        settings,
        Applicability::Unsafe,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        second.files.is_empty(),
        "{}: fixing twice changed it again:\n{}",
        path.display(),
        autofix::diff(&second, true)
    );
    let left: Vec<&str> = second
        .report
        .diagnostics
        .iter()
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applies(Applicability::Unsafe))
        })
        .map(|d| d.rule.as_str())
        .collect();
    assert!(
        left.is_empty(),
        "{}: applicable fixes left: {left:?}",
        path.display()
    );
}

#[test]
fn fixing_twice_changes_nothing_on_every_fixture() {
    let mut checked = 0;
    for dir in rule_dirs() {
        for case in cases(&dir) {
            let bytes = std::fs::read(&case.path).unwrap();
            let opts = options(case.target, &dir);
            assert_settles(&case.path, &bytes, &opts, &settings(case.profile));
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked} fixtures");
}

#[test]
fn fixes_settle_on_every_corpus_file() {
    let Some(corpus) = common::shared("corpus") else {
        return;
    };
    let mut checked = 0;
    for sub in ["wild", "upstream"] {
        let mut files: Vec<PathBuf> = walk(&corpus.join(sub));
        files.sort();
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !name.ends_with(".conf") || name.contains("sentinel") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let opts = options("7.0".parse().unwrap(), dir.path());
            assert_settles(Path::new(&name), &bytes, &opts, &settings(None));
            checked += 1;
        }
    }
    println!("fixes settle on {checked} corpus files");
    assert!(checked > 50, "{checked}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn fix_text(text: &[u8], target: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = Path::new("redis.conf");
    let fixed = run(
        path,
        text,
        &options(target.parse().unwrap(), dir.path()),
        &settings(None),
        Applicability::Unsafe,
    )
    .unwrap();
    root_of(&fixed, path, text)
}

#[test]
fn line_endings_tabs_quotes_and_the_final_newline_are_kept() {
    // CRLF stays CRLF, for edited and for new lines.
    let crlf = fix_text(b"bind 0.0.0.0\r\nport 6379\r\n", "7.0");
    let text = String::from_utf8(crlf).unwrap();
    assert!(text.starts_with("bind 127.0.0.1 -::1\r\n"), "{text:?}");
    assert!(
        text.trim_end_matches('\n')
            .split('\n')
            .all(|l| l.ends_with('\r')),
        "every line keeps CR: {text:?}"
    );
    // No final newline: still none.
    let last = fix_text(b"bind 0.0.0.0\nport 6379", "7.0");
    assert!(
        !last.ends_with(b"\n"),
        "{:?}",
        String::from_utf8_lossy(&last)
    );
    // Tabs and quotes of untouched lines, and comments, are byte-identical.
    let src = b"# keep me\n\thz\t10\nlogfile \"\"\nbind 0.0.0.0\n";
    let fixed = fix_text(src, "7.0");
    let text = String::from_utf8(fixed).unwrap();
    assert!(
        text.starts_with("# keep me\n\thz\t10\nlogfile \"\"\n"),
        "{text}"
    );
    // A quoted multi-word value is written back quoted.
    let tls = fix_text(
        b"bind 127.0.0.1\ntls-port 6380\ntls-cert-file a.crt\ntls-key-file a.key\ntls-ca-cert-file ca.crt\ntls-protocols TLSv1\n",
        "7.0",
    );
    assert!(
        String::from_utf8_lossy(&tls).contains("tls-protocols \"TLSv1.2 TLSv1.3\"\n"),
        "{}",
        String::from_utf8_lossy(&tls)
    );
}

#[test]
fn edits_go_to_the_included_file_that_holds_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.conf"), "# network\nbind 0.0.0.0\n").unwrap();
    let main = b"include net.conf\nport 6379\n";
    let path = dir.path().join("redis.conf");
    std::fs::write(&path, main).unwrap();
    let fixed = run(
        &path,
        main,
        &options("7.0".parse().unwrap(), dir.path()),
        &settings(None),
        Applicability::Unsafe,
    )
    .unwrap();
    let inc = fixed
        .files
        .iter()
        .find(|f| f.path.ends_with("net.conf"))
        .expect("the included file is edited");
    assert_eq!(inc.fixed, b"# network\nbind 127.0.0.1 -::1\n");
    // The include line itself stays.
    let root = root_of(&fixed, &path, main);
    assert!(root.starts_with(b"include net.conf\n"));
    autofix::write(&fixed).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("net.conf")).unwrap(),
        b"# network\nbind 127.0.0.1 -::1\n"
    );
}

#[test]
fn per_version_fixes_are_valid_at_that_version() {
    // `-::1` (an optional address) exists from 6.2 only.
    let old = fix_text(b"bind 0.0.0.0\n", "6.0");
    assert!(String::from_utf8_lossy(&old).contains("bind 127.0.0.1\n"));
    let new = fix_text(b"bind 0.0.0.0\n", "6.2");
    assert!(String::from_utf8_lossy(&new).contains("bind 127.0.0.1 -::1\n"));
    // The implicit eviction policy written explicitly is the version's own default.
    let policy = fix_text(b"bind 127.0.0.1\nmaxmemory 1gb\n", "2.8");
    assert!(
        String::from_utf8_lossy(&policy).contains("maxmemory-policy volatile-lru"),
        "{}",
        String::from_utf8_lossy(&policy)
    );
    // Before 6.0 dangerous commands are renamed away; from 6.0 denied by ACL.
    let renamed = String::from_utf8(fix_text(b"bind 0.0.0.0\n", "5.0")).unwrap();
    assert!(
        renamed.contains("rename-command FLUSHALL \"\"\n"),
        "{renamed}"
    );
    let acl = String::from_utf8(fix_text(b"bind 0.0.0.0\n", "7.0")).unwrap();
    assert!(
        acl.contains("user default on >") && acl.contains(" -flushall"),
        "{acl}"
    );
    assert!(
        !acl.contains("requirepass"),
        "the password lives on the user line: {acl}"
    );
}

#[test]
fn passwords_are_random_and_never_in_the_diff() {
    let a = String::from_utf8(fix_text(b"bind 127.0.0.1\n", "5.0")).unwrap();
    let b = String::from_utf8(fix_text(b"bind 127.0.0.1\n", "5.0")).unwrap();
    let pw = |t: &str| {
        t.lines()
            .find_map(|l| l.strip_prefix("requirepass "))
            .map(str::to_string)
            .expect("a requirepass line")
    };
    let (pa, pb) = (pw(&a), pw(&b));
    assert_ne!(pa, pb);
    assert_eq!(pa.len(), 64, "32 random bytes in hex");
    assert!(pa.bytes().all(|c| c.is_ascii_hexdigit()));
    let dir = tempfile::tempdir().unwrap();
    let fixed = run(
        Path::new("redis.conf"),
        b"bind 127.0.0.1\n",
        &options("5.0".parse().unwrap(), dir.path()),
        &settings(None),
        Applicability::Unsafe,
    )
    .unwrap();
    let text = String::from_utf8(root_of(&fixed, Path::new("redis.conf"), b"")).unwrap();
    let (line, password) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            l.strip_prefix("requirepass ")
                .map(|p| (i + 1, p.to_string()))
        })
        .unwrap();
    let diff = autofix::diff(&fixed, false);
    assert!(diff.contains("+requirepass ********"), "{diff}");
    assert!(!diff.contains(&password));
    assert!(autofix::diff(&fixed, true).contains(&password));
    // Debug output of the fix does not show it either.
    assert!(!format!("{:?}", fixed.report).contains(&password));
    // The console can say where it went.
    let placed = &fixed.secrets[0];
    assert_eq!(placed.line, line);
}

#[test]
fn colliding_fixes_land_in_separate_passes() {
    // A weak requirepass and dangerous commands on 7.0: both change the default user's
    // password; the result has the new password once, on the `user default` line.
    let text = String::from_utf8(fix_text(b"bind 0.0.0.0\nrequirepass foobared\n", "7.0")).unwrap();
    assert!(!text.contains("foobared"), "{text}");
    assert_eq!(text.matches("user default").count(), 1, "{text}");
    assert!(!text.contains("requirepass"), "{text}");
}

#[test]
fn a_file_redis_server_rejects_is_not_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let result = run(
        Path::new("redis.conf"),
        b"bind 0.0.0.0\nmaxmemory 2GiB\n",
        &options("7.0".parse().unwrap(), dir.path()),
        &settings(None),
        Applicability::Unsafe,
    );
    assert!(
        matches!(result, Err(FixError::Invalid { .. })),
        "{result:?}"
    );
}

fn fixed_on_disk(text: &[u8]) -> (tempfile::TempDir, PathBuf, Fixed) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redis.conf");
    std::fs::write(&path, text).unwrap();
    let fixed = run(
        &path,
        text,
        &options("7.0".parse().unwrap(), dir.path()),
        &settings(None),
        Applicability::Unsafe,
    )
    .unwrap();
    (dir, path, fixed)
}

#[test]
fn writing_refuses_changed_and_read_only_files() {
    let text = b"bind 0.0.0.0\n";
    let (_dir, path, fixed) = fixed_on_disk(text);
    std::fs::write(&path, b"bind 0.0.0.0\nport 1\n").unwrap();
    assert!(matches!(
        autofix::write(&fixed),
        Err(WriteError::Changed { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), b"bind 0.0.0.0\nport 1\n");

    let (_dir, path, fixed) = fixed_on_disk(text);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).unwrap();
    assert!(matches!(
        autofix::write(&fixed),
        Err(WriteError::NotWritable { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), text);
}

#[cfg(unix)]
#[test]
fn writing_through_a_symlink_keeps_the_link_and_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.conf");
    std::fs::write(&target, b"bind 0.0.0.0\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("redis.conf");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let fixed = run(
        &link,
        b"bind 0.0.0.0\n",
        &options("7.0".parse().unwrap(), dir.path()),
        &settings(None),
        Applicability::Unsafe,
    )
    .unwrap();
    autofix::write(&fixed).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written = std::fs::read(&target).unwrap();
    assert!(written.starts_with(b"bind 127.0.0.1 -::1\n"));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

/// Lines random configs are made of: valid and risky directives, comments, blanks, CRLF, tabs.
const LINES: &[&str] = &[
    "bind 0.0.0.0",
    "bind 10.0.0.1 8.8.8.8",
    "port 6379",
    "protected-mode no",
    "requirepass foobared",
    "maxmemory 1gb",
    "maxmemory 2gb",
    "slaveof 10.0.0.2 6379",
    "appendonly yes",
    "hz 10",
    "tcp-keepalive 0",
    "\tloglevel\tverbose",
    "# a comment",
    "  # indented comment",
    "",
    "databases 16",
    "save 900 1",
    "rename-command CONFIG \"\"",
    "latency-monitor-threshold 0",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Applying one pass of fixes changes only the bytes inside the edits.
    #[test]
    fn no_byte_outside_an_edit_changes(
        picks in proptest::collection::vec(0..LINES.len(), 1..12),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = picks.iter().map(|&i| LINES[i]).collect::<Vec<_>>().join(eol);
        if final_newline {
            text.push_str(eol);
        }
        let bytes = text.into_bytes();
        let dir = tempfile::tempdir().unwrap();
        let opts = options("7.0".parse().unwrap(), dir.path());
        let report = redlint::lint_bytes(
            Path::new("p.conf"),
            bytes.as_slice(),
            &opts,
            &settings(None),
            &builtin_rules(),
        )
        .unwrap();
        for d in &report.diagnostics {
            let Some(fix) = &d.fix else { continue };
            if fix.edits.is_empty() || fix.file != redlint::FileId::ROOT {
                continue;
            }
            let out = redlint::fix::apply(&bytes, &fix.edits.iter().collect::<Vec<_>>());
            // Walk the edits: every byte between them is the original byte.
            let (mut src, mut dst) = (0usize, 0usize);
            for e in &fix.edits {
                let keep = e.range.start - src;
                prop_assert_eq!(&out[dst..dst + keep], &bytes[src..e.range.start]);
                dst += keep + e.content.len();
                src = e.range.end;
            }
            prop_assert_eq!(&out[dst..], &bytes[src..]);
        }
    }
}

#[test]
fn a_fix_that_breaks_the_config_writes_nothing_and_says_which() {
    let mut rules = (*builtin_rules()).clone();
    rules
        .add_source(
            "custom.toml",
            r#"
[[rule]]
id = "custom/bad-fix"
severity = "warning"
summary = "a rule whose fix writes a value redis-server rejects"
at = "hz"
when = { equals = { directive = "hz", value = "10" } }
message = "hz is 10"
rationale = "test"
fix = { safety = "safe", description = "set hz to a word", actions = [{ set = { directive = "hz", value = "fast" } }] }
"#,
            false,
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redis.conf");
    std::fs::write(&path, b"hz 10\n").unwrap();
    let result = autofix::fix(&FixRequest {
        path: &path,
        bytes: b"hz 10\n",
        options: &options("7.0".parse().unwrap(), dir.path()),
        settings: &settings(None),
        rules: &rules,
        threshold: Applicability::Safe,
        root_only: false,
    });
    match result {
        Err(FixError::BreaksConfig { fix, invalid, .. }) => {
            assert!(fix.starts_with("custom/bad-fix"), "{fix}");
            assert!(invalid.contains("invalid/bad-value"), "{invalid}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), b"hz 10\n");
}

#[test]
fn a_weak_requirepass_under_a_user_default_line_settles() {
    // Found by tests/fuzz_stable.rs: the new password went only to the `user default` line, so
    // the weak requirepass stayed and the fix ran again and again.
    let text = String::from_utf8(fix_text(
        b"user default on nopass ~* +@all\nrequirepass foobared\n",
        "7.0",
    ))
    .unwrap();
    assert!(!text.contains("foobared"), "{text}");
}
