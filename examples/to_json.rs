//! Reads a performance target table in any known layout and prints a summary of the
//! canonical model: `cargo run --example to_json -- examples/luan_2023.xlsx`.

use std::path::PathBuf;

use jixiao::convert::{self, ReadOptions};

fn main() -> Result<(), jixiao::Error> {
    let path: PathBuf = std::env::args_os()
        .nth(1)
        .map_or_else(|| "examples/luan_2023.xlsx".into(), PathBuf::from);
    let loaded = convert::load(&path, &ReadOptions::default())?;
    let doc = &loaded.document;
    println!(
        "layout {} (fiscal year {:?})",
        doc.source.layout, doc.fiscal_year
    );
    for project in &doc.projects {
        let annual = project.funding.annual.as_ref().and_then(|a| a.total);
        println!(
            "  {}: {} indicators, annual budget {} {}",
            project.name,
            project.indicators.len(),
            annual.map_or("-".to_string(), |m| m.to_string()),
            doc.money_unit
        );
    }
    Ok(())
}
