//! `--roll-forward YEAR`: what moves, and that nothing else changes.

mod common;

use common::*;
use jixiao::rollforward::roll_forward;

#[test]
fn luan_2023_to_2024() {
    let before = load(&fixture("luan_2023.xlsx"));
    let mut after = before.clone();
    let changes = roll_forward(&mut after, 2024);
    assert_eq!(after.fiscal_year, Some(2024));
    assert_eq!(
        after.title.as_deref(),
        Some("表十四、2024年项目支出绩效目标表")
    );
    let p = &after.projects[0];
    let value = |name: &str, annual: bool| {
        let i = p.indicators.iter().find(|i| i.name == name).unwrap();
        let v = if annual {
            &i.values.annual
        } else {
            &i.values.mid_term
        };
        v.as_ref().unwrap().clone()
    };
    assert_eq!(value("业务技能大赛按时举办", true).text, "2024年12月");
    assert_eq!(
        value("业务技能大赛按时举办", true).date.unwrap().year,
        2024,
        "re-parsed"
    );
    assert_eq!(value("住房公积金个人结息", true).text, "2024年6月");
    assert_eq!(
        value("业务技能大赛按时举办", false).text,
        "2025年12月",
        "the mid-term window is kept"
    );
    assert_eq!(
        p.goals.mid_term.as_ref().unwrap().period.as_deref(),
        Some("2023年—2025年")
    );
    // Every moved value is listed, and nothing else changed.
    let moved: Vec<_> = changes
        .iter()
        .filter(|c| c.field == "values.annual")
        .collect();
    let dated_2023 = before
        .projects
        .iter()
        .flat_map(|p| &p.indicators)
        .filter(|i| i.level2.as_deref() == Some("时效指标"))
        .filter(|i| {
            i.values
                .annual
                .as_ref()
                .and_then(|v| v.date)
                .is_some_and(|d| d.year == 2023)
        })
        .count();
    assert_eq!(
        dated_2023, 4,
        "three in project 1, one in project 2 (the other says 按月发送)"
    );
    assert_eq!(moved.len(), dated_2023, "{changes:?}");
    let mut undone = after.clone();
    undone.fiscal_year = before.fiscal_year;
    undone.title = before.title.clone();
    for (pa, pb) in undone.projects.iter_mut().zip(&before.projects) {
        for (ia, ib) in pa.indicators.iter_mut().zip(&pb.indicators) {
            if changes
                .iter()
                .any(|c| c.indicator.as_deref() == Some(ia.name.as_str()))
            {
                ia.values = ib.values.clone();
            }
        }
    }
    assert_same(&undone, &before, "nothing else changed");
    assert!(
        !changes.iter().any(|c| c.field == "period"),
        "the project period (2023—2025) lasts into 2024"
    );
}

#[test]
fn a_project_whose_period_ended_is_reported() {
    let mut doc = load(&fixture("luan_2023.xlsx"));
    let changes = roll_forward(&mut doc, 2026);
    let ended: Vec<_> = changes.iter().filter(|c| c.field == "period").collect();
    assert_eq!(ended.len(), 2);
    assert!(ended[0].note.as_deref().unwrap().contains("2025"));
}

#[test]
fn linyi_2023_to_2024() {
    let before = load(&fixture("linyi_2023.xlsx"));
    let mut after = before.clone();
    let changes = roll_forward(&mut after, 2024);
    assert_eq!(
        after.title.as_deref(),
        Some("2024年临沂市住房公积金中心部门预算整体绩效目标表（10）")
    );
    let duties = &after.overall.as_ref().unwrap().duties;
    let first = &duties[0].objectives[0].indicators[0];
    assert_eq!(first.name, "住房公积金归集额");
    let history = first.reference.as_ref().unwrap().history.as_ref().unwrap();
    assert_eq!(
        history.last_year.as_deref(),
        Some("85亿元"),
        "上年值 takes the old 年度指标值"
    );
    assert_eq!(
        history.avg_3y.as_deref(),
        Some("72.33亿元"),
        "前三年均值 kept …"
    );
    assert!(
        changes
            .iter()
            .any(|c| c.field == "reference.history.avg_3y" && c.note.is_some()),
        "… and flagged"
    );
    let last_year_changes = changes
        .iter()
        .filter(|c| c.field == "reference.history.last_year")
        .count();
    let differing = before
        .overall
        .iter()
        .flat_map(|o| &o.duties)
        .flat_map(|d| &d.objectives)
        .flat_map(|o| &o.indicators)
        .filter(|i| {
            let annual = i.values.annual.as_ref().map(|v| v.text.as_str());
            let last = i
                .reference
                .as_ref()
                .and_then(|r| r.history.as_ref())
                .and_then(|h| h.last_year.as_deref());
            annual.is_some() && annual != last
        })
        .count();
    assert_eq!(
        last_year_changes, differing,
        "one change for each 上年值 that moved"
    );
    // Undo the listed moves: the rest is as it was.
    let mut undone = after.clone();
    undone.fiscal_year = before.fiscal_year;
    undone.title = before.title.clone();
    let (a, b) = (
        undone.overall.as_mut().unwrap(),
        before.overall.as_ref().unwrap(),
    );
    for (da, db) in a.duties.iter_mut().zip(&b.duties) {
        for (oa, ob) in da.objectives.iter_mut().zip(&db.objectives) {
            for (ia, ib) in oa.indicators.iter_mut().zip(&ob.indicators) {
                ia.reference = ib.reference.clone();
            }
        }
    }
    assert_same(&undone, &before, "nothing else changed");
}

#[test]
fn convert_rolls_forward_and_reports() {
    let dir = scratch("roll-cli");
    let out = dir.join("luan_2024.xlsx");
    let report = dir.join("report.json");
    let o = jixiao(&[
        "convert",
        fixture("luan_2023.xlsx").to_str().unwrap(),
        "--to",
        "luan",
        "--roll-forward",
        "2024",
        "-o",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("2023年12月 → 2024年12月"));
    let back = load_form_only(&out);
    assert_eq!(back.fiscal_year, Some(2024));
    assert_eq!(
        back.title.as_deref(),
        Some("表十四、2024年项目支出绩效目标表")
    );
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(
        json["roll_forward"].as_array().unwrap().len(),
        6,
        "fiscal year, title and four dates"
    );
}
