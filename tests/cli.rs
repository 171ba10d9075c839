//! The command line as a user meets it: conversions, detection, and bad input that
//! gets a one-line error, exit code 2 and no output file.

mod common;

use common::*;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn convert_luan_to_national_xlsx() {
    let dir = scratch("cli-convert");
    let out_path = dir.join("national.xlsx");
    let out = jixiao(&[
        "convert",
        fixture("luan_2023.xlsx").to_str().unwrap(),
        "--to",
        "national",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 project(s), 38 indicator(s)"),
        "{}",
        stderr(&out)
    );
    let back = load(&out_path);
    assert_eq!(back.projects.len(), 2);
}

#[test]
fn json_goes_to_stdout_by_default() {
    let out = jixiao(&[
        "convert",
        fixture("luan_2023_stacked.csv").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema"], "jixiao/1");
    assert_eq!(doc["fiscal_year"], 2023);
    assert_eq!(doc["projects"][0]["funding"]["mid_term"]["total"], "231.09");
}

#[test]
fn csv_to_stdout_needs_a_format_and_works_with_one() {
    let input = fixture("luan_2023.xlsx");
    let out = jixiao(&[
        "convert",
        input.to_str().unwrap(),
        "--to",
        "national",
        "-o",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--format"));
    let out = jixiao(&[
        "convert",
        input.to_str().unwrap(),
        "--to",
        "national",
        "-o",
        "-",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("项目支出绩效目标申报表"));
}

#[test]
fn detect_names_the_layout_and_runner_up() {
    let out = jixiao(&["detect", fixture("luan_2023.xlsx").to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\tluan\t"), "{text}");
    assert!(text.contains("runner-up national"), "{text}");
}

#[test]
fn layouts_and_schema_print() {
    let out = jixiao(&["layouts"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("national"));
    let out = jixiao(&["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "Document");
    let text = schema.to_string();
    for field in [
        "fiscal_year",
        "money_unit",
        "indicators",
        "half_year",
        "schedule",
        "inferred",
        "duties",
    ] {
        assert!(text.contains(field), "schema lacks {field}");
    }
}

/// Each bad input: exit code 2, a one-line error naming the file, no output file.
fn assert_unreadable(name: &str, bytes: &[u8], expect: &str) {
    let dir = scratch(&format!("bad-{}", name.replace('.', "-")));
    let input = dir.join(name);
    std::fs::write(&input, bytes).unwrap();
    let output = dir.join("out.xlsx");
    let out = jixiao(&[
        "convert",
        input.to_str().unwrap(),
        "--to",
        "national",
        "-o",
        output.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{name}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{name}: one line: {err}");
    assert!(err.contains(name), "{name}: names the file: {err}");
    assert!(err.contains(expect), "{name}: says {expect:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!output.exists(), "{name}: no output written");
    let leftovers = file_names(&dir);
    assert_eq!(leftovers.len(), 1, "only the input remains: {leftovers:?}");
}

#[test]
fn empty_file() {
    assert_unreadable("empty.xlsx", b"", "empty");
}

#[test]
fn not_a_spreadsheet() {
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_unreadable("random.xlsx", &bytes, "not a readable spreadsheet");
}

#[test]
fn truncated_zip() {
    let bytes = std::fs::read(fixture("luan_2023.xlsx")).unwrap();
    assert_unreadable(
        "truncated.xlsx",
        &bytes[..bytes.len() / 2],
        "not a readable spreadsheet",
    );
}

#[test]
fn sheet_with_no_known_labels() {
    assert_unreadable(
        "shopping.csv",
        "苹果,3\r\n香蕉,5\r\n".as_bytes(),
        "no performance target table",
    );
}

#[test]
fn a_missing_file() {
    let out = jixiao(&[
        "convert",
        "/nonexistent/table.xlsx",
        "-o",
        "/tmp/never.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/table.xlsx"));
}

#[test]
fn detect_tells_the_five_layouts_apart() {
    let cases = [
        ("luan_2023.xlsx", "luan", "national"),
        ("yancheng_2022.gbk.csv", "yancheng", ""),
        ("guangzhou.xlsx", "guangzhou", ""),
        ("tangshan_2025.xlsx", "tangshan", ""),
        ("tangshan_2025__部门整体绩效目标.csv", "tangshan", ""),
        ("linyi_2023.csv", "linyi", ""),
    ];
    for (file, layout, runner_up) in cases {
        let out = jixiao(&["detect", fixture(file).to_str().unwrap()]);
        assert!(out.status.success(), "{file}");
        let line = String::from_utf8_lossy(&out.stdout).into_owned();
        let fields: Vec<&str> = line.trim_end().split('\t').collect();
        assert_eq!(fields[1], layout, "{file}: {line}");
        assert_eq!(fields[2], "100%", "{file}: {line}");
        let runner: Vec<&str> = fields[4].split(' ').collect();
        assert_ne!(runner[1], layout, "{file}: the runner-up is another layout");
        if !runner_up.is_empty() {
            assert_eq!(runner[1], runner_up, "{file}: {line}");
        }
        let percent: u32 = runner[2].trim_end_matches('%').parse().unwrap();
        assert!(percent < 100, "{file}: the runner-up scores lower: {line}");
    }
}

#[test]
fn detect_reports_unknown_files() {
    let dir = scratch("detect-unknown");
    let path = dir.join("fruit.csv");
    std::fs::write(&path, "苹果,3\r\n").unwrap();
    let out = jixiao(&["detect", path.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("\tunknown\t"));
}
