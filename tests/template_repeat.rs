//! `repeat` over a list other than 支出 lines: tangshan's 资金支出计划, printed as
//! columns in its own form, goes to a form that prints it one entry per row
//! (tests/fixtures/templates/schedule_lines.toml) and reads back entry for entry.

mod common;

use common::*;

#[test]
fn schedule_entries_print_one_per_row_and_read_back() {
    let dir = scratch("repeat-schedule");
    let template = fixture("templates/schedule_lines.toml");
    let out = dir.join("lines.xlsx");
    let o = jixiao(&[
        "convert",
        fixture("tangshan_2025.xlsx").to_str().unwrap(),
        "--to",
        template.to_str().unwrap(),
        "--no-embed",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let source = load(&fixture("tangshan_2025.xlsx"));
    let back = load_with(&out, &template);
    assert_eq!(back.projects.len(), source.projects.len());
    let with_schedule = source
        .projects
        .iter()
        .filter(|p| !p.funding.schedule.is_empty())
        .count();
    assert!(
        with_schedule > 10,
        "the fixture has schedules: {with_schedule}"
    );
    for (got, want) in back.projects.iter().zip(&source.projects) {
        assert_eq!(got.name, want.name);
        assert_eq!(got.code, want.code);
        assert_eq!(
            got.funding.schedule, want.funding.schedule,
            "{}: the schedule comes back entry for entry",
            want.name
        );
        assert_eq!(got.indicators.len(), want.indicators.len(), "{}", want.name);
    }
    // Each entry's percentage has its own cell, recorded as its provenance.
    assert!(
        back.source
            .cells
            .keys()
            .any(|k| k.starts_with("projects[0].funding.schedule[0].percent")),
        "{:?}",
        back.source.cells.keys().take(12).collect::<Vec<_>>()
    );
}

#[test]
fn unit_subtotals_print_as_rows_and_read_back_once() {
    let dir = scratch("repeat-units");
    let template = fixture("templates/unit_lines.toml");
    let out = dir.join("units.xlsx");
    let report = dir.join("report.json");
    let o = jixiao(&[
        "convert",
        fixture("guangzhou.xlsx").to_str().unwrap(),
        "--to",
        template.to_str().unwrap(),
        "--no-embed",
        "--report",
        report.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let source = load(&fixture("guangzhou.xlsx"));
    assert!(source.units.len() >= 2, "the fixture states unit subtotals");

    let back = load_with(&out, &template);
    assert_eq!(back.projects.len(), source.projects.len());
    // Every project's form prints the units; the document has each once, with the
    // two funds the form has columns for.
    assert_eq!(back.units.len(), source.units.len());
    for (got, want) in back.units.iter().zip(&source.units) {
        assert_eq!(got.name, want.name);
        assert_eq!(got.amounts.total, want.amounts.total, "{}", want.name);
        assert_eq!(got.amounts.fiscal, want.amounts.fiscal, "{}", want.name);
    }
    // The funds without a column are reported as dropped, not lost silently.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let dropped: Vec<&str> = report["dropped"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["field"].as_str())
        .collect();
    let other_funds = source
        .units
        .iter()
        .filter(|u| u.amounts.other.is_some())
        .count();
    assert_eq!(
        dropped.iter().filter(|f| **f == "units.other").count(),
        other_funds
    );
    assert!(
        !dropped.contains(&"units"),
        "the units themselves have a place"
    );
}
