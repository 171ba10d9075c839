//! What real submissions print under their tables: notes (注, 填报说明, 备注 …) and
//! signature, contact, date and approval slots (单位负责人：王某, 填报日期, 审核意见,
//! 单位（盖章）, 年 月 日). Such rows end a table — never an indicator, duty, project
//! or unit — and are kept in the model's `notes` and `signatures`.
//!
//! The rule is general, shape first and words second: a row that is one merged cell
//! across the table, or whose first cell starts with a note or signature word (and is
//! not one of the form's labels), is no row of the table. A template may add words
//! (`[footer] words`, `[footer] signatures`) and declares whether its form prints a
//! footer when written. The note words are `check`'s ([`crate::parse::notes`]).

use serde::Deserialize;

use crate::grid::Sheet;
use crate::model::Signature;
use crate::render::{Content, RenderedSheet, Style};
use crate::text::fold_width;

use super::read::Reader;

/// The footer a form prints under its table (`[footer]`); also extra words that end
/// a table when reading.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterSpec {
    /// Print the note lines, one a row, merged across the form.
    #[serde(default = "yes")]
    pub notes: bool,
    /// The signature slots the form prints in one row ("单位负责人", "填表人", …), blank
    /// where the document has none; other roles the document has follow them.
    #[serde(default)]
    pub signatures: Vec<String>,
    /// More words that start a note line of this region (besides those of
    /// [`crate::parse::notes::NOTE_WORDS`]).
    #[serde(default)]
    pub words: Vec<String>,
}

fn yes() -> bool {
    true
}

/// Roles of signature, contact, date and approval slots, longest first where one
/// starts another ("单位（盖章）" before "盖章").
pub const SIGNATURE_WORDS: &[&str] = &[
    "主管部门审核意见",
    "财政部门审核意见",
    "单位负责人",
    "部门负责人",
    "财务负责人",
    "项目负责人",
    "分管领导",
    "单位（盖章）",
    "单位(盖章)",
    "（盖章）",
    "(盖章)",
    "单位公章",
    "审核意见",
    "填报日期",
    "填表日期",
    "联系电话",
    "填表人",
    "填报人",
    "制表人",
    "经办人",
    "审核人",
    "联系人",
    "制表",
    "盖章",
    "公章",
    "日期",
];

/// The first characters of every note word and signature role (and of "年 月 日"): a
/// line starting with none of them cannot start a footer.
const FOOTER_LEADS: &str = "注说填编备单部财项分制经审联电日年盖公主(（";

/// Whether a line starts a note or a signature: a word of
/// [`crate::parse::notes::NOTE_WORDS`] (the list `check` uses too), a signature role,
/// or one of the template's own `[footer] words` followed by a colon or nothing.
pub fn starts_footer(text: &str, extra: &[String]) -> bool {
    let t = text.trim_start();
    let own = extra.iter().any(|w| {
        t.strip_prefix(w.as_str()).is_some_and(|rest| {
            rest.chars()
                .next()
                .map(fold_width)
                .is_none_or(|c| c == ':' || c.is_whitespace())
        })
    });
    own || crate::parse::notes::note_word(t).is_some() || signature_word(t).is_some()
}

/// The signature role a line starts with, if any: the role must be followed by a
/// colon, a blank, or nothing ("单位负责人：王某", "填表人", "（盖章）").
pub fn signature_word(text: &str) -> Option<&'static str> {
    let t = text.trim_start();
    SIGNATURE_WORDS
        .iter()
        .copied()
        .find(|w| {
            t.strip_prefix(*w).is_some_and(|rest| {
                rest.chars()
                    .next()
                    .map(fold_width)
                    .is_none_or(|c| c == ':' || c.is_whitespace() || c.is_control())
            })
        })
        .or_else(|| is_blank_date(t).then_some("日期"))
}

/// "年 月 日" (a date slot left to be filled by hand).
fn is_blank_date(text: &str) -> bool {
    let key: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    key == "年月日"
}

/// The slots of one footer row: "单位负责人：王某　填表人：李某", or the same split over
/// cells ("单位负责人：" | "王某"). None when the row does not start with a role.
pub fn parse_signatures(cells: &[String]) -> Option<Vec<Signature>> {
    let first = cells.first()?;
    if is_blank_date(first) && cells.len() == 1 {
        return Some(vec![Signature {
            role: "日期".into(),
            value: String::new(),
        }]);
    }
    signature_word(first)?;
    // Cells are joined by a separator no text holds, so a value ends at its cell.
    const SEP: char = '\u{1}';
    let joined: String = cells.join(&SEP.to_string());
    let chars: Vec<(usize, char)> = joined.char_indices().collect();
    // (start of the role, end of the role and its colon, the role as printed)
    let mut roles: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let at = chars[i].0;
        let c = chars[i].1;
        let boundary = c != SEP
            && !c.is_whitespace()
            && (i == 0 || {
                let p = chars[i - 1].1;
                p == SEP || p.is_whitespace() || "，,；;、".contains(p)
            });
        let hit = boundary
            .then(|| signature_word(&joined[at..]).filter(|_| !is_blank_date(&joined[at..])))
            .flatten();
        match hit {
            Some(word) => {
                let mut end = at + word.len();
                if let Some(c) = joined[end..].chars().next()
                    && fold_width(c) == ':'
                {
                    end += c.len_utf8();
                }
                roles.push((at, end, word.to_string()));
                i = chars.partition_point(|(b, _)| *b < end);
            }
            None => i += 1,
        }
    }
    let mut out = Vec::new();
    for (k, (_, end, role)) in roles.iter().enumerate() {
        let stop = roles.get(k + 1).map_or(joined.len(), |r| r.0);
        let value: String = joined[*end..stop]
            .split(SEP)
            .map(|v| v.trim_matches(|c: char| c.is_whitespace()))
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(Signature {
            role: role.clone(),
            value,
        });
    }
    Some(out)
}

impl Reader<'_> {
    /// Whether a row below a table's header is no row of the table: one cell across
    /// the table (a merged note), or a first cell that starts with a note or signature
    /// word and is not one of the form's labels.
    pub(super) fn ends_table(&self, sheet: &Sheet, row: usize, first: usize, last: usize) -> bool {
        let width = sheet.rows.get(row).map_or(0, Vec::len);
        let Some(c0) = (0..width).find(|&c| !sheet.raw(row, c).is_empty()) else {
            return false;
        };
        if c0 <= first && last > first && sheet.extent_right(row, c0) >= last {
            return true;
        }
        // Most rows are indicators: a first character no footer word starts with settles
        // it without building anything (this runs for every row of every table).
        let text = sheet.raw(row, c0).shown();
        let Some(lead) = text.trim_start().chars().next().map(fold_width) else {
            return false;
        };
        let extra = self.extra_note_words();
        let could = FOOTER_LEADS.contains(lead)
            || extra
                .iter()
                .any(|w| w.chars().next().map(fold_width) == Some(lead));
        could && !self.is_label(&text) && starts_footer(&text, extra)
    }

    fn extra_note_words(&self) -> &[String] {
        self.template
            .footer
            .as_ref()
            .map_or(&[][..], |f| f.words.as_slice())
    }

    /// Reads what stands under a document's table (a list, duties) from `from` up to
    /// row `to` (the sheet's end, or the next table) into the document's notes and
    /// signatures.
    pub(super) fn read_document_footer(&mut self, sheet: &Sheet, from: usize, to: usize) {
        let (notes, signatures, _) = self.read_footer(sheet, from, to);
        self.doc.notes.extend(notes);
        self.doc.signatures.extend(signatures);
    }

    /// Reads the footer rows from `from` up to `to` (a heading or title line ends it
    /// early): note lines and signature rows, everything else with text as a note, so
    /// that nothing printed is lost. Returns them and the row after the last one read.
    pub(super) fn read_footer(
        &mut self,
        sheet: &Sheet,
        from: usize,
        to: usize,
    ) -> (Vec<String>, Vec<Signature>, usize) {
        let mut notes = Vec::new();
        let mut signatures = Vec::new();
        let mut row = from;
        let mut end = from;
        while row < to {
            if self.is_heading_row(sheet, row) {
                break;
            }
            let width = sheet.rows.get(row).map_or(0, Vec::len);
            let mut cells: Vec<(usize, String)> = Vec::new();
            for c in 0..width {
                let text = sheet.raw(row, c).display();
                let text = text.trim();
                // A text repeated cell after cell is one cell that lost its merge.
                if !text.is_empty() && cells.last().is_none_or(|(_, t)| t != text) {
                    cells.push((c, text.to_string()));
                }
            }
            if let Some(&(c0, _)) = cells.first() {
                let texts: Vec<String> = cells.iter().map(|(_, t)| t.clone()).collect();
                match parse_signatures(&texts) {
                    Some(found) => signatures.extend(found),
                    None => {
                        let line = self.clean(sheet, row, c0, &texts.join(" "));
                        notes.push(line);
                    }
                }
                end = row + 1;
            }
            row += 1;
        }
        (notes, signatures, end)
    }
}

/// Prints a footer from `row`: each note on a row merged across the form, then the
/// signature slots on one row. Returns the row after it.
/// The signature slots a footer prints: the form's own slots in order, each with the
/// document's value or blank, then the document's other roles. What reads back.
pub fn printed_signatures(slots: &[String], signatures: &[Signature]) -> Vec<Signature> {
    let mut printed: Vec<Signature> = slots
        .iter()
        .map(|role| Signature {
            role: role.clone(),
            value: signatures
                .iter()
                .find(|s| &s.role == role)
                .map(|s| s.value.clone())
                .unwrap_or_default(),
        })
        .collect();
    printed.extend(
        signatures
            .iter()
            .filter(|s| !slots.contains(&s.role))
            .cloned(),
    );
    printed
}

pub(super) fn render_footer(
    sheet: &mut RenderedSheet,
    row: u32,
    columns: u32,
    spec: &FooterSpec,
    notes: &[String],
    signatures: &[Signature],
) -> u32 {
    let mut r = row;
    if spec.notes {
        for note in notes {
            sheet.put(r, 0, 1, columns, Content::text(note), Style::Note);
            r += 1;
        }
    }
    let slots = printed_signatures(&spec.signatures, signatures);
    if !slots.is_empty() {
        let line = slots
            .iter()
            .map(|s| match s.role.as_str() {
                "日期" if s.value.is_empty() => "年　月　日".to_string(),
                role if role.ends_with('）') || role.ends_with(')') => {
                    format!("{role}{}", s.value)
                }
                role => format!("{role}：{}", s.value),
            })
            .collect::<Vec<_>>()
            .join("　　");
        sheet.put(r, 0, 1, columns, Content::text(&line), Style::Note);
        r += 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(role: &str, value: &str) -> Signature {
        Signature {
            role: role.into(),
            value: value.into(),
        }
    }

    fn cells(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn every_footer_word_has_its_lead() {
        let words = crate::parse::notes::NOTE_WORDS
            .iter()
            .chain(SIGNATURE_WORDS);
        for w in words {
            let lead = w.chars().next().unwrap();
            assert!(FOOTER_LEADS.contains(lead), "{w}");
        }
    }

    #[test]
    fn lines_that_start_a_footer() {
        assert!(starts_footer("注：本表金额单位为万元。", &[]));
        assert!(starts_footer("注1:数据来源", &[]));
        assert!(starts_footer("填报说明：1.职责序号…", &[]));
        assert!(starts_footer("经办人：张三", &[]));
        assert!(starts_footer("年 月 日", &[]));
        assert!(!starts_footer("注册人数", &[]));
        assert!(!starts_footer("说明书印制费", &[]));
        assert!(!starts_footer("附注：x", &[]));
        assert!(starts_footer("附注：x", &["附注".to_string()]));
    }

    #[test]
    fn signature_rows_merged_or_split() {
        assert_eq!(
            parse_signatures(&cells(&[
                "单位负责人：王某　　填表人：李某　联系电话：0515-88888888"
            ])),
            Some(vec![
                sig("单位负责人", "王某"),
                sig("填表人", "李某"),
                sig("联系电话", "0515-88888888")
            ])
        );
        assert_eq!(
            parse_signatures(&cells(&[
                "单位负责人：",
                "王某",
                "填表人:",
                "",
                "填报日期：",
                "2023年1月10日"
            ])),
            Some(vec![
                sig("单位负责人", "王某"),
                sig("填表人", ""),
                sig("填报日期", "2023年1月10日")
            ])
        );
        assert_eq!(
            parse_signatures(&cells(&["单位（盖章）"])),
            Some(vec![sig("单位（盖章）", "")])
        );
        assert_eq!(
            parse_signatures(&cells(&["年  月  日"])),
            Some(vec![sig("日期", "")])
        );
        assert_eq!(
            parse_signatures(&cells(&["注：本表金额单位为万元。"])),
            None
        );
        assert_eq!(parse_signatures(&cells(&["日常公用经费", "100"])), None);
    }
}
