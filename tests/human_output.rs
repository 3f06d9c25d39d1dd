//! The human report costs memory in proportion to the file, not to file size × findings: each
//! file is masked once, and miette is handed only the lines around each finding. Measured by
//! counting allocated bytes (deterministic), never by the clock.
#![allow(unsafe_code)] // the counting allocator below

use redlint::report::Human;
use redlint::{CheckOptions, check_bytes};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts the requested sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes allocated while rendering a file of `lines` lines with one finding on each.
fn render_cost(lines: usize) -> (usize, usize) {
    // `requirepass` lines keep a secret to mask; `hz` 0 is out of range on every line.
    let text: String = (0..lines)
        .map(|i| {
            if i % 2 == 0 {
                "requirepass x\n".to_string()
            } else {
                "hz 0\n".to_string()
            }
        })
        .collect();
    let options = CheckOptions {
        target: "7.0".parse().unwrap(),
        ..Default::default()
    };
    let report = check_bytes(Path::new("many.conf"), text.as_bytes(), &options).unwrap();
    let findings = report.diagnostics.len();
    let human = Human {
        color: false,
        width: 100,
        quiet: false,
    };
    let before = ALLOCATED.load(Ordering::Relaxed);
    let out = human.render(&report);
    let cost = ALLOCATED.load(Ordering::Relaxed) - before;
    assert!(out.len() > lines, "every finding is rendered");
    (cost, findings)
}

#[test]
fn rendering_allocates_linearly_in_the_file() {
    let (small, small_findings) = render_cost(2_000);
    let (big, big_findings) = render_cost(8_000);
    assert!(
        big_findings * 10 >= small_findings * 39,
        "{small_findings} {big_findings}"
    );
    // Four times the lines and findings: about four times the bytes. A copy of the file per
    // finding would be sixteen times.
    let ratio = big as f64 / small as f64;
    assert!(
        ratio < 6.0,
        "4x the input allocated {ratio:.1}x ({small} → {big} bytes)"
    );
}
