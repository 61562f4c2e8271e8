//! Suppression comments (`W0010`, `W0011`).

use super::{did_you_mean, suggest, Diagnostic};
use crate::diagnostics::Code;
use crate::span::Span;

/// `W0010`: a suppression of `first_code` with no reason, or with `unquoted` text as its reason.
pub(crate) fn suppression_without_reason(
    at: Span,
    first_code: &str,
    unquoted: Option<&str>,
) -> Diagnostic {
    let (message, help) = match unquoted {
        None => (
            "the suppression gives no reason".to_string(),
            format!(
                "say why in double quotes: `# handoff: allow {first_code} \"why this is right\"`"
            ),
        ),
        Some(text) => (
            "the reason of the suppression is not in double quotes".to_string(),
            format!("write `# handoff: allow {first_code} \"{text}\"`"),
        ),
    };
    Diagnostic::new(Code::SuppressionWithoutReason, at, message)
        .with_primary_message("reviewers cannot tell why this warning is accepted")
        .with_help(help)
}

/// `W0011`: a suppression comment without any code.
pub(crate) fn suppression_names_no_code(at: Span) -> Diagnostic {
    Diagnostic::new(Code::UnusedSuppression, at, "the suppression names no code")
        .with_help("write `# handoff: allow W0306 \"reason\"`")
}

/// `W0011`: a suppression of `code` where no such finding is reported.
pub(crate) fn unused_suppression(at: Span, code: Code) -> Diagnostic {
    Diagnostic::new(
        Code::UnusedSuppression,
        at,
        format!("the suppression of `{code}` matches no finding"),
    )
    .with_primary_message(format!("no `{code}` is reported on the line this covers"))
    .with_help("delete the suppression, or move it to the line before the finding")
}

/// `W0011`: a suppression naming a code that does not exist.
pub(crate) fn unknown_code(at: Span, written: &str, near: Option<&str>) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::UnusedSuppression,
        at,
        format!("unknown code `{written}`"),
    );
    suggest(diag, near).with_note("`handoff explain --list` shows every code")
}

/// `W0011`: a suppression naming an error, which cannot be accepted.
pub(crate) fn error_not_suppressible(at: Span, code: Code) -> Diagnostic {
    Diagnostic::new(
        Code::UnusedSuppression,
        at,
        format!("`{code}` is an error and cannot be suppressed"),
    )
    .with_primary_message("only warnings can be suppressed")
    .with_note("a playbook with an error does not compile, so only warnings can be accepted")
    .with_help(format!("fix the error; `handoff explain {code}` says how"))
}

/// `W0011`: a suppression naming one of the suppression warnings themselves.
pub(crate) fn suppression_code_not_suppressible(at: Span, code: Code) -> Diagnostic {
    Diagnostic::new(
        Code::UnusedSuppression,
        at,
        format!("`{code}` is about suppression comments and cannot be suppressed by one"),
    )
    .with_help(format!(
        "allow it in `handoff.toml`: `[lints] allow = [\"{code}\"]`"
    ))
}

/// `W0011`: a `handoff:` comment whose directive `verb` (empty when none) is not `allow`.
pub(crate) fn unknown_directive(at: Span, verb: &str, near: Option<&str>) -> Diagnostic {
    let message = if verb.is_empty() {
        "the suppression names no directive".to_string()
    } else {
        format!("unknown suppression directive `{verb}`")
    };
    let help = match near {
        Some(near) => did_you_mean(near),
        None => "write `# handoff: allow W0306 \"reason\"`".to_string(),
    };
    Diagnostic::new(Code::UnusedSuppression, at, message).with_help(help)
}
