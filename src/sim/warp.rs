//! A shape's time warp: the non-homogeneous Poisson processes of shaped arrivals and signals,
//! generated exactly by inversion.
//!
//! A rate `r` following a shape has intensity `r · level(t)`. Its cumulative intensity,
//! divided by `r`, is the warp `W(t)`: "flat" seconds, in which the process is an ordinary
//! Poisson process of rate `r`. Draw the flat gaps as for an unshaped rate and map each point
//! back with `W⁻¹`: the points then have exactly the shaped intensity. Levels are constant
//! between a day's breakpoints (in the shape's zone, daylight saving included), so `W` is
//! piecewise linear and its inverse a binary search and a division.

use crate::calendar::Timestamp;
use crate::ir::scenario::Shape;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone};

/// Days a year has on average, for the trend's compounding.
const YEAR_DAYS: f64 = 365.25;

/// The warp of one shape over a run, as segments of constant level from its origin on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Warp {
    /// Start of each segment, in seconds after the origin; the first is 0.
    starts: Vec<f64>,
    /// Flat seconds before each segment starts.
    flat_before: Vec<f64>,
    /// Level of each segment; the last one lasts for ever.
    levels: Vec<f64>,
}

impl Warp {
    /// The warp of `shape` from `origin` for `span_secs` (and a day beyond, so the last
    /// segment is never cut short inside the span).
    pub fn new(shape: &Shape, origin: Timestamp, span_secs: i64) -> Warp {
        let tz: chrono_tz::Tz = shape.timezone.parse().unwrap_or(chrono_tz::UTC);
        let first = tz
            .timestamp_opt(origin, 0)
            .single()
            .map_or_else(|| utc_date(origin), |t| t.date_naive());
        let end = origin
            .saturating_add(span_secs.max(0))
            .saturating_add(86_400);
        let mut segments: Vec<(i64, f64)> = Vec::new();
        for (index, date) in first.iter_days().enumerate() {
            let Some(midnight) = local(&tz, date.and_time(chrono::NaiveTime::MIN)) else {
                continue;
            };
            if midnight > end {
                break;
            }
            let trend = (1.0 + shape.growth_per_year).powf(index as f64 / YEAR_DAYS);
            if shape.holidays.contains(&date) {
                segments.push((midnight - origin, shape.holiday_level * trend));
                continue;
            }
            let day = usize::try_from(date.weekday().num_days_from_monday()).unwrap_or(0);
            for (minute, level) in shape.days.get(day).map_or(&[][..], Vec::as_slice) {
                let at =
                    date.and_time(chrono::NaiveTime::MIN) + Duration::minutes(i64::from(*minute));
                if let Some(t) = local(&tz, at) {
                    segments.push((t - origin, level * trend));
                }
            }
        }
        Warp::from_segments(segments)
    }

    /// Builds the tables from segment starts (seconds after the origin, in order, possibly
    /// before it) and levels.
    fn from_segments(segments: Vec<(i64, f64)>) -> Warp {
        // The segment in force at the origin is the last one starting at or before it.
        let skip = segments
            .iter()
            .rposition(|(start, _)| *start <= 0)
            .unwrap_or(0);
        let mut warp = Warp {
            starts: Vec::with_capacity(segments.len()),
            flat_before: Vec::with_capacity(segments.len()),
            levels: Vec::with_capacity(segments.len()),
        };
        let mut flat = 0.0;
        let mut last: Option<(f64, f64)> = None;
        for (start, level) in segments.into_iter().skip(skip) {
            let start = (start.max(0)) as f64;
            if let Some((s, l)) = last {
                flat += l * (start - s).max(0.0);
            }
            warp.starts.push(start);
            warp.flat_before.push(flat);
            warp.levels.push(level);
            last = Some((start, level));
        }
        if warp.starts.is_empty() {
            warp.starts.push(0.0);
            warp.flat_before.push(0.0);
            warp.levels.push(1.0);
        }
        warp
    }

    /// Flat seconds elapsed by `t` seconds after the origin.
    pub fn flat(&self, t: f64) -> f64 {
        let i = self.starts.partition_point(|s| *s <= t).saturating_sub(1);
        match (
            self.starts.get(i),
            self.flat_before.get(i),
            self.levels.get(i),
        ) {
            (Some(s), Some(f), Some(l)) => f + l * (t - s).max(0.0),
            _ => t,
        }
    }

    /// Seconds after the origin at which `x` flat seconds have elapsed: the inverse of
    /// [`Warp::flat`], infinite when the level stays at zero from some point on.
    pub fn real(&self, x: f64) -> f64 {
        let i = self
            .flat_before
            .partition_point(|f| *f <= x)
            .saturating_sub(1);
        // Segments at level zero add no flat time; the last one starting at or before `x`
        // (the partition point) is the one that is running when `x` is reached.
        match (
            self.starts.get(i),
            self.flat_before.get(i),
            self.levels.get(i),
        ) {
            (Some(s), Some(f), Some(l)) if *l > 0.0 => s + (x - f) / l,
            _ => f64::INFINITY,
        }
    }
}

/// The UTC date of a timestamp, for a zone that cannot place it (never for a valid one).
fn utc_date(t: Timestamp) -> NaiveDate {
    chrono::DateTime::from_timestamp(t, 0).map_or(NaiveDate::MIN, |d| d.date_naive())
}

/// The instant of a local time: the earlier one when clocks go back, the first instant after
/// the gap when they go forward.
fn local(tz: &chrono_tz::Tz, at: NaiveDateTime) -> Option<Timestamp> {
    (0..=4).find_map(|quarter| {
        tz.from_local_datetime(&(at + Duration::minutes(15 * quarter)))
            .earliest()
            .map(|t| t.timestamp())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests;
