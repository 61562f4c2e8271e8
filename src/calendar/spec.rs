//! The calendar as the playbook states it (zone, weekly hours, holidays), and its validation
//! into merged weekly windows.

use std::fmt;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

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
    pub(super) fn compile_week(&self) -> Result<(Tz, Week), CalendarError> {
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
pub(super) type Week = [Vec<(i64, i64)>; 7];

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

/// Holidays as ISO `YYYY-MM-DD` strings, written out here so the IR's JSON does not depend on
/// chrono's serde format.
pub mod iso_dates {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes each date as `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(dates: &[NaiveDate], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(dates.iter().map(ToString::to_string))
    }

    /// Reads dates written as `YYYY-MM-DD`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<NaiveDate>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .iter()
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .collect()
    }
}
