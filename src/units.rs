//! Money units: what a form states ("单位：万元", "项目资金（元）") and exact conversion
//! between them (1234.56 元 = 0.123456 万元: decimals move, nothing is rounded).

use rust_decimal::Decimal;

use crate::model::{Amounts, Document, Fund, Money};

/// The money units a form may state, with their power of ten in 元.
const UNITS: &[(&str, u32)] = &[("亿元", 8), ("万元", 4), ("千元", 3), ("元", 0)];

/// The power of ten of a unit in 元 ("万元" → 4); none for a unit not known.
pub fn power(unit: &str) -> Option<u32> {
    UNITS.iter().find(|(u, _)| *u == unit).map(|(_, p)| *p)
}

/// The money unit a line states: "单位：万元", "金额单位：元", "项目资金（元）",
/// "（单位：万元）", "本表金额单位为元". None when it states none.
pub fn stated_unit(text: &str) -> Option<&'static str> {
    let t: String = text
        .chars()
        .map(crate::text::fold_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    // After "单位" (and a colon or 为).
    if let Some(at) = t.find("单位") {
        let rest = t[at + "单位".len()..].trim_start_matches([':', '为', '是']);
        if let Some((unit, _)) = UNITS.iter().find(|(u, _)| rest.starts_with(u)) {
            return Some(unit);
        }
    }
    // A unit alone in brackets at the end of a label: "项目资金(元)".
    let inner = t
        .strip_suffix(')')
        .and_then(|s| s.rfind('(').map(|i| &s[i + 1..]))?;
    UNITS.iter().find(|(u, _)| *u == inner).map(|(u, _)| *u)
}

/// An amount in another unit, exactly: the decimal point moves. Trailing zeros the
/// move leaves are dropped, down to `min_scale` decimals (a form's money format).
pub fn convert(money: Money, from: &str, to: &str, min_scale: u32) -> Option<Money> {
    let (from, to) = (power(from)?, power(to)?);
    let mut value: Decimal = money.0;
    if from > to {
        // Into a smaller unit: ×10^k; the scale shrinks, not below 0.
        let k = from - to;
        let scale = value.scale();
        let drop = k.min(scale);
        let mantissa = value.mantissa() * 10i128.pow(k - drop);
        value = Decimal::try_from_i128_with_scale(mantissa, scale - drop).ok()?;
    } else if to > from {
        // Into a larger unit: ÷10^k; the scale grows.
        let k = to - from;
        value = Decimal::try_from_i128_with_scale(value.mantissa(), value.scale() + k).ok()?;
    }
    if from != to {
        let scale = value.normalize().scale().max(min_scale);
        value.rescale(scale);
    }
    Some(Money(value))
}

/// A converted amount whose figure the form shows rounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// The model path (`projects[0].funding.annual.total`).
    pub path: String,
    /// The exact amount in the new unit.
    pub value: Money,
}

/// Converts every amount of a document into `to`, in place, and sets its unit.
/// Returns every converted amount with more decimals than `shown` (what a form with
/// that many decimals shows rounded).
pub fn convert_document(doc: &mut Document, to: &str, shown: u32) -> Vec<Converted> {
    let from = doc.money_unit.clone();
    if from == to || power(&from).is_none() || power(to).is_none() {
        return Vec::new();
    }
    let mut rounded = Vec::new();
    let mut one = |path: String, slot: &mut Option<Money>| {
        if let Some(m) = *slot
            && let Some(c) = convert(m, &from, to, shown)
        {
            if c.0.scale() > shown {
                rounded.push(Converted { path, value: c });
            }
            *slot = Some(c);
        }
    };
    let amounts =
        |prefix: &str, a: &mut Amounts, one: &mut dyn FnMut(String, &mut Option<Money>)| {
            for fund in Fund::ALL {
                let mut v = a.get(fund);
                one(format!("{prefix}.{}", fund.key()), &mut v);
                a.set(fund, v);
            }
        };
    if let Some(t) = doc.total.as_mut() {
        amounts("total", t, &mut one);
    }
    for (i, u) in doc.units.iter_mut().enumerate() {
        amounts(&format!("units[{i}].amounts"), &mut u.amounts, &mut one);
    }
    for (i, p) in doc.projects.iter_mut().enumerate() {
        let f = &mut p.funding;
        for (key, slot) in [
            ("mid_term", &mut f.mid_term),
            ("annual", &mut f.annual),
            ("half_year", &mut f.half_year),
        ] {
            if let Some(a) = slot.as_mut() {
                amounts(&format!("projects[{i}].funding.{key}"), a, &mut one);
            }
        }
        let lines = f
            .expenses
            .iter_mut()
            .enumerate()
            .map(|(j, e)| (format!("[{j}]"), e));
        let total = f
            .expenses_total
            .iter_mut()
            .map(|e| ("_total".to_string(), e));
        for (suffix, e) in lines.chain(total) {
            let at = format!("projects[{i}].funding.expenses{suffix}");
            one(format!("{at}.half_year"), &mut e.half_year);
            one(format!("{at}.annual"), &mut e.annual);
            for (year, m) in e.actuals.iter_mut() {
                let mut v = Some(*m);
                one(format!("{at}.actuals.{year}"), &mut v);
                if let Some(v) = v {
                    *m = v;
                }
            }
        }
    }
    doc.money_unit = to.to_string();
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn units_stated_by_forms() {
        assert_eq!(stated_unit("单位：万元"), Some("万元"));
        assert_eq!(stated_unit("金额单位:元"), Some("元"));
        assert_eq!(stated_unit("项目资金（元）"), Some("元"));
        assert_eq!(stated_unit("项目资金(万元)"), Some("万元"));
        assert_eq!(stated_unit("注：本表金额单位为万元。"), Some("万元"));
        assert_eq!(stated_unit("人均成本"), None);
        assert_eq!(stated_unit("项目名称"), None);
    }

    #[test]
    fn conversion_moves_the_decimal_point() {
        let s = |x: Option<Money>| x.map(|x| x.to_string()).unwrap_or_default();
        assert_eq!(s(convert(m("1234.56"), "元", "万元", 2)), "0.123456");
        assert_eq!(s(convert(m("0.123456"), "万元", "元", 2)), "1234.56");
        assert_eq!(s(convert(m("12"), "万元", "元", 2)), "120000.00");
        assert_eq!(s(convert(m("1000"), "元", "万元", 2)), "0.10");
        assert_eq!(s(convert(m("77.03"), "万元", "万元", 2)), "77.03");
        assert_eq!(s(convert(m("0.00"), "万元", "元", 2)), "0.00");
        let yuan = convert(m("12748.27"), "万元", "元", 2).unwrap();
        assert_eq!(yuan.to_string(), "127482700.00");
        assert_eq!(s(convert(yuan, "元", "万元", 2)), "12748.27");
    }
}
