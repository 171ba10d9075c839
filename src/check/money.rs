//! J1xx: amounts that do not add up. Exact decimal arithmetic throughout.

use rust_decimal::Decimal;

use super::{Class, Ctx, class_of, is_unit_price, number};
use crate::model::{Amounts, Fund, Money, Op, Period};

pub(super) fn run(ctx: &mut Ctx<'_>) {
    let doc = ctx.doc;
    for (pi, p) in doc.projects.iter().enumerate() {
        for period in Period::ALL {
            if let Some(a) = p.funding.amounts(period) {
                let base = format!("projects[{pi}].funding.{}", period.key());
                let prefix = format!("{}资金总额", period.label());
                sources(ctx, Some(pi), a, &base, &prefix, period.label());
            }
        }
        expenses(ctx, pi);
        expenses_total(ctx, pi);
        mid_term_vs_annual(ctx, pi);
        cost_indicators(ctx, pi);
    }
    if let Some(total) = &doc.total {
        sources(ctx, None, total, "total", "合计", "合计");
    }
    for (ui, unit) in doc.units.iter().enumerate() {
        let base = format!("units[{ui}].amounts");
        let prefix = format!("单位「{}」总计", unit.name);
        let label = format!("单位「{}」", unit.name);
        sources(ctx, None, &unit.amounts, &base, &prefix, &label);
    }
    subtotals(ctx);
    duty_spending(ctx);
}

fn fund_name(fund: Fund, breakdown: bool) -> &'static str {
    match fund {
        Fund::Total => "资金总额",
        Fund::Fiscal => "财政拨款",
        Fund::GeneralBudget => "一般公共预算资金",
        Fund::GovernmentFund => "政府性基金预算资金",
        Fund::SpecialAccount if breakdown => "财政专户管理资金",
        Fund::SpecialAccount => "财政专户拨款",
        Fund::StateCapital => "国有资本经营预算资金",
        Fund::SocialInsurance => "社会保险基金预算资金",
        Fund::CarryOver => "上年结转资金",
        Fund::Other => "其他资金",
        Fund::Basic => "基本支出",
        Fund::Project => "项目支出",
    }
}

/// "财政拨款 1003.82 + 其他资金 5.00": the stated parts, zeros left out unless all are zero.
fn parts_text(parts: &[(&str, Decimal)]) -> String {
    let shown: Vec<_> = parts.iter().filter(|(_, v)| !v.is_zero()).collect();
    let shown: Vec<_> = if shown.is_empty() {
        parts.iter().take(1).collect()
    } else {
        shown
    };
    shown
        .iter()
        .map(|(n, v)| format!("{n} {v}"))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The exact sum; `None` where it would overflow (then the check is skipped: a table
/// with 28-digit amounts gets no finding rather than a panic).
fn sum(values: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
}

/// `a - b` for messages.
fn diff(a: Decimal, b: Decimal) -> String {
    a.checked_sub(b)
        .map_or_else(|| "?".into(), |d| d.to_string())
}

/// J101 总额 vs its fund sources, J102 财政拨款 vs its breakdown.
///
/// Where 一般公共预算资金 or 政府性基金预算资金 are stated (yancheng), 财政专户管理资金 is
/// part of 财政拨款; otherwise (guangzhou's 财政专户拨款) it stands beside it.
fn sources(
    ctx: &mut Ctx<'_>,
    project: Option<usize>,
    a: &Amounts,
    base: &str,
    total_label: &str,
    fiscal_prefix: &str,
) {
    let breakdown = a.general_budget.is_some() || a.government_fund.is_some();
    let fiscal_parts: &[Fund] = &[
        Fund::GeneralBudget,
        Fund::GovernmentFund,
        Fund::SpecialAccount,
    ];
    let siblings: &[Fund] = &[
        Fund::StateCapital,
        Fund::SocialInsurance,
        Fund::CarryOver,
        Fund::Other,
    ];
    let mut top: Vec<Fund> = Vec::new();
    if a.fiscal.is_some() {
        top.push(Fund::Fiscal);
        if !breakdown {
            top.push(Fund::SpecialAccount);
        }
    } else if breakdown {
        top.extend_from_slice(fiscal_parts);
    } else {
        top.push(Fund::SpecialAccount);
    }
    top.extend_from_slice(siblings);
    let stated: Vec<(&str, Decimal)> = top
        .iter()
        .filter_map(|f| a.get(*f).map(|m| (fund_name(*f, breakdown), m.0)))
        .collect();
    if let Some(total) = a.total
        && !stated.is_empty()
        && let Some(s) = sum(stated.iter().map(|(_, v)| *v))
        && s != total.0
    {
        let cell = ctx.cell_or_project(&format!("{base}.total"), project);
        ctx.report(
            "J101",
            project,
            cell,
            format!(
                "{total_label} {} ≠ {}（差 {}）",
                total.0,
                parts_text(&stated),
                diff(total.0, s)
            ),
        );
    }
    nature(ctx, project, a, base, total_label);
    if breakdown && let Some(fiscal) = a.fiscal {
        let parts: Vec<(&str, Decimal)> = fiscal_parts
            .iter()
            .map(|f| {
                (
                    fund_name(*f, true),
                    a.get(*f).map_or(Decimal::ZERO, |m| m.0),
                )
            })
            .collect();
        if let Some(s) = sum(parts.iter().map(|(_, v)| *v))
            && s != fiscal.0
        {
            let cell = ctx.cell_or_project(&format!("{base}.fiscal"), project);
            let listed = parts
                .iter()
                .map(|(n, v)| format!("{n} {v}"))
                .collect::<Vec<_>>()
                .join(" + ");
            ctx.report(
                "J102",
                project,
                cell,
                format!(
                    "{fiscal_prefix}财政拨款 {} ≠ {listed}（差 {}）",
                    fiscal.0,
                    diff(fiscal.0, s)
                ),
            );
        }
    }
}

/// J109: where the total and both parts by nature of spending are stated,
/// 基本支出 + 项目支出 = 总额. The fund sources are another split of the same total, so
/// the two are never added together.
fn nature(ctx: &mut Ctx<'_>, project: Option<usize>, a: &Amounts, base: &str, total_label: &str) {
    let (Some(total), Some(basic), Some(proj)) = (a.total, a.basic, a.project) else {
        return;
    };
    let Some(s) = sum([basic.0, proj.0]) else {
        return;
    };
    if s != total.0 {
        let cell = ctx.cell_or_project(&format!("{base}.total"), project);
        ctx.report(
            "J109",
            project,
            cell,
            format!(
                "{total_label} {} ≠ 基本支出 {} + 项目支出 {}（差 {}）",
                total.0,
                basic.0,
                proj.0,
                diff(total.0, s)
            ),
        );
    }
}

/// J110: the stated 合计 line of the 支出 list vs the sum of its lines, column by
/// column (half-year, annual, each year's actuals), where the 合计 and at least one
/// line state the column; a blank line counts as 0.
fn expenses_total(ctx: &mut Ctx<'_>, pi: usize) {
    let p = &ctx.doc.projects[pi];
    let Some(stated) = &p.funding.expenses_total else {
        return;
    };
    let lines = &p.funding.expenses;
    let mut columns: Vec<(String, String, Money)> = Vec::new();
    if let Some(m) = stated.half_year {
        columns.push(("half_year".into(), "半年计划".into(), m));
    }
    if let Some(m) = stated.annual {
        columns.push(("annual".into(), "全年预算".into(), m));
    }
    for (year, m) in &stated.actuals {
        columns.push((format!("actuals.{year}"), format!("{year}年实际执行数"), *m));
    }
    let mut found = Vec::new();
    for (key, label, total) in columns {
        let parts: Vec<Decimal> = lines
            .iter()
            .filter_map(|e| match key.as_str() {
                "half_year" => e.half_year,
                "annual" => e.annual,
                _ => e.actuals.get(&key["actuals.".len()..]).copied(),
            })
            .map(|m| m.0)
            .collect();
        if parts.is_empty() {
            continue;
        }
        let Some(s) = sum(parts.iter().copied()) else {
            continue;
        };
        if s != total.0 {
            found.push((key, label, total, s, parts.len()));
        }
    }
    for (key, label, total, s, n) in found {
        let cell = ctx.cell_or_project(
            &format!("projects[{pi}].funding.expenses_total.{key}"),
            Some(pi),
        );
        let name = ctx.doc.projects[pi]
            .funding
            .expenses_total
            .as_ref()
            .map_or("合计", |e| e.name.as_str());
        ctx.report(
            "J110",
            Some(pi),
            cell,
            format!(
                "支出{name}{label} {} ≠ {n} 项支出之和 {s}（差 {}）",
                total.0,
                diff(total.0, s)
            ),
        );
    }
}

/// J103 支出 lines vs the 收入 total; J104 a line's half-year plan above its annual budget.
fn expenses(ctx: &mut Ctx<'_>, pi: usize) {
    let p = &ctx.doc.projects[pi];
    let lines = &p.funding.expenses;
    if lines.is_empty() {
        return;
    }
    for period in [Period::Annual, Period::HalfYear] {
        let stated: Vec<Decimal> = lines
            .iter()
            .filter_map(|e| match period {
                Period::HalfYear => e.half_year,
                _ => e.annual,
            })
            .map(|m| m.0)
            .collect();
        let Some(total) = p.funding.amounts(period).and_then(|a| a.total) else {
            continue;
        };
        if stated.is_empty() || total_from_line(ctx, pi, period) {
            continue;
        }
        let Some(s) = sum(stated.iter().copied()) else {
            continue;
        };
        if s != total.0 {
            let cell = ctx.cell_or_project(
                &format!("projects[{pi}].funding.{}.total", period.key()),
                Some(pi),
            );
            ctx.report(
                "J103",
                Some(pi),
                cell,
                format!(
                    "支出明细合计 {s}（{} 项）≠ {}资金总额 {}（差 {}）",
                    stated.len(),
                    period.label(),
                    total.0,
                    diff(s, total.0)
                ),
            );
        }
    }
    for (ei, e) in lines.iter().enumerate() {
        if let (Some(half), Some(annual)) = (e.half_year, e.annual)
            && half.0 > annual.0
        {
            let cell = ctx.cell_or_project(
                &format!("projects[{pi}].funding.expenses[{ei}].half_year"),
                Some(pi),
            );
            ctx.report(
                "J104",
                Some(pi),
                cell,
                format!(
                    "支出「{}」半年计划执行数 {} > 全年预算数 {}",
                    e.name, half.0, annual.0
                ),
            );
        }
    }
}

/// Whether a period's total was read from the 合计 line the project keeps (a form with
/// no other cell for it): J110 compares that line with the lines already, at the same
/// cell, so J103 would say it twice.
fn total_from_line(ctx: &Ctx<'_>, pi: usize, period: Period) -> bool {
    let base = format!("projects[{pi}].funding");
    let key = period.key();
    let line = ctx.cell(&format!("{base}.expenses_total.{key}"));
    ctx.doc.projects[pi].funding.expenses_total.is_some()
        && line.is_some()
        && line == ctx.cell(&format!("{base}.{key}.total"))
}

/// J108: the mid-term amount covers the budget year, so it cannot be smaller.
fn mid_term_vs_annual(ctx: &mut Ctx<'_>, pi: usize) {
    let f = &ctx.doc.projects[pi].funding;
    if let (Some(mid), Some(annual)) = (
        f.mid_term.as_ref().and_then(|a| a.total),
        f.annual.as_ref().and_then(|a| a.total),
    ) && mid.0 < annual.0
    {
        let cell = ctx.cell_or_project(&format!("projects[{pi}].funding.mid_term.total"), Some(pi));
        ctx.report(
            "J108",
            Some(pi),
            cell,
            format!(
                "中期资金总额 {} < 年度资金总额 {}：中期包含预算年度，不应更少",
                mid.0, annual.0
            ),
        );
    }
}

/// J107: 成本指标 amounts in 万元 (totals with = or ≤, not unit prices) that add up to
/// more than the period's budget. Lower bounds (≥) and unit prices say nothing about the
/// total spent, so they are left out.
fn cost_indicators(ctx: &mut Ctx<'_>, pi: usize) {
    let p = &ctx.doc.projects[pi];
    for period in Period::ALL {
        let budget = match period {
            Period::HalfYear => p
                .funding
                .half_year
                .as_ref()
                .and_then(|a| a.total)
                .map(|m| m.0)
                .or_else(|| {
                    let halves: Vec<Decimal> = p
                        .funding
                        .expenses
                        .iter()
                        .filter_map(|e| e.half_year)
                        .map(|m| m.0)
                        .collect();
                    if halves.is_empty() { None } else { sum(halves) }
                }),
            _ => p.funding.amounts(period).and_then(|a| a.total).map(|m| m.0),
        };
        let Some(budget) = budget else { continue };
        let mut items: Vec<(String, Decimal)> = Vec::new();
        for ind in &p.indicators {
            let Some(class) = class_of(ind) else { continue };
            if class.class != Class::Cost {
                continue;
            }
            let Some(v) = ind.values.get(period) else {
                continue;
            };
            let total_like = matches!(v.op, None | Some(Op::Eq) | Some(Op::Le) | Some(Op::Lt));
            if v.unit.as_deref() != Some("万元") || !total_like || is_unit_price(&ind.name, v) {
                continue;
            }
            if let Some(n) = number(v) {
                items.push((format!("{} {}", ind.name, v.text.trim()), n));
            }
        }
        let Some(s) = sum(items.iter().map(|(_, n)| *n)) else {
            continue;
        };
        if !items.is_empty() && s > budget {
            let path = match period {
                Period::HalfYear if p.funding.half_year.is_none() => {
                    format!("projects[{pi}].funding.expenses[0].half_year")
                }
                _ => format!("projects[{pi}].funding.{}.total", period.key()),
            };
            let cell = ctx.cell_or_project(&path, Some(pi));
            let listed = items
                .iter()
                .take(3)
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>()
                .join(" + ");
            let more = if items.len() > 3 { " + …" } else { "" };
            ctx.report(
                "J107",
                Some(pi),
                cell,
                format!(
                    "成本指标（万元）合计 {s} > {}资金总额 {budget}：{listed}{more}",
                    period.label()
                ),
            );
        }
    }
}

/// J105 unit subtotals vs their projects; J106 合计 vs the units (or the projects when
/// there are no unit rows). Per fund source, where the stated amount and at least one
/// part are given; a blank part counts as 0.
fn subtotals(ctx: &mut Ctx<'_>) {
    let doc = ctx.doc;
    const FUNDS: [Fund; 4] = [Fund::Total, Fund::Fiscal, Fund::SpecialAccount, Fund::Other];
    let annual = |pi: usize| doc.projects[pi].funding.annual.as_ref();
    for (ui, unit) in doc.units.iter().enumerate() {
        let members: Vec<usize> = (0..doc.projects.len())
            .filter(|pi| doc.projects[*pi].unit.as_deref() == Some(unit.name.as_str()))
            .collect();
        if members.is_empty() {
            continue;
        }
        for fund in FUNDS {
            let Some(stated) = unit.amounts.get(fund) else {
                continue;
            };
            let parts: Vec<Option<Decimal>> = members
                .iter()
                .map(|pi| annual(*pi).and_then(|a| a.get(fund)).map(|m| m.0))
                .collect();
            if parts.iter().all(Option::is_none) {
                continue;
            }
            let Some(s) = sum(parts.iter().map(|v| v.unwrap_or(Decimal::ZERO))) else {
                continue;
            };
            if s != stated.0 {
                let cell = ctx.cell(&format!("units[{ui}].amounts.{}", fund.key()));
                ctx.report(
                    "J105",
                    None,
                    cell,
                    format!(
                        "单位「{}」{} {} ≠ 所属 {} 个项目之和 {s}（差 {}）",
                        unit.name,
                        sub_fund_name(fund),
                        stated.0,
                        members.len(),
                        diff(stated.0, s)
                    ),
                );
            }
        }
    }
    let Some(total) = &doc.total else { return };
    for fund in FUNDS {
        let Some(stated) = total.get(fund) else {
            continue;
        };
        let (what, parts): (String, Vec<Option<Decimal>>) = if doc.units.is_empty() {
            (
                format!("{} 个项目之和", doc.projects.len()),
                (0..doc.projects.len())
                    .map(|pi| annual(pi).and_then(|a| a.get(fund)).map(|m| m.0))
                    .collect(),
            )
        } else {
            (
                format!("{} 个单位小计之和", doc.units.len()),
                doc.units
                    .iter()
                    .map(|u| u.amounts.get(fund).map(|m| m.0))
                    .collect(),
            )
        };
        if parts.iter().all(Option::is_none) {
            continue;
        }
        let Some(s) = sum(parts.iter().map(|v| v.unwrap_or(Decimal::ZERO))) else {
            continue;
        };
        if s != stated.0 {
            let cell = ctx.cell(&format!("total.{}", fund.key()));
            ctx.report(
                "J106",
                None,
                cell,
                format!(
                    "合计{} {} ≠ {what} {s}（差 {}）",
                    match fund {
                        Fund::Total => String::new(),
                        other => format!(" {}", sub_fund_name(other)),
                    },
                    stated.0,
                    diff(stated.0, s)
                ),
            );
        }
    }
}

/// The part of the budget a spending line's name stands for: 基本支出 or 项目支出,
/// whatever the spaces and width.
fn nature_of(project: &str) -> Option<Fund> {
    let folded: String = project
        .chars()
        .map(crate::text::fold_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    match folded.as_str() {
        "基本支出" => Some(Fund::Basic),
        "项目支出" => Some(Fund::Project),
        _ => None,
    }
}

/// J111: a department's duty spending lines (ningde's 年度履职目标: 支出项目名称 +
/// 预算金额) against its stated budget (年度预算安排): a line named 基本支出 or 项目支出
/// is that part of the budget, and the lines add up to 资金总额. Only stated amounts
/// count; nothing is compared where the budget does not state the figure.
fn duty_spending(ctx: &mut Ctx<'_>) {
    let doc = ctx.doc;
    let (Some(overall), Some(budget)) = (&doc.overall, &doc.total) else {
        return;
    };
    let mut amounts: Vec<Decimal> = Vec::new();
    for (di, duty) in overall.duties.iter().enumerate() {
        for (oi, objective) in duty.objectives.iter().enumerate() {
            for (si, line) in objective.spending.iter().enumerate() {
                let Some(amount) = line.amount else { continue };
                amounts.push(amount.0);
                let Some(fund) = nature_of(&line.project) else {
                    continue;
                };
                let Some(stated) = budget.get(fund) else {
                    continue;
                };
                if amount.0 == stated.0 {
                    continue;
                }
                let path = format!("overall.duties[{di}].objectives[{oi}].spending[{si}].amount");
                let cell = ctx
                    .cell(&path)
                    .or_else(|| ctx.cell(&format!("total.{}", fund.key())));
                let what = if objective.name.trim().is_empty() {
                    duty.name.trim()
                } else {
                    objective.name.trim()
                };
                ctx.report(
                    "J111",
                    None,
                    cell,
                    format!(
                        "履职目标「{what}」的支出「{}」{} ≠ 预算安排的{} {}（差 {}）",
                        line.project.trim(),
                        amount.0,
                        fund_name(fund, false),
                        stated.0,
                        diff(amount.0, stated.0)
                    ),
                );
            }
        }
    }
    let Some(total) = budget.total else { return };
    if amounts.is_empty() {
        return;
    }
    let Some(s) = sum(amounts.iter().copied()) else {
        return;
    };
    if s != total.0 {
        let cell = ctx.cell("total.total");
        ctx.report(
            "J111",
            None,
            cell,
            format!(
                "资金总额 {} ≠ 履职目标 {} 项支出之和 {s}（差 {}）",
                total.0,
                amounts.len(),
                diff(total.0, s)
            ),
        );
    }
}

/// The column names of guangzhou's flat list.
fn sub_fund_name(fund: Fund) -> &'static str {
    match fund {
        Fund::Total => "总计",
        Fund::SpecialAccount => "财政专户拨款",
        other => fund_name(other, false),
    }
}

#[cfg(test)]
mod tests {
    use super::nature_of;
    use crate::model::Fund;

    #[test]
    fn spending_lines_named_for_a_part_of_the_budget() {
        assert_eq!(nature_of("基本支出"), Some(Fund::Basic));
        assert_eq!(nature_of(" 基本 支出 "), Some(Fund::Basic));
        assert_eq!(nature_of("项目\u{3000}支出"), Some(Fund::Project));
        assert_eq!(nature_of("地情、市志编纂与年鉴出版经费"), None);
        assert_eq!(nature_of("基本支出（人员经费）"), None);
    }
}
