//! The file → grid layer against the published-layout fixtures.

use std::path::{Path, PathBuf};

use jixiao::Error;
use jixiao::grid::{Cell, Merge, Workbook};
use jixiao::read::{read_bytes, read_path};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str) -> Workbook {
    read_path(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A fresh directory under the system temp dir.
fn temp_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "jixiao-read-{tag}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn luan_xlsx_sheets_merges_and_money() {
    let wb = read("luan_2023.xlsx");
    assert_eq!(wb.sheets.len(), 2);
    assert!(wb.embedded.is_none());
    assert!(wb.warnings.is_empty(), "{:?}", wb.warnings);
    let s = &wb.sheets[0];
    assert!(s.merges_known);
    assert!(!s.hidden);
    // A3:B3 项目名称
    let a3b3 = Merge {
        first_row: 2,
        first_col: 0,
        last_row: 2,
        last_col: 1,
    };
    assert!(s.merges().contains(&a3b3), "{:?}", s.merges());
    assert_eq!(s.merge_at(2, 1), Some(&a3b3));
    assert_eq!(s.value(2, 1), &Cell::Text("项目名称".into()));
    // E6 231.09 / E8 0 shown as "0.00" (format 0.00).
    let e6 = s.raw(5, 4);
    assert!(
        matches!(
            e6,
            Cell::Number {
                decimals: Some(2),
                percent: false,
                ..
            }
        ),
        "{e6:?}"
    );
    assert_eq!(e6.display(), "231.09");
    assert_eq!(s.raw(7, 4).display(), "0.00");
    assert!(matches!(s.raw(7, 4), Cell::Number { value, .. } if *value == 0.0));
    // Title merged across A1:H1.
    assert_eq!(s.extent_right(0, 0), 7);
    assert_eq!(s.width(), 8);
}

#[test]
fn guangzhou_amounts_use_thousands_format() {
    let wb = read("guangzhou.xlsx");
    let s = &wb.sheets[0];
    assert_eq!(s.name, "项目支出绩效目标表");
    // Row 4 合计 12,748.27 in B4.
    assert_eq!(s.raw(3, 0), &Cell::Text("合计".into()));
    let b4 = s.raw(3, 1);
    assert!(
        matches!(
            b4,
            Cell::Number {
                decimals: Some(2),
                percent: false,
                ..
            }
        ),
        "{b4:?}"
    );
    assert_eq!(b4.display(), "12748.27");
    // The body has no merged cells (only the title A1:G1 and A2:F2).
    assert!(
        s.merges().iter().all(|m| m.first_row < 2),
        "{:?}",
        s.merges()
    );
}

#[test]
fn tangshan_schedule_is_percent() {
    let wb = read("tangshan_2025.xlsx");
    assert_eq!(wb.sheets.len(), 2);
    let s = &wb.sheets[1];
    assert_eq!(s.name, "预算项目绩效目标表");
    let percents: Vec<&Cell> = s
        .rows
        .iter()
        .flatten()
        .filter(|c| matches!(c, Cell::Number { percent: true, .. }))
        .collect();
    assert!(!percents.is_empty());
    assert!(
        percents.iter().any(|c| c.display() == "50%"),
        "{percents:?}"
    );
    assert!(percents.iter().all(|c| matches!(
        c,
        Cell::Number {
            decimals: Some(0),
            ..
        }
    )));
}

/// Every cell of every fixture workbook displays as the CSV Excel saved from it
/// (thousands separators aside), so values, positions and formats are all right.
#[test]
fn xlsx_cells_match_their_csv_twins() {
    let pairs: &[(&str, usize, &str)] = &[
        (
            "luan_2023.xlsx",
            0,
            "luan_2023__公积金中心市本级及管理部管理费.csv",
        ),
        ("luan_2023.xlsx", 1, "luan_2023__公积金中心运转维护经费.csv"),
        ("yancheng_2022.xlsx", 0, "yancheng_2022.csv"),
        ("guangzhou.xlsx", 0, "guangzhou.csv"),
        (
            "tangshan_2025.xlsx",
            0,
            "tangshan_2025__部门整体绩效目标.csv",
        ),
        (
            "tangshan_2025.xlsx",
            1,
            "tangshan_2025__预算项目绩效目标表.csv",
        ),
        ("linyi_2023.xlsx", 0, "linyi_2023.csv"),
    ];
    for &(xlsx, idx, csv) in pairs {
        let wb = read(xlsx);
        let sheet = &wb.sheets[idx];
        let twin = read(csv);
        let csv_sheet = &twin.sheets[0];
        if csv.contains("__") {
            assert_eq!(sheet.name, csv_sheet.name, "{csv}");
        }
        assert_eq!(sheet.height(), csv_sheet.height(), "{xlsx}/{csv}: height");
        for r in 0..sheet.height().max(csv_sheet.height()) {
            for c in 0..sheet.width().max(csv_sheet.width()) {
                let mine = sheet.raw(r, c);
                let want = csv_sheet.raw(r, c).display();
                let got = mine.display();
                let want = if matches!(mine, Cell::Number { .. }) {
                    want.replace(',', "")
                } else {
                    want
                };
                assert_eq!(got, want, "{xlsx} {}", sheet.origin(r, c));
            }
        }
    }
}

#[test]
fn gbk_csv_reads_like_utf8_csv() {
    for base in ["yancheng_2022", "guangzhou"] {
        let utf8 = read(&format!("{base}.csv"));
        let gbk = read(&format!("{base}.gbk.csv"));
        assert!(gbk.warnings.is_empty(), "{:?}", gbk.warnings);
        assert_eq!(utf8.sheets.len(), 1);
        assert_eq!(gbk.sheets.len(), 1);
        assert_eq!(utf8.sheets[0].rows, gbk.sheets[0].rows, "{base}");
        assert!(!gbk.sheets[0].merges_known);
    }
}

#[test]
fn yancheng_csv_keeps_equals_text() {
    let wb = read("yancheng_2022.csv");
    let all: Vec<String> = wb.sheets[0]
        .rows
        .iter()
        .flatten()
        .map(Cell::display)
        .collect();
    assert!(all.iter().any(|t| t == "=50%"), "no =50% cell");
    assert!(
        wb.sheets[0]
            .rows
            .iter()
            .flatten()
            .all(|c| matches!(c, Cell::Text(_) | Cell::Empty))
    );
}

#[test]
fn luan_csv_sheet_names_come_after_double_underscore() {
    let wb = read("luan_2023__公积金中心运转维护经费.csv");
    assert_eq!(wb.sheets[0].name, "公积金中心运转维护经费");
    assert!(!wb.sheets[0].merges_known);
    assert_eq!(
        wb.file,
        fixture("luan_2023__公积金中心运转维护经费.csv")
            .display()
            .to_string()
    );
    let xlsx = read("luan_2023.xlsx");
    let names: Vec<&str> = xlsx.sheets.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"公积金中心运转维护经费"), "{names:?}");
    let stacked = read("luan_2023_stacked.csv");
    assert_eq!(stacked.sheets[0].name, "luan_2023_stacked");
    assert!(stacked.sheets[0].height() > xlsx.sheets[0].height());
}

#[test]
fn empty_file_is_empty() {
    let dir = temp_dir("empty");
    let path = dir.join("empty.xlsx");
    std::fs::write(&path, b"").unwrap();
    match read_path(&path) {
        Err(Error::Empty { file, reason }) => {
            assert_eq!(file, path.display().to_string());
            assert_eq!(reason, "the file is empty");
        }
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn random_bytes_are_unreadable() {
    let bytes: Vec<u8> = (0u32..10_000)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    match read_bytes("random.bin", &bytes) {
        Err(e @ Error::Unreadable { .. }) => assert!(e.to_string().starts_with("random.bin: ")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn truncated_xlsx_is_unreadable_without_panic() {
    let bytes = std::fs::read(fixture("luan_2023.xlsx")).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 1, 4, 30, 100] {
        match read_bytes("cut.xlsx", &bytes[..cut]) {
            Err(Error::Unreadable { file, reason }) => {
                assert_eq!(file, "cut.xlsx");
                assert!(!reason.is_empty());
            }
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    match read_bytes("cut.xlsx", &bytes[..bytes.len() / 2]) {
        Err(Error::Unreadable { reason, .. }) => {
            assert!(
                reason.starts_with("truncated or corrupt zip archive"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn corrupted_xlsx_never_panics() {
    let bytes = std::fs::read(fixture("luan_2023.xlsx")).unwrap();
    // Flip bytes all over the archive: every outcome must be Ok or an error.
    for step in [97usize, 331, 1009, 4001] {
        let mut bad = bytes.clone();
        let mut i = 40;
        while i < bad.len() {
            bad[i] ^= 0x5A;
            i += step;
        }
        let _ = read_bytes("bad.xlsx", &bad);
    }
}

#[test]
fn content_decides_not_extension() {
    let dir = temp_dir("ext");
    let xls = dir.join("really_xlsx.xls");
    std::fs::copy(fixture("luan_2023.xlsx"), &xls).unwrap();
    let wb = read_path(&xls).unwrap();
    assert_eq!(wb.sheets.len(), 2);
    assert_eq!(wb.sheets[0].raw(7, 4).display(), "0.00");

    let csv_as_xlsx = dir.join("table.xlsx");
    std::fs::copy(fixture("yancheng_2022.csv"), &csv_as_xlsx).unwrap();
    let wb = read_path(&csv_as_xlsx).unwrap();
    assert_eq!(wb.sheets[0].name, "table");
    assert_eq!(wb.sheets[0].rows, read("yancheng_2022.csv").sheets[0].rows);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn missing_file_is_io_error() {
    let dir = temp_dir("missing");
    let path = dir.join("nope.xlsx");
    assert!(matches!(read_path(&path), Err(Error::Io { .. })));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn encrypted_cfb_is_reported_as_such() {
    // A compound file header followed by the UTF-16 stream name of an encrypted package.
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(1024, 0);
    bytes.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    bytes.resize(4096, 0);
    match read_bytes("secret.xlsx", &bytes) {
        Err(Error::Unreadable { reason, .. }) => {
            assert_eq!(reason, "password-protected or encrypted workbook")
        }
        other => panic!("{other:?}"),
    }
    bytes.truncate(1024);
    assert!(matches!(
        read_bytes("junk.xls", &bytes),
        Err(Error::Unreadable { .. })
    ));
}

#[test]
fn oversized_input_is_refused() {
    // read_bytes checks the length before looking at the content.
    let big = vec![b'a'; (jixiao::read::MAX_FILE_BYTES + 1) as usize];
    assert!(matches!(
        read_bytes("big.csv", &big),
        Err(Error::TooLarge { .. })
    ));
}

// ---------------------------------------------------------------------------------
// Hand-made workbooks for what the fixtures do not exercise.

/// A minimal xlsx: one `(name, state, sheet XML body)` per sheet; the body is the
/// content of `<worksheet>` (sheetData, mergeCells).
fn minimal_xlsx(sheets: &[(&str, &str, &str)]) -> Vec<u8> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, body: String| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut wb_sheets = String::new();
    let mut wb_rels = String::new();
    for (i, (name, state, body)) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        wb_sheets.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" state="{state}" r:id="rId{n}"/>"#
        ));
        wb_rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="{rel}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        put(
            &format!("xl/worksheets/sheet{n}.xml"),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}" xmlns:r="{rel}">{body}</worksheet>"#
            ),
        );
    }
    types.push_str("</Types>");
    put("[Content_Types].xml", types);
    put(
        "_rels/.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        ),
    );
    put(
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>{wb_sheets}</sheets></workbook>"#
        ),
    );
    put(
        "xl/_rels/workbook.xml.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{wb_rels}</Relationships>"#
        ),
    );
    zip.finish().unwrap().into_inner()
}

fn inline(r: &str, text: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn whole_sheet_merge_and_offset_data() {
    // Data starts at C3; one merge covers the whole sheet, one starts outside the data.
    let body = format!(
        r#"<sheetData><row r="3">{}{}</row><row r="4"><c r="D4"><v>1.5</v></c><c r="E4" t="b"><v>1</v></c><c r="F4" t="e"><v>#REF!</v></c></row></sheetData><mergeCells count="2"><mergeCell ref="A1:XFD1048576"/><mergeCell ref="H10:J12"/></mergeCells>"#,
        inline("C3", "项目名称"),
        inline("D3", "x")
    );
    let bytes = minimal_xlsx(&[("表", "visible", &body)]);
    let wb = read_bytes("m.xlsx", &bytes).unwrap();
    let s = &wb.sheets[0];
    assert_eq!(s.height(), 4);
    assert_eq!(s.width(), 6);
    assert_eq!(s.raw(2, 2), &Cell::Text("项目名称".into()));
    assert_eq!(s.raw(3, 3).display(), "1.5");
    assert_eq!(s.raw(3, 4), &Cell::Bool(true));
    assert_eq!(s.raw(3, 5), &Cell::Error("#REF!".into()));
    // The whole-sheet merge, clipped to the grid, would hide the cells' own values: it
    // is ignored with a warning. The far merge is dropped.
    assert!(s.merges().is_empty(), "{:?}", s.merges());
    assert_eq!(wb.warnings.len(), 1, "{:?}", wb.warnings);
    assert!(wb.warnings[0].contains("A1:XFD1048576 would hide 5 cell(s)"));
}

#[test]
fn far_apart_cells_are_refused_not_allocated() {
    let mut rows = String::new();
    for r in (1..=1_000_000).step_by(400) {
        rows.push_str(&format!(r#"<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>"#));
    }
    let body = format!("<sheetData>{rows}</sheetData>");
    let bytes = minimal_xlsx(&[("s", "visible", &body)]);
    match read_bytes("far.xlsx", &bytes) {
        Err(Error::TooLarge { file, reason }) => {
            assert_eq!(file, "far.xlsx");
            assert!(reason.contains("spans"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Two corner cells alone are fine: rows are only as long as their last cell.
    let body = r#"<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData>"#;
    let wb = read_bytes("corners.xlsx", &minimal_xlsx(&[("s", "visible", body)])).unwrap();
    assert_eq!(wb.sheets[0].height(), 1_048_576);
    assert_eq!(wb.sheets[0].width(), 16_384);
    assert!(wb.warnings.is_empty());
    // …and a whole-sheet merge over them is dropped with a warning, not indexed cell by cell.
    let merged = body.replace("</sheetData>", r#"</sheetData><mergeCells count="2"><mergeCell ref="A1:XFD1048576"/><mergeCell ref="B2:C3"/></mergeCells>"#);
    let wb = read_bytes("corners.xlsx", &minimal_xlsx(&[("s", "visible", &merged)])).unwrap();
    assert_eq!(wb.sheets[0].merges().len(), 1);
    assert_eq!(wb.warnings.len(), 1, "{:?}", wb.warnings);
    assert!(
        wb.warnings[0].contains("A1:XFD1048576"),
        "{:?}",
        wb.warnings
    );
}

#[test]
fn hidden_sheets_and_embedded_document() {
    let body = |cells: &[(&str, &str)]| {
        let rows: String = cells
            .iter()
            .enumerate()
            .map(|(i, (r, t))| format!(r#"<row r="{}">{}</row>"#, i + 1, inline(r, t)))
            .collect();
        format!("<sheetData>{rows}</sheetData>")
    };
    let main = body(&[("A1", "项目名称")]);
    let hidden = body(&[("A1", "隐藏")]);
    let embedded = body(&[
        ("A1", "jixiao/1 canonical document"),
        ("A2", "{&quot;projects&quot;:"),
        ("A3", "[]}"),
    ]);
    let bytes = minimal_xlsx(&[
        ("表", "visible", &main),
        ("备用", "hidden", &hidden),
        ("_jixiao", "veryHidden", &embedded),
    ]);
    let wb = read_bytes("e.xlsx", &bytes).unwrap();
    assert_eq!(wb.embedded.as_deref(), Some(r#"{"projects":[]}"#));
    let names: Vec<(&str, bool)> = wb
        .sheets
        .iter()
        .map(|s| (s.name.as_str(), s.hidden))
        .collect();
    assert_eq!(names, vec![("表", false), ("备用", true)]);
}

#[test]
fn workbook_without_cells_is_empty() {
    let bytes = minimal_xlsx(&[
        ("a", "visible", "<sheetData/>"),
        ("b", "visible", "<sheetData></sheetData>"),
    ]);
    match read_bytes("blank.xlsx", &bytes) {
        Err(Error::Empty { file, reason }) => {
            assert_eq!(file, "blank.xlsx");
            assert_eq!(reason, "no sheet holds any cell");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn rust_xlsxwriter_formats_dates_and_percentages() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook as XlsxWorkbook};
    let mut book = XlsxWorkbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("表").unwrap();
    let money = Format::new().set_num_format("#,##0.00");
    let pct1 = Format::new().set_num_format("0.0%");
    let three = Format::new().set_num_format("0.000");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_number_with_format(0, 0, 77.03, &money).unwrap();
    sheet.write_number_with_format(0, 1, 0.0, &money).unwrap();
    sheet.write_number_with_format(0, 2, 0.125, &pct1).unwrap();
    sheet.write_number_with_format(0, 3, 1.5, &three).unwrap();
    sheet.write_number(0, 4, 1003.82).unwrap();
    let day = ExcelDateTime::from_ymd(2025, 12, 15).unwrap();
    sheet.write_datetime_with_format(1, 0, &day, &date).unwrap();
    sheet.write_boolean(1, 1, false).unwrap();
    sheet.write_string(1, 2, "=100%").unwrap();
    sheet
        .merge_range(2, 0, 3, 2, "合并", &Format::new())
        .unwrap();
    sheet.write_string(3, 3, "D4").unwrap();
    // A merge below the last cell is clipped away: the grid never grows for merges.
    sheet.merge_range(5, 0, 6, 1, "", &Format::new()).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let wb = read_bytes("w.xlsx", &bytes).unwrap();
    let s = &wb.sheets[0];
    let shown: Vec<String> = s.rows[0].iter().map(Cell::display).collect();
    assert_eq!(shown, ["77.03", "0.00", "12.5%", "1.500", "1003.82"]);
    assert_eq!(s.raw(1, 0), &Cell::Text("2025-12-15".into()));
    assert_eq!(s.raw(1, 1), &Cell::Bool(false));
    assert_eq!(s.raw(1, 2), &Cell::Text("=100%".into()));
    assert_eq!(s.value(3, 2), &Cell::Text("合并".into()));
    assert_eq!(s.extent_down(2, 0), 3);
    assert_eq!(s.height(), 4);
    assert_eq!(s.merges().len(), 1);
}

#[test]
fn zip_that_is_not_a_workbook() {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let make = |entries: &[(&str, &str)]| {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, body) in entries {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    };
    let ods = make(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", "<x/>"),
    ]);
    // An ODS whose content holds no table is read, and found empty.
    match read_bytes("t.ods", &ods) {
        Err(Error::Empty { reason, .. }) => assert_eq!(reason, "no sheet holds any cell"),
        other => panic!("{other:?}"),
    }
    let docx = make(&[("word/document.xml", "<w/>")]);
    assert!(matches!(
        read_bytes("t.xlsx", &docx),
        Err(Error::Unreadable { .. })
    ));
    let plain = make(&[("a.txt", "hello")]);
    assert!(matches!(
        read_bytes("t.xlsx", &plain),
        Err(Error::Unreadable { .. })
    ));
}

/// A stored zip of `count` small entries whose headers claim `claimed` bytes each
/// (the local and central headers are patched; nothing that large is ever written).
fn zip_claiming(count: usize, claimed: u32) -> Vec<u8> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for n in 0..count {
        let name = if n == 0 {
            "xl/workbook.xml".to_string()
        } else {
            format!("xl/part{n}.xml")
        };
        zip.start_file(name, opts).unwrap();
        zip.write_all(b"<x/>").unwrap();
    }
    let mut bytes = zip.finish().unwrap().into_inner();
    let claimed = claimed.to_le_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        match &bytes[i..i + 4] {
            b"PK\x03\x04" => bytes[i + 22..i + 26].copy_from_slice(&claimed),
            b"PK\x01\x02" => bytes[i + 24..i + 28].copy_from_slice(&claimed),
            _ => {}
        }
        i += 1;
    }
    bytes
}

#[test]
fn zip_bomb_is_refused() {
    // One 20 MiB entry packed into 4 bytes.
    match read_bytes("bomb.xlsx", &zip_claiming(1, 20 << 20)) {
        Err(Error::TooLarge { file, reason }) => {
            assert_eq!(file, "bomb.xlsx");
            assert!(reason.contains("zip bomb"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn declared_sizes_over_the_total_limit_are_refused() {
    // 103 entries of 10 MiB each (too small for the ratio check) pass 1 GiB together.
    match read_bytes("lies.xlsx", &zip_claiming(103, 10 << 20)) {
        Err(Error::TooLarge { reason, .. }) => {
            assert!(reason.contains("expands to more"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_sheet_xml_never_panics() {
    let bodies = [
        r#"<sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData>"#,
        r#"<sheetData><row r="1"><c r="A1"><v>abc</v></c></row></sheetData>"#,
        r#"<sheetData><row r="1"><c r="ZZZZZZ99999999999"><v>1</v></c></row></sheetData>"#,
        r#"<sheetData><row r="1"><c r="A1" t="bogus"><v>1</v></c></row></sheetData>"#,
        r#"<sheetData><row r="1"><c r="A1"><v>1</v>"#,
        r#"<sheetData><row r="99999999999"><c><v>1</v></c></row></sheetData>"#,
        r#"<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells><mergeCell ref="B9:A1"/><mergeCell ref="nonsense"/></mergeCells>"#,
        r#"<sheetData><row r="1"><c r="A1" s="999"><v>1</v></c></row></sheetData>"#,
        "not xml at all <<<",
    ];
    for body in bodies {
        match read_bytes("odd.xlsx", &minimal_xlsx(&[("s", "visible", body)])) {
            Ok(_)
            | Err(Error::Unreadable { .. } | Error::TooLarge { .. } | Error::Empty { .. }) => {}
            Err(other) => panic!("{body}: {other:?}"),
        }
    }
}

/// xls files made by LibreOffice from the fixtures (skipped when `soffice` is not
/// installed): same sheets, cells and merges as the xlsx; numbers lose their format.
#[test]
fn xls_reads_like_the_xlsx_it_was_made_from() {
    let dir = temp_dir("xls");
    let status = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            dir.display()
        ))
        .args(["--headless", "--convert-to", "xls:MS Excel 97", "--outdir"])
        .arg(&dir)
        .arg(fixture("luan_2023.xlsx"))
        .arg(fixture("tangshan_2025.xlsx"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        eprintln!("soffice not available: xls test skipped");
        std::fs::remove_dir_all(dir).ok();
        return;
    }
    for base in ["luan_2023", "tangshan_2025"] {
        let xlsx = read(&format!("{base}.xlsx"));
        // Named .xlsx on purpose: content decides.
        let path = dir.join(format!("{base}.xls"));
        let renamed = dir.join(format!("{base}_copy.xlsx"));
        std::fs::copy(&path, &renamed).unwrap();
        let xls = read_path(&renamed).unwrap();
        assert_eq!(xls.sheets.len(), xlsx.sheets.len());
        for (a, b) in xlsx.sheets.iter().zip(&xls.sheets) {
            assert_eq!(a.name, b.name);
            assert!(b.merges_known);
            let mut ma = a.merges().to_vec();
            let mut mb = b.merges().to_vec();
            ma.sort_by_key(|m| (m.first_row, m.first_col));
            mb.sort_by_key(|m| (m.first_row, m.first_col));
            assert_eq!(ma, mb, "{base} {}", a.name);
            assert_eq!(a.height(), b.height());
            for r in 0..a.height() {
                for c in 0..a.width().max(b.width()) {
                    match (a.raw(r, c), b.raw(r, c)) {
                        (
                            Cell::Number { value: x, .. },
                            Cell::Number {
                                value: y,
                                decimals: None,
                                ..
                            },
                        ) => {
                            assert!((x - y).abs() < 1e-9, "{}", a.origin(r, c))
                        }
                        (x, y) => assert_eq!(x, y, "{}", a.origin(r, c)),
                    }
                }
            }
        }
    }
    std::fs::remove_dir_all(dir).ok();
}
