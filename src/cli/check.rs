//! `jixiao check`: validate tables and point at the cells a reviewer would circle.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;

use jixiao::check::{self, Counts, Finding, RULES, Severity};
use jixiao::convert::{self, ReadOptions};
use jixiao::error::Result;
use jixiao::template;

/// Check tables: sums, 资金支出计划, dates, indicator values and classes.
///
/// Exit code 0 when no errors are found (warnings and notes allowed), 1 when errors are
/// found (or warnings, with --deny warnings), 2 when a file could not be read (the other
/// files are still checked).
///
/// Examples:
///   jixiao check yancheng_2022.xlsx
///   jixiao check *.xlsx --format json
///   jixiao check table.xlsx --deny warnings
///   jixiao check --list-rules
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The files to check: .xlsx, .xls, .csv, .tsv or canonical .json.
    #[arg(required_unless_present = "list_rules")]
    inputs: Vec<PathBuf>,
    /// Output: grouped text for people, or a JSON array of findings.
    #[arg(long, value_enum, default_value = "human")]
    format: OutputFormat,
    /// Treat warnings as errors for the exit code.
    #[arg(long, value_enum)]
    deny: Option<Deny>,
    /// List every rule (code, severity, what it checks, an example) and exit.
    #[arg(long)]
    list_rules: bool,
    /// The layout of the inputs (a built-in id or a template file); detected when omitted.
    #[arg(long)]
    from: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    Warnings,
}

pub fn run(args: Args) -> Result<i32> {
    let colour = std::io::stdout().is_terminal();
    if args.list_rules {
        let text = match args.format {
            OutputFormat::Json => {
                serde_json::to_string_pretty(RULES).expect("rules serialize") + "\n"
            }
            OutputFormat::Human => list_rules(colour),
        };
        return super::print_stdout(&text);
    }
    let read = ReadOptions {
        from: args.from.as_deref().map(template::resolve).transpose()?,
        ..ReadOptions::default()
    };
    let mut unreadable = 0usize;
    let mut checked: Vec<(String, Vec<Finding>)> = Vec::new();
    for input in &args.inputs {
        let name = input.display().to_string();
        match convert::load(input, &read) {
            Ok(loaded) => {
                super::print_warnings(&name, &loaded.warnings, 5);
                let mut findings = check::check(&loaded.document);
                for f in &mut findings {
                    if f.file.is_empty() {
                        f.file = name.clone();
                    }
                }
                checked.push((name, findings));
            }
            Err(e) => {
                eprintln!("jixiao: error: {}", super::error_text(&e));
                unreadable += 1;
            }
        }
    }
    let mut counts = Counts::default();
    for (_, findings) in &checked {
        counts.merge(Counts::of(findings));
    }
    let text = match args.format {
        OutputFormat::Json => {
            let all: Vec<&Finding> = checked.iter().flat_map(|(_, f)| f).collect();
            serde_json::to_string_pretty(&all).expect("findings serialize") + "\n"
        }
        OutputFormat::Human => human(&checked, counts, unreadable, colour),
    };
    super::print_stdout(&text)?;
    let failed = counts.errors > 0 || (args.deny == Some(Deny::Warnings) && counts.warnings > 0);
    Ok(if unreadable > 0 {
        2
    } else if failed {
        1
    } else {
        0
    })
}

fn paint(colour: bool, code: &str, text: &str) -> String {
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn severity_tag(severity: Severity, colour: bool) -> String {
    let code = match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Note => "36",
    };
    // Pad before painting so that escape codes do not upset the alignment.
    paint(colour, code, &format!("{:<7}", severity.as_str()))
}

/// Findings grouped by file, then by project, then the summary line.
fn human(
    checked: &[(String, Vec<Finding>)],
    counts: Counts,
    unreadable: usize,
    colour: bool,
) -> String {
    let mut out = String::new();
    for (file, findings) in checked {
        let c = Counts::of(findings);
        let _ = writeln!(out, "{}  ({c})", paint(colour, "1", file));
        let mut current: Option<Option<&str>> = None;
        for f in findings {
            let project = f.project.as_deref();
            if current != Some(project) {
                let heading = project.unwrap_or("（整表）");
                let _ = writeln!(out, "  {}", paint(colour, "1", heading));
                current = Some(project);
            }
            let _ = writeln!(
                out,
                "    {} {} {}  {}",
                severity_tag(f.severity, colour),
                paint(colour, "1", f.code),
                f.cell.as_deref().unwrap_or("-"),
                f.message
            );
        }
    }
    let _ = write!(
        out,
        "{} error(s), {} warning(s), {} note(s) in {} file(s)",
        counts.errors,
        counts.warnings,
        counts.notes,
        checked.len()
    );
    if unreadable > 0 {
        let _ = write!(out, "; {unreadable} file(s) could not be read");
    }
    out.push('\n');
    out
}

fn list_rules(colour: bool) -> String {
    let mut out = String::new();
    for r in RULES {
        let _ = writeln!(
            out,
            "{} {} {}\n      例：{}",
            paint(colour, "1", r.code),
            severity_tag(r.severity, colour),
            r.title,
            r.example
        );
    }
    out
}

/// The checks `convert` runs on its input: one summary line on stderr, and with
/// `--check` the errors themselves. Returns false when `deny_errors` is set and there
/// are errors (then nothing may be written).
pub(super) fn convert_summary(
    doc: &jixiao::model::Document,
    input: &str,
    deny_errors: bool,
) -> bool {
    let findings = check::check(doc);
    let counts = Counts::of(&findings);
    eprintln!("check: {counts} (jixiao check {input} for details)");
    if deny_errors && counts.errors > 0 {
        for f in findings.iter().filter(|f| f.severity == Severity::Error) {
            eprintln!(
                "error: {} {}: {}",
                f.code,
                f.cell.as_deref().unwrap_or("-"),
                f.message
            );
        }
        eprintln!(
            "jixiao: --check: the input has {} error(s); nothing written",
            counts.errors
        );
        return false;
    }
    true
}
