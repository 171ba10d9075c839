//! Any-to-any among the project layouts: every ordered pair converts; with the
//! embedded copy the document comes back whole; without it, exactly what the loss
//! report does not list as dropped comes back (so the report cannot lie).

mod common;

use common::*;
use jixiao::Document;
use jixiao::convert::{self, Format, WriteOptions};
use jixiao::loss::prepare;
use jixiao::template::Template;
use jixiao::write::csv::CsvEncoding;

const SOURCES: [(&str, &str); 3] = [
    ("luan", "luan_2023.xlsx"),
    ("yancheng", "yancheng_2022.xlsx"),
    ("tangshan", "tangshan_2025.xlsx"),
];
const TARGETS: [&str; 4] = ["luan", "national", "yancheng", "tangshan"];

fn convert_to(doc: &Document, target: &str, embed: bool, path: &std::path::Path) {
    let options = WriteOptions {
        format: Format::Xlsx,
        template: Some(Template::builtin(target).unwrap()),
        embed,
        csv_encoding: CsvEncoding::Utf8Bom,
    };
    let rendered = convert::render_outputs(doc, &options).unwrap();
    convert::save(path, &rendered.outputs).unwrap();
}

/// What a comparison of read documents looks at: not where they came from, nor the
/// title (each form prints its own).
fn comparable(doc: &Document) -> Document {
    let mut d = without_source(doc);
    d.title = None;
    d
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
                &comparable(&strip_inferred(&back)),
                &comparable(&doc),
                &format!("{source} → {target}: nothing lost"),
            );
        }
    }
}

fn strip_inferred(doc: &Document) -> Document {
    let mut d = doc.clone();
    for ind in d.projects.iter_mut().flat_map(|p| &mut p.indicators) {
        if ind.inferred.iter().any(|f| f == "level2") {
            ind.level2 = None;
        }
        ind.inferred.clear();
    }
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
            if report.dropped.iter().any(|d| d.field == "fiscal_year") {
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
