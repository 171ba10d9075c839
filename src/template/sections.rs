//! Department text in headed sections (tangshan part 1): one heading or paragraph per
//! row, from the template's begin line to its end line.

use serde::Deserialize;

use crate::grid::Sheet;
use crate::model::{Overall, Section};
use crate::render::{Content, RenderedSheet, Style};
use crate::text::label_key;

use super::locate::first_text;
use super::read::Reader;

/// A sheet of department-level text: one heading or paragraph per row.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionsSpec {
    /// The sheet's name when written.
    pub sheet_name: String,
    /// The first lines of the part; reading starts at the first one found.
    pub begin: Vec<String>,
    /// Lines that end the part (the next part's heading).
    #[serde(default)]
    pub end: Vec<String>,
}

impl Reader<'_> {
    /// Reads department-level text sections (one heading or paragraph per row) from
    /// the template's begin marker to its end marker or the first project. Returns the
    /// row after the last one read (0 when the sheet has none).
    pub(super) fn read_sections(&mut self, sheet: &Sheet, first_project: Option<usize>) -> usize {
        let Some(spec) = &self.template.sections else {
            return 0;
        };
        let begin: Vec<String> = spec.begin.iter().map(|b| label_key(b)).collect();
        let end: Vec<String> = spec.end.iter().map(|b| label_key(b)).collect();
        let limit = first_project.unwrap_or(sheet.height());
        let Some(start) = (0..limit)
            .find(|&r| first_text(sheet, r).is_some_and(|(_, t)| begin.contains(&label_key(&t))))
        else {
            return 0;
        };
        let mut sections: Vec<Section> = Vec::new();
        let mut row = start;
        while row < limit {
            if let Some((col, text)) = first_text(sheet, row) {
                let key = label_key(&text);
                if end.contains(&key) && row > start {
                    break;
                }
                let text = self.clean(sheet, row, col, text.trim());
                self.doc.source.cells.insert(
                    format!("overall.lines[{}]", row - start),
                    sheet.origin(row, col),
                );
                if is_heading(&text) {
                    sections.push(Section {
                        heading: text,
                        text: String::new(),
                    });
                } else {
                    match sections.last_mut() {
                        Some(s) if !s.text.is_empty() => {
                            s.text.push('\n');
                            s.text.push_str(&text);
                        }
                        Some(s) => s.text = text,
                        None => sections.push(Section {
                            heading: String::new(),
                            text,
                        }),
                    }
                }
            }
            row += 1;
        }
        if !sections.is_empty() {
            self.doc
                .overall
                .get_or_insert_with(Overall::default)
                .sections
                .extend(sections);
        }
        row
    }
}

/// A short line that does not end like a sentence is a heading: "一、总体绩效目标",
/// "（一）做好公积金归集工作", "第一部分".
fn is_heading(text: &str) -> bool {
    let t = text.trim();
    let sentence_end = t.ends_with(['。', '；', ';', '.', '：', ':']);
    t.chars().count() <= 30 && !sentence_end && !t.contains('：')
}

/// Prints the sections one line a row from the top of their sheet: each heading, then
/// each line of its text.
pub(super) fn render_sections(sheet: &mut RenderedSheet, sections: &[Section], columns: u32) {
    let mut row = 0;
    for section in sections {
        let lines = std::iter::once(section.heading.as_str())
            .filter(|h| !h.is_empty())
            .chain(section.text.split('\n').filter(|l| !l.is_empty()));
        for line in lines {
            sheet.put(row, 0, 1, columns, Content::text(line), Style::Note);
            row += 1;
        }
    }
}
