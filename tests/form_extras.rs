//! A printed field the model has no name for (鄂州's 项目性质, 立项依据): a form cell with
//! `field = "extras"` keeps it in `extras` under its label, writes it back, and hands it
//! to any target form with a cell of the same label; a target without one reports it.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jixiao::Document;

/// The county form with one more row: 项目性质 | (extras), placed where `row_before`
/// (a label of county.toml) starts its row, so two templates can differ in layout.
fn county_with_nature(dir: &Path, name: &str, before: &str) -> PathBuf {
    let base = std::fs::read_to_string(fixture("templates/county.toml")).unwrap();
    let row = "[[form]]\ncells = [{ label = \"项目性质\" }, { field = \"extras\", cols = 5 }]\n\n";
    let at = base
        .find(&format!("[[form]]\ncells = [\n  {{ label = \"{before}\""))
        .or_else(|| base.find(&format!("[[form]]\ncells = [{{ label = \"{before}\"")))
        .expect("the row to insert before");
    let text = format!("{}{row}{}", &base[..at], &base[at..])
        .replace("id = \"county\"", &format!("id = \"{name}\""));
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn source() -> Document {
    let mut doc = load(&fixture("luan_2023.xlsx"));
    for (i, p) in doc.projects.iter_mut().enumerate() {
        p.extras.insert("项目性质".into(), format!("持续性项目{i}"));
    }
    doc
}

#[test]
fn an_extras_cell_reads_and_writes_its_label() {
    let dir = scratch("form-extras");
    let template = county_with_nature(&dir, "county-a", "年度绩效目标");
    let doc = source();
    let out = dir.join("a.xlsx");
    write_with(&doc, &template, &out);
    let back = load_with(&out, &template);
    for (i, p) in back.projects.iter().enumerate() {
        assert_eq!(
            p.extras.get("项目性质").map(String::as_str),
            Some(format!("持续性项目{i}").as_str())
        );
    }
    let (_, carried, report) =
        jixiao::loss::prepare(&doc, &jixiao::Template::from_file(&template).unwrap());
    assert!(
        !report.dropped.iter().any(|d| d.field == "extras.项目性质"),
        "{:?}",
        report.dropped
    );
    let mut got = without_source(&back);
    let mut want = without_source(&carried);
    got.title = None;
    want.title = None;
    assert_same(&got, &want, "read back = carried");
}

#[test]
fn a_target_with_the_same_label_receives_it_and_others_report_it() {
    let dir = scratch("form-extras-targets");
    let a = county_with_nature(&dir, "county-a", "年度绩效目标");
    let b = county_with_nature(&dir, "county-b", "实施单位");
    let doc = source();
    // Through a form A, then to a form B of another layout: the value follows its label.
    let out_a = dir.join("a.xlsx");
    write_with(&doc, &a, &out_a);
    let read_a = load_with(&out_a, &a);
    let out_b = dir.join("b.xlsx");
    write_with(&read_a, &b, &out_b);
    let read_b = load_with(&out_b, &b);
    assert_eq!(
        read_b.projects[1]
            .extras
            .get("项目性质")
            .map(String::as_str),
        Some("持续性项目1")
    );
    // luan has no such label: each value is reported as dropped.
    let (_, _, report) =
        jixiao::loss::prepare(&read_a, &jixiao::Template::builtin("luan").unwrap());
    let dropped = report
        .dropped
        .iter()
        .filter(|d| d.field == "extras.项目性质")
        .count();
    assert_eq!(dropped, 2);
}
