//! Excel number formats, as far as reading needs them: how many decimals a number is
//! shown with, and whether as a percentage. Shared by the xlsx reader (format codes from
//! calamine) and the xls reader (format records from our own BIFF pass).

use std::sync::Arc;

use super::datefmt::DateFmt;

/// How a number format shows a number: decimals (None = General / not fixed),
/// whether it is a percentage, and for a date format, how it shows a date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct NumFmt {
    pub decimals: Option<u32>,
    pub percent: bool,
    /// The date pattern of a date or time format (`yyyy"年"m"月"`), shared by the
    /// cells that use it.
    pub date: Option<Arc<DateFmt>>,
}

impl NumFmt {
    /// Reads the first section of an Excel number format code: `#,##0.00` → 2 decimals,
    /// `0%` → 0 decimals percent, `0.0%` → 1 percent, `General`/`@`/scientific/fractions
    /// → no fixed decimals.
    pub(super) fn parse(code: &str) -> NumFmt {
        if let Some(date) = DateFmt::parse(code) {
            return NumFmt {
                date: Some(Arc::new(date)),
                ..NumFmt::default()
            };
        }
        let mut percent = false;
        let mut seen_digit = false;
        let mut after_dot: Option<u32> = None;
        let mut in_decimals = false;
        let mut scaled = false;
        let mut chars = code.chars().peekable();
        while let Some(ch) = chars.next() {
            match ch {
                ';' => break,
                '"' => {
                    in_decimals = false;
                    for c in chars.by_ref() {
                        if c == '"' {
                            break;
                        }
                    }
                }
                '[' => {
                    in_decimals = false;
                    for c in chars.by_ref() {
                        if c == ']' {
                            break;
                        }
                    }
                }
                '\\' | '_' | '*' => {
                    in_decimals = false;
                    chars.next();
                }
                '0' | '#' | '?' => {
                    seen_digit = true;
                    scaled = false;
                    if in_decimals {
                        after_dot = after_dot.map(|n| n + 1);
                    }
                }
                '.' if after_dot.is_none() => {
                    after_dot = Some(0);
                    in_decimals = true;
                }
                ',' => {
                    // A comma after the digits scales by 1000 ("0.00,").
                    if seen_digit {
                        scaled = true;
                    }
                    in_decimals = false;
                }
                '%' => {
                    percent = true;
                    in_decimals = false;
                }
                'E' | 'e' | '/' | '@' => {
                    return NumFmt::default();
                }
                _ => in_decimals = false,
            }
        }
        // A comma after the last digit placeholder scales the number ("0.0," shows
        // thousands); a comma between placeholders (`#,##0`) is a thousands separator.
        if !seen_digit || scaled {
            return NumFmt::default();
        }
        NumFmt {
            decimals: Some(after_dot.unwrap_or(0)),
            percent,
            date: None,
        }
    }

    /// Excel's built-in number formats that fix decimals or show dates (the others are
    /// General, fractions or scientific). Dates are as a Chinese system shows them.
    pub(super) fn builtin(ifmt: u16) -> NumFmt {
        if let Some(code) = DateFmt::builtin_code(u32::from(ifmt)) {
            return NumFmt::parse(code);
        }
        let code = match ifmt {
            1 => "0",
            2 => "0.00",
            3 => "#,##0",
            4 => "#,##0.00",
            5 | 6 => "#,##0",
            7 | 8 => "#,##0.00",
            9 => "0%",
            10 => "0.00%",
            37 | 38 | 41 | 42 => "#,##0",
            39 | 40 | 43 | 44 => "#,##0.00",
            _ => "General",
        };
        NumFmt::parse(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(decimals: Option<u32>, percent: bool) -> NumFmt {
        NumFmt {
            decimals,
            percent,
            date: None,
        }
    }

    #[test]
    fn number_formats() {
        assert_eq!(NumFmt::parse("General"), fmt(None, false));
        assert_eq!(NumFmt::parse("general"), fmt(None, false));
        assert_eq!(NumFmt::parse("@"), fmt(None, false));
        assert_eq!(NumFmt::parse("0"), fmt(Some(0), false));
        assert_eq!(NumFmt::parse("0.00"), fmt(Some(2), false));
        assert_eq!(NumFmt::parse("#,##0.00"), fmt(Some(2), false));
        assert_eq!(NumFmt::parse("#,##0"), fmt(Some(0), false));
        assert_eq!(NumFmt::parse("0%"), fmt(Some(0), true));
        assert_eq!(NumFmt::parse("0.0%"), fmt(Some(1), true));
        assert_eq!(NumFmt::parse("0.00_ ;[Red]\\-0.00\\ "), fmt(Some(2), false));
        assert_eq!(NumFmt::parse("#,##0.00_);(#,##0.00)"), fmt(Some(2), false));
        assert_eq!(
            NumFmt::parse("\"¥\"#,##0.00;\"¥\"\\-#,##0.00"),
            fmt(Some(2), false)
        );
        assert_eq!(NumFmt::parse("[$-804]#,##0.000"), fmt(Some(3), false));
        assert_eq!(NumFmt::parse("0.00\"万元\""), fmt(Some(2), false));
        assert_eq!(NumFmt::parse("\"50.5%\"0"), fmt(Some(0), false));
        assert_eq!(NumFmt::parse("0.00E+00"), fmt(None, false));
        assert_eq!(NumFmt::parse("# ?/?"), fmt(None, false));
        assert_eq!(NumFmt::parse("0.0,"), fmt(None, false));
        assert_eq!(NumFmt::parse(""), fmt(None, false));
    }

    #[test]
    fn builtins() {
        assert_eq!(NumFmt::builtin(2).decimals, Some(2));
        assert!(NumFmt::builtin(9).percent);
        assert_eq!(NumFmt::builtin(0), NumFmt::default());
        assert!(NumFmt::builtin(14).date.is_some());
        assert!(NumFmt::builtin(31).date.is_some());
        assert_eq!(NumFmt::builtin(11), NumFmt::default());
        assert!(NumFmt::parse("yyyy\"年\"m\"月\"").date.is_some());
        assert!(NumFmt::parse("0.00").date.is_none());
    }
}
