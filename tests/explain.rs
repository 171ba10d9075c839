//! `jixiao explain`: every non-empty cell of every fixture is accounted for once, and
//! what nothing read (the leftovers) is pinned per fixture.

mod common;

use std::collections::HashSet;

use common::{fixture, jixiao};
use serde_json::Value;

/// Runs `jixiao explain --format json` on files (given relative to tests/fixtures).
fn explain_json(files: &[&str], extra: &[&str]) -> Value {
    let paths: Vec<String> = files
        .iter()
        .map(|f| fixture(f).display().to_string())
        .collect();
    let mut args = vec!["explain", "--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(extra);
    let out = jixiao(&args);
    assert!(
        out.status.success(),
        "{files:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every non-empty top-left cell of the visible sheets, as `Sheet!A1`.
fn non_empty_cells(files: &[&str]) -> HashSet<String> {
    let mut cells = HashSet::new();
    for file in files {
        let book = jixiao::read::read_path(&fixture(file)).unwrap();
        for sheet in book.sheets.iter().filter(|s| !s.hidden) {
            for (r, row) in sheet.rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let covered = sheet
                        .merge_at(r, c)
                        .is_some_and(|m| (m.first_row as usize, m.first_col as usize) != (r, c));
                    if !covered && !cell.is_empty() {
                        cells.insert(sheet.origin(r, c));
                    }
                }
            }
        }
    }
    cells
}

fn strings<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap())
        .collect()
}

/// Asserts each non-empty cell is a field's cell or one other cell, once; returns the
/// leftover texts.
fn accounted(files: &[&str]) -> Vec<String> {
    let json = explain_json(files, &[]);
    let wanted = non_empty_cells(files);
    let fields: HashSet<&str> = strings(&json["fields"], "cell").into_iter().collect();
    let others = strings(&json["cells"], "cell");
    let distinct: HashSet<&str> = others.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        others.len(),
        "{files:?}: a cell listed twice"
    );
    for cell in &others {
        assert!(
            wanted.contains(*cell),
            "{files:?}: {cell} is no non-empty cell"
        );
        assert!(
            !fields.contains(cell),
            "{files:?}: {cell} is a field's cell too"
        );
    }
    for cell in &wanted {
        assert!(
            fields.contains(cell.as_str()) || distinct.contains(cell.as_str()),
            "{files:?}: {cell} is not accounted for"
        );
    }
    let counts = &json["counts"];
    let total: u64 = ["field", "label", "value", "note", "signature", "leftover"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, wanted.len(), "{files:?}: counts {counts}");
    json["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "leftover")
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_cell_of_every_fixture_is_accounted_for_once() {
    let sets: &[&[&str]] = &[
        &["luan_2023.xlsx"],
        &["yancheng_2022.xlsx"],
        &["tangshan_2025.xlsx"],
        &["guangzhou.xlsx"],
        &["linyi_2023.xlsx"],
        &["regions/ningde_2019.xlsx"],
        &["regions/ezhou_2022.xlsx"],
        &[
            "luan_2023__公积金中心市本级及管理部管理费.csv",
            "luan_2023__公积金中心运转维护经费.csv",
        ],
        &["luan_2023_stacked.csv"],
        &["yancheng_2022.csv"],
        &["yancheng_2022.gbk.csv"],
        &[
            "tangshan_2025__部门整体绩效目标.csv",
            "tangshan_2025__预算项目绩效目标表.csv",
        ],
        &["guangzhou.csv"],
        &["guangzhou.gbk.csv"],
        &["linyi_2023.csv"],
        &["regions/ningde_2019.csv"],
        &["regions/ezhou_2022.csv"],
    ];
    for files in sets {
        let leftovers = accounted(files);
        assert!(leftovers.is_empty(), "{files:?}: leftovers {leftovers:?}");
    }
}

#[test]
fn ezhou_cells_are_explained_by_kind() {
    let json = explain_json(&["regions/ezhou_2022.xlsx"], &[]);
    assert_eq!(json["layout"], "ezhou");
    assert_eq!(json["given"], false);
    assert_eq!(
        json["counts"],
        serde_json::json!({"field": 27, "label": 16, "value": 18, "note": 0, "signature": 2, "leftover": 0})
    );
    let cell = |a1: &str| {
        json["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["cell"] == format!("项目支出绩效目标表!{a1}"))
            .cloned()
            .unwrap()
    };
    assert_eq!(cell("A2")["kind"], "label");
    assert_eq!(cell("B13")["path"], "projects[0].indicators[0].name");
    assert_eq!(cell("A19")["kind"], "signature");
    let name = json["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "projects[0].name")
        .unwrap();
    assert_eq!(name["cell"], "项目支出绩效目标表!B2");
    assert_eq!(name["text"], "滨湖大厦办公大楼运行保障");
}

#[test]
fn a_wrong_layout_still_explains_with_leftovers() {
    for wrong in ["luan", "guangzhou"] {
        let json = explain_json(&["regions/ezhou_2022.xlsx"], &["--from", wrong]);
        assert_eq!(json["given"], true);
        assert_eq!(json["layout"], wrong);
        let counts = &json["counts"];
        assert!(
            counts["leftover"].as_u64().unwrap() > counts["field"].as_u64().unwrap(),
            "{wrong}: {counts}"
        );
    }
}

#[test]
fn a_bad_file_is_one_line_and_exit_2() {
    let dir = common::scratch("explain-bad");
    let bad = dir.join("bad.xlsx");
    std::fs::write(&bad, b"PK\x03\x04 not really a zip").unwrap();
    let out = jixiao(&["explain", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("jixiao: error: "), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn the_table_names_layout_fields_and_counts() {
    let out = jixiao(&[
        "explain",
        fixture("regions/ezhou_2022.xlsx").to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("layout   ezhou"), "{text}");
    assert!(text.contains("projects[0].name"), "{text}");
    assert!(text.contains("0 leftover(s)"), "{text}");
}
