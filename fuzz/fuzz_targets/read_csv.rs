//! The CSV/TSV reader with encoding detection, on raw bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = jixiao::read::read_bytes("fuzz.csv", data);
    if data.first() == Some(&b'\t') {
        let _ = jixiao::read::read_bytes("fuzz.tsv", data);
    }
});
