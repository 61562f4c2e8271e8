//! `handoff check PATH...`: check playbooks and report every finding in the chosen format.

use std::path::PathBuf;

use super::config::{self, Project};
use super::{files, findings, finish, report_error, stdin, ColorChoice, Exit, Format};
use crate::diagnostics::render::Sources;
use crate::diagnostics::{Diagnostic, Severity};

/// Check playbooks and report every problem found.
///
/// Exits with 0 when clean, 1 when there are errors (or warnings with `--deny-warnings`) and 2
/// when the check could not run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Playbook and test files, directories searched recursively for `*.playbook` and `*.tests`
    /// files, or `-` for standard input (default: the `include` paths of `handoff.toml`, else the current
    /// directory)
    #[arg(value_name = "PATH", value_hint = clap::ValueHint::AnyPath)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub stdin: stdin::Name,
    /// Output format [default: human, or `[check] format` of `handoff.toml`]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Fail on warnings as well as errors, reporting them as errors in every format
    #[arg(long)]
    pub deny_warnings: bool,
    // `--config FILE` and `--no-config`.
    #[command(flatten)]
    pub config: config::Args,
}

/// Runs the check; files that cannot be read are reported and the others are still checked.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    let mut sources = Sources::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let (project, mut failures) = match Project::load(&args.config, &args.paths) {
        Ok(project) => (Some(project), Vec::new()),
        Err(errors) => (None, errors),
    };
    if let Some(project) = &project {
        let (from_stdin, named): (Vec<PathBuf>, Vec<PathBuf>) =
            args.paths.iter().cloned().partition(|p| stdin::is_stdin(p));
        // Standard input is read once however often `-` is named.
        let dash = from_stdin.into_iter().take(1);
        let listed = if named.is_empty() && dash.len() == 1 {
            Ok(dash.collect::<Vec<PathBuf>>())
        } else {
            files::collect_playbooks_excluding(&project.paths(&named), &project.exclusions())
                .map(|found| dash.chain(found).collect())
        };
        match listed {
            Ok(paths) => {
                for path in paths {
                    match findings::check_file(&path, &args.stdin, &mut sources) {
                        Ok(compiled) => diags.extend(compiled.diagnostics),
                        Err(e) => failures.push(e),
                    }
                }
            }
            Err(e) => failures.push(e),
        }
    }
    let project = project.unwrap_or_default();
    let mut diags = project.config().lints.apply(diags);
    let format = project.format(args.format);
    if args.deny_warnings || project.config().check.deny_warnings {
        diags = diags.into_iter().map(Diagnostic::deny).collect();
    }
    for failure in &failures {
        report_error(failure);
    }
    let messages: Vec<String> = failures.iter().map(|f| f.message().to_string()).collect();
    let output = findings::render(&diags, &sources, &messages, format, color.for_stdout());
    let exit = if !failures.is_empty() {
        Exit::Failure
    } else if diags.iter().any(|d| d.severity() == Severity::Error) {
        Exit::Findings
    } else {
        Exit::Ok
    };
    finish(output.as_bytes(), exit)
}
