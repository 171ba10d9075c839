//! The performance harness (SPEC §11, issue 8). Opt-in, never part of `cargo test`:
//!
//! ```sh
//! cargo bench --bench convert                       # the full table (30–50 minutes)
//! cargo bench --bench convert -- --quick            # 1,000 projects, 3 repetitions
//! cargo bench --bench convert -- --projects 2500 --reps 5 --only national-stacked
//! ```
//!
//! It generates province-scale workbooks in every layout (jixiao's own writer, from the
//! published fixtures with their projects repeated), then times on each, in child
//! processes of their own so that every peak RSS is that step's alone:
//!
//! * **floor** — a bare calamine read of every cell and merge plus a bare
//!   rust_xlsxwriter write of the same cells and merges; the **I/O floor** (the input's
//!   read plus the bare write of jixiao's output) and the **styled floor** (the same, the
//!   write with the form's bordered formats made once, row heights and widths: what the
//!   form costs rust_xlsxwriter, so that ×styled is what jixiao itself adds);
//! * **jixiao** — `convert` through the library (load + render_outputs_owned, in memory) to
//!   another layout's xlsx and to JSON, and the release binary end to end;
//! * **openpyxl** — `benches/openpyxl_copy.py` (installed with pip when missing);
//!
//! and the batch throughput of the release binary over the fixtures replicated, beside
//! `jixiao collect` of the same tree into a fresh SQLite database (issue 17: ≥ 80 % of
//! batch's files/s):
//!
//! ```sh
//! cargo bench --bench convert -- --throughput --batch-copies 77   # 1,001 workbooks
//! ```
//! Every ratio compares medians from the same run.

mod measure;
mod steps;
mod workbooks;

// The allocator the `jixiao` command uses (src/main.rs), for every step: the floor
// and jixiao are measured on the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use measure::{Run, median, run};

struct Options {
    projects: usize,
    reps: usize,
    bin_reps: usize,
    openpyxl: bool,
    openpyxl_timeout: Duration,
    batch: bool,
    batch_copies: usize,
    only: Vec<String>,
    /// Only the batch and collect throughput, no workbook shapes.
    throughput: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            projects: 5000,
            reps: 5,
            bin_reps: 3,
            openpyxl: true,
            openpyxl_timeout: Duration::from_secs(600),
            batch: true,
            batch_copies: 50,
            only: Vec::new(),
            throughput: false,
        };
        let mut it = args.iter();
        let number = |v: Option<&String>, what: &str| -> Result<usize, String> {
            v.and_then(|s| s.parse().ok())
                .ok_or_else(|| format!("{what} needs a number"))
        };
        while let Some(a) = it.next() {
            match a.as_str() {
                // `cargo bench` passes this to every bench binary.
                "--bench" => {}
                "--quick" => {
                    o.projects = 1000;
                    o.reps = 3;
                    o.bin_reps = 1;
                    o.batch_copies = 10;
                    o.openpyxl_timeout = Duration::from_secs(120);
                }
                "--projects" => o.projects = number(it.next(), a)?.max(1),
                "--reps" => o.reps = number(it.next(), a)?.max(1),
                "--bin-reps" => o.bin_reps = number(it.next(), a)?,
                "--openpyxl-timeout" => {
                    o.openpyxl_timeout = Duration::from_secs(number(it.next(), a)? as u64)
                }
                "--no-openpyxl" => o.openpyxl = false,
                "--no-batch" => o.batch = false,
                "--throughput" => o.throughput = true,
                "--batch-copies" => o.batch_copies = number(it.next(), a)?.max(1),
                "--only" => o.only.extend(
                    it.next()
                        .map(|s| s.split(',').map(str::to_string))
                        .into_iter()
                        .flatten(),
                ),
                "-h" | "--help" => return Err(USAGE.to_string()),
                other => return Err(format!("unknown option {other:?}\n{USAGE}")),
            }
        }
        Ok(o)
    }
}

const USAGE: &str = "usage: cargo bench --bench convert -- [--quick] [--projects N] [--reps N] \
[--bin-reps N] [--only NAME,…] [--no-openpyxl] [--openpyxl-timeout SECS] [--no-batch] [--batch-copies N] [--throughput]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__child") {
        std::process::exit(steps::child(&args[1..]));
    }
    let options = match Options::parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = bench(&options) {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

/// Paths of a run.
struct Env {
    root: PathBuf,
    exe: PathBuf,
    bin: PathBuf,
    data: PathBuf,
}

fn env() -> Result<Env, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // <target>/release/deps/convert-<hash>
    let target = exe
        .ancestors()
        .nth(3)
        .ok_or("cannot find the target directory")?
        .to_path_buf();
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    eprintln!("building the release binary …");
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--bin", "jixiao"])
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .map_err(|e| format!("cargo build: {e}"))?;
    if !status.success() {
        return Err("cargo build --release failed".into());
    }
    let data = target.join("bench-data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    Ok(Env {
        bin: target.join("release").join("jixiao"),
        root,
        exe,
        data,
    })
}

/// Medians over the repetitions of one workbook.
#[derive(Default)]
struct Row {
    name: String,
    what: String,
    projects: usize,
    file_bytes: u64,
    xml_bytes: u64,
    rows: u64,
    merges: u64,
    floor: Stat,
    /// Reading the input plus writing jixiao's output, both bare (the floor of a
    /// conversion whose output is larger or smaller than its input).
    io_floor: f64,
    /// The I/O floor with the form's formats, row heights and widths in the write: what
    /// the form costs in rust_xlsxwriter, so that ×styled is what jixiao adds.
    styled_floor: f64,
    /// Peak RSS of the styled floor's child (reading jixiao's output, writing it styled).
    styled_rss: u64,
    xlsx: Stat,
    json: Stat,
    bin: Stat,
    openpyxl: Option<Stat>,
    openpyxl_note: String,
    to: String,
    phases: Vec<(String, f64)>,
}

#[derive(Default, Clone, Copy)]
struct Stat {
    secs: f64,
    rss: u64,
}

fn stat(runs: &[Run]) -> Stat {
    let ok: Vec<&Run> = runs.iter().filter(|r| r.ok).collect();
    Stat {
        secs: median(&ok.iter().map(|r| r.secs()).collect::<Vec<_>>()).unwrap_or(f64::NAN),
        rss: median(&ok.iter().map(|r| r.rss() as f64).collect::<Vec<_>>()).unwrap_or(0.0) as u64,
    }
}

fn checked(what: &str, r: Run) -> Result<Run, String> {
    if r.ok {
        Ok(r)
    } else {
        Err(format!("{what} failed: {}", r.stderr.trim()))
    }
}

fn bench(o: &Options) -> Result<(), String> {
    let env = env()?;
    let python = if o.openpyxl { openpyxl_python() } else { None };
    let mut rows = Vec::new();
    for spec in workbooks::SPECS {
        if o.throughput || !o.only.is_empty() && !o.only.iter().any(|n| n == spec.name) {
            continue;
        }
        eprintln!(
            "generating {} ({} projects) …",
            spec.name,
            spec.projects(o.projects)
        );
        let child = |step: &[&str]| {
            let mut cmd = Command::new(&env.exe);
            cmd.arg("__child").args(step);
            run(&mut cmd, None)
        };
        let data = env.data.display().to_string();
        let g = checked(
            "generating",
            child(&["generate", spec.name, &o.projects.to_string(), &data]),
        )?;
        let path = PathBuf::from(g.values.get("path").ok_or("generate: no path")?);
        let file = path.display().to_string();
        let jixiao_out = env.data.join(format!("{}.jixiao.xlsx", spec.name));
        let (mut floor, mut xlsx, mut json) = (Vec::new(), Vec::new(), Vec::new());
        let mut floor_out = Vec::new();
        let mut styled_out = Vec::new();
        for rep in 0..o.reps {
            eprintln!("  {}: repetition {}/{}", spec.name, rep + 1, o.reps);
            floor.push(checked("floor", child(&["floor", &file]))?);
            let saved = jixiao_out.display().to_string();
            let step: Vec<&str> = if rep == 0 {
                vec!["xlsx", &file, spec.to, &saved]
            } else {
                vec!["xlsx", &file, spec.to]
            };
            xlsx.push(checked("jixiao → xlsx", child(&step))?);
            json.push(checked("jixiao → json", child(&["json", &file]))?);
            // The floor of the output: what writing jixiao's cells and merges costs.
            floor_out.push(checked("floor (output)", child(&["floor", &saved]))?);
            // The same write with the form's formats and row heights.
            styled_out.push(checked(
                "styled floor (output)",
                child(&["floor-styled", &saved]),
            )?);
        }
        let _ = std::fs::remove_file(&jixiao_out);
        let out = env.data.join(format!("{}.out.xlsx", spec.name));
        let mut bin = Vec::new();
        for _ in 0..o.bin_reps {
            let mut cmd = Command::new(&env.bin);
            cmd.arg("convert")
                .arg(&path)
                .args(["--to", spec.to, "-o"])
                .arg(&out);
            bin.push(checked("jixiao convert", run(&mut cmd, None))?);
        }
        let (openpyxl, openpyxl_note) = match &python {
            None => (None, "n/a".to_string()),
            Some(py) => {
                eprintln!("  {}: openpyxl …", spec.name);
                let mut cmd = Command::new(py);
                cmd.arg(env.root.join("benches").join("openpyxl_copy.py"))
                    .arg(&path)
                    .arg(env.data.join(format!("{}.openpyxl.xlsx", spec.name)));
                let r = run(&mut cmd, Some(o.openpyxl_timeout));
                if r.timed_out {
                    (None, format!("> {}s", o.openpyxl_timeout.as_secs()))
                } else if !r.ok {
                    eprintln!("openpyxl failed: {}", r.stderr.trim());
                    (None, "failed".into())
                } else {
                    (Some(stat(&[r])), String::new())
                }
            }
        };
        let phase_names = ["grid", "model", "write"];
        let phases = phase_names
            .iter()
            .map(|p| {
                let key = format!("phase.{p}");
                let v: Vec<f64> = xlsx.iter().filter_map(|r| r.get(&key)).collect();
                (p.to_string(), median(&v).unwrap_or(f64::NAN))
            })
            .collect();
        let med = |runs: &[Run], key: &str| {
            median(&runs.iter().filter_map(|r| r.get(key)).collect::<Vec<_>>()).unwrap_or(f64::NAN)
        };
        let io_floor = med(&floor, "read_secs") + med(&floor_out, "write_secs");
        let styled_floor = med(&floor, "read_secs") + med(&styled_out, "write_secs");
        rows.push(Row {
            name: spec.name.to_string(),
            what: spec.what.to_string(),
            projects: g.get("projects").unwrap_or(0.0) as usize,
            file_bytes: g.get("file_bytes").unwrap_or(0.0) as u64,
            xml_bytes: g.get("xml_bytes").unwrap_or(0.0) as u64,
            io_floor,
            styled_floor,
            styled_rss: stat(&styled_out).rss,
            rows: floor[0].get("rows").unwrap_or(0.0) as u64,
            merges: floor[0].get("merges").unwrap_or(0.0) as u64,
            floor: stat(&floor),
            xlsx: stat(&xlsx),
            json: stat(&json),
            bin: stat(&bin),
            openpyxl,
            openpyxl_note,
            to: spec.to.to_string(),
            phases,
        });
        // Keep the disk small: the next workbook needs none of these.
        let _ = std::fs::remove_file(&out);
        let _ = std::fs::remove_file(&path);
    }
    let batch = if o.batch {
        Some(batch(&env, o.batch_copies)?)
    } else {
        None
    };
    print_report(&rows, batch.as_ref(), o);
    Ok(())
}

/// A Python with openpyxl, installing it with pip when missing.
fn openpyxl_python() -> Option<String> {
    let has = |py: &str| {
        Command::new(py)
            .args(["-c", "import openpyxl"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    for py in ["python3", "python"] {
        if has(py) {
            return Some(py.to_string());
        }
    }
    eprintln!("openpyxl is missing: trying `python3 -m pip install --user openpyxl` …");
    let _ = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "--user", "openpyxl"])
        .status();
    if has("python3") {
        return Some("python3".into());
    }
    let _ = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "openpyxl"])
        .status();
    has("python3").then(|| "python3".to_string())
}

struct Batch {
    files: usize,
    /// Files less the per-sheet CSVs that join another (`<base>__<sheet>.csv`).
    workbooks: usize,
    mode: &'static str,
    /// (jobs, files per second, failed files)
    results: Vec<(usize, f64, usize)>,
    /// (jobs, workbooks collected per second, exit code) of `jixiao collect` on the same tree.
    collect: Vec<(usize, f64, i32)>,
}

/// Throughput of the release binary over the fixtures replicated `copies` times.
fn batch(env: &Env, copies: usize) -> Result<Batch, String> {
    let input = env.data.join("batch-in");
    std::fs::create_dir_all(&input).map_err(|e| e.to_string())?;
    let fixtures = env.root.join("tests").join("fixtures");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e == "xlsx" || e == "csv")
        })
        .collect();
    sources.sort();
    let mut files = Vec::new();
    for copy in 0..copies {
        for src in &sources {
            let name = src.file_name().and_then(|n| n.to_str()).unwrap_or("x");
            let dest = input.join(format!("{copy:03}_{name}"));
            std::fs::copy(src, &dest).map_err(|e| e.to_string())?;
            files.push(dest);
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let has_batch = Command::new(&env.bin)
        .args(["batch", "--help"])
        .output()
        .is_ok_and(|o| o.status.success());
    let mut results = Vec::new();
    let mut collect = Vec::new();
    let mut jobs_list = vec![1];
    if cores > 1 {
        jobs_list.push(cores);
    }
    for jobs in jobs_list {
        let output = env.data.join(format!("batch-out-{jobs}"));
        let _ = std::fs::remove_dir_all(&output);
        std::fs::create_dir_all(&output).map_err(|e| e.to_string())?;
        eprintln!("batch: {} files, {jobs} job(s) …", files.len());
        let start = Instant::now();
        let failed = if has_batch {
            let status = Command::new(&env.bin)
                .arg("batch")
                .arg(&input)
                .arg("-o")
                .arg(&output)
                .args(["--to", "tangshan", "--jobs", &jobs.to_string(), "--force"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .map_err(|e| e.to_string())?;
            usize::from(!status.success())
        } else {
            parallel_converts(&env.bin, &files, &output, jobs)
        };
        let secs = start.elapsed().as_secs_f64();
        results.push((jobs, files.len() as f64 / secs, failed));
        let _ = std::fs::remove_dir_all(&output);
        if has_batch {
            let database = env.data.join(format!("collect-{jobs}.sqlite"));
            let _ = std::fs::remove_file(&database);
            eprintln!("collect: {} files, {jobs} job(s) …", files.len());
            let start = Instant::now();
            let status = Command::new(&env.bin)
                .arg("collect")
                .arg(&input)
                .arg("-o")
                .arg(&database)
                .args(["--jobs", &jobs.to_string()])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .map_err(|e| e.to_string())?;
            let secs = start.elapsed().as_secs_f64();
            collect.push((jobs, files.len() as f64 / secs, status.code().unwrap_or(-1)));
            let _ = std::fs::remove_file(&database);
        }
    }
    let _ = std::fs::remove_dir_all(&input);
    let mut bases: Vec<String> = files
        .iter()
        .filter_map(|f| {
            f.file_name()?
                .to_str()?
                .split_once("__")
                .map(|(b, _)| b.to_string())
        })
        .collect();
    let grouped = bases.len();
    bases.sort();
    bases.dedup();
    Ok(Batch {
        files: files.len(),
        workbooks: files.len() - grouped + bases.len(),
        mode: if has_batch {
            "`jixiao batch --jobs N`"
        } else {
            "N parallel `jixiao convert` processes"
        },
        results,
        collect,
    })
}

/// Converts every file with at most `jobs` `jixiao convert` processes at a time;
/// returns how many failed.
fn parallel_converts(bin: &Path, files: &[PathBuf], output: &Path, jobs: usize) -> usize {
    let mut queue = files.iter().enumerate();
    let mut running: Vec<std::process::Child> = Vec::new();
    let mut failed = 0;
    loop {
        while running.len() < jobs {
            let Some((i, file)) = queue.next() else { break };
            let out = output.join(format!("{i:05}.xlsx"));
            match Command::new(bin)
                .arg("convert")
                .arg(file)
                .args(["--to", "tangshan", "-o"])
                .arg(out)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
            {
                Ok(c) => running.push(c),
                Err(_) => failed += 1,
            }
        }
        if running.is_empty() {
            break;
        }
        let mut i = 0;
        let mut finished = false;
        while i < running.len() {
            match running[i].try_wait() {
                Ok(Some(status)) => {
                    failed += usize::from(!status.success());
                    // Already reaped: `wait` returns the same status at once.
                    let _ = running.swap_remove(i).wait();
                    finished = true;
                }
                Ok(None) => i += 1,
                Err(_) => {
                    failed += 1;
                    let _ = running.swap_remove(i).wait();
                    finished = true;
                }
            }
        }
        if !finished {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    failed
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

fn secs(s: f64) -> String {
    if s.is_nan() {
        "n/a".into()
    } else if s < 10.0 {
        format!("{s:.2}")
    } else {
        format!("{s:.1}")
    }
}

fn print_report(rows: &[Row], batch: Option<&Batch>, o: &Options) {
    let cpu = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!();
    println!(
        "jixiao conversion benchmark — median of {} repetition(s) (binary: {}, openpyxl: 1), {cpu} core(s)",
        o.reps, o.bin_reps
    );
    if rows.is_empty() {
        print_throughput(batch);
        return;
    }
    println!();
    println!(
        "| workbook → layout | projects | rows | merges | file MB | floor s | jixiao→xlsx s | ×floor | I/O floor s | ×I/O floor | styled floor s | ×styled | jixiao→json s | ×floor | binary s | openpyxl s | openpyxl ÷ jixiao |"
    );
    println!(
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in rows {
        let (py, ratio) = match r.openpyxl {
            Some(p) => (secs(p.secs), format!("{:.0}×", p.secs / r.xlsx.secs)),
            None => (r.openpyxl_note.clone(), "n/a".into()),
        };
        let ratio = if r.openpyxl.is_none() && r.openpyxl_note.starts_with('>') {
            format!("> {:.0}×", o.openpyxl_timeout.as_secs_f64() / r.xlsx.secs)
        } else {
            ratio
        };
        println!(
            "| {} → {} | {} | {} | {} | {} | {} | {} | {:.2} | {} | {:.2} | {} | {:.2} | {} | {:.2} | {} | {} | {} |",
            r.name,
            r.to,
            r.projects,
            r.rows,
            r.merges,
            mb(r.file_bytes),
            secs(r.floor.secs),
            secs(r.xlsx.secs),
            r.xlsx.secs / r.floor.secs,
            secs(r.io_floor),
            r.xlsx.secs / r.io_floor,
            secs(r.styled_floor),
            r.xlsx.secs / r.styled_floor,
            secs(r.json.secs),
            r.json.secs / r.floor.secs,
            secs(r.bin.secs),
            py,
            ratio,
        );
    }
    println!();
    println!(
        "| workbook | sheet XML MB | floor RSS MB | jixiao→xlsx RSS MB | ÷ XML | ÷ floor | styled floor RSS MB | ÷ styled | jixiao→json RSS MB | binary RSS MB | openpyxl RSS MB | jixiao phases (grid / model / write) s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in rows {
        let phases = r
            .phases
            .iter()
            .map(|(_, s)| secs(*s))
            .collect::<Vec<_>>()
            .join(" / ");
        println!(
            "| {} | {} | {} | {} | {:.2} | {:.2} | {} | {:.2} | {} | {} | {} | {} |",
            r.name,
            mb(r.xml_bytes),
            mb(r.floor.rss),
            mb(r.xlsx.rss),
            r.xlsx.rss as f64 / r.xml_bytes as f64,
            r.xlsx.rss as f64 / r.floor.rss as f64,
            mb(r.styled_rss),
            r.xlsx.rss as f64 / r.styled_rss as f64,
            mb(r.json.rss),
            mb(r.bin.rss),
            r.openpyxl.map_or_else(|| "n/a".into(), |p| mb(p.rss)),
            phases,
        );
    }
    print_throughput(batch);
    println!();
    for r in rows {
        println!("{}: {}", r.name, r.what);
    }
}

fn print_throughput(batch: Option<&Batch>) {
    if let Some(b) = batch {
        println!();
        println!(
            "batch: {} files = {} workbooks (tests/fixtures/*.xlsx, *.csv replicated; per-sheet CSVs of one workbook are one) → tangshan xlsx, {}:",
            b.files, b.workbooks, b.mode
        );
        for (jobs, rate, failed) in &b.results {
            let failed = match (*failed, b.mode.contains("batch")) {
                (0, _) => String::new(),
                (_, true) => " (the batch reported failed files)".to_string(),
                (n, false) => format!(" ({n} failed)"),
            };
            println!("  {jobs} job(s): {rate:.1} files/s{failed}");
        }
        for (jobs, rate, code) in &b.collect {
            let batch = b
                .results
                .iter()
                .find(|r| r.0 == *jobs)
                .map_or(f64::NAN, |r| r.1);
            let code = if *code == 0 {
                String::new()
            } else {
                format!(" (exit {code})")
            };
            println!(
                "  collect → SQLite, {jobs} job(s): {rate:.1} files/s = {:.0} % of batch's{code}",
                rate / batch * 100.0
            );
        }
    }
}
