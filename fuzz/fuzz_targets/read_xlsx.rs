//! The xlsx reader: the first byte picks a part of a small valid workbook that the rest
//! of the input replaces (or, for 255, the input is the whole file).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "parts.rs"]
mod parts;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    if pick == 255 {
        let _ = jixiao::read::read_bytes("fuzz.xlsx", rest);
        return;
    }
    let mut xlsx = parts::xlsx_parts();
    let n = pick as usize % xlsx.len();
    let owned: Vec<(&str, Vec<u8>)> = xlsx
        .drain(..)
        .enumerate()
        .map(|(i, (name, body))| {
            if i == n {
                (name, rest.to_vec())
            } else {
                (name, body.into_bytes())
            }
        })
        .collect();
    let entries: Vec<(&str, &[u8])> = owned.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let bytes = parts::zip(&entries);
    let _ = jixiao::read::read_bytes("fuzz.xlsx", &bytes);
});
