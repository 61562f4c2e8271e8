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
//!
//! The calendar as written (`spec`), the instant type (`timestamp`), local time (`local`), the
//! precomputed table (`table`), the day-by-day scan beyond it (`scan`) and the queries that
//! combine them (`hours`) each have a module; [`BusinessCalendar`] here is what the engine and the
//! simulator call.

mod hours;
mod local;
mod scan;
mod spec;
mod table;
#[cfg(test)]
mod tests;
mod timestamp;

use std::fmt;
use std::sync::Arc;

use chrono::Datelike;

use hours::Hours;
use table::Table;
use timestamp::{SECONDS_PER_DAY, UNIX_EPOCH_DAYS_FROM_CE};

pub use scan::SCAN_CAP_DAYS;
pub use spec::{iso_dates, CalendarError, CalendarSpec, WorkingHours};
pub use timestamp::Timestamp;

/// A compiled calendar: the question "when is this deadline in business time?" is asked for every
/// lead and every SLA in a simulation, so all the zone arithmetic is done once, up front.
///
/// Cloning is cheap: the tables are shared.
#[derive(Clone)]
pub struct BusinessCalendar {
    kind: Kind,
}

/// Around the clock needs no table; a calendar with hours shares its compiled one.
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
