//! Fixes that know the deployment: replication, cluster and Sentinel keep working after
//! `--fix --unsafe-fixes`, files fixed together share one password, and what is not a Redis
//! config (or is a template with control structures) gets no appended lines.
//!
//! The snapshot tests run `redlint check --diff` on files written here (passwords are masked, so
//! the diffs are stable). The live tests fix a primary + replica + Sentinel and a 3-node cluster,
//! start them on free loopback ports (temp dirs, killed by pid) and prove that replication, a
//! failover and a slot migration still work. They need `redis-server` and `redis-cli` (skipped
//! without them, failed without them when `CI` is set).

mod common;

use common::server::{Server, free_port, have_all, redis_cli, run, server_target};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn redlint(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_redlint"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// `redlint check --diff --unsafe-fixes` on files written in a temp dir: the diff, then what
/// redlint said on standard error.
fn diff_of(files: &[(&str, &str)], extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut args = vec![
        "check",
        "--diff",
        "--unsafe-fixes",
        "--target-version",
        "7.0",
    ];
    args.extend(extra);
    args.extend(files.iter().map(|(n, _)| *n));
    let out = redlint(dir.path(), &args);
    format!(
        "{}--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Each finding's fix, as `check --format json` gives it: `file rule [applicability] title`.
fn fixes_of(files: &[(&str, &str)], extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut args = vec!["check", "--format", "json", "--target-version", "7.0"];
    args.extend(extra);
    args.extend(files.iter().map(|(n, _)| *n));
    let out = redlint(dir.path(), &args);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let mut text = String::new();
    for file in json["files"].as_array().unwrap() {
        for d in file["diagnostics"].as_array().unwrap() {
            if d["fix"].is_object() {
                text.push_str(&format!(
                    "{} {} [{}] {}\n",
                    file["path"].as_str().unwrap(),
                    d["rule"].as_str().unwrap(),
                    d["fix"]["applicability"].as_str().unwrap(),
                    d["fix"]["title"].as_str().unwrap()
                ));
            }
        }
    }
    text
}

const PRIMARY: &str = "port 7100\nbind 127.0.0.1\n";
const REPLICA: &str = "port 7101\nbind 127.0.0.1\nreplicaof 127.0.0.1 7100\n";
const SENTINEL: &str = "port 26379\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 7100 1\n";

#[test]
fn a_replication_group_and_its_sentinel_fixed_together() {
    let out = diff_of(
        &[
            ("primary.conf", PRIMARY),
            ("replica.conf", REPLICA),
            ("sentinel.conf", SENTINEL),
        ],
        &[],
    );
    insta::assert_snapshot!("group_with_sentinel", out);
}

#[test]
fn the_files_of_a_group_share_one_password() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("primary.conf", PRIMARY),
        ("replica.conf", REPLICA),
        ("sentinel.conf", SENTINEL),
        ("other.conf", "port 6390\nbind 127.0.0.1\n"),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = redlint(
        dir.path(),
        &[
            "check",
            "--fix",
            "--unsafe-fixes",
            "--target-version",
            "7.0",
            "primary.conf",
            "replica.conf",
            "sentinel.conf",
            "other.conf",
        ],
    );
    let text = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap();
    let primary = password_of(&text("primary.conf"));
    assert_eq!(primary.len(), 64, "{}", text("primary.conf"));
    assert_eq!(password_of(&text("replica.conf")), primary);
    assert_eq!(masterauth_of(&text("primary.conf")), primary);
    assert_eq!(masterauth_of(&text("replica.conf")), primary);
    assert!(
        text("sentinel.conf").contains(&format!("sentinel auth-pass mymaster {primary}")),
        "{}",
        text("sentinel.conf")
    );
    // A server of no group gets a password of its own.
    let other = password_of(&text("other.conf"));
    assert_eq!(other.len(), 64);
    assert_ne!(other, primary);
    // Nothing printed the password.
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!printed.contains(&primary) && !printed.contains(&other));
    // Fixing again changes nothing: the Sentinel rule is satisfied.
    let again = redlint(
        dir.path(),
        &[
            "check",
            "--diff",
            "--unsafe-fixes",
            "--target-version",
            "7.0",
            "primary.conf",
            "replica.conf",
            "sentinel.conf",
        ],
    );
    assert!(again.stdout.is_empty(), "{again:?}");
    let report = redlint(
        dir.path(),
        &[
            "check",
            "--format",
            "concise",
            "--target-version",
            "7.0",
            "primary.conf",
            "sentinel.conf",
        ],
    );
    assert!(
        !String::from_utf8_lossy(&report.stdout).contains("sentinel/auth-pass-behind-primary"),
        "{report:?}"
    );
}

#[test]
fn group_makes_the_files_given_one_group() {
    // Ports that do not link them: only `--group` says they belong together.
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.conf", "b.conf"] {
        std::fs::write(dir.path().join(name), "bind 127.0.0.1\n").unwrap();
    }
    let fix = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "--fix",
            "--unsafe-fixes",
            "--target-version",
            "7.0",
        ];
        args.extend(extra);
        args.extend(["a.conf", "b.conf"]);
        redlint(dir.path(), &args);
        let text = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap();
        let pair = (password_of(&text("a.conf")), password_of(&text("b.conf")));
        for name in ["a.conf", "b.conf"] {
            std::fs::write(dir.path().join(name), "bind 127.0.0.1\n").unwrap();
        }
        pair
    };
    let (a, b) = fix(&[]);
    assert_eq!((a.len(), b.len()), (64, 64));
    assert_ne!(a, b, "files of no group share no password");
    let (a, b) = fix(&["--group"]);
    assert_eq!(a.len(), 64);
    assert_eq!(a, b, "--group gives them one password");
}

#[test]
fn sentinel_learns_the_new_password_of_its_primary() {
    // A Sentinel that already has a password of its own still needs the primary's.
    let out = diff_of(
        &[
            ("primary.conf", PRIMARY),
            (
                "sentinel.conf",
                "port 26379\nbind 127.0.0.1\nrequirepass \"Yq8-not-a-real-secret-zK3pW9tLmX4v\"\nsentinel monitor mymaster 127.0.0.1 7100 1\nsentinel auth-pass mymaster old-primary-password\n",
            ),
        ],
        &["--format", "concise"],
    );
    assert!(
        out.contains(
            "-sentinel auth-pass mymaster ********\n+sentinel auth-pass mymaster ********"
        ),
        "{out}"
    );
    // Checked on its own, the Sentinel config gives no such finding: nothing says the
    // primary's password changed.
    let alone = diff_of(&[("sentinel.conf", SENTINEL)], &["--format", "concise"]);
    assert!(!alone.contains("auth-pass-behind-primary"), "{alone}");
}

#[test]
fn replicas_and_cluster_nodes_keep_their_commands_and_addresses() {
    let out = diff_of(
        &[(
            "replica.conf",
            "port 7101\nbind 0.0.0.0\nreplicaof 10.0.0.5 6379\nmasterauth \"Yq8-primary-password-zK3pW9tLmX4v\"\n",
        )],
        &[],
    );
    insta::assert_snapshot!("replica_alone", out);
    let out = diff_of(
        &[
            (
                "node1.conf",
                "port 7201\ncluster-enabled yes\nbind 0.0.0.0\n",
            ),
            (
                "node2.conf",
                "port 7202\ncluster-enabled yes\nbind 0.0.0.0\n",
            ),
        ],
        &[],
    );
    insta::assert_snapshot!("cluster_nodes", out);
}

#[test]
fn sentinel_managed_servers_keep_what_sentinel_sends() {
    let out = diff_of(&[("primary.conf", PRIMARY)], &["--sentinel-managed"]);
    assert!(out.contains("+masterauth ********"), "{out}");
    assert!(!out.contains("-config") && !out.contains("-sync"), "{out}");
    let fixes = fixes_of(&[("primary.conf", PRIMARY)], &["--sentinel-managed"]);
    insta::assert_snapshot!("sentinel_managed", format!("{out}\n{fixes}"));
}

#[test]
fn passwords_given_outside_the_file_are_not_overridden() {
    let conf =
        "# requirepass is set via --requirepass command line argument\nport 6379\nbind 127.0.0.1\n";
    let out = diff_of(&[("redis.conf", conf)], &[]);
    assert!(!out.contains("requirepass ********"), "{out}");
    assert!(!out.contains("+user default"), "{out}");
    let out = diff_of(
        &[("redis.conf", "port 6379\nbind 127.0.0.1\n")],
        &["--external-password"],
    );
    assert!(
        !out.contains("+requirepass") && !out.contains("+user default"),
        "{out}"
    );
    let fixes = fixes_of(&[("redis.conf", conf)], &[]);
    insta::assert_snapshot!("external_password", fixes);
}

#[test]
fn remote_servers_and_socket_only_servers_keep_their_listeners() {
    let files = [
        (
            "announced.conf",
            "bind 0.0.0.0\ncluster-announce-ip 10.0.0.5\n",
        ),
        (
            "socket.conf",
            "port 0\nunixsocket /run/redis/redis.sock\nunixsocketperm 777\n",
        ),
        ("container.conf", "bind 0.0.0.0\ndir /data\n"),
    ];
    let out = diff_of(&files, &[]);
    assert!(!out.contains("+bind") && !out.contains("-bind"), "{out}");
    assert!(!out.contains("+unixsocketperm"), "{out}");
    let fixes = fixes_of(&files, &["--select", "network"]);
    insta::assert_snapshot!("listeners", format!("{out}\n{fixes}"));
    // Told which interfaces to bind, the fix applies.
    let out = diff_of(
        &[("container.conf", "bind 0.0.0.0\ndir /data\n")],
        &["--param", "bind=10.0.0.5 127.0.0.1"],
    );
    assert!(out.contains("+bind 10.0.0.5 127.0.0.1"), "{out}");
}

#[test]
fn a_cache_never_gets_noeviction() {
    let conf = "bind 127.0.0.1\nrequirepass \"Yq8-not-a-real-secret-zK3pW9tLmX4v\"\nsave \"\"\nmaxmemory 1gb\n";
    let out = diff_of(&[("cache.conf", conf)], &[]);
    assert!(!out.contains("noeviction"), "{out}");
    let out = diff_of(&[("cache.conf", conf)], &["--profile", "cache"]);
    assert!(out.contains("+maxmemory-policy allkeys-lru"), "{out}");
    let out = diff_of(&[("store.conf", "bind 127.0.0.1\nmaxmemory 1gb\n")], &[]);
    assert!(out.contains("+maxmemory-policy noeviction"), "{out}");
}

#[test]
fn what_is_not_a_redis_config_is_never_fixed() {
    let zabbix = "# Zabbix agent user parameters for Redis Sentinel\n\
UserParameter=redis.sentinel.discovery,/etc/zabbix/scripts/sentinel_discovery.sh\n\
UserParameter=redis.sentinel[*],/usr/bin/redis-cli -p $1 info sentinel\n\
UserParameter=redis.sentinel.ping[*],/usr/bin/redis-cli -h $1 -p $2 ping\n\
Timeout=10\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redis-sentinel.conf");
    std::fs::write(&path, zabbix).unwrap();
    let out = redlint(
        dir.path(),
        &["check", "--fix", "--unsafe-fixes", "redis-sentinel.conf"],
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), zabbix);
    let said = format!(
        "{}--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("not a Redis config"), "{said}");
    let concise = redlint(
        dir.path(),
        &["check", "--format", "concise", "redis-sentinel.conf"],
    );
    insta::assert_snapshot!("not_a_config", String::from_utf8_lossy(&concise.stdout));
}

#[test]
fn templates_with_control_structures_get_no_appended_lines() {
    let template = "port {{ redis_port }}\n{% if redis_bind %}\nbind {{ redis_bind }}\n{% endif %}\n{% for r in replicas %}\n# {{ r }}\n{% endfor %}\n";
    let out = diff_of(&[("redis.conf.j2", template)], &[]);
    assert!(!out.contains("\n+"), "{out}");
    assert!(!out.contains("not fixing"), "{out}");
    let fixes = fixes_of(&[("redis.conf.j2", template)], &[]);
    insta::assert_snapshot!("template", format!("{out}\n{fixes}"));
}

#[test]
fn diff_masks_secrets_by_token() {
    // The master is named like its password: the name is masked too, on both sides, and the
    // untouched lines are not shown as changed.
    let conf = "port 26379\nsentinel monitor master 127.0.0.1 7100 1\nsentinel auth-pass master master\n# the password of master is master\nsentinel down-after-milliseconds master 5000\n";
    let out = diff_of(&[("sentinel.conf", conf)], &[]);
    assert!(!out.contains(" master"), "{out}");
    insta::assert_snapshot!("diff_masking", out);
    // A rotated password shows as a changed line, masked on both sides.
    let out = diff_of(
        &[(
            "replica.conf",
            "port 7101\nbind 127.0.0.1\nrequirepass hunter2\nmasterauth hunter2\nreplicaof 127.0.0.1 7100\n",
        )],
        &[],
    );
    assert!(!out.contains("hunter2"), "{out}");
    assert!(
        out.contains("-masterauth ********\n+masterauth ********"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// Live

/// The password of the `user default` line (its last `>` rule), else of `requirepass`.
fn password_of(conf: &str) -> String {
    let user = conf
        .lines()
        .rfind(|l| l.starts_with("user default "))
        .and_then(|l| {
            l.split_whitespace()
                .filter_map(|w| w.strip_prefix('>'))
                .next_back()
        });
    let requirepass = || {
        conf.lines()
            .filter_map(|l| l.strip_prefix("requirepass "))
            .next_back()
    };
    user.or_else(requirepass)
        .unwrap_or_default()
        .trim_matches('"')
        .to_string()
}

fn masterauth_of(conf: &str) -> String {
    conf.lines()
        .filter_map(|l| l.strip_prefix("masterauth "))
        .next_back()
        .unwrap_or_default()
        .trim_matches('"')
        .to_string()
}

fn cli(port: u16, password: &str, args: &[&str]) -> String {
    let auth: &[&str] = if password.is_empty() {
        &[]
    } else {
        &["-a", password]
    };
    redis_cli(port, &[auth, args].concat())
}

/// Start a server (or a Sentinel) from `conf`, in `conf`'s directory.
fn start(conf: &Path, sentinel: bool, port: u16, password: &str) -> Server {
    let dir = conf.parent().unwrap();
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let mut cmd = Command::new("redis-server");
    cmd.arg(conf).current_dir(dir);
    if sentinel {
        cmd.arg("--sentinel");
    }
    let server = Server(
        cmd.stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(&format!("{} to start", conf.display()), || {
        let out = cli(port, password, &["ping"]);
        out.contains("PONG").then_some(()).ok_or_else(|| {
            format!(
                "{out}\n{}",
                std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
            )
        })
    });
    server
}

fn wait_for<T>(what: &str, mut check: impl FnMut() -> Result<T, String>) -> T {
    let started = Instant::now();
    loop {
        match check() {
            Ok(v) => return v,
            Err(e) if started.elapsed() > Duration::from_secs(60) => {
                panic!("timed out waiting for {what}: {e}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// One server's directory and config: `<root>/<name>/<name>.conf`.
fn config(root: &Path, name: &str, text: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.conf"));
    std::fs::write(&path, text).unwrap();
    path
}

fn fix_together(root: &Path, confs: &[&PathBuf], target: &str) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_redlint"));
    cmd.current_dir(root)
        .args([
            "check",
            "--fix",
            "--unsafe-fixes",
            "--target-version",
            target,
        ])
        .args(confs.iter().map(|p| p.as_os_str()));
    let out = cmd.output().unwrap();
    // 0 or 1 (findings left), never a usage or internal error.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "fixing failed: {out:?}"
    );
}

#[test]
fn a_fixed_primary_replica_and_sentinel_still_replicate_and_fail_over() {
    if !have_all(&["redis-server", "redis-cli"]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let (p, r, s) = (free_port(), free_port(), free_port());
    let primary = config(
        root.path(),
        "primary",
        &format!("port {p}\nbind 127.0.0.1\n"),
    );
    let replica = config(
        root.path(),
        "replica",
        &format!("port {r}\nbind 127.0.0.1\nreplicaof 127.0.0.1 {p}\n"),
    );
    let sentinel = config(
        root.path(),
        "sentinel",
        &format!(
            "port {s}\nbind 127.0.0.1\nsentinel monitor mymaster 127.0.0.1 {p} 1\nsentinel down-after-milliseconds mymaster 2000\nsentinel failover-timeout mymaster 10000\n"
        ),
    );
    fix_together(
        root.path(),
        &[&primary, &replica, &sentinel],
        &server_target(),
    );
    let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap();
    let pw = password_of(&read(&primary));
    assert_eq!(pw.len(), 64, "{}", read(&primary));
    assert_eq!(password_of(&read(&replica)), pw, "{}", read(&replica));
    assert!(read(&sentinel).contains("sentinel auth-pass mymaster"));

    let _primary = start(&primary, false, p, &pw);
    let _replica = start(&replica, false, r, &pw);
    wait_for("the replica's link", || {
        let info = cli(r, &pw, &["info", "replication"]);
        info.contains("master_link_status:up")
            .then_some(())
            .ok_or(info)
    });
    // Unauthenticated clients are refused now.
    assert!(cli(p, "", &["get", "x"]).contains("NOAUTH"));
    let _sentinel = start(&sentinel, true, s, "");
    wait_for("the Sentinel to see the replica", || {
        let out = cli(s, "", &["sentinel", "replicas", "mymaster"]);
        (out.contains(&r.to_string()) && !out.contains("s_down"))
            .then_some(())
            .ok_or(out)
    });
    let answer = wait_for("SENTINEL FAILOVER to be accepted", || {
        let out = cli(s, "", &["sentinel", "failover", "mymaster"]);
        out.contains("OK").then_some(out.clone()).ok_or(out)
    });
    assert!(answer.contains("OK"));
    wait_for("the replica to be promoted", || {
        let addr = cli(s, "", &["sentinel", "get-master-addr-by-name", "mymaster"]);
        let role = cli(r, &pw, &["role"]);
        (addr.contains(&r.to_string()) && role.starts_with("master"))
            .then_some(())
            .ok_or(format!("{addr}\n{role}"))
    });
    // The old primary follows the new one, with the shared password.
    wait_for("the old primary to replicate from the new one", || {
        let info = cli(p, &pw, &["info", "replication"]);
        (info.contains("role:slave") && info.contains("master_link_status:up"))
            .then_some(())
            .ok_or(info)
    });
}

/// The cluster slot of a key (CRC16-XMODEM of the key, modulo 16384).
fn key_slot(key: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in key {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc % 16384
}

#[test]
fn a_fixed_cluster_still_migrates_slots() {
    if !have_all(&["redis-server", "redis-cli"]) {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port(), free_port()];
    let confs: Vec<PathBuf> = ports
        .iter()
        .enumerate()
        .map(|(i, port)| {
            config(
                root.path(),
                &format!("node{i}"),
                &format!("port {port}\nbind 127.0.0.1\ncluster-enabled yes\ncluster-config-file nodes.conf\n"),
            )
        })
        .collect();
    fix_together(
        root.path(),
        &confs.iter().collect::<Vec<_>>(),
        &server_target(),
    );
    let texts: Vec<String> = confs
        .iter()
        .map(|c| std::fs::read_to_string(c).unwrap())
        .collect();
    let pw = password_of(&texts[0]);
    assert_eq!(pw.len(), 64, "{}", texts[0]);
    for t in &texts {
        assert_eq!(password_of(t), pw, "{t}");
        assert_eq!(masterauth_of(t), pw, "{t}");
    }
    let _servers: Vec<Server> = confs
        .iter()
        .zip(ports)
        .map(|(c, port)| start(c, false, port, &pw))
        .collect();
    let nodes: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    let created = run(Command::new("redis-cli")
        .args(["--no-auth-warning", "-a", &pw, "--cluster", "create"])
        .args(&nodes)
        .arg("--cluster-yes"));
    assert!(
        created.contains("[OK] All 16384 slots covered"),
        "{created}"
    );
    for port in ports {
        wait_for("the cluster to be ok", || {
            let info = cli(port, &pw, &["cluster", "info"]);
            info.contains("cluster_state:ok").then_some(()).ok_or(info)
        });
    }
    // `--cluster create` gives the last node the last third of the slots: a key there moves.
    let key = (0..100_000)
        .map(|i| format!("key{i}"))
        .find(|k| (10923..10973).contains(&key_slot(k.as_bytes())))
        .unwrap();
    let slot = key_slot(key.as_bytes()).to_string();
    assert!(cli(ports[2], &pw, &["set", &key, "moved"]).contains("OK"));
    let id = |port| cli(port, &pw, &["cluster", "myid"]).trim().to_string();
    let (from, to) = (id(ports[2]), id(ports[0]));
    let resharded = run(Command::new("redis-cli")
        .args([
            "--no-auth-warning",
            "-a",
            &pw,
            "--cluster",
            "reshard",
            &nodes[0],
        ])
        .args(["--cluster-from", &from, "--cluster-to", &to])
        .args(["--cluster-slots", "100", "--cluster-yes"]));
    assert!(
        !resharded.contains("ERR") && !resharded.contains("NOPERM"),
        "{resharded}"
    );
    wait_for("the slot to move", || {
        let count = cli(ports[0], &pw, &["cluster", "countkeysinslot", &slot]);
        let value = cli(ports[0], &pw, &["get", &key]);
        (count.trim() == "1" && value.trim() == "moved")
            .then_some(())
            .ok_or(format!("{count}\n{value}\n{resharded}"))
    });
}
