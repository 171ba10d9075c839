//! Workbooks laid out by a different clerk read the same: the table moved away from A1,
//! colons and full-width spaces in labels, a blank row inside the header, a label merged
//! one column wider, projects stacked on one sheet, xlsx or csv.

mod common;

use common::*;
use rust_xlsxwriter::{Format, Workbook};

/// The two luan projects stacked on one sheet, as rows of text.
fn stacked_rows() -> Vec<Vec<String>> {
    let bytes = std::fs::read(fixture("luan_2023_stacked.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[3..]);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Applies a clerk's habits to the grid.
fn clerk_variant(rows: Vec<Vec<String>>, top: usize, left: usize) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new(); top];
    for row in rows {
        let mut cells: Vec<String> = vec![String::new(); left];
        for cell in row {
            let cell = match cell.as_str() {
                "项目名称" => "项目　名称：".to_string(),
                "主管部门及代码" | "实施单位" | "项目属性" | "项目期" => {
                    format!("{cell}：")
                }
                "项目资金(万元)" => "项目资金（万元）".to_string(),
                "其中:财政拨款" => "其中：财政拨款".to_string(),
                _ => cell,
            };
            cells.push(cell);
        }
        let is_attribute_row = cells.iter().any(|c| c == "项目属性：");
        out.push(cells);
        if is_attribute_row {
            out.push(Vec::new()); // a blank row inside the header
        }
    }
    out
}

fn write_csv(rows: &[Vec<String>], path: &std::path::Path) {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap();
    for row in rows {
        if row.is_empty() {
            w.write_record([""]).unwrap();
        } else {
            w.write_record(row).unwrap();
        }
    }
    w.flush().unwrap();
}

fn write_xlsx(rows: &[Vec<String>], path: &std::path::Path, merge_name_label_wider: bool) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(n) if cell.contains('.') => sheet.write_number_with_format(
                    r as u32,
                    c as u16,
                    n,
                    &Format::new().set_num_format("0.00"),
                ),
                _ => sheet.write_string_with_format(r as u32, c as u16, cell, &plain),
            }
            .unwrap();
        }
        // The name label merged over three columns, the name moved right by one.
        if merge_name_label_wider && let Some(c) = row.iter().position(|x| x == "项目　名称：")
        {
            let (r, c) = (r as u32, c as u16);
            sheet
                .merge_range(r, c, r, c + 2, "项目　名称：", &plain)
                .unwrap();
            sheet
                .merge_range(r, c + 3, r, c + 7, &row[c as usize + 2], &plain)
                .unwrap();
        }
    }
    book.save(path).unwrap();
}

#[test]
fn moved_table_with_colons_and_blank_row_reads_the_same_from_csv() {
    let dir = scratch("variant-csv");
    let path = dir.join("moved.csv");
    write_csv(&clerk_variant(stacked_rows(), 3, 2), &path);
    let doc = load(&path);
    assert_facts("luan_2023.facts.json", &doc, &[]);
    assert!(
        doc.source.cells["projects[0].name"].ends_with("!E6"),
        "{:?}",
        doc.source.cells.get("projects[0].name")
    );
}

#[test]
fn moved_table_with_wider_label_merge_reads_the_same_from_xlsx() {
    let dir = scratch("variant-xlsx");
    let path = dir.join("moved.xlsx");
    write_xlsx(&clerk_variant(stacked_rows(), 3, 2), &path, true);
    let doc = load(&path);
    assert_facts("luan_2023.facts.json", &doc, &[]);
}

#[test]
fn the_reconstruction_and_the_variant_give_the_same_document() {
    let dir = scratch("variant-same");
    let path = dir.join("moved.xlsx");
    write_xlsx(&clerk_variant(stacked_rows(), 1, 1), &path, false);
    let original = without_source(&load(&fixture("luan_2023.xlsx")));
    assert_eq!(without_source(&load(&path)), original);
}
