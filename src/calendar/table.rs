//! The precomputed table: the UTC open intervals of every local day from 2000 to 2100, with
//! prefix sums of working seconds, so queries inside that range are binary searches.

use super::hours::Hours;
use super::timestamp::{Timestamp, SECONDS_PER_DAY};

/// Day number (days since 1970-01-01) of 2000-01-01, the first precomputed local date.
pub(super) const TABLE_FIRST_DAY: i32 = 10_957;
/// Day number of 2100-12-31, the last precomputed local date.
pub(super) const TABLE_LAST_DAY: i32 = 47_846;

/// UTC open intervals of every business day from 2000-01-01 to 2100-12-31, as parallel arrays so
/// binary searches touch as little memory as possible.
pub(super) struct Table {
    /// The instant local 2000-01-01 00:00 begins; every interval lies in `[lo, hi]`.
    pub(super) lo: Timestamp,
    /// The instant local 2101-01-01 00:00 begins.
    pub(super) hi: Timestamp,
    pub(super) starts: Vec<Timestamp>,
    pub(super) ends: Vec<Timestamp>,
    /// `cum[i]` = working seconds in the intervals before interval `i`; one longer than `starts`.
    pub(super) cum: Vec<i64>,
    /// Business-day ordinal of each interval.
    pub(super) ord: Vec<u32>,
    /// Index of the first interval of each business day, plus a final `starts.len()`.
    day_first: Vec<u32>,
    /// Day number of each business day.
    pub(super) day_date: Vec<i32>,
    /// UTC day number of `lo`.
    first_utc_day: i64,
    /// For each UTC day from `first_utc_day`, the first interval ending after the day begins, so
    /// that finding an instant's interval searches one day's few intervals instead of a century
    /// of them, where every step of the search would miss the cache.
    by_utc_day: Vec<u32>,
}

impl Hours {
    /// Computes every local day of the table once, when the calendar is compiled.
    pub(super) fn build_table(&self) -> Table {
        let lo = self
            .map_local(TABLE_FIRST_DAY, 0)
            .unwrap_or(i64::from(TABLE_FIRST_DAY) * SECONDS_PER_DAY);
        let hi = self
            .map_local(TABLE_LAST_DAY, SECONDS_PER_DAY)
            .unwrap_or((i64::from(TABLE_LAST_DAY) + 1) * SECONDS_PER_DAY);
        let mut table = Table::empty();
        table.lo = lo;
        table.hi = hi;
        table.cum.push(0);
        let mut prev_end = lo;
        let mut total = 0;
        for day in TABLE_FIRST_DAY..=TABLE_LAST_DAY {
            let first = table.starts.len();
            let ordinal = u32::try_from(table.day_date.len()).unwrap_or(u32::MAX);
            for (s, e) in self.day_intervals(day) {
                // Guards the sortedness the binary searches rely on, whatever the zone data says.
                let (s, e) = (s.max(prev_end), e.min(hi));
                if e <= s {
                    continue;
                }
                prev_end = e;
                total += e - s;
                table.starts.push(s);
                table.ends.push(e);
                table.cum.push(total);
                table.ord.push(ordinal);
            }
            if table.starts.len() > first {
                table
                    .day_first
                    .push(u32::try_from(first).unwrap_or(u32::MAX));
                table.day_date.push(day);
            }
        }
        table
            .day_first
            .push(u32::try_from(table.starts.len()).unwrap_or(u32::MAX));
        table.index_days();
        table
    }
}

impl Table {
    pub(super) fn empty() -> Table {
        Table {
            lo: 0,
            hi: 0,
            starts: Vec::new(),
            ends: Vec::new(),
            cum: Vec::new(),
            ord: Vec::new(),
            day_first: Vec::new(),
            day_date: Vec::new(),
            first_utc_day: 0,
            by_utc_day: Vec::new(),
        }
    }

    /// Indexes the intervals by UTC day (see [`Table::by_utc_day`]).
    fn index_days(&mut self) {
        self.first_utc_day = self.lo.div_euclid(SECONDS_PER_DAY);
        let last_utc_day = self.hi.div_euclid(SECONDS_PER_DAY) + 1;
        self.by_utc_day = (self.first_utc_day..=last_utc_day)
            .map(|day| {
                let begins = day * SECONDS_PER_DAY;
                let i = self.ends.partition_point(|&e| e <= begins);
                u32::try_from(i).unwrap_or(u32::MAX)
            })
            .collect();
    }

    /// The index of the first interval ending after `t` (`ends.len()` when none does).
    pub(super) fn first_ending_after(&self, t: Timestamp) -> usize {
        let day = t.div_euclid(SECONDS_PER_DAY) - self.first_utc_day;
        let bounds = usize::try_from(day).ok().and_then(|d| {
            let from = *self.by_utc_day.get(d)? as usize;
            let to = *self.by_utc_day.get(d + 1)? as usize;
            Some((from, to))
        });
        match bounds.and_then(|(from, to)| Some((from, self.ends.get(from..to)?))) {
            // Every interval before `from` ends by the day's start, at or before `t`, and the
            // interval at `to` ends after the next day begins, after `t`.
            Some((from, ends)) => from + ends.partition_point(|&e| e <= t),
            None => self.ends.partition_point(|&e| e <= t),
        }
    }

    /// Working seconds in the table before `t`.
    pub(super) fn cum_at(&self, t: Timestamp) -> i64 {
        let i = self.first_ending_after(t);
        let before = self.cum.get(i).copied().unwrap_or(0);
        match self.starts.get(i) {
            Some(&s) if s < t => before + (t - s),
            _ => before,
        }
    }

    /// Intervals of the business day with ordinal `k`.
    pub(super) fn day_intervals(
        &self,
        k: usize,
    ) -> impl DoubleEndedIterator<Item = (Timestamp, Timestamp)> + '_ {
        let range = match (self.day_first.get(k), self.day_first.get(k + 1)) {
            (Some(&a), Some(&b)) => {
                usize::try_from(a).unwrap_or(0)..usize::try_from(b).unwrap_or(0)
            }
            _ => 0..0,
        };
        let starts = self.starts.get(range.clone()).unwrap_or_default();
        let ends = self.ends.get(range).unwrap_or_default();
        starts.iter().copied().zip(ends.iter().copied())
    }
}
