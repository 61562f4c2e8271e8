//! The wording of every diagnostic, one constructor per message (Cedar's
//! `ValidationError::unrecognized_entity_type` style), so the messages can be reviewed together
//! and a message found in two places is worded once.
//!
//! Call sites compute the facts (spans, names, numbers, the closest spelling) and call a
//! constructor; the constructor returns the whole [`Diagnostic`]. Constructors take plain data,
//! never checker types, so `diagnostics` imports nothing from `check` or `syntax`.
//! Files follow the code families, and functions within a file follow code order.

mod names;
mod rules;
mod scenario;
mod suppress;
mod syntax;
mod testing;
mod types;

pub(crate) use names::*;
pub(crate) use rules::*;
pub(crate) use scenario::*;
pub(crate) use suppress::*;
pub(crate) use syntax::*;
pub(crate) use testing::*;
pub(crate) use types::*;

use super::Diagnostic;

/// A warning promoted to an error because the project's `config` file denies its code; the
/// note says so, since the severity alone would contradict `handoff explain`.
pub(crate) fn denied_in_config(diag: Diagnostic, config: &str) -> Diagnostic {
    let note = format!("`{}` is denied in `{config}`", diag.code);
    diag.deny().with_note(note)
}

/// Adds the "did you mean" help when a close spelling was found.
fn suggest(diag: Diagnostic, near: Option<&str>) -> Diagnostic {
    match near {
        Some(s) => diag.with_help(did_you_mean(s)),
        None => diag,
    }
}

/// The help line offering a close spelling.
fn did_you_mean(near: &str) -> String {
    format!("did you mean `{near}`?")
}

/// Names in backticks, comma-separated, for "expected `a`, `b`" and notes listing choices.
fn backticked<S: AsRef<str>>(values: &[S]) -> String {
    values
        .iter()
        .map(|v| format!("`{}`", v.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
