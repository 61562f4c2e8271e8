//! Queues and routing: the one place that decides who waits where and which seller takes whom,
//! shared by `simulate` and `run`.
//!
//! A [`Desk`] holds, for every queue of a playbook, its waiting lines (one per priority, and one
//! per seller for leads routed to an account owner), its seller slots with their open leads, the
//! assign policy's position, and what the playbook and the staffing fix: capacity, overflow and
//! working hours.
//! The simulator drives it with a virtual clock and handling times; the live runner drives it
//! with real events and turns each pickup into an assignment for the CRM.
//! Both therefore route, overflow and dispatch alike.
//!
//! Removing a lead from the middle of a line (a requeue, a recycle) would cost O(n), so lines use
//! lazy deletion: each placement carries a ticket, a lead's current ticket lives with the lead,
//! and stale entries are dropped when they reach the head of a line.
//! The caller says which entries are current through a `valid` test, and calls
//! [`Desk::forget`] when a waiting lead leaves, so [`Desk::waiting`] counts only current ones.
//!
//! A live store keeps no copy of the lines: it keeps each lead's placement and assignment with
//! the lead, and the round-robin positions and away marks beside them, and rebuilds the desk
//! from those ([`Desk::push`] in placement order, [`Desk::hold`], [`Desk::set_round_robin`],
//! [`Desk::set_away`]), which also works across a deploy that changes the queues.

use crate::calendar::{BusinessCalendar, Timestamp};
use crate::engine::Engine;
use crate::ir::{Assign, Playbook, Queue, QueueId, QueueOrder, SellerId};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

#[cfg(test)]
mod tests;

/// A lead waiting in a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// The caller's number for the lead.
    pub lead: u32,
    /// The placement this entry stands for; an entry whose ticket is no longer the lead's is
    /// stale and dropped.
    pub ticket: u32,
    /// Pick-up order key (lower first).
    pub priority: u32,
    /// Placement order, FIFO within a priority and between a seller's own line and the shared one.
    pub seq: u64,
}

/// One seller slot of a queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    /// The named member this slot plays, for owner routing and pickups by name.
    pub member: Option<SellerId>,
    /// Leads taken and not yet released, counted against the queue's capacity.
    pub open: u32,
    /// Handling a pickup (the simulator's handling time; live mode never sets it).
    pub busy: bool,
    /// Marked away: offered nothing, but keeps its open leads.
    pub away: bool,
}

/// The changing state of one queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueState {
    sellers: Vec<Seller>,
    /// Shared lines by priority; the last one also takes priorities past the end.
    lines: Vec<VecDeque<Waiting>>,
    /// One line per seller slot, for leads only that seller may take.
    owned: Vec<VecDeque<Waiting>>,
    /// The slot round robin looks at first.
    next_rr: usize,
    /// Leads currently waiting (stale entries excluded).
    waiting: u32,
    /// Sellers that may be offered a lead (working hours aside), so a dispatch with none can
    /// stop at once.
    idle: u32,
}

/// The changing state of every queue, in playbook order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeskState {
    queues: Vec<QueueState>,
}

/// What the playbook and the staffing fix for one queue.
#[derive(Clone)]
struct Rules {
    capacity: Option<u32>,
    assign: Assign,
    overflow: Option<usize>,
    calendar: Option<BusinessCalendar>,
}

/// Who staffs one queue: its seller slots and their working hours.
#[derive(Clone, Default)]
pub struct Staffing {
    /// One entry per seller slot: the named member it plays, if any.
    pub members: Vec<Option<SellerId>>,
    /// When the sellers work; `None` is around the clock.
    pub calendar: Option<BusinessCalendar>,
}

impl Staffing {
    /// `count` slots where slot `i` plays the queue's `i`-th named member, as a simulation
    /// scenario staffs a queue by head count.
    pub fn heads(def: &Queue, count: u32, calendar: Option<BusinessCalendar>) -> Staffing {
        Staffing {
            members: (0..count as usize)
                .map(|i| def.members.get(i).copied())
                .collect(),
            calendar,
        }
    }

    /// Every queue as the playbook staffs it, for live mode: one slot per named member, working
    /// the hours its SLAs count business time in (the queue's calendar, else the playbook's
    /// default one; around the clock without either).
    pub fn of_playbook(engine: &Engine) -> Vec<Staffing> {
        let playbook = engine.playbook();
        (playbook.queues.iter())
            .map(|q| Staffing {
                members: q.members.iter().copied().map(Some).collect(),
                calendar: (q.calendar.or(playbook.default_calendar))
                    .and_then(|c| engine.calendar(c))
                    .cloned(),
            })
            .collect()
    }
}

/// What a queue offers when asked for work ([`Desk::offer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Seller `slot` takes the lead, which has left its line; the seller holds one more open lead.
    Pickup {
        /// The seller slot.
        slot: usize,
        /// The lead taken.
        waiting: Waiting,
    },
    /// Leads wait and a seller is free, but outside working hours: look again at `reopens`.
    Closed {
        /// The next opening of the queue's calendar.
        reopens: Option<Timestamp>,
    },
    /// No pairing: nobody waits, no seller is free, or no free seller may take a waiting lead.
    Nothing,
}

/// Every queue of a playbook: lines, sellers and routing.
#[derive(Clone)]
pub struct Desk {
    rules: Vec<Rules>,
    state: DeskState,
}

/// Shows the changing state only: compiled calendars have no readable form.
impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// Priority lines of a queue: one per band and one for "no band", or one for FIFO.
fn priority_lines(playbook: &Playbook, def: &Queue) -> usize {
    match def.order {
        QueueOrder::Fifo => 1,
        QueueOrder::ByBand(b) => {
            playbook
                .band_sets
                .get(b.index())
                .map_or(0, |s| s.bands.len())
                + 1
        }
    }
}

impl Rules {
    fn is_idle(&self, seller: &Seller) -> bool {
        !seller.busy && !seller.away && self.capacity.is_none_or(|cap| seller.open < cap)
    }

    fn saturated(&self, queue: &QueueState) -> bool {
        match self.capacity {
            Some(cap) => queue.sellers.iter().all(|s| s.open >= cap),
            None => queue.sellers.is_empty(),
        }
    }
}

impl Desk {
    /// The queues of `playbook`, empty, staffed by `staffing` (by queue index; a queue without
    /// an entry has no sellers and works around the clock).
    pub fn new(playbook: &Playbook, staffing: &[Staffing]) -> Desk {
        let none = Staffing::default();
        let mut rules = Vec::with_capacity(playbook.queues.len());
        let mut queues = Vec::with_capacity(playbook.queues.len());
        for (i, def) in playbook.queues.iter().enumerate() {
            let staff = staffing.get(i).unwrap_or(&none);
            let count = staff.members.len();
            rules.push(Rules {
                capacity: def.capacity_per_seller,
                assign: def.assign,
                overflow: def.overflow.map(QueueId::index),
                calendar: staff.calendar.clone(),
            });
            queues.push(QueueState {
                sellers: staff
                    .members
                    .iter()
                    .map(|&member| Seller {
                        member,
                        ..Seller::default()
                    })
                    .collect(),
                lines: vec![VecDeque::new(); priority_lines(playbook, def).max(1)],
                owned: vec![VecDeque::new(); count],
                next_rr: 0,
                waiting: 0,
                idle: u32::try_from(count).unwrap_or(u32::MAX),
            });
        }
        Desk {
            rules,
            state: DeskState { queues },
        }
    }

    /// The changing state, for tests and debugging.
    pub fn state(&self) -> &DeskState {
        &self.state
    }

    /// A seller took a lead outside [`Desk::offer`] (a pickup the CRM reports, or an
    /// assignment a live store rebuilds): one more open lead.
    pub fn hold(&mut self, queue: QueueId, slot: usize) {
        self.update_seller(queue, slot, |s| s.open = s.open.saturating_add(1));
    }

    /// The seller slot round robin looks at first in `queue`, which a live store keeps.
    pub fn round_robin(&self, queue: QueueId) -> usize {
        self.queue_state(queue).map_or(0, |q| q.next_rr)
    }

    /// Sets the round-robin position of `queue`, as a live store kept it.
    pub fn set_round_robin(&mut self, queue: QueueId, slot: usize) {
        if let Some(q) = self.state.queues.get_mut(queue.index()) {
            q.next_rr = slot;
        }
    }

    /// The number of queues.
    pub fn len(&self) -> usize {
        self.state.queues.len()
    }

    /// Whether the playbook has no queues.
    pub fn is_empty(&self) -> bool {
        self.state.queues.is_empty()
    }

    fn queue(&self, queue: QueueId) -> Option<(&Rules, &QueueState)> {
        let i = queue.index();
        Some((self.rules.get(i)?, self.state.queues.get(i)?))
    }

    fn queue_state(&self, queue: QueueId) -> Option<&QueueState> {
        self.state.queues.get(queue.index())
    }

    fn queue_mut(&mut self, queue: QueueId) -> Option<(&Rules, &mut QueueState)> {
        let i = queue.index();
        Some((self.rules.get(i)?, self.state.queues.get_mut(i)?))
    }

    /// Leads waiting in `queue` (stale entries excluded).
    pub fn waiting(&self, queue: QueueId) -> u32 {
        self.queue_state(queue).map_or(0, |q| q.waiting)
    }

    /// The seller slots of `queue`.
    pub fn sellers(&self, queue: QueueId) -> &[Seller] {
        self.queue_state(queue)
            .map_or(&[], |q| q.sellers.as_slice())
    }

    /// The working hours of `queue`; `None` is around the clock.
    pub fn calendar(&self, queue: QueueId) -> Option<&BusinessCalendar> {
        self.rules.get(queue.index())?.calendar.as_ref()
    }

    /// Whether the sellers of `queue` work at `now`.
    pub fn at_work(&self, queue: QueueId, now: Timestamp) -> bool {
        self.calendar(queue).is_none_or(|c| c.is_open(now))
    }

    /// The next time from `now` the sellers of `queue` work; `None` around the clock.
    pub fn next_open(&self, queue: QueueId, now: Timestamp) -> Option<Timestamp> {
        self.calendar(queue).map(|c| c.next_open(now))
    }

    /// Whether every seller of `queue` holds as many open leads as allowed (vacuously true
    /// without sellers); a seller marked away still counts by its open leads, since absence is
    /// temporary like working hours.
    pub fn saturated(&self, queue: QueueId) -> bool {
        self.queue(queue)
            .is_some_and(|(rules, q)| rules.saturated(q))
    }

    /// The seller slot of `queue` playing a named member, for leads routed to an account owner.
    pub fn slot_of(&self, queue: QueueId, member: SellerId) -> Option<usize> {
        self.queue_state(queue)?
            .sellers
            .iter()
            .position(|s| s.member == Some(member))
    }

    /// The queue a lead routed to `queue` goes to: while the queue is saturated, its overflow,
    /// and so on; a chain that comes back on itself stops after visiting as many queues as
    /// there are. `None` when `queue` does not exist.
    pub fn route(&self, queue: QueueId) -> Option<QueueId> {
        let mut q = queue.index();
        for _ in 0..self.len() {
            let (Some(rules), Some(state)) = (self.rules.get(q), self.state.queues.get(q)) else {
                break;
            };
            if !rules.saturated(state) {
                break;
            }
            match rules.overflow {
                Some(next) if next != q => q = next,
                _ => break,
            }
        }
        self.state.queues.get(q)?;
        u32::try_from(q).ok().map(QueueId)
    }

    /// Adds a lead to `queue` as it is, without overflow: to the line of the slot playing
    /// `owner` when there is one, otherwise to the shared line of its priority.
    pub fn push(&mut self, queue: QueueId, waiting: Waiting, owner: Option<SellerId>) {
        let slot = owner.and_then(|m| self.slot_of(queue, m));
        let Some(q) = self.state.queues.get_mut(queue.index()) else {
            return;
        };
        let line = match slot.and_then(|s| q.owned.get_mut(s)) {
            Some(own) => own,
            None => {
                let last = q.lines.len().saturating_sub(1);
                let index = usize::try_from(waiting.priority).map_or(last, |p| p.min(last));
                match q.lines.get_mut(index) {
                    Some(line) => line,
                    None => return,
                }
            }
        };
        line.push_back(waiting);
        q.waiting += 1;
    }

    /// Queues a lead routed to `queue` ([`Desk::route`], then [`Desk::push`]) and returns the
    /// queue it waits in.
    pub fn place(
        &mut self,
        queue: QueueId,
        waiting: Waiting,
        owner: Option<SellerId>,
    ) -> Option<QueueId> {
        let q = self.route(queue)?;
        self.push(q, waiting, owner);
        Some(q)
    }

    /// Records that a lead waiting in `queue` left without being taken (its entry went stale).
    pub fn forget(&mut self, queue: QueueId) {
        if let Some(q) = self.state.queues.get_mut(queue.index()) {
            q.waiting = q.waiting.saturating_sub(1);
        }
    }

    /// Updates seller `slot` of `queue` and keeps the idle count right.
    fn update_seller(&mut self, queue: QueueId, slot: usize, f: impl FnOnce(&mut Seller)) {
        if let Some((rules, q)) = self.queue_mut(queue) {
            q.update_seller(rules, slot, f);
        }
    }

    /// Marks seller `slot` of `queue` as handling a pickup or done with it.
    pub fn set_busy(&mut self, queue: QueueId, slot: usize, busy: bool) {
        self.update_seller(queue, slot, |s| s.busy = busy);
    }

    /// A lead seller `slot` of `queue` took has ended: one open lead fewer.
    pub fn release(&mut self, queue: QueueId, slot: usize) {
        self.update_seller(queue, slot, |s| s.open = s.open.saturating_sub(1));
    }

    /// Marks a member of `queue` away (offered nothing, keeping its open leads) or back;
    /// returns whether the queue has a slot playing that member.
    pub fn set_away(&mut self, queue: QueueId, member: SellerId, away: bool) -> bool {
        let Some(slot) = self.slot_of(queue, member) else {
            return false;
        };
        self.update_seller(queue, slot, |s| s.away = away);
        true
    }

    /// What `queue` offers at `now`: the next pairing of a free seller and a waiting lead (taken
    /// at once, see [`Desk::next_pickup`]), or why there is none.
    /// Call it when a lead is queued or a seller frees up, until it offers nothing.
    #[inline]
    pub fn offer(
        &mut self,
        queue: QueueId,
        now: Timestamp,
        valid: impl Fn(&Waiting) -> bool,
    ) -> Offer {
        let Some(q) = self.queue_state(queue) else {
            return Offer::Nothing;
        };
        if q.waiting == 0 || q.idle == 0 {
            return Offer::Nothing;
        }
        if !self.at_work(queue, now) {
            return Offer::Closed {
                reopens: self.next_open(queue, now),
            };
        }
        match self.next_pickup(queue, valid) {
            Some((slot, waiting)) => Offer::Pickup { slot, waiting },
            None => Offer::Nothing,
        }
    }

    /// Picks the next (seller, lead) pairing of `queue`, working hours aside: among free sellers
    /// (not busy, not away, under capacity) with something to take, the first in round-robin
    /// order or the least loaded; the seller takes the better of its own line's head and the
    /// shared heads (lower priority, then earlier placement).
    /// The lead leaves its line and the seller holds one more open lead.
    pub fn next_pickup(
        &mut self,
        queue: QueueId,
        valid: impl Fn(&Waiting) -> bool,
    ) -> Option<(usize, Waiting)> {
        let (rules, q) = self.queue_mut(queue)?;
        let (slot, taken) = q.pair(rules, &valid)?;
        q.waiting = q.waiting.saturating_sub(1);
        q.update_seller(rules, slot, |s| s.open = s.open.saturating_add(1));
        Some((slot, taken))
    }
}

impl QueueState {
    /// Updates seller `slot` and keeps the idle count right.
    fn update_seller(&mut self, rules: &Rules, slot: usize, f: impl FnOnce(&mut Seller)) {
        let Some(seller) = self.sellers.get_mut(slot) else {
            return;
        };
        let was = rules.is_idle(seller);
        f(seller);
        match (was, rules.is_idle(seller)) {
            (true, false) => self.idle = self.idle.saturating_sub(1),
            (false, true) => self.idle = self.idle.saturating_add(1),
            _ => {}
        }
    }

    /// Drops stale entries at the head of a line.
    #[inline]
    fn clean(line: &mut VecDeque<Waiting>, valid: &impl Fn(&Waiting) -> bool) {
        while line.front().is_some_and(|w| !valid(w)) {
            line.pop_front();
        }
    }

    /// Chooses a seller by the assign policy and takes its lead out of the lines.
    fn pair(
        &mut self,
        rules: &Rules,
        valid: &impl Fn(&Waiting) -> bool,
    ) -> Option<(usize, Waiting)> {
        for line in &mut self.lines {
            Self::clean(line, valid);
        }
        let shared = self
            .lines
            .iter()
            .position(|l| !l.is_empty())
            .and_then(|i| self.lines.get(i).and_then(|l| l.front()).map(|w| (i, *w)));
        let seller = self.choose(rules, shared.is_some(), valid)?;
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
        if rules.assign == Assign::RoundRobin {
            self.next_rr = seller + 1;
        }
        Some((seller, taken))
    }

    /// The free seller with something to take (its own line, or a shared lead when
    /// `shared`): the first from the round-robin position, or the least loaded (the first of
    /// equals).
    fn choose(
        &mut self,
        rules: &Rules,
        shared: bool,
        valid: &impl Fn(&Waiting) -> bool,
    ) -> Option<usize> {
        let n = self.sellers.len();
        let start = match rules.assign {
            Assign::RoundRobin if n > 0 => self.next_rr % n,
            _ => 0,
        };
        let mut best: Option<(usize, u32)> = None;
        for s in (start..n).chain(0..start) {
            let Some(seller) = self.sellers.get(s) else {
                continue;
            };
            if !rules.is_idle(seller) {
                continue;
            }
            let open = seller.open;
            let own = match self.owned.get_mut(s) {
                Some(line) => {
                    Self::clean(line, valid);
                    !line.is_empty()
                }
                None => false,
            };
            if !own && !shared {
                continue;
            }
            match rules.assign {
                Assign::RoundRobin => return Some(s),
                Assign::LeastLoaded => {
                    if best.is_none_or(|(_, o)| open < o) {
                        best = Some((s, open));
                    }
                }
            }
        }
        best.map(|(s, _)| s)
    }
}
