//! The one representation of an instant shared by every stage, and the constants that turn
//! instants and dates into day numbers.

/// Seconds since the Unix epoch, UTC: the one clock the engine, the simulator and reports share,
/// so no stage ever has to ask which zone an instant is in.
pub type Timestamp = i64;

/// Seconds in a UTC day; local days may be an hour shorter or longer.
pub(super) const SECONDS_PER_DAY: i64 = 86_400;
/// `NaiveDate::num_days_from_ce` of 1970-01-01: converts between chrono dates and day numbers.
pub(super) const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;
