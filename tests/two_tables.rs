//! Two tables on one department sheet (the shape of 宁德's form): a duties table
//! under a side caption, its columns placed under their header labels, then the
//! department's own indicator table; and a form cell holding a headed section.

mod common;

use common::*;
use jixiao::Document;
use jixiao::model::{Duty, Kind, Money, Objective, Overall, Section, Spending};

fn template() -> std::path::PathBuf {
    fixture("templates/dept_two_tables.toml")
}

/// A department: a goal section, two duties with spending lines, and the first luan
/// project's indicators as the department's own.
fn department() -> Document {
    let luan = load(&fixture("luan_2023.xlsx"));
    let line = |project: &str, amount: &str| Spending {
        project: project.into(),
        amount: Money::parse(amount),
    };
    let duty = |name: &str, objective: &str, lines: Vec<Spending>| Duty {
        seq: String::new(),
        name: name.into(),
        objectives: vec![Objective {
            detail: None,
            name: objective.into(),
            indicators: Vec::new(),
            spending: lines,
        }],
    };
    let mut doc = Document::new(Kind::Department);
    doc.fiscal_year = Some(2024);
    doc.department = Some(jixiao::model::Department {
        code: None,
        name: "某县档案馆".into(),
    });
    doc.overall = Some(Overall {
        sections: vec![Section {
            heading: "总体绩效目标".into(),
            text: "目标1:完成档案数字化;\n目标2:保障机构运转。".into(),
        }],
        duties: vec![
            duty(
                "档案收集整理",
                "完成档案数字化",
                vec![line("数字化经费", "30"), line("设备购置", "12.5")],
            ),
            duty("机构运转", "保障机构运转", vec![line("基本支出", "88.2")]),
        ],
        indicators: luan.projects[0].indicators.clone(),
    });
    doc
}

/// The workbook's merged areas on its first sheet, as (first row, first col, last row, last col).
fn merges(path: &std::path::Path) -> Vec<(u32, u32, u32, u32)> {
    let book = jixiao::read::read_path(path).unwrap();
    book.sheets[0]
        .merges()
        .iter()
        .map(|m| (m.first_row, m.first_col, m.last_row, m.last_col))
        .collect()
}

#[test]
fn both_tables_and_the_section_are_written_and_read_back() {
    let dir = scratch("two-tables");
    let doc = department();
    let out = dir.join("dept.xlsx");
    write_with(&doc, &template(), &out);
    let back = load_with(&out, &template());
    let overall = back.overall.as_ref().expect("overall read");
    let want = doc.overall.as_ref().unwrap();
    assert_eq!(overall.sections, want.sections);
    assert_eq!(overall.duties, want.duties);
    assert_eq!(overall.indicators.len(), want.indicators.len());
    for (got, want) in overall.indicators.iter().zip(&want.indicators) {
        assert_eq!(
            (&got.level1, &got.level2, &got.name),
            (&want.level1, &want.level2, &want.name)
        );
        assert_eq!(got.values.annual, want.values.annual);
    }
    // The duty rows stop at the indicator header: no duty line was read from it.
    assert!(
        back.source
            .cells
            .contains_key("overall.duties[1].objectives[0].spending[0].amount")
    );
    assert!(back.notes.is_empty(), "{:?}", back.notes);
    let t = jixiao::Template::from_file(&template()).unwrap();
    let (_, carried, report) = jixiao::loss::prepare(&doc, &t);
    let dropped: Vec<&str> = report.dropped.iter().map(|d| d.field.as_str()).collect();
    assert!(
        dropped.iter().all(|f| f.contains("mid_term")),
        "{dropped:?}"
    );
    assert_eq!(
        back.overall.as_ref().unwrap().sections,
        carried.overall.unwrap().sections
    );
}

#[test]
fn duty_columns_span_their_labels_and_the_caption_spans_the_rows() {
    let dir = scratch("two-tables-merges");
    let out = dir.join("dept.xlsx");
    write_with(&department(), &template(), &out);
    let m = merges(&out);
    // Title row 0, 部门名称 row 1, 总体绩效目标 row 2, duty header row 3, three duty
    // rows 4–6: the caption 履职目标 spans rows 3–6 in column A.
    assert!(m.contains(&(3, 0, 6, 0)), "{m:?}");
    // 部门职能 B:C over the header and over each duty's cell.
    assert!(m.contains(&(3, 1, 3, 2)), "{m:?}");
    assert!(m.contains(&(4, 1, 5, 2)), "{m:?}");
    // 目标任务 D:E likewise; 支出项目 and 金额 one column each.
    assert!(m.contains(&(4, 3, 5, 4)), "{m:?}");
    assert!(
        !m.iter().any(|r| r.1 >= 5 && (4..=6).contains(&r.0)),
        "{m:?}"
    );
}

#[test]
fn a_section_cell_prints_the_section_of_its_heading_and_reports_the_rest() {
    // tangshan's part 1 has headed sections; "一、总体绩效目标" matches the form's
    // 总体绩效目标 (numbering aside), the others have no place.
    let tangshan = load(&fixture("tangshan_2025.xlsx"));
    let sections = &tangshan.overall.as_ref().unwrap().sections;
    let goal = sections
        .iter()
        .find(|s| s.heading.contains("总体绩效目标"))
        .expect("tangshan has 总体绩效目标");
    let t = jixiao::Template::from_file(&template()).unwrap();
    let (_, carried, report) = jixiao::loss::prepare(&tangshan, &t);
    let kept = &carried.overall.as_ref().unwrap().sections;
    assert_eq!(kept, &vec![goal.clone()]);
    let n = sections.len() - 1;
    assert!(
        report
            .dropped
            .iter()
            .any(|d| d.field == "overall.sections" && d.value == format!("{n} section(s)")),
        "{:?}",
        report.dropped
    );
    let dir = scratch("two-tables-sections");
    let out = dir.join("tangshan.xlsx");
    write_with(&tangshan, &template(), &out);
    let back = load_with(&out, &template());
    let read = &back.overall.as_ref().unwrap().sections;
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].heading, "总体绩效目标");
    assert_eq!(read[0].text, goal.text);
}

#[test]
fn linyi_duties_go_to_a_form_without_indicator_columns_with_their_indicators_moved() {
    // linyi's duties carry indicators, 职责序号 and a detailed duty; the two-table
    // form's duties table has none of those columns, but it has the department's
    // indicator table: the indicators move there (inferred), seq and detail are dropped.
    let linyi = load(&fixture("linyi_2023.xlsx"));
    let n = linyi.indicator_count();
    let t = jixiao::Template::from_file(&template()).unwrap();
    let (_, carried, report) = jixiao::loss::prepare(&linyi, &t);
    assert!(
        report
            .inferred
            .iter()
            .any(|i| i.field == "overall.indicators" && i.value == format!("{n} indicator(s)")),
        "{:?}",
        report.inferred
    );
    let overall = carried.overall.as_ref().unwrap();
    assert_eq!(overall.indicators.len(), n);
    assert!(
        overall
            .duties
            .iter()
            .flat_map(|d| &d.objectives)
            .all(|o| o.indicators.is_empty())
    );
    let count = |field: &str| report.dropped.iter().filter(|d| d.field == field).count();
    let duties = &linyi.overall.as_ref().unwrap().duties;
    assert_eq!(count("overall.duties.seq"), duties.len());
    let details = duties
        .iter()
        .flat_map(|d| &d.objectives)
        .filter(|o| o.detail.is_some())
        .count();
    assert_eq!(count("overall.duties.objectives.detail"), details);

    let dir = scratch("two-tables-linyi");
    let out = dir.join("linyi.xlsx");
    write_with(&linyi, &template(), &out);
    let back = load_with(&out, &template());
    let got = back.overall.as_ref().unwrap();
    assert_eq!(got.duties, overall.duties);
    let names =
        |v: &[jixiao::model::Indicator]| v.iter().map(|i| i.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&got.indicators), names(&overall.indicators));
}

#[test]
fn duties_with_spending_only_become_rows_and_text_elsewhere() {
    let doc = department();
    // linyi: a row per objective, with no indicator; the spending lines reported.
    let dir = scratch("two-tables-elsewhere");
    let linyi = jixiao::Template::builtin("linyi").unwrap();
    let (_, carried, _) = jixiao::loss::prepare(&doc, &linyi);
    let out = dir.join("linyi.xlsx");
    let options = jixiao::convert::WriteOptions {
        format: jixiao::convert::Format::Xlsx,
        template: Some(linyi),
        embed: false,
        csv_encoding: jixiao::write::CsvEncoding::Utf8Bom,
    };
    let rendered = jixiao::convert::render_outputs(&doc, &options).unwrap();
    jixiao::convert::save(&out, &rendered.outputs).unwrap();
    let back = load(&out);
    assert_eq!(
        back.overall.as_ref().unwrap().duties,
        carried.overall.as_ref().unwrap().duties
    );
    // tangshan part 1: the duties as text, spending lines included, after the part's
    // heading lines and the document's own section; the department has no place.
    let tangshan = jixiao::Template::builtin("tangshan").unwrap();
    let (_, carried, report) = jixiao::loss::prepare(&doc, &tangshan);
    let sections = &carried.overall.as_ref().unwrap().sections;
    let headings: Vec<&str> = sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        headings,
        [
            "第一部分",
            "部门整体绩效目标",
            "总体绩效目标",
            "1、档案收集整理",
            "2、机构运转"
        ]
    );
    assert!(
        sections[3]
            .text
            .contains("支出项目：设备购置，预算金额：12.5万元")
    );
    assert!(
        report
            .dropped
            .iter()
            .any(|d| d.field == "doc.department.name" && d.value == "某县档案馆")
    );
}
