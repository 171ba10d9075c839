//! The ODS reader: the input is content.xml of a zipped ODS (first byte 0), a flat ODS
//! (1), or the whole file (2).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "parts.rs"]
mod parts;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    match pick % 3 {
        0 => {
            let bytes = parts::zip(&[
                (
                    "mimetype",
                    b"application/vnd.oasis.opendocument.spreadsheet",
                ),
                ("content.xml", rest),
            ]);
            let _ = jixiao::read::read_bytes("fuzz.ods", &bytes);
        }
        1 => {
            let _ = jixiao::read::read_bytes("fuzz.fods", rest);
        }
        _ => {
            let _ = jixiao::read::read_bytes("fuzz.ods", rest);
        }
    }
});
