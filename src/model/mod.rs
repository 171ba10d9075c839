//! The canonical model (SPEC §3): one `Document` that every reader produces and every
//! writer consumes. Its JSON form, with exactly these field names, is a public interface.

mod money;
pub mod value;

pub use money::Money;
pub use value::{DateParts, Op, Value};

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The schema tag written into every document.
pub const SCHEMA: &str = "jixiao/1";

/// Labelled fields that a layout carries but the model has no slot for, in reading order.
pub type Extras = IndexMap<String, String>;

/// A performance target table: a department's projects, or its department-level targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    /// Always "jixiao/1".
    pub schema: String,
    /// What the table holds: projects, department-level targets, or both.
    pub kind: Kind,
    /// Where the document was read from.
    #[serde(default)]
    pub source: Source,
    /// The title as published, e.g. "表十四、2023年项目支出绩效目标表".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The budget year the table is for, e.g. `2023`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiscal_year: Option<i32>,
    /// The department (主管部门 / 预算单位) the table belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<Department>,
    /// Amounts are kept in this unit, normally "万元".
    pub money_unit: String,
    /// A stated grand total (guangzhou 合计).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Amounts>,
    /// Stated unit subtotals (guangzhou).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<Unit>,
    /// Department-level targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall: Option<Overall>,
    /// The projects, in the order of the table.
    #[serde(default)]
    pub projects: Vec<Project>,
    /// Labelled fields of the table that have no slot in the model, by label, e.g.
    /// `{"填报单位": "…"}`: nothing read is lost.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub extras: Extras,
    /// The note and instruction lines printed with the document's table (注, 填报说明,
    /// 备注, "附件2" above the title …), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The signature, contact, date and approval slots printed with the document's
    /// table (单位负责人, 填表人, 联系电话, 填报日期, 审核意见, 单位（盖章）…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<Signature>,
}

impl Document {
    /// A copy without `source.cells`, the provenance of every value read: what a
    /// writer works on (the cells of the file read are no cells of the file written),
    /// and on a province-scale workbook the largest part of a clone.
    pub fn without_provenance(&self) -> Document {
        Document {
            projects: self.projects.clone(),
            ..self.without_projects()
        }
    }

    /// [`Document::without_provenance`] with no projects: the document-wide part.
    pub(crate) fn without_projects(&self) -> Document {
        let Document {
            schema,
            kind,
            source,
            title,
            fiscal_year,
            department,
            money_unit,
            total,
            units,
            overall,
            projects: _,
            extras,
            notes,
            signatures,
        } = self;
        Document {
            schema: schema.clone(),
            kind: *kind,
            source: Source {
                layout: source.layout.clone(),
                file: source.file.clone(),
                sheet: source.sheet.clone(),
                cells: IndexMap::new(),
            },
            title: title.clone(),
            fiscal_year: *fiscal_year,
            department: department.clone(),
            money_unit: money_unit.clone(),
            total: total.clone(),
            units: units.clone(),
            overall: overall.clone(),
            projects: Vec::new(),
            extras: extras.clone(),
            notes: notes.clone(),
            signatures: signatures.clone(),
        }
    }

    /// An empty document of the given kind, in 万元.
    pub fn new(kind: Kind) -> Document {
        Document {
            schema: SCHEMA.to_string(),
            kind,
            source: Source::default(),
            title: None,
            fiscal_year: None,
            department: None,
            money_unit: "万元".to_string(),
            total: None,
            units: Vec::new(),
            overall: None,
            projects: Vec::new(),
            extras: Extras::new(),
            notes: Vec::new(),
            signatures: Vec::new(),
        }
    }

    /// The number of indicators over all projects, department duties and the
    /// department's own indicator table.
    pub fn indicator_count(&self) -> usize {
        let in_projects: usize = self.projects.iter().map(|p| p.indicators.len()).sum();
        let in_duties: usize = self
            .overall
            .iter()
            .flat_map(|o| &o.duties)
            .flat_map(|d| &d.objectives)
            .map(|o| o.indicators.len())
            .sum();
        let own: usize = self.overall.iter().map(|o| o.indicators.len()).sum();
        in_projects + in_duties + own
    }
}

/// What a document holds. JSON: `"project"`, `"department"` or `"mixed"`.
// The variants' docs are for rustdoc only (`cfg_attr(doc, …)`): a documented variant
// would turn this type's JSON Schema from `"enum": [...]` into `"oneOf": [...]`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[cfg_attr(doc, doc = "Project tables (项目支出绩效目标表): `projects` only.")]
    Project,
    #[cfg_attr(
        doc,
        doc = "Department-level targets (部门整体绩效目标表): `overall` only."
    )]
    Department,
    #[cfg_attr(
        doc,
        doc = "Both, e.g. tangshan's department part and project part in one workbook."
    )]
    Mixed,
}

impl Kind {
    /// The JSON name: "project", "department" or "mixed".
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Project => "project",
            Kind::Department => "department",
            Kind::Mixed => "mixed",
        }
    }
}

/// Where a document was read from. `cells` maps a model path such as
/// `projects[0].funding.annual.total` to the cell it came from (`luan!H6`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Source {
    /// The id of the layout it was read with, e.g. "luan"; empty for a document that was
    /// not read from a form.
    #[serde(default)]
    pub layout: String,
    /// The file it was read from, as named to the reader.
    #[serde(default)]
    pub file: String,
    /// The sheet, when the table was read from one sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The cell each value was read from, by model path, e.g.
    /// `{"projects[0].funding.annual.total": "luan!H6"}`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub cells: IndexMap<String, String>,
}

impl Source {
    /// The layout as reports name it: its id, or "json" for a document that was not
    /// read from a form (canonical JSON).
    pub fn layout_name(&self) -> &str {
        if self.layout.is_empty() {
            "json"
        } else {
            &self.layout
        }
    }
}

/// One signature, contact, date or approval slot: the role as printed without its
/// colon ("单位负责人", "填报日期", "单位（盖章）") and what was written in it ("" when blank).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Signature {
    /// The slot's label, e.g. "填表人".
    pub role: String,
    /// Its value, e.g. "王某", "2023年1月10日"; "" for a blank slot.
    #[serde(default)]
    pub value: String,
}

/// A department, e.g. code "079", name "六安市住房公积金中心".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Department {
    /// The budget code where one is printed, e.g. "603001".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The name as published.
    pub name: String,
}

/// A budget unit's stated subtotal (guangzhou's bold unit rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Unit {
    /// The unit's name.
    pub name: String,
    /// Its stated subtotal.
    pub amounts: Amounts,
}

/// Amounts by fund source, all in the document's money unit, each exactly as published
/// (a decimal string in JSON, e.g. "231.09"); a fund the table does not state is absent.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Amounts {
    /// The total (合计 / 资金总额).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Money>,
    /// 财政拨款
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiscal: Option<Money>,
    /// 一般公共预算资金
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub general_budget: Option<Money>,
    /// 政府性基金预算资金
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub government_fund: Option<Money>,
    /// 财政专户管理资金 / 财政专户拨款
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_account: Option<Money>,
    /// 国有资本经营预算资金
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_capital: Option<Money>,
    /// 社会保险基金预算资金
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub social_insurance: Option<Money>,
    /// 上年结转
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carry_over: Option<Money>,
    /// 其他资金
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<Money>,
    /// 基本支出: the part of `total` for basic spending (personnel and running costs),
    /// a split by nature of spending beside the split by source above (ningde).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic: Option<Money>,
    /// 项目支出: the part of `total` for project spending (with `basic`, the split of
    /// `total` by nature of spending).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Money>,
}

/// The amounts of `Amounts`, for code that walks them by name: the total, the fund
/// sources ([`Fund::SOURCES`]) and the split by nature of spending ([`Fund::NATURE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fund {
    /// [`Amounts::total`].
    Total,
    /// [`Amounts::fiscal`] (财政拨款).
    Fiscal,
    /// [`Amounts::general_budget`] (一般公共预算资金).
    GeneralBudget,
    /// [`Amounts::government_fund`] (政府性基金预算资金).
    GovernmentFund,
    /// [`Amounts::special_account`] (财政专户管理资金).
    SpecialAccount,
    /// [`Amounts::state_capital`] (国有资本经营预算资金).
    StateCapital,
    /// [`Amounts::social_insurance`] (社会保险基金预算资金).
    SocialInsurance,
    /// [`Amounts::carry_over`] (上年结转).
    CarryOver,
    /// [`Amounts::other`] (其他资金).
    Other,
    /// [`Amounts::basic`] (基本支出): by nature of spending, not a source.
    Basic,
    /// [`Amounts::project`] (项目支出): by nature of spending, not a source.
    Project,
}

impl Fund {
    /// Every amount, in the order of [`Amounts`]' fields.
    pub const ALL: [Fund; 11] = [
        Fund::Total,
        Fund::Fiscal,
        Fund::GeneralBudget,
        Fund::GovernmentFund,
        Fund::SpecialAccount,
        Fund::StateCapital,
        Fund::SocialInsurance,
        Fund::CarryOver,
        Fund::Other,
        Fund::Basic,
        Fund::Project,
    ];

    /// The fund sources: the split of the total by where the money comes from.
    pub const SOURCES: [Fund; 8] = [
        Fund::Fiscal,
        Fund::GeneralBudget,
        Fund::GovernmentFund,
        Fund::SpecialAccount,
        Fund::StateCapital,
        Fund::SocialInsurance,
        Fund::CarryOver,
        Fund::Other,
    ];

    /// The split of the total by nature of spending: 基本支出 and 项目支出.
    pub const NATURE: [Fund; 2] = [Fund::Basic, Fund::Project];

    /// The JSON field name.
    pub fn key(self) -> &'static str {
        match self {
            Fund::Total => "total",
            Fund::Fiscal => "fiscal",
            Fund::GeneralBudget => "general_budget",
            Fund::GovernmentFund => "government_fund",
            Fund::SpecialAccount => "special_account",
            Fund::StateCapital => "state_capital",
            Fund::SocialInsurance => "social_insurance",
            Fund::CarryOver => "carry_over",
            Fund::Other => "other",
            Fund::Basic => "basic",
            Fund::Project => "project",
        }
    }

    /// The fund whose JSON field name is `key` ("general_budget").
    pub fn from_key(key: &str) -> Option<Fund> {
        Fund::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// As derived, but the split by nature of spending only where stated: the loss
/// report prints a dropped 合计 with it, and that text is unchanged for the tables
/// that state none.
impl std::fmt::Debug for Amounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = f.debug_struct("Amounts");
        for fund in Fund::ALL {
            let value = self.get(fund);
            if !Fund::NATURE.contains(&fund) || value.is_some() {
                out.field(fund.key(), &value);
            }
        }
        out.finish()
    }
}

impl Amounts {
    /// The amount of one fund.
    pub fn get(&self, fund: Fund) -> Option<Money> {
        *self.slot(fund)
    }

    /// Sets (or, with `None`, clears) the amount of one fund.
    pub fn set(&mut self, fund: Fund, value: Option<Money>) {
        *self.slot_mut(fund) = value;
    }

    /// Whether no fund is stated.
    pub fn is_empty(&self) -> bool {
        Fund::ALL.iter().all(|f| self.get(*f).is_none())
    }

    /// Adds up amounts fund by fund; a fund stated nowhere stays absent. The sum has
    /// the largest scale of its parts ("0.50" + "1" = "1.50").
    pub fn sum<'a>(items: impl IntoIterator<Item = &'a Amounts>) -> Amounts {
        let items: Vec<&Amounts> = items.into_iter().collect();
        let mut total = Amounts::default();
        for fund in Fund::ALL {
            let parts: Vec<Money> = items.iter().filter_map(|a| a.get(fund)).collect();
            if parts.is_empty() {
                continue;
            }
            let scale = parts.iter().map(|m| m.0.scale()).max().unwrap_or(0);
            let mut sum: rust_decimal::Decimal = parts.iter().map(|m| m.0).sum();
            sum.rescale(scale);
            total.set(fund, Some(Money(sum)));
        }
        total
    }

    fn slot(&self, fund: Fund) -> &Option<Money> {
        match fund {
            Fund::Total => &self.total,
            Fund::Fiscal => &self.fiscal,
            Fund::GeneralBudget => &self.general_budget,
            Fund::GovernmentFund => &self.government_fund,
            Fund::SpecialAccount => &self.special_account,
            Fund::StateCapital => &self.state_capital,
            Fund::SocialInsurance => &self.social_insurance,
            Fund::CarryOver => &self.carry_over,
            Fund::Other => &self.other,
            Fund::Basic => &self.basic,
            Fund::Project => &self.project,
        }
    }

    fn slot_mut(&mut self, fund: Fund) -> &mut Option<Money> {
        match fund {
            Fund::Total => &mut self.total,
            Fund::Fiscal => &mut self.fiscal,
            Fund::GeneralBudget => &mut self.general_budget,
            Fund::GovernmentFund => &mut self.government_fund,
            Fund::SpecialAccount => &mut self.special_account,
            Fund::StateCapital => &mut self.state_capital,
            Fund::SocialInsurance => &mut self.social_insurance,
            Fund::CarryOver => &mut self.carry_over,
            Fund::Other => &mut self.other,
            Fund::Basic => &mut self.basic,
            Fund::Project => &mut self.project,
        }
    }
}

/// The periods a table states amounts, goals and indicator values for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// 中期: the multi-year window (JSON `mid_term`).
    MidTerm,
    /// 年度: the budget year (JSON `annual`).
    Annual,
    /// 半年: the first half of the year (JSON `half_year`).
    HalfYear,
}

impl Period {
    /// Every period, longest first.
    pub const ALL: [Period; 3] = [Period::MidTerm, Period::Annual, Period::HalfYear];

    /// The JSON field name: "mid_term", "annual" or "half_year".
    pub fn key(self) -> &'static str {
        match self {
            Period::MidTerm => "mid_term",
            Period::Annual => "annual",
            Period::HalfYear => "half_year",
        }
    }

    /// The period whose JSON field name is `key`.
    pub fn from_key(key: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.key() == key)
    }

    /// The Chinese name used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Period::MidTerm => "中期",
            Period::Annual => "年度",
            Period::HalfYear => "半年",
        }
    }
}

/// One project of a project table: its particulars, funding, goals and indicators.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Project {
    /// 项目名称, e.g. "公积金中心运转维护经费".
    pub name: String,
    /// 项目编码, where printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The owning unit's name (guangzhou).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// 主管部门
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// 实施单位
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementer: Option<String>,
    /// 项目属性 / 项目类型 (常年项目 …)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// 项目级次
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// 开始/完成时间 and 项目期.
    #[serde(default, skip_serializing_if = "ProjectPeriod::is_empty")]
    pub period: ProjectPeriod,
    /// 项目负责人
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// 联系电话
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// 立项必要性
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub necessity: Option<String>,
    /// 实施可行性
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feasibility: Option<String>,
    /// 项目实施内容
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// 资金用途
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund_use: Option<String>,
    /// The money: amounts per period, expense lines, the spending schedule.
    #[serde(default)]
    pub funding: Funding,
    /// The goal texts (绩效目标) per period.
    #[serde(default)]
    pub goals: Goals,
    /// The performance indicators, in the order of the table.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// Labelled fields of the project that have no slot in the model, by label.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub extras: Extras,
    /// The note lines printed under this project's table, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The signature, contact, date and approval slots printed under this project's table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<Signature>,
}

/// 开始/完成时间 and 项目期.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProjectPeriod {
    /// 开始时间 (the year), e.g. `2023`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_year: Option<i32>,
    /// 完成时间 (the year), e.g. `2025`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_year: Option<i32>,
    /// 项目期 in years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<i32>,
}

impl Project {
    /// A copy without the indicators (the bulk of a project), for work that reads
    /// them from the original.
    pub(crate) fn without_indicators(&self) -> Project {
        let Project {
            name,
            code,
            unit,
            department,
            implementer,
            category,
            level,
            period,
            manager,
            phone,
            necessity,
            feasibility,
            content,
            fund_use,
            funding,
            goals,
            indicators: _,
            extras,
            notes,
            signatures,
        } = self;
        Project {
            name: name.clone(),
            code: code.clone(),
            unit: unit.clone(),
            department: department.clone(),
            implementer: implementer.clone(),
            category: category.clone(),
            level: level.clone(),
            period: period.clone(),
            manager: manager.clone(),
            phone: phone.clone(),
            necessity: necessity.clone(),
            feasibility: feasibility.clone(),
            content: content.clone(),
            fund_use: fund_use.clone(),
            funding: funding.clone(),
            goals: goals.clone(),
            indicators: Vec::new(),
            extras: extras.clone(),
            notes: notes.clone(),
            signatures: signatures.clone(),
        }
    }
}

impl ProjectPeriod {
    /// Whether nothing is known of the period.
    pub fn is_empty(&self) -> bool {
        self.start_year.is_none() && self.end_year.is_none() && self.years.is_none()
    }
}

/// A project's money (项目资金).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Funding {
    /// The amounts of the mid-term window (中期资金).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid_term: Option<Amounts>,
    /// The amounts of the budget year (年度资金).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual: Option<Amounts>,
    /// The amounts of the first half-year (半年资金).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_year: Option<Amounts>,
    /// yancheng 支出 lines (ezhou's with their 测算依据 and earlier years' actuals).
    /// A line named 合计, 小计 or 总计 is no expense: it is `expenses_total`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expenses: Vec<Expense>,
    /// The stated total of the 支出 lines, as printed on the list's 合计 / 小计 / 总计
    /// line (its `name` is that label), with the same columns as a line; `check`
    /// compares it with the lines' sum (J110). Where a form has no other cell for a
    /// period's total, the line's amount is that total, and a line stating nothing
    /// more is none (see [`Funding::take_line_totals`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expenses_total: Option<Expense>,
    /// tangshan 资金支出计划.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<ScheduleEntry>,
}

impl Funding {
    /// The amounts of one period, if stated.
    pub fn amounts(&self, period: Period) -> Option<&Amounts> {
        match period {
            Period::MidTerm => self.mid_term.as_ref(),
            Period::Annual => self.annual.as_ref(),
            Period::HalfYear => self.half_year.as_ref(),
        }
    }

    /// The amounts of one period, created empty if absent.
    pub fn amounts_mut(&mut self, period: Period) -> &mut Amounts {
        let slot = match period {
            Period::MidTerm => &mut self.mid_term,
            Period::Annual => &mut self.annual,
            Period::HalfYear => &mut self.half_year,
        };
        slot.get_or_insert_with(Amounts::default)
    }

    /// The stated total of one period.
    pub fn total(&self, period: Period) -> Option<Money> {
        self.amounts(period).and_then(|a| a.total)
    }

    /// Sets or clears the total of one period; amounts left empty are none.
    pub fn set_total(&mut self, period: Period, total: Option<Money>) {
        self.amounts_mut(period).total = total;
        let slot = match period {
            Period::MidTerm => &mut self.mid_term,
            Period::Annual => &mut self.annual,
            Period::HalfYear => &mut self.half_year,
        };
        if slot.as_ref().is_some_and(Amounts::is_empty) {
            *slot = None;
        }
    }

    /// The 合计 line a form prints where that line is the only place for the totals of
    /// `periods` (the form has no 资金总额 cell of theirs): the stated line with each
    /// such total in it where it states none, or a bare 合计 line when only the totals
    /// are stated.
    pub fn printed_total_line(&self, periods: &[Period]) -> Option<Expense> {
        let mut line = self.expenses_total.clone();
        for &period in periods {
            let Some(total) = self.total(period) else {
                continue;
            };
            let line = line.get_or_insert_with(|| Expense {
                name: Expense::TOTAL_NAMES[0].to_string(),
                ..Expense::default()
            });
            if let Some(slot) = line.amount_mut(period)
                && slot.is_none()
            {
                *slot = Some(total);
            }
        }
        line
    }

    /// Reads a 合计 line that is the only place for the totals of `periods`: each amount
    /// it states of those periods is the period's total, unless one is stated already.
    /// A line that then states nothing but those totals is no more than them and goes
    /// (the normal form, so that a form read and written back compares equal). Returns
    /// the periods whose total the line gave.
    pub fn take_line_totals(&mut self, periods: &[Period]) -> Vec<Period> {
        let Some(line) = self.expenses_total.clone() else {
            return Vec::new();
        };
        let mut taken = Vec::new();
        for &period in periods {
            if let Some(m) = line.amount(period)
                && self.total(period).is_none()
            {
                self.set_total(period, Some(m));
                taken.push(period);
            }
        }
        if self.is_bare_total_line(&line, periods) {
            self.expenses_total = None;
        }
        taken
    }

    /// Whether a 合计 line states nothing but the totals of `periods`: no 测算依据, no
    /// actuals, no amount of another period, and at least one of those totals.
    fn is_bare_total_line(&self, line: &Expense, periods: &[Period]) -> bool {
        let amounts = [Period::Annual, Period::HalfYear].map(|p| (p, line.amount(p)));
        let only_totals = amounts.iter().all(|&(p, m)| match m {
            None => true,
            // The same figure as printed: "814.00" is not the "814" of another cell.
            Some(m) => {
                periods.contains(&p) && self.total(p).map(|t| t.to_string()) == Some(m.to_string())
            }
        });
        line.basis.is_none()
            && line.actuals.is_empty()
            && only_totals
            && amounts.iter().any(|(_, m)| m.is_some())
    }
}

/// One 支出 line: an expense with its half-year plan and annual budget.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Expense {
    /// The expense line's name as published.
    pub name: String,
    /// The half-year plan, in the document's money unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_year: Option<Money>,
    /// The annual budget, in the document's money unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual: Option<Money>,
    /// 测算(公式)依据: how the amount was worked out, as published (ezhou).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// Actual spending of earlier years (实际执行数) by year, in the document's money
    /// unit, e.g. `{"2020": "662.98", "2021": "700.00"}`, in the order printed.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub actuals: IndexMap<String, Money>,
}

impl Expense {
    /// The labels of a line that states the list's total rather than an expense.
    pub const TOTAL_NAMES: [&'static str; 3] = ["合计", "小计", "总计"];

    /// Whether a line of this name is the list's total (合计, 小计, 总计, whatever the
    /// spaces and width).
    pub fn is_total_name(name: &str) -> bool {
        let folded: String = name.chars().filter(|c| !c.is_whitespace()).collect();
        Expense::TOTAL_NAMES.contains(&folded.as_str())
    }

    /// The line's amount of a period (a line has none for the mid-term window).
    pub fn amount(&self, period: Period) -> Option<Money> {
        match period {
            Period::Annual => self.annual,
            Period::HalfYear => self.half_year,
            Period::MidTerm => None,
        }
    }

    /// The line's amount slot of a period, if a line has one.
    pub fn amount_mut(&mut self, period: Period) -> Option<&mut Option<Money>> {
        match period {
            Period::Annual => Some(&mut self.annual),
            Period::HalfYear => Some(&mut self.half_year),
            Period::MidTerm => None,
        }
    }
}

/// One column of 资金支出计划: the share of the budget spent by the end of `month`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScheduleEntry {
    /// As published, e.g. "3月底".
    pub label: String,
    /// The month the label names, 1 to 12 (`3` for "3月底").
    pub month: u32,
    /// A decimal string without "%" ("50"); absent where the cell is blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<String>,
}

/// A project's goal texts (绩效目标) per period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Goals {
    /// 中期目标, with its window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid_term: Option<Goal>,
    /// 年度目标.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual: Option<Goal>,
    /// 半年目标.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_year: Option<Goal>,
}

impl Goals {
    /// The goal of one period, if stated.
    pub fn get(&self, period: Period) -> Option<&Goal> {
        match period {
            Period::MidTerm => self.mid_term.as_ref(),
            Period::Annual => self.annual.as_ref(),
            Period::HalfYear => self.half_year.as_ref(),
        }
    }

    /// The goal of one period, created empty if absent.
    pub fn get_mut(&mut self, period: Period) -> &mut Goal {
        let slot = match period {
            Period::MidTerm => &mut self.mid_term,
            Period::Annual => &mut self.annual,
            Period::HalfYear => &mut self.half_year,
        };
        slot.get_or_insert_with(Goal::default)
    }
}

/// A goal text; `period` is the mid-term window as printed ("2023年—2025年").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Goal {
    /// The window as printed with a mid-term goal, e.g. "2023年—2025年".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// The goal as published.
    #[serde(default)]
    pub text: String,
}

/// One performance indicator (三级指标) with its class and the values per period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Indicator {
    /// 一级指标 as published: 产出指标, 效益指标, 满意度指标, 决策, 过程 …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level1: Option<String>,
    /// 二级指标: 数量指标, 质量指标, 时效指标, 成本指标 …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level2: Option<String>,
    /// 三级指标 / 绩效指标
    pub name: String,
    /// 绩效指标描述 (tangshan)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 指标解释 (linyi)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// The target value (指标值) per period.
    #[serde(default)]
    pub values: Values,
    /// 指标值确定依据 (tangshan)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// 指标参考值 (linyi)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
    /// 工作活动 (linyi)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    /// Columns of the indicator table that have no slot in the model, by the column's
    /// label, e.g. `{"分值": "10", "备注": "…"}` (权重, 分值, 备注 …): read from a
    /// template's `extras` columns and written back to the column with that label.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub extras: Extras,
    /// Field names the converter inferred rather than read, e.g. "level2".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<String>,
}

/// An indicator's target per period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Values {
    /// 中期指标值, e.g. "≥6次".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid_term: Option<Value>,
    /// 年度指标值, e.g. "100%".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual: Option<Value>,
    /// 半年指标值, e.g. "2025年6月".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_year: Option<Value>,
}

impl Values {
    /// The value of one period, if stated.
    pub fn get(&self, period: Period) -> Option<&Value> {
        match period {
            Period::MidTerm => self.mid_term.as_ref(),
            Period::Annual => self.annual.as_ref(),
            Period::HalfYear => self.half_year.as_ref(),
        }
    }

    /// Sets (or, with `None`, clears) the value of one period.
    pub fn set(&mut self, period: Period, value: Option<Value>) {
        let slot = match period {
            Period::MidTerm => &mut self.mid_term,
            Period::Annual => &mut self.annual,
            Period::HalfYear => &mut self.half_year,
        };
        *slot = value;
    }
}

/// linyi 指标参考值.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Reference {
    /// 规划值
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<String>,
    /// 当年标准值 with its source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<Sourced>,
    /// 历史值: 前三年均值, 上年值 and their source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

/// A reference value with where it comes from (linyi 当年标准值 + 标准值来源).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Sourced {
    /// The value as published.
    #[serde(default)]
    pub value: String,
    /// Where it comes from (来源), e.g. a standard or a regulation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Historical reference values (linyi 历史值).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct History {
    /// 前三年均值: the mean of the three years before, as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg_3y: Option<String>,
    /// 上年值: last year's value, as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_year: Option<String>,
    /// Where the history comes from (历史值来源).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Department-level targets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Overall {
    /// tangshan part 1: headed sections.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// linyi: duties → objectives → indicators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duties: Vec<Duty>,
    /// Department-level indicators that belong to no duty (ningde's one table for the
    /// whole department).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<Indicator>,
}

impl Overall {
    /// Whether it holds nothing: no sections, no duties, no indicators.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty() && self.duties.is_empty() && self.indicators.is_empty()
    }
}

/// A headed text section of a department table (tangshan part 1), e.g. heading
/// "部门职责", and its text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Section {
    /// The heading as published.
    pub heading: String,
    /// The section's text.
    #[serde(default)]
    pub text: String,
}

/// A department duty (职责序号 + 部门职责).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Duty {
    /// 职责序号 as published, e.g. "1".
    pub seq: String,
    /// 部门职责: the duty's short name.
    pub name: String,
    /// The duty's objectives (职责目标), each with its indicators.
    #[serde(default)]
    pub objectives: Vec<Objective>,
}

/// A duty objective (职责目标) with the detailed duty text it stands under.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Objective {
    /// The second 部门职责 column: the detailed duty text (it can differ between the
    /// objectives of one duty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// 职责目标 as published.
    pub name: String,
    /// The objective's performance indicators.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// The spending lines the objective's row carries: 支出项目名称 + 预算金额 (ningde).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spending: Vec<Spending>,
}

/// A spending line of a department's objective: a project and its budget.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Spending {
    /// 支出项目名称, e.g. "基本支出".
    pub project: String,
    /// 预算金额 in the document's money unit, where one is printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
}

/// The JSON Schema of `Document`, as `jixiao schema` prints it.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Document);
    serde_json::to_value(schema).expect("a schema is plain JSON")
}
