//! How a file was read (`jixiao explain`): the layout and why, the cell each model
//! value came from, and what became of every other non-empty cell — a label of the
//! layout, a note or signature, a value read without a recorded cell, or a leftover
//! nothing read.
//!
//! Every non-empty cell of a visible sheet (the top-left cell of a merge stands for the
//! merge) is accounted for once: either it holds a field, or it is one of
//! [`Explanation::cells`].

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::convert::Loaded;
use crate::grid::{Sheet, Workbook, parse_reference};
use crate::model::{Document, Project};
use crate::template::detect::detect;
use crate::template::{Pattern, Slot, Template, signature_word};
use crate::text::label_key;
use crate::warning::Warning;

/// How many bytes a label may carry after itself ("中期目标(2023年—2025年)"), as
/// detection allows.
const LABEL_ROOM: usize = 40;

/// How a file was read.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The file as named to the reader.
    pub file: String,
    /// The layout's id.
    pub layout: String,
    /// The layout's full name.
    pub layout_name: String,
    /// How well the layout's labels fit the file, 0.0 to 1.0.
    pub confidence: f64,
    /// The best other layout, when the layout was detected.
    pub runner_up: Option<RunnerUp>,
    /// Whether the layout was given (`--from`, `--template`) rather than detected.
    pub given: bool,
    /// The layout's labels found in the file, and those it wants.
    pub labels: Labels,
    /// Every model value with the cell it was read from, in sheet order.
    pub fields: Vec<FieldCell>,
    /// Every other non-empty cell, in sheet order, with what became of it.
    pub cells: Vec<OtherCell>,
    /// What the reader noticed.
    pub warnings: Vec<Warning>,
    /// How many cells of each kind (`field` counts cells, not paths).
    pub counts: Counts,
}

/// The runner-up layout of detection.
#[derive(Debug, Clone, Serialize)]
pub struct RunnerUp {
    /// Its id.
    pub layout: String,
    /// Its confidence.
    pub confidence: f64,
}

/// The layout's detection labels in the file.
#[derive(Debug, Clone, Serialize)]
pub struct Labels {
    /// How many were found.
    pub found: usize,
    /// How many the layout has.
    pub wanted: usize,
    /// Those not found, as the template spells them.
    pub missing: Vec<String>,
}

/// A model value and its cell.
#[derive(Debug, Clone, Serialize)]
pub struct FieldCell {
    /// The model path, e.g. `projects[0].name`.
    pub path: String,
    /// `Sheet!B3`.
    pub cell: String,
    /// The cell's text as shown.
    pub text: String,
}

/// A non-empty cell that holds no field.
#[derive(Debug, Clone, Serialize)]
pub struct OtherCell {
    /// `Sheet!B3`.
    pub cell: String,
    /// The cell's text as shown.
    pub text: String,
    /// What it is.
    pub kind: CellKind,
    /// For a value: the model path it went to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// What became of a cell that holds no field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CellKind {
    /// A label of the layout, or its title, subtitle or project heading.
    Label,
    /// One of the document's notes.
    Note,
    /// A signature, contact, date or approval slot.
    Signature,
    /// A value of the model read without a recorded cell.
    Value,
    /// Nothing read it.
    Leftover,
}

impl CellKind {
    /// The kind as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            CellKind::Label => "label",
            CellKind::Note => "note",
            CellKind::Signature => "signature",
            CellKind::Value => "value",
            CellKind::Leftover => "leftover",
        }
    }
}

/// Cells by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Cells holding at least one field.
    pub field: usize,
    /// Labels.
    pub label: usize,
    /// Values without a recorded cell.
    pub value: usize,
    /// Notes.
    pub note: usize,
    /// Signatures.
    pub signature: usize,
    /// Leftovers.
    pub leftover: usize,
}

/// A cell's place: sheet index, row, column (all from 0).
type Place = (usize, usize, usize);

/// Explains how `loaded` was read from `book` with `template`; `given` says the layout
/// was named rather than detected.
pub fn explain(book: &Workbook, loaded: &Loaded, template: &Template, given: bool) -> Explanation {
    let doc = &loaded.document;
    let own = detect(book, std::slice::from_ref(template));
    let confidence = own.first().map_or(0.0, |s| s.confidence);
    let runner_up = loaded
        .scores
        .iter()
        .find(|s| s.layout != template.id)
        .map(|s| RunnerUp {
            layout: s.layout.clone(),
            confidence: s.confidence,
        });
    let fields = field_cells(book, doc);
    let taken: HashSet<Place> = fields.iter().filter_map(|(p, _)| *p).collect();
    let cells = other_cells(book, doc, template, &fields);
    let counts = count(book, &taken, &cells);
    Explanation {
        file: book.file.clone(),
        layout: template.id.clone(),
        layout_name: template.name.clone(),
        confidence,
        runner_up,
        given,
        labels: labels_found(book, template),
        fields: fields.into_iter().map(|(_, f)| f).collect(),
        cells,
        warnings: loaded.warnings.clone(),
        counts,
    }
}

/// The recorded cells of the model's values, in sheet order (unknown places last).
fn field_cells(book: &Workbook, doc: &Document) -> Vec<(Option<Place>, FieldCell)> {
    let mut fields: Vec<(Option<Place>, FieldCell)> = doc
        .source
        .cells
        .iter()
        .map(|(path, cell)| {
            let place = locate(book, cell);
            let text =
                place.map_or_else(String::new, |(s, r, c)| book.sheets[s].raw(r, c).display());
            let field = FieldCell {
                path: path.clone(),
                cell: place.map_or_else(|| cell.clone(), |p| cell_name(book, p)),
                text,
            };
            (place, field)
        })
        .collect();
    // Stable: paths of one cell keep the reader's order.
    fields.sort_by_key(|(place, _)| place.map_or((usize::MAX, 0, 0), |p| p));
    fields
}

/// The top-left cell of the merge a `Sheet!B3` (or `Sheet!B3:C3`) reference points into.
fn locate(book: &Workbook, reference: &str) -> Option<Place> {
    let (sheet, (row, col), _) = parse_reference(reference)?;
    let s = book.sheets.iter().position(|x| x.name == sheet)?;
    Some(top_left(&book.sheets[s], s, row, col))
}

fn top_left(sheet: &Sheet, s: usize, row: usize, col: usize) -> Place {
    match sheet.merge_at(row, col) {
        Some(m) => (s, m.first_row as usize, m.first_col as usize),
        None => (s, row, col),
    }
}

fn cell_name(book: &Workbook, (s, r, c): Place) -> String {
    book.sheets[s].origin(r, c)
}

/// Every non-empty top-left cell of the visible sheets, in sheet order.
fn visible_cells(book: &Workbook) -> impl Iterator<Item = (Place, String)> + '_ {
    book.sheets
        .iter()
        .enumerate()
        .filter(|(_, sheet)| !sheet.hidden)
        .flat_map(|(s, sheet)| {
            sheet.rows.iter().enumerate().flat_map(move |(r, row)| {
                row.iter().enumerate().filter_map(move |(c, cell)| {
                    let covered = sheet
                        .merge_at(r, c)
                        .is_some_and(|m| (m.first_row as usize, m.first_col as usize) != (r, c));
                    (!covered && !cell.is_empty()).then(|| ((s, r, c), cell.display()))
                })
            })
        })
}

/// The cells that hold no field, each with what became of it.
fn other_cells(
    book: &Workbook,
    doc: &Document,
    template: &Template,
    fields: &[(Option<Place>, FieldCell)],
) -> Vec<OtherCell> {
    let taken: HashSet<Place> = fields.iter().filter_map(|(p, _)| *p).collect();
    let labels = LabelMatcher::new(template);
    let footer = Footer::new(doc);
    let mut values = ModelValues::new(doc, template);
    let near = Neighbours::new(fields);
    visible_cells(book)
        .filter(|(place, _)| !taken.contains(place))
        .map(|(place, text)| {
            let (kind, path) = if labels.matches(&text) {
                (CellKind::Label, None)
            } else if footer.is_note(&text) {
                (CellKind::Note, None)
            } else if footer.is_signature(&text) {
                (CellKind::Signature, None)
            } else if let Some(path) = values.claim(&text, &near.scopes(place)) {
                (CellKind::Value, Some(path))
            } else if labels.is_class(&text) {
                // A class the form prints on a row with no indicator (luan's 生态效益指标).
                (CellKind::Label, None)
            } else {
                (CellKind::Leftover, None)
            };
            OtherCell {
                cell: cell_name(book, place),
                text,
                kind,
                path,
            }
        })
        .collect()
}

/// Where a cell stands in the model, told by the recorded cells around it: the items
/// (`projects[1].indicators[11]`) of its row, and the project of the nearest field
/// before it on its sheet (or after it, at the top of a sheet).
struct Neighbours {
    by_row: HashMap<(usize, usize), Vec<String>>,
    ordered: Vec<(Place, String)>,
}

impl Neighbours {
    fn new(fields: &[(Option<Place>, FieldCell)]) -> Self {
        let mut by_row: HashMap<(usize, usize), Vec<String>> = HashMap::new();
        let mut ordered = Vec::new();
        for (place, field) in fields {
            let Some(place) = *place else { continue };
            by_row
                .entry((place.0, place.1))
                .or_default()
                .push(item_of(&field.path).to_string());
            ordered.push((place, project_of(&field.path).to_string()));
        }
        Neighbours { by_row, ordered }
    }

    /// The path prefixes a value of this cell most likely went to, nearest first.
    fn scopes(&self, place: Place) -> Vec<String> {
        let mut scopes: Vec<String> = self
            .by_row
            .get(&(place.0, place.1))
            .cloned()
            .unwrap_or_default();
        let at = self.ordered.partition_point(|(p, _)| *p <= place);
        let before = self.ordered[..at].last().filter(|(p, _)| p.0 == place.0);
        let after = self.ordered.get(at).filter(|(p, _)| p.0 == place.0);
        scopes.extend(before.or(after).map(|(_, project)| project.clone()));
        scopes.retain(|s| !s.is_empty());
        scopes
    }
}

/// `projects[1].indicators[11].values.annual` → `projects[1].indicators[11]`.
fn item_of(path: &str) -> &str {
    path.rfind(']').map_or("", |i| &path[..=i])
}

/// `projects[1].indicators[11].values.annual` → `projects[1]`.
fn project_of(path: &str) -> &str {
    path.find(']').map_or("", |i| &path[..=i])
}

fn count(book: &Workbook, taken: &HashSet<Place>, cells: &[OtherCell]) -> Counts {
    let mut counts = Counts {
        field: visible_cells(book)
            .filter(|(place, _)| taken.contains(place))
            .count(),
        ..Counts::default()
    };
    for cell in cells {
        *match cell.kind {
            CellKind::Label => &mut counts.label,
            CellKind::Note => &mut counts.note,
            CellKind::Signature => &mut counts.signature,
            CellKind::Value => &mut counts.value,
            CellKind::Leftover => &mut counts.leftover,
        } += 1;
    }
    counts
}

/// The template's detection labels found in the visible sheets (as detection finds
/// them: exactly, or carrying a value after themselves).
fn labels_found(book: &Workbook, template: &Template) -> Labels {
    let keys: BTreeSet<String> = visible_cells(book).map(|(_, t)| label_key(&t)).collect();
    let missing: Vec<String> = template
        .detect
        .labels
        .iter()
        .filter(|l| !has_label(&keys, &label_key(l)))
        .cloned()
        .collect();
    Labels {
        found: template.detect.labels.len() - missing.len(),
        wanted: template.detect.labels.len(),
        missing,
    }
}

fn has_label(keys: &BTreeSet<String>, label: &str) -> bool {
    keys.range(label.to_string()..)
        .take_while(|k| k.starts_with(label))
        .any(|k| k.len() <= label.len() + LABEL_ROOM)
}

/// What the template prints as labels: form labels and aliases, column labels,
/// captions, section markers, and the title, subtitle and project heading lines.
struct LabelMatcher<'t> {
    keys: BTreeSet<String>,
    lines: Vec<&'t Pattern>,
    classes: HashSet<String>,
}

impl<'t> LabelMatcher<'t> {
    fn new(template: &'t Template) -> Self {
        let mut keys: BTreeSet<String> = template.label_keys().into_iter().collect();
        let printed = template.printed_labels();
        let markers = template
            .sections
            .iter()
            .flat_map(|s| s.begin.iter().chain(&s.end));
        let detect = template.detect.labels.iter();
        keys.extend(
            printed
                .iter()
                .chain(markers)
                .chain(detect)
                .map(|l| label_key(l)),
        );
        keys.remove("");
        let lines = [
            Some(&template.title.text),
            template.title.subtitle.as_ref(),
            template.project.heading.as_ref(),
        ]
        .into_iter()
        .flatten()
        // A line with no fixed text of its own would match anything.
        .filter(|p| !p.fixed_keys().is_empty())
        .collect();
        let classes = template
            .indicators
            .iter()
            .flat_map(|i| i.classes.iter())
            .flat_map(|(level1, level2)| std::iter::once(level1).chain(level2))
            .map(|c| label_key(c))
            .collect();
        LabelMatcher {
            keys,
            lines,
            classes,
        }
    }

    /// An indicator class the template knows.
    fn is_class(&self, text: &str) -> bool {
        self.classes.contains(&label_key(text))
    }

    fn matches(&self, text: &str) -> bool {
        let key = label_key(text);
        has_label_prefix(&self.keys, &key) || self.lines.iter().any(|p| is_line(p, text, &key))
    }
}

/// Whether a cell is a title, subtitle or heading line of the pattern: it matches, or
/// holds every fixed part of it (ningde's subtitle printed without its "(").
fn is_line(pattern: &Pattern, text: &str, key: &str) -> bool {
    pattern.match_key(text).is_some()
        || pattern
            .fixed_keys()
            .iter()
            .all(|k| key.contains(k.as_str()))
}

/// Whether a cell's key is a label key, or starts with one and carries a short value.
fn has_label_prefix(keys: &BTreeSet<String>, key: &str) -> bool {
    if keys.contains(key) {
        return true;
    }
    // A label of one character ("注") is too short to vouch for a longer text.
    keys.iter().any(|label| {
        label.chars().count() >= 2
            && key.starts_with(label.as_str())
            && key.len() <= label.len() + LABEL_ROOM
    })
}

/// The document's notes and signatures, as label keys.
struct Footer {
    notes: Vec<String>,
    signature_values: HashSet<String>,
}

impl Footer {
    fn new(doc: &Document) -> Self {
        let notes = doc
            .notes
            .iter()
            .chain(doc.projects.iter().flat_map(|p| &p.notes));
        let signatures = doc
            .signatures
            .iter()
            .chain(doc.projects.iter().flat_map(|p| &p.signatures));
        Footer {
            notes: notes
                .map(|n| label_key(n))
                .filter(|k| !k.is_empty())
                .collect(),
            signature_values: signatures
                .flat_map(|s| [label_key(&s.role), label_key(&s.value)])
                .filter(|k| !k.is_empty())
                .collect(),
        }
    }

    /// A note line, or a cell holding one or several of them (a note may be split
    /// over lines, or several printed in one cell).
    fn is_note(&self, text: &str) -> bool {
        let key = label_key(text);
        self.notes
            .iter()
            .any(|n| *n == key || key.contains(n.as_str()) || n.contains(key.as_str()))
    }

    /// A slot's role, a role with its value, or the value of a slot split over cells.
    fn is_signature(&self, text: &str) -> bool {
        !self.signature_values.is_empty()
            && (signature_word(text).is_some() || self.signature_values.contains(&label_key(text)))
    }
}

/// The model's values that have no recorded cell, by the key of their text: each
/// cell that shows one is accounted for under its path.
struct ModelValues {
    paths: HashMap<String, Vec<String>>,
    claimed: HashSet<String>,
}

impl ModelValues {
    fn new(doc: &Document, template: &Template) -> Self {
        let mut leaves = Vec::new();
        let json = serde_json::to_value(doc).unwrap_or_default();
        collect_leaves(&json, String::new(), &mut leaves);
        let mut paths: HashMap<String, Vec<String>> = HashMap::new();
        for (path, text) in leaves {
            let recorded = doc.source.cells.contains_key(&path);
            let key = value_key(&text);
            if !recorded && !key.is_empty() && !path.starts_with("source.") {
                paths.entry(key).or_default().push(path);
            }
        }
        for (path, text) in formatted_cells(doc, template) {
            paths.entry(value_key(&text)).or_default().push(path);
        }
        ModelValues {
            paths,
            claimed: HashSet::new(),
        }
    }

    /// The path a cell's text went to: of its value's paths, the one in the nearest
    /// scope, then one not yet claimed by another cell, in model order.
    fn claim(&mut self, text: &str, scopes: &[String]) -> Option<String> {
        let paths = self.paths.get(&value_key(text))?;
        let rank = |p: &String| {
            let scope = scopes
                .iter()
                .position(|s| p.starts_with(&format!("{s}.")))
                .unwrap_or(scopes.len());
            (scope, self.claimed.contains(p))
        };
        let path = paths.iter().min_by_key(|p| rank(p))?.clone();
        self.claimed.insert(path.clone());
        Some(path)
    }
}

/// The form's formatted cells as the document fills them
/// ("[{doc.department.code}]{doc.department.name}" → "[079]六安市住房公积金中心"), each
/// under the paths of its fields joined by " + ".
fn formatted_cells(doc: &Document, template: &Template) -> Vec<(String, String)> {
    let default = Project::default();
    let projects: Vec<(String, &Project)> = if doc.projects.is_empty() {
        vec![(String::new(), &default)]
    } else {
        doc.projects
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("projects[{i}]."), p))
            .collect()
    };
    let mut out = Vec::new();
    for cell in template.form.iter().flat_map(|r| &r.cells) {
        let Some(format) = &cell.format else { continue };
        for (prefix, project) in &projects {
            let own = cell.field();
            let text = format.fill_cell(|slot| match slot {
                Slot::Own => own.and_then(|f| f.get(doc, project)),
                Slot::Field(f) => f.get(doc, project),
                Slot::Number => None,
            });
            let paths: Vec<String> = cell
                .fields()
                .map(|f| match f.is_document_level() {
                    true => f.path(),
                    false => format!("{prefix}{}", f.path()),
                })
                .collect();
            if !text.trim().is_empty() {
                out.push((paths.join(" + "), text));
            }
        }
    }
    out
}

/// The model path of every string and number in the document's JSON, in model order.
fn collect_leaves(value: &serde_json::Value, path: String, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match value {
        Value::String(s) => out.push((path, s.clone())),
        Value::Number(n) => out.push((path, n.to_string())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_leaves(item, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect_leaves(v, p, out);
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

/// How a value is compared: as a number when it is one ("2280.00" = "2280"), else
/// by its label key.
fn value_key(text: &str) -> String {
    let plain: String = text.trim().chars().filter(|c| *c != ',').collect();
    match plain.parse::<f64>() {
        Ok(n) if n.is_finite() => format!("#{n}"),
        _ => label_key(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_references() {
        assert_eq!(crate::grid::parse_a1("B3"), Some((2, 1)));
        assert_eq!(crate::grid::parse_a1("AA10"), Some((9, 26)));
        assert_eq!(crate::grid::parse_a1("3"), None);
        assert_eq!(crate::grid::parse_a1("B0"), None);
        assert_eq!(crate::grid::parse_a1("ZZZZZ1"), None);
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(value_key("2280.00"), value_key("2280"));
        assert_ne!(value_key("2280次"), value_key("2280"));
    }
}
