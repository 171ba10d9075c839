//! Field paths: how a template names a slot of the model ("funding.annual.total").
//!
//! Every path a template may write is one row of `FIELDS`: its pattern, the kind of
//! cell it is read from and written to, where it lives (the document, a project, or
//! one line of a repeated list) and how to get, set and clear it. Parsing, printing,
//! the loss report and the vocabulary table in `templates/README.md` all come from
//! that one table.

use crate::model::{
    Department, Document, Expense, Fund, Money, Period, Project, ScheduleEntry, Unit,
};

/// A slot of the model that a template cell reads from and writes to: a row of
/// `FIELDS` with the period, fund or month its path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    row: u8,
    arg: Arg,
}

/// What a field's path names beyond its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Arg {
    None,
    Period(Period),
    Amount(Period, Fund),
    Month(u32),
    Year(u16),
}

/// The parameters a path pattern takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Params {
    None,
    /// `<period>`
    Period,
    /// `<period>.<fund>`
    PeriodFund,
    /// `<month>`, 1 to 12
    Month,
    /// `<fund>`
    Fund,
    /// `<year>`, 1900 to 2199
    Year,
}

/// The years a `<year>` part may name.
const YEARS: std::ops::RangeInclusive<u16> = 1900..=2199;

/// What kind of cell a field is read from and written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text as printed.
    Text,
    /// A code of ASCII letters and digits (部门编码): in a pattern, it ends where they do.
    Code,
    /// An exact decimal amount, written as a number with the form's money format.
    Money,
    /// A year, written as digits ("2023").
    Year,
    /// A percentage, written as a percent number ("50" → 50%).
    Percent,
    /// An indicator value: text with its parsed op, number, unit and date.
    Value,
}

impl FieldKind {
    /// The name used in the vocabulary table.
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Code => "code",
            FieldKind::Money => "money",
            FieldKind::Year => "year",
            FieldKind::Percent => "percent",
            FieldKind::Value => "value",
        }
    }

    /// Whether a part of a pattern can be this kind's text (an empty part always can).
    pub fn accepts(self, text: &str) -> bool {
        match self {
            FieldKind::Code => text.chars().all(|c| c.is_ascii_alphanumeric()),
            FieldKind::Year => text.trim().parse::<i32>().is_ok(),
            _ => true,
        }
    }
}

/// The lists a form row can repeat over, one printed row per line (`repeat = "…"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repeat {
    /// A project's 支出 lines (yancheng).
    Expenses,
    /// A project's 资金支出计划 entries (tangshan), one per row.
    Schedule,
    /// The document's unit subtotals (guangzhou).
    Units,
}

super::names::named!(
    Repeat,
    key = "repeat",
    what = "list to repeat over",
    [
        ("expenses", Repeat::Expenses),
        ("schedule", Repeat::Schedule),
        ("units", Repeat::Units),
    ]
);

impl Repeat {
    /// How many lines the list has (for 支出, the 合计 line last).
    pub fn len(self, doc: &Document, project: &Project) -> usize {
        match self {
            Repeat::Expenses => {
                project.funding.expenses.len()
                    + usize::from(project.funding.expenses_total.is_some())
            }
            Repeat::Schedule => project.funding.schedule.len(),
            Repeat::Units => doc.units.len(),
        }
    }

    /// Adds an empty line for the reader to fill, for a row whose first column reads
    /// `name`; returns its index. A 支出 row named 合计 / 小计 / 总计 is the list's
    /// stated total (`funding.expenses_total`), at the index after the lines.
    pub fn push(self, doc: &mut Document, project: &mut Project, name: &str) -> usize {
        match self {
            Repeat::Expenses if Expense::is_total_name(name) => {
                project.funding.expenses_total = Some(Expense::default());
                return project.funding.expenses.len();
            }
            Repeat::Expenses => project.funding.expenses.push(Expense::default()),
            Repeat::Schedule => project.funding.schedule.push(ScheduleEntry::default()),
            Repeat::Units => doc.units.push(Unit {
                name: String::new(),
                amounts: Default::default(),
            }),
        }
        self.len(doc, project) - 1
    }

    /// Settles the line just read: the document's units are one list however many
    /// forms print them, so a unit read again (each project's form of a stacked
    /// sheet) is not added twice.
    pub fn settle(self, doc: &mut Document, _project: &mut Project) {
        if self == Repeat::Units
            && let Some((last, before)) = doc.units.split_last()
            && before.iter().any(|u| u.name == last.name)
        {
            doc.units.pop();
        }
    }

    /// The model path of a field of line `i`, for provenance
    /// (`funding.expenses[0].annual`, `funding.expenses[0].actuals.2020`,
    /// `funding.expenses_total.annual`, `units[1].amounts.fiscal`).
    pub fn line_path(self, project: &Project, i: usize, field: Field) -> String {
        let path = field.path();
        let leaf = path.rsplit('.').next().unwrap_or_default();
        match self {
            Repeat::Expenses => {
                let rest = path.strip_prefix("expenses.").unwrap_or(&path);
                if is_expenses_total(project, i) {
                    format!("funding.expenses_total.{rest}")
                } else {
                    format!("funding.expenses[{i}].{rest}")
                }
            }
            Repeat::Schedule => format!("funding.schedule[{i}].{leaf}"),
            Repeat::Units if leaf == "name" => format!("units[{i}].name"),
            Repeat::Units => format!("units[{i}].amounts.{leaf}"),
        }
    }

    /// What a line is called in messages and extras keys ("支出").
    pub fn label(self) -> &'static str {
        match self {
            Repeat::Expenses => "支出",
            Repeat::Schedule => "资金支出计划",
            Repeat::Units => "单位",
        }
    }
}

/// Where a field's value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The document (its department, its year): the same for every project.
    Document,
    /// One project.
    Project,
    /// One line of a list, in a form row that repeats over it.
    Line(Repeat),
}

type Getter = fn(&Document, &Project, Arg, usize) -> Option<String>;
type Setter = fn(&mut Document, &mut Project, Arg, usize, String) -> bool;
type Clearer = fn(&mut Document, &mut Project, Arg);

/// One row of the vocabulary: a path pattern and how to reach its slot.
pub struct FieldDef {
    /// As written in templates, with `<period>`, `<fund>` or `<month>` for a part
    /// that names one (`funding.<period>.<fund>`).
    pub path: &'static str,
    /// The kind of cell it is read from and written to.
    pub kind: FieldKind,
    /// Where its value lives.
    pub scope: Scope,
    /// One line for the vocabulary table.
    pub about: &'static str,
    params: Params,
    get: Getter,
    set: Setter,
    clear: Clearer,
}

/// Sets an optional text slot; always fits.
fn put(slot: &mut Option<String>, value: String) -> bool {
    *slot = Some(value);
    true
}

/// Sets a year slot; false when the text is not a year.
fn put_year(slot: &mut Option<i32>, value: &str) -> bool {
    match value.trim().parse::<i32>() {
        Ok(y) => {
            *slot = Some(y);
            true
        }
        Err(_) => false,
    }
}

fn period(arg: Arg) -> Period {
    match arg {
        Arg::Period(p) | Arg::Amount(p, _) => p,
        _ => Period::Annual,
    }
}

fn fund(arg: Arg) -> Fund {
    match arg {
        Arg::Amount(_, f) => f,
        _ => Fund::Total,
    }
}

fn year(arg: Arg) -> String {
    match arg {
        Arg::Year(y) => y.to_string(),
        _ => String::new(),
    }
}

/// Whether line `i` of a project's 支出 list is its stated total (the line after the
/// expenses).
fn is_expenses_total(project: &Project, i: usize) -> bool {
    i == project.funding.expenses.len() && project.funding.expenses_total.is_some()
}

/// Line `i` of a project's 支出 list: an expense, or the 合计 line after them.
fn expense(project: &Project, i: usize) -> Option<&Expense> {
    let f = &project.funding;
    f.expenses
        .get(i)
        .or_else(|| f.expenses_total.as_ref().filter(|_| i == f.expenses.len()))
}

/// Line `i` of a project's 支出 list, to fill in.
fn expense_mut(project: &mut Project, i: usize) -> Option<&mut Expense> {
    let f = &mut project.funding;
    if i < f.expenses.len() {
        f.expenses.get_mut(i)
    } else if i == f.expenses.len() {
        f.expenses_total.as_mut()
    } else {
        None
    }
}

/// Removes a project's 支出 lines and their 合计.
fn clear_expenses(project: &mut Project) {
    project.funding.expenses.clear();
    project.funding.expenses_total = None;
}

fn month(arg: Arg) -> u32 {
    match arg {
        Arg::Month(m) => m,
        _ => 0,
    }
}

/// A row for an optional text slot of a project.
macro_rules! project_text {
    ($path:literal, $about:literal, $slot:ident) => {
        FieldDef {
            path: $path,
            kind: FieldKind::Text,
            scope: Scope::Project,
            about: $about,
            params: Params::None,
            get: |_, p, _, _| p.$slot.clone(),
            set: |_, p, _, _, v| put(&mut p.$slot, v),
            clear: |_, p, _| p.$slot = None,
        }
    };
}

/// A row for a year of a project's period.
macro_rules! project_year {
    ($path:literal, $about:literal, $slot:ident) => {
        FieldDef {
            path: $path,
            kind: FieldKind::Year,
            scope: Scope::Project,
            about: $about,
            params: Params::None,
            get: |_, p, _, _| p.period.$slot.map(|y| y.to_string()),
            set: |_, p, _, _, v| put_year(&mut p.period.$slot, &v),
            clear: |_, p, _| p.period.$slot = None,
        }
    };
}

/// Every field path a template may name, one row each. The order is the order of the
/// vocabulary table and of the loss report's "blank" list.
pub static FIELDS: &[FieldDef] = &[
    FieldDef {
        path: "fiscal_year",
        kind: FieldKind::Year,
        scope: Scope::Document,
        about: "the budget year (titles print it)",
        params: Params::None,
        get: |d, _, _, _| d.fiscal_year.map(|y| y.to_string()),
        set: |d, _, _, _, v| put_year(&mut d.fiscal_year, &v),
        clear: |d, _, _| d.fiscal_year = None,
    },
    FieldDef {
        path: "doc.department.name",
        kind: FieldKind::Text,
        scope: Scope::Document,
        about: "the document's department (部门名称)",
        params: Params::None,
        get: |d, _, _, _| d.department.as_ref().map(|x| x.name.clone()),
        set: |d, _, _, _, v| {
            d.department.get_or_insert_with(Department::default).name = v;
            true
        },
        clear: |d, _, _| {
            if let Some(x) = &mut d.department {
                x.name.clear();
            }
        },
    },
    FieldDef {
        path: "doc.department.code",
        kind: FieldKind::Code,
        scope: Scope::Document,
        about: "the department's code (主管部门代码, 部门预算编码)",
        params: Params::None,
        get: |d, _, _, _| d.department.as_ref().and_then(|x| x.code.clone()),
        set: |d, _, _, _, v| {
            put(
                &mut d.department.get_or_insert_with(Department::default).code,
                v,
            )
        },
        clear: |d, _, _| {
            if let Some(x) = &mut d.department {
                x.code = None;
            }
        },
    },
    FieldDef {
        path: "name",
        kind: FieldKind::Text,
        scope: Scope::Project,
        about: "项目名称",
        params: Params::None,
        get: |_, p, _, _| Some(p.name.clone()).filter(|n| !n.is_empty()),
        set: |_, p, _, _, v| {
            p.name = v;
            true
        },
        clear: |_, p, _| p.name.clear(),
    },
    project_text!("code", "项目编码", code),
    project_text!("unit", "the owning unit (资金使用单位)", unit),
    project_text!("department", "the project's 主管部门 as text", department),
    project_text!("implementer", "实施单位", implementer),
    project_text!("category", "项目属性 / 项目类型", category),
    project_text!("level", "项目级次", level),
    project_year!("period.start_year", "开始时间", start_year),
    project_year!("period.end_year", "完成时间", end_year),
    project_year!("period.years", "项目期 in years", years),
    project_text!("manager", "项目负责人", manager),
    project_text!("phone", "联系电话", phone),
    project_text!("necessity", "立项必要性", necessity),
    project_text!("feasibility", "实施可行性", feasibility),
    project_text!("content", "项目实施内容", content),
    project_text!("fund_use", "资金用途", fund_use),
    FieldDef {
        path: "funding.<period>.<fund>",
        kind: FieldKind::Money,
        scope: Scope::Project,
        about: "an amount of a period by fund source (total, fiscal, general_budget, government_fund, special_account, state_capital, social_insurance, carry_over, other) or by nature of spending (basic 基本支出, project 项目支出)",
        params: Params::PeriodFund,
        get: |_, p, a, _| {
            p.funding
                .amounts(period(a))
                .and_then(|x| x.get(fund(a)))
                .map(|m| m.to_string())
        },
        set: |_, p, a, _, v| match Money::parse(&v) {
            Some(m) => {
                p.funding.amounts_mut(period(a)).set(fund(a), Some(m));
                true
            }
            None => false,
        },
        clear: |_, p, a| {
            let slot = match period(a) {
                Period::MidTerm => &mut p.funding.mid_term,
                Period::Annual => &mut p.funding.annual,
                Period::HalfYear => &mut p.funding.half_year,
            };
            if let Some(x) = slot {
                x.set(fund(a), None);
                if x.is_empty() {
                    *slot = None;
                }
            }
        },
    },
    FieldDef {
        path: "goals.<period>.text",
        kind: FieldKind::Text,
        scope: Scope::Project,
        about: "the goal of a period (中期目标, 年度目标)",
        params: Params::Period,
        get: |_, p, a, _| p.goals.get(period(a)).map(|g| g.text.clone()),
        set: |_, p, a, _, v| {
            p.goals.get_mut(period(a)).text = v;
            true
        },
        clear: |_, p, a| clear_goal(p, period(a), true),
    },
    FieldDef {
        path: "goals.<period>.period",
        kind: FieldKind::Text,
        scope: Scope::Project,
        about: "the years a goal covers (中期目标(2023年—2025年))",
        params: Params::Period,
        get: |_, p, a, _| p.goals.get(period(a)).and_then(|g| g.period.clone()),
        set: |_, p, a, _, v| put(&mut p.goals.get_mut(period(a)).period, v),
        clear: |_, p, a| clear_goal(p, period(a), false),
    },
    FieldDef {
        path: "schedule.<month>",
        kind: FieldKind::Percent,
        scope: Scope::Project,
        about: "资金支出计划: the percentage spent by the end of a month (1–12)",
        params: Params::Month,
        get: |_, p, a, _| {
            p.funding
                .schedule
                .iter()
                .find(|s| s.month == month(a))
                .and_then(|s| s.percent.clone())
        },
        set: |_, p, a, _, v| {
            set_schedule(p, month(a), v);
            true
        },
        clear: |_, p, a| p.funding.schedule.retain(|s| s.month != month(a)),
    },
    FieldDef {
        path: "expenses.name",
        kind: FieldKind::Text,
        scope: Scope::Line(Repeat::Expenses),
        about: "a 支出 line's name",
        params: Params::None,
        get: |_, p, _, i| expense(p, i).map(|e| e.name.clone()),
        set: |_, p, _, i, v| expense_mut(p, i).map(|e| e.name = v).is_some(),
        clear: |_, p, _| clear_expenses(p),
    },
    FieldDef {
        path: "expenses.half_year",
        kind: FieldKind::Money,
        scope: Scope::Line(Repeat::Expenses),
        about: "a 支出 line's half-year plan",
        params: Params::None,
        get: |_, p, _, i| {
            expense(p, i)
                .and_then(|e| e.half_year)
                .map(|m| m.to_string())
        },
        set: |_, p, _, i, v| set_line_money(expense_mut(p, i).map(|e| &mut e.half_year), &v),
        clear: |_, p, _| clear_expenses(p),
    },
    FieldDef {
        path: "expenses.annual",
        kind: FieldKind::Money,
        scope: Scope::Line(Repeat::Expenses),
        about: "a 支出 line's annual budget",
        params: Params::None,
        get: |_, p, _, i| expense(p, i).and_then(|e| e.annual).map(|m| m.to_string()),
        set: |_, p, _, i, v| set_line_money(expense_mut(p, i).map(|e| &mut e.annual), &v),
        clear: |_, p, _| clear_expenses(p),
    },
    FieldDef {
        path: "expenses.basis",
        kind: FieldKind::Text,
        scope: Scope::Line(Repeat::Expenses),
        about: "a 支出 line's 测算(公式)依据",
        params: Params::None,
        get: |_, p, _, i| expense(p, i).and_then(|e| e.basis.clone()),
        set: |_, p, _, i, v| match expense_mut(p, i) {
            Some(e) => put(&mut e.basis, v),
            None => false,
        },
        clear: |_, p, _| clear_expenses(p),
    },
    FieldDef {
        path: "expenses.actuals.<year>",
        kind: FieldKind::Money,
        scope: Scope::Line(Repeat::Expenses),
        about: "a 支出 line's actual spending (实际执行数) in an earlier year",
        params: Params::Year,
        get: |_, p, a, i| {
            expense(p, i)
                .and_then(|e| e.actuals.get(&year(a)))
                .map(|m| m.to_string())
        },
        set: |_, p, a, i, v| match (expense_mut(p, i), Money::parse(&v)) {
            (Some(e), Some(m)) => {
                e.actuals.insert(year(a), m);
                true
            }
            _ => false,
        },
        clear: |_, p, _| clear_expenses(p),
    },
    FieldDef {
        path: "schedule.label",
        kind: FieldKind::Text,
        scope: Scope::Line(Repeat::Schedule),
        about: "a 资金支出计划 entry's label (\"3月底\"; its month is read from it)",
        params: Params::None,
        get: |_, p, _, i| p.funding.schedule.get(i).map(|s| s.label.clone()),
        set: |_, p, _, i, v| match p.funding.schedule.get_mut(i) {
            Some(s) => {
                s.month = month_of_label(&v).unwrap_or(0);
                s.label = v;
                true
            }
            None => false,
        },
        clear: |_, p, _| p.funding.schedule.clear(),
    },
    FieldDef {
        path: "schedule.percent",
        kind: FieldKind::Percent,
        scope: Scope::Line(Repeat::Schedule),
        about: "a 资金支出计划 entry's percentage",
        params: Params::None,
        get: |_, p, _, i| p.funding.schedule.get(i).and_then(|s| s.percent.clone()),
        set: |_, p, _, i, v| match p.funding.schedule.get_mut(i) {
            Some(s) => put(&mut s.percent, v),
            None => false,
        },
        clear: |_, p, _| p.funding.schedule.clear(),
    },
    FieldDef {
        path: "units.name",
        kind: FieldKind::Text,
        scope: Scope::Line(Repeat::Units),
        about: "a unit subtotal's unit name",
        params: Params::None,
        get: |d, _, _, i| d.units.get(i).map(|u| u.name.clone()),
        set: |d, _, _, i, v| d.units.get_mut(i).map(|u| u.name = v).is_some(),
        clear: |d, _, _| d.units.clear(),
    },
    FieldDef {
        path: "units.<fund>",
        kind: FieldKind::Money,
        scope: Scope::Line(Repeat::Units),
        about: "a unit subtotal's amount by fund source",
        params: Params::Fund,
        get: |d, _, a, i| {
            d.units
                .get(i)
                .and_then(|u| u.amounts.get(fund(a)))
                .map(|m| m.to_string())
        },
        set: |d, _, a, i, v| match (d.units.get_mut(i), Money::parse(&v)) {
            (Some(u), Some(m)) => {
                u.amounts.set(fund(a), Some(m));
                true
            }
            _ => false,
        },
        clear: |d, _, _| d.units.clear(),
    },
    FieldDef {
        path: "total.<fund>",
        kind: FieldKind::Money,
        scope: Scope::Document,
        about: "the document's stated total by fund source or nature (a department's 年度预算安排: 资金总额, 项目支出, 基本支出)",
        params: Params::Fund,
        get: |d, _, a, _| {
            d.total
                .as_ref()
                .and_then(|t| t.get(fund(a)))
                .map(|m| m.to_string())
        },
        set: |d, _, a, _, v| match Money::parse(&v) {
            Some(m) => {
                d.total
                    .get_or_insert_with(Default::default)
                    .set(fund(a), Some(m));
                true
            }
            None => false,
        },
        clear: |d, _, a| {
            if let Some(t) = d.total.as_mut() {
                t.set(fund(a), None);
                if t.is_empty() {
                    d.total = None;
                }
            }
        },
    },
];

fn clear_goal(project: &mut Project, period: Period, text: bool) {
    let slot = match period {
        Period::MidTerm => &mut project.goals.mid_term,
        Period::Annual => &mut project.goals.annual,
        Period::HalfYear => &mut project.goals.half_year,
    };
    if let Some(goal) = slot {
        if text {
            goal.text.clear();
        } else {
            goal.period = None;
        }
        if goal.text.is_empty() && goal.period.is_none() {
            *slot = None;
        }
    }
}

fn set_line_money(slot: Option<&mut Option<Money>>, value: &str) -> bool {
    match (slot, Money::parse(value)) {
        (Some(slot), Some(m)) => {
            *slot = Some(m);
            true
        }
        _ => false,
    }
}

impl Field {
    /// `fiscal_year`
    pub const FISCAL_YEAR: Field = Field {
        row: 0,
        arg: Arg::None,
    };
    /// `doc.department.name`
    pub const DEPARTMENT_NAME: Field = Field {
        row: 1,
        arg: Arg::None,
    };
    /// `doc.department.code`
    pub const DEPARTMENT_CODE: Field = Field {
        row: 2,
        arg: Arg::None,
    };
    /// `name`: the project's name.
    pub const NAME: Field = Field {
        row: 3,
        arg: Arg::None,
    };
    /// `unit`: the project's owning unit.
    pub const UNIT: Field = Field {
        row: 5,
        arg: Arg::None,
    };
    /// `goals.annual.text`
    pub const ANNUAL_GOAL: Field = Field {
        row: 20,
        arg: Arg::Period(Period::Annual),
    };
    /// `units.name`: a unit subtotal's unit.
    pub const UNIT_NAME: Field = Field {
        row: 30,
        arg: Arg::None,
    };
    /// The row of `units.<fund>`.
    const UNIT_AMOUNT_ROW: u8 = 31;

    /// `units.<fund>`: a unit subtotal's amount of one fund.
    pub fn unit_amount(fund: Fund) -> Field {
        Field {
            row: Field::UNIT_AMOUNT_ROW,
            arg: Arg::Amount(Period::Annual, fund),
        }
    }

    /// The row of `goals.<period>.period`.
    const GOAL_PERIOD_ROW: u8 = 21;
    /// `expenses.name`: a 支出 line's name.
    pub const EXPENSE_NAME: Field = Field {
        row: 23,
        arg: Arg::None,
    };

    /// Whether this is the years a goal covers (`goals.<period>.period`), which forms
    /// print inside a label rather than in a cell of its own.
    pub fn is_goal_period(&self) -> bool {
        self.row == Field::GOAL_PERIOD_ROW
    }

    fn def(&self) -> &'static FieldDef {
        &FIELDS[self.row as usize]
    }

    /// Parses a template's field path. Returns `None` for an unknown path.
    pub fn parse(path: &str) -> Option<Field> {
        let parts: Vec<&str> = path.split('.').collect();
        FIELDS.iter().enumerate().find_map(|(row, def)| {
            let pattern: Vec<&str> = def.path.split('.').collect();
            if pattern.len() != parts.len() {
                return None;
            }
            let mut period = None;
            let mut fund = None;
            let mut month = None;
            let mut year = None;
            for (want, got) in pattern.iter().zip(&parts) {
                match *want {
                    "<period>" => period = Some(Period::from_key(got)?),
                    "<fund>" => fund = Some(Fund::from_key(got)?),
                    "<month>" => {
                        month = Some(got.parse::<u32>().ok().filter(|m| (1..=12).contains(m))?)
                    }
                    "<year>" => year = Some(got.parse::<u16>().ok().filter(|y| YEARS.contains(y))?),
                    literal if literal == *got => {}
                    _ => return None,
                }
            }
            let arg = match def.params {
                Params::None => Arg::None,
                Params::Period => Arg::Period(period?),
                Params::PeriodFund => Arg::Amount(period?, fund?),
                Params::Fund => Arg::Amount(Period::Annual, fund?),
                Params::Month => Arg::Month(month?),
                Params::Year => Arg::Year(year?),
            };
            Some(Field {
                row: row as u8,
                arg,
            })
        })
    }

    /// Parses a path, or says which was meant ("`field = "nmae"`: unknown field;
    /// did you mean `name`?").
    pub fn parse_or_suggest(key: &str, path: &str) -> Result<Field, String> {
        Field::parse(path).ok_or_else(|| {
            super::names::unknown(key, path, "field", Field::all().map(|f| f.path()))
        })
    }

    /// Every concrete field, in table order (parameters expanded).
    pub fn all() -> impl Iterator<Item = Field> {
        FIELDS
            .iter()
            .enumerate()
            .flat_map(|(row, def)| expand(row as u8, def.params))
    }

    /// The path as written in templates, reports and provenance keys.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for (i, part) in self.def().path.split('.').enumerate() {
            if i > 0 {
                out.push('.');
            }
            match (part, self.arg) {
                ("<period>", Arg::Period(p) | Arg::Amount(p, _)) => out.push_str(p.key()),
                ("<fund>", Arg::Amount(_, f)) => out.push_str(f.key()),
                ("<month>", Arg::Month(m)) => out.push_str(&m.to_string()),
                ("<year>", Arg::Year(y)) => out.push_str(&y.to_string()),
                (literal, _) => out.push_str(literal),
            }
        }
        out
    }

    /// The kind of cell it is read from and written to.
    pub fn kind(&self) -> FieldKind {
        self.def().kind
    }

    /// Where its value lives.
    pub fn scope(&self) -> Scope {
        self.def().scope
    }

    /// Whether the field belongs to the document rather than a project.
    pub fn is_document_level(&self) -> bool {
        self.scope() == Scope::Document
    }

    /// The fund of an amount field (`funding.<period>.<fund>`, `units.<fund>`).
    pub fn fund(&self) -> Option<Fund> {
        match self.arg {
            Arg::Amount(_, f) => Some(f),
            _ => None,
        }
    }

    /// The field's text as a form shows it (money as its decimal string).
    pub fn get(&self, doc: &Document, project: &Project) -> Option<String> {
        (self.def().get)(doc, project, self.arg, 0)
    }

    /// The text of line `line` of a repeated list.
    pub fn get_line(&self, doc: &Document, project: &Project, line: usize) -> Option<String> {
        (self.def().get)(doc, project, self.arg, line)
    }

    /// The amount of a money field.
    pub fn money(&self, doc: &Document, project: &Project, line: usize) -> Option<Money> {
        if self.kind() != FieldKind::Money {
            return None;
        }
        self.get_line(doc, project, line)
            .and_then(|m| Money::parse(&m))
    }

    /// Stores a value read from a form, in its kind's canonical text (a decimal
    /// string for money, a percentage without "%"). Returns false when it does not
    /// fit the field (a year that is not a number), so the caller can keep it elsewhere.
    pub fn set(
        &self,
        doc: &mut Document,
        project: &mut Project,
        line: usize,
        value: String,
    ) -> bool {
        (self.def().set)(doc, project, self.arg, line, value)
    }

    /// Removes the field's value (for a loss report's "what the target keeps"); for
    /// a line field, the whole list.
    pub fn clear(&self, doc: &mut Document, project: &mut Project) {
        (self.def().clear)(doc, project, self.arg)
    }

    /// Every project-level field a document can hold, for loss reports: the
    /// parameters of consecutive period rows expanded period by period.
    pub fn all_project_fields() -> Vec<Field> {
        let mut all = Vec::new();
        let rows: Vec<(u8, &FieldDef)> = FIELDS
            .iter()
            .enumerate()
            .filter(|(_, d)| d.scope == Scope::Project)
            .map(|(r, d)| (r as u8, d))
            .collect();
        let mut i = 0;
        while i < rows.len() {
            let by_period = |d: &FieldDef| matches!(d.params, Params::Period | Params::PeriodFund);
            if by_period(rows[i].1) {
                let end = (i..rows.len())
                    .find(|&j| !by_period(rows[j].1))
                    .unwrap_or(rows.len());
                for p in Period::ALL {
                    for &(row, def) in &rows[i..end] {
                        all.extend(expand(row, def.params).filter(|f| period(f.arg) == p));
                    }
                }
                i = end;
            } else {
                all.extend(expand(rows[i].0, rows[i].1.params));
                i += 1;
            }
        }
        all
    }
}

/// The concrete fields of a row.
fn expand(row: u8, params: Params) -> Box<dyn Iterator<Item = Field>> {
    let field = move |arg| Field { row, arg };
    match params {
        Params::None => Box::new(std::iter::once(field(Arg::None))),
        Params::Period => Box::new(Period::ALL.into_iter().map(move |p| field(Arg::Period(p)))),
        Params::PeriodFund => Box::new(
            Period::ALL
                .into_iter()
                .flat_map(move |p| Fund::ALL.into_iter().map(move |f| field(Arg::Amount(p, f)))),
        ),
        Params::Fund => Box::new(
            Fund::ALL
                .into_iter()
                .map(move |f| field(Arg::Amount(Period::Annual, f))),
        ),
        Params::Month => Box::new((1..=12).map(move |m| field(Arg::Month(m)))),
        Params::Year => Box::new(YEARS.map(move |y| field(Arg::Year(y)))),
    }
}

/// The month a schedule label names: "3月底" → 3.
fn month_of_label(label: &str) -> Option<u32> {
    let digits: String = label
        .trim()
        .chars()
        .map(crate::text::fold_width)
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().filter(|m| (1..=12).contains(m))
}

/// Adds or updates the 资金支出计划 entry for the end of `month`, keeping months in order.
fn set_schedule(project: &mut Project, month: u32, percent: String) {
    let schedule = &mut project.funding.schedule;
    match schedule.iter_mut().find(|s| s.month == month) {
        Some(entry) => entry.percent = Some(percent),
        None => {
            schedule.push(ScheduleEntry {
                label: format!("{month}月底"),
                month,
                percent: Some(percent),
            });
            schedule.sort_by_key(|s| s.month);
        }
    }
}

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let path = String::deserialize(d)?;
        Field::parse_or_suggest("field", &path).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        for p in [
            "name",
            "funding.mid_term.total",
            "goals.annual.text",
            "goals.mid_term.period",
            "doc.department.name",
            "period.years",
            "schedule.12",
            "expenses.half_year",
            "expenses.basis",
            "expenses.actuals.2020",
            "units.fiscal",
            "units.basic",
            "funding.annual.project",
        ] {
            assert_eq!(Field::parse(p).unwrap().path(), p);
        }
        assert!(Field::parse("funding.decade.total").is_none());
        assert!(Field::parse("schedule.13").is_none());
        assert!(Field::parse("expenses.actuals.20").is_none());
        assert!(Field::parse("expenses.actuals.2200").is_none());
        assert!(Field::parse("nonsense").is_none());
        assert_eq!(
            Field::parse_or_suggest("field", "nmae").unwrap_err(),
            "`field = \"nmae\"`: unknown field; did you mean `name`?"
        );
    }

    #[test]
    fn named_constants_are_their_rows() {
        assert_eq!(Field::FISCAL_YEAR.path(), "fiscal_year");
        assert_eq!(Field::DEPARTMENT_NAME.path(), "doc.department.name");
        assert_eq!(Field::DEPARTMENT_CODE.path(), "doc.department.code");
        assert_eq!(Field::NAME.path(), "name");
        assert_eq!(Field::ANNUAL_GOAL.path(), "goals.annual.text");
        assert_eq!(Field::UNIT.path(), "unit");
        assert_eq!(Field::EXPENSE_NAME.path(), "expenses.name");
        assert_eq!(Field::UNIT_NAME.path(), "units.name");
        assert_eq!(Field::unit_amount(Fund::Fiscal).path(), "units.fiscal");
        assert!(
            Field::parse("goals.mid_term.period")
                .unwrap()
                .is_goal_period()
        );
        assert!(!Field::ANNUAL_GOAL.is_goal_period());
    }

    #[test]
    fn every_concrete_field_parses_back() {
        for f in Field::all() {
            assert_eq!(Field::parse(&f.path()), Some(f), "{}", f.path());
        }
    }

    #[test]
    fn project_fields_go_period_by_period() {
        let paths: Vec<String> = Field::all_project_fields()
            .iter()
            .map(Field::path)
            .collect();
        let at = |p: &str| paths.iter().position(|x| x == p).unwrap();
        assert!(at("funding.mid_term.other") < at("goals.mid_term.text"));
        assert!(at("goals.mid_term.period") < at("funding.annual.total"));
        assert_eq!(paths.last().map(String::as_str), Some("schedule.12"));
        assert!(
            !paths
                .iter()
                .any(|p| p.starts_with("expenses") || p.starts_with("doc."))
        );
    }
}
