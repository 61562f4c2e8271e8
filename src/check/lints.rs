//! Whole-playbook lints over the IR: the mistakes that only show when rules meet each other.
//!
//! Each lint is a function from the IR (and [`Origins`] for spans) to diagnostics, so adding
//! one never touches lowering. The analyses are conservative: a lint fires only when the
//! problem is certain or the pattern is almost always a mistake.

use super::names::Kind;
use super::origins::Origins;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{
    self, BreachAction, Cond, Destination, Playbook, RouteRule, RouteTarget, Sla, TrackEnd,
};
use crate::span::Span;
use std::collections::{BTreeMap, BTreeSet};

/// Runs every lint.
pub fn run(p: &Playbook, o: &Origins) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    business_time_without_calendar(p, o, &mut out);
    ping_pong(p, o, &mut out);
    unreachable_tracks(p, o, &mut out);
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

fn business_time_without_calendar(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
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
        out.push(
            Diagnostic::new(
                Code::BusinessTimeWithoutCalendar,
                at,
                format!(
                    "the SLA of handoff `{}` counts business time but has no calendar",
                    h.name
                ),
            )
            .with_primary_message("business time")
            .with_note(format!("queues without a calendar: {}", missing.join(", ")))
            .with_help(
                "declare a `calendar` and name it in the `playbook` header or in each queue",
            ),
        );
    }
}

/// Whether a handoff fires on standing state rather than a fresh event.
fn state_triggered(h: &ir::Handoff) -> bool {
    h.trigger.on.is_empty()
}

/// Whether the lint may reason about what a handoff's trigger catches: not when an event in it
/// failed to resolve (it would look like a standing-state rule).
fn trigger_known(o: &Origins, i: usize) -> bool {
    !o.handoff(i).partial_trigger
}

fn ping_pong(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
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
        let (message, label, help) = if window == 0 {
            (
                format!(
                    "reason `{}` recycles to `{track_name}` with no suppression and can bounce straight back to a seller",
                    r.name
                ),
                "recycled with no suppression window".to_string(),
                format!(
                    "add `suppress for 30d` to the reason, or make `{}` wait for a fresh event with `on EVENT`",
                    h.name
                ),
            )
        } else {
            (
                format!(
                    "reason `{}` lets `{}` take the lead straight back despite its suppression",
                    r.name, h.name
                ),
                format!("`{}` is exempt from the suppression", h.name),
                format!(
                    "keep `unless` for hand-raise rules; remove `{}` from it",
                    h.name
                ),
            )
        };
        let mut diag = Diagnostic::new(Code::PingPong, at, message)
            .with_primary_message(label)
            .with_help(help);
        if labelled.insert(hi) {
            diag = diag.with_label(
                o.handoff(hi).name,
                format!("`{}` fires on standing state and still holds", h.name),
            );
        }
        out.push(diag);
    }
}

fn unreachable_tracks(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    if o.incomplete {
        return;
    }
    let mut reached = vec![false; p.tracks.len()];
    let mut mark = |t: ir::TrackId| {
        if let Some(r) = reached.get_mut(t.index()) {
            *r = true;
        }
    };
    if let Some(d) = p.default_track {
        mark(d);
    }
    for (i, t) in p.tracks.iter().enumerate() {
        if t.enter_when.is_some() {
            mark(ir::TrackId(u32::try_from(i).unwrap_or(u32::MAX)));
        }
        for e in &t.exits {
            mark(e.to);
        }
        if let TrackEnd::Move(to) = t.then {
            mark(to);
        }
    }
    for r in &p.reasons {
        if let Destination::Recycle { track, .. } = r.destination {
            mark(track);
        }
    }
    for h in &p.handoffs {
        for a in &h.breach {
            if let BreachAction::Rescue { track } = a {
                mark(*track);
            }
        }
        if let Some(l) = h.breach_limit {
            mark(l.track);
        }
    }
    for (i, t) in p.tracks.iter().enumerate() {
        if reached.get(i).copied().unwrap_or(true) {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::UnreachableTrack,
                span_of(&o.tracks, i),
                format!("track `{}` can never be entered", t.name),
            )
            .with_primary_message("no rule leads here")
            .with_help("add `enter when ...`, or name it in `exit to`, `then move to`, `recycle to` or `rescue with`"),
        );
    }
}

fn unreachable_rules(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    for (ri, r) in p.routers.iter().enumerate() {
        let spans = o.route_rules.get(ri).map_or(&[][..], Vec::as_slice);
        let mut caught_all: Option<usize> = None;
        for (i, rule) in r.rules.iter().enumerate() {
            if let Some(first) = caught_all {
                let mut diag = Diagnostic::new(
                    Code::UnreachableRule,
                    span_of(spans, i),
                    format!("this rule of router `{}` can never apply", r.name),
                )
                .with_primary_message("every lead is already routed above");
                // Point at the catch-all from the first dead rule only.
                if i == first + 1 {
                    diag = diag.with_label(span_of(spans, first), "this rule catches every lead");
                }
                out.push(diag);
                continue;
            }
            let always = match rule {
                RouteRule::Otherwise { .. } => true,
                RouteRule::When { when, .. } => matches!(when, Cond::True),
                RouteRule::Owner { .. } => false,
            };
            if always {
                caught_all = Some(i);
            }
            if let RouteRule::When { when, .. } = rule {
                if never_true(when) {
                    out.push(
                        Diagnostic::new(
                            Code::UnreachableRule,
                            span_of(spans, i),
                            "this routing condition can never be true",
                        )
                        .with_primary_message("contradictory condition"),
                    );
                }
            }
        }
    }
    for (i, h) in p.handoffs.iter().enumerate() {
        let when_never = never_true(&h.trigger.when);
        let on_never =
            h.trigger.on.iter().all(|t| never_true(&t.filter)) && !h.trigger.on.is_empty();
        if !trigger_known(o, i) || !(when_never || on_never) {
            continue;
        }
        let name = o.handoff(i).name;
        let at = match o.handoff(i).when {
            Some(when) if when_never => when,
            _ => name,
        };
        let mut diag = Diagnostic::new(
            Code::UnreachableRule,
            at,
            format!("handoff `{}` can never fire", h.name),
        )
        .with_primary_message("this condition contradicts itself")
        .with_help("a field holds one value at a time; `or` may be meant where `and` is written");
        if at != name {
            diag = diag.with_label(name, "in this handoff");
        }
        out.push(diag);
    }
}

/// Constraints a condition imposes on enum fields and bands, for disjointness checks.
/// Only conjunctions are understood; anything else imposes nothing (conservative).
fn constraints(c: &Cond, acc: &mut Vec<(Key, u64)>) {
    match c {
        Cond::And { all } => all.iter().for_each(|x| constraints(x, acc)),
        Cond::EnumIn { field, mask } => acc.push((Key::Field(*field), *mask)),
        Cond::BandIn { bands, mask } => acc.push((Key::Bands(*bands), *mask)),
        Cond::Flag { field } => acc.push((Key::Flag(*field), 1)),
        Cond::Not { cond } => {
            if let Cond::Flag { field } = cond.as_ref() {
                acc.push((Key::Flag(*field), 2));
            }
        }
        Cond::Or { any } if !any.is_empty() => {
            let mut per: Vec<Vec<(Key, u64)>> = Vec::new();
            for x in any {
                let mut v = Vec::new();
                constraints(x, &mut v);
                per.push(v);
            }
            if let Some(first) = per.first() {
                for (k, _) in first {
                    let all_have = per.iter().all(|v| v.iter().any(|(k2, _)| k2 == k));
                    if all_have {
                        let mask = per
                            .iter()
                            .flat_map(|v| v.iter().filter(|(k2, _)| k2 == k).map(|(_, m)| *m))
                            .fold(0, |a, m| a | m);
                        acc.push((*k, mask));
                    }
                }
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Field(ir::FieldRef),
    Bands(ir::BandSetId),
    Flag(ir::FieldRef),
}

/// Combined mask per key (intersection of a conjunction's constraints).
fn masks(c: &Cond) -> Vec<(Key, u64)> {
    let mut raw = Vec::new();
    constraints(c, &mut raw);
    let mut out: Vec<(Key, u64)> = Vec::new();
    for (k, m) in raw {
        match out.iter_mut().find(|(k2, _)| *k2 == k) {
            Some((_, acc)) => *acc &= m,
            None => out.push((k, m)),
        }
    }
    out
}

/// A conjunction that requires an enum, band or flag to take no value at all.
fn never_true(c: &Cond) -> bool {
    masks(c).iter().any(|(_, m)| *m == 0)
}

/// Two conditions that cannot hold together.
fn disjoint(a: &Cond, b: &Cond) -> bool {
    let (ma, mb) = (masks(a), masks(b));
    ma.iter()
        .any(|(k, m)| mb.iter().any(|(k2, m2)| k == k2 && m & m2 == 0))
}

/// Whether two handoffs can be triggered by the same input.
fn same_trigger(a: &ir::Handoff, b: &ir::Handoff) -> bool {
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
fn describe_route(p: &Playbook, r: RouteTarget) -> String {
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
fn overlapping_handoffs(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
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
fn overlap_with_earlier(
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
        out.push(
            Diagnostic::new(
                Code::OverlappingHandoffs,
                o.handoff(j).name,
                format!(
                    "handoffs `{}` and `{}` can route the same lead two ways",
                    a.name, b.name
                ),
            )
            .with_primary_message(format!("routes to {}", describe_route(p, b.route)))
            .with_label(
                o.handoff(i).name,
                format!("routes to {}", describe_route(p, a.route)),
            )
            .with_note(format!(
                "both can fire on the same trigger, and both have priority {}",
                a.priority
            ))
            .with_help(
                "give one a lower `priority` number (it wins), or make their conditions exclusive",
            ),
        );
        return;
    }
}

/// Lowest and highest score a band set's sum can reach.
fn score_range(p: &Playbook, set: &ir::BandSet) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0, 0.0);
    for s in set.scores.iter().filter_map(|s| p.scores.get(s.index())) {
        let neg_when: f64 = s.when.iter().map(|(v, _)| v.min(0.0)).sum();
        let pos_when: f64 = s.when.iter().map(|(v, _)| v.max(0.0)).sum();
        let neg_event = s.per_event.iter().any(|e| e.points < 0.0);
        let pos_event = s.per_event.iter().any(|e| e.points > 0.0);
        lo += if neg_event {
            f64::NEG_INFINITY
        } else {
            neg_when
        };
        hi += match (pos_event, s.cap) {
            (_, Some(cap)) => cap.min(if pos_event { f64::INFINITY } else { pos_when }),
            (true, None) => f64::INFINITY,
            (false, None) => pos_when,
        };
    }
    (lo, hi)
}

/// A band bound for messages: `70`, or words for the open ends.
fn bound(v: f64) -> String {
    if v == f64::INFINITY {
        "no upper end".to_string()
    } else if v == f64::NEG_INFINITY {
        "no lower end".to_string()
    } else {
        v.to_string()
    }
}

fn bands(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    let lower = |b: &ir::Band| b.from.unwrap_or(f64::NEG_INFINITY);
    let upper = |b: &ir::Band| b.to.unwrap_or(f64::INFINITY);
    for (si, set) in p.band_sets.iter().enumerate() {
        // An empty band (reported while lowering) says nothing reliable about coverage.
        if set.bands.iter().any(|b| upper(b) <= lower(b)) {
            continue;
        }
        let spans = o.bands.get(si).map_or(&[][..], Vec::as_slice);
        let mut sorted: Vec<(usize, &ir::Band)> = set.bands.iter().enumerate().collect();
        sorted.sort_by(|(_, x), (_, y)| lower(x).total_cmp(&lower(y)));
        // Without every score block the reachable range is unknown; inner gaps still show.
        if !o.scores_incomplete {
            let (lo, hi) = score_range(p, set);
            if let Some((i, first)) = sorted.first() {
                if lower(first) > lo {
                    let what = if lo.is_finite() {
                        format!("scores from {lo} to {} fall in no band", lower(first))
                    } else {
                        format!("scores below {} fall in no band", lower(first))
                    };
                    out.push(
                        gap(
                            set,
                            spans,
                            *i,
                            what,
                            format!("the lowest band starts at {}", lower(first)),
                        )
                        .with_help(format!(
                            "add `band X below {}` for the lowest scores",
                            lower(first)
                        )),
                    );
                }
            }
            if let Some((i, last)) = sorted.last() {
                if upper(last) <= hi && upper(last).is_finite() {
                    let what = if hi.is_finite() {
                        format!("scores from {} to {hi} fall in no band", upper(last))
                    } else {
                        format!("scores from {} up fall in no band", upper(last))
                    };
                    out.push(
                        gap(
                            set,
                            spans,
                            *i,
                            what,
                            format!("the highest band ends at {}", upper(last)),
                        )
                        .with_help(format!(
                            "drop `to {}` so `{}` has no upper end, or add `band X from {}`",
                            upper(last),
                            last.name,
                            upper(last)
                        )),
                    );
                }
            }
        }
        for pair in sorted.windows(2) {
            let [(ia, a), (ib, b)] = pair else { continue };
            if upper(a) > lower(b) {
                out.push(
                    Diagnostic::new(
                        Code::BandOverlap,
                        span_of(spans, *ib),
                        format!(
                            "bands `{}` and `{}` of `{}` overlap",
                            a.name, b.name, set.name
                        ),
                    )
                    .with_primary_message(format!("starts at {}", lower(b)))
                    .with_label(
                        span_of(spans, *ia),
                        if upper(a).is_finite() {
                            format!("still runs to {}", upper(a))
                        } else {
                            format!("runs on with {}", bound(upper(a)))
                        },
                    )
                    .with_help(format!(
                        "end `{}` at {} (ranges are `from LOW to HIGH`, HIGH excluded)",
                        a.name,
                        lower(b)
                    )),
                );
            } else if upper(a) < lower(b) {
                out.push(
                    gap(
                        set,
                        spans,
                        *ia,
                        format!("scores from {} to {} fall in no band", upper(a), lower(b)),
                        format!("ends at {}", upper(a)),
                    )
                    .with_label(
                        span_of(spans, *ib),
                        format!("the next band starts at {}", lower(b)),
                    )
                    .with_help(format!(
                        "end `{}` at {}, or add `band X from {} to {}`",
                        a.name,
                        lower(b),
                        upper(a),
                        lower(b)
                    )),
                );
            }
        }
    }
}

fn gap(set: &ir::BandSet, spans: &[Span], i: usize, what: String, label: String) -> Diagnostic {
    Diagnostic::new(
        Code::BandGap,
        span_of(spans, i),
        format!("bands of `{}` leave a gap: {what}", set.name),
    )
    .with_primary_message(label)
}

fn unbounded_requeue(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
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
            out.push(
                Diagnostic::new(
                    Code::UnboundedRequeue,
                    at,
                    format!(
                        "the breach path of `{}` can requeue a lead for ever",
                        h.name
                    ),
                )
                .with_primary_message("repeats on every breach, with no limit")
                .with_help("add `after 2 breaches recycle to TRACK as REASON` to the breach path"),
            );
        }
    }
}

fn unused(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    // A block that did not parse may be the one that uses a declaration.
    if o.incomplete {
        return;
    }
    let mut used_contexts = vec![false; p.contexts.len()];
    let mut used_sequences = vec![false; p.sequences.len()];
    let mut used_routers = vec![false; p.routers.len()];
    let mut used_queues = vec![false; p.queues.len()];
    let mut used_accounts = vec![false; p.accounts.len()];
    let mut used_calendars = vec![false; p.calendars.len()];
    let set = |v: &mut Vec<bool>, i: usize| {
        if let Some(x) = v.get_mut(i) {
            *x = true;
        }
    };
    for h in &p.handoffs {
        if let Some(c) = h.context {
            set(&mut used_contexts, c.index());
        }
        if let Some(s) = h.sequence {
            set(&mut used_sequences, s.index());
        }
        if let RouteTarget::Router(r) = h.route {
            set(&mut used_routers, r.index());
        }
        for q in reachable_queues(p, h) {
            set(&mut used_queues, q.index());
        }
        for a in &h.breach {
            if let BreachAction::Requeue {
                context: Some(c), ..
            } = a
            {
                set(&mut used_contexts, c.index());
            }
        }
    }
    for r in &p.routers {
        for rule in &r.rules {
            if let RouteRule::Owner { accounts } = rule {
                set(&mut used_accounts, accounts.index());
            }
        }
    }
    let mut mark_accounts =
        |c: &Cond| visit_accounts(c, &mut |a| set(&mut used_accounts, a.index()));
    for r in &p.routers {
        for rule in &r.rules {
            if let RouteRule::When { when, .. } = rule {
                mark_accounts(when);
            }
        }
    }
    for h in &p.handoffs {
        mark_accounts(&h.trigger.when);
    }
    for (kind, i) in &o.misreferenced {
        let i = *i as usize;
        match kind {
            Kind::Context => set(&mut used_contexts, i),
            Kind::Sequence => set(&mut used_sequences, i),
            Kind::Queue => set(&mut used_queues, i),
            Kind::Accounts => set(&mut used_accounts, i),
            Kind::Calendar => set(&mut used_calendars, i),
            Kind::Router => {
                set(&mut used_routers, i);
                // Its queues are meant to be reached through it.
                for rule in p.routers.get(i).map_or(&[][..], |r| &r.rules) {
                    if let RouteRule::When { queue, .. } | RouteRule::Otherwise { queue } = rule {
                        set(&mut used_queues, queue.index());
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(c) = p.default_calendar {
        set(&mut used_calendars, c.index());
    }
    for q in &p.queues {
        if let Some(c) = q.calendar {
            set(&mut used_calendars, c.index());
        }
    }
    for sc in &p.scenarios {
        for st in &sc.staff {
            if let Some(c) = st.calendar {
                set(&mut used_calendars, c.index());
            }
        }
    }

    let report =
        |out: &mut Vec<Diagnostic>, used: &[bool], spans: &[Span], names: Vec<&str>, kind: &str| {
            for (i, u) in used.iter().enumerate() {
                if !u {
                    let name = names.get(i).copied().unwrap_or("");
                    let how = match kind {
                        "context package" => format!("`context {name}` in a handoff sends it"),
                        "sequence" => format!("`sequence {name}` in a handoff starts it"),
                        "router" => format!("`route via {name}` in a handoff uses it"),
                        "queue" => format!(
                            "`route to {name}`, `overflow to {name}` or a router rule fills it"
                        ),
                        "account set" => format!(
                            "`owner from {name}` in a router or `in {name}` in a condition uses it"
                        ),
                        "calendar" => {
                            format!("`calendar {name}` in the `playbook` header or a queue uses it")
                        }
                        _ => "refer to it from a rule".to_string(),
                    };
                    out.push(
                        Diagnostic::new(
                            Code::UnusedDeclaration,
                            span_of(spans, i),
                            format!("{kind} `{name}` is never used"),
                        )
                        .with_primary_message("declared here")
                        .with_help(format!("{how}; otherwise delete it")),
                    );
                }
            }
        };
    report(
        out,
        &used_contexts,
        &o.contexts,
        p.contexts.iter().map(|c| c.name.as_str()).collect(),
        "context package",
    );
    report(
        out,
        &used_sequences,
        &o.sequences,
        p.sequences.iter().map(|c| c.name.as_str()).collect(),
        "sequence",
    );
    report(
        out,
        &used_routers,
        &o.routers,
        p.routers.iter().map(|c| c.name.as_str()).collect(),
        "router",
    );
    report(
        out,
        &used_queues,
        &o.queues,
        p.queues.iter().map(|c| c.name.as_str()).collect(),
        "queue",
    );
    report(
        out,
        &used_accounts,
        &o.accounts,
        p.accounts.iter().map(|c| c.name.as_str()).collect(),
        "account set",
    );
    report(
        out,
        &used_calendars,
        &o.calendars,
        p.calendars.iter().map(|c| c.name.as_str()).collect(),
        "calendar",
    );
}

fn visit_accounts(c: &Cond, f: &mut dyn FnMut(ir::AccountsId)) {
    match c {
        Cond::And { all: cs } | Cond::Or { any: cs } => {
            cs.iter().for_each(|x| visit_accounts(x, f))
        }
        Cond::Not { cond } => visit_accounts(cond, f),
        Cond::InAccounts { accounts, .. } => f(*accounts),
        _ => {}
    }
}
