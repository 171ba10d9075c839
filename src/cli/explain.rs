//! `jixiao explain`: how a file was read, cell by cell.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use unicode_width::UnicodeWidthStr;

use jixiao::Document;
use jixiao::convert::{self, Loaded, ReadOptions};
use jixiao::error::{Error, Result};
use jixiao::explain::{CellKind, Explanation, explain};
use jixiao::grid::Workbook;
use jixiao::template::{self, Template};
use jixiao::warning::Warning;

/// Show how a file was read: the layout and why, the cell each value came from, and
/// every other non-empty cell (a label, note, signature, a value read without a cell,
/// or a leftover nothing read).
///
/// Examples:
///   jixiao explain ezhou_2022.xlsx
///   jixiao explain table.xlsx --template my_layout.toml
///   jixiao explain table.xlsx --from luan --format json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The file to explain: .xlsx, .xls, .ods, an HTML table export, .csv or .tsv.
    /// Several files (the per-sheet CSVs Excel saves from one workbook) are read as one.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Read with this template file instead of detecting the layout.
    #[arg(long, conflicts_with = "from")]
    template: Option<PathBuf>,
    /// Read in this layout (a built-in id or a template file) instead of detecting it.
    #[arg(long)]
    from: Option<String>,
    /// Output: an aligned table for people, or one JSON object.
    #[arg(long, value_enum, default_value = "table")]
    format: OutputFormat,
    /// Read the input's form only, ignoring a canonical copy jixiao embedded in it.
    #[arg(long)]
    ignore_embedded: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Table,
    Json,
}

/// The longest text shown in a table column before it is cut with "…".
const TEXT_WIDTH: usize = 48;

pub fn run(args: Args) -> Result<i32> {
    let given = match (&args.template, &args.from) {
        (Some(file), _) => Some(Template::from_file(file)?),
        (None, Some(from)) => Some(template::resolve(from)?),
        (None, None) => None,
    };
    let book = read_book(&args.inputs)?;
    let options = ReadOptions {
        from: given.clone(),
        ignore_embedded: args.ignore_embedded,
        ..ReadOptions::default()
    };
    let loaded = match convert::load_workbook(&book, &options) {
        // A named layout that finds no table still explains: every cell is then a
        // label of that layout or a leftover, which shows why it does not fit.
        Err(e @ Error::NoTable { .. }) if options.from.is_some() => Loaded {
            document: Document::new(template_kind(&options)),
            warnings: vec![Warning::new(e.to_string())],
            scores: Vec::new(),
        },
        other => other?,
    };
    let template = match given {
        Some(t) => t,
        None => Template::builtin(&loaded.document.source.layout)?,
    };
    let explanation = explain(&book, &loaded, &template, options.from.is_some());
    let text = match args.format {
        OutputFormat::Json => {
            serde_json::to_string_pretty(&explanation).expect("explanation serializes") + "\n"
        }
        OutputFormat::Table => table(&explanation),
    };
    super::print_stdout(&text)
}

/// The inputs as one workbook, as `convert` reads them.
fn read_book(inputs: &[PathBuf]) -> Result<Workbook> {
    let mut book = Workbook::default();
    let mut names = Vec::new();
    for input in inputs {
        let part = jixiao::read::read_path(input)?;
        if inputs.len() == 1 {
            return Ok(part);
        }
        names.push(part.file.clone());
        book.sheets.extend(part.sheets);
        book.warnings.extend(part.warnings);
    }
    book.file = names.join(" + ");
    if book.sheets.is_empty() {
        return Err(Error::NoTable {
            file: book.file,
            reason: "no sheets".into(),
        });
    }
    Ok(book)
}

/// The explanation for people: the layout, fields, other cells, warnings, counts.
fn table(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "file     {}", e.file);
    let _ = writeln!(out, "layout   {} ({})", e.layout, e.layout_name);
    let _ = writeln!(out, "         {}", why(e));
    if !e.labels.missing.is_empty() {
        let _ = writeln!(out, "         not found: {}", e.labels.missing.join("、"));
    }
    out.push('\n');
    let _ = writeln!(out, "fields ({} cells)", e.counts.field);
    let rows: Vec<[String; 3]> = e
        .fields
        .iter()
        .map(|f| [f.cell.clone(), f.path.clone(), clip(&f.text)])
        .collect();
    write_rows(&mut out, &["cell", "path", "text"], &rows);
    out.push('\n');
    let _ = writeln!(out, "other cells ({})", e.cells.len());
    let rows: Vec<[String; 4]> = e
        .cells
        .iter()
        .map(|c| {
            let path = c
                .path
                .as_deref()
                .map(|p| format!("→ {p}"))
                .unwrap_or_default();
            [c.cell.clone(), c.kind.as_str().into(), clip(&c.text), path]
        })
        .collect();
    write_rows(&mut out, &["cell", "kind", "text", ""], &rows);
    if !e.warnings.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "warnings ({})", e.warnings.len());
        for w in &e.warnings {
            let _ = writeln!(out, "  {w}");
        }
    }
    out.push('\n');
    let c = e.counts;
    let leftovers = e
        .cells
        .iter()
        .filter(|c| c.kind == CellKind::Leftover)
        .count();
    let _ = writeln!(
        out,
        "{} field cell(s), {} label(s), {} value(s), {} note(s), {} signature(s), {leftovers} leftover(s)",
        c.field, c.label, c.value, c.note, c.signature
    );
    out
}

/// Why the layout: given, or detected with its confidence and runner-up.
fn why(e: &Explanation) -> String {
    let labels = format!(
        "{} of {} labels found, confidence {:.0}%",
        e.labels.found,
        e.labels.wanted,
        e.confidence * 100.0
    );
    if e.given {
        return format!("given; {labels}");
    }
    match &e.runner_up {
        Some(r) => format!(
            "detected: {labels}; runner-up {} {:.0}%",
            r.layout,
            r.confidence * 100.0
        ),
        None => format!("detected: {labels}"),
    }
}

/// One line of text, cut to [`TEXT_WIDTH`] columns.
fn clip(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.width() <= TEXT_WIDTH {
        return line;
    }
    let mut cut = String::new();
    for c in line.chars() {
        if cut.width() + 2 > TEXT_WIDTH {
            break;
        }
        cut.push(c);
    }
    cut + "…"
}

/// Rows in columns padded to their widest cell (Chinese characters count two).
fn write_rows<const N: usize>(out: &mut String, head: &[&str; N], rows: &[[String; N]]) {
    let mut widths = head.map(UnicodeWidthStr::width);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut line = |cells: Vec<&str>| {
        let mut text = String::from(" ");
        for (cell, w) in cells.iter().zip(widths) {
            text.push(' ');
            text.push_str(cell);
            text.push_str(&" ".repeat(w - cell.width()));
            text.push(' ');
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(head.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// The kind of document the given layout reads.
fn template_kind(options: &ReadOptions) -> jixiao::model::Kind {
    options
        .from
        .as_ref()
        .map_or(jixiao::model::Kind::Project, |t| t.kind)
}
