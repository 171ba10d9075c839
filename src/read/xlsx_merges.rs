//! The merged areas of xlsx sheets, read straight from the sheet XML.
//!
//! calamine's `merge_cells_by_sheet_name` parses the whole sheet a second time, event by
//! event, to reach `<mergeCells>` after `<sheetData>`: on a stacked province workbook
//! that was as costly as reading the cells. Here the inflated sheet is scanned for the
//! `mergeCells` tag with `memchr::memmem` (text cannot hold a raw `<`, so the tag is
//! found only where it is one), and only what follows is parsed as XML.
//!
//! Where a part cannot be found this way (an unusual package), the caller falls back
//! to calamine.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use crate::grid::Merge;

/// The package, and each worksheet's name → the zip path of its XML part.
pub(super) struct SheetParts<'a> {
    /// Opened once: its central directory is read again on every open, and a
    /// workbook of 5,000 sheets has 5,000 entries.
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    paths: HashMap<String, String>,
}

impl<'a> SheetParts<'a> {
    /// Reads `xl/workbook.xml` and its relationships; None when the package keeps its
    /// workbook elsewhere or the parts do not parse.
    pub(super) fn read(bytes: &'a [u8]) -> Option<SheetParts<'a>> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let workbook = entry_text(&mut zip, "xl/workbook.xml")?;
        let rels = entry_text(&mut zip, "xl/_rels/workbook.xml.rels")?;
        let targets = relationship_targets(&rels)?;
        let mut paths = HashMap::new();
        for (name, id) in sheet_ids(&workbook)? {
            if let Some(target) = targets.get(&id) {
                paths.insert(name, part_path(target));
            }
        }
        Some(SheetParts { zip, paths })
    }

    /// The merged areas of a sheet, and whether its cells may hold formulas; None when
    /// its part is unknown or unreadable.
    pub(super) fn scan(&mut self, sheet: &str) -> Option<SheetScan> {
        let path = self.paths.get(sheet)?;
        let entry = self.zip.by_name(path).ok()?;
        let (tail, formulas) = merge_cells_tail(entry)?;
        Some(SheetScan {
            merges: parse_merge_cells(&tail),
            formulas,
        })
    }
}

/// What one pass over a sheet's XML found.
pub(super) struct SheetScan {
    pub merges: Vec<Merge>,
    /// Whether the cells hold an `<f>` tag (a formula); rarely true when none do.
    pub formulas: bool,
}

/// Whether the bytes hold a formula tag, `<f>`, `<f t="shared" …>` or `<x:f>`. A false
/// yes (the text `a:f b` in an inline string) only costs a look at the formulas.
fn has_formula_tag(buf: &[u8]) -> bool {
    let tag_end = |i: usize| {
        buf.get(i)
            .is_some_and(|b| matches!(b, b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n'))
    };
    memchr::memmem::find_iter(buf, b"<f").any(|at| tag_end(at + 2))
        || memchr::memmem::find_iter(buf, b":f")
            .any(|at| tag_end(at + 2) && tag_start(buf, at + 1).is_some())
}

fn entry_text(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<String> {
    let mut text = String::new();
    // Both parts are small; a bomb was refused before any reader ran.
    zip.by_name(name).ok()?.read_to_string(&mut text).ok()?;
    Some(text)
}

/// The local part of a name: `x:sheet` → `sheet`.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The value of the first attribute whose name passes `wanted`.
fn attribute(e: &BytesStart, wanted: impl Fn(&str) -> bool) -> Option<String> {
    e.attributes().with_checks(false).flatten().find_map(|a| {
        wanted(a.key.into_inner())
            .then(|| {
                a.normalized_value(XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

/// (name, relationship id) of each `<sheet>` in the workbook part.
fn sheet_ids(xml: &str) -> Option<Vec<(String, String)>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if local(e.name().into_inner()) == "sheet" => {
                // The relationship id is the namespaced `r:id`, not a bare `id`.
                let id = attribute(&e, |k| k != "id" && local(k) == "id");
                if let (Some(name), Some(id)) = (attribute(&e, |k| k == "name"), id) {
                    out.push((name, id));
                }
            }
            Event::Eof => return Some(out),
            _ => {}
        }
    }
}

/// Relationship id → target, from the workbook's relationships part.
fn relationship_targets(xml: &str) -> Option<HashMap<String, String>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = HashMap::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if local(e.name().into_inner()) == "Relationship" => {
                let id = attribute(&e, |k| k == "Id");
                if let (Some(id), Some(target)) = (id, attribute(&e, |k| k == "Target")) {
                    out.insert(id, target);
                }
            }
            Event::Eof => return Some(out),
            _ => {}
        }
    }
}

/// A relationship target as a zip path: relative to `xl/`, or absolute from the root.
fn part_path(target: &str) -> String {
    match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    }
}

/// Inflates the sheet in chunks and returns what follows the `<mergeCells` tag (from
/// its `<`), or an empty tail when the sheet has none, and whether a formula tag came
/// before it. Only that tail is kept.
fn merge_cells_tail(mut entry: impl Read) -> Option<(Vec<u8>, bool)> {
    const NEEDLE: &[u8] = b"mergeCells";
    const CHUNK: usize = 1 << 16;
    let finder = memchr::memmem::Finder::new(NEEDLE);
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 256);
    let mut searched = 0;
    let mut formulas = false;
    loop {
        // Appended as read, not into a zeroed chunk: zeroing 64 KiB for every read of
        // the inflater (a few KiB each) cost more than the search.
        let n = entry
            .by_ref()
            .take(CHUNK as u64)
            .read_to_end(&mut buf)
            .ok()?;
        let mut from = searched;
        while let Some(i) = finder.find(&buf[from..]) {
            let at = from + i;
            if let Some(start) = tag_start(&buf, at) {
                formulas = formulas || has_formula_tag(&buf[..start]);
                buf.drain(..start);
                entry.read_to_end(&mut buf).ok()?;
                return Some((buf, formulas));
            }
            from = at + 1;
        }
        // The kept end of the last chunk is looked at again: a tag split over two
        // chunks is whole here.
        formulas = formulas || has_formula_tag(&buf);
        if n == 0 {
            return Some((Vec::new(), formulas));
        }
        // Keep a little of the end: the tag (and a namespace prefix) may be split.
        let keep = buf.len().min(64);
        buf.drain(..buf.len() - keep);
        searched = keep.saturating_sub(NEEDLE.len() - 1);
    }
}

/// Where the tag whose name ends at `at` (`<mergeCells` or `<x:mergeCells`) starts;
/// None when the bytes there are not a tag name.
fn tag_start(buf: &[u8], at: usize) -> Option<usize> {
    let before = at.checked_sub(1)?;
    match buf[before] {
        b'<' => Some(before),
        b':' => {
            let mut i = before;
            while i > 0 && (buf[i - 1].is_ascii_alphanumeric() || buf[i - 1] == b'_') {
                i -= 1;
            }
            (i > 0 && i < before && buf[i - 1] == b'<').then(|| i - 1)
        }
        _ => None,
    }
}

/// The `ref` of every `<mergeCell>` in the tail, as 0-based areas.
fn parse_merge_cells(tail: &[u8]) -> Vec<Merge> {
    let tail = String::from_utf8_lossy(tail);
    let mut reader = quick_xml::Reader::from_str(&tail);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if local(e.name().into_inner()) == "mergeCell" =>
            {
                if let Some(m) = attribute(&e, |k| k == "ref")
                    .as_deref()
                    .and_then(parse_range)
                {
                    out.push(m);
                }
            }
            Ok(Event::End(e)) if local(e.name().into_inner()) == "mergeCells" => break,
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// `B2:D4` → rows 1..=3, columns 1..=3 (either corner first).
fn parse_range(text: &str) -> Option<Merge> {
    let (a, b) = text.split_once(':').unwrap_or((text, text));
    let (r1, c1) = parse_cell(a)?;
    let (r2, c2) = parse_cell(b)?;
    Some(Merge {
        first_row: r1.min(r2),
        first_col: c1.min(c2),
        last_row: r1.max(r2),
        last_col: c1.max(c2),
    })
}

/// `AB12` (or `$AB$12`) → (11, 27); limited to Excel's grid.
fn parse_cell(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().replace('$', "");
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let col = letters.bytes().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    }) - 1;
    let row: u32 = digits.parse().ok()?;
    ((1..=1_048_576).contains(&row) && col < 16_384).then(|| (row - 1, col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_refs() {
        let m = parse_range("B2:D4").unwrap();
        assert_eq!(
            (m.first_row, m.first_col, m.last_row, m.last_col),
            (1, 1, 3, 3)
        );
        let m = parse_range("$D$4:b2").unwrap();
        assert_eq!(
            (m.first_row, m.first_col, m.last_row, m.last_col),
            (1, 1, 3, 3)
        );
        assert_eq!(parse_cell("XFD1048576"), Some((1_048_575, 16_383)));
        for bad in ["", "A0", "1A", "XFE1", "A1048577", "ABCD1", "A", "中1"] {
            assert_eq!(parse_cell(bad), None, "{bad}");
        }
    }

    #[test]
    fn sheet_parts_from_workbook_and_relationships() {
        let workbook = r#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
            <sheets><sheet name="项目&amp;表" sheetId="1" r:id="rId2"/><sheet name="b" sheetId="2" id="x" r:id="rId1"/></sheets></workbook>"#;
        let ids = sheet_ids(workbook).unwrap();
        assert_eq!(
            ids,
            [
                ("项目&表".to_string(), "rId2".to_string()),
                ("b".into(), "rId1".into())
            ]
        );
        let rels = r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>
            <Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>"#;
        let targets = relationship_targets(rels).unwrap();
        assert_eq!(part_path(&targets["rId1"]), "xl/worksheets/sheet1.xml");
        assert_eq!(part_path(&targets["rId2"]), "xl/worksheets/sheet2.xml");
    }

    #[test]
    fn tail_found_across_chunks_and_prefixes() {
        let mut xml = String::from("<worksheet><sheetData>");
        // Text that says mergeCells is not the tag.
        xml.push_str("<row><c t=\"inlineStr\"><is><t>mergeCells &lt;mergeCells</t></is></c></row>");
        xml.push_str(&"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>".repeat(5000));
        xml.push_str("</sheetData><x:mergeCells count=\"2\"><x:mergeCell ref=\"A1:B2\"/>");
        xml.push_str("<x:mergeCell ref=\"C3:C9\"/></x:mergeCells></worksheet>");
        let (tail, formulas) = merge_cells_tail(xml.as_bytes()).unwrap();
        assert!(tail.starts_with(b"<x:mergeCells"));
        assert!(!formulas);
        let merges = parse_merge_cells(&tail);
        assert_eq!(merges.len(), 2);
        assert_eq!(merges[1].last_row, 8);

        let (none, _) = merge_cells_tail(&b"<worksheet><sheetData/></worksheet>"[..]).unwrap();
        assert!(parse_merge_cells(&none).is_empty());
    }

    #[test]
    fn same_merges_as_calamine_on_every_fixture() {
        use calamine::Reader;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("xlsx") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let mut parts = SheetParts::read(&bytes).unwrap();
            let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(&bytes)).unwrap();
            for name in book.sheet_names() {
                let theirs: Vec<(u32, u32, u32, u32)> = book
                    .merge_cells_by_sheet_name(&name)
                    .unwrap()
                    .iter()
                    .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                    .collect();
                let ours: Vec<(u32, u32, u32, u32)> = parts
                    .scan(&name)
                    .unwrap()
                    .merges
                    .iter()
                    .map(|m| (m.first_row, m.first_col, m.last_row, m.last_col))
                    .collect();
                assert_eq!(ours, theirs, "{} {name}", path.display());
                seen += ours.len();
            }
        }
        assert!(seen > 100, "only {seen} merges in the fixtures");
    }

    #[test]
    fn tag_split_over_a_chunk_boundary() {
        for pad in 65_520..65_540 {
            let xml = format!(
                "<worksheet><sheetData>{}</sheetData><mergeCells><mergeCell ref=\"A1:A2\"/></mergeCells></worksheet>",
                " ".repeat(pad)
            );
            let (tail, _) = merge_cells_tail(xml.as_bytes()).unwrap();
            assert_eq!(parse_merge_cells(&tail).len(), 1, "pad {pad}");
        }
    }

    #[test]
    fn formula_tags_found_anywhere_before_the_merges() {
        let formula = |xml: &str| has_formula_tag(xml.as_bytes());
        assert!(formula("<c r=\"B4\"><f>SUM(B2:B3)</f></c>"));
        assert!(formula("<c r=\"B4\"><f t=\"shared\" si=\"0\"/></c>"));
        assert!(formula("<x:c r=\"B4\"><x:f>B2</x:f></x:c>"));
        assert!(!formula("<c r=\"B4\"><v>1</v></c><filterMode/><family/>"));
        assert!(!formula("<x14:formula>1</x14:formula>"));
        // A formula tag split over two chunks, and one after many cells.
        for pad in 65_520..65_540 {
            let xml = format!(
                "<worksheet><sheetData>{}<c><f>1+1</f><v>2</v></c></sheetData><mergeCells><mergeCell ref=\"A1:A2\"/></mergeCells></worksheet>",
                " ".repeat(pad)
            );
            let (tail, formulas) = merge_cells_tail(xml.as_bytes()).unwrap();
            assert!(formulas, "pad {pad}");
            assert_eq!(parse_merge_cells(&tail).len(), 1);
            let (_, formulas) = merge_cells_tail(xml.replace("<f>1+1</f>", "").as_bytes()).unwrap();
            assert!(!formulas, "pad {pad}");
        }
        let plain = "<worksheet><sheetData><c><f>1</f></c></sheetData></worksheet>";
        assert!(merge_cells_tail(plain.as_bytes()).unwrap().1);
    }
}
