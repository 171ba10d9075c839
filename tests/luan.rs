//! The national standard form (luan / national): every published fact is recovered from
//! every format, and survives writing and reading back.

mod common;

use common::*;
use jixiao::convert::{self, Format, WriteOptions};
use jixiao::template::Template;
use jixiao::write::csv::CsvEncoding;

#[test]
fn luan_xlsx_has_every_fact() {
    let doc = load(&fixture("luan_2023.xlsx"));
    assert_eq!(doc.source.layout, "luan");
    assert_facts("luan_2023.facts.json", &doc, &[]);
}

#[test]
fn luan_stacked_csv_has_every_fact() {
    let doc = load(&fixture("luan_2023_stacked.csv"));
    assert_facts("luan_2023.facts.json", &doc, &[]);
}

#[test]
fn luan_per_sheet_csvs_together_have_every_fact() {
    let paths = [
        fixture("luan_2023__公积金中心市本级及管理部管理费.csv"),
        fixture("luan_2023__公积金中心运转维护经费.csv"),
    ];
    let doc = convert::load_many(&paths, &Default::default())
        .unwrap()
        .document;
    assert_facts("luan_2023.facts.json", &doc, &[]);
}

#[test]
fn amounts_keep_their_published_scale() {
    let doc = load(&fixture("luan_2023.xlsx"));
    let annual = doc.projects[0].funding.annual.as_ref().unwrap();
    assert_eq!(annual.total.unwrap().to_string(), "77.03");
    assert_eq!(annual.other.unwrap().to_string(), "0.00");
    let json = convert::to_json(&doc);
    assert!(
        json.contains("\"other\": \"0.00\""),
        "money is a string with its scale"
    );
}

#[test]
fn both_periods_become_one_indicator_list() {
    let doc = load(&fixture("luan_2023.xlsx"));
    let p2 = &doc.projects[1];
    assert_eq!(p2.indicators.len(), 17);
    // The annual side lists 满意度 rows in another order: values still pair by name.
    let ind = p2
        .indicators
        .iter()
        .find(|i| i.name == "住房公积金业务办理满意")
        .unwrap();
    assert!(ind.values.mid_term.is_some() && ind.values.annual.is_some());
    let v = p2
        .indicators
        .iter()
        .find(|i| i.name == "业务大厅自助服务区改造费用")
        .unwrap();
    assert_eq!(v.level2.as_deref(), Some("成本指标"));
}

#[test]
fn latex_artifacts_are_normalized_with_a_warning() {
    // Build a CSV variant of project 2 with the OCR's LaTeX left in.
    let text = std::fs::read_to_string(fixture("luan_2023__公积金中心运转维护经费.csv")).unwrap();
    let dirty = text.replacen("≥85%", "$\\geq 85\\%$", 1);
    assert_ne!(text, dirty);
    let dir = scratch("latex");
    let path = dir.join("dirty.csv");
    std::fs::write(&path, dirty).unwrap();
    let loaded = convert::load(&path, &Default::default()).unwrap();
    let values: Vec<&str> = loaded.document.projects[0]
        .indicators
        .iter()
        .filter_map(|i| i.values.mid_term.as_ref().map(|v| v.text.as_str()))
        .collect();
    assert!(values.contains(&"≥85%"));
    assert!(!values.iter().any(|v| v.contains('$')));
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.message.contains("normalized") && w.cell.is_some()),
        "{:?}",
        loaded.warnings
    );
}

fn write_xlsx(doc: &jixiao::Document, to: &str, embed: bool) -> Vec<u8> {
    let options = WriteOptions {
        format: Format::Xlsx,
        template: Some(Template::builtin(to).unwrap()),
        embed,
        csv_encoding: CsvEncoding::Utf8Bom,
    };
    let rendered = convert::render_outputs(doc, &options).unwrap();
    rendered.outputs.into_iter().next().unwrap().bytes
}

#[test]
fn luan_to_national_reads_back_identical() {
    let doc = load(&fixture("luan_2023.xlsx"));
    let dir = scratch("national-embed");
    let path = dir.join("national.xlsx");
    std::fs::write(&path, write_xlsx(&doc, "national", true)).unwrap();
    let back = load(&path);
    assert_eq!(without_source(&back), without_source(&doc));
    assert_eq!(back.source.layout, "national", "detected by its title");
}

#[test]
fn luan_to_national_without_embedding_keeps_every_form_field() {
    let doc = load(&fixture("luan_2023.xlsx"));
    let dir = scratch("national-no-embed");
    let path = dir.join("national.xlsx");
    std::fs::write(&path, write_xlsx(&doc, "national", false)).unwrap();
    let back = load(&path);
    let mut expected = without_source(&doc);
    // The national title differs from 表十四; everything else is on the form.
    expected.title = back.title.clone();
    assert_eq!(without_source(&back), expected);
    assert_facts("luan_2023.facts.json", &back, &[]);
}

#[test]
fn luan_round_trip_in_its_own_layout_reproduces_the_title() {
    let doc = load(&fixture("luan_2023.xlsx"));
    let dir = scratch("luan-luan");
    let path = dir.join("luan.xlsx");
    std::fs::write(&path, write_xlsx(&doc, "luan", false)).unwrap();
    let back = load(&path);
    assert_eq!(without_source(&back), without_source(&doc));
}

#[test]
fn writing_twice_gives_identical_bytes() {
    let doc = load(&fixture("luan_2023.xlsx"));
    assert_eq!(
        write_xlsx(&doc, "national", true),
        write_xlsx(&doc, "national", true)
    );
}

#[test]
fn csv_output_reads_back() {
    let doc = load(&fixture("luan_2023.xlsx"));
    let dir = scratch("csv-out");
    for (encoding, name) in [
        (CsvEncoding::Utf8Bom, "out.csv"),
        (CsvEncoding::Gbk, "out.gbk.csv"),
    ] {
        let options = WriteOptions {
            format: Format::Csv,
            template: Some(Template::builtin("national").unwrap()),
            embed: false,
            csv_encoding: encoding,
        };
        let outputs = convert::render_outputs(&doc, &options).unwrap().outputs;
        let paths = convert::save(&dir.join(name), &outputs).unwrap();
        assert_eq!(paths.len(), 2, "one file per sheet");
        let back = convert::load_many(&paths, &Default::default())
            .unwrap()
            .document;
        assert_facts("luan_2023.facts.json", &back, &[]);
    }
}
