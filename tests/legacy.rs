//! Old and odd formats read to the same facts as the xlsx fixtures: `.xls` and `.ods`
//! saved by LibreOffice (`soffice --headless --convert-to xls|ods`), and the HTML-table
//! ".xls" files that web budget systems export (made by
//! `tests/fixtures/legacy/make_html.py`). The converted files are committed, so these
//! tests need no LibreOffice.

mod common;

use std::path::PathBuf;

use common::*;
use jixiao::grid::{Cell, Workbook};
use jixiao::read::read_path;

fn legacy(name: &str) -> PathBuf {
    fixture(&format!("legacy/{name}"))
}

fn read(path: &std::path::Path) -> Workbook {
    read_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (stem of the xlsx fixture, facts file, layout)
const FIXTURES: &[(&str, &str, &str)] = &[
    ("luan_2023", "luan_2023.facts.json", "luan"),
    ("tangshan_2025", "tangshan_2025.facts.json", "tangshan"),
    ("guangzhou", "guangzhou.facts.json", "guangzhou"),
    ("linyi_2023", "linyi_2023.facts.json", "linyi"),
    ("yancheng_2022", "yancheng_2022.facts.json", "yancheng"),
];

fn facts_of(path: &std::path::Path, facts: &str, layout: &str) {
    let doc = load(path);
    assert_eq!(doc.source.layout, layout, "{}", path.display());
    assert_facts(facts, &doc, &[]);
}

#[test]
fn xls_saved_by_libreoffice_reads_to_the_same_facts() {
    for &(stem, facts, layout) in FIXTURES {
        facts_of(&legacy(&format!("{stem}.xls")), facts, layout);
    }
}

#[test]
fn ods_saved_by_libreoffice_reads_to_the_same_facts() {
    for &(stem, facts, layout) in FIXTURES {
        facts_of(&legacy(&format!("{stem}.ods")), facts, layout);
    }
}

#[test]
fn html_exports_read_to_the_same_facts() {
    for (file, facts, layout) in [
        ("luan_2023.html.xls", "luan_2023.facts.json", "luan"),
        (
            "yancheng_2022.gbk.html.xls",
            "yancheng_2022.facts.json",
            "yancheng",
        ),
        (
            "tangshan_2025.gbk.html.xls",
            "tangshan_2025.facts.json",
            "tangshan",
        ),
        ("guangzhou.htm", "guangzhou.facts.json", "guangzhou"),
    ] {
        facts_of(&legacy(file), facts, layout);
    }
}

/// Cell by cell, an xls or ods grid shows what the xlsx grid shows, with the same
/// merged areas.
fn assert_same_grid(got: &Workbook, want: &Workbook, what: &str) {
    assert_eq!(got.sheets.len(), want.sheets.len(), "{what}: sheets");
    for (g, w) in got.sheets.iter().zip(&want.sheets) {
        assert_eq!(g.name, w.name, "{what}");
        assert_eq!(g.hidden, w.hidden, "{what} {}", g.name);
        assert!(g.merges_known, "{what} {}", g.name);
        let mut gm = g.merges().to_vec();
        let mut wm = w.merges().to_vec();
        let key = |m: &jixiao::grid::Merge| (m.first_row, m.first_col);
        gm.sort_by_key(key);
        wm.sort_by_key(key);
        assert_eq!(gm, wm, "{what} {}: merges", g.name);
        for r in 0..g.height().max(w.height()) {
            for c in 0..g.width().max(w.width()) {
                let (a, b) = (g.raw(r, c), w.raw(r, c));
                assert_eq!(
                    a.display(),
                    b.display(),
                    "{what} {}: {a:?} vs {b:?}",
                    g.origin(r, c)
                );
                assert_eq!(
                    matches!(a, Cell::Number { .. }),
                    matches!(b, Cell::Number { .. }),
                    "{what} {}: {a:?} vs {b:?}",
                    g.origin(r, c)
                );
            }
        }
    }
}

#[test]
fn xls_and_ods_grids_match_the_xlsx_cell_by_cell() {
    for &(stem, _, _) in FIXTURES {
        let xlsx = read(&fixture(&format!("{stem}.xlsx")));
        for ext in ["xls", "ods"] {
            let other = read(&legacy(&format!("{stem}.{ext}")));
            assert_same_grid(&other, &xlsx, &format!("{stem}.{ext}"));
        }
    }
}

#[test]
fn xls_number_formats_are_read() {
    // calamine gives xls numbers without their formats; our BIFF pass adds them.
    let wb = read(&legacy("tangshan_2025.xls"));
    let percents = wb.sheets[1]
        .rows
        .iter()
        .flatten()
        .filter(|c| matches!(c, Cell::Number { percent: true, .. }))
        .count();
    assert!(percents > 20, "{percents}");
    let luan = read(&legacy("luan_2023.xls"));
    // E8 is 0 formatted "0.00".
    assert_eq!(luan.sheets[0].raw(7, 4).display(), "0.00");
}

#[test]
fn html_grids_keep_the_merges_of_the_workbook() {
    for (html, xlsx) in [
        ("luan_2023.html.xls", "luan_2023.xlsx"),
        ("yancheng_2022.gbk.html.xls", "yancheng_2022.xlsx"),
        ("tangshan_2025.gbk.html.xls", "tangshan_2025.xlsx"),
        ("guangzhou.htm", "guangzhou.xlsx"),
    ] {
        let got = read(&legacy(html));
        let want = read(&fixture(xlsx));
        assert!(got.warnings.is_empty(), "{html}: {:?}", got.warnings);
        assert_eq!(got.sheets.len(), want.sheets.len(), "{html}");
        for (g, w) in got.sheets.iter().zip(&want.sheets) {
            let mut gm = g.merges().to_vec();
            let mut wm = w.merges().to_vec();
            gm.sort_by_key(|m| (m.first_row, m.first_col));
            wm.sort_by_key(|m| (m.first_row, m.first_col));
            assert_eq!(gm, wm, "{html}");
            for r in 0..w.height() {
                for c in 0..w.width() {
                    let want = w.raw(r, c).display();
                    let got = g.raw(r, c).display().replace(',', "");
                    assert_eq!(got, want.replace(',', ""), "{html} {}", w.origin(r, c));
                }
            }
        }
    }
}

#[test]
fn content_decides_not_the_extension() {
    let dir = scratch("legacy-extensions");
    let cases = [
        (legacy("luan_2023.xls"), "xls_named.xlsx", "luan"),
        (legacy("luan_2023.ods"), "ods_named.xls", "luan"),
        (fixture("luan_2023.xlsx"), "xlsx_named.xls", "luan"),
        (
            legacy("yancheng_2022.gbk.html.xls"),
            "html_named.xlsx",
            "yancheng",
        ),
        (
            fixture("yancheng_2022.gbk.csv"),
            "gbk_csv_named.xls",
            "yancheng",
        ),
        (fixture("guangzhou.csv"), "csv_named.ods", "guangzhou"),
        (legacy("guangzhou.htm"), "htm_named.csv", "guangzhou"),
    ];
    for (from, name, layout) in cases {
        let to = dir.join(name);
        std::fs::copy(&from, &to).unwrap();
        let doc = load(&to);
        assert_eq!(doc.source.layout, layout, "{name}");
    }
}

#[test]
fn flat_ods_reads_like_ods() {
    // A flat ODS (.fods) is the same content.xml as one XML file.
    let zipped = std::fs::read(legacy("linyi_2023.ods")).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).unwrap();
    let mut content = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("content.xml").unwrap(), &mut content)
        .unwrap();
    let flat = content.replacen(
        "<office:document-content",
        "<office:document office:mimetype=\"application/vnd.oasis.opendocument.spreadsheet\"",
        1,
    );
    let flat = flat.replace("</office:document-content>", "</office:document>");
    let dir = scratch("legacy-fods");
    let path = dir.join("linyi.fods");
    std::fs::write(&path, flat).unwrap();
    let got = read(&path);
    let want = read(&legacy("linyi_2023.ods"));
    assert_same_grid(&got, &want, "linyi.fods");
}
