//! The `jixiao` command: the command line around the `jixiao` library.

mod cli;

// A province's workbook is millions of small strings and cells made on one thread and
// freed on another; glibc's malloc spent 13 % of a 5,000-project conversion's CPU in
// malloc/free (perf), mimalloc a fraction of that (benches/convert, README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(cli::main());
}
