//! The `kmp-workbench` program: command-line front end over the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
