//! Bar charts: one KPI across categories with confidence whiskers, and the lead funnel.

use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordusize};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{self, Area, Scale};
use super::{Axis, Bar, ChartError};
use crate::report::format::{format_value, Unit};
use crate::sim::stats::Estimate;

/// Draws one bar per category with its 95% interval as a whisker, so a queue that misses its SLA
/// can be told apart from one that is merely noisy.
///
/// Bars start at zero because their length encodes the value; a bar with an undefined mean is left
/// out but keeps its place and label.
pub fn bars_with_ci(title: &str, y: &Axis, bars: &[Bar]) -> Result<String, ChartError> {
    frame::render((frame::WIDTH, frame::HEIGHT), title, |area| {
        draw_bars(area, y, bars)
    })
}

fn draw_bars(area: &Area<'_>, y: &Axis, bars: &[Bar]) -> Result<(), ChartError> {
    let values = bars.iter().flat_map(|b| estimate_values(&b.estimate));
    let Some((lo, hi)) = frame::extent(values) else {
        return frame::no_data(area);
    };
    let scale = Scale::new(y.unit, lo.abs().max(hi.abs()));
    let y_range = frame::with_headroom(frame::axis_range((scale.apply(lo), scale.apply(hi)), true));
    let y_area = frame::y_label_width(&y_range);
    let (width, _) = area.dim_in_pixel();
    let slot = (f64::from(width) - f64::from(y_area) - 40.0) / bars.len() as f64;
    let y_ticks = frame::tick_label(&y_range);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_right(28)
        .x_label_area_size(48)
        .y_label_area_size(y_area)
        .build_cartesian_2d(frame::slots(bars.len()).into_segmented(), y_range)?;
    frame::house_mesh(
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars.len())
            .y_desc(scale.label(&y.label))
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&y_ticks),
        frame::LABEL_SIZE,
    )
    .draw()?;
    let bar_margin = (slot * 0.2).round().clamp(1.0, 60.0) as u32;
    let show_values = slot >= 70.0;
    let label_style = frame::font(frame::SMALL_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
    let baseline = chart.plotting_area().get_y_range().start;
    for (i, bar) in bars.iter().enumerate() {
        let lines = frame::wrap(&frame::clean(&bar.label), slot - 8.0, frame::SMALL_SIZE);
        for (k, line) in (0i32..).zip(lines) {
            chart.plotting_area().draw(
                &(EmptyElement::at((SegmentValue::CenterOf(i), baseline))
                    + Text::new(line, (0, 10 + 17 * k), label_style.clone())),
            )?;
        }
        let mark = Mark {
            slot: i,
            estimate: &bar.estimate,
            colour: frame::colour(0),
            margin: bar_margin,
        };
        mark.draw(chart.plotting_area(), scale, y.unit, show_values)?;
    }
    Ok(())
}

/// The finite numbers of an estimate that must fit on the value axis.
pub(super) fn estimate_values(e: &Estimate) -> [f64; 3] {
    [e.mean, e.ci_low, e.ci_high]
}

/// The plotting area bars are drawn on: category slots along x, display values along y.
pub(super) type BarArea<'a> =
    DrawingArea<SVGBackend<'a>, Cartesian2d<SegmentedCoord<RangedCoordusize>, RangedCoordf64>>;

/// One bar with its whisker and value label, shared by the bar and compare charts.
pub(super) struct Mark<'e> {
    /// Which category slot the bar occupies.
    pub(super) slot: usize,
    pub(super) estimate: &'e Estimate,
    pub(super) colour: RGBColor,
    /// Pixels left free on each side of the bar inside its slot.
    pub(super) margin: u32,
}

impl Mark<'_> {
    pub(super) fn draw(
        &self,
        area: &BarArea<'_>,
        scale: Scale,
        unit: Unit,
        show_value: bool,
    ) -> Result<(), ChartError> {
        let e = self.estimate;
        if !e.mean.is_finite() {
            return Ok(());
        }
        let i = self.slot;
        let y_range = area.get_y_range();
        let mean = frame::within(&y_range, scale.apply(e.mean));
        let mut bar = Rectangle::new(
            [
                (SegmentValue::Exact(i), 0.0),
                (SegmentValue::Exact(i + 1), mean),
            ],
            self.colour.filled(),
        );
        bar.set_margin(0, 0, self.margin, self.margin);
        area.draw(&bar)?;
        let mut top = mean;
        if e.ci_low.is_finite() && e.ci_high.is_finite() {
            let low = frame::within(&y_range, scale.apply(e.ci_low));
            let high = frame::within(&y_range, scale.apply(e.ci_high));
            let whisker = frame::INK.stroke_width(2);
            let x = SegmentValue::CenterOf(i);
            area.draw(&PathElement::new(
                vec![(x.clone(), low), (x.clone(), high)],
                whisker,
            ))?;
            for end in [low, high] {
                area.draw(
                    &(EmptyElement::at((x.clone(), end))
                        + PathElement::new(vec![(-7, 0), (7, 0)], whisker)),
                )?;
            }
            top = top.max(high);
        }
        if show_value {
            let style = frame::font(frame::SMALL_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom));
            let anchor = if mean < 0.0 && top <= 0.0 { 0.0 } else { top };
            area.draw(
                &(EmptyElement::at((SegmentValue::CenterOf(i), anchor))
                    + Text::new(format_value(unit, e.mean), (0, -6), style)),
            )?;
        }
        Ok(())
    }
}

/// Draws the lead funnel top to bottom, each stage annotated with its count, its share of the
/// first stage and its conversion from the previous one, which is where leakage shows.
pub fn funnel(title: &str, stages: &[(String, f64)]) -> Result<String, ChartError> {
    frame::render((frame::WIDTH, frame::HEIGHT), title, |area| {
        draw_funnel(area, stages)
    })
}

fn draw_funnel(area: &Area<'_>, stages: &[(String, f64)]) -> Result<(), ChartError> {
    let Some((_, max)) = frame::extent(stages.iter().map(|(_, v)| *v)) else {
        return frame::no_data(area);
    };
    let max = max.max(0.0);
    let notes = annotations(stages);
    let (width, _) = area.dim_in_pixel();
    let label_area = stages
        .iter()
        .map(|(name, _)| frame::text_width(&frame::clean(name), frame::SMALL_SIZE))
        .fold(0.0, f64::max)
        .clamp(40.0, 220.0)
        + 16.0;
    let plot_width = f64::from(width) - label_area - 40.0;
    let x_max = stages
        .iter()
        .zip(&notes)
        .filter(|((_, v), _)| v.is_finite())
        .map(|((_, v), note)| {
            let room = plot_width - frame::text_width(note, frame::SMALL_SIZE) - 12.0;
            v.max(0.0) * plot_width / room.max(plot_width * 0.2)
        })
        .fold(max, f64::max);
    let x_range = frame::axis_range((0.0, x_max), true);
    let n = stages.len();
    let names: Vec<String> = stages
        .iter()
        .map(|(name, _)| frame::fit(&frame::clean(name), label_area - 16.0, frame::SMALL_SIZE))
        .collect();
    let y_ticks = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(row) => n
            .checked_sub(row + 1)
            .and_then(|i| names.get(i))
            .cloned()
            .unwrap_or_default(),
        _ => String::new(),
    };
    let x_ticks = frame::tick_label(&x_range);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_right(28)
        .x_label_area_size(52)
        .y_label_area_size(label_area as u32)
        .build_cartesian_2d(x_range.clone(), frame::slots(n).into_segmented())?;
    let x_bounds = 0.0..x_range.end;
    frame::house_mesh(
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .x_desc("leads")
            .x_label_formatter(&x_ticks)
            .y_label_formatter(&y_ticks),
        frame::LABEL_SIZE,
    )
    .draw()?;
    let style = frame::font(frame::SMALL_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, ((_, value), note)) in stages.iter().zip(&notes).enumerate() {
        let row = n - 1 - i;
        let end = if value.is_finite() {
            frame::within(&x_bounds, *value)
        } else {
            0.0
        };
        if end > 0.0 {
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(row)),
                    (end, SegmentValue::Exact(row + 1)),
                ],
                frame::colour(0).filled(),
            );
            bar.set_margin(6, 6, 0, 0);
            chart.plotting_area().draw(&bar)?;
        }
        chart.plotting_area().draw(
            &(EmptyElement::at((end, SegmentValue::CenterOf(row)))
                + Text::new(note.clone(), (8, 0), style.clone())),
        )?;
    }
    Ok(())
}

/// `1,234 · 24.5% of total · 80.0% of previous` for each stage; the first stage with a value is
/// the total.
fn annotations(stages: &[(String, f64)]) -> Vec<String> {
    let total = stages.iter().map(|(_, v)| *v).find(|v| v.is_finite());
    let mut previous: Option<f64> = None;
    stages
        .iter()
        .map(|(_, v)| {
            let count = format_value(Unit::Count, *v);
            let note = match (total, previous) {
                (Some(t), Some(p)) if v.is_finite() => format!(
                    "{count} · {} of total · {} of previous",
                    format_value(Unit::Fraction, v / t),
                    format_value(Unit::Fraction, v / p)
                ),
                _ => count,
            };
            if v.is_finite() {
                previous = Some(*v);
            }
            note
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn funnel_notes_relate_each_stage_to_total_and_previous() {
        let stages = [
            ("leads".to_owned(), 1000.0),
            ("MQL".to_owned(), f64::NAN),
            ("handed off".to_owned(), 400.0),
            ("touched".to_owned(), 0.0),
            ("connected".to_owned(), 0.0),
        ];
        assert_eq!(
            annotations(&stages),
            [
                "1,000",
                "n/a",
                "400 · 40.0% of total · 40.0% of previous",
                "0 · 0.0% of total · 0.0% of previous",
                "0 · 0.0% of total · n/a of previous",
            ]
        );
    }
}
