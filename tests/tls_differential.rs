//! The TLS differential: redlint against every real server built with TLS on the `tls-*` lines,
//! which the file differential leaves out (their files are the machine's). The harness makes a
//! throwaway CA, certificate and key with openssl and writes their paths into seeded
//! combinations of the TLS lines: listeners on or off (`tls-port`, `tls-replication`,
//! `tls-cluster`), certificate, key, CA file and CA folder set, empty or absent, client
//! certificates, `tls-auth-clients`, `tls-protocols`. Each case is started for real on loopback
//! (`--port 0`, a Unix socket, a free TLS port); whether the server refuses to start must be
//! whether redlint reports an `invalid/*` finding. `REDLINT_TLS_SEED` and `REDLINT_TLS_CASES`
//! pick other runs. Servers without TLS are named and skipped; with `CI` set, at least one
//! server must have it.

mod support;

use redlint::semantic::{CheckOptions, cmdline};
use redlint::version::Version;
use std::path::{Path, PathBuf};
use support::common::oracles::{self, Oracle};
use support::common::server::{certificates, free_port};
use support::mutate::Rng;
use support::oracle::{self as run, Mode, Verdict};

/// The throwaway files the cases name.
struct Files {
    ca: PathBuf,
    ca_dir: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl Files {
    fn make(dir: &Path) -> Files {
        let (ca, cert, key) = certificates(dir);
        let ca_dir = dir.join("ca.d");
        std::fs::create_dir_all(&ca_dir).unwrap();
        std::fs::copy(&ca, ca_dir.join("ca.crt")).unwrap();
        Files {
            ca,
            ca_dir,
            cert,
            key,
        }
    }
}

/// A value that is a path: one of the files, empty, or no line at all.
fn path_line(rng: &mut Rng, out: &mut String, name: &str, path: &Path, absent_pct: u64) {
    if rng.pct(absent_pct) {
        return;
    }
    if rng.pct(15) {
        out.push_str(&format!("{name} \"\"\n"));
    } else {
        out.push_str(&format!("{name} \"{}\"\n", path.display()));
    }
}

/// One seeded combination of TLS lines; `{TLS_PORT}` is replaced by a free port when it runs.
fn case(rng: &mut Rng, files: &Files) -> String {
    let mut out = String::new();
    match rng.below(10) {
        0..=4 => out.push_str("tls-port {TLS_PORT}\n"),
        5 => out.push_str("tls-port 0\n"),
        6 => out.push_str("tls-replication yes\n"),
        7 => out.push_str("tls-cluster yes\n"),
        8 => out.push_str("tls-port {TLS_PORT}\ntls-replication yes\n"),
        _ => {}
    }
    path_line(rng, &mut out, "tls-cert-file", &files.cert, 15);
    path_line(rng, &mut out, "tls-key-file", &files.key, 15);
    path_line(rng, &mut out, "tls-ca-cert-file", &files.ca, 40);
    path_line(rng, &mut out, "tls-ca-cert-dir", &files.ca_dir, 70);
    if rng.pct(25) {
        path_line(rng, &mut out, "tls-client-cert-file", &files.cert, 0);
        path_line(rng, &mut out, "tls-client-key-file", &files.key, 30);
    }
    if rng.pct(60) {
        let value = *rng.pick(&["yes", "no", "optional"]);
        out.push_str(&format!("tls-auth-clients {value}\n"));
    }
    if rng.pct(40) {
        let value = *rng.pick(&[
            "TLSv1.2",
            "\"TLSv1.2 TLSv1.3\"",
            "TLSv1.3",
            "tlsv1.2",
            "TLSv1.4",
            "\"\"",
            "\"TLSv1.2  TLSv1.3\"",
            "SSLv3",
        ]);
        out.push_str(&format!("tls-protocols {value}\n"));
    }
    // Lines after the TLS ones, so a refusal's line is not always the last.
    out.push_str("save \"\"\nappendonly no\n");
    out
}

/// redlint's verdict on the file with the arguments the oracle adds: an `invalid/*` finding.
fn redlint_refuses(dir: &Path, text: &[u8], argv: &[&str], target: Version) -> Option<String> {
    let mut args: Vec<&[u8]> = vec![b"redis.conf"];
    args.extend(argv.iter().map(|a| a.as_bytes()));
    let cl = cmdline::parse(&args, target);
    let text = cl.config_text(text);
    let options = CheckOptions {
        target,
        cwd: Some(dir.to_path_buf()),
        sentinel: Some(false),
        template: Some(false),
        ..Default::default()
    };
    let report = redlint::check_bytes(&dir.join("redis.conf"), text, &options).unwrap();
    report
        .first_invalid()
        .map(|d| format!("{}: {}", d.rule, d.message))
}

#[test]
fn tls_startup_agrees_with_each_server_built_with_tls() {
    if !support::have_program("openssl") {
        assert!(!support::in_ci(), "openssl is missing but CI is set");
        eprintln!("skipping: openssl not found");
        return;
    }
    let servers = oracles::for_test("tls_differential").unwrap_or_else(|why| panic!("{why}"));
    let (with_tls, without): (Vec<&Oracle>, Vec<&Oracle>) =
        servers.iter().partition(|o| o.has_tls());
    for o in &without {
        println!(
            "tls_differential: {} is built without TLS: not compared",
            o.version
        );
    }
    if with_tls.is_empty() {
        assert!(!support::in_ci(), "no server built with TLS, but CI is set");
        return;
    }
    let seed: u64 = std::env::var("REDLINT_TLS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_208);
    let cases: u64 = std::env::var("REDLINT_TLS_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let scratch = tempfile::tempdir().unwrap();
    let files = Files::make(scratch.path());
    let texts: Vec<String> = (0..cases)
        .map(|i| case(&mut Rng::for_item(seed, i), &files))
        .collect();
    let failures: Vec<String> = with_tls
        .iter()
        .filter_map(|server| compare_with(server, &texts, scratch.path()).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every case started by one server and read by redlint with its target.
fn compare_with(server: &Oracle, texts: &[String], scratch: &Path) -> Result<(), String> {
    let target: Version = server.target.parse().unwrap();
    let root = scratch.join(server.slug());
    let results: Vec<(String, Verdict, Option<String>)> = std::thread::scope(|s| {
        let chunks: Vec<&[String]> = texts.chunks(texts.len().div_ceil(2).max(1)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(k, chunk)| {
                let dir = root.join(format!("w{k}"));
                s.spawn(move || {
                    std::fs::create_dir_all(&dir).unwrap();
                    let mut out = Vec::new();
                    for text in chunk {
                        let text = text.replace("{TLS_PORT}", &free_port().to_string());
                        std::fs::write(dir.join("redis.conf"), &text).unwrap();
                        let verdict =
                            run::run_with(&server.program, &dir, "redis.conf", Mode::Full, &[])
                                .verdict;
                        // What the oracle adds after the file (see `support::oracle`).
                        let sock = dir.join("s.sock");
                        let sock = sock.to_string_lossy();
                        let argv = [
                            "--port",
                            "0",
                            "--unixsocket",
                            &sock,
                            "--cluster-enabled",
                            "no",
                            "--loglevel",
                            "notice",
                        ];
                        let ours = redlint_refuses(&dir, text.as_bytes(), &argv, target);
                        out.push((text, verdict, ours));
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
    for (text, verdict, ours) in &results {
        let agree = match verdict {
            Verdict::Accepted => ours.is_none(),
            Verdict::Rejected { .. } => ours.is_some(),
            Verdict::Inconclusive(_) => {
                inconclusive += 1;
                true
            }
        };
        if !agree {
            disagree.push(format!(
                "--- server {verdict}, redlint {}\n{text}",
                ours.as_deref().unwrap_or("accepts")
            ));
        }
    }
    let refused = results.iter().filter(|(_, v, _)| v.is_rejected()).count();
    println!(
        "tls_differential ({target} vs {}): {} cases ({refused} refused by the server), {} agree, {inconclusive} inconclusive",
        server.version,
        results.len(),
        results.len() - disagree.len()
    );
    // Both verdicts are well represented, or the comparison proves little.
    if refused * 10 <= results.len() || (results.len() - refused) * 10 <= results.len() {
        return Err(format!("{target}: {refused} of {} refused", results.len()));
    }
    if inconclusive * 20 >= results.len() {
        return Err(format!(
            "{target}: too many inconclusive runs: {inconclusive}"
        ));
    }
    if !disagree.is_empty() {
        return Err(format!(
            "{target}: {} of {} TLS cases disagree:\n{}",
            disagree.len(),
            results.len(),
            disagree.join("\n")
        ));
    }
    Ok(())
}
