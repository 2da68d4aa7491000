//! `akuttsim` command: parse, run, print the error chain, exit with the documented code.

fn main() {
    std::process::exit(akuttsim::cli::main(std::env::args_os().collect()));
}
