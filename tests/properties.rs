//! Property tests: the value parsers never panic and keep the text, and random luan
//! documents written as xlsx read back to exactly what the form carries.

mod common;

use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;

use common::*;
use jixiao::Document;
use jixiao::convert::{self, Format, ReadOptions, WriteOptions};
use jixiao::model::{Amounts, Goal, Indicator, Kind, Money, Op, Values};
use jixiao::parse::numbered::parse_numbered;
use jixiao::parse::value::parse_value;
use jixiao::template::Template;
use jixiao::write::csv::CsvEncoding;

/// Case counts stay modest so that `cargo test` stays fast.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Characters that make ordinary names and goals without spelling a form label
/// (no 指标, 合计, 项目, 年度 …) or an item number.
const CJK: &str = "住房公积金服务质量效率提升完成工作保障宣传网办窗口业务培训户条人缴存归集扩面企业单位学校商户微信推送图文信息政务公开普及营商环境技能大赛礼仪队伍建设管理运转维护经费办公设备采购系统升级档案整理数据安全";

fn cjk(min: usize, max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = CJK.chars().collect();
    prop::collection::vec(prop::sample::select(chars), min..=max)
        .prop_map(|cs| cs.into_iter().collect())
}

// ---- value parser ---------------------------------------------------------------------

/// Text shaped like an indicator value: an operator, a number, a unit.
fn value_text() -> impl Strategy<Value = (String, &'static str, String, &'static str)> {
    let ops = prop::sample::select(vec!["", "≥", "≤", ">", "<", "=", "＞", "＜", "＝"]);
    let units = prop::sample::select(vec![
        "", "次", "户", "条", "%", "万元", "天", "个", "人次", "小时",
    ]);
    let number = (0u32..1_000_000, prop::option::of(0u32..1000)).prop_map(|(i, f)| match f {
        Some(f) => format!("{i}.{f}"),
        None => i.to_string(),
    });
    (ops, number, units).prop_map(|(op, n, unit)| (format!("{op}{n}{unit}"), op, n, unit))
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn parse_value_keeps_any_text_and_never_panics(text in any::<String>()) {
        let v = parse_value(&text);
        prop_assert_eq!(&v.text, &text);
        if let Some(n) = &v.number {
            prop_assert!(Decimal::from_str(n).is_ok(), "{:?} from {:?}", n, text);
        }
    }

    #[test]
    fn parse_value_keeps_cjk_text(text in "[\\p{Han}，。：；、（）≥≤%0-9.\\s]{0,40}") {
        let v = parse_value(&text);
        prop_assert_eq!(&v.text, &text);
        if let Some(n) = &v.number {
            prop_assert!(Decimal::from_str(n).is_ok(), "{:?} from {:?}", n, text);
        }
    }

    #[test]
    fn parse_value_reads_operator_number_and_unit((text, op, number, unit) in value_text()) {
        let v = parse_value(&text);
        prop_assert_eq!(&v.text, &text);
        let got = v.number.as_deref().map(|n| Decimal::from_str(n).unwrap());
        prop_assert_eq!(got, Some(Decimal::from_str(&number).unwrap()), "{}", text);
        let want_op = match op {
            "≥" => Some(Op::Ge),
            "≤" => Some(Op::Le),
            ">" | "＞" => Some(Op::Gt),
            "<" | "＜" => Some(Op::Lt),
            "=" | "＝" => Some(Op::Eq),
            _ => None,
        };
        prop_assert_eq!(v.op, want_op, "{}", text);
        let want_unit = (!unit.is_empty()).then(|| unit.to_string());
        prop_assert_eq!(v.unit, want_unit, "{}", text);
    }

    #[test]
    fn parse_numbered_never_panics(text in any::<String>()) {
        let _ = parse_numbered(&text);
    }
}

// ---- model → xlsx → model -------------------------------------------------------------

/// 一级 → its standard 二级 classes.
const CLASSES: &[(&str, &[&str])] = &[
    (
        "产出指标",
        &["数量指标", "质量指标", "时效指标", "成本指标"],
    ),
    (
        "效益指标",
        &[
            "经济效益指标",
            "社会效益指标",
            "生态效益指标",
            "可持续影响指标",
        ],
    ),
    ("满意度指标", &["服务对象满意度指标"]),
];

fn money() -> impl Strategy<Value = Money> {
    (0i64..10_000_000).prop_map(|cents| Money(Decimal::new(cents, 2)))
}

fn amounts() -> impl Strategy<Value = Amounts> {
    (money(), money()).prop_map(|(fiscal, other)| Amounts {
        total: Some(Money(fiscal.0 + other.0)),
        fiscal: Some(fiscal),
        other: Some(other),
        ..Amounts::default()
    })
}

fn indicator() -> impl Strategy<Value = Indicator> {
    let class = (0..CLASSES.len(), 0usize..4).prop_map(|(i, j)| {
        let (l1, l2s) = CLASSES[i];
        (l1, l2s[j % l2s.len()])
    });
    let unit = prop::sample::select(vec!["次", "户", "条", "人", "天", "个"]);
    let op = prop::sample::select(vec!["≥", "≤", "="]);
    (class, cjk(3, 12), op, 1u32..10_000, unit).prop_map(|((l1, l2), name, op, n, unit)| {
        Indicator {
            level1: Some(l1.to_string()),
            level2: Some(l2.to_string()),
            name,
            values: Values {
                mid_term: Some(parse_value(&format!("{op}{}{unit}", n * 3))),
                annual: Some(parse_value(&format!("{op}{n}{unit}"))),
                half_year: None,
            },
            ..Indicator::default()
        }
    })
}

fn project_parts()
-> impl Strategy<Value = (String, Amounts, Amounts, String, String, Vec<Indicator>)> {
    (
        cjk(4, 16),
        amounts(),
        amounts(),
        cjk(10, 80),
        cjk(10, 80),
        prop::collection::vec(indicator(), 1..8),
    )
}

/// A random luan document built on the fixture's first project (so every field the
/// form has is filled the way a real table fills it).
fn document() -> impl Strategy<Value = Document> {
    let base = load(&fixture("luan_2023.xlsx"));
    (prop::collection::vec(project_parts(), 1..4), 2020i32..2030).prop_map(move |(parts, year)| {
        let mut doc = base.clone();
        doc.fiscal_year = Some(year);
        doc.title = None;
        let template = doc.projects[0].clone();
        doc.projects = parts
            .into_iter()
            .enumerate()
            .map(
                |(i, (name, mid, annual, goal_mid, goal_annual, mut indicators))| {
                    let mut p = template.clone();
                    // Sheet names must differ: number the projects.
                    p.name = format!("{name}{}", "甲乙丙丁".chars().nth(i).unwrap());
                    p.funding.mid_term = Some(mid);
                    p.funding.annual = Some(annual);
                    p.goals.mid_term = Some(Goal {
                        period: Some(format!("{year}年—{}年", year + 2)),
                        text: goal_mid,
                    });
                    p.goals.annual = Some(Goal {
                        period: None,
                        text: goal_annual,
                    });
                    // The form groups indicators by class, in the order of the classes.
                    indicators.sort_by_key(|ind| {
                        CLASSES
                            .iter()
                            .position(|(l1, _)| Some(*l1) == ind.level1.as_deref())
                    });
                    p.indicators = indicators;
                    p
                },
            )
            .collect();
        doc
    })
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn random_luan_documents_round_trip_through_xlsx(doc in document()) {
        let template = Template::builtin("luan").unwrap();
        let options = WriteOptions {
            format: Format::Xlsx,
            template: Some(template.clone()),
            embed: false,
            csv_encoding: CsvEncoding::Utf8Bom,
        };
        let rendered = convert::render_outputs(&doc, &options).unwrap();
        let dir = scratch(&format!("prop-luan-{}", rand_suffix()));
        let path = dir.join("luan.xlsx");
        convert::save(&path, &rendered.outputs).unwrap();
        let read = ReadOptions { ignore_embedded: true, ..ReadOptions::default() };
        let back = convert::load(&path, &read).unwrap().document;
        let _ = std::fs::remove_dir_all(&dir);
        prop_assert_eq!(back.kind, Kind::Project);
        prop_assert_eq!(&back.source.layout, "luan");
        let (_, carried, _) = jixiao::loss::prepare(&doc, &template);
        let (got, want) = (comparable(&back), comparable(&carried));
        if got != want {
            assert_same(&got, &want, "random luan document");
        }
    }
}
