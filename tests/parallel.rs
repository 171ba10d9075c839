//! One workbook on both cores: the sheets are filled and the loss report worked out in
//! parallel, and the output is byte for byte what the serial path (`--jobs 1`, one
//! thread) writes — for every built-in conversion of every fixture.

mod common;

use jixiao::Template;
use jixiao::convert::{self, Format, ReadOptions, WriteOptions};
use jixiao::write::CsvEncoding;

use common::fixture;

const FIXTURES: [&str; 7] = [
    "luan_2023.xlsx",
    "yancheng_2022.xlsx",
    "tangshan_2025.xlsx",
    "guangzhou.xlsx",
    "linyi_2023.xlsx",
    "regions/ningde_2019.xlsx",
    "regions/ezhou_2022.xlsx",
];

/// The bytes of every output, on a pool of `threads` threads.
fn outputs(
    threads: usize,
    doc: &jixiao::Document,
    to: &Template,
    format: Format,
) -> Option<Vec<Vec<u8>>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let options = WriteOptions {
        format,
        template: Some(to.clone()),
        embed: true,
        csv_encoding: CsvEncoding::Utf8Bom,
    };
    // A conversion the target refuses (a department into a project form) is refused alike.
    pool.install(|| convert::render_outputs(doc, &options).ok())
        .map(|r| r.outputs.into_iter().map(|o| o.bytes).collect())
}

#[test]
fn every_built_in_conversion_is_the_same_bytes_on_one_thread_and_on_several() {
    let mut compared = 0;
    for file in FIXTURES {
        let doc = convert::load(&fixture(file), &ReadOptions::default())
            .unwrap()
            .document;
        for to in Template::builtins() {
            for format in [Format::Xlsx, Format::Csv] {
                let serial = outputs(1, &doc, &to, format);
                let parallel = outputs(4, &doc, &to, format);
                assert_eq!(serial.is_some(), parallel.is_some(), "{file} → {}", to.id);
                if let (Some(a), Some(b)) = (serial, parallel) {
                    assert!(
                        a == b,
                        "{file} → {} ({format:?}): the parallel bytes differ",
                        to.id
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared >= 60, "{compared} conversions compared");
}

#[test]
fn the_command_writes_the_same_file_with_jobs_1_and_jobs_2() {
    let dir = common::scratch("parallel-cli");
    let mut files = Vec::new();
    for jobs in ["1", "2"] {
        let out = dir.join(format!("guangzhou-{jobs}.xlsx"));
        let o = common::jixiao(&[
            "convert",
            fixture("guangzhou.xlsx").to_str().unwrap(),
            "--to",
            "luan",
            "--jobs",
            jobs,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        files.push(std::fs::read(out).unwrap());
    }
    assert!(
        files[0] == files[1],
        "29 sheets filled serially and in parallel"
    );
}
