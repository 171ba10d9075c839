//! Text helpers shared by readers and templates: width folding and label matching.

/// Folds a full-width ASCII variant (U+FF01–U+FF5E) and the ideographic space to
/// half width; other characters are returned unchanged.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// The form of a label used for matching: widths folded, all white space removed,
/// trailing colons dropped, brackets unified. "项目名称：" and " 项目名称" match "项目名称".
pub fn label_key(text: &str) -> String {
    let mut key: String = text
        .chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '【' | '[' => '(',
            '】' | ']' => ')',
            other => other,
        })
        .collect();
    while key.ends_with(':') {
        key.pop();
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_across_widths_spaces_and_colons() {
        assert_eq!(label_key("项目名称："), "项目名称");
        assert_eq!(label_key(" 项目 名称 "), "项目名称");
        assert_eq!(label_key("项目资金（万元）"), label_key("项目资金(万元)"));
        assert_eq!(label_key("其中：财政拨款"), label_key("其中:财政拨款"));
        assert_eq!(label_key("项目名称\u{3000}"), "项目名称");
    }
}
