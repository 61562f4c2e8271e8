//! `handoff compile FILE --emit ir|dot|mermaid [-o OUT]`: the checked IR or a lifecycle diagram.

use std::path::PathBuf;

use super::{
    files, findings, finish, report_error, stdin, write_stderr, CliError, ColorChoice, Exit, Format,
};
use crate::diagnostics::render::Sources;
use crate::emit;

/// Compile a playbook to its checked IR or a diagram of its lead lifecycle.
///
/// Writes to standard output, or replaces `--output` atomically. Findings go to standard error.
/// Exits with 0 when compiled (warnings allowed), 1 when the playbook has errors and nothing is
/// written, and 2 when it could not run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playbook to compile, or `-` for standard input
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub file: PathBuf,
    #[command(flatten)]
    pub stdin: stdin::Name,
    /// What to produce
    #[arg(long, value_enum, default_value_t, value_name = "KIND")]
    pub emit: Emit,
    /// Write to this file instead of standard output; it is replaced only once complete
    #[arg(short, long, value_name = "OUT", value_hint = clap::ValueHint::FilePath)]
    pub output: Option<PathBuf>,
}

/// What `compile` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Emit {
    /// The checked IR as JSON: `format_version` and `playbook`
    #[default]
    Ir,
    /// The lead lifecycle as a Graphviz DOT digraph
    Dot,
    /// The lead lifecycle as a Mermaid flowchart
    Mermaid,
}

/// Runs the compilation; the output is written only when the playbook has no errors.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    let mut sources = Sources::new();
    let compiled = match findings::check_file(&args.file, &args.stdin, &mut sources) {
        Ok(compiled) => compiled,
        Err(e) => {
            report_error(&e);
            return Exit::Failure;
        }
    };
    if !compiled.diagnostics.is_empty() {
        write_stderr(&findings::render(
            &compiled.diagnostics,
            &sources,
            &[],
            Format::Human,
            color.for_stderr(),
        ));
    }
    let Some(playbook) = compiled.playbook else {
        return Exit::Findings;
    };
    let text = match args.emit {
        Emit::Ir => match emit::ir_json(&playbook) {
            Ok(text) => text,
            Err(e) => {
                report_error(&CliError::new(format!("cannot serialise the IR: {e}")));
                return Exit::Failure;
            }
        },
        Emit::Dot => emit::dot::render(&playbook),
        Emit::Mermaid => emit::mermaid::render(&playbook),
    };
    match &args.output {
        None => finish(text.as_bytes(), Exit::Ok),
        Some(path) => match files::write_atomically(path, text.as_bytes()) {
            Ok(()) => Exit::Ok,
            Err(e) => {
                report_error(&e);
                Exit::Failure
            }
        },
    }
}
