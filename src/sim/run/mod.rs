//! One replication: a discrete-event loop over the agenda (a radix heap of timed events),
//! driving the engine with a virtual clock.
//!
//! Arrivals are generated lazily (one pending arrival per source, one pending signal per lead and
//! signal generator). A lead outside a handoff is run ahead of the clock on its own pending
//! events (`Run::run_ahead`), so only leads in a handoff are on the agenda and held in memory.
//! Ties in time are broken by scheduling order, so the run is deterministic. Finished leads are
//! dropped at once.
//!
//! The kernel is here: the agenda loop (`drive`), the work that follows an event (`settle`),
//! leads run ahead of the clock and served from the agenda. The simulated lead is in `lead`,
//! its own behaviour (arrivals, signals, responses, reactions to the engine) in `behaviour`,
//! the sales side (queues, sellers, attempts, dispositions) in `sales`, and the KPI tallies in
//! `tally`.

use super::agenda::Agenda;
use super::draws::BlockCache;
use super::kpi::Tallies;
use super::leads::Leads;
use super::queue::{ByHour, LittleSample, QueueSim};
use super::record::{Recorded, Recording};
use super::rng::{LeadKey, Purpose, Replication};
use super::timeline::{Level, Periods, Timeline};
use super::world::{whole_secs, World};
use crate::calendar::Timestamp;
use crate::engine::{Action, Engine, Input, LeadState, Step, TimerKey, TimerKind, TouchOutcome};
use crate::ir::{BandSetId, Kpi, QueueId, SellerId, Value};
use crate::queues::{Desk, Offer, Staffing, Waiting};
use std::collections::VecDeque;

mod behaviour;
mod lead;
mod sales;
mod tally;
#[cfg(test)]
mod tests;

use lead::*;

/// Live leads above which the run prefetches: at 456 bytes a record, 2048 leads fill 910 KiB,
/// the order of a core's private cache. Below that, records stay in cache and prefetching
/// only costs time (docs/benchmarks.md).
const PREFETCH_ABOVE: usize = 2048;

/// Simulated time starts on Monday 2026-01-05 00:00 UTC, so business calendars see a normal week.
pub const START: Timestamp = 1_767_571_200;

/// An event on the agenda.
#[derive(Debug, Clone, Copy)]
enum Ev {
    Arrival {
        source: u16,
    },
    SellerFree {
        queue: u16,
        seller: u32,
    },
    Wake {
        queue: u16,
    },
    /// A pending event of the lead is due now, unless a run ahead has served it already (each
    /// event scheduled while the lead is on the agenda gets one).
    Lead {
        lead: u32,
    },
    Warmup,
}

impl Ev {
    /// The lead the event is for, if any.
    fn lead(&self) -> Option<u32> {
        match *self {
            Ev::Lead { lead } => Some(lead),
            _ => None,
        }
    }
}

/// Work that follows from actions and runs after the current event, in order.
#[derive(Debug, Clone, Copy)]
enum Follow {
    Dispatch(usize),
    /// Seller `1` of queue `0` is free: due follow-ups and new leads.
    Free(usize, usize),
    Attempt(u32),
    Dispose(u32),
}

struct SourceState {
    next: f64,
    count: u64,
    rng: super::rng::ChaChaStream,
}

/// The outcome of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    /// Leads that arrived (including the warm-up).
    pub leads_arrived: u64,
    /// Inputs delivered to the engine.
    pub events: u64,
    /// Length of the observation window (horizon minus warm-up) in seconds.
    pub window: f64,
    /// KPI tallies.
    pub tallies: Tallies,
    /// Little's-law bookkeeping per queue.
    pub little: Vec<LittleSample>,
    /// Every engine step with its input, when recording was asked for ([`Run::recording`]).
    pub recording: Option<Recording>,
    /// Leads still waiting per queue at the horizon.
    pub still_waiting: Vec<u32>,
    /// Leakage and queue length per simulated day or week, for charts.
    pub timeline: Timeline,
    /// Work and pickups of each queue's sellers by hour of day, for tests against theory.
    pub by_hour: Vec<ByHour>,
    /// Mean leads in a handoff per period, when asked for ([`Run::observing_wip`]).
    pub work_in_progress: Option<Vec<f64>>,
}

/// Times of one run, relative to [`START`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Simulated span in seconds.
    pub horizon_secs: i64,
    /// Initial span excluded from KPIs, in seconds.
    pub warmup_secs: i64,
    /// Engine events after which the replication stops with [`Overrun::Events`].
    pub max_events: u64,
    /// Leads alive at once above which the replication stops with [`Overrun::LeadsAlive`].
    pub max_leads_alive: usize,
}

/// Why a replication stopped before its horizon.
#[derive(Debug, Clone, PartialEq)]
pub enum Overrun {
    /// More than [`Plan::max_events`] engine events.
    Events {
        /// The budget that was used up, for the message.
        limit: u64,
        /// Simulated seconds since the start when it ran out.
        at_secs: i64,
    },
    /// More than [`Plan::max_leads_alive`] leads alive at once.
    LeadsAlive {
        /// The limit that was passed, for the message.
        limit: usize,
        /// Simulated seconds since the start.
        at_secs: i64,
        /// The queue with the most leads waiting then, and how many.
        longest_queue: Option<(String, u32)>,
    },
}

/// One replication in progress.
pub(crate) struct Run<'a> {
    engine: &'a Engine,
    world: &'a World,
    rep: Replication,
    now: Timestamp,
    warmup: Timestamp,
    horizon: Timestamp,
    /// No lead arrives after this (the horizon, unless [`Run::arrivals_until`] says otherwise).
    arrivals_end: Timestamp,
    agenda: Agenda<Ev>,
    leads: Leads<SimLead>,
    /// Who waits where and which seller takes whom, shared with live mode.
    desk: Desk,
    /// What is measured of each queue, by queue index.
    queues: Vec<QueueSim>,
    sources: Vec<SourceState>,
    out: Vec<Action>,
    follow: VecDeque<Follow>,
    tallies: Tallies,
    timeline: Timeline,
    band_set: Option<BandSetId>,
    events: u64,
    placements: u64,
    /// The lead being run ahead of the clock, if any (see [`Run::run_ahead`]).
    ahead: Option<u32>,
    /// The time of the agenda event being handled; `now` runs ahead of it with a lead.
    clock: Timestamp,
    /// Whether leads are run ahead at all; off only in tests, which check it changes nothing.
    run_ahead: bool,
    /// Every engine step by lead: time, input, outcome and actions.
    #[cfg(test)]
    trace: std::collections::BTreeMap<u32, Vec<String>>,
    /// Leads whose handoff ended during the current event, to run ahead after it.
    released: Vec<u32>,
    spares: Spares,
    /// Keystream blocks of signal gaps and touch responses (see [`BlockCache::signal_gap`]).
    blocks: BlockCache,
    /// See [`Plan::max_events`].
    max_events: u64,
    /// See [`Plan::max_leads_alive`].
    max_leads_alive: usize,
    /// Why the run stopped early, if it did.
    overrun: Option<Overrun>,
    /// Every step with its input, only when asked for (`simulate --emit-events`).
    recording: Option<Recording>,
    /// Leads in a handoff over time, only when asked for (the warm-up pilot).
    wip: Option<Level>,
}

/// Seconds after [`START`] as the agenda keys them; the plan keeps horizons inside `u32`.
fn relative(at: Timestamp) -> u32 {
    u32::try_from(at.saturating_sub(START).max(0)).unwrap_or(u32::MAX)
}

/// The id of the queue at index `q` of the playbook (the simulator counts queues by index).
fn queue_id(q: usize) -> QueueId {
    QueueId(u32::try_from(q).unwrap_or(u32::MAX))
}

fn overlap(a: Timestamp, b: Timestamp, lo: Timestamp, hi: Timestamp) -> f64 {
    (b.min(hi) - a.max(lo)).max(0) as f64
}

impl<'a> Run<'a> {
    pub fn new(engine: &'a Engine, world: &'a World, rep: Replication, plan: Plan) -> Self {
        let playbook = engine.playbook();
        let warmup = START.saturating_add(plan.warmup_secs.max(0));
        // Within the longest plan `simulate` accepts, times stay below `u32::MAX`, which
        // `SimLead::next_due` keeps for "nothing pending".
        let horizon = START.saturating_add(plan.horizon_secs.clamp(0, super::MAX_HORIZON_SECS));
        let band_set = (!playbook.band_sets.is_empty()).then_some(BandSetId(0));
        let periods = Periods::new(START, plan.horizon_secs);
        let bands = playbook.band_sets.first().map_or(0, |b| b.bands.len());
        let staff = |i: usize| world.staff.get(i).and_then(Option::as_ref);
        let staffing: Vec<Staffing> = playbook
            .queues
            .iter()
            .enumerate()
            .map(|(i, q)| {
                staff(i).map_or_else(Staffing::default, |s| {
                    Staffing::heads(q, s.sellers, s.calendar.clone())
                })
            })
            .collect();
        let queues = (0..playbook.queues.len())
            .map(|i| QueueSim::new(staff(i), warmup, periods))
            .collect();
        let sources = (0..world.sources.len())
            .map(|s| SourceState {
                next: START as f64,
                count: 0,
                rng: rep.source(u16::try_from(s).unwrap_or(u16::MAX)),
            })
            .collect();
        Run {
            engine,
            world,
            rep,
            now: START,
            warmup,
            horizon,
            arrivals_end: horizon,
            agenda: Agenda::new(),
            leads: Leads::default(),
            desk: Desk::new(playbook, &staffing),
            queues,
            sources,
            out: Vec::new(),
            follow: VecDeque::new(),
            tallies: Tallies::new(bands, playbook.queues.len()),
            timeline: Timeline::new(periods),
            band_set,
            events: 0,
            placements: 0,
            ahead: None,
            clock: START,
            run_ahead: true,
            #[cfg(test)]
            trace: std::collections::BTreeMap::new(),
            released: Vec::new(),
            spares: Spares::default(),
            blocks: BlockCache::default(),
            max_events: plan.max_events,
            max_leads_alive: plan.max_leads_alive,
            overrun: None,
            recording: None,
            wip: None,
        }
    }

    /// Lets leads arrive only in the first `secs` of the run, the rest of it living out their
    /// lives: the load pilot's cohort (see [`crate::sim::load`]).
    pub fn arrivals_until(mut self, secs: i64) -> Self {
        self.arrivals_end = START.saturating_add(secs.max(0)).min(self.horizon);
        self
    }

    /// Records the number of leads in a handoff (waiting, or held by a seller) per period of
    /// `periods`: the work in progress whose settling the warm-up pilot looks for. Leads outside
    /// a handoff are run ahead and never held, so the leads alive are exactly these.
    pub fn observing_wip(mut self, periods: Periods) -> Self {
        self.wip = Some(Level::new(periods));
        self
    }

    /// Records every engine step with its input, for `simulate --emit-events`.
    pub fn recording(mut self) -> Self {
        let sources = self.world.sources.iter().map(|s| s.name.to_string());
        self.recording = Some(Recording::new(sources.collect()));
        self
    }

    /// Records the step just taken, when recording: `self.out` holds its actions. A timer's
    /// step is kept only when it decided something.
    #[cold]
    fn record(&mut self, lead: &SimLead, input: &Input) {
        let timer = matches!(input, Input::Timer(_));
        let now = self.now;
        let Some(recording) = self.recording.as_mut() else {
            return;
        };
        if timer && self.out.is_empty() {
            return;
        }
        let tie = !timer
            && (lead.pending.iter())
                .any(|p| matches!(p.ev, LeadEv::Timer { .. }) && p.time() == now);
        recording.steps.push(Recorded {
            at: now,
            lead: lead.key,
            input: (!timer).then(|| input.clone()),
            actions: self.out.clone(),
            tie,
        });
    }

    fn schedule(&mut self, at: Timestamp, ev: Ev) {
        if at <= self.horizon {
            self.agenda.push(relative(at), ev);
        }
    }

    /// Schedules an event of lead `id` among its pending events, and on the agenda unless the
    /// lead is being run ahead.
    fn schedule_for(&mut self, id: u32, lead: &mut SimLead, at: Timestamp, ev: LeadEv) {
        if at > self.horizon || lead.finished {
            return;
        }
        lead.orders = lead.orders.wrapping_add(1);
        // Resuming finishes a step already taken, so it goes before anything else due then.
        let order = if matches!(ev, LeadEv::Resume) {
            0
        } else {
            lead.orders
        };
        let listed = self.ahead != Some(id);
        lead.add_pending(Pending::new(at, order, ev, listed));
        if listed {
            self.agenda.push(relative(at), Ev::Lead { lead: id });
        }
    }

    /// Puts on the agenda the pending events of a lead that were scheduled while it ran ahead.
    /// Their entries need no particular order: an entry serves whichever of the lead's events
    /// is first at its time ([`Run::serve`]).
    fn list_pending(&mut self, id: u32, lead: &mut SimLead) {
        if lead.finished {
            return;
        }
        for event in lead.pending.iter_mut().filter(|p| !p.listed()) {
            event.order |= 1;
            self.agenda.push(event.at, Ev::Lead { lead: id });
        }
    }

    /// Serves the lead's earliest pending event if it is due now. Each pending event has an
    /// entry on the agenda, so every due event is served at its time; an entry whose event a
    /// run ahead has served finds nothing due, or serves another event due at the same time.
    /// Whether anything is due is read beside the lead's slot number ([`Leads::due`]), so an
    /// entry that finds nothing never reads the record.
    fn serve(&mut self, id: u32) {
        let now = self.now;
        if self.leads.due(id) != Some(relative(now)) {
            return;
        }
        self.with_lead(id, |run, lead| {
            if let Some((_, ev)) = lead.take_next(|at| at == now) {
                run.handle_lead(id, lead, ev);
            }
        });
    }

    /// Works on lead `id` in place: `work` gets its record by reference, with the table moved
    /// aside meanwhile (every lead counts as absent, which nothing reads: queues are
    /// dispatched after the event). A lead that finished is tallied and dropped; the time of
    /// another's next event is noted beside its slot number.
    fn with_lead(&mut self, id: u32, work: impl FnOnce(&mut Self, &mut SimLead)) {
        let mut leads = std::mem::take(&mut self.leads);
        if let Some(lead) = leads.get_mut(id) {
            work(self, lead);
            if lead.finished {
                // Retired where it lies: the slot keeps what is left of the record until the
                // next lead put there replaces it (`Leads::release`), so nothing is copied out.
                self.retire(lead);
                leads.release(id);
            } else {
                let due = lead.next_due();
                leads.set_due(id, due);
            }
        }
        self.leads = leads;
    }

    /// Tallies a finished lead's lead-level KPIs and keeps its buffers for new arrivals.
    fn retire(&mut self, lead: &mut SimLead) {
        if lead.counted {
            self.tally_lead(lead);
        }
        self.spares.keep(lead);
    }

    /// Runs the replication to its horizon.
    pub fn run(mut self) -> Result<ReplicationResult, Overrun> {
        self.drive();
        match self.overrun.take() {
            Some(overrun) => Err(overrun),
            None => Ok(self.finish()),
        }
    }

    /// Stops the run when it has used its event budget or holds too many leads: an absurd
    /// scenario ends with a clear error instead of a wait or an allocation failure.
    #[inline]
    fn overrun(&self) -> Option<Overrun> {
        if self.events > self.max_events {
            return Some(Overrun::Events {
                limit: self.max_events,
                at_secs: self.clock - START,
            });
        }
        if self.leads.live() > self.max_leads_alive {
            return Some(self.too_many_alive());
        }
        None
    }

    /// The overrun of a run holding too many leads, with its longest queue.
    #[cold]
    fn too_many_alive(&self) -> Overrun {
        let longest_queue = self
            .engine
            .playbook()
            .queues
            .iter()
            .enumerate()
            .map(|(i, def)| (def, self.desk.waiting(queue_id(i))))
            .max_by_key(|(_, waiting)| *waiting)
            .map(|(def, waiting)| (def.name.clone(), waiting));
        Overrun::LeadsAlive {
            limit: self.max_leads_alive,
            at_secs: self.clock - START,
            longest_queue,
        }
    }

    /// The event loop, up to the horizon.
    fn drive(&mut self) {
        for s in 0..self.sources.len() {
            self.next_arrival(s);
        }
        self.schedule(self.warmup, Ev::Warmup);
        while let Some((at, ev)) = self.agenda.pop() {
            self.now = START + Timestamp::from(at);
            self.clock = self.now;
            // Nearly every event lands on a lead not in cache. Fetching is pipelined over the
            // next three events: the slot number of the third, the record of the second (whose
            // slot number was fetched during the previous event) and the next pending event of
            // the first (whose record was), so the memory latency overlaps with this event's
            // work; a lead with nothing due at its entry's time is not fetched, since serving
            // the entry will not read it. With few leads alive their records stay in cache and
            // prefetching would only cost time.
            if self.leads.live() > PREFETCH_ABOVE {
                let [first, second, third] = self
                    .agenda
                    .peek_three()
                    .map(|e| e.and_then(|(at, ev)| Some((*at, ev.lead()?))));
                if let Some((_, id)) = third {
                    self.leads.prefetch_slot(id);
                }
                if let Some(lead) = second.and_then(|(at, id)| self.due_lead(id, at)) {
                    lead.prefetch();
                }
                if let Some(lead) = first.and_then(|(at, id)| self.due_lead(id, at)) {
                    lead.prefetch_next();
                }
            }
            self.handle(ev);
            self.settle();
            if let Some(wip) = self.wip.as_mut() {
                wip.update(self.now, self.leads.live() as f64);
            }
            if let Some(overrun) = self.overrun() {
                self.overrun = Some(overrun);
                return;
            }
        }
        self.now = self.horizon;
    }

    /// Does the work that follows an event, then runs ahead the leads whose handoff it ended;
    /// a lead run ahead may hand off again at once, which brings more work, so until none is
    /// left.
    fn settle(&mut self) {
        loop {
            while let Some(f) = self.follow.pop_front() {
                match f {
                    Follow::Dispatch(q) => self.dispatch(q),
                    Follow::Free(q, s) => self.seller_free(q, s),
                    Follow::Attempt(id) => self.with_lead(id, |run, lead| run.attempt(id, lead)),
                    Follow::Dispose(id) => self.with_lead(id, |run, lead| run.dispose(id, lead)),
                }
            }
            let Some(id) = self.released.pop() else {
                return;
            };
            if self.run_ahead {
                self.with_lead(id, |run, lead| {
                    if lead.in_nurture() {
                        run.ahead = Some(id);
                        run.run_ahead(id, lead);
                    }
                });
            }
        }
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Arrival { source } => {
                self.arrive(usize::from(source));
                self.next_arrival(usize::from(source));
            }
            Ev::Lead { lead } => self.serve(lead),
            Ev::SellerFree { queue, seller } => {
                let (q, s) = (usize::from(queue), seller as usize);
                let (now, lo, hi) = (self.now, self.warmup, self.horizon);
                self.desk.set_busy(queue_id(q), s, false);
                if let Some(queue) = self.queues.get_mut(q) {
                    if let Some(since) = queue.busy_since.get(s) {
                        queue.busy_secs += overlap(*since, now, lo, hi);
                    }
                }
                self.seller_free(q, s);
            }
            Ev::Wake { queue } => {
                let q = usize::from(queue);
                if let Some(queue) = self.queues.get_mut(q) {
                    queue.wake_pending = false;
                }
                self.dispatch(q);
            }
            Ev::Warmup => {
                for (i, q) in self.queues.iter_mut().enumerate() {
                    q.little.at_warmup = self.desk.waiting(queue_id(i));
                }
            }
        }
    }

    /// The lead, if it has an event due at `at` (otherwise an agenda entry for it at `at` will
    /// find nothing, see [`Run::serve`]).
    fn due_lead(&self, id: u32, at: u32) -> Option<&SimLead> {
        (self.leads.due(id) == Some(at))
            .then(|| self.leads.get(id))
            .flatten()
    }

    /// Runs a lead in nurture forward on its own, ahead of the clock, until it finishes, runs
    /// out of events before the horizon, or starts a handoff.
    ///
    /// Outside a handoff a lead shares nothing with other leads: its inputs come from its own
    /// random streams and its timers, and the engine reads only its state. So its events can be
    /// applied at once, in its own time order, while its record is in cache, instead of one at a
    /// time among a million others through the agenda; and a lead that ends in nurture is
    /// tallied and dropped at once instead of being held to the horizon. A handoff is where the
    /// lead meets shared state (queues, sellers): the step that starts it has already changed
    /// the lead, so [`Run::react`] stashes its actions and schedules [`LeadEv::Resume`] at that
    /// time, and from then on the lead's events go through the agenda like any other's, until
    /// the handoff ends and the lead is run ahead again.
    fn run_ahead(&mut self, id: u32, lead: &mut SimLead) {
        let clock = self.now;
        while self.ahead == Some(id) && !lead.finished && self.events <= self.max_events {
            let Some((at, ev)) = lead.take_next(|_| true) else {
                self.ahead = None;
                self.finish_lead(lead);
                break;
            };
            self.now = at;
            self.handle_lead(id, lead, ev);
        }
        self.ahead = None;
        self.now = clock;
        self.list_pending(id, lead);
    }
}
