//! The parts of a playbook `handoff test --coverage` counts, each with its name and span: the
//! checker lists them because only it still knows where each part is written.

use super::origins::Origins;
use crate::ir::{
    self, BandSetId, BreachAction, HandoffId, ReasonId, RouteRule, RouterId, SequenceId, TrackId,
};
use crate::span::Span;
use crate::testing::{CoverageItem, Part};

/// Every part of `p` a test can reach, grouped by kind in the order reports list them.
pub(super) fn items(p: &ir::Playbook, o: &Origins) -> Vec<CoverageItem> {
    let mut items = Vec::new();
    let mut push = |part, name: String, span: Option<&Span>| {
        if let Some(span) = span {
            items.push(CoverageItem {
                part,
                name,
                span: *span,
            });
        }
    };
    for (i, h) in p.handoffs.iter().enumerate() {
        push(
            Part::Rule(HandoffId(id(i))),
            h.name.clone(),
            Some(&h.origin),
        );
    }
    for (r, router) in p.routers.iter().enumerate() {
        let spans = o.route_rules.get(r);
        for (n, rule) in router.rules.iter().enumerate() {
            let name = format!("{} line {}: {}", router.name, n + 1, route_rule(p, rule));
            push(
                Part::RouterLine(RouterId(id(r)), n),
                name,
                spans.and_then(|s| s.get(n)),
            );
        }
    }
    for (i, h) in p.handoffs.iter().enumerate() {
        let spans = o.breach_steps.get(i);
        for (n, action) in h.breach.iter().enumerate() {
            let name = format!("{} on breach: {}", h.name, breach_action(p, action));
            push(
                Part::BreachStep(HandoffId(id(i)), n),
                name,
                spans.and_then(|s| s.get(n)),
            );
        }
        if let Some(limit) = &h.breach_limit {
            let span = o
                .breach_limits
                .iter()
                .find(|(h, _)| *h == i)
                .map(|(_, s)| s);
            let name = format!(
                "{} on breach: after {} breaches recycle",
                h.name, limit.breaches
            );
            push(Part::BreachLimit(HandoffId(id(i))), name, span);
        }
    }
    for (i, r) in p.reasons.iter().enumerate() {
        push(
            Part::Reason(ReasonId(id(i))),
            r.name.clone(),
            o.reasons.get(i),
        );
    }
    for (i, t) in p.tracks.iter().enumerate() {
        let span = o.tracks.get(i);
        push(Part::TrackEntered(TrackId(id(i))), t.name.clone(), span);
        push(Part::TrackLeft(TrackId(id(i))), t.name.clone(), span);
    }
    for (s, set) in p.band_sets.iter().enumerate() {
        let spans = o.bands.get(s);
        for (n, band) in set.bands.iter().enumerate() {
            let name = format!("{} {}", set.name, band.name);
            push(
                Part::Band(BandSetId(id(s)), n),
                name,
                spans.and_then(|s| s.get(n)),
            );
        }
    }
    for (i, d) in p.disqualifiers.iter().enumerate() {
        push(
            Part::Disqualifier(i),
            d.name.clone(),
            o.disqualifiers.get(i),
        );
    }
    for (s, seq) in p.sequences.iter().enumerate() {
        let spans = o.sequence_steps.get(s);
        for (n, step) in seq.steps.iter().enumerate() {
            let name = format!("{} day {} {}", seq.name, step.day, step.channel.name());
            push(
                Part::SequenceStep(SequenceId(id(s)), n),
                name,
                spans.and_then(|s| s.get(n)),
            );
        }
    }
    items
}

fn id(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn named<T>(items: &[T], index: usize, name: impl Fn(&T) -> &str) -> &str {
    items.get(index).map_or("", name)
}

fn route_rule(p: &ir::Playbook, rule: &RouteRule) -> String {
    let queue = |q: &ir::QueueId| named(&p.queues, q.index(), |q| &q.name).to_string();
    match rule {
        RouteRule::Owner { accounts } => format!(
            "owner from {}",
            named(&p.accounts, accounts.index(), |a| &a.name)
        ),
        RouteRule::When { queue: q, .. } => format!("when ... to {}", queue(q)),
        RouteRule::Otherwise { queue: q } => format!("otherwise to {}", queue(q)),
    }
}

fn breach_action(p: &ir::Playbook, action: &BreachAction) -> String {
    let queue = |q: &ir::QueueId| named(&p.queues, q.index(), |q| &q.name).to_string();
    let to = |word: &str, q: &Option<ir::QueueId>| match q {
        Some(q) => format!("{word} to {}", queue(q)),
        None => word.to_string(),
    };
    match action {
        BreachAction::Rescue { track } => format!(
            "rescue with {}",
            named(&p.tracks, track.index(), |t| &t.name)
        ),
        BreachAction::Requeue { queue: q, .. } => to("requeue", q),
        BreachAction::Escalate { queue: q } => format!("escalate to {}", queue(q)),
        BreachAction::Reassign { queue: q } => to("reassign", q),
        BreachAction::Notify { role } => format!("notify {role}"),
    }
}
