//! What every chart shares: the canvas, title, legend, "no data" placeholder, palette, fonts and
//! the scaling of values into readable axis units.
//!
//! Keeping these in one place is what makes the charts of one report look like one family.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartError;
use crate::report::format::{group_thousands, Unit};

/// The drawing surface every chart renders into.
pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Default canvas: wide enough for a report column, short enough to see two charts per screen.
pub(super) const WIDTH: u32 = 860;
pub(super) const HEIGHT: u32 = 460;

/// The Okabe–Ito palette, distinguishable with the common colour-vision deficiencies; yellow comes
/// last because it is faint on white.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0xF0, 0xE4, 0x42),
];

/// Text and whiskers: dark grey reads as black but lets coloured marks stand out.
pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Grid lines and placeholders.
const FAINT: RGBColor = RGBColor(0x99, 0x99, 0x99);

const FAMILY: &str = "sans-serif";
/// Plotters divides font sizes by 1.24 when writing SVG; this gives it sizes that come out as
/// whole pixels.
const fn px(pixels: f64) -> f64 {
    pixels * 1.24
}
const TITLE_SIZE: f64 = px(20.0);
pub(super) const LABEL_SIZE: f64 = px(16.0);
pub(super) const SMALL_SIZE: f64 = px(14.0);
/// Average glyph advance of a sans-serif font as a share of the SVG font size, for layout.
const GLYPH_WIDTH: f64 = 0.58;

/// The colour of the `i`-th series, cycling when there are more series than colours.
pub(super) fn colour(i: usize) -> RGBColor {
    PALETTE.get(i % PALETTE.len()).copied().unwrap_or(INK)
}

/// A text style in the chart family.
pub(super) fn font(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&INK)
}

/// The house style of every chart's axes and grid: small tick labels, axis titles at
/// `desc_size`, no minor grid lines and a faint major grid, so all charts of a report match.
pub(super) fn house_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    desc_size: f64,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged,
    Y: Ranged,
    DB: DrawingBackend,
{
    mesh.label_style(font(SMALL_SIZE))
        .axis_desc_style(font(desc_size))
        .light_line_style(TRANSPARENT)
        .bold_line_style(INK.mix(0.1))
}

/// Roughly how wide `text` is when drawn at plotters `size`, so layouts can avoid overlaps
/// without access to real font metrics (SVG has none until a browser renders it).
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size / 1.24 * GLYPH_WIDTH
}

/// Shortens `text` with an ellipsis so it fits `width` pixels at `size`.
pub(super) fn fit(text: &str, width: f64, size: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_owned();
    }
    let keep = (width / (size / 1.24 * GLYPH_WIDTH)).floor() as usize;
    let mut short: String = text.chars().take(keep.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Breaks `text` at spaces into at most two lines of `width` pixels, so long category names stay
/// readable under narrow bars; what does not fit ends in an ellipsis.
pub(super) fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split_whitespace() {
        let full = lines.len() == 2;
        let Some(last) = lines.last_mut() else {
            break;
        };
        let candidate = if last.is_empty() {
            word.to_owned()
        } else {
            format!("{last} {word}")
        };
        if text_width(&candidate, size) <= width || last.is_empty() || full {
            *last = candidate;
        } else {
            lines.push(word.to_owned());
        }
    }
    lines.iter().map(|line| fit(line, width, size)).collect()
}

/// The category axis for `n` bars or rows: plotters' integer ranges include their end, so `0..n`
/// would add an empty slot.
pub(super) fn slots(n: usize) -> std::ops::Range<usize> {
    0..n.saturating_sub(1)
}

/// Replaces characters XML 1.0 forbids (control characters and the non-characters U+FFFE and
/// U+FFFF), which plotters would otherwise copy into the SVG and make it unparseable.
pub(super) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Renders a chart of the given size into an SVG string; `draw` gets the area below the title.
pub(super) fn render(
    size: (u32, u32),
    title: &str,
    draw: impl FnOnce(&Area<'_>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        let title = fit(&clean(title), f64::from(size.0) - 20.0, TITLE_SIZE);
        let body = root.margin(8, 0, 0, 0).titled(&title, font(TITLE_SIZE))?;
        draw(&body)?;
        root.present()?;
    }
    Ok(svg)
}

/// Says "no data" where the chart would be, so an empty section is visibly empty rather than
/// missing or misleading.
pub(super) fn no_data(area: &Area<'_>) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let style = font(TITLE_SIZE)
        .color(&FAINT)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text("no data", &style, (half(w), half(h)))?;
    Ok(())
}

fn half(pixels: u32) -> i32 {
    i32::try_from(pixels / 2).unwrap_or(i32::MAX)
}

/// Draws a one-line-per-row legend above the plot and returns the area left below it.
///
/// The legend sits outside the plot so it can never hide data; entries wrap onto further rows.
pub(super) fn legend<'a>(
    area: &Area<'a>,
    entries: &[(String, RGBColor)],
) -> Result<Area<'a>, ChartError> {
    const SWATCH: i32 = 22;
    const GAP: i32 = 26;
    const ROW: i32 = 24;
    let (width, _) = area.dim_in_pixel();
    let width = i32::try_from(width).unwrap_or(i32::MAX);
    let max_label = f64::from(width) / 2.0;
    let mut placed = Vec::new();
    let (mut x, mut y) = (GAP, 4);
    for (label, colour) in entries {
        let label = fit(&clean(label), max_label, SMALL_SIZE);
        let w = SWATCH + 6 + text_width(&label, SMALL_SIZE).ceil() as i32;
        if x > GAP && x + w > width - GAP {
            x = GAP;
            y += ROW;
        }
        placed.push((x, y, label, *colour));
        x += w + GAP;
    }
    let height = if entries.is_empty() { 0 } else { y + ROW + 4 };
    let (top, rest) = area.split_vertically(height);
    for (x, y, label, colour) in placed {
        let mid = y + ROW / 2;
        top.draw(&PathElement::new(
            vec![(x, mid), (x + SWATCH, mid)],
            colour.stroke_width(4),
        ))?;
        let style = font(SMALL_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
        top.draw_text(&label, &style, (x + SWATCH + 6, mid))?;
    }
    Ok(rest)
}

/// How values of one axis are turned into display numbers: seconds become minutes or hours,
/// fractions become percentages, so tick labels stay short.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scale {
    divisor: f64,
    suffix: &'static str,
}

impl Scale {
    /// Picks the display unit for values of `unit` whose magnitude reaches `max_abs`.
    pub(super) fn new(unit: Unit, max_abs: f64) -> Self {
        let (divisor, suffix) = match unit {
            Unit::Fraction => (0.01, "%"),
            Unit::Count => (1.0, ""),
            Unit::Seconds if max_abs <= 120.0 => (1.0, "s"),
            Unit::Seconds if max_abs <= 2.0 * 3600.0 => (60.0, "minutes"),
            Unit::Seconds if max_abs <= 2.0 * 86_400.0 => (3600.0, "hours"),
            Unit::Seconds => (86_400.0, "days"),
        };
        Scale { divisor, suffix }
    }

    /// A value in display units.
    pub(super) fn apply(self, v: f64) -> f64 {
        v / self.divisor
    }

    /// The axis title with the display unit appended, `SLA attainment (%)`.
    pub(super) fn label(self, label: &str) -> String {
        let label = clean(label);
        if self.suffix.is_empty() {
            label
        } else if label.is_empty() {
            self.suffix.to_owned()
        } else {
            format!("{label} ({})", self.suffix)
        }
    }
}

/// The finite extent of `values`, or `None` when there is nothing to plot.
pub(super) fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

/// Widens an extent into an axis range with some headroom, never empty or infinite, so plotters
/// always gets a range it can place ticks on.
pub(super) fn axis_range((lo, hi): (f64, f64), include_zero: bool) -> std::ops::Range<f64> {
    const LIMIT: f64 = 1e300;
    let (mut lo, mut hi) = (lo.clamp(-LIMIT, LIMIT), hi.clamp(-LIMIT, LIMIT));
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let span = hi - lo;
    if span <= 0.0 {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - pad)..(hi + pad);
    }
    let pad = span * 0.05;
    let lo = if include_zero && lo == 0.0 {
        0.0
    } else {
        lo - pad
    };
    let hi = if include_zero && hi == 0.0 {
        0.0
    } else {
        hi + pad
    };
    lo..hi
}

/// Extra room above positive bars for the value printed on top of them.
pub(super) fn with_headroom(range: std::ops::Range<f64>) -> std::ops::Range<f64> {
    if range.end > 0.0 {
        range.start..range.end + (range.end - range.start) * 0.08
    } else {
        range
    }
}

/// Pulls `v` onto the axis `range`: plotters' pixel arithmetic overflows on values far outside it,
/// and a mark at the edge is the honest picture of "off the chart". NaN passes through.
pub(super) fn within(range: &std::ops::Range<f64>, v: f64) -> f64 {
    if v.is_nan() {
        v
    } else {
        v.max(range.start).min(range.end)
    }
}

/// Tick labels as short as the tick value allows (`2`, `2.5`, `0.05`), thousands grouped.
///
/// Plotters picks ticks on a 1-2-5 grid, so trimming trailing zeros from a few fixed decimals
/// gives exact labels without predicting the step it chose; `range` bounds the decimals needed.
pub(super) fn tick_label(range: &std::ops::Range<f64>) -> impl Fn(&f64) -> String {
    let step = (range.end - range.start) / 20.0;
    let places = if step.is_finite() && step > 0.0 {
        (1.0 - step.log10().floor()).clamp(0.0, 8.0) as usize
    } else {
        0
    };
    move |v: &f64| {
        if v.abs() >= 1e15 {
            return format!("{v:.1e}");
        }
        let text = format!("{v:.places$}");
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.')
        } else {
            &text
        };
        match text {
            "-0" => "0".to_owned(),
            _ => group_thousands(text),
        }
    }
}

/// Room for the y tick labels of `range` plus the rotated axis title.
pub(super) fn y_label_width(range: &std::ops::Range<f64>) -> u32 {
    let label = tick_label(range);
    let widest = [range.start, range.end]
        .iter()
        .map(|v| text_width(&label(v), SMALL_SIZE))
        .fold(0.0, f64::max);
    (widest + 40.0).clamp(50.0, 140.0) as u32
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn axis_ranges_are_never_empty() {
        assert_eq!(axis_range((0.0, 0.0), true), -1.0..1.0);
        assert_eq!(axis_range((5.0, 5.0), false), 4.5..5.5);
        let huge = axis_range((-f64::MAX, f64::MAX), false);
        assert!((huge.end - huge.start).is_finite());
        assert_eq!(axis_range((0.0, 10.0), true), 0.0..10.5);
    }

    #[test]
    fn extent_ignores_undefined_values() {
        assert_eq!(
            extent([f64::NAN, 1.0, f64::INFINITY, -2.0]),
            Some((-2.0, 1.0))
        );
        assert_eq!(extent([f64::NAN]), None);
    }

    #[test]
    fn ticks_have_enough_decimals_and_no_negative_zero() {
        let label = tick_label(&(0.0..1.0));
        assert_eq!(label(&0.5), "0.5");
        assert_eq!(label(&0.30000000000000004), "0.3");
        assert_eq!(label(&1.0), "1");
        assert_eq!(label(&-0.0), "0");
        assert_eq!(label(&-0.000001), "0");
        assert_eq!(tick_label(&(0.0..8.6))(&2.5), "2.5");
        assert_eq!(tick_label(&(0.0..20_000.0))(&12_000.0), "12,000");
        assert_eq!(tick_label(&(0.0..0.001))(&0.00025), "0.00025");
    }

    #[test]
    fn seconds_scale_to_a_readable_unit() {
        assert_eq!(Scale::new(Unit::Seconds, 90.0).label("wait"), "wait (s)");
        assert_eq!(Scale::new(Unit::Seconds, 3600.0).apply(1800.0), 30.0);
        assert_eq!(
            Scale::new(Unit::Seconds, 86_400.0).label("wait"),
            "wait (hours)"
        );
        assert_eq!(Scale::new(Unit::Fraction, 1.0).apply(0.25), 25.0);
    }

    #[test]
    fn labels_are_cleaned_and_fitted() {
        assert_eq!(clean("a\u{0}b\nc"), "a b c");
        let short = fit(&"x".repeat(200), 100.0, SMALL_SIZE);
        assert!(short.ends_with('…'));
        assert!(text_width(&short, SMALL_SIZE) <= 100.0);
    }

    #[test]
    fn long_labels_wrap_onto_two_lines() {
        assert_eq!(wrap("short", 100.0, SMALL_SIZE), ["short"]);
        assert_eq!(
            wrap("inbound – enterprise", 100.0, SMALL_SIZE),
            ["inbound –", "enterprise"]
        );
        let lines = wrap("a very long queue name indeed", 60.0, SMALL_SIZE);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        assert_eq!(wrap("", 60.0, SMALL_SIZE), [""]);
    }
}
