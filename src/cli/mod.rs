//! The command line: one module per subcommand, all sharing `convert`'s pipeline.

mod batch;
mod check;
mod convert;
mod detect;
mod explain;
mod layouts;
mod serve;
mod template;

use std::io::Write;

use clap::{Parser, Subcommand};

use jixiao::error::Error;
use jixiao::warning::Warning;

#[derive(Debug, Parser)]
#[command(
    name = "jixiao",
    version,
    about = "Convert, check and regenerate Chinese budget performance target tables (绩效目标表)",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Convert(convert::Args),
    Batch(batch::Args),
    Check(check::Args),
    Detect(detect::Args),
    Explain(explain::Args),
    Layouts(layouts::Args),
    Serve(serve::Args),
    Template(template::Args),
    /// Print the JSON Schema of the canonical model.
    Schema,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    // A bad file must never show a Rust panic: catch it and say what happened.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("jixiao: internal error: {info}; please report this with the input file");
    }));
    let outcome = std::panic::catch_unwind(|| match cli.command {
        Command::Convert(args) => convert::run(args),
        Command::Batch(args) => batch::run(args),
        Command::Check(args) => check::run(args),
        Command::Detect(args) => detect::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Layouts(args) => layouts::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Template(args) => template::run(args),
        Command::Schema => print_stdout(
            &(serde_json::to_string_pretty(&jixiao::model::json_schema()).expect("schema") + "\n"),
        ),
    });
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("jixiao: error: {}", error_text(&e));
            e.exit_code()
        }
        Err(_) => 3,
    }
}

/// An error as the command line prints it: the library's message, and the flags that
/// would help where there are some.
fn error_text(e: &Error) -> String {
    match e {
        Error::NoLayout { .. } => format!("{e}; pass --from LAYOUT or --template FILE"),
        _ => e.to_string(),
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print_stdout(text: &str) -> Result<i32, Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Error::Write {
            path: "<stdout>".into(),
            reason: e.to_string(),
        }),
    }
}

/// Prints warnings to stderr, at most `limit` of them.
fn print_warnings(file: &str, warnings: &[Warning], limit: usize) {
    for w in warnings.iter().take(limit) {
        // The grid readers already name the file in their warnings.
        let text = w.to_string();
        let text = text
            .strip_prefix(file)
            .and_then(|t| t.strip_prefix(": "))
            .unwrap_or(&text);
        eprintln!("warning: {file}: {text}");
    }
    if warnings.len() > limit {
        eprintln!("warning: {file}: … and {} more", warnings.len() - limit);
    }
}
