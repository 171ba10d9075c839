//! The one table of printed labels the drafter knows without any built-in template:
//! label → field path. Kept available when `--without` withholds every template.

/// What a printed form label stands for.
pub struct Synonym {
    /// The label as forms print it (matched by `label_key`).
    pub label: &'static str,
    /// The field path (or `extras`) of the value it labels.
    pub field: &'static str,
    /// A `format` the value is printed with, when the form decorates it.
    pub format: Option<&'static str>,
}

const fn s(label: &'static str, field: &'static str) -> Synonym {
    Synonym {
        label,
        field,
        format: None,
    }
}

const fn f(label: &'static str, field: &'static str, format: &'static str) -> Synonym {
    Synonym {
        label,
        field,
        format: Some(format),
    }
}

/// Form labels (label/value cells above the indicator table).
pub static FORM: &[Synonym] = &[
    s("项目名称", "name"),
    s("项目编码", "code"),
    s("项目代码", "code"),
    s("主管部门", "department"),
    f(
        "主管部门及代码",
        "doc.department.name",
        "[{doc.department.code}]{doc.department.name}",
    ),
    f(
        "主管部门(及代码)",
        "doc.department.name",
        "[{doc.department.code}]{doc.department.name}",
    ),
    s("部门名称", "doc.department.name"),
    s("部门(单位)名称", "doc.department.name"),
    s("部门预算编码", "doc.department.code"),
    s("实施单位", "implementer"),
    s("资金使用单位", "unit"),
    s("项目属性", "category"),
    s("项目类型", "category"),
    s("项目类别", "category"),
    s("项目级次", "level"),
    s("开始时间", "period.start_year"),
    s("完成时间", "period.end_year"),
    s("项目期", "period.years"),
    s("项目负责人", "manager"),
    s("联系电话", "phone"),
    f("项目负责人/联系电话", "manager", "{manager}/{phone}"),
    s("立项必要性", "necessity"),
    s("实施可行性", "feasibility"),
    s("项目实施内容", "content"),
    s("预算规模及资金用途", "fund_use"),
    s("资金用途", "fund_use"),
    s("资金总额", "funding.annual.total"),
    s("年度资金总额", "funding.annual.total"),
    s("中期资金总额", "funding.mid_term.total"),
    s("预算数", "funding.annual.total"),
    s("总计", "funding.annual.total"),
    s("财政拨款", "funding.annual.fiscal"),
    s("其中:财政拨款", "funding.annual.fiscal"),
    s("其中:财政资金", "funding.annual.fiscal"),
    s("财政资金", "funding.annual.fiscal"),
    s("一般公共预算资金", "funding.annual.general_budget"),
    s("政府性基金预算资金", "funding.annual.government_fund"),
    s("财政专户管理资金", "funding.annual.special_account"),
    s("财政专户拨款", "funding.annual.special_account"),
    s("国有资本经营预算资金", "funding.annual.state_capital"),
    s("社会保险基金预算资金", "funding.annual.social_insurance"),
    s("上年结转资金", "funding.annual.carry_over"),
    s("其他资金", "funding.annual.other"),
    s("基本支出", "funding.annual.basic"),
    s("项目支出", "funding.annual.project"),
    s("中长期目标", "goals.mid_term.text"),
    s("中期目标", "goals.mid_term.text"),
    s("年度目标", "goals.annual.text"),
    s("绩效目标", "goals.annual.text"),
    s("年度绩效目标", "goals.annual.text"),
    s("年度总体目标", "section"),
];

/// Column labels of a 支出 table (a `repeat = "expenses"` row).
pub static EXPENSES: &[Synonym] = &[
    s("项目预算成本构成", "expenses.name"),
    s("支出项目", "expenses.name"),
    s("支出明细", "expenses.name"),
    s("项目名称", "expenses.name"),
    s("金额", "expenses.annual"),
    s("全年(程)预算数(万元)", "expenses.annual"),
    s("全年(程)预算数", "expenses.annual"),
    s("半年(程)计划执行数(万元)", "expenses.half_year"),
    s("半年(程)计划执行数", "expenses.half_year"),
    s("测算(公式)依据", "expenses.basis"),
    s("测算依据", "expenses.basis"),
];

/// Indicator table column labels: the indicator field name (period words in the label
/// decide a value column's period).
pub static INDICATORS: &[Synonym] = &[
    s("一级指标", "level1"),
    s("二级指标", "level2"),
    s("三级指标", "name"),
    s("绩效指标", "name"),
    s("指标名称", "name"),
    s("指标值", "value"),
    s("年度指标值", "value"),
    s("目标值", "value"),
    s("当年预期实现值", "value"),
    s("半年(程)指标值", "value"),
    s("全年(程)指标值", "value"),
    s("中期指标值", "value"),
    s("指标解释", "explanation"),
    s("绩效标准", "explanation"),
    s("绩效指标描述", "description"),
    s("指标值确定依据", "basis"),
    s("工作活动", "activity"),
    s("指标性质", "value.op"),
    s("度量单位", "value.unit"),
    s("计量单位", "value.unit"),
];

/// 二级 classes: a column printed 一级指标 that holds these holds the 二级 class.
pub static LEVEL2_CLASSES: &[&str] = &[
    "数量指标",
    "质量指标",
    "时效指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
];

/// Duties table column labels (a department's 职责 table): the duties field.
pub static DUTIES: &[Synonym] = &[
    s("职责序号", "duty.seq"),
    s("部门职责", "duty.name"),
    s("部门职能", "duty.name"),
    s("职责目标", "objective.name"),
    s("年度目标任务", "objective.name"),
    s("支出项目名称", "spending.project"),
    s("预算金额", "spending.amount"),
    s("预算金额(万元)", "spending.amount"),
    s("绩效指标", "name"),
    s("指标名称", "name"),
    s("指标解释", "explanation"),
    s("年度指标值", "value"),
    s("指标值", "value"),
    s("工作活动", "activity"),
    s("规划值", "reference.planned"),
    s("标准值", "reference.standard.value"),
    s("当年标准值", "reference.standard.value"),
    s("前三年均值", "reference.history.avg_3y"),
    s("上年值", "reference.history.last_year"),
];
