//! The tables `jixiao collect` writes: one definition drives the SQLite schema, the
//! xlsx sheets, the CSV files, `jixiao collect --schema` and the README's table.
//!
//! Bump [`SCHEMA_VERSION`] whenever a table or column changes: a database made by
//! another version is refused rather than half-updated.

use std::sync::LazyLock;

use crate::model::{Fund, Period};

/// The version of the collected tables, stored in the database's `meta` table.
pub const SCHEMA_VERSION: &str = "1";

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The row's own id (`INTEGER PRIMARY KEY`).
    Id,
    /// The id of a row of another table; deleting that row deletes this one.
    Ref(&'static str),
    /// A whole number.
    Integer,
    /// A number such as a confidence or an indicator's target.
    Real,
    /// An amount in 万元 (every document's amounts are converted to 万元, exactly).
    Money,
    /// Text.
    Text,
}

impl Kind {
    /// The SQLite column type.
    pub fn sql(self) -> &'static str {
        match self {
            Kind::Id | Kind::Ref(_) | Kind::Integer => "INTEGER",
            Kind::Real | Kind::Money => "REAL",
            Kind::Text => "TEXT",
        }
    }
}

/// One column.
#[derive(Debug, Clone)]
pub struct Column {
    /// English snake_case, the name in SQL, xlsx and CSV headers.
    pub name: String,
    /// The Chinese label of the forms.
    pub label: String,
    /// What it holds.
    pub kind: Kind,
}

/// One table (or, in SQLite, a view: `view` is its query).
#[derive(Debug, Clone)]
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// One line on what a row is.
    pub about: &'static str,
    /// The columns, `id` first for tables.
    pub columns: Vec<Column>,
    /// For a view: the SELECT that makes it (a table of its own in xlsx and CSV).
    pub view: Option<&'static str>,
    /// Columns indexed for joins and lookups.
    pub indexes: &'static [&'static str],
}

impl Table {
    /// The column of this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

fn col(name: &str, label: &str, kind: Kind) -> Column {
    Column {
        name: name.to_string(),
        label: label.to_string(),
        kind,
    }
}

fn id() -> Column {
    col("id", "编号", Kind::Id)
}

fn document_id() -> Column {
    col("document_id", "所属文件编号", Kind::Ref("documents"))
}

/// The Chinese name of an amount key, as the forms print it.
fn fund_label(fund: Fund) -> &'static str {
    match fund {
        Fund::Total => "资金总额",
        Fund::Fiscal => "财政拨款",
        Fund::GeneralBudget => "一般公共预算资金",
        Fund::GovernmentFund => "政府性基金预算资金",
        Fund::SpecialAccount => "财政专户管理资金",
        Fund::StateCapital => "国有资本经营预算资金",
        Fund::SocialInsurance => "社会保险基金预算资金",
        Fund::CarryOver => "上年结转",
        Fund::Other => "其他资金",
        Fund::Basic => "基本支出",
        Fund::Project => "项目支出",
    }
}

/// `annual_total`, `mid_term_fiscal` …: one column per period and amount key.
pub fn amount_column(period: Period, fund: Fund) -> String {
    format!("{}_{}", period.key(), fund.key())
}

const SUMMARY: &str = "SELECT d.department AS department, d.fiscal_year AS fiscal_year, \
count(*) AS documents, sum(d.error IS NOT NULL) AS failed, \
coalesce(sum(p.projects), 0) AS projects, \
sum(p.mid_term_total) AS mid_term_total, sum(p.annual_total) AS annual_total, \
sum(p.half_year_total) AS half_year_total, sum(d.total) AS document_total, \
coalesce(sum(d.indicator_count), 0) AS indicators, coalesce(sum(d.check_errors), 0) AS errors, \
coalesce(sum(d.check_warnings), 0) AS warnings \
FROM documents d LEFT JOIN (SELECT document_id, count(*) AS projects, \
sum(mid_term_total) AS mid_term_total, sum(annual_total) AS annual_total, \
sum(half_year_total) AS half_year_total FROM projects GROUP BY document_id) p \
ON p.document_id = d.id \
GROUP BY d.department, d.fiscal_year ORDER BY d.department, d.fiscal_year";

const INDICATOR_VALUES_JOINED: &str = "SELECT v.id AS id, d.file AS file, d.department AS department, \
d.fiscal_year AS fiscal_year, p.name AS project, i.duty AS duty, i.objective AS objective, \
i.level1 AS level1, i.level2 AS level2, i.name AS indicator, v.period AS period, v.text AS text, \
v.op AS op, v.number AS number, v.unit AS unit, v.date AS date, \
v.indicator_id AS indicator_id, i.project_id AS project_id, v.document_id AS document_id \
FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id \
JOIN documents d ON d.id = v.document_id LEFT JOIN projects p ON p.id = i.project_id \
ORDER BY v.id";

/// Every table and view, in the order they are written.
pub fn tables() -> &'static [Table] {
    static TABLES: LazyLock<Vec<Table>> = LazyLock::new(build);
    &TABLES
}

/// The table or view of this name.
pub fn table(name: &str) -> &'static Table {
    tables()
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no collected table {name}"))
}

fn build() -> Vec<Table> {
    use Kind::*;
    let mut project_columns = vec![
        id(),
        document_id(),
        col("seq", "序号", Integer),
        col("name", "项目名称", Text),
        col("code", "项目编码", Text),
        col("unit", "单位", Text),
        col("department", "主管部门", Text),
        col("implementer", "实施单位", Text),
        col("category", "项目类别", Text),
        col("level", "项目级次", Text),
        col("start_year", "起始年度", Integer),
        col("end_year", "终止年度", Integer),
        col("years", "项目期", Integer),
        col("manager", "项目负责人", Text),
        col("phone", "联系电话", Text),
    ];
    for period in Period::ALL {
        for fund in Fund::ALL {
            project_columns.push(col(
                &amount_column(period, fund),
                &format!("{}{}（万元）", period.label(), fund_label(fund)),
                Money,
            ));
        }
    }
    project_columns.extend([
        col("goal_mid_term", "中期目标", Text),
        col("goal_annual", "年度目标", Text),
        col("goal_half_year", "半年目标", Text),
        col("necessity", "立项必要性", Text),
        col("feasibility", "可行性", Text),
        col("content", "项目内容", Text),
        col("fund_use", "资金用途", Text),
    ]);
    vec![
        Table {
            name: "documents",
            about: "one row per file (or per-sheet CSVs of one workbook) collected, read or not",
            columns: vec![
                id(),
                col("file", "文件", Text),
                col("sha256", "文件摘要", Text),
                col("layout", "格式", Text),
                col("confidence", "识别置信度", Real),
                col("kind", "表类型", Text),
                col("fiscal_year", "预算年度", Integer),
                col("department_code", "部门编码", Text),
                col("department", "部门", Text),
                col("money_unit", "原表金额单位", Text),
                col("total", "资金总额（万元）", Money),
                col("project_count", "项目数", Integer),
                col("indicator_count", "指标数", Integer),
                col("read_warnings", "读取警告数", Integer),
                col("warnings", "读取警告", Text),
                col("check_errors", "审核错误数", Integer),
                col("check_warnings", "审核警告数", Integer),
                col("check_notes", "审核提示数", Integer),
                col("error", "无法读取的原因", Text),
            ],
            view: None,
            indexes: &["file", "department", "fiscal_year"],
        },
        Table {
            name: "projects",
            about: "one row per project; amounts in 万元, one column per period and amount key",
            columns: project_columns,
            view: None,
            indexes: &["document_id", "name"],
        },
        Table {
            name: "duties",
            about: "one row per duty (职责) of a department table",
            columns: vec![
                id(),
                document_id(),
                col("seq", "职责序号", Text),
                col("name", "部门职责", Text),
            ],
            view: None,
            indexes: &["document_id"],
        },
        Table {
            name: "objectives",
            about: "one row per performance objective (履职目标) of a duty",
            columns: vec![
                id(),
                document_id(),
                col("duty_id", "所属职责编号", Ref("duties")),
                col("seq", "序号", Integer),
                col("name", "绩效目标", Text),
                col("detail", "具体内容", Text),
                col("spending", "支出合计（万元）", Money),
            ],
            view: None,
            indexes: &["document_id", "duty_id"],
        },
        Table {
            name: "spending",
            about: "one row per spending line of an objective (项目 and 金额)",
            columns: vec![
                id(),
                document_id(),
                col("objective_id", "所属目标编号", Ref("objectives")),
                col("project", "项目", Text),
                col("amount", "金额（万元）", Money),
            ],
            view: None,
            indexes: &["document_id", "objective_id"],
        },
        Table {
            name: "indicators",
            about: "one row per indicator; project_id is empty for a department's indicators, which carry duty and objective",
            columns: vec![
                id(),
                document_id(),
                col("project_id", "所属项目编号", Ref("projects")),
                col("duty", "部门职责", Text),
                col("objective", "绩效目标", Text),
                col("seq", "序号", Integer),
                col("level1", "一级指标", Text),
                col("level2", "二级指标", Text),
                col("name", "三级指标", Text),
                col("description", "指标内容", Text),
                col("explanation", "指标解释", Text),
                col("basis", "指标值确定依据", Text),
                col("activity", "工作活动", Text),
                col("reference_planned", "计划标准", Text),
                col("reference_standard", "行业标准", Text),
                col("reference_standard_source", "行业标准来源", Text),
                col("reference_avg_3y", "前三年均值", Text),
                col("reference_last_year", "上年值", Text),
                col("reference_history_source", "历史标准来源", Text),
                col("periods", "有指标值的期间", Text),
                col("inferred", "推断的字段", Text),
            ],
            view: None,
            indexes: &["document_id", "project_id", "name"],
        },
        Table {
            name: "indicator_values",
            about: "one row per indicator and period (mid_term, annual, half_year) with a value",
            columns: vec![
                id(),
                col("indicator_id", "所属指标编号", Ref("indicators")),
                document_id(),
                col("period", "期间", Text),
                col("text", "指标值（原文）", Text),
                col("op", "比较符", Text),
                col("number", "数值", Real),
                col("unit", "计量单位", Text),
                col("date", "日期", Text),
            ],
            view: None,
            indexes: &["indicator_id", "document_id"],
        },
        Table {
            name: "expenses",
            about: "one row per spending line (支出明细) of a project, 合计 lines flagged",
            columns: vec![
                id(),
                document_id(),
                col("project_id", "所属项目编号", Ref("projects")),
                col("seq", "序号", Integer),
                col("name", "支出内容", Text),
                col("half_year", "半年（万元）", Money),
                col("annual", "全年（万元）", Money),
                col("basis", "测算依据", Text),
                col("actuals", "往年实际执行数", Text),
                col("total_line", "合计行", Integer),
            ],
            view: None,
            indexes: &["document_id", "project_id"],
        },
        Table {
            name: "schedule",
            about: "one row per line of a project's spending schedule (资金支出计划)",
            columns: vec![
                id(),
                document_id(),
                col("project_id", "所属项目编号", Ref("projects")),
                col("seq", "序号", Integer),
                col("label", "时间", Text),
                col("month", "月份", Integer),
                col("percent", "支出进度（%）", Real),
            ],
            view: None,
            indexes: &["document_id", "project_id"],
        },
        Table {
            name: "findings",
            about: "one row per `jixiao check` finding",
            columns: vec![
                id(),
                document_id(),
                col("project", "项目", Text),
                col("code", "规则", Text),
                col("severity", "严重程度", Text),
                col("message", "说明", Text),
                col("cell", "单元格", Text),
            ],
            view: None,
            indexes: &["document_id", "code"],
        },
        Table {
            name: "summary",
            about: "per department and fiscal year: files, projects, totals by period (万元), indicators, check errors and warnings",
            columns: vec![
                col("department", "部门", Text),
                col("fiscal_year", "预算年度", Integer),
                col("documents", "文件数", Integer),
                col("failed", "无法读取的文件数", Integer),
                col("projects", "项目数", Integer),
                col("mid_term_total", "中期资金总额（万元）", Money),
                col("annual_total", "年度资金总额（万元）", Money),
                col("half_year_total", "半年资金总额（万元）", Money),
                col("document_total", "表头资金总额（万元）", Money),
                col("indicators", "指标数", Integer),
                col("errors", "审核错误数", Integer),
                col("warnings", "审核警告数", Integer),
            ],
            view: Some(SUMMARY),
            indexes: &[],
        },
        Table {
            name: "indicator_values_joined",
            about: "indicator_values with their indicator, project and file, for pivot tables",
            columns: vec![
                id(),
                col("file", "文件", Text),
                col("department", "部门", Text),
                col("fiscal_year", "预算年度", Integer),
                col("project", "项目名称", Text),
                col("duty", "部门职责", Text),
                col("objective", "绩效目标", Text),
                col("level1", "一级指标", Text),
                col("level2", "二级指标", Text),
                col("indicator", "三级指标", Text),
                col("period", "期间", Text),
                col("text", "指标值（原文）", Text),
                col("op", "比较符", Text),
                col("number", "数值", Real),
                col("unit", "计量单位", Text),
                col("date", "日期", Text),
                col("indicator_id", "所属指标编号", Integer),
                col("project_id", "所属项目编号", Integer),
                col("document_id", "所属文件编号", Integer),
            ],
            view: Some(INDICATOR_VALUES_JOINED),
            indexes: &[],
        },
    ]
}

/// The schema as `jixiao collect --schema` prints it (markdown).
pub fn markdown() -> String {
    let mut out = format!("Tables of `jixiao collect` (schema version {SCHEMA_VERSION}).\n");
    for table in tables() {
        let kind = if table.view.is_some() {
            " (a view in SQLite)"
        } else {
            ""
        };
        out.push_str(&format!(
            "\n### `{}`{kind}\n\n{}.\n\n| column | 中文 | type |\n|---|---|---|\n",
            table.name, table.about
        ));
        for c in &table.columns {
            let kind = match c.kind {
                Kind::Id => "integer, primary key".to_string(),
                Kind::Ref(t) => format!("integer, → {t}.id"),
                Kind::Money => "real, 万元".to_string(),
                other => other.sql().to_lowercase(),
            };
            out.push_str(&format!("| `{}` | {} | {kind} |\n", c.name, c.label));
        }
    }
    out
}
