//! What a host says about a server, assembled into the config text redis-server would read:
//! command lines (with the image's defaults and the files they name) and config blocks, each
//! byte traced to the host.

use super::image::{self, Image};
use super::map::{Appender, HostFile, Owner, OwnerKind, Quoting, TracedText};
use super::shell::{self, Traced};
use super::yaml;
use crate::semantic::cmdline;
use crate::version::Version;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One config found in a host file.
#[derive(Debug, Clone)]
pub struct Embedded {
    /// What it is, for people: "service `cache`", "ConfigMap `redis` key `redis.conf`".
    pub label: String,
    pub traced: TracedText,
    /// The config file the command line names, read from the repository.
    pub followed: Option<(PathBuf, Vec<u8>)>,
    /// The config file the command line names when it is not in the repository: only what the
    /// arguments say is judged.
    pub unread_file: Option<String>,
    /// The container path of a config block of the host itself that the command line reads.
    pub host_block: Option<String>,
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

/// What every reader needs.
pub(super) struct Context<'a> {
    /// The text the YAML reader reads (markup masked in a chart template).
    pub(super) src: &'a str,
    /// The file as it is.
    pub(super) original: &'a str,
    pub(super) templated: bool,
    pub(super) dir: PathBuf,
    pub(super) version: Version,
    pub(super) read: &'a dyn Fn(&Path) -> Option<Vec<u8>>,
}

/// One argument of a command line and where it is written.
#[derive(Debug, Clone)]
pub(super) struct Arg {
    pub(super) value: Traced,
    pub(super) item: Range<usize>,
    pub(super) quoting: Quoting,
}

/// A server's command line found in a host file.
pub(super) struct Command {
    pub(super) program: Vec<u8>,
    pub(super) args: Vec<Arg>,
    pub(super) appender: Option<Appender>,
}

/// Where a container path is in the repository (a bind mount, a copied file).
pub(super) type Mounts = Vec<(String, PathBuf)>;

pub(super) fn follow(
    ctx: &Context,
    mounts: &Mounts,
    container_path: &[u8],
) -> Option<(PathBuf, Vec<u8>)> {
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
pub(super) fn yaml_args(
    ctx: &Context,
    node: &yaml::Node,
    vars: shell::Vars,
) -> (Vec<Arg>, Option<Appender>) {
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
pub(super) fn new_key(
    src: &str,
    sibling: &yaml::Node,
    key: &'static str,
    prefix: Vec<Vec<u8>>,
) -> Appender {
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
pub(super) fn sequence_appender(src: &str, seq: &yaml::Node) -> Option<Appender> {
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
pub(super) fn server_command(
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
pub(super) struct Preset {
    pub(super) line: Vec<u8>,
    pub(super) at: Range<usize>,
    pub(super) note: String,
}

/// What a host says about one server: its image, command line and files.
pub(super) struct Server<'a> {
    pub(super) label: String,
    pub(super) image: Option<(Image, Range<usize>)>,
    pub(super) command: Command,
    pub(super) mounts: Mounts,
    /// Config blocks of the host itself, by the container path they are mounted at.
    pub(super) blocks: Vec<(String, TracedText)>,
    pub(super) presets: Vec<Preset>,
    pub(super) anchor: Range<usize>,
    pub(super) ctx: &'a Context<'a>,
}

/// The first line of a host range: where a finding about a whole element points.
pub(super) fn first_line(src: &str, range: &Range<usize>) -> Range<usize> {
    let end = src[range.clone()]
        .find('\n')
        .map_or(range.end, |i| range.start + i);
    range.start..src[range.start..end].trim_end().len() + range.start
}

impl Server<'_> {
    /// The config text redis-server reads for this command line, traced.
    pub(super) fn embed(mut self) -> Embedded {
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
        let mut unread_file = None;
        let mut followed = None;
        let in_host = cl.config_file.as_ref().and_then(|file| {
            self.blocks
                .iter()
                .find(|(path, _)| path.as_bytes() == file.as_slice())
        });
        let host_block = in_host.map(|(path, _)| path.clone());
        if let Some((_, block)) = in_host {
            // A config of the same host (a ConfigMap mounted into the container).
            traced.append(block.clone());
            if traced.text.last() != Some(&b'\n') {
                let owner = traced.owners.len() - 1;
                traced.push_made(b"\n", owner);
            }
        } else if let Some(file) = &cl.config_file {
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
                None => unread_file = Some(String::from_utf8_lossy(file).into_owned()),
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
            unread_file,
            host_block,
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
pub(super) fn block(
    ctx: &Context,
    node: &yaml::Node,
    label: String,
    sentinel: bool,
) -> Option<Embedded> {
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
    Some(Embedded::of_text(
        traced,
        label,
        sentinel,
        template,
        first_line(ctx.src, &node.range),
    ))
}

impl Embedded {
    /// A config that is text of the host (no command line, no image).
    pub(super) fn of_text(
        traced: TracedText,
        label: String,
        sentinel: bool,
        template: bool,
        anchor: Range<usize>,
    ) -> Embedded {
        Embedded {
            label,
            sentinel,
            template,
            version: None,
            version_note: None,
            anchor,
            external_password: None,
            appender: None,
            followed: None,
            unread_file: None,
            host_block: None,
            traced,
        }
    }
}
