//! `jixiao batch` over a tree of every fixture in every format plus broken and foreign
//! files; interrupting it; and `--roll-forward`.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// A tree with every fixture (xlsx, csv, gbk csv, per-sheet csvs), a corrupt workbook,
/// a PDF named .xlsx, and a text file. Returns the folder.
fn tree(name: &str) -> PathBuf {
    let root = scratch(name).join("in");
    std::fs::create_dir_all(root.join("2023/csv")).unwrap();
    std::fs::create_dir_all(root.join("broken")).unwrap();
    for entry in std::fs::read_dir(fixture("")).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        let into = match path.extension().and_then(|e| e.to_str()) {
            Some("xlsx") => root.join("2023"),
            Some("csv") => root.join("2023/csv"),
            _ => continue,
        };
        std::fs::copy(&path, into.join(file)).unwrap();
    }
    let xlsx = std::fs::read(fixture("luan_2023.xlsx")).unwrap();
    std::fs::write(root.join("broken/truncated.xlsx"), &xlsx[..xlsx.len() / 3]).unwrap();
    std::fs::write(
        root.join("broken/report.xlsx"),
        b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n",
    )
    .unwrap();
    std::fs::write(root.join("broken/empty.csv"), b"").unwrap();
    std::fs::write(root.join("README.txt"), "2023年绩效目标表\n").unwrap();
    root
}

/// Every file under a folder with its bytes, for "inputs are never modified".
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

fn outputs(dir: &Path) -> Vec<PathBuf> {
    snapshot(dir).into_iter().map(|(p, _)| p).collect()
}

#[test]
fn a_mixed_tree_converts_reports_and_skips_on_the_second_run() {
    let input = tree("batch-tree");
    let out = input.parent().unwrap().join("out");
    let report = input.parent().unwrap().join("report.json");
    let before = snapshot(&input);
    let args = [
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--to",
        "tangshan",
        "--report",
        report.to_str().unwrap(),
        "--jobs",
        "2",
    ];
    let o = jixiao(&args);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "some inputs are broken: {stderr}");
    assert_eq!(
        snapshot(&input),
        before,
        "inputs are byte-identical afterwards"
    );

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let files = json["files"].as_array().unwrap();
    let row = |name: &str| {
        files
            .iter()
            .find(|f| f["input"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} in report"))
    };
    for broken in ["truncated.xlsx", "report.xlsx", "empty.csv"] {
        let r = row(broken);
        assert_eq!(r["status"], "failed", "{broken}");
        assert!(
            r["reason"].as_str().unwrap().contains(broken),
            "the reason names the file: {r}"
        );
    }
    assert!(
        row("report.xlsx")["reason"]
            .as_str()
            .unwrap()
            .contains("PDF")
    );
    assert_eq!(row("README.txt")["status"], "skipped");
    // The per-sheet CSVs of one workbook are converted together.
    let tangshan_csv =
        row("tangshan_2025__部门整体绩效目标.csv + 2023/csv/tangshan_2025__预算项目绩效目标表.csv");
    assert_eq!(tangshan_csv["projects"], 19);
    let converted: Vec<_> = files
        .iter()
        .filter(|f| f["status"] == "converted")
        .collect();
    assert_eq!(converted.len(), 13, "every good file: {json}");
    for f in &converted {
        assert!(
            f["layout"].is_string() && f["confidence"].as_f64().unwrap() > 0.9,
            "{f}"
        );
        assert_eq!(
            f["check_errors"], 0,
            "the published tables have no check errors: {f}"
        );
        let output = PathBuf::from(f["output"].as_str().unwrap());
        let back = load(&output);
        assert_eq!(
            back.projects.len() as u64,
            f["projects"].as_u64().unwrap(),
            "{} re-reads",
            output.display()
        );
    }
    assert_eq!(json["summary"]["failed"], 3);
    assert!(
        stderr.contains("converted") && stderr.contains("failed"),
        "a summary at the end: {stderr}"
    );
    assert!(
        outputs(&out)
            .iter()
            .all(|p| !p.to_string_lossy().contains("jixiao-tmp"))
    );

    // A second run without --force skips every existing output and leaves them alone.
    let written = snapshot(&out);
    let o = jixiao(&args);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let skipped = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "skipped")
        .count();
    assert_eq!(skipped, 14, "13 existing outputs and the text file");
    assert_eq!(o.status.code(), Some(1), "the broken files still fail");
    assert_eq!(snapshot(&out), written);
}

#[test]
fn json_output_and_csv_report() {
    let input = tree("batch-json");
    let out = input.parent().unwrap().join("out");
    let report = input.parent().unwrap().join("report.csv");
    let o = jixiao(&[
        "batch",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "json",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let csv = String::from_utf8(std::fs::read(&report).unwrap()).unwrap();
    assert!(csv.starts_with("\u{feff}input,status,layout"), "{csv}");
    assert!(
        out.join("2023/linyi_2023.json").exists(),
        "department tables go to JSON too"
    );
    let doc = load(&out.join("2023/linyi_2023.json"));
    assert_eq!(doc.indicator_count(), 13);
}

#[test]
fn nothing_to_do_is_exit_code_2() {
    let dir = scratch("batch-empty");
    let o = jixiao(&[
        "batch",
        dir.to_str().unwrap(),
        "-o",
        dir.join("out").to_str().unwrap(),
        "--to",
        "luan",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = jixiao(&[
        "batch",
        "/nonexistent/folder",
        "-o",
        dir.join("out").to_str().unwrap(),
        "--to",
        "luan",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_interrupted_batch_leaves_no_partial_output() {
    let root = scratch("batch-kill").join("in");
    std::fs::create_dir_all(&root).unwrap();
    let bytes = std::fs::read(fixture("tangshan_2025.xlsx")).unwrap();
    for i in 0..300 {
        std::fs::write(root.join(format!("t{i:03}.xlsx")), &bytes).unwrap();
    }
    let out = root.parent().unwrap().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args([
            "batch",
            root.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--to",
            "national",
            "--jobs",
            "2",
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some outputs exist, then interrupt.
    let started = std::time::Instant::now();
    while outputs(&out).len() < 5 && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let written = outputs(&out);
    assert!(
        written.len() < 300,
        "interrupted before the end ({} written, {status:?})",
        written.len()
    );
    assert_eq!(status.code(), Some(130), "an interrupted batch says so");
    for path in &written {
        assert!(
            !path.to_string_lossy().contains("jixiao-tmp"),
            "no temporary file left: {}",
            path.display()
        );
        let doc = load(path);
        assert_eq!(doc.projects.len(), 19, "{} is whole", path.display());
    }
}

#[test]
fn roll_forward_recomputes_the_three_year_average_from_earlier_tables_in_the_batch() {
    let root = scratch("batch-history").join("in");
    std::fs::create_dir_all(&root).unwrap();
    let base = load(&fixture("linyi_2023.xlsx"));
    // The same table for 2021 and 2022, with other 归集额 targets.
    for (year, target) in [(2021, "70亿元"), (2022, "77亿元")] {
        let mut doc = base.clone();
        doc.fiscal_year = Some(year);
        let ind = &mut doc.overall.as_mut().unwrap().duties[0].objectives[0].indicators[0];
        ind.values.annual = Some(jixiao::model::Value::parse(target));
        std::fs::write(
            root.join(format!("linyi_{year}.json")),
            jixiao::convert::to_json(&doc),
        )
        .unwrap();
    }
    std::fs::copy(fixture("linyi_2023.xlsx"), root.join("linyi_2023.xlsx")).unwrap();
    let out = root.parent().unwrap().join("out");
    let o = jixiao(&[
        "batch",
        root.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "json",
        "--roll-forward",
        "2024",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rolled = load(&out.join("linyi_2023.json"));
    assert_eq!(rolled.fiscal_year, Some(2024));
    let ind = &rolled.overall.as_ref().unwrap().duties[0].objectives[0].indicators[0];
    let history = ind.reference.as_ref().unwrap().history.as_ref().unwrap();
    assert_eq!(
        history.avg_3y.as_deref(),
        Some("77.33亿元"),
        "(85 + 77 + 70) / 3"
    );
    assert_eq!(history.last_year.as_deref(), Some("85亿元"));
}
