//! Every published fact is recovered from every format a layout's fixture comes in.

mod common;

use common::*;
use jixiao::convert;

#[test]
fn yancheng_from_xlsx_csv_and_gbk_csv() {
    for file in [
        "yancheng_2022.xlsx",
        "yancheng_2022.csv",
        "yancheng_2022.gbk.csv",
    ] {
        let doc = load(&fixture(file));
        assert_eq!(doc.source.layout, "yancheng", "{file}");
        assert_facts("yancheng_2022.facts.json", &doc, &[]);
    }
}

#[test]
fn yancheng_details() {
    let doc = load(&fixture("yancheng_2022.gbk.csv"));
    let p = &doc.projects[0];
    assert_eq!(
        (p.period.start_year, p.period.end_year),
        (Some(2022), Some(2024))
    );
    assert_eq!(p.manager, None, "项目负责人/联系电话 is blank as published");
    let e = &p.funding.expenses[0];
    assert_eq!(
        (
            e.half_year.unwrap().to_string(),
            e.annual.unwrap().to_string()
        ),
        ("500".into(), "1003.82".into())
    );
    assert!(
        p.feasibility.as_deref().unwrap().contains('\n'),
        "paragraphs keep their in-cell line breaks"
    );
    let v = p
        .indicators
        .iter()
        .find(|i| i.name == "视频会议系统服务费月租金")
        .unwrap();
    assert_eq!(v.values.half_year.as_ref().unwrap().text, "=1.146万元");
    assert_eq!(
        v.values.annual.as_ref().unwrap().number.as_deref(),
        Some("1.416")
    );
    let decision = p
        .indicators
        .iter()
        .filter(|i| i.level1.as_deref() == Some("决策"))
        .count();
    assert_eq!(decision, 6);
}

#[test]
fn tangshan_from_xlsx() {
    let doc = load(&fixture("tangshan_2025.xlsx"));
    assert_eq!(doc.source.layout, "tangshan");
    assert_eq!(doc.kind, jixiao::model::Kind::Mixed);
    assert_facts("tangshan_2025.facts.json", &doc, &[]);
}

#[test]
fn tangshan_from_its_two_csvs_together_and_apart() {
    let parts = [
        fixture("tangshan_2025__部门整体绩效目标.csv"),
        fixture("tangshan_2025__预算项目绩效目标表.csv"),
    ];
    let both = convert::load_many(&parts, &Default::default())
        .unwrap()
        .document;
    assert_facts("tangshan_2025.facts.json", &both, &[]);
    let projects = load(&parts[1]);
    assert_facts("tangshan_2025.facts.json", &projects, &["--projects-only"]);
    let overall = load(&parts[0]);
    assert_eq!(overall.kind, jixiao::model::Kind::Department);
    assert!(overall.projects.is_empty());
    assert_eq!(
        overall.overall.unwrap().sections.len(),
        both.overall.unwrap().sections.len()
    );
}

#[test]
fn tangshan_details() {
    let doc = load(&fixture("tangshan_2025.xlsx"));
    let dept = doc.department.as_ref().unwrap();
    assert_eq!(
        (dept.code.as_deref(), dept.name.as_str()),
        (Some("603001"), "唐山市住房公积金管理中心（参公）本级")
    );
    let p = &doc.projects[0];
    let plan: Vec<(u32, Option<&str>)> = p
        .funding
        .schedule
        .iter()
        .map(|s| (s.month, s.percent.as_deref()))
        .collect();
    // A blank 3月底 stays blank: no entry, not 0.
    assert_eq!(
        plan,
        vec![(6, Some("50")), (10, Some("75")), (12, Some("100"))]
    );
    assert_eq!(
        p.funding.annual.as_ref().unwrap().other,
        None,
        "其他资金 blank as published"
    );
    let meeting = doc.projects.iter().find(|p| p.name == "会议费").unwrap();
    let counts = meeting
        .indicators
        .iter()
        .filter(|i| i.level2.as_deref() == Some("数量指标"))
        .count();
    assert_eq!(counts, 2, "two 数量指标 rows, each with its own class cell");
    let sections = &doc.overall.as_ref().unwrap().sections;
    assert!(
        sections
            .iter()
            .any(|s| s.heading == "一、总体绩效目标" && s.text.starts_with("2025年"))
    );
}

#[test]
fn guangzhou_from_xlsx_csv_and_gbk_csv() {
    for file in ["guangzhou.xlsx", "guangzhou.csv", "guangzhou.gbk.csv"] {
        let doc = load(&fixture(file));
        assert_eq!(doc.source.layout, "guangzhou", "{file}");
        assert_facts("guangzhou.facts.json", &doc, &[]);
    }
}

#[test]
fn guangzhou_details() {
    let loaded = convert::load(&fixture("guangzhou.csv"), &Default::default()).unwrap();
    let doc = loaded.document;
    assert_eq!(
        doc.department.as_ref().unwrap().name,
        "广州住房公积金管理中心"
    );
    assert_eq!(
        doc.total.as_ref().unwrap().total.unwrap().to_string(),
        "12748.27",
        "text with a thousands separator"
    );
    assert_eq!(doc.units.len(), 6);
    let classless = doc
        .projects
        .iter()
        .flat_map(|p| &p.indicators)
        .filter(|i| i.level1.is_none())
        .count();
    assert_eq!(classless, 5, "the five published items without a class");
    let warned = loaded
        .warnings
        .iter()
        .filter(|w| w.message.contains("no indicator class"))
        .count();
    assert_eq!(warned, 5, "each reported with its cell");
    assert!(loaded.warnings.iter().all(|w| w.cell.is_some()));
}

#[test]
fn linyi_from_xlsx_and_csv() {
    for file in ["linyi_2023.xlsx", "linyi_2023.csv"] {
        let doc = load(&fixture(file));
        assert_eq!(doc.source.layout, "linyi", "{file}");
        assert_eq!(doc.kind, jixiao::model::Kind::Department);
        assert_facts("linyi_2023.facts.json", &doc, &[]);
    }
}

#[test]
fn linyi_details() {
    let doc = load(&fixture("linyi_2023.csv"));
    assert_eq!(doc.fiscal_year, Some(2023));
    assert_eq!(
        doc.department.as_ref().unwrap().name,
        "临沂市住房公积金中心"
    );
    let duties = &doc.overall.as_ref().unwrap().duties;
    assert_eq!(duties.len(), 5);
    let first = &duties[0].objectives[0];
    assert_eq!(first.name, "归集住房公积金");
    assert_eq!(
        first.indicators.len(),
        2,
        "D6:D7 merged: one objective, two indicators"
    );
    let r = first.indicators[0].reference.as_ref().unwrap();
    assert_eq!(r.planned.as_deref(), Some("85亿元"));
    assert_eq!(
        first.indicators[1]
            .reference
            .as_ref()
            .unwrap()
            .planned
            .as_deref(),
        Some("/"),
        "/ = not applicable, kept"
    );
}
