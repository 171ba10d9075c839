//! Cells as Excel and WPS store them: the luan fixture rebuilt cell by cell and merge by
//! merge, with the cells under test stored another way — an amount as a formula with its
//! saved value, or without one; a 时效 value as a real date cell; Alt+Enter line breaks
//! in a name, a goal and an indicator; amounts typed as text. Each variant must read to
//! 100 % of the fixture's facts (or, for a formula without a value, say which cell).

mod common;

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx};
use common::*;
use jixiao::convert::{self, ReadOptions};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

/// How a cell under test is stored in the variant.
enum Store {
    /// A formula and the value saved with it.
    Formula(&'static str, &'static str),
    /// Text as typed.
    Text(String),
    /// A date serial with a number format code.
    Date(u16, u8, u8, &'static str),
    /// A date serial with a built-in number format id (27–36, 50–58: CJK dates).
    DateBuiltin(u16, u8, u8, u8),
}

/// A cell of the fixture as the variant's edit sees it.
struct At<'a> {
    sheet: &'a str,
    row: u32,
    col: u32,
    value: &'a Data,
    /// The text of the label cell to the left of this one's merge, if any.
    label: &'a str,
}

/// The luan fixture rebuilt cell by cell (values, number formats, merges), with the
/// cells `edit` returns a [`Store`] for stored that way instead. Returns the xlsx bytes.
fn luan_variant(edit: impl Fn(&At) -> Option<Store>) -> Vec<u8> {
    let bytes = std::fs::read(fixture("luan_2023.xlsx")).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let mut out = Workbook::new();
    let mut edited = 0;
    for name in book.sheet_names() {
        let merges = book.merge_cells_by_sheet_name(&name).unwrap();
        // Cell → its number format code.
        let mut codes: HashMap<(u32, u32), String> = HashMap::new();
        {
            let mut reader = book.worksheet_cells_reader(&name).unwrap();
            let styles: Vec<Option<String>> = reader
                .styles()
                .iter()
                .map(|s| s.number_format.as_ref().map(|f| f.format_code.clone()))
                .collect();
            while let Some((cell, style)) = reader.next_cell_with_style_id().unwrap() {
                if let Some(Some(code)) = styles.get(style) {
                    codes.insert(cell.get_position(), code.clone());
                }
            }
        }
        let range = book.worksheet_range(&name).unwrap();
        let sheet = out.add_worksheet();
        sheet.set_name(&name).unwrap();
        let wrap = Format::new().set_text_wrap();
        for m in &merges {
            if m.start != m.end {
                sheet
                    .merge_range(
                        m.start.0,
                        m.start.1 as u16,
                        m.end.0,
                        m.end.1 as u16,
                        "",
                        &wrap,
                    )
                    .unwrap();
            }
        }
        let (row0, col0) = range.start().unwrap();
        let text_at = |r: u32, c: u32| match range.get_value((r, c)) {
            Some(Data::String(s)) => s.clone(),
            _ => String::new(),
        };
        for (r, c, value) in range.used_cells() {
            let (row, col) = (row0 + r as u32, col0 + c as u32);
            // The label: the nearest text cell to the left.
            let label = (0..col)
                .rev()
                .map(|c| text_at(row, c))
                .find(|t| !t.is_empty())
                .unwrap_or_default();
            let at = At {
                sheet: &name,
                row,
                col,
                value,
                label: &label,
            };
            let code = codes
                .get(&(row, col))
                .map(String::as_str)
                .unwrap_or("General");
            let fmt = wrap.clone().set_num_format(code);
            let col = col as u16;
            match edit(&at) {
                Some(store) => {
                    edited += 1;
                    match store {
                        Store::Formula(f, result) => sheet
                            .write_formula_with_format(
                                row,
                                col,
                                Formula::new(f).set_result(result),
                                &fmt,
                            )
                            .map(|_| ()),
                        Store::Text(t) => sheet
                            .write_string_with_format(row, col, t, &wrap)
                            .map(|_| ()),
                        Store::Date(y, m, d, code) => sheet
                            .write_datetime_with_format(
                                row,
                                col,
                                ExcelDateTime::from_ymd(y, m, d).unwrap(),
                                &wrap.clone().set_num_format(code),
                            )
                            .map(|_| ()),
                        Store::DateBuiltin(y, m, d, id) => sheet
                            .write_datetime_with_format(
                                row,
                                col,
                                ExcelDateTime::from_ymd(y, m, d).unwrap(),
                                &wrap.clone().set_num_format_index(id),
                            )
                            .map(|_| ()),
                    }
                    .unwrap();
                }
                None => match value {
                    Data::Float(v) => {
                        sheet.write_number_with_format(row, col, *v, &fmt).unwrap();
                    }
                    Data::Int(v) => {
                        sheet
                            .write_number_with_format(row, col, *v as f64, &fmt)
                            .unwrap();
                    }
                    Data::String(s) => {
                        sheet.write_string_with_format(row, col, s, &wrap).unwrap();
                    }
                    Data::Empty => {}
                    other => panic!("{name}!{row},{col}: unexpected cell {other:?}"),
                },
            }
        }
    }
    assert!(edited > 0, "the variant changed no cell");
    out.save_to_buffer().unwrap()
}

fn save(test: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = scratch(test).join("luan_variant.xlsx");
    std::fs::write(&path, bytes).unwrap();
    path
}

fn load_with_warnings(path: &Path) -> (jixiao::Document, Vec<String>) {
    let loaded = convert::load(path, &ReadOptions::default()).unwrap();
    let warnings = loaded.warnings.iter().map(|w| w.to_string()).collect();
    (loaded.document, warnings)
}

/// The amounts of the form: the total lines as formulas over the lines below them.
fn amount_formula(at: &At) -> Option<Store> {
    let text = match at.value {
        Data::Float(v) => format!("{v:.2}"),
        _ => return None,
    };
    let result: &'static str = Box::leak(text.into_boxed_str());
    let col = (b'A' + at.col as u8) as char;
    let row = at.row + 1;
    let formula = match at.label {
        "中期资金总额:" => format!("=SUM({col}{}:{col}{})", row + 1, row + 2),
        "年度资金总额:" => format!("={col}{}+{col}{}", row + 1, row + 2),
        _ => return None,
    };
    Some(Store::Formula(Box::leak(formula.into_boxed_str()), result))
}

#[test]
fn fixture_copy_reads_like_the_fixture() {
    // The rebuilding itself changes nothing: a variant whose edit stores one cell as the
    // same text it already held.
    let bytes = luan_variant(|at| match at.value {
        Data::String(s) if s == "项目名称" => Some(Store::Text(s.clone())),
        _ => None,
    });
    let doc = load(&save("copy", &bytes));
    assert_facts("luan_2023.facts.json", &doc, &[]);
}

#[test]
fn formula_amounts_read_their_saved_values() {
    let bytes = luan_variant(amount_formula);
    let path = save("formula-cached", &bytes);
    let (doc, warnings) = load_with_warnings(&path);
    assert_facts("luan_2023.facts.json", &doc, &[]);
    assert_eq!(
        doc.projects[0]
            .funding
            .annual
            .as_ref()
            .unwrap()
            .total
            .unwrap()
            .to_string(),
        "77.03"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("formula")),
        "{warnings:?}"
    );
}

/// Removes the saved value of every formula cell, as some generators write them.
fn strip_formula_values(xlsx: &[u8]) -> Vec<u8> {
    edit_zip(xlsx, |name, xml| {
        if !name.starts_with("xl/worksheets/") {
            return xml;
        }
        let mut cut = String::new();
        let mut rest = xml.as_str();
        while let Some(i) = rest.find("</f><v>") {
            cut.push_str(&rest[..i + 4]);
            let after = &rest[i + 4..];
            let end = after.find("</v>").unwrap() + 4;
            rest = &after[end..];
        }
        cut.push_str(rest);
        cut
    })
}

#[test]
fn a_formula_without_a_saved_value_is_a_warning_naming_its_cell() {
    let bytes = strip_formula_values(&luan_variant(amount_formula));
    let path = save("formula-no-value", &bytes);
    let (doc, warnings) = load_with_warnings(&path);
    // Never silently blank: each such cell is named, with its formula and the remedy.
    let sheet = &doc.projects[0].name;
    let expected = format!(
        "{sheet}!H6: formula =H7+H8 has no saved value; open and save the file in Excel/WPS to compute it"
    );
    assert!(
        warnings.iter().any(|w| w.contains(&expected)),
        "no {expected:?} in {warnings:#?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains(&format!(
            "{sheet}!E6: formula =SUM(E7:E8) has no saved value"
        ))),
        "{warnings:#?}"
    );
    assert!(warnings.iter().any(|w| w.contains(path.to_str().unwrap())));
    // The amount is missing, not an invented zero.
    let annual = doc.projects[0].funding.annual.as_ref().unwrap();
    assert_eq!(annual.total, None);
    assert_eq!(annual.fiscal.unwrap().to_string(), "77.03");
}

/// Every 时效 value such as "2023年12月" stored as a real date cell.
fn date_cells(store: impl Fn(u16, u8) -> Store) -> impl Fn(&At) -> Option<Store> {
    move |at| {
        let Data::String(s) = at.value else {
            return None;
        };
        let (y, m) = s.strip_suffix('月')?.split_once('年')?;
        let (y, m) = (y.parse().ok()?, m.parse().ok()?);
        Some(store(y, m))
    }
}

#[test]
fn date_cells_read_as_the_text_shown() {
    let custom = luan_variant(date_cells(|y, m| Store::Date(y, m, 1, "yyyy\"年\"m\"月\"")));
    let doc = load(&save("date-custom", &custom));
    assert_facts("luan_2023.facts.json", &doc, &[]);
    let value = doc.projects[1]
        .indicators
        .iter()
        .find(|i| i.name == "业务大厅改造完成进度")
        .unwrap()
        .values
        .annual
        .clone()
        .unwrap();
    assert_eq!(value.text, "2023年12月");
    let date = value.date.expect("a date value");
    assert_eq!((date.year, date.month), (2023, Some(12)));

    // WPS and Chinese Excel store 年月 dates with the built-in format 57.
    let builtin = luan_variant(date_cells(|y, m| Store::DateBuiltin(y, m, 1, 57)));
    let doc = load(&save("date-builtin", &builtin));
    assert_facts("luan_2023.facts.json", &doc, &[]);
}

#[test]
fn date_cells_with_a_day() {
    // 年月日 shown with a custom format and with the built-in 31; ISO shown as ISO.
    for (store, shown) in [
        (
            Store::Date(2023, 12, 15, "yyyy\"年\"m\"月\"d\"日\""),
            "2023年12月15日",
        ),
        (Store::DateBuiltin(2023, 12, 15, 31), "2023年12月15日"),
        (Store::Date(2023, 12, 15, "yyyy-mm-dd"), "2023-12-15"),
        (Store::Date(2023, 12, 15, "yyyy/m/d"), "2023/12/15"),
        // The built-in short date, as a Chinese system shows it.
        (Store::DateBuiltin(2023, 12, 15, 14), "2023/12/15"),
    ] {
        let store = std::cell::RefCell::new(Some(store));
        let bytes = luan_variant(|at| match at.value {
            Data::String(s) if s == "2023年12月" && at.sheet == "公积金中心运转维护经费" => {
                store.borrow_mut().take()
            }
            _ => None,
        });
        let doc = load(&save("date-day", &bytes));
        let value = doc.projects[1]
            .indicators
            .iter()
            .find(|i| i.name == "业务大厅改造完成进度")
            .unwrap()
            .values
            .annual
            .clone()
            .unwrap();
        assert_eq!(value.text, shown);
        let date = value.date.expect("a date value");
        assert_eq!(
            (date.year, date.month, date.day),
            (2023, Some(12), Some(15))
        );
    }
}

/// Alt+Enter breaks: in the first project's name, its annual goal, an indicator name
/// (both sides) and a value.
fn line_breaks(at: &At) -> Option<Store> {
    let Data::String(s) = at.value else {
        return None;
    };
    let broken = match s.as_str() {
        "公积金中心运转维护经费" if at.col > 0 => "公积金中心\n运转维护经费".to_string(),
        "住房公积金缴存职工满意" => "住房公积金\n缴存职工满意".to_string(),
        "误差不超过二天" => "误差不超过\n二天".to_string(),
        goal if goal.starts_with("通过项目的实施,完成住房公积金系统网络安全,网络运行通畅") => {
            goal.replacen(';', ";\n", 1)
        }
        _ => return None,
    };
    Some(Store::Text(broken))
}

#[test]
fn line_breaks_are_kept_and_written_back() {
    let bytes = luan_variant(line_breaks);
    let path = save("line-breaks", &bytes);
    let doc = load(&path);
    assert_facts("luan_2023.facts.json", &doc, &[]);
    let project = &doc.projects[1];
    assert_eq!(project.name, "公积金中心\n运转维护经费");
    let goal = &project.goals.annual.as_ref().unwrap().text;
    assert!(goal.contains(";\n"), "{goal:?}");
    assert_eq!(goal.matches('\n').count(), 1, "{goal:?}");
    let satisfied: Vec<_> = project
        .indicators
        .iter()
        .filter(|i| i.name.contains("缴存职工满意"))
        .collect();
    assert_eq!(satisfied.len(), 1, "one indicator, not split");
    assert_eq!(satisfied[0].name, "住房公积金\n缴存职工满意");
    assert!(satisfied[0].values.mid_term.is_some() && satisfied[0].values.annual.is_some());
    let timely = project
        .indicators
        .iter()
        .find(|i| i.name == "住房公积金贷款短信发送及时性")
        .unwrap();
    assert_eq!(
        timely.values.annual.as_ref().unwrap().text,
        "误差不超过\n二天"
    );

    // Written to xlsx by the CLI and read back from the form (not the hidden copy).
    let written = path.with_file_name("written.xlsx");
    let out = jixiao(&[
        "convert",
        path.to_str().unwrap(),
        "--to",
        "luan",
        "-o",
        written.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = load_form_only(&written);
    assert_same(&without_source(&back), &without_source(&doc), "line breaks");
}

/// The amounts typed as text, one way per cell.
fn money_text(at: &At) -> Option<Store> {
    let Data::Float(v) = at.value else {
        return None;
    };
    let typed = match (at.sheet, at.label) {
        ("公积金中心市本级及管理部管理费", "年度资金总额:") => {
            format!("{v:.2}万元")
        }
        ("公积金中心市本级及管理部管理费", "中期资金总额:") => {
            format!("￥{v:.2}")
        }
        ("公积金中心市本级及管理部管理费", "其中:财政拨款") if at.col > 5 => {
            format!("¥{v:.2}")
        }
        ("公积金中心市本级及管理部管理费", "其中:财政拨款") => {
            format!("{v:.2}\u{3000}")
        }
        ("公积金中心市本级及管理部管理费", "其他资金") => format!(" {v:.2} "),
        ("公积金中心运转维护经费", "中期资金总额:") => format!("{v:.2}0"),
        ("公积金中心运转维护经费", "年度资金总额:") => format!("  {v:.2}万元　"),
        ("公积金中心运转维护经费", "其中:财政拨款") => format!("{v:.2}"),
        _ => return None,
    };
    Some(Store::Text(typed))
}

#[test]
fn money_typed_as_text_reads_as_the_amount() {
    let bytes = luan_variant(money_text);
    let doc = load(&save("money-text", &bytes));
    assert_facts("luan_2023.facts.json", &doc, &[]);
    // The scale is kept as typed.
    let mid = doc.projects[1].funding.mid_term.as_ref().unwrap();
    assert_eq!(mid.total.unwrap().to_string(), "234.720");
}

#[test]
fn thousands_separators_in_typed_money() {
    let bytes = luan_variant(|at| match (at.label, at.value) {
        ("年度资金总额:", Data::Float(_)) if at.sheet == "公积金中心市本级及管理部管理费" => {
            Some(Store::Text("1,003.82".into()))
        }
        _ => None,
    });
    let doc = load(&save("money-thousands", &bytes));
    let annual = doc.projects[0].funding.annual.as_ref().unwrap();
    assert_eq!(annual.total.unwrap().to_string(), "1003.82");
}

#[test]
fn money_in_yuan_is_not_taken_for_wanyuan() {
    let bytes = luan_variant(|at| match (at.label, at.value) {
        ("年度资金总额:", Data::Float(_)) if at.sheet == "公积金中心市本级及管理部管理费" => {
            Some(Store::Text("770300元".into()))
        }
        _ => None,
    });
    let (doc, warnings) = load_with_warnings(&save("money-yuan", &bytes));
    let project = &doc.projects[0];
    assert_eq!(project.funding.annual.as_ref().unwrap().total, None);
    assert!(
        project.extras.values().any(|v| v == "770300元"),
        "{:?}",
        project.extras
    );
    assert!(
        warnings.iter().any(|w| w.contains("770300元")),
        "{warnings:#?}"
    );
}

/// The formula, date-cell and line-break variants in one workbook, saved by LibreOffice
/// as xls and ods: the same cells as those formats store them. Skipped where LibreOffice
/// is not installed, except under `.ci/run` (`JIXIAO_REQUIRE_SOFFICE`).
#[test]
fn xls_and_ods_variants_saved_by_libreoffice() {
    if std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("JIXIAO_REQUIRE_SOFFICE").is_none(),
            "soffice is required here (JIXIAO_REQUIRE_SOFFICE is set) but not installed"
        );
        eprintln!("note: soffice not installed; skipping the xls and ods variants");
        return;
    }
    let dates = date_cells(|y, m| Store::Date(y, m, 1, "yyyy\"年\"m\"月\""));
    let bytes = luan_variant(|at| {
        amount_formula(at)
            .or_else(|| dates(at))
            .or_else(|| line_breaks(at))
    });
    let path = save("libreoffice-variants", &bytes);
    let dir = path.parent().unwrap();
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    for ext in ["xls", "ods"] {
        let o = std::process::Command::new("soffice")
            .args([
                profile.as_str(),
                "--headless",
                "--convert-to",
                ext,
                "--outdir",
            ])
            .arg(dir)
            .arg(&path)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let saved = path.with_extension(ext);
        let (doc, warnings) = load_with_warnings(&saved);
        assert_facts("luan_2023.facts.json", &doc, &[]);
        assert!(
            !warnings.iter().any(|w| w.contains("formula")),
            "{ext}: {warnings:#?}"
        );
        let project = &doc.projects[1];
        assert_eq!(project.name, "公积金中心\n运转维护经费", "{ext}");
        let value = project
            .indicators
            .iter()
            .find(|i| i.name == "业务大厅改造完成进度")
            .and_then(|i| i.values.annual.clone())
            .unwrap();
        assert_eq!(value.text, "2023年12月", "{ext}");
        assert!(value.date.is_some(), "{ext}");
        let annual = doc.projects[0].funding.annual.as_ref().unwrap();
        assert_eq!(annual.total.unwrap().to_string(), "77.03", "{ext}");
    }
}
