//! What the engine and the simulator can represent, in one place.
//!
//! The checker holds the values written in a playbook to these limits, and `sweep` holds a
//! `--set` value to the same ones, so a value is accepted or refused the same way (with the same
//! words) whether it is written in the text or swept from the command line.

/// Largest count a playbook may give (sellers, capacity, breaches, attempts, touches, days).
pub const MAX_COUNT: u32 = 1_000_000;

/// Longest duration in seconds, about a century: every time the engine schedules stays within
/// the simulator's 32-bit clock and far from the calendar's arithmetic limits.
pub const MAX_DURATION_SECS: f64 = 3.2e9;

/// Most signals one profile line may emit per second on average. The engine's clock counts
/// whole seconds, and a lead emitting more than one signal a second is a mistake in the
/// scenario, not behaviour to predict.
pub const MAX_SIGNAL_RATE_PER_SEC: f64 = 1.0;

/// Most arrivals one source may bring per second (3.6 million an hour).
pub const MAX_ARRIVAL_RATE_PER_SEC: f64 = 1000.0;

/// Least rate: once in the longest duration. A smaller rate is indistinguishable from never
/// over any horizon the simulator can run, and its reciprocal may not even be finite.
pub const MIN_RATE_PER_SEC: f64 = 1.0 / MAX_DURATION_SECS;

/// Why a value is out of range, in the checker's words: the message of the finding and the
/// label under the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfRange {
    /// The finding's message, e.g. "a seller count must be at most 1000000".
    pub message: String,
    /// The label at the value, e.g. "`0` is not allowed here".
    pub label: String,
}

fn out_of_range<T>(message: String, label: String) -> Result<T, OutOfRange> {
    Err(OutOfRange { message, label })
}

/// A whole number from `min` to [`MAX_COUNT`]; `what` names it ("a seller count").
pub fn count(value: f64, what: &str, min: u32) -> Result<u32, OutOfRange> {
    let label = format!("`{value}` is not allowed here");
    if value.fract() != 0.0 || value < f64::from(min) || !value.is_finite() {
        return out_of_range(
            format!("{what} must be a whole number of at least {min}"),
            label,
        );
    }
    if value > f64::from(MAX_COUNT) {
        return out_of_range(format!("{what} must be at most {MAX_COUNT}"), label);
    }
    Ok(value as u32)
}

/// Whole seconds of a duration of `secs` seconds, from 0 to [`MAX_DURATION_SECS`].
pub fn duration_secs(secs: f64) -> Result<i64, OutOfRange> {
    if !secs.is_finite() || !(0.0..=MAX_DURATION_SECS).contains(&secs) {
        return out_of_range(
            "duration out of range".to_string(),
            "must be between 0 and 100 years".to_string(),
        );
    }
    Ok(secs.round() as i64)
}

/// A percentage from 0% to 100% as a fraction.
pub fn percent(value: f64) -> Result<f64, OutOfRange> {
    if !(0.0..=100.0).contains(&value) {
        return out_of_range(
            format!("percentage `{value}%` is outside 0% to 100%"),
            "out of range".to_string(),
        );
    }
    Ok(value / 100.0)
}

/// What a rate counts, for its limits and its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateOf {
    /// Leads arriving from a source.
    Arrivals,
    /// Signals of one line of a profile, per lead.
    Signals,
}

/// `count` per `period` (`period_secs` long, named `period` in messages, e.g. "hour") as a
/// rate per second, within the limits of what it counts.
pub fn rate(count: f64, (period_secs, period): (f64, &str), of: RateOf) -> Result<f64, OutOfRange> {
    let per_sec = count / period_secs;
    let written = format!("{} per {period}", compact(count));
    let label = "impossible setting".to_string();
    if !(per_sec > 0.0 && per_sec.is_finite()) {
        return out_of_range("a rate must be above zero".to_string(), label);
    }
    if per_sec < MIN_RATE_PER_SEC {
        return out_of_range(
            format!("a rate of {written} is less than once a century"),
            label,
        );
    }
    let (max, most) = match of {
        RateOf::Arrivals => (MAX_ARRIVAL_RATE_PER_SEC, "1000 arrivals a second"),
        RateOf::Signals => (MAX_SIGNAL_RATE_PER_SEC, "one signal a second per lead"),
    };
    if per_sec > max {
        return out_of_range(
            format!("a rate of {written} is more than the {most} the simulator can represent"),
            label,
        );
    }
    Ok(per_sec)
}

/// A number as short as it reads: exponent form for the very small and the very large.
fn compact(v: f64) -> String {
    if v != 0.0 && !(1e-6..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn counts_name_the_bound_they_break() {
        assert_eq!(count(3.0, "a seller count", 1), Ok(3));
        assert_eq!(count(1e6, "a seller count", 1), Ok(1_000_000));
        let low = count(0.0, "a seller count", 1).unwrap_err();
        assert_eq!(
            low.message,
            "a seller count must be a whole number of at least 1"
        );
        let high = count(1e9, "a seller count", 1).unwrap_err();
        assert_eq!(high.message, "a seller count must be at most 1000000");
        assert!(count(2.5, "a capacity", 1).is_err());
        assert!(count(f64::INFINITY, "a capacity", 1).is_err());
        assert!(count(f64::NAN, "a capacity", 1).is_err());
    }

    #[test]
    fn rates_stay_within_what_the_clock_can_tell_apart() {
        let hour = (3600.0, "hour");
        assert_eq!(rate(3600.0, hour, RateOf::Signals), Ok(1.0));
        assert!(rate(3601.0, hour, RateOf::Signals).is_err());
        assert!(rate(1e9, hour, RateOf::Signals).is_err());
        assert!(rate(1e9, hour, RateOf::Arrivals).is_err());
        assert!(rate(1e6, hour, RateOf::Arrivals).is_ok());
        let tiny = rate(1e-316, hour, RateOf::Signals).unwrap_err();
        assert_eq!(
            tiny.message,
            "a rate of 1e-316 per hour is less than once a century"
        );
        assert!(rate(0.0, hour, RateOf::Arrivals).is_err());
        assert!(rate(f64::NAN, hour, RateOf::Arrivals).is_err());
    }

    #[test]
    fn durations_and_percentages() {
        assert_eq!(duration_secs(90.4), Ok(90));
        assert!(duration_secs(-1.0).is_err());
        assert!(duration_secs(1e18 * 86_400.0).is_err());
        assert!(duration_secs(f64::INFINITY).is_err());
        assert_eq!(percent(40.0), Ok(0.4));
        assert!(percent(100.5).is_err());
    }
}
