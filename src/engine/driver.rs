//! The one driver of a lead: its pending timers and its clock, and the rule for inputs that meet
//! at the same instant. Replay, tests and the live runner feed a lead's inputs through it, so
//! they all apply the same steps in the same order.
//!
//! The rule: before an input at time `t`, every timer due at or before `t` fires, in due order
//! (timers due at the same instant in the order they were started), each with `now` = its due
//! time. An input older than the lead's last step (a late event) is applied at the lead's
//! current time and reported late: the past is never rewritten.
//!
//! A lead has at most one live timer of each kind: a new one of a kind bumps the kind's
//! generation, so the older one could only be ignored as stale, and the driver forgets it.

use super::{Action, Engine, Input, LeadState, NoTrace, Step, TimerKey, TimerKind, Tracer};
use crate::calendar::Timestamp;
use serde::{Deserialize, Serialize};

/// A timer the lead asked for and that has not fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// When it is due.
    pub due: Timestamp,
    /// Its kind and generation, handed back to the engine when it fires.
    pub key: TimerKey,
    /// Order among timers started by this lead, which breaks ties between equal due times.
    pub seq: u64,
}

/// What became of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The time it was applied at: its own, or the lead's current time for a late input.
    pub at: Timestamp,
    /// Whether it was older than the lead's last step.
    pub late: bool,
    /// Whether the engine applied or ignored it.
    pub step: Step,
}

/// One lead's pending timers and clock, kept beside its [`LeadState`] (and persisted with it by
/// a durable runner: it holds no engine-internal cache).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Driver {
    /// Time of the lead's last step; `None` before its first.
    last: Option<Timestamp>,
    /// At most one per timer kind.
    pending: Vec<Pending>,
    /// Sequence number of the next timer started.
    next_seq: u64,
}

impl Driver {
    /// A driver for a lead that has not arrived yet.
    pub fn new() -> Driver {
        Driver::default()
    }

    /// Time of the lead's last step.
    pub fn last_step(&self) -> Option<Timestamp> {
        self.last
    }

    /// The pending timers, next first.
    pub fn pending(&self) -> Vec<Pending> {
        let mut pending = self.pending.clone();
        pending.sort_by_key(|p| (p.due, p.seq));
        pending
    }

    /// The pending timers in no particular order, without allocating: for callers that index
    /// them elsewhere (the ledger's agenda).
    pub fn pending_unordered(&self) -> impl Iterator<Item = Pending> + '_ {
        self.pending.iter().copied()
    }

    /// When the next timer is due, if any.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.pending.iter().map(|p| p.due).min()
    }

    /// Fires every timer due at or before `until`, in due order; appends the actions with the
    /// time each was taken at.
    pub fn advance(
        &mut self,
        engine: &Engine,
        lead: &mut LeadState,
        until: Timestamp,
        out: &mut Vec<(Timestamp, Action)>,
    ) {
        self.advance_traced(engine, lead, until, out, &mut NoTrace);
    }

    /// [`Driver::advance`] with every step observed by `trace`; `each` hears each timer as
    /// it fires, before its step.
    pub(crate) fn advance_traced<T: Tracer>(
        &mut self,
        engine: &Engine,
        lead: &mut LeadState,
        until: Timestamp,
        out: &mut Vec<(Timestamp, Action)>,
        trace: &mut T,
    ) {
        while self
            .fire_next_traced(engine, lead, until, out, trace)
            .is_some()
        {}
    }

    /// [`Driver::fire_next`] with its step observed by `trace`; also tells whether the engine
    /// applied the timer or ignored it (a stale one).
    pub(crate) fn fire_next_traced<T: Tracer>(
        &mut self,
        engine: &Engine,
        lead: &mut LeadState,
        until: Timestamp,
        out: &mut Vec<(Timestamp, Action)>,
        trace: &mut T,
    ) -> Option<(Pending, Step)> {
        let next = self.take_due(until)?;
        let mut actions = Vec::new();
        let step = engine.step_traced(
            lead,
            &Input::Timer(next.key),
            next.due,
            &mut actions,
            &mut *trace,
        );
        self.record(next.due, &actions, out);
        Some((next, step))
    }

    /// Fires the next timer due at or before `until`, if any, as one engine step; appends its
    /// actions and returns the timer. A caller that numbers steps (the live runner keys every
    /// action by its lead, step and index) advances one step at a time with this.
    pub fn fire_next(
        &mut self,
        engine: &Engine,
        lead: &mut LeadState,
        until: Timestamp,
        out: &mut Vec<(Timestamp, Action)>,
    ) -> Option<Pending> {
        self.fire_next_traced(engine, lead, until, out, &mut NoTrace)
            .map(|(next, _)| next)
    }

    /// Applies one input at time `at`, after the timers due by then; a late input is applied at
    /// the lead's current time. Appends the actions with the time each was taken at.
    pub fn apply(
        &mut self,
        engine: &Engine,
        lead: &mut LeadState,
        input: &Input,
        at: Timestamp,
        out: &mut Vec<(Timestamp, Action)>,
    ) -> Applied {
        self.apply_traced(engine, lead, input, at, out, &mut NoTrace)
    }

    /// [`Driver::apply`] with every step, the timers' and the input's, observed by `trace`.
    pub(crate) fn apply_traced<T: Tracer>(
        &mut self,
        engine: &Engine,
        lead: &mut LeadState,
        input: &Input,
        at: Timestamp,
        out: &mut Vec<(Timestamp, Action)>,
        trace: &mut T,
    ) -> Applied {
        let late = self.last.is_some_and(|last| at < last);
        let at = self.last.map_or(at, |last| at.max(last));
        self.advance_traced(engine, lead, at, out, trace);
        let mut actions = Vec::new();
        let step = engine.step_traced(lead, input, at, &mut actions, &mut *trace);
        self.record(at, &actions, out);
        Applied { at, late, step }
    }

    /// Removes and returns the next timer due at or before `until`.
    fn take_due(&mut self, until: Timestamp) -> Option<Pending> {
        let (index, _) = (self.pending.iter().enumerate())
            .filter(|(_, p)| p.due <= until)
            .min_by_key(|(_, p)| (p.due, p.seq))?;
        Some(self.pending.swap_remove(index))
    }

    /// Notes a step's time and the timers it started (each replacing its kind's older one).
    fn record(&mut self, at: Timestamp, actions: &[Action], out: &mut Vec<(Timestamp, Action)>) {
        self.last = Some(self.last.map_or(at, |last| last.max(at)));
        for action in actions {
            if let Action::StartTimer { key, at: due } = action {
                self.start(*key, *due);
            }
            out.push((at, action.clone()));
        }
    }

    fn start(&mut self, key: TimerKey, due: Timestamp) {
        self.pending.retain(|p| p.key.kind != key.kind);
        self.pending.push(Pending {
            due,
            key,
            seq: self.next_seq,
        });
        self.next_seq += 1;
    }

    /// The pending timer of a kind, if any.
    pub fn timer(&self, kind: TimerKind) -> Option<Pending> {
        self.pending.iter().find(|p| p.key.kind == kind).copied()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::ir::{EventId, Playbook, Value};

    const DAY: i64 = 86_400;
    /// Monday 1 June 2026, 09:00 UTC.
    const T: Timestamp = 1_780_304_400;

    fn seed() -> (Playbook, Engine) {
        let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
        let playbook = crate::check::compile(crate::span::FileId(0), &src)
            .playbook
            .unwrap();
        let engine = Engine::new(&playbook).unwrap();
        (playbook, engine)
    }

    fn arrive(playbook: &Playbook) -> Input {
        Input::Arrive {
            attributes: playbook
                .fields
                .iter()
                .map(|f| f.ty.default_value())
                .collect(),
            source: None,
        }
    }

    /// A page view of a blog post: counted by nothing that fires a rule.
    fn blog_view(playbook: &Playbook) -> Input {
        let e = playbook
            .events
            .iter()
            .position(|e| e.name == "page_view")
            .unwrap();
        let fields = playbook.events[e]
            .fields
            .iter()
            .map(|f| f.ty.default_value())
            .collect::<Vec<Value>>();
        Input::Event {
            event: EventId(e as u32),
            fields,
        }
    }

    #[test]
    fn timers_due_at_an_input_fire_before_it() {
        let (playbook, engine) = seed();
        let (mut driver, mut lead, mut out) = (Driver::new(), LeadState::new(), Vec::new());
        driver.apply(&engine, &mut lead, &arrive(&playbook), T, &mut out);
        let track = driver.timer(TimerKind::Track).unwrap();
        assert_eq!(track.due, T + 7 * DAY);
        out.clear();
        let applied = driver.apply(
            &engine,
            &mut lead,
            &blog_view(&playbook),
            track.due,
            &mut out,
        );
        assert_eq!((applied.at, applied.late), (track.due, false));
        // The track's second touch (from the timer) comes first, then the view's own step.
        assert!(matches!(out.first(), Some((at, Action::AutoTouch { .. })) if *at == track.due));
        // The timer fired and the track started its next one, which replaced it.
        let next = driver.timer(TimerKind::Track).unwrap();
        assert!(next.due > track.due && next.seq > track.seq);
        assert_eq!(driver.pending().len(), 1);
    }

    #[test]
    fn a_late_input_is_applied_at_the_current_time_and_marked() {
        let (playbook, engine) = seed();
        let (mut driver, mut lead, mut out) = (Driver::new(), LeadState::new(), Vec::new());
        driver.apply(&engine, &mut lead, &arrive(&playbook), T, &mut out);
        let applied = driver.apply(&engine, &mut lead, &blog_view(&playbook), T - DAY, &mut out);
        assert_eq!((applied.at, applied.late), (T, true));
        assert_eq!(applied.step, Step::Applied);
        assert_eq!(driver.last_step(), Some(T));
    }

    #[test]
    fn advancing_fires_every_due_timer_in_order_and_nothing_later() {
        let (playbook, engine) = seed();
        let (mut driver, mut lead, mut out) = (Driver::new(), LeadState::new(), Vec::new());
        driver.apply(&engine, &mut lead, &arrive(&playbook), T, &mut out);
        out.clear();
        driver.advance(&engine, &mut lead, T + 30 * DAY, &mut out);
        let times: Vec<Timestamp> = out.iter().map(|(at, _)| *at).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        assert!(times.iter().all(|t| *t <= T + 30 * DAY));
        let touches = out
            .iter()
            .filter(|(_, a)| matches!(a, Action::AutoTouch { .. }))
            .count();
        assert_eq!(touches, 4, "weekly touches on days 7, 14, 21 and 28");
        assert!(driver.next_due().is_some_and(|due| due > T + 30 * DAY));
    }
}
