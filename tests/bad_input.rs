//! Hostile and broken input through the command line (SPEC.md §10): every case gives a
//! clear message that names the file and exit code 2 — or, where the input is readable
//! after all, the right reading with a warning — and never a panic, a hang or a partial
//! output file. Small crafted files live in `tests/bad_input/`; the rest are made here.
//! Files named `fuzz-*` are inputs the fuzzers found crashing or exhausting memory.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Debug builds are slow; a hang is anything far beyond what a case needs.
const TIME_LIMIT: Duration = Duration::from_secs(120);

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bad_input")
        .join(name)
}

struct Outcome {
    code: i32,
    stderr: String,
    /// What the output folder holds afterwards.
    left: Vec<String>,
}

/// `jixiao convert INPUT --to national -o OUT/OUT.xlsx`, killed after [`TIME_LIMIT`].
fn convert(input: &Path, case: &str) -> Outcome {
    let out_dir = scratch(&format!("bad-{case}-out"));
    let out = out_dir.join("OUT.xlsx");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("convert")
        .arg(input)
        .args(["--to", "national", "-o"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stderr_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr_pipe.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            panic!("{case}: still running after {TIME_LIMIT:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = reader.join().unwrap();
    let left = file_names(&out_dir);
    Outcome {
        code: status.code().unwrap_or(-1),
        stderr,
        left,
    }
}

fn no_panic(case: &str, o: &Outcome) {
    for bad in [
        "panicked",
        "internal error",
        "RUST_BACKTRACE",
        "stack backtrace",
    ] {
        assert!(!o.stderr.contains(bad), "{case}: {}", o.stderr);
    }
}

/// Exit 2, a message naming the file and saying `message`, and nothing written.
fn assert_refused(input: &Path, case: &str, message: &str) {
    let o = convert(input, case);
    no_panic(case, &o);
    assert_eq!(o.code, 2, "{case}: {}", o.stderr);
    let name = input.display().to_string();
    let line = o
        .stderr
        .lines()
        .find(|l| l.starts_with("jixiao: error:"))
        .unwrap_or_else(|| panic!("{case}: no error line in {:?}", o.stderr));
    assert!(
        line.contains(&name),
        "{case}: the message does not name the file: {line}"
    );
    assert!(
        line.contains(message),
        "{case}: expected {message:?} in {line}"
    );
    assert!(o.left.is_empty(), "{case}: left behind {:?}", o.left);
}

/// Read after all: exit 0, the output written (and nothing else), and each expected
/// warning shown.
fn assert_read(input: &Path, case: &str, warnings: &[&str]) -> Outcome {
    let o = convert(input, case);
    no_panic(case, &o);
    assert_eq!(o.code, 0, "{case}: {}", o.stderr);
    assert_eq!(o.left, ["OUT.xlsx"], "{case}");
    for w in warnings {
        assert!(
            o.stderr.contains(w),
            "{case}: expected warning {w:?} in {}",
            o.stderr
        );
    }
    o
}

/// A case's input folder with one file.
fn input(case: &str, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = scratch(&format!("bad-{case}-in"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn luan_xlsx() -> Vec<u8> {
    std::fs::read(fixture("luan_2023.xlsx")).unwrap()
}

/// The luan fixture with its first sheet's XML edited.
fn luan_with_sheet1(edit: impl Fn(String) -> String) -> Vec<u8> {
    edit_zip(&luan_xlsx(), |name, text| {
        if name == "xl/worksheets/sheet1.xml" {
            edit(text)
        } else {
            text
        }
    })
}

fn replace_once(text: String, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from} not in the sheet");
    text.replacen(from, to, 1)
}

// ---- files that are not readable spreadsheets ----------------------------------------

#[test]
fn truncated_zip() {
    let bytes = luan_xlsx();
    let path = input("truncated", "truncated.xlsx", &bytes[..bytes.len() / 2]);
    assert_refused(&path, "truncated", "truncated or corrupt zip archive");
}

#[test]
fn random_bytes() {
    assert_refused(
        &corpus("random-bytes.xlsx"),
        "random",
        "binary data of an unknown format",
    );
}

#[test]
fn empty_file() {
    assert_refused(&corpus("empty.xls"), "empty", "the file is empty");
}

#[test]
fn password_protected_workbook() {
    // An xlsx encrypted with a password (an OLE file with an EncryptedPackage stream).
    assert_refused(
        &corpus("password-protected.xlsx"),
        "password",
        "password-protected or encrypted workbook",
    );
}

#[test]
fn password_protected_ods() {
    let ods = std::fs::read(fixture("legacy/linyi_2023.ods")).unwrap();
    let locked = edit_zip(&ods, |name, text| {
        if name == "META-INF/manifest.xml" {
            text.replacen(
                "</manifest:manifest>",
                "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"><manifest:encryption-data manifest:checksum-type=\"SHA1/1K\"/></manifest:file-entry></manifest:manifest>",
                1,
            )
        } else if name == "content.xml" {
            // Encrypted parts are binary; here it is enough that they are not XML.
            "\u{1}\u{2}garbage".to_string()
        } else {
            text
        }
    });
    let path = input("ods-password", "locked.ods", &locked);
    assert_refused(
        &path,
        "ods-password",
        "password-protected or encrypted workbook",
    );
}

#[test]
fn zip_bomb() {
    // 200 KiB that inflate to 200 MiB (ratio 1027:1).
    assert_refused(&corpus("zip-bomb-200mb.xlsx"), "bomb", "a zip bomb?");
}

#[test]
fn zip_claiming_more_than_the_limit() {
    // An archive whose entries claim 4 × 400 MiB: refused from the directory alone.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for n in 0..4 {
        zip.start_file(format!("xl/part{n}.xml"), opts).unwrap();
        zip.write_all(b"<x/>").unwrap();
    }
    zip.start_file("xl/workbook.xml", opts).unwrap();
    zip.write_all(b"<workbook/>").unwrap();
    let mut bytes = zip.finish().unwrap().into_inner();
    // Patch the uncompressed size of the four parts in the central directory.
    let mut at = 0;
    let mut patched = 0;
    while let Some(pos) = bytes[at..].windows(4).position(|w| w == b"PK\x01\x02") {
        let header = at + pos;
        let name_len = u16::from_le_bytes([bytes[header + 28], bytes[header + 29]]) as usize;
        let name =
            String::from_utf8_lossy(&bytes[header + 46..header + 46 + name_len]).into_owned();
        if name.starts_with("xl/part") {
            bytes[header + 24..header + 28].copy_from_slice(&(400u32 << 20).to_le_bytes());
            patched += 1;
        }
        at = header + 4;
    }
    assert_eq!(patched, 4);
    let path = input("claims", "claims.xlsx", &bytes);
    let o = convert(&path, "claims");
    no_panic("claims", &o);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("claims.xlsx"), "{}", o.stderr);
    assert!(o.left.is_empty());
}

#[test]
fn a_pdf_named_xls() {
    assert_refused(
        &corpus("really-a-pdf.xls"),
        "pdf",
        "a PDF document, not a spreadsheet",
    );
}

#[test]
fn a_word_document_named_xlsx() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", opts).unwrap();
    zip.write_all(b"<w:document/>").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let path = input("docx", "report.xlsx", &bytes);
    assert_refused(&path, "docx", "a Word document, not a spreadsheet");
}

#[test]
fn excel_2003_xml_and_web_archives() {
    assert_refused(
        &corpus("spreadsheetml-2003.xls"),
        "xml2003",
        "Excel 2003 XML spreadsheets are not supported",
    );
    assert_refused(
        &corpus("web-archive.mht.xls"),
        "mhtml",
        "a single-file web page (MHTML)",
    );
}

#[test]
fn a_directory_instead_of_a_file() {
    let dir = scratch("bad-dir-in").join("folder.xlsx");
    std::fs::create_dir_all(&dir).unwrap();
    assert_refused(&dir, "dir", "cannot read");
}

#[test]
fn a_missing_file() {
    let path = scratch("bad-missing-in").join("nope.xlsx");
    assert_refused(&path, "missing", "cannot read");
}

// ---- spreadsheets that are hostile in size or shape ----------------------------------

#[test]
fn whole_sheet_merge() {
    // A merge over A1:XFD1048576 costs nothing: it is clipped to the data.
    let bytes = luan_with_sheet1(|xml| {
        replace_once(
            xml,
            "<mergeCells count=\"40\">",
            "<mergeCells count=\"41\"><mergeCell ref=\"A1:XFD1048576\"/>",
        )
    });
    // Clipped to the data it would still hide every value of the form but the title:
    // it is ignored with a warning, and the form reads as published.
    let path = input("whole-merge", "whole.xlsx", &bytes);
    assert_read(
        &path,
        "whole-merge",
        &[
            "merged area A1:XFD1048576 would hide",
            "holding values of their own and was ignored",
        ],
    );
    assert_facts("luan_2023.facts.json", &load(&path), &[]);
}

#[test]
fn overlapping_merges() {
    // F4:G4 holds a label; G4:G5 (over empty cells), listed after it, overlaps it and
    // is ignored, so the form reads as published.
    let bytes = luan_with_sheet1(|xml| {
        let xml = replace_once(
            xml,
            "<mergeCells count=\"40\">",
            "<mergeCells count=\"41\">",
        );
        replace_once(
            xml,
            "</mergeCells>",
            "<mergeCell ref=\"G4:G5\"/></mergeCells>",
        )
    });
    let path = input("overlap", "overlap.xlsx", &bytes);
    assert_read(
        &path,
        "overlap",
        &["merged area G4:G5 overlaps another and was ignored"],
    );
    assert_facts("luan_2023.facts.json", &load(&path), &[]);
}

#[test]
fn formula_and_error_cells() {
    // 预算数 cells holding a formula with its cached error, and a #REF! error.
    let bytes = luan_with_sheet1(|xml| {
        let xml = replace_once(
            xml,
            "<c r=\"E7\" s=\"6\" t=\"n\"><v>231.09</v></c>",
            "<c r=\"E7\" s=\"6\" t=\"e\"><f>E6/0</f><v>#DIV/0!</v></c>",
        );
        replace_once(
            xml,
            "<c r=\"H7\" s=\"6\" t=\"n\"><v>77.03</v></c>",
            "<c r=\"H7\" s=\"6\" t=\"e\"><f>#REF!*2</f><v>#REF!</v></c>",
        )
    });
    // Read with a warning naming each cell; the error texts are kept in extras and
    // the loss report says the target has no place for them.
    let path = input("errors", "errors.xlsx", &bytes);
    assert_read(
        &path,
        "errors",
        &[
            "!E7: \"#DIV/0!\" is not a valid funding.mid_term.fiscal",
            "!H7: \"#REF!\" is not a valid funding.annual.fiscal",
        ],
    );
}

#[test]
fn numbers_stored_as_text() {
    // Amounts as text cells ("231.09", "77.03") read like numbers.
    let bytes = luan_with_sheet1(|xml| {
        let xml = replace_once(
            xml,
            "<c r=\"E6\" s=\"6\" t=\"n\"><v>231.09</v></c>",
            "<c r=\"E6\" s=\"6\" t=\"inlineStr\"><is><t>231.09</t></is></c>",
        );
        replace_once(
            xml,
            "<c r=\"H6\" s=\"6\" t=\"n\"><v>77.03</v></c>",
            "<c r=\"H6\" s=\"6\" t=\"inlineStr\"><is><t> 77.03 </t></is></c>",
        )
    });
    let path = input("num-text", "as-text.xlsx", &bytes);
    assert_read(&path, "num-text", &[]);
    let doc = load(&path);
    assert_facts("luan_2023.facts.json", &doc, &[]);
}

#[test]
fn dates_as_serial_numbers() {
    // A 项目期限 written as an Excel serial number in a General cell (45000 = 2023-03-15):
    // it is read as the number it shows, never as a panic or a made-up date.
    let bytes = luan_with_sheet1(|xml| {
        replace_once(
            xml,
            "<c r=\"H4\" s=\"5\" t=\"s\"><v>7</v></c>",
            "<c r=\"H4\" s=\"5\"><v>45000</v></c>",
        )
    });
    let path = input("serial", "serial.xlsx", &bytes);
    assert_read(&path, "serial", &[]);
    let doc = load(&path);
    let text = jixiao::convert::to_json(&doc);
    assert!(
        text.contains("45000"),
        "the serial number is kept as written"
    );
}

#[test]
fn huge_single_cell() {
    // 5 MB of text in one cell of an otherwise empty sheet.
    let big = "绩效".repeat(5 * 1024 * 1024 / 6);
    let csv = format!("\u{feff}项目名称,{big}\r\n");
    let path = input("huge-cell", "huge.csv", csv.as_bytes());
    assert_refused(&path, "huge-cell", "no performance target table found");
}

#[test]
fn hidden_sheet() {
    // The second project's sheet hidden.
    let bytes = edit_zip(&luan_xlsx(), |name, text| {
        if name == "xl/workbook.xml" {
            let first = text.find("state=\"visible\"").unwrap() + 1;
            let second = first + text[first..].find("state=\"visible\"").unwrap();
            format!(
                "{}state=\"hidden\"{}",
                &text[..second],
                &text[second + 15..]
            )
        } else {
            text
        }
    });
    // The visible sheet is converted; the hidden one is skipped, and the user is told.
    let path = input("hidden", "hidden.xlsx", &bytes);
    let book = jixiao::read::read_path(&path).unwrap();
    assert!(book.sheets[1].hidden);
    assert_read(
        &path,
        "hidden",
        &["sheet \"公积金中心运转维护经费\" is hidden and was not read"],
    );
    let doc = load(&path);
    assert_eq!(doc.projects.len(), 1);
    assert_eq!(
        doc.projects[0].name,
        load(&fixture("luan_2023.xlsx")).projects[0].name
    );
}

#[test]
fn a_thousand_sheets() {
    let mut book = rust_xlsxwriter::Workbook::new();
    for n in 0..1000 {
        let sheet = book.add_worksheet();
        sheet.set_name(format!("表{n}")).unwrap();
        sheet.write_string(0, 0, format!("第{n}张")).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let path = input("sheets", "sheets.xlsx", &bytes);
    assert_refused(&path, "sheets", "no performance target table found");
}

#[test]
fn ods_row_repeated_a_million_times() {
    let content = |rows: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="s">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    };
    let ods = |content: String| {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("mimetype", opts).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        zip.start_file("content.xml", opts).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    };
    // A row with content in every column, repeated a million times: refused.
    let full = ods(content(
        r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>项目名称</text:p></table:table-cell></table:table-row>"#,
    ));
    let path = input("ods-repeat", "repeat.ods", &full);
    assert_refused(&path, "ods-repeat", "too large");
    // Empty rows repeated a million times (as every LibreOffice file ends): free.
    let empty = ods(content(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>项目名称</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#,
    ));
    let path = input("ods-empty-repeat", "empty-repeat.ods", &empty);
    assert_refused(
        &path,
        "ods-empty-repeat",
        "no performance target table found",
    );
}

#[test]
fn html_with_a_huge_rowspan() {
    let html = "<html><meta charset=utf-8><table><tr><td rowspan=100000 colspan=100000>项目名称</td><td>x</td></tr><tr><td>y</td></tr></table></html>";
    let path = input("rowspan", "rowspan.xls", html.as_bytes());
    assert_refused(&path, "rowspan", "no performance target table found");
}

#[test]
fn html_without_a_table() {
    let html = "<!DOCTYPE html><html><body><p>导出失败，请重试</p></body></html>";
    let path = input("no-table", "export.xls", html.as_bytes());
    assert_refused(&path, "no-table", "no sheet holds any cell");
}

// ---- CSV ------------------------------------------------------------------------------

fn yancheng_csv() -> Vec<u8> {
    std::fs::read(fixture("yancheng_2022.csv")).unwrap()
}

#[test]
fn invalid_utf8_in_a_utf8_csv() {
    // A BOM says UTF-8; two stray bytes are not.
    let mut bytes = yancheng_csv();
    let at = bytes.len() - 10;
    bytes.splice(at..at, [0xFF, 0xC3]);
    let path = input("bad-utf8", "bad-utf8.csv", &bytes);
    assert_read(&path, "bad-utf8", &["not valid in UTF-8; replaced with"]);
}

#[test]
fn csv_with_mixed_encodings() {
    // UTF-8 lines with one line in GBK, no BOM: decoded as one encoding, with a warning.
    let text = String::from_utf8(yancheng_csv()).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut bytes = Vec::new();
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if n == 3 {
            let (gbk, _, _) = encoding_rs::GBK.encode(line);
            bytes.extend_from_slice(&gbk);
        } else {
            bytes.extend_from_slice(line.as_bytes());
        }
    }
    let path = input("mixed", "mixed.csv", &bytes);
    let o = convert(&path, "mixed");
    no_panic("mixed", &o);
    assert!(o.code == 0 || o.code == 2, "{}", o.stderr);
    assert!(o.stderr.contains("mixed.csv"), "{}", o.stderr);
    assert!(
        o.stderr.contains("not valid in") || o.code == 2,
        "{}",
        o.stderr
    );
    if o.code == 2 {
        assert!(o.left.is_empty());
    }
}

#[test]
fn ragged_csv_rows() {
    // Rows with their trailing empty fields cut and extra empty fields added.
    let text = String::from_utf8(yancheng_csv()).unwrap();
    let ragged: String = text
        .split_inclusive("\r\n")
        .enumerate()
        .map(|(n, line)| {
            let body = line.trim_end_matches("\r\n");
            let body = if n % 2 == 0 {
                body.trim_end_matches(',').to_string()
            } else {
                format!("{body},,,")
            };
            body + "\r\n"
        })
        .collect();
    let path = input("ragged", "ragged.csv", ragged.as_bytes());
    assert_read(&path, "ragged", &[]);
    assert_facts("yancheng_2022.facts.json", &load(&path), &[]);
}

#[test]
fn a_sheet_with_no_known_labels() {
    let path = input(
        "no-labels",
        "sales.csv",
        "品名,数量,单价\r\n苹果,3,4.5\r\n".as_bytes(),
    );
    assert_refused(&path, "no-labels", "no performance target table found");
}

#[test]
fn xls_with_a_looping_sector_chain() {
    // A compound file whose directory chain points back at itself: calamine's own OLE
    // reader would follow it for ever, growing without bound. Our pass reads the
    // chain at most once per sector and finds no workbook in it.
    let mut bytes = vec![0u8; 512 * 3];
    bytes[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    bytes[0x1A] = 3; // major version
    bytes[0x1C..0x1E].copy_from_slice(&0xFFFEu16.to_le_bytes());
    bytes[0x1E] = 9; // 512-byte sectors
    bytes[0x20] = 6; // 64-byte mini sectors
    bytes[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes()); // one FAT sector
    bytes[0x30..0x34].copy_from_slice(&1u32.to_le_bytes()); // directory at sector 1
    bytes[0x38..0x3C].copy_from_slice(&4096u32.to_le_bytes());
    bytes[0x3C..0x40].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    bytes[0x44..0x48].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    for i in 0..109 {
        let v: u32 = if i == 0 { 0 } else { 0xFFFF_FFFF };
        bytes[0x4C + i * 4..0x50 + i * 4].copy_from_slice(&v.to_le_bytes());
    }
    // FAT (sector 0): itself, then the directory sector linking to itself.
    let fat = 512;
    bytes[fat..fat + 4].copy_from_slice(&0xFFFF_FFFDu32.to_le_bytes());
    bytes[fat + 4..fat + 8].copy_from_slice(&1u32.to_le_bytes());
    for i in 2..128 {
        bytes[fat + i * 4..fat + i * 4 + 4].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    }
    // Directory (sector 1): a root entry only.
    let dir = 1024;
    for (k, u) in "Root Entry".encode_utf16().enumerate() {
        bytes[dir + k * 2..dir + k * 2 + 2].copy_from_slice(&u.to_le_bytes());
    }
    bytes[dir + 66] = 5;
    let path = input("cfb-loop", "loop.xls", &bytes);
    assert_refused(&path, "cfb-loop", "holds no workbook");
}

// ---- inputs the fuzzers found ---------------------------------------------------------

#[test]
fn fuzz_xls_short_record() {
    // calamine indexes past a record's end (a panic it is guarded against).
    assert_refused(
        &corpus("fuzz-xls-short-record.xls"),
        "fuzz-short",
        "the workbook is damaged or unusual and could not be read",
    );
}

#[test]
fn fuzz_xls_far_apart_cells() {
    // A cell moved to row 65,536 × column 64,000 made calamine allocate 135 GB.
    assert_refused(
        &corpus("fuzz-xls-far-apart-cells.xls"),
        "fuzz-far",
        "too large",
    );
}

/// Every committed `fuzz-*` input is refused or read, never crashes.
#[test]
fn every_fuzz_input_is_handled() {
    for entry in std::fs::read_dir(corpus("")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("fuzz-") {
            continue;
        }
        let o = convert(&path, &name.replace('.', "-"));
        no_panic(&name, &o);
        assert!(o.code == 0 || o.code == 2, "{name}: {}", o.stderr);
        if o.code == 2 {
            assert!(o.left.is_empty(), "{name}");
        }
    }
}

/// A plain mutation loop over the legacy formats (the fuzz targets need nightly): bytes
/// flipped, runs zeroed, cuts — the readers return, and never panic.
#[test]
fn mutated_legacy_files_never_panic() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for name in ["linyi_2023.xls", "linyi_2023.ods", "luan_2023.html.xls"] {
        let original = std::fs::read(fixture(&format!("legacy/{name}"))).unwrap();
        for _ in 0..60 {
            let mut bytes = original.clone();
            match next() % 3 {
                0 => {
                    for _ in 0..1 + next() % 8 {
                        let at = (next() as usize) % bytes.len();
                        bytes[at] ^= 1 << (next() % 8);
                    }
                }
                1 => {
                    let at = (next() as usize) % bytes.len();
                    let len = ((next() % 64) as usize).min(bytes.len() - at);
                    bytes[at..at + len].fill(if next() % 2 == 0 { 0 } else { 0xFF });
                }
                _ => {
                    let cut = (next() as usize) % bytes.len();
                    bytes.truncate(cut);
                }
            }
            let result = std::panic::catch_unwind(|| jixiao::read::read_bytes(name, &bytes));
            assert!(result.is_ok(), "{name}: a mutation panicked");
        }
    }
}
