//! 元 and 万元 (issue 13): a form's stated unit is read into `money_unit`; converting
//! between forms of different units moves the decimal point exactly, the cell holds
//! the exact value, and the loss report lists every amount the form shows rounded.

mod common;

use common::*;
use jixiao::Document;
use jixiao::grid::Cell;
use jixiao::model::{Fund, Money};

/// Every amount of a document, by project and period, in order.
fn amounts(doc: &Document) -> Vec<(String, Option<Money>)> {
    let mut out = Vec::new();
    for p in &doc.projects {
        for (period, a) in [("mid", &p.funding.mid_term), ("annual", &p.funding.annual)] {
            for fund in Fund::ALL {
                let v = a.as_ref().and_then(|a| a.get(fund));
                out.push((format!("{} {period} {}", p.name, fund.key()), v));
            }
        }
    }
    out
}

fn times_10000(doc: &Document) -> Vec<(String, Option<Money>)> {
    amounts(doc)
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                v.and_then(|m| jixiao::units::convert(m, "万元", "元", 2)),
            )
        })
        .collect()
}

/// luan_2023 as a 元 form: "项目资金(元)" and every amount of the form ×10000.
fn yuan_fixture(dir: &std::path::Path) -> std::path::PathBuf {
    copy_xlsx(
        &fixture("luan_2023.xlsx"),
        &dir.join("luan-yuan.xlsx"),
        |_| Vec::new(),
        &[],
        |sheet, r, _, cell| {
            let header = (0..sheet.height())
                .find(|&r| (0..8).any(|c| sheet.raw(r, c).display() == "一级指标"))
                .unwrap_or(sheet.height());
            match cell {
                Cell::Text(t) if t.contains("(万元)") => Cell::Text(t.replace("(万元)", "(元)")),
                Cell::Number {
                    value,
                    decimals,
                    percent: false,
                } if r < header => Cell::Number {
                    value: value * 10000.0,
                    decimals: *decimals,
                    percent: false,
                },
                other => other.clone(),
            }
        },
    )
}

#[test]
fn a_yuan_form_reads_in_yuan() {
    let dir = scratch("units-read");
    let yuan = load(&yuan_fixture(&dir));
    let wan = load(&fixture("luan_2023.xlsx"));
    assert_eq!(wan.money_unit, "万元");
    assert_eq!(yuan.money_unit, "元");
    assert_eq!(amounts(&yuan), times_10000(&wan));
}

#[test]
fn yuan_to_a_wan_form_and_back_gives_the_same_amounts() {
    let dir = scratch("units-roundtrip");
    let source = yuan_fixture(&dir);
    let yuan = load(&source);
    // 元 → the luan form (万元).
    let wan_form = dir.join("wan.xlsx");
    let o = jixiao(&[
        "convert",
        source.to_str().unwrap(),
        "--to",
        "luan",
        "-o",
        wan_form.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let wan = load_form_only(&wan_form);
    assert_eq!(wan.money_unit, "万元");
    assert_eq!(amounts(&wan), amounts(&load(&fixture("luan_2023.xlsx"))));

    // … and on to a 元 form (the county template, in 元).
    let county = std::fs::read_to_string(fixture("templates/county.toml"))
        .unwrap()
        .replace("年度预算（万元）", "年度预算（元）")
        .replace("columns = 6", "columns = 6\nmoney_unit = \"元\"");
    let template = dir.join("county_yuan.toml");
    std::fs::write(&template, county).unwrap();
    let back_form = dir.join("back.xlsx");
    let o = jixiao(&[
        "convert",
        wan_form.to_str().unwrap(),
        "--to",
        template.to_str().unwrap(),
        "--no-embed",
        "-o",
        back_form.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let back = load_with(&back_form, &template);
    assert_eq!(back.money_unit, "元");
    let annual = |d: &Document| -> Vec<Option<Money>> {
        d.projects
            .iter()
            .flat_map(|p| {
                let a = p.funding.annual.clone().unwrap_or_default();
                [a.total, a.fiscal, a.other]
            })
            .collect()
    };
    assert_eq!(
        annual(&back),
        annual(&yuan),
        "the 元 amounts come back exactly"
    );
}

#[test]
fn amounts_shown_rounded_are_reported() {
    let dir = scratch("units-rounded");
    let mut yuan = load(&yuan_fixture(&dir));
    let annual = yuan.projects[0].funding.annual.as_mut().unwrap();
    annual.total = Money::parse("1234.56");
    let (written, _, report) =
        jixiao::loss::prepare(&yuan, &jixiao::Template::builtin("luan").unwrap());
    assert_eq!(written.money_unit, "万元");
    let total = written.projects[0].funding.annual.as_ref().unwrap().total;
    assert_eq!(total.map(|m| m.to_string()).as_deref(), Some("0.123456"));
    let rounded = &report.rounded;
    assert_eq!(rounded.len(), 1, "{rounded:?}");
    assert_eq!(rounded[0].field, "projects[0].funding.annual.total");
    assert_eq!(
        (rounded[0].value.as_str(), rounded[0].shown.as_str()),
        ("0.123456", "0.12")
    );
    assert!(report.summary().contains("shown rounded"));
}
