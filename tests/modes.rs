//! What kind of file a config is when nobody says: Sentinel configs found from their names and
//! lines, templates found from their names and control lines, and the flags and `[per-file]`
//! settings that override both.

mod common;

use redlint::semantic::detect::{is_sentinel, is_template};
use redlint::{CheckOptions, check_bytes};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn redlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redlint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Each file's `mode` and rules in `--format json` output.
fn modes(o: &Output) -> Vec<(String, Vec<String>)> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)));
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let rules = f["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["rule"].as_str().unwrap().to_string())
                .collect();
            (f["mode"].as_str().unwrap().to_string(), rules)
        })
        .collect()
}

#[test]
fn stock_configs_of_every_version_are_told_apart() {
    let Some(dir) = common::shared("corpus/upstream") else {
        return;
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    names.sort();
    let (mut sentinels, mut servers) = (0, 0);
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let expected = name.contains("sentinel");
        // The lines decide for the stock files, whatever they are called.
        for shown in [Path::new(&name), Path::new("x.conf")] {
            assert_eq!(
                is_sentinel(shown, &bytes),
                expected,
                "{name} shown as {}",
                shown.display()
            );
        }
        assert!(!is_template(&path, &bytes), "{name} is no template");
        if expected {
            sentinels += 1;
        } else {
            servers += 1;
        }
    }
    assert!(sentinels >= 10 && servers >= 10, "{sentinels} {servers}");
}

/// `wild/MANIFEST.tsv` rows: (file, path in its repository, kind).
fn manifest(wild: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(wild.join("MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols.len() >= 5).then(|| (cols[0].into(), cols[2].into(), cols[4].into()))
        })
        .collect()
}

#[test]
fn wild_sentinel_configs_are_found_and_redis_confs_are_not() {
    let Some(wild) = common::shared("corpus/wild") else {
        return;
    };
    let mut wrong = Vec::new();
    let mut counted = [0usize; 2];
    for (file, path, kind) in manifest(&wild) {
        let bytes = std::fs::read(wild.join(&file)).unwrap();
        // The name the file has in its repository (the corpus prefixes owner and repository).
        let name = Path::new(&path);
        let found = is_sentinel(name, &bytes);
        let expected = match kind.as_str() {
            "sentinel" => true,
            "conf" => false,
            _ => continue,
        };
        counted[usize::from(expected)] += 1;
        if found != expected {
            wrong.push(format!("{file} ({kind}): read as sentinel = {found}"));
        }
    }
    println!(
        "{} redis.conf and {} Sentinel configs",
        counted[0], counted[1]
    );
    assert!(counted[1] >= 10, "the corpus has Sentinel configs");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn templates_of_the_corpus_are_found() {
    let Some(wild) = common::shared("corpus/wild") else {
        return;
    };
    let mut found = 0;
    let mut redis_confs_as_templates = Vec::new();
    for (file, path, kind) in manifest(&wild) {
        let bytes = std::fs::read(wild.join(&file)).unwrap();
        match kind.as_str() {
            "template" => found += usize::from(is_template(Path::new(&path), &bytes)),
            // A plain config may be named `.template`; its lines never make it one.
            "conf" | "sentinel" if is_template(Path::new("x.conf"), &bytes) => {
                redis_confs_as_templates.push(file)
            }
            _ => {}
        }
    }
    // Some `template` files are only `${VAR}` placeholders in a plain config: those are
    // checked as they are (and get correctness/unexpanded-placeholder).
    assert!(found >= 8, "{found} templates found");
    assert!(
        redis_confs_as_templates.is_empty(),
        "{redis_confs_as_templates:?}"
    );
}

#[test]
fn sentinel_files_get_sentinel_rules_and_no_server_rules() {
    let report = check_bytes(
        Path::new("sentinel.conf"),
        b"port 26379\nsentinel monitor mymaster 10.0.0.5 6379 2\n".as_slice(),
        &CheckOptions {
            target: "7.0".parse().unwrap(),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(report.sentinel);
    let rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.as_str()).collect();
    assert!(rules.contains(&"sentinel/no-authentication"), "{rules:?}");
    assert!(
        rules.iter().all(|r| r.starts_with("sentinel/")),
        "{rules:?}"
    );
}

#[test]
fn module_configs_are_no_error_on_a_sentinel() {
    // redis-server --sentinel loads no modules and never checks their configs (7.0.15 starts).
    let text = b"sentinel monitor m 127.0.0.1 6379 2\nfoo.bar 1\n".as_slice();
    let options = |sentinel| CheckOptions {
        target: "7.0".parse().unwrap(),
        sentinel: Some(sentinel),
        ..Default::default()
    };
    let as_sentinel = check_bytes(Path::new("s.conf"), text, &options(true)).unwrap();
    assert!(as_sentinel.first_invalid().is_none());
    let as_server = check_bytes(Path::new("s.conf"), b"foo.bar 1\n", &options(false)).unwrap();
    assert_eq!(
        as_server.first_invalid().map(|d| d.rule.as_str()),
        Some("invalid/module-config-without-module")
    );
}

#[test]
fn flags_and_per_file_settings_override_detection() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Named like a Sentinel config, lines that say nothing: the name decides.
    std::fs::write(d.join("sentinel.conf"), "port 26379\n").unwrap();
    // A Sentinel config by its lines.
    std::fs::write(
        d.join("ha.conf"),
        "sentinel monitor mymaster 10.0.0.5 6379 2\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json", "--target-version", "7.0"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["sentinel.conf", "ha.conf"]);
        modes(&redlint(d, &all))
    };
    let mode_of = |m: &[(String, Vec<String>)]| m.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(mode_of(&run(&[])), ["sentinel", "sentinel"]);
    let forced = run(&["--no-sentinel"]);
    assert_eq!(mode_of(&forced), ["server", "server"]);
    // Read as a redis.conf, the Sentinel lines are what redis-server rejects.
    assert!(forced[1].1.contains(&"invalid/bad-value".to_string()));
    assert_eq!(mode_of(&run(&["--sentinel"])), ["sentinel", "sentinel"]);

    std::fs::write(
        d.join("redlint.toml"),
        "[per-file.\"sentinel.conf\"]\nsentinel = false\n",
    )
    .unwrap();
    assert_eq!(mode_of(&run(&[])), ["server", "sentinel"]);
    // The command line beats the settings file.
    assert_eq!(mode_of(&run(&["--sentinel"])), ["sentinel", "sentinel"]);

    std::fs::write(
        d.join("redlint.toml"),
        "[per-file.\"*.conf\"]\nsentinal = 1\n",
    )
    .unwrap();
    let o = redlint(d, &["check", "ha.conf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sentinal"));
}

#[test]
fn template_mode_skips_control_lines_and_judges_no_unknown_value() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "{% if redis_password %}\nrequirepass {{ redis_password }}\n{% endif %}\nport {{ redis_port | default(6379) }}\nbind 127.0.0.1 -::1\nmaxmemory 2gb\nappendonly yes\n";
    for name in ["redis.conf.j2", "redis.conf"] {
        std::fs::write(d.join(name), text).unwrap();
    }
    let run = |args: &[&str], file: &str| {
        let mut all = vec!["check", "--format", "json", "--target-version", "7.0"];
        all.extend_from_slice(args);
        all.push(file);
        modes(&redlint(d, &all)).remove(0).1
    };
    for file in ["redis.conf.j2", "redis.conf"] {
        let rules = run(&[], file);
        // No invalid/* for the control lines or the `{{ … }}` values, no weak password or
        // missing password for the unknown one, no placeholder finding.
        assert!(
            rules.iter().all(|r| !r.starts_with("invalid/")
                && r != "security/no-authentication"
                && r != "security/weak-password"
                && r != "correctness/unexpanded-placeholder"),
            "{file}: {rules:?}"
        );
        // Everything else is checked as usual.
        assert!(
            rules.contains(&"memory/maxmemory-policy-implicit".to_string()),
            "{rules:?}"
        );
    }
    // Read as it is, the template is what redis-server would reject.
    let raw = run(&["--no-template"], "redis.conf.j2");
    assert!(raw.iter().any(|r| r.starts_with("invalid/")), "{raw:?}");
    // An unknown directive in a template is still one.
    std::fs::write(d.join("typo.conf.j2"), "requirepas {{ pw }}\n").unwrap();
    assert!(run(&[], "typo.conf.j2").contains(&"invalid/unknown-directive".to_string()));
}
