//! `jixiao batch`: a whole folder tree, in parallel, with progress and a report.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use jixiao::batch::{self, BatchOptions, Progress, Status};
use jixiao::convert::Format;
use jixiao::error::{Error, Result};
use jixiao::template;
use jixiao::write::csv::CsvEncoding;

/// Set by Ctrl-C or SIGTERM: running files finish whole, no new ones start.
static STOP: AtomicBool = AtomicBool::new(false);

/// Convert a whole folder tree of tables, mixed layouts and formats, in parallel.
///
/// Outputs mirror the input tree under OUT_DIR. Inputs are never modified; each output is
/// written to a temporary file and renamed into place; existing outputs are skipped
/// unless --force. Exit code: 0 all converted, 1 some failed, 2 nothing could run.
///
/// Examples:
///   jixiao batch 2023/ -o 2024/ --to national --roll-forward 2024 --report report.csv
///   jixiao batch inbox/ -o json/ --format json --jobs 2
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The folder to read (all subfolders too).
    in_dir: PathBuf,
    /// The folder to write into (created if missing).
    #[arg(short, long)]
    output: PathBuf,
    /// The target layout (a built-in id or a template file); not needed for --format json.
    #[arg(long)]
    to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "xlsx")]
    format: FormatArg,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    jobs: usize,
    /// Move every table to this budget year (see `convert --roll-forward`).
    #[arg(long, value_name = "YEAR")]
    roll_forward: Option<i32>,
    /// Write a report with one row per input: JSON or CSV by the file's extension.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Overwrite outputs that already exist.
    #[arg(long)]
    force: bool,
    /// Do not embed the canonical JSON in the xlsx outputs.
    #[arg(long)]
    no_embed: bool,
    /// CSV output encoding.
    #[arg(long, value_enum, default_value = "utf8")]
    encoding: super::convert::EncodingArg,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Xlsx,
    Csv,
    Json,
}

pub fn run(args: Args) -> Result<i32> {
    let format = match args.format {
        FormatArg::Xlsx => Format::Xlsx,
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
    };
    let to = args.to.as_deref().map(template::resolve).transpose()?;
    if format != Format::Json && to.is_none() {
        return Err(Error::Unsupported {
            message: "--to LAYOUT is required for xlsx and csv output (see `jixiao layouts`)"
                .into(),
        });
    }
    let (jobs, mut rows) = match batch::plan(&args.in_dir, &args.output, format) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("jixiao: error: {e}");
            return Ok(2);
        }
    };
    if jobs.is_empty() {
        eprintln!(
            "jixiao: error: {}: no table files found",
            args.in_dir.display()
        );
        return Ok(2);
    }
    if let Err(source) = std::fs::create_dir_all(&args.output) {
        eprintln!(
            "jixiao: error: {}: cannot create: {source}",
            args.output.display()
        );
        return Ok(2);
    }
    batch::clean_stale_temporaries(&args.output);
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst));

    let options = BatchOptions {
        to,
        format,
        jobs: args.jobs,
        force: args.force,
        roll_forward: args.roll_forward,
        embed: !args.no_embed,
        csv_encoding: match args.encoding {
            super::convert::EncodingArg::Utf8 => CsvEncoding::Utf8Bom,
            super::convert::EncodingArg::Gbk => CsvEncoding::Gbk,
        },
        extra_templates: Vec::new(),
    };
    let total = jobs.len();
    let done = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
            bar.set_style(style);
        }
        bar
    });
    let lines = Mutex::new(());
    let report = |event: Progress| match event {
        Progress::Started(job) => {
            if let Some(bar) = &bar {
                bar.set_message(format!(
                    "{} (failed so far: {})",
                    job.name,
                    failed.load(Ordering::SeqCst)
                ));
            }
        }
        Progress::Finished(row) => {
            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
            if row.status == Status::Failed {
                failed.fetch_add(1, Ordering::SeqCst);
            }
            let line = match row.status {
                Status::Converted => format!(
                    "[{n}/{total}] {} → {} ({}, {} project(s){})",
                    row.input,
                    row.output.as_deref().unwrap_or(""),
                    row.layout.as_deref().unwrap_or("?"),
                    row.projects,
                    if row.warnings > 0 {
                        format!(", {} warning(s)", row.warnings)
                    } else {
                        String::new()
                    }
                ),
                Status::Skipped => format!(
                    "[{n}/{total}] {} skipped: {}",
                    row.input,
                    row.reason.as_deref().unwrap_or("")
                ),
                Status::Failed => format!(
                    "[{n}/{total}] {} FAILED: {}",
                    row.input,
                    row.reason.as_deref().unwrap_or("")
                ),
            };
            match &bar {
                Some(bar) => {
                    bar.inc(1);
                    if row.status == Status::Failed {
                        bar.println(line);
                    }
                }
                None => {
                    let _guard = lines.lock();
                    eprintln!("{line}");
                }
            }
        }
    };
    let converted = batch::run(&jobs, &options, &STOP, &report);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    rows.extend(converted);
    rows.sort_by(|a, b| a.input.cmp(&b.input));
    let summary = batch::summarize(&rows);
    eprintln!("converted      {:>6}", summary.converted);
    eprintln!("  with warnings{:>6}", summary.with_warnings);
    eprintln!("skipped        {:>6}", summary.skipped);
    eprintln!("failed         {:>6}", summary.failed);
    if let Some(path) = &args.report {
        let is_csv = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let bytes = if is_csv {
            batch::report_csv(&rows)
        } else {
            batch::report_json(&rows)
        };
        jixiao::write::write_atomically(path, &bytes)?;
        eprintln!("report: {}", path.display());
    }
    if STOP.load(Ordering::SeqCst) {
        eprintln!("jixiao: interrupted; files not started are listed as skipped");
        return Ok(130);
    }
    Ok(if summary.failed > 0 { 1 } else { 0 })
}
