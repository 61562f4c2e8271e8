//! The analysis in the protocol's types: findings, symbols, lenses, tokens and edits, with
//! every byte span turned into a range of the negotiated encoding.

use super::analysis::Analysis;
use super::index::{Kind, Symbol};
use super::positions::{Position, Positions};
use super::tokens;
use crate::diagnostics::{Diagnostic, Severity};
use crate::span::Span;
use lsp_types as lsp;

/// A document's text with its line index, to convert spans and positions.
pub struct Doc<'a> {
    /// The analysis of the text.
    pub analysis: &'a Analysis,
    /// Its positions in the negotiated encoding.
    pub positions: &'a Positions,
    /// Its address, for related locations.
    pub uri: &'a lsp::Uri,
}

impl Doc<'_> {
    /// The protocol range of a byte span.
    pub fn range(&self, span: Span) -> lsp::Range {
        let text = &self.analysis.text;
        let p = |o: usize| {
            let Position { line, character } = self.positions.position(text, o);
            lsp::Position { line, character }
        };
        lsp::Range {
            start: p(span.start as usize),
            end: p(span.end as usize),
        }
    }

    /// The byte offset of a protocol position.
    pub fn offset(&self, pos: lsp::Position) -> usize {
        self.positions.offset(
            &self.analysis.text,
            Position {
                line: pos.line,
                character: pos.character,
            },
        )
    }

    /// A location in this document.
    pub fn location(&self, span: Span) -> lsp::Location {
        lsp::Location::new(self.uri.clone(), self.range(span))
    }

    /// Every finding, with its secondary labels as related information, notes and help
    /// appended to the message, and the code (whose explanation hover shows).
    pub fn diagnostics(&self) -> Vec<lsp::Diagnostic> {
        self.analysis
            .diagnostics
            .iter()
            .map(|d| self.diagnostic(d))
            .collect()
    }

    fn diagnostic(&self, d: &Diagnostic) -> lsp::Diagnostic {
        let mut message = d.message.clone();
        if let Some(label) = d.labels.first().filter(|l| !l.message.is_empty()) {
            message.push_str(&format!("\n{}", label.message));
        }
        for n in &d.notes {
            message.push_str(&format!("\nnote: {n}"));
        }
        if let Some(h) = &d.help {
            message.push_str(&format!("\nhelp: {h}"));
        }
        let related: Vec<lsp::DiagnosticRelatedInformation> = d
            .labels
            .iter()
            .skip(1)
            .map(|l| lsp::DiagnosticRelatedInformation {
                location: self.location(l.span),
                message: if l.message.is_empty() {
                    "related".to_owned()
                } else {
                    l.message.clone()
                },
            })
            .collect();
        lsp::Diagnostic {
            range: self.range(d.span()),
            severity: Some(match d.severity() {
                Severity::Error => lsp::DiagnosticSeverity::ERROR,
                Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                Severity::Note => lsp::DiagnosticSeverity::INFORMATION,
            }),
            code: Some(lsp::NumberOrString::String(d.code.as_str().to_owned())),
            source: Some("handoff".to_owned()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            data: Some(serde_json::json!({ "explain": d.code.explain() })),
            ..lsp::Diagnostic::default()
        }
    }

    /// The outline: one symbol per block, with fields, bands, members and roles inside.
    #[allow(
        deprecated,
        reason = "`deprecated` is a required field of the protocol type"
    )]
    pub fn symbols(&self) -> Vec<lsp::DocumentSymbol> {
        let index = &self.analysis.index;
        let top = |s: &Symbol| s.decl == self.item_span(s);
        let symbol = |s: &Symbol, children: Option<Vec<lsp::DocumentSymbol>>| lsp::DocumentSymbol {
            name: s.name.clone(),
            detail: Some(s.kind.word().to_owned()),
            kind: symbol_kind(s.kind),
            tags: None,
            deprecated: None,
            range: self.range(s.decl),
            selection_range: self.range(s.span),
            children,
        };
        let mut out = Vec::new();
        for (item, parent) in index.symbols.iter().filter(|s| top(s)).map(|s| (s.item, s)) {
            let children: Vec<lsp::DocumentSymbol> = index
                .symbols
                .iter()
                .filter(|s| s.item == item && !top(s) && s.kind != Kind::Value)
                .map(|s| symbol(s, None))
                .collect();
            out.push(symbol(parent, (!children.is_empty()).then_some(children)));
        }
        // The `lead` block declares no name of its own; its fields stand at the top.
        out.extend(index.names(Kind::Field).map(|s| symbol(s, None)));
        out
    }

    /// The whole block that declares a symbol.
    fn item_span(&self, s: &Symbol) -> Span {
        self.analysis
            .file
            .items
            .get(s.item)
            .map_or(s.decl, |i| i.loc().0)
    }

    /// A "run test" lens on each `test` block, running `handoff test FILE --run '^NAME$'`
    /// through the client's `handoff.runTest` command; a playbook without a `playbook` block
    /// is named by its file's stem, as `handoff test` names it.
    pub fn lenses(&self) -> Vec<lsp::CodeLens> {
        let path = super::project::path_of(self.uri);
        let stem = (path.as_deref())
            .and_then(std::path::Path::file_stem)
            .map(|s| s.to_string_lossy());
        let playbook = (self.analysis.playbook_name())
            .or(stem.as_deref())
            .unwrap_or("");
        self.analysis
            .index
            .names(Kind::Test)
            .map(|t| lsp::CodeLens {
                range: self.range(t.span),
                command: Some(lsp::Command {
                    title: "▶ run test".to_owned(),
                    command: "handoff.runTest".to_owned(),
                    arguments: Some(vec![
                        serde_json::json!(self.uri.as_str()),
                        serde_json::json!(format!(
                            "^{}::{}$",
                            regex_escape(playbook),
                            regex_escape(&t.name)
                        )),
                    ]),
                }),
                data: None,
            })
            .collect()
    }

    /// Semantic tokens, delta-encoded as the protocol wants them.
    pub fn tokens(&self) -> Vec<lsp::SemanticToken> {
        let mut out = Vec::new();
        let mut last = lsp::Position::default();
        for t in tokens::tokens(self.analysis) {
            let r = self.range(t.span);
            if r.start.line != r.end.line {
                continue;
            }
            let delta_line = r.start.line - last.line;
            let delta_start = if delta_line == 0 {
                r.start.character - last.character
            } else {
                r.start.character
            };
            out.push(lsp::SemanticToken {
                delta_line,
                delta_start,
                length: r.end.character - r.start.character,
                token_type: t.ty,
                token_modifiers_bitset: u32::from(t.declaration),
            });
            last = r.start;
        }
        out
    }

    /// An edit replacing the whole text, as formatting returns.
    pub fn replace_all(&self, new_text: String) -> lsp::TextEdit {
        let end = self.analysis.text.len();
        lsp::TextEdit {
            range: self.range(Span::new(super::analysis::FILE, 0, end)),
            new_text,
        }
    }
}

/// The outline icon of a kind of name.
fn symbol_kind(kind: Kind) -> lsp::SymbolKind {
    match kind {
        Kind::Playbook | Kind::Scenario => lsp::SymbolKind::MODULE,
        Kind::Shape => lsp::SymbolKind::CONSTANT,
        Kind::Calendar | Kind::Queue | Kind::Router | Kind::Accounts => lsp::SymbolKind::CLASS,
        Kind::Context | Kind::Sequence => lsp::SymbolKind::STRUCT,
        Kind::Field | Kind::EventField => lsp::SymbolKind::FIELD,
        Kind::Event => lsp::SymbolKind::EVENT,
        Kind::Score | Kind::Kpi => lsp::SymbolKind::VARIABLE,
        Kind::Bands | Kind::Reason => lsp::SymbolKind::ENUM,
        Kind::Band | Kind::Value => lsp::SymbolKind::ENUM_MEMBER,
        Kind::Track | Kind::Handoff | Kind::Disqualifier => lsp::SymbolKind::FUNCTION,
        Kind::Seller | Kind::Role => lsp::SymbolKind::CONSTANT,
        Kind::Test | Kind::Fixture => lsp::SymbolKind::METHOD,
    }
}

/// The completion icon of a kind of name.
pub fn completion_kind(kind: Option<Kind>) -> lsp::CompletionItemKind {
    match kind {
        None => lsp::CompletionItemKind::KEYWORD,
        Some(Kind::Field | Kind::EventField) => lsp::CompletionItemKind::FIELD,
        Some(Kind::Event) => lsp::CompletionItemKind::EVENT,
        Some(Kind::Value | Kind::Band) => lsp::CompletionItemKind::ENUM_MEMBER,
        Some(Kind::Track | Kind::Handoff | Kind::Disqualifier) => lsp::CompletionItemKind::FUNCTION,
        Some(Kind::Score | Kind::Bands | Kind::Kpi) => lsp::CompletionItemKind::VARIABLE,
        Some(_) => lsp::CompletionItemKind::REFERENCE,
    }
}

/// `s` with the regular-expression metacharacters escaped, for `handoff test --run`.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::lsp::positions::Encoding;

    const SEED: &str = include_str!("../../playbooks/seed-matrix.playbook");

    #[test]
    fn a_finding_after_the_arrows_is_located_in_both_encodings() {
        let src = SEED.replacen("calendar london\n", "calendar londn\n", 1);
        let a = Analysis::new(src.clone());
        let uri: lsp::Uri = "file:///seed.playbook".parse().unwrap();
        for (encoding, character) in [(Encoding::Utf8, 11), (Encoding::Utf16, 11)] {
            let positions = Positions::new(&src, encoding);
            let doc = Doc {
                analysis: &a,
                positions: &positions,
                uri: &uri,
            };
            let d = &doc.diagnostics()[0];
            assert_eq!(d.code, Some(lsp::NumberOrString::String("E0101".into())));
            assert_eq!(
                (d.range.start.line, d.range.start.character),
                (5, character)
            );
        }
        // On the title line itself the two encodings differ by the arrows' extra bytes.
        let src = SEED.replacen("Recycle\"", "Recycle\\q\"", 1);
        let a = Analysis::new(src.clone());
        let starts: Vec<u32> = [Encoding::Utf8, Encoding::Utf16]
            .into_iter()
            .map(|e| {
                let positions = Positions::new(&src, e);
                let doc = Doc {
                    analysis: &a,
                    positions: &positions,
                    uri: &uri,
                };
                doc.diagnostics()[0].range.start.character
            })
            .collect();
        assert_eq!(starts[0], starts[1] + 6, "{starts:?}");
    }

    #[test]
    fn a_lens_in_a_playbook_without_a_name_names_it_by_its_file() {
        let src = "lead {\n  segment: one of smb, enterprise\n}\n\ntest \"arrives\" {\n  given lead ria {\n    segment smb\n  }\n  at 2026-06-02 10:00\n  expect no handoff\n}\n";
        let a = Analysis::new(src.to_owned());
        let uri: lsp::Uri = "file:///work/no-header.playbook".parse().unwrap();
        let positions = Positions::new(src, crate::lsp::positions::Encoding::Utf16);
        let doc = Doc {
            analysis: &a,
            positions: &positions,
            uri: &uri,
        };
        let lenses = doc.lenses();
        let arguments = lenses[0]
            .command
            .as_ref()
            .unwrap()
            .arguments
            .clone()
            .unwrap();
        assert_eq!(arguments[1], "^no\\-header::arrives$");
    }

    #[test]
    fn test_names_are_escaped_for_the_run_filter() {
        assert_eq!(regex_escape("a (b). c"), "a \\(b\\)\\. c");
    }
}
