//! The writers: xlsx read back with calamine, exact CSV bytes, atomic writes.

mod common;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use common::{file_names, fixture, jixiao, scratch};

use calamine::{
    BorderStyle, Data, FontWeight, Reader, SheetVisible, Sheets, open_workbook_auto_from_rs,
};
use jixiao::model::Money;
use jixiao::render::{Content, RenderedCell, RenderedSheet, RenderedWorkbook, Style};
use jixiao::write::{CsvEncoding, csv_bytes, write_all_atomically, write_atomically, xlsx_bytes};

fn cell(row: u32, col: u32, rows: u32, cols: u32, content: Content, style: Style) -> RenderedCell {
    RenderedCell {
        row,
        col,
        rows,
        cols,
        content,
        style,
    }
}

fn text(s: &str) -> Content {
    Content::Text(s.to_string())
}

fn money(s: &str) -> Content {
    Content::Money(Money::parse(s).unwrap())
}

const LONG_GOAL: &str = "加强住房公积金归集扩面工作，规范缴存行为，提高缴存覆盖率；优化提取和贷款业务流程，\
    提升服务效率和群众满意度；完善信息系统建设，保障资金安全，实现住房公积金业务全流程线上办理，\
    推进长三角住房公积金一体化，落实异地转移接续和个人住房贷款异地互认，全年归集住房公积金不少于\
    八十亿元，发放个人住房贷款不少于六十亿元，确保资金安全运行，风险防控有效，内部管理规范有序。";

/// A small form: title over A1:H1, a label/value grid, a vertically merged 一级指标
/// label, money, a percentage, a long goal text and an "=100%" value.
fn sample_sheet() -> RenderedSheet {
    let mut cells = vec![
        cell(0, 0, 1, 8, text("项目支出绩效目标表"), Style::Title),
        cell(1, 0, 1, 8, text("（2023年度）"), Style::Subtitle),
        cell(
            2,
            0,
            1,
            4,
            text("单位名称：盐城市住房公积金管理中心"),
            Style::Note,
        ),
        cell(2, 6, 1, 2, text("单位：万元"), Style::NoteRight),
        cell(3, 0, 1, 2, text("项目名称"), Style::Label),
        cell(3, 2, 1, 6, text("住房公积金管理业务费用"), Style::Value),
        cell(4, 0, 1, 2, text("年度资金总额"), Style::Label),
        cell(4, 2, 1, 2, money("231.09"), Style::Money),
        cell(4, 4, 1, 2, text("其中：财政拨款"), Style::Label),
        cell(4, 6, 1, 2, money("0.00"), Style::Money),
        cell(5, 0, 1, 2, text("年度目标"), Style::Label),
        cell(5, 2, 1, 6, text(LONG_GOAL), Style::Text),
        cell(6, 0, 1, 1, text("一级指标"), Style::Label),
        cell(6, 1, 1, 1, text("二级指标"), Style::Label),
        cell(6, 2, 1, 3, text("三级指标"), Style::Label),
        cell(6, 5, 1, 1, text("指标值"), Style::Label),
        cell(6, 6, 1, 1, text("执行率"), Style::Label),
        cell(6, 7, 1, 1, text("备注"), Style::Label),
        cell(7, 0, 3, 1, text("产出指标"), Style::Label),
    ];
    let rows = [
        (
            "数量指标",
            "归集住房公积金",
            "≥80亿元",
            Content::Percent("50".into()),
        ),
        (
            "质量指标",
            "预算执行率",
            "=100%",
            Content::Percent("100".into()),
        ),
        (
            "时效指标",
            "资金拨付及时率",
            "100%",
            Content::Percent("abc".into()),
        ),
    ];
    for (i, (l2, name, val, pct)) in rows.into_iter().enumerate() {
        let r = 7 + i as u32;
        cells.push(cell(r, 1, 1, 1, text(l2), Style::Value));
        cells.push(cell(r, 2, 1, 3, text(name), Style::Text));
        cells.push(cell(r, 5, 1, 1, text(val), Style::Value));
        cells.push(cell(r, 6, 1, 1, pct, Style::Percent));
        cells.push(cell(r, 7, 1, 1, Content::Empty, Style::Value));
    }
    RenderedSheet {
        name: "绩效目标表".into(),
        cells,
        columns: 8,
        column_widths: vec![None; 8],
        repeat_rows: Some((6, 6)),
        landscape: true,
    }
}

fn sample_json() -> String {
    // Long enough to need three chunks, with multi-byte characters on the boundaries.
    let mut json = String::from("{\"goal\":\"");
    while json.chars().count() < 65_000 {
        json.push_str("目标_x0041_\\\"");
    }
    json.push_str("\"}");
    json
}

fn sample_book() -> RenderedWorkbook {
    let mut second = sample_sheet();
    second.name = "绩效目标表".into(); // clashes: becomes "绩效目标表(2)"
    second.landscape = false;
    second.repeat_rows = None;
    RenderedWorkbook {
        sheets: vec![sample_sheet(), second],
        embedded_json: Some(sample_json()),
    }
}

fn open(bytes: Vec<u8>) -> Sheets<Cursor<Vec<u8>>> {
    open_workbook_auto_from_rs(Cursor::new(bytes)).expect("calamine opens the xlsx")
}

#[test]
fn write_xlsx_is_deterministic() {
    let book = sample_book();
    let a = xlsx_bytes(&book).unwrap();
    let b = xlsx_bytes(&book).unwrap();
    assert!(a.starts_with(b"PK"));
    assert_eq!(a, b, "same input, same bytes");
}

#[test]
fn write_xlsx_reads_back() {
    let mut wb = open(xlsx_bytes(&sample_book()).unwrap());
    let meta: Vec<_> = wb
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible))
        .collect();
    assert_eq!(
        meta,
        vec![
            ("绩效目标表".to_string(), SheetVisible::Visible),
            ("绩效目标表(2)".to_string(), SheetVisible::Visible),
            ("_jixiao".to_string(), SheetVisible::Hidden),
        ]
    );

    let range = wb.worksheet_range("绩效目标表").unwrap();
    let at = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(at(0, 0), Data::String("项目支出绩效目标表".into()));
    assert_eq!(at(3, 2), Data::String("住房公积金管理业务费用".into()));
    assert_eq!(at(4, 2), Data::Float(231.09));
    assert_eq!(at(4, 6), Data::Float(0.0));
    assert_eq!(at(5, 2), Data::String(LONG_GOAL.into()));
    assert_eq!(at(7, 0), Data::String("产出指标".into()));
    assert_eq!(at(8, 0), Data::Empty);
    assert_eq!(at(8, 5), Data::String("=100%".into()));
    assert_eq!(at(7, 6), Data::Float(0.5));
    assert_eq!(at(8, 6), Data::Float(1.0));
    assert_eq!(at(9, 6), Data::String("abc".into()));
    assert_eq!(at(9, 7), Data::Empty);

    let Sheets::Xlsx(x) = &mut wb else {
        panic!("not read as xlsx")
    };
    let mut merges: Vec<_> = x
        .merge_cells_by_sheet_name("绩效目标表")
        .unwrap()
        .into_iter()
        .map(|d| (d.start, d.end))
        .collect();
    merges.sort();
    for expected in [
        ((0, 0), (0, 7)),
        ((3, 2), (3, 7)),
        ((4, 2), (4, 3)),
        ((5, 2), (5, 7)),
        ((7, 0), (9, 0)),
        ((8, 2), (8, 4)),
    ] {
        assert!(merges.contains(&expected), "{expected:?} in {merges:?}");
    }
    assert_eq!(merges.len(), 17, "{merges:?}");

    // Fonts, borders and number formats.
    let styles = x.worksheet_style("绩效目标表").unwrap();
    let font = |r, c| styles.get((r, c)).and_then(|s| s.font.clone()).unwrap();
    assert_eq!(font(0, 0).name.as_deref(), Some("宋体"));
    assert_eq!(font(0, 0).size, Some(16.0));
    assert_eq!(font(0, 0).weight, FontWeight::Bold);
    assert_eq!(font(6, 0).weight, FontWeight::Bold);
    assert_eq!(font(7, 1).name.as_deref(), Some("宋体"));
    assert_eq!(font(7, 1).weight, FontWeight::Normal);
    let thin = |r, c| {
        styles
            .get((r, c))
            .and_then(|s| s.borders.clone())
            .is_some_and(|b| b.top.style == BorderStyle::Thin && b.right.style == BorderStyle::Thin)
    };
    assert!(!thin(0, 0), "title unbordered");
    assert!(thin(3, 0) && thin(3, 7), "merged value bordered to its end");
    assert!(thin(9, 0), "merged label bordered at its bottom");
    assert!(thin(9, 7), "empty cells bordered");
    let num = |r, c| {
        styles
            .get((r, c))
            .and_then(|s| s.number_format.clone())
            .map(|n| n.format_code)
    };
    assert_eq!(num(4, 2).as_deref(), Some("#,##0.00"));
    assert_eq!(num(7, 6).as_deref(), Some("0%"));

    // The embedded document.
    let embed = wb.worksheet_range("_jixiao").unwrap();
    assert_eq!(
        embed.get_value((0, 0)),
        Some(&Data::String(
            "jixiao/1 embedded canonical document; do not edit".into()
        ))
    );
    let mut chunks = Vec::new();
    let mut r = 1;
    while let Some(Data::String(s)) = embed.get_value((r, 0)) {
        assert!(s.chars().count() <= 30_000);
        chunks.push(s.clone());
        r += 1;
    }
    assert_eq!(chunks.len(), 3);
    assert_eq!(chunks.concat(), sample_json());
}

#[test]
fn write_xlsx_empty_cells_and_bad_input() {
    // Overlapping merges from a buggy template are an error, not a panic.
    let mut bad = sample_sheet();
    bad.cells.push(cell(0, 3, 2, 1, text("x"), Style::Value));
    let err = xlsx_bytes(&RenderedWorkbook {
        sheets: vec![bad],
        embedded_json: None,
    })
    .unwrap_err();
    assert!(matches!(err, jixiao::Error::Write { .. }), "{err}");
    assert!(err.to_string().contains("overlap"), "{err}");
}

/// A small sheet covering padding, merges, quoting, money scale, percent and formula
/// protection.
fn tiny_sheet() -> RenderedSheet {
    RenderedSheet {
        name: "t".into(),
        columns: 5,
        cells: vec![
            cell(0, 0, 1, 5, text("项目支出绩效目标表"), Style::Title),
            cell(1, 0, 1, 2, text("项目名称"), Style::Label),
            cell(1, 2, 1, 3, text("公积金, 管理"), Style::Value),
            cell(2, 0, 2, 1, text("产出指标"), Style::Label),
            cell(2, 1, 1, 1, money("231.09"), Style::Money),
            cell(2, 2, 1, 1, money("0.00"), Style::Money),
            cell(2, 3, 1, 1, Content::Percent("50".into()), Style::Percent),
            cell(2, 4, 1, 1, text("=100%"), Style::Value),
            cell(3, 1, 1, 1, text("说明\n第二行"), Style::Text),
            cell(3, 2, 1, 1, text("他说\"好\""), Style::Text),
            cell(3, 3, 1, 1, text("-5.00"), Style::Value),
            cell(3, 4, 1, 1, Content::Empty, Style::Value),
        ],
        ..Default::default()
    }
}

const TINY_CSV: &str = "项目支出绩效目标表,,,,\r\n\
    项目名称,,\"公积金, 管理\",,\r\n\
    产出指标,231.09,0.00,50%,=\"=100%\"\r\n\
    ,\"说明\n第二行\",\"他说\"\"好\"\"\",-5.00,\r\n";

#[test]
fn write_csv_exact_bytes() {
    let bytes = csv_bytes(&tiny_sheet(), CsvEncoding::Utf8Bom).unwrap();
    let mut expected = b"\xEF\xBB\xBF".to_vec();
    expected.extend_from_slice(TINY_CSV.as_bytes());
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(&expected)
    );
    assert_eq!(bytes, expected);
}

#[test]
fn write_csv_gbk_decodes_to_the_same_text() {
    let bytes = csv_bytes(&tiny_sheet(), CsvEncoding::Gbk).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(std::str::from_utf8(&bytes).is_err(), "not UTF-8");
    let (text, _, had_errors) = encoding_rs::GB18030.decode(&bytes);
    assert!(!had_errors);
    assert_eq!(text, TINY_CSV);
    // GBK proper (what Chinese Excel writes) reads it the same way.
    let (gbk, _, had_errors) = encoding_rs::GBK.decode(&bytes);
    assert!(!had_errors);
    assert_eq!(gbk, TINY_CSV);
}

#[test]
fn write_csv_reads_back_with_the_csv_crate() {
    let bytes = csv_bytes(&tiny_sheet(), CsvEncoding::Utf8Bom).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[..]);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.len() == 5));
    assert_eq!(rows[1][2], "公积金, 管理");
    assert_eq!(rows[2][4], "=\"=100%\"");
    assert_eq!(rows[3][1], "说明\n第二行");
    assert_eq!(rows[3][2], "他说\"好\"");
}

#[test]
fn write_atomically_leaves_no_temp_file() {
    let dir = std::env::temp_dir().join(format!("jixiao-write-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("目标表.xlsx");
    let bytes = xlsx_bytes(&sample_book()).unwrap();
    write_atomically(&target, &bytes).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    write_atomically(&target, b"replaced").unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"replaced");

    // A target in a directory that does not exist: an error naming it, and nothing left.
    let missing = dir.join("no-such-dir").join("out.csv");
    let err = write_atomically(&missing, b"x").unwrap_err();
    assert!(err.to_string().contains("no-such-dir"), "{err}");

    let names = file_names(&dir);
    assert_eq!(names, vec!["目标表.xlsx".to_string()]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Several files are written all or none: when the seventh cannot be written, the six
/// before it are not renamed into place (an old target keeps its content) and no
/// temporary file is left behind.
#[test]
fn write_all_atomically_changes_nothing_when_one_file_fails() {
    let dir = scratch("write-all-or-none");
    std::fs::write(dir.join("out0.csv"), b"old").unwrap();
    let mut paths: Vec<PathBuf> = (0..10).map(|i| dir.join(format!("out{i}.csv"))).collect();
    paths[6] = dir.join("no-such-dir").join("out6.csv");
    let files: Vec<(&Path, &[u8])> = paths.iter().map(|p| (p.as_path(), &b"new"[..])).collect();
    let err = write_all_atomically(&files).unwrap_err();
    assert!(err.to_string().contains("no-such-dir"), "{err}");
    let names = file_names(&dir);
    assert_eq!(names, vec!["out0.csv".to_string()]);
    assert_eq!(std::fs::read(dir.join("out0.csv")).unwrap(), b"old");

    // Without the bad one, all ten are written (their syncs shared among threads).
    paths[6] = dir.join("out6.csv");
    let files: Vec<(&Path, &[u8])> = paths.iter().map(|p| (p.as_path(), &b"new"[..])).collect();
    write_all_atomically(&files).unwrap();
    for p in &paths {
        assert_eq!(std::fs::read(p).unwrap(), b"new", "{}", p.display());
    }
    assert_eq!(file_names(&dir).len(), 10);
}

/// Per-project sheets of one name (yancheng names every sheet 项目预算绩效目标表) give one
/// CSV file each, "(2)", "(3)" … as Excel names the sheets, and all read back together.
/// Before, every project's file overwrote the one before it: 19 projects, two files.
#[test]
fn csv_files_of_same_named_sheets_do_not_overwrite_each_other() {
    let dir = scratch("csv-same-names");
    let out = dir.join("ts.csv");
    let o = jixiao(&[
        "convert",
        fixture("tangshan_2025.xlsx").to_str().unwrap(),
        "--to",
        "yancheng",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut files = file_names(&dir);
    files.retain(|f| f.ends_with(".csv"));
    // One file per project: the first is the named file, the rest follow by sheet.
    assert_eq!(files.len(), 19, "{files:?}");
    assert!(files.contains(&"ts__项目预算绩效目标表(18).csv".to_string()));
    let paths: Vec<std::path::PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let back = jixiao::convert::load_many(&paths, &Default::default())
        .unwrap()
        .document;
    assert_eq!(back.projects.len(), 19);
}
