//! Queues a scenario's sellers cannot keep up with (W0402) and queues it leaves without
//! sellers (W0403).
//!
//! Run on the checked IR, once it has no errors: the offered load comes from a pilot of the
//! scenario through the engine ([`crate::sim::load`]), which needs a whole playbook. W0402 fires
//! exactly when a queue's offered work or open leads reach what its sellers give, or when
//! handoffs reach a queue no seller staffs; W0403 is left for queues a handoff can route to
//! and no seller staffs, where the pilot saw no lead arrive (or did not run).

use super::origins::Origins;
use super::Pilot;
use crate::diagnostics::{messages, Diagnostic};
use crate::engine::Engine;
use crate::ir::{self, Playbook};
use crate::sim::load::{self, QueueLoad};
use crate::span::Span;

/// Every scenario's load findings.
/// Without the pilot only W0403 is reported, for every unstaffed queue a handoff can reach.
pub(super) fn lint(p: &Playbook, o: &Origins, pilot: Pilot) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let engine = (pilot == Pilot::Run).then(|| Engine::new(p).ok()).flatten();
    let reached = routed_queues(p);
    for (i, sc) in p.scenarios.iter().enumerate() {
        let name = o.scenarios.get(i).copied().unwrap_or_default();
        let staffed = o.staff.get(i).map_or(&[][..], Vec::as_slice);
        let loads = engine.as_ref().and_then(|e| load::offered(e, sc));
        for (queue, handoff) in &reached {
            let staff = sc.staff.iter().find(|st| st.queue == *queue);
            if staff.is_some_and(|st| st.sellers > 0) {
                continue;
            }
            let fed = loads
                .as_ref()
                .and_then(|l| l.get(queue.index()))
                .filter(|l| l.handoffs_per_day > 0.0);
            if fed.is_none() {
                let queue_name = queue_name(p, *queue);
                out.push(messages::unstaffed_queue(
                    name, &sc.name, queue_name, handoff,
                ));
            }
        }
        for l in loads.iter().flatten().filter(|l| l.overloaded()) {
            let at = staffed
                .iter()
                .find(|(q, _)| *q == l.queue)
                .map_or(name, |(_, span)| *span);
            out.push(finding(p, sc, l, at));
        }
    }
    out
}

/// The W0402 for an overloaded queue, naming the resource that binds.
fn finding(p: &Playbook, sc: &ir::scenario::Scenario, l: &QueueLoad, at: Span) -> Diagnostic {
    let queue = queue_name(p, l.queue);
    let sellers = (sc.staff.iter())
        .find(|st| st.queue == l.queue)
        .map_or(0, |st| st.sellers);
    if l.seller_hours_per_day <= 0.0 {
        return messages::unstaffed_load(at, &sc.name, queue, l.handoffs_per_day);
    }
    match (l.slots, l.slot_load()) {
        (Some(slots), Some(slot_load)) if slot_load >= l.work_load() => {
            messages::over_capacity_queue(at, &sc.name, queue, (l.held, slots), sellers)
        }
        _ => messages::overworked_queue(
            at,
            &sc.name,
            queue,
            (l.work_hours_per_day, l.seller_hours_per_day),
            sellers,
        ),
    }
}

fn queue_name(p: &Playbook, q: ir::QueueId) -> &str {
    p.queues.get(q.index()).map_or("?", |q| q.name.as_str())
}

/// Each queue some handoff can route a lead to, with the first such handoff.
fn routed_queues(p: &Playbook) -> Vec<(ir::QueueId, &str)> {
    let mut reached: Vec<(ir::QueueId, &str)> = Vec::new();
    for h in &p.handoffs {
        for q in super::lints::reachable_queues(p, h) {
            if !reached.iter().any(|(r, _)| *r == q) {
                reached.push((q, &h.name));
            }
        }
    }
    reached
}
