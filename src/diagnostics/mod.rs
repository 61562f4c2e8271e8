//! Diagnostics are data: the checker builds them, renderers turn them into text or JSON.
//!
//! Keeping them as values (Gleam, PRQL) means one checker serves people, CI annotations and the
//! future language server alike, and a run can collect every problem instead of stopping.

pub mod codes;
pub(crate) mod messages;
pub mod render;
pub mod suggest;
pub mod suppress;

use crate::span::Span;
use serde::Serialize;

pub use codes::Code;

/// How bad a finding is; `--deny-warnings` promotes warnings to failures in the CLI, not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, never fails a run.
    Note,
    /// Probably a mistake; fails only with `--deny-warnings`.
    Warning,
    /// The playbook cannot be compiled or would misbehave.
    Error,
}

impl Severity {
    /// The lowercase name used in headers, JSON and `explain --list`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A span with a short message, rendered under the source line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is wrong or relevant there; may be empty.
    pub message: String,
    /// The primary label is the finding's location in machine formats.
    pub primary: bool,
}

/// One finding with everything a renderer needs; the severity comes from the code registry
/// unless a project's configuration raised it (see [`Diagnostic::deny`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code from the registry, e.g. `E0201`.
    pub code: Code,
    /// The code's severity, or `Error` for a denied warning ([`Diagnostic::deny`]).
    severity: Severity,
    /// Lowercase, no final period, user input in backticks.
    pub message: String,
    /// First is primary; further labels point at related places.
    pub labels: Vec<Label>,
    /// Extra facts ("note: …").
    pub notes: Vec<String>,
    /// A concrete suggestion ("help: …").
    pub help: Option<String>,
}

impl Diagnostic {
    /// Starts a diagnostic at its primary location.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            labels: vec![Label {
                span,
                message: String::new(),
                primary: true,
            }],
            notes: Vec::new(),
            help: None,
        }
    }

    /// Sets the text under the primary label.
    pub fn with_primary_message(mut self, message: impl Into<String>) -> Self {
        if let Some(first) = self.labels.first_mut() {
            first.message = message.into();
        }
        self
    }

    /// Adds a secondary label, e.g. the first definition of a duplicate name.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Severity as registered for the code, or `Error` once denied.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Reports a warning as an error (notes and errors are left as they are), for a project
    /// that denies its code in `handoff.toml` and for `--deny-warnings`: a run that fails on
    /// warnings shows them as what failed it. The code stays the same, so `handoff explain`
    /// and SARIF rules still find it.
    pub fn deny(mut self) -> Self {
        if self.severity == Severity::Warning {
            self.severity = Severity::Error;
        }
        self
    }

    /// The primary span (the first label's), used for sorting and machine locations.
    pub fn span(&self) -> Span {
        self.labels.first().map(|l| l.span).unwrap_or_default()
    }
}
