//! `jixiao template draft`: write a template for workbooks of an unknown form.

use std::path::PathBuf;

use jixiao::error::{Error, Result};

/// Work with layout templates.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Draft(DraftArgs),
}

/// Draft a template from workbooks of one unknown form; every guess carries a comment.
///
/// Examples:
///   jixiao template draft region.xlsx -o region.toml
///   jixiao template draft a.xlsx b.xlsx --without luan --without national -o region.toml
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DraftArgs {
    /// Workbooks of the same form.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// A built-in layout whose labels are not to be used (repeatable).
    #[arg(long, value_name = "LAYOUT")]
    without: Vec<String>,
    /// Where to write the template (stdout when not given).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<i32> {
    match args.command {
        Command::Draft(a) => draft(a),
    }
}

fn draft(args: DraftArgs) -> Result<i32> {
    let known = jixiao::template::builtin_ids();
    if let Some(bad) = args.without.iter().find(|w| !known.contains(&w.as_str())) {
        return Err(Error::UnknownLayout {
            name: bad.clone(),
            known: known.join(", "),
        });
    }
    let books = args
        .inputs
        .iter()
        .map(|p| jixiao::read::read_path(p))
        .collect::<Result<Vec<_>>>()?;
    let text = jixiao::draft::draft(&books, &args.without)?;
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| Error::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?,
        None => {
            super::print_stdout(&text)?;
        }
    }
    Ok(0)
}
