//! The documented JSON document of findings (`docs/json-output.md`), declared as types so its
//! shape is written down once.
//!
//! Fields are in alphabetical order, the order `serde_json::Value` prints its keys in, so the
//! document reads the same whether it is printed from these types or from a `Value`.

use serde::Serialize;
use serde_json::Value;

use super::{counts, primary_label, Sources};
use crate::diagnostics::Diagnostic;

/// Version of the JSON document shape; bumped on any incompatible change so scripts can check it.
pub const JSON_FORMAT_VERSION: u32 = 1;

/// The whole document: every finding, and the outcome of the run.
#[derive(Serialize)]
struct Document<'a> {
    diagnostics: Vec<Finding<'a>>,
    /// Present only when the run could not complete.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Failure<'a>>,
    format_version: u32,
    summary: Summary,
}

/// Why a run could not complete: one message, and every cause behind it.
#[derive(Serialize)]
struct Failure<'a> {
    causes: &'a [String],
    message: String,
}

/// Counts for scripts that only need the outcome.
#[derive(Serialize)]
struct Summary {
    errors: usize,
    files: usize,
    notes: usize,
    warnings: usize,
}

/// One finding, located at its primary label; the location fields are `null` when its file is
/// unknown.
#[derive(Serialize)]
struct Finding<'a> {
    code: &'static str,
    column: Option<usize>,
    end_column: Option<usize>,
    end_line: Option<usize>,
    file: Option<&'a str>,
    help: Option<&'a str>,
    labels: Vec<FindingLabel<'a>>,
    line: Option<usize>,
    message: &'a str,
    notes: &'a [String],
    severity: &'static str,
}

/// One label of a finding, located like the finding itself.
#[derive(Serialize)]
struct FindingLabel<'a> {
    column: Option<usize>,
    end_column: Option<usize>,
    end_line: Option<usize>,
    file: Option<&'a str>,
    line: Option<usize>,
    message: &'a str,
    primary: bool,
}

/// The documented JSON document (`docs/json-output.md`) for scripts and editors.
pub fn json(diags: &[Diagnostic], sources: &Sources) -> Value {
    json_with_failures(diags, sources, &[])
}

/// Like [`json()`], plus an `error` object when the run could not complete, so that a consumer
/// always receives one parseable document, even from a failed run.
pub fn json_with_failures(diags: &[Diagnostic], sources: &Sources, failures: &[String]) -> Value {
    let c = counts(diags);
    let error = failures.first().map(|first| Failure {
        causes: failures,
        message: if failures.len() == 1 {
            first.clone()
        } else {
            format!("could not run: {} problems", failures.len())
        },
    });
    let doc = Document {
        diagnostics: diags.iter().map(|d| finding(d, sources)).collect(),
        error,
        format_version: JSON_FORMAT_VERSION,
        summary: Summary {
            errors: c.errors,
            files: sources.len(),
            notes: c.notes,
            warnings: c.warnings,
        },
    };
    // Serialising these types cannot fail: they hold no maps, so every key is a field name.
    serde_json::to_value(doc).unwrap_or_default()
}

fn finding<'a>(d: &'a Diagnostic, sources: &'a Sources) -> Finding<'a> {
    let at = primary_label(d).and_then(|l| sources.locate(l.span));
    Finding {
        code: d.code.as_str(),
        column: at.as_ref().map(|l| l.column),
        end_column: at.as_ref().map(|l| l.end_column),
        end_line: at.as_ref().map(|l| l.end_line),
        file: at.as_ref().map(|l| l.path),
        help: d.help.as_deref(),
        labels: d
            .labels
            .iter()
            .map(|l| {
                let at = sources.locate(l.span);
                FindingLabel {
                    column: at.as_ref().map(|l| l.column),
                    end_column: at.as_ref().map(|l| l.end_column),
                    end_line: at.as_ref().map(|l| l.end_line),
                    file: at.as_ref().map(|l| l.path),
                    line: at.as_ref().map(|l| l.line),
                    message: &l.message,
                    primary: l.primary,
                }
            })
            .collect(),
        line: at.as_ref().map(|l| l.line),
        message: &d.message,
        notes: &d.notes,
        severity: d.severity().as_str(),
    }
}
