//! One document's analysis: the checker's findings and the symbol index of its text.

use super::index::Index;
use crate::check;
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
        let file = syntax::parse(FILE, &text).file;
        let diagnostics = check::check_source(FILE, &text);
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
