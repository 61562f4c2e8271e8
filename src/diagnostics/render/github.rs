//! GitHub Actions output: annotations within GitHub's per-step limits, then plain log lines.

use super::{cap_per_file, hidden_lines, primary_label, summary_line, Counts, Location, Sources};
use crate::diagnostics::{Diagnostic, Severity};

/// GitHub shows at most this many annotations of each kind per step and silently drops the rest.
const GITHUB_ANNOTATION_LIMIT: usize = 10;

/// Escapes a workflow command message (GitHub `escapeData`).
fn github_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property (GitHub `escapeProperty`).
fn github_escape_property(s: &str) -> String {
    github_escape_data(s)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// GitHub Actions workflow commands, so findings appear as annotations on the pull request.
///
/// GitHub keeps only the first ten annotations of each kind per step, so later findings are
/// printed as plain `PATH:L:C: severity[CODE]: message` lines that stay visible in the log,
/// at most [`MAX_SHOWN_PER_FILE`](super::MAX_SHOWN_PER_FILE) per file and then one line counting
/// the rest.
pub fn github(diags: &[Diagnostic], sources: &Sources) -> String {
    github_with_failures(diags, sources, &[])
}

/// Like [`github`], with each failure that stopped the run as a file-less `::error`.
pub fn github_with_failures(
    diags: &[Diagnostic],
    sources: &Sources,
    failures: &[String],
) -> String {
    let mut out = String::new();
    let mut emitted = Counts::default();
    let (shown, hidden) = cap_per_file(diags);
    for diag in shown {
        let severity = diag.severity();
        let slot = match severity {
            Severity::Error => &mut emitted.errors,
            Severity::Warning => &mut emitted.warnings,
            Severity::Note => &mut emitted.notes,
        };
        *slot += 1;
        let loc = primary_label(diag).and_then(|l| sources.locate(l.span));
        if *slot <= GITHUB_ANNOTATION_LIMIT {
            out.push_str(&github_annotation(diag, loc.as_ref()));
        } else {
            out.push_str(&plain_line(diag, loc.as_ref()));
        }
        out.push('\n');
    }
    for line in hidden_lines(&hidden, sources) {
        out.push_str(&line);
        out.push('\n');
    }
    for failure in failures {
        out.push_str("::error title=handoff::");
        out.push_str(&github_escape_data(failure));
        out.push('\n');
    }
    out.push_str(&summary_line(diags, sources.len()));
    out.push('\n');
    out
}

fn github_annotation(diag: &Diagnostic, loc: Option<&Location<'_>>) -> String {
    let command = match diag.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = Vec::new();
    if let Some(l) = loc {
        props.push(format!("file={}", github_escape_property(l.path)));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
        props.push(format!("endLine={}", l.end_line));
        // GitHub accepts an end column only on single-line annotations.
        if l.end_line == l.line {
            props.push(format!("endColumn={}", l.end_column));
        }
    }
    props.push(format!(
        "title={}",
        github_escape_property(diag.code.as_str())
    ));
    let mut message = diag.message.clone();
    for note in &diag.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    if let Some(help) = &diag.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} {}::{}",
        props.join(","),
        github_escape_data(&message)
    )
}

fn plain_line(diag: &Diagnostic, loc: Option<&Location<'_>>) -> String {
    let head = format!(
        "{}[{}]: {}",
        diag.severity().as_str(),
        diag.code,
        diag.message.replace(['\r', '\n'], " ")
    );
    match loc {
        Some(l) => format!("{}:{}:{}: {head}", l.path, l.line, l.column),
        None => head,
    }
}
