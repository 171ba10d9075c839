//! The HTML-table reader: inputs that do not start with markup get a table prefix, so
//! that they reach the HTML parser rather than the CSV one.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.first() == Some(&b'<') {
        let _ = jixiao::read::read_bytes("fuzz.xls", data);
    } else {
        let mut page = b"<html><meta charset=gbk><table><tr><td>".to_vec();
        page.extend_from_slice(data);
        let _ = jixiao::read::read_bytes("fuzz.xls", &page);
    }
});
