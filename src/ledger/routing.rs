//! Routing in the ledger: the engine's `Enqueue` puts a lead in the desk, a free seller of the
//! playbook is assigned to it (an [`Effect::Assign`] for the CRM), and the lead leaves the desk
//! when a seller picks it up, when it is dequeued, or when its handoff ends.
//!
//! A store keeps each lead's [`Route`] in its record and the rest ([`RoutingSnapshot`]: the
//! placement count, wake-ups, round-robin positions, sellers away) by name, and the desk is
//! rebuilt from them ([`Ledger::restore_routing`]), so it survives restarts and deploys alike.

use super::{Emitted, LeadNo, Ledger};
use crate::calendar::Timestamp;
use crate::engine::Action;
use crate::events::Effect;
use crate::ir::{QueueId, SellerId};
use crate::queues::{Offer, Waiting};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where a lead is with routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The queue it waits in or was assigned in (after overflow).
    pub queue: QueueId,
    /// Its placement's ticket: a line entry with another is stale.
    pub ticket: u32,
    /// Pick-up order key in the queue.
    pub priority: u32,
    /// Placement order across all queues.
    pub seq: u64,
    /// The only seller who may take it, when routed to an account owner.
    pub owner: Option<SellerId>,
    /// Who holds it.
    pub holder: Holder,
}

/// Who holds a routed lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "holder", rename_all = "snake_case")]
pub enum Holder {
    /// Nobody yet: it waits in its queue's line.
    Waiting,
    /// A seller of the queue, counted against the seller's capacity.
    Seller {
        /// The seller.
        seller: SellerId,
    },
    /// Picked up by someone the queue does not count (no seller named, or not a member).
    Elsewhere,
}

/// Routing's state besides the desk and the leads' routes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoutingState {
    /// Placements so far: the order of the next one.
    placements: u64,
    /// Queues to look at again when their working hours begin.
    wakes: BTreeSet<(Timestamp, QueueId)>,
}

impl RoutingState {
    /// When the next queue opens for a lead that waits in it.
    pub(super) fn next_wake(&self) -> Option<Timestamp> {
        self.wakes.first().map(|(at, _)| *at)
    }

    /// Removes and returns the queues to look at, at `at`.
    pub(super) fn take_wakes(&mut self, at: Timestamp) -> Vec<QueueId> {
        let due: Vec<(Timestamp, QueueId)> = self
            .wakes
            .iter()
            .take_while(|(t, _)| *t <= at)
            .copied()
            .collect();
        for wake in &due {
            self.wakes.remove(wake);
        }
        due.into_iter().map(|(_, q)| q).collect()
    }
}

/// What a store keeps of routing besides each lead's route, by names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoutingSnapshot {
    /// Placements so far.
    pub placements: u64,
    /// Queues to look at again, and when.
    pub wakes: Vec<(String, Timestamp)>,
    /// Round-robin positions by queue.
    pub round_robin: Vec<(String, usize)>,
    /// Sellers marked away.
    pub away: Vec<String>,
}

impl Ledger {
    /// Lets routing react to one step of lead `no`.
    pub(super) fn route_step(&mut self, no: LeadNo, actions: &[(Timestamp, Action)]) {
        for (_, action) in actions {
            match action {
                Action::Enqueue {
                    queue,
                    owner,
                    priority,
                    ..
                } => self.place(no, *queue, *owner, *priority),
                Action::Dequeue { .. } => self.unroute(no),
                Action::FirstTouch { .. } => self.picked_up(no),
                _ => {}
            }
        }
        let ended = self
            .lead(no)
            .is_some_and(|l| l.record.route.is_some() && l.record.state.handoff().is_none());
        if ended {
            self.unroute(no);
        }
    }

    /// Puts a lead in `queue` (or its overflow), replacing any placement it had.
    fn place(&mut self, no: LeadNo, queue: QueueId, owner: Option<SellerId>, priority: u32) {
        self.unroute(no);
        let seq = self.routing.placements;
        self.routing.placements += 1;
        let waiting = Waiting {
            lead: no,
            ticket: seq as u32,
            priority,
            seq,
        };
        let Some(placed) = self.desk.place(queue, waiting, owner) else {
            return;
        };
        if let Some(lead) = self.lead_mut(no) {
            lead.record.route = Some(Route {
                queue: placed,
                ticket: waiting.ticket,
                priority,
                seq,
                owner,
                holder: Holder::Waiting,
            });
        }
        self.dispatch.insert(placed);
    }

    /// Takes a lead out of routing: out of its line, or off its seller's open leads.
    fn unroute(&mut self, no: LeadNo) {
        let Some(route) = self.lead_mut(no).and_then(|l| l.record.route.take()) else {
            return;
        };
        match route.holder {
            Holder::Waiting => self.desk.forget(route.queue),
            Holder::Seller { seller } => {
                if let Some(slot) = self.desk.slot_of(route.queue, seller) {
                    self.desk.release(route.queue, slot);
                }
                self.dispatch.insert(route.queue);
            }
            Holder::Elsewhere => {}
        }
        self.changed.insert(no);
    }

    /// A seller picked the lead up: a waiting lead leaves its line and counts against the
    /// seller who took it when that seller is a member of the queue; an assigned lead stays
    /// counted against the seller it was assigned to.
    fn picked_up(&mut self, no: LeadNo) {
        let Some(lead) = self.lead(no) else {
            return;
        };
        let Some(route) = lead.record.route.filter(|r| r.holder == Holder::Waiting) else {
            return;
        };
        let seller = lead.record.state.handoff().and_then(|run| run.seller);
        self.desk.forget(route.queue);
        let slot = seller.and_then(|s| Some((s, self.desk.slot_of(route.queue, s)?)));
        let holder = match slot {
            Some((seller, slot)) => {
                self.desk.hold(route.queue, slot);
                Holder::Seller { seller }
            }
            None => Holder::Elsewhere,
        };
        if let Some(lead) = self.lead_mut(no) {
            lead.record.route = Some(Route { holder, ..route });
        }
    }

    /// A seller went away or came back; a seller back may take waiting leads at once.
    pub(super) fn set_away(
        &mut self,
        seller: SellerId,
        away: bool,
        at: Timestamp,
        out: &mut Vec<Emitted>,
    ) {
        let Some(queue) = self
            .engine
            .playbook()
            .sellers
            .get(seller.index())
            .map(|s| s.queue)
        else {
            return;
        };
        if self.desk.set_away(queue, seller, away) && !away {
            self.dispatch.insert(queue);
        }
        self.run_dispatch(at, out);
    }

    /// Offers work in every queue a step changed until none has a pairing; outside working
    /// hours, looks again when they begin. Each assignment is a step of its lead.
    pub(super) fn run_dispatch(&mut self, at: Timestamp, out: &mut Vec<Emitted>) {
        while let Some(queue) = self.dispatch.pop_first() {
            loop {
                let leads = &self.leads;
                let valid = |w: &Waiting| {
                    (leads.get(w.lead as usize))
                        .and_then(|l| l.record.route)
                        .is_some_and(|r| {
                            r.holder == Holder::Waiting && r.ticket == w.ticket && r.queue == queue
                        })
                };
                match self.desk.offer(queue, at, valid) {
                    Offer::Pickup { slot, waiting } => {
                        self.assign(queue, slot, waiting.lead, at, out)
                    }
                    Offer::Closed { reopens } => {
                        if let Some(reopens) = reopens {
                            self.routing.wakes.insert((reopens, queue));
                        }
                        break;
                    }
                    Offer::Nothing => break,
                }
            }
        }
    }

    fn assign(
        &mut self,
        queue: QueueId,
        slot: usize,
        no: LeadNo,
        at: Timestamp,
        out: &mut Vec<Emitted>,
    ) {
        let member = self.desk.sellers(queue).get(slot).and_then(|s| s.member);
        let Some(lead) = self.lead_mut(no) else {
            return;
        };
        let (Some(seller), Some(route)) = (member, lead.record.route.as_mut()) else {
            return;
        };
        route.holder = Holder::Seller { seller };
        let step = lead.record.steps;
        lead.record.steps += 1;
        self.changed.insert(no);
        out.push(Emitted {
            lead: no,
            step,
            index: 0,
            at,
            effect: Effect::Assign { queue, seller },
        });
    }

    fn lead_mut(&mut self, no: LeadNo) -> Option<&mut super::Lead> {
        self.leads.get_mut(usize::try_from(no).ok()?)
    }

    /// What a store keeps of routing besides the leads' routes.
    pub fn routing_snapshot(&self) -> RoutingSnapshot {
        let playbook = self.engine.playbook();
        let queue_name = |q: QueueId| playbook.queues.get(q.index()).map(|d| d.name.clone());
        let mut snapshot = RoutingSnapshot {
            placements: self.routing.placements,
            ..RoutingSnapshot::default()
        };
        for (at, queue) in &self.routing.wakes {
            snapshot.wakes.extend(queue_name(*queue).map(|n| (n, *at)));
        }
        for (i, def) in playbook.queues.iter().enumerate() {
            let queue = QueueId(i as u32);
            let position = self.desk.round_robin(queue);
            if position != 0 {
                snapshot.round_robin.push((def.name.clone(), position));
            }
            for seller in self.desk.sellers(queue).iter().filter(|s| s.away) {
                let name = seller.member.and_then(|m| playbook.sellers.get(m.index()));
                snapshot.away.extend(name.map(|s| s.name.clone()));
            }
        }
        snapshot
    }

    /// Rebuilds the desk from the leads' routes (in placement order) and a snapshot, after the
    /// leads were restored; names the snapshot has that the playbook does not are dropped.
    pub fn restore_routing(&mut self, snapshot: &RoutingSnapshot) {
        let playbook = self.engine.playbook().clone();
        let queue = |name: &str| {
            (playbook.queues.iter().position(|q| q.name == name)).map(|i| QueueId(i as u32))
        };
        self.routing.placements = snapshot.placements;
        self.routing.wakes = (snapshot.wakes.iter())
            .filter_map(|(name, at)| Some((*at, queue(name)?)))
            .collect();
        for (name, position) in &snapshot.round_robin {
            if let Some(q) = queue(name) {
                self.desk.set_round_robin(q, *position);
            }
        }
        for name in &snapshot.away {
            if let Some(s) = playbook.sellers.iter().position(|s| &s.name == name) {
                let seller = SellerId(s as u32);
                let home = playbook.sellers.get(s).map(|s| s.queue);
                if let Some(home) = home {
                    self.desk.set_away(home, seller, true);
                }
            }
        }
        let mut routed: Vec<(u64, LeadNo, Route)> = (self.leads.iter().enumerate())
            .filter_map(|(no, l)| Some((l.record.route?.seq, no as LeadNo, l.record.route?)))
            .collect();
        routed.sort_by_key(|(seq, no, _)| (*seq, *no));
        for (_, no, route) in routed {
            match route.holder {
                Holder::Waiting => {
                    let waiting = Waiting {
                        lead: no,
                        ticket: route.ticket,
                        priority: route.priority,
                        seq: route.seq,
                    };
                    self.desk.push(route.queue, waiting, route.owner);
                }
                Holder::Seller { seller } => {
                    if let Some(slot) = self.desk.slot_of(route.queue, seller) {
                        self.desk.hold(route.queue, slot);
                    }
                }
                Holder::Elsewhere => {}
            }
        }
    }
}
