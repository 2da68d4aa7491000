//! `akuttsim` command: parse, run, print the error chain, exit with the documented code.

fn main() {
    // Output piped into a program that stops reading (`akuttsim region … | head`) ends the
    // process quietly, as a Unix command should, instead of a panic on the broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(akuttsim::cli::main(std::env::args_os().collect()));
}
