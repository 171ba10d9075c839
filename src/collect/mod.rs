//! `jixiao collect`: every submission of a tree in one set of tidy tables — a SQLite
//! database, an xlsx workbook or a folder of CSVs — for pivot tables, SQL and pandas.
//!
//! Files are found and grouped as `batch` finds them, read in parallel, checked, and
//! written one row per thing (documents, projects, indicators, indicator values, duties,
//! objectives, spending, expenses, schedule, findings; a summary per department and
//! year). A file that cannot be read is a `documents` row with its error. Amounts are
//! converted to 万元. Into an existing database only files whose content changed are
//! read again; their rows are replaced, the rest are kept.

mod export;
mod rows;
pub mod schema;
mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::batch::discover;
use crate::check::Finding;
use crate::convert::{self, ReadOptions};
use crate::error::{Error, Result};
use crate::model::Document;
use crate::template::Template;
use crate::write::csv::CsvEncoding;

pub use export::Destination;
use store::Store;

/// The unit every amount is collected in.
pub const MONEY_UNIT: &str = "万元";

/// How to collect.
#[derive(Debug, Clone, Default)]
pub struct CollectOptions {
    /// Worker threads; 0 = one per core.
    pub jobs: usize,
    /// Layouts of the user's own that compete with the built-ins in detection.
    pub extra_templates: Vec<Template>,
    /// The encoding of CSV output.
    pub csv_encoding: CsvEncoding,
}

/// One file (or per-sheet CSV group) and what became of it.
#[derive(Debug, Clone)]
pub(crate) struct Collected {
    /// As found (folder joined with the path below it); " + " between grouped CSVs.
    pub(crate) file: String,
    /// Of the file's bytes (of each file's, in order, for a group).
    pub(crate) sha256: String,
    /// The document read, or the one-line error that stopped it.
    pub(crate) outcome: std::result::Result<Read, String>,
}

/// A document as collected.
#[derive(Debug, Clone)]
pub(crate) struct Read {
    /// In 万元 where its unit converts.
    pub(crate) document: Document,
    /// The unit the file states its amounts in.
    pub(crate) money_unit: String,
    pub(crate) confidence: Option<f64>,
    pub(crate) warnings: Vec<String>,
    pub(crate) findings: Vec<Finding>,
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Files read and written.
    pub read: usize,
    /// Of those, files that could not be read (listed in `documents` with their error).
    pub failed: usize,
    /// Files already in the database with the same content, not read again.
    pub unchanged: usize,
    /// Whether Ctrl-C stopped the run before it wrote anything.
    pub interrupted: bool,
}

/// What a worker reports as it goes.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// How many workbooks will be looked at (those already collected are skipped).
    Planned(usize),
    /// A file was read, or could not be (`error` says why).
    Done {
        /// The file as collected.
        file: &'a str,
        /// Why it could not be read.
        error: Option<&'a str>,
    },
}

/// Collects files and folders into `to`.
pub fn collect(
    inputs: &[PathBuf],
    to: &Destination,
    options: &CollectOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Outcome> {
    let skip = to.path().canonicalize().ok();
    let found = discover(inputs, skip.as_deref())?;
    if found.workbooks.is_empty() {
        return Err(Error::Empty {
            file: inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" "),
            reason: "no table files found".into(),
        });
    }
    let mut store = match to {
        Destination::Sqlite(path) => Store::open(path)?,
        _ => Store::in_memory()?,
    };
    let known = store.known()?;
    let (collected, unchanged) = read_all(&found.workbooks, &known, options, stop, progress)?;
    if stop.load(Ordering::SeqCst) {
        return Ok(Outcome {
            interrupted: true,
            ..Outcome::default()
        });
    }
    store.replace(&collected)?;
    export::write(&store, to, options.csv_encoding)?;
    Ok(Outcome {
        read: collected.len(),
        failed: collected.iter().filter(|c| c.outcome.is_err()).count(),
        unchanged,
        interrupted: false,
    })
}

/// Reads every workbook whose content is not already collected, in parallel; returns
/// them in discovery order (so ids are the same on every run), and how many were
/// unchanged. Each file is read from disk once: its bytes are hashed and, when they
/// are new, read into the model.
fn read_all(
    workbooks: &[Vec<PathBuf>],
    known: &HashMap<String, String>,
    options: &CollectOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Vec<Collected>, usize)> {
    progress(Progress::Planned(workbooks.len()));
    let read = ReadOptions {
        extra_templates: options.extra_templates.clone(),
        ..ReadOptions::default()
    };
    let work = || {
        workbooks
            .par_iter()
            .map(|files| {
                let name = name_of(files);
                let collected = collect_one(&name, files, known, &read, stop);
                progress(Progress::Done {
                    file: &name,
                    error: collected
                        .as_ref()
                        .and_then(|c| c.outcome.as_ref().err())
                        .map(String::as_str),
                });
                collected
            })
            .collect::<Vec<_>>()
    };
    let seen = crate::pool::with_jobs(options.jobs, work);
    let unchanged = seen.iter().filter(|c| c.is_none()).count();
    Ok((seen.into_iter().flatten().collect(), unchanged))
}

/// One workbook: `None` when its content is already collected under its name.
fn collect_one(
    name: &str,
    files: &[PathBuf],
    known: &HashMap<String, String>,
    read: &ReadOptions,
    stop: &AtomicBool,
) -> Option<Collected> {
    let parts = files
        .iter()
        .map(|file| {
            std::fs::read(file)
                .map(|bytes| (file.display().to_string(), bytes))
                .map_err(|e| format!("{}: cannot read: {e}", file.display()))
        })
        .collect::<std::result::Result<Vec<_>, String>>();
    let (sha256, outcome) = match parts {
        Err(e) => (String::new(), Err(e)),
        Ok(parts) => {
            let sha256 = hash(&parts);
            if known.get(name) == Some(&sha256) {
                return None;
            }
            let outcome = if stop.load(Ordering::SeqCst) {
                Err("interrupted".to_string())
            } else {
                read_one(name, &parts, read)
            };
            (sha256, outcome)
        }
    };
    Some(Collected {
        file: name.to_string(),
        sha256,
        outcome,
    })
}

/// The name a workbook is collected under: its path as found, grouped CSVs joined.
fn name_of(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// SHA-256 of the files' bytes, in order (one file: the file's own digest).
fn hash(parts: &[(String, Vec<u8>)]) -> String {
    let mut digest = Sha256::new();
    for (_, bytes) in parts {
        digest.update(bytes);
    }
    digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads, checks and converts to 万元 one workbook; any failure (a panic included)
/// becomes its one-line error.
fn read_one(
    name: &str,
    parts: &[(String, Vec<u8>)],
    read: &ReadOptions,
) -> std::result::Result<Read, String> {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let (_, loaded) = convert::load_parts(parts, read).map_err(|e| e.to_string())?;
        let findings = crate::check::check(&loaded.document);
        let confidence = loaded.confidence();
        let mut document = loaded.document;
        let money_unit = document.money_unit.clone();
        let mut warnings: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
        if money_unit != MONEY_UNIT {
            if crate::units::power(&money_unit).is_some() {
                crate::units::convert_document(&mut document, MONEY_UNIT, 2);
            } else {
                warnings.push(format!(
                    "amounts are in {money_unit:?}, which does not convert to {MONEY_UNIT}: collected as published"
                ));
            }
        }
        Ok(Read {
            document,
            money_unit,
            confidence,
            warnings,
            findings,
        })
    }));
    outcome.unwrap_or_else(|_| {
        Err(format!(
            "{name}: internal error while reading; please report this file"
        ))
    })
}

/// The destination a path names: `.sqlite`/`.sqlite3`/`.db` a database, `.xlsx` a
/// workbook, anything else a folder of CSVs.
pub fn destination(path: &Path) -> Destination {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("sqlite" | "sqlite3" | "db") => Destination::Sqlite(path.to_path_buf()),
        Some("xlsx") => Destination::Xlsx(path.to_path_buf()),
        _ => Destination::CsvFolder(path.to_path_buf()),
    }
}
