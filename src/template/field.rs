//! Field paths: how a template names a slot of the model ("funding.annual.total").

use crate::model::{Department, Document, Fund, Money, Period, Project, ScheduleEntry};

/// A slot of the model that a template cell reads from and writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The document's department as "[code]name" (luan's 主管部门及代码).
    DocDepartment,
    /// The document's department as "codename" with nothing between (tangshan's unit line).
    DocDepartmentJoined,
    DocDepartmentName,
    DocDepartmentCode,
    Name,
    Code,
    Unit,
    /// The project's 主管部门 as plain text.
    Department,
    Implementer,
    Category,
    Level,
    StartYear,
    EndYear,
    Years,
    Manager,
    Phone,
    /// 项目负责人/联系电话 in one cell: "张三/0515-1234567".
    ManagerPhone,
    Necessity,
    Feasibility,
    Content,
    FundUse,
    Amount(Period, Fund),
    GoalText(Period),
    GoalPeriod(Period),
    /// 资金支出计划: the percentage spent by the end of a month.
    Schedule(u32),
    /// A column of the 支出 lines; only in a form row that repeats over them.
    Expense(ExpenseColumn),
}

/// The columns of a 支出 line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpenseColumn {
    Name,
    HalfYear,
    Annual,
}

/// What kind of cell a field is read from and written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Money,
    Year,
    Percent,
}

impl Field {
    /// Parses a template's field path. Returns `None` for an unknown path.
    pub fn parse(path: &str) -> Option<Field> {
        let parts: Vec<&str> = path.split('.').collect();
        Some(match parts.as_slice() {
            ["doc", "department"] => Field::DocDepartment,
            ["doc", "department", "joined"] => Field::DocDepartmentJoined,
            ["doc", "department", "name"] => Field::DocDepartmentName,
            ["doc", "department", "code"] => Field::DocDepartmentCode,
            ["name"] => Field::Name,
            ["code"] => Field::Code,
            ["unit"] => Field::Unit,
            ["department"] => Field::Department,
            ["implementer"] => Field::Implementer,
            ["category"] => Field::Category,
            ["level"] => Field::Level,
            ["period", "start_year"] => Field::StartYear,
            ["period", "end_year"] => Field::EndYear,
            ["period", "years"] => Field::Years,
            ["manager"] => Field::Manager,
            ["phone"] => Field::Phone,
            ["manager_phone"] => Field::ManagerPhone,
            ["necessity"] => Field::Necessity,
            ["feasibility"] => Field::Feasibility,
            ["content"] => Field::Content,
            ["fund_use"] => Field::FundUse,
            ["funding", period, fund] => {
                Field::Amount(Period::from_key(period)?, Fund::from_key(fund)?)
            }
            ["goals", period, "text"] => Field::GoalText(Period::from_key(period)?),
            ["goals", period, "period"] => Field::GoalPeriod(Period::from_key(period)?),
            ["schedule", month] => {
                Field::Schedule(month.parse().ok().filter(|m| (1..=12).contains(m))?)
            }
            ["expenses", "name"] => Field::Expense(ExpenseColumn::Name),
            ["expenses", "half_year"] => Field::Expense(ExpenseColumn::HalfYear),
            ["expenses", "annual"] => Field::Expense(ExpenseColumn::Annual),
            _ => return None,
        })
    }

    /// The path as written in templates, reports and provenance keys.
    pub fn path(&self) -> String {
        match self {
            Field::DocDepartment => "doc.department".into(),
            Field::DocDepartmentJoined => "doc.department.joined".into(),
            Field::DocDepartmentName => "doc.department.name".into(),
            Field::DocDepartmentCode => "doc.department.code".into(),
            Field::Name => "name".into(),
            Field::Code => "code".into(),
            Field::Unit => "unit".into(),
            Field::Department => "department".into(),
            Field::Implementer => "implementer".into(),
            Field::Category => "category".into(),
            Field::Level => "level".into(),
            Field::StartYear => "period.start_year".into(),
            Field::EndYear => "period.end_year".into(),
            Field::Years => "period.years".into(),
            Field::Manager => "manager".into(),
            Field::Phone => "phone".into(),
            Field::ManagerPhone => "manager_phone".into(),
            Field::Necessity => "necessity".into(),
            Field::Feasibility => "feasibility".into(),
            Field::Content => "content".into(),
            Field::FundUse => "fund_use".into(),
            Field::Amount(p, f) => format!("funding.{}.{}", p.key(), f.key()),
            Field::GoalText(p) => format!("goals.{}.text", p.key()),
            Field::GoalPeriod(p) => format!("goals.{}.period", p.key()),
            Field::Schedule(m) => format!("schedule.{m}"),
            Field::Expense(ExpenseColumn::Name) => "expenses.name".into(),
            Field::Expense(ExpenseColumn::HalfYear) => "expenses.half_year".into(),
            Field::Expense(ExpenseColumn::Annual) => "expenses.annual".into(),
        }
    }

    pub fn kind(&self) -> FieldKind {
        match self {
            Field::Amount(..) | Field::Expense(ExpenseColumn::HalfYear | ExpenseColumn::Annual) => {
                FieldKind::Money
            }
            Field::Schedule(_) => FieldKind::Percent,
            Field::StartYear | Field::EndYear | Field::Years => FieldKind::Year,
            _ => FieldKind::Text,
        }
    }

    /// Whether the field belongs to the document rather than a project.
    pub fn is_document_level(&self) -> bool {
        matches!(
            self,
            Field::DocDepartment
                | Field::DocDepartmentJoined
                | Field::DocDepartmentName
                | Field::DocDepartmentCode
        )
    }

    /// The field's text as a form shows it (money as its decimal string).
    pub fn get(&self, doc: &Document, project: &Project) -> Option<String> {
        let text = |v: &Option<String>| v.clone();
        match self {
            Field::DocDepartment => doc.department.as_ref().map(|d| match &d.code {
                Some(code) => format!("[{code}]{}", d.name),
                None => d.name.clone(),
            }),
            Field::DocDepartmentJoined => doc
                .department
                .as_ref()
                .map(|d| format!("{}{}", d.code.as_deref().unwrap_or(""), d.name)),
            Field::DocDepartmentName => doc.department.as_ref().map(|d| d.name.clone()),
            Field::DocDepartmentCode => doc.department.as_ref().and_then(|d| d.code.clone()),
            Field::Name => Some(project.name.clone()).filter(|n| !n.is_empty()),
            Field::Code => text(&project.code),
            Field::Unit => text(&project.unit),
            Field::Department => text(&project.department),
            Field::Implementer => text(&project.implementer),
            Field::Category => text(&project.category),
            Field::Level => text(&project.level),
            Field::StartYear => project.period.start_year.map(|y| y.to_string()),
            Field::EndYear => project.period.end_year.map(|y| y.to_string()),
            Field::Years => project.period.years.map(|y| y.to_string()),
            Field::Manager => text(&project.manager),
            Field::Phone => text(&project.phone),
            Field::ManagerPhone => match (&project.manager, &project.phone) {
                (Some(m), Some(p)) => Some(format!("{m}/{p}")),
                (m, p) => m.clone().or_else(|| p.clone()),
            },
            Field::Necessity => text(&project.necessity),
            Field::Feasibility => text(&project.feasibility),
            Field::Content => text(&project.content),
            Field::FundUse => text(&project.fund_use),
            Field::Amount(..) => self.money(project).map(|m| m.to_string()),
            Field::GoalText(p) => project.goals.get(*p).map(|g| g.text.clone()),
            Field::GoalPeriod(p) => project.goals.get(*p).and_then(|g| g.period.clone()),
            Field::Schedule(m) => project
                .funding
                .schedule
                .iter()
                .find(|s| s.month == *m)
                .and_then(|s| s.percent.clone()),
            // Expense columns are read and written row by row, not as one value.
            Field::Expense(_) => None,
        }
    }

    /// The amount for a money field.
    pub fn money(&self, project: &Project) -> Option<Money> {
        match self {
            Field::Amount(p, f) => project.funding.amounts(*p).and_then(|a| a.get(*f)),
            _ => None,
        }
    }

    /// Stores text read from a form. Returns false when the text does not fit the
    /// field (a year that is not a number), so the caller can keep it elsewhere.
    pub fn set_text(&self, doc: &mut Document, project: &mut Project, value: String) -> bool {
        let year = || value.trim().parse::<i32>().ok();
        match self {
            Field::DocDepartment | Field::DocDepartmentJoined => {
                doc.department = Some(parse_department(&value))
            }
            Field::DocDepartmentName => {
                doc.department.get_or_insert_with(Department::default).name = value
            }
            Field::DocDepartmentCode => {
                doc.department.get_or_insert_with(Department::default).code = Some(value)
            }
            Field::Name => project.name = value,
            Field::Code => project.code = Some(value),
            Field::Unit => project.unit = Some(value),
            Field::Department => project.department = Some(value),
            Field::Implementer => project.implementer = Some(value),
            Field::Category => project.category = Some(value),
            Field::Level => project.level = Some(value),
            Field::StartYear => match year() {
                Some(y) => project.period.start_year = Some(y),
                None => return false,
            },
            Field::EndYear => match year() {
                Some(y) => project.period.end_year = Some(y),
                None => return false,
            },
            Field::Years => match year() {
                Some(y) => project.period.years = Some(y),
                None => return false,
            },
            Field::Manager => project.manager = Some(value),
            Field::Phone => project.phone = Some(value),
            Field::ManagerPhone => {
                let (manager, phone) = split_manager_phone(&value);
                project.manager = manager;
                project.phone = phone;
            }
            Field::Necessity => project.necessity = Some(value),
            Field::Feasibility => project.feasibility = Some(value),
            Field::Content => project.content = Some(value),
            Field::FundUse => project.fund_use = Some(value),
            Field::Amount(..) => match Money::parse(&value) {
                Some(m) => return self.set_money(project, m),
                None => return false,
            },
            Field::GoalText(p) => project.goals.get_mut(*p).text = value,
            Field::GoalPeriod(p) => project.goals.get_mut(*p).period = Some(value),
            Field::Schedule(m) => match crate::parse::value::parse_percent(&value) {
                Some(percent) => set_schedule(project, *m, percent),
                None => return false,
            },
            Field::Expense(_) => return false,
        }
        true
    }

    /// Stores a percentage (a decimal string without "%") for a schedule field.
    pub fn set_percent(&self, project: &mut Project, percent: String) -> bool {
        match self {
            Field::Schedule(m) => {
                set_schedule(project, *m, percent);
                true
            }
            _ => false,
        }
    }

    /// Removes the field's value (for a loss report's "what the target keeps").
    pub fn clear(&self, doc: &mut Document, project: &mut Project) {
        match self {
            Field::DocDepartment | Field::DocDepartmentJoined => doc.department = None,
            Field::DocDepartmentName => {
                if let Some(d) = &mut doc.department {
                    d.name.clear();
                }
            }
            Field::DocDepartmentCode => {
                if let Some(d) = &mut doc.department {
                    d.code = None;
                }
            }
            Field::Name => project.name.clear(),
            Field::Code => project.code = None,
            Field::Unit => project.unit = None,
            Field::Department => project.department = None,
            Field::Implementer => project.implementer = None,
            Field::Category => project.category = None,
            Field::Level => project.level = None,
            Field::StartYear => project.period.start_year = None,
            Field::EndYear => project.period.end_year = None,
            Field::Years => project.period.years = None,
            Field::Manager => project.manager = None,
            Field::Phone => project.phone = None,
            Field::ManagerPhone => {
                project.manager = None;
                project.phone = None;
            }
            Field::Necessity => project.necessity = None,
            Field::Feasibility => project.feasibility = None,
            Field::Content => project.content = None,
            Field::FundUse => project.fund_use = None,
            Field::Amount(p, f) => {
                let slot = match p {
                    Period::MidTerm => &mut project.funding.mid_term,
                    Period::Annual => &mut project.funding.annual,
                    Period::HalfYear => &mut project.funding.half_year,
                };
                if let Some(a) = slot {
                    a.set(*f, None);
                    if a.is_empty() {
                        *slot = None;
                    }
                }
            }
            Field::GoalText(p) | Field::GoalPeriod(p) => {
                let slot = match p {
                    Period::MidTerm => &mut project.goals.mid_term,
                    Period::Annual => &mut project.goals.annual,
                    Period::HalfYear => &mut project.goals.half_year,
                };
                if let Some(goal) = slot {
                    if matches!(self, Field::GoalText(_)) {
                        goal.text.clear();
                    } else {
                        goal.period = None;
                    }
                    if goal.text.is_empty() && goal.period.is_none() {
                        *slot = None;
                    }
                }
            }
            Field::Schedule(m) => project.funding.schedule.retain(|s| s.month != *m),
            Field::Expense(_) => project.funding.expenses.clear(),
        }
    }

    /// Every project-level field a document can hold, for loss reports.
    pub fn all_project_fields() -> Vec<Field> {
        let mut all = vec![
            Field::Name,
            Field::Code,
            Field::Unit,
            Field::Department,
            Field::Implementer,
            Field::Category,
            Field::Level,
            Field::StartYear,
            Field::EndYear,
            Field::Years,
            Field::Manager,
            Field::Phone,
            Field::Necessity,
            Field::Feasibility,
            Field::Content,
            Field::FundUse,
        ];
        for p in Period::ALL {
            all.extend(Fund::ALL.iter().map(|f| Field::Amount(p, *f)));
            all.push(Field::GoalText(p));
            all.push(Field::GoalPeriod(p));
        }
        all.extend((1..=12).map(Field::Schedule));
        all
    }

    pub fn set_money(&self, project: &mut Project, value: Money) -> bool {
        match self {
            Field::Amount(p, f) => {
                project.funding.amounts_mut(*p).set(*f, Some(value));
                true
            }
            _ => false,
        }
    }
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

/// "张三/0515-88888888" → (manager, phone); a lone part goes where it fits.
fn split_manager_phone(text: &str) -> (Option<String>, Option<String>) {
    let looks_like_phone = |s: &str| s.chars().filter(char::is_ascii_digit).count() >= 5;
    let parts: Vec<&str> = text
        .split(['/', '／'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    match parts.as_slice() {
        [one] if looks_like_phone(one) => (None, Some(one.to_string())),
        [one] => (Some(one.to_string()), None),
        [m, rest @ ..] => (Some(m.to_string()), Some(rest.join("/"))),
        [] => (None, None),
    }
}

/// "[079]六安市住房公积金中心", "603001唐山市…" or a bare name. The name keeps its
/// published spelling (full-width brackets stay full width).
pub fn parse_department(text: &str) -> Department {
    let t = text.trim();
    let mut chars = t.char_indices();
    if let Some((_, open)) = chars.next()
        && let Some(close) = match crate::text::fold_width(open) {
            '[' => Some(']'),
            '(' => Some(')'),
            '【' => Some('】'),
            _ => None,
        }
        && let Some((end, end_char)) = chars.find(|(_, c)| crate::text::fold_width(*c) == close)
    {
        let code = t[open.len_utf8()..end].trim();
        let name = t[end + end_char.len_utf8()..].trim();
        if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric()) && !name.is_empty() {
            return Department {
                code: Some(code.to_string()),
                name: name.to_string(),
            };
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits >= 3 && digits < t.len() {
        // "079-六安市…", "079 六安市…", "079、六安市…": the separator is not part of the name.
        let name =
            t[digits..].trim_start_matches(|c: char| c.is_whitespace() || "-_、:：".contains(c));
        return Department {
            code: Some(t[..digits].to_string()),
            name: name.trim().to_string(),
        };
    }
    Department {
        code: None,
        name: t.to_string(),
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
            "doc.department",
            "period.years",
        ] {
            assert_eq!(Field::parse(p).unwrap().path(), p);
        }
        assert!(Field::parse("funding.decade.total").is_none());
        assert!(Field::parse("nonsense").is_none());
    }

    #[test]
    fn departments_with_codes() {
        let d = parse_department("[079]六安市住房公积金中心");
        assert_eq!(
            (d.code.as_deref(), d.name.as_str()),
            (Some("079"), "六安市住房公积金中心")
        );
        let d = parse_department("603001唐山市住房公积金管理中心（参公）本级");
        assert_eq!(
            (d.code.as_deref(), d.name.as_str()),
            (Some("603001"), "唐山市住房公积金管理中心（参公）本级")
        );
        let d = parse_department("079-六安市住房公积金中心");
        assert_eq!(
            (d.code.as_deref(), d.name.as_str()),
            (Some("079"), "六安市住房公积金中心")
        );
        let d = parse_department("盐城市住房公积金管理中心（部门）");
        assert_eq!(d.code, None);
    }
}
