//! Patterns: one placeholder syntax for cells, titles, sheet names and headings.
//!
//! `"[{doc.department.code}]{doc.department.name}"` prints a cell by filling each
//! `{…}` and reads one back by matching: the literal text between placeholders splits
//! the parts. `{}` stands for the cell's own field (`"{}年"`), `{no}` for a project's
//! number on a stacked sheet.

use crate::text::{key_char, label_key};

use super::field::{Field, FieldKind, Scope};
use super::names;

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// As written in the template.
    pub text: String,
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Literal(String),
    Slot(Slot),
}

/// What a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `{}`: the cell's own field.
    Own,
    /// `{no}`: the project's number, counting from 1.
    Number,
    /// A field path.
    Field(Field),
}

/// Where a pattern is used, which decides the placeholders it may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// A form cell's `format`: `{}` and any field path.
    Cell,
    /// A title line: document fields; `{department}` is the document's department name.
    Title,
    /// A sheet name or a stacked project's heading: `{no}` and project fields.
    Project,
}

impl Pattern {
    /// Parses a pattern given under `key` ("format", "title.text").
    pub fn parse(key: &str, text: &str, context: Context) -> Result<Pattern, String> {
        let bad = |why: String| format!("`{key} = {text:?}`: {why}");
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Literal(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| bad("a `{` is never closed".into()))?;
            let name = &after[..close];
            if name.contains('{') {
                return Err(bad("a `{` is never closed".into()));
            }
            pieces.push(Piece::Slot(slot(name, context).map_err(bad)?));
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err(bad("a `}` has no `{`".into()));
        }
        if !rest.is_empty() {
            pieces.push(Piece::Literal(rest.to_string()));
        }
        Ok(Pattern {
            text: text.to_string(),
            pieces,
        })
    }

    /// The fields the pattern names.
    pub fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.slots().filter_map(|s| match s {
            Slot::Field(f) => Some(f),
            _ => None,
        })
    }

    /// Every placeholder, in order.
    pub fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Slot(s) => Some(*s),
            Piece::Literal(_) => None,
        })
    }

    /// Whether a placeholder names `field`.
    pub fn names(&self, field: Field) -> bool {
        self.fields().any(|f| f == field)
    }

    /// The literal parts (text outside placeholders), in order.
    pub fn literals(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Literal(l) => Some(l.as_str()),
            Piece::Slot(_) => None,
        })
    }

    /// Fills every placeholder; literals are always printed (titles, sheet names).
    pub fn fill(&self, mut value: impl FnMut(Slot) -> String) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(l) => out.push_str(l),
                Piece::Slot(s) => out.push_str(&value(*s)),
            }
        }
        out
    }

    /// Fills a cell: a literal is printed only beside parts that have a value, so
    /// that `"[{code}]{name}"` without a code prints the bare name and `"{}年"` with
    /// no value prints nothing.
    pub fn fill_cell(&self, mut value: impl FnMut(Slot) -> Option<String>) -> String {
        let parts: Vec<Option<String>> = self
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Slot(s) => value(*s).filter(|v| !v.is_empty()),
                Piece::Literal(_) => None,
            })
            .collect();
        let filled = |i: usize| parts[i].is_some();
        let slot_at = |i: usize| matches!(self.pieces[i], Piece::Slot(_));
        let mut out = String::new();
        for (i, piece) in self.pieces.iter().enumerate() {
            match piece {
                Piece::Slot(_) => out.push_str(parts[i].as_deref().unwrap_or("")),
                Piece::Literal(l) => {
                    let before = (0..i).rev().find(|&j| slot_at(j));
                    let after = (i + 1..self.pieces.len()).find(|&j| slot_at(j));
                    let keep = match (before, after) {
                        (Some(b), Some(a)) => filled(b) && filled(a),
                        (Some(b), None) => filled(b),
                        (None, Some(a)) => filled(a),
                        (None, None) => true,
                    };
                    if keep {
                        out.push_str(l);
                    }
                }
            }
        }
        out
    }

    /// Reads a cell printed by [`Pattern::fill_cell`]: each placeholder with its part
    /// of the text, in the published spelling. Literals match whatever their width or
    /// bracket style; a part of a code kind ends where its letters and digits do. When
    /// the separators are missing, the whole text goes to the first placeholder whose
    /// kind accepts it (a code, a year) and otherwise to the first text placeholder.
    pub fn read_cell(&self, text: &str) -> Vec<(Slot, String)> {
        let text = text.trim();
        if let Some(parts) = self.split(text) {
            return parts;
        }
        let slots: Vec<Slot> = self.slots().collect();
        let kind = |s: &Slot| match s {
            Slot::Field(f) => f.kind(),
            _ => FieldKind::Text,
        };
        let whole = slots
            .iter()
            .find(|s| kind(s) != FieldKind::Text && kind(s).accepts(text))
            .or_else(|| slots.iter().find(|s| kind(s) == FieldKind::Text))
            .or(slots.first());
        whole
            .map(|s| vec![(*s, text.to_string())])
            .unwrap_or_default()
    }

    /// Strict matching of [`Pattern::read_cell`]: every literal in its place.
    fn split(&self, text: &str) -> Option<Vec<(Slot, String)>> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut at = 0; // index into chars
        let mut parts = Vec::new();
        let mut pending: Option<Slot> = None;
        for piece in &self.pieces {
            match piece {
                Piece::Literal(l) => {
                    let lit: Vec<char> = l.chars().map(key_char).collect();
                    let found = match pending {
                        Some(slot) if kind_of(slot) == FieldKind::Code => {
                            let end = code_end(&chars, at);
                            starts_at(&chars, end, &lit).then_some(end)
                        }
                        Some(_) => (at..=chars.len()).find(|&i| starts_at(&chars, i, &lit)),
                        None => starts_at(&chars, at, &lit).then_some(at),
                    }?;
                    if let Some(slot) = pending.take() {
                        parts.push((slot, slice(text, &chars, at, found)));
                    }
                    at = found + lit.len();
                }
                Piece::Slot(s) => {
                    if let Some(prev) = pending.take() {
                        // Two placeholders side by side: only a code can end by itself.
                        if kind_of(prev) != FieldKind::Code {
                            return None;
                        }
                        let end = code_end(&chars, at);
                        parts.push((prev, slice(text, &chars, at, end)));
                        at = end;
                    }
                    pending = Some(*s);
                }
            }
        }
        match pending {
            Some(slot) => parts.push((slot, slice(text, &chars, at, chars.len()))),
            None if at != chars.len() => return None,
            None => {}
        }
        let fits = parts
            .iter()
            .all(|(s, part)| kind_of(*s).accepts(part.trim()));
        fits.then(|| {
            parts
                .into_iter()
                .map(|(s, p)| (s, p.trim().to_string()))
                .collect()
        })
    }

    /// Undoes a single-placeholder format on a cell's text ("3年" → "3"), comparing as
    /// labels do; text that does not fit is returned trimmed.
    pub fn unformat(&self, text: &str) -> String {
        let t = text.trim();
        let mut before = String::new();
        let mut after = String::new();
        let mut seen = false;
        for piece in &self.pieces {
            match piece {
                Piece::Literal(l) if seen => after.push_str(l),
                Piece::Literal(l) => before.push_str(l),
                Piece::Slot(_) => seen = true,
            }
        }
        let (pre, post, key) = (label_key(&before), label_key(&after), label_key(t));
        if seen
            && key.starts_with(&pre)
            && key.ends_with(&post)
            && key.len() >= pre.len() + post.len()
        {
            return key[pre.len()..key.len() - post.len()].to_string();
        }
        t.to_string()
    }

    /// Matches text against the pattern as label keys (widths, spaces and bracket
    /// styles aside), giving each placeholder its part. Text after the pattern's end
    /// is allowed: "…目标表（10）" still matches "…目标表".
    pub fn match_key(&self, text: &str) -> Option<Vec<(Slot, String)>> {
        let text = label_key(text);
        let mut parts = Vec::new();
        let mut rest = text.as_str();
        let mut pending: Option<Slot> = None;
        for piece in &self.pieces {
            match piece {
                Piece::Slot(s) => pending = Some(*s),
                Piece::Literal(l) => {
                    let literal = label_key(l);
                    if literal.is_empty() {
                        continue;
                    }
                    let at = rest.find(&literal)?;
                    match pending.take() {
                        Some(slot) => parts.push((slot, rest[..at].to_string())),
                        None if at != 0 => return None,
                        None => {}
                    }
                    rest = &rest[at + literal.len()..];
                }
            }
        }
        if let Some(slot) = pending {
            parts.push((slot, rest.to_string()));
        }
        Some(parts)
    }

    /// The fixed parts of the pattern as label keys of at least two characters: what
    /// a line must contain to be one this pattern printed.
    pub fn fixed_keys(&self) -> Vec<String> {
        self.literals()
            .map(label_key)
            .filter(|p| p.chars().count() >= 2)
            .collect()
    }
}

/// Deserializes a pattern given under `key`, refusing a bad one with its reason.
pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(
    d: D,
    key: &str,
    context: Context,
) -> Result<Pattern, D::Error> {
    let text = <String as serde::Deserialize>::deserialize(d)?;
    Pattern::parse(key, &text, context).map_err(serde::de::Error::custom)
}

fn kind_of(slot: Slot) -> FieldKind {
    match slot {
        Slot::Field(f) => f.kind(),
        _ => FieldKind::Text,
    }
}

/// The end of a run of ASCII letters and digits starting at `from`.
fn code_end(chars: &[(usize, char)], from: usize) -> usize {
    (from..chars.len())
        .find(|&i| !key_char(chars[i].1).is_ascii_alphanumeric())
        .unwrap_or(chars.len())
}

fn starts_at(chars: &[(usize, char)], at: usize, lit: &[char]) -> bool {
    at + lit.len() <= chars.len()
        && lit
            .iter()
            .zip(&chars[at..])
            .all(|(l, (_, c))| *l == key_char(*c))
}

fn slice(text: &str, chars: &[(usize, char)], from: usize, to: usize) -> String {
    let start = chars.get(from).map_or(text.len(), |c| c.0);
    let end = chars.get(to).map_or(text.len(), |c| c.0);
    text[start..end].to_string()
}

/// What a placeholder name stands for in a context.
fn slot(name: &str, context: Context) -> Result<Slot, String> {
    match (name, context) {
        ("", Context::Cell) => return Ok(Slot::Own),
        ("no", Context::Project) => return Ok(Slot::Number),
        ("department", Context::Title) => return Ok(Slot::Field(Field::DEPARTMENT_NAME)),
        _ => {}
    }
    let allowed = |f: &Field| match context {
        Context::Cell => true,
        Context::Title => f.scope() == Scope::Document,
        Context::Project => f.scope() == Scope::Project,
    };
    if let Some(field) = Field::parse(name).filter(allowed) {
        return Ok(Slot::Field(field));
    }
    let mut valid: Vec<String> = Field::all().filter(allowed).map(|f| f.path()).collect();
    match context {
        Context::Cell => valid.push(String::new()),
        Context::Title => valid.push("department".into()),
        Context::Project => valid.push("no".into()),
    }
    let mut message = format!("unknown placeholder `{{{name}}}`");
    match names::nearest(name, &valid) {
        Some(best) => message.push_str(&format!("; did you mean `{{{best}}}`?")),
        None => message.push_str(&format!(
            "; placeholders here are {}",
            valid
                .iter()
                .take(12)
                .map(|v| format!("{{{v}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    Err(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(p: &str) -> Pattern {
        Pattern::parse("format", p, Context::Cell).unwrap()
    }

    fn read(p: &str, text: &str) -> Vec<(String, String)> {
        cell(p)
            .read_cell(text)
            .into_iter()
            .map(|(s, v)| match s {
                Slot::Field(f) => (f.path(), v),
                _ => ("{}".into(), v),
            })
            .collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn department_with_code_in_brackets() {
        let p = "[{doc.department.code}]{doc.department.name}";
        assert_eq!(
            read(p, "[079]六安市住房公积金中心"),
            [
                pair("doc.department.code", "079"),
                pair("doc.department.name", "六安市住房公积金中心")
            ]
        );
        // Full-width brackets match, and the name keeps its own spelling.
        assert_eq!(
            read(p, "【079】六安市（本级）"),
            [
                pair("doc.department.code", "079"),
                pair("doc.department.name", "六安市（本级）")
            ]
        );
        // No code: the whole text is the name.
        assert_eq!(
            read(p, "盐城市住房公积金管理中心"),
            [pair("doc.department.name", "盐城市住房公积金管理中心")]
        );
    }

    #[test]
    fn code_and_name_run_together() {
        let p = "{doc.department.code}{doc.department.name}";
        assert_eq!(
            read(p, "603001唐山市住房公积金管理中心（参公）本级"),
            [
                pair("doc.department.code", "603001"),
                pair(
                    "doc.department.name",
                    "唐山市住房公积金管理中心（参公）本级"
                )
            ]
        );
    }

    #[test]
    fn manager_and_phone() {
        let p = "{manager}/{phone}";
        assert_eq!(
            read(p, "王某/0515-88888888"),
            [pair("manager", "王某"), pair("phone", "0515-88888888")]
        );
        assert_eq!(
            read(p, "王某／0515"),
            [pair("manager", "王某"), pair("phone", "0515")]
        );
        // No separator: the text goes to the first text placeholder.
        assert_eq!(read(p, "王某"), [pair("manager", "王某")]);
    }

    #[test]
    fn fill_drops_separators_of_empty_parts() {
        let p = cell("{manager}/{phone}");
        let f = |m: Option<&str>, ph: Option<&str>| {
            p.fill_cell(|s| match s {
                Slot::Field(f) if f.path() == "manager" => m.map(str::to_string),
                _ => ph.map(str::to_string),
            })
        };
        assert_eq!(f(Some("王某"), Some("0515")), "王某/0515");
        assert_eq!(f(Some("王某"), None), "王某");
        assert_eq!(f(None, Some("0515")), "0515");
        assert_eq!(f(None, None), "");
        assert_eq!(cell("{}年").fill_cell(|_| None), "");
        assert_eq!(cell("{}年").fill_cell(|_| Some("3".into())), "3年");
        assert_eq!(cell("{}年").unformat("3 年"), "3");
    }

    #[test]
    fn bad_patterns_say_why() {
        let e = Pattern::parse("format", "{nmae}", Context::Cell).unwrap_err();
        assert_eq!(
            e,
            "`format = \"{nmae}\"`: unknown placeholder `{nmae}`; did you mean `{name}`?"
        );
        let e = Pattern::parse("format", "[{doc.department.code]", Context::Cell).unwrap_err();
        assert!(e.contains("never closed"), "{e}");
        let e = Pattern::parse("title.text", "{name}年", Context::Title).unwrap_err();
        assert!(e.contains("unknown placeholder `{name}`"), "{e}");
    }
}
