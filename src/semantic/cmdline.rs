//! A server's command line as config text, the way `main()` in server.c builds it: an optional
//! config file first, then each `--name` starting a new line with the values after it appended
//! (quoted the way `sdscatrepr` quotes them), all read after the file as if written at its end.
//!
//! From 7.0 (Valkey likewise) a `--name` given alone takes the next argument as its value even
//! when that argument starts with `--` (`--maxmemory --port` sets maxmemory to `--port`); `--save`
//! and `--sentinel` followed by another option, or last, take no value. Before 7.0 every argument
//! that starts with `--` is a name.

use crate::version::Version;

/// What redis-server makes of its arguments (the program name not included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    /// The config file: the first argument, when it does not start with `-`.
    pub config_file: Option<Vec<u8>>,
    /// `-` as the first or last argument: the config is also read from standard input.
    pub stdin: bool,
    /// `--sentinel` is given (or the program is `redis-sentinel` / `valkey-sentinel`).
    pub sentinel: bool,
    /// The options as config text: one line per `--name`, no final newline.
    pub options: Vec<u8>,
    /// The argument (index into the arguments given) that starts each line of `options`.
    pub line_args: Vec<usize>,
    /// Where each byte run of `options` came from, in order and covering it.
    pub origins: Vec<ArgOrigin>,
}

/// A run of [`CommandLine::options`] bytes and the argument it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgOrigin {
    /// Start of the run in `options`.
    pub at: usize,
    pub len: usize,
    /// Index of the argument.
    pub arg: usize,
    /// When the run is the argument's own bytes, where in the argument it starts; `None` for
    /// bytes redis-server adds (quotes, escapes, spaces, newlines).
    pub arg_offset: Option<usize>,
}

impl CommandLine {
    /// The config text redis-server reads: the file's bytes (and standard input's), then a
    /// newline and the options (`loadServerConfig`).
    pub fn config_text(&self, file: &[u8]) -> Vec<u8> {
        let mut text = file.to_vec();
        if !self.options.is_empty() || !self.line_args.is_empty() {
            text.push(b'\n');
            text.extend_from_slice(&self.options);
        }
        text
    }

    /// The argument a line of [`CommandLine::config_text`] came from (1-based line, as
    /// redis-server counts), or `None` for a line of the file.
    pub fn arg_of_line(&self, file: &[u8], line: usize) -> Option<usize> {
        let file_lines = file.iter().filter(|&&b| b == b'\n').count() + 1;
        // The options start on the line after the file's last one.
        let i = line.checked_sub(file_lines + 1)?;
        self.line_args.get(i).copied()
    }
}

/// Whether the program name runs Sentinel (`redis-sentinel`, `valkey-sentinel`).
pub fn is_sentinel_program(program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program);
    name.ends_with("-sentinel")
}

/// Read `args` (after the program name) as `version` of redis-server does.
pub fn parse(args: &[&[u8]], version: Version) -> CommandLine {
    let mut out = CommandLine {
        sentinel: args.iter().any(|a| *a == b"--sentinel"),
        ..CommandLine::default()
    };
    let mut j = 0;
    if let Some(first) = args.first()
        && first.first() != Some(&b'-')
    {
        out.config_file = Some(first.to_vec());
        j = 1;
    }
    let modern = version.at_least(7, 0);
    let is_name = |a: &[u8]| a.starts_with(b"--");
    let mut line_done = true;
    let options = &mut out.options;
    let origins = &mut out.origins;
    while j < args.len() {
        let arg = args[j];
        let last = j + 1 == args.len();
        if arg == b"-" && (j == 0 || last) {
            out.stdin = true;
        } else if is_name(arg) && (line_done || !modern) {
            if !options.is_empty() || !out.line_args.is_empty() {
                let from = options.len();
                options.push(b'\n');
                note(origins, options, from, j, None);
            }
            // A name with a newline in it starts more than one line.
            for _ in 0..arg.iter().filter(|&&b| b == b'\n').count() {
                out.line_args.push(j);
            }
            out.line_args.push(j);
            let from = options.len();
            options.extend_from_slice(&arg[2..]);
            note(origins, options, from, j, Some(2));
            let from = options.len();
            options.push(b' ');
            if modern {
                // sdssplitargs: one word is a name alone, which takes the next argument (a
                // line that does not split, unbalanced quotes, takes none).
                let alone = crate::syntax::count_tokens(arg, version.quoting()) == Ok(1);
                line_done = !alone;
                let next_is_name = args.get(j + 1).is_some_and(|a| is_name(a));
                if alone && arg.eq_ignore_ascii_case(b"--save") && (next_is_name || last) {
                    options.extend_from_slice(b"\"\"");
                    line_done = true;
                } else if alone && arg.eq_ignore_ascii_case(b"--sentinel") && next_is_name {
                    line_done = true;
                }
            }
            note(origins, options, from, j, None);
        } else {
            let from = options.len();
            repr(options, arg);
            if options.len() == from + arg.len() + 2 {
                // Nothing escaped: the argument's bytes between two added quotes.
                let end = options.len();
                note(origins, &options[..from + 1], from, j, None);
                note(origins, &options[..end - 1], from + 1, j, Some(0));
                options.push(b' ');
                note(origins, options, end - 1, j, None);
            } else {
                options.push(b' ');
                note(origins, options, from, j, None);
            }
            line_done = true;
        }
        j += 1;
    }
    out
}

/// Record what `options` holds from `from` on as coming from argument `arg`.
fn note(
    origins: &mut Vec<ArgOrigin>,
    options: &[u8],
    from: usize,
    arg: usize,
    arg_offset: Option<usize>,
) {
    if options.len() > from {
        origins.push(ArgOrigin {
            at: from,
            len: options.len() - from,
            arg,
            arg_offset,
        });
    }
}

/// `sdscatrepr`: `arg` in double quotes, with `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b`
/// escaped and other bytes outside printable ASCII as `\xHH`.
fn repr(out: &mut Vec<u8>, arg: &[u8]) {
    out.push(b'"');
    for &b in arg {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(args: &[&str], v: Version) -> String {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        String::from_utf8(parse(&args, v).options).unwrap()
    }

    #[test]
    fn names_start_lines_and_values_are_quoted() {
        let v = Version::redis(7, 0);
        assert_eq!(
            text(&["--port", "6380", "--save", "900 1", "--bind", "a\"b"], v),
            "port \"6380\" \nsave \"900 1\" \nbind \"a\\\"b\" "
        );
        // A name and its value in one argument.
        assert_eq!(
            text(&["--port 6380", "--hz", "10"], v),
            "port 6380 \nhz \"10\" "
        );
        // 7.0+: a name alone takes the next argument, even one starting with `--`.
        assert_eq!(text(&["--maxmemory", "--port"], v), "maxmemory \"--port\" ");
        assert_eq!(
            text(&["--maxmemory", "--port"], Version::redis(6, 2)),
            "maxmemory \nport "
        );
        // `--save` followed by a name, or last, means `save ""`.
        assert_eq!(text(&["--save", "--hz", "10"], v), "save \"\"\nhz \"10\" ");
        assert_eq!(text(&["--hz", "10", "--save"], v), "hz \"10\" \nsave \"\"");
        assert_eq!(
            text(&["--sentinel", "--port", "1"], v),
            "sentinel \nport \"1\" "
        );
    }

    #[test]
    fn origins_cover_the_options_and_point_at_argument_bytes() {
        let v = Version::redis(7, 0);
        let args: &[&[u8]] = &[b"--port", b"6380", b"--bind", b"a\"b", b"--save"];
        let cl = parse(args, v);
        let mut at = 0;
        for o in &cl.origins {
            assert_eq!(o.at, at, "{:?}", cl.origins);
            at += o.len;
            if let Some(off) = o.arg_offset {
                assert_eq!(
                    &cl.options[o.at..o.at + o.len],
                    &args[o.arg][off..off + o.len]
                );
            }
        }
        assert_eq!(at, cl.options.len());
        // `6380` is the argument's own bytes inside added quotes; `a"b` is escaped.
        let verbatim: Vec<usize> = cl
            .origins
            .iter()
            .filter(|o| o.arg_offset.is_some())
            .map(|o| o.arg)
            .collect();
        assert_eq!(verbatim, [0, 1, 2, 4]);
    }

    #[test]
    fn the_file_and_stdin() {
        let v = Version::redis(7, 0);
        let cl = parse(&[b"redis.conf", b"--port", b"1", b"-"], v);
        assert_eq!(cl.config_file.as_deref(), Some(&b"redis.conf"[..]));
        assert!(cl.stdin);
        let text = cl.config_text(b"hz 10\n");
        assert_eq!(text, b"hz 10\n\nport \"1\" ");
        assert_eq!(cl.arg_of_line(b"hz 10\n", 3), Some(1));
        assert_eq!(cl.arg_of_line(b"hz 10\n", 1), None);
        assert!(is_sentinel_program("/usr/bin/redis-sentinel"));
        assert!(parse(&[b"--sentinel"], v).sentinel);
    }
}
