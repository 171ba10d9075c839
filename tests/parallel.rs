//! One workbook on both cores: many sheets or stacked tables are read in runs, the
//! sheets are filled and the loss report worked out in parallel, and the output is byte
//! for byte what the serial path (`--jobs 1`, one thread) writes — for every built-in
//! conversion of every fixture, and for province-size workbooks of both shapes.

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

/// `check`'s findings, on a pool of `threads` threads.
fn findings(threads: usize, doc: &jixiao::Document) -> Vec<jixiao::check::Finding> {
    jixiao::pool::with_jobs(threads, || jixiao::check::check(doc))
}

/// The groups of rules run side by side: the findings are those of running them one
/// after the other (the fixtures have errors, warnings and notes among them).
#[test]
fn every_fixture_checks_to_the_same_findings_on_one_thread_and_on_several() {
    let mut found = 0;
    for file in FIXTURES {
        let doc = common::load(&fixture(file));
        let serial = findings(1, &doc);
        assert_eq!(findings(4, &doc), serial, "{file}");
        found += serial.len();
    }
    assert!(found > 10, "the fixtures give {found} findings");
}

#[test]
fn every_built_in_conversion_is_the_same_bytes_on_one_thread_and_on_several() {
    let mut compared = 0;
    for file in FIXTURES {
        let doc = common::load(&fixture(file));
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

/// A fixture's projects repeated to `n`, each copy renamed and renumbered (as the bench
/// does), written in `layout` (luan: a sheet each; tangshan: stacked on one sheet) with
/// no embedded copy.
fn many_projects(file: &str, n: usize, layout: &str) -> Vec<u8> {
    let mut doc = convert::load(&fixture(file), &ReadOptions::default())
        .unwrap()
        .document;
    let base = std::mem::take(&mut doc.projects);
    doc.projects = (0..n)
        .map(|i| {
            let mut p = base[i % base.len()].clone();
            // A number first keeps the sheet names (31 characters) unique.
            p.name = format!("{:05}{}", i + 1, p.name);
            if let Some(code) = &mut p.code {
                *code = format!("{code}-{:05}", i + 1);
            }
            p
        })
        .collect();
    let options = WriteOptions {
        format: Format::Xlsx,
        template: Some(Template::builtin(layout).unwrap()),
        embed: false,
        csv_encoding: CsvEncoding::Utf8Bom,
    };
    let rendered = convert::render_outputs(&doc, &options).unwrap();
    rendered.outputs.into_iter().next().unwrap().bytes
}

/// Many sheets, or many tables stacked on one sheet, are read in runs on several
/// threads: the model is the serial loop's, and so is every byte written from it.
#[test]
fn a_province_workbook_reads_to_the_same_model_on_one_thread_and_on_several() {
    for (file, n, layout) in [
        ("luan_2023.xlsx", 300, "luan"),
        ("guangzhou.xlsx", 300, "luan"),
        ("tangshan_2025.xlsx", 300, "tangshan"),
        ("yancheng_2022.xlsx", 300, "tangshan"),
    ] {
        let bytes = many_projects(file, n, layout);
        let read = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| convert::load_bytes("many.xlsx", &bytes, &ReadOptions::default()))
                .unwrap()
        };
        let (serial, parallel) = (read(1), read(4));
        assert_eq!(findings(1, &serial.document), findings(4, &serial.document));
        assert_eq!(serial.document.projects.len(), n, "{file}");
        assert_eq!(serial.document.source.layout, layout, "{file}");
        assert!(
            serial.document == parallel.document,
            "{file}: the models differ"
        );
        assert_eq!(serial.warnings, parallel.warnings, "{file}");
        assert!(
            convert::to_json(&serial.document) == convert::to_json(&parallel.document),
            "{file}: the JSON differs"
        );
        let yancheng = Template::builtin("yancheng").unwrap();
        assert!(
            outputs(1, &serial.document, &yancheng, Format::Xlsx)
                == outputs(4, &parallel.document, &yancheng, Format::Xlsx),
            "{file}: the yancheng files differ"
        );
    }
}

/// A workbook of `n` sheets named S0, S1, … with a value each; the sheets in `broken`
/// hold a cell past the last row a sheet can have.
fn many_sheets(n: usize, broken: &[usize]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for i in 0..n {
        let ws = book.add_worksheet();
        ws.set_name(format!("S{i}")).unwrap();
        ws.write_string(0, 0, format!("v{i}")).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    common::edit_zip(&bytes, |name, xml| {
        if broken
            .iter()
            .any(|b| name == format!("xl/worksheets/sheet{}.xml", b + 1))
        {
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="2000000"><c r="A2000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#.to_string()
        } else {
            xml
        }
    })
}

fn read_grid(jobs: usize, bytes: &[u8]) -> jixiao::Result<jixiao::grid::Workbook> {
    jixiao::pool::with_jobs(jobs, || jixiao::read::read_bytes("many.xlsx", bytes))
}

#[test]
fn sheets_read_on_several_threads_are_those_read_on_one() {
    let bytes = many_sheets(230, &[]);
    let one = read_grid(1, &bytes).unwrap();
    let four = read_grid(4, &bytes).unwrap();
    let names = |b: &jixiao::grid::Workbook| {
        b.sheets
            .iter()
            .map(|s| (s.name.clone(), s.raw(0, 0).display()))
            .collect::<Vec<_>>()
    };
    let expected: Vec<_> = (0..230)
        .map(|i| (format!("S{i}"), format!("v{i}")))
        .collect();
    assert_eq!(names(&one), expected);
    assert_eq!(names(&four), expected);
}

#[test]
fn of_several_bad_sheets_read_in_parallel_the_first_in_order_is_reported() {
    // A thread takes 16 sheets at a time: the bad ones are in the 5th and the 10th.
    let bytes = many_sheets(230, &[150, 70]);
    let one = read_grid(1, &bytes).unwrap_err().to_string();
    assert!(one.contains("\"S70\""), "{one}");
    for _ in 0..5 {
        assert_eq!(read_grid(4, &bytes).unwrap_err().to_string(), one);
    }
}
