//! The simulated lead: its engine state, its own pending events, the milestones KPIs count,
//! and the handoff it is in.

use super::*;

/// An event of one lead, pending in its own list. `repr(u8)` lays each variant out after a
/// one-byte tag, which keeps a timer's kind and generation in 8 bytes with the tag.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
pub(super) enum LeadEv {
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
    /// The seller who took the lead notices it after the pickup delay: the first touch.
    Pickup,
    /// The lead, run ahead on its own, reached a handoff at this time: react to the stashed
    /// actions.
    Resume,
}

/// A pending lead event, in 16 bytes so that a lead's usual handful fits in two cache lines.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pending {
    /// When, in seconds after [`START`] (see [`relative`]).
    pub(super) at: u32,
    /// The event's place among the lead's events at that time, shifted left by one (a lead
    /// schedules far fewer than 2^31 events), with the lowest bit set once the agenda has an
    /// [`Ev::Lead`] for it.
    pub(super) order: u32,
    pub(super) ev: LeadEv,
}

const _: () = assert!(std::mem::size_of::<Pending>() == 16);

impl Pending {
    pub(super) fn new(at: Timestamp, order: u32, ev: LeadEv, listed: bool) -> Self {
        Pending {
            at: relative(at),
            order: (order << 1) | u32::from(listed),
            ev,
        }
    }

    /// Time, then place among the lead's events at that time.
    pub(super) fn key(&self) -> u64 {
        (u64::from(self.at) << 32) | u64::from(self.order >> 1)
    }

    pub(super) fn listed(&self) -> bool {
        self.order & 1 != 0
    }

    pub(super) fn time(&self) -> Timestamp {
        START + Timestamp::from(self.at)
    }
}

/// What has happened to a lead so far, for the lead-level KPIs (`tally_lead`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Milestones {
    /// An automated touch reached the lead (the base of `engagement_rate`).
    pub(super) auto_touched: bool,
    /// The lead acted after an automated touch.
    pub(super) engaged: bool,
    /// A disposition sent the lead back to nurture (the base of `re_engagement`).
    pub(super) recycled: bool,
    /// The lead acted after it was recycled.
    pub(super) re_engaged: bool,
    /// A disposition suppressed the lead (the base of `return_to_intent`).
    pub(super) suppressed: bool,
    /// The lead was handed off again after a suppression.
    pub(super) returned: bool,
    /// The lead converted.
    pub(super) converted: bool,
    /// The lead was handed off to a queue.
    pub(super) handed_off: bool,
    /// A handoff rule fired for the lead, whether or not it could be routed.
    pub(super) mql: bool,
    /// A seller touched the lead.
    pub(super) touched: bool,
    /// A seller's attempt connected.
    pub(super) connected: bool,
}

/// How a handoff ended, for leakage.
pub(super) use crate::sim::kpi::HandoffEnd as End;

#[derive(Debug, Clone, Copy)]
pub(super) struct Place {
    pub(super) queue: usize,
    pub(super) ticket: u32,
    pub(super) since: Timestamp,
}

/// The simulator's view of a handoff in progress.
#[derive(Debug, Clone)]
pub(super) struct HandoffSim {
    pub(super) started_at: Timestamp,
    pub(super) counted: bool,
    pub(super) band: Option<usize>,
    pub(super) queue: usize,
    pub(super) target: bool,
    pub(super) delay: Option<i64>,
    pub(super) late: bool,
    pub(super) breaches: u32,
    pub(super) end: End,
    pub(super) seller: Option<(usize, usize)>,
    /// The seller has taken the lead but not noticed it yet (a pickup delay): reserved, not
    /// working, the first touch still to come.
    pub(super) noticing: bool,
    pub(super) place: Option<Place>,
}

/// A live lead: the engine's state plus what the simulator needs to drive and measure it.
#[derive(Debug, Clone, Default)]
pub(super) struct SimLead {
    pub(super) state: LeadState,
    pub(super) key: LeadKey,
    pub(super) profile: u16,
    pub(super) counted: bool,
    pub(super) band: Option<u8>,
    /// Band and queue of the first handoff, for MQL→SQL by band and queue.
    pub(super) first: Option<(Option<u8>, u16)>,
    pub(super) milestones: Milestones,
    pub(super) intent_until: Timestamp,
    pub(super) touches: u32,
    pub(super) ticket: u32,
    pub(super) handoff: Option<Box<HandoffSim>>,
    /// The actions of the step that started a handoff while the lead ran ahead, held until the
    /// run reaches that time ([`LeadEv::Resume`]).
    pub(super) stash: Vec<Action>,
    /// The lead's own pending events, latest first: served from the end, in order of time and
    /// then of `orders`.
    pub(super) pending: Vec<Pending>,
    /// Events scheduled so far, numbering ties in time in scheduling order.
    pub(super) orders: u32,
    /// Set when the lead is done or has nothing left to do; the run drops it as soon as it
    /// stops working on it. Until then nothing is scheduled for it ([`Run::schedule_for`],
    /// [`Run::list_pending`]) and a run ahead stops, so no further step reaches it.
    pub(super) finished: bool,
}

impl SimLead {
    /// Asks for the record's cache lines (those of the fields an event reads first).
    pub(super) fn prefetch(&self) {
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.stage);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.generations);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.scores);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.counters);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.signals);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.state.last_touch);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.key);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.milestones);
        mem_prefetch::prefetch_read_data::<_, 3>(&self.pending);
    }

    /// Asks for the lead's separate allocations an event reads: its next pending event, its
    /// attributes and, in a handoff, the engine's and the simulator's records of it.
    pub(super) fn prefetch_next(&self) {
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
    pub(super) fn in_nurture(&self) -> bool {
        self.handoff.is_none() && self.stash.is_empty() && self.state.handoff().is_none()
    }

    /// Adds a pending event, keeping the list in order with the next event last (after any
    /// event with the same key). A new event is pushed and moved down past those due before
    /// it: a lead has a handful pending, so this costs less than a binary search and the call
    /// to `memmove` that `insert` makes (1% of a simulation).
    pub(super) fn add_pending(&mut self, event: Pending) {
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
    pub(super) fn take_next(
        &mut self,
        due: impl FnOnce(Timestamp) -> bool,
    ) -> Option<(Timestamp, LeadEv)> {
        if !due(self.pending.last()?.time()) {
            return None;
        }
        self.pending.pop().map(|p| (p.time(), p.ev))
    }

    /// When the next event is due, in the agenda's seconds; `u32::MAX` with none pending (no
    /// event is ever due then: horizons end before it).
    pub(super) fn next_due(&self) -> u32 {
        self.pending.last().map_or(u32::MAX, |p| p.at)
    }
}

/// Records something about the running handoff of a lead (the first ending wins).
pub(super) fn note(lead: &mut SimLead, f: impl FnOnce(&mut HandoffSim)) {
    if let Some(h) = lead.handoff.as_deref_mut() {
        if h.end == End::Running {
            f(h);
        }
    }
}

/// Buffers of finished leads, reused by new ones so that an arrival does not allocate.
#[derive(Default)]
pub(super) struct Spares {
    pub(super) attributes: Vec<Vec<Value>>,
    pub(super) pending: Vec<Vec<Pending>>,
}

impl Spares {
    /// More than this many spare buffers of a kind are freed: enough to cover the leads that
    /// finish between two arrivals.
    const KEEP: usize = 256;

    pub(super) fn keep(&mut self, lead: &mut SimLead) {
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

/// The time `gap` seconds after `frac` 65 536ths of a second past `now`: the whole second it
/// falls in and the fraction past it, so that gaps shorter than a second add up instead of
/// rounding to nothing. `None` for a gap that never ends (a rate so small its reciprocal is
/// infinite).
pub(super) fn after_gap(now: Timestamp, frac: u16, gap: f64) -> Option<(Timestamp, u16)> {
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
