//! The whole template vocabulary as one table, generated from the descriptor tables
//! the code uses (`FIELDS`, `INDICATOR_FIELDS`, `DUTY_FIELDS`), so that
//! `templates/README.md` cannot drift from them (a test compares the two).

use super::duties::DUTY_FIELDS;
use super::field::{FIELDS, FieldKind, Repeat, Scope};
use super::indicators::INDICATOR_FIELDS;
use super::names::Named;

/// The markdown table of every field path: its kind, the blocks that accept it, and
/// what it is.
pub fn markdown() -> String {
    let mut out = String::from("| path | kind | accepted in | what it is |\n|---|---|---|---|\n");
    let mut row = |path: &str, kind: FieldKind, blocks: &str, about: &str| {
        out.push_str(&format!(
            "| `{path}` | {} | {blocks} | {about} |\n",
            kind.name()
        ));
    };
    for def in FIELDS {
        let blocks = match def.scope {
            Scope::Document if def.path == "fiscal_year" => {
                "form, title (`{fiscal_year}`)".to_string()
            }
            Scope::Document if def.path == "doc.department.name" => {
                "form, title (`{department}`)".to_string()
            }
            Scope::Document => "form".to_string(),
            Scope::Project => "form, list, sheet_name, heading".to_string(),
            Scope::Line(list) => format!("form row with `repeat = \"{}\"`", list_name(list)),
        };
        row(def.path, def.kind, &blocks, def.about);
    }
    row(
        "indicators",
        FieldKind::Text,
        "list (with `codec = \"numbered\"`)",
        "the project's indicators as numbered text (guangzhou)",
    );
    for def in INDICATOR_FIELDS {
        row(def.name, def.kind, "indicators", def.about);
    }
    for def in DUTY_FIELDS {
        row(def.name, def.field.kind(), "duties", def.about);
    }
    out
}

fn list_name(list: Repeat) -> &'static str {
    Repeat::all()
        .iter()
        .find(|(_, r)| *r == list)
        .map_or("", |(n, _)| n)
}

#[cfg(test)]
mod tests {
    /// `JIXIAO_PRINT_VOCABULARY=1 cargo test vocabulary` prints the table.
    #[test]
    fn print_when_asked() {
        if std::env::var_os("JIXIAO_PRINT_VOCABULARY").is_some() {
            println!("{}", super::markdown());
        }
    }

    /// templates/README.md carries the generated table between its markers.
    #[test]
    fn readme_table_is_the_generated_one() {
        let readme = include_str!("../../templates/README.md");
        let begin = "<!-- vocabulary:begin (generated from src/template/vocabulary.rs) -->\n";
        let end = "<!-- vocabulary:end -->";
        let from = readme.find(begin).expect("README has the begin marker") + begin.len();
        let to = readme.find(end).expect("README has the end marker");
        let expected = super::markdown();
        if readme[from..to] != expected {
            panic!(
                "templates/README.md's vocabulary table differs from the code; replace it with:\n{expected}"
            );
        }
    }
}
