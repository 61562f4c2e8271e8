//! Semantic tokens: every declared and referenced name coloured by its kind, and comments, so
//! an editor tells a track from a queue the way the checker does.

use super::analysis::{Analysis, FILE};
use super::index::Kind;
use crate::span::Span;
use crate::syntax;

/// The token types, in the order of the legend the server announces.
pub const TYPES: &[&str] = &[
    "type",
    "function",
    "variable",
    "property",
    "enumMember",
    "event",
    "parameter",
    "comment",
    "namespace",
];

/// The one token modifier: set on a name where it is declared.
pub const MODIFIERS: &[&str] = &["declaration"];

/// One token: where, its index in [`TYPES`], and whether it is a declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The token's text, on one line.
    pub span: Span,
    /// Index into [`TYPES`].
    pub ty: u32,
    /// Whether the name is declared here.
    pub declaration: bool,
}

/// The tokens of a document in source order, none overlapping.
pub fn tokens(a: &Analysis) -> Vec<Token> {
    let names = a.index.symbols.iter().map(|s| (s.span, s.kind, true));
    let uses = a
        .index
        .references
        .iter()
        .filter_map(|r| a.index.symbol(r.target).map(|s| (r.span, s.kind, false)));
    let mut out: Vec<Token> = names
        .chain(uses)
        // A test's name is a string, which the grammar colours already.
        .filter(|(_, kind, _)| *kind != Kind::Test)
        .map(|(span, kind, declaration)| Token {
            span,
            ty: type_of(kind),
            declaration,
        })
        .collect();
    out.extend(syntax::comments(FILE, &a.text).into_iter().map(|c| Token {
        span: c.span,
        ty: 7,
        declaration: false,
    }));
    out.sort_by_key(|t| (t.span.start, t.span.end));
    out.dedup_by_key(|t| t.span.start);
    out
}

/// The index in [`TYPES`] of a kind of name.
fn type_of(kind: Kind) -> u32 {
    match kind {
        Kind::Calendar
        | Kind::Queue
        | Kind::Router
        | Kind::Accounts
        | Kind::Context
        | Kind::Sequence => 0,
        Kind::Track | Kind::Handoff | Kind::Disqualifier => 1,
        Kind::Score | Kind::Bands | Kind::Kpi => 2,
        Kind::Field | Kind::EventField => 3,
        Kind::Value | Kind::Band | Kind::Reason => 4,
        Kind::Event => 5,
        Kind::Seller | Kind::Role => 6,
        Kind::Scenario | Kind::Shape | Kind::Fixture | Kind::Test | Kind::Playbook => 8,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn names_and_comments_are_tokens_in_order() {
        let src = "# intro\ntrack a {\n  enter by default\n  then move to a\n}\n";
        let a = Analysis::new(src.to_owned());
        let got: Vec<(&str, &str, bool)> = tokens(&a)
            .iter()
            .map(|t| (&src[t.span.range()], TYPES[t.ty as usize], t.declaration))
            .collect();
        assert_eq!(
            got,
            [
                ("# intro", "comment", false),
                ("a", "function", true),
                ("a", "function", false)
            ]
        );
    }
}
