//! The indicator value parser: never panics, and keeps the text as given.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let v = jixiao::parse::value::parse_value(&text);
    assert_eq!(v.text, text);
    let _ = jixiao::parse::value::parse_percent(&text);
});
