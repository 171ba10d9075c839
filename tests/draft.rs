//! `jixiao template draft`: a template drafted from a fixture with its own layout
//! withheld reads the fixture's facts, writes a form that reads back the same, and is
//! the same bytes every time.

mod common;

use std::path::{Path, PathBuf};

use common::{Line, comparable, copy_xlsx, facts_percent, fixture, load_with, scratch, write_with};

/// Drafts from workbooks with the given built-in layouts withheld; returns the file.
fn draft(name: &str, inputs: &[PathBuf], without: &[&str]) -> PathBuf {
    let books: Vec<_> = inputs
        .iter()
        .map(|p| jixiao::read::read_path(p).unwrap())
        .collect();
    let without: Vec<String> = without.iter().map(|w| w.to_string()).collect();
    let text = jixiao::draft::draft(&books, &without).unwrap();
    let path = scratch(&format!("draft-{name}")).join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    jixiao::Template::from_file(&path).unwrap();
    path
}

/// The facts the drafted template reads, and that its own form reads back the same.
fn check(name: &str, workbook: &str, facts: &str, without: &[&str], floor: f64) {
    let path = fixture(workbook);
    let template = draft(name, std::slice::from_ref(&path), without);
    let doc = load_with(&path, &template);
    let pct = facts_percent(facts, &doc);
    assert!(
        pct >= floor,
        "{workbook}: {pct}% of the facts, wanted {floor}%"
    );
    let out = template.with_extension("xlsx");
    write_with(&doc, &template, &out);
    let back = load_with(&out, &template);
    assert_eq!(
        comparable(&back),
        comparable(&doc),
        "{workbook} written and read back"
    );
}

#[test]
fn ezhou_drafted_without_ezhou() {
    check(
        "ezhou",
        "regions/ezhou_2022.xlsx",
        "regions/ezhou_2022.facts.json",
        &["ezhou"],
        100.0,
    );
}

#[test]
fn yancheng_drafted_without_yancheng() {
    check(
        "yancheng",
        "yancheng_2022.xlsx",
        "yancheng_2022.facts.json",
        &["yancheng"],
        100.0,
    );
}

#[test]
fn luan_drafted_without_luan_or_national() {
    check(
        "luan",
        "luan_2023.xlsx",
        "luan_2023.facts.json",
        &["luan", "national"],
        100.0,
    );
}

/// Part 1 (the department's headed text on its own sheet) is not drafted: the facts
/// of its sections are what is missing.
#[test]
fn tangshan_drafted_without_tangshan() {
    check(
        "tangshan",
        "tangshan_2025.xlsx",
        "tangshan_2025.facts.json",
        &["tangshan"],
        97.0,
    );
}

/// A flat list (项目名称 | 总计 | 财政拨款 … | 绩效指标 with numbered text): `[list]`.
#[test]
fn guangzhou_drafted_without_guangzhou() {
    check(
        "guangzhou",
        "guangzhou.xlsx",
        "guangzhou.facts.json",
        &["guangzhou"],
        100.0,
    );
}

/// A department form: its fields and totals, a 年度履职目标 duties table with spending
/// lines, then the department's indicator table (`scope = "document"`).
#[test]
fn ningde_drafted_without_ningde() {
    check(
        "ningde",
        "regions/ningde_2019.xlsx",
        "regions/ningde_2019.facts.json",
        &["ningde"],
        100.0,
    );
}

/// A four-row merged duties header (职责序号 | 部门职责 ×2 | … | 来源 under 当年标准值 and
/// under 历史值): `[duties]`; the department named in the title.
#[test]
fn linyi_drafted_without_linyi() {
    check(
        "linyi",
        "linyi_2023.xlsx",
        "linyi_2023.facts.json",
        &["linyi"],
        100.0,
    );
}

#[test]
fn drafting_twice_gives_the_same_bytes() {
    let path = fixture("yancheng_2022.xlsx");
    let a = std::fs::read(draft("twice-a", std::slice::from_ref(&path), &["yancheng"])).unwrap();
    let b = std::fs::read(draft("twice-b", std::slice::from_ref(&path), &["yancheng"])).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_draft_from_the_xlsx_and_its_csv_reads_both() {
    let xlsx = fixture("luan_2023.xlsx");
    let csv = fixture("luan_2023__公积金中心运转维护经费.csv");
    let template = draft("two", &[xlsx.clone(), csv.clone()], &["luan", "national"]);
    assert_eq!(load_with(&xlsx, &template).projects.len(), 2);
    let from_csv = load_with(&csv, &template);
    assert_eq!(from_csv.projects.len(), 1);
    assert_eq!(from_csv.projects[0].name, "公积金中心运转维护经费");
    assert!(!from_csv.projects[0].indicators.is_empty());
}

#[test]
fn a_workbook_without_an_indicator_table_is_refused() {
    let path = scratch("draft-refused").join("notes.csv");
    std::fs::write(&path, "一些说明\n第二行,没有表头\n").unwrap();
    let book = jixiao::read::read_path(Path::new(&path)).unwrap();
    let err = jixiao::draft::draft(&[book], &[]).unwrap_err();
    assert!(err.to_string().contains("no indicator table"), "{err}");
    assert_eq!(err.exit_code(), 1);
}

/// Whatever the form, a draft is a template that loads (labels with line breaks
/// included: 宁德's 年度\n预算\n安排).
#[test]
fn every_fixture_with_an_indicator_table_drafts_a_template_that_loads() {
    for (name, workbook) in [
        ("ningde", "regions/ningde_2019.xlsx"),
        ("ezhou-all", "regions/ezhou_2022.xlsx"),
        ("tangshan-all", "tangshan_2025.xlsx"),
    ] {
        draft(name, &[fixture(workbook)], &[]);
    }
}

#[test]
fn a_draft_from_the_form_and_a_shifted_copy_reads_both_to_their_facts() {
    // The same form with two lines inserted above the title ("附件2" and a blank row),
    // so that every cell sits two rows lower: one draft from both reads both.
    let dir = scratch("draft-shifted-source");
    let source = fixture("regions/ezhou_2022.xlsx");
    let shifted = copy_xlsx(
        &source,
        &dir.join("ezhou_shifted.xlsx"),
        |_| vec![0],
        &[Line::Split(&["附件2"]), Line::Blank],
        |_, _, _, cell| cell.clone(),
    );
    let template = draft("shifted", &[source.clone(), shifted.clone()], &["ezhou"]);
    for file in [&source, &shifted] {
        let doc = load_with(file, &template);
        assert_eq!(
            facts_percent("regions/ezhou_2022.facts.json", &doc),
            100.0,
            "{}",
            file.display()
        );
    }
}
