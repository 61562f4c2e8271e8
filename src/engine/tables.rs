//! The engine's lookup tables, built once per playbook, so that an event only visits the rules
//! that listen to it and the conditions met most are tested in compiled forms.

use super::*;

/// Lookup tables so that an event only visits the rules that listen to it.
#[derive(Debug, Clone, Default)]
pub(super) struct Tables {
    /// Per event: the score entries, counters and handoff rules it may feed.
    pub(super) by_event: Vec<EventTable>,
    /// Handoff rules with no `on` clause, considered after every update, with their `when`
    /// compiled.
    pub(super) state_handoffs: Vec<(HandoffId, StateTest)>,
    /// Per track, its exits' conditions compiled, in declaration order.
    pub(super) exits: Vec<Vec<StateTest>>,
    /// Disqualifiers to run when attributes are set (arrival, attribute change): those without
    /// an `on` clause, in declaration order.
    pub(super) attribute_disqualifiers: Vec<usize>,
    /// The most signals any context package shows.
    pub(super) keep_signals: usize,
    /// Role names of `notify` breach steps, shared so actions do not copy strings.
    pub(super) roles: Vec<Vec<Option<Arc<str>>>>,
    /// When every state rule and every track exit only rises ([`cond::rises_only`]), the
    /// playbook's fingerprint, which marks a lead quiet ([`LeadState::quiet`]); otherwise zero,
    /// and no lead is ever quiet.
    pub(super) quiet_mark: u64,
}

/// What one event may feed: points, counts, handoff rules and disqualifiers.
#[derive(Debug, Clone, Default)]
pub(super) struct EventTable {
    /// Score entries (score, entry) that may give the event points, with their filters.
    pub(super) points: Vec<(ScoreId, usize, Filter)>,
    /// Counters that may count the event, with their filters.
    pub(super) counters: Vec<(CounterId, Filter)>,
    pub(super) handoffs: Vec<HandoffId>,
    /// Disqualifiers the event may fire, in declaration order: those listening to it, and those
    /// without an `on` clause whose condition reads more than attributes (an event cannot
    /// change an attribute-only condition).
    pub(super) disqualifiers: Vec<usize>,
}

pub(super) fn listens(event: Option<EventId>, to: EventId) -> bool {
    event.is_none_or(|e| e == to)
}

impl Tables {
    pub(super) fn new(playbook: &Playbook) -> Tables {
        let id = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let by_event = (0..playbook.events.len())
            .map(|e| {
                let def = playbook.events.get(e);
                let e = EventId(id(e));
                let filter = |cond: &crate::ir::Cond| {
                    def.map_or(Filter::Cond, |d| Filter::resolve(playbook, cond, d))
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
                        table.handoffs.push(HandoffId(id(h)));
                    }
                }
                table.disqualifiers = (0..playbook.disqualifiers.len())
                    .filter(|&d| {
                        playbook.disqualifiers.get(d).is_some_and(|d| {
                            let on = &d.trigger.on;
                            on.iter().any(|t| listens(t.event, e))
                                || (on.is_empty() && !cond::is_static(&d.trigger.when))
                        })
                    })
                    .collect();
                table
            })
            .collect();
        let on_state = |trigger: &crate::ir::Trigger| trigger.on.is_empty();
        let state_handoffs = (playbook.handoffs.iter().enumerate())
            .filter(|(_, h)| on_state(&h.trigger))
            .map(|(h, def)| {
                (
                    HandoffId(id(h)),
                    StateTest::new(playbook, &def.trigger.when),
                )
            })
            .collect();
        let exits = (playbook.tracks.iter())
            .map(|t| {
                t.exits
                    .iter()
                    .map(|e| StateTest::new(playbook, &e.when))
                    .collect()
            })
            .collect();
        let attribute_disqualifiers = (playbook.disqualifiers.iter().enumerate())
            .filter(|(_, d)| on_state(&d.trigger))
            .map(|(d, _)| d)
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
        let rises_only = playbook
            .handoffs
            .iter()
            .filter(|h| h.trigger.on.is_empty())
            .map(|h| &h.trigger.when)
            .chain(
                playbook
                    .tracks
                    .iter()
                    .flat_map(|t| t.exits.iter().map(|e| &e.when)),
            )
            .all(|c| cond::rises_only(playbook, c));
        Tables {
            by_event,
            quiet_mark: if rises_only { fingerprint(playbook) } else { 0 },
            state_handoffs,
            exits,
            attribute_disqualifiers,
            keep_signals,
            roles,
        }
    }
}
