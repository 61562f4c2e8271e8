//! The `handoff` binary: argument parsing and everything else live in the library.

fn main() -> std::process::ExitCode {
    handoff::cli::main()
}
