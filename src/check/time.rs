//! J3xx: dates in indicator values against the budget year and the mid-term window, and
//! the mid-term window against the project period.

use super::Ctx;
use crate::model::{DateParts, Period, Project};

pub(super) fn run(ctx: &mut Ctx<'_>) {
    let fiscal = ctx.doc.fiscal_year;
    for pi in 0..ctx.doc.projects.len() {
        period_label(ctx, pi, fiscal);
        project_period(ctx, pi, fiscal);
    }
    dates(ctx, fiscal);
}

/// The years of a label such as "2023年—2025年", "（2023-2025年）" or "2023年至2025年".
pub(crate) fn label_years(label: &str) -> Option<(i32, i32)> {
    let folded: String = label.chars().map(crate::text::fold_width).collect();
    let mut years = Vec::new();
    let mut digits = String::new();
    for c in folded.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if digits.len() == 4
                && let Ok(y) = digits.parse::<i32>()
                && (1900..=2199).contains(&y)
            {
                years.push(y);
            }
            digits.clear();
        }
    }
    match years.as_slice() {
        [a, b] if a <= b => Some((*a, *b)),
        _ => None,
    }
}

/// The mid-term window of a project: its printed label, else its start and end years,
/// else the budget year and the 项目期 in years.
fn mid_term_window(p: &Project, fiscal: Option<i32>) -> Option<(i32, i32, String)> {
    if let Some(label) = p.goals.mid_term.as_ref().and_then(|g| g.period.as_deref())
        && let Some((a, b)) = label_years(label)
    {
        return Some((a, b, "中期".into()));
    }
    if let (Some(a), Some(b)) = (p.period.start_year, p.period.end_year)
        && a <= b
    {
        return Some((a, b, "项目期".into()));
    }
    if let (Some(f), Some(n)) = (fiscal, p.period.years)
        && n > 0
    {
        return Some((f, f + n - 1, "项目期".into()));
    }
    None
}

/// J303: the printed mid-term window against the project period and the budget year.
fn period_label(ctx: &mut Ctx<'_>, pi: usize, fiscal: Option<i32>) {
    let p = &ctx.doc.projects[pi];
    let Some(label) = p.goals.mid_term.as_ref().and_then(|g| g.period.as_deref()) else {
        return;
    };
    let Some((a, b)) = label_years(label) else {
        return;
    };
    let path = format!("projects[{pi}].goals.mid_term.period");
    let mut problems = Vec::new();
    if let (Some(s), Some(e)) = (p.period.start_year, p.period.end_year) {
        if (s, e) != (a, b) {
            problems.push(format!("与项目起止年度 {s}—{e} 年不符"));
        }
    } else if let Some(n) = p.period.years
        && b - a + 1 != n
    {
        problems.push(format!("为 {} 年，与项目期 {n} 年不符", b - a + 1));
    }
    if let Some(f) = fiscal
        && !(a..=b).contains(&f)
    {
        problems.push(format!("不含预算年度 {f} 年"));
    }
    if !problems.is_empty() {
        let cell = ctx.cell_or_project(&path, Some(pi));
        ctx.report(
            "J303",
            Some(pi),
            cell,
            format!("中期目标期间「{}」{}", label.trim(), problems.join("，")),
        );
    }
}

/// J304: a project whose start and end years leave out the budget year.
fn project_period(ctx: &mut Ctx<'_>, pi: usize, fiscal: Option<i32>) {
    let Some(f) = fiscal else { return };
    let p = &ctx.doc.projects[pi].period;
    let (start, end) = (p.start_year, p.end_year);
    let outside = start.is_some_and(|s| s > f) || end.is_some_and(|e| e < f);
    if !outside {
        return;
    }
    let span = match (start, end) {
        (Some(s), Some(e)) => format!("{s}—{e} 年"),
        (Some(s), None) => format!("自 {s} 年起"),
        (None, Some(e)) => format!("至 {e} 年止"),
        (None, None) => unreachable!("outside needs a year"),
    };
    let path = if end.is_some_and(|e| e < f) {
        format!("projects[{pi}].period.end_year")
    } else {
        format!("projects[{pi}].period.start_year")
    };
    let cell = ctx.cell_or_project(&path, Some(pi));
    ctx.report(
        "J304",
        Some(pi),
        cell,
        format!("项目期 {span}不含预算年度 {f} 年"),
    );
}

fn show(d: &DateParts) -> String {
    match (d.month, d.day) {
        (Some(m), Some(day)) => format!("{}年{m}月{day}日", d.year),
        (Some(m), None) => format!("{}年{m}月", d.year),
        _ => format!("{}年", d.year),
    }
}

/// J301 a date of a 年度/半年 value outside the budget year; J302 a date of a 中期 value
/// outside the mid-term window.
fn dates(ctx: &mut Ctx<'_>, fiscal: Option<i32>) {
    for r in ctx.indicators() {
        let what = r.subject(r.class().as_ref());
        for (period, v) in r.values() {
            let Some(d) = v.date else { continue };
            let cell = || ctx.value_cells(&r, &[period]);
            match period {
                Period::Annual | Period::HalfYear => {
                    let Some(f) = fiscal else { continue };
                    if d.year != f {
                        let cell = cell();
                        ctx.report(
                            "J301",
                            r.project,
                            cell,
                            format!(
                                "{what}{}指标值 {} 不在预算年度 {f} 年内",
                                period.label(),
                                show(&d)
                            ),
                        );
                    }
                }
                Period::MidTerm => {
                    let Some(p) = r.project.map(|pi| &ctx.doc.projects[pi]) else {
                        continue;
                    };
                    let Some((a, b, name)) = mid_term_window(p, fiscal) else {
                        continue;
                    };
                    if d.year < a || d.year > b {
                        let cell = cell();
                        ctx.report(
                            "J302",
                            r.project,
                            cell,
                            format!("{what}中期指标值 {} 超出{name} {a}—{b} 年", show(&d)),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::label_years;

    #[test]
    fn reads_window_labels() {
        assert_eq!(label_years("2023年—2025年"), Some((2023, 2025)));
        assert_eq!(label_years("中期目标(2023年—2025年)"), Some((2023, 2025)));
        assert_eq!(label_years("（２０２３-２０２５年）"), Some((2023, 2025)));
        assert_eq!(label_years("2023年"), None);
        assert_eq!(label_years("2025年—2023年"), None);
    }
}
