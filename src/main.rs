//! The `jixiao` command: a thin wrapper around the library's `cli` module.

fn main() {
    std::process::exit(jixiao::cli::main());
}
