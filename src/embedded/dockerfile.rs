//! Dockerfiles: the last stage's `CMD` / `ENTRYPOINT` in exec (JSON) or shell form, its base
//! image, and `COPY` / `ADD` of a config the command line then names.

use super::assemble::{Arg, Command, Context, Embedded, Server, server_command};
use super::image::Image;
use super::map::{Appender, Quoting};
use super::shell::{self, Traced};
use std::ops::Range;
use std::path::PathBuf;

/// One instruction, continuation lines joined, traced to the file.
struct Instruction {
    keyword: String,
    /// The text after the keyword.
    rest: Traced,
    range: Range<usize>,
}

fn instructions(src: &str) -> Vec<Instruction> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    let line_end = |at: usize| memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    while at < bytes.len() {
        let end = line_end(at);
        let line = &bytes[at..end];
        let trimmed = line.trim_ascii_start();
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            at = end + 1;
            continue;
        }
        let start = at + (line.len() - trimmed.len());
        let mut text = Traced::default();
        let mut cursor = start;
        let mut last_end;
        loop {
            let end = line_end(cursor);
            let mut content_end = end;
            while content_end > cursor && bytes[content_end - 1].is_ascii_whitespace() {
                content_end -= 1;
            }
            let continued = content_end > cursor && bytes[content_end - 1] == b'\\';
            let keep = if continued { content_end - 1 } else { end };
            text.text.extend_from_slice(&bytes[cursor..keep]);
            text.at.extend((cursor..keep).map(Some));
            last_end = end;
            cursor = end + 1;
            if !continued || cursor >= bytes.len() {
                break;
            }
            // Comment lines inside a continuation are dropped.
            while cursor < bytes.len() {
                let e = line_end(cursor);
                if bytes[cursor..e].trim_ascii_start().starts_with(b"#") {
                    cursor = e + 1;
                } else {
                    break;
                }
            }
            text.text.push(b' ');
            text.at.push(None);
        }
        let kw_len = text
            .text
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(text.text.len());
        let keyword = String::from_utf8_lossy(&text.text[..kw_len]).to_ascii_uppercase();
        let skip = kw_len
            + text.text[kw_len..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        out.push(Instruction {
            keyword,
            rest: Traced::new(text.text[skip..].to_vec(), text.at[skip..].to_vec()),
            range: start..last_end,
        });
        at = cursor;
    }
    out
}

/// An exec-form JSON array of strings, traced; `None` when it is not one (Docker then reads
/// the shell form).
fn exec_form(rest: &Traced) -> Option<(Vec<Arg>, Appender)> {
    let t = &rest.text;
    let mut i = t.iter().position(|b| !b.is_ascii_whitespace())?;
    if t[i] != b'[' {
        return None;
    }
    i += 1;
    let mut args = Vec::new();
    loop {
        while i < t.len() && t[i].is_ascii_whitespace() {
            i += 1;
        }
        match t.get(i)? {
            b']' => {
                let close = rest.at[i]?;
                let after = &t[i + 1..];
                return after
                    .iter()
                    .all(u8::is_ascii_whitespace)
                    .then_some((args, Appender::FlowSequence { close, json: true }));
            }
            b',' if !args.is_empty() => i += 1,
            b'"' => {
                let open = i;
                i += 1;
                let mut value = Traced::default();
                while *t.get(i)? != b'"' {
                    if t[i] == b'\\' {
                        let (b, n) = match t.get(i + 1)? {
                            b'n' => (b'\n', 2),
                            b't' => (b'\t', 2),
                            b'u' => return None,
                            &c => (c, 2),
                        };
                        value.text.push(b);
                        value.at.push(None);
                        i += n;
                    } else {
                        value.text.push(t[i]);
                        value.at.push(rest.at[i]);
                        i += 1;
                    }
                }
                let item = rest.at[open]?..rest.at[i]? + 1;
                args.push(Arg {
                    value,
                    item,
                    quoting: Quoting::Json,
                });
                i += 1;
            }
            _ => return None,
        }
    }
}

/// A command of either form as arguments, with where new ones go.
fn command_args(rest: &Traced) -> (Vec<Arg>, Option<Appender>) {
    if let Some((args, appender)) = exec_form(rest) {
        return (args, Some(appender));
    }
    let words = shell::split(rest);
    let simple = !words.iter().any(|w| w.operator);
    if simple {
        let args: Vec<Arg> = words
            .iter()
            .map(|w| Arg {
                value: w.value.clone(),
                item: shell::written_host(rest, w).unwrap_or(0..0),
                quoting: Quoting::ShellWord,
            })
            .collect();
        let appender = words
            .last()
            .and_then(|w| shell::written_host(rest, w))
            .map(|r| Appender::Shell { at: r.end });
        return (args, appender);
    }
    // `/bin/sh -c "…"`, as Docker runs a shell form.
    let sh = |s: &str| Arg {
        value: Traced::new(s.as_bytes().to_vec(), vec![None; s.len()]),
        item: rest.host_range().unwrap_or(0..0),
        quoting: Quoting::ShellWord,
    };
    (
        vec![
            sh("/bin/sh"),
            sh("-c"),
            Arg {
                value: rest.clone(),
                item: rest.host_range().unwrap_or(0..0),
                quoting: Quoting::ShellWord,
            },
        ],
        None,
    )
}

#[derive(Default)]
struct Stage {
    image: Option<(Image, Range<usize>)>,
    from: Range<usize>,
    cmd: Option<(Vec<Arg>, Option<Appender>, Range<usize>)>,
    entrypoint: Option<(Vec<Arg>, Range<usize>, bool)>,
    copies: Vec<(String, PathBuf)>,
}

pub(super) fn extract(ctx: &Context) -> Vec<Embedded> {
    let mut stage: Option<Stage> = None;
    for ins in instructions(ctx.src) {
        match ins.keyword.as_str() {
            "FROM" => {
                let words = shell::split(&ins.rest);
                let image_word = words.iter().find(|w| !w.value.text.starts_with(b"--"));
                let image = image_word.and_then(|w| {
                    let image = Image::parse(&String::from_utf8_lossy(&w.value.text))?;
                    Some((
                        image,
                        shell::written_host(&ins.rest, w).unwrap_or(ins.range.clone()),
                    ))
                });
                stage = Some(Stage {
                    image,
                    from: ins.range.clone(),
                    ..Stage::default()
                });
            }
            "CMD" => {
                if let Some(s) = &mut stage {
                    let (args, appender) = command_args(&ins.rest);
                    s.cmd = Some((args, appender, ins.range.clone()));
                }
            }
            "ENTRYPOINT" => {
                if let Some(s) = &mut stage {
                    let exec = exec_form(&ins.rest).is_some();
                    let (args, _) = command_args(&ins.rest);
                    s.entrypoint = Some((args, ins.range.clone(), exec));
                    // An ENTRYPOINT resets the CMD inherited so far.
                    s.cmd = None;
                }
            }
            "COPY" | "ADD" => {
                if let Some(s) = &mut stage {
                    let words: Vec<String> = shell::split(&ins.rest)
                        .iter()
                        .map(|w| String::from_utf8_lossy(&w.value.text).into_owned())
                        .filter(|w| !w.starts_with("--"))
                        .collect();
                    if let [src, dest] = &words[..] {
                        let target = if dest.ends_with('/') {
                            format!("{dest}{}", src.rsplit('/').next().unwrap_or(src))
                        } else {
                            dest.clone()
                        };
                        s.copies.push((target, PathBuf::from(src)));
                    }
                }
            }
            _ => {}
        }
    }
    let Some(stage) = stage else {
        return Vec::new();
    };
    let image = stage.image.as_ref().map(|(i, _)| i);
    let mut argv = Vec::new();
    let mut appender = None;
    let mut anchor = stage.from.clone();
    if let Some((args, range, exec)) = &stage.entrypoint {
        argv.extend(args.iter().cloned());
        anchor = range.clone();
        if !exec {
            // A shell-form ENTRYPOINT ignores CMD.
            return build(ctx, &stage, argv, None, anchor, image)
                .into_iter()
                .collect();
        }
    }
    if let Some((args, app, range)) = &stage.cmd {
        argv.extend(args.iter().cloned());
        appender = app.clone();
        anchor = range.clone();
    } else if stage.entrypoint.is_none()
        && let Some(image) = image
        && image.family != super::image::Family::Bitnami
    {
        appender = Some(Appender::NewInstruction {
            at: ctx.src.len(),
            newline_first: !ctx.src.is_empty() && !ctx.src.ends_with('\n'),
            prefix: vec![image.program().as_bytes().to_vec()],
        });
    }
    build(ctx, &stage, argv, appender, anchor, image)
        .into_iter()
        .collect()
}

fn build(
    ctx: &Context,
    stage: &Stage,
    argv: Vec<Arg>,
    appender: Option<Appender>,
    anchor: Range<usize>,
    image: Option<&Image>,
) -> Option<Embedded> {
    let command: Command = server_command(argv, appender, image)?;
    Some(
        Server {
            label: "the image's command".into(),
            image: stage.image.clone(),
            command,
            mounts: stage.copies.clone(),
            blocks: Vec::new(),
            presets: Vec::new(),
            anchor,
            ctx,
        }
        .embed(),
    )
}
