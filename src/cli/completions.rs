//! `handoff completions SHELL`: shell completion scripts generated from the clap definition, so
//! they never drift from the real arguments. In bash, `--scenario` also completes the scenario
//! names of the playbook on the line (`handoff scenarios`).

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

/// Completes `--scenario` with the scenarios of the first `*.playbook` file on the line, and
/// hands everything else to the generated `_handoff`.
const BASH_SCENARIOS: &str = r#"
_handoff_scenarios() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" word
    if [[ "$prev" == "--scenario" ]]; then
        for word in "${COMP_WORDS[@]}"; do
            if [[ "$word" == *.playbook && -f "$word" ]]; then
                COMPREPLY=( $(compgen -W "$(handoff scenarios "$word" 2>/dev/null)" -- "$cur") )
                return 0
            fi
        done
    fi
    _handoff "$@"
}
complete -F _handoff_scenarios -o bashdefault -o default handoff
"#;

/// Writes the script to standard output.
pub fn run(args: &Args) -> Exit {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "handoff", &mut script);
    if args.shell == Shell::Bash {
        script.extend_from_slice(BASH_SCENARIOS.as_bytes());
    }
    finish(&script, Exit::Ok)
}
