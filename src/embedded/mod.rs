//! Configs where they really live: `redis-server` command lines in Compose files, Dockerfiles
//! and Kubernetes manifests, and redis.conf text in ConfigMaps and Helm values.
//!
//! Each embedded config becomes the text redis-server would read (a block's lines, or a command
//! line as `main()` turns it into config text, after what the image sets), with every byte
//! traced to the host file ([`map::TracedText`]). The linter checks that text like any config
//! and maps findings and fixes back to the host's own lines.

mod compose;
mod dockerfile;
pub mod image;
mod kube;
pub mod map;
mod shell;
mod yaml;

use crate::semantic::cmdline;
use crate::version::Version;
use image::Image;
use map::{Appender, HostFile, Owner, OwnerKind, Quoting, TracedText};
use shell::Traced;
use std::ops::Range;
use std::path::{Path, PathBuf};

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

/// One config found in a host file.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// What it is, for people: "service `cache`", "ConfigMap `redis` key `redis.conf`".
    pub label: String,
    pub traced: TracedText,
    /// The config file the command line names, read from the repository.
    pub followed: Option<(PathBuf, Vec<u8>)>,
    /// The command line names a config file that is not in the repository: only what the
    /// arguments say is judged.
    pub only_args: bool,
    pub sentinel: bool,
    /// Values hold variables (`${VAR}`) or template markup: read in template mode.
    pub template: bool,
    /// The version the image tag names, and a note when it is a guess.
    pub version: Option<Version>,
    pub version_note: Option<String>,
    /// Where a finding about the config as a whole points.
    pub anchor: Range<usize>,
    /// The password is set outside the text (a Helm chart's `auth`): why.
    pub external_password: Option<String>,
    pub appender: Option<Appender>,
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
        HostKind::Compose => compose::extract(&ctx, &load(text)?),
        HostKind::Kubernetes => kube::extract(&ctx, &load(text)?),
        HostKind::HelmValues => kube::extract_values(&ctx, &load(text)?),
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

/// What every reader needs.
struct Context<'a> {
    /// The text the YAML reader reads (markup masked in a chart template).
    src: &'a str,
    /// The file as it is.
    original: &'a str,
    templated: bool,
    dir: PathBuf,
    version: Version,
    read: &'a dyn Fn(&Path) -> Option<Vec<u8>>,
}

/// One argument of a command line and where it is written.
#[derive(Debug, Clone)]
struct Arg {
    value: Traced,
    item: Range<usize>,
    quoting: Quoting,
}

/// A server's command line found in a host file.
struct Command {
    program: Vec<u8>,
    args: Vec<Arg>,
    appender: Option<Appender>,
}

/// Where a container path is in the repository (a bind mount, a copied file).
type Mounts = Vec<(String, PathBuf)>;

fn follow(ctx: &Context, mounts: &Mounts, container_path: &[u8]) -> Option<(PathBuf, Vec<u8>)> {
    let wanted = std::str::from_utf8(container_path).ok()?;
    for (target, host) in mounts {
        let target = target.trim_end_matches('/');
        let rest = if wanted == target {
            Some("")
        } else {
            wanted
                .strip_prefix(target)
                .and_then(|r| r.strip_prefix('/'))
        };
        if let Some(rest) = rest {
            // `./redis.conf` beside the host file, shown without the `.`.
            let host: PathBuf = host
                .components()
                .filter(|c| *c != std::path::Component::CurDir)
                .collect();
            let mut path = ctx.dir.join(host);
            if !rest.is_empty() {
                path.push(rest);
            }
            if let Some(bytes) = (ctx.read)(&path) {
                return Some((path, bytes));
            }
        }
    }
    None
}

/// Arguments of a YAML string or list (`command:`, `args:`), with where new ones go.
fn yaml_args(ctx: &Context, node: &yaml::Node, vars: shell::Vars) -> (Vec<Arg>, Option<Appender>) {
    match &node.kind {
        yaml::Kind::Seq(items) => {
            let args = items
                .iter()
                .filter_map(|item| {
                    let (text, at) = item.traced_value(ctx.src)?;
                    Some(Arg {
                        value: shell::interpolate(&Traced::new(text, at), vars),
                        item: item.range.clone(),
                        quoting: Quoting::YamlItem,
                    })
                })
                .collect();
            (args, sequence_appender(ctx.src, node))
        }
        yaml::Kind::Scalar { .. } => {
            let Some((text, at)) = node.traced_value(ctx.src) else {
                return (Vec::new(), None);
            };
            let traced = shell::interpolate(&Traced::new(text, at), vars);
            let words = shell::split(&traced);
            let traced_whole = traced.at.iter().all(Option::is_some)
                && matches!(node.style(), Some(yaml::Style::Plain | yaml::Style::Double));
            let mut appender = None;
            let args: Vec<Arg> = words
                .iter()
                .map(|w| {
                    let written = shell::written_host(&traced, w);
                    Arg {
                        value: w.value.clone(),
                        item: written.clone().unwrap_or(node.range.clone()),
                        quoting: Quoting::ShellWord,
                    }
                })
                .collect();
            if traced_whole && let Some(last) = words.last() {
                appender =
                    shell::written_host(&traced, last).map(|r| Appender::Shell { at: r.end });
            }
            (args, appender)
        }
        _ => (Vec::new(), None),
    }
}

/// A new key beside `sibling` (a value of the same mapping): after the sibling's line, at the
/// column of its key.
fn new_key(src: &str, sibling: &yaml::Node, key: &'static str, prefix: Vec<Vec<u8>>) -> Appender {
    let line_start = src[..sibling.range.start].rfind('\n').map_or(0, |i| i + 1);
    let line = &src[line_start..];
    let mut indent = line.len() - line.trim_start_matches(' ').len();
    if line[indent..].starts_with('-') {
        indent += 1 + line[indent + 1..].len() - line[indent + 1..].trim_start_matches(' ').len();
    }
    let after = src[sibling.range.end..]
        .find('\n')
        .map_or(src.len(), |i| sibling.range.end + i);
    Appender::NewKey {
        after,
        indent,
        key,
        prefix,
    }
}

/// Where new items of a YAML sequence go.
fn sequence_appender(src: &str, seq: &yaml::Node) -> Option<Appender> {
    let bytes = src.as_bytes();
    if bytes.get(seq.range.start) == Some(&b'[') {
        let from = seq
            .items()
            .last()
            .map_or(seq.range.start + 1, |l| l.range.end);
        let close = from + src[from..].find(']')?;
        return Some(Appender::FlowSequence { close, json: false });
    }
    let last = seq.items().last()?;
    if !matches!(
        last.style(),
        Some(yaml::Style::Plain | yaml::Style::Single | yaml::Style::Double)
    ) {
        return None;
    }
    let line_start = src[..last.range.start].rfind('\n').map_or(0, |i| i + 1);
    let dash = src[line_start..last.range.start].find('-')? + line_start;
    let after = src[last.range.end..]
        .find('\n')
        .map_or(src.len(), |i| last.range.end + i);
    // A comment after the last item stays on its line.
    Some(Appender::BlockSequence {
        after: after.min(
            src[last.range.end..after]
                .find(" #")
                .map_or(after, |i| last.range.end + i),
        ),
        indent: dash - line_start,
    })
}

/// The server's command line in an argument list: the program and what follows it, also
/// inside `sh -c "…"`; an official image's entrypoint puts the server in front of arguments
/// that start with `-` or end in `.conf`.
fn server_command(
    argv: Vec<Arg>,
    appender: Option<Appender>,
    image: Option<&Image>,
) -> Option<Command> {
    let is_program = |a: &Arg| image::is_server_program(&a.value.text);
    if let Some(i) = argv.iter().position(is_program) {
        let mut args = argv;
        let program = args[i].value.text.clone();
        let args = args.split_off(i + 1);
        return Some(Command {
            program,
            args,
            appender,
        });
    }
    // `sh -c "redis-server …"`.
    let shells: &[&[u8]] = &[b"sh", b"bash", b"ash", b"dash", b"/bin/sh", b"/bin/bash"];
    if let Some(first) = argv.first()
        && shells.contains(&first.value.text.as_slice())
        && let Some(c) = argv.iter().position(|a| a.value.text == b"-c")
        && let Some(script) = argv.get(c + 1)
    {
        let words = shell::split(&script.value);
        let start = words
            .iter()
            .position(|w| image::is_server_program(&w.value.text))?;
        let args = words[start + 1..]
            .iter()
            .take_while(|w| !w.operator)
            .map(|w| Arg {
                value: w.value.clone(),
                item: shell::written_host(&script.value, w).unwrap_or(script.item.clone()),
                quoting: Quoting::ShellWord,
            })
            .collect();
        return Some(Command {
            program: words[start].value.text.clone(),
            args,
            appender: None,
        });
    }
    let image = image?;
    let first = argv.first().map(|a| a.value.text.as_slice());
    let entrypoint_adds = first.is_none_or(|f| f.starts_with(b"-") || f.ends_with(b".conf"));
    if matches!(
        image.family,
        image::Family::Official | image::Family::Valkey
    ) && entrypoint_adds
    {
        return Some(Command {
            program: image.program().as_bytes().to_vec(),
            args: argv,
            appender,
        });
    }
    // Bitnami's run script: the server with its generated config, then the arguments.
    if image.family == image::Family::Bitnami && first.is_none_or(|f| f.ends_with(b"run.sh")) {
        let args = if argv.is_empty() {
            argv
        } else {
            argv[1..].to_vec()
        };
        return Some(Command {
            program: image.program().as_bytes().to_vec(),
            args,
            appender,
        });
    }
    None
}

/// Lines a host file sets besides the command line (Bitnami's environment), with the host
/// range they come from.
struct Preset {
    line: Vec<u8>,
    at: Range<usize>,
    note: String,
}

/// What a host says about one server: its image, command line and files.
struct Server<'a> {
    label: String,
    image: Option<(Image, Range<usize>)>,
    command: Command,
    mounts: Mounts,
    presets: Vec<Preset>,
    anchor: Range<usize>,
    ctx: &'a Context<'a>,
}

/// The first line of a host range: where a finding about a whole element points.
fn first_line(src: &str, range: &Range<usize>) -> Range<usize> {
    let end = src[range.clone()]
        .find('\n')
        .map_or(range.end, |i| range.start + i);
    range.start..src[range.start..end].trim_end().len() + range.start
}

impl Server<'_> {
    /// The config text redis-server reads for this command line, traced.
    fn embed(mut self) -> Embedded {
        self.anchor = first_line(self.ctx.src, &self.anchor);
        let (version, version_note) = self
            .image
            .as_ref()
            .map_or((None, None), |(i, _)| i.version());
        let read_as = version.unwrap_or(self.ctx.version);
        let arg_bytes: Vec<&[u8]> = self
            .command
            .args
            .iter()
            .map(|a| a.value.text.as_slice())
            .collect();
        let cl = cmdline::parse(&arg_bytes, read_as);
        let mut traced = TracedText::default();
        let image_range = self
            .image
            .as_ref()
            .map_or(self.anchor.clone(), |(_, r)| r.clone());
        let added = |traced: &mut TracedText, line: &[u8], at: Range<usize>, note: String| {
            let owner = traced.add_owner(Owner {
                file: HostFile::Main,
                range: at,
                kind: OwnerKind::Added,
                note: Some(note),
            });
            traced.push_made(line, owner);
            traced.push_made(b"\n", owner);
        };
        if let Some((image, _)) = &self.image
            && let Some((line, note)) = image.defaults_before()
        {
            added(&mut traced, line.as_bytes(), image_range.clone(), note);
        }
        for p in &self.presets {
            added(&mut traced, &p.line, p.at.clone(), p.note.clone());
        }
        let mut only_args = false;
        let mut followed = None;
        if let Some(file) = &cl.config_file {
            match follow(self.ctx, &self.mounts, file) {
                Some((path, bytes)) => {
                    let owner = traced.add_owner(Owner {
                        file: HostFile::Followed,
                        range: 0..bytes.len(),
                        kind: OwnerKind::Raw,
                        note: None,
                    });
                    traced.push_copied(&bytes, 0, owner);
                    if !bytes.ends_with(b"\n") && !bytes.is_empty() {
                        traced.push_made(b"\n", owner);
                    }
                    followed = Some((path, bytes));
                }
                None => only_args = true,
            }
        }
        if let Some((image, _)) = &self.image
            && let Some((words, note)) = image.args_after_file()
        {
            let line = format!("{} {}", &words[0][2..], words[1..].join(" "));
            added(&mut traced, line.as_bytes(), image_range.clone(), note);
        }
        let mut owners: Vec<Option<usize>> = vec![None; self.command.args.len()];
        for o in &cl.origins {
            let arg = &self.command.args[o.arg];
            let owner = *owners[o.arg].get_or_insert_with(|| {
                traced.add_owner(Owner {
                    file: HostFile::Main,
                    range: arg.item.clone(),
                    kind: OwnerKind::Arg {
                        index: o.arg,
                        quoting: arg.quoting,
                    },
                    note: None,
                })
            });
            let bytes = &cl.options[o.at..o.at + o.len];
            match o.arg_offset {
                Some(off) => {
                    traced.push(bytes, arg.value.at[off..off + o.len].iter().copied(), owner)
                }
                None => traced.push_made(bytes, owner),
            }
        }
        if traced.is_empty() {
            // A server with nothing set: findings about it point at the image or command.
            let owner = traced.add_owner(Owner {
                file: HostFile::Main,
                range: self.anchor.clone(),
                kind: OwnerKind::Added,
                note: None,
            });
            traced.push_made(b"\n", owner);
        }
        let sentinel = cl.sentinel
            || cmdline::is_sentinel_program(&String::from_utf8_lossy(&self.command.program))
            || self.image.as_ref().is_some_and(|(i, _)| i.sentinel);
        let template = self.command.args.iter().any(|a| a.value.has_vars())
            || self
                .presets
                .iter()
                .any(|p| p.line.windows(2).any(|w| w == b"${"));
        Embedded {
            label: self.label,
            traced,
            followed,
            only_args,
            sentinel,
            template,
            version,
            version_note,
            anchor: self.anchor,
            external_password: None,
            appender: self.command.appender,
        }
    }
}

/// A block of config text (a ConfigMap key, a Helm value) as an embedded config.
fn block(ctx: &Context, node: &yaml::Node, label: String, sentinel: bool) -> Option<Embedded> {
    let mut traced = TracedText::default();
    if node
        .block_text(ctx.src, ctx.original, &mut traced)
        .is_none()
    {
        // Not a literal block: the value as text, findings at the value.
        let (text, at) = node.traced_value(ctx.src)?;
        let owner = traced.add_owner(Owner {
            file: HostFile::Main,
            range: node.range.clone(),
            kind: OwnerKind::Added,
            note: None,
        });
        traced.push(&text, at, owner);
    }
    if traced.is_empty() {
        return None;
    }
    let template = ctx.templated
        || crate::semantic::detect::is_template(Path::new("values.conf"), &traced.text);
    Some(Embedded {
        label,
        sentinel,
        template,
        version: None,
        version_note: None,
        anchor: first_line(ctx.src, &node.range),
        external_password: None,
        appender: None,
        followed: None,
        only_args: false,
        traced,
    })
}
