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
    label_key_within(text, usize::MAX).unwrap_or_default()
}

/// [`label_key`] when the key has at most `max_bytes` bytes, else `None` — found
/// without reading the rest of a long text, which no label can match.
pub fn label_key_within(text: &str, max_bytes: usize) -> Option<String> {
    let mut key = String::with_capacity(text.len().min(max_bytes.saturating_add(4)));
    // Colons are kept only when something follows them.
    let mut colons = 0usize;
    for c in key_chars(text) {
        if c == ':' {
            colons += 1;
            continue;
        }
        while colons > 0 {
            key.push(':');
            colons -= 1;
        }
        key.push(c);
        if key.len() > max_bytes {
            return None;
        }
    }
    Some(key)
}

/// Whether `label_key(text) == key` for a key made by [`label_key`], without building
/// the text's key: most cells differ in their first character.
pub fn has_label_key(text: &str, key: &str) -> bool {
    let mut chars = key_chars(text);
    key.chars().all(|k| chars.next() == Some(k)) && chars.all(|c| c == ':')
}

/// Whether `label_key(text)` starts with `prefix`, a key made by [`label_key`].
pub fn label_key_starts_with(text: &str, prefix: &str) -> bool {
    let mut chars = key_chars(text);
    prefix.chars().all(|k| chars.next() == Some(k))
}

/// The characters of a label key before trailing colons are dropped.
fn key_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .map(fold_width)
        .filter(|c| !c.is_whitespace())
        .map(unify_bracket)
}

/// A character as label matching sees it: width folded, bracket style unified.
pub fn key_char(c: char) -> char {
    unify_bracket(fold_width(c))
}

fn unify_bracket(c: char) -> char {
    match c {
        '【' | '[' => '(',
        '】' | ']' => ')',
        other => other,
    }
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

    #[test]
    fn bounded_and_streaming_keys_agree_with_label_key() {
        let texts = [
            "项目名称：",
            " 项目 名称 ",
            "其中：财政拨款",
            "a::b::",
            "::",
            "",
            "【x】",
            "很长的指标内容，不是任何标签的一部分。",
        ];
        for t in texts {
            let key = label_key(t);
            assert!(has_label_key(t, &key), "{t:?}");
            assert!(label_key_starts_with(t, &key), "{t:?}");
            assert_eq!(label_key_within(t, key.len()).as_ref(), Some(&key), "{t:?}");
            if !key.is_empty() {
                assert_eq!(label_key_within(t, key.len() - 1), None, "{t:?}");
                let shorter: String = key.chars().take(key.chars().count() - 1).collect();
                assert!(!has_label_key(t, &shorter), "{t:?}");
            }
        }
        assert!(has_label_key("项目名称：：", "项目名称"));
        assert!(!has_label_key("项目名称：x", "项目名称"));
        assert!(!has_label_key("项目", "项目名称"));
        assert!(label_key_starts_with(
            "中期目标（2023年—2025年）",
            "中期目标(2023"
        ));
        assert!(!label_key_starts_with("中期", "中期目标"));
    }
}
