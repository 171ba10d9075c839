//! Inference of fields a target layout needs but the source lacks (SPEC §5).
//!
//! Only classes are inferred, from the indicator's name and value. Numbers never are.

use crate::model::{Indicator, Value};

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
    None
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

fn is_count(value: Option<&Value>) -> bool {
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
    value
        .and_then(|v| v.unit.as_deref())
        .is_some_and(|u| COUNT_UNITS.iter().any(|c| u.starts_with(c)))
}

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
}
