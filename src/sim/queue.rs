//! Sellers as capacity-limited resources: waiting lines per queue (FIFO or by band), leads bound
//! to one owner, seller availability by working hours and open-lead capacity.
//!
//! Removing a lead from the middle of a line (a requeue, a recycle) would cost O(n), so lines use
//! lazy deletion: each placement carries a ticket, a lead's current ticket lives with the lead,
//! and stale entries are dropped when they reach the head of a line.

use super::stats::TimeWeighted;
use super::timeline::{Level, Periods};
use super::world::StaffWorld;
use crate::calendar::{BusinessCalendar, Timestamp};
use crate::ir::scenario::Dist;
use crate::ir::{Assign, Queue, SellerId};
use std::collections::VecDeque;

/// A lead waiting in a line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Waiting {
    pub lead: u32,
    pub ticket: u32,
    /// Pick-up order key (lower first).
    pub priority: u32,
    /// Placement order, FIFO within a priority and between a seller's own line and the shared one.
    pub seq: u64,
}

/// One seller.
#[derive(Debug, Clone, Default)]
pub(crate) struct Seller {
    /// Handling a pickup.
    pub busy: bool,
    /// When the current pickup started.
    pub busy_since: Timestamp,
    /// Leads picked up and not yet dispositioned.
    pub open: u32,
    /// The named member this seller plays, for owner routing and `Pickup` inputs.
    pub member: Option<SellerId>,
}

/// Sojourn bookkeeping of one line for Little's law on the sample path.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LittleSample {
    /// Time integral of the number waiting over the observation window.
    pub area: f64,
    /// Length of the observation window in seconds.
    pub window: f64,
    /// Sojourns that started inside the window.
    pub started: u64,
    /// Their summed length, cut at the end of the window.
    pub sum: f64,
    /// Leads already waiting when the window opened.
    pub at_warmup: u32,
    /// The longest sojourn of a lead waiting when the window opened.
    pub max_boundary: f64,
}

/// One queue with its sellers.
pub(crate) struct QueueSim {
    pub sellers: Vec<Seller>,
    pub calendar: Option<BusinessCalendar>,
    pub handle: Dist,
    pub capacity: Option<u32>,
    assign: Assign,
    next_rr: usize,
    lines: Vec<VecDeque<Waiting>>,
    owned: Vec<VecDeque<Waiting>>,
    /// Leads currently waiting (stale entries excluded).
    pub waiting: u32,
    /// Sellers neither busy nor at capacity (working hours aside), so a dispatch with none can
    /// stop at once.
    idle: u32,
    /// A wake-up at the next opening is scheduled.
    pub wake_pending: bool,
    pub length: TimeWeighted,
    /// The number waiting per period of the whole run, for the queue-length chart.
    pub over_time: Level,
    pub overflow: Option<usize>,
    pub busy_secs: f64,
    pub little: LittleSample,
}

impl QueueSim {
    /// A queue from its playbook definition and scenario staffing; `lines` is the number of
    /// priority levels (bands + 1 for "no band", 1 for FIFO).
    pub fn new(
        def: &Queue,
        staff: Option<&StaffWorld>,
        lines: usize,
        warmup: Timestamp,
        periods: Periods,
    ) -> Self {
        let count = staff.map_or(0, |s| s.sellers) as usize;
        let sellers = (0..count)
            .map(|i| Seller {
                member: def.members.get(i).copied(),
                ..Seller::default()
            })
            .collect();
        QueueSim {
            sellers,
            calendar: staff.and_then(|s| s.calendar.clone()),
            handle: staff.map_or(Dist::Constant { value: 0.0 }, |s| s.handle.clone()),
            capacity: def.capacity_per_seller,
            assign: def.assign,
            next_rr: 0,
            lines: vec![VecDeque::new(); lines.max(1)],
            owned: vec![VecDeque::new(); count],
            waiting: 0,
            idle: u32::try_from(count).unwrap_or(u32::MAX),
            wake_pending: false,
            length: TimeWeighted::new(warmup as f64, 0.0),
            over_time: Level::new(periods),
            overflow: def.overflow.map(|q| q.index()),
            busy_secs: 0.0,
            little: LittleSample::default(),
        }
    }

    /// Whether every seller holds as many open leads as allowed (vacuously true without sellers).
    pub fn saturated(&self) -> bool {
        match self.capacity {
            Some(cap) => self.sellers.iter().all(|s| s.open >= cap),
            None => self.sellers.is_empty(),
        }
    }

    /// The seller slot playing a named member, for leads routed to an account owner.
    pub fn slot_of(&self, member: SellerId) -> Option<usize> {
        self.sellers.iter().position(|s| s.member == Some(member))
    }

    /// Adds a lead to its seller's line or the shared line of its priority.
    pub fn push(&mut self, waiting: Waiting, slot: Option<usize>, now: Timestamp) {
        let line = match slot.and_then(|s| self.owned.get_mut(s)) {
            Some(own) => own,
            None => {
                let last = self.lines.len().saturating_sub(1);
                let index = usize::try_from(waiting.priority).map_or(last, |p| p.min(last));
                match self.lines.get_mut(index) {
                    Some(line) => line,
                    None => return,
                }
            }
        };
        line.push_back(waiting);
        self.waiting += 1;
        self.length.update(now as f64, f64::from(self.waiting));
        self.over_time.update(now, f64::from(self.waiting));
    }

    /// Records that a waiting lead left without being picked (its entry went stale).
    pub fn forget(&mut self, now: Timestamp) {
        self.waiting = self.waiting.saturating_sub(1);
        self.length.update(now as f64, f64::from(self.waiting));
        self.over_time.update(now, f64::from(self.waiting));
    }

    fn is_idle(&self, seller: &Seller) -> bool {
        !seller.busy && self.capacity.is_none_or(|cap| seller.open < cap)
    }

    /// Whether the sellers work at `now`.
    pub fn at_work(&self, now: Timestamp) -> bool {
        self.calendar.as_ref().is_none_or(|c| c.is_open(now))
    }

    /// Whether some seller is idle and under capacity.
    pub fn has_idle(&self) -> bool {
        self.idle > 0
    }

    /// Updates a seller and keeps the idle count right.
    pub fn update_seller(&mut self, seller: usize, f: impl FnOnce(&mut Seller)) {
        let Some(s) = self.sellers.get(seller) else {
            return;
        };
        let was = self.is_idle(s);
        if let Some(s) = self.sellers.get_mut(seller) {
            f(s);
        }
        let Some(s) = self.sellers.get(seller) else {
            return;
        };
        let now = self.is_idle(s);
        match (was, now) {
            (true, false) => self.idle = self.idle.saturating_sub(1),
            (false, true) => self.idle = self.idle.saturating_add(1),
            _ => {}
        }
    }

    fn clean(line: &mut VecDeque<Waiting>, valid: &impl Fn(&Waiting) -> bool) {
        while line.front().is_some_and(|w| !valid(w)) {
            line.pop_front();
        }
    }

    /// Picks the next (seller, lead) pairing: among idle sellers with something to take, the
    /// first in round-robin order or the least loaded; the seller takes the better of its own
    /// line's head and the shared heads (lower priority, then earlier placement).
    pub fn next_pickup(
        &mut self,
        valid: impl Fn(&Waiting) -> bool,
        now: Timestamp,
    ) -> Option<(usize, Waiting)> {
        for line in &mut self.lines {
            Self::clean(line, &valid);
        }
        let shared = self
            .lines
            .iter()
            .position(|l| !l.is_empty())
            .and_then(|i| self.lines.get(i).and_then(|l| l.front()).map(|w| (i, *w)));
        let n = self.sellers.len();
        let start = match self.assign {
            Assign::RoundRobin if n > 0 => self.next_rr % n,
            _ => 0,
        };
        let mut best: Option<(usize, u32)> = None;
        for s in (start..n).chain(0..start) {
            let Some(seller) = self.sellers.get(s) else {
                continue;
            };
            if !self.is_idle(seller) {
                continue;
            }
            let open = seller.open;
            let own = match self.owned.get_mut(s) {
                Some(line) => {
                    Self::clean(line, &valid);
                    !line.is_empty()
                }
                None => false,
            };
            if !own && shared.is_none() {
                continue;
            }
            match self.assign {
                Assign::RoundRobin => {
                    best = Some((s, open));
                    break;
                }
                Assign::LeastLoaded => {
                    if best.is_none_or(|(_, o)| open < o) {
                        best = Some((s, open));
                    }
                }
            }
        }
        let (seller, _) = best?;
        let own_head = self.owned.get(seller).and_then(|l| l.front()).copied();
        let take_own = match (own_head, shared) {
            (Some(o), Some((_, s))) => (o.priority, o.seq) <= (s.priority, s.seq),
            (Some(_), None) => true,
            (None, _) => false,
        };
        let taken = if take_own {
            self.owned.get_mut(seller).and_then(VecDeque::pop_front)
        } else {
            shared.and_then(|(i, _)| self.lines.get_mut(i).and_then(VecDeque::pop_front))
        }?;
        if self.assign == Assign::RoundRobin {
            self.next_rr = seller + 1;
        }
        self.forget(now);
        Some((seller, taken))
    }
}
