//! SVG charts for reports, drawn with plotters' SVG backend into strings.
//!
//! Every chart is a pure function of its input: the same data gives byte-identical SVG, so charts
//! can be snapshotted and diffed.
//! No chart panics on awkward data: empty input draws a titled "no data" chart, undefined values
//! (NaN, infinities) are skipped, and degenerate ranges are widened.
//! Colours come from the Okabe–Ito palette, legends sit outside the plot, and axes carry their
//! unit (`minutes`, `%`), so charts stay readable in print and for colour-blind readers.

mod bars;
mod cdf;
mod compare;
mod frame;
mod lines;

use std::fmt;

use plotters::drawing::DrawingAreaErrorKind;

use super::format::Unit;
use crate::sim::stats::Estimate;

pub use bars::{bars_with_ci, funnel};
pub use cdf::cdf;
pub use compare::{compare_bars, delta_intervals};
pub use lines::{sweep_curve, time_series};

/// Why a chart could not be drawn; plotters reports backend and layout failures this way, and the
/// caller decides whether a report goes out without that chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartError(String);

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not draw chart: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError(e.to_string())
    }
}

/// A value axis: its title and the unit that decides how ticks are scaled (`%`, `minutes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// What is measured, without the unit (`SLA attainment`); the unit is appended.
    pub label: String,
    /// The unit of the raw values.
    pub unit: Unit,
}

impl Axis {
    /// Shorthand for building an axis in one expression.
    pub fn new(label: impl Into<String>, unit: Unit) -> Self {
        Axis {
            label: label.into(),
            unit,
        }
    }
}

/// One curve of a [`cdf`] chart: the empirical distribution of a delay for one band.
#[derive(Debug, Clone, PartialEq)]
pub struct CdfSeries {
    /// The legend entry (`band A`).
    pub label: String,
    /// Delays in seconds, ascending; `+inf` marks a lead never touched, which counts in the
    /// denominator so the curve levels off below 100%. NaN is skipped.
    pub sorted_samples: Vec<f64>,
}

/// One bar of a [`bars_with_ci`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The category under the bar (`inbound queue`).
    pub label: String,
    /// The bar height and its whisker.
    pub estimate: Estimate,
}

/// One line of a [`time_series`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSeries {
    /// The legend entry.
    pub label: String,
    /// `(simulated day, value)` pairs; a NaN value leaves a gap in the line.
    pub points: Vec<(f64, f64)>,
}

/// One KPI of a [`compare_bars`] chart: the same KPI under the base and the candidate playbook.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRow {
    /// The KPI name, used as the panel title.
    pub kpi: String,
    /// The KPI's unit; each KPI gets its own panel and scale because units differ.
    pub unit: Unit,
    /// The KPI under the current playbook.
    pub base: Estimate,
    /// The KPI under the proposed change.
    pub candidate: Estimate,
}

/// One KPI of a [`delta_intervals`] chart: the paired change from base to candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaRow {
    /// The KPI name, used as the panel title.
    pub kpi: String,
    /// The KPI's unit; shares are drawn in percentage points.
    pub unit: Unit,
    /// The mean paired difference (candidate − base) and its 95% interval.
    pub delta: Estimate,
}

/// One curve of a [`sweep_curve`] chart: a KPI as one parameter varies.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSeries {
    /// The legend entry (the KPI, or the value of a second swept parameter).
    pub label: String,
    /// `(parameter value, KPI estimate)` pairs, in any order.
    pub points: Vec<(f64, Estimate)>,
}
