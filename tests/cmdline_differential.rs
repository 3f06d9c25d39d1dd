//! The argument-list differential: redlint against every real server found (see
//! `tests/common/oracles.rs`) on command lines, each with its own target.
//! Seeded mutants of realistic argument lists (a value dropped or doubled, names mistyped, a value
//! that starts with `--`, name and value in one argument, quotes and spaces inside values, a
//! trailing `--save`) run as `redis-server empty.conf ARGS --port 0 --unixsocket ''`; redlint
//! reads the same argument list with `semantic::cmdline` and must give the same verdict and the
//! same first rejected line (the argument that starts it). `REDLINT_ARGS_SEED` and
//! `REDLINT_ARGS_CASES` pick other runs. Needs `redis-server` (skipped without it, failed without
//! it when `CI` is set).

mod support;

use redlint::semantic::{CheckOptions, cmdline};
use redlint::version::Version;
use support::mutate::Rng;
use support::oracle::{self, Mode, Verdict};

/// Argument lists people write in Compose files and manifests.
const BASES: &[&[&str]] = &[
    &["--appendonly", "yes"],
    &["--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"],
    &["--save", "900", "1", "--save", "300", "10"],
    &["--save", ""],
    &["--save", "--appendonly", "no"],
    &["--bind", "127.0.0.1", "-::1"],
    &["--requirepass", "a-long-password-for-tests"],
    &["--loglevel", "warning", "--hz", "20"],
    &["--port 6380", "--databases 4"],
    &["--rename-command", "FLUSHALL", ""],
    &["--client-output-buffer-limit", "normal", "0", "0", "0"],
    &["--tcp-keepalive", "60", "--timeout", "300"],
    &["--protected-mode", "no"],
    &["--maxclients", "1000", "--io-threads", "2"],
    &["--notify-keyspace-events", "Ex"],
    &["--appendfsync", "everysec", "--save"],
    // No `--dir`, `--logfile`, `--include`: what they name depends on the machine (the file
    // differential leaves such lines out too).
    &["--dbfilename", "dump.rdb", "--rdbcompression", "no"],
];

const NAMES: &[&str] = &[
    "--maxmemory",
    "--appendonly",
    "--save",
    "--hz",
    "--port",
    "--bind",
    "--loglevel",
    "--no-such-option",
    "--maxmemory-policy",
    "--",
    "--requirepass",
];

const VALUES: &[&str] = &[
    "yes",
    "no",
    "maybe",
    "10",
    "-1",
    "100mb",
    "1gb 2",
    "a\"b",
    "it's",
    "--port",
    "",
    " ",
    "two words",
    "x\ny",
    "allkeys-lru",
    "\u{e9}t\u{e9}",
];

fn mutate(rng: &mut Rng) -> Vec<String> {
    let mut args: Vec<String> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        args.extend(rng.pick(BASES).iter().map(|s| s.to_string()));
    }
    for _ in 0..1 + rng.below(3) {
        if args.is_empty() {
            args.push(rng.pick(NAMES).to_string());
            continue;
        }
        let i = rng.below(args.len());
        match rng.below(9) {
            0 => {
                args.remove(i);
            }
            1 => {
                let a = args[i].clone();
                args.insert(i, a);
            }
            2 => args[i] = rng.pick(VALUES).to_string(),
            3 => args.insert(i, rng.pick(NAMES).to_string()),
            4 => {
                // A typo in a name.
                if args[i].starts_with("--") && args[i].len() > 3 {
                    let mut b = args[i].clone().into_bytes();
                    let at = 2 + rng.below(b.len() - 2);
                    b[at] = b"xyzq-"[rng.below(5)];
                    args[i] = String::from_utf8_lossy(&b).into_owned();
                }
            }
            5 => {
                // Name and value in one argument.
                if i + 1 < args.len() {
                    let joined = format!("{} {}", args[i], args[i + 1]);
                    args[i] = joined;
                    args.remove(i + 1);
                }
            }
            6 => args.push(rng.pick(NAMES).to_string()),
            7 => args[i] = args[i].to_ascii_uppercase(),
            _ => args.insert(i, format!("--{}", rng.pick(VALUES))),
        }
    }
    // Standard input stays out of it: `-` first or last reads it.
    args.retain(|a| a != "-");
    args
}

/// redlint's verdict: the first invalid line of the config text the arguments make.
fn redlint_verdict(dir: &std::path::Path, argv: &[String], target: Version) -> Option<usize> {
    let args: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    let cl = cmdline::parse(&args, target);
    let text = cl.config_text(b"");
    let options = CheckOptions {
        target,
        cwd: Some(dir.to_path_buf()),
        sentinel: Some(cl.sentinel),
        template: Some(false),
        ..Default::default()
    };
    let report = redlint::check_bytes(&dir.join("empty.conf"), text, &options).unwrap();
    report.first_invalid().map(|d| report.server_line(d))
}

#[test]
fn argument_lists_agree_with_redis_server() {
    if !support::have_program("redis-server") {
        assert!(!support::in_ci(), "redis-server is missing but CI is set");
        eprintln!("skipping: redis-server not found");
        return;
    }
    let servers = support::common::oracles::for_test("cmdline_differential")
        .unwrap_or_else(|why| panic!("{why}"));
    let seed: u64 = std::env::var("REDLINT_ARGS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_207);
    let cases: u64 = std::env::var("REDLINT_ARGS_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let mut all: Vec<Vec<String>> = BASES
        .iter()
        .map(|b| b.iter().map(|s| s.to_string()).collect())
        .collect();
    all.extend((0..cases).map(|i| mutate(&mut Rng::for_item(seed, i))));
    let failures: Vec<String> = servers
        .iter()
        .filter_map(|server| compare_with(server, &all).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every argument list run by one server build and read by redlint with its target.
fn compare_with(
    server: &support::common::oracles::Oracle,
    all: &[Vec<String>],
) -> Result<(), String> {
    let target: Version = server.target.parse().unwrap();
    let program = server.program.as_path();
    let scratch = tempfile::tempdir().unwrap();
    let results: Vec<(Vec<String>, Verdict, Option<usize>)> = std::thread::scope(|s| {
        let chunks: Vec<&[Vec<String>]> = all.chunks(all.len().div_ceil(4)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(k, chunk)| {
                let root = scratch.path().join(format!("w{k}"));
                s.spawn(move || {
                    std::fs::create_dir_all(&root).unwrap();
                    std::fs::write(root.join("empty.conf"), b"").unwrap();
                    let mut out = Vec::new();
                    for args in chunk {
                        let argv_refs: Vec<&str> = args.iter().map(String::as_str).collect();
                        let run = |mode| {
                            oracle::run_with(program, &root, "empty.conf", mode, &argv_refs).verdict
                        };
                        let mut verdict = run(Mode::Quick);
                        let mut argv = vec!["empty.conf".to_string()];
                        argv.extend(args.iter().cloned());
                        argv.extend(["--port", "0", "--unixsocket", ""].map(String::from));
                        let ours = redlint_verdict(&root, &argv, target);
                        // ACL rules are checked once the listeners are up.
                        if verdict.is_accepted() && ours.is_some() {
                            verdict = run(Mode::Full);
                        }
                        out.push((args.clone(), verdict, ours));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut disagree = Vec::new();
    let mut inconclusive = 0;
    for (args, verdict, ours) in &results {
        let agree = match (verdict, ours) {
            (Verdict::Accepted, None) => true,
            (Verdict::Rejected { line: None, .. }, Some(_)) => true,
            (Verdict::Rejected { line: Some(n), .. }, Some(l)) => n == l,
            (Verdict::Inconclusive(_), _) => {
                inconclusive += 1;
                true
            }
            _ => false,
        };
        if !agree {
            disagree.push(format!("{args:?}: server {verdict}, redlint {ours:?}"));
        }
    }
    let rejected = results.iter().filter(|(_, v, _)| v.is_rejected()).count();
    eprintln!(
        "argument lists ({target} vs {}): {} cases ({rejected} rejected by the server), {} agree, {inconclusive} inconclusive",
        server.version,
        results.len(),
        results.len() - disagree.len()
    );
    // Both verdicts are well represented, or the comparison proves little.
    if rejected * 10 <= results.len() || (results.len() - rejected) * 10 <= results.len() {
        return Err(format!(
            "{target}: {rejected} of {} rejected",
            results.len()
        ));
    }
    if inconclusive * 20 >= results.len() {
        return Err(format!(
            "{target}: too many inconclusive runs: {inconclusive}"
        ));
    }
    if !disagree.is_empty() {
        return Err(format!(
            "{target}: {} of {} argument lists disagree:\n{}",
            disagree.len(),
            results.len(),
            disagree.join("\n")
        ));
    }
    Ok(())
}
