//! A 支出 list's 合计 line holds the project's total when the form has no other cell for
//! it (ezhou prints no 资金总额: its 合计 line's 金额 is the project's annual total).
//! On tests/fixtures/templates/expense_total_line.toml (expense_lines.toml without its
//! 资金总额 row): the reader takes the total from the 合计 cell, the writer prints a
//! 合计 line for a total, the loss report counts the total as held, and `check` says a
//! wrong sum once.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jixiao::Document;
use jixiao::check::check;
use jixiao::model::Period;

fn template() -> PathBuf {
    fixture("templates/expense_total_line.toml")
}

/// A one-project document: two 支出 lines (100 and 200, with 2020 actuals adding up to
/// 662.88), the 合计 line given as JSON (or none), and the annual total (or none).
fn document(total_line: Option<&str>, total: Option<&str>) -> Document {
    let line = total_line.map_or(String::new(), |l| format!(", \"expenses_total\": {l}"));
    let annual = total.map_or(String::new(), |t| {
        format!("\"annual\": {{\"total\": \"{t}\"}},")
    });
    let json = format!(
        r#"{{
  "schema": "jixiao/1", "kind": "project", "fiscal_year": 2024, "money_unit": "万元",
  "projects": [{{
    "name": "干部培训项目",
    "funding": {{
      {annual}
      "expenses": [
        {{"name": "培训费", "annual": "100.00", "basis": "50人×2万元/人",
          "actuals": {{"2020": "331.49"}}}},
        {{"name": "差旅费", "annual": "200.00", "basis": "40次×5万元/次",
          "actuals": {{"2020": "331.39"}}}}
      ]{line}
    }},
    "goals": {{"annual": {{"text": "完成年度培训任务"}}}},
    "indicators": [{{"level1": "产出指标", "level2": "数量指标", "name": "培训人数",
                     "values": {{"annual": {{"text": "≥50人", "op": ">=", "number": "50",
                                             "unit": "人"}}}}}}]
  }}]
}}"#
    );
    jixiao::convert::parse_json("doc.json", json.as_bytes()).unwrap()
}

/// Writes a document in the template without the embedded copy and reads the form back.
fn round_trip(dir: &Path, name: &str, doc: &Document) -> Document {
    let out = dir.join(format!("{name}.xlsx"));
    write_with(doc, &template(), &out);
    load_with(&out, &template())
}

/// What the loss report says reading the written form gives back, without provenance.
fn carried(doc: &Document) -> Document {
    let t = jixiao::Template::from_file(&template()).unwrap();
    let (_, carried, _) = jixiao::loss::prepare(doc, &t);
    comparable(&carried)
}

fn annual_total(doc: &Document) -> Option<String> {
    doc.projects[0]
        .funding
        .total(Period::Annual)
        .map(|m| m.to_string())
}

/// (code, cell) of the money findings (J1xx).
fn money_findings(doc: &Document) -> Vec<(&'static str, String)> {
    check(doc)
        .iter()
        .filter(|f| f.code.starts_with("J1"))
        .map(|f| (f.code, f.cell.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn the_template_holds_the_annual_total_in_its_total_line() {
    let t = jixiao::Template::from_file(&template()).unwrap();
    assert_eq!(t.line_totals(), [Period::Annual]);
    // With a 资金总额 cell the line is only the lines' stated sum.
    let with_cell = jixiao::Template::from_file(&fixture("templates/expense_lines.toml")).unwrap();
    assert_eq!(with_cell.line_totals(), []);
    // yancheng has a 资金总额 cell but no half-year one: its 合计 line would hold that.
    let yancheng = jixiao::Template::builtin("yancheng").unwrap();
    assert_eq!(yancheng.line_totals(), [Period::HalfYear]);
}

#[test]
fn a_total_line_with_more_than_the_total_gives_the_total_and_is_kept() {
    let dir = scratch("total-line-kept");
    let line = r#"{"name": "合计", "annual": "300.00", "actuals": {"2020": "662.98"}}"#;
    let doc = document(Some(line), None);
    let back = round_trip(&dir, "kept", &doc);
    assert_eq!(annual_total(&back).as_deref(), Some("300.00"));
    // The total's cell is the 合计 line's 金额 (row 7: title, name, two label rows, lines).
    let cells = &back.source.cells;
    assert_eq!(cells["projects[0].funding.annual.total"], "绩效目标!C6");
    assert_eq!(
        cells["projects[0].funding.expenses_total.annual"],
        "绩效目标!C6"
    );
    let kept = back.projects[0].funding.expenses_total.as_ref();
    assert_eq!(
        kept.map(|l| l.actuals["2020"].to_string()).as_deref(),
        Some("662.98"),
        "a 合计 carrying actuals is kept whole"
    );
    let mut want = doc.clone();
    want.projects[0]
        .funding
        .set_total(Period::Annual, jixiao::model::Money::parse("300.00"));
    assert_same(&comparable(&back), &comparable(&want), "read back");
    assert_same(&comparable(&back), &carried(&doc), "read back = carried");
}

#[test]
fn a_bare_total_is_printed_as_a_total_line_and_read_back_as_the_total() {
    let dir = scratch("total-line-bare");
    // A document with a total and no 合计 line: the form prints one.
    let doc = document(None, Some("300.00"));
    let out = dir.join("bare.xlsx");
    write_with(&doc, &template(), &out);
    let book = jixiao::read::read_path(&out).unwrap();
    let sheet = &book.sheets[0];
    assert_eq!(sheet.raw(5, 1).display(), "合计");
    assert_eq!(sheet.raw(5, 2).display(), "300.00");
    let back = load_with(&out, &template());
    assert_eq!(annual_total(&back).as_deref(), Some("300.00"));
    assert_eq!(
        back.projects[0].funding.expenses_total, None,
        "a 合计 carrying only the total is the total"
    );
    assert!(
        !back
            .source
            .cells
            .keys()
            .any(|k| k.contains("expenses_total")),
        "{:?}",
        back.source.cells
    );
    assert_same(&comparable(&back), &comparable(&doc), "read back");
    assert_same(&comparable(&back), &carried(&doc), "read back = carried");
    // Read again and written again: the same form.
    let again = round_trip(&dir, "again", &back);
    assert_same(&comparable(&again), &comparable(&back), "twice");

    // A 合计 line carrying only the total reads the same way.
    let line = r#"{"name": "合计", "annual": "300.00"}"#;
    let back = round_trip(&dir, "line", &document(Some(line), None));
    assert_same(&comparable(&back), &comparable(&doc), "bare line");
}

#[test]
fn a_total_line_and_a_total_that_differ_print_the_line() {
    // From a form with a 资金总额 cell (301) and a 合计 line (300): this form has one
    // place for both, which shows the line; the total is reported dropped.
    let dir = scratch("total-line-differs");
    let line = r#"{"name": "合计", "annual": "300.00", "actuals": {"2020": "662.98"}}"#;
    let doc = document(Some(line), Some("301.00"));
    let back = round_trip(&dir, "differs", &doc);
    assert_eq!(annual_total(&back).as_deref(), Some("300.00"));
    assert_same(&comparable(&back), &carried(&doc), "read back = carried");
    let t = jixiao::Template::from_file(&template()).unwrap();
    let (_, _, report) = jixiao::loss::prepare(&doc, &t);
    let dropped: Vec<(&str, &str)> = report
        .dropped
        .iter()
        .map(|d| (d.field.as_str(), d.value.as_str()))
        .collect();
    assert_eq!(dropped, [("funding.annual.total", "301.00")]);
}

#[test]
fn luan_through_the_form_keeps_its_totals() {
    let dir = scratch("total-line-luan");
    let doc = load(&fixture("luan_2023.xlsx"));
    let totals: Vec<Option<String>> = doc
        .projects
        .iter()
        .map(|p| p.funding.total(Period::Annual).map(|m| m.to_string()))
        .collect();
    assert!(totals.iter().all(Option::is_some), "{totals:?}");

    // The loss report: the total has a place (the 合计 line), the rest of luan's
    // funding has none.
    let t = jixiao::Template::from_file(&template()).unwrap();
    let (_, carried, report) = jixiao::loss::prepare(&doc, &t);
    let dropped: Vec<&str> = report.dropped.iter().map(|d| d.field.as_str()).collect();
    assert!(!dropped.contains(&"funding.annual.total"), "{dropped:?}");
    assert!(dropped.contains(&"funding.mid_term.total"), "{dropped:?}");
    assert!(dropped.contains(&"funding.annual.fiscal"), "{dropped:?}");
    assert!(
        !report
            .blank
            .iter()
            .any(|b| b.field == "funding.annual.total"),
        "{:?}",
        report.blank
    );

    // Written without the embedded copy and read back: the form alone gives each total.
    let out = dir.join("luan.xlsx");
    write_with(&doc, &template(), &out);
    let back = load_with(&out, &template());
    let back_totals: Vec<Option<String>> = back
        .projects
        .iter()
        .map(|p| p.funding.total(Period::Annual).map(|m| m.to_string()))
        .collect();
    assert_eq!(back_totals, totals);
    assert_same(
        &comparable(&back),
        &comparable(&carried),
        "luan read back = carried",
    );

    // With the embedded copy: everything, the total included.
    let embedded = dir.join("luan-embedded.xlsx");
    let o = jixiao(&[
        "convert",
        fixture("luan_2023.xlsx").to_str().unwrap(),
        "--to",
        template().to_str().unwrap(),
        "-o",
        embedded.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let loss = stderr
        .lines()
        .find(|l| l.starts_with("loss:"))
        .unwrap_or("");
    assert!(!loss.contains("funding.annual.total"), "{stderr}");
    let full = load_with(&embedded, &template());
    assert_same(&comparable(&full), &comparable(&doc), "embedded copy");
}

#[test]
fn a_wrong_sum_is_reported_once() {
    let dir = scratch("total-line-check");
    // The 合计 carries actuals, so it is kept: J110 compares it with the lines, column
    // by column (annual 301 ≠ 300, 2020 662.98 ≠ 662.88); J103 would compare the same
    // annual figure at the same cell, and stays silent.
    let line = r#"{"name": "合计", "annual": "301.00", "actuals": {"2020": "662.98"}}"#;
    let back = round_trip(&dir, "kept", &document(Some(line), None));
    assert_eq!(
        money_findings(&back),
        [
            ("J110", "绩效目标!C6".to_string()),
            ("J110", "绩效目标!E6".to_string())
        ]
    );
    // A bare 合计 is the total: the lines against it are J103's, at the 合计 cell.
    let back = round_trip(&dir, "bare", &document(None, Some("301.00")));
    assert_eq!(money_findings(&back), [("J103", "绩效目标!C6".to_string())]);
    // Right sums: nothing.
    let line = r#"{"name": "合计", "annual": "300.00", "actuals": {"2020": "662.88"}}"#;
    let back = round_trip(&dir, "right", &document(Some(line), None));
    assert_eq!(money_findings(&back), []);
}
