//! Duty rows that carry spending lines (支出项目名称 + 预算金额, as 宁德's 年度履职目标
//! prints them): read into `objectives[].spending`, written back with the amount as
//! money, and reported where a target's duties table has no spending columns.

mod common;

use common::*;
use jixiao::Document;
use jixiao::convert::{self, Format, WriteOptions};
use jixiao::model::{Duty, Kind, Money, Objective, Overall, Spending};
use jixiao::write::CsvEncoding;

fn template() -> std::path::PathBuf {
    fixture("templates/duty_spending.toml")
}

fn spending(project: &str, amount: &str) -> Spending {
    Spending {
        project: project.into(),
        amount: Money::parse(amount),
    }
}

fn department() -> Document {
    let objective = |name: &str, lines: Vec<Spending>| Objective {
        detail: None,
        name: name.into(),
        indicators: Vec::new(),
        spending: lines,
    };
    let mut doc = Document::new(Kind::Department);
    doc.fiscal_year = Some(2019);
    doc.overall = Some(Overall {
        duties: vec![
            Duty {
                seq: String::new(),
                name: "编纂地方志".into(),
                objectives: vec![objective(
                    "完成年鉴编纂出版",
                    vec![
                        spending("年鉴编纂经费", "49.8"),
                        spending("志书出版经费", "11"),
                    ],
                )],
            },
            Duty {
                seq: String::new(),
                name: "机构运转".into(),
                objectives: vec![objective(
                    "保障机构正常运转",
                    vec![spending("基本支出", "171.41")],
                )],
            },
        ],
        ..Overall::default()
    });
    doc
}

#[test]
fn spending_lines_are_written_and_read_back() {
    let dir = scratch("duty-spending");
    let doc = department();
    let t = jixiao::Template::from_file(&template()).unwrap();
    let options = WriteOptions {
        format: Format::Xlsx,
        template: Some(t.clone()),
        embed: false,
        csv_encoding: CsvEncoding::Utf8Bom,
    };
    let out = dir.join("duties.xlsx");
    convert::save(
        &out,
        &convert::render_outputs(&doc, &options).unwrap().outputs,
    )
    .unwrap();
    let back = load_with(&out, &template());
    let overall = back.overall.as_ref().expect("duties read");
    assert_eq!(overall.duties.len(), 2);
    assert_eq!(
        overall.duties[0].objectives[0].spending,
        vec![
            spending("年鉴编纂经费", "49.8"),
            spending("志书出版经费", "11")
        ]
    );
    let (_, carried, report) = jixiao::loss::prepare(&doc, &t);
    assert!(report.dropped.is_empty(), "{:?}", report.dropped);
    let mut got = without_source(&back);
    let mut want = without_source(&carried);
    got.title = None;
    want.title = None;
    assert_same(&got, &want, "read back = carried");
    assert!(
        back.source
            .cells
            .contains_key("overall.duties[1].objectives[0].spending[0].amount")
    );
}

#[test]
fn a_duties_table_without_spending_columns_reports_them() {
    let doc = department();
    let (_, carried, report) =
        jixiao::loss::prepare(&doc, &jixiao::Template::builtin("linyi").unwrap());
    let dropped: Vec<&str> = report
        .dropped
        .iter()
        .filter(|d| d.field == "overall.duties.spending")
        .map(|d| d.value.as_str())
        .collect();
    assert_eq!(
        dropped,
        [
            "完成年鉴编纂出版: 年鉴编纂经费 49.8",
            "完成年鉴编纂出版: 志书出版经费 11",
            "保障机构正常运转: 基本支出 171.41"
        ]
    );
    // The duties and objectives that held only spending are carried: linyi prints a
    // row for each, with no indicator.
    let overall = carried.overall.expect("duties carried");
    let objectives: Vec<&str> = overall
        .duties
        .iter()
        .flat_map(|d| &d.objectives)
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(objectives, ["完成年鉴编纂出版", "保障机构正常运转"]);
    assert!(
        overall
            .duties
            .iter()
            .flat_map(|d| &d.objectives)
            .all(|o| o.spending.is_empty() && o.indicators.is_empty())
    );
}
