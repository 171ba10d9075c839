//! The whole load: read a file (CSV or HTML text, mostly), detect its layout and read
//! it into the model, then check it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(book) = jixiao::read::read_bytes("fuzz.csv", data) else {
        return;
    };
    if let Ok(loaded) = jixiao::convert::load_workbook(&book, &Default::default()) {
        let _ = jixiao::convert::to_json(&loaded.document);
        let _ = jixiao::check::check(&loaded.document);
    }
});
