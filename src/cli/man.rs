//! `handoff man [--out DIR]`: manual pages generated from the clap definition, so they never
//! drift from `--help`.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

use super::{files, finish, report_error, Cli, CliError, Exit};

/// Print the manual page, or write one page per command into a directory.
///
/// Without `--out` prints `handoff.1` to standard output (`handoff man | man -l -`). With
/// `--out DIR` writes `handoff.1` and `handoff-SUBCOMMAND.1` for every subcommand into DIR,
/// created if missing, and lists the files written.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write every page into this directory
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub out: Option<PathBuf>,
}

/// Prints or writes the pages.
pub fn run(args: &Args) -> Exit {
    let result = pages().and_then(|pages| match &args.out {
        None => Ok(pages
            .into_iter()
            .find(|(name, _)| name == "handoff.1")
            .map(|(_, page)| page)
            .unwrap_or_default()),
        Some(dir) => write_all(dir, &pages),
    });
    match result {
        Ok(bytes) => finish(&bytes, Exit::Ok),
        Err(e) => {
            report_error(&e);
            Exit::Failure
        }
    }
}

/// Every page as `(file name, roff text)`: the main command's and each subcommand's.
fn pages() -> Result<Vec<(String, Vec<u8>)>, CliError> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    let mut pending = vec![cmd];
    while let Some(cmd) = pending.pop() {
        pending.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        let man = clap_mangen::Man::new(cmd);
        let mut page = Vec::new();
        man.render(&mut page).map_err(|e| {
            CliError::new(format!(
                "cannot render the manual page `{}`: {}",
                man.get_filename(),
                files::describe_io(&e)
            ))
        })?;
        pages.push((man.get_filename(), page));
    }
    pages.sort();
    Ok(pages)
}

/// Writes the pages into `dir` and returns the list of paths written, one a line.
fn write_all(dir: &Path, pages: &[(String, Vec<u8>)]) -> Result<Vec<u8>, CliError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::new(format!(
            "cannot create `{}`: {}",
            files::display_path(dir),
            files::describe_io(&e)
        ))
    })?;
    let mut listing = String::new();
    for (name, page) in pages {
        let path = dir.join(name);
        files::write_atomically(&path, page)?;
        listing.push_str(&format!("{}\n", files::display_path(&path)));
    }
    Ok(listing.into_bytes())
}
