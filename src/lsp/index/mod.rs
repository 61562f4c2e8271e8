//! The symbol index of one playbook: every declared name with its kind and definition span, and
//! every reference to it.
//!
//! It is built from the AST alone (pure, no protocol types), so hover, navigation, rename,
//! completion and semantic tokens are unit-tested on playbook text. Names resolve as the
//! checker resolves them: one namespace per kind, the first declaration wins, and a bare name
//! in a condition is an event field (inside that event's `where`), then a lead field, a score,
//! then a band set.

mod walk;

pub use walk::{block_keyword, value_scope};

use crate::span::Span;
use crate::syntax::ast;
use std::collections::HashMap;

/// What a declared name is; each kind is its own namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `calendar NAME`
    Calendar,
    /// A field of the `lead` block.
    Field,
    /// `event NAME`
    Event,
    /// A field of one event, scoped by the event's name.
    EventField,
    /// A value of a `one of` field, scoped by the field's name.
    Value,
    /// `score NAME`
    Score,
    /// `bands NAME`
    Bands,
    /// `band X` inside a band set, scoped by the set's name.
    Band,
    /// `disqualify NAME`
    Disqualifier,
    /// `track NAME`
    Track,
    /// `handoff NAME`
    Handoff,
    /// `router NAME`
    Router,
    /// `queue NAME`
    Queue,
    /// A queue member.
    Seller,
    /// `accounts NAME`
    Accounts,
    /// `context NAME`
    Context,
    /// `sequence NAME`
    Sequence,
    /// `reason NAME`
    Reason,
    /// `kpi NAME`
    Kpi,
    /// `scenario NAME`
    Scenario,
    /// `shape NAME`
    Shape,
    /// A role of the header's `roles` line.
    Role,
    /// `fixture NAME`
    Fixture,
    /// `test "NAME"`
    Test,
    /// `playbook NAME`
    Playbook,
}

impl Kind {
    /// The word people use for the kind, as the checker's messages say it.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Calendar => "calendar",
            Kind::Field => "lead field",
            Kind::Event => "event",
            Kind::EventField => "event field",
            Kind::Value => "value",
            Kind::Score => "score",
            Kind::Bands => "band set",
            Kind::Band => "band",
            Kind::Disqualifier => "disqualifier",
            Kind::Track => "track",
            Kind::Handoff => "handoff rule",
            Kind::Router => "router",
            Kind::Queue => "queue",
            Kind::Seller => "seller",
            Kind::Accounts => "account set",
            Kind::Context => "context package",
            Kind::Sequence => "sequence",
            Kind::Reason => "reason code",
            Kind::Kpi => "kpi",
            Kind::Scenario => "scenario",
            Kind::Shape => "shape",
            Kind::Role => "role",
            Kind::Fixture => "fixture",
            Kind::Test => "test",
            Kind::Playbook => "playbook",
        }
    }
}

/// Position of a symbol in [`Index::symbols`].
pub type SymbolId = usize;

/// One declared name.
#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    /// What it is.
    pub kind: Kind,
    /// The name as declared.
    pub name: String,
    /// The enclosing name for scoped kinds (the event of an event field, the field of a value,
    /// the set of a band); empty otherwise.
    pub scope: String,
    /// The name's span.
    pub span: Span,
    /// The whole declaration (block or statement), for hover and document symbols.
    pub decl: Span,
    /// Index of the top-level item that declares it, in `ast::File::items`.
    pub item: usize,
}

/// A use of a declared name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// The symbol used.
    pub target: SymbolId,
    /// Where it is used.
    pub span: Span,
}

/// Every declaration and every resolved reference of one file.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Declarations in source order (a losing duplicate is not one).
    pub symbols: Vec<Symbol>,
    /// Resolved references in source order.
    pub references: Vec<Reference>,
    by_name: HashMap<(Kind, String, String), SymbolId>,
}

impl Index {
    /// Indexes a parsed file.
    pub fn build(file: &ast::File) -> Index {
        walk::build(file)
    }

    /// The symbol declared as `name` of `kind` in `scope` (empty for unscoped kinds).
    pub fn lookup(&self, kind: Kind, scope: &str, name: &str) -> Option<SymbolId> {
        self.by_name
            .get(&(kind, scope.to_owned(), name.to_owned()))
            .copied()
    }

    /// The symbol whose declaration or reference covers byte `offset` (its end included, so a
    /// cursor just after a name still finds it).
    pub fn at(&self, offset: usize) -> Option<SymbolId> {
        let covers = |s: &Span| s.range().contains(&offset) || s.end as usize == offset;
        self.symbols
            .iter()
            .position(|s| covers(&s.span))
            .or_else(|| {
                self.references
                    .iter()
                    .find(|r| covers(&r.span))
                    .map(|r| r.target)
            })
    }

    /// A symbol by id.
    pub fn symbol(&self, id: SymbolId) -> Option<&Symbol> {
        self.symbols.get(id)
    }

    /// The spans of every use of a symbol, in source order, without its declaration.
    pub fn uses(&self, id: SymbolId) -> impl Iterator<Item = Span> + '_ {
        self.references
            .iter()
            .filter(move |r| r.target == id)
            .map(|r| r.span)
    }

    /// Names declared of a kind, in declaration order.
    pub fn names(&self, kind: Kind) -> impl Iterator<Item = &Symbol> + '_ {
        self.symbols.iter().filter(move |s| s.kind == kind)
    }

    /// Records a declaration; a later duplicate (which the checker reports) is not indexed.
    fn declare(&mut self, symbol: Symbol) {
        let key = (symbol.kind, symbol.scope.clone(), symbol.name.clone());
        if symbol.name.is_empty() || self.by_name.contains_key(&key) {
            return;
        }
        self.by_name.insert(key, self.symbols.len());
        self.symbols.push(symbol);
    }

    /// Records a use of `id` at `span`.
    fn refer(&mut self, target: SymbolId, span: Span) {
        self.references.push(Reference { target, span });
    }
}

#[cfg(test)]
mod tests;
