//! The two regions added as template files only (issue 14): 宁德 部门整体支出绩效目标表
//! (templates/ningde.toml) and 鄂州 项目支出绩效目标表 (templates/ezhou.toml). Each fixture
//! reads to all of its facts from every format, round-trips through its own layout,
//! and converts to and from the layouts the issue names: with the embedded copy the
//! document comes back whole; without it, exactly what the loss report carried.

mod common;

use common::*;
use jixiao::Document;
use jixiao::loss::prepare;
use jixiao::template::Template;

const NINGDE: [&str; 4] = [
    "regions/ningde_2019.xlsx",
    "regions/ningde_2019.csv",
    "regions/legacy/ningde_2019.xls",
    "regions/legacy/ningde_2019.ods",
];

const EZHOU: [&str; 4] = [
    "regions/ezhou_2022.xlsx",
    "regions/ezhou_2022.csv",
    "regions/legacy/ezhou_2022.xls",
    "regions/legacy/ezhou_2022.ods",
];

/// The project layouts ezhou converts to and back from.
const PROJECT_LAYOUTS: [&str; 6] = [
    "luan",
    "national",
    "yancheng",
    "tangshan",
    "guangzhou",
    "ezhou",
];

/// Converts `doc` to `target` twice: with the embedded copy it reads back as the
/// document written; from the form alone, as what the loss report says it carried.
/// Returns the report.
fn converts(doc: &Document, target: &str, what: &str) -> jixiao::loss::LossReport {
    let dir = scratch(&format!("regions-{what}-{}", rand_suffix()));
    let t = Template::builtin(target).unwrap();
    let (written, carried, report) = prepare(doc, &t);
    let path = dir.join("embedded.xlsx");
    write_as(doc, &t, true, &path);
    assert_same(
        &without_source(&load(&path)),
        &without_source(&written),
        &format!("{what}: with the embedded copy"),
    );
    let path = dir.join("form.xlsx");
    write_as(doc, &t, false, &path);
    let mut got = comparable(&load_form_only(&path));
    let mut expected = comparable(&carried);
    if report.dropped.iter().any(|d| d.field == "fiscal_year") {
        // Not printed by the target; a reader may re-derive it from dated text.
        expected.fiscal_year = None;
        got.fiscal_year = None;
    }
    assert_same(&got, &expected, &format!("{what}: form only vs the report"));
    report
}

fn fields(report: &jixiao::loss::LossReport) -> Vec<&str> {
    let mut f: Vec<&str> = report.dropped.iter().map(|d| d.field.as_str()).collect();
    f.dedup();
    f
}

#[test]
fn ningde_reads_to_its_facts_from_every_format() {
    for file in NINGDE {
        let doc = load(&fixture(file));
        assert_eq!(doc.source.layout, "ningde", "{file} detected");
        assert_facts("regions/ningde_2019.facts.json", &doc, &[]);
    }
}

#[test]
fn ningde_round_trips_through_its_own_layout() {
    let doc = load(&fixture(NINGDE[0]));
    let report = converts(&doc, "ningde", "ningde-ningde");
    assert!(report.dropped.is_empty(), "{:?}", report.dropped);
    let dir = scratch("regions-ningde-self");
    let path = dir.join("ningde.xlsx");
    write_as(&doc, &Template::builtin("ningde").unwrap(), false, &path);
    assert_same(
        &comparable(&load_form_only(&path)),
        &comparable(&doc),
        "ningde → ningde equals the source",
    );
}

#[test]
fn ningde_and_linyi_convert_both_ways_with_honest_reports() {
    let ningde = load(&fixture(NINGDE[0]));
    let report = converts(&ningde, "linyi", "ningde-linyi");
    // linyi has duties but no spending, budget, department code, goal text or
    // department indicator table.
    assert_eq!(
        fields(&report),
        [
            "doc.department.code",
            "total",
            "overall.sections",
            "overall.duties.spending",
            "overall.indicators",
        ]
    );
    let linyi = load(&fixture("linyi_2023.xlsx"));
    let report = converts(&linyi, "ningde", "linyi-ningde");
    // Its indicators move to ningde's department table; seq, detailed duties,
    // activities and reference values have no place.
    assert!(
        report
            .inferred
            .iter()
            .any(|i| i.field == "overall.indicators")
    );
    let mut dropped = fields(&report);
    dropped.sort();
    dropped.dedup();
    assert_eq!(
        dropped,
        [
            "activity",
            "overall.duties.objectives.detail",
            "overall.duties.seq",
            "reference"
        ]
    );
}

#[test]
fn ningde_goes_to_tangshan_part_one_as_text() {
    let ningde = load(&fixture(NINGDE[0]));
    let report = converts(&ningde, "tangshan", "ningde-tangshan");
    let (written, _, _) = prepare(&ningde, &Template::builtin("tangshan").unwrap());
    let sections = &written.overall.as_ref().unwrap().sections;
    assert!(sections.iter().any(|s| s.heading == "年度总体目标"));
    assert!(
        sections
            .iter()
            .any(|s| s.text.contains("支出项目：基本支出，预算金额：171.41万元"))
    );
    let mut dropped = fields(&report);
    dropped.sort();
    assert_eq!(
        dropped,
        [
            "doc.department.code",
            "doc.department.name",
            "fiscal_year",
            "overall.duties",
            "overall.indicators",
            "total",
        ]
    );
}

/// Each finding as (code, cell).
fn findings(doc: &Document) -> Vec<(&'static str, String)> {
    jixiao::check::check(doc)
        .into_iter()
        .map(|f| (f.code, f.cell.unwrap_or_default()))
        .collect()
}

/// Asserts that `check` on each file finds exactly `expected`: (code, cell on the
/// document's sheet).
fn assert_findings(files: &[&str], expected: &[(&str, &str)]) {
    for file in files {
        let doc = load(&fixture(file));
        let sheet = doc.source.sheet.clone().unwrap_or_default();
        let want: Vec<(&str, String)> = expected
            .iter()
            .map(|(code, cell)| (*code, format!("{sheet}!{cell}")))
            .collect();
        assert_eq!(findings(&doc), want, "{file}");
    }
}

#[test]
fn ningde_check_reports_its_published_oddities_and_nothing_else() {
    assert_findings(
        &NINGDE,
        &[
            // 资金总额 171.41 vs the 年度履职目标 lines' 232.21.
            ("J111", "E4"),
            // The line "基本支出 171.41" vs 基本支出 110.61.
            ("J111", "H11"),
            // 目标值 "1" where 指标解释 says 90% and 100%.
            ("J411", "H17"),
            ("J411", "H18"),
        ],
    );
}

#[test]
fn ezhou_reads_to_its_facts_from_every_format() {
    for file in EZHOU {
        let doc = load(&fixture(file));
        assert_eq!(doc.source.layout, "ezhou", "{file} detected");
        assert_facts("regions/ezhou_2022.facts.json", &doc, &[]);
    }
}

#[test]
fn ezhou_check_reports_its_published_oddities_and_nothing_else() {
    assert_findings(
        &EZHOU,
        &[
            // 2020 actuals add up to 662.88, the 合计 prints 662.98.
            ("J110", "D9"),
            // 成本控制率's only text "不超预算" (published oddity 5).
            ("J401", "D18"),
            // The recovered table has no 效益 indicators (it is cut after 成本指标).
            ("J502", "B2"),
        ],
    );
}

#[test]
fn ezhou_round_trips_through_its_own_layout() {
    let doc = load(&fixture(EZHOU[0]));
    let report = converts(&doc, "ezhou", "ezhou-ezhou");
    assert!(report.dropped.is_empty(), "{:?}", report.dropped);
    let dir = scratch("regions-ezhou-self");
    let path = dir.join("ezhou.xlsx");
    write_as(&doc, &Template::builtin("ezhou").unwrap(), false, &path);
    assert_same(
        &comparable(&load_form_only(&path)),
        &comparable(&doc),
        "ezhou → ezhou equals the source",
    );
}

#[test]
fn ezhou_goes_to_every_project_layout_and_back() {
    let ezhou = load(&fixture(EZHOU[0]));
    let dir = scratch("regions-ezhou-pairs");
    let home = Template::builtin("ezhou").unwrap();
    let direct = dir.join("direct.xlsx");
    write_as(&ezhou, &home, false, &direct);
    for target in PROJECT_LAYOUTS {
        converts(&ezhou, target, &format!("ezhou-{target}"));
        // Back to ezhou from the target's workbook, through its embedded copy: the
        // same form as written straight from the source.
        let there = dir.join(format!("{target}.xlsx"));
        write_as(&ezhou, &Template::builtin(target).unwrap(), true, &there);
        let back = dir.join(format!("{target}-ezhou.xlsx"));
        write_as(&load(&there), &home, false, &back);
        assert_same(
            &comparable(&load_form_only(&back)),
            &comparable(&load_form_only(&direct)),
            &format!("ezhou → {target} → ezhou"),
        );
    }
}

#[test]
fn national_goes_to_ezhou_with_an_honest_report() {
    // The national grid's workbook kept with the golden outputs.
    let national = load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/national_2023.xlsx"),
    );
    assert_eq!(national.source.layout, "national");
    let report = converts(&national, "ezhou", "national-ezhou");
    let mut dropped = fields(&report);
    dropped.sort();
    dropped.dedup();
    // ezhou prints no 中期 column, department, implementer, project period or fund split;
    // the annual total goes to its 合计 line.
    assert!(!dropped.contains(&"funding.annual.total"), "{dropped:?}");
    assert!(dropped.contains(&"funding.mid_term.total"), "{dropped:?}");
}
