//! Loading a template: TOML (with its `extends` chain merged in) → typed values, then
//! the checks that the typed values cannot make on their own, each refused with one
//! line naming the file, the key and what was probably meant.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::Kind;

use super::{Arrangement, ListField, Template, field, names, pattern};

/// The layouts shipped in the binary: (id, template text), one per `templates/<id>.toml`,
/// sorted by id (listed by build.rs).
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// A TOML error on one line, its place first: toml prints the position ("TOML parse
/// error at line 3, column 5"), the source line and a caret, or the key path ("in
/// `form.cells.style`"), around the message.
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.chars().all(|c| c == '^'))
        .collect();
    let mut place = Vec::new();
    let mut said = Vec::new();
    for line in lines {
        if let Some(at) = line.strip_prefix("TOML parse error at ") {
            place.push(at.to_string());
        } else if let Some(key) = line.strip_prefix("in `").and_then(|k| k.strip_suffix('`')) {
            place.push(key.to_string());
        } else if !line
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start()
            .starts_with('|')
        {
            // Not the quoted source line ("2 | name ="): the message itself.
            said.push(line.to_string());
        }
    }
    place.extend(said);
    place.join(": ")
}

/// The template's table with its `extends` chain merged in (child keys win).
fn resolve_extends(
    name: &str,
    text: &str,
    dir: Option<&Path>,
    depth: usize,
) -> std::result::Result<toml::Table, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| one_line(&e.to_string()))?;
    let Some(base) = table
        .get("extends")
        .and_then(|v| v.as_str())
        .map(str::to_string)
    else {
        return Ok(table);
    };
    if depth > 8 {
        return Err(format!(
            "`extends = {base:?}`: templates extend each other in a loop"
        ));
    }
    let mut merged = match BUILTIN.iter().find(|(id, _)| *id == base) {
        Some((id, base_text)) => resolve_extends(id, base_text, None, depth + 1)?,
        None => {
            // A template given as text (a built-in, or one uploaded to `jixiao serve`) has
            // no folder: it may extend only built-in layouts, never name a file.
            let Some(dir) = dir else {
                return Err(format!(
                    "`extends = {base:?}`: no built-in layout of that name (a template given as text can extend only built-in layouts: {})",
                    builtin_ids().join(", ")
                ));
            };
            let path: PathBuf = dir.join(&base);
            let base_text = std::fs::read_to_string(&path).map_err(|e| {
                let valid: Vec<String> = builtin_ids().iter().map(|s| s.to_string()).collect();
                let mut m = format!(
                    "`extends = {base:?}`: no built-in layout of that name and no template file {} ({e})",
                    path.display()
                );
                if let Some(best) = names::nearest(&base, &valid) {
                    m.push_str(&format!("; did you mean `{best}`?"));
                } else {
                    m.push_str(&format!("; built-in layouts: {}", valid.join(", ")));
                }
                m
            })?;
            let _ = name;
            resolve_extends(
                &path.display().to_string(),
                &base_text,
                path.parent(),
                depth + 1,
            )
            .map_err(|e| format!("in {}: {e}", path.display()))?
        }
    };
    merge_tables(&mut merged, table);
    Ok(merged)
}

/// The ids of the built-in layouts.
pub fn builtin_ids() -> Vec<&'static str> {
    BUILTIN.iter().map(|(id, _)| *id).collect()
}

/// A layout by name: a built-in id, or a path to a template file.
pub fn resolve(name_or_path: &str) -> Result<Template> {
    let path = Path::new(name_or_path);
    if name_or_path.ends_with(".toml") || path.is_file() {
        Template::from_file(path)
    } else {
        Template::builtin(name_or_path)
    }
}

/// Child keys replace the base's; tables merge recursively.
fn merge_tables(base: &mut toml::Table, child: toml::Table) {
    for (key, value) in child {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(c)) => merge_tables(b, c),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

impl Template {
    /// Parses a template from TOML; `extends` may name only a built-in layout (the text
    /// has no folder to find a file in, and must not read files it names).
    pub fn from_toml(name: &str, text: &str) -> Result<Template> {
        Template::load(name, text, None)
    }

    /// Parses a template; `extends` names a built-in or a file relative to `dir`.
    fn load(name: &str, text: &str, dir: Option<&Path>) -> Result<Template> {
        let bad = |message: String| Error::Template {
            name: name.to_string(),
            message,
        };
        let table = resolve_extends(name, text, dir, 0).map_err(bad)?;
        let mut template: Template = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| bad(one_line(&e.to_string())))?;
        template.validate().map_err(bad)?;
        if template.detect.labels.is_empty() {
            template.detect.labels = template.own_labels();
        }
        Ok(template)
    }

    /// Loads a user's template file.
    pub fn from_file(path: &Path) -> Result<Template> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Template::load(&path.display().to_string(), &text, path.parent())
    }

    /// A built-in layout by id.
    pub fn builtin(id: &str) -> Result<Template> {
        match BUILTIN.iter().find(|(name, _)| *name == id) {
            Some((name, text)) => Template::from_toml(name, text),
            None => Err(Error::UnknownLayout {
                name: id.to_string(),
                known: builtin_ids().join(", "),
            }),
        }
    }

    /// All built-in layouts.
    pub fn builtins() -> Vec<Template> {
        BUILTIN
            .iter()
            .map(|(name, text)| {
                Template::from_toml(name, text).expect("built-in templates are valid")
            })
            .collect()
    }

    /// What the typed values cannot say on their own: shapes that fit together.
    fn validate(&self) -> std::result::Result<(), String> {
        if self.columns == 0 || self.columns > 256 {
            return Err(format!("`columns = {}`: must be 1 to 256", self.columns));
        }
        if crate::units::power(&self.money_unit).is_none() {
            return Err(format!(
                "`money_unit = {:?}`: unknown money unit; expected 元, 千元, 万元 or 亿元",
                self.money_unit
            ));
        }
        self.validate_form()?;
        self.validate_blocks()?;
        self.validate_kind()
    }

    fn validate_form(&self) -> std::result::Result<(), String> {
        for (i, row) in self.form.iter().enumerate() {
            let at = |key: &str| format!("form row {}: {key}", i + 1);
            for cell in &row.cells {
                let kinds = [
                    cell.label.is_some(),
                    cell.field.is_some(),
                    cell.is_pattern(),
                ];
                if kinds.iter().filter(|k| **k).count() != 1 {
                    return Err(format!(
                        "form row {}: a cell needs exactly one of `label`, `field` or a `format` naming fields",
                        i + 1
                    ));
                }
                if let Some(format) = &cell.format {
                    let own = format.slots().any(|s| s == pattern::Slot::Own);
                    let named = format.fields().next().is_some();
                    if cell.label.is_some() && cell.capture.is_none() {
                        return Err(at(&format!(
                            "`format = {:?}`: a label's format needs a `capture` field",
                            format.text
                        )));
                    }
                    if own && named {
                        return Err(at(&format!(
                            "`format = {:?}`: use either `{{}}` or field names, not both",
                            format.text
                        )));
                    }
                    if own && cell.field.is_none() && cell.capture.is_none() {
                        return Err(at(&format!(
                            "`format = {:?}`: `{{}}` needs the cell's `field`",
                            format.text
                        )));
                    }
                }
                if cell.cols == 0 || cell.rows == 0 {
                    return Err(at("`cols` and `rows` must be at least 1"));
                }
                for field in cell.fields() {
                    let line_of = match field.scope() {
                        field::Scope::Line(list) => Some(list),
                        _ => None,
                    };
                    if line_of != row.repeat && (line_of.is_some() || cell.label.is_none()) {
                        let path = field.path();
                        return Err(match (line_of, row.repeat) {
                            (Some(list), _) => at(&format!(
                                "`field = {path:?}`: a line field belongs in a row with `repeat = {:?}`",
                                names::Named::name(list)
                            )),
                            (None, Some(list)) => at(&format!(
                                "`field = {path:?}`: a row with `repeat = {:?}` holds only {0}.* fields",
                                names::Named::name(list)
                            )),
                            (None, None) => unreachable!("line_of != repeat"),
                        });
                    }
                }
            }
        }
        if self.form.iter().filter(|r| r.repeat.is_some()).count() > 1 {
            return Err("only one form row may have `repeat`".into());
        }
        let placed = self.placed_form();
        if let Some(p) = placed.iter().find(|p| p.col + p.cell.cols > self.columns) {
            return Err(format!(
                "form row {}: cells reach column {} but `columns = {}`",
                p.row + 1,
                p.col + p.cell.cols,
                self.columns
            ));
        }
        Ok(())
    }

    fn validate_blocks(&self) -> std::result::Result<(), String> {
        let tables = [
            self.list.is_some(),
            self.duties.is_some(),
            self.document_indicators().is_some(),
        ];
        let count = tables.iter().filter(|t| **t).count();
        // A duties table may be followed by the document's indicator table (宁德).
        let duties_then_indicators = count == 2 && !tables[0];
        if self.arrangement == Arrangement::Table && count != 1 && !duties_then_indicators {
            return Err("`arrangement = \"table\"` needs one of [list], [duties] or [indicators] with `scope = \"document\"` (or [duties] followed by such [indicators])".into());
        }
        if self.document_indicators().is_some() && self.arrangement != Arrangement::Table {
            return Err(
                "[indicators] `scope = \"document\"` goes with `arrangement = \"table\"`".into(),
            );
        }
        if let Some(list) = &self.list {
            for col in &list.columns {
                let indicators = col.field == ListField::Indicators;
                if indicators != col.codec.is_some() {
                    return Err(format!(
                        "list: column {:?}: `field = \"indicators\"` goes with `codec = \"numbered\"`, and only it",
                        col.label
                    ));
                }
            }
        }
        if let Some(ind) = &self.indicators {
            for col in &ind.columns {
                if col.field.is_value() && col.value_period().is_none() {
                    return Err(format!(
                        "indicators: value column {:?} needs a `period` or `side`",
                        col.label
                    ));
                }
            }
            let width: u32 =
                ind.columns.iter().map(|c| c.cols).sum::<u32>() + u32::from(ind.caption.is_some());
            if width > self.columns {
                return Err(format!(
                    "indicators: {width} columns but `columns = {}`",
                    self.columns
                ));
            }
        }
        Ok(())
    }

    /// `kind` must say what the blocks hold.
    fn validate_kind(&self) -> std::result::Result<(), String> {
        let holds = self.holds();
        let department = holds.duties || holds.sections || holds.indicators;
        let fits = match self.kind {
            Kind::Project => holds.projects,
            Kind::Department => department,
            Kind::Mixed => holds.projects && department,
        };
        if fits {
            return Ok(());
        }
        let suggested = match (holds.projects, department) {
            (true, true) => Some("mixed"),
            (true, false) => Some("project"),
            (false, true) => Some("department"),
            (false, false) => None,
        };
        let kind = serde_json::to_value(self.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let needs = match self.kind {
            Kind::Project => "an [indicators] or [list] block",
            Kind::Department => "a [duties] or [sections] block",
            Kind::Mixed => {
                "project blocks ([indicators] or [list]) and department blocks ([duties] or [sections])"
            }
        };
        Err(match suggested {
            Some(s) => {
                format!("`kind = {kind:?}`: the template has no {needs}; did you mean `{s}`?")
            }
            None => format!(
                "`kind = {kind:?}`: the template has no {needs}; add [indicators], [list], [duties] or [sections]"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_file_is_built_in_under_its_own_id() {
        let ids = builtin_ids();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        for id in ids {
            let t = Template::builtin(id).expect("a built-in template loads");
            assert_eq!(t.id, id, "templates/{id}.toml says id = {:?}", t.id);
        }
    }
}
