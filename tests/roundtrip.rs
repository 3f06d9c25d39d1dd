//! The syntax tree is lossless: printing it gives back the input byte for byte, for every file
//! we have and for arbitrary bytes; parsing and checking never panic; quoting round-trips.

mod common;

use proptest::prelude::*;
use redlint::syntax::{self, LineKind};
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_fixture_and_corpus_file_round_trips() {
    let mut files = Vec::new();
    files_under(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &mut files,
    );
    let fixtures = files.len();
    if let Some(dir) = common::shared("corpus") {
        files_under(&dir, &mut files);
    }
    assert!(fixtures > 10);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let tree = syntax::parse(&bytes);
        assert_eq!(tree.print(), bytes, "{}", path.display());
        let lines = bytes.iter().filter(|&&b| b == b'\n').count()
            + usize::from(!bytes.ends_with(b"\n") && !bytes.is_empty());
        assert_eq!(tree.lines.len(), lines, "{}", path.display());
    }
    println!("{} files round-tripped ({fixtures} fixtures)", files.len());
}

/// Bytes heavy in what the tokenizer cares about.
fn config_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> =
        b"ab #\"'\\\r\n\t\x0b\x0c\x00x41 yes1mbsave\xc3\xa9\xef\xbb\xbf\xff".to_vec();
    prop::collection::vec(prop::sample::select(alphabet), 0..200)
}

fn config_lines() -> impl Strategy<Value = Vec<u8>> {
    let line = prop::sample::select(vec![
        &b"maxmemory 1mb"[..],
        b"bind 127.0.0.1 -::1",
        b"save \"900 1\"",
        b"requirepass 'a\\'b'",
        b"# comment",
        b"  \t",
        b"include x.conf",
        b"user default on nopass ~* +@all",
        b"\"unterminated",
        b"port 6379 # inline",
        b"rename-command CONFIG \"\"",
        b"\x0c# ff",
        b"dir .",
    ]);
    prop::collection::vec(
        (
            line,
            prop::sample::select(vec![&b"\n"[..], b"\r\n", b"", b"\r"]),
        ),
        0..12,
    )
    .prop_map(|ls| {
        ls.into_iter()
            .flat_map(|(l, end)| [l, end].concat())
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_round_trip(bytes in config_bytes()) {
        for quoting in [syntax::Quoting::Strict, syntax::Quoting::Joining] {
            let tree = syntax::parse_with(&bytes, quoting);
            prop_assert_eq!(tree.print(), bytes.clone());
            // Every token span lies inside its line's content.
            for line in &tree.lines {
                if let LineKind::Directive = &line.kind {
                    for t in tree.tokens(line) {
                        prop_assert!(t.span().start >= line.content().start && t.span().end <= line.content().end);
                    }
                }
            }
        }
        // Checking never panics, whatever the bytes.
        let dir = tempfile::tempdir().unwrap();
        let options = redlint::CheckOptions { target: "7.0".parse().unwrap(), cwd: Some(dir.path().to_path_buf()), ..Default::default() };
        let _ = redlint::check_bytes(Path::new("fuzz.conf"), bytes.as_slice(), &options).expect("the target has a catalog");
    }

    #[test]
    fn config_like_lines_round_trip_and_check(bytes in config_lines()) {
        let tree = syntax::parse(&bytes);
        prop_assert_eq!(tree.print(), bytes.clone());
        let dir = tempfile::tempdir().unwrap();
        for target in ["2.8", "6.0", "7.0", "valkey-8.0", "valkey-9.0"] {
            let options = redlint::CheckOptions { target: target.parse().unwrap(), cwd: Some(dir.path().to_path_buf()), ..Default::default() };
            let report = redlint::check_bytes(Path::new("prop.conf"), bytes.as_slice(), &options).expect("the target has a catalog");
            let _ = redlint::report::Human { color: false, width: 80, quiet: false }.render(&report);
            let _ = redlint::report::Json::render(&[report]);
        }
    }

    #[test]
    fn quote_then_decode_is_identity(value in prop::collection::vec(any::<u8>(), 0..64)) {
        let quoted = syntax::quote(&value);
        for quoting in [syntax::Quoting::Strict, syntax::Quoting::Joining] {
            let tokens = syntax::tokenize(&quoted, quoting).unwrap();
            prop_assert_eq!(tokens.len(), 1);
            prop_assert_eq!(syntax::decode(&quoted, tokens[0].kind()), value.clone());
        }
    }
}
