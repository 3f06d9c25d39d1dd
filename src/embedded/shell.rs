//! Command lines as a shell (or Compose) splits them, and variables as Compose and Kubernetes
//! interpolate them, each byte traced back to the host.

use std::ops::Range;

/// Text with the host offset of every byte (`None`: made by the reader).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Traced {
    pub text: Vec<u8>,
    pub at: Vec<Option<usize>>,
}

impl Traced {
    pub fn new(text: Vec<u8>, at: Vec<Option<usize>>) -> Traced {
        Traced { text, at }
    }

    fn push(&mut self, b: u8, at: Option<usize>) {
        self.text.push(b);
        self.at.push(at);
    }

    /// The host range the bytes cover, when each has a place.
    pub fn host_range(&self) -> Option<Range<usize>> {
        let first = (*self.at.first()?)?;
        let last = (*self.at.last()?)?;
        Some(first..last + 1)
    }

    pub fn has_vars(&self) -> bool {
        self.text.windows(2).any(|w| w == b"${")
    }
}

/// How variables are written in the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vars {
    /// Compose: `${VAR}`, `${VAR:-default}`, `$VAR`; `$$` is a `$`.
    Compose,
    /// Kubernetes `command` / `args`: `$(VAR)`; `$$` is a `$`.
    Kubernetes,
}

/// Interpolate: a variable's value is not known here, so it becomes `${VAR}` markup (an
/// unknown value in template mode), and the escapes become what they stand for.
pub fn interpolate(input: &Traced, vars: Vars) -> Traced {
    let (t, at) = (&input.text, &input.at);
    let mut out = Traced::default();
    let mut i = 0;
    while i < t.len() {
        let b = t[i];
        if b != b'$' || i + 1 >= t.len() {
            out.push(b, at[i]);
            i += 1;
            continue;
        }
        let next = t[i + 1];
        match (vars, next) {
            (_, b'$') => {
                out.push(b'$', at[i]);
                i += 2;
            }
            (Vars::Compose, b'{') => {
                // Kept as written: `${…}` is markup already.
                let end = t[i..]
                    .iter()
                    .position(|&c| c == b'}')
                    .map_or(t.len(), |p| i + p + 1);
                for k in i..end {
                    out.push(t[k], at[k]);
                }
                i = end;
            }
            (Vars::Compose, c) if c == b'_' || c.is_ascii_alphabetic() => {
                let end = t[i + 1..]
                    .iter()
                    .position(|&c| !(c == b'_' || c.is_ascii_alphanumeric()))
                    .map_or(t.len(), |p| i + 1 + p);
                out.push(b'$', at[i]);
                out.push(b'{', None);
                for k in i + 1..end {
                    out.push(t[k], at[k]);
                }
                out.push(b'}', None);
                i = end;
            }
            (Vars::Kubernetes, b'(') => match t[i..].iter().position(|&c| c == b')') {
                Some(p) => {
                    out.push(b'$', at[i]);
                    out.push(b'{', None);
                    for k in i + 2..i + p {
                        out.push(t[k], at[k]);
                    }
                    out.push(b'}', None);
                    i += p + 1;
                }
                None => {
                    out.push(b, at[i]);
                    i += 1;
                }
            },
            _ => {
                out.push(b, at[i]);
                i += 1;
            }
        }
    }
    out
}

/// A word of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub value: Traced,
    /// The bytes of the word as written (quotes included).
    pub written: Range<usize>,
    /// `;`, `&&`, `|` ...: the end of a command.
    pub operator: bool,
}

/// Split a command line the way a POSIX shell splits words: blanks separate, single quotes
/// are literal, double quotes and backslashes escape; operators end a command.
pub fn split(input: &Traced) -> Vec<Word> {
    let t = &input.text;
    let mut words = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if b";&|".contains(&t[i]) {
            while i < t.len() && b";&|".contains(&t[i]) {
                i += 1;
            }
            words.push(Word {
                value: Traced::new(t[start..i].to_vec(), input.at[start..i].to_vec()),
                written: start..i,
                operator: true,
            });
            continue;
        }
        let mut value = Traced::default();
        while i < t.len() && !t[i].is_ascii_whitespace() && !b";&|".contains(&t[i]) {
            match t[i] {
                b'\'' => {
                    i += 1;
                    while i < t.len() && t[i] != b'\'' {
                        value.push(t[i], input.at[i]);
                        i += 1;
                    }
                    i += 1;
                }
                b'"' => {
                    i += 1;
                    while i < t.len() && t[i] != b'"' {
                        if t[i] == b'\\' && i + 1 < t.len() && b"\"\\$`".contains(&t[i + 1]) {
                            i += 1;
                        }
                        value.push(t[i], input.at[i]);
                        i += 1;
                    }
                    i += 1;
                }
                b'\\' if i + 1 < t.len() => {
                    value.push(t[i + 1], input.at[i + 1]);
                    i += 2;
                }
                c => {
                    value.push(c, input.at[i]);
                    i += 1;
                }
            }
        }
        let end = i.min(t.len());
        words.push(Word {
            value,
            written: start..end,
            operator: false,
        });
    }
    words
}

/// The host range of a word as written, when its bytes have places.
pub fn written_host(input: &Traced, word: &Word) -> Option<Range<usize>> {
    let first = (*input.at.get(word.written.start)?)?;
    let last = (*input.at.get(word.written.end.checked_sub(1)?)?)?;
    Some(first..last + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn traced(s: &str) -> Traced {
        Traced::new(s.as_bytes().to_vec(), (0..s.len()).map(Some).collect())
    }

    #[test]
    fn words_quotes_and_operators() {
        let input = traced(r#"redis-server --save "" --requirepass 'a b' x\ y && echo"#);
        let words = split(&input);
        let values: Vec<&[u8]> = words.iter().map(|w| w.value.text.as_slice()).collect();
        assert_eq!(
            values,
            [
                &b"redis-server"[..],
                b"--save",
                b"",
                b"--requirepass",
                b"a b",
                b"x y",
                b"&&",
                b"echo"
            ]
        );
        assert!(words[6].operator);
        assert_eq!(words[4].value.at[0], Some(38));
        assert_eq!(written_host(&input, &words[4]), Some(37..42));
    }

    #[test]
    fn compose_and_kubernetes_variables() {
        let out = interpolate(&traced("a$$b ${PW} $USER"), Vars::Compose);
        assert_eq!(out.text, b"a$b ${PW} ${USER}");
        assert!(out.has_vars());
        let out = interpolate(&traced("--requirepass $(PW) $$(X)"), Vars::Kubernetes);
        assert_eq!(out.text, b"--requirepass ${PW} $(X)");
    }
}
