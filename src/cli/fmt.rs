//! `handoff fmt [PATH...]`: rewrite playbooks in the canonical layout (`docs/formatting.md`).

use std::io::Read;
use std::path::PathBuf;

use super::config::{self, Project};
use super::stdin::Name as StdinName;
use super::{files, finish, report_error, CliError, ColorChoice, Exit};
use crate::diagnostics::render::{self, Sources};
use crate::fmt::{format_source, FormatError};

/// Format playbooks in place, or check that they are formatted.
///
/// Directories are searched recursively for `*.playbook` files; `-` reads standard input and
/// writes the result to standard output. A file with syntax errors is left untouched and its
/// errors are printed. Exits with 1 when `--check` or `--diff` finds files to reformat or a file
/// has syntax errors, and with 2 when it could not run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Playbook files or directories (default: the `include` paths of `handoff.toml`, else the
    /// current directory), or `-` for standard input
    #[arg(value_name = "PATH", value_hint = clap::ValueHint::AnyPath)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub stdin: StdinName,
    /// Change nothing; list the files that would be reformatted
    #[arg(long, conflicts_with = "diff")]
    pub check: bool,
    /// Change nothing; print a unified diff of what would change
    #[arg(long)]
    pub diff: bool,
    // `--config FILE` and `--no-config`: `include` and `exclude` choose the files.
    #[command(flatten)]
    pub config: config::Args,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Reformatted { before: String, after: String },
    Broken,
}

/// Runs the formatter over every named file; problems with one file do not stop the others.
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    if args.paths.len() == 1 && args.paths.first().is_some_and(|p| p.as_os_str() == "-") {
        return stdin(args, color);
    }
    let project = match Project::load(&args.config, &args.paths) {
        Ok(project) => project,
        Err(errors) => {
            errors.iter().for_each(report_error);
            return Exit::Failure;
        }
    };
    let paths = project.paths(&args.paths);
    let files = match files::collect_playbooks_excluding(&paths, &project.exclusions()) {
        Ok(f) => f,
        Err(e) => {
            report_error(&e);
            return Exit::Failure;
        }
    };
    let mut out = String::new();
    let mut exit = Exit::Ok;
    let mut changed = 0usize;
    for path in &files {
        let shown = files::display_path(path);
        let outcome = files::read_source(path).and_then(|text| format_one(&shown, &text, color));
        match outcome {
            Err(e) => {
                report_error(&e);
                exit = Exit::Failure;
            }
            Ok(Outcome::Unchanged) => {}
            Ok(Outcome::Broken) => {
                if exit == Exit::Ok {
                    exit = Exit::Findings;
                }
            }
            Ok(Outcome::Reformatted { before, after }) => {
                changed += 1;
                if args.diff {
                    out.push_str(&unified_diff(&shown, &before, &after));
                } else if args.check {
                    out.push_str(&format!("would reformat {shown}\n"));
                } else if let Err(e) = files::write_atomically(path, after.as_bytes()) {
                    report_error(&e);
                    exit = Exit::Failure;
                    continue;
                } else {
                    out.push_str(&format!("reformatted {shown}\n"));
                }
                if (args.check || args.diff) && exit == Exit::Ok {
                    exit = Exit::Findings;
                }
            }
        }
    }
    let verb = if args.check || args.diff {
        "would be reformatted"
    } else {
        "reformatted"
    };
    eprintln!(
        "{changed} of {} file{} {verb}",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    );
    finish(out.as_bytes(), exit)
}

/// Formats one source, printing its syntax errors when it cannot be formatted.
fn format_one(shown: &str, text: &str, color: ColorChoice) -> Result<Outcome, CliError> {
    let mut sources = Sources::new();
    let id = sources.add(shown, text);
    match format_source(id, text) {
        Ok(after) if after == text => Ok(Outcome::Unchanged),
        Ok(after) => Ok(Outcome::Reformatted {
            before: text.to_string(),
            after,
        }),
        Err(FormatError::Syntax(diags)) => {
            eprint!("{}", render::human(&diags, &sources, color.for_stderr()));
            Ok(Outcome::Broken)
        }
        Err(FormatError::Unsound { reason }) => Err(CliError::new(format!(
            "formatter bug on `{shown}`, file left unchanged: {reason}"
        ))),
    }
}

fn stdin(args: &Args, color: ColorChoice) -> Exit {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        report_error(&CliError::new(format!(
            "cannot read standard input: {}",
            files::describe_io(&e)
        )));
        return Exit::Failure;
    }
    let shown = args.stdin.shown();
    match format_one(shown, &text, color) {
        Err(e) => {
            report_error(&e);
            Exit::Failure
        }
        Ok(Outcome::Broken) => Exit::Findings,
        Ok(Outcome::Unchanged) if args.check || args.diff => Exit::Ok,
        Ok(Outcome::Unchanged) => finish(text.as_bytes(), Exit::Ok),
        Ok(Outcome::Reformatted { before, after }) => {
            if args.diff {
                finish(
                    unified_diff(shown, &before, &after).as_bytes(),
                    Exit::Findings,
                )
            } else if args.check {
                finish(
                    format!("would reformat {shown}\n").as_bytes(),
                    Exit::Findings,
                )
            } else {
                finish(after.as_bytes(), Exit::Ok)
            }
        }
    }
}

/// A unified diff computed in-process, with `a/` and `b/` headers as git prints them.
fn unified_diff(shown: &str, before: &str, after: &str) -> String {
    let sep = if shown.starts_with('/') { "" } else { "/" };
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a{sep}{shown}"), &format!("b{sep}{shown}"))
        .to_string()
}
