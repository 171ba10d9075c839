//! Batch conversion (SPEC §8): a tree of mixed-layout, mixed-format files converted in
//! parallel into a mirrored tree. One bad file never stops the batch; inputs are only
//! read; each output is written to a temporary file and renamed into place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use crate::convert::{self, Format, Loaded, ReadOptions, WriteOptions};
use crate::error::{Error, Result};
use crate::model::Document;
use crate::rollforward::{Change, roll_forward_with};
use crate::template::Template;
use crate::write::csv::CsvEncoding;

/// File endings the batch reads; anything else is listed as skipped.
pub(crate) const TABLE_EXTENSIONS: [&str; 9] = [
    "xlsx", "xlsm", "xls", "ods", "csv", "tsv", "json", "htm", "html",
];

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// The target layout; required unless `format` is JSON.
    pub to: Option<Template>,
    /// The output format of every file.
    pub format: Format,
    /// Worker threads; 0 = one per core.
    pub jobs: usize,
    /// Overwrite outputs that exist.
    pub force: bool,
    /// Move every table to this budget year (see [`crate::rollforward`]).
    pub roll_forward: Option<i32>,
    /// Embed the canonical JSON in a hidden sheet of each xlsx output.
    pub embed: bool,
    /// The encoding of CSV outputs.
    pub csv_encoding: CsvEncoding,
    /// Layouts of the user's own that compete with the built-ins when each input's
    /// layout is detected (see [`ReadOptions::extra_templates`]).
    pub extra_templates: Vec<Template>,
}

impl BatchOptions {
    /// How every input is read: its layout detected, the user's templates competing.
    fn read_options(&self) -> ReadOptions {
        ReadOptions {
            extra_templates: self.extra_templates.clone(),
            ..ReadOptions::default()
        }
    }
}

/// One unit of work: the file (or the per-sheet CSVs of one workbook) and its output.
#[derive(Debug, Clone)]
pub struct Job {
    /// The file, or the per-sheet CSVs of one workbook, read as one.
    pub inputs: Vec<PathBuf>,
    /// The input as shown in reports, relative to the input folder.
    pub name: String,
    /// Where the output goes (the first file, for CSV of several sheets).
    pub output: PathBuf,
}

/// What became of one input. In the report: "converted", "skipped" or "failed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Read and written.
    Converted,
    /// Not tried: not a table file, the output exists, or the batch was interrupted.
    Skipped,
    /// Tried, and it could not be read or written; the row says why.
    Failed,
}

/// One row of the batch report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The input, relative to the input folder ([`Job::name`]).
    pub input: String,
    /// What became of it.
    pub status: Status,
    /// The layout it was read in ("json" for canonical JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    /// How sure the detection was, 0 to 1 (absent when the layout was not detected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Projects read.
    pub projects: usize,
    /// Indicators read.
    pub indicators: usize,
    /// Warnings met while reading.
    pub warnings: usize,
    /// What `jixiao check` finds in the input: errors and warnings.
    pub check_errors: usize,
    /// Warnings that `jixiao check` finds in the input.
    pub check_warnings: usize,
    /// Values the target layout could not hold ([`crate::loss::LossReport::dropped`]).
    pub dropped: usize,
    /// The files written, joined with " + ".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Why a file failed or was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What rolling forward ([`BatchOptions::roll_forward`]) moved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
}

impl Row {
    fn new(input: String, status: Status) -> Row {
        Row {
            input,
            status,
            layout: None,
            confidence: None,
            projects: 0,
            indicators: 0,
            warnings: 0,
            check_errors: 0,
            check_warnings: 0,
            dropped: 0,
            output: None,
            reason: None,
            changes: Vec::new(),
        }
    }
}

/// Finds the work in a folder tree: every table file, the per-sheet CSVs of one
/// workbook (`<base>__<sheet>.csv`) together, each with its mirrored output path.
/// Files that are not tables come back as skipped rows.
pub fn plan(in_dir: &Path, out_dir: &Path, format: Format) -> Result<(Vec<Job>, Vec<Row>)> {
    if !in_dir.is_dir() {
        return Err(Error::Io {
            path: in_dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
        });
    }
    let skip_dir = out_dir.canonicalize().ok();
    let found = discover(&[in_dir.to_path_buf()], skip_dir.as_deref())?;
    let skipped = found
        .not_tables
        .iter()
        .map(|file| {
            let mut row = Row::new(relative(in_dir, file), Status::Skipped);
            row.reason = Some("not a table file (by its name)".into());
            row
        })
        .collect();
    let out_ext = format.extension();
    // Outputs named by stem; stems that collide ("a.xlsx" and "a.csv") keep their ending.
    let mut by_output: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut jobs: Vec<Job> = Vec::new();
    for inputs in &found.workbooks {
        let key = workbook_key(&inputs[0]);
        let stem = key.split('\u{0}').next().unwrap_or(&key);
        let dir = inputs[0].parent().unwrap_or(in_dir);
        let rel_dir = dir.strip_prefix(in_dir).unwrap_or(Path::new(""));
        let output = out_dir.join(rel_dir).join(format!("{stem}.{out_ext}"));
        *by_output.entry(output.clone()).or_default() += 1;
        let name = inputs
            .iter()
            .map(|p| relative(in_dir, p))
            .collect::<Vec<_>>()
            .join(" + ");
        jobs.push(Job {
            inputs: inputs.clone(),
            name,
            output,
        });
    }
    // Of the inputs that would share an output, the one in the most native format keeps
    // the plain name (xlsx before xls before csv …); the others add their ending.
    let rank = |job: &Job| {
        TABLE_EXTENSIONS
            .iter()
            .position(|e| *e == extension(&job.inputs[0]))
            .unwrap_or(usize::MAX)
    };
    let mut keeper: BTreeMap<PathBuf, (usize, usize)> = BTreeMap::new();
    for (i, job) in jobs.iter().enumerate() {
        let entry = keeper.entry(job.output.clone()).or_insert((rank(job), i));
        if rank(job) < entry.0 {
            *entry = (rank(job), i);
        }
    }
    for (i, job) in jobs.iter_mut().enumerate() {
        if by_output[&job.output] > 1 && keeper[&job.output].1 != i {
            let source_ext = extension(&job.inputs[0]);
            let stem = job
                .output
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("out")
                .to_string();
            job.output = job
                .output
                .with_file_name(format!("{stem}.{source_ext}.{out_ext}"));
        }
    }
    Ok((jobs, skipped))
}

/// The table files of a set of inputs.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    /// Each workbook's files: one file, or the per-sheet CSVs `<base>__<sheet>.csv` of
    /// one workbook; in folder and name order.
    pub workbooks: Vec<Vec<PathBuf>>,
    /// Files met in folders that are not tables by their name.
    pub not_tables: Vec<PathBuf>,
}

/// Finds the table files of files and folders (all subfolders, hidden ones left out,
/// `skip` never entered): a file named directly is always taken; in folders, files
/// with a table ending (xlsx, xlsm, xls, ods, csv, tsv, json, htm, html). Per-sheet CSVs of one workbook in one
/// folder are grouped.
pub fn discover(roots: &[PathBuf], skip: Option<&Path>) -> Result<Discovered> {
    let mut found = Discovered::default();
    // Grouped by (folder, workbook key): `a__x.csv` and `a__y.csv` are one workbook.
    let mut groups: BTreeMap<(PathBuf, String), Vec<PathBuf>> = BTreeMap::new();
    for root in roots {
        let mut files = Vec::new();
        if root.is_dir() {
            walk(root, skip, &mut files)?;
            files.retain(|file| {
                let table = TABLE_EXTENSIONS.contains(&extension(file).as_str());
                if !table {
                    found.not_tables.push(file.clone());
                }
                table
            });
        } else if root.is_file() {
            files.push(root.clone());
        } else {
            return Err(Error::Io {
                path: root.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            });
        }
        for file in files {
            let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
            let group = groups.entry((dir, workbook_key(&file))).or_default();
            if !group.contains(&file) {
                group.push(file);
            }
        }
    }
    found.workbooks = groups.into_values().collect();
    Ok(found)
}

/// Every file under a folder, in name order folder by folder (the same tree gives the
/// same list), hidden entries and `skip` left out.
pub(crate) fn walk(dir: &Path, skip: Option<&Path>, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            // Never read our own output folder when it sits inside the input.
            if skip.is_some_and(|s| path.canonicalize().ok().as_deref() == Some(s)) {
                continue;
            }
            walk(&path, skip, files)?;
        } else if path.is_file() {
            files.push(path);
        }
    }
    Ok(())
}

fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Removes temporary files left by an interrupted earlier run.
pub fn clean_stale_temporaries(out_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(out_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            clean_stale_temporaries(&path);
        } else if name.starts_with('.') && name.contains(".jixiao-tmp-") {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Which workbook a file belongs to, by its name: `a__x.csv` and `a__y.csv` are sheets of
/// one workbook (key "a"); any other file is a workbook of its own (key "stem\0ext").
pub(crate) fn workbook_key(file: &Path) -> String {
    let ext = extension(file);
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("out");
    match (ext.as_str(), stem.split_once("__")) {
        ("csv" | "tsv", Some((base, _))) if !base.is_empty() => base.to_string(),
        _ => format!("{stem}\u{0}{ext}"),
    }
}

/// What a worker reports as it goes.
#[derive(Debug, Clone)]
pub enum Progress<'a> {
    /// A job has started.
    Started(&'a Job),
    /// A job has ended (or was skipped) with this row.
    Finished(&'a Row),
}

/// Runs the jobs in parallel. A set `stop` flag lets running jobs finish (their outputs
/// are renamed into place whole) and starts no new ones; those are reported as skipped.
pub fn run(
    jobs: &[Job],
    options: &BatchOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Vec<Row> {
    let read = &options.read_options();
    let work = || {
        // Rolling forward may need earlier years of the same table: read everything first.
        let preloaded: Vec<Option<Result<Loaded>>> = if options.roll_forward.is_some() {
            jobs.par_iter()
                .map(|job| Some(convert::load_many(&job.inputs, read)))
                .collect()
        } else {
            jobs.iter().map(|_| None).collect()
        };
        let history: Vec<&Document> = preloaded
            .iter()
            .flatten()
            .filter_map(|r| r.as_ref().ok())
            .map(|l| &l.document)
            .collect();
        let history = &history;
        jobs.par_iter()
            .zip(preloaded.par_iter())
            .map(|(job, preloaded)| {
                if stop.load(Ordering::SeqCst) {
                    let mut row = Row::new(job.name.clone(), Status::Skipped);
                    row.reason = Some("interrupted before it started".into());
                    progress(Progress::Finished(&row));
                    return row;
                }
                progress(Progress::Started(job));
                let row = convert_one(job, options, preloaded.as_ref(), history);
                progress(Progress::Finished(&row));
                row
            })
            .collect()
    };
    crate::pool::with_jobs(options.jobs, work)
}

/// Converts one job; every failure becomes a row, never a panic or an abort.
fn convert_one(
    job: &Job,
    options: &BatchOptions,
    preloaded: Option<&Result<Loaded>>,
    history: &[&Document],
) -> Row {
    let mut row = Row::new(job.name.clone(), Status::Converted);
    row.output = Some(job.output.display().to_string());
    if job.output.exists() && !options.force {
        row.status = Status::Skipped;
        row.reason = Some("the output exists (use --force to overwrite)".into());
        return row;
    }
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        convert_job(job, options, preloaded, history, &mut row)
    }));
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!(
            "{}: internal error while converting; please report this file",
            job.name
        )),
    };
    if let Some(reason) = failure {
        row.status = Status::Failed;
        row.reason = Some(reason);
        row.output = None;
    }
    row
}

fn convert_job(
    job: &Job,
    options: &BatchOptions,
    preloaded: Option<&Result<Loaded>>,
    history: &[&Document],
    row: &mut Row,
) -> Result<()> {
    let loaded = match preloaded {
        Some(Ok(loaded)) => loaded.clone(),
        // The error is re-created by reading again, for its message.
        Some(Err(_)) | None => convert::load_many(&job.inputs, &options.read_options())?,
    };
    row.confidence = loaded.confidence();
    let mut doc = loaded.document;
    row.layout = Some(doc.source.layout_name().to_string());
    row.projects = doc.projects.len();
    row.indicators = doc.indicator_count();
    row.warnings = loaded.warnings.len();
    let counts = crate::check::Counts::of(&crate::check::check(&doc));
    row.check_errors = counts.errors;
    row.check_warnings = counts.warnings;
    if let Some(year) = options.roll_forward {
        row.changes = roll_forward_with(&mut doc, year, history);
    }
    let write = WriteOptions {
        format: options.format,
        template: options.to.clone(),
        embed: options.embed,
        csv_encoding: options.csv_encoding,
    };
    let rendered = convert::render_outputs_owned(doc, &write)?;
    row.dropped = rendered.report.as_ref().map_or(0, |r| r.dropped.len());
    if let Some(dir) = job.output.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let written = convert::save(&job.output, &rendered.outputs)?;
    row.output = Some(
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" + "),
    );
    Ok(())
}

/// Counts for the closing summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Inputs converted.
    pub converted: usize,
    /// Of those, how many had warnings.
    pub with_warnings: usize,
    /// Inputs skipped.
    pub skipped: usize,
    /// Inputs that failed.
    pub failed: usize,
}

/// Adds up the rows of a batch by status.
pub fn summarize(rows: &[Row]) -> Summary {
    let mut s = Summary::default();
    for r in rows {
        match r.status {
            Status::Converted => {
                s.converted += 1;
                if r.warnings > 0 {
                    s.with_warnings += 1;
                }
            }
            Status::Skipped => s.skipped += 1,
            Status::Failed => s.failed += 1,
        }
    }
    s
}

/// The report as CSV (UTF-8 with BOM, for Excel): one row per input.
pub fn report_csv(rows: &[Row]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record([
        "input",
        "status",
        "layout",
        "confidence",
        "projects",
        "indicators",
        "warnings",
        "check_errors",
        "check_warnings",
        "dropped",
        "changes",
        "output",
        "reason",
    ]);
    for r in rows {
        let status = match r.status {
            Status::Converted => "converted",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
        };
        let _ = w.write_record([
            r.input.as_str(),
            status,
            r.layout.as_deref().unwrap_or(""),
            &r.confidence.map(|c| format!("{c:.2}")).unwrap_or_default(),
            &r.projects.to_string(),
            &r.indicators.to_string(),
            &r.warnings.to_string(),
            &r.check_errors.to_string(),
            &r.check_warnings.to_string(),
            &r.dropped.to_string(),
            &r.changes.len().to_string(),
            r.output.as_deref().unwrap_or(""),
            r.reason.as_deref().unwrap_or(""),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// The report as JSON: the summary and one object per input.
pub fn report_json(rows: &[Row]) -> Vec<u8> {
    let value = serde_json::json!({ "summary": summarize(rows), "files": rows });
    (serde_json::to_string_pretty(&value).expect("rows serialize") + "\n").into_bytes()
}
