//! Normalizes clear extraction artifacts in published text.
//!
//! Tables that went through PDF/OCR/HTML extraction before reaching a spreadsheet carry
//! traces of it: `<p>` tags, `&nbsp;`, markdown heading markers and LaTeX math from OCR
//! (`$\geq 85\%$`). [`clean_text`] removes exactly those and reports each kind of change;
//! everything else is left alone: internal spaces, full-width punctuation, in-cell line
//! breaks and leading or trailing white space stay as they are.
//!
//! The passes, in order:
//! 1. **HTML tags** `<p>`, `</p>` (also with attributes, any case) and `<br>`, `<br/>`,
//!    `<br />`, `</br>`. A paragraph boundary (`</p>`, white space, `<p>`) and a `<br>`
//!    become one line break; a `<p>` or `</p>` at the start or end of the text is dropped.
//! 2. **Markdown heading marker** `#`–`######` plus space at the very start of the text.
//! 3. **HTML entities** `&nbsp;` (→ a plain space), `&amp;`, `&lt;`, `&gt;`, `&quot;`,
//!    `&apos;`, `&#NNN;`, `&#xHH;`, decoded in one pass (`&amp;lt;` → `&lt;`).
//! 4. **LaTeX**. A math fragment `$…$`, `$$…$$`, `\(…\)` or `\[…\]` on one line is
//!    replaced by its text when every part of it is understood: the commands `\geq \ge
//!    \geqslant` (≥), `\leq \le \leqslant` (≤), `\gt \lt \neq \times \cdot \div \pm
//!    \approx \sim \circ`, `\%`, `\text{…}`/`\mathrm{…}`, `\left`/`\right`, braces, `^2`,
//!    `^3`, `^\circ`, digits, operators and CJK text; white space inside math is dropped
//!    as TeX drops it. A fragment without any command must contain `<`, `>`, `=`, `≥` or
//!    `≤` and no letters (`$>$` is math, "$5 and $10" is not). Outside math, the symbol
//!    commands above and `\%` are replaced where they stand (`\le` in `\left` is not a
//!    command). Anything else containing `$` or `\` is left as it is.

use std::borrow::Cow;

/// Text after [`clean_text`], with a description of each kind of change made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// The cleaned text; exactly the input when `changes` is empty.
    pub text: String,
    /// Human-readable descriptions such as `removed <p> tags` or
    /// `LaTeX $\geq 85\%$ → ≥85%`, each listed once, in the order first made.
    pub changes: Vec<String>,
}

impl Cleaned {
    /// Whether anything was changed.
    pub fn is_changed(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// Removes clear extraction artifacts from `text` (see the module docs for the list).
///
/// # Examples
///
/// ```
/// use jixiao::parse::clean::clean_text;
///
/// let cleaned = clean_text(r"$\geq 85\%$");
/// assert_eq!(cleaned.text, "≥85%");
/// assert_eq!(cleaned.changes, [r"LaTeX $\geq 85\%$ → ≥85%"]);
///
/// let untouched = clean_text("较高 （含） ");
/// assert_eq!(untouched.text, "较高 （含） ");
/// assert!(untouched.changes.is_empty());
/// ```
pub fn clean_text(text: &str) -> Cleaned {
    let mut changes = Vec::new();
    let mut current = Cow::Borrowed(text);
    if text.contains(['<', '#', '&', '$', '\\']) {
        const PASSES: [Pass; 4] = [html_tags, heading_marker, entities, latex];
        for pass in PASSES {
            if let Some(next) = pass(&current, &mut changes) {
                current = Cow::Owned(next);
            }
        }
    }
    if changes.is_empty() {
        // A pass that found something always reports it; keep the input exactly otherwise.
        current = Cow::Borrowed(text);
    }
    Cleaned {
        text: current.into_owned(),
        changes,
    }
}

/// One kind of cleaning: the new text and a noted change, or `None` when nothing applied.
type Pass = fn(&str, &mut Vec<String>) -> Option<String>;

/// Records a change once.
fn note(changes: &mut Vec<String>, change: String) {
    if !changes.contains(&change) {
        changes.push(change);
    }
}

// ---------------------------------------------------------------------------------------
// HTML tags

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    ParagraphOpen,
    ParagraphClose,
    Break,
}

/// The longest tag, in bytes, that is recognized (`<p class="…">`).
const MAX_TAG_LEN: usize = 200;

/// A `<p>`, `</p>` or `<br>` tag at the start of `s`, with its length in bytes.
fn tag_at(s: &str) -> Option<(Tag, usize)> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'<') {
        return None;
    }
    let closing = bytes.get(1) == Some(&b'/');
    let name_start = 1 + usize::from(closing);
    let name_len = bytes[name_start..]
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let name = &s[name_start..name_start + name_len];
    let tag = if name.eq_ignore_ascii_case("br") {
        Tag::Break
    } else if name.eq_ignore_ascii_case("p") {
        if closing {
            Tag::ParagraphClose
        } else {
            Tag::ParagraphOpen
        }
    } else {
        return None;
    };
    let after_name = name_start + name_len;
    match bytes.get(after_name) {
        Some(b'>') => return Some((tag, after_name + 1)),
        Some(b' ' | b'\t' | b'/') => {}
        _ => return None,
    }
    let close = bytes[after_name..]
        .iter()
        .take(MAX_TAG_LEN)
        .position(|&b| b == b'>' || b == b'<' || b == b'\n')?;
    (bytes[after_name + close] == b'>').then_some((tag, after_name + close + 1))
}

/// Whether `s` holds text other than white space and `<p>`/`<br>` tags.
fn has_text(mut s: &str) -> bool {
    loop {
        s = s.trim_start();
        match tag_at(s) {
            Some((_, len)) => s = &s[len..],
            None => return !s.is_empty(),
        }
    }
}

fn html_tags(text: &str, changes: &mut Vec<String>) -> Option<String> {
    if !text.contains('<') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let (mut paragraphs, mut breaks) = (false, false);
    let mut rest = text;
    while let Some(offset) = rest.find('<') {
        out.push_str(&rest[..offset]);
        let at = &rest[offset..];
        let Some((tag, len)) = tag_at(at) else {
            out.push('<');
            rest = &at[1..];
            continue;
        };
        rest = &at[len..];
        match tag {
            Tag::Break => {
                breaks = true;
                out.push('\n');
            }
            Tag::ParagraphOpen | Tag::ParagraphClose => {
                paragraphs = true;
                if tag == Tag::ParagraphClose {
                    // `</p>` + white space + `<p>` is one paragraph boundary.
                    let next = rest.trim_start();
                    if let Some((Tag::ParagraphOpen, next_len)) = tag_at(next) {
                        rest = &next[next_len..];
                    }
                }
                let text_before = !out.trim_end().is_empty() && !out.ends_with('\n');
                if text_before && has_text(rest) {
                    out.push('\n');
                }
            }
        }
    }
    if !paragraphs && !breaks {
        return None;
    }
    out.push_str(rest);
    if paragraphs {
        note(changes, "removed <p> tags".to_string());
    }
    if breaks {
        note(changes, "<br> → line break".to_string());
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------
// Markdown heading marker

fn heading_marker(text: &str, changes: &mut Vec<String>) -> Option<String> {
    let hashes = text.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let after = &text[hashes..];
    let body = after.trim_start_matches([' ', '\t']);
    let marker_len = hashes + (after.len() - body.len());
    if marker_len == hashes || body.is_empty() || body.starts_with(['\n', '\r']) {
        return None;
    }
    note(
        changes,
        format!(
            "removed markdown heading marker \"{}\"",
            &text[..marker_len]
        ),
    );
    Some(body.to_string())
}

// ---------------------------------------------------------------------------------------
// HTML entities

/// The longest entity, in bytes between `&` and `;`, that is recognized.
const MAX_ENTITY_LEN: usize = 10;

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "nbsp" | "ensp" | "emsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            let c = char::from_u32(code)?;
            if c.is_control() && !matches!(c, '\n' | '\t') {
                return None;
            }
            c
        }
    })
}

fn entities(text: &str, changes: &mut Vec<String>) -> Option<String> {
    if !text.contains('&') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut seen: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(offset) = rest.find('&') {
        out.push_str(&rest[..offset]);
        let at = &rest[offset..];
        let decoded = at[1..]
            .bytes()
            .take(MAX_ENTITY_LEN + 1)
            .position(|b| b == b';')
            .and_then(|semicolon| {
                let name = &at[1..1 + semicolon];
                entity(name).map(|c| (c, name, semicolon + 2))
            });
        match decoded {
            Some((c, name, len)) => {
                out.push(c);
                let written = format!("&{name};");
                if !seen.contains(&written) {
                    seen.push(written);
                }
                rest = &at[len..];
            }
            None => {
                out.push('&');
                rest = &at[1..];
            }
        }
    }
    if seen.is_empty() {
        return None;
    }
    out.push_str(rest);
    note(changes, format!("decoded HTML entities {}", seen.join(" ")));
    Some(out)
}

// ---------------------------------------------------------------------------------------
// LaTeX

/// The longest `$…$` fragment, in bytes, that is read as math.
const MAX_MATH_LEN: usize = 200;

/// The text of a symbol command (`geq` → "≥").
fn command_symbol(name: &str) -> Option<&'static str> {
    Some(match name {
        "geq" | "ge" | "geqslant" => "≥",
        "leq" | "le" | "leqslant" => "≤",
        "gt" => ">",
        "lt" => "<",
        "neq" | "ne" => "≠",
        "times" => "×",
        "cdot" => "·",
        "div" => "÷",
        "pm" => "±",
        "approx" => "≈",
        "sim" => "~",
        "circ" => "°",
        _ => return None,
    })
}

fn latex(text: &str, changes: &mut Vec<String>) -> Option<String> {
    if !text.contains(['$', '\\']) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while let Some(offset) = rest.find(['$', '\\']) {
        out.push_str(&rest[..offset]);
        let at = &rest[offset..];
        match math_fragment(at).or_else(|| bare_command(at)) {
            Some((len, converted)) => {
                note(
                    changes,
                    format!("LaTeX {} → {converted}", at[..len].trim_end()),
                );
                out.push_str(&converted);
                rest = &at[len..];
                changed = true;
            }
            None => {
                // `$` and `\` are one byte each.
                out.push_str(&at[..1]);
                rest = &at[1..];
            }
        }
    }
    if !changed {
        return None;
    }
    out.push_str(rest);
    Some(out)
}

/// A math fragment at the start of `at`: its length in bytes and its text.
fn math_fragment(at: &str) -> Option<(usize, String)> {
    let (open, close) = [("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")]
        .into_iter()
        .find(|(open, _)| at.starts_with(open))?;
    let body = &at[open.len()..];
    let end = body.find(close)?;
    let content = &body[..end];
    if content.trim().is_empty() || content.len() > MAX_MATH_LEN || content.contains('\n') {
        return None;
    }
    let converted = math_text(content)?;
    Some((open.len() + end + close.len(), converted))
}

/// The text of a math fragment's content, if every part of it is understood.
fn math_text(content: &str) -> Option<String> {
    let has_command = content.contains('\\');
    let mut has_comparison = false;
    let mut out = String::new();
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next()?;
                if next.is_ascii_alphabetic() {
                    let mut name = String::from(next);
                    while let Some(&c) = chars.peek().filter(|c| c.is_ascii_alphabetic()) {
                        name.push(c);
                        chars.next();
                    }
                    match name.as_str() {
                        "text" | "textrm" | "mathrm" | "mbox" | "rm" => {
                            while chars.next_if(|c| c.is_whitespace()).is_some() {}
                            if chars.next_if_eq(&'{').is_some() {
                                for c in chars.by_ref() {
                                    match c {
                                        '}' => break,
                                        '{' | '\\' | '$' => return None,
                                        c => out.push(c),
                                    }
                                }
                            }
                        }
                        "left" | "right" => {}
                        _ => out.push_str(command_symbol(&name)?),
                    }
                } else {
                    match next {
                        '%' | '&' | '$' | '#' | '_' | '{' | '}' => out.push(next),
                        ',' | ';' | ':' | '!' | ' ' => {}
                        _ => return None,
                    }
                }
            }
            '^' => {
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
                let braced = chars.next_if_eq(&'{').is_some();
                let superscript = match chars.next()? {
                    '2' => '²',
                    '3' => '³',
                    '\\' => {
                        let mut name = String::new();
                        while let Some(c) = chars.next_if(|c| c.is_ascii_alphabetic()) {
                            name.push(c);
                        }
                        if name != "circ" {
                            return None;
                        }
                        '°'
                    }
                    _ => return None,
                };
                if braced {
                    while chars.next_if(|c| c.is_whitespace()).is_some() {}
                    if chars.next() != Some('}') {
                        return None;
                    }
                }
                out.push(superscript);
            }
            '{' | '}' => {}
            c if c.is_whitespace() => {}
            '<' | '>' | '=' | '≥' | '≤' => {
                has_comparison = true;
                out.push(c);
            }
            c if c.is_ascii_digit() || ".,%+-/()[]*:~|".contains(c) => out.push(c),
            c if c.is_ascii_alphabetic() && has_command => out.push(c),
            c if !c.is_ascii() => out.push(c),
            _ => return None,
        }
    }
    if !has_command && !has_comparison {
        return None;
    }
    (!out.is_empty()).then_some(out)
}

/// A symbol command outside math at the start of `at` (`\geq`, `\%`), with the spaces
/// TeX would swallow after it.
fn bare_command(at: &str) -> Option<(usize, String)> {
    let after = at.strip_prefix('\\')?;
    if after.starts_with('%') {
        return Some((2, "%".to_string()));
    }
    let name_len = after
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let symbol = command_symbol(&after[..name_len])?;
    let spaces = after[name_len..].bytes().take_while(|&b| b == b' ').count();
    Some((1 + name_len + spaces, symbol.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(text: &str) -> String {
        clean_text(text).text
    }

    fn unchanged(text: &str) {
        let result = clean_text(text);
        assert_eq!(result.text, text);
        assert!(result.changes.is_empty(), "{text:?}: {:?}", result.changes);
    }

    #[test]
    fn latex_from_ocr() {
        let result = clean_text("$\\geq 85\\%$");
        assert_eq!(result.text, "≥85%");
        assert_eq!(result.changes, ["LaTeX $\\geq 85\\%$ → ≥85%"]);
        assert_eq!(cleaned("$\\leq$"), "≤");
        assert_eq!(cleaned("$\\leq 5$万元"), "≤5万元");
        assert_eq!(cleaned("$>$ 90%"), "> 90%");
        assert_eq!(cleaned("$<$24小时"), "<24小时");
        assert_eq!(cleaned("$\\ge 3$ 次"), "≥3 次");
        assert_eq!(cleaned("$\\le 3$"), "≤3");
        assert_eq!(cleaned("$3 \\times 4$"), "3×4");
        assert_eq!(cleaned("$元 \\cdot 人$"), "元·人");
        assert_eq!(cleaned("$\\geq 85 \\text{万元}$"), "≥85万元");
        assert_eq!(cleaned("$\\leq 750 \\mathrm{m}^{2}$"), "≤750m²");
        assert_eq!(cleaned("$25^{\\circ}$C"), "25°C");
        assert_eq!(cleaned("$25^\\circ$C"), "25°C");
        assert_eq!(cleaned("$<5万元$"), "<5万元");
        assert_eq!(cleaned("\\(\\geq 90\\%\\)"), "≥90%");
        assert_eq!(cleaned("$$\\geq 90\\%$$"), "≥90%");
        assert_eq!(cleaned("满意度$\\geq$85%"), "满意度≥85%");
    }

    #[test]
    fn bare_latex_commands() {
        assert_eq!(cleaned("\\geq 85\\%"), "≥85%");
        assert_eq!(cleaned("85\\%"), "85%");
        assert_eq!(cleaned("\\le5万元"), "≤5万元");
        assert_eq!(cleaned("3\\times4"), "3×4");
        let result = clean_text("\\ge 1 次");
        assert_eq!(result.changes, ["LaTeX \\ge → ≥"]);
        // not commands: a longer name, a path, a lone backslash
        unchanged("\\left");
        unchanged("C:\\legal\\new");
        unchanged("\\");
        unchanged("a\\b");
    }

    #[test]
    fn dollars_that_are_not_math() {
        unchanged("$5 and $10");
        unchanged("US$5 to US$10");
        unchanged("$100$");
        unchanged("$");
        unchanged("$$");
        unchanged("$ $");
        // an unclosed fragment: only the bare command is replaced
        assert_eq!(cleaned("$\\geq"), "$≥");
        unchanged("$\\unknown 5$");
        assert_eq!(cleaned("$\\geq 5\n$"), "$≥5\n$");
    }

    #[test]
    fn html_tags() {
        let result = clean_text("<p>通过项目的实施,完成工作。</p>");
        assert_eq!(result.text, "通过项目的实施,完成工作。");
        assert_eq!(result.changes, ["removed <p> tags"]);
        assert_eq!(
            cleaned("<p>1、第一段。</p> <p>2、第二段。</p> <p>3、第三段。</p>"),
            "1、第一段。\n2、第二段。\n3、第三段。"
        );
        assert_eq!(cleaned("甲</p>\n<p>乙"), "甲\n乙");
        assert_eq!(cleaned("甲<p>乙"), "甲\n乙");
        assert_eq!(cleaned("甲</p>乙"), "甲\n乙");
        assert_eq!(cleaned("<P class=\"x\">甲</P>"), "甲");
        let result = clean_text("甲<br>乙<br/>丙<br />丁</br>");
        assert_eq!(result.text, "甲\n乙\n丙\n丁\n");
        assert_eq!(result.changes, ["<br> → line break"]);
        assert_eq!(cleaned("<p></p><p>乙</p>"), "乙");
        unchanged("<pre>x</pre>");
        unchanged("<p");
        unchanged("a < b > c");
        unchanged("<24小时");
        unchanged("<=5");
    }

    #[test]
    fn entities() {
        let result = clean_text("甲&nbsp;乙&amp;丙&lt;5&gt;&#37;&#x41;");
        assert_eq!(result.text, "甲 乙&丙<5>%A");
        assert_eq!(
            result.changes,
            ["decoded HTML entities &nbsp; &amp; &lt; &gt; &#37; &#x41;"]
        );
        assert_eq!(cleaned("&amp;lt;"), "&lt;");
        unchanged("AT&T");
        unchanged("&nbsp");
        unchanged("&unknown;");
        unchanged("&#0;");
        unchanged("&#xD800;");
    }

    #[test]
    fn markdown_heading() {
        let result = clean_text("### 表十四、2023年项目支出绩效目标表");
        assert_eq!(result.text, "表十四、2023年项目支出绩效目标表");
        assert_eq!(result.changes, ["removed markdown heading marker \"### \""]);
        assert_eq!(
            cleaned("## 2023年临沂市住房公积金中心部门预算整体绩效目标表（10）"),
            "2023年临沂市住房公积金中心部门预算整体绩效目标表（10）"
        );
        unchanged("#1号楼");
        unchanged("####### 七级");
        unchanged("### ");
        unchanged("甲 ### 乙");
    }

    #[test]
    fn normal_text_is_left_alone() {
        for text in [
            "",
            "较高",
            "  前后空格  ",
            "内部  两个空格",
            "全角，标点：；（）",
            "第一行\n第二行\r\n第三行",
            "≥85%",
            "100 %",
            "＜0.3％",
            "1、产出指标：数量指标，年度指标值：≥6次。",
        ] {
            unchanged(text);
        }
    }

    #[test]
    fn combined_artifacts() {
        let result = clean_text("<p>满意度 $\\geq 85\\%$&nbsp;以上</p>");
        assert_eq!(result.text, "满意度 ≥85% 以上");
        assert_eq!(
            result.changes,
            [
                "removed <p> tags",
                "decoded HTML entities &nbsp;",
                "LaTeX $\\geq 85\\%$ → ≥85%"
            ]
        );
        // the same fragment twice is reported once
        let result = clean_text("$\\geq 85\\%$ / $\\geq 85\\%$");
        assert_eq!(result.text, "≥85% / ≥85%");
        assert_eq!(result.changes.len(), 1);
    }

    #[test]
    fn odd_inputs_never_panic() {
        for text in [
            "",
            "≥",
            "％",
            "$",
            "$\\geq",
            "<p",
            "</",
            "<",
            "<>",
            "</p",
            "<br",
            "&",
            "&;",
            "&#;",
            "&#x;",
            "&#99999999999;",
            "\\",
            "\\\\",
            "$\\",
            "$\\$",
            "$^$",
            "$^{$",
            "$5^\\$",
            "$5^{\\circ$",
            "$\\text{$",
            "$\\text{abc",
            "#",
            "######",
            "9999999999999999999999999999999999",
            "年",
            "2025年13月",
            "０００",
            "<p>\u{3000}</p>",
            "$≥$",
        ] {
            let result = clean_text(text);
            assert_eq!(result.changes.is_empty(), result.text == text, "{text:?}");
        }
    }
}
