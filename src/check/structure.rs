//! J5xx: the indicator system of a project: required classes, known classes, duplicates,
//! and targets below last year's value.

use std::collections::BTreeMap;

use super::{Ctx, IndicatorRef, is_rate_name, norm_class, number};
use crate::model::{Indicator, Op, Period, Value};

/// The standard 一级 classes (normalized, without "指标") and their 二级 classes.
const CLASSES: &[(&str, &[&str])] = &[
    ("产出", &["数量", "质量", "时效", "成本"]),
    ("效益", &["经济效益", "社会效益", "生态效益", "可持续影响"]),
    ("满意度", &["服务对象满意度", "满意度"]),
    ("成本", &["经济成本", "社会成本", "生态环境成本"]),
    ("决策", &["项目立项", "绩效目标", "资金投入"]),
    ("过程", &["资金管理", "组织实施"]),
];

/// The 一级 class (normalized, as in [`CLASSES`]) that a standard 二级 class belongs to:
/// 数量指标 → 产出, 社会效益指标 → 效益, 满意度指标 → 满意度.
pub(crate) fn level1_of_level2(level2: &str) -> Option<&'static str> {
    let l2 = norm_class(level2);
    CLASSES
        .iter()
        .find(|(_, l2s)| l2s.contains(&l2.as_str()))
        .map(|(l1, _)| *l1)
}

/// The 一级 class an indicator counts under (normalized): its own, or where that is
/// empty, the one its 二级 class implies (a form without a 一级 column, ezhou). A 二级
/// class the converter inferred implies nothing: the source had no class at all.
fn level1_class(ind: &Indicator) -> String {
    let own = ind.level1.as_deref().map(norm_class).unwrap_or_default();
    if !own.is_empty() {
        return own;
    }
    implied_level1(ind).unwrap_or_default().to_string()
}

/// The 一级 class implied by an indicator's 二级 class as read (not inferred).
fn implied_level1(ind: &Indicator) -> Option<&'static str> {
    if ind.inferred.iter().any(|f| f == "level2") {
        return None;
    }
    ind.level2
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .and_then(level1_of_level2)
}

fn level2_of(level1: &str) -> Option<&'static [&'static str]> {
    CLASSES
        .iter()
        .find(|(l1, _)| *l1 == level1)
        .map(|(_, l2)| *l2)
}

fn listed(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n}指标"))
        .collect::<Vec<_>>()
        .join("、")
}

fn has_text(s: Option<&str>) -> bool {
    s.is_some_and(|s| !s.trim().is_empty())
}

pub(super) fn run(ctx: &mut Ctx<'_>) {
    let all = ctx.indicators();
    // Grouped once: filtering every indicator for every project was quadratic.
    let mut by_project: Vec<Vec<&IndicatorRef<'_>>> = vec![Vec::new(); ctx.doc.projects.len()];
    for r in &all {
        if let Some(list) = r.project.and_then(|p| by_project.get_mut(p)) {
            list.push(r);
        }
    }
    for (pi, inds) in by_project.iter().enumerate() {
        project(ctx, pi, inds);
    }
    for r in &all {
        below_last_year(ctx, r);
    }
}

fn project(ctx: &mut Ctx<'_>, pi: usize, inds: &[&IndicatorRef<'_>]) {
    let name_cell = ctx.cell(&format!("projects[{pi}].name"));
    let name = ctx.doc.projects[pi].name.clone();
    if inds.is_empty() {
        ctx.report(
            "J509",
            Some(pi),
            name_cell,
            format!("项目「{name}」没有绩效指标"),
        );
        return;
    }
    // An indicator without a 一级 class counts under the one its 二级 class implies.
    let level1s: Vec<String> = inds.iter().map(|r| level1_class(r.ind)).collect();
    for (code, class, what) in [("J501", "产出", "产出指标"), ("J502", "效益", "效益指标")]
    {
        if !level1s.iter().any(|l| l == class) {
            ctx.report(
                code,
                Some(pi),
                name_cell.clone(),
                format!("项目「{name}」没有{what}（共 {} 个指标）", inds.len()),
            );
        }
    }
    // Classes the converter inferred (guangzhou converted to a form with 二级指标) do
    // not make a missing 二级 an omission.
    let any_level2 = inds.iter().any(|r| {
        has_text(r.ind.level2.as_deref()) && !r.ind.inferred.iter().any(|f| f == "level2")
    });
    for r in inds {
        classes(ctx, r, any_level2);
    }
    duplicates(ctx, pi, inds);
    output_classes(ctx, pi, inds);
}

/// J503 unknown 一级, J504 unknown or mismatched 二级, J505 no class.
///
/// An empty 一级 is no omission where the 二级 class (as read) is a standard one: it
/// names its 一级 (数量指标 is an 产出指标), as on forms that print no 一级 column.
fn classes(ctx: &mut Ctx<'_>, r: &IndicatorRef<'_>, any_level2: bool) {
    let ind = r.ind;
    let cell = || ctx.value_cells(r, &[]);
    let implied = implied_level1(ind);
    if !has_text(ind.level1.as_deref()) {
        if implied.is_some() {
            return;
        }
        let message = match ind
            .level2
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw2) => format!(
                "指标「{}」没有一级指标，二级指标「{raw2}」也不是标准分类，无从确定一级",
                ind.name
            ),
            None => format!("指标「{}」没有一级指标（分类为空）", ind.name),
        };
        let cell = cell();
        ctx.report("J505", r.project, cell, message);
        return;
    }
    let raw1 = ind.level1.as_deref().unwrap_or_default().trim();
    if ind.inferred.iter().any(|f| f == "level1") {
        // Inferred from a 二级 class that was read: the source's class was complete.
        if implied.is_some() {
            return;
        }
        // Converted from a table whose class was empty: still missing in the source.
        let cell = cell();
        ctx.report(
            "J505",
            r.project,
            cell,
            format!(
                "指标「{}」没有一级指标（原表分类为空，「{raw1}」是按名称推断的）",
                ind.name
            ),
        );
        return;
    }
    let l1 = norm_class(raw1);
    let Some(known2) = level2_of(&l1) else {
        let cell = cell();
        ctx.report(
            "J503",
            r.project,
            cell,
            format!(
                "「{}」的一级指标「{raw1}」不是标准分类（产出指标、效益指标、满意度指标、成本指标、决策、过程）",
                ind.name
            ),
        );
        return;
    };
    if ind.inferred.iter().any(|f| f == "level2") {
        return;
    }
    match ind
        .level2
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(raw2) => {
            let l2 = norm_class(raw2);
            // 满意度指标 may repeat its 一级 name as 二级; anything else must be listed.
            if !known2.contains(&l2.as_str()) {
                let cell = cell();
                ctx.report(
                    "J504",
                    r.project,
                    cell,
                    format!(
                        "「{}」的二级指标「{raw2}」不是{raw1}的标准分类（{}）",
                        ind.name,
                        listed(known2)
                    ),
                );
            }
        }
        None if any_level2 => {
            let cell = cell();
            ctx.report(
                "J505",
                r.project,
                cell,
                format!("指标「{}」没有二级指标，而本项目其他指标都有", ind.name),
            );
        }
        None => {}
    }
}

fn key(ind: &Indicator) -> (String, String, String) {
    (
        ind.level1.as_deref().map(norm_class).unwrap_or_default(),
        ind.level2.as_deref().map(norm_class).unwrap_or_default(),
        ind.name.split_whitespace().collect::<String>(),
    )
}

/// J506: the same 一级/二级/name twice in one project.
fn duplicates(ctx: &mut Ctx<'_>, pi: usize, inds: &[&IndicatorRef<'_>]) {
    let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for r in inds {
        let k = key(r.ind);
        let count = seen.entry(k).or_insert(0);
        *count += 1;
        if *count == 2 {
            let cell = ctx.value_cells(r, &[]);
            let ind = r.ind;
            let path = [
                ind.level1.as_deref(),
                ind.level2.as_deref(),
                Some(ind.name.as_str()),
            ]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("/");
            let total = inds.iter().filter(|o| key(o.ind) == key(ind)).count();
            ctx.report(
                "J506",
                Some(pi),
                cell,
                format!("「{path}」在本项目中出现 {total} 次"),
            );
        }
    }
}

/// J507: 产出指标 with 二级 classes but without 数量, 质量 or 时效. (成本 may stand as a
/// 一级 class in newer forms, so it is not required here.) Only a 产出指标 printed as
/// such counts: not one whose 一级 is implied by its 二级 (a form without a 一级
/// column), nor one the converter inferred, so that a converted table finds what its
/// source does.
fn output_classes(ctx: &mut Ctx<'_>, pi: usize, inds: &[&IndicatorRef<'_>]) {
    let printed_output = |r: &&&IndicatorRef<'_>| {
        r.ind.level1.as_deref().map(norm_class).as_deref() == Some("产出")
            && !r.ind.inferred.iter().any(|f| f == "level1")
    };
    let outputs: Vec<String> = inds
        .iter()
        .filter(printed_output)
        .filter(|r| !r.ind.inferred.iter().any(|f| f == "level2"))
        .filter_map(|r| r.ind.level2.as_deref().map(norm_class))
        .filter(|s| !s.is_empty())
        .collect();
    if outputs.is_empty() {
        return;
    }
    let missing: Vec<&str> = ["数量", "质量", "时效"]
        .into_iter()
        .filter(|c| !outputs.iter().any(|o| o == c))
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut have: Vec<(String, usize)> = Vec::new();
    for o in &outputs {
        match have.iter_mut().find(|(n, _)| n == o) {
            Some((_, c)) => *c += 1,
            None => have.push((o.clone(), 1)),
        }
    }
    let have = have
        .iter()
        .map(|(n, c)| {
            if *c > 1 {
                format!("{n}指标×{c}")
            } else {
                format!("{n}指标")
            }
        })
        .collect::<Vec<_>>()
        .join("、");
    let first = inds.iter().find(printed_output).expect("outputs exist");
    let cell = ctx.value_cells(first, &[]);
    ctx.report(
        "J507",
        Some(pi),
        cell,
        format!("产出指标下没有{}（有 {have}）", listed(&missing)),
    );
}

/// Names whose indicator is better when lower (逾期率, 投诉率 …).
fn lower_is_better(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "逾期", "投诉", "错", "故障", "事故", "失误", "损失", "超支", "流失", "空置", "不良",
        "退回", "返工", "时长", "时限", "时间", "成本", "费用", "支出", "违规", "违法",
    ];
    WORDS.iter().any(|w| name.contains(w))
}

/// J508: a "higher is better" target (a 满意 indicator or a rate that is not a failure
/// rate) set below last year's value.
fn below_last_year(ctx: &mut Ctx<'_>, r: &IndicatorRef<'_>) {
    let ind = r.ind;
    let Some(last) = ind
        .reference
        .as_ref()
        .and_then(|x| x.history.as_ref())
        .and_then(|h| h.last_year.as_deref())
    else {
        return;
    };
    let Some(annual) = ind.values.annual.as_ref() else {
        return;
    };
    let higher_better =
        (ind.name.contains("满意") || is_rate_name(&ind.name)) && !lower_is_better(&ind.name);
    if !higher_better {
        return;
    }
    let last = Value::parse(last);
    let (Some(target), Some(before)) = (number(annual), number(&last)) else {
        return;
    };
    if annual.unit != last.unit || matches!(annual.op, Some(Op::Le | Op::Lt)) {
        return;
    }
    if target < before {
        let cell = ctx.value_cells(r, &[Period::Annual]);
        ctx.report(
            "J508",
            r.project,
            cell,
            format!(
                "{}年度指标值 {} 低于上年值 {}",
                r.plain_subject(None),
                annual.text.trim(),
                last.text.trim()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{implied_level1, level1_class, level1_of_level2};
    use crate::model::Indicator;

    #[test]
    fn a_standard_level2_class_names_its_level1() {
        for (l2, l1) in [
            ("数量指标", "产出"),
            ("质量指标", "产出"),
            ("时效指标", "产出"),
            ("成本指标", "产出"),
            ("经济效益指标", "效益"),
            ("社会效益指标", "效益"),
            ("生态效益指标", "效益"),
            ("可持续影响指标", "效益"),
            ("满意度指标", "满意度"),
            ("服务对象满意度指标", "满意度"),
            // Widths and spaces do not matter, nor the 指标 suffix.
            (" 数量 指标", "产出"),
            ("社会效益", "效益"),
        ] {
            assert_eq!(level1_of_level2(l2), Some(l1), "{l2}");
        }
        assert_eq!(level1_of_level2("进度指标"), None);
        assert_eq!(level1_of_level2(""), None);
    }

    #[test]
    fn an_empty_level1_counts_under_the_class_its_level2_implies() {
        let ind = |l1: Option<&str>, l2: Option<&str>| Indicator {
            level1: l1.map(Into::into),
            level2: l2.map(Into::into),
            name: "大楼安检巡察次数".into(),
            ..Indicator::default()
        };
        assert_eq!(level1_class(&ind(None, Some("数量指标"))), "产出");
        assert_eq!(level1_class(&ind(Some("  "), Some("满意度指标"))), "满意度");
        // Its own 一级 wins.
        assert_eq!(
            level1_class(&ind(Some("效益指标"), Some("数量指标"))),
            "效益"
        );
        // Nothing to go by.
        assert_eq!(level1_class(&ind(None, None)), "");
        assert_eq!(level1_class(&ind(None, Some("进度指标"))), "");
        // A 二级 class the converter inferred is no class of the source.
        let mut inferred = ind(None, Some("数量指标"));
        inferred.inferred.push("level2".into());
        assert_eq!(implied_level1(&inferred), None);
        assert_eq!(level1_class(&inferred), "");
    }
}
