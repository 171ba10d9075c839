//! `jixiao convert`: one file to another layout and format.

use std::path::PathBuf;

use clap::ValueEnum;

use jixiao::convert::{self, Format, ReadOptions, WriteOptions};
use jixiao::error::{Error, Result};
use jixiao::template::{self, Template};
use jixiao::write::csv::CsvEncoding;

/// Convert a table to another layout (xlsx, csv) or to canonical JSON.
///
/// Examples:
///   jixiao convert luan_2023.xlsx --to national -o national.xlsx
///   jixiao convert luan_2023.xlsx -o luan.json
///   jixiao convert yancheng.gbk.csv --to luan -o out.csv --encoding gbk
///   jixiao convert table.xlsx --format json -o -
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The file to read: .xlsx, .xls, .ods, an HTML table export, .csv, .tsv or canonical .json. Several files
    /// (the per-sheet CSVs Excel saves from one workbook) are read as one workbook.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Where to write; "-" for stdout (then --format is required). Without it, JSON goes to stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The target layout (a built-in id or a template file); required for xlsx and csv.
    #[arg(long)]
    to: Option<String>,
    /// The layout of the input (a built-in id or a template file); detected when omitted.
    #[arg(long)]
    from: Option<String>,
    /// Output format; by default the extension of -o decides.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// A user template file: the target layout when --to is not given, and a candidate
    /// layout when detecting the input.
    #[arg(long)]
    template: Option<PathBuf>,
    /// Do not embed the canonical JSON in a hidden sheet of the xlsx output.
    #[arg(long)]
    no_embed: bool,
    /// Read the input's form only, ignoring a canonical copy jixiao embedded in it.
    #[arg(long)]
    ignore_embedded: bool,
    /// Move the table to this budget year: fiscal year and titles, dates of the old year
    /// in 时效指标, linyi's 上年值; every change is listed (stderr and --report).
    #[arg(long, value_name = "YEAR")]
    roll_forward: Option<i32>,
    /// Write the loss report (dropped, inferred and blank fields) as JSON to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// CSV output encoding: UTF-8 with BOM, or GBK as Chinese Excel saves it.
    #[arg(long, value_enum, default_value = "utf8")]
    encoding: EncodingArg,
    /// Fail (exit 1, nothing written) when `jixiao check` finds errors in the input.
    #[arg(long)]
    check: bool,
    /// Threads for one workbook (sheets filled and the loss report worked out in
    /// parallel; default: one per core). `--jobs 1` is the serial path: the output is
    /// the same bytes either way.
    #[arg(long, short = 'j', default_value_t = 0)]
    jobs: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Xlsx,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum EncodingArg {
    Utf8,
    Gbk,
}

pub fn run(args: Args) -> Result<i32> {
    jixiao::pool::with_jobs(args.jobs, || convert(args))
}

fn convert(args: Args) -> Result<i32> {
    let user_template = args
        .template
        .as_deref()
        .map(Template::from_file)
        .transpose()?;
    let from = args.from.as_deref().map(template::resolve).transpose()?;
    let target = match (&args.to, &user_template) {
        (Some(name), _) => Some(template::resolve(name)?),
        (None, Some(t)) => Some(t.clone()),
        (None, None) => None,
    };
    let stdout = args.output.as_deref().is_none_or(|p| p.as_os_str() == "-");
    let format = match (args.format, &args.output) {
        (Some(f), _) => match f {
            FormatArg::Xlsx => Format::Xlsx,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
        },
        (None, Some(path)) if !stdout => Format::from_path(path).ok_or_else(|| Error::Unsupported {
            message: format!("{}: cannot tell the output format from the extension; use .xlsx, .csv or .json, or --format", path.display()),
        })?,
        (None, Some(_)) => {
            return Err(Error::Unsupported { message: "-o - writes to stdout: say which format with --format json|csv".into() });
        }
        (None, None) => Format::Json,
    };
    if stdout && format == Format::Xlsx {
        return Err(Error::Unsupported {
            message: "xlsx cannot go to stdout; name a file with -o".into(),
        });
    }
    if format != Format::Json && target.is_none() {
        return Err(Error::Unsupported {
            message: "--to LAYOUT is required for xlsx and csv output (see `jixiao layouts`)"
                .into(),
        });
    }

    let read = ReadOptions {
        from,
        ignore_embedded: args.ignore_embedded,
        // A user's own layout competes with the built-ins when detecting.
        extra_templates: user_template.into_iter().collect(),
    };
    let mut loaded = convert::load_many(&args.inputs, &read)?;
    let changes = match args.roll_forward {
        Some(year) => jixiao::rollforward::roll_forward(&mut loaded.document, year),
        None => Vec::new(),
    };
    for c in &changes {
        let place = [c.project.as_deref(), c.indicator.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / ");
        match &c.note {
            Some(note) => eprintln!("roll-forward: {place} {}: {note}", c.field),
            None => eprintln!("roll-forward: {place} {}: {} → {}", c.field, c.from, c.to),
        }
    }
    let input_name = args
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    super::print_warnings(&input_name, &loaded.warnings, 20);
    let check_hint = args
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    if !super::check::convert_summary(&loaded.document, &check_hint, args.check) {
        return Ok(1);
    }

    let options = WriteOptions {
        format,
        template: target,
        embed: !args.no_embed,
        csv_encoding: match args.encoding {
            EncodingArg::Utf8 => CsvEncoding::Utf8Bom,
            EncodingArg::Gbk => CsvEncoding::Gbk,
        },
    };
    // What the summary line needs, before the document is handed over to be written.
    let doc = &loaded.document;
    let (projects, indicators) = (doc.projects.len(), doc.indicator_count());
    let layout = doc.source.layout_name().to_string();
    let rendered = convert::render_outputs_owned(loaded.document, &options)?;
    if let Some(report) = &rendered.report {
        eprint!("{}", report.summary());
    }
    if let Some(path) = &args.report {
        let mut value = match &rendered.report {
            Some(r) => serde_json::to_value(r).expect("reports serialize"),
            None => serde_json::json!({ "dropped": [], "inferred": [], "blank": [] }),
        };
        if args.roll_forward.is_some() {
            value["roll_forward"] = serde_json::to_value(&changes).expect("changes serialize");
        }
        let json = serde_json::to_string_pretty(&value).expect("reports serialize") + "\n";
        jixiao::write::write_atomically(path, json.as_bytes())?;
    }
    let outputs = rendered.outputs;
    if stdout {
        let mut all = Vec::new();
        for o in &outputs {
            all.extend_from_slice(&o.bytes);
        }
        let text = String::from_utf8_lossy(&all).into_owned();
        return super::print_stdout(&text);
    }
    let path = args.output.expect("checked above");
    let written = convert::save(&path, &outputs)?;
    eprintln!(
        "{} → {}: {} project(s), {} indicator(s), layout {} → {}",
        input_name,
        written_list(&written),
        projects,
        indicators,
        layout,
        options.template.as_ref().map_or("json", |t| t.id.as_str()),
    );
    Ok(0)
}

/// The files a conversion wrote, as the summary line names them: a few, then how many
/// in all (a province's CSVs are one file per sheet, thousands of names on one line).
fn written_list(written: &[PathBuf]) -> String {
    const SHOWN: usize = 3;
    let mut names: Vec<String> = written
        .iter()
        .take(SHOWN)
        .map(|p| p.display().to_string())
        .collect();
    if written.len() > SHOWN {
        names.push(format!("… ({} files)", written.len()));
    }
    names.join(", ")
}
