//! A value spread over 指标性质 | 指标值 | 度量单位 columns and an extra 分值 column
//! (`value.op`, `value.number`, `value.unit`, `extras`), in a user template
//! (tests/fixtures/templates/national_split.toml: the luan grid, both sides split).

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jixiao::Document;
use jixiao::grid::{Cell, Sheet};
use jixiao::loss::prepare;
use jixiao::model::Indicator;
use jixiao::template::Template;

fn split_template() -> PathBuf {
    fixture("templates/national_split.toml")
}

/// Converts a file to the split form, without the embedded copy.
fn write_split(source: &Path, out: &Path) {
    let o = jixiao(&[
        "convert",
        source.to_str().unwrap(),
        "--to",
        split_template().to_str().unwrap(),
        "--no-embed",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// What the split form holds of an indicator: name, classes, both periods' values.
fn shown(ind: &Indicator) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        &ind.level1,
        &ind.level2,
        &ind.name,
        &ind.values.mid_term,
        &ind.values.annual,
    )
}

fn assert_same_indicators(got: &Document, expected: &Document) {
    assert_eq!(got.projects.len(), expected.projects.len());
    for (g, e) in got.projects.iter().zip(&expected.projects) {
        assert_eq!(g.indicators.len(), e.indicators.len(), "{}", e.name);
        for (gi, ei) in g.indicators.iter().zip(&e.indicators) {
            assert_eq!(shown(gi), shown(ei), "{}", e.name);
        }
    }
}

/// The 分值 column's index and the header row of each indicator table on a sheet.
fn score_column(sheet: &Sheet) -> Vec<(usize, usize)> {
    sheet
        .rows
        .iter()
        .enumerate()
        .filter_map(|(r, row)| {
            row.iter()
                .position(|c| c.display() == "分值")
                .map(|c| (r, c))
        })
        .collect()
}

#[test]
fn luan_written_split_reads_back_the_same_indicators() {
    let dir = scratch("split-luan");
    let out = dir.join("split.xlsx");
    write_split(&fixture("luan_2023.xlsx"), &out);
    let luan = load(&fixture("luan_2023.xlsx"));
    let back = load_with(&out, &split_template());
    assert_same_indicators(&back, &luan);
    let first = &back.projects[0].indicators[0];
    assert_eq!(first.values.mid_term.as_ref().unwrap().text, "≥6次");
    assert!(first.extras.is_empty(), "luan has no 分值");

    // The cells as the budget system prints them.
    let book = jixiao::read::read_path(&out).unwrap();
    let sheet = &book.sheets[0];
    let (header, _) = score_column(sheet)[0];
    let row: Vec<String> = (0..13)
        .map(|c| sheet.value(header + 1, c).display())
        .collect();
    assert_eq!(&row[3..7], ["举办服务礼仪、业务培训等次数", "≥", "6", "次"]);
    let labels: Vec<String> = (4..7).map(|c| sheet.value(header, c).display()).collect();
    assert_eq!(labels, ["指标性质", "指标值", "度量单位"]);
}

#[test]
fn a_hand_built_split_workbook_reads_values_and_scores() {
    let dir = scratch("split-hand");
    // The split form with a 分值 cell on every indicator row ("0", replaced below).
    let mut doc = load(&fixture("luan_2023.xlsx"));
    for ind in doc.projects.iter_mut().flat_map(|p| &mut p.indicators) {
        ind.extras.insert("分值".into(), "0".into());
    }
    let json = dir.join("doc.json");
    std::fs::write(&json, jixiao::convert::to_json(&doc)).unwrap();
    let written = dir.join("split.xlsx");
    write_split(&json, &written);
    // The same form as a clerk fills it: numbers and 分值 (10) as numeric cells, and
    // the = op full width.
    let built = copy_xlsx(
        &written,
        &dir.join("built.xlsx"),
        |_| Vec::new(),
        &[],
        |sheet: &Sheet, r, c, cell: &Cell| {
            let Some(&(header, score)) = score_column(sheet).iter().find(|(h, _)| *h < r) else {
                return cell.clone();
            };
            let has_name = !sheet.value(r, 3).display().is_empty();
            let text = cell.display();
            if c == score && r > header && has_name {
                return Cell::Number {
                    value: 10.0,
                    decimals: None,
                    percent: false,
                };
            }
            if r > header
                && (c == 5 || c == 10)
                && let Ok(n) = text.parse::<f64>()
            {
                return Cell::Number {
                    value: n,
                    decimals: None,
                    percent: false,
                };
            }
            if r > header && (c == 4 || c == 9) && text == "=" {
                return Cell::Text("＝".into());
            }
            cell.clone()
        },
    );
    let luan = load(&fixture("luan_2023.xlsx"));
    let back = load_with(&built, &split_template());
    assert_same_indicators(&back, &luan);
    for project in &back.projects {
        for ind in &project.indicators {
            assert_eq!(
                ind.extras.get("分值").map(String::as_str),
                Some("10"),
                "{}",
                ind.name
            );
            assert_eq!(ind.extras.len(), 1);
        }
    }
}

#[test]
fn what_the_split_form_carries_is_what_reading_it_gives() {
    let dir = scratch("split-carried");
    let mut doc = load(&fixture("luan_2023.xlsx"));
    // A 分值 the form has a column for, and a 备注 it has none for.
    let ind = &mut doc.projects[0].indicators[0];
    ind.extras.insert("分值".into(), "10".into());
    ind.extras.insert("备注".into(), "按季度统计".into());
    doc.projects[1].indicators[2]
        .extras
        .insert("分值".into(), "5".into());
    let json = dir.join("doc.json");
    std::fs::write(&json, jixiao::convert::to_json(&doc)).unwrap();
    let out = dir.join("split.xlsx");
    write_split(&json, &out);

    let template = Template::from_file(&split_template()).unwrap();
    let (_, carried, report) = prepare(&doc, &template);
    let dropped: Vec<(&str, &str)> = report
        .dropped
        .iter()
        .filter(|d| d.field.starts_with("extras."))
        .map(|d| (d.field.as_str(), d.value.as_str()))
        .collect();
    assert_eq!(dropped, [("extras.备注", "按季度统计")]);

    let back = load_with(&out, &split_template());
    let mut expected = without_source(&carried);
    let mut got = without_source(&back);
    expected.title = None;
    got.title = None;
    assert_same(&got, &expected, "split form read back");
    let scores: Vec<&str> = got
        .projects
        .iter()
        .flat_map(|p| &p.indicators)
        .filter_map(|i| i.extras.get("分值").map(String::as_str))
        .collect();
    assert_eq!(scores, ["10", "5"]);
}

#[test]
fn the_luan_fixture_through_the_split_form_is_what_the_report_carried() {
    let dir = scratch("split-luan-carried");
    let out = dir.join("split.xlsx");
    write_split(&fixture("luan_2023.xlsx"), &out);
    let template = Template::from_file(&split_template()).unwrap();
    let (_, carried, _) = prepare(&load(&fixture("luan_2023.xlsx")), &template);
    let mut expected = without_source(&carried);
    let mut got = without_source(&load_with(&out, &split_template()));
    expected.title = None;
    got.title = None;
    assert_same(&got, &expected, "luan through the split form");
}

#[test]
fn the_vocabulary_lists_the_split_and_extra_columns() {
    let o = jixiao(&["layouts", "--vocabulary"]);
    assert!(o.status.success());
    let table = String::from_utf8_lossy(&o.stdout);
    for name in ["value.op", "value.number", "value.unit", "extras"] {
        assert!(
            table.contains(&format!("| `{name}` | text | indicators |")),
            "{name}"
        );
    }
    let o = jixiao(&["schema"]);
    let schema = String::from_utf8_lossy(&o.stdout);
    assert!(schema.contains("Columns of the indicator table that have no slot"));
}
