//! The offered load of each queue of a scenario: the seller time and the open-lead slots its
//! handoffs ask for, against what its staff gives. The checker's W0402 compares the two.
//!
//! Which leads reach a queue, and how much work each brings, follows from the whole playbook
//! (signals, scores, rules, routers, breach paths, recycles, sequences), so no closed formula
//! gives it. A pilot does: a cohort of leads arrives at the scenario's rates, mixes and shapes
//! (over as many horizons as it takes, up to ten) and lives out its life for up to the
//! scenario's horizon, with every queue staffed beyond need
//! (a seller per lead, on the staff's calendar, so no lead waits for a free seller and no
//! `capacity` binds). Little's law turns the cohort's work per lead into a rate: offered work
//! = arrival rate × seller time per lead, offered open leads = arrival rate × slot time per
//! lead. A queue can carry its load only below what its sellers give; at or above it, its line
//! grows for as long as the run lasts.
//!
//! The pilot is one replication on its own random stream, so the estimate is the same on every
//! run; with [`PILOT_LEADS`] leads its sampling error is a few percent of the load.

use super::run::{Plan, Run};
use super::{rng, world};
use crate::engine::Engine;
use crate::ir::scenario::Scenario;
use crate::ir::QueueId;

/// Leads in the pilot cohort: enough for a load within a few percent, few enough that checking
/// a playbook stays well under a second.
pub const PILOT_LEADS: f64 = 2_000.0;

/// The pilot's seed, apart from any seed a user gives `simulate`.
const PILOT_SEED: u64 = 0x0ff3_12ed_10ad;

/// Engine events the pilot may take, fifty per lead of the cohort (the shipped scenarios' leads
/// take 4 to 32): a scenario busier than this (a signal rate far higher than intended) gets no
/// estimate rather than a slow check.
const PILOT_MAX_EVENTS: u64 = 100_000;

const DAY: f64 = 86_400.0;

/// What one queue of a scenario is asked for and given.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueLoad {
    /// The queue.
    pub queue: QueueId,
    /// Handoffs a day the queue receives.
    pub handoffs_per_day: f64,
    /// Seller hours a day its handoffs need: pickups and every follow-up.
    pub work_hours_per_day: f64,
    /// Seller working hours a day its staff gives (0 without sellers).
    pub seller_hours_per_day: f64,
    /// Leads its sellers would hold open on average, were there no `capacity` limit.
    pub held: f64,
    /// Open leads its sellers may hold at once (`None`: no `capacity`, or no sellers).
    pub slots: Option<f64>,
    /// Leads beyond its capacity go to another queue (`overflow to`), so its open leads
    /// cannot outgrow its slots; what it passes on is counted in that queue's load.
    pub overflows: bool,
}

impl QueueLoad {
    /// Seller work asked per hour of seller working time (infinite without sellers).
    pub fn work_load(&self) -> f64 {
        ratio(self.work_hours_per_day, self.seller_hours_per_day)
    }

    /// Open leads asked per slot, when the queue has a `capacity`.
    pub fn slot_load(&self) -> Option<f64> {
        self.slots.map(|slots| ratio(self.held, slots))
    }

    /// Whether the queue cannot keep up: it receives handoffs and its work or open leads reach
    /// what its sellers give.
    pub fn overloaded(&self) -> bool {
        self.handoffs_per_day > 0.0
            && (self.seller_hours_per_day <= 0.0
                || self.work_load() >= 1.0
                || (!self.overflows && self.slot_load().is_some_and(|l| l >= 1.0)))
    }
}

/// `asked / given`, infinite when something is asked of nothing.
fn ratio(asked: f64, given: f64) -> f64 {
    if given > 0.0 {
        asked / given
    } else if asked > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// Every queue's offered load under `scenario`, in playbook order; `None` when the scenario
/// has no arrivals or the pilot ran out of its event budget.
pub fn offered(engine: &Engine, scenario: &Scenario) -> Option<Vec<QueueLoad>> {
    let rate: f64 = (scenario.sources.iter())
        .map(|s| s.rate_per_sec)
        .filter(|r| r.is_finite() && *r > 0.0)
        .sum();
    if rate <= 0.0 {
        return None;
    }
    let horizon = scenario.horizon_secs.max(1);
    // A slow scenario's cohort arrives over several horizons rather than being small.
    let arrivals = ((PILOT_LEADS / rate).ceil() as i64).clamp(1, horizon.saturating_mul(10));
    let span = arrivals
        .saturating_add(horizon)
        .min(super::MAX_HORIZON_SECS);
    // One seller per lead of the cohort (with room for Poisson's spread): no lead ever waits
    // for a seller who is busy or at capacity, only for working hours.
    let sellers = (rate * arrivals as f64 * 1.5).ceil().max(16.0) as u32;
    let mut pilot = scenario.clone();
    for staff in &mut pilot.staff {
        staff.sellers = sellers;
    }
    let bare = engine.clone().without_context_packages();
    let world = world::World::new(&bare, &pilot, span);
    let plan = Plan {
        horizon_secs: span,
        warmup_secs: 0,
        max_events: PILOT_MAX_EVENTS,
        max_leads_alive: super::DEFAULT_MAX_LEADS_ALIVE,
    };
    let result = Run::new(&bare, &world, rng::Replication::new(PILOT_SEED, 0), plan)
        .arrivals_until(arrivals)
        .run()
        .ok()?;
    let cohort = result.leads_arrived.max(1) as f64;
    // Per lead of the cohort → per second of arrivals.
    let per_sec = rate / cohort;
    let window = result.window.max(1.0);
    let playbook = engine.playbook();
    let loads = (playbook.queues.iter().enumerate())
        .map(|(i, def)| {
            let queue = QueueId(u32::try_from(i).unwrap_or(u32::MAX));
            let staff = scenario.staff.iter().find(|s| s.queue == queue);
            let tally = result.tallies.queues.get(i);
            let handoffs = tally.map_or(0, |t| t.handoffs) as f64;
            let busy = tally.map_or(0.0, |t| t.busy_secs);
            // Each pilot seller's working time over the pilot: the calendar's open share.
            let open_share = tally.map_or(0.0, |t| t.available_secs) / f64::from(sellers) / window;
            let real = staff.map_or(0, |s| s.sellers);
            let held_area = result.little.get(i).map_or(0.0, |l| l.held_area);
            QueueLoad {
                queue,
                handoffs_per_day: handoffs * per_sec * DAY,
                work_hours_per_day: busy * per_sec * DAY / 3600.0,
                seller_hours_per_day: f64::from(real) * open_share * DAY / 3600.0,
                held: held_area * per_sec,
                slots: def
                    .capacity_per_seller
                    .filter(|_| real > 0)
                    .map(|cap| f64::from(cap) * f64::from(real)),
                overflows: def.overflow.is_some(),
            }
        })
        .collect();
    Some(spill(loads, playbook))
}

/// Moves what each queue cannot hold to its `overflow` queue, in the fluid approximation: a
/// queue asked for `ρ` times its slots keeps `1/ρ` of its handoffs and passes the rest on,
/// with their work and open leads. Chains are followed; a cycle of overflows stops after
/// one pass round it.
fn spill(mut loads: Vec<QueueLoad>, playbook: &crate::ir::Playbook) -> Vec<QueueLoad> {
    for _ in 0..loads.len() {
        let mut moved = false;
        for (i, def) in playbook.queues.iter().enumerate() {
            let Some(to) = def.overflow.map(|q| q.index()).filter(|to| *to != i) else {
                continue;
            };
            let Some(from) = loads.get_mut(i) else {
                continue;
            };
            let excess = match from.slot_load() {
                Some(l) if l > 1.0 => 1.0 - 1.0 / l,
                _ => continue,
            };
            let passed = [
                from.handoffs_per_day * excess,
                from.work_hours_per_day * excess,
                from.held * excess,
            ];
            from.handoffs_per_day -= passed[0];
            from.work_hours_per_day -= passed[1];
            from.held -= passed[2];
            if let Some(target) = loads.get_mut(to) {
                target.handoffs_per_day += passed[0];
                target.work_hours_per_day += passed[1];
                target.held += passed[2];
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    loads
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(work: f64, given: f64, held: f64, slots: Option<f64>) -> QueueLoad {
        QueueLoad {
            queue: QueueId(0),
            handoffs_per_day: 10.0,
            work_hours_per_day: work,
            seller_hours_per_day: given,
            held,
            slots,
            overflows: false,
        }
    }

    #[test]
    fn a_queue_is_overloaded_when_work_or_open_leads_reach_what_its_sellers_give() {
        assert!(!load(7.9, 8.0, 0.0, None).overloaded());
        assert!(load(8.0, 8.0, 0.0, None).overloaded());
        assert!(!load(1.0, 8.0, 99.0, Some(100.0)).overloaded());
        assert!(load(1.0, 8.0, 100.0, Some(100.0)).overloaded());
        assert!(
            load(0.0, 0.0, 0.0, None).overloaded(),
            "handoffs to no sellers"
        );
        let idle = QueueLoad {
            handoffs_per_day: 0.0,
            ..load(0.0, 0.0, 0.0, None)
        };
        assert!(
            !idle.overloaded(),
            "a queue nothing reaches is not overloaded"
        );
        let spills = QueueLoad {
            overflows: true,
            ..load(1.0, 8.0, 150.0, Some(100.0))
        };
        assert!(
            !spills.overloaded(),
            "its excess goes to the overflow queue"
        );
    }
}
