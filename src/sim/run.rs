//! One replication: a discrete-event loop over the agenda (a radix heap of timed events),
//! driving the engine with a virtual clock.
//!
//! Arrivals are generated lazily (one pending arrival per source, one pending signal per lead and
//! signal generator). A lead outside a handoff is run ahead of the clock on its own pending
//! events (`Run::run_ahead`), so only leads in a handoff are on the agenda and held in memory.
//! Ties in time are broken by scheduling order, so the run is deterministic. Finished leads are
//! dropped at once.

use super::agenda::Agenda;
use super::kpi::Tallies;
use super::leads::Leads;
use super::queue::{LittleSample, QueueSim, Waiting};
use super::rng::{BlockCache, LeadKey, Purpose, Replication};
use super::timeline::{Periods, Timeline};
use super::world::{whole_secs, World};
use crate::calendar::Timestamp;
use crate::engine::{Action, Engine, Input, LeadState, Step, TimerKey, TimerKind, TouchOutcome};
use crate::ir::{BandSetId, Kpi, QueueOrder, SellerId, Value};
use std::collections::VecDeque;

/// Live leads above which the run prefetches: at 456 bytes a record, 2048 leads fill 910 KiB,
/// the order of a core's private cache. Below that, records stay in cache and skipping
/// the prefetch made the M/M/c playbook 3% faster.
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

/// An event of one lead, pending in its own list. `repr(u8)` lays each variant out after a
/// one-byte tag, which keeps a timer's kind and generation in 8 bytes with the tag.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
enum LeadEv {
    /// Signal `k` of generator `gen`, due `frac` 65 536ths of a second after the whole
    /// second it is listed at: the clock keeps whole seconds, and the carry keeps signals
    /// closer together than a second from piling up or standing still.
    Signal {
        gen: u8,
        frac: u16,
        k: u32,
    },
    Respond {
        index: u16,
    },
    Timer {
        kind: TimerKind,
        generation: u32,
    },
    Attempt,
    /// The lead, run ahead on its own, reached a handoff at this time: react to the stashed
    /// actions.
    Resume,
}

/// A pending lead event, in 16 bytes so that a lead's usual handful fits in two cache lines.
#[derive(Debug, Clone, Copy)]
struct Pending {
    /// When, in seconds after [`START`] (see [`relative`]).
    at: u32,
    /// The event's place among the lead's events at that time, shifted left by one (a lead
    /// schedules far fewer than 2^31 events), with the lowest bit set once the agenda has an
    /// [`Ev::Lead`] for it.
    order: u32,
    ev: LeadEv,
}

const _: () = assert!(std::mem::size_of::<Pending>() == 16);

impl Pending {
    fn new(at: Timestamp, order: u32, ev: LeadEv, listed: bool) -> Self {
        Pending {
            at: relative(at),
            order: (order << 1) | u32::from(listed),
            ev,
        }
    }

    /// Time, then place among the lead's events at that time.
    fn key(&self) -> u64 {
        (u64::from(self.at) << 32) | u64::from(self.order >> 1)
    }

    fn listed(&self) -> bool {
        self.order & 1 != 0
    }

    fn time(&self) -> Timestamp {
        START + Timestamp::from(self.at)
    }
}

/// Work that follows from actions and runs after the current event, in order.
#[derive(Debug, Clone, Copy)]
enum Follow {
    Dispatch(usize),
    Attempt(u32),
    Dispose(u32),
}

const AUTO_TOUCHED: u16 = 1;
const ENGAGED: u16 = 2;
const RECYCLED: u16 = 4;
const RE_ENGAGED: u16 = 8;
const SUPPRESSED: u16 = 16;
const RETURNED: u16 = 32;
const CONVERTED: u16 = 64;
const HANDED_OFF: u16 = 128;
/// A handoff rule fired for the lead, whether or not it could be routed.
const MQL: u16 = 256;
const TOUCHED: u16 = 512;
const CONNECTED: u16 = 1024;

/// How a handoff ended, for leakage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Running,
    Disposed,
    Recycled,
    Unresolved,
    Closed,
    Disqualified,
}

#[derive(Debug, Clone, Copy)]
struct Place {
    queue: usize,
    ticket: u32,
    since: Timestamp,
}

/// The simulator's view of a handoff in progress.
#[derive(Debug, Clone)]
struct HandoffSim {
    started_at: Timestamp,
    counted: bool,
    band: Option<usize>,
    queue: usize,
    target: bool,
    delay: Option<i64>,
    late: bool,
    breaches: u32,
    end: End,
    seller: Option<(usize, usize)>,
    place: Option<Place>,
}

/// A live lead: the engine's state plus what the simulator needs to drive and measure it.
#[derive(Debug, Clone, Default)]
struct SimLead {
    state: LeadState,
    key: LeadKey,
    profile: u16,
    counted: bool,
    band: Option<u8>,
    /// Band and queue of the first handoff, for MQL→SQL by band and queue.
    first: Option<(Option<u8>, u16)>,
    flags: u16,
    intent_until: Timestamp,
    touches: u32,
    ticket: u32,
    handoff: Option<Box<HandoffSim>>,
    /// The actions of the step that started a handoff while the lead ran ahead, held until the
    /// run reaches that time ([`LeadEv::Resume`]).
    stash: Vec<Action>,
    /// The lead's own pending events, latest first: served from the end, in order of time and
    /// then of `orders`.
    pending: Vec<Pending>,
    /// Events scheduled so far, numbering ties in time in scheduling order.
    orders: u32,
    /// Set when the lead is done or has nothing left to do; the run drops it as soon as it
    /// stops working on it. Until then nothing is scheduled for it ([`Run::schedule_for`],
    /// [`Run::list_pending`]) and a run ahead stops, so no further step reaches it.
    finished: bool,
}

impl SimLead {
    /// Asks for the record's cache lines (those of the fields an event reads first).
    fn prefetch(&self) {
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.stage);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.generations);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.scores);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.counters);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.signals);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.last_touch);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.key);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.flags);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.pending);
    }

    /// Asks for the lead's separate allocations an event reads: its next pending event, its
    /// attributes and, in a handoff, the engine's and the simulator's records of it.
    fn prefetch_next(&self) {
        for event in self.pending.iter().step_by(4) {
            mem_prefetch::prefetch_read_data::<_, 3>(event);
        }
        if let Some(run) = self.state.handoff() {
            mem_prefetch::prefetch_read_data::<_, 3>(run);
        }
        if let Some(handoff) = self.handoff.as_deref() {
            mem_prefetch::prefetch_read_data::<_, 3>(handoff);
        }
        if let Some(first) = self.state.attributes.first() {
            mem_prefetch::prefetch_read_data::<_, 3>(first);
        }
    }

    /// Whether the lead is outside any handoff, including one it reached ahead of the clock.
    fn in_nurture(&self) -> bool {
        self.handoff.is_none() && self.stash.is_empty() && self.state.handoff().is_none()
    }

    /// Adds a pending event, keeping the list in order with the next event last (after any
    /// event with the same key). A new event is pushed and moved down past those due before
    /// it: a lead has a handful pending, so this costs less than a binary search and the call
    /// to `memmove` that `insert` makes (1% of a simulation).
    fn add_pending(&mut self, event: Pending) {
        let key = event.key();
        let mut at = self.pending.len();
        self.pending.push(event);
        while let Some(pair) = at.checked_sub(1).and_then(|i| self.pending.get_mut(i..=at)) {
            match pair {
                [earlier, new] if earlier.key() <= key => std::mem::swap(earlier, new),
                _ => break,
            }
            at -= 1;
        }
    }

    /// The next event, taken off the list if `due` accepts its time.
    fn take_next(&mut self, due: impl FnOnce(Timestamp) -> bool) -> Option<(Timestamp, LeadEv)> {
        if !due(self.pending.last()?.time()) {
            return None;
        }
        self.pending.pop().map(|p| (p.time(), p.ev))
    }

    /// When the next event is due, in the agenda's seconds; `u32::MAX` with none pending (no
    /// event is ever due then: horizons end before it).
    fn next_due(&self) -> u32 {
        self.pending.last().map_or(u32::MAX, |p| p.at)
    }
}

/// Records something about the running handoff of a lead (the first ending wins).
fn note(lead: &mut SimLead, f: impl FnOnce(&mut HandoffSim)) {
    if let Some(h) = lead.handoff.as_deref_mut() {
        if h.end == End::Running {
            f(h);
        }
    }
}

/// Buffers of finished leads, reused by new ones so that an arrival does not allocate.
#[derive(Default)]
struct Spares {
    attributes: Vec<Vec<Value>>,
    pending: Vec<Vec<Pending>>,
}

impl Spares {
    /// More than this many spare buffers of a kind are freed: enough to cover the leads that
    /// finish between two arrivals.
    const KEEP: usize = 256;

    fn keep(&mut self, lead: &mut SimLead) {
        let mut attributes = std::mem::take(&mut lead.state.attributes);
        let mut pending = std::mem::take(&mut lead.pending);
        if self.attributes.len() < Self::KEEP {
            attributes.clear();
            self.attributes.push(attributes);
        }
        if self.pending.len() < Self::KEEP {
            pending.clear();
            self.pending.push(pending);
        }
    }
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
    /// Leads still waiting per queue at the horizon.
    pub still_waiting: Vec<u32>,
    /// Leakage and queue length per simulated day or week, for charts.
    pub timeline: Timeline,
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
        /// The budget.
        limit: u64,
        /// Simulated seconds since the start when it ran out.
        at_secs: i64,
    },
    /// More than [`Plan::max_leads_alive`] leads alive at once.
    LeadsAlive {
        /// The limit.
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
    agenda: Agenda<Ev>,
    leads: Leads<SimLead>,
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
    /// Keystream blocks of signal gaps and touch responses (see [`Replication::signal_gap`]).
    blocks: BlockCache,
    /// See [`Plan::max_events`].
    max_events: u64,
    /// See [`Plan::max_leads_alive`].
    max_leads_alive: usize,
    /// Why the run stopped early, if it did.
    overrun: Option<Overrun>,
}

/// The time `gap` seconds after `frac` 65 536ths of a second past `now`: the whole second it
/// falls in and the fraction past it, so that gaps shorter than a second add up instead of
/// rounding to nothing. `None` for a gap that never ends (a rate so small its reciprocal is
/// infinite).
fn after_gap(now: Timestamp, frac: u16, gap: f64) -> Option<(Timestamp, u16)> {
    if !(gap.is_finite() && gap >= 0.0) {
        return None;
    }
    let exact = f64::from(frac) / 65_536.0 + gap.min(1e15);
    // Both casts truncate a non-negative value: the whole seconds, then the 65 536ths left,
    // which are below 65 536 because the fraction is below one.
    let whole = exact as Timestamp;
    let carry = ((exact - whole as f64) * 65_536.0) as u16;
    Some((now.saturating_add(whole), carry))
}

/// Seconds after [`START`] as the agenda keys them; the plan keeps horizons inside `u32`.
fn relative(at: Timestamp) -> u32 {
    u32::try_from(at.saturating_sub(START).max(0)).unwrap_or(u32::MAX)
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
        let queues = playbook
            .queues
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let lines = match q.order {
                    QueueOrder::Fifo => 1,
                    QueueOrder::ByBand(b) => {
                        playbook
                            .band_sets
                            .get(b.index())
                            .map_or(0, |s| s.bands.len())
                            + 1
                    }
                };
                QueueSim::new(
                    q,
                    world.staff.get(i).and_then(Option::as_ref),
                    lines,
                    warmup,
                    periods,
                )
            })
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
            agenda: Agenda::new(),
            leads: Leads::default(),
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
        }
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
    fn overrun(&self) -> Option<Overrun> {
        let at_secs = self.clock - START;
        if self.events > self.max_events {
            return Some(Overrun::Events {
                limit: self.max_events,
                at_secs,
            });
        }
        if self.leads.live() > self.max_leads_alive {
            let queues = &self.engine.playbook().queues;
            let longest_queue = self
                .queues
                .iter()
                .zip(queues)
                .max_by_key(|(q, _)| q.waiting)
                .map(|(q, def)| (def.name.clone(), q.waiting));
            return Some(Overrun::LeadsAlive {
                limit: self.max_leads_alive,
                at_secs,
                longest_queue,
            });
        }
        None
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
            if self.events > self.max_events || self.leads.live() > self.max_leads_alive {
                self.overrun = self.overrun();
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

    fn next_arrival(&mut self, s: usize) {
        let Some(rate) = self.world.sources.get(s).map(|w| w.rate) else {
            return;
        };
        let Some(src) = self.sources.get_mut(s) else {
            return;
        };
        if rate <= 0.0 {
            return;
        }
        src.next += src.rng.exponential(1.0 / rate);
        let at = src.next.floor();
        if at <= self.horizon as f64 {
            self.schedule(
                at as Timestamp,
                Ev::Arrival {
                    source: u16::try_from(s).unwrap_or(u16::MAX),
                },
            );
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
                if let Some(queue) = self.queues.get_mut(q) {
                    let mut busy = 0.0;
                    queue.update_seller(s, |seller| {
                        seller.busy = false;
                        busy = overlap(seller.busy_since, now, lo, hi);
                    });
                    queue.busy_secs += busy;
                }
                self.dispatch(q);
            }
            Ev::Wake { queue } => {
                let q = usize::from(queue);
                if let Some(queue) = self.queues.get_mut(q) {
                    queue.wake_pending = false;
                }
                self.dispatch(q);
            }
            Ev::Warmup => {
                for q in &mut self.queues {
                    q.little.at_warmup = q.waiting;
                }
            }
        }
    }

    fn handle_lead(&mut self, id: u32, lead: &mut SimLead, ev: LeadEv) {
        match ev {
            LeadEv::Signal { gen, frac, k } => self.signal(id, lead, usize::from(gen), frac, k),
            LeadEv::Respond { index } => {
                let input = self
                    .world
                    .profiles
                    .get(usize::from(lead.profile))
                    .and_then(|p| p.responds.get(usize::from(index)));
                if let Some((_, input)) = input {
                    self.step(id, lead, input);
                }
            }
            LeadEv::Timer { kind, generation } => {
                // A timer input owns nothing, so it is not dropped: dropping it would call the
                // drop code of every kind of input (about 20 instructions, for 9.7 M timers in
                // the reference year).
                let input =
                    std::mem::ManuallyDrop::new(Input::Timer(TimerKey { kind, generation }));
                self.step(id, lead, &input);
            }
            LeadEv::Attempt => self.attempt(id, lead),
            LeadEv::Resume => {
                self.out.clear();
                self.out.append(&mut lead.stash);
                self.react(id, lead);
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

    fn arrive(&mut self, s: usize) {
        let world = self.world;
        let Some(source) = world.sources.get(s) else {
            return;
        };
        let Some(state) = self.sources.get_mut(s) else {
            return;
        };
        let key = LeadKey {
            source: u16::try_from(s).unwrap_or(u16::MAX),
            index: state.count,
        };
        state.count += 1;
        let mut rng = self.rep.lead(key, Purpose::Arrival as u8, 0);
        let mut attributes = self.spares.attributes.pop().unwrap_or_default();
        world.attributes(s, &mut rng, &mut attributes);
        let profile = rng
            .pick(world.profiles.iter().map(|p| p.share))
            .unwrap_or(0);
        let profile_def = world.profiles.get(profile);
        let intent_until = profile_def
            .and_then(|p| p.intent_lasts.as_ref())
            .map_or(self.horizon, |d| {
                self.now.saturating_add(whole_secs(rng.sample(d)))
            });
        self.out.clear();
        // Built here and admitted in place: a record is only copied if it outlives its run
        // ahead (into the table, below).
        let mut lead = SimLead {
            state: LeadState::new(),
            key,
            profile: u16::try_from(profile).unwrap_or(u16::MAX),
            counted: self.now >= self.warmup,
            band: None,
            first: None,
            flags: 0,
            intent_until,
            touches: 0,
            ticket: 0,
            handoff: None,
            stash: Vec::new(),
            pending: Vec::new(),
            orders: 0,
            finished: false,
        };
        let step = self.engine.admit(
            &mut lead.state,
            attributes,
            Some(source.name.clone()),
            self.now,
            &mut self.out,
        );
        self.events += 1;
        if step != Step::Applied {
            return;
        }
        lead.band = self
            .band_set
            .and_then(|b| self.engine.band(&lead.state, b, self.now))
            .and_then(|b| u8::try_from(b).ok());
        let Some(id) = self.leads.reserve() else {
            return;
        };
        // Room for a lead's usual handful of pending events, so a new list rarely grows.
        lead.pending = self
            .spares
            .pending
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(8));
        self.ahead = self.run_ahead.then_some(id);
        self.react(id, &mut lead);
        if let Some(profile_def) = profile_def {
            for (g, (_, mean)) in profile_def.signals.iter().enumerate() {
                let gen = u8::try_from(g).unwrap_or(u8::MAX);
                match mean {
                    None => {
                        let first = LeadEv::Signal { gen, frac: 0, k: 0 };
                        self.schedule_for(id, &mut lead, self.now, first);
                    }
                    Some(mean) => self.next_signal(id, &mut lead, gen, (0, 0), *mean),
                }
            }
        }
        self.run_ahead(id, &mut lead);
        if lead.finished {
            self.leads.release(id);
            self.retire(&mut lead);
        } else {
            let due = lead.next_due();
            self.leads.put(id, lead, due);
        }
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

    /// Schedules signal `k` of generator `gen` of a lead, `mean` seconds apart on average, if
    /// its intent lasts that long; the last signal was `frac` 65 536ths of a second after the
    /// clock's whole second (see [`LeadEv::Signal`]).
    fn next_signal(
        &mut self,
        id: u32,
        lead: &mut SimLead,
        gen: u8,
        (frac, k): (u16, u32),
        mean: f64,
    ) {
        // Nothing is scheduled for a finished lead: skip the draw too.
        if lead.finished {
            return;
        }
        let gap = self
            .rep
            .signal_gap(&mut self.blocks, lead.key, gen, k, mean);
        let Some((at, frac)) = after_gap(self.now, frac, gap) else {
            return;
        };
        if at < lead.intent_until {
            let k = k.saturating_add(1);
            self.schedule_for(id, lead, at, LeadEv::Signal { gen, frac, k });
        }
    }

    fn signal(&mut self, id: u32, lead: &mut SimLead, gen: usize, frac: u16, k: u32) {
        let world = self.world;
        let line = world
            .profiles
            .get(usize::from(lead.profile))
            .and_then(|p| p.signals.get(gen));
        if let Some((input, mean)) = line {
            self.step(id, lead, input);
            if let (Some(mean), Ok(gen)) = (*mean, u8::try_from(gen)) {
                self.next_signal(id, lead, gen, (frac, k), mean);
            }
        }
    }

    /// Delivers one input to a live lead and reacts to the actions.
    fn step(&mut self, id: u32, lead: &mut SimLead, input: &Input) {
        self.out.clear();
        let step = self
            .engine
            .step(&mut lead.state, input, self.now, &mut self.out);
        self.events += 1;
        #[cfg(test)]
        self.trace
            .entry(id)
            .or_default()
            .push(format!("{} {input:?} {step:?} {:?}", self.now, self.out));
        if step != Step::Applied {
            return;
        }
        if matches!(input, Input::Event { .. }) {
            if lead.flags & AUTO_TOUCHED != 0 {
                lead.flags |= ENGAGED;
            }
            if lead.flags & RECYCLED != 0 {
                lead.flags |= RE_ENGAGED;
            }
        }
        self.react(id, lead);
    }

    /// Reacts to the actions of the step just taken. A step without actions changed no stage
    /// (`tests/engine_props.rs` checks that every change of stage comes with an action), so
    /// there is nothing to react to: most signals. That is told here, inlined into the step,
    /// before the call that reacts.
    #[inline(always)]
    fn react(&mut self, id: u32, lead: &mut SimLead) {
        if !self.out.is_empty() {
            self.react_to_actions(id, lead);
        }
    }

    #[inline(never)]
    fn react_to_actions(&mut self, id: u32, lead: &mut SimLead) {
        if self.ahead == Some(id) && lead.handoff.is_none() && lead.state.handoff().is_some() {
            self.ahead = None;
            // Ahead of the clock the handoff waits for the run to reach it; at the clock's
            // time (a hand-raise on arrival) it starts at once.
            if self.now > self.clock {
                // Moved, not swapped: the run's buffer keeps its capacity for the next step.
                lead.stash.append(&mut self.out);
                self.schedule_for(id, lead, self.now, LeadEv::Resume);
                return;
            }
        }
        let out = std::mem::take(&mut self.out);
        self.start_handoff(lead);
        for action in &out {
            self.act(id, lead, action);
        }
        // The buffer taken above is put back. What stands in its place is almost always the
        // empty `Vec` that `take` left, which owns nothing: forgetting it skips a call to the
        // drop code of every action (0.55% of the instructions), and anything else is dropped.
        let stand_in = std::mem::replace(&mut self.out, out);
        if stand_in.capacity() == 0 {
            std::mem::forget(stand_in);
        }
        let ended = lead.handoff.is_some() && lead.state.handoff().is_none();
        let done = lead.state.is_done();
        if ended {
            self.end_handoff(lead, false);
            if !done {
                self.released.push(id);
            }
        }
        if done {
            self.finish_lead(lead);
        }
    }

    fn start_handoff(&mut self, lead: &mut SimLead) {
        let (engine, band_set, now, warmup) = (self.engine, self.band_set, self.now, self.warmup);
        if lead.handoff.is_some() {
            return;
        }
        let Some(run) = lead.state.handoff() else {
            return;
        };
        let target = run.owner.is_some()
            || engine
                .playbook()
                .handoffs
                .get(run.rule.index())
                .is_some_and(|h| h.kpis.contains(&Kpi::TargetAccountMeetings));
        let band = band_set.and_then(|b| engine.band(&lead.state, b, now));
        let queue = run.queue.index();
        lead.handoff = Some(Box::new(HandoffSim {
            started_at: run.started_at,
            counted: run.started_at >= warmup,
            band,
            queue,
            target,
            delay: None,
            late: false,
            breaches: 0,
            end: End::Running,
            seller: None,
            place: None,
        }));
        if lead.flags & SUPPRESSED != 0 {
            lead.flags |= RETURNED;
        }
        lead.flags |= HANDED_OFF | MQL;
        if lead.first.is_none() {
            lead.first = Some((
                band.and_then(|b| u8::try_from(b).ok()),
                u16::try_from(queue).unwrap_or(u16::MAX),
            ));
        }
    }

    fn act(&mut self, id: u32, lead: &mut SimLead, action: &Action) {
        let now = self.now;
        match action {
            Action::StartTimer { key, at } => {
                let TimerKey { kind, generation } = *key;
                self.schedule_for(id, lead, *at, LeadEv::Timer { kind, generation });
            }
            Action::AutoTouch { .. } => self.auto_touch(id, lead),
            Action::Enqueue {
                queue,
                owner,
                priority,
                ..
            } => self.place(id, lead, queue.index(), *owner, *priority),
            Action::Dequeue { .. } => self.unplace(lead),
            Action::FirstTouch {
                delay_secs,
                breaches,
                ..
            } => {
                lead.flags |= TOUCHED;
                let late = now > lead.intent_until;
                if let Some(h) = lead.handoff.as_deref_mut() {
                    h.delay = Some(*delay_secs);
                    h.breaches = *breaches;
                    h.late = late;
                }
            }
            Action::StepDue { .. } => self.follow.push_back(Follow::Attempt(id)),
            Action::AwaitingDisposition { .. } => self.follow.push_back(Follow::Dispose(id)),
            Action::SlaBreached { breaches, .. } => note(lead, |h| h.breaches = *breaches),
            Action::BreachRecycled { .. } => note(lead, |h| h.end = End::Recycled),
            Action::Unresolved { .. } => note(lead, |h| h.end = End::Unresolved),
            Action::Disposition { .. } => note(lead, |h| h.end = End::Disposed),
            Action::Closed { .. } => note(lead, |h| h.end = End::Closed),
            Action::Disqualified { .. } => note(lead, |h| h.end = End::Disqualified),
            Action::Recycled {
                suppressed_until, ..
            } => {
                lead.flags |= RECYCLED;
                if suppressed_until.is_some() {
                    lead.flags |= SUPPRESSED;
                }
            }
            Action::Converted { .. } => lead.flags |= CONVERTED,
            Action::Unroutable { .. } => lead.flags |= MQL,
            _ => {}
        }
    }

    /// An automated touch: each `responds` entry of the profile may answer within a day.
    fn auto_touch(&mut self, id: u32, lead: &mut SimLead) {
        let (world, rep) = (self.world, self.rep);
        lead.flags |= AUTO_TOUCHED;
        let touch = lead.touches;
        lead.touches = lead.touches.saturating_add(1);
        let Some(profile) = world.profiles.get(usize::from(lead.profile)) else {
            return;
        };
        let entries = profile.responds.len();
        for (entry, (chance, _)) in profile.responds.iter().enumerate() {
            let (yes, when) =
                rep.response(&mut self.blocks, lead.key, (touch, entries, entry), *chance);
            if yes {
                // Within the next day, at least a second after the touch.
                let delay = 1 + whole_secs(when * 86_399.0);
                self.schedule_for(
                    id,
                    lead,
                    self.now.saturating_add(delay),
                    LeadEv::Respond {
                        index: u16::try_from(entry).unwrap_or(u16::MAX),
                    },
                );
            }
        }
    }

    /// Puts a lead in a queue (its overflow when every seller is at capacity), replacing any
    /// earlier placement.
    fn place(
        &mut self,
        id: u32,
        lead: &mut SimLead,
        queue: usize,
        owner: Option<SellerId>,
        priority: u32,
    ) {
        self.unplace(lead);
        let mut q = queue;
        for _ in 0..self.queues.len() {
            match self.queues.get(q) {
                Some(qs) if qs.saturated() => match qs.overflow {
                    Some(next) if next != q => q = next,
                    _ => break,
                },
                _ => break,
            }
        }
        let seq = self.placements;
        self.placements += 1;
        let now = self.now;
        let Some(handoff) = lead.handoff.as_deref_mut() else {
            return;
        };
        let Some(qs) = self.queues.get_mut(q) else {
            return;
        };
        lead.ticket = lead.ticket.wrapping_add(1);
        let slot = owner.and_then(|m| qs.slot_of(m));
        qs.push(
            Waiting {
                lead: id,
                ticket: lead.ticket,
                priority,
                seq,
            },
            slot,
            now,
        );
        handoff.place = Some(Place {
            queue: q,
            ticket: lead.ticket,
            since: now,
        });
        self.follow.push_back(Follow::Dispatch(q));
    }

    fn unplace(&mut self, lead: &mut SimLead) {
        let now = self.now;
        let place = lead.handoff.as_deref_mut().and_then(|h| h.place.take());
        if let Some(place) = place {
            if let Some(q) = self.queues.get_mut(place.queue) {
                q.forget(now);
            }
            self.sojourn(place.queue, place.since, now);
        }
    }

    fn sojourn(&mut self, queue: usize, since: Timestamp, end: Timestamp) {
        let (warmup, horizon) = (self.warmup, self.horizon);
        if let Some(q) = self.queues.get_mut(queue) {
            if since >= warmup {
                q.little.started += 1;
                q.little.sum += (end.min(horizon) - since) as f64;
            } else if end > warmup {
                q.little.max_boundary = q
                    .little
                    .max_boundary
                    .max((end.min(horizon) - warmup) as f64);
            }
        }
    }

    /// Offers waiting leads to available sellers until no pairing is left; outside working
    /// hours, schedules one look at the queue for the next opening.
    fn dispatch(&mut self, q: usize) {
        let (now, horizon) = (self.now, self.horizon);
        loop {
            let Some(queue) = self.queues.get_mut(q) else {
                return;
            };
            if queue.waiting == 0 || !queue.has_idle() {
                return;
            }
            if !queue.at_work(now) {
                let next = queue.calendar.as_ref().map(|c| c.next_open(now));
                if let Some(at) = next.filter(|at| *at <= horizon && !queue.wake_pending) {
                    queue.wake_pending = true;
                    self.schedule(
                        at,
                        Ev::Wake {
                            queue: u16::try_from(q).unwrap_or(u16::MAX),
                        },
                    );
                }
                return;
            }
            let leads = &self.leads;
            let valid = |w: &Waiting| {
                leads
                    .get(w.lead)
                    .and_then(|l| l.handoff.as_deref())
                    .and_then(|h| h.place)
                    .is_some_and(|p| p.queue == q && p.ticket == w.ticket)
            };
            match queue.next_pickup(valid, now) {
                Some((s, w)) => self.with_lead(w.lead, |run, lead| run.pickup(q, s, w, lead)),
                None => return,
            }
        }
    }

    /// A seller takes a lead: busy for a handling time, one more open lead, first touch now.
    fn pickup(&mut self, q: usize, s: usize, waiting: Waiting, lead: &mut SimLead) {
        let now = self.now;
        let id = waiting.lead;
        let Some(handoff) = lead.handoff.as_deref_mut() else {
            return;
        };
        let since = handoff.place.take().map_or(now, |p| p.since);
        handoff.seller = Some((q, s));
        let mut draw = self
            .rep
            .lead(lead.key, Purpose::Handle as u8, lead.state.handoffs);
        let Some(queue) = self.queues.get_mut(q) else {
            return;
        };
        let handle = draw.sample(&queue.handle);
        let member = queue.sellers.get(s).and_then(|seller| seller.member);
        queue.update_seller(s, |seller| {
            seller.busy = true;
            seller.busy_since = now;
            seller.open = seller.open.saturating_add(1);
        });
        self.sojourn(q, since, now);
        self.schedule(
            now.saturating_add(whole_secs(handle)),
            Ev::SellerFree {
                queue: u16::try_from(q).unwrap_or(u16::MAX),
                seller: u32::try_from(s).unwrap_or(u32::MAX),
            },
        );
        self.step(id, lead, &Input::Pickup { seller: member });
    }

    /// A sequence step is due: the seller attempts a touch in working hours.
    fn attempt(&mut self, id: u32, lead: &mut SimLead) {
        let (now, world) = (self.now, self.world);
        let Some(handoff) = lead.handoff.as_deref() else {
            return;
        };
        let Some(run) = lead.state.handoff() else {
            return;
        };
        if run.is_queued() || run.awaiting_disposition {
            return;
        }
        let reopens = handoff
            .seller
            .and_then(|(q, _)| self.queues.get(q))
            .and_then(|q| q.calendar.as_ref())
            .filter(|calendar| !calendar.is_open(now))
            .map(|calendar| calendar.next_open(now));
        if let Some(at) = reopens {
            self.schedule_for(id, lead, at, LeadEv::Attempt);
            return;
        }
        let delay = (now - handoff.started_at).max(0) as f64;
        let index = (lead.state.handoffs << 8) | (run.attempts & 0xFF);
        let mut rng = self.rep.lead(lead.key, Purpose::Attempt as u8, index);
        let connect = rng.unit() < world.connect.at_delay(delay);
        let meeting = connect && rng.unit() < world.meeting.at_delay(delay);
        let outcome = match (connect, meeting) {
            (_, true) => TouchOutcome::Meeting,
            (true, false) => TouchOutcome::Connect,
            _ => TouchOutcome::NoAnswer,
        };
        if meeting && handoff.counted {
            let (band, queue, target) = (handoff.band, handoff.queue, handoff.target);
            self.tallies.each(band, Some(queue), |t| {
                t.meetings += 1;
                t.target_meetings += u64::from(target);
            });
        }
        if connect {
            lead.flags |= CONNECTED;
        }
        self.step(id, lead, &Input::Touch { outcome });
    }

    /// After a conversation with no mapped outcome the seller records a reason, drawn from the
    /// scenario's `after connect` shares.
    fn dispose(&mut self, id: u32, lead: &mut SimLead) {
        let world = self.world;
        let mut rng = self
            .rep
            .lead(lead.key, Purpose::Dispose as u8, lead.state.handoffs);
        let reason = rng
            .pick(world.after_connect.iter().map(|(_, s)| *s))
            .and_then(|i| world.after_connect.get(i))
            .map(|(r, _)| *r);
        if let Some(reason) = reason {
            self.step(id, lead, &Input::Disposition { reason });
        }
    }

    /// The handoff is over (or the horizon came): free the seller and tally it.
    fn end_handoff(&mut self, lead: &mut SimLead, at_horizon: bool) {
        self.unplace(lead);
        let Some(handoff) = lead.handoff.take() else {
            return;
        };
        if !at_horizon {
            if let Some((q, s)) = handoff.seller {
                if let Some(queue) = self.queues.get_mut(q) {
                    queue.update_seller(s, |seller| seller.open = seller.open.saturating_sub(1));
                }
                self.follow.push_back(Follow::Dispatch(q));
            }
        }
        let touched = handoff.delay.is_some();
        let leaked = if touched {
            Some(handoff.late || handoff.end == End::Unresolved)
        } else {
            match handoff.end {
                End::Recycled | End::Closed | End::Unresolved => Some(true),
                End::Disposed | End::Disqualified => Some(false),
                End::Running => (handoff.breaches > 0).then_some(true),
            }
        };
        self.timeline.end(handoff.started_at, leaked);
        if !handoff.counted {
            return;
        }
        let sla = if handoff.breaches > 0 {
            Some(false)
        } else {
            touched.then_some(true)
        };
        let delay = handoff.delay;
        self.tallies.each(handoff.band, Some(handoff.queue), |t| {
            t.handoffs += 1;
            if let Some(d) = delay {
                t.delays.push(d as f64);
                t.waited += u64::from(d > 0);
            }
            match sla {
                Some(true) => t.sla_met += 1,
                Some(false) => t.sla_missed += 1,
                None => {}
            }
            if let Some(leaked) = leaked {
                t.decided += 1;
                t.leaked += u64::from(leaked);
            }
        });
    }

    /// The lead is finished (or the horizon came): tally its lead-level KPIs and drop it.
    fn finish_lead(&mut self, lead: &mut SimLead) {
        if lead.handoff.is_some() {
            self.end_handoff(lead, true);
        }
        lead.finished = true;
    }

    /// Adds a finished lead's lead-level KPIs.
    fn tally_lead(&mut self, lead: &SimLead) {
        let flag = |f: u16| u64::from(lead.flags & f != 0);
        let band = lead.band.map(usize::from);
        self.tallies.each(band, None, |t| {
            t.leads += 1;
            t.mql_leads += flag(MQL);
            t.auto_touched += flag(AUTO_TOUCHED);
            t.engaged += flag(AUTO_TOUCHED) * flag(ENGAGED);
            t.recycled += flag(RECYCLED);
            t.re_engaged += flag(RECYCLED) * flag(RE_ENGAGED);
            t.suppressed += flag(SUPPRESSED);
            t.returned += flag(SUPPRESSED) * flag(RETURNED);
        });
        if let Some((band, queue)) = lead.first.filter(|_| lead.flags & HANDED_OFF != 0) {
            let (band, queue) = (band.map(usize::from), usize::from(queue));
            self.tallies.each(band, Some(queue), |t| {
                t.handed_off += 1;
                t.touched_leads += flag(TOUCHED);
                t.connected_leads += flag(CONNECTED);
                t.converted += flag(CONVERTED);
            });
        }
    }

    fn finish(mut self) -> ReplicationResult {
        let (warmup, horizon) = (self.warmup, self.horizon);
        for id in 0..self.leads.ids() {
            let Ok(id) = u32::try_from(id) else {
                break;
            };
            self.with_lead(id, |run, lead| {
                if let Some(h) = lead.handoff.as_deref_mut() {
                    if let Some(place) = h.place.take() {
                        run.sojourn(place.queue, place.since, horizon);
                    }
                }
                run.finish_lead(lead);
            });
        }
        let window = (horizon - warmup).max(0) as f64;
        let mut little = Vec::new();
        let mut still_waiting = Vec::new();
        self.timeline.queue_length = self
            .queues
            .iter()
            .map(|q| q.over_time.clone().means())
            .collect();
        for (i, q) in self.queues.iter_mut().enumerate() {
            for seller in &q.sellers {
                if seller.busy {
                    q.busy_secs += overlap(seller.busy_since, horizon, warmup, horizon);
                }
            }
            let per_seller = match &q.calendar {
                Some(c) => c.business_seconds_between(warmup, horizon) as f64,
                None => window,
            };
            let area = q.length.mean(horizon as f64) * window;
            q.little.area = area;
            q.little.window = window;
            little.push(q.little);
            still_waiting.push(q.waiting);
            if let Some(t) = self.tallies.queues.get_mut(i) {
                t.busy_secs = q.busy_secs;
                t.available_secs = per_seller * q.sellers.len() as f64;
                t.queue_area = area;
            }
        }
        let mut overall = std::mem::take(&mut self.tallies.overall);
        for t in &self.tallies.queues {
            overall.absorb_time(t);
        }
        self.tallies.overall = overall;
        ReplicationResult {
            leads_arrived: self.sources.iter().map(|s| s.count).sum(),
            events: self.events,
            window,
            tallies: self.tallies,
            little,
            still_waiting,
            timeline: self.timeline,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::sim::world::World;
    use crate::span::FileId;

    /// Gaps shorter than a second add up through the carry: a thousand gaps of 0.3 s end
    /// 300 s later, not where a thousand roundings to zero would leave them (issue 19).
    #[test]
    fn signal_gaps_under_a_second_add_up() {
        let (mut at, mut frac) = (0, 0);
        for _ in 0..1000 {
            (at, frac) = after_gap(at, frac, 0.3).unwrap();
        }
        let exact = at as f64 + f64::from(frac) / 65_536.0;
        assert!((exact - 300.0).abs() < 0.02, "{exact}");
        assert_eq!(after_gap(10, 0, f64::INFINITY), None);
        assert_eq!(after_gap(10, 0, f64::NAN), None);
        assert_eq!(after_gap(10, 65_535, 0.0), Some((10, 65_535)));
        assert_eq!(after_gap(10, 32_768, 0.5), Some((11, 0)));
    }

    /// Without handoffs leads share nothing, so running them ahead of the clock must give
    /// exactly what delivering every event through the agenda gives: every lead sees the same
    /// inputs at the same times with the same actions, and the tallies agree to the bit.
    #[test]
    fn running_ahead_changes_nothing_for_leads_that_never_meet() {
        let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
        let mut playbook = crate::check::compile(FileId(0), &src).playbook.unwrap();
        playbook.handoffs.clear();
        let engine = Engine::new(&playbook).unwrap();
        let scenario = crate::sim::find_scenario(&engine, Some("scale")).unwrap();
        let world = World::new(&engine, scenario);
        let plan = Plan {
            horizon_secs: 20 * 86_400,
            warmup_secs: 5 * 86_400,
            max_events: u64::MAX,
            max_leads_alive: usize::MAX,
        };
        let rep = Replication::new(7, 0);
        let run = |run_ahead: bool| {
            let mut run = Run::new(&engine, &world, rep, plan);
            run.run_ahead = run_ahead;
            run
        };
        let mut ahead = run(true);
        let mut through_agenda = run(false);
        // Run the loops, keeping the traces that `finish` would drop.
        ahead.drive();
        through_agenda.drive();
        let ahead_trace = std::mem::take(&mut ahead.trace);
        let agenda_trace = std::mem::take(&mut through_agenda.trace);
        let steps: usize = ahead_trace.values().map(Vec::len).sum();
        assert!(ahead_trace.len() > 30_000, "{}", ahead_trace.len());
        assert!(steps > 5 * ahead_trace.len(), "{steps}");
        assert_eq!(ahead_trace.len(), agenda_trace.len());
        for (lead, steps) in &ahead_trace {
            assert_eq!(Some(steps), agenda_trace.get(lead), "lead {lead}");
        }
        assert_eq!(ahead.finish(), through_agenda.finish());
    }
}
