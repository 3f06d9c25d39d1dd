//! Seeded, deterministic mutants of base configs for the differential test.
//!
//! Mutant `i` of a run depends only on the seed, `i`, the bases and their oracle verdicts, so a
//! disagreement can be reproduced with the same `REDLINT_DIFF_SEED`. Each mutant applies 1–3
//! edits, mostly on or next to real directive lines: name typos, case, aliases, arity, units,
//! enums, booleans, numbers out of range, quoting, inline comments, whitespace, CR, and line
//! duplication/swapping/transplanting. Machine-dependent directives are never introduced.

use super::corpus::{directive_name, is_machine_dependent};
use super::escape;
use std::collections::{BTreeMap, BTreeSet};

/// splitmix64: tiny, fast, good enough for test-case generation.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// An independent stream for item `i` of a run seeded with `seed`.
    pub fn for_item(seed: u64, i: u64) -> Rng {
        let mut r = Rng(seed ^ i.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next_u64();
        r
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// True with probability `pct` percent.
    pub fn pct(&mut self, pct: u64) -> bool {
        self.next_u64() % 100 < pct
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// Index chosen by weight.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut x = self.next_u64() % total.max(1);
        for (i, &w) in weights.iter().enumerate() {
            if x < w as u64 {
                return i;
            }
            x -= w as u64;
        }
        weights.len() - 1
    }
}

/// What the oracle said about a base; mutants prefer accepted bases and, in rejected ones, the
/// lines up to the one redis-server stops at (edits after it would be invisible).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseStatus {
    Accepted,
    RejectedAt(usize),
    Rejected,
}

/// Material collected from all bases.
#[derive(Debug, Default)]
pub struct Vocab {
    /// Real directive lines (any base), without line ending; `sentinel …` lines apart (the
    /// many sentinel configs would otherwise flood the transplants with one kind of error).
    pub directive_lines: Vec<Vec<u8>>,
    pub sentinel_lines: Vec<Vec<u8>>,
    /// Commented-out examples (`# maxmemory <bytes>`, `# requirepass foobared`) of known
    /// names, uncommented.
    pub examples: Vec<Vec<u8>>,
    pub example_set: std::collections::HashSet<Vec<u8>>,
    /// Known directive names (lowercase, as written in the bases).
    pub names: Vec<String>,
    /// Argument lists seen per name.
    pub values: BTreeMap<String, Vec<Vec<u8>>>,
    /// Optional hints from outside (e.g. a catalog), by lowercase name: accepted enum words
    /// and inclusive integer bounds. Only used to pick values; the oracle decides.
    pub enum_values: BTreeMap<String, Vec<String>>,
    pub bounds: BTreeMap<String, (i128, i128)>,
}

impl Vocab {
    pub fn build(bases: &[&[u8]]) -> Vocab {
        let mut lines = BTreeSet::new();
        let mut names = BTreeSet::new();
        let mut values: BTreeMap<String, BTreeSet<Vec<u8>>> = BTreeMap::new();
        let mut commented = BTreeSet::new();
        for base in bases {
            for raw in base.split(|&b| b == b'\n') {
                let line = raw.strip_suffix(b"\r").unwrap_or(raw);
                if line.len() > 300 || is_machine_dependent(line) {
                    continue;
                }
                let toks = Toks::parse(line);
                if let Some(name) = directive_name(line) {
                    if !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                        continue; // junk (templates, YAML) is not vocabulary
                    }
                    lines.insert(line.to_vec());
                    names.insert(name.clone());
                    if toks.items.len() > 1 {
                        values.entry(name).or_default().insert(toks.args_bytes());
                    }
                } else {
                    let t = super::corpus::trim(line);
                    if let Some(rest) = t.strip_prefix(b"#") {
                        let rest = super::corpus::trim(rest);
                        let rt = Toks::parse(rest);
                        if rt.items.len() >= 2
                            && rt.items.len() <= 6
                            && rt.items[0].0.len() > 2
                            && rt.items[0]
                                .0
                                .iter()
                                .all(|b| b.is_ascii_lowercase() || *b == b'-')
                            && !is_machine_dependent(rest)
                        {
                            commented.insert(rest.to_vec());
                        }
                    }
                }
            }
        }
        let examples: Vec<Vec<u8>> = commented
            .into_iter()
            .filter(|l| directive_name(l).is_some_and(|n| names.contains(&n)))
            .collect();
        let (sentinel_lines, lines): (Vec<Vec<u8>>, Vec<Vec<u8>>) = lines
            .into_iter()
            .partition(|l| directive_name(l).as_deref() == Some("sentinel"));
        Vocab {
            directive_lines: lines,
            sentinel_lines,
            example_set: examples.iter().cloned().collect(),
            examples,
            names: names.into_iter().collect(),
            values: values
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().collect()))
                .collect(),
            enum_values: BTreeMap::new(),
            bounds: BTreeMap::new(),
        }
    }
}

/// A line split the way a person would see it: leading blanks, tokens with the blanks after
/// each, and whether a CR preceded the LF. Quotes group words (escapes honoured in "…").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toks {
    pub lead: Vec<u8>,
    pub items: Vec<(Vec<u8>, Vec<u8>)>,
    pub cr: bool,
}

impl Toks {
    pub fn parse(line: &[u8]) -> Toks {
        let (body, cr) = match line.strip_suffix(b"\r") {
            Some(b) => (b, true),
            None => (line, false),
        };
        let sep = |b: u8| matches!(b, b' ' | b'\t' | 0x0b | 0x0c | b'\r');
        let mut i = 0;
        while i < body.len() && sep(body[i]) {
            i += 1;
        }
        let lead = body[..i].to_vec();
        let mut items = Vec::new();
        while i < body.len() {
            let start = i;
            let mut quote: Option<u8> = None;
            while i < body.len() {
                let b = body[i];
                match quote {
                    Some(q) => {
                        if b == b'\\' && q == b'"' && i + 1 < body.len() {
                            i += 1;
                        } else if b == q {
                            quote = None;
                        }
                    }
                    None => {
                        if sep(b) {
                            break;
                        }
                        if b == b'"' || b == b'\'' {
                            quote = Some(b);
                        }
                    }
                }
                i += 1;
            }
            let tok = body[start..i].to_vec();
            let s = i;
            while i < body.len() && sep(body[i]) {
                i += 1;
            }
            items.push((tok, body[s..i].to_vec()));
        }
        Toks { lead, items, cr }
    }

    pub fn render(&self) -> Vec<u8> {
        let mut out = self.lead.clone();
        for (i, (tok, sep)) in self.items.iter().enumerate() {
            out.extend_from_slice(tok);
            if i + 1 < self.items.len() && sep.is_empty() {
                out.push(b' ');
            } else {
                out.extend_from_slice(sep);
            }
        }
        if self.cr {
            out.push(b'\r');
        }
        out
    }

    /// The arguments after the name, joined by single spaces.
    pub fn args_bytes(&self) -> Vec<u8> {
        let args: Vec<&[u8]> = self
            .items
            .iter()
            .skip(1)
            .map(|(t, _)| t.as_slice())
            .collect();
        args.join(&b' ')
    }

    fn set_args(&mut self, args: &[u8]) {
        let parsed = Toks::parse(args);
        self.items.truncate(1);
        if let Some(first) = self.items.first_mut()
            && first.1.is_empty()
        {
            first.1 = b" ".to_vec();
        }
        self.items.extend(parsed.items);
    }
}

/// A file as lines (split on `\n` only, CR kept in the line).
#[derive(Debug, Clone)]
pub struct Doc {
    pub lines: Vec<Vec<u8>>,
    pub final_newline: bool,
}

impl Doc {
    pub fn parse(bytes: &[u8]) -> Doc {
        let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(|l| l.to_vec()).collect();
        let final_newline = bytes.last() == Some(&b'\n');
        if final_newline || bytes.is_empty() {
            lines.pop();
        }
        Doc {
            lines,
            final_newline,
        }
    }
    pub fn render(&self) -> Vec<u8> {
        let mut out = self.lines.join(&b'\n');
        if self.final_newline && !self.lines.is_empty() {
            out.push(b'\n');
        }
        out
    }
}

#[derive(Debug, Clone)]
pub struct Mutant {
    pub index: usize,
    pub base: usize,
    pub bytes: Vec<u8>,
    /// One entry per edit: `L<line> <what>: <resulting line, escaped>`.
    pub edits: Vec<String>,
}

const UNIT_VALUES: &[&str] = &[
    "1gb",
    "1GB",
    "1g",
    "1G",
    "1Gb",
    "1.5gb",
    "-1",
    "1tb",
    "\"2 gb\"",
    "2 gb",
    "+1",
    "01",
    "0",
    "1k",
    "1kb",
    "1K",
    "1mb",
    "100mb",
    "512m",
    "1b",
    "1B",
    "0x10",
    "1e3",
    "gb",
    "\"\"",
    "1,000",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "100%",
    "50%",
    "0%",
    "101%",
    "-100",
    "1gib",
    "20000000000gb",
    "1 gb",
    "\"1gb \"",
];
const BOOL_VALUES: &[&str] = &[
    "yes", "no", "YES", "No", "nO", "true", "false", "1", "0", "on", "off", "\"yes\"", "'no'", "y",
    "yes no", "\"\"", "ye", "yes#",
];
const WORDS: &[&str] = &[
    "bogus",
    "none",
    "default",
    "\"\"",
    "''",
    "-",
    "*",
    "all",
    "no one",
    "auto",
    "yes",
    "no",
    "everysec",
    "allkeys-lru",
    "noeviction",
    "volatile-ttl",
    "notice",
    "debug",
    "warning",
    "verbose",
    "nothing",
    "local",
    "always",
    "save",
    "nosave",
    "now",
    "force",
    "KEA",
    "Ex",
    "\"\"",
    "127.0.0.1",
    "::1",
    "0.0.0.0",
    "localhost 6379",
    "127.0.0.1 6379",
    "700",
    "0777",
];
const ALIASES: &[(&str, &str)] = &[
    ("slaveof", "replicaof"),
    ("slave", "replica"),
    ("ziplist", "listpack"),
    ("master", "primary"),
    ("lua-time-limit", "busy-reply-threshold"),
    ("min-slaves", "min-replicas"),
    ("hash-max-ziplist", "hash-max-listpack"),
    ("list-max-ziplist-size", "list-max-listpack-size"),
    ("requirepass", "masterauth"),
    ("maxmemory-policy", "maxmemory-eviction-policy"),
    ("appendfsync", "appendsync"),
    ("save", "bgsave"),
];
const COMMENTS: &[&str] = &[" # comment", " #comment", "#c", " # ", "\t# x", " ;comment"];
const SEPARATORS: &[&[u8]] = &[b"\t", b"  ", b"\x0b", b"\x0c", b" \t ", b"\r", b"\t\t"];
const LEADS: &[&[u8]] = &[b"  ", b"\t", b"\x0b", b"\x0c", b" \x0c", b"\r"];

fn lower(b: u8) -> u8 {
    b"abcdefghijklmnopqrstuvwxyz-_"[b as usize % 28]
}

fn case_change(rng: &mut Rng, tok: &[u8]) -> (Vec<u8>, &'static str) {
    match rng.below(3) {
        0 => (tok.to_ascii_uppercase(), "upper case"),
        1 => {
            let mut t = tok.to_ascii_lowercase();
            if let Some(f) = t.first_mut() {
                *f = f.to_ascii_uppercase();
            }
            (t, "title case")
        }
        _ => {
            let t = tok
                .iter()
                .map(|b| {
                    if rng.pct(50) {
                        b.to_ascii_uppercase()
                    } else {
                        b.to_ascii_lowercase()
                    }
                })
                .collect();
            (t, "mixed case")
        }
    }
}

fn typo(rng: &mut Rng, tok: &[u8]) -> (Vec<u8>, &'static str) {
    let mut t = tok.to_vec();
    if t.is_empty() {
        return (b"x".to_vec(), "typo (insert)");
    }
    match rng.below(6) {
        0 if t.len() >= 2 => {
            let i = rng.below(t.len() - 1);
            t.swap(i, i + 1);
            (t, "typo (swap)")
        }
        1 if t.len() >= 2 => {
            t.remove(rng.below(t.len()));
            (t, "typo (drop)")
        }
        2 => {
            let i = rng.below(t.len() + 1);
            t.insert(i, lower(rng.next_u64() as u8));
            (t, "typo (insert)")
        }
        3 => {
            let i = rng.below(t.len());
            t.insert(i, t[i]);
            (t, "typo (double)")
        }
        4 => {
            let dashes: Vec<usize> = (0..t.len())
                .filter(|&i| t[i] == b'-' || t[i] == b'_')
                .collect();
            if dashes.is_empty() {
                let i = rng.below(t.len() + 1);
                t.insert(i, b'-');
                return (t, "typo (insert -)");
            }
            if rng.pct(50) {
                for i in dashes {
                    t[i] = if t[i] == b'-' { b'_' } else { b'-' };
                }
                (t, "typo (all - <-> _)")
            } else {
                let i = *rng.pick(&dashes);
                if rng.pct(50) {
                    t[i] = if t[i] == b'-' { b'_' } else { b'-' };
                    (t, "typo (one - <-> _)")
                } else {
                    t.remove(i);
                    (t, "typo (drop -)")
                }
            }
        }
        _ => {
            let i = rng.below(t.len());
            t[i] = lower(rng.next_u64() as u8);
            (t, "typo (replace)")
        }
    }
}

fn alias_swap(rng: &mut Rng, tok: &[u8]) -> Option<Vec<u8>> {
    let s = String::from_utf8_lossy(tok).to_ascii_lowercase();
    let mut options = Vec::new();
    for (a, b) in ALIASES {
        if s.contains(a) {
            options.push(s.replacen(a, b, 1));
        }
        if s.contains(b) {
            options.push(s.replacen(b, a, 1));
        }
    }
    if options.is_empty() {
        None
    } else {
        Some(rng.pick(&options).clone().into_bytes())
    }
}

fn parse_int(tok: &[u8]) -> Option<i128> {
    std::str::from_utf8(tok).ok()?.parse().ok()
}

fn number_variant(rng: &mut Rng, v: i128) -> String {
    let opts = [
        (v * 1000).to_string(),
        (-v).to_string(),
        (v + 1).to_string(),
        (v - 1).to_string(),
        "0".into(),
        "-1".into(),
        "1".into(),
        i64::MAX.to_string(),
        (i64::MAX as i128 + 1).to_string(),
        (i64::MIN as i128 - 1).to_string(),
        u32::MAX.to_string(),
        (u32::MAX as i128 + 1).to_string(),
        (i32::MAX as i128 + 1).to_string(),
        format!("0{v}"),
        format!("+{v}"),
        format!("{v}.0"),
        format!("{v}x"),
        format!("{v}k"),
        format!("{v}kb"),
        format!("{v}%"),
        format!("\"{v}\""),
        format!("'{v}'"),
        format!("{v}{v}{v}{v}{v}{v}{v}{v}"),
    ];
    rng.pick(&opts).clone()
}

fn looks_bool(tok: &[u8]) -> bool {
    tok.eq_ignore_ascii_case(b"yes") || tok.eq_ignore_ascii_case(b"no")
}

fn looks_numeric(tok: &[u8]) -> bool {
    !tok.is_empty()
        && tok[0].is_ascii_digit()
        && tok
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'%' || *b == b'.')
}

/// Wrap/escape a token in one of the quoting styles.
fn quote_variant(rng: &mut Rng, tok: &[u8]) -> (Vec<u8>, &'static str) {
    let inner: Vec<u8> = tok
        .iter()
        .copied()
        .filter(|&b| b != b'"' && b != b'\'')
        .collect();
    let cat = |parts: &[&[u8]]| parts.concat();
    match rng.below(10) {
        0 => (cat(&[b"\"", &inner, b"\""]), "double-quoted"),
        1 => (cat(&[b"'", &inner, b"'"]), "single-quoted"),
        2 => (cat(&[b"\"", &inner]), "unbalanced \""),
        3 => (cat(&[b"\"", &inner, b"\"x"]), "glued after closing quote"),
        4 => (cat(&[&inner, b"\"", b"\""]), "open quote glued at the end"),
        5 => (cat(&[b"'", &inner]), "unbalanced '"),
        6 => {
            // one byte as \xHH inside double quotes
            if inner.is_empty() {
                return (b"\"\\x41\"".to_vec(), "hex escape");
            }
            let i = rng.below(inner.len());
            let hex = format!("\\x{:02x}", inner[i]);
            let mut t = b"\"".to_vec();
            t.extend_from_slice(&inner[..i]);
            t.extend_from_slice(hex.as_bytes());
            t.extend_from_slice(&inner[i + 1..]);
            t.push(b'"');
            (t, "hex escape")
        }
        7 => {
            let mut t = b"\"".to_vec();
            t.extend_from_slice(&inner);
            t.extend_from_slice(if rng.pct(50) { b"\\\"\"" } else { b"\\n\"" });
            (t, "escape inside double quotes")
        }
        8 => {
            let mut t = b"'".to_vec();
            t.extend_from_slice(&inner);
            t.extend_from_slice(if rng.pct(50) { b"\\''" } else { b"\\'" });
            (t, "escape inside single quotes")
        }
        _ => {
            let mid = inner.len() / 2;
            (
                cat(&[&inner[..mid], b"\"", &inner[mid..], b"\""]),
                "quote opened mid-token",
            )
        }
    }
}

/// Indices of lines redis-server parses as directives.
fn directive_indices(doc: &Doc) -> Vec<usize> {
    (0..doc.lines.len())
        .filter(|&i| super::corpus::is_directive_line(&doc.lines[i]))
        .collect()
}

/// Choose the line to edit: a directive line (up to `limit` when set), else any line.
fn target_line(rng: &mut Rng, doc: &Doc, limit: Option<usize>) -> Option<usize> {
    let mut idx = directive_indices(doc);
    if let Some(limit) = limit
        && rng.pct(85)
    {
        let before: Vec<usize> = idx.iter().copied().filter(|&i| i < limit).collect();
        if !before.is_empty() {
            idx = before;
        }
    }
    if !idx.is_empty() && rng.pct(93) {
        return Some(*rng.pick(&idx));
    }
    if doc.lines.is_empty() {
        None
    } else {
        Some(rng.below(doc.lines.len()))
    }
}

fn vocab_line(rng: &mut Rng, vocab: &Vocab) -> Vec<u8> {
    if !vocab.sentinel_lines.is_empty() && rng.pct(3) {
        rng.pick(&vocab.sentinel_lines).clone()
    } else if !vocab.examples.is_empty() && rng.pct(35) {
        rng.pick(&vocab.examples).clone()
    } else if !vocab.directive_lines.is_empty() {
        rng.pick(&vocab.directive_lines).clone()
    } else {
        b"maxmemory 1gb".to_vec()
    }
}

/// Apply one edit; returns its description.
fn edit(rng: &mut Rng, doc: &mut Doc, vocab: &Vocab, limit: Option<usize>) -> Option<String> {
    // name, arity, value, quotes, comment, whitespace, CR, whole lines
    let kind = rng.weighted(&[14, 12, 30, 11, 6, 8, 5, 16]);
    let Some(li) = target_line(rng, doc, limit) else {
        let line = vocab_line(rng, vocab);
        doc.lines.push(line.clone());
        return Some(format!("L1 insert into empty file: '{}'", escape(&line)));
    };
    let mut t = Toks::parse(&doc.lines[li]);
    let what: String;
    match kind {
        // name
        0 => {
            if t.items.is_empty() {
                return None;
            }
            let name = t.items[0].0.clone();
            let (new, w) = match rng.below(7) {
                0..=2 => typo(rng, &name),
                3 => case_change(rng, &name),
                4 => match alias_swap(rng, &name) {
                    Some(n) => (n, "alias/renamed name"),
                    None => typo(rng, &name),
                },
                5 => (
                    rng.pick(&vocab.names).clone().into_bytes(),
                    "other directive name",
                ),
                _ => quote_variant(rng, &name),
            };
            t.items[0].0 = new;
            what = format!("name {w}");
        }
        // arity
        1 => {
            if t.items.is_empty() {
                return None;
            }
            let n = t.items.len();
            match rng.below(5) {
                0 if n > 1 => {
                    t.items.truncate(1);
                    what = "drop all args".into();
                }
                1 if n > 1 => {
                    t.items.pop();
                    what = "drop last arg".into();
                }
                2 if n > 1 => {
                    let i = 1 + rng.below(n - 1);
                    let dup = t.items[i].clone();
                    t.items.insert(i, dup);
                    what = "duplicate an arg".into();
                }
                _ => {
                    let extra = match rng.below(3) {
                        0 => rng.pick(WORDS).as_bytes().to_vec(),
                        1 => rng.pick(UNIT_VALUES).as_bytes().to_vec(),
                        _ => t.items[n - 1].0.clone(),
                    };
                    if let Some(last) = t.items.last_mut()
                        && last.1.is_empty()
                    {
                        last.1 = b" ".to_vec();
                    }
                    t.items.push((extra, Vec::new()));
                    what = "append an arg".into();
                }
            }
        }
        // values
        2 => {
            if t.items.is_empty() {
                return None;
            }
            if t.items.len() == 1 {
                t.items[0].1 = b" ".to_vec();
                t.items.push((Vec::new(), Vec::new()));
            }
            let i = if rng.pct(75) {
                1
            } else {
                1 + rng.below(t.items.len() - 1)
            };
            let cur = t.items[i].0.clone();
            let name = directive_name(&doc.lines[li]).unwrap_or_default();
            let enum_words = vocab.enum_values.get(&name).filter(|v| !v.is_empty());
            let bounds = vocab.bounds.get(&name);
            let (new, w): (Vec<u8>, String) = if let (Some(words), true) = (enum_words, rng.pct(50))
            {
                let mut v = rng.pick(words).clone().into_bytes();
                if rng.pct(20) {
                    v = case_change(rng, &v).0;
                }
                (v, "enum value".into())
            } else if let (Some(&(lo, hi)), true) = (bounds, rng.pct(40)) {
                let v = *rng.pick(&[lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, (lo + hi) / 2]);
                (v.to_string().into_bytes(), "bound".into())
            } else if looks_bool(&cur) && rng.pct(80) {
                (rng.pick(BOOL_VALUES).as_bytes().to_vec(), "bool".into())
            } else if let (Some(v), true) = (parse_int(&cur), rng.pct(50)) {
                (number_variant(rng, v).into_bytes(), "number".into())
            } else if looks_numeric(&cur) && rng.pct(80) {
                (rng.pick(UNIT_VALUES).as_bytes().to_vec(), "unit".into())
            } else {
                match rng.below(6) {
                    0 | 1 => match vocab.values.get(&name) {
                        Some(vals) if !vals.is_empty() => {
                            let v = rng.pick(vals).clone();
                            t.set_args(&v);
                            let line = t.render();
                            doc.lines[li] = line.clone();
                            return Some(format!(
                                "L{} args from another {name} line: '{}'",
                                li + 1,
                                escape(&line)
                            ));
                        }
                        _ => (rng.pick(WORDS).as_bytes().to_vec(), "word".into()),
                    },
                    2 => {
                        let (v, w) = case_change(rng, &cur);
                        (v, format!("value {w}"))
                    }
                    3 => {
                        let (v, w) = typo(rng, &cur);
                        (v, format!("value {w}"))
                    }
                    4 => (
                        if rng.pct(50) {
                            b"\"\"".to_vec()
                        } else {
                            b"''".to_vec()
                        },
                        "empty value".into(),
                    ),
                    _ => (rng.pick(WORDS).as_bytes().to_vec(), "word".into()),
                }
            };
            t.items[i].0 = new;
            what = format!("value ({w})");
        }
        // quotes
        3 => {
            if t.items.is_empty() {
                return None;
            }
            let i = if t.items.len() > 1 && rng.pct(85) {
                1 + rng.below(t.items.len() - 1)
            } else {
                0
            };
            let (new, w) = quote_variant(rng, &t.items[i].0);
            t.items[i].0 = new;
            what = format!("quotes: {w}");
        }
        // comments
        4 => {
            let c = *rng.pick(COMMENTS);
            match rng.below(4) {
                0 => {
                    let mut l = if rng.pct(50) {
                        b"#".to_vec()
                    } else {
                        b"# ".to_vec()
                    };
                    l.extend_from_slice(&doc.lines[li]);
                    doc.lines[li] = l.clone();
                    return Some(format!("L{} comment out: '{}'", li + 1, escape(&l)));
                }
                1 => {
                    let mut l = if rng.pct(50) {
                        b"\x0b#".to_vec()
                    } else {
                        b"\x0c# ".to_vec()
                    };
                    l.extend_from_slice(&doc.lines[li]);
                    doc.lines[li] = l.clone();
                    return Some(format!("L{} \\v/\\f before #: '{}'", li + 1, escape(&l)));
                }
                _ => {
                    let last = t.items.last_mut()?;
                    if c.starts_with(' ') || c.starts_with('\t') {
                        last.1.clear();
                    }
                    last.0.extend_from_slice(c.as_bytes());
                    what = "inline comment".into();
                }
            }
        }
        // whitespace
        5 => match rng.below(3) {
            0 if t.items.len() > 1 => {
                let i = rng.below(t.items.len() - 1);
                t.items[i].1 = rng.pick(SEPARATORS).to_vec();
                what = "separator".into();
            }
            1 => {
                t.lead = rng.pick(LEADS).to_vec();
                what = "leading blanks".into();
            }
            _ => {
                if let Some(last) = t.items.last_mut() {
                    last.1 = if rng.pct(50) {
                        b"  ".to_vec()
                    } else {
                        b"\t".to_vec()
                    };
                }
                what = "trailing blanks".into();
            }
        },
        // CR
        6 => match rng.below(4) {
            0 => {
                for l in &mut doc.lines {
                    if !l.ends_with(b"\r") {
                        l.push(b'\r');
                    }
                }
                return Some("all lines CRLF".into());
            }
            1 => {
                t.cr = !t.cr;
                what = "toggle CRLF".into();
            }
            2 if !t.items.is_empty() => {
                let i = rng.below(t.items.len());
                let tok = &mut t.items[i].0;
                let at = rng.below(tok.len() + 1);
                tok.insert(at, b'\r');
                what = "lone CR inside a token".into();
            }
            _ => {
                if t.items.len() > 1 {
                    t.items[0].1 = b"\r".to_vec();
                    what = "lone CR as separator".into();
                } else {
                    doc.final_newline = false;
                    if let Some(last) = doc.lines.last_mut()
                        && !last.ends_with(b"\r")
                    {
                        last.push(b'\r');
                    }
                    return Some("final line CR without LF".into());
                }
            }
        },
        // lines
        _ => match rng.below(8) {
            0 => {
                let l = doc.lines[li].clone();
                doc.lines.insert(li + 1, l.clone());
                return Some(format!("L{} duplicate line: '{}'", li + 2, escape(&l)));
            }
            1 => {
                let idx = directive_indices(doc);
                let j = *rng.pick(&idx.clone().into_iter().chain([li]).collect::<Vec<_>>());
                doc.lines.swap(li, j);
                return Some(format!(
                    "swap L{} and L{}: '{}' / '{}'",
                    li + 1,
                    j + 1,
                    escape(&doc.lines[li]),
                    escape(&doc.lines[j])
                ));
            }
            2 => {
                let l = doc.lines.remove(li);
                return Some(format!("L{} delete line: '{}'", li + 1, escape(&l)));
            }
            3 => {
                doc.final_newline = !doc.final_newline;
                return Some(format!(
                    "final newline {}",
                    if doc.final_newline {
                        "added"
                    } else {
                        "removed"
                    }
                ));
            }
            4 => {
                // uncomment an example of this base, else insert one from any base
                let commented: Vec<usize> = (0..doc.lines.len())
                    .filter(|&i| {
                        let t = super::corpus::trim(&doc.lines[i]);
                        t.first() == Some(&b'#')
                            && vocab.example_set.contains(super::corpus::trim(&t[1..]))
                    })
                    .collect();
                if !commented.is_empty() {
                    let i = *rng.pick(&commented);
                    let t = super::corpus::trim(&doc.lines[i]).to_vec();
                    let un = super::corpus::trim(&t[1..]).to_vec();
                    doc.lines[i] = un.clone();
                    return Some(format!("L{} uncomment: '{}'", i + 1, escape(&un)));
                }
                let l = vocab_line(rng, vocab);
                doc.lines.insert(li, l.clone());
                return Some(format!("L{} insert line: '{}'", li + 1, escape(&l)));
            }
            5 if li + 1 < doc.lines.len() => {
                let next = doc.lines.remove(li + 1);
                doc.lines[li].extend_from_slice(&next);
                return Some(format!(
                    "L{} join with next line: '{}'",
                    li + 1,
                    escape(&doc.lines[li])
                ));
            }
            6 => {
                const BLANKISH: &[&[u8]] = &[b"", b"   ", b"\t", b"\r", b"#", b" # x", b"\x0c"];
                let l = rng.pick::<&[u8]>(BLANKISH);
                doc.lines.insert(li, l.to_vec());
                return Some(format!(
                    "L{} insert blank-ish line: '{}'",
                    li + 1,
                    escape(l)
                ));
            }
            _ => {
                let l = vocab_line(rng, vocab);
                let at = if rng.pct(70) {
                    li + 1
                } else {
                    rng.below(doc.lines.len() + 1)
                };
                doc.lines.insert(at, l.clone());
                return Some(format!(
                    "L{} line from another base: '{}'",
                    at + 1,
                    escape(&l)
                ));
            }
        },
    }
    let line = t.render();
    doc.lines[li] = line.clone();
    Some(format!("L{} {what}: '{}'", li + 1, escape(&line)))
}

/// Mutant number `index` of a run.
/// One seeded mutant of one of `bases`. A fifth of them start from a `favoured` base (the
/// target's own stock config and directives), the rest mostly from bases the server accepts.
pub fn generate(
    seed: u64,
    index: usize,
    bases: &[&[u8]],
    status: &[BaseStatus],
    vocab: &Vocab,
    favoured: &[usize],
) -> Mutant {
    let mut rng = Rng::for_item(seed, index as u64);
    let accepted: Vec<usize> = (0..bases.len())
        .filter(|&i| status[i] == BaseStatus::Accepted)
        .collect();
    for _attempt in 0..50 {
        let b = if !favoured.is_empty() && rng.pct(20) {
            *rng.pick(favoured)
        } else if !accepted.is_empty() && rng.pct(75) {
            *rng.pick(&accepted)
        } else {
            rng.below(bases.len())
        };
        let limit = match status[b] {
            BaseStatus::RejectedAt(n) => Some(n),
            _ => None,
        };
        let mut doc = Doc::parse(bases[b]);
        let n_edits = match rng.below(10) {
            0..=4 => 1,
            5..=7 => 2,
            _ => 3,
        };
        let mut edits = Vec::new();
        for _ in 0..n_edits * 3 {
            if edits.len() == n_edits {
                break;
            }
            if let Some(e) = edit(&mut rng, &mut doc, vocab, limit) {
                edits.push(e);
            }
        }
        let bytes = doc.render();
        if edits.is_empty()
            || bytes == bases[b]
            || bytes
                .split(|&c| c == b'\n')
                .any(|l| is_machine_dependent(l) || super::corpus::is_slow(l) || l.contains(&0))
        {
            continue;
        }
        return Mutant {
            index,
            base: b,
            bytes,
            edits,
        };
    }
    // practically unreachable: a fixed, harmless mutant
    Mutant {
        index,
        base: 0,
        bytes: b"maxmemory 1tb\n".to_vec(),
        edits: vec!["fallback: 'maxmemory 1tb'".into()],
    }
}
