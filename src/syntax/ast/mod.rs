//! The abstract syntax tree: what the author wrote, in order, with spans.
//!
//! Statements stay in lists (not struct fields) so the checker can report a repeated or
//! missing statement and the formatter can reproduce the author's order. Equality ignores
//! spans ([`Loc`]), so `parse(fmt(x)) == parse(x)` is a meaningful soundness check.

use crate::span::Span;
use serde::Serialize;

mod decls;
mod expr;
mod rules;
mod scenario;
mod testing;

pub use decls::*;
pub use expr::*;
pub use rules::*;
pub use scenario::*;
pub use testing::*;

/// A span that compares equal to every other span, so node equality ignores positions.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(transparent)]
pub struct Loc(pub Span);

impl PartialEq for Loc {
    fn eq(&self, _: &Loc) -> bool {
        true
    }
}

impl std::ops::Deref for Loc {
    type Target = Span;
    fn deref(&self) -> &Span {
        &self.0
    }
}

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where.
    pub loc: Loc,
}

/// A whole playbook file: its top-level blocks in source order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct File {
    /// Blocks in source order.
    pub items: Vec<Item>,
}

/// A named top-level block (`KIND NAME { ... }`), the unit of the language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block<S> {
    /// The block's name; the `lead` block is the one block without one (its name is empty).
    pub name: Ident,
    /// Statements in source order.
    pub body: Vec<Stmt<S>>,
    /// The whole block including the closing brace.
    pub loc: Loc,
}

/// One statement with its span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stmt<S> {
    /// What the statement says.
    pub kind: S,
    /// Where it says it.
    pub loc: Loc,
}

/// Every kind of top-level block.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    /// `playbook NAME { title ..., calendar ... }`: the file's header.
    Playbook(Block<PlaybookStmt>),
    /// Business hours, holidays and a time zone.
    Calendar(Block<CalendarStmt>),
    /// The typed lead attributes (`lead { ... }`).
    Lead(Block<FieldDecl>),
    /// A typed event; `body` lists its fields.
    Event(Block<FieldDecl>),
    /// Points from attributes and events.
    Score(Block<ScoreStmt>),
    /// Named bands over a sum of scores.
    Bands(BandsDecl),
    /// A rule that removes a lead from the funnel with a reason.
    Disqualify(Block<TriggerStmt>),
    /// An automated nurture track.
    Track(Block<TrackStmt>),
    /// A rule that hands a lead to a human.
    Handoff(Block<HandoffStmt>),
    /// Ordered routing rules from a lead to a queue.
    Router(Block<RouteRule>),
    /// A pool of sellers.
    Queue(Block<QueueStmt>),
    /// Named accounts and their owners.
    Accounts(Block<AccountsStmt>),
    /// The context package handed to the seller.
    Context(Block<ContextStmt>),
    /// A manual outreach sequence.
    Sequence(Block<SequenceStmt>),
    /// A disposition reason code and its recycle path.
    Reason(Block<ReasonStmt>),
    /// A KPI declaration with an optional target.
    Kpi(Block<KpiStmt>),
    /// When in the week a simulated rate runs high or low.
    Shape(Block<ShapeStmt>),
    /// A synthetic world for the simulator.
    Scenario(Block<ScenarioStmt>),
    /// `test "NAME" { ... }`: a lead, its inputs and what must hold; the name is the string's
    /// value (with the string's span).
    Test(Block<TestStmt>),
    /// `fixture NAME { field value ... }`: a lead that tests start from.
    Fixture(Block<FieldValue>),
    /// `tests "PATH"`: the first line of a test file, naming the playbook its tests run
    /// against (relative to the test file).
    Tests(TestsDecl),
}

/// `playbook` header statements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PlaybookStmt {
    /// `title "..."`
    Title(StrLit),
    /// `calendar NAME`: the default calendar for business time.
    Calendar(Ident),
    /// `roles NAME, ...`: the roles a breach path may `notify`, so a misspelt role is caught.
    Roles(Vec<Ident>),
}

/// A string literal; `value` has escapes resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrLit {
    /// Unescaped text.
    pub value: String,
    /// Where, quotes included.
    pub loc: Loc,
}

impl Item {
    /// The block's name and the keyword that introduces it, for diagnostics and outlines.
    pub fn name(&self) -> (&'static str, &Ident) {
        match self {
            Item::Playbook(b) => ("playbook", &b.name),
            Item::Calendar(b) => ("calendar", &b.name),
            Item::Lead(b) => ("lead", &b.name),
            Item::Event(b) => ("event", &b.name),
            Item::Score(b) => ("score", &b.name),
            Item::Bands(b) => ("bands", &b.name),
            Item::Disqualify(b) => ("disqualify", &b.name),
            Item::Track(b) => ("track", &b.name),
            Item::Handoff(b) => ("handoff", &b.name),
            Item::Router(b) => ("router", &b.name),
            Item::Queue(b) => ("queue", &b.name),
            Item::Accounts(b) => ("accounts", &b.name),
            Item::Context(b) => ("context", &b.name),
            Item::Sequence(b) => ("sequence", &b.name),
            Item::Reason(b) => ("reason", &b.name),
            Item::Kpi(b) => ("kpi", &b.name),
            Item::Shape(b) => ("shape", &b.name),
            Item::Scenario(b) => ("scenario", &b.name),
            Item::Test(b) => ("test", &b.name),
            Item::Fixture(b) => ("fixture", &b.name),
            Item::Tests(t) => ("tests", &t.path),
        }
    }

    /// The whole block's span.
    pub fn loc(&self) -> Loc {
        match self {
            Item::Bands(b) => b.loc,
            Item::Playbook(b) => b.loc,
            Item::Calendar(b) => b.loc,
            Item::Lead(b) | Item::Event(b) => b.loc,
            Item::Score(b) => b.loc,
            Item::Disqualify(b) => b.loc,
            Item::Track(b) => b.loc,
            Item::Handoff(b) => b.loc,
            Item::Router(b) => b.loc,
            Item::Queue(b) => b.loc,
            Item::Accounts(b) => b.loc,
            Item::Context(b) => b.loc,
            Item::Sequence(b) => b.loc,
            Item::Reason(b) => b.loc,
            Item::Kpi(b) => b.loc,
            Item::Shape(b) => b.loc,
            Item::Scenario(b) => b.loc,
            Item::Test(b) => b.loc,
            Item::Fixture(b) => b.loc,
            Item::Tests(t) => t.loc,
        }
    }
}
