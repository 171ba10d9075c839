//! Workbooks as they arrive (issue 13): each built-in layout's fixture with note and
//! signature lines under its tables — merged across the table and split over cells,
//! after a blank row, under every project of a stacked sheet — reads to 100 % of its
//! facts, with the lines in `notes` and `signatures` (never as an indicator, duty,
//! project or unit), and converts to every other layout with them printed or reported.
//!
//! The workbooks are built here: every cell and merge of the fixture is copied with
//! rust_xlsxwriter, and the footer rows are inserted where a table ends.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use jixiao::Document;
use jixiao::grid::Sheet;
use jixiao::model::Signature;

/// What each table gets under it: a blank row, a merged note, a signature row split
/// over cells, and a merged row of two more slots.
const FOOTER: &[Line] = &[
    Line::Blank,
    Line::Merged("注：本表金额单位为万元。"),
    Line::Split(&[
        "单位负责人：",
        "王某",
        "填表人：",
        "李某",
        "联系电话：",
        "0564-1234567",
    ]),
    Line::Merged("填报日期：2023年1月10日　　审核意见：同意"),
];

fn expected_notes() -> Vec<String> {
    vec!["注：本表金额单位为万元。".to_string()]
}

fn expected_signatures() -> Vec<Signature> {
    [
        ("单位负责人", "王某"),
        ("填表人", "李某"),
        ("联系电话", "0564-1234567"),
        ("填报日期", "2023年1月10日"),
        ("审核意见", "同意"),
    ]
    .iter()
    .map(|(r, v)| Signature {
        role: r.to_string(),
        value: v.to_string(),
    })
    .collect()
}

/// Copies a workbook, inserting `FOOTER` before each row `at(sheet)` names (a row
/// index past the end appends it).
fn with_footers(source: &Path, out: &Path, at: impl Fn(&Sheet) -> Vec<usize>) -> PathBuf {
    copy_xlsx(source, out, at, FOOTER, |_, _, _, cell| cell.clone())
}

/// The end of every sheet.
fn at_end(sheet: &Sheet) -> Vec<usize> {
    vec![sheet.height()]
}

/// Under each project of a stacked tangshan sheet: before the blank row that stands
/// before each "N.…绩效目标表" heading after the first, and at the end.
fn under_each_project(sheet: &Sheet) -> Vec<usize> {
    let heading = |r: usize| {
        let t = sheet.raw(r, 0).display();
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && t[digits..].starts_with('.') && t.ends_with("绩效目标表")
    };
    let mut at: Vec<usize> = (0..sheet.height())
        .filter(|&r| heading(r))
        .skip(1)
        .map(|r| {
            if r > 0 && sheet.raw(r - 1, 0).is_empty() {
                r - 1
            } else {
                r
            }
        })
        .collect();
    if !at.is_empty() {
        at.push(sheet.height());
    }
    at
}

fn read(path: &Path) -> Document {
    load(path)
}

fn assert_project_footers(doc: &Document, what: &str) {
    assert!(!doc.projects.is_empty(), "{what}");
    for p in &doc.projects {
        assert_eq!(p.notes, expected_notes(), "{what}: {}", p.name);
        assert_eq!(p.signatures, expected_signatures(), "{what}: {}", p.name);
    }
    assert!(doc.notes.is_empty() && doc.signatures.is_empty(), "{what}");
}

fn assert_document_footer(doc: &Document, what: &str) {
    assert_eq!(doc.notes, expected_notes(), "{what}");
    assert_eq!(doc.signatures, expected_signatures(), "{what}");
}

/// Converts to every built-in layout: the notes and signatures are printed (a user
/// template with a footer) or each listed as dropped.
fn converts_everywhere(path: &Path, doc: &Document, dir: &Path) {
    let notes = doc.notes.len() + doc.projects.iter().map(|p| p.notes.len()).sum::<usize>();
    let signatures = doc.signatures.len()
        + doc
            .projects
            .iter()
            .map(|p| p.signatures.len())
            .sum::<usize>();
    for target in [
        "luan",
        "national",
        "yancheng",
        "tangshan",
        "guangzhou",
        "linyi",
    ] {
        let report = dir.join(format!("{target}.report.json"));
        let out = dir.join(format!("{target}.xlsx"));
        let o = jixiao(&[
            "convert",
            path.to_str().unwrap(),
            "--to",
            target,
            "-o",
            out.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ]);
        if !o.status.success() {
            // A layout that cannot hold the document at all says so (linyi ← projects).
            assert!(
                String::from_utf8_lossy(&o.stderr).contains("holds"),
                "{target}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            continue;
        }
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        let dropped = |field: &str| {
            report["dropped"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["field"] == field)
                .count()
        };
        // No built-in form prints a footer (none of the published forms has one).
        assert_eq!(dropped("notes"), notes, "{target}: every note reported");
        assert_eq!(
            dropped("signatures"),
            signatures,
            "{target}: every slot reported"
        );
    }
}

#[test]
fn luan_with_footers_under_each_sheet() {
    let dir = scratch("footers-luan");
    let path = with_footers(
        &fixture("luan_2023.xlsx"),
        &dir.join("source-luan.xlsx"),
        at_end,
    );
    let doc = read(&path);
    assert_facts("luan_2023.facts.json", &doc, &[]);
    assert_project_footers(&doc, "luan");
    converts_everywhere(&path, &doc, &dir);
}

#[test]
fn yancheng_with_a_footer() {
    let dir = scratch("footers-yancheng");
    let path = with_footers(
        &fixture("yancheng_2022.xlsx"),
        &dir.join("source-yc.xlsx"),
        at_end,
    );
    let doc = read(&path);
    assert_facts("yancheng_2022.facts.json", &doc, &[]);
    assert_project_footers(&doc, "yancheng");
    converts_everywhere(&path, &doc, &dir);
}

#[test]
fn tangshan_with_a_footer_under_every_stacked_project() {
    let dir = scratch("footers-tangshan");
    let path = with_footers(
        &fixture("tangshan_2025.xlsx"),
        &dir.join("source-ts.xlsx"),
        under_each_project,
    );
    let doc = read(&path);
    assert_facts("tangshan_2025.facts.json", &doc, &[]);
    assert_eq!(doc.projects.len(), 19);
    assert_project_footers(&doc, "tangshan");
    converts_everywhere(&path, &doc, &dir);
}

#[test]
fn guangzhou_list_with_a_footer() {
    let dir = scratch("footers-guangzhou");
    let path = with_footers(
        &fixture("guangzhou.xlsx"),
        &dir.join("source-gz.xlsx"),
        at_end,
    );
    let doc = read(&path);
    assert_facts("guangzhou.facts.json", &doc, &[]);
    assert_document_footer(&doc, "guangzhou");
    assert!(
        doc.units
            .iter()
            .all(|u| !u.name.starts_with('注') && !u.name.contains("负责人")),
        "no footer line is a unit"
    );
    converts_everywhere(&path, &doc, &dir);
}

#[test]
fn linyi_duties_with_a_footer() {
    let dir = scratch("footers-linyi");
    let path = with_footers(
        &fixture("linyi_2023.xlsx"),
        &dir.join("source-ly.xlsx"),
        at_end,
    );
    let doc = read(&path);
    assert_facts("linyi_2023.facts.json", &doc, &[]);
    assert_document_footer(&doc, "linyi");
    converts_everywhere(&path, &doc, &dir);
}

/// A template that declares a footer prints the lines, and reading the form back
/// gives them again.
#[test]
fn a_template_with_a_footer_prints_them() {
    let dir = scratch("footers-printed");
    let source = with_footers(
        &fixture("luan_2023.xlsx"),
        &dir.join("source-luan.xlsx"),
        at_end,
    );
    let base = std::fs::read_to_string(fixture("templates/county.toml")).unwrap();
    let template = dir.join("county_footer.toml");
    std::fs::write(
        &template,
        format!(
            "{base}\n[footer]\nsignatures = [\"单位负责人\", \"填表人\", \"联系电话\", \"填报日期\"]\n"
        ),
    )
    .unwrap();
    let out = dir.join("county.xlsx");
    let report = dir.join("report.json");
    let o = jixiao(&[
        "convert",
        source.to_str().unwrap(),
        "--to",
        template.to_str().unwrap(),
        "--no-embed",
        "--report",
        report.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(
        !report.contains("\"notes\"") && !report.contains("\"signatures\""),
        "{report}"
    );
    let back = load_with(&out, &template);
    assert_project_footers(&back, "county with a footer, read back");
}

/// "附件2" above the title is no title and no field: it is kept as a note.
#[test]
fn a_line_above_the_title_is_a_note() {
    let dir = scratch("footers-above");
    let path = copy_xlsx(
        &fixture("luan_2023.xlsx"),
        &dir.join("source-luan.xlsx"),
        |_| vec![0],
        &[Line::Split(&["附件2"])],
        |_, _, _, cell| cell.clone(),
    );
    let doc = read(&path);
    assert_facts("luan_2023.facts.json", &doc, &[]);
    assert_eq!(doc.notes, vec!["附件2".to_string()]);
    assert_eq!(
        doc.title.as_deref(),
        Some("表十四、2023年项目支出绩效目标表")
    );
}

/// A form whose footer prints signature slots the document does not fill: the blank
/// slots read back as blank signatures, and the loss report's carried document says so
/// (the plain luan fixture has no footer at all).
#[test]
fn blank_signature_slots_are_what_the_form_carries() {
    let dir = scratch("footers-blank-slots");
    let base = std::fs::read_to_string(fixture("templates/county.toml")).unwrap();
    let template = dir.join("county_slots.toml");
    std::fs::write(
        &template,
        format!("{base}\n[footer]\nsignatures = [\"单位负责人\", \"填表人\"]\n"),
    )
    .unwrap();
    let doc = load(&fixture("luan_2023.xlsx"));
    let out = dir.join("county.xlsx");
    write_with(&doc, &template, &out);
    let (_, carried, report) =
        jixiao::loss::prepare(&doc, &jixiao::Template::from_file(&template).unwrap());
    assert!(report.dropped.iter().all(|d| d.field != "signatures"));
    let back = load_with(&out, &template);
    for (got, want) in back.projects.iter().zip(&carried.projects) {
        let roles: Vec<(&str, &str)> = want
            .signatures
            .iter()
            .map(|s| (s.role.as_str(), s.value.as_str()))
            .collect();
        assert_eq!(roles, [("单位负责人", ""), ("填表人", "")]);
        assert_eq!(got.signatures, want.signatures, "{}", got.name);
    }
}
