//! What the xlsx and xls readers share around calamine: the guard that turns a panic
//! inside calamine into an error, merges and sheets in the grid's terms, and cells from
//! calamine's values with their number formats.

use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, DataRef, Dimensions, ExcelDateTime, SheetVisible};

use super::datefmt::DateParts;
use super::numfmt::NumFmt;
use super::{sheet_with_merges, unreadable};
use crate::error::Result;
use crate::grid::{Cell, Merge, Workbook};

thread_local! {
    /// Set while a calamine read runs on this thread.
    static IN_GUARDED_READ: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Wraps the panic hook once so that a panic inside a dependency during a guarded read
/// prints nothing: the read turns it into an `Unreadable` error, and the user sees
/// that message only. Panics in this crate's own code still reach the previous hook
/// (the CLI's "internal error" message, or a fuzzer's crash report).
fn quiet_dependency_panics() {
    static WRAP: std::sync::Once = std::sync::Once::new();
    WRAP.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = info.location().is_none_or(|l| {
                l.file().starts_with("src/") || l.file().starts_with(env!("CARGO_MANIFEST_DIR"))
            });
            if ours || !IN_GUARDED_READ.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs a calamine reader under `catch_unwind`: a panic becomes `Unreadable`.
pub(super) fn guarded<T>(file: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    quiet_dependency_panics();
    let was = IN_GUARDED_READ.with(|g| g.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(read));
    IN_GUARDED_READ.with(|g| g.set(was));
    match outcome {
        Ok(result) => result,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(unreadable(
                file,
                format!("the workbook is damaged or unusual and could not be read ({detail})"),
            ))
        }
    }
}

/// Reads a sheet's merges (calamine's xlsx and xls each have their own method). Merges
/// that cannot be read, or whose reading panics, leave the sheet's merges unknown, with
/// a warning.
pub(super) fn read_merges<E: std::fmt::Display>(
    file: &str,
    sheet: &str,
    read: impl FnOnce() -> std::result::Result<Vec<Dimensions>, E>,
    warnings: &mut Vec<String>,
) -> Option<Vec<Merge>> {
    let merges = catch_unwind(AssertUnwindSafe(read))
        .map_err(|_| "malformed merged-cell references".to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
    match merges {
        Ok(dims) => Some(dims.iter().map(to_merge).collect()),
        Err(e) => {
            warnings.push(format!(
                "{file}: merged cells of sheet {sheet:?} could not be read ({e}); treated as unmerged"
            ));
            None
        }
    }
}

pub(super) fn push_sheet(
    out: &mut Workbook,
    meta: &calamine::Sheet,
    rows: Vec<Vec<Cell>>,
    merges: Option<Vec<Merge>>,
) {
    let sheet = build_sheet(&out.file, meta, rows, merges, &mut out.warnings);
    out.sheets.push(sheet);
}

/// A sheet of the grid from its cells and merges (checked against each other).
pub(super) fn build_sheet(
    file: &str,
    meta: &calamine::Sheet,
    rows: Vec<Vec<Cell>>,
    merges: Option<Vec<Merge>>,
    warnings: &mut Vec<String>,
) -> crate::grid::Sheet {
    let hidden = meta.visible != SheetVisible::Visible;
    match merges {
        Some(merges) => sheet_with_merges(file, &meta.name, hidden, rows, merges, warnings),
        None => {
            // Merges unknown: merges_known stays false.
            let mut sheet = crate::grid::Sheet::new(meta.name.clone(), rows);
            sheet.hidden = hidden;
            sheet
        }
    }
}

fn to_merge(d: &Dimensions) -> Merge {
    Merge {
        first_row: d.start.0.min(d.end.0),
        first_col: d.start.1.min(d.end.1),
        last_row: d.start.0.max(d.end.0),
        last_col: d.start.1.max(d.end.1),
    }
}

fn number(value: f64, fmt: &NumFmt) -> Cell {
    Cell::Number {
        value,
        decimals: fmt.decimals,
        percent: fmt.percent,
    }
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_string())
    }
}

pub(super) fn from_data_ref(value: &DataRef<'_>, fmt: &NumFmt) -> Cell {
    match value {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Float(f) => number(*f, fmt),
        DataRef::Int(i) => number(*i as f64, fmt),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => Cell::Text(date_shown(dt, fmt)),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

pub(super) fn from_data(value: &Data, fmt: &NumFmt) -> Cell {
    match value {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => text(s),
        Data::Float(f) => number(*f, fmt),
        Data::Int(i) => number(*i as f64, fmt),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => Cell::Text(date_shown(dt, fmt)),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// A date cell as its number format shows it (`yyyy"年"m"月"` → "2023年12月"); without
/// a date format we can read, as [`datetime_text`] writes it.
fn date_shown(dt: &ExcelDateTime, fmt: &NumFmt) -> String {
    let v = dt.as_f64();
    // Excel shows no date before 1900 or after 9999 (it fills the cell with #).
    let in_range = v.is_finite() && (0.0..2_958_466.0).contains(&v);
    match &fmt.date {
        Some(date) if in_range && !dt.is_duration() => {
            let (year, month, day, hour, minute, second, _) = dt.to_ymd_hms_milli();
            date.render(DateParts {
                year,
                month,
                day,
                hour,
                minute,
                second,
            })
        }
        _ => datetime_text(dt),
    }
}

/// A date as `2025-12-15`, a date and time as `2025-12-15 08:30:00`, a time of day as
/// `08:30:00`, a duration as `36:00:00`.
fn datetime_text(dt: &ExcelDateTime) -> String {
    let v = dt.as_f64();
    if !v.is_finite() {
        return v.to_string();
    }
    if dt.is_duration() {
        let secs = (v * 86_400.0).round();
        let sign = if secs < 0.0 { "-" } else { "" };
        let secs = secs.abs().min(1e15) as u64;
        return format!(
            "{sign}{}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
    }
    let (y, mo, d, h, mi, s, _ms) = dt.to_ymd_hms_milli();
    if (0.0..1.0).contains(&v) {
        format!("{h:02}:{mi:02}:{s:02}")
    } else if h == 0 && mi == 0 && s == 0 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn dates_as_text() {
        let date = ExcelDateTime::new(46006.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&date), "2025-12-15");
        let with_time = ExcelDateTime::new(46006.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&with_time), "2025-12-15 12:00:00");
        let time = ExcelDateTime::new(0.25, ExcelDateTimeType::DateTime, false);
        assert_eq!(datetime_text(&time), "06:00:00");
        let duration = ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false);
        assert_eq!(datetime_text(&duration), "36:00:00");
        for v in [f64::NAN, f64::INFINITY, -1e300, 1e300] {
            let odd = ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false);
            let _ = datetime_text(&odd);
        }
    }
}
