//! Shapes: when in the week a simulated rate runs high or low.

use crate::check::Lowerer;
use crate::diagnostics::messages;
use crate::ir::scenario::Shape;
use crate::span::Span;
use crate::syntax::ast::{self, Block, ShapeStmt};

/// Minutes in a day: the end of a day's last level.
const DAY_MINUTES: u16 = 24 * 60;

impl Lowerer<'_> {
    /// Lowers a `shape` block into levels per weekday normalised to a weekly mean of 1, so a
    /// rate following it keeps its average over an ordinary week.
    pub(super) fn shape(&mut self, b: &Block<ShapeStmt>) {
        self.origins.shapes.push(*b.name.loc);
        let mut shape = Shape {
            name: b.name.name.clone(),
            timezone: String::new(),
            days: vec![Vec::new(); 7],
            holiday_calendar: None,
            holidays: Vec::new(),
            holiday_level: 1.0,
            growth_per_year: 0.0,
        };
        let mut firsts: [Option<Span>; 3] = [None; 3];
        let mut day_spans: [Option<Span>; 7] = [None; 7];
        let mut any_days = false;
        for s in &b.body {
            match &s.kind {
                ShapeStmt::Timezone(tz) => {
                    if self.first_time(&mut firsts[0], "the time zone", *s.loc) {
                        shape.timezone = self.shape_timezone(tz);
                    }
                }
                ShapeStmt::Days {
                    from_day,
                    to_day,
                    levels,
                } => {
                    any_days = true;
                    let Some(curve) = self.day_levels(levels) else {
                        continue;
                    };
                    for d in self.weekdays(from_day, to_day.as_ref()) {
                        let Some(slot) = day_spans.get_mut(usize::from(d)) else {
                            continue;
                        };
                        if let Some(first) = *slot {
                            self.repeated(
                                &format!("the levels of `{}`", day_name(d)),
                                first,
                                *s.loc,
                            );
                            continue;
                        }
                        *slot = Some(*s.loc);
                        if let Some(day) = shape.days.get_mut(usize::from(d)) {
                            day.clone_from(&curve);
                        }
                    }
                }
                ShapeStmt::Holidays { calendar, level } => {
                    if !self.first_time(&mut firsts[1], "the holidays", *s.loc) {
                        continue;
                    }
                    shape.holiday_level = self.level(level);
                    let id: Option<crate::ir::CalendarId> = self.resolve(calendar);
                    shape.holiday_calendar = id;
                    if let Some(spec) = id.and_then(|c| self.playbook.calendars.get(c.index())) {
                        shape.holidays.clone_from(&spec.holidays);
                    }
                }
                ShapeStmt::Trend { up, percent } => {
                    if !self.first_time(&mut firsts[2], "the trend", *s.loc) {
                        continue;
                    }
                    let change = self.level(percent);
                    if !*up && change >= 1.0 {
                        self.diags.push(messages::decline_too_steep(*percent.loc));
                    }
                    shape.growth_per_year = if *up { change } else { -change.min(0.99) };
                }
            }
        }
        if any_days && shape.timezone.is_empty() {
            self.diags
                .push(messages::shape_without_timezone(*b.name.loc, &b.name.name));
        }
        if shape.timezone.is_empty() {
            shape.timezone = "UTC".to_string();
        }
        if !any_days {
            shape.days = vec![vec![(0, 1.0)]; 7];
        }
        self.normalise(&mut shape, b);
        self.playbook.shapes.push(shape);
    }

    /// Whether this is the first statement of its kind; a second one is reported.
    fn first_time(&mut self, first: &mut Option<Span>, what: &str, at: Span) -> bool {
        match *first {
            Some(f) => {
                self.repeated(what, f, at);
                false
            }
            None => {
                *first = Some(at);
                true
            }
        }
    }

    /// The zone's name when it is an IANA zone; otherwise reported and empty.
    fn shape_timezone(&mut self, tz: &ast::StrLit) -> String {
        if tz.value.parse::<chrono_tz::Tz>().is_ok() {
            return tz.value.clone();
        }
        let known = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
        let near = crate::diagnostics::suggest::did_you_mean(&tz.value, known);
        self.diags.push(messages::unknown_timezone(
            *tz.loc,
            format!("`{}` is not a time zone", tz.value),
            near,
        ));
        "UTC".to_string()
    }

    /// A level as a fraction (`150%` is 1.5); levels above 100% are allowed.
    fn level(&mut self, n: &ast::NumberLit) -> f64 {
        if n.value.is_finite() && n.value >= 0.0 {
            n.value / 100.0
        } else {
            self.diags.push(messages::not_positive(*n.loc, "a level"));
            0.0
        }
    }

    /// A day's levels by minute, the first at midnight and each later than the one before.
    fn day_levels(&mut self, levels: &[ast::ShapeLevel]) -> Option<Vec<(u16, f64)>> {
        let mut curve: Vec<(u16, f64)> = Vec::new();
        let mut previous: Option<Span> = None;
        for l in levels {
            let minute = match (&l.at, previous) {
                (None, None) => 0,
                (None, Some(_)) => {
                    self.diags
                        .push(messages::shape_level_without_time(*l.level.loc));
                    return None;
                }
                (Some(t), previous) => {
                    let minute = self.clock(t)?;
                    let last = curve.last().map(|(m, _)| *m);
                    if previous.is_none() && minute != 0 {
                        self.diags
                            .push(messages::shape_day_starts_late(*t.loc, &t.text));
                        return None;
                    }
                    if let (Some(last), Some(prev)) = (last, previous) {
                        if minute <= last || minute >= DAY_MINUTES {
                            self.diags
                                .push(messages::shape_levels_out_of_order(*t.loc, &t.text, prev));
                            return None;
                        }
                    }
                    minute
                }
            };
            previous = Some(l.at.as_ref().map_or(*l.level.loc, |t| *t.loc));
            let level = self.level(&l.level);
            curve.push((minute, level));
        }
        Some(curve)
    }

    /// Scales every level so an ordinary week averages 1; a shape at zero all week is reported.
    fn normalise(&mut self, shape: &mut Shape, b: &Block<ShapeStmt>) {
        let week: f64 = shape.days.iter().map(|d| day_mean(d)).sum::<f64>() / 7.0;
        if !(week > 0.0 && week.is_finite()) {
            self.diags
                .push(messages::shape_never_active(*b.name.loc, &b.name.name));
            return;
        }
        for day in &mut shape.days {
            for (_, level) in day.iter_mut() {
                *level /= week;
            }
        }
        shape.holiday_level /= week;
    }
}

/// A day's mean level: each level weighted by the minutes until the next (or midnight).
fn day_mean(day: &[(u16, f64)]) -> f64 {
    let ends = day
        .iter()
        .skip(1)
        .map(|(m, _)| *m)
        .chain(std::iter::once(DAY_MINUTES));
    day.iter()
        .zip(ends)
        .map(|((from, level), to)| level * f64::from(to.saturating_sub(*from)))
        .sum::<f64>()
        / f64::from(DAY_MINUTES)
}

/// A weekday's short name, Monday first.
fn day_name(d: u8) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .get(usize::from(d))
        .copied()
        .unwrap_or("?")
}
