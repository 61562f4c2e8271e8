//! Lints on handoff rules: business time without a calendar, ping-pong recycling, rules that route the same lead two ways, and requeues without end.

use super::*;

pub(super) fn business_time_without_calendar(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    // A header or calendar that did not parse may well have named the calendar.
    if p.default_calendar.is_some() || o.incomplete {
        return;
    }
    for (i, h) in p.handoffs.iter().enumerate() {
        if matches!(h.sla, Sla::Wall(_)) {
            continue;
        }
        let missing: Vec<String> = reachable_queues(p, h)
            .into_iter()
            .filter_map(|q| p.queues.get(q.index()))
            .filter(|q| q.calendar.is_none())
            .map(|q| format!("`{}`", q.name))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let at = o.handoff(i).sla.unwrap_or(h.origin);
        out.push(messages::business_time_without_calendar(
            at, &h.name, &missing,
        ));
    }
}

/// Whether a handoff fires on standing state rather than a fresh event.
pub(super) fn state_triggered(h: &ir::Handoff) -> bool {
    h.trigger.on.is_empty()
}

/// Whether the lint may reason about what a handoff's trigger catches: not when an event in it
/// failed to resolve (it would look like a standing-state rule).
pub(super) fn trigger_known(o: &Origins, i: usize) -> bool {
    !o.handoff(i).partial_trigger
}

pub(super) fn ping_pong(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    // Each handoff is pointed at once; later findings name it in their message.
    let mut labelled = BTreeSet::new();
    for (ri, r) in p.reasons.iter().enumerate() {
        let Destination::Recycle { track, .. } = r.destination else {
            continue;
        };
        let window = r.suppression.as_ref().map_or(0, |s| s.window_secs);
        // A standing-state rule the suppression does not hold back takes the lead straight back.
        let Some((hi, h)) = p.handoffs.iter().enumerate().find(|(i, h)| {
            let exempt = r
                .suppression
                .as_ref()
                .is_some_and(|s| s.unless.iter().any(|u| u.index() == *i));
            state_triggered(h) && trigger_known(o, *i) && (window == 0 || exempt)
        }) else {
            continue;
        };
        let at = o
            .recycles
            .get(ri)
            .copied()
            .flatten()
            .unwrap_or_else(|| span_of(&o.reasons, ri));
        let track_name = p.tracks.get(track.index()).map_or("", |t| t.name.as_str());
        let handoff_at = labelled.insert(hi).then(|| o.handoff(hi).name);
        out.push(if window == 0 {
            messages::ping_pong_unsuppressed(at, &r.name, track_name, &h.name, handoff_at)
        } else {
            messages::ping_pong_exempt(at, &r.name, &h.name, handoff_at)
        });
    }
}

/// Whether two handoffs can be triggered by the same input.
pub(super) fn same_trigger(a: &ir::Handoff, b: &ir::Handoff) -> bool {
    match (a.trigger.on.is_empty(), b.trigger.on.is_empty()) {
        (true, true) => true,
        (false, false) => a.trigger.on.iter().any(|x| {
            b.trigger.on.iter().any(|y| {
                (x.event.is_none() || y.event.is_none() || x.event == y.event)
                    && !disjoint(&x.filter, &y.filter)
            })
        }),
        _ => false,
    }
}

/// Where a route sends a lead, for messages.
pub(super) fn describe_route(p: &Playbook, r: RouteTarget) -> String {
    match r {
        RouteTarget::Queue(q) => format!(
            "queue `{}`",
            p.queues.get(q.index()).map_or("", |q| q.name.as_str())
        ),
        RouteTarget::Router(r) => format!(
            "router `{}`",
            p.routers.get(r.index()).map_or("", |r| r.name.as_str())
        ),
    }
}

/// Reports each handoff at most once, against the nearest earlier rule it overlaps: n rules
/// that all overlap give n - 1 findings, not n² / 2, and the two labels stay close.
pub(super) fn overlapping_handoffs(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    // Only rules of equal priority can conflict, so compare within priority groups.
    let mut groups: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, h) in p.handoffs.iter().enumerate() {
        groups.entry(h.priority).or_default().push(i);
    }
    for group in groups.values() {
        for (k, &j) in group.iter().enumerate() {
            overlap_with_earlier(p, o, j, group.iter().take(k).rev().copied(), out);
        }
    }
}

/// Reports handoff `j` against the first rule in `earlier` that can route its lead elsewhere.
pub(super) fn overlap_with_earlier(
    p: &Playbook,
    o: &Origins,
    j: usize,
    earlier: impl Iterator<Item = usize>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(b) = p.handoffs.get(j) else {
        return;
    };
    if !trigger_known(o, j) {
        return;
    }
    for i in earlier {
        let Some(a) = p.handoffs.get(i) else {
            continue;
        };
        if a.route == b.route || !trigger_known(o, i) {
            continue;
        }
        if !same_trigger(a, b) || disjoint(&a.trigger.when, &b.trigger.when) {
            continue;
        }
        out.push(messages::overlapping_handoffs(
            o.handoff(j).name,
            &a.name,
            &b.name,
            &describe_route(p, b.route),
            o.handoff(i).name,
            &describe_route(p, a.route),
            a.priority,
        ));
        return;
    }
}

pub(super) fn unbounded_requeue(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    for (i, h) in p.handoffs.iter().enumerate() {
        let loops = h.breach.iter().any(|a| {
            matches!(
                a,
                BreachAction::Requeue { .. }
                    | BreachAction::Reassign { .. }
                    | BreachAction::Escalate { .. }
            )
        });
        if loops && h.breach_limit.is_none() {
            let origin = o.handoff(i);
            let at = origin.requeue.or(origin.breach).unwrap_or(h.origin);
            out.push(messages::unbounded_requeue(at, &h.name));
        }
    }
}
