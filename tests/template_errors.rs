//! A template with a mistake is refused at load with one line that names the file, the
//! key and what was probably meant (issue 12).

mod common;

use jixiao::template::Template;

/// A small valid project template; each case below breaks one thing in it.
const GOOD: &str = r#"
id = "mine"
name = "某市 项目支出绩效目标表"
kind = "project"
columns = 4

[title]
text = "{fiscal_year}年项目支出绩效目标表"

[[form]]
cells = [
  { label = "项目名称" },
  { field = "name", style = "text" },
  { label = "主管部门" },
  { format = "[{doc.department.code}]{doc.department.name}" },
]

[indicators]
columns = [
  { label = "一级指标", field = "level1" },
  { label = "二级指标", field = "level2" },
  { label = "三级指标", field = "name" },
  { label = "指标值", field = "value", period = "annual" },
]
"#;

/// Writes `text` as a template file and loads it; returns the error line.
fn refused(case: &str, text: &str) -> String {
    let dir = common::scratch(&format!("template-errors-{case}"));
    let path = dir.join(format!("{case}.toml"));
    std::fs::write(&path, text).unwrap();
    let err = Template::from_file(&path).expect_err("the template is refused");
    let message = err.to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    assert!(
        message.contains(&format!("{case}.toml")),
        "names the file: {message}"
    );
    message
}

fn assert_says(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "{part:?} missing in: {message}");
    }
}

#[test]
fn the_good_template_loads() {
    let dir = common::scratch("template-errors-good");
    let path = dir.join("good.toml");
    std::fs::write(&path, GOOD).unwrap();
    let t = Template::from_file(&path).unwrap();
    // [detect] labels default to the template's own labels.
    assert_eq!(
        t.detect.labels[..2],
        ["项目名称".to_string(), "主管部门".to_string()]
    );
}

#[test]
fn unknown_field() {
    let m = refused(
        "field",
        &GOOD.replace(r#"field = "name", style"#, r#"field = "nmae", style"#),
    );
    assert_says(
        &m,
        &[
            "`field = \"nmae\"`",
            "unknown field",
            "did you mean `name`?",
        ],
    );
}

#[test]
fn unknown_style() {
    let m = refused(
        "style",
        &GOOD.replace(r#"style = "text""#, r#"style = "txet""#),
    );
    assert_says(
        &m,
        &[
            "form.cells.style",
            "`style = \"txet\"`",
            "did you mean `text`?",
        ],
    );
}

#[test]
fn unknown_indicator_column() {
    let m = refused(
        "column",
        &GOOD.replace(r#"field = "level2""#, r#"field = "levl2""#),
    );
    assert_says(
        &m,
        &[
            "indicators.columns.field",
            "`field = \"levl2\"`",
            "did you mean `level2`?",
        ],
    );
}

#[test]
fn bad_pattern() {
    let m = refused(
        "pattern",
        &GOOD.replace("{doc.department.code}", "{doc.department.cod}"),
    );
    assert_says(
        &m,
        &[
            "`format = \"[{doc.department.cod}]{doc.department.name}\"`",
            "unknown placeholder `{doc.department.cod}`",
            "did you mean `{doc.department.code}`?",
        ],
    );
    let m = refused(
        "unclosed",
        &GOOD.replace("{doc.department.code}]", "{doc.department.code]"),
    );
    assert_says(&m, &["`format = ", "never closed"]);
    let m = refused("title", &GOOD.replace("{fiscal_year}年", "{fiscal_yaer}年"));
    assert_says(&m, &["`text = ", "did you mean `{fiscal_year}`?"]);
}

#[test]
fn extends_a_missing_file_or_layout() {
    let m = refused("extends", &format!("extends = \"luna\"\n{GOOD}"));
    assert_says(
        &m,
        &[
            "`extends = \"luna\"`",
            "no built-in layout",
            "did you mean `luan`?",
        ],
    );
    let m = refused(
        "extendsfile",
        &format!("extends = \"base/city.toml\"\n{GOOD}"),
    );
    assert_says(
        &m,
        &[
            "`extends = \"base/city.toml\"`",
            "no template file",
            "built-in layouts: ",
        ],
    );
    // Every built-in id is offered.
    for id in jixiao::template::builtin_ids() {
        assert!(m.contains(id), "{id} missing in: {m}");
    }
}

#[test]
fn extends_a_file_beside_it() {
    let dir = common::scratch("template-errors-extends-ok");
    std::fs::write(dir.join("base.toml"), GOOD).unwrap();
    let child =
        "extends = \"base.toml\"\nid = \"child\"\n[title]\ntext = \"某县{fiscal_year}年项目表\"\n";
    std::fs::write(dir.join("child.toml"), child).unwrap();
    let t = Template::from_file(&dir.join("child.toml")).unwrap();
    assert_eq!((t.id.as_str(), t.columns), ("child", 4));
    assert_eq!(t.title.text.text, "某县{fiscal_year}年项目表");
}

#[test]
fn kind_that_does_not_match_its_blocks() {
    let m = refused(
        "kind",
        &GOOD.replace(r#"kind = "project""#, r#"kind = "department""#),
    );
    assert_says(
        &m,
        &[
            "`kind = \"department\"`",
            "[duties] or [sections]",
            "did you mean `project`?",
        ],
    );
}

#[test]
fn unknown_repeat_and_side() {
    let with_repeat = GOOD.replace(
        "[indicators]",
        "[[form]]\nrepeat = \"expense\"\ncells = [{ field = \"expenses.name\" }]\n\n[indicators]",
    );
    let m = refused("repeat", &with_repeat);
    assert_says(&m, &["`repeat = \"expense\"`", "did you mean `expenses`?"]);
    let m = refused(
        "side",
        &GOOD.replace(r#"period = "annual""#, r#"side = "anual""#),
    );
    assert_says(&m, &["`side = \"anual\"`", "did you mean `annual`?"]);
}

#[test]
fn layouts_prints_the_vocabulary_table_of_the_readme() {
    let out = common::jixiao(&["layouts", "--vocabulary"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("| path | kind | accepted in | what it is |"));
    let readme = include_str!("../templates/README.md");
    assert!(readme.contains(&table), "the README carries the same table");
}
