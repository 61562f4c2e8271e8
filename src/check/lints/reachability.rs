//! Tracks that can never be entered and rules that can never fire, from what conditions impose on enum fields and bands.

use super::*;

pub(super) fn unreachable_tracks(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
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
        out.push(messages::unreachable_track(span_of(&o.tracks, i), &t.name));
    }
}

pub(super) fn unreachable_rules(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
    for (ri, r) in p.routers.iter().enumerate() {
        let spans = o.route_rules.get(ri).map_or(&[][..], Vec::as_slice);
        let mut caught_all: Option<usize> = None;
        for (i, rule) in r.rules.iter().enumerate() {
            if let Some(first) = caught_all {
                // Point at the catch-all from the first dead rule only.
                let catch_all = (i == first + 1).then(|| span_of(spans, first));
                out.push(messages::rule_after_catch_all(
                    span_of(spans, i),
                    &r.name,
                    catch_all,
                ));
                continue;
            }
            let always = match rule {
                RouteRule::Otherwise { .. } => true,
                // After a syntax error, `true` may stand in for a condition on unread names.
                RouteRule::When { when, .. } => matches!(when, Cond::True) && !o.incomplete,
                RouteRule::Owner { .. } => false,
            };
            if always {
                caught_all = Some(i);
            }
            if let RouteRule::When { when, .. } = rule {
                if never_true(when) {
                    out.push(messages::routing_condition_never_true(span_of(spans, i)));
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
        let named = (at != name).then_some(name);
        out.push(messages::handoff_never_fires(at, &h.name, named));
    }
}

/// Constraints a condition imposes on enum fields and bands, for disjointness checks.
/// Only conjunctions are understood; anything else imposes nothing (conservative).
pub(super) fn constraints(c: &Cond, acc: &mut Vec<(Key, u64)>) {
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
pub(super) enum Key {
    Field(ir::FieldRef),
    Bands(ir::BandSetId),
    Flag(ir::FieldRef),
}

/// Combined mask per key (intersection of a conjunction's constraints).
pub(super) fn masks(c: &Cond) -> Vec<(Key, u64)> {
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
pub(super) fn never_true(c: &Cond) -> bool {
    masks(c).iter().any(|(_, m)| *m == 0)
}

/// Two conditions that cannot hold together.
pub(super) fn disjoint(a: &Cond, b: &Cond) -> bool {
    let (ma, mb) = (masks(a), masks(b));
    ma.iter()
        .any(|(k, m)| mb.iter().any(|(k2, m2)| k == k2 && m & m2 == 0))
}
