//! Issue 14, two general capabilities, each on a synthetic user template and a
//! hand-built workbook:
//! - amounts by nature of spending (基本支出 / 项目支出: `funding.<period>.basic` and
//!   `.project`), never added into the fund sources (J101), checked against the total
//!   (J109);
//! - 支出 lines with a 测算依据 and earlier years' actuals (`expenses.basis`,
//!   `expenses.actuals.<year>`), and the list's 合计 line read as its stated total
//!   (`funding.expenses_total`), checked against the lines (J110), written back and
//!   reported as dropped where a target has no column for it.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jixiao::check::{Finding, check};
use rust_xlsxwriter::{Format, Workbook};

/// A cell of a hand-built sheet.
enum V {
    T(&'static str),
    N(f64),
}

/// Writes one sheet named 绩效目标: `rows` from A1, each `(cells, merge to column)`
/// where the last cell of a row is merged to `merge` columns when given.
fn workbook(out: &Path, rows: &[(Vec<V>, Option<u16>)], merges: &[(u32, u16, u32, u16)]) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("绩效目标").unwrap();
    let money = Format::new().set_num_format("#,##0.00");
    for &(r0, c0, r1, c1) in merges {
        ws.merge_range(r0, c0, r1, c1, "", &Format::new()).unwrap();
    }
    for (r, (cells, merge)) in rows.iter().enumerate() {
        let r = r as u32;
        for (c, v) in cells.iter().enumerate() {
            let c = c as u16;
            let last = c as usize == cells.len() - 1;
            match (v, merge) {
                (V::T(t), Some(to)) if last && *to > c => {
                    ws.merge_range(r, c, r, *to, t, &Format::new()).unwrap();
                }
                (V::T(""), _) => {}
                (V::T(t), _) => {
                    ws.write_string(r, c, *t).unwrap();
                }
                (V::N(n), Some(to)) if last && *to > c => {
                    ws.merge_range(r, c, r, *to, "", &Format::new()).unwrap();
                    ws.write_number_with_format(r, c, *n, &money).unwrap();
                }
                (V::N(n), _) => {
                    ws.write_number_with_format(r, c, *n, &money).unwrap();
                }
            }
        }
    }
    book.save(out).unwrap();
}

/// (code, cell) of the money findings (J1xx): the forms are minimal, so the indicator
/// rules have their say too, which is not what these tests are about.
fn codes(findings: &[Finding]) -> Vec<(&'static str, String)> {
    findings
        .iter()
        .filter(|f| f.code.starts_with("J1"))
        .map(|f| (f.code, f.cell.clone().unwrap_or_default()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// A. Amounts by nature of spending.

fn nature_template() -> PathBuf {
    fixture("templates/nature_amounts.toml")
}

/// A one-project form: 资金总额 100 = 财政拨款 100, split into 项目支出 `project` and
/// 基本支出 `basic`.
fn nature_workbook(dir: &Path, project: f64, basic: f64) -> PathBuf {
    use V::*;
    let out = dir.join(format!("nature-{project}-{basic}.xlsx"));
    workbook(
        &out,
        &[
            (vec![T("2024年某市项目支出绩效目标表")], Some(3)),
            (vec![T("项目名称"), T("信息化运维项目")], Some(3)),
            (vec![T("资金总额"), N(100.0), T("财政拨款"), N(100.0)], None),
            (vec![T("项目支出"), N(project)], Some(3)),
            (vec![T("基本支出"), N(basic)], Some(3)),
            (vec![T("年度目标"), T("保障系统全年稳定运行")], Some(3)),
            (
                vec![T("一级指标"), T("二级指标"), T("三级指标"), T("指标值")],
                None,
            ),
            (
                vec![T("产出指标"), T("数量指标"), T("运维系统数"), T("≥10个")],
                None,
            ),
        ],
        &[],
    );
    out
}

#[test]
fn basic_and_project_amounts_are_read_written_and_read_back() {
    let dir = scratch("nature-read");
    let input = nature_workbook(&dir, 70.0, 30.0);
    let doc = load_with(&input, &nature_template());
    assert_eq!(doc.projects.len(), 1);
    let a = doc.projects[0].funding.annual.as_ref().unwrap();
    assert_eq!(a.total.unwrap().to_string(), "100.00");
    assert_eq!(a.fiscal.unwrap().to_string(), "100.00");
    assert_eq!(a.project.unwrap().to_string(), "70.00");
    assert_eq!(a.basic.unwrap().to_string(), "30.00");
    assert_eq!(
        doc.source.cells["projects[0].funding.annual.basic"],
        "绩效目标!B5"
    );
    // JSON names `basic` and `project`; absent ones are omitted.
    let json = jixiao::convert::to_json(&doc);
    assert!(json.contains("\"basic\": \"30.00\""), "{json}");
    assert!(json.contains("\"project\": \"70.00\""), "{json}");
    assert!(!json.contains("\"other\""));

    // Written in the same template and read back: the same document.
    let out = dir.join("back.xlsx");
    let o = jixiao(&[
        "convert",
        input.to_str().unwrap(),
        "--from",
        nature_template().to_str().unwrap(),
        "--to",
        nature_template().to_str().unwrap(),
        "--no-embed",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let back = load_with(&out, &nature_template());
    assert_same(
        &without_source(&back),
        &without_source(&doc),
        "nature amounts written and read back",
    );

    // A layout without the columns reports them dropped.
    let report = dir.join("report.json");
    let o = jixiao(&[
        "convert",
        input.to_str().unwrap(),
        "--from",
        nature_template().to_str().unwrap(),
        "--to",
        "yancheng",
        "--report",
        report.to_str().unwrap(),
        "-o",
        dir.join("yancheng.xlsx").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dropped = dropped_fields(&report);
    assert!(
        dropped.contains(&"funding.annual.basic".to_string()),
        "{dropped:?}"
    );
    assert!(
        dropped.contains(&"funding.annual.project".to_string()),
        "{dropped:?}"
    );
}

#[test]
fn basic_plus_project_must_equal_the_total() {
    let dir = scratch("nature-check");
    // Right: 70 + 30 = 100, and 财政拨款 100 = 资金总额 (basic and project are no
    // sources: J101 does not add them in).
    let doc = load_with(&nature_workbook(&dir, 70.0, 30.0), &nature_template());
    assert_eq!(codes(&check(&doc)), vec![], "{:?}", check(&doc));

    // Wrong: 70 + 40 ≠ 100, at the total's cell.
    let doc = load_with(&nature_workbook(&dir, 70.0, 40.0), &nature_template());
    let found = check(&doc);
    assert_eq!(codes(&found), vec![("J109", "绩效目标!B3".to_string())]);
    let found: Vec<&Finding> = found.iter().filter(|f| f.code == "J109").collect();
    assert_eq!(
        found[0].message,
        "年度资金总额 100.00 ≠ 基本支出 40.00 + 项目支出 70.00（差 -10.00）"
    );

    // Only where all three are stated.
    let mut partial = doc.clone();
    partial.projects[0].funding.annual.as_mut().unwrap().basic = None;
    assert_eq!(codes(&check(&partial)), vec![]);

    // The CLI names the code and the cell.
    let o = jixiao(&[
        "check",
        dir.join("nature-70-40.xlsx").to_str().unwrap(),
        "--from",
        nature_template().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("J109"), "{out}");
}

// ---------------------------------------------------------------------------------------
// B. Expense lines with a 测算依据, earlier years' actuals and a 合计 line.

fn expense_template() -> PathBuf {
    fixture("templates/expense_lines.toml")
}

/// Two 支出 lines and their 合计, whose 2020 actuals are `total_2020` (the lines add up
/// to 662.88; ezhou prints 662.98).
fn expense_workbook(dir: &Path, total_2020: f64) -> PathBuf {
    use V::*;
    let out = dir.join(format!("expenses-{total_2020}.xlsx"));
    workbook(
        &out,
        &[
            (vec![T("2024年某市项目支出绩效目标表")], Some(5)),
            (vec![T("项目名称"), T("干部培训项目")], Some(5)),
            (vec![T("资金总额"), N(300.0)], Some(5)),
            (
                vec![
                    T("支出明细"),
                    T("支出项目"),
                    T("金额"),
                    T("测算依据"),
                    T("2020年实际执行数"),
                    T("2021年实际执行数"),
                ],
                None,
            ),
            (
                vec![
                    T(""),
                    T("培训费"),
                    N(100.0),
                    T("50人×2万元/人"),
                    N(331.49),
                    N(120.0),
                ],
                None,
            ),
            (
                vec![
                    T(""),
                    T("差旅费"),
                    N(200.0),
                    T("40次×5万元/次"),
                    N(331.39),
                    N(180.0),
                ],
                None,
            ),
            (
                vec![T(""), T("合计"), N(300.0), T(""), N(total_2020), N(300.0)],
                None,
            ),
            (vec![T("年度目标"), T("完成年度培训任务")], Some(5)),
            (
                vec![
                    T("一级指标"),
                    T("二级指标"),
                    T("三级指标"),
                    T(""),
                    T("指标值"),
                ],
                None,
            ),
            (
                vec![
                    T("产出指标"),
                    T("数量指标"),
                    T("培训人数"),
                    T(""),
                    T("≥50人"),
                ],
                None,
            ),
        ],
        &[
            (3, 0, 6, 0),
            (8, 2, 8, 3),
            (8, 4, 8, 5),
            (9, 2, 9, 3),
            (9, 4, 9, 5),
        ],
    );
    out
}

fn dropped_fields(report: &Path) -> Vec<String> {
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    report["dropped"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["field"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn expense_basis_actuals_and_total_line_are_read() {
    let dir = scratch("expenses-read");
    let doc = load_with(&expense_workbook(&dir, 662.98), &expense_template());
    assert_eq!(doc.projects.len(), 1);
    let f = &doc.projects[0].funding;
    let names: Vec<&str> = f.expenses.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["培训费", "差旅费"], "合计 is no expense");
    assert_eq!(f.expenses[0].basis.as_deref(), Some("50人×2万元/人"));
    let actuals: Vec<(String, String)> = f.expenses[1]
        .actuals
        .iter()
        .map(|(y, m)| (y.clone(), m.to_string()))
        .collect();
    assert_eq!(
        actuals,
        [
            ("2020".to_string(), "331.39".to_string()),
            ("2021".to_string(), "180.00".to_string())
        ]
    );
    let total = f.expenses_total.as_ref().expect("the 合计 line is kept");
    assert_eq!(total.name, "合计");
    assert_eq!(total.annual.unwrap().to_string(), "300.00");
    assert_eq!(total.basis, None);
    assert_eq!(total.actuals["2020"].to_string(), "662.98");
    assert_eq!(
        doc.source.cells["projects[0].funding.expenses_total.actuals.2020"],
        "绩效目标!E7"
    );
    assert_eq!(
        doc.source.cells["projects[0].funding.expenses[0].actuals.2021"],
        "绩效目标!F5"
    );
    // JSON as in SPEC §3: `basis`, `actuals` by year as exact money strings.
    let json = jixiao::convert::to_json(&doc);
    assert!(json.contains("\"basis\": \"50人×2万元/人\""), "{json}");
    assert!(json.contains("\"2020\": \"331.49\""), "{json}");
    assert!(json.contains("\"expenses_total\""), "{json}");
}

#[test]
fn expense_lines_write_and_read_back_identical() {
    let dir = scratch("expenses-back");
    let input = expense_workbook(&dir, 662.98);
    let doc = load_with(&input, &expense_template());
    let out = dir.join("back.xlsx");
    let o = jixiao(&[
        "convert",
        input.to_str().unwrap(),
        "--from",
        expense_template().to_str().unwrap(),
        "--to",
        expense_template().to_str().unwrap(),
        "--no-embed",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let back = load_with(&out, &expense_template());
    assert_same(
        &without_source(&back),
        &without_source(&doc),
        "expense lines written and read back",
    );
    // The 合计 line is printed last, where it was.
    assert_eq!(
        back.source.cells["projects[0].funding.expenses_total.actuals.2020"],
        "绩效目标!E7"
    );
}

#[test]
fn a_wrong_total_line_is_found_at_its_cell() {
    let dir = scratch("expenses-check");
    // The lines' 2020 actuals add up to 662.88; the 合计 prints 662.98 (ezhou).
    let doc = load_with(&expense_workbook(&dir, 662.98), &expense_template());
    let found = check(&doc);
    assert_eq!(codes(&found), vec![("J110", "绩效目标!E7".to_string())]);
    let found: Vec<&Finding> = found.iter().filter(|f| f.code == "J110").collect();
    assert_eq!(
        found[0].message,
        "支出合计2020年实际执行数 662.98 ≠ 2 项支出之和 662.88（差 0.10）"
    );
    // A right 合计: nothing (annual 300 = 100 + 200 = 资金总额, 2021 300 = 120 + 180).
    let doc = load_with(&expense_workbook(&dir, 662.88), &expense_template());
    assert_eq!(codes(&check(&doc)), vec![]);
}

#[test]
fn expense_columns_without_a_place_are_reported_dropped() {
    let dir = scratch("expenses-loss");
    let input = expense_workbook(&dir, 662.98);
    let convert_to = |target: &str| {
        let report = dir.join(format!("{target}.json"));
        let o = jixiao(&[
            "convert",
            input.to_str().unwrap(),
            "--from",
            expense_template().to_str().unwrap(),
            "--to",
            target,
            "--report",
            report.to_str().unwrap(),
            "-o",
            dir.join(format!("{target}.xlsx")).to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        dropped_fields(&report)
    };
    // yancheng prints 支出 lines with their name and amounts, but no 测算依据 and no
    // actuals: those are dropped, line by line (the 合计 line too).
    let dropped = convert_to("yancheng");
    let count = |f: &str| dropped.iter().filter(|d| *d == f).count();
    assert_eq!(count("expenses.basis"), 2, "{dropped:?}");
    assert_eq!(count("expenses.actuals.2020"), 3, "{dropped:?}");
    assert_eq!(count("expenses.actuals.2021"), 3, "{dropped:?}");
    assert_eq!(count("funding.expenses"), 0, "{dropped:?}");
    // luan prints no 支出 lines at all.
    let dropped = convert_to("luan");
    let count = |f: &str| dropped.iter().filter(|d| *d == f).count();
    assert_eq!(count("funding.expenses"), 2, "{dropped:?}");
    assert_eq!(count("funding.expenses_total"), 1, "{dropped:?}");
}

#[test]
fn actuals_columns_of_other_years_are_read_under_the_years_printed() {
    // The same form a year later prints 2021年 and 2022年实际执行数 where the template
    // says 2020 and 2021: the 2021 column is found by its label, the 2022 column by the
    // shape of the 2020 label, and each value is kept under the year printed.
    let dir = scratch("expenses-later-years");
    let source = expense_workbook(&dir, 662.98);
    let later = copy_xlsx(
        &source,
        &dir.join("later.xlsx"),
        |_| Vec::new(),
        &[],
        |_, _, _, cell| match cell {
            jixiao::grid::Cell::Text(t) if t.ends_with("年实际执行数") => {
                let year: i32 = t[..4].parse().unwrap();
                jixiao::grid::Cell::Text(format!("{}年实际执行数", year + 1))
            }
            other => other.clone(),
        },
    );
    let before = load_with(&source, &expense_template());
    let doc = load_with(&later, &expense_template());
    let years = |doc: &jixiao::Document| -> Vec<Vec<(String, String)>> {
        doc.projects[0]
            .funding
            .expenses
            .iter()
            .chain(&doc.projects[0].funding.expenses_total)
            .map(|e| {
                e.actuals
                    .iter()
                    .map(|(y, m)| (y.clone(), m.to_string()))
                    .collect()
            })
            .collect()
    };
    // Each line's two actuals, one year later, same amounts in the same order.
    let shifted: Vec<Vec<(String, String)>> = years(&before)
        .into_iter()
        .map(|line| {
            let mut line: Vec<(String, String)> = line
                .into_iter()
                .map(|(y, m)| ((y.parse::<i32>().unwrap() + 1).to_string(), m))
                .collect();
            line.sort();
            line
        })
        .collect();
    let mut got = years(&doc);
    for line in &mut got {
        line.sort();
    }
    assert_eq!(got, shifted);
    assert!(
        doc.source
            .cells
            .contains_key("projects[0].funding.expenses_total.actuals.2021")
    );
}
