//! JUnit XML, which CI systems show as test results: a test suite per checked file, a failing
//! test case per finding (a passing one for a clean file).

use super::reporter::{FileStream, Reporter, level, rendered};
use crate::linter::FileReport;
use std::io::{self, Write};

pub struct Junit;

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {
                out.push_str(&format!("&#x{:x};", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// One file's test suite.
fn write_suite(r: &FileReport, out: &mut dyn Write) -> io::Result<()> {
    let path = xml(&r.path.display().to_string());
    let n = r.diagnostics.len();
    writeln!(
        out,
        r#"  <testsuite name="{path}" tests="{}" failures="{n}" errors="0">"#,
        n.max(1)
    )?;
    if r.diagnostics.is_empty() {
        writeln!(out, r#"    <testcase name="redlint" classname="{path}"/>"#)?;
    }
    for d in &r.diagnostics {
        if r.is_server_only() {
            // A suite per server; a case per finding, named by its parameter.
            let parameter = xml(d.parameter.as_deref().unwrap_or("server"));
            writeln!(
                out,
                r#"    <testcase name="{}: {parameter}" classname="{path}">"#,
                xml(&d.rule)
            )?;
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{path} {parameter}: {}[{}] {}</failure>"#,
                xml(&d.message),
                level(d),
                level(d),
                xml(&d.rule),
                xml(&d.message)
            )?;
            writeln!(out, "    </testcase>")?;
            continue;
        }
        let at = r.location(d);
        let file = xml(&at.file.display().to_string());
        writeln!(
            out,
            r#"    <testcase name="{}: line {}" classname="{file}" file="{file}" line="{}">"#,
            xml(&d.rule),
            at.line,
            at.line
        )?;
        writeln!(
            out,
            r#"      <failure message="{}" type="{}">{}:{}:{}: {}[{}] {}</failure>"#,
            xml(&d.message),
            level(d),
            file,
            at.line,
            at.column,
            level(d),
            xml(&d.rule),
            xml(&d.message)
        )?;
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    Ok(())
}

/// The header counts every finding of the run, so each file's suite is kept as text (not its
/// report) until the end.
#[derive(Default)]
struct JunitStream {
    suites: Vec<String>,
    tests: usize,
    failures: usize,
}

impl JunitStream {
    fn add(&mut self, r: &FileReport, text: String) {
        self.tests += r.diagnostics.len().max(1);
        self.failures += r.diagnostics.len();
        self.suites.push(text);
    }
}

impl FileStream for JunitStream {
    fn file(&mut self, r: &FileReport, text: Option<String>, _: &mut dyn Write) -> io::Result<()> {
        let text = text.unwrap_or_else(|| rendered(r, write_suite).unwrap_or_default());
        self.add(r, text);
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="redlint" tests="{}" failures="{}" errors="0">"#,
            self.tests, self.failures
        )?;
        for suite in &self.suites {
            out.write_all(suite.as_bytes())?;
        }
        writeln!(out, "</testsuites>")
    }
}

impl Reporter for Junit {
    fn stream(&self) -> Box<dyn FileStream + '_> {
        Box::new(JunitStream::default())
    }

    fn render_file(&self, report: &FileReport) -> Option<String> {
        rendered(report, write_suite)
    }
}
