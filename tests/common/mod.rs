//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use jixiao::Document;
use jixiao::convert::{self, ReadOptions};
use jixiao::grid::{Cell, Sheet};
use rust_xlsxwriter::{Format, Workbook};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh scratch directory for one test.
pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jixiao-test-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names of what a folder holds, sorted (what a run wrote, or left behind).
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn load(path: &Path) -> Document {
    convert::load(path, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .document
}

/// Reads a file's form with a template file (no detection, no embedded copy needed).
pub fn load_with(path: &Path, template: &Path) -> Document {
    let options = ReadOptions {
        from: Some(jixiao::Template::from_file(template).unwrap()),
        ..ReadOptions::default()
    };
    convert::load(path, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .document
}

/// Writes a document as xlsx in a template file's form, without the embedded copy, so
/// that reading it back reads the form alone.
pub fn write_with(doc: &Document, template: &Path, out: &Path) {
    write_as(
        doc,
        &jixiao::Template::from_file(template).unwrap(),
        false,
        out,
    );
}

/// Writes a document as xlsx in a template's form, with or without the embedded copy.
pub fn write_as(doc: &Document, template: &jixiao::Template, embed: bool, out: &Path) {
    let options = convert::WriteOptions {
        format: convert::Format::Xlsx,
        template: Some(template.clone()),
        embed,
        csv_encoding: jixiao::write::CsvEncoding::Utf8Bom,
    };
    let rendered = convert::render_outputs(doc, &options).unwrap();
    convert::save(out, &rendered.outputs).unwrap();
}

/// What a comparison of read documents looks at: not where they came from, nor the
/// title (each form prints its own).
pub fn comparable(doc: &Document) -> Document {
    let mut d = without_source(doc);
    d.title = None;
    d
}

pub fn load_form_only(path: &Path) -> Document {
    let options = ReadOptions {
        ignore_embedded: true,
        ..ReadOptions::default()
    };
    convert::load(path, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .document
}

/// Runs the shared fact checker on a document: (whether it exited 0, its report).
fn run_factcheck(facts: &str, doc: &Document, flags: &[&str]) -> (bool, String) {
    let dir = scratch(&format!(
        "facts-{}-{}",
        facts.replace(['.', '/'], "-"),
        rand_suffix()
    ));
    let json = dir.join("doc.json");
    std::fs::write(&json, convert::to_json(doc)).unwrap();
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/factcheck.py");
    let out = Command::new("python3")
        .arg(checker)
        .arg(fixture(facts))
        .arg(&json)
        .args(flags)
        .output()
        .expect("python3 runs the fact checker");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Runs the shared fact checker on a document; panics with its report unless every fact matches.
pub fn assert_facts(facts: &str, doc: &Document, flags: &[&str]) {
    let (ok, report) = run_factcheck(facts, doc, flags);
    assert!(ok, "facts from {facts} not all recovered:\n{report}");
    assert!(report.contains("100.0%"), "{report}");
}

/// Unique within the test process, so parallel tests never share a scratch folder.
pub fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The document with `source` cleared, for comparing what was read, not where.
pub fn without_source(doc: &Document) -> Document {
    let mut d = doc.clone();
    d.source = Default::default();
    d
}

/// Runs the built binary.
pub fn jixiao(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Asserts two documents are equal, showing the first differing lines of their JSON.
pub fn assert_same(got: &Document, expected: &Document, context: &str) {
    if got == expected {
        return;
    }
    let a = serde_json::to_string_pretty(got).unwrap();
    let b = serde_json::to_string_pretty(expected).unwrap();
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(4);
    panic!(
        "{context}: documents differ at JSON line {at}\n--- got\n{}\n--- expected\n{}",
        a[from..(at + 4).min(a.len())].join("\n"),
        b[from..(at + 4).min(b.len())].join("\n")
    );
}

/// A row printed under a table.
#[derive(Clone)]
pub enum Line {
    /// Nothing (a blank row).
    Blank,
    /// One cell merged across the sheet's columns.
    Merged(&'static str),
    /// Texts in consecutive cells from column A.
    Split(&'static [&'static str]),
}

/// Copies a workbook's visible sheets (every cell and merge) into a new xlsx with
/// rust_xlsxwriter, each cell through `map(sheet, row, col, cell)`, inserting `lines`
/// before each row `at(sheet)` names (a row past the end appends them).
pub fn copy_xlsx(
    source: &Path,
    out: &Path,
    at: impl Fn(&Sheet) -> Vec<usize>,
    lines: &[Line],
    map: impl Fn(&Sheet, usize, usize, &Cell) -> Cell,
) -> PathBuf {
    let book = jixiao::read::read_path(source).unwrap();
    let mut workbook = Workbook::new();
    for sheet in book.sheets.iter().filter(|s| !s.hidden) {
        let inserts = at(sheet);
        let ws = workbook.add_worksheet();
        ws.set_name(&sheet.name).unwrap();
        let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(1).max(2) as u16;
        // Where each source row goes once the footers before it are inserted.
        let shift = |row: usize| row + inserts.iter().filter(|&&i| i <= row).count() * lines.len();
        let mut covered = std::collections::HashSet::new();
        for m in sheet.merges() {
            let (r0, r1) = (shift(m.first_row as usize), shift(m.last_row as usize));
            ws.merge_range(
                r0 as u32,
                m.first_col as u16,
                r1 as u32,
                m.last_col as u16,
                "",
                &Format::new(),
            )
            .unwrap();
            for r in m.first_row..=m.last_row {
                for c in m.first_col..=m.last_col {
                    if (r, c) != (m.first_row, m.first_col) {
                        covered.insert((r as usize, c as usize));
                    }
                }
            }
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if covered.contains(&(r, c)) {
                    continue;
                }
                let (rr, cc) = (shift(r) as u32, c as u16);
                match &map(sheet, r, c, cell) {
                    Cell::Text(t) => {
                        ws.write_string(rr, cc, t).unwrap();
                    }
                    Cell::Number {
                        value,
                        decimals,
                        percent,
                    } => {
                        let mut fmt = match decimals {
                            Some(0) | None => "0".to_string(),
                            Some(d) => format!("0.{}", "0".repeat(*d as usize)),
                        };
                        if decimals.is_none() && !percent {
                            fmt = "General".into();
                        }
                        if *percent {
                            fmt.push('%');
                        }
                        let format = Format::new().set_num_format(&fmt);
                        ws.write_number_with_format(rr, cc, *value, &format)
                            .unwrap();
                    }
                    Cell::Empty => {}
                    other => {
                        ws.write_string(rr, cc, other.display()).unwrap();
                    }
                }
            }
        }
        for (k, &at) in inserts.iter().enumerate() {
            // Footers go where the row `at` stood, after the ones inserted before it.
            let base = at + k * lines.len();
            for (j, line) in lines.iter().enumerate() {
                let r = (base + j) as u32;
                match line {
                    Line::Blank => {}
                    Line::Merged(text) => {
                        ws.merge_range(r, 0, r, width - 1, text, &Format::new())
                            .unwrap();
                    }
                    Line::Split(texts) => {
                        for (c, t) in texts.iter().enumerate() {
                            ws.write_string(r, c as u16, *t).unwrap();
                        }
                    }
                }
            }
        }
    }
    workbook.save(out).unwrap();
    out.to_path_buf()
}

/// Runs the shared fact checker on a document and returns the percentage it prints
/// ("facts: N/M matched (P%)").
pub fn facts_percent(facts: &str, doc: &Document) -> f64 {
    let (_, report) = run_factcheck(facts, doc, &[]);
    let last = report.lines().last().unwrap_or_default();
    last.rsplit_once('(')
        .and_then(|(_, p)| p.trim_end_matches(['%', ')']).parse().ok())
        .unwrap_or_else(|| panic!("no percentage in the fact checker's report:\n{report}"))
}

/// A copy of a zip (an xlsx, an ods) with each text entry passed through
/// `edit(name, text)`; entries that are not UTF-8 are copied as they are.
pub fn edit_zip(bytes: &[u8], edit: impl Fn(&str, String) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut body = Vec::new();
        entry.read_to_end(&mut body).unwrap();
        let body = match String::from_utf8(body) {
            Ok(text) => edit(&name, text).into_bytes(),
            Err(e) => e.into_bytes(),
        };
        out.start_file(name, opts).unwrap();
        out.write_all(&body).unwrap();
    }
    out.finish().unwrap().into_inner()
}
