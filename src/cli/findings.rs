//! What `check` and `compile` share: reading and checking one playbook, and rendering findings.
//!
//! Kept in one place so that a finding looks the same whichever command reports it.

use std::path::Path;

use super::{stdin, CliError, Format};
use crate::check::{self, Compiled};
use crate::diagnostics::render::{self, Sources};
use crate::diagnostics::Diagnostic;

/// Reads a playbook (standard input for `-`, shown as `name` says), registers its text in
/// `sources` (diagnostics point into it) and checks it.
pub fn check_file(
    path: &Path,
    name: &stdin::Name,
    sources: &mut Sources,
) -> Result<Compiled, CliError> {
    let text = stdin::read(path)?;
    let id = sources.add(stdin::shown(path, name), text);
    let text = sources.get(id).map_or("", |f| f.text.as_str());
    Ok(check::compile(id, text))
}

/// Renders findings in `format`; `failures` are messages of files that could not be read,
/// carried inside the machine formats so they stay one well-formed document.
pub fn render(
    diags: &[Diagnostic],
    sources: &Sources,
    failures: &[String],
    format: Format,
    color: bool,
) -> String {
    match format {
        // With nothing read there is nothing to show, and "checked 0 files" would mislead.
        Format::Human if sources.is_empty() && !failures.is_empty() => String::new(),
        Format::Human => render::human(diags, sources, color),
        Format::Json => pretty(&render::json_with_failures(diags, sources, failures)),
        Format::Sarif => pretty(&render::sarif_with_failures(diags, sources, failures)),
        Format::Github => render::github_with_failures(diags, sources, failures),
    }
}

fn pretty(doc: &serde_json::Value) -> String {
    // Serialising a `Value` cannot fail: its map keys are always strings.
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}
