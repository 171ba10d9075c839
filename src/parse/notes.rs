//! Notes and signatures printed with a table: 注：…, 填报说明, 单位负责人：…, 填表人：…
//! A row that starts with one of these words is not part of the table's content; the
//! checks warn when such a row was read as an indicator, a duty or a project, and the
//! readers can stop a table at it.

use crate::text::fold_width;

/// The words a note or signature line starts with. Where one word starts another
/// ("制表人", "制表"), the longer comes first, so that [`note_word`] names it.
///
/// "注" and "说明" count only when a colon or a number follows them; the other words
/// only when they are not the start of a longer name (see [`note_word`]): "注册人数",
/// "说明会场次" and "联系电话接通率" are real indicator names.
pub const NOTE_WORDS: &[&str] = &[
    "填报说明",
    "说明",
    "注",
    "备注",
    "单位负责人",
    "分管领导",
    "填表人",
    "填报人",
    "制表人",
    "制表",
    "联系电话",
    "填报日期",
    "审核意见",
    "盖章",
    "公章",
];

/// Words that count only with a colon or a number right after them ("注：", "注1").
const NEED_COLON: &[&str] = &["注", "说明"];

/// How far after a signature word its colon may stand ("单位负责人签字：").
const COLON_WITHIN: usize = 4;

/// The note or signature word `text` starts with, if any (leading white space aside,
/// full- and half-width alike), from [`NOTE_WORDS`].
///
/// - "注" and "说明" need a colon (`：`/`:`, white space before it allowed) or a number
///   ("注1", "注①") right after them: "注册人数" and "说明会" are not notes.
/// - The other words need nothing after them, or something that is not a letter (a
///   colon, white space, a bracket, a number), or a colon within the next
///   4 characters ("单位负责人签字："): "联系电话接通率" and "公章使用规范" are
///   names, not signatures.
///
/// # Examples
///
/// ```
/// use jixiao::parse::notes::note_word;
///
/// assert_eq!(note_word("注：本表金额单位为万元。"), Some("注"));
/// assert_eq!(note_word("注1.数据来源于统计年鉴"), Some("注"));
/// assert_eq!(note_word(" 说明 : 按年度填报"), Some("说明"));
/// assert_eq!(note_word("填报说明：1.…"), Some("填报说明"));
/// assert_eq!(note_word("单位负责人：张三"), Some("单位负责人"));
/// assert_eq!(note_word("单位负责人签字："), Some("单位负责人"));
/// assert_eq!(note_word("填表人"), Some("填表人"));
/// assert_eq!(note_word("注册人数"), None);
/// assert_eq!(note_word("说明会场次"), None);
/// assert_eq!(note_word("联系电话接通率"), None);
/// ```
pub fn note_word(text: &str) -> Option<&'static str> {
    let folded: String = text.chars().map(fold_width).collect();
    let folded = folded.trim_start();
    NOTE_WORDS.iter().copied().find(|word| {
        let Some(rest) = folded.strip_prefix(word) else {
            return false;
        };
        if NEED_COLON.contains(word) {
            colon_or_number_follows(rest)
        } else {
            ends_the_word(rest)
        }
    })
}

/// Whether a colon (after optional white space) or a number follows.
fn colon_or_number_follows(rest: &str) -> bool {
    match rest.chars().next() {
        Some(c) if c.is_ascii_digit() || ('①'..='⑳').contains(&c) => true,
        _ => rest.trim_start().starts_with(':'),
    }
}

/// Whether a signature word ends here: nothing follows, or no letter, or a colon soon.
fn ends_the_word(rest: &str) -> bool {
    match rest.chars().next() {
        None => true,
        Some(c) if !c.is_alphabetic() => true,
        _ => rest.chars().take(COLON_WITHIN + 1).any(|c| c == ':'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_and_signatures() {
        for (text, word) in [
            ("注：本表金额单位为万元。", "注"),
            ("注:金额单位万元", "注"),
            ("注 ：以上为预计数", "注"),
            ("注１、数据来源", "注"),
            ("说明：", "说明"),
            ("填报说明", "填报说明"),
            ("备注：无", "备注"),
            ("单位负责人：", "单位负责人"),
            ("分管领导：李四", "分管领导"),
            ("填表人：王五", "填表人"),
            ("填报人", "填报人"),
            ("制表人：", "制表人"),
            ("制表：张三", "制表"),
            ("单位负责人签字：", "单位负责人"),
            ("单位负责人（签字）", "单位负责人"),
            ("填报日期 2023年1月", "填报日期"),
            ("联系电话：0564-1234567", "联系电话"),
            ("填报日期：2023年1月", "填报日期"),
            ("审核意见：同意", "审核意见"),
            ("盖章", "盖章"),
            ("公章：", "公章"),
        ] {
            assert_eq!(note_word(text), Some(word), "{text}");
        }
    }

    #[test]
    fn real_names_are_not_notes() {
        for text in [
            "注册人数",
            "注销账户办理时限",
            "注重服务质量",
            "说明会场次",
            "说明书印制数量",
            "说明",
            "注",
            "缴存单位注册率",
            "联系电话接通率",
            "公章使用规范",
            "审核意见采纳率",
            "备注信息完整率",
            "",
            "产出指标",
        ] {
            assert_eq!(note_word(text), None, "{text}");
        }
    }
}
