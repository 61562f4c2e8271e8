//! Business-time arithmetic: working hours in a local time zone, holidays, and exact conversion
//! between wall time and working time.
//!
//! SLA clocks in a playbook run in business time (`4bh`, `1bd`, `sla same day`), while the engine
//! keeps every instant in UTC seconds. This module is the only place that knows how the two relate,
//! so daylight-saving changes and holidays are handled once, here, and nowhere else.
//!
//! A calendar is compiled once into the sorted list of UTC open intervals of every local day from
//! 2000-01-01 to 2100-12-31, with prefix sums of working seconds, so the simulator's queries are
//! binary searches.
//! Instants outside that range are answered by computing days on the fly with the same per-day
//! function; such a day-by-day scan stops after [`SCAN_CAP_DAYS`] days, and answers that would need
//! more saturate as each method documents.

use std::fmt;
use std::sync::Arc;

use chrono::{
    DateTime, Datelike, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
    Timelike,
};
use chrono_tz::{GapInfo, Tz};
use serde::{Deserialize, Serialize};

/// Seconds since the Unix epoch, UTC: the one clock the engine, the simulator and reports share,
/// so no stage ever has to ask which zone an instant is in.
pub type Timestamp = i64;

/// How a playbook's `calendar` block reaches the engine; serialisable so the checked IR can be
/// snapshotted and shipped as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarSpec {
    /// Name from the playbook, kept for messages and debugging output.
    pub name: String,
    /// IANA zone name, e.g. `Europe/London`; working hours are wall-clock times in this zone.
    pub timezone: String,
    /// Opening hours; a weekday may appear several times (split shifts) and the entries are merged.
    pub hours: Vec<WorkingHours>,
    /// Local dates without working hours, such as public holidays.
    #[serde(with = "iso_dates")]
    pub holidays: Vec<NaiveDate>,
}

impl CalendarSpec {
    /// Checks the description without building the precomputed table: the checker validates
    /// every calendar of every playbook, and the table takes milliseconds per calendar.
    pub fn validate(&self) -> Result<(), CalendarError> {
        self.compile_week().map(|_| ())
    }

    /// Working seconds in a week with no holiday and no clock change, computed from the hours
    /// alone, for capacity estimates that need no particular date.
    pub fn weekly_open_secs(&self) -> Result<i64, CalendarError> {
        let (_, week) = self.compile_week()?;
        Ok(week
            .iter()
            .flatten()
            .map(|(open, close)| close - open)
            .sum())
    }

    /// The zone and the merged, sorted windows of each weekday, or why there are none.
    fn compile_week(&self) -> Result<(Tz, Week), CalendarError> {
        let tz: Tz = self
            .timezone
            .parse()
            .map_err(|_| CalendarError::UnknownTimezone(self.timezone.clone()))?;
        let mut week: Week = Default::default();
        for h in &self.hours {
            let close = h.close_minute.min(1440);
            let slot = week
                .get_mut(usize::from(h.weekday))
                .ok_or(CalendarError::EmptyHours(h.weekday))?;
            if close <= h.open_minute {
                return Err(CalendarError::EmptyHours(h.weekday));
            }
            slot.push((i64::from(h.open_minute) * 60, i64::from(close) * 60));
        }
        if week.iter().all(Vec::is_empty) {
            return Err(CalendarError::NoWorkingHours);
        }
        for day in &mut week {
            *day = merge(std::mem::take(day));
        }
        Ok((tz, week))
    }
}

/// Merged, sorted `(open, close)` local seconds after midnight, indexed by weekday (Monday 0).
type Week = [Vec<(i64, i64)>; 7];

/// One opening window on one weekday, in local wall-clock minutes, because that is how teams
/// state their hours ("Mon 09:00-17:30") regardless of daylight saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    /// 0 = Monday .. 6 = Sunday.
    pub weekday: u8,
    /// Minutes after local midnight at which the window opens.
    pub open_minute: u16,
    /// Minutes after local midnight at which the window closes; greater than `open_minute`, at most
    /// 1440 (a larger value is treated as 1440, i.e. midnight at the end of the day).
    pub close_minute: u16,
}

/// Why a calendar description cannot be compiled, so the checker can report it against the
/// playbook rather than the simulator failing later.
#[derive(Debug, Clone, PartialEq)]
pub enum CalendarError {
    /// The time zone is not in the IANA database bundled with the binary.
    UnknownTimezone(String),
    /// A window on this weekday closes at or before it opens, or names a weekday above 6.
    EmptyHours(u8),
    /// No weekday has any working time, so no deadline could ever be met.
    NoWorkingHours,
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CalendarError::UnknownTimezone(name) => write!(f, "unknown time zone `{name}`"),
            CalendarError::EmptyHours(weekday) => match WEEKDAY_NAMES.get(usize::from(*weekday)) {
                Some(day) => write!(f, "working hours on {day} close at or before they open"),
                None => write!(
                    f,
                    "working hours name weekday `{weekday}`, which does not exist"
                ),
            },
            CalendarError::NoWorkingHours => write!(f, "calendar has no working hours on any day"),
        }
    }
}

impl std::error::Error for CalendarError {}

const WEEKDAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Bounds the day-by-day work outside the precomputed range so no query can run away (about ten
/// years of days); answers needing more saturate.
pub const SCAN_CAP_DAYS: i32 = 3660;

const SECONDS_PER_DAY: i64 = 86_400;
/// `NaiveDate::num_days_from_ce` of 1970-01-01: converts between chrono dates and day numbers.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;
/// Day number (days since 1970-01-01) of 2000-01-01, the first precomputed local date.
const TABLE_FIRST_DAY: i32 = 10_957;
/// Day number of 2100-12-31, the last precomputed local date.
const TABLE_LAST_DAY: i32 = 47_846;

/// A compiled calendar: the question "when is this deadline in business time?" is asked for every
/// lead and every SLA in a simulation, so all the zone arithmetic is done once, up front.
///
/// Cloning is cheap: the tables are shared.
#[derive(Clone)]
pub struct BusinessCalendar {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    AlwaysOpen,
    Hours(Arc<Hours>),
}

impl fmt::Debug for BusinessCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::AlwaysOpen => f.write_str("BusinessCalendar(always open)"),
            Kind::Hours(hours) => f
                .debug_struct("BusinessCalendar")
                .field("name", &hours.name)
                .field("timezone", &hours.tz.name())
                .field("precomputed_intervals", &hours.table.starts.len())
                .finish(),
        }
    }
}

/// Everything needed to compute any local day, plus the precomputed table.
struct Hours {
    name: String,
    tz: Tz,
    /// The working windows of each weekday.
    week: Week,
    /// Sorted, deduplicated day numbers of holidays.
    holidays: Vec<i32>,
    table: Table,
}

/// UTC open intervals of every business day from 2000-01-01 to 2100-12-31, as parallel arrays so
/// binary searches touch as little memory as possible.
struct Table {
    /// The instant local 2000-01-01 00:00 begins; every interval lies in `[lo, hi]`.
    lo: Timestamp,
    /// The instant local 2101-01-01 00:00 begins.
    hi: Timestamp,
    starts: Vec<Timestamp>,
    ends: Vec<Timestamp>,
    /// `cum[i]` = working seconds in the intervals before interval `i`; one longer than `starts`.
    cum: Vec<i64>,
    /// Business-day ordinal of each interval.
    ord: Vec<u32>,
    /// Index of the first interval of each business day, plus a final `starts.len()`.
    day_first: Vec<u32>,
    /// Day number of each business day.
    day_date: Vec<i32>,
    /// UTC day number of `lo`.
    first_utc_day: i64,
    /// For each UTC day from `first_utc_day`, the first interval ending after the day begins, so
    /// that finding an instant's interval searches one day's few intervals instead of a century
    /// of them (a search through 200 KB of ends cost a cache miss per step).
    by_utc_day: Vec<u32>,
}

/// The business day an interval belongs to: in the table by ordinal, or computed on the fly.
enum Day {
    Table(usize),
    Slow(i32, Vec<(Timestamp, Timestamp)>),
}

/// The first open interval ending after some instant.
struct Hit {
    start: Timestamp,
    day: Day,
}

impl BusinessCalendar {
    /// Compiles a checked `calendar` block; errors are reported by the checker against the block.
    pub fn new(spec: &CalendarSpec) -> Result<BusinessCalendar, CalendarError> {
        let (tz, week) = spec.compile_week()?;
        let mut holidays: Vec<i32> = spec
            .holidays
            .iter()
            .map(|d| d.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE)
            .collect();
        holidays.sort_unstable();
        holidays.dedup();
        let mut hours = Hours {
            name: spec.name.clone(),
            tz,
            week,
            holidays,
            table: Table::empty(),
        };
        hours.table = hours.build_table();
        Ok(BusinessCalendar {
            kind: Kind::Hours(Arc::new(hours)),
        })
    }

    /// For staff who work around the clock: business time is wall time, with no zone and no
    /// holidays; a "business day" is a UTC calendar day.
    pub fn always_open() -> BusinessCalendar {
        BusinessCalendar {
            kind: Kind::AlwaysOpen,
        }
    }

    /// Whether work happens at `t`; windows include their opening instant and exclude their close.
    pub fn is_open(&self, t: Timestamp) -> bool {
        match &self.kind {
            Kind::AlwaysOpen => true,
            Kind::Hours(h) => h.locate(t).is_some_and(|hit| hit.start <= t),
        }
    }

    /// The earliest instant at or after `t` when work happens, e.g. when a lead that arrived at
    /// night is first seen. Returns `Timestamp::MAX` if none can be found (see the module notes).
    pub fn next_open(&self, t: Timestamp) -> Timestamp {
        match &self.kind {
            Kind::AlwaysOpen => t,
            Kind::Hours(h) => h.locate(t).map_or(Timestamp::MAX, |hit| hit.start.max(t)),
        }
    }

    /// The deadline `secs` working seconds after `t` (`1bh` = 3600): only open time counts, and a
    /// clock started outside hours starts at the next opening.
    ///
    /// `secs <= 0` returns `next_open(t)` (so `t` itself when open). A positive amount that is used
    /// up exactly at a closing time returns that closing instant, not the next opening, so the
    /// result is always open or a close boundary and
    /// `business_seconds_between(t, result) == secs`. Returns `Timestamp::MAX` when the deadline
    /// lies beyond what can be computed (more than [`SCAN_CAP_DAYS`] days outside 2000–2100).
    pub fn add_business_seconds(&self, t: Timestamp, secs: i64) -> Timestamp {
        match &self.kind {
            Kind::AlwaysOpen => t.saturating_add(secs.max(0)),
            Kind::Hours(h) if secs <= 0 => {
                h.locate(t).map_or(Timestamp::MAX, |hit| hit.start.max(t))
            }
            Kind::Hours(h) => h.add_seconds(t, secs),
        }
    }

    /// The deadline for `1bd`-style SLAs: the same local wall-clock time `days` business days later.
    ///
    /// A business day is a local date with working time that is not a holiday. A `t` outside hours
    /// is first moved to `next_open(t)`. When that wall-clock time is not within the target day's
    /// hours, the result is clamped: to the target day's last close if it is later than that, and
    /// otherwise to the next opening on that day (the first opening, or the end of a split-shift
    /// break). A time that does not exist on the target day (daylight-saving gap) maps to the end
    /// of the gap; an ambiguous one to its earlier instant. `days == 0` returns `next_open(t)`.
    /// Returns `Timestamp::MAX` when the target day cannot be computed.
    pub fn add_business_days(&self, t: Timestamp, days: u32) -> Timestamp {
        match &self.kind {
            Kind::AlwaysOpen => t.saturating_add(i64::from(days) * SECONDS_PER_DAY),
            Kind::Hours(h) => h.add_days(t, days).unwrap_or(Timestamp::MAX),
        }
    }

    /// The deadline for `sla same day`: the last close of the business day containing `t`, or of
    /// the business day on which `next_open(t)` falls when `t` is outside hours (which is the same
    /// day during a break or before the first opening). For an always-open calendar this is the
    /// next UTC midnight. Returns `Timestamp::MAX` when no business day can be found.
    pub fn end_of_business_day(&self, t: Timestamp) -> Timestamp {
        match &self.kind {
            Kind::AlwaysOpen => t
                .div_euclid(SECONDS_PER_DAY)
                .saturating_add(1)
                .saturating_mul(SECONDS_PER_DAY),
            Kind::Hours(h) => h
                .locate(t)
                .and_then(|hit| h.day_close(&hit.day))
                .unwrap_or(Timestamp::MAX),
        }
    }

    /// Working seconds in `[a, b)`, 0 when `b <= a`, so SLA performance can be reported in the
    /// business time the SLA was written in. Outside 2000–2100 at most [`SCAN_CAP_DAYS`] days on
    /// each side are counted, so the result is then a lower bound.
    pub fn business_seconds_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        if b <= a {
            return 0;
        }
        match &self.kind {
            Kind::AlwaysOpen => b.saturating_sub(a),
            Kind::Hours(h) => h.seconds_between(a, b),
        }
    }
}

impl Hours {
    /// Local date of `t` as a day number; `None` beyond chrono's range (about ±262,000 years).
    fn local_day(&self, t: Timestamp) -> Option<i32> {
        let local = DateTime::from_timestamp(t, 0)?.with_timezone(&self.tz);
        Some(local.date_naive().num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE)
    }

    /// Local wall-clock seconds after midnight at `t`.
    fn local_second_of_day(&self, t: Timestamp) -> Option<i64> {
        let local = DateTime::from_timestamp(t, 0)?.with_timezone(&self.tz);
        Some(i64::from(local.num_seconds_from_midnight()))
    }

    /// The instant of local wall-clock `sec` seconds after the midnight starting day `day`
    /// (`sec` may be 86400, meaning the next midnight). Gaps map to their end, ambiguous times to
    /// their earlier instant, which keeps the mapping monotonic.
    fn map_local(&self, day: i32, sec: i64) -> Option<Timestamp> {
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
    fn day_intervals(&self, day: i32) -> Vec<(Timestamp, Timestamp)> {
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

    fn build_table(&self) -> Table {
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

    /// Business days computed on the fly, from `from` up to (excluding) `until`.
    fn slow_days(&self, from: i32, until: i32) -> SlowDays<'_> {
        SlowDays {
            hours: self,
            day: from,
            until,
            budget: SCAN_CAP_DAYS,
        }
    }

    /// On-the-fly business days before the table whose intervals may end after `t`.
    fn days_before_table(&self, t: Timestamp) -> SlowDays<'_> {
        match self.local_day(t) {
            Some(day) => self.slow_days(day - 1, TABLE_FIRST_DAY),
            None => SlowDays::failed(self),
        }
    }

    /// On-the-fly business days after the table whose intervals may end after `t`.
    fn days_after_table(&self, t: Timestamp) -> SlowDays<'_> {
        match self.local_day(t) {
            Some(day) => self.slow_days((day - 1).max(TABLE_LAST_DAY + 1), i32::MAX),
            None => SlowDays::failed(self),
        }
    }

    /// The first open interval ending after `t`, with its business day.
    fn locate(&self, t: Timestamp) -> Option<Hit> {
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

    fn add_seconds(&self, t: Timestamp, secs: i64) -> Timestamp {
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

    fn add_days(&self, t: Timestamp, n: u32) -> Option<Timestamp> {
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
    fn day_close(&self, day: &Day) -> Option<Timestamp> {
        match day {
            Day::Table(k) => self.table.day_intervals(*k).next_back().map(|iv| iv.1),
            Day::Slow(_, ivs) => ivs.last().map(|iv| iv.1),
        }
    }

    fn seconds_between(&self, a: Timestamp, b: Timestamp) -> i64 {
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

impl Table {
    fn empty() -> Table {
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
    fn first_ending_after(&self, t: Timestamp) -> usize {
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
    fn cum_at(&self, t: Timestamp) -> i64 {
        let i = self.first_ending_after(t);
        let before = self.cum.get(i).copied().unwrap_or(0);
        match self.starts.get(i) {
            Some(&s) if s < t => before + (t - s),
            _ => before,
        }
    }

    /// Intervals of the business day with ordinal `k`.
    fn day_intervals(
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

/// Iterates business days computed on the fly, at most [`SCAN_CAP_DAYS`] days in all.
struct SlowDays<'a> {
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
    fn ran_out(&self) -> bool {
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
fn consume(days: &mut SlowDays<'_>, t: Timestamp, left: &mut i64) -> Option<Timestamp> {
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
fn overlap(days: SlowDays<'_>, a: Timestamp, b: Timestamp) -> i64 {
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

/// Sorts local windows and merges overlapping or touching ones.
fn merge(mut windows: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    windows.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(windows.len());
    for (open, close) in windows {
        match out.last_mut() {
            Some(last) if last.1 >= open => last.1 = last.1.max(close),
            _ => out.push((open, close)),
        }
    }
    out
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

/// Holidays as ISO `YYYY-MM-DD` strings; chrono's own serde support is not enabled in this build.
mod iso_dates {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(dates: &[NaiveDate], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(dates.iter().map(ToString::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<NaiveDate>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .iter()
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use std::sync::LazyLock;

    use proptest::prelude::*;

    use super::*;

    const H: i64 = 3600;

    fn hours(weekday: u8, open: &str, close: &str) -> WorkingHours {
        let minutes = |s: &str| {
            let (h, m) = s.split_once(':').unwrap();
            h.parse::<u16>().unwrap() * 60 + m.parse::<u16>().unwrap()
        };
        WorkingHours {
            weekday,
            open_minute: minutes(open),
            close_minute: minutes(close),
        }
    }

    fn spec(tz: &str, hours: Vec<WorkingHours>, holidays: &[&str]) -> CalendarSpec {
        CalendarSpec {
            name: "test".to_owned(),
            timezone: tz.to_owned(),
            hours,
            holidays: holidays.iter().map(|d| d.parse().unwrap()).collect(),
        }
    }

    fn calendar(tz: &str, hours: Vec<WorkingHours>, holidays: &[&str]) -> BusinessCalendar {
        BusinessCalendar::new(&spec(tz, hours, holidays)).unwrap()
    }

    fn weekdays(open: &str, close: &str) -> Vec<WorkingHours> {
        (0..5).map(|d| hours(d, open, close)).collect()
    }

    /// Mon-Fri 09:00-17:30 in London, closed on 2026-12-25 and 2026-12-28.
    static LONDON: LazyLock<BusinessCalendar> = LazyLock::new(|| {
        calendar(
            "Europe/London",
            weekdays("09:00", "17:30"),
            &["2026-12-25", "2026-12-28"],
        )
    });

    /// An unambiguous local wall-clock time in `tz` as a timestamp.
    fn at(tz: &str, local: &str) -> Timestamp {
        let tz: Tz = tz.parse().unwrap();
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
        tz.from_local_datetime(&naive).single().unwrap().timestamp()
    }

    fn ldn(local: &str) -> Timestamp {
        at("Europe/London", local)
    }

    fn utc(local: &str) -> Timestamp {
        at("UTC", local)
    }

    #[test]
    fn table_bounds_are_the_documented_dates() {
        let day =
            |s: &str| s.parse::<NaiveDate>().unwrap().num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE;
        assert_eq!(TABLE_FIRST_DAY, day("2000-01-01"));
        assert_eq!(TABLE_LAST_DAY, day("2100-12-31"));
    }

    #[test]
    fn precomputed_days_match_days_computed_on_the_fly() {
        let Kind::Hours(h) = &LONDON.kind else {
            unreachable!()
        };
        let table = &h.table;
        let mut k = 0;
        for day in TABLE_FIRST_DAY..=TABLE_LAST_DAY {
            let fly = h.day_intervals(day);
            if fly.is_empty() {
                continue;
            }
            assert_eq!(table.day_date[k], day);
            assert_eq!(table.day_intervals(k).collect::<Vec<_>>(), fly);
            k += 1;
        }
        assert_eq!(k, table.day_date.len());
    }

    #[test]
    fn open_is_inclusive_and_close_exclusive() {
        let cal = &*LONDON;
        assert!(!cal.is_open(ldn("2026-06-01 09:00") - 1));
        assert!(cal.is_open(ldn("2026-06-01 09:00")));
        assert!(cal.is_open(ldn("2026-06-01 17:30") - 1));
        assert!(!cal.is_open(ldn("2026-06-01 17:30")));
        assert!(!cal.is_open(ldn("2026-06-06 12:00")), "saturday");
        assert!(!cal.is_open(ldn("2026-12-25 12:00")), "holiday");
    }

    #[test]
    fn next_open_skips_nights_weekends_and_holidays() {
        let cal = &*LONDON;
        let t = ldn("2026-06-01 10:00");
        assert_eq!(cal.next_open(t), t);
        assert_eq!(
            cal.next_open(ldn("2026-06-01 17:30")),
            ldn("2026-06-02 09:00")
        );
        assert_eq!(
            cal.next_open(ldn("2026-06-05 20:00")),
            ldn("2026-06-08 09:00")
        );
        assert_eq!(
            cal.next_open(ldn("2026-12-24 18:00")),
            ldn("2026-12-29 09:00")
        );
    }

    #[test]
    fn add_business_seconds_across_evenings_weekends_and_holidays() {
        let cal = &*LONDON;
        assert_eq!(
            cal.add_business_seconds(ldn("2026-06-01 16:30"), 2 * H),
            ldn("2026-06-02 10:00")
        );
        assert_eq!(
            cal.add_business_seconds(ldn("2026-06-05 17:00"), H),
            ldn("2026-06-08 09:30")
        );
        assert_eq!(
            cal.add_business_seconds(ldn("2026-06-06 12:00"), H),
            ldn("2026-06-08 10:00")
        );
        assert_eq!(
            cal.add_business_seconds(ldn("2026-12-24 17:00"), H),
            ldn("2026-12-29 09:30")
        );
        assert_eq!(
            cal.add_business_seconds(ldn("2026-12-26 10:00"), 0),
            ldn("2026-12-29 09:00")
        );
        // A whole working week is 42.5 hours.
        assert_eq!(
            cal.add_business_seconds(ldn("2026-06-01 09:00"), 85 * H / 2),
            ldn("2026-06-05 17:30")
        );
    }

    #[test]
    fn add_business_seconds_ending_at_close_stays_at_close() {
        let cal = &*LONDON;
        assert_eq!(
            cal.add_business_seconds(ldn("2026-06-01 17:00"), H / 2),
            ldn("2026-06-01 17:30")
        );
        assert_eq!(
            cal.add_business_seconds(ldn("2026-06-01 17:00"), H / 2 + 1),
            ldn("2026-06-02 09:00") + 1
        );
    }

    #[test]
    fn zero_or_negative_seconds_mean_next_open() {
        let cal = &*LONDON;
        let open = ldn("2026-06-01 10:00");
        assert_eq!(cal.add_business_seconds(open, 0), open);
        assert_eq!(cal.add_business_seconds(open, -5), open);
        assert_eq!(
            cal.add_business_seconds(ldn("2026-06-01 20:00"), 0),
            ldn("2026-06-02 09:00")
        );
    }

    #[test]
    fn business_seconds_between_inverts_add() {
        let cal = &*LONDON;
        assert_eq!(
            cal.business_seconds_between(ldn("2026-06-05 17:00"), ldn("2026-06-08 09:30")),
            H
        );
        assert_eq!(
            cal.business_seconds_between(ldn("2026-06-01 12:00"), ldn("2026-06-01 11:00")),
            0
        );
        assert_eq!(
            cal.business_seconds_between(ldn("2026-06-06 00:00"), ldn("2026-06-08 00:00")),
            0
        );
        assert_eq!(
            cal.business_seconds_between(ldn("2026-12-24 00:00"), ldn("2026-12-30 00:00")),
            17 * H
        );
        let t = ldn("2026-12-23 11:11");
        for secs in [1, H, 8 * H, 40 * H, 1000 * H] {
            assert_eq!(
                cal.business_seconds_between(t, cal.add_business_seconds(t, secs)),
                secs
            );
        }
    }

    #[test]
    fn add_business_days_keeps_wall_clock_time() {
        let cal = &*LONDON;
        assert_eq!(
            cal.add_business_days(ldn("2026-06-05 15:00"), 1),
            ldn("2026-06-08 15:00")
        );
        assert_eq!(
            cal.add_business_days(ldn("2026-06-05 15:00"), 5),
            ldn("2026-06-12 15:00")
        );
        assert_eq!(
            cal.add_business_days(ldn("2026-12-24 10:00"), 1),
            ldn("2026-12-29 10:00")
        );
        // From a Saturday the clock starts at Monday's opening.
        assert_eq!(
            cal.add_business_days(ldn("2026-06-06 12:00"), 1),
            ldn("2026-06-09 09:00")
        );
        assert_eq!(
            cal.add_business_days(ldn("2026-06-06 12:00"), 0),
            ldn("2026-06-08 09:00")
        );
    }

    #[test]
    fn add_business_days_clamps_to_the_target_day() {
        let mut h = (0..4)
            .map(|d| hours(d, "09:00", "17:30"))
            .collect::<Vec<_>>();
        h.push(hours(4, "09:00", "13:00"));
        let cal = calendar("Europe/London", h, &[]);
        assert_eq!(
            cal.add_business_days(ldn("2026-06-04 15:00"), 1),
            ldn("2026-06-05 13:00")
        );
        assert_eq!(
            cal.add_business_days(ldn("2026-06-04 12:59"), 1),
            ldn("2026-06-05 12:59")
        );

        let cal = calendar(
            "Europe/London",
            vec![
                hours(0, "07:00", "15:00"),
                hours(1, "09:00", "12:00"),
                hours(1, "13:00", "17:00"),
            ],
            &[],
        );
        assert_eq!(
            cal.add_business_days(ldn("2026-06-01 08:00"), 1),
            ldn("2026-06-02 09:00")
        );
        assert_eq!(
            cal.add_business_days(ldn("2026-06-01 12:30"), 1),
            ldn("2026-06-02 13:00")
        );
        assert_eq!(
            cal.add_business_days(ldn("2026-06-01 14:00"), 1),
            ldn("2026-06-02 14:00")
        );
        assert_eq!(
            cal.add_business_days(ldn("2026-06-01 14:00"), 2),
            ldn("2026-06-08 14:00")
        );
    }

    #[test]
    fn end_of_business_day_in_and_out_of_hours() {
        let cal = &*LONDON;
        assert_eq!(
            cal.end_of_business_day(ldn("2026-06-01 10:00")),
            ldn("2026-06-01 17:30")
        );
        assert_eq!(
            cal.end_of_business_day(ldn("2026-06-01 07:00")),
            ldn("2026-06-01 17:30")
        );
        assert_eq!(
            cal.end_of_business_day(ldn("2026-06-01 17:30")),
            ldn("2026-06-02 17:30")
        );
        assert_eq!(
            cal.end_of_business_day(ldn("2026-06-05 18:00")),
            ldn("2026-06-08 17:30")
        );
        assert_eq!(
            cal.end_of_business_day(ldn("2026-12-24 18:00")),
            ldn("2026-12-29 17:30")
        );

        let split = calendar(
            "Europe/London",
            vec![hours(1, "13:00", "17:00"), hours(1, "09:00", "12:00")],
            &[],
        );
        assert_eq!(
            split.end_of_business_day(ldn("2026-06-02 09:30")),
            ldn("2026-06-02 17:00")
        );
        assert_eq!(
            split.end_of_business_day(ldn("2026-06-02 12:30")),
            ldn("2026-06-02 17:00")
        );
    }

    #[test]
    fn split_and_overlapping_windows_merge() {
        let cal = calendar(
            "Europe/London",
            vec![
                hours(0, "09:00", "12:00"),
                hours(0, "11:00", "13:00"),
                hours(0, "13:00", "14:00"),
                hours(0, "15:00", "16:00"),
            ],
            &[],
        );
        assert_eq!(
            cal.business_seconds_between(ldn("2026-06-01 00:00"), ldn("2026-06-02 00:00")),
            6 * H
        );
        assert!(cal.is_open(ldn("2026-06-01 13:00")));
        assert!(!cal.is_open(ldn("2026-06-01 14:30")));
        assert_eq!(
            cal.add_business_seconds(ldn("2026-06-01 13:30"), H),
            ldn("2026-06-01 15:30")
        );
    }

    #[test]
    fn weekday_hours_are_local_across_london_clock_changes() {
        let cal = &*LONDON;
        // Spring forward on Sunday 2026-03-29: Monday opens at 08:00 UTC.
        assert_eq!(
            cal.add_business_seconds(ldn("2026-03-27 17:00"), H),
            utc("2026-03-30 08:30")
        );
        assert_eq!(
            cal.next_open(utc("2026-03-28 00:00")),
            utc("2026-03-30 08:00")
        );
        assert_eq!(
            cal.add_business_days(ldn("2026-03-27 15:00"), 1),
            utc("2026-03-30 14:00")
        );
        // Fall back on Sunday 2026-10-25: Friday closes at 16:30 UTC, Monday opens at 09:00 UTC.
        assert_eq!(
            cal.add_business_seconds(ldn("2026-10-23 17:00"), H),
            utc("2026-10-26 09:30")
        );
        assert_eq!(
            cal.end_of_business_day(ldn("2026-10-23 10:00")),
            utc("2026-10-23 16:30")
        );
        assert_eq!(
            cal.business_seconds_between(ldn("2026-10-23 12:00"), ldn("2026-10-26 12:00")),
            17 * H / 2
        );
    }

    /// Hours 00:00-04:00 on Sundays span the 01:00 UTC clock change in London (3 or 5 real hours)
    /// and the 02:00 local change in New York.
    #[test]
    fn a_window_spanning_the_clock_change_has_its_real_length() {
        for (tz, spring, fall, normal) in [
            ("Europe/London", "2026-03-29", "2026-10-25", "2026-06-07"),
            ("America/New_York", "2026-03-08", "2026-11-01", "2026-06-07"),
        ] {
            let cal = calendar(tz, vec![hours(6, "00:00", "04:00")], &[]);
            let sunday = |date: &str| {
                let start = at(tz, &format!("{date} 00:00"));
                cal.business_seconds_between(start - 86_400, start + 2 * 86_400)
            };
            assert_eq!(sunday(spring), 3 * H, "{tz} {spring}");
            assert_eq!(sunday(fall), 5 * H, "{tz} {fall}");
            assert_eq!(sunday(normal), 4 * H, "{tz} {normal}");
            let open = at(tz, &format!("{fall} 00:00"));
            assert_eq!(cal.add_business_seconds(open, 5 * H), open + 5 * H);
            assert_eq!(cal.end_of_business_day(open), open + 5 * H);
        }
        // In London the second 01:30 of 2026-10-25 is still within the window.
        let cal = calendar("Europe/London", vec![hours(6, "00:00", "04:00")], &[]);
        assert!(cal.is_open(utc("2026-10-25 01:30")));
        assert!(cal.is_open(utc("2026-10-25 03:59")));
        assert!(!cal.is_open(utc("2026-10-25 04:00")));
        assert_eq!(
            cal.end_of_business_day(utc("2026-03-28 12:00")),
            utc("2026-03-29 03:00")
        );
    }

    #[test]
    fn nonexistent_local_times_map_to_the_end_of_the_gap() {
        // 02:30 does not exist in New York on 2026-03-08; the gap ends at 03:00 EDT = 07:00 UTC.
        let cal = calendar("America/New_York", vec![hours(6, "02:30", "05:00")], &[]);
        assert_eq!(
            cal.next_open(utc("2026-03-07 12:00")),
            utc("2026-03-08 07:00")
        );
        assert_eq!(
            cal.end_of_business_day(utc("2026-03-07 12:00")),
            utc("2026-03-08 09:00")
        );
        // A window entirely inside the gap has no working time that day.
        let cal = calendar(
            "America/New_York",
            vec![hours(6, "02:00", "02:45"), hours(0, "09:00", "10:00")],
            &[],
        );
        assert_eq!(
            cal.next_open(utc("2026-03-07 12:00")),
            at("America/New_York", "2026-03-09 09:00")
        );
        // `1bd` landing in the gap: the same wall-clock time does not exist on the target day.
        let cal = calendar(
            "America/New_York",
            vec![hours(5, "00:00", "23:00"), hours(6, "00:00", "23:00")],
            &[],
        );
        let saturday = at("America/New_York", "2026-03-07 02:30");
        assert_eq!(cal.add_business_days(saturday, 1), utc("2026-03-08 07:00"));
    }

    #[test]
    fn ambiguous_local_times_use_the_earlier_instant() {
        // 01:30 happens twice in New York on 2026-11-01; the window opens at 01:30 EDT = 05:30 UTC
        // and closes at 03:00 EST = 08:00 UTC.
        let cal = calendar("America/New_York", vec![hours(6, "01:30", "03:00")], &[]);
        assert_eq!(
            cal.next_open(utc("2026-10-31 12:00")),
            utc("2026-11-01 05:30")
        );
        assert_eq!(
            cal.end_of_business_day(utc("2026-10-31 12:00")),
            utc("2026-11-01 08:00")
        );
        assert_eq!(
            cal.business_seconds_between(utc("2026-10-31 12:00"), utc("2026-11-02 00:00")),
            5 * H / 2
        );
    }

    #[test]
    fn always_open_is_wall_time() {
        let cal = BusinessCalendar::always_open();
        let t = utc("2026-06-06 12:34");
        assert!(cal.is_open(t));
        assert_eq!(cal.next_open(t), t);
        assert_eq!(cal.add_business_seconds(t, 10 * H), t + 10 * H);
        assert_eq!(cal.add_business_seconds(t, -1), t);
        assert_eq!(cal.add_business_days(t, 2), utc("2026-06-08 12:34"));
        assert_eq!(cal.end_of_business_day(t), utc("2026-06-07 00:00"));
        assert_eq!(cal.business_seconds_between(t, t + 99), 99);
        assert_eq!(cal.add_business_seconds(i64::MAX - 1, 10), i64::MAX);
    }

    #[test]
    fn invalid_specs_are_reported() {
        let err = |s: CalendarSpec| {
            let e = BusinessCalendar::new(&s).unwrap_err();
            assert_eq!(s.validate(), Err(e.clone()));
            e
        };
        let e = err(spec("Mars/Olympus", weekdays("09:00", "17:00"), &[]));
        assert_eq!(e, CalendarError::UnknownTimezone("Mars/Olympus".to_owned()));
        assert_eq!(e.to_string(), "unknown time zone `Mars/Olympus`");
        let e = err(spec("UTC", vec![hours(2, "10:00", "10:00")], &[]));
        assert_eq!(e, CalendarError::EmptyHours(2));
        assert_eq!(
            e.to_string(),
            "working hours on Wednesday close at or before they open"
        );
        let e = err(spec("UTC", vec![hours(9, "10:00", "11:00")], &[]));
        assert_eq!(e, CalendarError::EmptyHours(9));
        assert_eq!(
            e.to_string(),
            "working hours name weekday `9`, which does not exist"
        );
        let e = err(spec("UTC", vec![], &[]));
        assert_eq!(e, CalendarError::NoWorkingHours);
        assert_eq!(e.to_string(), "calendar has no working hours on any day");
    }

    #[test]
    fn weekly_open_seconds_merge_overlapping_windows_and_ignore_holidays() {
        let mut split = weekdays("09:00", "17:30");
        split.push(hours(0, "17:00", "19:00"));
        let s = spec("Europe/London", split, &["2026-12-25"]);
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(s.weekly_open_secs(), Ok(5 * 30_600 + 5_400));
        let cal =
            BusinessCalendar::new(&spec("Europe/London", weekdays("09:00", "17:30"), &[])).unwrap();
        let monday = utc("2026-01-05 00:00");
        assert_eq!(
            cal.business_seconds_between(monday, monday + 7 * 86_400),
            5 * 30_600
        );
    }

    #[test]
    fn spec_round_trips_through_json_with_iso_dates() {
        let s = spec(
            "Europe/London",
            vec![hours(0, "09:00", "17:30")],
            &["2026-12-25"],
        );
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#""holidays":["2026-12-25"]"#), "{json}");
        assert_eq!(serde_json::from_str::<CalendarSpec>(&json).unwrap(), s);
    }

    #[test]
    fn outside_the_table_answers_continue_seamlessly() {
        let cal = &*LONDON;
        // 2100-12-31 is a Friday; 2101-01-03 is a Monday, computed on the fly.
        assert_eq!(
            cal.add_business_seconds(utc("2100-12-31 17:00"), H),
            utc("2101-01-03 09:30")
        );
        assert_eq!(
            cal.add_business_days(utc("2100-12-31 10:00"), 1),
            utc("2101-01-03 10:00")
        );
        assert_eq!(
            cal.end_of_business_day(utc("2100-12-31 18:00")),
            utc("2101-01-03 17:30")
        );
        // 1999-12-31 is a Friday, 2000-01-03 the first Monday of the table.
        assert_eq!(
            cal.add_business_seconds(utc("1999-12-31 17:00"), H),
            utc("2000-01-03 09:30")
        );
        assert_eq!(
            cal.add_business_days(utc("1999-12-30 10:00"), 2),
            utc("2000-01-03 10:00")
        );
        assert!(cal.is_open(utc("1985-07-01 12:00")));
        assert_eq!(
            cal.business_seconds_between(utc("1999-12-31 12:00"), utc("2000-01-03 12:00")),
            17 * H / 2
        );
    }

    #[test]
    fn extreme_inputs_saturate_without_panicking() {
        let cal = &*LONDON;
        let t = ldn("2026-06-01 10:00");
        assert_eq!(cal.add_business_seconds(t, i64::MAX), i64::MAX);
        assert_eq!(cal.add_business_days(t, u32::MAX), i64::MAX);
        assert_eq!(cal.next_open(i64::MAX), i64::MAX);
        assert_eq!(cal.next_open(i64::MIN), i64::MAX);
        assert!(!cal.is_open(i64::MIN));
        assert_eq!(cal.end_of_business_day(i64::MAX), i64::MAX);
        assert!(cal.business_seconds_between(i64::MIN, i64::MAX) > 0);
        assert_eq!(
            cal.add_business_seconds(utc("1900-01-01 00:00"), 1_000_000 * H),
            i64::MAX
        );
    }

    /// New York, every day 00:00-04:00 (spanning the clock changes) and 10:00-12:00, 13:00-20:00
    /// on weekdays, with a holiday: exercises split shifts, gaps and overlaps in the property test.
    static NEW_YORK: LazyLock<BusinessCalendar> = LazyLock::new(|| {
        let mut h: Vec<WorkingHours> = (0..7).map(|d| hours(d, "00:00", "04:00")).collect();
        h.extend((0..5).flat_map(|d| [hours(d, "10:00", "12:00"), hours(d, "13:00", "20:00")]));
        calendar("America/New_York", h, &["2026-07-03"])
    });

    /// The precomputed table of a calendar with hours.
    fn table_of(cal: &BusinessCalendar) -> &Table {
        match &cal.kind {
            Kind::Hours(h) => &h.table,
            Kind::AlwaysOpen => unreachable!("the test calendars have hours"),
        }
    }

    proptest! {
        #[test]
        fn add_and_between_are_inverse_and_monotonic(
            which in 0..2usize,
            t in utc("1995-01-01 00:00")..utc("2106-01-01 00:00"),
            a in 0..10_000_000i64,
            b in 0..10_000_000i64,
        ) {
            let cal = if which == 0 { &*LONDON } else { &*NEW_YORK };
            let r = cal.add_business_seconds(t, a);
            prop_assert_eq!(cal.business_seconds_between(t, r), a);
            prop_assert!(cal.is_open(r) || cal.is_open(r - 1), "{} is neither open nor a close", r);
            prop_assert!(r >= t);
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(cal.add_business_seconds(t, lo) <= cal.add_business_seconds(t, hi));
        }

        /// The day index finds the interval a search through every interval finds, across the
        /// table, its edges and daylight-saving days.
        #[test]
        fn the_day_index_agrees_with_a_full_search(
            which in 0..2usize,
            t in utc("1999-12-30 00:00")..utc("2101-01-02 00:00"),
        ) {
            let table = table_of(if which == 0 { &LONDON } else { &NEW_YORK });
            prop_assert_eq!(
                table.first_ending_after(t),
                table.ends.partition_point(|&e| e <= t)
            );
        }
    }

    #[test]
    fn the_day_index_agrees_at_every_interval_edge() {
        for cal in [&*LONDON, &*NEW_YORK] {
            let table = table_of(cal);
            for &edge in table.starts.iter().chain(&table.ends).step_by(7) {
                for t in [edge - 1, edge, edge + 1] {
                    assert_eq!(
                        table.first_ending_after(t),
                        table.ends.partition_point(|&e| e <= t),
                        "at {t}"
                    );
                }
            }
        }
    }
}
