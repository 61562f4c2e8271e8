//! Line charts: KPIs over simulated time, and KPIs against a swept parameter with their
//! confidence bands.

use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::frame::{self, Area, Scale};
use super::{Axis, ChartError, SweepSeries, TimeSeries};
use crate::report::format::Unit;

/// The plotting area lines are drawn on, in display units on both axes.
type LineArea<'a> = DrawingArea<SVGBackend<'a>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws one line per series over simulated days, so warm-up, steady state and backlog build-up
/// (leakage, queue length) are visible rather than averaged away.
///
/// Points with an undefined value break the line instead of being bridged.
pub fn time_series(title: &str, y: &Axis, series: &[TimeSeries]) -> Result<String, ChartError> {
    frame::render((frame::WIDTH, frame::HEIGHT), title, |area| {
        let points = || {
            series
                .iter()
                .flat_map(|s| &s.points)
                .filter(|(x, v)| x.is_finite() && v.is_finite())
        };
        let (Some(xs), Some(ys)) = (
            frame::extent(points().map(|p| p.0)),
            frame::extent(points().map(|p| p.1)),
        ) else {
            return frame::no_data(area);
        };
        let x = Axis::new("simulated day", Unit::Count);
        let labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
        let (plot, y_scale) = axes(area, &labels, (&x, xs, false), (y, ys))?;
        for (i, s) in series.iter().enumerate() {
            let colour = frame::colour(i);
            let scaled = s.points.iter().map(|(t, v)| (*t, y_scale.apply(*v)));
            for run in runs(scaled) {
                line(&plot, &run, colour)?;
            }
        }
        Ok(())
    })
}

/// Draws one curve per series against a swept parameter, the 95% interval shaded around it and
/// each evaluated point marked, so analysts see both the trend and where it was measured.
///
/// A count parameter whose points are all whole numbers (sellers) gets ticks at whole numbers
/// only: a tick at 2.5 sellers names a setting that cannot exist.
pub fn sweep_curve(
    title: &str,
    x: &Axis,
    y: &Axis,
    series: &[SweepSeries],
) -> Result<String, ChartError> {
    frame::render((frame::WIDTH, frame::HEIGHT), title, |area| {
        let points = || {
            series
                .iter()
                .flat_map(|s| &s.points)
                .filter(|(x, e)| x.is_finite() && e.mean.is_finite())
        };
        let xs = frame::extent(points().map(|p| p.0));
        let ys = frame::extent(points().flat_map(|(_, e)| [e.mean, e.ci_low, e.ci_high]));
        let (Some(xs), Some(ys)) = (xs, ys) else {
            return frame::no_data(area);
        };
        let labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
        let integer = x.unit == Unit::Count && points().all(|(x, _)| x.fract() == 0.0);
        let (plot, y_scale) = axes(area, &labels, (x, xs, integer), (y, ys))?;
        let x_scale = Scale::new(x.unit, xs.0.abs().max(xs.1.abs()));
        for (i, s) in series.iter().enumerate() {
            let mut sorted: Vec<_> = s
                .points
                .iter()
                .filter(|(x, e)| x.is_finite() && e.mean.is_finite())
                .map(|(x, e)| {
                    (
                        x_scale.apply(*x),
                        y_scale.apply(e.mean),
                        y_scale.apply(e.ci_low),
                        y_scale.apply(e.ci_high),
                    )
                })
                .collect();
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            let colour = frame::colour(i);
            for run in sorted
                .split(|p| !(p.2.is_finite() && p.3.is_finite()))
                .filter(|run| !run.is_empty())
            {
                let run: Vec<_> = run.iter().map(|p| (p.0, p.2, p.3)).collect();
                band(&plot, &run, colour)?;
            }
            let centre: Vec<(f64, f64)> = sorted.iter().map(|p| (p.0, p.1)).collect();
            line(&plot, &centre, colour)?;
            for p in &on_chart(&plot, &centre) {
                plot.draw(&Circle::new(*p, 4, colour.filled()))?;
            }
        }
        Ok(())
    })
}

/// Lays out the legend and both axes, returning the plotting area and the y scale in use;
/// `integer` puts x ticks on whole numbers only.
fn axes<'a>(
    area: &Area<'a>,
    labels: &[&str],
    (x, xs, integer): (&Axis, (f64, f64), bool),
    (y, ys): (&Axis, (f64, f64)),
) -> Result<(LineArea<'a>, Scale), ChartError> {
    let x_scale = Scale::new(x.unit, xs.0.abs().max(xs.1.abs()));
    let y_scale = Scale::new(y.unit, ys.0.abs().max(ys.1.abs()));
    let (x_lo, x_hi) = (x_scale.apply(xs.0), x_scale.apply(xs.1));
    let x_range = if integer && x_hi <= x_lo {
        (x_lo - 1.0)..(x_hi + 1.0)
    } else {
        exact_range(x_lo, x_hi)
    };
    let x_labels = if integer {
        integer_ticks(&x_range)
    } else {
        X_TICKS
    };
    let y_range = frame::axis_range((y_scale.apply(ys.0), y_scale.apply(ys.1)), true);
    let entries: Vec<(String, RGBColor)> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| ((*l).to_owned(), frame::colour(i)))
        .collect();
    let body = frame::legend(area, &entries)?;
    let x_ticks = frame::tick_label(&x_range);
    let y_ticks = frame::tick_label(&y_range);
    let mut chart = ChartBuilder::on(&body)
        .margin(12)
        .margin_right(28)
        .x_label_area_size(52)
        .y_label_area_size(frame::y_label_width(&y_range))
        .build_cartesian_2d(x_range, y_range)?;
    frame::house_mesh(
        chart
            .configure_mesh()
            .x_labels(x_labels)
            .x_desc(x_scale.label(&x.label))
            .y_desc(y_scale.label(&y.label))
            .x_label_formatter(&x_ticks)
            .y_label_formatter(&y_ticks),
        frame::LABEL_SIZE,
    )
    .draw()?;
    Ok((chart.plotting_area().clone(), y_scale))
}

/// How many x ticks plotters may place when they need not be whole numbers (its default).
const X_TICKS: usize = 10;

/// At most one tick per whole number of `range`: plotters picks steps of 1, 2 or 5 times a power
/// of ten with no more ticks than allowed, so a step below 1 never fits.
fn integer_ticks(range: &Range<f64>) -> usize {
    let whole = (range.end.floor() - range.start.ceil() + 1.0).max(1.0);
    if whole.is_finite() {
        (whole as usize).min(X_TICKS)
    } else {
        X_TICKS
    }
}

/// The data's own extent on a parameter or time axis, widened only when it is a single value.
fn exact_range(lo: f64, hi: f64) -> Range<f64> {
    if hi > lo && (hi - lo).is_finite() {
        lo..hi
    } else {
        frame::axis_range((lo, hi), false)
    }
}

/// Splits points into runs of defined values, so gaps stay gaps.
fn runs(points: impl Iterator<Item = (f64, f64)>) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![Vec::new()];
    for p in points {
        if p.0.is_finite() && p.1.is_finite() {
            if let Some(run) = runs.last_mut() {
                run.push(p);
            }
        } else if runs.last().is_some_and(|r| !r.is_empty()) {
            runs.push(Vec::new());
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// Shades the interval around a run of `(x, low, high)` points; a lone point gets a vertical bar.
fn band(plot: &LineArea<'_>, run: &[(f64, f64, f64)], colour: RGBColor) -> Result<(), ChartError> {
    let shade = colour.mix(0.2);
    let (xs, ys) = (plot.get_x_range(), plot.get_y_range());
    let run: Vec<_> = run
        .iter()
        .map(|(x, low, high)| {
            (
                frame::within(&xs, *x),
                frame::within(&ys, *low),
                frame::within(&ys, *high),
            )
        })
        .collect();
    match run.as_slice() {
        [(x, low, high)] => plot.draw(&PathElement::new(
            vec![(*x, *low), (*x, *high)],
            shade.stroke_width(8),
        ))?,
        _ => {
            let upper = run.iter().map(|(x, _, high)| (*x, *high));
            let lower = run.iter().rev().map(|(x, low, _)| (*x, *low));
            plot.draw(&Polygon::new(
                upper.chain(lower).collect::<Vec<_>>(),
                shade.filled(),
            ))?;
        }
    }
    Ok(())
}

/// A line through a run, or a dot when the run is a single point and a line would be invisible.
fn line(plot: &LineArea<'_>, run: &[(f64, f64)], colour: RGBColor) -> Result<(), ChartError> {
    let run = on_chart(plot, run);
    match run.as_slice() {
        [single] => plot.draw(&Circle::new(*single, 3, colour.filled()))?,
        _ => plot.draw(&PathElement::new(run, colour.stroke_width(2)))?,
    }
    Ok(())
}

/// The points pulled onto the plotted ranges (see [`frame::within`]).
fn on_chart(plot: &LineArea<'_>, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let (xs, ys) = (plot.get_x_range(), plot.get_y_range());
    points
        .iter()
        .map(|(x, y)| (frame::within(&xs, *x), frame::within(&ys, *y)))
        .collect()
}
