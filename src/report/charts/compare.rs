//! Base against candidate, KPI by KPI: the picture of what a playbook change does.
//!
//! KPIs have different units (a share, a delay, a count), so each gets its own small panel and
//! scale instead of sharing one misleading axis.

use plotters::prelude::*;

use super::bars::{estimate_values, Mark};
use super::frame::{self, Area, Scale};
use super::{ChartError, CompareRow, DeltaRow};
use crate::compare::format_change;
use crate::report::format::Unit;

/// Panels per row; three keeps each panel wide enough for its tick labels.
const COLUMNS: usize = 3;
/// Height of one row of panels.
const PANEL_HEIGHT: u32 = 250;
/// Title and legend above the panels.
const HEADER_HEIGHT: u32 = 80;
/// The colour of a change whose interval crosses zero: muted, as the change may be noise.
const NOT_SIGNIFICANT: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// The panel grid for `panels` KPIs: rows, columns, and the chart's height.
fn grid(panels: usize) -> (usize, usize, u32) {
    let columns = panels.clamp(1, COLUMNS);
    let panel_rows = panels.div_ceil(columns).max(1);
    let height = if panels == 0 {
        frame::HEIGHT
    } else {
        HEADER_HEIGHT + PANEL_HEIGHT * u32::try_from(panel_rows).unwrap_or(u32::MAX / PANEL_HEIGHT)
    };
    (panel_rows, columns, height)
}

/// Draws one panel per KPI with the base and candidate bars side by side, each with its 95%
/// whisker, and the change in the panel title (`leakage: -3.1 pp`).
pub fn compare_bars(title: &str, rows: &[CompareRow]) -> Result<String, ChartError> {
    let (panel_rows, columns, height) = grid(rows.len());
    frame::render((frame::WIDTH, height), title, |area| {
        if rows.is_empty() {
            return frame::no_data(area);
        }
        let entries = [
            ("base".to_owned(), frame::colour(0)),
            ("candidate".to_owned(), frame::colour(1)),
        ];
        let body = frame::legend(area, &entries)?;
        for (row, panel) in rows.iter().zip(body.split_evenly((panel_rows, columns))) {
            draw_panel(&panel, row)?;
        }
        Ok(())
    })
}

fn draw_panel(panel: &Area<'_>, row: &CompareRow) -> Result<(), ChartError> {
    let (width, _) = panel.dim_in_pixel();
    let mut heading = frame::clean(&row.kpi);
    if let Some(delta) = delta_text(row.unit, row.candidate.mean - row.base.mean) {
        heading = format!("{heading}: {delta}");
    }
    let heading = frame::fit(&heading, f64::from(width) - 16.0, frame::LABEL_SIZE);
    let body = panel.titled(&heading, frame::font(frame::LABEL_SIZE))?;
    let values = estimate_values(&row.base)
        .into_iter()
        .chain(estimate_values(&row.candidate));
    let Some((lo, hi)) = frame::extent(values) else {
        return frame::no_data(&body);
    };
    let scale = Scale::new(row.unit, lo.abs().max(hi.abs()));
    let y_range = frame::with_headroom(frame::axis_range((scale.apply(lo), scale.apply(hi)), true));
    let y_area = frame::y_label_width(&y_range);
    let slot = (f64::from(width) - f64::from(y_area) - 24.0) / 2.0;
    let x_ticks = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(0) => "base".to_owned(),
        SegmentValue::CenterOf(1) => "candidate".to_owned(),
        _ => String::new(),
    };
    let y_ticks = frame::tick_label(&y_range);
    let mut chart = ChartBuilder::on(&body)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(30)
        .y_label_area_size(y_area)
        .build_cartesian_2d(frame::slots(2).into_segmented(), y_range)?;
    frame::house_mesh(
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(2)
            .y_labels(5)
            .y_desc(scale.label(""))
            .x_label_formatter(&x_ticks)
            .y_label_formatter(&y_ticks),
        frame::SMALL_SIZE,
    )
    .draw()?;
    let margin = (slot * 0.2).round().clamp(1.0, 60.0) as u32;
    for (i, estimate) in [&row.base, &row.candidate].into_iter().enumerate() {
        let mark = Mark {
            slot: i,
            estimate,
            colour: frame::colour(i),
            margin,
        };
        mark.draw(chart.plotting_area(), scale, row.unit, slot >= 70.0)?;
    }
    Ok(())
}

/// Draws one panel per KPI with the paired change (candidate − base) as a dot and its 95%
/// interval as a whisker against a marked zero line, the picture of what `compare` estimates:
/// a change is significant when its whisker does not cross the line.
///
/// Significant changes get a filled dot, the others a hollow one; shares move in percentage
/// points. A change from one replication has no whisker.
pub fn delta_intervals(title: &str, rows: &[DeltaRow]) -> Result<String, ChartError> {
    let (panel_rows, columns, height) = grid(rows.len());
    frame::render((frame::WIDTH, height), title, |area| {
        if rows.is_empty() {
            return frame::no_data(area);
        }
        let entries = [
            (
                "significant (interval excludes zero)".to_owned(),
                frame::colour(0),
            ),
            ("not significant".to_owned(), NOT_SIGNIFICANT),
        ];
        let body = frame::legend(area, &entries)?;
        for (row, panel) in rows.iter().zip(body.split_evenly((panel_rows, columns))) {
            draw_delta_panel(&panel, row)?;
        }
        Ok(())
    })
}

fn draw_delta_panel(panel: &Area<'_>, row: &DeltaRow) -> Result<(), ChartError> {
    let (width, _) = panel.dim_in_pixel();
    let d = &row.delta;
    let with_interval = d.n >= 2 && d.ci_low.is_finite() && d.ci_high.is_finite();
    let mut heading = frame::clean(&row.kpi);
    if let Some(delta) = delta_text(row.unit, d.mean) {
        heading = format!("{heading}: {delta}");
    }
    let heading = frame::fit(&heading, f64::from(width) - 16.0, frame::LABEL_SIZE);
    let body = panel.titled(&heading, frame::font(frame::LABEL_SIZE))?;
    let values = if with_interval {
        vec![d.mean, d.ci_low, d.ci_high]
    } else {
        vec![d.mean]
    };
    let Some((lo, hi)) = frame::extent(values) else {
        return frame::no_data(&body);
    };
    let scale = Scale::new(row.unit, lo.abs().max(hi.abs()));
    let y_range = frame::axis_range((scale.apply(lo), scale.apply(hi)), true);
    let y_ticks = frame::tick_label(&y_range);
    let y_desc = match row.unit {
        Unit::Fraction => "change (pp)".to_owned(),
        Unit::Seconds | Unit::Count => scale.label("change"),
    };
    let mut chart = ChartBuilder::on(&body)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(10)
        .y_label_area_size(frame::y_label_width(&y_range))
        .build_cartesian_2d(-1.0..1.0, y_range.clone())?;
    frame::house_mesh(
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(5)
            .y_desc(y_desc)
            .y_label_formatter(&y_ticks),
        frame::SMALL_SIZE,
    )
    .draw()?;
    let plot = chart.plotting_area();
    plot.draw(&PathElement::new(
        vec![(-1.0, 0.0), (1.0, 0.0)],
        frame::INK.stroke_width(2),
    ))?;
    let colour = if d.n >= 2 && (d.ci_low > 0.0 || d.ci_high < 0.0) {
        frame::colour(0)
    } else {
        NOT_SIGNIFICANT
    };
    let at = |v: f64| frame::within(&y_range, scale.apply(v));
    if with_interval {
        let whisker = colour.stroke_width(3);
        plot.draw(&PathElement::new(
            vec![(0.0, at(d.ci_low)), (0.0, at(d.ci_high))],
            whisker,
        ))?;
        for end in [at(d.ci_low), at(d.ci_high)] {
            plot.draw(
                &(EmptyElement::at((0.0, end))
                    + PathElement::new(vec![(-10, 0), (10, 0)], whisker)),
            )?;
        }
    }
    let filled = colour == frame::colour(0);
    let style = if filled {
        colour.filled()
    } else {
        WHITE.filled()
    };
    plot.draw(&Circle::new((0.0, at(d.mean)), 7, style))?;
    plot.draw(&Circle::new((0.0, at(d.mean)), 7, colour.stroke_width(3)))?;
    Ok(())
}

/// The change from base to candidate in the terminal's words: signed, shares in percentage
/// points (see [`format_change`]).
fn delta_text(unit: Unit, delta: f64) -> Option<String> {
    delta.is_finite().then(|| format_change(unit, delta))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn deltas_carry_a_sign_and_percentage_points() {
        assert_eq!(delta_text(Unit::Fraction, -0.031).unwrap(), "−3.1 pp");
        assert_eq!(delta_text(Unit::Fraction, 0.102).unwrap(), "+10.2 pp");
        assert_eq!(delta_text(Unit::Seconds, -2460.0).unwrap(), "−41m 00s");
        assert_eq!(delta_text(Unit::Count, 0.0).unwrap(), "±0");
        assert_eq!(delta_text(Unit::Count, f64::NAN), None);
    }
}
