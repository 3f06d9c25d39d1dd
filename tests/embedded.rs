//! Configs where they live (`fixtures/embedded/`): Compose files, Dockerfiles, Kubernetes
//! manifests, Helm values and a chart template. Every format and `--diff` are snapshots; the
//! walk finds each host once; fixes edit the host so that it parses again and means the same
//! apart from the fix.

use saphyr::{LoadableYamlNode, YamlOwned};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FORMATS: &[&str] = &[
    "human", "concise", "json", "sarif", "github", "junit", "gitlab",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn redlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redlint"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn every_format_annotates_the_host_lines() {
    for format in FORMATS {
        let out = redlint(&root(), &["embedded", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {out:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        // Passwords written in a host are masked like any other (the rule's own text names
        // the example password).
        assert!(
            !stdout.replace("(`foobared`)", "").contains("foobared"),
            "{format} shows a password"
        );
        insta::assert_snapshot!(format!("embedded__{format}"), stdout);
    }
}

#[test]
fn the_walk_reports_each_host_once_in_order() {
    let out = redlint(&root(), &["embedded", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "embedded/chart/templates/configmap.yaml",
            "embedded/compose/docker-compose.yml",
            "embedded/docker/Dockerfile",
            "embedded/docker/shell.Dockerfile",
            "embedded/helm/redis/values.yaml",
            "embedded/k8s/redis.yaml",
        ],
        "the configs a host names are reported within it"
    );
    // `--no-embedded` walks for configs only; a host named on the command line is still read.
    let out = redlint(&root(), &["embedded", "--no-embedded", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = json["files"].as_array().unwrap();
    assert!(
        files
            .iter()
            .all(|f| f["path"].as_str().unwrap().ends_with(".conf"))
    );
    let out = redlint(
        &root(),
        &[
            "embedded/k8s/redis.yaml",
            "--no-embedded",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files"][0]["path"], "embedded/k8s/redis.yaml");
}

#[test]
fn findings_point_into_blocks_items_and_strings() {
    let out = redlint(&root(), &["embedded", "--format", "concise"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let has = |needle: &str| {
        assert!(text.contains(needle), "missing `{needle}` in\n{text}");
    };
    // A block scalar's line and column (`2GiB` in the ConfigMap).
    has("embedded/k8s/redis.yaml:9:15: error[invalid/bad-value]");
    // A list item (`2GiB` of the valkey service) and a string command (`--appendonly yes`).
    has("embedded/compose/docker-compose.yml:16:9: error[invalid/bad-value]");
    has("embedded/compose/docker-compose.yml:5:63: info[persistence/appendfsync-unset]");
    // The mounted config's own lines, and the image's protected-mode default at the image.
    has("embedded/compose/redis.conf:2:1: error[network/bind-all-interfaces]");
    has("embedded/compose/docker-compose.yml:8:12: error[network/protected-mode-disabled]");
    has("embedded/compose/docker-compose.yml:8:12: error[security/no-authentication]");
    // A YAML comment suppresses the next line; a variable is no weak password.
    assert!(!text.contains("docker-compose.yml:19:"), "{text}");
    assert!(!text.contains("docker-compose.yml:5:37"), "{text}");
    // The ConfigMap key the Deployment mounts is read with the container's arguments (its
    // `--requirepass`), not on its own.
    assert!(
        !text.contains("k8s/redis.yaml:7:5: warning[security/no-authentication]"),
        "{text}"
    );
    assert!(
        text.contains("k8s/redis.yaml:10:5: info[persistence/appendfsync-unset]"),
        "{text}"
    );
    // The chart's `auth.enabled` passes a password: no `no-authentication` for its values.
    assert!(
        !text.contains("values.yaml:5:3: warning[security/no-authentication]"),
        "{text}"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The YAML of a file as data without the values a fix means to change.
fn without_config_values(y: &YamlOwned) -> YamlOwned {
    const CHANGED: &[&str] = &[
        "command",
        "args",
        "redis.conf",
        "sentinel.conf",
        "configuration",
    ];
    match y {
        YamlOwned::Mapping(m) => YamlOwned::Mapping(
            m.iter()
                .filter(|(k, _)| !k.as_str().is_some_and(|k| CHANGED.contains(&k)))
                .map(|(k, v)| (k.clone(), without_config_values(v)))
                .collect(),
        ),
        YamlOwned::Sequence(s) => {
            YamlOwned::Sequence(s.iter().map(without_config_values).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn fixes_edit_the_host_and_keep_its_meaning() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&root().join("embedded"), tmp.path());
    let hosts = [
        "compose/docker-compose.yml",
        "k8s/redis.yaml",
        "helm/redis/values.yaml",
        "docker/Dockerfile",
        "docker/shell.Dockerfile",
    ];
    let before: Vec<String> = hosts
        .iter()
        .map(|h| std::fs::read_to_string(tmp.path().join(h)).unwrap())
        .collect();
    // The invalid lines first: a config redis-server rejects is not fixed.
    for (file, from, to) in [
        ("compose/docker-compose.yml", "- 2GiB", "- 2gb"),
        ("k8s/redis.yaml", "maxmemory 2GiB", "maxmemory 2gb"),
    ] {
        let path = tmp.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }
    let hosts_with = |mode: &str| {
        let args = [
            mode,
            "--unsafe-fixes",
            "--param",
            "maxmemory=1gb",
            "compose",
            "docker",
            "helm",
            "k8s",
        ];
        redlint(tmp.path(), &args)
    };
    let diff = hosts_with("--diff");
    let diff_text = String::from_utf8(diff.stdout).unwrap();
    insta::assert_snapshot!("embedded__diff", diff_text);
    let fixed = hosts_with("--fix");
    assert!(fixed.status.code().is_some_and(|c| c <= 1), "{fixed:?}");
    for (host, original) in hosts.iter().zip(&before) {
        let after = std::fs::read_to_string(tmp.path().join(host)).unwrap();
        if host.ends_with("Dockerfile") {
            assert_ne!(&after, original, "{host} was not fixed");
            continue;
        }
        let a = YamlOwned::load_from_str(original).unwrap();
        let b = YamlOwned::load_from_str(&after)
            .unwrap_or_else(|e| panic!("{host} no longer parses: {e}\n{after}"));
        assert_eq!(a.len(), b.len(), "{host}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                without_config_values(x),
                without_config_values(y),
                "{host}:\n{after}"
            );
        }
    }
    // Fixing again changes nothing.
    let snapshot: Vec<String> = hosts
        .iter()
        .map(|h| std::fs::read_to_string(tmp.path().join(h)).unwrap())
        .collect();
    hosts_with("--fix");
    for (host, was) in hosts.iter().zip(&snapshot) {
        assert_eq!(
            &std::fs::read_to_string(tmp.path().join(host)).unwrap(),
            was,
            "{host}"
        );
    }
    // The compose services got their arguments where each kind of command takes them.
    let compose = &snapshot[0];
    assert!(
        compose.contains("--appendonly yes --maxmemory 1gb"),
        "{compose}"
    );
    assert!(compose.contains("--appendfsync everysec"), "{compose}");
    assert!(
        compose.contains("command: [\"redis-server\", \"--requirepass\""),
        "{compose}"
    );
    assert!(
        compose.contains("- \"--protected-mode\"\n      - \"yes\""),
        "{compose}"
    );
    // The container reads the mounted ConfigMap key with its arguments: the value fixed in
    // the block keeps its indentation, new settings are arguments.
    let k8s = &snapshot[1];
    assert!(
        k8s.contains("    maxmemory 2gb\n    appendonly yes\n"),
        "{k8s}"
    );
    assert!(
        k8s.contains("\"--protected-mode\", \"yes\"")
            && k8s.contains("\"--appendfsync\", \"everysec\""),
        "{k8s}"
    );
}

#[test]
fn a_config_file_not_in_the_repository_leaves_only_the_arguments() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("compose.yml"),
        "services:\n  r:\n    image: redis:7.2\n    command: redis-server /etc/redis.conf --maxmemory 1GiB\n",
    )
    .unwrap();
    let out = redlint(tmp.path(), &["compose.yml", "--format", "concise"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("reads /etc/redis.conf, which is not in the repository"),
        "{stderr}"
    );
    // The argument is still judged; what the unread file may set is not.
    assert!(
        stdout.contains("compose.yml:4:55: error[invalid/bad-value]"),
        "{stdout}"
    );
    assert!(!stdout.contains("no-authentication"), "{stdout}");
}

#[test]
fn a_host_that_does_not_parse_is_an_error_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("compose.yml"), "services:\n  a: [\n").unwrap();
    let out = redlint(tmp.path(), &["compose.yml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("compose.yml:") && err.contains("not valid YAML"),
        "{err}"
    );
}
