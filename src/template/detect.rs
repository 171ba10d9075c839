//! Layout detection: which template's labels a workbook carries.

use std::borrow::Cow;
use std::collections::HashSet;

use rayon::prelude::*;

use crate::grid::{Sheet, Workbook};
use crate::text::{label_key, label_key_within};

/// How many bytes a label may carry after itself ("中期目标(2023年—2025年)").
const PREFIX_ROOM: usize = 40;

/// How many non-empty cells of each sheet are looked at: a few hundred stacked
/// tables, each printing every label of its layout.
const CELLS_PER_SHEET: usize = 20_000;

use super::Template;

/// How well one layout fits a workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The layout's id.
    pub layout: String,
    /// 0.0 to 1.0.
    pub confidence: f64,
    /// The layout's labels that were found, and how many it has.
    pub found: usize,
    /// How many labels the layout prints.
    pub wanted: usize,
}

/// Scores every template against a workbook, best first.
pub fn detect<'a>(book: &'a Workbook, templates: &[Template]) -> Vec<Score> {
    // A cell's key can only matter up to the longest label plus a carried value.
    let longest = templates
        .iter()
        .flat_map(|t| {
            let begin = t.sections.iter().flat_map(|s| s.begin.iter());
            t.detect.labels.iter().chain(begin)
        })
        .map(|l| label_key(l).len())
        .max()
        .unwrap_or(0)
        + PREFIX_ROOM;
    // Every table prints its labels, so the head of a sheet tells its layout: a
    // province's stacked sheet need not be read twice over.
    let head = |sheet: &'a Sheet| {
        let cells = sheet.rows.iter().flatten().filter(|c| !c.is_empty());
        cells.take(CELLS_PER_SHEET)
    };
    let visible: Vec<&Sheet> = book.sheets.iter().filter(|s| !s.hidden).collect();
    // The sheets' label keys, sheet by sheet in parallel (a province's workbook has
    // thousands of sheets).
    let keys: HashSet<String> = visible
        .par_iter()
        .map(|sheet| {
            head(sheet)
                .filter_map(|cell| label_key_within(&cell.shown(), longest))
                .collect::<HashSet<String>>()
        })
        .reduce(HashSet::new, |mut a, mut b| {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            a.extend(b);
            a
        });
    let texts: Vec<Cow<str>> = visible
        .iter()
        .flat_map(|sheet| head(sheet))
        .take(20_000)
        .map(|cell| cell.shown())
        .collect();
    // Sorted once, so that a prefix is looked up instead of tried on every key.
    let mut sorted: Vec<&str> = keys.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let has_prefix = |w: &str| {
        let from = sorted.partition_point(|k| *k < w);
        sorted[from..]
            .iter()
            .take_while(|k| k.starts_with(w))
            .any(|k| k.len() <= w.len() + PREFIX_ROOM)
    };
    let mut scores: Vec<Score> = templates
        .iter()
        .map(|t| {
            let wanted: Vec<String> = t.detect.labels.iter().map(|l| label_key(l)).collect();
            // A label may carry a value in itself ("中期目标(2023年—2025年)"): prefix match.
            let found = wanted
                .iter()
                .filter(|w| keys.contains(*w) || has_prefix(w))
                .count();
            let mut label_share = if wanted.is_empty() {
                0.0
            } else {
                found as f64 / wanted.len() as f64
            };
            // A department-text part alone (tangshan part 1) is known by its markers.
            if let Some(sections) = &t.sections {
                let begin: Vec<String> = sections.begin.iter().map(|b| label_key(b)).collect();
                let hits = begin.iter().filter(|b| keys.contains(*b)).count();
                if !begin.is_empty() {
                    label_share = label_share.max(hits as f64 / begin.len() as f64);
                }
            }
            let title_hit = !t.detect.title.is_empty()
                && texts
                    .iter()
                    .any(|x| t.detect.title.iter().any(|w| x.contains(w.as_str())));
            // Labels decide; the title only separates layouts that share a grid.
            let confidence = (label_share * 0.9 + if title_hit { 0.1 } else { 0.0 }).min(1.0);
            Score {
                layout: t.id.clone(),
                confidence,
                found,
                wanted: wanted.len(),
            }
        })
        .collect();
    scores.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| a.layout.cmp(&b.layout))
    });
    scores
}
