//! How one replication evolves over simulated time: leakage and queue length per day (per week
//! for long runs), so charts can show warm-up, steady state and backlog build-up.
//!
//! Memory is one slot per period and queue, never per lead, and every update is O(1) amortised
//! (a level that stays put across many periods is spread over them once), so the event loop
//! costs the same with or without these series.

use super::trend::Trend;
use crate::calendar::Timestamp;
use serde::{Deserialize, Serialize};

/// Runs longer than this many days are cut into weeks rather than days, so a long horizon still
/// gives a readable chart with a bounded number of points.
pub const DAILY_UP_TO_DAYS: i64 = 180;

const DAY: i64 = 86_400;

/// How a run's span is cut into periods; every replication of a run uses the same cut, so their
/// series can be averaged slot by slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Periods {
    /// Start of the first period (the start of the simulation, warm-up included).
    pub start: Timestamp,
    /// Length of a full period in seconds: a day or a week.
    pub width: i64,
    /// Number of periods; the last one may be cut short by the horizon.
    pub count: usize,
    /// End of the last period.
    pub end: Timestamp,
}

impl Periods {
    /// Days for runs up to [`DAILY_UP_TO_DAYS`], weeks beyond.
    pub fn new(start: Timestamp, horizon_secs: i64) -> Periods {
        let width = if horizon_secs.max(1) <= DAILY_UP_TO_DAYS * DAY {
            DAY
        } else {
            7 * DAY
        };
        Periods::of_width(start, horizon_secs, width)
    }

    /// Periods of `width` seconds (at least one) over `horizon_secs` from `start`.
    pub fn of_width(start: Timestamp, horizon_secs: i64, width: i64) -> Periods {
        let span = horizon_secs.max(1);
        let width = width.max(1);
        let count = usize::try_from((span + width - 1) / width).unwrap_or(1);
        Periods {
            start,
            width,
            count,
            end: start.saturating_add(span),
        }
    }

    /// The period `t` falls in; the horizon itself belongs to the last period.
    pub fn index(&self, t: Timestamp) -> Option<usize> {
        if t < self.start || t > self.end {
            return None;
        }
        let i = usize::try_from((t - self.start) / self.width).ok()?;
        Some(i.min(self.count.saturating_sub(1)))
    }

    /// Seconds of period `i` inside the run (less than a full period for a cut-short last one).
    pub fn length(&self, i: usize) -> f64 {
        let from = self.start.saturating_add(
            self.width
                .saturating_mul(i64::try_from(i).unwrap_or(i64::MAX)),
        );
        (from.saturating_add(self.width).min(self.end) - from).max(0) as f64
    }

    /// The start of period `i` in days since the start, the x coordinate charts use.
    pub fn day(&self, i: usize) -> f64 {
        i as f64 * self.width as f64 / DAY as f64
    }
}

/// A level (the number of leads waiting in a queue) integrated over time per period.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    periods: Periods,
    last: Timestamp,
    value: f64,
    area: Vec<f64>,
}

impl Level {
    /// A level of zero from the start of `periods`.
    pub fn new(periods: Periods) -> Level {
        Level {
            periods,
            last: periods.start,
            value: 0.0,
            area: vec![0.0; periods.count],
        }
    }

    /// Records that the level changes to `value` at `t`; times before the last update or after
    /// the end are clamped, so a late call cannot add negative or extra time.
    pub fn update(&mut self, t: Timestamp, value: f64) {
        let t = t.clamp(self.last, self.periods.end);
        if self.value != 0.0 {
            while self.last < t {
                let Some(i) = self.periods.index(self.last) else {
                    break;
                };
                let boundary = self
                    .periods
                    .start
                    .saturating_add(self.periods.width.saturating_mul(i as i64 + 1))
                    .min(t);
                if let Some(a) = self.area.get_mut(i) {
                    *a += self.value * (boundary - self.last) as f64;
                }
                self.last = boundary;
            }
        }
        self.last = t;
        self.value = value;
    }

    /// The time-average level of each period, the current level extending to the end.
    pub fn means(mut self) -> Vec<f64> {
        let (end, value) = (self.periods.end, self.value);
        self.update(end, value);
        let periods = self.periods;
        self.area
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let len = periods.length(i);
                if len > 0.0 {
                    a / len
                } else {
                    f64::NAN
                }
            })
            .collect()
    }
}

/// The per-period series of one replication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// How the run was cut.
    pub periods: Periods,
    /// Handoffs by the period they started in (warm-up included).
    pub started: Vec<u32>,
    /// ... of which leakage is known by the end of the run.
    pub decided: Vec<u32>,
    /// ... of which leaked.
    pub leaked: Vec<u32>,
    /// Mean number of leads waiting per period, one series per queue in playbook order.
    #[serde(with = "super::values::float_rows")]
    pub queue_length: Vec<Vec<f64>>,
}

impl Timeline {
    /// Empty series over `periods`; queue lengths are filled in when the run ends.
    pub fn new(periods: Periods) -> Timeline {
        Timeline {
            periods,
            started: vec![0; periods.count],
            decided: vec![0; periods.count],
            leaked: vec![0; periods.count],
            queue_length: Vec::new(),
        }
    }

    /// Each queue's trend over the periods that start after the warm-up, the last `window`
    /// seconds of the run.
    pub fn trends(&self, window: f64) -> Vec<Trend> {
        let p = self.periods;
        let warmup = (p.end - p.start) as f64 - window;
        let first = (warmup.max(0.0) / p.width as f64).ceil() as usize;
        let days = p.width as f64 / DAY as f64;
        self.queue_length
            .iter()
            .map(|series| Trend::of(series.get(first..).unwrap_or_default(), days))
            .collect()
    }

    /// Counts a handoff that started at `started_at` and is over (or cut off by the horizon),
    /// with whether it leaked when that is known.
    pub fn end(&mut self, started_at: Timestamp, leaked: Option<bool>) {
        let Some(i) = self.periods.index(started_at) else {
            return;
        };
        if let Some(n) = self.started.get_mut(i) {
            *n += 1;
        }
        let Some(leaked) = leaked else {
            return;
        };
        if let Some(d) = self.decided.get_mut(i) {
            *d += 1;
        }
        if let Some(l) = self.leaked.get_mut(i) {
            *l += u32::from(leaked);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_days_then_weeks() {
        let p = Periods::new(0, 10 * DAY + 1);
        assert_eq!((p.width, p.count), (DAY, 11));
        assert_eq!(p.length(10), 1.0);
        assert_eq!(p.index(10 * DAY + 1), Some(10));
        assert_eq!(p.index(-1), None);
        let long = Periods::new(0, 365 * DAY);
        assert_eq!((long.width, long.count), (7 * DAY, 53));
        assert_eq!(long.day(2), 14.0);
    }

    #[test]
    fn level_is_spread_over_the_periods_it_spans() {
        let mut level = Level::new(Periods::new(0, 3 * DAY));
        level.update(DAY / 2, 2.0);
        level.update(2 * DAY + DAY / 2, 0.0);
        level.update(2 * DAY + DAY / 2 + 10, 4.0);
        let means = level.means();
        assert_eq!(means.len(), 3);
        assert!((means[0] - 1.0).abs() < 1e-12);
        assert!((means[1] - 2.0).abs() < 1e-12);
        let expected = (2.0 * (DAY / 2) as f64 + 4.0 * (DAY / 2 - 10) as f64) / DAY as f64;
        assert!((means[2] - expected).abs() < 1e-12);
    }

    #[test]
    fn leakage_counts_by_start_period() {
        let mut t = Timeline::new(Periods::new(0, 2 * DAY));
        t.end(10, Some(true));
        t.end(20, None);
        t.end(DAY + 10, Some(false));
        t.end(5 * DAY, Some(true));
        assert_eq!(t.started, [2, 1]);
        assert_eq!((t.decided, t.leaked), (vec![1, 1], vec![1, 0]));
    }
}
