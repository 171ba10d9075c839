//! Byte-for-byte regression guard: every output of every built-in layout.
//!
//! For each fixture (one per built-in layout) the binary writes canonical JSON, and for
//! every target layout (the six built-ins and a user template) xlsx, UTF-8 CSV, GBK CSV
//! and the loss report; each written xlsx is read back from its form alone. The SHA-256
//! of every output file, the exit code and stderr are compared with
//! `tests/golden/outputs.sha256`, recorded from the binary before the template-engine
//! refactor (issue 12). A difference is a behaviour change: review it, and only then
//! re-record with `JIXIAO_GOLDEN_RECORD=1 cargo test --test golden_outputs`.
//!
//! Reviewed changes since the first recording:
//! - issue 13 (CSV file names): per-project sheets of the same name (yancheng's
//!   项目预算绩效目标表, luan/national's repeated project names) now give one CSV file each,
//!   `…__NAME(2).csv`, `…(3)` …, where each used to overwrite the one before (guangzhou →
//!   yancheng wrote 29 projects into 2 files). The CSV lines of guangzhou → luan, national,
//!   yancheng and tangshan → yancheng change: new files, the first same-named file now holds
//!   its own project, and stderr lists every file. xlsx, JSON and reports are unchanged.
//! - issue 12: tangshan's unit line is a pattern cell (`"{doc.department.code}{doc.department.name}"`)
//!   instead of the field `doc.department.joined`, so the provenance key in `source.cells`
//!   of the five JSON outputs read from a tangshan form is `doc.department` (the fields'
//!   common parent, as luan's `[079]…` cell already was) instead of `doc.department.joined`.
//!   Nothing else in those files changed (`diff` of old and new JSON: that one line).
//! - issue 13 (inference): the 二级指标 rules also class a grade (等级/级别 → 质量指标), a
//!   cost or standard control (控制/标准 → 成本指标) and a plain number (">6000万", "≥3" →
//!   数量指标), so the four guangzhou indicators left blank before (等级保护【分级保护】级别,
//!   广州铁路集团在广州地区在建公租房项目, 年度业务量, 水电费标准控制) get a class. 65 lines,
//!   all from guangzhou: the xlsx, CSV sheets, loss report and read-back JSON of guangzhou
//!   → luan/national/yancheng/tangshan/county (the four classes and their `inferred` flags;
//!   in luan/national, where indicators print grouped by class, three value cells move up
//!   and their provenance in the read-back JSON with them; the report's `blank` loses
//!   `level2 ×4`); and the stderr of every guangzhou conversion, whose check summary counts
//!   one more J401 warning (水电费标准控制, now a 成本指标 by its name, has the question
//!   "考察水电费标准是否符合预算标准" as its value, like 租金标准达标率's J401 at G37), and
//!   for read-back forms J505 "no 二级指标" gone four times and J507 notes changed.
//! - issue 14 (honest loss for a department written without projects): tangshan prints
//!   the department only on each project's unit line, so linyi → tangshan (no projects)
//!   now reports `doc.department.name` (临沂市住房公积金中心) as dropped: the stderr of the
//!   three linyi → tangshan lines and its report.json change (one more `dropped` entry);
//!   the xlsx, CSV and read-back JSON are unchanged.
//! - issue 14 (built-in templates listed from `templates/` by build.rs, sorted by id):
//!   the refusals that name the layouts able to hold a document list them in id order
//!   ("layouts for projects: guangzhou, luan, national, tangshan, yancheng"): only the
//!   stderr of the exit=1 lines (every conversion to or from linyi that is refused).
//! - issue 14 (templates/ningde.toml): the same refusals name ningde among the layouts
//!   for duties and for department-level indicators; exit=1 stderr lines only.
//! - issue 14 (templates/ezhou.toml): the same refusals name ezhou among the layouts for
//!   projects; exit=1 stderr lines only.
//! - issue 14: tangshan → linyi's refusal names ningde among the layouts for department
//!   text (its 年度总体目标 cell holds a section); exit=1 stderr only.
//! - issue 16 (the page showed Rust debug text in the loss report): a dropped document
//!   total is reported as "total 12748.27, fiscal 12748.27" instead of `Amounts { … }`;
//!   only the report.json of the five guangzhou conversions that drop its 合计 change.
//! - issue 18 (CSV output of a province workbook): the summary line of a conversion that
//!   writes more than three CSV files names the first three and the count ("o.csv,
//!   o__专项工作经费.csv, o__办公、业务用房租赁经费.csv, … (29 files)") instead of every
//!   file; only the stderr of the twelve guangzhou and tangshan → luan/national/yancheng
//!   CSV lines (UTF-8 and GBK) changes, the files are the same bytes.
//! - issue 18 (sheets and shared strings compressed on the save's threads, vendored
//!   rust_xlsxwriter): the 32 xlsx files change in one field each of their sheets' and
//!   shared strings' local headers, the CRC-32 that zip's `add_prepared_file` fills in
//!   where a streamed entry leaves 0 (vendor/rust_xlsxwriter/JIXIAO.md). Every entry's
//!   data, data descriptor and central record is the same bytes (compared entry by entry
//!   against the previous binary's files, for these and every other built-in
//!   conversion of the fixtures); stderr, CSV, JSON, reports and read-backs unchanged.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// (name used in the listing, fixture file) — one source per built-in layout.
const SOURCES: [(&str, &str); 6] = [
    ("luan", "luan_2023.xlsx"),
    ("national", "national_2023.xlsx"),
    ("yancheng", "yancheng_2022.xlsx"),
    ("tangshan", "tangshan_2025.xlsx"),
    ("guangzhou", "guangzhou.xlsx"),
    ("linyi", "linyi_2023.xlsx"),
];

/// Inputs read only to canonical JSON (other formats of the same tables).
const JSON_ONLY: [&str; 5] = [
    "luan_2023_stacked.csv",
    "yancheng_2022.gbk.csv",
    "guangzhou.csv",
    "guangzhou.gbk.csv",
    "linyi_2023.csv",
];

const TARGETS: [&str; 7] = [
    "luan",
    "national",
    "yancheng",
    "tangshan",
    "guangzhou",
    "linyi",
    "county.toml",
];

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Runs the binary in `dir` and records its exit code, stderr and every file it wrote.
fn run(dir: &Path, label: &str, args: &[&str], lines: &mut Vec<String>) {
    let before: Vec<PathBuf> = files(dir);
    let out = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .current_dir(dir)
        .arg("convert")
        .args(args)
        .output()
        .expect("the binary runs");
    let code = out.status.code().unwrap_or(-1);
    lines.push(format!(
        "{label} exit={code} stderr={}",
        sha256(&out.stderr)
    ));
    if !out.stdout.is_empty() {
        lines.push(format!("{label} stdout={}", sha256(&out.stdout)));
    }
    for path in files(dir) {
        if before.contains(&path) {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        lines.push(format!("{label} {name}={}", sha256(&bytes)));
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    all.sort();
    all
}

/// Every conversion from one source, in a directory of its own.
fn outputs_of(source: &str, file: &str) -> Vec<String> {
    let dir = common::scratch(&format!("golden-{source}"));
    std::fs::copy(input(file), dir.join(file)).unwrap();
    std::fs::copy(
        common::fixture("templates/county.toml"),
        dir.join("county.toml"),
    )
    .unwrap();
    let mut lines = Vec::new();
    run(
        &dir,
        &format!("{source}.json"),
        &[file, "-o", &format!("{source}.json")],
        &mut lines,
    );
    for target in TARGETS {
        let t = target.trim_end_matches(".toml");
        let stem = format!("{source}-{t}");
        let report = format!("{stem}.report.json");
        let xlsx = format!("{stem}.xlsx");
        run(
            &dir,
            &format!("{stem}.xlsx"),
            &[file, "--to", target, "-o", &xlsx, "--report", &report],
            &mut lines,
        );
        run(
            &dir,
            &format!("{stem}.csv"),
            &[file, "--to", target, "-o", &format!("{stem}.csv")],
            &mut lines,
        );
        run(
            &dir,
            &format!("{stem}.gbk"),
            &[
                file,
                "--to",
                target,
                "-o",
                &format!("{stem}.gbk.csv"),
                "--encoding",
                "gbk",
            ],
            &mut lines,
        );
        if dir.join(&xlsx).exists() {
            let from = if target.ends_with(".toml") { target } else { t };
            run(
                &dir,
                &format!("{stem}.back"),
                &[
                    &xlsx,
                    "--ignore-embedded",
                    "--from",
                    from,
                    "-o",
                    &format!("{stem}.back.json"),
                ],
                &mut lines,
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    lines
}

/// A fixture, or the national-form input kept beside the listing (written by the binary
/// before the refactor: `convert luan_2023.xlsx --to national --no-embed`).
fn input(file: &str) -> PathBuf {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(file);
    if golden.exists() {
        golden
    } else {
        common::fixture(file)
    }
}

fn json_only(file: &str) -> Vec<String> {
    let dir = common::scratch(&format!("golden-json-{}", file.replace('.', "-")));
    std::fs::copy(common::fixture(file), dir.join(file)).unwrap();
    let mut lines = Vec::new();
    run(
        &dir,
        file,
        &[file, "-o", &format!("{file}.json")],
        &mut lines,
    );
    let _ = std::fs::remove_dir_all(&dir);
    lines
}

#[test]
fn every_output_is_byte_identical_to_the_recorded_one() {
    let mut listing: Vec<String> = std::thread::scope(|scope| {
        let sources: Vec<_> = SOURCES
            .iter()
            .map(|(s, f)| scope.spawn(move || outputs_of(s, f)))
            .collect();
        let others: Vec<_> = JSON_ONLY
            .iter()
            .map(|f| scope.spawn(move || json_only(f)))
            .collect();
        sources
            .into_iter()
            .chain(others)
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    listing.sort();
    let text = listing.join("\n") + "\n";
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/outputs.sha256");
    if std::env::var_os("JIXIAO_GOLDEN_RECORD").is_some() {
        std::fs::write(&golden, &text).unwrap();
        return;
    }
    let recorded = std::fs::read_to_string(&golden).expect("tests/golden/outputs.sha256");
    let differ: Vec<String> = recorded
        .lines()
        .filter(|l| !listing.iter().any(|x| x == l))
        .map(|l| format!("- {l}"))
        .chain(
            listing
                .iter()
                .filter(|l| !recorded.lines().any(|x| x == l.as_str()))
                .map(|l| format!("+ {l}")),
        )
        .collect();
    assert!(
        differ.is_empty(),
        "{} output line(s) differ from tests/golden/outputs.sha256:\n{}",
        differ.len(),
        differ.join("\n")
    );
}
