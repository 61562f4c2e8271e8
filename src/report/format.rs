//! How KPI values read to people: one place decides that a fraction is a percentage and a delay
//! is `4m 30s`, so tables, Markdown, HTML and chart axes all agree.
//!
//! Formatting never fails: undefined values (NaN, infinities) read `n/a`, and values too large to
//! print digit by digit switch to scientific notation instead of filling a cell with 300 digits.

use crate::sim::stats::Estimate;

pub use crate::ir::KpiUnit as Unit;

/// What an undefined value reads as, so a table cell is never empty or `NaN`.
pub const NOT_AVAILABLE: &str = "n/a";

/// Beyond this magnitude digits stop being informative and scientific notation takes over.
const SCIENTIFIC_ABOVE: f64 = 1e15;

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

/// Prints one value the way every report shows it: `12.3%`, `4m 30s`, `1,234`.
pub fn format_value(unit: Unit, v: f64) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_owned();
    }
    match unit {
        Unit::Fraction => format!("{}%", percent(v)),
        Unit::Seconds => duration(v),
        Unit::Count => count(v),
    }
}

/// Prints a value with its 95% interval, `12.3% [11.8, 12.9]`, so no number appears without its
/// uncertainty.
///
/// Percent signs are not repeated inside the brackets; durations and counts keep their own
/// notation there because `4m 30s` without units would be unreadable.
/// An estimate whose interval is undefined, or that rests on a single replication (whose
/// zero-width interval would claim a certainty it does not have), prints just the mean.
pub fn format_ci(unit: Unit, est: &Estimate) -> String {
    let mean = format_value(unit, est.mean);
    match format_bounds(unit, est) {
        Some(bounds) => format!("{mean} {bounds}"),
        None => mean,
    }
}

/// The bracketed interval of [`format_ci`] alone, `[11.8, 12.9]`, for layouts that style it apart
/// from the mean; `None` when the estimate has no defined interval or only one replication.
pub(crate) fn format_bounds(unit: Unit, est: &Estimate) -> Option<String> {
    if est.n < 2 || !(est.mean.is_finite() && est.ci_low.is_finite() && est.ci_high.is_finite()) {
        return None;
    }
    let bound = |v: f64| match unit {
        Unit::Fraction => percent(v),
        Unit::Seconds | Unit::Count => format_value(unit, v),
    };
    Some(format!("[{}, {}]", bound(est.ci_low), bound(est.ci_high)))
}

/// `1 replication`, `20 replications`: the sample size as every report states it.
pub fn replications(n: u32) -> String {
    if n == 1 {
        "1 replication".to_owned()
    } else {
        format!("{n} replications")
    }
}

/// A column heading for values with their intervals, `mean [95% CI]`, or, when a run has a
/// single replication and so no interval, `mean (no interval from 1 replication)`.
pub fn interval_heading(label: &str, replications: u32) -> String {
    if replications < 2 {
        format!("{label} ({NO_INTERVAL})")
    } else {
        format!("{label} [95% CI]")
    }
}

/// Why a run of one replication shows means without brackets.
pub const NO_INTERVAL: &str = "no interval from 1 replication";

/// A share as a percentage number with one decimal, `12.3`, without the sign.
fn percent(v: f64) -> String {
    group_thousands(&decimal(v * 100.0, 1))
}

/// Fixed decimals without the `-0.0` that rounding a tiny negative value would otherwise print.
fn decimal(v: f64, places: usize) -> String {
    if v.abs() >= SCIENTIFIC_ABOVE {
        return format!("{v:.2e}");
    }
    let text = format!("{v:.places$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
        _ => text,
    }
}

/// `45s`, `4m 30s`, `2h 05m`, `1.5d`: the coarsest unit that still shows the difference analysts
/// care about at that scale.
fn duration(v: f64) -> String {
    let sign = if v < 0.0 && v.abs().round() > 0.0 {
        "-"
    } else {
        ""
    };
    let s = v.abs();
    if s >= SCIENTIFIC_ABOVE {
        return format!("{sign}{:.2e}d", s / DAY);
    }
    let whole = s.round();
    if whole < MINUTE {
        return format!("{sign}{whole}s");
    }
    if whole < HOUR {
        let minutes = (whole / MINUTE).floor();
        let seconds = whole - minutes * MINUTE;
        return format!("{sign}{minutes}m {seconds:02}s");
    }
    let total_minutes = (s / MINUTE).round();
    if total_minutes < DAY / MINUTE {
        let hours = (total_minutes / 60.0).floor();
        let minutes = total_minutes - hours * 60.0;
        return format!("{sign}{hours}h {minutes:02}m");
    }
    format!("{sign}{}d", decimal(s / DAY, 1))
}

/// Whole counts print exactly; averaged counts keep one decimal (two below ten), so `0.25`
/// meetings per day does not round to zero.
fn count(v: f64) -> String {
    if v.abs() >= SCIENTIFIC_ABOVE {
        return format!("{v:.2e}");
    }
    let places = if v.fract() == 0.0 {
        0
    } else if v.abs() < 10.0 {
        2
    } else {
        1
    };
    group_thousands(&decimal(v, places))
}

/// Inserts `,` every three digits of the integer part of an already formatted number.
pub(crate) fn group_thousands(number: &str) -> String {
    let (sign, rest) = match number.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", number),
    };
    let (int, frac) = match rest.find('.') {
        Some(dot) => rest.split_at(dot),
        None => (rest, ""),
    };
    let mut grouped = String::with_capacity(number.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_percentages() {
        assert_eq!(format_value(Unit::Fraction, 0.123), "12.3%");
        assert_eq!(format_value(Unit::Fraction, 0.0), "0.0%");
        assert_eq!(format_value(Unit::Fraction, -0.00001), "0.0%");
        assert_eq!(format_value(Unit::Fraction, -0.031), "-3.1%");
        assert_eq!(format_value(Unit::Fraction, 1.0), "100.0%");
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(format_value(Unit::Seconds, 0.0), "0s");
        assert_eq!(format_value(Unit::Seconds, 45.2), "45s");
        assert_eq!(format_value(Unit::Seconds, 59.6), "1m 00s");
        assert_eq!(format_value(Unit::Seconds, 270.0), "4m 30s");
        assert_eq!(format_value(Unit::Seconds, 3599.7), "1h 00m");
        assert_eq!(format_value(Unit::Seconds, 7500.0), "2h 05m");
        assert_eq!(format_value(Unit::Seconds, 86_370.0), "1.0d");
        assert_eq!(format_value(Unit::Seconds, 129_600.0), "1.5d");
        assert_eq!(format_value(Unit::Seconds, -270.0), "-4m 30s");
        assert_eq!(format_value(Unit::Seconds, -0.2), "0s");
    }

    #[test]
    fn counts_group_thousands() {
        assert_eq!(format_value(Unit::Count, 0.0), "0");
        assert_eq!(format_value(Unit::Count, 999.0), "999");
        assert_eq!(format_value(Unit::Count, 1000.0), "1,000");
        assert_eq!(format_value(Unit::Count, 1_234_567.0), "1,234,567");
        assert_eq!(format_value(Unit::Count, -1_234_567.0), "-1,234,567");
        assert_eq!(format_value(Unit::Count, 1234.56), "1,234.6");
        assert_eq!(format_value(Unit::Count, 0.25), "0.25");
    }

    #[test]
    fn undefined_and_huge_values_stay_short() {
        for unit in [Unit::Fraction, Unit::Seconds, Unit::Count] {
            assert_eq!(format_value(unit, f64::NAN), "n/a");
            assert_eq!(format_value(unit, f64::INFINITY), "n/a");
            assert_eq!(format_value(unit, f64::NEG_INFINITY), "n/a");
            assert!(format_value(unit, 1e300).len() < 20, "{unit:?}");
            assert!(format_value(unit, -f64::MAX).len() < 20, "{unit:?}");
        }
        assert_eq!(format_value(Unit::Count, 1e300), "1.00e300");
    }

    #[test]
    fn intervals_follow_the_mean() {
        let est = Estimate {
            mean: 0.123,
            ci_low: 0.118,
            ci_high: 0.129,
            n: 20,
        };
        assert_eq!(format_ci(Unit::Fraction, &est), "12.3% [11.8, 12.9]");
        let undefined = Estimate {
            ci_low: f64::NAN,
            ..est
        };
        assert_eq!(format_ci(Unit::Fraction, &undefined), "12.3%");
    }

    #[test]
    fn one_replication_has_no_interval() {
        let single = Estimate {
            mean: 0.395,
            ci_low: 0.395,
            ci_high: 0.395,
            n: 1,
        };
        assert_eq!(format_ci(Unit::Fraction, &single), "39.5%");
        assert_eq!(
            interval_heading("mean", 1),
            "mean (no interval from 1 replication)"
        );
        assert_eq!(interval_heading("mean", 2), "mean [95% CI]");
        assert_eq!(replications(1), "1 replication");
        assert_eq!(replications(3), "3 replications");
    }
}
