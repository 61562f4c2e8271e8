//! One document's analysis: the checker's findings and the symbol index of its text.

use super::index::Index;
use crate::check;
use crate::config::Lints;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::FileId;
use crate::syntax::{self, ast};

/// The file id every document is checked under: the server checks one text at a time, and
/// positions go back to the document the request named.
pub const FILE: FileId = FileId(0);

/// What the server knows of one version of a document.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The text analysed.
    pub text: String,
    /// The blocks that parsed.
    pub file: ast::File,
    /// Declarations and references of those blocks.
    pub index: Index,
    /// Every finding `handoff check` reports for the text, suppressions applied.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Parses, checks and indexes a text; never fails, whatever the text.
    pub fn new(text: String) -> Analysis {
        Analysis::with_lints(text, &Lints::default())
    }

    /// [`Analysis::new`] with a project's `[lints]` applied to the findings, as `check` does.
    pub fn with_lints(text: String, lints: &Lints) -> Analysis {
        let file = syntax::parse(FILE, &text).file;
        let diagnostics = lints.apply(check::check_source_while_editing(FILE, &text));
        let index = Index::build(&file);
        Analysis {
            text,
            file,
            index,
            diagnostics,
        }
    }

    /// Whether the whole text parsed: without syntax errors the index covers every block.
    pub fn parses(&self) -> bool {
        !self
            .diagnostics
            .iter()
            .any(|d| matches!(d.code, Code::Syntax | Code::TooDeep | Code::TooLarge))
    }

    /// The text of a span of this document.
    pub fn slice(&self, span: crate::span::Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The playbook's name, which prefixes its tests' full names.
    pub fn playbook_name(&self) -> Option<&str> {
        self.file.items.iter().find_map(|i| match i {
            ast::Item::Playbook(b) => Some(b.name.name.as_str()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::lsp::{completion, hover, navigate, tokens};

    const SEED: &str = include_str!("../../playbooks/seed-matrix.playbook");

    /// Every feature at every position of a block as it is typed (every other prefix, to keep
    /// the test quick), after the seed: half-typed text must never make the server fail.
    #[test]
    fn every_prefix_of_a_typed_block_is_analysed_without_failing() {
        let typed = "handoff h {\n  on page_view where category in [pricing, de\n  when grade = A and count email_click within 7d >= 2\n  route to inbound_sdr\n  sla 2bh business\n  on breach { rescue with momentum_rescue }\n}\n";
        let last_good = Analysis::new(SEED.to_owned()).index;
        for (end, _) in typed.char_indices().step_by(2) {
            let text = format!("{SEED}\n{}", &typed[..end]);
            let a = Analysis::new(text.clone());
            for at in (SEED.len()..=text.len()).filter(|i| text.is_char_boundary(*i)) {
                hover::hover(&a, at);
                navigate::definition(&a.index, at);
                navigate::references(&a.index, at, true);
                completion::complete(&text, at, &[&a.index, &last_good]);
            }
            tokens::tokens(&a);
        }
    }
}
