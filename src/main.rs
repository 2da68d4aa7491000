//! `akuttsim` command: parse, run, print the error chain, exit code (0 ok, 1 bad input, 2 failure).

use clap::Parser;

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let cli = akuttsim::cli::Cli::parse();
    if let Err(f) = akuttsim::cli::run(cli, argv) {
        eprintln!("error: {:#}", f.error);
        std::process::exit(f.code);
    }
}
