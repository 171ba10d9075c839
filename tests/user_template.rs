//! A region that ships no template: a user's TOML file reads and writes its form with
//! no Rust code (tests/fixtures/templates/county.toml: its own title, labels and
//! column order, the indicator name before its classes).

mod common;

use common::*;
use jixiao::convert::{self, ReadOptions};
use jixiao::loss::prepare;
use jixiao::template::Template;

fn county() -> std::path::PathBuf {
    fixture("templates/county.toml")
}

#[test]
fn luan_converts_to_the_county_form_and_reads_back() {
    let dir = scratch("county");
    let out = dir.join("county.xlsx");
    let o = jixiao(&[
        "convert",
        fixture("luan_2023.xlsx").to_str().unwrap(),
        "--template",
        county().to_str().unwrap(),
        "--no-embed",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("no place in county"),
        "the loss report names the user layout: {stderr}"
    );

    // Read back by detection among the built-ins plus the user's layout.
    let json = dir.join("back.json");
    let o = jixiao(&[
        "convert",
        out.to_str().unwrap(),
        "--template",
        county().to_str().unwrap(),
        "--format",
        "json",
        "-o",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let back: jixiao::Document = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(back.source.layout, "county");

    let template = Template::from_file(&county()).unwrap();
    let (_, carried, report) = prepare(&load(&fixture("luan_2023.xlsx")), &template);
    let mut expected = without_source(&carried);
    let mut got = without_source(&back);
    expected.title = None;
    got.title = None;
    assert_same(&got, &expected, "county form read back");
    assert!(
        report
            .dropped
            .iter()
            .any(|d| d.field == "goals.mid_term.text")
    );
    assert_eq!(got.projects[0].indicators.len(), 21);
    assert_eq!(
        got.projects[0].indicators[0]
            .values
            .mid_term
            .as_ref()
            .unwrap()
            .text,
        "≥6次"
    );
}

#[test]
fn a_user_template_reads_with_from() {
    let dir = scratch("county-from");
    let out = dir.join("county.csv");
    let o = jixiao(&[
        "convert",
        fixture("luan_2023_stacked.csv").to_str().unwrap(),
        "--to",
        county().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let options = ReadOptions {
        from: Some(Template::from_file(&county()).unwrap()),
        ..Default::default()
    };
    let doc = convert::load(&out, &options).unwrap().document;
    assert_eq!(doc.projects.len(), 2);
    assert_eq!(doc.fiscal_year, Some(2023));
    assert_eq!(
        doc.projects[1]
            .funding
            .annual
            .as_ref()
            .unwrap()
            .total
            .unwrap()
            .to_string(),
        "82.19"
    );
}

#[test]
fn a_broken_user_template_says_what_is_wrong() {
    let dir = scratch("county-bad");
    let bad = dir.join("bad.toml");
    let text = std::fs::read_to_string(county())
        .unwrap()
        .replace("funding.annual.other", "funding.yearly.other");
    std::fs::write(&bad, text).unwrap();
    let o = jixiao(&[
        "convert",
        fixture("luan_2023.xlsx").to_str().unwrap(),
        "--template",
        bad.to_str().unwrap(),
        "-o",
        dir.join("x.xlsx").to_str().unwrap(),
    ]);
    assert_ne!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("funding.yearly.other"),
        "{err}"
    );
    assert!(!dir.join("x.xlsx").exists());
}
