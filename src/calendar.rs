//! Business calendars (spec types; arithmetic lands with the calendar branch).

use serde::{Deserialize, Serialize};

/// Seconds since the Unix epoch, UTC: the one clock type of the engine.
pub type Timestamp = i64;

/// Serde-serializable description, produced by the playbook checker from a `calendar` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarSpec {
    /// Calendar name.
    pub name: String,
    /// IANA time zone.
    pub timezone: String,
    /// Working hours.
    pub hours: Vec<WorkingHours>,
    /// Local dates with no working hours.
    pub holidays: Vec<chrono::NaiveDate>,
}

/// One working window of a weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    /// 0 = Monday .. 6 = Sunday.
    pub weekday: u8,
    /// Minutes after local midnight.
    pub open_minute: u16,
    /// Minutes after local midnight, after `open_minute`.
    pub close_minute: u16,
}
