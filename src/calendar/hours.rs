//! A calendar with working hours: its data, and the queries behind [`BusinessCalendar`]'s
//! methods, answered from the table where it reaches and by scanning days beyond it.
//!
//! [`BusinessCalendar`]: super::BusinessCalendar

use chrono_tz::Tz;

use super::scan::{consume, overlap};
use super::spec::Week;
use super::table::{Table, TABLE_FIRST_DAY, TABLE_LAST_DAY};
use super::timestamp::Timestamp;

/// Everything needed to compute any local day, plus the precomputed table.
pub(super) struct Hours {
    pub(super) name: String,
    pub(super) tz: Tz,
    /// The working windows of each weekday.
    pub(super) week: Week,
    /// Sorted, deduplicated day numbers of holidays.
    pub(super) holidays: Vec<i32>,
    pub(super) table: Table,
}

/// The business day an interval belongs to: in the table by ordinal, or computed on the fly.
pub(super) enum Day {
    Table(usize),
    Slow(i32, Vec<(Timestamp, Timestamp)>),
}

/// The first open interval ending after some instant.
pub(super) struct Hit {
    pub(super) start: Timestamp,
    pub(super) day: Day,
}

impl Hours {
    /// The first open interval ending after `t`, with its business day.
    pub(super) fn locate(&self, t: Timestamp) -> Option<Hit> {
        let table = &self.table;
        if t < table.lo {
            let mut days = self.days_before_table(t);
            for (day, ivs) in &mut days {
                if let Some(&(start, _)) = ivs.iter().find(|iv| iv.1 > t) {
                    return Some(Hit {
                        start,
                        day: Day::Slow(day, ivs),
                    });
                }
            }
            if days.ran_out() {
                return None;
            }
        }
        if t < table.hi {
            let i = table.first_ending_after(t);
            if let (Some(&start), Some(&ord)) = (table.starts.get(i), table.ord.get(i)) {
                return Some(Hit {
                    start,
                    day: Day::Table(usize::try_from(ord).unwrap_or(usize::MAX)),
                });
            }
        }
        self.days_after_table(t.max(table.hi))
            .find_map(|(day, ivs)| {
                let start = ivs.iter().find(|iv| iv.1 > t)?.0;
                Some(Hit {
                    start,
                    day: Day::Slow(day, ivs),
                })
            })
    }

    pub(super) fn add_seconds(&self, t: Timestamp, secs: i64) -> Timestamp {
        let table = &self.table;
        let mut left = secs;
        let mut t = t;
        if t < table.lo {
            let mut days = self.days_before_table(t);
            if let Some(done) = consume(&mut days, t, &mut left) {
                return done;
            }
            if days.ran_out() {
                return Timestamp::MAX;
            }
            t = table.lo;
        }
        if t < table.hi {
            let total = table.cum.last().copied().unwrap_or(0);
            let target = table.cum_at(t).saturating_add(left);
            if target <= total {
                let j = table.cum.partition_point(|&c| c < target);
                let end = j.checked_sub(1).and_then(|i| table.ends.get(i));
                if let (Some(&end), Some(&cum)) = (end, table.cum.get(j)) {
                    return end - (cum - target);
                }
            }
            left = target - total;
            t = table.hi;
        }
        consume(&mut self.days_after_table(t), t, &mut left).unwrap_or(Timestamp::MAX)
    }

    pub(super) fn add_days(&self, t: Timestamp, n: u32) -> Option<Timestamp> {
        let hit = self.locate(t)?;
        let start = hit.start.max(t);
        if n == 0 {
            return Some(start);
        }
        let second = self.local_second_of_day(start)?;
        match self.nth_business_day_after(&hit.day, n)? {
            Day::Table(k) => {
                let date = *self.table.day_date.get(k)?;
                let wanted = self.map_local(date, second)?;
                clamp_to_day(wanted, self.table.day_intervals(k))
            }
            Day::Slow(date, ivs) => {
                let wanted = self.map_local(date, second)?;
                clamp_to_day(wanted, ivs.into_iter())
            }
        }
    }

    /// The `n`-th business day (n >= 1) after `day`, crossing into and out of the table as needed.
    fn nth_business_day_after(&self, day: &Day, n: u32) -> Option<Day> {
        let (date, mut left) = match day {
            Day::Table(k) => return self.nth_from_table(k.checked_add(usize::try_from(n).ok()?)?),
            Day::Slow(date, _) => (*date, n),
        };
        if date < TABLE_FIRST_DAY {
            let mut days = self.slow_days(date + 1, TABLE_FIRST_DAY);
            for found in &mut days {
                left -= 1;
                if left == 0 {
                    return Some(Day::Slow(found.0, found.1));
                }
            }
            if days.ran_out() {
                return None;
            }
            return self.nth_from_table(usize::try_from(left).ok()? - 1);
        }
        let first = (date + 1).max(TABLE_LAST_DAY + 1);
        let skip = usize::try_from(left).ok()? - 1;
        let (found, ivs) = self.slow_days(first, i32::MAX).nth(skip)?;
        Some(Day::Slow(found, ivs))
    }

    /// Business day with table ordinal `k`, continuing after the table when `k` is past its end.
    fn nth_from_table(&self, k: usize) -> Option<Day> {
        let count = self.table.day_date.len();
        if k < count {
            return Some(Day::Table(k));
        }
        let (found, ivs) = self
            .slow_days(TABLE_LAST_DAY + 1, i32::MAX)
            .nth(k - count)?;
        Some(Day::Slow(found, ivs))
    }

    /// The last close of a business day.
    pub(super) fn day_close(&self, day: &Day) -> Option<Timestamp> {
        match day {
            Day::Table(k) => self.table.day_intervals(*k).next_back().map(|iv| iv.1),
            Day::Slow(_, ivs) => ivs.last().map(|iv| iv.1),
        }
    }

    pub(super) fn seconds_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        let table = &self.table;
        let mut sum = 0;
        if a < table.lo {
            sum += overlap(self.days_before_table(a), a, b.min(table.lo));
        }
        let (x, y) = (a.max(table.lo), b.min(table.hi));
        if x < y {
            sum += table.cum_at(y) - table.cum_at(x);
        }
        if b > table.hi {
            let x = a.max(table.hi);
            sum += overlap(self.days_after_table(x), x, b);
        }
        sum
    }
}

/// `wanted` if it is open on the day, else the day's next opening, else its last close.
fn clamp_to_day(
    wanted: Timestamp,
    intervals: impl Iterator<Item = (Timestamp, Timestamp)>,
) -> Option<Timestamp> {
    let mut last_close = None;
    for (s, e) in intervals {
        if wanted < s {
            return Some(s);
        }
        if wanted < e {
            return Some(wanted);
        }
        last_close = Some(e);
    }
    last_close
}
