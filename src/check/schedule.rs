//! J2xx: 资金支出计划 (tangshan): cumulative percentages by month-end. A blank cell is
//! absent from the model, not 0, and is skipped.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::Ctx;

pub(super) fn run(ctx: &mut Ctx<'_>) {
    for pi in 0..ctx.doc.projects.len() {
        project(ctx, pi);
    }
}

fn project(ctx: &mut Ctx<'_>, pi: usize) {
    let schedule = &ctx.doc.projects[pi].funding.schedule;
    if schedule.is_empty() {
        return;
    }
    let mut entries: Vec<_> = schedule.iter().collect();
    entries.sort_by_key(|e| e.month);
    let hundred = Decimal::from(100);
    let mut stated: Vec<(&str, u32, Decimal)> = Vec::new();
    for e in entries {
        let Some(text) = e.percent.as_deref() else {
            continue;
        };
        let path = format!("projects[{pi}].schedule.{}", e.month);
        let trimmed = text.trim().trim_end_matches(['%', '％']).trim();
        match Decimal::from_str(trimmed) {
            Ok(p) => {
                if p > hundred || p.is_sign_negative() {
                    let cell = ctx.cell_or_project(&path, Some(pi));
                    ctx.report(
                        "J202",
                        Some(pi),
                        cell,
                        format!(
                            "资金支出计划 {} {p}% {}",
                            e.label,
                            if p > hundred {
                                "超过 100%"
                            } else {
                                "小于 0"
                            }
                        ),
                    );
                }
                if let Some((prev_label, _, prev)) = stated.last()
                    && p < *prev
                {
                    let cell = ctx.cell_or_project(&path, Some(pi));
                    ctx.report(
                        "J201",
                        Some(pi),
                        cell,
                        format!(
                            "资金支出计划 {} {p}% < {prev_label} {prev}%：累计支出进度不应下降",
                            e.label
                        ),
                    );
                }
                stated.push((e.label.as_str(), e.month, p));
            }
            Err(_) => {
                let cell = ctx.cell_or_project(&path, Some(pi));
                ctx.report(
                    "J204",
                    Some(pi),
                    cell,
                    format!("资金支出计划 {}「{text}」不是百分比", e.label),
                );
            }
        }
    }
    if let Some((label, month, last)) = stated.last()
        && *last < hundred
    {
        let cell = ctx.cell_or_project(&format!("projects[{pi}].schedule.{month}"), Some(pi));
        ctx.report(
            "J203",
            Some(pi),
            cell,
            format!("资金支出计划最后一期 {label} 为 {last}%，应为 100%"),
        );
    }
}
