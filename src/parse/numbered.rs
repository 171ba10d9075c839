//! The 广州 绩效指标 cell: all of a project's indicators as one numbered text,
//! `1、产出指标：物业管理覆盖面积，年度指标值：年度计划数。2、效益指标：…。`.
//!
//! [`parse_numbered`] never fails and never panics; what it cannot read is kept verbatim in
//! [`NumberedText::unparsed`], and everything it had to assume or normalise is described in
//! [`NumberedText::notes`]. [`format_numbered`] writes items the way the published cells
//! are written. For every cell of the published table
//! `format_numbered(&parse_numbered(cell).items) == cell`.
//!
//! The rules of [`parse_numbered`]:
//!
//! 1. **Item numbers in sequence.** Items are numbered `1、 2、 … 10、 …`; only the next
//!    expected number starts a new item, so a "2、" inside item 3 is text. A number is never
//!    read out of a longer one ("12、" is not "2、"). `N．`, `N.` (not followed by a digit, so
//!    "1.5" is a number) and `（N）` / `(N)` are read too when item 1 is written that way;
//!    the whole cell then has to keep that style.
//! 2. **Where an item ends.** An item runs up to the next item number. When that number
//!    occurs more than once, the one right after a "。" wins (then one after "；" or white
//!    space, then any), so a value runs to the "。" that is followed by the next item number
//!    or by the end of the cell and may itself contain "。". A number not after a "。" only
//!    starts an item when a colon follows it before the next "。" and, unless it follows
//!    "；" or white space, the item before it is empty or already has its value: "第3、4项"
//!    inside a name does not split, "…年度指标值：95%2、效益指标：…" does (with a note).
//!
//! Whatever [`format_numbered`] would not write back character for character (half-width
//! punctuation, white space, another numbering style, a missing "。" or "，", a missing
//! class colon, …) is noted; so is an empty class, which is written back as published.
//! 3. **The item's own "。".** One "。" closing the item is the separator, not part of the
//!    value. A value that ends in "。" is published followed by the separator ("。。"), so it
//!    keeps one "。". An item closed by "；"/";" or not closed at all is read with a note.
//! 4. **Inside an item**: `<一级指标>：<指标名称>，年度指标值：<指标值>`, with full- or
//!    half-width `：:` and `，,` (half width is noted). An empty class ("1、：缴存单位及职工
//!    满意度…", as published) gives `level1` `None` and a note; so does a name with no
//!    class colon at all. An item without "年度指标值：" (or plain "指标值：") has no value
//!    and its name is the rest of the item. White space around the parts is trimmed (noted).
//! 5. **Nothing is dropped.** Text before item 1, a cell without an item 1, and empty items
//!    are kept verbatim in `unparsed`.

use std::fmt::Write as _;

/// One numbered item.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumberedIndicator {
    /// 一级指标 ("产出指标"); `None` when the published class is empty ("1、：…").
    pub level1: Option<String>,
    /// 指标名称.
    pub name: String,
    /// 年度指标值, without the "。" that closes the item; `None` when the item has none.
    pub value: Option<String>,
}

/// The parse of a whole cell: the items, plus what could not be parsed kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumberedText {
    /// The items in published order.
    pub items: Vec<NumberedIndicator>,
    /// Text that is not part of any item (before item 1, an empty item, a cell with no
    /// item 1), each piece verbatim.
    pub unparsed: Vec<String>,
    /// What was assumed or normalised, one sentence each ("item 1 has no indicator class").
    pub notes: Vec<String>,
}

/// The ways an item number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `1、`
    Dun,
    /// `1．`
    FullStop,
    /// `1.`
    Dot,
    /// `（1）`
    FullParen,
    /// `(1)`
    HalfParen,
}

impl Style {
    const ALL: [Style; 5] = [
        Style::Dun,
        Style::FullStop,
        Style::Dot,
        Style::FullParen,
        Style::HalfParen,
    ];

    fn marker(self, n: usize) -> String {
        match self {
            Style::Dun => format!("{n}、"),
            Style::FullStop => format!("{n}．"),
            Style::Dot => format!("{n}."),
            Style::FullParen => format!("（{n}）"),
            Style::HalfParen => format!("({n})"),
        }
    }

    fn digits_first(self) -> bool {
        matches!(self, Style::Dun | Style::FullStop | Style::Dot)
    }

    fn example(self) -> &'static str {
        match self {
            Style::Dun => "N、",
            Style::FullStop => "N．",
            Style::Dot => "N.",
            Style::FullParen => "（N）",
            Style::HalfParen => "(N)",
        }
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// An occurrence of an item number: byte range and how well it sits as a boundary
/// (0 best).
#[derive(Debug, Clone, Copy)]
struct Marker {
    start: usize,
    end: usize,
    tier: u8,
}

/// The occurrence of item number `n` in `style` at or after `from` that best starts an
/// item: the first one of the best tier.
fn find_marker(text: &str, from: usize, n: usize, style: Style) -> Option<Marker> {
    let pattern = style.marker(n);
    let mut best: Option<Marker> = None;
    for (rel, _) in text[from..].match_indices(&pattern) {
        let start = from + rel;
        let end = start + pattern.len();
        let before = text[..start].chars().next_back();
        if style.digits_first() && before.is_some_and(is_digit) {
            continue; // part of a longer number: "12、" is not "2、"
        }
        if matches!(style, Style::Dot | Style::FullStop)
            && text[end..].chars().next().is_some_and(is_digit)
        {
            continue; // a decimal number: "1.5"
        }
        let tier = match before {
            None => 0,
            Some('。') => 0,
            Some(c) if n == 1 && matches!(c, '：' | ':') => 0,
            Some(c) if c.is_whitespace() || matches!(c, '；' | ';') => 1,
            Some(_) => 2,
        };
        if tier > 0 && n > 1 && !plausible_boundary(&text[from..start], &text[end..], tier) {
            continue;
        }
        if best.is_none_or(|b| tier < b.tier) {
            best = Some(Marker { start, end, tier });
            if tier == 0 {
                break;
            }
        }
    }
    best
}

/// Whether an item number that does not follow a "。" still starts an item: what follows
/// it up to the next "。" has a colon (a class or "年度指标值："), and, unless it follows
/// "；" or white space, the item before it already has its value ("…年度指标值：95%2、…").
/// (or is empty). So "第3、4项" in a name is not a boundary.
fn plausible_boundary(before: &str, after: &str, tier: u8) -> bool {
    let sentence = after.split('。').next().unwrap_or("");
    if !sentence.contains(['：', ':']) {
        return false;
    }
    tier < 2
        || before.trim().is_empty()
        || split_at_label(before, "指标值").is_some_and(|l| !l.value.trim().is_empty())
}

/// Splits a cell into its numbered items.
pub fn parse_numbered(text: &str) -> NumberedText {
    let mut out = NumberedText::default();
    let first = Style::ALL
        .iter()
        .filter_map(|&style| find_marker(text, 0, 1, style).map(|m| (style, m)))
        .min_by_key(|(_, m)| (m.tier, m.start));
    let Some((style, first)) = first else {
        if !text.trim().is_empty() {
            out.unparsed.push(text.to_string());
            out.notes
                .push("no item 1 found; the text is kept unparsed".to_string());
        } else if !text.is_empty() {
            out.notes.push("the text is only white space".to_string());
        }
        return out;
    };
    if style != Style::Dun {
        out.notes.push(format!(
            "items are numbered {}; they are written back as N、",
            style.example()
        ));
    }
    let lead = &text[..first.start];
    if !lead.trim().is_empty() {
        out.unparsed.push(lead.to_string());
        out.notes
            .push("text before item 1 is kept unparsed".to_string());
    } else if !lead.is_empty() {
        out.notes
            .push("white space before item 1 dropped".to_string());
    }

    // Item boundaries: item n starts at markers[n - 1].
    let mut markers = vec![first];
    while let Some(next) = find_marker(
        text,
        markers[markers.len() - 1].end,
        markers.len() + 1,
        style,
    ) {
        markers.push(next);
    }
    for (i, marker) in markers.iter().enumerate() {
        let n = i + 1;
        let end = markers.get(i + 1).map_or(text.len(), |m| m.start);
        if let Some(next) = markers.get(i + 1)
            && next.tier > 0
        {
            out.notes
                .push(format!("item {} does not follow a \"。\"", n + 1));
        }
        let segment = &text[marker.end..end];
        match parse_item(segment, n, &mut out.notes) {
            Some(item) => {
                out_of_sequence(segment, n, &mut out.notes);
                out.items.push(item);
            }
            None => {
                out.unparsed.push(text[marker.start..end].to_string());
                out.notes
                    .push(format!("item {n} is empty; it is kept unparsed"));
            }
        }
    }
    out
}

/// Notes an item that seems to hold further items whose numbers are out of sequence
/// ("1、…。3、…" with no 2、), which are therefore not split.
fn out_of_sequence(segment: &str, n: usize, notes: &mut Vec<String>) {
    let mut rest = segment;
    while let Some(pos) = rest.find('。') {
        rest = &rest[pos + '。'.len_utf8()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = rest[digits.len()..].chars().next();
        let paren = rest.starts_with('（') || rest.starts_with('(');
        if (!digits.is_empty() && matches!(after, Some('、' | '．'))) || paren {
            let shown: String = rest.chars().take(6).collect();
            notes.push(format!(
                "item {n} contains \"。{shown}…\", which looks like an item number out of sequence; not split"
            ));
            return;
        }
    }
}

/// `text` split at the first `marker` that is followed (after optional white space) by a
/// full- or half-width colon.
struct Labelled<'a> {
    before: &'a str,
    value: &'a str,
    half_width: bool,
    spaced: bool,
}

fn split_at_label<'a>(text: &'a str, marker: &str) -> Option<Labelled<'a>> {
    for (pos, _) in text.match_indices(marker) {
        let rest = &text[pos + marker.len()..];
        let trimmed = rest.trim_start();
        let spaced = trimmed.len() != rest.len();
        let before = &text[..pos];
        if let Some(value) = trimmed.strip_prefix('：') {
            return Some(Labelled {
                before,
                value,
                half_width: false,
                spaced,
            });
        }
        if let Some(value) = trimmed.strip_prefix(':') {
            return Some(Labelled {
                before,
                value,
                half_width: true,
                spaced,
            });
        }
    }
    None
}

/// Trims `s`, recording whether anything was trimmed.
fn trimmed<'a>(s: &'a str, changed: &mut bool) -> &'a str {
    let t = s.trim();
    if t.len() != s.len() {
        *changed = true;
    }
    t
}

/// One item's text after its number, up to the next item number. `None` when it is empty.
fn parse_item(segment: &str, n: usize, notes: &mut Vec<String>) -> Option<NumberedIndicator> {
    let mut half_width = false;
    let mut spaces = false;

    let mut body = segment.trim_end();
    if body.len() != segment.len() {
        spaces = true;
    }
    if let Some(b) = body.strip_suffix('。') {
        body = b;
    } else if let Some(b) = body.strip_suffix('；').or_else(|| body.strip_suffix(';')) {
        notes.push(format!("item {n} ends with \"；\" instead of \"。\""));
        body = b;
    } else if !body.trim().is_empty() {
        notes.push(format!("item {n} does not end with \"。\""));
    }
    if body.trim().is_empty() {
        return None;
    }

    let labelled = match split_at_label(body, "年度指标值") {
        Some(l) => Some(l),
        None => {
            let l = split_at_label(body, "指标值");
            if l.is_some() {
                notes.push(format!(
                    "item {n} has \"指标值\" where \"年度指标值\" is expected"
                ));
            } else {
                notes.push(format!("item {n} has no \"年度指标值\""));
            }
            l
        }
    };
    let (head, value) = match labelled {
        Some(l) => {
            half_width |= l.half_width;
            spaces |= l.spaced;
            (l.before, Some(l.value))
        }
        None => (body, None),
    };

    let mut head = head;
    if value.is_some() {
        let h = head.trim_end();
        if h.len() != head.len() {
            spaces = true;
        }
        head = if let Some(h) = h.strip_suffix('，') {
            h
        } else if let Some(h) = h.strip_suffix(',') {
            half_width = true;
            h
        } else {
            notes.push(format!("item {n} has no \"，\" before \"年度指标值\""));
            h
        };
    }

    let colon = head.char_indices().find(|&(_, c)| matches!(c, '：' | ':'));
    let (level1, name) = match colon {
        Some((pos, c)) => {
            half_width |= c == ':';
            let class = trimmed(&head[..pos], &mut spaces);
            let name = trimmed(&head[pos + c.len_utf8()..], &mut spaces);
            if class.is_empty() {
                notes.push(format!("item {n} has no indicator class"));
                (None, name)
            } else {
                (Some(class.to_string()), name)
            }
        }
        None => {
            notes.push(format!(
                "item {n} has no indicator class (no \"：\" before the name)"
            ));
            (None, trimmed(head, &mut spaces))
        }
    };
    let value = value.map(|v| trimmed(v, &mut spaces).to_string());

    if half_width {
        notes.push(format!(
            "item {n} uses half-width punctuation; it is written back full width"
        ));
    }
    if spaces {
        notes.push(format!("white space around the parts of item {n} dropped"));
    }
    Some(NumberedIndicator {
        level1,
        name: name.to_string(),
        value,
    })
}

/// Writes items as the published cells are: `{n}、{class}：{name}，年度指标值：{value}。`
/// one after the other with nothing between them. An empty class is written `{n}、：{name}…`;
/// a value ending in "。" is followed by the closing "。" ("。。"); an item with no value is
/// `{n}、{class}：{name}。`.
pub fn format_numbered(items: &[NumberedIndicator]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        let _ = write!(out, "{}、", i + 1);
        out.push_str(item.level1.as_deref().unwrap_or(""));
        out.push('：');
        out.push_str(&item.name);
        if let Some(value) = &item.value {
            out.push_str("，年度指标值：");
            out.push_str(value);
        }
        out.push('。');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(level1: Option<&str>, name: &str, value: Option<&str>) -> NumberedIndicator {
        NumberedIndicator {
            level1: level1.map(str::to_string),
            name: name.to_string(),
            value: value.map(str::to_string),
        }
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name)
    }

    /// Column G of the project rows of the published guangzhou table.
    fn guangzhou_cells() -> Vec<(String, String)> {
        let bytes = std::fs::read(fixture("guangzhou.csv")).unwrap();
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut cells = Vec::new();
        let mut body = false;
        for record in reader.records() {
            let record = record.unwrap();
            let g = record.get(6).unwrap_or("");
            if g == "绩效指标" {
                body = true;
                continue;
            }
            if body && !g.is_empty() {
                cells.push((
                    record.get(0).unwrap_or("").trim().to_string(),
                    g.to_string(),
                ));
            }
        }
        cells
    }

    #[test]
    fn numbered_guangzhou_round_trip_and_facts() {
        let cells = guangzhou_cells();
        let facts: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(fixture("guangzhou.facts.json")).unwrap(),
        )
        .unwrap();
        let projects = facts["projects"].as_array().unwrap();
        assert_eq!(cells.len(), 29);
        assert_eq!(cells.len(), projects.len());
        let mut indicators = 0;
        for ((name, cell), project) in cells.iter().zip(projects) {
            assert_eq!(name, project["name"].as_str().unwrap());
            assert_eq!(cell, project["indicator_text"].as_str().unwrap());
            let parsed = parse_numbered(cell);
            assert!(parsed.unparsed.is_empty(), "{cell}: {:?}", parsed.unparsed);
            assert_eq!(&format_numbered(&parsed.items), cell);
            for note in &parsed.notes {
                assert!(note.ends_with("has no indicator class"), "{cell}: {note}");
            }
            let expected = project["indicators"].as_array().unwrap();
            assert_eq!(parsed.items.len(), expected.len(), "{cell}");
            for (got, want) in parsed.items.iter().zip(expected) {
                let level1 = want["level1"].as_str().filter(|s| !s.is_empty());
                assert_eq!(got.level1.as_deref(), level1, "{cell}");
                assert_eq!(got.name, want["name"].as_str().unwrap(), "{cell}");
                assert_eq!(
                    got.value.as_deref(),
                    want["values"]["annual"].as_str(),
                    "{cell}"
                );
            }
            indicators += parsed.items.len();
        }
        assert_eq!(indicators, 77);
    }

    #[test]
    fn numbered_empty_class() {
        let text = "1、：缴存单位及职工满意度，年度指标值：90%。2、效益指标：行政复议、诉讼错案率，年度指标值：≤1%。";
        let parsed = parse_numbered(text);
        assert_eq!(
            parsed.items,
            [
                item(None, "缴存单位及职工满意度", Some("90%")),
                item(Some("效益指标"), "行政复议、诉讼错案率", Some("≤1%")),
            ]
        );
        assert_eq!(parsed.notes, ["item 1 has no indicator class"]);
        assert_eq!(format_numbered(&parsed.items), text);
    }

    #[test]
    fn numbered_doubled_full_stop() {
        let text = "1、产出指标：缴存完成率，年度指标值：通过宣传指引，让缴存单位按时足额完成公积金缴存。。2、效益指标：政策覆盖，年度指标值：提高覆盖率。。3、：满意度，年度指标值：让服务对象满意。";
        let parsed = parse_numbered(text);
        assert_eq!(
            parsed.items,
            [
                item(
                    Some("产出指标"),
                    "缴存完成率",
                    Some("通过宣传指引，让缴存单位按时足额完成公积金缴存。")
                ),
                item(Some("效益指标"), "政策覆盖", Some("提高覆盖率。")),
                item(None, "满意度", Some("让服务对象满意")),
            ]
        );
        assert_eq!(format_numbered(&parsed.items), text);
    }

    #[test]
    fn numbered_value_containing_full_stop() {
        let text =
            "1、产出指标：甲，年度指标值：第一句。第二句。2、效益指标：乙，年度指标值：95%。";
        let parsed = parse_numbered(text);
        assert_eq!(parsed.items[0].value.as_deref(), Some("第一句。第二句"));
        assert_eq!(parsed.items[1].value.as_deref(), Some("95%"));
        assert_eq!(format_numbered(&parsed.items), text);
    }

    #[test]
    fn numbered_only_the_next_number_splits() {
        // "2、" inside item 1 before the real item 2, and "3、" in a name without a 2 before.
        let text = "1、产出指标：第2、3批验收率，年度指标值：100%。2、效益指标：第3、4项，年度指标值：≥90%。";
        let parsed = parse_numbered(text);
        assert_eq!(
            parsed.items,
            [
                item(Some("产出指标"), "第2、3批验收率", Some("100%")),
                item(Some("效益指标"), "第3、4项", Some("≥90%")),
            ]
        );
        assert!(parsed.notes.is_empty(), "{:?}", parsed.notes);
        assert_eq!(format_numbered(&parsed.items), text);
    }

    #[test]
    fn numbered_ten_and_more_items() {
        let items: Vec<_> = (1..=12)
            .map(|i| {
                item(
                    Some("产出指标"),
                    &format!("指标{i}"),
                    Some(&format!("{i}2、个")),
                )
            })
            .collect();
        let text = format_numbered(&items);
        assert!(text.contains("。10、产出指标：指标10，年度指标值：102、个。11、"));
        let parsed = parse_numbered(&text);
        assert_eq!(parsed.items, items);
        assert!(parsed.unparsed.is_empty());
        assert_eq!(format_numbered(&parsed.items), text);
    }

    #[test]
    fn numbered_half_width_punctuation() {
        let text = "1、产出指标:短信发送到达率,年度指标值:95%以上。2、效益指标：响应及时率，年度指标值：4秒。";
        let parsed = parse_numbered(text);
        assert_eq!(
            parsed.items,
            [
                item(Some("产出指标"), "短信发送到达率", Some("95%以上")),
                item(Some("效益指标"), "响应及时率", Some("4秒")),
            ]
        );
        assert_eq!(
            parsed.notes,
            ["item 1 uses half-width punctuation; it is written back full width"]
        );
        assert_eq!(
            format_numbered(&parsed.items),
            text.replace(':', "：").replace(',', "，")
        );
    }

    #[test]
    fn numbered_item_without_value() {
        let text = "1、产出指标：培训次数。2、效益指标：满意度，年度指标值：95%。";
        let parsed = parse_numbered(text);
        assert_eq!(
            parsed.items,
            [
                item(Some("产出指标"), "培训次数", None),
                item(Some("效益指标"), "满意度", Some("95%")),
            ]
        );
        assert_eq!(parsed.notes, ["item 1 has no \"年度指标值\""]);
        assert_eq!(format_numbered(&parsed.items), text);

        let bare = parse_numbered("1、产出指标");
        assert_eq!(bare.items, [item(None, "产出指标", None)]);
        assert!(bare.notes.iter().any(|n| n.contains("no indicator class")));
        assert!(bare.notes.iter().any(|n| n.contains("does not end with")));
    }

    #[test]
    fn numbered_unparsed_text_is_kept() {
        let parsed = parse_numbered("绩效指标如下：1、产出指标：甲，年度指标值：1。");
        assert_eq!(parsed.unparsed, ["绩效指标如下："]);
        assert_eq!(parsed.items, [item(Some("产出指标"), "甲", Some("1"))]);

        let parsed = parse_numbered("无编号的指标，年度指标值：1。");
        assert!(parsed.items.is_empty());
        assert_eq!(parsed.unparsed, ["无编号的指标，年度指标值：1。"]);

        let parsed = parse_numbered("12、x：y，年度指标值：z。");
        assert!(parsed.items.is_empty());
        assert_eq!(parsed.unparsed, ["12、x：y，年度指标值：z。"]);

        let parsed = parse_numbered("1、2、效益指标：乙，年度指标值：2。");
        assert_eq!(parsed.unparsed, ["1、"]);
        assert_eq!(parsed.items, [item(Some("效益指标"), "乙", Some("2"))]);
    }

    #[test]
    fn numbered_missing_full_stop_between_items() {
        let text = "1、产出指标：甲，年度指标值：95%2、效益指标：乙，年度指标值：3。";
        let parsed = parse_numbered(text);
        assert_eq!(
            parsed.items,
            [
                item(Some("产出指标"), "甲", Some("95%")),
                item(Some("效益指标"), "乙", Some("3")),
            ]
        );
        assert!(
            parsed
                .notes
                .iter()
                .any(|n| n == "item 2 does not follow a \"。\"")
        );
        assert!(
            parsed
                .notes
                .iter()
                .any(|n| n == "item 1 does not end with \"。\"")
        );
    }

    #[test]
    fn numbered_out_of_sequence_is_noted() {
        let parsed =
            parse_numbered("1、产出指标：甲，年度指标值：1。3、效益指标：乙，年度指标值：2。");
        assert_eq!(parsed.items.len(), 1);
        assert_eq!(
            parsed.items[0].value.as_deref(),
            Some("1。3、效益指标：乙，年度指标值：2")
        );
        assert!(parsed.notes.iter().any(|n| n.contains("out of sequence")));
    }

    #[test]
    fn numbered_other_styles_and_separators() {
        let want = [
            item(Some("产出指标"), "甲", Some("1.5万元")),
            item(Some("效益指标"), "乙", Some("≥2")),
        ];
        for text in [
            "1.产出指标：甲，年度指标值：1.5万元。2.效益指标：乙，年度指标值：≥2。",
            "1．产出指标：甲，年度指标值：1.5万元。2．效益指标：乙，年度指标值：≥2。",
            "（1）产出指标：甲，年度指标值：1.5万元。（2）效益指标：乙，年度指标值：≥2。",
            "(1)产出指标：甲，年度指标值：1.5万元。(2)效益指标：乙，年度指标值：≥2。",
            "1、产出指标：甲，年度指标值：1.5万元。\n2、效益指标：乙，年度指标值：≥2。",
            "1、产出指标：甲，年度指标值：1.5万元；2、效益指标：乙，年度指标值：≥2。",
        ] {
            let parsed = parse_numbered(text);
            assert_eq!(parsed.items, want, "{text}");
            assert!(parsed.unparsed.is_empty(), "{text}");
            assert!(!parsed.notes.is_empty(), "{text}: normalised, so noted");
        }
    }

    #[test]
    fn numbered_format() {
        assert_eq!(format_numbered(&[]), "");
        assert_eq!(
            format_numbered(&[
                item(Some("产出指标"), "甲", Some("1")),
                item(None, "乙", Some("完成。")),
                item(Some(""), "丙", None),
            ]),
            "1、产出指标：甲，年度指标值：1。2、：乙，年度指标值：完成。。3、：丙。"
        );
    }

    #[test]
    fn numbered_odd_inputs_do_not_panic() {
        let mut inputs: Vec<String> = [
            "",
            " ",
            "、",
            "1、",
            "1、：",
            "1、，年度指标值：",
            "1、。",
            "。。。",
            "1、产出指标",
            "12、x：y，年度指标值：z。",
            "1、a：b，年度指标值：c。2、",
            "1.",
            "1.5",
            "（1）",
            "(1",
            "1、：：：，，，年度指标值：：：。。。",
            "１、全角数字：甲，年度指标值：１。",
            "1、a:b,年度指标值:c;2、d:e,指标值:f",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Pseudo-random mixes of CJK, digits and punctuation.
        let alphabet: Vec<char> = "1234567890、。，,：:；;（）().．年度指标值产出效益满意 \n%≥"
            .chars()
            .collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for len in 0..400 {
            let mut s = String::new();
            for _ in 0..(len % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            inputs.push(s);
        }
        // Cells put together from published-like parts and their oddities.
        let pick = |state: &mut u64, parts: &[&'static str]| {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            parts[(*state % parts.len() as u64) as usize]
        };
        for _ in 0..2000 {
            let mut s = String::new();
            let count = 1 + (state % 4) as usize;
            for k in 1..=count {
                s.push_str(&format!(
                    "{k}{}",
                    pick(&mut state, &["、", "、", "、", ".", " 、"])
                ));
                s.push_str(pick(
                    &mut state,
                    &["产出指标", "", "效益指标", " 满意度指标"],
                ));
                s.push_str(pick(&mut state, &["：", "：", ":", ""]));
                s.push_str(pick(
                    &mut state,
                    &["甲", "第2、3批", "乙（个）", "", "a。b"],
                ));
                s.push_str(pick(&mut state, &["，", "，", ",", ""]));
                s.push_str(pick(
                    &mut state,
                    &[
                        "年度指标值：",
                        "年度指标值：",
                        "年度指标值 ：",
                        "指标值：",
                        "",
                    ],
                ));
                s.push_str(pick(
                    &mut state,
                    &["95%", "完成。", "x。y", "≥3", "", " 4秒"],
                ));
                s.push_str(pick(
                    &mut state,
                    &["。", "。", "。", "。。", "；", "", "\n"],
                ));
            }
            inputs.push(s);
        }
        let mut exact = 0;
        for text in &inputs {
            let parsed = parse_numbered(text);
            let formatted = format_numbered(&parsed.items);
            // Whatever was read is readable again with the same items.
            let again = parse_numbered(&formatted);
            if parsed.items.iter().all(|i| {
                !i.name.contains('。')
                    && !i.name.contains(['：', ':'])
                    && i.level1.as_deref().is_none_or(|c| !c.contains(['：', ':']))
                    && !i.name.contains("年度指标值")
                    && !i.name.contains("指标值")
                    && i.value.as_deref().is_none_or(|v| !v.contains('。'))
                    && !i.name.contains(|c: char| c.is_ascii_digit())
                    && i.value
                        .as_deref()
                        .is_none_or(|v| !v.contains(|c: char| c.is_ascii_digit()))
            }) {
                assert_eq!(again.items, parsed.items, "{text:?} → {formatted:?}");
            }
            // Anything that is not written back exactly is noted.
            if parsed.unparsed.is_empty()
                && parsed
                    .notes
                    .iter()
                    .all(|n| n.ends_with("has no indicator class"))
            {
                assert_eq!(&formatted, text, "{:?}", parsed.notes);
                exact += 1;
            }
            // Nothing is dropped: text that holds anything gives items or unparsed text.
            if !text.trim().is_empty() {
                assert!(
                    !parsed.items.is_empty() || !parsed.unparsed.is_empty(),
                    "{text:?}"
                );
            }
        }
        assert!(exact >= 30, "only {exact} inputs were exact");
    }
}
