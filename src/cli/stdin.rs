//! `-` for standard input wherever a playbook is read, with `--stdin-filename` naming it in
//! findings and reports, as formatters and linters do for editors and pipes.

use std::io::Read;
use std::path::Path;

use super::{files, CliError};

/// The name findings give standard input when `--stdin-filename` is not set.
const DEFAULT_NAME: &str = "<stdin>";

/// The `--stdin-filename` option of every command that reads playbooks.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Name {
    /// The name to show for standard input (`-`) in findings and reports, such as the playbook's
    /// path in the repository
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
}

impl Name {
    /// The name standard input is shown under.
    pub fn shown(&self) -> &str {
        self.stdin_filename.as_deref().unwrap_or(DEFAULT_NAME)
    }
}

/// Whether `path` is `-`, which stands for standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name a playbook path is shown under: the path, or the name given to standard input.
pub fn shown(path: &Path, name: &Name) -> String {
    if is_stdin(path) {
        name.shown().to_string()
    } else {
        files::display_path(path)
    }
}

/// Reads `path`, or standard input for `-`, as UTF-8 text.
pub fn read(path: &Path) -> Result<String, CliError> {
    if !is_stdin(path) {
        return files::read_source(path);
    }
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
        CliError::new(format!(
            "cannot read standard input: {}",
            files::describe_io(&e)
        ))
    })?;
    String::from_utf8(bytes).map_err(|e| {
        CliError::new(format!(
            "standard input is not valid UTF-8: invalid byte at byte offset {}",
            e.utf8_error().valid_up_to()
        ))
    })
}
