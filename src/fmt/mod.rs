//! The canonical, comment-preserving formatter behind `handoff fmt`.
//!
//! Playbooks are reviewed in pull requests, so a diff should show what changed in meaning and
//! nothing else; one layout for every file gets there.
//! The style is written down in `docs/formatting.md`.
//!
//! The formatter prints the AST, not the tokens, and takes comments from
//! [`crate::syntax::comments`], reattaching each by byte position.
//! Every run checks itself: the output must parse to an equal AST with the same comments, or
//! the result is an error instead of a silently changed playbook.

mod blocks;
mod expr;
mod printer;
mod scenario;

use crate::diagnostics::Diagnostic;
use crate::span::FileId;
use crate::syntax::{self, ast, Comment};
use std::fmt;

/// Why a source was not formatted.
#[derive(Debug, Clone, PartialEq)]
pub enum FormatError {
    /// The source has syntax errors; a file that does not parse is never rewritten.
    Syntax(Vec<Diagnostic>),
    /// The self-check failed: the output would not mean what the input meant.
    /// This is a formatter bug, reported so that it cannot change a playbook silently.
    Unsound {
        /// What differed, in words.
        reason: String,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax(diagnostics) => {
                write!(f, "not formatted: {} syntax error", diagnostics.len())?;
                if diagnostics.len() != 1 {
                    write!(f, "s")?;
                }
                Ok(())
            }
            FormatError::Unsound { reason } => {
                write!(
                    f,
                    "formatter self-check failed ({reason}); the file was left as is"
                )
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats one playbook source into the canonical layout.
///
/// Returns the syntax diagnostics when the source does not parse, and
/// [`FormatError::Unsound`] when the output fails the self-check; in both cases the caller
/// should leave the file untouched.
pub fn format_source(file: FileId, src: &str) -> Result<String, FormatError> {
    let parsed = syntax::parse(file, src);
    if !parsed.diagnostics.is_empty() {
        return Err(FormatError::Syntax(parsed.diagnostics));
    }
    let comments = syntax::comments(file, src);
    let mut printer = printer::Printer::new(src, &comments);
    blocks::file(&mut printer, &parsed.file);
    let out = printer.finish();
    self_check(file, &parsed.file, &comments, &out)?;
    Ok(out)
}

/// Re-parses the output: it must parse cleanly to an equal AST (spans aside) with the same
/// comment texts in the same order.
fn self_check(
    file: FileId,
    before: &ast::File,
    comments: &[Comment],
    out: &str,
) -> Result<(), FormatError> {
    let unsound = |reason: String| Err(FormatError::Unsound { reason });
    let after = syntax::parse(file, out);
    if let Some(d) = after.diagnostics.first() {
        return unsound(format!("the output does not parse: {}", d.message));
    }
    if after.file != *before {
        let at = before
            .items
            .iter()
            .zip(&after.file.items)
            .position(|(a, b)| a != b)
            .unwrap_or(before.items.len().min(after.file.items.len()));
        return unsound(format!(
            "the output means something else from top-level block {}",
            at + 1
        ));
    }
    let again = syntax::comments(file, out);
    let same =
        again.len() == comments.len() && again.iter().zip(comments).all(|(a, b)| a.text == b.text);
    if !same {
        return unsound(format!(
            "comments were lost or changed ({} in the input, {} in the output)",
            comments.len(),
            again.len()
        ));
    }
    Ok(())
}
