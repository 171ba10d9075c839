//! `jixiao check`: on the five published tables the findings are exactly their real
//! oddities; errors planted into copies of them are found at the exact cell; the CLI's
//! output formats and exit codes.

mod common;

use std::collections::BTreeSet;

use common::*;
use jixiao::Document;
use jixiao::check::{Finding, RULES, Severity, check};
use jixiao::model::{
    Amounts, Duty, Expense, Funding, Goal, Goals, Indicator, Kind, Money, Objective, Overall,
    Project, Spending, Value, Values,
};

/// (code, cell) of every finding, in the order `check` gives them.
fn codes_cells(findings: &[Finding]) -> Vec<(&'static str, String)> {
    findings
        .iter()
        .map(|f| (f.code, f.cell.clone().unwrap_or_default()))
        .collect()
}

fn expect(list: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    list.iter()
        .map(|(c, cell)| (*c, cell.to_string()))
        .collect()
}

/// The one finding with this code and cell; panics with the full list otherwise.
fn find<'a>(findings: &'a [Finding], code: &str, cell: &str) -> &'a Finding {
    let hits: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code == code && f.cell.as_deref() == Some(cell))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one {code} at {cell}, got:\n{}",
        listing(findings)
    );
    hits[0]
}

fn listing(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("  {f}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The findings of a planted document that the clean one does not have.
fn new_findings(clean: &Document, planted: &Document) -> Vec<Finding> {
    let before = check(clean);
    check(planted)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect()
}

fn luan() -> Document {
    load(&fixture("luan_2023.xlsx"))
}
fn yancheng() -> Document {
    load(&fixture("yancheng_2022.xlsx"))
}
fn tangshan() -> Document {
    load(&fixture("tangshan_2025.xlsx"))
}
fn guangzhou() -> Document {
    load(&fixture("guangzhou.xlsx"))
}
fn linyi() -> Document {
    load(&fixture("linyi_2023.xlsx"))
}

fn money(s: &str) -> Option<Money> {
    Some(Money::parse(s).unwrap())
}

const L1: &str = "公积金中心市本级及管理部管理费";
const L2: &str = "公积金中心运转维护经费";
const Y: &str = "项目预算绩效目标表";
const T: &str = "预算项目绩效目标表";
const G: &str = "项目支出绩效目标表";

fn at(sheet: &str, cell: &str) -> String {
    format!("{sheet}!{cell}")
}

// ---------------------------------------------------------------------------------------
// The published tables: exactly their real oddities, nothing else.

#[test]
fn luan_is_clean() {
    for file in ["luan_2023.xlsx", "luan_2023_stacked.csv"] {
        let findings = check(&load(&fixture(file)));
        assert!(findings.is_empty(), "{file}:\n{}", listing(&findings));
    }
}

#[test]
fn yancheng_findings_are_its_real_oddities() {
    let doc = yancheng();
    let findings = check(&doc);
    let y = |c: &str| at(Y, c);
    let expected = vec![
        // Vague 效益/满意度 values, half-year and full-year alike (notes).
        ("J402", y("D73:E73")), // 较高
        ("J402", y("D74:E74")), // 较高
        ("J402", y("D75:E75")), // 提高
        ("J402", y("D76:E76")), // 明显
        ("J402", y("D77:E77")), // 较高
        ("J402", y("D78:E78")), // 较高
        ("J402", y("D79:E79")), // 提升
        ("J402", y("D80:E80")), // 提升
        ("J402", y("D81:E81")), // 提升
        ("J402", y("D82:E82")), // 较高
        ("J402", y("D87:E87")), // 缴存职工满意度 提高
        // 成本指标 stated as lower bounds, incl. "≥0万元" (warnings).
        ("J405", y("D41:E41")), // 全中心物业费总成本 ≥20 / ≥62.01万元
        ("J405", y("D43:E43")), // 短信平台及邮递费
        ("J405", y("D44:E44")), // 残疾人就业保障金 ≥0万元 / ≥5万元
        ("J405", y("D46:E46")), // 党建廉政宣传费 ≥0万元 / ≥5万元
        ("J405", y("D52:E52")), // 全中心办公用房水电费
        ("J405", y("D53:E53")), // 日常办公成本
        // 数量指标 caps on people (notes: caps on inputs are common).
        ("J407", y("D59:E59")), // 出席会议人数
        ("J407", y("D60:E60")), // 工作服配发人数
        ("J407", y("D62:E62")), // 参加培训人次
        // The published typo: 视频会议系统服务费月租金 =1.146万元 vs =1.416万元.
        ("J408", y("D40:E40")),
    ];
    assert_eq!(codes_cells(&findings), expected, "\n{}", listing(&findings));
    let j408 = find(&findings, "J408", &y("D40:E40"));
    assert_eq!(j408.severity, Severity::Warning);
    assert!(j408.message.contains("=1.146万元"), "{}", j408.message);
    assert!(j408.message.contains("=1.416万元"), "{}", j408.message);
    assert!(j408.message.contains("视频会议系统服务费月租金"));
    assert_eq!(j408.project.as_deref(), Some("住房公积金管理业务费用"));
    assert_eq!(j408.file, doc.source.file);
    assert!(
        find(&findings, "J405", &y("D44:E44"))
            .message
            .contains("≥0万元")
    );
    // No error: the sums add up.
    assert!(findings.iter().all(|f| f.severity != Severity::Error));
}

#[test]
fn yancheng_csv_twins_find_the_same() {
    let xlsx: Vec<_> = check(&yancheng())
        .into_iter()
        .map(|f| (f.code, f.message))
        .collect();
    for file in ["yancheng_2022.csv", "yancheng_2022.gbk.csv"] {
        let csv: Vec<_> = check(&load(&fixture(file)))
            .into_iter()
            .map(|f| (f.code, f.message))
            .collect();
        assert_eq!(csv, xlsx, "{file}");
    }
}

#[test]
fn tangshan_findings_are_its_real_oddities() {
    let findings = check(&tangshan());
    let t = |c: &str| at(T, c);
    let expected = vec![
        ("J402", t("E16")),  // 1.办公楼运转经费 维修维护单价 尽量降低成本
        ("J402", t("E32")),  // 2.窗口服务建设费 商品单价 尽量降低成本
        ("J507", t("E45")),  // 3.会议费: two 数量指标 rows, no 质量指标
        ("J301", t("E78")),  // 5.开平分中心搬家费 正式办公时间 2024年10月22日
        ("J407", t("E92")),  // 6.劳务派遣费用 人员数量 ≤25 人
        ("J401", t("E173")), // 11.业务会费 会费金额 文件通知
        ("J402", t("E235")), // 15.业务印刷费 印刷品单价 尽量降低成本
        ("J402", t("E267")), // 17.租车费 单次租车价格 尽量降低成本
        ("J407", t("E280")), // 18.丰南分中心 租赁面积 ≤750 平方米
    ];
    assert_eq!(codes_cells(&findings), expected, "\n{}", listing(&findings));
    let date = find(&findings, "J301", &t("E78"));
    assert_eq!(date.severity, Severity::Warning);
    assert!(date.message.contains("2024年10月22日"), "{}", date.message);
    assert!(date.message.contains("2025"), "{}", date.message);
    assert_eq!(date.project.as_deref(), Some("开平分中心搬家费"));
    // 3.会议费's two different 数量指标 rows are not duplicates.
    assert!(findings.iter().all(|f| f.code != "J506"));
    // Blank 资金支出计划 cells (no 3月底 in table 1) are absent, not 0: no J2xx.
    assert!(findings.iter().all(|f| !f.code.starts_with("J2")));
}

#[test]
fn guangzhou_findings_are_its_real_oddities() {
    let findings = check(&guangzhou());
    let g = |c: &str| at(G, c);
    let expected = vec![
        ("J402", g("G6")),  // 物业管理覆盖面积 年度计划数
        ("J501", g("A7")),  // 中心/专项工作经费: its only other item is 效益
        ("J505", g("G7")),  // "1、：缴存单位及职工满意度"
        ("J502", g("A12")), // 中心/购置经费
        ("J404", g("G13")), // 智慧政务 响应及时率 "4秒"
        ("J505", g("G16")), // "3、：评价满意度"
        ("J502", g("A18")), // 番禺/专项工作经费
        ("J505", g("G18")), // "3、：培训人员满意度"
        ("J505", g("G18")), // "4、：群众满意度"
        ("J502", g("A22")), // 花都/专项工作经费
        ("J502", g("A25")), // 花都/购置经费
        ("J502", g("A32")), // 增城/专项工作经费
        ("J401", g("G36")), // 铁路/专项 缴存完成率: a sentence, no number
        ("J505", g("G36")), // "3、：缴存单位及职工满意度"
        ("J401", g("G37")), // 铁路/租赁 租金标准达标率: "…是否符合标准"
        ("J502", g("A37")), // 铁路/租赁
        ("J401", g("G38")), // 铁路/物业 水电费标准控制 (成本 by its name): "…是否符合预算标准"
        ("J402", g("G39")), // 铁路/购置 "…是否达到年度计划数要求"
        ("J502", g("A39")), // 铁路/购置
    ];
    assert_eq!(codes_cells(&findings), expected, "\n{}", listing(&findings));
    // The five items with an empty class.
    let no_class: Vec<_> = findings.iter().filter(|f| f.code == "J505").collect();
    assert_eq!(no_class.len(), 5);
    for name in [
        "缴存单位及职工满意度",
        "评价满意度",
        "培训人员满意度",
        "群众满意度",
    ] {
        assert!(no_class.iter().any(|f| f.message.contains(name)), "{name}");
    }
    // Projects with the same name in different units are told apart.
    assert_eq!(
        find(&findings, "J502", &g("A18")).project.as_deref(),
        Some("广州住房公积金管理中心番禺办事处 / 专项工作经费")
    );
    assert!(find(&findings, "J404", &g("G13")).message.contains("4秒"));
    // Subtotals and 合计 add up; blank 财政专户拨款 and 其他资金 are not errors.
    assert!(findings.iter().all(|f| f.severity != Severity::Error));
}

#[test]
fn linyi_findings_are_its_real_oddities() {
    let findings = check(&linyi());
    assert_eq!(
        codes_cells(&findings),
        expect(&[("J508", "部门预算整体绩效目标表!G13")]),
        "\n{}",
        listing(&findings)
    );
    let f = &findings[0];
    assert_eq!(f.severity, Severity::Note);
    assert!(
        f.message.contains("群众满意率") && f.message.contains("90%") && f.message.contains("97%")
    );
    assert_eq!(f.project, None);
}

// ---------------------------------------------------------------------------------------
// Planted errors, one kind at a time: the exact code and cell.

#[test]
fn money_total_against_its_sources() {
    let clean = luan();
    let mut doc = clean.clone();
    doc.projects[0].funding.annual.as_mut().unwrap().other = money("5.00");
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J101", &at(L1, "H6"))]));
    assert_eq!(
        found[0].message,
        "年度资金总额 77.03 ≠ 财政拨款 77.03 + 其他资金 5.00（差 -5.00）"
    );
    assert_eq!(found[0].severity, Severity::Error);

    // Only where parts are stated: a total alone is not checked.
    let mut doc = clean.clone();
    let a = doc.projects[0].funding.annual.as_mut().unwrap();
    a.fiscal = None;
    a.other = None;
    assert!(new_findings(&clean, &doc).is_empty());

    // 上年结转 counts as a source.
    let mut doc = yancheng();
    doc.projects[0].funding.annual.as_mut().unwrap().carry_over = money("3.18");
    let found = new_findings(&yancheng(), &doc);
    assert_eq!(codes_cells(&found), expect(&[("J101", &at(Y, "E11"))]));
    assert!(
        found[0].message.contains("上年结转资金 3.18"),
        "{}",
        found[0].message
    );
}

#[test]
fn money_fiscal_breakdown_and_expenses() {
    let clean = yancheng();
    let mut doc = clean.clone();
    doc.projects[0]
        .funding
        .annual
        .as_mut()
        .unwrap()
        .general_budget = money("1000.00");
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J102", &at(Y, "E12"))]));
    assert!(found[0].message.contains("差 3.82"), "{}", found[0].message);

    let mut doc = clean.clone();
    doc.projects[0].funding.expenses[0].annual = money("1003.00");
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J103", &at(Y, "E11"))]));
    assert!(found[0].message.contains("1003.00") && found[0].message.contains("1003.82"));

    let mut doc = clean.clone();
    doc.projects[0].funding.expenses[0].half_year = money("1200");
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J104", &at(Y, "D21"))]));
}

#[test]
fn money_mid_term_and_cost_indicators() {
    let clean = luan();
    let mut doc = clean.clone();
    let mid = doc.projects[0].funding.mid_term.as_mut().unwrap();
    mid.total = money("50.00");
    mid.fiscal = money("50.00");
    let found = new_findings(&clean, &doc);
    // …and the mid-term 成本指标 (231.09万元) now exceed it too.
    assert_eq!(
        codes_cells(&found),
        expect(&[("J107", &at(L1, "E6")), ("J108", &at(L1, "E6"))])
    );

    // 成本指标 in 万元 (≤) summing to more than the 年度资金总额.
    let mut doc = clean.clone();
    doc.projects[0].indicators[11].values.annual = Some(Value::parse("≤40.00万元"));
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J107", &at(L1, "H6"))]));
    assert!(found[0].message.contains("77.62"), "{}", found[0].message);
}

#[test]
fn money_unit_subtotals_and_grand_total() {
    let clean = guangzhou();
    // A project amount changed: its unit's 小计 no longer adds up.
    let mut doc = clean.clone();
    let a = doc.projects[11].funding.annual.as_mut().unwrap();
    a.total = money("66.58");
    a.fiscal = money("66.58");
    let found = new_findings(&clean, &doc);
    assert_eq!(
        codes_cells(&found),
        expect(&[("J105", &at(G, "B17")), ("J105", &at(G, "C17"))]),
        "\n{}",
        listing(&found)
    );
    assert!(
        found[0].message.contains("差 -0.01"),
        "{}",
        found[0].message
    );

    // A unit's 小计 changed: against its projects, and 合计 against the units.
    let mut doc = clean.clone();
    doc.units[1].amounts.total = money("178.99");
    let found = new_findings(&clean, &doc);
    assert_eq!(
        codes_cells(&found),
        expect(&[
            ("J101", &at(G, "B17")),
            ("J105", &at(G, "B17")),
            ("J106", &at(G, "B4")),
        ]),
        "\n{}",
        listing(&found)
    );
}

#[test]
fn schedule_rules() {
    let clean = tangshan();
    let plant = |month: u32, percent: Option<&str>| {
        let mut doc = clean.clone();
        let s = &mut doc.projects[1].funding.schedule;
        match percent {
            Some(p) => s.iter_mut().find(|e| e.month == month).unwrap().percent = Some(p.into()),
            None => s.retain(|e| e.month != month),
        }
        new_findings(&clean, &doc)
    };
    // 25 / 20 / 75 / 100: decreasing at 6月底.
    assert_eq!(
        codes_cells(&plant(6, Some("20"))),
        expect(&[("J201", &at(T, "C26"))])
    );
    // 25 / 50 / 120 / 100: above 100 at 10月底, and then decreasing.
    assert_eq!(
        codes_cells(&plant(10, Some("120"))),
        expect(&[("J201", &at(T, "E26")), ("J202", &at(T, "D26"))])
    );
    // Not ending at 100.
    let found = plant(12, Some("90"));
    assert_eq!(codes_cells(&found), expect(&[("J203", &at(T, "E26"))]));
    assert!(found[0].message.contains("12月底") && found[0].message.contains("90%"));
    // A blank 12月底 is absent, not 0: the last stated month is 10月底 at 75%.
    assert_eq!(
        codes_cells(&plant(12, None)),
        expect(&[("J203", &at(T, "D26"))])
    );
    // A blank 3月底 is fine.
    assert!(plant(3, None).is_empty());
    assert_eq!(
        codes_cells(&plant(6, Some("过半"))),
        expect(&[("J204", &at(T, "C26"))])
    );
}

#[test]
fn time_rules() {
    // An annual date outside the budget year.
    let clean = tangshan();
    let mut doc = clean.clone();
    doc.projects[0].indicators[2].values.annual = Some(Value::parse("2026年12月15日"));
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J301", &at(T, "E15"))]));

    // A mid-term date outside the mid-term window, and a window that disagrees with 项目期.
    let clean = luan();
    let mut doc = clean.clone();
    doc.projects[0].indicators[6].values.mid_term = Some(Value::parse("2026年12月"));
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J302", &at(L1, "E18"))]));
    assert!(
        found[0].message.contains("2023—2025"),
        "{}",
        found[0].message
    );

    let mut doc = clean.clone();
    doc.projects[0].goals.mid_term.as_mut().unwrap().period = Some("2023年—2026年".into());
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J303", &at(L1, "B9"))]));
    assert!(found[0].message.contains("4 年") && found[0].message.contains("3 年"));

    let mut doc = clean.clone();
    doc.projects[0].goals.mid_term.as_mut().unwrap().period = Some("2020年—2022年".into());
    let found = new_findings(&clean, &doc);
    // The window leaves out 2023, and the mid-term dates (2025) fall outside it.
    assert!(
        found
            .iter()
            .any(|f| f.code == "J303" && f.cell.as_deref() == Some(at(L1, "B9").as_str()))
    );
    let j303 = find(&found, "J303", &at(L1, "B9"));
    assert!(
        j303.message.contains("不含预算年度 2023"),
        "{}",
        j303.message
    );

    // A project period that ended before the budget year.
    let clean = yancheng();
    let mut doc = clean.clone();
    doc.projects[0].period.start_year = Some(2019);
    doc.projects[0].period.end_year = Some(2021);
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J304", &at(Y, "D5"))]));
}

/// Plants one annual value into luan project 1 (or 2) and returns the new findings.
fn plant_luan(project: usize, indicator: usize, annual: &str) -> Vec<Finding> {
    let clean = luan();
    let mut doc = clean.clone();
    doc.projects[project].indicators[indicator].values.annual = Some(Value::parse(annual));
    new_findings(&clean, &doc)
}

#[test]
fn value_rules() {
    // 数量指标 without a number.
    let found = plant_luan(0, 0, "若干");
    assert_eq!(codes_cells(&found), expect(&[("J401", &at(L1, "H12"))]));
    // A vague value is a note, not J401.
    let found = plant_luan(0, 0, "有所提高");
    assert_eq!(codes_cells(&found), expect(&[("J402", &at(L1, "H12"))]));
    assert_eq!(found[0].severity, Severity::Note);
    // A comparison with a named standard is measurable.
    assert!(plant_luan(0, 3, "不低于省定标准").is_empty());
    // 成本指标 without a unit.
    let found = plant_luan(0, 9, "≤23.42");
    assert_eq!(codes_cells(&found), expect(&[("J403", &at(L1, "H21"))]));
    // A rate that is not a percentage.
    let found = plant_luan(0, 3, "100次");
    assert_eq!(codes_cells(&found), expect(&[("J404", &at(L1, "H15"))]));
    // 成本 with ≥, 满意度 with ≤, 数量 with ≤.
    let found = plant_luan(0, 9, "≥23.42万元");
    assert_eq!(codes_cells(&found), expect(&[("J405", &at(L1, "H21"))]));
    let found = plant_luan(0, 18, "≤85%");
    assert_eq!(codes_cells(&found), expect(&[("J406", &at(L1, "H32"))]));
    let found = plant_luan(0, 0, "≤2次");
    assert_eq!(codes_cells(&found), expect(&[("J407", &at(L1, "H12"))]));
    assert_eq!(found[0].severity, Severity::Note);
    // A unit price that differs between 中期 and 年度 (one row: a range).
    let found = plant_luan(1, 10, "≤0.08元/条");
    assert_eq!(codes_cells(&found), expect(&[("J408", &at(L2, "E22:H22"))]));
    // 中期 target below the annual one for a count.
    let found = plant_luan(0, 0, "≥7次");
    assert_eq!(codes_cells(&found), expect(&[("J409", &at(L1, "E12:H12"))]));
    // An indicator with no value at all.
    let clean = luan();
    let mut doc = clean.clone();
    doc.projects[0].indicators[0].values = Default::default();
    let found = new_findings(&clean, &doc);
    // The (now empty) value cells of the row.
    assert_eq!(codes_cells(&found), expect(&[("J410", &at(L1, "E12:H12"))]));
}

#[test]
fn half_year_values_against_full_year() {
    let clean = yancheng();
    // A half-year count above the full-year one (预计发放贷款办理不动产抵押登记笔数).
    let mut doc = clean.clone();
    doc.projects[0].indicators[38].values.half_year = Some(Value::parse("≥9000笔"));
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J409", &at(Y, "D63:E63"))]));
    // The published typo fixed: J408 is gone.
    let mut doc = clean.clone();
    doc.projects[0].indicators[15].values.half_year = Some(Value::parse("=1.416万元"));
    assert!(check(&doc).iter().all(|f| f.code != "J408"));
}

#[test]
fn structure_rules() {
    let clean = luan();
    let l1 = |c: &str| at(L1, c);

    let mut doc = clean.clone();
    doc.projects[0]
        .indicators
        .retain(|i| i.level1.as_deref() != Some("效益指标"));
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J502", &l1("C3"))]));

    let mut doc = clean.clone();
    doc.projects[0]
        .indicators
        .retain(|i| i.level1.as_deref() != Some("产出指标"));
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J501", &l1("C3"))]));

    let mut doc = clean.clone();
    doc.projects[0].indicators.clear();
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J509", &l1("C3"))]));

    let mut doc = clean.clone();
    doc.projects[0].indicators[12].level1 = Some("双碳目标".into());
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J503", &l1("E25:H25"))]));

    let mut doc = clean.clone();
    doc.projects[0].indicators[6].level2 = Some("进度指标".into());
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J504", &l1("E18:H18"))]));
    // A standard 二级 under the wrong 一级.
    let mut doc = clean.clone();
    doc.projects[0].indicators[12].level2 = Some("数量指标".into());
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J504", &l1("E25:H25"))]));

    // No class at all (an empty 一级 with a standard 二级 is an 产出 one: see
    // an_empty_level1_is_the_class_its_level2_belongs_to).
    let mut doc = clean.clone();
    doc.projects[0].indicators[0].level1 = None;
    doc.projects[0].indicators[0].level2 = None;
    let found = new_findings(&clean, &doc);
    assert!(
        found
            .iter()
            .any(|f| f.code == "J505" && f.cell.as_deref() == Some(l1("E12:H12").as_str()))
    );

    let mut doc = clean.clone();
    doc.projects[0].indicators[2].level2 = None;
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J505", &l1("E14:H14"))]));

    let mut doc = clean.clone();
    let dup = doc.projects[0].indicators[1].clone();
    doc.projects[0].indicators.push(dup);
    let found = new_findings(&clean, &doc);
    // The copy has no cell of its own: the project's name cell.
    assert_eq!(codes_cells(&found), expect(&[("J506", &l1("C3"))]));
    assert!(found[0].message.contains("2 次"));

    let mut doc = clean.clone();
    doc.projects[0]
        .indicators
        .retain(|i| i.level2.as_deref() != Some("质量指标"));
    let found = new_findings(&clean, &doc);
    assert_eq!(codes_cells(&found), expect(&[("J507", &l1("E12:H12"))]));
}

/// 鄂州's form prints no 一级 column: its column headed 一级指标 holds 数量指标, 质量指标
/// and 成本指标, the 二级 classes (the fixture's six recovered indicators).
fn ezhou_shaped() -> Document {
    let ind = |level2: &str, name: &str, annual: &str| Indicator {
        level2: Some(level2.into()),
        name: name.into(),
        values: Values {
            annual: Some(Value::parse(annual)),
            ..Values::default()
        },
        ..Indicator::default()
    };
    let mut doc = Document::new(Kind::Project);
    doc.fiscal_year = Some(2022);
    let expense = |name: &str, annual: &str, a2020: &str, a2021: &str| Expense {
        name: name.into(),
        annual: money(annual),
        actuals: [("2020", a2020), ("2021", a2021)]
            .into_iter()
            .map(|(y, m)| (y.to_string(), money(m).unwrap()))
            .collect(),
        ..Expense::default()
    };
    let funding = Funding {
        expenses: vec![
            expense("保安服务费", "191", "191", "191"),
            expense("保洁服务费", "99", "99", "99"),
            expense("水电气、维修维护费", "524", "372.88", "504.55"),
        ],
        expenses_total: Some(expense("合计", "814", "662.98", "794.55")),
        ..Funding::default()
    };
    doc.projects.push(Project {
        name: "滨湖大厦办公大楼运行保障".into(),
        funding,
        indicators: vec![
            ind("数量指标", "办公大楼日常维修维护次数", "2280次"),
            ind("数量指标", "大楼安检巡察次数", "200次"),
            ind("质量指标", "办公大楼日常维修维护验收合格率", ">92%"),
            ind("质量指标", "经常性大型设备更新验收合格率", "≥92%"),
            ind("质量指标", "重要设备维修维保验收合格率", "95%"),
            ind("成本指标", "成本控制率", "不超预算"),
        ],
        ..Default::default()
    });
    doc
}

#[test]
fn an_empty_level1_is_the_class_its_level2_belongs_to() {
    // ezhou: 数量/质量/成本指标 are 产出指标; the recovered part really has no 效益指标.
    // What remains are its published oddities: the 2020 actuals' 合计, 不超预算.
    let found = check(&ezhou_shaped());
    let codes: Vec<_> = found.iter().map(|f| f.code).collect();
    assert_eq!(codes, ["J110", "J401", "J502"], "\n{}", listing(&found));
    assert!(
        found[0].message.contains("662.98 ≠ 3 项支出之和 662.88"),
        "{}",
        found[0].message
    );
    assert!(
        found[1].message.contains("不超预算"),
        "{}",
        found[1].message
    );

    // Converted to a form with a 一级 column, the 一级 inferred from the 二级: the same.
    let mut converted = ezhou_shaped();
    for ind in &mut converted.projects[0].indicators {
        ind.level1 = Some("产出指标".into());
        ind.inferred.push("level1".into());
    }
    let same: Vec<_> = check(&converted).into_iter().map(|f| f.code).collect();
    assert_eq!(same, codes, "\n{}", listing(&check(&converted)));

    // luan without its 一级 column: nothing new, the 二级 classes say it all.
    let clean = luan();
    let mut doc = clean.clone();
    for ind in &mut doc.projects[0].indicators {
        ind.level1 = None;
    }
    let found = new_findings(&clean, &doc);
    assert!(found.is_empty(), "\n{}", listing(&found));
    // An 二级 class implies 效益 as well as 产出: J501/J502 count it there.
    assert!(
        doc.projects[0]
            .indicators
            .iter()
            .any(|i| i.level2.as_deref().is_some_and(|l| l.contains("效益")))
    );

    // Still no class: both empty, or a 二级 class that names no 一级.
    let l1 = |c: &str| at(L1, c);
    let mut empty = doc.clone();
    empty.projects[0].indicators[0].level2 = None;
    let found = new_findings(&doc, &empty);
    assert_eq!(codes_cells(&found), expect(&[("J505", &l1("E12:H12"))]));
    assert!(
        found[0].message.contains("分类为空"),
        "{}",
        found[0].message
    );
    let mut unknown = doc.clone();
    unknown.projects[0].indicators[0].level2 = Some("进度指标".into());
    let found = new_findings(&doc, &unknown);
    assert_eq!(codes_cells(&found), expect(&[("J505", &l1("E12:H12"))]));
    assert!(
        found[0].message.contains("「进度指标」"),
        "{}",
        found[0].message
    );
}

const N: &str = "部门整体支出绩效目标表";

/// 宁德's 2019 部门整体支出绩效目标表 as its grid has it (tests/fixtures/regions/
/// ningde_2019.csv), with the cells each value sits in: the department's budget, the
/// spending lines of its 年度履职目标 and its one indicator table.
fn ningde_shaped() -> Document {
    let mut doc = Document::new(Kind::Department);
    doc.fiscal_year = Some(2019);
    doc.source.file = "ningde_2019.xlsx".into();
    doc.total = Some(Amounts {
        total: money("171.41"),
        project: money("60.8"),
        basic: money("110.61"),
        ..Amounts::default()
    });
    let duty = |name: &str, task: &str, project: &str, amount: &str| Duty {
        seq: String::new(),
        name: name.into(),
        objectives: vec![Objective {
            detail: None,
            name: task.into(),
            indicators: Vec::new(),
            spending: vec![Spending {
                project: project.into(),
                amount: money(amount),
            }],
        }],
    };
    let ind = |level2: &str, name: &str, explanation: &str, annual: &str| Indicator {
        level1: Some("产出指标".into()),
        level2: Some(level2.into()),
        name: name.into(),
        explanation: Some(explanation.into()),
        values: Values {
            annual: Some(Value::parse(annual)),
            ..Values::default()
        },
        ..Indicator::default()
    };
    doc.overall = Some(Overall {
        duties: vec![
            duty(
                "组织、指导、编纂、督促和检查地方志、年鉴、地情工作",
                "保障志鉴地情相关工作开展所需资金,确保完成2019年度任务",
                "地情、市志编纂与年鉴出版经费",
                "49.8",
            ),
            duty(
                "确保本室各人员工资及福利的发放",
                "按时发放2019年人员福利",
                "地情、市志编纂与年鉴出版经费",
                "11",
            ),
            duty(
                "确保日常工作正常运行",
                "按时发放2019年人员工资待遇",
                "基本支出",
                "171.41",
            ),
        ],
        indicators: vec![
            ind(
                "数量指标",
                "志鉴地情相关工作开展所需资金的供应时效",
                "100%(历史标准)",
                "100%",
            ),
            ind("数量指标", "确保日常工作正常运行", "100%", "100%"),
            ind(
                "数量指标",
                "按年度发放绩效奖、文明奖、综治平安奖、应休未休补贴",
                "60%",
                "≥60%",
            ),
            ind(
                "质量指标",
                "调研、督促、指导志、鉴、地情编纂的县(市、区)的覆盖率",
                "90%(计划标准)",
                "1",
            ),
            ind("质量指标", "各类书籍审稿率", "100%(计划标准)", "1"),
            ind("时效指标", "项目完成时间", "2019年12月(计划标准)", "100%"),
        ],
        ..Overall::default()
    });
    let cells = &mut doc.source.cells;
    for (fund, row) in [("total", 4), ("project", 5), ("basic", 6)] {
        cells.insert(format!("total.{fund}"), at(N, &format!("E{row}")));
    }
    for d in 0..3 {
        cells.insert(
            format!("overall.duties[{d}].objectives[0].spending[0].amount"),
            at(N, &format!("H{}", 9 + d)),
        );
    }
    for i in 0..6 {
        cells.insert(
            format!("overall.indicators[{i}].values.annual"),
            at(N, &format!("H{}", 14 + i)),
        );
    }
    doc
}

#[test]
fn ningde_findings_are_its_published_oddities() {
    let doc = ningde_shaped();
    let findings = check(&doc);
    assert_eq!(
        codes_cells(&findings),
        expect(&[
            // 资金总额 171.41 vs the 年度履职目标 lines 49.8 + 11 + 171.41.
            ("J111", &at(N, "E4")),
            // Row 3's 基本支出 171.41 although the budget's 基本支出 is 110.61.
            ("J111", &at(N, "H11")),
            // 覆盖率 "1" (指标解释 90%) and 审稿率 "1" (指标解释 100%).
            ("J411", &at(N, "H17")),
            ("J411", &at(N, "H18")),
        ]),
        "\n{}",
        listing(&findings)
    );
    assert_eq!(findings[0].severity, Severity::Error);
    assert_eq!(
        findings[0].message,
        "资金总额 171.41 ≠ 履职目标 3 项支出之和 232.21（差 -60.80）"
    );
    assert_eq!(
        findings[1].message,
        "履职目标「按时发放2019年人员工资待遇」的支出「基本支出」171.41 ≠ 预算安排的基本支出 110.61（差 60.80）"
    );
    assert_eq!(findings[1].project, None);
    let rates: Vec<&Finding> = findings.iter().filter(|f| f.code == "J411").collect();
    assert_eq!(rates[0].severity, Severity::Warning);
    assert_eq!(rates[0].project, None);
    assert_eq!(
        rates[0].message,
        "质量指标「调研、督促、指导志、鉴、地情编纂的县(市、区)的覆盖率」是比率，指标值「1」是不带 % 的小数，多半是指 100%（指标解释为 90%）"
    );
    assert_eq!(
        rates[1].message,
        "质量指标「各类书籍审稿率」是比率，指标值「1」是不带 % 的小数，多半是指 100%（指标解释为 100%）"
    );
    // J411 says it: no J403 "缺少计量单位（%）" on the same values.
    assert!(
        findings.iter().all(|f| f.code != "J403"),
        "\n{}",
        listing(&findings)
    );
}

#[test]
fn duty_spending_against_the_stated_budget() {
    fn line(doc: &mut Document, d: usize) -> &mut Spending {
        &mut doc.overall.as_mut().unwrap().duties[d].objectives[0].spending[0]
    }
    let published = ningde_shaped();
    // Row 3 corrected to 110.61: the lines add up to 171.41 and the table is clean.
    let mut doc = published.clone();
    line(&mut doc, 2).amount = money("110.61");
    let found = check(&doc);
    assert!(
        found.iter().all(|f| f.code != "J111"),
        "\n{}",
        listing(&found)
    );
    // The name matches whatever the spaces and width; a 项目支出 line is the 项目支出.
    let mut doc = published.clone();
    line(&mut doc, 2).project = " 基本\u{3000}支出".into();
    line(&mut doc, 0).project = "项目支出".into();
    let found: Vec<_> = check(&doc)
        .into_iter()
        .filter(|f| f.code == "J111")
        .collect();
    assert_eq!(
        codes_cells(&found),
        expect(&[
            ("J111", &at(N, "E4")),
            ("J111", &at(N, "H9")),
            ("J111", &at(N, "H11")),
        ]),
        "\n{}",
        listing(&found)
    );
    assert!(
        found[1]
            .message
            .ends_with("的支出「项目支出」49.8 ≠ 预算安排的项目支出 60.8（差 -11.0）"),
        "{}",
        found[1].message
    );
    // A line without a cell of its own points at the budget's figure.
    let mut doc = published.clone();
    doc.source
        .cells
        .shift_remove("overall.duties[2].objectives[0].spending[0].amount");
    let found: Vec<_> = check(&doc)
        .into_iter()
        .filter(|f| f.code == "J111")
        .collect();
    assert_eq!(
        codes_cells(&found),
        expect(&[("J111", &at(N, "E4")), ("J111", &at(N, "E6"))])
    );
    // Nothing stated, nothing compared: no budget, or lines without amounts.
    let mut doc = published.clone();
    doc.total = None;
    assert!(check(&doc).iter().all(|f| f.code != "J111"));
    let mut doc = published.clone();
    for d in 0..3 {
        line(&mut doc, d).amount = None;
    }
    assert!(check(&doc).iter().all(|f| f.code != "J111"));
    // Only 基本支出 stated: the line is compared, the sum is not.
    let mut doc = published.clone();
    doc.total = Some(Amounts {
        basic: money("110.61"),
        ..Amounts::default()
    });
    let found: Vec<_> = check(&doc)
        .into_iter()
        .filter(|f| f.code == "J111")
        .collect();
    assert_eq!(codes_cells(&found), expect(&[("J111", &at(N, "H11"))]));
}

#[test]
fn duty_spending_is_checked_where_it_was_read() {
    // Through a form in the shape of ningde's 年度履职目标: written, read back, checked
    // at the read cells (the form has no budget rows: the budget is the document's).
    let dir = scratch("check-duty-spending");
    let template = fixture("templates/duty_spending.toml");
    let mut doc = ningde_shaped();
    doc.overall.as_mut().unwrap().indicators.clear();
    let out = dir.join("ningde-duties.xlsx");
    write_with(&doc, &template, &out);
    let mut back = load_with(&out, &template);
    back.total = doc.total.clone();
    let found = check(&back);
    let cell = back.source.cells["overall.duties[2].objectives[0].spending[0].amount"].clone();
    assert_eq!(
        codes_cells(&found),
        // The sum's finding has no cell: this form prints no 资金总额.
        vec![("J111", cell), ("J111", String::new())],
        "\n{}",
        listing(&found)
    );
}

#[test]
fn a_fraction_is_a_rate_only_where_the_indicator_is_one() {
    let clean = ningde_shaped();
    let plant = |i: usize, name: &str, explanation: Option<&str>, annual: &str| {
        let mut doc = clean.clone();
        let ind = &mut doc.overall.as_mut().unwrap().indicators[i];
        ind.name = name.into();
        ind.explanation = explanation.map(Into::into);
        ind.values.annual = Some(Value::parse(annual));
        new_findings(&clean, &doc)
    };
    let h15 = at(N, "H15");
    // A rate by its explanation's percent, not its name; 0.95 is 95%.
    let found = plant(1, "确保日常工作正常运行", Some("95%"), "0.95");
    assert_eq!(codes_cells(&found), expect(&[("J411", &h15)]));
    assert!(found[0].message.contains("多半是指 95%（指标解释为 95%）"));
    // A rate by its name, with no explanation: no percent to quote; an op is kept.
    let found = plant(1, "档案整理完成率", None, "≥0.9");
    assert_eq!(codes_cells(&found), expect(&[("J411", &h15)]));
    assert!(
        found[0].message.ends_with("多半是指 ≥90%"),
        "{}",
        found[0].message
    );
    // Counts: a unit, or neither a 率 name nor a percent in the explanation.
    assert!(plant(1, "召开编纂工作会议", Some("反映会议召开情况"), "1").is_empty());
    assert!(plant(1, "审稿率抽查", Some("100%"), "1次").is_empty());
    // Not a fraction: 0, or above 1 (J403 asks a 率 for its %).
    assert!(plant(1, "确保日常工作正常运行", Some("100%"), "0").is_empty());
    let found = plant(1, "各类书籍审稿率", None, "2");
    assert_eq!(codes_cells(&found), expect(&[("J403", &h15)]));
    // In a project table, and in a duty's indicators, alike.
    let luan = luan();
    let mut doc = luan.clone();
    doc.projects[0].indicators[3].values.annual = Some(Value::parse("1"));
    let found = new_findings(&luan, &doc);
    assert_eq!(
        found.iter().map(|f| f.code).collect::<Vec<_>>(),
        ["J411"],
        "\n{}",
        listing(&found)
    );
    let linyi = linyi();
    let mut doc = linyi.clone();
    let ind = &mut doc.overall.as_mut().unwrap().duties[2].objectives[1].indicators[0];
    assert_eq!(ind.name, "来电回复率");
    ind.values.annual = Some(Value::parse("1"));
    let found = new_findings(&linyi, &doc);
    assert_eq!(
        codes_cells(&found),
        expect(&[("J411", "部门预算整体绩效目标表!G14")]),
        "\n{}",
        listing(&found)
    );
}

#[test]
fn a_departments_own_indicators_are_checked_where_they_were_read() {
    // Through a form in ningde's shape: written, read back, checked at the read cells.
    let dir = scratch("check-dept-indicators");
    let template = fixture("templates/dept_indicators.toml");
    let mut doc = ningde_shaped();
    doc.overall.as_mut().unwrap().duties.clear();
    let out = dir.join("ningde.xlsx");
    write_with(&doc, &template, &out);
    let back = load_with(&out, &template);
    let found = check(&back);
    let cell =
        |i: usize| back.source.cells[&format!("overall.indicators[{i}].values.annual")].clone();
    assert_eq!(
        codes_cells(&found),
        vec![("J411", cell(3)), ("J411", cell(4))],
        "\n{}",
        listing(&found)
    );
}

/// The J510/J511 findings only, as (code, cell).
fn misread(findings: &[Finding]) -> Vec<(&'static str, String)> {
    codes_cells(findings)
        .into_iter()
        .filter(|(c, _)| *c == "J510" || *c == "J511")
        .collect()
}

/// An indicator whose every cell is `text`: a merged note row read as an indicator.
fn note_indicator(text: &str) -> Indicator {
    Indicator {
        level1: Some(text.into()),
        level2: Some(text.into()),
        name: text.into(),
        values: Values {
            mid_term: Some(Value::parse(text)),
            annual: Some(Value::parse(text)),
            ..Default::default()
        },
        ..Default::default()
    }
}

const NOTE: &str = "注：本表金额单位为万元。";

#[test]
fn a_note_row_read_as_an_indicator_is_named_at_its_cell() {
    let clean = luan();
    let mut doc = clean.clone();
    let n = doc.projects[0].indicators.len();
    doc.projects[0].indicators.push(note_indicator(NOTE));
    let path = format!("projects[0].indicators[{n}].values");
    doc.source
        .cells
        .insert(format!("{path}.mid_term"), at(L1, "G40"));
    doc.source
        .cells
        .insert(format!("{path}.annual"), at(L1, "H40"));
    let found = new_findings(&clean, &doc);
    let row = at(L1, "G40:H40");
    assert_eq!(
        misread(&found),
        expect(&[("J510", &row), ("J511", &row)]),
        "\n{}",
        listing(&found)
    );
    let same = find(&found, "J510", &row);
    assert_eq!(same.severity, Severity::Warning);
    assert!(same.message.contains(NOTE), "{}", same.message);
    assert_eq!(same.project.as_deref(), Some(L1));
    let note = find(&found, "J511", &row);
    assert_eq!(note.severity, Severity::Warning);
    assert!(note.message.contains("以「注」开头"), "{}", note.message);
}

#[test]
fn signature_lines_read_as_indicators() {
    let clean = luan();
    for (name, word) in [
        ("填表人：王五", "填表人"),
        ("单位负责人：张三  填报日期：2023年1月", "单位负责人"),
        ("项目负责人：李四", "项目负责人"),
        ("说明：指标值为预计数", "说明"),
        ("注1.数据来源于统计年报", "注"),
        ("填报说明", "填报说明"),
    ] {
        let mut doc = clean.clone();
        // A signature row under the table: its text in the name, a class cell beside it.
        let ind = &mut doc.projects[1].indicators[0];
        ind.name = name.into();
        let found = new_findings(&clean, &doc);
        // Its row: the 中期 and 年度 value cells.
        let cell = at("公积金中心运转维护经费", "E12:H12");
        assert_eq!(misread(&found), expect(&[("J511", &cell)]), "{name}");
        let f = find(&found, "J511", &cell);
        assert!(
            f.message.contains(&format!("以「{word}」开头")),
            "{}",
            f.message
        );
    }
    // Real indicator names that merely start like a note word.
    for name in [
        "注册人数",
        "注销账户办理时限",
        "说明会场次",
        "联系电话接通率",
        "审核意见采纳率",
        "公章使用规范率",
        "备注信息完整率",
        "制表规范",
    ] {
        let mut doc = clean.clone();
        doc.projects[1].indicators[0].name = name.into();
        assert!(
            misread(&new_findings(&clean, &doc)).is_empty(),
            "{name} is a real name"
        );
    }
}

#[test]
fn a_note_row_read_as_a_duty_or_a_project() {
    // linyi: a merged note under the duties table, read as a duty with one objective.
    let clean = linyi();
    let mut doc = clean.clone();
    let overall = doc.overall.as_mut().unwrap();
    let d = overall.duties.len();
    overall.duties.push(Duty {
        seq: NOTE.into(),
        name: NOTE.into(),
        objectives: vec![Objective {
            detail: Some(NOTE.into()),
            name: NOTE.into(),
            indicators: vec![note_indicator(NOTE)],
            spending: Vec::new(),
        }],
    });
    let cell = "部门预算整体绩效目标表!G40".to_string();
    doc.source.cells.insert(
        format!("overall.duties[{d}].objectives[0].indicators[0].values.annual"),
        cell.clone(),
    );
    let found = new_findings(&clean, &doc);
    // Named once, as the duty: its indicator is the same row.
    assert_eq!(
        misread(&found),
        expect(&[("J510", &cell), ("J511", &cell)]),
        "\n{}",
        listing(&found)
    );
    assert!(find(&found, "J510", &cell).message.starts_with("职责"));
    assert_eq!(find(&found, "J511", &cell).project, None);

    // A duty whose name is a signature line; its indicators are real.
    let mut doc = clean.clone();
    doc.overall.as_mut().unwrap().duties[0].name = "单位负责人：张三".into();
    let found = new_findings(&clean, &doc);
    let codes: Vec<_> = misread(&found).into_iter().map(|(c, _)| c).collect();
    assert_eq!(codes, ["J511"], "\n{}", listing(&found));

    // guangzhou: a note merged across the list, read as a project (name and goal).
    let clean = guangzhou();
    let mut doc = clean.clone();
    let p = doc.projects.len();
    doc.projects.push(Project {
        name: NOTE.into(),
        goals: Goals {
            annual: Some(Goal {
                period: None,
                text: NOTE.into(),
            }),
            ..Default::default()
        },
        ..Default::default()
    });
    let cell = at(G, "A45");
    doc.source
        .cells
        .insert(format!("projects[{p}].name"), cell.clone());
    let found = new_findings(&clean, &doc);
    assert_eq!(
        misread(&found),
        expect(&[("J510", &cell), ("J511", &cell)]),
        "\n{}",
        listing(&found)
    );
    assert!(find(&found, "J510", &cell).message.starts_with("项目"));
}

#[test]
fn a_merged_note_under_a_csv_table_is_a_note_not_an_indicator() {
    // The luan sheet saved as CSV with a note merged across the table's eight columns
    // under it, the text in every cell as a reader that fills merges sees it: the
    // reader ends the table there (issue 13), so the note is kept as a note and
    // `check` has no misread row to report.
    let dir = scratch("misread-csv");
    let path = dir.join("lu.csv");
    let mut text =
        std::fs::read_to_string(fixture("luan_2023__公积金中心运转维护经费.csv")).unwrap();
    text.push_str(&[NOTE; 8].join(","));
    text.push('\n');
    std::fs::write(&path, text).unwrap();
    let doc = load(&path);
    let found = check(&doc);
    assert!(misread(&found).is_empty(), "\n{}", listing(&found));
    let project = &doc.projects[0];
    assert_eq!(project.notes.len(), 1, "{:?}", project.notes);
    assert_eq!(project.notes[0], NOTE);
    assert!(project.indicators.iter().all(|i| !i.name.starts_with('注')));
}

#[test]
fn the_published_tables_have_no_misread_rows() {
    for file in [
        "luan_2023.xlsx",
        "yancheng_2022.xlsx",
        "tangshan_2025.xlsx",
        "guangzhou.xlsx",
        "linyi_2023.xlsx",
        "luan_2023_stacked.csv",
        "yancheng_2022.csv",
        "guangzhou.csv",
        "linyi_2023.csv",
    ] {
        let found = check(&load(&fixture(file)));
        assert!(misread(&found).is_empty(), "{file}:\n{}", listing(&found));
    }
}

#[test]
fn below_last_year() {
    let clean = linyi();
    // 来电回复率 100% with 上年值 100%: lowered to 99%.
    let mut doc = clean.clone();
    let ind = &mut doc.overall.as_mut().unwrap().duties[2].objectives[1].indicators[0];
    assert_eq!(ind.name, "来电回复率");
    ind.values.annual = Some(Value::parse("99%"));
    let found = new_findings(&clean, &doc);
    assert_eq!(
        codes_cells(&found),
        expect(&[("J508", "部门预算整体绩效目标表!G14")])
    );
    // 贷款逾期率 is better when lower: a lower target is no finding.
    let mut doc = clean.clone();
    let ind = &mut doc.overall.as_mut().unwrap().duties[0].objectives[3].indicators[0];
    assert_eq!(ind.name, "贷款逾期率");
    ind.values.annual = Some(Value::parse("< 0.2%"));
    assert!(new_findings(&clean, &doc).is_empty());
}

#[test]
fn errors_planted_in_a_csv_copy_are_found_at_their_cell() {
    let dir = scratch("check-csv");
    let text = std::fs::read_to_string(fixture("yancheng_2022.csv")).unwrap();
    let planted = text.replacen(
        ",,,一般公共预算资金,1003.82",
        ",,,一般公共预算资金,1000.82",
        1,
    );
    assert_ne!(planted, text);
    let path = dir.join("planted.csv");
    std::fs::write(&path, planted).unwrap();
    let found = check(&load(&path));
    let errors: Vec<_> = found
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{}", listing(&found));
    assert_eq!(errors[0].code, "J102");
    assert_eq!(errors[0].cell.as_deref(), Some("planted!E12"));
    assert_eq!(
        errors[0].message,
        "年度财政拨款 1003.82 ≠ 一般公共预算资金 1000.82 + 政府性基金预算资金 0 + 财政专户管理资金 0（差 3.00）"
    );
}

#[test]
fn findings_are_deterministic_and_ordered() {
    let doc = guangzhou();
    assert_eq!(check(&doc), check(&doc));
    let projects: Vec<_> = check(&tangshan())
        .into_iter()
        .map(|f| f.project.unwrap())
        .collect();
    let mut seen = Vec::new();
    for p in projects {
        if seen.last() != Some(&p) {
            assert!(!seen.contains(&p), "{p} appears in two groups");
            seen.push(p);
        }
    }
}

#[test]
fn every_rule_is_documented_in_the_readme() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let section = readme
        .split("## Validation rules")
        .nth(1)
        .expect("README has a \"## Validation rules\" section");
    let codes: BTreeSet<_> = RULES.iter().map(|r| r.code).collect();
    for code in &codes {
        assert!(section.contains(code), "README does not document {code}");
    }
}

// ---------------------------------------------------------------------------------------
// The command line.

fn out_text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_exit_codes() {
    // Clean: 0.
    let luan = fixture("luan_2023.xlsx");
    let out = jixiao(&["check", luan.to_str().unwrap()]);
    let (stdout, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("0 error(s), 0 warning(s), 0 note(s) in 1 file(s)"),
        "{stdout}"
    );

    // Warnings and notes only: 0, or 1 with --deny warnings.
    let yancheng = fixture("yancheng_2022.xlsx");
    let out = jixiao(&["check", yancheng.to_str().unwrap()]);
    let (stdout, _) = out_text(&out);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout.contains("0 error(s), 7 warning(s), 14 note(s) in 1 file(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("住房公积金管理业务费用"),
        "grouped by project: {stdout}"
    );
    assert!(
        stdout.contains("J408 项目预算绩效目标表!D40:E40"),
        "{stdout}"
    );
    assert!(!stdout.contains('\x1b'), "no colour when not on a terminal");
    let out = jixiao(&["check", yancheng.to_str().unwrap(), "--deny", "warnings"]);
    assert_eq!(out.status.code(), Some(1));

    // Errors: 1.
    let dir = scratch("check-cli");
    let text = std::fs::read_to_string(fixture("yancheng_2022.csv")).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        text.replacen(",,资金总额,,1003.82", ",,资金总额,,1013.82", 1),
    )
    .unwrap();
    let out = jixiao(&["check", bad.to_str().unwrap()]);
    let (stdout, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("J101"), "{stdout}");
    assert!(stdout.contains("bad!E11"), "{stdout}");

    // A file that cannot be read: 2, and the other files are still checked.
    let missing = dir.join("missing.xlsx");
    let junk = dir.join("junk.xlsx");
    std::fs::write(&junk, b"not a workbook").unwrap();
    let out = jixiao(&[
        "check",
        missing.to_str().unwrap(),
        junk.to_str().unwrap(),
        yancheng.to_str().unwrap(),
    ]);
    let (stdout, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("missing.xlsx"), "{stderr}");
    assert!(stderr.contains("junk.xlsx"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stdout.contains("in 1 file(s); 2 file(s) could not be read"),
        "{stdout}"
    );
    assert!(stdout.contains("J408"), "{stdout}");
}

#[test]
fn cli_json_format() {
    let tangshan = fixture("tangshan_2025.xlsx");
    let guangzhou = fixture("guangzhou.xlsx");
    let out = jixiao(&[
        "check",
        tangshan.to_str().unwrap(),
        guangzhou.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let (stdout, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let all: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(all.len(), 9 + 19);
    for f in &all {
        for key in ["code", "severity", "message", "file", "cell", "project"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
        assert!(["error", "warning", "note"].contains(&f["severity"].as_str().unwrap()));
    }
    let date = all
        .iter()
        .find(|f| f["code"] == "J301")
        .expect("tangshan's 2024 date");
    assert_eq!(date["severity"], "warning");
    assert_eq!(date["cell"], "预算项目绩效目标表!E78");
    assert_eq!(date["project"], "开平分中心搬家费");
    assert!(
        date["file"]
            .as_str()
            .unwrap()
            .ends_with("tangshan_2025.xlsx")
    );
    assert_eq!(
        all.iter()
            .filter(
                |f| f["code"] == "J505" && f["file"].as_str().unwrap().ends_with("guangzhou.xlsx")
            )
            .count(),
        5
    );
}

#[test]
fn cli_lists_rules() {
    let out = jixiao(&["check", "--list-rules"]);
    let (stdout, _) = out_text(&out);
    assert_eq!(out.status.code(), Some(0));
    for r in RULES {
        assert!(stdout.contains(r.code), "{}", r.code);
        assert!(stdout.contains(r.example), "{}", r.code);
    }
    let out = jixiao(&["check", "--list-rules", "--format", "json"]);
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules.len(), RULES.len());
    assert_eq!(rules[0]["code"], "J101");
    assert_eq!(rules[0]["severity"], "error");
    // Files are required otherwise.
    let out = jixiao(&["check"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn convert_prints_a_check_summary_and_check_fails_on_errors() {
    let dir = scratch("check-convert");
    let out_path = dir.join("y.json");
    let yancheng = fixture("yancheng_2022.xlsx");
    let out = jixiao(&[
        "convert",
        yancheng.to_str().unwrap(),
        "-o",
        out_path.to_str().unwrap(),
        "--check",
    ]);
    let (_, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("check: 0 errors, 7 warnings, 14 notes (jixiao check "),
        "{stderr}"
    );
    assert!(out_path.exists());

    let text = std::fs::read_to_string(fixture("yancheng_2022.csv")).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        text.replacen(",,资金总额,,1003.82", ",,资金总额,,1013.82", 1),
    )
    .unwrap();
    // Without --check: written, with the summary.
    let written = dir.join("bad.json");
    let out = jixiao(&[
        "convert",
        bad.to_str().unwrap(),
        "-o",
        written.to_str().unwrap(),
    ]);
    let (_, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("check: 2 errors, 7 warnings, 14 notes"),
        "{stderr}"
    );
    assert!(written.exists());
    // With --check: exit 1 and nothing written.
    let refused = dir.join("refused.xlsx");
    let out = jixiao(&[
        "convert",
        bad.to_str().unwrap(),
        "--to",
        "luan",
        "-o",
        refused.to_str().unwrap(),
        "--check",
    ]);
    let (_, stderr) = out_text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("J101"), "{stderr}");
    assert!(!refused.exists());
}

#[test]
fn findings_survive_conversion_to_a_standard_form() {
    // guangzhou has no 二级 column; converting to the national form infers the classes.
    // The converted submission still shows every oddity of the source: inferred classes
    // are neither taken as read nor reported as new problems.
    let dir = scratch("check-roundtrip");
    for (file, to) in [
        ("guangzhou.xlsx", "national"),
        ("yancheng_2022.xlsx", "luan"),
        ("tangshan_2025.xlsx", "national"),
    ] {
        let out = dir.join(format!("{to}-{file}"));
        let run = jixiao(&[
            "convert",
            fixture(file).to_str().unwrap(),
            "--to",
            to,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let codes = |doc: &Document| {
            let mut c: Vec<_> = check(doc)
                .into_iter()
                .map(|f| (f.code, f.message))
                .collect();
            c.sort();
            c
        };
        assert_eq!(
            codes(&load(&out)).iter().map(|c| c.0).collect::<Vec<_>>(),
            codes(&load(&fixture(file)))
                .iter()
                .map(|c| c.0)
                .collect::<Vec<_>>(),
            "{file} → {to}"
        );
    }
}

#[test]
fn extreme_amounts_do_not_panic() {
    let mut doc = yancheng();
    let huge = money("9999999999999999999999999999");
    let a = doc.projects[0].funding.annual.as_mut().unwrap();
    a.total = huge;
    a.fiscal = huge;
    a.general_budget = huge;
    a.other = huge;
    a.carry_over = huge;
    doc.projects[0].funding.expenses[0].annual = huge;
    let line = doc.projects[0].funding.expenses[0].clone();
    doc.projects[0].funding.expenses.push(line);
    // Sums that would overflow are not checked; nothing panics.
    let _ = check(&doc);
    let mut doc = guangzhou();
    for u in &mut doc.units {
        u.amounts.total = huge;
    }
    let _ = check(&doc);
}
