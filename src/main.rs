//! The `jixiao` command: the command line around the `jixiao` library.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
