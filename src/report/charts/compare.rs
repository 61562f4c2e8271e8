//! Base against candidate, KPI by KPI: the picture of what a playbook change does.
//!
//! KPIs have different units (a share, a delay, a count), so each gets its own small panel and
//! scale instead of sharing one misleading axis.

use plotters::prelude::*;

use super::bars::{estimate_values, Mark};
use super::frame::{self, Area, Scale};
use super::{ChartError, CompareRow};
use crate::report::format::{format_value, Unit};

/// Panels per row; three keeps each panel wide enough for its tick labels.
const COLUMNS: usize = 3;
/// Height of one row of panels.
const PANEL_HEIGHT: u32 = 250;
/// Title and legend above the panels.
const HEADER_HEIGHT: u32 = 80;

/// Draws one panel per KPI with the base and candidate bars side by side, each with its 95%
/// whisker, and the change in the panel title (`leakage: -3.1 pp`).
pub fn compare_bars(title: &str, rows: &[CompareRow]) -> Result<String, ChartError> {
    let columns = rows.len().clamp(1, COLUMNS);
    let panel_rows = rows.len().div_ceil(columns).max(1);
    let height = if rows.is_empty() {
        frame::HEIGHT
    } else {
        HEADER_HEIGHT + PANEL_HEIGHT * u32::try_from(panel_rows).unwrap_or(u32::MAX / PANEL_HEIGHT)
    };
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

/// The change from base to candidate with an explicit sign; shares move in percentage points.
fn delta_text(unit: Unit, delta: f64) -> Option<String> {
    if !delta.is_finite() {
        return None;
    }
    let sign = if delta < 0.0 { "-" } else { "+" };
    let magnitude = match unit {
        Unit::Fraction => format!("{:.1} pp", delta.abs() * 100.0),
        Unit::Seconds | Unit::Count => format_value(unit, delta.abs()),
    };
    Some(format!("{sign}{magnitude}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn deltas_carry_a_sign_and_percentage_points() {
        assert_eq!(delta_text(Unit::Fraction, -0.031).unwrap(), "-3.1 pp");
        assert_eq!(delta_text(Unit::Seconds, -2460.0).unwrap(), "-41m 00s");
        assert_eq!(delta_text(Unit::Count, 0.0).unwrap(), "+0");
        assert_eq!(delta_text(Unit::Count, f64::NAN), None);
    }
}
