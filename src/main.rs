//! The `handoff` binary: argument parsing and everything else live in the library.

/// mimalloc: the simulator allocates and frees small per-lead buffers at a high rate.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    handoff::cli::main()
}
