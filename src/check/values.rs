//! J4xx: indicator values that cannot be assessed, point the unusual way, or contradict
//! each other between periods.

use rust_decimal::Decimal;

use super::{
    Class, ClassOf, Ctx, IndicatorRef, describe_values, is_qualitative, is_rate_name,
    is_unit_price, number,
};
use crate::model::{Indicator, Op, Period, Value};
use crate::parse::value_parts::op_symbol;

pub(super) fn run(ctx: &mut Ctx<'_>) {
    for r in ctx.indicators() {
        let class = r.class();
        let what = r.subject(class.as_ref());
        let plain = r.plain_subject(class.as_ref());
        let values = r.values();
        if values.is_empty() {
            if r.project.is_some() {
                let cell = ctx.value_cells(&r, &[]);
                ctx.report("J410", r.project, cell, format!("{plain}没有指标值"));
            }
            continue;
        }
        vague_or_unmeasurable(ctx, &r, class.as_ref(), &what, &plain, &values);
        units(ctx, &r, class.as_ref(), &what, &plain, &values);
        fraction_rates(ctx, &r, &plain, &values);
        if let Some(c) = &class {
            direction(ctx, &r, c, &what, &values);
            periods(ctx, &r, c, &what);
        }
    }
}

/// Reports one finding for the periods whose values match `test`.
fn per_values(
    ctx: &mut Ctx<'_>,
    r: &IndicatorRef<'_>,
    code: &'static str,
    values: &[(Period, &Value)],
    test: impl Fn(&Value) -> bool,
    message: impl FnOnce(&str) -> String,
) {
    let hit: Vec<(Period, &Value)> = values.iter().filter(|(_, v)| test(v)).copied().collect();
    if hit.is_empty() {
        return;
    }
    let periods: Vec<Period> = hit.iter().map(|(p, _)| *p).collect();
    let cell = ctx.value_cells(r, &periods);
    let text = describe_values(&hit);
    ctx.report(code, r.project, cell, message(&text));
}

/// Words that make a value a vague aim rather than a target.
fn is_vague(text: &str) -> bool {
    let t: String = text
        .chars()
        .map(crate::text::fold_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    let t = t.trim_end_matches(['。', '.', ',', '，', ';', '；', '!', '！']);
    if ["尽量", "尽可能", "年度计划数"]
        .iter()
        .any(|w| t.contains(w))
    {
        return true;
    }
    const LEAD: &[&str] = &[
        "有所",
        "进一步",
        "明显",
        "逐步",
        "不断",
        "持续",
        "稳步",
        "大幅",
        "显著",
        "稳定",
        "大力",
    ];
    const CORE: &[&str] = &[
        "提高", "提升", "增强", "改善", "增长", "增加", "降低", "减少", "下降", "较高", "较好",
        "良好", "明显", "显著", "较大", "较强", "好转", "优化", "加强", "较快",
    ];
    let mut rest = t;
    for lead in LEAD {
        if let Some(r) = rest.strip_prefix(lead)
            && !r.is_empty()
        {
            rest = r;
            break;
        }
    }
    let rest = rest.strip_suffix("程度").unwrap_or(rest);
    CORE.contains(&rest)
}

/// A value that compares with a named standard ("不高于资产配置标准", "大专学历及以上",
/// "误差不超过二天"): measurable against that standard. A question ("是否符合标准")
/// is not a target.
fn names_a_standard(text: &str) -> bool {
    if text.contains("是否") {
        return false;
    }
    const WORDS: &[&str] = &[
        "不低于",
        "不高于",
        "不超过",
        "不少于",
        "不多于",
        "不大于",
        "不小于",
        "及以上",
        "以上",
        "以下",
        "以内",
        "符合",
        "达到",
        "满足",
    ];
    WORDS.iter().any(|w| text.contains(w))
}

/// J402 vague values (any class but 决策/过程); J401 数量/质量/成本 values without a number.
fn vague_or_unmeasurable(
    ctx: &mut Ctx<'_>,
    r: &IndicatorRef<'_>,
    class: Option<&ClassOf>,
    what: &str,
    plain: &str,
    values: &[(Period, &Value)],
) {
    if class.is_some_and(|c| c.class == Class::Process) {
        return;
    }
    per_values(
        ctx,
        r,
        "J402",
        values,
        |v| is_qualitative(v) && is_vague(&v.text),
        |t| format!("{plain}的指标值{t}含糊，宜给出可衡量的目标值"),
    );
    if class.is_some_and(|c| matches!(c.class, Class::Quantity | Class::Quality | Class::Cost)) {
        per_values(
            ctx,
            r,
            "J401",
            values,
            |v| is_qualitative(v) && !is_vague(&v.text) && !names_a_standard(&v.text),
            |t| format!("{what}的指标值{t}没有数值，无法衡量"),
        );
    }
}

/// J403 a number without a unit where the class needs one; J404 a rate that is not a
/// percentage.
fn units(
    ctx: &mut Ctx<'_>,
    r: &IndicatorRef<'_>,
    class: Option<&ClassOf>,
    what: &str,
    plain: &str,
    values: &[(Period, &Value)],
) {
    let rate = is_rate_name(&r.ind.name);
    let fraction_rate = is_rate(r.ind);
    let cls = class.map(|c| c.class);
    let needs = match cls {
        Some(Class::Cost) => Some("元或万元"),
        Some(Class::Time) => Some("天、月、工作日等"),
        _ if rate => Some("%"),
        _ => None,
    };
    if let Some(needs) = needs {
        per_values(
            ctx,
            r,
            "J403",
            values,
            |v| {
                v.number.is_some()
                    && v.date.is_none()
                    && v.unit.as_deref().is_none_or(str::is_empty)
                    // A rate written as a fraction is J411's, which says what it means.
                    && !(fraction_rate && bare_fraction(v).is_some())
            },
            |t| format!("{what}的指标值{t}缺少计量单位（{needs}）"),
        );
    }
    if rate {
        per_values(
            ctx,
            r,
            "J404",
            values,
            |v| {
                v.number.is_some()
                    && v.unit
                        .as_deref()
                        .is_some_and(|u| !u.is_empty() && !u.starts_with(['%', '‰']))
            },
            |t| format!("{plain}是比率，指标值{t}却不是百分数"),
        );
    }
}

/// The first percentage written in a text ("90%(计划标准)" → "90%"), widths folded.
fn first_percent(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().map(crate::text::fold_width).collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '%' {
            continue;
        }
        let mut end = i;
        while end > 0 && chars[end - 1].is_whitespace() {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && (chars[start - 1].is_ascii_digit() || chars[start - 1] == '.') {
            start -= 1;
        }
        let number: String = chars[start..end].iter().collect();
        if number.chars().any(|c| c.is_ascii_digit()) {
            let lead = if number.starts_with('.') { "0" } else { "" };
            return Some(format!("{lead}{number}%"));
        }
    }
    None
}

/// The percentage an indicator's explanation (指标解释) or reference values (指标参考值)
/// state, with where: ("指标解释", "90%").
fn stated_percent(ind: &Indicator) -> Option<(&'static str, String)> {
    let reference = ind.reference.as_ref();
    let history = reference.and_then(|x| x.history.as_ref());
    let places: [(&'static str, Option<&str>); 5] = [
        ("指标解释", ind.explanation.as_deref()),
        ("规划值", reference.and_then(|x| x.planned.as_deref())),
        (
            "当年标准值",
            reference
                .and_then(|x| x.standard.as_ref())
                .map(|s| s.value.as_str()),
        ),
        ("前三年均值", history.and_then(|h| h.avg_3y.as_deref())),
        ("上年值", history.and_then(|h| h.last_year.as_deref())),
    ];
    places
        .into_iter()
        .find_map(|(label, text)| text.and_then(first_percent).map(|p| (label, p)))
}

/// An indicator that measures a rate: its name ends in 率, or its explanation or a
/// reference value states a percentage.
fn is_rate(ind: &Indicator) -> bool {
    is_rate_name(&ind.name) || stated_percent(ind).is_some()
}

/// A bare number in (0, 1]: no unit, no %, no date ("1", "0.95", "≥0.9").
fn bare_fraction(v: &Value) -> Option<Decimal> {
    if v.date.is_some() || v.unit.as_deref().is_some_and(|u| !u.trim().is_empty()) {
        return None;
    }
    number(v).filter(|n| *n > Decimal::ZERO && *n <= Decimal::ONE)
}

/// What a fraction most likely means as a percentage: "1" → "100%", "≥0.95" → "≥95%".
fn as_percent(v: &Value, n: Decimal) -> String {
    let op = v.op.map_or("", op_symbol);
    let pct = n
        .checked_mul(Decimal::ONE_HUNDRED)
        .map_or_else(|| "?".into(), |p| p.normalize().to_string());
    format!("{op}{pct}%")
}

/// J411: a rate written as a fraction ("1" for 100%, "0.95" for 95%), where the
/// indicator is a rate by its name or by the percentage its explanation states.
fn fraction_rates(
    ctx: &mut Ctx<'_>,
    r: &IndicatorRef<'_>,
    plain: &str,
    values: &[(Period, &Value)],
) {
    if !is_rate(r.ind) {
        return;
    }
    let mut meant: Vec<String> = Vec::new();
    for (_, v) in values {
        if let Some(n) = bare_fraction(v) {
            let p = as_percent(v, n);
            if !meant.contains(&p) {
                meant.push(p);
            }
        }
    }
    if meant.is_empty() {
        return;
    }
    let meant = meant.join("、");
    let stated = stated_percent(r.ind)
        .map(|(label, p)| format!("（{label}为 {p}）"))
        .unwrap_or_default();
    per_values(
        ctx,
        r,
        "J411",
        values,
        |v| bare_fraction(v).is_some(),
        |t| format!("{plain}是比率，指标值{t}是不带 % 的小数，多半是指 {meant}{stated}"),
    );
}

/// J405 成本 with a lower bound, J406 满意度 with an upper bound, J407 数量 with an
/// upper bound.
fn direction(
    ctx: &mut Ctx<'_>,
    r: &IndicatorRef<'_>,
    c: &ClassOf,
    what: &str,
    values: &[(Period, &Value)],
) {
    let lower = |v: &Value| matches!(v.op, Some(Op::Ge | Op::Gt)) && v.number.is_some();
    let upper = |v: &Value| matches!(v.op, Some(Op::Le | Op::Lt)) && v.number.is_some();
    match c.class {
        Class::Cost => per_values(ctx, r, "J405", values, lower, |t| {
            format!("{what}的指标值{t}是下限；成本指标通常应为上限（≤）")
        }),
        Class::Satisfaction => per_values(ctx, r, "J406", values, upper, |t| {
            format!("{what}的指标值{t}是上限；满意度通常应为下限（≥）")
        }),
        Class::Quantity => per_values(ctx, r, "J407", values, upper, |t| {
            format!("{what}的指标值{t}是上限，请确认不是产出下限")
        }),
        _ => {}
    }
}

/// J408 a unit price that differs between periods; J409 a half-year target above the
/// annual one, or a mid-term target below it, for amounts that accumulate.
fn periods(ctx: &mut Ctx<'_>, r: &IndicatorRef<'_>, c: &ClassOf, what: &str) {
    let vals = &r.ind.values;
    let pairs = [
        (Period::HalfYear, Period::Annual),
        (Period::MidTerm, Period::Annual),
    ];
    for (other, annual) in pairs {
        let (Some(a), Some(b)) = (vals.get(other), vals.get(annual)) else {
            continue;
        };
        let (Some(na), Some(nb)) = (number(a), number(b)) else {
            continue;
        };
        if a.unit != b.unit || a.date.is_some() || b.date.is_some() {
            continue;
        }
        let name = &r.ind.name;
        let price =
            matches!(c.class, Class::Cost) && (is_unit_price(name, a) || is_unit_price(name, b));
        let both = format!(
            "{} {} {} {} {}",
            other.label(),
            a.text.trim(),
            if price {
                "≠"
            } else if other == Period::HalfYear {
                ">"
            } else {
                "<"
            },
            annual.label(),
            b.text.trim()
        );
        if price {
            if a.op == b.op && na != nb {
                let cell = ctx.value_cells(r, &[other, annual]);
                ctx.report(
                    "J408",
                    r.project,
                    cell,
                    format!("{what}{both}：同一单价各期应相同"),
                );
            }
            continue;
        }
        let cumulative = match c.class {
            Class::Quantity => a.unit.as_deref().is_some_and(|u| !u.contains('%')),
            Class::Cost => a.unit.as_deref().is_some_and(|u| u.contains('元')),
            _ => false,
        };
        if !cumulative || a.op != b.op {
            continue;
        }
        let contradicts = match other {
            Period::HalfYear => na > nb,
            _ => na < nb,
        };
        if contradicts {
            let cell = ctx.value_cells(r, &[other, annual]);
            let why = if other == Period::HalfYear {
                "半年目标不应超过全年"
            } else {
                "中期包含预算年度，目标不应更少"
            };
            ctx.report("J409", r.project, cell, format!("{what}{both}：{why}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{as_percent, bare_fraction, first_percent, is_rate, is_vague, names_a_standard};
    use crate::model::{History, Indicator, Reference, Value};

    #[test]
    fn percentages_in_text() {
        assert_eq!(first_percent("90%(计划标准)").as_deref(), Some("90%"));
        assert_eq!(first_percent("100%（计划标准）").as_deref(), Some("100%"));
        assert_eq!(first_percent("不低于 95.5 ％").as_deref(), Some("95.5%"));
        assert_eq!(first_percent("反映大楼保卫巡检情况"), None);
        assert_eq!(first_percent("%"), None);
        assert_eq!(first_percent("误差率.5%以内").as_deref(), Some("0.5%"));
    }

    #[test]
    fn fractions_and_rates() {
        let v = Value::parse;
        assert_eq!(bare_fraction(&v("1")), Some(1.into()));
        assert!(bare_fraction(&v("0.95")).is_some());
        assert!(bare_fraction(&v("≥0.9")).is_some());
        for text in ["1次", "100%", "0", "1.5", "2", "不超预算", "1万元"] {
            assert!(bare_fraction(&v(text)).is_none(), "{text}");
        }
        assert_eq!(as_percent(&v("1"), 1.into()), "100%");
        let f = v("≥0.95");
        assert_eq!(as_percent(&f, bare_fraction(&f).unwrap()), "≥95%");

        let ind = |name: &str, explanation: Option<&str>| Indicator {
            name: name.into(),
            explanation: explanation.map(Into::into),
            ..Indicator::default()
        };
        assert!(is_rate(&ind("各类书籍审稿率", None)));
        assert!(is_rate(&ind("确保日常工作正常运行", Some("100%"))));
        assert!(!is_rate(&ind("召开编纂工作会议", Some("反映会议召开情况"))));
        let mut by_history = ind("群众来电回复", None);
        by_history.reference = Some(Reference {
            history: Some(History {
                last_year: Some("98%".into()),
                ..History::default()
            }),
            ..Reference::default()
        });
        assert!(is_rate(&by_history));
    }

    #[test]
    fn vague_words() {
        for t in [
            "提高",
            "较高",
            "明显",
            "提升",
            "尽量降低成本",
            "年度计划数",
            "有所提高",
            "明显改善。",
        ] {
            assert!(is_vague(t), "{t}");
        }
        for t in [
            "及时",
            "充分",
            "正常开展",
            "大专学历及以上",
            "提高服务水平的培训",
        ] {
            assert!(!is_vague(t), "{t}");
        }
    }

    #[test]
    fn standards() {
        assert!(names_a_standard("不高于资产配置标准"));
        assert!(names_a_standard("误差不超过二天"));
        assert!(!names_a_standard("场地等租赁费用的标准是否符合标准"));
        assert!(!names_a_standard("文件通知"));
    }
}
