//! The ledger: every lead of a live deployment (or a replayed history) by its CRM id, each with
//! its engine state and [`Driver`], and one agenda of their pending timers, so inputs and timers
//! of many leads are applied in one global order. It is pure: the live runner persists what it
//! changes, replay keeps it in memory, and both therefore apply the same steps.
//!
//! The order (`docs/live.md`): the ledger's clock only moves forward. Before an input at time
//! `t`, every timer of every lead due at or before `t` fires, in due order (ties by lead, then
//! by the order the lead started them), each at its own due time; then the input is applied
//! through its lead's driver, which applies an input older than the lead's last step at the
//! lead's current time and marks it late.
//!
//! Routing is the simulator's ([`crate::queues::Desk`]): a lead the engine enqueues waits in its
//! queue (or the overflow) until a seller of the playbook is free, in working hours and not
//! away; the ledger then emits an assignment for the CRM ([`Effect::Assign`]).

mod routing;
#[cfg(test)]
mod tests;

pub use routing::{Holder, Route, RoutingSnapshot, RoutingState};

use crate::calendar::Timestamp;
use crate::engine::{Action, Driver, Engine, Input, LeadState, Step};
use crate::events::{ActionLine, Decoded, Effect, Subject};
use crate::ir::QueueId;
use crate::queues::{Desk, Staffing};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// A lead's number in the ledger: its row in a store, assigned in order of creation.
pub type LeadNo = u32;

/// What a store keeps of one lead: its engine state, its pending timers, and how many steps
/// it has taken (which numbers its actions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadRecord {
    /// The engine's state of the lead.
    pub state: LeadState,
    /// Its pending timers and clock.
    pub driver: Driver,
    /// Steps taken so far (inputs, timers and assignments); the next step's number.
    pub steps: u64,
    /// Where the lead is with routing, while it waits in a queue or is assigned there.
    #[serde(default)]
    pub route: Option<Route>,
}

/// One lead: its CRM id and record.
#[derive(Debug, Clone, PartialEq)]
pub struct Lead {
    /// The CRM's lead id.
    pub key: String,
    /// Its state, timers and step count.
    pub record: LeadRecord,
}

/// One effect decided, located so that it has a key stable across restarts: the lead, the
/// lead's step that decided it and its index among that step's effects.
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted {
    /// The lead it concerns.
    pub lead: LeadNo,
    /// The lead's step number.
    pub step: u64,
    /// Index among the step's actions.
    pub index: u32,
    /// When it was decided.
    pub at: Timestamp,
    /// What to do.
    pub effect: Effect,
}

impl Emitted {
    /// Whether the outside world has anything to do with it: timers are the ledger's own.
    pub fn is_external(&self) -> bool {
        !matches!(self.effect, Effect::Engine(Action::StartTimer { .. }))
    }
}

/// The idempotency key of an action: the lead, its step and the action's index in the step.
/// Step and index are digits, so the key reads back from the right whatever the lead id holds.
pub fn action_key(lead: &str, step: u64, index: u32) -> String {
    format!("{lead}:{step}:{index}")
}

/// Why a line was not applied at all (it goes to dead letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An input for a lead nobody created.
    UnknownLead,
    /// A creation for a lead that exists.
    LeadExists,
}

impl Refusal {
    /// The message a dead letter carries.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::UnknownLead => {
                "unknown lead: no `handoff.lead.created` line came for it before this one"
            }
            Refusal::LeadExists => "the lead exists: `handoff.lead.created` came for it before",
        }
    }
}

/// What became of an applied input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    /// The lead; `None` for a line about a seller.
    pub lead: Option<LeadNo>,
    /// The lead's step number for this input.
    pub step: u64,
    /// The time it was applied at.
    pub at: Timestamp,
    /// Whether it was older than the lead's last step.
    pub late: bool,
    /// Whether the engine applied or ignored it.
    pub outcome: Step,
}

/// Every lead, the agenda of their timers and the clock.
#[derive(Debug, Clone)]
pub struct Ledger {
    engine: Engine,
    keys: HashMap<String, LeadNo>,
    leads: Vec<Lead>,
    /// Pending timers of every lead.
    agenda: Agenda,
    /// Timers due at or before it have fired.
    clock: Option<Timestamp>,
    /// Leads changed since [`Ledger::take_changed`] was last called.
    changed: BTreeSet<LeadNo>,
    /// Queues, lines and sellers.
    desk: Desk,
    /// Routing's own state: placement order, wake-ups at the next opening.
    routing: RoutingState,
    /// Queues to offer work in after the current step.
    dispatch: BTreeSet<QueueId>,
}

impl Ledger {
    /// An empty ledger running `engine`.
    pub fn new(engine: Engine) -> Ledger {
        let desk = Desk::new(engine.playbook(), &Staffing::of_playbook(&engine));
        Ledger {
            desk,
            routing: RoutingState::default(),
            dispatch: BTreeSet::new(),
            engine,
            keys: HashMap::new(),
            leads: Vec::new(),
            agenda: Agenda::default(),
            clock: None,
            changed: BTreeSet::new(),
        }
    }

    /// The engine it runs.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Puts back a lead read from a store, as lead number `no` (numbers must come in order
    /// from 0); returns `false`, changing nothing, when the number or the key is taken.
    pub fn restore(&mut self, no: LeadNo, key: String, record: LeadRecord) -> bool {
        if usize::try_from(no).ok() != Some(self.leads.len()) || self.keys.contains_key(&key) {
            return false;
        }
        self.agenda.schedule(no, &record.driver);
        self.keys.insert(key.clone(), no);
        self.leads.push(Lead { key, record });
        true
    }

    /// Sets the clock read from a store.
    pub fn restore_clock(&mut self, clock: Option<Timestamp>) {
        self.clock = clock;
    }

    /// Timers due at or before it have fired.
    pub fn clock(&self) -> Option<Timestamp> {
        self.clock
    }

    /// The number of leads.
    pub fn len(&self) -> usize {
        self.leads.len()
    }

    /// Whether there are no leads.
    pub fn is_empty(&self) -> bool {
        self.leads.is_empty()
    }

    /// A lead by number.
    pub fn lead(&self, no: LeadNo) -> Option<&Lead> {
        self.leads.get(usize::try_from(no).ok()?)
    }

    /// A lead's number by its CRM id.
    pub fn find(&self, key: &str) -> Option<LeadNo> {
        self.keys.get(key).copied()
    }

    /// Every lead, in number order.
    pub fn leads(&self) -> &[Lead] {
        &self.leads
    }

    /// An effect as the outside world receives it: its key and its action line, one line of
    /// JSON (`docs/events.md`), as the live runner's outbox holds it.
    pub fn action_line(&self, e: &Emitted) -> (String, String) {
        let lead = self.lead(e.lead).map_or("", |l| l.key.as_str());
        let key = action_key(lead, e.step, e.index);
        let line = ActionLine {
            key: &key,
            lead,
            at: e.at,
            effect: &e.effect,
        }
        .to_json(self.engine.playbook())
        .to_string();
        (key, line)
    }

    /// When the next timer of any lead, or the next look at a queue that opens, is due.
    pub fn next_due(&self) -> Option<Timestamp> {
        let timer = self.agenda.0.first().map(|(due, _, _)| *due);
        let wake = self.routing.next_wake();
        timer.into_iter().chain(wake).min()
    }

    /// The pending timers of every lead, next first.
    pub fn pending_timers(&self) -> usize {
        self.agenda.0.len()
    }

    /// The leads changed since the last call, in number order.
    pub fn take_changed(&mut self) -> Vec<LeadNo> {
        std::mem::take(&mut self.changed).into_iter().collect()
    }

    /// Fires every timer due at or before `until`, of every lead, in due order, and looks at
    /// every queue whose working hours began by then (after the timers due at the same time);
    /// the clock moves to `until` (never back).
    pub fn advance(&mut self, until: Timestamp, out: &mut Vec<Emitted>) {
        loop {
            let timer = (self.agenda.0.first())
                .copied()
                .filter(|(due, _, _)| *due <= until);
            let wake = self.routing.next_wake().filter(|at| *at <= until);
            match (timer, wake) {
                (Some((due, no, seq)), wake) if wake.is_none_or(|w| due <= w) => {
                    self.agenda.0.remove(&(due, no, seq));
                    self.with_lead(no, out, |engine, record, actions| {
                        record
                            .driver
                            .fire_next(engine, &mut record.state, due, actions);
                        due
                    });
                }
                (_, Some(at)) => {
                    for queue in self.routing.take_wakes(at) {
                        self.dispatch.insert(queue);
                    }
                    self.run_dispatch(at, out);
                }
                _ => break,
            }
        }
        self.clock = Some(self.clock.map_or(until, |c| c.max(until)));
    }

    /// Applies one decoded line: first the timers due by its time, then the line. A creation
    /// makes its lead; any other line about a lead needs the lead to exist.
    pub fn apply(&mut self, line: &Decoded, out: &mut Vec<Emitted>) -> Result<Accepted, Refusal> {
        match &line.subject {
            Subject::Lead { lead, input } => self.apply_lead(lead, input, line.time, out),
            Subject::Seller { seller, away } => {
                self.advance(line.time, out);
                let at = self.clock.unwrap_or(line.time);
                self.set_away(*seller, *away, at, out);
                Ok(Accepted {
                    lead: None,
                    step: 0,
                    at: self.clock.unwrap_or(line.time),
                    late: false,
                    outcome: Step::Applied,
                })
            }
        }
    }

    fn apply_lead(
        &mut self,
        key: &str,
        input: &Input,
        time: Timestamp,
        out: &mut Vec<Emitted>,
    ) -> Result<Accepted, Refusal> {
        let creates = matches!(input, Input::Arrive { .. });
        let no = match (self.find(key), creates) {
            (Some(_), true) => return Err(Refusal::LeadExists),
            (None, false) => return Err(Refusal::UnknownLead),
            (Some(no), false) => no,
            (None, true) => self.create(key),
        };
        self.advance(time, out);
        let mut applied = None;
        self.with_lead(no, out, |engine, record, actions| {
            let step = record.steps;
            let result = record
                .driver
                .apply(engine, &mut record.state, input, time, actions);
            applied = Some((step, result));
            result.at
        });
        let (step, result) = applied.ok_or(Refusal::UnknownLead)?;
        Ok(Accepted {
            lead: Some(no),
            step,
            at: result.at,
            late: result.late,
            outcome: result.step,
        })
    }

    fn create(&mut self, key: &str) -> LeadNo {
        let no = LeadNo::try_from(self.leads.len()).unwrap_or(LeadNo::MAX);
        self.keys.insert(key.to_owned(), no);
        self.leads.push(Lead {
            key: key.to_owned(),
            record: LeadRecord {
                state: LeadState::new(),
                driver: Driver::new(),
                steps: 0,
                route: None,
            },
        });
        self.changed.insert(no);
        no
    }

    /// Runs one step of a lead (the closure returns its time), numbers its actions, keeps the
    /// agenda in step with the lead's timers, lets routing react, and offers work in the queues
    /// the step changed.
    fn with_lead(
        &mut self,
        no: LeadNo,
        out: &mut Vec<Emitted>,
        f: impl FnOnce(&Engine, &mut LeadRecord, &mut Vec<(Timestamp, Action)>) -> Timestamp,
    ) {
        let Some(lead) = usize::try_from(no).ok().and_then(|i| self.leads.get_mut(i)) else {
            return;
        };
        let record = &mut lead.record;
        self.agenda.unschedule(no, &record.driver);
        let mut actions = Vec::new();
        let at = f(&self.engine, record, &mut actions);
        let step = record.steps;
        record.steps += 1;
        self.agenda.schedule(no, &record.driver);
        self.changed.insert(no);
        self.route_step(no, &actions);
        for (index, (at, action)) in actions.into_iter().enumerate() {
            out.push(Emitted {
                lead: no,
                step,
                index: u32::try_from(index).unwrap_or(u32::MAX),
                at,
                effect: Effect::Engine(action),
            });
        }
        self.run_dispatch(at, out);
    }
}

/// Pending timers of every lead: (due, lead, the lead's start order), next first; kept in step
/// with each lead's driver by taking its timers out before a step and putting them back after.
#[derive(Debug, Clone, Default)]
struct Agenda(BTreeSet<(Timestamp, LeadNo, u64)>);

impl Agenda {
    /// Adds the pending timers of lead `no`.
    fn schedule(&mut self, no: LeadNo, driver: &Driver) {
        for pending in driver.pending_unordered() {
            self.0.insert((pending.due, no, pending.seq));
        }
    }

    /// Removes the pending timers of lead `no`.
    fn unschedule(&mut self, no: LeadNo, driver: &Driver) {
        for pending in driver.pending_unordered() {
            self.0.remove(&(pending.due, no, pending.seq));
        }
    }
}
