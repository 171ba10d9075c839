//! Written workbooks open in an office suite: LibreOffice converts each layout's output
//! to PDF without complaint. Skipped (with a note) where LibreOffice is not installed,
//! except under `.ci/run`, which installs it and sets `JIXIAO_REQUIRE_SOFFICE`.

mod common;

use common::*;
use std::process::Command;

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
    ];
    let mut written = Vec::new();
    for (file, layout) in cases {
        let out = dir.join(format!("{layout}.xlsx"));
        let o = jixiao(&[
            "convert",
            fixture(file).to_str().unwrap(),
            "--to",
            layout,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        written.push(out);
    }
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
