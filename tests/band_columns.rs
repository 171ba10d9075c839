//! An indicator column whose label is printed in a band row above the header (鄂州:
//! row 11 "绩效指标 (A:D) | 保障绩效目标实现措施 (E)", row 12 the header of A:D only, E12:E18
//! one merged area). On tests/fixtures/templates/band_extras.toml: the reader finds the
//! column in the row above the header and gives each indicator the text of its (merged)
//! cell; the writer prints a measure once per run of equal texts, merged, and merges the
//! form's label down over the header row instead of printing it twice.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jixiao::Document;
use jixiao::grid::Sheet;
use rust_xlsxwriter::{Format, Workbook};

const MEASURE: &str = "按月巡检，季度通报";

fn template() -> PathBuf {
    fixture("templates/band_extras.toml")
}

/// A workbook as ezhou prints it: the band row, the header row without the fifth
/// label, and the fifth column one merged area from the header row down, holding
/// `measure` (or blank).
fn published(dir: &Path, measure: &str) -> PathBuf {
    let out = dir.join(format!("published-{}.xlsx", measure.chars().count()));
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("绩效目标").unwrap();
    let plain = Format::new();
    ws.merge_range(0, 0, 0, 4, "2024年某市项目支出绩效目标表", &plain)
        .unwrap();
    ws.write_string(1, 0, "项目名称").unwrap();
    ws.merge_range(1, 1, 1, 4, "信息化运维项目", &plain)
        .unwrap();
    ws.write_string(2, 0, "年度目标").unwrap();
    ws.merge_range(2, 1, 2, 4, "保障系统全年稳定运行", &plain)
        .unwrap();
    ws.merge_range(3, 0, 3, 3, "绩效指标", &plain).unwrap();
    ws.write_string(3, 4, "保障措施").unwrap();
    for (c, label) in ["一级指标", "二级指标", "三级指标", "指标值"]
        .iter()
        .enumerate()
    {
        ws.write_string(4, c as u16, *label).unwrap();
    }
    ws.merge_range(4, 4, 7, 4, measure, &plain).unwrap();
    let rows = [
        ["产出指标", "数量指标", "运维系统数", "≥10个"],
        ["", "质量指标", "系统可用率", "≥99%"],
        ["效益指标", "社会效益指标", "服务对象满意度", "≥90%"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
            ws.write_string(5 + r as u32, c as u16, *text).unwrap();
        }
    }
    book.save(&out).unwrap();
    out
}

fn measures(doc: &Document) -> Vec<Option<&str>> {
    doc.projects[0]
        .indicators
        .iter()
        .map(|i| i.extras.get("保障措施").map(String::as_str))
        .collect()
}

/// The merged areas of a written sheet in the fifth column, as (first row, last row).
fn merges_in_e(sheet: &Sheet) -> Vec<(u32, u32)> {
    let mut merges: Vec<(u32, u32)> = sheet
        .merges()
        .iter()
        .filter(|m| m.first_col == 4 && m.last_col == 4)
        .map(|m| (m.first_row, m.last_row))
        .collect();
    merges.sort();
    merges
}

#[test]
fn a_column_labelled_in_the_band_row_is_read() {
    let dir = scratch("band-read");
    let doc = load_with(&published(&dir, MEASURE), &template());
    let p = &doc.projects[0];
    let names: Vec<&str> = p.indicators.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["运维系统数", "系统可用率", "服务对象满意度"]);
    // The merged area starts on the header row; each indicator row reads its text.
    assert_eq!(measures(&doc), [Some(MEASURE); 3]);
    assert_eq!(p.indicators[1].level1.as_deref(), Some("产出指标"));

    // A blank area: no measure, and the table reads as before.
    let doc = load_with(&published(&dir, ""), &template());
    assert_eq!(measures(&doc), [None; 3]);
    assert_eq!(doc.projects[0].indicators.len(), 3);
}

#[test]
fn a_measure_is_written_once_beside_its_indicators_and_read_back() {
    let dir = scratch("band-write");
    let doc = load_with(&published(&dir, MEASURE), &template());
    let out = dir.join("back.xlsx");
    write_with(&doc, &template(), &out);
    let book = jixiao::read::read_path(&out).unwrap();
    let sheet = &book.sheets[0];
    // Row 4 (index 3) is the band: 保障措施 is merged down over the header row, which
    // prints its own four labels and no fifth.
    assert_eq!(sheet.raw(3, 4).display(), "保障措施");
    assert_eq!(sheet.raw(4, 3).display(), "指标值");
    assert!(sheet.raw(4, 4).is_empty());
    // One measure for the three indicators: one merged cell.
    assert_eq!(merges_in_e(sheet), [(3, 4), (5, 7)]);
    assert_eq!(sheet.raw(5, 4).display(), MEASURE);

    let back = load_with(&out, &template());
    assert_same(&comparable(&back), &comparable(&doc), "read back");
    let t = jixiao::Template::from_file(&template()).unwrap();
    let (_, carried, report) = jixiao::loss::prepare(&doc, &t);
    assert!(report.dropped.is_empty(), "{:?}", report.dropped);
    assert_same(
        &comparable(&back),
        &comparable(&carried),
        "read back = carried",
    );
}

#[test]
fn runs_of_equal_measures_merge_and_differing_ones_do_not() {
    let dir = scratch("band-runs");
    let mut doc = load_with(&published(&dir, MEASURE), &template());
    let last = doc.projects[0].indicators.last_mut().unwrap();
    last.extras
        .insert("保障措施".into(), "开展满意度调查".into());
    let out = dir.join("runs.xlsx");
    write_with(&doc, &template(), &out);
    let book = jixiao::read::read_path(&out).unwrap();
    // Two indicators share the first measure (one merged cell); the third has its own.
    assert_eq!(merges_in_e(&book.sheets[0]), [(3, 4), (5, 6)]);
    let back = load_with(&out, &template());
    assert_eq!(
        measures(&back),
        [Some(MEASURE), Some(MEASURE), Some("开展满意度调查")]
    );
    assert_same(&comparable(&back), &comparable(&doc), "read back");

    // A blank between two measures is its own run: it reads back blank.
    let mut doc = doc.clone();
    doc.projects[0].indicators[1].extras.clear();
    let out = dir.join("gap.xlsx");
    write_with(&doc, &template(), &out);
    let back = load_with(&out, &template());
    assert_eq!(
        measures(&back),
        [Some(MEASURE), None, Some("开展满意度调查")]
    );
    assert_same(
        &comparable(&back),
        &comparable(&doc),
        "read back with a gap",
    );
}

#[test]
fn a_class_column_without_a_first_level_merges_its_runs() {
    // A form whose first class column holds the 二级 class and prints no 一级 (鄂州):
    // equal 二级 classes on consecutive rows print as one merged cell, as for 一级.
    let dir = scratch("band-level2-only");
    let toml = std::fs::read_to_string(template())
        .unwrap()
        .replace("{ label = \"一级指标\", field = \"level1\" },\n", "")
        .replace(
            "{ label = \"二级指标\", field = \"level2\" }",
            "{ label = \"一级指标\", field = \"level2\" }",
        )
        .replace(
            "{ label = \"三级指标\", field = \"name\" }",
            "{ label = \"二级指标\", field = \"name\", cols = 2 }",
        );
    let path = dir.join("level2_only.toml");
    std::fs::write(&path, toml).unwrap();
    let mut doc = load(&fixture("luan_2023.xlsx"));
    doc.projects.truncate(1);
    for ind in &mut doc.projects[0].indicators {
        ind.level1 = None;
    }
    let out = dir.join("level2_only.xlsx");
    write_with(&doc, &path, &out);
    let book = jixiao::read::read_path(&out).unwrap();
    let sheet = &book.sheets[0];
    let runs: Vec<(u32, u32)> = sheet
        .merges()
        .iter()
        .filter(|m| m.first_col == 0 && m.last_col == 0 && m.last_row > m.first_row)
        .map(|m| (m.first_row, m.last_row))
        .collect();
    let classes = doc.projects[0]
        .indicators
        .windows(2)
        .filter(|w| w[0].level2 == w[1].level2)
        .count();
    assert!(
        classes > 0,
        "the fixture has classes with several indicators"
    );
    assert!(!runs.is_empty(), "二级 runs merged in column A: {runs:?}");
    let back = load_with(&out, &path);
    let names = |d: &Document| -> Vec<(Option<String>, String)> {
        d.projects[0]
            .indicators
            .iter()
            .map(|i| (i.level2.clone(), i.name.clone()))
            .collect()
    };
    let (_, carried, _) = jixiao::loss::prepare(&doc, &jixiao::Template::from_file(&path).unwrap());
    assert_eq!(names(&back), names(&carried));
}
