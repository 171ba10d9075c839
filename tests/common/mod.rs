//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use jixiao::Document;
use jixiao::convert::{self, ReadOptions};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh scratch directory for one test.
pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jixiao-test-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn load(path: &Path) -> Document {
    convert::load(path, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .document
}

pub fn load_form_only(path: &Path) -> Document {
    let options = ReadOptions {
        ignore_embedded: true,
        ..ReadOptions::default()
    };
    convert::load(path, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .document
}

/// Runs the shared fact checker on a document; panics with its report unless every fact matches.
pub fn assert_facts(facts: &str, doc: &Document, flags: &[&str]) {
    let dir = scratch(&format!(
        "facts-{}-{}",
        facts.replace('.', "-"),
        rand_suffix()
    ));
    let json = dir.join("doc.json");
    std::fs::write(&json, convert::to_json(doc)).unwrap();
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/factcheck.py");
    let out = Command::new("python3")
        .arg(checker)
        .arg(fixture(facts))
        .arg(&json)
        .args(flags)
        .output()
        .expect("python3 runs the fact checker");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "facts from {facts} not all recovered:\n{report}"
    );
    assert!(report.contains("100.0%"), "{report}");
}

/// Unique within the test process, so parallel tests never share a scratch folder.
pub fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The document with `source` cleared, for comparing what was read, not where.
pub fn without_source(doc: &Document) -> Document {
    let mut d = doc.clone();
    d.source = Default::default();
    d
}

/// Runs the built binary.
pub fn jixiao(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Asserts two documents are equal, showing the first differing lines of their JSON.
pub fn assert_same(got: &Document, expected: &Document, context: &str) {
    if got == expected {
        return;
    }
    let a = serde_json::to_string_pretty(got).unwrap();
    let b = serde_json::to_string_pretty(expected).unwrap();
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(4);
    panic!(
        "{context}: documents differ at JSON line {at}\n--- got\n{}\n--- expected\n{}",
        a[from..(at + 4).min(a.len())].join("\n"),
        b[from..(at + 4).min(b.len())].join("\n")
    );
}
