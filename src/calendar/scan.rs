//! Days outside the precomputed table, computed one by one with the same per-day function and
//! bounded so no query can run away.

use super::hours::Hours;
use super::table::{TABLE_FIRST_DAY, TABLE_LAST_DAY};
use super::timestamp::Timestamp;

/// Bounds the day-by-day work outside the precomputed range so no query can run away (about ten
/// years of days); answers needing more saturate.
pub const SCAN_CAP_DAYS: i32 = 3660;

impl Hours {
    /// Business days computed on the fly, from `from` up to (excluding) `until`.
    pub(super) fn slow_days(&self, from: i32, until: i32) -> SlowDays<'_> {
        SlowDays {
            hours: self,
            day: from,
            until,
            budget: SCAN_CAP_DAYS,
        }
    }

    /// On-the-fly business days before the table whose intervals may end after `t`.
    pub(super) fn days_before_table(&self, t: Timestamp) -> SlowDays<'_> {
        match self.local_day(t) {
            Some(day) => self.slow_days(day - 1, TABLE_FIRST_DAY),
            None => SlowDays::failed(self),
        }
    }

    /// On-the-fly business days after the table whose intervals may end after `t`.
    pub(super) fn days_after_table(&self, t: Timestamp) -> SlowDays<'_> {
        match self.local_day(t) {
            Some(day) => self.slow_days((day - 1).max(TABLE_LAST_DAY + 1), i32::MAX),
            None => SlowDays::failed(self),
        }
    }
}

/// Iterates business days computed on the fly, at most [`SCAN_CAP_DAYS`] days in all.
pub(super) struct SlowDays<'a> {
    hours: &'a Hours,
    day: i32,
    until: i32,
    budget: i32,
}

impl<'a> SlowDays<'a> {
    /// An iterator that yields nothing and reports that it ran out.
    fn failed(hours: &'a Hours) -> SlowDays<'a> {
        SlowDays {
            hours,
            day: 0,
            until: 1,
            budget: 0,
        }
    }

    /// Whether the scan stopped on its budget (or failed) before reaching `until`.
    pub(super) fn ran_out(&self) -> bool {
        self.day < self.until
    }
}

impl Iterator for SlowDays<'_> {
    type Item = (i32, Vec<(Timestamp, Timestamp)>);

    fn next(&mut self) -> Option<Self::Item> {
        while self.day < self.until && self.budget > 0 {
            let day = self.day;
            self.day += 1;
            self.budget -= 1;
            let ivs = self.hours.day_intervals(day);
            if !ivs.is_empty() {
                return Some((day, ivs));
            }
        }
        None
    }
}

/// Spends `left` working seconds from `t` over `days`; the instant it runs out, if it does.
pub(super) fn consume(days: &mut SlowDays<'_>, t: Timestamp, left: &mut i64) -> Option<Timestamp> {
    for (_, ivs) in days {
        for (s, e) in ivs {
            let s = s.max(t);
            if e <= s {
                continue;
            }
            if *left <= e - s {
                return Some(s + *left);
            }
            *left -= e - s;
        }
    }
    None
}

/// Working seconds of `days` within `[a, b)`.
pub(super) fn overlap(days: SlowDays<'_>, a: Timestamp, b: Timestamp) -> i64 {
    let mut sum = 0;
    for (_, ivs) in days {
        for (s, e) in ivs {
            if s >= b {
                return sum;
            }
            sum += (e.min(b) - s.max(a)).max(0);
        }
    }
    sum
}
