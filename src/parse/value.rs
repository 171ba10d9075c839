//! Parses indicator value text ("≥6次", "=1.146万元", "2025年12月", "较高") into
//! op / number / unit / date.
//!
//! [`parse_value`] never fails and never panics: whatever it cannot read with confidence
//! stays text only. The rules, in the order they are tried:
//!
//! 1. **Widths fold.** Full-width digits, `％`, `＞`, `＝`, `．`, `，` … read like their
//!    ASCII forms; white space (also U+3000 and NBSP) may stand between the parts
//!    ("< 0.3%", "≥4 次", "100 %").
//! 2. **Op first.** A leading `≥ >= ＞= ≧ ⩾` (Ge), `≤ <= ≦ ⩽` (Le), `>` (Gt), `<` (Lt),
//!    `= ==` (Eq), or a Chinese comparison word: 大于等于/不小于/不低于/不少于/至少 (Ge),
//!    小于等于/不大于/不高于/不超过/不多于/最多 (Le), 大于/高于/超过/多于 (Gt),
//!    小于/低于/少于 (Lt), 等于 (Eq). An op that is not followed by a number or a date
//!    ("不低于上年") leaves the value as text only: an op is only kept with what it compares.
//! 3. **Dates.** A four-digit year 1900–2199 followed by 年 ("2025年", "2025年12月",
//!    "2025年12月15日"/"号"), or written "2025-12-15", "2025/12/31", "2025.12". Months and
//!    days are checked (no month 13, no 2月30日); an invalid date is text only. After a 年
//!    date a short remark may follow ("2025年12月底", "2025年度"); after a `-`/`/`/`.` date
//!    only 底/末/前/之前/以前. A date ending in 前/之前/以前 ("2025年12月15日前") gets op
//!    Le unless an op was written. A date never also sets number or unit. "2025.12万元" is
//!    not a date but the number 2025.12.
//! 4. **Number and unit.** A number starting the text (after the op) is always kept; its
//!    unit is the rest of the text, trimmed, when that is short (at most
//!    [`MAX_UNIT_CHARS`] characters), has no digit, no line break and no sentence
//!    punctuation. Otherwise the unit is left out ("≥210 平方米（等候区除外）" keeps its
//!    number; a trailing parenthetical remark is dropped from the unit first, so the unit
//!    there is "平方米"). A range or list ("1-3个", "2023-2025", "1/3", "1.2.3") is text
//!    only: no single number describes it. Month-only values are numbers: "=6月" is
//!    Eq 6 月, "12月底" is 12 月底.
//! 5. **Qualifiers after the unit.** A trailing 以上/及以上 means Ge, 以下/及以下/以内/之内
//!    means Le: the qualifier is taken out of the unit and sets the op when none was
//!    written ("90%以上" → Ge 90 %, "≥85%以上" → Ge 85 %).
//! 6. **A number inside short prose** ("全年不少于12次", "员工满意度98%以上", "验收合格率100%")
//!    is read only when it is the one number in the text, the words before it are short
//!    (at most [`MAX_PREFIX_CHARS`] characters, no punctuation, not ending in a letter or
//!    第) and what follows qualifies as a unit; the op is the comparison written directly
//!    before the number (symbol or word), else a qualifier after it.
//! 7. **Exact numbers only.** `number` is a decimal string with the published scale
//!    ("1.50" stays "1.50"), thousands separators dropped ("12,000" → "12000"), leading
//!    zeros dropped ("007" → "7"). A number `rust_decimal` cannot hold exactly (more than
//!    28 digits) leaves the value text only, so every `number` parses as a `Decimal`.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::model::{DateParts, Op, Value};
use crate::text::fold_width;

/// The longest text, in characters, that is still read as a unit ("元/人*天", "万元/管理部").
pub const MAX_UNIT_CHARS: usize = 8;

/// The longest text, in characters, before a number embedded in prose ("员工满意度").
pub const MAX_PREFIX_CHARS: usize = 12;

/// Comparison words and symbols, longest first so that "不超过" wins over "超过" and
/// ">=" over ">". Matched against width-folded text.
const OPS: &[(&str, Op)] = &[
    ("大于或等于", Op::Ge),
    ("小于或等于", Op::Le),
    ("大于等于", Op::Ge),
    ("小于等于", Op::Le),
    ("不小于", Op::Ge),
    ("不低于", Op::Ge),
    ("不少于", Op::Ge),
    ("不大于", Op::Le),
    ("不高于", Op::Le),
    ("不超过", Op::Le),
    ("不多于", Op::Le),
    (">=", Op::Ge),
    ("=>", Op::Ge),
    ("<=", Op::Le),
    ("=<", Op::Le),
    ("==", Op::Eq),
    ("至少", Op::Ge),
    ("最少", Op::Ge),
    ("最多", Op::Le),
    ("至多", Op::Le),
    ("大于", Op::Gt),
    ("高于", Op::Gt),
    ("超过", Op::Gt),
    ("多于", Op::Gt),
    ("小于", Op::Lt),
    ("低于", Op::Lt),
    ("少于", Op::Lt),
    ("等于", Op::Eq),
    ("≥", Op::Ge),
    ("≧", Op::Ge),
    ("⩾", Op::Ge),
    ("≤", Op::Le),
    ("≦", Op::Le),
    ("⩽", Op::Le),
    (">", Op::Gt),
    ("<", Op::Lt),
    ("=", Op::Eq),
];

/// Words after a unit that state the comparison ("90%以上").
const QUALIFIERS: &[(&str, Op)] = &[
    ("及以上", Op::Ge),
    ("以上", Op::Ge),
    ("及以下", Op::Le),
    ("以下", Op::Le),
    ("以内", Op::Le),
    ("之内", Op::Le),
];

/// Characters that, directly after a number and before another digit, make a range, a
/// fraction or a list rather than a number with a unit.
const CONNECTORS: &[char] = &[
    '-', '~', '〜', '—', '–', '至', '到', '/', ':', '.', ',', '、', '×', '*', '+',
];

/// Sentence punctuation (width-folded): text containing it is prose, not a unit.
const PROSE_PUNCTUATION: &[char] = &[
    ',', ';', ':', '!', '?', '。', '、', '《', '》', '“', '”', '"', '…', '\t', '\n', '\r',
];

// Defined here, with the parser, so that the model does not depend on it.
impl Value {
    /// Parses a published value (see [`parse_value`]). The text is kept exactly as given.
    pub fn parse(text: &str) -> Value {
        parse_value(text)
    }
}

/// Parses a published value. `Value.text` is always exactly `text`; op, number, unit and
/// date are set only where they can be read with confidence (see the module docs).
///
/// # Examples
///
/// ```
/// use jixiao::model::{Op, Value};
/// use jixiao::parse::value::parse_value;
///
/// let v = parse_value("≥6次");
/// assert_eq!(v.op, Some(Op::Ge));
/// assert_eq!(v.number.as_deref(), Some("6"));
/// assert_eq!(v.unit.as_deref(), Some("次"));
///
/// let d = parse_value("2025年12月");
/// assert_eq!(d.date.map(|d| (d.year, d.month)), Some((2025, Some(12))));
///
/// assert_eq!(parse_value("较高"), Value { text: "较高".into(), ..Value::default() });
/// ```
pub fn parse_value(text: &str) -> Value {
    let meaning = Scanner::new(text).meaning().unwrap_or_default();
    Value {
        text: text.to_string(),
        op: meaning.op,
        number: meaning.number,
        unit: meaning.unit,
        date: meaning.date,
    }
}

/// Reads a percentage written with or without its sign: "50%", "50 ％" and "50" all give
/// "50"; "0.5" gives "0.5" (no scaling). Anything else — words, ranges, an empty cell —
/// gives `None`.
///
/// # Examples
///
/// ```
/// use jixiao::parse::value::parse_percent;
///
/// assert_eq!(parse_percent("50%").as_deref(), Some("50"));
/// assert_eq!(parse_percent(" 12.5 ％").as_deref(), Some("12.5"));
/// assert_eq!(parse_percent("五成"), None);
/// ```
pub fn parse_percent(text: &str) -> Option<String> {
    let scanner = Scanner::new(text);
    let (start, mut end) = scanner.trimmed(0, scanner.len());
    if end > start && scanner.folded[end - 1] == '%' {
        end = scanner.trim_end(start, end - 1);
    }
    let (number, number_end) = scanner.number_at(start, end)?;
    if number_end != end {
        return None;
    }
    number
}

/// Formats a fraction stored by a spreadsheet (0.5 for a cell showing "50%") as the
/// percentage it displays, without the sign: 0.5 → "50", 0.755 with `Some(1)` → "75.5".
///
/// The float is read through its shortest decimal form, so no binary noise appears
/// (0.07 → "7", not "7.000000000000001"). `decimals` is the number of decimals the cell
/// format shows ("0%" → `Some(0)`, "0.0%" → `Some(1)`): the result is rounded half away
/// from zero, as Excel displays it, and padded to exactly that many decimals. `None`
/// gives the shortest exact form. A value too large for an exact decimal falls back to
/// float formatting; NaN and infinities print as Rust prints them ("NaN", "inf").
pub(crate) fn format_percent_from_fraction(value: f64, decimals: Option<u32>) -> String {
    let decimals = decimals.map(|d| d.min(Decimal::MAX_SCALE));
    let exact = if value.is_finite() {
        Decimal::from_str(&value.to_string())
            .ok()
            .and_then(|fraction| fraction.checked_mul(Decimal::ONE_HUNDRED))
    } else {
        None
    };
    match exact {
        Some(percent) => {
            let mut percent = match decimals {
                Some(dp) => {
                    let mut rounded =
                        percent.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
                    rounded.rescale(dp);
                    rounded
                }
                None => percent.normalize(),
            };
            if percent.is_zero() {
                percent.set_sign_positive(true);
            }
            percent.to_string()
        }
        None => {
            let percent = value * 100.0;
            match decimals {
                Some(dp) => format!("{:.*}", dp as usize, percent),
                None => percent.to_string(),
            }
        }
    }
}

/// What was read from a value's text.
#[derive(Debug, Default)]
struct Meaning {
    op: Option<Op>,
    number: Option<String>,
    unit: Option<String>,
    date: Option<DateParts>,
}

/// What follows a number.
enum Suffix {
    /// Nothing, a unit, a qualifier, or both.
    Unit {
        unit: Option<String>,
        qualifier: Option<Op>,
    },
    /// Text too long or too wordy to be a unit.
    Prose,
    /// A range, fraction or list: "-3", "/4", ".3".
    Connector,
}

/// The outcome of looking for a date at a position.
enum DateScan {
    /// A valid date, with the op implied by a trailing 前.
    Date(DateParts, Option<Op>),
    /// Written as a date but not a valid one ("2025年13月", "2023-2025"): text only.
    Invalid,
    /// Not a date; try a number.
    NotDate,
}

/// The characters of a value, as published and width-folded, index for index.
struct Scanner {
    original: Vec<char>,
    folded: Vec<char>,
}

impl Scanner {
    fn new(text: &str) -> Scanner {
        let original: Vec<char> = text.chars().collect();
        let folded = original.iter().map(|&c| fold(c)).collect();
        Scanner { original, folded }
    }

    fn len(&self) -> usize {
        self.folded.len()
    }

    /// The character at `i` if it lies before `end`.
    fn at(&self, i: usize, end: usize) -> Option<char> {
        if i < end {
            self.folded.get(i).copied()
        } else {
            None
        }
    }

    fn is_digit_at(&self, i: usize, end: usize) -> bool {
        self.at(i, end).is_some_and(|c| c.is_ascii_digit())
    }

    fn skip_space(&self, mut i: usize, end: usize) -> usize {
        while self.at(i, end).is_some_and(char::is_whitespace) {
            i += 1;
        }
        i
    }

    fn trim_end(&self, start: usize, mut end: usize) -> usize {
        while end > start && self.folded[end - 1].is_whitespace() {
            end -= 1;
        }
        end
    }

    fn trimmed(&self, start: usize, end: usize) -> (usize, usize) {
        let start = self.skip_space(start, end);
        (start, self.trim_end(start, end))
    }

    fn folded_string(&self, start: usize, end: usize) -> String {
        self.folded[start..end].iter().collect()
    }

    fn meaning(&self) -> Option<Meaning> {
        let (start, end) = self.trimmed(0, self.len());
        if start == end {
            return None;
        }
        let (op, after_op) = match self.op_at(start, end) {
            Some((op, len)) => (Some(op), start + len),
            None => (None, start),
        };
        let pos = self.skip_space(after_op, end);
        if let Some(dated) = self.dated(op, pos, end) {
            return dated;
        }
        if let Some((number, number_end)) = self.number_at(pos, end) {
            return self.counted(op, number?, number_end, end, false);
        }
        if op.is_some() {
            return None;
        }
        self.embedded(start, end)
    }

    /// The meaning of a date written at `pos`: `Some(None)` for an invalid date (text
    /// only), `None` when no date is written there.
    fn dated(&self, op: Option<Op>, pos: usize, end: usize) -> Option<Option<Meaning>> {
        match self.date_at(pos, end) {
            DateScan::Date(date, implied) => Some(Some(Meaning {
                op: op.or(implied),
                date: Some(date),
                ..Meaning::default()
            })),
            DateScan::Invalid => Some(None),
            DateScan::NotDate => None,
        }
    }

    /// A number inside short prose: "全年不少于12次", "验收合格率100%".
    fn embedded(&self, start: usize, end: usize) -> Option<Meaning> {
        let first = (start..end).find(|&i| self.folded[i].is_ascii_digit())?;
        let prefix_end = self.trim_end(start, first);
        let prefix = &self.folded[start..prefix_end];
        if prefix.len() > MAX_PREFIX_CHARS || prefix.iter().any(|c| PROSE_PUNCTUATION.contains(c)) {
            return None;
        }
        if let Some(&last) = prefix.last()
            && (last.is_ascii_alphanumeric() || matches!(last, '第' | '.' | '-' | '≠' | '±' | '#'))
        {
            return None;
        }
        let op = op_ending(prefix);
        if let Some(dated) = self.dated(op, first, end) {
            return dated;
        }
        let (number, number_end) = self.number_at(first, end)?;
        self.counted(op, number?, number_end, end, true)
    }

    /// A number with whatever follows it.
    fn counted(
        &self,
        op: Option<Op>,
        number: String,
        number_end: usize,
        end: usize,
        embedded: bool,
    ) -> Option<Meaning> {
        match self.suffix(number_end, end) {
            Suffix::Unit { unit, qualifier } => Some(Meaning {
                op: op.or(qualifier),
                number: Some(number),
                unit,
                date: None,
            }),
            Suffix::Prose if !embedded => Some(Meaning {
                op,
                number: Some(number),
                ..Meaning::default()
            }),
            Suffix::Prose | Suffix::Connector => None,
        }
    }

    /// A comparison written at `pos`: the op and its length in characters.
    fn op_at(&self, pos: usize, end: usize) -> Option<(Op, usize)> {
        let rest = &self.folded[pos..end];
        OPS.iter()
            .find_map(|&(word, op)| starts_with_word(rest, word).map(|n| (op, n)))
    }

    /// Reads a decimal number at `pos`: the normalized decimal string (`None` when it does
    /// not fit a `Decimal` exactly) and the position after it. `None` when no digit starts
    /// there.
    fn number_at(&self, pos: usize, end: usize) -> Option<(Option<String>, usize)> {
        let mut i = pos;
        let mut negative = false;
        if matches!(self.at(i, end), Some('-' | '+')) && self.is_digit_at(i + 1, end) {
            negative = self.folded[i] == '-';
            i += 1;
        }
        if !self.is_digit_at(i, end) {
            return None;
        }
        let mut integer = String::new();
        while let Some(c) = self.at(i, end).filter(char::is_ascii_digit) {
            integer.push(c);
            i += 1;
        }
        if integer.len() <= 3 {
            // Thousands separators: "12,000", "1,234,567.5".
            while self.at(i, end) == Some(',')
                && (1..=3).all(|k| self.is_digit_at(i + k, end))
                && !self.is_digit_at(i + 4, end)
            {
                integer.extend(&self.folded[i + 1..i + 4]);
                i += 4;
            }
        }
        let mut fraction = String::new();
        if self.at(i, end) == Some('.') && self.is_digit_at(i + 1, end) {
            i += 1;
            while let Some(c) = self.at(i, end).filter(char::is_ascii_digit) {
                fraction.push(c);
                i += 1;
            }
        }
        let integer = match integer.trim_start_matches('0') {
            "" => "0",
            digits => digits,
        };
        let is_zero = integer == "0" && fraction.bytes().all(|b| b == b'0');
        let mut number = String::new();
        if negative && !is_zero {
            number.push('-');
        }
        number.push_str(integer);
        if !fraction.is_empty() {
            number.push('.');
            number.push_str(&fraction);
        }
        let exact = Decimal::from_str_exact(&number).is_ok();
        Some((exact.then_some(number), i))
    }

    /// Classifies the text after a number.
    fn suffix(&self, from: usize, end: usize) -> Suffix {
        let (start, end) = self.trimmed(from, end);
        if start == end {
            return Suffix::Unit {
                unit: None,
                qualifier: None,
            };
        }
        if CONNECTORS.contains(&self.folded[start]) {
            let next = self.skip_space(start + 1, end);
            if self.is_digit_at(next, end) {
                return Suffix::Connector;
            }
        }
        let mut unit_end = end;
        // A sentence end is not part of the unit: "5次。".
        while unit_end > start && matches!(self.folded[unit_end - 1], '。' | '.' | ';') {
            unit_end = self.trim_end(start, unit_end - 1);
        }
        let mut qualifier = None;
        for &(word, op) in QUALIFIERS {
            if let Some(n) = ends_with_word(&self.folded[start..unit_end], word) {
                unit_end -= n;
                qualifier = Some(op);
                break;
            }
        }
        unit_end = self.trim_end(start, unit_end);
        // A trailing parenthetical remark is not part of the unit: "平方米（等候区除外）".
        if unit_end > start
            && self.folded[unit_end - 1] == ')'
            && let Some(open) = (start..unit_end - 1).rev().find(|&k| self.folded[k] == '(')
        {
            unit_end = self.trim_end(start, open);
        }
        if unit_end == start {
            return Suffix::Unit {
                unit: None,
                qualifier,
            };
        }
        let unit = &self.folded[start..unit_end];
        if unit.len() > MAX_UNIT_CHARS
            || unit
                .iter()
                .any(|c| c.is_ascii_digit() || PROSE_PUNCTUATION.contains(c))
        {
            return Suffix::Prose;
        }
        let unit = self.original[start..unit_end]
            .iter()
            .map(|&c| match c {
                '（' | '）' => c,
                other => fold(other),
            })
            .collect();
        Suffix::Unit {
            unit: Some(unit),
            qualifier,
        }
    }

    /// Looks for a date starting at `pos` and reaching, with an allowed remark, to `end`.
    fn date_at(&self, pos: usize, end: usize) -> DateScan {
        let Some((year, after_year)) = self.digits_at(pos, end, 4, 4) else {
            return DateScan::NotDate;
        };
        if !(1900..=2199).contains(&year) {
            return DateScan::NotDate;
        }
        let Ok(year) = i32::try_from(year) else {
            return DateScan::NotDate;
        };
        let next = self.skip_space(after_year, end);
        match self.at(next, end) {
            Some('年') => self.chinese_date(year, next + 1, end),
            Some(separator @ ('-' | '/' | '.')) if next == after_year => {
                match self.separated_date(year, separator, next, end) {
                    DateScan::Invalid if separator == '.' => DateScan::NotDate,
                    scan => scan,
                }
            }
            _ => DateScan::NotDate,
        }
    }

    /// "2025年", "2025年12月", "2025年12月15日" with `pos` just after 年.
    fn chinese_date(&self, year: i32, pos: usize, end: usize) -> DateScan {
        let mut date = DateParts {
            year,
            month: None,
            day: None,
        };
        let mut i = pos;
        let j = self.skip_space(i, end);
        if let Some((month, after)) = self.digits_at(j, end, 1, 2) {
            let k = self.skip_space(after, end);
            if self.at(k, end) != Some('月') || !(1..=12).contains(&month) {
                return DateScan::Invalid;
            }
            date.month = Some(month);
            i = k + 1;
            let j = self.skip_space(i, end);
            if let Some((day, after)) = self.digits_at(j, end, 1, 2) {
                let k = self.skip_space(after, end);
                if !matches!(self.at(k, end), Some('日' | '号'))
                    || day == 0
                    || day > days_in_month(year, month)
                {
                    return DateScan::Invalid;
                }
                date.day = Some(day);
                i = k + 1;
            }
        }
        self.finish_date(date, i, end, false)
    }

    /// "2025-12-15", "2025/12", "2025.12" with `pos` at the first separator.
    fn separated_date(&self, year: i32, separator: char, pos: usize, end: usize) -> DateScan {
        let Some((month, mut i)) = self.digits_at(pos + 1, end, 1, 2) else {
            return DateScan::Invalid;
        };
        if !(1..=12).contains(&month) {
            return DateScan::Invalid;
        }
        let mut date = DateParts {
            year,
            month: Some(month),
            day: None,
        };
        if self.at(i, end) == Some(separator) {
            let Some((day, after)) = self.digits_at(i + 1, end, 1, 2) else {
                return DateScan::Invalid;
            };
            if day == 0 || day > days_in_month(year, month) {
                return DateScan::Invalid;
            }
            date.day = Some(day);
            i = after;
        }
        self.finish_date(date, i, end, true)
    }

    /// Accepts a date if what follows it is a remark it may carry.
    fn finish_date(&self, date: DateParts, pos: usize, end: usize, strict: bool) -> DateScan {
        let (start, end) = self.trimmed(pos, end);
        let remark = self.folded_string(start, end);
        let before = remark.trim_start_matches(['底', '末']);
        let is_before =
            before.starts_with('前') || before.starts_with("之前") || before.starts_with("以前");
        let acceptable = if strict {
            before.is_empty() || ["前", "之前", "以前"].contains(&before)
        } else {
            remark.chars().count() <= MAX_UNIT_CHARS
                && !remark
                    .chars()
                    .any(|c| c.is_ascii_digit() || PROSE_PUNCTUATION.contains(&c))
        };
        if !acceptable {
            return DateScan::Invalid;
        }
        DateScan::Date(date, is_before.then_some(Op::Le))
    }

    /// A run of `min..=max` ASCII digits at `pos` (not followed by a further digit): its
    /// value and the position after it.
    fn digits_at(&self, pos: usize, end: usize, min: usize, max: usize) -> Option<(u32, usize)> {
        let mut i = pos;
        while self.is_digit_at(i, end) {
            i += 1;
        }
        let len = i - pos;
        if len < min || len > max {
            return None;
        }
        let value = self.folded_string(pos, i).parse().ok()?;
        Some((value, i))
    }
}

/// The comparison written at the very end of `prefix` (trailing white space ignored).
fn op_ending(prefix: &[char]) -> Option<Op> {
    OPS.iter()
        .find_map(|&(word, op)| ends_with_word(prefix, word).map(|_| op))
}

/// The length in chars of `word` when `chars` starts with it (no allocation: this runs
/// for every op word at every value).
fn starts_with_word(chars: &[char], word: &str) -> Option<usize> {
    let mut n = 0;
    for w in word.chars() {
        if chars.get(n) != Some(&w) {
            return None;
        }
        n += 1;
    }
    Some(n)
}

/// The length in chars of `word` when `chars` ends with it.
fn ends_with_word(chars: &[char], word: &str) -> Option<usize> {
    let mut n = 0;
    for w in word.chars().rev() {
        if n >= chars.len() || chars[chars.len() - 1 - n] != w {
            return None;
        }
        n += 1;
    }
    Some(n)
}

/// Width folding plus the few look-alikes that OCR and word processors produce.
fn fold(c: char) -> char {
    match c {
        '\u{2212}' => '-', // minus sign
        '\u{FE6A}' => '%', // small percent sign
        '\u{00A0}' => ' ', // no-break space
        other => fold_width(other),
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (op, number, unit) of a parsed value, for compact assertions.
    fn parts(text: &str) -> (Option<&'static str>, Option<String>, Option<String>) {
        let v = parse_value(text);
        assert_eq!(v.text, text);
        assert_eq!(v.date, None, "{text} should not be a date");
        (v.op.map(Op::as_str), v.number, v.unit)
    }

    fn check(text: &str, op: Option<&'static str>, number: &str, unit: Option<&str>) {
        assert_eq!(
            parts(text),
            (op, Some(number.to_string()), unit.map(str::to_string)),
            "parsing {text:?}"
        );
    }

    fn text_only(text: &str) {
        assert_eq!(
            parse_value(text),
            Value {
                text: text.to_string(),
                ..Value::default()
            },
            "{text:?} should be text only"
        );
    }

    fn date(text: &str) -> Option<(i32, Option<u32>, Option<u32>)> {
        let v = parse_value(text);
        assert_eq!(v.text, text);
        if v.date.is_some() {
            assert_eq!(v.number, None, "a date never sets number: {text}");
            assert_eq!(v.unit, None, "a date never sets unit: {text}");
        }
        v.date.map(|d| (d.year, d.month, d.day))
    }

    #[test]
    fn ops_half_and_full_width() {
        check("≥6次", Some(">="), "6", Some("次"));
        check(">=6次", Some(">="), "6", Some("次"));
        check("＞=6次", Some(">="), "6", Some("次"));
        check("≧6次", Some(">="), "6", Some("次"));
        check("≤6次", Some("<="), "6", Some("次"));
        check("<=6次", Some("<="), "6", Some("次"));
        check("≦6次", Some("<="), "6", Some("次"));
        check(">6次", Some(">"), "6", Some("次"));
        check("＞6次", Some(">"), "6", Some("次"));
        check("<6次", Some("<"), "6", Some("次"));
        check("＜6次", Some("<"), "6", Some("次"));
        check("=6次", Some("="), "6", Some("次"));
        check("＝6次", Some("="), "6", Some("次"));
        check("＝６次", Some("="), "6", Some("次"));
    }

    #[test]
    fn brief_examples() {
        check("=1.146万元", Some("="), "1.146", Some("万元"));
        check("=100%", Some("="), "100", Some("%"));
        check("≥0万元", Some(">="), "0", Some("万元"));
        check("<24 小时", Some("<"), "24", Some("小时"));
        check("≤350 元/天", Some("<="), "350", Some("元/天"));
        check("3 个/单位", None, "3", Some("个/单位"));
        check("2500 元", None, "2500", Some("元"));
        check("100 %", None, "100", Some("%"));
        check("100 ％", None, "100", Some("%"));
        check("4秒", None, "4", Some("秒"));
        check("≥6000户", Some(">="), "6000", Some("户"));
        check("≥9万次", Some(">="), "9", Some("万次"));
        check("< 0.3%", Some("<"), "0.3", Some("%"));
        check("≥4 次", Some(">="), "4", Some("次"));
        check("≥95%", Some(">="), "95", Some("%"));
        check("6", None, "6", None);
        check("6000", None, "6000", None);
        check("≤300元/人*天", Some("<="), "300", Some("元/人*天"));
        check("≥18万笔", Some(">="), "18", Some("万笔"));
        check("=6.03万元/年", Some("="), "6.03", Some("万元/年"));
        check("≥2", Some(">="), "2", None);
    }

    #[test]
    fn numbers_keep_scale_and_drop_separators() {
        check("1.50", None, "1.50", None);
        check("12,000", None, "12000", None);
        check("1,234,567.80元", None, "1234567.80", Some("元"));
        check("１２，０００元", None, "12000", Some("元"));
        check("０００", None, "0", None);
        check("007", None, "7", None);
        check("-5%", None, "-5", Some("%"));
        check("≥-0.5", Some(">="), "-0.5", None);
        check("-0", None, "0", None);
    }

    #[test]
    fn dates() {
        assert_eq!(date("2025年12月15日"), Some((2025, Some(12), Some(15))));
        assert_eq!(date("2025年12月"), Some((2025, Some(12), None)));
        assert_eq!(date("2025年"), Some((2025, None, None)));
        assert_eq!(date("2025-12-15"), Some((2025, Some(12), Some(15))));
        assert_eq!(date("2025.12"), Some((2025, Some(12), None)));
        assert_eq!(date("2025/12/31"), Some((2025, Some(12), Some(31))));
        assert_eq!(date("２０２５年１２月"), Some((2025, Some(12), None)));
        assert_eq!(date("2025 年 6 月"), Some((2025, Some(6), None)));
        assert_eq!(date("2024年10月22日"), Some((2024, Some(10), Some(22))));
        assert_eq!(date("2025年12月31号"), Some((2025, Some(12), Some(31))));
        assert_eq!(date("2025年12月底"), Some((2025, Some(12), None)));
        assert_eq!(date("2025年度"), Some((2025, None, None)));
        assert_eq!(date("2024年2月29日"), Some((2024, Some(2), Some(29))));
        assert_eq!(date("截至2025年12月31日"), Some((2025, Some(12), Some(31))));
        // a date never sets number or unit, and the op comes with it
        let v = parse_value("2025年12月15日前");
        assert_eq!(v.date.map(|d| d.day), Some(Some(15)));
        assert_eq!(v.op, Some(Op::Le));
        let v = parse_value("≤2025年12月");
        assert_eq!(v.op, Some(Op::Le));
        assert_eq!(v.date.map(|d| d.month), Some(Some(12)));
        assert_eq!(parse_value("2025年12月").op, None);
    }

    #[test]
    fn invalid_dates_are_text_only() {
        text_only("2025年13月");
        text_only("2025-13-01");
        text_only("2025年2月30日");
        text_only("2023年2月29日");
        text_only("2025/0/1");
        text_only("2023-2025");
        text_only("2023年—2025年");
        text_only("2025年，中心将以党的二十届三中全会精神为统领，力争实现归集115亿元");
    }

    #[test]
    fn not_dates() {
        // a month alone is a number with a unit
        check("=6月", Some("="), "6", Some("月"));
        check("=12月", Some("="), "12", Some("月"));
        check("12月底", None, "12", Some("月底"));
        check("6月", None, "6", Some("月"));
        // a period of years, and a decimal that is no month
        check("3年", None, "3", Some("年"));
        check("2025.13", None, "2025.13", None);
        check("2025.12万元", None, "2025.12", Some("万元"));
        check("3000年", None, "3000", Some("年"));
    }

    #[test]
    fn qualitative_text() {
        for text in [
            "较高",
            "充分",
            "尽量降低成本",
            "年度计划数",
            "序时进度",
            "提高",
            "/",
            "不低于市最低工资标准",
            "传递效率不低于上年",
            "误差不超过二天",
            "大专学历及以上",
            "《财政部关于住房公积金财务管理补充规定的通知》（财综字〔1999〕149号）",
            "临沂市人民政府督查室关于全市12345政务服务热线诉求办理情况的通报",
            "每月完成一次电子稽核，在规定时间内完成风险防控疑点问题排查整改",
            "≥上年水平",
        ] {
            text_only(text);
        }
    }

    #[test]
    fn qualifiers_and_prose() {
        check("≥85%以上", Some(">="), "85", Some("%"));
        check("90%以上", Some(">="), "90", Some("%"));
        check("1000份以上", Some(">="), "1000", Some("份"));
        check("518万人以上", Some(">="), "518", Some("万人"));
        check("24小时以内", Some("<="), "24", Some("小时"));
        check("1%以下", Some("<="), "1", Some("%"));
        check("全年不少于12次", Some(">="), "12", Some("次"));
        check("全年不超过12次", Some("<="), "12", Some("次"));
        check("员工满意度98%以上", Some(">="), "98", Some("%"));
        check("验收合格率100%", None, "100", Some("%"));
        check("大于45个", Some(">"), "45", Some("个"));
        check("大于等于90%", Some(">="), "90", Some("%"));
        check("至少3次", Some(">="), "3", Some("次"));
        check("满意度≥90%", Some(">="), "90", Some("%"));
        check("0起", None, "0", Some("起"));
        check("每月10日前", None, "10", Some("日前"));
        // a long or wordy tail keeps the number but not the unit
        check(
            "≥210 平方米（等候区除外）",
            Some(">="),
            "210",
            Some("平方米"),
        );
        check("≥210 平方米，等候区除外的部分", Some(">="), "210", None);
        check("12345热线诉求办理情况通报", None, "12345", None);
        check("≥5次。", Some(">="), "5", Some("次"));
        check("90%以上。", Some(">="), "90", Some("%"));
        check("2025.", None, "2025", None);
    }

    #[test]
    fn ranges_and_lists_are_text_only() {
        text_only("1-3个");
        text_only("1~3天");
        text_only("1/3");
        text_only("1.2.3");
        text_only("3至5人");
        text_only("第3名");
        text_only("ISO9001认证");
        text_only("全年12次，每次2天");
    }

    #[test]
    fn every_fixture_value() {
        // (text, op, number, unit) for a sample of the published values in the fixtures.
        let cases: &[(&str, Option<&str>, &str, Option<&str>)] = &[
            ("=0万元", Some("="), "0", Some("万元")),
            ("=28人", Some("="), "28", Some("人")),
            ("=80元/笔", Some("="), "80", Some("元/笔")),
            (">13万", Some(">"), "13", Some("万")),
            (">6000GB", Some(">"), "6000", Some("GB")),
            ("≤0.06元/条", Some("<="), "0.06", Some("元/条")),
            ("≤5万元/管理部", Some("<="), "5", Some("万元/管理部")),
            ("≤2工作日", Some("<="), "2", Some("工作日")),
            ("≤3 %", Some("<="), "3", Some("%")),
            ("≥3 方面", Some(">="), "3", Some("方面")),
            ("45 元/次", None, "45", Some("元/次")),
            ("3.61亿元", None, "3.61", Some("亿元")),
            ("1831.3平方米", None, "1831.3", Some("平方米")),
            ("700平方米以上", Some(">="), "700", Some("平方米")),
            ("4.2万人", None, "4.2", Some("万人")),
            ("5 种", None, "5", Some("种")),
        ];
        for &(text, op, number, unit) in cases {
            check(text, op, number, unit);
        }
    }

    #[test]
    fn odd_inputs_never_panic() {
        let weird = [
            "",
            " ",
            "≥",
            "％",
            "%",
            "$",
            "$\\geq",
            "<p",
            "9999999999999999999999999999999999",
            "≥9999999999999999999999999999999999万元",
            "0.00000000000000000000000000000001",
            "年",
            "2025年13月",
            "０００",
            "-",
            "+",
            ".",
            ",",
            "1,",
            "1.",
            "1,00",
            "2025",
            "2025-",
            "2025.",
            "2025年0月",
            "2025年12月0日",
            "2025年12月32日",
            "9999年",
            "≥≥5",
            "大于",
            "\u{3000}",
            "\n≥5\n",
            "第",
            "（）",
            "5（",
            "5）",
            "5()",
            "𝟘𝟙",
            "٣",
        ];
        for text in weird {
            let v = parse_value(text);
            assert_eq!(v.text, text);
            if let Some(number) = &v.number {
                assert!(
                    Decimal::from_str_exact(number).is_ok(),
                    "{text:?} → {number}"
                );
            }
            if v.op.is_some() {
                assert!(v.number.is_some() || v.date.is_some(), "{text:?}");
            }
            let _ = parse_percent(text);
        }
        text_only("9999999999999999999999999999999999");
        text_only("≥");
        text_only("％");
        text_only("");
        check("5()", None, "5", None);
    }

    #[test]
    fn percents() {
        assert_eq!(parse_percent("50%").as_deref(), Some("50"));
        assert_eq!(parse_percent("50 ％").as_deref(), Some("50"));
        assert_eq!(parse_percent("50").as_deref(), Some("50"));
        assert_eq!(parse_percent("0.5").as_deref(), Some("0.5"));
        assert_eq!(parse_percent(" 12.50% ").as_deref(), Some("12.50"));
        assert_eq!(parse_percent(""), None);
        assert_eq!(parse_percent("%"), None);
        assert_eq!(parse_percent("较高"), None);
        assert_eq!(parse_percent("50%以上"), None);
        assert_eq!(parse_percent("1-3%"), None);
        assert_eq!(parse_percent("99999999999999999999999999999999%"), None);
    }

    #[test]
    fn percent_from_fraction() {
        assert_eq!(format_percent_from_fraction(0.5, None), "50");
        assert_eq!(format_percent_from_fraction(0.5, Some(0)), "50");
        assert_eq!(format_percent_from_fraction(0.755, Some(1)), "75.5");
        assert_eq!(format_percent_from_fraction(0.755, Some(0)), "76");
        assert_eq!(format_percent_from_fraction(0.755, Some(2)), "75.50");
        assert_eq!(format_percent_from_fraction(0.755, None), "75.5");
        assert_eq!(format_percent_from_fraction(0.07, None), "7");
        assert_eq!(format_percent_from_fraction(0.1 + 0.2, Some(0)), "30");
        assert_eq!(format_percent_from_fraction(1.0, None), "100");
        assert_eq!(format_percent_from_fraction(0.0, Some(0)), "0");
        assert_eq!(format_percent_from_fraction(-0.0, None), "0");
        assert_eq!(format_percent_from_fraction(-0.125, Some(1)), "-12.5");
        // no panic at the edges
        let _ = format_percent_from_fraction(f64::NAN, None);
        let _ = format_percent_from_fraction(f64::INFINITY, Some(2));
        let _ = format_percent_from_fraction(1e300, None);
        let _ = format_percent_from_fraction(1e-300, Some(1000));
        let _ = format_percent_from_fraction(f64::MAX, Some(u32::MAX));
    }
}
