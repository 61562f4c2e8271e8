//! Inline suppression: `# handoff: allow W0306 "reason"` accepts a warning on the line it covers.
//!
//! As in ruff (`# noqa`) and Regal (`# regal ignore`), a suppression sits beside the finding it
//! accepts, and is itself checked: one without a reason is `W0010`, one that suppresses nothing
//! is `W0011` (ruff's unused-noqa), so stale suppressions do not pile up.
//! Errors cannot be suppressed: a playbook with an error does not compile.

use super::suggest::did_you_mean;
use super::{messages, Code, Diagnostic, Severity};
use crate::span::{FileId, Span};
use crate::syntax::{suppressions, Reason, Suppression};

/// The one directive a suppression comment knows.
const ALLOW: &str = "allow";

/// Drops the findings of `file` that a suppression comment in `src` accepts, and adds a finding
/// for each suppression without a reason or without effect; the result is sorted like the
/// checker's. A suppression of a code in `unchecked` (one this check did not look for) is
/// never said to be without effect.
pub fn apply(
    file: FileId,
    src: &str,
    diags: Vec<Diagnostic>,
    unchecked: &[Code],
) -> Vec<Diagnostic> {
    let found = suppressions(file, src);
    if found.is_empty() {
        return diags;
    }
    let mut suppressed = vec![false; diags.len()];
    let mut extra = Vec::new();
    for suppression in &found {
        review(
            suppression,
            &diags,
            unchecked,
            (&mut suppressed, &mut extra),
        );
    }
    let mut kept: Vec<Diagnostic> = diags
        .into_iter()
        .zip(suppressed)
        .filter(|(_, gone)| !gone)
        .map(|(d, _)| d)
        .collect();
    kept.append(&mut extra);
    kept.sort_by_key(|d| (d.span().file, d.span().start, d.code));
    kept
}

/// Marks what one suppression accepts and reports what is wrong with it.
fn review(
    suppression: &Suppression,
    diags: &[Diagnostic],
    unchecked: &[Code],
    (suppressed, extra): (&mut [bool], &mut Vec<Diagnostic>),
) {
    let (verb, verb_span) = &suppression.verb;
    if verb != ALLOW {
        extra.push(unknown_directive(verb, *verb_span, suppression.span));
        return;
    }
    if suppression.codes.is_empty() {
        extra.push(messages::suppression_names_no_code(suppression.span));
        return;
    }
    for (written, span) in &suppression.codes {
        match suppressible(written, *span) {
            Ok(code) => {
                if !accept(code, suppression.covers, diags, suppressed)
                    && !unchecked.contains(&code)
                {
                    extra.push(messages::unused_suppression(*span, code));
                }
            }
            Err(problem) => extra.push(problem),
        }
    }
    if let Some(problem) = missing_reason(suppression) {
        extra.push(problem);
    }
}

/// Marks every finding with `code` whose primary location starts on the covered line; says
/// whether there was one.
fn accept(code: Code, covers: Span, diags: &[Diagnostic], suppressed: &mut [bool]) -> bool {
    let mut any = false;
    for (d, gone) in diags.iter().zip(suppressed.iter_mut()) {
        let at = d.span();
        if d.code == code && at.file == covers.file && covers.range().contains(&(at.start as usize))
        {
            *gone = true;
            any = true;
        }
    }
    any
}

/// The code a suppression names, if it exists and a suppression may accept it.
fn suppressible(written: &str, span: Span) -> Result<Code, Diagnostic> {
    let Some(code) = Code::parse(written) else {
        let known = Code::ALL.iter().map(|c| c.as_str());
        let near = did_you_mean(&written.to_ascii_uppercase(), known);
        return Err(messages::unknown_code(span, written, near));
    };
    if code.severity() == Severity::Error {
        return Err(messages::error_not_suppressible(span, code));
    }
    if matches!(
        code,
        Code::SuppressionWithoutReason | Code::UnusedSuppression
    ) {
        return Err(messages::suppression_code_not_suppressible(span, code));
    }
    Ok(code)
}

/// `W0010` for a suppression whose reason is missing or not in quotes.
fn missing_reason(suppression: &Suppression) -> Option<Diagnostic> {
    let first = suppression
        .codes
        .first()
        .map_or("W0306", |(c, _)| c.as_str());
    let unquoted = match &suppression.reason {
        Reason::Quoted(_) => return None,
        Reason::Missing => None,
        Reason::Unquoted(text) => Some(text.as_str()),
    };
    Some(messages::suppression_without_reason(
        suppression.span,
        first,
        unquoted,
    ))
}

/// `W0011` for a `handoff:` comment whose directive is not `allow`.
fn unknown_directive(verb: &str, verb_span: Span, comment: Span) -> Diagnostic {
    let span = if verb.is_empty() { comment } else { verb_span };
    messages::unknown_directive(span, verb, did_you_mean(verb, [ALLOW]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn warning_at(src: &str, needle: &str) -> Diagnostic {
        let start = src.find(needle).unwrap();
        Diagnostic::new(
            Code::UnreachableRule,
            Span::new(FileId(0), start, start + needle.len()),
            "a rule can never apply",
        )
    }

    fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
        diags.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn a_suppression_on_the_line_before_or_at_the_end_accepts_the_warning() {
        let before = "# handoff: allow W0306 \"legacy\"\nrule x\n";
        let kept = apply(FileId(0), before, vec![warning_at(before, "rule x")], &[]);
        assert!(kept.is_empty(), "{kept:?}");
        let trailing = "rule x # handoff: allow w0306 \"legacy\"\n";
        let kept = apply(
            FileId(0),
            trailing,
            vec![warning_at(trailing, "rule x")],
            &[],
        );
        assert!(kept.is_empty(), "{kept:?}");
    }

    #[test]
    fn a_suppression_elsewhere_leaves_the_warning_and_is_reported_unused() {
        let src = "# handoff: allow W0306 \"legacy\"\nrule y\nrule x\n";
        let kept = apply(FileId(0), src, vec![warning_at(src, "rule x")], &[]);
        assert_eq!(codes(&kept), ["W0011", "W0306"]);
    }

    #[test]
    fn a_suppression_without_reason_still_applies_but_warns() {
        let src = "rule x # handoff: allow W0306\n";
        let kept = apply(FileId(0), src, vec![warning_at(src, "rule x")], &[]);
        assert_eq!(codes(&kept), ["W0010"]);
    }

    #[test]
    fn errors_unknown_codes_and_unknown_directives_are_refused() {
        let src =
            "rule x # handoff: allow E0101, W3306 \"r\"\n# handoff: alow W0306 \"r\"\nrule y\n";
        let kept = apply(FileId(0), src, Vec::new(), &[]);
        let messages: Vec<&str> = kept.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`E0101` is an error and cannot be suppressed",
                "unknown code `W3306`",
                "unknown suppression directive `alow`",
            ]
        );
        assert_eq!(kept[1].help.as_deref(), Some("did you mean `W0306`?"));
        assert_eq!(kept[2].help.as_deref(), Some("did you mean `allow`?"));
    }
}
