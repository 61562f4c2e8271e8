//! Lowering of each kind of block.
//!
//! Blocks are lowered kind by kind in file order, and an IR table entry is pushed exactly for
//! each declaration [`Names`](super::names::Names) accepted, so indices agree with name
//! resolution even when duplicates were reported.
//! Each block family lowers in its own module; the file walk and the `playbook` header live
//! here.

mod calendar;
mod fields;
mod handoff;
mod kpi;
mod outreach;
mod reasons;
mod routing;
mod scoring;
mod shape;

use crate::check::names::Kind;
use crate::check::Lowerer;
use crate::span::Span;
use crate::syntax::ast::{self, Ident, Item};

impl Lowerer<'_> {
    /// Lowers a whole file: calendars, fields, events and band labels first, because the other
    /// blocks' conditions and references read them.
    pub(super) fn lower_file(&mut self, file: &ast::File) {
        self.header(file);
        for item in &file.items {
            match item {
                Item::Calendar(b) if self.names.is_declaration(Kind::Calendar, &b.name) => {
                    self.calendar(b)
                }
                Item::Lead(b) => self.lead(b),
                Item::Event(b) if self.names.is_declaration(Kind::Event, &b.name) => self.event(b),
                Item::Bands(b) => self
                    .band_labels
                    .push(b.bands.iter().map(|s| s.kind.name.name.clone()).collect()),
                _ => {}
            }
        }
        self.band_labels.truncate(self.names.count(Kind::Bands));
        self.resolve_default_calendar(file);
        // Shapes read calendars' holidays, and scenarios refer to shapes.
        for item in &file.items {
            if let Item::Shape(b) = item {
                if self.names.is_declaration(Kind::Shape, &b.name) {
                    self.shape(b);
                }
            }
        }
        for item in &file.items {
            let (kind, name) = item_kind(item);
            if let Some(kind) = kind {
                if !self.names.is_declaration(kind, name) {
                    continue;
                }
            }
            match item {
                Item::Score(b) => self.score(b),
                Item::Bands(b) => self.bands(b),
                Item::Queue(b) => self.queue(b),
                Item::Accounts(b) => self.accounts(b),
                Item::Router(b) => self.router(b),
                Item::Context(b) => self.context(b),
                Item::Sequence(b) => self.sequence(b),
                Item::Reason(b) => self.reason(b),
                Item::Track(b) => self.track(b),
                Item::Handoff(b) => self.handoff(b),
                Item::Disqualify(b) => self.disqualifier(b),
                Item::Kpi(b) => self.kpi(b),
                Item::Scenario(b) => self.scenario(b),
                _ => {}
            }
        }
        self.check_default_track(file);
    }

    /// Reads the `playbook` header (name and title), reporting a second header.
    fn header(&mut self, file: &ast::File) {
        let mut seen: Option<Span> = None;
        for item in &file.items {
            let Item::Playbook(b) = item else { continue };
            if let Some(first) = seen {
                self.repeated("the `playbook` header", first, *b.name.loc);
                continue;
            }
            seen = Some(*b.name.loc);
            self.origins.header = Some(*b.name.loc);
            self.playbook.name = b.name.name.clone();
            for s in &b.body {
                if let ast::PlaybookStmt::Title(t) = &s.kind {
                    self.playbook.title = Some(t.value.clone());
                }
            }
        }
    }
}

/// Kind and name of a declaring item, for duplicate skipping (`lead`/`playbook` have none).
fn item_kind(item: &Item) -> (Option<Kind>, &Ident) {
    let (_, name) = item.name();
    let kind = match item {
        Item::Score(_) => Some(Kind::Score),
        Item::Bands(_) => Some(Kind::Bands),
        Item::Disqualify(_) => Some(Kind::Disqualifier),
        Item::Track(_) => Some(Kind::Track),
        Item::Handoff(_) => Some(Kind::Handoff),
        Item::Router(_) => Some(Kind::Router),
        Item::Queue(_) => Some(Kind::Queue),
        Item::Accounts(_) => Some(Kind::Accounts),
        Item::Context(_) => Some(Kind::Context),
        Item::Sequence(_) => Some(Kind::Sequence),
        Item::Reason(_) => Some(Kind::Reason),
        Item::Kpi(_) => Some(Kind::Kpi),
        Item::Scenario(_) => Some(Kind::Scenario),
        Item::Shape(_) => Some(Kind::Shape),
        Item::Calendar(_) => Some(Kind::Calendar),
        Item::Event(_) => Some(Kind::Event),
        Item::Lead(_) | Item::Playbook(_) | Item::Test(_) | Item::Fixture(_) | Item::Tests(_) => {
            None
        }
    };
    (kind, name)
}
