//! `handoff check PATH...`: check playbooks and report every finding in the chosen format.

use std::path::PathBuf;

use super::{files, findings, finish, report_error, stdin, ColorChoice, Exit, Format};
use crate::diagnostics::render::Sources;
use crate::diagnostics::{Diagnostic, Severity};

/// Check playbooks and report every problem found.
///
/// Exits with 0 when clean, 1 when there are errors (or warnings with `--deny-warnings`) and 2
/// when the check could not run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Playbook files, directories searched recursively for `*.playbook` files, or `-` for
    /// standard input
    #[arg(required = true, value_name = "PATH", value_hint = clap::ValueHint::AnyPath)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub stdin: stdin::Name,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Fail on warnings as well as errors, reporting them as errors in every format
    #[arg(long)]
    pub deny_warnings: bool,
}

/// Runs the check; files that cannot be read are reported and the others are still checked.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    let mut sources = Sources::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut failures = Vec::new();
    let (from_stdin, named): (Vec<PathBuf>, Vec<PathBuf>) =
        args.paths.iter().cloned().partition(|p| stdin::is_stdin(p));
    // Standard input is read once however often `-` is named.
    let dash = from_stdin.into_iter().take(1);
    let listed = if named.is_empty() {
        Ok(dash.collect::<Vec<PathBuf>>())
    } else {
        files::collect_playbooks(&named).map(|found| dash.chain(found).collect())
    };
    match listed {
        Ok(paths) => {
            for path in paths {
                match findings::check_file(&path, &args.stdin, &mut sources) {
                    Ok(compiled) => diags.extend(compiled.diagnostics.into_iter().map(|d| {
                        if args.deny_warnings {
                            d.deny_warning()
                        } else {
                            d
                        }
                    })),
                    Err(e) => failures.push(e),
                }
            }
        }
        Err(e) => failures.push(e),
    }
    for failure in &failures {
        report_error(failure);
    }
    let messages: Vec<String> = failures.iter().map(|f| f.message().to_string()).collect();
    let output = findings::render(&diags, &sources, &messages, args.format, color.for_stdout());
    let exit = if !failures.is_empty() {
        Exit::Failure
    } else if diags.iter().any(|d| d.severity() == Severity::Error) {
        Exit::Findings
    } else {
        Exit::Ok
    };
    finish(output.as_bytes(), exit)
}
