//! Any-to-any among the project layouts: every ordered pair converts; with the
//! embedded copy the document comes back whole; without it, exactly what the loss
//! report does not list as dropped comes back (so the report cannot lie).

mod common;

use common::*;
use jixiao::Document;
use jixiao::loss::prepare;
use jixiao::template::Template;

const SOURCES: [(&str, &str); 4] = [
    ("guangzhou", "guangzhou.xlsx"),
    ("luan", "luan_2023.xlsx"),
    ("yancheng", "yancheng_2022.xlsx"),
    ("tangshan", "tangshan_2025.xlsx"),
];
const TARGETS: [&str; 5] = ["luan", "national", "yancheng", "tangshan", "guangzhou"];

fn convert_to(doc: &Document, target: &str, embed: bool, path: &std::path::Path) {
    write_as(doc, &Template::builtin(target).unwrap(), embed, path);
}

#[test]
fn every_pair_round_trips_with_the_embedded_copy() {
    let dir = scratch("pairs-embed");
    for (source, file) in SOURCES {
        let doc = load(&fixture(file));
        for target in TARGETS {
            let path = dir.join(format!("{source}-to-{target}.xlsx"));
            convert_to(&doc, target, true, &path);
            let back = load(&path);
            let (written, _, _) = prepare(&doc, &Template::builtin(target).unwrap());
            assert_same(
                &without_source(&back),
                &without_source(&written),
                &format!("{source} → {target}"),
            );
            // Inferred fields are the only additions, and they are flagged.
            assert_same(
                &comparable(&strip_inferred(&back, &doc)),
                &comparable(&doc),
                &format!("{source} → {target}: nothing lost"),
            );
        }
    }
}

/// The document without what the conversion inferred: flagged classes, and a 合计 or
/// unit subtotals the source did not state.
fn strip_inferred(doc: &Document, source: &Document) -> Document {
    let mut d = doc.clone();
    for ind in d.projects.iter_mut().flat_map(|p| &mut p.indicators) {
        if ind.inferred.iter().any(|f| f == "level2") {
            ind.level2 = None;
        }
        if ind.inferred.iter().any(|f| f == "level1") {
            ind.level1 = None;
        }
        ind.inferred.clear();
    }
    if source.total.is_none() {
        d.total = None;
    }
    d.units
        .retain(|u| source.units.iter().any(|s| s.name == u.name));
    d
}

#[test]
fn without_embedding_exactly_the_unreported_fields_come_back() {
    let dir = scratch("pairs-form");
    for (source, file) in SOURCES {
        let doc = load(&fixture(file));
        for target in TARGETS {
            let path = dir.join(format!("{source}-to-{target}.xlsx"));
            convert_to(&doc, target, false, &path);
            let back = load_form_only(&path);
            let (_, carried, report) = prepare(&doc, &Template::builtin(target).unwrap());
            let mut expected = comparable(&carried);
            let mut got = comparable(&back);
            if expected.fiscal_year.is_none()
                || report.dropped.iter().any(|d| d.field == "fiscal_year")
            {
                // Not printed by the target; a reader may re-derive it from dates.
                expected.fiscal_year = None;
                got.fiscal_year = None;
            }
            assert_same(
                &got,
                &expected,
                &format!("{source} → {target}: form-only read-back vs what the report keeps"),
            );
            if source == target {
                // Only a fiscal year that the form does not print (tangshan) may go.
                let lost: Vec<_> = report
                    .dropped
                    .iter()
                    .filter(|d| d.field != "fiscal_year")
                    .collect();
                assert!(lost.is_empty(), "{source} → itself drops nothing: {lost:?}");
            }
        }
    }
}

#[test]
fn the_report_names_project_and_indicator_of_each_drop() {
    let doc = load(&fixture("tangshan_2025.xlsx"));
    let (_, _, report) = prepare(&doc, &Template::builtin("luan").unwrap());
    let basis = report.dropped.iter().filter(|d| d.field == "basis").count();
    assert_eq!(basis, 108, "every indicator's 指标值确定依据");
    let d = report.dropped.iter().find(|d| d.field == "code").unwrap();
    assert_eq!(d.project.as_deref(), Some("办公楼运转经费"));
    assert_eq!(d.value, "13020025P004M6910003G");
    assert!(report.dropped.iter().any(|d| d.field == "overall.sections"));
    // luan shows 中期 values that tangshan never had: left blank, never invented.
    assert!(report.blank.iter().any(|b| b.field == "values.mid_term"));
    let back_doc = {
        let dir = scratch("no-invent");
        let path = dir.join("t.xlsx");
        convert_to(&doc, "luan", false, &path);
        load_form_only(&path)
    };
    assert!(
        back_doc
            .projects
            .iter()
            .flat_map(|p| &p.indicators)
            .all(|i| i.values.mid_term.is_none())
    );
}

#[test]
fn the_cli_writes_the_report_file() {
    let dir = scratch("cli-report");
    let out = dir.join("y.xlsx");
    let report = dir.join("loss.json");
    let o = jixiao(&[
        "convert",
        fixture("yancheng_2022.xlsx").to_str().unwrap(),
        "--to",
        "luan",
        "-o",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("values.half_year ×63"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(json["target"], "luan");
    assert!(
        json["dropped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["field"] == "necessity")
    );
}

#[test]
fn every_project_layout_to_guangzhou_keeps_class_name_and_annual_value() {
    let dir = scratch("to-guangzhou");
    for (source, file) in SOURCES {
        let doc = load(&fixture(file));
        let path = dir.join(format!("{source}.xlsx"));
        convert_to(&doc, "guangzhou", false, &path);
        let back = load_form_only(&path);
        assert_eq!(back.projects.len(), doc.projects.len(), "{source}");
        for (p, q) in doc.projects.iter().zip(&back.projects) {
            assert_eq!(
                p.indicators.len(),
                q.indicators.len(),
                "{source}: {}",
                p.name
            );
            for (i, j) in p.indicators.iter().zip(&q.indicators) {
                assert_eq!((&i.level1, &i.name), (&j.level1, &j.name), "{source}");
                let text =
                    |v: &jixiao::model::Indicator| v.values.annual.as_ref().map(|v| v.text.clone());
                assert_eq!(text(i), text(j), "{source}: {}", i.name);
            }
        }
    }
}

#[test]
fn guangzhou_to_luan_infers_classes_and_says_so() {
    let doc = load(&fixture("guangzhou.xlsx"));
    let (written, _, report) = prepare(&doc, &Template::builtin("luan").unwrap());
    // Every guangzhou indicator lacks 二级指标: each is inferred, or left blank and reported.
    let inferred = report
        .inferred
        .iter()
        .filter(|i| i.field == "level2")
        .count();
    let blank: usize = report
        .blank
        .iter()
        .filter(|b| b.field == "level2")
        .filter_map(|b| b.indicators)
        .sum();
    assert_eq!(inferred + blank, 77);
    assert!(
        inferred >= 70,
        "most classes follow from names and values: {inferred}"
    );
    let satisfied = written
        .projects
        .iter()
        .flat_map(|p| &p.indicators)
        .filter(|i| i.name.contains("满意"))
        .all(|i| {
            i.level2.as_deref() == Some("服务对象满意度指标")
                && i.inferred.contains(&"level2".to_string())
        });
    assert!(satisfied, "满意度 → 服务对象满意度指标, flagged");
    // The five published indicators without a class get one from their 二级 class.
    assert_eq!(
        report
            .inferred
            .iter()
            .filter(|i| i.field == "level1")
            .count(),
        5
    );
    assert!(
        report.dropped.iter().any(|d| d.field == "units"),
        "luan has no unit rows"
    );
}

#[test]
fn kinds_meet_with_a_clear_message() {
    let dir = scratch("kinds");
    let out = dir.join("x.xlsx");
    let o = jixiao(&[
        "convert",
        fixture("linyi_2023.xlsx").to_str().unwrap(),
        "--to",
        "luan",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("layout luan holds project tables") && err.contains("linyi"),
        "{err}"
    );
    assert!(!out.exists());
    let o = jixiao(&[
        "convert",
        fixture("tangshan_2025.xlsx").to_str().unwrap(),
        "--to",
        "linyi",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("layouts for projects: ") && err.contains("luan"),
        "{err}"
    );
}

#[test]
fn tangshan_goes_both_ways_and_keeps_its_part_one() {
    let dir = scratch("tangshan-kinds");
    let tangshan = load(&fixture("tangshan_2025.xlsx"));
    // tangshan → luan (projects only) → back, with the embedded copy: part 1 survives.
    let path = dir.join("luan.xlsx");
    convert_to(&tangshan, "luan", true, &path);
    assert_eq!(load(&path).overall, tangshan.overall);
    // linyi (department duties) → tangshan: the duties become part-1 text.
    let linyi = load(&fixture("linyi_2023.xlsx"));
    let path = dir.join("tangshan.xlsx");
    convert_to(&linyi, "tangshan", false, &path);
    let sections = load_form_only(&path).overall.unwrap().sections;
    let duties: Vec<_> = sections.iter().filter(|s| !s.text.is_empty()).collect();
    assert_eq!(duties.len(), 5, "one section per duty");
    assert!(duties[0].text.contains("住房公积金归集额"));
}

#[test]
fn guangzhou_and_linyi_round_trip_every_published_text() {
    let dir = scratch("own-layout");
    for (layout, file) in [
        ("guangzhou", "guangzhou.xlsx"),
        ("linyi", "linyi_2023.xlsx"),
    ] {
        let doc = load(&fixture(file));
        let path = dir.join(format!("{layout}.xlsx"));
        convert_to(&doc, layout, false, &path);
        let back = load_form_only(&path);
        let mut expected = without_source(&doc);
        let mut got = without_source(&back);
        if layout == "guangzhou" {
            // Not printed: re-derived (or not) from dates.
            expected.fiscal_year = None;
            got.fiscal_year = None;
        }
        assert_same(&got, &expected, layout);
    }
}

/// The report a conversion prints (worked out without copying the projects'
/// indicators) is the report of preparing the document, for every fixture and layout.
#[test]
fn the_report_alone_is_the_report_of_preparing() {
    let files = [
        "guangzhou.xlsx",
        "luan_2023.xlsx",
        "yancheng_2022.xlsx",
        "tangshan_2025.xlsx",
        "linyi_2023.xlsx",
        "regions/ningde_2019.xlsx",
        "regions/ezhou_2022.xlsx",
    ];
    for file in files {
        let doc = load(&fixture(file));
        for target in &Template::builtins() {
            let (_, _, prepared) = prepare(&doc, target);
            let ready = jixiao::loss::ready_owned(doc.without_provenance(), target);
            let alone = ready.loss_report(target);
            assert_eq!(
                format!("{alone:?}"),
                format!("{prepared:?}"),
                "{file} → {}",
                target.id
            );
        }
    }
}
