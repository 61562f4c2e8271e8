//! `handoff scenarios PLAYBOOK`: the names of a playbook's scenarios, one a line, for people
//! choosing `--scenario` and for shell completion (`handoff completions bash`).

use std::path::PathBuf;

use super::{finish, sim_runner, stdin, ColorChoice, Exit};

/// List the scenarios a playbook declares, one name a line, in declaration order.
///
/// Exits with 1 when the playbook has errors and 2 when it cannot be read.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playbook, or `-` for standard input
    #[arg(value_name = "PLAYBOOK", value_hint = clap::ValueHint::FilePath)]
    pub playbook: PathBuf,
    #[command(flatten)]
    pub stdin: stdin::Name,
}

/// Prints the names.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    match sim_runner::load_file(&args.playbook, &args.stdin, color) {
        Ok(playbook) => {
            let names: String = (playbook.scenarios.iter())
                .map(|s| format!("{}\n", s.name))
                .collect();
            finish(names.as_bytes(), Exit::Ok)
        }
        Err(exit) => exit,
    }
}
