//! What kind of file a config is, when nobody says: a Sentinel config or a redis.conf, a
//! template or a file as the server reads it. Decided from the name and a quick look at the
//! lines, before the file is read properly.

use std::path::Path;

/// Directives only a data-serving redis-server uses: a file that sets one is a redis.conf.
const SERVER_ONLY_PREFIXES: &[&str] = &[
    "save",
    "appendonly",
    "appendfsync",
    "appendfilename",
    "appenddirname",
    "auto-aof-",
    "aof-",
    "no-appendfsync-on-rewrite",
    "dbfilename",
    "rdbcompression",
    "rdbchecksum",
    "rdb-",
    "stop-writes-on-bgsave-error",
    "maxmemory",
    "cluster-",
    "replicaof",
    "slaveof",
    "masterauth",
    "masteruser",
    "replica-",
    "slave-",
    "repl-",
    "min-replicas-",
    "min-slaves-",
    "databases",
    "hash-max-",
    "list-max-",
    "list-compress-depth",
    "set-max-",
    "zset-max-",
    "stream-node-",
    "hll-sparse-",
    "activerehashing",
    "activedefrag",
    "active-defrag-",
    "lazyfree-",
    "lua-time-limit",
    "busy-reply-threshold",
    "notify-keyspace-events",
];

/// The first word of each directive line, ASCII-lowercased (a cheap look: no quoting rules).
fn first_words(bytes: &[u8]) -> impl Iterator<Item = (Vec<u8>, &[u8])> {
    bytes.split(|&b| b == b'\n').filter_map(|line| {
        let line = line.trim_ascii();
        if line.is_empty() || line[0] == b'#' {
            return None;
        }
        let end = line
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(line.len());
        Some((line[..end].to_ascii_lowercase(), line[end..].trim_ascii()))
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether a file named `path` holding `bytes` is a Sentinel config.
///
/// The lines decide when they can: `sentinel …` lines and no directive only a data-serving
/// server uses make a Sentinel config; the reverse makes a redis.conf. When the lines say both
/// or neither, the name decides (`sentinel*.conf`, `*-sentinel.conf`, `*sentinel*.conf`).
pub fn is_sentinel(path: &Path, bytes: &[u8]) -> bool {
    let (mut sentinel_lines, mut server_lines) = (false, false);
    for (word, rest) in first_words(bytes) {
        if word == b"sentinel" {
            sentinel_lines |= !rest.is_empty();
        } else if let Ok(word) = std::str::from_utf8(&word) {
            server_lines |= SERVER_ONLY_PREFIXES.iter().any(|p| word.starts_with(p));
        }
        if sentinel_lines && server_lines {
            break;
        }
    }
    match (sentinel_lines, server_lines) {
        (true, false) => true,
        (false, true) => false,
        _ => sentinel_name(path),
    }
}

fn sentinel_name(path: &Path) -> bool {
    let name = file_name(path);
    name.contains("sentinel") && name.ends_with(".conf")
}

/// File name endings of templates (Jinja, Go templates, ERB, envsubst).
const TEMPLATE_EXTENSIONS: &[&str] = &[
    ".j2",
    ".jinja",
    ".jinja2",
    ".tmpl",
    ".tpl",
    ".gotmpl",
    ".erb",
    ".template",
];

/// Whether a file is a template on purpose: named like one, or with template control lines.
pub fn is_template(path: &Path, bytes: &[u8]) -> bool {
    let name = file_name(path);
    TEMPLATE_EXTENSIONS.iter().any(|e| name.ends_with(e))
        || bytes
            .split(|&b| b == b'\n')
            .any(|line| control_line(line.trim_ascii()) && !plain_expression(line.trim_ascii()))
}

/// Whether a (trimmed) line is template markup rather than a directive: `{% … %}`, `{# … #}`,
/// `<% … %>` and any line that starts with `{{` (Go template actions, and expressions that
/// expand to whole lines).
pub fn control_line(line: &[u8]) -> bool {
    ["{%", "{#", "<%", "{{"]
        .iter()
        .any(|open| line.starts_with(open.as_bytes()))
}

/// A line that is only `{{ expression }}`: a template's doing, but also what a config rendered
/// by hand may hold; it does not make a file a template by itself.
fn plain_expression(line: &[u8]) -> bool {
    let Some(inner) = line.strip_prefix(b"{{") else {
        return false;
    };
    let inner = inner.trim_ascii_start();
    let keyword = |k: &[u8]| {
        inner.starts_with(k)
            && inner
                .get(k.len())
                .is_none_or(|b| !b.is_ascii_alphanumeric())
    };
    !(inner.starts_with(b"-")
        || inner.starts_with(b"/*")
        || [
            &b"if"[..],
            b"else",
            b"end",
            b"range",
            b"with",
            b"define",
            b"template",
            b"block",
        ]
        .iter()
        .any(|k| keyword(k)))
}

/// The template markup in a line (`{{ … }}`, `{% … %}`, `<% … %>`, `${…}`), opener to closer
/// (to the end of the line when it is not closed). Quotes and spaces inside are the renderer's,
/// not redis-server's: `bind {{ addr | default('127.0.0.1') }}` has one value.
pub fn markup_spans(line: &[u8]) -> Vec<std::ops::Range<usize>> {
    const PAIRS: &[(&[u8], &[u8])] = &[
        (b"{{", b"}}"),
        (b"{%", b"%}"),
        (b"<%", b"%>"),
        (b"${", b"}"),
    ];
    let mut spans = Vec::new();
    let mut at = 0;
    while at < line.len() {
        let rest = &line[at..];
        match PAIRS.iter().find(|(open, _)| rest.starts_with(open)) {
            Some((open, close)) => {
                let body = &rest[open.len()..];
                let end = body
                    .windows(close.len())
                    .position(|w| w == *close)
                    .map_or(line.len(), |i| at + open.len() + i + close.len());
                spans.push(at..end);
                at = end;
            }
            None => at += 1,
        }
    }
    spans
}

/// Whether a value holds template markup that a renderer replaces (`{{ … }}`, `{% … %}`,
/// `<%= … %>`, `${…}`, envsubst's `$VAR`): in template mode such a value is unknown.
pub fn has_template_markup(value: &[u8]) -> bool {
    let has = |needle: &[u8]| value.windows(needle.len()).any(|w| w == needle);
    has(b"{{")
        || has(b"{%")
        || has(b"<%")
        || has(b"${")
        || value
            .windows(2)
            .any(|w| w[0] == b'$' && (w[1].is_ascii_uppercase() || w[1] == b'_'))
}

/// Whether a value is a placeholder someone forgot to fill in: `${VAR}`, `$VAR`, `{{ … }}`,
/// `%VAR%`, `__VAR__`, `<password>`, `CHANGEME` and the like. Redis never expands them: the
/// value is the placeholder text itself.
pub fn is_placeholder(value: &[u8]) -> bool {
    // A user rule's `>password` holds the value after its `>`.
    let value = value.strip_prefix(b">").unwrap_or(value);
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let ident = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
            && s.chars().any(|c| c.is_ascii_alphabetic())
    };
    let upper_ident = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && s.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
    };
    // A value of a million values is mostly neither marked nor the length of a listed word.
    let marked = text
        .bytes()
        .any(|b| matches!(b, b'$' | b'{' | b'<' | b'%' | b'_'));
    if !marked && !(4..=MAX_WORD_SHAPE).contains(&text.len()) {
        return false;
    }
    if let Some(open) = text.find("${")
        && text[open..].contains('}')
    {
        return true;
    }
    if let Some(open) = text.find("{{")
        && text[open..].contains("}}")
    {
        return true;
    }
    if text.contains("<%") && text.contains("%>") {
        return true;
    }
    if let Some(name) = text.strip_prefix('$') {
        return upper_ident(name);
    }
    if let Some(name) = text.strip_prefix('%').and_then(|t| t.strip_suffix('%')) {
        return upper_ident(name);
    }
    if let Some(name) = text.strip_prefix("__").and_then(|t| t.strip_suffix("__")) {
        return upper_ident(name);
    }
    if let Some(name) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
        return ident(&name.replace(' ', "_"));
    }
    if text.len() > MAX_WORD_SHAPE {
        return false;
    }
    // The letters and digits, lowercased: at most three other bytes around a listed word.
    let mut folded = [0u8; MAX_WORD_SHAPE];
    let mut n = 0;
    for b in text.bytes().filter(u8::is_ascii_alphanumeric) {
        folded[n] = b.to_ascii_lowercase();
        n += 1;
    }
    n + 3 >= text.len() && PLACEHOLDER_WORDS.contains(&&folded[..n])
}

/// Words that stand in for a value to be filled in, as letters and digits.
const PLACEHOLDER_WORDS: [&[u8]; 13] = [
    b"changeme",
    b"changeit",
    b"changethis",
    b"replaceme",
    b"replacethis",
    b"yourpassword",
    b"yourpasswordhere",
    b"passwordhere",
    b"putyourpasswordhere",
    b"insertpasswordhere",
    b"setme",
    b"todo",
    b"fixme",
];

/// The longest value that can be a listed word: the longest word and three other bytes.
const MAX_WORD_SHAPE: usize = 22;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_files_by_content_then_name() {
        let monitor = b"port 26379\nsentinel monitor m 127.0.0.1 6379 2\n";
        assert!(is_sentinel(Path::new("a.conf"), monitor));
        assert!(is_sentinel(Path::new("redis.conf"), monitor));
        // The lines say redis.conf: the name does not matter.
        assert!(!is_sentinel(
            Path::new("sentinel.conf"),
            b"appendonly yes\nport 6379\n"
        ));
        // Neither: the name decides.
        assert!(is_sentinel(Path::new("sentinel.conf"), b"port 26379\n"));
        assert!(is_sentinel(Path::new("/x/redis-sentinel.conf"), b""));
        assert!(is_sentinel(Path::new("my_sentinel_2.conf"), b""));
        assert!(!is_sentinel(Path::new("redis.conf"), b"port 26379\n"));
        // Both: the name decides.
        let mixed = b"sentinel monitor m 10.0.0.1 6379 2\nmaxmemory 64mb\n";
        assert!(is_sentinel(Path::new("sentinel.conf"), mixed));
        assert!(!is_sentinel(Path::new("redis.conf"), mixed));
        // `sentinel` with nothing after it is not a Sentinel line.
        assert!(!is_sentinel(Path::new("redis.conf"), b"sentinel\n"));
    }

    #[test]
    fn templates_by_name_or_control_lines() {
        assert!(is_template(Path::new("redis.conf.j2"), b"port 1\n"));
        assert!(is_template(Path::new("redis.conf.erb"), b""));
        assert!(is_template(
            Path::new("redis.conf"),
            b"{% if x %}\nport 1\n{% endif %}\n"
        ));
        assert!(is_template(
            Path::new("redis.conf"),
            b"{{- if .Values.auth }}\n"
        ));
        assert!(is_template(Path::new("redis.conf"), b"<% if @x %>\n"));
        assert!(!is_template(Path::new("redis.conf"), b"port 6379\n"));
        // An expression alone, or a placeholder value, is not template control.
        assert!(!is_template(
            Path::new("redis.conf"),
            b"{{ extra }}\nport ${PORT}\n"
        ));
    }

    #[test]
    fn template_markup() {
        for v in [
            "{{ pw }}",
            "a{%x%}",
            "<%= @pw %>",
            "${PW}",
            "$REDIS_PASS",
            ">$PW",
        ] {
            assert!(has_template_markup(v.as_bytes()), "{v}");
        }
        for v in ["6379", "p$ssw0rd", "100$", "yes"] {
            assert!(!has_template_markup(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn placeholders() {
        for p in [
            "${REDIS_PASSWORD}",
            "${pw:-x}",
            "$REDIS_PASSWORD",
            "{{ redis_pass }}",
            "{{.Values.pw}}",
            "<%= @pw %>",
            "%REDIS_PASS%",
            "__PASSWORD__",
            "<password>",
            "<your password>",
            "CHANGEME",
            "change-me",
            "Change_Me",
            "your_password",
            ">${PW}",
            ">__PASS__",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for v in [
            "foobared",
            "p$ssw0rd",
            "$x",
            "a${b",
            "__init__",
            "100%",
            "<",
            "changeme-4f9a1c2e8b7d",
            "yes",
            "KEA",
            "$KEA$",
        ] {
            assert!(!is_placeholder(v.as_bytes()), "{v}");
        }
    }
}
