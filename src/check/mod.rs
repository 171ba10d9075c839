//! Validation (SPEC §7): what a budget reviewer would circle in red, from the canonical
//! model, pointing at cells.
//!
//! Every rule has a stable code (J1xx money, J2xx 资金支出计划, J3xx dates and periods,
//! J4xx indicator values, J5xx structure and misread rows), a severity and a one-line
//! message in Chinese that names the numbers involved. [`RULES`] is the registry that the README, `jixiao check
//! --list-rules` and the tests share. Sums use exact decimals, never floats.
//!
//! The rules are tuned on the five published fixtures: on them they find exactly the real
//! oddities of the published tables (see `tests/check.rs`). Where a real table legitimately
//! does something (a cap on the number of people trained, a blank 其他资金), it is not
//! flagged, or at most noted.

mod misread;
mod money;
mod schedule;
mod structure;
mod time;
mod values;

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::{Document, Indicator, Period, Value};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Wrong as published: sums that do not add up, an impossible schedule.
    Error,
    /// Very likely a mistake, or a target that cannot be assessed.
    Warning,
    /// Worth a look; real tables often do it.
    Note,
}

impl Severity {
    /// The lowercase name: "error", "warning" or "note".
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing the checks found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's stable code, e.g. "J101".
    pub code: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// One line in Chinese domain terms, with the numbers involved.
    pub message: String,
    /// The file the document was read from (`source.file`).
    pub file: String,
    /// The cell that holds the offending value ("Sheet!E11", or a range "Sheet!D40:E40");
    /// for a sum, the stated total.
    pub cell: Option<String>,
    /// The project the finding concerns ("unit / name" where projects carry a unit).
    pub project: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.severity, self.code)?;
        if let Some(cell) = &self.cell {
            write!(f, " {cell}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A rule of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The stable code, e.g. "J101".
    pub code: &'static str,
    /// The severity of its findings.
    pub severity: Severity,
    /// What it checks, in a few words.
    pub title: &'static str,
    /// An example message.
    pub example: &'static str,
}

/// Every rule, by code.
pub const RULES: &[Rule] = &[
    Rule {
        code: "J101",
        severity: Severity::Error,
        title: "资金总额 ≠ 各资金来源之和（财政拨款 + 其他资金 + 上年结转 …，按中期/年度/半年分别核对，只在列出来源时核对，空白按 0 计）",
        example: "年度资金总额 77.03 ≠ 财政拨款 77.03 + 其他资金 5.00（差 -5.00）",
    },
    Rule {
        code: "J102",
        severity: Severity::Error,
        title: "财政拨款小计 ≠ 一般公共预算资金 + 政府性基金预算资金 + 财政专户管理资金",
        example: "年度财政拨款 1003.82 ≠ 一般公共预算资金 1000.82 + 政府性基金预算资金 0 + 财政专户管理资金 0（差 3.00）",
    },
    Rule {
        code: "J103",
        severity: Severity::Error,
        title: "支出明细之和 ≠ 收入（资金总额）",
        example: "支出明细合计 1003.00（1 项）≠ 年度资金总额 1003.82（差 -0.82）",
    },
    Rule {
        code: "J104",
        severity: Severity::Warning,
        title: "支出明细的半年计划执行数超过全年预算数",
        example: "支出「住房公积金管理业务费用」半年计划执行数 1200 > 全年预算数 1003.82",
    },
    Rule {
        code: "J105",
        severity: Severity::Error,
        title: "单位小计 ≠ 所属项目之和",
        example: "单位「广州住房公积金管理中心番禺办事处」总计 177.99 ≠ 所属 3 个项目之和 178.00（差 -0.01）",
    },
    Rule {
        code: "J106",
        severity: Severity::Error,
        title: "合计 ≠ 各单位小计之和（无单位时为各项目之和）",
        example: "合计 12748.27 ≠ 6 个单位小计之和 12749.27（差 -1.00）",
    },
    Rule {
        code: "J107",
        severity: Severity::Warning,
        title: "以万元计的成本指标（=、≤ 的总额类指标，不含单价）合计超过项目预算",
        example: "成本指标（万元）合计 77.62 > 年度资金总额 77.03：市本级及管理部业务开展经费 ≤23.42万元 + 公积金业务宣传提升经费 ≤14.2万元 + 业务大厅工作经费 ≤40.00万元",
    },
    Rule {
        code: "J108",
        severity: Severity::Warning,
        title: "中期资金总额小于年度资金总额",
        example: "中期资金总额 50.00 < 年度资金总额 77.03：中期包含预算年度，不应更少",
    },
    Rule {
        code: "J109",
        severity: Severity::Error,
        title: "资金总额 ≠ 基本支出 + 项目支出（按支出性质的划分，三者都列出时核对；与资金来源分别核对，不相加）",
        example: "年度资金总额 120.00 ≠ 基本支出 80.00 + 项目支出 30.00（差 10.00）",
    },
    Rule {
        code: "J110",
        severity: Severity::Error,
        title: "支出明细的合计行 ≠ 各支出之和（半年计划、全年预算、各年实际执行数分列核对）",
        example: "支出合计2020年实际执行数 662.98 ≠ 3 项支出之和 662.88（差 0.10）",
    },
    Rule {
        code: "J111",
        severity: Severity::Error,
        title: "部门履职目标的支出与预算安排不符（名为「基本支出」「项目支出」的支出行 ≠ 所列基本支出、项目支出；各支出行之和 ≠ 资金总额）",
        example: "履职目标「按时发放2019年人员工资待遇」的支出「基本支出」171.41 ≠ 预算安排的基本支出 110.61（差 60.80）",
    },
    Rule {
        code: "J201",
        severity: Severity::Error,
        title: "资金支出计划（累计 %）出现下降",
        example: "资金支出计划 6月底 20% < 3月底 25%：累计支出进度不应下降",
    },
    Rule {
        code: "J202",
        severity: Severity::Error,
        title: "资金支出计划超出 0–100%",
        example: "资金支出计划 10月底 120% 超过 100%",
    },
    Rule {
        code: "J203",
        severity: Severity::Error,
        title: "资金支出计划最后一期不是 100%（空白的月份不计）",
        example: "资金支出计划最后一期 12月底 为 90%，应为 100%",
    },
    Rule {
        code: "J204",
        severity: Severity::Error,
        title: "资金支出计划的百分比不是数字",
        example: "资金支出计划 6月底「过半」不是百分比",
    },
    Rule {
        code: "J301",
        severity: Severity::Warning,
        title: "年度/半年指标值中的日期不在预算年度内",
        example: "时效指标「正式办公时间」年度指标值 2024年10月22日 不在预算年度 2025 年内",
    },
    Rule {
        code: "J302",
        severity: Severity::Warning,
        title: "中期指标值中的日期超出中期目标期间（或项目期）",
        example: "时效指标「业务技能大赛按时举办」中期指标值 2026年12月 超出中期 2023—2025 年",
    },
    Rule {
        code: "J303",
        severity: Severity::Warning,
        title: "中期目标期间与项目期不符，或不含预算年度",
        example: "中期目标期间「2023年—2026年」为 4 年，与项目期 3 年不符",
    },
    Rule {
        code: "J304",
        severity: Severity::Warning,
        title: "项目起止年度不含预算年度",
        example: "项目期 2019—2021 年不含预算年度 2022 年",
    },
    Rule {
        code: "J401",
        severity: Severity::Warning,
        title: "数量/质量/成本指标的指标值没有数值，无法衡量（含糊用语见 J402，引用明确标准的如「不高于资产配置标准」不计）",
        example: "成本指标「会费金额」的指标值「文件通知」没有数值，无法衡量",
    },
    Rule {
        code: "J402",
        severity: Severity::Note,
        title: "指标值含糊（提高、较高、明显、尽量降低成本、年度计划数 …）",
        example: "社会效益指标「群众咨询问题便捷性」的指标值「提高」含糊，宜给出可衡量的目标值",
    },
    Rule {
        code: "J403",
        severity: Severity::Warning,
        title: "数值缺少计量单位（成本指标、时效指标、名称为「…率」的指标；写成小数的比率见 J411）",
        example: "成本指标「市本级及管理部业务开展经费」的指标值「≤23.42」缺少计量单位（元或万元）",
    },
    Rule {
        code: "J404",
        severity: Severity::Warning,
        title: "名称为「…率」的指标，指标值却不是百分数",
        example: "效益指标「响应及时率」是比率，指标值「4秒」却不是百分数",
    },
    Rule {
        code: "J405",
        severity: Severity::Warning,
        title: "成本指标用了下限（≥、>），成本指标通常是上限",
        example: "成本指标「日常办公成本」的指标值半年「≥5万元」、年度「≥13万元」是下限；成本指标通常应为上限（≤）",
    },
    Rule {
        code: "J406",
        severity: Severity::Warning,
        title: "满意度指标用了上限（≤、<）",
        example: "满意度指标「住房公积金业务办理满意度」的指标值「≤85%」是上限；满意度通常应为下限（≥）",
    },
    Rule {
        code: "J407",
        severity: Severity::Note,
        title: "数量指标用了上限（≤、<）；控制人数、面积等投入的上限是常见的，请确认",
        example: "数量指标「出席会议人数」的指标值半年「≤100人」、年度「≤360人」是上限，请确认不是产出下限",
    },
    Rule {
        code: "J408",
        severity: Severity::Warning,
        title: "同一单价（月租金、单价、人均、单笔 …）在各期的指标值不同",
        example: "成本指标「视频会议系统服务费月租金」半年 =1.146万元 ≠ 年度 =1.416万元：同一单价各期应相同",
    },
    Rule {
        code: "J409",
        severity: Severity::Warning,
        title: "各期指标值相互矛盾（半年目标超过全年，或中期目标少于年度）",
        example: "数量指标「预计发放贷款办理不动产抵押登记笔数」半年 ≥9000笔 > 年度 ≥8000笔：半年目标不应超过全年",
    },
    Rule {
        code: "J410",
        severity: Severity::Warning,
        title: "指标没有任何指标值",
        example: "数量指标「举办服务礼仪、业务培训等次数」没有指标值",
    },
    Rule {
        code: "J411",
        severity: Severity::Warning,
        title: "比率写成了不带 % 的小数（名称为「…率」或指标解释、参考值写有 % 的指标，指标值是 0 到 1 之间的裸数字，如「1」「0.95」）",
        example: "质量指标「各类书籍审稿率」是比率，指标值「1」是不带 % 的小数，多半是指 100%（指标解释为 100%）",
    },
    Rule {
        code: "J501",
        severity: Severity::Warning,
        title: "项目没有产出指标（一级指标为空的按其二级指标归类：数量、质量、时效、成本指标属产出指标）",
        example: "项目「专项工作经费」没有产出指标（共 2 个指标）",
    },
    Rule {
        code: "J502",
        severity: Severity::Warning,
        title: "项目没有效益指标（一级指标为空的按其二级指标归类：经济、社会、生态效益指标和可持续影响指标属效益指标）",
        example: "项目「购置经费」没有效益指标（共 2 个指标）",
    },
    Rule {
        code: "J503",
        severity: Severity::Warning,
        title: "未知的一级指标（标准：产出、效益、满意度、成本指标，决策、过程）",
        example: "「实现组合贷款市县区全覆盖，全面发放组合贷款」的一级指标「双碳目标」不是标准分类（产出指标、效益指标、满意度指标、成本指标、决策、过程）",
    },
    Rule {
        code: "J504",
        severity: Severity::Warning,
        title: "未知的二级指标，或二级指标不属于其一级指标",
        example: "「业务技能大赛按时举办」的二级指标「进度指标」不是产出指标的标准分类（数量指标、质量指标、时效指标、成本指标）",
    },
    Rule {
        code: "J505",
        severity: Severity::Warning,
        title: "指标缺少分类（一级指标为空，且没有能确定一级的标准二级指标；或同一项目其他指标都有二级指标而它没有）",
        example: "指标「缴存单位及职工满意度」没有一级指标（分类为空）",
    },
    Rule {
        code: "J506",
        severity: Severity::Warning,
        title: "同一项目中重复的指标（一级、二级、名称都相同）",
        example: "「产出指标/数量指标/走访企业、单位、学校、商户等户数」在本项目中出现 2 次",
    },
    Rule {
        code: "J507",
        severity: Severity::Note,
        title: "产出指标缺少数量、质量或时效指标（只看原表写明为产出指标的）",
        example: "产出指标下没有质量指标（有 数量指标×2、时效指标、成本指标）",
    },
    Rule {
        code: "J508",
        severity: Severity::Note,
        title: "「越高越好」的指标年度目标低于上年值",
        example: "职责3·服务保障「群众满意率」年度指标值 90% 低于上年值 97%",
    },
    Rule {
        code: "J509",
        severity: Severity::Warning,
        title: "项目没有绩效指标",
        example: "项目「会议费」没有绩效指标",
    },
    Rule {
        code: "J510",
        severity: Severity::Warning,
        title: "指标、职责或项目的各栏都是同一段文字（多半是合并单元格的注释行被读成了内容）",
        example: "指标「注：本表金额单位为万元。」的各栏（分类、名称、指标值）都是同一段文字「注：本表金额单位为万元。」，多半是合并单元格的注释行被读成了指标",
    },
    Rule {
        code: "J511",
        severity: Severity::Warning,
        title: "指标、职责或项目以注释或签署用语开头（注：、说明：、填报说明、备注、单位负责人、填表人、联系电话、填报日期 …；指标名称还有项目负责人）",
        example: "指标「填表人：王五」以「填表人」开头，多半是表格下方的注释或签署栏被读成了指标",
    },
];

/// The registry entry of a code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// Runs every rule on a document. Findings come in a fixed order: document-level first,
/// then by project (in document order), then by rule code, then by cell.
///
/// The groups of rules only read the document and add findings, so they run side by side
/// on the current rayon pool (a province's 5,000 projects took 0.3 s on one thread before
/// `convert` wrote anything), each into a context of its own; their findings are joined
/// in the order the groups ran in one after the other, so the stable sort gives the same
/// list.
pub fn check(doc: &Document) -> Vec<Finding> {
    use rayon::prelude::*;
    const GROUPS: [fn(&mut Ctx<'_>); 6] = [
        money::run,
        schedule::run,
        time::run,
        values::run,
        structure::run,
        misread::run,
    ];
    let parts: Vec<Ctx<'_>> = GROUPS
        .par_iter()
        .map(|run| {
            let mut ctx = Ctx::new(doc);
            run(&mut ctx);
            ctx
        })
        .collect();
    let mut ctx = Ctx::new(doc);
    for part in parts {
        ctx.found.extend(part.found);
        ctx.groups.extend(part.groups);
    }
    ctx.finish()
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Findings of [`Severity::Error`].
    pub errors: usize,
    /// Findings of [`Severity::Warning`].
    pub warnings: usize,
    /// Findings of [`Severity::Note`].
    pub notes: usize,
}

impl Counts {
    /// Counts a list of findings.
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            c.add(f.severity);
        }
        c
    }

    /// Counts one more finding of this severity.
    pub fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Note => self.notes += 1,
        }
    }

    /// Adds another count to this one.
    pub fn merge(&mut self, other: Counts) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.notes += other.notes;
    }
}

/// "0 errors, 1 warning, 12 notes".
impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn n(f: &mut fmt::Formatter<'_>, count: usize, word: &str) -> fmt::Result {
            write!(f, "{count} {word}{}", if count == 1 { "" } else { "s" })
        }
        n(f, self.errors, "error")?;
        f.write_str(", ")?;
        n(f, self.warnings, "warning")?;
        f.write_str(", ")?;
        n(f, self.notes, "note")
    }
}

// ---------------------------------------------------------------------------------------
// Shared machinery for the rule families.

/// One indicator with where it sits in the document.
pub(crate) struct IndicatorRef<'a> {
    pub ind: &'a Indicator,
    /// The model path, e.g. `projects[0].indicators[3]`.
    pub path: String,
    /// The project index, for project indicators.
    pub project: Option<usize>,
    /// For department-level indicators, the duty they stand under ("职责3·服务保障").
    pub context: Option<String>,
}

impl IndicatorRef<'_> {
    /// The indicator's class, for the value rules: project indicators and a department's
    /// own indicator table (ningde) have one; duty indicators (linyi) have none.
    pub fn class(&self) -> Option<ClassOf> {
        if self.context.is_some() {
            return None;
        }
        class_of(self.ind)
    }

    /// The values the indicator has, in the order 中期, 半年, 年度.
    pub fn values(&self) -> Vec<(Period, &Value)> {
        [Period::MidTerm, Period::HalfYear, Period::Annual]
            .into_iter()
            .filter_map(|p| self.ind.values.get(p).map(|v| (p, v)))
            .collect()
    }

    /// How messages name the indicator: its class and name, e.g. 成本指标「会费金额」;
    /// a class inferred from the name is said to be inferred.
    pub fn subject(&self, class: Option<&ClassOf>) -> String {
        let level1 = self.ind.level1.as_deref().map(str::trim).unwrap_or("");
        let name = self.ind.name.trim();
        match (&self.context, class) {
            (Some(c), _) => format!("{c}「{name}」"),
            (None, Some(c)) if !c.inferred => format!("{}「{name}」", c.label),
            (None, Some(c)) => format!("{level1}「{name}」（按名称推断为{}）", c.label),
            (None, None) => format!("{level1}「{name}」"),
        }
    }

    /// Like [`subject`](Self::subject), but a class inferred from the name is left out
    /// (for rules that do not depend on the class).
    pub fn plain_subject(&self, class: Option<&ClassOf>) -> String {
        self.subject(class.filter(|c| !c.inferred))
    }

    pub fn value_path(&self, period: Period) -> String {
        format!("{}.values.{}", self.path, period.key())
    }
}

/// Collects findings while the rules run.
pub(crate) struct Ctx<'a> {
    pub doc: &'a Document,
    found: Vec<Finding>,
    /// The sort group of each finding: 0 for the document, project index + 1.
    groups: Vec<usize>,
}

impl<'a> Ctx<'a> {
    fn new(doc: &'a Document) -> Ctx<'a> {
        Ctx {
            doc,
            found: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// The cell a model path came from.
    pub fn cell(&self, path: &str) -> Option<String> {
        self.doc.source.cells.get(path).cloned()
    }

    /// The cell of a path, else the project's name cell.
    pub fn cell_or_project(&self, path: &str, project: Option<usize>) -> Option<String> {
        self.cell(path)
            .or_else(|| project.and_then(|p| self.cell(&format!("projects[{p}].name"))))
    }

    /// The cell (or one-row range) holding the values of an indicator in the given
    /// periods (all its values when `periods` is empty); where they lie on different
    /// rows, the first (年度 before 半年 before 中期 when `periods` is empty); without any
    /// value cell, the project's name cell.
    pub fn value_cells(&self, ind: &IndicatorRef<'_>, periods: &[Period]) -> Option<String> {
        let mut cells: Vec<String> = periods
            .iter()
            .filter_map(|p| self.cell(&ind.value_path(*p)))
            .collect();
        if cells.is_empty() {
            // The indicator as a whole: all its value cells (one row becomes a range).
            cells = [Period::Annual, Period::HalfYear, Period::MidTerm]
                .iter()
                .filter_map(|p| self.cell(&ind.value_path(*p)))
                .collect();
        }
        span(&cells).or_else(|| {
            ind.project
                .and_then(|p| self.cell(&format!("projects[{p}].name")))
        })
    }

    /// How findings name a project: "unit / name" where the project carries a unit that
    /// its name does not already start with (guangzhou repeats names across units).
    pub fn project_label(&self, index: usize) -> String {
        let p = &self.doc.projects[index];
        match &p.unit {
            Some(unit) if !unit.is_empty() && !p.name.starts_with(unit.as_str()) => {
                format!("{unit} / {}", p.name)
            }
            _ => p.name.clone(),
        }
    }

    /// Every indicator: project indicators first, then department-level ones (the
    /// department's own table, then the duties').
    pub fn indicators(&self) -> Vec<IndicatorRef<'a>> {
        let doc: &'a Document = self.doc;
        let mut out = Vec::new();
        for (pi, p) in doc.projects.iter().enumerate() {
            for (ii, ind) in p.indicators.iter().enumerate() {
                out.push(IndicatorRef {
                    ind,
                    path: format!("projects[{pi}].indicators[{ii}]"),
                    project: Some(pi),
                    context: None,
                });
            }
        }
        if let Some(overall) = &doc.overall {
            for (ii, ind) in overall.indicators.iter().enumerate() {
                out.push(IndicatorRef {
                    ind,
                    path: format!("overall.indicators[{ii}]"),
                    project: None,
                    context: None,
                });
            }
            for (di, duty) in overall.duties.iter().enumerate() {
                for (oi, obj) in duty.objectives.iter().enumerate() {
                    for (ii, ind) in obj.indicators.iter().enumerate() {
                        out.push(IndicatorRef {
                            ind,
                            path: format!("overall.duties[{di}].objectives[{oi}].indicators[{ii}]"),
                            project: None,
                            context: Some(format!("职责{}·{}", duty.seq.trim(), duty.name.trim())),
                        });
                    }
                }
            }
        }
        out
    }

    /// Records a finding of rule `code`.
    pub fn report(
        &mut self,
        code: &'static str,
        project: Option<usize>,
        cell: Option<String>,
        message: String,
    ) {
        let severity = rule(code)
            .unwrap_or_else(|| panic!("rule {code} is not in the registry"))
            .severity;
        self.found.push(Finding {
            code,
            severity,
            message,
            file: self.doc.source.file.clone(),
            cell,
            project: project.map(|p| self.project_label(p)),
        });
        self.groups.push(project.map_or(0, |p| p + 1));
    }

    fn finish(self) -> Vec<Finding> {
        let mut all: Vec<(usize, Finding)> = self.groups.into_iter().zip(self.found).collect();
        // A stable sort: findings on one cell keep the order the rules found them in.
        all.sort_by(|(ga, a), (gb, b)| {
            ga.cmp(gb)
                .then_with(|| a.code.cmp(b.code))
                .then_with(|| cmp_cells(a.cell.as_deref(), b.cell.as_deref()))
        });
        all.dedup_by(|(ga, a), (gb, b)| ga == gb && a == b);
        all.into_iter().map(|(_, f)| f).collect()
    }
}

/// Orders cells by sheet, then row, then column ("E9" before "E10"); no cell last.
fn cmp_cells(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => cell_key(a).cmp(&cell_key(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn cell_key(cell: &str) -> (String, u32, u32, String) {
    let (sheet, rest) = cell.rsplit_once('!').unwrap_or(("", cell));
    let first = rest.split(':').next().unwrap_or("");
    match parse_ref(first) {
        Some((col, row)) => (sheet.to_string(), row, col, cell.to_string()),
        None => (sheet.to_string(), u32::MAX, u32::MAX, cell.to_string()),
    }
}

/// "E11" → (column number from 1, row).
fn parse_ref(r: &str) -> Option<(u32, u32)> {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &r[letters.len()..];
    if letters.is_empty() || digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let col = letters.chars().fold(0u32, |acc, c| {
        acc.saturating_mul(26)
            .saturating_add(c.to_ascii_uppercase() as u32 - 'A' as u32 + 1)
    });
    Some((col, digits.parse().ok()?))
}

fn col_name(mut col: u32) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let rem = (col - 1) % 26;
        out.push((b'A' + rem as u8) as char);
        col = (col - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Several cells of one row become one range ("Sheet!D40:E40"); otherwise the first.
fn span(cells: &[String]) -> Option<String> {
    let first = cells.first()?;
    if cells.len() == 1 {
        return Some(first.clone());
    }
    let parsed: Option<Vec<(&str, u32, u32)>> = cells
        .iter()
        .map(|c| {
            let (sheet, r) = c.rsplit_once('!')?;
            let (col, row) = parse_ref(r)?;
            Some((sheet, col, row))
        })
        .collect();
    let Some(parsed) = parsed else {
        return Some(first.clone());
    };
    let (sheet, _, row) = parsed[0];
    if parsed.iter().all(|(s, _, r)| *s == sheet && *r == row) {
        let lo = parsed.iter().map(|p| p.1).min().expect("not empty");
        let hi = parsed.iter().map(|p| p.1).max().expect("not empty");
        if lo == hi {
            return Some(first.clone());
        }
        return Some(format!(
            "{sheet}!{}{row}:{}{row}",
            col_name(lo),
            col_name(hi)
        ));
    }
    Some(first.clone())
}

/// A value's number as an exact decimal.
pub(crate) fn number(v: &Value) -> Option<Decimal> {
    v.number.as_deref().and_then(|n| Decimal::from_str(n).ok())
}

/// A value with neither number nor date: qualitative text.
pub(crate) fn is_qualitative(v: &Value) -> bool {
    v.number.is_none() && v.date.is_none()
}

/// "半年「≥20万元」、年度「≥62.01万元」", or "「较高」" where the periods share one
/// text; periods in the order given.
pub(crate) fn describe_values(values: &[(Period, &Value)]) -> String {
    let first = match values.first() {
        Some((_, v)) => v.text.trim(),
        None => return String::new(),
    };
    if values.iter().all(|(_, v)| v.text.trim() == first) {
        return format!("「{first}」");
    }
    values
        .iter()
        .map(|(p, v)| format!("{}「{}」", p.label(), v.text.trim()))
        .collect::<Vec<_>>()
        .join("、")
}

/// The broad class of an indicator, from its 二级 (or 一级) 指标.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Quantity,
    Quality,
    Time,
    Cost,
    Satisfaction,
    Benefit,
    /// 决策, 过程: assessment criteria with qualitative values by design.
    Process,
}

/// An indicator's class, the name to show for it, and whether it was inferred from the
/// indicator's name rather than read.
pub(crate) struct ClassOf {
    pub class: Class,
    pub label: String,
    pub inferred: bool,
}

/// A class name without spaces and without its "指标" suffix: "数量指标" → "数量".
pub(crate) fn norm_class(name: &str) -> String {
    let folded: String = name
        .chars()
        .map(crate::text::fold_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    folded
        .strip_suffix("指标")
        .unwrap_or(&folded)
        .trim_matches(|c: char| matches!(c, ':' | '：' | '、' | '.'))
        .to_string()
}

fn class_from_level2(level2: &str) -> Option<Class> {
    Some(match norm_class(level2).as_str() {
        "数量" => Class::Quantity,
        "质量" => Class::Quality,
        "时效" => Class::Time,
        "成本" | "经济成本" | "社会成本" | "生态环境成本" => Class::Cost,
        "服务对象满意度" | "满意度" => Class::Satisfaction,
        "经济效益" | "社会效益" | "生态效益" | "可持续影响" => Class::Benefit,
        "项目立项" | "绩效目标" | "资金投入" | "资金管理" | "组织实施" => {
            Class::Process
        }
        _ => return None,
    })
}

/// The class of an indicator (the value rules ask [`IndicatorRef::class`], which gives
/// duty indicators none).
pub(crate) fn class_of(ind: &Indicator) -> Option<ClassOf> {
    let level1 = ind.level1.as_deref().map(norm_class).unwrap_or_default();
    if level1 == "决策" || level1 == "过程" {
        return Some(ClassOf {
            class: Class::Process,
            label: ind.level1.clone().unwrap_or_default(),
            inferred: false,
        });
    }
    if let Some(level2) = ind.level2.as_deref().filter(|s| !s.trim().is_empty())
        && let Some(class) = class_from_level2(level2)
    {
        return Some(ClassOf {
            class,
            label: level2.trim().to_string(),
            inferred: ind.inferred.iter().any(|f| f == "level2"),
        });
    }
    if ind.level2.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        // A 二级 class this tool does not know: J504 reports it; no value rules.
        return None;
    }
    match level1.as_str() {
        "成本" => {
            return Some(ClassOf {
                class: Class::Cost,
                label: "成本指标".into(),
                inferred: false,
            });
        }
        "满意度" => {
            return Some(ClassOf {
                class: Class::Satisfaction,
                label: "满意度指标".into(),
                inferred: false,
            });
        }
        _ => {}
    }
    let (name, _) = crate::infer::level2(ind)?;
    Some(ClassOf {
        class: class_from_level2(name)?,
        label: name.to_string(),
        inferred: true,
    })
}

/// A name that states a price per unit (月租金, 单价, 人均, 单笔 …) or a value whose
/// unit is per something ("元/人*天"): such a value is the same in every period.
pub(crate) fn is_unit_price(name: &str, value: &Value) -> bool {
    const WORDS: &[&str] = &[
        "单价", "租金", "人均", "单笔", "单次", "单套", "均价", "平均", "月均", "每月", "每个",
        "每次", "每人", "标准",
    ];
    WORDS.iter().any(|w| name.contains(w)) || value.unit.as_deref().is_some_and(|u| u.contains('/'))
}

/// A name that is a ratio: "…率", also with a trailing remark in brackets.
pub(crate) fn is_rate_name(name: &str) -> bool {
    let mut n = name.trim();
    loop {
        let trimmed = n.trim_end();
        let stripped = trimmed
            .strip_suffix('）')
            .and_then(|s| s.rfind('（').map(|i| &s[..i]))
            .or_else(|| {
                trimmed
                    .strip_suffix(')')
                    .and_then(|s| s.rfind('(').map(|i| &s[..i]))
            });
        match stripped {
            Some(s) if s.len() < n.len() => n = s,
            _ => break,
        }
    }
    let n = n.trim_end();
    // 效率 (efficiency) and 频率 (frequency) are measured in time or counts, not in %.
    n.ends_with('率') && !n.ends_with("效率") && !n.ends_with("频率")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_codes_are_unique_and_sorted() {
        let codes: Vec<_> = RULES.iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn spans_and_cell_order() {
        assert_eq!(
            span(&["S!D40".into(), "S!E40".into()]).as_deref(),
            Some("S!D40:E40")
        );
        assert_eq!(
            span(&["S!E12".into(), "S!H13".into()]).as_deref(),
            Some("S!E12")
        );
        assert_eq!(
            cmp_cells(Some("S!E9"), Some("S!E10")),
            std::cmp::Ordering::Less
        );
        assert_eq!(col_name(27), "AA");
        assert_eq!(parse_ref("AA3"), Some((27, 3)));
    }

    #[test]
    fn rate_names() {
        assert!(is_rate_name("响应及时率"));
        assert!(is_rate_name("验收合格率（%）"));
        assert!(!is_rate_name("响应时间"));
        assert!(!is_rate_name("率先"));
        assert!(!is_rate_name("平台突发情况处理效率"));
    }

    #[test]
    fn counts_read_naturally() {
        let c = Counts {
            errors: 0,
            warnings: 1,
            notes: 12,
        };
        assert_eq!(c.to_string(), "0 errors, 1 warning, 12 notes");
    }
}
