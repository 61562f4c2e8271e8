#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use super::*;
use crate::sim::START;
use crate::span::FileId;
use proptest::prelude::*;

/// `rr`: three sellers in round robin, two leads each, ordered by band, overflowing to `ll`;
/// `ll`: two sellers, least loaded, three leads each, overflowing back to `rr`; `office`: one
/// seller working weekdays 09:00 to 17:00 UTC.
const SOURCE: &str = r#"
playbook queues_test {
  title "Queue tests"
  roles desk_lead
}

calendar office {
  timezone "UTC"
  hours mon to fri 09:00 to 17:00
}

lead {
  company: text
}

event hand_raise

score fit {
  add 10 when company = "big"
}

bands tier by fit {
  band A from 5
  band B below 5
}

handoff hand_raise {
  on hand_raise
  route to rr
  sla 30m
  on breach {
    notify desk_lead
  }
}

queue rr {
  members ann, bob, cat
  assign round robin
  capacity 2 per seller
  order by tier
  overflow to ll
}

queue ll {
  members dan, eve
  assign least loaded
  capacity 3 per seller
  order fifo
  overflow to rr
}

queue office {
  members fay
  calendar office
  order fifo
}

reason done {
  label "Worked"
  close
}
"#;

const RR: QueueId = QueueId(0);
const LL: QueueId = QueueId(1);
const OFFICE: QueueId = QueueId(2);
const ANN: usize = 0;
const BOB: usize = 1;
const CAT: usize = 2;

fn engine() -> Engine {
    let playbook = crate::check::compile(FileId(0), SOURCE).playbook.unwrap();
    Engine::new(&playbook).unwrap()
}

fn desk() -> Desk {
    let engine = engine();
    Desk::new(engine.playbook(), &Staffing::of_playbook(&engine))
}

fn member(desk: &Desk, queue: QueueId, slot: usize) -> SellerId {
    desk.sellers(queue)[slot].member.unwrap()
}

fn lead(lead: u32, priority: u32, seq: u64) -> Waiting {
    Waiting {
        lead,
        ticket: 0,
        priority,
        seq,
    }
}

fn every(_: &Waiting) -> bool {
    true
}

/// The leads `queue` hands out until it offers nothing, as (slot, lead).
fn drain(desk: &mut Desk, queue: QueueId) -> Vec<(usize, u32)> {
    std::iter::from_fn(|| desk.next_pickup(queue, every))
        .map(|(slot, w)| (slot, w.lead))
        .collect()
}

#[test]
fn staffing_of_the_playbook_is_one_slot_per_named_member() {
    let desk = desk();
    assert!(format!("{desk:?}").starts_with("Desk { state: DeskState"));
    assert_eq!(desk.len(), 3);
    assert_eq!(desk.sellers(RR).len(), 3);
    assert_eq!(desk.sellers(LL).len(), 2);
    assert!(desk.calendar(OFFICE).is_some());
    assert!(desk.calendar(RR).is_none());
    assert_eq!(desk.slot_of(RR, member(&desk, RR, BOB)), Some(BOB));
    assert_eq!(desk.slot_of(LL, member(&desk, RR, BOB)), None);
}

#[test]
fn fifo_within_a_priority() {
    let mut desk = desk();
    for (id, seq) in [(7, 1), (3, 2), (5, 3)] {
        desk.push(RR, lead(id, 1, seq), None);
    }
    assert_eq!(desk.waiting(RR), 3);
    let leads: Vec<u32> = drain(&mut desk, RR).into_iter().map(|(_, l)| l).collect();
    assert_eq!(leads, [7, 3, 5]);
    assert_eq!(desk.waiting(RR), 0);
}

#[test]
fn lower_priority_goes_first_and_priorities_past_the_end_go_last() {
    let mut desk = desk();
    desk.push(RR, lead(1, 9, 1), None);
    desk.push(RR, lead(2, 1, 2), None);
    desk.push(RR, lead(3, 0, 3), None);
    let leads: Vec<u32> = drain(&mut desk, RR).into_iter().map(|(_, l)| l).collect();
    assert_eq!(leads, [3, 2, 1]);
}

#[test]
fn round_robin_rotates_from_the_last_seller_served() {
    let mut desk = desk();
    for id in 0..5 {
        desk.push(RR, lead(id, 0, u64::from(id)), None);
    }
    assert_eq!(
        drain(&mut desk, RR),
        [(ANN, 0), (BOB, 1), (CAT, 2), (ANN, 3), (BOB, 4)]
    );
    desk.push(RR, lead(5, 0, 5), None);
    assert_eq!(drain(&mut desk, RR), [(CAT, 5)]);
}

#[test]
fn least_loaded_takes_the_seller_with_fewest_open_leads() {
    let mut desk = desk();
    for id in 0..3 {
        desk.push(LL, lead(id, 0, u64::from(id)), None);
    }
    // Equals go to the first; then the other has fewer.
    assert_eq!(drain(&mut desk, LL), [(0, 0), (1, 1), (0, 2)]);
    desk.release(LL, 0);
    desk.release(LL, 0);
    desk.push(LL, lead(3, 0, 3), None);
    assert_eq!(drain(&mut desk, LL), [(0, 3)]);
}

#[test]
fn a_seller_at_capacity_is_offered_nothing() {
    let mut desk = desk();
    for id in 0..7 {
        desk.push(RR, lead(id, 0, u64::from(id)), None);
    }
    assert_eq!(drain(&mut desk, RR).len(), 6);
    assert!(desk.sellers(RR).iter().all(|s| s.open == 2));
    assert!(desk.saturated(RR));
    assert_eq!(desk.offer(RR, START, every), Offer::Nothing);
    assert_eq!(desk.waiting(RR), 1);
    desk.release(RR, BOB);
    assert!(!desk.saturated(RR));
    assert_eq!(
        desk.offer(RR, START, every),
        Offer::Pickup {
            slot: BOB,
            waiting: lead(6, 0, 6)
        }
    );
}

#[test]
fn a_saturated_queue_overflows_and_a_cycle_ends() {
    let mut desk = desk();
    assert_eq!(desk.route(RR), Some(RR));
    for id in 0..6 {
        desk.push(RR, lead(id, 0, u64::from(id)), None);
    }
    drain(&mut desk, RR);
    assert_eq!(desk.place(RR, lead(10, 0, 10), None), Some(LL));
    assert_eq!(desk.waiting(LL), 1);
    for id in 11..16 {
        desk.push(LL, lead(id, 0, u64::from(id)), None);
    }
    drain(&mut desk, LL);
    assert!(desk.saturated(LL));
    // `rr` and `ll` overflow into each other and both are full: the walk stops.
    let routed = desk.route(RR);
    assert!(routed == Some(RR) || routed == Some(LL), "{routed:?}");
    assert_eq!(desk.route(QueueId(9)), None);
    assert_eq!(desk.place(QueueId(9), lead(20, 0, 20), None), None);
}

#[test]
fn an_owned_lead_is_taken_only_by_its_owner() {
    let mut desk = desk();
    let bob = member(&desk, RR, BOB);
    desk.push(RR, lead(1, 0, 1), Some(bob));
    // Round robin looks at Ann first, but the lead is Bob's.
    assert_eq!(drain(&mut desk, RR), [(BOB, 1)]);
    desk.push(RR, lead(2, 0, 2), Some(bob));
    desk.push(RR, lead(3, 0, 3), Some(bob));
    // Bob takes one more and is then at capacity: his last lead waits for him alone.
    assert_eq!(drain(&mut desk, RR), [(BOB, 2)]);
    assert_eq!(desk.waiting(RR), 1);
    desk.release(RR, BOB);
    assert_eq!(drain(&mut desk, RR), [(BOB, 3)]);
    // An owner who is not in the queue leaves the lead to everyone.
    let dan = member(&desk, LL, 0);
    desk.push(RR, lead(4, 0, 4), Some(dan));
    assert_eq!(drain(&mut desk, RR), [(CAT, 4)]);
}

#[test]
fn an_owned_lead_and_a_shared_one_go_in_placement_order() {
    let mut desk = desk();
    let ann = member(&desk, RR, ANN);
    desk.push(RR, lead(1, 0, 1), None);
    desk.push(RR, lead(2, 0, 2), Some(ann));
    assert_eq!(
        desk.next_pickup(RR, every).map(|(s, w)| (s, w.lead)),
        Some((ANN, 1))
    );
    assert_eq!(drain(&mut desk, RR), [(ANN, 2)]);
}

#[test]
fn a_seller_away_is_offered_nothing_until_back() {
    let mut desk = desk();
    let bob = member(&desk, RR, BOB);
    let dan = member(&desk, LL, 0);
    assert!(!desk.set_away(RR, dan, true));
    desk.push(RR, lead(1, 0, 1), None);
    assert_eq!(drain(&mut desk, RR), [(ANN, 1)]);
    assert!(desk.set_away(RR, bob, true));
    desk.push(RR, lead(2, 0, 2), None);
    desk.push(RR, lead(3, 0, 3), Some(bob));
    assert_eq!(drain(&mut desk, RR), [(CAT, 2)]);
    assert_eq!(desk.waiting(RR), 1);
    assert!(desk.set_away(RR, bob, false));
    assert_eq!(drain(&mut desk, RR), [(BOB, 3)]);
    // Away keeps the open leads.
    assert!(desk.set_away(RR, bob, true));
    assert_eq!(desk.sellers(RR)[BOB].open, 1);
}

#[test]
fn every_seller_away_offers_nothing_and_does_not_overflow() {
    let mut desk = desk();
    for slot in [ANN, BOB, CAT] {
        assert!(desk.set_away(RR, member(&desk, RR, slot), true));
    }
    assert_eq!(desk.place(RR, lead(1, 0, 1), None), Some(RR));
    assert_eq!(desk.offer(RR, START, every), Offer::Nothing);
}

#[test]
fn outside_working_hours_the_queue_says_when_it_reopens() {
    let mut desk = desk();
    let saturday_noon = START + 5 * 86_400 + 12 * 3_600;
    let monday_nine = START + 7 * 86_400 + 9 * 3_600;
    assert_eq!(desk.offer(OFFICE, saturday_noon, every), Offer::Nothing);
    desk.push(OFFICE, lead(1, 0, 1), None);
    assert!(!desk.at_work(OFFICE, saturday_noon));
    assert_eq!(
        desk.offer(OFFICE, saturday_noon, every),
        Offer::Closed {
            reopens: Some(monday_nine)
        }
    );
    assert!(desk.at_work(OFFICE, monday_nine));
    assert_eq!(
        desk.offer(OFFICE, monday_nine, every),
        Offer::Pickup {
            slot: 0,
            waiting: lead(1, 0, 1)
        }
    );
    assert!(desk.at_work(RR, saturday_noon));
    assert_eq!(desk.next_open(RR, saturday_noon), None);
}

#[test]
fn stale_entries_are_never_handed_out() {
    let mut desk = desk();
    desk.push(RR, lead(1, 0, 1), None);
    desk.push(RR, lead(2, 0, 2), None);
    // Lead 1 left its line: the caller forgets it and its entry no longer passes.
    desk.forget(RR);
    let current = |w: &Waiting| w.lead != 1;
    assert_eq!(desk.next_pickup(RR, current).map(|(_, w)| w.lead), Some(2));
    assert_eq!(desk.next_pickup(RR, current), None);
    assert_eq!(desk.waiting(RR), 0);
}

/// One step of a random workload.
#[derive(Debug, Clone)]
enum Op {
    /// Queue (or requeue) a lead, routed to a queue, maybe owned by a slot of it.
    Place {
        lead: usize,
        queue: u32,
        owner: Option<usize>,
        priority: u32,
    },
    /// A waiting lead leaves its line.
    Withdraw { lead: usize },
    /// Ask a queue for a pickup.
    Offer { queue: u32 },
    /// A seller's lead ends.
    Release { taken: usize },
    /// A seller goes away or comes back.
    Away { queue: u32, slot: usize, away: bool },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..12usize, 0..2u32, proptest::option::of(0..3usize), 0..4u32).prop_map(
            |(lead, queue, owner, priority)| Op::Place { lead, queue, owner, priority }
        ),
        1 => (0..12usize).prop_map(|lead| Op::Withdraw { lead }),
        4 => (0..2u32).prop_map(|queue| Op::Offer { queue }),
        2 => (0..64usize).prop_map(|taken| Op::Release { taken }),
        1 => (0..2u32, 0..3usize, any::<bool>()).prop_map(|(queue, slot, away)| Op::Away {
            queue,
            slot,
            away
        }),
    ]
}

/// The caller's side of the workload: each lead's ticket and where it waits, and who holds
/// which lead.
struct Model {
    tickets: Vec<u32>,
    places: Vec<Option<QueueId>>,
    taken: Vec<(QueueId, usize)>,
    seq: u64,
}

impl Model {
    fn apply(&mut self, desk: &mut Desk, op: Op) -> Result<(), TestCaseError> {
        match op {
            Op::Place {
                lead,
                queue,
                owner,
                priority,
            } => {
                self.withdraw(desk, lead);
                self.tickets[lead] += 1;
                self.seq += 1;
                let queue = QueueId(queue);
                let owner = owner.and_then(|s| desk.sellers(queue).get(s)?.member);
                let waiting = Waiting {
                    lead: lead as u32,
                    ticket: self.tickets[lead],
                    priority,
                    seq: self.seq,
                };
                self.places[lead] = desk.place(queue, waiting, owner);
                prop_assert!(self.places[lead].is_some());
            }
            Op::Withdraw { lead } => self.withdraw(desk, lead),
            Op::Offer { queue } => {
                let queue = QueueId(queue);
                let (tickets, places) = (&self.tickets, &self.places);
                let valid = |w: &Waiting| {
                    places[w.lead as usize] == Some(queue) && tickets[w.lead as usize] == w.ticket
                };
                if let Offer::Pickup { slot, waiting } = desk.offer(queue, START, valid) {
                    prop_assert!(valid(&waiting), "stale {waiting:?}");
                    prop_assert!(!desk.sellers(queue)[slot].away);
                    self.places[waiting.lead as usize] = None;
                    self.taken.push((queue, slot));
                }
            }
            Op::Release { taken } => {
                if !self.taken.is_empty() {
                    let (queue, slot) = self.taken.swap_remove(taken % self.taken.len());
                    desk.release(queue, slot);
                }
            }
            Op::Away { queue, slot, away } => {
                let queue = QueueId(queue);
                if let Some(m) = desk.sellers(queue).get(slot).and_then(|s| s.member) {
                    prop_assert!(desk.set_away(queue, m, away));
                }
            }
        }
        Ok(())
    }

    fn withdraw(&mut self, desk: &mut Desk, lead: usize) {
        if let Some(q) = self.places[lead].take() {
            desk.forget(q);
        }
    }

    fn check(&self, desk: &Desk) -> Result<(), TestCaseError> {
        for (queue, cap) in [(RR, 2), (LL, 3)] {
            let placed = self.places.iter().filter(|p| **p == Some(queue)).count();
            prop_assert_eq!(desk.waiting(queue) as usize, placed);
            for (slot, seller) in desk.sellers(queue).iter().enumerate() {
                prop_assert!(seller.open <= cap, "{queue:?} slot {slot}: {}", seller.open);
                let held = self.taken.iter().filter(|t| **t == (queue, slot)).count();
                prop_assert_eq!(seller.open as usize, held);
            }
        }
        Ok(())
    }
}

proptest! {
    /// Whatever the caller does, no seller holds more than the queue's capacity, every lead
    /// handed out is current, and the counts of waiting and open leads match the caller's.
    #[test]
    fn random_workloads_keep_capacity_and_never_hand_out_stale_tickets(
        ops in proptest::collection::vec(op(), 1..200)
    ) {
        let mut desk = desk();
        let mut model = Model { tickets: vec![0; 12], places: vec![None; 12], taken: Vec::new(), seq: 0 };
        for op in ops {
            model.apply(&mut desk, op)?;
            model.check(&desk)?;
        }
    }
}
