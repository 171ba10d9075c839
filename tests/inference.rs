//! Inference finishes the job: converted to any built-in layout that prints 二级指标,
//! every indicator of every fixture gets its classes, and each inferred one is flagged.

mod common;

use common::*;
use jixiao::loss::prepare;
use jixiao::template::Template;

const FIXTURES: [&str; 5] = [
    "luan_2023.xlsx",
    "yancheng_2022.xlsx",
    "tangshan_2025.xlsx",
    "guangzhou.xlsx",
    "linyi_2023.xlsx",
];

/// The built-in layouts with a 二级指标 column.
const WITH_LEVEL2: [&str; 4] = ["luan", "national", "yancheng", "tangshan"];

#[test]
fn every_indicator_of_every_fixture_gets_its_classes() {
    let mut missing = Vec::new();
    for file in FIXTURES {
        let doc = load(&fixture(file));
        for target in WITH_LEVEL2 {
            let (written, _, report) = prepare(&doc, &Template::builtin(target).unwrap());
            let label = format!("{file} → {target}");
            for b in &report.blank {
                if b.field == "level1" || b.field == "level2" {
                    missing.push(format!("{label}: {} {} blank", b.project, b.field));
                }
            }
            let mut flagged = 0;
            for (p, q) in doc.projects.iter().zip(&written.projects) {
                assert_eq!(p.indicators.len(), q.indicators.len(), "{label}");
                for (i, j) in p.indicators.iter().zip(&q.indicators) {
                    if j.level1.is_none() || j.level2.is_none() {
                        missing.push(format!(
                            "{label}: {} / {:?} {:?} {} {:?}",
                            p.name,
                            j.level1,
                            j.level2,
                            j.name,
                            j.values.annual.as_ref().map(|v| &v.text)
                        ));
                    }
                    // A class the source lacks is inferred and flagged; one it has is kept.
                    for (field, had, has) in [
                        ("level1", &i.level1, &j.level1),
                        ("level2", &i.level2, &j.level2),
                    ] {
                        let is_flagged = j.inferred.iter().any(|f| f == field);
                        if had.is_some() {
                            assert_eq!(had, has, "{label}: {} keeps its {field}", i.name);
                            assert!(!is_flagged, "{label}: {} {field} was read", i.name);
                        } else if has.is_some() {
                            assert!(is_flagged, "{label}: {} {field} inferred, flagged", i.name);
                            let said = report.inferred.iter().any(|r| {
                                r.field == field
                                    && r.project.as_deref() == Some(p.name.as_str())
                                    && r.indicator.as_deref() == Some(i.name.as_str())
                                    && Some(&r.value) == has.as_ref()
                                    && !r.rule.is_empty()
                            });
                            assert!(said, "{label}: {} {field} in the report", i.name);
                            flagged += 1;
                        }
                    }
                }
            }
            let reported = report
                .inferred
                .iter()
                .filter(|r| r.field == "level1" || r.field == "level2")
                .count();
            assert_eq!(
                reported, flagged,
                "{label}: one report line per inferred class"
            );
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The four guangzhou indicators the name-and-unit rules left open, each with its rule.
#[test]
fn guangzhou_grades_controls_and_plain_numbers() {
    let doc = load(&fixture("guangzhou.xlsx"));
    let (_, _, report) = prepare(&doc, &Template::builtin("national").unwrap());
    let class = |name: &str| {
        let found: Vec<_> = report
            .inferred
            .iter()
            .filter(|r| r.field == "level2" && r.indicator.as_deref() == Some(name))
            .map(|r| (r.value.as_str(), r.rule.as_str()))
            .collect();
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        found[0]
    };
    let (c, why) = class("年度业务量");
    assert_eq!(c, "数量指标");
    assert!(why.contains("plain number"), "{why}");
    assert_eq!(class("广州铁路集团在广州地区在建公租房项目").0, "数量指标");
    let (c, why) = class("等级保护【分级保护】级别");
    assert_eq!(c, "质量指标");
    assert!(why.contains("grade"), "{why}");
    let (c, why) = class("水电费标准控制");
    assert_eq!(c, "成本指标");
    assert!(why.contains("standard control"), "{why}");
    assert_eq!(
        report
            .inferred
            .iter()
            .filter(|r| r.field == "level2")
            .count(),
        77,
        "every guangzhou indicator has a 二级 class"
    );
}

/// The yancheng subtitle `{fiscal_year}年度` prints the year whenever the document has
/// one, also a year inferred from the dates of a form that prints none; only a document
/// with no year at all leaves it blank to fill in.
#[test]
fn the_yancheng_subtitle_prints_a_read_or_inferred_year() {
    let dir = scratch("subtitle-year");
    let run = |args: &[&str]| {
        let o = jixiao(args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let subtitle = |csv: &std::path::Path| {
        let text = std::fs::read_to_string(csv).unwrap();
        text.lines()
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_string()
    };
    // A guangzhou form written from luan: no title states the year, the 年度 dates do.
    let form = dir.join("luan-guangzhou.xlsx");
    let luan = fixture("luan_2023.xlsx");
    run(&[
        "convert",
        luan.to_str().unwrap(),
        "--to",
        "guangzhou",
        "--no-embed",
        "-o",
        form.to_str().unwrap(),
    ]);
    let csv = dir.join("yancheng.csv");
    let stderr = run(&[
        "convert",
        form.to_str().unwrap(),
        "--to",
        "yancheng",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(
        stderr.contains("no title states the fiscal year; 2023 taken from"),
        "{stderr}"
    );
    assert_eq!(subtitle(&csv), "2023年度");
    // The published guangzhou table states no year anywhere (no title year, no dated
    // target): nothing is inferred, and the year is left blank to be filled in.
    let csv = dir.join("guangzhou-yancheng.csv");
    let gz = fixture("guangzhou.xlsx");
    let stderr = run(&[
        "convert",
        gz.to_str().unwrap(),
        "--to",
        "yancheng",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(!stderr.contains("fiscal year"), "{stderr}");
    assert_eq!(load(&gz).fiscal_year, None);
    assert_eq!(subtitle(&csv), "    年度");
}
