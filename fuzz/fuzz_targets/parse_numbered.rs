//! The numbered indicator text parser ("1、产出指标：…；2、…").
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = jixiao::parse::numbered::parse_numbered(&text);
    let _ = jixiao::parse::numbered::format_numbered(&parsed.items);
});
