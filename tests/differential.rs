//! Differential test: redlint against the real redis-server 7.0 (the project oracle).
//!
//! Contract: redis-server rejects a file ⇔ redlint reports at least one `invalid/*`
//! diagnostic, and when redis-server names a line, redlint's first `invalid/*` diagnostic is on
//! that line. Inputs: the bases (`fixtures/`, `../shared/corpus/{wild,upstream}` with
//! machine-dependent lines removed) and seeded mutants of them (`tests/support/mutate.rs`).
//!
//! Environment: `REDLINT_DIFF_SEED` (u64, default fixed), `REDLINT_DIFF_MUTANTS` (default 6000),
//! `REDLINT_DIFF_JOBS` (parallel cases, default = CPUs), `REDLINT_DIFF_SHOW` (disagreements
//! printed, default 30), `REDLINT_DIFF_VERBOSE` (print every base's verdicts),
//! `REDLINT_DIFF_ONLY=i,j` (only these mutants, to reproduce a reported one), `CI` (a missing redis-server or corpus is a failure, not a skip).
//! Every disagreeing input is written to `target/differential-failures/`, with a summary.

mod support;

use redlint::{CheckOptions, Diagnostic, Version};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;
use support::corpus::{self, Base};
use support::mutate::{self, BaseStatus, Mutant, Vocab};
use support::oracle::{self, Mode, OracleRun, Verdict};
use support::{clip, escape, line_of};

const DEFAULT_SEED: u64 = 0x5EED_2ED1_1A7E;
const DEFAULT_MUTANTS: usize = 6000;
/// Share of quick-accepted cases that also get a full start, to catch post-listen rejections
/// redlint misses even when nothing hints at them (per mille).
const FULL_START_SAMPLE_PER_MILLE: u64 = 30;
const CONFIG_NAME: &str = "redis.conf";

fn env_parse<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not valid")),
        Err(_) => default,
    }
}

/// One input to compare.
struct Case {
    /// `base:<name>` or `mutant:<index>`.
    id: String,
    bytes: Vec<u8>,
    /// Base index (for mutants: the base they came from).
    base: usize,
    /// Edit descriptions (mutants only).
    edits: Vec<String>,
    /// Whether to do a full start even if nothing calls for it.
    sample_full: bool,
}

#[derive(Debug, Clone)]
struct RedlintVerdict {
    /// First invalid diagnostic: (line, is in the checked file, rule, message).
    first_invalid: Option<(usize, bool, String, String)>,
    all_invalid: usize,
    panic: Option<String>,
}

impl std::fmt::Display for RedlintVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(p) = &self.panic {
            return write!(f, "PANIC: {p}");
        }
        match &self.first_invalid {
            None => write!(f, "accepted"),
            Some((line, own, rule, message)) => write!(
                f,
                "invalid@{line}{} {rule} \"{message}\" ({} invalid diagnostics)",
                if *own { "" } else { " (in another file)" },
                self.all_invalid
            ),
        }
    }
}

struct Outcome {
    /// Time redlint took on this case.
    redlint_time: std::time::Duration,
    oracle: OracleRun,
    /// The quick run's verdict when a full start replaced it.
    quick: Option<Verdict>,
    redlint: RedlintVerdict,
    agree: bool,
    /// Oracle inconclusive: not counted either way.
    inconclusive: bool,
    dir_listing: Vec<String>,
}

/// Time spent in redlint and in redis-server runs (nanoseconds, all jobs summed).
static REDLINT_NANOS: AtomicU64 = AtomicU64::new(0);
static ORACLE_NANOS: AtomicU64 = AtomicU64::new(0);

fn run_redlint(path: &Path, bytes: &[u8], dir: &Path, target: Version) -> RedlintVerdict {
    let started = Instant::now();
    let verdict = run_redlint_inner(path, bytes, dir, target);
    REDLINT_NANOS.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
    verdict
}

fn run_redlint_inner(path: &Path, bytes: &[u8], dir: &Path, target: Version) -> RedlintVerdict {
    let options = CheckOptions {
        target,
        cwd: Some(dir.to_path_buf()),
        // The oracle runs plain redis-server on the file as it is.
        sentinel: Some(false),
        template: Some(false),
        ..Default::default()
    };
    // The oracle runs `redis-server FILE --port 0 …`, and redis-server appends command-line
    // options to the file's text as lines of their own: check what it checks.
    let mut as_run = bytes.to_vec();
    as_run.extend_from_slice(b"\nport 0\n");
    let result = std::panic::catch_unwind(|| {
        redlint::check_bytes(path, as_run, &options).expect("the target has a catalog")
    });
    match result {
        Ok(report) => {
            let invalid: Vec<&Diagnostic> = report
                .diagnostics
                .iter()
                .filter(|d| d.rule.starts_with("invalid/"))
                .collect();
            RedlintVerdict {
                first_invalid: report.first_invalid().map(|d| {
                    (
                        report.server_line(d),
                        report.location(d).file == path,
                        d.rule.clone(),
                        d.message.clone(),
                    )
                }),
                all_invalid: invalid.len(),
                panic: None,
            }
        }
        Err(e) => RedlintVerdict {
            first_invalid: None,
            all_invalid: 0,
            panic: Some(
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "(non-string panic)".into()),
            ),
        },
    }
}

/// Whether a config that passed the quick run may still fail redis-server 7.0's post-listen
/// checks: `user` lines (ACL rules are resolved after the listeners), module configs (`a.b`
/// names), `aclfile`.
fn needs_full_start(bytes: &[u8]) -> bool {
    bytes.split(|&b| b == b'\n').any(|l| {
        corpus::directive_name(l).is_some_and(|n| n == "user" || n == "aclfile" || n.contains('.'))
    })
}

/// A base of the directives the target's catalog has and no other base names (those new in
/// its version), each at its default: mutants of it exercise that version's own directives.
fn own_directives_base(target: Version, bases: &[Base]) -> Option<Base> {
    use redlint::catalog::ValueType;
    let catalog = redlint::catalog::Catalog::load(target).ok()?;
    let named: std::collections::HashSet<String> = bases
        .iter()
        .flat_map(|b| b.bytes.split(|&c| c == b'\n'))
        .filter_map(corpus::directive_name)
        .collect();
    let mut text = String::new();
    for (name, spec) in catalog.directives() {
        let known = std::iter::once(name)
            .chain(spec.aliases.iter().copied())
            .any(|n| named.contains(&n.to_ascii_lowercase()));
        if known
            || corpus::MACHINE_DEPENDENT.contains(&name)
            || matches!(spec.value_type, ValueType::Special | ValueType::Ignored)
            || spec.conditional.is_some()
        {
            continue;
        }
        let Some(default) = spec.default_value() else {
            continue;
        };
        let value = if default.is_empty() { "\"\"" } else { &default };
        let _ = writeln!(text, "{name} {value}");
    }
    (!text.is_empty()).then(|| Base {
        name: format!("catalog/new-in-{target}.conf"),
        bytes: text.into_bytes(),
        removed: 0,
    })
}

/// The bases a fifth of the mutants start from: the stock config of the target's own version
/// (the newest earlier one of the same product when the corpus has none, as for Valkey 8.1 and
/// 9.0) and the base of the directives new in it.
fn favoured_bases(target: Version, bases: &[Base]) -> Vec<usize> {
    let product = match target.product {
        redlint::version::Product::Redis => "redis",
        redlint::version::Product::Valkey => "valkey",
    };
    let prefix = format!("upstream/{product}-");
    let stock = bases
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let version = b.name.strip_prefix(&prefix)?.strip_suffix(".conf")?;
            let mut parts = version.split(['.', '-']);
            let major: u16 = parts.next()?.parse().ok()?;
            let minor: u16 = parts.next()?.parse().ok()?;
            ((major, minor) <= (target.major, target.minor)).then_some(((major, minor), i))
        })
        .max()
        .map(|(_, i)| i);
    let own = bases
        .iter()
        .position(|b| b.name == format!("catalog/new-in-{target}.conf"));
    stock.into_iter().chain(own).collect()
}

/// One server build and the target redlint checks with for it.
struct Server {
    program: std::path::PathBuf,
    version: String,
    target: Version,
    /// `redis_7_0`: the name of its folder of failures.
    slug: String,
}

fn compare(case: &Case, scratch: &Path, server: &Server) -> Outcome {
    let target = server.target;
    let dir = tempfile::Builder::new()
        .prefix("case-")
        .tempdir_in(scratch)
        .expect("temp dir");
    let path = dir.path().join(CONFIG_NAME);
    std::fs::write(&path, &case.bytes).unwrap();
    let redlint_started = Instant::now();
    let redlint = run_redlint(&path, &case.bytes, dir.path(), target);
    let redlint_time = redlint_started.elapsed();
    let oracle_started = Instant::now();
    let mut oracle = oracle::run_with(&server.program, dir.path(), CONFIG_NAME, Mode::Quick, &[]);
    let mut quick = None;
    if oracle.verdict.is_accepted()
        && (redlint.first_invalid.is_some() || case.sample_full || needs_full_start(&case.bytes))
    {
        let full = oracle::run_with(&server.program, dir.path(), CONFIG_NAME, Mode::Full, &[]);
        quick = Some(oracle.verdict.clone());
        oracle = full;
    }
    ORACLE_NANOS.fetch_add(
        oracle_started.elapsed().as_nanos() as u64,
        Ordering::Relaxed,
    );
    let dir_listing = std::fs::read_dir(dir.path())
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let inconclusive = matches!(oracle.verdict, Verdict::Inconclusive(_));
    let agree = redlint.panic.is_none()
        && match (&oracle.verdict, &redlint.first_invalid) {
            (Verdict::Accepted, None) => true,
            (Verdict::Rejected { line: None, .. }, Some(_)) => true,
            (Verdict::Rejected { line: Some(n), .. }, Some((l, own, _, _))) => *own && l == n,
            _ => false,
        };
    Outcome {
        redlint_time,
        oracle,
        quick,
        redlint,
        agree,
        inconclusive,
        dir_listing,
    }
}

/// Run every case, `jobs` at a time; results in case order.
fn run_all(
    cases: &[Case],
    jobs: usize,
    scratch: &Path,
    server: &Server,
    label: &str,
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new((0..cases.len()).map(|_| None).collect());
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= cases.len() {
                        break;
                    }
                    let outcome = compare(&cases[i], scratch, server);
                    results.lock().unwrap()[i] = Some(outcome);
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if d.is_multiple_of(1000) {
                        eprintln!(
                            "  … {label}: {d}/{} in {:.1}s",
                            cases.len(),
                            started.elapsed().as_secs_f64()
                        );
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|o| o.expect("every case ran"))
        .collect()
}

fn describe(case: &Case, o: &Outcome, bases: &[Base]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} (base {})", case.id, bases[case.base].name);
    for e in &case.edits {
        let _ = writeln!(s, "    edit: {}", clip(e, 160));
    }
    let oracle_line = match &o.oracle.verdict {
        Verdict::Rejected { line: Some(n), .. } => Some(*n),
        _ => None,
    };
    let redlint_line = o.redlint.first_invalid.as_ref().map(|(l, ..)| *l);
    let _ = write!(
        s,
        "    oracle:  {}",
        clip(&o.oracle.verdict.to_string(), 200)
    );
    if let Some(q) = &o.quick {
        let _ = write!(s, " (full start; quick run: {q})");
    }
    let _ = writeln!(s);
    if let Some(n) = oracle_line {
        let text = line_of(&case.bytes, n)
            .map(escape)
            .unwrap_or_else(|| "(past end of file)".into());
        let _ = writeln!(s, "      L{n}: '{}'", clip(&text, 160));
    }
    let _ = writeln!(s, "    redlint: {}", clip(&o.redlint.to_string(), 240));
    if let Some(n) = redlint_line
        && Some(n) != oracle_line
    {
        let text = line_of(&case.bytes, n)
            .map(escape)
            .unwrap_or_else(|| "(past end of file)".into());
        let _ = writeln!(s, "      L{n}: '{}'", clip(&text, 160));
    }
    s
}

fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn save_failure(dir: &Path, prefix: &str, n: usize, case: &Case, o: &Outcome, bases: &[Base]) {
    let stem = format!("{prefix}{n:04}-{}", safe_name(&case.id));
    let _ = std::fs::write(dir.join(format!("{stem}.conf")), &case.bytes);
    let mut details = describe(case, o, bases);
    let _ = writeln!(
        details,
        "\n--- redis-server output ---\n{}",
        o.oracle.output
    );
    let _ = writeln!(
        details,
        "--- files left in the case directory ---\n{:?}",
        o.dir_listing
    );
    let _ = std::fs::write(dir.join(format!("{stem}.txt")), details);
}

struct Tally {
    compared: usize,
    agree: usize,
    inconclusive: usize,
    oracle_rejects: usize,
    full_starts: usize,
}

fn tally(outcomes: &[Outcome]) -> Tally {
    let mut t = Tally {
        compared: 0,
        agree: 0,
        inconclusive: 0,
        oracle_rejects: 0,
        full_starts: 0,
    };
    for o in outcomes {
        if o.quick.is_some() {
            t.full_starts += 1;
        }
        if o.inconclusive {
            t.inconclusive += 1;
            continue;
        }
        t.compared += 1;
        if o.agree {
            t.agree += 1;
        }
        if o.oracle.verdict.is_rejected() {
            t.oracle_rejects += 1;
        }
    }
    t
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

fn main() {
    if support::filtered_out("differential") {
        return;
    }
    let oracles = match support::common::oracles::for_test("differential") {
        Ok(o) if o.is_empty() => std::process::exit(support::missing_prerequisite(
            "differential",
            "no redis-server is on PATH",
        )),
        Ok(o) => o,
        Err(why) => {
            eprintln!("differential: FAILED: {why}");
            std::process::exit(1);
        }
    };
    let corpus_dir = support::shared_dir().join("corpus");
    if !corpus_dir.is_dir() {
        std::process::exit(support::missing_prerequisite(
            "differential",
            &format!("{} is missing", corpus_dir.display()),
        ));
    }
    let _ = std::fs::remove_dir_all(support::target_dir().join("differential-failures"));
    let mut failed = Vec::new();
    for o in oracles {
        let server = Server {
            target: o.target.parse().expect("a known target"),
            slug: o.slug(),
            version: o.version,
            program: o.program,
        };
        if let Err(why) = differential(&server, &corpus_dir) {
            eprintln!("differential ({}): FAILED: {why}", server.target);
            failed.push(server.target.to_string());
        }
    }
    if !failed.is_empty() {
        eprintln!("differential: FAILED for {}", failed.join(", "));
        std::process::exit(1);
    }
    println!("differential: ok");
}

/// The whole comparison with one server: `Err` says why it failed.
fn differential(server: &Server, corpus_dir: &Path) -> Result<(), String> {
    let started = Instant::now();
    REDLINT_NANOS.store(0, Ordering::Relaxed);
    ORACLE_NANOS.store(0, Ordering::Relaxed);
    let target = server.target;
    let server_version = &server.version;
    let seed: u64 = env_parse("REDLINT_DIFF_SEED", DEFAULT_SEED);
    let n_mutants: usize = env_parse("REDLINT_DIFF_MUTANTS", DEFAULT_MUTANTS);
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
    let jobs: usize = env_parse("REDLINT_DIFF_JOBS", cpus).max(1);
    let show: usize = env_parse("REDLINT_DIFF_SHOW", 30);

    println!("differential: redlint (target {target}) vs {server_version}");
    println!("  seed {seed:#x}, {n_mutants} mutants, {jobs} parallel jobs");

    // Bases
    let mut bases: Vec<Base> =
        corpus::load_dir(&support::manifest_dir().join("fixtures"), "fixtures");
    bases.extend(corpus::load_dir(&corpus_dir.join("wild"), "wild"));
    bases.extend(corpus::load_dir(&corpus_dir.join("upstream"), "upstream"));
    bases.extend(own_directives_base(target, &bases));
    let removed: usize = bases.iter().map(|b| b.removed).sum();
    println!(
        "  {} bases ({} machine-dependent or slow lines removed; directives: {})",
        bases.len(),
        removed,
        corpus::MACHINE_DEPENDENT.join(" ")
    );
    if bases.is_empty() {
        return Err("no bases found".into());
    }

    let scratch = tempfile::Builder::new()
        .prefix("redlint-differential-")
        .tempdir()
        .expect("scratch dir");
    let failures_dir = support::target_dir()
        .join("differential-failures")
        .join(&server.slug);
    std::fs::create_dir_all(&failures_dir).expect("create target/differential-failures");

    let mut sample_rng = mutate::Rng::new(seed ^ 0xF011);
    let base_cases: Vec<Case> = bases
        .iter()
        .enumerate()
        .map(|(i, b)| Case {
            id: format!("base:{}", b.name),
            bytes: b.bytes.clone(),
            base: i,
            edits: Vec::new(),
            sample_full: sample_rng.next_u64() % 1000 < FULL_START_SAMPLE_PER_MILLE,
        })
        .collect();
    let t0 = Instant::now();
    let base_outcomes = run_all(&base_cases, jobs, scratch.path(), server, "bases");
    let base_time = t0.elapsed();
    if std::env::var_os("REDLINT_DIFF_VERBOSE").is_some() {
        for (case, o) in base_cases.iter().zip(&base_outcomes) {
            println!(
                "  {:60} oracle {} | redlint {}",
                case.id,
                clip(&o.oracle.verdict.to_string(), 100),
                clip(&o.redlint.to_string(), 100)
            );
        }
    }

    // Mutants
    let status: Vec<BaseStatus> = base_outcomes
        .iter()
        .map(|o| match &o.oracle.verdict {
            Verdict::Accepted => BaseStatus::Accepted,
            Verdict::Rejected { line: Some(n), .. } => BaseStatus::RejectedAt(*n),
            _ => BaseStatus::Rejected,
        })
        .collect();
    let base_bytes: Vec<&[u8]> = bases.iter().map(|b| b.bytes.as_slice()).collect();
    let favoured = favoured_bases(target, &bases);
    println!(
        "  mutants favour: {}",
        favoured
            .iter()
            .map(|&i| bases[i].name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let t1 = Instant::now();
    let mut vocab = Vocab::build(&base_bytes);
    // Value hints from the catalog of the target (which enum words and bounds to try).
    if let Ok(catalog) = redlint::catalog::Catalog::load(target) {
        for (name, spec) in catalog.directives() {
            for n in std::iter::once(name).chain(spec.aliases.iter().copied()) {
                let n = n.to_ascii_lowercase();
                if !spec.enum_values.is_empty() {
                    let words = spec.enum_values.iter().map(|w| w.to_string()).collect();
                    vocab.enum_values.insert(n.clone(), words);
                }
                if let (Some(lo), Some(hi)) = (spec.min_value(), spec.max_value()) {
                    vocab.bounds.insert(n, (lo, hi));
                }
            }
        }
    }
    // REDLINT_DIFF_ONLY=12,345: only these mutants (to reproduce a reported one quickly)
    let only: Option<Vec<usize>> = std::env::var("REDLINT_DIFF_ONLY")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect());
    let mutants: Vec<Mutant> = (0..n_mutants)
        .filter(|i| only.as_ref().is_none_or(|o| o.contains(i)))
        .map(|i| mutate::generate(seed, i, &base_bytes, &status, &vocab, &favoured))
        .collect();
    let gen_time = t1.elapsed();
    let mutant_cases: Vec<Case> = mutants
        .into_iter()
        .map(|m| Case {
            id: format!("mutant:{}", m.index),
            bytes: m.bytes,
            base: m.base,
            edits: m.edits,
            sample_full: sample_rng.next_u64() % 1000 < FULL_START_SAMPLE_PER_MILLE,
        })
        .collect();
    let t2 = Instant::now();
    let mutant_outcomes = run_all(&mutant_cases, jobs, scratch.path(), server, "mutants");
    let mutant_time = t2.elapsed();
    if std::env::var_os("REDLINT_DIFF_VERBOSE").is_some() {
        let mut hist: std::collections::BTreeMap<String, usize> = Default::default();
        for o in &mutant_outcomes {
            let key = match &o.oracle.verdict {
                Verdict::Rejected { line, message } => {
                    format!(
                        "{} {}",
                        if line.is_some() { "fatal" } else { "exit " },
                        clip(message, 80)
                    )
                }
                v => v.to_string(),
            };
            *hist.entry(key).or_default() += 1;
        }
        let mut v: Vec<_> = hist.into_iter().collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.1));
        println!("  oracle verdicts on mutants:");
        for (k, n) in v {
            println!("  {n:6}  {k}");
        }
    }

    // Report
    let tb = tally(&base_outcomes);
    let tm = tally(&mutant_outcomes);
    let all: Vec<(&Case, &Outcome)> = base_cases
        .iter()
        .zip(&base_outcomes)
        .chain(mutant_cases.iter().zip(&mutant_outcomes))
        .collect();
    let disagreements: Vec<&(&Case, &Outcome)> = all
        .iter()
        .filter(|(_, o)| !o.agree && !o.inconclusive)
        .collect();
    let inconclusive: Vec<&(&Case, &Outcome)> =
        all.iter().filter(|(_, o)| o.inconclusive).collect();

    // Kinds of disagreement
    let (mut missed, mut extra, mut wrong_line, mut panics) = (0, 0, 0, 0);
    for (_, o) in &disagreements {
        if o.redlint.panic.is_some() {
            panics += 1;
        } else if o.oracle.verdict.is_rejected() && o.redlint.first_invalid.is_none() {
            missed += 1;
        } else if o.oracle.verdict.is_accepted() {
            extra += 1;
        } else {
            wrong_line += 1;
        }
    }
    let mut rules: std::collections::BTreeMap<String, usize> = Default::default();
    for (_, o) in &disagreements {
        if let Some((_, _, rule, _)) = &o.redlint.first_invalid
            && o.oracle.verdict.is_accepted()
        {
            *rules.entry(rule.clone()).or_default() += 1;
        }
    }
    let mut messages: std::collections::BTreeMap<String, usize> = Default::default();
    for (_, o) in &disagreements {
        if let Verdict::Rejected { message, .. } = &o.oracle.verdict
            && o.redlint.first_invalid.is_none()
        {
            *messages.entry(clip(message, 90)).or_default() += 1;
        }
    }

    let mut out = String::new();
    let _ = writeln!(out);
    // Show one disagreement per kind first (oracle message × redlint rule), then the rest in
    // order, so the listing is not 30 copies of the same gap.
    let signature = |o: &Outcome| -> String {
        let oracle = match &o.oracle.verdict {
            Verdict::Rejected { message, .. } => clip(message, 40),
            v => v.to_string(),
        };
        let redlint = match &o.redlint.first_invalid {
            Some((_, _, rule, _)) => rule.clone(),
            None => "accepted".into(),
        };
        format!("{oracle} | {redlint}")
    };
    let mut seen = std::collections::HashSet::new();
    let mut shown: Vec<usize> = Vec::new();
    for (i, (_, o)) in disagreements.iter().enumerate() {
        if shown.len() < show && seen.insert(signature(o)) {
            shown.push(i);
        }
    }
    for i in 0..disagreements.len() {
        if shown.len() >= show {
            break;
        }
        if !shown.contains(&i) {
            shown.push(i);
        }
    }
    shown.sort_unstable();
    for &i in &shown {
        let (case, o) = disagreements[i];
        let _ = write!(out, "[{}] {}", i + 1, describe(case, o, &bases));
    }
    if disagreements.len() > show {
        let _ = writeln!(
            out,
            "… and {} more disagreements (numbers as in {})",
            disagreements.len() - shown.len(),
            failures_dir.display()
        );
    }
    for (case, o) in inconclusive.iter().take(10) {
        let _ = writeln!(out, "inconclusive: {} ({})", case.id, o.oracle.verdict);
    }
    if !messages.is_empty() {
        let _ = writeln!(out, "\nredis-server rejections redlint misses, by message:");
        let mut v: Vec<_> = messages.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (m, n) in v.iter().take(15) {
            let _ = writeln!(out, "  {n:6}  {m}");
        }
    }
    if !rules.is_empty() {
        let _ = writeln!(
            out,
            "\nredlint invalid/* on files redis-server accepts, by rule:"
        );
        let mut v: Vec<_> = rules.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (r, n) in v.iter().take(15) {
            let _ = writeln!(out, "  {n:6}  {r}");
        }
    }
    let total_time = started.elapsed();
    let _ = writeln!(
        out,
        "\ndifferential summary (target {target}, oracle {server_version}):"
    );
    let _ = writeln!(
        out,
        "  bases compared:   {:6}  agree {:6} ({:.2}%)  oracle rejects {}  [{:.1}s]",
        tb.compared,
        tb.agree,
        pct(tb.agree, tb.compared),
        tb.oracle_rejects,
        base_time.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  mutants compared: {:6}  agree {:6} ({:.2}%)  oracle rejects {}  [{:.1}s, generated in {:.2}s]",
        tm.compared,
        tm.agree,
        pct(tm.agree, tm.compared),
        tm.oracle_rejects,
        mutant_time.as_secs_f64(),
        gen_time.as_secs_f64()
    );
    let total = tb.compared + tm.compared;
    let agree = tb.agree + tm.agree;
    let _ = writeln!(
        out,
        "  total:            {:6}  agree {:6} ({:.2}%)  disagree {} (missed rejection {missed}, \
         invalid on accepted {extra}, wrong line {wrong_line}, panics {panics})",
        total,
        agree,
        pct(agree, total),
        disagreements.len()
    );
    let _ = writeln!(
        out,
        "  full starts: {}, inconclusive oracle runs: {}, seed {seed:#x}, run time {:.1}s \
         (summed over jobs: redis-server {:.1}s, redlint {:.1}s)",
        tb.full_starts + tm.full_starts,
        tb.inconclusive + tm.inconclusive,
        total_time.as_secs_f64(),
        ORACLE_NANOS.load(Ordering::Relaxed) as f64 / 1e9,
        REDLINT_NANOS.load(Ordering::Relaxed) as f64 / 1e9
    );
    let mut slowest: Vec<&(&Case, &Outcome)> = all.iter().collect();
    slowest.sort_by_key(|(_, o)| std::cmp::Reverse(o.redlint_time));
    let _ = writeln!(
        out,
        "  slowest redlint checks: {}",
        slowest
            .iter()
            .take(3)
            .map(|(c, o)| format!("{} {:.0}ms", c.id, o.redlint_time.as_secs_f64() * 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !disagreements.is_empty() {
        let _ = writeln!(out, "  every disagreeing input: {}", failures_dir.display());
    }
    print!("{out}");

    for (n, (case, o)) in disagreements.iter().enumerate() {
        save_failure(&failures_dir, "", n + 1, case, o, &bases);
    }
    for (n, (case, o)) in inconclusive.iter().enumerate() {
        save_failure(&failures_dir, "inconclusive-", n + 1, case, o, &bases);
    }
    let _ = std::fs::write(failures_dir.join("SUMMARY.txt"), &out);
    let _ = std::fs::write(
        support::target_dir().join(format!("differential-last-run-{}.txt", server.slug)),
        format!(
            "run time {:.1}s (bases {:.1}s, mutants {:.1}s), {} cases, {} disagreements, seed {seed:#x}\n",
            total_time.as_secs_f64(),
            base_time.as_secs_f64(),
            mutant_time.as_secs_f64(),
            total,
            disagreements.len()
        ),
    );
    drop(scratch);
    // A run where the oracle could not decide many cases proves little: insist on a clear
    // verdict for nearly every mutant, and on the 5 000-mutant bar when running the default count.
    let inconclusive = tb.inconclusive + tm.inconclusive;
    if inconclusive * 50 > tb.compared + tm.compared + inconclusive {
        return Err(format!(
            "{inconclusive} inconclusive oracle runs (more than 2 %)"
        ));
    }
    if std::env::var_os("REDLINT_DIFF_MUTANTS").is_none() && tm.compared < 5000 {
        return Err(format!(
            "only {} mutants compared (at least 5000 expected)",
            tm.compared
        ));
    }
    if !disagreements.is_empty() {
        return Err(format!("{} disagreements", disagreements.len()));
    }
    println!("differential ({target}): ok");
    Ok(())
}
