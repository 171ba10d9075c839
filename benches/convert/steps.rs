//! The measured steps. Each runs in a child process of its own (the bench binary run
//! again with `__child STEP …`), so that its peak memory is its own; it prints its time
//! and what it saw as `key=value` lines on stdout.

use std::io::Cursor;
use std::path::Path;
use std::time::Instant;

use calamine::{Data, Reader, Sheets, open_workbook_auto_from_rs};
use jixiao::Template;
use jixiao::convert::{
    Format, ReadOptions, WriteOptions, load_workbook_owned, render_outputs_owned,
};

/// Runs a child step named on the command line; returns the process exit code.
pub fn child(args: &[String]) -> i32 {
    let result = match args {
        [step, file] if step == "floor" => floor(Path::new(file), false),
        [step, file] if step == "floor-styled" => floor(Path::new(file), true),
        // Inside a pool of one thread per core, as `jixiao convert` runs.
        [step, file, to] if step == "xlsx" => in_pool(|| convert(Path::new(file), Some(to), None)),
        [step, file, to, out] if step == "xlsx" => {
            in_pool(|| convert(Path::new(file), Some(to), Some(Path::new(out))))
        }
        [step, file] if step == "json" => in_pool(|| convert(Path::new(file), None, None)),
        [step, name, projects, dir] if step == "generate" => generate(name, projects, dir),
        _ => Err(format!("unknown child step {args:?}")),
    };
    match result {
        Ok(()) => {
            print_peak_rss();
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

fn in_pool(step: impl FnOnce() -> Result<(), String> + Send) -> Result<(), String> {
    jixiao::pool::with_jobs(0, step)
}

/// The peak RSS of this process (VmHWM), which a parent's `wait4` cannot tell apart
/// from its own size at the fork.
fn print_peak_rss() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    if let Some(kib) = kib {
        println!("rss={}", kib * 1024);
    }
}

/// Writes one generated workbook (in a child, so that the parent stays small).
fn generate(name: &str, projects: &str, dir: &str) -> Result<(), String> {
    let spec = crate::workbooks::SPECS
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| format!("no workbook {name:?}"))?;
    let projects: usize = projects.parse().map_err(|_| "projects: a number")?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let g = crate::workbooks::generate(spec, projects, root, Path::new(dir));
    println!("path={}", g.path.display());
    println!("projects={}", g.projects);
    println!("file_bytes={}", g.file_bytes);
    println!("xml_bytes={}", g.xml_bytes);
    Ok(())
}

/// The formats a form needs, made once (as a writer that knows its styles would):
/// bordered wrapped text, bordered amounts, bordered centred merged areas.
struct FormFormats {
    text: rust_xlsxwriter::Format,
    number: rust_xlsxwriter::Format,
    merged: rust_xlsxwriter::Format,
}

impl FormFormats {
    fn new() -> FormFormats {
        use rust_xlsxwriter::{Format, FormatAlign, FormatBorder};
        let base = Format::new()
            .set_border(FormatBorder::Thin)
            .set_font_name("宋体")
            .set_font_size(10)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        FormFormats {
            text: base.clone(),
            number: base
                .clone()
                .set_num_format("#,##0.00")
                .set_align(FormatAlign::Right),
            merged: base.set_align(FormatAlign::Center),
        }
    }
}

/// The floor: a bare calamine read of every cell and merge, and a bare rust_xlsxwriter
/// write of the same cells and merges. No model, no templates, no formats.
///
/// `styled`: the same write with what a form costs rust_xlsxwriter — every cell and
/// merged area with a bordered format (made once, not per cell), every row that holds
/// cells with a height, every used column with a width: the floor of writing a form, so
/// that jixiao's ratio to it is what jixiao adds.
fn floor(path: &Path, styled: bool) -> Result<(), String> {
    let start = Instant::now();
    let mut read_secs = 0.0;
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut out = rust_xlsxwriter::Workbook::new();
    let merge_format = rust_xlsxwriter::Format::new();
    let form = FormFormats::new();
    let (mut rows, mut cells, mut merges) = (0u64, 0u64, 0u64);
    read_secs += start.elapsed().as_secs_f64();
    for name in book.sheet_names() {
        let read_start = Instant::now();
        let range = book.worksheet_range(&name).map_err(|e| e.to_string())?;
        let dims = match &mut book {
            Sheets::Xlsx(x) => x
                .merge_cells_by_sheet_name(&name)
                .map_err(|e| e.to_string())?,
            _ => Vec::new(),
        };
        read_secs += read_start.elapsed().as_secs_f64();
        let ws = out.add_worksheet();
        ws.set_name(&name).map_err(|e| e.to_string())?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        rows += u64::from(range.end().map_or(0, |e| e.0 + 1));
        let mut last_row = None;
        let mut last_col = 0u16;
        for (r, c, value) in range.used_cells() {
            let (r, c) = (row0 + r as u32, (col0 + c as u32) as u16);
            if styled {
                let format = match value {
                    Data::Float(_) | Data::Int(_) => &form.number,
                    _ => &form.text,
                };
                write_styled(ws, r, c, value, format)?;
                if last_row != Some(r) {
                    ws.set_row_height(r, 20.25).map_err(|e| e.to_string())?;
                    last_row = Some(r);
                }
                last_col = last_col.max(c);
            } else {
                write_data(ws, r, c, value)?;
            }
            cells += 1;
        }
        for d in &dims {
            let (r, c) = (d.start.0, d.start.1 as u16);
            let format = if styled { &form.merged } else { &merge_format };
            ws.merge_range(r, c, d.end.0, d.end.1 as u16, "", format)
                .map_err(|e| e.to_string())?;
            if let Some(value) = range.get_value(d.start) {
                if styled {
                    write_styled(ws, r, c, value, format)?;
                } else {
                    write_data(ws, r, c, value)?;
                }
            }
            merges += 1;
        }
        if styled {
            for c in 0..=last_col {
                ws.set_column_width(c, 14.0).map_err(|e| e.to_string())?;
            }
        }
    }
    let written = out.save_to_buffer().map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    println!("secs={secs}");
    println!("read_secs={read_secs}");
    println!("write_secs={}", secs - read_secs);
    println!("out_bytes={}", written.len());
    println!("rows={rows}");
    println!("cells={cells}");
    println!("merges={merges}");
    Ok(())
}

fn write_data(
    ws: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    c: u16,
    value: &Data,
) -> Result<(), String> {
    match value {
        Data::Empty => Ok(()),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            ws.write_string(r, c, s).map(|_| ())
        }
        Data::Float(f) => ws.write_number(r, c, *f).map(|_| ()),
        Data::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()),
        Data::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
        Data::DateTime(d) => ws.write_number(r, c, d.as_f64()).map(|_| ()),
        Data::Error(e) => ws.write_string(r, c, e.to_string()).map(|_| ()),
    }
    .map_err(|e| e.to_string())
}

fn write_styled(
    ws: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    c: u16,
    value: &Data,
    format: &rust_xlsxwriter::Format,
) -> Result<(), String> {
    match value {
        Data::Empty => Ok(()),
        Data::Float(f) => ws.write_number_with_format(r, c, *f, format).map(|_| ()),
        Data::Int(i) => ws
            .write_number_with_format(r, c, *i as f64, format)
            .map(|_| ()),
        Data::Bool(b) => ws.write_boolean_with_format(r, c, *b, format).map(|_| ()),
        Data::DateTime(d) => ws
            .write_number_with_format(r, c, d.as_f64(), format)
            .map(|_| ()),
        other => ws
            .write_string_with_format(r, c, other.to_string(), format)
            .map(|_| ()),
    }
    .map_err(|e| e.to_string())
}

/// jixiao: load (detect the layout, read the model) and render to xlsx in another
/// layout (with the hidden canonical copy, as `convert` does by default) or to JSON.
/// Prints the time of each phase too.
fn convert(path: &Path, to: Option<&String>, save: Option<&Path>) -> Result<(), String> {
    let start = Instant::now();
    let mut last = start;
    let mut phase = |name: &str| {
        let now = Instant::now();
        println!("phase.{name}={}", (now - last).as_secs_f64());
        last = now;
    };
    // `jixiao::convert::load`, phase by phase.
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let name = path.display().to_string();
    let book = jixiao::read::read_bytes(&name, &bytes).map_err(|e| e.to_string())?;
    drop(bytes);
    phase("grid");
    let loaded = load_workbook_owned(book, &ReadOptions::default()).map_err(|e| e.to_string())?;
    phase("model");
    let options = WriteOptions {
        format: if to.is_some() {
            Format::Xlsx
        } else {
            Format::Json
        },
        template: to
            .map(|t| Template::builtin(t))
            .transpose()
            .map_err(|e| e.to_string())?,
        embed: true,
        csv_encoding: Default::default(),
    };
    let projects = loaded.document.projects.len();
    // As `jixiao convert` does: the document is handed over, and freed before the
    // writer's peak.
    let rendered = render_outputs_owned(loaded.document, &options).map_err(|e| e.to_string())?;
    phase("write");
    let secs = start.elapsed().as_secs_f64();
    let out: usize = rendered.outputs.iter().map(|o| o.bytes.len()).sum();
    println!("secs={secs}");
    println!("out_bytes={out}");
    println!("projects={projects}");
    if let Some(save) = save {
        std::fs::write(save, &rendered.outputs[0].bytes).map_err(|e| e.to_string())?;
    }
    Ok(())
}
