//! The engine's lookup tables, built once per playbook, so that an event only visits the rules
//! that listen to it, and every condition is tested in its compiled form ([`Plan`]).

use super::plan::Plan;
use super::*;
use crate::ir::{Cond, RouteRule};

/// Lookup tables so that an event only visits the rules that listen to it.
#[derive(Debug, Clone, Default)]
pub(super) struct Tables {
    /// Per event: the score entries, counters and handoff rules it may feed.
    pub(super) by_event: Vec<EventTable>,
    /// Per handoff rule, its `when`.
    pub(super) handoff_when: Vec<Plan>,
    /// Handoff rules with no `on` clause, considered after every update.
    pub(super) state_handoffs: Vec<HandoffId>,
    /// Per track, its exits' conditions, in declaration order.
    pub(super) exits: Vec<Vec<Plan>>,
    /// Per track, its `enter when`, if it has one.
    pub(super) enter_when: Vec<Option<Plan>>,
    /// Per router, per line, the line's `when` (`None` for lines without one).
    pub(super) route_when: Vec<Vec<Option<Plan>>>,
    /// Per score, the conditions of its fit rules, in declaration order.
    pub(super) fit_when: Vec<Vec<Plan>>,
    /// Per disqualifier, its `when`.
    pub(super) disqualifier_when: Vec<Plan>,
    /// Disqualifiers to run when attributes are set (arrival, attribute change): those without
    /// an `on` clause, in declaration order.
    pub(super) attribute_disqualifiers: Vec<Listener>,
    /// The most signals any context package shows.
    pub(super) keep_signals: usize,
    /// Role names of `notify` breach steps, shared so actions do not copy strings.
    pub(super) roles: Vec<Vec<Option<Arc<str>>>>,
    /// When every state rule and every track exit only rises ([`Plan::rises_only`]), the
    /// playbook's fingerprint, which marks a lead quiet ([`LeadState::quiet`]); otherwise zero,
    /// and no lead is ever quiet.
    pub(super) quiet_mark: u64,
}

/// What one event may feed: points, counts, handoff rules and disqualifiers.
#[derive(Debug, Clone, Default)]
pub(super) struct EventTable {
    /// Score entries (score, entry) that may give the event points, with their filters.
    pub(super) points: Vec<(ScoreId, usize, Plan)>,
    /// Counters that may count the event, with their filters.
    pub(super) counters: Vec<(CounterId, Plan)>,
    /// Handoff rules listening to the event, with the filters of their `on` lines that do.
    pub(super) handoffs: Vec<(HandoffId, Vec<Plan>)>,
    /// Disqualifiers the event may fire, in declaration order: those listening to it, and those
    /// without an `on` clause whose condition reads more than attributes (an event cannot
    /// change an attribute-only condition).
    pub(super) disqualifiers: Vec<Listener>,
}

/// A rule (a disqualifier) that an update may fire, with the filters of its `on` lines that
/// listen to the update's event; it fires when it has no `on` line or one of them passes, and
/// its `when` holds.
#[derive(Debug, Clone)]
pub(super) struct Listener {
    pub(super) rule: usize,
    pub(super) filters: Vec<Plan>,
}

pub(super) fn listens(event: Option<EventId>, to: EventId) -> bool {
    event.is_none_or(|e| e == to)
}

impl Tables {
    pub(super) fn new(playbook: &Playbook) -> Tables {
        let id = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let state = |cond: &Cond| Plan::new(playbook, cond, None);
        let disqualifier_when: Vec<Plan> = (playbook.disqualifiers.iter())
            .map(|d| state(&d.trigger.when))
            .collect();
        let by_event = (0..playbook.events.len())
            .map(|e| {
                let def = playbook.events.get(e);
                let e = EventId(id(e));
                let filter = |cond: &Cond| Plan::new(playbook, cond, def);
                let filters = |on: &[crate::ir::EventTrigger]| -> Vec<Plan> {
                    (on.iter())
                        .filter(|t| listens(t.event, e))
                        .map(|t| filter(&t.filter))
                        .collect()
                };
                let mut table = EventTable::default();
                for (s, score) in playbook.scores.iter().enumerate() {
                    for (i, points) in score.per_event.iter().enumerate() {
                        if listens(points.event, e) {
                            table
                                .points
                                .push((ScoreId(id(s)), i, filter(&points.filter)));
                        }
                    }
                }
                for (c, counter) in playbook.counters.iter().enumerate() {
                    if listens(counter.event, e) {
                        table
                            .counters
                            .push((CounterId(id(c)), filter(&counter.filter)));
                    }
                }
                for (h, rule) in playbook.handoffs.iter().enumerate() {
                    if rule.trigger.on.iter().any(|t| listens(t.event, e)) {
                        table
                            .handoffs
                            .push((HandoffId(id(h)), filters(&rule.trigger.on)));
                    }
                }
                table.disqualifiers = (playbook.disqualifiers.iter().enumerate())
                    .filter(|(d_index, d)| {
                        let on = &d.trigger.on;
                        // The `when` plan says whether only attributes can change it.
                        on.iter().any(|t| listens(t.event, e))
                            || (on.is_empty()
                                && !disqualifier_when.get(*d_index).is_some_and(Plan::is_static))
                    })
                    .map(|(rule, d)| Listener {
                        rule,
                        filters: filters(&d.trigger.on),
                    })
                    .collect();
                table
            })
            .collect();
        let on_state = |trigger: &crate::ir::Trigger| trigger.on.is_empty();
        let handoff_when: Vec<Plan> = (playbook.handoffs.iter())
            .map(|h| state(&h.trigger.when))
            .collect();
        let state_handoffs: Vec<HandoffId> = (playbook.handoffs.iter().enumerate())
            .filter(|(_, h)| on_state(&h.trigger))
            .map(|(h, _)| HandoffId(id(h)))
            .collect();
        let exits: Vec<Vec<Plan>> = (playbook.tracks.iter())
            .map(|t| t.exits.iter().map(|e| state(&e.when)).collect())
            .collect();
        let enter_when = (playbook.tracks.iter())
            .map(|t| t.enter_when.as_ref().map(state))
            .collect();
        let route_when = (playbook.routers.iter())
            .map(|r| {
                (r.rules.iter())
                    .map(|rule| match rule {
                        RouteRule::When { when, .. } => Some(state(when)),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let fit_when = (playbook.scores.iter())
            .map(|s| s.when.iter().map(|(_, cond)| state(cond)).collect())
            .collect();
        let attribute_disqualifiers = (playbook.disqualifiers.iter().enumerate())
            .filter(|(_, d)| on_state(&d.trigger))
            .map(|(rule, _)| Listener {
                rule,
                filters: Vec::new(),
            })
            .collect();
        let keep_signals = playbook
            .contexts
            .iter()
            .flat_map(|c| &c.items)
            .filter_map(|item| match item {
                crate::ir::ContextItem::TopSignals(n) => usize::try_from(*n).ok(),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let roles = playbook
            .handoffs
            .iter()
            .map(|h| {
                h.breach
                    .iter()
                    .map(|a| match a {
                        BreachAction::Notify { role } => Some(Arc::from(role.as_str())),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        // A lead is quiet when its state rules and exits were false at its last step.
        let rises_only = (state_handoffs.iter())
            .filter_map(|h| handoff_when.get(h.index()))
            .chain(exits.iter().flatten())
            .all(Plan::rises_only);
        Tables {
            by_event,
            quiet_mark: if rises_only { fingerprint(playbook) } else { 0 },
            handoff_when,
            state_handoffs,
            exits,
            enter_when,
            route_when,
            fit_when,
            disqualifier_when,
            attribute_disqualifiers,
            keep_signals,
            roles,
        }
    }
}
