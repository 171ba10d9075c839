//! `jixiao collect`: every submission of a tree in one database, workbook or CSV folder.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use jixiao::collect::{self, CollectOptions, Destination, Progress};
use jixiao::error::{Error, Result};
use jixiao::template::Template;
use jixiao::write::csv::CsvEncoding;

/// Set by Ctrl-C or SIGTERM: nothing is written, the output stays as it was.
static STOP: AtomicBool = AtomicBool::new(false);

/// Collect every table of files and folders into tidy tables: SQLite, xlsx or CSVs.
///
/// One row per document, project, indicator, indicator value (per period), duty,
/// objective, spending line, expense, schedule line and check finding, plus a summary
/// per department and year; amounts in 万元. The output's extension chooses the format:
/// .sqlite/.db a database (running again re-reads only files whose content changed and
/// keeps the rest), .xlsx one sheet per table, anything else a folder of CSV files.
/// Files that cannot be read are listed in `documents` with their error.
/// Exit code: 0 all read, 1 some could not be read, 2 nothing to collect.
///
/// Examples:
///   jixiao collect inbox/ -o review.sqlite
///   jixiao collect inbox/ extra.xlsx -o review.xlsx
///   jixiao collect inbox/ -o tables/ --encoding gbk
///   jixiao collect --schema            the tables and columns (markdown)
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Files and folders to collect (folders with all their subfolders).
    #[arg(required_unless_present = "schema")]
    inputs: Vec<PathBuf>,
    /// The database (.sqlite, .db), workbook (.xlsx) or CSV folder to write.
    #[arg(short, long, required_unless_present = "schema")]
    output: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', default_value_t = 0)]
    jobs: usize,
    /// A template of your own whose layout competes with the built-ins.
    #[arg(long, value_name = "FILE")]
    template: Vec<PathBuf>,
    /// CSV output encoding.
    #[arg(long, value_enum, default_value = "utf8")]
    encoding: super::convert::EncodingArg,
    /// Print the tables and their columns (English and Chinese) and exit.
    #[arg(long)]
    schema: bool,
}

pub fn run(args: Args) -> Result<i32> {
    if args.schema {
        return super::print_stdout(&collect::schema::markdown());
    }
    let Some(output) = args.output else {
        return Err(Error::Unsupported {
            message: "name the output with -o (.sqlite, .xlsx or a folder)".into(),
        });
    };
    let to = collect::destination(&output);
    let options = CollectOptions {
        jobs: args.jobs,
        extra_templates: args
            .template
            .iter()
            .map(|p| Template::from_file(p))
            .collect::<Result<_>>()?,
        csv_encoding: match args.encoding {
            super::convert::EncodingArg::Utf8 => CsvEncoding::Utf8Bom,
            super::convert::EncodingArg::Gbk => CsvEncoding::Gbk,
        },
    };
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst));
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
            bar.set_style(style);
        }
        bar
    });
    let report = |event: Progress| match event {
        Progress::Planned(n) => {
            if let Some(bar) = &bar {
                bar.set_length(n as u64);
            }
        }
        Progress::Done { file, error } => {
            let line = error.map(|e| format!("could not read {file}: {e}"));
            match (&bar, line) {
                (Some(bar), line) => {
                    bar.inc(1);
                    bar.set_message(file.to_string());
                    if let Some(line) = line {
                        bar.println(line);
                    }
                }
                (None, Some(line)) => eprintln!("{line}"),
                (None, None) => {}
            }
        }
    };
    let outcome = collect::collect(&args.inputs, &to, &options, &STOP, &report);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let outcome = match outcome {
        Ok(o) => o,
        Err(e @ Error::Empty { .. }) => {
            eprintln!("jixiao: error: {e}");
            return Ok(2);
        }
        Err(e) => return Err(e),
    };
    if outcome.interrupted {
        eprintln!(
            "jixiao collect: interrupted; {} left as it was",
            output.display()
        );
        return Ok(1);
    }
    let what = match &to {
        Destination::Sqlite(_) => "database",
        Destination::Xlsx(_) => "workbook",
        Destination::CsvFolder(_) => "CSV folder",
    };
    eprintln!(
        "collected {} file(s) into {what} {} ({} could not be read{})",
        outcome.read,
        output.display(),
        outcome.failed,
        if outcome.unchanged > 0 {
            format!(", {} unchanged and kept", outcome.unchanged)
        } else {
            String::new()
        }
    );
    Ok(if outcome.failed > 0 { 1 } else { 0 })
}
