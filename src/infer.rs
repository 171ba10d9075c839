//! Inference of fields a target layout needs but the source lacks (SPEC §5).
//!
//! Classes are inferred from the indicator's name and value; a list form's 合计 and
//! unit subtotals are added up from the projects' own amounts; a duties table becomes
//! text for a form that prints department text only. No number is ever invented.

use serde::Serialize;

use crate::loss::Capacity;
use crate::model::{Amounts, Document, Duty, Fund, Indicator, Project, Section, Unit, Value};
use crate::template::{IndicatorField, Template};
use crate::text::label_key;

/// A value the converter inferred because the target requires it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inferred {
    /// The project's name, for a project's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The indicator's name, for an indicator's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// The field inferred ("level2", "total", "units", "overall.sections").
    pub field: String,
    /// The value given to it.
    pub value: String,
    /// Why: the rule that decided it.
    pub rule: String,
}

impl Inferred {
    /// An inferred value of the document as a whole.
    fn document(field: &str, value: String, rule: &str) -> Inferred {
        Inferred {
            project: None,
            indicator: None,
            field: field.into(),
            value,
            rule: rule.into(),
        }
    }
}

/// Fills in what the target layout prints but the document lacks; returns what was
/// inferred, in the order the loss report lists it.
pub fn for_layout(doc: &mut Document, target: &Template) -> Vec<Inferred> {
    let cap = Capacity::of(target);
    let mut inferred = Vec::new();
    classes(doc, &cap, &mut inferred);
    if cap.has_list_total() && !doc.projects.is_empty() {
        list_totals(doc, cap.list_funds(), &mut inferred);
    }
    if cap.has_duties_table() && !cap.has_duty_indicators() && cap.has_document_indicators() {
        duty_indicators_to_document(doc, &mut inferred);
    }
    if let Some(spec) = target.sections.as_ref().filter(|_| !cap.has_duties_table()) {
        duties_to_sections(doc, &spec.begin, &mut inferred);
    }
    inferred
}

/// Infers 二级指标, then 一级指标 from it, where the form has a column for them. The
/// inferred indicators are flagged, so the embedded copy says what the source lacked.
fn classes(doc: &mut Document, cap: &Capacity, out: &mut Vec<Inferred>) {
    if cap.has_indicator_column(IndicatorField::Level2) {
        infer_class(doc, "level2", level2, |i| &mut i.level2, out);
    }
    // A list's numbered column also prints 一级 classes, but only from the source.
    if cap.has_indicator_column(IndicatorField::Level1) && cap.has_indicator_table() {
        infer_class(doc, "level1", level1, |i| &mut i.level1, out);
    }
}

/// A class rule: the class and why, or nothing to say.
type ClassRule = fn(&Indicator) -> Option<(&'static str, &'static str)>;

/// Fills one class field of every indicator that lacks it, flags it and reports it.
fn infer_class(
    doc: &mut Document,
    field: &str,
    rule: ClassRule,
    slot: fn(&mut Indicator) -> &mut Option<String>,
    report: &mut Vec<Inferred>,
) {
    for project in &mut doc.projects {
        for ind in &mut project.indicators {
            if slot(ind).is_some() {
                continue;
            }
            let Some((class, why)) = rule(ind) else {
                continue;
            };
            *slot(ind) = Some(class.to_string());
            ind.inferred.push(field.into());
            report.push(Inferred {
                project: Some(project.name.clone()),
                indicator: Some(ind.name.clone()),
                field: field.into(),
                value: class.into(),
                rule: why.into(),
            });
        }
    }
}

/// A list form prints 合计 and unit subtotals: each is added up from the projects
/// where the source states none. Only the funds the list has columns for count.
fn list_totals(doc: &mut Document, funds: &[Fund], out: &mut Vec<Inferred>) {
    let annual = |p: &Project| {
        p.funding.annual.as_ref().map(|a| {
            let mut kept = Amounts::default();
            for f in funds {
                kept.set(*f, a.get(*f));
            }
            kept
        })
    };
    if doc.total.is_none() {
        let parts: Vec<Amounts> = doc.projects.iter().filter_map(annual).collect();
        let total = Amounts::sum(&parts);
        out.push(Inferred::document(
            "total",
            total.total.map(|m| m.to_string()).unwrap_or_default(),
            "the sum of the projects (the source states no 合计)",
        ));
        doc.total = Some(total);
    }
    let mut named: Vec<String> = Vec::new();
    for p in &doc.projects {
        if let Some(u) = &p.unit
            && !named.contains(u)
            && !doc.units.iter().any(|x| &x.name == u)
        {
            named.push(u.clone());
        }
    }
    for name in named {
        let members: Vec<Amounts> = doc
            .projects
            .iter()
            .filter(|p| p.unit.as_ref() == Some(&name))
            .filter_map(annual)
            .collect();
        let amounts = Amounts::sum(&members);
        out.push(Inferred::document(
            "units",
            format!(
                "{name} {}",
                amounts.total.map(|m| m.to_string()).unwrap_or_default()
            ),
            "the sum of the unit's projects (the source states no subtotal)",
        ));
        doc.units.push(Unit { name, amounts });
    }
}

/// A form whose duties table prints no indicators but which has the department's own
/// indicator table (宁德) shows the duties' indicators there, after its own.
fn duty_indicators_to_document(doc: &mut Document, out: &mut Vec<Inferred>) {
    let Some(overall) = doc.overall.as_mut() else {
        return;
    };
    let moved: Vec<Indicator> = overall
        .duties
        .iter_mut()
        .flat_map(|d| &mut d.objectives)
        .flat_map(|o| std::mem::take(&mut o.indicators))
        .collect();
    if moved.is_empty() {
        return;
    }
    out.push(Inferred::document(
        "overall.indicators",
        format!("{} indicator(s)", moved.len()),
        "the duties' indicators, in the department's indicator table (the duties table has no indicator column)",
    ));
    overall.indicators.extend(moved);
}

/// A form with department text but no duties table prints the duties as text; the
/// part's own heading lines (`begin`) open the text when it lacks them, since they are
/// what tells the part from the rest of the sheet.
fn duties_to_sections(doc: &mut Document, begin: &[String], out: &mut Vec<Inferred>) {
    let money_unit = doc.money_unit.clone();
    let Some(overall) = doc.overall.as_mut() else {
        return;
    };
    let text = duties_as_sections(&overall.duties, &money_unit);
    let opens = |s: &[Section]| {
        let first = begin.first().map(|b| label_key(b));
        s.first().map(|s| label_key(&s.heading)) == first
    };
    let headings: Vec<Section> = if opens(&overall.sections) {
        Vec::new()
    } else {
        begin
            .iter()
            .map(|h| Section {
                heading: h.clone(),
                text: String::new(),
            })
            .collect()
    };
    if text.is_empty() && (overall.sections.is_empty() || headings.is_empty()) {
        return;
    }
    let (what, why) = if text.is_empty() {
        (
            headings.len(),
            "the part's heading lines, before the document's own text",
        )
    } else {
        (
            headings.len() + text.len(),
            "the duties table written out as text, one section per duty",
        )
    };
    out.push(Inferred::document(
        "overall.sections",
        format!("{what} section(s)"),
        why,
    ));
    overall.sections.splice(0..0, headings);
    overall.sections.extend(text);
}

/// Duties as department text: a heading per duty (its 职责序号, or its number), a line
/// per indicator, per spending line, and per objective with neither.
fn duties_as_sections(duties: &[Duty], money_unit: &str) -> Vec<Section> {
    duties
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let mut lines = Vec::new();
            for o in &d.objectives {
                for i in &o.indicators {
                    let value = i
                        .values
                        .annual
                        .as_ref()
                        .map_or(String::new(), |v| format!("，年度指标值：{}", v.text));
                    lines.push(format!(
                        "职责目标：{}；绩效指标：{}{value}。",
                        o.name, i.name
                    ));
                }
                for s in &o.spending {
                    let amount = s
                        .amount
                        .map_or(String::new(), |m| format!("，预算金额：{m}{money_unit}"));
                    lines.push(format!(
                        "职责目标：{}；支出项目：{}{amount}。",
                        o.name, s.project
                    ));
                }
                if o.indicators.is_empty() && o.spending.is_empty() {
                    lines.push(format!("职责目标：{}。", o.name));
                }
            }
            let seq = if d.seq.is_empty() {
                (n + 1).to_string()
            } else {
                d.seq.clone()
            };
            Section {
                heading: format!("{seq}、{}", d.name),
                text: lines.join("\n"),
            }
        })
        .collect()
}

/// The 二级指标 an indicator most likely belongs to, with the rule that decided it.
pub fn level2(indicator: &Indicator) -> Option<(&'static str, &'static str)> {
    let name = indicator.name.as_str();
    let level1 = indicator.level1.as_deref().unwrap_or("");
    let value = indicator
        .values
        .annual
        .as_ref()
        .or(indicator.values.mid_term.as_ref())
        .or(indicator.values.half_year.as_ref());
    let unit = value.and_then(|v| v.unit.as_deref()).unwrap_or("");
    let has_date = value.is_some_and(|v| v.date.is_some());
    if name.contains("满意") || level1.contains("满意") {
        return Some(("服务对象满意度指标", "满意度 in the name or class"));
    }
    if unit.contains('元')
        || name.contains("成本")
        || name.contains("经费")
        || name.contains("费用")
    {
        return Some(("成本指标", "a money unit or 成本/经费/费用 in the name"));
    }
    if has_date
        || ["时限", "及时", "按时", "时效", "时间", "进度"]
            .iter()
            .any(|w| name.contains(w))
    {
        return Some(("时效指标", "a date, or 时限/及时/按时/时间 in the name"));
    }
    if level1.contains("效益") {
        if name.contains("经济") || name.contains("收益") {
            return Some(("经济效益指标", "经济/收益 in the name of a 效益 indicator"));
        }
        if name.contains("生态") || name.contains("环境") || name.contains("节能") {
            return Some((
                "生态效益指标",
                "生态/环境/节能 in the name of a 效益 indicator",
            ));
        }
        if name.contains("持续") || name.contains("长效") {
            return Some((
                "可持续影响指标",
                "持续/长效 in the name of a 效益 indicator",
            ));
        }
        return Some((
            "社会效益指标",
            "a 效益 indicator without an economic or ecological word",
        ));
    }
    if ["率", "合格", "达标", "质量", "准确"]
        .iter()
        .any(|w| name.contains(w))
        || unit == "%"
    {
        return Some(("质量指标", "率/合格/达标/质量 in the name, or a percentage"));
    }
    if is_count(value)
        || ["数量", "次数", "人数", "个数", "面积", "数"]
            .iter()
            .any(|w| name.contains(w))
    {
        return Some(("数量指标", "a count unit or 数量/次数/人数 in the name"));
    }
    // What the words above leave open, in an 产出 indicator (or one without 一级 class):
    // a grade, a cost or standard control, or a plain number.
    if level1.is_empty() || level1.contains("产出") {
        if is_grade(name, value) {
            return Some((
                "质量指标",
                "a level or grade (等级/级别/星级/档次, …级) in the name or value",
            ));
        }
        if COST_CONTROL_WORDS.iter().any(|w| name.contains(w)) {
            return Some((
                "成本指标",
                "a cost or standard control (控制/标准/定额/限额/节约/支出) in the name",
            ));
        }
        if is_plain_number(value) {
            return Some((
                "数量指标",
                "a plain number (an op and a number, with a count unit or none) as the value",
            ));
        }
    }
    None
}

/// Words of a cost or standard control: an 产出 indicator named so is a 成本指标.
const COST_CONTROL_WORDS: [&str; 6] = ["控制", "标准", "定额", "限额", "节约", "支出"];

/// A level or grade: 等级/级别/星级/档次 in the name, a name ending in 级 ("安全防护级"),
/// or a value that is a grade ("三级", "AAA级", "5星级", "一档"). 级 in another sense
/// is not one: an upgrade ("系统升级") or a level of government ("覆盖至市级").
fn is_grade(name: &str, value: Option<&Value>) -> bool {
    const WORDS: [&str; 4] = ["等级", "级别", "星级", "档次"];
    const NOT_GRADES: [&str; 9] = [
        "升级",
        "国家级",
        "省级",
        "市级",
        "县级",
        "区级",
        "乡级",
        "镇级",
        "村级",
    ];
    let grade_text = |t: &str| {
        let t = t.trim();
        WORDS.iter().any(|w| t.contains(w))
            || (t.ends_with('级') && !NOT_GRADES.iter().any(|w| t.ends_with(w)))
    };
    grade_text(name)
        || value.is_some_and(|v| {
            let text = v.text.trim();
            text.chars().count() <= 6 && (grade_text(text) || text.ends_with('档'))
        })
}

/// A plain number: a number (with or without an op) whose unit is none, or a count unit
/// with or without a magnitude before it ("3", "≥3", ">6000万", "≥5万笔", "10个").
fn is_plain_number(value: Option<&Value>) -> bool {
    let Some(v) = value.filter(|v| v.number.is_some() && v.date.is_none()) else {
        return false;
    };
    let Some(unit) = v.unit.as_deref().map(str::trim) else {
        return true;
    };
    let bare = unit.trim_start_matches(['十', '百', '千', '万', '亿']);
    bare.is_empty() || is_count_unit(bare)
}

/// The 一级指标 of a known 二级指标 class.
pub fn level1(indicator: &Indicator) -> Option<(&'static str, &'static str)> {
    let l2 = indicator.level2.as_deref()?;
    let class = match l2 {
        "数量指标" | "质量指标" | "时效指标" | "成本指标" => "产出指标",
        "经济效益指标" | "社会效益指标" | "生态效益指标" | "可持续影响指标" => {
            "效益指标"
        }
        "服务对象满意度指标" | "满意度指标" => "满意度指标",
        _ => return None,
    };
    Some((class, "the 一级 class of its 二级 class"))
}

/// Units that count things: 次, 个, 人, 户, 笔 … (also "万人", "平方米").
fn is_count_unit(unit: &str) -> bool {
    COUNT_UNITS.iter().any(|c| unit.starts_with(c))
}

fn is_count(value: Option<&Value>) -> bool {
    value
        .and_then(|v| v.unit.as_deref())
        .is_some_and(is_count_unit)
}

/// Units that count things (a unit that starts with one counts: "个/年", "人次").
const COUNT_UNITS: [&str; 16] = [
    "次",
    "个",
    "人",
    "户",
    "笔",
    "条",
    "件",
    "份",
    "项",
    "家",
    "场",
    "台",
    "套",
    "万人",
    "万笔",
    "平方米",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(level1: &str, name: &str, value: &str) -> Indicator {
        Indicator {
            level1: Some(level1.into()),
            name: name.into(),
            values: crate::model::Values {
                annual: Some(Value::parse(value)),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn classes_from_names_and_values() {
        assert_eq!(
            level2(&ind("满意度指标", "缴存单位及职工满意度", "≥90%"))
                .unwrap()
                .0,
            "服务对象满意度指标"
        );
        assert_eq!(
            level2(&ind("产出指标", "物业管理费", "≤62万元")).unwrap().0,
            "成本指标"
        );
        assert_eq!(
            level2(&ind("产出指标", "完成时限", "2025年12月"))
                .unwrap()
                .0,
            "时效指标"
        );
        assert_eq!(
            level2(&ind("产出指标", "验收合格率", "100%")).unwrap().0,
            "质量指标"
        );
        assert_eq!(
            level2(&ind("产出指标", "培训场次", "≥4次")).unwrap().0,
            "数量指标"
        );
        assert_eq!(
            level2(&ind("效益指标", "提升服务水平", "明显提升"))
                .unwrap()
                .0,
            "社会效益指标"
        );
        assert!(level2(&ind("产出指标", "工作开展", "较好")).is_none());
    }

    #[test]
    fn grades_controls_and_plain_numbers() {
        let class = |l1: &str, name: &str, value: &str| level2(&ind(l1, name, value)).map(|c| c.0);
        // A level or grade: in the name, or as the value.
        assert_eq!(
            class("产出指标", "等级保护【分级保护】级别", "3"),
            Some("质量指标")
        );
        assert_eq!(class("产出指标", "服务星级", "五星"), Some("质量指标"));
        assert_eq!(class("产出指标", "档次评定", "较好"), Some("质量指标"));
        assert_eq!(class("产出指标", "系统安全防护", "三级"), Some("质量指标"));
        assert_eq!(class("产出指标", "安全保护等级", "较好"), Some("质量指标"));
        // An upgrade or a level of government is not a grade.
        assert_eq!(class("产出指标", "系统升级", "完成"), None);
        assert_eq!(class("产出指标", "服务覆盖至市级", "全覆盖"), None);
        assert_eq!(class("产出指标", "信息共享", "省级"), None);
        // A cost or standard control.
        assert_eq!(
            class(
                "产出指标",
                "水电费标准控制",
                "考察水电费标准是否符合预算标准"
            ),
            Some("成本指标")
        );
        assert_eq!(
            class("产出指标", "公务接待定额", "按规定"),
            Some("成本指标")
        );
        assert_eq!(
            class("产出指标", "办公耗材节约", "较上年减少"),
            Some("成本指标")
        );
        // A plain number, with a magnitude or count unit or none.
        assert_eq!(class("产出指标", "年度业务量", ">6000万"), Some("数量指标"));
        assert_eq!(class("产出指标", "在建公租房项目", "≥3"), Some("数量指标"));
        assert_eq!(class("产出指标", "服务对象", "12"), Some("数量指标"));
        assert_eq!(class("产出指标", "业务办理", "≥5万笔"), Some("数量指标"));
        assert_eq!(class("", "业务办理", "≥2亿"), Some("数量指标"));
        // Not a count: a time unit, or prose.
        assert_eq!(class("产出指标", "办结", "≤5天"), None);
        assert_eq!(class("产出指标", "工作开展", "较好"), None);
        // Only 产出 indicators (or ones without a class): a 效益 one keeps its own rules.
        assert_eq!(class("效益指标", "标准化建设", "≥3"), Some("社会效益指标"));
        assert_eq!(class("决策", "绩效目标设置", "3"), None);
        // The earlier rules still win: a rate is 质量, a money unit 成本.
        assert_eq!(class("产出指标", "标准执行率", "100%"), Some("质量指标"));
        assert_eq!(
            class("产出指标", "等级评定经费", "≤3万元"),
            Some("成本指标")
        );
    }
}
