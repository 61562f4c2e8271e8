//! `handoff completions SHELL`: shell completion scripts generated from the clap definition, so
//! they never drift from the real arguments.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{finish, Cli, Exit};

/// Print a shell completion script.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to generate the script for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the script to standard output.
pub fn run(args: &Args) -> Exit {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "handoff", &mut script);
    finish(&script, Exit::Ok)
}
