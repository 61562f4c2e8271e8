//! Whole-playbook lints over the IR: the mistakes that only show when rules meet each other.
//!
//! Each lint is a function from the IR (and [`Origins`] for spans) to diagnostics, so adding
//! one never touches lowering. The analyses are conservative: a lint fires only when the
//! problem is certain or the pattern is almost always a mistake.

use super::names::Kind;
use super::origins::Origins;
use crate::diagnostics::{messages, Diagnostic};
use crate::ir::{
    self, BreachAction, Cond, Destination, Playbook, RouteRule, RouteTarget, Sla, TrackEnd,
};
use crate::span::Span;
use std::collections::{BTreeMap, BTreeSet};

mod bands;
mod entry;
mod handoffs;
mod reachability;
mod unused;

use bands::*;
use entry::*;
use handoffs::*;
use reachability::*;
use unused::*;

/// Runs every lint.
pub fn run(p: &Playbook, o: &Origins) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    business_time_without_calendar(p, o, &mut out);
    ping_pong(p, o, &mut out);
    unreachable_tracks(p, o, &mut out);
    entry_always_holds(p, o, &mut out);
    unreachable_rules(p, o, &mut out);
    overlapping_handoffs(p, o, &mut out);
    bands(p, o, &mut out);
    unbounded_requeue(p, o, &mut out);
    unused(p, o, &mut out);
    out
}

fn span_of(spans: &[Span], i: usize) -> Span {
    spans.get(i).copied().unwrap_or_default()
}

/// Queues a handoff can put a lead in: its route and every breach destination.
pub(super) fn reachable_queues(p: &Playbook, h: &ir::Handoff) -> BTreeSet<ir::QueueId> {
    let mut qs = BTreeSet::new();
    match h.route {
        RouteTarget::Queue(q) => {
            qs.insert(q);
        }
        RouteTarget::Router(r) => {
            for rule in p.routers.get(r.index()).map_or(&[][..], |r| &r.rules) {
                match rule {
                    RouteRule::When { queue, .. } | RouteRule::Otherwise { queue } => {
                        qs.insert(*queue);
                    }
                    RouteRule::Owner { accounts } => {
                        for (_, s) in p
                            .accounts
                            .get(accounts.index())
                            .map_or(&[][..], |a| &a.owners)
                        {
                            if let Some(seller) = p.sellers.get(s.index()) {
                                qs.insert(seller.queue);
                            }
                        }
                    }
                }
            }
        }
    }
    for a in &h.breach {
        match a {
            BreachAction::Requeue { queue: Some(q), .. }
            | BreachAction::Escalate { queue: q }
            | BreachAction::Reassign { queue: Some(q) } => {
                qs.insert(*q);
            }
            _ => {}
        }
    }
    let mut frontier: Vec<ir::QueueId> = qs.iter().copied().collect();
    while let Some(q) = frontier.pop() {
        if let Some(next) = p.queues.get(q.index()).and_then(|q| q.overflow) {
            if qs.insert(next) {
                frontier.push(next);
            }
        }
    }
    qs
}
