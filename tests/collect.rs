//! `jixiao collect`: the fixtures collected into SQLite hold their facts (counted and
//! summed with SQL), xlsx and CSV hold the same rows, broken files are listed, and a
//! second run re-reads only what changed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use calamine::{Data, Reader};
use jixiao::collect::{self, CollectOptions, Outcome};
use rusqlite::Connection;
use rust_decimal::Decimal;
use serde_json::Value;

use common::{fixture, scratch};

/// Every fixture (each format of it) beside its facts file: (path in the tree, facts).
const SETS: &[(&str, &str)] = &[
    ("luan_2023.xlsx", "luan_2023"),
    ("luan_2023_stacked.csv", "luan_2023"),
    ("legacy/luan_2023.xls", "luan_2023"),
    ("legacy/luan_2023.ods", "luan_2023"),
    ("legacy/luan_2023.html.xls", "luan_2023"),
    ("yancheng_2022.xlsx", "yancheng_2022"),
    ("yancheng_2022.csv", "yancheng_2022"),
    ("yancheng_2022.gbk.csv", "yancheng_2022"),
    ("legacy/yancheng_2022.ods", "yancheng_2022"),
    ("tangshan_2025.xlsx", "tangshan_2025"),
    ("legacy/tangshan_2025.xls", "tangshan_2025"),
    ("guangzhou.xlsx", "guangzhou"),
    ("guangzhou.gbk.csv", "guangzhou"),
    ("legacy/guangzhou.htm", "guangzhou"),
    ("linyi_2023.xlsx", "linyi_2023"),
    ("legacy/linyi_2023.ods", "linyi_2023"),
    ("regions/ningde_2019.xlsx", "regions/ningde_2019"),
    ("regions/ningde_2019.csv", "regions/ningde_2019"),
    ("regions/ezhou_2022.xlsx", "regions/ezhou_2022"),
    ("regions/legacy/ezhou_2022.xls", "regions/ezhou_2022"),
];

/// The per-sheet CSVs of two workbooks, each collected as one document.
const GROUPS: &[(&[&str], &str)] = &[
    (
        &[
            "luan_2023__公积金中心市本级及管理部管理费.csv",
            "luan_2023__公积金中心运转维护经费.csv",
        ],
        "luan_2023",
    ),
    (
        &[
            "tangshan_2025__部门整体绩效目标.csv",
            "tangshan_2025__预算项目绩效目标表.csv",
        ],
        "tangshan_2025",
    ),
];

/// A tree of every fixture format (no facts files, no templates) under `dir/tree`.
fn tree(dir: &Path) -> PathBuf {
    let root = dir.join("tree");
    let files = SETS
        .iter()
        .map(|(f, _)| *f)
        .chain(GROUPS.iter().flat_map(|(g, _)| g.iter().copied()));
    for f in files {
        let to = root.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixture(f), &to).unwrap();
    }
    root
}

fn run(inputs: &[PathBuf], out: &Path) -> Outcome {
    collect::collect(
        inputs,
        &collect::destination(out),
        &CollectOptions::default(),
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap_or_else(|e| panic!("collect: {e}"))
}

fn facts(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(&format!("{name}.facts.json"))).unwrap())
        .unwrap()
}

fn count(db: &Connection, sql: &str, id: i64) -> i64 {
    db.query_row(sql, [id], |r| r.get(0)).unwrap()
}

/// An amount as SQLite holds it equals the published decimal exactly (the nearest double).
fn same_amount(got: Option<f64>, published: &Value, what: &str) {
    let published = published.as_str().map(|s| s.parse::<f64>().unwrap());
    assert_eq!(got, published, "{what}");
}

/// (period column, facts path) of each project's published amounts, by layout.
fn amount_facts(layout: &str) -> &'static [(&'static str, &'static [&'static str])] {
    match layout {
        "luan" => &[
            ("mid_term_total", &["funding", "mid_term", "total"]),
            ("mid_term_fiscal", &["funding", "mid_term", "fiscal"]),
            ("annual_total", &["funding", "annual", "total"]),
            ("annual_fiscal", &["funding", "annual", "fiscal"]),
        ],
        "yancheng" => &[("annual_total", &["funding", "income", "total"])],
        "tangshan" | "guangzhou" => &[
            ("annual_total", &["funding", "total"]),
            ("annual_fiscal", &["funding", "fiscal"]),
        ],
        "ezhou" => &[("annual_total", &["funding", "annual", "total"])],
        _ => &[],
    }
}

fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}

/// Checks one collected document against its facts, with SQL.
fn holds_its_facts(db: &Connection, file: &str, facts: &Value) {
    let (id, layout): (i64, String) = db
        .query_row(
            "SELECT id, layout FROM documents WHERE file = ?1 AND error IS NULL",
            [file],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|e| panic!("{file} collected: {e}"));
    assert_eq!(layout, facts["layout"].as_str().unwrap(), "{file}");
    let indicators = count(
        db,
        "SELECT count(*) FROM indicators WHERE document_id = ?1",
        id,
    );
    assert_eq!(
        indicators,
        facts["indicator_count"].as_i64().unwrap(),
        "{file}: indicators"
    );
    let listed = count(
        db,
        "SELECT indicator_count FROM documents WHERE id = ?1",
        id,
    );
    assert_eq!(listed, indicators, "{file}");
    // Every indicator value row belongs to an indicator of the same document.
    let stray = count(
        db,
        "SELECT count(*) FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id \
         WHERE v.document_id = ?1 AND i.document_id != ?1",
        id,
    );
    assert_eq!(stray, 0);
    if let Some(n) = facts["project_count"].as_i64() {
        assert_eq!(
            count(
                db,
                "SELECT count(*) FROM projects WHERE document_id = ?1",
                id
            ),
            n,
            "{file}"
        );
    }
    if let Some(n) = facts["duty_count"].as_i64() {
        assert_eq!(
            count(db, "SELECT count(*) FROM duties WHERE document_id = ?1", id),
            n,
            "{file}"
        );
    }
    for (seq, project) in facts["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        for (column, path) in amount_facts(&layout) {
            let got: Option<f64> = db
                .query_row(
                    &format!("SELECT {column} FROM projects WHERE document_id = ?1 AND seq = ?2"),
                    [id, seq as i64 + 1],
                    |r| r.get(0),
                )
                .unwrap();
            same_amount(
                got,
                at(project, path),
                &format!("{file} project {} {column}", seq + 1),
            );
        }
    }
    // Published totals: the projects' amounts add up to them to the cent, in SQL.
    let sum = |sql: &str| -> Option<f64> { db.query_row(sql, [id], |r| r.get(0)).unwrap() };
    if let Some(total) = facts["total"]["total"].as_str() {
        let got = sum("SELECT round(sum(annual_total), 2) FROM projects WHERE document_id = ?1");
        same_amount(
            got,
            &Value::from(total),
            &format!("{file}: Σ annual_total = 合计"),
        );
        same_amount(
            sum("SELECT total FROM documents WHERE id = ?1"),
            &Value::from(total),
            file,
        );
    }
    if let Some(total) = facts["budget"]["total"].as_str() {
        same_amount(
            sum("SELECT total FROM documents WHERE id = ?1"),
            &Value::from(total),
            file,
        );
    }
    if facts["projects"].is_array() && !amount_facts(&layout).is_empty() {
        // Σ of the published project totals, in exact decimals, = SQL's sum rounded to the cent.
        let path = amount_facts(&layout)
            .iter()
            .find(|(c, _)| *c == "annual_total")
            .unwrap()
            .1;
        let expected: Decimal = facts["projects"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| at(p, path).as_str())
            .map(|s| s.parse::<Decimal>().unwrap())
            .sum();
        let got = sum("SELECT round(sum(annual_total), 2) FROM projects WHERE document_id = ?1");
        assert_eq!(
            got,
            Some(expected.to_string().parse::<f64>().unwrap()),
            "{file}: Σ annual_total"
        );
    }
}

#[test]
fn the_fixtures_collected_into_sqlite_hold_their_facts() {
    let dir = scratch("collect-sqlite");
    let root = tree(&dir);
    let database = dir.join("review.sqlite");
    let outcome = run(std::slice::from_ref(&root), &database);
    assert_eq!(outcome.read, SETS.len() + GROUPS.len());
    assert_eq!(outcome.failed, 0);
    let db = Connection::open(&database).unwrap();
    for (file, name) in SETS {
        holds_its_facts(&db, &root.join(file).display().to_string(), &facts(name));
    }
    for (files, name) in GROUPS {
        let joined = files
            .iter()
            .map(|f| root.join(f).display().to_string())
            .collect::<Vec<_>>()
            .join(" + ");
        holds_its_facts(&db, &joined, &facts(name));
    }
    // The schema is what it says: its version, and foreign keys that hold.
    let version: String = db
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, collect::schema::SCHEMA_VERSION);
    let broken: i64 = db
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0);
    let indexed: i64 = db
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'indicators_project_id'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexed, 1);
    // The summary adds up per department and year.
    let (docs, projects): (i64, i64) = db
        .query_row(
            "SELECT documents, projects FROM summary WHERE department = '广州住房公积金管理中心'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((docs, projects), (3, 3 * 29));
    // 满意度 targets are numbers with their comparison: a reviewer can filter them.
    let satisfied: i64 = db
        .query_row(
            "SELECT count(*) FROM indicator_values_joined WHERE indicator LIKE '%满意度%' AND op = '>=' AND number >= 85",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(satisfied > 0);
}

/// Every table of an xlsx output as rows of text (numbers in their shortest form).
fn xlsx_tables(path: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let mut tables = BTreeMap::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let rows = range
            .rows()
            .map(|row| {
                row.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::Float(x) => x.to_string(),
                        Data::Int(n) => n.to_string(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        tables.insert(name, rows);
    }
    tables
}

/// Every table of a CSV folder as rows of text.
fn csv_tables(dir: &Path, gbk: bool) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut tables = BTreeMap::new();
    for table in collect::schema::tables() {
        let bytes = std::fs::read(dir.join(format!("{}.csv", table.name))).unwrap();
        let text = if gbk {
            encoding_rs::GB18030.decode(&bytes).0.into_owned()
        } else {
            String::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM").to_vec()).unwrap()
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        tables.insert(table.name.to_string(), rows);
    }
    tables
}

#[test]
fn xlsx_and_csv_hold_the_same_rows() {
    let dir = scratch("collect-formats");
    let root = tree(&dir);
    run(std::slice::from_ref(&root), &dir.join("review.xlsx"));
    run(std::slice::from_ref(&root), &dir.join("csv"));
    let xlsx = xlsx_tables(&dir.join("review.xlsx"));
    let csv = csv_tables(&dir.join("csv"), false);
    let names: Vec<&str> = collect::schema::tables().iter().map(|t| t.name).collect();
    assert_eq!(
        xlsx.keys().map(String::as_str).collect::<Vec<_>>().len(),
        names.len()
    );
    for name in &names {
        let (x, c) = (&xlsx[*name], &csv[*name]);
        assert_eq!(x.len(), c.len(), "{name}: rows");
        for (i, (xr, cr)) in x.iter().zip(c).enumerate() {
            // calamine pads a row to the sheet's width; CSV rows have every column.
            assert_eq!(xr.len(), cr.len(), "{name} row {i}");
            for (a, b) in xr.iter().zip(cr) {
                let same = a == b
                    || a.parse::<f64>()
                        .ok()
                        .zip(b.parse::<f64>().ok())
                        .is_some_and(|(p, q)| p == q);
                assert!(same, "{name} row {i}: xlsx {a:?} vs csv {b:?}");
            }
        }
    }
    assert!(
        xlsx["indicators"].len() > 500,
        "{}",
        xlsx["indicators"].len()
    );
    // GBK CSV: the same rows.
    let options = CollectOptions {
        csv_encoding: jixiao::write::CsvEncoding::Gbk,
        ..CollectOptions::default()
    };
    collect::collect(
        std::slice::from_ref(&root),
        &collect::destination(&dir.join("gbk")),
        &options,
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap();
    assert_eq!(csv_tables(&dir.join("gbk"), true), csv);
    // Deterministic: the same tree gives the same bytes.
    run(std::slice::from_ref(&root), &dir.join("again.xlsx"));
    assert_eq!(
        std::fs::read(dir.join("review.xlsx")).unwrap(),
        std::fs::read(dir.join("again.xlsx")).unwrap()
    );
}

#[test]
fn broken_files_are_listed_with_their_error_and_the_rest_collected() {
    let dir = scratch("collect-broken");
    let root = dir.join("tree");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(fixture("luan_2023.xlsx"), root.join("luan_2023.xlsx")).unwrap();
    for bad in [
        "random-bytes.xlsx",
        "password-protected.xlsx",
        "really-a-pdf.xls",
    ] {
        std::fs::copy(fixture(&format!("../bad_input/{bad}")), root.join(bad)).unwrap();
    }
    std::fs::write(root.join("readme.txt"), "not a table").unwrap();
    let database = dir.join("review.sqlite");
    let out = common::jixiao(&[
        "collect",
        root.to_str().unwrap(),
        "-o",
        database.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("collected 4 file(s)") && stderr.contains("3 could not be read"),
        "{stderr}"
    );
    let db = Connection::open(&database).unwrap();
    let mut stmt = db
        .prepare("SELECT file, error FROM documents ORDER BY file")
        .unwrap();
    let rows: Vec<(String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 4, "{rows:?}");
    for (file, error) in &rows {
        if file.ends_with("luan_2023.xlsx") {
            assert_eq!(error, &None);
        } else {
            let error = error
                .as_deref()
                .unwrap_or_else(|| panic!("{file} has its error"));
            assert!(
                error.starts_with(file.as_str()),
                "the error names the file: {error}"
            );
        }
    }
    let projects: i64 = db
        .query_row("SELECT count(*) FROM projects", [], |r| r.get(0))
        .unwrap();
    assert_eq!(projects, 2);
}

#[test]
fn running_again_reads_only_what_changed() {
    let dir = scratch("collect-again");
    let root = dir.join("tree");
    std::fs::create_dir_all(&root).unwrap();
    for f in ["luan_2023.xlsx", "yancheng_2022.csv", "guangzhou.xlsx"] {
        std::fs::copy(fixture(f), root.join(f)).unwrap();
    }
    let database = dir.join("review.sqlite");
    let first = run(std::slice::from_ref(&root), &database);
    assert_eq!((first.read, first.unchanged), (3, 0));
    let rows_of = |file: &str| -> (i64, i64, i64) {
        let db = Connection::open(&database).unwrap();
        db.query_row(
            "SELECT d.id, (SELECT count(*) FROM indicators i WHERE i.document_id = d.id), \
             (SELECT min(id) FROM projects p WHERE p.document_id = d.id) FROM documents d WHERE file LIKE ?1",
            [format!("%{file}")],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    let luan = rows_of("luan_2023.xlsx");
    let guangzhou = rows_of("guangzhou.xlsx");
    let yancheng = rows_of("yancheng_2022.csv");

    // Nothing changed: nothing is read.
    let second = run(std::slice::from_ref(&root), &database);
    assert_eq!((second.read, second.unchanged), (0, 3));
    assert_eq!(rows_of("luan_2023.xlsx"), luan);

    // One file changed: an indicator line dropped from the yancheng CSV.
    let csv = std::fs::read_to_string(root.join("yancheng_2022.csv")).unwrap();
    let line = csv
        .split_inclusive('\n')
        .find(|l| l.contains("物业服务满意度"))
        .expect("an indicator line")
        .to_string();
    std::fs::write(root.join("yancheng_2022.csv"), csv.replacen(&line, "", 1)).unwrap();
    let third = run(std::slice::from_ref(&root), &database);
    assert_eq!((third.read, third.unchanged), (1, 2));
    assert_eq!(rows_of("luan_2023.xlsx"), luan, "kept as it was");
    assert_eq!(rows_of("guangzhou.xlsx"), guangzhou, "kept as it was");
    let (id, indicators, _) = rows_of("yancheng_2022.csv");
    assert_ne!(id, yancheng.0, "replaced");
    assert_eq!(indicators, yancheng.1 - 1, "its rows are the new content's");
    let db = Connection::open(&database).unwrap();
    let documents: i64 = db
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(documents, 3);
    let orphans: i64 = db
        .query_row(
            "SELECT count(*) FROM indicators WHERE document_id NOT IN (SELECT id FROM documents)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "the old rows went with the old document");
}

#[test]
fn a_database_of_another_kind_is_refused() {
    let dir = scratch("collect-foreign");
    let database = dir.join("other.sqlite");
    Connection::open(&database)
        .unwrap()
        .execute_batch("CREATE TABLE t (x);")
        .unwrap();
    let out = common::jixiao(&[
        "collect",
        fixture("luan_2023.xlsx").to_str().unwrap(),
        "-o",
        database.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a database that jixiao collect did not make"),
        "{stderr}"
    );
}

#[test]
fn the_schema_is_printed_and_in_the_readme() {
    let out = common::jixiao(&["collect", "--schema"]);
    assert!(out.status.success());
    let schema = String::from_utf8(out.stdout).unwrap();
    for table in collect::schema::tables() {
        assert!(schema.contains(&format!("### `{}`", table.name)));
        for c in &table.columns {
            assert!(
                schema.contains(&format!("| `{}` | {} |", c.name, c.label)),
                "{}.{}",
                table.name,
                c.name
            );
        }
    }
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains(&schema),
        "README's collect schema is `jixiao collect --schema`'s output"
    );
}
