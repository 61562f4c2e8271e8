//! Declarations nothing refers to.

use super::*;

pub(super) fn unused(p: &Playbook, o: &Origins, out: &mut Vec<Diagnostic>) {
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
    let mut used_shapes = vec![false; p.shapes.len()];
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
            Kind::Shape => set(&mut used_shapes, i),
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
        let signals = sc
            .profiles
            .iter()
            .flat_map(|p| p.signals.iter().map(|s| s.shape));
        for shape in sc.sources.iter().map(|s| s.shape).chain(signals).flatten() {
            set(&mut used_shapes, shape.index());
        }
    }
    for c in p.shapes.iter().filter_map(|s| s.holiday_calendar) {
        set(&mut used_calendars, c.index());
    }

    let report =
        |out: &mut Vec<Diagnostic>, used: &[bool], spans: &[Span], names: Vec<&str>, kind: &str| {
            for (i, u) in used.iter().enumerate() {
                if !u {
                    let name = names.get(i).copied().unwrap_or("");
                    out.push(messages::unused_declaration(span_of(spans, i), kind, name));
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
    report(
        out,
        &used_shapes,
        &o.shapes,
        p.shapes.iter().map(|s| s.name.as_str()).collect(),
        "shape",
    );
}

pub(super) fn visit_accounts(c: &Cond, f: &mut dyn FnMut(ir::AccountsId)) {
    match c {
        Cond::And { all: cs } | Cond::Or { any: cs } => {
            cs.iter().for_each(|x| visit_accounts(x, f))
        }
        Cond::Not { cond } => visit_accounts(cond, f),
        Cond::InAccounts { accounts, .. } => f(*accounts),
        _ => {}
    }
}
