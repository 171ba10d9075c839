//! Written workbooks open in an office suite: LibreOffice converts each layout's output
//! to PDF without complaint. Skipped (with a note) where LibreOffice is not installed,
//! except under `.ci/run`, which installs it and sets `JIXIAO_REQUIRE_SOFFICE`.

mod common;

use common::*;
use std::process::Command;

/// Fixtures whose drafted template (their own withheld) is checked here too.
const DRAFTED: [(&str, &[&str]); 7] = [
    ("luan_2023.xlsx", &["luan", "national"]),
    ("yancheng_2022.xlsx", &["yancheng"]),
    ("tangshan_2025.xlsx", &["tangshan"]),
    ("guangzhou.xlsx", &["guangzhou"]),
    ("linyi_2023.xlsx", &["linyi"]),
    ("regions/ningde_2019.xlsx", &["ningde"]),
    ("regions/ezhou_2022.xlsx", &["ezhou"]),
];

/// Converts a fixture to a layout (a built-in id or a template file).
fn convert(file: &std::path::Path, layout: &str, out: &std::path::Path) {
    let o = jixiao(&[
        "convert",
        file.to_str().unwrap(),
        "--to",
        layout,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn every_layout_opens_in_libreoffice() {
    if Command::new("soffice").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("JIXIAO_REQUIRE_SOFFICE").is_none(),
            "soffice is required here (JIXIAO_REQUIRE_SOFFICE is set) but not installed"
        );
        eprintln!("note: soffice not installed; skipping the LibreOffice check");
        return;
    }
    let dir = scratch("libreoffice");
    let cases = [
        ("luan_2023.xlsx", "national"),
        ("luan_2023.xlsx", "luan"),
        ("yancheng_2022.xlsx", "yancheng"),
        ("tangshan_2025.xlsx", "tangshan"),
        ("guangzhou.xlsx", "guangzhou"),
        ("linyi_2023.xlsx", "linyi"),
        ("regions/ningde_2019.xlsx", "ningde"),
        ("regions/ezhou_2022.xlsx", "ezhou"),
    ];
    let mut written = Vec::new();
    for (file, layout) in cases {
        let out = dir.join(format!("{layout}.xlsx"));
        convert(&fixture(file), layout, &out);
        written.push(out);
    }
    // Forms in templates drafted by `jixiao template draft` from each fixture, with its
    // own built-in template withheld.
    for (file, withheld) in DRAFTED {
        let name = withheld[0];
        let template = dir.join(format!("drafted-{name}.toml"));
        let mut args: Vec<String> = vec![
            "template".into(),
            "draft".into(),
            fixture(file).display().to_string(),
        ];
        for id in withheld {
            args.extend(["--without".to_string(), id.to_string()]);
        }
        args.extend(["-o".to_string(), template.display().to_string()]);
        let o = jixiao(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = dir.join(format!("drafted-{name}.xlsx"));
        convert(&fixture(file), template.to_str().unwrap(), &out);
        written.push(out);
    }
    // The reviewer's workbook of `jixiao collect`: one sheet per table.
    let collected = dir.join("collected.xlsx");
    let mut args: Vec<String> = vec!["collect".into()];
    for f in [
        "luan_2023.xlsx",
        "linyi_2023.xlsx",
        "regions/ezhou_2022.xlsx",
    ] {
        args.push(fixture(f).display().to_string());
    }
    args.extend(["-o".to_string(), collected.display().to_string()]);
    let o = jixiao(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    written.push(collected);
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    let o = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(&dir)
        .args(&written)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for xlsx in &written {
        let pdf = xlsx.with_extension("pdf");
        let bytes =
            std::fs::read(&pdf).unwrap_or_else(|_| panic!("{} was not converted", xlsx.display()));
        assert!(
            bytes.starts_with(b"%PDF") && bytes.len() > 5_000,
            "{}",
            pdf.display()
        );
    }
}
