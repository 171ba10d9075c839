//! The pipeline every command shares: load a file into the model (detecting its
//! layout), and write a model out in a layout and format.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::grid::Workbook;
use crate::loss::LossReport;
use crate::model::{Document, Project};
use crate::render::{RenderedSheet, RenderedWorkbook};
use crate::template::Template;
use crate::template::detect::{Score, detect};
use crate::template::read::read_workbook;
use crate::template::write::{FormSheets, render};
use crate::warning::Warning;
use crate::write::csv::{CsvEncoding, csv_bytes};
use crate::write::write_all_atomically;
use crate::write::xlsx::{Filled, fill};

/// Below this confidence a file is not taken to be in any known layout.
pub const MIN_CONFIDENCE: f64 = 0.35;

/// How to read an input.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The layout to read with; detected when `None`.
    pub from: Option<Template>,
    /// Ignore the canonical copy that jixiao embeds in the workbooks it writes.
    pub ignore_embedded: bool,
    /// Layouts of the user's own (template files) that compete with the built-ins when
    /// the layout is detected. One of them is read with only when it scores best and at
    /// least [`MIN_CONFIDENCE`]; otherwise detection is among the built-ins alone, as if
    /// none were given. Not used when `from` is set.
    pub extra_templates: Vec<Template>,
}

/// The score to read a workbook by, from layout scores sorted best first (as
/// [`detect`] returns them): the best, when its confidence reaches [`MIN_CONFIDENCE`].
/// `None` means the file is in no known layout.
pub fn best_layout(scores: &[Score]) -> Option<&Score> {
    scores.first().filter(|s| s.confidence >= MIN_CONFIDENCE)
}

/// A document loaded from a file.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The document read.
    pub document: Document,
    /// What the reader noticed that did not stop it.
    pub warnings: Vec<Warning>,
    /// Layout scores, best first: of the built-ins, or of the built-ins and the
    /// [`ReadOptions::extra_templates`] when one of those was chosen. Empty for JSON input
    /// and when [`ReadOptions::from`] named the layout.
    pub scores: Vec<Score>,
}

impl Loaded {
    /// How sure the layout detection was, 0 to 1 rounded to two decimals, as reports
    /// give it; `None` where the layout was not detected (given, or JSON input).
    pub fn confidence(&self) -> Option<f64> {
        best_layout(&self.scores).map(|s| (s.confidence * 100.0).round() / 100.0)
    }
}

/// Reads any supported file into the canonical model.
pub fn load(path: &Path, options: &ReadOptions) -> Result<Loaded> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    load_bytes(&name, &bytes, options)
}

/// [`load`] for a file held in memory (an upload); `name` is the file name for messages
/// and its extension a hint.
pub fn load_bytes(name: &str, bytes: &[u8], options: &ReadOptions) -> Result<Loaded> {
    if is_json(name, bytes) {
        let document = parse_json(name, bytes)?;
        return Ok(Loaded {
            document,
            warnings: Vec::new(),
            scores: Vec::new(),
        });
    }
    let book = crate::read::read_bytes(name, bytes)?;
    load_workbook_owned(book, options)
}

/// Reads several files as the sheets of one workbook: the per-sheet CSVs that Excel
/// saves from one workbook (`<base>__<sheet>.csv`) belong together.
pub fn load_many(paths: &[PathBuf], options: &ReadOptions) -> Result<Loaded> {
    if let [one] = paths {
        return load(one, options);
    }
    let parts = paths
        .iter()
        .map(|p| crate::read::read_path(p))
        .collect::<Result<Vec<_>>>()?;
    load_workbook_owned(one_workbook(parts), options)
}

/// [`load_many`] for files held in memory, (name, bytes) each: canonical JSON (one
/// file), or the sheets of one workbook — returned too, as read, for those that show it.
pub fn load_parts(
    parts: &[(String, Vec<u8>)],
    options: &ReadOptions,
) -> Result<(Option<Workbook>, Loaded)> {
    if let [(name, bytes)] = parts
        && is_json(name, bytes)
    {
        return Ok((None, load_bytes(name, bytes, options)?));
    }
    let books = parts
        .iter()
        .map(|(name, bytes)| crate::read::read_bytes(name, bytes))
        .collect::<Result<Vec<_>>>()?;
    let book = one_workbook(books);
    let loaded = load_workbook(&book, options)?;
    Ok((Some(book), loaded))
}

/// The sheets of several files as one workbook named "a + b + …".
fn one_workbook(parts: Vec<Workbook>) -> Workbook {
    let mut book = Workbook::default();
    let mut names = Vec::new();
    for part in parts {
        names.push(part.file);
        book.sheets.extend(part.sheets);
        book.warnings.extend(part.warnings);
    }
    book.file = names.join(" + ");
    book
}

/// [`load_workbook`] for a grid that is no longer needed: a province's grid is freed on
/// the side (hundreds of thousands of cells take a few hundredths of a second to free).
pub fn load_workbook_owned(book: Workbook, options: &ReadOptions) -> Result<Loaded> {
    let loaded = load_workbook(&book, options);
    let projects = loaded.as_ref().map_or(0, |l| l.document.projects.len());
    drop_aside(book, projects);
    loaded
}

/// Reads a workbook already in memory (the grid layer's output).
pub fn load_workbook(book: &Workbook, options: &ReadOptions) -> Result<Loaded> {
    let (template, scores) = match &options.from {
        Some(t) => (t.clone(), Vec::new()),
        None => detect_layout(book, &options.extra_templates)?,
    };
    let read = read_workbook(book, &template)?;
    let mut warnings = read.warnings;
    let mut document = read.document;
    if let (Some(json), false) = (&book.embedded, options.ignore_embedded) {
        let mut form = document.clone();
        if read.fiscal_year_inferred {
            // The form prints no year: the one guessed from its dates proves nothing.
            form.fiscal_year = None;
        }
        match embedded_document(&book.file, json, &form, &template) {
            Ok(Some(mut embedded)) => {
                embedded.source = document.source.clone();
                document = embedded;
            }
            Ok(None) => warnings.push(Warning::new(
                "the workbook was changed after jixiao wrote it: its hidden canonical copy no longer matches the form and was ignored",
            )),
            Err(e) => warnings.push(Warning::new(format!("the hidden canonical copy is unreadable and was ignored: {e}"))),
        }
    }
    Ok(Loaded {
        document,
        warnings,
        scores,
    })
}

/// The layout a workbook is in, and the scores it was chosen by. A user's template wins
/// only when it scores best among the built-ins and the user's templates together;
/// otherwise the built-ins are scored alone (another template's labels could change
/// their scores), exactly as without user templates.
fn detect_layout(book: &Workbook, extra: &[Template]) -> Result<(Template, Vec<Score>)> {
    let builtins = Template::builtins();
    if !extra.is_empty() {
        let mut candidates = builtins.clone();
        candidates.extend(extra.iter().cloned());
        let scores = detect(book, &candidates);
        if let Some(user) =
            best_layout(&scores).and_then(|best| extra.iter().find(|t| t.id == best.layout))
        {
            return Ok((user.clone(), scores));
        }
    }
    let scores = detect(book, &builtins);
    let Some(best) = best_layout(&scores) else {
        return Err(match scores.first() {
            Some(closest) => Error::NoLayout {
                file: book.file.clone(),
                closest: closest.layout.clone(),
                found: closest.found,
                wanted: closest.wanted,
            },
            None => Error::NoTable {
                file: book.file.clone(),
                reason: "no layouts to compare with".into(),
            },
        });
    };
    let template = builtins
        .into_iter()
        .find(|t| t.id == best.layout)
        .expect("scored layouts exist");
    Ok((template, scores))
}

/// The embedded document, if the form still shows exactly what it says.
fn embedded_document(
    file: &str,
    json: &str,
    from_form: &Document,
    template: &Template,
) -> Result<Option<Document>> {
    let embedded = parse_json(file, json.as_bytes())?;
    let mut same_form = from_form.clone();
    same_form.source = embedded.source.clone();
    let a = render(&embedded, template).map(|b| cell_texts(&b));
    let b = render(&same_form, template).map(|b| cell_texts(&b));
    Ok(match (a, b) {
        (Ok(a), Ok(b)) if a == b => Some(embedded),
        _ => None,
    })
}

fn cell_texts(book: &RenderedWorkbook) -> Vec<Vec<(u32, u32, String)>> {
    book.sheets
        .iter()
        .map(|s| {
            s.cells
                .iter()
                .map(|c| {
                    // Amounts compare by value: the form prints "0" and "0.00" alike.
                    let shown = match &c.content {
                        crate::render::Content::Money(m) => m.0.normalize().to_string(),
                        other => other.display(),
                    };
                    (c.row, c.col, shown)
                })
                .collect()
        })
        .collect()
}

fn is_json(name: &str, bytes: &[u8]) -> bool {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    ext.as_deref() == Some("json") || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Parses canonical JSON, with the line and column of a mistake.
pub fn parse_json(file: &str, bytes: &[u8]) -> Result<Document> {
    let document: Document = serde_json::from_slice(bytes).map_err(|e| Error::BadCell {
        file: file.to_string(),
        cell: format!("line {} column {}", e.line(), e.column()),
        message: format!("not a jixiao canonical document: {e}"),
    })?;
    if document.schema != crate::model::SCHEMA {
        return Err(Error::Unreadable {
            file: file.to_string(),
            reason: format!(
                "schema {:?} is not {:?}",
                document.schema,
                crate::model::SCHEMA
            ),
        });
    }
    Ok(document)
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An xlsx workbook in the target layout.
    Xlsx,
    /// CSV in the target layout: one file per sheet.
    Csv,
    /// Canonical JSON (no layout needed).
    Json,
}

impl Format {
    /// The format an output path's extension names.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The file ending of the format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// How to write a document.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// The output format.
    pub format: Format,
    /// Required for xlsx and csv.
    pub template: Option<Template>,
    /// Embed the canonical JSON in a hidden sheet (xlsx).
    pub embed: bool,
    /// The encoding of CSV output.
    pub csv_encoding: CsvEncoding,
}

/// One output file, rendered in memory before anything touches the disk.
#[derive(Debug, Clone)]
pub struct Output {
    /// `None` for the first (or only) file, else the sheet it holds.
    pub sheet: Option<String>,
    /// The file's content.
    pub bytes: Vec<u8>,
}

/// The canonical JSON text of a document (pretty, with a final newline).
pub fn to_json(doc: &Document) -> String {
    serde_json::to_string_pretty(doc).expect("the model serializes") + "\n"
}

/// The document as `serde_json::to_string` writes it (the embedded copy). A province's
/// projects — nearly all of its text — are serialized on the pool's threads and put in
/// place of the empty list of the rest, serialized alone: this ran on one thread while
/// the other had finished the loss report. A document with its provenance is serialized
/// whole (`without_projects` leaves the provenance out).
fn compact_json(doc: &Document) -> String {
    use rayon::prelude::*;
    let whole = || serde_json::to_string(doc).expect("the model serializes");
    if doc.projects.len() < 2 || !doc.source.cells.is_empty() {
        return whole();
    }
    let rest = serde_json::to_string(&doc.without_projects()).expect("the model serializes");
    let Some(at) = top_level_array(&rest, "projects") else {
        return whole();
    };
    let projects: Vec<String> = (doc.projects.par_iter())
        .map(|p| serde_json::to_string(p).expect("the model serializes"))
        .collect();
    let len = rest.len() + projects.iter().map(|p| p.len() + 1).sum::<usize>();
    let mut json = String::with_capacity(len);
    json.push_str(&rest[..at]);
    for (i, project) in projects.into_iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&project);
    }
    json.push_str(&rest[at..]);
    json
}

/// Where the array of the top-level object's `key` opens (just after its `[`), in
/// compact JSON: a key at depth 1, outside every string.
fn top_level_array(json: &str, key: &str) -> Option<usize> {
    let opening = format!("\"{key}\":[");
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in json.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' if depth == 1 && json[i..].starts_with(&opening) => {
                return Some(i + opening.len());
            }
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// A conversion rendered in memory: the files, and what the target layout could not hold.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The files, the main one first.
    pub outputs: Vec<Output>,
    /// `None` for canonical JSON, which holds everything.
    pub report: Option<LossReport>,
}

/// Renders a document into the bytes of its output files. Fields the target requires
/// are inferred (and flagged); fields it cannot hold are listed in the report.
pub fn render_outputs(doc: &Document, options: &WriteOptions) -> Result<Rendered> {
    match options.format {
        Format::Json => Ok(json_output(doc)),
        _ => render_outputs_owned(doc.without_provenance(), options),
    }
}

/// The canonical JSON: everything, provenance included, so no loss report.
fn json_output(doc: &Document) -> Rendered {
    Rendered {
        outputs: vec![Output {
            sheet: None,
            bytes: to_json(doc).into_bytes(),
        }],
        report: None,
    }
}

/// [`render_outputs`] for a document that is no longer needed: it is worked on in
/// place, its sheets are rendered one at a time where they are written, and it is freed
/// before the xlsx file is saved (the peak of a conversion).
pub fn render_outputs_owned(doc: Document, options: &WriteOptions) -> Result<Rendered> {
    let template = match (options.format, &options.template) {
        (Format::Json, _) => return Ok(json_output(&doc)),
        (_, Some(t)) => t,
        (_, None) => {
            return Err(Error::Unsupported {
                message: "no target layout given: xlsx and csv output need one".into(),
            });
        }
    };
    let ready = crate::loss::ready_owned(doc, template);
    let sheets = FormSheets::new(&ready.document, template)?;
    let embed = options.format == Format::Xlsx && options.embed;
    // The loss report and the embedded copy only read the document: they are worked
    // out together (both cores of a province's conversion at work) …
    let (report, json) = rayon::join(
        || ready.loss_report(template),
        // `ready_owned` left out where each value was read from: those are cells of the
        // old file, and reading the new one takes its own form's.
        || embed.then(|| compact_json(&ready.document)),
    );
    // … then the form's sheets are rendered and written in parallel, each project freed
    // once its sheet is written, so that the writer's copy of the cells takes the place
    // of the document (the peak of a conversion is the save that follows).
    let form = if sheets.sheet_per_project() {
        let names = sheets.names();
        let head = ready.document.without_projects();
        let sheets = sheets.over(&head, template);
        let mut doc = ready.document;
        let projects = std::mem::take(&mut doc.projects);
        let count = projects.len();
        let items: Vec<Option<Project>> = (names.len() > projects.len())
            .then_some(None)
            .into_iter()
            .chain(projects.into_iter().map(Some))
            .collect();
        let form = form_files(
            names,
            items,
            json.as_deref(),
            options,
            |i, project| match project {
                Some(project) => sheets.render_taken(i, &project),
                None => sheets.render(i),
            },
        );
        drop_aside(doc, count);
        form
    } else {
        let names = sheets.names();
        let items = vec![None; names.len()];
        let form = form_files(names, items, json.as_deref(), options, |i, _| {
            sheets.render(i)
        });
        let count = ready.document.projects.len();
        drop_aside(ready, count);
        form
    };
    // The JSON is freed once the workbook holds its copy, before the save.
    drop(json);
    let outputs = match form? {
        Form::Xlsx(filled) => {
            vec![Output {
                sheet: None,
                bytes: filled.save()?,
            }]
        }
        Form::Files(outputs) => outputs,
    };
    Ok(Rendered {
        outputs,
        report: Some(report),
    })
}

/// The form's sheets written: an xlsx workbook not yet saved (with the embedded copy
/// after them), or the CSV files, one per sheet.
enum Form {
    Xlsx(Box<Filled>),
    Files(Vec<Output>),
}

/// Renders sheet `i` from `items[i]` and writes it: into the xlsx workbook on the pool's
/// threads (with the `embedded` copy), or to a CSV file each, in order.
fn form_files(
    names: Vec<String>,
    items: Vec<Option<Project>>,
    embedded: Option<&str>,
    options: &WriteOptions,
    sheet: impl Fn(usize, Option<Project>) -> RenderedSheet + Sync,
) -> Result<Form> {
    if options.format == Format::Xlsx {
        return Ok(Form::Xlsx(Box::new(fill(names, items, embedded, sheet)?)));
    }
    let outputs = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let sheet = sheet(i, item);
            Ok(Output {
                sheet: (i > 0).then(|| sheet.name.clone()),
                bytes: csv_bytes(&sheet, options.csv_encoding)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Form::Files(outputs))
}

/// The form a document becomes in a layout — the rendered sheets the xlsx writer
/// consumes — and the loss report: what a preview shows before anything is written.
pub fn render_form(doc: &Document, template: &Template) -> Result<(RenderedWorkbook, LossReport)> {
    let (to_write, _, report) = crate::loss::prepare_owned(doc.without_provenance(), template);
    Ok((render(&to_write, template)?, report))
}

/// From this many projects (or sheets) a document, grid or workbook is freed on the side.
pub(crate) const LARGE_PROJECTS: usize = 200;

/// Drops a value holding `projects` projects (or sheets) on a thread of its own when
/// they are [`LARGE_PROJECTS`] or more: freeing a province's document or workbook takes
/// a tenth of a second that the caller need not wait for. A small one is dropped here:
/// a thread would cost more than it saves (a batch of small files).
pub(crate) fn drop_aside<T: Send + 'static>(value: T, projects: usize) {
    if projects < LARGE_PROJECTS {
        return;
    }
    // Should no thread start, the value is dropped here, as it would have been.
    let _ = std::thread::Builder::new()
        .name("jixiao-drop".into())
        .spawn(move || drop(value));
}

/// Where each output goes: the first to `path`, the rest to `<stem>__<sheet>.csv`.
pub(crate) fn output_paths(path: &Path, outputs: &[Output]) -> Vec<PathBuf> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("out");
    let ext = path.extension().and_then(|s| s.to_str()).unwrap_or("csv");
    // A set and, per sheet name, the next number to try: a province's 5,000 sheets of
    // one name would otherwise cost a scan of every path for every number.
    let mut used: HashSet<PathBuf> = HashSet::with_capacity(outputs.len());
    let mut next: HashMap<String, usize> = HashMap::new();
    let mut paths = Vec::with_capacity(outputs.len());
    for o in outputs {
        let p = match &o.sheet {
            None => path.to_path_buf(),
            Some(sheet) => {
                let safe: String = sheet
                    .chars()
                    .map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c })
                    .collect();
                // Sheets of the same name (one per project, all "项目预算绩效目标表")
                // get "(2)", "(3)" … as Excel names them, never one file over another.
                // Every number below the one last given to this name is taken already.
                let n = next.entry(safe.clone()).or_insert(1);
                loop {
                    let suffix = if *n == 1 {
                        String::new()
                    } else {
                        format!("({n})")
                    };
                    let candidate = path.with_file_name(format!("{stem}__{safe}{suffix}.{ext}"));
                    *n += 1;
                    if !used.contains(&candidate) && candidate != path {
                        break candidate;
                    }
                }
            }
        };
        used.insert(p.clone());
        paths.push(p);
    }
    paths
}

/// Writes rendered outputs, all or none (see [`write_all_atomically`]); returns the
/// paths written.
pub fn save(path: &Path, outputs: &[Output]) -> Result<Vec<PathBuf>> {
    let paths = output_paths(path, outputs);
    let files: Vec<(&Path, &[u8])> = paths
        .iter()
        .zip(outputs)
        .map(|(p, o)| (p.as_path(), o.bytes.as_slice()))
        .collect();
    write_all_atomically(&files)?;
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded copy is `serde_json::to_string`'s text, for every fixture (with a
    /// title that reads like the key and its array).
    #[test]
    fn compact_json_is_serde_jsons_text() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut files: Vec<PathBuf> = [fixtures.clone(), fixtures.join("regions")]
            .iter()
            .flat_map(|dir| std::fs::read_dir(dir).unwrap())
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "xlsx"))
            .collect();
        files.sort();
        assert!(files.len() >= 7, "{files:?}");
        for path in files {
            let file = path.display();
            let loaded = load(&path, &ReadOptions::default()).unwrap();
            let mut doc = loaded.document.without_provenance();
            doc.title = Some(r#"x","projects":[{"y":1}],"z":"#.to_string());
            assert_eq!(
                compact_json(&doc),
                serde_json::to_string(&doc).unwrap(),
                "{file}"
            );
            // With its provenance the document is serialized whole, alike.
            let whole = &loaded.document;
            assert_eq!(compact_json(whole), serde_json::to_string(whole).unwrap());
        }
    }

    #[test]
    fn the_top_level_array_is_found_past_nested_keys_and_strings() {
        let json = r#"{"a":{"projects":[1]},"b":"\"projects\":[","projects":[],"c":[]}"#;
        let at = top_level_array(json, "projects").unwrap();
        assert_eq!(&json[at - 12..at + 1], r#""projects":[]"#);
        assert_eq!(
            top_level_array(r#"{"a":{"projects":[]}}"#, "projects"),
            None
        );
    }

    fn output(sheet: Option<&str>) -> Output {
        Output {
            sheet: sheet.map(str::to_string),
            bytes: Vec::new(),
        }
    }

    /// Sheets of one name are numbered as Excel numbers them, a sheet whose own name
    /// carries a number is never written over, and 5,000 sheets of one name are named
    /// in passing (the scan of every path for every number took minutes).
    #[test]
    fn output_paths_number_sheets_of_one_name() {
        let mut outputs = vec![
            output(None),
            output(Some("表")),
            output(Some("表(3)")),
            output(Some("表")),
            output(Some("表")),
            output(Some("a/b")),
        ];
        let names: Vec<String> = output_paths(Path::new("d/out.csv"), &outputs)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "d/out.csv",
                "d/out__表.csv",
                "d/out__表(3).csv",
                "d/out__表(2).csv",
                "d/out__表(4).csv",
                "d/out__a_b.csv",
            ]
        );
        outputs.extend((0..5000).map(|_| output(Some("项目预算绩效目标表"))));
        let paths = output_paths(Path::new("out.csv"), &outputs);
        let distinct: HashSet<&PathBuf> = paths.iter().collect();
        assert_eq!(distinct.len(), outputs.len());
        assert_eq!(
            paths.last().unwrap(),
            Path::new("out__项目预算绩效目标表(5000).csv")
        );
    }
}
