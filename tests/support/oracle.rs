//! The oracle: run the real `redis-server` on a config file and classify the outcome.
//!
//! Quick run: `redis-server FILE --port 0 --unixsocket ''` in the file's directory. The server
//! parses the config, initialises, finds nothing to listen on and exits with
//! `Configured to not listen anywhere, exiting.`: that means the config was accepted. A
//! `*** FATAL CONFIG FILE ERROR` block means rejected (with the line it names); any other exit
//! or a signal means rejected without a line.
//!
//! Full start: `redis-server FILE --port 0 --unixsocket DIR/s.sock` and wait for
//! `Ready to accept connections`. Needed for the checks redis-server 7.0 does only after it
//! set up its listeners (ACL users, module configs without `loadmodule`, `user` + `aclfile`).

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// `line` is the line of a FATAL block (1-based, within the parse unit redis-server names).
    Rejected {
        line: Option<usize>,
        message: String,
    },
    /// The server neither exited nor became ready in time, or could not be started.
    Inconclusive(String),
}

impl Verdict {
    pub fn is_rejected(&self) -> bool {
        matches!(self, Verdict::Rejected { .. })
    }
    pub fn is_accepted(&self) -> bool {
        matches!(self, Verdict::Accepted)
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Accepted => write!(f, "accepted"),
            Verdict::Rejected {
                line: Some(n),
                message,
            } => write!(f, "rejected@{n} \"{message}\""),
            Verdict::Rejected {
                line: None,
                message,
            } => write!(f, "rejected \"{message}\""),
            Verdict::Inconclusive(why) => write!(f, "inconclusive ({why})"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OracleRun {
    pub verdict: Verdict,
    /// stdout followed by stderr.
    pub output: String,
    pub full_start: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Quick,
    Full,
}

/// Kills (SIGKILL) and reaps the child when dropped, so no server outlives a panic.
struct ChildGuard(Option<Child>);

impl ChildGuard {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().unwrap()
    }
    fn kill_and_wait(&mut self) -> Option<ExitStatus> {
        let mut child = self.0.take()?;
        let _ = child.kill();
        child.wait().ok()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill_and_wait();
    }
}

pub const QUICK_TIMEOUT: Duration = Duration::from_secs(5);
pub const FULL_TIMEOUT: Duration = Duration::from_secs(8);

fn read_all(path: &Path) -> String {
    let mut buf = Vec::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_end(&mut buf);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Run redis-server on `dir/file_name` (cwd = `dir`).
/// `extra_args` (command-line options) go between the file name and the oracle's own options.
pub fn run(dir: &Path, file_name: &str, mode: Mode, extra_args: &[&str]) -> OracleRun {
    run_with(Path::new("redis-server"), dir, file_name, mode, extra_args)
}

/// [`run`] with another server build (`valkey-server`, a Redis 6.2 `redis-server`).
pub fn run_with(
    program: &Path,
    dir: &Path,
    file_name: &str,
    mode: Mode,
    extra_args: &[&str],
) -> OracleRun {
    let out_path = dir.join(".oracle.stdout");
    let err_path = dir.join(".oracle.stderr");
    let sock = dir.join("s.sock");
    let mut cmd = Command::new(program);
    // Like the recorded probes: `SERVER FILE [args] --port 0 …`.
    cmd.arg(file_name)
        .args(extra_args)
        .args(["--port", "0", "--unixsocket"]);
    match mode {
        Mode::Quick => {
            // "Configured to not listen anywhere" is a WARNING: a file's `loglevel nothing`
            // would hide it, and the exit that ends an accepted run would look like a refusal.
            cmd.args(["", "--loglevel", "warning"]);
        }
        Mode::Full => {
            cmd.arg(&sock);
            // A cluster node listens on port+10000 = 10000 with port 0: parallel runs would
            // collide on it. Cluster-mode checks made while reading the file already ran in the
            // quick run; the full start is only about the post-listen checks.
            cmd.args(["--cluster-enabled", "no"]);
            // "Ready to accept connections" is a NOTICE: visible even with `loglevel warning`.
            cmd.args(["--loglevel", "notice"]);
        }
    }
    cmd.current_dir(dir)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap());
    let mut guard = match cmd.spawn() {
        Ok(c) => ChildGuard(Some(c)),
        Err(e) => {
            return OracleRun {
                verdict: Verdict::Inconclusive(format!("cannot run redis-server: {e}")),
                output: String::new(),
                full_start: mode == Mode::Full,
            };
        }
    };
    let start = Instant::now();
    let timeout = match mode {
        Mode::Quick => QUICK_TIMEOUT,
        Mode::Full => FULL_TIMEOUT,
    };
    let mut sleep = Duration::from_micros(500);
    let (status, ready) = loop {
        if let Ok(Some(status)) = guard.child().try_wait() {
            guard.0 = None;
            break (Some(status), false);
        }
        // "Ready to accept connections", or with AOF "The server is now ready to accept
        // connections at …"
        if mode == Mode::Full
            && read_all(&out_path)
                .to_ascii_lowercase()
                .contains("ready to accept connections")
        {
            guard.kill_and_wait();
            break (None, true);
        }
        if start.elapsed() > timeout {
            guard.kill_and_wait();
            break (None, false);
        }
        std::thread::sleep(sleep);
        sleep = (sleep * 2).min(Duration::from_millis(5));
    };
    let output = format!("{}{}", read_all(&out_path), read_all(&err_path));
    let verdict = if ready {
        Verdict::Accepted
    } else {
        match status {
            None => Verdict::Inconclusive(format!("no exit after {timeout:?}")),
            Some(status) => classify(&output, status, mode),
        }
    };
    OracleRun {
        verdict,
        output,
        full_start: mode == Mode::Full,
    }
}

/// Strip the `PID:R DD Mon YYYY HH:MM:SS.mmm # ` log prefix.
fn strip_log_prefix(line: &str) -> &str {
    // "8684:M 25 Nov 2026 20:18:37.777 # Configured to not listen anywhere, exiting."
    if let Some((head, rest)) = line.split_once(' ')
        && head.contains(':')
        && head
            .split(':')
            .next()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        // skip date and time (4 words) and the level mark
        let mut parts = rest.splitn(6, ' ');
        let _ = (parts.next(), parts.next(), parts.next(), parts.next());
        let _mark = parts.next();
        if let Some(msg) = parts.next() {
            return msg;
        }
    }
    line
}

pub fn classify(output: &str, status: ExitStatus, mode: Mode) -> Verdict {
    if let Some(pos) = output.find("*** FATAL CONFIG FILE ERROR") {
        let block = &output[pos..];
        let mut line = None;
        let mut message = String::new();
        for (i, l) in block.lines().enumerate() {
            if i == 0 {
                continue;
            }
            if let Some(n) = l.strip_prefix("Reading the configuration file, at line ") {
                line = n.trim().parse().ok();
            } else if l.starts_with(">>> '") {
                continue;
            } else if !l.trim().is_empty() {
                message = l.trim().to_string();
                break;
            }
        }
        return Verdict::Rejected { line, message };
    }
    if mode == Mode::Quick && output.contains("Configured to not listen anywhere, exiting.") {
        return Verdict::Accepted;
    }
    let last = output
        .lines()
        .rev()
        .map(strip_log_prefix)
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string();
    let message = match status.code() {
        Some(code) => format!("exit {code}: {last}"),
        None => {
            use std::os::unix::process::ExitStatusExt;
            format!("signal {}: {last}", status.signal().unwrap_or(0))
        }
    };
    Verdict::Rejected {
        line: None,
        message,
    }
}
