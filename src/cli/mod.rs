//! The command line: parse arguments, run one subcommand, turn its outcome into an exit code.
//!
//! This layer (with the live runner's store) is the only one that touches files, terminals and
//! environment variables; the stages it calls stay pure.
//! Each subcommand lives in its own module with an `Args` struct, whose doc comments become its
//! `--help`, and a `run` function returning an [`Exit`].

pub mod check;
pub mod compare;
pub mod compile;
pub mod completions;
pub mod config;
pub mod explain;
pub mod files;
pub mod findings;
pub mod fmt;
pub mod git;
pub mod lsp;
pub mod man;
pub mod merge;
mod numbers;
mod out_dir;
mod precision;
pub mod replay;
mod report_dir;
pub mod run;
pub mod scenarios;
pub mod serve;
pub mod sim_runner;
pub mod simulate;
pub mod status;
pub mod stdin;
pub mod sweep;
pub mod test;
pub mod version;

use std::io::{ErrorKind, IsTerminal, Write};
use std::process::{ExitCode, Termination};

use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes scripts and CI rely on; the values are part of the CLI contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Ran and found nothing to fail on.
    Ok = 0,
    /// Ran and found errors (or warnings under `--deny-warnings`), or checks failed.
    Findings = 1,
    /// Could not run: bad usage, unreadable input, failed output.
    Failure = 2,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        self.into()
    }
}

/// Why a command could not run; the message is shown as `error: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    message: String,
}

impl CliError {
    /// Wraps a message written in the house style: lowercase, no final period, input in backticks.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
        }
    }

    /// The message without the `error:` prefix, for machine formats that carry it as a field.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// When to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// Colour only on a terminal and when `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    /// Always colour, even into a pipe or with `NO_COLOR` set.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether text written to standard output should be coloured.
    pub fn for_stdout(self) -> bool {
        self.resolve(std::io::stdout().is_terminal())
    }

    /// Whether text written to standard error should be coloured (`compile` reports findings
    /// there, because its standard output is the compiled artefact).
    pub fn for_stderr(self) -> bool {
        self.resolve(std::io::stderr().is_terminal())
    }

    fn resolve(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Output formats for findings: one for people, three for machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Annotated source snippets and a summary line.
    #[default]
    Human,
    /// The documented JSON document (`docs/json-output.md`), also on failure.
    Json,
    /// SARIF 2.1.0 for code-scanning tools.
    Sarif,
    /// GitHub Actions annotations.
    Github,
}

/// Compile, check, simulate and run lead-handoff playbooks.
#[derive(Debug, Parser)]
#[command(
    name = "handoff",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// When to colour output
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands; their names are fixed by the CLI contract.
///
/// Variants carry no doc comments on purpose: clap would let them override the `--help` text
/// written on each module's `Args`.
#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::Args),
    Fmt(fmt::Args),
    Compile(compile::Args),
    Simulate(simulate::Args),
    Compare(compare::Args),
    Sweep(sweep::Args),
    Explain(explain::Args),
    Completions(completions::Args),
    Version(version::Args),
    Man(man::Args),
    Scenarios(scenarios::Args),
    Run(run::Args),
    Status(status::Args),
    Lead(status::LeadArgs),
    Test(test::Args),
    Replay(replay::Args),
    Merge(merge::Args),
    Lsp(lsp::Args),
    Serve(serve::Args),
}

/// Entry point of the binary: parses the process arguments and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // `--help` and `--version` arrive as errors that print to stdout.
            let exit = if err.use_stderr() {
                Exit::Failure
            } else {
                Exit::Ok
            };
            if err.print().is_err() {
                return Exit::Failure.into();
            }
            return exit.into();
        }
    };
    let exit = match &cli.command {
        Command::Check(args) => check::run(args, cli.color),
        Command::Fmt(args) => fmt::run(args, cli.color),
        Command::Compile(args) => compile::run(args, cli.color),
        Command::Simulate(args) => simulate::run(args, cli.color),
        Command::Compare(args) => compare::run(args, cli.color),
        Command::Sweep(args) => sweep::run(args, cli.color),
        Command::Explain(args) => explain::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Version(args) => version::run(args),
        Command::Man(args) => man::run(args),
        Command::Scenarios(args) => scenarios::run(args, cli.color),
        Command::Run(args) => run::run(args, cli.color),
        Command::Status(args) => status::run(args),
        Command::Lead(args) => status::run_lead(args),
        Command::Test(args) => test::run(args, cli.color),
        Command::Replay(args) => replay::run(args, cli.color),
        Command::Merge(args) => merge::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Serve(args) => serve::run(args, cli.color),
    };
    exit.into()
}

/// Writes to standard output; a reader that went away (`handoff check | head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(CliError::new(format!(
            "cannot write to standard output: {}",
            files::describe_io(&e)
        ))),
        _ => Ok(()),
    }
}

/// Reports a failure on standard error; nothing is left to do if that fails too.
fn report_error(error: &CliError) {
    let _ = writeln!(std::io::stderr().lock(), "error: {error}");
}

/// Writes findings to standard error when standard output carries a command's product; as with
/// [`report_error`], a failure here leaves nothing to report to.
fn write_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Writes the command's output and keeps its exit code, or reports why the output failed.
fn finish(bytes: &[u8], exit: Exit) -> Exit {
    match write_stdout(bytes) {
        Ok(()) => exit,
        Err(e) => {
            report_error(&e);
            Exit::Failure
        }
    }
}

/// Lays out rows of cells with columns padded to their widest cell: the tables of `simulate`,
/// `compare` and `sweep`.
pub(crate) fn columns(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows.iter().map(Vec::len).max().unwrap_or(0))
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_definition_is_valid() {
        Cli::command().debug_assert();
    }
}
