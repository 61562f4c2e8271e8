//! The engine: one pure, deterministic state machine that runs a checked playbook for one lead.
//!
//! `step(lead state, input, now) → new state + actions` is the whole interface. The engine has no
//! clock, no I/O, no randomness and no global state: time is an argument, timers are actions the
//! caller schedules and hands back, and every effect is an [`Action`] value. The simulator (virtual
//! clock), replay (recorded events) and the live runner (wall clock, durable store) all drive this
//! same code, so what an analyst simulates is what operations runs.
//!
//! Inputs that do not fit the lead's current state (an unknown id, a stale timer, a pickup of a
//! lead nobody handed off) are ignored without changing anything and reported as
//! [`Step::Ignored`], so no input can corrupt a lead or stop the engine.

mod action;
mod cond;
pub mod deploy;
mod describe;
mod driver;
mod handoff;
mod inline;
mod input;
mod plan;
mod routing;
mod scoring;
mod sla;
mod state;
mod tables;
mod trace;
mod track;
mod work;

pub use action::{Action, ContextSnapshot, SignalRecord, TouchRecord, WhyNow};
pub(crate) use cond::Scope;
pub use deploy::{Deploy, DeployError, Renames};
pub use describe::{utc, Described};
pub use driver::{Applied, Driver, Pending};
pub use inline::InlineVec;
pub use input::{Input, TimerKey, TimerKind, TouchOutcome};
pub use state::{
    Counted, Departure, Generations, HandoffRun, LeadState, ScoreState, Stage, SuppressionState,
    TrackRun,
};
pub(crate) use trace::{NoTrace, Tracer};

use crate::calendar::{BusinessCalendar, CalendarError, Timestamp};
use crate::ir::{
    BandSetId, BreachAction, CounterId, EventId, FieldType, HandoffId, Playbook, ScoreId, Value,
};
use std::fmt;
use std::sync::Arc;
use tables::*;

/// A playbook prepared for execution: compiled calendars and per-event lookup tables, built once
/// and shared (read-only) by every lead and every simulation thread.
#[derive(Debug, Clone)]
pub struct Engine {
    playbook: Playbook,
    calendars: Vec<BusinessCalendar>,
    always_open: BusinessCalendar,
    tables: Tables,
    /// Whether handoffs render their context package (see [`Engine::without_context_packages`]).
    context_packages: bool,
}

/// Why a playbook cannot be run.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineError {
    /// A calendar does not compile (the checker reports the same problem against the source).
    Calendar {
        /// The calendar's name.
        name: String,
        /// What is wrong.
        error: CalendarError,
    },
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Calendar { name, error } => write!(f, "calendar `{name}`: {error}"),
        }
    }
}

impl std::error::Error for EngineError {}

/// Whether a step changed the lead; an ignored input leaves it exactly as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The input was applied (possibly with no visible action).
    Applied,
    /// The input was ignored, for this reason.
    Ignored(Ignored),
}

/// Why an input was ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// An id is out of range for the playbook.
    UnknownId,
    /// A value does not have the field's type, or the number of values is wrong.
    BadValue,
    /// The lead is not in a stage where the input means anything.
    WrongStage,
    /// A timer whose generation was bumped (cancelled) since it was started.
    StaleTimer,
}

impl Ignored {
    /// The reason in a few words, as case files, the live store's input log and test traces
    /// print it.
    pub fn name(self) -> &'static str {
        match self {
            Ignored::UnknownId => "unknown id",
            Ignored::BadValue => "bad value",
            Ignored::WrongStage => "wrong stage",
            Ignored::StaleTimer => "stale timer",
        }
    }
}

/// A non-zero mark from the playbook's content hash ([`Playbook::fingerprint`]), so that a lead
/// state marked under one playbook is not taken as quiet under another.
fn fingerprint(playbook: &Playbook) -> u64 {
    let hash = playbook.fingerprint();
    let mut first = [0u8; 8];
    first.copy_from_slice(hash.get(..8).unwrap_or(&[0; 8]));
    u64::from_le_bytes(first) | 1
}

impl Engine {
    /// Prepares a checked playbook: compiles its calendars and indexes rules by event.
    pub fn new(playbook: &Playbook) -> Result<Engine, EngineError> {
        let calendars = playbook
            .calendars
            .iter()
            .map(|spec| {
                BusinessCalendar::new(spec).map_err(|error| EngineError::Calendar {
                    name: spec.name.clone(),
                    error,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Engine {
            tables: Tables::new(playbook),
            playbook: playbook.clone(),
            calendars,
            always_open: BusinessCalendar::always_open(),
            context_packages: true,
        })
    }

    /// The same engine with handoffs attaching no rendered context package: the simulator reads
    /// none, and rendering one ranks signals, copies attributes and allocates on every handoff.
    /// Everything else, state and actions, is unchanged.
    pub fn without_context_packages(mut self) -> Engine {
        self.context_packages = false;
        self
    }

    /// The playbook being run.
    pub fn playbook(&self) -> &Playbook {
        &self.playbook
    }

    /// A compiled calendar of the playbook.
    pub fn calendar(&self, id: crate::ir::CalendarId) -> Option<&BusinessCalendar> {
        self.calendars.get(id.index())
    }

    /// Runs the arrival of a new lead ([`LeadState::new`]) with these attributes, in place: the
    /// way in that neither copies the attribute vector nor moves the state, for callers that
    /// own both (the simulator, which keeps a million states in a table). Like
    /// [`Input::Arrive`], it is ignored for a lead that has already arrived.
    pub fn admit(
        &self,
        lead: &mut LeadState,
        attributes: Vec<Value>,
        source: Option<Arc<str>>,
        now: Timestamp,
        out: &mut Vec<Action>,
    ) -> Step {
        if !matches!(lead.stage, Stage::New) {
            return Step::Ignored(Ignored::WrongStage);
        }
        if let Err(why) = self.check_attributes(&attributes) {
            return Step::Ignored(why);
        }
        let mut cx = Ctx::new(self, lead, now, out, NoTrace);
        cx.arrive(attributes, source);
        cx.follow_exits();
        cx.record_quiet();
        Step::Applied
    }

    /// Applies one input to one lead at time `now`, appending the resulting actions to `out`.
    ///
    /// `now` should not go backwards for a lead; if it does, decay and windows treat the elapsed
    /// time as zero rather than failing.
    pub fn step(
        &self,
        lead: &mut LeadState,
        input: &Input,
        now: Timestamp,
        out: &mut Vec<Action>,
    ) -> Step {
        self.step_traced(lead, input, now, out, NoTrace)
    }

    /// [`Engine::step`] observed by `trace`, which hears why the engine decided what it did
    /// (`engine::trace`); with [`NoTrace`] it is the same code as `step`.
    #[inline(always)]
    pub(crate) fn step_traced<T: Tracer>(
        &self,
        lead: &mut LeadState,
        input: &Input,
        now: Timestamp,
        out: &mut Vec<Action>,
        trace: T,
    ) -> Step {
        if let Err(why) = self.check(lead, input) {
            return Step::Ignored(why);
        }
        let mut cx = Ctx::new(self, lead, now, out, trace);
        match input {
            Input::Arrive { attributes, source } => cx.arrive(attributes.clone(), source.clone()),
            Input::Event { event, fields } => cx.event(*event, fields),
            Input::SetField { field, value } => cx.set_field(field.index(), value.clone()),
            Input::Timer(key) => cx.timer(key.kind),
            Input::Pickup { seller } => cx.pickup(*seller),
            Input::Touch { outcome } => cx.touch(*outcome),
            Input::Disposition { reason } => cx.dispose(*reason),
        }
        cx.follow_exits();
        cx.record_quiet();
        Step::Applied
    }

    /// Whether the lead's state rules and track exits are known false, so that a step which
    /// raises nothing they read does not test them ([`LeadState::quiet`]).
    pub fn is_quiet(&self, lead: &LeadState) -> bool {
        lead.quiet != 0 && lead.quiet == self.tables.quiet_mark
    }

    /// A score's current value, for reports and tests.
    pub fn score(&self, lead: &LeadState, score: ScoreId, now: Timestamp) -> Option<f64> {
        scoring::score_value(&self.playbook, lead, score, now)
    }

    /// The index of the lead's band in a band set, for reports by band.
    pub fn band(&self, lead: &LeadState, bands: BandSetId, now: Timestamp) -> Option<usize> {
        scoring::band_index(&self.playbook, lead, bands, now)
    }

    /// A windowed count's current value, exact up to the counter's `keep` (the most any of the
    /// playbook's conditions needs to tell apart).
    pub fn count(&self, lead: &LeadState, counter: CounterId, now: Timestamp) -> Option<usize> {
        scoring::count(&self.playbook, lead, counter, now)
    }

    fn check_attributes(&self, attributes: &[Value]) -> Result<(), Ignored> {
        let fields = &self.playbook.fields;
        if attributes.len() != fields.len()
            || !fields
                .iter()
                .zip(attributes)
                .all(|(f, v)| value_fits(&f.ty, v))
        {
            return Err(Ignored::BadValue);
        }
        Ok(())
    }

    /// Validates an input against the playbook and the lead's stage before anything changes.
    fn check(&self, lead: &LeadState, input: &Input) -> Result<(), Ignored> {
        let playbook = &self.playbook;
        let live = !matches!(lead.stage, Stage::New | Stage::Done(_));
        let run = lead.handoff();
        match input {
            Input::Arrive { attributes, .. } => {
                if !matches!(lead.stage, Stage::New) {
                    return Err(Ignored::WrongStage);
                }
                self.check_attributes(attributes)
            }
            Input::Event { event, fields } => {
                let def = playbook
                    .events
                    .get(event.index())
                    .ok_or(Ignored::UnknownId)?;
                if fields.len() != def.fields.len()
                    || !def
                        .fields
                        .iter()
                        .zip(fields)
                        .all(|(f, v)| value_fits(&f.ty, v))
                {
                    return Err(Ignored::BadValue);
                }
                stage_ok(live)
            }
            Input::SetField { field, value } => {
                let def = playbook
                    .fields
                    .get(field.index())
                    .ok_or(Ignored::UnknownId)?;
                if !value_fits(&def.ty, value) {
                    return Err(Ignored::BadValue);
                }
                stage_ok(live)
            }
            Input::Timer(key) => {
                stage_ok(live)?;
                if lead.generations.get(key.kind) != key.generation {
                    return Err(Ignored::StaleTimer);
                }
                let expected = match key.kind {
                    TimerKind::Track => lead.track.is_some(),
                    TimerKind::Sla => run.is_some_and(HandoffRun::is_queued),
                    TimerKind::Step => {
                        run.is_some_and(|r| !r.is_queued() && !r.awaiting_disposition)
                    }
                    TimerKind::Park => matches!(lead.stage, Stage::Parked { .. }),
                    TimerKind::Suppression => lead.suppression.is_some(),
                };
                stage_ok(expected)
            }
            Input::Pickup { seller } => {
                if seller.is_some_and(|s| s.index() >= playbook.sellers.len()) {
                    return Err(Ignored::UnknownId);
                }
                stage_ok(run.is_some_and(HandoffRun::is_queued))
            }
            Input::Touch { .. } => stage_ok(run.is_some()),
            Input::Disposition { reason } => {
                if reason.index() >= playbook.reasons.len() {
                    return Err(Ignored::UnknownId);
                }
                stage_ok(live)
            }
        }
    }
}

fn stage_ok(ok: bool) -> Result<(), Ignored> {
    if ok {
        Ok(())
    } else {
        Err(Ignored::WrongStage)
    }
}

/// Whether a value has a field's type (an enum value must be one of the field's values).
fn value_fits(ty: &FieldType, value: &Value) -> bool {
    match (ty, value) {
        (FieldType::Text, Value::Text(_))
        | (FieldType::Number, Value::Number(_))
        | (FieldType::Flag, Value::Flag(_)) => true,
        (FieldType::OneOf { values }, Value::Enum(i)) => usize::from(*i) < values.len(),
        _ => false,
    }
}

/// One step in progress: the engine, the lead being changed, the time, the action buffer and
/// the step's observer.
struct Ctx<'a, T: Tracer> {
    engine: &'a Engine,
    playbook: &'a Playbook,
    lead: &'a mut LeadState,
    now: Timestamp,
    out: &'a mut Vec<Action>,
    /// Hears why the engine decides what it does ([`NoTrace`], of no size, when nobody
    /// listens; a `&mut` to the caller's tracer otherwise).
    trace: T,
    /// Set when this step ended a handoff: no new handoff starts in the same step, so a handoff
    /// always needs a fresh event or timer and the caller's clock can never loop in place.
    ended_handoff: bool,
    /// Whether state rules and track exits must be tested: unless the lead was quiet, set once
    /// the step raises a score or a count, sets attributes or enters a track.
    raised: bool,
    /// Whether every state rule is known false after this step.
    rules_false: bool,
    /// Whether every exit of the lead's track is known false after this step.
    exits_false: bool,
}

impl<'a, T: Tracer> Ctx<'a, T> {
    fn new(
        engine: &'a Engine,
        lead: &'a mut LeadState,
        now: Timestamp,
        out: &'a mut Vec<Action>,
        trace: T,
    ) -> Self {
        Ctx {
            engine,
            playbook: &engine.playbook,
            raised: !engine.is_quiet(lead),
            lead,
            now,
            out,
            trace,
            ended_handoff: false,
            rules_false: false,
            exits_false: false,
        }
    }

    /// Records whether the lead ends the step quiet ([`LeadState::quiet`]).
    fn record_quiet(&mut self) {
        let in_nurture = matches!(self.lead.stage, Stage::Nurture | Stage::Parked { .. });
        let quiet = in_nurture && self.rules_false && self.exits_false;
        self.lead.quiet = if quiet {
            self.engine.tables.quiet_mark
        } else {
            0
        };
    }

    fn scope(&self) -> Scope<'_> {
        Scope::state(self.playbook, self.lead, self.now)
    }

    fn start_timer(&mut self, kind: TimerKind, at: Timestamp) {
        let generation = self.lead.generations.bump(kind);
        self.out.push(Action::StartTimer {
            key: TimerKey { kind, generation },
            at,
        });
    }

    fn arrive(&mut self, attributes: Vec<Value>, source: Option<Arc<str>>) {
        self.raised = true;
        let playbook = self.playbook;
        let lead = &mut *self.lead;
        lead.attributes = attributes;
        lead.source = source;
        lead.arrived_at = self.now;
        lead.scored_at = self.now;
        lead.scores = std::iter::repeat_n(ScoreState::default(), playbook.scores.len()).collect();
        lead.counters = InlineVec::new();
        lead.stage = Stage::Nurture;
        let tables = &self.engine.tables;
        scoring::refresh_fit(playbook, &tables.fit_when, lead, self.now);
        if self.disqualify_if(None) {
            return;
        }
        let scope = self.scope();
        let initial = (tables.enter_when.iter())
            .position(|when| when.as_ref().is_some_and(|p| p.holds(&scope)))
            .and_then(|i| u32::try_from(i).ok())
            .map(crate::ir::TrackId)
            .or(playbook.default_track);
        self.consider_handoffs(None);
        match &mut self.lead.stage {
            Stage::HandedOff(run) => run.resume_track = initial,
            _ => {
                if let Some(track) = initial {
                    self.enter_track(track);
                }
            }
        }
    }

    fn event(&mut self, event: EventId, fields: &[Value]) {
        let engine = self.engine;
        scoring::decay_to(self.playbook, self.lead, self.now);
        let Some(table) = engine.tables.by_event.get(event.index()) else {
            return;
        };
        let (earned, rose) = scoring::record_event(
            self.playbook,
            &table.points,
            &table.counters,
            self.lead,
            fields,
            self.now,
        );
        self.raised |= rose;
        scoring::remember_signal(
            self.lead,
            SignalRecord {
                event,
                points: earned as f32,
                at: self.now,
            },
            engine.tables.keep_signals,
        );
        if self.disqualify_if(Some((event, fields))) {
            return;
        }
        self.consider_handoffs(Some((event, fields)));
    }

    fn set_field(&mut self, field: usize, value: Value) {
        self.raised = true;
        scoring::decay_to(self.playbook, self.lead, self.now);
        if let Some(slot) = self.lead.attributes.get_mut(field) {
            *slot = value;
        }
        scoring::refresh_fit(
            self.playbook,
            &self.engine.tables.fit_when,
            self.lead,
            self.now,
        );
        if self.disqualify_if(None) {
            return;
        }
        self.consider_handoffs(None);
    }

    /// A timer changes no score, so it leaves the points decayed to the last event: reads
    /// decay them to their own time ([`scoring::score_value`]), and the next event or attribute
    /// change decays them in one step, which also saves an exponential per timer.
    fn timer(&mut self, kind: TimerKind) {
        match kind {
            TimerKind::Track => self.track_timer(),
            TimerKind::Sla => self.breach(),
            TimerKind::Step => self.step_due(),
            TimerKind::Park => {
                if let Stage::Parked { track, .. } = self.lead.stage {
                    self.lead.stage = Stage::Nurture;
                    self.enter_track(track);
                }
            }
            TimerKind::Suppression => {
                if self.lead.suppression.is_some_and(|s| s.until <= self.now) {
                    self.lead.suppression = None;
                }
            }
        }
        self.consider_handoffs(None);
    }

    /// Runs the disqualifiers that may fire on an event (or, without one, on attributes being
    /// set) in declaration order, and closes the lead on the first match.
    ///
    /// Most events have no disqualifier: that is told here, inlined into the step, before the
    /// call that tests them.
    #[inline(always)]
    fn disqualify_if(&mut self, event: Option<(EventId, &[Value])>) -> bool {
        let tables = &self.engine.tables;
        let candidates: &[Listener] = match event {
            Some((e, _)) => tables
                .by_event
                .get(e.index())
                .map_or(&[], |t| &t.disqualifiers),
            None => &tables.attribute_disqualifiers,
        };
        !candidates.is_empty() && self.test_disqualifiers(event, candidates)
    }

    /// Tests the disqualifiers that may fire on an update, and closes the lead on the first
    /// that does.
    #[inline(never)]
    fn test_disqualifiers(
        &mut self,
        event: Option<(EventId, &[Value])>,
        candidates: &[Listener],
    ) -> bool {
        let playbook = self.playbook;
        let scope = Scope {
            playbook,
            lead: self.lead,
            event: event.map_or(&[][..], |(_, f)| f),
            now: self.now,
        };
        let tables = &self.engine.tables;
        let hit = candidates
            .iter()
            .filter_map(|l| Some((l, playbook.disqualifiers.get(l.rule)?)))
            .find(|(l, d)| {
                (d.trigger.on.is_empty()
                    || (event.is_some() && l.filters.iter().any(|f| f.holds(&scope))))
                    && tables
                        .disqualifier_when
                        .get(l.rule)
                        .is_some_and(|when| when.holds(&scope))
            })
            .map(|(l, d)| (l.rule, d));
        let Some((index, d)) = hit else {
            return false;
        };
        self.trace.disqualified(&scope, index);
        let reason = d.reason;
        self.leave_queue();
        self.stop_track();
        self.lead.stage = Stage::Done(Departure::Disqualified { reason });
        self.out.push(Action::Disqualified { reason });
        true
    }

    /// Emits `Dequeue` when the lead is waiting in a queue, before it leaves the handoff.
    fn leave_queue(&mut self) {
        if let Some(run) = self.lead.handoff() {
            if run.is_queued() {
                let queue = run.queue;
                self.out.push(Action::Dequeue { queue });
            }
            self.lead.generations.bump(TimerKind::Sla);
            self.lead.generations.bump(TimerKind::Step);
            self.ended_handoff = true;
        }
    }
}
