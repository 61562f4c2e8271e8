//! Local time: turning a local date and wall-clock time in the calendar's zone into instants,
//! through daylight-saving gaps and overlaps, and back; and the open intervals of one local day.

use chrono::{
    DateTime, Datelike, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
    Timelike,
};
use chrono_tz::{GapInfo, Tz};

use super::hours::Hours;
use super::timestamp::{Timestamp, SECONDS_PER_DAY, UNIX_EPOCH_DAYS_FROM_CE};

impl Hours {
    /// Local date of `t` as a day number; `None` beyond chrono's range (about ±262,000 years).
    pub(super) fn local_day(&self, t: Timestamp) -> Option<i32> {
        let local = DateTime::from_timestamp(t, 0)?.with_timezone(&self.tz);
        Some(local.date_naive().num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE)
    }

    /// Local wall-clock seconds after midnight at `t`.
    pub(super) fn local_second_of_day(&self, t: Timestamp) -> Option<i64> {
        let local = DateTime::from_timestamp(t, 0)?.with_timezone(&self.tz);
        Some(i64::from(local.num_seconds_from_midnight()))
    }

    /// The instant of local wall-clock `sec` seconds after the midnight starting day `day`
    /// (`sec` may be 86400, meaning the next midnight). Gaps map to their end, ambiguous times to
    /// their earlier instant, which keeps the mapping monotonic.
    pub(super) fn map_local(&self, day: i32, sec: i64) -> Option<Timestamp> {
        let day = day.checked_add(i32::try_from(sec.div_euclid(SECONDS_PER_DAY)).ok()?)?;
        let date = NaiveDate::from_num_days_from_ce_opt(day.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?)?;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(
            u32::try_from(sec.rem_euclid(SECONDS_PER_DAY)).ok()?,
            0,
        )?;
        let local = NaiveDateTime::new(date, time);
        match self.tz.from_local_datetime(&local) {
            MappedLocalTime::Single(t) => Some(t.timestamp()),
            MappedLocalTime::Ambiguous(a, b) => Some(a.timestamp().min(b.timestamp())),
            MappedLocalTime::None => gap_end(&self.tz, &local),
        }
    }

    /// UTC open intervals of one local date, sorted, merged and non-empty.
    pub(super) fn day_intervals(&self, day: i32) -> Vec<(Timestamp, Timestamp)> {
        let mut out: Vec<(Timestamp, Timestamp)> = Vec::new();
        if self.holidays.binary_search(&day).is_ok() {
            return out;
        }
        // Day 0 (1970-01-01) was a Thursday, weekday 3 when Monday is 0.
        let weekday = usize::try_from((i64::from(day) + 3).rem_euclid(7)).unwrap_or(0);
        for &(open, close) in self.week.get(weekday).into_iter().flatten() {
            let (Some(s), Some(e)) = (self.map_local(day, open), self.map_local(day, close)) else {
                continue;
            };
            if e <= s {
                continue;
            }
            match out.last_mut() {
                Some(last) if last.1 >= s => last.1 = last.1.max(e),
                _ => out.push((s, e)),
            }
        }
        out
    }
}

/// The instant a daylight-saving gap containing `local` ends.
fn gap_end(tz: &Tz, local: &NaiveDateTime) -> Option<Timestamp> {
    let gap = GapInfo::new(local, tz)?;
    if let Some(end) = gap.end {
        return Some(end.timestamp());
    }
    // The gap begins at the transition, read in the offset that was in force before it.
    let (begin, offset) = gap.begin?;
    Some(begin.and_utc().timestamp() - i64::from(offset.fix().local_minus_utc()))
}
