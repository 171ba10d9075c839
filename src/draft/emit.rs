//! The drafted template as TOML text, each guess with its reason as a comment.

use std::fmt::Write;

use super::indicators::Table;
use super::values::{DraftCell, Kind, Layout};

/// Everything the TOML is written from.
pub struct Draft<'a> {
    pub arrangement: &'static str,
    /// `project` or `department`.
    pub kind: &'static str,
    pub layout: &'a Layout,
    /// The indicator table, when there is one.
    pub table: Option<&'a Table>,
    /// Whether the indicator table is the document's (after a duties table).
    pub scope_document: bool,
    /// A `[list]` or `[duties]` block, written as it is.
    pub block: String,
    pub footer: Vec<String>,
}

/// A comment's text on one line (labels may hold line breaks).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A TOML string literal.
fn q(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A year in a title becomes `{fiscal_year}`; braces of the text itself are dropped.
fn title_pattern(text: &str) -> (String, bool) {
    let clean: String = text.chars().filter(|c| *c != '{' && *c != '}').collect();
    let chars: Vec<char> = clean.chars().collect();
    for i in 0..chars.len().saturating_sub(3) {
        let year: String = chars[i..i + 4].iter().collect();
        let before = i == 0 || !chars[i - 1].is_ascii_digit();
        let after = chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        if before
            && after
            && (year.starts_with("19") || year.starts_with("20"))
            && year.chars().all(|c| c.is_ascii_digit())
        {
            let head: String = chars[..i].iter().collect();
            let tail: String = chars[i + 4..].iter().collect();
            return (format!("{head}{{fiscal_year}}{tail}"), true);
        }
    }
    (clean, false)
}

/// The template file's text.
pub fn toml(d: &Draft) -> String {
    let l = d.layout;
    let mut out = String::new();
    out.push_str(
        "# Drafted by `jixiao template draft`: every guess carries its reason. Check the\n",
    );
    out.push_str(
        "# labels kept in extras and the fields before using it (templates/README.md).\n\n",
    );
    let _ = writeln!(out, "id = \"drafted\"");
    let _ = writeln!(
        out,
        "name = {}",
        q(l.title.as_deref().unwrap_or("drafted form"))
    );
    let _ = writeln!(out, "kind = {}", q(d.kind));
    let _ = writeln!(
        out,
        "columns = {}",
        l.columns.max(d.table.map_or(0, Table::width))
    );
    let _ = writeln!(
        out,
        "arrangement = {} # {}",
        q(d.arrangement),
        arrangement_reason(d.arrangement)
    );
    let _ = writeln!(out, "sheet_name = {}", q(&sheet_name(&l.sheet_name)));
    let _ = writeln!(out, "money_unit = {}", q(l.money_unit));
    if d.arrangement == "stacked"
        && let Some(start) = &l.start_label
    {
        let _ = writeln!(
            out,
            "start = {} # the first form label starts each project",
            q(start)
        );
    }
    title(&mut out, l, d.kind == "department");
    if d.arrangement == "stacked"
        && let Some(h) = &l.heading
    {
        let _ = writeln!(
            out,
            "\n[project]\nheading = {} # the line before each project\ngap = 1",
            q(&heading(h))
        );
    }
    for row in &l.rows {
        out.push_str("\n[[form]]\n");
        if row.repeat {
            out.push_str("repeat = \"expenses\" # one row per 支出 line, 合计 included\n");
        }
        out.push_str("cells = [\n");
        for c in &row.cells {
            let _ = writeln!(out, "  {}, # {}", cell(c), one_line(&c.reason));
        }
        out.push_str("]\n");
    }
    out.push_str(&d.block);
    if let Some(t) = d.table {
        indicators(&mut out, t, d.scope_document);
    }
    if !d.footer.is_empty() {
        let slots: Vec<String> = d.footer.iter().map(|s| q(s)).collect();
        let _ = writeln!(
            out,
            "\n# Signature lines under the table.\n[footer]\nsignatures = [{}]",
            slots.join(", ")
        );
    }
    out
}

fn arrangement_reason(a: &str) -> &'static str {
    match a {
        "stacked" => "several indicator tables on one sheet",
        "table" => "one table under a header of short labels",
        _ => "one indicator table a sheet",
    }
}

/// A sheet name: the first table's, without characters a pattern reserves.
fn sheet_name(name: &str) -> String {
    let n: String = name.chars().filter(|c| *c != '{' && *c != '}').collect();
    if n.is_empty() {
        "绩效目标表".into()
    } else {
        n
    }
}

/// A stacked project's heading: its number becomes `{no}`.
fn heading(text: &str) -> String {
    let rest = text.trim_start_matches(|c: char| c.is_ascii_digit());
    if rest.len() < text.len() {
        format!("{{no}}{rest}")
    } else {
        text.to_string()
    }
}

fn title(out: &mut String, l: &Layout, department: bool) {
    let Some(text) = &l.title else {
        let _ = writeln!(
            out,
            "\n[title]\ntext = \"绩效目标表\" # no title line found"
        );
        return;
    };
    let (mut t, year) = title_pattern(text);
    let mut why = if year {
        "the first line, its year as {fiscal_year}"
    } else {
        "the first line"
    };
    // 2023年临沂市住房公积金中心部门预算…: the department named between the year and 部门.
    if department
        && let Some(rest) = t.strip_prefix("{fiscal_year}年")
        && let Some(i) = rest.find("部门").filter(|&i| i > 0)
    {
        t = format!("{{fiscal_year}}年{{department}}{}", &rest[i..]);
        why =
            "the first line: its year as {fiscal_year}, the department before 部门 as {department}";
    }
    let _ = writeln!(out, "\n[title]\ntext = {} # {why}", q(&t));
    if let Some(sub) = &l.subtitle {
        let (s, _) = title_pattern(sub);
        let _ = writeln!(out, "subtitle = {} # the second line", q(&s));
    }
}

fn cell(c: &DraftCell) -> String {
    let mut parts = Vec::new();
    match &c.kind {
        Kind::Label { text, capture } => {
            parts.push(format!("label = {}", q(text)));
            if let Some((field, format)) = capture {
                parts.push(format!("capture = {}", q(field)));
                parts.push(format!("format = {}", q(format)));
            }
        }
        Kind::Value {
            field,
            format,
            from,
            text_style,
        } => {
            let pattern = format.as_deref().is_some_and(|f| !f.contains("{}"));
            if let Some(f) = field.as_ref().filter(|_| !pattern) {
                parts.push(format!("field = {}", q(f)));
            }
            if let Some(f) = format {
                parts.push(format!("format = {}", q(f)));
            }
            if *from != "left" {
                parts.push(format!("from = {}", q(from)));
            }
            if *text_style {
                parts.push("style = \"text\"".into());
            }
        }
    }
    if c.cols > 1 {
        parts.push(format!("cols = {}", c.cols));
    }
    if c.rows > 1 {
        parts.push(format!("rows = {}", c.rows));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn indicators(out: &mut String, t: &Table, document: bool) {
    out.push_str("\n[indicators]\n");
    if document {
        out.push_str("scope = \"document\" # after the duties table: the department's own\n");
    }
    if let Some(c) = &t.caption {
        let _ = writeln!(out, "caption = {} # merged down beside the table", q(c));
    }
    if !t.sides.is_empty() {
        let sides: Vec<String> = t.sides.iter().map(|s| q(s)).collect();
        let _ = writeln!(
            out,
            "sides = [{}] # columns printed twice, side by side",
            sides.join(", ")
        );
    }
    out.push_str("columns = [\n");
    for c in &t.columns {
        let mut parts = vec![
            format!("label = {}", q(&c.label)),
            format!("field = {}", q(&c.field)),
        ];
        if let Some(s) = c.side {
            parts.push(format!("side = {}", q(s)));
        }
        if let Some(p) = c.period {
            parts.push(format!("period = {}", q(p)));
        }
        if c.cols > 1 {
            parts.push(format!("cols = {}", c.cols));
        }
        let _ = writeln!(
            out,
            "  {{ {} }}, # {}",
            parts.join(", "),
            one_line(&c.reason)
        );
    }
    out.push_str("]\n");
}

impl Table {
    /// The columns the table spans (with its caption).
    pub fn width(&self) -> usize {
        self.columns.iter().map(|c| c.cols).sum::<usize>() + usize::from(self.caption.is_some())
    }
}
