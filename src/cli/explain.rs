//! `handoff explain CODE`: the long explanation behind a diagnostic code.

use super::{finish, report_error, CliError, Exit};
use crate::diagnostics::Code;

/// Explain a diagnostic code, or list them all.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The code to explain, such as `E0101`
    #[arg(required_unless_present = "list", conflicts_with = "list")]
    pub code: Option<String>,
    /// List every code with its severity and summary
    #[arg(long)]
    pub list: bool,
}

/// Prints the explanation, or the list, or says how to find a valid code.
pub fn run(args: &Args) -> Exit {
    if args.list {
        let listing: String = Code::ALL
            .iter()
            .map(|c| {
                format!(
                    "{:<6} {:<8} {}\n",
                    c.as_str(),
                    c.severity().as_str(),
                    c.summary()
                )
            })
            .collect();
        return finish(listing.as_bytes(), Exit::Ok);
    }
    let requested = args.code.as_deref().unwrap_or_default();
    match Code::parse(requested) {
        Some(code) => {
            let text = format!(
                "{} ({}): {}\n\n{}\n",
                code.as_str(),
                code.severity().as_str(),
                code.summary(),
                code.explain()
            );
            finish(text.as_bytes(), Exit::Ok)
        }
        None => {
            report_error(&CliError::new(format!(
                "unknown code `{requested}`; `handoff explain --list` shows every code"
            )));
            Exit::Failure
        }
    }
}
