//! What the simulator measures of its queues: lengths over time, busy time, sojourns for
//! Little's law.
//! The queues themselves (lines, sellers, routing) are the shared [`crate::queues`], which
//! live mode drives too.

use super::rng::LeadKey;
use super::stats::TimeWeighted;
use super::timeline::{Level, Periods};
use super::world::StaffWorld;
use crate::calendar::Timestamp;
use crate::ir::scenario::Dist;
use crate::ir::Channel;
use std::collections::VecDeque;

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
    /// Time integral of the number of leads the queue's sellers held (from pickup to the end
    /// of the handoff) over the window: with the handoffs taken, Little's law gives how long
    /// a lead holds a seller's `capacity` slot.
    pub held_area: f64,
}

/// What a queue's sellers did inside the observation window, by UTC hour of day (hours after
/// [`super::START`], a Monday midnight UTC, modulo 24): the level of work over the day, which
/// tests compare with queueing theory for time-varying arrivals. No report shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ByHour {
    /// Seller-seconds of work (first touches and follow-ups), each piece of work counted in
    /// full when it starts, cut to the window.
    pub busy_secs: [f64; 24],
    /// First touches: leads the sellers took.
    pub pickups: [u64; 24],
}

impl ByHour {
    /// Adds the work from `from` to `to`, cut to the window `[lo, hi)`, to the hours it spans.
    pub(crate) fn work(
        &mut self,
        from: Timestamp,
        to: Timestamp,
        (lo, hi): (Timestamp, Timestamp),
    ) {
        let mut at = from.max(lo);
        let end = to.min(hi);
        while at < end {
            let next = at + HOUR_SECS - (at - super::START).rem_euclid(HOUR_SECS);
            if let Some(slot) = self.busy_secs.get_mut(hour_of_day(at)) {
                *slot += (next.min(end) - at) as f64;
            }
            at = next;
        }
    }

    /// Counts a lead taken at `at`, if inside the window `[lo, hi)`.
    pub(crate) fn pickup(&mut self, at: Timestamp, (lo, hi): (Timestamp, Timestamp)) {
        if !(lo..hi).contains(&at) {
            return;
        }
        if let Some(slot) = self.pickups.get_mut(hour_of_day(at)) {
            *slot += 1;
        }
    }
}

const HOUR_SECS: Timestamp = 3_600;

/// The UTC hour of day of `at`.
fn hour_of_day(at: Timestamp) -> usize {
    usize::try_from((at - super::START).div_euclid(HOUR_SECS).rem_euclid(24)).unwrap_or(0)
}

/// What the simulator measures of one queue, and its handling times; who waits and who takes
/// whom is the shared [`crate::queues::Desk`]'s.
pub(crate) struct QueueSim {
    pub handle: Dist,
    /// Handling of later sequence steps by channel (`None`: any channel without its own).
    pub follow_up: Vec<(Option<Channel>, Dist)>,
    /// A seller who frees up takes a new lead before due follow-ups.
    pub prefer_new_leads: bool,
    /// How long a seller at work takes to notice a new lead.
    pub pickup_delay: Option<Dist>,
    /// When each seller slot's current work started.
    pub busy_since: Vec<Timestamp>,
    /// Each seller slot's due follow-ups (lead and its key, as lead numbers are reused),
    /// oldest first, done when the seller is free.
    pub follow_ups: Vec<VecDeque<(u32, LeadKey)>>,
    /// Work and pickups inside the window by hour of day.
    pub by_hour: ByHour,
    /// A wake-up at the next opening is scheduled.
    pub wake_pending: bool,
    pub length: TimeWeighted,
    /// The number waiting per period of the whole run, for the queue-length chart.
    pub over_time: Level,
    pub busy_secs: f64,
    /// Leads the queue's sellers hold now, and over time.
    pub held_now: u32,
    pub held: TimeWeighted,
    pub little: LittleSample,
}

impl QueueSim {
    /// The statistics of a queue staffed as `staff` says.
    pub fn new(staff: Option<&StaffWorld>, warmup: Timestamp, periods: Periods) -> Self {
        QueueSim {
            handle: staff.map_or(Dist::Constant { value: 0.0 }, |s| s.handle.clone()),
            follow_up: staff.map_or_else(Vec::new, |s| s.follow_up.clone()),
            prefer_new_leads: staff.is_some_and(|s| s.prefer_new_leads),
            pickup_delay: staff.and_then(|s| s.pickup_delay.clone()),
            busy_since: vec![0; staff.map_or(0, |s| s.sellers) as usize],
            follow_ups: vec![VecDeque::new(); staff.map_or(0, |s| s.sellers) as usize],
            by_hour: ByHour::default(),
            wake_pending: false,
            length: TimeWeighted::new(warmup as f64, 0.0),
            over_time: Level::new(periods),
            busy_secs: 0.0,
            held_now: 0,
            held: TimeWeighted::new(warmup as f64, 0.0),
            little: LittleSample::default(),
        }
    }

    /// The handling time of a later sequence step on `channel`: its own line, else the line
    /// for every channel, else a pickup's.
    pub fn follow_up_handle(&self, channel: Option<Channel>) -> &Dist {
        let line = |c: Option<Channel>| self.follow_up.iter().find(|(x, _)| *x == c);
        channel
            .and_then(|c| line(Some(c)))
            .or_else(|| line(None))
            .map_or(&self.handle, |(_, d)| d)
    }

    /// Records that a seller took a lead (`true`) or let one go at `now`.
    pub fn holding(&mut self, now: Timestamp, took: bool) {
        self.held_now = if took {
            self.held_now.saturating_add(1)
        } else {
            self.held_now.saturating_sub(1)
        };
        self.held.update(now as f64, f64::from(self.held_now));
    }

    /// Records the number waiting after it changed at `now`.
    pub fn waiting_now(&mut self, now: Timestamp, waiting: u32) {
        self.length.update(now as f64, f64::from(waiting));
        self.over_time.update(now, f64::from(waiting));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::START;

    #[test]
    fn work_is_split_by_hour_of_day_and_cut_to_the_window() {
        let mut by_hour = ByHour::default();
        let window = (START + 3_600, START + 26 * 3_600);
        // From 00:30 to 02:15: the first half hour is before the window.
        by_hour.work(START + 1_800, START + 2 * 3_600 + 900, window);
        // From 23:50 to 02:10 the next day: cut at 02:00, the window's end.
        by_hour.work(START + 23 * 3_600 + 3_000, START + 26 * 3_600 + 600, window);
        let mut expected = [0.0; 24];
        expected[1] = 3_600.0 + 3_600.0;
        expected[2] = 900.0;
        expected[23] = 600.0;
        expected[0] = 3_600.0;
        assert_eq!(by_hour.busy_secs, expected);
        by_hour.pickup(START + 3_599, window);
        by_hour.pickup(START + 25 * 3_600, window);
        by_hour.pickup(START + 26 * 3_600, window);
        assert_eq!(by_hour.pickups[0], 0);
        assert_eq!(by_hour.pickups[1], 1);
    }
}
