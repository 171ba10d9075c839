//! The xls reader (calamine plus our BIFF format pass) on raw compound files.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = jixiao::read::read_bytes("fuzz.xls", data);
});
