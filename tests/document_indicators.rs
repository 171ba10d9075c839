//! A department-level indicator table (`[indicators] scope = "document"`): indicators
//! of the department as a whole, under no duty — written, read back into
//! `overall.indicators`, and reported where a target has no place for them.

mod common;

use common::*;
use jixiao::Document;
use jixiao::convert::{self, Format, WriteOptions};
use jixiao::model::{Amounts, Department, Kind, Money, Overall};
use jixiao::write::CsvEncoding;

fn template() -> std::path::PathBuf {
    fixture("templates/dept_indicators.toml")
}

/// A department document: the first luan project's indicators as the department's,
/// with an explanation on some.
fn department() -> Document {
    let luan = load(&fixture("luan_2023.xlsx"));
    let mut indicators = luan.projects[0].indicators.clone();
    for (i, ind) in indicators.iter_mut().enumerate().step_by(3) {
        ind.explanation = Some(format!("指标解释{i}"));
    }
    let mut doc = Document::new(Kind::Department);
    doc.fiscal_year = Some(2019);
    doc.department = Some(Department {
        code: Some("901001033".into()),
        name: "中共宁德市委党史和地方志研究室".into(),
    });
    doc.overall = Some(Overall {
        indicators,
        ..Overall::default()
    });
    doc.total = Some(Amounts {
        total: Money::parse("171.41"),
        project: Money::parse("60.8"),
        basic: Money::parse("110.61"),
        ..Amounts::default()
    });
    doc
}

#[test]
fn department_indicators_are_written_and_read_back() {
    let dir = scratch("document-indicators");
    let doc = department();
    let t = jixiao::Template::from_file(&template()).unwrap();
    let out = dir.join("dept.xlsx");
    write_with(&doc, &template(), &out);

    let back = load_with(&out, &template());
    assert_eq!(back.kind, Kind::Department);
    // The department's budget by nature of spending, from the form read once.
    assert_eq!(back.total, doc.total);
    let n = doc.overall.as_ref().unwrap().indicators.len();
    assert_eq!(back.overall.as_ref().unwrap().indicators.len(), n);
    assert!(back.projects.is_empty());
    let (_, carried, report) = jixiao::loss::prepare(&doc, &t);
    // The form has an annual value column only: the 中期 values are reported, nothing else.
    assert!(!report.dropped.is_empty());
    assert!(
        report.dropped.iter().all(|d| d.field == "values.mid_term"),
        "{:?}",
        report.dropped
    );
    let mut got = without_source(&back);
    let mut want = without_source(&carried);
    got.title = None;
    want.title = None;
    assert_same(&got, &want, "read back = carried");
    // Provenance names the department's own indicators.
    assert!(
        back.source
            .cells
            .keys()
            .any(|k| k.starts_with("overall.indicators[0].values.annual"))
    );
}

#[test]
fn targets_without_a_place_say_so() {
    let doc = department();
    // A project layout cannot hold them at all: refused, naming the layouts that can.
    let options = WriteOptions {
        format: Format::Xlsx,
        template: Some(jixiao::Template::builtin("luan").unwrap()),
        embed: true,
        csv_encoding: CsvEncoding::Utf8Bom,
    };
    let err = convert::render_outputs(&doc, &options).expect_err("refused");
    assert!(
        err.to_string().contains("department-level indicator"),
        "{err}"
    );
    // A department layout with duties but no such table reports them as dropped.
    let (_, _, report) = jixiao::loss::prepare(&doc, &jixiao::Template::builtin("linyi").unwrap());
    assert!(
        report
            .dropped
            .iter()
            .any(|d| d.field == "overall.indicators"),
        "{:?}",
        report.dropped
    );
}
