//! Calendars: time zone, working hours and holidays, and the playbook's default calendar.

use crate::calendar::{CalendarSpec, WorkingHours};
use crate::check::Lowerer;
use crate::diagnostics::messages;
use crate::diagnostics::suggest::did_you_mean;
use crate::span::Span;
use crate::syntax::ast::{self, Block, Ident, Item};

impl Lowerer<'_> {
    /// Resolves the header's default calendar, once every calendar is known.
    pub(super) fn resolve_default_calendar(&mut self, file: &ast::File) {
        for item in &file.items {
            let Item::Playbook(b) = item else { continue };
            let mut first: Option<Span> = None;
            for s in &b.body {
                if let ast::PlaybookStmt::Calendar(c) = &s.kind {
                    if let Some(f) = first {
                        self.repeated("the default calendar", f, *s.loc);
                        continue;
                    }
                    first = Some(*s.loc);
                    self.playbook.default_calendar = self.resolve(c);
                }
            }
            return;
        }
    }

    /// Lowers a `calendar` block, validating its time zone and hours so the engine never meets an impossible calendar.
    pub(super) fn calendar(&mut self, b: &Block<ast::CalendarStmt>) {
        self.origins.calendars.push(*b.name.loc);
        let mut spec = CalendarSpec {
            name: b.name.name.clone(),
            timezone: String::new(),
            hours: Vec::new(),
            holidays: Vec::new(),
        };
        let mut tz_span: Option<Span> = None;
        let mut has_hours = false;
        for s in &b.body {
            match &s.kind {
                ast::CalendarStmt::Timezone(tz) => {
                    if let Some(first) = tz_span {
                        self.repeated("the time zone", first, *s.loc);
                        continue;
                    }
                    tz_span = Some(*tz.loc);
                    spec.timezone = tz.value.clone();
                }
                ast::CalendarStmt::Hours {
                    from_day,
                    to_day,
                    open,
                    close,
                } => {
                    has_hours = true;
                    let days = self.weekdays(from_day, to_day.as_ref());
                    let (Some(o), Some(c)) = (self.clock(open), self.clock(close)) else {
                        continue;
                    };
                    if c <= o {
                        self.diags.push(messages::empty_working_hours(
                            *s.loc,
                            &open.text,
                            &close.text,
                        ));
                        continue;
                    }
                    for d in days {
                        spec.hours.push(WorkingHours {
                            weekday: d,
                            open_minute: o,
                            close_minute: c,
                        });
                    }
                }
                ast::CalendarStmt::Holiday { date, .. } => {
                    match chrono::NaiveDate::parse_from_str(&date.text, "%Y-%m-%d") {
                        Ok(d) => spec.holidays.push(d),
                        Err(_) => self.diags.push(messages::not_a_date(*date.loc, &date.text)),
                    }
                }
            }
        }
        if spec.timezone.is_empty() {
            self.diags.push(messages::calendar_without_timezone(
                *b.name.loc,
                &b.name.name,
            ));
        } else if !has_hours {
            self.diags
                .push(messages::calendar_without_hours(*b.name.loc, &b.name.name));
        } else if spec.hours.is_empty() {
            // Every `hours` statement was wrong and has been reported already.
        } else if let Err(e) = spec.validate() {
            let at = tz_span.unwrap_or(*b.name.loc);
            let diag = if let crate::calendar::CalendarError::UnknownTimezone(name) = &e {
                let known = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
                messages::unknown_timezone(at, e.to_string(), did_you_mean(name, known))
            } else {
                messages::invalid_calendar(at, e.to_string(), *b.name.loc)
            };
            self.diags.push(diag);
        }
        self.playbook.calendars.push(spec);
    }

    /// The weekdays from `from` to `to`, wrapping past Sunday; a name that is no weekday is reported.
    pub(super) fn weekdays(&mut self, from: &Ident, to: Option<&Ident>) -> Vec<u8> {
        const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let mut day = |id: &Ident| -> Option<u8> {
            let found = DAYS.iter().position(|d| *d == id.name.to_lowercase());
            if found.is_none() {
                let near = did_you_mean(&id.name, DAYS);
                self.diags
                    .push(messages::not_a_weekday(*id.loc, &id.name, near));
            }
            found.and_then(|i| u8::try_from(i).ok())
        };
        let Some(a) = day(from) else {
            return Vec::new();
        };
        let b = match to {
            Some(t) => match day(t) {
                Some(b) => b,
                None => return Vec::new(),
            },
            None => a,
        };
        if b >= a {
            (a..=b).collect()
        } else {
            (a..7).chain(0..=b).collect()
        }
    }

    /// Minutes since midnight of an `HH:MM` time, or `None` after reporting it.
    pub(super) fn clock(&mut self, t: &ast::Token) -> Option<u16> {
        let parsed = t.text.split_once(':').and_then(|(h, m)| {
            let h: u16 = h.parse().ok()?;
            let m: u16 = m.parse().ok()?;
            ((h < 24 && m < 60) || (h == 24 && m == 0)).then_some(h * 60 + m)
        });
        if parsed.is_none() {
            self.diags
                .push(messages::not_a_time_of_day(*t.loc, &t.text));
        }
        parsed
    }
}
