//! The syntax tree prints back every input byte for byte.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tree = redlint::syntax::parse(data);
    assert_eq!(tree.print(), data);
});
