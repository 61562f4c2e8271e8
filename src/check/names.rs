//! Declarations by kind: the first pass, so blocks may refer to each other in any order.

use crate::diagnostics::suggest::did_you_mean;
use crate::diagnostics::{messages, Diagnostic};
use crate::ir;
use crate::span::Span;
use crate::syntax::ast::{self, Ident, Item};
use crate::syntax::BrokenBlock;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// Kinds of named declarations; each kind is its own namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `calendar`
    Calendar,
    /// a lead field
    Field,
    /// `event`
    Event,
    /// `score`
    Score,
    /// `bands`
    Bands,
    /// `disqualify`
    Disqualifier,
    /// `track`
    Track,
    /// `handoff`
    Handoff,
    /// `router`
    Router,
    /// `queue`
    Queue,
    /// a queue member
    Seller,
    /// `accounts`
    Accounts,
    /// `context`
    Context,
    /// `sequence`
    Sequence,
    /// `reason`
    Reason,
    /// `kpi` declaration
    Kpi,
    /// `scenario`
    Scenario,
    /// `shape`
    Shape,
    /// a role of the header's `roles` line, which `notify` names
    Role,
}

/// An IR index into a table of declarations that [`Names`] collects, so one resolver serves
/// every kind of reference.
pub(crate) trait Declared {
    /// The kind of declaration the index points at.
    const KIND: Kind;
    /// The index of the `i`th accepted declaration of that kind.
    fn at(i: u32) -> Self;
}

macro_rules! declared {
    ($($id:ident => $kind:ident),* $(,)?) => {$(
        impl Declared for ir::$id {
            const KIND: Kind = Kind::$kind;
            fn at(i: u32) -> Self {
                ir::$id(i)
            }
        }
    )*};
}

declared! {
    CalendarId => Calendar,
    FieldId => Field,
    EventId => Event,
    ScoreId => Score,
    BandSetId => Bands,
    TrackId => Track,
    HandoffId => Handoff,
    RouterId => Router,
    QueueId => Queue,
    SellerId => Seller,
    AccountsId => Accounts,
    ContextId => Context,
    SequenceId => Sequence,
    ReasonId => Reason,
    ShapeId => Shape,
}

impl Kind {
    /// The word used in messages ("undefined track `x`").
    pub fn word(self) -> &'static str {
        match self {
            Kind::Calendar => "calendar",
            Kind::Field => "lead field",
            Kind::Event => "event",
            Kind::Score => "score",
            Kind::Bands => "band set",
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
        }
    }

    const ALL: [Kind; 19] = [
        Kind::Calendar,
        Kind::Field,
        Kind::Event,
        Kind::Score,
        Kind::Bands,
        Kind::Disqualifier,
        Kind::Track,
        Kind::Handoff,
        Kind::Router,
        Kind::Queue,
        Kind::Seller,
        Kind::Accounts,
        Kind::Context,
        Kind::Sequence,
        Kind::Reason,
        Kind::Kpi,
        Kind::Scenario,
        Kind::Shape,
        Kind::Role,
    ];
}

/// One declared name.
#[derive(Debug, Clone, Copy)]
pub struct Decl {
    /// Dense index in its kind's IR table.
    pub index: u32,
    /// Where the name is declared.
    pub span: Span,
}

/// Every declaration, by kind and name, plus the order of declaration per kind.
#[derive(Debug, Default)]
pub struct Names {
    tables: HashMap<Kind, HashMap<String, Decl>>,
    order: HashMap<Kind, Vec<String>>,
    /// Names declared by blocks that did not parse: using them is not reported as undefined.
    broken: HashMap<Kind, HashSet<String>>,
    /// Kinds of which any name may have been declared by a block that did not parse.
    broken_kinds: HashSet<Kind>,
    /// Whether any block did not parse, so absence proves nothing.
    incomplete: bool,
    /// The latest declaration of each name, for "previously declared here".
    latest: HashMap<(Kind, String), Span>,
    /// Declarations referred to as another kind: the reference shows they are meant to be used.
    misreferenced: RefCell<Vec<(Kind, u32)>>,
}

impl Names {
    /// Collects declarations, reporting duplicates (the first declaration wins), and remembers
    /// what the blocks that failed to parse would have declared.
    pub fn collect(file: &ast::File, broken: &[BrokenBlock], diags: &mut Vec<Diagnostic>) -> Names {
        let mut names = Names::default();
        for b in broken {
            names.incomplete = true;
            let kinds: &[Kind] = match b.keyword {
                Some("calendar") => &[Kind::Calendar],
                Some("lead") => {
                    names.broken_kinds.insert(Kind::Field);
                    &[]
                }
                Some("event") => &[Kind::Event],
                Some("score") => &[Kind::Score],
                Some("bands") => &[Kind::Bands],
                Some("disqualify") => &[Kind::Disqualifier],
                Some("track") => &[Kind::Track],
                Some("handoff") => &[Kind::Handoff],
                Some("router") => &[Kind::Router],
                Some("queue") => {
                    names.broken_kinds.insert(Kind::Seller);
                    &[Kind::Queue]
                }
                Some("accounts") => &[Kind::Accounts],
                Some("context") => &[Kind::Context],
                Some("sequence") => &[Kind::Sequence],
                Some("reason") => &[Kind::Reason],
                Some("kpi") => &[Kind::Kpi],
                Some("scenario") => &[Kind::Scenario],
                Some("shape") => &[Kind::Shape],
                Some("playbook") => {
                    names.broken_kinds.insert(Kind::Role);
                    &[]
                }
                Some(_) => &[],
                None => {
                    names.broken_kinds.extend(Kind::ALL);
                    &[]
                }
            };
            for kind in kinds {
                match &b.name {
                    Some(n) => {
                        names.broken.entry(*kind).or_default().insert(n.clone());
                    }
                    None => {
                        names.broken_kinds.insert(*kind);
                    }
                }
            }
        }
        for item in &file.items {
            match item {
                Item::Calendar(b) => names.declare(Kind::Calendar, &b.name, diags),
                Item::Event(b) => names.declare(Kind::Event, &b.name, diags),
                Item::Score(b) => names.declare(Kind::Score, &b.name, diags),
                Item::Bands(b) => names.declare(Kind::Bands, &b.name, diags),
                Item::Disqualify(b) => names.declare(Kind::Disqualifier, &b.name, diags),
                Item::Track(b) => names.declare(Kind::Track, &b.name, diags),
                Item::Handoff(b) => names.declare(Kind::Handoff, &b.name, diags),
                Item::Router(b) => names.declare(Kind::Router, &b.name, diags),
                Item::Queue(b) => {
                    names.declare(Kind::Queue, &b.name, diags);
                    for stmt in &b.body {
                        if let ast::QueueStmt::Members(members) = &stmt.kind {
                            for m in members {
                                names.declare(Kind::Seller, m, diags);
                            }
                        }
                    }
                }
                Item::Accounts(b) => names.declare(Kind::Accounts, &b.name, diags),
                Item::Context(b) => names.declare(Kind::Context, &b.name, diags),
                Item::Sequence(b) => names.declare(Kind::Sequence, &b.name, diags),
                Item::Reason(b) => names.declare(Kind::Reason, &b.name, diags),
                Item::Kpi(b) => names.declare(Kind::Kpi, &b.name, diags),
                Item::Scenario(b) => names.declare(Kind::Scenario, &b.name, diags),
                Item::Shape(b) => names.declare(Kind::Shape, &b.name, diags),
                // Tests declare nothing the playbook can name; fixtures are named only by tests,
                // which resolve them themselves.
                Item::Test(_) | Item::Fixture(_) | Item::Tests(_) => {}
                Item::Lead(b) => {
                    for f in &b.body {
                        names.declare(Kind::Field, &f.kind.name, diags);
                    }
                }
                Item::Playbook(b) => {
                    for stmt in &b.body {
                        if let ast::PlaybookStmt::Roles(roles) = &stmt.kind {
                            for r in roles {
                                names.declare(Kind::Role, r, diags);
                            }
                        }
                    }
                }
            }
        }
        names
    }

    fn declare(&mut self, kind: Kind, name: &Ident, diags: &mut Vec<Diagnostic>) {
        let table = self.tables.entry(kind).or_default();
        if table.contains_key(&name.name) {
            // The nearest earlier declaration, not the first: a label far away costs the
            // renderer every line in between, which adds up over many duplicates.
            let previous = self
                .latest
                .insert((kind, name.name.clone()), *name.loc)
                .unwrap_or(*name.loc);
            diags.push(messages::duplicate_declaration(
                *name.loc,
                kind.word(),
                &name.name,
                previous,
            ));
            return;
        }
        self.latest.insert((kind, name.name.clone()), *name.loc);
        let index = u32::try_from(table.len()).unwrap_or(u32::MAX);
        table.insert(
            name.name.clone(),
            Decl {
                index,
                span: *name.loc,
            },
        );
        self.order.entry(kind).or_default().push(name.name.clone());
    }

    /// Whether a block that failed to parse may have declared `name` as a `kind`.
    pub fn maybe_broken(&self, kind: Kind, name: &str) -> bool {
        self.broken_kinds.contains(&kind)
            || self
                .broken
                .get(&kind)
                .is_some_and(|names| names.contains(name))
    }

    /// The declarations referred to as another kind so far, which count as used.
    pub fn take_misreferenced(&self) -> Vec<(Kind, u32)> {
        self.misreferenced.take()
    }

    /// Records that a declaration was referred to as another kind; true the first time.
    ///
    /// Only the first such finding points back at the declaration: a label far away costs the
    /// renderer every line in between, and one pointer is enough.
    pub fn misreference(&self, kind: Kind, index: u32) -> bool {
        let mut seen = self.misreferenced.borrow_mut();
        let first = !seen.contains(&(kind, index));
        if first {
            seen.push((kind, index));
        }
        first
    }

    /// Whether some block failed to parse, so that what is absent may just be unread.
    pub fn incomplete(&self) -> bool {
        self.incomplete
    }

    /// Whether a block of this kind failed to parse.
    pub fn kind_incomplete(&self, kind: Kind) -> bool {
        self.broken_kinds.contains(&kind) || self.broken.get(&kind).is_some_and(|n| !n.is_empty())
    }

    /// Looks a name up without reporting anything.
    pub fn get(&self, kind: Kind, name: &str) -> Option<Decl> {
        self.tables.get(&kind).and_then(|t| t.get(name)).copied()
    }

    /// Whether `span` is the declaration site of `name` (false for a losing duplicate).
    pub fn is_declaration(&self, kind: Kind, name: &Ident) -> bool {
        self.get(kind, &name.name)
            .is_some_and(|d| d.span == *name.loc)
    }

    /// Number of declarations of a kind, i.e. the length of its IR table.
    pub fn count(&self, kind: Kind) -> usize {
        self.order.get(&kind).map_or(0, Vec::len)
    }

    /// Names of a kind in declaration order.
    pub fn names(&self, kind: Kind) -> &[String] {
        self.order.get(&kind).map_or(&[], Vec::as_slice)
    }

    /// Resolves a reference, reporting an undefined name (with a suggestion) or a name of
    /// another kind.
    pub fn resolve(&self, kind: Kind, name: &Ident, diags: &mut Vec<Diagnostic>) -> Option<u32> {
        if let Some(d) = self.get(kind, &name.name) {
            return Some(d.index);
        }
        if name.name.is_empty() || self.maybe_broken(kind, &name.name) {
            return None;
        }
        diags.push(self.undefined(kind, name));
        None
    }

    /// The diagnostic for a name that is not a `kind`.
    pub fn undefined(&self, kind: Kind, name: &Ident) -> Diagnostic {
        let other = Kind::ALL
            .iter()
            .find_map(|k| self.get(*k, &name.name).map(|d| (*k, d)));
        if let Some((other, decl)) = other {
            let first = self.misreference(other, decl.index);
            let wanted = self.names(kind);
            return messages::wrong_kind(
                *name.loc,
                &name.name,
                other.word(),
                kind.word(),
                first.then_some(decl.span),
                did_you_mean(&name.name, wanted.iter().map(String::as_str)),
                wanted,
            );
        }
        messages::undefined(
            *name.loc,
            kind.word(),
            &name.name,
            did_you_mean(&name.name, self.names(kind).iter().map(String::as_str)),
            kind == Kind::Role,
            (self.count(kind) == 0).then(|| block_keyword(kind)),
        )
    }
}

fn block_keyword(kind: Kind) -> &'static str {
    match kind {
        Kind::Reason => "reason",
        Kind::Field => "lead",
        Kind::Bands => "bands",
        Kind::Disqualifier => "disqualify",
        Kind::Seller => "queue",
        Kind::Handoff => "handoff",
        Kind::Accounts => "accounts",
        Kind::Context => "context",
        other => other.word(),
    }
}
