//! Configs where they really live: `redis-server` command lines in Compose files, Dockerfiles
//! and Kubernetes manifests, and redis.conf text in ConfigMaps and Helm values.
//!
//! Each embedded config becomes the text redis-server would read (a block's lines, or a command
//! line as `main()` turns it into config text, after what the image sets), with every byte
//! traced to the host file ([`map::TracedText`]). The linter checks that text like any config
//! and maps findings and fixes back to the host's own lines.

mod assemble;
mod compose;
mod dockerfile;
pub mod image;
mod kube;
pub mod map;
mod shell;
mod yaml;

use crate::version::Version;
use assemble::Context;
pub use assemble::Embedded;
use std::path::Path;

/// The kinds of host file read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    Compose,
    Dockerfile,
    /// Kubernetes manifests (multi-document YAML), chart templates included.
    Kubernetes,
    /// A Helm chart's `values.yaml`.
    HelmValues,
}

/// The host kind a file's name says, if any.
pub fn kind_by_name(path: &Path) -> Option<HostKind> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    if yaml && (name.starts_with("docker-compose") || name.starts_with("compose")) {
        return Some(HostKind::Compose);
    }
    if name == "dockerfile"
        || name == "containerfile"
        || name.ends_with(".dockerfile")
        || name.starts_with("dockerfile.")
    {
        return Some(HostKind::Dockerfile);
    }
    if yaml && name.starts_with("values") {
        return Some(HostKind::HelmValues);
    }
    if yaml {
        return Some(HostKind::Kubernetes);
    }
    None
}

/// Whether a file the walk meets is worth reading: a host name and a mention of the server.
pub fn worth_reading(path: &Path, bytes: &[u8]) -> bool {
    kind_by_name(path).is_some() && mentions_server(bytes)
}

fn mentions_server(bytes: &[u8]) -> bool {
    static FINDER: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    FINDER
        .get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(["redis", "valkey", "commonConfiguration"])
                .expect("fixed patterns build")
        })
        .is_match(bytes)
}

/// A host file that cannot be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct HostError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Read the configs of a host file. `version` decides how command lines are read when no image
/// says it; `read` reads a repository file (a mounted or copied config).
pub fn extract(
    kind: HostKind,
    path: &Path,
    bytes: &[u8],
    version: Version,
    read: &dyn Fn(&Path) -> Option<Vec<u8>>,
) -> Result<Vec<Embedded>, HostError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        HostError {
            line,
            column: at
                - bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
                + 1,
            message: "not UTF-8".into(),
        }
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    // A chart template is YAML only once rendered: its markup is masked (same length, so every
    // offset holds) for the YAML reader, and block contents are read from the original.
    let masked = (kind != HostKind::Dockerfile && text.contains("{{")).then(|| mask_markup(text));
    let ctx = Context {
        src: masked.as_deref().unwrap_or(text),
        original: text,
        templated: masked.is_some(),
        dir,
        version,
        read,
    };
    let text = ctx.src;
    match kind {
        HostKind::Dockerfile => Ok(dockerfile::extract(&ctx)),
        HostKind::Compose => Ok(compose::extract(&ctx, &load(text)?)),
        HostKind::Kubernetes => Ok(kube::extract(&ctx, &load(text)?)),
        HostKind::HelmValues => Ok(kube::extract_values(&ctx, &load(text)?)),
    }
}

fn load(text: &str) -> Result<Vec<yaml::Node>, HostError> {
    yaml::load(text).map_err(|e| HostError {
        line: e.line,
        column: e.column,
        message: format!("not valid YAML: {}", e.message),
    })
}

/// Template markup masked for the YAML reader: a line that is only markup becomes blanks, other
/// markup `${xx…}` (an unknown value in template mode) of the same length.
fn mask_markup(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let bytes = line.as_bytes();
        let body = line.trim_end_matches('\n');
        if crate::semantic::detect::control_line(body.trim().as_bytes())
            && body.trim().ends_with("}}")
        {
            out.extend(body.bytes().map(|_| b' '));
            out.extend_from_slice(&bytes[body.len()..]);
            continue;
        }
        let mut at = 0;
        for span in crate::semantic::detect::markup_spans(bytes) {
            out.extend_from_slice(&bytes[at..span.start]);
            let n = span.len();
            if n >= 3 && bytes[span.start..].starts_with(b"{{") {
                out.extend_from_slice(b"${");
                out.extend(std::iter::repeat_n(b'x', n - 3));
                out.push(b'}');
            } else {
                out.extend_from_slice(&bytes[span.clone()]);
            }
            at = span.end;
        }
        out.extend_from_slice(&bytes[at..]);
    }
    // Only ASCII replaced ASCII markup bytes: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}
