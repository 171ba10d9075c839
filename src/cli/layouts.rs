//! `jixiao layouts`: the built-in layouts and what each carries.

use jixiao::error::Result;
use jixiao::template::Template;

/// List the built-in layouts and what each carries.
///
/// Examples:
///   jixiao layouts
///   jixiao layouts --vocabulary     every field a template can name (markdown table)
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Print the template vocabulary instead: every field path, its kind and the
    /// blocks that accept it (the table in templates/README.md).
    #[arg(long)]
    vocabulary: bool,
}

pub fn run(args: Args) -> Result<i32> {
    if args.vocabulary {
        return super::print_stdout(&jixiao::template::vocabulary::markdown());
    }
    let mut out = String::new();
    for t in Template::builtins() {
        let kind = t.kind.as_str();
        out.push_str(&format!(
            "{:<10} {:<10} {}（{}）\n",
            t.id, kind, t.name, t.region
        ));
        let fields: Vec<String> = t.fields().iter().map(|f| f.path()).collect();
        out.push_str(&format!("           fields: {}\n", fields.join(", ")));
        if let Some(ind) = &t.indicators {
            let cols: Vec<String> = ind
                .columns
                .iter()
                .map(|c| {
                    let field = jixiao::template::Named::name(c.field);
                    match c.value_period() {
                        Some(p) => format!("{field}[{}]", p.key()),
                        None => field.to_string(),
                    }
                })
                .collect();
            out.push_str(&format!("           indicators: {}\n", cols.join(", ")));
        }
    }
    super::print_stdout(&out)
}
