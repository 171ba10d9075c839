//! `jixiao layouts`: the built-in layouts and what each carries.

use jixiao::error::Result;
use jixiao::template::Template;

/// List the built-in layouts and what each carries.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> Result<i32> {
    let mut out = String::new();
    for t in Template::builtins() {
        let kind = format!("{:?}", t.kind).to_lowercase();
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
                    let field = jixiao::template::names::Named::name(c.field);
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
