//! Province-scale workbooks, written by jixiao's own writer from the published fixtures
//! with their projects repeated (each copy renamed and renumbered).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use jixiao::Template;
use jixiao::convert::{Format, ReadOptions, WriteOptions, load, render_outputs};
use jixiao::model::Document;

/// One generated workbook and the conversion measured on it.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: &'static str,
    /// What it is, for the table's notes.
    pub what: &'static str,
    /// The fixture whose projects are repeated.
    pub fixture: &'static str,
    /// The layout it is written in: a built-in id or a bench template file.
    pub layout: &'static str,
    /// Projects, as a share of `--projects` (e.g. 1.0 = all, 0.2 = a fifth).
    pub share: f64,
    /// The layout it is converted to.
    pub to: &'static str,
}

/// The workbooks of a run.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "national-stacked",
        what: "national form, every project stacked on one sheet",
        fixture: "luan_2023.xlsx",
        layout: "national_stacked.toml",
        share: 1.0,
        to: "yancheng",
    },
    Spec {
        name: "luan-sheets",
        what: "luan 表十四, one sheet per project",
        fixture: "luan_2023.xlsx",
        layout: "luan",
        share: 1.0,
        to: "national",
    },
    Spec {
        name: "guangzhou-list",
        what: "guangzhou flat list, one row per project",
        fixture: "guangzhou.xlsx",
        layout: "guangzhou",
        share: 1.0,
        to: "tangshan",
    },
    Spec {
        name: "yancheng-sheets",
        what: "yancheng, one sheet per project (63 indicators each)",
        fixture: "yancheng_2022.xlsx",
        layout: "yancheng",
        share: 0.2,
        to: "luan",
    },
    Spec {
        name: "tangshan-stacked",
        what: "tangshan part 1 + every project stacked on one sheet",
        fixture: "tangshan_2025.xlsx",
        layout: "tangshan",
        share: 1.0,
        to: "guangzhou",
    },
];

impl Spec {
    pub fn projects(&self, base: usize) -> usize {
        ((base as f64 * self.share).round() as usize).max(1)
    }
}

/// What a generated workbook holds.
#[derive(Debug, Clone)]
pub struct Generated {
    pub path: PathBuf,
    pub projects: usize,
    pub file_bytes: u64,
    /// Uncompressed `xl/worksheets/*.xml` plus `xl/sharedStrings.xml`.
    pub xml_bytes: u64,
}

/// The template a spec is written in.
fn template(bench_dir: &Path, layout: &str) -> Template {
    if layout.ends_with(".toml") {
        Template::from_file(&bench_dir.join(layout)).expect("bench template loads")
    } else {
        Template::builtin(layout).expect("built-in layout")
    }
}

/// A document with the fixture's projects repeated to `n`.
pub fn scaled(doc: &Document, n: usize) -> Document {
    let mut out = doc.clone();
    out.source.cells.clear();
    // Stated subtotals would no longer add up: let the list writer sum them.
    out.total = None;
    out.units.clear();
    let base = &doc.projects;
    out.projects = (0..n)
        .map(|i| {
            let mut p = base[i % base.len()].clone();
            // A number first keeps sheet names (31 characters) unique.
            p.name = format!("{:05}{}", i + 1, p.name);
            if let Some(code) = &mut p.code {
                *code = format!("{code}-{:05}", i + 1);
            }
            p
        })
        .collect();
    out
}

/// Writes one spec's workbook into `dir`.
pub fn generate(spec: &Spec, base_projects: usize, root: &Path, dir: &Path) -> Generated {
    let bench_dir = root.join("benches").join("convert");
    let fixture = root.join("tests").join("fixtures").join(spec.fixture);
    let loaded = load(&fixture, &ReadOptions::default()).expect("fixture loads");
    let n = spec.projects(base_projects);
    let doc = scaled(&loaded.document, n);
    let options = WriteOptions {
        format: Format::Xlsx,
        template: Some(template(&bench_dir, spec.layout)),
        // An input as a clerk sends it: no hidden canonical copy.
        embed: false,
        csv_encoding: Default::default(),
    };
    let rendered = render_outputs(&doc, &options).expect("renders");
    let bytes = &rendered.outputs[0].bytes;
    let path = dir.join(format!("{}-{n}.xlsx", spec.name));
    std::fs::write(&path, bytes).expect("writes the workbook");
    Generated {
        path,
        projects: n,
        file_bytes: bytes.len() as u64,
        xml_bytes: sheet_xml_bytes(bytes),
    }
}

/// The uncompressed size of the sheet XML (worksheets and shared strings).
pub fn sheet_xml_bytes(xlsx: &[u8]) -> u64 {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(xlsx)) else {
        return 0;
    };
    let mut total = 0;
    for i in 0..zip.len() {
        if let Ok(entry) = zip.by_index_raw(i) {
            let name = entry.name().unwrap_or_default();
            if name.starts_with("xl/worksheets/") && name.ends_with(".xml")
                || name == "xl/sharedStrings.xml"
            {
                total += entry.size();
            }
        }
    }
    total
}
