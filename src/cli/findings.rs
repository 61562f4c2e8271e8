//! What `check` and `compile` share: reading and checking one playbook, and rendering findings.
//!
//! Kept in one place so that a finding looks the same whichever command reports it.

use std::path::Path;

use super::{files, stdin, CliError, Format};
use crate::check::{self, Compiled};
use crate::diagnostics::render::{self, Sources};
use crate::diagnostics::Diagnostic;
use crate::span::FileId;

/// Reads a playbook (standard input for `-`, shown as `name` says), registers its text in
/// `sources` (diagnostics point into it) and checks it.
pub fn check_file(
    path: &Path,
    name: &stdin::Name,
    sources: &mut Sources,
) -> Result<Compiled, CliError> {
    let shown = stdin::shown(path, name);
    // A playbook a test file named earlier was read already: its text and file id are reused,
    // so its tests from both files count towards one playbook.
    let known = (!stdin::is_stdin(path))
        .then(|| {
            sources
                .iter()
                .find(|(_, f)| f.path == shown)
                .map(|(id, _)| id)
        })
        .flatten();
    let id = match known {
        Some(id) => id,
        None => sources.add(shown, stdin::read(path)?),
    };
    if path
        .extension()
        .is_some_and(|e| e == check::TEST_FILE_EXTENSION)
    {
        return Ok(check_test_file(path, id, sources));
    }
    let text = sources.get(id).map_or("", |f| f.text.as_str());
    Ok(check::compile(id, text))
}

/// Checks a test file (already in `sources` as `id`) against the playbook it names, read
/// relative to it, or reused when already read under the same path.
fn check_test_file(path: &Path, id: FileId, sources: &mut Sources) -> Compiled {
    let text = sources.get(id).map_or("", |f| f.text.as_str()).to_string();
    let playbook = check::tested_playbook(id, &text).map(|(named, _)| {
        let full = lexically_normal(&path.parent().unwrap_or(Path::new("")).join(named));
        let shown = files::display_path(&full);
        let known = sources
            .iter()
            .find(|(_, f)| f.path == shown)
            .map(|(id, _)| id);
        match known {
            Some(known) => Ok(known),
            None => files::read_source(&full)
                .map(|text| sources.add(shown, text))
                .map_err(|e| e.message().to_string()),
        }
    });
    let playbook = match playbook {
        Some(Ok(pid)) => Ok((pid, sources.get(pid).map_or("", |f| f.text.as_str()))),
        Some(Err(why)) => Err(why),
        None => Err(String::new()),
    };
    check::compile_tests((id, &text), playbook)
}

/// `path` with `a/../` pairs and `./` removed, so a playbook named from a test file is shown
/// (and recognised) under the path a directory walk gives it.
fn lexically_normal(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
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
