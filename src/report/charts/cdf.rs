//! Empirical distribution curves: the share of leads touched within a given delay, per band.
//!
//! A CDF shows every percentile at once, so "90% within 2 hours" and the long tail can both be
//! read off one chart.

use plotters::prelude::*;

use super::frame::{self, Area, Scale};
use super::{CdfSeries, ChartError};
use crate::report::format::Unit;
use crate::sim::stats::quantile;

/// Above this many distinct delays a curve is sampled on a grid instead of drawn step by step,
/// which keeps the SVG small without visible change at chart resolution.
const MAX_STEPS: usize = 2000;
/// Grid points across the x axis when sampling.
const GRID: usize = 1000;
/// The x axis ends where every curve has reached this share of its touched leads, so a handful
/// of stragglers cannot squash the rest of the chart into its left edge.
const AXIS_QUANTILE: f64 = 0.99;
/// The y axis runs slightly past 100% so a curve that reaches it stays visible above the frame.
const Y_TOP: f64 = 101.5;

/// Draws one cumulative curve per series: x is the delay (given in seconds, shown in seconds,
/// minutes, hours or days, whichever reads best), y the share of leads touched by then.
///
/// The x axis stops at the slowest series' 99th percentile of touched leads; curves run on to
/// the right edge, so a plateau below 100% (leads never touched) stays visible.
pub fn cdf(title: &str, x_label: &str, series: &[CdfSeries]) -> Result<String, ChartError> {
    frame::render((frame::WIDTH, frame::HEIGHT), title, |area| {
        draw(area, x_label, series)
    })
}

/// The samples of one series a curve is drawn from.
struct Samples<'a> {
    /// Finite delays, ascending.
    finite: Vec<f64>,
    /// All leads, including those never touched (`+inf`).
    total: usize,
    label: &'a str,
}

fn samples(series: &CdfSeries) -> Samples<'_> {
    let mut finite: Vec<f64> = series
        .sorted_samples
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    finite.sort_by(f64::total_cmp);
    let never = series
        .sorted_samples
        .iter()
        .filter(|v| **v == f64::INFINITY)
        .count();
    Samples {
        total: finite.len() + never,
        finite,
        label: &series.label,
    }
}

fn draw(area: &Area<'_>, x_label: &str, series: &[CdfSeries]) -> Result<(), ChartError> {
    let all: Vec<Samples<'_>> = series.iter().map(samples).collect();
    let Some((lo, _)) = frame::extent(all.iter().flat_map(|s| s.finite.iter().copied())) else {
        return frame::no_data(area);
    };
    let hi = all
        .iter()
        .filter_map(|s| quantile(&s.finite, AXIS_QUANTILE))
        .fold(lo, f64::max);
    let scale = Scale::new(Unit::Seconds, hi.abs().max(lo.abs()));
    let x_range = frame::axis_range((scale.apply(lo), scale.apply(hi)), true);
    let y_range = 0.0..Y_TOP;
    let entries: Vec<(String, RGBColor)> = all
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label.to_owned(), frame::colour(i)))
        .collect();
    let plot = frame::legend(area, &entries)?;
    let x_ticks = frame::tick_label(&x_range);
    let y_ticks = |v: &f64| format!("{v:.0}%");
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .margin_right(28)
        .x_label_area_size(52)
        .y_label_area_size(70)
        .build_cartesian_2d(x_range.clone(), y_range)?;
    frame::house_mesh(
        chart
            .configure_mesh()
            .x_desc(scale.label(x_label))
            .y_desc("leads reached (%)")
            .x_label_formatter(&x_ticks)
            .y_label_formatter(&y_ticks),
        frame::LABEL_SIZE,
    )
    .draw()?;
    for (i, s) in all.iter().enumerate() {
        if s.total == 0 {
            continue;
        }
        let points = steps(s, scale, &x_range);
        chart.draw_series(LineSeries::new(points, frame::colour(i).stroke_width(2)))?;
    }
    Ok(())
}

/// The curve's vertices in display units, cut at the end of the axis: exact steps when few, a
/// grid sample when many.
fn steps(s: &Samples<'_>, scale: Scale, x_range: &std::ops::Range<f64>) -> Vec<(f64, f64)> {
    let share = |k: usize| 100.0 * k as f64 / s.total as f64;
    let mut distinct = s.finite.clone();
    distinct.dedup();
    if distinct.len() > MAX_STEPS {
        let width = x_range.end - x_range.start;
        return (0..=GRID)
            .map(|k| {
                let x = x_range.start + width * k as f64 / GRID as f64;
                let below = s.finite.partition_point(|v| scale.apply(*v) <= x);
                (x, share(below))
            })
            .collect();
    }
    let mut points = vec![(x_range.start, 0.0)];
    let mut below = 0;
    for v in distinct {
        let x = scale.apply(v);
        points.push((x, share(below)));
        below = s.finite.partition_point(|w| *w <= v);
        points.push((x, share(below)));
    }
    points.retain(|(x, _)| *x <= x_range.end);
    let at_end = s.finite.partition_point(|v| scale.apply(*v) <= x_range.end);
    points.push((x_range.end, share(at_end)));
    points
}
