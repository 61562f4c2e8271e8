//! Queues, account ownership, routers and route targets: who gets a handed-off lead.

use crate::check::expr::Scope;
use crate::check::names::Kind;
use crate::check::Lowerer;
use crate::diagnostics::messages;
use crate::ir;
use crate::span::Span;
use crate::syntax::ast::{self, Block, Ident};

impl Lowerer<'_> {
    /// Lowers a `queue` block; its members become the playbook's sellers.
    pub(super) fn queue(&mut self, b: &Block<ast::QueueStmt>) {
        let qid = ir::QueueId(u32::try_from(self.playbook.queues.len()).unwrap_or(u32::MAX));
        self.origins.queues.push(*b.name.loc);
        let mut q = ir::Queue {
            name: b.name.name.clone(),
            members: Vec::new(),
            assign: ir::Assign::RoundRobin,
            capacity_per_seller: None,
            calendar: None,
            order: ir::QueueOrder::Fifo,
            overflow: None,
        };
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        for s in &b.body {
            let key = match &s.kind {
                ast::QueueStmt::Members(_) => "the member list",
                ast::QueueStmt::RoundRobin | ast::QueueStmt::LeastLoaded => "the assignment rule",
                ast::QueueStmt::Capacity(_) => "the capacity",
                ast::QueueStmt::Calendar(_) => "the calendar",
                ast::QueueStmt::OrderFifo | ast::QueueStmt::OrderBy(_) => "the pick-up order",
                ast::QueueStmt::Overflow(_) => "the overflow queue",
            };
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                self.repeated(key, *first, *s.loc);
                continue;
            }
            seen.push((key, *s.loc));
            match &s.kind {
                ast::QueueStmt::Members(members) => {
                    for m in members {
                        if self.names.is_declaration(Kind::Seller, m) {
                            let sid = ir::SellerId(
                                u32::try_from(self.playbook.sellers.len()).unwrap_or(u32::MAX),
                            );
                            self.playbook.sellers.push(ir::Seller {
                                name: m.name.clone(),
                                queue: qid,
                            });
                            q.members.push(sid);
                        }
                    }
                }
                ast::QueueStmt::RoundRobin => q.assign = ir::Assign::RoundRobin,
                ast::QueueStmt::LeastLoaded => q.assign = ir::Assign::LeastLoaded,
                ast::QueueStmt::Capacity(n) => {
                    q.capacity_per_seller = Some(self.count(n, "a capacity", 1))
                }
                ast::QueueStmt::Calendar(c) => q.calendar = self.resolve(c),
                ast::QueueStmt::OrderFifo => q.order = ir::QueueOrder::Fifo,
                ast::QueueStmt::OrderBy(bands) => {
                    if let Some(set) = self.resolve(bands) {
                        q.order = ir::QueueOrder::ByBand(set);
                    }
                }
                ast::QueueStmt::Overflow(o) => {
                    q.overflow = self.resolve(o);
                    if q.overflow == Some(qid) {
                        self.diags
                            .push(messages::overflows_into_itself(*o.loc, &b.name.name));
                        q.overflow = None;
                    }
                }
            }
        }
        self.playbook.queues.push(q);
    }

    /// Lowers an `accounts` block, whose key must be a text field to match account names.
    pub(super) fn accounts(&mut self, b: &Block<ast::AccountsStmt>) {
        self.origins.accounts.push(*b.name.loc);
        let mut key: Option<ir::FieldId> = None;
        // A `key` whose field does not resolve is reported there, not again as missing.
        let mut keyed = false;
        let mut owners: Vec<(String, ir::SellerId)> = Vec::new();
        for s in &b.body {
            match &s.kind {
                ast::AccountsStmt::Key(k) => {
                    keyed = true;
                    if let Some(field) = self.resolve::<ir::FieldId>(k) {
                        let is_text = matches!(
                            self.playbook.fields.get(field.index()).map(|f| &f.ty),
                            Some(ir::FieldType::Text)
                        );
                        if !is_text {
                            self.diags
                                .push(messages::account_key_not_text(*k.loc, &k.name));
                        }
                        key = Some(field);
                    }
                }
                ast::AccountsStmt::Account { key: k, owner } => {
                    let Some(seller) = self.resolve(owner) else {
                        continue;
                    };
                    let k = k.value.to_lowercase();
                    if owners.iter().any(|(x, _)| *x == k) {
                        self.diags.push(messages::duplicate_account(*s.loc, &k));
                        continue;
                    }
                    owners.push((k, seller));
                }
            }
        }
        owners.sort_by(|a, b| a.0.cmp(&b.0));
        if !keyed {
            self.diags
                .push(messages::accounts_without_key(*b.name.loc, &b.name.name));
        }
        self.playbook.accounts.push(ir::AccountSet {
            name: b.name.name.clone(),
            key: key.unwrap_or(ir::FieldId(0)),
            owners,
        });
    }

    /// Lowers a `router` block, which needs an `otherwise` rule so no lead is stranded.
    pub(super) fn router(&mut self, b: &Block<ast::RouteRule>) {
        self.origins.routers.push(*b.name.loc);
        let mut rules = Vec::new();
        let mut spans = Vec::new();
        for s in &b.body {
            let rule = match &s.kind {
                ast::RouteRule::OwnerFrom(a) => self
                    .resolve(a)
                    .map(|accounts| ir::RouteRule::Owner { accounts }),
                ast::RouteRule::When { when, to } => {
                    let when = self.cond(when, Scope::Lead);
                    self.resolve(to)
                        .map(|queue| ir::RouteRule::When { when, queue })
                }
                ast::RouteRule::Otherwise(to) => self
                    .resolve(to)
                    .map(|queue| ir::RouteRule::Otherwise { queue }),
            };
            if let Some(rule) = rule {
                rules.push(rule);
                spans.push(*s.loc);
            }
        }
        if !rules
            .iter()
            .any(|r| matches!(r, ir::RouteRule::Otherwise { .. }))
        {
            self.diags.push(messages::router_without_otherwise(
                *b.name.loc,
                &b.name.name,
            ));
        }
        self.origins.route_rules.push(spans);
        self.playbook.routers.push(ir::Router {
            name: b.name.name.clone(),
            rules,
        });
    }

    /// Resolves `route to QUEUE` / `route via ROUTER`; the other kind of target is reported
    /// with the right keyword and then used, so the rest of the check sees the intended route.
    pub(super) fn route_target(
        &mut self,
        target: &Ident,
        to_queue: bool,
    ) -> Option<ir::RouteTarget> {
        let (wanted, other) = if to_queue {
            (Kind::Queue, Kind::Router)
        } else {
            (Kind::Router, Kind::Queue)
        };
        if let Some(d) = self.names.get(wanted, &target.name) {
            return Some(if to_queue {
                ir::RouteTarget::Queue(ir::QueueId(d.index))
            } else {
                ir::RouteTarget::Router(ir::RouterId(d.index))
            });
        }
        let Some(d) = self.names.get(other, &target.name) else {
            self.names.resolve(wanted, target, &mut self.diags);
            return None;
        };
        let declared = self.names.misreference(other, d.index).then_some(d.span);
        self.diags.push(messages::wrong_route_target(
            *target.loc,
            &target.name,
            to_queue,
            declared,
        ));
        Some(if to_queue {
            ir::RouteTarget::Router(ir::RouterId(d.index))
        } else {
            ir::RouteTarget::Queue(ir::QueueId(d.index))
        })
    }
}
