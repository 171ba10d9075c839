//! `jixiao detect`: which layout each file is in.

use std::path::PathBuf;

use jixiao::convert::best_layout;
use jixiao::error::Result;
use jixiao::template::Template;
use jixiao::template::detect::detect;

/// Name the layout of each file, with a confidence and the runner-up.
///
/// Examples:
///   jixiao detect luan_2023.xlsx
///   jixiao detect *.xlsx *.csv
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

pub fn run(args: Args) -> Result<i32> {
    let templates = Template::builtins();
    let mut code = 0;
    let mut out = String::new();
    for input in &args.inputs {
        let book = match jixiao::read::read_path(input) {
            Ok(book) => book,
            Err(e) => {
                eprintln!("jixiao: error: {}", super::error_text(&e));
                code = e.exit_code().max(code);
                continue;
            }
        };
        let scores = detect(&book, &templates);
        let best = &scores[0];
        let runner = scores.get(1);
        let verdict = best_layout(&scores).map_or("unknown", |s| s.layout.as_str());
        out.push_str(&format!(
            "{}\t{}\t{:.0}%\t{} of {} labels",
            input.display(),
            verdict,
            best.confidence * 100.0,
            best.found,
            best.wanted
        ));
        if let Some(r) = runner {
            out.push_str(&format!(
                "\trunner-up {} {:.0}%",
                r.layout,
                r.confidence * 100.0
            ));
        }
        out.push('\n');
    }
    super::print_stdout(&out)?;
    Ok(code)
}
