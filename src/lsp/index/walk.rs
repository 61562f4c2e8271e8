//! Builds an [`Index`] in two passes over the AST: declarations first (so order in the file
//! never matters, as in the checker), then every reference.

use super::{Index, Kind, Symbol};
use crate::span::Span;
use crate::syntax::ast::{self, ExprKind, Ident, Item, Literal};

pub(super) fn build(file: &ast::File) -> Index {
    let mut w = Walker {
        index: Index::default(),
        item: 0,
    };
    for (i, item) in file.items.iter().enumerate() {
        w.item = i;
        w.declarations(item);
    }
    for (i, item) in file.items.iter().enumerate() {
        w.item = i;
        w.references(item);
    }
    w.index
}

struct Walker {
    index: Index,
    /// The top-level item being walked.
    item: usize,
}

/// A name whose meaning depends on what it is compared with: a `one of` value or a band.
struct Subject {
    kind: Kind,
    scope: String,
}

impl Walker {
    fn declare(&mut self, kind: Kind, scope: &str, id: &Ident, decl: Span) {
        self.index.declare(Symbol {
            kind,
            name: id.name.clone(),
            scope: scope.to_owned(),
            span: *id.loc,
            decl,
            item: self.item,
        });
    }

    fn declarations(&mut self, item: &Item) {
        let (keyword, name) = item.name();
        let whole = *item.loc();
        if let Some(kind) = block_kind(keyword) {
            self.declare(kind, "", name, whole);
        }
        match item {
            Item::Playbook(b) => {
                for s in &b.body {
                    if let ast::PlaybookStmt::Roles(roles) = &s.kind {
                        for r in roles {
                            self.declare(Kind::Role, "", r, *s.loc);
                        }
                    }
                }
            }
            Item::Lead(b) => self.fields(Kind::Field, "", &b.body),
            Item::Event(b) => self.fields(Kind::EventField, &b.name.name, &b.body),
            Item::Bands(b) => {
                for s in &b.bands {
                    self.declare(Kind::Band, &b.name.name, &s.kind.name, *s.loc);
                }
            }
            Item::Queue(b) => {
                for s in &b.body {
                    if let ast::QueueStmt::Members(members) = &s.kind {
                        for m in members {
                            self.declare(Kind::Seller, "", m, *s.loc);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Declares the fields of a `lead` or `event` block, and the values of their `one of`s.
    fn fields(&mut self, kind: Kind, event: &str, body: &[ast::Stmt<ast::FieldDecl>]) {
        for s in body {
            self.declare(kind, event, &s.kind.name, *s.loc);
            if let ast::FieldType::OneOf(values) = &s.kind.ty {
                let scope = value_scope(event, &s.kind.name.name);
                for v in values {
                    self.declare(Kind::Value, &scope, v, *s.loc);
                }
            }
        }
    }

    /// Refers to the first of `kinds` that declares `id`.
    fn refer(&mut self, kinds: &[Kind], id: &Ident) {
        if let Some(s) = kinds
            .iter()
            .find_map(|k| self.index.lookup(*k, "", &id.name))
        {
            self.index.refer(s, *id.loc);
        }
    }

    fn refer_scoped(&mut self, kind: Kind, scope: &str, id: &Ident) -> bool {
        match self.index.lookup(kind, scope, &id.name) {
            Some(s) => {
                self.index.refer(s, *id.loc);
                true
            }
            None => false,
        }
    }

    fn references(&mut self, item: &Item) {
        match item {
            Item::Playbook(b) => {
                for s in &b.body {
                    if let ast::PlaybookStmt::Calendar(c) = &s.kind {
                        self.refer(&[Kind::Calendar], c);
                    }
                }
            }
            Item::Score(b) => {
                for s in &b.body {
                    match &s.kind {
                        ast::ScoreStmt::Points { basis, .. } => match basis {
                            ast::PointsBasis::PerEvent { event, filter } => {
                                self.triggered(event, filter.as_ref());
                            }
                            ast::PointsBasis::When(e) => self.expr(e, None),
                        },
                        ast::ScoreStmt::Decay(_) | ast::ScoreStmt::Cap(_) => {}
                    }
                }
            }
            Item::Bands(b) => {
                for s in &b.scores {
                    self.refer(&[Kind::Score], s);
                }
            }
            Item::Disqualify(b) => {
                for s in &b.body {
                    match &s.kind {
                        ast::TriggerStmt::When(e) => self.expr(e, None),
                        ast::TriggerStmt::On { event, filter } => {
                            self.triggered(event, filter.as_ref());
                        }
                        ast::TriggerStmt::Reason(r) => self.refer(&[Kind::Reason], r),
                    }
                }
            }
            Item::Track(b) => b.body.iter().for_each(|s| self.track(&s.kind)),
            Item::Handoff(b) => b.body.iter().for_each(|s| self.handoff(&s.kind)),
            Item::Router(b) => b.body.iter().for_each(|s| self.route(&s.kind)),
            Item::Queue(b) => b.body.iter().for_each(|s| self.queue(&s.kind)),
            Item::Accounts(b) => b.body.iter().for_each(|s| self.accounts(&s.kind)),
            Item::Context(b) => {
                for s in &b.body {
                    if let ast::ContextStmt::Include(ast::ContextItem::Field(f)) = &s.kind {
                        self.refer(&[Kind::Field], f);
                    }
                }
            }
            Item::Sequence(b) => {
                for s in &b.body {
                    if let ast::SequenceStmt::Outcome { reason, .. } = &s.kind {
                        self.refer(&[Kind::Reason], reason);
                    }
                }
            }
            Item::Reason(b) => b.body.iter().for_each(|s| self.reason(&s.kind)),
            Item::Scenario(b) => b.body.iter().for_each(|s| self.scenario(&s.kind)),
            Item::Test(b) => b.body.iter().for_each(|s| self.test(&s.kind)),
            Item::Fixture(b) => b.body.iter().for_each(|s| self.lead_value(&s.kind)),
            Item::Shape(b) => {
                for s in &b.body {
                    if let ast::ShapeStmt::Holidays { calendar, .. } = &s.kind {
                        self.refer(&[Kind::Calendar], calendar);
                    }
                }
            }
            Item::Calendar(_) | Item::Lead(_) | Item::Event(_) | Item::Kpi(_) | Item::Tests(_) => {}
        }
    }

    /// `on EVENT [where ...]`, `per EVENT [where ...]`, `count EVENT [where ...]`.
    fn triggered(&mut self, event: &ast::EventRef, filter: Option<&ast::Expr>) {
        let scope = match event {
            ast::EventRef::Named(id) => {
                self.refer(&[Kind::Event], id);
                Some(id.name.as_str())
            }
            ast::EventRef::Any(_) => None,
        };
        if let Some(f) = filter {
            self.expr(f, scope);
        }
    }

    fn track(&mut self, s: &ast::TrackStmt) {
        match s {
            ast::TrackStmt::EnterWhen(e) => self.expr(e, None),
            ast::TrackStmt::Exit { to, when } => {
                self.refer(&[Kind::Track], to);
                self.expr(when, None);
            }
            ast::TrackStmt::ThenMove(t) => self.refer(&[Kind::Track], t),
            ast::TrackStmt::ThenClose(r) => self.refer(&[Kind::Reason], r),
            ast::TrackStmt::Kpi(k) => self.refer(&[Kind::Kpi], k),
            ast::TrackStmt::EnterByDefault | ast::TrackStmt::Touch { .. } => {}
        }
    }

    fn handoff(&mut self, s: &ast::HandoffStmt) {
        use ast::HandoffStmt as H;
        match s {
            H::On { event, filter } => self.triggered(event, filter.as_ref()),
            H::When(e) => self.expr(e, None),
            H::RouteTo(q) => self.refer(&[Kind::Queue], q),
            H::RouteVia(r) => self.refer(&[Kind::Router], r),
            H::Context(c) => self.refer(&[Kind::Context], c),
            H::Sequence(q) => self.refer(&[Kind::Sequence], q),
            H::Kpi(k) => self.refer(&[Kind::Kpi], k),
            H::Breach(steps) => steps.iter().for_each(|b| self.breach(&b.kind)),
            H::Priority(_) | H::Sla { .. } | H::SlaSameDay => {}
        }
    }

    fn breach(&mut self, s: &ast::BreachStmt) {
        use ast::BreachStmt as B;
        match s {
            B::Rescue(t) => self.refer(&[Kind::Track], t),
            B::Requeue { to, context } => {
                to.iter().for_each(|q| self.refer(&[Kind::Queue], q));
                context.iter().for_each(|c| self.refer(&[Kind::Context], c));
            }
            B::Escalate(q) | B::Reassign(Some(q)) => self.refer(&[Kind::Queue], q),
            B::Reassign(None) => {}
            B::Notify(r) => self.refer(&[Kind::Role], r),
            B::Limit { to, reason, .. } => {
                self.refer(&[Kind::Track], to);
                self.refer(&[Kind::Reason], reason);
            }
        }
    }

    fn route(&mut self, s: &ast::RouteRule) {
        match s {
            ast::RouteRule::OwnerFrom(a) => self.refer(&[Kind::Accounts], a),
            ast::RouteRule::When { when, to } => {
                self.expr(when, None);
                self.refer(&[Kind::Queue], to);
            }
            ast::RouteRule::Otherwise(q) => self.refer(&[Kind::Queue], q),
        }
    }

    fn queue(&mut self, s: &ast::QueueStmt) {
        match s {
            ast::QueueStmt::Calendar(c) => self.refer(&[Kind::Calendar], c),
            ast::QueueStmt::OrderBy(b) => self.refer(&[Kind::Bands], b),
            ast::QueueStmt::Overflow(q) => self.refer(&[Kind::Queue], q),
            _ => {}
        }
    }

    fn accounts(&mut self, s: &ast::AccountsStmt) {
        match s {
            ast::AccountsStmt::Key(f) => self.refer(&[Kind::Field], f),
            ast::AccountsStmt::Account { owner, .. } => self.refer(&[Kind::Seller], owner),
        }
    }

    fn reason(&mut self, s: &ast::ReasonStmt) {
        match s {
            ast::ReasonStmt::Recycle { to, .. } => self.refer(&[Kind::Track], to),
            ast::ReasonStmt::Suppress { unless, .. } => {
                for h in unless {
                    self.refer(&[Kind::Handoff], h);
                }
            }
            ast::ReasonStmt::Kpi(k) => self.refer(&[Kind::Kpi], k),
            _ => {}
        }
    }

    fn scenario(&mut self, s: &ast::ScenarioStmt) {
        use ast::ScenarioStmt as S;
        match s {
            S::Source {
                population, rate, ..
            } => {
                self.rate(rate);
                population.iter().for_each(|p| self.population(&p.kind))
            }
            S::Population(p) => self.population(p),
            S::Profile { body, .. } => body.iter().for_each(|p| self.profile(&p.kind)),
            S::Staff { queue, body } => {
                self.refer(&[Kind::Queue], queue);
                for st in body {
                    if let ast::StaffStmt::Calendar(c) = &st.kind {
                        self.refer(&[Kind::Calendar], c);
                    }
                }
            }
            S::Horizon(_)
            | S::WarmUp(_)
            | S::Connect { .. }
            | S::Meeting { .. }
            | S::AfterConnect(_) => {}
        }
    }

    /// A rate's `following SHAPE`.
    fn rate(&mut self, rate: &ast::Rate) {
        if let Some(shape) = &rate.following {
            self.refer(&[Kind::Shape], shape);
        }
    }

    fn population(&mut self, p: &ast::PopulationStmt) {
        match p {
            ast::PopulationStmt::Mix { field, shares } => {
                self.refer(&[Kind::Field], field);
                for share in shares {
                    if let ast::ShareValue::Name(v) = &share.value {
                        self.refer_scoped(Kind::Value, &field.name, v);
                    }
                }
            }
            ast::PopulationStmt::Draw { field, .. } | ast::PopulationStmt::Chance { field, .. } => {
                self.refer(&[Kind::Field], field);
            }
        }
    }

    fn profile(&mut self, p: &ast::ProfileStmt) {
        match p {
            ast::ProfileStmt::Signal {
                event,
                fields,
                rate,
            } => {
                self.refer(&[Kind::Event], event);
                if let Some(rate) = rate {
                    self.rate(rate);
                }
                for a in fields {
                    self.event_value(&event.name, &a.field, &a.value);
                }
            }
            ast::ProfileStmt::Responds { event, .. } => self.refer(&[Kind::Event], event),
            ast::ProfileStmt::Lasts(_) => {}
        }
    }

    fn test(&mut self, s: &ast::TestStmt) {
        use ast::TestStmt as T;
        match s {
            T::Given {
                fixture, fields, ..
            } => {
                fixture.iter().for_each(|f| self.refer(&[Kind::Fixture], f));
                fields.iter().for_each(|f| self.lead_value(f));
            }
            T::Event { event, fields } => {
                self.refer(&[Kind::Event], event);
                for f in fields {
                    self.event_value(&event.name, &f.field, &f.value);
                }
            }
            T::Set(f) => self.lead_value(f),
            T::Pickup(Some(s)) => self.refer(&[Kind::Seller], s),
            T::Dispose(r) => self.refer(&[Kind::Reason], r),
            T::Expect(e) => self.expectation(e),
            T::Pickup(None) | T::At(_) | T::Touch(_) | T::After(_) => {}
        }
    }

    fn expectation(&mut self, e: &ast::Expectation) {
        use ast::Expectation as E;
        match e {
            E::HandedOff { rule, queue, owner } => {
                self.refer(&[Kind::Handoff], rule);
                self.refer(&[Kind::Queue], queue);
                owner.iter().for_each(|o| self.refer(&[Kind::Seller], o));
            }
            E::InTrack(t) => self.refer(&[Kind::Track], t),
            E::Ended { reason, .. } => {
                reason.iter().for_each(|r| self.refer(&[Kind::Reason], r));
            }
            E::Disqualified(d) => self.refer(&[Kind::Reason], d),
            E::Score { score, .. } => self.refer(&[Kind::Score], score),
            E::Band { bands, band } => {
                self.refer(&[Kind::Bands], bands);
                self.refer_scoped(Kind::Band, &bands.name, band);
            }
            E::AssignedTo(s) => self.refer(&[Kind::Seller], s),
            E::BreachStep {
                target: Some(t), ..
            } => self.refer(&[Kind::Track, Kind::Queue], t),
            _ => {}
        }
    }

    /// `FIELD VALUE` of a lead: the field, and the value when it is one of the field's names.
    fn lead_value(&mut self, f: &ast::FieldValue) {
        self.refer(&[Kind::Field], &f.field);
        if let Literal::Name(v) = &f.value {
            self.refer_scoped(Kind::Value, &f.field.name, v);
        }
    }

    fn event_value(&mut self, event: &str, field: &Ident, value: &Literal) {
        self.refer_scoped(Kind::EventField, event, field);
        if let Literal::Name(v) = value {
            self.refer_scoped(Kind::Value, &value_scope(event, &field.name), v);
        }
    }

    /// Walks a condition; `event` is the event whose fields a `where` filter reads.
    fn expr(&mut self, e: &ast::Expr, event: Option<&str>) {
        match &e.kind {
            ExprKind::Or(parts) | ExprKind::And(parts) => {
                parts.iter().for_each(|p| self.expr(p, event));
            }
            ExprKind::Not(inner) | ExprKind::Paren(inner) => self.expr(inner, event),
            ExprKind::Contains(v, _) | ExprKind::EndsWith(v, _) => self.expr(v, event),
            ExprKind::Compare { lhs, rhs, .. } => {
                let subject = self
                    .subject(lhs, event)
                    .or_else(|| self.subject(rhs, event));
                self.operand(lhs, event, subject.as_ref());
                self.operand(rhs, event, subject.as_ref());
            }
            ExprKind::In { value, list, .. } => {
                let subject = self.subject(value, event);
                self.expr(value, event);
                match list {
                    ast::List::Items(items, _) => {
                        for i in items {
                            self.operand(i, event, subject.as_ref());
                        }
                    }
                    ast::List::Named(set) => self.refer(&[Kind::Accounts], set),
                }
            }
            ExprKind::Count {
                event: ev, filter, ..
            } => {
                self.triggered(ev, filter.as_deref());
            }
            ExprKind::Name(id) | ExprKind::Lit(Literal::Name(id)) => self.name(id, event),
            ExprKind::Lit(_) => {}
        }
    }

    /// A side of a comparison: a value of the subject when it names one, else an expression.
    fn operand(&mut self, e: &ast::Expr, event: Option<&str>, subject: Option<&Subject>) {
        if let (Some(id), Some(s)) = (bare(e), subject) {
            if self.refer_scoped(s.kind, &s.scope, id) {
                return;
            }
        }
        self.expr(e, event);
    }

    /// A bare name in a condition, resolved in the checker's order.
    fn name(&mut self, id: &Ident, event: Option<&str>) {
        if let Some(ev) = event {
            if self.refer_scoped(Kind::EventField, ev, id) {
                return;
            }
        }
        self.refer(&[Kind::Field, Kind::Score, Kind::Bands], id);
    }

    /// What a name compared with `e` means, when `e` is a `one of` field or a band set.
    fn subject(&self, e: &ast::Expr, event: Option<&str>) -> Option<Subject> {
        let id = bare(e)?;
        if let Some(ev) = event {
            if self.index.lookup(Kind::EventField, ev, &id.name).is_some() {
                return Some(Subject {
                    kind: Kind::Value,
                    scope: value_scope(ev, &id.name),
                });
            }
        }
        if self.index.lookup(Kind::Field, "", &id.name).is_some() {
            return Some(Subject {
                kind: Kind::Value,
                scope: id.name.clone(),
            });
        }
        self.index
            .lookup(Kind::Bands, "", &id.name)
            .map(|_| Subject {
                kind: Kind::Band,
                scope: id.name.clone(),
            })
    }
}

/// The name an expression is, through parentheses.
fn bare(e: &ast::Expr) -> Option<&Ident> {
    match &e.kind {
        ExprKind::Name(id) | ExprKind::Lit(Literal::Name(id)) => Some(id),
        ExprKind::Paren(inner) => bare(inner),
        _ => None,
    }
}

/// The scope of a `one of` field's values: the lead field's name, or `event.field`.
pub fn value_scope(event: &str, field: &str) -> String {
    if event.is_empty() {
        field.to_owned()
    } else {
        format!("{event}.{field}")
    }
}

/// The keyword of the top-level block that declares a kind, for kinds declared by one.
pub fn block_keyword(kind: Kind) -> Option<&'static str> {
    crate::lsp::keywords::BLOCKS
        .iter()
        .copied()
        .find(|k| block_kind(k) == Some(kind))
}

/// The kind a top-level block keyword declares.
fn block_kind(keyword: &str) -> Option<Kind> {
    Some(match keyword {
        "playbook" => Kind::Playbook,
        "calendar" => Kind::Calendar,
        "event" => Kind::Event,
        "score" => Kind::Score,
        "bands" => Kind::Bands,
        "disqualify" => Kind::Disqualifier,
        "track" => Kind::Track,
        "handoff" => Kind::Handoff,
        "router" => Kind::Router,
        "queue" => Kind::Queue,
        "accounts" => Kind::Accounts,
        "context" => Kind::Context,
        "sequence" => Kind::Sequence,
        "reason" => Kind::Reason,
        "kpi" => Kind::Kpi,
        "scenario" => Kind::Scenario,
        "shape" => Kind::Shape,
        "test" => Kind::Test,
        "fixture" => Kind::Fixture,
        _ => return None,
    })
}
