//! `handoff lsp`: the language server, over standard input and output.

use super::{report_error, CliError, Exit};

/// Run the language server for editors, speaking LSP over standard input and output.
///
/// Editors start it themselves (docs/editors.md): it reports findings as the text changes and
/// answers hover, go to definition, references, rename, outline, formatting, completion and
/// semantic tokens. Exits with 0 after the client's `exit`, 2 when the connection fails.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; standard input and output are the only transport
    #[arg(long)]
    pub stdio: bool,
}

/// Serves one client until it says `exit`.
pub fn run(_args: &Args) -> Exit {
    match crate::lsp::server::run_stdio() {
        Ok(()) => Exit::Ok,
        Err(e) => {
            report_error(&CliError::new(e.0));
            Exit::Failure
        }
    }
}
