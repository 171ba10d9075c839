//! Date cells as the user sees them: an Excel date or time number format code
//! (`yyyy"年"m"月"`, `yyyy-mm-dd`, `yyyy/m/d h:mm`) applied to a date serial's parts.
//!
//! A 时效 indicator typed as a real date shows "2023年12月" in Excel and WPS; the value
//! read must be that text, not the ISO date behind it, so that the model keeps what was
//! published and `Value::parse` reads it as a date.

/// One piece of a date format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `yy` (two digits) or `yyyy` (four).
    Year {
        four: bool,
    },
    /// `m`/`mm`: a month with 1 or 2 digits; 3 = `mmm` (Dec), 4 = `mmmm` (December),
    /// 5 = `mmmmm` (D).
    Month(u8),
    /// `d`/`dd`; 3 = `ddd` (Fri), 4 = `dddd` (Friday).
    Day(u8),
    /// `aaa` (五) or `aaaa` (星期五): the Chinese weekday.
    CnWeekday {
        long: bool,
    },
    Hour {
        two: bool,
    },
    Minute {
        two: bool,
    },
    Second {
        two: bool,
    },
    AmPm(AmPm),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AmPm {
    /// `AM/PM` (or `am/pm`, shown in the case written).
    Full { lower: bool },
    /// `A/P`.
    Letter { lower: bool },
    /// `上午/下午`.
    Chinese,
}

/// A parsed date or time format: what to write for each part of a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DateFmt(Vec<Tok>);

/// The parts of a date serial, as calamine's `to_ymd_hms_milli` gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DateParts {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const CN_WEEKDAYS: [char; 7] = ['日', '一', '二', '三', '四', '五', '六'];

impl DateFmt {
    /// The format code Chinese Excel and WPS show for a built-in number format id
    /// that is a date or time; None for other ids. 14 and 22 are locale-dependent:
    /// a Chinese system shows `yyyy/m/d`; 27–36 and 50–58 are the CJK date formats.
    pub(super) fn builtin_code(id: u32) -> Option<&'static str> {
        Some(match id {
            14 => "yyyy/m/d",
            15 => "d-mmm-yy",
            16 => "d-mmm",
            17 => "mmm-yy",
            18 => "h:mm AM/PM",
            19 => "h:mm:ss AM/PM",
            20 => "h:mm",
            21 => "h:mm:ss",
            22 => "yyyy/m/d h:mm",
            27 | 36 | 50 | 52 | 57 => "yyyy\"年\"m\"月\"",
            28 | 29 | 51 | 53 | 54 | 58 => "m\"月\"d\"日\"",
            30 => "m-d-yy",
            31 => "yyyy\"年\"m\"月\"d\"日\"",
            32 => "h\"时\"mm\"分\"",
            33 => "h\"时\"mm\"分\"ss\"秒\"",
            34 | 55 => "上午/下午h\"时\"mm\"分\"",
            35 | 56 => "上午/下午h\"时\"mm\"分\"ss\"秒\"",
            45 => "mm:ss",
            _ => return None,
        })
    }

    /// Reads the first section of a format code; None when it shows no date or time
    /// part, or counts elapsed time (`[h]:mm`), which is read as a duration instead.
    pub(super) fn parse(code: &str) -> Option<DateFmt> {
        if code.to_ascii_lowercase().contains("general") {
            return None;
        }
        let chars: Vec<char> = code.chars().collect();
        let mut toks = Vec::new();
        let mut i = 0;
        let run = |i: usize, c: char| {
            chars[i..]
                .iter()
                .take_while(|x| x.eq_ignore_ascii_case(&c))
                .count()
        };
        while i < chars.len() {
            let c = chars[i];
            let rest: String = chars[i..chars.len().min(i + 5)].iter().collect();
            match c {
                ';' => break,
                '"' => {
                    i += 1;
                    while i < chars.len() && chars[i] != '"' {
                        toks.push(Tok::Lit(chars[i]));
                        i += 1;
                    }
                    i += 1;
                }
                '\\' => {
                    if let Some(&next) = chars.get(i + 1) {
                        toks.push(Tok::Lit(next));
                    }
                    i += 2;
                }
                // Padding and fill: nothing a reader of the text needs.
                '_' | '*' => i += 2,
                '[' => {
                    let end = chars[i..].iter().position(|&x| x == ']')? + i;
                    let inner: String = chars[i + 1..end].iter().collect();
                    let lower = inner.to_ascii_lowercase();
                    if !lower.is_empty() && lower.chars().all(|x| matches!(x, 'h' | 'm' | 's')) {
                        return None;
                    }
                    i = end + 1;
                }
                'y' | 'Y' | 'e' | 'E' => {
                    let n = run(i, c);
                    toks.push(Tok::Year {
                        four: n >= 3 || c.eq_ignore_ascii_case(&'e'),
                    });
                    i += n;
                }
                'm' | 'M' => {
                    let n = run(i, c);
                    toks.push(Tok::Month(n.min(5) as u8));
                    i += n;
                }
                'd' | 'D' => {
                    let n = run(i, c);
                    toks.push(Tok::Day(n.min(4) as u8));
                    i += n;
                }
                'a' | 'A' if rest.eq_ignore_ascii_case("am/pm") => {
                    toks.push(Tok::AmPm(AmPm::Full { lower: c == 'a' }));
                    i += 5;
                }
                'a' | 'A' if rest.get(..3).is_some_and(|r| r.eq_ignore_ascii_case("a/p")) => {
                    toks.push(Tok::AmPm(AmPm::Letter { lower: c == 'a' }));
                    i += 3;
                }
                'a' | 'A' if run(i, c) >= 3 => {
                    let n = run(i, c);
                    toks.push(Tok::CnWeekday { long: n >= 4 });
                    i += n;
                }
                '上' if rest.starts_with("上午/下午") => {
                    toks.push(Tok::AmPm(AmPm::Chinese));
                    i += 5;
                }
                'h' | 'H' => {
                    let n = run(i, c);
                    toks.push(Tok::Hour { two: n >= 2 });
                    i += n;
                }
                's' | 'S' => {
                    let n = run(i, c);
                    toks.push(Tok::Second { two: n >= 2 });
                    i += n;
                    // Fractions of a second (`ss.0`): not shown.
                    if chars.get(i) == Some(&'.') && chars.get(i + 1) == Some(&'0') {
                        i += 1;
                        while chars.get(i) == Some(&'0') {
                            i += 1;
                        }
                    }
                }
                // Digit placeholders and text: a number or text format, not a date.
                '0' | '#' | '?' | '@' => return None,
                other => {
                    toks.push(Tok::Lit(other));
                    i += 1;
                }
            }
        }
        // `m` right after an hour or right before a second is minutes.
        let parts: Vec<usize> = (0..toks.len())
            .filter(|&k| !matches!(toks[k], Tok::Lit(_)))
            .collect();
        for (p, &k) in parts.iter().enumerate() {
            if let Tok::Month(n @ (1 | 2)) = toks[k] {
                let after_hour = p > 0 && matches!(toks[parts[p - 1]], Tok::Hour { .. });
                let before_second = parts
                    .get(p + 1)
                    .is_some_and(|&q| matches!(toks[q], Tok::Second { .. }));
                if after_hour || before_second {
                    toks[k] = Tok::Minute { two: n == 2 };
                }
            }
        }
        if parts.is_empty() {
            return None;
        }
        Some(DateFmt(toks))
    }

    /// The text the format shows for a date.
    pub(super) fn render(&self, d: DateParts) -> String {
        let twelve = self.0.iter().any(|t| matches!(t, Tok::AmPm(_)));
        let pm = d.hour >= 12;
        let mut out = String::new();
        for tok in &self.0 {
            match *tok {
                Tok::Lit(c) => out.push(c),
                Tok::Year { four: true } => out.push_str(&format!("{:04}", d.year)),
                Tok::Year { four: false } => out.push_str(&format!("{:02}", d.year % 100)),
                Tok::Month(n) => {
                    let name = MONTHS[usize::from(d.month.clamp(1, 12) - 1)];
                    match n {
                        1 => out.push_str(&d.month.to_string()),
                        2 => out.push_str(&format!("{:02}", d.month)),
                        3 => out.push_str(&name[..3]),
                        4 => out.push_str(name),
                        _ => out.push_str(&name[..1]),
                    }
                }
                Tok::Day(n) => {
                    let wd = weekday(d.year, d.month, d.day);
                    match n {
                        1 => out.push_str(&d.day.to_string()),
                        2 => out.push_str(&format!("{:02}", d.day)),
                        3 => out.push_str(&WEEKDAYS[wd][..3]),
                        _ => out.push_str(WEEKDAYS[wd]),
                    }
                }
                Tok::CnWeekday { long } => {
                    if long {
                        out.push_str("星期");
                    }
                    out.push(CN_WEEKDAYS[weekday(d.year, d.month, d.day)]);
                }
                Tok::Hour { two } => {
                    let h = if twelve {
                        (d.hour + 11) % 12 + 1
                    } else {
                        d.hour
                    };
                    out.push_str(&if two {
                        format!("{h:02}")
                    } else {
                        h.to_string()
                    });
                }
                Tok::Minute { two } => out.push_str(&if two {
                    format!("{:02}", d.minute)
                } else {
                    d.minute.to_string()
                }),
                Tok::Second { two } => out.push_str(&if two {
                    format!("{:02}", d.second)
                } else {
                    d.second.to_string()
                }),
                Tok::AmPm(kind) => out.push_str(match (kind, pm) {
                    (AmPm::Full { lower: false }, false) => "AM",
                    (AmPm::Full { lower: false }, true) => "PM",
                    (AmPm::Full { lower: true }, false) => "am",
                    (AmPm::Full { lower: true }, true) => "pm",
                    (AmPm::Letter { lower: false }, false) => "A",
                    (AmPm::Letter { lower: false }, true) => "P",
                    (AmPm::Letter { lower: true }, false) => "a",
                    (AmPm::Letter { lower: true }, true) => "p",
                    (AmPm::Chinese, false) => "上午",
                    (AmPm::Chinese, true) => "下午",
                }),
            }
        }
        out
    }
}

/// 0 = Sunday … 6 = Saturday (Sakamoto's method, proleptic Gregorian).
fn weekday(year: u16, month: u8, day: u8) -> usize {
    const T: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let m = i64::from(month.clamp(1, 12));
    let mut y = i64::from(year);
    if m < 3 {
        y -= 1;
    }
    let w = (y + y / 4 - y / 100 + y / 400 + T[(m - 1) as usize] + i64::from(day)).rem_euclid(7);
    w as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: u16, month: u8, day: u8) -> DateParts {
        DateParts {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
        }
    }

    fn shown(code: &str, d: DateParts) -> String {
        DateFmt::parse(code)
            .unwrap_or_else(|| panic!("{code} is a date format"))
            .render(d)
    }

    #[test]
    fn chinese_dates() {
        let d = day(2023, 12, 15);
        assert_eq!(shown("yyyy\"年\"m\"月\"", d), "2023年12月");
        assert_eq!(shown("yyyy\"年\"m\"月\"d\"日\"", d), "2023年12月15日");
        assert_eq!(shown("yyyy年m月d日", d), "2023年12月15日");
        assert_eq!(
            shown("[$-804]yyyy\"年\"m\"月\"d\"日\";@", d),
            "2023年12月15日"
        );
        assert_eq!(shown("[DBNum1][$-804]yyyy\"年\"m\"月\"", d), "2023年12月");
        assert_eq!(
            shown("yyyy\"年\"m\"月\"d\"日\" aaaa", d),
            "2023年12月15日 星期五"
        );
        assert_eq!(shown("m\"月\"d\"日\"", day(2023, 3, 5)), "3月5日");
    }

    #[test]
    fn numeric_dates_and_times() {
        let d = day(2023, 3, 5);
        assert_eq!(shown("yyyy-mm-dd", d), "2023-03-05");
        assert_eq!(shown("yyyy/m/d", d), "2023/3/5");
        assert_eq!(shown("yyyy.mm", d), "2023.03");
        assert_eq!(shown("m-d-yy", d), "3-5-23");
        assert_eq!(shown("d-mmm-yy", d), "5-Mar-23");
        assert_eq!(shown("dddd, mmmm d, yyyy", d), "Sunday, March 5, 2023");
        let t = DateParts {
            hour: 14,
            minute: 7,
            second: 9,
            ..d
        };
        assert_eq!(shown("yyyy/m/d h:mm", t), "2023/3/5 14:07");
        assert_eq!(shown("h:mm:ss AM/PM", t), "2:07:09 PM");
        assert_eq!(shown("上午/下午h\"时\"mm\"分\"", t), "下午2时07分");
        assert_eq!(shown("mm:ss.0", t), "07:09");
    }

    #[test]
    fn not_dates() {
        for code in [
            "General",
            "[Red]General",
            "0.00",
            "#,##0",
            "0%",
            "@",
            "[h]:mm:ss",
            "\"年\"",
            "",
        ] {
            assert_eq!(DateFmt::parse(code), None, "{code}");
        }
    }

    #[test]
    fn builtin_codes_are_dates() {
        for id in (14..=22).chain(27..=36).chain(50..=58).chain([45]) {
            let code = DateFmt::builtin_code(id).unwrap();
            assert!(DateFmt::parse(code).is_some(), "{id}: {code}");
        }
        assert_eq!(
            DateFmt::parse(DateFmt::builtin_code(31).unwrap())
                .unwrap()
                .render(day(2023, 12, 15)),
            "2023年12月15日"
        );
        assert_eq!(
            DateFmt::parse(DateFmt::builtin_code(57).unwrap())
                .unwrap()
                .render(day(2023, 12, 15)),
            "2023年12月"
        );
        assert_eq!(DateFmt::builtin_code(2), None);
    }
}
